// Journeys: the whole desktop app (DesktopApp with its main window, editor and dialogs, on
// the bundled local server) driven the way a person goes through it, with keyboard and mouse
// on widgets found by objectName. Each journey is a path on which the app once lost or
// garbled what someone did; its test failed before the fix.
#include "apiclient.h"
#include "clirun.h"
#include "desktopapp.h"
#include "desktopapptest.h"
#include "faultproxy.h"
#include "serverprocess.h"
#include "testdevice.h"
#include "widgetfinder.h"

#include "blobstore.h"
#include "editor/blobfieldeditor.h"

#include <QAbstractItemModel>
#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDesktopServices>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileInfo>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListView>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>
#include <QTreeWidget>

using namespace Ferry;
using namespace FerryDesktop;
using namespace FerryTest;
using namespace FerryTest::DesktopAppTest;
using namespace Qt::StringLiterals;

namespace {

// Stands in for the system's viewer: QDesktopServices hands it the URLs it would open.
class UrlCatcher : public QObject
{
    Q_OBJECT

public:
    QList<QUrl> urls;

public Q_SLOTS:
    void open(const QUrl &url) { urls.append(url); }
};

// Clicks the kind of record titled `title` (e.g. "Tags") in the sidebar.
bool showKind(QWidget &window, const QString &title)
{
    auto *sidebar = child<QListView>(window, "entityList");
    const QAbstractItemModel *model = sidebar->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        const QString shown = index.data().toString(); // "Tags (3)"
        if (shown == title || shown.startsWith(title + u" ("_s)) {
            QTest::mouseClick(sidebar->viewport(), Qt::LeftButton, {},
                              sidebar->visualRect(index).center());
            return true;
        }
    }
    return false;
}

// Types `text` as a person does: keys for ASCII, and what a keyboard of another script (or
// an input method) sends for the rest, a key event carrying the text.
void typeText(QWidget *widget, const QString &text)
{
    for (const QChar c : text) {
        if (c.unicode() < 0x80)
            QTest::keyClicks(widget, QString(c));
        else
            QTest::sendKeyEvent(QTest::Click, widget, Qt::Key_unknown, QString(c), {});
    }
}

// Clicks New and types `text` into the new record's line field `field`, then Enter.
bool newRecordWith(QWidget &window, const char *field, const QString &text)
{
    QTest::mouseClick(child<QToolButton>(window, "newButton"), Qt::LeftButton);
    auto *input = window.findChild<QLineEdit *>(u"field_"_s + QLatin1String(field));
    if (!input || !input->isVisible())
        return false;
    input->setFocus();
    typeText(input, text);
    QTest::keyClick(input, Qt::Key_Return);
    return true;
}

// The row of the record list whose title (column 1; 0 is the sync state) is `title`;
// invalid if there is none.
QModelIndex rowTitled(const QAbstractItemView &table, const QString &title)
{
    const QAbstractItemModel *model = table.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 1);
        if (index.data().toString() == title)
            return index;
    }
    return {};
}

// Deletes the record titled `title` with the Delete key on the list; false if none is.
bool deleteTitled(QAbstractItemView &table, const QString &title)
{
    const QModelIndex index = rowTitled(table, title);
    if (!index.isValid())
        return false;
    table.setFocus();
    table.setCurrentIndex(index);
    QTest::keyClick(&table, Qt::Key_Delete);
    return true;
}

// Starts the app and waits for its main window; nullptr if it did not come.
QWidget *startWindow(DesktopApp &app)
{
    if (!app.start())
        return nullptr;
    QWidget *window = nullptr;
    const bool shown = QTest::qWaitFor(
        [&window] { return (window = topLevel("mainWindow")) != nullptr; }, 20000);
    return shown ? window : nullptr;
}

QStringList valuesOf(const QString &profile, const QString &entity, const QString &field)
{
    QStringList values;
    for (const LocalRecord &record : recordsIn(profile, entity))
        values.append(record.fields.value(field).toString());
    values.sort();
    return values;
}

} // namespace

class TestJourneys : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void typingAfterSwitchingKindIsKept_data();
    void typingAfterSwitchingKindIsKept();
    void longUnbrokenTitleKeepsTheWindowOnScreen();
    void smallWindowKeepsTheListUsable();
    void statusSaysWhatIsWaiting();
    void serverGoneIsShownWithoutASync();
    void keyboardAlone();
    void attachingAFileFillsItsDetails();
    void photoFromThePhoneOpensOnTheDesktop();
    void longDownloadShowsItsProgressAndStops();
    void undoAndRedoEdits();
    void listIsInOrderOfNames();
    void movingToAnAccountKeepsTheRecords();
    void otherDeviceHasOneName();
    void trashBringsRecordsBack();

private:
    static QString statusText(QWidget &window, const char *label);
    QTemporaryDir m_home;
};

void TestJourneys::initTestCase()
{
    QVERIFY(m_home.isValid());
    useHome(m_home, u"ferry-journeys"_s);
    qputenv("FERRY_SERVER", FERRY_SERVER_PATH); // the bundled local server, as built
}

void TestJourneys::typingAfterSwitchingKindIsKept_data()
{
    QTest::addColumn<bool>("postFirst");
    QTest::newRow("a post, then a tag") << true;
    QTest::newRow("a tag, then a post") << false;
}

// Open a record of one kind, switch the sidebar to another kind and make a new record
// there: the form is the new kind's, and what is typed into it is saved.
void TestJourneys::typingAfterSwitchingKindIsKept()
{
    QFETCH(bool, postFirst);
    Options options;
    options.profile = postFirst ? u"switch-post-first"_s : u"switch-tag-first"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);

    struct Step
    {
        QString kind;
        QString entity;
        const char *field;
        QString text;
    };
    QList<Step> steps {{u"Posts"_s, u"Post"_s, "title", u"A post about tags"_s},
                       {u"Tags"_s, u"Tag"_s, "name", u"urgent"_s}};
    if (!postFirst)
        std::swap(steps[0], steps[1]);
    for (const Step &step : steps) {
        QVERIFY2(showKind(*window, step.kind), qPrintable(step.kind));
        QVERIFY2(newRecordWith(*window, step.field, step.text),
                 qPrintable(u"no field %1 in the form for a new %2"_s.arg(QLatin1String(step.field),
                                                                          step.entity)));
    }
    for (const Step &step : steps)
        QTRY_COMPARE(valuesOf(options.profile, step.entity, QLatin1String(step.field)),
                     QStringList {step.text});
}

// A title of 3,000 characters without a space: the window keeps its size (the title is
// cut short where it is shown), before and after another record is picked.
void TestJourneys::longUnbrokenTitleKeepsTheWindowOnScreen()
{
    Options options;
    options.profile = u"long-title"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    window->resize(1000, 700);
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"short"_s));
    QVERIFY(newRecordWith(*window, "title", QString(3000, u'x')));
    QTRY_COMPARE(recordsIn(options.profile).size(), 2);
    QTest::qWait(50); // let layouts settle
    const auto fits = [window] {
        return window->width() <= 1000 && window->minimumSizeHint().width() <= 1000
            && window->findChild<QWidget *>(u"mainToolbar"_s)->width() <= window->width();
    };
    QVERIFY2(fits(),
             qPrintable(u"the window is %1 px wide, at least %2"_s.arg(window->width())
                            .arg(window->minimumSizeHint().width())));
    // Pick the short one in the list.
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    const QModelIndex shortOne = rowTitled(*table, u"short"_s);
    QVERIFY(shortOne.isValid());
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(shortOne).center());
    auto *title = window->findChild<QLineEdit *>(u"field_title"_s);
    QTRY_COMPARE(title->text(), u"short"_s);
    QTest::qWait(50);
    QVERIFY2(fits(),
             qPrintable(u"the window is %1 px wide, at least %2"_s.arg(window->width())
                            .arg(window->minimumSizeHint().width())));
    shot(window, u"long-title"_s);
}

// At 800×500 with a record open the list stays wide enough to read titles, and the state
// badge changing its words ("Waiting to sync", "Synced") moves nothing.
void TestJourneys::smallWindowKeepsTheListUsable()
{
    Options options;
    options.profile = u"small-window"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    window->resize(800, 500);
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"A post"_s));
    QTest::qWait(50);
    auto *table = child<QWidget>(*window, "recordTable");
    QVERIFY2(table->width() >= 200, qPrintable(u"the list is %1 px wide"_s.arg(table->width())));
    QCOMPARE(window->width(), 800);

    auto *editor = child<QWidget>(*window, "recordEditor");
    auto *state = child<QLabel>(*editor, "syncState");
    QTRY_COMPARE_WITH_TIMEOUT(state->text(), u"Synced"_s, 20000);
    const int x = editor->mapTo(window, QPoint()).x();
    auto *rating = window->findChild<QLineEdit *>(u"field_rating"_s);
    QVERIFY(rating);
    rating->setFocus();
    QTest::keyClicks(rating, u"4"_s);
    QTest::keyClick(rating, Qt::Key_Return);
    QTRY_VERIFY(state->text() != u"Synced"_s || editor->mapTo(window, QPoint()).x() != x);
    QCOMPARE(editor->mapTo(window, QPoint()).x(), x);
    QTRY_COMPARE_WITH_TIMEOUT(state->text(), u"Synced"_s, 20000);
    QCOMPARE(editor->mapTo(window, QPoint()).x(), x);
    shot(window, u"small-800x500"_s);
}

// Records made on the bundled local server, then Settings → Use a server… → an account:
// the person is offered to bring the records along, and they reach the account's workspace
// and its server. ferry-cli on the same profile sees the same workspace and records.
void TestJourneys::movingToAnAccountKeepsTheRecords()
{
    Options options;
    options.profile = u"moving-in"_s;
    options.localServer = true;
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"made before the account"_s));
    QVERIFY(newRecordWith(*window, "title", u"also made before"_s));
    QVERIFY(showKind(*window, u"Tags"_s));
    QVERIFY(newRecordWith(*window, "name", u"kept-tag"_s));
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "pendingChanges"), u"All changes synced"_s,
                              20000);

    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(u"ines"_s);
    child<QAction>(*window, "settingsAction")->trigger();
    QWidget *settings = nullptr;
    QTRY_VERIFY((settings = topLevel("settingsDialog")));
    QTest::mouseClick(child<QPushButton>(*settings, "signInAgainButton"), Qt::LeftButton);
    QWidget *firstRun = nullptr;
    QTRY_VERIFY((firstRun = topLevel("firstRunDialog")));
    QTest::mouseClick(child<QRadioButton>(*firstRun, "serverChoice"), Qt::LeftButton);
    QTest::mouseClick(child<QRadioButton>(*firstRun, "tokenWay"), Qt::LeftButton);
    auto *url = child<QLineEdit>(*firstRun, "serverUrlEdit");
    url->clear();
    QTest::keyClicks(url, server.url().toString());
    QTest::keyClicks(child<QLineEdit>(*firstRun, "tokenEdit"), token);
    QTest::mouseClick(child<QPushButton>(*firstRun, "continueButton"), Qt::LeftButton);

    // Asked, not moved behind the person's back.
    QWidget *question = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((question = topLevel("bringRecordsQuestion")), 20000);
    const QString asked = static_cast<QMessageBox *>(question)->text();
    QVERIFY2(asked.contains(u"3 records"_s) && asked.contains(u"ines"_s), qPrintable(asked));
    window = topLevel("mainWindow");
    QVERIFY(window);
    QVERIFY(window->windowTitle().contains(u"ines"_s));
    shot(question, u"bring-records-question"_s);
    QTest::mouseClick(child<QPushButton>(*question, "bringRecordsButton"), Qt::LeftButton);

    // In the window, in the account's workspace, and on its server.
    QVERIFY(showKind(*window, u"Posts"_s));
    QTRY_COMPARE_WITH_TIMEOUT(
        window->findChild<QAbstractItemView *>(u"recordTable"_s)->model()->rowCount(), 2, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "pendingChanges"), u"All changes synced"_s,
                              20000);
    const QAbstractItemModel *kinds = child<QListView>(*window, "entityList")->model();
    QTRY_COMPARE_WITH_TIMEOUT(kinds->index(0, 0).data().toString(), u"Posts (2)"_s, 10000);
    shot(window, u"moved-to-account"_s);
    QTemporaryDir other;
    QCOMPARE(runCli(other.path(),
                    {u"login"_s, u"--server"_s, server.url().toString(), u"--token"_s,
                     server.createToken(u"ines"_s)})
                 .exitCode,
             0);
    QCOMPARE(runCli(other.path(), {u"sync"_s}).exitCode, 0);
    const CliRun listed = runCli(other.path(), {u"list"_s, u"Post"_s});
    QVERIFY2(listed.out.contains(u"made before the account"_s)
                 && listed.out.contains(u"also made before"_s),
             qPrintable(listed.out));
    QVERIFY(runCli(other.path(), {u"list"_s, u"Tag"_s}).out.contains(u"kept-tag"_s));

    // ferry-cli on this very profile: the same workspace, records and token.
    const QString folder = Profile(options.profile).folder();
    const QJsonObject status = runCli(folder, {u"status"_s, u"--json"_s}).json().toObject();
    QCOMPARE(status.value(u"workspace"_s).toString(), u"ines"_s);
    QCOMPARE(status.value(u"records"_s).toObject().value(u"Post"_s).toInt(), 2);
    QCOMPARE(runCli(folder, {u"sync"_s}).exitCode, 0);
}

// A change from another device of the same person, in conflict with one made here: the
// merge dialog names that device as Settings → Devices… lists it (the name it was given at
// sign-in), not by a host name of its own. Each kind of conflict: both edited, edited here
// and deleted there, deleted here and edited there.
void TestJourneys::otherDeviceHasOneName()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    ApiClient api;
    api.setServer(server.url(), {});
    QCOMPARE(api.send("POST", u"/v1/accounts"_s, {},
                      R"({"user": "ines", "password": "a long enough password"})")
                 .status,
             201);
    const auto signIn = [&api](const QString &device) {
        return api
            .send("POST", u"/v1/sessions"_s, {},
                  QJsonDocument(QJsonObject {{u"user"_s, u"ines"_s},
                                             {u"password"_s, u"a long enough password"_s},
                                             {u"device"_s, device}})
                      .toJson())
            .json.value(u"token"_s)
            .toString();
    };
    const QString phoneName = u"Ines’s phone"_s;
    TestDevice phone({server.url(), signIn(phoneName), u"ines"_s});
    Options options;
    options.profile = u"one-name"_s;
    options.server = server.url();
    options.token = signIn(u"Ines’s desktop"_s);
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);

    const QString edited
        = phone.create(u"Post"_s, {{u"title"_s, u"Shopping"_s}, {u"body"_s, u"milk"_s}});
    const QString deleted = phone.create(u"Post"_s, {{u"title"_s, u"Old plans"_s}});
    const QString deletedHere = phone.create(u"Post"_s, {{u"title"_s, u"Packing list"_s}});
    SYNC_OK(phone);
    auto *sync = child<QAction>(*window, "syncAction");
    sync->trigger();
    QVERIFY(showKind(*window, u"Posts"_s));
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 3, 20000);
    SYNC_OK(phone);

    // Syncing paused here (Settings), the same records change on both sides.
    child<QAction>(*window, "settingsAction")->trigger();
    QWidget *settings = nullptr;
    QTRY_VERIFY((settings = topLevel("settingsDialog")));
    QTest::mouseClick(child<QCheckBox>(*settings, "pauseCheck"), Qt::LeftButton);
    QTest::mouseClick(child<QPushButton>(*settings, "okButton"), Qt::LeftButton);
    QTRY_VERIFY(!topLevel("settingsDialog"));
    // The same records changed here, in the editor.
    const auto editHere = [&](const QString &title, const char *field, const QString &text) {
        const QModelIndex index = rowTitled(*table, title);
        if (!index.isValid())
            return false;
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, table->visualRect(index).center());
        auto *input = window->findChild<QWidget *>(u"field_"_s + QLatin1String(field));
        if (!input)
            return false;
        input->setFocus();
        if (auto *line = qobject_cast<QLineEdit *>(input))
            line->selectAll();
        else
            QTest::keySequence(input, QKeySequence::SelectAll);
        QTest::keyClicks(input, text);
        QTest::keyClick(input, Qt::Key_Tab);
        return true;
    };
    QVERIFY(editHere(u"Shopping"_s, "body", u"milk, eggs"_s));
    QVERIFY(editHere(u"Old plans"_s, "title", u"New plans"_s));
    QVERIFY(deleteTitled(*table, u"Packing list"_s));
    QTRY_COMPARE(table->model()->rowCount(), 2);
    phone.edit(edited, {{u"body"_s, u"milk, bread"_s}});
    QVERIFY(phone.store().deleteRecord(deleted));
    phone.edit(deletedHere, {{u"body"_s, u"socks, map"_s}});
    SYNC_OK(phone);
    sync->trigger(); // paused, a sync asked for still runs
    auto *conflicts = child<QAction>(*window, "conflictsAction");
    QTRY_COMPARE_WITH_TIMEOUT(conflicts->text(), u"&Conflicts (3)"_s, 20000);

    conflicts->trigger();
    auto *list = child<QAbstractItemView>(*window, "conflictList");
    QTRY_COMPARE(list->model()->rowCount(), 3);
    QStringList kinds;
    for (int row = 0; row < 3; ++row) {
        list->setFocus();
        list->setCurrentIndex(list->model()->index(row, 0));
        QTest::keyClick(list, Qt::Key_Return);
        QWidget *dialog = nullptr;
        QTRY_VERIFY((dialog = topLevel("mergeDialog")));
        const QString who = child<QLabel>(*dialog, "headerProvenance")->text();
        QVERIFY2(who.contains(phoneName), qPrintable(who));
        auto *question = dialog->findChild<QLabel *>(u"deleteQuestionText"_s);
        const QString kind = !question                               ? u"fields"_s
            : question->text().startsWith(u"Deleted on the other"_s) ? u"deleted-there"_s
                                                                     : u"deleted-here"_s;
        kinds.append(kind);
        shot(dialog, u"merge-"_s + kind);
        QTest::keyClick(dialog, Qt::Key_Escape);
        QTRY_VERIFY(!topLevel("mergeDialog"));
    }
    kinds.sort();
    QCOMPARE(kinds, (QStringList {u"deleted-here"_s, u"deleted-there"_s, u"fields"_s}));

    child<QAction>(*window, "settingsAction")->trigger();
    QTRY_VERIFY((settings = topLevel("settingsDialog")));
    QTest::mouseClick(child<QPushButton>(*settings, "devicesButton"), Qt::LeftButton);
    QWidget *devices = nullptr;
    QTRY_VERIFY((devices = topLevel("devicesDialog")));
    auto *deviceList = child<QAbstractItemView>(*devices, "deviceList");
    QTRY_COMPARE_WITH_TIMEOUT(deviceList->model()->rowCount(), 2, 10000);
    QStringList names;
    for (int row = 0; row < 2; ++row)
        names.append(deviceList->model()->index(row, 0).data().toString());
    QVERIFY2(names.filter(phoneName).size() == 1, qPrintable(names.join(u" | "_s)));
    shot(devices, u"devices"_s);
}

// Records deleted with the Delete key (titles in other scripts), found again in Records →
// Trash… and restored from there; the restore is a change like any other and is synced.
void TestJourneys::trashBringsRecordsBack()
{
    Options options;
    options.profile = u"trash"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QVERIFY(showKind(*window, u"Posts"_s));
    const QStringList titles {u"Привет, мир"_s, u"東京の予定"_s, u"مرحبا بالعالم"_s};
    for (const QString &title : titles)
        QVERIFY(newRecordWith(*window, "title", title));
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    QTRY_COMPARE(table->model()->rowCount(), 3);
    for (const QString &gone : {titles.at(0), titles.at(1)})
        QVERIFY(deleteTitled(*table, gone));
    QTRY_COMPARE(table->model()->rowCount(), 1);

    child<QAction>(*window, "trashAction")->trigger();
    QWidget *trash = nullptr;
    QTRY_VERIFY((trash = topLevel("trashDialog")));
    auto *list = child<QTreeWidget>(*trash, "trashList");
    QStringList listed;
    for (int row = 0; row < list->topLevelItemCount(); ++row)
        listed.append(list->topLevelItem(row)->text(0));
    listed.sort();
    QStringList expected {titles.at(0), titles.at(1)};
    expected.sort();
    QCOMPARE(listed, expected);
    QCOMPARE(child<QLabel>(*trash, "trashSummary")->text(), u"2 deleted records."_s);
    shot(trash, u"trash"_s);
    auto *restore = child<QPushButton>(*trash, "restoreButton");
    QVERIFY(!restore->isEnabled()); // nothing chosen yet
    for (int row = 0; row < list->topLevelItemCount(); ++row) {
        if (list->topLevelItem(row)->text(0) == titles.at(1))
            list->setCurrentItem(list->topLevelItem(row));
    }
    QVERIFY(restore->isEnabled());
    QTest::mouseClick(restore, Qt::LeftButton);
    QTRY_COMPARE(list->topLevelItemCount(), 1);
    QCOMPARE(list->topLevelItem(0)->text(0), titles.at(0));
    QTRY_COMPARE(table->model()->rowCount(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "pendingChanges"), u"All changes synced"_s,
                              20000);
    QStringList kept = valuesOf(options.profile, u"Post"_s, u"title"_s);
    expected = {titles.at(1), titles.at(2)};
    expected.sort();
    QCOMPARE(kept, expected);
}

QString TestJourneys::statusText(QWidget &window, const char *label)
{
    auto *bar = child<QWidget>(window, "syncStatusBar");
    auto *shown = child<QLabel>(*bar, label);
    return shown->isVisible() ? shown->text() : QString();
}

// An edit not sent yet: the status bar says so on both sides ("Waiting to sync" and "1
// change waiting to sync"), never "Synced" beside it; once sent, both say synced.
void TestJourneys::statusSaysWhatIsWaiting()
{
    Options options;
    options.profile = u"status-waiting"_s;
    options.localServer = true;
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"not sent yet"_s));
    const QString pending = statusText(*window, "pendingChanges");
    QVERIFY2(pending == u"All changes synced"_s || statusText(*window, "syncState") != u"Synced"_s,
             qPrintable(u"\"Synced\" beside \"%1\""_s.arg(pending)));
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QCOMPARE(statusText(*window, "pendingChanges"), u"All changes synced"_s);
}

// Signed in and idle, the server stops: the app notices (its live connection drops) and
// says it cannot reach the server, instead of "Synced" until the next sync happens to run.
// A record written meanwhile waits, and goes out by itself once the server is back.
void TestJourneys::serverGoneIsShownWithoutASync()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    Options options;
    options.profile = u"server-gone"_s;
    options.server = server.url();
    options.token = server.createToken(u"ines"_s);
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(!statusText(*window, "liveUpdates").isEmpty(), 20000);
    QVERIFY(server.terminate());
    QTRY_VERIFY_WITH_TIMEOUT(statusText(*window, "syncState").startsWith(u"Offline"_s)
                                 || statusText(*window, "syncState").startsWith(u"Sync problem"_s),
                             20000);
    shot(window, u"offline"_s);

    // Offline, work goes on and waits; when the server is back the app catches up by itself.
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"written offline"_s));
    QTRY_VERIFY(statusText(*window, "pendingChanges").contains(u"waiting"_s));
    QVERIFY2(server.restart(), qPrintable(server.lastError()));
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "pendingChanges"), u"All changes synced"_s,
                              60000);
    // The changes are on the server once the push is answered; the pull after it may
    // still be running.
    QTRY_COMPARE_WITH_TIMEOUT(statusText(*window, "syncState"), u"Synced"_s, 20000);
    QTemporaryDir other;
    QCOMPARE(runCli(other.path(),
                    {u"login"_s, u"--server"_s, server.url().toString(), u"--token"_s,
                     server.createToken(u"ines"_s)})
                 .exitCode,
             0);
    QCOMPARE(runCli(other.path(), {u"sync"_s}).exitCode, 0);
    QVERIFY(runCli(other.path(), {u"list"_s, u"Post"_s}).out.contains(u"written offline"_s));
}

// New, type, find, leave the list with Tab and delete with the Delete key: all from the
// keyboard, with the search saying how many records match.
void TestJourneys::keyboardAlone()
{
    Options options;
    options.profile = u"keyboard"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QApplication::setActiveWindow(window);
    QVERIFY(QTest::qWaitForWindowActive(window));
    QVERIFY(showKind(*window, u"Posts"_s));
    for (const QString &title : {u"Alpha"_s, u"Beta"_s}) {
        QTest::keySequence(window, QKeySequence::New);
        QWidget *focused = QApplication::focusWidget();
        QVERIFY2(focused && focused->objectName() == u"field_title"_s,
                 qPrintable(u"New left the focus on %1"_s.arg(focused ? focused->objectName()
                                                                      : u"nothing"_s)));
        QTest::keyClicks(focused, title);
        QTest::keyClick(focused, Qt::Key_Return);
    }
    QTRY_COMPARE(recordsIn(options.profile).size(), 2);

    QTest::keySequence(window, QKeySequence::Find);
    auto *search = child<QLineEdit>(*window, "searchField");
    QCOMPARE(QApplication::focusWidget(), search);
    QTest::keyClicks(search, u"zzz"_s);
    auto *result = child<QLabel>(*window, "searchResult");
    QTRY_COMPARE(result->text(), u"No matches"_s);
    QVERIFY(result->isVisible());
    search->selectAll();
    QTest::keyClicks(search, u"Alp"_s);
    QTRY_COMPARE(result->text(), u"1 of 2"_s);
    search->selectAll();
    QTest::keyClick(search, Qt::Key_Backspace);
    QTRY_VERIFY(!result->isVisible());

    auto *table = child<QAbstractItemView>(*window, "recordTable");
    table->setFocus();
    QTRY_COMPARE(table->model()->rowCount(), 2);
    table->setCurrentIndex(table->model()->index(0, 1));
    QTest::keyClick(table, Qt::Key_Tab);
    QVERIFY2(QApplication::focusWidget() != table, "Tab stays in the list");
    table->setFocus();
    const QString doomed = table->currentIndex().siblingAtColumn(1).data().toString();
    QTest::keyClick(table, Qt::Key_Delete);
    QTRY_COMPARE(recordsIn(options.profile).size(), 1);
    QVERIFY(recordsIn(options.profile).first().fields.value(u"title"_s).toString() != doomed);
    QVERIFY(child<QWidget>(*window, "undoBanner")->isVisible());
}

// A new attachment: choosing its file fills the name, type and size, and the list shows the
// file as "File …", not as its "sha256:" id.
void TestJourneys::attachingAFileFillsItsDetails()
{
    Options options;
    options.profile = u"attach"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QVERIFY(showKind(*window, u"Attachments"_s));
    QTest::mouseClick(child<QToolButton>(*window, "newButton"), Qt::LeftButton);
    QTemporaryDir files;
    const QString path = files.filePath(u"minutes.txt"_s);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray(1234, 'm'));
    file.close();
    auto *picker = child<Ferry::Ui::BlobFieldEditor>(*window, "editor_file");
    QVERIFY2(picker->chooseFile(path), qPrintable(picker->lastError())); // as the file dialog does
    QTRY_COMPARE(recordsIn(options.profile, u"Attachment"_s).size(), 1);
    const LocalRecord record = recordsIn(options.profile, u"Attachment"_s).first();
    QCOMPARE(record.fields.value(u"name"_s).toString(), u"minutes.txt"_s);
    QCOMPARE(record.fields.value(u"mime"_s).toString(), u"text/plain"_s);
    QCOMPARE(record.fields.value(u"size"_s).toInteger(), 1234);
    QCOMPARE(child<QLineEdit>(*window, "field_name")->text(), u"minutes.txt"_s);
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    const QAbstractItemModel *model = table->model();
    for (int column = 0; column < model->columnCount(); ++column) {
        const QString cell = model->index(0, column).data().toString();
        QVERIFY2(!cell.contains(u"sha256:"_s), qPrintable(cell));
    }
    shot(window, u"attachments"_s);
}

// A photo attached on the phone: the desktop shows the record, says the file is not here yet
// and offers to download it; once downloaded it shows the picture, opens it with the
// system's viewer under its own name, and saves a copy elsewhere. A file dropped on the
// field goes to the phone the same way.
void TestJourneys::photoFromThePhoneOpensOnTheDesktop()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    TestDevice phone({server.url(), server.createToken(u"ines"_s), u"ines"_s});
    QImage picture(640, 400, QImage::Format_RGB32);
    picture.fill(QColor(0x2e, 0x7d, 0x32));
    for (int x = 0; x < 640; ++x)
        picture.setPixelColor(x, (x * 400) / 640, Qt::white);
    QTemporaryDir files;
    const QString taken = files.filePath(u"harbour.png"_s);
    QVERIFY(picture.save(taken));
    QFile takenFile(taken);
    QVERIFY(takenFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = takenFile.readAll();
    const QString blob = phone.keepFile(bytes);
    const QString guid = phone.create(u"Attachment"_s,
                                      {{u"name"_s, u"harbour.png"_s},
                                       {u"mime"_s, u"image/png"_s},
                                       {u"size"_s, bytes.size()},
                                       {u"file"_s, blob}});
    SYNC_OK(phone);

    Options options;
    options.profile = u"photo"_s;
    options.server = server.url();
    options.token = server.createToken(u"ines"_s);
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QVERIFY(showKind(*window, u"Attachments"_s));
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 20000);
    table->setCurrentIndex(table->model()->index(0, 1));
    auto *picker = child<Ferry::Ui::BlobFieldEditor>(*window, "editor_file");
    auto *name = child<QLabel>(*window, "field_file_name");
    QTRY_COMPARE(name->text(), u"harbour.png is not on this device yet."_s);
    auto *download = child<QPushButton>(*window, "field_file_fetch");
    QVERIFY(download->isVisible() && download->isEnabled());
    QVERIFY(!child<QPushButton>(*window, "field_file_open")->isVisible());
    shot(window, u"attachment-not-here"_s);

    QTest::mouseClick(download, Qt::LeftButton);
    auto *preview = child<QLabel>(*window, "field_file_preview");
    QTRY_VERIFY_WITH_TIMEOUT(preview->isVisible(), 20000);
    QVERIFY(name->text().startsWith(u"harbour.png · "_s));
    QVERIFY(!download->isVisible());
    QCOMPARE(preview->pixmap().width(), Ferry::Ui::BlobFieldEditor::kPreviewWidth);
    shot(window, u"attachment-image"_s);

    // Open: a copy under the file's own name goes to the system's viewer.
    QString openedPath;
    UrlCatcher viewer;
    QDesktopServices::setUrlHandler(u"file"_s, &viewer, "open");
    QSignalSpy opened(picker, &Ferry::Ui::BlobFieldEditor::opened);
    QTest::mouseClick(child<QPushButton>(*window, "field_file_open"), Qt::LeftButton);
    QDesktopServices::unsetUrlHandler(u"file"_s);
    QCOMPARE(opened.size(), 1);
    openedPath = opened.first().first().toString();
    QCOMPARE(QFileInfo(openedPath).fileName(), u"harbour.png"_s);
    QCOMPARE(viewer.urls, QList<QUrl> {QUrl::fromLocalFile(openedPath)});
    QFile openedFile(openedPath);
    QVERIFY(openedFile.open(QIODevice::ReadOnly));
    QCOMPARE(openedFile.readAll(), bytes);
    const QString saved = files.filePath(u"copy.png"_s);
    QVERIFY(picker->saveCopy(saved));
    QFile savedFile(saved);
    QVERIFY(savedFile.open(QIODevice::ReadOnly));
    QCOMPARE(savedFile.readAll(), bytes);

    // A file dropped on the field replaces it, and the phone can open the new one.
    const QString dropped = files.filePath(u"notes.txt"_s);
    QFile droppedFile(dropped);
    QVERIFY(droppedFile.open(QIODevice::WriteOnly));
    droppedFile.write("minutes of the harbour meeting\n");
    droppedFile.close();
    auto *mime = new QMimeData;
    mime->setUrls({QUrl::fromLocalFile(dropped)});
    QDragEnterEvent enter(QPoint(5, 5), Qt::CopyAction, mime, Qt::LeftButton, {});
    QApplication::sendEvent(picker, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(5, 5), Qt::CopyAction, mime, Qt::LeftButton, {});
    QApplication::sendEvent(picker, &drop);
    QVERIFY(drop.isAccepted());
    delete mime;
    child<QAction>(*window, "syncAction")->trigger();
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            return phone.sync().ok && phone.record(guid).fields.value(u"file"_s).toString() != blob;
        }(),
        20000);
    const QString newBlob = phone.record(guid).fields.value(u"file"_s).toString();
    QVERIFY(phone.fetch(newBlob).code.isEmpty());
    QFile onPhone(BlobStore::filePath(phone.blobFolder(), newBlob));
    QVERIFY(onPhone.open(QIODevice::ReadOnly));
    QCOMPARE(onPhone.readAll(), QByteArray("minutes of the harbour meeting\n"));
}

// A large file on a slow line: the editor shows how far the download is, the status bar says
// what is on its way once it has lasted a second, Cancel stops it (what arrived is kept), and
// Download again finishes it.
void TestJourneys::longDownloadShowsItsProgressAndStops()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    TestDevice phone({server.url(), server.createToken(u"ines"_s), u"ines"_s});
    QByteArray bytes(24 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < bytes.size(); ++i)
        bytes[i] = char((i * 2654435761u) >> 24);
    const QString blob = phone.keepFile(bytes);
    phone.create(u"Attachment"_s,
                 {{u"name"_s, u"survey.mp4"_s}, {u"size"_s, bytes.size()}, {u"file"_s, blob}});
    SYNC_OK(phone);

    FaultProxy proxy(server.port());
    QVERIFY(proxy.listen());
    Options options;
    options.profile = u"slow-line"_s;
    options.server = proxy.url();
    options.token = server.createToken(u"ines"_s);
    options.syncIntervalSeconds = 3600;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QVERIFY(showKind(*window, u"Attachments"_s));
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 1, 20000);
    table->setCurrentIndex(table->model()->index(0, 1));

    proxy.setFault("/blobs/sha256", FaultProxy::Fault::SlowResponse, 0, 1);
    auto *download = child<QPushButton>(*window, "field_file_fetch");
    QTRY_VERIFY(download->isVisible());
    QTest::mouseClick(download, Qt::LeftButton);
    auto *progress = child<QProgressBar>(*window, "field_file_progress");
    auto *cancel = child<QPushButton>(*window, "field_file_cancel");
    QVERIFY(progress->isVisible() && cancel->isVisible());
    auto *files = child<QLabel>(*window, "fileTransfers");
    QTRY_VERIFY_WITH_TIMEOUT(files->isVisible(), 5000);
    QVERIFY2(files->text().startsWith(u"Receiving files: "_s), qPrintable(files->text()));
    QTRY_VERIFY(progress->value() > 0);
    shot(window, u"attachment-downloading"_s);

    QTest::mouseClick(cancel, Qt::LeftButton);
    QTRY_VERIFY(download->isVisible());
    QVERIFY(!progress->isVisible());
    QTRY_VERIFY(!files->isVisible());
    const QString folder = Profile(options.profile).blobFolder();
    QVERIFY(!BlobStore::has(folder, blob));
    QVERIFY(QFileInfo(BlobStore::partPath(folder, blob)).size() > 0);

    QTest::mouseClick(download, Qt::LeftButton);
    auto *preview = child<QLabel>(*window, "field_file_name");
    QTRY_VERIFY_WITH_TIMEOUT(preview->text().startsWith(u"survey.mp4 · "_s), 20000);
    QFile kept(BlobStore::filePath(folder, blob));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), bytes);
}

// Edit > Undo puts back what a field held before an edit (also after moving to another
// record), Redo makes the edit again; both are saved like typing.
void TestJourneys::undoAndRedoEdits()
{
    Options options;
    options.profile = u"undo"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(newRecordWith(*window, "title", u"First"_s));
    auto *title = child<QLineEdit>(*window, "field_title");
    title->setFocus();
    title->selectAll();
    QTest::keyClicks(title, u"Second"_s);
    QTest::keyClick(title, Qt::Key_Return);
    QVERIFY(newRecordWith(*window, "title", u"Other"_s));
    const auto titles = [&] {
        return valuesOf(options.profile, u"Post"_s, u"title"_s);
    };
    QTRY_COMPARE(titles(), (QStringList {u"Other"_s, u"Second"_s}));

    auto *undo = child<QAction>(*window, "undoAction");
    auto *redo = child<QAction>(*window, "redoAction");
    QVERIFY(undo->isEnabled());
    undo->trigger(); // "Other" typed into the new record
    QTRY_COMPARE(titles(), (QStringList {QString(), u"Second"_s}));
    undo->trigger(); // back on the first record: "Second" -> "First"
    QTRY_COMPARE(titles(), (QStringList {QString(), u"First"_s}));
    QCOMPARE(title->text(), u"First"_s);
    QVERIFY(redo->isEnabled());
    redo->trigger();
    QTRY_COMPARE(titles(), (QStringList {QString(), u"Second"_s}));
    QCOMPARE(child<QLineEdit>(*window, "field_title")->text(), u"Second"_s);
}

// The list comes in order of the records' names, not in the order they happened to be
// stored.
void TestJourneys::listIsInOrderOfNames()
{
    Options options;
    options.profile = u"order"_s;
    options.localServer = true;
    DesktopApp app(options);
    QWidget *window = startWindow(app);
    QVERIFY(window);
    QVERIFY(showKind(*window, u"Tags"_s));
    for (const QString &name : {u"pear"_s, u"apple"_s, u"quince"_s, u"banana"_s})
        QVERIFY(newRecordWith(*window, "name", name));
    QVERIFY(showKind(*window, u"Posts"_s));
    QVERIFY(showKind(*window, u"Tags"_s));
    auto *table = child<QAbstractItemView>(*window, "recordTable");
    QStringList shown;
    for (int row = 0; row < table->model()->rowCount(); ++row)
        shown.append(table->model()->index(row, 1).data().toString());
    QCOMPARE(shown, (QStringList {u"apple"_s, u"banana"_s, u"pear"_s, u"quince"_s}));
}

QTEST_MAIN(TestJourneys)
#include "tst_journeys.moc"
