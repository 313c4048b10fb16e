#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QTcpServer>
#include <QUrl>

class QTcpSocket;

namespace FerryTest {

// A server that answers whatever a test wants, for clients facing a broken or hostile server:
// every request whose first line contains a marker gets that marker's next canned answer
// (the last one repeats), others a 404 in the protocol's error shape. One request per
// connection; it remembers each request's first line. Lives on the test's thread.
class CannedHttpServer : public QObject
{
public:
    enum class Mode {
        Whole, // the status, headers and body, then it hangs up
        CloseMidAnswer, // the headers and half the body, then it hangs up
        Silent, // reads the request, never answers
        Trickle, // the headers, then one byte of body every 100 ms, without end
        Endless, // status 200, the body, then 1 MiB after 1 MiB of 'x' without a length,
                 // until the client hangs up or kEndlessCap bytes went out
        CutStatusLine, // "HTTP/1.1 <status> O" and hangs up, in the middle of the status line
    };
    struct Answer
    {
        Answer(int status_ = 200, const QByteArray &body_ = {}, const QByteArray &headers_ = {},
               Mode mode_ = Mode::Whole)
            : status(status_)
            , body(body_)
            , headers(headers_)
            , mode(mode_)
        { }

        int status;
        QByteArray body;
        QByteArray headers; // extra header lines, each ending in \r\n
        Mode mode;
    };
    static constexpr qint64 kEndlessCap = qint64(1) << 30;

    CannedHttpServer();

    bool listen();
    QUrl url() const;
    // Answers for requests whose first line contains `marker` (an empty marker: every one).
    void answer(const QByteArray &marker, const QList<Answer> &answers);
    // How many requests `marker`'s answers went to.
    int requests(const QByteArray &marker) const { return m_counts.value(marker); }
    // The first line of every request, in order.
    QList<QByteArray> requestLines() const { return m_requestLines; }
    // Bytes of Endless answers written so far.
    qint64 endlessBytes() const { return m_endlessBytes; }

private:
    void serve(QTcpSocket *socket);
    void write(QTcpSocket *socket, const Answer &answer);

    QTcpServer m_server;
    QList<QPair<QByteArray, QList<Answer>>> m_answers; // in the order given
    QHash<QByteArray, int> m_counts;
    QList<QByteArray> m_requestLines;
    QHash<QTcpSocket *, QByteArray> m_buffers;
    qint64 m_endlessBytes = 0;
};

// `data` as a gzip stream, for answers sent with Content-Encoding: gzip (a bomb: many zeros).
QByteArray gzip(const QByteArray &data);

} // namespace FerryTest
