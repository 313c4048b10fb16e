#include "syncoverviewtext.h"
#include "tray/trayicon.h"

#include <QAction>
#include <QFile>
#include <QMenu>
#include <QSignalSpy>
#include <QTest>

using namespace Ferry;
using namespace Ferry::Ui;
using State = SyncOverview::State;

namespace {

const QList<State> AllStates {State::Synced, State::Waiting, State::Syncing,   State::Offline,
                              State::Paused, State::Error,   State::Conflicts, State::SignedOut};

QImage render(const QIcon &icon, int size = 32)
{
    return icon.pixmap(QSize(size, size)).toImage().convertToFormat(QImage::Format_ARGB32);
}

// SyncOverview with just what a test cares about (designated initializers would warn about
// the fields left out).
SyncOverview make(State state, qint64 conflicts = 0)
{
    SyncOverview overview;
    overview.state = state;
    overview.conflicts = conflicts;
    return overview;
}

QAction *action(const TrayIcon &tray, const char *name)
{
    return tray.menu()->findChild<QAction *>(QLatin1String(name));
}

} // namespace

// Under the offscreen platform there is never a tray, so these tests drive the tray's
// logic through its menu actions, its signals, the icon it chose and its tooltip.
class TestTrayIcon : public QObject
{
    Q_OBJECT

private slots:
    void eachStateHasItsOwnIcon()
    {
        QList<QImage> images;
        for (const State state : AllStates) {
            const QString name = TrayIcon::iconNameFor(state);
            QVERIFY2(QFile::exists(name), qPrintable(name));
            const QIcon icon(name);
            QVERIFY(!icon.isNull());
            // Vector icons: asked for a large size, they render at that size (not a
            // small bitmap blown up), with visible pixels.
            const QImage large = render(icon, 128);
            QCOMPARE(large.size(), QSize(128, 128));
            QVERIFY(large.pixelColor(64, 64).alpha() > 0);
            for (const QImage &other : std::as_const(images))
                QVERIFY2(render(icon) != other, qPrintable(name));
            images << render(icon);
        }
    }

    void conflictIconShowsTheCount()
    {
        const SyncOverview three = make(State::Conflicts, 3);
        const SyncOverview seven = make(State::Conflicts, 7);
        const SyncOverview many = make(State::Conflicts, 250);
        const QImage plain = render(QIcon(TrayIcon::iconNameFor(State::Conflicts)));
        QVERIFY(render(TrayIcon::iconFor(three)) != plain);
        QVERIFY(render(TrayIcon::iconFor(three)) != render(TrayIcon::iconFor(seven)));
        QVERIFY(render(TrayIcon::iconFor(many)) != render(TrayIcon::iconFor(seven)));
        QCOMPARE(TrayIcon::iconFor(three).pixmap(QSize(64, 64)).size(), QSize(64, 64));
    }

    // Two profiles running at once: their icons differ (each carries its initial) and the
    // tooltip names the profile; the default profile's icon is the plain one.
    void profilesHaveIconsTheirOwn()
    {
        const SyncOverview synced = make(State::Synced);
        const QImage plain = render(TrayIcon::iconFor(synced));
        QCOMPARE(render(TrayIcon::iconFor(synced, QStringLiteral("default"))), plain);
        const QImage work = render(TrayIcon::iconFor(synced, QStringLiteral("work")));
        const QImage home = render(TrayIcon::iconFor(synced, QStringLiteral("home")));
        QVERIFY(work != plain);
        QVERIFY(home != plain);
        QVERIFY(work != home);
        TrayIcon tray;
        tray.setProfile(QStringLiteral("work"));
        tray.setOverview(synced);
        QVERIFY2(tray.toolTip().startsWith(QStringLiteral("Ferry (work) — Synced")),
                 qPrintable(tray.toolTip()));
        QCOMPARE(render(tray.icon()), work);
    }

    void overviewSetsIconAndTooltip()
    {
        TrayIcon tray;
        SyncOverview overview = make(State::Error);
        overview.lastSync = QDateTime::currentDateTime().addSecs(-60);
        overview.pending = 4;
        overview.message = QStringLiteral("The server refused this device's token.");
        tray.setOverview(overview);
        QCOMPARE(tray.iconName(), QStringLiteral(":/icons/tray/error.svg"));
        QCOMPARE(render(tray.icon()), render(QIcon(QStringLiteral(":/icons/tray/error.svg"))));
        const QString tip = tray.toolTip();
        QVERIFY2(tip.contains(stateText(overview)), qPrintable(tip));
        QVERIFY2(tip.contains(overview.message), qPrintable(tip));
        QVERIFY2(tip.contains(lastSyncText(overview)), qPrintable(tip));
        QVERIFY2(tip.contains(pendingText(overview)), qPrintable(tip));
        QCOMPARE(action(tray, "statusAction")->text(), stateText(overview));
        QVERIFY(!action(tray, "statusAction")->isEnabled());
        QCOMPARE(action(tray, "detailAction")->text(), overview.message);

        SyncOverview syncing = make(State::Syncing);
        syncing.done = 10;
        syncing.total = 200;
        syncing.receiving = true;
        tray.setOverview(syncing);
        QCOMPARE(tray.iconName(), QStringLiteral(":/icons/tray/syncing.svg"));
        QVERIFY2(tray.toolTip().contains(progressText(syncing)), qPrintable(tray.toolTip()));
        QVERIFY(tray.toolTip().contains(QStringLiteral("Never synced")));
        QCOMPARE(action(tray, "detailAction")->text(), progressText(syncing));
        // Before any progress there is nothing to count yet.
        tray.setOverview(make(State::Syncing));
        QVERIFY(!tray.toolTip().contains(QStringLiteral("Sending")));
        QCOMPARE(action(tray, "detailAction")->text(), QStringLiteral("Never synced"));
        QVERIFY(!tray.toolTip().contains(overview.message));
        // A second "Sync now" while one runs would do nothing; the menu says so.
        QVERIFY(!action(tray, "syncNowAction")->isEnabled());

        const SyncOverview conflicts = make(State::Conflicts, 2);
        tray.setOverview(conflicts);
        QCOMPARE(render(tray.icon()), render(TrayIcon::iconFor(conflicts)));
        QVERIFY(tray.toolTip().contains(stateText(conflicts)));
        QCOMPARE(action(tray, "detailAction")->text(), QStringLiteral("Never synced"));

        // A long problem is cut in the narrow menu but whole in the tooltip.
        SyncOverview longError = make(State::Error);
        longError.message = QStringLiteral("The server said this workspace no longer exists; "
                                           "ask its owner to share it again or sign in anew.");
        tray.setOverview(longError);
        const QString detail = action(tray, "detailAction")->text();
        QVERIFY(detail.size() <= 60);
        QVERIFY(detail.endsWith(QChar(0x2026)));
        QVERIFY(longError.message.startsWith(detail.chopped(1)));
        QVERIFY(tray.toolTip().contains(longError.message));
        QVERIFY(action(tray, "syncNowAction")->isEnabled());
    }

    void menuActionsDoWhatTheySay()
    {
        TrayIcon tray;
        QSignalSpy syncNow(&tray, &TrayIcon::syncNowRequested);
        QSignalSpy paused(&tray, &TrayIcon::pausedChanged);
        QSignalSpy open(&tray, &TrayIcon::openRequested);
        QSignalSpy quit(&tray, &TrayIcon::quitRequested);
        QCOMPARE(tray.systemTrayIcon()->contextMenu(), tray.menu());

        action(tray, "syncNowAction")->trigger();
        QCOMPARE(syncNow.count(), 1);

        QAction *pause = action(tray, "pauseAction");
        QCOMPARE(pause->text(), QStringLiteral("Pause syncing"));
        pause->trigger();
        QCOMPARE(paused.count(), 1);
        QCOMPARE(paused.takeFirst().at(0).toBool(), true);
        QVERIFY(tray.isPaused());
        QCOMPARE(pause->text(), QStringLiteral("Resume syncing"));
        pause->trigger();
        QCOMPARE(paused.takeFirst().at(0).toBool(), false);
        QCOMPARE(pause->text(), QStringLiteral("Pause syncing"));

        // Reflecting the saved state is not the person asking for a change.
        tray.setPaused(true);
        QCOMPARE(pause->text(), QStringLiteral("Resume syncing"));
        QCOMPARE(paused.count(), 0);

        action(tray, "openAction")->trigger();
        QCOMPARE(open.count(), 1);
        action(tray, "quitAction")->trigger();
        QCOMPARE(quit.count(), 1);
        QCOMPARE(syncNow.count(), 1);
    }

    void pausedOverviewShowsResume()
    {
        TrayIcon tray;
        QSignalSpy paused(&tray, &TrayIcon::pausedChanged);
        tray.setOverview(make(State::Paused));
        QCOMPARE(action(tray, "pauseAction")->text(), QStringLiteral("Resume syncing"));
        QCOMPARE(paused.count(), 0);
    }

    void clickingTheIconOpensTheWindow()
    {
        TrayIcon tray;
        QSignalSpy open(&tray, &TrayIcon::openRequested);
        emit tray.systemTrayIcon()->activated(QSystemTrayIcon::Trigger);
        QCOMPARE(open.count(), 1);
        emit tray.systemTrayIcon()->activated(QSystemTrayIcon::DoubleClick);
        QCOMPARE(open.count(), 2);
        emit tray.systemTrayIcon()->activated(QSystemTrayIcon::Context);
        QCOMPARE(open.count(), 2);
    }

    void notificationsAreNotRepeated()
    {
        TrayIcon tray;
        QSignalSpy notified(&tray, &TrayIcon::notified);
        QVERIFY(!tray.notifyConflicts(0));
        QVERIFY(tray.notifyConflicts(2));
        QCOMPARE(notified.count(), 1);
        QVERIFY(notified.at(0).at(1).toString().contains(QStringLiteral("2 records")));
        QVERIFY(!tray.notifyConflicts(2)); // the same news again: quiet
        QVERIFY(tray.notifyConflicts(1)); // different news
        QVERIFY(notified.at(1).at(1).toString().contains(QStringLiteral("A record")));

        const QString signedOut = QStringLiteral("This device was signed out. Sign in again.");
        QVERIFY(!tray.notifyError(QString()));
        QVERIFY(tray.notifyError(signedOut));
        QCOMPARE(notified.last().at(1).toString(), signedOut);
        QVERIFY(!tray.notifyError(signedOut));
        QCOMPARE(notified.count(), 3);

        // Once the quiet time is over, the same message may be said again.
        tray.setRepeatInterval(std::chrono::milliseconds(50));
        QTest::qWait(80);
        QVERIFY(tray.notifyError(signedOut));
        QCOMPARE(notified.count(), 4);
    }

    void availabilityFollowsThePlatform()
    {
        QCOMPARE(TrayIcon::isAvailable(), QSystemTrayIcon::isSystemTrayAvailable());
    }
};

QTEST_MAIN(TestTrayIcon)
#include "tst_trayicon.moc"
