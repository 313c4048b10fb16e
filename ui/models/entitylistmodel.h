#pragma once

#include "datastore.h"
#include "keyloader.h"

#include <QAbstractListModel>
#include <QSet>
#include <QTimer>

namespace Ferry::Ui {

// The sidebar: one row per schema entity, reading "Posts (1,204)", with live counts of its
// records and of those waiting to sync. GUI thread; the counting runs on a thread of its own
// (a million records take tens of milliseconds to count), so a row shows its title alone
// until its first count arrives.
class EntityListModel : public QAbstractListModel
{
    Q_OBJECT

public:
    enum Role {
        EntityNameRole = Qt::UserRole + 1, // the entity's name in the schema ("Post")
        TitleRole, // what people call it ("Posts")
        CountRole, // records, not counting deleted ones (qint64)
        UnsyncedCountRole, // records waiting to sync or in conflict (qint64)
    };
    // Changes arriving within this time are counted once: a sync commits page after page.
    static constexpr int kRecountDelayMs = 100;

    explicit EntityListModel(DataStore *store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    int rowOf(const QString &entity) const;
    qint64 count(const QString &entity) const;

private:
    struct Entry
    {
        QString name;
        QString title;
        qint64 count = 0;
        qint64 unsynced = 0;
        bool counted = false;
    };

    void onChanged(const ChangeSet &change);
    void recount();
    void onCounted(quint64 ticket, const QList<qint64> &counts);

    DataStore *m_store;
    QList<Entry> m_entries;
    QSet<QString> m_stale;
    QTimer m_recount;
    KeyLoader m_loader;
    QHash<quint64, QString> m_counting; // ticket -> entity
};

} // namespace Ferry::Ui
