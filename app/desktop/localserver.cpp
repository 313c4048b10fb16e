#include "localserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

using namespace Ferry;

namespace FerryDesktop {

LocalServer::LocalServer(QObject *parent)
    : QObject(parent)
{ }

LocalServer::~LocalServer()
{
    // Going away with the app: the server gets its chance to close its database cleanly
    // before the process is left to the OS.
    if (m_process && m_process->state() != QProcess::NotRunning) {
        m_process->disconnect(this);
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(1000);
        }
    }
}

QString LocalServer::binary()
{
    const QString fromEnvironment = qEnvironmentVariable("FERRY_SERVER");
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    const QDir here(QCoreApplication::applicationDirPath());
    for (const QString &candidate : {here.filePath(QStringLiteral("ferry-server")),
                                     here.filePath(QStringLiteral("../../server/ferry-server"))}) {
        if (QFileInfo(candidate).isExecutable())
            return QFileInfo(candidate).canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("ferry-server"));
}

void LocalServer::start(const QString &dataDir)
{
    stop();
    const QString program = binary();
    if (program.isEmpty()) {
        Q_EMIT failed(
            Error {QStringLiteral("no_server"),
                   tr("The local Ferry server (ferry-server) is not installed next to Ferry.")});
        return;
    }
    QDir().mkpath(dataDir);
    m_output.clear();
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process.get(), &QProcess::readyReadStandardOutput, this, &LocalServer::onOutput);
    connect(m_process.get(), &QProcess::errorOccurred, this, [this](QProcess::ProcessError) {
        Q_EMIT failed(
            Error {QStringLiteral("no_server"),
                   tr("The local Ferry server could not start: %1").arg(m_process->errorString())});
    });
    connect(m_process.get(), &QProcess::finished, this, [this](int code) {
        if (m_url.isEmpty())
            Q_EMIT failed(
                Error {QStringLiteral("no_server"),
                       tr("The local Ferry server stopped at once (exit %1): %2")
                           .arg(code)
                           .arg(QString::fromUtf8(m_process->readAllStandardError()).trimmed())});
    });
    // --stdin-lifeline: the server stops when this app goes, even when it is killed (the
    // pipe to the server's standard input closes with it).
    m_process->start(program,
                     {QStringLiteral("--data"), dataDir, QStringLiteral("--listen"),
                      QStringLiteral("127.0.0.1:0"), QStringLiteral("--stdin-lifeline")});
}

void LocalServer::onOutput()
{
    m_output += m_process->readAllStandardOutput();
    static const QRegularExpression listening(
        QStringLiteral("^ferry-server listening on (http://\\S+)$"),
        QRegularExpression::MultilineOption);
    const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_output));
    if (match.hasMatch() && m_url.isEmpty()) {
        m_url = QUrl(match.captured(1));
        Q_EMIT started(m_url);
    }
}

void LocalServer::stop()
{
    if (!m_process)
        return;
    m_process->disconnect(this);
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        // Leave it to finish on its own; QProcess kills it if it outlives us.
        QProcess *process = m_process.release();
        connect(process, &QProcess::finished, process, &QObject::deleteLater);
    }
    m_process.reset();
    m_url.clear();
}

namespace {

QString tokenFile(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("device-token"));
}

} // namespace

QString LocalServer::savedToken(const QString &dataDir)
{
    QFile file(tokenFile(dataDir));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll()).trimmed();
}

void LocalServer::createToken(const QString &dataDir)
{
    auto *process = new QProcess(this);
    connect(process, &QProcess::finished, this,
            [this, process, dataDir](int code, QProcess::ExitStatus status) {
                process->deleteLater();
                const QString token = QString::fromUtf8(process->readAllStandardOutput()).trimmed();
                if (status != QProcess::NormalExit || code != 0 || token.isEmpty()) {
                    Q_EMIT failed(Error {
                        QStringLiteral("no_token"),
                        tr("The local Ferry server could not make a sign-in token: %1")
                            .arg(QString::fromUtf8(process->readAllStandardError()).trimmed())});
                    return;
                }
                QFile file(tokenFile(dataDir));
                constexpr auto ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
                if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, ownerOnly)
                    || file.write(token.toUtf8()) < 0 || !file.flush()) {
                    Q_EMIT failed(Error {
                        QStringLiteral("no_token"),
                        tr("Could not save the local server's token in %1: %2")
                            .arg(QDir::toNativeSeparators(file.fileName()), file.errorString())});
                    return;
                }
                Q_EMIT tokenCreated(token);
            });
    process->start(binary(),
                   {QStringLiteral("--data"), dataDir, QStringLiteral("token"),
                    QStringLiteral("create"), QStringLiteral("--user"), user()});
}

} // namespace FerryDesktop
