// Who may do what, against the real ferry-server: every endpoint called by every kind of
// caller (no token, a malformed one, a revoked one, another user's, a viewer's, an editor's,
// the owner's) with the status docs/protocol.md promises, and proof that what is refused
// changed nothing. Then injection-shaped names and ids: stored verbatim or refused with a
// JSON error, never executed.
//
// Everything goes to the URL the fixture reports (m_server.url()), and notify sockets use the
// same scheme: CTest runs this twice, as tst_access over plain HTTP and as tst_access_tls
// (FERRY_TEST_TLS=1) over HTTPS and wss with a test certificate the clients trust.

#include "apiclient.h"
#include "serverprocess.h"

#include "guid.h"
#include "tlstrust.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace FerryTest;

namespace {

const QString kPassword = QStringLiteral("a long enough password");

// The WebSocket request for `workspace`'s notify endpoint on `server` (ws, or wss over TLS).
QNetworkRequest notifyRequest(const QUrl &server, const QString &workspace)
{
    QUrl url = server;
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                         : QStringLiteral("ws"));
    url.setPath(QStringLiteral("/v1/workspaces/%1/notify").arg(workspace));
    return QNetworkRequest(url);
}

QByteArray body(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// The attachment the blob rows upload, ask about and download.
const QByteArray kBlob = QByteArrayLiteral("attachment bytes for the access matrix");

QString blobId()
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(kBlob, QCryptographicHash::Sha256).toHex());
}

} // namespace

class TestAccess : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void matrix_data();
    void matrix();
    void viewerPushAppliesNothing();
    void removedMemberLosesAccess();
    void adminRevokeClosesNotifySocket();

    void userNames_data();
    void userNames();
    void deviceNames_data();
    void deviceNames();
    void workspaceIds_data();
    void workspaceIds();
    void passwordsAreOpaque_data();
    void passwordsAreOpaque();

private:
    struct SignedIn
    {
        QString token;
        QString device;
    };
    SignedIn signIn(const QString &user, const QString &device = QStringLiteral("test"));
    QString tokenFor(const QString &caller, const QString &workspace);
    // A fresh workspace owned by alice, with bob as editor, carol and erin as viewers.
    QString sharedWorkspace();
    // The status of a notify upgrade as a WebSocket client sees it: 101 once the hello
    // arrived, otherwise the refusal's HTTP status.
    int notifyStatus(const QString &workspace, const QString &token);
    QString pathOf(const QString &endpoint, const QString &workspace);

    ServerProcess m_server;
    QString m_trusted; // the test certificate's fingerprint over TLS; empty over plain HTTP
    ApiClient m_api;
    int m_workspaces = 0;
    QString m_aliceOther; // alice's second device: the target of "devices delete"
};

TestAccess::SignedIn TestAccess::signIn(const QString &user, const QString &device)
{
    const ApiResponse r = m_api.request("POST", QStringLiteral("/v1/sessions"), {},
                                        body({{QStringLiteral("user"), user},
                                              {QStringLiteral("password"), kPassword},
                                              {QStringLiteral("device"), device}}));
    if (r.status != 201)
        qWarning("sign-in of %s: %d %s", qPrintable(user), r.status, r.body.constData());
    return SignedIn {r.json.value(QStringLiteral("token")).toString(),
                     r.json.value(QStringLiteral("device")).toString()};
}

void TestAccess::initTestCase()
{
    const bool tls = qEnvironmentVariableIsSet("FERRY_TEST_TLS");
    QVERIFY2(m_server.start({}, tls ? ServerProcess::Tls : ServerProcess::Plain),
             qPrintable(m_server.lastError()));
    QCOMPARE(m_server.url().scheme(), tls ? QStringLiteral("https") : QStringLiteral("http"));
    m_trusted = m_server.trustedFingerprint();
    m_api.setServer(m_server.url(), {});
    m_api.setTrustedFingerprint(m_trusted);
    for (const char *user : {"alice", "bob", "carol", "dave", "erin", "frank"}) {
        const ApiResponse r = m_api.request("POST", QStringLiteral("/v1/accounts"), {},
                                            body({{QStringLiteral("user"), QLatin1String(user)},
                                                  {QStringLiteral("password"), kPassword}}));
        QCOMPARE(r.status, 201);
    }
}

void TestAccess::cleanupTestCase()
{
    QVERIFY(m_server.terminate());
    QCOMPARE(m_server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server.exitCode(), 0);
}

QString TestAccess::sharedWorkspace()
{
    const QString alice = signIn(QStringLiteral("alice")).token;
    const QString id = QStringLiteral("shared%1").arg(++m_workspaces);
    if (m_api
            .send("POST", QStringLiteral("/v1/workspaces"), alice,
                  body({{QStringLiteral("id"), id}}))
            .status
        != 201)
        return {};
    // frank is invited and has not answered: that gives him nothing yet. His invitations to
    // earlier rows' workspaces are declined first (no more than 100 may wait for him).
    const QString frank = signIn(QStringLiteral("frank")).token;
    const QJsonArray waiting = m_api.send("GET", QStringLiteral("/v1/me"), frank)
                                   .json.value(QStringLiteral("invitations"))
                                   .toArray();
    for (const QJsonValue &w : waiting)
        m_api.send("DELETE",
                   QStringLiteral("/v1/invitations/")
                       + w.toObject().value(QStringLiteral("workspace")).toString(),
                   frank);
    const std::pair<const char *, const char *> members[]
        = {{"bob", "editor"}, {"carol", "viewer"}, {"erin", "viewer"}, {"frank", "editor"}};
    for (const auto &[user, role] : members) {
        const ApiResponse r = m_api.send(
            "PUT", QStringLiteral("/v1/workspaces/%1/members/%2").arg(id, QLatin1String(user)),
            alice, body({{QStringLiteral("role"), QLatin1String(role)}}));
        if (r.status != 200 || !r.json.value(QStringLiteral("invited")).toBool())
            return {};
        if (qstrcmp(user, "frank") != 0
            && m_api.send("POST", QStringLiteral("/v1/invitations/") + id,
                          signIn(QLatin1String(user)).token)
                    .status
                != 200)
            return {};
    }
    return id;
}

QString TestAccess::tokenFor(const QString &caller, const QString &)
{
    if (caller == QLatin1String("none"))
        return {};
    if (caller == QLatin1String("malformed"))
        return QStringLiteral("x'; DROP TABLE tokens; --");
    if (caller == QLatin1String("revoked")) {
        const QString token = signIn(QStringLiteral("alice")).token;
        if (m_api.send("DELETE", QStringLiteral("/v1/sessions/current"), token).status != 200)
            return QStringLiteral("sign-out failed");
        return token;
    }
    static const QHash<QString, QString> users {
        {QStringLiteral("stranger"), QStringLiteral("dave")},
        {QStringLiteral("invited"), QStringLiteral("frank")},
        {QStringLiteral("viewer"), QStringLiteral("carol")},
        {QStringLiteral("editor"), QStringLiteral("bob")},
        {QStringLiteral("owner"), QStringLiteral("alice")}};
    return signIn(users.value(caller)).token;
}

QString TestAccess::pathOf(const QString &endpoint, const QString &workspace)
{
    const QString ws = QStringLiteral("/v1/workspaces/") + workspace;
    if (endpoint == QLatin1String("me"))
        return QStringLiteral("/v1/me");
    if (endpoint == QLatin1String("create workspace"))
        return QStringLiteral("/v1/workspaces");
    if (endpoint == QLatin1String("push"))
        return ws + QStringLiteral("/push");
    if (endpoint == QLatin1String("pull"))
        return ws + QStringLiteral("/pull");
    if (endpoint == QLatin1String("members list"))
        return ws + QStringLiteral("/members");
    if (endpoint == QLatin1String("members put"))
        return ws + QStringLiteral("/members/dave");
    if (endpoint == QLatin1String("members delete"))
        return ws + QStringLiteral("/members/erin");
    if (endpoint == QLatin1String("blobs missing"))
        return ws + QStringLiteral("/blobs/missing");
    if (endpoint == QLatin1String("blob upload") || endpoint == QLatin1String("blob download"))
        return ws + QStringLiteral("/blobs/") + blobId();
    if (endpoint == QLatin1String("blob upload state"))
        return ws + QStringLiteral("/blobs/") + blobId() + QStringLiteral("/upload");
    if (endpoint == QLatin1String("invitation accept")
        || endpoint == QLatin1String("invitation decline"))
        return QStringLiteral("/v1/invitations/") + workspace;
    if (endpoint == QLatin1String("leave"))
        return ws + QStringLiteral("/membership");
    if (endpoint == QLatin1String("devices list"))
        return QStringLiteral("/v1/devices");
    if (endpoint == QLatin1String("devices delete"))
        return QStringLiteral("/v1/devices/") + m_aliceOther;
    if (endpoint == QLatin1String("sign out"))
        return QStringLiteral("/v1/sessions/current");
    return {};
}

int TestAccess::notifyStatus(const QString &workspace, const QString &token)
{
    QNetworkRequest request = notifyRequest(m_server.url(), workspace);
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QWebSocket socket;
    QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy errors(&socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error));
    Ferry::TlsTrust::guard(&socket, m_trusted);
    socket.open(request);
    QDeadlineTimer deadline(10000);
    while (messages.isEmpty() && errors.isEmpty() && !deadline.hasExpired())
        QTest::qWait(20);
    if (!messages.isEmpty()) {
        const QJsonObject hello
            = QJsonDocument::fromJson(messages.first().first().toByteArray()).object();
        return hello.value(QStringLiteral("type")) == QLatin1String("hello") ? 101 : -1;
    }
    // Qt's client reports the refused handshake's status only in its error text.
    const QRegularExpressionMatch status
        = QRegularExpression(QStringLiteral("status code: (\\d{3})")).match(socket.errorString());
    if (!status.hasMatch())
        qWarning("notify refused without a status: %s", qPrintable(socket.errorString()));
    return status.hasMatch() ? status.captured(1).toInt() : 0;
}

void TestAccess::matrix_data()
{
    QTest::addColumn<QString>("endpoint");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("caller");
    QTest::addColumn<int>("status");

    // "invited": offered a role in the workspace, not yet accepted.
    const QStringList callers {QStringLiteral("none"),    QStringLiteral("malformed"),
                               QStringLiteral("revoked"), QStringLiteral("stranger"),
                               QStringLiteral("invited"), QStringLiteral("viewer"),
                               QStringLiteral("editor"),  QStringLiteral("owner")};
    // Statuses for the callers above, in order. 101 for notify: the socket opened.
    const struct
    {
        const char *endpoint;
        QByteArray method;
        QList<int> statuses;
    } table[] = {
        {"me", "GET", {401, 401, 401, 200, 200, 200, 200, 200}},
        {"create workspace", "POST", {401, 401, 401, 201, 201, 201, 201, 201}},
        {"push", "POST", {401, 401, 401, 403, 403, 200, 200, 200}},
        {"pull", "GET", {401, 401, 401, 403, 403, 200, 200, 200}},
        {"notify", "GET", {401, 401, 401, 403, 403, 101, 101, 101}},
        {"members list", "GET", {401, 401, 401, 403, 403, 200, 200, 200}},
        {"members put", "PUT", {401, 401, 401, 403, 403, 403, 403, 200}},
        {"members delete", "DELETE", {401, 401, 401, 403, 403, 403, 403, 200}},
        {"blobs missing", "POST", {401, 401, 401, 403, 403, 200, 200, 200}},
        // Viewers read attachments but may not upload them.
        {"blob upload", "PUT", {401, 401, 401, 403, 403, 403, 201, 201}},
        {"blob upload state", "GET", {401, 401, 401, 403, 403, 200, 200, 200}},
        {"blob download", "GET", {401, 401, 401, 403, 403, 200, 200, 200}},
        {"devices list", "GET", {401, 401, 401, 200, 200, 200, 200, 200}},
        // Another user's device is answered like a device that does not exist.
        {"devices delete", "DELETE", {401, 401, 401, 404, 404, 404, 404, 200}},
        {"sign out", "DELETE", {401, 401, 401, 200, 200, 200, 200, 200}},
        {"invitation accept", "POST", {401, 401, 401, 404, 200, 404, 404, 404}},
        {"invitation decline", "DELETE", {401, 401, 401, 404, 200, 404, 404, 404}},
        // The owner cannot leave: someone must own the workspace.
        {"leave", "DELETE", {401, 401, 401, 403, 403, 200, 200, 409}},
    };
    for (const auto &row : table) {
        for (qsizetype i = 0; i < callers.size(); ++i)
            QTest::addRow("%s, %s", row.endpoint, qPrintable(callers[i]))
                << QString::fromLatin1(row.endpoint) << row.method << callers[i] << row.statuses[i];
    }
}

void TestAccess::matrix()
{
    QFETCH(QString, endpoint);
    QFETCH(QByteArray, method);
    QFETCH(QString, caller);
    QFETCH(int, status);

    const QString workspace = sharedWorkspace();
    QVERIFY(!workspace.isEmpty());
    const SignedIn aliceOther = signIn(QStringLiteral("alice"), QStringLiteral("other"));
    m_aliceOther = aliceOther.device;
    const QString token = tokenFor(caller, workspace);
    const QString owner = signIn(QStringLiteral("alice")).token;
    ApiClient asOwner;
    asOwner.setServer(m_server.url(), owner);
    asOwner.setTrustedFingerprint(m_trusted);
    QCOMPARE(asOwner.create(workspace, Ferry::createGuid(),
                            {{QStringLiteral("title"), QStringLiteral("before")}}),
             1);
    const WorkspaceSnapshot before = asOwner.snapshot(workspace);
    const QJsonObject membersBefore
        = asOwner.send("GET", pathOf(QStringLiteral("members list"), workspace), owner).json;
    if (endpoint == QLatin1String("blob download"))
        QCOMPARE(asOwner.sendBytes("PUT", pathOf(endpoint, workspace), owner, kBlob).status, 201);

    if (endpoint == QLatin1String("notify")) {
        QCOMPARE(notifyStatus(workspace, token), status);
        return;
    }
    QByteArray payload;
    if (endpoint == QLatin1String("create workspace"))
        payload = body({{QStringLiteral("id"), QStringLiteral("own%1").arg(++m_workspaces)}});
    else if (endpoint == QLatin1String("push"))
        payload = batchBody(
            Ferry::createGuid(),
            QJsonArray {mutation(Ferry::createGuid(), 0, {{QStringLiteral("title"), caller}})});
    else if (endpoint == QLatin1String("members put"))
        payload = body({{QStringLiteral("role"), QStringLiteral("viewer")}});
    else if (endpoint == QLatin1String("blobs missing"))
        payload = body({{QStringLiteral("blobs"), QJsonArray {blobId()}}});
    else if (endpoint == QLatin1String("blob upload"))
        payload = kBlob;

    const QByteArray authorization = token.isEmpty() ? QByteArray() : "Bearer " + token.toUtf8();
    const ApiResponse r
        = m_api.request(method, pathOf(endpoint, workspace), authorization, payload);
    QVERIFY(r.finished);
    QCOMPARE(r.status, status);
    if (status >= 400) {
        QVERIFY2(!r.json.value(QStringLiteral("code")).toString().isEmpty(), r.body.constData());
        QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
    }

    // What each answer did, or did not do.
    const bool wrote = status < 400
        && ((endpoint == QLatin1String("push") && caller != QLatin1String("viewer"))
            || endpoint.startsWith(QLatin1String("members ")));
    if (endpoint == QLatin1String("push") && !wrote)
        QCOMPARE(asOwner.snapshot(workspace), before);
    if (endpoint == QLatin1String("push") && wrote)
        QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    if (endpoint.startsWith(QLatin1String("members "))
        && endpoint != QLatin1String("members list")) {
        const QJsonObject membersAfter
            = asOwner.send("GET", pathOf(QStringLiteral("members list"), workspace), owner).json;
        QCOMPARE(membersAfter == membersBefore, !wrote);
    }
    if (endpoint == QLatin1String("blob upload")) {
        // A refused upload stored nothing; an accepted one stored the very bytes.
        const RawResponse stored = asOwner.sendBytes("GET", pathOf(endpoint, workspace), owner);
        QCOMPARE(stored.status, status == 201 ? 200 : 404);
        if (status == 201)
            QCOMPARE(stored.body, kBlob);
    }
    if (endpoint == QLatin1String("blobs missing") && status == 200)
        QCOMPARE(r.json.value(QStringLiteral("missing")).toArray(), QJsonArray {blobId()});
    if (endpoint == QLatin1String("blob download") && status == 200)
        QCOMPARE(r.body, kBlob);
    const bool aliceOtherAlive
        = m_api.send("GET", QStringLiteral("/v1/me"), aliceOther.token).status == 200;
    QCOMPARE(aliceOtherAlive, !(endpoint == QLatin1String("devices delete") && status == 200));
    if (endpoint == QLatin1String("sign out") && status == 200)
        QCOMPARE(m_api.send("GET", QStringLiteral("/v1/me"), token).status, 401);
    if (endpoint == QLatin1String("devices list") && status == 200) {
        const QJsonArray devices = r.json.value(QStringLiteral("devices")).toArray();
        int current = 0;
        for (const QJsonValue &d : devices)
            current += d.toObject().value(QStringLiteral("current")).toBool() ? 1 : 0;
        QCOMPARE(current, 1);
    }
}

void TestAccess::viewerPushAppliesNothing()
{
    const QString workspace = sharedWorkspace();
    QVERIFY(!workspace.isEmpty());
    ApiClient owner;
    owner.setServer(m_server.url(), signIn(QStringLiteral("alice")).token);
    owner.setTrustedFingerprint(m_trusted);
    const QString existing = Ferry::createGuid();
    QCOMPARE(owner.create(workspace, existing, {{QStringLiteral("title"), QStringLiteral("a")}}),
             1);
    const WorkspaceSnapshot before = owner.snapshot(workspace);

    ApiClient viewer;
    viewer.setServer(m_server.url(), signIn(QStringLiteral("carol")).token);
    viewer.setTrustedFingerprint(m_trusted);
    const QString batch = Ferry::createGuid();
    const ApiResponse r = viewer.push(
        workspace,
        QJsonArray {
            mutation(existing, 1, {{QStringLiteral("title"), QStringLiteral("b")}}),
            mutation(Ferry::createGuid(), 0, {{QStringLiteral("title"), QStringLiteral("c")}}),
            deletion(existing, 1)},
        batch);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    const QJsonArray results = r.json.value(QStringLiteral("results")).toArray();
    QCOMPARE(results.size(), 3);
    for (const QJsonValue &v : results) {
        QCOMPARE(v.toObject().value(QStringLiteral("status")).toString(),
                 QStringLiteral("rejected"));
        QCOMPARE(v.toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("read_only"));
        QVERIFY(!v.toObject().value(QStringLiteral("reason")).toString().isEmpty());
    }
    QCOMPARE(owner.snapshot(workspace), before);
    // The batch id was not remembered: once an editor, the same batch applies.
    const QString alice = signIn(QStringLiteral("alice")).token;
    QCOMPARE(m_api
                 .send("PUT", QStringLiteral("/v1/workspaces/%1/members/carol").arg(workspace),
                       alice, body({{QStringLiteral("role"), QStringLiteral("editor")}}))
                 .status,
             200);
    const ApiResponse again = viewer.push(
        workspace,
        QJsonArray {mutation(existing, 1, {{QStringLiteral("title"), QStringLiteral("b")}})},
        batch);
    QCOMPARE(again.status, 200);
    QCOMPARE(result(again).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
}

void TestAccess::removedMemberLosesAccess()
{
    const QString workspace = sharedWorkspace();
    QVERIFY(!workspace.isEmpty());
    const QString alice = signIn(QStringLiteral("alice")).token;
    const QString bob = signIn(QStringLiteral("bob")).token;

    QNetworkRequest request = notifyRequest(m_server.url(), workspace);
    request.setRawHeader("Authorization", "Bearer " + bob.toUtf8());
    QWebSocket socket;
    QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    Ferry::TlsTrust::guard(&socket, m_trusted);
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000); // hello

    QCOMPARE(
        m_api.send("DELETE", QStringLiteral("/v1/workspaces/%1/members/bob").arg(workspace), alice)
            .status,
        200);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 10000);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
    for (const char *path : {"pull", "members"}) {
        const ApiResponse r = m_api.send(
            "GET", QStringLiteral("/v1/workspaces/%1/%2").arg(workspace, QLatin1String(path)), bob);
        QCOMPARE(r.status, 403);
    }
    ApiClient asBob;
    asBob.setServer(m_server.url(), bob);
    asBob.setTrustedFingerprint(m_trusted);
    QCOMPARE(asBob.push(workspace, QJsonArray {mutation(Ferry::createGuid(), 0)}).status, 403);
    QCOMPARE(messages.size(), 1); // nothing after the hello
}

// A token revoked by the admin command (another process) loses its notify socket at the
// next keep-alive round, though no request of the API was involved.
void TestAccess::adminRevokeClosesNotifySocket()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--ping-interval"), QStringLiteral("1")}),
             qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("frank"));
    QVERIFY(!token.isEmpty());
    QNetworkRequest request = notifyRequest(server.url(), QStringLiteral("frank"));
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    QWebSocket socket;
    QSignalSpy messages(&socket, &QWebSocket::textMessageReceived);
    QSignalSpy disconnected(&socket, &QWebSocket::disconnected);
    Ferry::TlsTrust::guard(&socket, m_trusted);
    socket.open(request);
    QTRY_COMPARE_WITH_TIMEOUT(messages.size(), 1, 10000); // hello
    QTest::qWait(2500); // two pings: an allowed socket stays open
    QCOMPARE(disconnected.size(), 0);

    QCOMPARE(server.runAdmin({QStringLiteral("token"), QStringLiteral("revoke")}, token.toLatin1())
                 .exitCode,
             0);
    QTRY_COMPARE_WITH_TIMEOUT(disconnected.size(), 1, 5000);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodePolicyViolated);
}

// Strings a careless server would execute or mis-route.
static void addHostileStrings()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("single quote") << QStringLiteral("o'brien");
    QTest::newRow("double quote") << QStringLiteral("say \"hi\"");
    QTest::newRow("sql") << QStringLiteral("x'); DROP TABLE users; --");
    QTest::newRow("sql or") << QStringLiteral("' OR '1'='1");
    QTest::newRow("slash") << QStringLiteral("../../etc/passwd");
    QTest::newRow("backslash") << QStringLiteral("a\\b");
    QTest::newRow("nul") << QStringLiteral("a") + QChar(0) + QStringLiteral("b");
    QTest::newRow("newline") << QStringLiteral("a\nb");
    QTest::newRow("percent") << QStringLiteral("100%25");
    QTest::newRow("huge") << QString(200000, QLatin1Char('x'));
    QTest::newRow("non-ascii") << QStringLiteral("Zoë 東京 🚢");
}

void TestAccess::userNames_data()
{
    addHostileStrings();
}

void TestAccess::userNames()
{
    QFETCH(QString, text);
    // User names are ids: anything outside [A-Za-z0-9_-]{1,64} is refused by name.
    const ApiResponse registered = m_api.request(
        "POST", QStringLiteral("/v1/accounts"), {},
        body({{QStringLiteral("user"), text}, {QStringLiteral("password"), kPassword}}));
    QCOMPARE(registered.status, 400);
    QCOMPARE(registered.json.value(QStringLiteral("code")).toString(),
             QStringLiteral("invalid_request"));
    QVERIFY(registered.json.value(QStringLiteral("message"))
                .toString()
                .startsWith(QLatin1String("user:")));
    const ApiResponse signedIn
        = m_api.request("POST", QStringLiteral("/v1/sessions"), {},
                        body({{QStringLiteral("user"), text},
                              {QStringLiteral("password"), kPassword},
                              {QStringLiteral("device"), QStringLiteral("d")}}));
    QCOMPARE(signedIn.status, 400);

    const QString workspace = sharedWorkspace();
    const QString alice = signIn(QStringLiteral("alice")).token;
    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(text.left(1000)));
    const ApiResponse member
        = m_api.send("PUT", QStringLiteral("/v1/workspaces/%1/members/%2").arg(workspace, encoded),
                     alice, body({{QStringLiteral("role"), QStringLiteral("viewer")}}));
    QVERIFY2(member.status == 400 || member.status == 404, member.body.constData());
    QVERIFY(!member.json.value(QStringLiteral("code")).toString().isEmpty());
    // Nothing else happened: every account still signs in, the members are as they were.
    QCOMPARE(
        m_api.send("GET", QStringLiteral("/v1/me"), signIn(QStringLiteral("dave")).token).status,
        200);
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/workspaces/%1/members").arg(workspace), alice)
                 .json.value(QStringLiteral("members"))
                 .toArray()
                 .size(),
             4);
}

void TestAccess::deviceNames_data()
{
    addHostileStrings();
}

void TestAccess::deviceNames()
{
    QFETCH(QString, text);
    const bool storable
        = text.size() <= 100 && !text.contains(QChar(0)) && !text.contains(QLatin1Char('\n'));
    const ApiResponse r = m_api.request("POST", QStringLiteral("/v1/sessions"), {},
                                        body({{QStringLiteral("user"), QStringLiteral("dave")},
                                              {QStringLiteral("password"), kPassword},
                                              {QStringLiteral("device"), text}}));
    if (!storable) {
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
        QVERIFY(r.json.value(QStringLiteral("message"))
                    .toString()
                    .startsWith(QLatin1String("device:")));
        return;
    }
    QCOMPARE(r.status, 201);
    const QString token = r.json.value(QStringLiteral("token")).toString();
    const QJsonArray devices = m_api.send("GET", QStringLiteral("/v1/devices"), token)
                                   .json.value(QStringLiteral("devices"))
                                   .toArray();
    QString stored;
    for (const QJsonValue &d : devices) {
        if (d.toObject().value(QStringLiteral("current")).toBool())
            stored = d.toObject().value(QStringLiteral("name")).toString();
    }
    QCOMPARE(stored, text); // verbatim
}

void TestAccess::workspaceIds_data()
{
    addHostileStrings();
}

void TestAccess::workspaceIds()
{
    QFETCH(QString, text);
    const QString alice = signIn(QStringLiteral("alice")).token;
    const ApiResponse created = m_api.send("POST", QStringLiteral("/v1/workspaces"), alice,
                                           body({{QStringLiteral("id"), text}}));
    QCOMPARE(created.status, 400);
    QCOMPARE(created.json.value(QStringLiteral("code")).toString(),
             QStringLiteral("invalid_request"));

    // In a path: no workspace has such an id, so every endpoint answers as for a stranger.
    const QString encoded = QString::fromLatin1(QUrl::toPercentEncoding(text.left(1000)));
    for (const char *tail : {"pull", "members"}) {
        const ApiResponse r = m_api.send(
            "GET", QStringLiteral("/v1/workspaces/%1/%2").arg(encoded, QLatin1String(tail)), alice);
        QVERIFY2(r.status == 403 || r.status == 404, r.body.constData());
        QVERIFY(!r.json.value(QStringLiteral("code")).toString().isEmpty());
    }
    QCOMPARE(m_api.send("GET", QStringLiteral("/v1/me"), alice).status, 200);
}

void TestAccess::passwordsAreOpaque_data()
{
    addHostileStrings();
}

void TestAccess::passwordsAreOpaque()
{
    QFETCH(QString, text);
    const QString password = QStringLiteral("password-") + text.left(1000);
    const QString user
        = QStringLiteral("pw%1")
              .arg(QString::fromLatin1(QTest::currentDataTag()))
              .replace(QRegularExpression(QStringLiteral("[^A-Za-z0-9]")), QStringLiteral("_"));
    const ApiResponse registered = m_api.request(
        "POST", QStringLiteral("/v1/accounts"), {},
        body({{QStringLiteral("user"), user}, {QStringLiteral("password"), password}}));
    QVERIFY2(registered.status == 201, registered.body.constData());
    auto signInWith = [&](const QString &secret) {
        return m_api
            .request("POST", QStringLiteral("/v1/sessions"), {},
                     body({{QStringLiteral("user"), user},
                           {QStringLiteral("password"), secret},
                           {QStringLiteral("device"), QStringLiteral("d")}}))
            .status;
    };
    QCOMPARE(signInWith(password), 201);
    QCOMPARE(signInWith(password + QLatin1Char(' ')), 401);
    QCOMPARE(signInWith(QStringLiteral("' OR '1'='1")), 401);
}

QTEST_MAIN(TestAccess)
#include "tst_access.moc"
