#include "mergetext.h"

#include "datastore.h"
#include "editor/recordchoices.h"
#include "models/recorddisplay.h"
#include "textmerge.h"

#include <QJsonArray>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

namespace Ferry::Ui {

namespace {

QString tinted(const QString &html, const QColor &tint)
{
    return QStringLiteral("<span style=\"background-color:%1\">%2</span>").arg(tint.name(), html);
}

// Escaped for rich text, keeping line breaks and runs of spaces as typed.
QString escaped(const QString &text)
{
    QString html = text.toHtmlEscaped();
    html.replace(QStringLiteral("  "), QStringLiteral("&nbsp; "));
    html.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    return html;
}

QString emptyHtml()
{
    return QStringLiteral("<i style=\"color:#777\">%1</i>").arg(QObject::tr("(empty)"));
}

QStringList guidsOf(const QJsonValue &value)
{
    QStringList guids;
    for (const QJsonValue &item : value.toArray())
        guids.append(item.toString());
    return guids;
}

bool isEmptyValue(const QJsonValue &value)
{
    return value.isNull() || value.isUndefined() || (value.isString() && value.toString().isEmpty())
        || (value.isArray() && value.toArray().isEmpty());
}

} // namespace

RecordNames recordNames(DataStore &store)
{
    return [&store](const QString &guid) -> QString {
        const Result<LocalRecord> record = store.store().record(guid);
        if (!record)
            return QObject::tr("(a record not on this device)");
        const EntityDef *entity = store.schema().entity(record.value().entity);
        const QString text = entity ? displayText(*entity, record.value()) : guid;
        return record.value().deleted ? QObject::tr("%1 (deleted)").arg(text) : text;
    };
}

QString relativeTime(qint64 msecsSinceEpoch, const QDateTime &now)
{
    if (msecsSinceEpoch <= 0)
        return QObject::tr("at an unknown time");
    const QDateTime when = QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toLocalTime();
    const qint64 seconds = when.secsTo(now);
    const QLocale locale;
    if (seconds < 60)
        return QObject::tr("just now"); // also a clock slightly ahead of ours
    if (seconds < 60 * 60) {
        const qint64 minutes = seconds / 60;
        return minutes == 1 ? QObject::tr("1 minute ago")
                            : QObject::tr("%1 minutes ago").arg(minutes);
    }
    if (seconds < 12 * 60 * 60) {
        const qint64 hours = seconds / 3600;
        return hours == 1 ? QObject::tr("1 hour ago") : QObject::tr("%1 hours ago").arg(hours);
    }
    const QString time = locale.toString(when.time(), QLocale::ShortFormat);
    const qint64 days = when.date().daysTo(now.date());
    if (days == 0)
        return QObject::tr("today at %1").arg(time);
    if (days == 1)
        return QObject::tr("yesterday at %1").arg(time);
    const QString format = when.date().year() == now.date().year() ? QStringLiteral("d MMM")
                                                                   : QStringLiteral("d MMM yyyy");
    return QObject::tr("on %1 at %2").arg(locale.toString(when.date(), format), time);
}

QString absoluteTime(qint64 msecsSinceEpoch)
{
    if (msecsSinceEpoch <= 0)
        return {};
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(msecsSinceEpoch).toLocalTime(),
                              QLocale::LongFormat);
}

QString deviceName(const Conflict &conflict)
{
    return deviceDisplayName(conflict.theirsDevice, conflict.theirsDeviceName);
}

QString userName(const Conflict &conflict)
{
    return conflict.theirsUser.isEmpty() ? QObject::tr("someone") : conflict.theirsUser;
}

QString valueText(const FieldDef &field, const QJsonValue &value, const RecordNames &names)
{
    if (value.isNull() || value.isUndefined())
        return {};
    switch (field.type) {
    case FieldType::Text:
        return value.toString();
    case FieldType::Ref:
        return names ? names(value.toString()) : value.toString();
    case FieldType::Refs: {
        QStringList list;
        for (const QString &guid : guidsOf(value))
            list.append(names ? names(guid) : guid);
        return list.join(QStringLiteral(", "));
    }
    default:
        return shortValue(field, value);
    }
}

QString valueHtml(const FieldDef &field, const QJsonValue &base, const QJsonValue &value,
                  const RecordNames &names, const QColor &tint)
{
    if (field.type == FieldType::Refs) {
        // Names added since the base are marked; removed ones are struck through.
        const QStringList now = guidsOf(value);
        const QStringList before = guidsOf(base);
        const QSet<QString> beforeSet(before.begin(), before.end());
        const QSet<QString> nowSet(now.begin(), now.end());
        QStringList parts;
        for (const QString &guid : now) {
            const QString name = escaped(names ? names(guid) : guid);
            parts.append(beforeSet.contains(guid) ? name : tinted(name, tint));
        }
        for (const QString &guid : before) {
            if (!nowSet.contains(guid))
                parts.append(QStringLiteral("<s style=\"color:#777\">%1</s>")
                                 .arg(escaped(names ? names(guid) : guid)));
        }
        return parts.isEmpty() ? emptyHtml() : parts.join(QStringLiteral(", "));
    }
    if (isEmptyValue(value)) {
        // Emptied on this side is a change too.
        return isEmptyValue(base) ? emptyHtml() : tinted(emptyHtml(), tint);
    }
    if (field.type == FieldType::String || field.type == FieldType::Text) {
        QString html;
        const QList<TextMerge::Segment> segments
            = TextMerge::changes(base.toString(), value.toString());
        for (const TextMerge::Segment &segment : segments)
            html += segment.changed ? tinted(escaped(segment.text), tint) : escaped(segment.text);
        return html;
    }
    const QString text = escaped(valueText(field, value, names));
    return sameValue(base, value) ? text : tinted(text, tint);
}

QColor mineTint()
{
    return QColor(0xcc, 0xe0, 0xff);
}

QColor theirsTint()
{
    return QColor(0xff, 0xdd, 0xb0);
}

QColor resultTint()
{
    return QColor(0xd6, 0xef, 0xd2);
}

QColor conflictTint()
{
    return QColor(0xc6, 0x28, 0x28);
}

QColor mergedTint()
{
    return QColor(0x2e, 0x7d, 0x32);
}

} // namespace Ferry::Ui
