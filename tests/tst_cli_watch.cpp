// ferry-cli watch as a script uses it: one profile watching, another changing records, each a
// separate process, one server.
#include "clirun.h"
#include "faultproxy.h"
#include "serverprocess.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace FerryTest;

class TestCliWatch : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void syncsOnEveryNotification();
    void pollsWhileLiveUpdatesAreRefused();
    void refusesWithoutLogin();
    void endsWhenTheTokenIsRevoked();

private:
    using Run = CliRun;
    Run cli(const QString &profile, const QStringList &arguments);
    void login(const QString &profile, const QString &token, const QUrl &server = {});
    void startWatch(QProcess &watch, const QString &profile, const QStringList &extra = {});
    // Reads the watch's lines until one contains `text`; returns that line, or "" on timeout.
    QString waitForLine(QProcess &watch, const QString &text, int timeoutMs = 20000);

    ServerProcess m_server;
    QString m_token;
    QTemporaryDir m_profiles;
};

void TestCliWatch::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("wanda"));
    QVERIFY(!m_token.isEmpty());
}

TestCliWatch::Run TestCliWatch::cli(const QString &profile, const QStringList &arguments)
{
    // Waits in the event loop: a FaultProxy of the test keeps forwarding meanwhile.
    return runCli(m_profiles.filePath(profile), arguments);
}

void TestCliWatch::login(const QString &profile, const QString &token, const QUrl &server)
{
    const Run r = cli(profile,
                      {QStringLiteral("login"), QStringLiteral("--server"),
                       (server.isEmpty() ? m_server.url() : server).toString(),
                       QStringLiteral("--token"), token});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
}

void TestCliWatch::startWatch(QProcess &watch, const QString &profile, const QStringList &extra)
{
    watch.start(QStringLiteral(FERRY_CLI_PATH),
                QStringList {QStringLiteral("--profile"), m_profiles.filePath(profile)} + extra
                    + QStringList {QStringLiteral("watch")});
    QVERIFY(watch.waitForStarted(10000));
}

QString TestCliWatch::waitForLine(QProcess &watch, const QString &text, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        while (watch.canReadLine()) {
            const QString line = QString::fromUtf8(watch.readLine()).trimmed();
            if (line.contains(text))
                return line;
        }
        if (watch.state() == QProcess::NotRunning)
            return {};
        QTest::qWait(20);
    }
    return {};
}

void TestCliWatch::syncsOnEveryNotification()
{
    login(QStringLiteral("writer"), m_token);
    login(QStringLiteral("watcher"), m_token);
    QProcess watch;
    startWatch(watch, QStringLiteral("watcher"));
    QVERIFY(!waitForLine(watch, QStringLiteral("synced (start)")).isEmpty());

    for (int round = 1; round <= 2; ++round) {
        const QString title = QStringLiteral("watched %1").arg(round);
        const Run created = cli(
            QStringLiteral("writer"),
            {QStringLiteral("create"), QStringLiteral("Post"), QStringLiteral("title=") + title});
        QCOMPARE(created.exitCode, 0);
        const QString guid = created.out.trimmed();
        QCOMPARE(cli(QStringLiteral("writer"), {QStringLiteral("sync")}).exitCode, 0);
        const QString line = waitForLine(watch, QStringLiteral("synced (notified)"));
        QVERIFY2(line.contains(QStringLiteral("received 1")), qPrintable(line));
        // The watcher's own store has it, with no sync command run on that profile.
        const Run shown = cli(QStringLiteral("watcher"), {QStringLiteral("show"), guid});
        QCOMPARE(shown.exitCode, 0);
        QVERIFY2(shown.out.contains(title), qPrintable(shown.out));
    }

    watch.terminate(); // SIGTERM, as a service manager stops it
    QVERIFY(watch.waitForFinished(15000));
    QCOMPARE(watch.exitStatus(), QProcess::NormalExit);
    QCOMPARE(watch.exitCode(), 0);
}

void TestCliWatch::pollsWhileLiveUpdatesAreRefused()
{
    // The watcher reaches the server through a proxy that refuses every notify upgrade, so
    // it has no socket and must find changes by checking every second.
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    proxy.setFault("/notify", FaultProxy::Fault::RefuseRequest, 0, 1000000);
    login(QStringLiteral("poller"), m_token, proxy.url());
    login(QStringLiteral("poll-writer"), m_token);

    QProcess watch;
    startWatch(watch, QStringLiteral("poller"),
               {QStringLiteral("--json"), QStringLiteral("--interval"), QStringLiteral("1")});
    const QString first = waitForLine(watch, QStringLiteral("\"reason\":\"start\""));
    QVERIFY(!first.isEmpty());
    const QJsonObject start = QJsonDocument::fromJson(first.toUtf8()).object();
    QCOMPARE(start.value(QStringLiteral("ok")).toBool(), true);
    const qint64 cursor = start.value(QStringLiteral("cursor")).toInteger();

    const Run created
        = cli(QStringLiteral("poll-writer"),
              {QStringLiteral("create"), QStringLiteral("Post"), QStringLiteral("title=polled")});
    QCOMPARE(created.exitCode, 0);
    QCOMPARE(cli(QStringLiteral("poll-writer"), {QStringLiteral("sync")}).exitCode, 0);
    const QString line = waitForLine(watch, QStringLiteral("\"received\":1"), 30000);
    QVERIFY(!line.isEmpty());
    const QJsonObject got = QJsonDocument::fromJson(line.toUtf8()).object();
    QCOMPARE(got.value(QStringLiteral("reason")).toString(), QStringLiteral("poll"));
    QVERIFY(got.value(QStringLiteral("ok")).toBool());
    QCOMPARE(got.value(QStringLiteral("cursor")).toInteger(), cursor + 1);
    QVERIFY(proxy.faulted() >= 1); // the channel did try, and kept trying

    watch.terminate();
    QVERIFY(watch.waitForFinished(15000));
    QCOMPARE(watch.exitCode(), 0);
}

void TestCliWatch::refusesWithoutLogin()
{
    const Run r = cli(QStringLiteral("nobody"), {QStringLiteral("watch")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("login")), qPrintable(r.err));
    const Run bad
        = cli(QStringLiteral("nobody"),
              {QStringLiteral("watch"), QStringLiteral("--interval"), QStringLiteral("0")});
    QCOMPARE(bad.exitCode, 2);
}

void TestCliWatch::endsWhenTheTokenIsRevoked()
{
    const QString token = m_server.createToken(QStringLiteral("wanda"));
    login(QStringLiteral("revoked"), token);
    QCOMPARE(
        m_server.runAdmin({QStringLiteral("token"), QStringLiteral("revoke")}, token.toLatin1())
            .exitCode,
        0);
    QProcess watch;
    startWatch(watch, QStringLiteral("revoked"));
    QVERIFY(watch.waitForFinished(30000));
    QCOMPARE(watch.exitCode(), 1);
    const QString out = QString::fromUtf8(watch.readAllStandardOutput());
    QVERIFY2(out.contains(QStringLiteral("sync failed (start)")), qPrintable(out));
}

QTEST_MAIN(TestCliWatch)
#include "tst_cli_watch.moc"
