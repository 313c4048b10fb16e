// Attachments that travel: the bytes of a file attached on one device reach the server
// before the record that names them, and any other device of the workspace fetches them,
// resumably, checked against their hash. Real ferry-server, real stores, real files.
#include "apiclient.h"
#include "blobstore.h"
#include "blobtransfer.h"
#include "faultproxy.h"
#include "serverprocess.h"
#include "testdevice.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

using namespace Ferry;
using namespace FerryTest;

namespace {

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    random.fillRange(reinterpret_cast<quint32 *>(bytes.data()), size / 4);
    return bytes;
}

QByteArray bytesOf(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QJsonObject attachment(const QString &blob, const QString &name, qint64 size)
{
    return {{QStringLiteral("file"), blob},
            {QStringLiteral("name"), name},
            {QStringLiteral("size"), size}};
}

// The server's copy of a blob's bytes (content-addressed under its data folder).
QString serverCopy(const ServerProcess &server, const QString &blob)
{
    const QString hex = blob.mid(7);
    QDirIterator it(server.dataDir(), {hex}, QDir::Files, QDirIterator::Subdirectories);
    return it.hasNext() ? it.next() : QString();
}

// What goes wrong when a device that joins now pulls and opens each of `files` (blob ->
// bytes); empty when every one comes with its bytes.
QString openedOnANewDevice(const SyncConfig &config, const QHash<QString, QByteArray> &files)
{
    TestDevice fresh(config);
    const SyncSummary synced = fresh.sync();
    if (!synced.ok)
        return QStringLiteral("the new device did not sync: ") + synced.error.message;
    for (auto it = files.cbegin(); it != files.cend(); ++it) {
        const Error fetched = fresh.fetch(it.key());
        if (!fetched.code.isEmpty())
            return it.key() + QStringLiteral(" cannot be fetched: ") + fetched.message;
        if (bytesOf(BlobStore::filePath(fresh.blobFolder(), it.key())) != it.value())
            return it.key() + QStringLiteral(" came with other bytes");
    }
    return {};
}

} // namespace

class TestBlobSync : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void fileAttachedHereOpensThere();
    void sameFileIsSentOnce();
    void uploadCutInTheMiddleGoesOn();
    void downloadCutInTheMiddleGoesOn();
    void wrongBytesAreRefused();
    void viewerCannotSendAFile();
    void fileOfAnotherWorkspaceCannotBeFetched();
    void collectionRemovesOnlyFilesNoRecordNames();
    void ownerSeesWhatTheWorkspaceKeeps();
    void fileTheServerLostIsSentAgain();
    void fileTooLargeHoldsBackOnlyItsRecord();
    void fileLostInASecondRestoreIsSentAgain_data();
    void fileLostInASecondRestoreIsSentAgain();
    void fileNamedAgainElsewhereIsSentAfterALoss_data();
    void fileNamedAgainElsewhereIsSentAfterALoss();

private:
    SyncConfig freshWorkspace();

    ServerProcess m_server;
    QString m_token;
};

void TestBlobSync::initTestCase()
{
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
    m_token = m_server.createToken(QStringLiteral("alice"));
    QVERIFY(!m_token.isEmpty());
}

SyncConfig TestBlobSync::freshWorkspace()
{
    return SyncConfig {m_server.url(), m_token, m_server.newWorkspace(QStringLiteral("alice"))};
}

// A file of several upload pieces, attached on one device, opens on another with the same
// bytes; until it is fetched there, that device says it does not have it.
void TestBlobSync::fileAttachedHereOpensThere()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config), b(config);
    const QByteArray bytes = randomBytes(9 * 1024 * 1024 + 123, 1);
    const QString blob = a.keepFile(bytes);
    const QString guid = a.create(QStringLiteral("Attachment"),
                                  attachment(blob, QStringLiteral("scan.pdf"), bytes.size()));
    const SyncSummary sent = a.sync();
    QVERIFY2(sent.ok, qPrintable(sent.error.message));
    QCOMPARE(sent.blobsSent, 1);
    QCOMPARE(bytesOf(serverCopy(m_server, blob)), bytes);

    SYNC_OK(b);
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("file")).toString(), blob);
    QVERIFY(!BlobStore::has(b.blobFolder(), blob));
    const Error fetched = b.fetch(blob);
    QVERIFY2(fetched.code.isEmpty(), qPrintable(fetched.message));
    QVERIFY(BlobStore::has(b.blobFolder(), blob));
    QCOMPARE(bytesOf(BlobStore::filePath(b.blobFolder(), blob)), bytes);
    QVERIFY(!QFileInfo::exists(BlobStore::partPath(b.blobFolder(), blob)));
}

// The same bytes attached to two records go up once; a later record naming them sends none.
void TestBlobSync::sameFileIsSentOnce()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QByteArray bytes = randomBytes(300 * 1024, 2);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("one.png"), bytes.size()));
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("two.png"), bytes.size()));
    SyncSummary summary = a.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.blobsSent, 1);
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("three.png"), bytes.size()));
    summary = a.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(summary.blobsSent, 0);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
}

// The connection breaks while the answer to the second of three pieces comes back: the
// retry asks the server where its copy ends and sends the rest, not the whole file again.
// (A request refused before any answer is sent again by Qt itself, and proves nothing.)
void TestBlobSync::uploadCutInTheMiddleGoesOn()
{
    const SyncConfig config = freshWorkspace();
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config);
    const QByteArray bytes = randomBytes(3 * BlobTransfer::kPieceBytes - 1000, 3);
    const QString blob = a.keepFile(bytes);
    const QString guid = a.create(QStringLiteral("Attachment"),
                                  attachment(blob, QStringLiteral("video.mp4"), bytes.size()));
    proxy.setFault("PUT ", FaultProxy::Fault::CutResponse, 1, 1);
    const SyncSummary summary = a.sync();
    QVERIFY2(summary.ok, qPrintable(summary.error.message));
    QCOMPARE(proxy.faulted(), 1);
    QCOMPARE(proxy.matched(), 3); // pieces 1, 2 (its answer lost), 3: none sent twice
    QCOMPARE(bytesOf(serverCopy(m_server, blob)), bytes);
    SYNC_OK(b);
    QCOMPARE(b.record(guid).fields.value(QStringLiteral("file")).toString(), blob);
}

// A download that breaks off keeps what arrived; the next attempt asks for the rest only.
void TestBlobSync::downloadCutInTheMiddleGoesOn()
{
    const SyncConfig config = freshWorkspace();
    FaultProxy proxy(m_server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(config), b(proxied);
    const QByteArray bytes = randomBytes(6 * 1024 * 1024, 4);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"), attachment(blob, QStringLiteral("a.bin"), bytes.size()));
    SYNC_OK(a);
    SYNC_OK(b);

    constexpr qint64 kCut = 2 * 1024 * 1024 + 17;
    proxy.setCutAfter(kCut);
    proxy.setFault("/blobs/sha256", FaultProxy::Fault::CutResponse, 0, 1);
    const Error cut = b.fetch(blob);
    QCOMPARE(cut.code, QStringLiteral("network"));
    QVERIFY(!BlobStore::has(b.blobFolder(), blob));
    const qint64 kept = QFileInfo(BlobStore::partPath(b.blobFolder(), blob)).size();
    QCOMPARE(kept, kCut);

    QSignalSpy progress(&b.client(), &SyncClient::blobFetchProgress);
    const Error fetched = b.fetch(blob);
    QVERIFY2(fetched.code.isEmpty(), qPrintable(fetched.message));
    QVERIFY(!progress.isEmpty());
    QVERIFY2(progress.first().at(1).toLongLong() > kept, "the download started over");
    QCOMPARE(bytesOf(BlobStore::filePath(b.blobFolder(), blob)), bytes);
}

// A server that sends other bytes than the id names (damaged, or hostile): nothing is kept,
// and the device says what happened.
void TestBlobSync::wrongBytesAreRefused()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QByteArray bytes = randomBytes(200 * 1024, 5);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"), attachment(blob, QStringLiteral("x.bin"), bytes.size()));
    SYNC_OK(a);
    QVERIFY(server.terminate());
    QFile copy(serverCopy(server, blob));
    QVERIFY(copy.open(QIODevice::ReadWrite));
    copy.seek(1000);
    copy.write("tampered");
    copy.close();
    QVERIFY(server.restart());

    SYNC_OK(b);
    const Error fetched = b.fetch(blob);
    QCOMPARE(fetched.code, QStringLiteral("blob_mismatch"));
    QVERIFY(!BlobStore::has(b.blobFolder(), blob));
    QVERIFY(!QFileInfo::exists(BlobStore::partPath(b.blobFolder(), blob)));
}

// A viewer's device may not send files (nor the records naming them): the server keeps none.
void TestBlobSync::viewerCannotSendAFile()
{
    const SyncConfig config = freshWorkspace();
    const QString viewer = m_server.createToken(QStringLiteral("victor"));
    ApiClient api;
    api.setServer(m_server.url(), m_token);
    QCOMPARE(api.share(config.workspace, QStringLiteral("victor"), QStringLiteral("viewer"),
                       m_token, viewer)
                 .status,
             200);
    TestDevice v(SyncConfig {m_server.url(), viewer, config.workspace});
    const QByteArray bytes = randomBytes(10 * 1024, 6);
    const QString blob = v.keepFile(bytes);
    v.create(QStringLiteral("Attachment"), attachment(blob, QStringLiteral("v.txt"), bytes.size()));
    const SyncSummary summary = v.sync();
    QVERIFY(!summary.ok);
    QCOMPARE(summary.error.code, QStringLiteral("read_only"));
    QVERIFY(serverCopy(m_server, blob).isEmpty());
    QCOMPARE(v.store().unsyncedCount().value(), 1);
}

// Knowing a file's id is not enough: a device of another workspace cannot fetch it.
void TestBlobSync::fileOfAnotherWorkspaceCannotBeFetched()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QByteArray bytes = randomBytes(10 * 1024, 7);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("secret"), bytes.size()));
    SYNC_OK(a);
    const QString mallory = m_server.createToken(QStringLiteral("mallory"));
    TestDevice m(
        SyncConfig {m_server.url(), mallory, m_server.newWorkspace(QStringLiteral("mallory"))});
    const Error fetched = m.fetch(blob);
    QCOMPARE(fetched.code, QStringLiteral("no_such_blob"));
    QVERIFY(!BlobStore::has(m.blobFolder(), blob));
    TestDevice intruder(SyncConfig {m_server.url(), mallory, config.workspace});
    QCOMPARE(intruder.fetch(blob).code, QStringLiteral("forbidden"));
    QVERIFY(!BlobStore::has(intruder.blobFolder(), blob));
}

// Garbage collection: a blob no record of its workspace names any more (replaced, or
// uploaded and never used) is released once its grace period is over, and its file goes when
// no workspace holds it. A deleted record still names its file (a restore brings it back).
void TestBlobSync::collectionRemovesOnlyFilesNoRecordNames()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(QStringLiteral("alice"));
    const SyncConfig config {server.url(), token, QStringLiteral("alice")};
    const SyncConfig other {server.url(), token, server.newWorkspace(QStringLiteral("alice"))};
    TestDevice a(config), b(other);
    const auto attach = [](TestDevice &device, const QByteArray &bytes) {
        const QString blob = device.keepFile(bytes);
        return std::pair {blob,
                          device.create(QStringLiteral("Attachment"),
                                        attachment(blob, QStringLiteral("f"), bytes.size()))};
    };
    const auto [kept, keptGuid] = attach(a, randomBytes(1000, 11));
    const auto [deleted, deletedGuid] = attach(a, randomBytes(1000, 12));
    const auto [replaced, replacedGuid] = attach(a, randomBytes(1000, 13));
    const QByteArray sharedBytes = randomBytes(1000, 14);
    const auto [shared, sharedGuid] = attach(a, sharedBytes);
    SYNC_OK(a);
    QVERIFY(a.store().deleteRecord(deletedGuid));
    const QString replacement = a.keepFile(randomBytes(1000, 15));
    a.edit(replacedGuid, {{QStringLiteral("file"), replacement}});
    a.edit(sharedGuid, {{QStringLiteral("file"), QJsonValue::Null}});
    SYNC_OK(a);
    attach(b, sharedBytes); // the same bytes, named by a record of another workspace
    SYNC_OK(b);
    // Uploaded, and the record that was to name it never came.
    ApiClient api;
    api.setServer(server.url(), token);
    const QByteArray strayBytes = randomBytes(1000, 16);
    const QString stray
        = QStringLiteral("sha256:")
        + QString::fromLatin1(
              QCryptographicHash::hash(strayBytes, QCryptographicHash::Sha256).toHex());
    QCOMPARE(api.sendBytes("PUT", QStringLiteral("/v1/workspaces/alice/blobs/") + stray, token,
                           strayBytes)
                 .status,
             201);

    // Within the grace period nothing goes.
    QVERIFY(server.admin({QStringLiteral("blobs"), QStringLiteral("gc")})
                .startsWith(QStringLiteral("released 0 blobs")));
    const QString report = server.admin({QStringLiteral("blobs"), QStringLiteral("gc"),
                                         QStringLiteral("--blob-grace"), QStringLiteral("0")});
    QVERIFY2(report.startsWith(QStringLiteral("released 3 blobs no record names; removed 2 files")),
             qPrintable(report + server.lastError()));

    const QJsonArray asked {kept, deleted, replaced, replacement, shared, stray};
    const ApiResponse missing
        = api.send("POST", QStringLiteral("/v1/workspaces/alice/blobs/missing"), token,
                   QJsonDocument(QJsonObject {{QStringLiteral("blobs"), asked}}).toJson());
    QCOMPARE(missing.json.value(QStringLiteral("missing")).toArray(),
             (QJsonArray {replaced, shared, stray}));
    QVERIFY(serverCopy(server, replaced).isEmpty());
    QVERIFY(serverCopy(server, stray).isEmpty());
    QVERIFY(!serverCopy(server, shared).isEmpty()); // the other workspace still holds it
    for (const QString &blob : {kept, deleted, replacement})
        QVERIFY(!serverCopy(server, blob).isEmpty());
    TestDevice c(other);
    SYNC_OK(c);
    const Error fetched = c.fetch(shared);
    QVERIFY2(fetched.code.isEmpty(), qPrintable(fetched.message));
    QCOMPARE(bytesOf(BlobStore::filePath(c.blobFolder(), shared)), sharedBytes);
    // The deleted record, restored, still opens.
    QVERIFY(a.store().restoreRecord(deletedGuid));
    SYNC_OK(a);
    TestDevice d(config);
    SYNC_OK(d);
    QVERIFY(d.fetch(deleted).code.isEmpty());
}

// The owner sees how much the workspace keeps on the server; other members do not.
void TestBlobSync::ownerSeesWhatTheWorkspaceKeeps()
{
    const SyncConfig config = freshWorkspace();
    TestDevice a(config);
    const QByteArray one = randomBytes(4000, 21), two = randomBytes(6000, 22);
    a.create(QStringLiteral("Attachment"), attachment(a.keepFile(one), QStringLiteral("1"), 4000));
    a.create(QStringLiteral("Attachment"), attachment(a.keepFile(two), QStringLiteral("2"), 6000));
    a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("no file")}});
    SYNC_OK(a);
    ApiClient api;
    api.setServer(m_server.url(), m_token);
    const ApiResponse use = api.send(
        "GET", QStringLiteral("/v1/workspaces/%1/storage").arg(config.workspace), m_token);
    QCOMPARE(use.status, 200);
    QCOMPARE(use.json.value(QStringLiteral("records")).toInt(), 3);
    QCOMPARE(use.json.value(QStringLiteral("blobs")).toInt(), 2);
    QCOMPARE(use.json.value(QStringLiteral("bytes")).toInteger(), 10000);
    const QString editor = m_server.createToken(QStringLiteral("edna"));
    QCOMPARE(api.share(config.workspace, QStringLiteral("edna"), QStringLiteral("editor"), m_token,
                       editor)
                 .status,
             200);
    QCOMPARE(
        api.send("GET", QStringLiteral("/v1/workspaces/%1/storage").arg(config.workspace), editor)
            .status,
        403);
}

// The server is put back to a backup older than a file and the record naming it. Another
// device, which never fetched the file, sends the record back first; the device holding the
// bytes then finds the record as it has it, and nothing to send for it. After comparing
// with a server that lost history, a device checks the files its records name and sends
// those the server lacks.
void TestBlobSync::fileTheServerLostIsSentAgain()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("first")}});
    SYNC_OK(a);
    SYNC_OK(b);
    QTemporaryDir backup;
    QVERIFY(server.backupDatabase(backup.path()));

    const QByteArray bytes = randomBytes(50000, 31);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("plan.pdf"), bytes.size()));
    SYNC_OK(a);
    SYNC_OK(b);
    QVERIFY(!BlobStore::has(b.blobFolder(), blob));

    QVERIFY(server.restoreDatabase(backup.path()));
    SYNC_OK(b); // sends the record back, without the file it never had
    SYNC_OK(b);
    SYNC_OK(a);
    SYNC_OK(a);
    const QString problem = openedOnANewDevice(config, {{blob, bytes}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// A file larger than the server accepts keeps its record on this device, saying so; every
// other change goes out, and the record follows once it names a file the server takes.
void TestBlobSync::fileTooLargeHoldsBackOnlyItsRecord()
{
    ServerProcess server;
    QVERIFY2(server.start({QStringLiteral("--max-blob"), QStringLiteral("65536")}),
             qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    const QByteArray big = randomBytes(100 * 1024, 11);
    const QString bigBlob = a.keepFile(big);
    const QString held = a.create(QStringLiteral("Attachment"),
                                  attachment(bigBlob, QStringLiteral("big.bin"), big.size()));
    const QByteArray small = randomBytes(10 * 1024, 12);
    const QString smallBlob = a.keepFile(small);
    const QString withFile
        = a.create(QStringLiteral("Attachment"),
                   attachment(smallBlob, QStringLiteral("small.bin"), small.size()));
    const QString plain
        = a.create(QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("words")}});

    QSignalSpy told(&a.client(), &SyncClient::errorOccurred);
    const SyncSummary first = a.sync();
    QVERIFY2(first.ok, qPrintable(first.error.message)); // the other changes went
    QCOMPARE(first.heldBack.size(), 1);
    SYNC_OK(b);
    QCOMPARE(b.record(plain).fields.value(QStringLiteral("title")).toString(),
             QStringLiteral("words"));
    QCOMPARE(b.record(withFile).fields.value(QStringLiteral("file")).toString(), smallBlob);
    QVERIFY(!b.store().record(held)); // never reached the server
    QVERIFY(serverCopy(server, bigBlob).isEmpty());
    QCOMPARE(a.store().unsyncedCount().value(), 1); // still to send, not dropped
    bool namedIt = false;
    for (const QList<QVariant> &args : std::as_const(told)) {
        const Error error = args.at(0).value<Error>();
        if (error.code == QLatin1String("too_large")
            && error.message.contains(QStringLiteral("big.bin"))
            && error.message.contains(QStringLiteral("65536")))
            namedIt = true;
    }
    QVERIFY2(namedIt, "the person was not told which file the server refused, and why");
    SYNC_OK(a); // the record stays back without failing every sync

    const QByteArray smaller = randomBytes(20 * 1024, 13);
    const QString smallerBlob = a.keepFile(smaller);
    a.edit(held, attachment(smallerBlob, QStringLiteral("smaller.bin"), smaller.size()));
    SYNC_OK(a);
    QCOMPARE(a.store().unsyncedCount().value(), 0);
    SYNC_OK(b);
    QCOMPARE(b.record(held).fields.value(QStringLiteral("file")).toString(), smallerBlob);
    QCOMPARE(b.fetch(smallerBlob).code, QString());
}

// Uploads are not in the history of pushes. The server is put back to a backup; the device
// that holds a file sends it again after comparing; the server is then put back to a backup
// taken before that upload but after the record came back (from another device). The
// history still matches, so only the upload's token tells the device its file is gone.
// When the device has a new file to send first, the upload names the old token, which the
// new one would otherwise replace before any pull checked it.
void TestBlobSync::fileLostInASecondRestoreIsSentAgain_data()
{
    QTest::addColumn<bool>("newFileFirst");
    QTest::newRow("next sync only pulls") << false;
    QTest::newRow("next sync sends a new file first") << true;
}

void TestBlobSync::fileLostInASecondRestoreIsSentAgain()
{
    QFETCH(bool, newFileFirst);
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    TestDevice a(config), b(config);
    QTemporaryDir empty, afterTheRecord;
    QVERIFY(server.backupDatabase(empty.path()));
    const QByteArray bytes = randomBytes(30000, 41);
    const QString blob = a.keepFile(bytes);
    a.create(QStringLiteral("Attachment"),
             attachment(blob, QStringLiteral("deed.pdf"), bytes.size()));
    SYNC_OK(a);
    SYNC_OK(b); // has the record, not the file

    QVERIFY(server.restoreDatabase(empty.path()));
    SYNC_OK(b); // compares, and sends the record back; it never had the file
    SYNC_OK(b);
    QVERIFY(server.backupDatabase(afterTheRecord.path()));
    SYNC_OK(a); // compares, and sends the file again
    SYNC_OK(a);
    QVERIFY(server.restoreDatabase(afterTheRecord.path()));
    if (newFileFirst) {
        const QByteArray other = randomBytes(1000, 42);
        a.create(QStringLiteral("Attachment"),
                 attachment(a.keepFile(other), QStringLiteral("note.txt"), other.size()));
    }
    SYNC_OK(a);
    SYNC_OK(a);

    const QString problem = openedOnANewDevice(config, {{blob, bytes}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

// The server loses a file (put back to an empty backup). The device that sent it no longer
// names it, but another device names it again: the sender's check after the loss covers
// every file it gave the workspace, not only those its own records name now.
// When the answer to the upload is lost, the retry finds the file already there: it was
// still this device that gave it.
void TestBlobSync::fileNamedAgainElsewhereIsSentAfterALoss_data()
{
    QTest::addColumn<bool>("answerLost");
    QTest::newRow("upload answered") << false;
    QTest::newRow("upload's answer lost") << true;
}

void TestBlobSync::fileNamedAgainElsewhereIsSentAfterALoss()
{
    QFETCH(bool, answerLost);
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("alice")),
                             QStringLiteral("alice")};
    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    SyncConfig proxied = config;
    proxied.server = proxy.url();
    TestDevice a(proxied), b(config);
    if (answerLost)
        proxy.setFault("PUT ", FaultProxy::Fault::CutResponse, 0, 1);
    QTemporaryDir empty;
    QVERIFY(server.backupDatabase(empty.path()));
    const QByteArray first = randomBytes(25000, 51);
    const QByteArray second = randomBytes(26000, 52);
    const QString firstBlob = a.keepFile(first);
    const QString secondBlob = a.keepFile(second);
    const QString guid = a.create(QStringLiteral("Attachment"),
                                  attachment(firstBlob, QStringLiteral("v1.pdf"), first.size()));
    SYNC_OK(a);
    QCOMPARE(proxy.faulted(), answerLost ? 1 : 0);
    SYNC_OK(b); // knows the first file by its id
    a.edit(guid, attachment(secondBlob, QStringLiteral("v2.pdf"), second.size()));
    SYNC_OK(a);

    QVERIFY(server.restoreDatabase(empty.path()));
    SYNC_OK(a); // compares, sends its record back and checks its files
    SYNC_OK(a);
    b.create(QStringLiteral("Attachment"),
             attachment(firstBlob, QStringLiteral("v1 again.pdf"), first.size()));
    SYNC_OK(b);

    const QString problem = openedOnANewDevice(config, {{firstBlob, first}, {secondBlob, second}});
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
}

QTEST_GUILESS_MAIN(TestBlobSync)
#include "tst_blobsync.moc"
