#pragma once

#include <QObject>

namespace Ferry {
class SyncScheduler;
}

namespace Ferry::Ui {

class AppSettings;
class MainWindow;
class TrayIcon;

// Ties the tray icon to the rest of the app: the icon and tooltip follow the sync
// scheduler; its menu syncs now, pauses or resumes (remembered in the settings), opens the
// window or its conflicts panel, and quits; new conflicts (unless a policy settles them) and
// errors that need the person become notifications; closing the window leaves Ferry in the
// tray, said once. GUI thread.
class TrayController : public QObject
{
    Q_OBJECT

public:
    TrayController(TrayIcon &tray, SyncScheduler &scheduler, MainWindow &window,
                   AppSettings &settings, QObject *parent = nullptr);

    void showWindow();

Q_SIGNALS:
    void quitRequested();

private:
    void onClosedToTray();
    void onPausedChanged(bool paused);

    TrayIcon &m_tray;
    SyncScheduler &m_scheduler;
    MainWindow &m_window;
    AppSettings &m_settings;
};

} // namespace Ferry::Ui
