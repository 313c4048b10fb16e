#pragma once

#include "result.h"
#include "tlstrust.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

class QNetworkAccessManager;
class QNetworkReply;

namespace Ferry {

// Who a token belongs to on a server, and which workspaces that account may use.
struct AccountInfo
{
    QString user;
    QStringList workspaces;
    QStringList roles; // one per workspace: "owner", "editor" or "viewer"
    QString roleOf(const QString &workspace) const
    {
        return roles.value(workspaces.indexOf(workspace));
    }
    // The workspace to use when none was named: the one named after the user, else the first.
    QString defaultWorkspace() const;
};

// Asks a server "who am I?" (GET /v1/me) to check its URL and a token before they are
// saved: signing in from ferry-cli or from the desktop app's first run. Asynchronous; use it
// on one thread.
class AccountCheck : public QObject
{
    Q_OBJECT

public:
    explicit AccountCheck(QObject *parent = nullptr);
    ~AccountCheck() override;

    // The one certificate to accept beyond the system's CAs (TlsTrust), for the next start().
    void setTrustedFingerprint(const QString &fingerprint);
    void start(const QUrl &server, const QString &token);
    void cancel();
    // After a failure with code "certificate": the certificate the server showed, for a
    // person to decide whether to trust it; null otherwise.
    RejectedCertificate rejectedCertificate() const { return m_rejected; }

    // Also checks the URL's shape, for callers that take it from a person.
    static Status validateServerUrl(const QUrl &server);

Q_SIGNALS:
    void succeeded(const Ferry::AccountInfo &account);
    void failed(const Ferry::Error &error);

private:
    void onFinished();

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    QUrl m_server;
    QString m_trusted;
    RejectedCertificate m_rejected;
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::AccountInfo)
