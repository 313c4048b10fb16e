#include "sqlutil.h"

#include <QSqlError>

namespace Ferry::Sql {

Error error(const QString &what, const QSqlQuery &query)
{
    return Error {
        QStringLiteral("storage"),
        QStringLiteral("The local database failed to %1: %2").arg(what, query.lastError().text())};
}

Error error(const QString &what, const QSqlDatabase &db)
{
    return Error {
        QStringLiteral("storage"),
        QStringLiteral("The local database failed to %1: %2").arg(what, db.lastError().text())};
}

Status exec(QSqlDatabase &db, const QString &statement)
{
    QSqlQuery query(db);
    if (!query.exec(statement))
        return error(QStringLiteral("run \"%1\"").arg(statement.left(60)), query);
    return success();
}

Transaction::Transaction(QSqlDatabase &db)
    : m_db(db)
    , m_begun(exec(db, QStringLiteral("BEGIN IMMEDIATE")))
{
    m_open = m_begun.ok();
}

Transaction::~Transaction()
{
    if (m_open)
        exec(m_db, QStringLiteral("ROLLBACK"));
}

Status Transaction::commit()
{
    if (!m_open)
        return m_begun.ok() ? Status(
                   Error {QStringLiteral("storage"), QStringLiteral("Transaction already ended.")})
                            : m_begun;
    Status done = exec(m_db, QStringLiteral("COMMIT"));
    if (done)
        m_open = false;
    return done;
}

QString quoted(const QString &identifier)
{
    QString out = identifier;
    out.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + out + QLatin1Char('"');
}

} // namespace Ferry::Sql
