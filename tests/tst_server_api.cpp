// The ferry-server HTTP API, tested against the real binary over real sockets: errors and
// refusals (which must change nothing), then push and pull semantics at the wire level.

#include "guid.h"
#include "wire.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

#ifndef FERRY_SERVER_PATH
#error "FERRY_SERVER_PATH must name the ferry-server binary"
#endif

namespace {

// One HTTP answer as the test sees it.
struct Response
{
    int status = 0;
    QByteArray body;
    QJsonObject json;
    QByteArray allow;
};

// A running ferry-server on a temporary data directory.
struct Server
{
    QTemporaryDir dir;
    QProcess process;
    QUrl base;
};

// A workspace's state as pull shows it, to prove that a refused request changed nothing.
struct Snapshot
{
    qint64 cursor = -1;
    QByteArray changes;
    bool operator==(const Snapshot &) const = default;
};

QJsonObject mutation(const QString &guid, qint64 base, const QJsonObject &fields = {},
                     const QString &entity = QStringLiteral("Post"))
{
    QJsonObject m {{QStringLiteral("entity"), entity},
                   {QStringLiteral("guid"), guid},
                   {QStringLiteral("base"), base}};
    if (!fields.isEmpty())
        m.insert(QStringLiteral("fields"), fields);
    return m;
}

QJsonObject deletion(const QString &guid, qint64 base)
{
    QJsonObject m = mutation(guid, base);
    m.insert(QStringLiteral("deleted"), true);
    return m;
}

QJsonObject setOps(const QString &guid, qint64 base, const QString &field, const QStringList &add,
                   const QStringList &remove)
{
    QJsonObject m = mutation(guid, base);
    m.insert(QStringLiteral("sets"),
             QJsonObject {
                 {field,
                  QJsonObject {{QStringLiteral("add"), QJsonArray::fromStringList(add)},
                               {QStringLiteral("remove"), QJsonArray::fromStringList(remove)}}}});
    return m;
}

QByteArray batchBody(const QString &batch, const QJsonArray &mutations)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("batch"), batch},
                                      {QStringLiteral("device"), QStringLiteral("test-device")},
                                      {QStringLiteral("mutations"), mutations}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject result(const Response &r, int index = 0)
{
    return r.json.value(QStringLiteral("results")).toArray().at(index).toObject();
}

QJsonObject recordOf(const QJsonObject &res)
{
    return res.value(QStringLiteral("record")).toObject();
}

QJsonObject fieldsOf(const QJsonObject &record)
{
    return record.value(QStringLiteral("fields")).toObject();
}

QStringList strings(const QJsonValue &value)
{
    QStringList list;
    for (const QJsonValue &v : value.toArray())
        list.append(v.toString());
    return list;
}

} // namespace

class TestServerApi : public QObject
{
    Q_OBJECT

private slots:
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
    void bodyTooLarge();
    void tooManyMutations();
    void adminBadArguments_data();
    void adminBadArguments();

    void createIsApplied();
    void disjointEditsMerge();
    void sameFieldConflicts();
    void equalValueIsNoConflict();
    void deleteVersusEdit();
    void editVersusDelete();
    void restoreTombstone();
    void setOpsMerge();
    void entityMismatchAndBaseAhead();
    void retriedBatchGetsSameBytes();
    void reusedBatchIdIsMismatch();
    void pullPagingKeepsPushesWhole();
    void pullPageHoldsOversizedPush();
    void deltaPullHasOnlyChangedFields();
    void unknownFieldsAndNullsSurvive();

private:
    std::unique_ptr<Server> startServer(const QStringList &extraArgs = {});
    QString admin(Server &server, const QStringList &args, int *exitCode = nullptr);
    Response send(const QUrl &base, const QByteArray &method, const QString &path,
                  const QString &token, const QByteArray &body = {}, bool withAuth = true);
    Response push(const QString &ws, const QJsonArray &mutations, QString batch = {});
    Response pull(const QString &ws, qint64 since = 0, int limit = 1000);
    Snapshot snapshot(const QString &ws);
    QString newWorkspace();
    // Creates a record with `fields` and returns the rev it got.
    qint64 create(const QString &ws, const QString &guid, const QJsonObject &fields);

    QNetworkAccessManager m_network;
    std::unique_ptr<Server> m_server;
    std::unique_ptr<Server> m_smallServer; // started with --max-body 4096
    QString m_alice;
    QString m_bob;
    QString m_revoked;
    QString m_smallToken;
    int m_workspaces = 0;
};

std::unique_ptr<Server> TestServerApi::startServer(const QStringList &extraArgs)
{
    auto server = std::make_unique<Server>();
    if (!server->dir.isValid())
        return nullptr;
    server->process.setProgram(QStringLiteral(FERRY_SERVER_PATH));
    server->process.setArguments(QStringList {QStringLiteral("--data"), server->dir.path(),
                                              QStringLiteral("--listen"),
                                              QStringLiteral("127.0.0.1:0")}
                                 + extraArgs);
    server->process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    server->process.start();
    if (!server->process.waitForStarted(10000))
        return nullptr;
    static const QRegularExpression line(
        QStringLiteral("^ferry-server listening on (http://127\\.0\\.0\\.1:\\d+)\n$"));
    while (!server->process.canReadLine()) {
        if (!server->process.waitForReadyRead(10000))
            return nullptr;
    }
    const QRegularExpressionMatch match = line.match(QString::fromUtf8(server->process.readLine()));
    if (!match.hasMatch())
        return nullptr;
    server->base = QUrl(match.captured(1));
    return server;
}

QString TestServerApi::admin(Server &server, const QStringList &args, int *exitCode)
{
    QProcess process;
    process.start(QStringLiteral(FERRY_SERVER_PATH),
                  QStringList {QStringLiteral("--data"), server.dir.path()} + args);
    process.waitForFinished(20000);
    if (exitCode)
        *exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return QString::fromUtf8(process.readAllStandardOutput());
}

Response TestServerApi::send(const QUrl &base, const QByteArray &method, const QString &path,
                             const QString &token, const QByteArray &body, bool withAuth)
{
    QNetworkRequest request(base.resolved(QUrl(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (withAuth)
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QNetworkReply *reply = method == "GET" && body.isEmpty()
        ? m_network.get(request)
        : m_network.sendCustomRequest(request, method, body);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    if (!reply->isFinished())
        loop.exec();
    Response r;
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body).object();
    r.allow = reply->rawHeader("Allow");
    reply->deleteLater();
    return r;
}

Response TestServerApi::push(const QString &ws, const QJsonArray &mutations, QString batch)
{
    if (batch.isEmpty())
        batch = Ferry::createGuid();
    return send(m_server->base, "POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws), m_alice,
                batchBody(batch, mutations));
}

Response TestServerApi::pull(const QString &ws, qint64 since, int limit)
{
    return send(
        m_server->base, "GET",
        QStringLiteral("/v1/workspaces/%1/pull?since=%2&limit=%3").arg(ws).arg(since).arg(limit),
        m_alice);
}

Snapshot TestServerApi::snapshot(const QString &ws)
{
    const Response r = pull(ws, 0, 10000);
    if (r.status != 200)
        return {};
    return Snapshot {qint64(r.json.value(QStringLiteral("cursor")).toDouble()),
                     QJsonDocument(r.json.value(QStringLiteral("changes")).toArray()).toJson()};
}

QString TestServerApi::newWorkspace()
{
    const QString id = QStringLiteral("ws%1").arg(++m_workspaces);
    const Response r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces"), m_alice,
                            QJsonDocument(QJsonObject {{QStringLiteral("id"), id}}).toJson());
    return r.status == 201 ? id : QString();
}

qint64 TestServerApi::create(const QString &ws, const QString &guid, const QJsonObject &fields)
{
    const Response r = push(ws, QJsonArray {mutation(guid, 0, fields)});
    if (r.status != 200
        || result(r).value(QStringLiteral("status")).toString() != QLatin1String("applied"))
        return -1;
    return qint64(result(r).value(QStringLiteral("rev")).toDouble());
}

void TestServerApi::initTestCase()
{
    m_server = startServer();
    QVERIFY2(m_server, "ferry-server did not start and print its listening line");
    int code = -1;
    m_alice = admin(*m_server,
                    {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--user"),
                     QStringLiteral("alice")},
                    &code)
                  .trimmed();
    QCOMPARE(code, 0);
    QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$")).match(m_alice).hasMatch(),
             qPrintable(m_alice));
    m_bob = admin(*m_server,
                  {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--user"),
                   QStringLiteral("bob")})
                .trimmed();
    m_revoked = admin(*m_server,
                      {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--user"),
                       QStringLiteral("alice")})
                    .trimmed();
    QVERIFY(!m_bob.isEmpty() && !m_revoked.isEmpty() && m_revoked != m_alice);
    QCOMPARE(send(m_server->base, "GET", QStringLiteral("/v1/me"), m_revoked).status, 200);
    admin(*m_server, {QStringLiteral("token"), QStringLiteral("revoke"), m_revoked}, &code);
    QCOMPARE(code, 0);

    m_smallServer = startServer({QStringLiteral("--max-body"), QStringLiteral("4096")});
    QVERIFY(m_smallServer);
    m_smallToken = admin(*m_smallServer,
                         {QStringLiteral("token"), QStringLiteral("create"),
                          QStringLiteral("--user"), QStringLiteral("alice")})
                       .trimmed();
    QVERIFY(!m_smallToken.isEmpty());
}

void TestServerApi::cleanupTestCase()
{
    for (Server *server : {m_server.get(), m_smallServer.get()}) {
        if (!server)
            continue;
        server->process.terminate(); // SIGTERM: must shut down cleanly
        QVERIFY(server->process.waitForFinished(10000));
        QCOMPARE(server->process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server->process.exitCode(), 0);
    }
}

void TestServerApi::healthz()
{
    const Response r = send(m_server->base, "GET", QStringLiteral("/healthz"), {}, {}, false);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json,
             (QJsonObject {{QStringLiteral("status"), QStringLiteral("ok")},
                           {QStringLiteral("protocol"), 1}}));
}

void TestServerApi::me()
{
    const Response r = send(m_server->base, "GET", QStringLiteral("/v1/me"), m_bob);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("user")).toString(), QStringLiteral("bob"));
    const QJsonArray expected {QJsonObject {{QStringLiteral("id"), QStringLiteral("bob")},
                                            {QStringLiteral("role"), QStringLiteral("owner")}}};
    QCOMPARE(r.json.value(QStringLiteral("workspaces")).toArray(), expected);
}

void TestServerApi::unauthorized_data()
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

void TestServerApi::unauthorized()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QString, path);
    if (authorization == "REVOKED")
        authorization = "Bearer " + m_revoked.toUtf8();
    QNetworkRequest request(m_server->base.resolved(QUrl(path)));
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    QNetworkReply *reply = m_network.get(request);
    QVERIFY(QTest::qWaitFor([reply] { return reply->isFinished(); }, 10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
    QCOMPARE(body.value(QStringLiteral("code")).toString(), QStringLiteral("unauthorized"));
    QVERIFY(!body.value(QStringLiteral("message")).toString().isEmpty());
    reply->deleteLater();
}

void TestServerApi::forbidden_data()
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

void TestServerApi::forbidden()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    const Snapshot before = snapshot(QStringLiteral("alice"));
    const QByteArray body = method == "POST"
        ? batchBody(QStringLiteral("b-forbidden"), QJsonArray {mutation(Ferry::createGuid(), 0)})
        : QByteArray();
    const Response r = send(m_server->base, method, path, m_bob, body);
    QCOMPARE(r.status, 403);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("forbidden"));
    QCOMPARE(snapshot(QStringLiteral("alice")), before);
}

void TestServerApi::notFound_data()
{
    QTest::addColumn<QString>("path");
    QTest::newRow("root") << QStringLiteral("/");
    QTest::newRow("unknown") << QStringLiteral("/nope");
    QTest::newRow("v1 alone") << QStringLiteral("/v1");
    QTest::newRow("workspace alone") << QStringLiteral("/v1/workspaces/alice");
    QTest::newRow("too deep") << QStringLiteral("/v1/workspaces/alice/pull/more");
    QTest::newRow("unknown action") << QStringLiteral("/v1/workspaces/alice/sync");
}

void TestServerApi::notFound()
{
    QFETCH(QString, path);
    const Response r = send(m_server->base, "GET", path, m_alice);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("not_found"));
}

void TestServerApi::methodNotAllowed_data()
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

void TestServerApi::methodNotAllowed()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    QFETCH(QByteArray, allow);
    const Snapshot before = snapshot(QStringLiteral("alice"));
    const Response r = send(m_server->base, method, path, m_alice,
                            method == "GET" ? QByteArray() : QByteArray("{}"));
    QCOMPARE(r.status, 405);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("method_not_allowed"));
    QCOMPARE(r.allow, allow);
    QCOMPARE(snapshot(QStringLiteral("alice")), before);
}

void TestServerApi::createWorkspace()
{
    const auto body = [](const QJsonValue &id) {
        return QJsonDocument(QJsonObject {{QStringLiteral("id"), id}}).toJson();
    };
    Response r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces"), m_bob,
                      body(QStringLiteral("bobs-notes")));
    QCOMPARE(r.status, 201);
    QCOMPARE(r.json,
             (QJsonObject {{QStringLiteral("id"), QStringLiteral("bobs-notes")},
                           {QStringLiteral("role"), QStringLiteral("owner")}}));
    r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces"), m_alice,
             body(QStringLiteral("bobs-notes")));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("workspace_exists"));
    for (const QJsonValue &bad : {QJsonValue(QStringLiteral("has space")), QJsonValue(QString()),
                                  QJsonValue(7), QJsonValue(QString(65, QLatin1Char('a')))}) {
        r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces"), m_bob, body(bad));
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
    }
    r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces"), m_bob, "[1]");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("bad_json"));
    r = send(m_server->base, "GET", QStringLiteral("/v1/me"), m_bob);
    QCOMPARE(r.json.value(QStringLiteral("workspaces")).toArray().size(), 2);
    // alice is not a member of bob's new workspace
    QCOMPARE(send(m_server->base, "GET", QStringLiteral("/v1/workspaces/bobs-notes/pull"), m_alice)
                 .status,
             403);
}

void TestServerApi::badEnvelope_data()
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

void TestServerApi::badEnvelope()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    const Snapshot before = snapshot(QStringLiteral("alice"));
    const Response r
        = send(m_server->base, "POST", QStringLiteral("/v1/workspaces/alice/push"), m_alice, body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), code);
    QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(snapshot(QStringLiteral("alice")), before);
}

void TestServerApi::rejectedMutation_data()
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

void TestServerApi::rejectedMutation()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, code);
    const QString ws = newWorkspace();
    QVERIFY(!ws.isEmpty());
    const QString other = Ferry::createGuid();
    const qint64 rev = create(ws, other, {{QStringLiteral("title"), QStringLiteral("keep")}});
    QCOMPARE(rev, 1);

    // The bad mutation next to a good one: only the bad one is refused.
    const QString good = Ferry::createGuid();
    const QByteArray body = "{\"batch\":\"rej\",\"device\":\"d\",\"mutations\":[" + json + ","
        + QJsonDocument(mutation(good, 0, {{QStringLiteral("n"), 1}}))
              .toJson(QJsonDocument::Compact)
        + "]}";
    Response r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws),
                      m_alice, body);
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r, 0).value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(result(r, 0).value(QStringLiteral("code")).toString(), code);
    QVERIFY(!result(r, 0).value(QStringLiteral("reason")).toString().isEmpty());
    QCOMPARE(result(r, 1).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);

    // Alone, the bad mutation changes nothing and the sequence does not move.
    const QString ws2 = newWorkspace();
    create(ws2, other, {{QStringLiteral("title"), QStringLiteral("keep")}});
    const Snapshot before2 = snapshot(ws2);
    r = send(m_server->base, "POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws2), m_alice,
             "{\"batch\":\"rej\",\"device\":\"d\",\"mutations\":[" + json + "]}");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(result(r).value(QStringLiteral("code")).toString(), code);
    QCOMPARE(snapshot(ws2), before2);
}

void TestServerApi::badPullQuery_data()
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
    QTest::newRow("limit max") << QStringLiteral("limit=10000") << 200;
    QTest::newRow("all valid") << QStringLiteral("since=0&limit=1&count=1") << 200;
    QTest::newRow("no query") << QString() << 200;
}

void TestServerApi::badPullQuery()
{
    QFETCH(QString, query);
    QFETCH(int, status);
    const Response r = send(m_server->base, "GET",
                            QStringLiteral("/v1/workspaces/alice/pull?") + query, m_alice);
    QCOMPARE(r.status, status);
    if (status == 400)
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
    else
        QVERIFY(Ferry::Wire::parsePullPage(r.body).ok());
}

void TestServerApi::bodyTooLarge()
{
    const auto pullSmall = [this] {
        return send(m_smallServer->base, "GET", QStringLiteral("/v1/workspaces/alice/pull"),
                    m_smallToken)
            .body;
    };
    const QByteArray before = pullSmall();
    QJsonArray mutations {mutation(Ferry::createGuid(), 0,
                                   {{QStringLiteral("body"), QString(5000, QLatin1Char('x'))}})};
    Response r = send(m_smallServer->base, "POST", QStringLiteral("/v1/workspaces/alice/push"),
                      m_smallToken, batchBody(QStringLiteral("big"), mutations));
    QCOMPARE(r.status, 413);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    QCOMPARE(pullSmall(), before);
    // Just under the limit is accepted.
    mutations = QJsonArray {mutation(Ferry::createGuid(), 0,
                                     {{QStringLiteral("body"), QString(3000, QLatin1Char('x'))}})};
    r = send(m_smallServer->base, "POST", QStringLiteral("/v1/workspaces/alice/push"), m_smallToken,
             batchBody(QStringLiteral("fits"), mutations));
    QCOMPARE(r.status, 200);
}

void TestServerApi::tooManyMutations()
{
    const Snapshot before = snapshot(QStringLiteral("alice"));
    QJsonArray mutations;
    for (int i = 0; i <= Ferry::Wire::kMaxMutationsPerPush; ++i)
        mutations.append(mutation(Ferry::createGuid(), 0));
    const Response r = push(QStringLiteral("alice"), mutations);
    QCOMPARE(r.status, 413);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    QCOMPARE(snapshot(QStringLiteral("alice")), before);
}

void TestServerApi::adminBadArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown command") << QStringList {QStringLiteral("frobnicate")};
    QTest::newRow("token create without user")
        << QStringList {QStringLiteral("token"), QStringLiteral("create")};
    QTest::newRow("token revoke without token")
        << QStringList {QStringLiteral("token"), QStringLiteral("revoke")};
    QTest::newRow("workspace create without owner")
        << QStringList {QStringLiteral("workspace"), QStringLiteral("create"), QStringLiteral("x")};
    QTest::newRow("bad role") << QStringList {
        QStringLiteral("workspace"), QStringLiteral("add-member"), QStringLiteral("alice"),
        QStringLiteral("--user"),    QStringLiteral("bob"),        QStringLiteral("--role"),
        QStringLiteral("owner")};
    QTest::newRow("unknown option") << QStringList {QStringLiteral("--frob")};
    QTest::newRow("bad listen") << QStringList {QStringLiteral("--listen"),
                                                QStringLiteral("nowhere")};
}

void TestServerApi::adminBadArguments()
{
    QFETCH(QStringList, args);
    int code = -1;
    const QString out = admin(*m_server, args, &code);
    QCOMPARE(code, 2);
    QVERIFY(out.isEmpty());
}

void TestServerApi::createIsApplied()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const Response r = push(
        ws, QJsonArray {mutation(guid, 0, {{QStringLiteral("title"), QStringLiteral("Hello")}})});
    QCOMPARE(r.status, 200);
    QVERIFY(Ferry::Wire::parsePushResponse(r.body).ok());
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(result(r),
             (QJsonObject {{QStringLiteral("guid"), guid},
                           {QStringLiteral("status"), QStringLiteral("applied")},
                           {QStringLiteral("rev"), 1}}));
    const Response p = pull(ws);
    const QJsonObject change = p.json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(change.value(QStringLiteral("guid")).toString(), guid);
    QCOMPARE(change.value(QStringLiteral("entity")).toString(), QStringLiteral("Post"));
    QCOMPARE(change.value(QStringLiteral("rev")).toInteger(), 1);
    QCOMPARE(fieldsOf(change), (QJsonObject {{QStringLiteral("title"), QStringLiteral("Hello")}}));
    QCOMPARE(change.value(QStringLiteral("device")).toString(), QStringLiteral("test-device"));
    QCOMPARE(change.value(QStringLiteral("user")).toString(), QStringLiteral("alice"));
    QVERIFY(change.value(QStringLiteral("at")).toInteger() > 1600000000000);
    QVERIFY(!change.contains(QStringLiteral("deleted")));
}

void TestServerApi::disjointEditsMerge()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid,
                             {{QStringLiteral("title"), QStringLiteral("A")},
                              {QStringLiteral("body"), QStringLiteral("B")}});
    push(ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("A2")}})});
    const Response r = push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("body"), QStringLiteral("B2")}})});
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 3);
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("merged"));
    QCOMPARE(res.value(QStringLiteral("rev")).toInteger(), 3);
    QCOMPARE(fieldsOf(recordOf(res)),
             (QJsonObject {{QStringLiteral("title"), QStringLiteral("A2")},
                           {QStringLiteral("body"), QStringLiteral("B2")}}));
    QCOMPARE(recordOf(res).value(QStringLiteral("rev")).toInteger(), 3);
}

void TestServerApi::sameFieldConflicts()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid,
                             {{QStringLiteral("title"), QStringLiteral("A")},
                              {QStringLiteral("body"), QStringLiteral("B")}});
    push(ws,
         QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Server")}})});
    const Response r
        = push(ws,
               QJsonArray {mutation(guid, r1,
                                    {{QStringLiteral("title"), QStringLiteral("Mine")},
                                     {QStringLiteral("body"), QStringLiteral("B2")}})});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("title")});
    // the non-conflicting field was applied, the conflicting one was not
    QCOMPARE(fieldsOf(recordOf(res)),
             (QJsonObject {{QStringLiteral("title"), QStringLiteral("Server")},
                           {QStringLiteral("body"), QStringLiteral("B2")}}));
    QCOMPARE(res.value(QStringLiteral("rev")).toInteger(), 3);
    const QJsonObject change
        = pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(fieldsOf(change).value(QStringLiteral("title")).toString(), QStringLiteral("Server"));

    // A conflict that applies nothing leaves the record and the sequence alone.
    const Response r2 = push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Again")}})});
    QCOMPARE(result(r2).value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(result(r2).value(QStringLiteral("rev")).toInteger(), 3);
    QCOMPARE(r2.json.value(QStringLiteral("seq")).toInteger(), 3);
}

void TestServerApi::equalValueIsNoConflict()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    push(ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    const Response r = push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("merged"));
    QVERIFY(!res.contains(QStringLiteral("conflicts")));
    QCOMPARE(res.value(QStringLiteral("rev")).toInteger(), 2);
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2); // nothing changed
    // the same value from the current base is simply applied, still without a new revision
    const Response r2 = push(
        ws, QJsonArray {mutation(guid, 2, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    QCOMPARE(result(r2).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r2.json.value(QStringLiteral("seq")).toInteger(), 2);
}

void TestServerApi::deleteVersusEdit()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    push(ws,
         QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Edited")}})});
    const Response r = push(ws, QJsonArray {deletion(guid, r1)});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("$deleted")});
    QVERIFY(!recordOf(res).value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(recordOf(res)).value(QStringLiteral("title")).toString(),
             QStringLiteral("Edited"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    const QJsonObject change
        = pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(!change.value(QStringLiteral("deleted")).toBool());
}

void TestServerApi::editVersusDelete()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    Response r = push(ws, QJsonArray {deletion(guid, r1)});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(result(r).value(QStringLiteral("rev")).toInteger(), 2);
    r = push(
        ws,
        QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Late edit")}})});
    QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("$deleted")});
    QVERIFY(recordOf(res).value(QStringLiteral("deleted")).toBool());
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    // deleting an already deleted record is applied, and changes nothing
    r = push(ws, QJsonArray {deletion(guid, r1)});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    const QJsonObject change
        = pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(change.value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(change), QJsonObject());
}

void TestServerApi::restoreTombstone()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid,
                             {{QStringLiteral("title"), QStringLiteral("A")},
                              {QStringLiteral("body"), QStringLiteral("B")}});
    push(ws, QJsonArray {deletion(guid, r1)});
    QJsonObject restore = mutation(guid, 2, {{QStringLiteral("title"), QStringLiteral("Back")}});
    restore.insert(QStringLiteral("deleted"), false);
    const Response r = push(ws, QJsonArray {restore});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(result(r).value(QStringLiteral("rev")).toInteger(), 3);
    // a device that saw the tombstone (cursor 2) gets the whole record back
    const QJsonObject change
        = pull(ws, 2).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(!change.value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(change),
             (QJsonObject {{QStringLiteral("title"), QStringLiteral("Back")},
                           {QStringLiteral("body"), QStringLiteral("B")}}));
}

void TestServerApi::setOpsMerge()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    Response r = push(ws,
                      QJsonArray {setOps(guid, 0, QStringLiteral("tags"),
                                         {QStringLiteral("b"), QStringLiteral("a")}, {})});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    r = push(ws,
             QJsonArray {setOps(guid, 1, QStringLiteral("tags"), {QStringLiteral("c")},
                                {QStringLiteral("a")})});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    r = push(
        ws,
        QJsonArray {setOps(guid, 1, QStringLiteral("tags"),
                           {QStringLiteral("d"), QStringLiteral("c")}, {QStringLiteral("b")})});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("merged"));
    QCOMPARE(strings(fieldsOf(recordOf(res)).value(QStringLiteral("tags"))),
             (QStringList {QStringLiteral("c"), QStringLiteral("d")}));
    const QJsonObject change
        = pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(strings(fieldsOf(change).value(QStringLiteral("tags"))),
             (QStringList {QStringLiteral("c"), QStringLiteral("d")}));
}

void TestServerApi::entityMismatchAndBaseAhead()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    const Snapshot before = snapshot(ws);
    const Response r
        = push(ws,
               QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("X")}},
                                    QStringLiteral("Note")),
                           mutation(Ferry::createGuid(), 5), mutation(guid, r1 + 1)});
    QCOMPARE(result(r, 0).value(QStringLiteral("code")).toString(),
             QStringLiteral("entity_mismatch"));
    QCOMPARE(result(r, 1).value(QStringLiteral("code")).toString(), QStringLiteral("base_ahead"));
    QCOMPARE(result(r, 2).value(QStringLiteral("code")).toString(),
             QStringLiteral("duplicate_guid"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), r1);
    const Response ahead = push(
        ws, QJsonArray {mutation(guid, r1 + 1, {{QStringLiteral("title"), QStringLiteral("X")}})});
    QCOMPARE(result(ahead).value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(result(ahead).value(QStringLiteral("code")).toString(), QStringLiteral("base_ahead"));
    QCOMPARE(snapshot(ws), before);
}

void TestServerApi::retriedBatchGetsSameBytes()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    push(ws,
         QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Server")}})});
    const QJsonArray mutations {
        mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Mine")}}),
        mutation(Ferry::createGuid(), 0, {{QStringLiteral("n"), 1}})};
    const Response first = push(ws, mutations, QStringLiteral("retry-me"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json.value(QStringLiteral("seq")).toInteger(), 3);
    const Snapshot after = snapshot(ws);
    const Response again = push(ws, mutations, QStringLiteral("retry-me"));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.body, first.body);
    QCOMPARE(snapshot(ws), after);
    // a later push shows the sequence did not move for the retry
    const Response next = push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)});
    QCOMPARE(next.json.value(QStringLiteral("seq")).toInteger(), 4);
}

void TestServerApi::reusedBatchIdIsMismatch()
{
    const QString ws = newWorkspace();
    push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once"));
    const Snapshot before = snapshot(ws);
    const Response r
        = push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once"));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("batch_mismatch"));
    QCOMPARE(snapshot(ws), before);
    // batch ids are per workspace
    const QString ws2 = newWorkspace();
    QCOMPARE(
        push(ws2, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once")).status,
        200);
}

void TestServerApi::pullPagingKeepsPushesWhole()
{
    const QString ws = newWorkspace();
    for (int b = 0; b < 3; ++b) {
        QJsonArray mutations;
        for (int i = 0; i < 5; ++i)
            mutations.append(mutation(Ferry::createGuid(), 0, {{QStringLiteral("i"), i}}));
        QCOMPARE(push(ws, mutations).status, 200);
    }
    QSet<QString> seen;
    QList<int> pageSizes;
    qint64 cursor = 0;
    bool more = true;
    while (more && pageSizes.size() < 10) {
        const Response r = send(
            m_server->base, "GET",
            QStringLiteral("/v1/workspaces/%1/pull?since=%2&limit=7&count=1").arg(ws).arg(cursor),
            m_alice);
        QCOMPARE(r.status, 200);
        QVERIFY(Ferry::Wire::parsePullPage(r.body).ok());
        const QJsonArray changes = r.json.value(QStringLiteral("changes")).toArray();
        QCOMPARE(r.json.value(QStringLiteral("total")).toInteger(), 15 - 5 * pageSizes.size());
        pageSizes.append(int(changes.size()));
        qint64 lastRev = 0;
        for (const QJsonValue &c : changes) {
            const QString guid = c.toObject().value(QStringLiteral("guid")).toString();
            QVERIFY2(!seen.contains(guid), "a record was delivered twice");
            seen.insert(guid);
            const qint64 rev = c.toObject().value(QStringLiteral("rev")).toInteger();
            QVERIFY(rev >= lastRev);
            lastRev = rev;
        }
        QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), lastRev);
        cursor = lastRev;
        more = r.json.value(QStringLiteral("more")).toBool();
    }
    QCOMPARE(pageSizes, (QList<int> {5, 5, 5}));
    QCOMPARE(seen.size(), 15);
    // limit 10 takes two whole pushes, then the last
    Response r = pull(ws, 0, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 10);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 2);
    QVERIFY(r.json.value(QStringLiteral("more")).toBool());
    r = pull(ws, 2, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 3);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
    // nothing new: the cursor stays where it was
    r = pull(ws, 3, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 0);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 3);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
}

void TestServerApi::pullPageHoldsOversizedPush()
{
    const QString ws = newWorkspace();
    QJsonArray mutations;
    for (int i = 0; i < 5; ++i)
        mutations.append(mutation(Ferry::createGuid(), 0));
    push(ws, mutations);
    Response r = pull(ws, 0, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 1);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
    push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)});
    r = pull(ws, 0, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 1);
    QVERIFY(r.json.value(QStringLiteral("more")).toBool());
    r = pull(ws, 1, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 1);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
}

void TestServerApi::deltaPullHasOnlyChangedFields()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const QString gone = Ferry::createGuid();
    const qint64 r1 = create(ws, guid,
                             {{QStringLiteral("title"), QStringLiteral("A")},
                              {QStringLiteral("body"), QStringLiteral("B")}});
    create(ws, gone, {{QStringLiteral("title"), QStringLiteral("Doomed")}});
    push(ws,
         QJsonArray {mutation(guid, r1, {{QStringLiteral("body"), QStringLiteral("B2")}}),
                     deletion(gone, 2)});
    const Response r = pull(ws, 2);
    const QJsonArray changes = r.json.value(QStringLiteral("changes")).toArray();
    QCOMPARE(changes.size(), 2);
    QJsonObject edited, deleted;
    for (const QJsonValue &c : changes)
        (c.toObject().value(QStringLiteral("guid")).toString() == guid ? edited : deleted)
            = c.toObject();
    QCOMPARE(fieldsOf(edited), (QJsonObject {{QStringLiteral("body"), QStringLiteral("B2")}}));
    QCOMPARE(edited.value(QStringLiteral("rev")).toInteger(), 3);
    QVERIFY(deleted.value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(deleted), QJsonObject());
    // from 0 the edited record comes whole
    const QJsonArray all = pull(ws, 0).json.value(QStringLiteral("changes")).toArray();
    QCOMPARE(all.size(), 2);
    for (const QJsonValue &c : all) {
        if (c.toObject().value(QStringLiteral("guid")).toString() == guid)
            QCOMPARE(fieldsOf(c.toObject()),
                     (QJsonObject {{QStringLiteral("title"), QStringLiteral("A")},
                                   {QStringLiteral("body"), QStringLiteral("B2")}}));
    }
}

void TestServerApi::unknownFieldsAndNullsSurvive()
{
    const QString ws = newWorkspace();
    const QString guid = Ferry::createGuid();
    const QJsonObject fields {
        {QStringLiteral("zz_future_field"),
         QJsonObject {{QStringLiteral("nested"), QJsonArray {1, 2}}}},
        {QStringLiteral("cleared"), QJsonValue::Null},
        {QStringLiteral("text"), QStringLiteral("quote \" backslash \\ newline \n é ✓")}};
    QCOMPARE(create(ws, guid, fields), 1);
    const QJsonObject change
        = pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(fieldsOf(change), fields);
    QVERIFY(fieldsOf(change).value(QStringLiteral("cleared")).isNull());
}

QTEST_GUILESS_MAIN(TestServerApi)
#include "tst_server_api.moc"
