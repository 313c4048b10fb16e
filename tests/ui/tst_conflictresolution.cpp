// Conflicts from start to end, as people meet them: a desktop window and two more devices on
// a real ferry-server edit the same records at the same time; the person at the window
// settles the conflict through the merge dialog (or the conflicts panel, or a default
// policy), and every device ends up with the chosen result.
#include "desktopfixture.h"
#include "editor/recordeditor.h"
#include "merge/conflictlistmodel.h"
#include "merge/conflictspanel.h"
#include "merge/mergedialog.h"
#include "merge/policyresolver.h"
#include "models/recordfilterproxy.h"
#include "models/recordtablemodel.h"
#include "settings/appsettings.h"
#include "settings/settingsdialog.h"
#include "testdevice.h"
#include "tray/traycontroller.h"
#include "tray/trayicon.h"
#include "widgetfinder.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>
#include <QToolBar>
#include <QToolButton>
#include <QTreeView>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

const QString kBase = s("The quick brown fox jumps over the lazy dog.\nSecond line stays.\n");
const QString kMine = s("The quick red fox jumps over the lazy dog.\nSecond line stays.\n");
const QString kTheirs
    = s("The quick black fox jumps over the lazy dog.\nSecond line stays here.\n");

// The fields every device must agree on.
QJsonObject fieldsOf(const LocalRecord &record)
{
    QJsonObject fields = record.fields;
    fields.remove(s("tags"));
    fields.remove(s("attachments"));
    return fields;
}

} // namespace

class TestConflictResolution : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();
    void mergeThroughTheDialogConverges();
    void keepBothGivesTwoRecordsEverywhere();
    void editAgainstDeleteRestoresEverywhere();
    void conflictListFollowsTheStore();
    void trayOffersToResolve();
    void decideLaterSurvivesARestart();
    void applyToAllRemaining();
    void dialogSaysOtherRecordsWait();
    void defaultPolicyResolvesNewConflicts();

private:
    // Creates a post on the window's device and brings it to the other devices.
    QString sharedPost(const QJsonObject &fields);
    // Edits on both sides; the other device syncs first, so the window's device conflicts.
    void concurrentEdit(const QString &guid, const QJsonObject &here, const QJsonObject &there);
    SyncSummary syncWindow();
    // Clicks the record's row, which must show a conflict; returns where (null: not found).
    QPoint clickRow(const QString &guid);
    MergeDialog *openFromTable(const QString &guid);
    void click(QWidget &parent, const char *name);
    void checkConverged(const QString &guid);
    // How the conflict texts name m_other: its computer's name, without the id's random end.
    // The other device as the account's device list names it: its token was made by the
    // admin command, which names the devices it signs in so.
    QString otherComputer() const { return s("ferry-server admin"); }

    QTemporaryDir m_settingsDir;
    DesktopFixture m_device;
    std::unique_ptr<TestDevice> m_other;
    std::unique_ptr<TestDevice> m_third;
};

void TestConflictResolution::initTestCase()
{
    // Profiles (with their settings) go under a folder of the test's own.
    qputenv("XDG_DATA_HOME", QFile::encodeName(m_settingsDir.path()));
    QVERIFY2(m_device.startServer(s("hana")), qPrintable(m_device.server.lastError()));
}

void TestConflictResolution::init()
{
    m_device.setUp();
    m_device.window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_device.window.get()));
    m_other = std::make_unique<TestDevice>(m_device.config);
    m_third = std::make_unique<TestDevice>(m_device.config);
}

void TestConflictResolution::cleanup()
{
    m_third.reset();
    m_other.reset();
    m_device.tearDown();
}

SyncSummary TestConflictResolution::syncWindow()
{
    QSignalSpy finished(m_device.scheduler.get(), &SyncScheduler::syncFinished);
    auto *toolbar = child<QToolBar>(*m_device.window, "mainToolbar");
    QTest::mouseClick(toolbar->widgetForAction(m_device.window->syncAction()), Qt::LeftButton);
    if (!finished.wait(20000))
        return {};
    return finished.first().first().value<SyncSummary>();
}

QString TestConflictResolution::sharedPost(const QJsonObject &fields)
{
    const Result<QString> guid = m_device.data->createRecord(s("Post"), fields);
    if (!guid)
        return {};
    if (!syncWindow().ok || !m_other->sync().ok || !m_third->sync().ok)
        return {};
    return guid.value();
}

void TestConflictResolution::concurrentEdit(const QString &guid, const QJsonObject &here,
                                            const QJsonObject &there)
{
    QVERIFY(m_device.data->updateRecord(guid, here));
    QTest::qWait(5); // the other side's change is the newer one
    m_other->edit(guid, there);
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    QCOMPARE(m_device.data->store().conflictCount().value(), 1);
}

QPoint TestConflictResolution::clickRow(const QString &guid)
{
    MainWindow &window = *m_device.window;
    auto *table = child<QTableView>(window, "recordTable");
    const int row = window.recordModel()->rowOf(guid);
    if (row < 0)
        return {};
    const QModelIndex index = qobject_cast<RecordFilterProxy *>(table->model())
                                  ->mapFromSource(window.recordModel()->index(row, 0));
    // The state column says so before anyone opens anything.
    if (index.data(RecordTableModel::SyncStatusRole).toInt() != int(SyncStatus::Conflicted))
        return {};
    const QPoint centre = table->visualRect(index).center();
    QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, centre);
    return centre;
}

MergeDialog *TestConflictResolution::openFromTable(const QString &guid)
{
    const QPoint centre = clickRow(guid);
    if (centre.isNull())
        return nullptr;
    auto *table = child<QTableView>(*m_device.window, "recordTable");
    QTest::mouseDClick(table->viewport(), Qt::LeftButton, {}, centre);
    auto *dialog = m_device.window->findChild<MergeDialog *>();
    if (!dialog || !QTest::qWaitForWindowExposed(dialog))
        return nullptr;
    return dialog;
}

void TestConflictResolution::click(QWidget &parent, const char *name)
{
    auto *button = parent.findChild<QAbstractButton *>(QLatin1String(name));
    QVERIFY2(button, name);
    QTest::mouseClick(button, Qt::LeftButton);
}

void TestConflictResolution::checkConverged(const QString &guid)
{
    QVERIFY(syncWindow().ok);
    QVERIFY(m_other->sync().ok);
    QVERIFY(m_third->sync().ok);
    QVERIFY(syncWindow().ok); // nothing may be left to exchange
    const LocalRecord here = m_device.data->store().record(guid).value();
    for (TestDevice *device : {m_other.get(), m_third.get()}) {
        const LocalRecord there = device->record(guid);
        QCOMPARE(fieldsOf(there), fieldsOf(here));
        QCOMPARE(there.deleted, here.deleted);
        QCOMPARE(there.status, SyncStatus::Synced);
        QVERIFY(!device->store().conflict(guid).value());
    }
    QCOMPARE(here.status, SyncStatus::Synced);
    QVERIFY(!m_device.data->store().conflict(guid).value());
}

void TestConflictResolution::mergeThroughTheDialogConverges()
{
    const QString guid
        = sharedPost({{s("title"), s("Plan")}, {s("body"), kBase}, {s("rating"), 1}});
    QVERIFY(!guid.isEmpty());
    concurrentEdit(
        guid, {{s("title"), s("Plan A")}, {s("body"), kMine}, {s("rating"), 2}},
        {{s("title"), s("Plan B")}, {s("body"), kTheirs}, {s("rating"), 3}, {s("pinned"), true}});
    // Until it is settled the record keeps this device's values.
    QCOMPARE(m_device.data->store().record(guid).value().fields.value(s("title")).toString(),
             s("Plan A"));

    MergeDialog *dialog = openFromTable(guid);
    QVERIFY(dialog);
    QVERIFY(child<QLabel>(*dialog, "headerProvenance")->text().contains(s("by hana")));
    QCOMPARE(dialog->conflictCount(), 3);
    click(*dialog, "useTheirs_title");
    click(*dialog, "hunk_body_1_both");
    auto *rating = child<QLineEdit>(*dialog, "result_rating");
    rating->setFocus();
    rating->selectAll();
    QTest::keyClicks(rating, s("8"));
    click(*dialog, "acceptButton");
    QTRY_VERIFY(!m_device.window->findChild<MergeDialog *>());
    QCOMPARE(m_device.data->store().conflictCount().value(), 0);

    checkConverged(guid);
    const LocalRecord result = m_other->record(guid);
    QCOMPARE(result.fields.value(s("title")).toString(), s("Plan B"));
    QCOMPARE(result.fields.value(s("body")).toString(),
             s("The quick red black fox jumps over the lazy dog.\nSecond line stays here.\n"));
    QCOMPARE(result.fields.value(s("rating")).toInt(), 8);
    QCOMPARE(result.fields.value(s("pinned")).toBool(), true);
}

void TestConflictResolution::keepBothGivesTwoRecordsEverywhere()
{
    const QString guid = sharedPost({{s("title"), s("Shopping")}, {s("rating"), 1}});
    QVERIFY(!guid.isEmpty());
    concurrentEdit(guid, {{s("title"), s("Shopping: mine")}},
                   {{s("title"), s("Shopping: theirs")}});
    MergeDialog *dialog = openFromTable(guid);
    QVERIFY(dialog);
    click(*dialog, "keepBothButton");
    QTRY_VERIFY(!m_device.window->findChild<MergeDialog *>());
    QTRY_COMPARE(m_device.window->recordModel()->rowCount(), 2);

    checkConverged(guid);
    for (TestDevice *device : {m_other.get(), m_third.get()}) {
        const QList<LocalRecord> posts = device->store().records(s("Post")).value();
        QStringList titles;
        for (const LocalRecord &post : posts)
            titles.append(post.fields.value(s("title")).toString());
        titles.sort();
        QCOMPARE(titles, (QStringList {s("Shopping: mine"), s("Shopping: theirs")}));
    }
    QCOMPARE(m_other->record(guid).fields.value(s("title")).toString(), s("Shopping: theirs"));
}

void TestConflictResolution::editAgainstDeleteRestoresEverywhere()
{
    const QString guid = sharedPost({{s("title"), s("Minutes")}});
    QVERIFY(!guid.isEmpty());
    QVERIFY(m_device.data->updateRecord(guid, {{s("title"), s("Minutes, corrected")}}));
    QVERIFY(m_other->store().deleteRecord(guid));
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    // This time from the editor: the record open in it says what happened and offers Resolve.
    MainWindow &window = *m_device.window;
    QVERIFY(!clickRow(guid).isNull());
    QCOMPARE(window.editor()->guid(), guid);
    auto *banner = child<QWidget>(window, "conflictBanner");
    QVERIFY(banner->isVisible());
    QVERIFY(child<QLabel>(*banner, "conflictBannerText")
                ->text()
                .startsWith(s("hana deleted this record on %1").arg(otherComputer())));
    QVERIFY(window.resolveAction()->isEnabled());
    click(*banner, "resolveConflictButton");
    auto *dialog = window.findChild<MergeDialog *>();
    QVERIFY(dialog);
    QCOMPARE(child<QLabel>(*dialog, "deleteQuestionText")->text(),
             s("Deleted on the other side, edited here"));
    click(*dialog, "restoreMineButton");
    QTRY_VERIFY(!m_device.window->findChild<MergeDialog *>());
    checkConverged(guid);
    QVERIFY(!m_third->record(guid).deleted);
    QCOMPARE(m_third->record(guid).fields.value(s("title")).toString(), s("Minutes, corrected"));
    QVERIFY(!banner->isVisible());
    QVERIFY(!window.resolveAction()->isEnabled());
}

void TestConflictResolution::conflictListFollowsTheStore()
{
    ConflictListModel *model = m_device.window->conflictsPanel()->model();
    QAbstractItemModelTester tester(model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy changed(model, &QAbstractItemModel::dataChanged);
    const QString first = sharedPost({{s("title"), s("First")}});
    const QString second = sharedPost({{s("title"), s("Second")}});
    concurrentEdit(first, {{s("title"), s("First, here")}}, {{s("title"), s("First, there")}});
    QCOMPARE(inserted.size(), 1);
    QVERIFY(m_device.data->updateRecord(second, {{s("rating"), 2}}));
    m_other->edit(second, {{s("rating"), 3}});
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    QCOMPARE(model->rowCount(), 2);
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(model->guidAt(1), second);
    QCOMPARE(model->index(1, ConflictListModel::FieldsColumn).data().toString(), s("Rating"));
    QVERIFY(model->index(1, ConflictListModel::OtherSideColumn)
                .data()
                .toString()
                .startsWith(s("hana on %1").arg(otherComputer())));

    // Renaming a record in conflict updates its row only.
    changed.clear();
    QVERIFY(m_device.data->updateRecord(first, {{s("title"), s("First, renamed")}}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.first().first().toModelIndex().row(), 0);
    QCOMPARE(model->index(0, 0).data().toString(), s("First, renamed"));

    QVERIFY(m_device.data->resolveConflict(first, {Resolution::KeepTheirs, {}}));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(model->rowCount(), 1);
    QCOMPARE(model->guidAt(0), second);
    QCOMPARE(resets.size(), 0);
    QCOMPARE(child<QLabel>(*m_device.window, "conflictCount")->text(),
             s("1 record was changed here and elsewhere and needs a decision."));
}

void TestConflictResolution::trayOffersToResolve()
{
    const QString guid = sharedPost({{s("title"), s("Tray")}});
    concurrentEdit(guid, {{s("title"), s("Tray, here")}}, {{s("title"), s("Tray, there")}});
    AppSettings settings(s("tray-") + m_device.config.workspace);
    TrayIcon tray;
    TrayController controller(tray, *m_device.scheduler, *m_device.window, settings);
    m_device.window->hide();
    QAction *resolve = tray.menu()->findChild<QAction *>(s("resolveConflictsAction"));
    QVERIFY(resolve);
    QTRY_VERIFY(resolve->isVisible());
    QCOMPARE(resolve->text(), s("Resolve 1 conflict…"));
    resolve->trigger();
    QVERIFY(m_device.window->isVisible());
    QVERIFY(child<QDockWidget>(*m_device.window, "conflictsDock")->isVisible());

    QVERIFY(m_device.data->resolveConflict(guid, {Resolution::KeepMine, {}}));
    QVERIFY(syncWindow().ok);
    QTRY_VERIFY(!resolve->isVisible());
    settings.clear();
}

void TestConflictResolution::decideLaterSurvivesARestart()
{
    const QString guid = sharedPost({{s("title"), s("Later")}});
    QVERIFY(!guid.isEmpty());
    concurrentEdit(guid, {{s("title"), s("Later, here")}}, {{s("title"), s("Later, there")}});
    MergeDialog *dialog = openFromTable(guid);
    QVERIFY(dialog);
    click(*dialog, "decideLaterButton");
    QTRY_VERIFY(!m_device.window->findChild<MergeDialog *>());

    // Quit and start again on the same profile.
    const QString path = m_device.data->store().path();
    m_device.window.reset();
    m_device.scheduler.reset();
    m_device.data.reset();
    m_device.data = DataStore::open(path, Schema::defaultSchema()).value();
    m_device.scheduler = std::make_unique<SyncScheduler>(m_device.data.get(), path);
    m_device.scheduler->setConfig(m_device.config);
    m_device.scheduler->setPaused(true);
    m_device.window = std::make_unique<MainWindow>(*m_device.data, *m_device.scheduler,
                                                   m_device.dir->filePath(s("blobs")));
    m_device.window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_device.window.get()));

    const std::optional<Conflict> conflict = m_device.data->store().conflict(guid).value();
    QVERIFY(conflict);
    QCOMPARE(conflict->fields.size(), 1);
    QCOMPARE(conflict->fields.first().theirs.toString(), s("Later, there"));
    QCOMPARE(conflict->theirsUser, s("hana"));
    QCOMPARE(m_device.data->store().record(guid).value().fields.value(s("title")).toString(),
             s("Later, here"));
    QVERIFY(syncWindow().ok); // a sync does not settle it either
    QCOMPARE(m_device.data->store().conflictCount().value(), 1);

    // The window says so, and the panel settles it.
    QCOMPARE(m_device.window->conflictsAction()->text(), s("&Conflicts (1)"));
    m_device.window->conflictsAction()->trigger();
    auto *panel = child<ConflictsPanel>(*m_device.window, "conflictsPanel");
    QVERIFY(panel->isVisible());
    QCOMPARE(child<QLabel>(*panel, "conflictCount")->text(),
             s("1 record was changed here and elsewhere and needs a decision."));
    auto *list = child<QTreeView>(*panel, "conflictList");
    QCOMPARE(list->model()->index(0, ConflictListModel::RecordColumn).data().toString(),
             s("Later, here"));
    list->setFocus();
    QTest::keyClick(list, Qt::Key_Return);
    auto *reopened = m_device.window->findChild<MergeDialog *>();
    QVERIFY(reopened);
    click(*reopened, "keepMineButton");
    QTRY_COMPARE(panel->count(), 0);
    QCOMPARE(m_device.window->conflictsAction()->text(), s("&Conflicts"));
    checkConverged(guid);
    QCOMPARE(m_third->record(guid).fields.value(s("title")).toString(), s("Later, here"));
}

void TestConflictResolution::applyToAllRemaining()
{
    const QString first = sharedPost({{s("title"), s("One")}});
    const QString second = sharedPost({{s("title"), s("Two")}});
    QVERIFY(!first.isEmpty() && !second.isEmpty());
    QVERIFY(m_device.data->updateRecord(first, {{s("title"), s("One, here")}}));
    QVERIFY(m_device.data->updateRecord(second, {{s("title"), s("Two, here")}}));
    m_other->edit(first, {{s("title"), s("One, there")}});
    m_other->edit(second, {{s("title"), s("Two, there")}});
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    QCOMPARE(m_device.data->store().conflictCount().value(), 2);

    auto *toolbar = child<QToolBar>(*m_device.window, "mainToolbar");
    QTest::mouseClick(toolbar->widgetForAction(m_device.window->conflictsAction()), Qt::LeftButton);
    auto *panel = child<ConflictsPanel>(*m_device.window, "conflictsPanel");
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->count(), 2);
    auto *policy = child<QComboBox>(*panel, "applyPolicyCombo");
    policy->setCurrentIndex(policy->findText(s("Keep the other side's version")));
    click(*panel, "applyAllButton");
    auto *confirm = panel->findChild<QMessageBox *>(s("applyAllConfirm"));
    QVERIFY(confirm);
    QCOMPARE(confirm->text(), s("Keep the other side's version for all 2 remaining conflicts?"));
    click(*confirm, "confirmApplyButton");
    QTRY_COMPARE(panel->count(), 0);
    QCOMPARE(child<QLabel>(*panel, "conflictCount")->text(),
             s("No open conflicts: every record is settled."));
    checkConverged(first);
    checkConverged(second);
    QCOMPARE(m_third->record(first).fields.value(s("title")).toString(), s("One, there"));
    QCOMPARE(m_third->record(second).fields.value(s("title")).toString(), s("Two, there"));
}

// Two records in conflict, one of them edit-against-delete: the dialog for the other counts
// its own fields ("Field 1 of 1 to decide") and says that another record waits too.
void TestConflictResolution::dialogSaysOtherRecordsWait()
{
    const QString edited = sharedPost({{s("title"), s("One")}});
    const QString deleted = sharedPost({{s("title"), s("Two")}});
    QVERIFY(!edited.isEmpty() && !deleted.isEmpty());
    QVERIFY(m_device.data->updateRecord(edited, {{s("title"), s("One, here")}}));
    QVERIFY(m_device.data->updateRecord(deleted, {{s("title"), s("Two, here")}}));
    m_other->edit(edited, {{s("title"), s("One, there")}});
    QVERIFY(m_other->store().deleteRecord(deleted));
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    QCOMPARE(m_device.data->store().conflictCount().value(), 2);
    MainWindow &window = *m_device.window;
    QVERIFY(!clickRow(edited).isNull());
    window.resolveAction()->trigger();
    auto *dialog = window.findChild<MergeDialog *>();
    QVERIFY(dialog);
    QCOMPARE(child<QLabel>(*dialog, "conflictPosition")->text(), s("Field 1 of 1 to decide"));
    auto *others = child<QLabel>(*dialog, "otherConflicts");
    QVERIFY(others->isVisible());
    QCOMPARE(others->text(), s("1 other record also has a conflict."));
    dialog->reject();
}

void TestConflictResolution::defaultPolicyResolvesNewConflicts()
{
    // A conflict from before the setting stays for the person.
    const QString old = sharedPost({{s("title"), s("Old")}});
    QVERIFY(!old.isEmpty());
    concurrentEdit(old, {{s("title"), s("Old, here")}}, {{s("title"), s("Old, there")}});

    AppSettings settings(s("policy-") + m_device.config.workspace);
    AutoResolver resolver(*m_device.data, *m_device.scheduler);
    SettingsDialog dialog(settings);
    dialog.show();
    auto *combo = child<QComboBox>(dialog, "conflictPolicyCombo");
    QCOMPARE(combo->currentText(), s("Always ask me"));
    combo->setCurrentIndex(combo->findText(s("Keep the newest change")));
    QTest::mouseClick(child<QPushButton>(dialog, "okButton"), Qt::LeftButton);
    QCOMPARE(settings.conflictPolicy(), ConflictPolicy::Newest);
    resolver.setPolicy(settings.conflictPolicy());

    const QString fresh = sharedPost({{s("title"), s("New")}});
    QVERIFY(!fresh.isEmpty());
    QSignalSpy resolved(&resolver, &AutoResolver::resolved);
    QVERIFY(m_device.data->updateRecord(fresh, {{s("title"), s("New, older edit here")}}));
    QTest::qWait(20);
    m_other->edit(fresh, {{s("title"), s("New, newer edit there")}});
    QVERIFY(m_other->sync().ok);
    QVERIFY(syncWindow().ok);
    QCOMPARE(resolved.size(), 1);
    QCOMPARE(resolved.first().first().value<PolicyOutcome>().resolved, 1);
    QCOMPARE(m_device.data->store().conflictCount().value(), 1); // the old one
    QVERIFY(m_device.data->store().conflict(old).value());
    QCOMPARE(m_device.data->store().record(fresh).value().fields.value(s("title")),
             s("New, newer edit there"));
    checkConverged(fresh);
    QCOMPARE(m_third->record(fresh).fields.value(s("title")).toString(),
             s("New, newer edit there"));
    settings.clear();
}

QTEST_MAIN(TestConflictResolution)
#include "tst_conflictresolution.moc"
