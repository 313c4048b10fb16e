#include "datastore.h"

namespace Ferry {

DataStore::DataStore(std::unique_ptr<LocalStore> store, QObject *parent)
    : QObject(parent)
    , m_store(std::move(store))
{
    qRegisterMetaType<Ferry::ChangeSet>();
}

DataStore::~DataStore() = default;

Result<std::unique_ptr<DataStore>> DataStore::open(const QString &path, const Schema &schema)
{
    Result<std::unique_ptr<LocalStore>> store = LocalStore::open(path, schema);
    if (!store)
        return store.error();
    return std::make_unique<DataStore>(std::move(store).value());
}

Status DataStore::announce(Status status, const ChangeSet &change)
{
    if (status)
        Q_EMIT changed(change);
    return status;
}

Result<QString> DataStore::createRecord(const QString &entity, const QJsonObject &fields)
{
    ChangeSet change;
    Result<QString> guid = m_store->createRecord(entity, fields, &change);
    if (guid)
        Q_EMIT changed(change);
    return guid;
}

Result<int> DataStore::adoptRecords(LocalStore &from)
{
    QList<ChangeSet> changes;
    Result<int> count = m_store->adoptRecords(from, &changes);
    if (count) {
        for (const ChangeSet &change : std::as_const(changes))
            Q_EMIT changed(change);
    }
    return count;
}

Status DataStore::updateRecord(const QString &guid, const QJsonObject &changes)
{
    ChangeSet change;
    Status s = m_store->updateRecord(guid, changes, &change);
    return announce(s, change);
}

Status DataStore::deleteRecord(const QString &guid)
{
    ChangeSet change;
    Status s = m_store->deleteRecord(guid, &change);
    return announce(s, change);
}

Status DataStore::restoreRecord(const QString &guid)
{
    ChangeSet change;
    Status s = m_store->restoreRecord(guid, &change);
    return announce(s, change);
}

Status DataStore::resolveConflict(const QString &guid, const ConflictDecision &decision)
{
    ChangeSet change;
    Status s = m_store->resolveConflict(guid, decision, &change);
    return announce(s, change);
}

void DataStore::relayRemoteChange(const ChangeSet &change)
{
    Q_EMIT changed(change);
}

} // namespace Ferry
