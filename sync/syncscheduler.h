#pragma once

#include "datastore.h"
#include "syncclient.h"
#include "syncoverview.h"

#include <QDateTime>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <memory>

namespace Ferry {

class NotifyChannel;

// One line of the activity log: what a sync did, or why it could not.
struct ActivityEntry
{
    enum class Kind { Synced, Failed, Conflicts, Info };
    QDateTime at;
    Kind kind = Kind::Info;
    QString text;
};

// Decides when to sync and keeps the person informed. Owns the SyncClient (the engine on
// its worker thread) and starts a cycle: shortly after local edits (debounced), on a timer,
// when the network comes back, when the server announces a change not pulled yet
// (NotifyChannel; while its socket is down the timer is the poll), and when asked (the
// Sync button). Transient failures stay quiet (Offline, retried with backoff by the
// engine); a refused sign-in, a refused change or a server gone for long becomes Error
// with a sentence saying what to do. Publishes a SyncOverview for the status bar and the
// tray, and an activity log. GUI thread.
class SyncScheduler : public QObject
{
    Q_OBJECT

public:
    // Files fetched at once to keep every file of the workspace here (setKeepAllFiles()).
    static constexpr int kKeptFilesAtOnce = 4;

    SyncScheduler(DataStore *store, const QString &storePath, QObject *parent = nullptr);
    ~SyncScheduler() override;

    void setConfig(const SyncConfig &config);
    SyncConfig config() const { return m_config; }
    void setInterval(std::chrono::milliseconds interval);
    void setDebounce(std::chrono::milliseconds delay);
    // How long the server may stay unreachable before that is shown as an error.
    void setOfflineGrace(std::chrono::milliseconds grace);
    void setRetryPolicy(const RetryPolicy &policy);
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }

    SyncOverview overview() const { return m_published; }
    QList<ActivityEntry> activity() const { return m_activity; }
    // The live-update socket (for its backoff and keep-alive settings).
    NotifyChannel *notifyChannel() const { return m_notify.get(); }
    // Syncs started because the server announced a change.
    int notifiedSyncs() const { return m_notifiedSyncs; }

    // Fetches the bytes of file `blob` into the profile (SyncEngine::fetchBlob()); ends with
    // fileFetched(). Asked again while under way, it only waits for the same download.
    void fetchFile(const QString &blob);
    void cancelFetch(const QString &blob);
    bool isFetching(const QString &blob) const { return m_downloads.contains(blob); }
    // Keep every file of the workspace on this device: after each sync, fetch those not here
    // yet, one at a time, up to `maxBytes` each (as the record's size field says; 0: any).
    void setKeepAllFiles(bool keep, qint64 maxBytes = 0);
    bool keepsAllFiles() const { return m_keepAllFiles; }

public Q_SLOTS:
    // Syncs now, even while paused (the person asked).
    void syncNow();

Q_SIGNALS:
    void overviewChanged(const Ferry::SyncOverview &overview);
    void activityAdded(const Ferry::ActivityEntry &entry);
    void syncFinished(const Ferry::SyncSummary &summary);
    // New conflicts appeared (count of the new ones), and errors that need the person.
    void conflictsAppeared(int count);
    void attentionNeeded(const QString &message);
    void fileFetchProgress(const QString &blob, qint64 done, qint64 total);
    // error.code empty: the bytes are in the profile's content store.
    void fileFetched(const QString &blob, const Ferry::Error &error);

private:
    void onLocalChange(const ChangeSet &change);
    void onStateChanged(SyncState state);
    void onProgress(const SyncProgress &progress);
    void onError(const Error &error, bool willRetry);
    void onFinished(const SyncSummary &summary);
    void onReachabilityChanged();
    void onSequenceAnnounced(qint64 seq);
    void onLiveChanged(bool live);
    void automaticSync();
    void refreshCounts();
    void publish();
    void log(ActivityEntry::Kind kind, const QString &text);
    void onFileSendProgress(const SyncProgress &progress);
    void onFetchProgress(const QString &blob, qint64 done, qint64 total);
    void onFetched(const QString &blob, const Error &error);
    void updateTransfers();
    void fetchMissingFiles();
    void fetchMoreKeptFiles();

    DataStore *m_store;
    std::unique_ptr<SyncClient> m_client;
    std::unique_ptr<NotifyChannel> m_notify;
    qint64 m_pulled = 0; // the pull cursor after the last cycle
    qint64 m_announced = 0; // the highest sequence the server announced
    int m_notifiedSyncs = 0;
    SyncConfig m_config;
    QTimer m_debounce;
    QTimer m_interval;
    bool m_paused = false;
    bool m_running = false;
    QDateTime m_offlineSince;
    std::chrono::milliseconds m_offlineGrace = std::chrono::minutes(30);
    Error m_lastError;
    bool m_lastErrorTransient = false;
    qint64 m_knownConflicts = 0;
    SyncOverview m_overview; // the current picture, kept up to date
    SyncOverview m_published; // what views were last told
    QList<ActivityEntry> m_activity;

    struct Transfer
    {
        qint64 done = 0;
        qint64 total = -1;
        QDateTime started;
    };
    QHash<QString, Transfer> m_downloads; // by blob
    Transfer m_upload; // files of the batch being sent; total -1 when none
    QTimer m_transferShown; // a transfer is shown once it has lasted a second
    bool m_keepAllFiles = false;
    qint64 m_keepAllMaxBytes = 0;
    QStringList m_autoFetch; // files to keep here, not asked for yet
    QSet<QString> m_autoFetching; // at most kKeptFilesAtOnce
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::ActivityEntry)
