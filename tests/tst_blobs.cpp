// Attachments against the real ferry-server (docs/protocol.md, "Attachments"): which blobs a
// workspace lacks, whole and resumable uploads, ranged downloads, the hash check, the size
// limit, who may read and write, and that blobs and unfinished uploads survive a restart.

#include "apiclient.h"
#include "serverprocess.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace FerryTest;

namespace {

QString idOf(const QByteArray &bytes)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// Bytes that differ from test to test (so each test uploads a blob of its own) and are not
// all alike, so a misplaced range shows.
QByteArray bytesFor(const QByteArray &seed, qsizetype size)
{
    QByteArray bytes;
    bytes.reserve(size + 32);
    quint32 counter = 0;
    while (bytes.size() < size)
        bytes += QCryptographicHash::hash(QByteArray(seed + QByteArray::number(counter++)),
                                          QCryptographicHash::Sha256);
    bytes.truncate(size);
    return bytes;
}

QByteArray contentRange(qint64 start, qint64 length, qint64 total)
{
    return "bytes " + QByteArray::number(start) + '-' + QByteArray::number(start + length - 1) + '/'
        + QByteArray::number(total);
}

QByteArray missingBody(const QStringList &ids)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("blobs"), QJsonArray::fromStringList(ids)}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class TestBlobs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();

    void uploadWhole();
    void emptyBlob();
    void rangedDownload_data();
    void rangedDownload();
    void uploadInPieces();
    void interruptedUploadResumes();
    void hashMismatch();
    void tooLarge();
    void badBlobIds_data();
    void badBlobIds();
    void badMissingBodies_data();
    void badMissingBodies();
    void badContentRange_data();
    void badContentRange();
    void otherWorkspaceCannotRead();
    void viewerCannotUpload();
    void survivesRestart();
    void largeDownloadIsStreamed();

private:
    QString blobPath(const QString &workspace, const QString &id) const;
    RawResponse put(const QString &workspace, const QByteArray &bytes, const QString &id = {},
                    const QByteArray &range = {});
    RawResponse get(const QString &workspace, const QString &id, const QByteArray &range = {});
    RawResponse uploadState(const QString &workspace, const QString &id);
    QStringList missing(const QString &workspace, const QStringList &ids);

    ServerProcess m_server;
    ApiClient m_api;
    QString m_alice;
    QString m_bob;
    QString m_carol;
};

void TestBlobs::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_alice = m_server.createToken(QStringLiteral("alice"));
    m_bob = m_server.createToken(QStringLiteral("bob"));
    m_carol = m_server.createToken(QStringLiteral("carol"));
    QVERIFY(!m_alice.isEmpty() && !m_bob.isEmpty() && !m_carol.isEmpty());
    m_api.setServer(m_server.url(), m_alice);
}

void TestBlobs::cleanupTestCase()
{
    QVERIFY(m_server.terminate());
    QCOMPARE(m_server.exitCode(), 0);
}

QString TestBlobs::blobPath(const QString &workspace, const QString &id) const
{
    return QStringLiteral("/v1/workspaces/%1/blobs/%2").arg(workspace, id);
}

RawResponse TestBlobs::put(const QString &workspace, const QByteArray &bytes, const QString &id,
                           const QByteArray &range)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!range.isEmpty())
        headers.emplaceBack(QByteArray("Content-Range"), range);
    return m_api.sendBytes("PUT", blobPath(workspace, id.isEmpty() ? idOf(bytes) : id), m_alice,
                           bytes, headers);
}

RawResponse TestBlobs::get(const QString &workspace, const QString &id, const QByteArray &range)
{
    QList<std::pair<QByteArray, QByteArray>> headers;
    if (!range.isEmpty())
        headers.emplaceBack(QByteArray("Range"), range);
    return m_api.sendBytes("GET", blobPath(workspace, id), m_alice, {}, headers);
}

RawResponse TestBlobs::uploadState(const QString &workspace, const QString &id)
{
    return m_api.sendBytes("GET", blobPath(workspace, id) + QStringLiteral("/upload"), m_alice);
}

QStringList TestBlobs::missing(const QString &workspace, const QStringList &ids)
{
    const ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/%1/blobs/missing").arg(workspace),
                     m_alice, missingBody(ids));
    if (r.status != 200) {
        qWarning("missing: %d %s", r.status, r.body.constData());
        return {QStringLiteral("<failed>")};
    }
    QStringList list;
    const QJsonArray array = r.json.value(QStringLiteral("missing")).toArray();
    for (const QJsonValue &v : array)
        list.append(v.toString());
    return list;
}

void TestBlobs::uploadWhole()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray one = bytesFor("whole one", 100000);
    const QByteArray two = bytesFor("whole two", 10);
    QCOMPARE(missing(ws, {idOf(one), idOf(two), idOf(one)}), QStringList({idOf(one), idOf(two)}));

    const RawResponse stored = put(ws, one);
    QCOMPARE(stored.status, 201);
    QCOMPARE(stored.json.value(QStringLiteral("blob")).toString(), idOf(one));
    QCOMPARE(stored.json.value(QStringLiteral("size")).toInteger(), one.size());
    QCOMPARE(stored.json.value(QStringLiteral("offset")).toInteger(), one.size());
    QCOMPARE(stored.json.value(QStringLiteral("complete")).toBool(), true);
    QCOMPARE(missing(ws, {idOf(one), idOf(two)}), QStringList({idOf(two)}));

    // Sending it again stores nothing more and says it is there.
    const RawResponse again = put(ws, one);
    QCOMPARE(again.status, 200);
    QCOMPARE(again.json.value(QStringLiteral("complete")).toBool(), true);

    const RawResponse fetched = get(ws, idOf(one));
    QCOMPARE(fetched.status, 200);
    QCOMPARE(fetched.body, one);
    QCOMPARE(fetched.header("Content-Type"), QByteArray("application/octet-stream"));
    QCOMPARE(fetched.header("Accept-Ranges"), QByteArray("bytes"));
    QCOMPARE(fetched.header("Cache-Control"), QByteArray("no-store"));

    const RawResponse absent = get(ws, idOf(two));
    QCOMPARE(absent.status, 404);
    QCOMPARE(absent.json.value(QStringLiteral("code")).toString(), QStringLiteral("no_such_blob"));
    QVERIFY(!absent.json.value(QStringLiteral("message")).toString().isEmpty());
}

void TestBlobs::emptyBlob()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    QCOMPARE(put(ws, QByteArray()).status, 201);
    const RawResponse fetched = get(ws, idOf(QByteArray()));
    QCOMPARE(fetched.status, 200);
    QVERIFY(fetched.body.isEmpty());
    QCOMPARE(get(ws, idOf(QByteArray()), "bytes=0-").status, 416);
}

void TestBlobs::rangedDownload_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("length");
    // The blob has 1000 bytes.
    QTest::newRow("middle") << QByteArray("bytes=10-19") << 206 << 10LL << 10LL;
    QTest::newRow("open end") << QByteArray("bytes=990-") << 206 << 990LL << 10LL;
    QTest::newRow("suffix") << QByteArray("bytes=-5") << 206 << 995LL << 5LL;
    QTest::newRow("suffix past start") << QByteArray("bytes=-5000") << 206 << 0LL << 1000LL;
    QTest::newRow("end past size") << QByteArray("bytes=900-5000") << 206 << 900LL << 100LL;
    QTest::newRow("one byte") << QByteArray("bytes=0-0") << 206 << 0LL << 1LL;
    QTest::newRow("last byte") << QByteArray("bytes=999-999") << 206 << 999LL << 1LL;
    QTest::newRow("start at size") << QByteArray("bytes=1000-") << 416 << 0LL << 0LL;
    QTest::newRow("empty suffix") << QByteArray("bytes=-0") << 416 << 0LL << 0LL;
    QTest::newRow("backwards") << QByteArray("bytes=20-10") << 400 << 0LL << 0LL;
    QTest::newRow("two ranges") << QByteArray("bytes=0-1,5-6") << 400 << 0LL << 0LL;
    QTest::newRow("other unit") << QByteArray("items=0-1") << 400 << 0LL << 0LL;
    QTest::newRow("letters") << QByteArray("bytes=a-b") << 400 << 0LL << 0LL;
    QTest::newRow("negative") << QByteArray("bytes=-1-5") << 400 << 0LL << 0LL;
    QTest::newRow("no dash") << QByteArray("bytes=5") << 400 << 0LL << 0LL;
}

void TestBlobs::rangedDownload()
{
    QFETCH(QByteArray, range);
    QFETCH(int, status);
    QFETCH(qint64, start);
    QFETCH(qint64, length);
    static const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray blob = bytesFor("ranged", 1000);
    if (missing(ws, {idOf(blob)}).size() == 1)
        QCOMPARE(put(ws, blob).status, 201);

    const RawResponse r = get(ws, idOf(blob), range);
    QCOMPARE(r.status, status);
    if (status == 206) {
        QCOMPARE(r.body, blob.mid(start, length));
        QCOMPARE(r.header("Content-Range"),
                 "bytes " + QByteArray::number(start) + '-' + QByteArray::number(start + length - 1)
                     + "/1000");
        return;
    }
    QVERIFY(!r.json.value(QStringLiteral("message")).toString().isEmpty());
    if (status == 416) {
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("range_not_satisfiable"));
        QCOMPARE(r.header("Content-Range"), QByteArray("bytes */1000"));
    } else {
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
        QVERIFY(
            r.json.value(QStringLiteral("message")).toString().startsWith(QLatin1String("Range:")));
    }
}

void TestBlobs::uploadInPieces()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray blob = bytesFor("pieces", 300000);
    const QString id = idOf(blob);

    const RawResponse nothing = uploadState(ws, id);
    QCOMPARE(nothing.status, 200);
    QCOMPARE(nothing.json.value(QStringLiteral("offset")).toInteger(), 0);
    QCOMPARE(nothing.json.value(QStringLiteral("complete")).toBool(), false);
    QVERIFY(!nothing.json.contains(QStringLiteral("size")));

    const RawResponse first = put(ws, blob.first(100000), id, contentRange(0, 100000, 300000));
    QCOMPARE(first.status, 200);
    QCOMPARE(first.json.value(QStringLiteral("offset")).toInteger(), 100000);
    QCOMPARE(first.json.value(QStringLiteral("complete")).toBool(), false);
    QCOMPARE(missing(ws, {id}), QStringList({id})); // not there until complete
    QCOMPARE(get(ws, id).status, 404);

    // The resume question: where to go on.
    const RawResponse state = uploadState(ws, id);
    QCOMPARE(state.status, 200);
    QCOMPARE(state.json.value(QStringLiteral("offset")).toInteger(), 100000);
    QCOMPARE(state.json.value(QStringLiteral("size")).toInteger(), 300000);
    QCOMPARE(state.json.value(QStringLiteral("complete")).toBool(), false);

    // A piece that skips ahead, or names another total, is refused with where to go on.
    const RawResponse gap = put(ws, blob.mid(200000), id, contentRange(200000, 100000, 300000));
    QCOMPARE(gap.status, 409);
    QCOMPARE(gap.json.value(QStringLiteral("code")).toString(), QStringLiteral("wrong_offset"));
    QCOMPARE(gap.json.value(QStringLiteral("offset")).toInteger(), 100000);
    QVERIFY(!gap.json.value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(put(ws, blob.mid(100000, 10), id, contentRange(100000, 10, 300001)).status, 409);
    QCOMPARE(uploadState(ws, id).json.value(QStringLiteral("offset")).toInteger(), 100000);

    const RawResponse second
        = put(ws, blob.mid(100000, 150000), id, contentRange(100000, 150000, 300000));
    QCOMPARE(second.status, 200);
    QCOMPARE(second.json.value(QStringLiteral("offset")).toInteger(), 250000);
    const RawResponse last = put(ws, blob.mid(250000), id, contentRange(250000, 50000, 300000));
    QCOMPARE(last.status, 201);
    QCOMPARE(last.json.value(QStringLiteral("complete")).toBool(), true);
    QCOMPARE(get(ws, id).body, blob);
    const RawResponse done = uploadState(ws, id);
    QCOMPARE(done.json.value(QStringLiteral("complete")).toBool(), true);
    QCOMPARE(done.json.value(QStringLiteral("offset")).toInteger(), 300000);
    QVERIFY(missing(ws, {id}).isEmpty());
}

// The connection drops in the middle of a piece: that piece is not kept, the pieces before
// it are, and the upload goes on from the end of the last whole piece.
void TestBlobs::interruptedUploadResumes()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray blob = bytesFor("interrupted", 600000);
    const QString id = idOf(blob);
    QCOMPARE(put(ws, blob.first(200000), id, contentRange(0, 200000, 600000)).status, 200);

    QTcpSocket socket;
    socket.connectToHost(m_server.url().host(), m_server.port());
    QVERIFY(socket.waitForConnected(10000));
    const QByteArray piece = blob.mid(200000, 400000);
    const QByteArray head = "PUT " + blobPath(ws, id).toLatin1()
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_alice.toLatin1()
        + "\r\nContent-Type: application/octet-stream\r\nContent-Range: "
        + contentRange(200000, 400000, 600000)
        + "\r\nContent-Length: " + QByteArray::number(piece.size()) + "\r\n\r\n";
    socket.write(head + piece.first(150000));
    while (socket.bytesToWrite() > 0)
        QVERIFY(socket.waitForBytesWritten(10000));
    QTest::qWait(300); // the server has read what came
    socket.abort();
    QTest::qWait(300);

    const RawResponse state = uploadState(ws, id);
    QCOMPARE(state.status, 200);
    QCOMPARE(state.json.value(QStringLiteral("offset")).toInteger(), 200000);
    QCOMPARE(state.json.value(QStringLiteral("complete")).toBool(), false);
    QCOMPARE(get(ws, id).status, 404);

    const RawResponse resumed = put(ws, piece, id, contentRange(200000, 400000, 600000));
    QCOMPARE(resumed.status, 201);
    QCOMPARE(get(ws, id).body, blob);
}

void TestBlobs::hashMismatch()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray claimed = bytesFor("claimed", 5000);
    const QByteArray sent = bytesFor("sent instead", 5000);
    const QString id = idOf(claimed);

    const RawResponse whole = put(ws, sent, id);
    QCOMPARE(whole.status, 400);
    QCOMPARE(whole.json.value(QStringLiteral("code")).toString(), QStringLiteral("blob_mismatch"));
    QVERIFY2(whole.json.value(QStringLiteral("message")).toString().contains(idOf(sent)),
             whole.body.constData());
    QCOMPARE(missing(ws, {id, idOf(sent)}), QStringList({id, idOf(sent)}));
    QCOMPARE(get(ws, id).status, 404);
    QCOMPARE(get(ws, idOf(sent)).status, 404);

    // In pieces: the last piece finds it out, and the whole upload is gone.
    QCOMPARE(put(ws, sent.first(3000), id, contentRange(0, 3000, 5000)).status, 200);
    const RawResponse last = put(ws, sent.mid(3000), id, contentRange(3000, 2000, 5000));
    QCOMPARE(last.status, 400);
    QCOMPARE(last.json.value(QStringLiteral("code")).toString(), QStringLiteral("blob_mismatch"));
    const RawResponse state = uploadState(ws, id);
    QCOMPARE(state.json.value(QStringLiteral("offset")).toInteger(), 0);
    QVERIFY(!state.json.contains(QStringLiteral("size")));
    QCOMPARE(missing(ws, {id}), QStringList({id}));

    // The right bytes still go in afterwards.
    QCOMPARE(put(ws, claimed).status, 201);
    QCOMPARE(get(ws, id).body, claimed);
}

void TestBlobs::tooLarge()
{
    ServerProcess small;
    QVERIFY2(small.start({QStringLiteral("--max-blob"), QStringLiteral("4096"),
                          QStringLiteral("--max-body"), QStringLiteral("1024")}),
             qPrintable(small.lastError()));
    const QString token = small.createToken(QStringLiteral("alice"));
    ApiClient api;
    api.setServer(small.url(), token);
    const QByteArray fits = bytesFor("fits", 4096);
    const QByteArray big = bytesFor("too big", 4097);
    const QString path = QStringLiteral("/v1/workspaces/alice/blobs/");

    const RawResponse whole = api.sendBytes("PUT", path + idOf(big), token, big);
    QCOMPARE(whole.status, 413);
    QCOMPARE(whole.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    // A small piece of a blob whose total is past the limit.
    const RawResponse piece = api.sendBytes("PUT", path + idOf(big), token, big.first(100),
                                            {{"Content-Range", contentRange(0, 100, 4097)}});
    QCOMPARE(piece.status, 413);
    QCOMPARE(piece.json.value(QStringLiteral("code")).toString(), QStringLiteral("too_large"));
    QCOMPARE(api.sendBytes("GET", path + idOf(big) + QStringLiteral("/upload"), token)
                 .json.value(QStringLiteral("offset"))
                 .toInteger(),
             0);
    const ApiResponse missing
        = api.send("POST", QStringLiteral("/v1/workspaces/alice/blobs/missing"), token,
                   missingBody({idOf(big)}));
    QCOMPARE(missing.json.value(QStringLiteral("missing")).toArray().size(), 1);

    // Blob bodies are limited by --max-blob, not --max-body: exactly at it is fine, while a
    // JSON body of that size is still refused.
    QCOMPARE(api.sendBytes("PUT", path + idOf(fits), token, fits).status, 201);
    QCOMPARE(api.sendBytes("GET", path + idOf(fits), token).body, fits);
    const ApiResponse json
        = api.send("POST", QStringLiteral("/v1/workspaces/alice/blobs/missing"), token,
                   missingBody({idOf(fits), idOf(big), idOf("a"), idOf("b"), idOf("c"), idOf("d"),
                                idOf("e"), idOf("f"), idOf("g"), idOf("h"), idOf("i"), idOf("j"),
                                idOf("k"), idOf("l"), idOf("m")}));
    QCOMPARE(json.status, 413);
}

void TestBlobs::badBlobIds_data()
{
    QTest::addColumn<QString>("id");
    const QString hex = idOf("x").mid(7);
    QTest::newRow("upper case") << QStringLiteral("sha256:") + hex.toUpper();
    QTest::newRow("short") << QStringLiteral("sha256:") + hex.left(63);
    QTest::newRow("long") << QStringLiteral("sha256:") + hex + QLatin1Char('0');
    QTest::newRow("not hex") << QStringLiteral("sha256:") + hex.left(63) + QLatin1Char('g');
    QTest::newRow("no prefix") << hex;
    QTest::newRow("other hash") << QStringLiteral("md5:") + hex;
    QTest::newRow("sql") << QStringLiteral("x'%20OR%20'1'='1");
}

void TestBlobs::badBlobIds()
{
    QFETCH(QString, id);
    const QString ws = QStringLiteral("alice");
    const QList<RawResponse> answers {put(ws, "bytes", id), get(ws, id), uploadState(ws, id)};
    for (const RawResponse &r : answers) {
        QCOMPARE(r.status, 400);
        QCOMPARE(r.json.value(QStringLiteral("code")).toString(),
                 QStringLiteral("invalid_request"));
        QVERIFY(r.json.value(QStringLiteral("message"))
                    .toString()
                    .startsWith(QLatin1String("blob id:")));
    }
}

void TestBlobs::badMissingBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("names");
    const QString good = idOf("good");
    QTest::newRow("not json") << QByteArray("blobs") << 400 << QStringLiteral("bad_json")
                              << QString();
    QTest::newRow("no key") << QByteArray("{}") << 400 << QStringLiteral("invalid_request")
                            << QStringLiteral("blobs:");
    QTest::newRow("not array") << QByteArray("{\"blobs\":\"x\"}") << 400
                               << QStringLiteral("invalid_request") << QStringLiteral("blobs:");
    QTest::newRow("bad element") << ("{\"blobs\":[\"" + good.toLatin1() + "\",\"sha256:00\"]}")
                                 << 400 << QStringLiteral("invalid_request")
                                 << QStringLiteral("blobs[1]:");
    QTest::newRow("number") << QByteArray("{\"blobs\":[7]}") << 400
                            << QStringLiteral("invalid_request") << QStringLiteral("blobs[0]:");
    QTest::newRow("duplicate key") << QByteArray("{\"blobs\":[],\"blobs\":[]}") << 400
                                   << QStringLiteral("bad_json") << QString();
    QStringList many;
    for (int i = 0; i < 1001; ++i)
        many.append(good);
    QTest::newRow("too many") << missingBody(many) << 413 << QStringLiteral("too_large")
                              << QStringLiteral("blobs:");
    many.removeLast();
    QTest::newRow("most") << missingBody(many) << 200 << QString() << QString();
}

void TestBlobs::badMissingBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, code);
    QFETCH(QString, names);
    const ApiResponse r
        = m_api.send("POST", QStringLiteral("/v1/workspaces/alice/blobs/missing"), m_alice, body);
    QCOMPARE(r.status, status);
    if (status == 200) {
        QCOMPARE(r.json.value(QStringLiteral("missing")).toArray().size(), 1);
        return;
    }
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), code);
    QVERIFY2(r.json.value(QStringLiteral("message")).toString().startsWith(names),
             r.body.constData());
}

void TestBlobs::badContentRange_data()
{
    QTest::addColumn<QByteArray>("range");
    QTest::addColumn<int>("bodySize");
    QTest::newRow("end past total") << QByteArray("bytes 0-9/5") << 10;
    QTest::newRow("backwards") << QByteArray("bytes 5-3/10") << 3;
    QTest::newRow("other unit") << QByteArray("items 0-1/2") << 2;
    QTest::newRow("body too short") << QByteArray("bytes 0-9/10") << 5;
    QTest::newRow("body too long") << QByteArray("bytes 0-4/10") << 6;
    QTest::newRow("unknown total") << QByteArray("bytes 0-4/*") << 5;
    QTest::newRow("no range") << QByteArray("bytes */10") << 0;
    QTest::newRow("negative") << QByteArray("bytes -1-4/10") << 5;
    QTest::newRow("garbage") << QByteArray("bytes x") << 5;
}

void TestBlobs::badContentRange()
{
    QFETCH(QByteArray, range);
    QFETCH(int, bodySize);
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray blob = bytesFor("content range", 10);
    const RawResponse r
        = put(ws, blob.left(bodySize).leftJustified(bodySize, 'x'), idOf(blob), range);
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json.value(QStringLiteral("code")).toString(), QStringLiteral("invalid_request"));
    QVERIFY2(r.json.value(QStringLiteral("message"))
                 .toString()
                 .startsWith(QLatin1String("Content-Range:")),
             r.body.constData());
    QCOMPARE(uploadState(ws, idOf(blob)).json.value(QStringLiteral("offset")).toInteger(), 0);
}

// A blob belongs to the workspaces it was uploaded to: knowing its hash is not enough.
void TestBlobs::otherWorkspaceCannotRead()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray secret = bytesFor("secret", 2000);
    const QString id = idOf(secret);
    QCOMPARE(put(ws, secret).status, 201);

    ApiClient bob;
    bob.setServer(m_server.url(), m_bob);
    const RawResponse foreign = bob.sendBytes("GET", blobPath(ws, id), m_bob);
    QCOMPARE(foreign.status, 403);
    QCOMPARE(foreign.json.value(QStringLiteral("code")).toString(), QStringLiteral("forbidden"));
    QCOMPARE(bob.sendBytes("GET", blobPath(ws, id) + QStringLiteral("/upload"), m_bob).status, 403);
    QCOMPARE(bob.send("POST", QStringLiteral("/v1/workspaces/%1/blobs/missing").arg(ws), m_bob,
                      missingBody({id}))
                 .status,
             403);
    // Through bob's own workspace: no such blob there.
    const RawResponse own = bob.sendBytes("GET", blobPath(QStringLiteral("bob"), id), m_bob);
    QCOMPARE(own.status, 404);
    QCOMPARE(own.json.value(QStringLiteral("code")).toString(), QStringLiteral("no_such_blob"));
    QCOMPARE(bob.send("POST", QStringLiteral("/v1/workspaces/bob/blobs/missing"), m_bob,
                      missingBody({id}))
                 .json.value(QStringLiteral("missing"))
                 .toArray()
                 .size(),
             1);
    // Claiming it without the bytes does not work either, though the server has them.
    const RawResponse claim
        = bob.sendBytes("PUT", blobPath(QStringLiteral("bob"), id), m_bob, QByteArray("x"));
    QCOMPARE(claim.status, 400);
    QCOMPARE(claim.json.value(QStringLiteral("code")).toString(), QStringLiteral("blob_mismatch"));
    QCOMPARE(bob.sendBytes("GET", blobPath(QStringLiteral("bob"), id), m_bob).status, 404);
    // With the bytes it is bob's too, and alice's copy is unharmed.
    QCOMPARE(bob.sendBytes("PUT", blobPath(QStringLiteral("bob"), id), m_bob, secret).status, 201);
    QCOMPARE(bob.sendBytes("GET", blobPath(QStringLiteral("bob"), id), m_bob).body, secret);
    QCOMPARE(get(ws, id).body, secret);
}

void TestBlobs::viewerCannotUpload()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    QCOMPARE(m_server
                 .runAdmin({QStringLiteral("workspace"), QStringLiteral("add-member"), ws,
                            QStringLiteral("--user"), QStringLiteral("carol"),
                            QStringLiteral("--role"), QStringLiteral("viewer")})
                 .exitCode,
             0);
    ApiClient carol;
    carol.setServer(m_server.url(), m_carol);
    const QByteArray blob = bytesFor("viewer", 3000);
    const QString id = idOf(blob);

    const RawResponse whole = carol.sendBytes("PUT", blobPath(ws, id), m_carol, blob);
    QCOMPARE(whole.status, 403);
    QCOMPARE(whole.json.value(QStringLiteral("code")).toString(), QStringLiteral("read_only"));
    QVERIFY(!whole.json.value(QStringLiteral("message")).toString().isEmpty());
    const RawResponse piece = carol.sendBytes("PUT", blobPath(ws, id), m_carol, blob.first(10),
                                              {{"Content-Range", contentRange(0, 10, 3000)}});
    QCOMPARE(piece.status, 403);
    QCOMPARE(missing(ws, {id}), QStringList({id}));
    QCOMPARE(uploadState(ws, id).json.value(QStringLiteral("offset")).toInteger(), 0);

    // Reading is any member's: once an editor has uploaded it, the viewer can fetch it.
    QCOMPARE(put(ws, blob).status, 201);
    QCOMPARE(carol.sendBytes("GET", blobPath(ws, id), m_carol).body, blob);
    const ApiResponse asked
        = carol.send("POST", QStringLiteral("/v1/workspaces/%1/blobs/missing").arg(ws), m_carol,
                     missingBody({id}));
    QCOMPARE(asked.status, 200);
    QVERIFY(asked.json.value(QStringLiteral("missing")).toArray().isEmpty());
}

void TestBlobs::survivesRestart()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    const QByteArray kept = bytesFor("kept", 70000);
    const QByteArray half = bytesFor("half", 80000);
    QCOMPARE(put(ws, kept).status, 201);
    QCOMPARE(put(ws, half.first(30000), idOf(half), contentRange(0, 30000, 80000)).status, 200);

    QVERIFY2(m_server.restart(), qPrintable(m_server.lastError()));
    m_api.setServer(m_server.url(), m_alice);

    QCOMPARE(get(ws, idOf(kept)).body, kept);
    QCOMPARE(missing(ws, {idOf(kept), idOf(half)}), QStringList({idOf(half)}));
    const RawResponse state = uploadState(ws, idOf(half));
    QCOMPARE(state.json.value(QStringLiteral("offset")).toInteger(), 30000);
    QCOMPARE(state.json.value(QStringLiteral("size")).toInteger(), 80000);
    QCOMPARE(put(ws, half.mid(30000), idOf(half), contentRange(30000, 50000, 80000)).status, 201);
    QCOMPARE(get(ws, idOf(half)).body, half);
}

// A download is read from the blob's file as the connection takes it: a client that reads
// slowly costs the server a bounded amount of memory, not the blob's size (twice, as when the
// answer was built whole); one that goes away midway ends it; a request pipelined behind it
// closes the connection rather than answer out of order.
void TestBlobs::largeDownloadIsStreamed()
{
    const QString ws = m_server.newWorkspace(QStringLiteral("alice"));
    constexpr qint64 kPiece = 4 * 1024 * 1024;
    constexpr qint64 kSize = 12 * kPiece; // 48 MiB
    const QByteArray blob = bytesFor("streamed", kSize);
    const QString id = idOf(blob);
    for (qint64 at = 0; at < kSize; at += kPiece)
        QCOMPARE(put(ws, blob.mid(at, kPiece), id, contentRange(at, kPiece, kSize)).status,
                 at + kPiece < kSize ? 200 : 201);

    const QByteArray request = "GET " + blobPath(ws, id).toLatin1()
        + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + m_alice.toLatin1()
        + "\r\n\r\n";
    const auto connectSlow = [this](QTcpSocket &socket) {
        socket.setReadBufferSize(64 * 1024); // reads no more than that until asked
        socket.connectToHost(m_server.url().host(), m_server.port());
        return socket.waitForConnected(5000);
    };
    // What the socket holds, or what comes within 5 s (empty: nothing came).
    const auto readSome = [](QTcpSocket &socket) {
        if (socket.bytesAvailable() == 0)
            socket.waitForReadyRead(5000);
        return socket.readAll();
    };
    const qint64 before = m_server.residentKiB();
    QVERIFY(before > 0);

    QTcpSocket slow;
    QVERIFY(connectSlow(slow));
    slow.write(request);
    QTest::qWait(1500); // the server goes as far as the connection lets it
    const qint64 during = m_server.residentKiB();
    // Others are answered meanwhile.
    QCOMPARE(get(ws, idOf(QByteArray())).status, 404);
    QVERIFY2(during - before < 16 * 1024,
             qPrintable(QStringLiteral("the server grew by %1 KiB while a client read a %2 KiB "
                                       "download slowly")
                            .arg(during - before)
                            .arg(kSize / 1024)));

    // Read to the end: the head, then exactly the blob's bytes.
    QByteArray answer;
    const qsizetype headEnd = [&] {
        while (!answer.contains("\r\n\r\n")) {
            const QByteArray bytes = readSome(slow);
            if (bytes.isEmpty())
                break;
            answer += bytes;
        }
        return answer.indexOf("\r\n\r\n") + 4;
    }();
    QVERIFY(headEnd > 4);
    QVERIFY2(answer.startsWith("HTTP/1.1 200"), answer.left(200).constData());
    QVERIFY(
        answer.left(headEnd).contains(QByteArray("Content-Length: " + QByteArray::number(kSize))));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(QByteArrayView(answer).sliced(headEnd));
    qint64 received = answer.size() - headEnd;
    answer.clear();
    while (received < kSize) {
        const QByteArray bytes = readSome(slow);
        if (bytes.isEmpty())
            break;
        hash.addData(bytes);
        received += bytes.size();
    }
    QCOMPARE(received, kSize);
    QCOMPARE(QStringLiteral("sha256:") + QString::fromLatin1(hash.result().toHex()), id);

    // The same connection serves the next request as usual once the body is out.
    slow.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    QByteArray health;
    while (!health.contains("\"ok\"")) {
        const QByteArray bytes = readSome(slow);
        if (bytes.isEmpty())
            break;
        health += bytes;
    }
    QVERIFY2(health.startsWith("HTTP/1.1 200"), health.constData());

    // A client that goes away midway: the server goes on serving.
    {
        QTcpSocket gone;
        QVERIFY(connectSlow(gone));
        gone.write(request);
        QVERIFY(!readSome(gone).isEmpty());
        gone.abort();
    }
    QTest::qWait(200);
    QCOMPARE(get(ws, id, "bytes=0-9").body, blob.first(10));

    // A request pipelined behind the download: answers never overlap or change places. The
    // server closes the connection if the request comes while the body is still going out (what
    // came before is the start of the right answer); if the body was all out first, the second
    // answer follows it whole.
    QTcpSocket pipelining;
    QVERIFY(connectSlow(pipelining));
    pipelining.write(request);
    QByteArray cut = readSome(pipelining);
    QVERIFY(!cut.isEmpty());
    pipelining.write(request);
    for (QByteArray bytes = readSome(pipelining); !bytes.isEmpty(); bytes = readSome(pipelining))
        cut += bytes;
    const qsizetype cutHead = cut.indexOf("\r\n\r\n") + 4;
    QVERIFY(cutHead > 4);
    const QByteArray firstBody = cut.sliced(cutHead).first(std::min(cut.size() - cutHead, kSize));
    QVERIFY(firstBody == blob.first(firstBody.size()));
    if (firstBody.size() == kSize) {
        const QByteArray second = cut.sliced(cutHead + kSize);
        QVERIFY2(second.startsWith("HTTP/1.1 200") && second.endsWith(blob.last(1024)),
                 "after the first answer came something other than the second");
        QCOMPARE(second.size() - (second.indexOf("\r\n\r\n") + 4), kSize);
    }
    QCOMPARE(m_api.request("GET", QStringLiteral("/healthz"), {}).status, 200);
}

QTEST_MAIN(TestBlobs)
#include "tst_blobs.moc"
