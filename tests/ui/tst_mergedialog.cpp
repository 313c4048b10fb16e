// The merge dialog on its own, driven like a person: buttons found by objectName, clicks,
// typing and keys; each kind of conflict must give the decision the person made.
#include "datastore.h"
#include "merge/mergedialog.h"
#include "merge/mergefields.h"
#include "merge/mergetext.h"
#include "widgetfinder.h"

#include <QCommandLinkButton>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QToolButton>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

const QString kBodyBase = s("The quick brown fox jumps over the lazy dog.\nSecond line stays.\n");
const QString kBodyMine = s("The quick red fox jumps over the lazy dog.\nSecond line stays.\n");
const QString kBodyTheirs
    = s("The quick black fox jumps over the lazy dog.\nSecond line stays here.\n");

// This device's record and its conflict, as the store would hold them after a sync.
struct Case
{
    LocalRecord local;
    Conflict conflict;

    Case()
    {
        local.entity = conflict.entity = s("Post");
        local.guid = conflict.guid = s("0190a0b0-c0d0-7e00-8000-000000000001");
        local.status = SyncStatus::Conflicted;
        local.fields = {{s("title"), s("Weekly notes")},
                        {s("body"), QJsonValue::Null},
                        {s("published"), QJsonValue::Null},
                        {s("pinned"), false},
                        {s("rating"), 3},
                        {s("tags"), QJsonArray()},
                        {s("attachments"), QJsonArray()}};
        conflict.theirsDevice = s("laptop-7f3a");
        conflict.theirsUser = s("ann");
        conflict.theirsAt = QDateTime::currentMSecsSinceEpoch() - 5 * 60 * 1000;
        conflict.mineAt = QDateTime::currentMSecsSinceEpoch() - 12 * 60 * 1000;
        conflict.theirsRev = 7;
    }
    void field(const QString &name, const QJsonValue &base, const QJsonValue &mine,
               const QJsonValue &theirs)
    {
        local.fields.insert(name, mine);
        local.dirty.append(name);
        local.base.insert(name, theirs); // the other side's value is the new base
        conflict.fields.append({name, base, mine, theirs});
        conflict.theirsFields.insert(name, theirs);
    }
};

Case textCase()
{
    Case c;
    c.field(s("body"), kBodyBase, kBodyMine, kBodyTheirs);
    return c;
}

Case multiFieldCase()
{
    Case c;
    c.field(s("title"), s("Weekly notes"), s("Weekly notes (draft)"), s("Weekly notes, week 12"));
    c.field(s("rating"), 3, 4, 5);
    c.field(s("pinned"), false, true, false);
    return c;
}

} // namespace

class TestMergeDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void headerSaysWhoAndWhen();
    void headerNamesTheComputer();
    void fieldChoices_data();
    void fieldChoices();
    void recordButtons_data();
    void recordButtons();
    void typedResultIsMerged();
    void decideLaterAsksBeforeForgettingATypedResult();
    void invalidResultIsRefused();
    void textHunks_data();
    void textHunks();
    void editedTextIsTheResult();
    void changesAreHighlighted();
    void unchangedFieldsBehindAToggle();
    void editVersusDelete_data();
    void editVersusDelete();
    void keyboardMovesBetweenConflicts();
    void everyControlIsNamedAndReachable_data();
    void everyControlIsNamedAndReachable();

private:
    MergeDialog *open(const Case &c);
    std::optional<ConflictDecision> finish(MergeDialog *dialog);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<DataStore> m_data;
    std::unique_ptr<MergeDialog> m_dialog;
};

void TestMergeDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    m_data = DataStore::open(m_dir->filePath(s("ferry.db")), Schema::defaultSchema()).value();
}

void TestMergeDialog::cleanup()
{
    m_dialog.reset();
    m_data.reset();
    m_dir.reset();
}

MergeDialog *TestMergeDialog::open(const Case &c)
{
    const EntityDef *post = m_data->schema().entity(s("Post"));
    m_dialog = std::make_unique<MergeDialog>(*m_data, *post, c.local, c.conflict);
    m_dialog->show();
    m_dialog->activateWindow();
    if (!QTest::qWaitForWindowActive(m_dialog.get()))
        qWarning("the dialog did not become active");
    return m_dialog.get();
}

std::optional<ConflictDecision> TestMergeDialog::finish(MergeDialog *dialog)
{
    if (dialog->isVisible())
        return std::nullopt;
    return dialog->decision();
}

void TestMergeDialog::headerNamesTheComputer()
{
    // A device id made from a computer's name shows as that name.
    Case named = multiFieldCase();
    named.conflict.theirsDevice = s("ada-laptop-0c1d2e3f");
    MergeDialog *dialog = open(named);
    const QString who = child<QLabel>(*dialog, "headerProvenance")->text();
    QVERIFY2(who.startsWith(s("Changed on ada-laptop by ann")), qPrintable(who));
}

void TestMergeDialog::headerSaysWhoAndWhen()
{
    MergeDialog *dialog = open(multiFieldCase());
    const QString who = child<QLabel>(*dialog, "headerProvenance")->text();
    QVERIFY2(who.startsWith(s("Changed on laptop-7f3a by ann, 5 minutes ago.")), qPrintable(who));
    QVERIFY2(who.contains(s("12 minutes ago")), qPrintable(who));
    QCOMPARE(child<QLabel>(*dialog, "headerTitle")->text(), s("Weekly notes (draft)"));
    QCOMPARE(child<QLabel>(*dialog, "conflictPosition")->text(), s("Field 1 of 3 to decide"));
    QCOMPARE(child<QLabel>(*dialog, "headerSummary")->text(), s("3 fields changed on both sides"));
    QCOMPARE(dialog->windowTitle(), s("Resolve: Weekly notes (draft)"));
}

void TestMergeDialog::fieldChoices_data()
{
    QTest::addColumn<QStringList>("clicks");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<QJsonObject>("values");

    QTest::newRow("nothing chosen keeps mine")
        << QStringList() << int(Resolution::KeepMine) << QJsonObject();
    QTest::newRow("theirs everywhere")
        << QStringList {s("useTheirs_title"), s("useTheirs_rating"), s("useTheirs_pinned")}
        << int(Resolution::KeepTheirs) << QJsonObject();
    QTest::newRow("one field theirs")
        << QStringList {s("useTheirs_title")} << int(Resolution::Merge)
        << QJsonObject {
               {s("title"), s("Weekly notes, week 12")}, {s("rating"), 4}, {s("pinned"), true}};
    QTest::newRow("theirs, then mine again")
        << QStringList {s("useTheirs_rating"), s("useMine_rating")} << int(Resolution::KeepMine)
        << QJsonObject();
    QTest::newRow("two of three theirs")
        << QStringList {s("useTheirs_rating"), s("useTheirs_pinned")} << int(Resolution::Merge)
        << QJsonObject {
               {s("title"), s("Weekly notes (draft)")}, {s("rating"), 5}, {s("pinned"), false}};
}

void TestMergeDialog::fieldChoices()
{
    QFETCH(QStringList, clicks);
    QFETCH(int, resolution);
    QFETCH(QJsonObject, values);
    MergeDialog *dialog = open(multiFieldCase());
    for (const QString &name : clicks) {
        auto *button = dialog->findChild<QPushButton *>(name);
        QVERIFY2(button, qPrintable(name));
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(button->isChecked());
    }
    if (clicks.contains(s("useTheirs_title"))) {
        QCOMPARE(child<QLineEdit>(*dialog, "result_title")->text(), s("Weekly notes, week 12"));
        QCOMPARE(child<QLabel>(*dialog, "state_title")->text(),
                 s("Result: the other side's value"));
        QVERIFY(!child<QPushButton>(*dialog, "useMine_title")->isChecked());
    }
    QTest::mouseClick(child<QPushButton>(*dialog, "acceptButton"), Qt::LeftButton);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), resolution);
    QCOMPARE(decision->values, values);
}

void TestMergeDialog::recordButtons_data()
{
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("resolution");
    QTest::newRow("keep mine") << s("keepMineButton") << int(Resolution::KeepMine);
    QTest::newRow("keep theirs") << s("keepTheirsButton") << int(Resolution::KeepTheirs);
    QTest::newRow("keep both") << s("keepBothButton") << int(Resolution::KeepBoth);
    QTest::newRow("decide later") << s("decideLaterButton") << -1;
}

void TestMergeDialog::recordButtons()
{
    QFETCH(QString, button);
    QFETCH(int, resolution);
    MergeDialog *dialog = open(multiFieldCase());
    // A field choice made first does not matter: the record-level button decides.
    QTest::mouseClick(child<QPushButton>(*dialog, "useTheirs_title"), Qt::LeftButton);
    QSignalSpy rejected(dialog, &QDialog::rejected);
    QTest::mouseClick(dialog->findChild<QPushButton *>(button), Qt::LeftButton);
    QVERIFY(!dialog->isVisible());
    if (resolution < 0) {
        QCOMPARE(rejected.size(), 1);
        QVERIFY(!dialog->decision());
        return;
    }
    QVERIFY(dialog->decision());
    QCOMPARE(int(dialog->decision()->resolution), resolution);
    QVERIFY(dialog->decision()->values.isEmpty());
}

void TestMergeDialog::typedResultIsMerged()
{
    MergeDialog *dialog = open(multiFieldCase());
    auto *rating = child<QLineEdit>(*dialog, "result_rating");
    rating->selectAll();
    QTest::keyClicks(rating, s("9"));
    QCOMPARE(child<QLabel>(*dialog, "state_rating")->text(), s("Result: edited by you"));
    QVERIFY(!child<QPushButton>(*dialog, "useMine_rating")->isChecked());
    QVERIFY(!child<QPushButton>(*dialog, "useTheirs_rating")->isChecked());
    auto *title = child<QLineEdit>(*dialog, "result_title");
    title->selectAll();
    QTest::keyClicks(title, s("Weekly notes, week 12"));
    // Typed to equal the other side's value: that is the other side's value.
    QCOMPARE(child<QLabel>(*dialog, "state_title")->text(), s("Result: the other side's value"));
    QVERIFY(child<QPushButton>(*dialog, "useTheirs_title")->isChecked());
    QTest::keyClick(title, Qt::Key_Return, Qt::ControlModifier);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), int(Resolution::Merge));
    QCOMPARE(decision->values,
             (QJsonObject {
                 {s("title"), s("Weekly notes, week 12")}, {s("rating"), 9}, {s("pinned"), true}}));
}

// "Decide later" after typing a result: the person is asked before it is forgotten, and can
// go back to it.
void TestMergeDialog::decideLaterAsksBeforeForgettingATypedResult()
{
    MergeDialog *dialog = open(multiFieldCase());
    auto *rating = child<QLineEdit>(*dialog, "result_rating");
    rating->selectAll();
    QTest::keyClicks(rating, s("9"));
    QTest::mouseClick(child<QPushButton>(*dialog, "decideLaterButton"), Qt::LeftButton);
    QWidget *question = nullptr;
    QTRY_VERIFY((question = dialog->findChild<QMessageBox *>(s("forgetResultQuestion")))
                && question->isVisible());
    QTest::mouseClick(child<QPushButton>(*question, "keepEditingButton"), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QCOMPARE(rating->text(), s("9"));
    QTest::mouseClick(child<QPushButton>(*dialog, "decideLaterButton"), Qt::LeftButton);
    QTRY_VERIFY((question = dialog->findChild<QMessageBox *>(s("forgetResultQuestion")))
                && question->isVisible());
    QSignalSpy rejected(dialog, &QDialog::rejected);
    QTest::mouseClick(child<QPushButton>(*question, "forgetButton"), Qt::LeftButton);
    QTRY_COMPARE(rejected.size(), 1);
    QVERIFY(!dialog->decision());
}

void TestMergeDialog::invalidResultIsRefused()
{
    MergeDialog *dialog = open(multiFieldCase());
    auto *rating = child<QLineEdit>(*dialog, "result_rating");
    rating->selectAll();
    QTest::keyClicks(rating, s("lots"));
    QTest::mouseClick(child<QPushButton>(*dialog, "acceptButton"), Qt::LeftButton);
    QVERIFY(dialog->isVisible());
    QVERIFY(!dialog->decision());
    auto *error = child<QLabel>(*dialog, "error_rating");
    QVERIFY(error->isVisible());
    QVERIFY2(!error->text().isEmpty(), "the reason is shown");
    QCOMPARE(QApplication::focusWidget(), rating);
    QCOMPARE(dialog->currentConflict(), 2); // schema order: title, pinned, rating
    // Fixed, it goes through.
    rating->selectAll();
    QTest::keyClicks(rating, s("2"));
    QVERIFY(!error->isVisible());
    QTest::mouseClick(child<QPushButton>(*dialog, "acceptButton"), Qt::LeftButton);
    QVERIFY(dialog->decision());
    QCOMPARE(dialog->decision()->values.value(s("rating")), QJsonValue(2));
}

void TestMergeDialog::textHunks_data()
{
    QTest::addColumn<QString>("hunkButton"); // empty: none clicked
    QTest::addColumn<QString>("wholeButton");
    QTest::addColumn<QString>("result");
    QTest::addColumn<int>("resolution");

    const QString merged
        = s("The quick red fox jumps over the lazy dog.\nSecond line stays here.\n");
    QTest::newRow("as merged") << QString() << QString() << merged << int(Resolution::Merge);
    QTest::newRow("hunk: theirs") << s("hunk_body_1_theirs") << QString() << kBodyTheirs
                                  << int(Resolution::KeepTheirs);
    QTest::newRow("hunk: both")
        << s("hunk_body_1_both") << QString()
        << s("The quick red black fox jumps over the lazy dog.\nSecond line stays here.\n")
        << int(Resolution::Merge);
    QTest::newRow("hunk: mine") << s("hunk_body_1_mine") << QString() << merged
                                << int(Resolution::Merge);
    QTest::newRow("use mine") << QString() << s("useMine_body") << kBodyMine
                              << int(Resolution::KeepMine);
    QTest::newRow("use theirs, then hunk mine")
        << s("hunk_body_1_mine") << s("useTheirs_body") << merged << int(Resolution::Merge);
}

void TestMergeDialog::textHunks()
{
    QFETCH(QString, hunkButton);
    QFETCH(QString, wholeButton);
    QFETCH(QString, result);
    QFETCH(int, resolution);
    MergeDialog *dialog = open(textCase());
    auto *text = child<QPlainTextEdit>(*dialog, "result_body");
    // Before any choice: the other side's change on the second line is in already.
    QCOMPARE(text->toPlainText(),
             s("The quick red fox jumps over the lazy dog.\nSecond line stays here.\n"));
    QCOMPARE(child<QLabel>(*dialog, "state_body")->text(), s("Result: combined from both sides"));
    QVERIFY(child<QLabel>(*dialog, "hunk_body_1_label")->text().contains(s("red")));
    if (!wholeButton.isEmpty())
        QTest::mouseClick(dialog->findChild<QPushButton *>(wholeButton), Qt::LeftButton);
    if (!hunkButton.isEmpty()) {
        auto *button = dialog->findChild<QToolButton *>(hunkButton);
        QTest::mouseClick(button, Qt::LeftButton);
        QVERIFY(button->isChecked());
    }
    QCOMPARE(text->toPlainText(), result);
    QTest::mouseClick(child<QPushButton>(*dialog, "acceptButton"), Qt::LeftButton);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), resolution);
    if (resolution == int(Resolution::Merge))
        QCOMPARE(decision->values.value(s("body")).toString(), result);
}

void TestMergeDialog::editedTextIsTheResult()
{
    MergeDialog *dialog = open(textCase());
    auto *text = child<QPlainTextEdit>(*dialog, "result_body");
    text->setFocus();
    text->moveCursor(QTextCursor::End);
    QTest::keyClicks(text, s("A line of my own."));
    QCOMPARE(child<QLabel>(*dialog, "state_body")->text(), s("Result: edited by you"));
    QTest::keyClick(text, Qt::Key_Return, Qt::ControlModifier);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), int(Resolution::Merge));
    QCOMPARE(decision->values.value(s("body")).toString(),
             s("The quick red fox jumps over the lazy dog.\nSecond line stays here.\nA line of "
               "my own."));
}

void TestMergeDialog::changesAreHighlighted()
{
    MergeDialog *dialog = open(textCase());
    const QString mine = child<QTextBrowser>(*dialog, "mine_body")->toHtml();
    const QString theirs = child<QTextBrowser>(*dialog, "theirs_body")->toHtml();
    // The changed words are on a tint; the words both kept are not.
    const auto marked = [](const QString &html, const QString &word, const QColor &tint) {
        const QRegularExpression span(s("background-color:%1;?\">%2<").arg(tint.name(), word));
        return span.match(html).hasMatch();
    };
    QVERIFY2(marked(mine, s("red"), mineTint()), qPrintable(mine));
    QVERIFY2(marked(theirs, s("black"), theirsTint()), qPrintable(theirs));
    QVERIFY2(marked(theirs, s(" here"), theirsTint()), qPrintable(theirs));
    QVERIFY(!marked(mine, s("quick"), mineTint()));
    QCOMPARE(child<QLabel>(*dialog, "kind_body")->text(), s("Changed on both sides"));
}

void TestMergeDialog::unchangedFieldsBehindAToggle()
{
    Case c = multiFieldCase();
    // One field changed only here (not in conflict).
    c.local.fields.insert(s("body"), s("Written here"));
    c.local.dirty.append(s("body"));
    c.local.base.insert(s("body"), QJsonValue::Null);
    MergeDialog *dialog = open(c);
    QCOMPARE(child<QLabel>(*dialog, "kind_body")->text(), s("Changed on this device only"));
    QCOMPARE(child<QLabel>(*dialog, "headerSummary")->text(),
             s("3 fields changed on both sides · 1 changed only here"));
    auto *toggle = child<QToolButton>(*dialog, "showUnchangedButton");
    QCOMPARE(toggle->text(), s("&Show 3 unchanged fields"));
    auto *published = child<QLabel>(*dialog, "same_published");
    QVERIFY(!published->isVisible());
    // Placed low on the screen: showing more keeps the buttons on it.
    const QRect screenArea = dialog->screen()->availableGeometry();
    const int before = dialog->height();
    dialog->move(dialog->x(), screenArea.bottom() - dialog->frameGeometry().height() - 4);
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(published->isVisible());
    QVERIFY2(dialog->frameGeometry().bottom() <= screenArea.bottom(),
             qPrintable(s("the dialog ends at %1, the screen at %2")
                            .arg(dialog->frameGeometry().bottom())
                            .arg(screenArea.bottom())));
    QCOMPARE(published->text(), s("(empty)"));
    QCOMPARE(toggle->text(), s("&Hide unchanged fields"));
    // Conflicts come first.
    auto *grid = child<QWidget>(*dialog, "mergeGrid");
    QVERIFY(child<QWidget>(*grid, "label_pinned")->y() < child<QWidget>(*grid, "label_body")->y());
    QVERIFY(child<QWidget>(*grid, "label_body")->y() < published->y());
    // Hidden again, the dialog gives the room back.
    const int shown = dialog->height();
    QTest::mouseClick(toggle, Qt::LeftButton);
    QVERIFY(!published->isVisible());
    QVERIFY2(dialog->height() < shown || shown == before,
             qPrintable(s("%1 px tall with the unchanged fields, %2 px without")
                            .arg(shown)
                            .arg(dialog->height())));
}

void TestMergeDialog::editVersusDelete_data()
{
    QTest::addColumn<bool>("theyDeleted");
    QTest::addColumn<QString>("button");
    QTest::addColumn<int>("resolution");
    QTest::addColumn<QString>("question");

    const QString theyDid = s("Deleted on the other side, edited here");
    const QString iDid = s("Deleted here, edited on the other side");
    QTest::newRow("they deleted: restore mine")
        << true << s("restoreMineButton") << int(Resolution::KeepMine) << theyDid;
    QTest::newRow("they deleted: accept the delete")
        << true << s("acceptDeleteButton") << int(Resolution::KeepTheirs) << theyDid;
    QTest::newRow("I deleted: keep it deleted")
        << false << s("keepDeletedButton") << int(Resolution::KeepMine) << iDid;
    QTest::newRow("I deleted: restore theirs")
        << false << s("restoreTheirsButton") << int(Resolution::KeepTheirs) << iDid;
}

void TestMergeDialog::editVersusDelete()
{
    QFETCH(bool, theyDeleted);
    QFETCH(QString, button);
    QFETCH(int, resolution);
    QFETCH(QString, question);
    Case c;
    if (theyDeleted) {
        c.conflict.theirsDeleted = true;
        c.local.fields.insert(s("title"), s("Edited here"));
        c.local.dirty.append(s("title"));
        c.local.base.insert(s("title"), s("Weekly notes"));
    } else {
        c.conflict.mineDeleted = true;
        c.local.deleted = true;
        c.local.dirty.append(QString(kDeletedFlag));
        c.conflict.theirsFields.insert(s("title"), s("Edited there"));
    }
    MergeDialog *dialog = open(c);
    QCOMPARE(child<QLabel>(*dialog, "deleteQuestionText")->text(), question);
    QVERIFY(child<QLabel>(*dialog, "headerProvenance")
                ->text()
                .startsWith(theyDeleted ? s("Deleted on laptop-7f3a by ann, 5 minutes ago.")
                                        : s("Changed on laptop-7f3a by ann, 5 minutes ago.")));
    const auto *value = child<QLabel>(*dialog, "deleteValue_title");
    QVERIFY(value->text().contains(theyDeleted ? s("Edited here") : s("Edited there")));
    // Only the question's answers and "later": no field grid, no keep both.
    QVERIFY(!dialog->findChild<QWidget *>(s("mergeGrid")));
    QVERIFY(!child<QPushButton>(*dialog, "keepBothButton")->isVisible());
    QVERIFY(!child<QPushButton>(*dialog, "acceptButton")->isVisible());
    QVERIFY(child<QPushButton>(*dialog, "decideLaterButton")->isVisible());
    QTest::mouseClick(dialog->findChild<QCommandLinkButton *>(button), Qt::LeftButton);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), resolution);
}

void TestMergeDialog::keyboardMovesBetweenConflicts()
{
    MergeDialog *dialog = open(multiFieldCase());
    QCOMPARE(dialog->currentConflict(), 0);
    QCOMPARE(QApplication::focusWidget(), child<QWidget>(*dialog, "result_title"));
    // Conflicts in schema order: title, pinned, rating.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8);
    QCOMPARE(dialog->currentConflict(), 1);
    QCOMPARE(QApplication::focusWidget(), child<QWidget>(*dialog, "result_pinned"));
    QCOMPARE(child<QLabel>(*dialog, "conflictPosition")->text(), s("Field 2 of 3 to decide"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Down, Qt::AltModifier);
    QCOMPARE(dialog->currentConflict(), 2);
    QCOMPARE(QApplication::focusWidget(), child<QWidget>(*dialog, "result_rating"));
    QVERIFY(!child<QToolButton>(*dialog, "nextConflictButton")->isEnabled());
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8); // stays on the last one
    QCOMPARE(dialog->currentConflict(), 2);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F8, Qt::ShiftModifier);
    QCOMPARE(dialog->currentConflict(), 1);
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Up, Qt::AltModifier);
    QCOMPARE(dialog->currentConflict(), 0);
    QVERIFY(!child<QToolButton>(*dialog, "previousConflictButton")->isEnabled());
    // Choose the other side's title with the keyboard only, then accept.
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Backtab);
    QCOMPARE(QApplication::focusWidget(), child<QWidget>(*dialog, "useTheirs_title"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Space);
    QCOMPARE(child<QLineEdit>(*dialog, "result_title")->text(), s("Weekly notes, week 12"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return, Qt::ControlModifier);
    const std::optional<ConflictDecision> decision = finish(dialog);
    QVERIFY(decision);
    QCOMPARE(int(decision->resolution), int(Resolution::Merge));
    QCOMPARE(decision->values.value(s("title")).toString(), s("Weekly notes, week 12"));
}

void TestMergeDialog::everyControlIsNamedAndReachable_data()
{
    QTest::addColumn<int>("kind");
    QTest::newRow("text") << 0;
    QTest::newRow("several fields") << 1;
    QTest::newRow("edit against delete") << 2;
}

void TestMergeDialog::everyControlIsNamedAndReachable()
{
    QFETCH(int, kind);
    Case c = kind == 0 ? textCase() : multiFieldCase();
    if (kind == 2)
        c.conflict.theirsDeleted = true;
    MergeDialog *dialog = open(c);
    if (auto *toggle = dialog->findChild<QToolButton *>(s("showUnchangedButton")))
        QTest::mouseClick(toggle, Qt::LeftButton);

    QSet<QWidget *> controls;
    for (QWidget *widget : dialog->findChildren<QWidget *>()) {
        if (!widget->isVisibleTo(dialog) || !widget->isEnabled()
            || !(widget->focusPolicy() & Qt::TabFocus) || widget->focusProxy())
            continue;
        QWidget *parent = widget->parentWidget();
        if (qobject_cast<QAbstractScrollArea *>(parent)
            || (parent && parent->focusProxy() == widget))
            continue; // the inside of a text box or spin box: the box itself is the control
        QVERIFY2(!widget->objectName().isEmpty(), widget->metaObject()->className());
        QVERIFY2(!widget->accessibleName().isEmpty(), qPrintable(widget->objectName()));
        controls.insert(widget);
    }
    QVERIFY(controls.size() >= (kind == 2 ? 3 : 8));

    // Tab visits every one of them, and comes round again.
    QSet<QWidget *> visited;
    QWidget *first = QApplication::focusWidget();
    QVERIFY(first);
    for (int i = 0; i < 200; ++i) {
        visited.insert(QApplication::focusWidget());
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        if (QApplication::focusWidget() == first)
            break;
    }
    for (QWidget *control : std::as_const(controls))
        QVERIFY2(visited.contains(control), qPrintable(control->objectName()));
}

QTEST_MAIN(TestMergeDialog)
#include "tst_mergedialog.moc"
