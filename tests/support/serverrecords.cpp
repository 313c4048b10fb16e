#include "serverrecords.h"

#include "serverprocess.h"
#include "testpostgres.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

using namespace Ferry;

namespace FerryTest {

namespace {

QSqlDatabase openFile(const QString &connection, const QString &path, bool writable)
{
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
    db.setDatabaseName(path);
    db.setConnectOptions(writable
                             ? QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000")
                             : QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=10000"));
    db.open();
    return db;
}

// A connection of its own for one reading, removed when done: to an SQLite file, or to the
// PostgreSQL database of a server's data folder (ServerProcess::kDatabaseNote).
class ReadConnection
{
public:
    explicit ReadConnection(const QString &path)
        : m_name(QUuid::createUuid().toString())
    {
        const QString folder = QFileInfo(path).dir().path();
        QSqlDatabase db
            = QFile::exists(QDir(folder).filePath(QLatin1String(ServerProcess::kDatabaseNote)))
            ? openServerDatabase(m_name, folder)
            : openFile(m_name, path, false);
        m_ok = db.isOpen();
        if (!m_ok)
            m_error = db.lastError().text();
    }
    ~ReadConnection()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    bool ok() const { return m_ok; }
    QString error() const { return m_error; }
    QSqlDatabase db() const { return QSqlDatabase::database(m_name, false); }

private:
    QString m_name;
    bool m_ok = false;
    QString m_error;
};

Error readError(const QString &what, const QString &detail)
{
    return Error {QStringLiteral("test"), QStringLiteral("%1: %2").arg(what, detail)};
}

} // namespace

QSqlDatabase openServerDatabase(const QString &connection, const QString &dataDir, bool writable)
{
    QFile note(QDir(dataDir).filePath(QLatin1String(ServerProcess::kDatabaseNote)));
    if (note.open(QIODevice::ReadOnly))
        return TestPostgres::open(connection, QString::fromUtf8(note.readAll()));
    return openFile(connection, QDir(dataDir).filePath(QStringLiteral("ferry.db")), writable);
}

Result<QHash<QString, ServerRecord>> readServerRecords(const QString &dataDir,
                                                       const QString &workspace)
{
    ReadConnection connection(QDir(dataDir).filePath(QStringLiteral("ferry.db")));
    if (!connection.ok())
        return readError(QStringLiteral("open the server's database"), connection.error());
    QSqlQuery query(connection.db());
    query.prepare(QStringLiteral(
        "SELECT guid, entity, rev, deleted, fields FROM records WHERE workspace = ?"));
    query.addBindValue(workspace);
    if (!query.exec())
        return readError(QStringLiteral("read the server's records"), query.lastError().text());
    QHash<QString, ServerRecord> records;
    while (query.next()) {
        ServerRecord record;
        record.entity = query.value(1).toString();
        record.rev = query.value(2).toLongLong();
        record.deleted = query.value(3).toInt() != 0;
        record.fields = QJsonDocument::fromJson(query.value(4).toString().toUtf8()).object();
        records.insert(query.value(0).toString(), record);
    }
    return records;
}

Result<qint64> readServerSequence(const QString &dataDir, const QString &workspace)
{
    ReadConnection connection(QDir(dataDir).filePath(QStringLiteral("ferry.db")));
    if (!connection.ok())
        return readError(QStringLiteral("open the server's database"), connection.error());
    QSqlQuery query(connection.db());
    query.prepare(QStringLiteral("SELECT seq FROM workspaces WHERE id = ?"));
    query.addBindValue(workspace);
    if (!query.exec() || !query.next())
        return readError(QStringLiteral("read the workspace's sequence"), query.lastError().text());
    return query.value(0).toLongLong();
}

QString integrityCheck(const QString &path)
{
    ReadConnection connection(path);
    if (!connection.ok())
        return QStringLiteral("cannot open: ") + connection.error();
    if (connection.db().driverName() == QLatin1String("QPSQL")) {
        // PostgreSQL keeps its own files whole through a client's crash; what can be checked
        // from here is that it answers.
        QSqlQuery query(connection.db());
        return query.exec(QStringLiteral("SELECT 1")) ? QStringLiteral("ok")
                                                      : query.lastError().text();
    }
    QSqlQuery query(connection.db());
    if (!query.exec(QStringLiteral("PRAGMA integrity_check")))
        return query.lastError().text();
    QStringList findings;
    while (query.next())
        findings.append(query.value(0).toString());
    return findings.join(QLatin1Char('\n'));
}

} // namespace FerryTest
