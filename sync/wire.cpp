#include "wire.h"

#include "accountanswers.h"
#include "guid.h"
#include "jsoncheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Ferry::Wire {

namespace {

const QString kBatch = QStringLiteral("batch");
const QString kDevice = QStringLiteral("device");
const QString kMutations = QStringLiteral("mutations");
const QString kEntity = QStringLiteral("entity");
const QString kGuid = QStringLiteral("guid");
const QString kBase = QStringLiteral("base");
const QString kDeleted = QStringLiteral("deleted");
const QString kFields = QStringLiteral("fields");
const QString kSets = QStringLiteral("sets");
const QString kAdd = QStringLiteral("add");
const QString kRemove = QStringLiteral("remove");
const QString kRev = QStringLiteral("rev");
const QString kUser = QStringLiteral("user");
const QString kDeviceName = QStringLiteral("device_name");
const QString kAt = QStringLiteral("at");
const QString kStatus = QStringLiteral("status");
const QString kConflicts = QStringLiteral("conflicts");
const QString kRecord = QStringLiteral("record");
const QString kCode = QStringLiteral("code");
const QString kReason = QStringLiteral("reason");
const QString kSeq = QStringLiteral("seq");
const QString kResults = QStringLiteral("results");
const QString kChanges = QStringLiteral("changes");
const QString kCursor = QStringLiteral("cursor");
const QString kMore = QStringLiteral("more");
const QString kTotal = QStringLiteral("total");
const QString kCursorCheck = QStringLiteral("cursor_check");
const QString kHead = QStringLiteral("head");
const QString kHeadCheck = QStringLiteral("head_check");
const QString kFilesLost = QStringLiteral("files_lost");
const QString kCursorBatch = QStringLiteral("cursor_batch"); // before history tokens
const QString kCheck = QStringLiteral("check");
const QString kMade = QStringLiteral("made");

Error invalid(const QString &where, const QString &what)
{
    return Error {QStringLiteral("invalid_request"), where + QStringLiteral(": ") + what};
}

Error badResponse(const QString &where, const QString &what)
{
    return Error {
        QStringLiteral("bad_response"),
        QStringLiteral("The server sent an answer Ferry cannot read (%1: %2).").arg(where, what)};
}

// A JSON number that is a whole number representable exactly (|n| < 2^53).
bool toInteger(const QJsonValue &value, qint64 *out)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || std::fabs(d) > 9007199254740991.0)
        return false;
    *out = qint64(d);
    return true;
}

QJsonDocument parseDocument(const QByteArray &body, QString *error, int maxDepth = kMaxJsonDepth)
{
    QJsonParseError parseError;
    QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        *error
            = QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
    else if (!doc.isObject())
        *error = QStringLiteral("the top level is not a JSON object");
    else
        *error = strictJsonProblem(body, maxDepth);
    // The problem may quote the text (a repeated key), and people read it, on terminals too.
    std::replace_if(
        error->begin(), error->end(),
        [](QChar c) { return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0); },
        QLatin1Char(' '));
    return doc;
}

// Fills `op` from {"add": [...], "remove": [...]}; returns an empty string or the problem.
QString parseSetOps(const QJsonValue &value, SetOps *op)
{
    if (!value.isObject())
        return QStringLiteral("not an object with \"add\" and \"remove\" lists");
    const QJsonObject object = value.toObject();
    for (auto it = object.begin(); it != object.end(); ++it) {
        QStringList *target = nullptr;
        if (it.key() == kAdd)
            target = &op->add;
        else if (it.key() == kRemove)
            target = &op->remove;
        else
            return QStringLiteral("unknown key \"%1\"").arg(it.key());
        if (!it.value().isArray())
            return QStringLiteral("\"%1\" is not a list").arg(it.key());
        const QJsonArray members = it.value().toArray();
        for (const QJsonValue &member : members) {
            const QString text = member.toString();
            if (!member.isString() || text.isEmpty() || text.size() > kMaxSetMember)
                return QStringLiteral("\"%1\" holds something other than a non-empty string of "
                                      "at most %2 characters")
                    .arg(it.key())
                    .arg(kMaxSetMember);
            target->append(text);
        }
    }
    return {};
}

// Validates one mutation. Structural problems are recorded on the mutation itself so the
// rest of the batch can still be applied.
Mutation parseMutation(const QJsonObject &object)
{
    Mutation m;
    auto reject = [&m](const QString &code, const QString &reason) {
        if (m.rejectCode.isEmpty()) {
            m.rejectCode = code;
            m.rejectReason = reason;
        }
    };
    m.guid = object.value(kGuid).toString();
    m.entity = object.value(kEntity).toString();
    if (!isValidGuid(m.guid))
        reject(QStringLiteral("invalid_guid"),
               QStringLiteral("\"guid\" is not a lowercase UUID (8-4-4-4-12 hexadecimal)"));
    if (!isValidName(m.entity))
        reject(QStringLiteral("invalid_entity"),
               QStringLiteral("\"entity\" must be a name of letters, digits and _ (at most %1)")
                   .arg(kMaxNameLength));
    if (!toInteger(object.value(kBase), &m.base) || m.base < 0)
        reject(QStringLiteral("invalid_base"),
               QStringLiteral("\"base\" must be a whole number >= 0"));

    const QJsonValue deleted = object.value(kDeleted);
    if (!deleted.isUndefined() && !deleted.isBool())
        reject(QStringLiteral("invalid_deleted"),
               QStringLiteral("\"deleted\" must be true or false"));
    m.deleted = deleted.toBool(false);

    const QJsonValue fields = object.value(kFields);
    if (!fields.isUndefined() && !fields.isObject()) {
        reject(QStringLiteral("invalid_fields"), QStringLiteral("\"fields\" must be an object"));
    } else {
        m.fields = fields.toObject();
        for (auto it = m.fields.begin(); it != m.fields.end(); ++it) {
            if (!isValidName(it.key()))
                reject(
                    QStringLiteral("invalid_field_name"),
                    QStringLiteral("field name \"%1\" is not a valid name").arg(it.key().left(80)));
        }
    }

    const QJsonValue sets = object.value(kSets);
    if (!sets.isUndefined() && !sets.isObject()) {
        reject(QStringLiteral("invalid_sets"), QStringLiteral("\"sets\" must be an object"));
    } else {
        const QJsonObject setsObject = sets.toObject();
        for (auto it = setsObject.begin(); it != setsObject.end(); ++it) {
            if (!isValidName(it.key())) {
                reject(QStringLiteral("invalid_field_name"),
                       QStringLiteral("set field name \"%1\" is not a valid name")
                           .arg(it.key().left(80)));
                continue;
            }
            if (m.fields.contains(it.key()))
                reject(QStringLiteral("invalid_sets"),
                       QStringLiteral("field \"%1\" is both set and changed by ops").arg(it.key()));
            SetOps op;
            const QString problem = parseSetOps(it.value(), &op);
            if (!problem.isEmpty())
                reject(QStringLiteral("invalid_sets"),
                       QStringLiteral("set field \"%1\": %2").arg(it.key(), problem));
            m.sets.insert(it.key(), op);
        }
    }
    for (auto it = object.begin(); it != object.end(); ++it) {
        static const QSet<QString> known {kEntity, kGuid, kBase, kDeleted, kFields, kSets};
        if (!known.contains(it.key()))
            reject(QStringLiteral("invalid_mutation"),
                   QStringLiteral("unknown key \"%1\"").arg(it.key().left(80)));
    }
    return m;
}

QJsonArray toArray(const QStringList &list)
{
    return QJsonArray::fromStringList(list);
}

} // namespace

bool isValidId(const QString &id)
{
    if (id.isEmpty() || id.size() > kMaxIdLength)
        return false;
    for (const QChar c : id) {
        const bool ok = (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('-')
            || c == QLatin1Char('_');
        if (!ok)
            return false;
    }
    return true;
}

bool isValidName(QStringView name)
{
    if (name.isEmpty() || name.size() > kMaxNameLength)
        return false;
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        const bool letter = (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || c == QLatin1Char('_');
        const bool digit = c >= QLatin1Char('0') && c <= QLatin1Char('9');
        if (!letter && !(digit && i > 0))
            return false;
    }
    return true;
}

QString statusName(PushStatus status)
{
    switch (status) {
    case PushStatus::Applied:
        return QStringLiteral("applied");
    case PushStatus::Merged:
        return QStringLiteral("merged");
    case PushStatus::Conflict:
        return QStringLiteral("conflict");
    case PushStatus::Deferred:
        return QStringLiteral("deferred");
    case PushStatus::Rejected:
        break;
    }
    return QStringLiteral("rejected");
}

QByteArray encode(const PushRequest &request)
{
    QJsonArray mutations;
    for (const Mutation &m : request.mutations) {
        QJsonObject object {{kEntity, m.entity}, {kGuid, m.guid}, {kBase, double(m.base)}};
        if (m.deleted)
            object.insert(kDeleted, true);
        if (!m.fields.isEmpty())
            object.insert(kFields, m.fields);
        if (!m.sets.isEmpty()) {
            QJsonObject sets;
            for (auto it = m.sets.begin(); it != m.sets.end(); ++it)
                sets.insert(it.key(),
                            QJsonObject {{kAdd, toArray(it->add)}, {kRemove, toArray(it->remove)}});
            object.insert(kSets, sets);
        }
        mutations.append(object);
    }
    const QJsonObject top {
        {kBatch, request.batch}, {kDevice, request.device}, {kMutations, mutations}};
    return QJsonDocument(top).toJson(QJsonDocument::Compact);
}

Result<PushRequest> parsePushRequest(const QByteArray &body)
{
    const Result<QJsonObject> parsed = parseRequestObject(body);
    if (!parsed)
        return parsed.error();
    const QJsonObject &top = parsed.value();

    PushRequest request;
    request.batch = top.value(kBatch).toString();
    request.device = top.value(kDevice).toString();
    if (!isValidId(request.batch))
        return invalid(kBatch,
                       QStringLiteral("must be a string of 1 to %1 letters, digits, - or _")
                           .arg(kMaxIdLength));
    if (!isValidId(request.device))
        return invalid(kDevice,
                       QStringLiteral("must be a string of 1 to %1 letters, digits, - or _")
                           .arg(kMaxIdLength));
    const QJsonValue mutations = top.value(kMutations);
    if (!mutations.isArray())
        return invalid(kMutations, QStringLiteral("must be a list"));
    const QJsonArray list = mutations.toArray();
    if (list.size() > kMaxMutationsPerPush)
        return Error {QStringLiteral("too_large"),
                      QStringLiteral("A push may carry at most %1 mutations; this one has %2.")
                          .arg(kMaxMutationsPerPush)
                          .arg(list.size())};
    request.mutations.reserve(list.size());
    QSet<QString> seen;
    for (qsizetype i = 0; i < list.size(); ++i) {
        if (!list.at(i).isObject())
            return invalid(QStringLiteral("mutations[%1]").arg(i),
                           QStringLiteral("must be an object"));
        Mutation m = parseMutation(list.at(i).toObject());
        if (m.rejectCode.isEmpty() && seen.contains(m.guid)) {
            m.rejectCode = QStringLiteral("duplicate_guid");
            m.rejectReason = QStringLiteral("this guid already appears earlier in the same push");
        }
        seen.insert(m.guid);
        request.mutations.append(std::move(m));
    }
    return request;
}

QJsonObject toJson(const RemoteRecord &record)
{
    QJsonObject object {{kEntity, record.entity}, {kGuid, record.guid}, {kRev, double(record.rev)}};
    if (record.deleted)
        object.insert(kDeleted, true);
    object.insert(kFields, record.fields);
    object.insert(kDevice, record.device);
    if (!record.deviceName.isEmpty())
        object.insert(kDeviceName, record.deviceName);
    object.insert(kUser, record.user);
    object.insert(kAt, double(record.changedAt));
    return object;
}

Result<RemoteRecord> recordFromJson(const QJsonObject &object)
{
    RemoteRecord record;
    record.entity = object.value(kEntity).toString();
    record.guid = object.value(kGuid).toString();
    if (!isValidName(record.entity))
        return badResponse(kEntity, QStringLiteral("not a valid entity name"));
    if (!isValidGuid(record.guid))
        return badResponse(kGuid, QStringLiteral("not a valid guid"));
    if (!toInteger(object.value(kRev), &record.rev) || record.rev <= 0)
        return badResponse(kRev, QStringLiteral("not a revision number"));
    const QJsonValue deleted = object.value(kDeleted);
    if (!deleted.isUndefined() && !deleted.isBool())
        return badResponse(kDeleted, QStringLiteral("not true or false"));
    record.deleted = deleted.toBool(false);
    const QJsonValue fields = object.value(kFields);
    if (!fields.isUndefined() && !fields.isObject())
        return badResponse(kFields, QStringLiteral("not an object"));
    record.fields = fields.toObject();
    for (auto it = record.fields.begin(); it != record.fields.end(); ++it) {
        if (!isValidName(it.key()))
            return badResponse(kFields, QStringLiteral("field name is not a valid name"));
    }
    // Provenance is shown to people: a string of sensible length, or absent.
    for (const QString &key : {kDevice, kUser}) {
        const QJsonValue value = object.value(key);
        if (!value.isUndefined() && (!value.isString() || value.toString().size() > kMaxIdLength))
            return badResponse(
                key, QStringLiteral("not a name of at most %1 characters").arg(kMaxIdLength));
    }
    const QJsonValue deviceName = object.value(kDeviceName);
    if (!deviceName.isUndefined()
        && (!deviceName.isString() || deviceName.toString().size() > kMaxDeviceNameLength))
        return badResponse(
            kDeviceName,
            QStringLiteral("not a name of at most %1 characters").arg(kMaxDeviceNameLength));
    record.device = object.value(kDevice).toString();
    record.deviceName = deviceName.toString();
    record.user = object.value(kUser).toString();
    if (object.contains(kAt)
        && (!toInteger(object.value(kAt), &record.changedAt) || record.changedAt < 0))
        return badResponse(kAt, QStringLiteral("not a time"));
    return record;
}

QJsonObject toJson(const MutationResult &result)
{
    QJsonObject object {{kGuid, result.guid}, {kStatus, statusName(result.status)}};
    if (result.status == PushStatus::Rejected) {
        object.insert(kCode, result.code);
        object.insert(kReason, result.reason);
        return object;
    }
    if (result.status == PushStatus::Deferred)
        return object;
    object.insert(kRev, double(result.rev));
    if (result.status == PushStatus::Conflict)
        object.insert(kConflicts, toArray(result.conflicts));
    if (result.hasRecord)
        object.insert(kRecord, toJson(result.record));
    return object;
}

QByteArray encode(const PushResponse &response)
{
    QJsonArray results;
    for (const MutationResult &r : response.results)
        results.append(toJson(r));
    QJsonObject top {{kSeq, double(response.seq)}, {kResults, results}};
    if (response.made)
        top.insert(kMade, true);
    if (!response.check.isEmpty())
        top.insert(kCheck, response.check);
    return QJsonDocument(top).toJson(QJsonDocument::Compact);
}

Result<PushResponse> parsePushResponse(const QByteArray &body)
{
    QString problem;
    const QJsonDocument doc = parseDocument(body, &problem, kMaxPushAnswerDepth);
    if (!problem.isEmpty())
        return badResponse(QStringLiteral("push answer"), problem);
    const QJsonObject top = doc.object();
    PushResponse response;
    if (!toInteger(top.value(kSeq), &response.seq) || response.seq < 0)
        return badResponse(kSeq, QStringLiteral("not a sequence number"));
    if (!top.value(kResults).isArray())
        return badResponse(kResults, QStringLiteral("not a list"));
    if (!top.value(kMade).isUndefined() && !top.value(kMade).isBool())
        return badResponse(kMade, QStringLiteral("not true or false"));
    response.made = top.value(kMade).toBool();
    if (top.contains(kCheck)) {
        response.check = top.value(kCheck).toString();
        if (!isValidId(response.check))
            return badResponse(kCheck, QStringLiteral("not a history token"));
    }
    const QJsonArray results = top.value(kResults).toArray();
    for (const QJsonValue &value : results) {
        const QJsonObject object = value.toObject();
        MutationResult r;
        r.guid = object.value(kGuid).toString();
        const QString status = object.value(kStatus).toString();
        // A rejected mutation may echo the malformed guid it was sent; every other result
        // names a real record.
        if (!isValidGuid(r.guid) && status != QLatin1String("rejected"))
            return badResponse(kResults, QStringLiteral("a result without a valid guid"));
        if (status == QLatin1String("applied"))
            r.status = PushStatus::Applied;
        else if (status == QLatin1String("merged"))
            r.status = PushStatus::Merged;
        else if (status == QLatin1String("conflict"))
            r.status = PushStatus::Conflict;
        else if (status == QLatin1String("rejected"))
            r.status = PushStatus::Rejected;
        else if (status == QLatin1String("deferred"))
            r.status = PushStatus::Deferred;
        else
            return badResponse(kStatus,
                               QStringLiteral("unknown status \"%1\"").arg(status.left(40)));
        if (r.status == PushStatus::Deferred) {
            // Nothing of it was looked at: there is nothing more to read.
            response.results.append(std::move(r));
            continue;
        }
        if (r.status == PushStatus::Rejected) {
            // Shown to people next to the record: one sentence, not whatever was sent.
            r.code = object.value(kCode).toString().left(kMaxNameLength);
            r.reason = object.value(kReason).toString().left(kMaxReasonLength);
        } else if (!toInteger(object.value(kRev), &r.rev) || r.rev <= 0) {
            return badResponse(kRev, QStringLiteral("not a revision number"));
        }
        const QJsonValue conflicts = object.value(kConflicts);
        if (!conflicts.isUndefined() && !conflicts.isArray())
            return badResponse(kConflicts, QStringLiteral("not a list"));
        for (const QJsonValue &field : conflicts.toArray()) {
            const QString name = field.toString();
            if (!isValidName(name) && name != kDeletedField)
                return badResponse(kConflicts, QStringLiteral("not a list of field names"));
            r.conflicts.append(name);
        }
        if (object.value(kRecord).isObject()) {
            Result<RemoteRecord> record = recordFromJson(object.value(kRecord).toObject());
            if (!record)
                return record.error();
            if (record->guid != r.guid)
                return badResponse(kRecord, QStringLiteral("the record does not match its result"));
            r.hasRecord = true;
            r.record = std::move(record).value();
        } else if (r.status == PushStatus::Merged || r.status == PushStatus::Conflict) {
            return badResponse(kRecord,
                               QStringLiteral("a merged or conflicting result without the record"));
        }
        response.results.append(std::move(r));
    }
    // The server always takes a push's first mutation; an answer deferring all of them
    // would have the client send the same records for ever.
    if (!results.isEmpty()
        && std::all_of(response.results.cbegin(), response.results.cend(),
                       [](const MutationResult &r) { return r.status == PushStatus::Deferred; }))
        return badResponse(kResults, QStringLiteral("every mutation deferred"));
    return response;
}

QByteArray encode(const PullPage &page)
{
    QJsonArray changes;
    for (const RemoteRecord &record : page.changes)
        changes.append(toJson(record));
    QJsonObject top {{kChanges, changes}, {kCursor, double(page.cursor)}, {kMore, page.more}};
    if (page.total >= 0)
        top.insert(kTotal, double(page.total));
    if (!page.cursorCheck.isEmpty())
        top.insert(kCursorCheck, page.cursorCheck);
    if (page.head.seq > 0) {
        top.insert(kHead, double(page.head.seq));
        top.insert(kHeadCheck, page.head.check);
    }
    if (page.filesLost)
        top.insert(kFilesLost, true);
    return QJsonDocument(top).toJson(QJsonDocument::Compact);
}

Result<PullPage> parsePullPage(const QByteArray &body)
{
    QString problem;
    const QJsonDocument doc = parseDocument(body, &problem);
    if (!problem.isEmpty())
        return badResponse(QStringLiteral("pull answer"), problem);
    const QJsonObject top = doc.object();
    PullPage page;
    if (!toInteger(top.value(kCursor), &page.cursor) || page.cursor < 0)
        return badResponse(kCursor, QStringLiteral("not a sequence number"));
    if (!top.value(kMore).isBool())
        return badResponse(kMore, QStringLiteral("not true or false"));
    page.more = top.value(kMore).toBool();
    if (top.contains(kTotal) && !toInteger(top.value(kTotal), &page.total))
        return badResponse(kTotal, QStringLiteral("not a count"));
    // A server from before history tokens names the push that made the cursor instead.
    for (const QString &key : {kCursorCheck, kCursorBatch}) {
        if (!top.contains(key))
            continue;
        page.cursorCheck = top.value(key).toString();
        if (!isValidId(page.cursorCheck))
            return badResponse(key, QStringLiteral("not a history token"));
        break;
    }
    if (top.contains(kHead)) {
        if (!toInteger(top.value(kHead), &page.head.seq) || page.head.seq < page.cursor)
            return badResponse(kHead, QStringLiteral("not a sequence number from the cursor on"));
        page.head.check = top.value(kHeadCheck).toString();
        if (!isValidId(page.head.check))
            return badResponse(kHeadCheck, QStringLiteral("not a history token"));
    }
    if (top.contains(kFilesLost)) {
        if (!top.value(kFilesLost).isBool())
            return badResponse(kFilesLost, QStringLiteral("not true or false"));
        page.filesLost = top.value(kFilesLost).toBool();
    }
    if (!top.value(kChanges).isArray())
        return badResponse(kChanges, QStringLiteral("not a list"));
    const QJsonArray changes = top.value(kChanges).toArray();
    page.changes.reserve(changes.size());
    for (const QJsonValue &value : changes) {
        if (!value.isObject())
            return badResponse(kChanges, QStringLiteral("an entry is not an object"));
        Result<RemoteRecord> record = recordFromJson(value.toObject());
        if (!record)
            return record.error();
        if (record->rev > page.cursor)
            return badResponse(kChanges,
                               QStringLiteral("a change is newer than the page's cursor"));
        page.changes.append(std::move(record).value());
    }
    return page;
}

Result<QJsonObject> parseRequestObject(const QByteArray &body)
{
    QString problem;
    const QJsonDocument doc = parseDocument(body, &problem);
    if (!problem.isEmpty())
        return Error {QStringLiteral("bad_json"),
                      QStringLiteral("The body is not valid JSON: ") + problem};
    return doc.object();
}

void appendJsonString(QByteArray &out, QStringView text)
{
    static const char hex[] = "0123456789abcdef";
    const QByteArray utf8 = text.toUtf8();
    out.reserve(out.size() + utf8.size() + 2);
    out.append('"');
    for (const char ch : utf8) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out.append("\\\"");
            break;
        case '\\':
            out.append("\\\\");
            break;
        case '\n':
            out.append("\\n");
            break;
        case '\r':
            out.append("\\r");
            break;
        case '\t':
            out.append("\\t");
            break;
        default:
            if (c < 0x20) {
                out.append("\\u00");
                out.append(hex[c >> 4]);
                out.append(hex[c & 0xf]);
            } else {
                out.append(ch);
            }
        }
    }
    out.append('"');
}

} // namespace Ferry::Wire
