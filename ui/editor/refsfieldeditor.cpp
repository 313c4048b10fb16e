#include "refsfieldeditor.h"

#include "editor/recordchoices.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QJsonArray>
#include <QListWidget>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {
constexpr int kVisibleRows = 5;
// From this many records on, the list gets a search box.
constexpr int kSearchFrom = 12;
} // namespace

RefsFieldEditor::RefsFieldEditor(const FieldDef &field, DataStore &store, QWidget *parent)
    : FieldEditor(field, parent)
    , m_store(store)
    , m_filter(new QLineEdit(this))
    , m_list(new QListWidget(this))
    , m_noMatch(new QLabel(this))
{
    setInput(m_list);
    nameInput(m_filter, QStringLiteral("_search"));
    m_filter->setPlaceholderText(tr("Find…"));
    m_filter->setAccessibleName(tr("Find in %1").arg(field.title));
    m_filter->setClearButtonEnabled(true);
    m_noMatch->setForegroundRole(QPalette::PlaceholderText);
    m_noMatch->hide();
    m_list->setUniformItemSizes(true);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    auto *column = new QVBoxLayout;
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(2);
    column->addWidget(m_filter);
    column->addWidget(m_list);
    column->addWidget(m_noMatch);
    row()->addLayout(column);
    connect(m_filter, &QLineEdit::textChanged, this, &RefsFieldEditor::applyFilter);
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
    const bool many = m_list->count() >= kSearchFrom;
    m_filter->setVisible(many);
    if (!many)
        m_filter->clear();
    applyFilter();
    // Tall enough for a few rows, scrolling beyond: a checklist of hundreds stays compact.
    const int rows = qBound(2, m_list->count(), kVisibleRows);
    const int rowHeight = qMax(m_list->sizeHintForRow(0), m_list->fontMetrics().height() + 4);
    m_list->setFixedHeight(rows * rowHeight + 2 * m_list->frameWidth() + 4);
}

void RefsFieldEditor::applyFilter()
{
    const QString text = m_filter->text().simplified();
    int shown = 0;
    for (int row = 0; row < m_list->count(); ++row) {
        QListWidgetItem *item = m_list->item(row);
        // What is checked stays in view: unchecking must not need a search of its own.
        const bool match = text.isEmpty() || item->checkState() == Qt::Checked
            || item->text().contains(text, Qt::CaseInsensitive);
        item->setHidden(!match);
        shown += match ? 1 : 0;
    }
    m_noMatch->setText(tr("No %1 contains \"%2\".").arg(field().title.toLower(), text));
    m_noMatch->setVisible(shown == 0 && !text.isEmpty());
}

} // namespace Ferry::Ui
