#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QMultiHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

class QTcpSocket;
class QWebSocket;

namespace FerryServer {

// The notify sockets of docs/protocol.md ("Notify"): tells every socket of a workspace the
// workspace's sequence when it connects and whenever a push advances it, pings them so dead
// peers are dropped, caps how many one user may hold, and bounds what clients may send (they
// have nothing to say). ApiServer authorises each upgrade over plain HTTP first (expect()),
// then hands over the socket once Qt's WebSocket handshake on it is done (adopt()).
// Single-threaded: the server thread.
class NotifyHub : public QObject
{
    Q_OBJECT

public:
    static constexpr int kMaxSocketsPerUser = 32;
    static constexpr qint64 kMaxIncomingMessage = 1024;

    using SequenceLookup = std::function<qint64(const QString &workspace)>;
    explicit NotifyHub(SequenceLookup sequenceOf, QObject *parent = nullptr);
    ~NotifyHub() override;

    // Sockets are pinged this often; one silent for two intervals and a half is dropped.
    void setPingInterval(std::chrono::milliseconds interval);
    // Asked for every open socket at each ping: whether its device may still read its
    // workspace. Catches access ended outside this process (an admin command revoking a
    // token); access ended through the API closes sockets at once (closeMember(),
    // closeDevice()).
    using AccessCheck
        = std::function<bool(const QString &user, const QString &workspace, const QString &device)>;
    void setAccessCheck(AccessCheck check) { m_stillAllowed = std::move(check); }

    // Whether `user` may open one more socket (counting upgrades under way).
    bool hasRoomFor(const QString &user);
    // `socket` is about to become a notify socket of `workspace` for `user` signed in as
    // `device` (the token's id).
    void expect(QTcpSocket *socket, const QString &user, const QString &workspace,
                const QString &device);
    // A socket whose handshake Qt completed; one that was not expected is closed.
    void adopt(std::unique_ptr<QWebSocket> socket);
    // A push advanced the workspace's sequence to `seq`.
    void committed(const QString &workspace, qint64 seq);
    // Access ended: closes (code 1008) the sockets the user holds on the workspace, or every
    // socket of a revoked device, so no announcement reaches them after that.
    void closeMember(const QString &workspace, const QString &user);
    void closeDevice(const QString &device);

    int socketCount() const { return int(m_sockets.size()); }

private:
    struct Peer
    {
        QString user;
        QString workspace;
        QString device;
        qint64 heardAt = 0; // m_clock time of the last frame from the peer
    };
    struct Expected
    {
        QPointer<QTcpSocket> socket;
        QString user;
        QString workspace;
        QString device;
        qint64 since = 0; // m_clock time of expect()
    };

    // Gives the place back; returns the entry after it.
    QHash<QString, Expected>::iterator forgetExpected(QHash<QString, Expected>::iterator expected);
    void forgetFailedUpgrades();
    void drop(QWebSocket *socket);
    void closeWhere(const std::function<bool(const Peer &)> &which);
    void pingAll();
    void send(QWebSocket *socket, const char *type, qint64 seq);

    SequenceLookup m_sequenceOf;
    AccessCheck m_stillAllowed;
    QHash<QString, Expected> m_expected; // by peer "address port"
    QHash<QWebSocket *, Peer> m_sockets;
    QMultiHash<QString, QWebSocket *> m_byWorkspace;
    QHash<QString, int> m_perUser; // open and expected sockets
    QTimer m_ping;
    QElapsedTimer m_clock;
};

} // namespace FerryServer
