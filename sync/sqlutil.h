#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QSqlQuery>

namespace Ferry::Sql {

// An Error naming what failed, with the driver's words.
Error error(const QString &what, const QSqlQuery &query);
Error error(const QString &what, const QSqlDatabase &db);

// Runs one statement; for schema setup and pragmas.
Status exec(QSqlDatabase &db, const QString &statement);

// A write transaction taken at once (BEGIN IMMEDIATE), so two connections never deadlock
// upgrading a read to a write. Rolls back unless commit() succeeded.
class Transaction
{
public:
    explicit Transaction(QSqlDatabase &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    const Status &begun() const { return m_begun; }
    Status commit();

private:
    QSqlDatabase &m_db;
    Status m_begun;
    bool m_open = false;
};

// Quotes an identifier for SQL ("name", with inner quotes doubled).
QString quoted(const QString &identifier);

} // namespace Ferry::Sql
