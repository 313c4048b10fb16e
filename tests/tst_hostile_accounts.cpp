// AccountClient against a server that answers wrongly: every account call (register, sign in,
// devices, sign out, workspaces, members) gets answers that are not JSON, of the wrong shape or
// type, with ids that are paths, roles that do not exist, megabytes of text, lists of a million
// entries, a gzip bomb, a body cut short, no answer at all. Each must end the call with exactly
// one failed() naming the problem, no success signal and no crash. Well-formed answers, the same
// server's way of answering, must still succeed, so the checks are not simply refusing.
//
// The answers come from CannedHttpServer (tests/support), as for the sync engine's test.

#include "accountclient.h"
#include "cannedhttpserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;

namespace {

using Mode = CannedHttpServer::Mode;
using Answer = CannedHttpServer::Answer;

// Answers every request with one canned Answer.
class FakeServer : public CannedHttpServer
{
public:
    explicit FakeServer(const Answer &answer) { CannedHttpServer::answer(QByteArray(), {answer}); }
    QList<QByteArray> requests() const { return requestLines(); }
};

enum class Call {
    ReadAccount,
    Register,
    SignIn,
    ListDevices,
    RevokeDevice,
    SignOut,
    CreateWorkspace,
    ListMembers,
    SetMember,
    RemoveMember,
    AcceptInvitation,
    DeclineInvitation,
    LeaveWorkspace,
};

const QList<Call> kCalls {Call::ReadAccount,     Call::Register,         Call::SignIn,
                          Call::ListDevices,     Call::RevokeDevice,     Call::SignOut,
                          Call::CreateWorkspace, Call::ListMembers,      Call::SetMember,
                          Call::RemoveMember,    Call::AcceptInvitation, Call::DeclineInvitation,
                          Call::LeaveWorkspace};

const QByteArray kToken = QByteArray(64, 'a');
const QByteArray kDevice = "0123456789abcdef";

struct CallInfo
{
    const char *name;
    QByteArray request; // the request's first line, up to the protocol version
    QByteArray good; // a well-formed answer
};

CallInfo info(Call call)
{
    switch (call) {
    case Call::ReadAccount:
        return {"read account", "GET /v1/me ",
                "{\"user\":\"carol\",\"workspaces\":[{\"id\":\"carol\",\"role\":\"owner\"},"
                "{\"id\":\"notes\",\"role\":\"viewer\"}]}"};
    case Call::Register:
        return {"register", "POST /v1/accounts ", "{\"user\":\"carol\"}"};
    case Call::SignIn:
        return {"sign in", "POST /v1/sessions ",
                "{\"user\":\"carol\",\"token\":\"" + kToken + "\",\"device\":\"" + kDevice + "\"}"};
    case Call::ListDevices:
        return {"list devices", "GET /v1/devices ",
                "{\"devices\":[{\"id\":\"" + kDevice
                    + "\",\"name\":\"Carol's laptop\",\"created\":1790000000000,"
                      "\"last_used\":1790000360000,\"current\":true},{\"id\":\"dev2\","
                      "\"name\":\"\",\"created\":1,\"last_used\":0,\"current\":false}]}"};
    case Call::RevokeDevice:
        return {"revoke device", "DELETE /v1/devices/dev2 ", "{\"revoked\":\"dev2\"}"};
    case Call::SignOut:
        return {"sign out", "DELETE /v1/sessions/current ", "{\"revoked\":\"" + kDevice + "\"}"};
    case Call::CreateWorkspace:
        return {"create workspace", "POST /v1/workspaces ",
                "{\"id\":\"notes\",\"role\":\"owner\"}"};
    case Call::ListMembers:
        return {"list members", "GET /v1/workspaces/notes/members ",
                "{\"workspace\":\"notes\",\"members\":[{\"user\":\"alice\",\"role\":\"owner\"},"
                "{\"user\":\"bob\",\"role\":\"editor\"}]}"};
    case Call::SetMember:
        return {"set member", "PUT /v1/workspaces/notes/members/bob ",
                "{\"user\":\"bob\",\"role\":\"editor\"}"};
    case Call::RemoveMember:
        return {"remove member", "DELETE /v1/workspaces/notes/members/bob ",
                "{\"removed\":\"bob\"}"};
    case Call::AcceptInvitation:
        return {"accept invitation", "POST /v1/invitations/notes ",
                "{\"id\":\"notes\",\"role\":\"editor\"}"};
    case Call::DeclineInvitation:
        return {"decline invitation", "DELETE /v1/invitations/notes ", "{\"declined\":\"notes\"}"};
    case Call::LeaveWorkspace:
        return {"leave workspace", "DELETE /v1/workspaces/notes/membership ",
                "{\"left\":\"notes\"}"};
    }
    return {};
}

void start(AccountClient &client, Call call)
{
    const QString notes = QStringLiteral("notes");
    const QString bob = QStringLiteral("bob");
    switch (call) {
    case Call::ReadAccount:
        return client.readAccount();
    case Call::Register:
        return client.registerAccount(QStringLiteral("carol"), QStringLiteral("a password"));
    case Call::SignIn:
        return client.signIn(QStringLiteral("carol"), QStringLiteral("a password"),
                             QStringLiteral("Carol's laptop"));
    case Call::ListDevices:
        return client.listDevices();
    case Call::RevokeDevice:
        return client.revokeDevice(QStringLiteral("dev2"));
    case Call::SignOut:
        return client.signOut();
    case Call::CreateWorkspace:
        return client.createWorkspace(notes);
    case Call::ListMembers:
        return client.listMembers(notes);
    case Call::SetMember:
        return client.setMember(notes, bob, QStringLiteral("editor"));
    case Call::RemoveMember:
        return client.removeMember(notes, bob);
    case Call::AcceptInvitation:
        return client.acceptInvitation(notes);
    case Call::DeclineInvitation:
        return client.declineInvitation(notes);
    case Call::LeaveWorkspace:
        return client.leaveWorkspace(notes);
    }
}

// Every success signal, written out, so a row can say what it expects.
QString describe(const QList<DeviceInfo> &devices)
{
    QStringList out;
    for (const DeviceInfo &d : devices)
        out.append(QStringLiteral("%1 '%2' %3 %4%5")
                       .arg(d.id, d.name)
                       .arg(d.created)
                       .arg(d.lastUsed)
                       .arg(d.current ? QStringLiteral(" current") : QString()));
    return out.join(QStringLiteral(", "));
}

QString describe(const QList<MemberInfo> &members)
{
    QStringList out;
    for (const MemberInfo &m : members)
        out.append(m.user + QLatin1Char(' ') + m.role);
    return out.join(QStringLiteral(", "));
}

void recordSuccesses(AccountClient &client, QStringList *out)
{
    QObject::connect(&client, &AccountClient::accountRead, &client, [out](const AccountInfo &a) {
        QStringList workspaces;
        for (qsizetype i = 0; i < a.workspaces.size(); ++i)
            workspaces.append(a.workspaces.at(i) + QLatin1Char(' ') + a.roles.value(i));
        out->append(QStringLiteral("account %1: %2").arg(a.user, workspaces.join(u", ")));
    });
    QObject::connect(&client, &AccountClient::registered, &client, [out](const QString &user) {
        out->append(QStringLiteral("registered ") + user);
    });
    QObject::connect(&client, &AccountClient::signedIn, &client, [out](const SignedIn &s) {
        out->append(QStringLiteral("signed in %1 %2 %3").arg(s.user, s.token, s.device));
    });
    QObject::connect(&client, &AccountClient::devicesListed, &client,
                     [out](const QList<DeviceInfo> &d) {
                         out->append(QStringLiteral("devices ") + describe(d));
                     });
    QObject::connect(&client, &AccountClient::deviceRevoked, &client,
                     [out](const QString &id) { out->append(QStringLiteral("revoked ") + id); });
    QObject::connect(&client, &AccountClient::workspaceCreated, &client,
                     [out](const QString &ws) { out->append(QStringLiteral("created ") + ws); });
    QObject::connect(&client, &AccountClient::membersListed, &client,
                     [out](const QString &ws, const QList<MemberInfo> &m) {
                         out->append(QStringLiteral("members of %1: %2").arg(ws, describe(m)));
                     });
    QObject::connect(&client, &AccountClient::memberChanged, &client,
                     [out](const QString &ws, const MemberInfo &m) {
                         out->append(QStringLiteral("changed %1: %2 '%3'").arg(ws, m.user, m.role));
                     });
    QObject::connect(&client, &AccountClient::invitationAnswered, &client,
                     [out](const QString &ws, const QString &role) {
                         out->append(QStringLiteral("answered %1 '%2'").arg(ws, role));
                     });
    QObject::connect(&client, &AccountClient::workspaceLeft, &client,
                     [out](const QString &ws) { out->append(QStringLiteral("left ") + ws); });
}

// 64 MiB of spaces (valid JSON whitespace) in about 64 KiB, made once.
const QByteArray &gzipBomb()
{
    static const QByteArray bomb = gzip(QByteArray(qsizetype(64) << 20, ' '));
    return bomb;
}

// `good` with `extra` inserted as its first key.
QByteArray withKey(const QByteArray &good, const QByteArray &extra)
{
    return "{" + extra + "," + good.mid(1);
}

QByteArray repeated(const QByteArray &pattern, int times, bool numbered = false)
{
    QByteArray out;
    out.reserve((pattern.size() + 8) * times);
    for (int i = 0; i < times; ++i) {
        if (i > 0)
            out.append(',');
        out.append(numbered ? QByteArray(pattern).replace("N", QByteArray::number(i)) : pattern);
    }
    return out;
}

} // namespace

class TestHostileAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hostileAnswer_data();
    void hostileAnswer();
    void wellFormedAnswer_data();
    void wellFormedAnswer();

private:
    void addHostile(Call call, const char *what, const Answer &answer, const QString &code,
                    const QString &mentions)
    {
        QTest::addRow("%s: %s", info(call).name, what)
            << int(call) << answer.status << answer.body << answer.headers << int(answer.mode)
            << code << mentions;
    }
};

void TestHostileAccounts::hostileAnswer_data()
{
    QTest::addColumn<int>("call");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<int>("mode");
    QTest::addColumn<QString>("code"); // of the one failed()
    QTest::addColumn<QString>("mentions"); // the message names the problem

    const QString bad = QStringLiteral("bad_response");
    const QByteArray huge(2 << 20, 'x');
    const QByteArray gzipHeader = "Content-Encoding: gzip\r\n";

    // What every call must survive.
    for (const Call call : kCalls) {
        const QByteArray good = info(call).good;
        addHostile(call, "not JSON", {200, "Welcome, friend"}, bad,
                   QStringLiteral("not a JSON object"));
        addHostile(call, "invalid UTF-8", {200, "{\"user\":\"\xff\xfe\"}"}, bad,
                   QStringLiteral("not JSON"));
        addHostile(call, "a JSON array", {200, "[" + good + "]"}, bad,
                   QStringLiteral("not a JSON object"));
        addHostile(call, "a JSON string", {200, "\"ok\""}, bad,
                   QStringLiteral("not a JSON object"));
        addHostile(call, "null", {200, "null"}, bad, QStringLiteral("not a JSON object"));
        addHostile(call, "an empty object", {200, "{}"}, bad, QStringLiteral("\""));
        addHostile(call, "an empty body", {200, {}}, bad, QStringLiteral("empty"));
        addHostile(call, "duplicate keys", {200, withKey(good, "\"x\":1,\"x\":2")}, bad,
                   QStringLiteral("appears twice"));
        addHostile(call, "a repeated key with terminal escapes",
                   {200, withKey(good, "\"\\u001b[2J\":1,\"\\u001b[2J\":2")}, bad,
                   QStringLiteral("appears twice"));
        addHostile(call, "nested 1000 deep",
                   {200, withKey(good, "\"x\":" + QByteArray(1000, '[') + QByteArray(1000, ']'))},
                   bad, QStringLiteral("nested deeper"));
        addHostile(call, "a lone surrogate", {200, withKey(good, "\"x\":\"\\ud800\"")}, bad,
                   QStringLiteral("surrogate"));
        addHostile(call, "a 2 MiB string", {200, withKey(good, "\"x\":\"" + huge + "\"")}, bad,
                   QStringLiteral("larger than 1024 KiB"));
        addHostile(call, "a gzip bomb", {200, gzipBomb(), gzipHeader}, bad,
                   QStringLiteral("cannot read (Decompression failed)"));
        // Cut by the network (a success or a refusal alike): the network's failure, as for the
        // sync engine, not an answer the server gave.
        addHostile(call, "cut short", {200, good, {}, Mode::CloseMidAnswer},
                   QStringLiteral("network"), QStringLiteral("broke off"));
        addHostile(call, "no answer", {200, good, {}, Mode::Silent}, QStringLiteral("timeout"),
                   QStringLiteral("stopped answering for 0.5 s"));
        addHostile(call, "a byte now and then", {200, good, {}, Mode::Trickle},
                   QStringLiteral("timeout"),
                   QStringLiteral("did not finish answering within 2 s"));
        addHostile(call, "500 with HTML", {500, "<html><body><h1>Oops</h1></body></html>"},
                   QStringLiteral("http_500"), QStringLiteral("answered 500."));
        addHostile(call, "502 with an empty body", {502, {}}, QStringLiteral("http_502"),
                   QStringLiteral("answered 502."));
        addHostile(call, "403 cut short",
                   {403, "{\"code\":\"forbidden\",\"message\":\"No.\"}", {}, Mode::CloseMidAnswer},
                   QStringLiteral("network"), QStringLiteral("broke off"));
        addHostile(call, "400 with code and message of wrong types",
                   {400, "{\"code\":7,\"message\":[\"x\"]}"}, QStringLiteral("http_400"),
                   QStringLiteral("answered 400."));
        addHostile(call, "400 with a code that is a path",
                   {400, "{\"code\":\"../etc\",\"message\":\"Bad.\"}"}, QStringLiteral("http_400"),
                   QStringLiteral("Bad."));
        addHostile(call, "409 with a proper refusal",
                   {409, "{\"code\":\"user_exists\",\"message\":\"Taken.\"}"},
                   QStringLiteral("user_exists"), QStringLiteral("Taken."));
        addHostile(
            call, "400 with 500 KiB of message",
            {400,
             "{\"code\":\"invalid_request\",\"message\":\"" + QByteArray(500 << 10, 'm') + "\"}"},
            QStringLiteral("invalid_request"), QStringLiteral("mmm\u2026"));
        addHostile(call, "400 with terminal escapes",
                   {400,
                    "{\"code\":\"invalid_request\",\"message\":\"\\u001b[2J\\u001b]0;x\\u0007"
                    "Wiped.\\r\\n\"}"},
                   QStringLiteral("invalid_request"), QStringLiteral("Wiped."));
        addHostile(call, "400 with duplicate keys",
                   {400, "{\"code\":\"a\",\"code\":\"b\",\"message\":\"Hm.\"}"},
                   QStringLiteral("http_400"), QStringLiteral("answered 400."));
        addHostile(call, "401 with 2 MiB of message",
                   {401, "{\"code\":\"unauthorized\",\"message\":\"" + huge + "\"}"}, bad,
                   QStringLiteral("larger than 1024 KiB"));
    }

    // What each answer's own keys may not be.
    const auto row
        = [&](Call call, const char *what, const QByteArray &body, const QString &mentions) {
              addHostile(call, what, {200, body}, bad, mentions);
          };
    row(Call::Register, "user a number", "{\"user\":5}", QStringLiteral("\"user\" is not an id"));
    row(Call::Register, "user a path", "{\"user\":\"../carol\"}",
        QStringLiteral("\"user\" is not an id"));
    row(Call::Register, "user 65 characters", "{\"user\":\"" + QByteArray(65, 'c') + "\"}",
        QStringLiteral("\"user\" is not an id"));
    row(Call::Register, "another user", "{\"user\":\"mallory\"}",
        QStringLiteral("\"mallory\", not \"carol\""));

    const QByteArray device = ",\"device\":\"" + kDevice + "\"}";
    row(Call::SignIn, "no token", "{\"user\":\"carol\"" + device, QStringLiteral("\"token\""));
    row(Call::SignIn, "token a number", "{\"user\":\"carol\",\"token\":1" + device,
        QStringLiteral("\"token\""));
    row(Call::SignIn, "token with a header in it",
        "{\"user\":\"carol\",\"token\":\"abc\\r\\nX-Evil: 1\"" + device,
        QStringLiteral("\"token\""));
    row(Call::SignIn, "token 600 characters",
        "{\"user\":\"carol\",\"token\":\"" + QByteArray(600, 'a') + "\"" + device,
        QStringLiteral("\"token\""));
    row(Call::SignIn, "device a path",
        "{\"user\":\"carol\",\"token\":\"" + kToken + "\",\"device\":\"a/b\"}",
        QStringLiteral("\"device\" is not an id"));
    row(Call::SignIn, "device missing", "{\"user\":\"carol\",\"token\":\"" + kToken + "\"}",
        QStringLiteral("\"device\" is not an id"));
    row(Call::SignIn, "user null", "{\"user\":null,\"token\":\"" + kToken + "\"" + device,
        QStringLiteral("\"user\" is not an id"));
    row(Call::SignIn, "a token for another user",
        "{\"user\":\"mallory\",\"token\":\"" + kToken + "\"" + device,
        QStringLiteral("for \"mallory\", not \"carol\""));

    const auto devices = [](const QByteArray &entries) -> QByteArray {
        return "{\"devices\":[" + entries + "]}";
    };
    const QByteArray dev = "{\"id\":\"ID\",\"name\":\"NAME\",\"created\":CREATED,"
                           "\"last_used\":USED,\"current\":CURRENT}";
    const auto entry = [&](const QByteArray &id, const QByteArray &name, const QByteArray &created,
                           const QByteArray &used, const QByteArray &current) -> QByteArray {
        return QByteArray(dev)
            .replace("ID", id)
            .replace("NAME", name)
            .replace("CREATED", created)
            .replace("USED", used)
            .replace("CURRENT", current);
    };
    const QByteArray one = entry("d1", "Laptop", "1", "0", "false");
    row(Call::ListDevices, "devices an object", "{\"devices\":{}}",
        QStringLiteral("\"devices\" is not a list"));
    row(Call::ListDevices, "devices missing", "{\"device\":[]}",
        QStringLiteral("\"devices\" is not a list"));
    row(Call::ListDevices, "an entry a number", devices(one + ",7"),
        QStringLiteral("device 2: not an object"));
    row(Call::ListDevices, "id a path", devices(entry("a/b", "L", "1", "0", "false")),
        QStringLiteral("\"id\" is not an id"));
    row(Call::ListDevices, "id dot dot", devices(entry("..", "L", "1", "0", "false")),
        QStringLiteral("\"id\" is not an id"));
    row(Call::ListDevices, "id empty", devices(entry("", "L", "1", "0", "false")),
        QStringLiteral("\"id\" is not an id"));
    row(Call::ListDevices, "name 101 characters",
        devices(entry("d1", QByteArray(101, 'n'), "1", "0", "false")), QStringLiteral("\"name\""));
    row(Call::ListDevices, "name with a terminal escape",
        devices(entry("d1", "\\u001b[31mred", "1", "0", "false")), QStringLiteral("\"name\""));
    row(Call::ListDevices, "name a number", devices(QByteArray(one).replace("\"Laptop\"", "12")),
        QStringLiteral("\"name\""));
    row(Call::ListDevices, "created a string", devices(entry("d1", "L", "\"today\"", "0", "false")),
        QStringLiteral("\"created\" is not a time"));
    row(Call::ListDevices, "created negative", devices(entry("d1", "L", "-1", "0", "false")),
        QStringLiteral("\"created\" is not a time"));
    row(Call::ListDevices, "created 1e300", devices(entry("d1", "L", "1e300", "0", "false")),
        QStringLiteral("\"created\" is not a time"));
    row(Call::ListDevices, "created a fraction", devices(entry("d1", "L", "1.5", "0", "false")),
        QStringLiteral("\"created\" is not a time"));
    row(Call::ListDevices, "last_used 2^53",
        devices(entry("d1", "L", "1", "9007199254740992", "false")),
        QStringLiteral("\"last_used\" is not a time"));
    row(Call::ListDevices, "last_used missing",
        devices(QByteArray(one).replace("\"last_used\":0,", "")),
        QStringLiteral("\"last_used\" is not a time"));
    row(Call::ListDevices, "current a string", devices(entry("d1", "L", "1", "0", "\"yes\"")),
        QStringLiteral("\"current\" is not true or false"));
    row(Call::ListDevices, "the same id twice", devices(one + "," + one),
        QStringLiteral("device 2: the id \"d1\" appears twice"));
    row(Call::ListDevices, "two current devices",
        devices(entry("d1", "L", "1", "0", "true") + "," + entry("d2", "L", "1", "0", "true")),
        QStringLiteral("a second device marked current"));
    row(Call::ListDevices, "12,000 devices",
        devices(repeated(entry("dN", "", "1", "0", "false"), 12000, true)),
        QStringLiteral("more than 10000 entries"));
    row(Call::ListDevices, "a million devices", devices(repeated("{}", 1000000)),
        QStringLiteral("larger than 1024 KiB"));

    row(Call::RevokeDevice, "another device", "{\"revoked\":\"dev3\"}",
        QStringLiteral("\"dev3\", not \"dev2\""));
    row(Call::RevokeDevice, "revoked a number", "{\"revoked\":2}",
        QStringLiteral("\"revoked\" is not an id"));
    row(Call::RevokeDevice, "revoked a path", "{\"revoked\":\"../dev2\"}",
        QStringLiteral("\"revoked\" is not an id"));
    row(Call::SignOut, "revoked missing", "{\"signed_out\":true}",
        QStringLiteral("\"revoked\" is not an id"));
    row(Call::SignOut, "revoked a path", "{\"revoked\":\"a/b\"}",
        QStringLiteral("\"revoked\" is not an id"));
    row(Call::SignOut, "revoked huge", "{\"revoked\":\"" + QByteArray(100000, 'd') + "\"}",
        QStringLiteral("\"revoked\" is not an id"));

    row(Call::ReadAccount, "user a path", "{\"user\":\"../x\",\"workspaces\":[]}",
        QStringLiteral("user"));
    row(Call::ReadAccount, "workspaces an object", "{\"user\":\"carol\",\"workspaces\":{}}",
        QStringLiteral("workspaces"));
    row(Call::ReadAccount, "role admin",
        "{\"user\":\"carol\",\"workspaces\":[{\"id\":\"carol\",\"role\":\"admin\"}]}",
        QStringLiteral("role"));
    row(Call::ReadAccount, "workspace id with a slash",
        "{\"user\":\"carol\",\"workspaces\":[{\"id\":\"a/b\",\"role\":\"owner\"}]}",
        QStringLiteral("id"));

    row(Call::CreateWorkspace, "another workspace", "{\"id\":\"other\",\"role\":\"owner\"}",
        QStringLiteral("\"other\", not \"notes\""));
    row(Call::CreateWorkspace, "role admin", "{\"id\":\"notes\",\"role\":\"admin\"}",
        QStringLiteral("\"role\" is not \"owner\""));
    row(Call::CreateWorkspace, "role viewer", "{\"id\":\"notes\",\"role\":\"viewer\"}",
        QStringLiteral("\"role\" is not \"owner\""));
    row(Call::CreateWorkspace, "id a list", "{\"id\":[\"notes\"]}",
        QStringLiteral("\"id\" is not an id"));
    row(Call::CreateWorkspace, "id dot dot", "{\"id\":\"..\"}",
        QStringLiteral("\"id\" is not an id"));

    const auto members = [](const QByteArray &entries) -> QByteArray {
        return "{\"workspace\":\"notes\",\"members\":[" + entries + "]}";
    };
    const QByteArray owner = "{\"user\":\"alice\",\"role\":\"owner\"}";
    row(Call::ListMembers, "role admin", members(owner + ",{\"user\":\"bob\",\"role\":\"admin\"}"),
        QStringLiteral("member 2: \"role\" is not \"owner\", \"editor\" or \"viewer\""));
    row(Call::ListMembers, "role Owner", members("{\"user\":\"alice\",\"role\":\"Owner\"}"),
        QStringLiteral("\"role\" is not"));
    row(Call::ListMembers, "role missing", members("{\"user\":\"alice\"}"),
        QStringLiteral("\"role\" is not"));
    row(Call::ListMembers, "user a path", members("{\"user\":\"a/b\",\"role\":\"viewer\"}"),
        QStringLiteral("\"user\" is not an id"));
    row(Call::ListMembers, "user dot dot", members("{\"user\":\"..\",\"role\":\"viewer\"}"),
        QStringLiteral("\"user\" is not an id"));
    row(Call::ListMembers, "user a number", members("{\"user\":1,\"role\":\"viewer\"}"),
        QStringLiteral("\"user\" is not an id"));
    row(Call::ListMembers, "an entry a string", members(owner + ",\"bob\""),
        QStringLiteral("member 2: not an object"));
    row(Call::ListMembers, "another workspace",
        "{\"workspace\":\"other\",\"members\":[" + owner + "]}",
        QStringLiteral("\"other\", not \"notes\""));
    row(Call::ListMembers, "workspace missing", "{\"members\":[" + owner + "]}",
        QStringLiteral("\"workspace\" is not an id"));
    row(Call::ListMembers, "members a string", "{\"workspace\":\"notes\",\"members\":\"all\"}",
        QStringLiteral("\"members\" is not a list"));
    row(Call::ListMembers, "the same user twice", members(owner + "," + owner),
        QStringLiteral("the user \"alice\" appears twice"));
    row(Call::ListMembers, "two owners", members(owner + ",{\"user\":\"bob\",\"role\":\"owner\"}"),
        QStringLiteral("a second owner"));
    row(Call::ListMembers, "20,000 members",
        members(repeated("{\"user\":\"uN\",\"role\":\"viewer\"}", 20000, true)),
        QStringLiteral("more than 10000 entries"));
    row(Call::ListMembers, "a million members", members(repeated("{}", 1000000)),
        QStringLiteral("larger than 1024 KiB"));

    row(Call::SetMember, "role admin", "{\"user\":\"bob\",\"role\":\"admin\"}",
        QStringLiteral("\"role\" is not \"owner\", \"editor\" or \"viewer\""));
    row(Call::SetMember, "role missing", "{\"user\":\"bob\"}", QStringLiteral("\"role\" is not"));
    row(Call::SetMember, "role true", "{\"user\":\"bob\",\"role\":true}",
        QStringLiteral("\"role\" is not"));
    row(Call::SetMember, "another role", "{\"user\":\"bob\",\"role\":\"viewer\"}",
        QStringLiteral("\"bob\" viewer, not \"bob\" editor"));
    row(Call::SetMember, "another user", "{\"user\":\"mallory\",\"role\":\"editor\"}",
        QStringLiteral("\"mallory\" editor, not \"bob\" editor"));
    row(Call::SetMember, "user a path", "{\"user\":\"../bob\",\"role\":\"editor\"}",
        QStringLiteral("\"user\" is not an id"));
    row(Call::RemoveMember, "another user", "{\"removed\":\"alice\"}",
        QStringLiteral("\"alice\", not \"bob\""));
    row(Call::RemoveMember, "removed missing", "{\"user\":\"bob\"}",
        QStringLiteral("\"removed\" is not an id"));
    row(Call::RemoveMember, "removed a path", "{\"removed\":\"bob/..\"}",
        QStringLiteral("\"removed\" is not an id"));
    row(Call::AcceptInvitation, "another workspace", "{\"id\":\"other\",\"role\":\"editor\"}",
        QStringLiteral("\"other\", not \"notes\""));
    row(Call::AcceptInvitation, "role owner", "{\"id\":\"notes\",\"role\":\"owner\"}",
        QStringLiteral("\"role\" is not \"editor\" or \"viewer\""));
    row(Call::AcceptInvitation, "id a path", "{\"id\":\"../notes\",\"role\":\"viewer\"}",
        QStringLiteral("\"id\" is not an id"));
    row(Call::DeclineInvitation, "another workspace", "{\"declined\":\"other\"}",
        QStringLiteral("\"other\", not \"notes\""));
    row(Call::LeaveWorkspace, "another workspace", "{\"left\":\"other\"}",
        QStringLiteral("\"other\", not \"notes\""));
    row(Call::LeaveWorkspace, "left missing", "{\"removed\":\"notes\"}",
        QStringLiteral("\"left\" is not an id"));
    row(Call::ReadAccount, "invitations an object",
        "{\"user\":\"carol\",\"workspaces\":[],\"invitations\":{}}",
        QStringLiteral("\"invitations\" is not a list"));
    row(Call::ReadAccount, "invitation to a path",
        "{\"user\":\"carol\",\"workspaces\":[],\"invitations\":[{\"workspace\":\"../x\","
        "\"role\":\"editor\",\"from\":\"bob\"}]}",
        QStringLiteral("invitation 1: \"workspace\" is not an id"));
    row(Call::ReadAccount, "invitation as owner",
        "{\"user\":\"carol\",\"workspaces\":[],\"invitations\":[{\"workspace\":\"x\","
        "\"role\":\"owner\",\"from\":\"bob\"}]}",
        QStringLiteral("invitation 1: \"role\" is not \"editor\" or \"viewer\""));
    row(Call::ReadAccount, "invitation twice",
        "{\"user\":\"carol\",\"workspaces\":[],\"invitations\":[{\"workspace\":\"x\","
        "\"role\":\"editor\",\"from\":\"bob\"},{\"workspace\":\"x\",\"role\":\"viewer\","
        "\"from\":\"bob\"}]}",
        QStringLiteral("appears twice"));
    row(Call::ListMembers, "invited twice over a member",
        "{\"workspace\":\"notes\",\"members\":[{\"user\":\"alice\",\"role\":\"owner\"}],"
        "\"invited\":[{\"user\":\"alice\",\"role\":\"viewer\"}]}",
        QStringLiteral("is a member already"));
    row(Call::ListMembers, "invited as owner",
        "{\"workspace\":\"notes\",\"members\":[],\"invited\":[{\"user\":\"eve\",\"role\":"
        "\"owner\"}]}",
        QStringLiteral("invited as owner"));
}

void TestHostileAccounts::hostileAnswer()
{
    QFETCH(int, call);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headers);
    QFETCH(int, mode);
    QFETCH(QString, code);
    QFETCH(QString, mentions);

    FakeServer server({status, body, headers, Mode(mode)});
    QVERIFY(server.listen());
    AccountClient client;
    client.setServer(server.url(), QStringLiteral("t0k3n"));
    client.setTimeouts(500, 2000);
    QStringList successes;
    recordSuccesses(client, &successes);
    QSignalSpy failed(&client, &AccountClient::failed);

    start(client, Call(call));
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !successes.isEmpty(), 10000);
    QTest::qWait(20); // a second signal would come now
    QVERIFY2(successes.isEmpty(), qPrintable(successes.join(QLatin1Char('\n')).left(300)));
    QCOMPARE(failed.size(), 1);
    const Error error = failed.at(0).at(0).value<Error>();
    QVERIFY2(error.message.contains(mentions), qPrintable(error.message.left(600)));
    QCOMPARE(error.code, code);
    QVERIFY2(error.message.size() < 1000, "the person gets a sentence, not the server's megabytes");
    for (const QChar c : error.message) // no escape sequences on a terminal
        QVERIFY2(c.unicode() >= 0x20 && (c.unicode() < 0x7f || c.unicode() >= 0xa0),
                 qPrintable(error.message));
    const QList<QByteArray> requests = server.requests();
    QCOMPARE(requests.size(), 1); // asked once, not again
    QVERIFY2(requests.at(0).startsWith(info(Call(call)).request), requests.at(0).constData());
}

void TestHostileAccounts::wellFormedAnswer_data()
{
    QTest::addColumn<int>("call");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QString>("outcome");

    const QStringList outcomes {
        QStringLiteral("account carol: carol owner, notes viewer"),
        QStringLiteral("registered carol"),
        QStringLiteral("signed in carol %1 %2")
            .arg(QString::fromLatin1(kToken), QString::fromLatin1(kDevice)),
        QStringLiteral("devices %1 'Carol's laptop' 1790000000000 1790000360000 current, "
                       "dev2 '' 1 0")
            .arg(QString::fromLatin1(kDevice)),
        QStringLiteral("revoked dev2"),
        QStringLiteral("revoked %1").arg(QString::fromLatin1(kDevice)),
        QStringLiteral("created notes"),
        QStringLiteral("members of notes: alice owner, bob editor"),
        QStringLiteral("changed notes: bob 'editor'"),
        QStringLiteral("changed notes: bob ''"),
        QStringLiteral("answered notes 'editor'"),
        QStringLiteral("answered notes ''"),
        QStringLiteral("left notes"),
    };
    for (const Call call : kCalls) {
        const QByteArray good = info(call).good;
        const QString outcome = outcomes.at(int(call));
        QTest::addRow("%s", info(call).name) << int(call) << good << QByteArray() << outcome;
        // Keys a newer server may add are not a reason to refuse.
        QTest::addRow("%s, with a key from the future", info(call).name)
            << int(call) << withKey(good, "\"later\":{\"a\":[1,2,{\"b\":null}]}") << QByteArray()
            << outcome;
        QTest::addRow("%s, gzip", info(call).name)
            << int(call) << gzip(good) << QByteArray("Content-Encoding: gzip\r\n") << outcome;
        QTest::addRow("%s, pretty", info(call).name)
            << int(call) << QByteArray(good).replace(",", ",\n  ").replace("{", "{ ") + "\n"
            << QByteArray() << outcome;
    }
    QTest::addRow("list devices, none") << int(Call::ListDevices) << QByteArray("{\"devices\":[]}")
                                        << QByteArray() << QStringLiteral("devices ");
    QTest::addRow("list devices, 10,000") << int(Call::ListDevices)
                                          << "{\"devices\":["
            + repeated("{\"id\":\"dN\",\"name\":\"\",\"created\":1,\"last_used\":0,\"current\":"
                       "false}",
                       10000, true)
            + "]}" << QByteArray() << QString();
    QTest::addRow("list devices, a name of 100 UTF-16 units with escapes")
        << int(Call::ListDevices)
        << "{\"devices\":[{\"id\":\"d\",\"name\":\"\\u00e9" + QByteArray(97, 'n')
            + "\\ud83d\\ude00\",\"created\":9007199254740991,\"last_used\":0,\"current\":true}]}"
        << QByteArray()
        << QStringLiteral("devices d '\u00e9%1\U0001F600' 9007199254740991 0 current")
               .arg(QString(97, QLatin1Char('n')));
    QTest::addRow("list members, viewers only")
        << int(Call::ListMembers)
        << QByteArray(
               "{\"workspace\":\"notes\",\"members\":[{\"user\":\"a-1\",\"role\":\"viewer\"},"
               "{\"user\":\"B_2\",\"role\":\"viewer\"}]}")
        << QByteArray() << QStringLiteral("members of notes: a-1 viewer, B_2 viewer");
    QTest::addRow("read account, no workspaces")
        << int(Call::ReadAccount) << QByteArray("{\"user\":\"carol\",\"workspaces\":[]}")
        << QByteArray() << QStringLiteral("account carol: ");
    QTest::addRow("create workspace, no role")
        << int(Call::CreateWorkspace) << QByteArray("{\"id\":\"notes\"}") << QByteArray()
        << QStringLiteral("created notes");
}

void TestHostileAccounts::wellFormedAnswer()
{
    QFETCH(int, call);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, headers);
    QFETCH(QString, outcome);

    FakeServer server({200, body, headers});
    QVERIFY(server.listen());
    AccountClient client;
    client.setServer(server.url(), QStringLiteral("t0k3n"));
    QStringList successes;
    recordSuccesses(client, &successes);
    QSignalSpy failed(&client, &AccountClient::failed);

    start(client, Call(call));
    QTRY_VERIFY_WITH_TIMEOUT(!failed.isEmpty() || !successes.isEmpty(), 20000);
    QTest::qWait(20);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().message));
    QCOMPARE(successes.size(), 1);
    if (!outcome.isEmpty())
        QCOMPARE(successes.at(0), outcome);
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(server.requests().at(0).startsWith(info(Call(call)).request));
}

QTEST_GUILESS_MAIN(TestHostileAccounts)
#include "tst_hostile_accounts.moc"
