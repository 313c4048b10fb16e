#include "sha256.h"

#include <QIODevice>

#include <openssl/evp.h>

namespace Ferry {

Sha256::Sha256()
    : m_context(EVP_MD_CTX_new())
{
    Q_CHECK_PTR(m_context);
    reset();
}

Sha256::~Sha256()
{
    EVP_MD_CTX_free(m_context);
}

void Sha256::reset()
{
    const int ok = EVP_DigestInit_ex(m_context, EVP_sha256(), nullptr);
    Q_ASSERT(ok == 1);
    Q_UNUSED(ok);
}

void Sha256::addData(QByteArrayView bytes)
{
    if (!bytes.isEmpty())
        EVP_DigestUpdate(m_context, bytes.data(), size_t(bytes.size()));
}

bool Sha256::addData(QIODevice *device)
{
    QByteArray buffer(1 << 20, Qt::Uninitialized);
    for (;;) {
        const qint64 read = device->read(buffer.data(), buffer.size());
        if (read < 0)
            return false;
        if (read == 0)
            return true;
        addData(QByteArrayView(buffer.constData(), read));
    }
}

QByteArray Sha256::result()
{
    QByteArray digest(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int length = 0;
    EVP_DigestFinal_ex(m_context, reinterpret_cast<unsigned char *>(digest.data()), &length);
    digest.resize(qsizetype(length));
    reset();
    return digest;
}

QByteArray Sha256::hash(QByteArrayView bytes)
{
    Sha256 sha;
    sha.addData(bytes);
    return sha.result();
}

} // namespace Ferry
