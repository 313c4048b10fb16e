// RecordTableModel and RecordFilterProxy: exact row signals for local and synced changes,
// SQL sorting and filtering through the proxy, and windowed reads of a large store.
#include "modeltestutil.h"
#include "serverprocess.h"
#include "testdevice.h"

#include "models/recordfilterproxy.h"
#include "models/recordtablemodel.h"

#include <QAbstractItemModelTester>
#include <QColor>
#include <QDateTime>
#include <QJsonArray>
#include <QLocale>
#include <QTimeZone>

#include <algorithm>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;
using namespace Qt::StringLiterals;

namespace {

const QString kPost = QStringLiteral("Post");
const QString kTitle = QStringLiteral("title");

QJsonObject titled(const QString &title, int rating = 0)
{
    return {{QStringLiteral("title"), title}, {QStringLiteral("rating"), rating}};
}

// What a view does when it shows every row: read each one.
void readAll(const QAbstractItemModel &model)
{
    for (int row = 0; row < model.rowCount(); ++row)
        model.data(model.index(row, 1));
}

QStringList column(const QAbstractItemModel &model, int role, int col = 1)
{
    QStringList values;
    for (int row = 0; row < model.rowCount(); ++row)
        values.append(model.data(model.index(row, col), role).toString());
    return values;
}

// The guids the model should show, computed from the store without SQL ordering.
QStringList expectedGuids(LocalStore &store, const QString &field, bool descending,
                          const QString &filter = {})
{
    QList<LocalRecord> records = store.records(kPost).value();
    records.removeIf([&](const LocalRecord &r) {
        return !r.fields.value(kTitle).toString().contains(filter, Qt::CaseInsensitive);
    });
    // NULLs first, as SQLite sorts them; distinct values otherwise, so no ties.
    auto rank = [](const QJsonValue &v) {
        return v.isNull() || v.isUndefined() ? 0 : 1;
    };
    std::stable_sort(records.begin(), records.end(),
                     [&](const LocalRecord &a, const LocalRecord &b) {
                         if (field.isEmpty())
                             return a.guid < b.guid;
                         if (field == QLatin1String("$status"))
                             return int(a.status) < int(b.status);
                         const QJsonValue x = a.fields.value(field), y = b.fields.value(field);
                         if (rank(x) != rank(y))
                             return rank(x) < rank(y);
                         if (x.isString())
                             return x.toString().compare(y.toString(), Qt::CaseInsensitive) < 0;
                         if (x.isBool())
                             return int(x.toBool()) < int(y.toBool());
                         return x.toDouble() < y.toDouble();
                     });
    if (descending)
        std::reverse(records.begin(), records.end());
    QStringList guids;
    for (const LocalRecord &r : records)
        guids.append(r.guid);
    return guids;
}

} // namespace

class TestRecordTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void columnsAndRoles();
    void localChangesTouchOnlyTheirRows();
    void sortedChangesLandInPlace_data();
    void sortedChangesLandInPlace();
    void proxySorts_data();
    void proxySorts();
    void proxyFilters_data();
    void proxyFilters();
    void filteredEditsEnterAndLeave();
    void remoteChangesFromARealSync();
    void largeStoreReadsOnlyAWindow();
    void bulkChangeResetsOnce();

private:
    ServerProcess m_server;
    QString m_token;
};

void TestRecordTableModel::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY(!m_token.isEmpty());
}

void TestRecordTableModel::columnsAndRoles()
{
    Profile p;
    const QString tag = p.data
                            ->createRecord(QStringLiteral("Tag"),
                                           {{QStringLiteral("name"), QStringLiteral("red")}})
                            .value();
    const QDateTime when(QDate(2024, 5, 17), QTime(9, 30), Qt::UTC);
    const QString guid
        = p.data
              ->createRecord(kPost,
                             {{kTitle, QStringLiteral("Hello")},
                              {QStringLiteral("body"), QStringLiteral("line one\nline two")},
                              {QStringLiteral("published"), when.toString(Qt::ISODateWithMs)},
                              {QStringLiteral("pinned"), true},
                              {QStringLiteral("rating"), 1234},
                              {QStringLiteral("tags"), QJsonArray {tag}}})
              .value();
    RecordTableModel model(p.data.get(), kPost);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.columnCount(), 8);
    QCOMPARE(model.headerData(model.columnOf(kTitle), Qt::Horizontal).toString(),
             QStringLiteral("Title"));
    auto cell = [&](const QString &field, int role = Qt::DisplayRole) {
        return model.data(model.index(0, model.columnOf(field)), role);
    };
    const QModelIndex status = model.index(0, RecordTableModel::StatusColumn);
    QCOMPARE(status.data(Qt::ToolTipRole).toString(), QStringLiteral("Waiting to sync"));
    QCOMPARE(status.data(RecordTableModel::SyncStatusRole).toInt(), int(SyncStatus::NeedsSync));
    QVERIFY(!status.data(Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(status.data(RecordTableModel::GuidRole).toString(), guid);
    QCOMPARE(status.data(RecordTableModel::RecordRole).value<LocalRecord>().guid, guid);
    QCOMPARE(cell(kTitle).toString(), QStringLiteral("Hello"));
    QCOMPARE(cell(QStringLiteral("body")).toString(), QStringLiteral("line one") + QChar(0x2026));
    QCOMPARE(cell(QStringLiteral("published")).toString(),
             QLocale().toString(when.toLocalTime(), QLocale::ShortFormat));
    QCOMPARE(cell(QStringLiteral("pinned"), Qt::CheckStateRole).toInt(), int(Qt::Checked));
    QCOMPARE(cell(QStringLiteral("rating")).toString(), QLocale().toString(1234));
    QCOMPARE(cell(QStringLiteral("tags")).toString(), QStringLiteral("red"));
    QCOMPARE(cell(QStringLiteral("rating"), RecordTableModel::FieldValueRole).toJsonValue(),
             QJsonValue(1234));

    // Renaming the tag repaints the tags column with the new name.
    SignalLog log(&model);
    QVERIFY(p.data->updateRecord(tag, {{QStringLiteral("name"), QStringLiteral("blue")}}));
    QCOMPARE(log.changed.size(), 1);
    QCOMPARE(cell(QStringLiteral("tags")).toString(), QStringLiteral("blue"));

    // A colour field shows its colour; text that is no colour shows none.
    QVERIFY(p.data->updateRecord(tag, {{QStringLiteral("color"), QStringLiteral("#3366cc")}}));
    RecordTableModel tags(p.data.get(), QStringLiteral("Tag"));
    const QModelIndex colour = tags.index(0, tags.columnOf(QStringLiteral("color")));
    QCOMPARE(colour.data(Qt::DecorationRole).value<QColor>(), QColor(0x33, 0x66, 0xcc));
    QVERIFY(p.data->updateRecord(tag, {{QStringLiteral("color"), QStringLiteral("my favourite")}}));
    QVERIFY(!colour.data(Qt::DecorationRole).isValid());
}

void TestRecordTableModel::localChangesTouchOnlyTheirRows()
{
    Profile p;
    for (int i = 0; i < 10; ++i)
        QVERIFY(p.data->createRecord(kPost, titled(QStringLiteral("post %1").arg(i))));
    RecordTableModel model(p.data.get(), kPost);
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    readAll(proxy);
    SignalLog log(&model);

    const QString created = p.data->createRecord(kPost, titled(QStringLiteral("new"))).value();
    const int at = int(expectedGuids(p.data->store(), {}, false).indexOf(created));
    QCOMPARE(SignalLog::ranges(log.inserted), QStringList {QStringLiteral("%1-%1").arg(at)});
    QCOMPARE(model.guidAt(at), created);
    readAll(model);

    log.clear();
    const QString edited = model.guidAt(3);
    QVERIFY(p.data->updateRecord(edited, {{kTitle, QStringLiteral("renamed")}}));
    QCOMPARE(SignalLog::changedRows(log.changed), QList<int> {3});
    const QList<QVariant> args = log.changed.first();
    QCOMPARE(args.at(0).toModelIndex().column(), model.columnOf(kTitle));
    QCOMPARE(args.at(1).toModelIndex().column(), model.columnOf(kTitle));
    QCOMPARE(model.index(3, model.columnOf(kTitle)).data().toString(), QStringLiteral("renamed"));
    QVERIFY(log.inserted.isEmpty() && log.removed.isEmpty() && log.moved.isEmpty());

    log.clear();
    const QString deleted = model.guidAt(5);
    QVERIFY(p.data->deleteRecord(deleted));
    QCOMPARE(SignalLog::ranges(log.removed), QStringList {QStringLiteral("5-5")});
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.rowOf(deleted), -1);

    log.clear();
    QVERIFY(p.data->restoreRecord(deleted));
    QCOMPARE(SignalLog::ranges(log.inserted), QStringList {QStringLiteral("5-5")});
    QCOMPARE(model.guidAt(5), deleted);
    QCoreApplication::processEvents(); // the stale-key check after inserts
    QCOMPARE(log.reset.size(), 0);
    QCOMPARE(log.layout.size(), 0);
    QCOMPARE(column(model, RecordTableModel::GuidRole), expectedGuids(p.data->store(), {}, false));
}

void TestRecordTableModel::sortedChangesLandInPlace_data()
{
    QTest::addColumn<bool>("descending");
    QTest::newRow("ascending") << false;
    QTest::newRow("descending") << true;
}

void TestRecordTableModel::sortedChangesLandInPlace()
{
    QFETCH(bool, descending);
    Profile p;
    for (const char *title : {"delta", "Alpha", "echo", "charlie", "bravo", "golf"})
        QVERIFY(p.data->createRecord(kPost, titled(QString::fromLatin1(title))));
    RecordTableModel model(p.data.get(), kPost);
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester t1(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.sort(model.columnOf(kTitle), descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    readAll(proxy);
    SignalLog log(&model);
    auto expected = [&] {
        return expectedGuids(p.data->store(), kTitle, descending);
    };

    const QString foxtrot = p.data->createRecord(kPost, titled(QStringLiteral("Foxtrot"))).value();
    const int at = int(expected().indexOf(foxtrot));
    QCOMPARE(SignalLog::ranges(log.inserted), QStringList {QStringLiteral("%1-%1").arg(at)});
    QCOMPARE(column(model, RecordTableModel::GuidRole), expected());
    readAll(model);

    // A changed sort key moves the row; the data of the moved row is announced too.
    log.clear();
    QVERIFY(p.data->updateRecord(foxtrot, {{kTitle, QStringLiteral("ZULU")}}));
    QCOMPARE(log.moved.size(), 1);
    QCOMPARE(log.moved.first().at(1).toInt(), at);
    QCOMPARE(column(model, RecordTableModel::GuidRole), expected());
    QCOMPARE(SignalLog::changedRows(log.changed), QList<int> {model.rowOf(foxtrot)});

    // An edit that keeps the order is just a data change.
    log.clear();
    QVERIFY(p.data->updateRecord(foxtrot, {{QStringLiteral("rating"), 5}}));
    QVERIFY(log.moved.isEmpty() && log.inserted.isEmpty() && log.removed.isEmpty());
    QCOMPARE(SignalLog::changedRows(log.changed), QList<int> {model.rowOf(foxtrot)});
    QCoreApplication::processEvents();
    QCOMPARE(log.reset.size(), 0);
}

void TestRecordTableModel::proxySorts_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("descending");
    for (const char *field : {"title", "rating", "pinned", "$status"}) {
        QTest::addRow("%s ascending", field) << QString::fromLatin1(field) << false;
        QTest::addRow("%s descending", field) << QString::fromLatin1(field) << true;
    }
}

void TestRecordTableModel::proxySorts()
{
    QFETCH(QString, field);
    QFETCH(bool, descending);
    Profile p;
    // Distinct sort values per field, so the expected order has no ties; one record synced
    // and one in conflict would need a server, so status sorts synced against waiting.
    p.pull(kPost, 1, [](int) { return QJsonObject {{u"title"_s, u"m"_s}}; });
    QVERIFY(p.data->createRecord(kPost,
                                 {{kTitle, QStringLiteral("b")},
                                  {QStringLiteral("rating"), 7},
                                  {QStringLiteral("pinned"), true}}));
    QVERIFY(p.data->createRecord(kPost,
                                 {{kTitle, QStringLiteral("C")},
                                  {QStringLiteral("rating"), -2},
                                  {QStringLiteral("pinned"), false}}));
    RecordTableModel model(p.data.get(), kPost);
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    SignalLog log(&proxy);
    const int col = field == QLatin1String("$status") ? int(RecordTableModel::StatusColumn)
                                                      : model.columnOf(field);
    proxy.sort(col, descending ? Qt::DescendingOrder : Qt::AscendingOrder);
    QCOMPARE(log.reset.size(), 0); // a sort keeps selections: a layout change
    QCOMPARE(log.layout.size(), 1);
    QStringList want = expectedGuids(p.data->store(), field, descending);
    if (field == QLatin1String("$status")) {
        QCOMPARE(column(proxy, RecordTableModel::SyncStatusRole).first().toInt(),
                 descending ? int(SyncStatus::NeedsSync) : int(SyncStatus::Synced));
        return;
    }
    QCOMPARE(column(proxy, RecordTableModel::GuidRole), want);
}

void TestRecordTableModel::proxyFilters_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("allFields");
    QTest::addColumn<QStringList>("titles");
    QTest::newRow("any case") << u"RED"_s << false << QStringList {u"Red apple"_s, u"tired"_s};
    QTest::newRow("no match") << u"purple"_s << false << QStringList {};
    QTest::newRow("like wildcards are literal") << u"50%"_s << false << QStringList {u"50% off"_s};
    QTest::newRow("body not searched") << u"cherry"_s << false << QStringList {};
    QTest::newRow("every text field") << u"cherry"_s << true << QStringList {u"tired"_s};
    QTest::newRow("empty shows all")
        << u""_s << false
        << QStringList {u"Red apple"_s, u"tired"_s, u"50% off"_s, u"500 offers"_s};
}

void TestRecordTableModel::proxyFilters()
{
    QFETCH(QString, text);
    QFETCH(bool, allFields);
    QFETCH(QStringList, titles);
    Profile p;
    QVERIFY(p.data->createRecord(kPost, titled(QStringLiteral("Red apple"), 1)));
    QVERIFY(p.data->createRecord(kPost,
                                 {{kTitle, QStringLiteral("tired")},
                                  {QStringLiteral("rating"), 2},
                                  {QStringLiteral("body"), QStringLiteral("a Cherry")}}));
    QVERIFY(p.data->createRecord(kPost, titled(QStringLiteral("50% off"), 3)));
    QVERIFY(p.data->createRecord(kPost, titled(QStringLiteral("500 offers"), 4)));
    RecordTableModel model(p.data.get(), kPost);
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.sort(model.columnOf(QStringLiteral("rating")));
    proxy.setFilterAllTextFields(allFields);
    proxy.setFilterText(text);
    QCOMPARE(proxy.filterText(), text);
    QCOMPARE(column(proxy, Qt::DisplayRole), titles);
}

void TestRecordTableModel::filteredEditsEnterAndLeave()
{
    Profile p;
    const QString red = p.data->createRecord(kPost, titled(QStringLiteral("red"))).value();
    const QString blue = p.data->createRecord(kPost, titled(QStringLiteral("blue"))).value();
    RecordTableModel model(p.data.get(), kPost);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setFilterText(QStringLiteral("RED"));
    QCOMPARE(model.rowCount(), 1);
    readAll(model);
    SignalLog log(&model);
    QVERIFY(p.data->updateRecord(blue, {{kTitle, QStringLiteral("blue, now Red")}}));
    QCOMPARE(log.inserted.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QVERIFY(p.data->updateRecord(red, {{kTitle, QStringLiteral("green")}}));
    QCOMPARE(SignalLog::ranges(log.removed),
             QStringList {QStringLiteral("%1-%1").arg(red < blue ? 0 : 1)});
    QCOMPARE(column(model, RecordTableModel::GuidRole), QStringList {blue});
    // A record that does not match changes nothing shown.
    log.clear();
    QVERIFY(p.data->updateRecord(red, {{kTitle, QStringLiteral("still green")}}));
    QVERIFY(log.inserted.isEmpty() && log.removed.isEmpty() && log.changed.isEmpty());
    QCoreApplication::processEvents();
    QCOMPARE(log.reset.size(), 0);
}

void TestRecordTableModel::remoteChangesFromARealSync()
{
    const QString workspace = QStringLiteral("models");
    m_server.admin({QStringLiteral("workspace"), QStringLiteral("create"), workspace,
                    QStringLiteral("--owner"), QStringLiteral("alice")});
    const SyncConfig config {m_server.url(), m_token, workspace};
    Profile p;
    SyncClient client(p.path(), p.data->schema());
    client.setConfig(config);
    connect(&client, &SyncClient::changesCommitted, p.data.get(), &DataStore::relayRemoteChange);
    auto sync = [&client] {
        QSignalSpy finished(&client, &SyncClient::syncFinished);
        client.syncNow();
        return finished.wait(60000) && finished.first().first().value<SyncSummary>().ok;
    };
    TestDevice other(config);

    RecordTableModel model(p.data.get(), kPost);
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester t1(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QAbstractItemModelTester t2(&proxy, QAbstractItemModelTester::FailureReportingMode::Fatal);
    proxy.sort(model.columnOf(kTitle));
    for (const char *title : {"b mine", "d mine", "f mine"})
        QVERIFY(p.data->createRecord(kPost, titled(QString::fromLatin1(title))));
    const QString c = other.create(kPost, titled(QStringLiteral("c theirs")));
    const QString e = other.create(kPost, titled(QStringLiteral("e theirs")));
    QVERIFY(other.sync().ok);
    readAll(model);

    // The records whose rows dataChanged named, read when it was emitted.
    QSet<QString> changedGuids;
    connect(&model, &QAbstractItemModel::dataChanged, this,
            [&](const QModelIndex &top, const QModelIndex &bottom) {
                for (int row = top.row(); row <= bottom.row(); ++row)
                    changedGuids.insert(model.guidAt(row));
            });
    QSet<QString> insertedGuids;
    connect(&model, &QAbstractItemModel::rowsInserted, this,
            [&](const QModelIndex &, int first, int last) {
                QCOMPARE(first, last); // one row at a time, each at its sorted place
                insertedGuids.insert(model.guidAt(first));
            });
    auto titlesOf = [&](const QSet<QString> &guids) {
        QStringList titles;
        for (const QString &guid : guids)
            titles.append(p.data->store().record(guid)->fields.value(kTitle).toString());
        titles.sort();
        return titles;
    };

    // Our three are pushed (their status changes), the other device's two arrive.
    SignalLog log(&model);
    QVERIFY(sync());
    QCoreApplication::processEvents();
    QCOMPARE(column(model, Qt::DisplayRole),
             (QStringList {u"b mine"_s, u"c theirs"_s, u"d mine"_s, u"e theirs"_s, u"f mine"_s}));
    QCOMPARE(titlesOf(insertedGuids), (QStringList {u"c theirs"_s, u"e theirs"_s}));
    QVERIFY(log.removed.isEmpty() && log.moved.isEmpty());
    // The server's page echoes our three too: they are touched again, still without moving.
    QCOMPARE(titlesOf(changedGuids), (QStringList {u"b mine"_s, u"d mine"_s, u"f mine"_s}));
    QCOMPARE(column(model, RecordTableModel::SyncStatusTextRole, 0),
             QStringList(5, QStringLiteral("Synced")));
    QCOMPARE(log.reset.size(), 0);

    // The other device renames one (it moves) and deletes another.
    QVERIFY(other.sync().ok);
    other.edit(c, {{kTitle, QStringLiteral("a theirs")}});
    QVERIFY(other.store().deleteRecord(e));
    QVERIFY(other.sync().ok);
    readAll(model);
    log.clear();
    changedGuids.clear();
    QVERIFY(sync());
    QCoreApplication::processEvents();
    QCOMPARE(column(model, Qt::DisplayRole),
             (QStringList {u"a theirs"_s, u"b mine"_s, u"d mine"_s, u"f mine"_s}));
    QCOMPARE(SignalLog::ranges(log.removed), QStringList {u"3-3"_s});
    QCOMPARE(log.moved.size(), 1);
    QCOMPARE(log.inserted.size(), 0);
    QCOMPARE(titlesOf(changedGuids), QStringList {u"a theirs"_s});
    QCOMPARE(log.reset.size(), 0);
    QCOMPARE(log.layout.size(), 0);
}

void TestRecordTableModel::largeStoreReadsOnlyAWindow()
{
    Profile p;
    const int count = 50000;
    p.pull(kPost, count, [](int i) {
        return QJsonObject {{QStringLiteral("title"), QStringLiteral("post %1").arg(i)},
                            {QStringLiteral("rating"), i % 100}};
    });
    RecordTableModel model(p.data.get(), kPost);
    // A table this large fills in from the loader's thread instead of holding up the window.
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QTRY_COMPARE(model.rowCount(), count);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.cachedRows(), 0);
    for (int row : {0, count / 2, count - 50}) {
        for (int i = row; i < row + 50; ++i)
            QVERIFY(!model.index(i, 1).data().toString().isEmpty());
    }
    QVERIFY2(model.cachedRows() <= 4 * RecordTableModel::kBlockRows,
             qPrintable(QString::number(model.cachedRows())));
    // Scrolling through everything keeps the cache bounded.
    readAll(model);
    QVERIFY(model.cachedRows() <= RecordTableModel::kCacheRows);

    // This many rows sort and filter off the GUI thread: the old rows stay until the new
    // order arrives, in one layout change (sort) or reset (filter).
    QSignalSpy layouts(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.sort(model.columnOf(QStringLiteral("rating")), Qt::DescendingOrder);
    QCOMPARE(model.rowCount(), count);
    QTRY_COMPARE(layouts.size(), 1);
    QCOMPARE(model.index(0, model.columnOf(QStringLiteral("rating"))).data().toString(),
             QStringLiteral("99"));
    model.setFilterText(QStringLiteral("post 499"));
    model.setFilterText(QStringLiteral("post 4999")); // typed on before the first answer came
    QTRY_COMPARE(model.rowCount(), 11); // 4999 and 49990..49999
    QCOMPARE(resets.size(), 1); // the earlier keystroke's answer was dropped
}

// A page of an initial sync touches thousands of records: one reset, not thousands of inserts.
void TestRecordTableModel::bulkChangeResetsOnce()
{
    Profile p;
    p.pull(kPost, 10, [](int i) { return titled(QStringLiteral("old %1").arg(i)); });
    RecordTableModel model(p.data.get(), kPost);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    SignalLog log(&model);
    ChangeSet change {kPost,
                      p.pull(kPost, RecordTableModel::kResetThreshold + 1,
                             [](int i) { return titled(QStringLiteral("new %1").arg(i)); }),
                      ChangeOrigin::Remote};
    p.data->relayRemoteChange(change);
    // The next page of the same burst, and an edit, arrive before the reload is due.
    ChangeSet more {kPost,
                    p.pull(kPost, RecordTableModel::kResetThreshold + 1,
                           [](int i) { return titled(QStringLiteral("more %1").arg(i)); }),
                    ChangeOrigin::Remote};
    p.data->relayRemoteChange(more);
    QCOMPARE(log.reset.size(), 0);
    QTRY_COMPARE(log.reset.size(), 1); // one reload for the whole burst
    QVERIFY(log.inserted.isEmpty());
    QCOMPARE(model.rowCount(), 2 * (RecordTableModel::kResetThreshold + 1) + 10);
}

QTEST_MAIN(TestRecordTableModel)
#include "tst_recordtablemodel.moc"
