#include "policyresolver.h"

#include "datastore.h"
#include "reconcile.h"
#include "syncscheduler.h"

#include <QDateTime>

#include <utility>

namespace Ferry::Ui {

PolicyOutcome resolveByPolicy(DataStore &store, ConflictPolicy policy,
                              const QList<Conflict> &conflicts)
{
    PolicyOutcome outcome;
    for (const Conflict &listed : conflicts) {
        // Read both again: a sync may have moved the record on since the list was made.
        const Result<std::optional<Conflict>> conflict = store.store().conflict(listed.guid);
        const Result<LocalRecord> record = store.store().record(listed.guid);
        if (!conflict || !record) {
            outcome.problems.append(!conflict ? conflict.error().message : record.error().message);
            continue;
        }
        if (!conflict.value() || conflict.value()->isEmpty())
            continue;
        const std::optional<ConflictDecision> decision
            = Reconcile::decide(policy, record.value(), *conflict.value());
        if (!decision)
            continue;
        const Status status = store.resolveConflict(listed.guid, *decision);
        if (status)
            ++outcome.resolved;
        else
            outcome.problems.append(status.error().message);
    }
    return outcome;
}

AutoResolver::AutoResolver(DataStore &store, SyncScheduler &scheduler, QObject *parent)
    : QObject(parent)
    , m_store(store)
    , m_scheduler(scheduler)
    , m_since(QDateTime::currentMSecsSinceEpoch())
{
    connect(&m_scheduler, &SyncScheduler::syncFinished, this, &AutoResolver::onSyncFinished);
}

void AutoResolver::onSyncFinished()
{
    // Conflicts are detected during a sync, so those detected since the end of the last one
    // are the new ones; earlier ones were left to the person.
    const qint64 since = std::exchange(m_since, QDateTime::currentMSecsSinceEpoch());
    if (m_policy == ConflictPolicy::Ask)
        return;
    const Result<QList<Conflict>> conflicts = m_store.store().conflicts();
    if (!conflicts)
        return;
    QList<Conflict> fresh;
    for (const Conflict &conflict : conflicts.value()) {
        if (conflict.detectedAt >= since)
            fresh.append(conflict);
    }
    if (fresh.isEmpty())
        return;
    const PolicyOutcome outcome = resolveByPolicy(m_store, m_policy, fresh);
    if (outcome.resolved > 0 && !m_scheduler.isPaused())
        m_scheduler.syncNow(); // the decisions go out now, not after the debounce
    Q_EMIT resolved(outcome);
}

} // namespace Ferry::Ui
