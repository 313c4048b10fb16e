#pragma once

#include "result.h"
#include "statements.h"
#include "storebackend.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <optional>

namespace FerryServer {

// A workspace the user belongs to, with the user's role in it.
struct Membership
{
    QString workspace;
    QString role; // "owner", "editor" or "viewer"
};

// One person with access to a workspace.
struct Member
{
    QString user;
    QString role;
};

// A role offered to a person, waiting for them to accept or decline it.
struct Invitation
{
    QString workspace;
    QString user;
    QString role; // "editor" or "viewer"
    QString from; // the owner who offered it
};

// Who a bearer token belongs to: the user and the device (the token's id).
struct TokenOwner
{
    QString user;
    QString device;
    QString deviceName; // as given at sign-in, and as the device list shows it
};

// One signed-in device of a user: a token that has not been revoked.
struct Device
{
    QString id; // 16 lowercase hex digits; not the token, not its hash
    QString name; // as the client gave it
    qint64 created = 0;
    qint64 lastUsed = 0; // 0 if never used after signing in
};

// A token just made: the plain token (shown once) and its device id.
struct NewToken
{
    QString token;
    QString device;
};

// ferry-server's database: users, tokens, workspaces, members, records, remembered push
// batches and which workspace has which blob, in one SQLite file (DIR/ferry.db) or in
// PostgreSQL (StoreBackend says what differs). Owns the connection; every method runs on the
// thread that opened it (the server's thread). Push and pull live in their own classes
// (PushService, PullService) and use database() and backend() directly.
class ServerStore
{
public:
    ServerStore();
    ~ServerStore();
    ServerStore(const ServerStore &) = delete;
    ServerStore &operator=(const ServerStore &) = delete;

    using Durability = StoreBackend::Durability;

    // Creates DIR if needed (blobs live there), opens the database — DIR/ferry.db, or the
    // PostgreSQL database `database` names (StoreBackend::choose) — and brings the schema up
    // to date.
    Ferry::Status open(const QString &dataDir, const QString &database = {},
                       Durability durability = Durability::Full);
    // Opens another connection to the database `other` opened, for a thread of its own (it
    // reads; the schema is `other`'s business).
    Ferry::Status openAnother(const ServerStore &other);
    QSqlDatabase database() const;
    const StoreBackend &backend() const { return *m_backend; }
    // The connection's kept prepared statements, for the queries run on every request.
    Statements &statements() const { return *m_statements; }
    // The folder given to open(): the database and the blobs live there.
    QString dataDir() const { return m_dataDir; }

    // The user a (plain) token belongs to, or an empty string for unknown/revoked tokens.
    QString userForToken(const QByteArray &token);
    // Like userForToken() with the device, and notes when the device was last used (at most
    // one write a minute per device).
    std::optional<TokenOwner> authenticate(const QByteArray &token);
    // The user's role in the workspace, or an empty string if not a member / no workspace;
    // an Error ("database") when it cannot be read.
    Ferry::Result<QString> roleOf(const QString &workspace, const QString &user);
    QList<Membership> membershipsOf(const QString &user);
    // The workspace's sequence (docs/protocol.md, "Data model"), or -1 if there is no such
    // workspace or it could not be read.
    qint64 sequenceOf(const QString &workspace);

    // Administration. All are idempotent where that makes sense.
    // Creates the user if there is none of that name; a name that differs from an existing
    // one only in case is user_exists (one person, one name).
    Ferry::Status ensureUser(const QString &user);
    // Returns the plain token. `deviceName`: how the device appears in the account's device
    // list and beside its changes; empty: "ferry-server admin".
    Ferry::Result<QString> createToken(const QString &user, const QString &deviceName = {});
    Ferry::Result<NewToken> createDeviceToken(const QString &user, const QString &deviceName);
    Ferry::Status revokeToken(const QString &token);
    QList<Device> devicesOf(const QString &user);
    // Whether `device` is one of the user's signed-in (not revoked) devices.
    bool deviceActive(const QString &user, const QString &device);
    // Fails with "no_such_device" if `device` is not one of the user's signed-in devices.
    Ferry::Status revokeDevice(const QString &user, const QString &device);

    // Accounts. A user made by "token create" has no password until one is set.
    // Fails with "user_exists" if the name is taken, in any case.
    Ferry::Status createAccount(const QString &user, const QByteArray &passwordHash);
    QByteArray passwordHashOf(const QString &user);
    Ferry::Status setPasswordHash(const QString &user, const QByteArray &passwordHash);
    bool registrationOpen();
    Ferry::Status setRegistrationOpen(bool open);
    bool userExists(const QString &user);
    bool workspaceExists(const QString &workspace);
    // Every workspace's id, in order.
    Ferry::Result<QStringList> workspaceIds();
    // Fails with "workspace_exists" if the id is taken, too_many_workspaces if the owner has
    // no room for another (roomForAnotherWorkspace(), in the same transaction).
    Ferry::Status createWorkspace(const QString &workspace, const QString &owner);
    // A workspace the user owns: the one named after them, else another they own, else a new
    // one named after them (with a random suffix when someone else holds that id). Returns
    // its id.
    Ferry::Result<QString> ensureOwnWorkspace(const QString &user);
    Ferry::Status addMember(const QString &workspace, const QString &user, const QString &role);
    // Fails with "not_member" if the user has no role there.
    Ferry::Status removeMember(const QString &workspace, const QString &user);
    QList<Member> membersOf(const QString &workspace); // the owner first, then by name

    // Sharing by consent (docs/protocol.md, "Sharing"). The most workspaces one account may
    // belong to, and the most invitations that may wait for it.
    static constexpr int kMaxMemberships = 1000;
    static constexpr int kMaxInvitations = 100;
    // too_many_workspaces if `user` already belongs to kMaxMemberships workspaces.
    Ferry::Status roomForAnotherWorkspace(const QString &user);
    // Offers `role` to `user` (again, replacing an earlier offer); too_many_invitations when
    // kMaxInvitations others wait for them.
    Ferry::Status invite(const QString &workspace, const QString &user, const QString &role,
                         const QString &by);
    // The invitation becomes a membership; returns its role. no_invitation if none waits,
    // too_many_workspaces if the user has no room for another.
    Ferry::Result<QString> acceptInvitation(const QString &workspace, const QString &user);
    // Declined by the user or withdrawn by the owner; no_invitation if none waits.
    Ferry::Status dropInvitation(const QString &workspace, const QString &user);
    Ferry::Result<QList<Invitation>> invitationsOf(const QString &user); // oldest first
    Ferry::Result<QList<Invitation>> invitationsTo(const QString &workspace); // by name

    static QByteArray hashToken(const QByteArray &token);
    static Ferry::Error noInvitation(const QString &workspace);
    // Batch, device, workspace and user ids: 1-64 of [A-Za-z0-9_-].
    static bool isValidId(const QString &id);
    // `bytes` random bytes (a multiple of 4) as lowercase hex, from the system's CSPRNG.
    static QString randomHex(int bytes);
    // A device name people read: 1 to Wire::kMaxDeviceNameLength characters, not only
    // spaces, without control characters.
    static bool isValidDeviceName(const QString &name);

private:
    // user_exists for `user`, naming the spelling that has it when that differs in case.
    Ferry::Error nameTaken(const QString &user);
    // `sql` counts rows for the one bound user name.
    Ferry::Result<qint64> countOf(const QString &sql, const QString &user);
    Ferry::Status migrate();
    // One schema step: `statements`, then `then` (data the statements cannot compute).
    Ferry::Status apply(int version, const QStringList &statements,
                        const std::function<Ferry::Status()> &then);
    Ferry::Status exec(const QString &sql);

    QString m_connectionName;
    QString m_dataDir;
    QString m_databaseName; // open()'s `database`
    Durability m_durability = Durability::Full;
    std::unique_ptr<StoreBackend> m_backend;
    std::unique_ptr<Statements> m_statements; // let go before the connection closes
};

// The Error for a failed query, with the driver's message.
Ferry::Error databaseError(const QString &what, const QString &driverMessage);
// Runs one statement without bound values on `db`.
Ferry::Status execute(const QSqlDatabase &db, const QString &sql);

} // namespace FerryServer
