#include "tlssetup.h"

#include <QDeadlineTimer>
#include <QEventLoop>
#include <QFile>
#include <QHostAddress>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslServer>
#include <QSslSocket>
#include <QTimer>

namespace FerryServer::TlsSetup {

namespace {

Ferry::Error failure(const QString &message)
{
    return Ferry::Error {QStringLiteral("tls"), message};
}

Ferry::Result<QByteArray> readFile(const QString &path, const char *what)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return failure(QStringLiteral("cannot read the TLS %1 file %2: %3")
                           .arg(QLatin1String(what), path, file.errorString()));
    return file.readAll();
}

// Starts a handshake against `configuration` on an ephemeral loopback port; the message
// of what went wrong, or an empty string when the handshake completed.
QString handshakeProblem(const QSslConfiguration &configuration)
{
    QSslServer server;
    server.setSslConfiguration(configuration);
    QString serverProblem;
    QObject::connect(&server, &QSslServer::errorOccurred, &server,
                     [&serverProblem](QSslSocket *socket, QAbstractSocket::SocketError) {
                         serverProblem = socket->errorString();
                     });
    if (!server.listen(QHostAddress::LocalHost, 0))
        return QStringLiteral("cannot listen on the loopback interface to check the pair: %1")
            .arg(server.errorString());
    QSslSocket client;
    client.setPeerVerifyMode(QSslSocket::VerifyNone);
    QEventLoop loop;
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    QObject::connect(&client, &QSslSocket::encrypted, &loop, &QEventLoop::quit);
    QObject::connect(&client, &QSslSocket::errorOccurred, &loop, &QEventLoop::quit);
    QObject::connect(&server, &QSslServer::errorOccurred, &loop, &QEventLoop::quit);
    client.connectToHostEncrypted(QStringLiteral("127.0.0.1"), server.serverPort());
    loop.exec();
    if (client.isEncrypted())
        return {};
    if (!serverProblem.isEmpty())
        return serverProblem;
    return client.errorString().isEmpty() ? QStringLiteral("the handshake did not finish")
                                          : client.errorString();
}

} // namespace

Ferry::Result<QSslConfiguration> load(const QString &certificateFile, const QString &keyFile)
{
    if (!QSslSocket::supportsSsl())
        return failure(QStringLiteral("this build of Qt has no TLS backend (%1)")
                           .arg(QSslSocket::sslLibraryBuildVersionString()));
    const Ferry::Result<QByteArray> certificateData = readFile(certificateFile, "certificate");
    if (!certificateData)
        return certificateData.error();
    const QList<QSslCertificate> chain
        = QSslCertificate::fromData(certificateData.value(), QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull())
        return failure(QStringLiteral("the TLS certificate file %1 holds no PEM certificate")
                           .arg(certificateFile));
    const Ferry::Result<QByteArray> keyData = readFile(keyFile, "key");
    if (!keyData)
        return keyData.error();
    QSslKey key;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        key = QSslKey(keyData.value(), algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!key.isNull())
            break;
    }
    if (key.isNull())
        return failure(QStringLiteral("the TLS key file %1 holds no unencrypted PEM private key "
                                      "(RSA, EC or DSA)")
                           .arg(keyFile));

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(key);
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone);
    if (const QString problem = handshakeProblem(configuration); !problem.isEmpty())
        return failure(QStringLiteral("the TLS key %1 does not belong to the certificate %2, or "
                                      "they cannot be used together (%3)")
                           .arg(keyFile, certificateFile, problem.trimmed()));
    return configuration;
}

} // namespace FerryServer::TlsSetup
