// Transport security: ferry-server serving HTTPS and wss with the test certificates of
// tests/data/tls, and the clients (sync engine, notify channel, ferry-cli) accepting a
// server only when a CA they trust vouches for it or its exact fingerprint is trusted.
#include "apiclient.h"
#include "clirun.h"
#include "notifychannel.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "tlstrust.h"

#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;
using namespace std::chrono_literals;

namespace {

using Run = CliRun;

// Makes the test CA one the whole process trusts, as if it were among the system's CAs,
// until destroyed.
class TrustTestCa
{
public:
    TrustTestCa()
        : m_saved(QSslConfiguration::defaultConfiguration())
    {
        QSslConfiguration configuration = m_saved;
        configuration.addCaCertificates(ServerProcess::tlsFile(QStringLiteral("ca.pem")));
        QSslConfiguration::setDefaultConfiguration(configuration);
    }
    ~TrustTestCa() { QSslConfiguration::setDefaultConfiguration(m_saved); }

private:
    QSslConfiguration m_saved;
};

} // namespace

class TestTls : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseFingerprint_data();
    void parseFingerprint();
    void syncsOverHttpsWithTheTrustedCertificate();
    void notifiesOverWss();
    void refusedCertificateKeepsLocalEdits_data();
    void refusedCertificateKeepsLocalEdits();
    void caSignedCertificateNeedsNoFingerprint();
    void removedTrustRefusesTheNextSync();
    void cliLoginTrustsOneFingerprint();
    void plainHttpOnTheTlsPortIsDropped();
    void requestHeadsAreBoundedOverTls();
    void serverRefusesBadCertificateFiles_data();
    void serverRefusesBadCertificateFiles();

private:
    Run cli(const QString &profile, const QStringList &arguments);
    QTemporaryDir m_profiles;
};

void TestTls::parseFingerprint_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("stored"); // empty with ok false: refused
    QTest::addColumn<bool>("ok");

    const QString upper = ServerProcess::fingerprintOf(QStringLiteral("server"));
    QString bare = upper;
    bare.remove(QLatin1Char(':'));
    QTest::newRow("as shown") << upper << upper << true;
    QTest::newRow("lower case, no colons") << bare.toLower() << upper << true;
    QTest::newRow("SHA256: prefix, spaces")
        << QStringLiteral("SHA256: ") + upper + QLatin1Char(' ') << upper << true;
    QTest::newRow("empty: nothing trusted") << QString() << QString() << true;
    QTest::newRow("too short") << bare.left(62) << QString() << false;
    QTest::newRow("SHA-1 length") << bare.left(40) << QString() << false;
    QTest::newRow("not hex") << QString(bare).replace(0, 1, QStringLiteral("g")) << QString()
                             << false;
    QTest::newRow("injection-shaped")
        << QStringLiteral("'; DROP TABLE settings; --") << QString() << false;
}

void TestTls::parseFingerprint()
{
    QFETCH(QString, text);
    QFETCH(QString, stored);
    QFETCH(bool, ok);
    const Result<QString> parsed = TlsTrust::parseFingerprint(text);
    QCOMPARE(parsed.ok(), ok);
    if (ok)
        QCOMPARE(parsed.value(), stored);
    else
        QCOMPARE(parsed.error().code, QStringLiteral("bad_fingerprint"));
}

void TestTls::syncsOverHttpsWithTheTrustedCertificate()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    QCOMPARE(server.url().scheme(), QStringLiteral("https"));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    QVERIFY(!server.trustedFingerprint().isEmpty());

    TestDevice a(server.syncConfig(token, workspace));
    TestDevice b(server.syncConfig(token, workspace));
    const QString guid
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("secret")}});
    const SyncSummary sent = a.sync();
    QVERIFY2(sent.ok, qPrintable(sent.error.message));
    QCOMPARE(sent.sent, 1);
    const SyncSummary received = b.sync();
    QVERIFY2(received.ok, qPrintable(received.error.message));
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("secret"));
    QCOMPARE(b.record(guid).status, SyncStatus::Synced);
}

void TestTls::notifiesOverWss()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    const SyncConfig config = server.syncConfig(token, workspace);
    QCOMPARE(NotifyChannel::notifyUrl(config).scheme(), QStringLiteral("wss"));

    NotifyChannel channel;
    QSignalSpy announced(&channel, &NotifyChannel::sequenceAnnounced);
    channel.setConfig(config);
    QTRY_COMPARE_WITH_TIMEOUT(announced.size(), 1, 15000);
    QVERIFY(channel.isConnected());

    TestDevice writer(config);
    writer.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("news")}});
    QVERIFY(writer.sync().ok);
    QTRY_COMPARE_WITH_TIMEOUT(announced.size(), 2, 15000);
    QCOMPARE(announced.last().first().toLongLong(), channel.lastSequence());
    QVERIFY(channel.lastSequence() > 0);
    QCOMPARE(channel.certificateError().code, QString());
}

void TestTls::refusedCertificateKeepsLocalEdits_data()
{
    QTest::addColumn<QString>("served"); // certificate of tests/data/tls
    QTest::addColumn<QString>("trusted"); // fingerprint the client trusts
    QTest::addColumn<bool>("caTrusted"); // the test CA is among the trusted CAs
    QTest::addColumn<QString>("reason");

    const QString other = ServerProcess::fingerprintOf(QStringLiteral("wronghost"));
    QTest::newRow("unknown CA, nothing trusted")
        << QStringLiteral("server") << QString() << false
        << QStringLiteral("no certificate authority this computer trusts");
    QTest::newRow("another certificate's fingerprint")
        << QStringLiteral("server") << other << false
        << QStringLiteral("it is not the trusted certificate ") + other;
    QTest::newRow("the CA's own fingerprint")
        << QStringLiteral("server") << ServerProcess::fingerprintOf(QStringLiteral("ca")) << false
        << QStringLiteral("it is not the trusted certificate");
    QTest::newRow("expired") << QStringLiteral("expired") << QString() << true
                             << QStringLiteral("it has expired");
    QTest::newRow("wrong host") << QStringLiteral("wronghost") << QString() << true
                                << QStringLiteral("it is for another host (elsewhere.example)");
}

void TestTls::refusedCertificateKeepsLocalEdits()
{
    QFETCH(QString, served);
    QFETCH(QString, trusted);
    QFETCH(bool, caTrusted);
    QFETCH(QString, reason);
    std::optional<TrustTestCa> ca;
    if (caTrusted)
        ca.emplace();

    ServerProcess server;
    QVERIFY2(server.startTls(served), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    const SyncConfig config {server.url(), token, workspace, trusted};

    TestDevice device(config);
    const QString guid = device.create(QStringLiteral("Post"),
                                       {{QStringLiteral("title"), QStringLiteral("mine")}});
    const SyncSummary summary = device.sync();
    QVERIFY(!summary.ok);
    QCOMPARE(summary.error.code, QStringLiteral("certificate"));
    const QString message = summary.error.message;
    QVERIFY2(message.contains(QStringLiteral("127.0.0.1")), qPrintable(message));
    QVERIFY2(message.contains(reason), qPrintable(message));
    QVERIFY2(message.contains(ServerProcess::fingerprintOf(served)), qPrintable(message));

    // Nothing was lost and nothing reached the server.
    QCOMPARE(device.store().unsyncedCount().value(), 1);
    QCOMPARE(device.record(guid).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("mine"));
    QVERIFY(device.record(guid).status != SyncStatus::Synced);
    ApiClient api;
    api.setServer(server.url(), token);
    api.setTrustedFingerprint(ServerProcess::fingerprintOf(served));
    const ApiResponse pulled = api.pull(workspace);
    QCOMPARE(pulled.status, 200);
    QCOMPARE(api.snapshot(workspace).cursor, 0);

    // Live updates are refused the same way, and say why.
    NotifyChannel channel;
    channel.setBackoff(50ms, 200ms);
    channel.setConfig(config);
    QTRY_COMPARE_WITH_TIMEOUT(channel.certificateError().code, QStringLiteral("certificate"),
                              15000);
    QVERIFY(channel.certificateError().message.contains(reason));
    QVERIFY(!channel.isConnected());
    QCOMPARE(channel.connectCount(), 0);
}

void TestTls::caSignedCertificateNeedsNoFingerprint()
{
    const TrustTestCa ca;
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    TestDevice device(SyncConfig {server.url(), token, workspace});
    device.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("signed")}});
    const SyncSummary summary = device.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.sent, 1);
}

void TestTls::removedTrustRefusesTheNextSync()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    TestDevice device(server.syncConfig(token, workspace));
    device.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("first")}});
    QVERIFY(device.sync().ok);

    // The connection the engine keeps open was accepted under the old trust: it must not
    // carry the next request.
    device.client().setConfig(SyncConfig {server.url(), token, workspace});
    const QString guid = device.create(QStringLiteral("Post"),
                                       {{QStringLiteral("title"), QStringLiteral("second")}});
    const SyncSummary summary = device.sync();
    QVERIFY(!summary.ok);
    QCOMPARE(summary.error.code, QStringLiteral("certificate"));
    QCOMPARE(device.store().unsyncedCount().value(), 1);
    QVERIFY(device.record(guid).status != SyncStatus::Synced);
}

Run TestTls::cli(const QString &profile, const QStringList &arguments)
{
    return runCli(m_profiles.filePath(profile), arguments);
}

void TestTls::cliLoginTrustsOneFingerprint()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("ann"));
    const QString workspace = server.newWorkspace(QStringLiteral("ann"));
    const QString fingerprint = server.trustedFingerprint();
    const QStringList login {QStringLiteral("login"),
                             QStringLiteral("--server"),
                             server.url().toString(),
                             QStringLiteral("--token"),
                             token,
                             QStringLiteral("--workspace"),
                             workspace};

    // Refused: the error names the host, why, and how to trust it; nothing is saved.
    Run refused = cli(QStringLiteral("p"), login);
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QStringLiteral("127.0.0.1")), qPrintable(refused.err));
    QVERIFY2(refused.err.contains(QStringLiteral("--trust-fingerprint ") + fingerprint),
             qPrintable(refused.err));
    QVERIFY(refused.err.contains(QStringLiteral("Nothing was saved")));
    QVERIFY(cli(QStringLiteral("p"), {QStringLiteral("status")})
                .out.contains(QStringLiteral("(not signed in)")));

    Run bad
        = cli(QStringLiteral("p"),
              login + QStringList {QStringLiteral("--trust-fingerprint"), QStringLiteral("abc")});
    QCOMPARE(bad.exitCode, 2);
    QVERIFY2(bad.err.contains(QStringLiteral("not a SHA-256")), qPrintable(bad.err));

    // Trusted, given in another spelling: stored in its usual form and shown by status.
    QString bare = fingerprint.toLower();
    bare.remove(QLatin1Char(':'));
    Run ok = cli(QStringLiteral("p"),
                 login + QStringList {QStringLiteral("--trust-fingerprint"), bare});
    QVERIFY2(ok.exitCode == 0, qPrintable(ok.err));
    QVERIFY(ok.out.contains(fingerprint));
    const Run status = cli(QStringLiteral("p"), {QStringLiteral("status")});
    QVERIFY2(status.out.contains(QStringLiteral("Trusted:   ") + fingerprint),
             qPrintable(status.out));
    QVERIFY(
        cli(QStringLiteral("p"),
            {QStringLiteral("create"), QStringLiteral("Post"), QStringLiteral("title=over tls")})
            .exitCode
        == 0);
    const Run synced = cli(QStringLiteral("p"), {QStringLiteral("sync")});
    QVERIFY2(synced.exitCode == 0, qPrintable(synced.err));
    ApiClient api;
    api.setServer(server.url(), token);
    api.setTrustedFingerprint(fingerprint);
    QVERIFY(api.snapshot(workspace).cursor > 0);
}

void TestTls::plainHttpOnTheTlsPortIsDropped()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    for (int i = 0; i < 3; ++i) {
        QTcpSocket socket;
        socket.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket.waitForConnected(5000));
        socket.write("GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 15000);
        QVERIFY(!socket.readAll().startsWith("HTTP/1.1 200"));
    }
    // Still serving HTTPS.
    ApiClient api;
    api.setServer(server.url(), QString());
    api.setTrustedFingerprint(server.trustedFingerprint());
    const ApiResponse answer = api.request("GET", QStringLiteral("/v1/me"), {});
    QVERIFY(answer.finished);
    QCOMPARE(answer.status, 401);
}

// The bounds on a request's head (tst_bad_input) hold on the TLS port too: a request is
// served, then a head over 64 KiB on the same connection is refused and the connection closed.
void TestTls::requestHeadsAreBoundedOverTls()
{
    ServerProcess server;
    QVERIFY2(server.start({}, ServerProcess::Tls), qPrintable(server.lastError()));
    QSslSocket socket;
    socket.setPeerVerifyMode(QSslSocket::VerifyNone); // the certificate is not what this checks
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.port());
    QVERIFY2(socket.waitForEncrypted(10000), qPrintable(socket.errorString()));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray answer;
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("\"status\":\"ok\""), 5000);
    QVERIFY2(answer.startsWith("HTTP/1.1 200 "), answer.constData());
    socket.write("GET /healthz HTTP/1.1\r\nX-Big: " + QByteArray(100 * 1024, 'x') + "\r\n\r\n");
    answer.clear();
    QTRY_VERIFY_WITH_TIMEOUT((answer += socket.readAll()).contains("header_too_large"), 5000);
    QVERIFY2(answer.startsWith("HTTP/1.1 431 "), answer.constData());
    QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 5000);
}

void TestTls::serverRefusesBadCertificateFiles_data()
{
    QTest::addColumn<QString>("certificate");
    QTest::addColumn<QString>("key"); // empty: --tls-key left out
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("named"); // the file (or option) the message must name
    QTest::addColumn<QString>("problem");

    const QString missing = QDir(m_profiles.path()).filePath(QStringLiteral("missing.pem"));
    const QString cert = ServerProcess::tlsFile(QStringLiteral("server.pem"));
    const QString key = ServerProcess::tlsFile(QStringLiteral("server.key"));
    const QString ca = ServerProcess::tlsFile(QStringLiteral("ca.pem"));
    QTest::newRow("missing certificate")
        << missing << key << 1 << missing << QStringLiteral("cannot read");
    QTest::newRow("missing key") << cert << missing << 1 << missing
                                 << QStringLiteral("cannot read");
    QTest::newRow("key as certificate")
        << key << key << 1 << key << QStringLiteral("holds no PEM certificate");
    QTest::newRow("certificate as key")
        << cert << cert << 1 << cert << QStringLiteral("no unencrypted PEM private key");
    QTest::newRow("key of another certificate")
        << ca << key << 1 << key << QStringLiteral("does not belong");
    QTest::newRow("certificate without key")
        << cert << QString() << 2 << QStringLiteral("--tls-key") << QStringLiteral("go together");
}

void TestTls::serverRefusesBadCertificateFiles()
{
    QFETCH(QString, certificate);
    QFETCH(QString, key);
    QFETCH(int, exitCode);
    QFETCH(QString, named);
    QFETCH(QString, problem);
    QTemporaryDir data;
    QStringList arguments {QStringLiteral("--data"),     data.path(),
                           QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"),
                           QStringLiteral("--tls-cert"), certificate};
    if (!key.isEmpty())
        arguments << QStringLiteral("--tls-key") << key;
    QProcess process;
    process.start(ServerProcess::binary(), arguments);
    QVERIFY(process.waitForFinished(15000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), exitCode);
    const QString errors = QString::fromUtf8(process.readAllStandardError());
    QVERIFY2(errors.contains(named), qPrintable(errors));
    QVERIFY2(errors.contains(problem), qPrintable(errors));
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
