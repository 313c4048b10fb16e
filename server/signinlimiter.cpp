#include "signinlimiter.h"

#include "serverstore.h"

#include <QDateTime>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace FerryServer {

namespace {

// Every this many failures, keys with no failure for an hour are swept out, so a flood of
// made-up user names cannot grow the table without bound.
constexpr int kSweepEvery = 1000;

const QString kAccount = QStringLiteral("account");
const QString kAddress = QStringLiteral("address");
const QString kRegistration = QStringLiteral("registration");

qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

SignInLimiter::SignInLimiter(ServerStore &store)
    : m_store(store)
{ }

Ferry::Result<qint64> SignInLimiter::waitFor(const QString &user, const QString &address)
{
    const Ferry::Result<qint64> account = remaining(kAccount, user);
    if (!account)
        return account;
    const Ferry::Result<qint64> from = remaining(kAddress, address);
    if (!from)
        return from;
    return std::max(account.value(), from.value());
}

Ferry::Status SignInLimiter::failed(const QString &user, const QString &address)
{
    if (Ferry::Status s = record(kAccount, user, kFreeAccountFailures); !s)
        return s;
    return record(kAddress, address, kFreeAddressFailures);
}

Ferry::Status SignInLimiter::succeeded(const QString &user)
{
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("DELETE FROM signin_failures WHERE kind = ? AND key = ?"));
    q.addBindValue(kAccount);
    q.addBindValue(user);
    if (!q.exec())
        return databaseError(QStringLiteral("clearing failed sign-ins"), q.lastError().text());
    return Ferry::success();
}

Ferry::Result<qint64> SignInLimiter::registrationWaitFor(const QString &address)
{
    return remaining(kRegistration, address);
}

Ferry::Status SignInLimiter::registered(const QString &address)
{
    return record(kRegistration, address, kFreeRegistrations);
}

Ferry::Status SignInLimiter::record(const QString &kind, const QString &key, int free)
{
    if (++m_recorded % kSweepEvery == 0)
        forgetOld();
    const qint64 at = now();
    // One statement counts, so failures checked at once on several servers all count.
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral(
        "INSERT INTO signin_failures (kind, key, count, last, locked_until) VALUES (?, ?, 1, ?, 0) "
        "ON CONFLICT (kind, key) DO UPDATE SET count = CASE WHEN signin_failures.last < ? "
        "THEN 1 ELSE signin_failures.count + 1 END, last = excluded.last RETURNING count"));
    q.addBindValue(kind);
    q.addBindValue(key);
    q.addBindValue(at);
    q.addBindValue(at - kForgetAfterMs);
    if (!q.exec() || !q.next())
        return databaseError(QStringLiteral("counting a failed sign-in"), q.lastError().text());
    const int count = q.value(0).toInt();
    q.finish();
    if (count < free)
        return Ferry::success();
    const int doublings = std::min(count - free, 20);
    const qint64 until = at + std::min(kFirstLockMs << doublings, kLongestLockMs);
    QSqlQuery lock(m_store.database());
    lock.prepare(QStringLiteral("UPDATE signin_failures SET locked_until = ? "
                                "WHERE kind = ? AND key = ? AND locked_until < ?"));
    lock.addBindValue(until);
    lock.addBindValue(kind);
    lock.addBindValue(key);
    lock.addBindValue(until);
    if (!lock.exec())
        return databaseError(QStringLiteral("locking sign-ins"), lock.lastError().text());
    return Ferry::success();
}

Ferry::Result<qint64> SignInLimiter::remaining(const QString &kind, const QString &key)
{
    QSqlQuery q(m_store.database());
    q.prepare(
        QStringLiteral("SELECT locked_until FROM signin_failures WHERE kind = ? AND key = ?"));
    q.addBindValue(kind);
    q.addBindValue(key);
    if (!q.exec())
        return databaseError(QStringLiteral("reading failed sign-ins"), q.lastError().text());
    if (!q.next())
        return 0;
    return std::max<qint64>(0, q.value(0).toLongLong() - now());
}

void SignInLimiter::forgetOld()
{
    const qint64 at = now();
    QSqlQuery q(m_store.database());
    q.prepare(QStringLiteral("DELETE FROM signin_failures WHERE last < ? AND locked_until <= ?"));
    q.addBindValue(at - kForgetAfterMs);
    q.addBindValue(at);
    q.exec(); // only housekeeping: the next sweep tries again
}

} // namespace FerryServer
