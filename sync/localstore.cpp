#include "localstore.h"

#include "localstore_p.h"

#include "guid.h"
#include "reconcile.h"
#include "sqlutil.h"

#include <QAtomicInteger>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSysInfo>

#include <algorithm>

namespace Ferry {

namespace {

constexpr qint64 kChangeLogKeep = 10000;
const QString kDeviceKey = QStringLiteral("device_id");

// This device's id as the server records it with every change: readable where the other
// side of a conflict is shown ("changed on ada-laptop"), and unique by its random end.
QString newDeviceId()
{
    static const QRegularExpression notAllowed(QStringLiteral("[^A-Za-z0-9_-]+"));
    QString host = QSysInfo::machineHostName().section(QLatin1Char('.'), 0, 0).left(40);
    host.replace(notAllowed, QStringLiteral("-"));
    while (host.startsWith(QLatin1Char('-')))
        host.remove(0, 1);
    while (host.endsWith(QLatin1Char('-')))
        host.chop(1);
    if (host.isEmpty())
        host = QStringLiteral("device");
    return host + QLatin1Char('-')
        + QString::number(QRandomGenerator::system()->generate(), 16).rightJustified(8, u'0');
}

Error notFound(const QString &guid)
{
    return Error {QStringLiteral("not_found"), QStringLiteral("There is no record %1.").arg(guid)};
}

// Sets the tombstone flag as a local change, tracking it like a field.
void setDeletedFlag(LocalRecord &record, bool deleted)
{
    if (record.deleted == deleted)
        return;
    const QString flag(kDeletedFlag);
    if (!record.dirty.contains(flag)) {
        record.dirty.append(flag);
        record.base.insert(flag, record.deleted);
    }
    record.deleted = deleted;
    // A record the server never had still goes there when deleted, as a tombstone: every
    // device then holds it the same way, and a restore works from any of them.
    if (record.rev > 0 && record.base.value(flag).toBool() == deleted) {
        record.dirty.removeAll(flag);
        record.base.remove(flag);
    }
}

Status checkDecision(const EntityDef &entity, const Conflict &conflict,
                     const ConflictDecision &decision)
{
    if (decision.resolution == Resolution::KeepBoth
        && (conflict.mineDeleted || conflict.theirsDeleted))
        return Error {QStringLiteral("bad_decision"),
                      QStringLiteral("Keeping both needs the record on both sides, but %1 deleted "
                                     "it; keep mine or keep theirs instead.")
                          .arg(conflict.mineDeleted ? QStringLiteral("this device")
                                                    : QStringLiteral("the other side"))};
    if (decision.resolution != Resolution::Merge)
        return success();
    for (auto it = decision.values.begin(); it != decision.values.end(); ++it) {
        const FieldDef *def = entity.field(it.key());
        if (!def || !conflict.field(it.key()))
            return Error {QStringLiteral("bad_field"),
                          QStringLiteral("\"%1\" is not a field in conflict on this %2.")
                              .arg(it.key(), entity.name)};
        if (!def->accepts(it.value()))
            return Error {QStringLiteral("bad_value"),
                          QStringLiteral("The value given for %1.%2 is not a %3.")
                              .arg(entity.name, it.key(), typeName(def->type))};
    }
    return success();
}

} // namespace

using namespace StoreDetail;

LocalStore::LocalStore(QString path, Schema schema, QString connectionName)
    : m_path(std::move(path))
    , m_schema(std::move(schema))
    , m_connectionName(std::move(connectionName))
{ }

LocalStore::~LocalStore()
{
    m_tables.clear();
    if (m_db.isOpen())
        m_db.close();
    m_db = QSqlDatabase();
    QSqlDatabase::removeDatabase(m_connectionName);
}

Result<std::unique_ptr<LocalStore>> LocalStore::open(const QString &path, const Schema &schema)
{
    static QAtomicInteger<quint64> counter;
    const QString name = QStringLiteral("ferry-store-%1").arg(counter.fetchAndAddRelaxed(1));
    std::unique_ptr<LocalStore> store(new LocalStore(path, schema, name));
    if (Status s = store->initialise(); !s)
        return s.error();
    return store;
}

Status LocalStore::initialise()
{
    const QFileInfo info(m_path);
    if (!QDir().mkpath(info.absolutePath()))
        return Error {QStringLiteral("storage"),
                      QStringLiteral("Cannot create the folder %1.").arg(info.absolutePath())};
    m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
    m_db.setDatabaseName(m_path);
    m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000"));
    if (!m_db.open())
        return Sql::error(QStringLiteral("open %1").arg(m_path), m_db);

    const QString setup[] = {
        QStringLiteral("PRAGMA journal_mode=WAL"),
        QStringLiteral("PRAGMA synchronous=NORMAL"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY NOT NULL, value)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS conflicts (guid TEXT PRIMARY KEY NOT NULL, "
                       "entity TEXT NOT NULL, "
                       "data TEXT NOT NULL, detected INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS outbox (batch TEXT PRIMARY KEY NOT NULL, body "
                       "BLOB NOT NULL, "
                       "pushed TEXT NOT NULL, created INTEGER NOT NULL)"),
        QStringLiteral("CREATE TABLE IF NOT EXISTS changelog (id INTEGER PRIMARY KEY "
                       "AUTOINCREMENT, at INTEGER NOT NULL, "
                       "origin INTEGER NOT NULL, entity TEXT NOT NULL, guids TEXT NOT NULL)"),
        // Records of entities this client's schema does not know, kept so nothing is lost.
        QStringLiteral("CREATE TABLE IF NOT EXISTS foreign_records (guid TEXT PRIMARY KEY NOT "
                       "NULL, entity TEXT NOT NULL, "
                       "rev INTEGER NOT NULL, deleted INTEGER NOT NULL, fields TEXT NOT NULL)"),
        // Files this device gave the workspace (sentFiles()).
        QStringLiteral("CREATE TABLE IF NOT EXISTS sent_files (blob TEXT PRIMARY KEY NOT NULL)"),
    };
    for (const QString &statement : setup) {
        if (Status s = Sql::exec(m_db, statement); !s)
            return s;
    }
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    for (const EntityDef &entity : m_schema.entities()) {
        auto table = std::make_unique<RecordTable>(m_db, entity);
        if (Status s = table->ensure(); !s)
            return s;
        m_tables.push_back(std::move(table));
    }
    m_deviceId = setting(kDeviceKey);
    if (m_deviceId.isEmpty()) {
        m_deviceId = newDeviceId();
        if (Status s = writeMeta(kDeviceKey, m_deviceId); !s)
            return s;
    }
    QSqlQuery prune(m_db);
    prune.prepare(
        QStringLiteral("DELETE FROM changelog WHERE id <= (SELECT max(id) FROM changelog) - ?"));
    prune.addBindValue(kChangeLogKeep);
    if (!prune.exec())
        return Sql::error(QStringLiteral("trim the change log"), prune);
    return transaction.commit();
}

RecordTable *LocalStore::table(const QString &entity)
{
    for (const auto &t : m_tables) {
        if (t->entity().name == entity)
            return t.get();
    }
    return nullptr;
}

QString LocalStore::setting(const QString &key) const
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
    query.addBindValue(key);
    if (query.exec() && query.next())
        return query.value(0).toString();
    return {};
}

Status LocalStore::writeMeta(const QString &key, const QVariant &value)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)"));
    query.addBindValue(key);
    query.addBindValue(value);
    if (!query.exec())
        return Sql::error(QStringLiteral("save the setting %1").arg(key), query);
    return success();
}

Status LocalStore::setSetting(const QString &key, const QString &value)
{
    return writeMeta(key, value);
}

qint64 LocalStore::cursor() const
{
    return setting(kCursorKey).toLongLong();
}

QString LocalStore::cursorCheck() const
{
    return setting(kCursorCheckKey);
}

Wire::HistoryCheck LocalStore::seenHistory() const
{
    const qint64 pushed = setting(kKnownSeqKey).toLongLong();
    if (pushed > cursor())
        return Wire::HistoryCheck {pushed, setting(kKnownCheckKey)};
    return Wire::HistoryCheck {cursor(), cursorCheck()};
}

bool LocalStore::recovering() const
{
    return setting(kRecoveringKey) == QLatin1String("1");
}

bool LocalStore::filesCheckPending() const
{
    return setting(kFilesCheckKey) == QLatin1String("1");
}

Status LocalStore::setFilesChecked()
{
    return writeMeta(kFilesCheckKey, QString());
}

QString LocalStore::filesToken() const
{
    return setting(kFilesTokenKey);
}

Status LocalStore::setFilesToken(const QString &token)
{
    return writeMeta(kFilesTokenKey, token);
}

Status LocalStore::noteFilesSent(const QStringList &blobs)
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT OR IGNORE INTO sent_files (blob) VALUES (?)"));
    for (const QString &blob : blobs) {
        query.addBindValue(blob);
        if (!query.exec())
            return Sql::error(QStringLiteral("note the file %1 as sent").arg(blob), query);
    }
    return transaction.commit();
}

Result<QStringList> LocalStore::sentFiles()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT blob FROM sent_files ORDER BY blob")))
        return Sql::error(QStringLiteral("read the files sent"), query);
    QStringList blobs;
    while (query.next())
        blobs.append(query.value(0).toString());
    return blobs;
}

Status LocalStore::setFilesLost()
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    if (Status s = writeMeta(kFilesCheckKey, QStringLiteral("1")); !s)
        return s;
    if (Status s = writeMeta(kFilesTokenKey, QString()); !s)
        return s;
    return transaction.commit();
}

Status LocalStore::beginRecovery()
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    // A revision below zero marks a record not yet seen on the server in this pull.
    for (const auto &t : m_tables) {
        QSqlQuery mark(m_db);
        if (!mark.exec(
                QStringLiteral("UPDATE %1 SET rev = -1 - rev WHERE rev >= 0").arg(t->tableName())))
            return Sql::error(QStringLiteral("prepare the comparison with the server"), mark);
    }
    QSqlQuery outbox(m_db);
    if (!outbox.exec(QStringLiteral("DELETE FROM outbox"))) // its bases may be ahead
        return Sql::error(QStringLiteral("clear the pending push"), outbox);
    for (const auto &[key, value] :
         {std::pair {kCursorKey, QVariant(0)}, std::pair {kPullBaseKey, QVariant(0)},
          std::pair {kCursorCheckKey, QVariant(QString())}, std::pair {kKnownSeqKey, QVariant(0)},
          std::pair {kKnownCheckKey, QVariant(QString())},
          std::pair {kRecoveringKey, QVariant(QStringLiteral("1"))},
          std::pair {kFilesCheckKey, QVariant(QStringLiteral("1"))}}) {
        if (Status s = writeMeta(key, value); !s)
            return s;
    }
    return transaction.commit();
}

Status LocalStore::followWorkspace(const QString &workspace)
{
    const QString followed = setting(kCursorWorkspaceKey);
    if (followed == workspace)
        return success();
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    // A store from before this was kept follows the workspace it was synced with.
    const bool moved = !followed.isEmpty();
    for (const auto &[key, value] :
         {std::pair {kCursorKey, QVariant(moved ? 0 : cursor())},
          std::pair {kPullBaseKey, QVariant(moved ? 0 : pullBase())},
          std::pair {kCursorCheckKey, QVariant(moved ? QString() : cursorCheck())},
          std::pair {kKnownSeqKey, QVariant(moved ? 0 : setting(kKnownSeqKey).toLongLong())},
          std::pair {kKnownCheckKey, QVariant(moved ? QString() : setting(kKnownCheckKey))},
          std::pair {kCursorWorkspaceKey, QVariant(workspace)}}) {
        if (Status s = writeMeta(key, value); !s)
            return s;
    }
    return transaction.commit();
}

qint64 LocalStore::pullBase() const
{
    // A store from before this was kept may be in the middle of a pull: 0 asks for every
    // field of what it still has to pull, which is always right.
    return std::min(setting(kPullBaseKey).toLongLong(), cursor());
}

Status LocalStore::logChange(const ChangeSet &change)
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("INSERT INTO changelog (at, origin, entity, guids) VALUES (?, ?, ?, ?)"));
    query.addBindValue(now());
    query.addBindValue(int(change.origin));
    query.addBindValue(change.entity);
    query.addBindValue(QString::fromUtf8(
        QJsonDocument(QJsonArray::fromStringList(change.guids)).toJson(QJsonDocument::Compact)));
    if (!query.exec())
        return Sql::error(QStringLiteral("log a change"), query);
    return success();
}

Result<QPair<RecordTable *, LocalRecord>> LocalStore::locate(const QString &guid)
{
    for (const auto &t : m_tables) {
        Result<std::optional<LocalRecord>> found = t->find(guid);
        if (!found)
            return found.error();
        if (found.value())
            return qMakePair(t.get(), *found.value());
    }
    return notFound(guid);
}

Result<std::optional<Conflict>> LocalStore::conflict(const QString &guid)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT data FROM conflicts WHERE guid = ?"));
    query.addBindValue(guid);
    if (!query.exec())
        return Sql::error(QStringLiteral("read a conflict"), query);
    if (!query.next())
        return std::optional<Conflict>();
    return std::optional<Conflict>(
        Conflict::fromJson(QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object()));
}

Result<QList<Conflict>> LocalStore::conflicts()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT data FROM conflicts ORDER BY detected, guid")))
        return Sql::error(QStringLiteral("list conflicts"), query);
    QList<Conflict> list;
    while (query.next())
        list.append(Conflict::fromJson(
            QJsonDocument::fromJson(query.value(0).toString().toUtf8()).object()));
    return list;
}

Result<qint64> LocalStore::conflictCount()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM conflicts")) || !query.next())
        return Sql::error(QStringLiteral("count conflicts"), query);
    return query.value(0).toLongLong();
}

Status LocalStore::saveConflict(const Conflict &conflict)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO conflicts (guid, entity, data, detected) VALUES (?, ?, ?, ?)"));
    query.addBindValue(conflict.guid);
    query.addBindValue(conflict.entity);
    query.addBindValue(compact(conflict.toJson()));
    query.addBindValue(conflict.detectedAt);
    if (!query.exec())
        return Sql::error(QStringLiteral("save a conflict"), query);
    return success();
}

Status LocalStore::dropConflict(const QString &guid)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("DELETE FROM conflicts WHERE guid = ?"));
    query.addBindValue(guid);
    if (!query.exec())
        return Sql::error(QStringLiteral("remove a conflict"), query);
    return success();
}

Result<LocalRecord> LocalStore::newRecord(RecordTable &table, const QJsonObject &fields) const
{
    const EntityDef &entity = table.entity();
    LocalRecord record;
    record.entity = entity.name;
    record.guid = createGuid();
    record.status = SyncStatus::NeedsSync;
    record.modified = now();
    for (const FieldDef &def : entity.fields)
        record.fields.insert(def.name, QJsonValue(QJsonValue::Null));
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        const FieldDef *def = entity.field(it.key());
        if (!def)
            return Error {QStringLiteral("bad_field"),
                          QStringLiteral("%1 has no field \"%2\".").arg(entity.name, it.key())};
        if (!def->accepts(it.value()))
            return Error {QStringLiteral("bad_value"),
                          QStringLiteral("The value given for %1.%2 is not a %3.")
                              .arg(entity.name, it.key(), typeName(def->type))};
        record.fields.insert(it.key(), it.value());
        if (!it.value().isNull()) {
            record.dirty.append(it.key());
            record.base.insert(it.key(), QJsonValue(QJsonValue::Null));
        }
    }
    // A record with no values yet still has to reach the server.
    if (record.dirty.isEmpty()) {
        record.dirty.append(QString(kDeletedFlag));
        record.base.insert(QString(kDeletedFlag), true);
    }
    return record;
}

Result<QString> LocalStore::createRecord(const QString &entity, const QJsonObject &fields,
                                         ChangeSet *change)
{
    RecordTable *t = table(entity);
    if (!t)
        return Error {QStringLiteral("bad_entity"),
                      QStringLiteral("There is no entity called \"%1\".").arg(entity)};
    Result<LocalRecord> record = newRecord(*t, fields);
    if (!record)
        return record.error();
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun().error();
    const ChangeSet set {entity, {record->guid}, ChangeOrigin::Local};
    if (Status s = t->write(record.value()); !s)
        return s.error();
    if (Status s = logChange(set); !s)
        return s.error();
    if (Status s = transaction.commit(); !s)
        return s.error();
    if (change)
        *change = set;
    return record->guid;
}

Result<int> LocalStore::adoptRecords(LocalStore &from, QList<ChangeSet> *changes)
{
    // Read first: `from` is another database, and nothing of it is changed.
    QList<LocalRecord> incoming;
    for (const EntityDef &entity : m_schema.entities()) {
        if (!from.schema().entity(entity.name))
            continue;
        Result<QList<LocalRecord>> found = from.records(entity.name);
        if (!found)
            return found.error();
        incoming.append(found.value());
    }
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun().error();
    QHash<QString, QStringList> adopted; // entity -> guids
    for (const LocalRecord &source : std::as_const(incoming)) {
        bool held = false;
        for (const auto &any : m_tables) {
            Result<std::optional<LocalRecord>> existing = any->find(source.guid);
            if (!existing)
                return existing.error();
            held = held || existing.value().has_value();
        }
        if (held)
            continue;
        RecordTable *t = table(source.entity);
        QJsonObject values;
        for (const FieldDef &def : t->entity().fields)
            values.insert(def.name, source.fields.value(def.name));
        Result<LocalRecord> record = newRecord(*t, values);
        if (!record)
            return Error {record.error().code,
                          QStringLiteral("Record %1: %2").arg(source.guid, record.error().message)};
        record->guid = source.guid;
        record->extra = source.extra;
        if (Status s = t->write(record.value()); !s)
            return s.error();
        adopted[source.entity].append(source.guid);
    }
    QList<ChangeSet> sets;
    int count = 0;
    for (auto it = adopted.cbegin(); it != adopted.cend(); ++it) {
        const ChangeSet set {it.key(), it.value(), ChangeOrigin::Local};
        if (Status s = logChange(set); !s)
            return s.error();
        sets.append(set);
        count += int(it.value().size());
    }
    if (Status s = transaction.commit(); !s)
        return s.error();
    if (changes)
        *changes = sets;
    return count;
}

Status LocalStore::editRecord(
    const QString &guid, ChangeOrigin origin,
    const std::function<Status(const EntityDef &, LocalRecord &, Conflict &)> &edit,
    ChangeSet *change, const QStringList *alsoChanged)
{
    Sql::Transaction transaction(m_db);
    if (!transaction.begun())
        return transaction.begun();
    auto found = locate(guid);
    if (!found)
        return found.error();
    auto [t, record] = found.value();
    auto existing = conflict(guid);
    if (!existing)
        return existing.error();
    Conflict current = existing.value().value_or(Conflict());
    if (Status s = edit(t->entity(), record, current); !s)
        return s;
    record.modified = now();
    Reconcile::updateStatus(record, current);
    ChangeSet set {record.entity, {guid}, origin};
    if (alsoChanged)
        set.guids += *alsoChanged;
    Status saved = current.isEmpty() ? dropConflict(guid) : saveConflict(current);
    if (!saved)
        return saved;
    if (Status s = t->write(record); !s)
        return s;
    if (Status s = logChange(set); !s)
        return s;
    if (Status s = transaction.commit(); !s)
        return s;
    if (change)
        *change = set;
    return success();
}

Status LocalStore::updateRecord(const QString &guid, const QJsonObject &changes, ChangeSet *change)
{
    return editRecord(
        guid, ChangeOrigin::Local,
        [&](const EntityDef &entity, LocalRecord &record, Conflict &) -> Status {
            if (record.deleted)
                return Error {
                    QStringLiteral("deleted"),
                    QStringLiteral("The record %1 is deleted; restore it before editing it.")
                        .arg(guid)};
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                const FieldDef *def = entity.field(it.key());
                if (!def)
                    return Error {
                        QStringLiteral("bad_field"),
                        QStringLiteral("%1 has no field \"%2\".").arg(record.entity, it.key())};
                if (!def->accepts(it.value()))
                    return Error {QStringLiteral("bad_value"),
                                  QStringLiteral("The value given for %1.%2 is not a %3.")
                                      .arg(record.entity, it.key(), typeName(def->type))};
            }
            for (auto it = changes.begin(); it != changes.end(); ++it) {
                const QJsonValue current = record.fields.value(it.key());
                if (sameValue(current, it.value()))
                    continue;
                if (!record.dirty.contains(it.key())) {
                    record.dirty.append(it.key());
                    record.base.insert(it.key(), current);
                }
                record.fields.insert(it.key(), it.value());
                // Changed back to what the server has: nothing left to send for it.
                if (record.rev > 0 && sameValue(record.base.value(it.key()), it.value())) {
                    record.dirty.removeAll(it.key());
                    record.base.remove(it.key());
                }
            }
            record.problem.clear();
            return success();
        },
        change);
}

Status LocalStore::deleteRecord(const QString &guid, ChangeSet *change)
{
    return editRecord(
        guid, ChangeOrigin::Local,
        [](const EntityDef &, LocalRecord &record, Conflict &conflict) {
            setDeletedFlag(record, true);
            Reconcile::settleLocalDelete(record, conflict);
            record.problem.clear();
            return success();
        },
        change);
}

Status LocalStore::restoreRecord(const QString &guid, ChangeSet *change)
{
    return editRecord(
        guid, ChangeOrigin::Local,
        [](const EntityDef &, LocalRecord &record, Conflict &conflict) {
            setDeletedFlag(record, false);
            Reconcile::settleLocalDelete(record, conflict);
            record.problem.clear();
            return success();
        },
        change);
}

Status LocalStore::resolveConflict(const QString &guid, const ConflictDecision &decision,
                                   ChangeSet *change)
{
    QStringList copies;
    return editRecord(
        guid, ChangeOrigin::Local,
        [&](const EntityDef &entity, LocalRecord &record, Conflict &conflict) -> Status {
            if (conflict.isEmpty())
                return Error {
                    QStringLiteral("no_conflict"),
                    QStringLiteral("The record %1 has no conflict to resolve.").arg(guid)};
            if (Status s = checkDecision(entity, conflict, decision); !s)
                return s;
            if (decision.resolution == Resolution::KeepBoth) {
                Result<LocalRecord> copy
                    = newRecord(*table(entity.name), Reconcile::copyForKeepBoth(entity, record));
                if (!copy)
                    return copy.error();
                if (Status s = table(entity.name)->write(copy.value()); !s)
                    return s;
                copies.append(copy->guid);
            }
            Reconcile::resolve(entity, record, conflict, decision);
            return success();
        },
        change, &copies);
}

Result<LocalRecord> LocalStore::record(const QString &guid)
{
    auto found = locate(guid);
    if (!found)
        return found.error();
    return found->second;
}

Result<QList<LocalRecord>> LocalStore::records(const QString &entity, bool includeDeleted,
                                               int limit, int offset)
{
    RecordTable *t = table(entity);
    if (!t)
        return Error {QStringLiteral("bad_entity"),
                      QStringLiteral("There is no entity called \"%1\".").arg(entity)};
    return t->list(includeDeleted, limit, offset);
}

Result<qint64> LocalStore::count(const QString &entity, bool includeDeleted)
{
    RecordTable *t = table(entity);
    if (!t)
        return Error {QStringLiteral("bad_entity"),
                      QStringLiteral("There is no entity called \"%1\".").arg(entity)};
    return t->count(includeDeleted);
}

Result<QHash<QString, qint64>> LocalStore::fileReferences()
{
    QHash<QString, qint64> all;
    for (const auto &t : m_tables) {
        Result<QHash<QString, qint64>> some = t->files();
        if (!some)
            return some.error();
        all.insert(some.value());
    }
    return all;
}

Result<QList<LocalRecord>> LocalStore::deletedRecords(int limit)
{
    QList<LocalRecord> all;
    for (const auto &t : m_tables) {
        Result<QList<LocalRecord>> some = t->deleted(limit);
        if (!some)
            return some;
        all += some.value();
    }
    std::stable_sort(all.begin(), all.end(), [](const LocalRecord &a, const LocalRecord &b) {
        return a.modified > b.modified;
    });
    return all;
}

Result<qint64> LocalStore::unsyncedCount()
{
    qint64 total = 0;
    for (const auto &t : m_tables) {
        Result<qint64> n = t->countUnsynced();
        if (!n)
            return n;
        total += n.value();
    }
    return total;
}

Result<QList<LocalRecord>> LocalStore::refusedRecords()
{
    QList<LocalRecord> all;
    for (const auto &t : m_tables) {
        Result<QList<LocalRecord>> some = t->refused();
        if (!some)
            return some;
        all += some.value();
    }
    return all;
}

Result<QList<QPair<qint64, ChangeSet>>> LocalStore::changesSince(qint64 afterId, int limit)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral(
        "SELECT id, origin, entity, guids FROM changelog WHERE id > ? ORDER BY id LIMIT ?"));
    query.addBindValue(afterId);
    query.addBindValue(limit);
    if (!query.exec())
        return Sql::error(QStringLiteral("read the change log"), query);
    QList<QPair<qint64, ChangeSet>> list;
    while (query.next()) {
        ChangeSet set;
        set.origin = static_cast<ChangeOrigin>(query.value(1).toInt());
        set.entity = query.value(2).toString();
        for (const QJsonValue &guid :
             QJsonDocument::fromJson(query.value(3).toString().toUtf8()).array())
            set.guids.append(guid.toString());
        list.append(qMakePair(query.value(0).toLongLong(), set));
    }
    return list;
}

} // namespace Ferry
