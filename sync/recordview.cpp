#include "recordview.h"

#include "sqlutil.h"

#include <QSqlRecord>

namespace Ferry {

namespace {

// Longest IN (...) list bound in one statement; far below SQLite's variable limit.
constexpr qsizetype kInChunk = 500;

bool isTextual(FieldType type)
{
    switch (type) {
    case FieldType::String:
    case FieldType::Text:
    case FieldType::DateTime:
    case FieldType::Ref:
    case FieldType::Blob:
        return true;
    default:
        return false;
    }
}

QString placeholders(qsizetype count)
{
    QString marks;
    marks.reserve(count * 3);
    for (qsizetype i = 0; i < count; ++i)
        marks += i == 0 ? QStringLiteral("?") : QStringLiteral(", ?");
    return marks;
}

QString likePattern(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    escaped.replace(QLatin1Char('%'), QStringLiteral("\\%"));
    escaped.replace(QLatin1Char('_'), QStringLiteral("\\_"));
    return QLatin1Char('%') + escaped + QLatin1Char('%');
}

} // namespace

RecordView::RecordView(RecordTable &table)
    : m_table(table)
{ }

// The value a query sorts by, without its collation; `alias` is empty or ends in a dot.
// Text sorts without regard to case, the way people expect a list of names to read; refs
// sort by how many records they refer to.
QString RecordView::sortExpression(const QString &alias) const
{
    if (m_query.sortField.isEmpty())
        return alias + QStringLiteral("guid");
    if (m_query.sortField == kStatusSortKey)
        return alias + QStringLiteral("status");
    const FieldDef *field = entity().field(m_query.sortField);
    const QString column = alias + m_table.column(field->name);
    if (field->type == FieldType::Refs)
        return QStringLiteral("json_array_length(%1)").arg(column);
    return column;
}

QString RecordView::filterCondition(const QString &alias) const
{
    if (m_pattern.isEmpty())
        return QStringLiteral("1");
    QStringList terms;
    for (const QString &name : m_query.filterFields)
        terms.append(QStringLiteral("%1%2 LIKE ? ESCAPE '\\'").arg(alias, m_table.column(name)));
    return QLatin1Char('(') + terms.join(QStringLiteral(" OR ")) + QLatin1Char(')');
}

int RecordView::filterBindCount() const
{
    return m_pattern.isEmpty() ? 0 : int(m_query.filterFields.size());
}

void RecordView::bindFilter(QSqlQuery &query, int first) const
{
    for (int i = 0; i < filterBindCount(); ++i)
        query.bindValue(first + i, m_pattern);
}

Status RecordView::setQuery(const RecordQuery &query, IndexPolicy index)
{
    RecordQuery checked = query;
    if (!checked.sortField.isEmpty() && checked.sortField != kStatusSortKey
        && !entity().field(checked.sortField))
        return Error {QStringLiteral("unknown_field"),
                      QStringLiteral("%1 has no field %2.").arg(entity().name, query.sortField)};
    if (checked.filterFields.isEmpty() && entity().field(entity().display))
        checked.filterFields.append(entity().display);
    for (const QString &name : std::as_const(checked.filterFields)) {
        if (!entity().field(name))
            return Error {QStringLiteral("unknown_field"),
                          QStringLiteral("%1 has no field %2.").arg(entity().name, name)};
    }
    m_query = checked;
    m_pattern = m_query.filterText.isEmpty() || m_query.filterFields.isEmpty()
        ? QString()
        : likePattern(m_query.filterText);
    m_compare.reset();
    return index == IndexPolicy::CreateNow ? ensureSortIndex() : success();
}

// An index on (deleted, sort value) lets SQLite read the keys in order from the index alone
// instead of sorting the table: a million keys then take tens of milliseconds, not a second.
// It is made once per sorted column, the first time a person sorts by it.
QString RecordView::sortIndexStatement() const
{
    const FieldDef *field = entity().field(m_query.sortField);
    const QString suffix = m_query.sortField.isEmpty()
        ? QStringLiteral("$guid")
        : (m_query.sortField == kStatusSortKey ? m_query.sortField : m_table.column(field->name));
    QString expression = sortExpression(QString());
    if (field && isTextual(field->type))
        expression += QStringLiteral(" COLLATE NOCASE");
    return QStringLiteral("CREATE INDEX IF NOT EXISTS %1 ON %2(deleted, %3)")
        .arg(Sql::quoted(QStringLiteral("view_") + entity().name + QLatin1Char('_') + suffix),
             m_table.tableName(), expression);
}

Status RecordView::ensureSortIndex()
{
    QSqlDatabase db = m_table.database();
    return Sql::exec(db, sortIndexStatement());
}

RecordView::KeysStatement RecordView::keysStatement() const
{
    const FieldDef *field = entity().field(m_query.sortField);
    const QString direction = m_query.descending ? QStringLiteral("DESC") : QStringLiteral("ASC");
    QString order = sortExpression(QString());
    if (field && isTextual(field->type))
        order += QStringLiteral(" COLLATE NOCASE");
    KeysStatement statement;
    statement.index = sortIndexStatement();
    statement.sql
        = QStringLiteral("SELECT rowid FROM %1 WHERE deleted = 0 AND %2 ORDER BY %3 %4, rowid %4")
              .arg(m_table.tableName(), filterCondition(QString()), order, direction);
    for (int i = 0; i < filterBindCount(); ++i)
        statement.binds.append(m_pattern);
    return statement;
}

Result<std::vector<qint64>> RecordView::keys()
{
    return runKeys(m_table.database(), keysStatement());
}

Result<std::vector<qint64>> RecordView::runKeys(const QSqlDatabase &db,
                                                const KeysStatement &statement)
{
    if (!statement.index.isEmpty()) {
        QSqlDatabase connection = db;
        if (Status made = Sql::exec(connection, statement.index); !made)
            return made.error();
    }
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(statement.sql);
    for (int i = 0; i < statement.binds.size(); ++i)
        query.bindValue(i, statement.binds.at(i));
    if (!query.exec())
        return Sql::error(QStringLiteral("list records"), query);
    std::vector<qint64> keys;
    while (query.next())
        keys.push_back(query.value(0).toLongLong());
    return keys;
}

qint64 RecordView::estimatedRows() const
{
    QSqlQuery query(m_table.database());
    if (query.exec(QStringLiteral("SELECT max(rowid) FROM %1").arg(m_table.tableName()))
        && query.next())
        return query.value(0).toLongLong();
    return 0;
}

Result<qint64> RecordView::countShown()
{
    QSqlQuery query(m_table.database());
    query.prepare(QStringLiteral("SELECT count(*) FROM %1 WHERE deleted = 0 AND %2")
                      .arg(m_table.tableName(), filterCondition(QString())));
    bindFilter(query, 0);
    if (!query.exec() || !query.next())
        return Sql::error(QStringLiteral("count %1 records").arg(entity().name), query);
    return query.value(0).toLongLong();
}

Result<QList<QPair<qint64, LocalRecord>>> RecordView::rows(const qint64 *keys, qsizetype count)
{
    QList<QPair<qint64, LocalRecord>> found;
    if (count == 0)
        return found;
    // Keys are integers we hold, so they go into the statement as text: one statement per
    // block instead of binding hundreds of values.
    QString list;
    list.reserve(count * 8);
    for (qsizetype i = 0; i < count; ++i) {
        if (i > 0)
            list += QLatin1Char(',');
        list += QString::number(keys[i]);
    }
    QSqlQuery query(m_table.database());
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT %1, rowid FROM %2 WHERE rowid IN (%3)")
                        .arg(m_table.selectColumns(), m_table.tableName(), list)))
        return Sql::error(QStringLiteral("read %1 records").arg(entity().name), query);
    const int keyColumn = query.record().count() - 1;
    found.reserve(count);
    while (query.next())
        found.append(qMakePair(query.value(keyColumn).toLongLong(), m_table.readRow(query)));
    return found;
}

Result<QList<RecordView::Located>> RecordView::locate(const QStringList &guids)
{
    QHash<QString, Located> where;
    for (qsizetype start = 0; start < guids.size(); start += kInChunk) {
        const QStringList chunk = guids.mid(start, kInChunk);
        QSqlQuery query(m_table.database());
        query.setForwardOnly(true);
        query.prepare(
            QStringLiteral("SELECT rowid, guid, deleted = 0 AND %1 FROM %2 "
                           "WHERE guid IN (%3)")
                .arg(filterCondition(QString()), m_table.tableName(), placeholders(chunk.size())));
        bindFilter(query, 0);
        for (qsizetype i = 0; i < chunk.size(); ++i)
            query.bindValue(int(filterBindCount() + i), chunk[i]);
        if (!query.exec())
            return Sql::error(QStringLiteral("find changed %1 records").arg(entity().name), query);
        while (query.next()) {
            const QString guid = query.value(1).toString();
            where.insert(guid,
                         Located {guid, query.value(0).toLongLong(), query.value(2).toBool()});
        }
    }
    QList<Located> located;
    located.reserve(guids.size());
    for (const QString &guid : guids)
        located.append(where.value(guid, Located {guid, 0, false}));
    return located;
}

Result<bool> RecordView::sortsBefore(qint64 a, qint64 b)
{
    if (!m_compare) {
        // The order of keys() as one comparable row value: NULLs first (as SQLite sorts
        // them ascending), then the value, then the rowid that breaks ties.
        const FieldDef *field = entity().field(m_query.sortField);
        const QString collate
            = field && isTextual(field->type) ? QStringLiteral(" COLLATE NOCASE") : QString();
        auto tuple = [&](const QString &alias) {
            const QString value = sortExpression(alias + QLatin1Char('.'));
            return QStringLiteral("(%1 IS NOT NULL, ifnull(%1, 0)%2, %3.rowid)")
                .arg(value, collate, alias);
        };
        m_compare.emplace(m_table.database());
        if (!m_compare->prepare(
                QStringLiteral("SELECT %1 %2 %3 FROM %4 a, %4 b "
                               "WHERE a.rowid = ? AND b.rowid = ?")
                    .arg(tuple(QStringLiteral("a")),
                         m_query.descending ? QStringLiteral(">") : QStringLiteral("<"),
                         tuple(QStringLiteral("b")), m_table.tableName())))
            return Sql::error(QStringLiteral("compare %1 records").arg(entity().name), *m_compare);
    }
    QSqlQuery &query = *m_compare;
    query.bindValue(0, a);
    query.bindValue(1, b);
    if (!query.exec())
        return Sql::error(QStringLiteral("compare %1 records").arg(entity().name), query);
    const bool before = query.next() && query.value(0).toBool();
    query.finish();
    return before;
}

Result<QHash<QString, QString>> RecordView::displayNames(const QStringList &guids)
{
    QHash<QString, QString> names;
    const FieldDef *display = entity().field(entity().display);
    if (!display)
        return names;
    for (qsizetype start = 0; start < guids.size(); start += kInChunk) {
        const QStringList chunk = guids.mid(start, kInChunk);
        QSqlQuery query(m_table.database());
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT guid, %1 FROM %2 WHERE guid IN (%3)")
                          .arg(m_table.column(display->name), m_table.tableName(),
                               placeholders(chunk.size())));
        for (qsizetype i = 0; i < chunk.size(); ++i)
            query.bindValue(int(i), chunk[i]);
        if (!query.exec())
            return Sql::error(QStringLiteral("read %1 names").arg(entity().name), query);
        while (query.next())
            names.insert(query.value(0).toString(), query.value(1).toString());
    }
    return names;
}

} // namespace Ferry
