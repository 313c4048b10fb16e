#include "output.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace FerryCli::Output {

void printJson(QTextStream &out, const QJsonValue &value)
{
    const QJsonDocument doc
        = value.isArray() ? QJsonDocument(value.toArray()) : QJsonDocument(value.toObject());
    out << doc.toJson(QJsonDocument::Indented);
    out.flush();
}

int fail(QTextStream &out, QTextStream &err, bool json, const Ferry::Error &error)
{
    if (json)
        printJson(out,
                  QJsonObject {{QStringLiteral("error"),
                                QJsonObject {{QStringLiteral("code"), error.code},
                                             {QStringLiteral("message"), error.message}}}});
    err << "ferry-cli: " << error.message << "\n";
    err.flush();
    return 1;
}

int usage(QTextStream &err, const QString &message)
{
    err << "ferry-cli: " << message << "\nRun ferry-cli --help for the commands.\n";
    err.flush();
    return 2;
}

} // namespace FerryCli::Output
