#pragma once

#include "records.h"

#include <QAbstractTableModel>

namespace Ferry {
class DataStore;
}

namespace Ferry::Ui {

// The open conflicts of a DataStore, one row each, oldest first: the record, its kind, what
// is in conflict, and who changed the other side when. Follows DataStore::changed with row
// inserts, removals and dataChanged for exactly the records concerned. GUI thread.
class ConflictListModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { RecordColumn, EntityColumn, FieldsColumn, OtherSideColumn, ColumnCount };
    enum Role {
        GuidRole = Qt::UserRole + 1,
        EntityRole, // the entity's name
        ConflictRole, // the Conflict
    };
    // A change naming more records than this re-reads the whole (short) list of conflicts
    // instead of asking about each record.
    static constexpr int kPerRecordLimit = 200;

    explicit ConflictListModel(DataStore &store, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

    QString guidAt(int row) const;
    int rowOf(const QString &guid) const;
    QList<Conflict> conflicts() const;

Q_SIGNALS:
    void countChanged(int count);

private:
    struct Entry
    {
        Conflict conflict;
        QString title;
    };

    void storeChanged(const ChangeSet &change);
    void update(const QString &guid, const std::optional<Conflict> &conflict);
    Entry entryFor(const Conflict &conflict) const;
    QString fieldsText(const Conflict &conflict) const;

    DataStore &m_store;
    QList<Entry> m_entries;
};

} // namespace Ferry::Ui
