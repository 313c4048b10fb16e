#include "accountcheck.h"

#include "wire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace Ferry {

QString AccountInfo::defaultWorkspace() const
{
    return workspaces.contains(user) ? user : workspaces.value(0);
}

AccountCheck::AccountCheck(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
    qRegisterMetaType<Ferry::AccountInfo>();
}

void AccountCheck::setTrustedFingerprint(const QString &fingerprint)
{
    // A connection kept open from before must not skip the new trust's check.
    if (fingerprint != m_trusted)
        m_network->clearConnectionCache();
    m_trusted = fingerprint;
}

AccountCheck::~AccountCheck()
{
    cancel();
}

Status AccountCheck::validateServerUrl(const QUrl &server)
{
    if (!server.isValid() || server.host().isEmpty()
        || (server.scheme() != QLatin1String("http") && server.scheme() != QLatin1String("https")))
        return Error {
            QStringLiteral("bad_url"),
            tr("\"%1\" is not a server address; it should look like https://ferry.example.org")
                .arg(server.toString())};
    return success();
}

void AccountCheck::start(const QUrl &server, const QString &token)
{
    cancel();
    m_server = server;
    m_rejected = {};
    if (Status valid = validateServerUrl(server); !valid) {
        Q_EMIT failed(valid.error());
        return;
    }
    QUrl me = server;
    QString path = server.path();
    if (path.endsWith(QLatin1Char('/')))
        path.chop(1);
    me.setPath(path + QStringLiteral("/v1/me"));
    QNetworkRequest request(me);
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setTransferTimeout(15000);
    m_reply = m_network->get(request);
    TlsTrust::guard(m_reply, m_trusted);
    connect(m_reply, &QNetworkReply::finished, this, &AccountCheck::onFinished);
}

void AccountCheck::cancel()
{
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void AccountCheck::onFinished()
{
    QNetworkReply *reply = m_reply.data();
    if (!reply)
        return;
    m_reply = nullptr;
    reply->deleteLater();
    const QString server = m_server.toDisplayString();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (status == 0) {
        m_rejected = TlsTrust::rejected(reply);
        if (!m_rejected.isNull()) {
            Q_EMIT failed(TlsTrust::certificateError(m_rejected));
            return;
        }
        Q_EMIT failed(Error {QStringLiteral("network"),
                             tr("Cannot reach %1 (%2).").arg(server, reply->errorString())});
        return;
    }
    if (status == 401) {
        Q_EMIT failed(Error {QStringLiteral("unauthorized"),
                             tr("The server at %1 does not accept this token.").arg(server)});
        return;
    }
    const QByteArray body = reply->readAll();
    if (status != 200) {
        const QJsonObject answer = QJsonDocument::fromJson(body).object();
        Q_EMIT failed(
            Error {QStringLiteral("http_%1").arg(status),
                   tr("The server at %1 answered %2: %3")
                       .arg(server)
                       .arg(status)
                       .arg(answer.value(QStringLiteral("message")).toString().left(500))});
        return;
    }
    const Result<Wire::MeAnswer> me = Wire::parseMeAnswer(body);
    if (!me) {
        Q_EMIT failed(Error {
            QStringLiteral("bad_response"),
            tr("The server at %1 did not say who this token belongs to; is it a Ferry server? "
               "(%2)")
                .arg(server, me.error().message)});
        return;
    }
    AccountInfo account;
    account.user = me->user;
    account.workspaces = me->workspaces;
    account.roles = me->roles;
    Q_EMIT succeeded(account);
}

} // namespace Ferry
