#pragma once

#include <QMap>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <memory>

namespace FerryTest {

// A TCP proxy in front of a server that can lose things on purpose: the answer to a request
// (the server did the work, the client never hears of it), or the request itself. Requests
// are told apart by a marker in their first line, e.g. "/push". Lives on the test's thread.
class FaultProxy : public QObject
{
    Q_OBJECT

public:
    // CutResponse: the answer's headers and its first byte arrive, then the connection ends.
    // SlowResponse: the whole answer arrives, a few MB a second (a slow line).
    enum class Fault { DropResponse, RefuseRequest, CutResponse, SlowResponse };

    explicit FaultProxy(quint16 targetPort, QObject *parent = nullptr);
    bool listen();
    QUrl url() const;

    // The first `pass` matching requests go through; the next `count` get `fault`; later
    // ones go through again.
    void setFault(const QByteArray &marker, Fault fault, int pass, int count);
    // How many bytes of the body a CutResponse lets through (default 1).
    void setCutAfter(qint64 bytes) { m_cutAfter = bytes; }
    int matched() const { return m_matched; }
    // Cuts every connection open through the proxy now, as a failing network would.
    void dropConnections();
    int faulted() const { return m_faulted; }

    // What a bad network or a struggling server does to an answer, for setChaos().
    enum class Chaos {
        None,
        Delay, // the answer starts late (up to 40 ms)
        Throttle, // the answer comes slowly, a few KiB at a time
        Truncate, // the connection ends cleanly in the middle of the answer
        Reset, // the connection is reset in the middle of the answer
        Unavailable, // 503 before the request reaches the server
        BadGateway, // the server did the work, the client gets 502
        Drop, // the server did the work, the connection closes without an answer
    };
    // From now on, `percent` of the requests (picked with a generator seeded by `seed`)
    // meet one of the Chaos faults, chosen at random. 0 turns it off. Replaces setFault().
    void setChaos(quint32 seed, int percent);
    // How many requests met each kind of fault so far.
    QMap<Chaos, int> chaosCounts() const { return m_chaosCounts; }

private:
    struct Link;
    void onNewConnection();
    void startChaos(const std::shared_ptr<Link> &link);
    void forwardAnswer(const std::shared_ptr<Link> &link, const QByteArray &data);
    void pump(const std::shared_ptr<Link> &link);

    QTcpServer m_server;
    quint16 m_targetPort;
    QByteArray m_marker;
    Fault m_fault = Fault::DropResponse;
    int m_pass = 0;
    int m_count = 0;
    qint64 m_cutAfter = 1;
    int m_matched = 0;
    int m_faulted = 0;
    int m_chaosPercent = 0;
    QRandomGenerator m_random;
    QMap<Chaos, int> m_chaosCounts;
};

} // namespace FerryTest
