#include "serverstore.h"

#include "accountanswers.h"
#include "history.h"
#include "wire.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <algorithm>
#include <functional>

namespace FerryServer {

namespace {

constexpr int kSchemaVersion = 10;

const char *const kSchemaV1[] = {
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE users (name TEXT PRIMARY KEY, created BIGINT NOT NULL)",
    "CREATE TABLE tokens (hash TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES users(name),"
    " created BIGINT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0)",
    "CREATE TABLE workspaces (id TEXT PRIMARY KEY, owner TEXT NOT NULL REFERENCES users(name),"
    " seq BIGINT NOT NULL DEFAULT 0, created BIGINT NOT NULL)",
    "CREATE TABLE members (workspace TEXT NOT NULL REFERENCES workspaces(id),"
    " user_name TEXT NOT NULL REFERENCES users(name), role TEXT NOT NULL,"
    " PRIMARY KEY (workspace, user_name))",
    "CREATE INDEX members_by_user ON members (user_name)",
    "CREATE TABLE records (workspace TEXT NOT NULL, guid TEXT NOT NULL, entity TEXT NOT NULL,"
    " rev BIGINT NOT NULL, created_rev BIGINT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,"
    " fields TEXT NOT NULL, revs TEXT NOT NULL, device TEXT NOT NULL, user_name TEXT NOT NULL,"
    " changed_at BIGINT NOT NULL, PRIMARY KEY (workspace, guid))",
    "CREATE INDEX records_by_rev ON records (workspace, rev, guid)",
    "CREATE TABLE batches (workspace TEXT NOT NULL, batch TEXT NOT NULL, body_hash TEXT NOT NULL,"
    " response BLOB NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (workspace, batch))",
};

// Accounts: passwords, and tokens as devices with an id, a name and when they were used.
const char *const kSchemaV2[] = {
    "ALTER TABLE users ADD COLUMN password TEXT",
    "ALTER TABLE tokens ADD COLUMN id TEXT",
    "ALTER TABLE tokens ADD COLUMN device_name TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE tokens ADD COLUMN last_used BIGINT NOT NULL DEFAULT 0",
    "UPDATE tokens SET id = lower(hex(randomblob(8))), device_name = 'ferry-server admin'",
    "CREATE UNIQUE INDEX tokens_by_id ON tokens (id)",
    "CREATE INDEX tokens_by_user ON tokens (user_name, revoked)",
};

// Attachments: which workspace has which blob (the bytes are files under DIR/blobs, named by
// their SHA-256 in hex, shared by every workspace that has them), and unfinished uploads.
const char *const kSchemaV3[] = {
    "CREATE TABLE blobs (workspace TEXT NOT NULL REFERENCES workspaces(id), hash TEXT NOT NULL,"
    " size BIGINT NOT NULL, user_name TEXT NOT NULL, created BIGINT NOT NULL,"
    " PRIMARY KEY (workspace, hash))",
    "CREATE TABLE blob_uploads (workspace TEXT NOT NULL REFERENCES workspaces(id),"
    " hash TEXT NOT NULL, total BIGINT NOT NULL, user_name TEXT NOT NULL,"
    " touched BIGINT NOT NULL, PRIMARY KEY (workspace, hash))",
};

// The sequence number each push got, so a client can check that the server still has the
// history it pulled (a server restored from an older backup does not): see PullService.
const char *const kSchemaV4[] = {
    "ALTER TABLE batches ADD COLUMN seq BIGINT",
    "CREATE INDEX batches_by_seq ON batches (workspace, seq)",
};

// Each change names the device that made it as the account's device list does (the name
// given at sign-in), so a person sees one name for one device everywhere.
const char *const kSchemaV5[] = {
    "ALTER TABLE records ADD COLUMN device_name TEXT NOT NULL DEFAULT ''",
};

// A token for the history up to each sequence (nextHistoryToken), so a client's check tells
// this history from another that reused its sequence numbers; the tokens of pushes already
// kept are computed in the same step (computeHistoryTokens).
const char *const kSchemaV6[] = {
    "ALTER TABLE batches ADD COLUMN history TEXT",
    "ALTER TABLE workspaces ADD COLUMN history TEXT NOT NULL DEFAULT ''",
};

// A token for each upload that gave a workspace a blob, numbered in order: clients keep the
// latest and name it, so a server put back to a backup older than an upload (which the
// history of pushes does not show) is noticed and the file sent again (BlobService).
const char *const kSchemaV7[] = {
    "CREATE TABLE blob_log (workspace TEXT NOT NULL REFERENCES workspaces(id), n BIGINT NOT NULL,"
    " token TEXT NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (workspace, n),"
    " UNIQUE (workspace, token))",
};

// Sharing by consent: an owner's offer of a role waits here until the person accepts it (then
// it is a membership) or declines it.
const char *const kSchemaV8[] = {
    "CREATE TABLE invitations (workspace TEXT NOT NULL REFERENCES workspaces(id),"
    " user_name TEXT NOT NULL REFERENCES users(name), role TEXT NOT NULL,"
    " invited_by TEXT NOT NULL, created BIGINT NOT NULL, PRIMARY KEY (workspace, user_name))",
    "CREATE INDEX invitations_by_user ON invitations (user_name)",
};

// Failed sign-ins and registrations per account and address (SignInLimiter), in the store so
// that every server sharing it counts together, and a restart forgets nothing.
const char *const kSchemaV9[] = {
    "CREATE TABLE signin_failures (kind TEXT NOT NULL, key TEXT NOT NULL, count INTEGER NOT NULL,"
    " last BIGINT NOT NULL, locked_until BIGINT NOT NULL, PRIMARY KEY (kind, key))",
};

// A user name is one name in any case, kept by a unique key (the name folded), not by a look
// before the insert: two registrations of "Alice" and "alice" at once (on two servers, or
// one server's hashing pool) both passed the look. Names that already differ only in case
// keep working: the first of them in byte order gets the folded key, the others "!" and
// their spelling, which no name folds to.
const char *const kSchemaV10[] = {
    "ALTER TABLE users ADD COLUMN name_key TEXT",
    ("UPDATE users SET name_key = CASE WHEN name = (SELECT min(u.name) FROM users u"
     " WHERE lower(u.name) = lower(users.name)) THEN lower(name) ELSE '!' || name END"),
    "CREATE UNIQUE INDEX users_by_key ON users (name_key)",
};

// Touching a device's last use more often than this would write on every request.
constexpr qint64 kLastUsedGranularityMs = 60 * 1000;

template<size_t N> QStringList listOf(const char *const (&sql)[N])
{
    QStringList list;
    for (const char *statement : sql)
        list.append(QString::fromLatin1(statement));
    return list;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

Ferry::Error databaseError(const QString &what, const QString &driverMessage)
{
    return Ferry::Error {QStringLiteral("database"),
                         QStringLiteral("Database error while %1: %2").arg(what, driverMessage)};
}

ServerStore::ServerStore()
    : m_connectionName(QStringLiteral("ferry-server-")
                       + QUuid::createUuid().toString(QUuid::WithoutBraces))
{ }

ServerStore::~ServerStore()
{
    m_statements.reset();
    {
        QSqlDatabase db = QSqlDatabase::database(m_connectionName, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_connectionName);
}

Ferry::Status ServerStore::open(const QString &dataDir, const QString &database,
                                Durability durability)
{
    Ferry::Result<std::unique_ptr<StoreBackend>> backend
        = StoreBackend::choose(database, dataDir, durability);
    if (!backend)
        return backend.error();
    if (!QDir().mkpath(dataDir))
        return Ferry::Error {QStringLiteral("data_dir"),
                             QStringLiteral("Cannot create the data directory %1.").arg(dataDir)};
    m_dataDir = dataDir;
    m_databaseName = database;
    m_durability = durability;
    m_backend = std::move(backend.value());
    if (Ferry::Status s = m_backend->open(m_connectionName); !s)
        return s;
    m_statements = std::make_unique<Statements>(m_connectionName);
    return migrate();
}

Ferry::Status ServerStore::openAnother(const ServerStore &other)
{
    Ferry::Result<std::unique_ptr<StoreBackend>> backend
        = StoreBackend::choose(other.m_databaseName, other.m_dataDir, other.m_durability);
    if (!backend)
        return backend.error();
    m_dataDir = other.m_dataDir;
    m_databaseName = other.m_databaseName;
    m_durability = other.m_durability;
    m_backend = std::move(backend.value());
    if (Ferry::Status s = m_backend->open(m_connectionName); !s)
        return s;
    m_statements = std::make_unique<Statements>(m_connectionName);
    return Ferry::success();
}

QSqlDatabase ServerStore::database() const
{
    return QSqlDatabase::database(m_connectionName, false);
}

Ferry::Status execute(const QSqlDatabase &db, const QString &sql)
{
    QSqlQuery q(db);
    if (!q.exec(sql))
        return databaseError(sql.left(60), q.lastError().text());
    return Ferry::success();
}

Ferry::Status ServerStore::exec(const QString &sql)
{
    return execute(database(), sql);
}

// Every step the database lacks, in one transaction: a failed upgrade leaves the schema it
// had, and of several servers starting at once on one new database only one creates it.
Ferry::Status ServerStore::migrate()
{
    QSqlDatabase db = database();
    if (Ferry::Status s = m_backend->migrationStart(db); !s)
        return s;
    struct Rollback
    {
        QSqlDatabase db;
        bool done = false;
        ~Rollback()
        {
            if (!done)
                QSqlQuery(db).exec(QStringLiteral("ROLLBACK"));
        }
    } rollback {db};
    const Ferry::Result<int> current = m_backend->schemaVersion(db);
    if (!current)
        return current.error();
    const int version = current.value();
    if (version > kSchemaVersion)
        return Ferry::Error {QStringLiteral("schema_too_new"),
                             QStringLiteral("The database was written by a newer ferry-server "
                                            "(schema %1; this one knows %2).")
                                 .arg(version)
                                 .arg(kSchemaVersion)};
    const std::pair<int, QStringList> steps[]
        = {{1, listOf(kSchemaV1)},  {2, listOf(kSchemaV2)}, {3, listOf(kSchemaV3)},
           {4, listOf(kSchemaV4)},  {5, listOf(kSchemaV5)}, {6, listOf(kSchemaV6)},
           {7, listOf(kSchemaV7)},  {8, listOf(kSchemaV8)}, {9, listOf(kSchemaV9)},
           {10, listOf(kSchemaV10)}};
    for (const auto &[stepVersion, sql] : steps) {
        if (version >= stepVersion)
            continue;
        const std::function<Ferry::Status()> then
            = stepVersion == 6 ? [this] { return computeHistoryTokens(database()); }
                               : std::function<Ferry::Status()>();
        if (Ferry::Status s = apply(stepVersion, sql, then); !s)
            return s;
    }
    if (Ferry::Status s = exec(QStringLiteral("COMMIT")); !s)
        return s;
    rollback.done = true;
    return Ferry::success();
}

// One schema step, inside migrate()'s transaction.
Ferry::Status ServerStore::apply(int version, const QStringList &sql,
                                 const std::function<Ferry::Status()> &then)
{
    for (const QString &statement : sql) {
        if (Ferry::Status s = exec(m_backend->adapt(statement)); !s)
            return s;
    }
    if (then) {
        if (Ferry::Status s = then(); !s)
            return s;
    }
    QSqlQuery meta(database());
    meta.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('schema_version', ?) "
                                "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    meta.addBindValue(QString::number(version));
    if (!meta.exec())
        return databaseError(QStringLiteral("recording the schema version"),
                             meta.lastError().text());
    return m_backend->setSchemaVersion(database(), version);
}

QByteArray ServerStore::hashToken(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

bool ServerStore::isValidId(const QString &id)
{
    return Ferry::Wire::isValidId(id);
}

QString ServerStore::userForToken(const QByteArray &token)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT user_name FROM tokens WHERE hash = ? AND revoked = 0"));
    q.addBindValue(QString::fromLatin1(hashToken(token)));
    if (!q.exec() || !q.next())
        return {};
    return q.value(0).toString();
}

QString ServerStore::randomHex(int bytes)
{
    Q_ASSERT(bytes % 4 == 0); // generated a 32-bit word at a time
    QByteArray raw(bytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(raw.data()),
                                         reinterpret_cast<quint32 *>(raw.data() + raw.size()));
    return QString::fromLatin1(raw.toHex());
}

Ferry::Result<QString> ServerStore::roleOf(const QString &workspace, const QString &user)
{
    // No workspace has such an id (createWorkspace() checks), and a path may carry anything:
    // even a NUL character, which PostgreSQL cannot take as text at all.
    if (!isValidId(workspace))
        return QString();
    const Statements::Held held = statements()(
        QStringLiteral("SELECT role FROM members WHERE workspace = ? AND user_name = ?"));
    QSqlQuery &q = *held;
    q.addBindValue(workspace);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("reading the members of %1").arg(workspace),
                             q.lastError().text());
    return q.next() ? q.value(0).toString() : QString();
}

QList<Membership> ServerStore::membershipsOf(const QString &user)
{
    QList<Membership> result;
    QSqlQuery q(database());
    q.prepare(QStringLiteral(
        "SELECT workspace, role FROM members WHERE user_name = ? ORDER BY workspace"));
    q.addBindValue(user);
    if (!q.exec())
        return result;
    while (q.next())
        result.append(Membership {q.value(0).toString(), q.value(1).toString()});
    return result;
}

qint64 ServerStore::sequenceOf(const QString &workspace)
{
    const Statements::Held held
        = statements()(QStringLiteral("SELECT seq FROM workspaces WHERE id = ?"));
    QSqlQuery &q = *held;
    q.addBindValue(workspace);
    if (!q.exec() || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

bool ServerStore::userExists(const QString &user)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT 1 FROM users WHERE name = ?"));
    q.addBindValue(user);
    return q.exec() && q.next();
}

bool ServerStore::workspaceExists(const QString &workspace)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT 1 FROM workspaces WHERE id = ?"));
    q.addBindValue(workspace);
    return q.exec() && q.next();
}

Ferry::Result<QStringList> ServerStore::workspaceIds()
{
    QSqlQuery q(database());
    if (!q.exec(QStringLiteral("SELECT id FROM workspaces ORDER BY id")))
        return databaseError(QStringLiteral("listing workspaces"), q.lastError().text());
    QStringList ids;
    while (q.next())
        ids.append(q.value(0).toString());
    return ids;
}

Ferry::Status ServerStore::ensureUser(const QString &user)
{
    if (!isValidId(user))
        return Ferry::Error {QStringLiteral("invalid_user"),
                             QStringLiteral("A user name is 1 to 64 letters, digits, - or _.")};
    if (userExists(user))
        return Ferry::success();
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO users (name, name_key, created) VALUES (?, lower(?), ?) "
                             "ON CONFLICT DO NOTHING"));
    q.addBindValue(user);
    q.addBindValue(user);
    q.addBindValue(now());
    if (!q.exec())
        return databaseError(QStringLiteral("creating user %1").arg(user), q.lastError().text());
    if (q.numRowsAffected() != 1 && !userExists(user))
        return nameTaken(user);
    return Ferry::success();
}

Ferry::Result<QString> ServerStore::createToken(const QString &user, const QString &deviceName)
{
    const Ferry::Result<NewToken> made = createDeviceToken(
        user, deviceName.isEmpty() ? QStringLiteral("ferry-server admin") : deviceName);
    if (!made)
        return made.error();
    return made->token;
}

bool ServerStore::isValidDeviceName(const QString &name)
{
    if (name.trimmed().isEmpty() || name.size() > Ferry::Wire::kMaxDeviceNameLength)
        return false;
    return std::none_of(name.cbegin(), name.cend(),
                        [](QChar c) { return c.category() == QChar::Other_Control; });
}

Ferry::Result<NewToken> ServerStore::createDeviceToken(const QString &user,
                                                       const QString &deviceName)
{
    const QString token = randomHex(32); // 256 bits
    const QString id = randomHex(8);
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO tokens (hash, user_name, created, id, device_name) "
                             "VALUES (?, ?, ?, ?, ?)"));
    q.addBindValue(QString::fromLatin1(hashToken(token.toLatin1())));
    q.addBindValue(user);
    q.addBindValue(now());
    q.addBindValue(id);
    q.addBindValue(deviceName);
    if (!q.exec())
        return databaseError(QStringLiteral("storing a token"), q.lastError().text());
    return NewToken {token, id};
}

std::optional<TokenOwner> ServerStore::authenticate(const QByteArray &token)
{
    const Statements::Held held = statements()(QStringLiteral(
        "SELECT user_name, id, last_used, device_name FROM tokens WHERE hash = ? AND revoked = 0"));
    QSqlQuery &q = *held;
    q.addBindValue(QString::fromLatin1(hashToken(token)));
    if (!q.exec() || !q.next())
        return std::nullopt;
    TokenOwner owner {q.value(0).toString(), q.value(1).toString(), q.value(3).toString()};
    const qint64 lastUsed = q.value(2).toLongLong();
    q.finish();
    if (const qint64 t = now(); t - lastUsed >= kLastUsedGranularityMs) {
        const Statements::Held kept
            = statements()(QStringLiteral("UPDATE tokens SET last_used = ? WHERE id = ?"));
        QSqlQuery &touch = *kept;
        touch.addBindValue(t);
        touch.addBindValue(owner.device);
        touch.exec(); // only bookkeeping: a failure must not refuse the request
    }
    return owner;
}

QList<Device> ServerStore::devicesOf(const QString &user)
{
    QList<Device> devices;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT id, device_name, created, last_used FROM tokens "
                             "WHERE user_name = ? AND revoked = 0 ORDER BY created, id"));
    q.addBindValue(user);
    if (!q.exec())
        return devices;
    while (q.next())
        devices.append(Device {q.value(0).toString(), q.value(1).toString(),
                               q.value(2).toLongLong(), q.value(3).toLongLong()});
    return devices;
}

bool ServerStore::deviceActive(const QString &user, const QString &device)
{
    const Statements::Held held = statements()(
        QStringLiteral("SELECT 1 FROM tokens WHERE id = ? AND user_name = ? AND revoked = 0"));
    QSqlQuery &q = *held;
    q.addBindValue(device);
    q.addBindValue(user);
    return q.exec() && q.next();
}

Ferry::Status ServerStore::revokeDevice(const QString &user, const QString &device)
{
    const Ferry::Error noSuchDevice {QStringLiteral("no_such_device"),
                                     QStringLiteral("You have no signed-in device with that id.")};
    if (!isValidId(device)) // ids are made by createDeviceToken(); see roleOf()
        return noSuchDevice;
    QSqlQuery q(database());
    q.prepare(QStringLiteral(
        "UPDATE tokens SET revoked = 1 WHERE id = ? AND user_name = ? AND revoked = 0"));
    q.addBindValue(device);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("revoking a device"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return noSuchDevice;
    return Ferry::success();
}

Ferry::Status ServerStore::createAccount(const QString &user, const QByteArray &passwordHash)
{
    if (!isValidId(user))
        return Ferry::Error {QStringLiteral("invalid_user"),
                             QStringLiteral("A user name is 1 to 64 letters, digits, - or _.")};
    QSqlQuery q(database());
    // The unique keys decide a race between two registrations of one name in any case.
    q.prepare(QStringLiteral("INSERT INTO users (name, name_key, created, password) "
                             "VALUES (?, lower(?), ?, ?) ON CONFLICT DO NOTHING"));
    q.addBindValue(user);
    q.addBindValue(user);
    q.addBindValue(now());
    q.addBindValue(QString::fromLatin1(passwordHash));
    if (!q.exec())
        return databaseError(QStringLiteral("creating user %1").arg(user), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return nameTaken(user);
    return Ferry::success();
}

Ferry::Error ServerStore::nameTaken(const QString &user)
{
    // Names are ASCII (isValidId), so lower() folds every case SQLite and PostgreSQL agree on.
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT name FROM users WHERE lower(name) = lower(?) LIMIT 1"));
    q.addBindValue(user);
    const QString taken = q.exec() && q.next() ? q.value(0).toString() : user;
    return Ferry::Error {
        QStringLiteral("user_exists"),
        taken == user ? QStringLiteral("The user name \"%1\" is taken.").arg(user)
                      : QStringLiteral("The user name \"%1\" is taken (as \"%2\"): names that "
                                       "differ only in case are one name.")
                            .arg(user, taken)};
}

QByteArray ServerStore::passwordHashOf(const QString &user)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT password FROM users WHERE name = ?"));
    q.addBindValue(user);
    if (!q.exec() || !q.next())
        return {};
    return q.value(0).toString().toLatin1();
}

Ferry::Status ServerStore::setPasswordHash(const QString &user, const QByteArray &passwordHash)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE users SET password = ? WHERE name = ?"));
    q.addBindValue(QString::fromLatin1(passwordHash));
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("setting a password"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return Ferry::Error {QStringLiteral("no_such_user"),
                             QStringLiteral("There is no user \"%1\".").arg(user)};
    return Ferry::success();
}

bool ServerStore::registrationOpen()
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT value FROM meta WHERE key = 'registration'"));
    // Open unless the admin closed it.
    return !(q.exec() && q.next() && q.value(0).toString() == QLatin1String("closed"));
}

Ferry::Status ServerStore::setRegistrationOpen(bool open)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("INSERT INTO meta (key, value) VALUES ('registration', ?) "
                             "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
    q.addBindValue(open ? QStringLiteral("open") : QStringLiteral("closed"));
    if (!q.exec())
        return databaseError(QStringLiteral("changing registration"), q.lastError().text());
    return Ferry::success();
}

Ferry::Status ServerStore::revokeToken(const QString &token)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("UPDATE tokens SET revoked = 1 WHERE hash = ?"));
    q.addBindValue(QString::fromLatin1(hashToken(token.toUtf8())));
    if (!q.exec())
        return databaseError(QStringLiteral("revoking a token"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return Ferry::Error {QStringLiteral("unknown_token"), QStringLiteral("No such token.")};
    return Ferry::success();
}

Ferry::Result<QString> ServerStore::ensureOwnWorkspace(const QString &user)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT workspace FROM members WHERE user_name = ? AND role = 'owner' "
                             "ORDER BY workspace <> ?, workspace LIMIT 1"));
    q.addBindValue(user);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("reading the workspaces of %1").arg(user),
                             q.lastError().text());
    if (q.next())
        return q.value(0).toString();
    // Never a workspace someone else made under this name: the user's records would go there.
    for (int attempt = 0; attempt < 8; ++attempt) {
        const QString id = attempt == 0
            ? user
            : user.left(Ferry::Wire::kMaxIdLength - 9) + QStringLiteral("-") + randomHex(4);
        const Ferry::Status made = createWorkspace(id, user);
        if (made)
            return id;
        if (made.error().code != QLatin1String("workspace_exists"))
            return made.error();
    }
    return Ferry::Error {QStringLiteral("workspace_exists"),
                         QStringLiteral("No free workspace id for %1 was found.").arg(user)};
}

Ferry::Status ServerStore::createWorkspace(const QString &workspace, const QString &owner)
{
    if (!isValidId(workspace))
        return Ferry::Error {QStringLiteral("invalid_request"),
                             QStringLiteral("A workspace id is 1 to 64 letters, digits, - or _.")};
    QSqlDatabase db = database();
    if (!db.transaction())
        return databaseError(QStringLiteral("starting a transaction"), db.lastError().text());
    Ferry::Status room = m_backend->lockUser(*m_statements, owner);
    if (room)
        room = roomForAnotherWorkspace(owner);
    if (!room) {
        db.rollback();
        return room.error();
    }
    // The primary key decides between two servers creating one id at once.
    QSqlQuery q(db);
    q.prepare(QStringLiteral("INSERT INTO workspaces (id, owner, seq, created) VALUES (?, ?, 0, ?) "
                             "ON CONFLICT DO NOTHING"));
    q.addBindValue(workspace);
    q.addBindValue(owner);
    q.addBindValue(now());
    if (!q.exec()) {
        const QString message = q.lastError().text();
        db.rollback();
        return databaseError(QStringLiteral("creating workspace %1").arg(workspace), message);
    }
    if (q.numRowsAffected() != 1) {
        db.rollback();
        return Ferry::Error {QStringLiteral("workspace_exists"),
                             QStringLiteral("The workspace id \"%1\" is taken.").arg(workspace)};
    }
    QSqlQuery m(db);
    m.prepare(
        QStringLiteral("INSERT INTO members (workspace, user_name, role) VALUES (?, ?, 'owner')"));
    m.addBindValue(workspace);
    m.addBindValue(owner);
    if (!m.exec()) {
        const QString message = m.lastError().text();
        db.rollback();
        return databaseError(QStringLiteral("creating workspace %1").arg(workspace), message);
    }
    if (!db.commit())
        return databaseError(QStringLiteral("creating workspace %1").arg(workspace),
                             db.lastError().text());
    return Ferry::success();
}

Ferry::Status ServerStore::addMember(const QString &workspace, const QString &user,
                                     const QString &role)
{
    QSqlQuery q(database());
    // An upsert spelled the way both SQLite and PostgreSQL accept.
    q.prepare(
        QStringLiteral("INSERT INTO members (workspace, user_name, role) VALUES (?, ?, ?) "
                       "ON CONFLICT (workspace, user_name) DO UPDATE SET role = excluded.role"));
    q.addBindValue(workspace);
    q.addBindValue(user);
    q.addBindValue(role);
    if (!q.exec())
        return databaseError(QStringLiteral("adding a member"), q.lastError().text());
    return Ferry::success();
}

Ferry::Status ServerStore::removeMember(const QString &workspace, const QString &user)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM members WHERE workspace = ? AND user_name = ?"));
    q.addBindValue(workspace);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("removing a member"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return Ferry::Error {QStringLiteral("not_member"),
                             QStringLiteral("%1 is not a member of this workspace.").arg(user)};
    return Ferry::success();
}

Ferry::Result<qint64> ServerStore::countOf(const QString &sql, const QString &user)
{
    QSqlQuery q(database());
    q.prepare(sql);
    q.addBindValue(user);
    if (!q.exec() || !q.next())
        return databaseError(QStringLiteral("counting the workspaces of %1").arg(user),
                             q.lastError().text());
    return q.value(0).toLongLong();
}

Ferry::Status ServerStore::roomForAnotherWorkspace(const QString &user)
{
    const Ferry::Result<qint64> held
        = countOf(QStringLiteral("SELECT count(*) FROM members WHERE user_name = ?"), user);
    if (!held)
        return held.error();
    if (held.value() >= kMaxMemberships)
        return Ferry::Error {QStringLiteral("too_many_workspaces"),
                             QStringLiteral("%1 already has %2 workspaces, the most one account "
                                            "may have; leave one first.")
                                 .arg(user)
                                 .arg(kMaxMemberships)};
    return Ferry::success();
}

Ferry::Status ServerStore::invite(const QString &workspace, const QString &user,
                                  const QString &role, const QString &by)
{
    QSqlDatabase db = database();
    if (!db.transaction())
        return databaseError(QStringLiteral("starting a transaction"), db.lastError().text());
    const auto fail = [&db](const Ferry::Error &error) {
        db.rollback();
        return error;
    };
    if (const Ferry::Status locked = m_backend->lockUser(*m_statements, user); !locked)
        return fail(locked.error());
    const Ferry::Result<qint64> waiting
        = countOf(QStringLiteral("SELECT count(*) FROM invitations WHERE user_name = ?"), user);
    if (!waiting)
        return fail(waiting.error());
    QSqlQuery already(db);
    already.prepare(
        QStringLiteral("SELECT 1 FROM invitations WHERE workspace = ? AND user_name = ?"));
    already.addBindValue(workspace);
    already.addBindValue(user);
    if (!already.exec())
        return fail(databaseError(QStringLiteral("reading the invitations of %1").arg(user),
                                  already.lastError().text()));
    if (!already.next() && waiting.value() >= kMaxInvitations)
        return fail(Ferry::Error {QStringLiteral("too_many_invitations"),
                                  QStringLiteral("%1 has %2 invitations waiting, the most one "
                                                 "account may have; they must answer some first.")
                                      .arg(user)
                                      .arg(kMaxInvitations)});
    QSqlQuery q(db);
    q.prepare(QStringLiteral(
        "INSERT INTO invitations (workspace, user_name, role, invited_by, created) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace, user_name) DO UPDATE SET role = "
        "excluded.role, invited_by = excluded.invited_by"));
    q.addBindValue(workspace);
    q.addBindValue(user);
    q.addBindValue(role);
    q.addBindValue(by);
    q.addBindValue(now());
    if (!q.exec())
        return fail(databaseError(QStringLiteral("inviting %1").arg(user), q.lastError().text()));
    if (!db.commit())
        return databaseError(QStringLiteral("inviting %1").arg(user), db.lastError().text());
    return Ferry::success();
}

Ferry::Result<QString> ServerStore::acceptInvitation(const QString &workspace, const QString &user)
{
    QSqlDatabase db = database();
    if (!db.transaction())
        return databaseError(QStringLiteral("starting a transaction"), db.lastError().text());
    const auto fail = [&db](const Ferry::Error &error) {
        db.rollback();
        return error;
    };
    QSqlQuery q(db);
    q.prepare(QStringLiteral("SELECT role FROM invitations WHERE workspace = ? AND user_name = ?"));
    q.addBindValue(workspace);
    q.addBindValue(user);
    if (!q.exec())
        return fail(databaseError(QStringLiteral("reading the invitations of %1").arg(user),
                                  q.lastError().text()));
    if (!q.next())
        return fail(noInvitation(workspace));
    const QString role = q.value(0).toString();
    if (const Ferry::Status locked = m_backend->lockUser(*m_statements, user); !locked)
        return fail(locked.error());
    if (const Ferry::Status room = roomForAnotherWorkspace(user); !room)
        return fail(room.error());
    QSqlQuery drop(db);
    drop.prepare(QStringLiteral("DELETE FROM invitations WHERE workspace = ? AND user_name = ?"));
    drop.addBindValue(workspace);
    drop.addBindValue(user);
    if (!drop.exec())
        return fail(
            databaseError(QStringLiteral("accepting an invitation"), drop.lastError().text()));
    if (const Ferry::Status added = addMember(workspace, user, role); !added)
        return fail(added.error());
    if (!db.commit())
        return databaseError(QStringLiteral("accepting an invitation"), db.lastError().text());
    return role;
}

Ferry::Status ServerStore::dropInvitation(const QString &workspace, const QString &user)
{
    QSqlQuery q(database());
    q.prepare(QStringLiteral("DELETE FROM invitations WHERE workspace = ? AND user_name = ?"));
    q.addBindValue(workspace);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("removing an invitation"), q.lastError().text());
    if (q.numRowsAffected() != 1)
        return noInvitation(workspace);
    return Ferry::success();
}

Ferry::Error ServerStore::noInvitation(const QString &workspace)
{
    return Ferry::Error {QStringLiteral("no_invitation"),
                         QStringLiteral("There is no invitation to %1 waiting.").arg(workspace)};
}

Ferry::Result<QList<Invitation>> ServerStore::invitationsOf(const QString &user)
{
    QList<Invitation> result;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT workspace, role, invited_by FROM invitations "
                             "WHERE user_name = ? ORDER BY created, workspace"));
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("reading the invitations of %1").arg(user),
                             q.lastError().text());
    while (q.next())
        result.append(
            Invitation {q.value(0).toString(), user, q.value(1).toString(), q.value(2).toString()});
    return result;
}

Ferry::Result<QList<Invitation>> ServerStore::invitationsTo(const QString &workspace)
{
    QList<Invitation> result;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT user_name, role, invited_by FROM invitations "
                             "WHERE workspace = ? ORDER BY user_name"));
    q.addBindValue(workspace);
    if (!q.exec())
        return databaseError(QStringLiteral("reading the invitations to %1").arg(workspace),
                             q.lastError().text());
    while (q.next())
        result.append(Invitation {workspace, q.value(0).toString(), q.value(1).toString(),
                                  q.value(2).toString()});
    return result;
}

QList<Member> ServerStore::membersOf(const QString &workspace)
{
    QList<Member> members;
    QSqlQuery q(database());
    q.prepare(QStringLiteral("SELECT user_name, role FROM members WHERE workspace = ? "
                             "ORDER BY role <> 'owner', user_name"));
    q.addBindValue(workspace);
    if (!q.exec())
        return members;
    while (q.next())
        members.append(Member {q.value(0).toString(), q.value(1).toString()});
    return members;
}

} // namespace FerryServer
