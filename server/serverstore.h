#pragma once

#include "result.h"

#include <QList>
#include <QSqlDatabase>
#include <QString>

namespace FerryServer {

// A workspace the user belongs to, with the user's role in it.
struct Membership
{
    QString workspace;
    QString role; // "owner", "editor" or "viewer"
};

// ferry-server's database: one SQLite file (DIR/ferry.db) holding users, tokens, workspaces,
// members, records and remembered push batches. Owns the connection; every method runs on
// the thread that opened it (the server is single-threaded). Push and pull live in their own
// classes (PushService, PullService) and use database() directly.
class ServerStore
{
public:
    ServerStore();
    ~ServerStore();
    ServerStore(const ServerStore &) = delete;
    ServerStore &operator=(const ServerStore &) = delete;

    // Creates DIR if needed, opens DIR/ferry.db and brings the schema up to date.
    Ferry::Status open(const QString &dataDir);
    QSqlDatabase database() const;

    // The user a (plain) token belongs to, or an empty string for unknown/revoked tokens.
    QString userForToken(const QByteArray &token);
    // The user's role in the workspace, or an empty string if not a member / no workspace.
    QString roleOf(const QString &workspace, const QString &user);
    QList<Membership> membershipsOf(const QString &user);
    // The workspace's sequence (docs/protocol.md, "Data model"), or -1 if there is no such
    // workspace or it could not be read.
    qint64 sequenceOf(const QString &workspace);

    // Administration. All are idempotent where that makes sense.
    Ferry::Status ensureUser(const QString &user);
    Ferry::Result<QString> createToken(const QString &user); // returns the plain token
    Ferry::Status revokeToken(const QString &token);
    bool userExists(const QString &user);
    bool workspaceExists(const QString &workspace);
    // Fails with "workspace_exists" if the id is taken.
    Ferry::Status createWorkspace(const QString &workspace, const QString &owner);
    Ferry::Status addMember(const QString &workspace, const QString &user, const QString &role);

    static QByteArray hashToken(const QByteArray &token);
    // Batch, device, workspace and user ids: 1-64 of [A-Za-z0-9_-].
    static bool isValidId(const QString &id);

private:
    Ferry::Status migrate();
    Ferry::Status exec(const QString &sql);

    QString m_connectionName;
};

// The Error for a failed query, with the driver's message.
Ferry::Error databaseError(const QString &what, const QString &driverMessage);

} // namespace FerryServer
