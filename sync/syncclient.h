#pragma once

#include "syncengine.h"

#include <QObject>
#include <QThread>

namespace Ferry {

// The owner's side of the sync engine: starts a SyncEngine on a worker thread of its own and
// relays between them with queued calls and signals, so the caller (the GUI thread, or
// ferry-cli's main thread) never blocks on the network or on the engine's database work.
// Create and use it on one thread.
class SyncClient : public QObject
{
    Q_OBJECT

public:
    SyncClient(const QString &storePath, const Schema &schema, QObject *parent = nullptr);
    ~SyncClient() override;

    void setConfig(const SyncConfig &config);
    void setRetryPolicy(const RetryPolicy &policy);
    void setPullPageSize(int records);
    void syncNow();
    void stop();
    // See SyncEngine::fetchBlob() and cancelFetch().
    void fetchBlob(const QString &blob);
    void cancelFetch(const QString &blob);

Q_SIGNALS:
    void started(const Ferry::Error &error);
    void stateChanged(Ferry::SyncState state);
    void progress(const Ferry::SyncProgress &progress);
    void changesCommitted(const Ferry::ChangeSet &change);
    void errorOccurred(const Ferry::Error &error, bool willRetry);
    void syncFinished(const Ferry::SyncSummary &summary);
    void blobProgress(const Ferry::SyncProgress &progress);
    void blobFetchProgress(const QString &blob, qint64 done, qint64 total);
    void blobFetched(const QString &blob, const Ferry::Error &error);

private:
    QThread m_thread;
    SyncEngine *m_engine = nullptr;
};

} // namespace Ferry
