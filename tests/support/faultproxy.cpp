#include "faultproxy.h"

namespace FerryTest {

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

void FaultProxy::dropConnections()
{
    const QList<QTcpSocket *> clients
        = m_server.findChildren<QTcpSocket *>(Qt::FindDirectChildrenOnly);
    for (QTcpSocket *client : clients)
        client->abort();
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        auto *upstream = new QTcpSocket(client);
        auto dropNextResponse = std::make_shared<bool>(false);
        auto pending = std::make_shared<QByteArray>();
        auto closeBoth = [client, upstream] {
            upstream->abort();
            client->abort();
            client->deleteLater();
        };
        connect(client, &QTcpSocket::readyRead, this, [=, this] {
            const QByteArray data = client->readAll();
            const bool startsRequest = data.startsWith("GET ") || data.startsWith("POST ")
                || data.startsWith("PUT ") || data.startsWith("DELETE ");
            if (startsRequest && !m_marker.isEmpty()
                && data.left(data.indexOf('\n')).contains(m_marker)) {
                ++m_matched;
                if (m_matched > m_pass && m_matched <= m_pass + m_count) {
                    ++m_faulted;
                    if (m_fault == Fault::RefuseRequest) {
                        closeBoth();
                        return;
                    }
                    *dropNextResponse = true;
                }
            }
            if (upstream->state() == QAbstractSocket::ConnectedState)
                upstream->write(data);
            else
                pending->append(data);
        });
        connect(upstream, &QTcpSocket::connected, this, [=] {
            upstream->write(*pending);
            pending->clear();
        });
        connect(upstream, &QTcpSocket::readyRead, this, [=] {
            const QByteArray data = upstream->readAll();
            if (*dropNextResponse) {
                closeBoth(); // the server did the work; the client never hears of it
                return;
            }
            client->write(data);
        });
        connect(upstream, &QTcpSocket::disconnected, client,
                [client] { client->disconnectFromHost(); });
        connect(client, &QTcpSocket::disconnected, this, [client, upstream] {
            upstream->disconnectFromHost();
            client->deleteLater();
        });
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }
}

} // namespace FerryTest
