#pragma once

#include "result.h"

#include <QList>
#include <QMetaType>
#include <QSslError>
#include <QString>
#include <QStringList>

#include <optional>

class QNetworkReply;
class QSslCertificate;
class QWebSocket;

namespace Ferry {

// The certificate a server showed when it was not accepted: what a person needs to decide
// whether to trust it (docs/protocol.md, "Transport").
struct RejectedCertificate
{
    QString host;
    QString fingerprint; // SHA-256, "AB:CD:…"
    QString subject;
    QString issuer;
    QStringList problems; // why it was not accepted, one sentence each
    bool isNull() const { return fingerprint.isEmpty(); }
};

// Certificate checks for every connection to a server. Qt verifies certificates against the
// system's CAs; on top of that a profile may trust exactly one certificate by its SHA-256
// fingerprint (a self-signed server). Only the errors about that very certificate are
// ignored; anything else fails with an Error naming the host and the reasons. Functions, no
// state of their own: call them on the thread that owns the reply or socket.
namespace TlsTrust {

// "AB:CD:…" (upper case, colon separated), the form Ferry shows and stores.
QString fingerprint(const QSslCertificate &certificate);
// Accepts 64 hex digits with or without colons or spaces, and an optional "SHA256:" prefix,
// and returns the stored form; an empty text is "nothing trusted".
Result<QString> parseFingerprint(const QString &text);

// Watches the handshake of `reply` (or `socket`): ignores its certificate errors when the
// server's certificate has the fingerprint `trusted`, otherwise notes why it was refused so
// certificateError() and rejected() can tell.
void guard(QNetworkReply *reply, const QString &trusted);
void guard(QWebSocket *socket, const QString &trusted);

// The certificate refused during `reply`'s or `socket`'s handshake; null if none was.
RejectedCertificate rejected(const QObject *replyOrSocket);
// An Error (code "certificate") for a connection that failed on its certificate; nullopt
// when it failed otherwise.
std::optional<Error> certificateError(const QObject *replyOrSocket);
Error certificateError(const RejectedCertificate &certificate);

// Which of `errors` to ignore for a server that showed `peer`, given the trusted fingerprint:
// all of them when they are about that exact certificate, none otherwise. Public for tests.
QList<QSslError> errorsToIgnore(const QList<QSslError> &errors, const QSslCertificate &peer,
                                const QString &trusted);

} // namespace TlsTrust

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::RejectedCertificate)
