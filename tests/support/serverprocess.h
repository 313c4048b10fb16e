#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <memory>

namespace FerryTest {

// A real ferry-server process on 127.0.0.1 with an ephemeral port and a data folder of its
// own, for tests. Stopped (SIGTERM, then kill) when destroyed.
class ServerProcess
{
public:
    ServerProcess();
    ~ServerProcess();

    // Starts the server; false (with the reason in lastError()) if it did not come up.
    bool start(const QStringList &extraArguments = {});
    void stop();
    bool restart();

    QUrl url() const { return m_url; }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dir.path(); }
    QString lastError() const { return m_error; }

    // Runs an admin command against the data folder (e.g. {"token", "create", "--user", "a"});
    // returns its standard output, trimmed, or an empty string on failure.
    QString admin(const QStringList &arguments);
    QString createToken(const QString &user);

    static QString binary();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QProcess> m_process;
    QStringList m_arguments;
    QUrl m_url;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace FerryTest
