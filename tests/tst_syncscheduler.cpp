// When the desktop app syncs on its own, and what it tells the person.
#include "blobstore.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"
#include "testprint.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;
using namespace std::chrono_literals;

namespace {

char *stateString(SyncOverview::State state)
{
    return qstrdup(qPrintable(stateName(state)));
}

} // namespace

namespace QTest {
template<> inline char *toString(const Ferry::SyncOverview::State &state)
{
    return stateString(state);
}
} // namespace QTest

class TestSyncScheduler : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void localEditSyncsSoonAfter();
    void pausedWaitsButSyncNowRuns();
    void unreachableServerIsQuietThenAnError();
    void refusedTokenNeedsThePerson();
    void conflictsAreAnnounced();
    void lastSyncSurvivesRestart();
    void withoutAnAccountItSaysSo();
    void keepsEveryFileUpToTheLimit();
    void fileTooLargeForTheServerIsToldOnce();

private:
    SyncConfig freshWorkspace();
    void makeScheduler(const SyncConfig &config);

    ServerProcess m_server;
    QString m_token;
    QTemporaryDir *m_dir = nullptr;
    std::unique_ptr<DataStore> m_data;
    std::unique_ptr<SyncScheduler> m_scheduler;
};

void TestSyncScheduler::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("erin"));
    QVERIFY(!m_token.isEmpty());
}

void TestSyncScheduler::init()
{
    m_dir = new QTemporaryDir;
}

void TestSyncScheduler::cleanup()
{
    m_scheduler.reset();
    m_data.reset();
    delete m_dir;
}

SyncConfig TestSyncScheduler::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_token, m_server.newWorkspace(QStringLiteral("erin"))};
}

void TestSyncScheduler::makeScheduler(const SyncConfig &config)
{
    const QString path = m_dir->filePath(QStringLiteral("ferry.db"));
    m_scheduler.reset();
    m_data.reset();
    m_data = DataStore::open(path, Schema::defaultSchema()).value();
    m_scheduler = std::make_unique<SyncScheduler>(m_data.get(), path);
    m_scheduler->setDebounce(100ms);
    m_scheduler->setConfig(config);
}

void TestSyncScheduler::localEditSyncsSoonAfter()
{
    const SyncConfig config = freshWorkspace();
    makeScheduler(config);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    const QString guid = m_data
                             ->createRecord(QStringLiteral("Tag"),
                                            {{QStringLiteral("name"), QStringLiteral("auto")}})
                             .value();
    QCOMPARE(m_scheduler->overview().pending, 1);
    QVERIFY(finished.wait(5000)); // nobody pressed Sync
    QVERIFY(finished.first().first().value<SyncSummary>().ok);
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Synced);
    QCOMPARE(m_scheduler->overview().pending, 0);
    QVERIFY(m_scheduler->overview().lastSync.isValid());
    QVERIFY(!m_scheduler->activity().isEmpty());

    TestDevice other(config);
    const SyncSummary pulled = other.sync();
    QVERIFY(pulled.ok);
    QCOMPARE(other.record(guid).fields.value(QStringLiteral("name")).toString(),
             QStringLiteral("auto"));
}

void TestSyncScheduler::pausedWaitsButSyncNowRuns()
{
    makeScheduler(freshWorkspace());
    m_scheduler->setPaused(true);
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Paused);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    QVERIFY(m_data
                ->createRecord(QStringLiteral("Tag"),
                               {{QStringLiteral("name"), QStringLiteral("later")}})
                .ok());
    QVERIFY(!finished.wait(800)); // no automatic sync while paused
    QCOMPARE(m_scheduler->overview().pending, 1);
    m_scheduler->syncNow(); // the person asked
    QVERIFY(finished.wait(5000));
    QCOMPARE(m_scheduler->overview().pending, 0);
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Paused);
}

void TestSyncScheduler::unreachableServerIsQuietThenAnError()
{
    SyncConfig config = freshWorkspace();
    config.server = QUrl(QStringLiteral("http://127.0.0.1:1"));
    makeScheduler(config);
    m_scheduler->setRetryPolicy(RetryPolicy {0, 50, 100});
    m_scheduler->setOfflineGrace(600ms);
    QSignalSpy overview(m_scheduler.get(), &SyncScheduler::overviewChanged);
    m_scheduler->syncNow();
    QTRY_COMPARE_WITH_TIMEOUT(m_scheduler->overview().state, SyncOverview::State::Offline, 3000);
    QVERIFY(m_scheduler->overview().message.contains(QStringLiteral("keeps trying")));
    // Still unreachable past the grace period: now it needs the person.
    QTRY_COMPARE_WITH_TIMEOUT(m_scheduler->overview().state, SyncOverview::State::Error, 5000);
    QVERIFY2(m_scheduler->overview().message.contains(QStringLiteral("127.0.0.1:1")),
             qPrintable(m_scheduler->overview().message));
    // The network heals: the next attempt succeeds and the error goes away.
    config.server = m_server.url();
    m_scheduler->setConfig(config);
    m_scheduler->syncNow();
    QTRY_COMPARE_WITH_TIMEOUT(m_scheduler->overview().state, SyncOverview::State::Synced, 5000);
}

void TestSyncScheduler::refusedTokenNeedsThePerson()
{
    SyncConfig config = freshWorkspace();
    config.token = QStringLiteral("0000");
    makeScheduler(config);
    QSignalSpy attention(m_scheduler.get(), &SyncScheduler::attentionNeeded);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->syncNow();
    QVERIFY(finished.wait(5000));
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Error);
    QVERIFY2(m_scheduler->overview().message.contains(QStringLiteral("Sign in again")),
             qPrintable(m_scheduler->overview().message));
    QCOMPARE(attention.size(), 1);
}

void TestSyncScheduler::conflictsAreAnnounced()
{
    const SyncConfig config = freshWorkspace();
    TestDevice other(config);
    const QString guid
        = other.create(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("base")}});
    QVERIFY(other.sync().ok);
    makeScheduler(config);
    m_scheduler->setPaused(true); // drive the cycles by hand
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->syncNow();
    QVERIFY(finished.wait(5000));
    other.edit(guid, {{QStringLiteral("name"), QStringLiteral("theirs")}});
    QVERIFY(other.sync().ok);
    QVERIFY(m_data->updateRecord(guid, {{QStringLiteral("name"), QStringLiteral("mine")}}));
    QSignalSpy conflicts(m_scheduler.get(), &SyncScheduler::conflictsAppeared);
    m_scheduler->setPaused(false);
    QTRY_COMPARE_WITH_TIMEOUT(conflicts.size(), 1, 5000);
    QCOMPARE(conflicts.first().first().toInt(), 1);
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Conflicts);
    QCOMPARE(m_scheduler->overview().conflicts, 1);
}

void TestSyncScheduler::lastSyncSurvivesRestart()
{
    const SyncConfig config = freshWorkspace();
    makeScheduler(config);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->syncNow();
    QVERIFY(finished.wait(5000));
    const QDateTime last = m_scheduler->overview().lastSync;
    QVERIFY(last.isValid());
    makeScheduler(config);
    QCOMPARE(m_scheduler->overview().lastSync.toMSecsSinceEpoch(), last.toMSecsSinceEpoch());
}

void TestSyncScheduler::withoutAnAccountItSaysSo()
{
    // A fresh profile, or one signed out: not "Synced", but what to do.
    makeScheduler(SyncConfig {});
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::SignedOut);
    QVERIFY(m_scheduler->overview().message.contains(QStringLiteral("Sign in")));
    m_data->createRecord(QStringLiteral("Tag"),
                         {{QStringLiteral("name"), QStringLiteral("offline")}});
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::SignedOut);
    QCOMPARE(m_scheduler->overview().pending, 1); // kept, waiting for an account

    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->setConfig(freshWorkspace());
    m_scheduler->syncNow();
    QVERIFY(finished.wait(10000));
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Synced);
    QCOMPARE(m_scheduler->overview().pending, 0);

    m_scheduler->setConfig(SyncConfig {}); // signing out
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::SignedOut);
}

// "Keep every file on this computer": after a sync the files of live records are fetched,
// a few at a time (more files than that here), except those larger than the limit (as the
// record's size says) and those of deleted records.
void TestSyncScheduler::keepsEveryFileUpToTheLimit()
{
    SyncConfig config = freshWorkspace();
    TestDevice phone(config);
    const auto attach = [&phone](int size, char fill, bool thenDelete = false) {
        const QString blob = phone.keepFile(QByteArray(size, fill));
        const QString guid
            = phone.create(QStringLiteral("Attachment"),
                           {{QStringLiteral("file"), blob}, {QStringLiteral("size"), size}});
        if (thenDelete)
            phone.store().deleteRecord(guid);
        return blob;
    };
    QStringList kept;
    for (int i = 0; i < SyncScheduler::kKeptFilesAtOnce + 2; ++i)
        kept.append(attach(3000 + i, char('a' + i)));
    const QString large = attach(200000, 'l');
    const QString gone = attach(1000, 'g', true);
    SYNC_OK(phone);

    config.blobFolder = m_dir->filePath(QStringLiteral("blobs"));
    makeScheduler(config);
    m_scheduler->setKeepAllFiles(true, 100000);
    QSignalSpy fetched(m_scheduler.get(), &SyncScheduler::fileFetched);
    m_scheduler->syncNow();
    QTRY_COMPARE_WITH_TIMEOUT(fetched.size(), kept.size(), 20000);
    QTest::qWait(300); // nothing more comes
    QCOMPARE(fetched.size(), kept.size());
    for (const QString &blob : std::as_const(kept))
        QVERIFY2(BlobStore::has(config.blobFolder, blob), qPrintable(blob));
    QVERIFY(!BlobStore::has(config.blobFolder, large));
    QVERIFY(!BlobStore::has(config.blobFolder, gone));

    // Without the limit the large one comes too.
    m_scheduler->setKeepAllFiles(true, 0);
    QTRY_VERIFY_WITH_TIMEOUT(BlobStore::has(config.blobFolder, large), 20000);
    QVERIFY(!BlobStore::has(config.blobFolder, gone));
}

// A file the server refuses as too large: the person is told once, which file and why; its
// record waits here while the rest syncs, and later syncs do not fail over it.
void TestSyncScheduler::fileTooLargeForTheServerIsToldOnce()
{
    ServerProcess strict;
    QVERIFY2(strict.start({QStringLiteral("--max-blob"), QStringLiteral("1000")}),
             qPrintable(strict.lastError()));
    SyncConfig config {strict.url(), strict.createToken(QStringLiteral("erin")),
                       QStringLiteral("erin")};
    config.blobFolder = m_dir->filePath(QStringLiteral("blobs"));
    makeScheduler(config);
    m_scheduler->setPaused(true); // drive the cycles by hand
    const QString source = m_dir->filePath(QStringLiteral("scan.pdf"));
    QFile file(source);
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(QByteArray(5000, 'p')) == 5000);
    file.close();
    const QString blob = BlobStore::add(config.blobFolder, source).value();
    m_data->createRecord(
        QStringLiteral("Attachment"),
        {{QStringLiteral("file"), blob}, {QStringLiteral("name"), QStringLiteral("scan.pdf")}});
    m_data->createRecord(QStringLiteral("Tag"), {{QStringLiteral("name"), QStringLiteral("goes")}});
    QSignalSpy attention(m_scheduler.get(), &SyncScheduler::attentionNeeded);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->syncNow();
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.last().first().value<SyncSummary>().ok);
    QCOMPARE(attention.size(), 1);
    const QString told = attention.first().first().toString();
    QVERIFY2(told.contains(QStringLiteral("scan.pdf")) && told.contains(QStringLiteral("1000")),
             qPrintable(told));
    QCOMPARE(m_scheduler->overview().pending, 1);
    QVERIFY(m_scheduler->overview().state != SyncOverview::State::Error); // the rest synced
    m_scheduler->syncNow();
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.last().first().value<SyncSummary>().ok);
    QCOMPARE(attention.size(), 1); // told once
}

QTEST_GUILESS_MAIN(TestSyncScheduler)
#include "tst_syncscheduler.moc"
