// Accounts on the real ferry-server: registering (and the admin closing it), signing in for a
// device token, the device list, revoking and signing out, sharing errors, the admin's
// password command, and the slowing down of repeated failed sign-ins.

#include "accountanswers.h"
#include "apiclient.h"
#include "serverprocess.h"
#include "serverrecords.h"
#include "testdevice.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;

namespace {

const QString kPassword = QStringLiteral("a long enough password");

QByteArray body(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QByteArray account(const QString &user, const QString &password = kPassword)
{
    return body({{QStringLiteral("user"), user}, {QStringLiteral("password"), password}});
}

QByteArray session(const QString &user, const QString &password = kPassword,
                   const QString &device = QStringLiteral("laptop"))
{
    return body({{QStringLiteral("user"), user},
                 {QStringLiteral("password"), password},
                 {QStringLiteral("device"), device}});
}

QString code(const ApiResponse &r)
{
    return r.json.value(QStringLiteral("code")).toString();
}

} // namespace

class TestAccounts : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void registerThenSignIn();
    void workspaceNamedLikeANewUserIsNotTheirs();
    void tokensAreNotCached();
    void badRegistrations_data();
    void badRegistrations();
    void namesOneInCaseFromBeforeStillSignIn();
    void registrationClosedByAdmin();
    void adminSetsPassword();
    void devicesListRevokeAndSignOut();
    void changesNameTheirDeviceAsTheListDoes();
    void adminTokenNamesItsDevice();
    void sharingErrors_data();
    void sharingErrors();
    void failedSignInsLockTheAccount();
    void failedSignInsLockTheAddress();
    void signInsDoNotHoldOthersUp();
    void invitationsAndMembershipsAreCapped();
    void guessesAtOnceStillCountOneByOne();
    void registrationsFromOneAddressSlowDown();

private:
    ApiResponse post(const QString &path, const QByteArray &payload)
    {
        return m_api.request("POST", path, {}, payload);
    }
    QString signIn(const QString &user, const QString &device = QStringLiteral("laptop"))
    {
        return post(QStringLiteral("/v1/sessions"), session(user, kPassword, device))
            .json.value(QStringLiteral("token"))
            .toString();
    }

    ServerProcess m_server;
    ApiClient m_api;
};

void TestAccounts::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_api.setServer(m_server.url(), {});
    for (const char *user : {"owner1", "friend1"})
        QCOMPARE(post(QStringLiteral("/v1/accounts"), account(QLatin1String(user))).status, 201);
}

void TestAccounts::registerThenSignIn()
{
    const ApiResponse r = post(QStringLiteral("/v1/accounts"), account(QStringLiteral("newbie")));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json.value(QStringLiteral("user")).toString(), QStringLiteral("newbie"));
    const ApiResponse s = post(QStringLiteral("/v1/sessions"), session(QStringLiteral("newbie")));
    QCOMPARE(s.status, 201);
    const QString token = s.json.value(QStringLiteral("token")).toString();
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(token).hasMatch(),
             qPrintable(token));
    QVERIFY(QRegularExpression(QStringLiteral("^[0-9a-f]{16}$"))
                .match(s.json.value(QStringLiteral("device")).toString())
                .hasMatch());
    // Like the admin's token create: a workspace named after the new user.
    const ApiResponse me = m_api.send("GET", QStringLiteral("/v1/me"), token);
    QCOMPARE(me.status, 200);
    QCOMPARE(me.json.value(QStringLiteral("workspaces")).toArray(),
             (QJsonArray {QJsonObject {{QStringLiteral("id"), QStringLiteral("newbie")},
                                       {QStringLiteral("role"), QStringLiteral("owner")}}}));
    // Two sign-ins are two devices with two tokens.
    const QString second = signIn(QStringLiteral("newbie"), QStringLiteral("phone"));
    QVERIFY(!second.isEmpty() && second != token);
}

// Someone makes a workspace named like a user who has not registered yet, and adds them once
// they have: the new user gets a workspace of their own under another id, and their client
// syncs into that one, never into the stranger's.
void TestAccounts::workspaceNamedLikeANewUserIsNotTheirs()
{
    const QString eve = signIn(QStringLiteral("owner1"));
    QCOMPARE(m_api.send("POST", QStringLiteral("/v1/workspaces"), eve, R"({"id":"dave"})").status,
             201);
    QCOMPARE(post(QStringLiteral("/v1/accounts"), account(QStringLiteral("dave"))).status, 201);
    QCOMPARE(m_api
                 .send("PUT", QStringLiteral("/v1/workspaces/dave/members/dave"), eve,
                       R"({"role":"editor"})")
                 .status,
             200);
    const QString dave = signIn(QStringLiteral("dave"));
    QCOMPARE(m_api.send("POST", QStringLiteral("/v1/invitations/dave"), dave).status, 200);
    const ApiResponse me = m_api.send("GET", QStringLiteral("/v1/me"), dave);
    QCOMPARE(me.status, 200);
    const Ferry::Result<Ferry::AccountInfo> account = Ferry::Wire::parseAccountInfo(me.body);
    QVERIFY(account.ok());
    QCOMPARE(account->workspaces.size(), 2);
    QCOMPARE(account->roleOf(QStringLiteral("dave")), QStringLiteral("editor"));
    const QString own = account->defaultWorkspace();
    QVERIFY2(QRegularExpression(QStringLiteral("^dave-[0-9a-f]{8}$")).match(own).hasMatch(),
             qPrintable(own));
    QCOMPARE(account->roleOf(own), QStringLiteral("owner"));
}

void TestAccounts::tokensAreNotCached()
{
    QNetworkAccessManager network;
    QNetworkRequest request(m_server.url().resolved(QUrl(QStringLiteral("/v1/sessions"))));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    QNetworkReply *reply = network.post(request, session(QStringLiteral("owner1")));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(reply->isFinished() || finished.wait(30000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 201);
    QCOMPARE(reply->rawHeader("Cache-Control"), QByteArray("no-store"));
    reply->deleteLater();
}

void TestAccounts::badRegistrations_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::newRow("taken") << account(QStringLiteral("owner1")) << 409
                           << QStringLiteral("user_exists");
    QTest::newRow("taken in another case")
        << account(QStringLiteral("Owner1")) << 409 << QStringLiteral("user_exists");
    QTest::newRow("reserved") << account(QStringLiteral("admin")) << 400
                              << QStringLiteral("invalid_request");
    QTest::newRow("reserved in another case")
        << account(QStringLiteral("Root")) << 400 << QStringLiteral("invalid_request");
    QTest::newRow("short password") << account(QStringLiteral("shorty"), QStringLiteral("1234567"))
                                    << 400 << QStringLiteral("invalid_request");
    QTest::newRow("huge password")
        << account(QStringLiteral("huge"), QString(1025, QLatin1Char('p'))) << 400
        << QStringLiteral("invalid_request");
    QTest::newRow("password not a string") << body(
        {{QStringLiteral("user"), QStringLiteral("num")}, {QStringLiteral("password"), 12345678}})
                                           << 400 << QStringLiteral("invalid_request");
    QTest::newRow("no user") << body({{QStringLiteral("password"), kPassword}}) << 400
                             << QStringLiteral("invalid_request");
    QTest::newRow("not json") << QByteArray("user=x&password=y") << 400
                              << QStringLiteral("bad_json");
    // Checked like every request body: one key twice would leave which one counts unclear.
    QTest::newRow("duplicate key")
        << QByteArray(R"({"user":"dup","password":"long enough 1","user":"owner1"})") << 400
        << QStringLiteral("bad_json");
}

void TestAccounts::badRegistrations()
{
    QFETCH(QByteArray, payload);
    QFETCH(int, status);
    QFETCH(QString, code);
    const ApiResponse r = post(QStringLiteral("/v1/accounts"), payload);
    QCOMPARE(r.status, status);
    QCOMPARE(::code(r), code);
    QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
    // The taken account still has its own password.
    QVERIFY(!signIn(QStringLiteral("owner1")).isEmpty());
}

// Names are one name in any case by a unique key on the folded name (schema 10), not by a
// look before the insert. A store from before it may hold names that differ only in case:
// the upgrade keeps every one of them signing in, and no new spelling of them is taken.
void TestAccounts::namesOneInCaseFromBeforeStillSignIn()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    const auto call = [&api](const QString &path, const QByteArray &payload) {
        return api.request("POST", path, {}, payload).status;
    };
    QCOMPARE(call(QStringLiteral("/v1/accounts"), account(QStringLiteral("Legacy"))), 201);
    QCOMPARE(call(QStringLiteral("/v1/accounts"), account(QStringLiteral("legacy"))), 409);

    // Back to schema 9, with two more spellings of the name, as that schema let in.
    QVERIFY(server.terminate());
    {
        QSqlDatabase db = openServerDatabase(QStringLiteral("downgrade"), server.dataDir(), true);
        QVERIFY(db.isOpen());
        QSqlQuery q(db);
        for (const char *sql :
             {"DROP INDEX users_by_key", "ALTER TABLE users DROP COLUMN name_key",
              "INSERT INTO users (name, created, password) SELECT 'legacy', 0, password FROM users "
              "WHERE name = 'Legacy'",
              "INSERT INTO users (name, created, password) SELECT 'LEGACY', 0, password FROM users "
              "WHERE name = 'Legacy'",
              "UPDATE meta SET value = '9' WHERE key = 'schema_version'"})
            QVERIFY2(q.exec(QString::fromLatin1(sql)), qPrintable(q.lastError().text()));
        if (db.driverName() == QLatin1String("QSQLITE"))
            QVERIFY2(q.exec(QStringLiteral("PRAGMA user_version = 9")),
                     qPrintable(q.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(QStringLiteral("downgrade"));
    QVERIFY2(server.restart(), qPrintable(server.lastError()));

    for (const char *user : {"Legacy", "legacy", "LEGACY"})
        QCOMPARE(call(QStringLiteral("/v1/sessions"), session(QLatin1String(user))), 201);
    for (const char *user : {"lEgAcY", "legacy", "LeGaCy"})
        QCOMPARE(call(QStringLiteral("/v1/accounts"), account(QLatin1String(user))), 409);
}

void TestAccounts::registrationClosedByAdmin()
{
    QCOMPARE(m_server.runAdmin({QStringLiteral("registration"), QStringLiteral("close")}).exitCode,
             0);
    const ApiResponse closed
        = post(QStringLiteral("/v1/accounts"), account(QStringLiteral("late")));
    QCOMPARE(closed.status, 403);
    QCOMPARE(code(closed), QStringLiteral("registration_closed"));
    QCOMPARE(post(QStringLiteral("/v1/sessions"), session(QStringLiteral("late"))).status, 401);
    // Existing accounts still sign in.
    QVERIFY(!signIn(QStringLiteral("owner1")).isEmpty());
    QCOMPARE(m_server.runAdmin({QStringLiteral("registration"), QStringLiteral("open")}).exitCode,
             0);
    QCOMPARE(post(QStringLiteral("/v1/accounts"), account(QStringLiteral("late"))).status, 201);
    QCOMPARE(m_server.runAdmin({QStringLiteral("registration"), QStringLiteral("ajar")}).exitCode,
             2);
}

void TestAccounts::adminSetsPassword()
{
    // A user made by the admin's token create has no password until the admin sets one.
    QVERIFY(!m_server.createToken(QStringLiteral("scripted")).isEmpty());
    QCOMPARE(post(QStringLiteral("/v1/sessions"), session(QStringLiteral("scripted"))).status, 401);
    auto setPassword = [&](const QByteArray &input) {
        return m_server
            .runAdmin({QStringLiteral("user"), QStringLiteral("password"), QStringLiteral("--user"),
                       QStringLiteral("scripted")},
                      input)
            .exitCode;
    };
    QCOMPARE(setPassword("short\n"), 1);
    QCOMPARE(setPassword(kPassword.toUtf8() + '\n'), 0);
    QCOMPARE(post(QStringLiteral("/v1/sessions"), session(QStringLiteral("scripted"))).status, 201);
}

void TestAccounts::devicesListRevokeAndSignOut()
{
    QVERIFY(post(QStringLiteral("/v1/accounts"), account(QStringLiteral("gadgets"))).status == 201);
    const ApiResponse laptop
        = post(QStringLiteral("/v1/sessions"),
               session(QStringLiteral("gadgets"), kPassword, QStringLiteral("Laptop")));
    const ApiResponse phone
        = post(QStringLiteral("/v1/sessions"),
               session(QStringLiteral("gadgets"), kPassword, QStringLiteral("Phone")));
    QCOMPARE(laptop.status, 201);
    QCOMPARE(phone.status, 201);
    const QString laptopToken = laptop.json.value(QStringLiteral("token")).toString();
    const QString phoneToken = phone.json.value(QStringLiteral("token")).toString();
    const QString phoneId = phone.json.value(QStringLiteral("device")).toString();

    const ApiResponse list = m_api.send("GET", QStringLiteral("/v1/devices"), laptopToken);
    QCOMPARE(list.status, 200);
    const QJsonArray devices = list.json.value(QStringLiteral("devices")).toArray();
    QCOMPARE(devices.size(), 2);
    const QJsonObject first = devices.at(0).toObject();
    const QJsonObject second = devices.at(1).toObject();
    QCOMPARE(first.value(QStringLiteral("name")).toString(), QStringLiteral("Laptop"));
    QCOMPARE(first.value(QStringLiteral("current")).toBool(), true);
    QVERIFY(first.value(QStringLiteral("last_used")).toInteger() > 0); // just used to list
    QCOMPARE(second.value(QStringLiteral("name")).toString(), QStringLiteral("Phone"));
    QCOMPARE(second.value(QStringLiteral("id")).toString(), phoneId);
    QCOMPARE(second.value(QStringLiteral("current")).toBool(), false);
    QCOMPARE(second.value(QStringLiteral("last_used")).toInteger(), 0);
    QVERIFY(second.value(QStringLiteral("created")).toInteger()
            >= first.value(QStringLiteral("created")).toInteger());

    // Revoking the phone from the laptop: the phone's token stops working at once.
    const ApiResponse revoked
        = m_api.send("DELETE", QStringLiteral("/v1/devices/") + phoneId, laptopToken);
    QCOMPARE(revoked.status, 200);
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/me"), phoneToken).status, 401);
    QCOMPARE(m_api.send("DELETE", QStringLiteral("/v1/devices/") + phoneId, laptopToken).status,
             404);
    QCOMPARE(
        m_api.send("DELETE", QStringLiteral("/v1/devices/nonsense%2F..%00"), laptopToken).status,
        404);
    // Signing out the laptop leaves no device.
    QCOMPARE(m_api.send("DELETE", QStringLiteral("/v1/sessions/current"), laptopToken).status, 200);
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/devices"), laptopToken).status, 401);
    const QString again = signIn(QStringLiteral("gadgets"), QStringLiteral("Laptop"));
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/devices"), again)
                 .json.value(QStringLiteral("devices"))
                 .toArray()
                 .size(),
             1);
}

// The device a conflict's other side came from is named as the account's device list names
// it (the name given at sign-in), not by an id of the device's own making.
void TestAccounts::changesNameTheirDeviceAsTheListDoes()
{
    QVERIFY(post(QStringLiteral("/v1/accounts"), account(QStringLiteral("namer"))).status == 201);
    const QString laptopToken = signIn(QStringLiteral("namer"), QStringLiteral("Ada’s laptop"));
    const QString desktopToken = signIn(QStringLiteral("namer"), QStringLiteral("Ada’s desktop"));
    TestDevice laptop({m_server.url(), laptopToken, QStringLiteral("namer")});
    TestDevice desktop({m_server.url(), desktopToken, QStringLiteral("namer")});
    const QString guid
        = laptop.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("a")}});
    SYNC_OK(laptop);
    SYNC_OK(desktop);
    desktop.edit(guid, {{QStringLiteral("title"), QStringLiteral("from the desktop")}});
    laptop.edit(guid, {{QStringLiteral("title"), QStringLiteral("from the laptop")}});
    SYNC_OK(desktop);
    SYNC_OK(laptop);

    const auto conflict = laptop.store().conflict(guid);
    QVERIFY(conflict && conflict.value());
    const QJsonArray devices = m_api.send("GET", QStringLiteral("/v1/devices"), laptopToken)
                                   .json.value(QStringLiteral("devices"))
                                   .toArray();
    QStringList listed;
    for (const QJsonValue &d : devices)
        listed.append(d.toObject().value(QStringLiteral("name")).toString());
    QVERIFY(listed.contains(QStringLiteral("Ada’s desktop")));
    QCOMPARE(conflict.value()->theirsDeviceName, QStringLiteral("Ada’s desktop"));
    QCOMPARE(deviceDisplayName(conflict.value()->theirsDevice, conflict.value()->theirsDeviceName),
             QStringLiteral("Ada’s desktop"));
}

// A token made with the admin command names its device like a sign-in does.
void TestAccounts::adminTokenNamesItsDevice()
{
    const auto made = m_server.runAdmin({QStringLiteral("token"), QStringLiteral("create"),
                                         QStringLiteral("--user"), QStringLiteral("kitchen"),
                                         QStringLiteral("--device"), QStringLiteral("Kitchen PC")});
    QCOMPARE(made.exitCode, 0);
    const QString token = made.output.trimmed();
    const QJsonArray devices = m_api.send("GET", QStringLiteral("/v1/devices"), token)
                                   .json.value(QStringLiteral("devices"))
                                   .toArray();
    QCOMPARE(devices.size(), 1);
    QCOMPARE(devices.first().toObject().value(QStringLiteral("name")).toString(),
             QStringLiteral("Kitchen PC"));
    for (const QString &bad :
         {QStringLiteral("   "), QStringLiteral("tab\there"), QString(101, QLatin1Char('x'))}) {
        const auto refused = m_server.runAdmin({QStringLiteral("token"), QStringLiteral("create"),
                                                QStringLiteral("--user"), QStringLiteral("kitchen"),
                                                QStringLiteral("--device"), bad});
        QCOMPARE(refused.exitCode, 2);
        QVERIFY2(refused.errors.contains(QStringLiteral("device name")),
                 qPrintable(refused.errors));
    }
    QCOMPARE(m_server
                 .runAdmin({QStringLiteral("workspace"), QStringLiteral("create"),
                            QStringLiteral("pantry"), QStringLiteral("--owner"),
                            QStringLiteral("kitchen"), QStringLiteral("--device"),
                            QStringLiteral("Kitchen PC")})
                 .exitCode,
             2);
}

void TestAccounts::sharingErrors_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("member");
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    const QByteArray viewer = body({{QStringLiteral("role"), QStringLiteral("viewer")}});
    QTest::newRow("owner's role") << QByteArray("PUT") << QStringLiteral("owner1") << viewer << 409
                                  << QStringLiteral("owner_role");
    QTest::newRow("remove owner") << QByteArray("DELETE") << QStringLiteral("owner1")
                                  << QByteArray() << 409 << QStringLiteral("owner_role");
    QTest::newRow("no such user") << QByteArray("PUT") << QStringLiteral("ghost") << viewer << 404
                                  << QStringLiteral("no_such_user");
    QTest::newRow("not a member") << QByteArray("DELETE") << QStringLiteral("friend1")
                                  << QByteArray() << 404 << QStringLiteral("not_member");
    QTest::newRow("role owner") << QByteArray("PUT") << QStringLiteral("friend1")
                                << body({{QStringLiteral("role"), QStringLiteral("owner")}}) << 400
                                << QStringLiteral("invalid_request");
    QTest::newRow("role missing") << QByteArray("PUT") << QStringLiteral("friend1") << body({})
                                  << 400 << QStringLiteral("invalid_request");
    QTest::newRow("bad user name") << QByteArray("PUT") << QStringLiteral("a%20b") << viewer << 400
                                   << QStringLiteral("invalid_request");
}

void TestAccounts::sharingErrors()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, member);
    QFETCH(QByteArray, payload);
    QFETCH(int, status);
    QFETCH(QString, code);
    const QString token = signIn(QStringLiteral("owner1"));
    const QString members = QStringLiteral("/v1/workspaces/owner1/members");
    const QJsonObject before = m_api.send("GET", members, token).json;
    const ApiResponse r = m_api.send(method, members + QLatin1Char('/') + member, token, payload);
    QCOMPARE(r.status, status);
    QCOMPARE(::code(r), code);
    QCOMPARE(m_api.send("GET", members, token).json, before);
}

void TestAccounts::failedSignInsLockTheAccount()
{
    QVERIFY(post(QStringLiteral("/v1/accounts"), account(QStringLiteral("target"))).status == 201);
    const QByteArray wrong = session(QStringLiteral("target"), QStringLiteral("not the password"));
    for (int i = 0; i < 5; ++i) {
        const ApiResponse r = post(QStringLiteral("/v1/sessions"), wrong);
        QCOMPARE(r.status, 401);
        QCOMPARE(code(r), QStringLiteral("bad_credentials"));
    }
    // Locked: even the right password is refused until the window passes, with no waiting
    // inside the server.
    QElapsedTimer answered;
    answered.start();
    const ApiResponse locked
        = post(QStringLiteral("/v1/sessions"), session(QStringLiteral("target")));
    QVERIFY(answered.elapsed() < 1000);
    QCOMPARE(locked.status, 429);
    QCOMPARE(code(locked), QStringLiteral("too_many_attempts"));
    QCOMPARE(locked.retryAfter, QByteArray("1"));
    // Other accounts are not affected.
    QVERIFY(!signIn(QStringLiteral("friend1")).isEmpty());
    QTest::qWait(1100);
    // The next failure doubles the window.
    QCOMPARE(post(QStringLiteral("/v1/sessions"), wrong).status, 401);
    const ApiResponse longer = post(QStringLiteral("/v1/sessions"), wrong);
    QCOMPARE(longer.status, 429);
    QCOMPARE(longer.retryAfter, QByteArray("2"));
    QTest::qWait(2100);
    QCOMPARE(post(QStringLiteral("/v1/sessions"), session(QStringLiteral("target"))).status, 201);
    // A good password starts the count over.
    QCOMPARE(post(QStringLiteral("/v1/sessions"), wrong).status, 401);
    QCOMPARE(post(QStringLiteral("/v1/sessions"), session(QStringLiteral("target"))).status, 201);
}

// A password check takes tens of milliseconds of hashing. It runs beside the server's
// thread: while a stream of sign-ins is checked, other requests are answered at once. (When
// the hash ran on the server's thread, a request waited for the hash in progress: at most
// about one answer per sign-in checked.)
void TestAccounts::signInsDoNotHoldOthersUp()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    QNetworkAccessManager network;
    const auto post = [&](int i) {
        QNetworkRequest request(server.url().resolved(QUrl(QStringLiteral("/v1/sessions"))));
        request.setHeader(QNetworkRequest::ContentTypeHeader,
                          QByteArrayLiteral("application/json"));
        return network.post(request, session(QStringLiteral("nobody%1").arg(i)));
    };
    constexpr int kSignIns = 12;
    int sent = 0, checked = 0, answered = 0;
    std::function<void()> next = [&] {
        QNetworkReply *reply = post(sent++);
        connect(reply, &QNetworkReply::finished, reply, [&, reply] {
            reply->deleteLater();
            QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
            if (++checked + 1 < kSignIns && sent < kSignIns)
                next();
        });
    };
    next();
    next(); // two at a time, one after another
    std::function<void()> ask = [&] {
        QNetworkReply *reply
            = network.get(QNetworkRequest(server.url().resolved(QUrl(QStringLiteral("/healthz")))));
        connect(reply, &QNetworkReply::finished, reply, [&, reply] {
            reply->deleteLater();
            if (reply->error() == QNetworkReply::NoError)
                ++answered;
            if (checked < kSignIns)
                ask();
        });
    };
    ask();
    QTRY_COMPARE_WITH_TIMEOUT(checked, kSignIns, 60000);
    QVERIFY2(answered > 3 * kSignIns,
             qPrintable(QStringLiteral("%1 requests answered while %2 sign-ins were checked")
                            .arg(answered)
                            .arg(kSignIns)));
}

// Nobody can fill another person's account: at most 100 invitations wait for one account
// (an owner cannot add anyone to 10,001 workspaces and make their /v1/me unreadable), and an
// account belongs to at most 1,000 workspaces, counting those it owns.
void TestAccounts::invitationsAndMembershipsAreCapped()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--durability"), QStringLiteral("normal")}),
             qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    const QString mallory = server.createToken(QStringLiteral("mallory"));
    const QString bob = server.createToken(QStringLiteral("bob"));
    for (int i = 1; i <= 101; ++i) {
        const QString id = QStringLiteral("spam%1").arg(i);
        QCOMPARE(api.send("POST", QStringLiteral("/v1/workspaces"), mallory,
                          body({{QStringLiteral("id"), id}}))
                     .status,
                 201);
        const ApiResponse invited
            = api.send("PUT", QStringLiteral("/v1/workspaces/%1/members/bob").arg(id), mallory,
                       R"({"role":"viewer"})");
        if (i <= 100) {
            QCOMPARE(invited.status, 200);
        } else {
            QCOMPARE(invited.status, 409);
            QCOMPARE(code(invited), QStringLiteral("too_many_invitations"));
        }
    }
    const ApiResponse me = api.send("GET", QStringLiteral("/v1/me"), bob);
    const Ferry::Result<Ferry::AccountInfo> account = Ferry::Wire::parseAccountInfo(me.body);
    QVERIFY2(account.ok(), me.body.left(300).constData());
    QCOMPARE(account->invitations.size(), 100);
    QCOMPARE(account->workspaces, QStringList {QStringLiteral("bob")}); // none of them joined
    // Declining one makes room for another.
    QCOMPARE(api.send("DELETE", QStringLiteral("/v1/invitations/spam1"), bob).status, 200);
    QCOMPARE(api.send("PUT", QStringLiteral("/v1/workspaces/spam101/members/bob"), mallory,
                      R"({"role":"viewer"})")
                 .status,
             200);

    // Bob holds his own workspace and makes 999 more: then neither a new one nor an accepted
    // invitation fits.
    constexpr int kMostWorkspaces = 1000; // ServerStore::kMaxMemberships
    for (int i = 1; i < kMostWorkspaces; ++i)
        QCOMPARE(api.send("POST", QStringLiteral("/v1/workspaces"), bob,
                          body({{QStringLiteral("id"), QStringLiteral("b%1").arg(i)}}))
                     .status,
                 201);
    const ApiResponse oneMore = api.send("POST", QStringLiteral("/v1/workspaces"), bob,
                                         body({{QStringLiteral("id"), QStringLiteral("b-extra")}}));
    QCOMPARE(oneMore.status, 409);
    QCOMPARE(code(oneMore), QStringLiteral("too_many_workspaces"));
    const ApiResponse accepted = api.send("POST", QStringLiteral("/v1/invitations/spam2"), bob);
    QCOMPARE(accepted.status, 409);
    QCOMPARE(code(accepted), QStringLiteral("too_many_workspaces"));
    // The invitation still waits, and his list is still one the client reads.
    const ApiResponse full = api.send("GET", QStringLiteral("/v1/me"), bob);
    const Ferry::Result<Ferry::AccountInfo> read = Ferry::Wire::parseAccountInfo(full.body);
    QVERIFY(read.ok());
    QCOMPARE(read->workspaces.size(), kMostWorkspaces);
    QCOMPARE(read->invitations.size(), 100);
}

// Guesses sent at once for one account are not all checked before the first failure counts:
// one check per account runs at a time, the others are told to wait, and the lock comes
// after the same five failures as when they came one by one.
void TestAccounts::guessesAtOnceStillCountOneByOne()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    QCOMPARE(
        api.request("POST", QStringLiteral("/v1/accounts"), {}, account(QStringLiteral("target")))
            .status,
        201);
    QNetworkAccessManager network;
    QMap<int, int> statuses;
    int done = 0;
    constexpr int kRounds = 8; // each checks one guess at least, until the lock
    for (int round = 0; round < kRounds; ++round) {
        for (int i = 0; i < 6; ++i) {
            QNetworkRequest request(server.url().resolved(QUrl(QStringLiteral("/v1/sessions"))));
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QByteArrayLiteral("application/json"));
            QNetworkReply *reply = network.post(
                request, session(QStringLiteral("target"), QStringLiteral("guess %1").arg(i)));
            connect(reply, &QNetworkReply::finished, reply, [&, reply] {
                reply->deleteLater();
                ++statuses[reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt()];
                ++done;
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(done, 6 * (round + 1), 30000);
    }
    QCOMPARE(statuses.value(401), 5); // SignInLimiter::kFreeAccountFailures
    QCOMPARE(statuses.value(429), kRounds * 6 - 5);
}

void TestAccounts::failedSignInsLockTheAddress()
{
    // A server of its own, so the address's count does not leak into the other tests.
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    QCOMPARE(
        api.request("POST", QStringLiteral("/v1/accounts"), {}, account(QStringLiteral("real")))
            .status,
        201);
    const QString token
        = api.request("POST", QStringLiteral("/v1/sessions"), {}, session(QStringLiteral("real")))
              .json.value(QStringLiteral("token"))
              .toString();
    QVERIFY(!token.isEmpty());
    // Guessing across many accounts from one address: 50 failures, one per name.
    for (int i = 0; i < 50; ++i) {
        const ApiResponse r = api.request(
            "POST", QStringLiteral("/v1/sessions"), {},
            session(QStringLiteral("guess%1").arg(i), QStringLiteral("password%1").arg(i)));
        QCOMPARE(r.status, 401);
    }
    const ApiResponse locked
        = api.request("POST", QStringLiteral("/v1/sessions"), {}, session(QStringLiteral("real")));
    QCOMPARE(locked.status, 429);
    QCOMPARE(code(locked), QStringLiteral("too_many_attempts"));
    QVERIFY(locked.retryAfter.toInt() >= 1);
    // Tokens already issued keep working: only signing in is slowed down.
    QCOMPARE(api.send("GET", QStringLiteral("/v1/me"), token).status, 200);
}

void TestAccounts::registrationsFromOneAddressSlowDown()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    for (int i = 0; i < 30; ++i)
        QCOMPARE(api.request("POST", QStringLiteral("/v1/accounts"), {},
                             account(QStringLiteral("many%1").arg(i)))
                     .status,
                 201);
    const ApiResponse locked = api.request("POST", QStringLiteral("/v1/accounts"), {},
                                           account(QStringLiteral("one-more")));
    QCOMPARE(locked.status, 429);
    QCOMPARE(code(locked), QStringLiteral("too_many_attempts"));
    QCOMPARE(locked.retryAfter, QByteArray("1"));
    // Registering is slowed down, signing in is not.
    QCOMPARE(
        api.request("POST", QStringLiteral("/v1/sessions"), {}, session(QStringLiteral("many0")))
            .status,
        201);
    QTest::qWait(1100);
    QCOMPARE(
        api.request("POST", QStringLiteral("/v1/accounts"), {}, account(QStringLiteral("one-more")))
            .status,
        201);
}

QTEST_MAIN(TestAccounts)
#include "tst_accounts.moc"
