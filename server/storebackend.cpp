#include "storebackend.h"

#include "serverstore.h"
#include "statements.h"

#include <QDir>
#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUrlQuery>

namespace FerryServer {

namespace {

class SqliteBackend final : public StoreBackend
{
public:
    SqliteBackend(QString file, Durability durability)
        : m_file(std::move(file))
        , m_durability(durability)
    { }

    QString describe() const override { return m_file; }
    bool shared() const override { return false; }

    Ferry::Status open(const QString &connection) const override
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(m_file);
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return databaseError(QStringLiteral("opening %1").arg(m_file), db.lastError().text());
        const char *synchronous = m_durability == Durability::Full ? "PRAGMA synchronous=FULL"
                                                                   : "PRAGMA synchronous=NORMAL";
        for (const char *pragma :
             {"PRAGMA journal_mode=WAL", synchronous, "PRAGMA foreign_keys=ON"}) {
            if (Ferry::Status s = execute(db, QString::fromLatin1(pragma)); !s)
                return s;
        }
        return Ferry::success();
    }

    Ferry::Result<int> schemaVersion(const QSqlDatabase &db) const override
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("PRAGMA user_version")) || !q.next())
            return databaseError(QStringLiteral("reading the schema version"),
                                 q.lastError().text());
        return q.value(0).toInt();
    }

    Ferry::Status setSchemaVersion(const QSqlDatabase &db, int version) const override
    {
        return execute(db, QStringLiteral("PRAGMA user_version = %1").arg(version));
    }

    Ferry::Status migrationStart(QSqlDatabase db) const override
    {
        return execute(db, beginWrite());
    }

    Ferry::Status announce(Statements &, const QString &, const QString &) const override
    {
        return Ferry::success();
    }
    QString adapt(const QString &statement) const override { return statement; }
    QString beginWrite() const override { return QStringLiteral("BEGIN IMMEDIATE"); }
    QString beginRead() const override { return QStringLiteral("BEGIN"); }
    QString lockWorkspace() const override { return {}; } // BEGIN IMMEDIATE excludes all
    QString lockUser() const override { return {}; }
    QString lockBlob() const override { return {}; }
    QString bytesOf(const QString &column) const override
    {
        // Hands back the stored UTF-8 bytes as they are, without a round trip through QString.
        return QStringLiteral("CAST(%1 AS BLOB)").arg(column);
    }

private:
    QString m_file;
    Durability m_durability;
};

class PostgresBackend final : public StoreBackend
{
public:
    PostgresBackend(QUrl url, QString host, QString options, Durability durability)
        : m_url(std::move(url))
        , m_host(std::move(host))
        , m_options(std::move(options))
        , m_durability(durability)
    { }

    QString describe() const override
    {
        return m_url.toDisplayString(QUrl::RemovePassword | QUrl::RemoveQuery);
    }
    bool shared() const override { return true; }

    Ferry::Status open(const QString &connection) const override
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        if (!db.isValid())
            return Ferry::Error {
                QStringLiteral("database"),
                QStringLiteral("Qt's PostgreSQL driver (QPSQL) is not installed; on Debian and "
                               "Ubuntu it is the package libqt6sql6-psql.")};
        db.setHostName(m_host);
        if (m_url.port() > 0)
            db.setPort(m_url.port());
        db.setUserName(m_url.userName());
        db.setPassword(m_url.password());
        db.setDatabaseName(m_url.path().mid(1));
        db.setConnectOptions(m_options);
        if (!db.open())
            return databaseError(QStringLiteral("connecting to %1").arg(describe()),
                                 db.lastError().text());
        // Notices (e.g. "relation already exists, skipping") are not errors for a log.
        QStringList settings {QStringLiteral("SET client_min_messages = warning")};
        if (m_durability == Durability::Normal)
            settings.append(QStringLiteral("SET synchronous_commit = off"));
        for (const QString &setting : settings) {
            if (Ferry::Status s = execute(db, setting); !s)
                return s;
        }
        return Ferry::success();
    }

    Ferry::Result<int> schemaVersion(const QSqlDatabase &db) const override
    {
        QSqlQuery q(db);
        if (!q.exec(QStringLiteral("SELECT to_regclass('meta') IS NOT NULL")) || !q.next())
            return databaseError(QStringLiteral("reading the schema version"),
                                 q.lastError().text());
        if (!q.value(0).toBool())
            return 0; // a new database
        if (!q.exec(QStringLiteral("SELECT value FROM meta WHERE key = 'schema_version'")))
            return databaseError(QStringLiteral("reading the schema version"),
                                 q.lastError().text());
        return q.next() ? q.value(0).toInt() : 0;
    }

    Ferry::Status setSchemaVersion(const QSqlDatabase &, int) const override
    {
        return Ferry::success(); // the meta table's schema_version is the only record
    }

    Ferry::Status migrationStart(QSqlDatabase db) const override
    {
        if (Ferry::Status s = execute(db, QStringLiteral("BEGIN")); !s)
            return s;
        // Servers started together on a new database: one creates the tables, the others
        // wait here and then find them made.
        return execute(db,
                       QStringLiteral("SELECT pg_advisory_xact_lock(hashtext('ferry-server "
                                      "schema'))"));
    }

    QString adapt(const QString &statement) const override
    {
        static const QRegularExpression blob(QStringLiteral("\\bBLOB\\b"));
        QString adapted = statement;
        adapted.replace(blob, QStringLiteral("BYTEA"));
        // Only ever run on a new (empty) database: PostgreSQL stores began at a later schema.
        adapted.replace(QStringLiteral("lower(hex(randomblob(8)))"),
                        QStringLiteral("substr(md5(random()::text), 1, 16)"));
        return adapted;
    }

    Ferry::Status announce(Statements &statements, const QString &channel,
                           const QString &message) const override
    {
        const Statements::Held held = statements(QStringLiteral("SELECT pg_notify(?, ?)"));
        QSqlQuery &q = *held;
        q.addBindValue(channel);
        q.addBindValue(message);
        if (!q.exec())
            return databaseError(QStringLiteral("telling the other servers"), q.lastError().text());
        return Ferry::success();
    }
    QString beginWrite() const override { return QStringLiteral("BEGIN"); }
    QString beginRead() const override
    {
        return QStringLiteral("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    }
    QString lockWorkspace() const override
    {
        return QStringLiteral("SELECT 1 FROM workspaces WHERE id = ? FOR UPDATE");
    }
    QString lockUser() const override
    {
        return QStringLiteral("SELECT 1 FROM users WHERE name = ? FOR UPDATE");
    }
    QString lockBlob() const override
    {
        // A blob's file has no row of its own to lock; two hashes that share a hashtext()
        // only wait for each other. Key 1 keeps these apart from the schema lock.
        return QStringLiteral("SELECT pg_advisory_xact_lock(1, hashtext(?))");
    }
    QString bytesOf(const QString &column) const override
    {
        return QStringLiteral("convert_to(%1, 'UTF8')").arg(column);
    }

private:
    QUrl m_url;
    QString m_host; // a name, an address or the folder of a Unix socket
    QString m_options;
    Durability m_durability;
};

Ferry::Error invalidDatabase(const QString &why)
{
    return Ferry::Error {
        QStringLiteral("invalid_database"),
        QStringLiteral("--database wants postgresql://USER@HOST:PORT/DATABASE: %1").arg(why)};
}

} // namespace

namespace {

Ferry::Status lockRow(Statements &statements, const QString &lock, const QString &key)
{
    if (lock.isEmpty())
        return Ferry::success();
    const Statements::Held held = statements(lock);
    QSqlQuery &q = *held;
    q.addBindValue(key);
    if (!q.exec())
        return databaseError(QStringLiteral("waiting for other writers of %1").arg(key),
                             q.lastError().text());
    return Ferry::success();
}

} // namespace

Ferry::Status StoreBackend::lockWorkspace(Statements &statements, const QString &workspace) const
{
    return lockRow(statements, lockWorkspace(), workspace);
}

Ferry::Status StoreBackend::lockUser(Statements &statements, const QString &user) const
{
    return lockRow(statements, lockUser(), user);
}

Ferry::Status StoreBackend::lockBlob(Statements &statements, const QString &hash) const
{
    return lockRow(statements, lockBlob(), hash);
}

WriteTransaction::WriteTransaction(QSqlDatabase db, const StoreBackend &backend,
                                   Statements &statements, const QString &workspace)
    : m_db(std::move(db))
{
    QSqlQuery q(m_db);
    m_open = q.exec(backend.beginWrite());
    if (!m_open) {
        m_error = q.lastError().text();
        return;
    }
    if (workspace.isEmpty())
        return;
    if (Ferry::Status locked = backend.lockWorkspace(statements, workspace); !locked) {
        m_error = locked.error().message;
        m_ok = false;
    }
}

WriteTransaction::~WriteTransaction()
{
    if (m_open)
        QSqlQuery(m_db).exec(QStringLiteral("ROLLBACK"));
}

bool WriteTransaction::commit()
{
    QSqlQuery q(m_db);
    if (!q.exec(QStringLiteral("COMMIT"))) {
        m_error = q.lastError().text();
        return false;
    }
    m_open = false;
    return true;
}

Ferry::Result<std::unique_ptr<StoreBackend>>
StoreBackend::choose(const QString &database, const QString &dataDir, Durability durability)
{
    if (database.isEmpty())
        return std::unique_ptr<StoreBackend>(std::make_unique<SqliteBackend>(
            QDir(dataDir).filePath(QStringLiteral("ferry.db")), durability));
    const QUrl url(database, QUrl::StrictMode);
    if (!url.isValid())
        return invalidDatabase(url.errorString());
    if (url.scheme() != QLatin1String("postgresql") && url.scheme() != QLatin1String("postgres"))
        return invalidDatabase(QStringLiteral("the scheme is \"%1\"").arg(url.scheme()));
    if (url.path().size() < 2 || url.path().indexOf(QLatin1Char('/'), 1) != -1)
        return invalidDatabase(QStringLiteral("the database name is missing"));
    // libpq's connection settings that make sense here; anything else is a mistake to report.
    static const QStringList allowed {QStringLiteral("host"),
                                      QStringLiteral("sslmode"),
                                      QStringLiteral("sslrootcert"),
                                      QStringLiteral("sslcert"),
                                      QStringLiteral("sslkey"),
                                      QStringLiteral("connect_timeout"),
                                      QStringLiteral("application_name")};
    QStringList options;
    QString host = url.host();
    for (const auto &[key, value] : QUrlQuery(url).queryItems(QUrl::FullyDecoded)) {
        if (!allowed.contains(key))
            return invalidDatabase(QStringLiteral("unknown setting \"%1\" (known: %2)")
                                       .arg(key, allowed.join(QStringLiteral(", "))));
        if (value.contains(QLatin1Char(';')) || value.contains(QLatin1Char(' ')))
            return invalidDatabase(QStringLiteral("the value of %1 has a space or ;").arg(key));
        if (key == QLatin1String("host"))
            host = value; // a folder holding the server's Unix socket
        else
            options.append(key + QLatin1Char('=') + value);
    }
    if (host.isEmpty())
        return invalidDatabase(QStringLiteral("the host is missing"));
    return std::unique_ptr<StoreBackend>(
        std::make_unique<PostgresBackend>(url, host, options.join(QLatin1Char(';')), durability));
}

} // namespace FerryServer
