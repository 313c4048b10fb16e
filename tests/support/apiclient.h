#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkRequest>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace FerryTest {

// One HTTP answer as a test sees it.
struct ApiResponse
{
    bool finished = false; // false if no answer came in time
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray allow;
    QByteArray retryAfter;
};

// An answer with its headers, for endpoints whose headers matter (attachments).
struct RawResponse : ApiResponse
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray header(const QByteArray &name) const; // case-insensitive; empty if absent
};

// A workspace's state as pull shows it, to prove that a refused request changed nothing.
struct WorkspaceSnapshot
{
    qint64 cursor = -1;
    QByteArray changes;
    bool operator==(const WorkspaceSnapshot &) const = default;
};

// The wire pieces of a push, built the way a device would send them.
QJsonObject mutation(const QString &guid, qint64 base, const QJsonObject &fields = {},
                     const QString &entity = QStringLiteral("Post"));
QJsonObject deletion(const QString &guid, qint64 base);
QJsonObject setOps(const QString &guid, qint64 base, const QString &field, const QStringList &add,
                   const QStringList &remove);
QByteArray batchBody(const QString &batch, const QJsonArray &mutations,
                     const QString &device = QStringLiteral("test-device"));
// The push result for the mutation at `index`.
QJsonObject result(const ApiResponse &response, int index = 0);

// Talks to a ferry-server's HTTP API for tests, one request at a time: each call waits for
// its answer (in a local event loop), so a test reads as a sequence of requests. Push, pull
// and workspace helpers act as the user whose token is given to setServer(). Lives on the
// test's thread.
class ApiClient
{
public:
    void setServer(const QUrl &base, const QString &token);
    // For a TLS server with a test certificate: the one certificate to accept (its SHA-256,
    // ServerProcess::trustedFingerprint()).
    void setTrustedFingerprint(const QString &fingerprint) { m_trusted = fingerprint; }

    // Sends with the `Authorization` header exactly as given, or none if it is empty.
    ApiResponse request(const QByteArray &method, const QString &path,
                        const QByteArray &authorization, const QByteArray &body = {});
    // Sends with `token` as the bearer token.
    ApiResponse send(const QByteArray &method, const QString &path, const QString &token,
                     const QByteArray &body = {});
    // The owner invites `user` with `role` and the user accepts with their token: the answer
    // to the acceptance (or to the invitation, when that failed).
    ApiResponse share(const QString &workspace, const QString &user, const QString &role,
                      const QString &ownerToken, const QString &userToken);

    // Sends raw bytes (application/octet-stream) with `token` and the extra `headers` (e.g.
    // Content-Range, Range), and keeps the answer's headers.
    RawResponse sendBytes(const QByteArray &method, const QString &path, const QString &token,
                          const QByteArray &body = {},
                          const QList<std::pair<QByteArray, QByteArray>> &headers = {});

    // A push under a fresh batch id unless one is given.
    ApiResponse push(const QString &workspace, const QJsonArray &mutations, QString batch = {},
                     const QString &device = QStringLiteral("test-device"));
    ApiResponse pull(const QString &workspace, qint64 since = 0, int limit = 1000);
    WorkspaceSnapshot snapshot(const QString &workspace);
    // Creates a workspace of its own for a test; empty if the server refused.
    QString newWorkspace();
    // Creates a record with `fields` and returns the rev it got, or -1.
    qint64 create(const QString &workspace, const QString &guid, const QJsonObject &fields);

private:
    // Sends `request` and waits for the whole answer, headers kept.
    RawResponse exchange(QNetworkRequest request, const QByteArray &method, const QByteArray &body);

    QNetworkAccessManager m_network;
    QUrl m_base;
    QString m_token;
    QString m_trusted;
    int m_workspaces = 0;
};

} // namespace FerryTest
