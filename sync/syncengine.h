#pragma once

#include "localstore.h"
#include "records.h"
#include "result.h"
#include "schema.h"

#include <QElapsedTimer>
#include <QHash>
#include <QMetaType>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class QThread;
class QNetworkReply;
class QTimer;

namespace Ferry {

class BlobTransfer;
class PageWriter;
class Transport;

// Where to sync: a server, the device's token and the workspace.
struct SyncConfig
{
    QUrl server;
    QString token;
    QString workspace;
    // SHA-256 of the one certificate trusted beyond the system's CAs ("AB:CD:…"), or empty:
    // a self-signed server the person chose to trust (sync/tlstrust.h).
    QString trustedFingerprint = {};
    // The profile's content store (BlobStore): files a record names are sent from here
    // before the record, and fetched into it. Empty: no files are sent.
    QString blobFolder = {};
    bool isComplete() const { return server.isValid() && !token.isEmpty() && !workspace.isEmpty(); }
};

enum class SyncState { Idle, Sending, Receiving, Retrying, Failed };
QString stateName(SyncState state);

struct SyncProgress
{
    enum Phase { Sending, Receiving };
    Phase phase = Receiving;
    qint64 done = 0;
    qint64 total = -1; // -1: not known
};

// How one sync cycle ended.
struct SyncSummary
{
    bool ok = false;
    Error error; // when !ok
    qint64 sent = 0; // mutations the server answered
    qint64 received = 0; // pulled changes applied
    qint64 conflicts = 0; // conflicts open after the cycle
    qint64 rejected = 0; // mutations the server refused
    qint64 blobsSent = 0; // files uploaded before the records that name them
    // Files the server refused as too large in this cycle: what each message says, and that
    // the records naming them stay on this device.
    QStringList heldBack;
    QList<AutoMerge> merges; // records whose changes here and elsewhere were merged
    qint64 cursor = 0;
    qint64 elapsedMs = 0;
};

// How failures are retried: exponential backoff with jitter, up to `attempts` tries in a
// row (0: no limit, for the desktop app).
struct RetryPolicy
{
    int attempts = 5;
    int initialDelayMs = 250;
    int maxDelayMs = 5 * 60 * 1000;
};

// The sync engine: pushes local changes, then pulls remote ones until caught up. Lives on a
// worker thread of its own (SyncClient sets that up); create it, move it to the thread and
// talk to it only through queued signals and slots. It opens its own store connection and
// network access manager in start(), on that thread. Only value types go in and out.
class SyncEngine : public QObject
{
    Q_OBJECT

public:
    SyncEngine(QString storePath, Schema schema, QObject *parent = nullptr);
    ~SyncEngine() override;

    // Batch and page sizes; the defaults suit both a LAN and a slow line.
    static constexpr int kPushBatch = 1000;
    static constexpr int kPullPage = 5000;

public Q_SLOTS:
    void start();
    void setConfig(const Ferry::SyncConfig &config);
    void setRetryPolicy(const Ferry::RetryPolicy &policy);
    void setPullPageSize(int records);
    // Starts a cycle now, or right after the running one if one is under way.
    void syncNow();
    // Cancels any request in flight and any pending retry; a cycle in flight ends failed.
    void stop();
    // Downloads the bytes of blob `blob` into the blob folder (SyncConfig::blobFolder), going
    // on from what an earlier attempt left; ends with blobFetched(). Several may run at once,
    // beside sync cycles.
    void fetchBlob(const QString &blob);
    // Stops fetching `blob` (blobFetched() with code "cancelled"); what arrived is kept.
    void cancelFetch(const QString &blob);

Q_SIGNALS:
    void started(const Ferry::Error &error); // error.code empty on success
    void stateChanged(Ferry::SyncState state);
    void progress(const Ferry::SyncProgress &progress);
    void changesCommitted(const Ferry::ChangeSet &change);
    void errorOccurred(const Ferry::Error &error, bool willRetry);
    void syncFinished(const Ferry::SyncSummary &summary);
    // Bytes of files sent before the records that name them (phase Sending).
    void blobProgress(const Ferry::SyncProgress &progress);
    void blobFetchProgress(const QString &blob, qint64 done, qint64 total);
    // error.code empty: the bytes are in the blob folder, checked against the id.
    void blobFetched(const QString &blob, const Ferry::Error &error);

private:
    void beginCycle();
    void pushNext();
    // The body of a finished request, or nothing if it failed (then already handled).
    std::optional<QByteArray> takeReply(QNetworkReply *reply);
    // Blob values of the batch whose bytes this device holds.
    QStringList blobsToSend() const;
    void sendBlobsThenBatch();
    // After a comparison with a server that lost history (LocalStore::filesCheckPending()).
    void sendLostFiles();
    // Sends `blobs`, then calls `next`. `forBatch`: they are m_batch's files, and one the
    // server refuses as too large holds back its records instead of failing the cycle.
    void uploadThen(const QStringList &blobs, std::function<void()> next, bool forBatch = false);
    void holdBackFile(const QString &blob, const Error &error);
    void sendBatch();
    void onPushReply(QNetworkReply *reply);
    void requestPage(qint64 since, bool withCount);
    // The server said it lacks history this device pulled: compare everything with it.
    void recoverHistory(const Error &error);
    void onPullReply(QNetworkReply *reply);
    void onPageApplied(quint64 generation, const QList<Ferry::ChangeSet> &changes, qint64 received,
                       qint64 cursor, const QList<Ferry::AutoMerge> &merges);
    void onPageFailed(quint64 generation, const Ferry::Error &error);
    void pageSettled();
    void abortRequest();
    // Runs `next` now, or once the page writer has stored every page handed to it.
    void whenDrained(std::function<void()> next);
    void finishCycle(bool ok, const Error &error = {});
    void failRequest(const Error &error, bool transient);
    void setState(SyncState state);
    void emitChanges(const QList<ChangeSet> &changes);
    QNetworkReply *send(const QString &method, const QString &path, const QByteArray &body = {});
    Error replyError(QNetworkReply *reply, bool *transient) const;

    QString m_storePath;
    Schema m_schema;
    SyncConfig m_config;
    RetryPolicy m_retry;
    int m_pageSize = kPullPage;
    qint64 m_pageSince = 0; // the cursor the page in flight was asked from
    qint64 m_pullBase = 0; // LocalStore::pullBase() when this pull started
    QString m_check; // the history token of the cursor, sent with the next page request
    Wire::HistoryCheck m_seen; // a push of this device ahead of the cursor, named to pulls
    bool m_recovering = false; // a comparison started by this engine is under way

    std::unique_ptr<LocalStore> m_store;
    Transport *m_transport = nullptr;
    QTimer *m_retryTimer = nullptr;
    QPointer<QNetworkReply> m_inFlight;
    QPointer<BlobTransfer> m_uploads; // the files of m_batch, before it is sent
    QString m_blobsSentFor; // the batch whose files the server has
    // Files the server refused as too large: records naming them stay on this device until
    // they name another file (until the engine starts again, when they are tried once more).
    QSet<QString> m_heldFiles;
    QHash<QString, BlobTransfer *> m_downloads;
    QThread *m_writerThread = nullptr;
    PageWriter *m_writer = nullptr;
    quint64 m_generation = 1; // changes per cycle; results of older cycles are ignored
    int m_pagesOutstanding = 0; // pages handed to the writer, not yet stored
    bool m_pullDone = false; // the last page has been received
    std::optional<Error> m_pageError;
    std::function<void()> m_afterDrain;

    SyncState m_state = SyncState::Idle;
    bool m_running = false;
    bool m_again = false;
    int m_failures = 0;
    OutgoingBatch m_batch;
    SyncSummary m_summary;
    SyncProgress m_progress;
    QElapsedTimer m_clock;
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::SyncConfig)
Q_DECLARE_METATYPE(Ferry::SyncState)
Q_DECLARE_METATYPE(Ferry::SyncProgress)
Q_DECLARE_METATYPE(Ferry::SyncSummary)
Q_DECLARE_METATYPE(Ferry::RetryPolicy)
