// Several ferry-server processes on one PostgreSQL database, as a team runs them behind a
// proxy: pushes sent through both at once take every sequence number once and in order, a
// push through one wakes the notify sockets held by the other, a sign-in lockout earned on one
// holds on the other, and servers started together on a new database make its schema once.
// Needs the throwaway PostgreSQL of scripts/with-postgres.sh (CTest runs it as
// tst_shared_store_postgres); without one every test is skipped.
#include "apiclient.h"
#include "guid.h"
#include "notifychannel.h"
#include "serverprocess.h"
#include "testpostgres.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

using namespace Ferry;
using namespace FerryTest;

namespace {

const QString kPassword = QStringLiteral("correct horse battery");

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

class TestSharedStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void concurrentPushesTakeEverySequenceOnce();
    void pushThroughOneWakesTheOther();
    void lockoutHoldsOnEveryServer();
    void invitationsAtOnceKeepTheCap();
    void serversStartedTogetherMakeTheSchemaOnce();

private:
    ServerProcess m_one;
    ServerProcess m_two;
    QString m_token; // alice's
};

void TestSharedStore::initTestCase()
{
    if (!TestPostgres::enabled())
        QSKIP("needs PostgreSQL: run through scripts/with-postgres.sh");
    QVERIFY2(m_one.start(), qPrintable(m_one.lastError()));
    m_two.shareStoreWith(m_one);
    QVERIFY2(m_two.start(), qPrintable(m_two.lastError()));
    m_token = m_one.createToken(QStringLiteral("alice"));
    QVERIFY(!m_token.isEmpty());
}

// 120 pushes of new records, half through each server, all sent before any is answered: each
// answer has its own sequence number, together exactly 1..120, and a pull from either server
// lists the 120 records with those revisions.
void TestSharedStore::concurrentPushesTakeEverySequenceOnce()
{
    ApiClient api;
    api.setServer(m_one.url(), m_token);
    const QString workspace = m_one.newWorkspace(QStringLiteral("alice"));
    QVERIFY(!workspace.isEmpty());

    constexpr int kPushes = 120;
    QNetworkAccessManager network;
    std::vector<std::unique_ptr<QNetworkReply>> replies;
    for (int i = 0; i < kPushes; ++i) {
        const ServerProcess &server = i % 2 == 0 ? m_one : m_two;
        QNetworkRequest request(
            server.url().resolved(QUrl(QStringLiteral("/v1/workspaces/%1/push").arg(workspace))));
        request.setRawHeader("Authorization", "Bearer " + m_token.toLatin1());
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        const QJsonArray mutations {mutation(
            createGuid(), 0, {{QStringLiteral("title"), QStringLiteral("push %1").arg(i)}})};
        replies.emplace_back(
            network.post(request, batchBody(QStringLiteral("b%1").arg(i), mutations)));
    }
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                         [](const auto &reply) { return reply->isFinished(); }),
                             60000);
    QList<qint64> seqs;
    for (const auto &reply : replies) {
        const QByteArray body = reply->readAll();
        QVERIFY2(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt() == 200,
                 body.constData());
        seqs.append(
            QJsonDocument::fromJson(body).object().value(QStringLiteral("seq")).toInteger());
    }
    std::sort(seqs.begin(), seqs.end());
    QList<qint64> expected;
    for (int n = 1; n <= kPushes; ++n)
        expected.append(n);
    QCOMPARE(seqs, expected);

    for (const ServerProcess *server : {&m_one, &m_two}) {
        ApiClient reader;
        reader.setServer(server->url(), m_token);
        const ApiResponse pulled = reader.pull(workspace, 0, 1000);
        QCOMPARE(pulled.status, 200);
        QCOMPARE(pulled.json.value(QStringLiteral("cursor")).toInteger(), kPushes);
        QList<qint64> revs;
        for (const QJsonValue &change : pulled.json.value(QStringLiteral("changes")).toArray())
            revs.append(change.toObject().value(QStringLiteral("rev")).toInteger());
        std::sort(revs.begin(), revs.end());
        QCOMPARE(revs, expected);
    }
}

// 120 invitations for one account sent through both servers at once: each server counts
// what waits and adds one, and without the account locked for the count both would take the
// last places; exactly 100 are accepted and the rest refused with too_many_invitations. The
// race is lost only now and then, so eight accounts are invited this way, one after another.
void TestSharedStore::invitationsAtOnceKeepTheCap()
{
    constexpr int kInvitations = 120;
    constexpr int kCap = 100; // ServerStore::kMaxInvitations
    constexpr int kAccounts = 8;
    const QString owner = m_one.createToken(QStringLiteral("owner"));
    QVERIFY(!owner.isEmpty());
    ApiClient api;
    api.setServer(m_one.url(), {});
    for (int i = 0; i < kInvitations; ++i)
        QCOMPARE(api.send("POST", QStringLiteral("/v1/workspaces"), owner,
                          json({{QStringLiteral("id"), QStringLiteral("room%1").arg(i)}}))
                     .status,
                 201);

    QNetworkAccessManager network;
    for (int account = 0; account < kAccounts; ++account) {
        const QString name = QStringLiteral("carol%1").arg(account);
        const QString token = m_one.createToken(name);
        QVERIFY(!token.isEmpty());
        std::vector<std::unique_ptr<QNetworkReply>> replies;
        for (int i = 0; i < kInvitations; ++i) {
            const ServerProcess &server = i % 2 == 0 ? m_one : m_two;
            QNetworkRequest request(server.url().resolved(
                QUrl(QStringLiteral("/v1/workspaces/room%1/members/%2").arg(i).arg(name))));
            request.setRawHeader("Authorization", "Bearer " + owner.toLatin1());
            request.setHeader(QNetworkRequest::ContentTypeHeader,
                              QStringLiteral("application/json"));
            replies.emplace_back(network.put(request, R"({"role":"editor"})"));
        }
        QTRY_VERIFY_WITH_TIMEOUT(std::all_of(replies.cbegin(), replies.cend(),
                                             [](const auto &reply) { return reply->isFinished(); }),
                                 60000);
        int invited = 0;
        int refused = 0;
        for (const auto &reply : replies) {
            const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = reply->readAll();
            if (status == 200)
                ++invited;
            else if (status == 409 && body.contains("too_many_invitations"))
                ++refused;
            else
                QFAIL(qPrintable(QStringLiteral("%1 %2").arg(status).arg(QString::fromUtf8(body))));
        }
        QCOMPARE(invited, kCap);
        QCOMPARE(refused, kInvitations - kCap);
        const ApiResponse me = api.send("GET", QStringLiteral("/v1/me"), token);
        QCOMPARE(me.json.value(QStringLiteral("invitations")).toArray().size(), kCap);
    }
}

// A device connected to server one hears of a push made through server two.
void TestSharedStore::pushThroughOneWakesTheOther()
{
    ApiClient api;
    api.setServer(m_two.url(), m_token);
    const QString workspace = m_one.newWorkspace(QStringLiteral("alice"));
    QVERIFY(!workspace.isEmpty());
    NotifyChannel channel;
    QSignalSpy announced(&channel, &NotifyChannel::sequenceAnnounced);
    channel.setConfig(SyncConfig {m_one.url(), m_token, workspace});
    QTRY_COMPARE_WITH_TIMEOUT(announced.size(), 1, 10000); // the hello: sequence 0
    QCOMPARE(announced.at(0).at(0).toLongLong(), 0);

    for (qint64 expected = 1; expected <= 3; ++expected) {
        QCOMPARE(api.create(workspace, createGuid(),
                            {{QStringLiteral("title"), QStringLiteral("through two")}}),
                 expected);
        QTRY_COMPARE_WITH_TIMEOUT(announced.size(), int(expected) + 1, 5000);
        QCOMPARE(announced.last().at(0).toLongLong(), expected);
    }
}

// Five wrong passwords through server one lock the account: the right password through
// server two is refused with 429 until the lock ends.
void TestSharedStore::lockoutHoldsOnEveryServer()
{
    ApiClient one;
    one.setServer(m_one.url(), {});
    ApiClient two;
    two.setServer(m_two.url(), {});
    const QString user = QStringLiteral("locked");
    QCOMPARE(
        one.request("POST", QStringLiteral("/v1/accounts"), {},
                    json({{QStringLiteral("user"), user}, {QStringLiteral("password"), kPassword}}))
            .status,
        201);
    const auto signIn = [&user](ApiClient &api, const QString &password) {
        return api.request("POST", QStringLiteral("/v1/sessions"), {},
                           json({{QStringLiteral("user"), user},
                                 {QStringLiteral("password"), password},
                                 {QStringLiteral("device"), QStringLiteral("laptop")}}));
    };
    for (int i = 0; i < 5; ++i)
        QCOMPARE(signIn(one, QStringLiteral("wrong password %1").arg(i)).status, 401);
    const ApiResponse refused = signIn(two, kPassword);
    QCOMPARE(refused.status, 429);
    QCOMPARE(refused.json.value(QStringLiteral("code")).toString(),
             QStringLiteral("too_many_attempts"));
    QVERIFY(refused.retryAfter.toInt() >= 1);
    // The first lock is a second long: then the right password is taken on either server.
    QTRY_COMPARE_WITH_TIMEOUT(signIn(two, kPassword).status, 201, 10000);
}

// Four servers started at once on a new database: all come up, and the schema is made once.
void TestSharedStore::serversStartedTogetherMakeTheSchemaOnce()
{
    const QString name = TestPostgres::newName();
    QVERIFY(TestPostgres::createDatabase(name));
    QTemporaryDir data;
    std::vector<std::unique_ptr<QProcess>> servers;
    for (int i = 0; i < 4; ++i) {
        auto process = std::make_unique<QProcess>();
        process->start(ServerProcess::binary(),
                       {QStringLiteral("--data"), data.path(), QStringLiteral("--database"),
                        TestPostgres::url(name), QStringLiteral("--listen"),
                        QStringLiteral("127.0.0.1:0")});
        servers.push_back(std::move(process));
    }
    for (const auto &process : servers) {
        QTRY_VERIFY_WITH_TIMEOUT(process->canReadLine() || process->state() == QProcess::NotRunning,
                                 20000);
        const QByteArray line = process->readLine();
        QVERIFY2(line.startsWith("ferry-server listening on "),
                 QByteArray(line + process->readAllStandardError()).constData());
    }
    for (const auto &process : servers) {
        process->terminate();
        QVERIFY(process->waitForFinished(10000));
        QCOMPARE(process->exitCode(), 0);
    }
    const ServerProcess::AdminRun version = [&] {
        QProcess admin;
        admin.start(ServerProcess::binary(),
                    {QStringLiteral("--data"), data.path(), QStringLiteral("--database"),
                     TestPostgres::url(name), QStringLiteral("registration"),
                     QStringLiteral("close")});
        admin.waitForFinished(15000);
        return ServerProcess::AdminRun {admin.exitCode(),
                                        QString::fromUtf8(admin.readAllStandardOutput()),
                                        QString::fromUtf8(admin.readAllStandardError())};
    }();
    QVERIFY2(version.exitCode == 0, qPrintable(version.errors));
    QVERIFY(TestPostgres::dropDatabase(name));
}

QTEST_GUILESS_MAIN(TestSharedStore)
#include "tst_shared_store.moc"
