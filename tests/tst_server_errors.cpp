// The refusal side of the ferry-server HTTP API, against the real binary over real sockets:
// authentication, routing, malformed, oversized and wrong-typed requests and access control.
// Every refusal must leave the workspace exactly as it was.

#include "apiclient.h"
#include "serverprocess.h"
#include "serverrecords.h"

#include "guid.h"
#include "wire.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace FerryTest;

class TestServerErrors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void healthz();
    void me();
    void unauthorized_data();
    void unauthorized();
    void forbidden_data();
    void forbidden();
    void notFound_data();
    void notFound();
    void methodNotAllowed_data();
    void methodNotAllowed();
    void createWorkspace();
    void badEnvelope_data();
    void badEnvelope();
    void rejectedMutation_data();
    void rejectedMutation();
    void badPullQuery_data();
    void badPullQuery();
    void filesTokenOnBlobRequests();
    void failedStoreReadIsAnError();
    void bodyTooLarge();
    void tooManyMutations();

private:
    ServerProcess m_server;
    ServerProcess m_smallServer; // started with --max-body 4096
    ApiClient m_api; // as alice, on m_server
    ApiClient m_smallApi; // as alice, on m_smallServer
    QString m_alice;
    QString m_bob;
    QString m_revoked;
    QString m_smallToken;
};

void TestServerErrors::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    QVERIFY2(QRegularExpression(QStringLiteral("^http://127\\.0\\.0\\.1:\\d+$"))
                 .match(m_server.url().toString())
                 .hasMatch(),
             qPrintable(m_server.url().toString()));
    const ServerProcess::AdminRun alice
        = m_server.runAdmin({QStringLiteral("token"), QStringLiteral("create"),
                             QStringLiteral("--user"), QStringLiteral("alice")});
    QCOMPARE(alice.exitCode, 0);
    m_alice = alice.output.trimmed();
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(m_alice).hasMatch(),
             qPrintable(m_alice));
    m_api.setServer(m_server.url(), m_alice);
    m_bob = m_server.createToken(QStringLiteral("bob"));
    m_revoked = m_server.createToken(QStringLiteral("alice"));
    QVERIFY(!m_bob.isEmpty() && !m_revoked.isEmpty() && m_revoked != m_alice);
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/me"), m_revoked).status, 200);
    QCOMPARE(
        m_server.runAdmin({QStringLiteral("token"), QStringLiteral("revoke")}, m_revoked.toLatin1())
            .exitCode,
        0);

    QVERIFY(m_smallServer.start({QStringLiteral("--max-body"), QStringLiteral("4096")}));
    m_smallToken = m_smallServer.createToken(QStringLiteral("alice"));
    QVERIFY(!m_smallToken.isEmpty());
    m_smallApi.setServer(m_smallServer.url(), m_smallToken);
}

void TestServerErrors::cleanupTestCase()
{
    for (ServerProcess *server : {&m_server, &m_smallServer}) {
        if (server->url().isEmpty())
            continue; // never came up: initTestCase has said so
        QVERIFY(server->terminate()); // SIGTERM: must shut down cleanly
        QCOMPARE(server->exitStatus(), QProcess::NormalExit);
        QCOMPARE(server->exitCode(), 0);
    }
}

void TestServerErrors::healthz()
{
    const ApiResponse r = m_api.request("GET", QStringLiteral("/healthz"), {});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json,
             (QJsonObject {{QStringLiteral("status"), QStringLiteral("ok")},
                           {QStringLiteral("protocol"), 1}}));
}

void TestServerErrors::me()
{
    const ApiResponse r = m_api.send("GET", QStringLiteral("/v1/me"), m_bob);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("user")).toString(), QStringLiteral("bob"));
    const QJsonArray expected {QJsonObject {{QStringLiteral("id"), QStringLiteral("bob")},
                                            {QStringLiteral("role"), QStringLiteral("owner")}}};
    QCOMPARE(r.json.value(QStringLiteral("workspaces")).toArray(), expected);
}

void TestServerErrors::unauthorized_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QString>("path");
    QTest::newRow("missing") << QByteArray() << QStringLiteral("/v1/me");
    QTest::newRow("not bearer") << QByteArray("Basic YWxpY2U6eA==") << QStringLiteral("/v1/me");
    QTest::newRow("empty bearer") << QByteArray("Bearer ") << QStringLiteral("/v1/me");
    QTest::newRow("unknown token") << QByteArray("Bearer 00112233") << QStringLiteral("/v1/me");
    QTest::newRow("revoked token") << QByteArray("REVOKED") << QStringLiteral("/v1/me");
    QTest::newRow("revoked, pull")
        << QByteArray("REVOKED") << QStringLiteral("/v1/workspaces/alice/pull");
}

void TestServerErrors::unauthorized()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QString, path);
    if (authorization == "REVOKED")
        authorization = "Bearer " + m_revoked.toUtf8();
    const ApiResponse r = m_api.request("GET", path, authorization);
    QVERIFY(r.finished);
    QCOMPARE(r.status, 401);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("unauthorized"));
    QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
}

void TestServerErrors::forbidden_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("bob pulls alice")
        << QByteArray("GET") << QStringLiteral("/v1/workspaces/alice/pull");
    QTest::newRow("bob pushes alice")
        << QByteArray("POST") << QStringLiteral("/v1/workspaces/alice/push");
    QTest::newRow("no such workspace")
        << QByteArray("GET") << QStringLiteral("/v1/workspaces/nope/pull");
}

void TestServerErrors::forbidden()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const WorkspaceSnapshot before = m_api.snapshot(QStringLiteral("alice"));
    const QByteArray body = method == "POST"
        ? batchBody(QStringLiteral("b-forbidden"), QJsonArray {mutation(Ferry::createGuid(), 0)})
        : QByteArray();
    const ApiResponse r = m_api.send(method, path, m_bob, body);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("forbidden"));
    QCOMPARE(m_api.snapshot(QStringLiteral("alice")), before);
}

void TestServerErrors::notFound_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("root") << QStringLiteral("/");
    QTest::newRow("unknown") << QStringLiteral("/nope");
    QTest::newRow("v1 alone") << QStringLiteral("/v1");
    QTest::newRow("workspace alone") << QStringLiteral("/v1/workspaces/alice");
    QTest::newRow("too deep") << QStringLiteral("/v1/workspaces/alice/pull/more");
    QTest::newRow("unknown action") << QStringLiteral("/v1/workspaces/alice/sync");
}

void TestServerErrors::notFound()
{
    QFETCH(QString, path);
    const ApiResponse r = m_api.send("GET", path, m_alice);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("not_found"));
}

void TestServerErrors::methodNotAllowed_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("allow");
    QTest::newRow("GET push") << QByteArray("GET") << QStringLiteral("/v1/workspaces/alice/push")
                              << QByteArray("POST");
    QTest::newRow("POST pull") << QByteArray("POST") << QStringLiteral("/v1/workspaces/alice/pull")
                               << QByteArray("GET");
    QTest::newRow("PUT me") << QByteArray("PUT") << QStringLiteral("/v1/me") << QByteArray("GET");
    QTest::newRow("GET workspaces")
        << QByteArray("GET") << QStringLiteral("/v1/workspaces") << QByteArray("POST");
    QTest::newRow("DELETE healthz")
        << QByteArray("DELETE") << QStringLiteral("/healthz") << QByteArray("GET");
}

void TestServerErrors::methodNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, allow);
    const WorkspaceSnapshot before = m_api.snapshot(QStringLiteral("alice"));
    const ApiResponse r
        = m_api.send(method, path, m_alice, method == "GET" ? QByteArray() : QByteArray("{}"));
    QCOMPARE(r.status, 405);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("method_not_allowed"));
    QCOMPARE(r.allow, allow);
    QCOMPARE(m_api.snapshot(QStringLiteral("alice")), before);
}

void TestServerErrors::createWorkspace()
{
    const auto body = [](const QJsonValue &id) {
        return QJsonDocument(QJsonObject {{QStringLiteral("id"), id}}).toJson();
    };
    ApiResponse r = m_api.send("POST", QStringLiteral("/v1/workspaces"), m_bob,
                               body(QStringLiteral("bobs-notes")));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json,
             (QJsonObject {{QStringLiteral("id"), QStringLiteral("bobs-notes")},
                           {QStringLiteral("role"), QStringLiteral("owner")}}));
    r = m_api.send("POST", QStringLiteral("/v1/workspaces"), m_alice,
                   body(QStringLiteral("bobs-notes")));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("workspace_exists"));
    for (const QJsonValue &bad : {QJsonValue(QStringLiteral("has space")), QJsonValue(QString()),
                                  QJsonValue(7), QJsonValue(QString(65, QLatin1Char('a')))}) {
        r = m_api.send("POST", QStringLiteral("/v1/workspaces"), m_bob, body(bad));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
    }
    r = m_api.send("POST", QStringLiteral("/v1/workspaces"), m_bob, "[1]");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("bad_json"));
    r = m_api.send("GET", QStringLiteral("/v1/me"), m_bob);
    QCOMPARE(r.json.value(QStringLiteral("workspaces")).toArray().size(), 2);
    // alice is not a member of bob's new workspace
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/workspaces/bobs-notes/pull"), m_alice).status,
             403);
}

void TestServerErrors::badEnvelope_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    const QByteArray good
        = "{\"entity\":\"Post\",\"guid\":\"0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3\",\"base\":0}";
    QTest::newRow("not json") << QByteArray("{\"batch\": ") << QStringLiteral("bad_json");
    QTest::newRow("empty body") << QByteArray() << QStringLiteral("bad_json");
    QTest::newRow("top level array") << QByteArray("[]") << QStringLiteral("bad_json");
    QTest::newRow("top level string") << QByteArray("\"x\"") << QStringLiteral("bad_json");
    QTest::newRow("binary junk") << QByteArray("\x01\xff\xfe{", 4) << QStringLiteral("bad_json");
    QTest::newRow("mutations not a list")
        << QByteArray("{\"batch\":\"b\",\"device\":\"d\",\"mutations\":{}}")
        << QStringLiteral("invalid_request");
    QTest::newRow("mutations missing")
        << QByteArray("{\"batch\":\"b\",\"device\":\"d\"}") << QStringLiteral("invalid_request");
    QTest::newRow("batch missing")
        << "{\"device\":\"d\",\"mutations\":[" + good + "]}" << QStringLiteral("invalid_request");
    QTest::newRow("batch a number") << "{\"batch\":5,\"device\":\"d\",\"mutations\":[" + good + "]}"
                                    << QStringLiteral("invalid_request");
    QTest::newRow("batch bad chars") << "{\"batch\":\"a b\",\"device\":\"d\",\"mutations\":[" + good
            + "]}" << QStringLiteral("invalid_request");
    QTest::newRow("device missing")
        << "{\"batch\":\"b\",\"mutations\":[" + good + "]}" << QStringLiteral("invalid_request");
    QTest::newRow("mutation not an object") << "{\"batch\":\"b\",\"device\":\"d\",\"mutations\":["
            + good + ",7]}" << QStringLiteral("invalid_request");
}

void TestServerErrors::badEnvelope()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    const WorkspaceSnapshot before = m_api.snapshot(QStringLiteral("alice"));
    const ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/alice/push"), m_alice, body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), code);
    QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(m_api.snapshot(QStringLiteral("alice")), before);
}

void TestServerErrors::rejectedMutation_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("code");
    const QByteArray g = "\"guid\":\"0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3\"";
    QTest::newRow("base a string")
        << "{\"entity\":\"Post\"," + g + ",\"base\":\"3\"}" << QStringLiteral("invalid_base");
    QTest::newRow("base negative")
        << "{\"entity\":\"Post\"," + g + ",\"base\":-1}" << QStringLiteral("invalid_base");
    QTest::newRow("base fractional")
        << "{\"entity\":\"Post\"," + g + ",\"base\":1.5}" << QStringLiteral("invalid_base");
    QTest::newRow("base missing") << "{\"entity\":\"Post\"," + g + "}"
                                  << QStringLiteral("invalid_base");
    QTest::newRow("guid uppercase")
        << QByteArray("{\"entity\":\"Post\",\"guid\":\"0193A1F4-5C2E-7D11-9A0B-2F64C1E0A9D3\","
                      "\"base\":0}")
        << QStringLiteral("invalid_guid");
    QTest::newRow("guid a number") << QByteArray("{\"entity\":\"Post\",\"guid\":12,\"base\":0}")
                                   << QStringLiteral("invalid_guid");
    QTest::newRow("entity bad") << "{\"entity\":\"9Post\"," + g + ",\"base\":0}"
                                << QStringLiteral("invalid_entity");
    QTest::newRow("fields not object")
        << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"fields\":[1]}"
        << QStringLiteral("invalid_fields");
    QTest::newRow("field name bad")
        << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"fields\":{\"a-b\":1}}"
        << QStringLiteral("invalid_field_name");
    QTest::newRow("deleted a string")
        << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"deleted\":\"yes\"}"
        << QStringLiteral("invalid_deleted");
    QTest::newRow("sets not object") << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"sets\":[]}"
                                     << QStringLiteral("invalid_sets");
    QTest::newRow("set add not list")
        << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"sets\":{\"tags\":{\"add\":\"x\"}}}"
        << QStringLiteral("invalid_sets");
    QTest::newRow("field in fields and sets") << "{\"entity\":\"Post\"," + g
            + ",\"base\":0,\"fields\":{\"tags\":[]},\"sets\":{\"tags\":{\"add\":[\"x\"]}}}"
                                              << QStringLiteral("invalid_sets");
    QTest::newRow("unknown key") << "{\"entity\":\"Post\"," + g + ",\"base\":0,\"colour\":1}"
                                 << QStringLiteral("invalid_mutation");
}

void TestServerErrors::rejectedMutation()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, code);
    const QString ws = m_api.newWorkspace();
    QVERIFY(!ws.isEmpty());
    const QString other = Ferry::createGuid();
    const qint64 rev = m_api.create(ws, other, {{QStringLiteral("title"), QStringLiteral("keep")}});
    QCOMPARE(rev, 1);

    // The bad mutation next to a good one: only the bad one is refused.
    const QString good = Ferry::createGuid();
    const QByteArray body = "{\"batch\":\"rej\",\"device\":\"d\",\"mutations\":[" + json + ","
        + QJsonDocument(mutation(good, 0, {{QStringLiteral("n"), 1}}))
              .toJson(QJsonDocument::Compact)
        + "]}";
    ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws), m_alice, body);
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r, 0).value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(result(r, 0).value(QStringLiteral("code")).toString(), code);
    QVERIFY(!result(r, 0).value(QStringLiteral("reason")).toString().isEmpty());
    QCOMPARE(result(r, 1).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);

    // Alone, the bad mutation changes nothing and the sequence does not move.
    const QString ws2 = m_api.newWorkspace();
    m_api.create(ws2, other, {{QStringLiteral("title"), QStringLiteral("keep")}});
    const WorkspaceSnapshot before2 = m_api.snapshot(ws2);
    r = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws2), m_alice,
                   "{\"batch\":\"rej\",\"device\":\"d\",\"mutations\":[" + json + "]}");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(result(r).value(QStringLiteral("code")).toString(), code);
    QCOMPARE(m_api.snapshot(ws2), before2);
}

void TestServerErrors::badPullQuery_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<int>("status");
    QTest::newRow("since letters") << QStringLiteral("since=abc") << 400;
    QTest::newRow("since negative") << QStringLiteral("since=-1") << 400;
    QTest::newRow("since empty") << QStringLiteral("since=") << 400;
    QTest::newRow("since fraction") << QStringLiteral("since=1.5") << 400;
    QTest::newRow("limit zero") << QStringLiteral("limit=0") << 400;
    QTest::newRow("limit too big") << QStringLiteral("limit=10001") << 400;
    QTest::newRow("limit letters") << QStringLiteral("limit=ten") << 400;
    QTest::newRow("count two") << QStringLiteral("count=2") << 400;
    QTest::newRow("files not a token") << QStringLiteral("files=a%20b") << 400;
    QTest::newRow("files twice") << QStringLiteral("files=abc&files=abc") << 400;
    QTest::newRow("files unknown") << QStringLiteral("files=0123456789abcdef") << 200;
    QTest::newRow("limit max") << QStringLiteral("limit=10000") << 200;
    QTest::newRow("all valid") << QStringLiteral("since=0&limit=1&count=1") << 200;
    QTest::newRow("no query") << QString() << 200;
}

void TestServerErrors::badPullQuery()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    const ApiResponse r
        = m_api.send("GET", QStringLiteral("/v1/workspaces/alice/pull?") + query, m_alice);
    QCOMPARE(r.status, status);
    if (status == 400)
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
    else
        QVERIFY(Ferry::Wire::parsePullPage(r.body).ok());
    // A token this workspace never handed out: its uploads are not all here.
    if (query.startsWith(QLatin1String("files=")) && status == 200)
        QVERIFY(Ferry::Wire::parsePullPage(r.body)->filesLost);
}

// The upload token on the blob endpoints: malformed is refused, unknown is said to be lost.
void TestServerErrors::filesTokenOnBlobRequests()
{
    const QString blob = QStringLiteral("sha256:") + QString(64, QLatin1Char('c'));
    const QString base = QStringLiteral("/v1/workspaces/alice/blobs/");
    const QByteArray missing = "{\"blobs\":[\"" + blob.toLatin1() + "\"]}";
    for (const QString &files : {QStringLiteral("a%20b"), QStringLiteral("0123456789abcdef")}) {
        const bool malformed = files.contains(QLatin1Char('%'));
        const ApiResponse answers[] = {
            m_api.send("POST", base + QStringLiteral("missing?files=") + files, m_alice, missing),
            m_api.send("GET", base + blob + QStringLiteral("/upload?files=") + files, m_alice),
            m_api.send("PUT", base + blob + QStringLiteral("?files=") + files, m_alice, "bytes"),
        };
        for (const ApiResponse &r : answers) {
            if (malformed) {
                QCOMPARE(r.status, 400);
                QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                         QStringLiteral("invalid_request"));
            } else if (r.status != 400) { // the PUT: "bytes" do not hash to that id
                QCOMPARE(r.status, 200);
                QCOMPARE(r.json.value(QStringLiteral("files_lost")).toBool(), true);
            }
        }
    }
}

void TestServerErrors::bodyTooLarge()
{
    const auto pullSmall = [this] {
        return m_smallApi.send("GET", QStringLiteral("/v1/workspaces/alice/pull"), m_smallToken)
            .body;
    };
    const QByteArray before = pullSmall();
    QJsonArray mutations {mutation(Ferry::createGuid(), 0,
                                   {{QStringLiteral("body"), QString(5000, QLatin1Char('x'))}})};
    ApiResponse r = m_smallApi.send("POST", QStringLiteral("/v1/workspaces/alice/push"),
                                    m_smallToken, batchBody(QStringLiteral("big"), mutations));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    QCOMPARE(pullSmall(), before);
    // Just under the limit is accepted.
    mutations = QJsonArray {mutation(Ferry::createGuid(), 0,
                                     {{QStringLiteral("body"), QString(3000, QLatin1Char('x'))}})};
    r = m_smallApi.send("POST", QStringLiteral("/v1/workspaces/alice/push"), m_smallToken,
                        batchBody(QStringLiteral("fits"), mutations));
    QCOMPARE(r.status, 200);
}

void TestServerErrors::tooManyMutations()
{
    const WorkspaceSnapshot before = m_api.snapshot(QStringLiteral("alice"));
    QJsonArray mutations;
    for (int i = 0; i <= Ferry::Wire::kMaxMutationsPerPush; ++i)
        mutations.append(mutation(Ferry::createGuid(), 0));
    const ApiResponse r = m_api.push(QStringLiteral("alice"), mutations);
    QCOMPARE(r.status, 413);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    QCOMPARE(m_api.snapshot(QStringLiteral("alice")), before);
}

// The members cannot be read (their table is renamed away under the running server): a
// member's request is a server failure naming the database, not "you are not a member".
void TestServerErrors::failedStoreReadIsAnError()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("carol"));
    ApiClient api;
    api.setServer(server.url(), token);
    QCOMPARE(api.send("GET", QStringLiteral("/v1/workspaces/carol/pull"), token).status, 200);
    const auto renameMembers = [&server](const char *sql) {
        QSqlDatabase db
            = openServerDatabase(QStringLiteral("beside the server"), server.dataDir(), true);
        bool done = db.isOpen();
        if (done) {
            QSqlQuery q(db);
            done = q.exec(QString::fromLatin1(sql));
            if (!done)
                qWarning("%s", qPrintable(q.lastError().text()));
        }
        db.close();
        db = {};
        QSqlDatabase::removeDatabase(QStringLiteral("beside the server"));
        return done;
    };
    QVERIFY(renameMembers("ALTER TABLE members RENAME TO members_away"));
    for (const QString &path : {QStringLiteral("/v1/workspaces/carol/pull"),
                                QStringLiteral("/v1/workspaces/carol/members"),
                                QStringLiteral("/v1/workspaces/carol/storage")}) {
        const ApiResponse r = api.send("GET", path, token);
        QCOMPARE(r.status, 500);
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("database"));
    }
    QVERIFY(renameMembers("ALTER TABLE members_away RENAME TO members"));
    QCOMPARE(api.send("GET", QStringLiteral("/v1/workspaces/carol/pull"), token).status, 200);
}

QTEST_GUILESS_MAIN(TestServerErrors)
#include "tst_server_errors.moc"
