#pragma once

#include "records.h"
#include "schema.h"
#include "wire.h"

// The client's merge rules, as pure functions on values: no database, no network, so they
// can be tested case by case and called from any thread. docs/protocol.md ("Conflict
// handling on the client") describes them.
namespace Ferry::Reconcile {

// Brings the server's state of a record (a pulled change, or the record in a push answer)
// into the local copy. Fields the device did not change take the server's values; fields
// it changed are kept, merged (sets, text), or become entries of `conflict`. The fields
// merged from both sides are added to `autoMerged`. Fields the local schema does not know
// go to `extra`, verbatim.
// What is known of a server record beyond its values.
struct RemoteState
{
    // It holds every field the server has (a push answer's record): fields it leaves out
    // are empty on the server. A pulled change holds only the fields changed since the
    // cursor, except for a tombstone brought back, which applyRemote sees by itself.
    bool complete = false;
    // Fields the server said changed since this device's base (a push answer's
    // `conflicts`): a conflict even when the server's value equals the base.
    QStringList conflicts;
};

void applyRemote(const EntityDef &entity, LocalRecord &local, const Wire::RemoteRecord &remote,
                 Conflict &conflict, QStringList *autoMerged = nullptr,
                 const RemoteState &state = {});

// Applies the server's answer to one pushed mutation. `pushed` holds the values the
// mutation sent (see mutationFor); fields edited again while the push was in flight stay
// dirty.
void applyPushResult(const EntityDef &entity, LocalRecord &local, const QJsonObject &pushed,
                     const Wire::MutationResult &result, Conflict &conflict,
                     QStringList *autoMerged = nullptr);

// The mutation that sends a record's dirty fields, and (in `pushed`) the values it sends.
Wire::Mutation mutationFor(const EntityDef &entity, const LocalRecord &local, QJsonObject *pushed);

// Settles a conflict: this device's values or the other side's. Keeping mine leaves the
// record dirty against the server's revision, so pushing it is an ordinary change.
void resolve(const EntityDef &entity, LocalRecord &local, Conflict &conflict,
             Resolution resolution);

// Settles a conflict as decided (see ConflictDecision). KeepBoth settles this record as
// KeepTheirs; the caller makes the copy (copyForKeepBoth) in the same transaction.
void resolve(const EntityDef &entity, LocalRecord &local, Conflict &conflict,
             const ConflictDecision &decision);

// The fields of a new record holding this device's side of a conflicted record, for
// "keep both".
QJsonObject copyForKeepBoth(const EntityDef &entity, const LocalRecord &local);

// What a policy decides for a conflict; nothing for ConflictPolicy::Ask.
std::optional<ConflictDecision> decide(ConflictPolicy policy, const LocalRecord &local,
                                       const Conflict &conflict);

// Three-way merge of sets: adds and removes of both sides applied. Sorted, no duplicates.
QJsonValue mergeSets(const QJsonValue &base, const QJsonValue &mine, const QJsonValue &theirs);

// The server lost history this device had pulled (it was restored from an older backup),
// so neither side's values can be taken on trust: brings the server's record (every field)
// in without dropping what this device holds. A value that differs becomes a conflict
// (mine: this device's, theirs: the server's) unless this device changed it and the server
// still has its base; the record is based on the server's revision from now on.
void recoverRemote(const EntityDef &entity, LocalRecord &local, const Wire::RemoteRecord &remote,
                   Conflict &conflict);

// After this device deleted or restored a record in conflict: a delete against the other
// side's delete, or a restore against the other side's edit, settles that part.
void settleLocalDelete(LocalRecord &local, Conflict &conflict);

// Sets `status` from the dirty fields and the conflict.
void updateStatus(LocalRecord &local, const Conflict &conflict);

// The value of a field or of the "$deleted" flag.
QJsonValue valueOf(const LocalRecord &local, QStringView field);

} // namespace Ferry::Reconcile
