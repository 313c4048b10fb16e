#include "syncengine.h"

#include "accountanswers.h"

#include "blobstore.h"
#include "blobtransfer.h"
#include "pagewriter.h"
#include "threadpriority.h"
#include "transport.h"
#include "wire.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRandomGenerator>
#include <QThread>
#include <QTimer>
#include <QUrlQuery>

namespace Ferry {

namespace {

constexpr int kTransferTimeoutMs = 60 * 1000;

void registerTypes()
{
    qRegisterMetaType<Ferry::SyncConfig>();
    qRegisterMetaType<Ferry::SyncState>();
    qRegisterMetaType<Ferry::SyncProgress>();
    qRegisterMetaType<Ferry::SyncSummary>();
    qRegisterMetaType<Ferry::RetryPolicy>();
    qRegisterMetaType<Ferry::Error>();
    qRegisterMetaType<Ferry::ChangeSet>();
    qRegisterMetaType<QList<Ferry::ChangeSet>>();
    qRegisterMetaType<QList<Ferry::AutoMerge>>();
    qRegisterMetaType<Ferry::Wire::PullPage>();
}

} // namespace

QString stateName(SyncState state)
{
    switch (state) {
    case SyncState::Idle:
        return QStringLiteral("idle");
    case SyncState::Sending:
        return QStringLiteral("sending");
    case SyncState::Receiving:
        return QStringLiteral("receiving");
    case SyncState::Retrying:
        return QStringLiteral("retrying");
    case SyncState::Failed:
        return QStringLiteral("failed");
    }
    return {};
}

SyncEngine::SyncEngine(QString storePath, Schema schema, QObject *parent)
    : QObject(parent)
    , m_storePath(std::move(storePath))
    , m_schema(std::move(schema))
{
    registerTypes();
}

SyncEngine::~SyncEngine()
{
    if (m_writerThread) {
        m_writerThread->quit();
        m_writerThread->wait();
    }
}

void SyncEngine::start()
{
    Result<std::unique_ptr<LocalStore>> store = LocalStore::open(m_storePath, m_schema);
    if (!store) {
        Q_EMIT started(store.error());
        return;
    }
    m_store = std::move(store).value();
    m_transport = new Transport(this);
    m_transport->setServer(m_config.server, m_config.token, m_config.trustedFingerprint);
    m_retryTimer = new QTimer(this);
    m_retryTimer->setSingleShot(true);
    connect(m_retryTimer, &QTimer::timeout, this, &SyncEngine::beginCycle);

    m_writerThread = new QThread(this);
    m_writerThread->setObjectName(QStringLiteral("ferry-sync-writer"));
    m_writer = new PageWriter(m_storePath, m_schema);
    m_writer->moveToThread(m_writerThread);
    connect(m_writerThread, &QThread::finished, m_writer, &QObject::deleteLater);
    connect(m_writer, &PageWriter::applied, this, &SyncEngine::onPageApplied);
    connect(m_writer, &PageWriter::failed, this, &SyncEngine::onPageFailed);
    runBelowInteractive(*m_writerThread);
    m_writerThread->start();
    Q_EMIT started(Error {});
}

void SyncEngine::setConfig(const SyncConfig &config)
{
    m_config = config;
    if (m_transport)
        m_transport->setServer(config.server, config.token, config.trustedFingerprint);
}

void SyncEngine::setRetryPolicy(const RetryPolicy &policy)
{
    m_retry = policy;
}

void SyncEngine::setPullPageSize(int records)
{
    m_pageSize = qBound(1, records, Wire::kMaxPullLimit);
}

void SyncEngine::syncNow()
{
    if (m_running && m_retryTimer && m_retryTimer->isActive()) {
        // Asked again while waiting to retry: try now instead of at the end of the backoff.
        m_retryTimer->stop();
        m_failures = 0;
        beginCycle();
        return;
    }
    if (m_running) {
        m_again = true;
        return;
    }
    m_running = true;
    m_again = false;
    m_failures = 0;
    m_summary = SyncSummary {};
    ++m_generation;
    m_pagesOutstanding = 0;
    m_pageError.reset();
    m_afterDrain = nullptr;
    m_clock.start();
    beginCycle();
}

void SyncEngine::stop()
{
    m_again = false;
    if (m_retryTimer)
        m_retryTimer->stop();
    abortRequest();
    ++m_generation; // pages still being stored finish, but no longer count for this cycle
    m_afterDrain = nullptr;
    if (m_running)
        finishCycle(false,
                    Error {QStringLiteral("cancelled"), QStringLiteral("Syncing was stopped.")});
}

void SyncEngine::fetchBlob(const QString &blob)
{
    if (m_downloads.contains(blob))
        return;
    if (!m_transport || !m_config.isComplete() || m_config.blobFolder.isEmpty()) {
        Q_EMIT blobFetched(blob,
                           Error {QStringLiteral("not_configured"),
                                  tr("No server is set up to fetch files from.")});
        return;
    }
    if (!BlobStore::isBlobId(blob)) {
        Q_EMIT blobFetched(blob,
                           Error {QStringLiteral("invalid_request"),
                                  tr("\"%1\" is not a file's id.").arg(blob.left(80))});
        return;
    }
    auto *download = new BlobTransfer(m_transport, m_config.workspace, this);
    m_downloads.insert(blob, download);
    connect(download, &BlobTransfer::progress, this, [this, blob](qint64 done, qint64 total) {
        Q_EMIT blobFetchProgress(blob, done, total);
    });
    connect(download, &BlobTransfer::finished, this,
            [this, blob, download](const Error &error, bool) {
                download->deleteLater();
                m_downloads.remove(blob);
                Q_EMIT blobFetched(blob, error);
            });
    download->download(m_config.blobFolder, blob);
}

void SyncEngine::cancelFetch(const QString &blob)
{
    BlobTransfer *download = m_downloads.take(blob);
    if (!download)
        return;
    download->disconnect(this);
    download->cancel();
    download->deleteLater();
    Q_EMIT blobFetched(blob, Error {QStringLiteral("cancelled"), tr("The download was stopped.")});
}

void SyncEngine::abortRequest()
{
    if (BlobTransfer *uploads = m_uploads.data()) {
        m_uploads = nullptr;
        uploads->disconnect(this);
        uploads->cancel();
        uploads->deleteLater();
    }
    if (QNetworkReply *reply = m_inFlight.data()) {
        m_inFlight = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
}

void SyncEngine::whenDrained(std::function<void()> next)
{
    if (m_pagesOutstanding == 0) {
        next();
        return;
    }
    if (!m_afterDrain)
        m_afterDrain = std::move(next);
}

void SyncEngine::setState(SyncState state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void SyncEngine::beginCycle()
{
    if (!m_store) {
        finishCycle(false,
                    Error {QStringLiteral("not_started"),
                           QStringLiteral("The sync engine has not started.")});
        return;
    }
    if (!m_config.isComplete()) {
        finishCycle(false,
                    Error {QStringLiteral("not_configured"),
                           QStringLiteral("No server is set up for this profile. Sign in first.")});
        return;
    }
    // A store pointed at another workspace starts that workspace's history from its
    // beginning. Its cursor belongs to the old one: taken for a server that lost history,
    // it would send every record of the old workspace to the new one.
    if (Status s = m_store->followWorkspace(m_config.workspace); !s) {
        finishCycle(false, s.error());
        return;
    }
    m_pullDone = false;
    Result<qint64> pending = m_store->unsyncedCount();
    m_progress = SyncProgress {SyncProgress::Sending, 0, pending ? pending.value() : -1};
    pushNext();
}

QNetworkReply *SyncEngine::send(const QString &method, const QString &path, const QByteArray &body)
{
    Transport::Call call;
    call.method = method.toLatin1();
    call.path = path;
    call.body = body;
    call.idleTimeoutMs = kTransferTimeoutMs;
    call.maxAnswerBytes = Wire::kMaxAnswerBytes; // past any real page
    return m_transport->send(call);
}

namespace {

QString historyQuery(const Wire::HistoryCheck &seen)
{
    QString query = QStringLiteral("known=%1").arg(seen.seq);
    if (!seen.check.isEmpty())
        query += QStringLiteral("&check=") + seen.check;
    return query;
}

} // namespace

Error SyncEngine::replyError(QNetworkReply *reply, bool *transient) const
{
    const Error error = m_transport->error(reply, transient);
    if (error.code == QLatin1String("forbidden"))
        return Error {QStringLiteral("forbidden"),
                      QStringLiteral("This account may not use the workspace \"%1\" on %2.")
                          .arg(m_config.workspace, m_config.server.toDisplayString())};
    return error;
}

void SyncEngine::failRequest(const Error &error, bool transient)
{
    if (m_pagesOutstanding > 0) {
        // Let the pages already received be stored first, so a retry resumes after them.
        whenDrained([this, error, transient] { failRequest(error, transient); });
        return;
    }
    const bool canRetry = transient && (m_retry.attempts <= 0 || m_failures + 1 < m_retry.attempts);
    if (!canRetry) {
        finishCycle(false, error);
        return;
    }
    ++m_failures;
    const double exponential
        = double(m_retry.initialDelayMs) * double(1 << std::min(m_failures - 1, 20));
    const double capped = std::min(exponential, double(m_retry.maxDelayMs));
    const double jittered = capped * (0.5 + QRandomGenerator::global()->generateDouble());
    setState(SyncState::Retrying);
    Q_EMIT errorOccurred(error, true);
    m_retryTimer->start(int(jittered));
}

void SyncEngine::emitChanges(const QList<ChangeSet> &changes)
{
    for (const ChangeSet &change : changes)
        Q_EMIT changesCommitted(change);
}

void SyncEngine::pushNext()
{
    // While comparing with a server that lost history, nothing is pushed (nor put in the
    // outbox): this device's bases may be ahead of the server's records.
    const bool recovering = m_store->recovering();
    if (!recovering && m_store->filesCheckPending()) {
        sendLostFiles();
        return;
    }
    Result<OutgoingBatch> batch
        = recovering ? OutgoingBatch() : m_store->nextBatch(kPushBatch, m_heldFiles);
    if (!batch) {
        finishCycle(false, batch.error());
        return;
    }
    m_batch = std::move(batch).value();
    if (m_batch.isEmpty()) {
        m_pullBase = m_store->pullBase();
        m_check = m_store->cursorCheck();
        m_seen = m_store->seenHistory();
        requestPage(m_store->cursor(), true);
        return;
    }
    setState(SyncState::Sending);
    Q_EMIT progress(m_progress);
    sendBlobsThenBatch();
}

QStringList SyncEngine::blobsToSend() const
{
    QStringList blobs;
    if (m_config.blobFolder.isEmpty())
        return blobs;
    for (auto it = m_batch.pushed.constBegin(); it != m_batch.pushed.constEnd(); ++it) {
        const QJsonObject sent = it.value().toObject();
        const EntityDef *entity = m_schema.entity(sent.value(QStringLiteral("entity")).toString());
        if (!entity)
            continue;
        const QJsonObject values = sent.value(QStringLiteral("values")).toObject();
        for (auto v = values.constBegin(); v != values.constEnd(); ++v) {
            const FieldDef *field = entity->field(v.key());
            // Bytes this device holds; a blob it only knows by id is another device's to send.
            if (field && field->type == FieldType::Blob
                && BlobStore::has(m_config.blobFolder, v.value().toString()))
                blobs.append(v.value().toString());
        }
    }
    blobs.removeDuplicates();
    return blobs;
}

void SyncEngine::sendLostFiles()
{
    // The server was put back to a backup: files uploaded after it are gone from it, while
    // records that name them may have come back whole, or never left. Every file this device
    // holds that a live record names, or that it once gave the workspace (a record naming it
    // may come back from another device), goes up again if the server lacks it.
    QStringList blobs;
    if (!m_config.blobFolder.isEmpty()) {
        const Result<QHash<QString, qint64>> named = m_store->fileReferences();
        const Result<QStringList> sent = m_store->sentFiles();
        if (!named || !sent) {
            finishCycle(false, named ? sent.error() : named.error());
            return;
        }
        QStringList candidates = named->keys() + sent.value();
        candidates.removeDuplicates();
        for (const QString &blob : std::as_const(candidates)) {
            if (BlobStore::has(m_config.blobFolder, blob))
                blobs.append(blob);
        }
    }
    const auto done = [this] {
        if (Status s = m_store->setFilesChecked(); !s) {
            finishCycle(false, s.error());
            return;
        }
        pushNext();
    };
    if (blobs.isEmpty()) {
        done();
        return;
    }
    setState(SyncState::Sending);
    uploadThen(blobs, done);
}

void SyncEngine::uploadThen(const QStringList &blobs, std::function<void()> next, bool forBatch)
{
    auto *uploads = new BlobTransfer(m_transport, m_config.workspace, this);
    m_uploads = uploads;
    connect(uploads, &BlobTransfer::progress, this, [this](qint64 done, qint64 total) {
        Q_EMIT blobProgress(SyncProgress {SyncProgress::Sending, done, total});
    });
    // Uploads are not in the history of pushes: the server's log of them is checked on its
    // own. A lost upload has every file checked before the next push (sendLostFiles).
    const auto keep = [this, uploads](const Status &s) {
        if (s || m_uploads != uploads)
            return;
        // Not written down, the loss would be forgotten: the cycle ends here.
        m_uploads = nullptr;
        uploads->cancel();
        uploads->deleteLater();
        finishCycle(false, s.error());
    };
    connect(uploads, &BlobTransfer::uploaded, this, [this, keep](const QString &blob) {
        ++m_summary.blobsSent;
        keep(m_store->noteFilesSent({blob}));
    });
    connect(uploads, &BlobTransfer::filesLost, this,
            [this, keep] { keep(m_store->setFilesLost()); });
    connect(uploads, &BlobTransfer::filesToken, this,
            [this, keep](const QString &token) { keep(m_store->setFilesToken(token)); });
    connect(uploads, &BlobTransfer::finished, this,
            [this, uploads, forBatch, blobs, next = std::move(next)](const Error &error,
                                                                     bool transient) {
                uploads->deleteLater();
                if (m_uploads != uploads)
                    return;
                m_uploads = nullptr;
                if (forBatch && error.code == QLatin1String("too_large")
                    && !uploads->currentUpload().isEmpty()) {
                    holdBackFile(uploads->currentUpload(), error);
                    return;
                }
                if (!error.code.isEmpty()) {
                    failRequest(error, transient);
                    return;
                }
                // Every one is on the server now; those it had already may be this device's
                // own upload whose answer was lost, so they count as given too.
                if (Status s = m_store->noteFilesSent(blobs); !s) {
                    finishCycle(false, s.error());
                    return;
                }
                next();
            });
    uploads->upload(m_config.blobFolder, blobs, m_store->filesToken());
}

void SyncEngine::sendBlobsThenBatch()
{
    // A record goes to the server only once the bytes of the files it names are there: a
    // device that pulled it must be able to open them.
    const QStringList blobs = m_blobsSentFor == m_batch.id ? QStringList() : blobsToSend();
    if (blobs.isEmpty()) {
        sendBatch();
        return;
    }
    uploadThen(
        blobs,
        [this] {
            m_blobsSentFor = m_batch.id;
            sendBatch();
        },
        true);
}

void SyncEngine::holdBackFile(const QString &blob, const Error &error)
{
    // The batch was never sent (its files go first): it is built again without the records
    // that name this file, and the rest of the cycle goes on.
    m_heldFiles.insert(blob);
    QStringList names;
    for (auto it = m_batch.pushed.constBegin(); it != m_batch.pushed.constEnd(); ++it) {
        const QJsonObject sent = it.value().toObject();
        const EntityDef *entity = m_schema.entity(sent.value(QStringLiteral("entity")).toString());
        const QJsonObject values = sent.value(QStringLiteral("values")).toObject();
        if (!entity)
            continue;
        for (const FieldDef &field : entity->fields) {
            if (field.type != FieldType::Blob || values.value(field.name).toString() != blob)
                continue;
            const QString name = values.value(field.fileNameField).toString();
            names.append(name.isEmpty() ? it.key() : name);
        }
    }
    names.removeDuplicates();
    const Error held {error.code,
                      tr("%1 The record that holds %2 stays on this device, not sent, until it "
                         "holds a smaller file.")
                          .arg(error.message, names.join(QStringLiteral(", ")))};
    m_summary.heldBack.append(held.message);
    Q_EMIT errorOccurred(held, false);
    if (Status s = m_store->dropBatch(m_batch.id); !s) {
        finishCycle(false, s.error());
        return;
    }
    m_blobsSentFor.clear();
    pushNext();
}

void SyncEngine::sendBatch()
{
    // The bases in this batch are revisions of the history named here.
    QString path = QStringLiteral("/v1/workspaces/%1/push").arg(m_config.workspace);
    if (const Wire::HistoryCheck seen = m_store->seenHistory(); seen.seq > 0)
        path += QLatin1Char('?') + historyQuery(seen);
    QNetworkReply *reply = send(QStringLiteral("POST"), path, m_batch.body);
    m_inFlight = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPushReply(reply); });
}

void SyncEngine::recoverHistory(const Error &error)
{
    // Pages received before the refusal are stored first; then everything is compared.
    whenDrained([this, error] {
        if (Status s = m_store->beginRecovery(); !s) {
            finishCycle(false, s.error());
            return;
        }
        m_recovering = true;
        Q_EMIT errorOccurred(
            Error {error.code,
                   error.message
                       + QStringLiteral(" Ferry is comparing this device's records with the "
                                        "server's: what the server no longer has is sent "
                                        "again, and records that differ become conflicts for "
                                        "you to decide.")},
            true);
        m_pullBase = 0;
        m_check.clear();
        m_seen = {};
        m_pullDone = false;
        requestPage(0, true);
    });
}

std::optional<QByteArray> SyncEngine::takeReply(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_inFlight)
        return std::nullopt; // cancelled meanwhile
    m_inFlight = nullptr;
    if (Transport::succeeded(reply))
        return reply->readAll();
    bool transient = false;
    const Error error = replyError(reply, &transient);
    if (error.code == QLatin1String("history_mismatch")) {
        recoverHistory(error);
        return std::nullopt;
    }
    if (error.code == QLatin1String("batch_mismatch")) {
        // The batch cannot be sent again as it is: forget it and build a new one.
        m_store->dropBatch(m_batch.id);
        transient = true;
    }
    failRequest(error, transient);
    return std::nullopt;
}

void SyncEngine::onPushReply(QNetworkReply *reply)
{
    const std::optional<QByteArray> body = takeReply(reply);
    if (!body)
        return;
    Result<Wire::PushResponse> response = Wire::parsePushResponse(*body);
    if (response && response->results.size() != m_batch.pushed.size())
        response = Error {QStringLiteral("bad_response"),
                          QStringLiteral("The server answered %1 results for a push of %2 records.")
                              .arg(response->results.size())
                              .arg(m_batch.pushed.size())};
    if (!response) {
        // Nothing of the answer is applied: the batch stays and is sent again next time.
        failRequest(response.error(), false);
        return;
    }
    m_failures = 0;
    QList<ChangeSet> changes;
    QStringList problems;
    QList<AutoMerge> merges;
    if (Status s
        = m_store->applyPushResponse(m_batch, response.value(), &changes, &problems, &merges);
        !s) {
        finishCycle(false, s.error());
        return;
    }
    // Deferred records are still to send: the next batch carries them, in this same cycle.
    const auto answered = std::count_if(
        response->results.cbegin(), response->results.cend(),
        [](const Wire::MutationResult &r) { return r.status != Wire::PushStatus::Deferred; });
    m_summary.sent += answered;
    m_summary.rejected += problems.size();
    m_summary.merges += merges;
    for (const QString &problem : std::as_const(problems))
        Q_EMIT errorOccurred(Error {QStringLiteral("rejected"),
                                    QStringLiteral("The server refused %1").arg(problem)},
                             false);
    m_progress.done += answered;
    Q_EMIT progress(m_progress);
    emitChanges(changes);
    pushNext();
}

void SyncEngine::requestPage(qint64 since, bool withCount)
{
    setState(SyncState::Receiving);
    m_pageSince = since;
    if (withCount)
        m_progress = SyncProgress {SyncProgress::Receiving, 0, -1};
    QString path = QStringLiteral("/v1/workspaces/%1/pull?since=%2&limit=%3&from=%4")
                       .arg(m_config.workspace)
                       .arg(since)
                       .arg(m_pageSize)
                       .arg(std::min(m_pullBase, since));
    if (withCount) {
        path += QStringLiteral("&count=1");
        // Uploads are not in the history of pushes: the last one is named on its own.
        if (const QString files = m_store->filesToken(); !files.isEmpty())
            path += QStringLiteral("&files=") + files;
    }
    if (m_seen.seq > since) // revisions from a push of this device the pull has not reached
        path += QLatin1Char('&') + historyQuery(m_seen);
    else if (since > 0 && !m_check.isEmpty())
        path += QStringLiteral("&check=") + m_check;
    QNetworkReply *reply = send(QStringLiteral("GET"), path);
    m_inFlight = reply;
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPullReply(reply); });
}

void SyncEngine::onPullReply(QNetworkReply *reply)
{
    const std::optional<QByteArray> body = takeReply(reply);
    if (!body)
        return;
    Result<Wire::PullPage> page = Wire::parsePullPage(*body);
    // A cursor that goes back (or stays put while there is "more") would loop for ever.
    if (page && (page->cursor < m_pageSince || (page->more && page->cursor == m_pageSince)))
        page = Error {QStringLiteral("bad_response"),
                      QStringLiteral("The server's pull cursor did not move forward (from %1 "
                                     "to %2).")
                          .arg(m_pageSince)
                          .arg(page->cursor)};
    if (!page) {
        failRequest(page.error(), false);
        return;
    }
    m_failures = 0;
    if (page->total >= 0)
        m_progress.total = page->total;
    if (!page->cursorCheck.isEmpty())
        m_check = page->cursorCheck;
    else if (page->cursor != m_pageSince)
        m_check.clear(); // a server that cannot name that history: nothing to check
    if (page->filesLost) {
        // The server lost an upload of this device: its files are checked, in this sync.
        if (Status s = m_store->setFilesLost(); !s) {
            failRequest(s.error(), false);
            return;
        }
        m_again = true;
    }
    // The head this page named is checked from the next page on (see Wire::PullPage::head).
    if (page->more && page->head.seq > std::max(m_seen.seq, page->cursor))
        m_seen = page->head;
    // Ask for the next page now: the server prepares it while the writer stores this one.
    if (page->more)
        requestPage(page->cursor, false);
    else
        m_pullDone = true;
    ++m_pagesOutstanding;
    QMetaObject::invokeMethod(
        m_writer,
        [writer = m_writer, generation = m_generation, received = std::move(page).value()] {
            writer->apply(received, generation);
        },
        Qt::QueuedConnection);
}

void SyncEngine::onPageApplied(quint64 generation, const QList<ChangeSet> &changes, qint64 received,
                               qint64 cursor, const QList<AutoMerge> &merges)
{
    if (generation != m_generation)
        return;
    --m_pagesOutstanding;
    m_summary.received += received;
    m_summary.merges += merges;
    m_summary.cursor = cursor;
    m_progress.done += received;
    Q_EMIT progress(m_progress);
    emitChanges(changes);
    pageSettled();
}

void SyncEngine::onPageFailed(quint64 generation, const Error &error)
{
    if (generation != m_generation)
        return;
    --m_pagesOutstanding;
    if (!m_pageError) {
        m_pageError = error;
        abortRequest(); // no further pages for this cycle
    }
    pageSettled();
}

void SyncEngine::pageSettled()
{
    if (m_pagesOutstanding > 0)
        return;
    if (m_pageError) {
        m_afterDrain = nullptr;
        finishCycle(false, *m_pageError);
        return;
    }
    if (m_afterDrain) {
        std::exchange(m_afterDrain, nullptr)();
        return;
    }
    if (!m_pullDone || m_inFlight)
        return;
    if (m_recovering && !m_store->recovering()) {
        // The comparison is done: send what the server lost in this same sync.
        m_recovering = false;
        m_again = true;
    }
    if (m_again) {
        // Edits made while this cycle ran: send them now rather than at the next trigger.
        m_again = false;
        beginCycle();
        return;
    }
    finishCycle(true);
}

void SyncEngine::finishCycle(bool ok, const Error &error)
{
    if (!m_running)
        return;
    m_running = false;
    m_summary.ok = ok;
    m_summary.error = error;
    m_summary.elapsedMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    if (m_store) {
        Result<QList<Conflict>> open = m_store->conflicts();
        m_summary.conflicts = open ? open->size() : 0;
        m_summary.cursor = m_store->cursor();
    }
    setState(ok ? SyncState::Idle : SyncState::Failed);
    if (!ok)
        Q_EMIT errorOccurred(error, false);
    Q_EMIT syncFinished(m_summary);
    if (m_again) {
        m_again = false;
        syncNow();
    }
}

} // namespace Ferry
