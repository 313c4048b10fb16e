#include "pullservice.h"

#include "serverstore.h"
#include "wire.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>

namespace FerryServer {

namespace {

enum Column { Guid, Entity, Rev, CreatedRev, Deleted, Fields, Revs, Device, User, ChangedAt };

// The fields of a record that existed at `since`: only those changed after it.
QByteArray changedFields(const QString &fieldsText, const QString &revsText, qint64 since)
{
    const QJsonObject fields = QJsonDocument::fromJson(fieldsText.toUtf8()).object();
    const QJsonObject revs = QJsonDocument::fromJson(revsText.toUtf8()).object();
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
            out.append(q.value(Fields).toString().toUtf8()); // stored compact JSON, spliced as is
        else
            out.append(changedFields(q.value(Fields).toString(), q.value(Revs).toString(), since));
    }
    out.append(",\"device\":");
    Ferry::Wire::appendJsonString(out, q.value(Device).toString());
    out.append(",\"user\":");
    Ferry::Wire::appendJsonString(out, q.value(User).toString());
    out.append(",\"at\":");
    out.append(QByteArray::number(q.value(ChangedAt).toLongLong()));
    out.append('}');
}

} // namespace

PullService::PullService(QSqlDatabase db) : m_db(std::move(db)) { }

Ferry::Result<QByteArray> PullService::page(const QString &workspace, qint64 since, int limit,
                                            bool withTotal)
{
    // One read transaction so the total and the page see the same snapshot.
    QSqlQuery(m_db).exec(QStringLiteral("BEGIN"));
    struct EndRead
    {
        QSqlDatabase db;
        ~EndRead() { QSqlQuery(db).exec(QStringLiteral("COMMIT")); }
    } endRead{m_db};

    qint64 total = -1;
    if (withTotal) {
        QSqlQuery count(m_db);
        count.prepare(QStringLiteral("SELECT COUNT(*) FROM records WHERE workspace = ? AND rev > ?"));
        count.addBindValue(workspace);
        count.addBindValue(since);
        if (!count.exec() || !count.next())
            return databaseError(QStringLiteral("counting changes"), count.lastError().text());
        total = count.value(0).toLongLong();
    }

    // No LIMIT: the forward-only cursor is simply not stepped further than needed, which
    // lets the page end at a push boundary without a second query.
    QSqlQuery q(m_db);
    q.setForwardOnly(true);
    q.prepare(QStringLiteral("SELECT guid, entity, rev, created_rev, deleted, fields, revs, device, "
                             "user_name, changed_at FROM records WHERE workspace = ? AND rev > ? "
                             "ORDER BY rev, guid"));
    q.addBindValue(workspace);
    q.addBindValue(since);
    if (!q.exec())
        return databaseError(QStringLiteral("reading changes"), q.lastError().text());

    QByteArray out;
    out.reserve(qMin(limit, 20000) * 600 + 128);
    out.append("{\"changes\":[");
    const qsizetype headerSize = out.size();
    qint64 committedCount = 0; // records of complete pushes in the page
    qint64 cursor = since;     // rev of the last complete push in the page
    qint64 groupRev = -1;      // the push being read
    qint64 groupCount = 0;
    qsizetype groupStart = out.size();
    bool more = false;
    while (q.next()) {
        const qint64 rev = q.value(Rev).toLongLong();
        if (rev != groupRev) {
            if (groupCount > 0) {
                committedCount += groupCount;
                cursor = groupRev;
            }
            if (committedCount >= limit) {
                more = true;
                break;
            }
            groupRev = rev;
            groupCount = 0;
            groupStart = out.size();
        }
        if (out.size() > headerSize)
            out.append(',');
        appendRecord(out, q, since);
        ++groupCount;
        if (committedCount > 0 && committedCount + groupCount > limit) {
            out.truncate(groupStart); // this push does not fit: it starts the next page
            groupCount = 0;
            more = true;
            break;
        }
    }
    if (!more && groupCount > 0) {
        committedCount += groupCount;
        cursor = groupRev;
    }
    q.finish();
    out.append("],\"cursor\":");
    out.append(QByteArray::number(cursor));
    out.append(",\"more\":");
    out.append(more ? "true" : "false");
    if (total >= 0) {
        out.append(",\"total\":");
        out.append(QByteArray::number(total));
    }
    out.append('}');
    return out;
}

} // namespace FerryServer
