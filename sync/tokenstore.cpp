#include "tokenstore.h"

#include "profile.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <qt6keychain/keychain.h>

namespace Ferry {

namespace {

constexpr QFileDevice::Permissions OwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

// The keychain cannot be used at all (no backend, or it broke), as opposed to the person
// refusing access, which we respect instead of writing the token somewhere else.
bool keychainUnusable(QKeychain::Error error)
{
    switch (error) {
    case QKeychain::NoBackendAvailable:
    case QKeychain::NotImplemented:
    case QKeychain::OtherError:
    case QKeychain::AccessDenied:
        return true;
    default:
        return false;
    }
}

} // namespace

TokenStore::TokenStore(const Profile &profile, QObject *parent)
    : TokenStore(profile.keychainKey(), profile.folder(), parent)
{ }

TokenStore::TokenStore(const QString &key, const QString &folder, QObject *parent)
    : QObject(parent)
    , m_profile(key)
    , m_tokenFile(QDir(folder).filePath(QStringLiteral("token")))
{ }

QString TokenStore::backendDescription() const
{
    switch (m_backend) {
    case Backend::Keychain:
        return tr("The token is kept in your system keychain.");
    case Backend::File:
        return tr("No keychain found; the token is kept in a file only you can read: %1")
            .arg(QDir::toNativeSeparators(m_tokenFile));
    case Backend::Unknown:
        break;
    }
    return tr("Not signed in on this computer yet.");
}

// Keychain jobs have no parent and delete themselves once answered (QKeychain::Job::autoDelete):
// the keychain answers a job it started even after the job is gone, so a job that went with
// this store would be read after it was freed. A store that went first is simply not told.

void TokenStore::read()
{
    auto *job = new QKeychain::ReadPasswordJob(serviceName());
    job->setKey(m_profile);
    connect(job, &QKeychain::Job::finished, this,
            [this, changes = m_changesAsked](QKeychain::Job *finished) {
                readFinished(finished, changes);
            });
    job->start();
}

void TokenStore::write(const QString &token)
{
    ++m_changesAsked;
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setKey(m_profile);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this,
            [this, token](QKeychain::Job *finished) { writeFinished(finished, token); });
    job->start();
}

void TokenStore::remove()
{
    ++m_changesAsked;
    auto *job = new QKeychain::DeletePasswordJob(serviceName());
    job->setKey(m_profile);
    connect(job, &QKeychain::Job::finished, this, &TokenStore::removeFinished);
    job->start();
}

void TokenStore::readFinished(QKeychain::Job *job, quint64 changesBefore)
{
    const QKeychain::Error error = job->error();
    if (error == QKeychain::NoError) {
        const QString token = static_cast<QKeychain::ReadPasswordJob *>(job)->textData();
        setBackend(Backend::Keychain);
        emit tokenRead(token);
        return;
    }
    // Not in the keychain, or no keychain: the token may be in the fallback file.
    if (QFileInfo::exists(m_tokenFile)) {
        const Result<QString> token = readFile();
        if (!token) {
            emit failed(token.error().message);
            return;
        }
        setBackend(Backend::File);
        emit tokenRead(token.value());
        // Saved while this computer had no keychain; now that one answers, the token
        // belongs there and not in a file. QtKeychain runs jobs one at a time in the order
        // they were started, so the move runs before any write or remove asked for after
        // this answer; one asked for before it (signing out while the read was under way)
        // makes this token stale, and it must not come back.
        if (error == QKeychain::EntryNotFound && !token.value().isEmpty()
            && changesBefore == m_changesAsked)
            moveToKeychain(token.value());
        return;
    }
    if (error == QKeychain::EntryNotFound || keychainUnusable(error)) {
        setBackend(error == QKeychain::EntryNotFound ? Backend::Keychain : Backend::File);
        emit tokenRead(QString());
        return;
    }
    emit failed(
        tr("Could not read the sign-in token from the keychain: %1").arg(job->errorString()));
}

void TokenStore::writeFinished(QKeychain::Job *job, const QString &token)
{
    const QKeychain::Error error = job->error();
    if (error == QKeychain::NoError) {
        // A token left in the file from a time without keychain must not linger there.
        QFile::remove(m_tokenFile);
        setBackend(Backend::Keychain);
        emit tokenWritten();
        return;
    }
    if (!keychainUnusable(error)) {
        emit failed(
            tr("Could not save the sign-in token in the keychain: %1").arg(job->errorString()));
        return;
    }
    const Status written = writeFile(token);
    if (!written) {
        emit failed(written.error().message);
        return;
    }
    setBackend(Backend::File);
    emit tokenWritten();
}

void TokenStore::removeFinished(QKeychain::Job *job)
{
    const QKeychain::Error error = job->error();
    if (QFileInfo::exists(m_tokenFile) && !QFile::remove(m_tokenFile)) {
        emit failed(
            tr("Could not delete the token file %1.").arg(QDir::toNativeSeparators(m_tokenFile)));
        return;
    }
    if (error != QKeychain::NoError && error != QKeychain::EntryNotFound
        && !keychainUnusable(error)) {
        emit failed(
            tr("Could not remove the sign-in token from the keychain: %1").arg(job->errorString()));
        return;
    }
    setBackend(Backend::Unknown);
    emit removed();
}

void TokenStore::moveToKeychain(const QString &token)
{
    auto *job = new QKeychain::WritePasswordJob(serviceName());
    job->setKey(m_profile);
    job->setTextData(token);
    connect(job, &QKeychain::Job::finished, this, [this, token](QKeychain::Job *finished) {
        // Nobody asked for this write, so a failure is not reported: the file still works.
        if (finished->error() != QKeychain::NoError)
            return;
        const Result<QString> inFile = readFile();
        if (inFile && inFile.value() == token && QFile::remove(m_tokenFile))
            setBackend(Backend::Keychain);
    });
    job->start();
}

Status TokenStore::writeFile(const QString &token)
{
    const QFileInfo info(m_tokenFile);
    if (!QDir().mkpath(info.absolutePath()))
        return Error {QStringLiteral("token_file"),
                      tr("Could not create the folder %1 for the sign-in token.")
                          .arg(QDir::toNativeSeparators(info.absolutePath()))};
    // Start from a new file so it is created owner-only: an old file could carry wider
    // permissions, and tightening them after writing would leave a moment of exposure.
    QFile::remove(m_tokenFile);
    QFile file(m_tokenFile);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, OwnerOnly)
        || !file.setPermissions(OwnerOnly) || file.write(token.toUtf8()) < 0 || !file.flush()) {
        const QString reason = file.errorString();
        file.close();
        QFile::remove(m_tokenFile);
        return Error {QStringLiteral("token_file"),
                      tr("Could not save the sign-in token in %1: %2")
                          .arg(QDir::toNativeSeparators(m_tokenFile), reason)};
    }
    return success();
}

Result<QString> TokenStore::readFile()
{
    QFile file(m_tokenFile);
    if (!file.open(QIODevice::ReadOnly))
        return Error {QStringLiteral("token_file"),
                      tr("Could not read the sign-in token from %1: %2")
                          .arg(QDir::toNativeSeparators(m_tokenFile), file.errorString())};
    // Someone may have copied the file around with wider permissions; close that again.
    constexpr QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup
        | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::WriteOther
        | QFileDevice::ExeOther;
    if (file.permissions() & others)
        file.setPermissions(OwnerOnly);
    return QString::fromUtf8(file.readAll()).trimmed();
}

void TokenStore::setBackend(Backend backend)
{
    if (m_backend == backend)
        return;
    m_backend = backend;
    emit backendChanged(backend, backendDescription());
}

} // namespace Ferry
