#include "tokenstore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <qt6keychain/keychain.h>

#include <memory>
#include <optional>
#include <vector>

#include <sys/stat.h>

using namespace Ferry;

namespace {

// The file's mode bits as the OS has them, not Qt's reading of them.
int modeOf(const QString &path)
{
    struct stat info = {};
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return -1;
    return int(info.st_mode & 0777);
}

QString readToken(const QString &profile, const QString &dir)
{
    TokenStore store(profile, dir);
    QSignalSpy read(&store, &TokenStore::tokenRead);
    QSignalSpy failed(&store, &TokenStore::failed);
    store.read();
    if (!read.wait(30000) && read.isEmpty())
        return QStringLiteral("<no answer; failed: %1>")
            .arg(failed.isEmpty() ? QString() : failed.first().first().toString());
    return read.first().first().toString();
}

// Set by the tst_tokenstore_keychain run (scripts/with-keyring.sh starts a private Secret
// Service): the keychain must then be used, and anything else is a failure.
bool keychainExpected()
{
    return qEnvironmentVariableIsSet("FERRY_TEST_KEYCHAIN");
}

// Waits for whichever of an operation's two answers comes first.
bool answered(const QSignalSpy &done, const QSignalSpy &failed)
{
    return QTest::qWaitFor([&] { return !done.isEmpty() || !failed.isEmpty(); }, 30000);
}

QString failureOf(const QSignalSpy &failed)
{
    return failed.isEmpty() ? QStringLiteral("no answer") : failed.first().first().toString();
}

struct KeychainEntry
{
    QKeychain::Error error = QKeychain::OtherError;
    QString text;
};

// Asks the keychain directly, past TokenStore, for the entry its documentation names
// (service "Ferry", key = profile name): tokens stored under other names would be lost to
// the next version that looked them up by the documented ones.
KeychainEntry keychainEntry(const QString &profile)
{
    // On the heap and deleting itself: the keychain's answer may come after a timeout here.
    auto *job = new QKeychain::ReadPasswordJob(QStringLiteral("Ferry"));
    job->setKey(profile);
    auto entry = std::make_shared<std::optional<KeychainEntry>>();
    QObject::connect(job, &QKeychain::Job::finished, job, [entry](QKeychain::Job *finished) {
        *entry = KeychainEntry {finished->error(),
                                static_cast<QKeychain::ReadPasswordJob *>(finished)->textData()};
    });
    job->start();
    if (!QTest::qWaitFor([&] { return entry->has_value(); }, 30000))
        return {};
    return entry->value();
}

bool writeTokenFile(const QString &dir, const QByteArray &token)
{
    QFile file(QDir(dir).filePath(QStringLiteral("token")));
    return file.open(QIODevice::WriteOnly) && file.write(token) == token.size();
}

// The files in a profile folder (none when it was never created).
QStringList filesIn(const QString &dir)
{
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System
                               | QDir::NoDotAndDotDot);
}

} // namespace

// Run plainly, on a machine without a keychain service, writes take the file fallback: the
// file tests check that fallback for real, and skip where a keychain is present. The
// keychain tests run in tst_tokenstore_keychain (FERRY_TEST_KEYCHAIN=1, inside
// scripts/with-keyring.sh, a private gnome-keyring), where the keychain must be used.
class TestTokenStore : public QObject
{
    Q_OBJECT

private slots:
    void fallsBackToAnOwnerOnlyFile()
    {
        if (keychainExpected())
            QSKIP("The keychain run: the token never goes to the file.");
        QTemporaryDir dir;
        const QString profileDir = dir.filePath(QStringLiteral("profiles/work"));
        TokenStore store(QStringLiteral("tst-tokenstore-work"), profileDir);
        QCOMPARE(store.backend(), TokenStore::Backend::Unknown);
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        QSignalSpy failed(&store, &TokenStore::failed);
        QSignalSpy backend(&store, &TokenStore::backendChanged);
        store.write(QStringLiteral("dev-token-123"));
        QVERIFY(written.wait(30000));
        QVERIFY(failed.isEmpty());
        if (store.backend() == TokenStore::Backend::Keychain) {
            store.remove();
            QSKIP("A keychain is available here, so the file fallback is not used.");
        }
        QCOMPARE(store.backend(), TokenStore::Backend::File);
        QCOMPARE(store.tokenFilePath(), profileDir + QStringLiteral("/token"));
        QVERIFY(QFile::exists(store.tokenFilePath()));
        QCOMPARE(modeOf(store.tokenFilePath()), 0600);
        QCOMPARE(backend.count(), 1);
        QCOMPARE(backend.first().at(0).value<TokenStore::Backend>(), TokenStore::Backend::File);
        QCOMPARE(store.backendDescription(),
                 QStringLiteral("No keychain found; the token is kept in a file only you can "
                                "read: %1")
                     .arg(store.tokenFilePath()));
        QCOMPARE(backend.first().at(1).toString(), store.backendDescription());

        QFile file(store.tokenFilePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("dev-token-123"));
        file.close();

        // Another TokenStore (a later run of the app) finds it.
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-work"), profileDir),
                 QStringLiteral("dev-token-123"));
    }

    void rewritingTightensAWidenedFile()
    {
        if (keychainExpected())
            QSKIP("The keychain run: the token never goes to the file.");
        QTemporaryDir dir;
        TokenStore store(QStringLiteral("tst-tokenstore-wide"), dir.path());
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        store.write(QStringLiteral("first"));
        QVERIFY(written.wait(30000));
        if (store.backend() != TokenStore::Backend::File)
            QSKIP("A keychain is available here.");
        // Someone copied the profile around and the file became world-readable.
        QVERIFY(QFile::setPermissions(store.tokenFilePath(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup
                                          | QFile::ReadOther));
        QCOMPARE(modeOf(store.tokenFilePath()), 0644);
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-wide"), dir.path()),
                 QStringLiteral("first"));
        QCOMPARE(modeOf(store.tokenFilePath()), 0600);

        QVERIFY(QFile::setPermissions(store.tokenFilePath(),
                                      QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        store.write(QStringLiteral("second"));
        QVERIFY(written.wait(30000));
        QCOMPARE(modeOf(store.tokenFilePath()), 0600);
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-wide"), dir.path()),
                 QStringLiteral("second"));
    }

    void removeForgetsTheToken()
    {
        QTemporaryDir dir;
        TokenStore store(QStringLiteral("tst-tokenstore-remove"), dir.path());
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        QSignalSpy removed(&store, &TokenStore::removed);
        store.write(QStringLiteral("to-forget"));
        QVERIFY(written.wait(30000));
        store.remove();
        QVERIFY(removed.wait(30000));
        QVERIFY(!QFile::exists(store.tokenFilePath()));
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-remove"), dir.path()), QString());
    }

    void nothingStoredReadsEmpty()
    {
        QTemporaryDir dir;
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-never"), dir.path()), QString());
    }

    void unreadableFileIsReportedAsAFailure()
    {
        QTemporaryDir dir;
        // A folder where the token file should be: exists, but cannot be read as a file.
        QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("token")));
        TokenStore store(QStringLiteral("tst-tokenstore-broken"), dir.path());
        QSignalSpy read(&store, &TokenStore::tokenRead);
        QSignalSpy failed(&store, &TokenStore::failed);
        store.read();
        QVERIFY(failed.wait(30000) || !failed.isEmpty() || !read.isEmpty());
        if (!read.isEmpty())
            QSKIP("A keychain answered before the file was consulted.");
        QVERIFY2(failed.first().first().toString().contains(QStringLiteral("token")),
                 qPrintable(failed.first().first().toString()));
    }

    void keychainKeepsTheToken()
    {
        if (!keychainExpected())
            QSKIP("Needs a keychain: run through tst_tokenstore_keychain.");
        QTemporaryDir dir;
        const QString profile = QStringLiteral("tst-tokenstore-kc-work");
        const QString profileDir = dir.filePath(QStringLiteral("profiles/work"));
        TokenStore store(profile, profileDir);
        QSignalSpy written(&store, &TokenStore::tokenWritten);
        QSignalSpy failed(&store, &TokenStore::failed);
        QSignalSpy backend(&store, &TokenStore::backendChanged);
        store.write(QStringLiteral("kc-token-1"));
        QVERIFY(answered(written, failed));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
        QVERIFY2(store.backend() == TokenStore::Backend::Keychain,
                 qPrintable(store.backendDescription()));
        QCOMPARE(backend.count(), 1);
        QCOMPARE(backend.first().at(0).value<TokenStore::Backend>(), TokenStore::Backend::Keychain);
        QCOMPARE(store.backendDescription(),
                 QStringLiteral("The token is kept in your system keychain."));
        QCOMPARE(backend.first().at(1).toString(), store.backendDescription());
        // Nothing on disk: not the token file, not anything else in the profile folder.
        QVERIFY(!QFile::exists(store.tokenFilePath()));
        QCOMPARE(filesIn(profileDir), QStringList());

        // Where the documentation says: service "Ferry", key = the profile name.
        const KeychainEntry entry = keychainEntry(profile);
        QCOMPARE(entry.error, QKeychain::NoError);
        QCOMPARE(entry.text, QStringLiteral("kc-token-1"));

        // A later run of the app finds it, in the keychain.
        {
            TokenStore later(profile, profileDir);
            QSignalSpy read(&later, &TokenStore::tokenRead);
            QSignalSpy readFailed(&later, &TokenStore::failed);
            later.read();
            QVERIFY(answered(read, readFailed));
            QVERIFY2(readFailed.isEmpty(), qPrintable(failureOf(readFailed)));
            QCOMPARE(read.first().first().toString(), QStringLiteral("kc-token-1"));
            QCOMPARE(later.backend(), TokenStore::Backend::Keychain);
        }

        // Signing in again replaces the token.
        written.clear();
        store.write(QStringLiteral("kc-token-2"));
        QVERIFY(answered(written, failed));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
        QCOMPARE(store.backend(), TokenStore::Backend::Keychain);
        QCOMPARE(readToken(profile, profileDir), QStringLiteral("kc-token-2"));
        QCOMPARE(keychainEntry(profile).text, QStringLiteral("kc-token-2"));
        QCOMPARE(filesIn(profileDir), QStringList());

        // Signing out forgets it: the keychain entry is gone and a read finds nothing.
        QSignalSpy removed(&store, &TokenStore::removed);
        store.remove();
        QVERIFY(answered(removed, failed));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
        QCOMPARE(store.backend(), TokenStore::Backend::Unknown);
        QCOMPARE(keychainEntry(profile).error, QKeychain::EntryNotFound);
        {
            TokenStore after(profile, profileDir);
            QSignalSpy read(&after, &TokenStore::tokenRead);
            QSignalSpy readFailed(&after, &TokenStore::failed);
            after.read();
            QVERIFY(answered(read, readFailed));
            QVERIFY2(readFailed.isEmpty(), qPrintable(failureOf(readFailed)));
            QCOMPARE(read.first().first().toString(), QString());
            // The keychain answered "nothing stored": it is still where a token would go.
            QCOMPARE(after.backend(), TokenStore::Backend::Keychain);
        }
        QCOMPARE(filesIn(profileDir), QStringList());

        // Signing out twice is not an error.
        removed.clear();
        store.remove();
        QVERIFY(answered(removed, failed));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
    }

    void keychainKeepsProfilesApart()
    {
        if (!keychainExpected())
            QSKIP("Needs a keychain: run through tst_tokenstore_keychain.");
        QTemporaryDir dir;
        const QString laptopDir = dir.filePath(QStringLiteral("profiles/laptop"));
        const QString desktopDir = dir.filePath(QStringLiteral("profiles/desktop"));
        TokenStore laptop(QStringLiteral("tst-tokenstore-kc-laptop"), laptopDir);
        TokenStore desktop(QStringLiteral("tst-tokenstore-kc-desktop"), desktopDir);
        QSignalSpy laptopWritten(&laptop, &TokenStore::tokenWritten);
        QSignalSpy desktopWritten(&desktop, &TokenStore::tokenWritten);
        QSignalSpy laptopFailed(&laptop, &TokenStore::failed);
        QSignalSpy desktopFailed(&desktop, &TokenStore::failed);
        laptop.write(QStringLiteral("laptop-token"));
        desktop.write(QStringLiteral("desktop-token"));
        QVERIFY(answered(laptopWritten, laptopFailed));
        QVERIFY(answered(desktopWritten, desktopFailed));
        QVERIFY2(laptopFailed.isEmpty(), qPrintable(failureOf(laptopFailed)));
        QVERIFY2(desktopFailed.isEmpty(), qPrintable(failureOf(desktopFailed)));
        QCOMPARE(laptop.backend(), TokenStore::Backend::Keychain);
        QCOMPARE(desktop.backend(), TokenStore::Backend::Keychain);

        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-kc-laptop"), laptopDir),
                 QStringLiteral("laptop-token"));
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-kc-desktop"), desktopDir),
                 QStringLiteral("desktop-token"));

        // Signing one profile out leaves the other signed in.
        QSignalSpy removed(&laptop, &TokenStore::removed);
        laptop.remove();
        QVERIFY(answered(removed, laptopFailed));
        QVERIFY2(laptopFailed.isEmpty(), qPrintable(failureOf(laptopFailed)));
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-kc-laptop"), laptopDir), QString());
        QCOMPARE(readToken(QStringLiteral("tst-tokenstore-kc-desktop"), desktopDir),
                 QStringLiteral("desktop-token"));
        QCOMPARE(filesIn(laptopDir), QStringList());
        QCOMPARE(filesIn(desktopDir), QStringList());

        QSignalSpy desktopRemoved(&desktop, &TokenStore::removed);
        desktop.remove();
        QVERIFY(answered(desktopRemoved, desktopFailed));
        QCOMPARE(keychainEntry(QStringLiteral("tst-tokenstore-kc-desktop")).error,
                 QKeychain::EntryNotFound);
    }

    void keychainTakesOverATokenFile()
    {
        if (!keychainExpected())
            QSKIP("Needs a keychain: run through tst_tokenstore_keychain.");
        QTemporaryDir dir;
        const QString profile = QStringLiteral("tst-tokenstore-kc-moved");
        // A token saved in the file while this computer had no keychain.
        QVERIFY(writeTokenFile(dir.path(), "file-token\n"));

        TokenStore store(profile, dir.path());
        QSignalSpy read(&store, &TokenStore::tokenRead);
        QSignalSpy failed(&store, &TokenStore::failed);
        QSignalSpy backend(&store, &TokenStore::backendChanged);
        store.read();
        QVERIFY(answered(read, failed));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
        QCOMPARE(read.first().first().toString(), QStringLiteral("file-token"));

        // It moves into the keychain, and the file is not left behind.
        QTRY_COMPARE_WITH_TIMEOUT(store.backend(), TokenStore::Backend::Keychain, 30000);
        QCOMPARE(backend.count(), 2);
        QCOMPARE(backend.at(0).at(0).value<TokenStore::Backend>(), TokenStore::Backend::File);
        QCOMPARE(backend.at(1).at(0).value<TokenStore::Backend>(), TokenStore::Backend::Keychain);
        QCOMPARE(backend.at(1).at(1).toString(),
                 QStringLiteral("The token is kept in your system keychain."));
        QVERIFY(!QFile::exists(store.tokenFilePath()));
        QCOMPARE(keychainEntry(profile).text, QStringLiteral("file-token"));
        QCOMPARE(readToken(profile, dir.path()), QStringLiteral("file-token"));

        QSignalSpy removed(&store, &TokenStore::removed);
        store.remove();
        QVERIFY(answered(removed, failed));
        QCOMPARE(keychainEntry(profile).error, QKeychain::EntryNotFound);
    }

    // The app goes (a profile closed, a test ending) while the keychain still has to answer
    // a write, a read and a removal: the answers that come after must find nothing freed.
    void storeGoneBeforeTheKeychainAnswers()
    {
        QTemporaryDir dir;
        const QString profile = QStringLiteral("tst-tokenstore-gone");
        auto *store = new TokenStore(profile, dir.path());
        store->write(QStringLiteral("token-of-a-closed-app"));
        store->read();
        store->remove();
        QCoreApplication::processEvents(); // the first of them is now with the keychain
        delete store;
        // What the store freed is handed out again at once, as in a busy app: an answer that
        // still reached for it would find zeros there.
        std::vector<std::unique_ptr<char[]>> reused;
        for (int round = 0; round < 8; ++round) {
            for (std::size_t size = 16; size <= 1024; size += 8)
                reused.emplace_back(new char[size]());
        }
        // Another store's answer comes after those three: the keychain has answered them too.
        QCOMPARE(readToken(profile, dir.path()), QString());
        QTest::qWait(200);
    }

    void signingOutDuringAReadForgetsTheToken()
    {
        if (!keychainExpected())
            QSKIP("Needs a keychain: run through tst_tokenstore_keychain.");
        QTemporaryDir dir;
        const QString profile = QStringLiteral("tst-tokenstore-kc-moving");
        QVERIFY(writeTokenFile(dir.path(), "file-token"));

        TokenStore store(profile, dir.path());
        QSignalSpy read(&store, &TokenStore::tokenRead);
        QSignalSpy removed(&store, &TokenStore::removed);
        QSignalSpy failed(&store, &TokenStore::failed);
        // Signing out while the read is still under way: the token the read then finds in
        // the file must not be moved into the keychain after the sign-out.
        store.read();
        store.remove();
        QVERIFY(answered(removed, failed));
        QCOMPARE(read.count(), 1);
        QCOMPARE(read.first().first().toString(), QStringLiteral("file-token"));
        QVERIFY2(failed.isEmpty(), qPrintable(failureOf(failed)));
        QVERIFY(!QFile::exists(store.tokenFilePath()));
        QCOMPARE(keychainEntry(profile).error, QKeychain::EntryNotFound);
        QCOMPARE(readToken(profile, dir.path()), QString());
        QCOMPARE(store.backend(), TokenStore::Backend::Unknown);
    }
};

QTEST_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
