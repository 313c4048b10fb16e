// Garbage collection of blobs where several servers share one database and one blob folder
// (or an admin's `ferry-server blobs gc` runs beside a server): a collection must never
// remove a file that a workspace holds. The server's own BlobService and ServerStore run
// here in the test's process, two connections to one store standing for two servers, so
// that an upload can be placed exactly between a collection's steps. Under
// scripts/with-postgres.sh the store is a PostgreSQL database.
#include "blobservice.h"
#include "serverstore.h"
#include "storebackend.h"
#include "testpostgres.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <atomic>
#include <memory>

using namespace FerryServer;
using namespace FerryTest;

namespace {

constexpr qint64 kMaxBlob = 1024 * 1024;
const QString kUser = QStringLiteral("ann");

QString idOf(const QByteArray &bytes)
{
    return QStringLiteral("sha256:")
        + QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

// Uploads `bytes` to `workspace` in one piece.
Ferry::Result<UploadState> upload(BlobService &blobs, const QString &workspace,
                                  const QByteArray &bytes)
{
    return blobs.write(workspace, kUser, idOf(bytes), BlobPiece {0, bytes.size(), bytes.size()},
                       bytes);
}

// All of a blob's bytes as the server would send them; empty if it cannot.
QByteArray download(BlobService &blobs, const QString &workspace, const QByteArray &bytes)
{
    const std::optional<qint64> size = blobs.sizeOf(workspace, idOf(bytes));
    if (!size)
        return {};
    const Ferry::Result<std::shared_ptr<QIODevice>> file
        = blobs.open(idOf(bytes), BlobRange {0, *size, *size, false});
    return file ? file.value()->readAll() : QByteArray();
}

} // namespace

class TestBlobGc : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void uploadBetweenReleaseAndRemovalKeepsTheFile();
    void finishWaitsForARemovalUnderWay();

private:
    QString blobFolder() const { return m_dir->filePath(QStringLiteral("blobs")); }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_database; // PostgreSQL's, when there is one
    std::unique_ptr<ServerStore> m_one;
    std::unique_ptr<ServerStore> m_two; // another server's connection to the same store
};

void TestBlobGc::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QString url;
    if (TestPostgres::enabled()) {
        m_database = TestPostgres::newName();
        QVERIFY(TestPostgres::createDatabase(m_database));
        url = TestPostgres::url(m_database);
    }
    m_one = std::make_unique<ServerStore>();
    const Ferry::Status opened = m_one->open(m_dir->path(), url);
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().message));
    m_two = std::make_unique<ServerStore>();
    const Ferry::Status another = m_two->openAnother(*m_one);
    QVERIFY2(another, qPrintable(another ? QString() : another.error().message));
    QVERIFY(m_one->ensureUser(kUser));
    QVERIFY(m_one->createWorkspace(QStringLiteral("one"), kUser));
    QVERIFY(m_one->createWorkspace(QStringLiteral("two"), kUser));
}

void TestBlobGc::cleanup()
{
    m_two.reset();
    m_one.reset();
    if (!m_database.isEmpty())
        TestPostgres::dropDatabase(m_database);
    m_database.clear();
    m_dir.reset();
}

// Workspace one uploaded a blob no record names; a collection on server one releases it.
// Before the collection looks at the file, workspace two uploads the same bytes through
// server two, which finds the file there and keeps it instead of writing it again. The
// collection must then leave the file: workspace two holds it. A blob nobody took up again
// is removed by the same collection (the removal works at all).
void TestBlobGc::uploadBetweenReleaseAndRemovalKeepsTheFile()
{
    BlobService one(*m_one, blobFolder(), kMaxBlob);
    BlobService two(*m_two, blobFolder(), kMaxBlob);
    const QByteArray shared("the same bytes, uploaded to two workspaces");
    const QByteArray alone("bytes only workspace one had");
    for (const QByteArray &bytes : {shared, alone}) {
        const Ferry::Result<UploadState> stored = upload(one, QStringLiteral("one"), bytes);
        QVERIFY2(stored && stored->complete,
                 qPrintable(stored ? QStringLiteral("incomplete") : stored.error().message));
    }

    GarbageReport report;
    const Ferry::Result<QHash<QString, qint64>> released = one.releaseUnnamed(0, report);
    QVERIFY2(released, qPrintable(released ? QString() : released.error().message));
    QCOMPARE(report.released, 2);

    const Ferry::Result<UploadState> again = upload(two, QStringLiteral("two"), shared);
    QVERIFY2(again && again->complete && again->created,
             qPrintable(again ? QStringLiteral("not stored anew") : again.error().message));

    const Ferry::Status removed = one.removeUnheldFiles(released.value(), report);
    QVERIFY2(removed, qPrintable(removed ? QString() : removed.error().message));
    QCOMPARE(report.files, 1);
    QCOMPARE(report.bytes, alone.size());
    QCOMPARE(download(two, QStringLiteral("two"), shared), shared);
    QVERIFY(!one.sizeOf(QStringLiteral("one"), idOf(alone)));
    const auto fileOf = [this](const QByteArray &bytes) {
        const QString hex = idOf(bytes).mid(7);
        return QDir(blobFolder()).filePath(hex.left(2) + QLatin1Char('/') + hex);
    };
    QVERIFY(QFile::exists(fileOf(shared)));
    QVERIFY(!QFile::exists(fileOf(alone)));
}

// While a collection holds a blob's lock to decide about its file, an upload of the same
// bytes finishing on another server waits for it, and then stores the file anew if the
// collection removed it. The other server runs on a thread of its own, with its own
// connection, as it would in its own process.
void TestBlobGc::finishWaitsForARemovalUnderWay()
{
    const QByteArray bytes("bytes a collection is deciding about");
    const QString hash = idOf(bytes).mid(7);
    auto removal = std::make_unique<WriteTransaction>(m_one->database(), m_one->backend(),
                                                      m_one->statements());
    QVERIFY2(removal->isOpen(), qPrintable(removal->error()));
    QVERIFY(m_one->backend().lockBlob(m_one->statements(), hash));

    std::atomic<bool> finished = false;
    QString failure;
    const ServerStore &first = *m_one;
    const QString folder = blobFolder();
    std::unique_ptr<QThread> server(QThread::create([&] {
        ServerStore store;
        if (const Ferry::Status s = store.openAnother(first); !s) {
            failure = s.error().message;
            finished = true;
            return;
        }
        BlobService blobs(store, folder, kMaxBlob);
        const Ferry::Result<UploadState> stored = upload(blobs, QStringLiteral("two"), bytes);
        if (!stored || !stored->complete)
            failure = stored ? QStringLiteral("incomplete") : stored.error().message;
        finished = true;
    }));
    server->start();
    QThread::msleep(1000);
    QVERIFY2(!finished, "the upload finished while a collection held its blob's lock");
    QVERIFY(removal->commit());
    QVERIFY(server->wait(20000));
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    BlobService two(*m_two, blobFolder(), kMaxBlob);
    QCOMPARE(download(two, QStringLiteral("two"), bytes), bytes);
}

QTEST_GUILESS_MAIN(TestBlobGc)
#include "tst_blobgc.moc"
