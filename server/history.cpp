#include "history.h"

#include "statements.h"

#include "serverstore.h"
#include "wire.h"

#include <QCryptographicHash>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <tuple>

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
        bad = QStringLiteral("check must be a history token");
    if (!bad.isEmpty())
        return Ferry::Error {QStringLiteral("invalid_request"),
                             bad + QStringLiteral(", given once.")};
    return HistoryCheck {*known, checks.value(0)};
}

QString nextHistoryToken(const QString &previous, const QString &batch, const QString &bodyHash)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    // Each part has a fixed alphabet without ' ', so the joined text splits one way only.
    hash.addData(previous.toLatin1());
    hash.addData(" ");
    hash.addData(batch.toLatin1());
    hash.addData(" ");
    hash.addData(bodyHash.toLatin1());
    return QString::fromLatin1(hash.result().toHex());
}

bool isHistoryToken(const QString &check)
{
    if (check.size() != 64)
        return false;
    return std::all_of(check.cbegin(), check.cend(), [](QChar c) {
        return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
            || (c >= QLatin1Char('a') && c <= QLatin1Char('f'));
    });
}

Ferry::Status computeHistoryTokens(const QSqlDatabase &db)
{
    QSqlQuery pushes(db);
    pushes.setForwardOnly(true);
    if (!pushes.exec(QStringLiteral("SELECT workspace, seq, batch, body_hash FROM batches "
                                    "WHERE seq IS NOT NULL ORDER BY workspace, seq")))
        return databaseError(QStringLiteral("reading the pushes"), pushes.lastError().text());
    QList<std::tuple<QString, qint64, QString>> tokens; // workspace, seq, token
    QString workspace, token;
    while (pushes.next()) {
        if (pushes.value(0).toString() != workspace) {
            workspace = pushes.value(0).toString();
            token.clear();
        }
        token = nextHistoryToken(token, pushes.value(2).toString(), pushes.value(3).toString());
        tokens.append({workspace, pushes.value(1).toLongLong(), token});
    }
    pushes.finish();
    QSqlQuery write(db);
    write.prepare(QStringLiteral("UPDATE batches SET history = ? WHERE workspace = ? AND seq = ?"));
    QSqlQuery head(db);
    head.prepare(QStringLiteral("UPDATE workspaces SET history = ? WHERE id = ?"));
    for (qsizetype i = 0; i < tokens.size(); ++i) {
        const auto &[ws, seq, value] = tokens.at(i);
        write.addBindValue(value);
        write.addBindValue(ws);
        write.addBindValue(seq);
        if (!write.exec())
            return databaseError(QStringLiteral("writing a history token"),
                                 write.lastError().text());
        if (i + 1 == tokens.size() || std::get<0>(tokens.at(i + 1)) != ws) {
            head.addBindValue(value);
            head.addBindValue(ws);
            if (!head.exec())
                return databaseError(QStringLiteral("writing a history token"),
                                     head.lastError().text());
        }
    }
    return Ferry::success();
}

Ferry::Status verifyHistory(Statements &statements, const QString &workspace,
                            const HistoryCheck &check)
{
    const Statements::Held heldSeq
        = statements(QStringLiteral("SELECT seq FROM workspaces WHERE id = ?"));
    QSqlQuery &seq = *heldSeq;
    seq.addBindValue(workspace);
    if (!seq.exec() || !seq.next())
        return databaseError(QStringLiteral("reading the sequence"), seq.lastError().text());
    const qint64 current = seq.value(0).toLongLong();
    bool known = check.seq <= current;
    if (known && !check.check.isEmpty() && check.seq > 0 && isHistoryToken(check.check)) {
        const Statements::Held held = statements(QStringLiteral(
            "SELECT 1 FROM batches WHERE workspace = ? AND seq = ? AND history = ?"));
        QSqlQuery &made = *held;
        made.addBindValue(workspace);
        made.addBindValue(check.seq);
        made.addBindValue(check.check);
        if (!made.exec())
            return databaseError(QStringLiteral("checking the history"), made.lastError().text());
        known = made.next();
    } else if (known && !check.check.isEmpty() && check.seq > 0) {
        // The id of the push that made `seq`, as servers before history tokens named it: a
        // weaker check (a push sent again after a restore can land on its old number), kept
        // until the client's next pull or push gives it a token.
        const Statements::Held held = statements(
            QStringLiteral("SELECT seq FROM batches WHERE workspace = ? AND batch = ?"));
        QSqlQuery &made = *held;
        made.addBindValue(workspace);
        made.addBindValue(check.check);
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
