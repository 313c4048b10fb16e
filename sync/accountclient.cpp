#include "accountclient.h"

#include "accountcheck.h"
#include "tlstrust.h"
#include "transport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QTimer>

namespace Ferry {

namespace {

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// A path part as sent: every byte outside the unreserved set percent-encoded, so a name can
// never add a path segment.
QString part(const QString &text)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(text));
}

} // namespace

AccountClient::AccountClient(QObject *parent)
    : QObject(parent)
    , m_transport(new Transport(this))
    , m_deadline(new QTimer(this))
{
    m_deadline->setSingleShot(true);
    connect(m_deadline, &QTimer::timeout, this, [this] {
        fail(Error {QStringLiteral("timeout"),
                    tr("The server at %1 did not finish answering within %2 s.")
                        .arg(m_transport->server().toDisplayString())
                        .arg(m_totalTimeoutMs / 1000.0)});
    });
    qRegisterMetaType<Ferry::AccountInfo>();
    qRegisterMetaType<Ferry::SignedIn>();
    qRegisterMetaType<Ferry::DeviceInfo>();
    qRegisterMetaType<Ferry::MemberInfo>();
}

void AccountClient::setTrustedFingerprint(const QString &fingerprint)
{
    m_transport->setServer(m_transport->server(), m_transport->token(), fingerprint);
}

AccountClient::~AccountClient()
{
    cancel();
}

void AccountClient::setServer(const QUrl &server, const QString &token)
{
    m_transport->setServer(server, token, m_transport->trustedFingerprint());
}

void AccountClient::setTimeouts(int idleMs, int totalMs)
{
    m_idleTimeoutMs = idleMs;
    m_totalTimeoutMs = totalMs;
}

void AccountClient::cancel()
{
    m_deadline->stop();
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void AccountClient::readAccount()
{
    send("GET", QStringLiteral("/v1/me"), {}, [this](const QByteArray &body) {
        Result<AccountInfo> account = Wire::parseAccountInfo(body);
        if (!account)
            return badResponse(account.error().message);
        Q_EMIT accountRead(account.value());
    });
}

void AccountClient::registerAccount(const QString &user, const QString &password)
{
    send("POST", QStringLiteral("/v1/accounts"),
         json({{QStringLiteral("user"), user}, {QStringLiteral("password"), password}}),
         [this, user](const QByteArray &body) {
             const Result<QString> name = Wire::parseRegistered(body);
             if (!name)
                 return badResponse(name.error().message);
             if (name.value() != user)
                 return badResponse(QStringLiteral("registration: it is for \"%1\", not \"%2\"")
                                        .arg(name.value(), user));
             Q_EMIT registered(name.value());
         });
}

void AccountClient::signIn(const QString &user, const QString &password, const QString &deviceName)
{
    send("POST", QStringLiteral("/v1/sessions"),
         json({{QStringLiteral("user"), user},
               {QStringLiteral("password"), password},
               {QStringLiteral("device"), deviceName}}),
         [this, user](const QByteArray &body) {
             const Result<SignedIn> session = Wire::parseSignedIn(body);
             if (!session)
                 return badResponse(session.error().message);
             if (session->user != user)
                 return badResponse(QStringLiteral("sign-in: the token is for \"%1\", not \"%2\"")
                                        .arg(session->user, user));
             Q_EMIT signedIn(session.value());
         });
}

void AccountClient::listDevices()
{
    send("GET", QStringLiteral("/v1/devices"), {}, [this](const QByteArray &body) {
        const Result<QList<DeviceInfo>> devices = Wire::parseDeviceList(body);
        if (!devices)
            return badResponse(devices.error().message);
        Q_EMIT devicesListed(devices.value());
    });
}

void AccountClient::revokeDevice(const QString &id)
{
    send("DELETE", QStringLiteral("/v1/devices/") + part(id), {},
         [this, id](const QByteArray &body) {
             const Result<QString> revoked = Wire::parseRevoked(body);
             if (!revoked)
                 return badResponse(revoked.error().message);
             if (revoked.value() != id)
                 return badResponse(
                     QStringLiteral("revocation: it names the device \"%1\", not \"%2\"")
                         .arg(revoked.value(), id));
             Q_EMIT deviceRevoked(id);
         });
}

void AccountClient::signOut()
{
    send("DELETE", QStringLiteral("/v1/sessions/current"), {}, [this](const QByteArray &body) {
        const Result<QString> revoked = Wire::parseRevoked(body);
        if (!revoked)
            return badResponse(revoked.error().message);
        Q_EMIT deviceRevoked(revoked.value());
    });
}

void AccountClient::createWorkspace(const QString &workspace)
{
    send("POST", QStringLiteral("/v1/workspaces"), json({{QStringLiteral("id"), workspace}}),
         [this, workspace](const QByteArray &body) {
             const Result<QString> created = Wire::parseWorkspaceCreated(body);
             if (!created)
                 return badResponse(created.error().message);
             if (created.value() != workspace)
                 return badResponse(QStringLiteral("new workspace: it is \"%1\", not \"%2\"")
                                        .arg(created.value(), workspace));
             Q_EMIT workspaceCreated(workspace);
         });
}

void AccountClient::listMembers(const QString &workspace)
{
    send("GET", QStringLiteral("/v1/workspaces/%1/members").arg(part(workspace)), {},
         [this, workspace](const QByteArray &body) {
             const Result<MemberList> list = Wire::parseMemberList(body);
             if (!list)
                 return badResponse(list.error().message);
             if (list->workspace != workspace)
                 return badResponse(
                     QStringLiteral("member list: it is for the workspace \"%1\", not \"%2\"")
                         .arg(list->workspace, workspace));
             Q_EMIT membersListed(workspace, list->members);
         });
}

void AccountClient::readStorage(const QString &workspace)
{
    send("GET", QStringLiteral("/v1/workspaces/%1/storage").arg(part(workspace)), {},
         [this, workspace](const QByteArray &body) {
             const Result<WorkspaceStorage> use = Wire::parseStorage(body);
             if (!use)
                 return badResponse(use.error().message);
             if (use->workspace != workspace)
                 return badResponse(
                     QStringLiteral("storage use: it is for the workspace \"%1\", not \"%2\"")
                         .arg(use->workspace, workspace));
             Q_EMIT storageRead(use.value());
         });
}

void AccountClient::setMember(const QString &workspace, const QString &user, const QString &role)
{
    send("PUT", QStringLiteral("/v1/workspaces/%1/members/%2").arg(part(workspace), part(user)),
         json({{QStringLiteral("role"), role}}),
         [this, workspace, user, role](const QByteArray &body) {
             const Result<MemberInfo> member = Wire::parseMemberSet(body);
             if (!member)
                 return badResponse(member.error().message);
             if (member->user != user || member->role != role)
                 return badResponse(
                     QStringLiteral("member change: it makes \"%1\" %2, not \"%3\" %4")
                         .arg(member->user, member->role, user, role.left(20)));
             Q_EMIT memberChanged(workspace, member.value());
         });
}

void AccountClient::removeMember(const QString &workspace, const QString &user)
{
    send("DELETE", QStringLiteral("/v1/workspaces/%1/members/%2").arg(part(workspace), part(user)),
         {}, [this, workspace, user](const QByteArray &body) {
             const Result<QString> removed = Wire::parseMemberRemoved(body);
             if (!removed)
                 return badResponse(removed.error().message);
             if (removed.value() != user)
                 return badResponse(QStringLiteral("member removal: it names \"%1\", not \"%2\"")
                                        .arg(removed.value(), user));
             Q_EMIT memberChanged(workspace, MemberInfo {user, {}});
         });
}

void AccountClient::acceptInvitation(const QString &workspace)
{
    send("POST", QStringLiteral("/v1/invitations/%1").arg(part(workspace)), {},
         [this, workspace](const QByteArray &body) {
             const Result<InvitationInfo> joined = Wire::parseInvitationAccepted(body);
             if (!joined)
                 return badResponse(joined.error().message);
             if (joined->workspace != workspace)
                 return badResponse(QStringLiteral("acceptance: it names \"%1\", not \"%2\"")
                                        .arg(joined->workspace, workspace));
             Q_EMIT invitationAnswered(workspace, joined->role);
         });
}

void AccountClient::declineInvitation(const QString &workspace)
{
    send("DELETE", QStringLiteral("/v1/invitations/%1").arg(part(workspace)), {},
         [this, workspace](const QByteArray &body) {
             const Result<QString> declined = Wire::parseInvitationDeclined(body);
             if (!declined)
                 return badResponse(declined.error().message);
             if (declined.value() != workspace)
                 return badResponse(QStringLiteral("declining: it names \"%1\", not \"%2\"")
                                        .arg(declined.value(), workspace));
             Q_EMIT invitationAnswered(workspace, QString());
         });
}

void AccountClient::leaveWorkspace(const QString &workspace)
{
    send("DELETE", QStringLiteral("/v1/workspaces/%1/membership").arg(part(workspace)), {},
         [this, workspace](const QByteArray &body) {
             const Result<QString> left = Wire::parseWorkspaceLeft(body);
             if (!left)
                 return badResponse(left.error().message);
             if (left.value() != workspace)
                 return badResponse(QStringLiteral("leaving: it names \"%1\", not \"%2\"")
                                        .arg(left.value(), workspace));
             Q_EMIT workspaceLeft(workspace);
         });
}

void AccountClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                         OnAnswer onAnswer)
{
    cancel();
    m_rejected = {};
    if (Status valid = AccountCheck::validateServerUrl(m_transport->server()); !valid) {
        Q_EMIT failed(valid.error());
        return;
    }
    Transport::Call call;
    call.method = method;
    call.path = path;
    call.body = body;
    call.idleTimeoutMs = m_idleTimeoutMs;
    call.maxAnswerBytes = Wire::kMaxAccountAnswerBytes;
    m_reply = m_transport->send(call);
    QNetworkReply *reply = m_reply.data();
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, onAnswer = std::move(onAnswer)] { onFinished(reply, onAnswer); });
    m_deadline->start(m_totalTimeoutMs);
}

void AccountClient::onFinished(QNetworkReply *reply, const OnAnswer &onAnswer)
{
    if (m_reply.data() != reply)
        return;
    m_reply = nullptr;
    m_deadline->stop();
    reply->deleteLater();
    if (!Transport::succeeded(reply)) {
        m_rejected = TlsTrust::rejected(reply);
        bool transient = false;
        Q_EMIT failed(m_transport->error(reply, &transient));
        return;
    }
    onAnswer(reply->read(Wire::kMaxAccountAnswerBytes + 1));
}

void AccountClient::fail(const Error &error)
{
    cancel();
    Q_EMIT failed(error);
}

void AccountClient::badResponse(const QString &problem)
{
    Q_EMIT failed(Error {QStringLiteral("bad_response"),
                         tr("The server at %1 sent an answer Ferry does not understand (%2); is "
                            "it a Ferry server?")
                             .arg(m_transport->server().toDisplayString(), problem)});
}

} // namespace Ferry
