// What it costs that an answered push survives the server machine losing power: the same
// pushes against a server with `--durability full` (SQLite synchronous=FULL: every commit
// synced to the disk before the answer; the default) and one with `--durability normal`
// (synchronous=NORMAL in WAL mode: the last commits may be lost on power loss), in one run.
//
//   bench_durability [--pushes N] [--records N]
#include "serverprocess.h"
#include "testdevice.h"

#include "benchreport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>

#include <algorithm>
#include <cstdio>

using namespace Ferry;
using namespace FerryTest;

namespace {

struct Figures
{
    double smallPushMs = 0; // median of one sync pushing one edited record
    double bulkPushMs = 0; // one sync pushing `records` new records
};

double median(QList<double> values)
{
    std::sort(values.begin(), values.end());
    return values.isEmpty() ? 0 : values.at(values.size() / 2);
}

bool measure(const QString &durability, int pushes, int records, Figures *out)
{
    ServerProcess server;
    if (!server.start({QStringLiteral("--durability"), durability})) {
        std::fprintf(stderr, "bench_durability: the server did not start: %s\n",
                     qPrintable(server.lastError()));
        return false;
    }
    const QString token = server.createToken(QStringLiteral("bench"));
    TestDevice device(SyncConfig {server.url(), token, QStringLiteral("bench")});
    const QString guid = device.create(QStringLiteral("Post"),
                                       {{QStringLiteral("title"), QStringLiteral("first")}});
    if (!device.sync().ok)
        return false;
    QList<double> small;
    QElapsedTimer clock;
    for (int i = 0; i < pushes; ++i) {
        device.edit(guid, {{QStringLiteral("title"), QStringLiteral("edit %1").arg(i)}});
        clock.start();
        if (!device.sync().ok)
            return false;
        small.append(double(clock.nsecsElapsed()) / 1e6);
    }
    for (int i = 0; i < records; ++i)
        device.create(
            QStringLiteral("Post"),
            {{QStringLiteral("title"), QStringLiteral("record %1").arg(i)},
             {QStringLiteral("body"), QStringLiteral("a body of some length, ").repeated(10)}});
    clock.start();
    if (!device.sync(600000).ok)
        return false;
    out->bulkPushMs = double(clock.nsecsElapsed()) / 1e6;
    out->smallPushMs = median(small);
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("pushes"), QStringLiteral("Small pushes to time."),
                      QStringLiteral("N"), QStringLiteral("200")});
    parser.addOption({QStringLiteral("records"), QStringLiteral("Records in the bulk push."),
                      QStringLiteral("N"), QStringLiteral("10000")});
    parser.process(app);
    const int pushes = parser.value(QStringLiteral("pushes")).toInt();
    const int records = parser.value(QStringLiteral("records")).toInt();

    Figures full, normal;
    if (!measure(QStringLiteral("full"), pushes, records, &full)
        || !measure(QStringLiteral("normal"), pushes, records, &normal)) {
        std::fprintf(stderr, "bench_durability: a sync failed\n");
        return 1;
    }
    std::printf("Durability of answered pushes: ferry-server --durability full (default) against "
                "normal, same run\n");
    FerryBench::report("one-record sync, durability full (median)", full.smallPushMs, 10,
                       QStringLiteral("normal: %1 ms, cost x%2")
                           .arg(normal.smallPushMs, 0, 'f', 2)
                           .arg(full.smallPushMs / std::max(0.001, normal.smallPushMs), 0, 'f', 2));
    FerryBench::report("bulk push, durability full", full.bulkPushMs, 5000,
                       QStringLiteral("%1 records; normal: %2 ms, cost x%3")
                           .arg(records)
                           .arg(normal.bulkPushMs, 0, 'f', 1)
                           .arg(full.bulkPushMs / std::max(0.001, normal.bulkPushMs), 0, 'f', 2));
    return 0;
}
