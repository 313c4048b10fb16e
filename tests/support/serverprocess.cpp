#include "serverprocess.h"

#include "testpostgres.h"
#include "tlstrust.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSslCertificate>

namespace FerryTest {

qint64 residentKiB(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

ServerProcess::ServerProcess() = default;

ServerProcess::~ServerProcess()
{
    stop();
    if (!m_database.isEmpty() && m_ownsDatabase)
        TestPostgres::dropDatabase(m_database);
}

void ServerProcess::shareStoreWith(const ServerProcess &other)
{
    m_sharedDir = other.dataDir();
    m_database = other.m_database;
    m_ownsDatabase = false;
}

bool ServerProcess::prepareDatabase()
{
    if (!TestPostgres::enabled() || !m_database.isEmpty())
        return true;
    const QString name = TestPostgres::newName();
    if (!TestPostgres::createDatabase(name)) {
        m_error = QStringLiteral("could not create a PostgreSQL database for the server");
        return false;
    }
    m_database = name;
    QFile note(QDir(dataDir()).filePath(QLatin1String(kDatabaseNote)));
    if (!note.open(QIODevice::WriteOnly) || note.write(TestPostgres::url(name).toUtf8()) <= 0) {
        m_error = QStringLiteral("could not note the server's database");
        return false;
    }
    return true;
}

QStringList ServerProcess::storeArguments() const
{
    QStringList arguments {QStringLiteral("--data"), dataDir()};
    if (!m_database.isEmpty())
        arguments << QStringLiteral("--database") << TestPostgres::url(m_database);
    return arguments;
}

QString ServerProcess::binary()
{
    return QStringLiteral(FERRY_SERVER_PATH);
}

QString ServerProcess::tlsFile(const QString &name)
{
    return QStringLiteral(FERRY_TLS_DATA_DIR "/") + name;
}

QString ServerProcess::fingerprintOf(const QString &certificate)
{
    const QList<QSslCertificate> certificates
        = QSslCertificate::fromPath(tlsFile(certificate + QStringLiteral(".pem")));
    return certificates.isEmpty() ? QString() : Ferry::TlsTrust::fingerprint(certificates.first());
}

QString ServerProcess::trustedFingerprint() const
{
    return m_certificate.isEmpty() ? QString() : fingerprintOf(m_certificate);
}

Ferry::SyncConfig ServerProcess::syncConfig(const QString &token, const QString &workspace) const
{
    return Ferry::SyncConfig {m_url, token, workspace, trustedFingerprint()};
}

bool ServerProcess::start(const QStringList &extraArguments, Transport transport)
{
    m_certificate = transport == Tls ? QStringLiteral("server") : QString();
    return startTls(m_certificate, extraArguments);
}

bool ServerProcess::startTls(const QString &certificate, const QStringList &extraArguments)
{
    stop();
    m_certificate = certificate;
    if (!m_dir.isValid()) {
        m_error = QStringLiteral("no temporary folder");
        return false;
    }
    m_arguments = extraArguments;
    if (!prepareDatabase())
        return false;
    const QString listen
        = m_port ? QStringLiteral("127.0.0.1:%1").arg(m_port) : QStringLiteral("127.0.0.1:0");
    m_process = std::make_unique<QProcess>();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    QStringList tls;
    if (!m_certificate.isEmpty())
        tls = QStringList {QStringLiteral("--tls-cert"),
                           tlsFile(m_certificate + QStringLiteral(".pem")),
                           QStringLiteral("--tls-key"), tlsFile(QStringLiteral("server.key"))};
    m_process->start(binary(),
                     storeArguments() + QStringList {QStringLiteral("--listen"), listen} + tls
                         + extraArguments);
    if (!m_process->waitForStarted(10000)) {
        m_error = m_process->errorString();
        return false;
    }
    // The exact line docs/protocol.md promises, first on standard output.
    static const QRegularExpression listening(
        QStringLiteral("\\Aferry-server listening on (https?://[^\\s]+)\\n"));
    QByteArray output;
    QDeadlineTimer deadline(15000);
    while (!deadline.hasExpired()) {
        if (!m_process->waitForReadyRead(int(qMax<qint64>(1, deadline.remainingTime()))))
            break;
        output += m_process->readAllStandardOutput();
        const QRegularExpressionMatch match = listening.match(QString::fromUtf8(output));
        if (match.hasMatch()) {
            m_url = QUrl(match.captured(1));
            m_port = quint16(m_url.port());
            return true;
        }
    }
    m_error
        = QStringLiteral("the server did not say where it listens; stdout: %1 stderr: %2")
              .arg(QString::fromUtf8(output), QString::fromUtf8(m_process->readAllStandardError()));
    return false;
}

void ServerProcess::stop()
{
    if (!m_process)
        return;
    if (m_process->state() != QProcess::NotRunning) {
        m_process->terminate();
        if (!m_process->waitForFinished(5000)) {
            m_process->kill();
            m_process->waitForFinished(5000);
        }
    }
    m_process.reset();
}

void ServerProcess::kill()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
}

bool ServerProcess::restart()
{
    return startTls(m_certificate, m_arguments);
}

bool ServerProcess::terminate(int timeoutMs)
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return false;
    m_process->terminate();
    return m_process->waitForFinished(timeoutMs);
}

QProcess::ExitStatus ServerProcess::exitStatus() const
{
    return m_process ? m_process->exitStatus() : QProcess::CrashExit;
}

int ServerProcess::exitCode() const
{
    return m_process ? m_process->exitCode() : -1;
}

void ServerProcess::startAdmin(QProcess &process, const QStringList &arguments) const
{
    process.start(binary(), storeArguments() + arguments);
}

QString ServerProcess::admin(const QStringList &arguments)
{
    QProcess process;
    startAdmin(process, arguments);
    if (!process.waitForFinished(15000) || process.exitCode() != 0) {
        m_error = QString::fromUtf8(process.readAllStandardError());
        return {};
    }
    return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
}

QString ServerProcess::newWorkspace(const QString &owner)
{
    const QString id = QStringLiteral("ws%1").arg(++m_workspaces);
    const AdminRun run = runAdmin({QStringLiteral("workspace"), QStringLiteral("create"), id,
                                   QStringLiteral("--owner"), owner});
    if (run.exitCode != 0)
        qWarning("workspace create %s: %s", qPrintable(id), qPrintable(run.errors));
    return id;
}

QString ServerProcess::createToken(const QString &user)
{
    return admin(
        {QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--user"), user});
}

ServerProcess::AdminRun ServerProcess::runAdmin(const QStringList &arguments,
                                                const QByteArray &input)
{
    QProcess process;
    startAdmin(process, arguments);
    process.write(input);
    process.closeWriteChannel();
    AdminRun run;
    if (process.waitForFinished(15000) && process.exitStatus() == QProcess::NormalExit)
        run.exitCode = process.exitCode();
    run.output = QString::fromUtf8(process.readAllStandardOutput());
    run.errors = QString::fromUtf8(process.readAllStandardError());
    return run;
}

bool ServerProcess::backupDatabase(const QString &folder)
{
    if (!terminate())
        return false;
    if (!m_database.isEmpty()) {
        // A copy of the database, named in the folder as the files would be.
        const QString copy = TestPostgres::newName();
        QFile note(QDir(folder).filePath(QLatin1String(kDatabaseNote)));
        if (!TestPostgres::createDatabase(copy, m_database) || !note.open(QIODevice::WriteOnly))
            return false;
        note.write(copy.toUtf8());
        note.close();
        return restart();
    }
    const QDir data(dataDir());
    for (const QString &name : data.entryList({QStringLiteral("ferry.db*")}, QDir::Files)) {
        if (!QFile::copy(data.filePath(name), QDir(folder).filePath(name)))
            return false;
    }
    return restart();
}

bool ServerProcess::restoreDatabase(const QString &folder)
{
    if (!terminate())
        return false;
    if (!m_database.isEmpty()) {
        QFile note(QDir(folder).filePath(QLatin1String(kDatabaseNote)));
        if (!note.open(QIODevice::ReadOnly))
            return false;
        const QString copy = QString::fromUtf8(note.readAll());
        if (!TestPostgres::dropDatabase(m_database)
            || !TestPostgres::createDatabase(m_database, copy))
            return false;
        return restart();
    }
    const QDir data(dataDir());
    for (const QString &name : data.entryList({QStringLiteral("ferry.db*")}, QDir::Files)) {
        if (!QFile::remove(data.filePath(name)))
            return false;
    }
    for (const QString &name : QDir(folder).entryList(QDir::Files)) {
        if (!QFile::copy(QDir(folder).filePath(name), data.filePath(name)))
            return false;
    }
    return restart();
}

} // namespace FerryTest
