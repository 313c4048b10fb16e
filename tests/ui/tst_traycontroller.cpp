// The tray menu does what it says: against a real server, with the real scheduler and window.
// Under the offscreen platform there is no tray to show the icon in, but the icon's menu
// and its actions exist and are what a person clicks.
#include "desktopfixture.h"
#include "serverprocess.h"
#include "settings/appsettings.h"
#include "syncscheduler.h"
#include "testdevice.h"
#include "tray/traycontroller.h"
#include "tray/trayicon.h"
#include "widgetfinder.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;

class TestTrayController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void syncNowSyncs();
    void pauseIsRememberedAndStopsAutomaticSync();
    void openShowsTheWindowAndQuitAsksToQuit();
    void iconFollowsTheScheduler();
    void closingTheWindowKeepsFerryInTheTray();

private:
    QAction *action(const char *name) { return child<QAction>(*m_tray->menu(), name); }

    DesktopFixture m_device;
    SyncConfig &m_config = m_device.config;
    std::unique_ptr<DataStore> &m_data = m_device.data;
    std::unique_ptr<SyncScheduler> &m_scheduler = m_device.scheduler;
    std::unique_ptr<MainWindow> &m_window = m_device.window;
    QTemporaryDir m_dataDir;
    std::unique_ptr<AppSettings> m_settings;
    std::unique_ptr<TrayIcon> m_tray;
    std::unique_ptr<TrayController> m_controller;
};

void TestTrayController::initTestCase()
{
    // Profiles (with their settings) go under a folder of the test's own.
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_dataDir.path()));
    QVERIFY2(m_device.startServer(QStringLiteral("hana")), qPrintable(m_device.server.lastError()));
}

void TestTrayController::init()
{
    m_device.setUp();
    m_settings = std::make_unique<AppSettings>(QStringLiteral("tray-test-") + m_config.workspace);
    m_settings->clear();
    m_settings->setPaused(true);
    m_tray = std::make_unique<TrayIcon>();
    m_controller = std::make_unique<TrayController>(*m_tray, *m_scheduler, *m_window, *m_settings);
}

void TestTrayController::cleanup()
{
    m_controller.reset();
    m_tray.reset();
    m_settings->clear();
    m_settings.reset();
    m_device.tearDown();
}

void TestTrayController::syncNowSyncs()
{
    QVERIFY(m_data
                ->createRecord(QStringLiteral("Tag"),
                               {{QStringLiteral("name"), QStringLiteral("from the tray")}})
                .ok());
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    action("syncNowAction")->trigger();
    QVERIFY(finished.wait(10000));
    TestDevice other(m_config);
    QVERIFY(other.sync().ok);
    QCOMPARE(other.store().count(QStringLiteral("Tag")).value(), 1);
}

void TestTrayController::pauseIsRememberedAndStopsAutomaticSync()
{
    // Resume: syncing starts on its own and the setting remembers it.
    QAction *pause = action("pauseAction");
    QVERIFY(pause->text().contains(QStringLiteral("Resume")));
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    pause->trigger();
    QVERIFY(!m_scheduler->isPaused());
    QVERIFY(!m_settings->isPaused());
    QVERIFY(finished.wait(10000));
    // Pause again: a local edit no longer syncs by itself.
    QVERIFY(pause->text().contains(QStringLiteral("Pause")));
    pause->trigger();
    QVERIFY(m_scheduler->isPaused());
    QVERIFY(m_settings->isPaused());
    QCOMPARE(AppSettings(m_settings->profile()).isPaused(), true); // stored, not just in memory
    finished.clear();
    QVERIFY(m_data
                ->createRecord(QStringLiteral("Tag"),
                               {{QStringLiteral("name"), QStringLiteral("waits")}})
                .ok());
    QVERIFY(!finished.wait(2500));
    QCOMPARE(m_scheduler->overview().state, SyncOverview::State::Paused);
}

void TestTrayController::openShowsTheWindowAndQuitAsksToQuit()
{
    QVERIFY(!m_window->isVisible());
    action("openAction")->trigger();
    QVERIFY(m_window->isVisible());
    QSignalSpy quit(m_controller.get(), &TrayController::quitRequested);
    action("quitAction")->trigger();
    QCOMPARE(quit.size(), 1);
}

void TestTrayController::iconFollowsTheScheduler()
{
    QCOMPARE(m_tray->iconName(), TrayIcon::iconNameFor(SyncOverview::State::Paused));
    m_scheduler->setPaused(false);
    QTRY_COMPARE(m_tray->iconName(), TrayIcon::iconNameFor(SyncOverview::State::Synced));
    QVERIFY(m_tray->toolTip().contains(QStringLiteral("Last synced")));
}

void TestTrayController::closingTheWindowKeepsFerryInTheTray()
{
    m_controller->showWindow();
    QVERIFY(m_window->isVisible());
    QVERIFY(!m_settings->trayNoticeShown());
    m_window->close();
    QVERIFY(!m_window->isVisible());
    QVERIFY(m_settings->trayNoticeShown()); // told once...
    m_controller->showWindow();
    m_window->close();
    QVERIFY(m_settings->trayNoticeShown()); // ...and not again
}

QTEST_MAIN(TestTrayController)
#include "tst_traycontroller.moc"
