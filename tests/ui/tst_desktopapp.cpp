// DesktopApp: what happens between starting `ferry` and records arriving — sign-in from the
// command line, the first-run dialog (a refused token, then a good one), the bundled local
// server, and a restart that finds its settings and token again. Real server processes, a
// real profile folder, the real widgets (offscreen).
#include "desktopapp.h"
#include "desktopapptest.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include "account/workspaceswitcher.h"
#include "apiclient.h"
#include "editor/recordeditor.h"
#include "localstore.h"
#include "mainwindow/mainwindow.h"
#include "models/recordtablemodel.h"
#include "settings/appsettings.h"
#include "settings/firstrundialog.h"

#include <QApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryDesktop;
using namespace FerryTest;
using namespace FerryTest::DesktopAppTest;
using namespace Qt::StringLiterals;

class TestDesktopApp : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void signInFromOptionsThenRestart();
    void firstRunRefusesABadTokenThenSignsIn();
    void firstRunWithTheLocalServer();
    void bundledServerStopsWhenTheAppIsKilled();
    void eachWorkspaceHasItsOwnStore();
    void switchesWorkspaces();
    void signingInAsSomeoneElseKeepsTheRecordsApart();

private:
    // The titles of the Posts the server holds in `workspace`.
    QStringList serverTitles(const QString &workspace, const QString &token);
    // Starts the app for `profile` signed in as `user` (with `token`) to `workspace`.
    static Options signedIn(const QString &profile, const QUrl &server, const QString &token,
                            const QString &workspace);
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
    useHome(m_home, u"FerryTest"_s);
    qputenv("FERRY_SERVER", FERRY_SERVER_PATH);
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
}

QStringList TestDesktopApp::serverTitles(const QString &workspace, const QString &token)
{
    TestDevice reader(SyncConfig {m_server.url(), token, workspace});
    if (!reader.sync().ok)
        return {u"<no sync>"_s};
    QStringList titles;
    const QList<LocalRecord> posts = reader.store().records(u"Post"_s).value();
    for (const LocalRecord &post : posts)
        titles.append(post.fields.value(u"title"_s).toString());
    titles.sort();
    return titles;
}

Options TestDesktopApp::signedIn(const QString &profile, const QUrl &server, const QString &token,
                                 const QString &workspace)
{
    Options options;
    options.profile = profile;
    options.server = server;
    options.token = token;
    options.workspace = workspace;
    return options;
}

QString TestDesktopApp::syncState(QWidget *window)
{
    return child<QLabel>(*child<QWidget>(*window, "syncStatusBar"), "syncState")->text();
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

// The real `ferry` binary with its bundled server, killed outright (no clean exit): the
// server it started stops by itself instead of running on with nobody to use it.
void TestDesktopApp::bundledServerStopsWhenTheAppIsKilled()
{
    QTemporaryDir home;
    QProcess app;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"XDG_CONFIG_HOME"_s, home.filePath(u"config"_s));
    env.insert(u"XDG_DATA_HOME"_s, home.filePath(u"data"_s));
    env.insert(u"QT_QPA_PLATFORM"_s, u"offscreen"_s);
    env.insert(u"FERRY_SERVER"_s, QString::fromLocal8Bit(FERRY_SERVER_PATH));
    app.setProcessEnvironment(env);
    app.start(QString::fromLocal8Bit(FERRY_DESKTOP_PATH),
              {u"--profile"_s, u"killed"_s, u"--local-server"_s});
    QVERIFY(app.waitForStarted());
    // The bundled server keeps its data in the profile; its process names that folder.
    const QString marker = home.filePath(u"data"_s);
    const auto serverPids = [&marker] {
        QProcess pgrep;
        pgrep.start(u"pgrep"_s, {u"-f"_s, u"ferry-server --data "_s + marker});
        pgrep.waitForFinished();
        return QString::fromUtf8(pgrep.readAllStandardOutput()).split(u'\n', Qt::SkipEmptyParts);
    };
    QTRY_VERIFY_WITH_TIMEOUT(!serverPids().isEmpty(), 20000);
    app.kill();
    QVERIFY(app.waitForFinished());
    QTRY_VERIFY2_WITH_TIMEOUT(serverPids().isEmpty(), "the bundled server outlived the app", 10000);
}

void TestDesktopApp::eachWorkspaceHasItsOwnStore()
{
    QTemporaryDir profile;
    const QString main = QDir(profile.path()).filePath(u"ferry.db"_s);
    // A fresh profile: its first store takes the first workspace.
    QCOMPARE(Profile(profile.path()).storePath(u"notes"_s), main);
    QCOMPARE(Profile(profile.path()).storePath(QString()), main);
    {
        auto store = LocalStore::open(main, Schema::defaultSchema());
        QVERIFY(store);
        QVERIFY(store.value()->setSetting(u"workspace"_s, u"notes"_s));
    }
    QCOMPARE(Profile(profile.path()).storePath(u"notes"_s), main);
    // Every other workspace a folder of its own, also where file names ignore case.
    const QString other = Profile(profile.path()).storePath(u"recipes"_s);
    QCOMPARE(other, QDir(profile.path()).filePath(u"workspaces/recipes/ferry.db"_s));
    const QString capital = Profile(profile.path()).storePath(u"Notes"_s);
    QVERIFY(capital != main);
    QVERIFY(capital.toLower() != other.toLower());
    QVERIFY(capital.toLower() != Profile(profile.path()).storePath(u"notes"_s).toLower());
    QVERIFY(!capital.contains(u".."_s));
}

void TestDesktopApp::switchesWorkspaces()
{
    const QString token = m_server.createToken(u"hana"_s);
    const QString ivanToken = m_server.createToken(u"ivan"_s);
    QVERIFY(!token.isEmpty() && !ivanToken.isEmpty());
    ApiClient api;
    api.setServer(m_server.url(), token);
    QCOMPARE(api.send("POST", u"/v1/workspaces"_s, token, R"({"id": "hana-garden"})").status, 201);
    // Ivan invites her; she answers in the app.
    QCOMPARE(
        api.send("PUT", u"/v1/workspaces/ivan/members/hana"_s, ivanToken, R"({"role": "viewer"})")
            .status,
        200);
    QVERIFY(seed(u"hana"_s, token, u"in her own"_s));
    QVERIFY(seed(u"hana-garden"_s, token, u"garden plan"_s));
    QVERIFY(seed(u"ivan"_s, ivanToken, u"shared by ivan"_s));

    const Options options = signedIn(u"hana-pc"_s, m_server.url(), token, u"hana"_s);
    {
        DesktopApp app(options);
        QVERIFY(app.start());
        auto *window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QVERIFY(window);
        QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile, u"hana"_s), 1, 20000);
        QVERIFY(window->windowTitle().contains(u"hana"_s));

        // The switcher lists her workspaces with her role in each, and ivan's invitation,
        // which is not a workspace of hers until she accepts it.
        WorkspaceSwitcher *switcher = window->workspaceSwitcher();
        QCOMPARE(switcher->current(), u"hana"_s);
        QTRY_VERIFY_WITH_TIMEOUT(switcher->invitationAction(u"ivan"_s, true), 10000);
        QVERIFY(!switcher->actionFor(u"ivan"_s));
        QVERIFY2(switcher->text().contains(u"1 invitation"_s), qPrintable(switcher->text()));
        if (qEnvironmentVariableIsSet("FERRY_SHOT_DIR")) {
            switcher->menu()->popup(switcher->mapToGlobal(QPoint(0, switcher->height())));
            auto *answer = switcher->menu()->findChild<QMenu *>(u"invitation:ivan"_s);
            answer->popup(switcher->menu()->mapToGlobal(QPoint(switcher->menu()->width(), 0)));
            shot(switcher->menu(), u"switcher-invitation-menu"_s);
            shot(answer, u"switcher-invitation-answer"_s);
            shot(window, u"main-window-invitation"_s);
            answer->hide();
            switcher->menu()->hide();
        }
        QVERIFY(switcher->actionFor(u"hana-garden"_s)->text().contains(u"owner"_s));
        QVERIFY(switcher->actionFor(u"hana"_s)->isChecked());

        // Switching: another store, a window showing only that workspace's records, and
        // what is made there syncs to that workspace alone.
        switcher->actionFor(u"hana-garden"_s)->trigger();
        QTRY_COMPARE(app.currentWorkspace(), u"hana-garden"_s);
        window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QVERIFY(window);
        QVERIFY(window->windowTitle().contains(u"hana-garden"_s));
        QCOMPARE(window->workspaceSwitcher()->current(), u"hana-garden"_s);
        QTRY_COMPARE_WITH_TIMEOUT(window->recordModel()->rowCount(), 1, 20000);
        QCOMPARE(countIn(options.profile, u"hana-garden"_s), 1);
        QVERIFY(QFileInfo::exists(QDir(Profile(options.profile).folder())
                                      .filePath(u"workspaces/hana-garden/ferry.db"_s)));
        QCOMPARE(countIn(options.profile, u"hana"_s), 1); // her own, untouched

        QTest::mouseClick(child<QToolButton>(*window, "newButton"), Qt::LeftButton);
        auto *title = child<QLineEdit>(*window, "field_title");
        QTest::keyClicks(title, u"tomatoes"_s);
        QTest::keyClick(title, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(serverTitles(u"hana-garden"_s, token),
                                  QStringList({u"garden plan"_s, u"tomatoes"_s}), 20000);
        QCOMPARE(serverTitles(u"hana"_s, token), QStringList({u"in her own"_s}));

        // Accepting the invitation opens the workspace shared with her: its records, read
        // from the server.
        window->workspaceSwitcher()->invitationAction(u"ivan"_s, true)->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(app.currentWorkspace(), u"ivan"_s, 10000);
        window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile, u"ivan"_s), 1, 20000);
        // As a viewer there: nothing to type into, and the editor says why.
        QVERIFY(window->editor()->isReadOnly());
        QVERIFY(!window->editor()->newAction()->isEnabled());
        QVERIFY(child<QWidget>(*window, "viewOnlyBanner")->isVisible());
        // Made an editor meanwhile: the next reading of the list lets her edit.
        QCOMPARE(api.send("PUT", u"/v1/workspaces/ivan/members/hana"_s, ivanToken,
                          R"({"role": "editor"})")
                     .status,
                 200);
        window->workspaceSwitcher()->refreshAction()->trigger();
        QTRY_VERIFY(!window->editor()->isReadOnly());
        QVERIFY(!child<QWidget>(*window, "viewOnlyBanner")->isVisible());
        QVERIFY(window->workspaceSwitcher()->actionFor(u"ivan"_s)->text().contains(u"can edit"_s));
        QVERIFY(!window->workspaceSwitcher()->invitationAction(u"ivan"_s, true));

        // She leaves it (asked first), and is back in her own: her records again, from the
        // store they were in all along.
        QVERIFY(window->workspaceSwitcher()->leaveAction()->isVisible());
        window->workspaceSwitcher()->leaveAction()->trigger();
        QWidget *question = nullptr;
        QTRY_VERIFY((question = topLevel("leaveWorkspaceQuestion")));
        shot(question, u"leave-workspace-question"_s);
        QTest::mouseClick(child<QPushButton>(*question, "confirmLeaveButton"), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(app.currentWorkspace(), u"hana"_s, 10000);
        QTRY_VERIFY(!api.send("GET", u"/v1/me"_s, token).body.contains("\"ivan\""));
        window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QTRY_COMPARE(window->recordModel()->rowCount(), 1);
        QVERIFY(!window->editor()->isReadOnly()); // her own again
        QVERIFY(window->editor()->newAction()->isEnabled());
        QTRY_VERIFY(!window->workspaceSwitcher()->actionFor(u"ivan"_s));
        QVERIFY(!window->workspaceSwitcher()->leaveAction()->isVisible()); // hers to keep
        QCOMPARE(window->recordModel()
                     ->data(window->recordModel()->index(0, RecordTableModel::FirstFieldColumn))
                     .toString(),
                 u"in her own"_s);

        // A new workspace from the switcher: a taken name is said in the dialog, which stays.
        window->workspaceSwitcher()->newWorkspaceAction()->trigger();
        QWidget *dialog = nullptr;
        QTRY_VERIFY((dialog = topLevel("newWorkspaceDialog")));
        auto *name = child<QLineEdit>(*dialog, "workspaceNameEdit");
        QTest::keyClicks(name, u"ivan"_s);
        QTest::mouseClick(child<QPushButton>(*dialog, "createButton"), Qt::LeftButton);
        auto *error = child<QLabel>(*dialog, "errorLabel");
        QTRY_VERIFY(error->isVisible());
        QVERIFY2(error->text().contains(u"taken"_s), qPrintable(error->text()));
        name->clear();
        QTest::keyClicks(name, u"hana-books"_s);
        QTest::mouseClick(child<QPushButton>(*dialog, "createButton"), Qt::LeftButton);
        QTRY_VERIFY(!topLevel("newWorkspaceDialog"));
        QTRY_COMPARE(app.currentWorkspace(), u"hana-books"_s);
        window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QTRY_COMPARE_WITH_TIMEOUT(syncState(window), u"Synced"_s, 20000);
        QVERIFY(
            window->workspaceSwitcher()->actionFor(u"hana-books"_s)->text().contains(u"owner"_s));
        const ApiResponse me = api.send("GET", u"/v1/me"_s, token);
        QVERIFY(me.body.contains("\"hana-books\""));

        window->workspaceSwitcher()->actionFor(u"hana-garden"_s)->trigger();
        QTRY_COMPARE(app.currentWorkspace(), u"hana-garden"_s);
    }

    // The workspace in use when Ferry stopped is the one it opens with.
    QCOMPARE(AppSettings(options.profile).workspace(), u"hana-garden"_s);
    Options restart;
    restart.profile = options.profile;
    DesktopApp app(restart);
    QVERIFY(app.start());
    QVERIFY(!topLevel("firstRunDialog"));
    QCOMPARE(app.currentWorkspace(), u"hana-garden"_s);
    auto *window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
    QTRY_COMPARE(window->recordModel()->rowCount(), 2);
}

void TestDesktopApp::signingInAsSomeoneElseKeepsTheRecordsApart()
{
    // One profile, first jo's, then kim's: kim's workspace must not receive jo's records.
    const QString joToken = m_server.createToken(u"jo"_s);
    const QString kimToken = m_server.createToken(u"kim"_s);
    const QString profile = u"shared-pc"_s;
    {
        DesktopApp app(signedIn(profile, m_server.url(), joToken, u"jo"_s));
        QVERIFY(app.start());
        auto *window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QTRY_COMPARE_WITH_TIMEOUT(syncState(window), u"Synced"_s, 20000);
        QVERIFY(window->editor());
        QTest::mouseClick(child<QToolButton>(*window, "newButton"), Qt::LeftButton);
        auto *title = child<QLineEdit>(*window, "field_title");
        QTest::keyClicks(title, u"jo's diary"_s);
        QTest::keyClick(title, Qt::Key_Return);
        QTRY_COMPARE_WITH_TIMEOUT(serverTitles(u"jo"_s, joToken), QStringList({u"jo's diary"_s}),
                                  20000);
    }
    {
        DesktopApp app(signedIn(profile, m_server.url(), kimToken, u"kim"_s));
        QVERIFY(app.start());
        QTRY_COMPARE_WITH_TIMEOUT(app.currentWorkspace(), u"kim"_s, 20000);
        auto *window = qobject_cast<MainWindow *>(topLevel("mainWindow"));
        QTRY_COMPARE_WITH_TIMEOUT(syncState(window), u"Synced"_s, 20000);
        QCOMPARE(window->recordModel()->rowCount(), 0);
    }
    QCOMPARE(serverTitles(u"kim"_s, kimToken), QStringList());
    QCOMPARE(countIn(profile, u"jo"_s), 1); // still on this computer, for when jo is back
    QCOMPARE(countIn(profile, u"kim"_s), 0);
}

QTEST_MAIN(TestDesktopApp)
#include "tst_desktopapp.moc"
