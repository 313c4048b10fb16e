#include "recordtable.h"

#include "sqlutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlRecord>
#include <QSet>

namespace Ferry {

namespace {

// Metadata columns, in the order selectColumns() lists them before the fields.
enum MetaColumn { ColGuid, ColRev, ColDeleted, ColStatus, ColDirty, ColBase, ColExtra, ColProblem, ColModified, MetaCount };

QString sqlType(FieldType type)
{
    switch (type) {
    case FieldType::Int:
    case FieldType::Bool:
        return QStringLiteral("INTEGER");
    case FieldType::Real:
        return QStringLiteral("REAL");
    default:
        return QStringLiteral("TEXT");
    }
}

QByteArray compact(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QVariant jsonOrNull(const QJsonObject &object)
{
    return object.isEmpty() ? QVariant() : QVariant(QString::fromUtf8(compact(object)));
}

QJsonObject objectFrom(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QJsonDocument::fromJson(value.toString().toUtf8()).object();
}

} // namespace

QVariant toSqlValue(const FieldDef &field, const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return QVariant();
    switch (field.type) {
    case FieldType::Int:
        return qint64(value.toDouble());
    case FieldType::Bool:
        return value.toBool() ? 1 : 0;
    case FieldType::Real:
        return value.toDouble();
    case FieldType::Refs:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    default:
        return value.toString();
    }
}

QJsonValue fromSqlValue(const FieldDef &field, const QVariant &value)
{
    if (value.isNull())
        return QJsonValue(QJsonValue::Null);
    switch (field.type) {
    case FieldType::Int:
        return double(value.toLongLong());
    case FieldType::Bool:
        return value.toLongLong() != 0;
    case FieldType::Real:
        return value.toDouble();
    case FieldType::Refs:
        return QJsonDocument::fromJson(value.toString().toUtf8()).array();
    default:
        return value.toString();
    }
}

RecordTable::RecordTable(QSqlDatabase db, EntityDef entity) : m_db(std::move(db)), m_entity(std::move(entity)) { }

QString RecordTable::tableName() const
{
    return Sql::quoted(QStringLiteral("rec_") + m_entity.name);
}

QString RecordTable::column(const QString &field) const
{
    return Sql::quoted(QStringLiteral("f_") + field);
}

QString RecordTable::selectColumns() const
{
    QString columns = QStringLiteral("guid, rev, deleted, status, dirty, base, extra, problem, modified");
    for (const FieldDef &field : m_entity.fields)
        columns += QStringLiteral(", ") + column(field.name);
    return columns;
}

Status RecordTable::ensure()
{
    QString create = QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (guid TEXT PRIMARY KEY NOT NULL, "
                                    "rev INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, "
                                    "status INTEGER NOT NULL DEFAULT 0, dirty TEXT, base TEXT, extra TEXT, "
                                    "problem TEXT, modified INTEGER NOT NULL DEFAULT 0")
                         .arg(tableName());
    for (const FieldDef &field : m_entity.fields)
        create += QStringLiteral(", %1 %2").arg(column(field.name), sqlType(field.type));
    create += QLatin1Char(')');
    if (Status s = Sql::exec(m_db, create); !s)
        return s;
    const QString index = QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(status) WHERE status != 0")
                              .arg(Sql::quoted(QStringLiteral("unsynced_") + m_entity.name), tableName());
    if (Status s = Sql::exec(m_db, index); !s)
        return s;

    // Fields added to the schema since the table was made: add their columns and move
    // values that arrived earlier as unknown fields into them.
    const QSqlRecord existing = m_db.record(QStringLiteral("rec_") + m_entity.name);
    for (const FieldDef &field : m_entity.fields) {
        if (existing.indexOf(QStringLiteral("f_") + field.name) >= 0)
            continue;
        const QString path = QStringLiteral("'$.%1'").arg(field.name);
        const QString statements[] = {
            QStringLiteral("ALTER TABLE %1 ADD COLUMN %2 %3").arg(tableName(), column(field.name), sqlType(field.type)),
            QStringLiteral("UPDATE %1 SET %2 = json_extract(extra, %3), extra = json_remove(extra, %3) "
                           "WHERE extra IS NOT NULL AND json_type(extra, %3) IS NOT NULL")
                .arg(tableName(), column(field.name), path),
        };
        for (const QString &statement : statements) {
            if (Status s = Sql::exec(m_db, statement); !s)
                return s;
        }
    }
    return success();
}

LocalRecord RecordTable::readRow(const QSqlQuery &query) const
{
    LocalRecord r;
    r.entity = m_entity.name;
    r.guid = query.value(ColGuid).toString();
    r.rev = query.value(ColRev).toLongLong();
    r.deleted = query.value(ColDeleted).toInt() != 0;
    r.status = static_cast<SyncStatus>(query.value(ColStatus).toInt());
    const QVariant dirty = query.value(ColDirty);
    if (!dirty.isNull()) {
        const QJsonArray names = QJsonDocument::fromJson(dirty.toString().toUtf8()).array();
        for (const QJsonValue &name : names)
            r.dirty.append(name.toString());
    }
    r.base = objectFrom(query.value(ColBase));
    r.extra = objectFrom(query.value(ColExtra));
    r.problem = query.value(ColProblem).toString();
    r.modified = query.value(ColModified).toLongLong();
    for (qsizetype i = 0; i < m_entity.fields.size(); ++i) {
        const FieldDef &field = m_entity.fields[i];
        r.fields.insert(field.name, fromSqlValue(field, query.value(int(MetaCount + i))));
    }
    return r;
}

Result<QList<LocalRecord>> RecordTable::readAll(QSqlQuery &query)
{
    if (!query.exec())
        return Sql::error(QStringLiteral("read %1 records").arg(m_entity.name), query);
    QList<LocalRecord> records;
    while (query.next())
        records.append(readRow(query));
    return records;
}

Result<std::optional<LocalRecord>> RecordTable::find(const QString &guid)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE guid = ?").arg(selectColumns(), tableName()));
    query.addBindValue(guid);
    if (!query.exec())
        return Sql::error(QStringLiteral("read a %1").arg(m_entity.name), query);
    if (!query.next())
        return std::optional<LocalRecord>();
    return std::optional<LocalRecord>(readRow(query));
}

Status RecordTable::write(const LocalRecord &record)
{
    QString columns = QStringLiteral("guid, rev, deleted, status, dirty, base, extra, problem, modified");
    QString marks = QStringLiteral("?, ?, ?, ?, ?, ?, ?, ?, ?");
    for (const FieldDef &field : m_entity.fields) {
        columns += QStringLiteral(", ") + column(field.name);
        marks += QStringLiteral(", ?");
    }
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("INSERT OR REPLACE INTO %1 (%2) VALUES (%3)").arg(tableName(), columns, marks));
    query.addBindValue(record.guid);
    query.addBindValue(record.rev);
    query.addBindValue(record.deleted ? 1 : 0);
    query.addBindValue(int(record.status));
    query.addBindValue(record.dirty.isEmpty()
                           ? QVariant()
                           : QVariant(QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(record.dirty))
                                                            .toJson(QJsonDocument::Compact))));
    query.addBindValue(jsonOrNull(record.base));
    // Values of a known field that do not fit its type are kept with the unknown fields.
    QJsonObject extra = record.extra;
    QVariantList values;
    for (const FieldDef &field : m_entity.fields) {
        const QJsonValue value = record.fields.value(field.name);
        if (field.accepts(value) || value.isUndefined()) {
            values.append(toSqlValue(field, value));
        } else {
            extra.insert(field.name, value);
            values.append(QVariant());
        }
    }
    query.addBindValue(jsonOrNull(extra));
    query.addBindValue(record.problem.isEmpty() ? QVariant() : QVariant(record.problem));
    query.addBindValue(record.modified);
    for (const QVariant &value : std::as_const(values))
        query.addBindValue(value);
    if (!query.exec())
        return Sql::error(QStringLiteral("save a %1").arg(m_entity.name), query);
    return success();
}

Result<QList<LocalRecord>> RecordTable::pending(int limit)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE status = %3 AND problem IS NULL ORDER BY modified LIMIT ?")
                      .arg(selectColumns(), tableName())
                      .arg(int(SyncStatus::NeedsSync)));
    query.addBindValue(limit);
    return readAll(query);
}

Result<QSet<QString>> RecordTable::unsyncedGuids()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT guid FROM %1 WHERE status != 0").arg(tableName())))
        return Sql::error(QStringLiteral("list unsynced %1 records").arg(m_entity.name), query);
    QSet<QString> guids;
    while (query.next())
        guids.insert(query.value(0).toString());
    return guids;
}

Result<QList<LocalRecord>> RecordTable::list(bool includeDeleted, int limit, int offset)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM %2 %3 ORDER BY guid LIMIT ? OFFSET ?")
                      .arg(selectColumns(), tableName(),
                           includeDeleted ? QString() : QStringLiteral("WHERE deleted = 0")));
    query.addBindValue(limit);
    query.addBindValue(offset);
    return readAll(query);
}

Result<qint64> RecordTable::count(bool includeDeleted)
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM %1 %2")
                        .arg(tableName(), includeDeleted ? QString() : QStringLiteral("WHERE deleted = 0")))
        || !query.next())
        return Sql::error(QStringLiteral("count %1 records").arg(m_entity.name), query);
    return query.value(0).toLongLong();
}

Result<qint64> RecordTable::countUnsynced()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM %1 WHERE status != 0").arg(tableName())) || !query.next())
        return Sql::error(QStringLiteral("count unsynced %1 records").arg(m_entity.name), query);
    return query.value(0).toLongLong();
}

Result<bool> RecordTable::upsertRemote(const Wire::RemoteRecord &remote, qint64 now)
{
    // Which columns this change writes, in schema order; bail out to the merge path for
    // anything that does not fit a column.
    QList<qsizetype> indexes;
    indexes.reserve(remote.fields.size());
    for (auto it = remote.fields.begin(); it != remote.fields.end(); ++it) {
        const qsizetype i = m_entity.indexOf(it.key());
        if (i < 0 || !m_entity.fields[i].accepts(it.value()))
            return false;
        indexes.append(i);
    }
    std::sort(indexes.begin(), indexes.end());

    QString key = remote.deleted ? QStringLiteral("D") : QStringLiteral("L");
    for (const qsizetype i : std::as_const(indexes))
        key += QLatin1Char(',') + QString::number(i);
    auto cached = m_upserts.find(key);
    if (cached == m_upserts.end()) {
        QString columns = QStringLiteral("guid, rev, deleted, status, modified");
        QString marks = QStringLiteral("?, ?, ?, 0, ?");
        QString updates = QStringLiteral("rev = excluded.rev, deleted = excluded.deleted, modified = excluded.modified");
        for (const qsizetype i : std::as_const(indexes)) {
            const QString c = column(m_entity.fields[i].name);
            columns += QStringLiteral(", ") + c;
            marks += QStringLiteral(", ?");
            updates += QStringLiteral(", %1 = excluded.%1").arg(c);
        }
        QSqlQuery query(m_db);
        const QString sql = QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT(guid) DO UPDATE SET %4 "
                                           "WHERE excluded.rev > %1.rev AND %1.status = 0")
                                .arg(tableName(), columns, marks, updates);
        if (!query.prepare(sql))
            return Sql::error(QStringLiteral("prepare the update of %1 records").arg(m_entity.name), query);
        cached = m_upserts.insert(key, query);
    }
    QSqlQuery &query = *cached;
    query.bindValue(0, remote.guid);
    query.bindValue(1, remote.rev);
    query.bindValue(2, remote.deleted ? 1 : 0);
    query.bindValue(3, now);
    int position = 4;
    for (const qsizetype i : std::as_const(indexes)) {
        const FieldDef &field = m_entity.fields[i];
        query.bindValue(position++, toSqlValue(field, remote.fields.value(field.name)));
    }
    if (!query.exec())
        return Sql::error(QStringLiteral("store a received %1").arg(m_entity.name), query);
    return true;
}

} // namespace Ferry
