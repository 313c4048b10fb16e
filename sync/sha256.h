#pragma once

#include <QByteArray>
#include <QByteArrayView>

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

} // namespace Ferry
