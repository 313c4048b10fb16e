// Sync speed against a real local ferry-server: an initial sync of 100,000 records of about
// 500 bytes (10 fields) into an empty client, an incremental sync of 10 changes, and a
// no-op sync. Prints each figure with the target it is held to.
//
//   bench_sync [--records N] [--runs N]
#include "serverprocess.h"
#include "testdevice.h"

#include "benchreport.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QLocale>
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

using FerryBench::report;

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
    parser.process(app);
    const int records = parser.value(QStringLiteral("records")).toInt();
    const int runs = parser.value(QStringLiteral("runs")).toInt();

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
    QElapsedTimer clock;
    clock.start();
    const SyncSummary seeded = seeder.sync(600000);
    if (!seeded.ok) {
        std::fprintf(stderr, "bench_sync: seeding failed: %s\n", qPrintable(seeded.error.message));
        return 1;
    }
    std::printf(
        "Ferry sync benchmark: %s records, %s bytes of field data (~%lld per record), server %s\n",
        qPrintable(locale.toString(records)), qPrintable(locale.toString(bytes)),
        bytes / std::max(1, records), qPrintable(server.url().toString()));
    std::printf("(seeding: pushed %s records in %lld ms, %s records/s)\n\n",
                qPrintable(locale.toString(seeded.sent)), clock.elapsed(),
                qPrintable(locale.toString(
                    qint64(seeded.sent * 1000.0 / std::max<qint64>(1, clock.elapsed())))));

    // 1. Initial sync into an empty client (engine thread and store already started).
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
    report("initial sync", initialMs, 1500,
           QStringLiteral("%1 records, %2 records/s")
               .arg(locale.toString(initial.received),
                    locale.toString(qint64(initial.received * 1000.0 / initialMs))));

    // 2. Incremental: 10 records changed on another device.
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
    report("incremental sync (10 changes)", median(incremental), 20,
           QStringLiteral("median of %1 runs, best %2 ms")
               .arg(runs)
               .arg(*std::min_element(incremental.begin(), incremental.end()), 0, 'f', 1));

    // 3. No-op: nothing changed anywhere.
    QList<double> noop;
    for (int run = 0; run < runs; ++run) {
        clock.restart();
        const SyncSummary s = fresh.sync();
        noop.append(double(clock.nsecsElapsed()) / 1e6);
        if (!s.ok || s.received != 0 || s.sent != 0)
            return 1;
    }
    report("no-op sync", median(noop), 5,
           QStringLiteral("median of %1 runs, best %2 ms")
               .arg(runs)
               .arg(*std::min_element(noop.begin(), noop.end()), 0, 'f', 1));
    return 0;
}
