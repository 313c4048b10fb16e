#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

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

// One person with access to a workspace, or invited to it.
struct MemberInfo
{
    QString user;
    QString role; // "owner", "editor" or "viewer"
    // Offered the role and not yet accepted: no access until they do.
    bool invited = false;
};

// A role in someone's workspace offered to this account, waiting for it to accept or decline.
struct InvitationInfo
{
    QString workspace;
    QString role; // "editor" or "viewer"
    QString from; // the owner who offered it
};

// Who a token belongs to on a server (GET /v1/me), and the workspaces that account may use.
struct AccountInfo
{
    QString user;
    QStringList workspaces; // ids, in the server's order
    QStringList roles; // one per workspace: "owner", "editor" or "viewer"
    QList<InvitationInfo> invitations; // oldest first
    // The workspace to use when none was named: one the user owns (the one named after them
    // first); empty when they own none, never one shared with them.
    QString defaultWorkspace() const;
    QString roleOf(const QString &workspace) const
    {
        return roles.value(workspaces.indexOf(workspace));
    }
};

// The answer to GET /v1/workspaces/{ws}/members.
struct MemberList
{
    QString workspace;
    QList<MemberInfo> members;
};

// What a workspace keeps on the server, as GET /v1/workspaces/{ws}/storage tells its owner.
struct WorkspaceStorage
{
    QString workspace;
    qint64 records = 0; // deleted ones included
    qint64 blobs = 0;
    qint64 bytes = 0; // of its blobs
};

} // namespace Ferry

// The answers to the account calls (docs/protocol.md, "Accounts and devices" and "Sharing"),
// read as strictly as the sync answers in wire.h: a server controls every byte, so each parse
// checks the JSON (wire's strict rules), every type, id, role and length, and returns a
// "bad_response" Error naming the part that is wrong. Pure functions; any thread.
namespace Ferry::Wire {

// The most of an account answer a client reads: these answers are a few lines long.
inline constexpr qsizetype kMaxAccountAnswerBytes = 1024 * 1024;
// The longest device or member list a client accepts.
inline constexpr int kMaxAccountListEntries = 10000;
// A device name as the server accepts it: 1 to 100 characters without control characters.
inline constexpr int kMaxDeviceNameLength = 100;
// The longest token a client keeps (the server makes 64 hexadecimal digits).
inline constexpr int kMaxTokenLength = 512;
// The longest part of a server's refusal shown to a person, in characters.
inline constexpr int kMaxErrorMessageLength = 500;

// "owner", "editor" or "viewer".
bool isValidRole(const QString &role);
// A bearer token that can go into a header as it is: 1 to kMaxTokenLength of
// [A-Za-z0-9._~+/=-].
bool isValidToken(const QString &token);

// GET /v1/me: a user id and unique workspace ids, each with a valid role.
Result<AccountInfo> parseAccountInfo(const QByteArray &body);
// POST /v1/accounts: the new account's user name.
Result<QString> parseRegistered(const QByteArray &body);
// POST /v1/sessions.
Result<SignedIn> parseSignedIn(const QByteArray &body);
// GET /v1/devices: unique ids, at most one device marked current.
Result<QList<DeviceInfo>> parseDeviceList(const QByteArray &body);
// DELETE /v1/devices/{id} and DELETE /v1/sessions/current: the revoked device's id.
Result<QString> parseRevoked(const QByteArray &body);
// POST /v1/workspaces: the new workspace's id (its role, if given, must be "owner").
Result<QString> parseWorkspaceCreated(const QByteArray &body);
// GET /v1/workspaces/{ws}/members: unique users, at most one owner.
Result<MemberList> parseMemberList(const QByteArray &body);
// PUT /v1/workspaces/{ws}/members/{user}: the member as they are now, or as invited.
Result<MemberInfo> parseMemberSet(const QByteArray &body);
// POST /v1/invitations/{ws}: the workspace joined and the role in it (`from` empty).
Result<InvitationInfo> parseInvitationAccepted(const QByteArray &body);
// DELETE /v1/invitations/{ws}: the workspace whose invitation was declined.
Result<QString> parseInvitationDeclined(const QByteArray &body);
// DELETE /v1/workspaces/{ws}/membership: the workspace left.
Result<QString> parseWorkspaceLeft(const QByteArray &body);
// DELETE /v1/workspaces/{ws}/members/{user}: the removed user.
Result<QString> parseMemberRemoved(const QByteArray &body);

// GET /v1/workspaces/{ws}/storage (owner only).
Result<WorkspaceStorage> parseStorage(const QByteArray &body);

// What an answer about blobs says of the upload token the client named (`files`, see
// docs/protocol.md, "Upload tokens").
struct FilesCheck
{
    QString head; // the token of the workspace's latest upload; empty if none was named
    bool lost = false; // the server no longer has the upload the client's token names
};
// POST /v1/workspaces/{ws}/blobs/missing: ids, each one of `asked`, each once.
struct MissingBlobs
{
    QStringList missing;
    FilesCheck files;
};
Result<MissingBlobs> parseMissingBlobs(const QByteArray &body, const QStringList &asked);
// A blob upload's state (PUT /v1/workspaces/{ws}/blobs/{id}, GET …/upload, and the body of a
// 409 wrong_offset): how many bytes the server holds and whether the workspace has the blob.
struct BlobUploadState
{
    qint64 offset = 0;
    qint64 size = -1; // -1: no upload started
    bool complete = false;
    FilesCheck files = {};
};
Result<BlobUploadState> parseBlobUploadState(const QByteArray &body, const QString &blob);
// The `offset` of a 409 wrong_offset refusal; nullopt if the body has none.
std::optional<qint64> parseWrongOffset(const QByteArray &body);

// The Error for an answer with a status outside 2xx from `server` (as shown to people). The
// server's "code" and "message" are used only when they are strings that fit (a code of
// [a-z0-9_], a message without control characters, shortened to kMaxErrorMessageLength);
// otherwise the code is "http_<status>" and the message "The server at … answered <status>."
Error parseErrorAnswer(int status, const QByteArray &body, const QString &server);

} // namespace Ferry::Wire

Q_DECLARE_METATYPE(Ferry::AccountInfo)
Q_DECLARE_METATYPE(Ferry::SignedIn)
Q_DECLARE_METATYPE(Ferry::DeviceInfo)
Q_DECLARE_METATYPE(Ferry::MemberInfo)
