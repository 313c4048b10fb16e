#include "blobstore.h"

#include "sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QMimeDatabase>
#include <QTemporaryFile>

#include <algorithm>

namespace Ferry {

namespace {

Error blobError(const QString &message)
{
    return Error {QStringLiteral("blob"), message};
}

} // namespace

Result<QString> BlobStore::add(const QString &folder, const QString &path)
{
    if (folder.isEmpty())
        return blobError(QObject::tr("There is no folder to keep files in."));
    if (!QDir().mkpath(folder))
        return blobError(QObject::tr("Cannot create the folder %1.").arg(folder));
    QFile source(path);
    if (!source.open(QIODevice::ReadOnly))
        return blobError(QObject::tr("Cannot read %1: %2")
                             .arg(QFileInfo(path).fileName(), source.errorString()));
    // Hash while copying, so a large file is read once and never held in memory whole.
    QTemporaryFile copy(QDir(folder).filePath(QStringLiteral("incoming-XXXXXX")));
    if (!copy.open())
        return blobError(QObject::tr("Cannot write into %1: %2").arg(folder, copy.errorString()));
    Sha256 hash;
    QByteArray chunk;
    while (!(chunk = source.read(1 << 20)).isEmpty()) {
        hash.addData(chunk);
        if (copy.write(chunk) != chunk.size())
            return blobError(QObject::tr("Cannot copy the file: %1").arg(copy.errorString()));
    }
    if (source.error() != QFileDevice::NoError)
        return blobError(QObject::tr("Cannot read %1: %2")
                             .arg(QFileInfo(path).fileName(), source.errorString()));
    const QString value = valueOf(hash);
    const QString target = filePath(folder, value);
    if (QFileInfo::exists(target))
        return value; // the same bytes are already kept
    if (!copy.flush() || !copy.rename(target))
        return blobError(QObject::tr("Cannot store the file: %1").arg(copy.errorString()));
    copy.setAutoRemove(false);
    return value;
}

QString BlobStore::filePath(const QString &folder, const QString &value)
{
    const QString hex = value.startsWith(QLatin1String("sha256:")) ? value.mid(7) : value;
    return QDir(folder).filePath(hex);
}

QString BlobStore::partPath(const QString &folder, const QString &value)
{
    return filePath(folder, value) + QStringLiteral(".part");
}

bool BlobStore::has(const QString &folder, const QString &value)
{
    return !folder.isEmpty() && isBlobId(value) && QFileInfo(filePath(folder, value)).isFile();
}

bool BlobStore::isBlobId(const QString &value)
{
    if (value.size() != 71 || !value.startsWith(QLatin1String("sha256:")))
        return false;
    return std::all_of(value.cbegin() + 7, value.cend(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

Result<QString> BlobStore::hashFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return blobError(
            QObject::tr("Cannot read %1: %2").arg(QFileInfo(path).fileName(), file.errorString()));
    Sha256 hash;
    if (!hash.addData(&file) || file.error() != QFileDevice::NoError)
        return blobError(
            QObject::tr("Cannot read %1: %2").arg(QFileInfo(path).fileName(), file.errorString()));
    return valueOf(hash);
}

QJsonObject BlobStore::fileDetails(const FieldDef &blob, const QString &path,
                                   const QJsonObject &current)
{
    const QFileInfo file(path);
    QJsonObject details;
    if (!blob.fileNameField.isEmpty()) {
        const QJsonValue name = current.value(blob.fileNameField);
        if (name.isNull() || name.isUndefined() || name.toString().isEmpty())
            details.insert(blob.fileNameField, file.fileName());
    }
    if (!blob.fileTypeField.isEmpty())
        details.insert(blob.fileTypeField, QMimeDatabase().mimeTypeForFile(file).name());
    if (!blob.fileSizeField.isEmpty())
        details.insert(blob.fileSizeField, double(file.size()));
    return details;
}

QString BlobStore::valueOf(Sha256 &hash)
{
    return QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
}

Status BlobStore::adoptPart(const QString &folder, const QString &value, const QString &hashed)
{
    const QString part = partPath(folder, value);
    const Result<QString> actual = hashed.isEmpty() ? hashFile(part) : Result<QString>(hashed);
    if (!actual)
        return actual.error();
    if (actual.value() != value) {
        QFile::remove(part);
        return Error {
            QStringLiteral("blob_mismatch"),
            QObject::tr("The bytes received for %1 are not that file (they hash to "
                        "%2); nothing was kept.")
                .arg(value.left(19) + QChar(0x2026), actual.value().left(19) + QChar(0x2026))};
    }
    const QString target = filePath(folder, value);
    if (QFileInfo::exists(target)) {
        QFile::remove(part);
        return success();
    }
    if (!QFile::rename(part, target))
        return blobError(QObject::tr("Cannot store the file %1.").arg(target));
    return success();
}

} // namespace Ferry
