#include "conflictlistmodel.h"

#include "datastore.h"
#include "editor/recordchoices.h"
#include "merge/mergetext.h"
#include "models/recorddisplay.h"

#include <QSet>

namespace Ferry::Ui {

ConflictListModel::ConflictListModel(DataStore &store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    const Result<QList<Conflict>> conflicts = m_store.store().conflicts();
    if (conflicts) {
        for (const Conflict &conflict : conflicts.value())
            m_entries.append(entryFor(conflict));
    }
    connect(&m_store, &DataStore::changed, this, &ConflictListModel::storeChanged);
}

int ConflictListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

int ConflictListModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ConflictListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries.at(index.row());
    const Conflict &conflict = entry.conflict;
    switch (role) {
    case GuidRole:
        return conflict.guid;
    case EntityRole:
        return conflict.entity;
    case ConflictRole:
        return QVariant::fromValue(conflict);
    case Qt::DecorationRole:
        if (index.column() == RecordColumn)
            return syncStatusIcon(SyncStatus::Conflicted);
        return {};
    case Qt::ToolTipRole:
        if (index.column() == OtherSideColumn)
            return absoluteTime(conflict.theirsAt);
        return {};
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        break;
    default:
        return {};
    }
    switch (Column(index.column())) {
    case RecordColumn:
        return entry.title;
    case EntityColumn: {
        const EntityDef *entity = m_store.schema().entity(conflict.entity);
        return entity ? entity->title : conflict.entity;
    }
    case FieldsColumn:
        return fieldsText(conflict);
    case OtherSideColumn:
        return tr("%1 on %2, %3")
            .arg(userName(conflict), deviceName(conflict), relativeTime(conflict.theirsAt));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant ConflictListModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case RecordColumn:
        return tr("Record");
    case EntityColumn:
        return tr("Kind");
    case FieldsColumn:
        return tr("Changed on both sides");
    case OtherSideColumn:
        return tr("Other side");
    case ColumnCount:
        break;
    }
    return {};
}

QString ConflictListModel::guidAt(int row) const
{
    return row >= 0 && row < m_entries.size() ? m_entries.at(row).conflict.guid : QString();
}

int ConflictListModel::rowOf(const QString &guid) const
{
    for (qsizetype row = 0; row < m_entries.size(); ++row) {
        if (m_entries.at(row).conflict.guid == guid)
            return int(row);
    }
    return -1;
}

QList<Conflict> ConflictListModel::conflicts() const
{
    QList<Conflict> list;
    for (const Entry &entry : m_entries)
        list.append(entry.conflict);
    return list;
}

void ConflictListModel::storeChanged(const ChangeSet &change)
{
    const int before = int(m_entries.size());
    if (change.guids.size() <= kPerRecordLimit) {
        for (const QString &guid : change.guids) {
            const Result<std::optional<Conflict>> conflict = m_store.store().conflict(guid);
            if (conflict)
                update(guid, conflict.value());
        }
    } else {
        // A page of a sync: one read of the conflicts instead of thousands of look-ups.
        const Result<QList<Conflict>> conflicts = m_store.store().conflicts();
        if (!conflicts)
            return;
        QSet<QString> open;
        for (const Conflict &conflict : conflicts.value()) {
            open.insert(conflict.guid);
            update(conflict.guid, conflict);
        }
        for (qsizetype row = m_entries.size() - 1; row >= 0; --row) {
            const QString guid = m_entries.at(row).conflict.guid;
            if (!open.contains(guid))
                update(guid, std::nullopt);
        }
    }
    if (m_entries.size() != before)
        Q_EMIT countChanged(int(m_entries.size()));
}

void ConflictListModel::update(const QString &guid, const std::optional<Conflict> &conflict)
{
    const int row = rowOf(guid);
    const bool open = conflict && !conflict->isEmpty();
    if (!open) {
        if (row >= 0) {
            beginRemoveRows({}, row, row);
            m_entries.removeAt(row);
            endRemoveRows();
        }
        return;
    }
    Entry entry = entryFor(*conflict);
    if (row < 0) {
        const int at = int(m_entries.size());
        beginInsertRows({}, at, at);
        m_entries.append(entry);
        endInsertRows();
        return;
    }
    Entry &current = m_entries[row];
    if (current.title == entry.title && current.conflict.toJson() == entry.conflict.toJson())
        return;
    current = entry;
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

ConflictListModel::Entry ConflictListModel::entryFor(const Conflict &conflict) const
{
    Entry entry {conflict, conflict.guid};
    const EntityDef *entity = m_store.schema().entity(conflict.entity);
    const Result<LocalRecord> record = m_store.store().record(conflict.guid);
    if (entity && record)
        entry.title = displayText(*entity, record.value());
    return entry;
}

QString ConflictListModel::fieldsText(const Conflict &conflict) const
{
    if (conflict.theirsDeleted)
        return tr("Deleted there, edited here");
    if (conflict.mineDeleted)
        return tr("Deleted here, edited there");
    const EntityDef *entity = m_store.schema().entity(conflict.entity);
    QStringList names;
    for (const FieldConflict &field : conflict.fields) {
        const FieldDef *def = entity ? entity->field(field.field) : nullptr;
        names.append(def ? def->title : field.field);
    }
    return names.join(QStringLiteral(", "));
}

} // namespace Ferry::Ui
