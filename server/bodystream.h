#pragma once

#include <QObject>

#include <memory>

class QIODevice;
class QTcpSocket;

namespace FerryServer {

// Writes a body read from a device (a blob's file) to a connection as fast as the connection
// takes it: at most kAhead bytes wait in the socket, so a large answer is never held whole
// and a slow client costs the server no more memory than a fast one. Lives as long as the
// body is going out, as a child of the socket, so it ends with the connection. A read that
// fails midway aborts the connection: the client sees a short answer, never wrong bytes.
class BodyStream : public QObject
{
    Q_OBJECT

public:
    static constexpr qint64 kAhead = 1024 * 1024;
    static constexpr qint64 kChunk = 256 * 1024;

    // Starts sending `length` bytes of `source` (open, at the first byte) on `socket`, whose
    // head has been written.
    static void start(QTcpSocket *socket, std::shared_ptr<QIODevice> source, qint64 length);
    // Whether a body is still going out on `socket`.
    static bool isSending(const QTcpSocket *socket);

private:
    BodyStream(QTcpSocket *socket, std::shared_ptr<QIODevice> source, qint64 length);
    void pump();

    QTcpSocket *m_socket;
    std::shared_ptr<QIODevice> m_source;
    qint64 m_left;
};

} // namespace FerryServer
