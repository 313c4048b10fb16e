#include "trayicon.h"

#include "syncoverviewtext.h"

#include <QAction>
#include <QDeadlineTimer>
#include <QFileInfo>
#include <QIconEngine>
#include <QMenu>
#include <QPainter>
#include <QPainterPath>

namespace Ferry::Ui {

namespace {

// Draws the conflicts SVG and paints the count over its badge. Painting (instead of a
// pre-rendered pixmap) keeps the number sharp at whatever size the tray asks for.
// An icon engine that paints: its pixmaps are what paint() draws on a transparent ground.
class PaintedIconEngine : public QIconEngine
{
public:
    QPixmap pixmap(const QSize &size, QIcon::Mode mode, QIcon::State state) override
    {
        QPixmap pixmap(size);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        paint(&painter, QRect(QPoint(), size), mode, state);
        return pixmap;
    }
};

class CountBadgeEngine : public PaintedIconEngine
{
public:
    CountBadgeEngine(QIcon base, qint64 count)
        : m_base(std::move(base))
        , m_count(count)
    { }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override
    {
        m_base.paint(painter, rect, Qt::AlignCenter, mode, state);
        const qreal side = qMin(rect.width(), rect.height());
        const qreal unit = side / 32.0; // the SVGs are drawn on a 32×32 grid
        const QPointF origin(rect.x() + (rect.width() - side) / 2,
                             rect.y() + (rect.height() - side) / 2);
        const QString text = m_count > 99 ? QStringLiteral("99+") : QString::number(m_count);
        // Slightly larger than the SVG's own badge so a digit stays legible at 22 px.
        const qreal radius = 8.4 * unit;
        const qreal width
            = text.size() == 1 ? 2 * radius : 2 * radius + (text.size() - 1) * 4 * unit;
        const QRectF badge(origin.x() + 31.4 * unit - width, origin.y() + 31.4 * unit - 2 * radius,
                           width, 2 * radius);

        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(Qt::white, 1.4 * unit));
        painter->setBrush(QColor(0xe8, 0x71, 0x0a));
        painter->drawRoundedRect(badge, radius, radius);
        QFont font = painter->font();
        font.setBold(true);
        font.setPixelSize(qMax(1, qRound((text.size() == 1 ? 12.5 : 10.5) * unit)));
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, text);
        painter->restore();
    }

    QIconEngine *clone() const override { return new CountBadgeEngine(m_base, m_count); }
    QString key() const override { return QStringLiteral("FerryCountBadge"); }

private:
    QIcon m_base;
    qint64 m_count;
};

// The base icon with a profile's initial on a coloured square in its top-left corner; the
// colour follows the name, so each profile keeps its own.
class ProfileBadgeEngine : public PaintedIconEngine
{
public:
    ProfileBadgeEngine(QIcon base, QString profile)
        : m_base(std::move(base))
        , m_profile(std::move(profile))
    { }

    void paint(QPainter *painter, const QRect &rect, QIcon::Mode mode, QIcon::State state) override
    {
        m_base.paint(painter, rect, Qt::AlignCenter, mode, state);
        const qreal side = qMin(rect.width(), rect.height());
        const qreal unit = side / 32.0;
        const QRectF badge(rect.x() + (rect.width() - side) / 2,
                           rect.y() + (rect.height() - side) / 2, 14 * unit, 14 * unit);
        const int hue = int(qHash(m_profile) % 360);
        painter->save();
        painter->setRenderHint(QPainter::Antialiasing);
        painter->setPen(QPen(Qt::white, 1.2 * unit));
        painter->setBrush(QColor::fromHsv(hue, 200, 170));
        painter->drawRoundedRect(badge, 3 * unit, 3 * unit);
        QFont font = painter->font();
        font.setBold(true);
        font.setPixelSize(qMax(1, qRound(10.5 * unit)));
        painter->setFont(font);
        painter->setPen(Qt::white);
        painter->drawText(badge, Qt::AlignCenter, m_profile.left(1).toUpper());
        painter->restore();
    }

    QIconEngine *clone() const override { return new ProfileBadgeEngine(m_base, m_profile); }
    QString key() const override { return QStringLiteral("FerryProfileBadge"); }

private:
    QIcon m_base;
    QString m_profile;
};

bool isDefaultProfile(const QString &profile)
{
    return profile.isEmpty() || profile == QLatin1String("default");
}

// The menu's second heading line: what happened for a problem, else progress or the last
// sync. Menus are narrow, so a long message is cut; the tooltip has all of it.
QString detailFor(const SyncOverview &overview)
{
    using State = SyncOverview::State;
    constexpr int MaxLength = 60;
    if ((overview.state == State::Error || overview.state == State::Offline
         || overview.state == State::SignedOut)
        && !overview.message.isEmpty()) {
        if (overview.message.size() <= MaxLength)
            return overview.message;
        return overview.message.left(MaxLength - 1).trimmed() + QChar(0x2026);
    }
    if (overview.state == State::Syncing && (overview.done > 0 || overview.total > 0))
        return progressText(overview);
    return lastSyncText(overview);
}

} // namespace

TrayIcon::TrayIcon(QObject *parent)
    : QObject(parent)
    , m_tray(new QSystemTrayIcon(this))
    , m_menu(std::make_unique<QMenu>())
{
    m_menu->setObjectName(QStringLiteral("trayMenu"));
    m_statusAction = m_menu->addAction(QString());
    m_statusAction->setObjectName(QStringLiteral("statusAction"));
    m_statusAction->setEnabled(false); // a heading that says the state, not a command
    m_detailAction = m_menu->addAction(QString());
    m_detailAction->setObjectName(QStringLiteral("detailAction"));
    m_detailAction->setEnabled(false);
    m_menu->addSeparator();
    m_resolveAction = m_menu->addAction(QString());
    m_resolveAction->setObjectName(QStringLiteral("resolveConflictsAction"));
    m_resolveAction->setVisible(false);
    m_syncNowAction = m_menu->addAction(tr("Sync now"));
    m_syncNowAction->setObjectName(QStringLiteral("syncNowAction"));
    m_pauseAction = m_menu->addAction(QString());
    m_pauseAction->setObjectName(QStringLiteral("pauseAction"));
    m_menu->addSeparator();
    m_openAction = m_menu->addAction(tr("Open Ferry"));
    m_openAction->setObjectName(QStringLiteral("openAction"));
    m_quitAction = m_menu->addAction(tr("Quit"));
    m_quitAction->setObjectName(QStringLiteral("quitAction"));
    m_quitAction->setMenuRole(QAction::QuitRole);

    connect(m_resolveAction, &QAction::triggered, this, &TrayIcon::resolveConflictsRequested);
    connect(m_syncNowAction, &QAction::triggered, this, &TrayIcon::syncNowRequested);
    connect(m_pauseAction, &QAction::triggered, this, &TrayIcon::togglePaused);
    connect(m_openAction, &QAction::triggered, this, &TrayIcon::openRequested);
    connect(m_quitAction, &QAction::triggered, this, &TrayIcon::quitRequested);
    connect(m_tray, &QSystemTrayIcon::activated, this, &TrayIcon::onActivated);
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, &TrayIcon::openRequested);

    m_tray->setContextMenu(m_menu.get());
    updatePauseAction();
    setOverview(m_overview);
}

TrayIcon::~TrayIcon()
{
    // The tray icon refers to the menu: let it go first.
    m_tray->setContextMenu(nullptr);
}

bool TrayIcon::isAvailable()
{
    return QSystemTrayIcon::isSystemTrayAvailable();
}

QString TrayIcon::iconNameFor(SyncOverview::State state)
{
    return QStringLiteral(":/icons/tray/%1.svg").arg(stateName(state));
}

QIcon TrayIcon::iconFor(const SyncOverview &overview, const QString &profile)
{
    QIcon base(iconNameFor(overview.state));
    if (overview.state == SyncOverview::State::Conflicts && overview.conflicts > 0)
        base = QIcon(new CountBadgeEngine(base, overview.conflicts));
    if (isDefaultProfile(profile))
        return base;
    return QIcon(new ProfileBadgeEngine(base, QFileInfo(profile).fileName()));
}

QString TrayIcon::toolTipFor(const SyncOverview &overview, const QString &profile)
{
    const QString name = isDefaultProfile(profile)
        ? QStringLiteral("Ferry")
        : QStringLiteral("Ferry (%1)").arg(QFileInfo(profile).fileName());
    QStringList lines {QStringLiteral("%1 — %2").arg(name, stateText(overview))};
    using State = SyncOverview::State;
    // Before the first page there is no progress to speak of ("Sending 0").
    const bool hasProgress = overview.done > 0 || overview.total > 0;
    if (overview.state == State::Syncing && hasProgress)
        lines << progressText(overview);
    if (const QString files = transferText(overview); !files.isEmpty())
        lines << files;
    if ((overview.state == State::Error || overview.state == State::Offline
         || overview.state == State::SignedOut)
        && !overview.message.isEmpty())
        lines << overview.message;
    lines << lastSyncText(overview);
    if (const QString pending = pendingText(overview); !pending.isEmpty())
        lines << pending;
    return lines.join(QLatin1Char('\n'));
}

void TrayIcon::show()
{
    m_tray->show();
}

void TrayIcon::hide()
{
    m_tray->hide();
}

bool TrayIcon::isVisible() const
{
    return m_tray->isVisible();
}

void TrayIcon::setOverview(const SyncOverview &overview)
{
    m_overview = overview;
    m_tray->setIcon(iconFor(overview, m_profile));
    m_tray->setToolTip(toolTipFor(overview, m_profile));
    m_statusAction->setText(stateText(overview));
    m_detailAction->setText(detailFor(overview));
    m_resolveAction->setVisible(overview.conflicts > 0);
    m_resolveAction->setText(overview.conflicts == 1
                                 ? tr("Resolve 1 conflict…")
                                 : tr("Resolve %1 conflicts…").arg(overview.conflicts));
    m_syncNowAction->setEnabled(overview.state != SyncOverview::State::Syncing);
    if (overview.state == SyncOverview::State::Paused)
        setPaused(true);
}

void TrayIcon::setProfile(const QString &profile)
{
    m_profile = profile;
    setOverview(m_overview);
}

QIcon TrayIcon::icon() const
{
    return m_tray->icon();
}

QString TrayIcon::toolTip() const
{
    return m_tray->toolTip();
}

void TrayIcon::setPaused(bool paused)
{
    m_paused = paused;
    updatePauseAction();
}

void TrayIcon::onActivated(QSystemTrayIcon::ActivationReason reason)
{
    // A left click opens the window; the context menu handles the right click itself.
    if (reason == QSystemTrayIcon::Trigger || reason == QSystemTrayIcon::DoubleClick)
        emit openRequested();
}

void TrayIcon::togglePaused()
{
    setPaused(!m_paused);
    emit pausedChanged(m_paused);
}

void TrayIcon::updatePauseAction()
{
    m_pauseAction->setText(m_paused ? tr("Resume syncing") : tr("Pause syncing"));
}

bool TrayIcon::notifyConflicts(int newCount)
{
    if (newCount <= 0)
        return false;
    const QString message = newCount == 1
        ? tr("A record was changed here and elsewhere. Open Ferry to choose what to keep.")
        : tr("%1 records were changed here and elsewhere. Open Ferry to choose what to keep.")
              .arg(newCount);
    return notify(tr("Ferry: changes to review"), message, QSystemTrayIcon::Warning);
}

bool TrayIcon::notifyError(const QString &message)
{
    if (message.isEmpty())
        return false;
    return notify(tr("Ferry cannot sync"), message, QSystemTrayIcon::Critical);
}

bool TrayIcon::notify(const QString &title, const QString &message,
                      QSystemTrayIcon::MessageIcon icon)
{
    // One clock for "when was this last said": monotonic, so a clock change cannot
    // silence or repeat a message.
    const qint64 now = QDeadlineTimer::current().deadline();
    const QString key = title + QLatin1Char('\n') + message;
    const auto last = m_lastShown.constFind(key);
    if (last != m_lastShown.cend() && now - *last < m_repeatInterval.count())
        return false;
    m_lastShown.insert(key, now);
    m_tray->showMessage(title, message, icon);
    emit notified(title, message);
    return true;
}

} // namespace Ferry::Ui
