#include "appsettings.h"

namespace Ferry::Ui {

namespace {

// The desktop's own preferences; Profile keeps the account in the same file.
const auto DesktopGroup = QStringLiteral("desktop/");
// Shorter than this would hammer the server; longer than a day is effectively "off",
// which is what Pause is for.
constexpr int MinimumSyncIntervalSeconds = 30;
constexpr int MaximumSyncIntervalSeconds = 24 * 60 * 60;

} // namespace

AppSettings::AppSettings(const QString &profile)
    : m_profile(profile)
    , m_settings(m_profile.settingsPath(), QSettings::IniFormat)
{ }

bool AppSettings::isConfigured() const
{
    return m_profile.account().isConfigured();
}

void AppSettings::changeAccount(const std::function<void(ProfileAccount &)> &change)
{
    ProfileAccount account = m_profile.account();
    change(account);
    // A folder that cannot be written shows when the store in it is opened; the settings
    // stay in memory meanwhile.
    if (Status saved = m_profile.setAccount(account); !saved)
        qWarning("%s", qPrintable(saved.error().message));
}

QUrl AppSettings::serverUrl() const
{
    return m_profile.account().server;
}

void AppSettings::setServerUrl(const QUrl &url)
{
    changeAccount([&](ProfileAccount &account) { account.server = url; });
}

QString AppSettings::workspace() const
{
    return m_profile.account().workspace;
}

void AppSettings::setWorkspace(const QString &workspace)
{
    changeAccount([&](ProfileAccount &account) { account.workspace = workspace; });
}

QString AppSettings::trustedFingerprint() const
{
    return m_profile.account().trustedFingerprint;
}

void AppSettings::setTrustedFingerprint(const QString &fingerprint)
{
    changeAccount([&](ProfileAccount &account) { account.trustedFingerprint = fingerprint; });
}

QString AppSettings::userName() const
{
    return m_profile.account().user;
}

void AppSettings::setUserName(const QString &name)
{
    changeAccount([&](ProfileAccount &account) { account.user = name; });
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

bool AppSettings::keepAllFiles() const
{
    return value(QStringLiteral("keepAllFiles"), false).toBool();
}

void AppSettings::setKeepAllFiles(bool keep)
{
    setValue(QStringLiteral("keepAllFiles"), keep);
}

int AppSettings::keepFilesUpToMb() const
{
    return qBound(0, value(QStringLiteral("keepFilesUpToMb"), 100).toInt(), 1024 * 1024);
}

void AppSettings::setKeepFilesUpToMb(int megabytes)
{
    setValue(QStringLiteral("keepFilesUpToMb"), qBound(0, megabytes, 1024 * 1024));
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
    return m_profile.account().localServer;
}

void AppSettings::setUseLocalServer(bool use)
{
    changeAccount([&](ProfileAccount &account) { account.localServer = use; });
}

QString AppSettings::localServerDataDir() const
{
    return m_profile.account().localServerData;
}

void AppSettings::setLocalServerDataDir(const QString &dir)
{
    changeAccount([&](ProfileAccount &account) { account.localServerData = dir; });
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
    m_settings.clear();
    m_settings.sync();
}

QVariant AppSettings::value(const QString &key, const QVariant &fallback) const
{
    return m_settings.value(DesktopGroup + key, fallback);
}

void AppSettings::setValue(const QString &key, const QVariant &value)
{
    m_settings.setValue(DesktopGroup + key, value);
}

} // namespace Ferry::Ui
