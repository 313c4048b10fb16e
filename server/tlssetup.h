#pragma once

#include "result.h"

#include <QSslConfiguration>
#include <QString>

namespace FerryServer {

// What `ferry-server --tls-cert FILE --tls-key FILE` serves with: the certificate (and any
// chain after it in the same PEM file) and its private key, TLS 1.2 or later. Used on the
// main thread before the server listens.
namespace TlsSetup {

// Reads both files and proves that the key belongs to the certificate by one TLS handshake
// over the loopback interface, so a wrong pair is refused at start and not by every client.
// The error names the file at fault.
Ferry::Result<QSslConfiguration> load(const QString &certificateFile, const QString &keyFile);

} // namespace TlsSetup

} // namespace FerryServer
