#pragma once

#include "records.h"

#include <QObject>
#include <QStringList>

namespace Ferry {
class DataStore;
class SyncScheduler;
} // namespace Ferry

namespace Ferry::Ui {

// What settling conflicts by a policy did.
struct PolicyOutcome
{
    int resolved = 0;
    QStringList problems; // one sentence per conflict that could not be settled
};

// Settles `conflicts` as `policy` decides (Reconcile::decide), each through
// DataStore::resolveConflict; a conflict already settled meanwhile is skipped. GUI thread.
PolicyOutcome resolveByPolicy(DataStore &store, ConflictPolicy policy,
                              const QList<Conflict> &conflicts);

// The person's default policy at work: after each sync, the conflicts it brought are settled
// by the policy (unless it is Ask) and a sync is asked for, so the decisions reach the
// server and the other devices. Conflicts that were already waiting stay for the person.
// GUI thread.
class AutoResolver : public QObject
{
    Q_OBJECT

public:
    AutoResolver(DataStore &store, SyncScheduler &scheduler, QObject *parent = nullptr);

    void setPolicy(ConflictPolicy policy) { m_policy = policy; }
    ConflictPolicy policy() const { return m_policy; }

Q_SIGNALS:
    void resolved(const Ferry::Ui::PolicyOutcome &outcome);

private:
    void onSyncFinished();

    DataStore &m_store;
    SyncScheduler &m_scheduler;
    ConflictPolicy m_policy = ConflictPolicy::Ask;
    qint64 m_since = 0; // conflicts detected from then on are new (this device's clock)
};

} // namespace Ferry::Ui

Q_DECLARE_METATYPE(Ferry::Ui::PolicyOutcome)
