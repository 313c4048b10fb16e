// The desktop app's account side: the devices dialog (one revoked, its token then refused),
// signing out from Settings (back to the first-run page, the token gone, the records kept),
// and the share dialog (a viewer added, seen by them, then removed). Accounts with passwords
// on a real ferry-server, real profile folders, the real widgets (offscreen).
#include "apiclient.h"
#include "desktopapp.h"
#include "desktopapptest.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include "account/devicesdialog.h"
#include "account/sharedialog.h"
#include "accountclient.h"
#include "localstore.h"
#include "settings/appsettings.h"
#include "tokenstore.h"

#include <QAction>
#include <QApplication>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryDesktop;
using namespace FerryTest;
using namespace FerryTest::DesktopAppTest;
using namespace Qt::StringLiterals;

namespace {
const QString Password = u"correct horse battery"_s;
}

class TestAccountUi : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void devicesListedAndOneRevoked();
    void signOutFromSettings();
    void shareAsViewerThenRemove();
    void signInWithAPasswordFromTheFirstRun();
    void createAnAccountFromTheFirstRun();

private:
    // Registers `user` (once) and signs in as a new device; the token, or empty on failure.
    QString signIn(const QString &user, const QString &device);
    // The status GET /v1/me answers for `token`.
    int meStatus(const QString &token);
    QStringList workspacesOf(const QString &token);
    // Presses the button of the visible message box `box` named `button`.
    void confirm(const char *box, const char *button);

    QTemporaryDir m_home;
    ServerProcess m_server;
    QStringList m_registered;
};

void TestAccountUi::initTestCase()
{
    useHome(m_home, u"FerryTest"_s);
    QVERIFY2(m_server.start(), qPrintable(m_server.lastError()));
}

QString TestAccountUi::signIn(const QString &user, const QString &device)
{
    AccountClient client;
    client.setServer(m_server.url());
    QSignalSpy failed(&client, &AccountClient::failed);
    if (!m_registered.contains(user)) {
        QSignalSpy registered(&client, &AccountClient::registered);
        client.registerAccount(user, Password);
        if (!registered.wait(10000))
            return {};
        m_registered << user;
    }
    QSignalSpy signedIn(&client, &AccountClient::signedIn);
    client.signIn(user, Password, device);
    if (!signedIn.wait(10000))
        return {};
    return signedIn.first().first().value<SignedIn>().token;
}

int TestAccountUi::meStatus(const QString &token)
{
    ApiClient api;
    api.setServer(m_server.url(), token);
    return api.request("GET", u"/v1/me"_s, "Bearer " + token.toUtf8()).status;
}

QStringList TestAccountUi::workspacesOf(const QString &token)
{
    AccountCheck check;
    QSignalSpy succeeded(&check, &AccountCheck::succeeded);
    check.start(m_server.url(), token);
    if (!succeeded.wait(10000))
        return {u"(no answer)"_s};
    return succeeded.first().first().value<AccountInfo>().workspaces;
}

void TestAccountUi::confirm(const char *box, const char *button)
{
    QWidget *dialog = nullptr;
    QTRY_VERIFY((dialog = topLevel(box)));
    QTest::mouseClick(child<QPushButton>(*dialog, button), Qt::LeftButton);
}

void TestAccountUi::devicesListedAndOneRevoked()
{
    const QString laptop = signIn(u"dana"_s, u"Dana's laptop"_s);
    const QString phone = signIn(u"dana"_s, u"Dana's phone"_s);
    QVERIFY(!laptop.isEmpty() && !phone.isEmpty());

    DevicesDialog dialog(m_server.url(), laptop, QString());
    dialog.show();
    auto *list = child<QTreeWidget>(dialog, "deviceList");
    QTRY_COMPARE(list->topLevelItemCount(), 2);
    QTreeWidgetItem *self = list->topLevelItem(0);
    QTreeWidgetItem *other = list->topLevelItem(1);
    QCOMPARE(self->text(0), u"Dana's laptop (this device)"_s);
    QCOMPARE(other->text(0), u"Dana's phone"_s);
    QVERIFY(!other->text(1).isEmpty());

    auto *revoke = child<QPushButton>(dialog, "revokeButton");
    QVERIFY(!revoke->isEnabled()); // nothing chosen yet
    list->setCurrentItem(other);
    QVERIFY(revoke->isEnabled());
    QCOMPARE(meStatus(phone), 200);
    QTest::mouseClick(revoke, Qt::LeftButton);
    confirm("revokeConfirmation", "confirmRevokeButton");
    QTRY_COMPARE(list->topLevelItemCount(), 1);
    QCOMPARE(list->topLevelItem(0)->text(0), u"Dana's laptop (this device)"_s);
    QCOMPARE(meStatus(phone), 401);
    QCOMPARE(meStatus(laptop), 200);

    // Cancelling the question revokes nothing.
    list->setCurrentItem(list->topLevelItem(0));
    QTest::mouseClick(revoke, Qt::LeftButton);
    QWidget *box = nullptr;
    QTRY_VERIFY((box = topLevel("revokeConfirmation")));
    qobject_cast<QMessageBox *>(box)->button(QMessageBox::Cancel)->click();
    QTest::qWait(200);
    QCOMPARE(meStatus(laptop), 200);

    // Revoking this device says so and leaves it to the app to sign out.
    QSignalSpy signedOut(&dialog, &DevicesDialog::thisDeviceRevoked);
    QTest::mouseClick(revoke, Qt::LeftButton);
    confirm("revokeConfirmation", "confirmRevokeButton");
    QTRY_COMPARE(signedOut.size(), 1);
    QCOMPARE(meStatus(laptop), 401);
}

void TestAccountUi::signOutFromSettings()
{
    const QString token = signIn(u"emil"_s, u"Emil's desktop"_s);
    QVERIFY(!token.isEmpty());
    {
        TestDevice other(SyncConfig {m_server.url(), signIn(u"emil"_s, u"other"_s), u"emil"_s});
        QVERIFY(other.store().createRecord(u"Post"_s, {{u"title"_s, u"kept"_s}}));
        QVERIFY(other.sync().ok);
    }
    Options options;
    options.profile = u"emil-desktop"_s;
    options.server = m_server.url();
    options.token = token;
    DesktopApp app(options);
    QVERIFY(app.start());
    QWidget *window = topLevel("mainWindow");
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 1, 20000);

    child<QAction>(*window, "settingsAction")->trigger();
    QWidget *settings = nullptr;
    QTRY_VERIFY((settings = topLevel("settingsDialog")));
    const QString signedIn = child<QLabel>(*settings, "signedInLabel")->text();
    QVERIFY2(signedIn.contains(u"emil"_s) && signedIn.contains(m_server.url().host()),
             qPrintable(signedIn));
    QTest::mouseClick(child<QPushButton>(*settings, "signOutButton"), Qt::LeftButton);
    confirm("signOutConfirmation", "confirmSignOutButton");

    QTRY_VERIFY_WITH_TIMEOUT(topLevel("firstRunDialog"), 10000);
    QVERIFY(!topLevel("settingsDialog"));
    // Signed out, nothing is "synced": the status bar says so, and not "All changes synced".
    auto *bar = child<QWidget>(*window, "syncStatusBar");
    QTRY_COMPARE_WITH_TIMEOUT(child<QLabel>(*bar, "syncState")->text().section(u" — "_s, 0, 0),
                              u"Not signed in"_s, 20000);
    auto *pending = child<QLabel>(*bar, "pendingChanges");
    QVERIFY2(pending->isHidden() || pending->text() != u"All changes synced"_s,
             qPrintable(pending->text()));
    QCOMPARE(meStatus(token), 401); // revoked on the server
    TokenStore tokens {Profile(options.profile)};
    QSignalSpy read(&tokens, &TokenStore::tokenRead);
    tokens.read();
    QVERIFY(read.wait(5000));
    QCOMPARE(read.first().first().toString(), QString()); // and gone from here
    QVERIFY(!AppSettings(options.profile).isConfigured()); // the next start asks again
    QCOMPARE(countIn(options.profile), 1); // the records stay
}

void TestAccountUi::shareAsViewerThenRemove()
{
    const QString fay = signIn(u"fay"_s, u"Fay's laptop"_s);
    const QString gus = signIn(u"gus"_s, u"Gus's laptop"_s);
    QVERIFY(!fay.isEmpty() && !gus.isEmpty());
    QVERIFY(!workspacesOf(gus).contains(u"fay"_s));
    {
        TestDevice phone(SyncConfig {m_server.url(), fay, u"fay"_s});
        const QString file = phone.keepFile(QByteArray(3000, 'f'));
        phone.create(u"Attachment"_s, {{u"file"_s, file}, {u"name"_s, u"f.bin"_s}});
        SYNC_OK(phone);
    }

    ShareDialog dialog(m_server.url(), fay, QString(), u"fay"_s, u"fay"_s);
    dialog.show();
    auto *list = child<QTreeWidget>(dialog, "memberList");
    QTRY_COMPARE(list->topLevelItemCount(), 1);
    QVERIFY(dialog.canChange());
    QVERIFY(!child<QLabel>(dialog, "readOnlyNote")->isVisible());
    // The owner sees what the workspace keeps on the server.
    auto *storage = child<QLabel>(dialog, "storageUse");
    QTRY_VERIFY2(storage->text().contains(u"one attached file"_s), qPrintable(storage->text()));
    QVERIFY2(storage->text().contains(u"one record"_s)
                 && storage->text().contains(QLocale().formattedDataSize(3000)),
             qPrintable(storage->text()));
    QVERIFY(storage->isVisible());
    shot(&dialog, u"share-dialog-owner"_s);

    auto *add = child<QPushButton>(dialog, "addMemberButton");
    auto *role = child<QComboBox>(dialog, "shareRoleCombo");
    QTest::keyClicks(child<QLineEdit>(dialog, "shareUserEdit"), u"gus"_s);
    role->setCurrentIndex(role->findData(u"viewer"_s));
    QVERIFY(add->isEnabled());
    QTest::mouseClick(add, Qt::LeftButton);
    QTRY_COMPARE(list->topLevelItemCount(), 2);
    QCOMPARE(list->topLevelItem(1)->text(0), u"gus"_s);
    // Invited, not in: gus has no access until he accepts.
    QCOMPARE(list->topLevelItem(1)->text(1), u"Invited: can view"_s);
    QVERIFY(!workspacesOf(gus).contains(u"fay"_s));
    QTRY_VERIFY2(child<QLabel>(dialog, "shareStatus")->text().contains(u"once they accept"_s),
                 qPrintable(child<QLabel>(dialog, "shareStatus")->text()));
    shot(&dialog, u"share-dialog-invited"_s);
    ApiClient api;
    api.setServer(m_server.url(), gus);
    QCOMPARE(api.send("POST", u"/v1/invitations/fay"_s, gus).status, 200);
    QVERIFY(workspacesOf(gus).contains(u"fay"_s));
    dialog.refresh();
    QTRY_COMPARE(list->topLevelItem(1)->text(1), u"Can view"_s);

    // Gus sees who has access, but cannot change it.
    {
        ShareDialog theirs(m_server.url(), gus, QString(), u"fay"_s, u"gus"_s);
        theirs.show();
        QTRY_COMPARE(child<QTreeWidget>(theirs, "memberList")->topLevelItemCount(), 2);
        QVERIFY(!theirs.canChange());
        QVERIFY(!child<QLabel>(theirs, "storageUse")->isVisible());
        auto *note = child<QLabel>(theirs, "readOnlyNote");
        QVERIFY(note->isVisible());
        QVERIFY2(note->text().contains(u"fay"_s), qPrintable(note->text()));
        QVERIFY(!child<QPushButton>(theirs, "addMemberButton")->isVisible());
        QVERIFY(!child<QPushButton>(theirs, "removeMemberButton")->isVisible());
    }

    // A name with no account is refused with the server's reason, and nothing changes.
    QTest::keyClicks(child<QLineEdit>(dialog, "shareUserEdit"), u"nobody"_s);
    QTest::mouseClick(add, Qt::LeftButton);
    auto *error = child<QLabel>(dialog, "shareError");
    QTRY_VERIFY(error->isVisible());
    QCOMPARE(list->topLevelItemCount(), 2);

    list->setCurrentItem(list->topLevelItem(1));
    QTest::mouseClick(child<QPushButton>(dialog, "removeMemberButton"), Qt::LeftButton);
    confirm("removeMemberConfirmation", "confirmRemoveButton");
    QTRY_COMPARE(list->topLevelItemCount(), 1);
    QVERIFY(!workspacesOf(gus).contains(u"fay"_s));
}

void TestAccountUi::signInWithAPasswordFromTheFirstRun()
{
    const QString other = signIn(u"hana"_s, u"Hana's phone"_s);
    {
        TestDevice phone(SyncConfig {m_server.url(), other, u"hana"_s});
        QVERIFY(phone.store().createRecord(u"Post"_s, {{u"title"_s, u"from the phone"_s}}));
        QVERIFY(phone.sync().ok);
    }
    // What the server says to a wrong password, asked directly.
    AccountClient direct;
    direct.setServer(m_server.url());
    QSignalSpy refused(&direct, &AccountClient::failed);
    direct.signIn(u"hana"_s, u"not her password"_s, u"probe"_s);
    QVERIFY(refused.wait(10000));
    const QString serverSays = refused.first().first().value<Error>().message;
    QVERIFY(!serverSays.isEmpty());

    Options options;
    options.profile = u"hana-desktop"_s;
    DesktopApp app(options);
    QVERIFY(app.start());
    QWidget *dialog = nullptr;
    QTRY_VERIFY((dialog = topLevel("firstRunDialog")));
    QTest::keyClicks(child<QLineEdit>(*dialog, "serverUrlEdit"), m_server.url().toString());
    QTest::keyClicks(child<QLineEdit>(*dialog, "userEdit"), u"hana"_s);
    auto *password = child<QLineEdit>(*dialog, "passwordEdit");
    QTest::keyClicks(password, u"not her password"_s);
    auto *next = child<QPushButton>(*dialog, "continueButton");
    QTest::mouseClick(next, Qt::LeftButton);
    auto *error = child<QLabel>(*dialog, "errorLabel");
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QCOMPARE(error->text(), serverSays);
    QVERIFY(dialog->isVisible());
    QCOMPARE(countIn(options.profile), 0);

    password->clear();
    QTest::keyClicks(password, Password);
    QTRY_VERIFY(next->isEnabled());
    QTest::mouseClick(next, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!topLevel("firstRunDialog"), 10000);
    QTRY_COMPARE_WITH_TIMEOUT(countIn(options.profile), 1, 20000);
    AppSettings settings(options.profile);
    QCOMPARE(settings.workspace(), u"hana"_s);
    QCOMPARE(settings.userName(), u"hana"_s);

    // A device of its own, named after this computer, with the token kept here.
    TokenStore tokens {Profile(options.profile)};
    QSignalSpy read(&tokens, &TokenStore::tokenRead);
    tokens.read();
    QVERIFY(read.wait(5000));
    const QString token = read.first().first().toString();
    QVERIFY(token != other);
    AccountClient client;
    client.setServer(m_server.url(), token);
    QSignalSpy listed(&client, &AccountClient::devicesListed);
    client.listDevices();
    QVERIFY(listed.wait(10000));
    const auto devices = listed.first().first().value<QList<DeviceInfo>>();
    const auto self = std::find_if(devices.begin(), devices.end(),
                                   [](const DeviceInfo &d) { return d.current; });
    QVERIFY(self != devices.end());
    QCOMPARE(self->name, QSysInfo::machineHostName());
}

void TestAccountUi::createAnAccountFromTheFirstRun()
{
    Options options;
    options.profile = u"ivy-desktop"_s;
    DesktopApp app(options);
    QVERIFY(app.start());
    QWidget *dialog = nullptr;
    QTRY_VERIFY((dialog = topLevel("firstRunDialog")));
    QTest::keyClicks(child<QLineEdit>(*dialog, "serverUrlEdit"), m_server.url().toString());
    QTest::keyClicks(child<QLineEdit>(*dialog, "userEdit"), u"ivy"_s);
    QTest::keyClicks(child<QLineEdit>(*dialog, "passwordEdit"), Password);
    auto *create = child<QPushButton>(*dialog, "createAccountButton");
    auto *error = child<QLabel>(*dialog, "errorLabel");

    // Closed by the administrator: said plainly, and no account is made.
    QCOMPARE(m_server.runAdmin({u"registration"_s, u"close"_s}).exitCode, 0);
    QTest::mouseClick(create, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(error->isVisible(), 10000);
    QVERIFY2(error->text().contains(u"closed registration"_s), qPrintable(error->text()));
    QVERIFY(dialog->isVisible());

    QCOMPARE(m_server.runAdmin({u"registration"_s, u"open"_s}).exitCode, 0);
    QTRY_VERIFY(create->isEnabled());
    QTest::mouseClick(create, Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!topLevel("firstRunDialog"), 10000);
    AppSettings settings(options.profile);
    QCOMPARE(settings.workspace(), u"ivy"_s);
    QCOMPARE(settings.userName(), u"ivy"_s);
    QWidget *window = topLevel("mainWindow");
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(
        child<QLabel>(*child<QWidget>(*window, "syncStatusBar"), "syncState")->text(), u"Synced"_s,
        20000);
}

QTEST_MAIN(TestAccountUi)
#include "tst_accountui.moc"
