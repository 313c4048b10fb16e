#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <utility>

class QIODevice;

namespace Ferry {

// Every request a client makes to a Ferry server goes through one Transport: the sync cycle,
// the account calls, blob uploads and downloads, and the notify socket's handshake. It knows
// the server, the token and the one certificate trusted beyond the system's CAs, and builds
// each request the same way (URL under the server's path, bearer token, timeouts, TLS trust,
// a cap on how much of an answer is read), and reads each failure the same way
// (error()). The network access manager can be replaced (tests). Use on one thread.
class Transport : public QObject
{
    Q_OBJECT

public:
    explicit Transport(QObject *parent = nullptr);

    // Where requests go and as whom; a token may be empty (registering, signing in). A change
    // of trust drops connections opened under the old one.
    void setServer(const QUrl &server, const QString &token = {},
                   const QString &trustedFingerprint = {});
    QUrl server() const { return m_server; }
    QString token() const { return m_token; }
    QString trustedFingerprint() const { return m_trusted; }
    // Replaces the network access manager; Transport does not own one set here.
    void setNetworkAccessManager(QNetworkAccessManager *manager);
    QNetworkAccessManager *networkAccessManager() const { return m_network; }

    struct Call
    {
        QByteArray method = "GET";
        QString path; // under the server's path, each part percent-encoded; may end in "?query"
        QByteArray body; // the body, unless `upload` is set
        QIODevice *upload = nullptr; // streamed as the body (open, positioned; not owned)
        QByteArray contentType = "application/json";
        QList<std::pair<QByteArray, QByteArray>> headers; // e.g. Range, Content-Range
        int idleTimeoutMs = 60 * 1000; // nothing received for this long: "timeout"
        qint64 maxAnswerBytes = 0; // past this the answer is not read on (error() says so); 0: none
    };
    QNetworkReply *send(const Call &call);

    // The URL of `path` (as in Call::path) on `server`, or on this transport's server.
    static QUrl url(const QUrl &server, const QString &path);
    QUrl url(const QString &path) const { return url(m_server, path); }
    // A request for `path` with the token.
    QNetworkRequest request(const QString &path) const;
    // The same for a WebSocket (ws: or wss:, as the server is http: or https:): what the
    // notify socket opens with, after TlsTrust::guard() on the socket with
    // trustedFingerprint().
    QNetworkRequest webSocketRequest(const QString &path) const;
    static QUrl webSocketUrl(const QUrl &server, const QString &path);

    // True if `reply` (finished) brought a whole answer with a 2xx status to read.
    static bool succeeded(const QNetworkReply *reply);
    // Why a finished `reply` that did not succeed failed, as a sentence naming the server;
    // `transient`: worth trying again (the network's or a busy server's doing).
    Error error(QNetworkReply *reply, bool *transient) const;

private:
    QUrl m_server;
    QString m_token;
    QString m_trusted;
    QPointer<QNetworkAccessManager> m_network;
};

} // namespace Ferry
