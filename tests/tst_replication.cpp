// Regression tests for replication defects that the randomized convergence test
// (tst_convergence) and people trying Ferry found: each case is the smallest sequence that
// lost or diverged data before its fix. Real ferry-server, real stores.
#include "faultproxy.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
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
    const QString first = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    if (!fresh)
        SYNC_OK(b);
    a.edit(first, {{QStringLiteral("body"), QStringLiteral("body from a")}});
    SYNC_OK(a);
    const QString second = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("second")}});
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    if (knewTheRecord)
        SYNC_OK(b); // b holds title t0
    a.edit(guid, {{QStringLiteral("title"), QStringLiteral("t1")},
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("A")}});
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
    QCOMPARE(onServer(config, guid).fields.value(QStringLiteral("title")).toString(), QStringLiteral("A"));
    const std::optional<Conflict> conflict = b.store().conflict(guid).value();
    QVERIFY(conflict);
    QVERIFY(conflict->field(QStringLiteral("title")));
    QCOMPARE(conflict->field(QStringLiteral("title"))->theirs.toString(), QStringLiteral("A"));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(), QStringLiteral("offline on b"));
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
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
    QCOMPARE(a.record(guid).fields.value(QStringLiteral("title")).toString(), QStringLiteral("back"));
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
    const QString guid = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
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
    const QString kept = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("t0")}});
    SYNC_OK(a);
    SYNC_OK(b);

    // The backup.
    QTemporaryDir backup;
    QVERIFY(server.terminate());
    const QStringList files = QDir(server.dataDir()).entryList({QStringLiteral("ferry.db*")}, QDir::Files);
    for (const QString &name : files)
        QVERIFY(QFile::copy(QDir(server.dataDir()).filePath(name), backup.filePath(name)));
    QVERIFY(server.restart());

    a.edit(kept, {{QStringLiteral("title"), QStringLiteral("t1, lost by the server")}});
    const QString lost = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("made after the backup")}});
    SYNC_OK(a);
    SYNC_OK(b);
    const QString unsent = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("not sent yet")}});

    // The restore.
    QVERIFY(server.terminate());
    for (const QString &name : QDir(server.dataDir()).entryList({QStringLiteral("ferry.db*")}, QDir::Files))
        QVERIFY(QFile::remove(QDir(server.dataDir()).filePath(name)));
    for (const QString &name : files)
        QVERIFY(QFile::copy(backup.filePath(name), QDir(server.dataDir()).filePath(name)));
    QVERIFY(server.restart());
    QString other;
    if (newPushesSince) {
        TestDevice c(config);
        other = c.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("from c")}});
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
    Result<QHash<QString, ServerRecord>> records = readServerRecords(server.dataDir(), config.workspace);
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

QTEST_GUILESS_MAIN(TestReplication)
#include "tst_replication.moc"
