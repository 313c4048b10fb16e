#include "reconcile.h"

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
    if (!local.dirty.contains(field))
        return;
    if (sameValue(valueOf(local, field), sent))
        clean(local, field);
    else
        local.base.insert(field, sent);
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
                 Conflict &conflict)
{
    const bool hadConflict = !conflict.isEmpty();
    if (remote.deleted) {
        if (local.deleted) {
            // Both sides deleted it: nothing left to decide.
            local.dirty.clear();
            local.base = {};
            conflict = {};
        } else if (hasDirtyFields(local)) {
            conflict.theirsDeleted = true;
        } else {
            local.deleted = true;
            local.dirty.clear();
            local.base = {};
        }
    } else {
        const bool deletedHere = local.deleted && local.dirty.contains(kDeletedFlag);
        if (deletedHere)
            conflict.mineDeleted = true;
        else if (local.deleted)
            local.deleted = false; // restored on another device
        conflict.theirsDeleted = false;

        for (auto it = remote.fields.begin(); it != remote.fields.end(); ++it) {
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
            if (sameValue(theirs, mine)) {
                clean(local, it.key());
                conflict.fields.removeIf(
                    [&](const FieldConflict &f) { return f.field == it.key(); });
            } else if (sameValue(theirs, base)) {
                // Only this device changed it: still ours to push.
            } else if (def->type == FieldType::Refs) {
                const QJsonValue merged = mergeSets(base, mine, theirs);
                local.fields.insert(it.key(), merged);
                local.base.insert(it.key(), theirs);
                if (sameValue(merged, theirs))
                    clean(local, it.key());
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
        conflict.theirsUser = remote.user;
        conflict.theirsAt = remote.changedAt;
        if (!hadConflict || conflict.detectedAt == 0)
            conflict.detectedAt = QDateTime::currentMSecsSinceEpoch();
    }
    updateStatus(local, conflict);
}

void applyPushResult(const EntityDef &entity, LocalRecord &local, const QJsonObject &pushed,
                     const Wire::MutationResult &result, Conflict &conflict)
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
        applyRemote(entity, local, result.record, conflict);
    } else {
        local.rev = std::max(local.rev, result.rev);
        updateStatus(local, conflict);
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

void resolve(const EntityDef &entity, LocalRecord &local, Conflict &conflict, Resolution resolution)
{
    if (resolution == Resolution::KeepMine) {
        for (const FieldConflict &f : std::as_const(conflict.fields)) {
            markDirty(local, f.field, f.theirs);
            local.base.insert(f.field, f.theirs);
        }
        if (conflict.theirsDeleted) {
            // Restore the record with everything this device has.
            local.deleted = false;
            for (const FieldDef &def : entity.fields) {
                if (!local.fields.value(def.name).isNull()
                    && !local.fields.value(def.name).isUndefined())
                    markDirty(local, def.name, QJsonValue(QJsonValue::Null));
            }
            markDirty(local, QString(kDeletedFlag), true);
            local.base.insert(QString(kDeletedFlag), true);
        }
        if (conflict.mineDeleted) {
            markDirty(local, QString(kDeletedFlag), false);
            local.base.insert(QString(kDeletedFlag), false);
        }
    } else {
        for (const FieldConflict &f : std::as_const(conflict.fields)) {
            local.fields.insert(f.field, f.theirs);
            clean(local, f.field);
        }
        if (conflict.theirsDeleted) {
            local.deleted = true;
            local.dirty.clear();
            local.base = {};
        }
        if (conflict.mineDeleted) {
            local.deleted = false;
            clean(local, QString(kDeletedFlag));
        }
    }
    conflict = {};
    updateStatus(local, conflict);
}

} // namespace Ferry::Reconcile
