#include "traycontroller.h"

#include "mainwindow/mainwindow.h"
#include "settings/appsettings.h"
#include "syncscheduler.h"
#include "tray/trayicon.h"

namespace Ferry::Ui {

TrayController::TrayController(TrayIcon &tray, SyncScheduler &scheduler, MainWindow &window,
                               AppSettings &settings, QObject *parent)
    : QObject(parent)
    , m_tray(tray)
    , m_scheduler(scheduler)
    , m_window(window)
    , m_settings(settings)
{
    m_tray.setPaused(m_scheduler.isPaused());
    m_tray.setOverview(m_scheduler.overview());
    connect(&m_scheduler, &SyncScheduler::overviewChanged, &m_tray, &TrayIcon::setOverview);
    connect(&m_scheduler, &SyncScheduler::conflictsAppeared, this, [this](int count) {
        // A policy other than "ask" settles them without the person.
        if (m_settings.conflictPolicy() == ConflictPolicy::Ask)
            m_tray.notifyConflicts(count);
    });
    connect(&m_scheduler, &SyncScheduler::attentionNeeded, &m_tray, &TrayIcon::notifyError);
    connect(&m_tray, &TrayIcon::syncNowRequested, &m_scheduler, &SyncScheduler::syncNow);
    connect(&m_tray, &TrayIcon::pausedChanged, this, &TrayController::onPausedChanged);
    connect(&m_tray, &TrayIcon::openRequested, this, &TrayController::showWindow);
    connect(&m_tray, &TrayIcon::resolveConflictsRequested, this, [this] {
        showWindow();
        m_window.showConflicts();
    });
    connect(&m_tray, &TrayIcon::quitRequested, this, &TrayController::quitRequested);
    connect(&m_window, &MainWindow::closedToTray, this, &TrayController::onClosedToTray);
    m_window.setCloseToTray(true);
}

void TrayController::showWindow()
{
    m_window.show();
    m_window.setWindowState((m_window.windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    m_window.raise();
    m_window.activateWindow();
}

void TrayController::onPausedChanged(bool paused)
{
    m_settings.setPaused(paused);
    m_scheduler.setPaused(paused);
}

void TrayController::onClosedToTray()
{
    if (m_settings.trayNoticeShown())
        return;
    m_settings.setTrayNoticeShown(true);
    m_tray.systemTrayIcon()->showMessage(
        tr("Ferry keeps syncing"),
        tr("Ferry is still running in the tray and keeps your records in sync. Choose Quit from "
           "its menu to stop it."),
        QSystemTrayIcon::Information, 8000);
}

} // namespace Ferry::Ui
