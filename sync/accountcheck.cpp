#include "accountcheck.h"

#include "accountclient.h"

namespace Ferry {

AccountCheck::AccountCheck(QObject *parent)
    : QObject(parent)
    , m_client(new AccountClient(this))
{
    connect(m_client, &AccountClient::accountRead, this, &AccountCheck::succeeded);
    connect(m_client, &AccountClient::failed, this, &AccountCheck::onFailed);
}

AccountCheck::~AccountCheck() = default;

void AccountCheck::setTrustedFingerprint(const QString &fingerprint)
{
    m_client->setTrustedFingerprint(fingerprint);
}

RejectedCertificate AccountCheck::rejectedCertificate() const
{
    return m_client->rejectedCertificate();
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
    m_server = server;
    m_client->setServer(server, token);
    m_client->readAccount();
}

void AccountCheck::cancel()
{
    m_client->cancel();
}

void AccountCheck::onFailed(const Error &error)
{
    const QString server = m_server.toDisplayString();
    if (error.code == QLatin1String("unauthorized") || error.code == QLatin1String("http_401")) {
        Q_EMIT failed(Error {QStringLiteral("unauthorized"),
                             tr("The server at %1 does not accept this token.").arg(server)});
        return;
    }
    Q_EMIT failed(error);
}

} // namespace Ferry
