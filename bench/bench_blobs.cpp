// Files on loopback: one large file and many small ones, sent by the engine (missing check,
// 4 MiB pieces) and fetched by another device (streamed to a part file, hash checked), next
// to curl moving the same bytes to and from the same server in the same run; and how much
// memory the client takes on top of idle while moving the large file.
//
//   bench_blobs [--size-mb 200] [--files 1000] [--file-kb 100]
#include "blobstore.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <cstdio>

using namespace Ferry;
using namespace FerryTest;

namespace {

// The process's peak resident memory so far (VmHWM), in bytes.
qint64 peakResident()
{
    QFile status(QStringLiteral("/proc/self/status"));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmHWM:"))
            return line.mid(6).trimmed().split(' ').first().toLongLong() * 1024;
    }
    return -1;
}

// Writes `size` random bytes to `path` a megabyte at a time (never held whole).
bool writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QRandomGenerator random(seed);
    QByteArray chunk(1024 * 1024, Qt::Uninitialized);
    for (qint64 left = size; left > 0; left -= chunk.size()) {
        random.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        const qint64 n = std::min<qint64>(left, chunk.size());
        if (file.write(chunk.constData(), n) != n)
            return false;
    }
    return true;
}

// Runs curl with `arguments`; seconds it took, or -1.
double curl(const QStringList &arguments)
{
    QProcess process;
    QElapsedTimer clock;
    clock.start();
    process.start(QStringLiteral("curl"),
                  QStringList {QStringLiteral("-sS"), QStringLiteral("-f")} + arguments);
    if (!process.waitForFinished(600000) || process.exitCode() != 0) {
        std::fprintf(stderr, "bench_blobs: curl failed: %s\n",
                     process.readAllStandardError().constData());
        return -1;
    }
    return clock.nsecsElapsed() / 1e9;
}

void line(const char *what, double bytes, double ferrySeconds, double curlSeconds)
{
    const double ferry = bytes / 1e6 / ferrySeconds;
    const double peer = bytes / 1e6 / curlSeconds;
    const double ratio = ferry / peer;
    std::printf("%-44s ferry %8.1f MB/s   curl %8.1f MB/s   ratio %.2f   target >= 0.80   %s\n",
                what, ferry, peer, ratio, ratio >= 0.8 ? "MET" : "MISSED");
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions({{QStringLiteral("size-mb"), QStringLiteral("Size of the large file."),
                        QStringLiteral("MB"), QStringLiteral("200")},
                       {QStringLiteral("files"), QStringLiteral("Number of small files."),
                        QStringLiteral("N"), QStringLiteral("1000")},
                       {QStringLiteral("file-kb"), QStringLiteral("Size of a small file."),
                        QStringLiteral("KB"), QStringLiteral("100")}});
    parser.process(app);
    const qint64 large = parser.value(QStringLiteral("size-mb")).toLongLong() * 1000 * 1000;
    const int files = parser.value(QStringLiteral("files")).toInt();
    const qint64 small = parser.value(QStringLiteral("file-kb")).toLongLong() * 1000;

    ServerProcess server;
    if (!server.start({QStringLiteral("--max-blob"), QString::number(large + 1024 * 1024),
                       QStringLiteral("--durability"), QStringLiteral("normal")})) {
        std::fprintf(stderr, "bench_blobs: the server did not start: %s\n",
                     qPrintable(server.lastError()));
        return 1;
    }
    const QString token = server.createToken(QStringLiteral("bench"));
    const SyncConfig config {server.url(), token, QStringLiteral("bench")};
    QTemporaryDir scratch;

    // The large file.
    const QString bigPath = scratch.filePath(QStringLiteral("large.bin"));
    if (!writeRandom(bigPath, large, 1))
        return 1;
    TestDevice sender(config), receiver(config);
    const Result<QString> big = BlobStore::add(sender.blobFolder(), bigPath);
    if (!big)
        return 1;
    sender.create(QStringLiteral("Attachment"), {{QStringLiteral("file"), big.value()}});
    if (!receiver.sync().ok)
        return 1;
    const qint64 idle = peakResident();
    QElapsedTimer clock;
    clock.start();
    const SyncSummary sent = sender.sync(600000);
    const double upSeconds = clock.nsecsElapsed() / 1e9;
    if (!sent.ok || sent.blobsSent != 1) {
        std::fprintf(stderr, "bench_blobs: sending failed: %s\n", qPrintable(sent.error.message));
        return 1;
    }
    if (!receiver.sync().ok)
        return 1;
    clock.start();
    const Error fetched = receiver.fetch(big.value(), 600000);
    const double downSeconds = clock.nsecsElapsed() / 1e9;
    if (!fetched.code.isEmpty()) {
        std::fprintf(stderr, "bench_blobs: fetching failed: %s\n", qPrintable(fetched.message));
        return 1;
    }
    const qint64 peak = peakResident();

    // curl on the same server: other bytes of the same size up (bytes the server already
    // holds would not be written again), the same bytes down.
    const QString other = server.newWorkspace(QStringLiteral("bench"));
    const QString auth = QStringLiteral("Authorization: Bearer ") + token;
    // Without "Expect:", curl waits a second for "100 Continue" before each upload body.
    const QString noExpect = QStringLiteral("Expect:");
    // A QString, not the QStringBuilder `+` makes: that would keep references to temporaries.
    const auto blobUrl = [&server](const QString &workspace, const QString &blob) -> QString {
        return server.url().toString()
            + QStringLiteral("/v1/workspaces/%1/blobs/%2").arg(workspace, blob);
    };
    const QString otherPath = scratch.filePath(QStringLiteral("large-curl.bin"));
    if (!writeRandom(otherPath, large, 2))
        return 1;
    const Result<QString> otherBlob = BlobStore::hashFile(otherPath);
    if (!otherBlob)
        return 1;
    const double curlUp = curl({QStringLiteral("-H"), auth, QStringLiteral("-H"), noExpect,
                                QStringLiteral("-T"), otherPath, blobUrl(other, otherBlob.value()),
                                QStringLiteral("-o"), QStringLiteral("/dev/null")});
    const double curlDown
        = curl({QStringLiteral("-H"), auth, blobUrl(QStringLiteral("bench"), big.value()),
                QStringLiteral("-o"), QStringLiteral("/dev/null")});
    // Ferry keeps what it downloads (and checks its hash): curl keeping the bytes in a file
    // on the same disk is the peer that does part of that work.
    const double curlDownToFile
        = curl({QStringLiteral("-H"), auth, blobUrl(QStringLiteral("bench"), big.value()),
                QStringLiteral("-o"), scratch.filePath(QStringLiteral("large-down.bin"))});
    if (curlUp < 0 || curlDown < 0 || curlDownToFile < 0)
        return 1;
    std::printf("one file of %lld MB\n", qlonglong(large / 1000000));
    line("  upload", double(large), upSeconds, curlUp);
    line("  download", double(large), downSeconds, curlDown);
    line("  download, curl writing a file", double(large), downSeconds, curlDownToFile);
    std::printf("  client memory above idle during the transfers: %.1f MB   target <= 64 MB   %s\n",
                (peak - idle) / 1e6, peak - idle <= 64LL * 1024 * 1024 ? "MET" : "MISSED");

    // Many small files.
    QStringList blobs;
    QStringList curlUploads, curlDownloads, curlDownloadsToFiles;
    for (int i = 0; i < files; ++i) {
        const QString path = scratch.filePath(QStringLiteral("small-%1.bin").arg(i));
        const QString curlPath = scratch.filePath(QStringLiteral("small-curl-%1.bin").arg(i));
        if (!writeRandom(path, small, 100 + i) || !writeRandom(curlPath, small, 1000000 + i))
            return 1;
        const Result<QString> blob = BlobStore::add(sender.blobFolder(), path);
        const Result<QString> curlBlob = BlobStore::hashFile(curlPath);
        if (!blob || !curlBlob)
            return 1;
        blobs.append(blob.value());
        sender.create(QStringLiteral("Attachment"), {{QStringLiteral("file"), blob.value()}});
        curlUploads << QStringLiteral("-T") << curlPath << blobUrl(other, curlBlob.value())
                    << QStringLiteral("-o") << QStringLiteral("/dev/null");
        curlDownloads << blobUrl(QStringLiteral("bench"), blob.value()) << QStringLiteral("-o")
                      << QStringLiteral("/dev/null");
        curlDownloadsToFiles << blobUrl(QStringLiteral("bench"), blob.value())
                             << QStringLiteral("-o")
                             << scratch.filePath(QStringLiteral("small-down-%1.bin").arg(i));
    }
    clock.start();
    const SyncSummary many = sender.sync(600000);
    const double manyUp = clock.nsecsElapsed() / 1e9;
    if (!many.ok || many.blobsSent != files) {
        std::fprintf(stderr, "bench_blobs: sending the small files failed\n");
        return 1;
    }
    if (!receiver.sync().ok)
        return 1;
    clock.start();
    for (const QString &blob : std::as_const(blobs)) {
        if (!receiver.fetch(blob).code.isEmpty())
            return 1;
    }
    const double manyDown = clock.nsecsElapsed() / 1e9;
    // As "keep every file here" fetches them: several at once.
    TestDevice keeper(config);
    if (!keeper.sync().ok)
        return 1;
    QStringList queue = blobs;
    int inFlight = 0;
    bool failed = false;
    QEventLoop allFetched;
    const auto next = [&] {
        while (inFlight < SyncScheduler::kKeptFilesAtOnce && !queue.isEmpty()) {
            ++inFlight;
            keeper.client().fetchBlob(queue.takeFirst());
        }
        if (inFlight == 0)
            allFetched.quit();
    };
    QObject::connect(&keeper.client(), &SyncClient::blobFetched, &allFetched,
                     [&](const QString &, const Error &error) {
                         failed = failed || !error.code.isEmpty();
                         --inFlight;
                         next();
                     });
    clock.start();
    next();
    allFetched.exec();
    const double manyDownAtOnce = clock.nsecsElapsed() / 1e9;
    if (failed)
        return 1;
    // One curl process for all of them, over one kept-alive connection.
    const double curlManyUp = curl(
        QStringList {QStringLiteral("-H"), auth, QStringLiteral("-H"), noExpect} + curlUploads);
    const double curlManyDown = curl(QStringList {QStringLiteral("-H"), auth} + curlDownloads);
    const double curlManyDownToFiles
        = curl(QStringList {QStringLiteral("-H"), auth} + curlDownloadsToFiles);
    if (curlManyUp < 0 || curlManyDown < 0 || curlManyDownToFiles < 0)
        return 1;
    std::printf("%d files of %lld KB (Ferry's upload includes the push of their records)\n", files,
                qlonglong(small / 1000));
    line("  upload", double(small) * files, manyUp, curlManyUp);
    line("  download, one at a time", double(small) * files, manyDown, curlManyDown);
    line("  download, curl writing files", double(small) * files, manyDown, curlManyDownToFiles);
    const QByteArray atOnce = QByteArrayLiteral("  download, ")
        + QByteArray::number(SyncScheduler::kKeptFilesAtOnce) + " at a time, curl writing files";
    line(atOnce.constData(), double(small) * files, manyDownAtOnce, curlManyDownToFiles);
    return 0;
}
