#pragma once

#include "history.h"
#include "result.h"
#include "wire.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

namespace FerryServer {

class ServerStore;
class StoreBackend;
class Statements;

// The answer to a push: either the JSON body for a 200, or an Error whose code the HTTP
// layer maps to a status (batch_mismatch and history_mismatch -> 409, database -> 500).
using PushAnswer = Ferry::Result<QByteArray>;

// Applies one push batch to a workspace: batch idempotency, per-record merge and conflict
// detection, sequence numbering and provenance, all in one transaction (docs/protocol.md,
// "POST /v1/workspaces/{ws}/push"). Runs on the thread that owns the database connection.
class PushService
{
public:
    explicit PushService(const ServerStore &store);

    // Where several servers share the store, each push that advances a workspace tells them
    // all on this channel (StoreBackend::announce): "WORKSPACE SEQ".
    static constexpr const char *kChannel = "ferry_push";

    // `body` is the raw request body (its hash identifies the batch content); `request` is
    // its parsed form. `user` is the authenticated caller, already checked to be allowed to
    // write to `workspace`. A `history` this server does not hold is history_mismatch, and
    // nothing is applied.
    // `deviceName`: the pushing device as the account's device list names it; recorded with
    // every change the push makes.
    PushAnswer push(const QString &workspace, const QString &user, const QByteArray &body,
                    const Ferry::Wire::PushRequest &request, const HistoryCheck &history = {},
                    const QString &deviceName = {});

private:
    QSqlDatabase m_db;
    const StoreBackend &m_backend;
    Statements &m_statements;
};

} // namespace FerryServer
