// DesktopApp: what happens between starting `ferry` and records arriving — sign-in from the
// command line, the first-run dialog (a refused token, then a good one), the bundled local
// server, and a restart that finds its settings and token again. Real server processes, a
// real profile folder, the real widgets (offscreen).
#include "desktopapp.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include "localstore.h"
#include "settings/appsettings.h"
#include "settings/firstrundialog.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryDesktop;
using namespace FerryTest;
using namespace Qt::StringLiterals;

class TestDesktopApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signInFromOptionsThenRestart();
    void firstRunRefusesABadTokenThenSignsIn();
    void firstRunWithTheLocalServer();

private:
    // Records of `entity` in the profile's store, read through a connection of our own.
    qint64 countIn(const QString &profile, const QString &entity = u"Post"_s);
    QWidget *topLevel(const char *name);
    // The state the window's status bar shows.
    static QString syncState(QWidget *window);
    // A record made on another device of `user` and sent to the server.
    bool seed(const QString &user, const QString &token, const QString &title);

    QTemporaryDir m_home;
    ServerProcess m_server;
};

void TestDesktopApp::initTestCase()
{
    // Settings, profiles and the token file go to a home of this test's own.
    qputenv("XDG_CONFIG_HOME", m_home.filePath(u"config"_s).toUtf8());
    qputenv("XDG_DATA_HOME", m_home.filePath(u"data"_s).toUtf8());
    qputenv("FERRY_SERVER", FERRY_SERVER_PATH);
    QApplication::setOrganizationName(u"FerryTest"_s);
    QApplication::setApplicationName(u"FerryTest"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
}

qint64 TestDesktopApp::countIn(const QString &profile, const QString &entity)
{
    const QString path = QDir(DesktopApp::profileDir(profile)).filePath(u"ferry.db"_s);
    auto store = LocalStore::open(path, Schema::defaultSchema());
    if (!store)
        return -1;
    Result<qint64> n = store.value()->count(entity);
    return n ? n.value() : -1;
}

QString TestDesktopApp::syncState(QWidget *window)
{
    return child<QLabel>(*child<QWidget>(*window, "syncStatusBar"), "syncState")->text();
}

QWidget *TestDesktopApp::topLevel(const char *name)
{
    for (QWidget *w : QApplication::topLevelWidgets()) {
        if (w->objectName() == QLatin1String(name) && w->isVisible())
            return w;
    }
    return nullptr;
}

bool TestDesktopApp::seed(const QString &user, const QString &token, const QString &title)
{
    TestDevice other(SyncConfig {m_server.url(), token, user});
    if (!other.store().createRecord(u"Post"_s, {{u"title"_s, title}}))
        return false;
    return other.sync().ok;
}

void TestDesktopApp::signInFromOptionsThenRestart()
{
    const QString token = m_server.createToken(u"erin"_s);
    QVERIFY(!token.isEmpty());
    QVERIFY(seed(u"erin"_s, token, u"made elsewhere"_s));

    Options options;
    options.profile = u"erin-laptop"_s;
    options.server = m_server.url();
    options.token = token;
    options.workspace = u"erin"_s;
    {
        DesktopApp app(options);
        QVERIFY(app.start());
        QWidget *window = topLevel("mainWindow");
        QVERIFY(window);
        QVERIFY(window->windowTitle().contains(u"erin-laptop"_s));
        QVERIFY(!topLevel("firstRunDialog")); // nothing to ask
        QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 1, 20000);
        QTRY_COMPARE(syncState(window), u"Synced"_s);
        // Connected for live updates: a change made elsewhere arrives without waiting for
        // the sync interval (minutes by default).
        auto *live = child<QLabel>(*child<QWidget>(*window, "syncStatusBar"), "liveUpdates");
        QTRY_VERIFY_WITH_TIMEOUT(live->isVisible(), 20000);
        QVERIFY(seed(u"erin"_s, token, u"made while Ferry was open"_s));
        QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 2, 10000);
    }

    // What the sign-in left behind: the server and workspace in the settings, the token
    // outside them (in the keychain or, as here with none, a file only the user can read).
    AppSettings settings(options.profile);
    QCOMPARE(settings.serverUrl(), m_server.url());
    QCOMPARE(settings.workspace(), u"erin"_s);
    QFile file(settings.fileName());
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray written = file.readAll();
    QVERIFY(written.contains(m_server.url().toString().toUtf8()));
    QVERIFY(!written.contains(token.toUtf8()));

    // A restart with no options: the same account, no questions, and new records arrive.
    QVERIFY(seed(u"erin"_s, token, u"made while Ferry was closed"_s));
    Options restart;
    restart.profile = options.profile;
    DesktopApp app(restart);
    QVERIFY(app.start());
    QVERIFY(!topLevel("firstRunDialog"));
    QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 3, 20000);
}

void TestDesktopApp::firstRunRefusesABadTokenThenSignsIn()
{
    const QString token = m_server.createToken(u"finn"_s);
    QVERIFY(seed(u"finn"_s, token, u"waiting for the new computer"_s));

    Options options;
    options.profile = u"finn-desktop"_s;
    DesktopApp app(options);
    QVERIFY(app.start());
    QWidget *dialog = nullptr;
    QTRY_VERIFY((dialog = topLevel("firstRunDialog")));
    QVERIFY(child<QRadioButton>(*dialog, "serverChoice")->isChecked());
    QTest::mouseClick(child<QRadioButton>(*dialog, "tokenWay"), Qt::LeftButton);
    auto *url = child<QLineEdit>(*dialog, "serverUrlEdit");
    auto *tokenEdit = child<QLineEdit>(*dialog, "tokenEdit");
    auto *next = child<QPushButton>(*dialog, "continueButton");

    url->setFocus();
    QTest::keyClicks(url, m_server.url().toString());
    QTest::keyClicks(tokenEdit, u"not-a-token"_s);
    QTest::mouseClick(next, Qt::LeftButton);
    auto *error = child<QLabel>(*dialog, "errorLabel");
    QTRY_VERIFY(error->isVisible());
    QVERIFY2(error->text().contains(u"token"_s, Qt::CaseInsensitive), qPrintable(error->text()));
    QVERIFY(dialog->isVisible()); // still asking
    QCOMPARE(countIn(options.profile), 0);

    tokenEdit->clear();
    QTest::keyClicks(tokenEdit, token);
    QTRY_VERIFY(next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QTRY_VERIFY(!topLevel("firstRunDialog"));
    QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 1, 20000);
    AppSettings settings(options.profile);
    QCOMPARE(settings.serverUrl(), m_server.url());
    QCOMPARE(settings.workspace(), u"finn"_s);
    QVERIFY(!settings.useLocalServer());
}

void TestDesktopApp::firstRunWithTheLocalServer()
{
    Options options;
    options.profile = u"gwen-offline"_s;
    {
        DesktopApp app(options);
        QVERIFY(app.start());
        QWidget *dialog = nullptr;
        QTRY_VERIFY((dialog = topLevel("firstRunDialog")));
        QTest::mouseClick(child<QRadioButton>(*dialog, "localChoice"), Qt::LeftButton);
        auto *next = child<QPushButton>(*dialog, "continueButton");
        QTRY_VERIFY(next->isEnabled());
        QTest::mouseClick(next, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!topLevel("firstRunDialog"), 20000);
        QWidget *window = topLevel("mainWindow");
        QVERIFY(window);
        QTRY_COMPARE_WITH_TIMEOUT(syncState(window), u"Synced"_s, 20000);
    }
    AppSettings settings(options.profile);
    QVERIFY(settings.useLocalServer());
    const QString serverData = settings.localServerDataDir();
    QVERIFY(QDir(serverData).exists());
    QVERIFY(!QDir(serverData).entryList(QDir::Files).isEmpty()); // the server's own database

    // The next start brings the local server up again by itself, with the same token.
    Options restart;
    restart.profile = options.profile;
    DesktopApp app(restart);
    QVERIFY(app.start());
    QVERIFY(!topLevel("firstRunDialog"));
    QWidget *window = topLevel("mainWindow");
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(syncState(window), u"Synced"_s, 20000);
}

QTEST_MAIN(TestDesktopApp)
#include "tst_desktopapp.moc"
