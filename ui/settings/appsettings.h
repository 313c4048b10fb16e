#pragma once

#include "profile.h"
#include "records.h"

#include <QSettings>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>

namespace Ferry::Ui {

// The desktop app's view of one profile's settings: the account it syncs with (kept by
// Profile, so ferry-cli sees the same) and the desktop's own preferences, both in the
// profile's settings file. The device token is never stored here: TokenStore keeps it in
// the keychain. GUI thread only.
class AppSettings
{
public:
    static constexpr int DefaultSyncIntervalSeconds = 300;

    // `profile`: a name or a folder, as Profile takes it.
    explicit AppSettings(const QString &profile = Profile::defaultName());

    // The name (or folder) given.
    QString profile() const { return m_profile.name(); }
    const Profile &profileFolder() const { return m_profile; }

    // Connected to a server, or set to run a local one: the first-run page is done.
    bool isConfigured() const;

    QUrl serverUrl() const;
    void setServerUrl(const QUrl &url);
    QString workspace() const;
    void setWorkspace(const QString &workspace);
    // The one server certificate trusted beyond the system's CAs (SHA-256, "AB:CD:…"), or
    // empty (sync/tlstrust.h).
    QString trustedFingerprint() const;
    void setTrustedFingerprint(const QString &fingerprint);
    QString userName() const;
    void setUserName(const QString &name);
    int syncIntervalSeconds() const;
    void setSyncIntervalSeconds(int seconds);
    bool isPaused() const;
    void setPaused(bool paused);
    // Files: keep every file of the workspace on this device (else each is fetched when
    // opened), up to this many MB each (0: any size).
    bool keepAllFiles() const;
    void setKeepAllFiles(bool keep);
    int keepFilesUpToMb() const;
    void setKeepFilesUpToMb(int megabytes);
    bool startAtLogin() const;
    void setStartAtLogin(bool enabled);
    // Whether the "Ferry keeps syncing in the tray" notice was shown once already.
    bool trayNoticeShown() const;
    void setTrayNoticeShown(bool shown);
    // Records kept on this computer by a bundled ferry-server, and where its data lives.
    bool useLocalServer() const;
    void setUseLocalServer(bool use);
    QString localServerDataDir() const;
    void setLocalServerDataDir(const QString &dir);
    // What Ferry does with new conflicts without asking; Ask (the default) leaves them to
    // the person.
    ConflictPolicy conflictPolicy() const;
    void setConflictPolicy(ConflictPolicy policy);

    // Writes pending changes to disk now (QSettings also does it on its own).
    void sync();
    // Forgets everything about this profile.
    void clear();
    QString fileName() const { return m_settings.fileName(); }

private:
    QVariant value(const QString &key, const QVariant &fallback = {}) const;
    void setValue(const QString &key, const QVariant &value);

    void changeAccount(const std::function<void(ProfileAccount &)> &change);

    Profile m_profile;
    mutable QSettings m_settings;
};

} // namespace Ferry::Ui
