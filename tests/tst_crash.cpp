// Crash trials. A real ferry-cli is killed (SIGKILL) at a random moment of a sync that pushes
// and pulls (pushing, between pushes, between pull pages, storing a page), or of a first sync
// of a large workspace; a real ferry-server is killed at a random moment of a device's pushes,
// or right after it took a push whose answer was lost. Then everything goes on. After each
// trial the server must hold every record made and every edit, exactly once; each device must
// equal the server with nothing left to send; every SQLite file must pass integrity_check. A
// trial is deterministic from its seed in what it makes and edits and in when it kills (a
// fraction of an un-killed sync measured first); a failure prints the command that replays it.
// Under scripts/with-postgres.sh the servers keep their data in PostgreSQL and are read there.
//
//   FERRY_CRASH_TRIALS=N      trials of each kind (default 20), seeds from FERRY_CRASH_FIRST_SEED
//   FERRY_CRASH_SEED=S        run seed S only, FERRY_CRASH_TRIALS times (default once): where
//                             a kill lands also depends on timing
//   FERRY_CRASH_SPAN_US=U     kill within U µs instead of measuring an un-killed sync first
//   FERRY_KEEP_GOING=1        go on after a failed trial
#include "clirun.h"
#include "faultproxy.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QMap>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>
#include <QThread>
#include <QUuid>

using namespace Ferry;
using namespace FerryTest;

// Ends the trial function with `why` as its failure unless `ok`.
#define EXPECT(ok, why)                                                                            \
    do {                                                                                           \
        if (!(ok))                                                                                 \
            return QString(why);                                                                   \
    } while (false)
// Ends the trial function with the failure of a step, if it failed.
#define EXPECT_OK(step)                                                                            \
    do {                                                                                           \
        if (QString failure_ = (step); !failure_.isEmpty())                                        \
            return failure_;                                                                       \
    } while (false)

namespace {

const QString kUser = QStringLiteral("alice");

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int value = qEnvironmentVariableIntValue(name, &ok);
    return ok ? value : fallback;
}

// A record as the trial made it: what the server and every device must hold in the end.
struct Expected
{
    QString entity;
    bool deleted = false;
    QJsonObject fields;
};
using Model = QHash<QString, Expected>;

// Field values as both sides are compared: nulls and empty sets left out, sets sorted.
QJsonObject normalised(const QJsonObject &fields)
{
    QJsonObject out;
    for (auto it = fields.begin(); it != fields.end(); ++it) {
        QJsonValue value = it.value();
        if (value.isArray()) {
            QStringList members;
            for (const QJsonValue member : value.toArray())
                members.append(member.toString());
            members.sort();
            value = members.isEmpty() ? QJsonValue() : QJsonArray::fromStringList(members);
        }
        if (!value.isNull() && !value.isUndefined())
            out.insert(it.key(), value);
    }
    return out;
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact)).left(300);
}

// At most ten problems, then how many more.
QString summarise(const QStringList &problems)
{
    QStringList shown = problems.mid(0, 10);
    if (problems.size() > 10)
        shown.append(QStringLiteral("… and %1 more").arg(problems.size() - 10));
    return shown.join(QStringLiteral("\n    "));
}

// One read-only query on an open database, outside the code under test: the first column of
// each row.
Result<QVariantList> column(QSqlDatabase db, const QString &sql, const QVariantList &values)
{
    Result<QVariantList> rows = QVariantList();
    QSqlQuery query(db);
    bool ok = db.isOpen() && query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    ok = ok && query.exec();
    while (ok && query.next())
        rows->append(query.value(0));
    if (!ok)
        rows = Error {
            QStringLiteral("test"),
            QStringLiteral("%1: %2 %3").arg(sql, db.lastError().text(), query.lastError().text())};
    return rows;
}

// column() on a connection of its own, removed when done: `open` makes it.
template<typename Open>
Result<QVariantList> columnOn(Open open, const QString &sql, const QVariantList &values)
{
    const QString name = QUuid::createUuid().toString();
    Result<QVariantList> rows = QVariantList();
    {
        QSqlDatabase db = open(name);
        rows = column(db, sql, values);
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return rows;
}

// column() on a device's SQLite file.
Result<QVariantList> column(const QString &path, const QString &sql,
                            const QVariantList &values = {})
{
    return columnOn(
        [&path](const QString &name) {
            QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
            db.setDatabaseName(path);
            db.setConnectOptions(
                QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"));
            db.open();
            return db;
        },
        sql, values);
}

// column() on a server's database, SQLite or PostgreSQL.
Result<QVariantList> serverColumn(const ServerProcess &server, const QString &sql,
                                  const QVariantList &values = {})
{
    const QString dataDir = server.dataDir();
    return columnOn([&dataDir](const QString &name) { return openServerDatabase(name, dataDir); },
                    sql, values);
}

// `PRAGMA integrity_check` of the server's SQLite file. A PostgreSQL server is not what the
// trials kill (ferry-server is): a killed server's transaction is rolled back by PostgreSQL,
// and what the kill could still have got wrong is read by verify() and landing().
QString serverIntegrity(const ServerProcess &server)
{
    if (!server.database().isEmpty())
        return QStringLiteral("ok");
    return integrityCheck(QDir(server.dataDir()).filePath(QStringLiteral("ferry.db")));
}

// The batch ids the server remembers for a workspace.
Result<QVariantList> serverBatches(const ServerProcess &server, const QString &workspace)
{
    return serverColumn(server, QStringLiteral("SELECT batch FROM batches WHERE workspace = ?"),
                        {workspace});
}

// The push batch a store holds to send (again): none or one.
Result<QVariantList> pendingBatch(const QString &storePath)
{
    return column(storePath, QStringLiteral("SELECT batch FROM outbox"));
}

qint64 unsyncedIn(const QString &storePath)
{
    QStringList counts;
    const Schema schema = Schema::defaultSchema();
    for (const EntityDef &entity : schema.entities())
        counts.append(
            QStringLiteral("(SELECT COUNT(*) FROM rec_%1 WHERE status != 0)").arg(entity.name));
    const Result<QVariantList> sum
        = column(storePath, QStringLiteral("SELECT ") + counts.join(QLatin1Char('+')));
    return sum ? sum->value(0).toLongLong() : -1;
}

qint64 cursorOf(const QString &storePath)
{
    const Result<QVariantList> cursor
        = column(storePath, QStringLiteral("SELECT value FROM meta WHERE key = 'cursor'"));
    return cursor ? cursor->value(0).toLongLong() : -1;
}

// Where a kill landed, read from what the store and the server hold afterwards.
QString landing(const QString &storePath, const ServerProcess &server, const QString &workspace,
                qint64 unsyncedBefore, qint64 cursorBefore)
{
    const Result<QVariantList> pending = pendingBatch(storePath);
    const Result<QVariantList> taken = serverBatches(server, workspace);
    const Result<qint64> sequence = readServerSequence(server.dataDir(), workspace);
    if (!pending || !taken || !sequence)
        return QStringLiteral("unknown");
    if (!pending->isEmpty())
        return taken->contains(pending->first())
            ? QStringLiteral("push taken by the server, its answer not stored")
            : QStringLiteral("push sent or being sent");
    const qint64 unsynced = unsyncedIn(storePath);
    if (unsynced > 0)
        return unsynced == unsyncedBefore ? QStringLiteral("before the first push")
                                          : QStringLiteral("between pushes");
    const qint64 cursor = cursorOf(storePath);
    if (cursor >= sequence.value())
        return QStringLiteral("after the last page was stored");
    return cursor > cursorBefore ? QStringLiteral("pulling, some pages stored")
                                 : QStringLiteral("pulling, no page stored yet");
}

// What is wrong with the server's records against the model: records missing, extra or
// different, and any title held by two records (one record stored twice under two guids).
QStringList compareServer(const Model &model, const QHash<QString, ServerRecord> &server)
{
    QStringList problems;
    QHash<QString, QString> titles;
    for (auto it = server.begin(); it != server.end(); ++it) {
        const QJsonObject fields = it->fields;
        const QString title
            = fields
                  .value(it->entity == QLatin1String("Tag") ? QStringLiteral("name")
                                                            : QStringLiteral("title"))
                  .toString();
        if (!it->deleted && titles.contains(title))
            problems.append(QStringLiteral("the title %1 is on two records: %2 and %3")
                                .arg(title, titles.value(title), it.key()));
        titles.insert(title, it.key());
        if (!model.contains(it.key()))
            problems.append(QStringLiteral("%1 %2 is on the server but was never made: %3")
                                .arg(it->entity, it.key(), compact(fields)));
    }
    for (auto it = model.begin(); it != model.end(); ++it) {
        const auto found = server.find(it.key());
        if (found == server.end()) {
            problems.append(QStringLiteral("%1 %2 is missing on the server: %3")
                                .arg(it->entity, it.key(), compact(it->fields)));
            continue;
        }
        if (found->entity != it->entity || found->deleted != it->deleted)
            problems.append(QStringLiteral("%1 %2 is a %3%4 on the server, made as a %5%6")
                                .arg(it->entity, it.key(), found->entity,
                                     found->deleted ? QStringLiteral(" (deleted)") : QString(),
                                     it->entity,
                                     it->deleted ? QStringLiteral(" (deleted)") : QString()));
        else if (!it->deleted && normalised(found->fields) != it->fields)
            problems.append(QStringLiteral("%1 %2 on the server: %3, expected %4")
                                .arg(it->entity, it.key(), compact(normalised(found->fields)),
                                     compact(it->fields)));
    }
    return problems;
}

// Signs that the server applied a change twice. No record of these trials is changed on two
// devices, so every mutation the server answered was made on the record's latest revision
// and is `applied`; one answered `merged` or `conflict` was sent again after the server had
// taken it (under a new batch id). And every push changes something, so each batch the
// server took advanced the sequence once.
QStringList pushedTwice(const ServerProcess &server, const QString &workspace, qint64 sequence)
{
    const Result<QVariantList> answers = serverColumn(
        server, QStringLiteral("SELECT response FROM batches WHERE workspace = ?"), {workspace});
    if (!answers)
        return {answers.error().message};
    QStringList problems;
    if (answers->size() != sequence)
        problems.append(QStringLiteral("the server took %1 batches for a sequence of %2")
                            .arg(answers->size())
                            .arg(sequence));
    QMap<QString, int> statuses;
    QString example;
    for (const QVariant &answer : answers.value()) {
        const QJsonArray results = QJsonDocument::fromJson(answer.toByteArray())
                                       .object()
                                       .value(QStringLiteral("results"))
                                       .toArray();
        for (const QJsonValue result : results) {
            const QString status = result[QStringLiteral("status")].toString();
            if (status == QLatin1String("applied"))
                continue;
            ++statuses[status];
            example = result[QStringLiteral("guid")].toString();
        }
    }
    for (auto it = statuses.begin(); it != statuses.end(); ++it)
        problems.append(QStringLiteral("the server answered %1 mutation(s) %2 (e.g. %3): pushed "
                                       "again after it had taken them")
                            .arg(it.value())
                            .arg(it.key(), example));
    return problems;
}

// What is wrong with a device's store against the server's records: every record there at
// the server's revision, nothing left to send, no conflict, the cursor at the sequence.
QStringList compareDevice(LocalStore &store, const QHash<QString, ServerRecord> &server,
                          qint64 sequence)
{
    QStringList problems;
    QHash<QString, LocalRecord> local;
    for (const EntityDef &entity : store.schema().entities()) {
        const Result<QList<LocalRecord>> records = store.records(entity.name, true);
        if (!records)
            return {records.error().message};
        for (const LocalRecord &record : records.value())
            local.insert(record.guid, record);
    }
    for (auto it = server.begin(); it != server.end(); ++it) {
        const auto found = local.find(it.key());
        if (found == local.end()) {
            problems.append(QStringLiteral("%1 %2 is on the server, not on the device")
                                .arg(it->entity, it.key()));
            continue;
        }
        const bool fieldsDiffer
            = !it->deleted && normalised(found->fields) != normalised(it->fields);
        if (found->deleted != it->deleted || found->rev != it->rev || fieldsDiffer
            || found->status != SyncStatus::Synced || !found->dirty.isEmpty())
            problems.append(
                QStringLiteral("%1 %2 on the device: rev %3, %4, %5, dirty [%6] %7; on the "
                               "server: rev %8, %9 %10")
                    .arg(it->entity, it.key())
                    .arg(found->rev)
                    .arg(found->deleted ? QStringLiteral("deleted") : QStringLiteral("live"),
                         statusName(found->status), found->dirty.join(QLatin1Char(',')),
                         compact(normalised(found->fields)))
                    .arg(it->rev)
                    .arg(it->deleted ? QStringLiteral("deleted") : QStringLiteral("live"),
                         compact(normalised(it->fields))));
    }
    for (auto it = local.begin(); it != local.end(); ++it) {
        if (!server.contains(it.key()))
            problems.append(QStringLiteral("%1 %2 is on the device, not on the server")
                                .arg(it->entity, it.key()));
    }
    const Result<qint64> unsynced = store.unsyncedCount();
    const Result<qint64> conflicts = store.conflictCount();
    if (!unsynced || unsynced.value() != 0 || !conflicts || conflicts.value() != 0)
        problems.append(QStringLiteral("the device has %1 unsynced record(s), %2 conflict(s)")
                            .arg(unsynced ? unsynced.value() : -1)
                            .arg(conflicts ? conflicts.value() : -1));
    const Result<QVariantList> pending = pendingBatch(store.path());
    if (!pending || !pending->isEmpty())
        problems.append(pending ? QStringLiteral("the device still holds a push batch")
                                : pending.error().message);
    if (store.cursor() != sequence)
        problems.append(QStringLiteral("the device's cursor is %1, the server's sequence %2")
                            .arg(store.cursor())
                            .arg(sequence));
    return problems;
}

// Makes one trial's records and edits on a store, deterministically from the trial's random
// generator, and notes each in the model. Titles are unique (prefix, number, edit), so one
// record stored twice under two guids shows as one title on two records.
class RecordMaker
{
public:
    RecordMaker(QRandomGenerator &random, Model &model, QString prefix)
        : m_random(random)
        , m_model(model)
        , m_prefix(std::move(prefix))
    { }

    // A new Post (some with a large body) or, one in eight, a Tag; empty on failure.
    QString create(LocalStore &store)
    {
        const bool tag = m_random.bounded(8) == 0;
        const QString entity = tag ? QStringLiteral("Tag") : QStringLiteral("Post");
        const QJsonObject fields = tag
            ? QJsonObject {{QStringLiteral("name"), nextTitle()},
                           {QStringLiteral("color"), color()}}
            : QJsonObject {{QStringLiteral("title"), nextTitle()},
                           {QStringLiteral("body"), body()},
                           {QStringLiteral("rating"), rating()},
                           {QStringLiteral("pinned"), m_random.bounded(2) == 1},
                           {QStringLiteral("tags"), someTags()}};
        const Result<QString> guid = store.createRecord(entity, fields);
        if (!guid) {
            m_error = guid.error().message;
            return {};
        }
        m_model.insert(guid.value(), Expected {entity, false, normalised(fields)});
        if (tag)
            m_tags.append(guid.value());
        return guid.value();
    }

    // Changes one to three fields of a live record (a field may be cleared).
    bool edit(LocalStore &store, const QString &guid)
    {
        Expected &expected = m_model[guid];
        QJsonObject changes;
        const int count = 1 + int(m_random.bounded(3));
        if (expected.entity == QLatin1String("Tag")) {
            changes.insert(QStringLiteral("name"), nextTitle());
            if (m_random.bounded(2) == 0)
                changes.insert(QStringLiteral("color"), color());
        }
        for (int i = 0; i < count && expected.entity == QLatin1String("Post"); ++i) {
            switch (m_random.bounded(5)) {
            case 0:
                changes.insert(QStringLiteral("title"), nextTitle());
                break;
            case 1:
                changes.insert(QStringLiteral("body"), body());
                break;
            case 2:
                changes.insert(QStringLiteral("rating"),
                               m_random.bounded(4) ? rating() : QJsonValue());
                break;
            case 3:
                changes.insert(QStringLiteral("pinned"),
                               !expected.fields.value(QStringLiteral("pinned")).toBool());
                break;
            default:
                changes.insert(QStringLiteral("tags"), someTags());
                break;
            }
        }
        if (Status s = store.updateRecord(guid, changes); !s) {
            m_error = s.error().message;
            return false;
        }
        QJsonObject fields = expected.fields;
        for (auto it = changes.begin(); it != changes.end(); ++it)
            fields.insert(it.key(), it.value());
        expected.fields = normalised(fields);
        return true;
    }

    bool remove(LocalStore &store, const QString &guid)
    {
        if (Status s = store.deleteRecord(guid); !s) {
            m_error = s.error().message;
            return false;
        }
        m_model[guid].deleted = true;
        return true;
    }

    QString error() const { return m_error; }

private:
    QString nextTitle() { return QStringLiteral("%1-%2").arg(m_prefix).arg(++m_made); }
    QString color()
    {
        static const QStringList colors {QStringLiteral("red"), QStringLiteral("teal"),
                                         QStringLiteral("ochre"), QStringLiteral("plum")};
        return colors.at(int(m_random.bounded(int(colors.size()))));
    }
    QJsonValue rating() { return int(m_random.bounded(6)); }
    // Mostly a line or two; one in six a few kilobytes, so pushes and pages have weight.
    QString body()
    {
        static const QStringList words {QStringLiteral("ferry"),    QStringLiteral("river"),
                                        QStringLiteral("crossing"), QStringLiteral("rope"),
                                        QStringLiteral("tide"),     QStringLiteral("éclair"),
                                        QStringLiteral("line\n"),   QStringLiteral("zwölf")};
        const int length = m_random.bounded(6) == 0 ? 500 + int(m_random.bounded(2000))
                                                    : 3 + int(m_random.bounded(40));
        QStringList text;
        for (int i = 0; i < length; ++i)
            text.append(words.at(int(m_random.bounded(int(words.size())))));
        return text.join(QLatin1Char(' '));
    }
    QJsonValue someTags()
    {
        QStringList tags;
        if (!m_tags.isEmpty() && m_random.bounded(3) == 0) {
            for (int i = 0, n = 1 + int(m_random.bounded(3)); i < n; ++i)
                tags.append(m_tags.at(int(m_random.bounded(int(m_tags.size())))));
        }
        tags.removeDuplicates();
        return QJsonArray::fromStringList(tags);
    }

    QRandomGenerator &m_random;
    Model &m_model;
    QString m_prefix;
    int m_made = 0;
    QStringList m_tags;
    QString m_error;
};

// A seeded shuffle of `guids`.
QStringList shuffled(QStringList guids, QRandomGenerator &random)
{
    for (qsizetype i = guids.size() - 1; i > 0; --i)
        guids.swapItemsAt(i, qsizetype(random.bounded(quint32(i + 1))));
    return guids;
}

// How one trial went, for the choice of the kill window and the tally of where kills land.
struct Outcome
{
    qint64 syncUs = 0; // without a kill: how long the part of the sync to kill in took
    qint64 delayUs = 0;
    QString landed;
};

} // namespace

class TestCrash : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void clientKilledMidSync();
    void clientKilledMidPull();
    void serverKilledMidPush();

private:
    using Trial = QString (TestCrash::*)(quint32 seed, qint64 spanUs, Outcome *outcome);
    // Measures an un-killed trial, then runs the seeded trials killing within its span.
    void runTrials(const char *function, Trial trial);
    // One trial; empty if it passed, else what went wrong. `spanUs` 0: nothing is killed and
    // the outcome says how long the sync (client) or its pushes (server) took.
    QString clientTrial(quint32 seed, qint64 spanUs, Outcome *outcome);
    QString pullTrial(quint32 seed, qint64 spanUs, Outcome *outcome);
    QString serverTrial(quint32 seed, qint64 spanUs, Outcome *outcome);
    // Runs `ferry-cli sync …` on a profile and kills it after `delayUs` (0: lets it end and
    // measures it); then checks the store's integrity.
    QString killedSync(const QString &profile, const QString &workspace,
                       const QStringList &arguments, double delayUs, Outcome *outcome);
    // The server's records against the model, and each store against the server.
    QString verify(ServerProcess &server, const QString &workspace, const Model &model,
                   const QList<LocalStore *> &stores);

    ServerProcess m_server; // the client trials' server, never killed
    QString m_token;
    QString m_pullWorkspace; // written once, then only pulled by the pull trials
    Model m_pullModel;
    ServerProcess m_crashing; // killed and restarted in the server trials
    QString m_crashingToken;
};

void TestCrash::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    QVERIFY2(m_crashing.start(), qPrintable(m_crashing.lastError()));
    m_token = m_server.createToken(kUser);
    m_crashingToken = m_crashing.createToken(kUser);
    QVERIFY(!m_token.isEmpty() && !m_crashingToken.isEmpty());
}

void TestCrash::runTrials(const char *function, Trial trial)
{
    const int only = envInt("FERRY_CRASH_SEED", 0);
    const int first = only > 0 ? only : envInt("FERRY_CRASH_FIRST_SEED", 1);
    const int count = envInt("FERRY_CRASH_TRIALS", only > 0 ? 1 : 20);
    const bool keepGoing = qEnvironmentVariableIsSet("FERRY_KEEP_GOING");
    QElapsedTimer clock;
    clock.start();

    // The kill window: how long the sync takes un-killed, the mean of two runs since the
    // first one of the process runs cold.
    qint64 spanUs = envInt("FERRY_CRASH_SPAN_US", 0);
    if (spanUs <= 0) {
        for (int run = 0; run < 2; ++run) {
            Outcome measured;
            const QString unkilled = (this->*trial)(0, 0, &measured);
            QVERIFY2(unkilled.isEmpty(), qPrintable(QStringLiteral("without a kill: ") + unkilled));
            spanUs += qMax<qint64>(1, measured.syncUs / 2);
        }
    }

    QStringList failures;
    QMap<QString, int> landings;
    for (int n = 0; n < count; ++n) {
        const int seed = only > 0 ? only : first + n;
        Outcome outcome;
        const QString failure = (this->*trial)(quint32(seed), spanUs, &outcome);
        ++landings[outcome.landed];
        if (failure.isEmpty())
            continue;
        failures.append(QStringLiteral("seed %1 (killed after %2 µs of %3, %4): %5\n  replay: "
                                       "FERRY_CRASH_SEED=%1 FERRY_CRASH_SPAN_US=%3 %6 %7")
                            .arg(seed)
                            .arg(outcome.delayUs)
                            .arg(spanUs)
                            .arg(outcome.landed, failure, QCoreApplication::applicationFilePath(),
                                 QString::fromLatin1(function)));
        qWarning("%s", qPrintable(failures.last()));
        if (!keepGoing)
            break;
    }
    QStringList tally;
    for (auto it = landings.begin(); it != landings.end(); ++it)
        tally.append(QStringLiteral("%1: %2").arg(it.key()).arg(it.value()));
    qInfo("%d trials from seed %d, kill window %lld µs, %.1f s; kills landed: %s", count, first,
          qlonglong(spanUs), clock.elapsed() / 1000.0,
          qPrintable(tally.join(QStringLiteral("; "))));
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
}

// A device with over a thousand changes to send and several pages to receive.
void TestCrash::clientKilledMidSync()
{
    runTrials("clientKilledMidSync", &TestCrash::clientTrial);
}

// A device's first sync of a large workspace, killed between pages or while it stores one.
void TestCrash::clientKilledMidPull()
{
    QRandomGenerator random(0);
    m_pullWorkspace = m_server.newWorkspace(kUser);
    TestDevice writer(SyncConfig {m_server.url(), m_token, m_pullWorkspace});
    RecordMaker maker(random, m_pullModel, QStringLiteral("pull"));
    QStringList made;
    for (int push = 0; push < 16; ++push) {
        for (int i = 0; i < 250; ++i)
            made.append(maker.create(writer.store()));
        // Later pushes change records of earlier ones, so pages hold records out of order.
        for (int i = 0; push > 0 && i < 20; ++i)
            maker.edit(writer.store(), made.at(int(random.bounded(int(made.size() - 250)))));
        maker.remove(writer.store(), made.takeAt(int(random.bounded(int(made.size())))));
        QVERIFY2(maker.error().isEmpty(), qPrintable(maker.error()));
        SYNC_OK(writer);
    }
    runTrials("clientKilledMidPull", &TestCrash::pullTrial);
}

// A device sending two or three batches to a server that is killed and started again.
void TestCrash::serverKilledMidPush()
{
    runTrials("serverKilledMidPush", &TestCrash::serverTrial);
}

QString TestCrash::verify(ServerProcess &server, const QString &workspace, const Model &model,
                          const QList<LocalStore *> &stores)
{
    const Result<QHash<QString, ServerRecord>> records
        = readServerRecords(server.dataDir(), workspace);
    const Result<qint64> sequence = readServerSequence(server.dataDir(), workspace);
    EXPECT(records && sequence, records ? sequence.error().message : records.error().message);
    QStringList problems = compareServer(model, records.value());
    problems += pushedTwice(server, workspace, sequence.value());
    for (LocalStore *store : stores) {
        for (const QString &problem : compareDevice(*store, records.value(), sequence.value()))
            problems.append(QStringLiteral("%1: %2").arg(store->path(), problem));
        const QString integrity = integrityCheck(store->path());
        if (integrity != QLatin1String("ok"))
            problems.append(
                QStringLiteral("%1: integrity_check: %2").arg(store->path(), integrity));
    }
    const QString integrity = serverIntegrity(server);
    if (integrity != QLatin1String("ok"))
        problems.append(QStringLiteral("the server's database: integrity_check: ") + integrity);
    return summarise(problems);
}

QString TestCrash::killedSync(const QString &profile, const QString &workspace,
                              const QStringList &arguments, double delayUs, Outcome *outcome)
{
    const QString storePath = QDir(profile).filePath(QStringLiteral("ferry.db"));
    const qint64 unsyncedBefore = unsyncedIn(storePath);
    const qint64 cursorBefore = cursorOf(storePath);
    QProcess cli;
    QElapsedTimer clock;
    clock.start();
    cli.start(QStringLiteral(FERRY_CLI_PATH),
              QStringList {QStringLiteral("--profile"), profile} + arguments);
    if (delayUs <= 0) {
        EXPECT(cli.waitForFinished(60000), QStringLiteral("the un-killed sync did not end"));
        outcome->syncUs = clock.nsecsElapsed() / 1000;
        EXPECT(cli.exitStatus() == QProcess::NormalExit && cli.exitCode() == 0,
               QStringLiteral("the un-killed sync failed: ")
                   + QString::fromUtf8(cli.readAllStandardError()));
        outcome->landed = QStringLiteral("not killed");
    } else {
        outcome->delayUs = qint64(delayUs);
        const qint64 left = outcome->delayUs - clock.nsecsElapsed() / 1000;
        if (left > 0)
            QThread::usleep(quint64(left));
        cli.kill();
        EXPECT(cli.waitForFinished(10000), QStringLiteral("ferry-cli did not end when killed"));
        outcome->landed = cli.exitStatus() == QProcess::NormalExit
            ? QStringLiteral("after the sync ended")
            : landing(storePath, m_server, workspace, unsyncedBefore, cursorBefore);
    }
    const QString integrity = integrityCheck(storePath);
    EXPECT(integrity == QLatin1String("ok"), QStringLiteral("store after the kill: ") + integrity);
    return {};
}

QString TestCrash::clientTrial(quint32 seed, qint64 spanUs, Outcome *outcome)
{
    QRandomGenerator random(seed);
    const SyncConfig config {m_server.url(), m_token, m_server.newWorkspace(kUser)};
    Model model;
    QTemporaryDir profile;
    const QString storePath = profile.filePath(QStringLiteral("ferry.db"));
    const CliRun login = runCli(profile.path(),
                                {QStringLiteral("login"), QStringLiteral("--server"),
                                 config.server.toString(), QStringLiteral("--token"), config.token,
                                 QStringLiteral("--workspace"), config.workspace});
    EXPECT(login.exitCode == 0, QStringLiteral("login: ") + login.err);
    const auto openStore = [&]() {
        return LocalStore::open(storePath, Schema::defaultSchema());
    };

    // Records this device synced before; another device then edits some and adds its own
    // in several pushes, so the pull of the killed sync has several pages.
    RecordMaker mine(random, model, QStringLiteral("s%1-mine").arg(seed));
    QStringList synced;
    {
        Result<std::unique_ptr<LocalStore>> store = openStore();
        EXPECT(store, store.error().message);
        for (int i = 0, n = 40 + int(random.bounded(110)); i < n; ++i)
            synced.append(mine.create(*store.value()));
        EXPECT(mine.error().isEmpty(), mine.error());
    }
    const CliRun first = runCli(profile.path(), {QStringLiteral("sync")});
    EXPECT(first.exitCode == 0, QStringLiteral("first sync: ") + first.err);
    synced = shuffled(synced, random);
    const qsizetype quarter = synced.size() / 4;
    TestDevice other(config);
    RecordMaker theirs(random, model, QStringLiteral("s%1-theirs").arg(seed));
    EXPECT(other.sync().ok, QStringLiteral("the other device's first sync failed"));
    for (const QString &guid : synced.mid(0, quarter))
        theirs.edit(other.store(), guid);
    for (int round = 0, rounds = 2 + int(random.bounded(4)); round < rounds; ++round) {
        for (int i = 0, n = 20 + int(random.bounded(130)); i < n; ++i)
            theirs.create(other.store());
        EXPECT(theirs.error().isEmpty(), theirs.error());
        EXPECT(other.sync().ok, QStringLiteral("the other device's sync failed"));
    }

    // What the killed sync is to send: edits, deletes and over a thousand new records.
    QStringList live; // this device's records, not deleted
    {
        Result<std::unique_ptr<LocalStore>> store = openStore();
        EXPECT(store, store.error().message);
        for (const QString &guid : synced.mid(quarter, quarter))
            mine.edit(*store.value(), guid);
        for (const QString &guid : synced.mid(2 * quarter, 5))
            mine.remove(*store.value(), guid);
        live = synced.mid(2 * quarter + 5) + synced.mid(quarter, quarter);
        for (int i = 0, n = 1050 + int(random.bounded(650)); i < n; ++i) {
            const QString guid = mine.create(*store.value());
            if (random.bounded(20) == 0)
                mine.edit(*store.value(), guid);
            if (random.bounded(100) == 0)
                mine.remove(*store.value(), guid);
            else
                live.append(guid);
        }
        EXPECT(mine.error().isEmpty(), mine.error());
    }
    const QStringList syncArguments {QStringLiteral("sync"), QStringLiteral("--page-size"),
                                     QString::number(50 + random.bounded(350))};
    const double killAt = random.generateDouble();
    const bool editAfterwards = random.bounded(2) == 1;
    EXPECT_OK(
        killedSync(profile.path(), config.workspace, syncArguments, spanUs * killAt, outcome));
    // The person goes on working before the next sync: edits, a new record, a delete.
    if (editAfterwards) {
        Result<std::unique_ptr<LocalStore>> store = openStore();
        EXPECT(store, store.error().message);
        live = shuffled(live, random);
        for (const QString &guid : live.mid(0, 10))
            mine.edit(*store.value(), guid);
        mine.remove(*store.value(), live.at(10));
        mine.create(*store.value());
        EXPECT(mine.error().isEmpty(), mine.error());
    }
    const CliRun resumed = runCli(profile.path(), syncArguments);
    EXPECT(resumed.exitCode == 0, QStringLiteral("the sync after the kill: ") + resumed.err);
    EXPECT(other.sync().ok, QStringLiteral("the other device's last sync failed"));

    Result<std::unique_ptr<LocalStore>> store = openStore();
    EXPECT(store, store.error().message);
    return verify(m_server, config.workspace, model, {store.value().get(), &other.store()});
}

QString TestCrash::pullTrial(quint32 seed, qint64 spanUs, Outcome *outcome)
{
    QRandomGenerator random(seed);
    QTemporaryDir profile;
    const CliRun login = runCli(profile.path(),
                                {QStringLiteral("login"), QStringLiteral("--server"),
                                 m_server.url().toString(), QStringLiteral("--token"), m_token,
                                 QStringLiteral("--workspace"), m_pullWorkspace});
    EXPECT(login.exitCode == 0, QStringLiteral("login: ") + login.err);
    const QStringList syncArguments {QStringLiteral("sync"), QStringLiteral("--page-size"),
                                     QString::number(100 + random.bounded(600))};
    EXPECT_OK(killedSync(profile.path(), m_pullWorkspace, syncArguments,
                         spanUs * random.generateDouble(), outcome));
    const CliRun resumed = runCli(profile.path(), syncArguments);
    EXPECT(resumed.exitCode == 0, QStringLiteral("the sync after the kill: ") + resumed.err);
    Result<std::unique_ptr<LocalStore>> store
        = LocalStore::open(profile.filePath(QStringLiteral("ferry.db")), Schema::defaultSchema());
    EXPECT(store, store.error().message);
    return verify(m_server, m_pullWorkspace, m_pullModel, {store.value().get()});
}

QString TestCrash::serverTrial(quint32 seed, qint64 spanUs, Outcome *outcome)
{
    QRandomGenerator random(seed);
    const SyncConfig config
        = m_crashing.syncConfig(m_crashingToken, m_crashing.newWorkspace(kUser));
    Model model;
    TestDevice device(config);
    // Enough patience to ride through a restart of the server.
    device.setRetryPolicy(RetryPolicy {20, 50, 300});
    RecordMaker maker(random, model, QStringLiteral("s%1").arg(seed));
    QStringList synced;
    for (int i = 0, n = 30 + int(random.bounded(90)); i < n; ++i)
        synced.append(maker.create(device.store()));
    EXPECT(maker.error().isEmpty(), maker.error());
    EXPECT(device.sync().ok, QStringLiteral("the first sync failed"));

    // Several batches: edits of synced records (pushed on their revision), deletes, and one
    // to over two thousand new records.
    synced = shuffled(synced, random);
    for (const QString &guid : synced.mid(0, synced.size() / 3))
        maker.edit(device.store(), guid);
    for (const QString &guid : synced.mid(synced.size() / 3, 4))
        maker.remove(device.store(), guid);
    for (int i = 0, n = 1050 + int(random.bounded(1150)); i < n; ++i) {
        const QString guid = maker.create(device.store());
        if (random.bounded(20) == 0)
            maker.edit(device.store(), guid);
        if (random.bounded(100) == 0)
            maker.remove(device.store(), guid);
    }
    EXPECT(maker.error().isEmpty(), maker.error());
    const double killAt = random.generateDouble();
    // Half the trials kill the server right after it took a push (the first or the second of
    // the sync) whose answer is lost on the way, and so is every answer until the kill: the
    // one left is the answer the server stored with the batch, and the device must get it
    // from the restarted server. Its retries wait long enough to come after the kill.
    const bool afterLostAnswer = spanUs > 0 && random.bounded(2) == 1;
    const int lostPush = int(random.bounded(2));
    FaultProxy proxy(m_crashing.port());
    const Result<QVariantList> batchesBefore = serverBatches(m_crashing, config.workspace);
    EXPECT(batchesBefore, batchesBefore.error().message);
    if (afterLostAnswer) {
        EXPECT(proxy.listen(), QStringLiteral("the proxy does not listen"));
        proxy.setFault("/push", FaultProxy::Fault::DropResponse, lostPush, 1000000);
        device.setServer(proxy.url());
        device.setRetryPolicy(RetryPolicy {20, 250, 500});
    }

    QSignalSpy finished(&device.client(), &SyncClient::syncFinished);
    QElapsedTimer clock;
    qint64 pushedUs = 0;
    QObject::connect(&device.client(), &SyncClient::stateChanged, &device.client(),
                     [&](SyncState state) {
                         if (state == SyncState::Receiving && pushedUs == 0)
                             pushedUs = clock.nsecsElapsed() / 1000;
                     });
    const qint64 unsyncedBefore = device.store().unsyncedCount().value();
    const qint64 cursorBefore = device.store().cursor();
    clock.start();
    device.client().syncNow();
    if (spanUs == 0) {
        outcome->landed = QStringLiteral("not killed");
    } else {
        if (afterLostAnswer) {
            const auto taken = [&] {
                const Result<QVariantList> batches = serverBatches(m_crashing, config.workspace);
                return batches && batches->size() > batchesBefore->size() + lostPush;
            };
            EXPECT(QTest::qWaitFor(taken, 60000), QStringLiteral("the server took no push"));
            outcome->delayUs = clock.nsecsElapsed() / 1000;
        } else {
            outcome->delayUs = qint64(killAt * double(spanUs));
            QThread::usleep(quint64(outcome->delayUs));
        }
        m_crashing.kill();
        proxy.setFault("/push", FaultProxy::Fault::DropResponse, 0, 0);
        outcome->landed = landing(device.storePath(), m_crashing, config.workspace, unsyncedBefore,
                                  cursorBefore);
        if (afterLostAnswer)
            outcome->landed += QStringLiteral(" (lost on the way)");
        const QString integrity = serverIntegrity(m_crashing);
        EXPECT(integrity == QLatin1String("ok"),
               QStringLiteral("the server's database after the kill: ") + integrity);
        EXPECT(m_crashing.restart(), QStringLiteral("restart: ") + m_crashing.lastError());
    }
    EXPECT(!finished.isEmpty() || finished.wait(120000), QStringLiteral("the sync did not end"));
    // Killed while it sent an answer, the server leaves a 200 cut short: the network's
    // failure, retried like a refused connection (SyncEngine::replyError).
    const SyncSummary summary = finished.at(0).at(0).value<SyncSummary>();
    EXPECT(summary.ok,
           QStringLiteral("the sync through the crash failed: ") + summary.error.message);
    outcome->syncUs = pushedUs;
    const SyncSummary again = device.sync();
    EXPECT(
        again.ok && again.sent == 0,
        QStringLiteral("the sync after it: sent %1, %2").arg(again.sent).arg(again.error.message));
    return verify(m_crashing, config.workspace, model, {&device.store()});
}

QTEST_GUILESS_MAIN(TestCrash)
#include "tst_crash.moc"
