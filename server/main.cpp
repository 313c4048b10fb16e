#include "admincommand.h"
#include "apiserver.h"
#include "requestguard.h"
#include "serverstore.h"
#include "tlssetup.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QHostAddress>
#include <QSocketNotifier>
#include <QSslServer>
#include <QSslSocket>
#include <QTcpServer>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <sys/socket.h>
#include <unistd.h>

using namespace FerryServer;

namespace {

constexpr qint64 kDefaultMaxBody = 32 * 1024 * 1024;
int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

// Answers go out as soon as they are written. QHttpServer writes an answer's head and its
// body apart; with Nagle's algorithm the body waited for the client's delayed ACK of the
// head, 40 ms on Linux, which made every small request (a file upload, a push) take that.
void answerWithoutDelay(QAbstractSocket *socket)
{
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
#ifdef TCP_QUICKACK
    const auto quickAck = [socket] {
        int on = 1;
        ::setsockopt(int(socket->socketDescriptor()), IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
    };
    quickAck();
    QObject::connect(socket, &QIODevice::readyRead, socket, quickAck);
#endif
}

class GuardedTcpServer : public QTcpServer
{
public:
    GuardedTcpServer(const RequestGuard::Limits &limits, QObject *parent)
        : QTcpServer(parent)
        , m_limits(limits)
    { }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        answerWithoutDelay(socket);
        RequestGuard *guard = RequestGuard::watch(socket, m_limits);
        addPendingConnection(socket); // the HTTP server takes it here
        guard->serverHasIt();
    }

private:
    RequestGuard::Limits m_limits;
};

// SIGTERM and SIGINT quit the event loop (the classic self-pipe: the handler only writes a
// byte, the event loop does the rest), so the database is closed cleanly.
void quitOnSignals(QCoreApplication *app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, [notifier] {
        notifier->setEnabled(false);
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(g_signalPipe[0], &byte, 1);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

// Qt 6.4 logs every refused WebSocket upgrade (a 401, a 403) as if no handler were
// connected; the refusal itself is answered and logged like any other request.
QtMessageHandler g_defaultHandler = nullptr;

void filterMessages(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtWarningMsg && qstrcmp(context.category, "qt.httpserver") == 0
        && message.startsWith(QLatin1String("WebSocket received but no slots connected")))
        return;
    if (g_defaultHandler)
        g_defaultHandler(type, context, message);
    else
        std::fprintf(stderr, "%s\n", qPrintable(message));
}

int badArguments(const QString &message)
{
    std::fprintf(stderr, "ferry-server: %s\n", message.toLocal8Bit().constData());
    return AdminCommand::BadArguments;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("ferry-server"));
    g_defaultHandler = qInstallMessageHandler(filterMessages);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Ferry sync server"));
    parser.addHelpOption();
    const QCommandLineOption dataOption(QStringLiteral("data"), QStringLiteral("Data directory."),
                                        QStringLiteral("DIR"), QStringLiteral("."));
    const QCommandLineOption databaseOption(
        QStringLiteral("database"),
        QStringLiteral("Keep the data in PostgreSQL instead of DIR/ferry.db: "
                       "postgresql://USER@HOST:PORT/DATABASE (password from PGPASSWORD or "
                       "~/.pgpass). Several servers may share one; attachments stay in "
                       "DIR/blobs, which they must then share too."),
        QStringLiteral("URL"));
    const QCommandLineOption listenOption(
        QStringLiteral("listen"), QStringLiteral("Address to listen on."),
        QStringLiteral("HOST:PORT"), QStringLiteral("127.0.0.1:8765"));
    const QCommandLineOption maxBodyOption(
        QStringLiteral("max-body"), QStringLiteral("Largest request body."),
        QStringLiteral("BYTES"), QString::number(kDefaultMaxBody));
    const QCommandLineOption maxBlobOption(
        QStringLiteral("max-blob"), QStringLiteral("Largest attachment (blob)."),
        QStringLiteral("BYTES"), QString::number(BlobService::kDefaultMaxBlob));
    const QCommandLineOption pingOption(
        QStringLiteral("ping-interval"),
        QStringLiteral("Seconds between keep-alive pings on notify sockets."),
        QStringLiteral("SECONDS"), QStringLiteral("30"));
    const QCommandLineOption durabilityOption(
        QStringLiteral("durability"),
        QStringLiteral("full (every answered push is on disk, surviving power loss) or normal "
                       "(faster; the last pushes may be lost on power loss)."),
        QStringLiteral("MODE"), QStringLiteral("full"));
    const QCommandLineOption graceOption(
        QStringLiteral("blob-grace"),
        QStringLiteral("Hours an uploaded attachment is kept when no record names it (default a "
                       "week); unused ones older than that are removed every hour."),
        QStringLiteral("HOURS"), QString::number(BlobService::kDefaultGraceMs / 3600000));
    const QCommandLineOption headTimeoutOption(
        QStringLiteral("head-timeout"),
        QStringLiteral("Seconds a request's line and headers may take to arrive (default 20)."),
        QStringLiteral("SECONDS"), QStringLiteral("20"));
    const QCommandLineOption idleTimeoutOption(
        QStringLiteral("idle-timeout"),
        QStringLiteral("Seconds a connection may stay silent before it is closed (default 75)."),
        QStringLiteral("SECONDS"), QStringLiteral("75"));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"),
                                           QStringLiteral("Log every request to stderr."));
    const QCommandLineOption lifelineOption(
        QStringLiteral("stdin-lifeline"),
        QStringLiteral("Stop when standard input closes: the program that started this server "
                       "(the desktop app's bundled server) has gone, however it ended."));
    const QCommandLineOption userOption(
        QStringLiteral("user"), QStringLiteral("User (admin commands)."), QStringLiteral("NAME"));
    const QCommandLineOption ownerOption(QStringLiteral("owner"),
                                         QStringLiteral("Owner (workspace create)."),
                                         QStringLiteral("USER"));
    const QCommandLineOption roleOption(QStringLiteral("role"),
                                        QStringLiteral("editor or viewer (add-member)."),
                                        QStringLiteral("ROLE"));
    const QCommandLineOption deviceOption(
        QStringLiteral("device"),
        QStringLiteral("The device's name in the account's device list (token create)."),
        QStringLiteral("NAME"));
    const QCommandLineOption tlsCertOption(
        QStringLiteral("tls-cert"),
        QStringLiteral("Serve HTTPS with this PEM certificate (and chain)."),
        QStringLiteral("FILE"));
    const QCommandLineOption tlsKeyOption(QStringLiteral("tls-key"),
                                          QStringLiteral("The certificate's PEM private key."),
                                          QStringLiteral("FILE"));
    parser.addOptions({dataOption, databaseOption, listenOption, maxBodyOption, maxBlobOption,
                       graceOption, pingOption, durabilityOption, headTimeoutOption,
                       idleTimeoutOption, verboseOption, lifelineOption, userOption, ownerOption,
                       roleOption, deviceOption, tlsCertOption, tlsKeyOption});
    parser.addPositionalArgument(QStringLiteral("command"),
                                 QStringLiteral("Optional admin command: token create|revoke, "
                                                "workspace create|add-member, user password, "
                                                "registration open|close, blobs gc|usage."),
                                 QStringLiteral("[command...]"));
    if (!parser.parse(QCoreApplication::arguments()))
        return badArguments(parser.errorText());
    if (parser.isSet(QStringLiteral("help"))) {
        std::fputs(parser.helpText().toLocal8Bit().constData(), stdout);
        return 0;
    }

    const QString dataDir = parser.value(dataOption);
    const QString database = parser.value(databaseOption);
    bool graceOk = false;
    const double graceHours = parser.value(graceOption).toDouble(&graceOk);
    if (!graceOk || graceHours < 0 || graceHours > 24.0 * 366 * 10)
        return badArguments(QStringLiteral("--blob-grace wants a number of hours, 0 or more"));
    const qint64 graceMs = qint64(graceHours * 3600000.0);
    AdminCommand::Arguments admin {parser.positionalArguments(), parser.value(userOption),
                                   parser.value(ownerOption),    parser.value(roleOption),
                                   parser.value(deviceOption),   graceMs};
    if (!admin.words.isEmpty()) {
        if (const QString problem = AdminCommand::validate(admin); !problem.isEmpty())
            return badArguments(problem);
        ServerStore store;
        if (Ferry::Status s = store.open(dataDir, database); !s) {
            std::fprintf(stderr, "ferry-server: %s\n", s.error().message.toLocal8Bit().constData());
            return AdminCommand::Failed;
        }
        return AdminCommand::run(store, admin);
    }
    if (!admin.user.isEmpty() || !admin.owner.isEmpty() || !admin.role.isEmpty()
        || !admin.device.isEmpty())
        return badArguments(
            QStringLiteral("--user, --owner, --role and --device belong to admin commands"));

    const QString listen = parser.value(listenOption);
    const qsizetype colon = listen.lastIndexOf(QLatin1Char(':'));
    bool portOk = false;
    const uint port = colon > 0 ? listen.mid(colon + 1).toUInt(&portOk) : 0;
    QString host = colon > 0 ? listen.left(colon) : QString();
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address = host == QLatin1String("localhost")
        ? QHostAddress(QHostAddress::LocalHost)
        : QHostAddress(host);
    if (!portOk || port > 65535 || address.isNull())
        return badArguments(
            QStringLiteral("--listen wants HOST:PORT with a numeric address, e.g. 127.0.0.1:8765"));
    bool maxBodyOk = false;
    const qint64 maxBody = parser.value(maxBodyOption).toLongLong(&maxBodyOk);
    if (!maxBodyOk || maxBody <= 0)
        return badArguments(QStringLiteral("--max-body wants a positive number of bytes"));
    bool maxBlobOk = false;
    const qint64 maxBlob = parser.value(maxBlobOption).toLongLong(&maxBlobOk);
    if (!maxBlobOk || maxBlob <= 0)
        return badArguments(QStringLiteral("--max-blob wants a positive number of bytes"));
    bool pingOk = false;
    const int pingSeconds = parser.value(pingOption).toInt(&pingOk);
    if (!pingOk || pingSeconds < 1 || pingSeconds > 3600)
        return badArguments(
            QStringLiteral("--ping-interval wants a number of seconds from 1 to 3600"));
    const auto seconds
        = [&parser](const QCommandLineOption &option) -> std::optional<std::chrono::milliseconds> {
        bool ok = false;
        const double value = parser.value(option).toDouble(&ok);
        if (!ok || value < 0.1 || value > 86400)
            return std::nullopt;
        return std::chrono::milliseconds(qint64(value * 1000));
    };
    const std::optional<std::chrono::milliseconds> headTimeout = seconds(headTimeoutOption);
    if (!headTimeout)
        return badArguments(
            QStringLiteral("--head-timeout wants a number of seconds from 0.1 to 86400"));
    const std::optional<std::chrono::milliseconds> idleTimeout = seconds(idleTimeoutOption);
    if (!idleTimeout)
        return badArguments(
            QStringLiteral("--idle-timeout wants a number of seconds from 0.1 to 86400"));

    const QString durabilityName = parser.value(durabilityOption);
    if (durabilityName != QLatin1String("full") && durabilityName != QLatin1String("normal"))
        return badArguments(QStringLiteral("--durability wants full or normal"));
    const ServerStore::Durability durability = durabilityName == QLatin1String("full")
        ? ServerStore::Durability::Full
        : ServerStore::Durability::Normal;

    if (parser.isSet(tlsCertOption) != parser.isSet(tlsKeyOption))
        return badArguments(QStringLiteral("--tls-cert and --tls-key go together"));
    std::optional<QSslConfiguration> tls;
    if (parser.isSet(tlsCertOption)) {
        Ferry::Result<QSslConfiguration> loaded
            = TlsSetup::load(parser.value(tlsCertOption), parser.value(tlsKeyOption));
        if (!loaded) {
            std::fprintf(stderr, "ferry-server: %s\n",
                         loaded.error().message.toLocal8Bit().constData());
            return AdminCommand::Failed;
        }
        tls = loaded.value();
    }

    ServerStore store;
    if (Ferry::Status s = store.open(dataDir, database, durability); !s) {
        std::fprintf(stderr, "ferry-server: %s\n", s.error().message.toLocal8Bit().constData());
        return AdminCommand::Failed;
    }
    ApiServer server(&store, maxBody, maxBlob);
    server.setVerbose(parser.isSet(verboseOption));
    server.setPingInterval(std::chrono::seconds(pingSeconds));
    server.setBlobGrace(std::chrono::milliseconds(graceMs));
    // With TLS the HTTP server only sees connections whose handshake completed; a client
    // speaking plain HTTP to this port is dropped by QSslServer.
    RequestGuard::Limits limits;
    limits.maxBody = std::max(maxBody, maxBlob);
    limits.headTimeout = *headTimeout;
    limits.idleTimeout = *idleTimeout;
    QTcpServer *tcp = nullptr;
    if (tls) {
        auto *ssl = new QSslServer(&server);
        ssl->setSslConfiguration(*tls);
        QObject::connect(
            ssl, &QSslServer::startedEncryptionHandshake, ssl, [limits](QSslSocket *socket) {
                answerWithoutDelay(socket);
                RequestGuard *guard = RequestGuard::watch(socket, limits);
                // QSslServer hands the socket to the HTTP server when the
                // handshake is done, in a slot connected before this one.
                QObject::connect(socket, &QSslSocket::encrypted, guard, &RequestGuard::serverHasIt);
            });
        tcp = ssl;
    } else {
        tcp = new GuardedTcpServer(limits, &server);
    }
    if (!tcp->listen(address, quint16(port))) {
        std::fprintf(stderr, "ferry-server: cannot listen on %s: %s\n",
                     listen.toLocal8Bit().constData(),
                     tcp->errorString().toLocal8Bit().constData());
        return AdminCommand::Failed;
    }
    server.bind(tcp);
    quitOnSignals(&app);
    if (parser.isSet(lifelineOption)) {
        // Reads standard input until it ends (the parent's end of the pipe closes when the
        // parent exits, even killed), then stops the server cleanly. Portable: a blocking
        // read on a thread of its own.
        QThread *lifeline = QThread::create([&app] {
            while (std::fgetc(stdin) != EOF) { }
            QMetaObject::invokeMethod(&app, &QCoreApplication::quit, Qt::QueuedConnection);
        });
        lifeline->setParent(&app);
        lifeline->start();
        QObject::connect(&app, &QCoreApplication::aboutToQuit, lifeline, [lifeline] {
            // Blocked in a read it cannot leave: let it go with the process.
            lifeline->setParent(nullptr);
        });
    }

    const QString shownHost = address.protocol() == QAbstractSocket::IPv6Protocol
        ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
        : address.toString();
    std::fprintf(stdout, "ferry-server listening on %s://%s:%u\n", tls ? "https" : "http",
                 shownHost.toLocal8Bit().constData(), unsigned(tcp->serverPort()));
    std::fflush(stdout);
    return app.exec();
}
