#pragma once

// Shared by the model tests: a temporary profile with a DataStore, records written as if
// pulled from a server (fast, no sync), and a log of the signals a model emits.
#include "datastore.h"
#include "guid.h"

#include <QAbstractItemModel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace FerryTest {

struct Profile
{
    QTemporaryDir dir;
    std::unique_ptr<Ferry::DataStore> data;

    Profile()
    {
        auto opened = Ferry::DataStore::open(path(), Ferry::Schema::defaultSchema());
        if (!opened)
            qFatal("cannot open a store: %s", qPrintable(opened.error().message));
        data = std::move(opened).value();
    }
    QString path() const { return dir.filePath(QStringLiteral("ferry.db")); }

    // Writes `count` synced records straight into the store in pages, announcing nothing.
    QStringList pull(const QString &entity, int count,
                     const std::function<QJsonObject(int)> &fields, int page = 5000)
    {
        QStringList guids;
        for (int start = 0; start < count; start += page) {
            Ferry::Wire::PullPage pulled;
            for (int i = start; i < std::min(count, start + page); ++i) {
                Ferry::Wire::RemoteRecord r;
                r.entity = entity;
                r.guid = Ferry::createGuid();
                r.rev = i + 1;
                r.fields = fields(i);
                pulled.changes.append(r);
                guids.append(r.guid);
            }
            pulled.cursor = start + page;
            if (Ferry::Status s = data->store().applyPullPage(pulled, nullptr); !s)
                qFatal("cannot store a page: %s", qPrintable(s.error().message));
        }
        return guids;
    }
};

// Counts what a model announced, to check that a change touched exactly its rows.
class SignalLog
{
public:
    explicit SignalLog(QAbstractItemModel *model)
        : inserted(model, &QAbstractItemModel::rowsInserted)
        , removed(model, &QAbstractItemModel::rowsRemoved)
        , moved(model, &QAbstractItemModel::rowsMoved)
        , changed(model, &QAbstractItemModel::dataChanged)
        , reset(model, &QAbstractItemModel::modelReset)
        , layout(model, &QAbstractItemModel::layoutChanged)
    { }
    void clear()
    {
        for (QSignalSpy *spy : {&inserted, &removed, &moved, &changed, &reset, &layout})
            spy->clear();
    }
    // The first and last row of each insert/remove, as "first-last".
    static QStringList ranges(const QSignalSpy &spy)
    {
        QStringList out;
        for (const QList<QVariant> &args : spy)
            out.append(QStringLiteral("%1-%2").arg(args.at(1).toInt()).arg(args.at(2).toInt()));
        return out;
    }
    // The rows that dataChanged named.
    static QList<int> changedRows(const QSignalSpy &spy)
    {
        QList<int> rows;
        for (const QList<QVariant> &args : spy) {
            const int top = args.at(0).toModelIndex().row();
            const int bottom = args.at(1).toModelIndex().row();
            for (int row = top; row <= bottom; ++row)
                rows.append(row);
        }
        return rows;
    }

    QSignalSpy inserted;
    QSignalSpy removed;
    QSignalSpy moved;
    QSignalSpy changed;
    QSignalSpy reset;
    QSignalSpy layout;
};

} // namespace FerryTest
