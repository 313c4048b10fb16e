#pragma once

#include "accountanswers.h"
#include "result.h"
#include "tlstrust.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

class QNetworkReply;
class QTimer;

namespace Ferry {

class Transport;

// The account calls of the protocol: register, sign in, list and revoke devices, sign out,
// new workspaces, a workspace's members (list, invite, unshare), answering invitations and
// leaving a workspace, for ferry-cli and the desktop app. One call at a time: starting one cancels
// the one under way. Each call ends with its own signal or with failed(), once. The server's
// answers are read by accountanswers.h, never more than Wire::kMaxAccountAnswerBytes of them.
// Asynchronous; use it on one thread.
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
    // How long a call may go without receiving anything (default 15 s), and how long it may
    // take in all (default 60 s, so a server sending a byte now and then cannot hold it).
    void setTimeouts(int idleMs, int totalMs);

    // Who the token belongs to and the workspaces it may use (GET /v1/me).
    void readAccount();
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
    // Answers an invitation to `workspace` (AccountInfo::invitations): invitationAnswered().
    void acceptInvitation(const QString &workspace);
    void declineInvitation(const QString &workspace);
    // Leaves a workspace shared with this account (not one it owns): workspaceLeft().
    void leaveWorkspace(const QString &workspace);
    // What `workspace` keeps on the server (its owner only): storageRead() or failed().
    void readStorage(const QString &workspace);
    void cancel();
    // After a failure with code "certificate": the certificate the server showed, for a
    // person to decide whether to trust it; null otherwise.
    RejectedCertificate rejectedCertificate() const { return m_rejected; }
    // The transport every call goes through (its network access manager can be replaced).
    Transport *transport() const { return m_transport; }

Q_SIGNALS:
    void accountRead(const Ferry::AccountInfo &account);
    void registered(const QString &user);
    void signedIn(const Ferry::SignedIn &session);
    void devicesListed(const QList<Ferry::DeviceInfo> &devices);
    void deviceRevoked(const QString &id); // also after signOut(), with this device's id
    void workspaceCreated(const QString &workspace);
    void membersListed(const QString &workspace, const QList<Ferry::MemberInfo> &members);
    // After setMember() with the new role, after removeMember() with an empty role.
    void memberChanged(const QString &workspace, const Ferry::MemberInfo &member);
    // With the role now held after accepting, an empty role after declining.
    void invitationAnswered(const QString &workspace, const QString &role);
    void workspaceLeft(const QString &workspace);
    void storageRead(const Ferry::WorkspaceStorage &use);
    void failed(const Ferry::Error &error);

private:
    using OnAnswer = std::function<void(const QByteArray &body)>;
    void send(const QByteArray &method, const QString &path, const QByteArray &body,
              OnAnswer onAnswer);
    void onFinished(QNetworkReply *reply, const OnAnswer &onAnswer);
    // Ends the call under way with `error`.
    void fail(const Error &error);
    void badResponse(const QString &problem);

    Transport *m_transport;
    QTimer *m_deadline;
    int m_idleTimeoutMs = 15000;
    int m_totalTimeoutMs = 60000;
    QPointer<QNetworkReply> m_reply;
    RejectedCertificate m_rejected;
};

} // namespace Ferry
