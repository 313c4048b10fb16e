#include "apiserver.h"

#include "bodystream.h"

#include "serverstore.h"
#include "wire.h"

#include <QDir>
#include <QElapsedTimer>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QSqlDriver>
#include <QSqlError>
#include <QTcpSocket>
#include <QThread>
#include <QUrlQuery>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>

namespace FerryServer {

namespace {

using Method = QHttpServerRequest::Method;

// What an endpoint asks of the caller's role in the workspace its path names.
enum class Needs { Nothing, Member, Editor, Owner };

// One endpoint: path segments ("{ws}" matches any one segment) and its handler per method.
struct Route
{
    QList<QByteArray> segments;
    QList<std::pair<Method, QByteArray>> methods; // method and its name for Allow
    Needs needs = Needs::Nothing;
    const char *ownerOnly = nullptr; // for Needs::Owner: why another member is refused
    bool needsToken = true;
    bool rawBody = false; // blob bytes: limited by --max-blob, not --max-body
};

// What Qt 6.4 upgrades: an Upgrade header of "websocket" together with a Connection header
// naming "upgrade" (without it, the request is an ordinary one and no upgrade happens).
bool isWebSocketUpgrade(const QHttpServerRequest &request)
{
    if (QByteArrayView(ApiServer::header(request, "upgrade"))
            .compare("websocket", Qt::CaseInsensitive)
        != 0)
        return false;
    const QList<QByteArray> tokens = ApiServer::header(request, "connection").split(',');
    for (const QByteArray &token : tokens) {
        if (QByteArrayView(token.trimmed()).compare("upgrade", Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

// Not an HTTP answer: the notify upgrade was accepted and Qt's WebSocket server takes over.
constexpr int kSwitchingProtocols = 101;
// Set on a socket while its answer is made on another thread (ApiServer::answerLater).
constexpr const char *kAnswerPending = "ferryAnswerPending";

const char *methodName(Method method)
{
    switch (method) {
    case Method::Get:
        return "GET";
    case Method::Post:
        return "POST";
    case Method::Put:
        return "PUT";
    case Method::Delete:
        return "DELETE";
    case Method::Head:
        return "HEAD";
    case Method::Options:
        return "OPTIONS";
    case Method::Patch:
        return "PATCH";
    default:
        return "OTHER";
    }
}

} // namespace

ApiServer::ApiServer(ServerStore *store, qint64 maxBody, qint64 maxBlob, QObject *parent)
    : QAbstractHttpServer(parent)
    , m_store(store)
    , m_push(*store)
    , m_blobs(*store, QDir(store->dataDir()).filePath(QStringLiteral("blobs")), maxBlob)
    , m_notify([store](const QString &workspace) { return store->sequenceOf(workspace); })
    , m_signIns(*store)
    , m_maxBody(maxBody)
    , m_readers(*store, std::clamp(QThread::idealThreadCount(), 2, 8))
{
    m_notify.setAccessCheck(
        [store](const QString &user, const QString &workspace, const QString &device) {
            const Ferry::Result<QString> role = store->roleOf(workspace, user);
            return store->deviceActive(user, device) && role && !role->isEmpty();
        });
    if (store->backend().shared())
        listenToOtherServers();
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_notify.adopt(nextPendingWebSocketConnection());
    });
    m_collection.setInterval(std::chrono::hours(1));
    connect(&m_collection, &QTimer::timeout, this, &ApiServer::collectGarbage);
    m_collection.start();
    QTimer::singleShot(std::chrono::seconds(5), this, &ApiServer::collectGarbage);
}

void ApiServer::listenToOtherServers()
{
    QSqlDriver *driver = m_store->database().driver();
    const QString channel = QString::fromLatin1(PushService::kChannel);
    if (!driver->subscribeToNotification(channel)) {
        std::fprintf(stderr,
                     "ferry-server: cannot listen for other servers' pushes (%s); devices "
                     "connected here learn of them at their next sync\n",
                     qPrintable(driver->lastError().text()));
        return;
    }
    connect(driver, &QSqlDriver::notification, this,
            [this, channel](const QString &name, QSqlDriver::NotificationSource source,
                            const QVariant &payload) {
                if (name != channel || source == QSqlDriver::SelfSource)
                    return; // this server's own pushes wake its sockets as they commit
                const QStringList parts = payload.toString().split(QLatin1Char(' '));
                bool ok = false;
                const qint64 seq = parts.value(1).toLongLong(&ok);
                if (parts.size() == 2 && ok && ServerStore::isValidId(parts.first()))
                    m_notify.committed(parts.first(), seq);
            });
}

void ApiServer::setBlobGrace(std::chrono::milliseconds grace)
{
    m_blobGraceMs = grace.count();
}

void ApiServer::collectGarbage()
{
    const Ferry::Result<GarbageReport> report = m_blobs.collectGarbage(m_blobGraceMs);
    if (!report)
        std::fprintf(stderr, "ferry-server: collecting unused blobs failed: %s\n",
                     report.error().message.toLocal8Bit().constData());
    else if (m_verbose && report->released > 0)
        std::fprintf(stderr,
                     "ferry-server: released %lld unused blobs, removed %lld files "
                     "(%lld bytes)\n",
                     qlonglong(report->released), qlonglong(report->files),
                     qlonglong(report->bytes));
}

QByteArray ApiServer::json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray ApiServer::header(const QHttpServerRequest &request, QByteArrayView name)
{
    const auto headers = request.headers();
    for (const auto &[key, value] : headers) {
        if (QByteArrayView(key).compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

int ApiServer::statusFor(const QString &code, int otherwise)
{
    static const QHash<QString, int> statuses {
        {QStringLiteral("bad_json"), 400},
        {QStringLiteral("invalid_request"), 400},
        {QStringLiteral("blob_mismatch"), 400},
        {QStringLiteral("unauthorized"), 401},
        {QStringLiteral("bad_credentials"), 401},
        {QStringLiteral("forbidden"), 403},
        {QStringLiteral("read_only"), 403},
        {QStringLiteral("registration_closed"), 403},
        {QStringLiteral("not_found"), 404},
        {QStringLiteral("no_such_blob"), 404},
        {QStringLiteral("no_such_device"), 404},
        {QStringLiteral("no_such_user"), 404},
        {QStringLiteral("not_member"), 404},
        {QStringLiteral("no_invitation"), 404},
        {QStringLiteral("method_not_allowed"), 405},
        {QStringLiteral("request_timeout"), 408},
        {QStringLiteral("batch_mismatch"), 409},
        {QStringLiteral("history_mismatch"), 409},
        {QStringLiteral("owner_role"), 409},
        {QStringLiteral("user_exists"), 409},
        {QStringLiteral("workspace_exists"), 409},
        {QStringLiteral("wrong_offset"), 409},
        {QStringLiteral("too_many_workspaces"), 409},
        {QStringLiteral("too_many_invitations"), 409},
        {QStringLiteral("length_required"), 411},
        {QStringLiteral("too_large"), 413},
        {QStringLiteral("range_not_satisfiable"), 416},
        {QStringLiteral("upgrade_required"), 426},
        {QStringLiteral("too_many_attempts"), 429},
        {QStringLiteral("too_many_sockets"), 429},
        {QStringLiteral("header_too_large"), 431},
        {QStringLiteral("database"), 500},
        {QStringLiteral("storage"), 500},
        {QStringLiteral("internal"), 500},
        {QStringLiteral("busy"), 503},
    };
    return statuses.value(code, otherwise);
}

Reply ApiServer::error(const QString &code, const QString &message)
{
    return Reply {statusFor(code),
                  ApiServer::json(QJsonObject {{QStringLiteral("code"), code},
                                               {QStringLiteral("message"), message}}),
                  {}};
}

bool ApiServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (BodyStream::isSending(socket) || socket->property(kAnswerPending).toBool()) {
        // A request sent before the answer to the one before it has gone out (pipelined):
        // its answer cannot go first. Closing the connection tells the client to ask again.
        socket->abort();
        return true;
    }
    QElapsedTimer timer;
    timer.start();
    const Reply reply = handle(request, socket);
    if (reply.later || reply.read) {
        answerLater(request, socket, reply);
        return true;
    }
    log(request, reply.status, reply.stream ? reply.streamLength : reply.body.size(),
        timer.elapsed());
    // Qt 6.4 upgrades a WebSocket request when this returns true, so nothing may be written
    // then; for a refused upgrade it calls missingHandler() and closes the connection after.
    if (reply.status == kSwitchingProtocols)
        return true;
    if (isWebSocketUpgrade(request)) {
        m_refusedUpgrade = reply;
        return false;
    }
    write(request, socket, reply);
    return true;
}

ApiServer::~ApiServer()
{
    // Answers posted back after this are dropped with the object.
    m_workers.waitForDone();
}

void ApiServer::answerLater(const QHttpServerRequest &request, QTcpSocket *socket,
                            const Reply &reply)
{
    QElapsedTimer timer;
    timer.start();
    socket->setProperty(kAnswerPending, true);
    // The request object lives as long as its connection (Qt deletes it with the socket), so
    // a live socket means a live request; a client that went away gets no answer.
    const QPointer<QTcpSocket> client(socket);
    const QHttpServerRequest *asked = &request;
    // On the server's thread, once the answer is made.
    const auto answer = [this, client, asked, timer](const Reply &made) {
        if (!client || client->state() != QAbstractSocket::ConnectedState)
            return;
        client->setProperty(kAnswerPending, false);
        log(*asked, made.status, made.body.size(), timer.elapsed());
        write(*asked, client, made);
    };
    if (reply.read) {
        m_readers.run([this, read = reply.read, answer](ReadPool::Reader &reader) {
            QMetaObject::invokeMethod(
                this, [answer, made = read(reader)] { answer(made); }, Qt::QueuedConnection);
        });
        return;
    }
    ++m_waiting;
    m_workers.start([this, work = reply.later, answer] {
        std::function<Reply()> then = work();
        QMetaObject::invokeMethod(
            this,
            [this, then = std::move(then), answer] {
                --m_waiting;
                answer(then());
            },
            Qt::QueuedConnection);
    });
}

std::optional<Reply> ApiServer::refuseConcurrentCheck(const QString &user, const QString &address)
{
    if (m_waiting >= kMostWaiting) {
        Reply busy = error(QStringLiteral("busy"),
                           QStringLiteral("The server has too many passwords to check at once; "
                                          "try again in a second."));
        busy.retryAfter = "1";
        return busy;
    }
    if ((!user.isEmpty() && m_checkingUsers.value(user) > 0)
        || m_checkingAddresses.value(address) >= kChecksPerAddress) {
        Reply reply = error(QStringLiteral("too_many_attempts"),
                            QStringLiteral("A sign-in for this account (or several from this "
                                           "address) is being checked; try again in a second."));
        reply.retryAfter = "1";
        return reply;
    }
    if (!user.isEmpty())
        ++m_checkingUsers[user];
    ++m_checkingAddresses[address];
    return std::nullopt;
}

void ApiServer::checkDone(const QString &user, const QString &address)
{
    if (!user.isEmpty() && --m_checkingUsers[user] <= 0)
        m_checkingUsers.remove(user);
    if (--m_checkingAddresses[address] <= 0)
        m_checkingAddresses.remove(address);
}

void ApiServer::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    const Reply reply = m_refusedUpgrade.value_or(
        error(QStringLiteral("not_found"), QStringLiteral("No such endpoint.")));
    m_refusedUpgrade.reset();
    write(request, socket, reply);
}

void ApiServer::log(const QHttpServerRequest &request, int status, qint64 bytes, qint64 ms) const
{
    if (!m_verbose)
        return;
    std::fprintf(stderr, "%s %s %d %lld bytes %lld ms\n", methodName(request.method()),
                 request.url().path(QUrl::FullyEncoded).toUtf8().constData(), status, bytes, ms);
    std::fflush(stderr);
}

void ApiServer::write(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply)
{
    QHttpServerResponder responder = makeResponder(request, socket);
    responder.writeStatusLine(QHttpServerResponder::StatusCode(reply.status));
    responder.writeHeader(QByteArrayLiteral("Content-Type"),
                          reply.contentType.isEmpty() ? QByteArrayLiteral("application/json")
                                                      : reply.contentType);
    responder.writeHeader(
        QByteArrayLiteral("Content-Length"),
        QByteArray::number(reply.stream ? reply.streamLength : reply.body.size()));
    if (!reply.allow.isEmpty())
        responder.writeHeader(QByteArrayLiteral("Allow"), reply.allow);
    if (!reply.retryAfter.isEmpty())
        responder.writeHeader(QByteArrayLiteral("Retry-After"), reply.retryAfter);
    for (const auto &[name, value] : reply.headers)
        responder.writeHeader(name, value);
    // Answers hold tokens and people's records: nothing on the way may keep a copy.
    responder.writeHeader(QByteArrayLiteral("Cache-Control"), QByteArrayLiteral("no-store"));
    responder.writeBody(reply.body); // ends the head
    if (reply.stream) {
        BodyStream::start(socket, reply.stream, reply.streamLength);
        return;
    }
    // Out now, not when the event loop next comes round: requests waiting on other
    // connections are answered first otherwise, and this answer waits for all of them.
    socket->flush();
}

Reply ApiServer::handle(const QHttpServerRequest &request, QTcpSocket *socket)
{
    static const char *const kOwnsMembers = "Only the workspace's owner can change who has access.";
    static const QList<std::pair<Route, Handler>> routes {
        {Route {{"healthz"}, {{Method::Get, "GET"}}, Needs::Nothing, nullptr, false},
         &ApiServer::healthz},
        {Route {{"v1", "me"}, {{Method::Get, "GET"}}}, &ApiServer::me},
        {Route {{"v1", "workspaces"}, {{Method::Post, "POST"}}}, &ApiServer::createWorkspace},
        // A viewer's push is answered (every mutation refused), not refused whole.
        {Route {{"v1", "workspaces", "{ws}", "push"}, {{Method::Post, "POST"}}, Needs::Member},
         &ApiServer::push},
        {Route {{"v1", "workspaces", "{ws}", "pull"}, {{Method::Get, "GET"}}, Needs::Member},
         &ApiServer::pull},
        {Route {{"v1", "workspaces", "{ws}", "notify"}, {{Method::Get, "GET"}}, Needs::Member},
         &ApiServer::notify},
        {Route {{"v1", "workspaces", "{ws}", "members"}, {{Method::Get, "GET"}}, Needs::Member},
         &ApiServer::members},
        {Route {{"v1", "workspaces", "{ws}", "members", "{user}"},
                {{Method::Put, "PUT"}},
                Needs::Owner,
                kOwnsMembers},
         &ApiServer::putMember},
        {Route {{"v1", "workspaces", "{ws}", "members", "{user}"},
                {{Method::Delete, "DELETE"}},
                Needs::Owner,
                kOwnsMembers},
         &ApiServer::deleteMember},
        {Route {{"v1", "workspaces", "{ws}", "membership"},
                {{Method::Delete, "DELETE"}},
                Needs::Member},
         &ApiServer::leaveWorkspace},
        // The invited person is not a member yet: the store says whether an invitation waits.
        {Route {{"v1", "invitations", "{ws}"}, {{Method::Post, "POST"}}},
         &ApiServer::acceptInvitation},
        {Route {{"v1", "invitations", "{ws}"}, {{Method::Delete, "DELETE"}}},
         &ApiServer::declineInvitation},
        {Route {{"v1", "accounts"}, {{Method::Post, "POST"}}, Needs::Nothing, nullptr, false},
         &ApiServer::registerAccount},
        {Route {{"v1", "sessions"}, {{Method::Post, "POST"}}, Needs::Nothing, nullptr, false},
         &ApiServer::signIn},
        {Route {{"v1", "sessions", "current"}, {{Method::Delete, "DELETE"}}}, &ApiServer::signOut},
        {Route {{"v1", "devices"}, {{Method::Get, "GET"}}}, &ApiServer::devices},
        {Route {{"v1", "devices", "{id}"}, {{Method::Delete, "DELETE"}}}, &ApiServer::revokeDevice},
        {Route {{"v1", "workspaces", "{ws}", "blobs", "missing"},
                {{Method::Post, "POST"}},
                Needs::Member},
         &ApiServer::missingBlobs},
        {Route {
             {"v1", "workspaces", "{ws}", "blobs", "{id}"}, {{Method::Get, "GET"}}, Needs::Member},
         &ApiServer::getBlob},
        {Route {{"v1", "workspaces", "{ws}", "blobs", "{id}"},
                {{Method::Put, "PUT"}},
                Needs::Editor,
                nullptr,
                true,
                true},
         &ApiServer::putBlob},
        {Route {{"v1", "workspaces", "{ws}", "blobs", "{id}", "upload"},
                {{Method::Get, "GET"}},
                Needs::Member},
         &ApiServer::uploadState},
        {Route {{"v1", "workspaces", "{ws}", "storage"},
                {{Method::Get, "GET"}},
                Needs::Owner,
                "Only the workspace's owner can see how much it keeps on the server."},
         &ApiServer::storage},
    };

    const QByteArray path = request.url().path(QUrl::FullyEncoded).toUtf8();
    QList<QByteArray> segments = path.split('/');
    if (!segments.isEmpty() && segments.first().isEmpty())
        segments.removeFirst();
    if (segments.size() > 1 && segments.last().isEmpty())
        segments.removeLast(); // tolerate one trailing slash

    // Several routes may share a path with different methods; 405 only if none takes this one.
    QByteArray allow;
    for (const auto &[route, handler] : routes) {
        if (route.segments.size() != segments.size())
            continue;
        QString workspace;
        QString target;
        bool match = true;
        for (qsizetype i = 0; match && i < segments.size(); ++i) {
            if (route.segments[i] == "{ws}")
                workspace = QUrl::fromPercentEncoding(segments[i]);
            else if (route.segments[i] == "{user}" || route.segments[i] == "{id}")
                target = QUrl::fromPercentEncoding(segments[i]);
            else
                match = route.segments[i] == segments[i];
        }
        if (!match)
            continue;

        Handler chosen = nullptr;
        for (const auto &[method, name] : route.methods) {
            if (request.method() == method)
                chosen = handler;
            allow += (allow.isEmpty() ? "" : ", ") + name;
        }
        if (!chosen)
            continue;

        Call call {request, socket, {}, workspace, {}, {}, target};
        if (route.needsToken) {
            const QByteArray authorization = ApiServer::header(request, "authorization");
            static constexpr QByteArrayView kBearer = "bearer ";
            if (authorization.size() <= kBearer.size()
                || QByteArrayView(authorization)
                        .first(kBearer.size())
                        .compare(kBearer, Qt::CaseInsensitive)
                    != 0)
                return error(QStringLiteral("unauthorized"),
                             QStringLiteral("This request needs an Authorization: Bearer token."));
            const std::optional<TokenOwner> owner
                = m_store->authenticate(authorization.mid(kBearer.size()).trimmed());
            if (!owner)
                return error(QStringLiteral("unauthorized"),
                             QStringLiteral("The token is unknown or has been revoked."));
            call.user = owner->user;
            call.device = owner->device;
            call.deviceName = owner->deviceName;
        }

        const qint64 maxBody = route.rawBody ? m_blobs.maxBlob() : m_maxBody;
        bool lengthOk = true;
        const QByteArray contentLength = ApiServer::header(request, "content-length");
        if (!contentLength.isEmpty()) {
            const qint64 declared = contentLength.trimmed().toLongLong(&lengthOk);
            lengthOk = lengthOk && declared <= maxBody;
        }
        if (!lengthOk || request.body().size() > maxBody)
            return error(QStringLiteral("too_large"),
                         QStringLiteral("The body is larger than this server accepts (%1 bytes).")
                             .arg(maxBody));
        if (route.needs != Needs::Nothing) {
            const Ferry::Result<QString> role = m_store->roleOf(workspace, call.user);
            if (!role)
                return failure(role.error());
            if (role->isEmpty())
                return error(QStringLiteral("forbidden"),
                             QStringLiteral("You are not a member of this workspace."));
            if (route.needs == Needs::Editor && role.value() == QLatin1String("viewer"))
                return error(QStringLiteral("read_only"),
                             QStringLiteral("You can view this workspace but not change it; ask "
                                            "its owner to make you an editor."));
            if (route.needs == Needs::Owner && role.value() != QLatin1String("owner"))
                return error(QStringLiteral("forbidden"), QString::fromUtf8(route.ownerOnly));
            call.role = role.value();
        }
        return (this->*chosen)(call);
    }
    if (!allow.isEmpty()) {
        Reply reply = error(
            QStringLiteral("method_not_allowed"),
            QStringLiteral("This endpoint accepts only %1.").arg(QString::fromLatin1(allow)));
        reply.allow = allow;
        return reply;
    }
    return error(QStringLiteral("not_found"), QStringLiteral("No such endpoint."));
}

Reply ApiServer::healthz(const Call &)
{
    return Reply {
        200,
        ApiServer::json(QJsonObject {{QStringLiteral("status"), QStringLiteral("ok")},
                                     {QStringLiteral("protocol"), Ferry::Wire::kProtocolVersion}}),
        {}};
}

Reply ApiServer::me(const Call &call)
{
    QJsonArray workspaces;
    const QList<Membership> memberships = m_store->membershipsOf(call.user);
    for (const Membership &m : memberships)
        workspaces.append(
            QJsonObject {{QStringLiteral("id"), m.workspace}, {QStringLiteral("role"), m.role}});
    const Ferry::Result<QList<Invitation>> waiting = m_store->invitationsOf(call.user);
    if (!waiting)
        return failure(waiting.error());
    QJsonArray invitations;
    for (const Invitation &i : waiting.value())
        invitations.append(QJsonObject {{QStringLiteral("workspace"), i.workspace},
                                        {QStringLiteral("role"), i.role},
                                        {QStringLiteral("from"), i.from}});
    return Reply {200,
                  ApiServer::json(QJsonObject {{QStringLiteral("user"), call.user},
                                               {QStringLiteral("workspaces"), workspaces},
                                               {QStringLiteral("invitations"), invitations}}),
                  {}};
}

Reply ApiServer::createWorkspace(const Call &call)
{
    const Ferry::Result<QJsonObject> body = Ferry::Wire::parseRequestObject(call.request.body());
    if (!body)
        return failure(body.error(), 400);
    const QJsonValue id = body->value(QStringLiteral("id"));
    if (!id.isString() || !ServerStore::isValidId(id.toString()))
        return error(QStringLiteral("invalid_request"),
                     QStringLiteral("id: must be a string of 1 to 64 letters, digits, - or _"));
    const Ferry::Status created = m_store->createWorkspace(id.toString(), call.user);
    if (!created)
        return failure(created.error());
    return Reply {201,
                  ApiServer::json(QJsonObject {{QStringLiteral("id"), id},
                                               {QStringLiteral("role"), QStringLiteral("owner")}}),
                  {}};
}

Reply ApiServer::push(const Call &call)
{
    if (call.role == QLatin1String("viewer"))
        return readOnlyPush(call);
    const QByteArray body = call.request.body();
    const Ferry::Result<Ferry::Wire::PushRequest> request = Ferry::Wire::parsePushRequest(body);
    if (!request)
        return failure(request.error(), 400);
    const Ferry::Result<HistoryCheck> history = parseHistoryCheck(QUrlQuery(call.request.url()), 0);
    if (!history)
        return failure(history.error(), 400);
    const qint64 before = m_store->sequenceOf(call.workspace);
    const PushAnswer answer = m_push.push(call.workspace, call.user, body, request.value(),
                                          history.value(), call.deviceName);
    if (!answer)
        return failure(answer.error());
    // Committed by now; a replayed or no-op batch leaves the sequence where it was.
    if (const qint64 after = m_store->sequenceOf(call.workspace); after > before)
        m_notify.committed(call.workspace, after);
    return Reply {200, answer.value(), {}};
}

Reply ApiServer::pull(const Call &call)
{
    const Ferry::Result<PullService::Query> query
        = PullService::parseQuery(QUrlQuery(call.request.url()));
    if (!query)
        return failure(query.error(), 400);
    // A page may be megabytes of records: made on a reader, while others are answered.
    Reply reply;
    reply.read = [workspace = call.workspace, q = query.value()](ReadPool::Reader &reader) {
        if (!reader.opened)
            return failure(reader.opened.error());
        const Ferry::Result<QByteArray> page = reader.pull->page(
            workspace, q.since, q.from, q.limit, q.withTotal, q.history, q.files);
        if (!page)
            return failure(page.error());
        return Reply {200, page.value(), {}};
    };
    return reply;
}

Reply ApiServer::notify(const Call &call)
{
    if (!isWebSocketUpgrade(call.request))
        return error(QStringLiteral("upgrade_required"),
                     QStringLiteral("This endpoint is a WebSocket: send Connection: Upgrade and "
                                    "Upgrade: websocket."));
    if (!m_notify.hasRoomFor(call.user))
        return error(QStringLiteral("too_many_sockets"),
                     QStringLiteral("This user already has %1 notify sockets open; close one "
                                    "or poll instead.")
                         .arg(NotifyHub::kMaxSocketsPerUser));
    m_notify.expect(call.socket, call.user, call.workspace, call.device);
    return Reply {kSwitchingProtocols, {}, {}};
}

} // namespace FerryServer
