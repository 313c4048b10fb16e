#pragma once

#include "blobservice.h"
#include "notifyhub.h"
#include "pullservice.h"
#include "pushservice.h"
#include "readpool.h"
#include "signinlimiter.h"

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHttpServerRequest>
#include <QString>

#include <QThreadPool>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QJsonObject;

namespace FerryServer {

class ServerStore;

// One HTTP answer before it is written: status, JSON body and, for 405, the Allow header.
struct Reply
{
    int status = 200;
    QByteArray body;
    QByteArray allow;
    QByteArray retryAfter {}; // seconds, for a 429; "{}" keeps {status, body, allow} whole
    QByteArray contentType {}; // empty: application/json
    QList<std::pair<QByteArray, QByteArray>> headers {}; // more headers, e.g. Content-Range
    // Set by a handler whose answer needs long work (a password hash): `later` runs on a
    // worker thread, touching nothing but what it captured, and returns what then runs back
    // on the server's thread (with the store) to make the answer. Other clients are served
    // meanwhile.
    std::function<std::function<Reply()>()> later {};
    // Set by a handler whose answer reads much (a pull page): `read` runs on a thread of the
    // read pool, with a connection of its own, and returns the answer. It touches nothing
    // but what it captured and the reader.
    std::function<Reply(ReadPool::Reader &reader)> read {};
    // Set for a body too large to hold (a blob): `streamLength` bytes read from this open
    // device as the connection takes them, instead of `body`.
    std::shared_ptr<QIODevice> stream {};
    qint64 streamLength = 0;
};

// The protocol's HTTP front end (docs/protocol.md): routes requests itself so it can tell
// 404 from 405, authenticates bearer tokens, checks membership and body size, and hands
// pushes and pulls to PushService and PullService, attachments to BlobService and notify
// sockets to NotifyHub. Every
// handler runs on the server thread and answers at once, so the socket is alive while the
// answer is written; those with long work hand it to another thread — a password hash to a
// worker (Reply::later), a pull page to a reader with its own connection to the store
// (Reply::read) — and answer when it is done, if the client is still there.
class ApiServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    ApiServer(ServerStore *store, qint64 maxBody, qint64 maxBlob = BlobService::kDefaultMaxBlob,
              QObject *parent = nullptr);

    void setVerbose(bool verbose) { m_verbose = verbose; }
    void setPingInterval(std::chrono::milliseconds interval) { m_notify.setPingInterval(interval); }
    // Collects blobs no record names any more (BlobService::collectGarbage()) once the server
    // runs and every hour, keeping those uploaded less than `grace` ago.
    void setBlobGrace(std::chrono::milliseconds grace);

    // An error answer; its HTTP status comes from the code (statusFor()).
    static Reply error(const QString &code, const QString &message);
    // The HTTP status of an error code (docs/protocol.md, "Errors"), from one table; a code
    // the table does not know is `otherwise` (500: a failure of the server itself).
    static int statusFor(const QString &code, int otherwise = 500);
    static Reply failure(const Ferry::Error &error, int otherwise = 500)
    {
        Reply reply = ApiServer::error(error.code, error.message);
        reply.status = statusFor(error.code, otherwise);
        return reply;
    }
    // A JSON object as an answer body (compact UTF-8).
    static QByteArray json(const QJsonObject &object);
    // A request header by case-insensitive name; empty if absent.
    static QByteArray header(const QHttpServerRequest &request, QByteArrayView name);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // What a handler needs beyond the request: the caller and their device (token id), the
    // {ws} path part, the last {user} or {id} path part, and the connection (for a notify
    // upgrade, and the client's address).
    struct Call
    {
        const QHttpServerRequest &request;
        QTcpSocket *socket;
        QString user;
        QString workspace;
        QString device;
        QString deviceName;
        QString target;
        QString role = {}; // in `workspace`, for routes that need one
    };
    using Handler = Reply (ApiServer::*)(const Call &call);

    Reply handle(const QHttpServerRequest &request, QTcpSocket *socket);

    Reply healthz(const Call &call);
    Reply me(const Call &call);
    Reply createWorkspace(const Call &call);
    Reply push(const Call &call);
    Reply pull(const Call &call);
    Reply notify(const Call &call);

    // Accounts, devices and members (accountapi.cpp).
    Reply registerAccount(const Call &call);
    Reply signIn(const Call &call);
    Reply passwordChecked(const QString &user, const QString &address, const QString &device,
                          bool good);
    Reply accountHashed(const QString &user, const QByteArray &hash);
    Reply signOut(const Call &call);
    Reply devices(const Call &call);
    Reply revokeDevice(const Call &call);
    Reply members(const Call &call);
    Reply putMember(const Call &call);
    std::optional<Reply> refuseOwnerChange(const Call &call, const QString &what) const;
    Reply deleteMember(const Call &call);
    Reply leaveWorkspace(const Call &call);
    Reply acceptInvitation(const Call &call);
    Reply declineInvitation(const Call &call);
    Reply readOnlyPush(const Call &call);

    // Attachments (blobapi.cpp).
    Reply missingBlobs(const Call &call);
    Reply putBlob(const Call &call);
    Reply getBlob(const Call &call);
    Reply uploadState(const Call &call);
    Reply storage(const Call &call);
    void collectGarbage();
    // Where several servers share the store: a push through another one wakes this one's
    // notify sockets too (PushService::kChannel).
    void listenToOtherServers();

    void write(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply);
    // Runs reply.later on a worker, or reply.read on a reader, and answers on `socket`
    // afterwards. A request that comes on the socket before that closes it (an answer cannot
    // overtake the one before it).
    void answerLater(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply);
    // A password check (or hash) for `user` from `address` may start: refuses a second one
    // for the same account while one runs (each failure must count before the next guess),
    // more than a few at once from one address, and any when too many wait for a worker.
    // Each check that starts ends with checkDone(). `user` is empty for a registration.
    std::optional<Reply> refuseConcurrentCheck(const QString &user, const QString &address);
    void checkDone(const QString &user, const QString &address);
    void log(const QHttpServerRequest &request, int status, qint64 bytes, qint64 ms) const;

    ServerStore *m_store;
    PushService m_push;
    BlobService m_blobs;
    NotifyHub m_notify;
    SignInLimiter m_signIns;
    qint64 m_maxBody;
    qint64 m_blobGraceMs = BlobService::kDefaultGraceMs;
    QTimer m_collection;
    bool m_verbose = false;
    std::optional<Reply> m_refusedUpgrade; // written by missingHandler(), see handleRequest()
    QThreadPool m_workers; // Reply::later
    ReadPool m_readers; // Reply::read
    int m_waiting = 0; // answers waiting for a worker
    QHash<QString, int> m_checkingUsers;
    QHash<QString, int> m_checkingAddresses;

public:
    ~ApiServer() override;
    // Long work queued beyond this is refused (503 busy) instead of waiting without end.
    static constexpr int kMostWaiting = 64;
    static constexpr int kChecksPerAddress = 4;
};

} // namespace FerryServer
