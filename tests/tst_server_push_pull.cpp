// Push and pull semantics of the ferry-server HTTP API at the wire level, against the real
// binary over real sockets: what a push applies, merges, marks as a conflict or rejects, how
// batches are made idempotent, how pull pages and deltas look; and the admin command line.

#include "apiclient.h"
#include "serverprocess.h"

#include "guid.h"
#include "wire.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QSet>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace FerryTest;

namespace {

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

class TestServerPushPull : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

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
    void pullPageEndsAtItsByteBudget();
    void largePullsDoNotHoldOthersUp();
    void deltaPullHasOnlyChangedFields();
    void unknownFieldsAndNullsSurvive();
    void adminBadArguments_data();
    void adminBadArguments();

private:
    ServerProcess m_server;
    ApiClient m_api; // as alice; each test makes a workspace of its own
    QString m_alice;
};

void TestServerPushPull::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_alice = m_server.createToken(QStringLiteral("alice"));
    QVERIFY2(!m_alice.isEmpty(), qPrintable(m_server.lastError()));
    m_api.setServer(m_server.url(), m_alice);
}

void TestServerPushPull::createIsApplied()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const ApiResponse r = m_api.push(
        ws, QJsonArray {mutation(guid, 0, {{QStringLiteral("title"), QStringLiteral("Hello")}})});
    QCOMPARE(r.status, 200);
    QVERIFY(Ferry::Wire::parsePushResponse(r.body).ok());
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 1);
    QCOMPARE(result(r),
             (QJsonObject {{QStringLiteral("guid"), guid},
                           {QStringLiteral("status"), QStringLiteral("applied")},
                           {QStringLiteral("rev"), 1}}));
    const ApiResponse p = m_api.pull(ws);
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

void TestServerPushPull::disjointEditsMerge()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid,
                                   {{QStringLiteral("title"), QStringLiteral("A")},
                                    {QStringLiteral("body"), QStringLiteral("B")}});
    m_api.push(ws,
               QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("A2")}})});
    const ApiResponse r = m_api.push(
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

void TestServerPushPull::sameFieldConflicts()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid,
                                   {{QStringLiteral("title"), QStringLiteral("A")},
                                    {QStringLiteral("body"), QStringLiteral("B")}});
    m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Server")}})},
        {}, QStringLiteral("phone-1"));
    const ApiResponse r
        = m_api.push(ws,
                     QJsonArray {mutation(guid, r1,
                                          {{QStringLiteral("title"), QStringLiteral("Mine")},
                                           {QStringLiteral("body"), QStringLiteral("B2")}})},
                     {}, QStringLiteral("laptop-2"));
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("title")});
    // the non-conflicting field was applied, the conflicting one was not
    QCOMPARE(fieldsOf(recordOf(res)),
             (QJsonObject {{QStringLiteral("title"), QStringLiteral("Server")},
                           {QStringLiteral("body"), QStringLiteral("B2")}}));
    QCOMPARE(res.value(QStringLiteral("rev")).toInteger(), 3);
    // The answer names who made the server's side of the conflict, not this push (which
    // became the record's last change by applying the body).
    QCOMPARE(recordOf(res).value(QStringLiteral("device")).toString(), QStringLiteral("phone-1"));
    const QJsonObject change
        = m_api.pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(fieldsOf(change).value(QStringLiteral("title")).toString(), QStringLiteral("Server"));
    QCOMPARE(change.value(QStringLiteral("device")).toString(), QStringLiteral("laptop-2"));

    // A conflict that applies nothing leaves the record and the sequence alone.
    const ApiResponse r2 = m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Again")}})});
    QCOMPARE(result(r2).value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(result(r2).value(QStringLiteral("rev")).toInteger(), 3);
    QCOMPARE(r2.json.value(QStringLiteral("seq")).toInteger(), 3);
}

void TestServerPushPull::equalValueIsNoConflict()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    const ApiResponse r = m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("merged"));
    QVERIFY(!res.contains(QStringLiteral("conflicts")));
    QCOMPARE(res.value(QStringLiteral("rev")).toInteger(), 2);
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2); // nothing changed
    // the same value from the current base is simply applied, still without a new revision
    const ApiResponse r2 = m_api.push(
        ws, QJsonArray {mutation(guid, 2, {{QStringLiteral("title"), QStringLiteral("Same")}})});
    QCOMPARE(result(r2).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r2.json.value(QStringLiteral("seq")).toInteger(), 2);
}

void TestServerPushPull::deleteVersusEdit()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Edited")}})});
    const ApiResponse r = m_api.push(ws, QJsonArray {deletion(guid, r1)});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("$deleted")});
    QVERIFY(!recordOf(res).value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(recordOf(res)).value(QStringLiteral("title")).toString(),
             QStringLiteral("Edited"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    const QJsonObject change
        = m_api.pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(!change.value(QStringLiteral("deleted")).toBool());
}

void TestServerPushPull::editVersusDelete()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    ApiResponse r = m_api.push(ws, QJsonArray {deletion(guid, r1)});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(result(r).value(QStringLiteral("rev")).toInteger(), 2);
    r = m_api.push(
        ws,
        QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Late edit")}})});
    QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("conflict"));
    QCOMPARE(strings(res.value(QStringLiteral("conflicts"))),
             QStringList {QStringLiteral("$deleted")});
    QVERIFY(recordOf(res).value(QStringLiteral("deleted")).toBool());
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    // deleting an already deleted record is applied, and changes nothing
    r = m_api.push(ws, QJsonArray {deletion(guid, r1)});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), 2);
    const QJsonObject change
        = m_api.pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(change.value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(change), QJsonObject());
}

void TestServerPushPull::restoreTombstone()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid,
                                   {{QStringLiteral("title"), QStringLiteral("A")},
                                    {QStringLiteral("body"), QStringLiteral("B")}});
    m_api.push(ws, QJsonArray {deletion(guid, r1)});
    QJsonObject restore = mutation(guid, 2, {{QStringLiteral("title"), QStringLiteral("Back")}});
    restore.insert(QStringLiteral("deleted"), false);
    const ApiResponse r = m_api.push(ws, QJsonArray {restore});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    QCOMPARE(result(r).value(QStringLiteral("rev")).toInteger(), 3);
    // a device that saw the tombstone (cursor 2) gets the whole record back
    const QJsonObject change
        = m_api.pull(ws, 2).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QVERIFY(!change.value(QStringLiteral("deleted")).toBool());
    QCOMPARE(fieldsOf(change),
             (QJsonObject {{QStringLiteral("title"), QStringLiteral("Back")},
                           {QStringLiteral("body"), QStringLiteral("B")}}));
}

void TestServerPushPull::setOpsMerge()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    ApiResponse r = m_api.push(ws,
                               QJsonArray {setOps(guid, 0, QStringLiteral("tags"),
                                                  {QStringLiteral("b"), QStringLiteral("a")}, {})});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    r = m_api.push(ws,
                   QJsonArray {setOps(guid, 1, QStringLiteral("tags"), {QStringLiteral("c")},
                                      {QStringLiteral("a")})});
    QCOMPARE(result(r).value(QStringLiteral("status")).toString(), QStringLiteral("applied"));
    r = m_api.push(
        ws,
        QJsonArray {setOps(guid, 1, QStringLiteral("tags"),
                           {QStringLiteral("d"), QStringLiteral("c")}, {QStringLiteral("b")})});
    const QJsonObject res = result(r);
    QCOMPARE(res.value(QStringLiteral("status")).toString(), QStringLiteral("merged"));
    QCOMPARE(strings(fieldsOf(recordOf(res)).value(QStringLiteral("tags"))),
             (QStringList {QStringLiteral("c"), QStringLiteral("d")}));
    const QJsonObject change
        = m_api.pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(strings(fieldsOf(change).value(QStringLiteral("tags"))),
             (QStringList {QStringLiteral("c"), QStringLiteral("d")}));
}

void TestServerPushPull::entityMismatchAndBaseAhead()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    const WorkspaceSnapshot before = m_api.snapshot(ws);
    const ApiResponse r = m_api.push(
        ws,
        QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("X")}},
                             QStringLiteral("Note")),
                    mutation(Ferry::createGuid(), 5), mutation(guid, r1 + 1)});
    QCOMPARE(result(r, 0).value(QStringLiteral("code")).toString(),
             QStringLiteral("entity_mismatch"));
    QCOMPARE(result(r, 1).value(QStringLiteral("code")).toString(), QStringLiteral("base_ahead"));
    QCOMPARE(result(r, 2).value(QStringLiteral("code")).toString(),
             QStringLiteral("duplicate_guid"));
    QCOMPARE(r.json.value(QStringLiteral("seq")).toInteger(), r1);
    const ApiResponse ahead = m_api.push(
        ws, QJsonArray {mutation(guid, r1 + 1, {{QStringLiteral("title"), QStringLiteral("X")}})});
    QCOMPARE(result(ahead).value(QStringLiteral("status")).toString(), QStringLiteral("rejected"));
    QCOMPARE(result(ahead).value(QStringLiteral("code")).toString(), QStringLiteral("base_ahead"));
    QCOMPARE(m_api.snapshot(ws), before);
}

void TestServerPushPull::retriedBatchGetsSameBytes()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid, {{QStringLiteral("title"), QStringLiteral("A")}});
    m_api.push(
        ws, QJsonArray {mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Server")}})});
    const QJsonArray mutations {
        mutation(guid, r1, {{QStringLiteral("title"), QStringLiteral("Mine")}}),
        mutation(Ferry::createGuid(), 0, {{QStringLiteral("n"), 1}})};
    const ApiResponse first = m_api.push(ws, mutations, QStringLiteral("retry-me"));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json.value(QStringLiteral("seq")).toInteger(), 3);
    const WorkspaceSnapshot after = m_api.snapshot(ws);
    const ApiResponse again = m_api.push(ws, mutations, QStringLiteral("retry-me"));
    QCOMPARE(again.status, 200);
    QCOMPARE(again.body, first.body);
    QCOMPARE(m_api.snapshot(ws), after);
    // a later push shows the sequence did not move for the retry
    const ApiResponse next = m_api.push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)});
    QCOMPARE(next.json.value(QStringLiteral("seq")).toInteger(), 4);
}

void TestServerPushPull::reusedBatchIdIsMismatch()
{
    const QString ws = m_api.newWorkspace();
    m_api.push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once"));
    const WorkspaceSnapshot before = m_api.snapshot(ws);
    const ApiResponse r
        = m_api.push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once"));
    QCOMPARE(r.status, 409);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("batch_mismatch"));
    QCOMPARE(m_api.snapshot(ws), before);
    // batch ids are per workspace
    const QString ws2 = m_api.newWorkspace();
    QCOMPARE(m_api.push(ws2, QJsonArray {mutation(Ferry::createGuid(), 0)}, QStringLiteral("once"))
                 .status,
             200);
}

void TestServerPushPull::pullPagingKeepsPushesWhole()
{
    const QString ws = m_api.newWorkspace();
    for (int b = 0; b < 3; ++b) {
        QJsonArray mutations;
        for (int i = 0; i < 5; ++i)
            mutations.append(mutation(Ferry::createGuid(), 0, {{QStringLiteral("i"), i}}));
        QCOMPARE(m_api.push(ws, mutations).status, 200);
    }
    QSet<QString> seen;
    QList<int> pageSizes;
    qint64 cursor = 0;
    bool more = true;
    while (more && pageSizes.size() < 10) {
        const ApiResponse r = m_api.send(
            "GET",
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
    ApiResponse r = m_api.pull(ws, 0, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 10);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 2);
    QVERIFY(r.json.value(QStringLiteral("more")).toBool());
    r = m_api.pull(ws, 2, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 3);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
    // nothing new: the cursor stays where it was
    r = m_api.pull(ws, 3, 10);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 0);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 3);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
}

void TestServerPushPull::pullPageHoldsOversizedPush()
{
    const QString ws = m_api.newWorkspace();
    QJsonArray mutations;
    for (int i = 0; i < 5; ++i)
        mutations.append(mutation(Ferry::createGuid(), 0));
    m_api.push(ws, mutations);
    ApiResponse r = m_api.pull(ws, 0, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 1);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
    m_api.push(ws, QJsonArray {mutation(Ferry::createGuid(), 0)});
    r = m_api.pull(ws, 0, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 5);
    QCOMPARE(r.json.value(QStringLiteral("cursor")).toInteger(), 1);
    QVERIFY(r.json.value(QStringLiteral("more")).toBool());
    r = m_api.pull(ws, 1, 3);
    QCOMPARE(r.json.value(QStringLiteral("changes")).toArray().size(), 1);
    QVERIFY(!r.json.value(QStringLiteral("more")).toBool());
}

void TestServerPushPull::pullPageEndsAtItsByteBudget()
{
    // Twelve pushes of one large record, then one push of ten: however high `limit` is, a
    // page ends at the first push boundary past Wire::kPullPageBytes, and never inside a push.
    const QString ws = m_api.newWorkspace();
    const QString body(900 * 1000, QLatin1Char('x'));
    QStringList pushed;
    for (int i = 0; i < 12; ++i) {
        pushed.append(Ferry::createGuid());
        QCOMPARE(m_api.create(ws, pushed.last(), {{QStringLiteral("body"), body}}), i + 1);
    }
    QJsonArray together;
    for (int i = 0; i < 10; ++i) {
        pushed.append(Ferry::createGuid());
        together.append(mutation(pushed.last(), 0, {{QStringLiteral("body"), body}}));
    }
    QCOMPARE(m_api.push(ws, together).status, 200);

    QStringList pulled;
    QList<int> pageSizes;
    qint64 since = 0;
    for (bool more = true; more;) {
        const ApiResponse r = m_api.pull(ws, since, Ferry::Wire::kMaxPullLimit);
        QCOMPARE(r.status, 200);
        const QJsonArray changes = r.json.value(QStringLiteral("changes")).toArray();
        QVERIFY(!changes.isEmpty());
        // Within the budget but for the last push it holds (at most ten records here).
        QVERIFY2(r.body.size() < Ferry::Wire::kPullPageBytes + 10 * (body.size() + 1000),
                 qPrintable(QString::number(r.body.size())));
        for (const QJsonValue &change : changes)
            pulled.append(change.toObject().value(QStringLiteral("guid")).toString());
        pageSizes.append(int(changes.size()));
        since = r.json.value(QStringLiteral("cursor")).toInteger();
        more = r.json.value(QStringLiteral("more")).toBool();
        QVERIFY(pageSizes.size() < 20);
    }
    // 8 MiB holds nine of the single records and the tenth goes past it; the next page
    // starts under the budget with the last two and takes the push of ten whole, although
    // that carries it past the budget.
    QCOMPARE(pageSizes, (QList<int> {10, 12}));
    QCOMPARE(pulled.mid(0, 12), pushed.mid(0, 12)); // in push order
    const QStringList lastPulled = pulled.mid(12), lastPushed = pushed.mid(12);
    QCOMPARE(QSet<QString>(lastPulled.cbegin(), lastPulled.cend()),
             QSet<QString>(lastPushed.cbegin(), lastPushed.cend()));
    QCOMPARE(pulled.size(), pushed.size());
}

// One request on a connection of its own; `started` runs when the head of its answer is in
// (a large body comes in later as the socket takes it, while smaller answers overtake it).
class RawRequest : public QObject
{
public:
    RawRequest(const QUrl &server, std::function<void(int)> started)
        : m_started(std::move(started))
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, [this] {
            const QByteArray got = m_socket.readAll();
            if (m_buffer.size() < 4096)
                m_buffer += got.left(4096);
            if (m_started && m_buffer.contains("\r\n\r\n"))
                std::exchange(m_started, {})(m_buffer.mid(9, 3).toInt());
        });
        m_socket.connectToHost(server.host(), quint16(server.port()));
    }

    bool connected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    void send(const QByteArray &request)
    {
        m_socket.write(request);
        m_socket.flush();
    }

private:
    QTcpSocket m_socket;
    QByteArray m_buffer;
    std::function<void(int)> m_started;
};

void TestServerPushPull::largePullsDoNotHoldOthersUp()
{
    // Eight clients ask for a page of 8 MB each and another one, right after, who it is: the
    // pages are made beside the server's thread, so that answer does not wait for them.
    const QString ws = m_api.newWorkspace();
    const QString body(8000, QLatin1Char('x'));
    QJsonArray records;
    for (int i = 0; i < 1000; ++i)
        records.append(mutation(Ferry::createGuid(), 0, {{QStringLiteral("body"), body}}));
    QCOMPARE(m_api.push(ws, records).status, 200);

    QStringList order;
    std::vector<std::unique_ptr<RawRequest>> pulls;
    for (int i = 0; i < 8; ++i)
        pulls.push_back(std::make_unique<RawRequest>(m_server.url(), [&](int status) {
            order.append(QStringLiteral("pull %1").arg(status));
        }));
    RawRequest me(m_server.url(),
                  [&](int status) { order.append(QStringLiteral("me %1").arg(status)); });
    QTRY_VERIFY(me.connected() && std::all_of(pulls.cbegin(), pulls.cend(), [](const auto &p) {
                    return p->connected();
                }));
    QTest::qWait(100); // the server has taken every connection

    const QByteArray auth = "Authorization: Bearer " + m_alice.toLatin1() + "\r\n";
    for (const auto &pull : pulls)
        pull->send("GET /v1/workspaces/" + ws.toLatin1()
                   + "/pull?since=0&limit=1000 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
    me.send("GET /v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\n" + auth + "\r\n");
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 9, 60000);
    QCOMPARE(order.count(QStringLiteral("pull 200")), 8);
    // Answered before most pages were made (on the server's thread it came after them).
    QVERIFY2(order.indexOf(QStringLiteral("me 200")) < 4, qPrintable(order.join(u", ")));
}

void TestServerPushPull::deltaPullHasOnlyChangedFields()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const QString gone = Ferry::createGuid();
    const qint64 r1 = m_api.create(ws, guid,
                                   {{QStringLiteral("title"), QStringLiteral("A")},
                                    {QStringLiteral("body"), QStringLiteral("B")}});
    m_api.create(ws, gone, {{QStringLiteral("title"), QStringLiteral("Doomed")}});
    m_api.push(ws,
               QJsonArray {mutation(guid, r1, {{QStringLiteral("body"), QStringLiteral("B2")}}),
                           deletion(gone, 2)});
    const ApiResponse r = m_api.pull(ws, 2);
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
    const QJsonArray all = m_api.pull(ws, 0).json.value(QStringLiteral("changes")).toArray();
    QCOMPARE(all.size(), 2);
    for (const QJsonValue &c : all) {
        if (c.toObject().value(QStringLiteral("guid")).toString() == guid)
            QCOMPARE(fieldsOf(c.toObject()),
                     (QJsonObject {{QStringLiteral("title"), QStringLiteral("A")},
                                   {QStringLiteral("body"), QStringLiteral("B2")}}));
    }
}

void TestServerPushPull::unknownFieldsAndNullsSurvive()
{
    const QString ws = m_api.newWorkspace();
    const QString guid = Ferry::createGuid();
    const QJsonObject fields {
        {QStringLiteral("zz_future_field"),
         QJsonObject {{QStringLiteral("nested"), QJsonArray {1, 2}}}},
        {QStringLiteral("cleared"), QJsonValue::Null},
        {QStringLiteral("text"), QStringLiteral("quote \" backslash \\ newline \n é ✓")}};
    QCOMPARE(m_api.create(ws, guid, fields), 1);
    const QJsonObject change
        = m_api.pull(ws).json.value(QStringLiteral("changes")).toArray().at(0).toObject();
    QCOMPARE(fieldsOf(change), fields);
    QVERIFY(fieldsOf(change).value(QStringLiteral("cleared")).isNull());
}

void TestServerPushPull::adminBadArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown command") << QStringList {QStringLiteral("frobnicate")};
    QTest::newRow("token create without user")
        << QStringList {QStringLiteral("token"), QStringLiteral("create")};
    QTest::newRow("token revoke with the token on the command line")
        << QStringList {QStringLiteral("token"), QStringLiteral("revoke"), QString(64, u'a')};
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

void TestServerPushPull::adminBadArguments()
{
    QFETCH(QStringList, args);
    const ServerProcess::AdminRun run = m_server.runAdmin(args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(run.output.isEmpty());
}

QTEST_GUILESS_MAIN(TestServerPushPull)
#include "tst_server_push_pull.moc"
