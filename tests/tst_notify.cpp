// Live updates: the server's notify WebSocket, the client's NotifyChannel, and the scheduler
// syncing when another device's change is announced. Real ferry-server processes only.
#include "apiclient.h"
#include "datastore.h"
#include "faultproxy.h"
#include "guid.h"
#include "notifychannel.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Ferry;
using namespace FerryTest;
using namespace std::chrono_literals;

namespace {

// A WebSocket client written by hand over TCP, so a test controls every byte the server
// sees: requests a handshake can carry, garbage after it, and never answering pings.
class RawPeer
{
public:
    // Sends the handshake for `path`; `upgrade` false sends a plain GET with the same path,
    // `key` false leaves out the key the WebSocket handshake needs.
    void send(quint16 port, const QString &path, const QByteArray &authorization,
              const QByteArray &method = "GET", bool upgrade = true, bool key = true)
    {
        QByteArray request = method + ' ' + path.toUtf8() + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (upgrade)
            request += "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
        if (upgrade && key)
            request += "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";
        if (!authorization.isEmpty())
            request += "Authorization: " + authorization + "\r\n";
        m_socket.connectToHost(QHostAddress::LocalHost, port);
        QVERIFY(m_socket.waitForConnected(5000));
        m_socket.write(request + "\r\n");
    }

    // Reads the answer's head (and body, if it has one); false if none came in time.
    bool readAnswer(int timeoutMs = 10000)
    {
        QDeadlineTimer deadline(timeoutMs);
        qsizetype end = -1;
        while ((end = m_buffer.indexOf("\r\n\r\n")) < 0 && !deadline.hasExpired()) {
            if (!fill(deadline))
                return false;
        }
        if (end < 0)
            return false;
        const QByteArray head = m_buffer.left(end);
        m_buffer.remove(0, end + 4);
        const QList<QByteArray> lines = head.split('\n');
        status = lines.first().split(' ').value(1).toInt();
        qsizetype length = 0;
        for (const QByteArray &line : lines) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        while (m_buffer.size() < length && !deadline.hasExpired()) {
            if (!fill(deadline))
                break;
        }
        body = m_buffer.left(length);
        m_buffer.remove(0, length);
        json = QJsonDocument::fromJson(body).object();
        return true;
    }

    // The next complete frame from the server: opcode and payload; opcode -1 if none came.
    std::pair<int, QByteArray> readFrame(int timeoutMs = 10000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            if (m_buffer.size() >= 2) {
                const int opcode = quint8(m_buffer[0]) & 0x0f;
                qint64 length = quint8(m_buffer[1]) & 0x7f;
                qsizetype header = 2;
                if (length == 126 && m_buffer.size() >= 4) {
                    length = (quint8(m_buffer[2]) << 8) | quint8(m_buffer[3]);
                    header = 4;
                }
                // Server frames are unmasked and, here, short: 127 never comes.
                if (length < 126 || header == 4) {
                    if (m_buffer.size() >= header + length) {
                        const QByteArray payload = m_buffer.mid(header, length);
                        m_buffer.remove(0, header + length);
                        return {opcode, payload};
                    }
                }
            }
            if (!fill(deadline))
                break;
        }
        return {-1, {}};
    }

    // A masked text frame, as a client must send.
    void sendText(const QByteArray &payload)
    {
        QByteArray frame;
        frame.append(char(0x81));
        if (payload.size() < 126) {
            frame.append(char(0x80 | payload.size()));
        } else {
            frame.append(char(0x80 | 126));
            frame.append(char(payload.size() >> 8)).append(char(payload.size() & 0xff));
        }
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(mask, 4);
        for (qsizetype i = 0; i < payload.size(); ++i)
            frame.append(char(payload[i] ^ mask[i % 4]));
        m_socket.write(frame);
    }

    void write(const QByteArray &bytes) { m_socket.write(bytes); }

    // Waits until the server closes the connection (reading whatever it sends).
    bool waitForClose(int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (m_socket.state() != QAbstractSocket::UnconnectedState && !deadline.hasExpired()) {
            QTest::qWait(20);
            m_buffer += m_socket.readAll();
        }
        return m_socket.state() == QAbstractSocket::UnconnectedState;
    }

    int status = 0;
    QByteArray body;
    QJsonObject json;

private:
    // Waits in the event loop, not blocking it: other sockets of the test (a NotifyChannel
    // answering the server's pings) keep working meanwhile.
    bool fill(const QDeadlineTimer &deadline)
    {
        if (m_socket.bytesAvailable() == 0) {
            QSignalSpy ready(&m_socket, &QTcpSocket::readyRead);
            if (!ready.wait(int(qMax<qint64>(1, deadline.remainingTime()))))
                return false;
        }
        m_buffer += m_socket.readAll();
        return true;
    }

    QTcpSocket m_socket;
    QByteArray m_buffer;
};

QJsonObject titled(const QString &title)
{
    return QJsonObject {{QStringLiteral("title"), title}};
}

QString notifyPath(const QString &workspace)
{
    return QStringLiteral("/v1/workspaces/%1/notify").arg(workspace);
}

QByteArray bearer(const QString &token)
{
    return "Bearer " + token.toUtf8();
}

// One device as the desktop app runs it: a DataStore and a SyncScheduler whose timer is
// effectively off, so a change can only arrive through a notification.
struct LiveDevice
{
    explicit LiveDevice(const SyncConfig &config)
    {
        const QString path = dir.filePath(QStringLiteral("ferry.db"));
        data = DataStore::open(path, Schema::defaultSchema()).value();
        scheduler = std::make_unique<SyncScheduler>(data.get(), path);
        scheduler->setInterval(24h);
        scheduler->setDebounce(50ms);
        scheduler->notifyChannel()->setBackoff(100ms, 1s);
        scheduler->setConfig(config);
    }
    std::optional<LocalRecord> record(const QString &guid)
    {
        Result<LocalRecord> found = data->store().record(guid);
        return found ? std::optional<LocalRecord>(found.value()) : std::nullopt;
    }
    QString title(const QString &guid)
    {
        const std::optional<LocalRecord> found = record(guid);
        return found ? found->fields.value(QStringLiteral("title")).toString() : QString();
    }

    QTemporaryDir dir;
    std::unique_ptr<DataStore> data;
    std::unique_ptr<SyncScheduler> scheduler;
};

} // namespace

class TestNotify : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void refusedBeforeUpgrade_data();
    void refusedBeforeUpgrade();
    void helloThenCommitsOfItsWorkspaceOnly();
    void otherDeviceGetsChangeByNotification();
    void ownPushIsNotPulledTwice();
    void reconnectsAfterServerRestart();
    void garbageClosesOnlyThatSocket_data();
    void garbageClosesOnlyThatSocket();
    void silentPeerIsDropped();
    void socketsPerUserAreCapped();

private:
    SyncConfig freshWorkspace();

    ServerProcess m_server;
    QString m_alice;
    QString m_bob;
};

void TestNotify::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_alice = m_server.createToken(QStringLiteral("alice"));
    m_bob = m_server.createToken(QStringLiteral("bob"));
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty());
}

SyncConfig TestNotify::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_alice, m_server.newWorkspace(QStringLiteral("alice"))};
}

void TestNotify::refusedBeforeUpgrade_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("authorization"); // "alice", "bob", "revoked" or as sent
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<bool>("upgrade");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");

    const QString alice = notifyPath(QStringLiteral("alice"));
    QTest::newRow("no token") << alice << QString() << QByteArray("GET") << true << 401
                              << QStringLiteral("unauthorized");
    QTest::newRow("not bearer") << alice << QStringLiteral("Basic YWxpY2U6eA==")
                                << QByteArray("GET") << true << 401
                                << QStringLiteral("unauthorized");
    QTest::newRow("unknown token")
        << alice << QStringLiteral("Bearer 0123abcd") << QByteArray("GET") << true << 401
        << QStringLiteral("unauthorized");
    QTest::newRow("revoked token") << alice << QStringLiteral("revoked") << QByteArray("GET")
                                   << true << 401 << QStringLiteral("unauthorized");
    QTest::newRow("not a member") << alice << QStringLiteral("bob") << QByteArray("GET") << true
                                  << 403 << QStringLiteral("forbidden");
    // Like every route: a workspace that does not exist cannot be told from one you are not in.
    QTest::newRow("unknown workspace")
        << notifyPath(QStringLiteral("nowhere")) << QStringLiteral("alice") << QByteArray("GET")
        << true << 403 << QStringLiteral("forbidden");
    QTest::newRow("wrong method") << alice << QStringLiteral("alice") << QByteArray("POST") << true
                                  << 405 << QStringLiteral("method_not_allowed");
    QTest::newRow("unknown endpoint")
        << QStringLiteral("/v1/workspaces/alice/notify/x") << QStringLiteral("alice")
        << QByteArray("GET") << true << 404 << QStringLiteral("not_found");
    QTest::newRow("no upgrade asked") << alice << QStringLiteral("alice") << QByteArray("GET")
                                      << false << 426 << QStringLiteral("upgrade_required");
}

void TestNotify::refusedBeforeUpgrade()
{
    QFETCH(QString, path);
    QFETCH(QString, authorization);
    QFETCH(QByteArray, method);
    QFETCH(bool, upgrade);
    QFETCH(int, status);
    QFETCH(QString, code);

    QByteArray header = authorization.toUtf8();
    if (authorization == QLatin1String("alice"))
        header = bearer(m_alice);
    else if (authorization == QLatin1String("bob"))
        header = bearer(m_bob);
    else if (authorization == QLatin1String("revoked")) {
        const QString token = m_server.createToken(QStringLiteral("alice"));
        QCOMPARE(
            m_server.runAdmin({QStringLiteral("token"), QStringLiteral("revoke")}, token.toLatin1())
                .exitCode,
            0);
        header = bearer(token);
    }

    RawPeer peer;
    peer.send(m_server.port(), path, header, method, upgrade);
    QVERIFY(peer.readAnswer());
    QCOMPARE(peer.status, status);
    QCOMPARE(peer.json.value(QStringLiteral("code")).toString(), code);
    QVERIFY(!peer.json.value(QStringLiteral("message")).toString().isEmpty());
    if (upgrade) // a refused upgrade is answered, then the connection is closed: no WebSocket
        QVERIFY(peer.waitForClose(10000));

    // The same through Qt's client: the handshake fails and no message ever arrives.
    if (upgrade && method == "GET") {
        QWebSocket socket;
        QSignalSpy connected(&socket, &QWebSocket::connected);
        QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
        QNetworkRequest request(
            QUrl(QStringLiteral("ws://127.0.0.1:%1%2").arg(m_server.port()).arg(path)));
        if (!header.isEmpty())
            request.setRawHeader("Authorization", header);
        socket.open(request);
        QTRY_COMPARE_WITH_TIMEOUT(socket.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(connected.size(), 0);
        QCOMPARE(messages.size(), 0);
    }
}

void TestNotify::helloThenCommitsOfItsWorkspaceOnly()
{
    const SyncConfig first = freshWorkspace();
    const SyncConfig second = freshWorkspace();
    ApiClient api;
    api.setServer(m_server.url(), m_alice);
    QVERIFY(api.create(first.workspace, createGuid(), titled(QStringLiteral("one"))) == 1);
    QVERIFY(api.create(first.workspace, createGuid(), titled(QStringLiteral("two"))) == 2);

    NotifyChannel one;
    NotifyChannel two;
    QSignalSpy oneSeqs(&one, &NotifyChannel::sequenceAnnounced);
    QSignalSpy twoSeqs(&two, &NotifyChannel::sequenceAnnounced);
    one.setConfig(first);
    two.setConfig(second);
    // On connect: the workspace's current sequence.
    QTRY_COMPARE_WITH_TIMEOUT(oneSeqs.size(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(twoSeqs.size(), 1, 10000);
    QCOMPARE(oneSeqs.at(0).at(0).toLongLong(), 2);
    QCOMPARE(twoSeqs.at(0).at(0).toLongLong(), 0);
    QVERIFY(one.isConnected() && two.isConnected());

    // A push to the first workspace reaches its socket, not the other's.
    const QString guid = createGuid();
    const ApiResponse pushed
        = api.push(first.workspace, {mutation(guid, 0, titled(QStringLiteral("3")))},
                   QStringLiteral("batch-three"));
    QCOMPARE(pushed.status, 200);
    QTRY_COMPARE_WITH_TIMEOUT(oneSeqs.size(), 2, 10000);
    QCOMPARE(oneSeqs.at(1).at(0).toLongLong(), 3);

    // A replayed batch and a push that changes nothing leave the sequence, and say nothing.
    QCOMPARE(api.push(first.workspace, {mutation(guid, 0, titled(QStringLiteral("3")))},
                      QStringLiteral("batch-three"))
                 .status,
             200);
    QCOMPARE(api.push(first.workspace, {mutation(guid, 3, titled(QStringLiteral("3")))}).status,
             200);
    // Then a push to the second workspace: the first socket must still have heard nothing more.
    QVERIFY(api.create(second.workspace, createGuid(), titled(QStringLiteral("x"))) == 1);
    QTRY_COMPARE_WITH_TIMEOUT(twoSeqs.size(), 2, 10000);
    QCOMPARE(twoSeqs.at(1).at(0).toLongLong(), 1);
    QCOMPARE(oneSeqs.size(), 2);
    QCOMPARE(one.lastSequence(), 3);
}

void TestNotify::otherDeviceGetsChangeByNotification()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    LiveDevice b(config);
    QTRY_VERIFY_WITH_TIMEOUT(b.scheduler->overview().live, 10000);
    QCOMPARE(b.scheduler->notifiedSyncs(), 0); // nothing to pull yet: the hello said 0

    for (int round = 1; round <= 3; ++round) {
        const QString title = QStringLiteral("from a, round %1").arg(round);
        const QString guid = a.create(QStringLiteral("Post"), titled(title));
        QVERIFY(a.sync().ok);
        // No sync call on b, and its timer would not fire for a day: only the notification.
        QTRY_COMPARE_WITH_TIMEOUT(b.title(guid), title, 15000);
        QCOMPARE(b.scheduler->notifiedSyncs(), round);
    }
    QVERIFY(b.scheduler->overview().live);
}

void TestNotify::ownPushIsNotPulledTwice()
{
    const SyncConfig config = freshWorkspace();
    LiveDevice b(config);
    QTRY_VERIFY_WITH_TIMEOUT(b.scheduler->overview().live, 10000);
    QSignalSpy finished(b.scheduler.get(), &SyncScheduler::syncFinished);

    const QString guid
        = b.data->createRecord(QStringLiteral("Post"), titled(QStringLiteral("mine"))).value();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 15000); // the debounced sync after the edit
    QVERIFY(finished.at(0).at(0).value<SyncSummary>().ok);
    QCOMPARE(finished.at(0).at(0).value<SyncSummary>().cursor, 1);
    // The server announces b's own push (seq 1), which that cycle's pull already covered.
    QTRY_COMPARE_WITH_TIMEOUT(b.scheduler->notifyChannel()->lastSequence(), 1, 10000);
    QTest::qWait(500);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(b.scheduler->notifiedSyncs(), 0);
    QCOMPARE(b.record(guid)->status, SyncStatus::Synced);
}

void TestNotify::reconnectsAfterServerRestart()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("dora"));
    const SyncConfig config {server.url(), token, QStringLiteral("dora")};
    TestDevice a(config);
    LiveDevice b(config);
    NotifyChannel *channel = b.scheduler->notifyChannel();
    QTRY_VERIFY_WITH_TIMEOUT(b.scheduler->overview().live, 10000);
    QCOMPARE(channel->connectCount(), 1);

    const quint16 port = server.port();
    QVERIFY2(server.restart(), qPrintable(server.lastError()));
    QCOMPARE(server.port(), port);
    // The socket dropped with the old process; the channel finds the new one by itself.
    QTRY_COMPARE_WITH_TIMEOUT(channel->connectCount(), 2, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(b.scheduler->overview().live, 10000);

    const QString guid = a.create(QStringLiteral("Post"), titled(QStringLiteral("after restart")));
    QVERIFY(a.sync().ok);
    QTRY_COMPARE_WITH_TIMEOUT(b.title(guid), QStringLiteral("after restart"), 15000);
    QCOMPARE(b.scheduler->notifiedSyncs(), 1);

    // And through a proxy that cuts the connection: the same recovery.
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    LiveDevice c(SyncConfig {proxy.url(), token, QStringLiteral("dora")});
    QTRY_VERIFY_WITH_TIMEOUT(c.scheduler->overview().live, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(c.title(guid), QStringLiteral("after restart"), 15000);
    const int before = c.scheduler->notifyChannel()->connectCount();
    proxy.dropConnections();
    QTRY_VERIFY_WITH_TIMEOUT(c.scheduler->notifyChannel()->connectCount() > before, 20000);
    const QString later = a.create(QStringLiteral("Post"), titled(QStringLiteral("after the cut")));
    QVERIFY(a.sync().ok);
    QTRY_COMPARE_WITH_TIMEOUT(c.title(later), QStringLiteral("after the cut"), 15000);
    QTRY_COMPARE_WITH_TIMEOUT(b.title(later), QStringLiteral("after the cut"), 15000);
}

void TestNotify::garbageClosesOnlyThatSocket_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("closeCode"); // what the server's close frame says

    // Not WebSocket framing at all (an unmasked frame with a reserved opcode).
    QTest::newRow("garbage") << QByteArray("\x8b\x05hello-not-a-frame\r\n\r\n", 24) << 1002;
    // A masked text frame announcing 2^40 bytes: refused on its header, nothing is buffered.
    QTest::newRow("huge frame header")
        << QByteArray("\x81\xff\x00\x00\x01\x00\x00\x00\x00\x00\x12\x34\x56\x78", 14) << 1009;
    // A complete frame over the server's 1 KiB limit.
    QByteArray big;
    big.append(char(0x82)).append(char(0x80 | 126)).append(char(0x08)).append(char(0x00));
    big.append("\x01\x02\x03\x04", 4).append(QByteArray(2048, 'x'));
    QTest::newRow("oversized frame") << big << 1009;
    QTest::newRow("invalid utf-8 text")
        << QByteArray("\x81\x82\x00\x00\x00\x00\xc3\x28", 8) << 1007;
}

void TestNotify::garbageClosesOnlyThatSocket()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, closeCode);
    const SyncConfig config = freshWorkspace();
    NotifyChannel bystander;
    QSignalSpy seqs(&bystander, &NotifyChannel::sequenceAnnounced);
    bystander.setConfig(config);
    QTRY_COMPARE_WITH_TIMEOUT(seqs.size(), 1, 10000);

    RawPeer peer;
    peer.send(m_server.port(), notifyPath(config.workspace), bearer(m_alice));
    QVERIFY(peer.readAnswer());
    QCOMPARE(peer.status, 101);
    const auto [opcode, hello] = peer.readFrame();
    QCOMPARE(opcode, 1);
    QCOMPARE(QJsonDocument::fromJson(hello).object().value(QStringLiteral("type")).toString(),
             QStringLiteral("hello"));
    peer.sendText("small talk is ignored");
    peer.write(bytes);
    auto [frame, payload] = peer.readFrame();
    while (frame == 9 || frame == 10) // pings may come first
        std::tie(frame, payload) = peer.readFrame();
    QCOMPARE(frame, 8);
    QVERIFY(payload.size() >= 2);
    QCOMPARE((quint8(payload[0]) << 8) | quint8(payload[1]), closeCode);
    QVERIFY(peer.waitForClose(15000));

    // The server is up, and the other socket of the workspace still hears of commits.
    ApiClient api;
    api.setServer(m_server.url(), m_alice);
    QCOMPARE(api.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    QVERIFY(api.create(config.workspace, createGuid(), titled(QStringLiteral("still here"))) == 1);
    QTRY_COMPARE_WITH_TIMEOUT(seqs.size(), 2, 10000);
    QCOMPARE(seqs.at(1).at(0).toLongLong(), 1);
}

void TestNotify::silentPeerIsDropped()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--ping-interval"), QStringLiteral("1")}),
             qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("eve"));
    const SyncConfig config {server.url(), token, QStringLiteral("eve")};

    NotifyChannel live; // answers pings, as every QWebSocket does
    live.setConfig(config);
    QTRY_VERIFY_WITH_TIMEOUT(live.isConnected(), 10000);

    RawPeer silent;
    silent.send(server.port(), notifyPath(config.workspace), bearer(token));
    QVERIFY(silent.readAnswer());
    QCOMPARE(silent.status, 101);
    QCOMPARE(silent.readFrame().first, 1); // hello
    QCOMPARE(silent.readFrame(5000).first, 9); // a ping, never answered
    QElapsedTimer clock;
    clock.start();
    QVERIFY(silent.waitForClose(20000));
    QVERIFY2(clock.elapsed() >= 500, "dropped before it had a chance to answer");

    QTest::qWait(1500); // pings went on meanwhile: the live socket answered them
    QVERIFY(live.isConnected());
    QCOMPARE(live.connectCount(), 1);
}

void TestNotify::socketsPerUserAreCapped()
{
    const SyncConfig config = freshWorkspace();
    const QUrl url = NotifyChannel::notifyUrl(config);
    // Handshakes the server authorised but that then failed (no key) keep no place.
    for (int i = 0; i < 3; ++i) {
        RawPeer broken;
        broken.send(m_server.port(), notifyPath(config.workspace), bearer(m_alice), "GET", true,
                    false);
        QVERIFY(broken.waitForClose(10000)); // Qt's handshake refuses it, without an answer
        QVERIFY(!broken.readAnswer(100) || broken.status != 101);
    }
    std::vector<std::unique_ptr<QWebSocket>> open;
    for (int i = 0; i < 32; ++i) {
        auto socket = std::make_unique<QWebSocket>();
        QNetworkRequest request(url);
        request.setRawHeader("Authorization", bearer(m_alice));
        socket->open(request);
        open.push_back(std::move(socket));
    }
    for (const auto &socket : open)
        QTRY_COMPARE_WITH_TIMEOUT(socket->state(), QAbstractSocket::ConnectedState, 10000);

    RawPeer extra;
    extra.send(m_server.port(), notifyPath(config.workspace), bearer(m_alice));
    QVERIFY(extra.readAnswer());
    QCOMPARE(extra.status, 429);
    QCOMPARE(extra.json.value(QStringLiteral("code")).toString(),
             QStringLiteral("too_many_sockets"));

    // Another user is not affected.
    RawPeer bob;
    bob.send(m_server.port(), notifyPath(QStringLiteral("bob")), bearer(m_bob));
    QVERIFY(bob.readAnswer());
    QCOMPARE(bob.status, 101);

    // A closed socket gives its place back.
    open.back()->close();
    open.pop_back();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            RawPeer again;
            again.send(m_server.port(), notifyPath(config.workspace), bearer(m_alice));
            return again.readAnswer() && again.status == 101;
        }(),
        10000);
}

QTEST_MAIN(TestNotify)
#include "tst_notify.moc"
