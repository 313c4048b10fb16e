#include "recorddisplay.h"

#include <QDateTime>
#include <QJsonArray>
#include <QLocale>

namespace Ferry::Ui {

namespace {

constexpr qsizetype kLineChars = 120;
constexpr qsizetype kHashChars = 12;
constexpr qsizetype kNamesShown = 3;

} // namespace

QString syncStatusText(SyncStatus status, const QString &problem)
{
    switch (status) {
    case SyncStatus::Synced:
        return QObject::tr("Synced");
    case SyncStatus::NeedsSync:
        return problem.isEmpty() ? QObject::tr("Waiting to sync")
                                 : QObject::tr("Not accepted by the server: %1").arg(problem);
    case SyncStatus::Conflicted:
        return QObject::tr("Conflict");
    }
    return {};
}

QIcon syncStatusIcon(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Synced:
        return QIcon(QStringLiteral(":/icons/models/synced.svg"));
    case SyncStatus::NeedsSync:
        return QIcon(QStringLiteral(":/icons/models/pending.svg"));
    case SyncStatus::Conflicted:
        return QIcon(QStringLiteral(":/icons/models/conflict.svg"));
    }
    return {};
}

QString shortValue(const FieldDef &field, const QJsonValue &value)
{
    if (value.isNull() || value.isUndefined())
        return {};
    const QLocale locale;
    switch (field.type) {
    case FieldType::Text: {
        const QString text = value.toString();
        const qsizetype end = text.indexOf(QLatin1Char('\n'));
        QString line = (end < 0 ? text : text.left(end)).trimmed();
        if (line.size() > kLineChars || end >= 0)
            line = line.left(kLineChars) + QChar(0x2026);
        return line;
    }
    case FieldType::Int:
        return locale.toString(qint64(value.toDouble()));
    case FieldType::Real:
        return locale.toString(value.toDouble());
    case FieldType::Bool:
        return value.toBool() ? QObject::tr("Yes") : QObject::tr("No");
    case FieldType::DateTime: {
        const QDateTime when = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
        return when.isValid() ? locale.toString(when.toLocalTime(), QLocale::ShortFormat)
                              : value.toString();
    }
    case FieldType::Blob: {
        // "File 871bcb12…": the content's id, not its "sha256:" spelling.
        QString hash = value.toString();
        if (hash.startsWith(QLatin1String("sha256:")))
            hash = hash.mid(7);
        return QObject::tr("File %1").arg(
            hash.size() > kHashChars ? hash.left(kHashChars - 4) + QChar(0x2026) : hash);
    }
    case FieldType::Refs:
        return QLocale().toString(value.toArray().size());
    case FieldType::String:
    case FieldType::Ref:
        return value.toString();
    }
    return {};
}

QString joinNames(const QStringList &names, qsizetype total)
{
    QStringList shown = names.mid(0, kNamesShown);
    QString text = shown.join(QStringLiteral(", "));
    if (total > shown.size())
        text += (text.isEmpty() ? QString() : QStringLiteral(" "))
            + QStringLiteral("+%1").arg(total - shown.size());
    return text;
}

} // namespace Ferry::Ui
