#include "signinlimiter.h"

#include <algorithm>

namespace FerryServer {

namespace {

// Past this many keys, old ones are swept out on the next failure, so a flood of made-up
// user names cannot grow the tables without bound.
constexpr qsizetype kSweepAbove = 10000;

} // namespace

SignInLimiter::SignInLimiter()
{
    m_clock.start();
}

qint64 SignInLimiter::waitFor(const QString &user, const QString &address)
{
    return std::max(remaining(m_accounts, user), remaining(m_addresses, address));
}

void SignInLimiter::failed(const QString &user, const QString &address)
{
    record(m_accounts, user, kFreeAccountFailures);
    record(m_addresses, address, kFreeAddressFailures);
}

void SignInLimiter::succeeded(const QString &user)
{
    m_accounts.remove(user);
}

qint64 SignInLimiter::registrationWaitFor(const QString &address)
{
    return remaining(m_registrations, address);
}

void SignInLimiter::registered(const QString &address)
{
    record(m_registrations, address, kFreeRegistrations);
}

void SignInLimiter::record(QHash<QString, Failures> &table, const QString &key, int free)
{
    if (table.size() > kSweepAbove)
        forgetOld(table);
    const qint64 now = m_clock.elapsed();
    Failures &f = table[key];
    if (f.count > 0 && now - f.last > kForgetAfterMs)
        f = Failures {};
    ++f.count;
    f.last = now;
    if (f.count >= free) {
        const int doublings = std::min(f.count - free, 20);
        f.lockedUntil = now + std::min(kFirstLockMs << doublings, kLongestLockMs);
    }
}

qint64 SignInLimiter::remaining(QHash<QString, Failures> &table, const QString &key)
{
    const auto found = table.constFind(key);
    if (found == table.constEnd())
        return 0;
    return std::max<qint64>(0, found->lockedUntil - m_clock.elapsed());
}

void SignInLimiter::forgetOld(QHash<QString, Failures> &table)
{
    const qint64 now = m_clock.elapsed();
    table.removeIf([now](const QHash<QString, Failures>::iterator it) {
        return now - it->last > kForgetAfterMs && it->lockedUntil <= now;
    });
}

} // namespace FerryServer
