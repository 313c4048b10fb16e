#include "recordeditor.h"

#include "blobstore.h"
#include "editor/blobfieldeditor.h"
#include "editor/editorbanner.h"
#include "editor/elidedlabel.h"
#include "editor/fieldeditor.h"
#include "editor/recordchoices.h"
#include "merge/mergetext.h"
#include "models/recorddisplay.h"
#include "syncscheduler.h"

#include <QAction>
#include <QEvent>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QToolButton>
#include <QUndoCommand>
#include <QUndoStack>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

QLabel *makeLabel(const QString &objectName, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(objectName);
    return label;
}

void setTextColor(QWidget *widget, const QColor &color)
{
    QPalette p = widget->palette();
    p.setColor(QPalette::WindowText, color);
    widget->setPalette(p);
}

QToolButton *actionButton(QAction *action, const QString &objectName, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setDefaultAction(action);
    button->setObjectName(objectName);
    button->setAccessibleName(action->text().remove(QLatin1Char('&')));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setAutoRaise(true);
    return button;
}

} // namespace

RecordEditor::RecordEditor(DataStore &store, const QString &blobFolder, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_blobFolder(blobFolder)
    , m_newAction(new QAction(QIcon(QStringLiteral(":/icons/editor/new.svg")), tr("&New"), this))
    , m_duplicateAction(new QAction(QIcon(QStringLiteral(":/icons/editor/duplicate.svg")),
                                    tr("D&uplicate"), this))
    , m_deleteAction(
          new QAction(QIcon(QStringLiteral(":/icons/editor/delete.svg")), tr("&Delete"), this))
{
    setObjectName(QStringLiteral("recordEditor"));
    setAccessibleName(tr("Record editor"));
    m_newAction->setObjectName(QStringLiteral("newAction"));
    m_newAction->setShortcut(QKeySequence::New);
    m_newAction->setToolTip(tr("Create a new record"));
    m_duplicateAction->setObjectName(QStringLiteral("duplicateAction"));
    m_duplicateAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_duplicateAction->setToolTip(tr("Create a copy of this record"));
    m_deleteAction->setObjectName(QStringLiteral("deleteAction"));
    m_deleteAction->setToolTip(tr("Delete this record (you can undo it)"));
    m_undo = new QUndoStack(this);
    connect(m_newAction, &QAction::triggered, this, &RecordEditor::newRecord);
    connect(m_duplicateAction, &QAction::triggered, this, &RecordEditor::duplicateRecord);
    connect(m_deleteAction, &QAction::triggered, this, &RecordEditor::deleteRecord);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    buildHeader();

    m_undoBanner = new EditorBanner(QStringLiteral("undoBanner"), EditorBanner::Tone::Info, this);
    QPushButton *undo = m_undoBanner->addButton(tr("Undo"), QStringLiteral("undoButton"),
                                                QStringLiteral(":/icons/editor/undo.svg"));
    connect(undo, &QPushButton::clicked, this, &RecordEditor::undoDelete);
    QPushButton *dismiss = m_undoBanner->addButton(tr("Dismiss"), QStringLiteral("dismissButton"));
    connect(dismiss, &QPushButton::clicked, m_undoBanner, &QWidget::hide);

    m_deletedBanner
        = new EditorBanner(QStringLiteral("deletedBanner"), EditorBanner::Tone::Warning, this);
    m_restoreButton = m_deletedBanner->addButton(tr("Restore"), QStringLiteral("restoreButton"),
                                                 QStringLiteral(":/icons/editor/undo.svg"));
    connect(m_restoreButton, &QPushButton::clicked, this, &RecordEditor::restoreRecord);
    QPushButton *close = m_deletedBanner->addButton(tr("Close"), QStringLiteral("closeButton"));
    connect(close, &QPushButton::clicked, this, &RecordEditor::closeRecord);

    m_conflictBanner
        = new EditorBanner(QStringLiteral("conflictBanner"), EditorBanner::Tone::Warning, this);
    QPushButton *resolve
        = m_conflictBanner->addButton(tr("Resolve…"), QStringLiteral("resolveConflictButton"));
    connect(resolve, &QPushButton::clicked, this, [this] { Q_EMIT resolveRequested(m_guid); });

    m_viewOnlyBanner
        = new EditorBanner(QStringLiteral("viewOnlyBanner"), EditorBanner::Tone::Info, this);
    m_viewOnlyBanner->hide();

    m_message = makeLabel(QStringLiteral("editorMessage"), this);
    m_message->setWordWrap(true);
    m_message->setContentsMargins(12, 6, 12, 6);
    setTextColor(m_message, QColor(0xb3, 0x26, 0x1e));
    m_message->hide();

    m_empty = makeLabel(QStringLiteral("emptyState"), this);
    m_empty->setText(tr("No record is open. Choose one in the list, or create a new one."));
    m_empty->setAlignment(Qt::AlignCenter);
    m_empty->setWordWrap(true);
    setTextColor(m_empty, palette().color(QPalette::PlaceholderText));

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("fieldsArea"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_scroll->hide();

    layout->addWidget(m_viewOnlyBanner);
    layout->addWidget(m_undoBanner);
    layout->addWidget(m_deletedBanner);
    layout->addWidget(m_conflictBanner);
    layout->addWidget(m_message);
    layout->addWidget(m_scroll, 1);
    layout->addWidget(m_empty, 1);
    connect(&m_store, &DataStore::changed, this, &RecordEditor::storeChanged);
    updateHeader();
    updateActions();
}

RecordEditor::~RecordEditor() = default;

void RecordEditor::buildHeader()
{
    auto *header = new QWidget(this);
    header->setObjectName(QStringLiteral("header"));
    m_entityLabel = makeLabel(QStringLiteral("headerEntity"), header);
    setTextColor(m_entityLabel, palette().color(QPalette::PlaceholderText));
    m_titleLabel = new ElidedLabel(header);
    m_titleLabel->setObjectName(QStringLiteral("headerTitle"));
    m_titleLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_titleLabel->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.4);
    titleFont.setBold(true);
    m_titleLabel->setFont(titleFont);
    m_stateLabel = makeLabel(QStringLiteral("syncState"), header);
    m_stateLabel->setAccessibleName(tr("Sync state"));
    m_stateLabel->setContentsMargins(8, 2, 8, 2);
    m_stateLabel->setAutoFillBackground(true);
    m_stateLabel->setAlignment(Qt::AlignCenter);
    // As wide as its longest usual words from the start: "Waiting to sync" turning into
    // "Synced" must not move the splitter under the person's pointer.
    int widest = 0;
    for (SyncStatus status : {SyncStatus::Synced, SyncStatus::NeedsSync, SyncStatus::Conflicted})
        widest = qMax(
            widest,
            m_stateLabel->fontMetrics().horizontalAdvance(syncStatusText(status, QString())));
    m_stateLabel->setMinimumWidth(widest + 16 + 2);

    // The kind, the sync state and the buttons above; the title below, across the whole
    // width: a long title is cut short, and the state changing its words moves nothing else.
    auto *kindLine = new QHBoxLayout;
    kindLine->setSpacing(12);
    kindLine->addWidget(m_entityLabel);
    kindLine->addWidget(m_stateLabel, 0, Qt::AlignVCenter);
    kindLine->addStretch();

    auto *buttons = new QHBoxLayout;
    buttons->setSpacing(2);
    m_headerButtons = {actionButton(m_newAction, QStringLiteral("newButton"), header),
                       actionButton(m_duplicateAction, QStringLiteral("duplicateButton"), header),
                       actionButton(m_deleteAction, QStringLiteral("deleteButton"), header)};
    for (QToolButton *button : std::as_const(m_headerButtons)) {
        buttons->addWidget(button);
        m_headerButtonsWidth += button->sizeHint().width() + buttons->spacing();
    }
    m_header = header;
    header->installEventFilter(this);

    auto *grid = new QGridLayout(header);
    grid->setContentsMargins(16, 10, 12, 10);
    grid->setHorizontalSpacing(24);
    grid->setVerticalSpacing(2);
    grid->addLayout(kindLine, 0, 0);
    grid->addLayout(buttons, 0, 1);
    grid->addWidget(m_titleLabel, 1, 0, 1, 2);
    grid->setColumnStretch(0, 1);
    static_cast<QVBoxLayout *>(layout())->addWidget(header);
}

bool RecordEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_header && event->type() == QEvent::Resize)
        fitHeaderButtons();
    return QWidget::eventFilter(watched, event);
}

void RecordEditor::fitHeaderButtons()
{
    // What the kind, the state badge and the buttons with their words need side by side
    // (the layout's margins and spacings included); narrower than that, the words went
    // ("D…e") and the buttons became hard to tell apart.
    const int withWords = m_entityLabel->sizeHint().width() + m_stateLabel->minimumWidth()
        + m_headerButtonsWidth + 12 + 24 + 16 + 12;
    const Qt::ToolButtonStyle wanted
        = m_header->width() >= withWords ? Qt::ToolButtonTextBesideIcon : Qt::ToolButtonIconOnly;
    for (QToolButton *button : std::as_const(m_headerButtons)) {
        if (button->toolButtonStyle() != wanted)
            button->setToolButtonStyle(wanted);
    }
}

void RecordEditor::buildFields(const EntityDef &entity)
{
    m_formEntity = entity.name;
    m_rows.clear();
    m_editors.clear();
    auto *form = new QWidget;
    form->setObjectName(QStringLiteral("fields"));
    auto *outer = new QVBoxLayout(form);
    outer->setContentsMargins(16, 8, 16, 16);
    auto *formLayout = new QFormLayout;
    // Rows keep their natural height; the space below the last one stays empty.
    outer->addLayout(formLayout);
    outer->addStretch(1);
    formLayout->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    formLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    formLayout->setRowWrapPolicy(QFormLayout::DontWrapRows);
    formLayout->setVerticalSpacing(10);
    const int labelTop = (QLineEdit().sizeHint().height() - fontMetrics().height()) / 2;
    for (const FieldDef &def : entity.fields) {
        FieldRow row;
        row.editor = FieldEditor::create(def, m_store, m_blobFolder);
        if (auto *blob = qobject_cast<BlobFieldEditor *>(row.editor)) {
            connect(blob, &BlobFieldEditor::fileChosen, this,
                    [this, def](const QString &path) { fillFileDetails(def, path); });
            blob->setFetcher(m_fetcher);
        }
        row.label = makeLabel(QStringLiteral("label_") + def.name, form);
        row.label->setText(def.title + QLatin1Char(':'));
        row.label->setBuddy(row.editor->input());
        // Line the label up with the input's first line of text, however tall the row gets
        // (messages below, a preview): centred on a one-line input's height, or just inside
        // the frame of a box that scrolls.
        const bool box = def.type == FieldType::Text || def.type == FieldType::Refs;
        row.label->setAlignment(Qt::AlignRight | Qt::AlignTop);
        row.label->setContentsMargins(0, box ? 4 : labelTop, 0, 0);

        auto *cell = new QWidget(form);
        auto *cellLayout = new QVBoxLayout(cell);
        cellLayout->setContentsMargins(0, 0, 0, 0);
        cellLayout->setSpacing(3);
        cellLayout->addWidget(row.editor);

        row.errorRow = new QWidget(cell);
        auto *errorLayout = new QHBoxLayout(row.errorRow);
        errorLayout->setContentsMargins(0, 0, 0, 0);
        auto *errorIcon = new QLabel(row.errorRow);
        const int iconSize = fontMetrics().height();
        errorIcon->setPixmap(
            QIcon(QStringLiteral(":/icons/editor/warning.svg")).pixmap(iconSize, iconSize));
        row.error = makeLabel(QStringLiteral("error_") + def.name, row.errorRow);
        row.error->setWordWrap(true);
        setTextColor(row.error, QColor(0xb3, 0x26, 0x1e));
        errorLayout->addWidget(errorIcon, 0, Qt::AlignTop);
        errorLayout->addWidget(row.error, 1);
        row.errorRow->hide();
        cellLayout->addWidget(row.errorRow);

        row.note = makeLabel(QStringLiteral("note_") + def.name, cell);
        row.note->setWordWrap(true);
        row.note->setText(
            tr("Changed on another device while you were editing — your version will be merged"));
        setTextColor(row.note, QColor(0x8a, 0x5a, 0x00));
        row.note->hide();
        cellLayout->addWidget(row.note);

        formLayout->addRow(row.label, cell);
        connect(row.editor, &FieldEditor::committed, this,
                [this, editor = row.editor] { commitField(editor); });
        m_rows.insert(def.name, row);
        m_editors.append(row.editor);
    }
    delete m_scroll->takeWidget();
    m_scroll->setWidget(form);
}

void RecordEditor::fillFileDetails(const FieldDef &blob, const QString &path)
{
    if (m_guid.isEmpty())
        return;
    const QJsonObject details = BlobStore::fileDetails(blob, path, m_record.fields);
    if (details.isEmpty())
        return;
    if (const Status saved = m_store.updateRecord(m_guid, details); !saved)
        showMessage(saved.error().message);
}

void RecordEditor::setFileFetcher(SyncScheduler *fetcher)
{
    m_fetcher = fetcher;
    for (FieldEditor *editor : std::as_const(m_editors)) {
        if (auto *blob = qobject_cast<BlobFieldEditor *>(editor))
            blob->setFetcher(fetcher);
    }
}

void RecordEditor::setBlobFolder(const QString &folder)
{
    m_blobFolder = folder;
    for (FieldEditor *editor : std::as_const(m_editors)) {
        if (auto *blob = qobject_cast<BlobFieldEditor *>(editor))
            blob->setFolder(folder);
    }
}

void RecordEditor::setEntity(const QString &entity)
{
    if (entity == m_entity)
        return;
    if (!m_guid.isEmpty())
        closeRecord();
    m_entity = entity;
    updateHeader();
    updateActions();
}

QString RecordEditor::entityTitle() const
{
    const EntityDef *def = m_store.schema().entity(m_entity);
    return def ? def->title : m_entity;
}

Status RecordEditor::openRecord(const QString &guid)
{
    if (!m_guid.isEmpty() && guid != m_guid)
        commitEdits();
    Result<LocalRecord> found = m_store.store().record(guid);
    if (!found) {
        showMessage(found.error().message);
        return found.error();
    }
    const EntityDef *def = m_store.schema().entity(found->entity);
    if (!def) {
        const Error error {QStringLiteral("bad_entity"),
                           tr("This app does not know records of type %1.").arg(found->entity)};
        showMessage(error.message);
        return error;
    }
    const bool switched = guid != m_guid;
    // The form follows the record, whatever kind was shown before (setEntity() changes the
    // kind without building a form).
    m_entity = found->entity;
    if (m_formEntity != m_entity || m_editors.isEmpty())
        buildFields(*def);
    m_guid = guid;
    m_record = found.value();
    showMessage({});
    for (FieldRow &row : m_rows) {
        row.editor->load(m_record.fields.value(row.editor->field().name), true);
        row.errorRow->hide();
        row.note->hide();
    }
    m_empty->hide();
    m_scroll->show();
    refresh(ChangeOrigin::Local);
    if (switched)
        Q_EMIT recordOpened(guid);
    return success();
}

void RecordEditor::closeRecord()
{
    if (m_guid.isEmpty())
        return;
    commitEdits();
    m_guid.clear();
    m_record = LocalRecord();
    m_deletedBanner->hide();
    m_scroll->hide();
    m_empty->show();
    updateHeader();
    updateActions();
    Q_EMIT recordClosed();
}

bool RecordEditor::hasUnsavedEdits() const
{
    for (const FieldEditor *editor : m_editors) {
        if (editor->hasUnsavedEdit())
            return true;
    }
    return false;
}

bool RecordEditor::commitEdits()
{
    for (FieldEditor *editor : std::as_const(m_editors))
        commitField(editor);
    return !hasUnsavedEdits();
}

// One field of one record changed in this editor: undo puts the value before back, redo the
// value after; each is a local edit like typing it.
class RecordEditor::FieldEdit : public QUndoCommand
{
public:
    FieldEdit(RecordEditor &editor, QString guid, const FieldDef &field, QJsonValue before,
              QJsonValue after)
        : QUndoCommand(QObject::tr("Edit %1").arg(field.title))
        , m_editor(editor)
        , m_guid(std::move(guid))
        , m_field(field.name)
        , m_before(std::move(before))
        , m_after(std::move(after))
    { }

    void undo() override { set(m_before); }
    void redo() override
    {
        if (m_done)
            set(m_after); // the first time, the edit is already saved
        m_done = true;
    }

private:
    void set(const QJsonValue &value)
    {
        const QJsonValue stored = value.isUndefined() ? QJsonValue(QJsonValue::Null) : value;
        if (Status s = m_editor.m_store.updateRecord(m_guid, {{m_field, stored}}); !s) {
            m_editor.showMessage(s.error().message);
            return;
        }
        if (m_editor.m_guid != m_guid)
            m_editor.openRecord(m_guid);
    }

    RecordEditor &m_editor;
    QString m_guid;
    QString m_field;
    QJsonValue m_before;
    QJsonValue m_after;
    bool m_done = false;
};

void RecordEditor::commitField(FieldEditor *editor)
{
    if (m_guid.isEmpty() || !editor->hasUnsavedEdit())
        return;
    const FieldDef &def = editor->field();
    const auto found = m_rows.find(def.name);
    if (found == m_rows.end() || found->editor != editor)
        return; // a field of a form being replaced
    FieldRow &row = *found;
    const Result<QJsonValue> value = editor->value();
    if (!value) {
        setFieldError(row, value.error().message);
        return;
    }
    if (sameValue(value.value(), m_record.fields.value(def.name))) {
        editor->markSaved(value.value());
        setFieldError(row, {});
        return;
    }
    // Only the changed field: the store marks just it dirty, so edits of other fields on
    // other devices merge instead of conflicting.
    const QJsonValue before = m_record.fields.value(def.name);
    const Status saved = m_store.updateRecord(m_guid, {{def.name, value.value()}});
    if (!saved) {
        setFieldError(row, saved.error().message);
        return;
    }
    editor->markSaved(value.value());
    setFieldError(row, {});
    m_undo->push(new FieldEdit(*this, m_guid, def, before, value.value()));
}

void RecordEditor::setFieldError(FieldRow &row, const QString &message)
{
    row.error->setText(message);
    row.errorRow->setVisible(!message.isEmpty());
    row.editor->input()->setAccessibleDescription(message);
}

void RecordEditor::storeChanged(const ChangeSet &change)
{
    for (FieldEditor *editor : std::as_const(m_editors)) {
        if (editor->field().target == change.entity)
            editor->targetChanged(change);
    }
    if (!m_undoGuid.isEmpty() && change.guids.contains(m_undoGuid)) {
        // Back by some other way than Undo (restored elsewhere): nothing left to undo.
        const Result<LocalRecord> undone = m_store.store().record(m_undoGuid);
        if (undone && !undone->deleted) {
            m_undoGuid.clear();
            m_undoBanner->hide();
        }
    }
    if (m_guid.isEmpty() || change.entity != m_entity || !change.guids.contains(m_guid))
        return;
    refresh(change.origin);
}

void RecordEditor::refresh(ChangeOrigin origin)
{
    Result<LocalRecord> found = m_store.store().record(m_guid);
    if (!found) {
        showMessage(found.error().message);
        return;
    }
    const LocalRecord previous = m_record;
    m_record = found.value();
    for (FieldRow &row : m_rows) {
        const QString &name = row.editor->field().name;
        const QJsonValue stored = m_record.fields.value(name);
        if (auto *blob = qobject_cast<BlobFieldEditor *>(row.editor)) {
            const QString &nameField = row.editor->field().fileNameField;
            blob->setFileName(nameField.isEmpty() ? QString()
                                                  : m_record.fields.value(nameField).toString());
        }
        if (!row.editor->hasUnsavedEdit()) {
            row.editor->load(stored);
            continue;
        }
        // The person is typing here: keep their text; it is saved over this value when
        // they commit it, and the engine merges the two at the next sync.
        if (origin == ChangeOrigin::Remote && !sameValue(stored, previous.fields.value(name)))
            row.note->show();
    }
    const bool deleted = m_record.deleted;
    for (FieldEditor *editor : std::as_const(m_editors))
        editor->setReadOnly(deleted || m_readOnly);
    if (!deleted) {
        m_deletedBanner->hide();
        if (m_undoGuid == m_guid)
            m_undoBanner->hide();
    } else if (m_undoGuid != m_guid) {
        m_deletedBanner->setText(origin == ChangeOrigin::Remote
                                     ? tr("This record was deleted on another device.")
                                     : tr("This record is deleted. Restore it to edit it again."));
        m_deletedBanner->show();
    }
    updateHeader();
    updateActions();
}

void RecordEditor::updateConflictBanner()
{
    if (m_guid.isEmpty() || m_record.status != SyncStatus::Conflicted) {
        m_conflictBanner->hide();
        return;
    }
    QString text = tr("This record was changed here and elsewhere. Choose what to keep.");
    const Result<std::optional<Conflict>> conflict = m_store.store().conflict(m_guid);
    if (conflict && conflict.value()) {
        const Conflict &c = *conflict.value();
        if (c.theirsDeleted)
            text = tr("%1 deleted this record on %2 while you edited it. Choose what to keep.")
                       .arg(userName(c), deviceName(c));
        else if (c.mineDeleted)
            text = tr("You deleted this record while %1 edited it on %2. Choose what to keep.")
                       .arg(userName(c), deviceName(c));
        else
            text = tr("%1 also changed this record on %2, %3. Choose what to keep.")
                       .arg(userName(c), deviceName(c), relativeTime(c.theirsAt));
    }
    m_conflictBanner->setText(text);
    m_conflictBanner->show();
}

void RecordEditor::updateHeader()
{
    updateConflictBanner();
    m_entityLabel->setText(entityTitle().toUpper());
    m_entityLabel->setVisible(!m_entity.isEmpty());
    if (m_guid.isEmpty()) {
        m_titleLabel->setFullText(m_entity.isEmpty() ? tr("Nothing open") : tr("No record open"));
        m_stateLabel->hide();
        return;
    }
    const EntityDef *def = m_store.schema().entity(m_entity);
    m_titleLabel->setFullText(def ? displayText(*def, m_record) : m_guid);
    QString state = syncStatusText(m_record.status, m_record.problem);
    QColor tint;
    switch (m_record.status) {
    case SyncStatus::Synced:
        tint = QColor(0xdd, 0xf3, 0xe1);
        break;
    case SyncStatus::NeedsSync:
        tint = QColor(0xe6, 0xe9, 0xee);
        break;
    case SyncStatus::Conflicted:
        tint = QColor(0xfb, 0xdc, 0xd9);
        break;
    }
    if (m_record.deleted)
        state = tr("Deleted · %1").arg(state);
    m_stateLabel->setText(state);
    m_stateLabel->setToolTip(m_record.problem);
    m_stateLabel->setAccessibleDescription(state);
    QPalette p = m_stateLabel->palette();
    p.setColor(QPalette::Window, tint);
    p.setColor(QPalette::WindowText, QColor(0x20, 0x20, 0x20));
    m_stateLabel->setPalette(p);
    m_stateLabel->show();
}

void RecordEditor::updateActions()
{
    const bool open = !m_guid.isEmpty();
    m_newAction->setEnabled(!m_readOnly && m_store.schema().entity(m_entity) != nullptr);
    m_duplicateAction->setEnabled(!m_readOnly && open && !m_record.deleted);
    m_deleteAction->setEnabled(!m_readOnly && open && !m_record.deleted);
    m_restoreButton->setEnabled(!m_readOnly);
}

void RecordEditor::setReadOnly(bool readOnly, const QString &why)
{
    m_readOnly = readOnly;
    m_viewOnlyBanner->setText(why.isEmpty() ? tr("You can view these records, not change them.")
                                            : why);
    m_viewOnlyBanner->setVisible(readOnly);
    m_empty->setText(readOnly
                         ? tr("No record is open. Choose one in the list.")
                         : tr("No record is open. Choose one in the list, or create a new one."));
    const bool deleted = !m_guid.isEmpty() && m_record.deleted;
    for (FieldEditor *editor : std::as_const(m_editors))
        editor->setReadOnly(deleted || readOnly);
    updateActions();
}

void RecordEditor::showMessage(const QString &message)
{
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
}

void RecordEditor::newRecord()
{
    if (m_readOnly)
        return;
    commitEdits();
    const Result<QString> guid = m_store.createRecord(m_entity, {});
    if (!guid) {
        showMessage(guid.error().message);
        return;
    }
    if (openRecord(guid.value()) && !m_editors.isEmpty())
        m_editors.first()->input()->setFocus(Qt::OtherFocusReason);
}

void RecordEditor::duplicateRecord()
{
    if (m_readOnly)
        return;
    if (m_guid.isEmpty())
        return;
    commitEdits();
    const Result<QString> guid = m_store.createRecord(m_entity, m_record.fields);
    if (!guid) {
        showMessage(guid.error().message);
        return;
    }
    openRecord(guid.value());
}

void RecordEditor::deleteRecord()
{
    if (m_readOnly)
        return;
    if (m_guid.isEmpty() || m_record.deleted)
        return;
    commitEdits();
    const QString guid = m_guid;
    const QString title = m_titleLabel->fullText();
    // Set first: the store announces the delete before deleteRecord returns, and the
    // refresh must know it was ours (Undo banner) and not another device's.
    const QString previousUndo = m_undoGuid;
    m_undoGuid = guid;
    const Status deleted = m_store.deleteRecord(guid);
    if (!deleted) {
        m_undoGuid = previousUndo;
        showMessage(deleted.error().message);
        return;
    }
    m_undoBanner->setText(tr("Deleted “%1”.").arg(title));
    m_undoBanner->show();
    Q_EMIT recordDeleted(guid);
}

void RecordEditor::undoDelete()
{
    const QString guid = m_undoGuid;
    if (guid.isEmpty())
        return;
    const Status restored = m_store.restoreRecord(guid);
    if (!restored) {
        showMessage(restored.error().message);
        return;
    }
    m_undoGuid.clear();
    m_undoBanner->hide();
    if (guid != m_guid)
        openRecord(guid);
}

void RecordEditor::restoreRecord()
{
    if (m_readOnly)
        return;
    if (m_guid.isEmpty())
        return;
    const Status restored = m_store.restoreRecord(m_guid);
    if (!restored)
        showMessage(restored.error().message);
}

} // namespace Ferry::Ui
