#pragma once

#include "result.h"

#include <QString>

namespace FerryServer {

class ServerStore;

// Slows down password guessing (docs/protocol.md, "Rate limiting"): counts failed sign-ins
// per account and per client address, and after a few free failures locks that key for a
// window that doubles with every further failure. Registrations are counted per address the
// same way (each one costs a password hash). The counts live in the store (table
// signin_failures), so every server sharing it sees one count and a restart keeps it; times
// are the wall clock's, which servers sharing a store must agree on. Handlers never sleep: a
// locked key is refused at once with the time to wait. Runs on the store's thread.
class SignInLimiter
{
public:
    static constexpr int kFreeAccountFailures = 5;
    static constexpr int kFreeAddressFailures = 50;
    static constexpr int kFreeRegistrations = 30; // per address
    static constexpr qint64 kFirstLockMs = 1000;
    static constexpr qint64 kLongestLockMs = 15 * 60 * 1000;
    // A key with no failure for this long is forgotten.
    static constexpr qint64 kForgetAfterMs = 60 * 60 * 1000;

    explicit SignInLimiter(ServerStore &store);

    // Milliseconds until the account or the address may try again; 0 if it may now.
    Ferry::Result<qint64> waitFor(const QString &user, const QString &address);
    Ferry::Status failed(const QString &user, const QString &address);
    // A good password: the account's count starts over. The address keeps its count (one
    // good account must not reset the guessing of others from the same place).
    Ferry::Status succeeded(const QString &user);

    // Milliseconds until the address may register another account; 0 if it may now.
    Ferry::Result<qint64> registrationWaitFor(const QString &address);
    Ferry::Status registered(const QString &address);

private:
    Ferry::Status record(const QString &kind, const QString &key, int free);
    Ferry::Result<qint64> remaining(const QString &kind, const QString &key);
    void forgetOld();

    ServerStore &m_store;
    int m_recorded = 0;
};

} // namespace FerryServer
