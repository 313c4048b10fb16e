// Whatever ferry-server accepted, its clients must be able to read back, and push answers
// stay bounded (issue 10, defect 6). A push answer wraps each record one level deeper than
// a push does, and carries whole records; through a real ferry-server and real engines.

#include "apiclient.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"
#include "testprint.h"

#include "guid.h"
#include "jsoncheck.h"
#include "wire.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>

using namespace Ferry;
using namespace FerryTest;

namespace {

// A value of `depth` nested lists around a number.
QJsonValue nested(int depth)
{
    QJsonValue value(1);
    for (int i = 0; i < depth; ++i)
        value = QJsonArray {value};
    return value;
}

// A record's fields as a device holds them, in the server's terms: schema fields and the
// ones this schema does not know together, unset fields left out.
QJsonObject heldFields(const LocalRecord &record)
{
    QJsonObject all = record.extra;
    for (auto it = record.fields.begin(); it != record.fields.end(); ++it) {
        if (!it.value().isNull())
            all.insert(it.key(), it.value());
    }
    return all;
}

// Every stored push answer of `workspace`, read straight from the server's database.
QList<QByteArray> storedAnswers(const QString &dataDir, const QString &workspace)
{
    QList<QByteArray> answers;
    const QString name = QStringLiteral("stored-answers");
    {
        QSqlDatabase db = openServerDatabase(name, dataDir);
        if (!db.isOpen())
            qFatal("cannot open the server's database: %s", qPrintable(db.lastError().text()));
        QSqlQuery query(db);
        query.prepare(QStringLiteral("SELECT response FROM batches WHERE workspace = ?"));
        query.addBindValue(workspace);
        if (!query.exec())
            qFatal("cannot read the stored answers: %s", qPrintable(query.lastError().text()));
        while (query.next())
            answers.append(query.value(0).toByteArray());
    }
    QSqlDatabase::removeDatabase(name);
    return answers;
}

} // namespace

class TestPushAnswers : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void deepValueComesBack_data();
    void deepValueComesBack();
    void answerStaysWithinBudget();
    void deferredMutationsWaitForTheNextPush();
    void deferredRecordStaysAsItWas();
    void readLimits();

private:
    // The server's records of `workspace` as a full pull lists them, by guid.
    QHash<QString, QJsonObject> serverRecords(const QString &workspace);
    // Fails the test unless `device` holds every record of `workspace` as the server does.
    void expectEqualToServer(TestDevice &device, const QString &workspace);

    ServerProcess m_server;
    ApiClient m_api; // a newer client of alice's, whose records carry fields Ferry's lack
    QString m_token;
};

void TestPushAnswers::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY2(!m_token.isEmpty(), qPrintable(m_server.lastError()));
    m_api.setServer(m_server.url(), m_token);
}

QHash<QString, QJsonObject> TestPushAnswers::serverRecords(const QString &workspace)
{
    QHash<QString, QJsonObject> records;
    qint64 since = 0;
    for (bool more = true; more;) {
        // Every page from the pull's start (`from`), so each holds whole records.
        const ApiResponse r
            = m_api.send("GET",
                         QStringLiteral("/v1/workspaces/%1/pull?since=%2&from=0&limit=%3")
                             .arg(workspace)
                             .arg(since)
                             .arg(Wire::kMaxPullLimit),
                         m_token);
        if (r.status != 200)
            qFatal("pull answered %d", r.status);
        for (const QJsonValue &change : r.json.value(QStringLiteral("changes")).toArray())
            records.insert(change[QStringLiteral("guid")].toString(), change.toObject());
        since = r.json.value(QStringLiteral("cursor")).toInteger();
        more = r.json.value(QStringLiteral("more")).toBool();
    }
    return records;
}

void TestPushAnswers::expectEqualToServer(TestDevice &device, const QString &workspace)
{
    const QHash<QString, QJsonObject> server = serverRecords(workspace);
    QCOMPARE(device.store().count(QStringLiteral("Post")).value(), server.size());
    QCOMPARE(device.store().unsyncedCount().value(), 0);
    for (auto it = server.begin(); it != server.end(); ++it) {
        const LocalRecord held = device.record(it.key());
        QCOMPARE(held.rev, it->value(QStringLiteral("rev")).toInteger());
        QCOMPARE(held.status, SyncStatus::Synced);
        QVERIFY2(heldFields(held) == it->value(QStringLiteral("fields")).toObject(),
                 qPrintable(it.key()));
    }
}

void TestPushAnswers::deepValueComesBack_data()
{
    QTest::addColumn<bool>("sameField");
    QTest::newRow("merged") << false;
    QTest::newRow("conflict") << true;
}

void TestPushAnswers::deepValueComesBack()
{
    // A push nests a value inside body, mutations, mutation and fields; whatever is left of
    // the nesting limit is the deepest value the server accepts, as a newer client may send.
    QFETCH(bool, sameField);
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QString guid = createGuid();
    const int deepest = Wire::kMaxJsonDepth - 4;
    const QJsonObject tooDeep {{QStringLiteral("shape"), nested(deepest + 1)}};
    QCOMPARE(m_api.push(ws, QJsonArray {mutation(guid, 0, tooDeep)}).status, 400);
    const QJsonObject fields {{QStringLiteral("title"), QStringLiteral("t0")},
                              {QStringLiteral("shape"), nested(deepest)}};
    QCOMPARE(m_api.create(ws, guid, fields), 1);

    // Both devices read it back in a pull page; A edits the title, then B edits from the
    // old base: its push is answered with the whole record, one level deeper than sent.
    const SyncConfig config = m_server.syncConfig(m_token, ws);
    TestDevice a(config), b(config);
    SYNC_OK(a);
    SYNC_OK(b);
    QCOMPARE(b.record(guid).extra.value(QStringLiteral("shape")), nested(deepest));
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("from a")}});
    SYNC_OK(a);
    b.edit(guid,
           {{sameField ? QStringLiteral("title") : QStringLiteral("body"), QStringLiteral("b")}});
    const SyncSummary summary = b.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.conflicts, sameField ? 1 : 0);
    QCOMPARE(b.record(guid).extra.value(QStringLiteral("shape")), nested(deepest));

    if (sameField) {
        const std::optional<Conflict> conflict = b.store().conflict(guid).value();
        QVERIFY(conflict);
        QCOMPARE(conflict->theirsFields.value(QStringLiteral("shape")), nested(deepest));
        QVERIFY(b.store().resolveConflict(guid, ConflictDecision {Resolution::KeepTheirs, {}}));
        SYNC_OK(b);
    }
    expectEqualToServer(b, ws);
    if (QTest::currentTestFailed())
        return;
    SYNC_OK(a);
    expectEqualToServer(a, ws);
}

void TestPushAnswers::answerStaysWithinBudget()
{
    // Twenty records of about 1 MiB that A rewrote, each given a new title by B from the
    // old base: B's push is answered with every record merged, twenty MiB in one answer
    // unless the server defers what does not fit.
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const SyncConfig config = m_server.syncConfig(m_token, ws);
    TestDevice a(config), b(config);
    QStringList guids;
    for (int i = 0; i < 20; ++i)
        guids.append(a.create(QStringLiteral("Post"),
                              {{QStringLiteral("title"), QStringLiteral("t%1").arg(i)},
                               {QStringLiteral("body"), QStringLiteral("short")}}));
    SYNC_OK(a);
    SYNC_OK(b);
    for (int i = 0; i < 20; ++i)
        a.edit(guids[i], {{QStringLiteral("body"), QString(1000 * 1000, QLatin1Char('a' + i))}});
    SYNC_OK(a);
    for (int i = 0; i < 20; ++i)
        b.edit(guids[i], {{QStringLiteral("title"), QStringLiteral("b%1").arg(i)}});

    const SyncSummary summary = b.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.sent, 20);
    QCOMPARE(summary.conflicts, 0);
    const QHash<QString, QJsonObject> server = serverRecords(ws);
    for (int i = 0; i < 20; ++i) {
        const QJsonObject stored = server.value(guids[i])[QStringLiteral("fields")].toObject();
        QCOMPARE(stored.value(QStringLiteral("title")).toString(), QStringLiteral("b%1").arg(i));
        QCOMPARE(stored.value(QStringLiteral("body")).toString(),
                 QString(1000 * 1000, QLatin1Char('a' + i)));
    }
    expectEqualToServer(b, ws);

    // B's edits took several pushes of one cycle, each answer within the budget.
    const QList<QByteArray> answers = storedAnswers(m_server.dataDir(), ws);
    QVERIFY(!answers.isEmpty());
    for (const QByteArray &answer : answers)
        QVERIFY2(answer.size() <= Wire::kPushAnswerBytes,
                 qPrintable(QString::number(answer.size())));
    QVERIFY(std::any_of(answers.cbegin(), answers.cend(), [](const QByteArray &answer) {
        return answer.contains("\"status\":\"deferred\"");
    }));
}

void TestPushAnswers::deferredMutationsWaitForTheNextPush()
{
    // At the wire: twelve records of 900 KB, each given a title from an old base in one
    // push with a malformed mutation last. What fits in the answer is merged, the rest is
    // deferred and applied by a later push; the malformed one is refused where it stands.
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QString body(900 * 1000, QLatin1Char('x'));
    QStringList guids;
    QJsonArray creates, ratings, titles;
    for (int i = 0; i < 12; ++i) {
        guids.append(createGuid());
        creates.append(mutation(guids[i], 0, {{QStringLiteral("body"), body}}));
        ratings.append(mutation(guids[i], 1, {{QStringLiteral("rating"), i}}));
        titles.append(mutation(guids[i], 1, {{QStringLiteral("title"), QStringLiteral("t")}}));
    }
    QCOMPARE(m_api.push(ws, creates).status, 200);
    QCOMPARE(m_api.push(ws, ratings).status, 200);
    titles.append(mutation(QStringLiteral("not-a-guid"), 0));

    const QString batch = QStringLiteral("titles");
    const ApiResponse r = m_api.push(ws, titles, batch);
    QCOMPARE(r.status, 200);
    QVERIFY2(r.body.size() <= Wire::kPushAnswerBytes, qPrintable(QString::number(r.body.size())));
    const Result<Wire::PushResponse> answer = Wire::parsePushResponse(r.body);
    QVERIFY2(answer.ok(), qPrintable(answer.ok() ? QString() : answer.error().message));
    QCOMPARE(answer->seq, 3);
    QCOMPARE(answer->results.size(), 13);
    QCOMPARE(answer->results.last().status, Wire::PushStatus::Rejected);
    QCOMPARE(answer->results.last().code, QStringLiteral("invalid_guid"));
    qsizetype merged = 0;
    while (answer->results[merged].status == Wire::PushStatus::Merged)
        ++merged;
    QVERIFY2(merged >= 1 && merged < 12, qPrintable(QString::number(merged)));
    for (qsizetype i = merged; i < 12; ++i) {
        QCOMPARE(answer->results[i].status, Wire::PushStatus::Deferred);
        QCOMPARE(answer->results[i].guid, guids[i]);
        QCOMPARE(r.json[QStringLiteral("results")][i].toObject().keys(),
                 (QStringList {QStringLiteral("guid"), QStringLiteral("status")}));
    }
    QHash<QString, QJsonObject> server = serverRecords(ws);
    for (qsizetype i = 0; i < 12; ++i) {
        const QJsonObject record = server.value(guids[i]);
        QCOMPARE(record[QStringLiteral("rev")].toInteger(), i < merged ? 3 : 2);
        QCOMPARE(record[QStringLiteral("fields")][QStringLiteral("title")].isString(), i < merged);
    }
    // A retry is answered the same bytes, deferrals included, and changes nothing.
    QCOMPARE(m_api.push(ws, titles, batch).body, r.body);
    QCOMPARE(serverRecords(ws), server);

    QJsonArray again;
    for (qsizetype i = merged; i < 12; ++i)
        again.append(titles[i]);
    const ApiResponse second = m_api.push(ws, again);
    QCOMPARE(second.status, 200);
    for (qsizetype i = 0; i < again.size(); ++i)
        QCOMPARE(result(second, int(i))[QStringLiteral("status")].toString(),
                 QStringLiteral("merged"));
    server = serverRecords(ws);
    for (const QString &guid : guids)
        QCOMPARE(server.value(guid)[QStringLiteral("fields")][QStringLiteral("title")].toString(),
                 QStringLiteral("t"));
}

void TestPushAnswers::deferredRecordStaysAsItWas()
{
    // The client side of `deferred`: the record is left exactly as it was, still to send.
    QTemporaryDir dir;
    Result<std::unique_ptr<LocalStore>> opened
        = LocalStore::open(dir.filePath(QStringLiteral("ferry.db")), Schema::defaultSchema());
    QVERIFY(opened.ok());
    LocalStore &store = *opened.value();
    auto create = [&store](const QString &title) {
        return store.createRecord(QStringLiteral("Post"), {{QStringLiteral("title"), title}})
            .value();
    };
    const QString taken = create(QStringLiteral("1"));
    const QString later = create(QStringLiteral("2"));
    const OutgoingBatch batch = store.nextBatch(1000).value();
    QCOMPARE(batch.mutations.size(), 2);
    const LocalRecord before = store.record(later).value();

    Wire::PushResponse response;
    response.seq = 1;
    Wire::MutationResult applied;
    applied.guid = taken;
    applied.status = Wire::PushStatus::Applied;
    applied.rev = 1;
    Wire::MutationResult deferred;
    deferred.guid = later;
    deferred.status = Wire::PushStatus::Deferred;
    response.results = {applied, deferred};
    QStringList problems;
    QVERIFY(store.applyPushResponse(batch, response, nullptr, &problems));
    QVERIFY(problems.isEmpty());

    QCOMPARE(store.record(taken)->status, SyncStatus::Synced);
    const LocalRecord after = store.record(later).value();
    QCOMPARE(after.rev, before.rev);
    QCOMPARE(after.status, before.status);
    QCOMPARE(after.dirty, before.dirty);
    QCOMPARE(after.base, before.base);
    QCOMPARE(after.fields, before.fields);
    QCOMPARE(after.problem, before.problem);
    const OutgoingBatch next = store.nextBatch(1000).value();
    QVERIFY(next.id != batch.id);
    QCOMPARE(next.mutations.size(), 1);
    QCOMPARE(next.mutations[0].guid, later);
}

void TestPushAnswers::readLimits()
{
    // A push answer may nest exactly one level more than a push or a pull page, and may not
    // defer everything (the server always takes the first mutation it looks at).
    const QByteArray guid = createGuid().toUtf8();
    auto pushAnswer = [&](int depth) -> QByteArray {
        return "{\"seq\":1,\"results\":[{\"guid\":\"" + guid
            + "\",\"status\":\"merged\",\"rev\":1,\"record\":{\"entity\":\"Post\",\"guid\":\""
            + guid + "\",\"rev\":1,\"fields\":{\"v\":" + QByteArray(depth, '[')
            + QByteArray(depth, ']') + "}}}]}";
    };
    auto pullPage = [&](int depth) -> QByteArray {
        return "{\"cursor\":1,\"more\":false,\"changes\":[{\"entity\":\"Post\",\"guid\":\"" + guid
            + "\",\"rev\":1,\"fields\":{\"v\":" + QByteArray(depth, '[') + QByteArray(depth, ']')
            + "}}]}";
    };
    const int deepest = Wire::kMaxJsonDepth - 4; // what a push leaves a value
    QVERIFY(Wire::parsePushResponse(pushAnswer(deepest)).ok());
    QVERIFY(!Wire::parsePushResponse(pushAnswer(deepest + 1)).ok());
    QVERIFY(Wire::parsePullPage(pullPage(deepest)).ok());
    QVERIFY(!Wire::parsePullPage(pullPage(deepest + 1)).ok());

    const Result<Wire::PushResponse> allDeferred = Wire::parsePushResponse(
        "{\"seq\":1,\"results\":[{\"guid\":\"" + guid + "\",\"status\":\"deferred\"}]}");
    QVERIFY(!allDeferred.ok());
    QCOMPARE(allDeferred.error().code, QStringLiteral("bad_response"));
}

QTEST_GUILESS_MAIN(TestPushAnswers)
#include "tst_push_answers.moc"
