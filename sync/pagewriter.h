#pragma once

#include "localstore.h"
#include "records.h"
#include "schema.h"
#include "wire.h"

#include <QObject>

#include <memory>

namespace Ferry {

// Stores pulled pages on a thread of its own, so the sync engine can receive and parse the
// next page while this one is written: the two halves of an initial sync then run on two
// cores. Pages are applied strictly in the order they arrive; after one fails, the later
// pages of the same cycle (`generation`) are refused too, so the cursor never skips a page.
// SyncEngine creates it and moves it to its thread; it opens its store there.
class PageWriter : public QObject
{
    Q_OBJECT

public:
    PageWriter(QString storePath, Schema schema);
    ~PageWriter() override;

public Q_SLOTS:
    void apply(const Ferry::Wire::PullPage &page, quint64 generation);

Q_SIGNALS:
    void applied(quint64 generation, const QList<Ferry::ChangeSet> &changes, qint64 received,
                 qint64 cursor, const QList<Ferry::AutoMerge> &merges);
    void failed(quint64 generation, const Ferry::Error &error);

private:
    QString m_storePath;
    Schema m_schema;
    std::unique_ptr<LocalStore> m_store;
    quint64 m_failedGeneration = 0;
    Error m_failure;
};

} // namespace Ferry
