#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QMutex>
#include <QWaitCondition>

class QIODevice;
struct evp_md_ctx_st;

namespace Ferry {

// SHA-256 through OpenSSL's libcrypto, which uses the processor's SHA instructions where it
// has them: files are hashed about as fast as they move (QCryptographicHash in Qt 6.4 managed
// a seventh of that here, and a 200 MB download spent more time hashing than receiving).
class Sha256
{
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView bytes);
    // Reads `device` from where it is to its end; false if a read failed.
    bool addData(QIODevice *device);
    // The 32 bytes of the digest; starts over for what is added next.
    QByteArray result();
    void reset();

    static QByteArray hash(QByteArrayView bytes);

private:
    evp_md_ctx_st *m_context;
};

// The hash of bytes handed over in order, computed on a pool thread while the caller goes on
// with the same bytes (writing them out): a large download costs the slower of the two, not
// their sum. At most kMaxWaiting bytes wait; add() waits while more do.
class BackgroundSha256
{
public:
    static constexpr qsizetype kMaxWaiting = 4 * 1024 * 1024;

    BackgroundSha256() = default;
    ~BackgroundSha256();
    BackgroundSha256(const BackgroundSha256 &) = delete;
    BackgroundSha256 &operator=(const BackgroundSha256 &) = delete;

    void add(const QByteArray &bytes);
    // The hash with every byte added so far in it (waits for them), to read or add to.
    Sha256 &sha();

private:
    void run();
    void waitIdle();

    Sha256 m_sha;
    QMutex m_mutex;
    QWaitCondition m_changed;
    QList<QByteArray> m_waiting;
    qsizetype m_waitingBytes = 0;
    bool m_running = false;
};

} // namespace Ferry
