// EntityListModel: one row per entity with live counts, updated once per burst of changes.
#include "modeltestutil.h"

#include "models/entitylistmodel.h"

#include <QAbstractItemModelTester>
#include <QLocale>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;
using namespace Qt::StringLiterals;

class TestEntityListModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsAndCounts();
    void countsFollowChanges();
};

void TestEntityListModel::rowsAndCounts()
{
    Profile p;
    p.pull(u"Post"_s, 1204, [](int i) { return QJsonObject {{u"title"_s, QString::number(i)}}; });
    QVERIFY(p.data->createRecord(u"Tag"_s, {{u"name"_s, u"red"_s}}));
    EntityListModel model(p.data.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.rowCount(), 3);
    const QModelIndex posts = model.index(model.rowOf(u"Post"_s));
    // Counted on another thread: the title alone until the count arrives.
    QCOMPARE(posts.data().toString(), u"Posts"_s);
    QTRY_COMPARE(posts.data().toString(), u"Posts (%1)"_s.arg(QLocale().toString(1204)));
    QCOMPARE(posts.data(EntityListModel::CountRole).toLongLong(), 1204);
    QCOMPARE(posts.data(EntityListModel::UnsyncedCountRole).toLongLong(), 0);
    QCOMPARE(posts.data(EntityListModel::EntityNameRole).toString(), u"Post"_s);
    const QModelIndex tags = model.index(model.rowOf(u"Tag"_s));
    QTRY_COMPARE(tags.data().toString(), u"Tags (1)"_s);
    QCOMPARE(tags.data(EntityListModel::UnsyncedCountRole).toLongLong(), 1);
}

void TestEntityListModel::countsFollowChanges()
{
    Profile p;
    EntityListModel model(p.data.get());
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QTRY_COMPARE(model.index(model.rowOf(u"Post"_s)).data().toString(), u"Posts (0)"_s);
    SignalLog log(&model);
    QStringList guids;
    for (int i = 0; i < 5; ++i)
        guids.append(p.data->createRecord(u"Post"_s, {{u"title"_s, u"p"_s}}).value());
    QVERIFY(p.data->deleteRecord(guids.first()));
    QTRY_COMPARE(model.count(u"Post"_s), 4);
    // Six changes in a burst: one recount, one dataChanged for the Posts row only.
    QCOMPARE(SignalLog::changedRows(log.changed), QList<int> {model.rowOf(u"Post"_s)});
    QCOMPARE(model.index(model.rowOf(u"Post"_s)).data().toString(), u"Posts (4)"_s);
    QCOMPARE(log.reset.size(), 0);

    // An edit that changes no count announces nothing.
    log.clear();
    QVERIFY(p.data->updateRecord(guids.last(), {{u"title"_s, u"q"_s}}));
    QTest::qWait(3 * EntityListModel::kRecountDelayMs);
    QVERIFY(log.changed.isEmpty());
}

QTEST_MAIN(TestEntityListModel)
#include "tst_entitylistmodel.moc"
