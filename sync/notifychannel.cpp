#include "notifychannel.h"

#include "tlstrust.h"
#include "transport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QWebSocket>

#include <algorithm>

namespace Ferry {

namespace {

// Announcements are a few dozen bytes; anything far larger is not from a Ferry server.
constexpr qint64 kMaxIncoming = 64 * 1024;

} // namespace

NotifyChannel::NotifyChannel(QObject *parent)
    : QObject(parent)
    , m_transport(new Transport(this))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &NotifyChannel::open);
    m_keepAlive.setInterval(std::chrono::seconds(30));
    connect(&m_keepAlive, &QTimer::timeout, this, &NotifyChannel::keepAlive);
}

NotifyChannel::~NotifyChannel()
{
    // Owners are usually being destroyed too: they must not hear that the socket closed.
    blockSignals(true);
    close();
}

QString NotifyChannel::notifyPath(const SyncConfig &config)
{
    return QStringLiteral("/v1/workspaces/")
        + QString::fromLatin1(QUrl::toPercentEncoding(config.workspace))
        + QStringLiteral("/notify");
}

QUrl NotifyChannel::notifyUrl(const SyncConfig &config)
{
    return Transport::webSocketUrl(config.server, notifyPath(config));
}

void NotifyChannel::setConfig(const SyncConfig &config)
{
    const bool same = config.server == m_config.server && config.token == m_config.token
        && config.workspace == m_config.workspace
        && config.trustedFingerprint == m_config.trustedFingerprint;
    if (same && (m_socket || m_retry.isActive()))
        return;
    m_config = config;
    m_transport->setServer(config.server, config.token, config.trustedFingerprint);
    close();
    m_failures = 0;
    m_lastSequence = -1;
    if (m_config.isComplete())
        open();
}

void NotifyChannel::setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max)
{
    m_initialDelay = std::max(initial, std::chrono::milliseconds(1));
    m_maxDelay = std::max(max, m_initialDelay);
}

void NotifyChannel::setKeepAlive(std::chrono::milliseconds interval)
{
    m_keepAlive.setInterval(interval);
    if (m_keepAlive.isActive())
        m_keepAlive.start();
}

void NotifyChannel::open()
{
    close();
    if (!m_config.isComplete())
        return;
    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    socket->setMaxAllowedIncomingFrameSize(quint64(kMaxIncoming));
    socket->setMaxAllowedIncomingMessageSize(quint64(kMaxIncoming));
    connect(socket, &QWebSocket::textMessageReceived, this, &NotifyChannel::onMessage);
    connect(socket, &QWebSocket::pong, this, [this] { m_heard.start(); });
    connect(socket, &QWebSocket::disconnected, this, &NotifyChannel::onDisconnected);
    // A refused handshake or connection may end in an error without a disconnect.
    connect(socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, socket] {
                if (socket->state() == QAbstractSocket::UnconnectedState)
                    onDisconnected();
            });
    TlsTrust::guard(socket, m_config.trustedFingerprint);
    m_socket = socket;
    const QNetworkRequest request = m_transport->webSocketRequest(notifyPath(m_config));
    // The keep-alive also bounds how long opening may take (a server that never answers).
    m_heard.start();
    m_keepAlive.start();
    socket->open(request);
}

void NotifyChannel::close()
{
    m_retry.stop();
    m_keepAlive.stop();
    if (QWebSocket *socket = m_socket.data()) {
        m_socket.clear();
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
    }
    setConnected(false);
}

void NotifyChannel::onMessage(const QString &message)
{
    m_heard.start();
    const QJsonObject object = QJsonDocument::fromJson(message.toUtf8()).object();
    const QJsonValue seq = object.value(QStringLiteral("seq"));
    // Types this version does not know are for newer clients; only a sequence matters here.
    if (!seq.isDouble() || seq.toDouble() < 0)
        return;
    if (!m_connected) {
        m_failures = 0;
        m_certificateError = {};
        ++m_connects;
        setConnected(true);
    }
    const qint64 value = seq.toInteger();
    m_lastSequence = std::max(m_lastSequence, value);
    Q_EMIT sequenceAnnounced(value);
}

void NotifyChannel::onDisconnected()
{
    QWebSocket *socket = m_socket.data();
    if (!socket)
        return; // already handled (an error and a disconnect can both report one drop)
    m_socket.clear();
    socket->disconnect(this);
    socket->deleteLater();
    m_keepAlive.stop();
    m_certificateError = TlsTrust::certificateError(socket).value_or(Error {});
    setConnected(false);
    if (!m_config.isComplete())
        return;
    // The delay doubles per failure in a row, up to the maximum, and is drawn at random from
    // its upper half, so clients that lost the same server at the same moment come back
    // spread out.
    const qint64 ceiling
        = std::min<qint64>(m_maxDelay.count(), m_initialDelay.count() << std::min(m_failures, 20));
    const qint64 delay = ceiling / 2 + QRandomGenerator::global()->bounded(ceiling / 2 + 1);
    ++m_failures;
    m_retry.start(std::chrono::milliseconds(delay));
}

void NotifyChannel::keepAlive()
{
    QWebSocket *socket = m_socket.data();
    if (!socket)
        return;
    if (m_heard.elapsed() > m_keepAlive.interval() * 5 / 2) {
        socket->abort();
        onDisconnected(); // in case the abort of a socket still opening reports nothing
        return;
    }
    if (m_connected)
        socket->ping();
}

void NotifyChannel::setConnected(bool connected)
{
    if (m_connected == connected)
        return;
    m_connected = connected;
    Q_EMIT connectedChanged(connected);
}

} // namespace Ferry
