#include "localstore.h"

#include "guid.h"
#include "localstore_p.h"
#include "reconcile.h"
#include "sqlutil.h"

#include <QSqlQuery>

// The engine's half of LocalStore: building push batches and applying what the server
// answers and sends.
namespace Ferry {

using namespace StoreDetail;

namespace {

// Whether the change `values` of a record of `entity` names one of `files`.
bool namesOneOf(const EntityDef &entity, const QJsonObject &values, const QSet<QString> &files)
{
    for (auto it = values.constBegin(); it != values.constEnd(); ++it) {
        const FieldDef *field = entity.field(it.key());
        if (field && field->type == FieldType::Blob && files.contains(it.value().toString()))
            return true;
    }
    return false;
}

} // namespace

Result<OutgoingBatch> LocalStore::nextBatch(int maxMutations, const QSet<QString> &heldFiles)
{
    OutgoingBatch batch;
    {
        QSqlQuery query(m_db);
        if (!query.exec(
                QStringLiteral("SELECT batch, body, pushed FROM outbox ORDER BY created LIMIT 1")))
            return Sql::error(QStringLiteral("read the pending push"), query);
        if (query.next()) {
            batch.id = query.value(0).toString();
            batch.body = query.value(1).toByteArray();
            batch.pushed = QJsonDocument::fromJson(query.value(2).toString().toUtf8()).object();
            return batch;
        }
    }
    Wire::PushRequest request;
    request.batch = createGuid();
    request.device = m_deviceId;
    for (const auto &t : m_tables) {
        const int room = maxMutations - int(request.mutations.size());
        if (room <= 0)
            break;
        // Held records are passed over: ask for more until the room is filled or none are left.
        int limit = room, taken = 0;
        qsizetype looked = 0;
        for (;;) {
            Result<QList<LocalRecord>> pending = t->pending(limit);
            if (!pending)
                return pending.error();
            for (; looked < pending->size() && taken < room; ++looked) {
                const LocalRecord &record = pending->at(looked);
                QJsonObject values;
                Wire::Mutation mutation = Reconcile::mutationFor(t->entity(), record, &values);
                if (!heldFiles.isEmpty() && namesOneOf(t->entity(), values, heldFiles))
                    continue;
                request.mutations.append(std::move(mutation));
                batch.pushed.insert(record.guid,
                                    QJsonObject {{QStringLiteral("entity"), record.entity},
                                                 {QStringLiteral("values"), values}});
                ++taken;
            }
            if (taken == room || pending->size() < limit)
                break;
            limit *= 2;
        }
    }
    if (request.mutations.isEmpty())
        return OutgoingBatch();
    batch.id = request.batch;
    batch.body = Wire::encode(request);
    batch.mutations = request.mutations;
    QSqlQuery insert(m_db);
    insert.prepare(
        QStringLiteral("INSERT INTO outbox (batch, body, pushed, created) VALUES (?, ?, ?, ?)"));
    insert.addBindValue(batch.id);
    insert.addBindValue(batch.body);
    insert.addBindValue(compact(batch.pushed));
    insert.addBindValue(now());
    if (!insert.exec())
        return Sql::error(QStringLiteral("save the pending push"), insert);
    return batch;
}

Status LocalStore::dropBatch(const QString &batchId)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM outbox WHERE batch = ?"));
    query.addBindValue(batchId);
    if (!query.exec())
        return Sql::error(QStringLiteral("clear the pending push"), query);
    return success();
}

Status LocalStore::applyPushResponse(const OutgoingBatch &batch, const Wire::PushResponse &response,
                                     QList<ChangeSet> *changes, QStringList *problems,
                                     QList<AutoMerge> *merges)
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    QHash<QString, ChangeSet> touched;
    QList<AutoMerge> merged; // handed out only once committed
    for (const Wire::MutationResult &result : response.results) {
        const QJsonObject sent = batch.pushed.value(result.guid).toObject();
        if (sent.isEmpty())
            return Error {
                QStringLiteral("bad_response"),
                QStringLiteral("The server answered for a record that was not pushed (%1).")
                    .arg(result.guid)};
        // Not applied: left exactly as it is, still dirty, so the next batch sends it again.
        if (result.status == Wire::PushStatus::Deferred)
            continue;
        RecordTable *t = table(sent.value(QStringLiteral("entity")).toString());
        if (!t)
            continue;
        Result<std::optional<LocalRecord>> found = t->find(result.guid);
        if (!found)
            return found.error();
        if (!found.value())
            continue; // removed locally since; nothing to update
        LocalRecord record = *found.value();
        const bool hadConflict = record.status == SyncStatus::Conflicted;
        Conflict current;
        if (hadConflict) {
            auto existing = conflict(result.guid);
            if (!existing)
                return existing.error();
            current = existing.value().value_or(Conflict());
        }
        QStringList mergedFields;
        Reconcile::applyPushResult(t->entity(), record,
                                   sent.value(QStringLiteral("values")).toObject(), result, current,
                                   &mergedFields);
        noteMerge(&merged, *t, record, result.record, mergedFields);
        if (result.status == Wire::PushStatus::Rejected && problems)
            problems->append(
                QStringLiteral("%1 %2: %3").arg(record.entity, record.guid, record.problem));
        record.modified = now();
        if (Status s = t->write(record); !s)
            return s;
        if (!current.isEmpty()) {
            if (Status s = saveConflict(current); !s)
                return s;
        } else if (hadConflict) {
            if (Status s = dropConflict(result.guid); !s)
                return s;
        }
        addToChange(touched, record.entity, record.guid, ChangeOrigin::Remote);
    }
    if (Status s = dropBatch(batch.id); !s)
        return s;
    // Revisions from this push are ahead of the cursor: later requests name the history they
    // come from. A push that changed nothing still answers with revisions up to `seq` (made by
    // other devices' pushes), named by its token; a server from before history tokens names
    // no history but that of the push that made a sequence, by the push's id.
    const QString named = !response.check.isEmpty() ? response.check
        : response.made                             ? batch.id
                                                    : QString();
    if (!named.isEmpty() && response.seq > setting(kKnownSeqKey).toLongLong()) {
        if (Status s = writeMeta(kKnownSeqKey, response.seq); !s)
            return s;
        if (Status s = writeMeta(kKnownCheckKey, named); !s)
            return s;
    }
    if (Status s = commitWithLog(transaction, touched, changes); !s)
        return s;
    if (merges)
        *merges = merged;
    return success();
}

void LocalStore::noteMerge(QList<AutoMerge> *merges, const RecordTable &t,
                           const LocalRecord &record, const Wire::RemoteRecord &remote,
                           const QStringList &fields) const
{
    if (fields.isEmpty())
        return;
    AutoMerge merge;
    merge.entity = record.entity;
    merge.guid = record.guid;
    if (!t.entity().display.isEmpty())
        merge.name = record.fields.value(t.entity().display).toString();
    merge.fields = fields;
    // A push answer's record may carry this device's own provenance (its other fields were
    // applied): then who made the merged change is not known.
    if (remote.device != m_deviceId) {
        merge.theirsDevice = remote.device;
        merge.theirsDeviceName = remote.deviceName;
        merge.theirsUser = remote.user;
    }
    merge.theirsAt = remote.changedAt;
    merges->append(merge);
}

Status LocalStore::applyMerged(RecordTable &t, const Wire::RemoteRecord &remote, qint64 at,
                               QList<AutoMerge> *merges)
{
    Result<std::optional<LocalRecord>> found = t.find(remote.guid);
    if (!found)
        return found.error();
    LocalRecord record;
    if (found.value()) {
        record = *found.value();
        if (remote.rev <= record.rev)
            return success(); // already known (our own push, or an earlier page)
    } else {
        record.entity = remote.entity;
        record.guid = remote.guid;
        for (const FieldDef &def : t.entity().fields)
            record.fields.insert(def.name, QJsonValue(QJsonValue::Null));
    }
    auto existing = conflict(remote.guid);
    if (!existing)
        return existing.error();
    Conflict current = existing.value().value_or(Conflict());
    QStringList mergedFields;
    Reconcile::applyRemote(t.entity(), record, remote, current, &mergedFields);
    noteMerge(merges, t, record, remote, mergedFields);
    record.modified = at;
    if (Status s = t.write(record); !s)
        return s;
    return current.isEmpty() ? dropConflict(remote.guid) : saveConflict(current);
}

Status LocalStore::applyRecovered(RecordTable &t, const Wire::RemoteRecord &remote, qint64 at)
{
    Result<std::optional<LocalRecord>> found = t.find(remote.guid);
    if (!found)
        return found.error();
    if (!found.value()) {
        QList<AutoMerge> none;
        return applyMerged(t, remote, at, &none);
    }
    LocalRecord record = *found.value();
    auto existing = conflict(remote.guid);
    if (!existing)
        return existing.error();
    Conflict current = existing.value().value_or(Conflict());
    Reconcile::recoverRemote(t.entity(), record, remote, current);
    record.modified = at;
    if (Status s = t.write(record); !s)
        return s;
    return current.isEmpty() ? dropConflict(remote.guid) : saveConflict(current);
}

Status LocalStore::finishRecovery(QHash<QString, ChangeSet> &touched)
{
    // What is still marked was not on the server: it goes there again as new.
    for (const auto &t : m_tables) {
        QSqlQuery query(m_db);
        query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE rev < 0")
                          .arg(t->selectColumns(), t->tableName()));
        Result<QList<LocalRecord>> lost = t->readAll(query);
        if (!lost)
            return lost.error();
        for (LocalRecord record : lost.value()) {
            record.rev = 0;
            record.problem.clear();
            // Every value goes whole, from nothing: a base from the lost history would make a
            // set field send only what was added since.
            for (const FieldDef &def : t->entity().fields) {
                const QJsonValue value = record.fields.value(def.name);
                if (value.isNull() || value.isUndefined())
                    continue;
                if (!record.dirty.contains(def.name))
                    record.dirty.append(def.name);
                record.base.insert(def.name, QJsonValue(QJsonValue::Null));
            }
            if (!record.dirty.contains(kDeletedFlag)) {
                record.dirty.append(QString(kDeletedFlag)); // as newRecord(): it did not exist
                record.base.insert(QString(kDeletedFlag), true);
            }
            // A conflict of before was with values the server no longer has: deciding it
            // would take them as the server's (keep theirs) without sending them. The device
            // that made them still holds them and meets this record again when it syncs.
            if (Status s = dropConflict(record.guid); !s)
                return s;
            record.status = SyncStatus::NeedsSync;
            if (Status s = t->write(record); !s)
                return s;
            addToChange(touched, record.entity, record.guid, ChangeOrigin::Remote);
        }
    }
    // A batch built meanwhile holds the bases from before the comparison.
    QSqlQuery outbox(m_db);
    if (!outbox.exec(QStringLiteral("DELETE FROM outbox")))
        return Sql::error(QStringLiteral("clear the pending push"), outbox);
    return writeMeta(kRecoveringKey, QStringLiteral("0"));
}

Status LocalStore::applyPullPage(const Wire::PullPage &page, QList<ChangeSet> *changes,
                                 QList<AutoMerge> *merges)
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    const qint64 at = now();
    const bool comparing = recovering();
    QHash<QString, QSet<QString>> unsynced;
    QHash<QString, ChangeSet> touched;
    QList<AutoMerge> merged; // handed out only once committed
    for (const Wire::RemoteRecord &remote : page.changes) {
        RecordTable *t = table(remote.entity);
        if (t && comparing) {
            if (Status s = applyRecovered(*t, remote, at); !s)
                return s;
            addToChange(touched, remote.entity, remote.guid, ChangeOrigin::Remote);
            continue;
        }
        if (!t) {
            // A change holds only the fields changed since the pull's base, unless the
            // record is new here or was a tombstone (then it comes whole).
            QJsonObject fields = remote.fields;
            QSqlQuery known(m_db);
            known.prepare(
                QStringLiteral("SELECT deleted, fields FROM foreign_records WHERE guid = ?"));
            known.addBindValue(remote.guid);
            if (!known.exec())
                return Sql::error(QStringLiteral("read a record of an unknown entity"), known);
            if (known.next() && known.value(0).toInt() == 0 && !remote.deleted) {
                QJsonObject whole
                    = QJsonDocument::fromJson(known.value(1).toString().toUtf8()).object();
                for (auto it = fields.begin(); it != fields.end(); ++it)
                    whole.insert(it.key(), it.value());
                fields = whole;
            }
            known.finish();
            QSqlQuery keep(m_db);
            keep.prepare(QStringLiteral(
                "INSERT OR REPLACE INTO foreign_records (guid, entity, rev, deleted, fields) "
                "VALUES (?, ?, ?, ?, ?)"));
            keep.addBindValue(remote.guid);
            keep.addBindValue(remote.entity);
            keep.addBindValue(remote.rev);
            keep.addBindValue(remote.deleted ? 1 : 0);
            keep.addBindValue(compact(fields));
            if (!keep.exec())
                return Sql::error(QStringLiteral("keep a record of an unknown entity"), keep);
            continue;
        }
        auto guids = unsynced.find(remote.entity);
        if (guids == unsynced.end()) {
            Result<QSet<QString>> set = t->unsyncedGuids();
            if (!set)
                return set.error();
            guids = unsynced.insert(remote.entity, set.value());
        }
        bool done = false;
        if (!guids->contains(remote.guid)) {
            Result<bool> fast = t->upsertRemote(remote, at);
            if (!fast)
                return fast.error();
            done = fast.value();
        }
        if (!done) {
            if (Status s = applyMerged(*t, remote, at, &merged); !s)
                return s;
        }
        addToChange(touched, remote.entity, remote.guid, ChangeOrigin::Remote);
    }
    // A page that moves the cursor without a token (a server that cannot name that history)
    // leaves nothing to check: the token of an older cursor would not match.
    if (!page.cursorCheck.isEmpty() || page.cursor != cursor()) {
        if (Status s = writeMeta(kCursorCheckKey, page.cursorCheck); !s)
            return s;
    }
    if (Status s = writeMeta(kCursorKey, page.cursor); !s)
        return s;
    // The head this page named is history this device has seen (seenHistory()) until the
    // pull reaches it.
    if (page.more && page.head.seq > setting(kKnownSeqKey).toLongLong()) {
        if (Status s = writeMeta(kKnownSeqKey, page.head.seq); !s)
            return s;
        if (Status s = writeMeta(kKnownCheckKey, page.head.check); !s)
            return s;
    }
    if (!page.more) {
        if (Status s = writeMeta(kPullBaseKey, page.cursor); !s)
            return s;
        if (comparing) {
            if (Status s = finishRecovery(touched); !s)
                return s;
        }
    }
    if (Status s = commitWithLog(transaction, touched, changes); !s)
        return s;
    if (merges)
        *merges = merged;
    return success();
}

Status LocalStore::commitWithLog(Sql::Transaction &transaction,
                                 const QHash<QString, ChangeSet> &touched,
                                 QList<ChangeSet> *changes)
{
    for (const ChangeSet &set : touched) {
        if (Status s = logChange(set); !s)
            return s;
    }
    if (Status s = transaction.commit(); !s)
        return s;
    if (changes)
        *changes = touched.values();
    return success();
}

} // namespace Ferry
