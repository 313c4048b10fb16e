// libFuzzer target: what a Ferry client does with a server's answers to the account calls
// (register, sign in, devices, sign out, new workspace, members, /v1/me) and with its refusals,
// which a hostile or broken server controls entirely. Each input is given to every parser. A
// parse may fail, never crash; what it accepts must hold what the protocol promises (ids, roles,
// times, lengths), since the desktop app and ferry-cli show it and send it back in paths.

#include "accountanswers.h"
#include "wire.h"

#include <QByteArray>
#include <QSet>

#include <cstdio>
#include <cstdlib>

namespace {

void check(bool ok, const char *what, const QString &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_account_answers: %s\n%s\n", what,
                 detail.left(2000).toUtf8().constData());
    std::abort();
}

bool isTime(qint64 time)
{
    return time >= 0 && time <= (qint64(1) << 53) - 1;
}

bool hasControl(const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x20 || (c.unicode() >= 0x7f && c.unicode() < 0xa0))
            return true;
    }
    return false;
}

template<typename T> bool refused(const Ferry::Result<T> &result, const char *what)
{
    if (result)
        return false;
    check(result.error().code == QLatin1String("bad_response") && !result.error().message.isEmpty()
              && !hasControl(result.error().message),
          what, result.error().message);
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace Ferry;
    using namespace Ferry::Wire;
    const QByteArray body
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));

    const Result<QString> registered = parseRegistered(body);
    if (!refused(registered, "a registration refused without code or with control characters"))
        check(isValidId(registered.value()), "a registration of a bad user", registered.value());

    const Result<SignedIn> signedIn = parseSignedIn(body);
    if (!refused(signedIn, "a sign-in refused without code or with control characters"))
        check(isValidId(signedIn->user) && isValidId(signedIn->device)
                  && isValidToken(signedIn->token),
              "a sign-in accepted with a bad user, device or token", signedIn->token);

    const Result<QList<DeviceInfo>> devices = parseDeviceList(body);
    if (!refused(devices, "a device list refused without code or with control characters")) {
        check(devices->size() <= kMaxAccountListEntries, "a device list too long");
        QSet<QString> ids;
        int current = 0;
        for (const DeviceInfo &d : devices.value()) {
            check(isValidId(d.id) && !ids.contains(d.id), "a bad or repeated device id", d.id);
            check(d.name.size() <= kMaxDeviceNameLength && !hasControl(d.name),
                  "a device name too long or with control characters", d.name);
            check(isTime(d.created) && isTime(d.lastUsed), "a device time out of range");
            ids.insert(d.id);
            current += d.current ? 1 : 0;
        }
        check(current <= 1, "two current devices");
    }

    const Result<QString> revoked = parseRevoked(body);
    if (!refused(revoked, "a revocation refused without code or with control characters"))
        check(isValidId(revoked.value()), "a revocation of a bad id", revoked.value());

    const Result<QString> created = parseWorkspaceCreated(body);
    if (!refused(created, "a new workspace refused without code or with control characters"))
        check(isValidId(created.value()), "a new workspace with a bad id", created.value());

    const Result<MemberList> members = parseMemberList(body);
    if (!refused(members, "a member list refused without code or with control characters")) {
        check(isValidId(members->workspace), "a member list of a bad workspace");
        check(members->members.size() <= kMaxAccountListEntries, "a member list too long");
        QSet<QString> users;
        int owners = 0;
        for (const MemberInfo &m : members->members) {
            check(isValidId(m.user) && !users.contains(m.user), "a bad or repeated member", m.user);
            check(isValidRole(m.role), "a member with a bad role", m.role);
            users.insert(m.user);
            owners += m.role == QLatin1String("owner") ? 1 : 0;
        }
        check(owners <= 1, "two owners");
    }

    const Result<MemberInfo> member = parseMemberSet(body);
    if (!refused(member, "a member change refused without code or with control characters"))
        check(isValidId(member->user) && isValidRole(member->role),
              "a member change with a bad user or role", member->role);

    const Result<QString> removed = parseMemberRemoved(body);
    if (!refused(removed, "a member removal refused without code or with control characters"))
        check(isValidId(removed.value()), "a member removal of a bad user", removed.value());

    const Result<WorkspaceStorage> use = parseStorage(body);
    if (!refused(use, "a storage answer refused without code or with control characters"))
        check(isValidId(use->workspace) && use->records >= 0 && use->blobs >= 0 && use->bytes >= 0,
              "a storage answer with a bad workspace or count", use->workspace);

    const Result<AccountInfo> me = parseAccountInfo(body);
    if (!refused(me, "an account answer refused without code or with control characters")) {
        check(isValidId(me->user) && me->workspaces.size() == me->roles.size()
                  && me->workspaces.size() <= kMaxAccountListEntries,
              "an account answer with a bad user", me->user);
        QSet<QString> ids;
        for (qsizetype i = 0; i < me->workspaces.size(); ++i) {
            check(isValidId(me->workspaces.at(i)) && isValidRole(me->roles.at(i))
                      && !ids.contains(me->workspaces.at(i)),
                  "an account answer with a bad or repeated workspace or role", me->roles.at(i));
            ids.insert(me->workspaces.at(i));
        }
    }

    // Answers about blobs, for a question about two of them.
    const QString first = QStringLiteral("sha256:") + QString(64, QLatin1Char('a'));
    const QStringList asked {first, QStringLiteral("sha256:") + QString(64, QLatin1Char('b'))};
    const Result<MissingBlobs> missing = parseMissingBlobs(body, asked);
    if (!refused(missing,
                 "a missing-blobs answer refused without code or with control "
                 "characters")) {
        check(missing->missing.size() <= asked.size()
                  && QSet<QString>(missing->missing.cbegin(), missing->missing.cend()).size()
                      == missing->missing.size(),
              "a missing-blobs answer with more or repeated blobs", missing->files.head);
        for (const QString &blob : std::as_const(missing->missing))
            check(asked.contains(blob), "a missing-blobs answer naming a blob not asked about",
                  blob);
        check(missing->files.head.isEmpty() || isValidId(missing->files.head),
              "a missing-blobs answer with a bad upload token", missing->files.head);
    }
    const Result<BlobUploadState> upload = parseBlobUploadState(body, first);
    if (!refused(upload, "an upload state refused without code or with control characters"))
        check(upload->offset >= 0 && (upload->size < 0 || upload->offset <= upload->size)
                  && (upload->files.head.isEmpty() || isValidId(upload->files.head)),
              "an upload state with a bad offset or upload token", upload->files.head);

    // The first byte picks a status, so refusals of every kind are read too.
    const int status = size > 0 ? 300 + data[0] % 300 : 500;
    const Error refusal = parseErrorAnswer(status, body, QStringLiteral("https://example.org"));
    const bool ownCode = refusal.code == QStringLiteral("http_%1").arg(status);
    check(ownCode || (isValidName(refusal.code) && refusal.code == refusal.code.toLower()),
          "a refusal with a code that is not a name", refusal.code);
    check(!refusal.message.isEmpty() && refusal.message.size() <= kMaxErrorMessageLength
              && !hasControl(refusal.message) && QStringView(refusal.message).isValidUtf16()
              && refusal.message == refusal.message.trimmed(),
          "a refusal message that is empty, too long or not plain text", refusal.message);
    return 0;
}
