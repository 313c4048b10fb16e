#include "blobservice.h"

#include "serverstore.h"
#include "sha256.h"
#include "storebackend.h"
#include "wire.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QSqlError>
#include <QSqlQuery>

#include <unistd.h>

namespace FerryServer {

namespace {

constexpr QLatin1StringView kPrefix("sha256:");

Ferry::Error invalid(const QString &message)
{
    return Ferry::Error {QStringLiteral("invalid_request"), message};
}

Ferry::Error storageError(const QString &what, const QString &detail)
{
    return Ferry::Error {QStringLiteral("storage"),
                         QStringLiteral("Storage error while %1: %2").arg(what, detail)};
}

QString hexOf(const QString &id)
{
    return id.mid(kPrefix.size());
}

// A whole number of decimal digits only (no sign, no spaces), below 2^53.
std::optional<qint64> decimal(QByteArrayView text)
{
    if (text.isEmpty() || text.size() > 15)
        return std::nullopt;
    for (const char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
    }
    return text.toLongLong();
}

// Writes the bytes to disk before a rename or a database row makes them count.
bool flushToDisk(QFile &file)
{
    return file.flush() && ::fsync(file.handle()) == 0;
}

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

BlobService::BlobService(const ServerStore &store, const QString &folder, qint64 maxBlob)
    : m_db(store.database())
    , m_backend(store.backend())
    , m_statements(store.statements())
    , m_folder(folder)
    , m_maxBlob(maxBlob)
{ }

bool BlobService::isBlobId(const QString &id)
{
    if (id.size() != kPrefix.size() + 64 || !id.startsWith(kPrefix))
        return false;
    for (qsizetype i = kPrefix.size(); i < id.size(); ++i) {
        const QChar c = id[i];
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9'))
              || (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

Ferry::Result<QStringList> BlobService::parseMissingRequest(const QByteArray &body)
{
    const Ferry::Result<QJsonObject> object = Ferry::Wire::parseRequestObject(body);
    if (!object)
        return object.error();
    const QJsonValue blobs = object->value(QStringLiteral("blobs"));
    if (!blobs.isArray())
        return invalid(QStringLiteral("blobs: must be an array of blob ids"));
    const QJsonArray array = blobs.toArray();
    if (array.size() > kMaxMissingQuery)
        return Ferry::Error {QStringLiteral("too_large"),
                             QStringLiteral("blobs: at most %1 ids in one question, not %2")
                                 .arg(kMaxMissingQuery)
                                 .arg(array.size())};
    QStringList ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString id = array.at(i).toString();
        if (!array.at(i).isString() || !isBlobId(id))
            return invalid(
                QStringLiteral("blobs[%1]: must be \"sha256:\" and 64 lowercase hex digits")
                    .arg(i));
        ids.append(id);
    }
    return ids;
}

Ferry::Result<BlobPiece> BlobService::parsePiece(const QByteArray &contentRange, qint64 bodySize,
                                                 qint64 maxBlob)
{
    const Ferry::Error tooLarge {
        QStringLiteral("too_large"),
        QStringLiteral("A blob may be at most %1 bytes on this server.").arg(maxBlob)};
    if (contentRange.isEmpty()) {
        if (bodySize > maxBlob)
            return tooLarge;
        return BlobPiece {0, bodySize, bodySize};
    }
    const QString usage = QStringLiteral(
        "Content-Range: must be \"bytes START-END/TOTAL\" with START <= END < TOTAL");
    const QByteArrayView text = QByteArrayView(contentRange).trimmed();
    if (!text.startsWith("bytes "))
        return invalid(usage);
    const QByteArrayView spec = text.sliced(6);
    const qsizetype dash = spec.indexOf('-');
    const qsizetype slash = spec.indexOf('/');
    if (dash < 0 || slash < dash)
        return invalid(usage);
    const std::optional<qint64> start = decimal(spec.first(dash));
    const std::optional<qint64> end = decimal(spec.sliced(dash + 1, slash - dash - 1));
    const std::optional<qint64> total = decimal(spec.sliced(slash + 1));
    if (!start || !end || !total || *start > *end || *end >= *total)
        return invalid(usage);
    if (*end - *start + 1 != bodySize)
        return invalid(QStringLiteral("Content-Range: names %1 bytes but the body has %2")
                           .arg(*end - *start + 1)
                           .arg(bodySize));
    if (*total > maxBlob)
        return tooLarge;
    return BlobPiece {*start, bodySize, *total};
}

Ferry::Result<BlobRange> BlobService::parseRange(const QByteArray &range, qint64 size)
{
    if (range.isEmpty())
        return BlobRange {0, size, size, false};
    const QString usage = QStringLiteral(
        "Range: must be one range \"bytes=START-END\", \"bytes=START-\" or \"bytes=-LENGTH\"");
    const QByteArrayView text = QByteArrayView(range).trimmed();
    if (!text.startsWith("bytes="))
        return invalid(usage);
    const QByteArrayView spec = text.sliced(6).trimmed();
    const qsizetype dash = spec.indexOf('-');
    if (dash < 0 || spec.contains(','))
        return invalid(usage);
    const QByteArrayView first = spec.first(dash);
    const QByteArrayView last = spec.sliced(dash + 1);
    const Ferry::Error unsatisfiable {
        QStringLiteral("range_not_satisfiable"),
        QStringLiteral("The blob has %1 bytes; the range asks for none of them.").arg(size)};
    if (first.isEmpty()) {
        const std::optional<qint64> suffix = decimal(last);
        if (!suffix)
            return invalid(usage);
        if (*suffix == 0 || size == 0)
            return unsatisfiable;
        const qint64 length = qMin(*suffix, size);
        return BlobRange {size - length, length, size, true};
    }
    const std::optional<qint64> start = decimal(first);
    const std::optional<qint64> end
        = last.isEmpty() ? std::optional<qint64>(size - 1) : decimal(last);
    if (!start || !end || (!last.isEmpty() && *end < *start))
        return invalid(usage);
    if (*start >= size)
        return unsatisfiable;
    const qint64 stop = qMin(*end, size - 1);
    return BlobRange {*start, stop - *start + 1, size, true};
}

QString BlobService::filePath(const QString &id) const
{
    const QString hex = hexOf(id);
    return QDir(m_folder).filePath(hex.left(2) + QLatin1Char('/') + hex);
}

QString BlobService::uploadPath(const QString &workspace, const QString &id) const
{
    // Workspace ids have no dots, so the name cannot collide with another upload's.
    return QDir(m_folder).filePath(QStringLiteral("uploads/%1.%2.part").arg(hexOf(id), workspace));
}

std::optional<qint64> BlobService::sizeOf(const QString &workspace, const QString &id)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT size FROM blobs WHERE workspace = ? AND hash = ?"));
    q.addBindValue(workspace);
    q.addBindValue(hexOf(id));
    if (!q.exec() || !q.next())
        return std::nullopt;
    return q.value(0).toLongLong();
}

Ferry::Result<QStringList> BlobService::missing(const QString &workspace, const QStringList &ids)
{
    QStringList result;
    QSet<QString> seen;
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT 1 FROM blobs WHERE workspace = ? AND hash = ?"));
    for (const QString &id : ids) {
        if (seen.contains(id))
            continue;
        seen.insert(id);
        q.addBindValue(workspace);
        q.addBindValue(hexOf(id));
        if (!q.exec())
            return databaseError(QStringLiteral("looking up blobs"), q.lastError().text());
        if (!q.next())
            result.append(id);
        q.finish();
    }
    return result;
}

Ferry::Result<UploadState> BlobService::state(const QString &workspace, const QString &id)
{
    if (const std::optional<qint64> size = sizeOf(workspace, id))
        return UploadState {*size, *size, true, false};
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT total FROM blob_uploads WHERE workspace = ? AND hash = ?"));
    q.addBindValue(workspace);
    q.addBindValue(hexOf(id));
    if (!q.exec())
        return databaseError(QStringLiteral("looking up an upload"), q.lastError().text());
    if (!q.next())
        return UploadState {};
    const qint64 total = q.value(0).toLongLong();
    // The file is the truth about what arrived: a piece counts once its bytes are written.
    const QFileInfo file(uploadPath(workspace, id));
    return UploadState {file.exists() ? qMin(file.size(), total) : 0, total, false, false};
}

void BlobService::discardUpload(const QString &workspace, const QString &id)
{
    QFile::remove(uploadPath(workspace, id));
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("DELETE FROM blob_uploads WHERE workspace = ? AND hash = ?"));
    q.addBindValue(workspace);
    q.addBindValue(hexOf(id));
    q.exec(); // a row without its file reads as an upload at offset 0
}

void BlobService::discardStaleUploads()
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT workspace, hash FROM blob_uploads WHERE touched < ?"));
    q.addBindValue(now() - kStaleUploadMs);
    if (!q.exec())
        return;
    QList<std::pair<QString, QString>> stale;
    while (q.next())
        stale.append({q.value(0).toString(), kPrefix + q.value(1).toString()});
    q.finish();
    for (const auto &[workspace, id] : stale)
        discardUpload(workspace, id);
}

Ferry::Result<UploadState> BlobService::write(const QString &workspace, const QString &user,
                                              const QString &id, const BlobPiece &piece,
                                              const QByteArray &bytes)
{
    if (const std::optional<qint64> size = sizeOf(workspace, id))
        return UploadState {*size, *size, true, false};

    if (piece.start == 0) {
        discardStaleUploads();
        if (!QDir().mkpath(QDir(m_folder).filePath(QStringLiteral("uploads"))))
            return storageError(QStringLiteral("creating the uploads folder"), m_folder);
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "INSERT INTO blob_uploads (workspace, hash, total, user_name, touched) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace, hash) DO UPDATE SET "
            "total = excluded.total, user_name = excluded.user_name, touched = excluded.touched"));
        q.addBindValue(workspace);
        q.addBindValue(hexOf(id));
        q.addBindValue(piece.total);
        q.addBindValue(user);
        q.addBindValue(now());
        if (!q.exec())
            return databaseError(QStringLiteral("starting an upload"), q.lastError().text());
        QFile file(uploadPath(workspace, id));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate)
            || file.write(bytes) != bytes.size() || !flushToDisk(file))
            return storageError(QStringLiteral("writing an upload"), file.errorString());
    } else {
        const Ferry::Result<UploadState> current = state(workspace, id);
        if (!current)
            return current.error();
        if (current->total != piece.total || current->offset != piece.start) {
            const QString held = current->total < 0
                ? QStringLiteral("no upload of this blob has started; start at 0")
                : QStringLiteral("the server holds bytes 0 to %1 of %2; continue at %3")
                      .arg(current->offset - 1)
                      .arg(current->total)
                      .arg(current->offset);
            return Ferry::Error {QStringLiteral("wrong_offset"),
                                 QStringLiteral("This piece starts at %1 of %2, but %3.")
                                     .arg(piece.start)
                                     .arg(piece.total)
                                     .arg(held)};
        }
        QFile file(uploadPath(workspace, id));
        if (!file.open(QIODevice::WriteOnly | QIODevice::Append)
            || file.write(bytes) != bytes.size() || !flushToDisk(file))
            return storageError(QStringLiteral("writing an upload"), file.errorString());
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral(
            "UPDATE blob_uploads SET touched = ?, user_name = ? WHERE workspace = ? AND hash = ?"));
        q.addBindValue(now());
        q.addBindValue(user);
        q.addBindValue(workspace);
        q.addBindValue(hexOf(id));
        q.exec(); // only bookkeeping for discarding stale uploads
    }
    if (piece.start + piece.length < piece.total)
        return UploadState {piece.start + piece.length, piece.total, false, false};
    return finish(workspace, user, id, piece.total);
}

Ferry::Result<UploadState> BlobService::finish(const QString &workspace, const QString &user,
                                               const QString &id, qint64 total)
{
    const QString partPath = uploadPath(workspace, id);
    QFile part(partPath);
    if (!part.open(QIODevice::ReadOnly))
        return storageError(QStringLiteral("reading an upload"), part.errorString());
    Ferry::Sha256 hash;
    if (!hash.addData(&part))
        return storageError(QStringLiteral("reading an upload"), part.errorString());
    const qint64 size = part.size();
    part.close();
    const QString actual = kPrefix + QString::fromLatin1(hash.result().toHex());
    if (actual != id || size != total) {
        discardUpload(workspace, id);
        return Ferry::Error {QStringLiteral("blob_mismatch"),
                             QStringLiteral("The %1 bytes received hash to %2, not to the name "
                                            "%3; the upload was discarded.")
                                 .arg(size)
                                 .arg(actual, id)};
    }

    // The log's numbers stay in order when two servers store blobs of one workspace at once,
    // and a collection removing this blob's file waits, or is waited for (lockBlob()).
    WriteTransaction tx(m_db, m_backend, m_statements, workspace);
    if (!tx.isOpen())
        return databaseError(QStringLiteral("storing a blob"), tx.error());
    if (Ferry::Status locked = m_backend.lockBlob(m_statements, hexOf(id)); !locked)
        return locked.error();
    // The file first, then the row: a file without a row is only unreferenced bytes.
    const QString finalPath = filePath(id);
    if (const QFileInfo stored(finalPath); stored.exists() && stored.size() == size) {
        QFile::remove(partPath); // another workspace holds these very bytes already
    } else {
        if (!QDir().mkpath(QFileInfo(finalPath).path()))
            return storageError(QStringLiteral("creating a blob folder"), finalPath);
        QFile::remove(finalPath); // a leftover of the wrong size, never a good blob
        if (!QFile::rename(partPath, finalPath))
            return storageError(QStringLiteral("storing a blob"), finalPath);
    }
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("INSERT INTO blobs (workspace, hash, size, user_name, created) "
                             "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"));
    q.addBindValue(workspace);
    q.addBindValue(hexOf(id));
    q.addBindValue(size);
    q.addBindValue(user);
    q.addBindValue(now());
    QSqlQuery done(m_db);
    done.prepare(QStringLiteral("DELETE FROM blob_uploads WHERE workspace = ? AND hash = ?"));
    done.addBindValue(workspace);
    done.addBindValue(hexOf(id));
    if (!q.exec() || !done.exec()) {
        const QString message
            = q.lastError().isValid() ? q.lastError().text() : done.lastError().text();
        return databaseError(QStringLiteral("storing a blob"), message);
    }
    if (q.numRowsAffected() > 0) {
        // A new entry in the workspace's log of uploads; its token is random, so a server
        // put back to an older backup never hands out one a client saw before.
        QSqlQuery log(m_db);
        log.prepare(
            QStringLiteral("INSERT INTO blob_log (workspace, n, token, created) VALUES (?, (SELECT "
                           "COALESCE(MAX(n), 0) + 1 FROM blob_log WHERE workspace = ?), ?, ?)"));
        log.addBindValue(workspace);
        log.addBindValue(workspace);
        log.addBindValue(ServerStore::randomHex(16));
        log.addBindValue(now());
        if (!log.exec())
            return databaseError(QStringLiteral("storing a blob"), log.lastError().text());
    }
    if (!tx.commit())
        return databaseError(QStringLiteral("storing a blob"), tx.error());
    return UploadState {size, size, true, true};
}

Ferry::Result<QString> BlobService::parseFilesToken(const QUrlQuery &query)
{
    const QStringList files = query.allQueryItemValues(QStringLiteral("files"), QUrl::FullyDecoded);
    if (files.size() > 1 || (files.size() == 1 && !Ferry::Wire::isValidId(files.first())))
        return Ferry::Error {QStringLiteral("invalid_request"),
                             QStringLiteral("files must be an upload token, given once.")};
    return files.value(0);
}

Ferry::Result<FilesCheck> BlobService::checkFiles(Statements &statements, const QString &workspace,
                                                  const QString &token)
{
    FilesCheck check;
    const Statements::Held head = statements(
        QStringLiteral("SELECT token FROM blob_log WHERE workspace = ? ORDER BY n DESC LIMIT 1"));
    QSqlQuery &q = *head;
    q.addBindValue(workspace);
    if (!q.exec())
        return databaseError(QStringLiteral("reading the uploads"), q.lastError().text());
    if (q.next())
        check.head = q.value(0).toString();
    if (token.isEmpty() || token == check.head)
        return check;
    q.finish();
    const Statements::Held held
        = statements(QStringLiteral("SELECT 1 FROM blob_log WHERE workspace = ? AND token = ?"));
    held->addBindValue(workspace);
    held->addBindValue(token);
    if (!held->exec())
        return databaseError(QStringLiteral("reading the uploads"), held->lastError().text());
    check.lost = !held->next();
    return check;
}

Ferry::Result<GarbageReport> BlobService::collectGarbage(qint64 graceMs)
{
    GarbageReport report;
    const Ferry::Result<QHash<QString, qint64>> released = releaseUnnamed(graceMs, report);
    if (!released)
        return released.error();
    if (Ferry::Status removed = removeUnheldFiles(released.value(), report); !removed)
        return removed.error();
    return report;
}

Ferry::Result<QHash<QString, qint64>> BlobService::releaseUnnamed(qint64 graceMs,
                                                                  GarbageReport &report)
{
    WriteTransaction tx(m_db, m_backend, m_statements);
    if (!tx.isOpen())
        return databaseError(QStringLiteral("starting a collection"), tx.error());
    QHash<QString, QList<std::pair<QString, qint64>>> candidates; // workspace -> hash, size
    {
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT workspace, hash, size FROM blobs WHERE created <= ?"));
        q.addBindValue(now() - graceMs);
        if (!q.exec())
            return databaseError(QStringLiteral("listing blobs"), q.lastError().text());
        while (q.next())
            candidates[q.value(0).toString()].append(
                {q.value(1).toString(), q.value(2).toLongLong()});
    }
    // Blob ids anywhere in a record's fields: the server does not know which fields hold
    // files, and a string that looks like one keeps its blob (never the other way round).
    static const QRegularExpression blobId(QStringLiteral("sha256:([0-9a-f]{64})"));
    QHash<QString, qint64> released; // hash -> size
    for (auto it = candidates.cbegin(); it != candidates.cend(); ++it) {
        QSet<QString> named;
        QSqlQuery q(m_db);
        q.setForwardOnly(true);
        q.prepare(QStringLiteral(
            "SELECT fields FROM records WHERE workspace = ? AND fields LIKE '%sha256:%'"));
        q.addBindValue(it.key());
        if (!q.exec())
            return databaseError(QStringLiteral("reading records"), q.lastError().text());
        while (q.next()) {
            const QString fields = q.value(0).toString();
            for (auto m = blobId.globalMatch(fields); m.hasNext();)
                named.insert(m.next().captured(1));
        }
        QSqlQuery drop(m_db);
        drop.prepare(QStringLiteral("DELETE FROM blobs WHERE workspace = ? AND hash = ?"));
        for (const auto &[hash, size] : it.value()) {
            if (named.contains(hash))
                continue;
            drop.addBindValue(it.key());
            drop.addBindValue(hash);
            if (!drop.exec())
                return databaseError(QStringLiteral("releasing a blob"), drop.lastError().text());
            ++report.released;
            released.insert(hash, size);
        }
    }
    if (!tx.commit())
        return databaseError(QStringLiteral("ending a collection"), tx.error());
    return released;
}

Ferry::Status BlobService::removeUnheldFiles(const QHash<QString, qint64> &released,
                                             GarbageReport &report)
{
    // One transaction per file: each holds its blob's lock (on PostgreSQL an entry in a
    // shared table of bounded size) only while it decides and removes.
    for (auto it = released.cbegin(); it != released.cend(); ++it) {
        WriteTransaction tx(m_db, m_backend, m_statements);
        if (!tx.isOpen())
            return databaseError(QStringLiteral("checking a blob"), tx.error());
        if (Ferry::Status locked = m_backend.lockBlob(m_statements, it.key()); !locked)
            return locked;
        QSqlQuery q(m_db);
        q.prepare(QStringLiteral("SELECT (SELECT COUNT(*) FROM blobs WHERE hash = ?) + "
                                 "(SELECT COUNT(*) FROM blob_uploads WHERE hash = ?)"));
        q.addBindValue(it.key());
        q.addBindValue(it.key());
        if (!q.exec() || !q.next())
            return databaseError(QStringLiteral("checking a blob"), q.lastError().text());
        if (q.value(0).toLongLong() == 0 && QFile::remove(filePath(kPrefix + it.key()))) {
            ++report.files;
            report.bytes += it.value();
        }
        q.finish();
        if (!tx.commit())
            return databaseError(QStringLiteral("checking a blob"), tx.error());
    }
    return Ferry::success();
}

Ferry::Result<StorageUse> BlobService::usage(const QString &workspace)
{
    QSqlQuery q(m_db);
    q.prepare(QStringLiteral("SELECT (SELECT COUNT(*) FROM records WHERE workspace = ?), "
                             "COUNT(*), COALESCE(SUM(size), 0) FROM blobs WHERE workspace = ?"));
    q.addBindValue(workspace);
    q.addBindValue(workspace);
    if (!q.exec() || !q.next())
        return databaseError(QStringLiteral("measuring a workspace"), q.lastError().text());
    return StorageUse {q.value(0).toLongLong(), q.value(1).toLongLong(), q.value(2).toLongLong()};
}

Ferry::Result<std::shared_ptr<QIODevice>> BlobService::open(const QString &id,
                                                            const BlobRange &range)
{
    auto file = std::make_shared<QFile>(filePath(id));
    if (!file->open(QIODevice::ReadOnly) || file->size() != range.total)
        return storageError(QStringLiteral("reading blob %1").arg(id),
                            file->error() == QFileDevice::NoError
                                ? QStringLiteral("the file has the wrong size")
                                : file->errorString());
    if (!file->seek(range.start))
        return storageError(QStringLiteral("reading blob %1").arg(id), file->errorString());
    return std::shared_ptr<QIODevice>(std::move(file));
}

} // namespace FerryServer
