#include "schema.h"
#include "testprint.h"

#include <QJsonArray>
#include <QTest>

using namespace Ferry;

class TestSchema : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultSchemaHasPostTagAttachment();
    void invalidSchemasAreRefused_data();
    void invalidSchemasAreRefused();
    void parsesTypedInput_data();
    void parsesTypedInput();
};

void TestSchema::defaultSchemaHasPostTagAttachment()
{
    const Schema schema = Schema::defaultSchema();
    QStringList names;
    for (const EntityDef &e : schema.entities())
        names.append(e.name);
    QCOMPARE(names,
             (QStringList {QStringLiteral("Post"), QStringLiteral("Tag"),
                           QStringLiteral("Attachment")}));
    const FieldDef *tags = schema.entity(QStringLiteral("Post"))->field(QStringLiteral("tags"));
    QVERIFY(tags);
    QCOMPARE(tags->type, FieldType::Refs);
    QCOMPARE(tags->target, QStringLiteral("Tag"));
    QCOMPARE(schema.entity(QStringLiteral("Attachment"))->field(QStringLiteral("file"))->type,
             FieldType::Blob);
}

void TestSchema::invalidSchemasAreRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("not json") << QByteArray("{entities") << QStringLiteral("at byte");
    QTest::newRow("no entities") << QByteArray(R"({"entities": []})")
                                 << QStringLiteral("no entities");
    QTest::newRow("bad entity name") << QByteArray(
        R"({"entities": [{"name": "1x", "fields": [{"name": "a", "type": "string"}]}]})")
                                     << QStringLiteral("1x");
    QTest::newRow("unknown type") << QByteArray(
        R"({"entities": [{"name": "A", "fields": [{"name": "a", "type": "colour"}]}]})")
                                  << QStringLiteral("colour");
    QTest::newRow("duplicate field") << QByteArray(
        R"({"entities": [{"name": "A", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]}]})")
                                     << QStringLiteral("twice");
    QTest::newRow("dangling ref") << QByteArray(
        R"({"entities": [{"name": "A", "fields": [{"name": "r", "type": "ref", "target": "B"}]}]})")
                                  << QStringLiteral("\"B\"");
    QTest::newRow("file size in a text field") << QByteArray(
        R"({"entities": [{"name": "A", "fields": [{"name": "n", "type": "string"},
            {"name": "f", "type": "blob", "fileSize": "n"}]}]})")
                                               << QStringLiteral("fileSize");
    QTest::newRow("file name on a string field") << QByteArray(
        R"({"entities": [{"name": "A", "fields": [{"name": "n", "type": "string", "fileName": "n"}]}]})")
                                                 << QStringLiteral("blob");
}

void TestSchema::invalidSchemasAreRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, mentions);
    const Result<Schema> schema = Schema::fromJson(json);
    QVERIFY(!schema.ok());
    QCOMPARE(schema.error().code, QStringLiteral("bad_schema"));
    QVERIFY2(schema.error().message.contains(mentions), qPrintable(schema.error().message));
}

void TestSchema::parsesTypedInput_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QJsonValue>("expected");
    const QString guid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3");
    QTest::newRow("int") << "int"
                         << " 42 " << true << QJsonValue(42);
    QTest::newRow("int rejects text") << "int"
                                      << "forty" << false << QJsonValue();
    QTest::newRow("int empty is null") << "int"
                                       << "" << true << QJsonValue(QJsonValue::Null);
    QTest::newRow("real") << "real"
                          << "2.5" << true << QJsonValue(2.5);
    QTest::newRow("bool yes") << "bool"
                              << "yes" << true << QJsonValue(true);
    QTest::newRow("bool rejects maybe") << "bool"
                                        << "maybe" << false << QJsonValue();
    QTest::newRow("datetime to utc") << "datetime"
                                     << "2026-11-21T10:00:00+01:00" << true
                                     << QJsonValue(QStringLiteral("2026-11-21T09:00:00.000Z"));
    QTest::newRow("datetime rejects garbage") << "datetime"
                                              << "tuesday" << false << QJsonValue();
    QTest::newRow("ref") << "ref" << guid << true << QJsonValue(guid);
    QTest::newRow("ref rejects non-guid") << "ref"
                                          << "abc" << false << QJsonValue();
    QTest::newRow("refs sorted unique")
        << "refs" << (guid + QLatin1Char(',') + guid) << true << QJsonValue(QJsonArray {guid});
    QTest::newRow("string keeps spaces") << "string"
                                         << " a b " << true << QJsonValue(QStringLiteral(" a b "));
}

void TestSchema::parsesTypedInput()
{
    QFETCH(QString, type);
    QFETCH(QString, input);
    QFETCH(bool, valid);
    QFETCH(QJsonValue, expected);
    const QByteArray json
        = QStringLiteral(
              R"({"entities": [{"name": "A", "fields": [{"name": "f", "type": "%1", "target": "A"}]}]})")
              .arg(type)
              .toUtf8();
    const Result<Schema> schema = Schema::fromJson(json);
    QVERIFY2(schema.ok(), schema.ok() ? "" : qPrintable(schema.error().message));
    const FieldDef *field = schema->entity(QStringLiteral("A"))->field(QStringLiteral("f"));
    const Result<QJsonValue> value = field->parse(input);
    QCOMPARE(value.ok(), valid);
    if (valid) {
        QCOMPARE(value.value(), expected);
        QVERIFY(field->accepts(value.value()));
    } else {
        QVERIFY(value.error().message.contains(QStringLiteral("\"f\""))
                || value.error().message.contains(QStringLiteral(" f:")));
    }
}

QTEST_GUILESS_MAIN(TestSchema)
#include "tst_schema.moc"
