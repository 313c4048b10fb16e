#pragma once

#include "localstore.h"

#include <QObject>

#include <memory>

namespace Ferry {

// The GUI thread's way to the local store. Reads go straight to its LocalStore; edits
// commit at once (never waiting on the network) and are announced with changed(), as are
// the remote changes the sync engine commits (relayed by connecting
// SyncClient::changesCommitted to relayRemoteChange). Item models, editors and the sync
// scheduler all listen to changed(). Use it on the thread that created it.
class DataStore : public QObject
{
    Q_OBJECT

public:
    explicit DataStore(std::unique_ptr<LocalStore> store, QObject *parent = nullptr);
    ~DataStore() override;

    static Result<std::unique_ptr<DataStore>> open(const QString &path, const Schema &schema);

    LocalStore &store() { return *m_store; }
    const Schema &schema() const { return m_store->schema(); }

    Result<QString> createRecord(const QString &entity, const QJsonObject &fields);
    Status updateRecord(const QString &guid, const QJsonObject &changes);
    Status deleteRecord(const QString &guid);
    Status restoreRecord(const QString &guid);
    Status resolveConflict(const QString &guid, const ConflictDecision &decision);
    // LocalStore::adoptRecords, announced.
    Result<int> adoptRecords(LocalStore &from);

public Q_SLOTS:
    void relayRemoteChange(const Ferry::ChangeSet &change);

Q_SIGNALS:
    // After every committed change, local or remote.
    void changed(const Ferry::ChangeSet &change);

private:
    Status announce(Status status, const ChangeSet &change);

    std::unique_ptr<LocalStore> m_store;
};

} // namespace Ferry
