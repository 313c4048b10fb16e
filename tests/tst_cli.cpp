// ferry-cli as a person or a script uses it: separate processes, two profiles, one server.
#include "clirun.h"
#include "serverprocess.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace FerryTest;
using namespace Qt::StringLiterals;

namespace {

using Run = CliRun;

} // namespace

class TestCli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void twoProfilesSync();
    void conflictListedAndResolved();
    void everyResolveChoiceConverges_data();
    void everyResolveChoiceConverges();
    void badInputIsRefusedClearly_data();
    void badInputIsRefusedClearly();
    void loginRefusesBadToken();
    void syncWithoutLoginFails();
    void eachWorkspaceKeepsItsOwnRecords();
    void helpListsTheCommandsReadably();
    void fileAttachedInOneProfileIsFetchedInAnother();

private:
    Run cli(const QString &profile, const QStringList &arguments);
    void login(const QString &profile);

    ServerProcess m_server;
    QString m_token;
    QTemporaryDir m_profiles;
};

void TestCli::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("carol"));
    QVERIFY(!m_token.isEmpty());
}

Run TestCli::cli(const QString &profile, const QStringList &arguments)
{
    return runCli(m_profiles.filePath(profile), arguments);
}

void TestCli::login(const QString &profile)
{
    const Run r = cli(profile,
                      {QStringLiteral("login"), QStringLiteral("--server"),
                       m_server.url().toString(), QStringLiteral("--token"), m_token});
    QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    QVERIFY(r.out.contains(QStringLiteral("carol")));
}

void TestCli::twoProfilesSync()
{
    login(QStringLiteral("laptop"));
    login(QStringLiteral("desktop"));
    const Run created
        = cli(QStringLiteral("laptop"),
              {QStringLiteral("create"), QStringLiteral("Post"),
               QStringLiteral("title=Hello from the laptop"), QStringLiteral("rating=4")});
    QCOMPARE(created.exitCode, 0);
    const QString guid = created.out.trimmed();
    QCOMPARE(guid.size(), 36);

    const Run status
        = cli(QStringLiteral("laptop"), {QStringLiteral("status"), QStringLiteral("--json")});
    QCOMPARE(status.json().toObject().value(QStringLiteral("unsynced")).toInt(), 1);

    QCOMPARE(cli(QStringLiteral("laptop"), {QStringLiteral("sync")}).exitCode, 0);
    const Run synced
        = cli(QStringLiteral("desktop"), {QStringLiteral("sync"), QStringLiteral("--json")});
    QCOMPARE(synced.exitCode, 0);
    QCOMPARE(synced.json().toObject().value(QStringLiteral("received")).toInt(), 1);

    const Run listed
        = cli(QStringLiteral("desktop"),
              {QStringLiteral("list"), QStringLiteral("Post"), QStringLiteral("--json")});
    const QJsonArray posts = listed.json().toArray();
    QCOMPARE(posts.size(), 1);
    QCOMPARE(posts.at(0).toObject().value(QStringLiteral("guid")).toString(), guid);
    const QJsonObject fields = posts.at(0).toObject().value(QStringLiteral("fields")).toObject();
    QCOMPARE(fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("Hello from the laptop"));
    QCOMPARE(fields.value(QStringLiteral("rating")).toInt(), 4);
    QCOMPARE(posts.at(0).toObject().value(QStringLiteral("status")).toString(),
             QStringLiteral("synced"));

    QCOMPARE(cli(QStringLiteral("desktop"), {QStringLiteral("delete"), guid}).exitCode, 0);
    QCOMPARE(cli(QStringLiteral("desktop"), {QStringLiteral("sync")}).exitCode, 0);
    QCOMPARE(cli(QStringLiteral("laptop"), {QStringLiteral("sync")}).exitCode, 0);
    const Run shown
        = cli(QStringLiteral("laptop"), {QStringLiteral("show"), guid, QStringLiteral("--json")});
    QCOMPARE(shown.json().toObject().value(QStringLiteral("deleted")).toBool(), true);
}

void TestCli::conflictListedAndResolved()
{
    login(QStringLiteral("one"));
    login(QStringLiteral("two"));
    const QString guid
        = cli(QStringLiteral("one"),
              {QStringLiteral("create"), QStringLiteral("Tag"), QStringLiteral("name=blue")})
              .out.trimmed();
    QCOMPARE(cli(QStringLiteral("one"), {QStringLiteral("sync")}).exitCode, 0);
    QCOMPARE(cli(QStringLiteral("two"), {QStringLiteral("sync")}).exitCode, 0);
    QCOMPARE(cli(QStringLiteral("one"), {QStringLiteral("edit"), guid, QStringLiteral("name=navy")})
                 .exitCode,
             0);
    QCOMPARE(cli(QStringLiteral("two"), {QStringLiteral("edit"), guid, QStringLiteral("name=teal")})
                 .exitCode,
             0);
    QCOMPARE(cli(QStringLiteral("one"), {QStringLiteral("sync")}).exitCode, 0);
    const Run second = cli(QStringLiteral("two"), {QStringLiteral("sync")});
    QCOMPARE(second.exitCode, 0); // caught up; the conflict waits for a decision
    QVERIFY2(second.out.contains(QStringLiteral("conflict")), qPrintable(second.out));

    const QJsonArray conflicts
        = cli(QStringLiteral("two"), {QStringLiteral("conflicts"), QStringLiteral("--json")})
              .json()
              .toArray();
    QCOMPARE(conflicts.size(), 1);
    const QJsonObject field
        = conflicts.at(0).toObject().value(QStringLiteral("fields")).toArray().at(0).toObject();
    QCOMPARE(field.value(QStringLiteral("mine")).toString(), QStringLiteral("teal"));
    QCOMPARE(field.value(QStringLiteral("theirs")).toString(), QStringLiteral("navy"));
    QCOMPARE(field.value(QStringLiteral("base")).toString(), QStringLiteral("blue"));

    QCOMPARE(
        cli(QStringLiteral("two"),
            {QStringLiteral("resolve"), guid, QStringLiteral("--keep"), QStringLiteral("sideways")})
            .exitCode,
        2);
    QCOMPARE(
        cli(QStringLiteral("two"),
            {QStringLiteral("resolve"), guid, QStringLiteral("--keep"), QStringLiteral("mine")})
            .exitCode,
        0);
    QCOMPARE(cli(QStringLiteral("two"), {QStringLiteral("sync")}).exitCode, 0);
    QCOMPARE(cli(QStringLiteral("one"), {QStringLiteral("sync")}).exitCode, 0);
    for (const QString &profile : {QStringLiteral("one"), QStringLiteral("two")}) {
        const QJsonObject r = cli(profile, {QStringLiteral("show"), guid, QStringLiteral("--json")})
                                  .json()
                                  .toObject();
        QCOMPARE(
            r.value(QStringLiteral("fields")).toObject().value(QStringLiteral("name")).toString(),
            QStringLiteral("teal"));
        QCOMPARE(r.value(QStringLiteral("status")).toString(), QStringLiteral("synced"));
    }
}

void TestCli::everyResolveChoiceConverges_data()
{
    QTest::addColumn<QStringList>("choice"); // resolve's arguments after the guid
    QTest::addColumn<QStringList>("names"); // the tags' names everywhere afterwards, sorted
    QTest::addColumn<QString>("colour"); // the original tag's colour afterwards

    // "one" sets name=navy colour=#000080; "two" (which resolves) set name=teal colour=#008080.
    QTest::newRow("keep theirs") << QStringList {u"--keep"_s, u"theirs"_s}
                                 << QStringList {u"navy"_s} << u"#000080"_s;
    QTest::newRow("keep both") << QStringList {u"--keep"_s, u"both"_s}
                               << QStringList {u"navy"_s, u"teal"_s} << u"#000080"_s;
    QTest::newRow("field by field")
        << QStringList {u"--take"_s, u"name=theirs"_s, u"--set"_s, u"color=#123456"_s}
        << QStringList {u"navy"_s} << u"#123456"_s;
    QTest::newRow("fields not named keep mine")
        << QStringList {u"--take"_s, u"color=theirs"_s} << QStringList {u"teal"_s} << u"#000080"_s;
    // "two" edited before "one" sent its change, so the other side is newer.
    QTest::newRow("all by newest") << QStringList {u"--all"_s, u"--policy"_s, u"newest"_s}
                                   << QStringList {u"navy"_s} << u"#000080"_s;
}

void TestCli::everyResolveChoiceConverges()
{
    QFETCH(QStringList, choice);
    QFETCH(QStringList, names);
    QFETCH(QString, colour);
    const QString one = u"one-"_s + QString::fromLatin1(QTest::currentDataTag());
    const QString two = u"two-"_s + QString::fromLatin1(QTest::currentDataTag());
    // A workspace per row, so each row sees only its own tags.
    const QString workspace = m_server.newWorkspace(QStringLiteral("carol"));
    QVERIFY(!workspace.isEmpty());
    for (const QString &profile : {one, two}) {
        const Run r = cli(profile,
                          {u"login"_s, u"--server"_s, m_server.url().toString(), u"--token"_s,
                           m_token, u"--workspace"_s, workspace});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
    }
    const QString guid
        = cli(one, {u"create"_s, u"Tag"_s, u"name=blue"_s, u"color=#0000ff"_s}).out.trimmed();
    QCOMPARE(guid.size(), 36);
    QCOMPARE(cli(one, {u"sync"_s}).exitCode, 0);
    QCOMPARE(cli(two, {u"sync"_s}).exitCode, 0);
    QCOMPARE(cli(one, {u"edit"_s, guid, u"name=navy"_s, u"color=#000080"_s}).exitCode, 0);
    QCOMPARE(cli(two, {u"edit"_s, guid, u"name=teal"_s, u"color=#008080"_s}).exitCode, 0);
    QCOMPARE(cli(one, {u"sync"_s}).exitCode, 0);
    QCOMPARE(cli(two, {u"sync"_s}).exitCode, 0);
    QCOMPARE(cli(two, {u"conflicts"_s, u"--json"_s}).json().toArray().size(), 1);

    const QStringList args = choice.first() == u"--all"_s
        ? QStringList {u"resolve"_s} + choice
        : QStringList {u"resolve"_s, guid} + choice;
    const Run resolved = cli(two, args);
    QVERIFY2(resolved.exitCode == 0, qPrintable(resolved.err));
    QCOMPARE(cli(two, {u"conflicts"_s, u"--json"_s}).json().toArray().size(), 0);
    QCOMPARE(cli(two, {u"sync"_s}).exitCode, 0);
    QCOMPARE(cli(one, {u"sync"_s}).exitCode, 0);

    for (const QString &profile : {one, two}) {
        const QJsonArray tags = cli(profile, {u"list"_s, u"Tag"_s, u"--json"_s}).json().toArray();
        QStringList seen;
        for (const QJsonValue &tag : tags) {
            const QJsonObject record = tag.toObject();
            const QJsonObject fields = record.value(u"fields"_s).toObject();
            seen.append(fields.value(u"name"_s).toString());
            QCOMPARE(record.value(u"status"_s).toString(), u"synced"_s);
            if (record.value(u"guid"_s).toString() == guid)
                QCOMPARE(fields.value(u"color"_s).toString(), colour);
        }
        seen.sort();
        QCOMPARE(seen, names);
    }
}

void TestCli::badInputIsRefusedClearly_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("wrong type") << QStringList {QStringLiteral("create"), QStringLiteral("Post"),
                                                QStringLiteral("rating=lots")}
                                << 1 << "rating";
    QTest::newRow("unknown field") << QStringList {QStringLiteral("create"), QStringLiteral("Post"),
                                                   QStringLiteral("colour=red")}
                                   << 1 << "colour";
    QTest::newRow("unknown entity")
        << QStringList {QStringLiteral("list"), QStringLiteral("Posts")} << 1 << "Posts";
    QTest::newRow("no equals sign")
        << QStringList {QStringLiteral("create"), QStringLiteral("Tag"), QStringLiteral("name")}
        << 1 << "FIELD=VALUE";
    QTest::newRow("unknown command")
        << QStringList {QStringLiteral("frobnicate")} << 2 << "frobnicate";
    QTest::newRow("missing record")
        << QStringList {QStringLiteral("show"),
                        QStringLiteral("0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3")}
        << 1 << "no record";
}

void TestCli::badInputIsRefusedClearly()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, mentions);
    const Run r = cli(QStringLiteral("bad-input"), arguments);
    QCOMPARE(r.exitCode, exitCode);
    QVERIFY2(r.err.contains(mentions), qPrintable(r.err));
    const QJsonObject status
        = cli(QStringLiteral("bad-input"), {QStringLiteral("status"), QStringLiteral("--json")})
              .json()
              .toObject();
    QCOMPARE(status.value(QStringLiteral("unsynced")).toInt(), 0); // nothing half-made
}

void TestCli::loginRefusesBadToken()
{
    const Run r
        = cli(QStringLiteral("intruder"),
              {QStringLiteral("login"), QStringLiteral("--server"), m_server.url().toString(),
               QStringLiteral("--token"), QStringLiteral("not-a-real-token")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("does not accept")), qPrintable(r.err));
    const QJsonObject status
        = cli(QStringLiteral("intruder"), {QStringLiteral("status"), QStringLiteral("--json")})
              .json()
              .toObject();
    QCOMPARE(status.value(QStringLiteral("server")).toString(), QString()); // nothing saved
}

void TestCli::syncWithoutLoginFails()
{
    const Run r = cli(QStringLiteral("fresh"), {QStringLiteral("sync")});
    QCOMPARE(r.exitCode, 1);
    QVERIFY2(r.err.contains(QStringLiteral("login")), qPrintable(r.err));
}

void TestCli::eachWorkspaceKeepsItsOwnRecords()
{
    login(QStringLiteral("mover"));
    const QString guid
        = cli(QStringLiteral("mover"),
              {QStringLiteral("create"), QStringLiteral("Tag"), QStringLiteral("name=a")})
              .out.trimmed();
    QCOMPARE(cli(QStringLiteral("mover"), {QStringLiteral("sync")}).exitCode, 0);
    // Moved to a workspace that has never seen the record: its records are another store's
    // (the one `ferry` uses for it too), so nothing of the first workspace leaks into it.
    m_server.admin({QStringLiteral("workspace"), QStringLiteral("create"),
                    QStringLiteral("elsewhere"), QStringLiteral("--owner"),
                    QStringLiteral("carol")});
    const auto loginTo = [this](const QString &workspace) {
        return cli(QStringLiteral("mover"),
                   {QStringLiteral("login"), QStringLiteral("--server"), m_server.url().toString(),
                    QStringLiteral("--token"), m_token, QStringLiteral("--workspace"), workspace});
    };
    const Run moved = loginTo(QStringLiteral("elsewhere"));
    QVERIFY2(moved.exitCode == 0, qPrintable(moved.err));
    const Run edit
        = cli(QStringLiteral("mover"), {QStringLiteral("edit"), guid, QStringLiteral("name=b")});
    QCOMPARE(edit.exitCode, 1);
    QVERIFY2(edit.err.contains(guid), qPrintable(edit.err));
    QCOMPARE(cli(QStringLiteral("mover"), {QStringLiteral("sync")}).exitCode, 0);
    QVERIFY(!cli(QStringLiteral("mover"), {QStringLiteral("list"), QStringLiteral("Tag")})
                 .out.contains(guid));
    // Back in the first workspace, its record is there as it was.
    QCOMPARE(loginTo(QStringLiteral("carol")).exitCode, 0);
    const QJsonObject kept
        = cli(QStringLiteral("mover"), {QStringLiteral("show"), guid, QStringLiteral("--json")})
              .json()
              .toObject();
    QCOMPARE(
        kept.value(QStringLiteral("fields")).toObject().value(QStringLiteral("name")).toString(),
        QStringLiteral("a"));
}

void TestCli::helpListsTheCommandsReadably()
{
    const Run r = cli(QStringLiteral("help"), {QStringLiteral("--help")});
    QCOMPARE(r.exitCode, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'));
    QVERIFY2(lines.contains(QStringLiteral("Commands:")), qPrintable(r.out));
    // Each command's usage on one line of its own, as written, not folded into a column.
    for (const char *command : {"  sync ", "  watch [--interval SECONDS] ",
                                "  resolve --all --policy mine|theirs|newest ",
                                "  members | share USER --role editor|viewer | unshare USER"}) {
        const QString start = QString::fromLatin1(command);
        QVERIFY2(std::any_of(lines.cbegin(), lines.cend(),
                             [&](const QString &line) { return line.startsWith(start); }),
                 command);
    }
}

// attach keeps a copy of the file and fills the record's name, type and size; the next sync
// sends the bytes; fetch on another profile gets them from the server and writes them out.
void TestCli::fileAttachedInOneProfileIsFetchedInAnother()
{
    login(QStringLiteral("scanner"));
    login(QStringLiteral("reader"));
    QTemporaryDir files;
    const QString source = files.filePath(QStringLiteral("receipt.png"));
    QByteArray bytes(700 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = char((i * 7919) % 251);
    {
        QFile file(source);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(bytes);
    }
    const Run created
        = cli(QStringLiteral("scanner"), {QStringLiteral("create"), QStringLiteral("Attachment")});
    QCOMPARE(created.exitCode, 0);
    const QString guid = created.out.trimmed();
    const Run attached = cli(
        QStringLiteral("scanner"),
        {QStringLiteral("attach"), guid, QStringLiteral("file"), source, QStringLiteral("--json")});
    QVERIFY2(attached.exitCode == 0, qPrintable(attached.err));
    const QString blob = attached.json().toObject().value(QStringLiteral("blob")).toString();
    QVERIFY(blob.startsWith(QStringLiteral("sha256:")));
    QCOMPARE(cli(QStringLiteral("scanner"), {QStringLiteral("sync")}).exitCode, 0);

    QCOMPARE(cli(QStringLiteral("reader"), {QStringLiteral("sync")}).exitCode, 0);
    const QJsonObject fields
        = cli(QStringLiteral("reader"), {QStringLiteral("show"), guid, QStringLiteral("--json")})
              .json()
              .toObject()
              .value(QStringLiteral("fields"))
              .toObject();
    QCOMPARE(fields.value(QStringLiteral("name")).toString(), QStringLiteral("receipt.png"));
    QCOMPARE(fields.value(QStringLiteral("mime")).toString(), QStringLiteral("image/png"));
    QCOMPARE(fields.value(QStringLiteral("size")).toInteger(), bytes.size());
    QCOMPARE(fields.value(QStringLiteral("file")).toString(), blob);

    const Run fetched = cli(QStringLiteral("reader"),
                            {QStringLiteral("fetch"), guid, QStringLiteral("file"),
                             QStringLiteral("--out"), files.path(), QStringLiteral("--json")});
    QVERIFY2(fetched.exitCode == 0, qPrintable(fetched.err));
    QCOMPARE(fetched.json().toObject().value(QStringLiteral("fetched")).toBool(), true);
    const QString out = fetched.json().toObject().value(QStringLiteral("path")).toString();
    QCOMPARE(QFileInfo(out).fileName(), QStringLiteral("receipt.png"));
    QFile written(out);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll(), bytes);

    // Asked again, the bytes are already on this device: nothing is fetched.
    const Run again
        = cli(QStringLiteral("reader"),
              {QStringLiteral("fetch"), guid, QStringLiteral("file"), QStringLiteral("--json")});
    QCOMPARE(again.json().toObject().value(QStringLiteral("fetched")).toBool(), false);
    const Run notAFile
        = cli(QStringLiteral("reader"), {QStringLiteral("fetch"), guid, QStringLiteral("name")});
    QCOMPARE(notAFile.exitCode, 1);
    QVERIFY2(notAFile.err.contains(QStringLiteral("file fields: file")), qPrintable(notAFile.err));
}

QTEST_GUILESS_MAIN(TestCli)
#include "tst_cli.moc"
