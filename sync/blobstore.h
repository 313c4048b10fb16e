#pragma once

#include "result.h"
#include "schema.h"

#include <QJsonObject>

#include <QString>

namespace Ferry {

class Sha256;

// The profile's content store for blob fields: files named by the SHA-256 of their bytes
// in one folder, so a blob value ("sha256:<hex>") finds its bytes and equal files are kept
// once. A download in progress is kept beside as "<hex>.part" until its hash is checked.
// Functions only; any thread.
class BlobStore
{
public:
    // Copies the file at `path` into `folder` and returns its blob value.
    static Result<QString> add(const QString &folder, const QString &path);
    // Where the bytes of blob `value` live in `folder` (the file may not exist yet).
    static QString filePath(const QString &folder, const QString &value);
    // Where a download of `value` collects its bytes until they are checked.
    static QString partPath(const QString &folder, const QString &value);
    // Whether `folder` holds the bytes of `value`.
    static bool has(const QString &folder, const QString &value);
    // "sha256:" and 64 lowercase hex digits.
    static bool isBlobId(const QString &value);
    // The blob value of the bytes in the file at `path`, read in pieces.
    static Result<QString> hashFile(const QString &path);
    // The blob value of what `hash` was given (and starts it over).
    static QString valueOf(Sha256 &hash);
    // Takes the finished download at partPath(folder, value) as the bytes of `value` if they
    // hash to it; otherwise removes it and says what the bytes were. `hashed`: the blob value
    // of the part's bytes, worked out as they arrived (empty: the part is read to find it).
    static Status adoptPart(const QString &folder, const QString &value,
                            const QString &hashed = {});

    // What a file chosen for blob field `blob` puts into the record's other fields: its name,
    // media type and size, into the fields the schema names for them (FieldDef::fileName…);
    // a name the record already has (`current`) is the person's and stays.
    static QJsonObject fileDetails(const FieldDef &blob, const QString &path,
                                   const QJsonObject &current);
};

} // namespace Ferry
