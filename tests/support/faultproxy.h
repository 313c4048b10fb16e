#pragma once

#include <QObject>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

namespace FerryTest {

// A TCP proxy in front of a server that can lose things on purpose: the answer to a request
// (the server did the work, the client never hears of it), or the request itself. Requests
// are told apart by a marker in their first line, e.g. "/push". Lives on the test's thread.
class FaultProxy : public QObject
{
    Q_OBJECT

public:
    enum class Fault { DropResponse, RefuseRequest };

    explicit FaultProxy(quint16 targetPort, QObject *parent = nullptr);
    bool listen();
    QUrl url() const;

    // The first `pass` matching requests go through; the next `count` get `fault`; later
    // ones go through again.
    void setFault(const QByteArray &marker, Fault fault, int pass, int count);
    int matched() const { return m_matched; }
    // Cuts every connection open through the proxy now, as a failing network would.
    void dropConnections();
    int faulted() const { return m_faulted; }

private:
    void onNewConnection();

    QTcpServer m_server;
    quint16 m_targetPort;
    QByteArray m_marker;
    Fault m_fault = Fault::DropResponse;
    int m_pass = 0;
    int m_count = 0;
    int m_matched = 0;
    int m_faulted = 0;
};

} // namespace FerryTest
