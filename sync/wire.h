#pragma once

#include "result.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// The sync protocol's messages as value types, and their JSON form. docs/protocol.md is the
// normative description; this file is its single implementation, linked by both the engine
// and ferry-server. Everything here is reentrant and safe to use from any thread.
namespace Ferry::Wire {

inline constexpr int kProtocolVersion = 1;
// Largest number of mutations one push may carry. The server refuses more with 413.
inline constexpr int kMaxMutationsPerPush = 2000;
// Entity and field names: [A-Za-z_][A-Za-z0-9_]*, at most this long.
inline constexpr int kMaxNameLength = 64;
// Largest a record's fields may grow, as compact JSON (UTF-8 bytes). The server checks the
// record after merging a mutation into it and rejects the mutation ("record_too_large").
inline constexpr int kMaxRecordBytes = 1024 * 1024;
// Largest member of a set-valued field, in characters.
inline constexpr int kMaxSetMember = 128;
// Longest rejection reason a client keeps from a push answer, in characters.
inline constexpr int kMaxReasonLength = 500;
// Largest pull page a client may ask for.
inline constexpr int kMaxPullLimit = 10000;
// A pull page ends at the first push boundary after this many bytes of answer, whatever its
// `limit`; one push is never split, so a page can be larger by one push.
inline constexpr qint64 kPullPageBytes = 8 * 1024 * 1024;
// The most a push answer may take. `merged` and `conflict` results carry whole records, so
// a push of small edits could otherwise be answered with gigabytes, stored for ever with its
// batch. The server defers the mutations whose results would not fit (PushStatus::Deferred).
inline constexpr qint64 kPushAnswerBytes = 8 * 1024 * 1024;
// The most a client reads of one answer (after any decompression). Past it the client stops
// reading and the sync ends with `bad_response`: a hostile or broken server cannot make it
// hold gigabytes. Far above a real page (kPullPageBytes plus one push of at most the
// server's body limit).
inline constexpr qint64 kMaxAnswerBytes = 256 * 1024 * 1024;

bool isValidName(QStringView name);
// Batch, device and workspace ids: 1 to 64 of [A-Za-z0-9_-].
inline constexpr int kMaxIdLength = 64;
bool isValidId(const QString &id);

// Adds and removes for one set-valued field ("refs"). Applying ops never conflicts.
struct SetOps
{
    QStringList add;
    QStringList remove;
    bool operator==(const SetOps &) const = default;
};

// One record's change inside a push: only the fields that changed since `base`.
struct Mutation
{
    QString entity;
    QString guid;
    qint64 base = 0; // server revision the change was made on; 0 = new record
    bool deleted = false; // true: make this record a tombstone
    QJsonObject fields; // field name -> new value (any JSON value; null clears)
    QHash<QString, SetOps> sets; // set-valued fields: ops against the base

    // Set by parsePushRequest when this one mutation is invalid: the server answers it
    // "rejected" with this code and reason and still applies the batch's valid mutations.
    QString rejectCode;
    QString rejectReason;
};

struct PushRequest
{
    QString batch; // device-made id; a retry with the same id gets the first answer
    QString device; // the pushing device's id
    QList<Mutation> mutations;
};

// A record as the server holds it (in pull pages and in push answers). In a pull page
// `fields` holds only the fields changed after the requested cursor, unless the record was
// created after it; in a push answer it holds every field.
struct RemoteRecord
{
    QString entity;
    QString guid;
    qint64 rev = 0;
    bool deleted = false;
    QJsonObject fields;
    QString device; // device that made the last change (its own id for itself)
    QString user; // user that made the last change
    qint64 changedAt = 0; // server time of the last change, ms since the epoch
    QString deviceName; // `device` as the account's device list names it; may be empty
};

// Deferred: nothing of it applied, since its result might not fit in the answer
// (kPushAnswerBytes); the client sends it again in a later push, unchanged.
enum class PushStatus { Applied, Merged, Conflict, Rejected, Deferred };
QString statusName(PushStatus status);

struct MutationResult
{
    QString guid;
    PushStatus status = PushStatus::Rejected;
    qint64 rev = 0; // the record's revision after the push (not for Rejected or Deferred)
    QStringList conflicts; // Conflict: fields not applied; "$deleted" for edit-vs-delete
    bool hasRecord = false; // Merged and Conflict carry the server's whole record
    RemoteRecord record;
    QString code; // Rejected: machine code
    QString reason; // Rejected: human sentence
};

// What a client has seen of a workspace's history: sequence `seq`, and the server's token for
// the history up to it (a hash over every push before; from an older server, the id of the
// push that made `seq`). Sent with pulls and pushes as `known` and `check`; a server restored
// from an older backup holds another history and answers history_mismatch (docs/protocol.md,
// "History check"). The client keeps the token as the server gave it.
struct HistoryCheck
{
    qint64 seq = 0;
    QString check; // empty: nothing to check beyond seq <= the workspace's sequence
};

struct PushResponse
{
    qint64 seq = 0; // the workspace sequence after this push
    bool made = false; // this push made sequence `seq` (it changed something)
    QString check; // the history token for `seq`; empty from a server that sends none
    QList<MutationResult> results; // one per mutation, same order
};

struct PullPage
{
    QList<RemoteRecord> changes;
    qint64 cursor = 0; // pass as `since` for the next page
    bool more = false; // true: call again with `cursor`
    qint64 total = -1; // changes after `since` in all, when asked with count=1
    QString cursorCheck; // the history token for `cursor`, sent back as `check`; may be empty
    // With `more`: the workspace's latest push and its token (seq 0: not named). Records
    // changed after `cursor` wait for later pages; should the server lose the history up to
    // here, they may be left below the cursor, so the client names this as seen.
    HistoryCheck head = {};
    // The upload token the client named (`files`) is not on this server: uploads it made were
    // lost with a restore from an older backup, and its files are to be checked again.
    bool filesLost = false;
};

// The pseudo-field that marks an edit-vs-delete conflict in MutationResult::conflicts.
inline constexpr QLatin1StringView kDeletedField {"$deleted"};

// Encoding (both sides) and parsing with full validation: a parse never trusts its input
// and returns a protocol error naming the offending part.
QByteArray encode(const PushRequest &request);
Result<PushRequest> parsePushRequest(const QByteArray &body);

QJsonObject toJson(const RemoteRecord &record);
Result<RemoteRecord> recordFromJson(const QJsonObject &object);

QJsonObject toJson(const MutationResult &result);
QByteArray encode(const PushResponse &response);
Result<PushResponse> parsePushResponse(const QByteArray &body);

// A request body that must be one JSON object, with the same checks as every other message
// (no duplicate keys, bounded nesting, valid UTF-8 and UTF-16): a "bad_json" Error otherwise.
Result<QJsonObject> parseRequestObject(const QByteArray &body);

QByteArray encode(const PullPage &page);
Result<PullPage> parsePullPage(const QByteArray &body);

// Appends `text` as a JSON string literal (quotes and escapes included). For servers that
// splice stored JSON into a response without re-parsing it.
void appendJsonString(QByteArray &out, QStringView text);

} // namespace Ferry::Wire

Q_DECLARE_METATYPE(Ferry::Wire::RemoteRecord)
Q_DECLARE_METATYPE(Ferry::Wire::PullPage)
