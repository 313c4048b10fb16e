// How long the GUI thread ever stops answering while the main window is open and an
// initial sync of 100,000 records runs on the worker thread: a timer on the GUI thread
// measures the longest gap between its ticks. Target: no stall over 16 ms.
//
//   bench_gui_stall [--records N]      (QT_QPA_PLATFORM=offscreen works)
#include "datastore.h"
#include "mainwindow/mainwindow.h"
#include "models/recordtablemodel.h"
#include "serverprocess.h"
#include "syncscheduler.h"
#include "testdevice.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QLocale>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QThread>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <ctime>

using namespace Ferry;
using namespace FerryTest;

namespace {

// Time the calling thread spent on a CPU: a stall with little of it was the thread waiting
// for a CPU, not working.
double threadCpuMs()
{
#ifdef Q_OS_UNIX
    timespec t {};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
#else
    return 0;
#endif
}

// With --trace: every event the GUI thread handles for longer than 4 ms, with its receiver,
// to find what a stall is made of.
class TracingApplication : public QApplication
{
public:
    using QApplication::QApplication;
    bool tracing = false;
    struct Slow
    {
        double ms;
        QString what;
    };
    QList<Slow> slow;

    bool notify(QObject *receiver, QEvent *event) override
    {
        if (!tracing || QThread::currentThread() != thread())
            return QApplication::notify(receiver, event);
        // Named before delivery: the event may delete its receiver.
        const QString what = QStringLiteral("%1 \"%2\" event %3")
                                 .arg(QString::fromLatin1(receiver->metaObject()->className()),
                                      receiver->objectName())
                                 .arg(int(event->type()));
        QElapsedTimer timer;
        timer.start();
        const double cpuBefore = threadCpuMs();
        const bool done = QApplication::notify(receiver, event);
        const double ms = double(timer.nsecsElapsed()) / 1e6;
        if (ms > 4.0)
            slow.append({ms,
                         what
                             + QStringLiteral(" (GUI thread on a CPU for %1 ms of it)")
                                   .arg(threadCpuMs() - cpuBefore, 0, 'f', 1)});
        return done;
    }
};

} // namespace

int main(int argc, char *argv[])
{
    TracingApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("records"), QStringLiteral("Records in the initial sync."),
                      QStringLiteral("N"), QStringLiteral("100000")});
    parser.addOption({QStringLiteral("trace"),
                      QStringLiteral("List the GUI thread's events that took over 4 ms.")});
    parser.process(app);
    app.tracing = parser.isSet(QStringLiteral("trace"));
    const int records = parser.value(QStringLiteral("records")).toInt();

    ServerProcess server;
    if (!server.start()) {
        std::fprintf(stderr, "bench_gui_stall: the server did not start: %s\n",
                     qPrintable(server.lastError()));
        return 1;
    }
    const SyncConfig config {server.url(), server.createToken(QStringLiteral("bench")),
                             QStringLiteral("bench")};

    // Seed the server with posts of ~500 bytes from another device.
    {
        TestDevice seeder(config);
        const QString body = QStringLiteral("x").repeated(400);
        for (int i = 0; i < records; ++i)
            seeder.store().createRecord(
                QStringLiteral("Post"),
                {{QStringLiteral("title"), QStringLiteral("Post number %1").arg(i)},
                 {QStringLiteral("body"), body},
                 {QStringLiteral("rating"), i % 5}});
        if (!seeder.sync(600000).ok) {
            std::fprintf(stderr, "bench_gui_stall: seeding failed\n");
            return 1;
        }
    }

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ferry.db"));
    std::unique_ptr<DataStore> data = DataStore::open(path, Schema::defaultSchema()).value();
    SyncScheduler scheduler(data.get(), path);
    Ui::MainWindow window(*data, scheduler, dir.filePath(QStringLiteral("blobs")));
    window.show();
    QSignalSpy shown(&scheduler, &SyncScheduler::overviewChanged);
    QCoreApplication::processEvents();

    // The heartbeat: a zero-interval timer runs whenever the event loop is free.
    QElapsedTimer sinceTick;
    qint64 longestNs = 0;
    qint64 ticks = 0;
    QList<qint64> gaps;
    QTimer heartbeat;
    heartbeat.setInterval(0);
    QObject::connect(&heartbeat, &QTimer::timeout, [&] {
        if (sinceTick.isValid()) {
            const qint64 gap = sinceTick.nsecsElapsed();
            longestNs = std::max(longestNs, gap);
            gaps.append(gap);
        }
        ++ticks;
        sinceTick.start();
    });

    QSignalSpy finished(&scheduler, &SyncScheduler::syncFinished);
    QElapsedTimer clock;
    clock.start();
    heartbeat.start();
    scheduler.setConfig(config);
    scheduler.syncNow();
    if (!finished.wait(600000)) {
        std::fprintf(stderr, "bench_gui_stall: the sync did not finish\n");
        return 1;
    }
    // Let the window catch up with the last changes, still measuring.
    QElapsedTimer settle;
    settle.start();
    while (settle.elapsed() < 500)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
    heartbeat.stop();

    const SyncSummary summary = finished.first().first().value<SyncSummary>();
    std::sort(gaps.begin(), gaps.end());
    const double longestMs = double(longestNs) / 1e6;
    const double p99 = gaps.isEmpty() ? 0 : double(gaps.at(int(gaps.size() * 0.99))) / 1e6;
    const QLocale locale(QLocale::English);
    std::printf("GUI thread during an initial sync of %s records (%lld ms, window open, table "
                "showing Posts)\n",
                qPrintable(locale.toString(summary.received)), clock.elapsed());
    std::printf(
        "%-34s %10.1f ms   target <= %6.0f ms   %s   99th percentile %.2f ms over %s ticks\n",
        "longest event-loop stall", longestMs, 16.0, longestMs <= 16.0 ? "MET " : "MISSED", p99,
        qPrintable(locale.toString(ticks)));
    std::printf("(the table shows %d rows)\n",
                window.recordModel() ? window.recordModel()->rowCount() : -1);
    std::sort(app.slow.begin(), app.slow.end(),
              [](const auto &a, const auto &b) { return a.ms > b.ms; });
    for (qsizetype i = 0; i < std::min<qsizetype>(app.slow.size(), 15); ++i)
        std::printf("  slow event %6.1f ms  %s\n", app.slow[i].ms, qPrintable(app.slow[i].what));
    return summary.ok ? 0 : 1;
}
