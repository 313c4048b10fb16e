#include "accountanswers.h"

#include "jsoncheck.h"
#include "wire.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace Ferry {

QString AccountInfo::defaultWorkspace() const
{
    // Never one someone else owns: anyone may name a workspace after this user and add them.
    QString firstOwned;
    for (qsizetype i = 0; i < workspaces.size(); ++i) {
        if (roles.value(i) != QLatin1String("owner"))
            continue;
        if (workspaces.at(i) == user)
            return user;
        if (firstOwned.isEmpty())
            firstOwned = workspaces.at(i);
    }
    return firstOwned;
}

} // namespace Ferry

namespace Ferry::Wire {

namespace {

const QString kUser = QStringLiteral("user");
const QString kRole = QStringLiteral("role");
const QString kId = QStringLiteral("id");

bool isControl(QChar c)
{
    return c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0);
}

Error bad(const QString &answer, const QString &problem)
{
    // The problem may quote the server (a key that appears twice): it is shown on terminals,
    // where control characters would be escape sequences.
    QString text = answer + QStringLiteral(": ") + problem;
    std::replace_if(text.begin(), text.end(), isControl, QLatin1Char(' '));
    return Error {QStringLiteral("bad_response"), text};
}

// The answer's top-level object, checked by the same rules as every other message (wire.h):
// an empty string in `*problem` when it is fine.
QJsonObject parseObject(const QByteArray &body, QString *problem)
{
    if (body.size() > kMaxAccountAnswerBytes) {
        *problem = QStringLiteral("the answer is larger than %1 bytes").arg(kMaxAccountAnswerBytes);
        return {};
    }
    const QByteArrayView text = QByteArrayView(body).trimmed();
    if (text.isEmpty()) {
        *problem = QStringLiteral("the answer is empty");
        return {};
    }
    if (!text.startsWith('{')) {
        *problem = QStringLiteral("the top level is not a JSON object");
        return {};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *problem = QStringLiteral("not JSON (%1 at byte %2)")
                       .arg(parseError.errorString())
                       .arg(parseError.offset);
        return {};
    }
    if (!doc.isObject()) {
        *problem = QStringLiteral("the top level is not a JSON object");
        return {};
    }
    *problem = strictJsonProblem(body);
    return problem->isEmpty() ? doc.object() : QJsonObject();
}

// A whole number from 0 to 2^53 - 1, as the protocol's times and counts are.
bool toWholeNumber(const QJsonValue &value, qint64 *out)
{
    if (!value.isDouble())
        return false;
    const double d = value.toDouble();
    if (!std::isfinite(d) || std::floor(d) != d || d < 0 || d > 9007199254740991.0)
        return false;
    *out = qint64(d);
    return true;
}

bool hasControl(const QString &text)
{
    return std::any_of(text.begin(), text.end(), isControl);
}

QString idProblem(const QString &key)
{
    return QStringLiteral("\"%1\" is not an id of 1 to %2 letters, digits, - or _")
        .arg(key)
        .arg(kMaxIdLength);
}

QString roleProblem()
{
    return QStringLiteral("\"role\" is not \"owner\", \"editor\" or \"viewer\"");
}

// Reads the one id the answer `answer` is about, from key `key`.
Result<QString> parseIdAnswer(const QByteArray &body, const QString &answer, const QString &key)
{
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue id = top.value(key);
    if (!id.isString() || !isValidId(id.toString()))
        return bad(answer, idProblem(key));
    return id.toString();
}

// The list under `key`, or the problem with it.
QString listProblem(const QJsonObject &top, const QString &key)
{
    const QJsonValue list = top.value(key);
    if (!list.isArray())
        return QStringLiteral("\"%1\" is not a list").arg(key);
    if (list.toArray().size() > kMaxAccountListEntries)
        return QStringLiteral("\"%1\" has more than %2 entries")
            .arg(key)
            .arg(kMaxAccountListEntries);
    return {};
}

// The answer's top-level object, which must hold a list under `key` (listProblem's checks).
Result<QJsonObject> parseListAnswer(const QByteArray &body, const QString &answer,
                                    const QString &key)
{
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (problem.isEmpty())
        problem = listProblem(top, key);
    if (!problem.isEmpty())
        return bad(answer, problem);
    return top;
}

// The entries of the list under `key`, each {`idKey`: id, "role": role} with a valid id and
// role and no id twice, as (id, role) pairs; errors name the entry as "`entry` N".
Result<QList<QPair<QString, QString>>> parseRoleList(const QJsonObject &top, const QString &key,
                                                     const QString &idKey, const QString &answer,
                                                     const QString &entry)
{
    const QJsonArray list = top.value(key).toArray();
    QList<QPair<QString, QString>> result;
    result.reserve(list.size());
    QSet<QString> ids;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const auto entryBad = [&](const QString &what) {
            return bad(answer, QStringLiteral("%1 %2: %3").arg(entry).arg(i + 1).arg(what));
        };
        if (!list.at(i).isObject())
            return entryBad(QStringLiteral("not an object"));
        const QJsonObject object = list.at(i).toObject();
        const QJsonValue id = object.value(idKey);
        const QJsonValue role = object.value(kRole);
        if (!id.isString() || !isValidId(id.toString()))
            return entryBad(idProblem(idKey));
        if (!role.isString() || !isValidRole(role.toString()))
            return entryBad(roleProblem());
        if (ids.contains(id.toString()))
            return entryBad(
                QStringLiteral("the %1 \"%2\" appears twice").arg(idKey, id.toString()));
        ids.insert(id.toString());
        result.append({id.toString(), role.toString()});
    }
    return result;
}

} // namespace

bool isValidRole(const QString &role)
{
    return role == QLatin1String("owner") || role == QLatin1String("editor")
        || role == QLatin1String("viewer");
}

bool isValidToken(const QString &token)
{
    if (token.isEmpty() || token.size() > kMaxTokenLength)
        return false;
    static const QString punctuation = QStringLiteral("._~+/=-");
    return std::all_of(token.begin(), token.end(), [](QChar c) {
        return (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
            || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
            || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || punctuation.contains(c);
    });
}

Result<AccountInfo> parseAccountInfo(const QByteArray &body)
{
    const QString answer = QStringLiteral("account");
    const QString key = QStringLiteral("workspaces");
    const Result<QJsonObject> parsed = parseListAnswer(body, answer, key);
    if (!parsed)
        return parsed.error();
    const QJsonObject &top = parsed.value();
    AccountInfo result;
    const QJsonValue user = top.value(kUser);
    if (!user.isString() || !isValidId(user.toString()))
        return bad(answer, idProblem(kUser));
    result.user = user.toString();
    const Result<QList<QPair<QString, QString>>> entries
        = parseRoleList(top, key, kId, answer, QStringLiteral("workspace"));
    if (!entries)
        return entries.error();
    for (const auto &[id, role] : entries.value()) {
        result.workspaces.append(id);
        result.roles.append(role);
    }
    // Absent from servers before sharing by consent: no invitations then.
    const QJsonValue invitations = top.value(QStringLiteral("invitations"));
    if (invitations.isUndefined())
        return result;
    if (!invitations.isArray())
        return bad(answer, QStringLiteral("\"invitations\" is not a list"));
    const QJsonArray list = invitations.toArray();
    if (list.size() > kMaxAccountListEntries)
        return bad(answer, QStringLiteral("more than %1 invitations").arg(kMaxAccountListEntries));
    QSet<QString> seen;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const auto entryBad = [&](const QString &what) {
            return bad(answer, QStringLiteral("invitation %1: %2").arg(i + 1).arg(what));
        };
        const QJsonObject object = list.at(i).toObject();
        if (!list.at(i).isObject())
            return entryBad(QStringLiteral("not an object"));
        const QJsonValue workspace = object.value(QStringLiteral("workspace"));
        const QJsonValue role = object.value(kRole);
        const QJsonValue from = object.value(QStringLiteral("from"));
        if (!workspace.isString() || !isValidId(workspace.toString()))
            return entryBad(idProblem(QStringLiteral("workspace")));
        if (role != QLatin1String("editor") && role != QLatin1String("viewer"))
            return entryBad(QStringLiteral("\"role\" is not \"editor\" or \"viewer\""));
        if (!from.isString() || !isValidId(from.toString()))
            return entryBad(idProblem(QStringLiteral("from")));
        if (seen.contains(workspace.toString()))
            return entryBad(
                QStringLiteral("the workspace \"%1\" appears twice").arg(workspace.toString()));
        seen.insert(workspace.toString());
        result.invitations.append(
            InvitationInfo {workspace.toString(), role.toString(), from.toString()});
    }
    return result;
}

Result<QString> parseRegistered(const QByteArray &body)
{
    return parseIdAnswer(body, QStringLiteral("registration"), kUser);
}

Result<SignedIn> parseSignedIn(const QByteArray &body)
{
    const QString answer = QStringLiteral("sign-in");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue user = top.value(kUser);
    const QJsonValue token = top.value(QStringLiteral("token"));
    const QJsonValue device = top.value(QStringLiteral("device"));
    if (!user.isString() || !isValidId(user.toString()))
        return bad(answer, idProblem(kUser));
    if (!token.isString() || !isValidToken(token.toString()))
        return bad(answer,
                   QStringLiteral("\"token\" is not a token of 1 to %1 letters, digits or ._~+/=-")
                       .arg(kMaxTokenLength));
    if (!device.isString() || !isValidId(device.toString()))
        return bad(answer, idProblem(QStringLiteral("device")));
    return SignedIn {user.toString(), token.toString(), device.toString()};
}

Result<QList<DeviceInfo>> parseDeviceList(const QByteArray &body)
{
    const QString answer = QStringLiteral("device list");
    const QString key = QStringLiteral("devices");
    const Result<QJsonObject> parsed = parseListAnswer(body, answer, key);
    if (!parsed)
        return parsed.error();
    const QJsonObject &top = parsed.value();
    const QJsonArray list = top.value(key).toArray();
    QList<DeviceInfo> devices;
    devices.reserve(list.size());
    QSet<QString> ids;
    bool current = false;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const auto entryBad = [&](const QString &what) {
            return bad(answer, QStringLiteral("device %1: %2").arg(i + 1).arg(what));
        };
        if (!list.at(i).isObject())
            return entryBad(QStringLiteral("not an object"));
        const QJsonObject d = list.at(i).toObject();
        DeviceInfo device;
        const QJsonValue id = d.value(kId);
        const QJsonValue name = d.value(QStringLiteral("name"));
        const QJsonValue isCurrent = d.value(QStringLiteral("current"));
        if (!id.isString() || !isValidId(id.toString()))
            return entryBad(idProblem(kId));
        device.id = id.toString();
        if (!name.isString() || name.toString().size() > kMaxDeviceNameLength
            || hasControl(name.toString()))
            return entryBad(QStringLiteral("\"name\" is not a text of at most %1 characters "
                                           "without control characters")
                                .arg(kMaxDeviceNameLength));
        device.name = name.toString();
        if (!toWholeNumber(d.value(QStringLiteral("created")), &device.created))
            return entryBad(QStringLiteral("\"created\" is not a time (a whole number of "
                                           "milliseconds from 0 to 2^53 - 1)"));
        if (!toWholeNumber(d.value(QStringLiteral("last_used")), &device.lastUsed))
            return entryBad(QStringLiteral("\"last_used\" is not a time (a whole number of "
                                           "milliseconds from 0 to 2^53 - 1)"));
        if (!isCurrent.isBool())
            return entryBad(QStringLiteral("\"current\" is not true or false"));
        device.current = isCurrent.toBool();
        if (ids.contains(device.id))
            return entryBad(QStringLiteral("the id \"%1\" appears twice").arg(device.id));
        if (device.current && current)
            return entryBad(QStringLiteral("a second device marked current"));
        ids.insert(device.id);
        current = current || device.current;
        devices.append(device);
    }
    return devices;
}

Result<QString> parseRevoked(const QByteArray &body)
{
    return parseIdAnswer(body, QStringLiteral("revocation"), QStringLiteral("revoked"));
}

Result<QString> parseWorkspaceCreated(const QByteArray &body)
{
    const QString answer = QStringLiteral("new workspace");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue id = top.value(kId);
    if (!id.isString() || !isValidId(id.toString()))
        return bad(answer, idProblem(kId));
    const QJsonValue role = top.value(kRole);
    if (!role.isUndefined() && role != QLatin1String("owner"))
        return bad(answer, QStringLiteral("\"role\" is not \"owner\""));
    return id.toString();
}

Result<MemberList> parseMemberList(const QByteArray &body)
{
    const QString answer = QStringLiteral("member list");
    const QString key = QStringLiteral("members");
    const Result<QJsonObject> parsed = parseListAnswer(body, answer, key);
    if (!parsed)
        return parsed.error();
    const QJsonObject &top = parsed.value();
    MemberList result;
    const QJsonValue workspace = top.value(QStringLiteral("workspace"));
    if (!workspace.isString() || !isValidId(workspace.toString()))
        return bad(answer, idProblem(QStringLiteral("workspace")));
    result.workspace = workspace.toString();
    const Result<QList<QPair<QString, QString>>> entries
        = parseRoleList(top, key, kUser, answer, QStringLiteral("member"));
    if (!entries)
        return entries.error();
    bool owner = false;
    for (qsizetype i = 0; i < entries->size(); ++i) {
        const MemberInfo member {entries->at(i).first, entries->at(i).second};
        const bool isOwner = member.role == QLatin1String("owner");
        if (isOwner && owner)
            return bad(answer, QStringLiteral("member %1: a second owner").arg(i + 1));
        owner = owner || isOwner;
        result.members.append(member);
    }
    // Absent from servers before sharing by consent: nobody invited then.
    if (top.value(QStringLiteral("invited")).isUndefined())
        return result;
    if (!top.value(QStringLiteral("invited")).isArray())
        return bad(answer, QStringLiteral("\"invited\" is not a list"));
    const Result<QList<QPair<QString, QString>>> invited
        = parseRoleList(top, QStringLiteral("invited"), kUser, answer, QStringLiteral("invited"));
    if (!invited)
        return invited.error();
    for (qsizetype i = 0; i < invited->size(); ++i) {
        const MemberInfo person {invited->at(i).first, invited->at(i).second, true};
        if (person.role == QLatin1String("owner"))
            return bad(answer, QStringLiteral("invited %1: invited as owner").arg(i + 1));
        for (const MemberInfo &m : std::as_const(result.members)) {
            if (m.user == person.user)
                return bad(answer,
                           QStringLiteral("invited %1: \"%2\" is a member already")
                               .arg(i + 1)
                               .arg(person.user));
        }
        result.members.append(person);
    }
    return result;
}

Result<MemberInfo> parseMemberSet(const QByteArray &body)
{
    const QString answer = QStringLiteral("member change");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue user = top.value(kUser);
    const QJsonValue role = top.value(kRole);
    if (!user.isString() || !isValidId(user.toString()))
        return bad(answer, idProblem(kUser));
    if (!role.isString() || !isValidRole(role.toString()))
        return bad(answer, roleProblem());
    const QJsonValue invited = top.value(QStringLiteral("invited"));
    if (!invited.isUndefined() && !invited.isBool())
        return bad(answer, QStringLiteral("\"invited\" is not true or false"));
    return MemberInfo {user.toString(), role.toString(), invited.toBool()};
}

Result<InvitationInfo> parseInvitationAccepted(const QByteArray &body)
{
    const QString answer = QStringLiteral("acceptance");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue id = top.value(kId);
    const QJsonValue role = top.value(kRole);
    if (!id.isString() || !isValidId(id.toString()))
        return bad(answer, idProblem(kId));
    if (role != QLatin1String("editor") && role != QLatin1String("viewer"))
        return bad(answer, QStringLiteral("\"role\" is not \"editor\" or \"viewer\""));
    return InvitationInfo {id.toString(), role.toString(), {}};
}

Result<QString> parseInvitationDeclined(const QByteArray &body)
{
    return parseIdAnswer(body, QStringLiteral("declining"), QStringLiteral("declined"));
}

Result<QString> parseWorkspaceLeft(const QByteArray &body)
{
    return parseIdAnswer(body, QStringLiteral("leaving"), QStringLiteral("left"));
}

Result<QString> parseMemberRemoved(const QByteArray &body)
{
    return parseIdAnswer(body, QStringLiteral("member removal"), QStringLiteral("removed"));
}

namespace {

// The `files` and `files_lost` keys of an answer about blobs; false with `problem` set when
// either is malformed.
bool readFilesCheck(const QJsonObject &top, FilesCheck *check, QString *problem)
{
    const QJsonValue head = top.value(QStringLiteral("files"));
    const QJsonValue lost = top.value(QStringLiteral("files_lost"));
    if (!head.isUndefined() && (!head.isString() || !isValidId(head.toString()))) {
        *problem = QStringLiteral("\"files\" is not an upload token");
        return false;
    }
    if (!lost.isUndefined() && !lost.isBool()) {
        *problem = QStringLiteral("\"files_lost\" is not true or false");
        return false;
    }
    check->head = head.toString();
    check->lost = lost.toBool();
    return true;
}

} // namespace

Result<MissingBlobs> parseMissingBlobs(const QByteArray &body, const QStringList &asked)
{
    const QString answer = QStringLiteral("missing blobs");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    const QJsonValue list = top.value(QStringLiteral("missing"));
    if (!list.isArray())
        return bad(answer, QStringLiteral("\"missing\" is not a list"));
    const QSet<QString> question(asked.cbegin(), asked.cend());
    QSet<QString> seen;
    MissingBlobs result;
    for (const QJsonValue &value : list.toArray()) {
        const QString id = value.toString();
        if (!question.contains(id))
            return bad(answer, QStringLiteral("it names a blob that was not asked about"));
        if (seen.contains(id))
            return bad(answer, QStringLiteral("it names a blob twice"));
        seen.insert(id);
        result.missing.append(id);
    }
    if (!readFilesCheck(top, &result.files, &problem))
        return bad(answer, problem);
    return result;
}

Result<BlobUploadState> parseBlobUploadState(const QByteArray &body, const QString &blob)
{
    const QString answer = QStringLiteral("blob upload");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    if (top.value(QStringLiteral("blob")).toString() != blob)
        return bad(answer, QStringLiteral("it is about another blob"));
    BlobUploadState state;
    const QJsonValue offset = top.value(QStringLiteral("offset"));
    const QJsonValue size = top.value(QStringLiteral("size"));
    const QJsonValue complete = top.value(QStringLiteral("complete"));
    if (!toWholeNumber(offset, &state.offset))
        return bad(answer, QStringLiteral("\"offset\" is not a byte count"));
    if (!size.isUndefined() && !toWholeNumber(size, &state.size))
        return bad(answer, QStringLiteral("\"size\" is not a byte count"));
    if (!complete.isBool())
        return bad(answer, QStringLiteral("\"complete\" is not true or false"));
    if (!readFilesCheck(top, &state.files, &problem))
        return bad(answer, problem);
    state.complete = complete.toBool();
    if (state.size >= 0 && state.offset > state.size)
        return bad(answer, QStringLiteral("\"offset\" is past \"size\""));
    return state;
}

std::optional<qint64> parseWrongOffset(const QByteArray &body)
{
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    qint64 offset = 0;
    if (!problem.isEmpty() || !toWholeNumber(top.value(QStringLiteral("offset")), &offset))
        return std::nullopt;
    return offset;
}

Result<WorkspaceStorage> parseStorage(const QByteArray &body)
{
    const QString answer = QStringLiteral("storage use");
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return bad(answer, problem);
    WorkspaceStorage use;
    const QJsonValue workspace = top.value(QStringLiteral("workspace"));
    if (!workspace.isString() || !isValidId(workspace.toString()))
        return bad(answer, idProblem(QStringLiteral("workspace")));
    use.workspace = workspace.toString();
    for (const auto &[key, out] : {std::pair {QStringLiteral("records"), &use.records},
                                   std::pair {QStringLiteral("blobs"), &use.blobs},
                                   std::pair {QStringLiteral("bytes"), &use.bytes}}) {
        if (!toWholeNumber(top.value(key), out))
            return bad(answer, QStringLiteral("\"%1\" is not a count").arg(key));
    }
    return use;
}

Error parseErrorAnswer(int status, const QByteArray &body, const QString &server)
{
    Error error {QStringLiteral("http_%1").arg(status),
                 QStringLiteral("The server at %1 answered %2.").arg(server).arg(status)};
    QString problem;
    const QJsonObject top = parseObject(body, &problem);
    if (!problem.isEmpty())
        return error;
    const QString code = top.value(QStringLiteral("code")).toString();
    if (isValidName(code) && code == code.toLower())
        error.code = code;
    const QJsonValue message = top.value(QStringLiteral("message"));
    if (message.isString()) {
        // A person reads one sentence, on a terminal too: no control characters (escape
        // sequences), and not the megabytes a hostile server could send.
        QString text = message.toString().left(kMaxErrorMessageLength + 1);
        std::replace_if(text.begin(), text.end(), isControl, QLatin1Char(' '));
        if (text.size() > kMaxErrorMessageLength) {
            text.truncate(kMaxErrorMessageLength - 1);
            if (text.back().isHighSurrogate())
                text.chop(1);
            text.append(QChar(0x2026));
        }
        text = text.trimmed();
        if (!text.isEmpty())
            error.message = text;
    }
    return error;
}

} // namespace Ferry::Wire
