#pragma once

#include "datastore.h"
#include "recordview.h"

#include <QAbstractTableModel>
#include <QIcon>
#include <QTimer>

#include <memory>

#include <vector>

namespace Ferry::Ui {

// The records of one entity as a table: a sync state column, then one column per schema
// field. Lives on the GUI thread and reads through the DataStore's connection.
//
// Built for a million records. It holds the ordered keys (rowids, 8 bytes a row) of every
// shown record, so rowCount() is exact, the scroll bar is honest and a jump to the end costs
// the same as the first screen; record data is read lazily in blocks of kBlockRows around the
// rows a view asks for and kept in a bounded cache. fetchMore() would make rowCount() grow
// as the person scrolls, so reaching the last of a million rows would mean thousands of
// fetches. Sorting and filtering are SQL (RecordView); views reach them through a
// RecordFilterProxy. DataStore::changed() updates exactly the rows a transaction touched.
class RecordTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { StatusColumn = 0, FirstFieldColumn = 1 };
    enum Role {
        GuidRole = Qt::UserRole + 1,
        SyncStatusRole, // Ferry::SyncStatus as int
        RecordRole, // the LocalRecord
        FieldValueRole, // the raw QJsonValue of a field column
        SyncStatusTextRole, // "Synced", "Waiting to sync", "Conflict"
    };
    // Rows read from the store at a time, and how many the cache keeps.
    static constexpr int kBlockRows = 256;
    static constexpr int kCacheRows = 64 * kBlockRows;
    // A change touching more records than this (a page of an initial sync) reloads the keys
    // with a model reset: placing thousands of rows one by one would cost more than that.
    static constexpr int kResetThreshold = 2000;
    // Bulk changes arriving in a burst (page after page of an initial sync) are gathered and
    // reloaded once per this interval, so the GUI thread pays for one reload, not twenty.
    static constexpr int kBulkReloadDelayMs = 300;
    // From this many rows on, a new sort or filter reads its keys off the GUI thread.
    static constexpr int kAsyncReloadRows = 20000;

    RecordTableModel(DataStore *store, const QString &entity, QObject *parent = nullptr);
    ~RecordTableModel() override;

    const EntityDef &entity() const { return m_entity; }
    // The schema field shown in `column`, or nullptr for the status column.
    const FieldDef *fieldAt(int column) const;
    int columnOf(const QString &field) const;
    QString guidAt(int row) const;
    int rowOf(const QString &guid) const; // -1 when not shown

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // SQL sorting: any column; the status column sorts by sync state.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    int sortColumn() const { return m_sortColumn; }
    Qt::SortOrder sortOrder() const { return m_sortOrder; }

    // Search as you type: shows the records whose display field (or every text field)
    // contains `text`, in any case. A changed filter resets the model.
    void setFilterText(const QString &text);
    QString filterText() const { return m_query.filterText; }
    void setFilterAllTextFields(bool all);
    bool filterAllTextFields() const { return m_filterAll; }

    // How many records the cache holds now (never more than about kCacheRows).
    int cachedRows() const { return int(m_cache.size()); }
    // The last storage error (empty code when all went well).
    Error lastError() const { return m_error; }

Q_SIGNALS:
    void errorOccurred(const Ferry::Error &error);

private:
    struct Cached
    {
        LocalRecord record;
        quint64 used = 0;
    };

    void onChanged(const ChangeSet &change);
    void applyChange(QStringList guids);
    void reload(bool keepPersistent);
    void reloadNow(bool keepPersistent);
    void requestKeys(bool keepPersistent, bool clearCache);
    void install(std::vector<qint64> fresh, bool keepPersistent);
    void startBulkReload();
    void onKeysLoaded(quint64 ticket, const QList<qint64> &keys);
    bool applyQuery(const RecordQuery &query);
    const LocalRecord *recordAt(int row) const;
    void loadBlock(int row) const;
    void store(qint64 key, LocalRecord record) const;
    void evict() const;
    qsizetype insertionPoint(qint64 key, qsizetype skip, const QSet<qint64> &pending);
    QPair<int, int> changedColumns(const LocalRecord &before, const LocalRecord &after) const;
    QVariant displayValue(const FieldDef &field, const QJsonValue &value) const;
    QString refNames(const FieldDef &field, const QJsonValue &value) const;
    void resolveNames(const QList<LocalRecord> &records) const;
    void onTargetChanged(const ChangeSet &change);
    void fail(const Error &error) const;

    DataStore *m_store;
    EntityDef m_entity;
    std::optional<RecordView> m_view; // empty for an entity the schema does not have
    QTimer m_bulkReload;
    std::unique_ptr<class KeyLoader> m_loader; // reads keys off the GUI thread for bulk reloads
    quint64 m_awaitedKeys = 0; // the loader ticket whose answer we use
    bool m_changedWhileLoading = false;
    bool m_pendingKeep = false; // the awaited keys come from a new sort (keep selections)
    bool m_pendingClear = false; // ... or after bulk changes (cached rows are stale)
    qsizetype m_unfilteredRows
        = 0; // rows without a filter, when last known: how big a reload can get
    RecordQuery m_query;
    bool m_filterAll = false;
    int m_sortColumn = -1;
    Qt::SortOrder m_sortOrder = Qt::AscendingOrder;
    std::vector<qint64> m_keys;
    mutable QHash<qint64, Cached> m_cache;
    mutable quint64 m_clock = 0;
    // Display names of referred records by guid, filled a block at a time.
    mutable QHash<QString, QString> m_names;
    mutable Error m_error;
    QIcon m_statusIcons[3];
};

} // namespace Ferry::Ui
