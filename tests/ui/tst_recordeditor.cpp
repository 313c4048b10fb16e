// The record editor driven like a person: find inputs by objectName, type, commit, and
// check what reached the store. Isolation is checked with changes written by a second
// store on the same file, and end to end through a real ferry-server.
#include "editor/blobfieldeditor.h"
#include "editor/recordeditor.h"
#include "serverprocess.h"
#include "testdevice.h"

#include <QAbstractItemView>
#include <QAction>
#include <QCheckBox>
#include <QColorDialog>
#include <QComboBox>
#include <QCompleter>
#include <QCryptographicHash>
#include <QImage>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Ferry;
using namespace Ferry::Ui;
using namespace FerryTest;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

// A profile: a DataStore on a temporary file, a blob folder, and an editor over both.
struct Profile
{
    explicit Profile(const Schema &schema = Schema::defaultSchema())
    {
        auto opened = DataStore::open(dbPath(), schema);
        if (!opened)
            qFatal("cannot open the store: %s", qPrintable(opened.error().message));
        data = std::move(opened).value();
        editor = std::make_unique<RecordEditor>(*data, blobPath());
        editor->resize(700, 800);
        editor->show();
    }
    QString dbPath() const { return dir.filePath(s("ferry.db")); }
    QString blobPath() const { return dir.filePath(s("blobs")); }
    LocalRecord record(const QString &guid) { return data->store().record(guid).value(); }
    QString create(const QString &entity, const QJsonObject &fields)
    {
        return data->createRecord(entity, fields).value();
    }
    template<typename T> T *find(const QString &name) const
    {
        T *widget = editor->findChild<T *>(name);
        if (!widget)
            qWarning("no widget %s", qPrintable(name));
        return widget;
    }
    // Another connection to the same file: writes through it look like the sync engine's.
    std::unique_ptr<LocalStore> otherStore()
    {
        return LocalStore::open(dbPath(), data->schema()).value();
    }
    void relayRemote(const QString &entity, const QString &guid)
    {
        data->relayRemoteChange(ChangeSet {entity, {guid}, ChangeOrigin::Remote});
    }

    QTemporaryDir dir;
    std::unique_ptr<DataStore> data;
    std::unique_ptr<RecordEditor> editor;
};

void typeAndCommit(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClicks(edit, text);
    QTest::keyClick(edit, Qt::Key_Return);
}

Schema taskSchema()
{
    return Schema::fromJson(R"({"version": 1, "entities": [
        {"name": "Task", "title": "Tasks", "display": "title", "fields": [
            {"name": "title", "type": "string", "title": "Title"},
            {"name": "estimate", "type": "real", "title": "Estimate"},
            {"name": "owner", "type": "ref", "target": "Person", "title": "Owner"},
            {"name": "photo", "type": "blob", "title": "Photo"}]},
        {"name": "Person", "title": "People", "display": "name", "fields": [
            {"name": "name", "type": "string", "title": "Name"}]}]})")
        .value();
}

} // namespace

class TestRecordEditor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formIsBuiltFromTheSchema();
    void typingSavesOnlyThatField();
    void textSavesAfterAPauseAndOnFocusOut();
    void invalidIntIsRefusedWithAMessage();
    void bigWholeNumbersRoundTrip();
    void boolAndDateTimeSaveWhenToggled();
    void checkingATagStoresTheSet();
    void refChooserStoresTheChosenRecord();
    void manyTagsAreFoundBySearch();
    void manyPeopleAreFoundByTyping();
    void colourIsChosenFromTheChooser();
    void blobPickerStoresHashAndBytes();
    void newDuplicateDeleteUndo();
    void undoBannerGoesWhenTheRecordIsBack();
    void remoteChangeRefreshesWhenNothingIsTyped();
    void remoteChangeKeepsUnsavedTyping();
    void remoteDeleteShowsBannerAndRestoreBringsItBack();
    void syncThroughServerKeepsTypingAndMergesIt();
    void viewOnlyChangesNothing();
};

void TestRecordEditor::formIsBuiltFromTheSchema()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("title"), s("Hello")}});
    QSignalSpy opened(p.editor.get(), &RecordEditor::recordOpened);
    QVERIFY(p.editor->openRecord(guid));
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), guid);
    QVERIFY(p.find<QLineEdit>(s("field_title")));
    QVERIFY(p.find<QPlainTextEdit>(s("field_body")));
    QVERIFY(p.find<QCheckBox>(s("field_pinned")));
    QVERIFY(p.find<QLineEdit>(s("field_rating")));
    QVERIFY(p.find<QListWidget>(s("field_tags")));
    QVERIFY(p.find<QListWidget>(s("field_attachments")));
    QVERIFY(p.find<QWidget>(s("field_published")));
    for (const FieldDef &field : p.data->schema().entity(s("Post"))->fields) {
        auto *label = p.find<QLabel>(s("label_") + field.name);
        QVERIFY(label);
        QVERIFY(label->text().startsWith(field.title));
        auto *input = p.find<QWidget>(s("field_") + field.name);
        QCOMPARE(input->accessibleName(), field.title);
        QCOMPARE(label->buddy(), input);
    }
    QCOMPARE(p.find<QLineEdit>(s("field_title"))->text(), s("Hello"));
    QCOMPARE(p.find<QLabel>(s("headerTitle"))->text(), s("Hello"));
    QCOMPARE(p.find<QLabel>(s("headerEntity"))->text(), s("POSTS"));
    QCOMPARE(p.find<QLabel>(s("syncState"))->text(), s("Waiting to sync"));
}

void TestRecordEditor::typingSavesOnlyThatField()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("body"), s("b0")}});
    p.editor->openRecord(guid);
    auto *title = p.find<QLineEdit>(s("field_title"));
    QTest::keyClicks(title, s("Ferry notes"));
    QVERIFY(p.record(guid).fields.value(s("title")).isNull()); // not committed yet
    QVERIFY(p.editor->hasUnsavedEdits());
    QTest::keyClick(title, Qt::Key_Return);
    const LocalRecord r = p.record(guid);
    QCOMPARE(r.fields.value(s("title")).toString(), s("Ferry notes"));
    QCOMPARE(r.fields.value(s("body")).toString(), s("b0"));
    QVERIFY(r.isDirty(QStringView(u"title")));
    QVERIFY(!p.editor->hasUnsavedEdits());
    QCOMPARE(p.find<QLabel>(s("headerTitle"))->text(), s("Ferry notes"));
}

void TestRecordEditor::textSavesAfterAPauseAndOnFocusOut()
{
    Profile p;
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    auto *body = p.find<QPlainTextEdit>(s("field_body"));
    QTest::keyClicks(body, s("first line"));
    QTest::keyClick(body, Qt::Key_Return);
    QTest::keyClicks(body, s("second"));
    // Saved after the idle pause, without leaving the box.
    QTRY_COMPARE(p.record(guid).fields.value(s("body")).toString(), s("first line\nsecond"));

    p.editor->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(p.editor.get()));
    body->setFocus();
    QTRY_VERIFY(body->hasFocus());
    QTest::keyClicks(body, s("!"));
    p.find<QLineEdit>(s("field_title"))->setFocus();
    // Focus out saves at once, long before the pause would.
    QCOMPARE(p.record(guid).fields.value(s("body")).toString(), s("first line\nsecond!"));
}

void TestRecordEditor::invalidIntIsRefusedWithAMessage()
{
    Profile p;
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    auto *rating = p.find<QLineEdit>(s("field_rating"));
    auto *error = p.find<QLabel>(s("error_rating"));
    QVERIFY(!error->isVisible());
    typeAndCommit(rating, s("12x"));
    QVERIFY(error->isVisible());
    QVERIFY2(error->text().contains(s("rating")), qPrintable(error->text()));
    QVERIFY2(error->text().contains(s("whole number")), qPrintable(error->text()));
    QVERIFY(p.record(guid).fields.value(s("rating")).isNull());
    QVERIFY(!p.record(guid).isDirty(QStringView(u"rating")));
    QCOMPARE(rating->text(), s("12x")); // the person's text stays to be fixed

    // Other fields still save meanwhile.
    typeAndCommit(p.find<QLineEdit>(s("field_title")), s("still saved"));
    QCOMPARE(p.record(guid).fields.value(s("title")).toString(), s("still saved"));
    QVERIFY(p.record(guid).fields.value(s("rating")).isNull());

    typeAndCommit(rating, s("42"));
    QCOMPARE(p.record(guid).fields.value(s("rating")).toDouble(), 42.0);
    QVERIFY(!error->isVisible());
}

void TestRecordEditor::bigWholeNumbersRoundTrip()
{
    Profile p;
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    auto *rating = p.find<QLineEdit>(s("field_rating"));
    typeAndCommit(rating, s("-9007199254740991"));
    QCOMPARE(qint64(p.record(guid).fields.value(s("rating")).toDouble()), -9007199254740991LL);
    typeAndCommit(rating, s("9007199254740993")); // past 2^53: not exact, so refused
    QVERIFY(p.find<QLabel>(s("error_rating"))->isVisible());
    QCOMPARE(qint64(p.record(guid).fields.value(s("rating")).toDouble()), -9007199254740991LL);
    p.editor->closeRecord();
    p.editor->openRecord(guid);
    QCOMPARE(p.find<QLineEdit>(s("field_rating"))->text(), s("-9007199254740991"));
}

void TestRecordEditor::boolAndDateTimeSaveWhenToggled()
{
    Profile p;
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    QTest::mouseClick(p.find<QCheckBox>(s("field_pinned")), Qt::LeftButton);
    QCOMPARE(p.record(guid).fields.value(s("pinned")), QJsonValue(true));

    auto *set = p.find<QCheckBox>(s("field_published_set"));
    auto *when = p.find<QWidget>(s("field_published"));
    QVERIFY(!when->isEnabled()); // not set
    QTest::mouseClick(set, Qt::LeftButton);
    const QString stored = p.record(guid).fields.value(s("published")).toString();
    const QDateTime published = QDateTime::fromString(stored, Qt::ISODateWithMs);
    QVERIFY2(published.isValid(), qPrintable(stored));
    QVERIFY(qAbs(published.secsTo(QDateTime::currentDateTimeUtc())) < 120);
    QVERIFY(when->isEnabled());
    QTest::mouseClick(set, Qt::LeftButton);
    QVERIFY(p.record(guid).fields.value(s("published")).isNull());
}

void TestRecordEditor::checkingATagStoresTheSet()
{
    Profile p;
    const QString red = p.create(s("Tag"), {{s("name"), s("red")}});
    const QString blue = p.create(s("Tag"), {{s("name"), s("blue")}});
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    auto *tags = p.find<QListWidget>(s("field_tags"));
    QCOMPARE(tags->count(), 2);
    QCOMPARE(tags->item(0)->text(), s("blue"));
    QCOMPARE(tags->item(1)->text(), s("red"));
    tags->setCurrentRow(1);
    QTest::keyClick(tags, Qt::Key_Space);
    QCOMPARE(p.record(guid).fields.value(s("tags")).toArray(), QJsonArray {red});
    tags->setCurrentRow(0);
    QTest::keyClick(tags, Qt::Key_Space);
    QJsonArray both {red, blue};
    QVERIFY(sameValue(p.record(guid).fields.value(s("tags")), both));

    // A tag made elsewhere appears, and the checks stay.
    p.create(s("Tag"), {{s("name"), s("green")}});
    QCOMPARE(tags->count(), 3);
    QCOMPARE(tags->item(1)->text(), s("green"));
    QCOMPARE(tags->item(1)->checkState(), Qt::Unchecked);
    QCOMPARE(tags->item(2)->checkState(), Qt::Checked);

    tags->setCurrentRow(0);
    QTest::keyClick(tags, Qt::Key_Space); // uncheck blue
    QCOMPARE(p.record(guid).fields.value(s("tags")).toArray(), QJsonArray {red});
}

void TestRecordEditor::refChooserStoresTheChosenRecord()
{
    Profile p(taskSchema());
    const QString ann = p.create(s("Person"), {{s("name"), s("Ann")}});
    p.create(s("Person"), {{s("name"), s("Bob")}});
    const QString guid = p.create(s("Task"), {{s("title"), s("Ship it")}});
    p.editor->openRecord(guid);
    auto *owner = p.find<QComboBox>(s("field_owner"));
    QCOMPARE(owner->count(), 3);
    QCOMPARE(owner->itemText(0), s("(none)"));
    QCOMPARE(owner->itemText(1), s("Ann"));
    owner->setFocus();
    QTest::keyClick(owner, Qt::Key_Down);
    QCOMPARE(owner->currentText(), s("Ann"));
    QCOMPARE(p.record(guid).fields.value(s("owner")).toString(), ann);
    QTest::keyClick(owner, Qt::Key_Up);
    QVERIFY(p.record(guid).fields.value(s("owner")).isNull());

    // A real field through a line edit, checked the same way as ints.
    typeAndCommit(p.find<QLineEdit>(s("field_estimate")), s("2.5"));
    QCOMPARE(p.record(guid).fields.value(s("estimate")).toDouble(), 2.5);
    typeAndCommit(p.find<QLineEdit>(s("field_estimate")), s("soon"));
    QVERIFY(p.find<QLabel>(s("error_estimate"))->text().contains(s("a number")));
    QCOMPARE(p.record(guid).fields.value(s("estimate")).toDouble(), 2.5);
}

// Among many tags, the one wanted is found by typing part of its name; what is checked
// stays in view while searching, and a search with no match says so.
void TestRecordEditor::manyTagsAreFoundBySearch()
{
    Profile p;
    for (int i = 0; i < 40; ++i)
        p.create(s("Tag"), {{s("name"), QStringLiteral("tag %1").arg(i, 2, 10, QLatin1Char('0'))}});
    const QString wanted = p.create(s("Tag"), {{s("name"), s("Reisen in Südtirol")}});
    const QString guid = p.create(s("Post"), {});
    p.editor->openRecord(guid);
    auto *tags = p.find<QListWidget>(s("field_tags"));
    auto *search = p.find<QLineEdit>(s("field_tags_search"));
    QVERIFY(search->isVisible());
    QTest::keyClicks(search, s("TIROL"));
    QStringList visible;
    for (int row = 0; row < tags->count(); ++row) {
        if (!tags->item(row)->isHidden())
            visible.append(tags->item(row)->text());
    }
    QCOMPARE(visible, QStringList {s("Reisen in Südtirol")});
    const QList<QListWidgetItem *> found
        = tags->findItems(s("Reisen in Südtirol"), Qt::MatchExactly);
    QCOMPARE(found.size(), 1);
    found.first()->setCheckState(Qt::Checked);
    QCOMPARE(p.record(guid).fields.value(s("tags")).toArray(), QJsonArray {wanted});

    search->clear();
    QTest::keyClicks(search, s("nothing like it"));
    QCOMPARE(found.first()->isHidden(), false); // checked: still in view
    QVERIFY(p.find<QWidget>(s("field_tags"))->isVisible());

    // A few tags need no search box.
    Profile few;
    few.create(s("Tag"), {{s("name"), s("red")}});
    const QString post = few.create(s("Post"), {});
    few.editor->openRecord(post);
    QVERIFY(!few.find<QLineEdit>(s("field_tags_search"))->isVisible());
}

// Among many people, the owner is chosen by typing part of a name into the box.
void TestRecordEditor::manyPeopleAreFoundByTyping()
{
    Profile p(taskSchema());
    for (int i = 0; i < 30; ++i)
        p.create(s("Person"), {{s("name"), QStringLiteral("Person %1").arg(i)}});
    const QString zoe = p.create(s("Person"), {{s("name"), s("Zoë Quill")}});
    const QString guid = p.create(s("Task"), {{s("title"), s("Ship it")}});
    p.editor->openRecord(guid);
    auto *owner = p.find<QComboBox>(s("field_owner"));
    QVERIFY(owner->isEditable());
    QLineEdit *typed = owner->lineEdit();
    QCOMPARE(typed->objectName(), s("field_owner_search"));
    typed->setFocus();
    typed->selectAll();
    QTest::keyClicks(typed, s("quill"));
    QCOMPARE(owner->completer()->completionCount(), 1);
    QCOMPARE(owner->completer()->currentCompletion(), s("Zoë Quill"));
    QTest::keyClick(owner->completer()->popup(), Qt::Key_Down);
    QTest::keyClick(owner->completer()->popup(), Qt::Key_Return);
    QTRY_COMPARE(owner->currentText(), s("Zoë Quill"));
    QTRY_COMPARE(p.record(guid).fields.value(s("owner")).toString(), zoe);

    // Text that names nobody goes back to the one chosen; nothing is made of it.
    typed->selectAll();
    QTest::keyClicks(typed, s("Nobody at all"));
    QTest::keyClick(typed, Qt::Key_Return);
    QCOMPARE(typed->text(), s("Zoë Quill"));
    QCOMPARE(p.record(guid).fields.value(s("owner")).toString(), zoe);
    QCOMPARE(p.data->store().count(s("Person")).value(), 31);
}

// A colour field: the swatch opens the colour chooser, and the colour chosen is stored as
// #rrggbb and shown on the swatch's line.
void TestRecordEditor::colourIsChosenFromTheChooser()
{
    Profile p;
    const QString guid = p.create(s("Tag"), {{s("name"), s("urgent")}});
    p.editor->openRecord(guid);
    QTest::mouseClick(p.find<QToolButton>(s("field_color_choose")), Qt::LeftButton);
    QColorDialog *dialog = nullptr;
    QTRY_VERIFY((dialog = p.editor->findChild<QColorDialog *>(s("colorDialog"))));
    dialog->setCurrentColor(QColor(0x33, 0x66, 0xcc));
    dialog->accept();
    QTRY_COMPARE(p.record(guid).fields.value(s("color")).toString(), s("#3366cc"));
    QCOMPARE(p.find<QLineEdit>(s("field_color"))->text(), s("#3366cc"));
    // Typed by hand, any colour name is kept as written.
    typeAndCommit(p.find<QLineEdit>(s("field_color")), s("teal"));
    QCOMPARE(p.record(guid).fields.value(s("color")).toString(), s("teal"));
}

void TestRecordEditor::blobPickerStoresHashAndBytes()
{
    Profile p(taskSchema());
    const QString guid = p.create(s("Task"), {});
    p.editor->openRecord(guid);
    QImage image(800, 400, QImage::Format_RGB32);
    image.fill(Qt::darkCyan);
    const QString source = p.dir.filePath(s("harbour.png"));
    QVERIFY(image.save(source));
    QFile file(source);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    const QString hex
        = QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());

    auto *photo = p.find<BlobFieldEditor>(s("editor_photo"));
    QVERIFY(photo->chooseFile(source));
    QCOMPARE(p.record(guid).fields.value(s("photo")).toString(), s("sha256:") + hex);
    QFile stored(p.blobPath() + s("/") + hex);
    QVERIFY(stored.open(QIODevice::ReadOnly));
    QCOMPARE(stored.readAll(), bytes);
    QVERIFY(p.find<QLabel>(s("field_photo_name"))->text().contains(s("harbour.png")));
    auto *preview = p.find<QLabel>(s("field_photo_preview"));
    QVERIFY(preview->isVisible());
    QCOMPARE(preview->pixmap().size(), QSize(240, 120));

    QTest::mouseClick(p.find<QPushButton>(s("field_photo_remove")), Qt::LeftButton);
    QVERIFY(p.record(guid).fields.value(s("photo")).isNull());
    QVERIFY(preview->isHidden());
    QVERIFY(!photo->chooseFile(p.dir.filePath(s("missing.png"))));
    QVERIFY(p.record(guid).fields.value(s("photo")).isNull());
}

void TestRecordEditor::newDuplicateDeleteUndo()
{
    Profile p;
    p.editor->setEntity(s("Post"));
    QSignalSpy opened(p.editor.get(), &RecordEditor::recordOpened);
    QSignalSpy deleted(p.editor.get(), &RecordEditor::recordDeleted);
    QVERIFY(!p.editor->duplicateAction()->isEnabled());
    QTest::mouseClick(p.find<QToolButton>(s("newButton")), Qt::LeftButton);
    QCOMPARE(p.data->store().count(s("Post")).value(), 1);
    const QString first = p.editor->guid();
    QCOMPARE(opened.count(), 1);
    QCOMPARE(opened.at(0).at(0).toString(), first);
    for (const QJsonValue &value : p.record(first).fields)
        QVERIFY(value.isNull());
    typeAndCommit(p.find<QLineEdit>(s("field_title")), s("Original"));

    QTest::mouseClick(p.find<QToolButton>(s("duplicateButton")), Qt::LeftButton);
    const QString copy = p.editor->guid();
    QVERIFY(copy != first);
    QCOMPARE(opened.count(), 2);
    QCOMPARE(p.data->store().count(s("Post")).value(), 2);
    QCOMPARE(p.record(copy).fields.value(s("title")).toString(), s("Original"));
    QCOMPARE(p.find<QLineEdit>(s("field_title"))->text(), s("Original"));

    QTest::mouseClick(p.find<QToolButton>(s("deleteButton")), Qt::LeftButton);
    QVERIFY(p.record(copy).deleted);
    QCOMPARE(deleted.count(), 1);
    QCOMPARE(deleted.at(0).at(0).toString(), copy);
    QCOMPARE(p.data->store().count(s("Post")).value(), 1);
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isVisible());
    QVERIFY(p.find<QWidget>(s("deletedBanner"))->isHidden());
    QVERIFY(p.find<QLineEdit>(s("field_title"))->isReadOnly());
    QVERIFY(!p.editor->deleteAction()->isEnabled());

    QTest::mouseClick(p.find<QPushButton>(s("undoButton")), Qt::LeftButton);
    QVERIFY(!p.record(copy).deleted);
    QCOMPARE(p.data->store().count(s("Post")).value(), 2);
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isHidden());
    QVERIFY(!p.find<QLineEdit>(s("field_title"))->isReadOnly());
    QCOMPARE(p.editor->guid(), copy);
}

// "Deleted A — Undo" stays offered while another record is open, until A is back some other
// way (restored on another device, or from its own Restore button): then it goes.
void TestRecordEditor::undoBannerGoesWhenTheRecordIsBack()
{
    Profile p;
    const QString a = p.create(s("Post"), {{s("title"), s("A")}});
    const QString b = p.create(s("Post"), {{s("title"), s("B")}});
    p.editor->openRecord(a);
    QTest::mouseClick(p.find<QToolButton>(s("deleteButton")), Qt::LeftButton);
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isVisible());
    p.editor->openRecord(b);
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isVisible());
    auto other = p.otherStore();
    QVERIFY(other->restoreRecord(a));
    p.relayRemote(s("Post"), a);
    QVERIFY2(p.find<QWidget>(s("undoBanner"))->isHidden(),
             "Undo is offered for a record that is back");
    QTest::mouseClick(p.find<QToolButton>(s("deleteButton")), Qt::LeftButton); // B now
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isVisible());
    p.editor->openRecord(b);
    QTest::mouseClick(p.find<QPushButton>(s("restoreButton")), Qt::LeftButton);
    QVERIFY(!p.record(b).deleted);
    QVERIFY(p.find<QWidget>(s("undoBanner"))->isHidden());
}

void TestRecordEditor::remoteChangeRefreshesWhenNothingIsTyped()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("title"), s("t0")}, {s("body"), s("b0")}});
    p.editor->openRecord(guid);
    auto other = p.otherStore();
    QVERIFY(other->updateRecord(guid, {{s("title"), s("t1")}, {s("body"), s("b1")}}));
    QCOMPARE(p.find<QLineEdit>(s("field_title"))->text(), s("t0")); // nothing announced yet
    p.relayRemote(s("Post"), guid);
    QCOMPARE(p.find<QLineEdit>(s("field_title"))->text(), s("t1"));
    QCOMPARE(p.find<QPlainTextEdit>(s("field_body"))->toPlainText(), s("b1"));
    QCOMPARE(p.find<QLabel>(s("headerTitle"))->text(), s("t1"));
    QVERIFY(p.find<QLabel>(s("note_title"))->isHidden());
}

void TestRecordEditor::remoteChangeKeepsUnsavedTyping()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("title"), s("t0")}, {s("body"), s("b0")}});
    p.editor->openRecord(guid);
    auto *title = p.find<QLineEdit>(s("field_title"));
    title->selectAll();
    QTest::keyClicks(title, s("mine"));
    auto other = p.otherStore();
    QVERIFY(other->updateRecord(guid, {{s("title"), s("theirs")}, {s("body"), s("b1")}}));
    p.relayRemote(s("Post"), guid);
    QCOMPARE(title->text(), s("mine"));
    QVERIFY(p.find<QLabel>(s("note_title"))->isVisible());
    QVERIFY(p.find<QLabel>(s("note_title"))->text().contains(s("another device")));
    // Fields the person is not editing follow the store.
    QCOMPARE(p.find<QPlainTextEdit>(s("field_body"))->toPlainText(), s("b1"));
    QVERIFY(p.find<QLabel>(s("note_body"))->isHidden());

    QTest::keyClick(title, Qt::Key_Return);
    QCOMPARE(p.record(guid).fields.value(s("title")).toString(), s("mine"));
    QCOMPARE(p.record(guid).fields.value(s("body")).toString(), s("b1"));
    QCOMPARE(title->text(), s("mine"));
}

void TestRecordEditor::remoteDeleteShowsBannerAndRestoreBringsItBack()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("title"), s("kept")}});
    p.editor->openRecord(guid);
    auto other = p.otherStore();
    QVERIFY(other->deleteRecord(guid));
    p.relayRemote(s("Post"), guid);
    auto *banner = p.find<QWidget>(s("deletedBanner"));
    QVERIFY(banner->isVisible());
    QVERIFY(
        p.find<QLabel>(s("deletedBannerText"))->text().contains(s("deleted on another device")));
    QVERIFY(p.find<QLineEdit>(s("field_title"))->isReadOnly());
    QVERIFY(!p.find<QCheckBox>(s("field_pinned"))->isEnabled());

    QTest::mouseClick(p.find<QPushButton>(s("restoreButton")), Qt::LeftButton);
    QVERIFY(!p.record(guid).deleted);
    QCOMPARE(p.record(guid).fields.value(s("title")).toString(), s("kept"));
    QVERIFY(banner->isHidden());
    QVERIFY(!p.find<QLineEdit>(s("field_title"))->isReadOnly());

    // Close leaves the editor empty.
    QVERIFY(other->deleteRecord(guid));
    p.relayRemote(s("Post"), guid);
    QSignalSpy closed(p.editor.get(), &RecordEditor::recordClosed);
    QTest::mouseClick(p.find<QPushButton>(s("closeButton")), Qt::LeftButton);
    QCOMPARE(closed.count(), 1);
    QVERIFY(p.editor->guid().isEmpty());
    QVERIFY(p.find<QWidget>(s("emptyState"))->isVisible());
}

void TestRecordEditor::syncThroughServerKeepsTypingAndMergesIt()
{
    ServerProcess server;
    QVERIFY2(server.start(), qPrintable(server.lastError()));
    const QString token = server.createToken(s("alice"));
    server.admin({s("workspace"), s("create"), s("ws"), s("--owner"), s("alice")});
    const SyncConfig config {server.url(), token, s("ws")};
    TestDevice a(config), b(config);
    auto opened = DataStore::open(a.storePath(), Schema::defaultSchema());
    QVERIFY(opened);
    DataStore &data = *opened.value();
    connect(&a.client(), &SyncClient::changesCommitted, &data, &DataStore::relayRemoteChange);
    QTemporaryDir blobs;
    RecordEditor editor(data, blobs.path());
    editor.show();

    const QString guid = data.createRecord(s("Post"), {{s("title"), s("t0")}}).value();
    editor.openRecord(guid);
    auto *state = editor.findChild<QLabel *>(s("syncState"));
    QCOMPARE(state->text(), s("Waiting to sync"));
    QVERIFY(a.sync().ok);
    QTRY_COMPARE(state->text(), s("Synced"));
    QVERIFY(b.sync().ok);

    b.edit(guid, {{s("title"), s("from b")}, {s("body"), s("body from b")}});
    QVERIFY(b.sync().ok);
    auto *title = editor.findChild<QLineEdit *>(s("field_title"));
    title->selectAll();
    QTest::keyClicks(title, s("typed on a"));
    QVERIFY(a.sync().ok);
    auto *body = editor.findChild<QPlainTextEdit *>(s("field_body"));
    QTRY_COMPARE(body->toPlainText(), s("body from b"));
    QCOMPARE(title->text(), s("typed on a"));
    QVERIFY(editor.findChild<QLabel *>(s("note_title"))->isVisible());

    QTest::keyClick(title, Qt::Key_Return);
    QCOMPARE(state->text(), s("Waiting to sync"));
    QVERIFY(a.sync().ok);
    QVERIFY(b.sync().ok);
    QCOMPARE(b.record(guid).fields.value(s("title")).toString(), s("typed on a"));
    QCOMPARE(b.record(guid).fields.value(s("body")).toString(), s("body from b"));
    QTRY_COMPARE(state->text(), s("Synced"));
}

void TestRecordEditor::viewOnlyChangesNothing()
{
    Profile p;
    const QString guid = p.create(s("Post"), {{s("title"), s("Shared")}});
    p.editor->show();
    p.editor->setReadOnly(true, s("Shared with you to read."));
    QVERIFY(p.editor->openRecord(guid));
    auto *title = p.find<QLineEdit>(s("field_title"));
    QVERIFY(title->isReadOnly());
    QTest::keyClicks(title, s(" changed"));
    QTest::keyClick(title, Qt::Key_Return);
    QCOMPARE(p.record(guid).fields.value(s("title")).toString(), s("Shared"));
    QVERIFY(!p.editor->newAction()->isEnabled());
    QVERIFY(!p.editor->duplicateAction()->isEnabled());
    QVERIFY(!p.editor->deleteAction()->isEnabled());
    p.editor->deleteRecord(); // the slot too, not only the buttons
    QVERIFY(!p.record(guid).deleted);
    auto *banner = p.find<QWidget>(s("viewOnlyBanner"));
    QVERIFY(banner->isVisible());
    QVERIFY(banner->findChild<QLabel *>() != nullptr);

    // Editable again once the role allows it.
    p.editor->setReadOnly(false);
    QVERIFY(!banner->isVisible());
    QVERIFY(!title->isReadOnly());
    QVERIFY(p.editor->deleteAction()->isEnabled());
    title->selectAll();
    QTest::keyClicks(title, s("Mine now"));
    QTest::keyClick(title, Qt::Key_Return);
    QCOMPARE(p.record(guid).fields.value(s("title")).toString(), s("Mine now"));
}

QTEST_MAIN(TestRecordEditor)
#include "tst_recordeditor.moc"
