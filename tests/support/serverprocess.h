#pragma once

#include "syncengine.h"

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace FerryTest {

// The resident memory (VmRSS) of process `pid` in KiB, from /proc; -1 if unknown.
qint64 residentKiB(qint64 pid);

// A real ferry-server process on 127.0.0.1 with an ephemeral port and a data folder of its
// own, for tests. Stopped (SIGTERM, then kill) when destroyed. With Tls it serves HTTPS and
// wss with the test certificate in tests/data/tls (signed by a test CA no system trusts);
// syncConfig() and trustedFingerprint() give clients what they need to accept it.
class ServerProcess
{
public:
    enum Transport { Plain, Tls };

    // The whole outcome of an admin command, for tests of how it refuses bad arguments.
    struct AdminRun
    {
        int exitCode = -1; // -1 if it crashed or did not finish
        QString output; // standard output as printed, not trimmed
        QString errors;
    };

    ServerProcess();
    ~ServerProcess();

    // Serves `other`'s store — its data folder and, with PostgreSQL, its database — as a
    // second server on the same data, the way a team runs several behind a proxy. Before
    // start(); `other` must have started once and outlive this one.
    void shareStoreWith(const ServerProcess &other);

    // Starts the server; false (with the reason in lastError()) if it did not come up.
    bool start(const QStringList &extraArguments = {}, Transport transport = Plain);
    // TLS with another certificate of tests/data/tls: "server", "wronghost" or "expired"
    // (all with server.key).
    bool startTls(const QString &certificate, const QStringList &extraArguments = {});
    void stop();
    // Ends the server with SIGKILL, as a crash does: no shutdown, whatever it was writing is
    // cut off. The data folder and port stay for restart().
    void kill();
    bool restart();
    // Sends SIGTERM and waits, keeping the finished process so a test can check that the
    // server shut down cleanly; false if it was not running or did not stop in time.
    bool terminate(int timeoutMs = 10000);
    // Copies the database aside into `folder` (the server stops for it and starts again), and
    // puts such a copy back, as an administrator restoring from a backup would. The blob
    // files stay as they are, as they would with a database-only backup.
    bool backupDatabase(const QString &folder);
    bool restoreDatabase(const QString &folder);
    QProcess::ExitStatus exitStatus() const;
    int exitCode() const;

    QUrl url() const { return m_url; }
    Transport transport() const { return m_certificate.isEmpty() ? Plain : Tls; }
    // What a client trusts to reach this server: the served certificate's fingerprint with
    // TLS, empty without.
    QString trustedFingerprint() const;
    // A client configuration for this server, trusting its certificate when it serves TLS.
    Ferry::SyncConfig syncConfig(const QString &token, const QString &workspace) const;
    quint16 port() const { return m_port; }
    // The running server's process id; 0 if none.
    qint64 processId() const { return m_process ? m_process->processId() : 0; }
    // The running server's resident memory (VmRSS) in KiB; -1 if unknown.
    qint64 residentKiB() const { return FerryTest::residentKiB(processId()); }
    QString dataDir() const { return m_sharedDir.isEmpty() ? m_dir.path() : m_sharedDir; }
    // The PostgreSQL database the server keeps its data in (TestPostgres); empty when it
    // keeps it in dataDir()'s SQLite file.
    QString database() const { return m_database; }
    // Where readServerRecords() and the like find a server's data folder's database: the
    // file dataDir()/kDatabaseNote holds the PostgreSQL URL when there is one.
    static constexpr const char *kDatabaseNote = ".test-database";
    QString lastError() const { return m_error; }

    // Runs an admin command against the data folder (e.g. {"token", "create", "--user", "a"});
    // returns its standard output, trimmed, or an empty string on failure.
    QString admin(const QStringList &arguments);
    QString createToken(const QString &user);
    // Makes a workspace of its own for one test (ids "ws1", "ws2", …), owned by `owner`.
    QString newWorkspace(const QString &owner);
    // `input` goes to its standard input, which is then closed.
    AdminRun runAdmin(const QStringList &arguments, const QByteArray &input = {});

    static QString binary();
    // A file of tests/data/tls, e.g. tlsFile("server.pem").
    static QString tlsFile(const QString &name);
    // SHA-256 of tests/data/tls/<name>.pem as clients store it ("AB:CD:…").
    static QString fingerprintOf(const QString &certificate);

private:
    void startAdmin(QProcess &process, const QStringList &arguments) const;
    // --data, and --database when the test run has a PostgreSQL server.
    QStringList storeArguments() const;
    bool prepareDatabase();

    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QStringList m_arguments;
    QString m_certificate; // the served tests/data/tls certificate; empty: plain HTTP
    QUrl m_url;
    quint16 m_port = 0;
    QString m_error;
    int m_workspaces = 0;
    QString m_database;
    bool m_ownsDatabase = true;
    QString m_sharedDir; // another server's dataDir(), see shareStoreWith()
};

} // namespace FerryTest
