#include "passwordhash.h"

#include <QRandomGenerator>

#include <argon2.h>

namespace FerryServer::PasswordHash {

namespace {

constexpr int kSaltBytes = 16;
constexpr int kHashBytes = 32;

QByteArray salt()
{
    QByteArray bytes(kSaltBytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(bytes.data()),
                                         reinterpret_cast<quint32 *>(bytes.data() + bytes.size()));
    return bytes;
}

} // namespace

QByteArray hash(const QString &password)
{
    const QByteArray utf8 = password.toUtf8();
    const QByteArray saltBytes = salt();
    const size_t length
        = argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
    QByteArray encoded(qsizetype(length), '\0');
    const int rc = argon2id_hash_encoded(
        kPasses, kMemoryKiB, kLanes, utf8.constData(), size_t(utf8.size()), saltBytes.constData(),
        size_t(saltBytes.size()), kHashBytes, encoded.data(), length);
    if (rc != ARGON2_OK)
        return {};
    encoded.truncate(qsizetype(qstrlen(encoded.constData())));
    return encoded;
}

bool verify(const QString &password, const QByteArray &encoded)
{
    if (!encoded.startsWith("$argon2id$"))
        return false;
    const QByteArray utf8 = password.toUtf8();
    return argon2id_verify(encoded.constData(), utf8.constData(), size_t(utf8.size())) == ARGON2_OK;
}

void burn(const QString &password)
{
    // A hash made once per process with the same parameters; verifying against it costs
    // what a real verification costs.
    static const QByteArray decoy = hash(QStringLiteral("ferry-decoy-password"));
    verify(password, decoy);
}

} // namespace FerryServer::PasswordHash
