#include "entitylistmodel.h"

#include <QLocale>

namespace Ferry::Ui {

EntityListModel::EntityListModel(DataStore *store, QObject *parent)
    : QAbstractListModel(parent)
    , m_store(store)
    , m_loader(store->store().path())
{
    for (const EntityDef &entity : store->schema().entities()) {
        m_entries.append(Entry {entity.name, entity.title.isEmpty() ? entity.name : entity.title});
        m_stale.insert(entity.name);
    }
    m_recount.setSingleShot(true);
    m_recount.setInterval(kRecountDelayMs);
    connect(&m_recount, &QTimer::timeout, this, &EntityListModel::recount);
    connect(store, &DataStore::changed, this, &EntityListModel::onChanged);
    connect(&m_loader, &KeyLoader::loaded, this, &EntityListModel::onCounted);
    connect(&m_loader, &KeyLoader::failed, this, [](quint64, const Error &error) {
        qWarning("EntityListModel: %s", qPrintable(error.message));
    });
    recount();
}

int EntityListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entries.size());
}

QVariant EntityListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Entry &entry = m_entries[index.row()];
    switch (role) {
    case Qt::DisplayRole:
        if (!entry.counted)
            return entry.title;
        return tr("%1 (%2)").arg(entry.title, QLocale().toString(entry.count));
    case Qt::ToolTipRole:
        if (entry.unsynced > 0)
            return tr("%1 records, %2 waiting to sync")
                .arg(QLocale().toString(entry.count), QLocale().toString(entry.unsynced));
        return tr("%1 records, all synced").arg(QLocale().toString(entry.count));
    case Qt::AccessibleTextRole:
        return tr("%1, %2 records").arg(entry.title, QLocale().toString(entry.count));
    case EntityNameRole:
        return entry.name;
    case TitleRole:
        return entry.title;
    case CountRole:
        return entry.count;
    case UnsyncedCountRole:
        return entry.unsynced;
    default:
        return {};
    }
}

QHash<int, QByteArray> EntityListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(EntityNameRole, "entityName");
    names.insert(TitleRole, "title");
    names.insert(CountRole, "count");
    names.insert(UnsyncedCountRole, "unsyncedCount");
    return names;
}

int EntityListModel::rowOf(const QString &entity) const
{
    for (qsizetype row = 0; row < m_entries.size(); ++row) {
        if (m_entries[row].name == entity)
            return int(row);
    }
    return -1;
}

qint64 EntityListModel::count(const QString &entity) const
{
    const int row = rowOf(entity);
    return row < 0 ? 0 : m_entries[row].count;
}

void EntityListModel::onChanged(const ChangeSet &change)
{
    if (rowOf(change.entity) < 0)
        return;
    m_stale.insert(change.entity);
    if (!m_recount.isActive())
        m_recount.start();
}

// Counts are COUNT queries, asked once per burst of changes and announced only when a
// number moved.
void EntityListModel::recount()
{
    const QSet<QString> stale = std::exchange(m_stale, {});
    for (const QString &entity : stale) {
        if (RecordTable *table = m_store->store().recordTable(entity))
            m_counting.insert(m_loader.load({{}, table->countsSql(), {}}), entity);
    }
}

void EntityListModel::onCounted(quint64 ticket, const QList<qint64> &counts)
{
    const QString entity = m_counting.take(ticket);
    const int row = rowOf(entity);
    if (row < 0 || counts.size() != 2)
        return;
    Entry &entry = m_entries[row];
    if (entry.counted && entry.count == counts[0] && entry.unsynced == counts[1])
        return;
    entry.count = counts[0];
    entry.unsynced = counts[1];
    entry.counted = true;
    Q_EMIT dataChanged(
        index(row), index(row),
        {Qt::DisplayRole, Qt::ToolTipRole, Qt::AccessibleTextRole, CountRole, UnsyncedCountRole});
}

} // namespace Ferry::Ui
