// How the live models feel with a million records: a Post store of 1,000,000 synced records
// (written as pulled pages), then the model's first screen, scrolling to the middle and the
// end, sorting, filtering and one incremental remote change. Each figure is held to the
// target "no UI operation over 16 ms" (one frame at 60 Hz).
//
//   bench_models [--records N] [--keep DIR]
#include "datastore.h"
#include "guid.h"

#include "models/entitylistmodel.h"
#include "models/recordfilterproxy.h"
#include "models/recordtablemodel.h"

#include "benchreport.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <cstdio>
#include <functional>
#include <memory>

using namespace Ferry;
using namespace Ferry::Ui;

namespace {

constexpr double kFrameMs = 16.0;
constexpr int kScreenRows = 50;

void report(const char *what, double ms, const QString &detail = {})
{
    FerryBench::report(what, ms, kFrameMs, detail);
}

double elapsedMs(const QElapsedTimer &timer)
{
    return double(timer.nsecsElapsed()) / 1e6;
}

QJsonObject postFields(int i, int generation = 0)
{
    // Titles in an order unrelated to creation order, so sorting has work to do.
    const quint32 scrambled = quint32(i) * 2654435761u;
    return {{QStringLiteral("title"), QStringLiteral("post %1 g%2").arg(scrambled).arg(generation)},
            {QStringLiteral("body"), QStringLiteral("Body of post %1, a line of text.").arg(i)},
            {QStringLiteral("rating"), i % 1000},
            {QStringLiteral("pinned"), i % 7 == 0}};
}

void fill(LocalStore &store, int records)
{
    constexpr int kPage = 10000;
    for (int start = 0; start < records; start += kPage) {
        Wire::PullPage page;
        for (int i = start; i < std::min(records, start + kPage); ++i) {
            Wire::RemoteRecord r;
            r.entity = QStringLiteral("Post");
            r.guid = createGuid();
            r.rev = i + 1;
            r.fields = postFields(i);
            page.changes.append(r);
        }
        page.cursor = start + kPage;
        if (Status s = store.applyPullPage(page, nullptr); !s)
            qFatal("%s", qPrintable(s.error().message));
    }
}

// What a view does to paint rows: every column's display text of each.
double readScreen(const QAbstractItemModel &model, int first)
{
    QElapsedTimer timer;
    timer.start();
    for (int row = first; row < std::min(model.rowCount(), first + kScreenRows); ++row) {
        for (int column = 0; column < model.columnCount(); ++column) {
            model.data(model.index(row, column), Qt::DisplayRole);
            model.data(model.index(row, column), Qt::DecorationRole);
        }
    }
    return elapsedMs(timer);
}

// One record changed remotely: stored as a pulled page, then announced as the engine does.
double remoteChange(DataStore &data, const QString &guid, const QJsonObject &fields)
{
    Wire::PullPage page;
    Wire::RemoteRecord r {QStringLiteral("Post"), guid, 2000000, false, fields, {}, {}, 0, {}};
    page.changes.append(r);
    page.cursor = 2000000;
    if (Status s = data.store().applyPullPage(page, nullptr); !s)
        qFatal("%s", qPrintable(s.error().message));
    QElapsedTimer timer;
    timer.start();
    data.relayRemoteChange(ChangeSet {QStringLiteral("Post"), {guid}, ChangeOrigin::Remote});
    return elapsedMs(timer);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("records"), QStringLiteral("Records in the store."),
                      QStringLiteral("N"), QStringLiteral("1000000")});
    parser.process(app);
    const int records = parser.value(QStringLiteral("records")).toInt();

    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("ferry.db"));
    QElapsedTimer timer;
    timer.start();
    {
        auto store = LocalStore::open(path, Schema::defaultSchema());
        fill(*store.value(), records);
    }
    std::printf("store of %d Post records built in %.1f s (not a UI operation)\n\n", records,
                elapsedMs(timer) / 1000);

    std::unique_ptr<DataStore> data = DataStore::open(path, Schema::defaultSchema()).value();
    // A table this large loads its keys on the loader's thread: the GUI thread pays only for
    // constructing the model; the rows appear when the keys arrive.
    auto waitForRows = [](RecordTableModel &m) {
        while (m.rowCount() == 0)
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
    };
    timer.restart();
    {
        RecordTableModel warm(data.get(), QStringLiteral("Post"));
        const double blocking = elapsedMs(timer);
        waitForRows(warm);
        report("first open of this profile", blocking,
               QStringLiteral("rows shown after %1 ms").arg(elapsedMs(timer), 0, 'f', 1));
    }

    timer.restart();
    RecordTableModel model(data.get(), QStringLiteral("Post"));
    RecordFilterProxy proxy;
    proxy.setSourceModel(&model);
    const double construct = elapsedMs(timer);
    waitForRows(model);
    report("open the table (keys read off-thread)", construct,
           QStringLiteral("%1 rows shown after %2 ms")
               .arg(model.rowCount())
               .arg(elapsedMs(timer), 0, 'f', 1));
    report("first screen: 50 rows x all columns", readScreen(proxy, 0));
    report("scroll to the middle: 50 rows", readScreen(proxy, proxy.rowCount() / 2));
    report("scroll to the end: 50 rows", readScreen(proxy, proxy.rowCount() - kScreenRows));
    report("same screen again (cached)", readScreen(proxy, proxy.rowCount() - kScreenRows));
    std::printf("  cache holds %d of %d rows\n", model.cachedRows(), model.rowCount());

    const int title = model.columnOf(QStringLiteral("title"));
    // From here on the keys of a new order or filter are read on a worker thread: the GUI
    // thread pays only for the call; the new rows replace the old when they arrive.
    // Runs `change`, and says how long the GUI thread was held and when the new rows showed.
    auto timed = [&model](const std::function<void()> &change) {
        QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QElapsedTimer clock;
        clock.start();
        change();
        const double blocking = elapsedMs(clock);
        while (layout.isEmpty() && reset.isEmpty())
            QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 50);
        return qMakePair(
            blocking,
            QStringLiteral("new rows shown after %1 ms").arg(elapsedMs(clock), 0, 'f', 1));
    };
    {
        const auto [blocking, shown] = timed([&] { proxy.sort(title, Qt::AscendingOrder); });
        report("sort by title, first time (makes its index)", blocking,
               shown + QStringLiteral(", once per column"));
    }
    timed([&] { proxy.sort(model.columnOf(QStringLiteral("rating"))); });
    {
        const auto [blocking, shown] = timed([&] { proxy.sort(title, Qt::AscendingOrder); });
        report("sort by title (index exists)", blocking, shown);
    }
    timer.restart();
    proxy.sort(title, Qt::DescendingOrder);
    report("reverse the sort", elapsedMs(timer));
    report("first screen after sorting", readScreen(proxy, 0));
    proxy.sort(title, Qt::AscendingOrder);

    for (const char *text : {"post 1", "post 12345", "no such text"}) {
        const auto [blocking, shown]
            = timed([&] { proxy.setFilterText(QString::fromLatin1(text)); });
        report(qPrintable(QStringLiteral("filter \"%1\"").arg(QString::fromLatin1(text))), blocking,
               QStringLiteral("%1 rows, %2").arg(proxy.rowCount()).arg(shown));
    }
    {
        const auto [blocking, shown] = timed([&] { proxy.setFilterText({}); });
        report("clear the filter", blocking, shown);
    }

    readScreen(proxy, proxy.rowCount() / 2);
    const QString middle = model.guidAt(proxy.rowCount() / 2);
    report("remote edit, row stays (dataChanged)",
           remoteChange(*data, middle, {{QStringLiteral("rating"), 5}}));
    report("remote edit of sort key (row moves)",
           remoteChange(*data, middle, {{QStringLiteral("title"), QStringLiteral("aaa first")}}));
    report("remote new record (sorted insert)",
           remoteChange(*data, createGuid(), postFields(7, 1)));
    timer.restart();
    QCoreApplication::processEvents(); // the stale-key check queued after an insert
    report("events queued by the insert", elapsedMs(timer));
    timer.restart();
    Result<QString> created = data->createRecord(QStringLiteral("Post"), postFields(8, 2));
    report("local create incl. commit (sorted insert)", elapsedMs(timer));
    QCoreApplication::processEvents();

    timer.restart();
    EntityListModel entities(data.get());
    const double blocking = elapsedMs(timer);
    QElapsedTimer shown;
    shown.start();
    const int posts = entities.rowOf(QStringLiteral("Post"));
    while (!entities.index(posts).data().toString().contains(u'('))
        QCoreApplication::processEvents(QEventLoop::WaitForMoreEvents, 5);
    report("sidebar: count every entity", blocking,
           QStringLiteral("\"%1\" shown after %2 ms")
               .arg(entities.index(posts).data().toString())
               .arg(elapsedMs(shown), 0, 'f', 1));

    return 0;
}
