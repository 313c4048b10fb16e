#pragma once

#include "pullservice.h"
#include "pushservice.h"

#include <QAbstractHttpServer>
#include <QByteArray>
#include <QHttpServerRequest>
#include <QString>

namespace FerryServer {

class ServerStore;

// One HTTP answer before it is written: status, JSON body and, for 405, the Allow header.
struct Reply
{
    int status = 200;
    QByteArray body;
    QByteArray allow;
};

// The protocol's HTTP front end (docs/protocol.md): routes requests itself so it can tell
// 404 from 405, authenticates bearer tokens, checks membership and body size, and hands
// pushes and pulls to PushService and PullService. Every handler answers synchronously on
// the server thread, so the socket is alive while the answer is written.
class ApiServer : public QAbstractHttpServer
{
    Q_OBJECT

public:
    ApiServer(ServerStore *store, qint64 maxBody, QObject *parent = nullptr);

    void setVerbose(bool verbose) { m_verbose = verbose; }

    static Reply error(int status, const QString &code, const QString &message);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    // What a handler needs beyond the request: the caller and the {ws} path part.
    struct Call
    {
        const QHttpServerRequest &request;
        QString user;
        QString workspace;
    };
    using Handler = Reply (ApiServer::*)(const Call &call);

    Reply handle(const QHttpServerRequest &request);

    Reply healthz(const Call &call);
    Reply me(const Call &call);
    Reply createWorkspace(const Call &call);
    Reply push(const Call &call);
    Reply pull(const Call &call);

    void write(const QHttpServerRequest &request, QTcpSocket *socket, const Reply &reply);

    ServerStore *m_store;
    PushService m_push;
    PullService m_pull;
    qint64 m_maxBody;
    bool m_verbose = false;
};

} // namespace FerryServer
