#include "profile.h"

#include "localstore.h"

#include <QAtomicInt>
#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QStandardPaths>

namespace Ferry {

namespace {

// The store setting naming the workspace a store's records belong to.
const QString WorkspaceSetting = QStringLiteral("workspace");

const QString ServerKey = QStringLiteral("account/server");
const QString WorkspaceKey = QStringLiteral("account/workspace");
const QString UserKey = QStringLiteral("account/user");
const QString TrustKey = QStringLiteral("account/trustedFingerprint");
const QString LocalServerKey = QStringLiteral("account/localServer");
const QString LocalServerDataKey = QStringLiteral("account/localServerData");

// A folder name for a workspace id ([A-Za-z0-9_-]): the id itself, with a few letters of its
// hash when it has capitals, so "Notes" and "notes" stay apart where file names ignore case.
QString folderName(const QString &workspace)
{
    if (workspace == workspace.toLower())
        return workspace;
    const QByteArray hash
        = QCryptographicHash::hash(workspace.toUtf8(), QCryptographicHash::Sha256).toHex();
    return workspace + QLatin1Char('-') + QString::fromLatin1(hash.left(8));
}

} // namespace

bool ProfileAccount::isConfigured() const
{
    if (localServer)
        return true;
    return server.isValid() && !server.host().isEmpty()
        && (server.scheme() == QLatin1String("http") || server.scheme() == QLatin1String("https"));
}

Profile::Profile(const QString &nameOrFolder)
    : m_name(nameOrFolder.isEmpty() ? defaultName() : nameOrFolder)
{
    if (m_name.contains(QLatin1Char('/')) || m_name.contains(QLatin1Char('\\'))) {
        m_named = false;
        m_folder = QDir::cleanPath(QDir(m_name).absolutePath());
        m_name = m_folder;
    } else {
        m_folder = QDir(standardRoot()).filePath(m_name);
    }
}

QString Profile::standardRoot()
{
    return QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
        + QStringLiteral("/Ferry/profiles");
}

QStringList Profile::names()
{
    QStringList found = QDir(standardRoot()).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    found.sort();
    return found;
}

QString Profile::displayName() const
{
    return m_named ? m_name : QFileInfo(m_folder).fileName();
}

QString Profile::settingsPath() const
{
    return QDir(m_folder).filePath(QStringLiteral("settings.ini"));
}

QString Profile::tokenPath() const
{
    return QDir(m_folder).filePath(QStringLiteral("token"));
}

QString Profile::keychainKey() const
{
    // The folder, also for a named profile: a profile named and the same folder given by its
    // path are one profile, with one token.
    return m_folder;
}

QString Profile::blobFolder() const
{
    return QDir(m_folder).filePath(QStringLiteral("blobs"));
}

QString Profile::localServerFolder() const
{
    return QDir(m_folder).filePath(QStringLiteral("server"));
}

QString Profile::firstStorePath() const
{
    return QDir(m_folder).filePath(QStringLiteral("ferry.db"));
}

QString Profile::storePath(const QString &workspace) const
{
    const QString first = firstStorePath();
    if (workspace.isEmpty())
        return first;
    const QString own = QDir(m_folder).filePath(
        QStringLiteral("workspaces/%1/ferry.db").arg(folderName(workspace)));
    const QString firstWorkspace = boundWorkspace(first);
    if (firstWorkspace == workspace || (firstWorkspace.isEmpty() && !QFileInfo::exists(own)))
        return first;
    return own;
}

QString Profile::boundWorkspace(const QString &path)
{
    if (!QFileInfo::exists(path))
        return QString();
    static QAtomicInt next;
    const QString name = QStringLiteral("ferry-workspace-probe-%1").arg(next.fetchAndAddRelaxed(1));
    QString workspace;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("SELECT value FROM meta WHERE key = ?"));
            query.addBindValue(WorkspaceSetting);
            if (query.exec() && query.next())
                workspace = query.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(name);
    return workspace;
}

QString Profile::workspaceOf(const LocalStore &store)
{
    return store.setting(WorkspaceSetting);
}

Status Profile::bindStore(LocalStore &store, const QString &workspace)
{
    const QString bound = workspaceOf(store);
    if (workspace.isEmpty() || bound == workspace)
        return success();
    if (!bound.isEmpty())
        return Error {QStringLiteral("wrong_workspace"),
                      QStringLiteral("The records at %1 belong to the workspace \"%2\", not "
                                     "\"%3\"; Ferry leaves them as they are.")
                          .arg(QDir::toNativeSeparators(store.path()), bound, workspace)};
    return store.setSetting(WorkspaceSetting, workspace);
}

ProfileAccount Profile::account() const
{
    const QSettings settings(settingsPath(), QSettings::IniFormat);
    ProfileAccount account;
    account.server = QUrl(settings.value(ServerKey).toString(), QUrl::StrictMode);
    account.workspace = settings.value(WorkspaceKey).toString();
    account.user = settings.value(UserKey).toString();
    account.trustedFingerprint = settings.value(TrustKey).toString();
    account.localServer = settings.value(LocalServerKey, false).toBool();
    account.localServerData = settings.value(LocalServerDataKey).toString();
    return account;
}

Status Profile::setAccount(const ProfileAccount &account) const
{
    if (!QDir().mkpath(m_folder))
        return Error {QStringLiteral("io"),
                      QStringLiteral("Cannot make the profile folder %1.")
                          .arg(QDir::toNativeSeparators(m_folder))};
    QSettings settings(settingsPath(), QSettings::IniFormat);
    // As text, so the file stays readable and editable by a person.
    settings.setValue(ServerKey, account.server.toString(QUrl::FullyEncoded));
    settings.setValue(WorkspaceKey, account.workspace);
    settings.setValue(UserKey, account.user);
    settings.setValue(TrustKey, account.trustedFingerprint);
    settings.setValue(LocalServerKey, account.localServer);
    settings.setValue(LocalServerDataKey, account.localServerData);
    settings.sync();
    if (settings.status() != QSettings::NoError)
        return Error {QStringLiteral("io"),
                      QStringLiteral("Cannot save the profile's settings in %1.")
                          .arg(QDir::toNativeSeparators(settingsPath()))};
    return success();
}

} // namespace Ferry
