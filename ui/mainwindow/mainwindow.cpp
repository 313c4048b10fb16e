#include "mainwindow.h"

#include "account/workspaceswitcher.h"
#include "datastore.h"
#include "editor/recordeditor.h"
#include "mainwindow/activitylogview.h"
#include "mainwindow/syncstatusbar.h"
#include "mainwindow/trashdialog.h"
#include "merge/conflictspanel.h"
#include "merge/mergedialog.h"
#include "models/entitylistmodel.h"
#include "models/recordfilterproxy.h"
#include "models/recordtablemodel.h"
#include "syncscheduler.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeySequence>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QLocale>
#include <QMenuBar>
#include <QShortcut>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QTableView>
#include <QToolBar>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Ferry::Ui {

MainWindow::MainWindow(DataStore &store, SyncScheduler &scheduler, const QString &blobFolder,
                       QWidget *parent)
    : QMainWindow(parent)
    , m_store(store)
    , m_scheduler(scheduler)
    , m_entities(new EntityListModel(&store, this))
    , m_proxy(new RecordFilterProxy(this))
    , m_editor(new RecordEditor(store, blobFolder, this))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Ferry"));
    buildActions();
    buildLayout();

    connect(&m_scheduler, &SyncScheduler::overviewChanged, this, &MainWindow::onOverview);
    connect(&m_scheduler, &SyncScheduler::activityAdded, m_activity, &ActivityLogView::addEntry);
    m_activity->setEntries(m_scheduler.activity());
    onOverview(m_scheduler.overview());
    updateConflictActions();

    if (!m_store.schema().entities().isEmpty())
        showEntity(m_store.schema().entities().first().name);
    resize(1200, 760);
}

MainWindow::~MainWindow()
{
    // The views refer to the model: detach them before it goes.
    m_table->setModel(nullptr);
    m_proxy->setSourceModel(nullptr);
}

void MainWindow::buildActions()
{
    m_syncAction = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Sync"), this);
    m_syncAction->setObjectName(QStringLiteral("syncAction"));
    m_syncAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence::Refresh});
    m_syncAction->setToolTip(tr("Send and receive changes now (Ctrl+R)"));
    connect(m_syncAction, &QAction::triggered, &m_scheduler, &SyncScheduler::syncNow);

    m_settingsAction = new QAction(tr("Se&ttings…"), this);
    m_settingsAction->setObjectName(QStringLiteral("settingsAction"));
    m_settingsAction->setShortcut(QKeySequence::Preferences);
    m_settingsAction->setMenuRole(QAction::PreferencesRole);
    connect(m_settingsAction, &QAction::triggered, this, &MainWindow::settingsRequested);

    // Who else may use this workspace; the app opens the dialog, which needs the account.
    m_shareAction = new QAction(tr("S&hare…"), this);
    m_shareAction->setObjectName(QStringLiteral("shareAction"));
    m_shareAction->setToolTip(tr("Choose who else can see or edit these records"));
    connect(m_shareAction, &QAction::triggered, this, &MainWindow::shareRequested);

    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setShortcut(QKeySequence::Quit);
    m_quitAction->setMenuRole(QAction::QuitRole);
    connect(m_quitAction, &QAction::triggered, this, &MainWindow::quitRequested);

    m_findAction = new QAction(tr("&Find…"), this);
    m_findAction->setObjectName(QStringLiteral("findAction"));
    m_findAction->setShortcut(QKeySequence::Find);
    m_findAction->setToolTip(tr("Search the records shown (Ctrl+F)"));
    connect(m_findAction, &QAction::triggered, this, [this] {
        m_search->setFocus(Qt::ShortcutFocusReason);
        m_search->selectAll();
    });
    addAction(m_findAction);

    m_resolveAction = new QAction(tr("Resol&ve Conflict…"), this);
    m_resolveAction->setObjectName(QStringLiteral("resolveAction"));
    m_resolveAction->setToolTip(tr("Choose what to keep of this record's two versions"));
    connect(m_resolveAction, &QAction::triggered, this,
            [this] { resolveConflict(m_editor->guid()); });

    m_trashAction = new QAction(tr("&Trash…"), this);
    m_trashAction->setObjectName(QStringLiteral("trashAction"));
    m_trashAction->setToolTip(tr("Deleted records, to bring back"));
    connect(m_trashAction, &QAction::triggered, this, [this] {
        if (!m_trash) {
            m_trash = new TrashDialog(m_store, this);
            m_trash->setAttribute(Qt::WA_DeleteOnClose);
            m_trash->setReadOnly(m_readOnly, m_readOnlyWhy);
        }
        m_trash->show();
        m_trash->raise();
        m_trash->activateWindow();
    });
}

void MainWindow::buildLayout()
{
    m_sidebar = new QListView(this);
    m_sidebar->setObjectName(QStringLiteral("entityList"));
    m_sidebar->setAccessibleName(tr("Kinds of records"));
    m_sidebar->setModel(m_entities);
    m_sidebar->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_sidebar->setMaximumWidth(220);
    m_sidebar->setMinimumWidth(110);
    connect(m_sidebar, &QListView::clicked, this, &MainWindow::onEntityActivated);
    connect(m_sidebar, &QListView::activated, this, &MainWindow::onEntityActivated);

    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("searchField"));
    m_search->setAccessibleName(tr("Search records"));
    m_search->setPlaceholderText(tr("Search"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_proxy, &RecordFilterProxy::setFilterText);
    m_searchResult = new QLabel(this);
    m_searchResult->setObjectName(QStringLiteral("searchResult"));
    m_searchResult->setAccessibleName(tr("Search result"));
    m_searchResult->setForegroundRole(QPalette::PlaceholderText);
    m_searchResult->hide();
    connect(m_search, &QLineEdit::textChanged, this, &MainWindow::updateSearchResult);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &MainWindow::updateSearchResult);
    connect(m_proxy, &QAbstractItemModel::layoutChanged, this, &MainWindow::updateSearchResult);
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, &MainWindow::updateSearchResult);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &MainWindow::updateSearchResult);

    m_table = new QTableView(this);
    m_table->setObjectName(QStringLiteral("recordTable"));
    m_table->setAccessibleName(tr("Records"));
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setAlternatingRowColors(true);
    m_table->setWordWrap(false);
    m_table->verticalHeader()->hide();
    m_table->setTabKeyNavigation(false); // Tab leaves the list, as everywhere else
    // Delete deletes the selected record, only while the list has the focus (in a field it
    // deletes text).
    auto *deleteKey = new QShortcut(QKeySequence::Delete, m_table);
    deleteKey->setContext(Qt::WidgetShortcut);
    connect(deleteKey, &QShortcut::activated, this,
            [this] { m_editor->deleteAction()->trigger(); });
    m_table->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 8);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->horizontalHeader()->setHighlightSections(false);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);
    connect(m_table, &QTableView::doubleClicked, this, &MainWindow::onRecordDoubleClicked);

    auto *listPane = new QWidget(this);
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    auto *searchLine = new QHBoxLayout;
    searchLine->setSpacing(8);
    searchLine->addWidget(m_search, 1);
    searchLine->addWidget(m_searchResult);
    listLayout->addLayout(searchLine);
    listLayout->addWidget(m_table);
    // Room for a title and the state column however the window is sized; the editor and
    // the sidebar give way first.
    listPane->setMinimumWidth(220);

    m_editor->setObjectName(QStringLiteral("recordEditor"));
    m_editor->setFileFetcher(&m_scheduler);
    connect(m_editor, &RecordEditor::recordOpened, this, &MainWindow::selectRecord);
    connect(m_editor, &RecordEditor::resolveRequested, this, &MainWindow::resolveConflict);
    connect(m_editor, &RecordEditor::recordOpened, this, &MainWindow::updateConflictActions);
    connect(m_editor, &RecordEditor::recordClosed, this, &MainWindow::updateConflictActions);
    // After the editor: it has read the record again by then.
    connect(&m_store, &DataStore::changed, this, &MainWindow::updateConflictActions);

    auto *splitter = new QSplitter(this);
    splitter->setObjectName(QStringLiteral("mainSplitter"));
    splitter->addWidget(m_sidebar);
    splitter->addWidget(listPane);
    splitter->addWidget(m_editor);
    splitter->setStretchFactor(0, 0);
    splitter->setStretchFactor(1, 3);
    splitter->setStretchFactor(2, 2);
    splitter->setChildrenCollapsible(false);
    splitter->setSizes({170, 600, 430});
    setCentralWidget(splitter);

    m_activity = new ActivityLogView(this);
    m_activityDock = new QDockWidget(tr("Activity"), this);
    m_activityDock->setObjectName(QStringLiteral("activityDock"));
    m_activityDock->setWidget(m_activity);
    addDockWidget(Qt::BottomDockWidgetArea, m_activityDock);
    m_activityDock->hide();
    QAction *activityAction = m_activityDock->toggleViewAction();
    activityAction->setObjectName(QStringLiteral("activityAction"));
    activityAction->setText(tr("&Activity"));
    activityAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));

    m_conflicts = new ConflictsPanel(m_store, this);
    m_conflictsDock = new QDockWidget(tr("Conflicts"), this);
    m_conflictsDock->setObjectName(QStringLiteral("conflictsDock"));
    m_conflictsDock->setWidget(m_conflicts);
    addDockWidget(Qt::BottomDockWidgetArea, m_conflictsDock);
    m_conflictsDock->hide();
    m_conflictsAction = m_conflictsDock->toggleViewAction();
    m_conflictsAction->setObjectName(QStringLiteral("conflictsAction"));
    m_conflictsAction->setIcon(QIcon(QStringLiteral(":/icons/models/conflict.svg")));
    m_conflictsAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_K));
    connect(m_conflicts, &ConflictsPanel::countChanged, this, &MainWindow::updateConflictActions);
    connect(m_conflictsAction, &QAction::toggled, this, [this](bool shown) {
        if (shown)
            m_conflicts->setFocus(); // the list, ready for arrows and Enter
    });

    QToolBar *toolbar = addToolBar(tr("Main"));
    toolbar->setObjectName(QStringLiteral("mainToolbar"));
    toolbar->setMovable(false);
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_workspaces = new WorkspaceSwitcher(toolbar);
    toolbar->addWidget(m_workspaces);
    toolbar->addSeparator();
    toolbar->addAction(m_syncAction);
    toolbar->addSeparator();
    toolbar->addAction(m_conflictsAction);
    toolbar->addAction(activityAction);
    toolbar->addAction(m_shareAction);
    toolbar->addAction(m_settingsAction);

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addMenu(m_workspaces->menu());
    file->addSeparator();
    file->addAction(m_syncAction);
    file->addAction(m_shareAction);
    file->addAction(m_settingsAction);
    file->addSeparator();
    file->addAction(m_quitAction);
    QMenu *edit = menuBar()->addMenu(tr("&Edit"));
    edit->setObjectName(QStringLiteral("editMenu"));
    QAction *undo = m_editor->undoStack()->createUndoAction(this, tr("&Undo"));
    undo->setObjectName(QStringLiteral("undoAction"));
    undo->setShortcut(QKeySequence::Undo);
    QAction *redo = m_editor->undoStack()->createRedoAction(this, tr("&Redo"));
    redo->setObjectName(QStringLiteral("redoAction"));
    redo->setShortcut(QKeySequence::Redo);
    edit->addAction(undo);
    edit->addAction(redo);
    edit->addSeparator();
    edit->addAction(m_findAction);
    QMenu *records = menuBar()->addMenu(tr("&Records"));
    records->addAction(m_editor->newAction());
    records->addAction(m_editor->duplicateAction());
    records->addAction(m_editor->deleteAction());
    records->addSeparator();
    records->addAction(m_resolveAction);
    records->addAction(m_trashAction);
    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_conflictsAction);
    view->addAction(activityAction);

    m_status = new SyncStatusBar(this);
    statusBar()->addPermanentWidget(m_status, 1);
    statusBar()->setSizeGripEnabled(true);
}

void MainWindow::updateSearchResult()
{
    const QString text = m_search->text().trimmed();
    if (text.isEmpty() || !m_model) {
        m_searchResult->hide();
        return;
    }
    const int shown = m_proxy->rowCount();
    const Result<qint64> all = m_store.store().count(m_entity);
    m_searchResult->setText(shown == 0 ? tr("No matches")
                                       : tr("%1 of %2")
                                             .arg(QLocale().toString(shown),
                                                  QLocale().toString(all ? all.value() : shown)));
    m_searchResult->show();
}

void MainWindow::setReadOnly(bool readOnly, const QString &why)
{
    m_readOnly = readOnly;
    m_readOnlyWhy = why;
    m_editor->setReadOnly(readOnly, why);
    if (m_trash)
        m_trash->setReadOnly(readOnly, why);
}

void MainWindow::showEntity(const QString &entity)
{
    if (entity == m_entity && m_model)
        return;
    m_entity = entity;
    auto model = std::make_unique<RecordTableModel>(&m_store, entity);
    m_proxy->setSourceModel(model.get());
    m_model = std::move(model); // the old model goes only after the proxy left it
    m_proxy->setFilterText(m_search->text());
    m_table->horizontalHeader()->setSortIndicatorShown(true);
    m_table->resizeColumnToContents(RecordTableModel::StatusColumn);
    // The field that names a record gets room to be read; the others a fair share.
    const EntityDef *def = m_store.schema().entity(entity);
    const int display = def ? m_model->columnOf(def->display) : -1;
    for (int column = RecordTableModel::FirstFieldColumn; column < m_model->columnCount(); ++column)
        m_table->setColumnWidth(column, column == display ? 260 : 130);
    // In order of the name a record is shown by until the person clicks another header.
    if (display >= 0)
        m_table->sortByColumn(display, Qt::AscendingOrder);
    const int row = m_entities->rowOf(entity);
    if (row >= 0)
        m_sidebar->setCurrentIndex(m_entities->index(row));
    m_editor->setEntity(entity);
    if (m_proxy->rowCount() > 0)
        m_table->selectRow(0);
}

void MainWindow::onEntityActivated(const QModelIndex &index)
{
    showEntity(index.data(EntityListModel::EntityNameRole).toString());
}

void MainWindow::onCurrentRowChanged(const QModelIndex &current)
{
    if (!current.isValid())
        return;
    const QString guid = current.data(RecordTableModel::GuidRole).toString();
    if (!guid.isEmpty() && guid != m_editor->guid()) {
        m_editor->commitEdits();
        m_editor->openRecord(guid);
    }
}

void MainWindow::selectRecord(const QString &guid)
{
    if (!m_model)
        return;
    const int row = m_model->rowOf(guid);
    if (row < 0)
        return;
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (index.isValid() && m_table->currentIndex().row() != index.row()) {
        m_table->selectRow(index.row());
        m_table->scrollTo(index);
    }
}

void MainWindow::onRecordDoubleClicked(const QModelIndex &index)
{
    if (index.data(RecordTableModel::SyncStatusRole).toInt() == int(SyncStatus::Conflicted))
        resolveConflict(index.data(RecordTableModel::GuidRole).toString());
}

void MainWindow::resolveConflict(const QString &guid)
{
    if (!guid.isEmpty())
        openMergeDialog(m_store, guid, this);
}

void MainWindow::showConflicts()
{
    if (!isVisible())
        show();
    m_conflictsDock->show();
    m_conflictsDock->raise();
    m_conflicts->setFocus();
}

void MainWindow::updateConflictActions()
{
    const int count = m_conflicts->count();
    m_conflictsAction->setText(count == 0 ? tr("&Conflicts") : tr("&Conflicts (%1)").arg(count));
    m_conflictsAction->setToolTip(
        count == 0       ? tr("No open conflicts (Ctrl+Shift+K)")
            : count == 1 ? tr("1 record changed here and elsewhere (Ctrl+Shift+K)")
                         : tr("%1 records changed here and elsewhere (Ctrl+Shift+K)").arg(count));
    m_resolveAction->setEnabled(m_editor->record().status == SyncStatus::Conflicted);
}

void MainWindow::onOverview(const SyncOverview &overview)
{
    m_status->setOverview(overview);
    m_syncAction->setEnabled(overview.state != SyncOverview::State::Syncing);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    m_editor->commitEdits();
    if (m_closeToTray) {
        hide();
        event->ignore();
        Q_EMIT closedToTray();
        return;
    }
    QMainWindow::closeEvent(event);
    Q_EMIT quitRequested();
}

} // namespace Ferry::Ui
