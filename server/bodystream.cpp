#include "bodystream.h"

#include <QIODevice>
#include <QTcpSocket>

#include <cstdio>

namespace FerryServer {

void BodyStream::start(QTcpSocket *socket, std::shared_ptr<QIODevice> source, qint64 length)
{
    if (length <= 0)
        return;
    auto *stream = new BodyStream(socket, std::move(source), length);
    stream->pump();
}

bool BodyStream::isSending(const QTcpSocket *socket)
{
    return socket->findChild<BodyStream *>(QString(), Qt::FindDirectChildrenOnly) != nullptr;
}

BodyStream::BodyStream(QTcpSocket *socket, std::shared_ptr<QIODevice> source, qint64 length)
    : QObject(socket)
    , m_socket(socket)
    , m_source(std::move(source))
    , m_left(length)
{
    connect(socket, &QIODevice::bytesWritten, this, &BodyStream::pump);
}

void BodyStream::pump()
{
    QByteArray chunk;
    while (m_left > 0 && m_socket->bytesToWrite() < kAhead) {
        chunk.resize(std::min(kChunk, m_left));
        const qint64 read = m_source->read(chunk.data(), chunk.size());
        if (read <= 0) {
            std::fprintf(stderr,
                         "ferry-server: reading an answer's body failed (%s); the "
                         "connection is closed with %lld bytes unsent\n",
                         qPrintable(m_source->errorString()), qlonglong(m_left));
            m_socket->abort();
            deleteLater();
            return;
        }
        m_socket->write(chunk.constData(), read);
        m_left -= read;
    }
    if (m_left == 0) {
        // Ended: later requests on this connection are answered as usual.
        disconnect(m_socket, nullptr, this, nullptr);
        setParent(nullptr);
        deleteLater();
    }
}

} // namespace FerryServer
