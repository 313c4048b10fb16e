#include "accountclient.h"

#include "accountcheck.h"
#include "tlstrust.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

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
    , m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<Ferry::SignedIn>();
    qRegisterMetaType<Ferry::DeviceInfo>();
    qRegisterMetaType<Ferry::MemberInfo>();
}

void AccountClient::setTrustedFingerprint(const QString &fingerprint)
{
    // A connection kept open from before must not skip the new trust's check.
    if (fingerprint != m_trusted)
        m_network->clearConnectionCache();
    m_trusted = fingerprint;
}

AccountClient::~AccountClient()
{
    cancel();
}

void AccountClient::setServer(const QUrl &server, const QString &token)
{
    m_server = server;
    m_token = token;
}

void AccountClient::cancel()
{
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void AccountClient::registerAccount(const QString &user, const QString &password)
{
    send("POST", QStringLiteral("/v1/accounts"),
         json({{QStringLiteral("user"), user}, {QStringLiteral("password"), password}}),
         [this](const QJsonObject &answer) {
             const QJsonValue name = answer.value(QStringLiteral("user"));
             if (!name.isString())
                 return badResponse(QStringLiteral("a registration"));
             Q_EMIT registered(name.toString());
         });
}

void AccountClient::signIn(const QString &user, const QString &password, const QString &deviceName)
{
    send("POST", QStringLiteral("/v1/sessions"),
         json({{QStringLiteral("user"), user},
               {QStringLiteral("password"), password},
               {QStringLiteral("device"), deviceName}}),
         [this](const QJsonObject &answer) {
             const SignedIn session {answer.value(QStringLiteral("user")).toString(),
                                     answer.value(QStringLiteral("token")).toString(),
                                     answer.value(QStringLiteral("device")).toString()};
             if (session.user.isEmpty() || session.token.isEmpty() || session.device.isEmpty())
                 return badResponse(QStringLiteral("a sign-in"));
             Q_EMIT signedIn(session);
         });
}

void AccountClient::listDevices()
{
    send("GET", QStringLiteral("/v1/devices"), {}, [this](const QJsonObject &answer) {
        const QJsonValue list = answer.value(QStringLiteral("devices"));
        if (!list.isArray())
            return badResponse(QStringLiteral("the device list"));
        QList<DeviceInfo> devices;
        for (const QJsonValue &v : list.toArray()) {
            const QJsonObject d = v.toObject();
            DeviceInfo device {d.value(QStringLiteral("id")).toString(),
                               d.value(QStringLiteral("name")).toString(),
                               qint64(d.value(QStringLiteral("created")).toDouble()),
                               qint64(d.value(QStringLiteral("last_used")).toDouble()),
                               d.value(QStringLiteral("current")).toBool()};
            if (device.id.isEmpty())
                return badResponse(QStringLiteral("the device list"));
            devices.append(device);
        }
        Q_EMIT devicesListed(devices);
    });
}

void AccountClient::revokeDevice(const QString &id)
{
    send("DELETE", QStringLiteral("/v1/devices/") + part(id), {},
         [this, id](const QJsonObject &) { Q_EMIT deviceRevoked(id); });
}

void AccountClient::signOut()
{
    send("DELETE", QStringLiteral("/v1/sessions/current"), {}, [this](const QJsonObject &answer) {
        Q_EMIT deviceRevoked(answer.value(QStringLiteral("revoked")).toString());
    });
}

void AccountClient::createWorkspace(const QString &workspace)
{
    send("POST", QStringLiteral("/v1/workspaces"), json({{QStringLiteral("id"), workspace}}),
         [this, workspace](const QJsonObject &answer) {
             if (answer.value(QStringLiteral("id")).toString() != workspace)
                 return badResponse(QStringLiteral("a new workspace"));
             Q_EMIT workspaceCreated(workspace);
         });
}

void AccountClient::listMembers(const QString &workspace)
{
    send("GET", QStringLiteral("/v1/workspaces/%1/members").arg(part(workspace)), {},
         [this, workspace](const QJsonObject &answer) {
             const QJsonValue list = answer.value(QStringLiteral("members"));
             if (!list.isArray())
                 return badResponse(QStringLiteral("the member list"));
             QList<MemberInfo> members;
             for (const QJsonValue &v : list.toArray()) {
                 const QJsonObject m = v.toObject();
                 MemberInfo member {m.value(QStringLiteral("user")).toString(),
                                    m.value(QStringLiteral("role")).toString()};
                 if (member.user.isEmpty() || member.role.isEmpty())
                     return badResponse(QStringLiteral("the member list"));
                 members.append(member);
             }
             Q_EMIT membersListed(workspace, members);
         });
}

void AccountClient::setMember(const QString &workspace, const QString &user, const QString &role)
{
    send("PUT", QStringLiteral("/v1/workspaces/%1/members/%2").arg(part(workspace), part(user)),
         json({{QStringLiteral("role"), role}}),
         [this, workspace, user](const QJsonObject &answer) {
             Q_EMIT memberChanged(
                 workspace, MemberInfo {user, answer.value(QStringLiteral("role")).toString()});
         });
}

void AccountClient::removeMember(const QString &workspace, const QString &user)
{
    send("DELETE", QStringLiteral("/v1/workspaces/%1/members/%2").arg(part(workspace), part(user)),
         {}, [this, workspace, user](const QJsonObject &) {
             Q_EMIT memberChanged(workspace, MemberInfo {user, {}});
         });
}

void AccountClient::send(const QByteArray &method, const QString &path, const QByteArray &body,
                         OnAnswer onAnswer)
{
    cancel();
    if (Status valid = AccountCheck::validateServerUrl(m_server); !valid) {
        Q_EMIT failed(valid.error());
        return;
    }
    QUrl url = m_server;
    QString base = m_server.path(QUrl::FullyEncoded);
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + path, QUrl::StrictMode);
    QNetworkRequest request(url);
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    request.setTransferTimeout(15000);
    m_reply = m_network->sendCustomRequest(request, method, body);
    QNetworkReply *reply = m_reply.data();
    TlsTrust::guard(reply, m_trusted);
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, onAnswer = std::move(onAnswer)] { onFinished(reply, onAnswer); });
}

void AccountClient::onFinished(QNetworkReply *reply, const OnAnswer &onAnswer)
{
    if (m_reply.data() != reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    const QString server = m_server.toDisplayString();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        if (std::optional<Error> certificate = TlsTrust::certificateError(reply)) {
            Q_EMIT failed(*certificate);
            return;
        }
        Q_EMIT failed(Error {QStringLiteral("network"),
                             tr("Cannot reach %1 (%2).").arg(server, reply->errorString())});
        return;
    }
    const QJsonObject answer = QJsonDocument::fromJson(reply->readAll()).object();
    if (status < 200 || status > 299) {
        const QString code = answer.value(QStringLiteral("code")).toString();
        QString message = answer.value(QStringLiteral("message")).toString();
        if (message.isEmpty())
            message = tr("The server at %1 answered %2.").arg(server).arg(status);
        Q_EMIT failed(
            Error {code.isEmpty() ? QStringLiteral("http_%1").arg(status) : code, message});
        return;
    }
    onAnswer(answer);
}

void AccountClient::badResponse(const QString &what)
{
    Q_EMIT failed(Error {QStringLiteral("bad_response"),
                         tr("The server at %1 sent %2 Ferry does not understand; is it a Ferry "
                            "server?")
                             .arg(m_server.toDisplayString(), what)});
}

} // namespace Ferry
