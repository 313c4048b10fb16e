#pragma once

#include "result.h"

#include <QObject>
#include <QString>

namespace QKeychain {
class Job;
}

namespace Ferry {

class Profile;

// Keeps a profile's device token out of plain settings: in the OS keychain (QtKeychain,
// service "Ferry", key = Profile::keychainKey()) where there is one, and otherwise in a file
// `Profile::tokenPath()` that only the owner can read (0600), saying so plainly through
// backendDescription() so the person knows where their token is. A token found in the file
// once a keychain answers is moved into the keychain. Every operation is asynchronous and
// answers with a signal. `ferry` and `ferry-cli` both keep their tokens here. One thread.
class TokenStore : public QObject
{
    Q_OBJECT

public:
    enum class Backend {
        Unknown, // nothing was read or written yet
        Keychain,
        File,
    };
    Q_ENUM(Backend)

    // The token of `profile` (Profile::keychainKey(), Profile::tokenPath()).
    explicit TokenStore(const Profile &profile, QObject *parent = nullptr);
    // The token under `key` in the keychain, else in `folder`/token.
    TokenStore(const QString &key, const QString &folder, QObject *parent = nullptr);

    static QString serviceName() { return QStringLiteral("Ferry"); }

    // Keychain first, then the file. Answers tokenRead (empty when none is stored) or failed.
    void read();
    // Keychain first; the file when there is no usable keychain. Answers tokenWritten or failed.
    void write(const QString &token);
    // Forgets the token everywhere (signing out). Answers removed or failed.
    void remove();

    Backend backend() const { return m_backend; }
    // One sentence for the settings page on where the token is kept.
    QString backendDescription() const;
    QString tokenFilePath() const { return m_tokenFile; }

signals:
    void tokenRead(const QString &token);
    void tokenWritten();
    void removed();
    void failed(const QString &message);
    void backendChanged(Ferry::TokenStore::Backend backend, const QString &description);

private:
    void readFinished(QKeychain::Job *job, quint64 changesBefore);
    void writeFinished(QKeychain::Job *job, const QString &token);
    void removeFinished(QKeychain::Job *job);
    void moveToKeychain(const QString &token);
    Status writeFile(const QString &token);
    Result<QString> readFile();
    void setBackend(Backend backend);

    QString m_profile;
    QString m_tokenFile;
    Backend m_backend = Backend::Unknown;
    quint64 m_changesAsked = 0; // writes and removes asked for so far
};

} // namespace Ferry
