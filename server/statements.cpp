#include "statements.h"

#include <QSqlDatabase>
#include <QSqlError>

namespace FerryServer {

Statements::Statements(QString connection)
    : m_connection(std::move(connection))
{ }

Statements::~Statements() = default;

Statements::Held Statements::operator()(const QString &sql, bool forwardOnly)
{
    Entry &entry = m_kept[sql];
    if (entry.query && !entry.lent) {
        entry.lent = true;
        return Held(this, sql, entry.query.get(), nullptr);
    }
    auto query = std::make_unique<QSqlQuery>(QSqlDatabase::database(m_connection, false));
    query->setForwardOnly(forwardOnly);
    const bool prepared = query->prepare(sql);
    if (entry.query || !prepared) { // lent out already, or not worth keeping
        QSqlQuery *own = query.get();
        return Held(this, sql, own, std::move(query));
    }
    entry.query = std::move(query);
    entry.lent = true;
    return Held(this, sql, entry.query.get(), nullptr);
}

void Statements::giveBack(const QString &sql, QSqlQuery *query, bool failed)
{
    const auto found = m_kept.find(sql);
    if (found == m_kept.end() || found->second.query.get() != query)
        return;
    if (failed)
        m_kept.erase(found); // prepared again next time: the failure may have been the schema
    else
        found->second.lent = false;
}

Statements::Held::Held(Statements *owner, QString sql, QSqlQuery *query,
                       std::unique_ptr<QSqlQuery> own)
    : m_owner(owner)
    , m_sql(std::move(sql))
    , m_query(query)
    , m_own(std::move(own))
{ }

Statements::Held::Held(Held &&other) noexcept
    : m_owner(std::exchange(other.m_owner, nullptr))
    , m_sql(std::move(other.m_sql))
    , m_query(std::exchange(other.m_query, nullptr))
    , m_own(std::move(other.m_own))
{ }

Statements::Held::~Held()
{
    if (!m_query)
        return;
    const bool failed = m_query->lastError().isValid();
    m_query->finish();
    if (!m_own)
        m_owner->giveBack(m_sql, m_query, failed);
}

} // namespace FerryServer
