#pragma once

#include "records.h"
#include "result.h"
#include "schema.h"
#include "wire.h"

#include <QHash>
#include <QSqlDatabase>
#include <QSqlQuery>

#include <optional>

namespace Ferry {

// The SQL for one entity's table in the local store: a column per schema field plus the
// sync metadata. Used by LocalStore only, on the thread that owns its connection.
class RecordTable
{
public:
    RecordTable(QSqlDatabase db, EntityDef entity);

    const EntityDef &entity() const { return m_entity; }
    QString tableName() const;

    // Creates the table, or adds the columns of fields new to the schema (moving values
    // that were kept as unknown fields into them).
    Status ensure();

    Result<std::optional<LocalRecord>> find(const QString &guid);
    Status write(const LocalRecord &record);

    // Records with local changes ready to push (not conflicted, not refused by the server).
    Result<QList<LocalRecord>> pending(int limit);
    // Guids of records with any local state the server does not have yet.
    Result<QSet<QString>> unsyncedGuids();
    Result<QList<LocalRecord>> list(bool includeDeleted, int limit = -1, int offset = 0);
    Result<qint64> count(bool includeDeleted);
    // The files live records name (blob id -> size in bytes as the record's size field says,
    // -1 if it does not say).
    Result<QHash<QString, qint64>> files();
    Result<qint64> countUnsynced();
    // One query giving two rows: the records not deleted, then those not synced; for
    // counting on another connection.
    QString countsSql() const;
    // Records whose last push the server refused, with its reason.
    Result<QList<LocalRecord>> refused();
    // Deleted records (tombstones), the most recently changed first; at most `limit`.
    Result<QList<LocalRecord>> deleted(int limit);

    // The fast path for pulled changes to records without local changes: one upsert, no
    // read. Returns false (and writes nothing) when the change needs the full merge path:
    // it carries fields this schema does not know or values of the wrong type.
    Result<bool> upsertRemote(const Wire::RemoteRecord &remote, qint64 now);

    // For queries built elsewhere (views over the table): the quoted column of a field, the
    // column list readRow() expects at the start of a SELECT, and reading such rows.
    QString column(const QString &field) const;
    QString selectColumns() const;
    LocalRecord readRow(const QSqlQuery &query) const;
    Result<QList<LocalRecord>> readAll(QSqlQuery &query);
    QSqlDatabase database() const { return m_db; }

private:
    QSqlDatabase m_db;
    EntityDef m_entity;
    std::optional<QSqlQuery> m_find;
    std::optional<QSqlQuery> m_write;
    QHash<quint64, QSqlQuery> m_upserts; // prepared upserts by the fields they write (bit mask)
};

// Conversions between field values and what the SQLite columns hold.
QVariant toSqlValue(const FieldDef &field, const QJsonValue &value);
QJsonValue fromSqlValue(const FieldDef &field, const QVariant &value);

} // namespace Ferry
