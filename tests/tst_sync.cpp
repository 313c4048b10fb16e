// End-to-end sync between devices through a real ferry-server process: the pattern is
// "change things on each device, sync, compare what every device holds".
#include "faultproxy.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "testprint.h"

#include "wire.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;

class TestSync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void offlineCreatesConverge();
    void disjointFieldEditsMerge();
    void sameFieldEditBecomesConflict_data();
    void sameFieldEditBecomesConflict();
    void resolutionRacingAnotherChangeConflictsAgain();
    void equalEditsDoNotConflict();
    void deletesPropagate();
    void editVersusDelete_data();
    void editVersusDelete();
    void threeDevicesConverge();
    void lostPushResponseAppliesNothingTwice();
    void interruptedPullResumesWithoutDuplicates();
    void unknownFieldsRoundTrip();
    void editDuringPushStaysDirty();
    void restartKeepsDirtyStateConflictsAndCursor();
    void unreachableServerFailsWithMessage();
    void refusedChangeIsKeptAndReported();

private:
    SyncConfig freshWorkspace();
    static void expectOk(const SyncSummary &summary, const char *file, int line);

    ServerProcess m_server;
    QString m_token;
};

void TestSync::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY2(!m_token.isEmpty(), qPrintable(m_server.lastError()));
}

// Each test gets a workspace of its own so cursors and records never leak between tests.
SyncConfig TestSync::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_token, m_server.newWorkspace(QStringLiteral("alice"))};
}

void TestSync::offlineCreatesConverge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString a1
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("from a")}});
    const QString a2
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("red")}});
    const QString b1 = b.create(
        QStringLiteral("Post"),
        {{QStringLiteral("title"), QStringLiteral("from b")}, {QStringLiteral("rating"), 4}});
    SYNC_OK(a);
    SYNC_OK(b);
    SYNC_OK(a);
    for (TestDevice *device : {&a, &b}) {
        QCOMPARE(device->store().count(QStringLiteral("Post")).value(), 2);
        QCOMPARE(device->store().count(QStringLiteral("Tag")).value(), 1);
        QCOMPARE(device->record(a1).fields.value(QStringLiteral("title")).toString(),
                 QStringLiteral("from a"));
        QCOMPARE(device->record(a2).fields.value(QStringLiteral("name")).toString(),
                 QStringLiteral("red"));
        QCOMPARE(device->record(b1).fields.value(QStringLiteral("rating")).toInt(), 4);
        QCOMPARE(device->store().unsyncedCount().value(), 0);
    }
    QCOMPARE(a.record(b1).rev, b.record(b1).rev);
}

void TestSync::disjointFieldEditsMerge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid = a.create(QStringLiteral("Post"),
                                  {{QStringLiteral("title"), QStringLiteral("t0")},
                                   {QStringLiteral("body"), QStringLiteral("b0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t1")}});
    b.edit(guid, {{QStringLiteral("body"), QStringLiteral("b1")}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 0);
    SYNC_OK(a);
    for (TestDevice *device : {&a, &b}) {
        const LocalRecord r = device->record(guid);
        QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("t1"));
        QCOMPARE(r.fields.value(QStringLiteral("body")).toString(), QStringLiteral("b1"));
        QCOMPARE(r.status, SyncStatus::Synced);
    }
    QVERIFY(a.store().conflicts()->isEmpty());
    QVERIFY(b.store().conflicts()->isEmpty());
}

void TestSync::sameFieldEditBecomesConflict_data()
{
    QTest::addColumn<bool>("keepMine");
    QTest::newRow("keep mine") << true;
    QTest::newRow("keep theirs") << false;
}

void TestSync::sameFieldEditBecomesConflict()
{
    QFETCH(bool, keepMine);
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("base")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("from a")}});
    b.edit(guid,
           {{QStringLiteral("title"), QStringLiteral("from b")}, {QStringLiteral("rating"), 3}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 1);

    // The local value stays; the server's is recorded with the base.
    LocalRecord r = b.record(guid);
    QCOMPARE(r.status, SyncStatus::Conflicted);
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("from b"));
    const QList<Conflict> conflicts = b.store().conflicts().value();
    QCOMPARE(conflicts.size(), 1);
    const FieldConflict *title = conflicts.first().field(QStringLiteral("title"));
    QVERIFY(title);
    QCOMPARE(title->base.toString(), QStringLiteral("base"));
    QCOMPARE(title->mine.toString(), QStringLiteral("from b"));
    QCOMPARE(title->theirs.toString(), QStringLiteral("from a"));
    QCOMPARE(conflicts.first().fields.size(), 1); // rating merged cleanly
    QCOMPARE(conflicts.first().theirsUser, QStringLiteral("alice"));
    // The rating had no competition and reached the server.
    SYNC_OK(a);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("rating")).toInt(), 3);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from a"));

    QVERIFY(b.store().resolveConflict(
        guid, {keepMine ? Resolution::KeepMine : Resolution::KeepTheirs, {}}));
    QVERIFY(b.store().conflicts()->isEmpty());
    SYNC_OK(b);
    SYNC_OK(a);
    const QString expected = keepMine ? QStringLiteral("from b") : QStringLiteral("from a");
    for (TestDevice *device : {&a, &b}) {
        QCOMPARE(device->record(guid).fields.value(QStringLiteral("title")).toString(), expected);
        QCOMPARE(device->record(guid).status, SyncStatus::Synced);
    }
}

// A resolution is an ordinary change on the server's revision: if the other side changed
// the field again meanwhile, that is a new conflict, not an overwrite.
void TestSync::resolutionRacingAnotherChangeConflictsAgain()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("base")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("from a")}});
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("from b")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QCOMPARE(b.store().conflicts()->size(), 1);
    QVERIFY(b.store().resolveConflict(guid, {Resolution::KeepMine, {}}));

    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("a again")}});
    SYNC_OK(a);
    const SyncSummary second = b.sync();
    QVERIFY(second.ok);
    QCOMPARE(second.conflicts, 1);
    const QList<Conflict> conflicts = b.store().conflicts().value();
    QCOMPARE(conflicts.size(), 1);
    const FieldConflict *title = conflicts.first().field(QStringLiteral("title"));
    QVERIFY(title);
    QCOMPARE(title->mine.toString(), QStringLiteral("from b"));
    QCOMPARE(title->theirs.toString(), QStringLiteral("a again"));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from b"));
    SYNC_OK(a);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("a again")); // nothing overwritten on the server
}

void TestSync::equalEditsDoNotConflict()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("base")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("same")}});
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("same")}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 0);
    QCOMPARE(b.record(guid).status, SyncStatus::Synced);
}

void TestSync::deletesPropagate()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("old")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(!b.record(guid).deleted);
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
    QCOMPARE(b.store().count(QStringLiteral("Tag")).value(), 0);
    QCOMPARE(b.record(guid).status, SyncStatus::Synced);
}

void TestSync::editVersusDelete_data()
{
    QTest::addColumn<bool>("remoteDeletes"); // true: the other device deletes, this one edits
    QTest::addColumn<bool>("keepMine");
    QTest::newRow("they deleted, I edited, keep mine") << true << true;
    QTest::newRow("they deleted, I edited, keep theirs") << true << false;
    QTest::newRow("I deleted, they edited, keep mine") << false << true;
    QTest::newRow("I deleted, they edited, keep theirs") << false << false;
}

void TestSync::editVersusDelete()
{
    QFETCH(bool, remoteDeletes);
    QFETCH(bool, keepMine);
    const SyncConfig config = freshWorkspace();
    TestDevice other(config), me(config);
    const QString guid
        = other.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("v0")}});
    SYNC_OK(other);
    SYNC_OK(me);
    if (remoteDeletes) {
        QVERIFY(other.store().deleteRecord(guid));
        me.edit(guid, {{QStringLiteral("title"), QStringLiteral("my edit")}});
    } else {
        other.edit(guid, {{QStringLiteral("title"), QStringLiteral("their edit")}});
        QVERIFY(me.store().deleteRecord(guid));
    }
    SYNC_OK(other);
    const SyncSummary summary = me.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 1);
    const Conflict conflict = me.store().conflicts().value().value(0);
    QCOMPARE(conflict.theirsDeleted, remoteDeletes);
    QCOMPARE(conflict.mineDeleted, !remoteDeletes);
    // Until decided, the record shows this device's side.
    QCOMPARE(me.record(guid).deleted, !remoteDeletes);

    QVERIFY(me.store().resolveConflict(
        guid, {keepMine ? Resolution::KeepMine : Resolution::KeepTheirs, {}}));
    SYNC_OK(me);
    SYNC_OK(other);
    const bool deletedInTheEnd = remoteDeletes != keepMine;
    for (TestDevice *device : {&other, &me}) {
        const LocalRecord r = device->record(guid);
        QCOMPARE(r.deleted, deletedInTheEnd);
        QCOMPARE(r.status, SyncStatus::Synced);
        if (!deletedInTheEnd)
            QCOMPARE(r.fields.value(QStringLiteral("title")).toString(),
                     remoteDeletes ? QStringLiteral("my edit") : QStringLiteral("their edit"));
    }
}

void TestSync::threeDevicesConverge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config), c(config);
    const QString t0
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("t0")}});
    const QString t1
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("t1")}});
    const QString t2
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("t2")}});
    const QString post = a.create(QStringLiteral("Post"),
                                  {{QStringLiteral("title"), QStringLiteral("p")},
                                   {QStringLiteral("tags"), QJsonArray {t0}}});
    SYNC_OK(a);
    SYNC_OK(b);
    SYNC_OK(c);
    // Each device changes something different; the tag set is changed on all three.
    a.edit(post,
           {{QStringLiteral("title"), QStringLiteral("title by a")},
            {QStringLiteral("tags"), QJsonArray {t0, t1}}});
    b.edit(post,
           {{QStringLiteral("body"), QStringLiteral("body by b")},
            {QStringLiteral("tags"), QJsonArray {t0, t2}}});
    c.edit(post, {{QStringLiteral("rating"), 5}, {QStringLiteral("tags"), QJsonArray {}}});
    SYNC_OK(a);
    SYNC_OK(b);
    SYNC_OK(c);
    SYNC_OK(a);
    SYNC_OK(b);
    QStringList expectedTags {t1, t2};
    expectedTags.sort();
    for (TestDevice *device : {&a, &b, &c}) {
        const LocalRecord r = device->record(post);
        QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("title by a"));
        QCOMPARE(r.fields.value(QStringLiteral("body")).toString(), QStringLiteral("body by b"));
        QCOMPARE(r.fields.value(QStringLiteral("rating")).toInt(), 5);
        QStringList tags;
        for (const QJsonValue &tag : r.fields.value(QStringLiteral("tags")).toArray())
            tags.append(tag.toString());
        QCOMPARE(tags, expectedTags);
        QCOMPARE(r.status, SyncStatus::Synced);
        QVERIFY(device->store().conflicts()->isEmpty());
    }
}

void TestSync::lostPushResponseAppliesNothingTwice()
{
    const SyncConfig config = freshWorkspace();
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    TestDevice a(config), b(config);
    a.setServer(proxy.url());
    a.setRetryPolicy(RetryPolicy {1, 10, 10}); // fail at once, so the other device acts first
    // Every push answer is lost (the network stack may resend once on its own; that answer
    // is lost too), so a gives up without knowing the server applied the batch.
    proxy.setFault("/push", FaultProxy::Fault::DropResponse, 0, 1000);

    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("from a")}});
    const SyncSummary lost = a.sync();
    QVERIFY(!lost.ok);
    QVERIFY(proxy.faulted() >= 1);
    proxy.setFault("/push", FaultProxy::Fault::DropResponse, 1000, 0); // the network heals
    QCOMPARE(a.record(guid).status, SyncStatus::NeedsSync); // a never heard back

    // The server did apply it: another device sees it, and changes the same field.
    SYNC_OK(b);
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from a"));
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("from b")}});
    SYNC_OK(b);
    const qint64 seqAfterB = b.store().cursor();

    // The retry carries the same batch id: the server answers as the first time and applies
    // nothing, so a's stale title neither conflicts with nor overwrites b's.
    const SyncSummary retried = a.sync();
    QVERIFY2(retried.ok, qPrintable(retried.error.message));
    QCOMPARE(proxy.matched(), 1);
    QCOMPARE(proxy.faulted(), 0);
    QCOMPARE(retried.conflicts, 0);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from b"));
    QCOMPARE(a.record(guid).status, SyncStatus::Synced);
    SYNC_OK(b);
    QCOMPARE(b.store().cursor(), seqAfterB); // no new change on the server
}

void TestSync::interruptedPullResumesWithoutDuplicates()
{
    const SyncConfig config = freshWorkspace();
    constexpr int kRecords = 10000;
    TestDevice a(config);
    for (int i = 0; i < kRecords; ++i) {
        QVERIFY(a.store().createRecord(QStringLiteral("Post"),
                                       {{QStringLiteral("title"), QStringLiteral("post %1").arg(i)},
                                        {QStringLiteral("rating"), i}}));
    }
    const SyncSummary pushed = a.sync();
    QVERIFY(pushed.ok);
    QCOMPARE(pushed.sent, kRecords);

    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    TestDevice b(config);
    b.setServer(proxy.url());
    b.setPullPageSize(1000);
    b.setRetryPolicy(RetryPolicy {1, 10, 10});
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 5, 1000);
    const SyncSummary first = b.sync();
    QVERIFY(!first.ok);
    QCOMPARE(first.received, 5000); // five pages of one push each
    QCOMPARE(b.store().count(QStringLiteral("Post")).value(), 5000);
    const qint64 cursor = b.store().cursor();
    QVERIFY(cursor > 0);

    b.setServer(m_server.url());
    const SyncSummary second = b.sync();
    QVERIFY2(second.ok, qPrintable(second.error.message));
    QCOMPARE(first.received + second.received, kRecords); // nothing delivered twice
    QCOMPARE(b.store().count(QStringLiteral("Post")).value(), kRecords);
    const QList<LocalRecord> all = b.store().records(QStringLiteral("Post")).value();
    QSet<int> ratings;
    for (const LocalRecord &r : all) {
        QCOMPARE(r.fields.value(QStringLiteral("title")).toString(),
                 QStringLiteral("post %1").arg(r.fields.value(QStringLiteral("rating")).toInt()));
        ratings.insert(r.fields.value(QStringLiteral("rating")).toInt());
    }
    QCOMPARE(ratings.size(), kRecords);
}

void TestSync::unknownFieldsRoundTrip()
{
    const SyncConfig config = freshWorkspace();
    // A newer client whose Post has a field the default schema lacks.
    QByteArray newer = R"({"entities": [
        {"name": "Post", "fields": [{"name": "title", "type": "string"}, {"name": "body", "type": "text"},
                                    {"name": "mood", "type": "string"}]}]})";
    const Result<Schema> newerSchema = Schema::fromJson(newer);
    QVERIFY2(newerSchema.ok(), newerSchema.ok() ? "" : qPrintable(newerSchema.error().message));
    TestDevice modern(config, newerSchema.value()), older(config);

    const QString guid = modern.create(QStringLiteral("Post"),
                                       {{QStringLiteral("title"), QStringLiteral("t")},
                                        {QStringLiteral("mood"), QStringLiteral("sunny")}});
    SYNC_OK(modern);
    SYNC_OK(older);
    QCOMPARE(older.record(guid).extra.value(QStringLiteral("mood")).toString(),
             QStringLiteral("sunny"));
    older.restart(); // kept on disk, not just in memory
    QCOMPARE(older.record(guid).extra.value(QStringLiteral("mood")).toString(),
             QStringLiteral("sunny"));

    older.edit(guid, {{QStringLiteral("title"), QStringLiteral("edited by the older client")}});
    SYNC_OK(older);
    SYNC_OK(modern);
    const LocalRecord r = modern.record(guid);
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("edited by the older client"));
    QCOMPARE(r.fields.value(QStringLiteral("mood")).toString(), QStringLiteral("sunny"));

    // When the older client learns the field, the value moves from "unknown" into it.
    Result<std::unique_ptr<LocalStore>> upgraded
        = LocalStore::open(older.storePath(), newerSchema.value());
    QVERIFY(upgraded.ok());
    const LocalRecord moved = upgraded.value()->record(guid).value();
    QCOMPARE(moved.fields.value(QStringLiteral("mood")).toString(), QStringLiteral("sunny"));
    QVERIFY(!moved.extra.contains(QStringLiteral("mood")));
}

void TestSync::editDuringPushStaysDirty()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("sent")}});
    // Take the batch as the engine would, edit while it is "on the wire", then deliver it.
    Result<OutgoingBatch> batch = a.store().nextBatch(100);
    QVERIFY(batch.ok() && !batch->isEmpty());
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("typed during the push")}});

    QNetworkAccessManager network;
    QNetworkRequest request(QUrl(m_server.url().toString()
                                 + QStringLiteral("/v1/workspaces/%1/push").arg(config.workspace)));
    request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
    QNetworkReply *reply = network.post(request, batch->body);
    QSignalSpy done(reply, &QNetworkReply::finished);
    QVERIFY(done.wait(10000));
    Result<Wire::PushResponse> response = Wire::parsePushResponse(reply->readAll());
    reply->deleteLater();
    QVERIFY(response.ok());
    QVERIFY(a.store().applyPushResponse(batch.value(), response.value(), nullptr, nullptr));

    LocalRecord r = a.record(guid);
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QVERIFY(r.isDirty(QStringLiteral("title")));
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("typed during the push"));
    QCOMPARE(r.base.value(QStringLiteral("title")).toString(),
             QStringLiteral("sent")); // what the server has
    QVERIFY(r.rev > 0);
    SYNC_OK(a);
    QCOMPARE(a.record(guid).status, SyncStatus::Synced);
    TestDevice b(config);
    SYNC_OK(b);
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("typed during the push"));
}

void TestSync::restartKeepsDirtyStateConflictsAndCursor()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("x")}});
    const QString other
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("y")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("a")}});
    SYNC_OK(a);
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("b")}});
    b.edit(other, {{QStringLiteral("body"), QStringLiteral("unsent")}});
    const SyncSummary s = b.sync();
    QVERIFY(s.ok);
    QCOMPARE(s.conflicts, 1);
    // An edit made after the sync, not yet sent when the app stops.
    b.edit(other, {{QStringLiteral("body"), QStringLiteral("still unsent")}});
    const qint64 cursor = b.store().cursor();
    QVERIFY(cursor > 0);

    b.restart();
    QCOMPARE(b.store().cursor(), cursor);
    QCOMPARE(b.store().conflicts()->size(), 1);
    QCOMPARE(b.record(guid).status, SyncStatus::Conflicted);
    const LocalRecord pending = b.record(other);
    QCOMPARE(pending.status, SyncStatus::NeedsSync);
    QVERIFY(pending.isDirty(QStringLiteral("body")));
    QCOMPARE(b.store().unsyncedCount().value(), 2);
}

void TestSync::unreachableServerFailsWithMessage()
{
    SyncConfig config = freshWorkspace();
    config.server = QUrl(QStringLiteral("http://127.0.0.1:1"));
    TestDevice a(config);
    a.setRetryPolicy(RetryPolicy {2, 10, 20});
    a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("offline")}});
    const SyncSummary s = a.sync();
    QVERIFY(!s.ok);
    QCOMPARE(s.error.code, QStringLiteral("network"));
    QVERIFY2(s.error.message.contains(QStringLiteral("Cannot reach")), qPrintable(s.error.message));
    QCOMPARE(a.store().unsyncedCount().value(), 1); // nothing lost
}

void TestSync::refusedChangeIsKeptAndReported()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QString guid
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("v1")}});
    SYNC_OK(a);
    // Pointed at a workspace that never had this record, its next change claims a revision
    // that server cannot know: the server refuses it, and the device keeps it.
    a.setWorkspace(freshWorkspace().workspace);
    a.edit(guid, {{QStringLiteral("name"), QStringLiteral("v2")}});
    const SyncSummary refused = a.sync();
    QVERIFY(refused.ok);
    QCOMPARE(refused.rejected, 1);
    LocalRecord r = a.record(guid);
    QCOMPARE(r.fields.value(QStringLiteral("name")).toString(), QStringLiteral("v2"));
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QVERIFY2(r.problem.contains(QStringLiteral("base")), qPrintable(r.problem));
    QCOMPARE(a.store().refusedRecords()->size(), 1);

    // Not sent again on its own...
    const SyncSummary quiet = a.sync();
    QVERIFY(quiet.ok);
    QCOMPARE(quiet.sent, 0);
    // ...but again once edited, and the refusal is forgotten when the server takes it.
    a.setWorkspace(config.workspace);
    a.edit(guid, {{QStringLiteral("name"), QStringLiteral("v3")}});
    const SyncSummary accepted = a.sync();
    QVERIFY(accepted.ok);
    QCOMPARE(accepted.rejected, 0);
    QCOMPARE(a.record(guid).status, SyncStatus::Synced);
    QVERIFY(a.record(guid).problem.isEmpty());
}

QTEST_GUILESS_MAIN(TestSync)
#include "tst_sync.moc"
