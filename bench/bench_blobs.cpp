// Files on loopback: one large file and many small ones, sent by the engine (missing check,
// 4 MiB pieces) and fetched by another device (streamed to a part file, hash checked), next
// to curl moving the same bytes to and from the same server in the same run; and how much
// memory the client takes on top of idle while moving the large file. Every transfer runs
// --rounds times on new bytes, Ferry and curl taking turns to go first; medians are printed.
//
//   bench_blobs [--size-mb 200] [--files 1000] [--file-kb 100] [--rounds 3]
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

#include <algorithm>
#include <cmath>
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

// The middle of `values` (the mean of the two middle ones for an even count).
double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n == 0 ? 0 : n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Seconds each way of moving the same bytes took, one entry per round.
struct Timings
{
    QList<double> ferry;
    QList<double> peer;
};

void line(const char *what, double bytes, const Timings &t)
{
    const double ferry = bytes / 1e6 / median(t.ferry);
    const double peer = bytes / 1e6 / median(t.peer);
    const double ratio = ferry / peer;
    // Judged on the ratio as printed, so that a line never reads "0.80 ... MISSED".
    const bool met = std::round(ratio * 100) >= 80;
    std::printf("%-48s ferry %8.1f MB/s   curl %8.1f MB/s   ratio %.2f   target >= 0.80   %s\n",
                what, ferry, peer, ratio, met ? "MET" : "MISSED");
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
                        QStringLiteral("KB"), QStringLiteral("100")},
                       {QStringLiteral("rounds"),
                        QStringLiteral("Rounds of every transfer (new bytes each round; the "
                                       "median is printed)."),
                        QStringLiteral("N"), QStringLiteral("3")}});
    parser.process(app);
    const qint64 large = parser.value(QStringLiteral("size-mb")).toLongLong() * 1000 * 1000;
    const int files = parser.value(QStringLiteral("files")).toInt();
    const qint64 small = parser.value(QStringLiteral("file-kb")).toLongLong() * 1000;
    const int rounds = std::max(1, parser.value(QStringLiteral("rounds")).toInt());

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
    TestDevice sender(config), receiver(config), keeper(config);
    if (!receiver.sync().ok || !keeper.sync().ok)
        return 1;

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
    const QString bench = QStringLiteral("bench");

    Timings bigUp, bigDown, bigDownToFile, manyUp, manyDown, manyDownToFiles, manyAtOnce;
    qint64 idle = -1;
    qint64 peak = -1;
    for (int round = 0; round < rounds; ++round) {
        // Each round has new bytes, and who goes first changes from round to round: the
        // server's blob folders and the disk's caches favour whoever comes second. Nothing
        // is deleted until the end: ext4 without a journal searches past recently freed
        // inodes when it makes a file, and the files made next would pay for it.
        const bool curlFirst = round % 2 == 1;
        const quint32 seed = quint32(round) * 1000000u;

        // The large file.
        const QString bigPath = scratch.filePath(QStringLiteral("large-%1.bin").arg(round));
        const QString curlBigPath
            = scratch.filePath(QStringLiteral("large-curl-%1.bin").arg(round));
        if (!writeRandom(bigPath, large, seed + 1) || !writeRandom(curlBigPath, large, seed + 2))
            return 1;
        const Result<QString> big = BlobStore::add(sender.blobFolder(), bigPath);
        const Result<QString> curlBig = BlobStore::hashFile(curlBigPath);
        if (!big || !curlBig)
            return 1;
        sender.create(QStringLiteral("Attachment"), {{QStringLiteral("file"), big.value()}});
        const auto ferryBigUp = [&]() -> bool {
            if (idle < 0)
                idle = peakResident();
            QElapsedTimer clock;
            clock.start();
            const SyncSummary sent = sender.sync(600000);
            bigUp.ferry.append(clock.nsecsElapsed() / 1e9);
            if (!sent.ok || sent.blobsSent != 1) {
                std::fprintf(stderr, "bench_blobs: sending failed: %s\n",
                             qPrintable(sent.error.message));
                return false;
            }
            return true;
        };
        const auto curlBigUp = [&]() -> bool {
            const double seconds
                = curl({QStringLiteral("-H"), auth, QStringLiteral("-H"), noExpect,
                        QStringLiteral("-T"), curlBigPath, blobUrl(other, curlBig.value()),
                        QStringLiteral("-o"), QStringLiteral("/dev/null")});
            bigUp.peer.append(seconds);
            return seconds >= 0;
        };
        if (!(curlFirst ? curlBigUp() && ferryBigUp() : ferryBigUp() && curlBigUp()))
            return 1;
        if (!receiver.sync().ok)
            return 1;
        // Ferry keeps what it downloads (and checks its hash): curl keeping the bytes in a
        // file on the same disk is the peer that does that work; curl into /dev/null is
        // printed beside it.
        const QString curlBigDown
            = scratch.filePath(QStringLiteral("large-down-%1.bin").arg(round));
        const auto ferryBigDown = [&]() -> bool {
            QElapsedTimer clock;
            clock.start();
            const Error fetched = receiver.fetch(big.value(), 600000);
            bigDown.ferry.append(clock.nsecsElapsed() / 1e9);
            bigDownToFile.ferry.append(bigDown.ferry.last());
            peak = peakResident();
            if (!fetched.code.isEmpty()) {
                std::fprintf(stderr, "bench_blobs: fetching failed: %s\n",
                             qPrintable(fetched.message));
                return false;
            }
            return true;
        };
        const auto curlBigDowns = [&]() -> bool {
            bigDown.peer.append(curl({QStringLiteral("-H"), auth, blobUrl(bench, big.value()),
                                      QStringLiteral("-o"), QStringLiteral("/dev/null")}));
            bigDownToFile.peer.append(curl({QStringLiteral("-H"), auth, blobUrl(bench, big.value()),
                                            QStringLiteral("-o"), curlBigDown}));
            return bigDown.peer.last() >= 0 && bigDownToFile.peer.last() >= 0;
        };
        if (!(curlFirst ? curlBigDowns() && ferryBigDown() : ferryBigDown() && curlBigDowns()))
            return 1;

        // Many small files.
        QStringList blobs;
        QStringList curlUploads, curlDownloads, curlDownloadsToFiles;
        for (int i = 0; i < files; ++i) {
            const QString path
                = scratch.filePath(QStringLiteral("small-%1-%2.bin").arg(round).arg(i));
            const QString curlPath
                = scratch.filePath(QStringLiteral("small-curl-%1-%2.bin").arg(round).arg(i));
            if (!writeRandom(path, small, seed + 100 + quint32(i))
                || !writeRandom(curlPath, small, seed + 500000 + quint32(i)))
                return 1;
            const Result<QString> blob = BlobStore::add(sender.blobFolder(), path);
            const Result<QString> curlBlob = BlobStore::hashFile(curlPath);
            if (!blob || !curlBlob)
                return 1;
            blobs.append(blob.value());
            sender.create(QStringLiteral("Attachment"), {{QStringLiteral("file"), blob.value()}});
            curlUploads << QStringLiteral("-T") << curlPath << blobUrl(other, curlBlob.value())
                        << QStringLiteral("-o") << QStringLiteral("/dev/null");
            curlDownloads << blobUrl(bench, blob.value()) << QStringLiteral("-o")
                          << QStringLiteral("/dev/null");
            curlDownloadsToFiles << blobUrl(bench, blob.value()) << QStringLiteral("-o")
                                 << scratch.filePath(
                                        QStringLiteral("small-down-%1-%2.bin").arg(round).arg(i));
        }
        const auto ferryManyUp = [&]() -> bool {
            QElapsedTimer clock;
            clock.start();
            const SyncSummary many = sender.sync(600000);
            manyUp.ferry.append(clock.nsecsElapsed() / 1e9);
            if (!many.ok || many.blobsSent != files) {
                std::fprintf(stderr, "bench_blobs: sending the small files failed\n");
                return false;
            }
            return true;
        };
        // One curl process for all of them, over one kept-alive connection.
        const auto curlManyUp = [&]() -> bool {
            manyUp.peer.append(
                curl(QStringList {QStringLiteral("-H"), auth, QStringLiteral("-H"), noExpect}
                     + curlUploads));
            return manyUp.peer.last() >= 0;
        };
        if (!(curlFirst ? curlManyUp() && ferryManyUp() : ferryManyUp() && curlManyUp()))
            return 1;
        if (!receiver.sync().ok || !keeper.sync().ok)
            return 1;
        const auto ferryManyDown = [&]() -> bool {
            QElapsedTimer clock;
            clock.start();
            for (const QString &blob : std::as_const(blobs)) {
                if (!receiver.fetch(blob).code.isEmpty())
                    return false;
            }
            manyDown.ferry.append(clock.nsecsElapsed() / 1e9);
            manyDownToFiles.ferry.append(manyDown.ferry.last());
            // As "keep every file here" fetches them: several at once.
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
            const QMetaObject::Connection fetched
                = QObject::connect(&keeper.client(), &SyncClient::blobFetched, &allFetched,
                                   [&](const QString &, const Error &error) {
                                       failed = failed || !error.code.isEmpty();
                                       --inFlight;
                                       next();
                                   });
            clock.start();
            next();
            allFetched.exec();
            manyAtOnce.ferry.append(clock.nsecsElapsed() / 1e9);
            QObject::disconnect(fetched);
            return !failed;
        };
        const auto curlManyDown = [&]() -> bool {
            manyDown.peer.append(curl(QStringList {QStringLiteral("-H"), auth} + curlDownloads));
            manyDownToFiles.peer.append(
                curl(QStringList {QStringLiteral("-H"), auth} + curlDownloadsToFiles));
            // The same number at a time as Ferry, over as many connections.
            manyAtOnce.peer.append(
                curl(QStringList {QStringLiteral("-H"), auth, QStringLiteral("--parallel"),
                                  QStringLiteral("--parallel-max"),
                                  QString::number(SyncScheduler::kKeptFilesAtOnce)}
                     + curlDownloadsToFiles));
            return manyDown.peer.last() >= 0 && manyDownToFiles.peer.last() >= 0
                && manyAtOnce.peer.last() >= 0;
        };
        if (!(curlFirst ? curlManyDown() && ferryManyDown() : ferryManyDown() && curlManyDown()))
            return 1;
    }

    std::printf("median of %d rounds, the order of Ferry and curl alternating\n", rounds);
    std::printf("one file of %lld MB\n", qlonglong(large / 1000000));
    line("  upload", double(large), bigUp);
    line("  download, curl writing a file", double(large), bigDownToFile);
    line("  download, curl into /dev/null", double(large), bigDown);
    std::printf("  client memory above idle during the transfers: %.1f MB   target <= 64 MB   %s\n",
                (peak - idle) / 1e6, peak - idle <= 64LL * 1024 * 1024 ? "MET" : "MISSED");
    std::printf("%d files of %lld KB (Ferry's upload includes the push of their records)\n", files,
                qlonglong(small / 1000));
    line("  upload", double(small) * files, manyUp);
    line("  download, one at a time, curl writing files", double(small) * files, manyDownToFiles);
    line("  download, one at a time, curl into /dev/null", double(small) * files, manyDown);
    const QByteArray atOnce = QByteArrayLiteral("  download, ")
        + QByteArray::number(SyncScheduler::kKeptFilesAtOnce) + " at a time, both writing files";
    line(atOnce.constData(), double(small) * files, manyAtOnce);
    return 0;
}
