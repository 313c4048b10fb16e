#include "apiclient.h"

#include "guid.h"
#include "tlstrust.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSignalSpy>

namespace FerryTest {

namespace {
constexpr int kReplyTimeoutMs = 30000;
}

QJsonObject mutation(const QString &guid, qint64 base, const QJsonObject &fields,
                     const QString &entity)
{
    QJsonObject m {{QStringLiteral("entity"), entity},
                   {QStringLiteral("guid"), guid},
                   {QStringLiteral("base"), base}};
    if (!fields.isEmpty())
        m.insert(QStringLiteral("fields"), fields);
    return m;
}

QJsonObject deletion(const QString &guid, qint64 base)
{
    QJsonObject m = mutation(guid, base);
    m.insert(QStringLiteral("deleted"), true);
    return m;
}

QJsonObject setOps(const QString &guid, qint64 base, const QString &field, const QStringList &add,
                   const QStringList &remove)
{
    QJsonObject m = mutation(guid, base);
    m.insert(QStringLiteral("sets"),
             QJsonObject {
                 {field,
                  QJsonObject {{QStringLiteral("add"), QJsonArray::fromStringList(add)},
                               {QStringLiteral("remove"), QJsonArray::fromStringList(remove)}}}});
    return m;
}

QByteArray batchBody(const QString &batch, const QJsonArray &mutations, const QString &device)
{
    return QJsonDocument(QJsonObject {{QStringLiteral("batch"), batch},
                                      {QStringLiteral("device"), device},
                                      {QStringLiteral("mutations"), mutations}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject result(const ApiResponse &response, int index)
{
    return response.json.value(QStringLiteral("results")).toArray().at(index).toObject();
}

void ApiClient::setServer(const QUrl &base, const QString &token)
{
    m_base = base;
    m_token = token;
}

ApiResponse ApiClient::request(const QByteArray &method, const QString &path,
                               const QByteArray &authorization, const QByteArray &body)
{
    QNetworkRequest request(m_base.resolved(QUrl(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    return exchange(std::move(request), method, body);
}

RawResponse ApiClient::exchange(QNetworkRequest request, const QByteArray &method,
                                const QByteArray &body)
{
    QNetworkReply *reply = method == "GET" && body.isEmpty()
        ? m_network.get(request)
        : m_network.sendCustomRequest(request, method, body);
    Ferry::TlsTrust::guard(reply, m_trusted);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    RawResponse r;
    r.finished = reply->isFinished() || finished.wait(kReplyTimeoutMs);
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    r.json = QJsonDocument::fromJson(r.body).object();
    r.allow = reply->rawHeader("Allow");
    r.retryAfter = reply->rawHeader("Retry-After");
    r.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return r;
}

ApiResponse ApiClient::send(const QByteArray &method, const QString &path, const QString &token,
                            const QByteArray &body)
{
    return request(method, path, "Bearer " + token.toUtf8(), body);
}

ApiResponse ApiClient::share(const QString &workspace, const QString &user, const QString &role,
                             const QString &ownerToken, const QString &userToken)
{
    const ApiResponse invited
        = send("PUT", QStringLiteral("/v1/workspaces/%1/members/%2").arg(workspace, user),
               ownerToken, QJsonDocument(QJsonObject {{QStringLiteral("role"), role}}).toJson());
    if (invited.status != 200)
        return invited;
    return send("POST", QStringLiteral("/v1/invitations/") + workspace, userToken);
}

QByteArray RawResponse::header(const QByteArray &name) const
{
    for (const auto &[key, value] : headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

RawResponse ApiClient::sendBytes(const QByteArray &method, const QString &path,
                                 const QString &token, const QByteArray &body,
                                 const QList<std::pair<QByteArray, QByteArray>> &headers)
{
    QNetworkRequest request(m_base.resolved(QUrl(path)));
    request.setHeader(QNetworkRequest::ContentTypeHeader,
                      QByteArrayLiteral("application/octet-stream"));
    if (!token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    return exchange(std::move(request), method, body);
}

ApiResponse ApiClient::push(const QString &workspace, const QJsonArray &mutations, QString batch,
                            const QString &device)
{
    if (batch.isEmpty())
        batch = Ferry::createGuid();
    return send("POST", QStringLiteral("/v1/workspaces/%1/push").arg(workspace), m_token,
                batchBody(batch, mutations, device));
}

ApiResponse ApiClient::pull(const QString &workspace, qint64 since, int limit)
{
    return send("GET",
                QStringLiteral("/v1/workspaces/%1/pull?since=%2&limit=%3")
                    .arg(workspace)
                    .arg(since)
                    .arg(limit),
                m_token);
}

WorkspaceSnapshot ApiClient::snapshot(const QString &workspace)
{
    const ApiResponse r = pull(workspace, 0, 10000);
    if (r.status != 200)
        return {};
    return WorkspaceSnapshot {
        qint64(r.json.value(QStringLiteral("cursor")).toDouble()),
        QJsonDocument(r.json.value(QStringLiteral("changes")).toArray()).toJson()};
}

QString ApiClient::newWorkspace()
{
    const QString id = QStringLiteral("ws%1").arg(++m_workspaces);
    const ApiResponse r = send("POST", QStringLiteral("/v1/workspaces"), m_token,
                               QJsonDocument(QJsonObject {{QStringLiteral("id"), id}}).toJson());
    return r.status == 201 ? id : QString();
}

qint64 ApiClient::create(const QString &workspace, const QString &guid, const QJsonObject &fields)
{
    const ApiResponse r = push(workspace, QJsonArray {mutation(guid, 0, fields)});
    if (r.status != 200
        || result(r).value(QStringLiteral("status")).toString() != QLatin1String("applied"))
        return -1;
    return qint64(result(r).value(QStringLiteral("rev")).toDouble());
}

} // namespace FerryTest
