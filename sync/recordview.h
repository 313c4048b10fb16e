#pragma once

#include "recordtable.h"

#include <QHash>
#include <QSqlQuery>
#include <QVariant>

#include <optional>
#include <vector>

namespace Ferry {

// How a view orders and filters one entity's records.
struct RecordQuery
{
    // The field to sort by; empty for creation order (guids are time-ordered), or
    // kStatusSortKey for the sync status.
    QString sortField;
    bool descending = false;
    // What the person typed; records whose filter fields contain it (any case) match.
    QString filterText;
    // The fields the filter searches; empty means the entity's display field.
    QStringList filterFields;
};

inline constexpr QLatin1StringView kStatusSortKey {"$status"};

// Windowed, read-only SQL over one entity's table for item models that must stay quick with
// a million records: the ordered row keys (rowids) of the records a query shows, records
// by key in blocks, where a changed record now belongs, and display names for references.
// Sorting and filtering happen in SQLite; the index a sort needs is created the first time
// that sort is used. Use it on the thread of the LocalStore that owns the RecordTable.
class RecordView
{
public:
    explicit RecordView(RecordTable &table);

    const EntityDef &entity() const { return m_table.entity(); }
    const RecordQuery &query() const { return m_query; }
    // CreateNow makes the index the order needs at once; Deferred leaves that to whoever
    // runs keysStatement() (a worker thread, for large tables: it takes a second at 1M rows).
    enum class IndexPolicy { CreateNow, Deferred };
    Status setQuery(const RecordQuery &query, IndexPolicy index = IndexPolicy::CreateNow);

    // Keys of every shown record (not deleted, matching the filter) in the query's order.
    Result<std::vector<qint64>> keys();
    // The query keys() runs, for running it on another connection (another thread).
    struct KeysStatement
    {
        QString index; // made first if missing (CREATE INDEX IF NOT EXISTS …)
        QString sql;
        QVariantList binds;
    };
    KeysStatement keysStatement() const;
    static Result<std::vector<qint64>> runKeys(const QSqlDatabase &db,
                                               const KeysStatement &statement);
    // How many records are shown (what keys().size() would be, without reading them).
    Result<qint64> countShown();
    // An upper bound of the table's rows that costs nothing to ask (the largest rowid).
    qint64 estimatedRows() const;
    // The records with these keys, in any order, with their keys.
    Result<QList<QPair<qint64, LocalRecord>>> rows(const qint64 *keys, qsizetype count);

    struct Located
    {
        QString guid;
        qint64 key = 0; // 0: no such record in this table
        bool shown = false; // not deleted and matching the filter
    };
    // Where these records are now, in the order given.
    Result<QList<Located>> locate(const QStringList &guids);
    // True when the record `a` comes before `b` in the query's order.
    Result<bool> sortsBefore(qint64 a, qint64 b);

    // The display field's value of each existing record among `guids` (deleted ones too,
    // so a reference to a deleted record still reads as something).
    Result<QHash<QString, QString>> displayNames(const QStringList &guids);

private:
    QString sortExpression(const QString &alias) const;
    QString filterCondition(const QString &alias) const;
    void bindFilter(QSqlQuery &query, int first) const;
    int filterBindCount() const;
    Status ensureSortIndex();
    QString sortIndexStatement() const;

    RecordTable &m_table;
    RecordQuery m_query;
    QString m_pattern; // the LIKE pattern of the filter text
    std::optional<QSqlQuery> m_compare; // prepared sortsBefore() of the current query
};

} // namespace Ferry
