#pragma once

#include "result.h"
#include "wire.h"

#include <QSqlDatabase>
#include <QString>
#include <QUrlQuery>

#include <optional>

namespace FerryServer {

class Statements;

// What a client says it has seen (Ferry::Wire::HistoryCheck). A server restored from an older
// backup lacks the push it names, and every revision the client holds from after the backup
// means something else there.
using Ferry::Wire::HistoryCheck;

// A query parameter as a whole number in [min, max]: `fallback` if absent, nullopt if
// malformed, out of range or given more than once.
std::optional<qint64> integerParam(const QUrlQuery &query, const QString &name, qint64 fallback,
                                   qint64 min, qint64 max);

// `known` (default `defaultSeq`) and `check` from a pull's or push's query; an invalid_request
// Error names what is malformed.
Ferry::Result<HistoryCheck> parseHistoryCheck(const QUrlQuery &query, qint64 defaultSeq);

// The history token of the sequence a push makes: a SHA-256 over the token before it (empty
// for the first push the server kept one for), the push's batch id and the hash of its body,
// in hex. Two servers agree on a token only when the same pushes were applied in the same
// order up to that sequence; a push sent again after a restore from a backup, landing on the
// sequence number it had before, gets another token when anything before it differs.
QString nextHistoryToken(const QString &previous, const QString &batch, const QString &bodyHash);

// Whether `check` is a history token (64 hex digits) rather than a batch id, which clients of
// a server from before tokens hold.
bool isHistoryToken(const QString &check);

// Gives every push that made a sequence its history token, in order, and each workspace the
// token of its newest sequence: the schema step that brings tokens to an existing database.
Ferry::Status computeHistoryTokens(const QSqlDatabase &db);

// Does this server hold the history `check` names? The error history_mismatch if not, a
// database Error if it cannot tell. Call inside the transaction that then reads or writes.
Ferry::Status verifyHistory(Statements &statements, const QString &workspace,
                            const HistoryCheck &check);

} // namespace FerryServer
