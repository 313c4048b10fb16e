#pragma once

#include "result.h"

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

    void start(const QUrl &server, const QString &token);
    void cancel();

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
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::AccountInfo)
