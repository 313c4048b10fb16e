#pragma once

#include "result.h"

#include <QString>
#include <QStringList>
#include <QUrl>

namespace Ferry {

class LocalStore;

// How a profile reaches its records, as saved in the profile's settings file. The token
// that opens the account is not here: TokenStore keeps it (in the keychain where there is
// one).
struct ProfileAccount
{
    QUrl server;
    QString workspace;
    QString user;
    // The one server certificate trusted beyond the system's CAs (sync/tlstrust.h), or empty.
    QString trustedFingerprint;
    // Records kept on this computer by the bundled ferry-server, with its data in this folder.
    bool localServer = false;
    QString localServerData;

    // Connected to a server (an http or https address), or set to run the local one.
    bool isConfigured() const;
};

// One profile: the folder that holds a device's records (a store per workspace), its
// settings file (the account above and the desktop's preferences), its files and the
// bundled server's data. `ferry` and `ferry-cli` reach a profile only through this class,
// so both programs agree about the same folder: which store holds a workspace, which
// account and workspace are in use, where the token is kept.
//
// settings.ini    account (group "account") and the desktop's preferences
// ferry.db        the first store: the first workspace this profile synced with
// workspaces/ID/  the store of each other workspace
// blobs/          the files records refer to
// server/         the bundled server's data, when records stay on this computer
// token           the token, only where no keychain answers (owner-only)
class Profile
{
public:
    // `nameOrFolder`: a profile's name ("default", "work": a folder under standardRoot()), or
    // the path of a folder (anything with a slash). Empty: "default".
    explicit Profile(const QString &nameOrFolder = QString());

    static QString defaultName() { return QStringLiteral("default"); }
    // Where named profiles live: the platform's data folder, Ferry/profiles.
    static QString standardRoot();
    // The named profiles that exist, sorted.
    static QStringList names();

    QString folder() const { return m_folder; }
    // The name given, or for a folder the folder's absolute path.
    QString name() const { return m_name; }
    bool isNamed() const { return m_named; }
    // Short, for titles and the tray: the name, or the folder's own name.
    QString displayName() const;

    QString settingsPath() const;
    QString tokenPath() const;
    // The key the token has in the keychain (service "Ferry"): the profile's folder.
    QString keychainKey() const;
    QString blobFolder() const;
    QString localServerFolder() const;

    // The store that holds the records of `workspace`: the first store if it holds them or
    // holds none yet (and the workspace has no store of its own), else the workspace's own.
    // Empty `workspace`: the first store.
    QString storePath(const QString &workspace) const;
    QString firstStorePath() const;
    // The workspace whose records the store at `path` holds; empty if it holds none yet
    // (or cannot be read: opening it for real says why). Read-only.
    static QString boundWorkspace(const QString &path);
    // The workspace `store` holds the records of; empty if none yet.
    static QString workspaceOf(const LocalStore &store);
    // Makes `store` the store of `workspace` if it is nobody's yet; an error naming both if
    // it holds another workspace's records (syncing it would mix the two).
    static Status bindStore(LocalStore &store, const QString &workspace);

    ProfileAccount account() const;
    Status setAccount(const ProfileAccount &account) const;

private:
    QString m_name;
    QString m_folder;
    bool m_named = true;
};

} // namespace Ferry
