#pragma once

#include "result.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

class QJsonObject;
class QNetworkAccessManager;
class QNetworkReply;

namespace Ferry {

// A token just made by signing in (docs/protocol.md, "Accounts and devices").
struct SignedIn
{
    QString user;
    QString token;
    QString device; // the device id, for the device list
};

// One signed-in device of the account.
struct DeviceInfo
{
    QString id;
    QString name;
    qint64 created = 0; // server time, ms since the epoch
    qint64 lastUsed = 0; // 0 if never used after signing in
    bool current = false; // the device whose token asked
};

// One person with access to a workspace.
struct MemberInfo
{
    QString user;
    QString role; // "owner", "editor" or "viewer"
};

// The account calls of the protocol: register, sign in, list and revoke devices, sign out,
// new workspaces, and a workspace's members (list, share, unshare), for ferry-cli and the desktop
// app. One call at a time: starting one cancels the one under way. Each call ends with its own
// signal or with failed(). Asynchronous; use it on one thread.
class AccountClient : public QObject
{
    Q_OBJECT

public:
    explicit AccountClient(QObject *parent = nullptr);
    ~AccountClient() override;

    // The token is needed by every call but registerAccount() and signIn().
    void setServer(const QUrl &server, const QString &token = {});
    // The one certificate to accept beyond the system's CAs (sync/tlstrust.h).
    void setTrustedFingerprint(const QString &fingerprint);

    void registerAccount(const QString &user, const QString &password);
    void signIn(const QString &user, const QString &password, const QString &deviceName);
    void listDevices();
    void revokeDevice(const QString &id);
    void signOut();
    // A new workspace owned by this account (ids: 1–64 of [A-Za-z0-9_-]).
    void createWorkspace(const QString &workspace);
    void listMembers(const QString &workspace);
    void setMember(const QString &workspace, const QString &user, const QString &role);
    void removeMember(const QString &workspace, const QString &user);
    void cancel();

Q_SIGNALS:
    void registered(const QString &user);
    void signedIn(const Ferry::SignedIn &session);
    void devicesListed(const QList<Ferry::DeviceInfo> &devices);
    void deviceRevoked(const QString &id); // also after signOut(), with this device's id
    void workspaceCreated(const QString &workspace);
    void membersListed(const QString &workspace, const QList<Ferry::MemberInfo> &members);
    // After setMember() with the new role, after removeMember() with an empty role.
    void memberChanged(const QString &workspace, const Ferry::MemberInfo &member);
    void failed(const Ferry::Error &error);

private:
    using OnAnswer = std::function<void(const QJsonObject &answer)>;
    void send(const QByteArray &method, const QString &path, const QByteArray &body,
              OnAnswer onAnswer);
    void onFinished(QNetworkReply *reply, const OnAnswer &onAnswer);
    void badResponse(const QString &what);

    QNetworkAccessManager *m_network;
    QPointer<QNetworkReply> m_reply;
    QUrl m_server;
    QString m_token;
    QString m_trusted;
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::SignedIn)
Q_DECLARE_METATYPE(Ferry::DeviceInfo)
Q_DECLARE_METATYPE(Ferry::MemberInfo)
