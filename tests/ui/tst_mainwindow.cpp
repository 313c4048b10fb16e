// The main window as a person uses it: sidebar, search, the editor, the Sync button and the
// status bar, against a real ferry-server.
#include "desktopfixture.h"
#include "models/recordtablemodel.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QProgressBar>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>
#include <QToolButton>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;
using namespace std::chrono_literals;

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void syncButtonSendsWhatWasTyped();
    void remoteRecordsAppearWithoutReset();
    void searchFiltersAsYouType();
    void sidebarSwitchesEntity();
    void longSyncShowsProgress();
    void closingKeepsSyncingInTheTray();

private:
    QToolButton *toolButtonFor(QAction *action);

    DesktopFixture m_device;
    SyncConfig &m_config = m_device.config;
    std::unique_ptr<DataStore> &m_data = m_device.data;
    std::unique_ptr<SyncScheduler> &m_scheduler = m_device.scheduler;
    std::unique_ptr<MainWindow> &m_window = m_device.window;
};

void TestMainWindow::initTestCase()
{
    QVERIFY2(m_device.startServer(QStringLiteral("gina")), qPrintable(m_device.server.lastError()));
}

void TestMainWindow::init()
{
    m_device.setUp(); // paused: only the Sync button syncs in these tests
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
}

void TestMainWindow::cleanup()
{
    m_device.tearDown();
}

QToolButton *TestMainWindow::toolButtonFor(QAction *action)
{
    auto *toolbar = child<QToolBar>(*m_window, "mainToolbar");
    return qobject_cast<QToolButton *>(toolbar->widgetForAction(action));
}

void TestMainWindow::syncButtonSendsWhatWasTyped()
{
    QTest::mouseClick(child<QToolButton>(*m_window, "newButton"), Qt::LeftButton);
    auto *title = child<QLineEdit>(*m_window, "field_title");
    QTest::keyClicks(title, QStringLiteral("Typed in the window"));
    QTest::keyClick(title, Qt::Key_Return);
    QTRY_COMPARE(child<QLabel>(*m_window, "pendingChanges")->text(),
                 QStringLiteral("1 change waiting to sync"));
    QCOMPARE(m_window->recordModel()->rowCount(), 1);

    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    QToolButton *sync = toolButtonFor(m_window->syncAction());
    QVERIFY(sync);
    QTest::mouseClick(sync, Qt::LeftButton);
    QVERIFY(finished.wait(10000));
    QVERIFY(finished.first().first().value<SyncSummary>().ok);
    QCOMPARE(child<QLabel>(*m_window, "pendingChanges")->text(),
             QStringLiteral("All changes synced"));
    QVERIFY(child<QLabel>(*m_window, "lastSync")->text().startsWith(QStringLiteral("Last synced")));

    TestDevice other(m_config);
    QVERIFY(other.sync().ok);
    const QList<LocalRecord> posts = other.store().records(QStringLiteral("Post")).value();
    QCOMPARE(posts.size(), 1);
    QCOMPARE(posts.first().fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("Typed in the window"));
}

void TestMainWindow::remoteRecordsAppearWithoutReset()
{
    TestDevice other(m_config);
    other.create(QStringLiteral("Post"),
                 {{QStringLiteral("title"), QStringLiteral("from elsewhere")}});
    other.create(QStringLiteral("Post"),
                 {{QStringLiteral("title"), QStringLiteral("also from elsewhere")}});
    QVERIFY(other.sync().ok);
    QSignalSpy resets(m_window->recordModel(), &QAbstractItemModel::modelReset);
    QSignalSpy inserted(m_window->recordModel(), &QAbstractItemModel::rowsInserted);
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_window->syncAction()->trigger(); // the keyboard shortcut's way
    QVERIFY(finished.wait(10000));
    QTRY_COMPARE(m_window->recordModel()->rowCount(), 2);
    QCOMPARE(resets.size(), 0);
    QVERIFY(!inserted.isEmpty());
    QTRY_COMPARE(child<QListView>(*m_window, "entityList")->model()->index(0, 0).data().toString(),
                 QStringLiteral("Posts (2)"));
}

void TestMainWindow::searchFiltersAsYouType()
{
    for (const char *title : {"apple pie", "banana bread", "Apple crumble"})
        QVERIFY(m_data
                    ->createRecord(QStringLiteral("Post"),
                                   {{QStringLiteral("title"), QLatin1String(title)}})
                    .ok());
    auto *table = child<QTableView>(*m_window, "recordTable");
    QTRY_COMPARE(table->model()->rowCount(), 3);
    QTest::keyClicks(child<QLineEdit>(*m_window, "searchField"), QStringLiteral("apple"));
    QTRY_COMPARE(table->model()->rowCount(), 2);
    QTest::keyClicks(child<QLineEdit>(*m_window, "searchField"), QStringLiteral(" c"));
    QTRY_COMPARE(table->model()->rowCount(), 1);
    QCOMPARE(table->model()->index(0, RecordTableModel::FirstFieldColumn).data().toString(),
             QStringLiteral("Apple crumble"));
}

void TestMainWindow::sidebarSwitchesEntity()
{
    QVERIFY(m_data
                ->createRecord(QStringLiteral("Tag"),
                               {{QStringLiteral("name"), QStringLiteral("work")}})
                .ok());
    auto *sidebar = child<QListView>(*m_window, "entityList");
    const QModelIndex tags = sidebar->model()->index(1, 0);
    QTest::mouseClick(sidebar->viewport(), Qt::LeftButton, {}, sidebar->visualRect(tags).center());
    QCOMPARE(m_window->currentEntity(), QStringLiteral("Tag"));
    auto *table = child<QTableView>(*m_window, "recordTable");
    QCOMPARE(table->model()->rowCount(), 1);
    QCOMPARE(
        table->model()->headerData(RecordTableModel::FirstFieldColumn, Qt::Horizontal).toString(),
        QStringLiteral("Name"));
}

void TestMainWindow::longSyncShowsProgress()
{
    TestDevice other(m_config);
    for (int i = 0; i < 1500; ++i)
        QVERIFY(other.store()
                    .createRecord(QStringLiteral("Tag"),
                                  {{QStringLiteral("name"), QStringLiteral("t%1").arg(i)}})
                    .ok());
    QVERIFY(other.sync().ok);
    QStringList seen;
    auto *bar = child<QProgressBar>(*m_window, "syncProgress");
    connect(m_scheduler.get(), &SyncScheduler::overviewChanged, this, [&](const SyncOverview &) {
        if (bar->isVisible())
            seen.append(bar->format());
    });
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_window->syncAction()->trigger();
    QVERIFY(finished.wait(20000));
    QVERIFY2(!seen.isEmpty(), "no progress bar during a sync of 1,500 records");
    QVERIFY2(seen.last().startsWith(QStringLiteral("Receiving"))
                 && seen.last().endsWith(QStringLiteral("of 1,500")),
             qPrintable(seen.last()));
    QVERIFY(!bar->isVisible()); // gone once done
}

void TestMainWindow::closingKeepsSyncingInTheTray()
{
    QSignalSpy toTray(m_window.get(), &MainWindow::closedToTray);
    QSignalSpy quit(m_window.get(), &MainWindow::quitRequested);
    m_window->setCloseToTray(true);
    m_window->close();
    QVERIFY(!m_window->isVisible());
    QCOMPARE(toTray.size(), 1);
    QCOMPARE(quit.size(), 0);
    // Syncing goes on with the window hidden.
    QVERIFY(m_data
                ->createRecord(QStringLiteral("Tag"),
                               {{QStringLiteral("name"), QStringLiteral("hidden")}})
                .ok());
    QSignalSpy finished(m_scheduler.get(), &SyncScheduler::syncFinished);
    m_scheduler->setPaused(false);
    QVERIFY(finished.wait(10000));
    QCOMPARE(m_scheduler->overview().pending, 0);

    m_window->show();
    m_window->setCloseToTray(false); // no tray: closing quits
    m_window->close();
    QCOMPARE(quit.size(), 1);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
