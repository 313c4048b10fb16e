#include "requestguard.h"

#include "apiserver.h"

#include <QTcpSocket>
#include <QTimer>

namespace FerryServer {

namespace {

// After a refusal the connection stays open this long, its incoming bytes thrown away, so
// that closing it does not reset the connection before the client has read the answer.
constexpr int kLingerMs = 1000;

QByteArray headerValue(const QList<QByteArray> &lines, QByteArrayView name)
{
    for (QByteArrayView line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0 && line.first(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.sliced(colon + 1).trimmed().toByteArray().toLower();
    }
    return {};
}

} // namespace

RequestGuard *RequestGuard::watch(QTcpSocket *socket, const Limits &limits)
{
    return new RequestGuard(socket, limits);
}

RequestGuard::RequestGuard(QTcpSocket *socket, const Limits &limits)
    : QObject(socket)
    , m_socket(socket)
    , m_limits(limits)
    , m_headTimer(new QTimer(this))
    , m_idleTimer(new QTimer(this))
{
    m_headTimer->setSingleShot(true);
    m_headTimer->setInterval(m_limits.headTimeout);
    connect(m_headTimer, &QTimer::timeout, this, [this] {
        refuse(408, "Request Timeout", QStringLiteral("request_timeout"),
               QStringLiteral("The request's head did not arrive whole within %1 ms.")
                   .arg(m_limits.headTimeout.count()));
    });
    m_idleTimer->setSingleShot(true);
    m_idleTimer->setInterval(m_limits.idleTimeout);
    connect(m_idleTimer, &QTimer::timeout, this, &RequestGuard::idleTimedOut);
    m_idleTimer->start();
    connect(m_socket, &QIODevice::readyRead, this, &RequestGuard::beforeServer);
    connect(m_socket, &QIODevice::bytesWritten, m_idleTimer, qOverload<>(&QTimer::start));
}

void RequestGuard::serverHasIt()
{
    if (m_state != State::Aside)
        connect(m_socket, &QIODevice::readyRead, this, &RequestGuard::afterServer);
}

void RequestGuard::beforeServer()
{
    if (m_state == State::Aside)
        return;
    const qint64 available = m_socket->bytesAvailable();
    const qint64 fresh = available - m_left;
    m_left = available;
    if (fresh <= 0)
        return; // the HTTP server's own call again, for what it left
    m_idleTimer->start();
    if (m_state == State::Refused) {
        m_socket->skip(available);
        if (m_socket->isTransactionStarted())
            m_socket->commitTransaction();
        m_left = 0;
        return;
    }
    if (m_state == State::Body && m_bodyLeft >= fresh) {
        m_bodyLeft -= fresh;
        if (m_bodyLeft == 0)
            m_state = State::Head;
        return;
    }
    const QByteArray buffered = m_socket->peek(available);
    follow(QByteArrayView(buffered).sliced(buffered.size() - fresh));
}

void RequestGuard::afterServer()
{
    if (m_state == State::Head || m_state == State::Body)
        m_left = m_socket->bytesAvailable();
}

bool RequestGuard::follow(QByteArrayView data)
{
    while (!data.isEmpty()) {
        if (m_state != State::Head && m_state != State::Body)
            return false;
        if (m_state == State::Body) {
            const qint64 taken = std::min<qint64>(m_bodyLeft, data.size());
            m_bodyLeft -= taken;
            data = data.sliced(taken);
            if (m_bodyLeft == 0)
                m_state = State::Head;
            continue;
        }
        if (m_head.isEmpty())
            m_headTimer->start();
        // Qt's server ends a head at an empty line, "\n\r\n" or "\n\n".
        const qsizetype before = m_head.size();
        const qsizetype room = m_limits.maxHead + 1 - before;
        m_head.append(data.first(std::min<qsizetype>(room, data.size())));
        const qsizetype from = std::max<qsizetype>(0, before - 2);
        const qsizetype crlf = m_head.indexOf("\n\r\n", from);
        const qsizetype lf = m_head.indexOf("\n\n", from);
        qsizetype end = -1;
        if (crlf >= 0 && (lf < 0 || crlf < lf))
            end = crlf + 3;
        else if (lf >= 0)
            end = lf + 2;
        if (end < 0 || end > m_limits.maxHead) {
            if (m_head.size() > m_limits.maxHead || end > m_limits.maxHead) {
                refuse(431, "Request Header Fields Too Large", QStringLiteral("header_too_large"),
                       QStringLiteral("The request's line and headers are larger than this "
                                      "server accepts (%1 bytes).")
                           .arg(m_limits.maxHead));
                return false;
            }
            return true; // the rest of the head is still to come
        }
        data = data.sliced(end - before);
        m_head.truncate(end);
        if (!headEnded())
            return false;
    }
    return true;
}

bool RequestGuard::headEnded()
{
    m_headTimer->stop();
    QList<QByteArray> lines = std::exchange(m_head, {}).split('\n');
    if (!lines.isEmpty())
        lines.removeFirst(); // the request line
    if (headerValue(lines, "transfer-encoding").contains("chunked")) {
        refuse(411, "Length Required", QStringLiteral("length_required"),
               QStringLiteral("A request body needs a Content-Length; this server does not take "
                              "bodies sent in chunks."));
        return false;
    }
    if (headerValue(lines, "connection").contains("upgrade")
        && headerValue(lines, "upgrade") == "websocket") {
        stepAside();
        return false;
    }
    bool numeric = false;
    const qint64 length = headerValue(lines, "content-length").toLongLong(&numeric);
    if (numeric && m_limits.maxBody > 0 && length > m_limits.maxBody) {
        refuse(413, "Content Too Large", QStringLiteral("too_large"),
               QStringLiteral("The body is larger than this server accepts (%1 bytes).")
                   .arg(m_limits.maxBody));
        return false;
    }
    if (numeric && length > 0) {
        m_state = State::Body;
        m_bodyLeft = length;
    }
    return true;
}

void RequestGuard::refuse(int status, const QByteArray &reason, const QString &code,
                          const QString &message)
{
    m_state = State::Refused;
    m_headTimer->stop();
    m_head.clear();
    // Nothing more reaches the HTTP server: what came is thrown away, and the socket's
    // transaction (the server's, holding what it read of this request) is let go.
    m_socket->skip(m_socket->bytesAvailable());
    if (m_socket->isTransactionStarted())
        m_socket->commitTransaction();
    m_left = 0;
    if (m_socket->bytesToWrite() > 0) {
        // An answer to an earlier request is still going out: no room for this one.
        m_socket->abort();
        return;
    }
    const QByteArray body = ApiServer::error(code, message).body;
    m_socket->write("HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
                    + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + QByteArray::number(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
    QTimer::singleShot(kLingerMs, m_socket, [socket = m_socket] { socket->disconnectFromHost(); });
}

void RequestGuard::stepAside()
{
    m_state = State::Aside;
    m_headTimer->stop();
    m_idleTimer->stop();
    disconnect(m_socket, nullptr, this, nullptr);
    disconnect(m_socket, nullptr, m_idleTimer, nullptr);
}

void RequestGuard::idleTimedOut()
{
    if (m_state == State::Aside || m_state == State::Refused)
        return;
    if (m_socket->bytesToWrite() > 0) {
        m_idleTimer->start(); // an answer is still going out
        return;
    }
    m_socket->disconnectFromHost();
}

} // namespace FerryServer
