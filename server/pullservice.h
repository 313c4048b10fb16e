#pragma once

#include "history.h"
#include "result.h"

#include <QByteArray>
#include <QSqlDatabase>
#include <QString>

class QUrlQuery;

namespace FerryServer {

class ServerStore;
class StoreBackend;
class Statements;

// Builds pull pages ("GET /v1/workspaces/{ws}/pull") straight from the records table into
// JSON bytes. This is the initial-sync hot path, so records created after the cursor have
// their stored field text spliced in without being parsed. Runs on the database's thread.
class PullService
{
public:
    // A pull request's query, checked: `since`, `limit` and `count` (docs/protocol.md).
    struct Query
    {
        qint64 since = 0;
        qint64 from = 0; // fields changed after this are sent (at most `since`)
        HistoryCheck history; // what the client has seen: `known` (default since), `check`
        int limit = 1000;
        bool withTotal = false;
        QString files; // the upload token the client holds (blob_log), or empty
    };
    // Refuses a malformed or out-of-range value, or a parameter given twice, with an
    // invalid_request Error naming it. Unknown parameters are ignored.
    static Ferry::Result<Query> parseQuery(const QUrlQuery &query);

    explicit PullService(const ServerStore &store);

    // The page body for changes after `since`, at most `limit` records unless a single push
    // is larger, each with the fields changed after `from` (<= since); with `withTotal` the
    // body also says how many changes follow `since`.
    // A `since` beyond the workspace's sequence, or a `history` this server does not hold,
    // is the error history_mismatch: the server lost changes the client has seen (restored
    // from an older backup).
    // `files`: the upload token the client holds; a page says "files_lost" when this
    // workspace's log lacks it (the server was put back to an older backup).
    Ferry::Result<QByteArray> page(const QString &workspace, qint64 since, qint64 from, int limit,
                                   bool withTotal, const HistoryCheck &history = {},
                                   const QString &files = {});

private:
    QSqlDatabase m_db;
    const StoreBackend &m_backend;
    Statements &m_statements;
};

} // namespace FerryServer
