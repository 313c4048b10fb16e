// RecordTableModel's live updates: turning a committed ChangeSet into the exact row
// signals, so views keep their scroll position, selection and current row.
#include "recordtablemodel.h"

#include <QJsonArray>
#include <QTimer>

#include <algorithm>

namespace Ferry::Ui {

void RecordTableModel::onChanged(const ChangeSet &change)
{
    if (!m_view)
        return;
    if (change.entity == m_entity.name)
        applyChange(change.guids);
    else
        onTargetChanged(change);
}

// A renamed Tag changes how Posts' tag cells read: forget the names and repaint that column.
void RecordTableModel::onTargetChanged(const ChangeSet &change)
{
    bool known = false;
    for (const QString &guid : change.guids)
        known = m_names.remove(guid) || known;
    if (!known || m_keys.empty())
        return;
    for (const FieldDef &field : std::as_const(m_entity.fields)) {
        if ((field.type == FieldType::Ref || field.type == FieldType::Refs)
            && field.target == change.entity) {
            const int column = columnOf(field.name);
            Q_EMIT dataChanged(index(0, column), index(rowCount() - 1, column),
                               {Qt::DisplayRole, Qt::AccessibleTextRole});
        }
    }
}

void RecordTableModel::applyChange(QStringList guids)
{
    guids.removeDuplicates();
    // While a bulk reload is due or under way, it (or the one after it) covers this change.
    if (m_awaitedKeys != 0) {
        m_changedWhileLoading = true;
        return;
    }
    if (guids.size() > kResetThreshold || m_bulkReload.isActive()) {
        if (!m_bulkReload.isActive())
            m_bulkReload.start();
        return;
    }
    Result<QList<RecordView::Located>> located = m_view->locate(guids);
    if (!located) {
        fail(located.error());
        return;
    }
    std::vector<qint64> shownKeys;
    for (const RecordView::Located &where : located.value()) {
        if (where.shown)
            shownKeys.push_back(where.key);
    }
    Result<QList<QPair<qint64, LocalRecord>>> rows
        = m_view->rows(shownKeys.data(), qsizetype(shownKeys.size()));
    if (!rows) {
        fail(rows.error());
        return;
    }
    QHash<qint64, LocalRecord> fresh;
    for (auto &[key, record] : rows.value())
        fresh.insert(key, std::move(record));

    // Where each touched record is now: by key in one pass (a std::find for one record).
    QSet<qint64> touched;
    for (const RecordView::Located &where : located.value())
        touched.insert(where.key);
    QHash<qint64, qsizetype> position;
    if (touched.size() == 1) {
        const auto it = std::find(m_keys.begin(), m_keys.end(), *touched.begin());
        if (it != m_keys.end())
            position.insert(*it, it - m_keys.begin());
    } else if (!touched.isEmpty()) {
        for (qsizetype row = 0; row < qsizetype(m_keys.size()); ++row) {
            if (touched.contains(m_keys[row]))
                position.insert(m_keys[row], row);
        }
    }
    // A record the store rewrote with INSERT OR REPLACE has a new rowid; a row still showing
    // it is found through the cache by guid and takes the new key.
    QHash<QString, qint64> cachedByGuid;
    for (const RecordView::Located &where : located.value()) {
        if (where.key == 0 || position.contains(where.key))
            continue;
        if (cachedByGuid.isEmpty()) {
            for (auto it = m_cache.cbegin(); it != m_cache.cend(); ++it)
                cachedByGuid.insert(it->record.guid, it.key());
        }
        const qint64 oldKey = cachedByGuid.value(where.guid, 0);
        if (oldKey == 0)
            continue;
        const auto it = std::find(m_keys.begin(), m_keys.end(), oldKey);
        if (it == m_keys.end())
            continue;
        *it = where.key;
        if (auto cached = m_cache.find(oldKey); cached != m_cache.end()) {
            m_cache.insert(where.key, *cached);
            m_cache.erase(m_cache.find(oldKey));
        }
        position.insert(where.key, it - m_keys.begin());
    }

    auto shift = [&position](qsizetype from, qsizetype by) {
        for (auto it = position.begin(); it != position.end(); ++it) {
            if (*it >= from)
                *it += by;
        }
    };
    // Rows already shown go first: placed among the untouched rows, they are where new rows
    // are then compared with, so nothing is inserted next to a row that moves right after.
    QList<RecordView::Located> order = std::move(located).value();
    std::stable_partition(order.begin(), order.end(), [&position](const RecordView::Located &w) {
        return position.contains(w.key);
    });
    QSet<qint64> pending = touched;
    for (const RecordView::Located &where : std::as_const(order)) {
        const qint64 key = where.key;
        pending.remove(key);
        const qsizetype old = position.value(key, -1);
        position.remove(key);
        if (key == 0)
            continue;
        if (!where.shown || !fresh.contains(key)) {
            if (old >= 0) {
                beginRemoveRows({}, int(old), int(old));
                m_keys.erase(m_keys.begin() + old);
                m_cache.remove(key);
                endRemoveRows();
                shift(old + 1, -1);
            }
            continue;
        }
        const qsizetype target = insertionPoint(key, old, pending);
        const std::optional<LocalRecord> before = m_cache.contains(key)
            ? std::optional<LocalRecord>(m_cache.value(key).record)
            : std::nullopt;
        store(key, fresh.take(key));
        if (old < 0) {
            beginInsertRows({}, int(target), int(target));
            m_keys.insert(m_keys.begin() + target, key);
            endInsertRows();
            shift(target, 1);
            continue;
        }
        if (target != old) {
            // `target` counts rows without this one; Qt wants the row it goes before.
            beginMoveRows({}, int(old), int(old), {}, int(target > old ? target + 1 : target));
            m_keys.erase(m_keys.begin() + old);
            m_keys.insert(m_keys.begin() + target, key);
            endMoveRows();
            shift(old + 1, -1);
            shift(target, 1);
        }
        const QPair<int, int> columns = before ? changedColumns(*before, m_cache.value(key).record)
                                               : qMakePair(0, columnCount() - 1);
        if (columns.first >= 0)
            Q_EMIT dataChanged(index(int(target), columns.first),
                               index(int(target), columns.second));
        else
            Q_EMIT dataChanged(index(int(target), StatusColumn), index(int(target), StatusColumn),
                               {RecordRole});
    }
    evict();
}

// Where `key` belongs among the other rows (an index into the rows without the one at
// `skip`): a binary search whose comparisons SQLite makes, so they follow keys()' order
// exactly (collation, NULLs first). Rows still waiting in `pending` sit where their old
// values put them, so they are stepped over; the rest are in order.
qsizetype RecordTableModel::insertionPoint(qint64 key, qsizetype skip, const QSet<qint64> &pending)
{
    qsizetype low = 0;
    qsizetype high = qsizetype(m_keys.size());
    while (low < high) {
        const qsizetype middle = low + (high - low) / 2;
        qsizetype probe = middle;
        while (probe < high && (probe == skip || pending.contains(m_keys[probe])))
            ++probe;
        if (probe == high) {
            high = middle;
            continue;
        }
        Result<bool> before = m_view->sortsBefore(m_keys[probe], key);
        if (!before) {
            fail(before.error());
            break;
        }
        if (before.value())
            low = probe + 1;
        else
            high = middle;
    }
    // Any place between `low` and the next row that is not stepped over is right; a row
    // that can stay where it is does, so an edit is a dataChanged and not a move.
    qsizetype last = low;
    while (last < qsizetype(m_keys.size()) && (last == skip || pending.contains(m_keys[last])))
        ++last;
    if (skip >= 0 && low <= skip && skip <= last)
        return skip;
    return skip >= 0 && low > skip ? low - 1 : low;
}

// The first and last column whose shown value differs; (-1, -1) when none does.
QPair<int, int> RecordTableModel::changedColumns(const LocalRecord &before,
                                                 const LocalRecord &after) const
{
    int first = -1;
    int last = -1;
    auto mark = [&](int column) {
        if (first < 0)
            first = column;
        last = column;
    };
    if (before.status != after.status || before.problem != after.problem)
        mark(StatusColumn);
    for (qsizetype i = 0; i < m_entity.fields.size(); ++i) {
        const QString &name = m_entity.fields[i].name;
        if (before.fields.value(name) != after.fields.value(name))
            mark(int(i) + FirstFieldColumn);
    }
    return qMakePair(first, last);
}

} // namespace Ferry::Ui
