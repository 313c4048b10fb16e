#pragma once

#include "accountanswers.h"
#include "result.h"
#include "tlstrust.h"

#include <QObject>
#include <QUrl>

namespace Ferry {

class AccountClient;

// Asks a server "who am I?" (GET /v1/me) to check its URL and a token before they are
// saved: signing in from ferry-cli or from the desktop app's first run, and the desktop
// app's workspace list. The answer is read like every account answer (AccountClient,
// accountanswers.h); the failures are worded for someone who just typed the address and
// token. Asynchronous; use it on one thread.
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
    RejectedCertificate rejectedCertificate() const;

    // Also checks the URL's shape, for callers that take it from a person.
    static Status validateServerUrl(const QUrl &server);

Q_SIGNALS:
    void succeeded(const Ferry::AccountInfo &account);
    void failed(const Ferry::Error &error);

private:
    void onFailed(const Error &error);

    AccountClient *m_client;
    QUrl m_server;
};

} // namespace Ferry
