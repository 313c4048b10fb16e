// Edits made to one record on two devices merge without asking when they touch different
// parts of it: end to end through a real ferry-server, and what the person is told.
#include "apiclient.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"
#include "testprint.h"
#include "wire.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;
using namespace Qt::StringLiterals;

namespace {

const QString kTitle = u"Timetable"_s;
const QString kBody = u"The ferry leaves at nine.\n\n"
                      u"Tickets are sold on board.\n\n"
                      u"Dogs travel free.\n"_s;

// kBody with one phrase replaced, failing the test if the phrase is not there.
QString edited(const QString &before, const QString &after, const QString &text = kBody)
{
    if (!text.contains(before))
        QTest::qFail(qPrintable(u"\""_s + before + u"\" is not in the text"_s), __FILE__, __LINE__);
    return QString(text).replace(before, after);
}

QString bodyOf(const LocalRecord &record)
{
    return record.fields.value(u"body"_s).toString();
}

} // namespace

class TestAutoMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void paragraphsEditedOnTwoDevicesMerge();
    void pulledChangeMergesWithUnsentEdit();
    void sameWordsStillConflict();
    void whitespaceEditGivesWayToWords_data();
    void whitespaceEditGivesWayToWords();
    void tagsAddedOnBothSidesMerge();
    void activityLogNamesTheMerge();

private:
    SyncConfig freshWorkspace();

    ServerProcess m_server;
    QString m_token;
};

void TestAutoMerge::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(u"alice"_s);
    QVERIFY2(!m_token.isEmpty(), qPrintable(m_server.lastError()));
}

SyncConfig TestAutoMerge::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_token, m_server.newWorkspace(u"alice"_s)};
}

void TestAutoMerge::paragraphsEditedOnTwoDevicesMerge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid = a.create(u"Post"_s, {{u"title"_s, kTitle}, {u"body"_s, kBody}});
    SYNC_OK(a);
    SYNC_OK(b);

    a.edit(guid, {{u"body"_s, edited(u"nine"_s, u"ten"_s)}});
    b.edit(guid, {{u"body"_s, edited(u"free."_s, u"free on weekdays."_s)}});
    const QString merged = edited(u"free."_s, u"free on weekdays."_s, edited(u"nine"_s, u"ten"_s));

    const SyncSummary first = a.sync();
    QVERIFY(first.ok);
    QVERIFY(first.merges.isEmpty());
    // b's push meets a's change on the server: merged, and the result pushed in the same sync.
    const SyncSummary second = b.sync();
    QVERIFY2(second.ok, qPrintable(second.error.message));
    QCOMPARE(second.conflicts, 0);
    QCOMPARE(second.merges.size(), 1);
    const AutoMerge &merge = second.merges.first();
    QCOMPARE(merge.entity, u"Post"_s);
    QCOMPARE(merge.guid, guid);
    QCOMPARE(merge.name, kTitle);
    QCOMPARE(merge.fields, QStringList {u"body"_s});
    QCOMPARE(merge.theirsDevice, a.store().deviceId());
    QCOMPARE(merge.theirsUser, u"alice"_s);
    QVERIFY(merge.theirsAt > 0);
    QCOMPARE(bodyOf(b.record(guid)), merged);
    QCOMPARE(b.record(guid).status, SyncStatus::Synced);

    const SyncSummary third = a.sync();
    QVERIFY(third.ok);
    QVERIFY(third.merges.isEmpty()); // a only received the result
    for (TestDevice *device : {&a, &b}) {
        const LocalRecord r = device->record(guid);
        QCOMPARE(bodyOf(r), merged);
        QCOMPARE(r.status, SyncStatus::Synced);
        QCOMPARE(device->store().conflictCount().value(), 0);
    }
}

void TestAutoMerge::pulledChangeMergesWithUnsentEdit()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid = a.create(u"Post"_s, {{u"title"_s, kTitle}, {u"body"_s, kBody}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(guid, {{u"body"_s, edited(u"on board"_s, u"at the pier"_s)}});
    SYNC_OK(a);
    b.edit(guid, {{u"body"_s, edited(u"Dogs"_s, u"Small dogs"_s)}});
    const QString merged
        = edited(u"Dogs"_s, u"Small dogs"_s, edited(u"on board"_s, u"at the pier"_s));

    // The page a sync would pull, applied to b's store before b has pushed its edit.
    ApiClient api;
    api.setServer(config.server, config.token);
    const ApiResponse response = api.pull(config.workspace, b.store().cursor());
    QCOMPARE(response.status, 200);
    const Result<Wire::PullPage> page = Wire::parsePullPage(response.body);
    QVERIFY2(page, page ? "" : qPrintable(page.error().message));
    QList<ChangeSet> changes;
    QList<AutoMerge> merges;
    const Status applied = b.store().applyPullPage(page.value(), &changes, &merges);
    QVERIFY2(applied, applied ? "" : qPrintable(applied.error().message));
    QCOMPARE(merges.size(), 1);
    QCOMPARE(merges.first().fields, QStringList {u"body"_s});
    QCOMPARE(merges.first().theirsDevice, a.store().deviceId());
    LocalRecord r = b.record(guid);
    QCOMPARE(bodyOf(r), merged);
    QCOMPARE(r.status, SyncStatus::NeedsSync); // the merged text is b's change to send
    QVERIFY(r.isDirty(u"body"_s));

    SYNC_OK(b);
    SYNC_OK(a);
    for (TestDevice *device : {&a, &b}) {
        QCOMPARE(bodyOf(device->record(guid)), merged);
        QCOMPARE(device->record(guid).status, SyncStatus::Synced);
    }
}

void TestAutoMerge::sameWordsStillConflict()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString guid = a.create(u"Post"_s, {{u"title"_s, kTitle}, {u"body"_s, kBody}});
    SYNC_OK(a);
    SYNC_OK(b);
    const QString theirs = edited(u"nine"_s, u"ten"_s);
    const QString mine = edited(u"nine"_s, u"eleven"_s);
    a.edit(guid, {{u"body"_s, theirs}});
    b.edit(guid, {{u"body"_s, mine}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 1);
    QVERIFY(summary.merges.isEmpty());
    const LocalRecord r = b.record(guid);
    QCOMPARE(r.status, SyncStatus::Conflicted);
    QCOMPARE(bodyOf(r), mine);
    const Result<std::optional<Conflict>> conflict = b.store().conflict(guid);
    QVERIFY(conflict && conflict.value());
    const FieldConflict *body = conflict.value()->field(u"body"_s);
    QVERIFY(body);
    QCOMPARE(body->base.toString(), kBody);
    QCOMPARE(body->theirs.toString(), theirs);
}

void TestAutoMerge::whitespaceEditGivesWayToWords_data()
{
    QTest::addColumn<bool>("wordsFirst");
    QTest::newRow("whitespace synced first") << false;
    QTest::newRow("words synced first") << true;
}

void TestAutoMerge::whitespaceEditGivesWayToWords()
{
    QFETCH(bool, wordsFirst);
    const SyncConfig config = freshWorkspace();
    TestDevice spaces(config), words(config);
    const QString guid = spaces.create(u"Post"_s, {{u"title"_s, kTitle}, {u"body"_s, kBody}});
    SYNC_OK(spaces);
    SYNC_OK(words);
    spaces.edit(guid, {{u"body"_s, edited(u"on board"_s, u"on  board"_s)}});
    const QString wordsText = edited(u"on board"_s, u"on deck"_s);
    words.edit(guid, {{u"body"_s, wordsText}});

    TestDevice &first = wordsFirst ? words : spaces;
    TestDevice &second = wordsFirst ? spaces : words;
    SYNC_OK(first);
    const SyncSummary merged = second.sync();
    QVERIFY(merged.ok);
    QCOMPARE(merged.conflicts, 0);
    QCOMPARE(merged.merges.size(), 1);
    SYNC_OK(first);
    for (TestDevice *device : {&spaces, &words}) {
        QCOMPARE(bodyOf(device->record(guid)), wordsText);
        QCOMPARE(device->record(guid).status, SyncStatus::Synced);
    }
}

void TestAutoMerge::tagsAddedOnBothSidesMerge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QString red = a.create(u"Tag"_s, {{u"name"_s, u"red"_s}});
    const QString blue = a.create(u"Tag"_s, {{u"name"_s, u"blue"_s}});
    const QString post = a.create(u"Post"_s, {{u"title"_s, kTitle}});
    SYNC_OK(a);
    SYNC_OK(b);
    a.edit(post, {{u"tags"_s, QJsonArray {red}}});
    b.edit(post, {{u"tags"_s, QJsonArray {blue}}});
    SYNC_OK(a);
    const SyncSummary summary = b.sync();
    QVERIFY(summary.ok);
    QCOMPARE(summary.conflicts, 0);
    QCOMPARE(summary.merges.size(), 1);
    QCOMPARE(summary.merges.first().fields, QStringList {u"tags"_s});
    SYNC_OK(a);
    QStringList both {red, blue};
    both.sort();
    for (TestDevice *device : {&a, &b}) {
        QCOMPARE(device->record(post).fields.value(u"tags"_s).toArray(),
                 QJsonArray::fromStringList(both));
        QCOMPARE(device->record(post).status, SyncStatus::Synced);
    }
}

void TestAutoMerge::activityLogNamesTheMerge()
{
    const SyncConfig config = freshWorkspace();
    TestDevice other(config);
    const QString guid = other.create(u"Post"_s, {{u"title"_s, kTitle}, {u"body"_s, kBody}});
    SYNC_OK(other);

    QTemporaryDir dir;
    const QString path = dir.filePath(u"ferry.db"_s);
    std::unique_ptr<DataStore> data = DataStore::open(path, Schema::defaultSchema()).value();
    SyncScheduler scheduler(data.get(), path);
    scheduler.setPaused(true); // cycles only when asked
    scheduler.setConfig(config);
    QSignalSpy finished(&scheduler, &SyncScheduler::syncFinished);
    scheduler.syncNow();
    QVERIFY(finished.wait(10000));

    other.edit(guid, {{u"body"_s, edited(u"nine"_s, u"ten"_s)}});
    SYNC_OK(other);
    QVERIFY(data->updateRecord(guid, {{u"body"_s, edited(u"Dogs"_s, u"Cats"_s)}}));
    finished.clear();
    scheduler.syncNow();
    QVERIFY(finished.wait(10000));
    const SyncSummary summary = finished.last().first().value<SyncSummary>();
    QVERIFY(summary.ok);
    QCOMPARE(summary.merges.size(), 1);

    // The other device named as the account's device list names it (its token came from the
    // admin command), as the merge dialog and the conflict list name it too.
    const QString expected
        = u"Merged changes to Post “Timetable” (body) from alice on ferry-server admin."_s;
    QStringList texts;
    for (const ActivityEntry &entry : scheduler.activity())
        texts << entry.text;
    QVERIFY2(texts.contains(expected), qPrintable(texts.join(u" | "_s)));
    QCOMPARE(scheduler.overview().conflicts, 0);
    QCOMPARE(bodyOf(data->store().record(guid).value()),
             edited(u"Dogs"_s, u"Cats"_s, edited(u"nine"_s, u"ten"_s)));
}

QTEST_GUILESS_MAIN(TestAutoMerge)
#include "tst_automerge.moc"
