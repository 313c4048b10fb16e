#include "sha256.h"

#include <QIODevice>
#include <QThreadPool>

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

namespace {

QThreadPool *hashPool()
{
    static QThreadPool pool;
    return &pool;
}

} // namespace

BackgroundSha256::~BackgroundSha256()
{
    waitIdle();
}

void BackgroundSha256::add(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return;
    QMutexLocker lock(&m_mutex);
    while (m_waitingBytes > kMaxWaiting)
        m_changed.wait(&m_mutex);
    m_waiting.append(bytes);
    m_waitingBytes += bytes.size();
    if (!m_running) {
        m_running = true;
        hashPool()->start([this] { run(); });
    }
}

Sha256 &BackgroundSha256::sha()
{
    waitIdle();
    return m_sha;
}

void BackgroundSha256::waitIdle()
{
    QMutexLocker lock(&m_mutex);
    while (m_running)
        m_changed.wait(&m_mutex);
}

void BackgroundSha256::run()
{
    QMutexLocker lock(&m_mutex);
    while (!m_waiting.isEmpty()) {
        const QByteArray bytes = m_waiting.takeFirst();
        lock.unlock();
        m_sha.addData(bytes);
        lock.relock();
        m_waitingBytes -= bytes.size();
        m_changed.wakeAll();
    }
    m_running = false;
    m_changed.wakeAll();
}

} // namespace Ferry
