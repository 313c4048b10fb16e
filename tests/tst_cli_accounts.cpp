// ferry-cli's account commands against a real ferry-server: register, signin (password on
// standard input), devices, revoke, signout, share, unshare and members, and how each one
// refuses bad usage and refused requests.

#include "clirun.h"
#include "serverprocess.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace FerryTest;

namespace {

const QByteArray kPassword = "a long enough password";

using Run = CliRun;

} // namespace

class TestCliAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void registerAndSignIn();
    void wrongPasswordSavesNothing();
    void devicesAndRevoke();
    void shareUnshareAndMembers();
    void viewerCannotChangeRecords();
    void declineAndLeave();
    void signOutForgetsTheToken();
    void badUsage_data();
    void badUsage();

private:
    Run cli(const QString &profile, const QStringList &arguments, const QByteArray &input = {});
    Run signIn(const QString &profile, const QString &user, const QString &device,
               const QStringList &extra = {});

    ServerProcess m_server;
    QTemporaryDir m_profiles;
};

Run TestCliAccounts::cli(const QString &profile, const QStringList &arguments,
                         const QByteArray &input)
{
    return runCli(m_profiles.filePath(profile), arguments, input);
}

Run TestCliAccounts::signIn(const QString &profile, const QString &user, const QString &device,
                            const QStringList &extra)
{
    return cli(profile,
               QStringList {QStringLiteral("signin"), QStringLiteral("--server"),
                            m_server.url().toString(), QStringLiteral("--user"), user,
                            QStringLiteral("--device"), device, QStringLiteral("--json")}
                   + extra,
               kPassword + '\n');
}

void TestCliAccounts::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    for (const char *user : {"alice", "bob", "carol", "dan"}) {
        const Run r
            = cli(QStringLiteral("setup"),
                  {QStringLiteral("register"), QStringLiteral("--server"),
                   m_server.url().toString(), QStringLiteral("--user"), QLatin1String(user)},
                  kPassword + '\n');
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY(r.out.contains(QLatin1String(user)));
    }
}

void TestCliAccounts::registerAndSignIn()
{
    const Run taken
        = cli(QStringLiteral("setup"),
              {QStringLiteral("register"), QStringLiteral("--server"), m_server.url().toString(),
               QStringLiteral("--user"), QStringLiteral("alice")},
              "another password\n");
    QCOMPARE(taken.exitCode, 1);
    QVERIFY2(taken.err.contains(QLatin1String("taken")), qPrintable(taken.err));

    const Run r
        = signIn(QStringLiteral("laptop"), QStringLiteral("alice"), QStringLiteral("Laptop"));
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    const QJsonObject answer = r.json().toObject();
    QCOMPARE(answer.value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
    QCOMPARE(answer.value(QStringLiteral("workspace")).toString(), QStringLiteral("alice"));
    QCOMPARE(answer.value(QStringLiteral("device")).toString().size(), 16);
    // The stored token works: the profile syncs.
    const Run sync = cli(QStringLiteral("laptop"), {QStringLiteral("sync")});
    QVERIFY2(sync.exitCode == 0, qPrintable(sync.err));
}

void TestCliAccounts::wrongPasswordSavesNothing()
{
    const Run r = cli(QStringLiteral("wrong"),
                      {QStringLiteral("signin"), QStringLiteral("--server"),
                       m_server.url().toString(), QStringLiteral("--user"), QStringLiteral("bob")},
                      "not the password\n");
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QLatin1String("password")), qPrintable(r.err));
    const Run devices = cli(QStringLiteral("wrong"), {QStringLiteral("devices")});
    QCOMPARE(devices.exitCode, 1);
    QVERIFY2(devices.err.contains(QLatin1String("signin")), qPrintable(devices.err));
}

void TestCliAccounts::devicesAndRevoke()
{
    QCOMPARE(
        signIn(QStringLiteral("desk"), QStringLiteral("alice"), QStringLiteral("Desk")).exitCode,
        0);
    const Run phone
        = signIn(QStringLiteral("phone"), QStringLiteral("alice"), QStringLiteral("Phone"));
    QCOMPARE(phone.exitCode, 0);
    const QString phoneId = phone.json().toObject().value(QStringLiteral("device")).toString();

    const Run list
        = cli(QStringLiteral("desk"), {QStringLiteral("devices"), QStringLiteral("--json")});
    QVERIFY2(list.exitCode == 0, qPrintable(list.err));
    QStringList current;
    QStringList names;
    for (const QJsonValue &v : list.json().toArray()) {
        names.append(v.toObject().value(QStringLiteral("name")).toString());
        if (v.toObject().value(QStringLiteral("current")).toBool())
            current.append(v.toObject().value(QStringLiteral("name")).toString());
    }
    QCOMPARE(current, QStringList {QStringLiteral("Desk")});
    QVERIFY(names.contains(QStringLiteral("Phone")));
    const Run text = cli(QStringLiteral("desk"), {QStringLiteral("devices")});
    QVERIFY(text.out.contains(QLatin1String("Desk"))
            && text.out.contains(QLatin1String("(this device)")));

    const Run revoked = cli(QStringLiteral("desk"), {QStringLiteral("revoke"), phoneId});
    QVERIFY2(revoked.exitCode == 0, qPrintable(revoked.err));
    const Run dead = cli(QStringLiteral("phone"), {QStringLiteral("devices")});
    QCOMPARE(dead.exitCode, 1);
    QVERIFY2(dead.err.contains(QLatin1String("revoked")), qPrintable(dead.err));
    const Run again = cli(QStringLiteral("desk"), {QStringLiteral("revoke"), phoneId});
    QCOMPARE(again.exitCode, 1);
}

void TestCliAccounts::shareUnshareAndMembers()
{
    QCOMPARE(
        signIn(QStringLiteral("owner"), QStringLiteral("alice"), QStringLiteral("Owner")).exitCode,
        0);
    const Run shared = cli(QStringLiteral("owner"),
                           {QStringLiteral("share"), QStringLiteral("bob"),
                            QStringLiteral("--role"), QStringLiteral("editor")});
    QVERIFY2(shared.exitCode == 0, qPrintable(shared.err));
    QVERIFY2(shared.out.contains(QLatin1String("once they accept")), qPrintable(shared.out));
    const Run invited
        = cli(QStringLiteral("owner"), {QStringLiteral("members"), QStringLiteral("--json")});
    QCOMPARE(invited.json().toArray(),
             (QJsonArray {QJsonObject {{QStringLiteral("user"), QStringLiteral("alice")},
                                       {QStringLiteral("role"), QStringLiteral("owner")}},
                          QJsonObject {{QStringLiteral("user"), QStringLiteral("bob")},
                                       {QStringLiteral("role"), QStringLiteral("editor")},
                                       {QStringLiteral("invited"), true}}}));
    // Invited is not in: bob sees the invitation, and nothing of the workspace until he
    // accepts it.
    QCOMPARE(signIn(QStringLiteral("bob"), QStringLiteral("bob"), QStringLiteral("Bob")).exitCode,
             0);
    const Run outside
        = cli(QStringLiteral("bob"),
              {QStringLiteral("members"), QStringLiteral("--workspace"), QStringLiteral("alice")});
    QCOMPARE(outside.exitCode, 1);
    QVERIFY2(outside.err.contains(QLatin1String("not a member")), qPrintable(outside.err));
    const Run waiting
        = cli(QStringLiteral("bob"), {QStringLiteral("invitations"), QStringLiteral("--json")});
    QCOMPARE(waiting.json().toArray(),
             (QJsonArray {QJsonObject {{QStringLiteral("workspace"), QStringLiteral("alice")},
                                       {QStringLiteral("role"), QStringLiteral("editor")},
                                       {QStringLiteral("from"), QStringLiteral("alice")}}}));
    const Run accepted
        = cli(QStringLiteral("bob"), {QStringLiteral("accept"), QStringLiteral("alice")});
    QVERIFY2(accepted.exitCode == 0, qPrintable(accepted.err));
    QVERIFY2(accepted.out.contains(QLatin1String("editor of alice")), qPrintable(accepted.out));
    const Run members
        = cli(QStringLiteral("owner"), {QStringLiteral("members"), QStringLiteral("--json")});
    QCOMPARE(members.json().toArray(),
             (QJsonArray {QJsonObject {{QStringLiteral("user"), QStringLiteral("alice")},
                                       {QStringLiteral("role"), QStringLiteral("owner")}},
                          QJsonObject {{QStringLiteral("user"), QStringLiteral("bob")},
                                       {QStringLiteral("role"), QStringLiteral("editor")}}}));
    // Bob, now a member, may choose alice's workspace and list its members, but not share it.
    QCOMPARE(signIn(QStringLiteral("bob"), QStringLiteral("bob"), QStringLiteral("Bob"),
                    {QStringLiteral("--workspace"), QStringLiteral("alice")})
                 .exitCode,
             0);
    QCOMPARE(cli(QStringLiteral("bob"), {QStringLiteral("members")}).exitCode, 0);
    // What the workspace keeps on the server is the owner's to see.
    const Run kept
        = cli(QStringLiteral("owner"), {QStringLiteral("storage"), QStringLiteral("--json")});
    QVERIFY2(kept.exitCode == 0, qPrintable(kept.err));
    QCOMPARE(kept.json().toObject().value(QStringLiteral("workspace")).toString(),
             QStringLiteral("alice"));
    QCOMPARE(kept.json().toObject().value(QStringLiteral("blobs")).toInt(-1), 0);
    const Run notTheirs = cli(QStringLiteral("bob"), {QStringLiteral("storage")});
    QCOMPARE(notTheirs.exitCode, 1);
    QVERIFY2(notTheirs.err.contains(QLatin1String("owner")), qPrintable(notTheirs.err));
    const Run refused
        = cli(QStringLiteral("bob"), {QStringLiteral("unshare"), QStringLiteral("alice")});
    QCOMPARE(refused.exitCode, 1);
    QVERIFY2(refused.err.contains(QLatin1String("owner")), qPrintable(refused.err));

    const Run unshared
        = cli(QStringLiteral("owner"), {QStringLiteral("unshare"), QStringLiteral("bob")});
    QVERIFY2(unshared.exitCode == 0, qPrintable(unshared.err));
    const Run gone = cli(QStringLiteral("bob"), {QStringLiteral("members")});
    QCOMPARE(gone.exitCode, 1);
    QVERIFY2(gone.err.contains(QLatin1String("not a member")), qPrintable(gone.err));
    const Run nobody = cli(QStringLiteral("owner"),
                           {QStringLiteral("share"), QStringLiteral("ghost"),
                            QStringLiteral("--role"), QStringLiteral("viewer")});
    QCOMPARE(nobody.exitCode, 1);
    QVERIFY2(nobody.err.contains(QLatin1String("ghost")), qPrintable(nobody.err));
}

// An invitation declined gives nothing and leaves no trace; one accepted can be given up
// again by the member; the owner cannot leave their own workspace.
void TestCliAccounts::declineAndLeave()
{
    QCOMPARE(
        signIn(QStringLiteral("carol"), QStringLiteral("carol"), QStringLiteral("Carol")).exitCode,
        0);
    QCOMPARE(signIn(QStringLiteral("dan"), QStringLiteral("dan"), QStringLiteral("Dan")).exitCode,
             0);
    const auto share = [this] {
        return cli(QStringLiteral("carol"),
                   {QStringLiteral("share"), QStringLiteral("dan"), QStringLiteral("--role"),
                    QStringLiteral("viewer")})
            .exitCode;
    };
    const auto danIsListed = [this] {
        return cli(QStringLiteral("carol"), {QStringLiteral("members")})
            .out.contains(QLatin1String("dan"));
    };
    QCOMPARE(share(), 0);
    QVERIFY(danIsListed());
    const Run declined
        = cli(QStringLiteral("dan"), {QStringLiteral("decline"), QStringLiteral("carol")});
    QVERIFY2(declined.exitCode == 0, qPrintable(declined.err));
    QVERIFY(!danIsListed());
    QVERIFY(cli(QStringLiteral("dan"), {QStringLiteral("invitations")})
                .out.contains(QLatin1String("No invitations")));
    const Run nothing
        = cli(QStringLiteral("dan"), {QStringLiteral("accept"), QStringLiteral("carol")});
    QCOMPARE(nothing.exitCode, 1);
    QVERIFY2(nothing.err.contains(QLatin1String("no invitation")), qPrintable(nothing.err));

    QCOMPARE(share(), 0);
    QCOMPARE(
        cli(QStringLiteral("dan"), {QStringLiteral("accept"), QStringLiteral("carol")}).exitCode,
        0);
    QCOMPARE(
        cli(QStringLiteral("dan"),
            {QStringLiteral("members"), QStringLiteral("--workspace"), QStringLiteral("carol")})
            .exitCode,
        0);
    const Run left = cli(QStringLiteral("dan"), {QStringLiteral("leave"), QStringLiteral("carol")});
    QVERIFY2(left.exitCode == 0, qPrintable(left.err));
    QVERIFY(!danIsListed());
    QCOMPARE(
        cli(QStringLiteral("dan"),
            {QStringLiteral("members"), QStringLiteral("--workspace"), QStringLiteral("carol")})
            .exitCode,
        1);
    const Run owner
        = cli(QStringLiteral("carol"), {QStringLiteral("leave"), QStringLiteral("carol")});
    QCOMPARE(owner.exitCode, 1);
    QVERIFY2(owner.err.contains(QLatin1String("own")), qPrintable(owner.err));
}

void TestCliAccounts::viewerCannotChangeRecords()
{
    QCOMPARE(
        signIn(QStringLiteral("owner2"), QStringLiteral("alice"), QStringLiteral("Owner")).exitCode,
        0);
    QCOMPARE(cli(QStringLiteral("owner2"),
                 {QStringLiteral("share"), QStringLiteral("bob"), QStringLiteral("--role"),
                  QStringLiteral("viewer")})
                 .exitCode,
             0);
    QCOMPARE(
        cli(QStringLiteral("bob"), {QStringLiteral("accept"), QStringLiteral("alice")}).exitCode,
        0);
    QCOMPARE(signIn(QStringLiteral("viewer"), QStringLiteral("bob"), QStringLiteral("Viewer"),
                    {QStringLiteral("--workspace"), QStringLiteral("alice")})
                 .exitCode,
             0);
    QCOMPARE(cli(QStringLiteral("viewer"),
                 {QStringLiteral("create"), QStringLiteral("Post"),
                  QStringLiteral("title=From a viewer")})
                 .exitCode,
             0);
    const Run sync = cli(QStringLiteral("viewer"), {QStringLiteral("sync")});
    QCOMPARE(sync.exitCode, 1);
    QVERIFY2(sync.err.contains(QLatin1String("editor")), qPrintable(sync.err + sync.out));
    // Nothing reached the owner.
    QCOMPARE(cli(QStringLiteral("owner2"), {QStringLiteral("sync")}).exitCode, 0);
    const Run list
        = cli(QStringLiteral("owner2"),
              {QStringLiteral("list"), QStringLiteral("Post"), QStringLiteral("--json")});
    QVERIFY(!list.out.contains(QLatin1String("From a viewer")));
}

void TestCliAccounts::signOutForgetsTheToken()
{
    QCOMPARE(signIn(QStringLiteral("leaving"), QStringLiteral("alice"), QStringLiteral("Leaving"))
                 .exitCode,
             0);
    const Run out = cli(QStringLiteral("leaving"), {QStringLiteral("signout")});
    QVERIFY2(out.exitCode == 0, qPrintable(out.err));
    const Run after = cli(QStringLiteral("leaving"), {QStringLiteral("devices")});
    QCOMPARE(after.exitCode, 1);
    QVERIFY2(after.err.contains(QLatin1String("signin")), qPrintable(after.err));
}

void TestCliAccounts::badUsage_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("register without user")
        << QStringList {QStringLiteral("register"), QStringLiteral("--server"),
                        QStringLiteral("http://127.0.0.1:1")};
    QTest::newRow("signin without server")
        << QStringList {QStringLiteral("signin"), QStringLiteral("--user"), QStringLiteral("x")};
    QTest::newRow("revoke without id") << QStringList {QStringLiteral("revoke")};
    QTest::newRow("share without role")
        << QStringList {QStringLiteral("share"), QStringLiteral("bob")};
    QTest::newRow("share as owner")
        << QStringList {QStringLiteral("share"), QStringLiteral("bob"), QStringLiteral("--role"),
                        QStringLiteral("owner")};
    QTest::newRow("unshare two") << QStringList {QStringLiteral("unshare"), QStringLiteral("a"),
                                                 QStringLiteral("b")};
    QTest::newRow("devices with argument")
        << QStringList {QStringLiteral("devices"), QStringLiteral("x")};
}

void TestCliAccounts::badUsage()
{
    QFETCH(QStringList, arguments);
    const Run r = cli(QStringLiteral("usage"), arguments);
    QCOMPARE(r.exitCode, 2);
    QVERIFY(r.err.startsWith(QLatin1String("ferry-cli: ")));
}

QTEST_MAIN(TestCliAccounts)
#include "tst_cli_accounts.moc"
