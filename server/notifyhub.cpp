#include "notifyhub.h"

#include <QHostAddress>
#include <QTcpSocket>
#include <QWebSocket>

namespace FerryServer {

namespace {

// Longer than Qt's WebSocket handshake may take (10 s): an upgrade not adopted by then failed.
constexpr qint64 kHandshakeLimitMs = 30000;

// How a socket is known before and after the handshake: Qt hands over the QWebSocket, not
// the QTcpSocket it wraps, but both see the same peer address and port.
QString peerKey(const QHostAddress &address, quint16 port)
{
    return address.toString() + QLatin1Char(' ') + QString::number(port);
}

} // namespace

NotifyHub::NotifyHub(SequenceLookup sequenceOf, QObject *parent)
    : QObject(parent)
    , m_sequenceOf(std::move(sequenceOf))
{
    m_clock.start();
    m_ping.setInterval(std::chrono::seconds(30));
    connect(&m_ping, &QTimer::timeout, this, &NotifyHub::pingAll);
    m_ping.start();
}

NotifyHub::~NotifyHub()
{
    const QList<QWebSocket *> sockets = m_sockets.keys();
    for (QWebSocket *socket : sockets) {
        socket->disconnect(this);
        socket->close(QWebSocketProtocol::CloseCodeGoingAway,
                      QStringLiteral("The server is shutting down."));
        socket->flush();
    }
}

void NotifyHub::setPingInterval(std::chrono::milliseconds interval)
{
    m_ping.setInterval(interval);
    m_ping.start();
}

bool NotifyHub::hasRoomFor(const QString &user)
{
    forgetFailedUpgrades();
    return m_perUser.value(user) < kMaxSocketsPerUser;
}

void NotifyHub::expect(QTcpSocket *socket, const QString &user, const QString &workspace,
                       const QString &device)
{
    const QString key = peerKey(socket->peerAddress(), socket->peerPort());
    if (const auto earlier = m_expected.find(key); earlier != m_expected.end())
        forgetExpected(earlier);
    m_expected.insert(key, Expected {socket, user, workspace, device, m_clock.elapsed()});
    ++m_perUser[user];
}

// Qt drops every signal connection of the socket when it takes it over for the handshake,
// and a handshake it refuses (no key, a wrong version) ends with the socket closed and no
// word to us; so upgrades that went nowhere are found by looking.
void NotifyHub::forgetFailedUpgrades()
{
    const qint64 now = m_clock.elapsed();
    for (auto it = m_expected.begin(); it != m_expected.end();) {
        const bool failed = it->socket.isNull()
            || it->socket->state() == QAbstractSocket::UnconnectedState
            || now - it->since > kHandshakeLimitMs;
        it = failed ? forgetExpected(it) : std::next(it);
    }
}

QHash<QString, NotifyHub::Expected>::iterator
NotifyHub::forgetExpected(QHash<QString, Expected>::iterator expected)
{
    const QString user = expected->user;
    const auto next = m_expected.erase(expected);
    if (--m_perUser[user] <= 0)
        m_perUser.remove(user);
    return next;
}

void NotifyHub::adopt(std::unique_ptr<QWebSocket> owned)
{
    QWebSocket *socket = owned.release();
    socket->setParent(this);
    const QString key = peerKey(socket->peerAddress(), socket->peerPort());
    const auto found = m_expected.find(key);
    if (found == m_expected.end()) {
        socket->abort(); // not authorised through ApiServer: never happens on purpose
        socket->deleteLater();
        return;
    }
    const Peer peer {found->user, found->workspace, found->device, m_clock.elapsed()};
    m_expected.erase(found); // its count moves to the open socket

    // Clients have nothing to say: a frame or message larger than this closes the socket
    // (QWebSocket answers it with close code 1009), smaller ones are only proof of life.
    socket->setMaxAllowedIncomingFrameSize(quint64(kMaxIncomingMessage));
    socket->setMaxAllowedIncomingMessageSize(quint64(kMaxIncomingMessage));
    const auto heard = [this, socket] {
        const auto it = m_sockets.find(socket);
        if (it != m_sockets.end())
            it->heardAt = m_clock.elapsed();
    };
    connect(socket, &QWebSocket::textMessageReceived, this, heard);
    connect(socket, &QWebSocket::binaryMessageReceived, this, heard);
    connect(socket, &QWebSocket::pong, this, heard);
    connect(socket, &QWebSocket::disconnected, this, [this, socket] { drop(socket); });
    m_sockets.insert(socket, peer);
    m_byWorkspace.insert(peer.workspace, socket);

    const qint64 seq = m_sequenceOf(peer.workspace);
    if (seq < 0) {
        socket->close(QWebSocketProtocol::CloseCodeAbnormalDisconnection,
                      QStringLiteral("The workspace's sequence could not be read."));
        return;
    }
    send(socket, "hello", seq);
}

void NotifyHub::committed(const QString &workspace, qint64 seq)
{
    const QList<QWebSocket *> sockets = m_byWorkspace.values(workspace);
    for (QWebSocket *socket : sockets)
        send(socket, "committed", seq);
}

void NotifyHub::closeMember(const QString &workspace, const QString &user)
{
    closeWhere([&](const Peer &peer) { return peer.workspace == workspace && peer.user == user; });
}

void NotifyHub::closeDevice(const QString &device)
{
    closeWhere([&](const Peer &peer) { return peer.device == device; });
}

void NotifyHub::closeWhere(const std::function<bool(const Peer &)> &which)
{
    // Upgrades still under way are forgotten too: adopt() then closes their sockets.
    for (auto it = m_expected.begin(); it != m_expected.end();)
        it = which(Peer {it->user, it->workspace, it->device, 0}) ? forgetExpected(it)
                                                                  : std::next(it);
    QList<QWebSocket *> closing;
    for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it) {
        if (which(it.value()))
            closing.append(it.key());
    }
    for (QWebSocket *socket : closing) {
        drop(socket);
        socket->close(QWebSocketProtocol::CloseCodePolicyViolated,
                      QStringLiteral("Access to this workspace ended."));
    }
}

void NotifyHub::send(QWebSocket *socket, const char *type, qint64 seq)
{
    socket->sendTextMessage(
        QStringLiteral(R"({"type":"%1","seq":%2})").arg(QLatin1String(type)).arg(seq));
}

void NotifyHub::drop(QWebSocket *socket)
{
    const auto found = m_sockets.find(socket);
    if (found == m_sockets.end())
        return;
    const Peer peer = *found;
    m_sockets.erase(found);
    m_byWorkspace.remove(peer.workspace, socket);
    if (--m_perUser[peer.user] <= 0)
        m_perUser.remove(peer.user);
    socket->deleteLater();
}

void NotifyHub::pingAll()
{
    forgetFailedUpgrades();
    if (m_stillAllowed)
        closeWhere([this](const Peer &peer) {
            return !m_stillAllowed(peer.user, peer.workspace, peer.device);
        });
    const qint64 now = m_clock.elapsed();
    const qint64 silentLimit = m_ping.interval() * 5 / 2;
    QList<QWebSocket *> dead;
    for (auto it = m_sockets.cbegin(); it != m_sockets.cend(); ++it) {
        if (now - it->heardAt > silentLimit)
            dead.append(it.key());
        else
            it.key()->ping();
    }
    // A peer that went away without closing (power loss, a dropped route) never answers.
    for (QWebSocket *socket : dead) {
        socket->abort();
        drop(socket);
    }
}

} // namespace FerryServer
