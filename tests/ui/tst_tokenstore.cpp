#include "settings/tokenstore.h"

#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace Ferry::Ui;

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

} // namespace

// This machine (like CI) has no keychain service, so writes take the file fallback: the
// tests check that fallback for real, and skip where a keychain is present.
class TestTokenStore : public QObject
{
    Q_OBJECT

private slots:
    void fallsBackToAnOwnerOnlyFile()
    {
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
};

QTEST_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
