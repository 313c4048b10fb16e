#pragma once

#include "result.h"

#include <QByteArray>
#include <QHash>
#include <QIODevice>
#include <QSqlDatabase>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <memory>
#include <optional>

namespace FerryServer {

class ServerStore;
class Statements;
class StoreBackend;

// Where one uploaded piece of a blob goes: bytes [start, start + length) of a blob of
// `total` bytes (a PUT without Content-Range is the whole blob: start 0, total = length).
struct BlobPiece
{
    qint64 start = 0;
    qint64 length = 0;
    qint64 total = 0;
};

// A byte range to send: [start, start + length) of a blob of `total` bytes.
struct BlobRange
{
    qint64 start = 0;
    qint64 length = 0;
    qint64 total = 0;
    bool partial = false; // asked for with Range: answered 206
};

// What a garbage collection removed (BlobService::collectGarbage()).
struct GarbageReport
{
    qint64 released = 0; // blobs workspaces no longer hold (no record of theirs names them)
    qint64 files = 0; // files removed: no workspace holds their blob any more
    qint64 bytes = 0; // their size
};

// What a workspace keeps on the server.
struct StorageUse
{
    qint64 records = 0; // records, tombstones included
    qint64 blobs = 0;
    qint64 bytes = 0; // of its blobs (a blob shared with another workspace counts in both)
};

// How far the upload of one blob to one workspace is.
struct UploadState
{
    qint64 offset = 0; // bytes the server holds, counted from the start
    qint64 total = -1; // the blob's size, -1 while no upload has started
    bool complete = false; // the workspace has the blob
    bool created = false; // this very request completed it
};

// Whether a workspace still has the uploads a client saw (docs/protocol.md, "Upload tokens").
struct FilesCheck
{
    QString head; // the token of the workspace's latest upload; empty before the first
    bool lost = false; // the token the client named is not in this workspace's log
};

// Attachments (docs/protocol.md, "Attachments"): blobs named by their SHA-256, stored once
// on disk under the data folder (blobs/<2 hex>/<64 hex>) and owned by workspaces through the
// `blobs` table, so a blob uploaded to one workspace cannot be read through another.
// Unfinished uploads are files in blobs/uploads with a row in `blob_uploads`, so they
// survive a restart. Callers check membership and roles first. Runs on the thread that owns
// the database connection.
class BlobService
{
public:
    // The largest blob a server takes unless told otherwise (--max-blob).
    static constexpr qint64 kDefaultMaxBlob = 64LL * 1024 * 1024;
    // More blobs than this in one "missing" question is 413 too_large.
    static constexpr qsizetype kMaxMissingQuery = 1000;
    // An unfinished upload not continued for this long is discarded.
    static constexpr qint64 kStaleUploadMs = 24LL * 60 * 60 * 1000;

    // The blobs' bytes are files under `folder`; the store says which workspace has which.
    BlobService(const ServerStore &store, const QString &folder, qint64 maxBlob);

    qint64 maxBlob() const { return m_maxBlob; }

    // "sha256:" followed by 64 lowercase hex digits: the value a record's blob field holds.
    static bool isBlobId(const QString &id);
    // The body of POST .../blobs/missing: the ids asked about, in order. Errors: bad_json,
    // invalid_request (naming the key or element), too_large.
    static Ferry::Result<QStringList> parseMissingRequest(const QByteArray &body);
    // A Content-Range header ("bytes START-END/TOTAL"), or the whole body when it is empty.
    // Errors: invalid_request, too_large (TOTAL or the body past maxBlob).
    static Ferry::Result<BlobPiece> parsePiece(const QByteArray &contentRange, qint64 bodySize,
                                               qint64 maxBlob);
    // A Range header for a blob of `size` bytes: one range "bytes=A-B", "bytes=A-" or
    // "bytes=-N"; no header is the whole blob. Errors: invalid_request (malformed, several
    // ranges, another unit), range_not_satisfiable.
    static Ferry::Result<BlobRange> parseRange(const QByteArray &range, qint64 size);

    // The `files` query parameter: an upload token, or empty when absent. Errors:
    // invalid_request (malformed, or given twice).
    static Ferry::Result<QString> parseFilesToken(const QUrlQuery &query);
    // `token` (empty: none) against the workspace's log of uploads, read through `db` (pulls
    // check it inside their own read transaction).
    static Ferry::Result<FilesCheck> checkFiles(Statements &statements, const QString &workspace,
                                                const QString &token);
    Ferry::Result<FilesCheck> checkFiles(const QString &workspace, const QString &token)
    {
        return checkFiles(m_statements, workspace, token);
    }

    // Which of `ids` the workspace does not have, each once, in the order asked.
    Ferry::Result<QStringList> missing(const QString &workspace, const QStringList &ids);
    // The blob's size if the workspace has it.
    std::optional<qint64> sizeOf(const QString &workspace, const QString &id);
    Ferry::Result<UploadState> state(const QString &workspace, const QString &id);
    // Stores one piece. A piece at 0 starts the upload over; any other must start where the
    // unfinished upload ends and name the same total (else "wrong_offset"). The last piece
    // checks the SHA-256 ("blob_mismatch": the upload is discarded). A blob the workspace
    // already has is answered complete without writing anything.
    Ferry::Result<UploadState> write(const QString &workspace, const QString &user,
                                     const QString &id, const BlobPiece &piece,
                                     const QByteArray &bytes);
    // A blob the workspace has (sizeOf() said so), open and at the start of `range`: its bytes
    // are read as they are sent, never held whole.
    Ferry::Result<std::shared_ptr<QIODevice>> open(const QString &id, const BlobRange &range);

    // How long a blob stays after it was uploaded before a collection may release it: the
    // time between a client's upload and the push naming it, and more (--blob-grace).
    static constexpr qint64 kDefaultGraceMs = 7LL * 24 * 60 * 60 * 1000;
    // Releases every blob uploaded more than `graceMs` ago that no record of its workspace
    // names any more (tombstones included: a restore brings their fields back), and removes
    // the files of blobs no workspace holds then. Unfinished uploads are left alone.
    Ferry::Result<GarbageReport> collectGarbage(qint64 graceMs);
    // collectGarbage()'s two steps, public for the tests that run something between them.
    // The first releases blobs from their workspaces in one transaction (counted in
    // `report`) and returns the hashes (and sizes) released; the second removes each one's file if
    // no workspace holds it and no upload of it is under way, deciding under lockBlob() at the
    // moment it removes: an upload of the same bytes to another workspace that finished in between
    // keeps the file.
    Ferry::Result<QHash<QString, qint64>> releaseUnnamed(qint64 graceMs, GarbageReport &report);
    Ferry::Status removeUnheldFiles(const QHash<QString, qint64> &released, GarbageReport &report);
    Ferry::Result<StorageUse> usage(const QString &workspace);

private:
    QString filePath(const QString &id) const;
    QString uploadPath(const QString &workspace, const QString &id) const;
    Ferry::Result<UploadState> finish(const QString &workspace, const QString &user,
                                      const QString &id, qint64 total);
    void discardUpload(const QString &workspace, const QString &id);
    void discardStaleUploads();

    QSqlDatabase m_db;
    const StoreBackend &m_backend;
    Statements &m_statements;
    QString m_folder;
    qint64 m_maxBlob;
};

} // namespace FerryServer
