#pragma once

#include "accountcheck.h"
#include "datastore.h"
#include "profile.h"
#include "syncscheduler.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>

namespace Ferry {
class TokenStore;
}

namespace Ferry::Ui {
class AppSettings;
class AutoResolver;
class FirstRunDialog;
class SettingsDialog;
class MainWindow;
class TrayController;
class TrayIcon;
} // namespace Ferry::Ui

namespace FerryDesktop {

class LocalServer;

// How `ferry` was started.
struct Options
{
    QString profile = QStringLiteral("default");
    QString schemaPath; // empty: the built-in schema
    QUrl server; // with token: sign in without asking
    QString token;
    QString workspace;
    bool localServer = false; // keep records on this computer with the bundled server
    bool minimized = false; // start in the tray (start at login)
    int syncIntervalSeconds = 0; // > 0: overrides the setting for this run
};

// The desktop app's wiring: opens the profile's store, starts the sync scheduler, shows the
// main window and the tray icon, and takes a person through signing in (or the local
// server) the first time. GUI thread.
class DesktopApp : public QObject
{
    Q_OBJECT

public:
    explicit DesktopApp(Options options, QObject *parent = nullptr);
    ~DesktopApp() override;

    // Sets everything up; false (after telling the person) if the app cannot run.
    bool start();

    // The workspace whose records are shown (empty before the first sign-in).
    QString currentWorkspace() const { return m_workspace; }

private:
    // The parts that belong to one workspace (desktopworkspace.cpp): its store, the sync
    // scheduler, the auto-resolver, the window and the tray's ties to them.
    // `path`: the store Profile::storePath() gives for `workspace`.
    bool openWorkspace(const QString &workspace, const QString &path);
    void closeWorkspace();
    // Makes the records of `workspace` the ones in use, reopening everything around another
    // store if need be; false (after telling the person) if its store cannot be opened.
    bool ensureWorkspace(const QString &workspace);
    void switchWorkspace(const QString &workspace);
    void refreshWorkspaces();
    void createWorkspace();
    void answerInvitation(const QString &workspace, bool accept);
    void leaveWorkspace(const QString &workspace);
    // Syncs the workspace in use with `server` and `token`, and says so in the window.
    void connectWorkspace(const QUrl &server, const QString &token);
    void showWorkspaces();
    QString windowTitle() const;
    void showWindow();
    void openSettings();
    void onSettingsAccepted();
    // The account's side (desktopaccount.cpp): devices, sharing, signing out.
    void connectAccountButtons(Ferry::Ui::SettingsDialog *dialog);
    void openDevices(QWidget *parent);
    void openShare();
    // The first-run page's user name and password: signs in (after making the account if
    // `createAccount`), then checks the new token like any other.
    void signInWithPassword(bool createAccount);
    // Revokes this device's token on the server, then finishSignOut().
    void signOut();
    // Forgets the token here, stops syncing and asks for a sign-in again; the records stay.
    // `problem`: why the server was not told, shown on the first-run page.
    void finishSignOut(const QString &problem);
    void askFirstRun();
    void onFirstRunSubmitted();
    void signIn(const QUrl &server, const QString &token, const QString &workspace);
    void useAccount(const QUrl &server, const QString &token, const QString &workspace);
    // Moving from the bundled local server to an account: remembers the store whose records
    // the person may bring along, once the account's workspace is open.
    void leaveLocalServer();
    // Asks whether the records kept with the local server come into the account's workspace
    // (desktopworkspace.cpp); they stay in their own store either way.
    void offerLocalRecords();
    void startLocalServer();
    void onLocalServerStarted(const QUrl &url);
    void applySettings();
    // Reads this device's token and hands the one answer to one of the two callbacks.
    void readToken(const std::function<void(const QString &)> &onToken,
                   const std::function<void(const QString &)> &onFailure);
    void reportProblem(const QString &message);
    void quit();

    Options m_options;
    Ferry::Profile m_profile;
    Ferry::Schema m_schema;
    QString m_workspace; // whose records m_data holds; empty while its store is unbound
    std::unique_ptr<Ferry::Ui::AppSettings> m_settings;
    std::unique_ptr<Ferry::DataStore> m_data;
    std::unique_ptr<Ferry::SyncScheduler> m_scheduler;
    std::unique_ptr<Ferry::Ui::MainWindow> m_window;
    Ferry::Ui::TrayIcon *m_tray = nullptr;
    Ferry::Ui::TrayController *m_trayController = nullptr;
    Ferry::Ui::AutoResolver *m_autoResolver = nullptr;
    Ferry::TokenStore *m_tokens = nullptr;
    LocalServer *m_localServer = nullptr;
    Ferry::AccountCheck *m_check = nullptr;
    Ferry::AccountCheck *m_workspaceList = nullptr; // the switcher's list (GET /v1/me)
    Ferry::AccountInfo m_account; // as the server last listed it
    QElapsedTimer m_workspacesRead; // since the list was last asked for
    QString m_workspaceListProblem;
    QPointer<Ferry::Ui::FirstRunDialog> m_firstRun;
    QUrl m_pendingServer; // the sign-in being checked
    QString m_pendingToken;
    QString m_pendingWorkspace;
    QString m_pendingTrust; // the certificate fingerprint the person chose to trust, if any
    QString m_leftLocalStore; // the local server's store, until its records were offered
};

} // namespace FerryDesktop
