// ApiServer's attachment endpoints (docs/protocol.md, "Attachments"): thin HTTP around
// BlobService, with the same membership checks as push and pull.

#include "apiserver.h"

#include "serverstore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace FerryServer {

namespace {

Reply badId()
{
    return ApiServer::error(
        QStringLiteral("invalid_request"),
        QStringLiteral("blob id: must be \"sha256:\" and 64 lowercase hex digits"));
}

QJsonObject stateObject(const QString &id, const UploadState &state)
{
    QJsonObject object {{QStringLiteral("blob"), id},
                        {QStringLiteral("offset"), state.offset},
                        {QStringLiteral("complete"), state.complete}};
    if (state.total >= 0)
        object.insert(QStringLiteral("size"), state.total);
    return object;
}

// The answer `body` with what the workspace's log of uploads says about the token the client
// named (docs/protocol.md, "Upload tokens"), or a 500 when it cannot be read.
Reply withFiles(BlobService &blobs, const QString &workspace, const QString &token, int status,
                QJsonObject body)
{
    const Ferry::Result<FilesCheck> check = blobs.checkFiles(workspace, token);
    if (!check)
        return ApiServer::failure(check.error());
    if (!check->head.isEmpty())
        body.insert(QStringLiteral("files"), check->head);
    if (check->lost)
        body.insert(QStringLiteral("files_lost"), true);
    return Reply {status, ApiServer::json(body), {}};
}

} // namespace

Reply ApiServer::missingBlobs(const Call &call)
{
    const Ferry::Result<QStringList> ids = BlobService::parseMissingRequest(call.request.body());
    if (!ids)
        return failure(ids.error(), 400);
    const Ferry::Result<QString> files
        = BlobService::parseFilesToken(QUrlQuery(call.request.url()));
    if (!files)
        return failure(files.error(), 400);
    const Ferry::Result<QStringList> missing = m_blobs.missing(call.workspace, ids.value());
    if (!missing)
        return failure(missing.error());
    return withFiles(m_blobs, call.workspace, files.value(), 200,
                     {{QStringLiteral("missing"), QJsonArray::fromStringList(missing.value())}});
}

Reply ApiServer::putBlob(const Call &call)
{
    if (!BlobService::isBlobId(call.target))
        return badId();
    const QByteArray bytes = call.request.body();
    const Ferry::Result<BlobPiece> piece = BlobService::parsePiece(
        ApiServer::header(call.request, "content-range"), bytes.size(), m_blobs.maxBlob());
    if (!piece)
        return failure(piece.error(), 400);
    const Ferry::Result<QString> files
        = BlobService::parseFilesToken(QUrlQuery(call.request.url()));
    if (!files)
        return failure(files.error(), 400);
    const Ferry::Result<UploadState> written
        = m_blobs.write(call.workspace, call.user, call.target, piece.value(), bytes);
    if (!written) {
        Reply reply = failure(written.error(), 400);
        if (written.error().code == QLatin1String("wrong_offset")) {
            // Where to go on, so a client can resume without asking first.
            const Ferry::Result<UploadState> now = m_blobs.state(call.workspace, call.target);
            QJsonObject body = QJsonDocument::fromJson(reply.body).object();
            body.insert(QStringLiteral("offset"), now ? now->offset : 0);
            reply.body = ApiServer::json(body);
        }
        return reply;
    }
    return withFiles(m_blobs, call.workspace, files.value(), written->created ? 201 : 200,
                     stateObject(call.target, written.value()));
}

Reply ApiServer::uploadState(const Call &call)
{
    if (!BlobService::isBlobId(call.target))
        return badId();
    const Ferry::Result<QString> files
        = BlobService::parseFilesToken(QUrlQuery(call.request.url()));
    if (!files)
        return failure(files.error(), 400);
    const Ferry::Result<UploadState> state = m_blobs.state(call.workspace, call.target);
    if (!state)
        return failure(state.error());
    return withFiles(m_blobs, call.workspace, files.value(), 200,
                     stateObject(call.target, state.value()));
}

Reply ApiServer::getBlob(const Call &call)
{
    if (!BlobService::isBlobId(call.target))
        return badId();
    const std::optional<qint64> size = m_blobs.sizeOf(call.workspace, call.target);
    if (!size)
        return error(QStringLiteral("no_such_blob"),
                     QStringLiteral("This workspace has no blob %1.").arg(call.target));
    const Ferry::Result<BlobRange> range
        = BlobService::parseRange(ApiServer::header(call.request, "range"), *size);
    if (!range) {
        Reply reply = failure(range.error(), 400);
        if (reply.status == 416)
            reply.headers.emplaceBack(QByteArray("Content-Range"),
                                      "bytes */" + QByteArray::number(*size));
        return reply;
    }
    const Ferry::Result<std::shared_ptr<QIODevice>> bytes
        = m_blobs.open(call.target, range.value());
    if (!bytes)
        return failure(bytes.error());
    Reply reply {range->partial ? 206 : 200, {}, {}};
    reply.stream = bytes.value();
    reply.streamLength = range->length;
    reply.contentType = QByteArrayLiteral("application/octet-stream");
    reply.headers.emplaceBack(QByteArray("Accept-Ranges"), QByteArray("bytes"));
    reply.headers.emplaceBack(QByteArray("ETag"), '"' + call.target.toLatin1() + '"');
    if (range->partial)
        reply.headers.emplaceBack(QByteArray("Content-Range"),
                                  "bytes " + QByteArray::number(range->start) + '-'
                                      + QByteArray::number(range->start + range->length - 1) + '/'
                                      + QByteArray::number(range->total));
    return reply;
}

Reply ApiServer::storage(const Call &call)
{
    const Ferry::Result<StorageUse> use = m_blobs.usage(call.workspace);
    if (!use)
        return failure(use.error());
    return Reply {200,
                  ApiServer::json({{QStringLiteral("workspace"), call.workspace},
                                   {QStringLiteral("records"), double(use->records)},
                                   {QStringLiteral("blobs"), double(use->blobs)},
                                   {QStringLiteral("bytes"), double(use->bytes)}}),
                  {}};
}

} // namespace FerryServer
