#include "pullservice.h"

#include "blobservice.h"
#include "history.h"
#include "serverstore.h"
#include "wire.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrlQuery>

#include <limits>
#include <optional>

namespace FerryServer {

namespace {

enum Column {
    Guid,
    Entity,
    Rev,
    CreatedRev,
    Deleted,
    Fields,
    Revs,
    Device,
    User,
    ChangedAt,
    DeviceName
};

// The fields of a record that existed at `since` (the pull's `from`): only those changed
// after it.
QByteArray changedFields(const QByteArray &fieldsText, const QByteArray &revsText, qint64 since)
{
    const QJsonObject fields = QJsonDocument::fromJson(fieldsText).object();
    const QJsonObject revs = QJsonDocument::fromJson(revsText).object();
    QJsonObject changed;
    for (auto it = revs.begin(); it != revs.end(); ++it) {
        if (qint64(it.value().toDouble()) > since && fields.contains(it.key()))
            changed.insert(it.key(), fields.value(it.key()));
    }
    return QJsonDocument(changed).toJson(QJsonDocument::Compact);
}

void appendRecord(QByteArray &out, const QSqlQuery &q, qint64 since)
{
    out.append("{\"entity\":");
    Ferry::Wire::appendJsonString(out, q.value(Entity).toString());
    out.append(",\"guid\":");
    Ferry::Wire::appendJsonString(out, q.value(Guid).toString());
    out.append(",\"rev\":");
    out.append(QByteArray::number(q.value(Rev).toLongLong()));
    if (q.value(Deleted).toInt() != 0) {
        out.append(",\"deleted\":true,\"fields\":{}");
    } else {
        out.append(",\"fields\":");
        if (q.value(CreatedRev).toLongLong() > since)
            out.append(q.value(Fields).toByteArray()); // stored compact JSON, spliced as is
        else
            out.append(
                changedFields(q.value(Fields).toByteArray(), q.value(Revs).toByteArray(), since));
    }
    out.append(",\"device\":");
    Ferry::Wire::appendJsonString(out, q.value(Device).toString());
    if (const QString name = q.value(DeviceName).toString(); !name.isEmpty()) {
        out.append(",\"device_name\":");
        Ferry::Wire::appendJsonString(out, name);
    }
    out.append(",\"user\":");
    Ferry::Wire::appendJsonString(out, q.value(User).toString());
    out.append(",\"at\":");
    out.append(QByteArray::number(q.value(ChangedAt).toLongLong()));
    out.append('}');
}

} // namespace

Ferry::Result<PullService::Query> PullService::parseQuery(const QUrlQuery &query)
{
    const auto since
        = integerParam(query, QStringLiteral("since"), 0, 0, 9007199254740991LL); // 2^53 - 1
    const auto limit
        = integerParam(query, QStringLiteral("limit"), 1000, 1, Ferry::Wire::kMaxPullLimit);
    const auto count = integerParam(query, QStringLiteral("count"), 0, 0, 1);
    const auto from
        = integerParam(query, QStringLiteral("from"), since.value_or(0), 0, 9007199254740991LL);
    QString bad;
    if (!since)
        bad = QStringLiteral("since must be a whole number >= 0");
    else if (!limit)
        bad = QStringLiteral("limit must be a whole number from 1 to %1")
                  .arg(Ferry::Wire::kMaxPullLimit);
    else if (!count)
        bad = QStringLiteral("count must be 0 or 1");
    else if (!from || *from > *since)
        bad = QStringLiteral("from must be a whole number from 0 to since");
    if (!bad.isEmpty())
        return Ferry::Error {QStringLiteral("invalid_request"),
                             bad + QStringLiteral(", given once.")};
    // The history the client has seen is, unless it says more, what made `since`.
    const Ferry::Result<HistoryCheck> history = parseHistoryCheck(query, *since);
    if (!history)
        return history.error();
    const Ferry::Result<QString> files = BlobService::parseFilesToken(query);
    if (!files)
        return files.error();
    return Query {*since, *from, history.value(), int(*limit), *count == 1, files.value()};
}

PullService::PullService(const ServerStore &store)
    : m_db(store.database())
    , m_backend(store.backend())
    , m_statements(store.statements())
{ }

Ferry::Result<QByteArray> PullService::page(const QString &workspace, qint64 since, qint64 from,
                                            int limit, bool withTotal, const HistoryCheck &history,
                                            const QString &files)
{
    // One read transaction so the total and the page see the same snapshot.
    QSqlQuery(m_db).exec(m_backend.beginRead());
    struct EndRead
    {
        QSqlDatabase db;
        ~EndRead() { QSqlQuery(db).exec(QStringLiteral("COMMIT")); }
    } endRead {m_db};

    // Does this server still have the history the client has seen?
    if (Ferry::Status s = verifyHistory(m_statements, workspace, history); !s)
        return s.error();
    if (since > history.seq) {
        if (Ferry::Status s = verifyHistory(m_statements, workspace, HistoryCheck {since, {}}); !s)
            return s.error();
    }

    qint64 total = -1;
    if (withTotal) {
        const Statements::Held held = m_statements(
            QStringLiteral("SELECT COUNT(*) FROM records WHERE workspace = ? AND rev > ?"));
        QSqlQuery &count = *held;
        count.addBindValue(workspace);
        count.addBindValue(since);
        if (!count.exec() || !count.next())
            return databaseError(QStringLiteral("counting changes"), count.lastError().text());
        total = count.value(0).toLongLong();
    }

    // Where the page ends, from the covering index alone: R, the rev of the first record past
    // the limit. The page takes the pushes before R, or all of R if R is the page's first push.
    qint64 upper = std::numeric_limits<qint64>::max();
    bool more = false;
    {
        const Statements::Held heldBeyond
            = m_statements(QStringLiteral("SELECT rev FROM records WHERE workspace = ? AND rev > ? "
                                          "ORDER BY rev, guid LIMIT 1 OFFSET ?"));
        QSqlQuery &beyond = *heldBeyond;
        beyond.addBindValue(workspace);
        beyond.addBindValue(since);
        beyond.addBindValue(limit);
        if (!beyond.exec())
            return databaseError(QStringLiteral("paging changes"), beyond.lastError().text());
        if (beyond.next()) {
            const qint64 past = beyond.value(0).toLongLong();
            const Statements::Held heldFirst = m_statements(
                QStringLiteral("SELECT MIN(rev) FROM records WHERE workspace = ? AND rev > ?"));
            QSqlQuery &first = *heldFirst;
            first.addBindValue(workspace);
            first.addBindValue(since);
            if (!first.exec() || !first.next())
                return databaseError(QStringLiteral("paging changes"), first.lastError().text());
            if (first.value(0).toLongLong() != past) {
                upper = past - 1;
                more = true;
            } else { // one push larger than the limit: all of it, and maybe nothing after
                upper = past;
                const Statements::Held heldAfter = m_statements(QStringLiteral(
                    "SELECT 1 FROM records WHERE workspace = ? AND rev > ? LIMIT 1"));
                QSqlQuery &after = *heldAfter;
                after.addBindValue(workspace);
                after.addBindValue(past);
                if (!after.exec())
                    return databaseError(QStringLiteral("paging changes"),
                                         after.lastError().text());
                more = after.next();
            }
        }
    }

    // The stored UTF-8 bytes as they are (no round trip through QString), so they can be
    // spliced into the page.
    const Statements::Held held
        = m_statements(QStringLiteral("SELECT guid, entity, rev, created_rev, deleted, %1, %2, "
                                      "device, user_name, changed_at, device_name FROM records "
                                      "WHERE workspace = ? AND rev > ? AND rev <= ? "
                                      "ORDER BY rev, guid")
                           .arg(m_backend.bytesOf(QStringLiteral("fields")),
                                m_backend.bytesOf(QStringLiteral("revs"))),
                       true);
    QSqlQuery &q = *held;
    q.addBindValue(workspace);
    q.addBindValue(since);
    q.addBindValue(upper);
    if (!q.exec())
        return databaseError(QStringLiteral("reading changes"), q.lastError().text());

    QByteArray out;
    out.reserve(qMin(limit, 20000) * 600 + 128);
    out.append("{\"changes\":[");
    qint64 cursor = since;
    bool first = true;
    while (q.next()) {
        // Past the byte budget the page ends between two pushes (never inside one).
        const qint64 rev = q.value(Rev).toLongLong();
        if (!first && rev != cursor && out.size() >= Ferry::Wire::kPullPageBytes) {
            more = true;
            break;
        }
        if (!first)
            out.append(',');
        first = false;
        appendRecord(out, q, from);
        cursor = rev;
    }
    q.finish();
    out.append("],\"cursor\":");
    out.append(QByteArray::number(cursor));
    // The history token of `cursor`, for the client to send back as `check` next time.
    if (cursor > 0) {
        const Statements::Held heldMade = m_statements(
            QStringLiteral("SELECT history FROM batches WHERE workspace = ? AND seq = ?"));
        QSqlQuery &made = *heldMade;
        made.addBindValue(workspace);
        made.addBindValue(cursor);
        if (!made.exec())
            return databaseError(QStringLiteral("reading the history"), made.lastError().text());
        if (made.next() && !made.value(0).isNull()) {
            out.append(",\"cursor_check\":");
            Ferry::Wire::appendJsonString(out, made.value(0).toString());
        }
    }
    out.append(",\"more\":");
    out.append(more ? "true" : "false");
    // Records changed past the cursor wait for later pages: the client names the head it was
    // told of as seen, so that a restore from an older backup is noticed (they could be left
    // below the cursor in it).
    if (more) {
        const Statements::Held heldHead
            = m_statements(QStringLiteral("SELECT seq, history FROM workspaces WHERE id = ?"));
        QSqlQuery &head = *heldHead;
        head.addBindValue(workspace);
        if (!head.exec())
            return databaseError(QStringLiteral("reading the history"), head.lastError().text());
        if (head.next() && !head.value(1).isNull() && head.value(0).toLongLong() >= cursor) {
            out.append(",\"head\":");
            out.append(QByteArray::number(head.value(0).toLongLong()));
            out.append(",\"head_check\":");
            Ferry::Wire::appendJsonString(out, head.value(1).toString());
        }
    }
    if (total >= 0) {
        out.append(",\"total\":");
        out.append(QByteArray::number(total));
    }
    if (!files.isEmpty()) {
        const Ferry::Result<FilesCheck> uploads
            = BlobService::checkFiles(m_statements, workspace, files);
        if (!uploads)
            return uploads.error();
        if (uploads->lost)
            out.append(",\"files_lost\":true");
    }
    out.append('}');
    return out;
}

} // namespace FerryServer
