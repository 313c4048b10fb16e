#pragma once

#include <QByteArray>
#include <QObject>

#include <chrono>

class QTcpSocket;
class QTimer;

namespace FerryServer {

// Bounds what a client may send before the HTTP server has a request to hand to a handler.
// Qt 6.4's HTTP server keeps every byte of a request head it is reading, twice (its own copy
// and the socket's transaction), with no limit and no deadline: a 128 MiB head took 260 MB
// before any authentication, and a client trickling a head kept its connection for ever.
//
// One guard watches each connection, ahead of the HTTP server on the socket's readyRead, and
// follows the same byte stream: a request head over `maxHead` bytes is answered 431, a head
// not whole `headTimeout` after its first byte 408, a body declared larger than `maxBody`
// 413 and one sent in chunks 411 (the body must be counted to find the next head), each
// before the HTTP server reads those bytes; the connection then closes. A connection with no
// byte in either direction for `idleTimeout` closes. After a WebSocket upgrade the socket is
// the WebSocket server's and the guard steps aside.
class RequestGuard : public QObject
{
    Q_OBJECT

public:
    struct Limits
    {
        qint64 maxHead = 64 * 1024;
        qint64 maxBody = 0; // 0: no limit here
        std::chrono::milliseconds headTimeout {20000};
        std::chrono::milliseconds idleTimeout {75000};
    };

    // Starts watching `socket` (the guard is its child). Call before the HTTP server takes
    // the socket, then serverHasIt() once it has: the guard must read the stream both
    // before and after the server does.
    static RequestGuard *watch(QTcpSocket *socket, const Limits &limits);
    void serverHasIt();

private:
    RequestGuard(QTcpSocket *socket, const Limits &limits);

    void beforeServer();
    void afterServer();
    // Follows `data`, the bytes that came after those already followed; false once refused.
    bool follow(QByteArrayView data);
    bool headEnded();
    void refuse(int status, const QByteArray &reason, const QString &code, const QString &message);
    void stepAside();
    void idleTimedOut();

    QTcpSocket *m_socket;
    Limits m_limits;
    QTimer *m_headTimer;
    QTimer *m_idleTimer;
    enum class State { Head, Body, Refused, Aside } m_state = State::Head;
    QByteArray m_head; // the head being received
    qint64 m_bodyLeft = 0;
    qint64 m_left = 0; // bytes the HTTP server left unread after its last turn
};

} // namespace FerryServer
