#include "blobtransfer.h"

#include "accountanswers.h"
#include "blobstore.h"
#include "transport.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QRegularExpression>

namespace Ferry {

namespace {

constexpr int kIdleTimeoutMs = 60 * 1000;
constexpr qint64 kReadBufferBytes = 4 * 1024 * 1024;
constexpr qint64 kSliceBytes = 64 * 1024;
constexpr qint64 kHashBesideBytes = 4 * 1024 * 1024;

int statusOf(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
}

QString shortId(const QString &blob)
{
    return blob.left(19) + QChar(0x2026);
}

} // namespace

BlobTransfer::BlobTransfer(Transport *transport, QString workspace, QObject *parent)
    : QObject(parent)
    , m_transport(transport)
    , m_workspace(std::move(workspace))
{ }

BlobTransfer::~BlobTransfer()
{
    cancel();
}

QString BlobTransfer::blobPath(const QString &blob) const
{
    return QStringLiteral("/v1/workspaces/%1/blobs/%2")
        .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_workspace)), blob);
}

QString BlobTransfer::withFiles(QString path) const
{
    if (!m_filesToken.isEmpty())
        path += QStringLiteral("?files=") + m_filesToken;
    return path;
}

void BlobTransfer::noteFiles(const Wire::FilesCheck &check)
{
    if (check.lost)
        Q_EMIT filesLost();
    if (!check.head.isEmpty() && (check.lost || check.head != m_filesToken)) {
        m_filesToken = check.head;
        Q_EMIT filesToken(check.head);
    }
}

QNetworkReply *BlobTransfer::track(QNetworkReply *reply)
{
    m_reply = reply;
    return reply;
}

void BlobTransfer::cancel()
{
    if (QNetworkReply *reply = m_reply.data()) {
        m_reply = nullptr;
        reply->disconnect(this);
        reply->abort();
        reply->deleteLater();
    }
    m_source.close();
    m_part.close();
    m_busy = false;
}

void BlobTransfer::finish(const Error &error, bool transient)
{
    cancel();
    Q_EMIT finished(error, transient);
}

void BlobTransfer::failWith(QNetworkReply *reply)
{
    bool transient = false;
    Error error = m_transport->error(reply, &transient);
    if (error.code == QLatin1String("too_large") && !m_missing.isEmpty())
        error.message = tr("The file %1 (%2 bytes) is larger than the server at %3 accepts: %4")
                            .arg(shortId(m_missing.first()))
                            .arg(m_size)
                            .arg(m_transport->server().toDisplayString(), error.message);
    finish(error, transient);
}

void BlobTransfer::badAnswer(const QString &problem)
{
    finish(Error {QStringLiteral("bad_response"),
                  tr("The server at %1 sent an answer Ferry does not understand (%2).")
                      .arg(m_transport->server().toDisplayString(), problem)},
           false);
}

// --- Upload -----------------------------------------------------------------------------

void BlobTransfer::upload(const QString &folder, const QStringList &blobs,
                          const QString &filesToken)
{
    cancel();
    m_busy = true;
    m_folder = folder;
    m_filesToken = filesToken;
    m_toAsk = blobs;
    m_toAsk.removeDuplicates();
    m_missing.clear();
    m_done = 0;
    m_doneBefore = 0;
    m_total = -1;
    askMissing();
}

void BlobTransfer::askMissing()
{
    if (m_toAsk.isEmpty()) {
        m_total = 0;
        for (const QString &blob : std::as_const(m_missing))
            m_total += QFileInfo(BlobStore::filePath(m_folder, blob)).size();
        nextUpload();
        return;
    }
    const QStringList asked = m_toAsk.mid(0, kMaxAsked);
    m_toAsk.remove(0, asked.size());
    Transport::Call call;
    call.method = "POST";
    call.path = withFiles(QStringLiteral("/v1/workspaces/%1/blobs/missing")
                              .arg(QString::fromLatin1(QUrl::toPercentEncoding(m_workspace))));
    call.body
        = QJsonDocument(QJsonObject {{QStringLiteral("blobs"), QJsonArray::fromStringList(asked)}})
              .toJson(QJsonDocument::Compact);
    call.idleTimeoutMs = kIdleTimeoutMs;
    call.maxAnswerBytes = Wire::kMaxAccountAnswerBytes;
    QNetworkReply *reply = track(m_transport->send(call));
    connect(reply, &QNetworkReply::finished, this, [this, reply, asked] {
        reply->deleteLater();
        if (reply != m_reply)
            return;
        m_reply = nullptr;
        if (!Transport::succeeded(reply))
            return failWith(reply);
        const Result<Wire::MissingBlobs> missing
            = Wire::parseMissingBlobs(reply->read(Wire::kMaxAccountAnswerBytes + 1), asked);
        if (!missing)
            return badAnswer(missing.error().message);
        noteFiles(missing->files);
        m_missing += missing->missing;
        askMissing();
    });
}

void BlobTransfer::nextUpload()
{
    m_source.close();
    if (m_missing.isEmpty()) {
        finish();
        return;
    }
    m_source.setFileName(BlobStore::filePath(m_folder, m_missing.first()));
    if (!m_source.open(QIODevice::ReadOnly)) {
        finish(Error {QStringLiteral("blob"),
                      tr("Cannot read the file %1 to send it: %2")
                          .arg(m_source.fileName(), m_source.errorString())},
               false);
        return;
    }
    m_size = m_source.size();
    m_offset = 0;
    // A blob of one piece is sent whole; a larger one may have been started before.
    if (m_size > kPieceBytes)
        askOffset();
    else
        sendPiece();
}

void BlobTransfer::blobDone()
{
    m_doneBefore += m_size;
    Q_EMIT uploaded(m_missing.takeFirst());
    nextUpload();
}

void BlobTransfer::askOffset()
{
    Transport::Call call;
    call.path = withFiles(blobPath(m_missing.first()) + QStringLiteral("/upload"));
    call.idleTimeoutMs = kIdleTimeoutMs;
    call.maxAnswerBytes = Wire::kMaxAccountAnswerBytes;
    QNetworkReply *reply = track(m_transport->send(call));
    connect(reply, &QNetworkReply::finished, this, [this, reply] {
        reply->deleteLater();
        if (reply != m_reply)
            return;
        m_reply = nullptr;
        if (!Transport::succeeded(reply))
            return failWith(reply);
        const Result<Wire::BlobUploadState> state = Wire::parseBlobUploadState(
            reply->read(Wire::kMaxAccountAnswerBytes + 1), m_missing.first());
        if (!state)
            return badAnswer(state.error().message);
        noteFiles(state->files);
        if (state->complete)
            return blobDone();
        // An upload of other bytes (another size) starts again from the beginning.
        m_offset = state->size == m_size ? std::min(state->offset, m_size) : 0;
        sendPiece();
    });
}

void BlobTransfer::sendPiece()
{
    const qint64 length = std::min(kPieceBytes, m_size - m_offset);
    if (!m_source.seek(m_offset)) {
        finish(
            Error {
                QStringLiteral("blob"),
                tr("Cannot read the file %1: %2").arg(m_source.fileName(), m_source.errorString())},
            false);
        return;
    }
    Transport::Call call;
    call.method = "PUT";
    call.path = withFiles(blobPath(m_missing.first()));
    call.contentType = "application/octet-stream";
    call.body = m_source.read(length);
    if (call.body.size() != length) {
        finish(Error {QStringLiteral("blob"),
                      tr("The file %1 changed while it was being sent.").arg(m_source.fileName())},
               false);
        return;
    }
    if (m_size > kPieceBytes)
        call.headers.append({"Content-Range",
                             QStringLiteral("bytes %1-%2/%3")
                                 .arg(m_offset)
                                 .arg(m_offset + length - 1)
                                 .arg(m_size)
                                 .toLatin1()});
    call.idleTimeoutMs = kIdleTimeoutMs;
    call.maxAnswerBytes = Wire::kMaxAccountAnswerBytes;
    QNetworkReply *reply = track(m_transport->send(call));
    connect(reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64) {
        m_done = m_doneBefore + m_offset + sent;
        Q_EMIT progress(m_done, m_total);
    });
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onPieceAnswer(reply); });
}

void BlobTransfer::onPieceAnswer(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    m_reply = nullptr;
    if (statusOf(reply) == 409 && reply->error() != QNetworkReply::RemoteHostClosedError) {
        // Not where the server's copy ends (another device sent part of it meanwhile, or a
        // piece's answer was lost): go on from where it does.
        const QByteArray body = reply->read(Wire::kMaxAccountAnswerBytes + 1);
        if (const std::optional<qint64> offset = Wire::parseWrongOffset(body);
            offset && *offset <= m_size) {
            m_offset = *offset;
            sendPiece();
            return;
        }
        finish(Wire::parseErrorAnswer(409, body, m_transport->server().toDisplayString()), false);
        return;
    }
    if (!Transport::succeeded(reply))
        return failWith(reply);
    const Result<Wire::BlobUploadState> state = Wire::parseBlobUploadState(
        reply->read(Wire::kMaxAccountAnswerBytes + 1), m_missing.first());
    if (!state)
        return badAnswer(state.error().message);
    noteFiles(state->files);
    if (state->complete)
        return blobDone();
    if (state->offset <= m_offset || state->offset > m_size)
        return badAnswer(tr("the upload of %1 did not move on from byte %2")
                             .arg(shortId(m_missing.first()))
                             .arg(m_offset));
    m_offset = state->offset;
    sendPiece();
}

// --- Download ---------------------------------------------------------------------------

void BlobTransfer::download(const QString &folder, const QString &blob)
{
    cancel();
    if (BlobStore::has(folder, blob)) {
        Q_EMIT finished(Error {}, false);
        return;
    }
    m_busy = true;
    m_folder = folder;
    m_blob = blob;
    m_done = 0;
    m_total = -1;
    if (!QDir().mkpath(folder)) {
        finish(Error {QStringLiteral("blob"), tr("Cannot create the folder %1.").arg(folder)},
               false);
        return;
    }
    requestDownload();
}

void BlobTransfer::requestDownload()
{
    m_part.setFileName(BlobStore::partPath(m_folder, m_blob));
    if (!m_part.open(QIODevice::ReadWrite)) {
        finish(Error {QStringLiteral("blob"),
                      tr("Cannot write %1: %2").arg(m_part.fileName(), m_part.errorString())},
               false);
        return;
    }
    // What an earlier attempt kept is hashed now; what arrives is hashed as it is written.
    m_partHash.sha().reset();
    if (!m_part.seek(0) || !m_partHash.sha().addData(&m_part)) {
        finish(Error {QStringLiteral("blob"),
                      tr("Cannot read %1: %2").arg(m_part.fileName(), m_part.errorString())},
               false);
        return;
    }
    const qint64 have = m_part.pos();
    m_done = have;
    m_expectedEnd = -1;
    Transport::Call call;
    call.path = blobPath(m_blob);
    call.contentType = {};
    if (have > 0)
        call.headers.append({"Range", QStringLiteral("bytes=%1-").arg(have).toLatin1()});
    call.idleTimeoutMs = kIdleTimeoutMs;
    QNetworkReply *reply = track(m_transport->send(call));
    // Written out as the bytes come (readyRead), so a large file is never held whole; the
    // read buffer bounds what waits for that when the network is faster than the disk and
    // the hash (bytes still in the socket when the connection breaks are asked for again).
    reply->setReadBufferSize(kReadBufferBytes);
    connect(reply, &QNetworkReply::readyRead, this, &BlobTransfer::onDownloadData);
    connect(reply, &QNetworkReply::finished, this, [this, reply] { onDownloadFinished(reply); });
}

void BlobTransfer::onDownloadData()
{
    QNetworkReply *reply = m_reply.data();
    if (!reply)
        return;
    const int status = statusOf(reply);
    if (status != 200 && status != 206)
        return; // a refusal: read when it ends
    if (m_expectedEnd < 0) {
        if (status == 200) {
            // The whole blob from the start: what an earlier attempt kept is not needed.
            // (An empty part is left alone: ext4 writes out a file truncated to nothing
            // and written again when it is closed.)
            if (m_part.size() > 0)
                m_part.resize(0);
            m_part.seek(0);
            m_partHash.sha().reset();
            m_done = 0;
            m_expectedEnd = reply->header(QNetworkRequest::ContentLengthHeader).toLongLong();
        } else {
            // "bytes START-END/SIZE" must go on exactly where the part ends.
            const QByteArray range = reply->rawHeader("Content-Range");
            const QRegularExpressionMatch m
                = QRegularExpression(QStringLiteral("^bytes (\\d{1,18})-(\\d{1,18})/(\\d{1,18})$"))
                      .match(QString::fromLatin1(range));
            if (!m.hasMatch() || m.captured(1).toLongLong() != m_part.pos()
                || m.captured(2).toLongLong() + 1 != m.captured(3).toLongLong()) {
                badAnswer(tr("a part of %1 that does not go on from byte %2")
                              .arg(shortId(m_blob))
                              .arg(m_part.pos()));
                return;
            }
            m_expectedEnd = m.captured(3).toLongLong();
        }
        m_total = m_expectedEnd;
    }
    // A slice at a time, small enough to stay in the processor's cache while it is hashed
    // and written (a whole read buffer at once is read from memory twice). A large file is
    // hashed on another thread meanwhile.
    const bool large = m_expectedEnd > kHashBesideBytes;
    for (;;) {
        const QByteArray slice = reply->read(kSliceBytes);
        if (slice.isEmpty())
            break;
        if (m_part.pos() + slice.size() > m_expectedEnd) {
            badAnswer(tr("more bytes of %1 than it has").arg(shortId(m_blob)));
            return;
        }
        if (large)
            m_partHash.add(slice);
        else
            m_partHash.sha().addData(slice);
        if (m_part.write(slice) != slice.size()) {
            finish(Error {QStringLiteral("blob"),
                          tr("Cannot write %1: %2").arg(m_part.fileName(), m_part.errorString())},
                   false);
            return;
        }
    }
    m_done = m_part.pos();
    Q_EMIT progress(m_done, m_total);
}

void BlobTransfer::onDownloadFinished(QNetworkReply *reply)
{
    reply->deleteLater();
    if (reply != m_reply)
        return;
    const int status = statusOf(reply);
    if (status == 416) {
        // The part already holds every byte (an earlier attempt ended before checking it).
        m_reply = nullptr;
        m_part.close();
        const Status adopted
            = BlobStore::adoptPart(m_folder, m_blob, BlobStore::valueOf(m_partHash.sha()));
        finish(adopted ? Error {} : adopted.error(), false);
        return;
    }
    // What is left in the buffer, also when the connection broke off: every byte that
    // arrived is kept for the next attempt.
    if (status == 200 || status == 206)
        onDownloadData();
    if (!m_reply)
        return; // failed while reading
    m_reply = nullptr;
    if (!Transport::succeeded(reply)) {
        m_part.flush();
        failWith(reply);
        return;
    }
    if (m_part.pos() != m_expectedEnd) {
        m_part.flush();
        finish(Error {QStringLiteral("network"),
                      tr("The download of %1 ended after %2 of %3 bytes.")
                          .arg(shortId(m_blob))
                          .arg(m_part.pos())
                          .arg(m_expectedEnd)},
               true);
        return;
    }
    if (!m_part.flush()) {
        finish(Error {QStringLiteral("blob"),
                      tr("Cannot write %1: %2").arg(m_part.fileName(), m_part.errorString())},
               false);
        return;
    }
    m_part.close();
    const Status adopted
        = BlobStore::adoptPart(m_folder, m_blob, BlobStore::valueOf(m_partHash.sha()));
    finish(adopted ? Error {} : adopted.error(), false);
}

} // namespace Ferry
