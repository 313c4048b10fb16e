// The randomized proof that sync converges: several devices make random offline edits,
// deletes, restores and conflict resolutions on one workspace through a real ferry-server,
// with restarts, late-joining devices and odd pull page sizes; then everything syncs until
// quiet. Every device must then hold exactly the server's records, every store must pass
// SQLite's integrity check, and no edit may be lost: each value written is in the final
// state, or was replaced by someone whose device showed it (an edit, a delete, a conflict
// resolution). The server is restarted, backed up and restored from that backup along the
// way. Each seed is deterministic in what it does; a failure prints the command that
// replays it.
//
//   FERRY_SEEDS=N        seeds to run (default 200), starting at FERRY_FIRST_SEED (default 1)
//   FERRY_SEED=S         run seed S only
//   FERRY_STEPS=N        operations per seed (default 125)
//   FERRY_KEEP_GOING=1   run every seed, not stop at the first failure
//   FERRY_TRACE=1        print every operation; FERRY_WATCH=1 also each record's state
#include "blobstore.h"
#include "faultproxy.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"
#include "testpostgres.h"

#include "guid.h"
#include "reconcile.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace Ferry;
using namespace FerryTest;

namespace {

const char kSchema[] = R"({"version": 1, "entities": [
  {"name": "Item", "display": "title", "fields": [
    {"name": "title", "type": "string"}, {"name": "body", "type": "text"},
    {"name": "count", "type": "int"}, {"name": "score", "type": "real"},
    {"name": "flag", "type": "bool"}, {"name": "when", "type": "datetime"},
    {"name": "link", "type": "ref", "target": "Item"},
    {"name": "tags", "type": "refs", "target": "Item"},
    {"name": "file", "type": "blob"}, {"name": "note", "type": "string"}]},
  {"name": "Memo", "fields": [{"name": "text", "type": "string"}]}]})";

Schema schemaFrom(const QByteArray &json)
{
    Result<Schema> schema = Schema::fromJson(json);
    if (!schema)
        qFatal("test schema: %s", qPrintable(schema.error().message));
    return schema.value();
}

// An older app's schema: it knows neither Item.note nor Memo, and must keep both as they are.
QByteArray olderSchema(const char *json)
{
    QJsonObject top = QJsonDocument::fromJson(QByteArray(json)).object();
    QJsonArray entities;
    for (const QJsonValue &value : top.value(QStringLiteral("entities")).toArray()) {
        QJsonObject entity = value.toObject();
        if (entity.value(QStringLiteral("name")) == QLatin1String("Memo"))
            continue;
        QJsonArray fields;
        for (const QJsonValue &field : entity.value(QStringLiteral("fields")).toArray()) {
            if (field.toObject().value(QStringLiteral("name")) != QLatin1String("note"))
                fields.append(field);
        }
        entity.insert(QStringLiteral("fields"), fields);
        entities.append(entity);
    }
    top.insert(QStringLiteral("entities"), entities);
    return QJsonDocument(top).toJson(QJsonDocument::Compact);
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok ? value : fallback;
}

bool isAbsent(const QJsonValue &v)
{
    return v.isNull() || v.isUndefined();
}

// A value as the merge rules compare it: refs as sorted sets (an absent set is empty),
// numbers by value, date-times as instants; an absent field is null.
QJsonValue normalised(const FieldDef *def, const QJsonValue &value)
{
    if (isAbsent(value))
        return def && def->type == FieldType::Refs ? QJsonValue(QJsonArray())
                                                   : QJsonValue(QJsonValue::Null);
    if (!def)
        return value;
    switch (def->type) {
    case FieldType::Refs: {
        QStringList members;
        for (const QJsonValue &m : value.toArray())
            members.append(m.toString());
        members.sort();
        members.removeDuplicates();
        return QJsonArray::fromStringList(members);
    }
    case FieldType::Int:
    case FieldType::Real:
        return QJsonValue(value.toDouble());
    case FieldType::DateTime: {
        const QDateTime t = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        return t.isValid() ? QJsonValue(double(t.toMSecsSinceEpoch())) : value;
    }
    default:
        return value;
    }
}

QString show(const QJsonValue &value)
{
    if (value.isString())
        return QStringLiteral("\"%1\"").arg(value.toString().left(200));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("null");
    return QString::fromUtf8(
        QJsonDocument(QJsonArray {value}).toJson(QJsonDocument::Compact).mid(1).chopped(1));
}

// What of a value the lost-edit oracle follows: every write makes values no other write
// makes, so a value (a line of a text, a member of a set) names the write it came from.
// Booleans can only repeat, so they are compared for convergence but not followed.
QSet<QString> tokensOf(const FieldDef *def, const QJsonValue &value)
{
    QSet<QString> tokens;
    if (isAbsent(value) || !def)
        return tokens;
    switch (def->type) {
    case FieldType::Bool:
        break;
    case FieldType::Text:
        for (const QString &line : value.toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
            tokens.insert(line);
        break;
    case FieldType::Refs:
        for (const QJsonValue &m : value.toArray())
            tokens.insert(m.toString());
        break;
    default:
        tokens.insert(show(normalised(def, value)));
    }
    return tokens;
}

// One simulated device: its store and engine, and whether it is online.
struct Device
{
    QString name;
    bool narrow = false;
    bool online = true;
    int pageSize = 0;
    std::unique_ptr<TestDevice> device;
};

class Run
{
public:
    // `twin`, if not null, serves the same store as `server` (PostgreSQL): every other
    // device talks to it.
    // The devices sign in as `owner` with `token`; the seed's workspace is made for `owner`.
    Run(quint32 seed, int steps, ServerProcess &server, ServerProcess *twin, const QString &owner,
        const QString &token)
        : m_seed(seed)
        , m_steps(steps)
        , m_random(seed)
        , m_server(server)
        , m_twin(twin)
        , m_owner(owner)
        , m_token(token)
        , m_schema(schemaFrom(QByteArray(kSchema)))
        , m_narrowSchema(schemaFrom(olderSchema(kSchema)))
    { }

    // Empty if the seed passed; otherwise what went wrong.
    QString run();
    // How many requests met each network fault (seeds that go through the proxy).
    int restores() const { return m_restores; }
    QMap<FaultProxy::Chaos, int> faults() const
    {
        QMap<FaultProxy::Chaos, int> counts;
        for (const FaultProxy *proxy : {m_proxy.get(), m_twinProxy.get()}) {
            if (!proxy)
                continue;
            const QMap<FaultProxy::Chaos, int> more = proxy->chaosCounts();
            for (auto it = more.cbegin(); it != more.cend(); ++it)
                counts[it.key()] += it.value();
        }
        return counts;
    }

private:
    int pick(int n) { return n <= 0 ? 0 : int(m_random.bounded(n)); }
    bool chance(int percent) { return pick(100) < percent; }
    QString fail(const QString &what)
    {
        if (m_failure.isEmpty())
            m_failure = QStringLiteral("step %1: %2").arg(m_step).arg(what);
        return m_failure;
    }
    bool failed() const { return !m_failure.isEmpty(); }
    // FERRY_TRACE=1 prints every operation, for reading a replayed seed.
    void trace(const QString &what)
    {
        if (m_trace)
            qInfo("%4d %s", m_step, qPrintable(what));
        if (m_watch)
            watch();
    }
    // FERRY_WATCH=1 with FERRY_TRACE: each record's state on each device, when it changes.
    void watch();
    QHash<QString, QString> m_watched;
    const bool m_watch = qEnvironmentVariableIsSet("FERRY_WATCH");

    void addDevice();
    const Schema &schemaOf(const Device &d) const { return d.narrow ? m_narrowSchema : m_schema; }
    QList<LocalRecord> localRecords(Device &d, bool deleted);
    std::optional<LocalRecord> localRecord(Device &d, const QString &guid);

    // A new value for `def`; a file's bytes are kept on `writer`, as attaching it there does.
    QJsonValue newValue(const FieldDef &def, const QJsonValue &current, Device &writer);
    QHash<QString, QByteArray> m_fileBytes; // blob id -> the bytes it was made from
    void registerWrite(const QString &guid, const FieldDef &def, const QJsonValue &value);

    // Tokens a device shows of a record: its values, and the other side of a conflict
    // unless only the record's own values are asked for.
    QHash<QString, QSet<QString>> shown(Device &d, const QString &guid, bool withConflict = true);
    // After an action on `guid`: what the device showed and no longer has was replaced
    // knowingly. An edit replaces the record's own values (`before` without the conflict):
    // the other side of a conflict it leaves open is still to be decided.
    void noteReplaced(Device &d, const QString &guid, const QHash<QString, QSet<QString>> &before,
                      bool all = false, bool withConflict = true);

    void opCreate(Device &d);
    void opEdit(Device &d);
    void opDelete(Device &d);
    void opRestore(Device &d);
    void opResolve(Device &d, bool allowLater);
    void opSync(Device &d);
    void resolveOne(Device &d, const Conflict &conflict, bool allowLater);

    // The server restarts, or its database is backed up, or put back from that backup
    // (losing what came after it).
    void serverEvent();
    bool settle();
    void checkFinal();

    quint32 m_seed;
    int m_steps;
    QRandomGenerator m_random;
    ServerProcess &m_server;
    ServerProcess *m_twin;
    QString m_owner;
    QString m_token;
    Schema m_schema;
    Schema m_narrowSchema;
    QString m_workspace;
    // Every third seed talks through a proxy that delays, throttles, cuts, resets, drops
    // and refuses answers (5xx) while the devices work; it is calm while they settle.
    std::unique_ptr<FaultProxy> m_proxy;
    std::unique_ptr<FaultProxy> m_twinProxy; // the same, in front of the twin
    std::vector<std::unique_ptr<Device>> m_devices;
    int m_step = 0;
    qint64 m_counter = 0;
    QString m_failure;
    std::unique_ptr<QTemporaryDir> m_backup;
    int m_restores = 0;
    bool m_trace = qEnvironmentVariableIsSet("FERRY_TRACE");

    QStringList m_created; // every guid made on any device, in order
    // guid -> field -> tokens written / tokens replaced by someone who saw them
    QHash<QString, QHash<QString, QSet<QString>>> m_written;
    QHash<QString, QHash<QString, QSet<QString>>> m_replaced;
    QHash<QString, QString> m_writtenBy; // token -> "device at step"
};

void Run::addDevice()
{
    auto d = std::make_unique<Device>();
    d->name = QStringLiteral("d%1").arg(m_devices.size());
    // In odd seeds the third device runs an older app that knows fewer fields and entities.
    d->narrow = m_devices.size() == 2 && (m_seed % 2) == 1;
    static const int kPageSizes[] = {0, 1, 2, 3, 5, 17};
    d->pageSize = kPageSizes[pick(6)];
    const bool toTwin = m_twin && m_devices.size() % 2 == 1;
    const QUrl url = toTwin ? (m_twinProxy ? m_twinProxy->url() : m_twin->url())
                            : (m_proxy ? m_proxy->url() : m_server.url());
    d->device = std::make_unique<TestDevice>(SyncConfig {url, m_token, m_workspace}, schemaOf(*d));
    RetryPolicy retry;
    retry.attempts = 1;
    d->device->setRetryPolicy(retry);
    if (d->pageSize > 0)
        d->device->setPullPageSize(d->pageSize);
    m_devices.push_back(std::move(d));
}

QList<LocalRecord> Run::localRecords(Device &d, bool deleted)
{
    QList<LocalRecord> out;
    for (const QString &guid : std::as_const(m_created)) {
        std::optional<LocalRecord> r = localRecord(d, guid);
        if (r && r->deleted == deleted && r->entity == QLatin1String("Item"))
            out.append(*r);
    }
    return out;
}

std::optional<LocalRecord> Run::localRecord(Device &d, const QString &guid)
{
    Result<LocalRecord> r = d.device->store().record(guid);
    if (!r)
        return std::nullopt;
    return r.value();
}

QJsonValue Run::newValue(const FieldDef &def, const QJsonValue &current, Device &writer)
{
    const qint64 n = ++m_counter;
    switch (def.type) {
    case FieldType::String:
        return QStringLiteral("s%1-%2").arg(m_seed).arg(n);
    case FieldType::Text: {
        QStringList lines = current.toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        const int what = lines.isEmpty() ? 0 : pick(3);
        const QString line = QStringLiteral("line %1-%2").arg(m_seed).arg(n);
        if (what == 0)
            lines.insert(pick(int(lines.size()) + 1), line);
        else if (what == 1)
            lines.removeAt(pick(int(lines.size())));
        else
            lines[pick(int(lines.size()))] = line;
        if (lines.isEmpty())
            return QString();
        return QString(lines.join(QLatin1Char('\n')) + QLatin1Char('\n'));
    }
    case FieldType::Int:
        return double(n);
    case FieldType::Real:
        return double(n) + 0.25;
    case FieldType::Bool:
        return chance(50);
    case FieldType::DateTime:
        return QDateTime::fromMSecsSinceEpoch(1700000000000LL + n * 1000, Qt::UTC)
            .toString(Qt::ISODateWithMs);
    case FieldType::Ref:
        return createGuid();
    case FieldType::Refs: {
        QStringList members;
        for (const QJsonValue &m : current.toArray())
            members.append(m.toString());
        if (!members.isEmpty() && chance(40))
            members.removeAt(pick(int(members.size())));
        else
            members.append(createGuid());
        members.sort();
        return QJsonArray::fromStringList(members);
    }
    case FieldType::Blob: {
        // Real bytes, a few KiB, and now and then more than one upload piece.
        QByteArray bytes = QByteArray::number(m_seed) + ':' + QByteArray::number(n) + ':';
        bytes = bytes.repeated(chance(3) ? 450000 : 1 + pick(400));
        const QString blob = writer.device->keepFile(bytes);
        m_fileBytes.insert(blob, bytes);
        return blob;
    }
    }
    return QJsonValue();
}

void Run::registerWrite(const QString &guid, const FieldDef &def, const QJsonValue &value)
{
    QSet<QString> &written = m_written[guid][def.name];
    for (const QString &token : tokensOf(&def, value)) {
        if (!written.contains(token)) {
            written.insert(token);
            m_writtenBy.insert(token, QStringLiteral("written at step %1").arg(m_step));
        }
    }
}

void Run::watch()
{
    for (auto &d : m_devices) {
        for (const QString &guid : std::as_const(m_created)) {
            const std::optional<LocalRecord> r = localRecord(*d, guid);
            const QString now = r
                ? QStringLiteral("deleted %1 rev %2 %3 dirty %4 base %5")
                      .arg(r->deleted)
                      .arg(r->rev)
                      .arg(show(r->fields), r->dirty.join(QLatin1Char(',')), show(r->base))
                : QStringLiteral("absent");
            QString &was = m_watched[d->name + guid];
            if (was != now) {
                was = now;
                qInfo("     %s %s: %s", qPrintable(d->name), qPrintable(guid), qPrintable(now));
            }
        }
    }
}

QHash<QString, QSet<QString>> Run::shown(Device &d, const QString &guid, bool withConflict)
{
    QHash<QString, QSet<QString>> tokens;
    std::optional<LocalRecord> r = localRecord(d, guid);
    if (!r)
        return tokens;
    const EntityDef *entity = schemaOf(d).entity(r->entity);
    if (!entity)
        return tokens;
    for (const FieldDef &def : entity->fields)
        tokens[def.name] = tokensOf(&def, r->fields.value(def.name));
    // An older app holds the fields it does not know as they are: deleting the record
    // deletes them with it, as it would on a device that shows them.
    const EntityDef *full = m_schema.entity(r->entity);
    for (auto it = r->extra.begin(); it != r->extra.end(); ++it)
        tokens[it.key()] = tokensOf(full->field(it.key()), it.value());
    Result<std::optional<Conflict>> c = d.device->store().conflict(guid);
    if (withConflict && c && c.value()) {
        for (const FieldConflict &f : c.value()->fields) {
            const FieldDef *def = entity->field(f.field);
            tokens[f.field] += tokensOf(def, f.theirs); // `mine` is the record's own value
        }
        for (auto it = c.value()->theirsFields.begin(); it != c.value()->theirsFields.end(); ++it)
            tokens[it.key()] += tokensOf(entity->field(it.key()), it.value());
    }
    return tokens;
}

void Run::noteReplaced(Device &d, const QString &guid, const QHash<QString, QSet<QString>> &before,
                       bool all, bool withConflict)
{
    const QHash<QString, QSet<QString>> after
        = all ? QHash<QString, QSet<QString>>() : shown(d, guid, withConflict);
    for (auto it = before.begin(); it != before.end(); ++it) {
        const QSet<QString> gone = it.value() - after.value(it.key());
        if (m_trace && !gone.isEmpty())
            trace(QStringLiteral("  %1 replaced %2.%3: %4")
                      .arg(d.name, guid, it.key(),
                           QStringList(gone.begin(), gone.end()).join(QLatin1Char(' '))));
        m_replaced[guid][it.key()] += gone;
    }
}

void Run::opCreate(Device &d)
{
    const bool memo = !d.narrow && chance(15);
    const EntityDef *entity
        = schemaOf(d).entity(memo ? QStringLiteral("Memo") : QStringLiteral("Item"));
    QJsonObject fields;
    for (const FieldDef &def : entity->fields) {
        if (chance(60))
            fields.insert(def.name, newValue(def, QJsonValue(), d));
    }
    Result<QString> guid = d.device->store().createRecord(entity->name, fields);
    if (!guid) {
        fail(QStringLiteral("%1 could not create a record: %2").arg(d.name, guid.error().message));
        return;
    }
    m_created.append(guid.value());
    trace(
        QStringLiteral("%1 create %2 %3 %4").arg(d.name, entity->name, guid.value(), show(fields)));
    for (const FieldDef &def : entity->fields)
        registerWrite(guid.value(), def, fields.value(def.name));
}

void Run::opEdit(Device &d)
{
    const QList<LocalRecord> live = localRecords(d, false);
    if (live.isEmpty())
        return opCreate(d);
    const LocalRecord record = live.at(pick(int(live.size())));
    const EntityDef *entity = schemaOf(d).entity(record.entity);
    QJsonObject changes;
    const int count = 1 + pick(3);
    for (int i = 0; i < count; ++i) {
        const FieldDef &def = entity->fields.at(pick(int(entity->fields.size())));
        changes.insert(def.name,
                       chance(5)
                           ? QJsonValue(QJsonValue::Null)
                           : newValue(def,
                                      changes.contains(def.name) ? changes.value(def.name)
                                                                 : record.fields.value(def.name),
                                      d));
    }
    const auto before = shown(d, record.guid, false);
    trace(QStringLiteral("%1 edit %2 %3").arg(d.name, record.guid, show(changes)));
    if (Status s = d.device->store().updateRecord(record.guid, changes); !s) {
        fail(
            QStringLiteral("%1 could not edit %2: %3").arg(d.name, record.guid, s.error().message));
        return;
    }
    for (auto it = changes.begin(); it != changes.end(); ++it)
        registerWrite(record.guid, *entity->field(it.key()), it.value());
    noteReplaced(d, record.guid, before, false, false);
}

void Run::opDelete(Device &d)
{
    const QList<LocalRecord> live = localRecords(d, false);
    if (live.isEmpty())
        return;
    const LocalRecord record = live.at(pick(int(live.size())));
    const auto before = shown(d, record.guid);
    trace(QStringLiteral("%1 delete %2").arg(d.name, record.guid));
    if (Status s = d.device->store().deleteRecord(record.guid); !s) {
        fail(QStringLiteral("%1 could not delete %2: %3")
                 .arg(d.name, record.guid, s.error().message));
        return;
    }
    noteReplaced(d, record.guid, before, true);
}

void Run::opRestore(Device &d)
{
    const QList<LocalRecord> gone = localRecords(d, true);
    if (gone.isEmpty())
        return;
    const LocalRecord record = gone.at(pick(int(gone.size())));
    trace(QStringLiteral("%1 restore %2").arg(d.name, record.guid));
    if (Status s = d.device->store().restoreRecord(record.guid); !s)
        fail(QStringLiteral("%1 could not restore %2: %3")
                 .arg(d.name, record.guid, s.error().message));
}

void Run::opSync(Device &d)
{
    const SyncSummary summary = d.device->sync();
    trace(QStringLiteral("%1 sync: sent %2, received %3, conflicts %4, cursor %5%6")
              .arg(d.name)
              .arg(summary.sent)
              .arg(summary.received)
              .arg(summary.conflicts)
              .arg(summary.cursor)
              .arg(summary.ok ? QString() : QStringLiteral(", failed: ") + summary.error.code));
    // Through the faulty network a sync may fail, but only for what the network did.
    if (!summary.ok && m_proxy
        && (summary.error.code == QLatin1String("network")
            || summary.error.code == QLatin1String("timeout")
            || summary.error.code == QLatin1String("unavailable")
            || summary.error.code.startsWith(QLatin1String("http_5"))))
        return;
    if (!summary.ok)
        fail(QStringLiteral("%1's sync failed: %2 (%3)")
                 .arg(d.name, summary.error.message, summary.error.code));
}

void Run::opResolve(Device &d, bool allowLater)
{
    Result<QList<Conflict>> conflicts = d.device->store().conflicts();
    if (!conflicts) {
        fail(QStringLiteral("%1 cannot list its conflicts: %2")
                 .arg(d.name, conflicts.error().message));
        return;
    }
    for (const Conflict &c : conflicts.value()) {
        resolveOne(d, c, allowLater);
        if (failed())
            return;
    }
}

void Run::resolveOne(Device &d, const Conflict &conflict, bool allowLater)
{
    std::optional<LocalRecord> local = localRecord(d, conflict.guid);
    if (!local) {
        fail(QStringLiteral("%1 has a conflict on %2 but not the record")
                 .arg(d.name, conflict.guid));
        return;
    }
    const EntityDef *entity = schemaOf(d).entity(local->entity);
    const bool deleteConflict = conflict.mineDeleted || conflict.theirsDeleted;
    ConflictDecision decision;
    const int how = pick(allowLater ? 8 : 7);
    if (how == 7)
        return; // decide later
    if (how >= 4) {
        static const ConflictPolicy kPolicies[]
            = {ConflictPolicy::KeepMine, ConflictPolicy::KeepTheirs, ConflictPolicy::Newest};
        decision = *Reconcile::decide(kPolicies[how - 4], *local, conflict);
    } else {
        decision.resolution = how == 0 ? Resolution::KeepMine
            : how == 1                 ? Resolution::KeepTheirs
            : how == 2                 ? Resolution::KeepBoth
                                       : Resolution::Merge;
        if (decision.resolution == Resolution::KeepBoth && deleteConflict)
            decision.resolution = Resolution::KeepMine;
        if (decision.resolution == Resolution::Merge) {
            for (const FieldConflict &f : conflict.fields) {
                const FieldDef *def = entity->field(f.field);
                const int side = pick(3);
                QJsonValue value = side == 0 ? f.mine : side == 1 ? f.theirs : QJsonValue();
                if (side == 2) {
                    if (def->type == FieldType::Text) {
                        value = QString(f.mine.toString() + f.theirs.toString());
                    } else if (def->type == FieldType::Refs) {
                        value = Reconcile::mergeSets(QJsonArray(), f.mine, f.theirs);
                    } else {
                        value = newValue(*def, f.mine, d);
                        registerWrite(conflict.guid, *def, value);
                    }
                }
                decision.values.insert(f.field, value);
            }
        }
    }

    // What the person sees in the merge dialog, and what the decision must leave here.
    const auto before = shown(d, conflict.guid);
    QJsonObject expected;
    for (const FieldConflict &f : conflict.fields) {
        switch (decision.resolution) {
        case Resolution::KeepMine:
            expected.insert(f.field, local->fields.value(f.field));
            break;
        case Resolution::KeepTheirs:
        case Resolution::KeepBoth:
            expected.insert(f.field, f.theirs);
            break;
        case Resolution::Merge:
            expected.insert(f.field, decision.values.value(f.field));
            break;
        }
    }
    bool expectDeleted = local->deleted;
    if (decision.resolution == Resolution::KeepTheirs && deleteConflict)
        expectDeleted = conflict.theirsDeleted;
    else if (decision.resolution == Resolution::Merge)
        expectDeleted = false; // a merged result is a record, also one deleted here since
    else if (decision.resolution == Resolution::KeepMine && conflict.theirsDeleted
             && !local->deleted)
        expectDeleted = false;

    trace(QStringLiteral("%1 resolve %2 (fields %3, mine deleted %4, theirs deleted %5, deleted "
                         "here %6): resolution %7 %8")
              .arg(d.name, conflict.guid)
              .arg(conflict.fields.size())
              .arg(conflict.mineDeleted)
              .arg(conflict.theirsDeleted)
              .arg(local->deleted)
              .arg(int(decision.resolution))
              .arg(show(decision.values)));
    Result<qint64> recordsBefore = d.device->store().count(local->entity, true);
    if (Status s = d.device->store().resolveConflict(conflict.guid, decision); !s) {
        fail(QStringLiteral("%1 could not resolve %2: %3")
                 .arg(d.name, conflict.guid, s.error().message));
        return;
    }
    std::optional<LocalRecord> after = localRecord(d, conflict.guid);
    if (!after) {
        fail(QStringLiteral("%1 lost %2 resolving it").arg(d.name, conflict.guid));
        return;
    }
    if (after->deleted != expectDeleted)
        fail(QStringLiteral("%1 resolved %2 (resolution %3, mine deleted %4, theirs deleted %5, "
                            "deleted here %6): the record is %7")
                 .arg(d.name, conflict.guid)
                 .arg(int(decision.resolution))
                 .arg(conflict.mineDeleted)
                 .arg(conflict.theirsDeleted)
                 .arg(local->deleted)
                 .arg(after->deleted ? QStringLiteral("deleted") : QStringLiteral("alive")));
    if (!after->deleted) {
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const FieldDef *def = entity->field(it.key());
            if (normalised(def, after->fields.value(it.key())) != normalised(def, it.value()))
                fail(QStringLiteral("%1 resolved %2.%3 (resolution %4) to %5, expected %6")
                         .arg(d.name, conflict.guid, it.key())
                         .arg(int(decision.resolution))
                         .arg(show(after->fields.value(it.key())), show(it.value())));
        }
    }
    if (decision.resolution == Resolution::KeepBoth) {
        // The copy holds this device's side: a record of its own from now on.
        Result<QList<LocalRecord>> all = d.device->store().records(local->entity, true);
        if (all && recordsBefore && all.value().size() == recordsBefore.value() + 1) {
            for (const LocalRecord &r : all.value()) {
                if (!m_created.contains(r.guid)) {
                    m_created.append(r.guid);
                    for (const FieldDef &def : entity->fields)
                        registerWrite(r.guid, def, r.fields.value(def.name));
                }
            }
        } else {
            fail(QStringLiteral("%1 kept both of %2 but made no copy").arg(d.name, conflict.guid));
        }
    }
    noteReplaced(d, conflict.guid, before, after->deleted);
}

void Run::serverEvent()
{
    // A restart; a backup of the database (taken with the server stopped); or the database
    // put back from that backup, losing every push made since.
    const int what = pick(4);
    // The twin lets go of the store while the other stops, copies or replaces it.
    if (m_twin && !m_twin->terminate())
        fail(QStringLiteral("the second server did not stop: ") + m_twin->lastError());
    bool ok = false;
    if (what == 0 || (what == 1 && !m_backup)) {
        trace(QStringLiteral("the server restarts"));
        ok = m_server.terminate() && m_server.restart();
    } else if (what == 1) {
        trace(QStringLiteral("the server is restored from its backup"));
        ++m_restores;
        ok = m_server.restoreDatabase(m_backup->path());
    } else {
        trace(QStringLiteral("the server's database is backed up"));
        m_backup = std::make_unique<QTemporaryDir>();
        ok = m_server.backupDatabase(m_backup->path());
    }
    if (!ok)
        fail(QStringLiteral("the server did not stop and start again: ") + m_server.lastError());
    if (m_twin && !m_twin->restart())
        fail(QStringLiteral("the second server did not start again: ") + m_twin->lastError());
}

bool Run::settle()
{
    for (FaultProxy *proxy : {m_proxy.get(), m_twinProxy.get()}) {
        if (proxy)
            proxy->setChaos(m_seed, 0);
    }
    for (auto &d : m_devices)
        d->online = true;
    for (int round = 0; round < 25 && !failed(); ++round) {
        bool quiet = true;
        for (auto &d : m_devices) {
            const SyncSummary summary = d->device->sync();
            trace(QStringLiteral("settle: %1 sync: sent %2, received %3, conflicts %4")
                      .arg(d->name)
                      .arg(summary.sent)
                      .arg(summary.received)
                      .arg(summary.conflicts));
            if (!summary.ok) {
                fail(QStringLiteral("settling: %1's sync failed: %2")
                         .arg(d->name, summary.error.message));
                return false;
            }
            if (summary.sent > 0 || summary.received > 0 || summary.conflicts > 0)
                quiet = false;
            opResolve(*d, false);
            if (failed())
                return false;
        }
        if (quiet)
            return true;
    }
    fail(QStringLiteral("the devices did not settle in 25 rounds"));
    return false;
}

void Run::checkFinal()
{
    Result<QHash<QString, ServerRecord>> server
        = readServerRecords(m_server.dataDir(), m_workspace);
    if (!server) {
        fail(server.error().message);
        return;
    }
    const QHash<QString, ServerRecord> &records = server.value();

    for (const QString &guid : std::as_const(m_created)) {
        if (!records.contains(guid))
            fail(QStringLiteral("record %1, made at some device, never reached the server")
                     .arg(guid));
    }

    // Every file a live record names on the server is there, with its bytes: a device whose
    // records say "synced" has sent the files they name, also after the server was put back
    // to backups that lost uploads (the upload tokens, not the push history, tell it so).
    QSet<QString> named;
    for (auto it = records.cbegin(); it != records.cend(); ++it) {
        const QJsonValue file = it->fields.value(QStringLiteral("file"));
        if (!it->deleted && file.isString() && m_fileBytes.contains(file.toString()))
            named.insert(file.toString());
    }
    if (!m_devices.empty() && !failed()) {
        Device &reader = *m_devices.front();
        for (const QString &blob : std::as_const(named)) {
            const Error fetched = reader.device->fetch(blob);
            if (!fetched.code.isEmpty()) {
                fail(QStringLiteral("file %1, named on the server, cannot be fetched: %2 (%3)")
                         .arg(blob, fetched.message, fetched.code));
                break;
            }
            QFile file(BlobStore::filePath(reader.device->blobFolder(), blob));
            if (!file.open(QIODevice::ReadOnly) || file.readAll() != m_fileBytes.value(blob)) {
                fail(QStringLiteral("file %1 came back with other bytes").arg(blob));
                break;
            }
        }
    }

    for (auto &d : m_devices) {
        const QString integrity = integrityCheck(d->device->storePath());
        if (integrity != QLatin1String("ok"))
            fail(QStringLiteral("%1's store: integrity check says %2").arg(d->name, integrity));
        Result<qint64> unsynced = d->device->store().unsyncedCount();
        if (!unsynced || unsynced.value() != 0)
            fail(QStringLiteral("%1 still has %2 records not synced")
                     .arg(d->name)
                     .arg(unsynced ? unsynced.value() : -1));
        const Schema &schema = schemaOf(*d);
        qint64 held = 0;
        for (const EntityDef &entity : schema.entities()) {
            Result<qint64> n = d->device->store().count(entity.name, true);
            held += n ? n.value() : 0;
        }
        qint64 known = 0;
        for (auto it = records.begin(); it != records.end() && !failed(); ++it) {
            const ServerRecord &s = it.value();
            const EntityDef *entity = schema.entity(s.entity);
            if (!entity)
                continue; // checked below, with the records of unknown entities
            ++known;
            std::optional<LocalRecord> local = localRecord(*d, it.key());
            const QString where = QStringLiteral("%1 %2 %3").arg(d->name, s.entity, it.key());
            if (!local) {
                fail(where + QStringLiteral(": on the server, not on the device"));
                break;
            }
            if (local->deleted != s.deleted) {
                fail(where
                     + QStringLiteral(": deleted here %1, on the server %2")
                           .arg(local->deleted)
                           .arg(s.deleted));
                break;
            }
            if (s.deleted)
                continue;
            for (const FieldDef &def : entity->fields) {
                const QJsonValue mine = normalised(&def, local->fields.value(def.name));
                const QJsonValue theirs = normalised(&def, s.fields.value(def.name));
                if (mine != theirs)
                    fail(where
                         + QStringLiteral(".%1 is %2 here, %3 on the server")
                               .arg(def.name, show(mine), show(theirs)));
            }
            for (auto f = s.fields.begin(); f != s.fields.end(); ++f) {
                if (entity->field(f.key()))
                    continue;
                if (normalised(nullptr, local->extra.value(f.key()))
                    != normalised(nullptr, f.value()))
                    fail(where
                         + QStringLiteral(": the unknown field %1 is %2 here, %3 on the server")
                               .arg(f.key(), show(local->extra.value(f.key())), show(f.value())));
            }
        }
        if (!failed() && held != known)
            fail(QStringLiteral("%1 holds %2 records, the server %3")
                     .arg(d->name)
                     .arg(held)
                     .arg(known));
        if (d->narrow && !failed()) {
            // Records of entities this app does not know are kept as the server has them.
            QSqlDatabase db
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("foreign"));
            db.setDatabaseName(d->device->storePath());
            QHash<QString, QPair<bool, QJsonObject>> foreign;
            if (db.open()) {
                QSqlQuery q(db);
                q.exec(QStringLiteral("SELECT guid, deleted, fields FROM foreign_records"));
                while (q.next())
                    foreign.insert(
                        q.value(0).toString(),
                        {q.value(1).toInt() != 0,
                         QJsonDocument::fromJson(q.value(2).toString().toUtf8()).object()});
            }
            db = QSqlDatabase();
            QSqlDatabase::removeDatabase(QStringLiteral("foreign"));
            for (auto it = records.begin(); it != records.end(); ++it) {
                if (schema.entity(it->entity))
                    continue;
                const QString where = QStringLiteral("%1 %2 %3 (unknown entity)")
                                          .arg(d->name, it->entity, it.key());
                if (!foreign.contains(it.key())) {
                    fail(where + QStringLiteral(": not kept"));
                    continue;
                }
                const auto &[deleted, fields] = foreign.value(it.key());
                if (deleted != it->deleted)
                    fail(where
                         + QStringLiteral(": deleted %1 here, %2 on the server")
                               .arg(deleted)
                               .arg(it->deleted));
                else if (!deleted && fields != it->fields)
                    fail(where
                         + QStringLiteral(": fields %1 here, %2 on the server")
                               .arg(show(fields), show(it->fields)));
            }
        }
    }

    // No edit lost: every value written is there, or someone who saw it replaced it.
    for (auto r = m_written.begin(); r != m_written.end() && !failed(); ++r) {
        const ServerRecord s = records.value(r.key());
        const EntityDef *entity = m_schema.entity(s.entity);
        if (!entity)
            continue;
        for (auto f = r->begin(); f != r->end(); ++f) {
            const QSet<QString> final = s.deleted
                ? QSet<QString>()
                : tokensOf(entity->field(f.key()), s.fields.value(f.key()));
            const QSet<QString> lost = f.value() - final - m_replaced.value(r.key()).value(f.key());
            if (!lost.isEmpty()) {
                const QString token = *lost.begin();
                fail(QStringLiteral("lost edit: %1.%2 of %3 was set to %4 (%5); the server %6, and "
                                    "no device that showed it replaced it")
                         .arg(s.entity, f.key(), r.key(), token, m_writtenBy.value(token),
                              s.deleted
                                  ? QStringLiteral("deleted the record")
                                  : QStringLiteral("holds ") + show(s.fields.value(f.key()))));
                break;
            }
        }
    }
}

QString Run::run()
{
    m_workspace = m_server.newWorkspace(m_owner);
    if (m_seed % 3 == 0) {
        m_proxy = std::make_unique<FaultProxy>(m_server.port());
        if (!m_proxy->listen())
            return fail(QStringLiteral("the fault proxy cannot listen"));
        m_proxy->setChaos(m_seed, 20);
        if (m_twin) {
            m_twinProxy = std::make_unique<FaultProxy>(m_twin->port());
            if (!m_twinProxy->listen())
                return fail(QStringLiteral("the fault proxy cannot listen"));
            m_twinProxy->setChaos(m_seed + 1, 20);
        }
    }
    const int initial = 3 + pick(2);
    for (int i = 0; i < initial; ++i)
        addDevice();
    for (m_step = 1; m_step <= m_steps && !failed(); ++m_step) {
        Device &d = *m_devices.at(pick(int(m_devices.size())));
        const int op = pick(100);
        if (op < 14)
            opCreate(d);
        else if (op < 44)
            opEdit(d);
        else if (op < 51)
            opDelete(d);
        else if (op < 56)
            opRestore(d);
        else if (op < 64)
            opResolve(d, true);
        else if (op < 86) {
            if (d.online)
                opSync(d);
        } else if (op < 91) {
            d.online = !d.online;
            trace(
                QStringLiteral("%1 goes %2")
                    .arg(d.name, d.online ? QStringLiteral("online") : QStringLiteral("offline")));
        } else if (op < 94) {
            trace(QStringLiteral("%1 restarts").arg(d.name));
            d.device->restart();
        } else if (op < 96) {
            if (m_devices.size() < 5) {
                addDevice();
                trace(QStringLiteral("%1 joins, pull pages of %2")
                          .arg(m_devices.back()->name)
                          .arg(m_devices.back()->pageSize));
            }
        } else if (op < 99) {
            serverEvent();
        } else {
            static const int kPageSizes[] = {1, 2, 3, 5, 17, 5000};
            d.pageSize = kPageSizes[pick(6)];
            d.device->setPullPageSize(d.pageSize);
        }
    }
    if (!failed() && settle())
        checkFinal();
    return m_failure;
}

} // namespace

class TestConvergence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void randomRuns();

private:
    ServerProcess m_server;
    // With PostgreSQL, a second server on the same database: devices talk to both.
    std::unique_ptr<ServerProcess> m_twin;
    // Every seed makes a workspace, and one account may hold at most
    // ServerStore::kMaxMemberships: each block of kSeedsPerAccount seeds has an account of its
    // own ("alice0", "alice1", …), so a long soak never meets the cap.
    static constexpr int kSeedsPerAccount = 500;
    QHash<int, QString> m_tokens; // by block
};

void TestConvergence::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    if (TestPostgres::enabled()) {
        m_twin = std::make_unique<ServerProcess>();
        m_twin->shareStoreWith(m_server);
        QVERIFY2(m_twin->start(), qPrintable(m_twin->lastError()));
        qInfo("two servers on one PostgreSQL database: %s and %s",
              qPrintable(m_server.url().toString()), qPrintable(m_twin->url().toString()));
    }
}

void TestConvergence::randomRuns()
{
    const int only = envInt("FERRY_SEED", 0);
    const int first = only > 0 ? only : envInt("FERRY_FIRST_SEED", 1);
    const int count = only > 0 ? 1 : envInt("FERRY_SEEDS", 200);
    const int steps = envInt("FERRY_STEPS", 125);
    const bool keepGoing = qEnvironmentVariableIsSet("FERRY_KEEP_GOING");
    QElapsedTimer clock;
    clock.start();
    QStringList failures;
    int faults = 0;
    int restores = 0;
    for (int seed = first; seed < first + count; ++seed) {
        const int block = seed / kSeedsPerAccount;
        const QString owner = QStringLiteral("alice%1").arg(block);
        if (!m_tokens.contains(block)) {
            m_tokens.insert(block, m_server.createToken(owner));
            QVERIFY(!m_tokens.value(block).isEmpty());
        }
        Run run(quint32(seed), steps, m_server, m_twin.get(), owner, m_tokens.value(block));
        const QString failure = run.run();
        for (int n : run.faults())
            faults += n;
        restores += run.restores();
        if (failure.isEmpty())
            continue;
        failures.append(
            QStringLiteral("seed %1: %2\n  replay: FERRY_SEED=%1 FERRY_STEPS=%3 %4 randomRuns")
                .arg(seed)
                .arg(failure)
                .arg(steps)
                .arg(QCoreApplication::applicationFilePath()));
        qWarning("%s", qPrintable(failures.last()));
        if (!keepGoing)
            break;
    }
    qInfo("%d seeds from %d, %d operations each (%d network faults injected, %d servers "
          "restored from a backup): %lld failed, %.1f s",
          count, first, steps, faults, restores, qlonglong(failures.size()),
          clock.elapsed() / 1000.0);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestConvergence)
#include "tst_convergence.moc"
