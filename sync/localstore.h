#pragma once

#include "records.h"
#include "recordtable.h"
#include "result.h"
#include "schema.h"
#include "wire.h"

#include <QSqlDatabase>

#include <functional>
#include <memory>
#include <optional>
#include <vector>

namespace Ferry {

namespace Sql {
class Transaction;
}

// A push batch as it went (or will go) to the server: kept in the store until its answer
// is applied, so a retry after a lost answer resends the very same batch.
struct OutgoingBatch
{
    QString id;
    QByteArray body; // the exact request body
    QJsonObject pushed; // guid -> values the batch sends for that record
    QList<Wire::Mutation> mutations;
    bool isEmpty() const { return id.isEmpty(); }
};

// The local database of one profile: records per entity with their sync state, conflicts,
// the pull cursor, the pending push, the device id and a log of committed changes. Every
// write is one transaction that commits at once; nothing here touches the network.
//
// One LocalStore per thread: it owns a connection of its own. Several LocalStores (the GUI
// thread's and the sync engine's) may use one file at the same time.
class LocalStore
{
public:
    ~LocalStore();
    LocalStore(const LocalStore &) = delete;
    LocalStore &operator=(const LocalStore &) = delete;

    static Result<std::unique_ptr<LocalStore>> open(const QString &path, const Schema &schema);

    const Schema &schema() const { return m_schema; }
    QString path() const { return m_path; }

    QString deviceId() const { return m_deviceId; }
    QString setting(const QString &key) const;
    Status setSetting(const QString &key, const QString &value);
    qint64 cursor() const;
    // Where the pull under way started: the cursor of the last page that had nothing more
    // after it. Pages of a pull that spans several ask for the fields changed since then,
    // not since their own cursor: a record that changed again after an earlier page was
    // built is sent on a later page, and must come with the fields this device has not seen.
    qint64 pullBase() const;
    // The server's token for the history up to the cursor; sent with the next pull so the
    // server can tell whether it still has that history.
    QString cursorCheck() const;
    // The newest history this device holds revisions from: the cursor, or a push of its own
    // that made a later sequence. Sent with pushes and pulls so the server can tell whether
    // it still has that history.
    Wire::HistoryCheck seenHistory() const;

    // The server lost history this device pulled (restored from an older backup). Starts a
    // pull of everything, compared record by record (Reconcile::recoverRemote); records the
    // server no longer has are sent again when it ends. No push goes out meanwhile: bases
    // this device holds may be ahead of the server.
    Status beginRecovery();
    // Notes which workspace the pull cursor follows; for another one than before, the
    // cursor starts over at 0.
    Status followWorkspace(const QString &workspace);
    bool recovering() const;
    // After a comparison with a server that lost history: the files records name may be
    // missing there too (uploaded after its backup), and are to be checked and sent again.
    bool filesCheckPending() const;
    Status setFilesChecked();
    // The latest upload token an answer about files gave this device; requests about files
    // and pulls name it, and the server says when it lost an upload (setFilesLost()).
    QString filesToken() const;
    Status setFilesToken(const QString &token);
    // Files this device sent may be gone from the server: check them again (and name no
    // token until the next upload).
    Status setFilesLost();
    // Every file this device gave the workspace, or found already there when it went to
    // give it (the answer to its own upload may have been lost). After a loss they go
    // again, also those no record here names any more: another device may bring back a
    // record that names one.
    Status noteFilesSent(const QStringList &blobs);
    Result<QStringList> sentFiles();

    // Local edits. Each validates against the schema and returns a clear error for bad
    // input; on success it has committed and marked the record for sync.
    Result<QString> createRecord(const QString &entity, const QJsonObject &fields,
                                 ChangeSet *change = nullptr);
    Status updateRecord(const QString &guid, const QJsonObject &changes,
                        ChangeSet *change = nullptr);
    Status deleteRecord(const QString &guid, ChangeSet *change = nullptr);
    Status restoreRecord(const QString &guid, ChangeSet *change = nullptr);
    // Brings the live records of `from` (another workspace's store) into this one as records
    // made here: same guids (so refs between them hold), the values `from` shows, every
    // value to be sent. A guid this store already holds is left as it is. One transaction;
    // `changes` (if given) gets one set per entity. Returns how many records came.
    Result<int> adoptRecords(LocalStore &from, QList<ChangeSet> *changes = nullptr);
    // Settles a conflict as decided. KeepBoth creates the copy in the same transaction;
    // `change` then names both records.
    Status resolveConflict(const QString &guid, const ConflictDecision &decision,
                           ChangeSet *change = nullptr);

    // Reads.
    Result<LocalRecord> record(const QString &guid);
    Result<QList<LocalRecord>> records(const QString &entity, bool includeDeleted = false,
                                       int limit = -1, int offset = 0);
    Result<qint64> count(const QString &entity, bool includeDeleted = false);
    // Every file live records name: blob id -> size as the record says (-1: not said).
    Result<QHash<QString, qint64>> fileReferences();
    Result<qint64> unsyncedCount();
    // Records the server refused to take (each with its `problem`); they are not sent again
    // until edited.
    Result<QList<LocalRecord>> refusedRecords();
    // Deleted records of every entity (the trash), the most recently changed first; at most
    // `limit` of each entity.
    Result<QList<LocalRecord>> deletedRecords(int limit = 1000);
    Result<QList<Conflict>> conflicts();
    Result<qint64> conflictCount();
    Result<std::optional<Conflict>> conflict(const QString &guid);
    // The change log after `afterId` (entries: id, origin, entity, guids).
    Result<QList<QPair<qint64, ChangeSet>>> changesSince(qint64 afterId, int limit = 1000);

    // The SQL of one entity, for read-only views over it (item models); nullptr if unknown.
    // Use it on this store's thread only.
    RecordTable *recordTable(const QString &entity) { return table(entity); }

    // Sync engine side.
    // Records whose changes name one of `heldFiles` (blob values the server refused) stay
    // out of it, still to send.
    Result<OutgoingBatch> nextBatch(int maxMutations, const QSet<QString> &heldFiles = {});
    // `merges` (if given) gets the records whose changes on both sides were merged.
    Status applyPushResponse(const OutgoingBatch &batch, const Wire::PushResponse &response,
                             QList<ChangeSet> *changes, QStringList *problems,
                             QList<AutoMerge> *merges = nullptr);
    // Forgets a pending push the server refused as a whole.
    Status dropBatch(const QString &batchId);
    // Applies a pulled page and stores its cursor, in one transaction.
    Status applyPullPage(const Wire::PullPage &page, QList<ChangeSet> *changes,
                         QList<AutoMerge> *merges = nullptr);

private:
    LocalStore(QString path, Schema schema, QString connectionName);
    Status initialise();
    RecordTable *table(const QString &entity);
    Result<QPair<RecordTable *, LocalRecord>> locate(const QString &guid);
    Status saveConflict(const Conflict &conflict);
    Status dropConflict(const QString &guid);
    Status logChange(const ChangeSet &change);
    // Logs the changes of a sync transaction, commits it and hands the changes out.
    Status commitWithLog(Sql::Transaction &transaction, const QHash<QString, ChangeSet> &touched,
                         QList<ChangeSet> *changes);
    Status writeMeta(const QString &key, const QVariant &value);
    Status applyMerged(RecordTable &table, const Wire::RemoteRecord &remote, qint64 at,
                       QList<AutoMerge> *merges);
    // While recovering (beginRecovery()): one record compared with the server's.
    Status applyRecovered(RecordTable &table, const Wire::RemoteRecord &remote, qint64 at);
    // The last page of the recovery pull is in: what the server lacks is sent again.
    Status finishRecovery(QHash<QString, ChangeSet> &touched);
    // Adds an AutoMerge for `record` if `fields` were merged from `remote`'s side.
    void noteMerge(QList<AutoMerge> *merges, const RecordTable &table, const LocalRecord &record,
                   const Wire::RemoteRecord &remote, const QStringList &fields) const;
    // Reads a record and its conflict, lets `edit` change them, and writes both back in one
    // transaction. `edit` may write other records of the same entity in that transaction
    // and name them in `alsoChanged`.
    Status
    editRecord(const QString &guid, ChangeOrigin origin,
               const std::function<Status(const EntityDef &, LocalRecord &, Conflict &)> &edit,
               ChangeSet *change, const QStringList *alsoChanged = nullptr);
    // A new record of `entity` with `fields`, validated, waiting to sync; not yet written.
    Result<LocalRecord> newRecord(RecordTable &table, const QJsonObject &fields) const;

    QString m_path;
    Schema m_schema;
    QString m_connectionName;
    QSqlDatabase m_db;
    std::vector<std::unique_ptr<RecordTable>> m_tables;
    QString m_deviceId;
};

} // namespace Ferry
