#include "faultproxy.h"

#include <QHash>
#include <QTimer>

#include <memory>
#include <optional>

namespace FerryTest {

// One client connection and its connection to the server, with what is being done to the
// answer in flight.
struct FaultProxy::Link
{
    QPointer<QTcpSocket> client;
    QPointer<QTcpSocket> upstream;
    QByteArray pendingRequest; // written once the upstream connection is up
    bool dropNextResponse = false; // setFault(DropResponse)

    Chaos chaos = Chaos::None;
    qint64 answered = 0; // bytes of this answer passed on (or dropped)
    qint64 cut = -1; // Truncate, Reset: bytes after which the connection ends
    qint64 cutAfterHeaders = 1; // cut == -2: the body's bytes that go through
    QByteArray held; // Delay, Throttle: bytes waiting to be passed on
    QTimer *timer = nullptr;
    bool released = false; // Delay: the wait is over

    void close()
    {
        if (upstream)
            upstream->abort();
        if (client) {
            client->abort();
            client->deleteLater();
        }
    }
};

namespace {

QByteArray errorAnswer(int status, const char *reason)
{
    const QByteArray body("{\"code\":\"unavailable\",\"message\":\"The server is not available "
                          "right now (test proxy).\"}");
    return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason
        + "\r\nContent-Type: application/json\r\nContent-Length: " + QByteArray::number(body.size())
        + "\r\nConnection: close\r\n\r\n" + body;
}

bool startsRequest(const QByteArray &data)
{
    return data.startsWith("GET ") || data.startsWith("POST ") || data.startsWith("PUT ")
        || data.startsWith("DELETE ");
}

} // namespace

FaultProxy::FaultProxy(quint16 targetPort, QObject *parent)
    : QObject(parent)
    , m_targetPort(targetPort)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
}

bool FaultProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

QUrl FaultProxy::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
}

void FaultProxy::setFault(const QByteArray &marker, Fault fault, int pass, int count)
{
    m_marker = marker;
    m_fault = fault;
    m_pass = pass;
    m_count = count;
    m_matched = 0;
    m_faulted = 0;
}

void FaultProxy::setChaos(quint32 seed, int percent)
{
    m_random.seed(seed);
    m_chaosPercent = percent;
    m_marker.clear();
}

void FaultProxy::dropConnections()
{
    const QList<QTcpSocket *> clients
        = m_server.findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    for (QTcpSocket *client : clients)
        client->abort();
}

void FaultProxy::startChaos(const std::shared_ptr<Link> &link)
{
    link->chaos = Chaos::None;
    link->answered = 0;
    link->cut = -1;
    link->held.clear();
    link->released = false;
    if (m_chaosPercent <= 0 || int(m_random.bounded(100)) >= m_chaosPercent)
        return;
    link->chaos = Chaos(1 + m_random.bounded(int(Chaos::Drop)));
    ++m_chaosCounts[link->chaos];
    switch (link->chaos) {
    case Chaos::Truncate:
    case Chaos::Reset:
        // Somewhere in the headers or the body: answers here are a few hundred bytes to
        // some MiB.
        link->cut = m_random.bounded(2) ? m_random.bounded(400) : m_random.bounded(40000);
        break;
    case Chaos::Delay: {
        const int ms = m_random.bounded(40);
        QTimer::singleShot(ms, link->client, [this, link] {
            link->released = true;
            pump(link);
        });
        break;
    }
    default:
        break;
    }
}

void FaultProxy::pump(const std::shared_ptr<Link> &link)
{
    if (!link->client || link->held.isEmpty())
        return;
    if (link->chaos == Chaos::Delay) {
        if (link->released)
            link->client->write(std::exchange(link->held, {}));
        return;
    }
    // Throttle: 4 KiB a millisecond or two, about 2-4 MB/s.
    link->client->write(link->held.left(4096));
    link->held.remove(0, 4096);
    if (!link->held.isEmpty() && !link->timer->isActive())
        link->timer->start();
}

void FaultProxy::forwardAnswer(const std::shared_ptr<Link> &link, const QByteArray &data)
{
    if (!link->client)
        return;
    switch (link->chaos) {
    case Chaos::None:
    case Chaos::Unavailable:
        link->client->write(data);
        return;
    case Chaos::Drop:
        link->close();
        return;
    case Chaos::BadGateway:
        if (link->answered == 0)
            link->client->write(errorAnswer(502, "Bad Gateway"));
        link->answered += data.size();
        link->client->disconnectFromHost();
        if (link->upstream)
            link->upstream->abort();
        return;
    case Chaos::Truncate:
    case Chaos::Reset: {
        if (link->cut == -2) {
            const qsizetype headers = data.indexOf("\r\n\r\n");
            link->cut = headers >= 0 ? headers + 4 + link->cutAfterHeaders : data.size() / 2;
        }
        const qint64 room = link->cut - link->answered;
        if (room >= data.size()) {
            link->client->write(data);
            link->answered += data.size();
            return;
        }
        link->client->write(data.left(room));
        link->answered = link->cut;
        if (link->upstream)
            link->upstream->abort();
        if (link->chaos == Chaos::Truncate) {
            link->client->disconnectFromHost();
        } else {
            link->client->flush();
            link->client->abort();
            link->client->deleteLater();
        }
        return;
    }
    case Chaos::Delay:
    case Chaos::Throttle:
        link->held.append(data);
        pump(link);
        return;
    }
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto link = std::make_shared<Link>();
        link->client = client;
        link->upstream = new QTcpSocket(client);
        link->timer = new QTimer(client);
        link->timer->setInterval(1);
        link->timer->setSingleShot(true);
        connect(link->timer, &QTimer::timeout, this, [this, link] { pump(link); });
        QTcpSocket *upstream = link->upstream;
        connect(client, &QTcpSocket::readyRead, this, [this, link, client, upstream] {
            const QByteArray data = client->readAll();
            if (startsRequest(data)) {
                std::optional<Fault> fault;
                if (!m_marker.isEmpty() && data.left(data.indexOf('\n')).contains(m_marker)) {
                    ++m_matched;
                    if (m_matched > m_pass && m_matched <= m_pass + m_count) {
                        ++m_faulted;
                        fault = m_fault;
                    }
                }
                if (fault == Fault::RefuseRequest) {
                    link->close();
                    return;
                }
                startChaos(link);
                if (fault == Fault::DropResponse)
                    link->dropNextResponse = true;
                if (fault == Fault::SlowResponse)
                    link->chaos = Chaos::Throttle;
                if (fault == Fault::CutResponse) {
                    link->chaos = Chaos::Truncate;
                    link->cut = -2; // just past the headers, once they are seen
                    link->cutAfterHeaders = m_cutAfter;
                }
                if (link->chaos == Chaos::Unavailable) {
                    // The request never reaches the server.
                    client->write(errorAnswer(503, "Service Unavailable"));
                    client->disconnectFromHost();
                    upstream->abort();
                    return;
                }
            }
            if (upstream->state() == QAbstractSocket::ConnectedState)
                upstream->write(data);
            else
                link->pendingRequest.append(data);
        });
        connect(upstream, &QTcpSocket::connected, this,
                [link, upstream] { upstream->write(std::exchange(link->pendingRequest, {})); });
        connect(upstream, &QTcpSocket::readyRead, this, [this, link, upstream] {
            const QByteArray data = upstream->readAll();
            if (link->dropNextResponse) {
                link->close(); // the server did the work; the client never hears of it
                return;
            }
            forwardAnswer(link, data);
        });
        connect(upstream, &QTcpSocket::disconnected, client, [link, client] {
            // Held bytes go first; a throttled answer ends when its last byte is out.
            if (link->held.isEmpty())
                client->disconnectFromHost();
            else
                QObject::connect(client, &QTcpSocket::bytesWritten, client, [link, client] {
                    if (link->held.isEmpty() && client->bytesToWrite() == 0)
                        client->disconnectFromHost();
                });
        });
        connect(client, &QTcpSocket::disconnected, this, [client, upstream] {
            upstream->disconnectFromHost();
            client->deleteLater();
        });
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

} // namespace FerryTest
