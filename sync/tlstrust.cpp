#include "tlstrust.h"

#include <QCryptographicHash>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QWebSocket>

namespace Ferry::TlsTrust {

namespace {

// The refusal travels on the reply or socket itself, so whoever reads the failure later
// needs nothing but the object that failed.
constexpr char kRejectedProperty[] = "ferryRejectedCertificate";

QString subjectOf(const QSslCertificate &certificate, bool issuer)
{
    const QStringList parts = issuer ? certificate.issuerDisplayName().split(QLatin1Char('\n'))
                                     : certificate.subjectDisplayName().split(QLatin1Char('\n'));
    QString text = parts.join(QStringLiteral(", "));
    return text.isEmpty() ? QStringLiteral("(no name)") : text;
}

QString problemText(const QSslError &error)
{
    switch (error.error()) {
    case QSslError::CertificateExpired:
        return QStringLiteral("it has expired (%1)")
            .arg(error.certificate().expiryDate().toString(Qt::ISODate));
    case QSslError::CertificateNotYetValid:
        return QStringLiteral("it is not valid yet");
    case QSslError::SelfSignedCertificate:
    case QSslError::SelfSignedCertificateInChain:
        return QStringLiteral("it is self-signed");
    case QSslError::HostNameMismatch:
        return QStringLiteral("it is for another host (%1)")
            .arg(error.certificate().subjectAlternativeNames().values().join(QStringLiteral(", ")));
    case QSslError::UnableToGetLocalIssuerCertificate:
    case QSslError::UnableToGetIssuerCertificate:
    case QSslError::UnableToVerifyFirstCertificate:
    case QSslError::CertificateUntrusted:
        return QStringLiteral("no certificate authority this computer trusts signed it");
    default:
        return error.errorString();
    }
}

// Records what was refused, once per connection: the first set of errors is what matters.
void note(QObject *target, const QString &host, const QList<QSslError> &errors,
          const QSslCertificate &peer, const QString &trusted)
{
    RejectedCertificate rejected;
    rejected.host = host;
    rejected.fingerprint = peer.isNull() ? QStringLiteral("(none)") : fingerprint(peer);
    rejected.subject = subjectOf(peer, false);
    rejected.issuer = subjectOf(peer, true);
    if (!trusted.isEmpty() && !peer.isNull() && fingerprint(peer) != trusted)
        rejected.problems << QStringLiteral("it is not the trusted certificate %1").arg(trusted);
    for (const QSslError &error : errors) {
        const QString problem = problemText(error);
        if (!rejected.problems.contains(problem))
            rejected.problems << problem;
    }
    target->setProperty(kRejectedProperty, QVariant::fromValue(rejected));
}

// The server's own certificate: the leaf that the errors are about.
QSslCertificate leafOf(const QList<QSslError> &errors)
{
    for (const QSslError &error : errors) {
        if (!error.certificate().isNull())
            return error.certificate();
    }
    return QSslCertificate();
}

} // namespace

QString fingerprint(const QSslCertificate &certificate)
{
    const QByteArray hex = certificate.digest(QCryptographicHash::Sha256).toHex().toUpper();
    QStringList pairs;
    for (qsizetype i = 0; i < hex.size(); i += 2)
        pairs << QString::fromLatin1(hex.mid(i, 2));
    return pairs.join(QLatin1Char(':'));
}

Result<QString> parseFingerprint(const QString &text)
{
    QString hex = text.trimmed();
    if (hex.isEmpty())
        return QString();
    if (hex.startsWith(QLatin1String("sha256:"), Qt::CaseInsensitive))
        hex = hex.mid(7);
    hex.remove(QRegularExpression(QStringLiteral("[:\\s]")));
    static const QRegularExpression sha256(QStringLiteral("\\A[0-9A-Fa-f]{64}\\z"));
    if (!sha256.match(hex).hasMatch())
        return Error {QStringLiteral("bad_fingerprint"),
                      QStringLiteral("\"%1\" is not a SHA-256 certificate fingerprint; it should "
                                     "be 64 hex digits, e.g. AB:CD:… as ferry-cli shows it")
                          .arg(text.left(200))};
    hex = hex.toUpper();
    QStringList pairs;
    for (qsizetype i = 0; i < hex.size(); i += 2)
        pairs << hex.mid(i, 2);
    return pairs.join(QLatin1Char(':'));
}

QList<QSslError> errorsToIgnore(const QList<QSslError> &errors, const QSslCertificate &peer,
                                const QString &trusted)
{
    if (trusted.isEmpty() || peer.isNull() || fingerprint(peer) != trusted)
        return {};
    for (const QSslError &error : errors) {
        if (error.certificate() != peer)
            return {};
    }
    return errors;
}

void guard(QNetworkReply *reply, const QString &trusted)
{
    QObject::connect(
        reply, &QNetworkReply::sslErrors, reply, [reply, trusted](const QList<QSslError> &errors) {
            const QSslCertificate peer = reply->sslConfiguration().peerCertificate().isNull()
                ? leafOf(errors)
                : reply->sslConfiguration().peerCertificate();
            const QList<QSslError> ignored = errorsToIgnore(errors, peer, trusted);
            if (!ignored.isEmpty())
                reply->ignoreSslErrors(ignored);
            else
                note(reply, reply->url().host(), errors, peer, trusted);
        });
}

void guard(QWebSocket *socket, const QString &trusted)
{
    QObject::connect(socket, &QWebSocket::sslErrors, socket,
                     [socket, trusted](const QList<QSslError> &errors) {
                         const QSslCertificate peer = leafOf(errors);
                         const QList<QSslError> ignored = errorsToIgnore(errors, peer, trusted);
                         if (!ignored.isEmpty())
                             socket->ignoreSslErrors(ignored);
                         else
                             note(socket, socket->requestUrl().host(), errors, peer, trusted);
                     });
}

RejectedCertificate rejected(const QObject *replyOrSocket)
{
    return replyOrSocket->property(kRejectedProperty).value<RejectedCertificate>();
}

Error certificateError(const RejectedCertificate &certificate)
{
    return Error {
        QStringLiteral("certificate"),
        QStringLiteral("The TLS certificate of %1 is not accepted: %2. Its SHA-256 fingerprint "
                       "is %3 (subject %4, issued by %5). Trust it only if you know it is your "
                       "server's.")
            .arg(certificate.host, certificate.problems.join(QStringLiteral("; ")),
                 certificate.fingerprint, certificate.subject, certificate.issuer)};
}

std::optional<Error> certificateError(const QObject *replyOrSocket)
{
    const RejectedCertificate certificate = rejected(replyOrSocket);
    if (certificate.isNull())
        return std::nullopt;
    return certificateError(certificate);
}

} // namespace Ferry::TlsTrust
