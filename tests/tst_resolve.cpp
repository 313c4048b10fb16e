#include "localstore.h"
#include "reconcile.h"
#include "testprint.h"

#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;

// Settling conflicts in the local store: per-field results, keep both, refused decisions,
// and what each policy decides. Conflicts are made by pulling the server's change of a
// record this device has edited.
class TestResolve : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void mergeTakesEachFieldsResult();
    void mergeToTheServersValueSettlesTheField();
    void keepBothMakesACopyOfMine();
    void refusedDecisionsChangeNothing_data();
    void refusedDecisionsChangeNothing();
    void acceptingADeleteDeletes();
    void restoringMyEditsUndoesTheirDelete();
    void conflictSurvivesReopenWithBothTimes();
    void policies_data();
    void policies();

private:
    // A Post synced at rev 1 (title "base", rating 1), edited here (title "mine", rating 2)
    // and changed on the server at rev 2 (title "theirs", rating 3): two field conflicts.
    QString makeConflict(bool theyDelete = false);
    std::unique_ptr<LocalStore> open();
    Wire::RemoteRecord remote(qint64 rev, const QJsonObject &fields) const;

    const QString m_guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-0000000000aa");
    QTemporaryDir *m_dir = nullptr;
    std::unique_ptr<LocalStore> m_store;
};

void TestResolve::init()
{
    m_dir = new QTemporaryDir;
    m_store = open();
    QVERIFY(m_store);
}

void TestResolve::cleanup()
{
    m_store.reset();
    delete m_dir;
}

std::unique_ptr<LocalStore> TestResolve::open()
{
    auto store
        = LocalStore::open(m_dir->filePath(QStringLiteral("ferry.db")), Schema::defaultSchema());
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store).value() : nullptr;
}

Wire::RemoteRecord TestResolve::remote(qint64 rev, const QJsonObject &fields) const
{
    Wire::RemoteRecord r;
    r.entity = QStringLiteral("Post");
    r.guid = m_guid;
    r.rev = rev;
    r.fields = fields;
    r.device = QStringLiteral("laptop");
    r.user = QStringLiteral("ana");
    r.changedAt = 1'700'000'000'000;
    return r;
}

QString TestResolve::makeConflict(bool theyDelete)
{
    Wire::PullPage first;
    first.cursor = 1;
    first.changes = {remote(
        1, {{QStringLiteral("title"), QStringLiteral("base")}, {QStringLiteral("rating"), 1}})};
    if (!m_store->applyPullPage(first, nullptr))
        return {};
    if (!m_store->updateRecord(
            m_guid,
            {{QStringLiteral("title"), QStringLiteral("mine")}, {QStringLiteral("rating"), 2}}))
        return {};
    Wire::PullPage second;
    second.cursor = 2;
    Wire::RemoteRecord r = remote(
        2, {{QStringLiteral("title"), QStringLiteral("theirs")}, {QStringLiteral("rating"), 3}});
    if (theyDelete) {
        r.fields = {};
        r.deleted = true;
    }
    second.changes = {r};
    if (!m_store->applyPullPage(second, nullptr))
        return {};
    return m_guid;
}

void TestResolve::mergeTakesEachFieldsResult()
{
    QCOMPARE(makeConflict(), m_guid);
    const auto before = m_store->conflict(m_guid).value();
    QVERIFY(before);
    QCOMPARE(before->fields.size(), 2);
    QCOMPARE(m_store->record(m_guid)->status, SyncStatus::Conflicted);

    ChangeSet change;
    QVERIFY(m_store->resolveConflict(
        m_guid, {Resolution::Merge, {{QStringLiteral("title"), QStringLiteral("both of us")}}},
        &change));
    QCOMPARE(change.guids, QStringList {m_guid});
    QVERIFY(!m_store->conflict(m_guid).value());
    const LocalRecord r = m_store->record(m_guid).value();
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("both of us"));
    QCOMPARE(r.fields.value(QStringLiteral("rating")).toInt(), 2); // not listed: mine
    // Both are changes on top of the server's revision, to be pushed.
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QCOMPARE(r.rev, 2);
    QVERIFY(r.isDirty(QStringLiteral("title")));
    QCOMPARE(r.base.value(QStringLiteral("title")).toString(), QStringLiteral("theirs"));
    QCOMPARE(r.base.value(QStringLiteral("rating")).toInt(), 3);
    QCOMPARE(m_store->conflictCount().value(), 0);
}

void TestResolve::mergeToTheServersValueSettlesTheField()
{
    QCOMPARE(makeConflict(), m_guid);
    QVERIFY(m_store->resolveConflict(
        m_guid,
        {Resolution::Merge,
         {{QStringLiteral("title"), QStringLiteral("theirs")}, {QStringLiteral("rating"), 3}}}));
    const LocalRecord r = m_store->record(m_guid).value();
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("theirs"));
    QCOMPARE(r.dirty, QStringList());
    QCOMPARE(r.status, SyncStatus::Synced);
}

void TestResolve::keepBothMakesACopyOfMine()
{
    QCOMPARE(makeConflict(), m_guid);
    ChangeSet change;
    QVERIFY(m_store->resolveConflict(m_guid, {Resolution::KeepBoth, {}}, &change));
    QCOMPARE(change.guids.size(), 2);
    QCOMPARE(change.guids.first(), m_guid);
    const QString copyGuid = change.guids.last();
    QVERIFY(copyGuid != m_guid);

    const LocalRecord original = m_store->record(m_guid).value();
    QCOMPARE(original.fields.value(QStringLiteral("title")).toString(), QStringLiteral("theirs"));
    QCOMPARE(original.fields.value(QStringLiteral("rating")).toInt(), 3);
    QCOMPARE(original.status, SyncStatus::Synced);

    const LocalRecord copy = m_store->record(copyGuid).value();
    QCOMPARE(copy.entity, QStringLiteral("Post"));
    QCOMPARE(copy.fields.value(QStringLiteral("title")).toString(), QStringLiteral("mine"));
    QCOMPARE(copy.fields.value(QStringLiteral("rating")).toInt(), 2);
    QCOMPARE(copy.rev, 0);
    QCOMPARE(copy.status, SyncStatus::NeedsSync);
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 2);
    QCOMPARE(m_store->conflictCount().value(), 0);
    // Both guids are in the change log, so every view sees both rows.
    const auto logged = m_store->changesSince(0).value();
    QVERIFY(!logged.isEmpty());
    QCOMPARE(logged.last().second.guids, change.guids);
}

void TestResolve::refusedDecisionsChangeNothing_data()
{
    QTest::addColumn<bool>("theyDelete");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<QJsonObject>("values");
    QTest::addColumn<QString>("code");

    QTest::newRow("keep both of a deleted record")
        << true << int(Resolution::KeepBoth) << QJsonObject() << QStringLiteral("bad_decision");
    QTest::newRow("merge a field not in conflict")
        << false << int(Resolution::Merge) << QJsonObject {{QStringLiteral("pinned"), true}}
        << QStringLiteral("bad_field");
    QTest::newRow("merge a field the schema lacks")
        << false << int(Resolution::Merge)
        << QJsonObject {{QStringLiteral("colour"), QStringLiteral("red")}}
        << QStringLiteral("bad_field");
    QTest::newRow("merge a value of the wrong type")
        << false << int(Resolution::Merge)
        << QJsonObject {{QStringLiteral("rating"), QStringLiteral("five")}}
        << QStringLiteral("bad_value");
}

void TestResolve::refusedDecisionsChangeNothing()
{
    QFETCH(bool, theyDelete);
    QFETCH(int, resolution);
    QFETCH(QJsonObject, values);
    QFETCH(QString, code);
    QCOMPARE(makeConflict(theyDelete), m_guid);
    const LocalRecord before = m_store->record(m_guid).value();
    const Status s = m_store->resolveConflict(m_guid, {Resolution(resolution), values});
    QVERIFY(!s.ok());
    QCOMPARE(s.error().code, code);
    QVERIFY(!s.error().message.isEmpty());
    QVERIFY(m_store->conflict(m_guid).value());
    const LocalRecord after = m_store->record(m_guid).value();
    QCOMPARE(after.fields, before.fields);
    QCOMPARE(after.status, SyncStatus::Conflicted);
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 1); // no copy made
}

void TestResolve::acceptingADeleteDeletes()
{
    QCOMPARE(makeConflict(true), m_guid);
    QVERIFY(m_store->conflict(m_guid).value()->theirsDeleted);
    QVERIFY(m_store->resolveConflict(m_guid, {Resolution::KeepTheirs, {}}));
    const LocalRecord r = m_store->record(m_guid).value();
    QVERIFY(r.deleted);
    QCOMPARE(r.status, SyncStatus::Synced);
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 0);
}

void TestResolve::restoringMyEditsUndoesTheirDelete()
{
    QCOMPARE(makeConflict(true), m_guid);
    QVERIFY(m_store->resolveConflict(m_guid, {Resolution::KeepMine, {}}));
    const LocalRecord r = m_store->record(m_guid).value();
    QVERIFY(!r.deleted);
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("mine"));
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QVERIFY(r.isDirty(kDeletedFlag)); // the restore itself is sent
}

void TestResolve::conflictSurvivesReopenWithBothTimes()
{
    QCOMPARE(makeConflict(), m_guid);
    const qint64 editedAt = m_store->conflict(m_guid).value()->mineAt;
    QVERIFY(editedAt > 0);
    m_store.reset();
    m_store = open();
    QVERIFY(m_store);
    const auto c = m_store->conflict(m_guid).value();
    QVERIFY(c);
    QCOMPARE(c->mineAt, editedAt);
    QCOMPARE(c->theirsAt, 1'700'000'000'000);
    QCOMPARE(c->theirsDevice, QStringLiteral("laptop"));
    QCOMPARE(c->theirsUser, QStringLiteral("ana"));
    QCOMPARE(m_store->record(m_guid)->fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("mine"));
}

void TestResolve::policies_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<qint64>("mineAt");
    QTest::addColumn<qint64>("theirsAt");
    QTest::addColumn<QString>("expected"); // "" for no decision

    QTest::newRow("ask") << "ask" << qint64(5) << qint64(1) << QString();
    QTest::newRow("mine") << "mine" << qint64(1) << qint64(5) << "mine";
    QTest::newRow("theirs") << "theirs" << qint64(5) << qint64(1) << "theirs";
    QTest::newRow("newest: mine later") << "newest" << qint64(5) << qint64(1) << "mine";
    QTest::newRow("newest: theirs later") << "newest" << qint64(1) << qint64(5) << "theirs";
    QTest::newRow("newest: a tie goes to the server")
        << "newest" << qint64(3) << qint64(3) << "theirs";
}

void TestResolve::policies()
{
    QFETCH(QString, policy);
    QFETCH(qint64, mineAt);
    QFETCH(qint64, theirsAt);
    QFETCH(QString, expected);
    const std::optional<ConflictPolicy> p = policyFromName(policy);
    QVERIFY(p);
    QCOMPARE(policyName(*p), policy);
    Conflict c;
    c.fields = {FieldConflict {QStringLiteral("title"), QStringLiteral("b"), QStringLiteral("m"),
                               QStringLiteral("t")}};
    c.mineAt = mineAt;
    c.theirsAt = theirsAt;
    const auto decision = Reconcile::decide(*p, LocalRecord(), c);
    if (expected.isEmpty()) {
        QVERIFY(!decision);
        return;
    }
    QVERIFY(decision);
    QCOMPARE(decision->resolution,
             expected == QLatin1String("mine") ? Resolution::KeepMine : Resolution::KeepTheirs);
    QVERIFY(!policyFromName(u"sometimes"));
}

QTEST_GUILESS_MAIN(TestResolve)
#include "tst_resolve.moc"
