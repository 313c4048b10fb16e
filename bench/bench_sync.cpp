// Sync speed against a real local ferry-server: an initial push of 100,000 records of about
// 500 bytes (10 fields) from a device holding them to an empty server, an initial sync of
// them into an empty client, an incremental sync of 10 changes, and a no-op sync. Then the
// same with PouchDB replicating with pouchdb-server on the same records (bench/peers/
// pouchdb.sh installs them from the npm registry once), one after the other in the same run.
// Prints each figure with PouchDB's beside it, the ratio, and the targets it is held to: where
// a ratio target exists, the ratio decides (absolute times vary from machine to machine).
//
//   bench_sync [--records N] [--runs N] [--no-peer]
#include "serverprocess.h"
#include "testdevice.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QProcess>
#include <QSignalSpy>

#include <algorithm>
#include <cstdio>

using namespace Ferry;
using namespace FerryTest;

namespace {

constexpr int kFields = 10;

Schema benchSchema()
{
    QByteArray json = R"({"entities": [{"name": "Item", "fields": [)";
    for (int i = 0; i < kFields; ++i)
        json += QStringLiteral(R"(%1{"name": "f%2", "type": "string"})")
                    .arg(i ? QStringLiteral(",") : QString())
                    .arg(i)
                    .toUtf8();
    json += "]}]}";
    return Schema::fromJson(json).value();
}

// About 48 bytes per field, different for every record and field.
QJsonObject fieldsFor(int record, int generation = 0)
{
    QJsonObject fields;
    for (int i = 0; i < kFields; ++i)
        fields.insert(QStringLiteral("f%1").arg(i),
                      QStringLiteral("record %1 field %2 generation %3 ..............")
                          .arg(record, 7)
                          .arg(i)
                          .arg(generation));
    return fields;
}

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

// The peer's figures (PouchDB), or none if it could not run.
struct PeerFigures
{
    bool ok = false;
    QString why;
    double initialPushMs = -1;
    double initialPullMs = -1;
    double incrementalMs = -1;
    double noopMs = -1;
};

PeerFigures runPouchDb(int records, int runs)
{
    PeerFigures peer;
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(QStringLiteral("bash"),
                  {QStringLiteral(FERRY_PEERS_DIR "/pouchdb.sh"), QStringLiteral("--install-dir"),
                   QStringLiteral(FERRY_PEERS_INSTALL_DIR "/pouchdb"), QStringLiteral("--records"),
                   QString::number(records), QStringLiteral("--runs"), QString::number(runs)});
    if (!process.waitForFinished(3600000) || process.exitCode() != 0) {
        peer.why = QStringLiteral("bench/peers/pouchdb.sh failed (see above)");
        return peer;
    }
    const QJsonObject figures = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
    peer.initialPushMs = figures.value(QStringLiteral("initialPushMs")).toDouble(-1);
    peer.initialPullMs = figures.value(QStringLiteral("initialPullMs")).toDouble(-1);
    peer.incrementalMs = figures.value(QStringLiteral("incrementalMs")).toDouble(-1);
    peer.noopMs = figures.value(QStringLiteral("noopMs")).toDouble(-1);
    peer.ok = figures.value(QStringLiteral("records")).toInt() == records && peer.initialPushMs > 0
        && peer.initialPullMs > 0 && peer.incrementalMs > 0 && peer.noopMs > 0;
    if (!peer.ok)
        peer.why = QStringLiteral("pouchdb_bench.js printed no figures");
    return peer;
}

// One figure beside the peer's: met when Ferry is at least `targetRatio` times as fast as
// the peer (when there is a peer and a ratio target), else when within `targetMs`.
void compare(const char *what, double ms, double peerMs, double targetMs, double targetRatio,
             const QString &detail = {})
{
    const bool peer = peerMs > 0;
    const double ratio = peer ? peerMs / ms : 0;
    const bool met = peer && targetRatio > 0 ? ratio >= targetRatio : ms <= targetMs;
    const QString peerText = peer ? QStringLiteral("%1 ms").arg(peerMs, 9, 'f', 1)
                                  : QStringLiteral("%1").arg(QStringLiteral("-"), 12);
    const QString ratioText = peer ? QStringLiteral("%1x").arg(ratio, 6, 'f', 1)
                                   : QStringLiteral("%1").arg(QString(), 7);
    const QString target = targetRatio > 0
        ? QStringLiteral("<= %1 ms, >= %2x").arg(targetMs, 0, 'f', 0).arg(targetRatio, 0, 'f', 0)
        : QStringLiteral("<= %1 ms").arg(targetMs, 0, 'f', 0);
    std::printf("%-34s %9.1f ms  %s  %s   %-19s %s   %s\n", what, ms, qPrintable(peerText),
                qPrintable(ratioText), qPrintable(target), met ? "MET   " : "MISSED",
                qPrintable(detail));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("records"), QStringLiteral("Records in the initial sync."),
                      QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("runs"), QStringLiteral("Repetitions of the small syncs."),
                      QStringLiteral("N"), QStringLiteral("15")});
    parser.addOption({QStringLiteral("no-peer"), QStringLiteral("Leave PouchDB out.")});
    parser.process(app);
    const int records = parser.value(QStringLiteral("records")).toInt();
    const int runs = parser.value(QStringLiteral("runs")).toInt();
    const bool withPeer = !parser.isSet(QStringLiteral("no-peer"));

    ServerProcess server;
    if (!server.start()) {
        std::fprintf(stderr, "bench_sync: the server did not start: %s\n",
                     qPrintable(server.lastError()));
        return 1;
    }
    const QString token = server.createToken(QStringLiteral("bench"));
    const SyncConfig config {server.url(), token, QStringLiteral("bench")};
    const Schema schema = benchSchema();
    const QLocale locale(QLocale::English);

    // Seed the server from one device.
    TestDevice seeder(config, schema);
    QStringList guids;
    guids.reserve(records);
    qint64 bytes = 0;
    for (int i = 0; i < records; ++i) {
        const QJsonObject fields = fieldsFor(i);
        for (auto it = fields.begin(); it != fields.end(); ++it)
            bytes += it.value().toString().size();
        guids.append(seeder.store().createRecord(QStringLiteral("Item"), fields).value());
    }
    // 1. Initial push: the device holding every record sends them to the empty server.
    QElapsedTimer clock;
    clock.start();
    const SyncSummary seeded = seeder.sync(600000);
    const double pushMs = double(clock.nsecsElapsed()) / 1e6;
    if (!seeded.ok || seeded.sent != records) {
        std::fprintf(stderr, "bench_sync: the initial push failed: %s\n",
                     qPrintable(seeded.error.message));
        return 1;
    }
    std::printf(
        "Ferry sync benchmark: %s records, %s bytes of field data (~%lld per record), server %s\n",
        qPrintable(locale.toString(records)), qPrintable(locale.toString(bytes)),
        bytes / std::max(1, records), qPrintable(server.url().toString()));
    std::fflush(stdout);

    // 2. Initial sync into an empty client (engine thread and store already started).
    TestDevice fresh(config, schema);
    {
        QSignalSpy started(&fresh.client(), &SyncClient::started);
        started.wait(10000);
    }
    clock.restart();
    const SyncSummary initial = fresh.sync(600000);
    const double initialMs = double(clock.nsecsElapsed()) / 1e6;
    if (!initial.ok || fresh.store().count(QStringLiteral("Item")).value() != records) {
        std::fprintf(stderr, "bench_sync: the initial sync failed: %s\n",
                     qPrintable(initial.error.message));
        return 1;
    }

    // 3. Incremental: 10 records changed on another device.
    QList<double> incremental;
    for (int run = 0; run < runs; ++run) {
        for (int i = 0; i < 10; ++i) {
            const int index = (run * 10 + i) % records;
            seeder.edit(guids.at(index), fieldsFor(index, run + 1));
        }
        if (!seeder.sync().ok)
            return 1;
        clock.restart();
        const SyncSummary s = fresh.sync();
        incremental.append(double(clock.nsecsElapsed()) / 1e6);
        if (!s.ok || s.received != 10) {
            std::fprintf(stderr, "bench_sync: incremental sync received %lld, expected 10\n",
                         s.received);
            return 1;
        }
    }

    // 4. No-op: nothing changed anywhere.
    QList<double> noop;
    for (int run = 0; run < runs; ++run) {
        clock.restart();
        const SyncSummary s = fresh.sync();
        noop.append(double(clock.nsecsElapsed()) / 1e6);
        if (!s.ok || s.received != 0 || s.sent != 0)
            return 1;
    }

    // The same on PouchDB, after Ferry's servers and devices are idle.
    PeerFigures peer;
    if (withPeer) {
        std::printf("running PouchDB 9 with pouchdb-server 4.2 on the same records...\n");
        std::fflush(stdout);
        peer = runPouchDb(records, runs);
    }
    std::printf("\n%-34s %12s  %12s  %7s   %-19s\n", "", "Ferry", "PouchDB", "ratio", "target");
    const QString perSecond = QStringLiteral("%1 records/s");
    compare("initial push", pushMs, peer.initialPushMs, 2000, 15,
            perSecond.arg(locale.toString(qint64(records * 1000.0 / pushMs))));
    compare("initial sync (pull)", initialMs, peer.initialPullMs, 1000, 25,
            perSecond.arg(locale.toString(qint64(initial.received * 1000.0 / initialMs))));
    compare("incremental sync (10 changes)", median(incremental), peer.incrementalMs, 10, 0,
            QStringLiteral("median of %1 runs, best %2 ms")
                .arg(runs)
                .arg(*std::min_element(incremental.begin(), incremental.end()), 0, 'f', 1));
    compare("no-op sync", median(noop), peer.noopMs, 3, 0,
            QStringLiteral("median of %1 runs, best %2 ms")
                .arg(runs)
                .arg(*std::min_element(noop.begin(), noop.end()), 0, 'f', 1));
    std::printf("(%s records held; the ratio is PouchDB's time over Ferry's)\n",
                qPrintable(locale.toString(records)));
    if (withPeer && !peer.ok)
        std::printf("PouchDB: no figures (%s)\n", qPrintable(peer.why));
    return 0;
}
