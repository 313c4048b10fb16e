// Hostile and malformed input to a real ferry-server: JSON that Qt's parser accepts but the
// protocol refuses (duplicate keys, deep nesting, unpaired surrogates), invalid UTF-8, numbers
// out of range, injection-shaped guids, names and values, oversized records and repeated
// query parameters. Every refusal is a JSON error naming the problem, applies nothing, and
// leaves the server serving; what is accepted is stored and given back verbatim.

#include "apiclient.h"
#include "serverprocess.h"

#include "guid.h"
#include "wire.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace FerryTest;

namespace {

const QByteArray kGuid = "0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3";

// A push body of one mutation whose fields object is `fieldsJson`, spliced in as raw text so
// the test controls every byte.
QByteArray pushWithFields(const QByteArray &fieldsJson)
{
    return "{\"batch\":\"bad\",\"device\":\"d\",\"mutations\":[{\"entity\":\"Post\",\"guid\":\""
        + kGuid + "\",\"base\":0,\"fields\":" + fieldsJson + "}]}";
}

QByteArray nested(int depth)
{
    return QByteArray(depth, '[') + "1" + QByteArray(depth, ']');
}

} // namespace

class TestBadInput : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void refusedBody_data();
    void refusedBody();
    void deepButAllowed();
    void rejectedMutation_data();
    void rejectedMutation();
    void storedVerbatim_data();
    void storedVerbatim();
    void recordCannotGrowPastLimit();
    void refusedPullQuery_data();
    void refusedPullQuery();
    void createWorkspaceDuplicateKey();
    void rawHttpGarbage_data();
    void rawHttpGarbage();
    void requestHeadsAreBounded_data();
    void requestHeadsAreBounded();
    void silentConnectionIsClosed();

private:
    ServerProcess m_server;
    ApiClient m_api;
    QString m_token;
};

void TestBadInput::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY(!m_token.isEmpty());
    m_api.setServer(m_server.url(), m_token);
}

void TestBadInput::cleanupTestCase()
{
    if (m_server.url().isEmpty())
        return;
    QCOMPARE(m_api.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    QVERIFY(m_server.terminate());
    QCOMPARE(m_server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(m_server.exitCode(), 0);
}

void TestBadInput::refusedBody_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("mentions"); // what the message must name

    QTest::newRow("duplicate envelope key")
        << QByteArray("{\"batch\":\"a\",\"batch\":\"b\",\"device\":\"d\",\"mutations\":[]}")
        << QStringLiteral("bad_json") << QStringLiteral("\"batch\" appears twice");
    QTest::newRow("duplicate field")
        << pushWithFields("{\"title\":\"a\",\"title\":\"b\"}") << QStringLiteral("bad_json")
        << QStringLiteral("\"title\" appears twice");
    QTest::newRow("duplicate field spelled with an escape")
        << pushWithFields("{\"title\":\"a\",\"\\u0074itle\":\"b\"}") << QStringLiteral("bad_json")
        << QStringLiteral("\"title\" appears twice");
    QTest::newRow("duplicate mutation key")
        << QByteArray("{\"batch\":\"b\",\"device\":\"d\",\"mutations\":[{\"entity\":\"Post\","
                      "\"guid\":\""
                      + kGuid + "\",\"base\":0,\"base\":5}]}")
        << QStringLiteral("bad_json") << QStringLiteral("\"base\" appears twice");
    QByteArray many = "{";
    for (int i = 0; i < 40; ++i)
        many += "\"f" + QByteArray::number(i) + "\":" + QByteArray::number(i) + ",";
    QTest::newRow("duplicate among many fields")
        << pushWithFields(many + "\"f3\":0}") << QStringLiteral("bad_json")
        << QStringLiteral("\"f3\" appears twice");
    QTest::newRow("nested too deep") << pushWithFields("{\"v\":" + nested(100) + "}")
                                     << QStringLiteral("bad_json") << QStringLiteral("64 levels");
    QTest::newRow("nested past Qt's own limit")
        << pushWithFields("{\"v\":" + nested(5000) + "}") << QStringLiteral("bad_json")
        << QStringLiteral("nested");
    QTest::newRow("lone high surrogate")
        << pushWithFields("{\"t\":\"a\\ud800b\"}") << QStringLiteral("bad_json")
        << QStringLiteral("surrogate");
    QTest::newRow("lone low surrogate in a key")
        << pushWithFields("{\"\\udc00\":1}") << QStringLiteral("bad_json")
        << QStringLiteral("surrogate");
    QTest::newRow("surrogates reversed")
        << pushWithFields("{\"t\":\"\\udc00\\ud800\"}") << QStringLiteral("bad_json")
        << QStringLiteral("surrogate");
    QTest::newRow("invalid UTF-8 byte") << pushWithFields("{\"t\":\"a\xff\"}")
                                        << QStringLiteral("bad_json") << QStringLiteral("UTF8");
    QTest::newRow("overlong UTF-8") << pushWithFields("{\"t\":\"\xc0\xaf\"}")
                                    << QStringLiteral("bad_json") << QStringLiteral("UTF8");
    QTest::newRow("UTF-8 encoded surrogate")
        << pushWithFields("{\"t\":\"\xed\xa0\x80\"}") << QStringLiteral("bad_json")
        << QStringLiteral("UTF8");
    QTest::newRow("truncated UTF-8") << pushWithFields("{\"t\":\"\xe2\x82\"}")
                                     << QStringLiteral("bad_json") << QStringLiteral("UTF8");
    QTest::newRow("number out of range") << pushWithFields("{\"n\":1e400}")
                                         << QStringLiteral("bad_json") << QStringLiteral("number");
    QTest::newRow("NaN") << pushWithFields("{\"n\":NaN}") << QStringLiteral("bad_json")
                         << QStringLiteral("byte");
    QTest::newRow("trailing garbage")
        << pushWithFields("{}") + "}" << QStringLiteral("bad_json") << QStringLiteral("byte");
    QTest::newRow("NUL byte outside strings")
        << QByteArray("{\"batch\":\"b\",") + '\0' + "\"device\":\"d\",\"mutations\":[]}"
        << QStringLiteral("bad_json") << QStringLiteral("byte");
}

void TestBadInput::refusedBody()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, code);
    QFETCH(QString, mentions);
    const QString ws = m_api.newWorkspace();
    QVERIFY(!ws.isEmpty());
    QCOMPARE(m_api.create(ws, Ferry::createGuid(), {{QStringLiteral("title"), 1}}), 1);
    const WorkspaceSnapshot before = m_api.snapshot(ws);

    const ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws), m_token, body);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), code);
    const QString message = r.json.value(QStringLiteral("message")).toString();
    QVERIFY2(message.contains(mentions, Qt::CaseInsensitive), qPrintable(message));
    QCOMPARE(m_api.snapshot(ws), before);
}

void TestBadInput::deepButAllowed()
{
    // The envelope takes 4 levels (body, mutations, mutation, fields): 60 more is the most.
    const QString ws = m_api.newWorkspace();
    const QByteArray body = pushWithFields("{\"v\":" + nested(60) + "}");
    ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws), m_token, body);
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    r = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(ws), m_token,
                   pushWithFields("{\"w\":" + nested(61) + "}").replace("\"bad\"", "\"bad2\""));
    QCOMPARE(r.status, 400);
}

void TestBadInput::rejectedMutation_data()
{
    QTest::addColumn<QJsonObject>("mutation");
    QTest::addColumn<QString>("code");
    const QString g = QString::fromLatin1(kGuid);
    auto m = [&](const QJsonObject &extra) {
        QJsonObject o {{QStringLiteral("entity"), QStringLiteral("Post")},
                       {QStringLiteral("guid"), g},
                       {QStringLiteral("base"), 0}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            o.insert(it.key(), it.value());
        return o;
    };
    auto fields = [&](const QString &name, const QJsonValue &value) {
        return m({{QStringLiteral("fields"), QJsonObject {{name, value}}}});
    };
    QTest::newRow("guid with SQL")
        << m({{QStringLiteral("guid"), QStringLiteral("x'); DROP TABLE records; --")}})
        << QStringLiteral("invalid_guid");
    QTest::newRow("guid with path")
        << m({{QStringLiteral("guid"), QStringLiteral("../../etc/passwd")}})
        << QStringLiteral("invalid_guid");
    QTest::newRow("guid with NUL")
        << m({{QStringLiteral("guid"), QString(g + QChar(0))}}) << QStringLiteral("invalid_guid");
    QTest::newRow("guid huge") << m({{QStringLiteral("guid"), QString(100000, QLatin1Char('a'))}})
                               << QStringLiteral("invalid_guid");
    QTest::newRow("entity with quote")
        << m({{QStringLiteral("entity"), QStringLiteral("Post\" OR 1=1")}})
        << QStringLiteral("invalid_entity");
    QTest::newRow("entity too long")
        << m({{QStringLiteral("entity"), QString(65, QLatin1Char('P'))}})
        << QStringLiteral("invalid_entity");
    QTest::newRow("field name with slash")
        << fields(QStringLiteral("a/../b"), 1) << QStringLiteral("invalid_field_name");
    QTest::newRow("field name with NUL") << fields(QString(QStringLiteral("a") + QChar(0)), 1)
                                         << QStringLiteral("invalid_field_name");
    QTest::newRow("field name with SQL") << fields(QStringLiteral("title; DELETE FROM records"), 1)
                                         << QStringLiteral("invalid_field_name");
    QTest::newRow("field name too long")
        << fields(QString(65, QLatin1Char('f')), 1) << QStringLiteral("invalid_field_name");
    QTest::newRow("base 2^53") << m({{QStringLiteral("base"), 9007199254740992.0}})
                               << QStringLiteral("invalid_base");
    QTest::newRow("base 1e300") << m({{QStringLiteral("base"), 1e300}})
                                << QStringLiteral("invalid_base");
    QTest::newRow("base true") << m({{QStringLiteral("base"), true}})
                               << QStringLiteral("invalid_base");
    QTest::newRow("set member too long")
        << m({{QStringLiteral("sets"),
               QJsonObject {{QStringLiteral("tags"),
                             QJsonObject {{QStringLiteral("add"),
                                           QJsonArray {QString(129, QLatin1Char('x'))}}}}}}})
        << QStringLiteral("invalid_sets");
    QTest::newRow("set member a number")
        << m({{QStringLiteral("sets"),
               QJsonObject {{QStringLiteral("tags"),
                             QJsonObject {{QStringLiteral("remove"), QJsonArray {7}}}}}}})
        << QStringLiteral("invalid_sets");
    QTest::newRow("record too large")
        << fields(QStringLiteral("body"), QString(Ferry::Wire::kMaxRecordBytes, QLatin1Char('x')))
        << QStringLiteral("record_too_large");
}

void TestBadInput::rejectedMutation()
{
    QFETCH(QJsonObject, mutation);
    QFETCH(QString, code);
    const QString ws = m_api.newWorkspace();
    QVERIFY(!ws.isEmpty());
    const QString existing = Ferry::createGuid();
    QCOMPARE(m_api.create(ws, existing, {{QStringLiteral("title"), QStringLiteral("keep")}}), 1);
    const WorkspaceSnapshot before = m_api.snapshot(ws);

    // Alone: refused with the code and a reason, nothing applied, the sequence stays.
    ApiResponse r = m_api.push(ws, QJsonArray {mutation});
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(result(r).value(QStringLiteral("code")).toString(), code);
    QVERIFY(!result(r).value(QStringLiteral("reason")).toString().isEmpty());
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(m_api.snapshot(ws), before);

    // Beside a good mutation: the good one applies, the bad one still does not.
    const QString good = Ferry::createGuid();
    r = m_api.push(ws,
                   QJsonArray {mutation, FerryTest::mutation(good, 0, {{QStringLiteral("n"), 1}})});
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r, 0).value(QStringLiteral("code")).toString(), code);
    QCOMPARE(result(r, 1).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    const ApiResponse pulled = m_api.pull(ws, 1);
    const QJsonArray changes = pulled.json.value(QStringLiteral("changes")).toArray();
    QCOMPARE(changes.size(), 1);
    QCOMPARE(changes.at(0).toObject().value(QStringLiteral("guid")).toString(), good);
}

void TestBadInput::storedVerbatim_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("SQL") << QJsonValue(QStringLiteral("'); DROP TABLE records; --"));
    QTest::newRow("quotes and backslashes")
        << QJsonValue(QStringLiteral("\"quoted\" \\ 'single' `back`"));
    QTest::newRow("NUL inside") << QJsonValue(QStringLiteral("a") + QChar(0) + QStringLiteral("b"));
    QTest::newRow("control characters") << QJsonValue(QString::fromUtf8("\x01\x02\x1f\t\r\n\x7f"));
    QTest::newRow("path separators") << QJsonValue(QStringLiteral("../../etc/passwd C:\\Windows"));
    QTest::newRow("markup") << QJsonValue(QStringLiteral("<script>alert(1)</script>&amp;"));
    QTest::newRow("astral characters")
        << QJsonValue(QString::fromUtf8("\xf0\x9f\x98\x80 \xe2\x80\xae rtl"));
    QTest::newRow("huge string") << QJsonValue(QString(512 * 1024, QLatin1Char('z')));
    QTest::newRow("largest exact integer") << QJsonValue(9007199254740991.0);
    QTest::newRow("tiny double") << QJsonValue(5e-324);
    QTest::newRow("the same key at different depths") << QJsonValue(
        QJsonObject {{QStringLiteral("body"), QJsonObject {{QStringLiteral("body"), 1}}},
                     {QStringLiteral("list"),
                      QJsonArray {QJsonObject {{QStringLiteral("list"), 2}},
                                  QJsonObject {{QStringLiteral("list"), 3}}}}});
    QTest::newRow("object with odd keys")
        << QJsonValue(QJsonObject {{QStringLiteral("'; --"), 1}, {QString(), 2}});
}

void TestBadInput::storedVerbatim()
{
    QFETCH(QJsonValue, value);
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const ApiResponse r
        = m_api.push(ws, QJsonArray {mutation(guid, 0, {{QStringLiteral("body"), value}})});
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    const ApiResponse pulled = m_api.pull(ws);
    QCOMPARE(pulled.status, 200);
    const QJsonObject record
        = pulled.json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(record.value(QStringLiteral("guid")).toString(), guid);
    QCOMPARE(record.value(QStringLiteral("fields")).toObject().value(QStringLiteral("body")),
             value);
    // What the server sends is what the client accepts.
    QVERIFY(Ferry::Wire::parsePullPage(pulled.body).ok());
}

void TestBadInput::recordCannotGrowPastLimit()
{
    // Each push alone is within the limit; together they would not be.
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const QString part(Ferry::Wire::kMaxRecordBytes * 6 / 10, QLatin1Char('a'));
    ApiResponse r = m_api.push(ws, QJsonArray {mutation(guid, 0, {{QStringLiteral("one"), part}})});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    const WorkspaceSnapshot before = m_api.snapshot(ws);
    r = m_api.push(ws,
                   QJsonArray {mutation(
                       guid, 1, {{QStringLiteral("two"), part}, {QStringLiteral("small"), 1}})});
    QCOMPARE(r.status, 200);
    QCOMPARE(result(r).value(QStringLiteral("code")).toString(),
             QStringLiteral("record_too_large"));
    QVERIFY(result(r).value(QStringLiteral("reason")).toString().contains(QStringLiteral("bytes")));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(m_api.snapshot(ws), before); // not even the small field

    // Deleting such a record is never refused for its size.
    r = m_api.push(ws, QJsonArray {deletion(guid, 1)});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
}

void TestBadInput::refusedPullQuery_data()
{
    QTest::addColumn<QString>("query");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("since twice") << QStringLiteral("since=1&since=2") << QStringLiteral("since");
    QTest::newRow("limit twice") << QStringLiteral("limit=5&limit=5") << QStringLiteral("limit");
    QTest::newRow("count twice") << QStringLiteral("count=1&count=1") << QStringLiteral("count");
    QTest::newRow("since 2^53") << QStringLiteral("since=9007199254740992")
                                << QStringLiteral("since");
    QTest::newRow("since huge") << QStringLiteral("since=99999999999999999999999")
                                << QStringLiteral("since");
    QTest::newRow("since with plus") << QStringLiteral("since=%2B1") << QStringLiteral("since");
    QTest::newRow("since with space") << QStringLiteral("since=%201") << QStringLiteral("since");
    QTest::newRow("since with NUL") << QStringLiteral("since=1%00") << QStringLiteral("since");
    QTest::newRow("limit SQL") << QStringLiteral("limit=1%3B%20DROP%20TABLE%20records")
                               << QStringLiteral("limit");
}

void TestBadInput::refusedPullQuery()
{
    QFETCH(QString, query);
    QFETCH(QString, mentions);
    const ApiResponse r
        = m_api.send("GET", QStringLiteral("/v1/workspaces/alice/pull?") + query, m_token);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("invalid_request"));
    QVERIFY2(r.json.value(QStringLiteral("message")).toString().contains(mentions),
             r.body.constData());
    // The largest cursor there is, is well formed: refused only as a history this server
    // does not have (a client ahead of it).
    const auto ahead = m_api.send(
        "GET", QStringLiteral("/v1/workspaces/alice/pull?since=9007199254740991"), m_token);
    QCOMPARE(ahead.status, 409);
    QCOMPARE(ahead.json.value(QStringLiteral("code")).toString(),
             QStringLiteral("history_mismatch"));
}

void TestBadInput::createWorkspaceDuplicateKey()
{
    const ApiResponse r = m_api.send("POST", QStringLiteral("/v1/workspaces"), m_token,
                                     "{\"id\":\"first\",\"id\":\"second\"}");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("bad_json"));
    const ApiResponse me = m_api.send("GET", QStringLiteral("/v1/me"), m_token);
    for (const QJsonValue &w : me.json.value(QStringLiteral("workspaces")).toArray()) {
        const QString id = w.toObject().value(QStringLiteral("id")).toString();
        QVERIFY2(id != QLatin1String("first") && id != QLatin1String("second"), qPrintable(id));
    }
}

void TestBadInput::rawHttpGarbage_data()
{
    QTest::addColumn<QByteArray>("bytes");
    const QByteArray auth = "Authorization: Bearer " + m_token.toLatin1() + "\r\n";
    QTest::newRow("not HTTP") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    QTest::newRow("NUL bytes") << QByteArray(4096, '\0');
    QTest::newRow("huge header") << "GET /v1/me HTTP/1.1\r\nX: " + QByteArray(1 << 20, 'x')
            + "\r\n\r\n";
    QTest::newRow("negative length")
        << "POST /v1/workspaces/alice/push HTTP/1.1\r\n" + auth + "Content-Length: -5\r\n\r\n{}";
    QTest::newRow("length past the body") << "POST /v1/workspaces/alice/push HTTP/1.1\r\n" + auth
            + "Content-Length: 999999999999\r\n\r\n{}";
    QTest::newRow("broken chunks") << "POST /v1/workspaces/alice/push HTTP/1.1\r\n" + auth
            + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n";
    QTest::newRow("path with NUL and dots")
        << "GET /v1/workspaces/%00/../../pull HTTP/1.1\r\n" + auth + "\r\n";
    QTest::newRow("unknown method") << "BREW /v1/me HTTP/1.1\r\n" + auth + "\r\n";
}

void TestBadInput::rawHttpGarbage()
{
    QFETCH(QByteArray, bytes);
    const WorkspaceSnapshot before = m_api.snapshot(QStringLiteral("alice"));
    QTcpSocket socket;
    socket.connectToHost(m_server.url().host(), quint16(m_server.url().port()));
    QVERIFY(socket.waitForConnected(5000));
    socket.write(bytes);
    socket.waitForBytesWritten(5000);
    socket.waitForReadyRead(1000); // an answer or a closed connection, whichever comes
    socket.abort();
    // Whatever the HTTP layer made of it, the server still serves and nothing changed.
    QCOMPARE(m_api.request("GET", QStringLiteral("/healthz"), {}).status, 200);
    QCOMPARE(m_api.snapshot(QStringLiteral("alice")), before);
}

namespace {

// Everything the server answers on `socket` until it closes the connection (or `ms` pass).
QByteArray answerUntilClosed(QTcpSocket &socket, int ms)
{
    QByteArray answer;
    QElapsedTimer timer;
    timer.start();
    while (socket.state() == QAbstractSocket::ConnectedState && timer.elapsed() < ms) {
        socket.waitForReadyRead(50);
        answer += socket.readAll();
    }
    return answer + socket.readAll();
}

} // namespace

// A request's line and headers are bounded in size and in time before anything else looks
// at them: an answer naming the bound, the connection closed, the server's memory untouched
// by a head of 64 MiB; a body's declared size is checked before its bytes come. Ordinary
// requests on the same kind of connection (several in a row, one sent before the answer to
// the last) go on as before.
void TestBadInput::requestHeadsAreBounded_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("bulkMiB"); // header bytes sent after the head, 1 MiB at a time
    QTest::addColumn<bool>("trickle"); // one header line every 100 ms
    QTest::addColumn<QByteArray>("answer"); // the status line's start; empty: served

    const QByteArray get = "GET /healthz HTTP/1.1\r\nHost: a\r\n";
    QTest::newRow("64 MiB header")
        << QByteArray(get + "X-Big: ") << 64 << false << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("header just over 64 KiB")
        << QByteArray(get + "X-Big: " + QByteArray(64 * 1024, 'x') + "\r\n\r\n") << 0 << false
        << QByteArray("HTTP/1.1 431 ");
    QTest::newRow("head trickled past the deadline")
        << get << 0 << true << QByteArray("HTTP/1.1 408 ");
    QTest::newRow("chunked body") << QByteArray(
        "POST /v1/sessions HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
        "2\r\n{}\r\n0\r\n\r\n") << 0
                                  << false << QByteArray("HTTP/1.1 411 ");
    QTest::newRow("declared body over every limit") << QByteArray(
        "POST /v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n")
                                                    << 0 << false << QByteArray("HTTP/1.1 413 ");
    QTest::newRow("head of 60 KiB")
        << QByteArray(get + "X-Big: " + QByteArray(60 * 1024, 'x') + "\r\n\r\n") << 0 << false
        << QByteArray();
    QTest::newRow("three in a row, sent at once")
        << QByteArray(get + "\r\n" + get + "\r\n" + get + "\r\n") << 0 << false << QByteArray();
    QTest::newRow("a body, then a request")
        << QByteArray("POST /v1/sessions HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
                      "Content-Length: 2\r\n\r\n{}"
                      + get + "\r\n")
        << 0 << false << QByteArray();
}

void TestBadInput::requestHeadsAreBounded()
{
    QFETCH(QByteArray, head);
    QFETCH(int, bulkMiB);
    QFETCH(bool, trickle);
    QFETCH(QByteArray, answer);
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--head-timeout"), QStringLiteral("0.5")}),
             qPrintable(server.lastError()));
    const qint64 residentBefore = server.residentKiB();
    QVERIFY(residentBefore > 0);

    QTcpSocket socket;
    socket.connectToHost(server.url().host(), server.port());
    QVERIFY(socket.waitForConnected(5000));
    socket.write(head);
    const QByteArray mebibyte(1024 * 1024, 'x');
    // Sending stops once an answer comes: bytes sent to a closed connection reset it, and
    // the answer could be lost with them.
    const auto open = [&socket] {
        return socket.state() == QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0;
    };
    for (int i = 0; i < bulkMiB && open(); ++i) {
        socket.write(mebibyte);
        while (socket.bytesToWrite() > 0 && socket.waitForBytesWritten(5000)) { }
    }
    for (int i = 0; trickle && i < 20 && open(); ++i) {
        socket.write("X-Slow: y\r\n");
        socket.waitForBytesWritten(1000);
        socket.waitForReadyRead(100);
    }
    const qint64 residentAfter = server.residentKiB();
    if (answer.isEmpty()) {
        const int requests = int(head.count("HTTP/1.1\r\n"));
        QByteArray got;
        QElapsedTimer timer;
        timer.start();
        while (got.count("HTTP/1.1 ") < requests && timer.elapsed() < 5000) {
            socket.waitForReadyRead(100);
            got += socket.readAll();
        }
        QCOMPARE(got.count("HTTP/1.1 "), requests);
        QCOMPARE(got.count("HTTP/1.1 200 "), head.count("GET /healthz")); // each one served
        QCOMPARE(socket.state(), QAbstractSocket::ConnectedState); // kept for the next request
        return;
    }
    const QByteArray got = answerUntilClosed(socket, 5000);
    QVERIFY2(got.startsWith(answer), got.left(300));
    QVERIFY2(got.contains("Connection: close"), got.left(300));
    QCOMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(residentAfter - residentBefore < 16 * 1024,
             qPrintable(
                 QStringLiteral("the server grew by %1 KiB").arg(residentAfter - residentBefore)));
    ApiClient api;
    api.setServer(server.url(), {});
    QCOMPARE(api.request("GET", QStringLiteral("/healthz"), {}).status, 200);
}

// A connection that sends nothing is closed after the idle time; one that keeps asking stays.
void TestBadInput::silentConnectionIsClosed()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--idle-timeout"), QStringLiteral("0.5")}),
             qPrintable(server.lastError()));
    QTcpSocket silent, busy;
    for (QTcpSocket *socket : {&silent, &busy}) {
        socket->connectToHost(server.url().host(), server.port());
        QVERIFY(socket->waitForConnected(5000));
    }
    QElapsedTimer timer;
    timer.start();
    int answered = 0;
    while (timer.elapsed() < 1500) {
        busy.write("GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n");
        QVERIFY(busy.waitForReadyRead(2000));
        busy.readAll();
        ++answered;
        silent.waitForReadyRead(200);
    }
    QCOMPARE(silent.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(busy.state(), QAbstractSocket::ConnectedState);
    QVERIFY(answered >= 5);
}

QTEST_GUILESS_MAIN(TestBadInput)
#include "tst_bad_input.moc"
