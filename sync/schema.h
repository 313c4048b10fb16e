#pragma once

#include "result.h"

#include <QJsonValue>
#include <QList>
#include <QString>

namespace Ferry {

enum class FieldType { String, Text, Int, Real, Bool, DateTime, Ref, Refs, Blob };

QString typeName(FieldType type);

struct FieldDef
{
    QString name;
    QString title;
    FieldType type = FieldType::String;
    QString target; // ref/refs: the entity referred to
    // blob: fields of the same record that take a chosen file's name, media type and size
    // in bytes (schema keys "fileName", "fileType", "fileSize"; each optional)
    QString fileNameField;
    QString fileTypeField;
    QString fileSizeField;
    // string: what the text is, for editors that help with it (schema key "format"); the one
    // format known is "color", a colour as "#rrggbb". Values are not checked against it.
    QString format;

    // True when `value` is a well-formed value of this field's type (null always is).
    bool accepts(const QJsonValue &value) const;
    // Turns what a person typed into a value of this type, or says what is wrong with it.
    Result<QJsonValue> parse(const QString &text) const;
};

struct EntityDef
{
    QString name;
    QString title;
    QString display; // the field that names a record in lists
    QList<FieldDef> fields;

    const FieldDef *field(QStringView fieldName) const;
    qsizetype indexOf(QStringView fieldName) const;
};

// The data model, read from JSON (resources/schema/default.json is the default). Immutable
// once loaded, so it is safe to share between threads by value.
class Schema
{
public:
    static Result<Schema> fromJson(const QByteArray &json);
    static Result<Schema> fromFile(const QString &path);
    // The schema compiled into the engine: Post, Tag, Attachment.
    static Schema defaultSchema();

    const QList<EntityDef> &entities() const { return m_entities; }
    const EntityDef *entity(QStringView name) const;
    int version() const { return m_version; }

private:
    QList<EntityDef> m_entities;
    int m_version = 1;
};

// Equality of stored values as the merge rules see it: refs compare as sets, numbers by
// value, everything else exactly.
bool sameValue(const QJsonValue &a, const QJsonValue &b);

} // namespace Ferry
