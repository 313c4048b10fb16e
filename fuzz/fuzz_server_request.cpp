// libFuzzer target: what ferry-server does with a request from anyone holding a token. The
// first byte picks the endpoint, the rest is the push body or the pull query string, and
// both go through the functions ApiServer calls (Wire::parsePushRequest, PushService,
// PullService::parseQuery and page) on a real SQLite database in a temporary folder.
// Besides not crashing, what the server answers must be readable by the client.
// Attachments: 'm' a blobs/missing body (BlobService::parseMissingRequest and missing()),
// 'c' a blob piece (one byte of body size, then the Content-Range header; a piece the
// parser accepts is stored by BlobService::write), 'r' a download's Range header (two bytes
// of blob size, then the header).

#include "blobservice.h"
#include "pullservice.h"
#include "pushservice.h"
#include "serverstore.h"
#include "wire.h"

#include <QCoreApplication>
#include <QDir>
#include <QSet>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <cstdio>
#include <cstdlib>

namespace {

const QString kWorkspace = QStringLiteral("fuzz");
const QString kUser = QStringLiteral("fuzzer");

struct Server
{
    QTemporaryDir dir;
    FerryServer::ServerStore store;
    std::unique_ptr<FerryServer::PushService> push;
    std::unique_ptr<FerryServer::PullService> pull;
    std::unique_ptr<FerryServer::BlobService> blobs;
};

// Small, so that the fuzzer reaches the limit.
constexpr qint64 kMaxBlob = 4096;

Server *server = nullptr;

// A broken promise between server and client is a bug as real as a crash: stop here.
void check(bool ok, const char *what, const QByteArray &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_server_request: %s\n%s\n", what, detail.left(2000).constData());
    std::abort();
}

void pushBody(const QByteArray &body)
{
    const Ferry::Result<Ferry::Wire::PushRequest> request = Ferry::Wire::parsePushRequest(body);
    if (!request) {
        check(!request.error().code.isEmpty() && !request.error().message.isEmpty(),
              "a refusal without code or message");
        return;
    }
    const FerryServer::PushAnswer answer
        = server->push->push(kWorkspace, kUser, body, request.value());
    if (!answer) {
        check(answer.error().code == QLatin1String("batch_mismatch"), "push failed",
              answer.error().message.toUtf8());
        return;
    }
    const Ferry::Result<Ferry::Wire::PushResponse> parsed
        = Ferry::Wire::parsePushResponse(answer.value());
    check(parsed.ok(), "the client cannot read the push answer", answer.value());
    // A replayed batch answers for the first body, which may have had other mutations.
    if (parsed->results.size() != request->mutations.size())
        return;
    for (qsizetype i = 0; i < parsed->results.size(); ++i)
        check(parsed->results[i].guid == request->mutations[i].guid,
              "a result for another guid than its mutation", answer.value());

    // The pages that now hold this push must be readable too.
    const Ferry::Result<QByteArray> page
        = server->pull->page(kWorkspace, qMax<qint64>(0, parsed->seq - 1), 0, 50, true);
    check(page.ok(), "pull failed");
    const Ferry::Result<Ferry::Wire::PullPage> pulled = Ferry::Wire::parsePullPage(page.value());
    check(pulled.ok(), "the client cannot read the pull page", page.value());
}

void pullQuery(const QByteArray &text)
{
    const Ferry::Result<FerryServer::PullService::Query> query
        = FerryServer::PullService::parseQuery(QUrlQuery(QString::fromUtf8(text)));
    if (!query)
        return;
    check(query->since >= 0 && query->limit >= 1 && query->limit <= Ferry::Wire::kMaxPullLimit,
          "a query out of range was accepted", text);
    const Ferry::Result<QByteArray> page = server->pull->page(
        kWorkspace, query->since, query->from, query->limit, query->withTotal, query->history);
    // A cursor or check this server's history does not hold is the one refusal allowed.
    if (!page && page.error().code == QLatin1String("history_mismatch"))
        return;
    check(page.ok(), "pull failed");
    const Ferry::Result<Ferry::Wire::PullPage> pulled = Ferry::Wire::parsePullPage(page.value());
    check(pulled.ok(), "the client cannot read the pull page", page.value());
}

void missingBody(const QByteArray &body)
{
    const Ferry::Result<QStringList> ids = FerryServer::BlobService::parseMissingRequest(body);
    if (!ids) {
        check(!ids.error().code.isEmpty() && !ids.error().message.isEmpty(),
              "a refusal without code or message");
        return;
    }
    check(ids->size() <= FerryServer::BlobService::kMaxMissingQuery, "too many ids accepted", body);
    for (const QString &id : ids.value())
        check(FerryServer::BlobService::isBlobId(id), "a malformed blob id accepted", body);
    const Ferry::Result<QStringList> missing = server->blobs->missing(kWorkspace, ids.value());
    check(missing.ok(), "missing() failed");
    check(QSet<QString>(missing->begin(), missing->end()).size() == missing->size(),
          "an id answered twice", body);
    for (const QString &id : missing.value())
        check(ids->contains(id), "an id answered that was not asked", body);
}

void blobPiece(const QByteArray &input)
{
    if (input.isEmpty())
        return;
    const qint64 bodySize = quint8(input[0]);
    const QByteArray header = input.mid(1);
    const Ferry::Result<FerryServer::BlobPiece> piece
        = FerryServer::BlobService::parsePiece(header, bodySize, kMaxBlob);
    if (!piece) {
        check(!piece.error().code.isEmpty() && !piece.error().message.isEmpty(),
              "a refusal without code or message");
        return;
    }
    check(piece->start >= 0 && piece->length == bodySize
              && piece->start + piece->length <= piece->total && piece->total <= kMaxBlob,
          "a piece out of range was accepted", header);
    // Store it: a piece at the wrong offset is refused, the last one is hashed.
    const QString id = QStringLiteral("sha256:") + QString(64, QLatin1Char('0'));
    const Ferry::Result<FerryServer::UploadState> state
        = server->blobs->write(kWorkspace, kUser, id, piece.value(), QByteArray(bodySize, 'x'));
    if (!state) {
        check(state.error().code == QLatin1String("wrong_offset")
                  || state.error().code == QLatin1String("blob_mismatch"),
              "a piece failed", state.error().message.toUtf8());
        return;
    }
    check(!state->complete && state->offset == piece->start + piece->length,
          "a piece was answered at the wrong offset", header);
}

void downloadRange(const QByteArray &input)
{
    if (input.size() < 2)
        return;
    const qint64 size = quint8(input[0]) * 256 + quint8(input[1]);
    const QByteArray header = input.mid(2);
    const Ferry::Result<FerryServer::BlobRange> range
        = FerryServer::BlobService::parseRange(header, size);
    if (!range) {
        check(range.error().code == QLatin1String("invalid_request")
                  || range.error().code == QLatin1String("range_not_satisfiable"),
              "a refusal with another code", header);
        return;
    }
    check(range->total == size && range->start >= 0 && range->length >= 0
              && range->start + range->length <= size && (!range->partial || range->length >= 1),
          "a range out of the blob was accepted", header);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    server = new Server;
    check(server->dir.isValid(), "no temporary folder");
    const Ferry::Status opened = server->store.open(server->dir.path());
    check(opened.ok(), "cannot open the store");
    check(server->store.ensureUser(kUser).ok(), "cannot create the user");
    check(server->store.createWorkspace(kWorkspace, kUser).ok(), "cannot create the workspace");
    server->push = std::make_unique<FerryServer::PushService>(server->store);
    server->pull = std::make_unique<FerryServer::PullService>(server->store);
    server->blobs = std::make_unique<FerryServer::BlobService>(
        server->store, QDir(server->dir.path()).filePath(QStringLiteral("blobs")), kMaxBlob);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    switch (data[0]) {
    case 'q':
        pullQuery(rest);
        break;
    case 'm':
        missingBody(rest);
        break;
    case 'c':
        blobPiece(rest);
        break;
    case 'r':
        downloadRange(rest);
        break;
    default:
        pushBody(rest);
    }
    return 0;
}
