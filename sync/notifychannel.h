#pragma once

#include "syncengine.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>

#include <chrono>

class QWebSocket;

namespace Ferry {

class Transport;

// Live updates: keeps one WebSocket open to the server's notify endpoint for the configured
// server, workspace and token (docs/protocol.md, "Notify") and says which sequence the
// workspace has reached whenever the server tells. When the socket drops or cannot be
// opened it tries again with exponential backoff and jitter, so a restarted server is not
// met by every client at once; it pings the server so a connection that died silently is
// noticed. It never syncs itself: its owner decides (SyncScheduler, ferry-cli watch).
// Create and use it on one thread; it needs that thread's event loop.
class NotifyChannel : public QObject
{
    Q_OBJECT

public:
    explicit NotifyChannel(QObject *parent = nullptr);
    ~NotifyChannel() override;

    // Connects to the workspace of `config`, closing any earlier socket; an incomplete
    // config only closes.
    void setConfig(const SyncConfig &config);
    // The first retry waits about `initial`, each further one twice as long, up to `max`.
    void setBackoff(std::chrono::milliseconds initial, std::chrono::milliseconds max);
    // The server is pinged this often; silence for two intervals and a half drops the socket.
    void setKeepAlive(std::chrono::milliseconds interval);

    // True from the server's first message until the socket drops.
    bool isConnected() const { return m_connected; }
    // The latest sequence the server announced, -1 before any.
    qint64 lastSequence() const { return m_lastSequence; }
    // How many times a socket was opened and greeted by the server.
    int connectCount() const { return m_connects; }
    // Why the latest attempt failed when the server's certificate was refused (code
    // "certificate", sync/tlstrust.h); empty code otherwise. Retries go on regardless: the
    // sync engine reports the same refusal to the person.
    Error certificateError() const { return m_certificateError; }

    // ws:// or wss:// for the notify endpoint of `config`'s server and workspace.
    static QUrl notifyUrl(const SyncConfig &config);
    static QString notifyPath(const SyncConfig &config);

Q_SIGNALS:
    // The server reports that the workspace's sequence is `seq`: on connect, and after each
    // push that advanced it.
    void sequenceAnnounced(qint64 seq);
    void connectedChanged(bool connected);

private:
    void open();
    void close();
    void onMessage(const QString &message);
    void onDisconnected();
    void keepAlive();
    void setConnected(bool connected);

    SyncConfig m_config;
    Transport *m_transport; // builds the handshake's request as every other request is built
    QPointer<QWebSocket> m_socket;
    QTimer m_retry;
    QTimer m_keepAlive;
    QElapsedTimer m_heard; // since the last frame from the server
    std::chrono::milliseconds m_initialDelay {500};
    std::chrono::milliseconds m_maxDelay {60000};
    int m_failures = 0; // attempts in a row that did not reach the server's greeting
    bool m_connected = false;
    qint64 m_lastSequence = -1;
    int m_connects = 0;
    Error m_certificateError;
};

} // namespace Ferry
