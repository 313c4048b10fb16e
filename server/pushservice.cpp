#include "pushservice.h"

#include "serverstore.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace FerryServer {

using namespace Ferry;
using Wire::MutationResult;
using Wire::PushStatus;

namespace {

// A record row as loaded for a push; `exists` false for a guid the workspace never saw.
struct StoredRecord
{
    bool exists = false;
    QString entity;
    qint64 rev = 0;
    qint64 createdRev = 0;
    bool deleted = false;
    QJsonObject fields;
    QJsonObject revs; // field name -> revision at which it last changed
    QString device;
    QString deviceName;
    QString user;
    qint64 changedAt = 0;
};

// What one push needs to know to apply a mutation.
struct PushContext
{
    qint64 newSeq = 0; // the sequence number this push gets if it changes anything
    QString device;
    QString deviceName;
    QString user;
    qint64 at = 0;
};

QJsonObject parseObject(const QString &text)
{
    return QJsonDocument::fromJson(text.toUtf8()).object();
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

// (stored - remove) + add, as a sorted list without duplicates.
QJsonArray applySetOps(const QJsonValue &stored, const Wire::SetOps &ops)
{
    QStringList members;
    for (const QJsonValue &member : stored.toArray()) {
        if (member.isString())
            members.append(member.toString());
    }
    for (const QString &gone : ops.remove)
        members.removeAll(gone);
    members.append(ops.add);
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    return QJsonArray::fromStringList(members);
}

Wire::RemoteRecord toRemote(const QString &guid, const StoredRecord &record)
{
    Wire::RemoteRecord remote;
    remote.entity = record.entity;
    remote.guid = guid;
    remote.rev = record.rev;
    remote.deleted = record.deleted;
    if (!record.deleted)
        remote.fields = record.fields;
    remote.device = record.device;
    remote.deviceName = record.deviceName;
    remote.user = record.user;
    remote.changedAt = record.changedAt;
    return remote;
}

MutationResult rejected(const QString &guid, const QString &code, const QString &reason)
{
    MutationResult r;
    r.guid = guid;
    r.status = PushStatus::Rejected;
    r.code = code;
    r.reason = reason;
    return r;
}

MutationResult deferred(const QString &guid)
{
    MutationResult r;
    r.guid = guid;
    r.status = PushStatus::Deferred;
    return r;
}

// What `result` adds to the answer: its compact JSON and the comma before the next one.
qint64 answerBytes(const MutationResult &result)
{
    return QJsonDocument(Wire::toJson(result)).toJson(QJsonDocument::Compact).size() + 1;
}

// `merged` and `conflict` carry the record; so does a restore, applied or not, since the
// restoring device may hold other values than the tombstone kept (or none at all).
MutationResult withRecord(const QString &guid, PushStatus status, const StoredRecord &record,
                          bool restored = false)
{
    MutationResult r;
    r.guid = guid;
    r.status = status;
    r.rev = record.rev;
    r.hasRecord = restored || status == PushStatus::Merged || status == PushStatus::Conflict;
    if (r.hasRecord)
        r.record = toRemote(guid, record);
    return r;
}

// Applies `m` to `record` in memory. Sets *changed when the record must be written back.
MutationResult applyMutation(const Wire::Mutation &m, StoredRecord &record, const PushContext &ctx,
                             bool *changed)
{
    *changed = false;
    if (!m.rejectCode.isEmpty())
        return rejected(m.guid, m.rejectCode, m.rejectReason);
    if (record.exists && record.entity != m.entity)
        return rejected(
            m.guid, QStringLiteral("entity_mismatch"),
            QStringLiteral("this guid exists as a %1, not a %2").arg(record.entity, m.entity));
    if (m.base > record.rev)
        return rejected(m.guid, QStringLiteral("base_ahead"),
                        QStringLiteral("base %1 is newer than the record's revision %2")
                            .arg(m.base)
                            .arg(record.rev));

    const bool serverChanged = record.exists && record.rev > m.base;
    // Who made the server's side of a conflict: the record's last change before this push
    // (the push may apply its other fields, making itself the record's last change).
    const QString otherDevice = record.device;
    const QString otherDeviceName = record.deviceName;
    const QString otherUser = record.user;
    const qint64 otherAt = record.changedAt;
    auto touch = [&] {
        *changed = true;
        record.rev = ctx.newSeq;
        record.device = ctx.device;
        record.deviceName = ctx.deviceName;
        record.user = ctx.user;
        record.changedAt = ctx.at;
    };

    if (record.exists && m.deleted) {
        if (record.deleted)
            return withRecord(m.guid, PushStatus::Applied, record);
        if (serverChanged) {
            MutationResult r = withRecord(m.guid, PushStatus::Conflict, record);
            r.conflicts = QStringList {QString(Wire::kDeletedField)};
            return r;
        }
        record.deleted = true;
        touch();
        return withRecord(m.guid, PushStatus::Applied, record);
    }

    bool restoring = false;
    if (record.exists && record.deleted) {
        if (serverChanged) { // deleted after the client's base: edit-vs-delete
            MutationResult r = withRecord(m.guid, PushStatus::Conflict, record);
            r.conflicts = QStringList {QString(Wire::kDeletedField)};
            return r;
        }
        restoring = true;
    }

    QStringList conflicts;
    bool anyFieldChanged = false;
    auto setField = [&](const QString &name, const QJsonValue &value) {
        record.fields.insert(name, value);
        record.revs.insert(name, double(ctx.newSeq));
        anyFieldChanged = true;
    };
    for (auto it = m.fields.begin(); it != m.fields.end(); ++it) {
        const auto stored = record.fields.constFind(it.key());
        if (stored != record.fields.constEnd() && QJsonValue(*stored) == it.value())
            continue; // equal values never conflict
        const qint64 fieldRev = qint64(record.revs.value(it.key()).toDouble());
        if (fieldRev > m.base) {
            conflicts.append(it.key());
            continue;
        }
        setField(it.key(), it.value());
    }
    for (auto it = m.sets.begin(); it != m.sets.end(); ++it) {
        const QJsonValue stored = record.fields.value(it.key());
        const QJsonArray merged = applySetOps(stored, it.value());
        if (!stored.isArray() || stored.toArray() != merged)
            setField(it.key(), merged);
    }

    if (!record.exists || m.deleted) { // a new record (possibly created as a tombstone)
        record.entity = m.entity;
        record.createdRev = ctx.newSeq;
        record.deleted = m.deleted;
        touch();
    } else if (restoring) {
        // Devices that pulled the tombstone dropped the fields: send them all again.
        record.deleted = false;
        for (auto it = record.fields.begin(); it != record.fields.end(); ++it)
            record.revs.insert(it.key(), double(ctx.newSeq));
        touch();
    } else if (anyFieldChanged) {
        touch();
    }

    std::sort(conflicts.begin(), conflicts.end());
    if (!conflicts.isEmpty()) {
        MutationResult r = withRecord(m.guid, PushStatus::Conflict, record);
        r.conflicts = conflicts;
        r.record.device = otherDevice;
        r.record.deviceName = otherDeviceName;
        r.record.user = otherUser;
        r.record.changedAt = otherAt;
        return r;
    }
    return withRecord(m.guid, serverChanged ? PushStatus::Merged : PushStatus::Applied, record,
                      restoring);
}

} // namespace

PushService::PushService(const ServerStore &store)
    : m_db(store.database())
    , m_backend(store.backend())
    , m_statements(store.statements())
{ }

PushAnswer PushService::push(const QString &workspace, const QString &user, const QByteArray &body,
                             const Wire::PushRequest &request, const HistoryCheck &history,
                             const QString &deviceName)
{
    WriteTransaction tx(m_db, m_backend, m_statements, workspace);
    if (!tx.isOpen())
        return databaseError(QStringLiteral("starting a push"), tx.error());
    // Bases from a history this server lost would be compared with revisions that mean
    // something else here.
    if (Ferry::Status s = verifyHistory(m_statements, workspace, history); !s)
        return s.error();

    const QString bodyHash
        = QString::fromLatin1(QCryptographicHash::hash(body, QCryptographicHash::Sha256).toHex());
    const Statements::Held heldBatch = m_statements(QStringLiteral(
        "SELECT body_hash, response FROM batches WHERE workspace = ? AND batch = ?"));
    QSqlQuery &batchQuery = *heldBatch;
    batchQuery.addBindValue(workspace);
    batchQuery.addBindValue(request.batch);
    if (!batchQuery.exec())
        return databaseError(QStringLiteral("looking up the batch"), batchQuery.lastError().text());
    if (batchQuery.next()) {
        if (batchQuery.value(0).toString() != bodyHash)
            return Error {
                QStringLiteral("batch_mismatch"),
                QStringLiteral("The batch id \"%1\" was already used for a different push.")
                    .arg(request.batch)};
        return batchQuery.value(1).toByteArray(); // the first answer, byte for byte
    }
    batchQuery.finish();

    const Statements::Held heldSeq
        = m_statements(QStringLiteral("SELECT seq, history FROM workspaces WHERE id = ?"));
    QSqlQuery &seqQuery = *heldSeq;
    seqQuery.addBindValue(workspace);
    if (!seqQuery.exec() || !seqQuery.next())
        return databaseError(QStringLiteral("reading the workspace sequence"),
                             seqQuery.lastError().text());
    const qint64 seq = seqQuery.value(0).toLongLong();
    const QString token = seqQuery.value(1).toString();
    seqQuery.finish();

    PushContext ctx {seq + 1, request.device, deviceName, user,
                     QDateTime::currentMSecsSinceEpoch()};

    const Statements::Held heldLoad = m_statements(
        QStringLiteral("SELECT entity, rev, created_rev, deleted, fields, revs, device, "
                       "user_name, changed_at, device_name FROM records "
                       "WHERE workspace = ? AND guid = ?"));
    QSqlQuery &load = *heldLoad;
    const Statements::Held heldInsert = m_statements(
        QStringLiteral("INSERT INTO records (workspace, guid, entity, rev, created_rev, deleted, "
                       "fields, revs, device, user_name, changed_at, device_name) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    QSqlQuery &insert = *heldInsert;
    const Statements::Held heldUpdate = m_statements(
        QStringLiteral("UPDATE records SET rev = ?, deleted = ?, fields = ?, revs = ?, "
                       "device = ?, user_name = ?, changed_at = ?, device_name = ? "
                       "WHERE workspace = ? AND guid = ?"));
    QSqlQuery &update = *heldUpdate;

    Wire::PushResponse response;
    response.results.reserve(request.mutations.size());
    // The answer stays within Wire::kPushAnswerBytes: once a result would not fit, with room
    // kept for the deferred result of every later mutation, that mutation and all after it
    // are deferred, so what a push applied is always the first part of it, in order.
    // Mutations refused for their shape are refused wherever they stand (they cost no lookup
    // and may not have a guid to defer). The first mutation looked at is always taken, so
    // every push makes progress: one result is far below the budget.
    const QList<Wire::Mutation> &mutations = request.mutations;
    QList<qint64> laterBytes(mutations.size() + 1, 0);
    for (qsizetype i = mutations.size() - 1; i >= 0; --i) {
        const Wire::Mutation &m = mutations[i];
        laterBytes[i] = laterBytes[i + 1]
            + answerBytes(m.rejectCode.isEmpty() ? deferred(m.guid)
                                                 : rejected(m.guid, m.rejectCode, m.rejectReason));
    }
    // The answer's frame, with a history token as long as the one it will carry.
    qint64 usedBytes
        = Wire::encode(Wire::PushResponse {ctx.newSeq, true, QString(64, QLatin1Char('0')), {}})
              .size();
    bool tookOne = false;
    bool deferring = false;
    bool anyChange = false;
    for (qsizetype i = 0; i < mutations.size(); ++i) {
        const Wire::Mutation &m = mutations[i];
        if (deferring && m.rejectCode.isEmpty()) {
            response.results.append(deferred(m.guid));
            continue;
        }
        StoredRecord record;
        if (m.rejectCode.isEmpty()) {
            load.addBindValue(workspace);
            load.addBindValue(m.guid);
            if (!load.exec())
                return databaseError(QStringLiteral("loading a record"), load.lastError().text());
            if (load.next()) {
                record.exists = true;
                record.entity = load.value(0).toString();
                record.rev = load.value(1).toLongLong();
                record.createdRev = load.value(2).toLongLong();
                record.deleted = load.value(3).toInt() != 0;
                record.fields = parseObject(load.value(4).toString());
                record.revs = parseObject(load.value(5).toString());
                record.device = load.value(6).toString();
                record.user = load.value(7).toString();
                record.changedAt = load.value(8).toLongLong();
                record.deviceName = load.value(9).toString();
            }
            load.finish();
        }
        const bool existed = record.exists;
        bool changed = false;
        MutationResult result = applyMutation(m, record, ctx, &changed);
        const QByteArray fieldsJson
            = changed ? QJsonDocument(record.fields).toJson(QJsonDocument::Compact) : QByteArray();
        if (fieldsJson.size() > Wire::kMaxRecordBytes && !record.deleted) {
            // Checked on the merged result, so many small pushes cannot grow a record past it.
            // `record` is this mutation's copy: dropping it applies nothing of the mutation.
            result = rejected(m.guid, QStringLiteral("record_too_large"),
                              QStringLiteral("the record's fields would take %1 bytes; the most "
                                             "is %2")
                                  .arg(fieldsJson.size())
                                  .arg(Wire::kMaxRecordBytes));
            changed = false;
        }
        const qint64 bytes = answerBytes(result);
        if (m.rejectCode.isEmpty()) {
            if (tookOne && usedBytes + bytes + laterBytes[i + 1] > Wire::kPushAnswerBytes) {
                // `record` is this mutation's copy: dropping it applies nothing.
                deferring = true;
                response.results.append(deferred(m.guid));
                continue;
            }
            tookOne = true;
        }
        usedBytes += bytes;
        response.results.append(std::move(result));
        if (!changed)
            continue;
        anyChange = true;
        QSqlQuery &write = existed ? update : insert;
        if (!existed) {
            write.addBindValue(workspace);
            write.addBindValue(m.guid);
            write.addBindValue(record.entity);
            write.addBindValue(record.rev);
            write.addBindValue(record.createdRev);
        } else {
            write.addBindValue(record.rev);
        }
        write.addBindValue(record.deleted ? 1 : 0);
        write.addBindValue(QString::fromUtf8(fieldsJson));
        write.addBindValue(compact(record.revs));
        write.addBindValue(record.device);
        write.addBindValue(record.user);
        write.addBindValue(record.changedAt);
        // Never NULL: a push whose device has no name records an empty one.
        write.addBindValue(record.deviceName.isNull() ? QStringLiteral("") : record.deviceName);
        if (existed) {
            write.addBindValue(workspace);
            write.addBindValue(m.guid);
        }
        if (!write.exec())
            return databaseError(QStringLiteral("writing a record"), write.lastError().text());
    }

    response.seq = anyChange ? ctx.newSeq : seq;
    response.made = anyChange;
    response.check = anyChange ? nextHistoryToken(token, request.batch, bodyHash) : token;
    if (anyChange) {
        const Statements::Held heldBump = m_statements(
            QStringLiteral("UPDATE workspaces SET seq = ?, history = ? WHERE id = ?"));
        QSqlQuery &bump = *heldBump;
        bump.addBindValue(ctx.newSeq);
        bump.addBindValue(response.check);
        bump.addBindValue(workspace);
        if (!bump.exec())
            return databaseError(QStringLiteral("advancing the sequence"), bump.lastError().text());
        if (Ferry::Status told
            = m_backend.announce(m_statements, QString::fromLatin1(kChannel),
                                 workspace + QLatin1Char(' ') + QString::number(ctx.newSeq));
            !told)
            return told.error();
    }

    const QByteArray answer = Wire::encode(response);
    const Statements::Held heldRemember = m_statements(
        QStringLiteral("INSERT INTO batches (workspace, batch, body_hash, response, created, seq, "
                       "history) VALUES (?, ?, ?, ?, ?, ?, ?)"));
    QSqlQuery &remember = *heldRemember;
    remember.addBindValue(workspace);
    remember.addBindValue(request.batch);
    remember.addBindValue(bodyHash);
    remember.addBindValue(answer);
    remember.addBindValue(ctx.at);
    remember.addBindValue(anyChange ? QVariant(ctx.newSeq) : QVariant());
    remember.addBindValue(anyChange ? QVariant(response.check) : QVariant());
    if (!remember.exec())
        return databaseError(QStringLiteral("remembering the batch"), remember.lastError().text());
    if (!tx.commit())
        return databaseError(QStringLiteral("committing a push"), tx.error());
    return answer;
}

} // namespace FerryServer
