#include "syncscheduler.h"

#include "blobstore.h"
#include "notifychannel.h"

#include <QLocale>
#include <QNetworkInformation>

namespace Ferry {

namespace {

constexpr int kActivityKept = 500;
const QString kLastSyncKey = QStringLiteral("last_sync");

// "Merged changes to Post “Ferry times” (body) from bob on laptop-7f3a."
QString describe(const AutoMerge &merge)
{
    const QString record = merge.name.isEmpty()
        ? QStringLiteral("%1 %2").arg(merge.entity, merge.guid)
        : QStringLiteral("%1 “%2”").arg(merge.entity, merge.name);
    const QString device = deviceDisplayName(merge.theirsDevice, merge.theirsDeviceName);
    const QString who = merge.theirsUser.isEmpty()
        ? device
        : SyncScheduler::tr("%1 on %2").arg(merge.theirsUser, device);
    return SyncScheduler::tr("Merged changes to %1 (%2) from %3.")
        .arg(record, merge.fields.join(QStringLiteral(", ")), who);
}

} // namespace

SyncScheduler::SyncScheduler(DataStore *store, const QString &storePath, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_client(std::make_unique<SyncClient>(storePath, store->schema()))
    , m_notify(std::make_unique<NotifyChannel>())
{
    qRegisterMetaType<Ferry::SyncOverview>();
    qRegisterMetaType<Ferry::ActivityEntry>();
    RetryPolicy patient;
    patient.attempts = 0; // the desktop app keeps trying, quietly
    patient.initialDelayMs = 2000;
    patient.maxDelayMs = 5 * 60 * 1000;
    m_client->setRetryPolicy(patient);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(std::chrono::milliseconds(1500));
    connect(&m_debounce, &QTimer::timeout, this, &SyncScheduler::automaticSync);
    m_interval.setInterval(std::chrono::minutes(5));
    connect(&m_interval, &QTimer::timeout, this, &SyncScheduler::automaticSync);
    m_interval.start();

    connect(m_store, &DataStore::changed, this, &SyncScheduler::onLocalChange);
    connect(m_client.get(), &SyncClient::changesCommitted, m_store, &DataStore::relayRemoteChange);
    connect(m_client.get(), &SyncClient::stateChanged, this, &SyncScheduler::onStateChanged);
    connect(m_client.get(), &SyncClient::progress, this, &SyncScheduler::onProgress);
    connect(m_client.get(), &SyncClient::errorOccurred, this, &SyncScheduler::onError);
    connect(m_client.get(), &SyncClient::syncFinished, this, &SyncScheduler::onFinished);
    connect(m_client.get(), &SyncClient::blobProgress, this, &SyncScheduler::onFileSendProgress);
    connect(m_client.get(), &SyncClient::blobFetchProgress, this, &SyncScheduler::onFetchProgress);
    connect(m_client.get(), &SyncClient::blobFetched, this, &SyncScheduler::onFetched);
    m_upload.total = -1;
    m_transferShown.setSingleShot(true);
    connect(&m_transferShown, &QTimer::timeout, this, &SyncScheduler::updateTransfers);
    connect(m_notify.get(), &NotifyChannel::sequenceAnnounced, this,
            &SyncScheduler::onSequenceAnnounced);
    connect(m_notify.get(), &NotifyChannel::connectedChanged, this, &SyncScheduler::onLiveChanged);

    if (QNetworkInformation::loadDefaultBackend() && QNetworkInformation::instance()) {
        connect(QNetworkInformation::instance(), &QNetworkInformation::reachabilityChanged, this,
                &SyncScheduler::onReachabilityChanged);
    }

    const qint64 last = m_store->store().setting(kLastSyncKey).toLongLong();
    if (last > 0)
        m_overview.lastSync = QDateTime::fromMSecsSinceEpoch(last);
    Result<qint64> conflicts = m_store->store().conflictCount();
    m_knownConflicts = conflicts ? conflicts.value() : 0;
    m_pulled = m_store->store().cursor();
    refreshCounts();
    publish();
}

SyncScheduler::~SyncScheduler() = default;

void SyncScheduler::setConfig(const SyncConfig &config)
{
    m_config = config;
    m_client->setConfig(config);
    m_announced = 0; // announcements of another server or workspace say nothing here
    m_pulled = m_store->store().cursor();
    m_notify->setConfig(config);
    publish(); // signed in or out: the overview says so at once
}

void SyncScheduler::setInterval(std::chrono::milliseconds interval)
{
    m_interval.setInterval(interval);
    m_interval.start();
}

void SyncScheduler::setDebounce(std::chrono::milliseconds delay)
{
    m_debounce.setInterval(delay);
}

void SyncScheduler::setOfflineGrace(std::chrono::milliseconds grace)
{
    m_offlineGrace = grace;
}

void SyncScheduler::setRetryPolicy(const RetryPolicy &policy)
{
    m_client->setRetryPolicy(policy);
}

void SyncScheduler::setPaused(bool paused)
{
    if (m_paused == paused)
        return;
    m_paused = paused;
    if (paused) {
        m_debounce.stop();
        m_client->stop();
    }
    log(ActivityEntry::Kind::Info, paused ? tr("Syncing paused.") : tr("Syncing resumed."));
    publish();
    if (!paused)
        automaticSync();
}

void SyncScheduler::syncNow()
{
    if (!m_config.isComplete()) {
        m_lastError
            = Error {QStringLiteral("not_configured"),
                     tr("Ferry is not connected to a server yet. Open Settings to sign in.")};
        m_lastErrorTransient = false;
        publish();
        return;
    }
    m_debounce.stop();
    m_running = true;
    publish();
    m_client->syncNow();
}

void SyncScheduler::automaticSync()
{
    if (m_paused || !m_config.isComplete())
        return;
    syncNow();
}

void SyncScheduler::onLocalChange(const ChangeSet &change)
{
    refreshCounts();
    publish();
    if (change.origin == ChangeOrigin::Local && !m_paused)
        m_debounce.start();
}

void SyncScheduler::onReachabilityChanged()
{
    const auto *info = QNetworkInformation::instance();
    if (info && info->reachability() == QNetworkInformation::Reachability::Online
        && m_offlineSince.isValid())
        automaticSync();
}

void SyncScheduler::onSequenceAnnounced(qint64 seq)
{
    m_announced = std::max(m_announced, seq);
    // Our own push is announced too; the pull that follows it covers that, so only a
    // sequence beyond what was pulled, seen while no cycle runs, starts one (onFinished
    // looks again when the cycle ends).
    if (m_announced <= m_pulled || m_running || m_paused || !m_config.isComplete())
        return;
    ++m_notifiedSyncs;
    syncNow();
}

void SyncScheduler::onLiveChanged(bool live)
{
    const bool lost = m_overview.live && !live;
    m_overview.live = live;
    publish();
    // The server went away (or the network): find out now rather than show "Synced" until
    // the next sync happens to try.
    if (lost && !m_running && !m_paused && m_config.isComplete())
        syncNow();
}

void SyncScheduler::onStateChanged(SyncState state)
{
    if (state == SyncState::Sending || state == SyncState::Receiving) {
        m_running = true;
        publish();
    }
}

void SyncScheduler::onProgress(const SyncProgress &progress)
{
    m_overview.done = progress.done;
    m_overview.total = progress.total;
    m_overview.receiving = progress.phase == SyncProgress::Receiving;
    publish();
}

void SyncScheduler::fetchFile(const QString &blob)
{
    if (m_downloads.contains(blob))
        return;
    m_downloads.insert(blob, Transfer {0, -1, QDateTime::currentDateTimeUtc()});
    m_client->fetchBlob(blob);
    updateTransfers();
}

void SyncScheduler::cancelFetch(const QString &blob)
{
    if (m_downloads.contains(blob))
        m_client->cancelFetch(blob);
}

void SyncScheduler::setKeepAllFiles(bool keep, qint64 maxBytes)
{
    m_keepAllFiles = keep;
    m_keepAllMaxBytes = maxBytes;
    if (!keep)
        m_autoFetch.clear();
    else
        fetchMissingFiles();
}

void SyncScheduler::fetchMissingFiles()
{
    if (!m_keepAllFiles || !m_config.isComplete() || !m_autoFetching.isEmpty())
        return;
    if (m_autoFetch.isEmpty()) {
        const Result<QHash<QString, qint64>> files = m_store->store().fileReferences();
        if (!files)
            return;
        for (auto it = files->cbegin(); it != files->cend(); ++it) {
            const bool fits = m_keepAllMaxBytes <= 0 || it.value() <= m_keepAllMaxBytes;
            if (fits && !BlobStore::has(m_config.blobFolder, it.key()))
                m_autoFetch.append(it.key());
        }
    }
    fetchMoreKeptFiles();
}

void SyncScheduler::fetchMoreKeptFiles()
{
    // Several at once: a small file's download is mostly waiting for the answer, and the
    // waits overlap. The list is made again after the next sync, not here: a file that
    // failed would otherwise be asked for over and over.
    while (m_autoFetching.size() < kKeptFilesAtOnce && !m_autoFetch.isEmpty()) {
        const QString blob = m_autoFetch.takeFirst();
        m_autoFetching.insert(blob);
        fetchFile(blob);
    }
}

void SyncScheduler::onFileSendProgress(const SyncProgress &progress)
{
    if (m_upload.total < 0)
        m_upload.started = QDateTime::currentDateTimeUtc();
    m_upload.done = progress.done;
    m_upload.total = progress.total;
    if (progress.total >= 0 && progress.done >= progress.total)
        m_upload = Transfer {0, -1, {}};
    updateTransfers();
}

void SyncScheduler::onFetchProgress(const QString &blob, qint64 done, qint64 total)
{
    const auto it = m_downloads.find(blob);
    if (it == m_downloads.end())
        return;
    it->done = done;
    it->total = total;
    updateTransfers();
    Q_EMIT fileFetchProgress(blob, done, total);
}

void SyncScheduler::onFetched(const QString &blob, const Error &error)
{
    m_downloads.remove(blob);
    updateTransfers();
    Q_EMIT fileFetched(blob, error);
    if (m_autoFetching.remove(blob)) {
        if (!error.code.isEmpty() && error.code != QLatin1String("cancelled"))
            log(ActivityEntry::Kind::Failed,
                tr("A file could not be kept on this device: %1").arg(error.message));
        // Transient failures wait for the next sync; others are not tried again on their own.
        if (error.code.isEmpty() || error.code == QLatin1String("blob_mismatch")
            || error.code == QLatin1String("no_such_blob"))
            fetchMoreKeptFiles();
        else
            m_autoFetch.clear();
    }
}

void SyncScheduler::updateTransfers()
{
    // Only what has lasted a second is shown: short transfers would flicker by.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const auto shown = [&](const Transfer &t) {
        return t.total > 0 && t.started.isValid() && t.started.msecsTo(now) >= 1000;
    };
    qint64 soonest = -1;
    const auto wait = [&](const Transfer &t) {
        if (t.total > 0 && t.started.isValid() && !shown(t)) {
            const qint64 left = 1000 - t.started.msecsTo(now);
            soonest = soonest < 0 ? left : std::min(soonest, left);
        }
    };
    m_overview.filesUp = shown(m_upload) ? m_upload.done : 0;
    m_overview.filesUpTotal = shown(m_upload) ? m_upload.total : 0;
    wait(m_upload);
    m_overview.filesDown = 0;
    m_overview.filesDownTotal = 0;
    for (const Transfer &t : std::as_const(m_downloads)) {
        wait(t);
        if (!shown(t))
            continue;
        m_overview.filesDown += t.done;
        m_overview.filesDownTotal += t.total;
    }
    if (soonest >= 0 && !m_transferShown.isActive())
        m_transferShown.start(std::chrono::milliseconds(std::max<qint64>(soonest, 1)));
    publish();
}

void SyncScheduler::onError(const Error &error, bool willRetry)
{
    if (!willRetry)
        return; // the end of the cycle reports it
    // Quiet: the engine retries with backoff. Only a long outage is shown as an error.
    if (!m_offlineSince.isValid())
        m_offlineSince = QDateTime::currentDateTimeUtc();
    m_lastError = error;
    m_lastErrorTransient = true;
    m_running = false;
    publish();
}

void SyncScheduler::onFinished(const SyncSummary &summary)
{
    m_running = false;
    if (m_upload.total >= 0) {
        m_upload = Transfer {0, -1, {}};
        updateTransfers();
    }
    m_pulled = std::max(m_pulled, summary.cursor);
    if (summary.ok) {
        m_offlineSince = {};
        m_lastError = {};
        fetchMissingFiles();
        m_overview.lastSync = QDateTime::currentDateTimeUtc();
        m_store->store().setSetting(kLastSyncKey,
                                    QString::number(m_overview.lastSync.toMSecsSinceEpoch()));
        if (summary.sent > 0 || summary.received > 0)
            log(ActivityEntry::Kind::Synced,
                tr("Synced: sent %1, received %2.")
                    .arg(QLocale().toString(summary.sent), QLocale().toString(summary.received)));
        if (summary.rejected > 0) {
            const QString text = summary.rejected == 1
                ? tr("The server refused a change; it is kept on this computer. Edit the "
                     "record to try again.")
                : tr("The server refused %1 changes; they are kept on this computer. Edit "
                     "the records to try again.")
                      .arg(QLocale().toString(summary.rejected));
            log(ActivityEntry::Kind::Failed, text);
            Q_EMIT attentionNeeded(text);
        }
        for (const QString &held : summary.heldBack) {
            log(ActivityEntry::Kind::Failed, held);
            Q_EMIT attentionNeeded(held);
        }
    } else if (summary.error.code != QLatin1String("cancelled")) {
        m_lastError = summary.error;
        m_lastErrorTransient = summary.error.code == QLatin1String("network")
            || summary.error.code == QLatin1String("timeout");
        if (m_lastErrorTransient && !m_offlineSince.isValid())
            m_offlineSince = QDateTime::currentDateTimeUtc();
        log(ActivityEntry::Kind::Failed, summary.error.message);
        if (!m_lastErrorTransient)
            Q_EMIT attentionNeeded(summary.error.message);
    }
    // Merges committed before a failure happened all the same.
    for (const AutoMerge &merge : summary.merges)
        log(ActivityEntry::Kind::Synced, describe(merge));
    refreshCounts();
    const qint64 fresh = m_overview.conflicts - m_knownConflicts;
    if (fresh > 0) {
        log(ActivityEntry::Kind::Conflicts,
            fresh == 1 ? tr("A record changed here and elsewhere needs a decision.")
                       : tr("%1 records changed here and elsewhere need a decision.")
                             .arg(QLocale().toString(fresh)));
        Q_EMIT conflictsAppeared(int(fresh));
    }
    m_knownConflicts = m_overview.conflicts;
    publish();
    Q_EMIT syncFinished(summary);
    if (summary.ok)
        onSequenceAnnounced(m_announced); // announced while this cycle ran
}

void SyncScheduler::refreshCounts()
{
    Result<qint64> pending = m_store->store().unsyncedCount();
    Result<qint64> conflicts = m_store->store().conflictCount();
    m_overview.pending = pending ? pending.value() : 0;
    m_overview.conflicts = conflicts ? conflicts.value() : 0;
}

void SyncScheduler::publish()
{
    SyncOverview next = m_overview;
    next.message.clear();
    const bool longOffline = m_offlineSince.isValid()
        && m_offlineSince.msecsTo(QDateTime::currentDateTimeUtc()) >= m_offlineGrace.count();
    // A sync asked for while paused still shows as syncing until it ends.
    if (m_running) {
        next.state = SyncOverview::State::Syncing;
    } else if (!m_config.isComplete()) {
        next.state = SyncOverview::State::SignedOut;
        next.message = tr("Sign in from Settings to sync; your records are kept here.");
    } else if (m_paused) {
        next.state = SyncOverview::State::Paused;
    } else if (!m_lastError.code.isEmpty() && (!m_lastErrorTransient || longOffline)) {
        next.state = SyncOverview::State::Error;
        next.message = m_lastErrorTransient
            ? tr("The server at %1 has not answered since %2. Your changes are safe here; check "
                 "the "
                 "network or the server.")
                  .arg(m_config.server.toDisplayString(),
                       QLocale().toString(m_offlineSince.toLocalTime(), QLocale::ShortFormat))
            : m_lastError.message;
    } else if (!m_lastError.code.isEmpty()) {
        next.state = SyncOverview::State::Offline;
        next.message
            = tr("Cannot reach the server; Ferry keeps trying. Your changes are saved here.");
    } else if (next.conflicts > 0) {
        next.state = SyncOverview::State::Conflicts;
    } else if (next.pending > 0) {
        next.state = SyncOverview::State::Waiting; // never "Synced" beside "1 change waiting"
    } else {
        next.state = SyncOverview::State::Synced;
    }
    if (!m_running) {
        next.done = 0;
        next.total = -1;
    }
    m_overview = next;
    if (next == m_published)
        return;
    m_published = next;
    Q_EMIT overviewChanged(next);
}

void SyncScheduler::log(ActivityEntry::Kind kind, const QString &text)
{
    ActivityEntry entry {QDateTime::currentDateTime(), kind, text};
    m_activity.append(entry);
    if (m_activity.size() > kActivityKept)
        m_activity.removeFirst();
    Q_EMIT activityAdded(entry);
}

} // namespace Ferry
