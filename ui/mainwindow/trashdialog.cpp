#include "trashdialog.h"

#include "datastore.h"
#include "editor/recordchoices.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

// The most records the trash lists of each kind: enough for a person to find one; restoring
// from a bigger trash is a matter for ferry-cli.
constexpr int kShown = 1000;

enum Column { RecordColumn, KindColumn, DeletedColumn };

} // namespace

TrashDialog::TrashDialog(DataStore &store, QWidget *parent)
    : QDialog(parent)
    , m_store(store)
{
    setObjectName(QStringLiteral("trashDialog"));
    setWindowTitle(tr("Trash"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Records deleted on this computer or on another device. "
                                "Restoring one brings it back on every device."),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("trashList"));
    m_list->setAccessibleName(tr("Deleted records"));
    m_list->setHeaderLabels({tr("Record"), tr("Kind"), tr("Deleted")});
    m_list->setRootIsDecorated(false);
    m_list->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_list->setUniformRowHeights(true);
    m_list->header()->setStretchLastSection(false);
    m_list->header()->setSectionResizeMode(RecordColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(KindColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(DeletedColumn, QHeaderView::ResizeToContents);
    layout->addWidget(m_list, 1);

    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("trashSummary"));
    m_summary->setWordWrap(true);
    layout->addWidget(m_summary);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_restore = buttons->addButton(tr("&Restore"), QDialogButtonBox::ActionRole);
    m_restore->setObjectName(QStringLiteral("restoreButton"));
    buttons->button(QDialogButtonBox::Close)->setObjectName(QStringLiteral("closeButton"));
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_restore, &QPushButton::clicked, this, &TrashDialog::restoreChosen);
    layout->addWidget(buttons);

    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &TrashDialog::updateButtons);
    connect(m_list, &QTreeWidget::itemActivated, this, &TrashDialog::restoreChosen);
    // Deleted or restored anywhere (here, on another device, from the editor) shows soon; a
    // sync's many changes read the trash once, not once each, on this (the GUI) thread.
    m_reload.setSingleShot(true);
    m_reload.setInterval(100);
    connect(&m_reload, &QTimer::timeout, this, &TrashDialog::reload);
    connect(&m_store, &DataStore::changed, &m_reload, qOverload<>(&QTimer::start));
    reload();
    resize(560, 380);
}

void TrashDialog::setReadOnly(bool readOnly, const QString &why)
{
    m_readOnly = readOnly;
    m_readOnlyWhy = why;
    updateButtons();
}

int TrashDialog::count() const
{
    return m_list->topLevelItemCount();
}

void TrashDialog::reload()
{
    QStringList chosen;
    for (const QTreeWidgetItem *item : m_list->selectedItems())
        chosen.append(item->data(RecordColumn, Qt::UserRole).toString());
    m_list->clear();
    const Result<QList<LocalRecord>> deleted = m_store.store().deletedRecords(kShown);
    if (!deleted) {
        m_summary->setText(tr("The trash could not be read: %1").arg(deleted.error().message));
        updateButtons();
        return;
    }
    const QLocale locale;
    for (const LocalRecord &record : deleted.value()) {
        const EntityDef *entity = m_store.schema().entity(record.entity);
        if (!entity)
            continue;
        auto *item = new QTreeWidgetItem(m_list);
        // A record deleted elsewhere before this device had it comes without its values.
        const bool named = !record.fields.value(entity->display).isNull();
        item->setText(RecordColumn,
                      named ? displayText(*entity, record) : tr("(name not on this device)"));
        item->setText(KindColumn, entity->title);
        item->setText(DeletedColumn,
                      record.modified > 0 ? locale.toString(
                          QDateTime::fromMSecsSinceEpoch(record.modified), QLocale::ShortFormat)
                                          : QString());
        item->setData(RecordColumn, Qt::UserRole, record.guid);
        item->setToolTip(RecordColumn, item->text(RecordColumn));
        if (chosen.contains(record.guid))
            item->setSelected(true);
    }
    const int n = m_list->topLevelItemCount();
    m_summary->setText(n == 0       ? tr("The trash is empty.")
                           : n == 1 ? tr("1 deleted record.")
                                    : tr("%1 deleted records.").arg(locale.toString(n)));
    updateButtons();
}

void TrashDialog::updateButtons()
{
    m_restore->setEnabled(!m_readOnly && !m_list->selectedItems().isEmpty());
    m_restore->setToolTip(m_readOnly ? m_readOnlyWhy : tr("Bring the chosen records back"));
}

void TrashDialog::restoreChosen()
{
    if (m_readOnly)
        return;
    QStringList guids;
    for (const QTreeWidgetItem *item : m_list->selectedItems())
        guids.append(item->data(RecordColumn, Qt::UserRole).toString());
    QStringList problems;
    for (const QString &guid : std::as_const(guids)) {
        if (Status restored = m_store.restoreRecord(guid); !restored)
            problems.append(restored.error().message);
    }
    if (!problems.isEmpty())
        QMessageBox::warning(
            this, tr("Restore"),
            tr("Some records could not be restored:\n%1").arg(problems.join(QLatin1Char('\n'))));
}

} // namespace Ferry::Ui
