#include "appsettings.h"

namespace Ferry::Ui {

namespace {

const auto Organization = QStringLiteral("Ferry");
const auto Application = QStringLiteral("Ferry");
// Shorter than this would hammer the server; longer than a day is effectively "off",
// which is what Pause is for.
constexpr int MinimumSyncIntervalSeconds = 30;
constexpr int MaximumSyncIntervalSeconds = 24 * 60 * 60;

} // namespace

AppSettings::AppSettings(const QString &profile)
    : m_profile(profile.isEmpty() ? defaultProfile() : profile)
    , m_settings(Organization, Application)
{ }

QStringList AppSettings::profiles()
{
    QSettings settings(Organization, Application);
    return settings.childGroups();
}

bool AppSettings::isConfigured() const
{
    if (useLocalServer())
        return true;
    const QUrl url = serverUrl();
    return url.isValid() && !url.host().isEmpty()
        && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

QUrl AppSettings::serverUrl() const
{
    return QUrl(value(QStringLiteral("serverUrl")).toString(), QUrl::StrictMode);
}

void AppSettings::setServerUrl(const QUrl &url)
{
    // As text, so the file stays readable and editable by a person.
    setValue(QStringLiteral("serverUrl"), url.toString(QUrl::FullyEncoded));
}

QString AppSettings::workspace() const
{
    return value(QStringLiteral("workspace")).toString();
}

void AppSettings::setWorkspace(const QString &workspace)
{
    setValue(QStringLiteral("workspace"), workspace);
}

QString AppSettings::trustedFingerprint() const
{
    return value(QStringLiteral("trustedFingerprint")).toString();
}

void AppSettings::setTrustedFingerprint(const QString &fingerprint)
{
    setValue(QStringLiteral("trustedFingerprint"), fingerprint);
}

QString AppSettings::userName() const
{
    return value(QStringLiteral("userName")).toString();
}

void AppSettings::setUserName(const QString &name)
{
    setValue(QStringLiteral("userName"), name);
}

int AppSettings::syncIntervalSeconds() const
{
    bool ok = false;
    const int seconds
        = value(QStringLiteral("syncIntervalSeconds"), DefaultSyncIntervalSeconds).toInt(&ok);
    // A hand-edited file must not make the app poll every millisecond.
    if (!ok)
        return DefaultSyncIntervalSeconds;
    return qBound(MinimumSyncIntervalSeconds, seconds, MaximumSyncIntervalSeconds);
}

void AppSettings::setSyncIntervalSeconds(int seconds)
{
    setValue(QStringLiteral("syncIntervalSeconds"),
             qBound(MinimumSyncIntervalSeconds, seconds, MaximumSyncIntervalSeconds));
}

bool AppSettings::isPaused() const
{
    return value(QStringLiteral("paused"), false).toBool();
}

void AppSettings::setPaused(bool paused)
{
    setValue(QStringLiteral("paused"), paused);
}

bool AppSettings::startAtLogin() const
{
    return value(QStringLiteral("startAtLogin"), false).toBool();
}

void AppSettings::setStartAtLogin(bool enabled)
{
    setValue(QStringLiteral("startAtLogin"), enabled);
}

bool AppSettings::trayNoticeShown() const
{
    return value(QStringLiteral("trayNoticeShown"), false).toBool();
}

void AppSettings::setTrayNoticeShown(bool shown)
{
    setValue(QStringLiteral("trayNoticeShown"), shown);
}

bool AppSettings::useLocalServer() const
{
    return value(QStringLiteral("useLocalServer"), false).toBool();
}

void AppSettings::setUseLocalServer(bool use)
{
    setValue(QStringLiteral("useLocalServer"), use);
}

QString AppSettings::localServerDataDir() const
{
    return value(QStringLiteral("localServerDataDir")).toString();
}

void AppSettings::setLocalServerDataDir(const QString &dir)
{
    setValue(QStringLiteral("localServerDataDir"), dir);
}

ConflictPolicy AppSettings::conflictPolicy() const
{
    // A hand-edited file with an unknown name must not resolve anything on its own.
    return policyFromName(value(QStringLiteral("conflictPolicy")).toString())
        .value_or(ConflictPolicy::Ask);
}

void AppSettings::setConflictPolicy(ConflictPolicy policy)
{
    setValue(QStringLiteral("conflictPolicy"), policyName(policy));
}

void AppSettings::sync()
{
    m_settings.sync();
}

void AppSettings::clear()
{
    m_settings.remove(m_profile);
}

QVariant AppSettings::value(const QString &key, const QVariant &fallback) const
{
    return m_settings.value(m_profile + QLatin1Char('/') + key, fallback);
}

void AppSettings::setValue(const QString &key, const QVariant &value)
{
    m_settings.setValue(m_profile + QLatin1Char('/') + key, value);
}

} // namespace Ferry::Ui
