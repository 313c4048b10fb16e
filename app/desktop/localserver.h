#pragma once

#include "result.h"

#include <QObject>
#include <QProcess>
#include <QUrl>

#include <memory>

namespace FerryDesktop {

// The ferry-server that ships with the app, run on this computer for people who keep their
// records on one machine (or want to try Ferry): listens on 127.0.0.1 only, keeps its data
// in the profile, and stops with the app. GUI thread.
class LocalServer : public QObject
{
    Q_OBJECT

public:
    explicit LocalServer(QObject *parent = nullptr);
    ~LocalServer() override;

    // The ferry-server binary: next to this program, in the build tree, or on PATH.
    static QString binary();

    void start(const QString &dataDir);
    void stop();
    QUrl url() const { return m_url; }

    // The one user of the local server; its workspace has the same name.
    static QString user() { return QStringLiteral("me"); }
    // The token this computer made for the local server (kept in its data folder, apart from
    // an account's token in the keychain); empty if none was made yet.
    static QString savedToken(const QString &dataDir);
    // Makes a token for user() with the admin command and saves it (asynchronous).
    void createToken(const QString &dataDir);

Q_SIGNALS:
    void started(const QUrl &url);
    void failed(const Ferry::Error &error);
    void tokenCreated(const QString &token);

private:
    void onOutput();

    std::unique_ptr<QProcess> m_process;
    QByteArray m_output;
    QUrl m_url;
};

} // namespace FerryDesktop
