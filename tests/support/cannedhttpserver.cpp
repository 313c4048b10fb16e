#include "cannedhttpserver.h"

#include <QTcpSocket>
#include <QTimer>

namespace FerryTest {

namespace {

quint32 crc32(const QByteArray &data)
{
    quint32 table[256];
    for (quint32 i = 0; i < 256; ++i) {
        quint32 c = i;
        for (int k = 0; k < 8; ++k)
            c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    quint32 crc = 0xffffffffu;
    for (const char byte : data)
        crc = table[(crc ^ quint8(byte)) & 0xff] ^ (crc >> 8);
    return crc ^ 0xffffffffu;
}

void appendLittleEndian(QByteArray &out, quint32 value)
{
    for (int i = 0; i < 4; ++i)
        out.append(char((value >> (8 * i)) & 0xff));
}

} // namespace

// qCompress's zlib stream (after its 4-byte length) holds deflate data between a 2-byte
// header and a 4-byte checksum; that goes into a gzip wrapper.
QByteArray gzip(const QByteArray &data)
{
    const QByteArray zlib = qCompress(data, 9);
    QByteArray out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff", 10);
    out.append(zlib.mid(4 + 2, zlib.size() - 4 - 2 - 4));
    appendLittleEndian(out, crc32(data));
    appendLittleEndian(out, quint32(data.size()));
    return out;
}

CannedHttpServer::CannedHttpServer()
{
    connect(&m_server, &QTcpServer::newConnection, this, [this] {
        while (QTcpSocket *socket = m_server.nextPendingConnection()) {
            socket->setParent(this);
            connect(socket, &QTcpSocket::readyRead, this, [this, socket] { serve(socket); });
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        }
    });
}

bool CannedHttpServer::listen()
{
    return m_server.listen(QHostAddress::LocalHost);
}

QUrl CannedHttpServer::url() const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
}

void CannedHttpServer::answer(const QByteArray &marker, const QList<Answer> &answers)
{
    for (auto &entry : m_answers) {
        if (entry.first == marker) {
            entry.second = answers;
            return;
        }
    }
    m_answers.append({marker, answers});
}

void CannedHttpServer::serve(QTcpSocket *socket)
{
    QByteArray &buffer = m_buffers[socket];
    buffer += socket->readAll();
    const qsizetype headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return;
    qsizetype length = 0;
    for (const QByteArray &line : buffer.left(headerEnd).split('\n')) {
        if (line.toLower().startsWith("content-length:"))
            length = line.mid(15).trimmed().toLongLong();
    }
    if (buffer.size() < headerEnd + 4 + length)
        return;
    const QByteArray firstLine = buffer.left(buffer.indexOf("\r\n"));
    m_buffers.remove(socket);
    m_requestLines.append(firstLine);
    Answer reply {404, "{\"code\":\"not_found\",\"message\":\"No such endpoint.\"}", {}};
    for (const auto &[marker, answers] : std::as_const(m_answers)) {
        if (!firstLine.contains(marker) || answers.isEmpty())
            continue;
        const int n = m_counts[marker]++;
        reply = answers.at(qMin<qsizetype>(n, answers.size() - 1));
        break;
    }
    write(socket, reply);
}

void CannedHttpServer::write(QTcpSocket *socket, const Answer &answer)
{
    const QByteArray head = "HTTP/1.1 " + QByteArray::number(answer.status)
        + " X\r\nContent-Type: application/json\r\nConnection: close\r\n" + answer.headers;
    const QByteArray length = "Content-Length: " + QByteArray::number(answer.body.size());
    switch (answer.mode) {
    case Mode::Whole:
        socket->write(head + length + "\r\n\r\n" + answer.body);
        socket->disconnectFromHost();
        break;
    case Mode::CloseMidAnswer:
        socket->write(head + length + "\r\n\r\n" + answer.body.left(answer.body.size() / 2));
        socket->disconnectFromHost();
        break;
    case Mode::Silent:
        break;
    case Mode::CutStatusLine:
        socket->write("HTTP/1.1 " + QByteArray::number(answer.status) + " O");
        socket->disconnectFromHost();
        break;
    case Mode::Trickle: {
        socket->write(head + "Content-Length: 1000000\r\n\r\n");
        auto *timer = new QTimer(socket);
        connect(timer, &QTimer::timeout, socket, [socket] { socket->write(" "); });
        timer->start(100);
        break;
    }
    case Mode::Endless: {
        socket->write(head + "\r\n" + answer.body);
        const QByteArray chunk(1 << 20, 'x');
        const auto more = [this, socket, chunk] {
            while (socket->state() == QAbstractSocket::ConnectedState
                   && socket->bytesToWrite() < 4 * chunk.size() && m_endlessBytes < kEndlessCap)
                m_endlessBytes += socket->write(chunk);
        };
        connect(socket, &QTcpSocket::bytesWritten, socket, more);
        more();
        break;
    }
    }
}

} // namespace FerryTest
