#include "refsfieldeditor.h"

#include "editor/recordchoices.h"

#include <QHBoxLayout>
#include <QJsonArray>
#include <QListWidget>
#include <QSignalBlocker>

namespace Ferry::Ui {

namespace {
constexpr int kVisibleRows = 5;
}

RefsFieldEditor::RefsFieldEditor(const FieldDef &field, DataStore &store, QWidget *parent)
    : FieldEditor(field, parent)
    , m_store(store)
    , m_list(new QListWidget(this))
{
    setInput(m_list);
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    row()->addWidget(m_list);
    fill({});
    connect(m_list, &QListWidget::itemChanged, this, [this] {
        markEdited();
        commit();
    });
}

Result<QJsonValue> RefsFieldEditor::value() const
{
    QStringList guids = checkedGuids() + m_unlisted;
    guids.sort();
    guids.removeDuplicates();
    return QJsonValue(QJsonArray::fromStringList(guids));
}

void RefsFieldEditor::targetChanged(const ChangeSet &change)
{
    Q_UNUSED(change)
    fill(checkedGuids() + m_unlisted);
}

void RefsFieldEditor::showValue(const QJsonValue &value)
{
    QStringList guids;
    const QJsonArray members = value.toArray();
    for (const QJsonValue &member : members)
        guids.append(member.toString());
    fill(guids);
}

QStringList RefsFieldEditor::checkedGuids() const
{
    QStringList guids;
    for (int row = 0; row < m_list->count(); ++row) {
        const QListWidgetItem *item = m_list->item(row);
        if (item->checkState() == Qt::Checked)
            guids.append(item->data(Qt::UserRole).toString());
    }
    return guids;
}

void RefsFieldEditor::fill(const QStringList &checked)
{
    const QSignalBlocker blocker(m_list);
    const int scroll = m_list->currentRow();
    m_list->clear();
    m_unlisted = checked;
    for (const RecordChoice &choice : recordChoices(m_store, field().target)) {
        auto *item = new QListWidgetItem(choice.text, m_list);
        item->setData(Qt::UserRole, choice.guid);
        item->setFlags(Qt::ItemIsUserCheckable | Qt::ItemIsEnabled);
        const bool on = checked.contains(choice.guid);
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        m_unlisted.removeAll(choice.guid);
    }
    if (m_list->count() == 0) {
        const EntityDef *target = m_store.schema().entity(field().target);
        const QString what = target ? target->title : field().target;
        auto *item = new QListWidgetItem(tr("No %1 yet").arg(what.toLower()), m_list);
        item->setFlags(Qt::NoItemFlags);
    }
    m_list->setCurrentRow(qMin(scroll, m_list->count() - 1));
    // Tall enough for a few rows, scrolling beyond: a checklist of hundreds stays compact.
    const int rows = qBound(2, m_list->count(), kVisibleRows);
    const int rowHeight = qMax(m_list->sizeHintForRow(0), m_list->fontMetrics().height() + 4);
    m_list->setFixedHeight(rows * rowHeight + 2 * m_list->frameWidth() + 4);
}

} // namespace Ferry::Ui
