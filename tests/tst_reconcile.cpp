// The client's merge rules, case by case, without a database or a network.
#include "reconcile.h"
#include "testprint.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Ferry;

namespace {

const QString kGuid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3");

QJsonValue json(const char *text)
{
    // Wrap so scalars parse too.
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().at(0);
}

EntityDef entity()
{
    const Result<Schema> schema = Schema::fromJson(R"({"entities": [{"name": "Note", "fields": [
        {"name": "s", "type": "string"}, {"name": "t", "type": "text"}, {"name": "n", "type": "int"},
        {"name": "b", "type": "bool"}, {"name": "r", "type": "refs", "target": "Note"}]}]})");
    return *schema->entity(QStringLiteral("Note"));
}

LocalRecord synced(qint64 rev)
{
    LocalRecord r;
    r.entity = QStringLiteral("Note");
    r.guid = kGuid;
    r.rev = rev;
    return r;
}

Wire::RemoteRecord remote(qint64 rev, const QJsonObject &fields, bool deleted = false)
{
    Wire::RemoteRecord r;
    r.entity = QStringLiteral("Note");
    r.guid = kGuid;
    r.rev = rev;
    r.fields = fields;
    r.deleted = deleted;
    r.device = QStringLiteral("other-device");
    r.user = QStringLiteral("bob");
    return r;
}

} // namespace

class TestReconcile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fieldMerge_data();
    void fieldMerge();
    void mergeSets_data();
    void mergeSets();
    void unknownFieldsAreKept();
    void remoteDeleteOfCleanRecord();
    void remoteDeleteOfEditedRecordConflicts();
    void localDeleteOfRemotelyEditedRecordConflicts();
    void pushAppliedKeepsEditsMadeInFlight();
    void pushConflictKeepsMineAndRecordsTheirs();
    void mutationSendsOnlyDirtyFieldsAndSetOps();
    void resolveKeepMineRebasesOnTheirs();
};

void TestReconcile::fieldMerge_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("dirty");
    QTest::addColumn<QJsonValue>("base");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<QJsonValue>("result");
    QTest::addColumn<bool>("stillDirty");
    QTest::addColumn<bool>("conflict");

    QTest::newRow("clean field takes theirs") << "s" << false << json("null") << json("\"a\"")
                                              << json("\"b\"") << json("\"b\"") << false << false;
    QTest::newRow("only mine changed") << "s" << true << json("\"a\"") << json("\"m\"")
                                       << json("\"a\"") << json("\"m\"") << true << false;
    QTest::newRow("same change both sides") << "s" << true << json("\"a\"") << json("\"x\"")
                                            << json("\"x\"") << json("\"x\"") << false << false;
    QTest::newRow("string both changed") << "s" << true << json("\"a\"") << json("\"m\"")
                                         << json("\"t\"") << json("\"m\"") << true << true;
    QTest::newRow("text both changed") << "t" << true << json("\"a\\nb\"") << json("\"a\\nB\"")
                                       << json("\"A\\nb\"") << json("\"a\\nB\"") << true << true;
    QTest::newRow("int both changed")
        << "n" << true << json("1") << json("2") << json("3") << json("2") << true << true;
    QTest::newRow("int equal values")
        << "n" << true << json("1") << json("2") << json("2.0") << json("2") << false << false;
    QTest::newRow("bool cleared vs set") << "b" << true << json("true") << json("null")
                                         << json("false") << json("null") << true << true;
    QTest::newRow("refs both added") << "r" << true << json("[]") << json("[\"b\"]")
                                     << json("[\"c\"]") << json("[\"b\",\"c\"]") << true << false;
    QTest::newRow("refs add and remove") << "r" << true << json("[\"a\"]") << json("[\"a\",\"b\"]")
                                         << json("[]") << json("[\"b\"]") << true << false;
    QTest::newRow("refs same result")
        << "r" << true << json("[\"a\"]") << json("[\"a\",\"b\"]") << json("[\"b\",\"a\"]")
        << json("[\"a\",\"b\"]") << false << false;
}

void TestReconcile::fieldMerge()
{
    QFETCH(QString, field);
    QFETCH(bool, dirty);
    QFETCH(QJsonValue, base);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(QJsonValue, result);
    QFETCH(bool, stillDirty);
    QFETCH(bool, conflict);

    LocalRecord local = synced(5);
    local.fields.insert(field, mine);
    if (dirty) {
        local.dirty.append(field);
        local.base.insert(field, base);
        local.status = SyncStatus::NeedsSync;
    }
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(7, {{field, theirs}}), c);
    QVERIFY2(sameValue(local.fields.value(field), result),
             QJsonDocument(QJsonArray {local.fields.value(field)}).toJson().constData());
    QCOMPARE(local.isDirty(field), stillDirty);
    QCOMPARE(!c.isEmpty(), conflict);
    QCOMPARE(local.rev, 7);
    if (conflict) {
        QCOMPARE(local.status, SyncStatus::Conflicted);
        QVERIFY(sameValue(c.field(field)->base, base));
        QVERIFY(sameValue(c.field(field)->mine, mine));
        QVERIFY(sameValue(c.field(field)->theirs, theirs));
        QCOMPARE(c.theirsUser, QStringLiteral("bob"));
        // Resolving against theirs later is a plain change on top of the server's value.
        QVERIFY(sameValue(local.base.value(field), theirs));
    } else {
        QCOMPARE(local.status, stillDirty ? SyncStatus::NeedsSync : SyncStatus::Synced);
    }
}

void TestReconcile::mergeSets_data()
{
    QTest::addColumn<QJsonValue>("base");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<QJsonValue>("merged");
    QTest::newRow("disjoint adds")
        << json("[]") << json("[\"a\"]") << json("[\"b\"]") << json("[\"a\",\"b\"]");
    QTest::newRow("both remove") << json("[\"a\",\"b\"]") << json("[\"b\"]") << json("[\"a\"]")
                                 << json("[]");
    QTest::newRow("one removes one keeps")
        << json("[\"a\"]") << json("[\"a\"]") << json("[]") << json("[]");
    QTest::newRow("null base") << json("null") << json("[\"a\"]") << json("[\"b\"]")
                               << json("[\"a\",\"b\"]");
}

void TestReconcile::mergeSets()
{
    QFETCH(QJsonValue, base);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(QJsonValue, merged);
    QCOMPARE(Reconcile::mergeSets(base, mine, theirs), merged);
}

void TestReconcile::unknownFieldsAreKept()
{
    LocalRecord local = synced(1);
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(2,
                                  {{QStringLiteral("s"), QStringLiteral("x")},
                                   {QStringLiteral("mood"), QStringLiteral("sunny")}}),
                           c);
    QCOMPARE(local.extra.value(QStringLiteral("mood")).toString(), QStringLiteral("sunny"));
    QVERIFY(!local.fields.contains(QStringLiteral("mood")));
    QJsonObject pushed;
    local.dirty = {QStringLiteral("s")};
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QVERIFY(!m.fields.contains(QStringLiteral("mood"))); // never sent back as a change...
}

void TestReconcile::remoteDeleteOfCleanRecord()
{
    LocalRecord local = synced(3);
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(4, {}, true), c);
    QVERIFY(local.deleted);
    QVERIFY(c.isEmpty());
    QCOMPARE(local.status, SyncStatus::Synced);
}

void TestReconcile::remoteDeleteOfEditedRecordConflicts()
{
    LocalRecord local = synced(3);
    local.fields.insert(QStringLiteral("s"), QStringLiteral("mine"));
    local.dirty = {QStringLiteral("s")};
    local.base.insert(QStringLiteral("s"), QStringLiteral("old"));
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(4, {}, true), c);
    QVERIFY(!local.deleted); // still shows this device's side
    QVERIFY(c.theirsDeleted);
    QCOMPARE(local.status, SyncStatus::Conflicted);

    Reconcile::resolve(entity(), local, c, Resolution::KeepMine);
    QVERIFY(c.isEmpty());
    QJsonObject pushed;
    const Wire::Mutation restore = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(restore.deleted, false);
    QVERIFY(local.isDirty(kDeletedFlag)); // the restore is sent
    QCOMPARE(restore.base, 4);
    QCOMPARE(restore.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
}

void TestReconcile::localDeleteOfRemotelyEditedRecordConflicts()
{
    LocalRecord local = synced(3);
    local.deleted = true;
    local.dirty = {QString(kDeletedFlag)};
    local.base.insert(QString(kDeletedFlag), false);
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(5, {{QStringLiteral("s"), QStringLiteral("theirs")}}), c);
    QVERIFY(c.mineDeleted);
    QVERIFY(local.deleted);
    Reconcile::resolve(entity(), local, c, Resolution::KeepTheirs);
    QVERIFY(!local.deleted);
    QCOMPARE(local.fields.value(QStringLiteral("s")).toString(), QStringLiteral("theirs"));
    QCOMPARE(local.status, SyncStatus::Synced);
}

void TestReconcile::pushAppliedKeepsEditsMadeInFlight()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("typed later")}, {QStringLiteral("n"), 9}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("n")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}, {QStringLiteral("n"), 1}};
    const QJsonObject pushed {{QStringLiteral("s"), QStringLiteral("sent")},
                              {QStringLiteral("n"), 9}};
    Wire::MutationResult result;
    result.guid = kGuid;
    result.status = Wire::PushStatus::Applied;
    result.rev = 6;
    Conflict c;
    Reconcile::applyPushResult(entity(), local, pushed, result, c);
    QCOMPARE(local.rev, 6);
    QVERIFY(!local.isDirty(QStringLiteral("n")));
    QVERIFY(local.isDirty(QStringLiteral("s")));
    QCOMPARE(local.base.value(QStringLiteral("s")).toString(), QStringLiteral("sent"));
    QCOMPARE(local.status, SyncStatus::NeedsSync);
}

void TestReconcile::pushConflictKeepsMineAndRecordsTheirs()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("mine")}, {QStringLiteral("n"), 4}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("n")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}, {QStringLiteral("n"), 1}};
    Wire::MutationResult result;
    result.guid = kGuid;
    result.status = Wire::PushStatus::Conflict;
    result.rev = 8;
    result.conflicts = {QStringLiteral("s")};
    result.hasRecord = true;
    result.record
        = remote(8, {{QStringLiteral("s"), QStringLiteral("theirs")}, {QStringLiteral("n"), 4}});
    Conflict c;
    Reconcile::applyPushResult(
        entity(), local, {{QStringLiteral("s"), QStringLiteral("mine")}, {QStringLiteral("n"), 4}},
        result, c);
    QCOMPARE(local.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
    QVERIFY(!local.isDirty(QStringLiteral("n")));
    QCOMPARE(c.fields.size(), 1);
    QCOMPARE(c.field(QStringLiteral("s"))->theirs.toString(), QStringLiteral("theirs"));
    QCOMPARE(c.field(QStringLiteral("s"))->base.toString(), QStringLiteral("orig"));
    QCOMPARE(c.theirsRev, 8);
    QCOMPARE(local.status, SyncStatus::Conflicted);
}

void TestReconcile::mutationSendsOnlyDirtyFieldsAndSetOps()
{
    LocalRecord local = synced(4);
    local.fields = {{QStringLiteral("s"), QStringLiteral("x")},
                    {QStringLiteral("n"), 1},
                    {QStringLiteral("r"), QJsonArray {QStringLiteral("b"), QStringLiteral("c")}}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("r")};
    local.base = {{QStringLiteral("s"), QStringLiteral("w")},
                  {QStringLiteral("r"), QJsonArray {QStringLiteral("a"), QStringLiteral("b")}}};
    QJsonObject pushed;
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(m.base, 4);
    QCOMPARE(m.fields.keys(), QStringList {QStringLiteral("s")});
    QCOMPARE(m.sets.value(QStringLiteral("r")).add, QStringList {QStringLiteral("c")});
    QCOMPARE(m.sets.value(QStringLiteral("r")).remove, QStringList {QStringLiteral("a")});
    QCOMPARE(pushed.keys(), (QStringList {QStringLiteral("r"), QStringLiteral("s")}));
}

void TestReconcile::resolveKeepMineRebasesOnTheirs()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("mine")}};
    local.dirty = {QStringLiteral("s")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}};
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(9, {{QStringLiteral("s"), QStringLiteral("theirs")}}), c);
    Reconcile::resolve(entity(), local, c, Resolution::KeepMine);
    QJsonObject pushed;
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(m.base, 9); // based on the server's revision: a further change conflicts again
    QCOMPARE(m.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
    QCOMPARE(local.status, SyncStatus::NeedsSync);
}

QTEST_GUILESS_MAIN(TestReconcile)
#include "tst_reconcile.moc"
