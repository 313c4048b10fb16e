#include "blobstore.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryFile>

namespace Ferry::Ui {

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
    QCryptographicHash hash(QCryptographicHash::Sha256);
    QByteArray chunk;
    while (!(chunk = source.read(1 << 20)).isEmpty()) {
        hash.addData(chunk);
        if (copy.write(chunk) != chunk.size())
            return blobError(QObject::tr("Cannot copy the file: %1").arg(copy.errorString()));
    }
    if (source.error() != QFileDevice::NoError)
        return blobError(QObject::tr("Cannot read %1: %2")
                             .arg(QFileInfo(path).fileName(), source.errorString()));
    const QString value = QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex());
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

} // namespace Ferry::Ui
