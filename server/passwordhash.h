#pragma once

#include <QByteArray>
#include <QString>

namespace FerryServer {

// Password hashing for accounts: Argon2id through libargon2, in its encoded form
// ("$argon2id$v=19$m=...,t=...,p=...$salt$hash"), so the parameters travel with each hash and
// can be raised later without breaking stored ones. Any thread.
namespace PasswordHash {

// Parameters (docs/protocol.md, "Accounts"): 19 MiB of memory, 2 passes, 1 lane, a 16-byte
// salt from the system's CSPRNG and a 32-byte hash.
constexpr quint32 kMemoryKiB = 19 * 1024;
constexpr quint32 kPasses = 2;
constexpr quint32 kLanes = 1;

// The encoded hash of `password`, or an empty array if hashing failed (out of memory).
QByteArray hash(const QString &password);
// Whether `password` matches `encoded`; the comparison inside libargon2 takes constant time.
bool verify(const QString &password, const QByteArray &encoded);
// Spends the time of one verification without a stored hash, so that signing in as a user
// who does not exist (or has no password) takes as long as a wrong password.
void burn(const QString &password);

} // namespace PasswordHash

} // namespace FerryServer
