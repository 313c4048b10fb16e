#pragma once

#include <QElapsedTimer>
#include <QHash>
#include <QString>

namespace FerryServer {

// Slows down password guessing (docs/protocol.md, "Rate limiting"): counts failed sign-ins
// per account and per client address, and after a few free failures locks that key for a
// window that doubles with every further failure. Registrations are counted per address the
// same way (each one costs a password hash, so a flood of them would hold the server's
// thread). Kept in memory only, so a restart forgets it. Handlers never sleep: a locked key is
// refused at once with the seconds to wait. Single-threaded: the server thread.
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

    SignInLimiter();

    // Milliseconds until the account or the address may try again; 0 if it may now.
    qint64 waitFor(const QString &user, const QString &address);
    void failed(const QString &user, const QString &address);
    // A good password: the account's count starts over. The address keeps its count (one
    // good account must not reset the guessing of others from the same place).
    void succeeded(const QString &user);

    // Milliseconds until the address may register another account; 0 if it may now.
    qint64 registrationWaitFor(const QString &address);
    void registered(const QString &address);

private:
    struct Failures
    {
        int count = 0;
        qint64 last = 0; // m_clock time of the last failure
        qint64 lockedUntil = 0;
    };

    void record(QHash<QString, Failures> &table, const QString &key, int free);
    qint64 remaining(QHash<QString, Failures> &table, const QString &key);
    void forgetOld(QHash<QString, Failures> &table);

    QHash<QString, Failures> m_accounts;
    QHash<QString, Failures> m_addresses;
    QHash<QString, Failures> m_registrations; // counted like failures, by address
    QElapsedTimer m_clock;
};

} // namespace FerryServer
