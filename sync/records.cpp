#include "records.h"

#include <QJsonArray>
#include <QObject>
#include <QRegularExpression>

namespace Ferry {

QString statusName(SyncStatus status)
{
    switch (status) {
    case SyncStatus::Synced:
        return QStringLiteral("synced");
    case SyncStatus::NeedsSync:
        return QStringLiteral("waiting");
    case SyncStatus::Conflicted:
        return QStringLiteral("conflict");
    }
    return {};
}

namespace {
constexpr std::pair<ConflictPolicy, QLatin1StringView> kPolicyNames[] {
    {ConflictPolicy::Ask, QLatin1StringView("ask")},
    {ConflictPolicy::KeepMine, QLatin1StringView("mine")},
    {ConflictPolicy::KeepTheirs, QLatin1StringView("theirs")},
    {ConflictPolicy::Newest, QLatin1StringView("newest")},
};
} // namespace

QString policyName(ConflictPolicy policy)
{
    for (const auto &[p, name] : kPolicyNames) {
        if (p == policy)
            return name;
    }
    return {};
}

std::optional<ConflictPolicy> policyFromName(QStringView name)
{
    for (const auto &[p, n] : kPolicyNames) {
        if (name == n)
            return p;
    }
    return std::nullopt;
}

const FieldConflict *Conflict::field(QStringView name) const
{
    for (const FieldConflict &f : fields) {
        if (f.field == name)
            return &f;
    }
    return nullptr;
}

QJsonObject Conflict::toJson() const
{
    QJsonArray list;
    for (const FieldConflict &f : fields) {
        list.append(QJsonObject {{QStringLiteral("field"), f.field},
                                 {QStringLiteral("base"), f.base},
                                 {QStringLiteral("mine"), f.mine},
                                 {QStringLiteral("theirs"), f.theirs}});
    }
    return QJsonObject {{QStringLiteral("entity"), entity},
                        {QStringLiteral("guid"), guid},
                        {QStringLiteral("fields"), list},
                        {QStringLiteral("mineDeleted"), mineDeleted},
                        {QStringLiteral("theirsDeleted"), theirsDeleted},
                        {QStringLiteral("theirsRev"), double(theirsRev)},
                        {QStringLiteral("theirsFields"), theirsFields},
                        {QStringLiteral("theirsDevice"), theirsDevice},
                        {QStringLiteral("theirsDeviceName"), theirsDeviceName},
                        {QStringLiteral("theirsUser"), theirsUser},
                        {QStringLiteral("theirsAt"), double(theirsAt)},
                        {QStringLiteral("mineAt"), double(mineAt)},
                        {QStringLiteral("detectedAt"), double(detectedAt)}};
}

QString deviceDisplayName(const QString &device, const QString &deviceName)
{
    if (!deviceName.trimmed().isEmpty())
        return deviceName;
    if (device.isEmpty())
        return QObject::tr("another device");
    // Generated ids mean nothing to a person; their end tells two devices apart.
    static const QRegularExpression generated(QStringLiteral("^[0-9a-fA-F-]{32,36}$"));
    if (generated.match(device).hasMatch())
        return QObject::tr("another device (…%1)").arg(device.right(4));
    // Ids made from the computer's name end in a random part that only the server needs.
    static const QRegularExpression named(QStringLiteral("^(.+)-[0-9a-f]{8}$"));
    if (const QRegularExpressionMatch m = named.match(device); m.hasMatch())
        return m.captured(1);
    return device;
}

Conflict Conflict::fromJson(const QJsonObject &object)
{
    Conflict c;
    c.entity = object.value(QStringLiteral("entity")).toString();
    c.guid = object.value(QStringLiteral("guid")).toString();
    for (const QJsonValue &v : object.value(QStringLiteral("fields")).toArray()) {
        const QJsonObject f = v.toObject();
        c.fields.append(FieldConflict {
            f.value(QStringLiteral("field")).toString(), f.value(QStringLiteral("base")),
            f.value(QStringLiteral("mine")), f.value(QStringLiteral("theirs"))});
    }
    c.mineDeleted = object.value(QStringLiteral("mineDeleted")).toBool();
    c.theirsDeleted = object.value(QStringLiteral("theirsDeleted")).toBool();
    c.theirsRev = qint64(object.value(QStringLiteral("theirsRev")).toDouble());
    c.theirsFields = object.value(QStringLiteral("theirsFields")).toObject();
    c.theirsDevice = object.value(QStringLiteral("theirsDevice")).toString();
    c.theirsDeviceName = object.value(QStringLiteral("theirsDeviceName")).toString();
    c.theirsUser = object.value(QStringLiteral("theirsUser")).toString();
    c.mineAt = qint64(object.value(QStringLiteral("mineAt")).toDouble());
    c.theirsAt = qint64(object.value(QStringLiteral("theirsAt")).toDouble());
    c.detectedAt = qint64(object.value(QStringLiteral("detectedAt")).toDouble());
    return c;
}

} // namespace Ferry
