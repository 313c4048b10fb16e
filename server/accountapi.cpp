// ApiServer's account, device and member endpoints (docs/protocol.md, "Accounts" and
// "Sharing"), kept apart from the sync endpoints in apiserver.cpp.

#include "apiserver.h"

#include "accountanswers.h"
#include "passwordhash.h"
#include "serverstore.h"
#include "wire.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTcpSocket>

namespace FerryServer {

namespace {

constexpr qsizetype kMinPassword = 8; // characters
constexpr qsizetype kMaxPasswordBytes = 1024; // bounds the hashing work one request can ask for

Reply ok(int status, const QJsonObject &object)
{
    return Reply {status, ApiServer::json(object), {}, {}};
}

Reply invalid(const QString &message)
{
    return ApiServer::error(QStringLiteral("invalid_request"), message);
}

Reply badMemberName()
{
    return invalid(QStringLiteral("The user name in the path must be 1 to 64 letters, digits, - "
                                  "or _."));
}

// The body as a JSON object (checked like every request body: duplicate keys, nesting,
// lone surrogates), or the 400 to answer.
std::optional<Reply> parseObject(const QByteArray &body, QJsonObject *object)
{
    const Ferry::Result<QJsonObject> parsed = Ferry::Wire::parseRequestObject(body);
    if (!parsed)
        return ApiServer::failure(parsed.error(), 400);
    *object = parsed.value();
    return std::nullopt;
}

QString userNameProblem(const QJsonValue &user)
{
    if (!user.isString() || !ServerStore::isValidId(user.toString()))
        return QStringLiteral("user: must be a string of 1 to 64 letters, digits, - or _");
    return {};
}

// Names people would take for the server's own voice, or a role: an account registering
// one could pass for the administrator. The administrator may still make them ("token
// create", "user password").
bool isReservedName(const QString &user)
{
    static const QSet<QString> reserved {
        QStringLiteral("abuse"),         QStringLiteral("admin"),
        QStringLiteral("administrator"), QStringLiteral("anonymous"),
        QStringLiteral("editor"),        QStringLiteral("everyone"),
        QStringLiteral("ferry"),         QStringLiteral("ferry-server"),
        QStringLiteral("guest"),         QStringLiteral("help"),
        QStringLiteral("hostmaster"),    QStringLiteral("no-reply"),
        QStringLiteral("nobody"),        QStringLiteral("noreply"),
        QStringLiteral("null"),          QStringLiteral("owner"),
        QStringLiteral("postmaster"),    QStringLiteral("root"),
        QStringLiteral("security"),      QStringLiteral("server"),
        QStringLiteral("support"),       QStringLiteral("sysadmin"),
        QStringLiteral("system"),        QStringLiteral("viewer"),
        QStringLiteral("webmaster"),
    };
    return reserved.contains(user.toLower());
}

QString passwordProblem(const QJsonValue &password)
{
    if (!password.isString())
        return QStringLiteral("password: must be a string");
    const QString text = password.toString();
    if (text.size() < kMinPassword)
        return QStringLiteral("password: must be at least %1 characters").arg(kMinPassword);
    if (text.toUtf8().size() > kMaxPasswordBytes)
        return QStringLiteral("password: must be at most %1 bytes of UTF-8").arg(kMaxPasswordBytes);
    return {};
}

// Device names are shown to people in device lists: any text but control characters.
QString deviceNameProblem(const QJsonValue &device)
{
    if (device.isString() && ServerStore::isValidDeviceName(device.toString()))
        return {};
    return QStringLiteral(
               "device: must be a string of 1 to %1 characters without control characters")
        .arg(Ferry::Wire::kMaxDeviceNameLength);
}

// The key failed sign-ins from one place are counted under: the IPv4 address, or the /64
// network of an IPv6 address (one host usually holds a whole /64, so counting single IPv6
// addresses would let it rotate through them).
QString addressKey(const QTcpSocket *socket)
{
    if (!socket)
        return {};
    QHostAddress address = socket->peerAddress();
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString();
    Q_IPV6ADDR bytes = address.toIPv6Address();
    for (int i = 8; i < 16; ++i)
        bytes[i] = 0;
    return QHostAddress(bytes).toString() + QStringLiteral("/64");
}

// A 429 with Retry-After in whole seconds; `message` has a %1 for them.
Reply tooManyAttempts(qint64 waitMs, const QString &message)
{
    const qint64 seconds = (waitMs + 999) / 1000;
    Reply reply = ApiServer::error(QStringLiteral("too_many_attempts"), message.arg(seconds));
    reply.retryAfter = QByteArray::number(seconds);
    return reply;
}

} // namespace

Reply ApiServer::registerAccount(const Call &call)
{
    if (!m_store->registrationOpen())
        return error(QStringLiteral("registration_closed"),
                     QStringLiteral("This server does not take new accounts; ask its "
                                    "administrator for one."));
    QJsonObject body;
    if (const std::optional<Reply> bad = parseObject(call.request.body(), &body))
        return *bad;
    if (const QString problem = userNameProblem(body.value(QStringLiteral("user")));
        !problem.isEmpty())
        return invalid(problem);
    if (isReservedName(body.value(QStringLiteral("user")).toString()))
        return invalid(QStringLiteral("user: \"%1\" is kept for the server; choose another name")
                           .arg(body.value(QStringLiteral("user")).toString()));
    if (const QString problem = passwordProblem(body.value(QStringLiteral("password")));
        !problem.isEmpty())
        return invalid(problem);
    const QString address = addressKey(call.socket);
    const Ferry::Result<qint64> waitMs = m_signIns.registrationWaitFor(address);
    if (!waitMs)
        return failure(waitMs.error());
    if (waitMs.value() > 0)
        return tooManyAttempts(waitMs.value(),
                               QStringLiteral("Too many accounts registered from "
                                              "this address; try again in %1 s."));
    if (std::optional<Reply> refused = refuseConcurrentCheck(QString(), address))
        return *refused;
    if (const Ferry::Status counted = m_signIns.registered(address); !counted) {
        checkDone(QString(), address);
        return failure(counted.error());
    }
    const QString user = body.value(QStringLiteral("user")).toString();
    Reply reply;
    reply.later
        = [this, user, address, password = body.value(QStringLiteral("password")).toString()] {
              const QByteArray hash = PasswordHash::hash(password); // the worker's part
              return std::function<Reply()>([this, user, address, hash] {
                  checkDone(QString(), address);
                  return accountHashed(user, hash);
              });
          };
    return reply;
}

Reply ApiServer::accountHashed(const QString &user, const QByteArray &hash)
{
    if (hash.isEmpty())
        return error(QStringLiteral("internal"),
                     QStringLiteral("The server could not hash the password."));
    if (const Ferry::Status made = m_store->createAccount(user, hash); !made)
        return failure(made.error());
    // Like "token create": a workspace of their own, named after them where that id is free.
    if (const Ferry::Result<QString> own = m_store->ensureOwnWorkspace(user); !own)
        return error(own.error().code,
                     QStringLiteral("The account %1 was made, but not its workspace: %2")
                         .arg(user, own.error().message));
    return ok(201, QJsonObject {{QStringLiteral("user"), user}});
}

Reply ApiServer::signIn(const Call &call)
{
    QJsonObject body;
    if (const std::optional<Reply> bad = parseObject(call.request.body(), &body))
        return *bad;
    if (const QString problem = userNameProblem(body.value(QStringLiteral("user")));
        !problem.isEmpty())
        return invalid(problem);
    const QJsonValue password = body.value(QStringLiteral("password"));
    if (!password.isString() || password.toString().toUtf8().size() > kMaxPasswordBytes)
        return invalid(QStringLiteral("password: must be a string of at most %1 bytes")
                           .arg(kMaxPasswordBytes));
    if (const QString problem = deviceNameProblem(body.value(QStringLiteral("device")));
        !problem.isEmpty())
        return invalid(problem);

    const QString user = body.value(QStringLiteral("user")).toString();
    const QString address = addressKey(call.socket);
    const Ferry::Result<qint64> waitMs = m_signIns.waitFor(user, address);
    if (!waitMs)
        return failure(waitMs.error());
    if (waitMs.value() > 0)
        return tooManyAttempts(waitMs.value(),
                               QStringLiteral("Too many failed sign-ins; try again in %1 s."));
    if (std::optional<Reply> refused = refuseConcurrentCheck(user, address))
        return *refused;
    Reply reply;
    reply.later = [this, user, address, stored = m_store->passwordHashOf(user),
                   password = password.toString(),
                   device = body.value(QStringLiteral("device")).toString()] {
        // The worker's part.
        bool good = false;
        if (stored.isEmpty())
            PasswordHash::burn(password); // unknown user: same time as a wrong password
        else
            good = PasswordHash::verify(password, stored);
        return std::function<Reply()>([this, user, address, device, good] {
            checkDone(user, address);
            return passwordChecked(user, address, device, good);
        });
    };
    return reply;
}

Reply ApiServer::passwordChecked(const QString &user, const QString &address, const QString &device,
                                 bool good)
{
    if (!good) {
        // Counted before answering: a failure the store could not count is an error, so
        // guesses can never go uncounted.
        if (const Ferry::Status counted = m_signIns.failed(user, address); !counted)
            return failure(counted.error());
        return error(QStringLiteral("bad_credentials"),
                     QStringLiteral("The user name or the password is wrong."));
    }
    if (const Ferry::Status cleared = m_signIns.succeeded(user); !cleared)
        return failure(cleared.error());
    const Ferry::Result<NewToken> token = m_store->createDeviceToken(user, device);
    if (!token)
        return failure(token.error());
    return ok(201,
              QJsonObject {{QStringLiteral("user"), user},
                           {QStringLiteral("token"), token->token},
                           {QStringLiteral("device"), token->device}});
}

Reply ApiServer::signOut(const Call &call)
{
    if (const Ferry::Status revoked = m_store->revokeDevice(call.user, call.device); !revoked)
        return failure(revoked.error());
    m_notify.closeDevice(call.device);
    return ok(200, QJsonObject {{QStringLiteral("revoked"), call.device}});
}

Reply ApiServer::devices(const Call &call)
{
    QJsonArray list;
    const QList<Device> devices = m_store->devicesOf(call.user);
    for (const Device &d : devices)
        list.append(QJsonObject {{QStringLiteral("id"), d.id},
                                 {QStringLiteral("name"), d.name},
                                 {QStringLiteral("created"), d.created},
                                 {QStringLiteral("last_used"), d.lastUsed},
                                 {QStringLiteral("current"), d.id == call.device}});
    return ok(200, QJsonObject {{QStringLiteral("devices"), list}});
}

Reply ApiServer::revokeDevice(const Call &call)
{
    // Another user's device id is answered like an unknown one, so ids cannot be probed.
    if (const Ferry::Status revoked = m_store->revokeDevice(call.user, call.target); !revoked) {
        return failure(revoked.error());
    }
    m_notify.closeDevice(call.target);
    return ok(200, QJsonObject {{QStringLiteral("revoked"), call.target}});
}

Reply ApiServer::members(const Call &call)
{
    QJsonArray list;
    const QList<Member> members = m_store->membersOf(call.workspace);
    for (const Member &m : members)
        list.append(
            QJsonObject {{QStringLiteral("user"), m.user}, {QStringLiteral("role"), m.role}});
    const Ferry::Result<QList<Invitation>> waiting = m_store->invitationsTo(call.workspace);
    if (!waiting)
        return failure(waiting.error());
    QJsonArray invited;
    for (const Invitation &i : waiting.value())
        invited.append(
            QJsonObject {{QStringLiteral("user"), i.user}, {QStringLiteral("role"), i.role}});
    return ok(200,
              QJsonObject {{QStringLiteral("workspace"), call.workspace},
                           {QStringLiteral("members"), list},
                           {QStringLiteral("invited"), invited}});
}

// Why `call.target`'s membership may not change: they own the workspace (`what` cannot be
// done to an owner); nothing if it may.
std::optional<Reply> ApiServer::refuseOwnerChange(const Call &call, const QString &what) const
{
    const Ferry::Result<QString> targetRole = m_store->roleOf(call.workspace, call.target);
    if (!targetRole)
        return failure(targetRole.error());
    if (targetRole.value() == QLatin1String("owner"))
        return error(QStringLiteral("owner_role"),
                     QStringLiteral("%1 owns this workspace; %2").arg(call.target, what));
    return std::nullopt;
}

Reply ApiServer::putMember(const Call &call)
{
    if (!ServerStore::isValidId(call.target))
        return badMemberName();
    QJsonObject body;
    if (const std::optional<Reply> bad = parseObject(call.request.body(), &body))
        return *bad;
    const QJsonValue newRole = body.value(QStringLiteral("role"));
    if (newRole != QLatin1String("editor") && newRole != QLatin1String("viewer"))
        return invalid(QStringLiteral("role: must be \"editor\" or \"viewer\""));
    if (const std::optional<Reply> refused
        = refuseOwnerChange(call, QStringLiteral("the owner's role cannot change.")))
        return *refused;
    if (!m_store->userExists(call.target))
        return error(QStringLiteral("no_such_user"),
                     QStringLiteral("There is no user \"%1\" on this server.").arg(call.target));
    const Ferry::Result<QString> role = m_store->roleOf(call.workspace, call.target);
    if (!role)
        return failure(role.error());
    if (!role->isEmpty()) {
        // A member already (they accepted once): only the role changes.
        if (const Ferry::Status changed
            = m_store->addMember(call.workspace, call.target, newRole.toString());
            !changed)
            return failure(changed.error());
        return ok(
            200,
            QJsonObject {{QStringLiteral("user"), call.target}, {QStringLiteral("role"), newRole}});
    }
    // Nobody is put into a workspace without saying yes: until they accept, this gives no
    // access and the workspace is not in their list.
    if (const Ferry::Status invited
        = m_store->invite(call.workspace, call.target, newRole.toString(), call.user);
        !invited)
        return failure(invited.error());
    return ok(200,
              QJsonObject {{QStringLiteral("user"), call.target},
                           {QStringLiteral("role"), newRole},
                           {QStringLiteral("invited"), true}});
}

Reply ApiServer::deleteMember(const Call &call)
{
    if (!ServerStore::isValidId(call.target))
        return badMemberName();
    if (const std::optional<Reply> refused
        = refuseOwnerChange(call, QStringLiteral("the owner cannot be removed.")))
        return *refused;
    if (const Ferry::Status removed = m_store->removeMember(call.workspace, call.target);
        !removed) {
        if (removed.error().code != QLatin1String("not_member"))
            return failure(removed.error());
        // Not a member: an invitation that waits is withdrawn.
        if (const Ferry::Status withdrawn = m_store->dropInvitation(call.workspace, call.target);
            !withdrawn)
            return failure(withdrawn.error().code == QLatin1String("no_invitation")
                               ? removed.error()
                               : withdrawn.error());
        return ok(200, QJsonObject {{QStringLiteral("removed"), call.target}});
    }
    // Their open notify sockets stop hearing about this workspace at once.
    m_notify.closeMember(call.workspace, call.target);
    return ok(200, QJsonObject {{QStringLiteral("removed"), call.target}});
}

Reply ApiServer::leaveWorkspace(const Call &call)
{
    if (call.role == QLatin1String("owner"))
        return error(QStringLiteral("owner_role"),
                     QStringLiteral("You own %1; an owner cannot leave their workspace.")
                         .arg(call.workspace));
    if (const Ferry::Status removed = m_store->removeMember(call.workspace, call.user); !removed)
        return failure(removed.error());
    m_notify.closeMember(call.workspace, call.user);
    return ok(200, QJsonObject {{QStringLiteral("left"), call.workspace}});
}

Reply ApiServer::acceptInvitation(const Call &call)
{
    if (!ServerStore::isValidId(call.workspace))
        return error(QStringLiteral("no_invitation"),
                     QStringLiteral("There is no invitation to that workspace waiting."));
    const Ferry::Result<QString> role = m_store->acceptInvitation(call.workspace, call.user);
    if (!role)
        return failure(role.error());
    return ok(200,
              QJsonObject {{QStringLiteral("id"), call.workspace},
                           {QStringLiteral("role"), role.value()}});
}

Reply ApiServer::declineInvitation(const Call &call)
{
    if (!ServerStore::isValidId(call.workspace))
        return error(QStringLiteral("no_invitation"),
                     QStringLiteral("There is no invitation to that workspace waiting."));
    if (const Ferry::Status dropped = m_store->dropInvitation(call.workspace, call.user); !dropped)
        return failure(dropped.error());
    return ok(200, QJsonObject {{QStringLiteral("declined"), call.workspace}});
}

Reply ApiServer::readOnlyPush(const Call &call)
{
    const Ferry::Result<Ferry::Wire::PushRequest> request
        = Ferry::Wire::parsePushRequest(call.request.body());
    if (!request)
        return failure(request.error(), 400);
    // Refused per record, like any other rejected mutation, so a client marks each one with
    // the reason instead of retrying the whole batch; nothing is stored, not even the batch.
    Ferry::Wire::PushResponse response;
    response.seq = m_store->sequenceOf(call.workspace);
    for (const Ferry::Wire::Mutation &m : request->mutations) {
        Ferry::Wire::MutationResult result;
        result.guid = m.guid;
        result.status = Ferry::Wire::PushStatus::Rejected;
        result.code = QStringLiteral("read_only");
        result.reason = QStringLiteral(
            "You can view this workspace but not change it; ask its owner to make you an editor.");
        response.results.append(result);
    }
    return Reply {200, Ferry::Wire::encode(response), {}, {}};
}

} // namespace FerryServer
