#pragma once

#include "result.h"

#include <QString>

namespace Ferry::Ui {

// The profile's content store for blob fields: files named by the SHA-256 of their bytes
// in one folder, so a blob value ("sha256:<hex>") finds its bytes and equal files are kept
// once. GUI thread (file copies are local and short).
class BlobStore
{
public:
    // Copies the file at `path` into `folder` and returns its blob value.
    static Result<QString> add(const QString &folder, const QString &path);
    // Where the bytes of blob `value` live in `folder` (the file may not exist yet).
    static QString filePath(const QString &folder, const QString &value);
};

} // namespace Ferry::Ui
