#pragma once

#include "syncoverview.h"

#include <QHash>
#include <QIcon>
#include <QObject>
#include <QSystemTrayIcon>

#include <chrono>
#include <memory>

class QAction;
class QMenu;

namespace Ferry::Ui {

// The system tray icon: shows the sync state at a glance (icon and tooltip), offers
// "Resolve N conflicts…" while there are some, Sync now, Pause/Resume, Open and Quit, and
// tells the person about new conflicts and errors that need them. It only reports what the
// person asked for through signals; the app wires them to the sync client and the main
// window. GUI thread only.
class TrayIcon : public QObject
{
    Q_OBJECT

public:
    explicit TrayIcon(QObject *parent = nullptr);
    ~TrayIcon() override;

    // Whether the desktop has a tray at all; without one the app keeps its window open.
    static bool isAvailable();

    // The resource path of the SVG for a state, e.g. ":/icons/tray/conflicts.svg".
    static QString iconNameFor(SyncOverview::State state);
    // The icon for an overview: the state's SVG, plus the conflict count drawn on the badge
    // when there are conflicts. Vector-painted, so it is crisp at any size and scale.
    // With a `profile` other than the default one, its initial is drawn on the icon's other
    // corner, so two profiles running at once have icons a person can tell apart.
    static QIcon iconFor(const SyncOverview &overview, const QString &profile = {});
    // The tooltip for an overview: state, last sync, pending changes, progress or problem;
    // the profile's name after "Ferry" unless it is the default one.
    static QString toolTipFor(const SyncOverview &overview, const QString &profile = {});

    void show();
    void hide();
    bool isVisible() const;

    void setOverview(const SyncOverview &overview);
    // The profile this icon stands for ("default" or empty: the usual one).
    void setProfile(const QString &profile);
    SyncOverview overview() const { return m_overview; }
    QIcon icon() const;
    QString toolTip() const;
    QString iconName() const { return iconNameFor(m_overview.state); }

    // Reflects the pause state without emitting pausedChanged (e.g. read from settings).
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    QMenu *menu() const { return m_menu.get(); }
    QSystemTrayIcon *systemTrayIcon() const { return m_tray; }

    // Balloon messages for things that need the person. The caller decides what qualifies
    // (not transient network hiccups); the same message is not repeated within
    // repeatInterval(). Return whether the message was shown.
    bool notifyConflicts(int newCount);
    bool notifyError(const QString &message);
    void setRepeatInterval(std::chrono::milliseconds interval) { m_repeatInterval = interval; }
    std::chrono::milliseconds repeatInterval() const { return m_repeatInterval; }

signals:
    void syncNowRequested();
    // "Resolve N conflicts…", shown while there are conflicts.
    void resolveConflictsRequested();
    void pausedChanged(bool paused);
    void openRequested();
    void quitRequested();
    // A balloon was shown (also emitted where the platform cannot show balloons).
    void notified(const QString &title, const QString &message);

private:
    void onActivated(QSystemTrayIcon::ActivationReason reason);
    void togglePaused();
    void updatePauseAction();
    bool notify(const QString &title, const QString &message, QSystemTrayIcon::MessageIcon icon);

    QSystemTrayIcon *m_tray = nullptr;
    std::unique_ptr<QMenu> m_menu; // a QMenu needs a widget parent, which we do not have
    QAction *m_statusAction = nullptr;
    QAction *m_detailAction = nullptr;
    QAction *m_resolveAction = nullptr;
    QAction *m_syncNowAction = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_quitAction = nullptr;
    SyncOverview m_overview;
    QString m_profile;
    bool m_paused = false;
    std::chrono::milliseconds m_repeatInterval = std::chrono::minutes(30);
    QHash<QString, qint64> m_lastShown; // message → monotonic msecs when last shown
};

} // namespace Ferry::Ui
