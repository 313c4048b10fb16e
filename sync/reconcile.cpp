#include "reconcile.h"

#include "textmerge.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSet>

namespace Ferry::Reconcile {

namespace {

QSet<QString> toSet(const QJsonValue &value)
{
    QSet<QString> set;
    const QJsonArray array = value.toArray();
    for (const QJsonValue &member : array)
        set.insert(member.toString());
    return set;
}

QJsonArray sortedArray(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return QJsonArray::fromStringList(list);
}

void clean(LocalRecord &local, const QString &field)
{
    local.dirty.removeAll(field);
    local.base.remove(field);
}

// Forgets what this device changed since `rev`: each changed field takes back its value at
// `rev`. For a record that ends deleted, so that a restore shows what the server kept.
void dropLocalChanges(LocalRecord &local)
{
    for (const QString &field : std::as_const(local.dirty)) {
        if (field != kDeletedFlag)
            local.fields.insert(field, local.base.value(field));
    }
    local.dirty.clear();
    local.base = {};
}

void markDirty(LocalRecord &local, const QString &field, const QJsonValue &base)
{
    if (!local.dirty.contains(field)) {
        local.dirty.append(field);
        local.base.insert(field, base);
    }
}

bool hasDirtyFields(const LocalRecord &local)
{
    for (const QString &field : local.dirty) {
        if (field != kDeletedFlag)
            return true;
    }
    return false;
}

void setFieldConflict(Conflict &conflict, const QString &field, const QJsonValue &base,
                      const QJsonValue &mine, const QJsonValue &theirs)
{
    for (FieldConflict &existing : conflict.fields) {
        if (existing.field == field) {
            // Keep the original base: it is what both sides diverged from.
            existing.mine = mine;
            existing.theirs = theirs;
            return;
        }
    }
    conflict.fields.append(FieldConflict {field, base, mine, theirs});
}

// The server now holds `sent` for `field`: the field is in sync unless it changed again
// locally meanwhile, in which case `sent` becomes its base.
void accept(LocalRecord &local, const QString &field, const QJsonValue &sent)
{
    if (sameValue(valueOf(local, field), sent)) {
        clean(local, field);
        return;
    }
    // Changed here since the batch was built, perhaps back to what it was before (and so no
    // longer marked): the server now holds what was sent, and this value is an edit on it.
    markDirty(local, field, sent);
    local.base.insert(field, sent);
}

// Equality as the merge rules see it: refs as sets, numbers by value, and date-times as the
// same instant however they are written.
bool sameField(const FieldDef &def, const QJsonValue &a, const QJsonValue &b)
{
    if (sameValue(a, b))
        return true;
    if (def.type != FieldType::DateTime || !a.isString() || !b.isString())
        return false;
    const QDateTime x = QDateTime::fromString(a.toString(), Qt::ISODateWithMs);
    const QDateTime y = QDateTime::fromString(b.toString(), Qt::ISODateWithMs);
    return x.isValid() && y.isValid() && x == y;
}

std::optional<QString> textOf(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isNull() || value.isUndefined())
        return QString();
    return std::nullopt;
}

// Text merges stretch by stretch (TextMerge). A string is one short line, such as a title,
// where splicing words of two versions would surprise: it only follows the whitespace rules,
// so the result must be one side's whole value.
std::optional<QJsonValue> mergeText(const FieldDef &def, const QJsonValue &base,
                                    const QJsonValue &mine, const QJsonValue &theirs)
{
    const std::optional<QString> b = textOf(base), m = textOf(mine), t = textOf(theirs);
    if (!b || !m || !t)
        return std::nullopt;
    const TextMerge::Result result = TextMerge::merge(*b, *m, *t);
    if (!result.isClean())
        return std::nullopt;
    const QString merged = result.text();
    if (merged == *m)
        return mine;
    if (merged == *t)
        return theirs;
    if (def.type != FieldType::Text)
        return std::nullopt;
    return QJsonValue(merged);
}

// Both sides changed a field to different values: the value that keeps both changes, or
// nothing if they conflict. A field already in conflict stays one: its base is no longer
// what this device's value grew from.
std::optional<QJsonValue> mergeBoth(const FieldDef &def, const Conflict &conflict,
                                    const QJsonValue &base, const QJsonValue &mine,
                                    const QJsonValue &theirs)
{
    switch (def.type) {
    case FieldType::Refs:
        if (conflict.field(def.name))
            return std::nullopt; // already the person's to decide: updated, not merged past
        return mergeSets(base, mine, theirs);
    case FieldType::Text:
    case FieldType::String:
        if (conflict.field(def.name))
            return std::nullopt;
        return mergeText(def, base, mine, theirs);
    default:
        return std::nullopt;
    }
}

} // namespace

QJsonValue valueOf(const LocalRecord &local, QStringView field)
{
    if (field == kDeletedFlag)
        return local.deleted;
    return local.fields.value(field);
}

QJsonValue mergeSets(const QJsonValue &base, const QJsonValue &mine, const QJsonValue &theirs)
{
    const QSet<QString> b = toSet(base), m = toSet(mine), t = toSet(theirs);
    QSet<QString> merged = (m - b) + (t - b);
    for (const QString &member : b) {
        if (m.contains(member) && t.contains(member))
            merged.insert(member);
    }
    return sortedArray(merged);
}

void recoverRemote(const EntityDef &entity, LocalRecord &local, const Wire::RemoteRecord &remote,
                   Conflict &conflict)
{
    local.problem.clear();
    if (remote.deleted && local.deleted) {
        dropLocalChanges(local);
        conflict = {};
    } else if (remote.deleted) {
        // A tombstone comes without fields: what this device holds may be values the server
        // lost. They stay this device's edits until the person decides, so that a later
        // restore elsewhere meets them as a conflict instead of overwriting them.
        conflict.theirsDeleted = true;
        conflict.mineDeleted = false; // from a conflict of before: this device has it
        for (const FieldDef &def : entity.fields) {
            const QJsonValue mine = local.fields.value(def.name);
            if (!mine.isNull() && !mine.isUndefined())
                markDirty(local, def.name, QJsonValue(QJsonValue::Null));
        }
    } else {
        // What a conflict of before said about deletes is what the server had then.
        conflict.theirsDeleted = false;
        conflict.mineDeleted = false;
        if (local.deleted) {
            conflict.mineDeleted = true;
            markDirty(local, QString(kDeletedFlag), false);
            local.base.insert(QString(kDeletedFlag), false);
        } else {
            // Live here and there: a restore waiting to go (from a delete the server no
            // longer has) is done; kept, its base would say the server holds a tombstone.
            clean(local, QString(kDeletedFlag));
        }
        local.extra = {};
        for (auto it = remote.fields.begin(); it != remote.fields.end(); ++it) {
            if (!entity.field(it.key()))
                local.extra.insert(it.key(), it.value());
        }
        for (const FieldDef &def : entity.fields) {
            const QJsonValue theirs = remote.fields.value(def.name).isUndefined()
                ? QJsonValue(QJsonValue::Null)
                : remote.fields.value(def.name);
            const QJsonValue mine = local.fields.value(def.name);
            if (sameField(def, theirs, mine)) {
                local.fields.insert(def.name, theirs);
                clean(local, def.name);
                conflict.fields.removeIf(
                    [&](const FieldConflict &f) { return f.field == def.name; });
                continue;
            }
            if (local.deleted && !local.dirty.contains(def.name)) {
                // A tombstone here has no values of its own to offer: the delete is the
                // question, and the server's values are what a restore would show.
                local.fields.insert(def.name, theirs);
                conflict.fields.removeIf(
                    [&](const FieldConflict &f) { return f.field == def.name; });
                continue;
            }
            if (local.dirty.contains(def.name)
                && sameField(def, theirs, local.base.value(def.name)))
                continue; // this device's change, on a value the server still has
            const QJsonValue base
                = local.dirty.contains(def.name) ? local.base.value(def.name) : theirs;
            setFieldConflict(conflict, def.name, base, mine, theirs);
            markDirty(local, def.name, theirs);
            local.base.insert(def.name, theirs);
        }
    }
    local.rev = remote.rev;
    if (!conflict.isEmpty()) {
        conflict.entity = local.entity;
        conflict.guid = local.guid;
        conflict.theirsRev = remote.rev;
        conflict.theirsFields = remote.fields;
        conflict.theirsDevice = remote.device;
        conflict.theirsDeviceName = remote.deviceName;
        conflict.theirsUser = remote.user;
        conflict.theirsAt = remote.changedAt;
        if (conflict.detectedAt == 0)
            conflict.detectedAt = QDateTime::currentMSecsSinceEpoch();
        if (conflict.mineAt == 0)
            conflict.mineAt = local.modified;
    }
    updateStatus(local, conflict);
}

void settleLocalDelete(LocalRecord &local, Conflict &conflict)
{
    if (local.deleted && conflict.theirsDeleted) {
        // Deleted here too: both sides agree, and the edits the conflict was about go.
        dropLocalChanges(local);
        conflict = {};
    } else if (!local.deleted && conflict.mineDeleted) {
        // Restored here: this device no longer deletes the record the other side edited.
        conflict.mineDeleted = false;
    }
}

void updateStatus(LocalRecord &local, const Conflict &conflict)
{
    if (!conflict.isEmpty())
        local.status = SyncStatus::Conflicted;
    else if (!local.dirty.isEmpty())
        local.status = SyncStatus::NeedsSync;
    else
        local.status = SyncStatus::Synced;
}

void applyRemote(const EntityDef &entity, LocalRecord &local, const Wire::RemoteRecord &remote,
                 Conflict &conflict, QStringList *autoMerged, const RemoteState &state)
{
    const bool hadConflict = !conflict.isEmpty();
    if (remote.deleted) {
        if (local.deleted) {
            // Both sides deleted it: nothing left to decide, and what this device changed
            // before deleting never reached the server, so it must not come back with a
            // restore made elsewhere.
            dropLocalChanges(local);
            conflict = {};
        } else if (hasDirtyFields(local)) {
            conflict.theirsDeleted = true;
        } else {
            // Nothing changed here to keep: the delete is taken, and a conflict left from
            // before (this device's delete against an edit since restored) is moot.
            local.deleted = true;
            local.dirty.clear();
            local.base = {};
            conflict = {};
        }
    } else {
        const bool deletedHere = local.deleted && local.dirty.contains(kDeletedFlag);
        // A tombstone brought back elsewhere comes with every field the server holds (a
        // restore gives each the new revision), like the record of a push answer: a field
        // it leaves out is empty on the server.
        const bool revived = local.deleted && !deletedHere;
        if (deletedHere)
            conflict.mineDeleted = true;
        else if (local.deleted)
            local.deleted = false; // restored on another device
        conflict.theirsDeleted = false;

        QJsonObject fields = remote.fields;
        if (revived || state.complete) {
            local.extra = {};
            for (const FieldDef &def : entity.fields) {
                if (!fields.contains(def.name))
                    fields.insert(def.name, QJsonValue(QJsonValue::Null));
            }
        }
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            const FieldDef *def = entity.field(it.key());
            if (!def) {
                local.extra.insert(it.key(), it.value());
                continue;
            }
            const QJsonValue theirs = it.value();
            if (!local.dirty.contains(it.key())) {
                local.fields.insert(it.key(), theirs);
                continue;
            }
            const QJsonValue mine = local.fields.value(it.key());
            const QJsonValue base = local.base.value(it.key());
            if (sameField(*def, theirs, mine)) {
                // Equal values, perhaps written differently: take the server's spelling.
                local.fields.insert(it.key(), theirs);
                clean(local, it.key());
                conflict.fields.removeIf(
                    [&](const FieldConflict &f) { return f.field == it.key(); });
            } else if (sameField(*def, theirs, base)) {
                // Only this device changed it: still ours to push. Unless the server said
                // it changed since the base and came back to the base's value: someone
                // changed it in between, and pushing ours again would overwrite them
                // without either side seeing the other's change.
                if (state.conflicts.contains(it.key())) {
                    setFieldConflict(conflict, it.key(), base, mine, theirs);
                    local.base.insert(it.key(), theirs);
                }
            } else if (const std::optional<QJsonValue> merged
                       = mergeBoth(*def, conflict, base, mine, theirs)) {
                // Both changes kept: what differs from the server's value is this device's
                // change on top of it.
                local.fields.insert(it.key(), *merged);
                if (sameValue(*merged, theirs))
                    clean(local, it.key());
                else
                    local.base.insert(it.key(), theirs);
                if (autoMerged)
                    autoMerged->append(it.key());
            } else {
                setFieldConflict(conflict, it.key(), base, mine, theirs);
                local.base.insert(it.key(), theirs);
            }
        }
    }

    local.rev = std::max(local.rev, remote.rev);
    if (!conflict.isEmpty()) {
        conflict.entity = local.entity;
        conflict.guid = local.guid;
        conflict.theirsRev = remote.rev;
        for (auto it = remote.fields.begin(); it != remote.fields.end(); ++it)
            conflict.theirsFields.insert(it.key(), it.value());
        conflict.theirsDevice = remote.device;
        conflict.theirsDeviceName = remote.deviceName;
        conflict.theirsUser = remote.user;
        conflict.theirsAt = remote.changedAt;
        if (!hadConflict || conflict.detectedAt == 0)
            conflict.detectedAt = QDateTime::currentMSecsSinceEpoch();
        if (conflict.mineAt == 0)
            conflict.mineAt = local.modified;
    }
    updateStatus(local, conflict);
}

void applyPushResult(const EntityDef &entity, LocalRecord &local, const QJsonObject &pushed,
                     const Wire::MutationResult &result, Conflict &conflict,
                     QStringList *autoMerged)
{
    if (result.status == Wire::PushStatus::Rejected) {
        local.problem = result.reason.isEmpty() ? result.code : result.reason;
        return;
    }
    local.problem.clear();
    const bool deleteConflict = result.status == Wire::PushStatus::Conflict
        && result.conflicts.contains(Wire::kDeletedField);
    if (!deleteConflict) {
        for (auto it = pushed.begin(); it != pushed.end(); ++it) {
            if (!result.conflicts.contains(it.key()))
                accept(local, it.key(), it.value());
        }
    }
    if (result.hasRecord) {
        RemoteState state;
        state.complete = true; // a push answer's record has every field
        state.conflicts = result.conflicts;
        applyRemote(entity, local, result.record, conflict, autoMerged, state);
    } else {
        local.rev = std::max(local.rev, result.rev);
        updateStatus(local, conflict);
    }
    if (autoMerged && result.hasRecord && !deleteConflict) {
        // Set operations merge on the server: members other than the ones sent show that
        // another device's changes came in with this device's.
        for (auto it = pushed.begin(); it != pushed.end(); ++it) {
            const FieldDef *def = entity.field(it.key());
            if (def && def->type == FieldType::Refs && result.record.fields.contains(it.key())
                && !sameValue(result.record.fields.value(it.key()), it.value())
                && !autoMerged->contains(it.key()))
                autoMerged->append(it.key());
        }
    }
}

Wire::Mutation mutationFor(const EntityDef &entity, const LocalRecord &local, QJsonObject *pushed)
{
    Wire::Mutation m;
    m.entity = local.entity;
    m.guid = local.guid;
    m.base = local.rev;
    for (const QString &field : local.dirty) {
        if (field == kDeletedFlag) {
            m.deleted = local.deleted;
            pushed->insert(field, local.deleted);
            continue;
        }
        const FieldDef *def = entity.field(field);
        if (!def)
            continue;
        const QJsonValue value = local.fields.value(field);
        if (def->type == FieldType::Refs) {
            const QSet<QString> mine = toSet(value), base = toSet(local.base.value(field));
            Wire::SetOps ops {(mine - base).values(), (base - mine).values()};
            ops.add.sort();
            ops.remove.sort();
            m.sets.insert(field, ops);
        } else {
            m.fields.insert(field, value.isUndefined() ? QJsonValue(QJsonValue::Null) : value);
        }
        pushed->insert(field, value.isUndefined() ? QJsonValue(QJsonValue::Null) : value);
    }
    return m;
}

namespace {

// My side wins: every conflicting field keeps this device's value (sent again on top of the
// server's revision), and a delete on either side is undone or kept as this device has it.
void keepMine(const EntityDef &entity, LocalRecord &local, const Conflict &conflict)
{
    for (const FieldConflict &f : conflict.fields) {
        markDirty(local, f.field, f.theirs);
        local.base.insert(f.field, f.theirs);
    }
    if (conflict.theirsDeleted && local.deleted) {
        // Deleted here too since the conflict arose: both sides now agree.
        dropLocalChanges(local);
    } else if (conflict.theirsDeleted) {
        // Restore the record with everything this device has. A set is sent as every member
        // it holds, less the ones removed here: the base it was changed from may be history
        // the server has lost, and the tombstone's members are not known here.
        local.deleted = false;
        for (const FieldDef &def : entity.fields) {
            const QJsonValue value = local.fields.value(def.name);
            if (value.isNull() || value.isUndefined())
                continue;
            markDirty(local, def.name, QJsonValue(QJsonValue::Null));
            if (def.type == FieldType::Refs) {
                const QSet<QString> removedHere = toSet(local.base.value(def.name)) - toSet(value);
                QStringList removed = removedHere.values();
                removed.sort();
                local.base.insert(def.name, QJsonArray::fromStringList(removed));
            }
        }
        markDirty(local, QString(kDeletedFlag), true);
        local.base.insert(QString(kDeletedFlag), true);
    }
    if (conflict.mineDeleted) {
        markDirty(local, QString(kDeletedFlag), false);
        local.base.insert(QString(kDeletedFlag), false);
    }
}

void keepTheirs(LocalRecord &local, const Conflict &conflict)
{
    for (const FieldConflict &f : conflict.fields) {
        local.fields.insert(f.field, f.theirs);
        clean(local, f.field);
    }
    if (conflict.theirsDeleted) {
        // The other side's delete wins: this device's edits are discarded, not kept
        // inside the tombstone for a later restore to bring back.
        local.deleted = true;
        dropLocalChanges(local);
    }
    if (conflict.mineDeleted) {
        local.deleted = false;
        clean(local, QString(kDeletedFlag));
    }
}

// Field by field: each conflicting field takes the decided value; one equal to the server's
// is settled, any other is this device's change on top of the server's revision. A record
// someone deleted comes back: a merged result is a record.
void merge(const EntityDef &entity, LocalRecord &local, const Conflict &conflict,
           const QJsonObject &values)
{
    if (conflict.theirsDeleted) {
        Conflict deletes;
        deletes.theirsDeleted = true;
        local.deleted = false; // restored with this device's values, whatever happened since
        keepMine(entity, local, deletes);
    }
    if (conflict.mineDeleted || local.deleted) {
        // The other side edited what this device deleted (or this device deleted it after the
        // conflict arose): a merged result is a record, and it stays, as on the server.
        local.deleted = false;
        clean(local, QString(kDeletedFlag));
    }
    for (const FieldConflict &f : conflict.fields) {
        const QJsonValue value = values.contains(f.field) ? values.value(f.field) : f.mine;
        local.fields.insert(f.field, value);
        if (sameValue(value, f.theirs)) {
            clean(local, f.field);
        } else {
            markDirty(local, f.field, f.theirs);
            local.base.insert(f.field, f.theirs);
        }
    }
}

} // namespace

void resolve(const EntityDef &entity, LocalRecord &local, Conflict &conflict,
             const ConflictDecision &decision)
{
    switch (decision.resolution) {
    case Resolution::KeepMine:
        keepMine(entity, local, conflict);
        break;
    case Resolution::KeepTheirs:
    case Resolution::KeepBoth:
        keepTheirs(local, conflict);
        break;
    case Resolution::Merge:
        merge(entity, local, conflict, decision.values);
        break;
    }
    if (local.rev <= 0 && !local.deleted) {
        // The server does not have this record (it lost it, and it goes again as new): the
        // other side of the conflict is not there, so whatever was decided is sent whole.
        for (const FieldDef &def : entity.fields) {
            const QJsonValue value = local.fields.value(def.name);
            if (!value.isNull() && !value.isUndefined()) {
                markDirty(local, def.name, QJsonValue(QJsonValue::Null));
                local.base.insert(def.name, QJsonValue(QJsonValue::Null));
            }
        }
    }
    conflict = {};
    updateStatus(local, conflict);
}

void resolve(const EntityDef &entity, LocalRecord &local, Conflict &conflict, Resolution resolution)
{
    resolve(entity, local, conflict, ConflictDecision {resolution, {}});
}

QJsonObject copyForKeepBoth(const EntityDef &entity, const LocalRecord &local)
{
    QJsonObject fields;
    for (const FieldDef &def : entity.fields) {
        const QJsonValue value = local.fields.value(def.name);
        if (!value.isUndefined() && !value.isNull())
            fields.insert(def.name, value);
    }
    return fields;
}

std::optional<ConflictDecision> decide(ConflictPolicy policy, const LocalRecord &local,
                                       const Conflict &conflict)
{
    switch (policy) {
    case ConflictPolicy::Ask:
        return std::nullopt;
    case ConflictPolicy::KeepMine:
        return ConflictDecision {Resolution::KeepMine, {}};
    case ConflictPolicy::KeepTheirs:
        return ConflictDecision {Resolution::KeepTheirs, {}};
    case ConflictPolicy::Newest: {
        // A tie goes to the other side: it is the change the server already holds.
        const qint64 mine = conflict.mineAt > 0 ? conflict.mineAt : local.modified;
        return ConflictDecision {
            mine > conflict.theirsAt ? Resolution::KeepMine : Resolution::KeepTheirs, {}};
    }
    }
    return std::nullopt;
}

} // namespace Ferry::Reconcile
