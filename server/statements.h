#pragma once

#include <QSqlQuery>
#include <QString>

#include <memory>
#include <unordered_map>

namespace FerryServer {

// Prepared statements kept for the life of the store's connection. A QSqlQuery prepares its
// statement anew each time one is made, and on PostgreSQL that is a PREPARE, an EXECUTE and a
// DEALLOCATE: three round trips to the database for every query. A kept statement costs one.
// A statement is lent to one caller at a time (Held) and finished when it comes back (its
// rows, and on SQLite its read lock, let go). One asked for while lent out is made for that
// caller alone, and one whose last use failed is not kept, so a failure is never kept either.
// Runs on the connection's thread.
class Statements
{
public:
    explicit Statements(QString connection);
    ~Statements();
    Statements(const Statements &) = delete;
    Statements &operator=(const Statements &) = delete;

    class Held
    {
    public:
        Held(Held &&other) noexcept;
        Held &operator=(Held &&) = delete;
        ~Held();
        QSqlQuery &operator*() const { return *m_query; }
        QSqlQuery *operator->() const { return m_query; }

    private:
        friend class Statements;
        Held(Statements *owner, QString sql, QSqlQuery *query, std::unique_ptr<QSqlQuery> own);

        Statements *m_owner;
        QString m_sql;
        QSqlQuery *m_query;
        std::unique_ptr<QSqlQuery> m_own; // not kept: made while the kept one was lent out
    };

    // `sql`, prepared: bind its values, exec() it and read it as any QSqlQuery. A statement
    // that could not be prepared fails its exec() with the reason.
    Held operator()(const QString &sql, bool forwardOnly = false);

    qsizetype kept() const { return qsizetype(m_kept.size()); }

private:
    struct Entry
    {
        std::unique_ptr<QSqlQuery> query;
        bool lent = false;
    };
    void giveBack(const QString &sql, QSqlQuery *query, bool failed);

    QString m_connection;
    std::unordered_map<QString, Entry> m_kept;
};

} // namespace FerryServer
