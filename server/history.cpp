#include "history.h"

#include "serverstore.h"
#include "wire.h"

#include <QSqlError>
#include <QSqlQuery>

namespace FerryServer {

namespace {

constexpr qint64 kMaxWholeNumber = 9007199254740991LL; // 2^53 - 1, exact in JSON

} // namespace

std::optional<qint64> integerParam(const QUrlQuery &query, const QString &name, qint64 fallback,
                                   qint64 min, qint64 max)
{
    const QStringList values = query.allQueryItemValues(name, QUrl::FullyDecoded);
    if (values.isEmpty())
        return fallback;
    if (values.size() > 1)
        return std::nullopt;
    const QString &text = values.first();
    if (text.isEmpty() || text.size() > 16)
        return std::nullopt;
    for (const QChar c : text) {
        if (c < QLatin1Char('0') || c > QLatin1Char('9'))
            return std::nullopt;
    }
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

Ferry::Result<HistoryCheck> parseHistoryCheck(const QUrlQuery &query, qint64 defaultSeq)
{
    const auto known = integerParam(query, QStringLiteral("known"), defaultSeq, 0, kMaxWholeNumber);
    const QStringList checks
        = query.allQueryItemValues(QStringLiteral("check"), QUrl::FullyDecoded);
    QString bad;
    if (!known)
        bad = QStringLiteral("known must be a whole number >= 0");
    else if (checks.size() > 1 || (checks.size() == 1 && !Ferry::Wire::isValidId(checks.first())))
        bad = QStringLiteral("check must be a batch id");
    if (!bad.isEmpty())
        return Ferry::Error {QStringLiteral("invalid_request"),
                             bad + QStringLiteral(", given once.")};
    return HistoryCheck {*known, checks.value(0)};
}

Ferry::Status verifyHistory(const QSqlDatabase &db, const QString &workspace,
                            const HistoryCheck &check)
{
    QSqlQuery seq(db);
    seq.prepare(QStringLiteral("SELECT seq FROM workspaces WHERE id = ?"));
    seq.addBindValue(workspace);
    if (!seq.exec() || !seq.next())
        return databaseError(QStringLiteral("reading the sequence"), seq.lastError().text());
    const qint64 current = seq.value(0).toLongLong();
    bool known = check.seq <= current;
    if (known && !check.batch.isEmpty() && check.seq > 0) {
        QSqlQuery made(db);
        made.prepare(QStringLiteral("SELECT seq FROM batches WHERE workspace = ? AND batch = ?"));
        made.addBindValue(workspace);
        made.addBindValue(check.batch);
        if (!made.exec())
            return databaseError(QStringLiteral("checking the history"), made.lastError().text());
        // A batch from before the server kept sequences (NULL) cannot be checked.
        known = made.next() && (made.value(0).isNull() || made.value(0).toLongLong() == check.seq);
    }
    if (!known)
        return Ferry::Error {
            QStringLiteral("history_mismatch"),
            QStringLiteral("This device has seen changes up to %1 that this server does not have "
                           "(it is at %2): the server was probably restored from an older backup.")
                .arg(check.seq)
                .arg(current)};
    return Ferry::success();
}

} // namespace FerryServer
