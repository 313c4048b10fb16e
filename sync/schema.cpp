#include "schema.h"

#include "guid.h"
#include "wire.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <cmath>

namespace Ferry {

namespace {

struct TypeName
{
    FieldType type;
    const char *name;
};

constexpr TypeName kTypeNames[] = {
    {FieldType::String, "string"}, {FieldType::Text, "text"}, {FieldType::Int, "int"},
    {FieldType::Real, "real"},     {FieldType::Bool, "bool"}, {FieldType::DateTime, "datetime"},
    {FieldType::Ref, "ref"},       {FieldType::Refs, "refs"}, {FieldType::Blob, "blob"},
};

Error schemaError(const QString &message)
{
    return Error {QStringLiteral("bad_schema"),
                  QStringLiteral("The schema is not valid: ") + message};
}

bool isWholeNumber(const QJsonValue &value)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    return std::isfinite(d) && std::floor(d) == d && std::fabs(d) <= 9007199254740991.0;
}

bool isBlobHash(const QString &text)
{
    // "sha256:" followed by 64 lowercase hex digits.
    if (text.size() != 71 || !text.startsWith(QLatin1String("sha256:")))
        return false;
    for (qsizetype i = 7; i < text.size(); ++i) {
        const QChar c = text[i];
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9'))
              || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

} // namespace

QString typeName(FieldType type)
{
    for (const TypeName &t : kTypeNames) {
        if (t.type == type)
            return QLatin1String(t.name);
    }
    return {};
}

bool FieldDef::accepts(const QJsonValue &value) const
{
    if (value.isNull())
        return true;
    switch (type) {
    case FieldType::String:
    case FieldType::Text:
        return value.isString();
    case FieldType::Int:
        return isWholeNumber(value);
    case FieldType::Real:
        return value.isDouble();
    case FieldType::Bool:
        return value.isBool();
    case FieldType::DateTime:
        return value.isString()
            && QDateTime::fromString(value.toString(), Qt::ISODateWithMs).isValid();
    case FieldType::Ref:
        return value.isString() && isValidGuid(value.toString());
    case FieldType::Refs: {
        if (!value.isArray())
            return false;
        const QJsonArray members = value.toArray();
        for (const QJsonValue &member : members) {
            if (!member.isString() || !isValidGuid(member.toString()))
                return false;
        }
        return true;
    }
    case FieldType::Blob:
        return value.isString() && isBlobHash(value.toString());
    }
    return false;
}

Result<QJsonValue> FieldDef::parse(const QString &text) const
{
    const QString trimmed = text.trimmed();
    auto bad = [this, &text](const QString &expected) {
        return Error {QStringLiteral("bad_value"),
                      QStringLiteral("\"%1\" is not a valid value for %2: expected %3.")
                          .arg(text.left(60), name, expected)};
    };
    if (type != FieldType::String && type != FieldType::Text && trimmed.isEmpty())
        return QJsonValue(QJsonValue::Null);
    switch (type) {
    case FieldType::String:
    case FieldType::Text:
        return QJsonValue(text);
    case FieldType::Int: {
        bool ok = false;
        const qlonglong n = trimmed.toLongLong(&ok);
        if (!ok || std::llabs(n) > 9007199254740991LL)
            return bad(QStringLiteral("a whole number"));
        return QJsonValue(double(n));
    }
    case FieldType::Real: {
        bool ok = false;
        const double d = trimmed.toDouble(&ok);
        if (!ok || !std::isfinite(d))
            return bad(QStringLiteral("a number"));
        return QJsonValue(d);
    }
    case FieldType::Bool: {
        const QString lower = trimmed.toLower();
        if (lower == QLatin1String("true") || lower == QLatin1String("yes")
            || lower == QLatin1String("1"))
            return QJsonValue(true);
        if (lower == QLatin1String("false") || lower == QLatin1String("no")
            || lower == QLatin1String("0"))
            return QJsonValue(false);
        return bad(QStringLiteral("true or false"));
    }
    case FieldType::DateTime: {
        QDateTime when = QDateTime::fromString(trimmed, Qt::ISODateWithMs);
        if (!when.isValid())
            return bad(QStringLiteral("a date and time like 2026-11-21T09:30:00Z"));
        return QJsonValue(when.toUTC().toString(Qt::ISODateWithMs));
    }
    case FieldType::Ref:
        if (!isValidGuid(trimmed))
            return bad(QStringLiteral("the guid of a %1").arg(target));
        return QJsonValue(trimmed);
    case FieldType::Refs: {
        QStringList members = trimmed.split(QLatin1Char(','), Qt::SkipEmptyParts);
        for (QString &member : members) {
            member = member.trimmed();
            if (!isValidGuid(member))
                return bad(QStringLiteral("a comma-separated list of %1 guids").arg(target));
        }
        members.sort();
        members.removeDuplicates();
        return QJsonValue(QJsonArray::fromStringList(members));
    }
    case FieldType::Blob:
        if (!isBlobHash(trimmed))
            return bad(QStringLiteral("a content hash like sha256:<64 hex digits>"));
        return QJsonValue(trimmed);
    }
    return bad(QStringLiteral("a value"));
}

const FieldDef *EntityDef::field(QStringView fieldName) const
{
    const qsizetype i = indexOf(fieldName);
    return i < 0 ? nullptr : &fields[i];
}

qsizetype EntityDef::indexOf(QStringView fieldName) const
{
    for (qsizetype i = 0; i < fields.size(); ++i) {
        if (fields[i].name == fieldName)
            return i;
    }
    return -1;
}

Result<Schema> Schema::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return schemaError(
            QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset));
    const QJsonObject top = doc.object();
    Schema schema;
    schema.m_version = top.value(QStringLiteral("version")).toInt(1);
    const QJsonArray entities = top.value(QStringLiteral("entities")).toArray();
    if (entities.isEmpty())
        return schemaError(QStringLiteral("it has no entities"));
    QSet<QString> entityNames;
    for (const QJsonValue &entityValue : entities) {
        const QJsonObject e = entityValue.toObject();
        EntityDef entity;
        entity.name = e.value(QStringLiteral("name")).toString();
        if (!Wire::isValidName(entity.name))
            return schemaError(
                QStringLiteral("entity name \"%1\" is not a valid name").arg(entity.name));
        if (entityNames.contains(entity.name))
            return schemaError(QStringLiteral("entity \"%1\" appears twice").arg(entity.name));
        entityNames.insert(entity.name);
        entity.title = e.value(QStringLiteral("title")).toString(entity.name);
        QSet<QString> fieldNames;
        for (const QJsonValue &fieldValue : e.value(QStringLiteral("fields")).toArray()) {
            const QJsonObject f = fieldValue.toObject();
            FieldDef field;
            field.name = f.value(QStringLiteral("name")).toString();
            if (!Wire::isValidName(field.name))
                return schemaError(QStringLiteral("%1 has a field with the invalid name \"%2\"")
                                       .arg(entity.name, field.name));
            if (fieldNames.contains(field.name))
                return schemaError(
                    QStringLiteral("%1.%2 appears twice").arg(entity.name, field.name));
            fieldNames.insert(field.name);
            field.title = f.value(QStringLiteral("title")).toString(field.name);
            const QString typeName = f.value(QStringLiteral("type")).toString();
            bool known = false;
            for (const TypeName &t : kTypeNames) {
                if (typeName == QLatin1String(t.name)) {
                    field.type = t.type;
                    known = true;
                }
            }
            if (!known)
                return schemaError(QStringLiteral("%1.%2 has the unknown type \"%3\"")
                                       .arg(entity.name, field.name, typeName));
            field.target = f.value(QStringLiteral("target")).toString();
            field.fileNameField = f.value(QStringLiteral("fileName")).toString();
            field.fileTypeField = f.value(QStringLiteral("fileType")).toString();
            field.fileSizeField = f.value(QStringLiteral("fileSize")).toString();
            field.format = f.value(QStringLiteral("format")).toString();
            if (!field.format.isEmpty()
                && (field.format != QLatin1String("color") || field.type != FieldType::String))
                return schemaError(QStringLiteral("%1.%2: \"format\" may only be \"color\", on a "
                                                  "string field")
                                       .arg(entity.name, field.name));
            entity.fields.append(field);
        }
        if (entity.fields.isEmpty())
            return schemaError(QStringLiteral("%1 has no fields").arg(entity.name));
        for (const FieldDef &field : std::as_const(entity.fields)) {
            const struct
            {
                const char *key;
                const QString &name;
                FieldType type;
            } details[] = {{"fileName", field.fileNameField, FieldType::String},
                           {"fileType", field.fileTypeField, FieldType::String},
                           {"fileSize", field.fileSizeField, FieldType::Int}};
            for (const auto &detail : details) {
                if (detail.name.isEmpty())
                    continue;
                const FieldDef *other = entity.field(detail.name);
                if (field.type != FieldType::Blob || !other || other->type != detail.type)
                    return schemaError(
                        QStringLiteral("%1.%2: \"%3\" must name a %4 field of %1, on a blob field")
                            .arg(entity.name, field.name, QLatin1String(detail.key),
                                 typeName(detail.type)));
            }
        }
        entity.display = e.value(QStringLiteral("display")).toString(entity.fields.first().name);
        if (!entity.field(entity.display))
            return schemaError(QStringLiteral("%1 displays the unknown field \"%2\"")
                                   .arg(entity.name, entity.display));
        schema.m_entities.append(entity);
    }
    for (const EntityDef &entity : std::as_const(schema.m_entities)) {
        for (const FieldDef &field : entity.fields) {
            const bool needsTarget = field.type == FieldType::Ref || field.type == FieldType::Refs;
            if (needsTarget && !entityNames.contains(field.target))
                return schemaError(QStringLiteral("%1.%2 refers to the unknown entity \"%3\"")
                                       .arg(entity.name, field.name, field.target));
        }
    }
    return schema;
}

Result<Schema> Schema::fromFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error {
            QStringLiteral("bad_schema"),
            QStringLiteral("Cannot read the schema file %1: %2").arg(path, file.errorString())};
    return fromJson(file.readAll());
}

Schema Schema::defaultSchema()
{
    Result<Schema> schema = fromFile(QStringLiteral(":/ferry/schema/default.json"));
    Q_ASSERT_X(schema.ok(), "Schema::defaultSchema", "the built-in schema must be valid");
    return schema.ok() ? std::move(schema).value() : Schema();
}

const EntityDef *Schema::entity(QStringView name) const
{
    for (const EntityDef &e : m_entities) {
        if (e.name == name)
            return &e;
    }
    return nullptr;
}

bool sameValue(const QJsonValue &a, const QJsonValue &b)
{
    if (a.isArray() && b.isArray()) {
        QStringList left, right;
        for (const QJsonValue &v : a.toArray())
            left.append(v.toString());
        for (const QJsonValue &v : b.toArray())
            right.append(v.toString());
        left.sort();
        right.sort();
        left.removeDuplicates();
        right.removeDuplicates();
        return left == right;
    }
    if (a.isUndefined() && b.isNull())
        return true;
    if (a.isNull() && b.isUndefined())
        return true;
    return a == b;
}

} // namespace Ferry
