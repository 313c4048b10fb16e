#include "localstore.h"
#include "testprint.h"

#include <QJsonArray>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;

class TestLocalStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void createRefusesBadInput_data();
    void createRefusesBadInput();
    void createMarksEveryValueForSync();
    void pulledRecordsAreSyncedAndCursorStored();
    void editKeepsBaseAndDirtyFields();
    void editBackToServerValueIsClean();
    void deleteAndRestore();
    void restartKeepsDirtyStateAndBase();
    void changeLogRecordsOrigin();
    void twoConnectionsWriteConcurrently();
    void pendingPushIsResentUntilAnswered();
    void adoptedRecordsKeepTheirGuidsAndAreSent();

private:
    Wire::RemoteRecord pulled(const QString &guid, qint64 rev, const QJsonObject &fields) const;
    std::unique_ptr<LocalStore> open();
    QTemporaryDir *m_dir = nullptr;
    std::unique_ptr<LocalStore> m_store;
};

void TestLocalStore::init()
{
    m_dir = new QTemporaryDir;
    m_store = open();
    QVERIFY(m_store);
}

void TestLocalStore::cleanup()
{
    m_store.reset();
    delete m_dir;
}

std::unique_ptr<LocalStore> TestLocalStore::open()
{
    Result<std::unique_ptr<LocalStore>> store
        = LocalStore::open(m_dir->filePath(QStringLiteral("ferry.db")), Schema::defaultSchema());
    if (!store)
        qWarning("%s", qPrintable(store.error().message));
    return store ? std::move(store).value() : nullptr;
}

// Records brought from another workspace's store (a local server's, moving to an account):
// same guids, so a ref still finds its record; every value to be sent; deleted records and
// guids already here left alone; the other store unchanged.
void TestLocalStore::adoptedRecordsKeepTheirGuidsAndAreSent()
{
    Result<std::unique_ptr<LocalStore>> opened
        = LocalStore::open(m_dir->filePath(QStringLiteral("local.db")), Schema::defaultSchema());
    QVERIFY(opened);
    LocalStore &local = *opened.value();
    const QString tag = local
                            .createRecord(QStringLiteral("Tag"),
                                          {{QStringLiteral("name"), QStringLiteral("kept")}})
                            .value();
    const Result<QString> made
        = local.createRecord(QStringLiteral("Post"),
                             {{QStringLiteral("title"), QStringLiteral("Tagged")},
                              {QStringLiteral("tags"), QJsonArray {tag}}});
    QVERIFY(made);
    const QString post = made.value();
    const QString gone = local
                             .createRecord(QStringLiteral("Tag"),
                                           {{QStringLiteral("name"), QStringLiteral("gone")}})
                             .value();
    QVERIFY(local.deleteRecord(gone));
    // This store already has one of them (brought before): it stays as it is here.
    QVERIFY(m_store->applyPullPage(
        Wire::PullPage {{pulled(post, 7, {{QStringLiteral("title"), QStringLiteral("Here")}})},
                        7,
                        false,
                        -1,
                        {}},
        nullptr));

    QList<ChangeSet> changes;
    const Result<int> brought = m_store->adoptRecords(local, &changes);
    QVERIFY(brought);
    QCOMPARE(brought.value(), 1);
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.first().guids, QStringList {tag});
    const LocalRecord adopted = m_store->record(tag).value();
    QCOMPARE(adopted.fields.value(QStringLiteral("name")).toString(), QStringLiteral("kept"));
    QCOMPARE(adopted.rev, 0);
    QCOMPARE(adopted.status, SyncStatus::NeedsSync);
    QVERIFY(adopted.isDirty(QStringLiteral("name")));
    QCOMPARE(m_store->record(post).value().fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("Here"));
    QVERIFY(!m_store->record(gone));
    QCOMPARE(local.count(QStringLiteral("Tag")).value(), 1);
    QCOMPARE(local.record(post).value().fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("Tagged"));
}

Wire::RemoteRecord TestLocalStore::pulled(const QString &guid, qint64 rev,
                                          const QJsonObject &fields) const
{
    Wire::RemoteRecord r;
    r.entity = QStringLiteral("Post");
    r.guid = guid;
    r.rev = rev;
    r.fields = fields;
    return r;
}

void TestLocalStore::createRefusesBadInput_data()
{
    QTest::addColumn<QString>("entity");
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QString>("code");
    QTest::newRow("unknown entity") << "Poster" << QJsonObject {} << "bad_entity";
    QTest::newRow("unknown field")
        << "Post" << QJsonObject {{QStringLiteral("colour"), 1}} << "bad_field";
    QTest::newRow("text for int") << "Post"
                                  << QJsonObject {{QStringLiteral("rating"),
                                                   QStringLiteral("high")}}
                                  << "bad_value";
    QTest::newRow("fraction for int")
        << "Post" << QJsonObject {{QStringLiteral("rating"), 1.5}} << "bad_value";
    QTest::newRow("non-guid ref") << "Post"
                                  << QJsonObject {{QStringLiteral("tags"),
                                                   QJsonArray {QStringLiteral("x")}}}
                                  << "bad_value";
    QTest::newRow("bad date") << "Post"
                              << QJsonObject {{QStringLiteral("published"), QStringLiteral("soon")}}
                              << "bad_value";
}

void TestLocalStore::createRefusesBadInput()
{
    QFETCH(QString, entity);
    QFETCH(QJsonObject, fields);
    QFETCH(QString, code);
    const Result<QString> guid = m_store->createRecord(entity, fields);
    QVERIFY(!guid.ok());
    QCOMPARE(guid.error().code, code);
    QVERIFY(!guid.error().message.isEmpty());
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 0);
}

void TestLocalStore::createMarksEveryValueForSync()
{
    const Result<QString> guid = m_store->createRecord(
        QStringLiteral("Post"),
        {{QStringLiteral("title"), QStringLiteral("hello")}, {QStringLiteral("rating"), 3}});
    QVERIFY(guid.ok());
    const LocalRecord r = m_store->record(guid.value()).value();
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QCOMPARE(r.rev, 0);
    QVERIFY(r.isDirty(QStringLiteral("title")) && r.isDirty(QStringLiteral("rating")));
    QVERIFY(!r.isDirty(QStringLiteral("body")));
    QCOMPARE(r.fields.value(QStringLiteral("body")), QJsonValue(QJsonValue::Null));
    QCOMPARE(m_store->unsyncedCount().value(), 1);
    QCOMPARE(r.guid.size(), 36);
    QCOMPARE(r.guid.at(14), QLatin1Char('7')); // version 7
}

void TestLocalStore::pulledRecordsAreSyncedAndCursorStored()
{
    Wire::PullPage page;
    page.cursor = 12;
    page.changes = {pulled(QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000001"), 11,
                           {{QStringLiteral("title"), QStringLiteral("a")}}),
                    pulled(QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000002"), 12,
                           {{QStringLiteral("title"), QStringLiteral("b")}})};
    QList<ChangeSet> changes;
    QVERIFY(m_store->applyPullPage(page, &changes));
    QCOMPARE(m_store->cursor(), 12);
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 2);
    QCOMPARE(m_store->unsyncedCount().value(), 0);
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.first().guids.size(), 2);
    QCOMPARE(changes.first().origin, ChangeOrigin::Remote);
    // An older copy of a record never overwrites a newer one.
    Wire::PullPage stale;
    stale.cursor = 12;
    stale.changes = {pulled(QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000002"), 5,
                            {{QStringLiteral("title"), QStringLiteral("old")}})};
    QVERIFY(m_store->applyPullPage(stale, nullptr));
    QCOMPARE(m_store->record(QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000002"))
                 ->fields.value(QStringLiteral("title"))
                 .toString(),
             QStringLiteral("b"));
}

void TestLocalStore::editKeepsBaseAndDirtyFields()
{
    const QString guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000003");
    Wire::PullPage page;
    page.cursor = 3;
    page.changes = {pulled(
        guid, 3,
        {{QStringLiteral("title"), QStringLiteral("server")}, {QStringLiteral("rating"), 1}})};
    QVERIFY(m_store->applyPullPage(page, nullptr));
    QVERIFY(m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("first")}}));
    QVERIFY(m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("second")}}));
    const LocalRecord r = m_store->record(guid).value();
    QCOMPARE(r.dirty, QStringList {QStringLiteral("title")});
    QCOMPARE(r.base.value(QStringLiteral("title")).toString(),
             QStringLiteral("server")); // the first base stays
    QCOMPARE(r.fields.value(QStringLiteral("title")).toString(), QStringLiteral("second"));
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    const Status bad
        = m_store->updateRecord(guid, {{QStringLiteral("rating"), QStringLiteral("lots")}});
    QVERIFY(!bad.ok());
    QCOMPARE(m_store->record(guid)->fields.value(QStringLiteral("rating")).toInt(), 1); // untouched
}

void TestLocalStore::editBackToServerValueIsClean()
{
    const QString guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000004");
    Wire::PullPage page;
    page.cursor = 1;
    page.changes = {pulled(guid, 1, {{QStringLiteral("title"), QStringLiteral("server")}})};
    QVERIFY(m_store->applyPullPage(page, nullptr));
    QVERIFY(m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("changed")}}));
    QVERIFY(m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("server")}}));
    const LocalRecord r = m_store->record(guid).value();
    QVERIFY(r.dirty.isEmpty());
    QCOMPARE(r.status, SyncStatus::Synced);
}

void TestLocalStore::deleteAndRestore()
{
    const QString guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000005");
    Wire::PullPage page;
    page.cursor = 1;
    page.changes = {pulled(guid, 1, {{QStringLiteral("title"), QStringLiteral("x")}})};
    QVERIFY(m_store->applyPullPage(page, nullptr));
    QVERIFY(m_store->deleteRecord(guid));
    QVERIFY(m_store->record(guid)->deleted);
    QCOMPARE(m_store->record(guid)->status, SyncStatus::NeedsSync);
    QCOMPARE(m_store->count(QStringLiteral("Post")).value(), 0);
    QVERIFY(!m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("y")}}).ok());
    QVERIFY(m_store->restoreRecord(guid));
    const LocalRecord r = m_store->record(guid).value();
    QVERIFY(!r.deleted);
    QCOMPARE(r.status, SyncStatus::Synced); // undo before syncing leaves nothing to send
}

void TestLocalStore::restartKeepsDirtyStateAndBase()
{
    const QString guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-000000000006");
    Wire::PullPage page;
    page.cursor = 7;
    page.changes = {pulled(guid, 7, {{QStringLiteral("title"), QStringLiteral("server")}})};
    QVERIFY(m_store->applyPullPage(page, nullptr));
    QVERIFY(m_store->updateRecord(guid, {{QStringLiteral("title"), QStringLiteral("local")}}));
    const QString device = m_store->deviceId();
    m_store.reset();
    m_store = open();
    const LocalRecord r = m_store->record(guid).value();
    QCOMPARE(r.status, SyncStatus::NeedsSync);
    QCOMPARE(r.base.value(QStringLiteral("title")).toString(), QStringLiteral("server"));
    QCOMPARE(r.rev, 7);
    QCOMPARE(m_store->cursor(), 7);
    QCOMPARE(m_store->deviceId(), device);
    // Made from the computer's name, within the protocol's id rules, unique by its end.
    static const QRegularExpression shape(QStringLiteral("^[A-Za-z0-9_-]{1,55}-[0-9a-f]{8}$"));
    QVERIFY2(shape.match(device).hasMatch(), qPrintable(device));
}

void TestLocalStore::changeLogRecordsOrigin()
{
    const Result<QList<QPair<qint64, ChangeSet>>> before = m_store->changesSince(0);
    const qint64 last = before->isEmpty() ? 0 : before->last().first;
    ChangeSet change;
    const Result<QString> guid = m_store->createRecord(
        QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("t")}}, &change);
    QVERIFY(guid.ok());
    QCOMPARE(change.guids, QStringList {guid.value()});
    const auto log = m_store->changesSince(last).value();
    QCOMPARE(log.size(), 1);
    QCOMPARE(log.first().second.entity, QStringLiteral("Tag"));
    QCOMPARE(log.first().second.origin, ChangeOrigin::Local);
    QCOMPARE(log.first().second.guids, QStringList {guid.value()});
}

void TestLocalStore::twoConnectionsWriteConcurrently()
{
    std::unique_ptr<LocalStore> second = open();
    QVERIFY(second);
    for (int i = 0; i < 50; ++i) {
        QVERIFY(m_store
                    ->createRecord(QStringLiteral("Tag"),
                                   {{QStringLiteral("name"), QStringLiteral("a%1").arg(i)}})
                    .ok());
        QVERIFY(second
                    ->createRecord(QStringLiteral("Tag"),
                                   {{QStringLiteral("name"), QStringLiteral("b%1").arg(i)}})
                    .ok());
    }
    QCOMPARE(m_store->count(QStringLiteral("Tag")).value(), 100);
    QCOMPARE(second->count(QStringLiteral("Tag")).value(), 100);
}

void TestLocalStore::pendingPushIsResentUntilAnswered()
{
    QVERIFY(
        m_store
            ->createRecord(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("x")}})
            .ok());
    const Result<OutgoingBatch> first = m_store->nextBatch(10);
    QVERIFY(first.ok() && !first->isEmpty());
    m_store.reset();
    m_store = open();
    QVERIFY(
        m_store
            ->createRecord(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("y")}})
            .ok());
    const Result<OutgoingBatch> again = m_store->nextBatch(10);
    QVERIFY(again.ok());
    QCOMPARE(again->id, first->id); // same batch id after a restart
    QCOMPARE(again->body, first->body); // byte for byte
}

QTEST_GUILESS_MAIN(TestLocalStore)
#include "tst_localstore.moc"
