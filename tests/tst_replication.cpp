// Regression tests for replication defects that the randomized convergence test
// (tst_convergence) and people trying Ferry found: each case is the smallest sequence that
// lost or diverged data before its fix. Real ferry-server, real stores.
#include "faultproxy.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;

namespace {

QJsonObject fieldsOf(const LocalRecord &record)
{
    QJsonObject fields;
    for (auto it = record.fields.begin(); it != record.fields.end(); ++it) {
        if (!it.value().isNull())
            fields.insert(it.key(), it.value());
    }
    return fields;
}

bool takeBackup(ServerProcess &server, const QTemporaryDir &into)
{
    return server.backupDatabase(into.path());
}

bool restoreBackup(ServerProcess &server, const QTemporaryDir &from)
{
    return server.restoreDatabase(from.path());
}

bool saidHistoryMismatch(const QSignalSpy &told)
{
    for (const QList<QVariant> &args : told) {
        if (args.at(0).value<Error>().code == QLatin1String("history_mismatch"))
            return true;
    }
    return false;
}

} // namespace

class TestReplication : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pagedPullKeepsUnchangedFields_data();
    void pagedPullKeepsUnchangedFields();
    void restoreShowsWhatTheServerKept_data();
    void restoreShowsWhatTheServerKept();
    void keepTheirsOfADeleteDiscardsTheEdit();
    void editBackAndForthElsewhereIsAConflict();
    void keepMineAfterDeletingHereKeepsTheDelete();
    void restoreHereSettlesTheDeleteConflict();
    void recordDeletedBeforeItsFirstSyncIsATombstoneEverywhere();
    void answerCutByTheNetworkIsRetried_data();
    void answerCutByTheNetworkIsRetried();
    void serverRestoredFromAnOlderBackup_data();
    void serverRestoredFromAnOlderBackup();
    void restoreAfterTheDeleteFailedToSend();
    void pushAheadOfThePullIsChecked();
    void valuesKeptAgainstALostRestore();
    void recoveryInterruptedSendsTheLostRecordWhole();
    void recoveryForgetsADeleteTheServerLost();
    void recoveryAsksAboutADeleteOnly();
    void setFieldInConflictFollowsTheServer();
    void mergeOfARecordDeletedHereBringsItBack();
    void refusalCutByTheNetworkIsRetried();
    void conflictOnARecordTheServerLostMovesToTheOtherDevice();
    void batchSentAgainAfterARestoreIsNotTheHistoryLost();
    void historyTokensComeToAnUpgradedServer();
    void restoreWaitingWhenTheServerHasTheRecordIsDone();
    void pullResumedAfterARestoreMissesNothing();
    void pushThatChangedNothingStillNamesItsHistory();
    void keepMineOfADeleteAfterALostPushSendsTheWholeSet();

private:
    SyncConfig freshWorkspace();
    // The record as the server holds it.
    ServerRecord onServer(const SyncConfig &config, const QString &guid);

    ServerProcess m_server;
    QString m_token;
};

void TestReplication::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY(!m_token.isEmpty());
}

SyncConfig TestReplication::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_token, m_server.newWorkspace(QStringLiteral("alice"))};
}

ServerRecord TestReplication::onServer(const SyncConfig &config, const QString &guid)
{
    Result<QHash<QString, ServerRecord>> records
        = readServerRecords(m_server.dataDir(), config.workspace);
    if (!records)
        qWarning("%s", qPrintable(records.error().message));
    return records ? records.value().value(guid) : ServerRecord();
}

void TestReplication::pagedPullKeepsUnchangedFields_data()
{
    QTest::addColumn<bool>("fresh");
    QTest::newRow("first pull of a new device") << true;
    QTest::newRow("pull of a device that has the record") << false;
}

// A record created before a page boundary and changed after it: the later page must bring
// every field this device has not seen, not only those changed after that page's cursor.
void TestReplication::pagedPullKeepsUnchangedFields()
{
    QFETCH(bool, fresh);
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    b.setPullPageSize(1);
    const QString first
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    if (!fresh)
        SYNC_OK(b);
    a.edit(first, {{QStringLiteral("body"), QStringLiteral("body from a")}});
    SYNC_OK(a);
    const QString second
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("second")}});
    SYNC_OK(a);
    a.edit(first, {{QStringLiteral("rating"), 5}});
    SYNC_OK(a); // `first` is now the newest change: its page comes after `second`'s
    SYNC_OK(b);
    QCOMPARE(fieldsOf(b.record(first)), fieldsOf(a.record(first)));
    QCOMPARE(fieldsOf(b.record(second)), fieldsOf(a.record(second)));
    QCOMPARE(b.record(first).fields.value(QStringLiteral("body")).toString(),
             QStringLiteral("body from a"));
}

void TestReplication::restoreShowsWhatTheServerKept_data()
{
    QTest::addColumn<bool>("knewTheRecord");
    QTest::newRow("device knew the record before it was deleted") << true;
    QTest::newRow("device only knew the tombstone") << false;
}

// Restoring brings back what the server kept in the tombstone. The restoring device must
// end with those values, whatever it held (an older copy, or nothing).
void TestReplication::restoreShowsWhatTheServerKept()
{
    QFETCH(bool, knewTheRecord);
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    if (knewTheRecord)
        SYNC_OK(b); // b holds title t0
    a.edit(guid,
           {{QStringLiteral("title"), QStringLiteral("t1")},
            {QStringLiteral("body"), QStringLiteral("kept in the tombstone")}});
    SYNC_OK(a);
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
    QVERIFY(b.store().restoreRecord(guid));
    SYNC_OK(b);
    const LocalRecord restored = b.record(guid);
    QVERIFY(!restored.deleted);
    QCOMPARE(restored.status, SyncStatus::Synced);
    QCOMPARE(restored.fields.value(QStringLiteral("title")).toString(), QStringLiteral("t1"));
    QCOMPARE(restored.fields.value(QStringLiteral("body")).toString(),
             QStringLiteral("kept in the tombstone"));
    SYNC_OK(a);
    QCOMPARE(fieldsOf(a.record(guid)), fieldsOf(restored));
    QCOMPARE(QJsonObject(onServer(config, guid).fields), fieldsOf(restored));
}

// "Keep theirs" on edit-vs-delete discards this device's edit. It must not wait inside the
// tombstone and come back, marked synced, when another device restores the record.
void TestReplication::keepTheirsOfADeleteDiscardsTheEdit()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config), c(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    SYNC_OK(c);
    b.edit(guid, {{QStringLiteral("body"), QStringLiteral("an edit b will discard")}});
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    const SyncSummary conflicted = b.sync();
    QVERIFY(conflicted.ok);
    QCOMPARE(conflicted.conflicts, 1);
    QVERIFY(b.store().resolveConflict(guid, ConflictDecision {Resolution::KeepTheirs, {}}));
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
    SYNC_OK(c);
    QVERIFY(c.store().restoreRecord(guid));
    SYNC_OK(c);
    SYNC_OK(b);
    const LocalRecord back = b.record(guid);
    QVERIFY(!back.deleted);
    QCOMPARE(back.status, SyncStatus::Synced);
    QCOMPARE(back.fields.value(QStringLiteral("body")), QJsonValue(QJsonValue::Null));
    QCOMPARE(fieldsOf(back), fieldsOf(c.record(guid)));
    QCOMPARE(QJsonObject(onServer(config, guid).fields), fieldsOf(back));
}

// Another device changes a field and changes it back (A -> B -> A) while this device
// changes it offline. The server answers "conflict"; the field is back at this device's
// base value, but pushing this device's value again would overwrite a change it never saw.
void TestReplication::editBackAndForthElsewhereIsAConflict()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("A")}});
    SYNC_OK(a);
    SYNC_OK(b);
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("offline on b")}});
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("B")}});
    SYNC_OK(a);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.conflicts, 1);
    QCOMPARE(onServer(config, guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("A"));
    const std::optional<Conflict> conflict = b.store().conflict(guid).value();
    QVERIFY(conflict);
    QVERIFY(conflict->field(QStringLiteral("title")));
    QCOMPARE(conflict->field(QStringLiteral("title"))->theirs.toString(), QStringLiteral("A"));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("offline on b"));
    // Deciding is still the person's: keeping mine sends it.
    QVERIFY(b.store().resolveConflict(guid, ConflictDecision {Resolution::KeepMine, {}}));
    SYNC_OK(b);
    QCOMPARE(onServer(config, guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("offline on b"));
}

// Edit-vs-delete, and then this device deletes the record too: both sides now agree, the
// conflict is settled by that delete, and the record must not come back.
void TestReplication::keepMineAfterDeletingHereKeepsTheDelete()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("edited on a")}});
    QVERIFY(b.store().deleteRecord(guid));
    SYNC_OK(b);
    const SyncSummary conflicted = a.sync();
    QVERIFY(conflicted.ok);
    QCOMPARE(conflicted.conflicts, 1);
    QVERIFY(a.store().deleteRecord(guid));
    QCOMPARE(a.store().conflictCount().value(), 0);
    QVERIFY(a.record(guid).deleted);
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(a.record(guid).deleted);
    QVERIFY(b.record(guid).deleted);
    QVERIFY(onServer(config, guid).deleted);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    QCOMPARE(a.store().conflictCount().value(), 0);
}

// This device's delete met another's edit (a conflict); it then restored the record, and
// later the other side deleted it. The stale conflict must not linger: resolving it as
// "theirs" would bring back, here only, a record the server holds deleted.
void TestReplication::restoreHereSettlesTheDeleteConflict()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(b.store().deleteRecord(guid));
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("edited on a")}});
    SYNC_OK(a);
    const SyncSummary conflicted = b.sync();
    QVERIFY(conflicted.ok);
    QCOMPARE(conflicted.conflicts, 1);
    QVERIFY(b.store().restoreRecord(guid));
    QCOMPARE(b.store().conflictCount().value(), 0);
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
    QCOMPARE(b.store().conflictCount().value(), 0);
    QCOMPARE(b.store().unsyncedCount().value(), 0);
    QVERIFY(onServer(config, guid).deleted);
}

// A record made and deleted before it ever synced: every device must hold it the same way
// (a tombstone), so that restoring it works anywhere and no device keeps a record the server
// never heard of.
void TestReplication::recordDeletedBeforeItsFirstSyncIsATombstoneEverywhere()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid = a.create(QStringLiteral("Post"), {});
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    QVERIFY(onServer(config, guid).deleted);
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
    QVERIFY(b.store().restoreRecord(guid));
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("back")}});
    SYNC_OK(b);
    SYNC_OK(a);
    QVERIFY(!a.record(guid).deleted);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("back"));
}

void TestReplication::answerCutByTheNetworkIsRetried_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::newRow("pull") << QByteArray("/pull");
    QTest::newRow("push") << QByteArray("/push");
}

// A connection that breaks off in the middle of a good answer is the network's failure: it
// is retried like one, not reported as an answer Ferry cannot read (which stops syncing).
void TestReplication::answerCutByTheNetworkIsRetried()
{
    QFETCH(QByteArray, request);
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice b(proxied);
    b.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("from b")}});
    proxy.setFault(request, FaultProxy::Fault::CutResponse, 0, 1);
    const SyncSummary summary = b.sync();
    QCOMPARE(proxy.faulted(), 1);
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(), QStringLiteral("t0"));
    QCOMPARE(b.store().unsyncedCount().value(), 0);
    SYNC_OK(a);
    QCOMPARE(a.store().count(QStringLiteral("Post")).value(), 2);
}

void TestReplication::serverRestoredFromAnOlderBackup_data()
{
    QTest::addColumn<bool>("newPushesSince");
    QTest::newRow("server behind the devices") << false;
    QTest::newRow("server got other pushes since (sequence numbers reused)") << true;
}

// The server's database is put back from a backup older than what the devices pulled. The
// devices notice, say so, and compare: what the server lost is sent again, values that
// differ become conflicts, and nothing a device holds is dropped.
void TestReplication::serverRestoredFromAnOlderBackup()
{
    QFETCH(bool, newPushesSince);
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("alice"));
    const SyncConfig config {server.url(), token, QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QString kept
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);

    // The backup.
    QTemporaryDir backup;
    QVERIFY(server.backupDatabase(backup.path()));

    a.edit(kept, {{QStringLiteral("title"), QStringLiteral("t1, lost by the server")}});
    const QString lost
        = a.create(QStringLiteral("Post"),
                   {{QStringLiteral("title"), QStringLiteral("made after the backup")}});
    SYNC_OK(a);
    SYNC_OK(b);
    const QString unsent = a.create(QStringLiteral("Post"),
                                    {{QStringLiteral("title"), QStringLiteral("not sent yet")}});

    // The restore.
    QVERIFY(server.restoreDatabase(backup.path()));
    QString other;
    if (newPushesSince) {
        TestDevice c(config);
        other = c.create(QStringLiteral("Post"),
                         {{QStringLiteral("title"), QStringLiteral("from c")}});
        c.edit(other, {{QStringLiteral("body"), QStringLiteral("two pushes")}});
        SYNC_OK(c);
        c.edit(other, {{QStringLiteral("rating"), 3}});
        SYNC_OK(c);
        SYNC_OK(c);
    }

    QSignalSpy told(&b.client(), &SyncClient::errorOccurred);
    SYNC_OK(b);
    bool said = false;
    for (const QList<QVariant> &args : told)
        said = said || args.at(0).value<Error>().code == QLatin1String("history_mismatch");
    QVERIFY2(said, "the device did not say the server lost history");
    SYNC_OK(a);
    SYNC_OK(b);

    // Nothing a device held is gone from the server.
    Result<QHash<QString, ServerRecord>> records
        = readServerRecords(server.dataDir(), config.workspace);
    QVERIFY(records);
    for (const QString &guid : {kept, lost, unsent})
        QVERIFY2(records->contains(guid), qPrintable(guid));
    if (newPushesSince)
        QVERIFY(records->contains(other));
    QCOMPARE(records->value(lost).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("made after the backup"));
    // The edit the server lost is a conflict on both devices that hold it, not overwritten.
    for (TestDevice *device : {&a, &b}) {
        const std::optional<Conflict> conflict = device->store().conflict(kept).value();
        QVERIFY(conflict);
        QVERIFY(conflict->field(QStringLiteral("title")));
        QCOMPARE(conflict->field(QStringLiteral("title"))->theirs.toString(), QStringLiteral("t0"));
        QCOMPARE(device->record(kept).fields.value(QStringLiteral("title")).toString(),
                 QStringLiteral("t1, lost by the server"));
    }
    QVERIFY(a.store().resolveConflict(kept, ConflictDecision {Resolution::KeepMine, {}}));
    SYNC_OK(a);
    SYNC_OK(b);
    // b held the same value a sent again: nothing left for b to decide.
    QCOMPARE(b.store().conflictCount().value(), 0);
    SYNC_OK(a);
    for (TestDevice *device : {&a, &b}) {
        QCOMPARE(device->store().unsyncedCount().value(), 0);
        QCOMPARE(device->store().count(QStringLiteral("Post")).value(), newPushesSince ? 4 : 3);
        QCOMPARE(device->record(kept).fields.value(QStringLiteral("title")).toString(),
                 QStringLiteral("t1, lost by the server"));
    }
}

// A delete waits in a batch that could not be sent; the record is restored before the next
// sync. The waiting batch goes first and deletes the record on the server: the restore must
// follow it there, not be taken as already sent.
void TestReplication::restoreAfterTheDeleteFailedToSend()
{
    const SyncConfig config = freshWorkspace();
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    QVERIFY(a.store().deleteRecord(guid));
    proxy.setFault("/push", FaultProxy::Fault::RefuseRequest, 0, 100);
    QVERIFY(!a.sync().ok);
    proxy.setFault("/push", FaultProxy::Fault::RefuseRequest, 0, 0);
    QVERIFY(a.store().restoreRecord(guid));
    SYNC_OK(a);
    SYNC_OK(a);
    QVERIFY(!a.record(guid).deleted);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    QVERIFY(!onServer(config, guid).deleted);
    SYNC_OK(b);
    QVERIFY(!b.record(guid).deleted);
}

// A push is applied but the pull after it fails; then the server is restored from a backup
// older than that push and another device pushes, reusing its sequence numbers. The next
// push names the history its bases come from, so the server refuses it instead of taking
// them as revisions it holds, and the edit it lost comes back as a conflict.
void TestReplication::pushAheadOfThePullIsChecked()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), c(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));

    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t1, lost by the server")}});
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 100);
    QVERIFY(!a.sync().ok);
    QCOMPARE(a.store().unsyncedCount().value(), 0); // the push went through
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 0);

    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(c);
    c.edit(guid, {{QStringLiteral("title"), QStringLiteral("from c")}});
    SYNC_OK(c);

    a.edit(guid, {{QStringLiteral("body"), QStringLiteral("more from a")}});
    QSignalSpy told(&a.client(), &SyncClient::errorOccurred);
    SYNC_OK(a);
    QVERIFY2(saidHistoryMismatch(told), "the device did not say the server lost history");
    const std::optional<Conflict> conflict = a.store().conflict(guid).value();
    QVERIFY2(conflict && conflict->field(QStringLiteral("title")),
             "the edit the server lost was overwritten without a conflict");
    QCOMPARE(conflict->field(QStringLiteral("title"))->theirs.toString(), QStringLiteral("from c"));
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("t1, lost by the server"));
}

// The server's backup holds a record deleted; a device holds it restored and edited (the
// server lost that). When another device restores it too, the first device's values must
// meet it as a conflict, not be overwritten as if the server had seen them.
void TestReplication::valuesKeptAgainstALostRestore()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(b.store().deleteRecord(guid));
    SYNC_OK(b);
    SYNC_OK(a);
    QVERIFY(a.record(guid).deleted);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));

    QVERIFY(a.store().restoreRecord(guid));
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t1, lost by the server")}});
    SYNC_OK(a);
    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(a); // finds the history gone; the server has the record deleted
    QVERIFY(b.store().restoreRecord(guid));
    SYNC_OK(b);
    SYNC_OK(a);
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("t1, lost by the server"));
    const std::optional<Conflict> conflict = a.store().conflict(guid).value();
    QVERIFY2(conflict && conflict->field(QStringLiteral("title")),
             "the value the server lost is not offered against the other device's restore");
}

// The server lost a record, and the comparison that finds out is cut off by the network.
// Nothing is built to send in the meantime (its bases would be unverified), and when the
// comparison ends the record goes back whole: every member of a set, not only the ones
// added since the last sync.
void TestReplication::recoveryInterruptedSendsTheLostRecordWhole()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config);
    a.create(QStringLiteral("Tag"),
             {{QStringLiteral("name"), QStringLiteral("before the backup")}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));

    const QString x
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("x")}});
    const QString y
        = a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("y")}});
    const QString post = a.create(
        QStringLiteral("Post"),
        {{QStringLiteral("title"), QStringLiteral("p")}, {QStringLiteral("tags"), QJsonArray {x}}});
    SYNC_OK(a);
    a.edit(post, {{QStringLiteral("tags"), QJsonArray {x, y}}, {QStringLiteral("rating"), 4}});
    QVERIFY(restoreBackup(server, backup));

    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 100);
    QSignalSpy told(&a.client(), &SyncClient::errorOccurred);
    QVERIFY(!a.sync().ok);
    QVERIFY2(saidHistoryMismatch(told), "the device did not say the server lost history");
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 0);
    SYNC_OK(a);
    SYNC_OK(a);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    for (const QString &guid : {x, y, post})
        QVERIFY2(a.record(guid).problem.isEmpty(), qPrintable(a.record(guid).problem));
    const ServerRecord onTheServer
        = readServerRecords(server.dataDir(), config.workspace)->value(post);
    QCOMPARE(onTheServer.fields.value(QStringLiteral("tags")).toArray().size(), 2);
    QCOMPARE(onTheServer.fields.value(QStringLiteral("rating")).toInt(), 4);
    SYNC_OK(b);
    QCOMPARE(b.record(post).fields.value(QStringLiteral("tags")).toArray().size(), 2);
}

// A device holds an edit-vs-delete conflict; the server is then restored from a backup in
// which the record was never deleted. The comparison goes by what the server has now: no
// delete to decide about here (the device that deleted is asked), and the edit is sent.
void TestReplication::recoveryForgetsADeleteTheServerLost()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    QVERIFY(b.store().deleteRecord(guid));
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("edited on a")}});
    SYNC_OK(a);
    QVERIFY(a.store().conflict(guid).value()->theirsDeleted);

    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(a);
    SYNC_OK(a);
    QVERIFY2(!a.store().conflict(guid).value(),
             "a delete the server no longer has is still asked about");
    const ServerRecord onTheServer
        = readServerRecords(server.dataDir(), config.workspace)->value(guid);
    QVERIFY(!onTheServer.deleted);
    QCOMPARE(onTheServer.fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("edited on a"));
    // The device that deleted is the one asked.
    SYNC_OK(b);
    const std::optional<Conflict> atB = b.store().conflict(guid).value();
    QVERIFY(atB && atB->mineDeleted);
}

// A device has deleted a record; the server is restored from a backup in which it is not
// deleted. The device is asked about its delete, and nothing else: a tombstone has no values
// of its own, so the server's are what it shows, not field conflicts against empty ones.
void TestReplication::recoveryAsksAboutADeleteOnly()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config);
    const QString guid = a.create(
        QStringLiteral("Post"),
        {{QStringLiteral("title"), QStringLiteral("t0")}, {QStringLiteral("rating"), 2}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    TestDevice c(config); // knows the record only as the tombstone it pulled
    SYNC_OK(c);
    QVERIFY(c.record(guid).deleted);
    QVERIFY(restoreBackup(server, backup));
    for (TestDevice *device : {&a, &c}) {
        SYNC_OK(*device);
        const std::optional<Conflict> conflict = device->store().conflict(guid).value();
        QVERIFY(conflict && conflict->mineDeleted);
        QVERIFY2(conflict->fields.isEmpty(),
                 "a tombstone's empty fields were offered as this device's values");
        QVERIFY(
            device->store().resolveConflict(guid, ConflictDecision {Resolution::KeepTheirs, {}}));
        QVERIFY(!device->record(guid).deleted);
        QCOMPARE(device->record(guid).fields.value(QStringLiteral("title")).toString(),
                 QStringLiteral("t0"));
        QCOMPARE(device->record(guid).fields.value(QStringLiteral("rating")).toInt(), 2);
        SYNC_OK(*device);
        QCOMPARE(device->store().unsyncedCount().value(), 0);
    }
}

// The comparison after a restore makes a set field a conflict (this device's members against
// the server's). Another device changes the set meanwhile: the conflict shows the server's
// newest members, and keeping theirs takes those, not the ones of when the conflict arose.
void TestReplication::setFieldInConflictFollowsTheServer()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    QStringList tags;
    for (const char *name : {"t1", "t2", "t3"})
        tags.append(
            a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QString::fromLatin1(name)}}));
    const QString post
        = a.create(QStringLiteral("Post"), {{QStringLiteral("tags"), QJsonArray {tags[0]}}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    a.edit(post, {{QStringLiteral("tags"), QJsonArray {tags[1]}}});
    SYNC_OK(a);
    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(a);
    QVERIFY(a.store().conflict(post).value()->field(QStringLiteral("tags")));
    b.edit(post, {{QStringLiteral("tags"), QJsonArray {tags[0], tags[2]}}});
    SYNC_OK(b);
    SYNC_OK(a);
    QVERIFY(a.store().resolveConflict(post, ConflictDecision {Resolution::KeepTheirs, {}}));
    SYNC_OK(a);
    const ServerRecord onTheServer
        = readServerRecords(server.dataDir(), config.workspace)->value(post);
    QCOMPARE(onTheServer.fields.value(QStringLiteral("tags")).toArray().size(), 2);
    QCOMPARE(a.record(post).fields.value(QStringLiteral("tags")).toArray().size(), 2);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
}

// A field conflict is open; the person deletes the record here, then resolves the conflict
// by merging, typing a value. A merged result is a record: it comes back with that value
// instead of the value vanishing into a tombstone.
void TestReplication::mergeOfARecordDeletedHereBringsItBack()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("from b")}});
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("from a")}});
    SYNC_OK(a);
    QVERIFY(a.store().conflict(guid).value()->field(QStringLiteral("title")));
    QVERIFY(a.store().deleteRecord(guid));
    QVERIFY(a.store().resolveConflict(
        guid,
        ConflictDecision {Resolution::Merge,
                          {{QStringLiteral("title"), QStringLiteral("merged")}}}));
    QVERIFY(!a.record(guid).deleted);
    SYNC_OK(a);
    const ServerRecord onTheServer = onServer(config, guid);
    QVERIFY(!onTheServer.deleted);
    QCOMPARE(onTheServer.fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("merged"));
    SYNC_OK(b);
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("merged"));
}

// The server refuses a push (409 history_mismatch, after a restore from a backup) and the
// network cuts that answer short: its code cannot be read. That is the network's failure,
// retried like one; the retry reads the refusal and the device recovers, in the same sync.
void TestReplication::refusalCutByTheNetworkIsRetried()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t1")}});
    SYNC_OK(a);
    QVERIFY(restoreBackup(server, backup));
    a.edit(guid, {{QStringLiteral("body"), QStringLiteral("more")}});
    proxy.setFault("/push", FaultProxy::Fault::CutResponse, 0, 1);
    const SyncSummary summary = a.sync();
    QCOMPARE(proxy.faulted(), 1);
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    // What the server lost is offered back as a conflict, not lost.
    QVERIFY(a.store().conflict(guid).value()
            && a.store().conflict(guid).value()->field(QStringLiteral("title")));
    SYNC_OK(a);
}

// A record with an open field conflict, which the server then loses (restored from a backup
// older than the record). The conflict was with values the server no longer has: the record
// goes back whole with this device's values and the question goes with it to the device
// that still holds the other values, which meets it when it syncs. A conflict kept here was
// decided later against values the server no longer had, taken as if the server held them
// (soak seeds 3108 and 3512).
void TestReplication::conflictOnARecordTheServerLostMovesToTheOtherDevice()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    a.create(QStringLiteral("Tag"),
             {{QStringLiteral("name"), QStringLiteral("before the backup")}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    const QString guid = a.create(
        QStringLiteral("Post"),
        {{QStringLiteral("title"), QStringLiteral("t0")}, {QStringLiteral("rating"), 1}});
    SYNC_OK(a);
    SYNC_OK(b);
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("from b")}});
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("from a")}});
    SYNC_OK(a);
    QVERIFY(a.store().conflict(guid).value());
    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(a);
    SYNC_OK(a);
    QVERIFY2(!a.store().conflict(guid).value(), "asked about values the server no longer has");
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    const auto onTheServer = [&] {
        return readServerRecords(server.dataDir(), config.workspace)->value(guid);
    };
    QCOMPARE(onTheServer().fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from a"));
    QCOMPARE(onTheServer().fields.value(QStringLiteral("rating")).toInt(), 1);

    // b still holds its value: it is asked, and what it decides reaches everyone.
    SYNC_OK(b);
    const std::optional<Conflict> atB = b.store().conflict(guid).value();
    QVERIFY(atB && atB->field(QStringLiteral("title")));
    QVERIFY(b.store().resolveConflict(guid, ConflictDecision {Resolution::KeepMine, {}}));
    SYNC_OK(b);
    SYNC_OK(a);
    QCOMPARE(onTheServer().fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from b"));
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("from b"));
    QCOMPARE(b.store().unsyncedCount().value(), 0);
}

// A push reaches the server but its answer is lost; another device pulls it. The server is
// restored from a backup older than both, a third device pushes, and the first sends its
// batch again: it lands on the sequence number it had before the restore, under the same
// batch id. The history before it differs, so the device that pulled it must be told the
// server lost history, not go on from a cursor that skips what the third device made (soak
// seed 7335).
void TestReplication::batchSentAgainAfterARestoreIsNotTheHistoryLost()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config), c(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));

    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("from b, lost by the server")}});
    SYNC_OK(b);
    a.edit(guid, {{QStringLiteral("body"), QStringLiteral("from a")}});
    proxy.setFault("/push", FaultProxy::Fault::CutResponse, 0, 100);
    QVERIFY(!a.sync().ok);
    proxy.setFault("/push", FaultProxy::Fault::CutResponse, 0, 0);
    SYNC_OK(b); // b's cursor is now the sequence a's push made

    QVERIFY(restoreBackup(server, backup));
    const QString other
        = c.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("from c")}});
    SYNC_OK(c);
    SYNC_OK(a); // the same batch again, on the same sequence number as before

    QSignalSpy told(&b.client(), &SyncClient::errorOccurred);
    SYNC_OK(b);
    QVERIFY2(saidHistoryMismatch(told), "the device did not notice the server lost history");
    QVERIFY2(!b.record(other).guid.isEmpty(), "the record pushed after the restore is missing");
    const std::optional<Conflict> conflict = b.store().conflict(guid).value();
    QVERIFY2(conflict && conflict->field(QStringLiteral("title")),
             "the value the server lost is not offered back");
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("body")).toString(),
             QStringLiteral("from a"));
}

// A server from before history tokens (schema 5) is upgraded: the tokens of the pushes it
// kept are computed, so a device that synced since goes on without being told the server
// lost history. A device that holds a batch id from the old server is checked as before.
void TestReplication::historyTokensComeToAnUpgradedServer()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    for (int i = 1; i <= 3; ++i) {
        a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t%1").arg(i)}});
        SYNC_OK(a);
    }
    SYNC_OK(b);
    const QString tokenBefore = b.store().cursorCheck();
    QCOMPARE(tokenBefore.size(), 64);

    // Back to schema 5: no tokens anywhere.
    QVERIFY(server.terminate());
    QString batchAtCursor;
    {
        QSqlDatabase db = openServerDatabase(QStringLiteral("downgrade"), server.dataDir(), true);
        QVERIFY(db.isOpen());
        QSqlQuery q(db);
        QVERIFY(q.exec(
            QStringLiteral("SELECT batch FROM batches WHERE seq = %1").arg(b.store().cursor())));
        QVERIFY(q.next());
        batchAtCursor = q.value(0).toString();
        q.finish();
        for (const char *sql : {"DROP INDEX users_by_key", "ALTER TABLE users DROP COLUMN name_key",
                                "DROP TABLE signin_failures", "DROP TABLE invitations",
                                "DROP TABLE blob_log", "ALTER TABLE batches DROP COLUMN history",
                                "ALTER TABLE workspaces DROP COLUMN history",
                                "UPDATE meta SET value = '5' WHERE key = 'schema_version'"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
        if (db.driverName() == QLatin1String("QSQLITE")) // SQLite keeps the version here too
            QVERIFY2(q.exec(QStringLiteral("PRAGMA user_version = 5")),
                     qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));
    QVERIFY(server.restart());

    QSignalSpy toldB(&b.client(), &SyncClient::errorOccurred);
    SYNC_OK(b);
    QVERIFY2(!saidHistoryMismatch(toldB), "the upgrade computed other tokens than it handed out");
    QCOMPARE(b.store().cursorCheck(), tokenBefore);
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("after the upgrade")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(!saidHistoryMismatch(toldB));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("after the upgrade"));

    // A device that last pulled from the old server holds the id of the push at its cursor.
    TestDevice c(config);
    SYNC_OK(c);
    QVERIFY(c.store().setSetting(QStringLiteral("cursor_batch"), batchAtCursor));
    QVERIFY(c.store().setSetting(QStringLiteral("cursor"), QString::number(4)));
    QSignalSpy toldC(&c.client(), &SyncClient::errorOccurred);
    SYNC_OK(c);
    QVERIFY2(!saidHistoryMismatch(toldC), "a batch id from the old server was not recognised");
    QCOMPARE(c.store().cursorCheck().size(), 64);
    QVERIFY(c.store().setSetting(QStringLiteral("cursor_batch"), QStringLiteral("no-such-batch")));
    QVERIFY(c.store().setSetting(QStringLiteral("cursor"), QString::number(4)));
    SYNC_OK(c);
    QVERIFY2(saidHistoryMismatch(toldC), "a batch id the server never had was taken");
}

// A device restores a record it holds deleted, and before that goes out the server is put
// back to a backup in which the record was never deleted. The comparison finds the record
// live on both sides: the restore waiting to go is done, not kept as a restore from a
// delete the server no longer has. Kept, a delete made before the comparison ended was
// taken for the server's own state and never sent (soak seed 1845).
void TestReplication::restoreWaitingWhenTheServerHasTheRecordIsDone()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("later")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    QVERIFY(b.store().deleteRecord(guid));
    SYNC_OK(b);
    SYNC_OK(a);
    QVERIFY(a.record(guid).deleted);
    QVERIFY(a.store().restoreRecord(guid));
    QVERIFY(restoreBackup(server, backup));

    // The comparison's first page (the record) arrives, then the network goes.
    a.setPullPageSize(1);
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 1, 1000);
    QVERIFY(!a.sync().ok);
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 0);
    QVERIFY(!a.record(guid).deleted);
    QVERIFY(a.store().deleteRecord(guid));
    SYNC_OK(a);
    SYNC_OK(a);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    QVERIFY2(readServerRecords(server.dataDir(), config.workspace)->value(guid).deleted,
             "the delete made here never went out");
    SYNC_OK(b);
    QVERIFY(b.record(guid).deleted);
}

// A fresh device's pull is cut after its first page; the server is then restored from a
// backup older than the head that pull saw. A record past the cut (changed after the backup)
// sits, in the backup, below the cursor: resuming at the cursor would never bring it. The
// device names the head it saw, so the server's lost history is noticed and compared.
void TestReplication::pullResumedAfterARestoreMissesNothing()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(config), d(proxied);
    d.setPullPageSize(1);
    const QString early = a.create(QStringLiteral("Post"),
                                   {{QStringLiteral("title"), QStringLiteral("early")},
                                    {QStringLiteral("body"), QStringLiteral("kept")}});
    SYNC_OK(a);
    const QString later
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("later")}});
    SYNC_OK(a);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    a.edit(early, {{QStringLiteral("rating"), 3}}); // past `later` now, and past the backup
    SYNC_OK(a);

    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 1, 100);
    QVERIFY(!d.sync().ok); // `later` arrived; `early` was still to come
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 0);
    QCOMPARE(d.record(later).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("later"));
    QVERIFY(!d.store().record(early)); // not here yet

    QVERIFY(restoreBackup(server, backup));
    QSignalSpy told(&d.client(), &SyncClient::errorOccurred);
    SYNC_OK(d);
    SYNC_OK(d);
    QVERIFY2(saidHistoryMismatch(told), "the device did not say the server lost history");
    QCOMPARE(d.record(early).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("early"));
    QCOMPARE(d.record(early).fields.value(QStringLiteral("body")).toString(),
             QStringLiteral("kept"));
}

// A push whose edits the server already had changes nothing, yet its answer hands this device
// revisions past its cursor (another device's push made them). The server is then restored
// from a backup older than those revisions and another device's push takes their number: this
// device must notice, not take its revisions for the new ones.
void TestReplication::pushThatChangedNothingStillNamesItsHistory()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(config), b(proxied), c(config);
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));

    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("same on both")}});
    SYNC_OK(a);
    b.edit(guid, {{QStringLiteral("title"), QStringLiteral("same on both")}});
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 100);
    QVERIFY(!b.sync().ok); // the push went through and changed nothing; the pull did not
    proxy.setFault("/pull", FaultProxy::Fault::RefuseRequest, 0, 0);
    QCOMPARE(b.store().unsyncedCount().value(), 0);

    QVERIFY(restoreBackup(server, backup));
    SYNC_OK(c);
    c.edit(guid, {{QStringLiteral("title"), QStringLiteral("from c after the restore")}});
    SYNC_OK(c); // takes the number a's lost push had

    b.edit(guid, {{QStringLiteral("body"), QStringLiteral("more from b")}});
    QSignalSpy told(&b.client(), &SyncClient::errorOccurred);
    SYNC_OK(b);
    SYNC_OK(b);
    QVERIFY2(saidHistoryMismatch(told), "the device did not say the server lost history");
    SYNC_OK(c);
    const std::optional<Conflict> conflict = b.store().conflict(guid).value();
    if (conflict) {
        QVERIFY(b.store().resolveConflict(guid, ConflictDecision {Resolution::KeepTheirs, {}}));
        SYNC_OK(b);
        SYNC_OK(c);
    }
    QCOMPARE(fieldsOf(b.record(guid)), fieldsOf(c.record(guid)));
}

// A set change this device pushed is lost when the server is put back from an older backup;
// another device deletes the record; this device adds a member and, asked about the delete,
// keeps its side. The record comes back with every member this device has, not only the
// ones added since the push the server lost.
void TestReplication::keepMineOfADeleteAfterALostPushSendsTheWholeSet()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    QStringList tags;
    for (const char *name : {"t1", "t2", "t3"})
        tags.append(
            a.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QString::fromLatin1(name)}}));
    const QString post
        = a.create(QStringLiteral("Post"), {{QStringLiteral("tags"), QJsonArray {tags[0]}}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(takeBackup(server, backup));
    a.edit(post, {{QStringLiteral("tags"), QJsonArray {tags[0], tags[1]}}});
    SYNC_OK(a);
    QVERIFY(restoreBackup(server, backup));
    QVERIFY(b.store().deleteRecord(post));
    SYNC_OK(b);
    a.edit(post, {{QStringLiteral("tags"), QJsonArray {tags[0], tags[1], tags[2]}}});
    SYNC_OK(a);
    const std::optional<Conflict> conflict = a.store().conflict(post).value();
    QVERIFY(conflict && conflict->theirsDeleted);
    QVERIFY(a.store().resolveConflict(post, ConflictDecision {Resolution::KeepMine, {}}));
    SYNC_OK(a);
    SYNC_OK(b);
    QStringList members;
    const ServerRecord onTheServer
        = readServerRecords(server.dataDir(), config.workspace)->value(post);
    for (const QJsonValue &m : onTheServer.fields.value(QStringLiteral("tags")).toArray())
        members.append(m.toString());
    members.sort();
    QStringList expected = tags;
    expected.sort();
    QCOMPARE(members, expected);
    QVERIFY(!b.record(post).deleted);
    QCOMPARE(b.record(post).fields.value(QStringLiteral("tags")).toArray().size(), 3);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
}

QTEST_GUILESS_MAIN(TestReplication)
#include "tst_replication.moc"
