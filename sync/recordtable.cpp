#include "recordtable.h"

#include "sqlutil.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSqlRecord>
#include <QVarLengthArray>

namespace Ferry {

namespace {

// Metadata columns, in the order selectColumns() lists them before the fields.
enum MetaColumn {
    ColGuid,
    ColRev,
    ColDeleted,
    ColStatus,
    ColDirty,
    ColBase,
    ColExtra,
    ColProblem,
    ColModified,
    MetaCount
};

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

Result<QHash<QString, qint64>> RecordTable::files()
{
    QHash<QString, qint64> files;
    for (const FieldDef &field : m_entity.fields) {
        if (field.type != FieldType::Blob)
            continue;
        const FieldDef *size = m_entity.field(field.fileSizeField);
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        if (!q.exec(QStringLiteral("SELECT %1, %2 FROM %3 WHERE deleted = 0 AND %1 IS NOT NULL")
                        .arg(column(field.name),
                             size && size->type == FieldType::Int ? column(size->name)
                                                                  : QStringLiteral("NULL"),
                             tableName())))
            return Sql::error(QStringLiteral("list the files records name"), q);
        while (q.next())
            files.insert(q.value(0).toString(), q.value(1).isNull() ? -1 : q.value(1).toLongLong());
    }
    return files;
}

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

RecordTable::RecordTable(QSqlDatabase db, EntityDef entity)
    : m_db(std::move(db))
    , m_entity(std::move(entity))
{ }

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
    QString columns
        = QStringLiteral("guid, rev, deleted, status, dirty, base, extra, problem, modified");
    for (const FieldDef &field : m_entity.fields)
        columns += QStringLiteral(", ") + column(field.name);
    return columns;
}

Status RecordTable::ensure()
{
    QString create
        = QStringLiteral("CREATE TABLE IF NOT EXISTS %1 (guid TEXT PRIMARY KEY NOT NULL, "
                         "rev INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, "
                         "status INTEGER NOT NULL DEFAULT 0, dirty TEXT, base TEXT, extra TEXT, "
                         "problem TEXT, modified INTEGER NOT NULL DEFAULT 0")
              .arg(tableName());
    for (const FieldDef &field : m_entity.fields)
        create += QStringLiteral(", %1 %2").arg(column(field.name), sqlType(field.type));
    create += QLatin1Char(')');
    if (Status s = Sql::exec(m_db, create); !s)
        return s;
    const QString index
        = QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(status) WHERE status != 0")
              .arg(Sql::quoted(QStringLiteral("unsynced_") + m_entity.name), tableName());
    if (Status s = Sql::exec(m_db, index); !s)
        return s;
    // The default order of record views (see RecordView): made with the table, while it is
    // empty, so a large profile never waits for it on first show.
    const QString order
        = QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(deleted, guid)")
              .arg(Sql::quoted(QStringLiteral("view_") + m_entity.name + QStringLiteral("_$guid")),
                   tableName());
    if (Status s = Sql::exec(m_db, order); !s)
        return s;

    // Fields added to the schema since the table was made: add their columns and move
    // values that arrived earlier as unknown fields into them.
    const QSqlRecord existing = m_db.record(QStringLiteral("rec_") + m_entity.name);
    for (const FieldDef &field : m_entity.fields) {
        if (existing.indexOf(QStringLiteral("f_") + field.name) >= 0)
            continue;
        const QString path = QStringLiteral("'$.%1'").arg(field.name);
        const QString statements[] = {
            QStringLiteral("ALTER TABLE %1 ADD COLUMN %2 %3")
                .arg(tableName(), column(field.name), sqlType(field.type)),
            QStringLiteral(
                "UPDATE %1 SET %2 = json_extract(extra, %3), extra = json_remove(extra, %3) "
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
    if (!m_find) {
        m_find.emplace(m_db);
        if (!m_find->prepare(QStringLiteral("SELECT %1 FROM %2 WHERE guid = ?")
                                 .arg(selectColumns(), tableName())))
            return Sql::error(QStringLiteral("prepare reading %1 records").arg(m_entity.name),
                              *m_find);
    }
    QSqlQuery &query = *m_find;
    query.bindValue(0, guid);
    if (!query.exec())
        return Sql::error(QStringLiteral("read a %1").arg(m_entity.name), query);
    std::optional<LocalRecord> found;
    if (query.next())
        found = readRow(query);
    query.finish();
    return found;
}

Status RecordTable::write(const LocalRecord &record)
{
    if (!m_write) {
        QStringList names {
            QStringLiteral("guid"),   QStringLiteral("rev"),     QStringLiteral("deleted"),
            QStringLiteral("status"), QStringLiteral("dirty"),   QStringLiteral("base"),
            QStringLiteral("extra"),  QStringLiteral("problem"), QStringLiteral("modified")};
        for (const FieldDef &field : m_entity.fields)
            names.append(column(field.name));
        QStringList marks, updates;
        for (const QString &name : std::as_const(names)) {
            marks.append(QStringLiteral("?"));
            if (name != QLatin1String("guid"))
                updates.append(QStringLiteral("%1 = excluded.%1").arg(name));
        }
        const QString columns = names.join(QStringLiteral(", "));
        // An upsert, not INSERT OR REPLACE: the row keeps its rowid, which views key rows by.
        m_write.emplace(m_db);
        if (!m_write->prepare(
                QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT(guid) DO UPDATE SET %4")
                    .arg(tableName(), columns, marks.join(QStringLiteral(", ")),
                         updates.join(QStringLiteral(", ")))))
            return Sql::error(QStringLiteral("prepare saving %1 records").arg(m_entity.name),
                              *m_write);
    }
    // Values of a known field that do not fit its type are kept with the unknown fields.
    QJsonObject extra = record.extra;
    QSqlQuery &query = *m_write;
    int position = MetaCount;
    for (const FieldDef &field : m_entity.fields) {
        const QJsonValue value = record.fields.value(field.name);
        if (field.accepts(value) || value.isUndefined()) {
            query.bindValue(position++, toSqlValue(field, value));
        } else {
            extra.insert(field.name, value);
            query.bindValue(position++, QVariant());
        }
    }
    query.bindValue(ColGuid, record.guid);
    query.bindValue(ColRev, record.rev);
    query.bindValue(ColDeleted, record.deleted ? 1 : 0);
    query.bindValue(ColStatus, int(record.status));
    query.bindValue(
        ColDirty,
        record.dirty.isEmpty()
            ? QVariant()
            : QVariant(QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(record.dirty))
                                             .toJson(QJsonDocument::Compact))));
    query.bindValue(ColBase, jsonOrNull(record.base));
    query.bindValue(ColExtra, jsonOrNull(extra));
    query.bindValue(ColProblem, record.problem.isEmpty() ? QVariant() : QVariant(record.problem));
    query.bindValue(ColModified, record.modified);
    if (!query.exec())
        return Sql::error(QStringLiteral("save a %1").arg(m_entity.name), query);
    return success();
}

Result<QList<LocalRecord>> RecordTable::pending(int limit)
{
    QSqlQuery query(m_db);
    // "status != 0" repeats the partial index's condition so SQLite uses that index rather
    // than scanning every record; rowid order is creation order and needs no sort.
    query.prepare(
        QStringLiteral("SELECT %1 FROM %2 WHERE status != 0 AND status = %3 AND problem IS NULL "
                       "ORDER BY rowid LIMIT ?")
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
    if (!query.exec(
            QStringLiteral("SELECT count(*) FROM %1 %2")
                .arg(tableName(), includeDeleted ? QString() : QStringLiteral("WHERE deleted = 0")))
        || !query.next())
        return Sql::error(QStringLiteral("count %1 records").arg(m_entity.name), query);
    return query.value(0).toLongLong();
}

Result<QList<LocalRecord>> RecordTable::refused()
{
    QSqlQuery query(m_db);
    query.prepare(
        QStringLiteral("SELECT %1 FROM %2 WHERE status != 0 AND problem IS NOT NULL ORDER BY rowid")
            .arg(selectColumns(), tableName()));
    return readAll(query);
}

Result<QList<LocalRecord>> RecordTable::deleted(int limit)
{
    QSqlQuery query(m_db);
    query.prepare(QStringLiteral("SELECT %1 FROM %2 WHERE deleted = 1 ORDER BY modified DESC, "
                                 "guid LIMIT ?")
                      .arg(selectColumns(), tableName()));
    query.addBindValue(limit);
    return readAll(query);
}

Result<qint64> RecordTable::countUnsynced()
{
    QSqlQuery query(m_db);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM %1 WHERE status != 0").arg(tableName()))
        || !query.next())
        return Sql::error(QStringLiteral("count unsynced %1 records").arg(m_entity.name), query);
    return query.value(0).toLongLong();
}

QString RecordTable::countsSql() const
{
    return QStringLiteral("SELECT n FROM (SELECT 0 AS k, count(*) AS n FROM %1 WHERE deleted = 0 "
                          "UNION ALL SELECT 1, count(*) FROM %1 WHERE status != 0) ORDER BY k")
        .arg(tableName());
}

Result<bool> RecordTable::upsertRemote(const Wire::RemoteRecord &remote, qint64 now)
{
    // This runs once per pulled record (100,000 times in a large initial sync): no string
    // building, one pass over the record's fields. Anything that does not fit a column
    // goes to the merge path instead.
    const qsizetype fieldCount = m_entity.fields.size();
    if (fieldCount > 62)
        return false;
    QVarLengthArray<QJsonValue, 32> values(fieldCount);
    quint64 mask = 0;
    for (auto it = remote.fields.begin(); it != remote.fields.end(); ++it) {
        const QString key = it.key();
        qsizetype i = 0;
        while (i < fieldCount && m_entity.fields[i].name != key)
            ++i;
        if (i == fieldCount)
            return false;
        const QJsonValue value = it.value();
        if (!m_entity.fields[i].accepts(value))
            return false;
        values[i] = value;
        mask |= quint64(1) << i;
    }
    const quint64 key = mask | (remote.deleted ? quint64(1) << 63 : 0);

    auto cached = m_upserts.find(key);
    if (cached == m_upserts.end()) {
        QString columns = QStringLiteral("guid, rev, deleted, status, modified");
        QString marks = QStringLiteral("?, ?, ?, 0, ?");
        QString updates = QStringLiteral(
            "rev = excluded.rev, deleted = excluded.deleted, modified = excluded.modified");
        // A tombstone brought back by another device arrives with every field the server
        // holds (a restore gives each the new revision): what it does not send is empty.
        const QString revived
            = QStringLiteral("%1.deleted <> 0 AND excluded.deleted = 0").arg(tableName());
        updates += QStringLiteral(", extra = CASE WHEN %1 THEN NULL ELSE %2.extra END")
                       .arg(revived, tableName());
        for (qsizetype i = 0; i < fieldCount; ++i) {
            const QString c = column(m_entity.fields[i].name);
            if (!(mask & (quint64(1) << i))) {
                updates += QStringLiteral(", %1 = CASE WHEN %2 THEN NULL ELSE %3.%1 END")
                               .arg(c, revived, tableName());
                continue;
            }
            columns += QStringLiteral(", ") + c;
            marks += QStringLiteral(", ?");
            updates += QStringLiteral(", %1 = excluded.%1").arg(c);
        }
        QSqlQuery query(m_db);
        const QString sql
            = QStringLiteral("INSERT INTO %1 (%2) VALUES (%3) ON CONFLICT(guid) DO UPDATE SET %4 "
                             "WHERE excluded.rev > %1.rev AND %1.status = 0")
                  .arg(tableName(), columns, marks, updates);
        if (!query.prepare(sql))
            return Sql::error(QStringLiteral("prepare the update of %1 records").arg(m_entity.name),
                              query);
        cached = m_upserts.insert(key, query);
    }
    QSqlQuery &query = *cached;
    query.bindValue(0, remote.guid);
    query.bindValue(1, remote.rev);
    query.bindValue(2, remote.deleted ? 1 : 0);
    query.bindValue(3, now);
    int position = 4;
    for (qsizetype i = 0; i < fieldCount; ++i) {
        if (mask & (quint64(1) << i))
            query.bindValue(position++, toSqlValue(m_entity.fields[i], values[i]));
    }
    if (!query.exec())
        return Sql::error(QStringLiteral("store a received %1").arg(m_entity.name), query);
    return true;
}

} // namespace Ferry
