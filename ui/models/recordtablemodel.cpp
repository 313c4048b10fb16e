#include "recordtablemodel.h"

#include "keyloader.h"

#include "recorddisplay.h"

#include <QColor>
#include <QJsonArray>

#include <algorithm>

namespace Ferry::Ui {

namespace {

constexpr qsizetype kNameCacheLimit = 20000;

} // namespace

RecordTableModel::RecordTableModel(DataStore *store, const QString &entity, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{
    if (const EntityDef *def = store->schema().entity(entity))
        m_entity = *def;
    if (RecordTable *table = store->store().recordTable(entity))
        m_view.emplace(*table);
    for (SyncStatus status : {SyncStatus::Synced, SyncStatus::NeedsSync, SyncStatus::Conflicted})
        m_statusIcons[int(status)] = syncStatusIcon(status);
    if (m_view) {
        // A large table starts empty and fills when its keys arrive from the loader's thread.
        m_unfilteredRows = qsizetype(m_view->estimatedRows());
        if (applyQuery(m_query)) {
            if (m_unfilteredRows >= kAsyncReloadRows) {
                requestKeys(false, false);
            } else {
                Result<std::vector<qint64>> keys = m_view->keys();
                if (keys)
                    m_keys = std::move(keys).value();
                else
                    fail(keys.error());
                m_unfilteredRows = qsizetype(m_keys.size());
            }
        }
    }
    connect(store, &DataStore::changed, this, &RecordTableModel::onChanged);
    m_bulkReload.setSingleShot(true);
    m_bulkReload.setInterval(kBulkReloadDelayMs);
    connect(&m_bulkReload, &QTimer::timeout, this, &RecordTableModel::startBulkReload);
}

RecordTableModel::~RecordTableModel() = default;

void RecordTableModel::startBulkReload()
{
    if (m_view)
        requestKeys(false, true);
}

void RecordTableModel::fail(const Error &error) const
{
    m_error = error;
    qWarning("RecordTableModel: %s", qPrintable(error.message));
    Q_EMIT const_cast<RecordTableModel *>(this)->errorOccurred(error);
}

const FieldDef *RecordTableModel::fieldAt(int column) const
{
    const int i = column - FirstFieldColumn;
    return i >= 0 && i < m_entity.fields.size() ? &m_entity.fields[i] : nullptr;
}

int RecordTableModel::columnOf(const QString &field) const
{
    const qsizetype i = m_entity.indexOf(field);
    return i < 0 ? -1 : int(i) + FirstFieldColumn;
}

int RecordTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_keys.size());
}

int RecordTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_entity.fields.size()) + FirstFieldColumn;
}

QString RecordTableModel::guidAt(int row) const
{
    const LocalRecord *record = recordAt(row);
    return record ? record->guid : QString();
}

int RecordTableModel::rowOf(const QString &guid) const
{
    if (!m_view)
        return -1;
    Result<QList<RecordView::Located>> where
        = const_cast<RecordView &>(*m_view).locate(QStringList {guid});
    if (!where || !where->first().shown)
        return -1;
    const auto it = std::find(m_keys.begin(), m_keys.end(), where->first().key);
    return it == m_keys.end() ? -1 : int(it - m_keys.begin());
}

const LocalRecord *RecordTableModel::recordAt(int row) const
{
    if (row < 0 || row >= int(m_keys.size()))
        return nullptr;
    auto it = m_cache.find(m_keys[row]);
    if (it == m_cache.end()) {
        loadBlock(row);
        it = m_cache.find(m_keys[row]);
        if (it == m_cache.end())
            return nullptr; // not readable right now; the row shows empty
    }
    it->used = ++m_clock;
    return &it->record;
}

// Reads the block around `row`: a view asks for neighbouring rows next, so one query per
// kBlockRows rows instead of one per row.
void RecordTableModel::loadBlock(int row) const
{
    const qsizetype start = row - row % kBlockRows;
    const qsizetype end = std::min<qsizetype>(start + kBlockRows, m_keys.size());
    std::vector<qint64> missing;
    missing.reserve(end - start);
    for (qsizetype i = start; i < end; ++i) {
        if (!m_cache.contains(m_keys[i]))
            missing.push_back(m_keys[i]);
    }
    Result<QList<QPair<qint64, LocalRecord>>> rows
        = const_cast<RecordView &>(*m_view).rows(missing.data(), qsizetype(missing.size()));
    if (!rows) {
        fail(rows.error());
        return;
    }
    QList<LocalRecord> records;
    records.reserve(rows->size());
    for (auto &[key, record] : rows.value()) {
        records.append(record);
        store(key, std::move(record));
    }
    resolveNames(records);
    evict();
}

void RecordTableModel::store(qint64 key, LocalRecord record) const
{
    m_cache.insert(key, Cached {std::move(record), ++m_clock});
}

// Drops the least recently used quarter when the cache is full, so eviction is rare and
// costs one pass over the cache.
void RecordTableModel::evict() const
{
    if (m_cache.size() <= kCacheRows)
        return;
    std::vector<quint64> stamps;
    stamps.reserve(m_cache.size());
    for (const Cached &cached : std::as_const(m_cache))
        stamps.push_back(cached.used);
    const auto cut = stamps.begin() + (stamps.size() - kCacheRows * 3 / 4);
    std::nth_element(stamps.begin(), cut, stamps.end());
    const quint64 oldestKept = *cut;
    m_cache.removeIf([oldestKept](const auto &it) { return it.value().used < oldestKept; });
}

// Looks up, in one query per target entity, the names of the records a block refers to.
void RecordTableModel::resolveNames(const QList<LocalRecord> &records) const
{
    if (m_names.size() > kNameCacheLimit)
        m_names.clear();
    for (const FieldDef &field : m_entity.fields) {
        if (field.type != FieldType::Ref && field.type != FieldType::Refs)
            continue;
        QStringList wanted;
        for (const LocalRecord &record : records) {
            const QJsonValue value = record.fields.value(field.name);
            const QJsonArray guids = value.isArray() ? value.toArray() : QJsonArray {value};
            for (const QJsonValue &guid : guids) {
                if (guid.isString() && !m_names.contains(guid.toString()))
                    wanted.append(guid.toString());
            }
        }
        RecordTable *target = m_store->store().recordTable(field.target);
        if (wanted.isEmpty() || !target)
            continue;
        wanted.removeDuplicates();
        Result<QHash<QString, QString>> names = RecordView(*target).displayNames(wanted);
        if (!names) {
            fail(names.error());
            continue;
        }
        // Unknown guids (a record not pulled yet) are remembered too, so they are not
        // looked up again on every paint.
        for (const QString &guid : std::as_const(wanted))
            m_names.insert(guid, names->value(guid));
    }
}

QString RecordTableModel::refNames(const FieldDef &field, const QJsonValue &value) const
{
    const QJsonArray guids = value.isArray() ? value.toArray() : QJsonArray {value};
    bool missing = false;
    for (const QJsonValue &guid : guids)
        missing = missing || !m_names.contains(guid.toString());
    if (missing) {
        LocalRecord probe;
        probe.fields.insert(field.name, value);
        resolveNames({probe});
    }
    QStringList names;
    for (const QJsonValue &guid : guids) {
        const QString name = m_names.value(guid.toString());
        if (!name.isEmpty())
            names.append(name);
    }
    return joinNames(names, guids.size());
}

QVariant RecordTableModel::displayValue(const FieldDef &field, const QJsonValue &value) const
{
    if (value.isNull() || value.isUndefined())
        return {};
    if (field.type == FieldType::Ref || field.type == FieldType::Refs)
        return refNames(field, value);
    return shortValue(field, value);
}

QVariant RecordTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LocalRecord *record = recordAt(index.row());
    if (!record)
        return {};
    switch (role) {
    case GuidRole:
        return record->guid;
    case SyncStatusRole:
        return int(record->status);
    case RecordRole:
        return QVariant::fromValue(*record);
    case SyncStatusTextRole:
        return syncStatusText(record->status, record->problem);
    default:
        break;
    }
    if (index.column() == StatusColumn) {
        switch (role) {
        case Qt::DecorationRole:
            return m_statusIcons[int(record->status)];
        case Qt::ToolTipRole:
        case Qt::AccessibleTextRole:
            return syncStatusText(record->status, record->problem);
        default:
            return {};
        }
    }
    const FieldDef *field = fieldAt(index.column());
    const QJsonValue value = record->fields.value(field->name);
    switch (role) {
    case Qt::DisplayRole:
        return field->type == FieldType::Bool ? QVariant() : displayValue(*field, value);
    case Qt::CheckStateRole:
        if (field->type == FieldType::Bool && value.isBool())
            return value.toBool() ? Qt::Checked : Qt::Unchecked;
        return {};
    case Qt::DecorationRole:
        // A colour field shows its colour beside the text.
        if (field->format == QLatin1String("color") && value.isString()) {
            const QColor color = QColor::fromString(value.toString().trimmed());
            if (color.isValid())
                return color;
        }
        return {};
    case Qt::AccessibleTextRole:
        return field->type == FieldType::Bool ? shortValue(*field, value)
                                              : displayValue(*field, value);
    case Qt::ToolTipRole:
        if (field->type == FieldType::Text)
            return value.toString().left(1000);
        return {};
    case Qt::TextAlignmentRole:
        if (field->type == FieldType::Int || field->type == FieldType::Real)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case FieldValueRole:
        return QVariant::fromValue(value);
    default:
        return {};
    }
}

QVariant RecordTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return QAbstractTableModel::headerData(section, orientation, role);
    if (section == StatusColumn) {
        if (role == Qt::ToolTipRole || role == Qt::AccessibleTextRole)
            return tr("Sync state");
        return {};
    }
    if (role == Qt::DisplayRole)
        return fieldAt(section)->title.isEmpty() ? fieldAt(section)->name : fieldAt(section)->title;
    return {};
}

QHash<int, QByteArray> RecordTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(GuidRole, "guid");
    names.insert(SyncStatusRole, "syncStatus");
    names.insert(RecordRole, "record");
    names.insert(FieldValueRole, "fieldValue");
    names.insert(SyncStatusTextRole, "syncStatusText");
    return names;
}

bool RecordTableModel::applyQuery(const RecordQuery &query)
{
    m_awaitedKeys = 0; // a bulk reload in flight was for the old order or filter
    m_bulkReload.stop();
    const bool large = std::max(qsizetype(m_keys.size()), m_unfilteredRows) >= kAsyncReloadRows;
    const auto index
        = large ? RecordView::IndexPolicy::Deferred : RecordView::IndexPolicy::CreateNow;
    if (Status s = m_view->setQuery(query, index); !s) {
        fail(s.error());
        return false;
    }
    m_query = m_view->query();
    return true;
}

void RecordTableModel::sort(int column, Qt::SortOrder order)
{
    if (!m_view || column >= columnCount())
        return;
    RecordQuery query = m_query;
    query.sortField = column < 0 ? QString()
        : column == StatusColumn ? QString(kStatusSortKey)
                                 : fieldAt(column)->name;
    query.descending = order == Qt::DescendingOrder;
    m_sortColumn = column;
    m_sortOrder = order;
    if (query.sortField == m_query.sortField && query.descending == m_query.descending)
        return;
    const bool flipOnly = query.sortField == m_query.sortField;
    if (!applyQuery(query))
        return;
    if (flipOnly) {
        // The reverse order needs no SQL: keys() orders ties by rowid in the same direction.
        Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
        const QModelIndexList before = persistentIndexList();
        QModelIndexList after;
        const int last = rowCount() - 1;
        for (const QModelIndex &index : before)
            after.append(this->index(last - index.row(), index.column()));
        std::reverse(m_keys.begin(), m_keys.end());
        changePersistentIndexList(before, after);
        Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
        return;
    }
    reload(true);
}

void RecordTableModel::setFilterText(const QString &text)
{
    if (!m_view || text == m_query.filterText)
        return;
    RecordQuery query = m_query;
    query.filterText = text;
    if (applyQuery(query))
        reload(false);
}

void RecordTableModel::setFilterAllTextFields(bool all)
{
    if (!m_view || all == m_filterAll)
        return;
    m_filterAll = all;
    RecordQuery query = m_query;
    query.filterFields.clear();
    if (all) {
        for (const FieldDef &field : std::as_const(m_entity.fields)) {
            if (field.type == FieldType::String || field.type == FieldType::Text)
                query.filterFields.append(field.name);
        }
    }
    if (applyQuery(query) && !query.filterText.isEmpty())
        reload(false);
}

// Reads the keys again. A new sort keeps the same rows, so it is a layout change that keeps
// selections and the current row; a new filter changes which rows exist, so it resets.
void RecordTableModel::reload(bool keepPersistent)
{
    // Small tables read their keys at once; large ones on the loader's thread, showing the
    // previous rows meanwhile, so typing in the search field never waits on a million keys.
    if (std::max(qsizetype(m_keys.size()), m_unfilteredRows) >= kAsyncReloadRows) {
        requestKeys(keepPersistent, false);
        return;
    }
    reloadNow(keepPersistent);
}

void RecordTableModel::reloadNow(bool keepPersistent)
{
    Result<std::vector<qint64>> keys = m_view->keys();
    if (!keys)
        fail(keys.error());
    install(keys ? std::move(keys).value() : std::vector<qint64>(), keepPersistent);
}

void RecordTableModel::requestKeys(bool keepPersistent, bool clearCache)
{
    if (!m_loader) {
        m_loader = std::make_unique<KeyLoader>(m_store->store().path());
        connect(m_loader.get(), &KeyLoader::loaded, this, &RecordTableModel::onKeysLoaded);
        connect(m_loader.get(), &KeyLoader::failed, this,
                [this](quint64 ticket, const Error &error) {
                    if (ticket != m_awaitedKeys)
                        return;
                    m_awaitedKeys = 0;
                    fail(error);
                    reloadNow(m_pendingKeep); // read them here instead
                });
    }
    m_pendingKeep = keepPersistent;
    m_pendingClear = m_pendingClear || clearCache;
    m_changedWhileLoading = false;
    m_awaitedKeys = m_loader->load(m_view->keysStatement());
}

void RecordTableModel::onKeysLoaded(quint64 ticket, const QList<qint64> &keys)
{
    if (ticket != m_awaitedKeys)
        return; // asked again since, or the query changed
    m_awaitedKeys = 0;
    install(std::vector<qint64>(keys.begin(), keys.end()), m_pendingKeep);
    if (m_changedWhileLoading)
        m_bulkReload.start();
}

// Puts new keys in place. A new sort keeps the same rows, so it is a layout change that keeps
// selections and the current row; a new filter or a bulk change resets.
void RecordTableModel::install(std::vector<qint64> fresh, bool keepPersistent)
{
    const bool clearCache = std::exchange(m_pendingClear, false);
    if (m_query.filterText.isEmpty())
        m_unfilteredRows = qsizetype(fresh.size());
    if (!keepPersistent) {
        beginResetModel();
        if (clearCache)
            m_cache.clear(); // rows may have changed as well as appeared
        m_keys = std::move(fresh);
        endResetModel();
        return;
    }
    Q_EMIT layoutAboutToBeChanged({}, QAbstractItemModel::VerticalSortHint);
    if (clearCache)
        m_cache.clear();
    const QModelIndexList before = persistentIndexList();
    QHash<qint64, int> wanted; // key -> new row, for the rows views hold on to
    for (const QModelIndex &index : before)
        wanted.insert(m_keys[index.row()], -1);
    for (qsizetype row = 0; row < qsizetype(fresh.size()) && !wanted.isEmpty(); ++row) {
        auto it = wanted.find(fresh[row]);
        if (it != wanted.end())
            *it = int(row);
    }
    QModelIndexList after;
    for (const QModelIndex &index : before) {
        const int row = wanted.value(m_keys[index.row()], -1);
        after.append(row < 0 ? QModelIndex() : this->index(row, index.column()));
    }
    m_keys = std::move(fresh);
    changePersistentIndexList(before, after);
    Q_EMIT layoutChanged({}, QAbstractItemModel::VerticalSortHint);
}

} // namespace Ferry::Ui
