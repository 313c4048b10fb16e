#pragma once

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <optional>

// Value types for records as the client holds them. Plain data, copied across threads.
namespace Ferry {

enum class SyncStatus { Synced = 0, NeedsSync = 1, Conflicted = 2 };
QString statusName(SyncStatus status);

// The pseudo-field name under which a record's deleted flag is tracked as dirty.
inline constexpr QLatin1StringView kDeletedFlag {"$deleted"};

// One record of the local store with its sync metadata.
struct LocalRecord
{
    QString entity;
    QString guid;
    qint64 rev = 0; // server revision this record is based on (0: never synced)
    bool deleted = false; // tombstone
    SyncStatus status = SyncStatus::Synced;
    QJsonObject fields; // schema fields
    QJsonObject extra; // fields this client's schema does not know; kept verbatim
    QStringList dirty; // fields changed locally since `rev` ("$deleted" for the flag)
    QJsonObject base; // for every dirty field, its value at `rev`
    QString problem; // why the server refused the last push of it, if it did
    qint64 modified = 0; // local time of the last local or remote change, ms

    bool isDirty(QStringView field) const { return dirty.contains(field); }
    bool isDirty(QLatin1StringView field) const { return dirty.contains(field); }
};

struct FieldConflict
{
    QString field;
    QJsonValue base;
    QJsonValue mine;
    QJsonValue theirs;
};

// Changes on both sides that Ferry could not merge. The record keeps this device's values
// until the person decides; the other side's are kept here.
struct Conflict
{
    QString entity;
    QString guid;
    QList<FieldConflict> fields;
    bool mineDeleted = false; // this device deleted, the other side edited
    bool theirsDeleted = false; // the other side deleted, this device edited
    qint64 theirsRev = 0;
    QJsonObject theirsFields; // the other side's record as last seen (may be partial)
    QString theirsDevice;
    QString theirsDeviceName; // as the account's device list names it; may be empty
    QString theirsUser;
    qint64 theirsAt = 0; // when the server took the other side's change
    qint64 mineAt = 0; // when this device last changed the record (this device's clock)
    qint64 detectedAt = 0;

    bool isEmpty() const { return fields.isEmpty() && !mineDeleted && !theirsDeleted; }
    const FieldConflict *field(QStringView name) const;
    QJsonObject toJson() const;
    static Conflict fromJson(const QJsonObject &object);
};

// How a conflict is settled. For the whole record: this device's values, the other side's,
// or both (this device's values move to a new record, the original takes the other
// side's); or field by field (Merge), with the result of each conflicting field given.
// For edit-vs-delete, KeepMine means "my side wins": restore with my edits when the other
// side deleted, keep my delete when I deleted; KeepTheirs the reverse.
enum class Resolution { KeepMine, KeepTheirs, KeepBoth, Merge };

struct ConflictDecision
{
    Resolution resolution = Resolution::KeepMine;
    // For Merge: conflicting field -> its result. A conflicting field not listed keeps
    // this device's value. Ignored for the other resolutions.
    QJsonObject values;
};

// What Ferry does with a new conflict without asking (a setting; Ask is the default).
// Newest compares this device's last local edit time with the time the server took the
// other side's change.
enum class ConflictPolicy { Ask, KeepMine, KeepTheirs, Newest };
QString policyName(ConflictPolicy policy);
std::optional<ConflictPolicy> policyFromName(QStringView name);

// A record whose changes on both sides were merged without asking (text stretch by
// stretch, sets member by member), for the activity log.
struct AutoMerge
{
    QString entity;
    QString guid;
    QString name; // the record's display field after the merge; may be empty
    QStringList fields;
    QString theirsDevice; // whose change was merged with this device's; empty if unknown
    QString theirsDeviceName; // that device as the account's device list names it
    QString theirsUser;
    qint64 theirsAt = 0;
};

// A device as a person reads it: its name in the account's device list when the server
// gave one; else made from its id ("ada-laptop" from "ada-laptop-1f2e3d4c"); "another
// device" when nothing is known. The same device has the same name everywhere Ferry shows it.
QString deviceDisplayName(const QString &device, const QString &deviceName);

enum class ChangeOrigin { Local, Remote };

// One committed transaction's effect on one entity: which records changed and why. Views
// use it to update exactly the rows concerned.
struct ChangeSet
{
    QString entity;
    QStringList guids;
    ChangeOrigin origin = ChangeOrigin::Local;
};

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::LocalRecord)
Q_DECLARE_METATYPE(Ferry::Conflict)
Q_DECLARE_METATYPE(Ferry::ConflictDecision)
Q_DECLARE_METATYPE(Ferry::ChangeSet)
Q_DECLARE_METATYPE(Ferry::AutoMerge)
