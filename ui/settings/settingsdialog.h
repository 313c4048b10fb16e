#pragma once

#include <QDialog>

class QCheckBox;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace Ferry::Ui {

class ProblemLabel;
class AppSettings;

// The preferences window: which server this profile talks to (with a way to sign in again),
// how often to sync, pause, what to do with conflicts, start at login, and where the token is
// kept. OK writes to AppSettings (and the platform's autostart list); Cancel changes nothing.
// GUI thread only.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    explicit SettingsDialog(AppSettings &settings, QWidget *parent = nullptr);

    // Where the token lives, as TokenStore::backendDescription() says it.
    void setTokenStorageText(const QString &text);

    // Writes the page to the settings; false (with the reason shown) if start at login
    // could not be changed. OK calls it and closes only when it succeeds.
    bool apply();

    void accept() override;

signals:
    void signInAgainRequested();
    // The Account row: the account's devices, and signing out (after the person confirmed).
    void devicesRequested();
    void signOutRequested();
    // OK wrote new settings: the app re-reads interval and pause.
    void settingsApplied();

private:
    void load();
    void confirmSignOut();

    AppSettings &m_settings;
    QLineEdit *m_serverUrl = nullptr;
    QPushButton *m_signInAgain = nullptr;
    QLabel *m_signedIn = nullptr;
    QPushButton *m_devices = nullptr;
    QPushButton *m_signOut = nullptr;
    QLabel *m_tokenStorage = nullptr;
    QLabel *m_certificate = nullptr;
    QPushButton *m_removeTrust = nullptr;
    bool m_trustRemoved = false;
    QSpinBox *m_interval = nullptr;
    QCheckBox *m_paused = nullptr;
    QCheckBox *m_keepAllFiles = nullptr;
    QSpinBox *m_keepUpTo = nullptr;
    QComboBox *m_conflictPolicy = nullptr;
    QCheckBox *m_startAtLogin = nullptr;
    ProblemLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace Ferry::Ui
