#include "syncstatusbar.h"

#include "syncoverviewtext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>

namespace Ferry::Ui {

SyncStatusBar::SyncStatusBar(QWidget *parent)
    : QWidget(parent)
    , m_state(new QLabel(this))
    , m_pending(new QLabel(this))
    , m_lastSync(new QLabel(this))
    , m_live(new QLabel(tr("● Live"), this))
    , m_progress(new QProgressBar(this))
    , m_files(new QLabel(this))
{
    m_files->setObjectName(QStringLiteral("fileTransfers"));
    m_files->setAccessibleName(tr("Files on their way"));
    m_files->hide();
    setObjectName(QStringLiteral("syncStatusBar"));
    m_state->setObjectName(QStringLiteral("syncState"));
    m_pending->setObjectName(QStringLiteral("pendingChanges"));
    m_lastSync->setObjectName(QStringLiteral("lastSync"));
    m_progress->setObjectName(QStringLiteral("syncProgress"));
    m_live->setObjectName(QStringLiteral("liveUpdates"));
    m_live->setAccessibleName(tr("Live updates"));
    m_live->setToolTip(tr("Connected for live updates: changes made elsewhere show up here as "
                          "soon as they reach the server."));
    m_live->hide();
    m_state->setAccessibleName(tr("Sync state"));
    m_pending->setAccessibleName(tr("Changes waiting to sync"));
    m_lastSync->setAccessibleName(tr("Last successful sync"));
    m_progress->setAccessibleName(tr("Sync progress"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setMaximumWidth(320);
    m_progress->setTextVisible(true);
    m_progress->hide();

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 0, 4, 0);
    layout->setSpacing(16);
    layout->addWidget(m_state, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_files);
    layout->addWidget(m_pending);
    layout->addWidget(m_lastSync);
    layout->addWidget(m_live);
}

void SyncStatusBar::setOverview(const SyncOverview &overview)
{
    QString state = stateText(overview);
    if (!overview.message.isEmpty())
        state += QStringLiteral(" — ") + overview.message;
    m_state->setText(state);
    m_state->setToolTip(overview.message);
    m_pending->setText(pendingText(overview));
    m_pending->setVisible(!m_pending->text().isEmpty());
    m_lastSync->setText(lastSyncText(overview));
    m_live->setVisible(overview.live && overview.state != SyncOverview::State::Paused);
    m_files->setText(transferText(overview));
    m_files->setVisible(!m_files->text().isEmpty());

    // Only long syncs get a progress bar; a sync of a few records would just flicker.
    const bool showProgress
        = overview.state == SyncOverview::State::Syncing && overview.total > 200;
    m_progress->setVisible(showProgress);
    if (showProgress) {
        m_progress->setRange(0, 1000);
        m_progress->setValue(
            int(1000 * qBound<qint64>(0, overview.done, overview.total) / overview.total));
        m_progress->setFormat(progressText(overview));
    }
}

} // namespace Ferry::Ui
