#include "transport.h"

#include "accountanswers.h"
#include "tlstrust.h"
#include "wire.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace Ferry {

namespace {

// Set on a reply whose answer grew past its cap and was stopped: the cap.
constexpr char kTooLarge[] = "ferryAnswerTooLarge";
// Qt checks how much a compressed answer inflates once it passes this many bytes.
constexpr qint64 kDecompressionCheckBytes = 10 * 1024 * 1024;

bool isBrokenConnection(QNetworkReply::NetworkError error)
{
    switch (error) {
    case QNetworkReply::RemoteHostClosedError:
    case QNetworkReply::TemporaryNetworkFailureError:
    case QNetworkReply::NetworkSessionFailedError:
    case QNetworkReply::UnknownNetworkError:
    case QNetworkReply::ProxyConnectionClosedError:
        return true;
    default:
        return false;
    }
}

// An answer whose status line holds a second status line: the connection broke inside the
// first answer's status line, Qt sent the request again on a new connection and read the new
// answer's status line onto the old one ("HTTP/1.1 200 O" + "HTTP/1.1 503 ..."), keeping the
// first status. Its body is the second answer's: whatever it says, it is not what the status
// claims, so the exchange failed as a broken connection does.
bool spliced(const QNetworkReply *reply)
{
    return reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute)
        .toByteArray()
        .contains("HTTP/");
}

QString sizeText(qint64 bytes)
{
    if (bytes >= 16 * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(bytes / (1024 * 1024));
    return QStringLiteral("%1 KiB").arg(bytes / 1024);
}

} // namespace

Transport::Transport(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{ }

void Transport::setServer(const QUrl &server, const QString &token,
                          const QString &trustedFingerprint)
{
    // A connection opened under the old trust must not outlive it.
    if (m_network && trustedFingerprint != m_trusted)
        m_network->clearConnectionCache();
    m_server = server;
    m_token = token;
    m_trusted = trustedFingerprint;
}

void Transport::setNetworkAccessManager(QNetworkAccessManager *manager)
{
    m_network = manager;
}

QUrl Transport::url(const QUrl &server, const QString &path)
{
    QUrl url = server;
    QString base = server.path(QUrl::FullyEncoded);
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    const qsizetype query = path.indexOf(QLatin1Char('?'));
    url.setPath(base + path.left(query), QUrl::StrictMode);
    url.setQuery(query >= 0 ? path.mid(query + 1) : QString());
    return url;
}

QUrl Transport::webSocketUrl(const QUrl &server, const QString &path)
{
    QUrl socket = url(server, path);
    socket.setScheme(server.scheme() == QLatin1String("https") ? QStringLiteral("wss")
                                                               : QStringLiteral("ws"));
    return socket;
}

QNetworkRequest Transport::request(const QString &path) const
{
    QNetworkRequest request(url(path));
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token.toUtf8());
    return request;
}

QNetworkRequest Transport::webSocketRequest(const QString &path) const
{
    QNetworkRequest request = this->request(path);
    request.setUrl(webSocketUrl(m_server, path));
    return request;
}

QNetworkReply *Transport::send(const Call &call)
{
    QNetworkRequest request = this->request(call.path);
    if (!call.contentType.isEmpty())
        request.setRawHeader("Content-Type", call.contentType);
    for (const auto &[name, value] : call.headers)
        request.setRawHeader(name, value);
    request.setTransferTimeout(call.idleTimeoutMs);
    if (call.maxAnswerBytes > 0)
        request.setDecompressedSafetyCheckThreshold(
            std::min(call.maxAnswerBytes, kDecompressionCheckBytes));
    QNetworkReply *reply = call.upload
        ? m_network->sendCustomRequest(request, call.method, call.upload)
        : call.method == "GET" ? m_network->get(request)
                               : m_network->sendCustomRequest(request, call.method, call.body);
    TlsTrust::guard(reply, m_trusted);
    if (call.maxAnswerBytes > 0) {
        // Stop reading an answer that is, or grows, past the cap instead of holding it all.
        const qint64 cap = call.maxAnswerBytes;
        const auto check = [reply, cap](qint64 size) {
            if (size > cap && !reply->property(kTooLarge).isValid()) {
                reply->setProperty(kTooLarge, cap);
                reply->abort();
            }
        };
        connect(reply, &QNetworkReply::metaDataChanged, reply, [reply, check] {
            check(reply->header(QNetworkRequest::ContentLengthHeader).toLongLong());
        });
        connect(reply, &QNetworkReply::downloadProgress, reply,
                [check](qint64 received, qint64) { check(received); });
    }
    return reply;
}

bool Transport::succeeded(const QNetworkReply *reply)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    return reply->error() == QNetworkReply::NoError && status >= 200 && status < 300
        && !spliced(reply);
}

Error Transport::error(QNetworkReply *reply, bool *transient) const
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QString server = m_server.toDisplayString();
    *transient = true;
    if (const QVariant cap = reply->property(kTooLarge); cap.isValid()) {
        *transient = false;
        return Error {QStringLiteral("bad_response"),
                      tr("The server at %1 sent an answer larger than %2; Ferry stopped reading "
                         "it. Is it a Ferry server?")
                          .arg(server, sizeText(cap.toLongLong()))};
    }
    if (reply->error() == QNetworkReply::OperationCanceledError
        || reply->error() == QNetworkReply::TimeoutError) {
        // Calls cancelled by their owner are disconnected first: this is the idle timeout.
        const int idleMs = reply->request().transferTimeout();
        return Error {
            QStringLiteral("timeout"),
            tr("The server at %1 stopped answering for %2 s.").arg(server).arg(idleMs / 1000.0)};
    }
    if (status == 0) {
        // A refused certificate stays refused until someone decides to trust it.
        if (std::optional<Error> certificate = TlsTrust::certificateError(reply)) {
            *transient = false;
            return *certificate;
        }
        return Error {QStringLiteral("network"),
                      tr("Cannot reach the server at %1 (%2).").arg(server, reply->errorString())};
    }
    if (isBrokenConnection(reply->error())
        || (reply->error() == QNetworkReply::NoError && spliced(reply))) {
        // The connection broke off in the middle of the answer (of a success or a refusal
        // alike, which then cannot be read): the network's doing, not the server's, and
        // worth trying again like any network failure.
        return Error {QStringLiteral("network"),
                      tr("The connection to the server at %1 broke off while its answer was "
                         "arriving (%2).")
                          .arg(server, reply->errorString())};
    }
    if (status >= 200 && status < 300) {
        // A success whose body could not be read, e.g. a compressed body that inflates past
        // Qt's safety limit (a "zip bomb"; Qt's message then ends in ": ").
        *transient = false;
        QString reason = reply->errorString().trimmed();
        if (reason.endsWith(QLatin1Char(':')))
            reason.chop(1);
        return Error {
            QStringLiteral("bad_response"),
            tr("The server at %1 sent an answer Ferry cannot read (%2).").arg(server, reason)};
    }
    // Read like every refusal: a code only if it is a name, one sentence of message without
    // control characters (a hostile server could send megabytes, or escape sequences).
    const QByteArray body = reply->read(Wire::kMaxAccountAnswerBytes);
    const QVariant length = reply->header(QNetworkRequest::ContentLengthHeader);
    if (length.isValid() && length.toLongLong() <= Wire::kMaxAccountAnswerBytes
        && body.size() < length.toLongLong()) {
        // A refusal cut short by the network cannot be read (its code is missing): ask
        // again, as for any network failure, rather than stop at "answered 409".
        return Error {QStringLiteral("network"),
                      tr("The connection to the server at %1 broke off while its answer (%2) "
                         "was arriving.")
                          .arg(server)
                          .arg(status)};
    }
    *transient = status >= 500 || status == 408 || status == 429;
    const Error answer = Wire::parseErrorAnswer(status, body, server);
    if (status == 401 && !m_token.isEmpty() && answer.code != QLatin1String("bad_credentials"))
        return Error {QStringLiteral("unauthorized"),
                      tr("The server at %1 did not accept this device's token (%2). Sign in "
                         "again.")
                          .arg(server, answer.message)};
    return answer;
}

} // namespace Ferry
