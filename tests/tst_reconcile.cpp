// The client's merge rules, case by case, without a database or a network.
#include "reconcile.h"
#include "testprint.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Ferry;

namespace {

const QString kGuid = QStringLiteral("0193a1f4-5c2e-7d11-9a0b-2f64c1e0a9d3");

QJsonValue json(const char *text)
{
    // Wrap so scalars parse too.
    return QJsonDocument::fromJson(QByteArray("[") + text + "]").array().at(0);
}

EntityDef entity()
{
    const Result<Schema> schema = Schema::fromJson(R"({"entities": [{"name": "Note", "fields": [
        {"name": "s", "type": "string"}, {"name": "t", "type": "text"}, {"name": "n", "type": "int"},
        {"name": "b", "type": "bool"}, {"name": "r", "type": "refs", "target": "Note"},
        {"name": "x", "type": "real"}, {"name": "d", "type": "datetime"},
        {"name": "f", "type": "ref", "target": "Note"}]}]})");
    return *schema->entity(QStringLiteral("Note"));
}

LocalRecord synced(qint64 rev)
{
    LocalRecord r;
    r.entity = QStringLiteral("Note");
    r.guid = kGuid;
    r.rev = rev;
    return r;
}

Wire::RemoteRecord remote(qint64 rev, const QJsonObject &fields, bool deleted = false)
{
    Wire::RemoteRecord r;
    r.entity = QStringLiteral("Note");
    r.guid = kGuid;
    r.rev = rev;
    r.fields = fields;
    r.deleted = deleted;
    r.device = QStringLiteral("other-device");
    r.user = QStringLiteral("bob");
    return r;
}

} // namespace

class TestReconcile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fieldMerge_data();
    void fieldMerge();
    void mergeSets_data();
    void mergeSets();
    void unknownFieldsAreKept();
    void remoteDeleteOfCleanRecord();
    void remoteDeleteOfEditedRecordConflicts();
    void localDeleteOfRemotelyEditedRecordConflicts();
    void pushAppliedKeepsEditsMadeInFlight();
    void pushConflictKeepsMineAndRecordsTheirs();
    void mutationSendsOnlyDirtyFieldsAndSetOps();
    void resolveKeepMineRebasesOnTheirs();
    void typeRules_data();
    void typeRules();
    void unknownFieldsKeptVerbatim_data();
    void unknownFieldsKeptVerbatim();
    void textInConflictStaysInConflict();
    void setMergedByTheServerIsReported();
};

void TestReconcile::fieldMerge_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<bool>("dirty");
    QTest::addColumn<QJsonValue>("base");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<QJsonValue>("result");
    QTest::addColumn<bool>("stillDirty");
    QTest::addColumn<bool>("conflict");

    QTest::newRow("clean field takes theirs") << "s" << false << json("null") << json("\"a\"")
                                              << json("\"b\"") << json("\"b\"") << false << false;
    QTest::newRow("only mine changed") << "s" << true << json("\"a\"") << json("\"m\"")
                                       << json("\"a\"") << json("\"m\"") << true << false;
    QTest::newRow("same change both sides") << "s" << true << json("\"a\"") << json("\"x\"")
                                            << json("\"x\"") << json("\"x\"") << false << false;
    QTest::newRow("string both changed") << "s" << true << json("\"a\"") << json("\"m\"")
                                         << json("\"t\"") << json("\"m\"") << true << true;
    QTest::newRow("text both changed") << "t" << true << json("\"a\\nb\"") << json("\"a\\nB\"")
                                       << json("\"A\\nb\"") << json("\"A\\nB\"") << true << false;
    QTest::newRow("int both changed")
        << "n" << true << json("1") << json("2") << json("3") << json("2") << true << true;
    QTest::newRow("int equal values")
        << "n" << true << json("1") << json("2") << json("2.0") << json("2") << false << false;
    QTest::newRow("bool cleared vs set") << "b" << true << json("true") << json("null")
                                         << json("false") << json("null") << true << true;
    QTest::newRow("refs both added") << "r" << true << json("[]") << json("[\"b\"]")
                                     << json("[\"c\"]") << json("[\"b\",\"c\"]") << true << false;
    QTest::newRow("refs add and remove") << "r" << true << json("[\"a\"]") << json("[\"a\",\"b\"]")
                                         << json("[]") << json("[\"b\"]") << true << false;
    QTest::newRow("refs same result")
        << "r" << true << json("[\"a\"]") << json("[\"a\",\"b\"]") << json("[\"b\",\"a\"]")
        << json("[\"a\",\"b\"]") << false << false;
}

void TestReconcile::fieldMerge()
{
    QFETCH(QString, field);
    QFETCH(bool, dirty);
    QFETCH(QJsonValue, base);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(QJsonValue, result);
    QFETCH(bool, stillDirty);
    QFETCH(bool, conflict);

    LocalRecord local = synced(5);
    local.fields.insert(field, mine);
    if (dirty) {
        local.dirty.append(field);
        local.base.insert(field, base);
        local.status = SyncStatus::NeedsSync;
    }
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(7, {{field, theirs}}), c);
    QVERIFY2(sameValue(local.fields.value(field), result),
             QJsonDocument(QJsonArray {local.fields.value(field)}).toJson().constData());
    QCOMPARE(local.isDirty(field), stillDirty);
    QCOMPARE(!c.isEmpty(), conflict);
    QCOMPARE(local.rev, 7);
    if (conflict) {
        QCOMPARE(local.status, SyncStatus::Conflicted);
        QVERIFY(sameValue(c.field(field)->base, base));
        QVERIFY(sameValue(c.field(field)->mine, mine));
        QVERIFY(sameValue(c.field(field)->theirs, theirs));
        QCOMPARE(c.theirsUser, QStringLiteral("bob"));
        // Resolving against theirs later is a plain change on top of the server's value.
        QVERIFY(sameValue(local.base.value(field), theirs));
    } else {
        QCOMPARE(local.status, stillDirty ? SyncStatus::NeedsSync : SyncStatus::Synced);
    }
}

void TestReconcile::mergeSets_data()
{
    QTest::addColumn<QJsonValue>("base");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<QJsonValue>("merged");
    QTest::newRow("disjoint adds")
        << json("[]") << json("[\"a\"]") << json("[\"b\"]") << json("[\"a\",\"b\"]");
    QTest::newRow("both remove") << json("[\"a\",\"b\"]") << json("[\"b\"]") << json("[\"a\"]")
                                 << json("[]");
    QTest::newRow("one removes one keeps")
        << json("[\"a\"]") << json("[\"a\"]") << json("[]") << json("[]");
    QTest::newRow("null base") << json("null") << json("[\"a\"]") << json("[\"b\"]")
                               << json("[\"a\",\"b\"]");
}

void TestReconcile::mergeSets()
{
    QFETCH(QJsonValue, base);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(QJsonValue, merged);
    QCOMPARE(Reconcile::mergeSets(base, mine, theirs), merged);
}

void TestReconcile::unknownFieldsAreKept()
{
    LocalRecord local = synced(1);
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(2,
                                  {{QStringLiteral("s"), QStringLiteral("x")},
                                   {QStringLiteral("mood"), QStringLiteral("sunny")}}),
                           c);
    QCOMPARE(local.extra.value(QStringLiteral("mood")).toString(), QStringLiteral("sunny"));
    QVERIFY(!local.fields.contains(QStringLiteral("mood")));
    QJsonObject pushed;
    local.dirty = {QStringLiteral("s")};
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QVERIFY(!m.fields.contains(QStringLiteral("mood"))); // never sent back as a change...
}

void TestReconcile::remoteDeleteOfCleanRecord()
{
    LocalRecord local = synced(3);
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(4, {}, true), c);
    QVERIFY(local.deleted);
    QVERIFY(c.isEmpty());
    QCOMPARE(local.status, SyncStatus::Synced);
}

void TestReconcile::remoteDeleteOfEditedRecordConflicts()
{
    LocalRecord local = synced(3);
    local.fields.insert(QStringLiteral("s"), QStringLiteral("mine"));
    local.dirty = {QStringLiteral("s")};
    local.base.insert(QStringLiteral("s"), QStringLiteral("old"));
    Conflict c;
    Reconcile::applyRemote(entity(), local, remote(4, {}, true), c);
    QVERIFY(!local.deleted); // still shows this device's side
    QVERIFY(c.theirsDeleted);
    QCOMPARE(local.status, SyncStatus::Conflicted);

    Reconcile::resolve(entity(), local, c, Resolution::KeepMine);
    QVERIFY(c.isEmpty());
    QJsonObject pushed;
    const Wire::Mutation restore = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(restore.deleted, false);
    QVERIFY(local.isDirty(kDeletedFlag)); // the restore is sent
    QCOMPARE(restore.base, 4);
    QCOMPARE(restore.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
}

void TestReconcile::localDeleteOfRemotelyEditedRecordConflicts()
{
    LocalRecord local = synced(3);
    local.deleted = true;
    local.dirty = {QString(kDeletedFlag)};
    local.base.insert(QString(kDeletedFlag), false);
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(5, {{QStringLiteral("s"), QStringLiteral("theirs")}}), c);
    QVERIFY(c.mineDeleted);
    QVERIFY(local.deleted);
    Reconcile::resolve(entity(), local, c, Resolution::KeepTheirs);
    QVERIFY(!local.deleted);
    QCOMPARE(local.fields.value(QStringLiteral("s")).toString(), QStringLiteral("theirs"));
    QCOMPARE(local.status, SyncStatus::Synced);
}

void TestReconcile::pushAppliedKeepsEditsMadeInFlight()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("typed later")}, {QStringLiteral("n"), 9}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("n")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}, {QStringLiteral("n"), 1}};
    const QJsonObject pushed {{QStringLiteral("s"), QStringLiteral("sent")},
                              {QStringLiteral("n"), 9}};
    Wire::MutationResult result;
    result.guid = kGuid;
    result.status = Wire::PushStatus::Applied;
    result.rev = 6;
    Conflict c;
    Reconcile::applyPushResult(entity(), local, pushed, result, c);
    QCOMPARE(local.rev, 6);
    QVERIFY(!local.isDirty(QStringLiteral("n")));
    QVERIFY(local.isDirty(QStringLiteral("s")));
    QCOMPARE(local.base.value(QStringLiteral("s")).toString(), QStringLiteral("sent"));
    QCOMPARE(local.status, SyncStatus::NeedsSync);
}

void TestReconcile::pushConflictKeepsMineAndRecordsTheirs()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("mine")}, {QStringLiteral("n"), 4}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("n")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}, {QStringLiteral("n"), 1}};
    Wire::MutationResult result;
    result.guid = kGuid;
    result.status = Wire::PushStatus::Conflict;
    result.rev = 8;
    result.conflicts = {QStringLiteral("s")};
    result.hasRecord = true;
    result.record
        = remote(8, {{QStringLiteral("s"), QStringLiteral("theirs")}, {QStringLiteral("n"), 4}});
    Conflict c;
    Reconcile::applyPushResult(
        entity(), local, {{QStringLiteral("s"), QStringLiteral("mine")}, {QStringLiteral("n"), 4}},
        result, c);
    QCOMPARE(local.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
    QVERIFY(!local.isDirty(QStringLiteral("n")));
    QCOMPARE(c.fields.size(), 1);
    QCOMPARE(c.field(QStringLiteral("s"))->theirs.toString(), QStringLiteral("theirs"));
    QCOMPARE(c.field(QStringLiteral("s"))->base.toString(), QStringLiteral("orig"));
    QCOMPARE(c.theirsRev, 8);
    QCOMPARE(local.status, SyncStatus::Conflicted);
}

void TestReconcile::mutationSendsOnlyDirtyFieldsAndSetOps()
{
    LocalRecord local = synced(4);
    local.fields = {{QStringLiteral("s"), QStringLiteral("x")},
                    {QStringLiteral("n"), 1},
                    {QStringLiteral("r"), QJsonArray {QStringLiteral("b"), QStringLiteral("c")}}};
    local.dirty = {QStringLiteral("s"), QStringLiteral("r")};
    local.base = {{QStringLiteral("s"), QStringLiteral("w")},
                  {QStringLiteral("r"), QJsonArray {QStringLiteral("a"), QStringLiteral("b")}}};
    QJsonObject pushed;
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(m.base, 4);
    QCOMPARE(m.fields.keys(), QStringList {QStringLiteral("s")});
    QCOMPARE(m.sets.value(QStringLiteral("r")).add, QStringList {QStringLiteral("c")});
    QCOMPARE(m.sets.value(QStringLiteral("r")).remove, QStringList {QStringLiteral("a")});
    QCOMPARE(pushed.keys(), (QStringList {QStringLiteral("r"), QStringLiteral("s")}));
}

void TestReconcile::resolveKeepMineRebasesOnTheirs()
{
    LocalRecord local = synced(2);
    local.fields = {{QStringLiteral("s"), QStringLiteral("mine")}};
    local.dirty = {QStringLiteral("s")};
    local.base = {{QStringLiteral("s"), QStringLiteral("orig")}};
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(9, {{QStringLiteral("s"), QStringLiteral("theirs")}}), c);
    Reconcile::resolve(entity(), local, c, Resolution::KeepMine);
    QJsonObject pushed;
    const Wire::Mutation m = Reconcile::mutationFor(entity(), local, &pushed);
    QCOMPARE(m.base, 9); // based on the server's revision: a further change conflicts again
    QCOMPARE(m.fields.value(QStringLiteral("s")).toString(), QStringLiteral("mine"));
    QCOMPARE(local.status, SyncStatus::NeedsSync);
}

// Both sides changed one field of each type, seen through a pull (applyRemote) and through
// the answer to this device's push (applyPushResult): the same outcome either way.
void TestReconcile::typeRules_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<QJsonValue>("base");
    QTest::addColumn<QJsonValue>("mine");
    QTest::addColumn<QJsonValue>("theirs");
    QTest::addColumn<QJsonValue>("result");
    QTest::addColumn<bool>("stillDirty"); // the result is this device's change to push
    QTest::addColumn<bool>("conflict");
    QTest::addColumn<bool>("merged"); // reported as merged from both sides

    auto row = [](const char *name, const char *field, const char *base, const char *mine,
                  const char *theirs, const char *result, bool stillDirty, bool conflict,
                  bool merged) {
        QTest::newRow(name) << QString::fromLatin1(field) << json(base) << json(mine)
                            << json(theirs) << json(result) << stillDirty << conflict << merged;
    };

    // Equal values never conflict, whatever the type.
    row("string equal", "s", R"("a")", R"("x")", R"("x")", R"("x")", false, false, false);
    row("text equal", "t", R"("a\n")", R"("x\n")", R"("x\n")", R"("x\n")", false, false, false);
    row("int equal", "n", "1", "2", "2.0", "2", false, false, false);
    row("real equal", "x", "1.5", "2.25", "2.25", "2.25", false, false, false);
    row("bool equal", "b", "false", "true", "true", "true", false, false, false);
    row("datetime equal", "d", R"("2026-01-01T00:00:00.000Z")", R"("2026-11-21T09:30:00.000Z")",
        R"("2026-11-21T09:30:00.000Z")", R"("2026-11-21T09:30:00.000Z")", false, false, false);
    row("datetime same instant written differently", "d", R"("2026-01-01T00:00:00.000Z")",
        R"("2026-11-21T09:30:00.000Z")", R"("2026-11-21T10:30:00+01:00")",
        R"("2026-11-21T10:30:00+01:00")", false, false, false);
    row("ref equal", "f", R"("0193a1f4-0000-7000-8000-000000000001")",
        R"("0193a1f4-0000-7000-8000-000000000002")", R"("0193a1f4-0000-7000-8000-000000000002")",
        R"("0193a1f4-0000-7000-8000-000000000002")", false, false, false);
    row("refs equal in another order", "r", "[]", R"(["b","a"])", R"(["a","b"])", R"(["a","b"])",
        false, false, false);
    row("null equal", "t", R"("a")", "null", "null", "null", false, false, false);

    // Different values: a conflict, except where a merge keeps both changes.
    row("string different", "s", R"("a")", R"("m")", R"("t")", R"("m")", true, true, false);
    row("string edits are not spliced", "s", R"("ferry times")", R"("new ferry times")",
        R"("ferry times 2026")", R"("new ferry times")", true, true, false);
    row("string whitespace on both", "s", R"("a b")", R"("a  b")", R"("a b ")", R"("a  b")", true,
        false, true);
    row("string whitespace gives way to words", "s", R"("ferry times")", R"("ferry  times")",
        R"("ferry timetable")", R"("ferry timetable")", false, false, true);
    row("int different", "n", "1", "2", "3", "2", true, true, false);
    row("real different", "x", "1.5", "2.5", "3.5", "2.5", true, true, false);
    row("bool cleared vs set", "b", "true", "null", "false", "null", true, true, false);
    row("datetime different", "d", R"("2026-01-01T00:00:00.000Z")", R"("2026-02-01T00:00:00.000Z")",
        R"("2026-03-01T00:00:00.000Z")", R"("2026-02-01T00:00:00.000Z")", true, true, false);
    row("ref different", "f", "null", R"("0193a1f4-0000-7000-8000-000000000001")",
        R"("0193a1f4-0000-7000-8000-000000000002")", R"("0193a1f4-0000-7000-8000-000000000001")",
        true, true, false);
    row("refs both added", "r", "[]", R"(["b"])", R"(["c"])", R"(["b","c"])", true, false, true);
    row("refs add and remove", "r", R"(["a"])", R"(["a","b"])", "[]", R"(["b"])", true, false,
        true);
    row("refs merge gives theirs", "r", R"(["a","b"])", R"(["a"])", R"([])", "[]", false, false,
        true);

    // Text: stretches changed on one side merge; the same words changed differently conflict.
    row("text different lines", "t", R"("a\nb\nc\n")", R"("A\nb\nc\n")", R"("a\nb\nC\n")",
        R"("A\nb\nC\n")", true, false, true);
    row("text different words", "t", R"("the quick brown fox")", R"("the slow brown fox")",
        R"("the quick brown dog")", R"("the slow brown dog")", true, false, true);
    row("text same words changed", "t", R"("the quick fox")", R"("the slow fox")",
        R"("the fast fox")", R"("the slow fox")", true, true, false);
    row("text both appended lines", "t", R"("a\n")", R"("a\nb\n")", R"("a\nc\n")", R"("a\nb\n")",
        true, true, false);
    row("text whitespace only differs", "t", R"("a b\n")", R"("a  b\n")", R"("a b \n")",
        R"("a  b\n")", true, false, true);
    row("text whitespace gives way to words", "t", R"("one two three")", R"("one two  three")",
        R"("one two 3")", R"("one two 3")", false, false, true);
    row("text from nothing on both", "t", "null", R"("x\n")", R"("y\n")", R"("x\n")", true, true,
        false);
    row("text cleared vs edited", "t", R"("a\nb\n")", "null", R"("a\nB\n")", "null", true, true,
        false);
    row("text crlf", "t", R"("a\r\nb\r\n")", R"("A\r\nb\r\n")", R"("a\r\nB\r\n")",
        R"("A\r\nB\r\n")", true, false, true);
    row("text unicode", "t", R"("Grüße aus Köln")", R"("Grüße aus München")",
        R"("Liebe Grüße aus Köln")", R"("Liebe Grüße aus München")", true, false, true);
}

void TestReconcile::typeRules()
{
    QFETCH(QString, field);
    QFETCH(QJsonValue, base);
    QFETCH(QJsonValue, mine);
    QFETCH(QJsonValue, theirs);
    QFETCH(QJsonValue, result);
    QFETCH(bool, stillDirty);
    QFETCH(bool, conflict);
    QFETCH(bool, merged);

    for (const bool viaPush : {false, true}) {
        const QByteArray path = viaPush ? "push answer" : "pull";
        LocalRecord local = synced(5);
        local.fields.insert(field, mine);
        local.dirty.append(field);
        local.base.insert(field, base);
        local.status = SyncStatus::NeedsSync;
        Conflict c;
        QStringList reported;
        if (viaPush) {
            // The server conflicts on any other value; an equal one it merges.
            Wire::MutationResult answer;
            answer.guid = kGuid;
            answer.status = theirs == mine ? Wire::PushStatus::Merged : Wire::PushStatus::Conflict;
            if (answer.status == Wire::PushStatus::Conflict)
                answer.conflicts = {field};
            answer.rev = 7;
            answer.hasRecord = true;
            answer.record = remote(7, {{field, theirs}});
            Reconcile::applyPushResult(entity(), local, {{field, mine}}, answer, c, &reported);
        } else {
            Reconcile::applyRemote(entity(), local, remote(7, {{field, theirs}}), c, &reported);
        }
        QVERIFY2(
            local.fields.value(field) == result,
            QByteArray(path + ": " + QJsonDocument(QJsonArray {local.fields.value(field)}).toJson())
                .constData());
        QVERIFY2(local.isDirty(field) == stillDirty, path.constData());
        QVERIFY2(!c.isEmpty() == conflict, path.constData());
        QVERIFY2(reported == (merged ? QStringList {field} : QStringList {}), path.constData());
        QCOMPARE(local.rev, 7);
        QCOMPARE(local.status,
                 conflict ? SyncStatus::Conflicted
                          : (stillDirty ? SyncStatus::NeedsSync : SyncStatus::Synced));
        if (stillDirty) {
            // What is pushed next is a change on top of the server's value.
            QVERIFY2(local.base.value(field) == theirs, path.constData());
            QJsonObject pushed;
            const Wire::Mutation next = Reconcile::mutationFor(entity(), local, &pushed);
            QCOMPARE(next.base, 7);
            QVERIFY2(sameValue(pushed.value(field), result), path.constData());
        }
        if (conflict) {
            QVERIFY2(c.field(field), path.constData());
            QVERIFY(c.field(field)->base == base);
            QVERIFY(c.field(field)->mine == mine);
            QVERIFY(c.field(field)->theirs == theirs);
        }
    }
}

void TestReconcile::unknownFieldsKeptVerbatim_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::newRow("string") << json(R"("  spaced  ")");
    QTest::newRow("number") << json("12.5");
    QTest::newRow("null") << json("null");
    QTest::newRow("object") << json(R"({"nested": [1, "two", {"three": true}]})");
    QTest::newRow("array") << json(R"(["b", "a", "b"])");
}

void TestReconcile::unknownFieldsKeptVerbatim()
{
    QFETCH(QJsonValue, value);
    const QString unknown = QStringLiteral("mood");
    for (const bool viaPush : {false, true}) {
        LocalRecord local = synced(1);
        local.fields.insert(QStringLiteral("t"), QStringLiteral("mine\n"));
        local.dirty = {QStringLiteral("t")};
        local.base.insert(QStringLiteral("t"), QStringLiteral("base\n"));
        local.extra.insert(unknown, QStringLiteral("older"));
        const Wire::RemoteRecord theirs
            = remote(2, {{QStringLiteral("t"), QStringLiteral("theirs\n")}, {unknown, value}});
        Conflict c;
        if (viaPush) {
            Wire::MutationResult answer;
            answer.guid = kGuid;
            answer.status = Wire::PushStatus::Conflict;
            answer.conflicts = {QStringLiteral("t")};
            answer.rev = 2;
            answer.hasRecord = true;
            answer.record = theirs;
            Reconcile::applyPushResult(
                entity(), local, {{QStringLiteral("t"), QStringLiteral("mine\n")}}, answer, c);
        } else {
            Reconcile::applyRemote(entity(), local, theirs, c);
        }
        QVERIFY(local.extra.value(unknown) == value);
        QVERIFY(!local.fields.contains(unknown));
        QVERIFY(!local.isDirty(unknown));
        QVERIFY(c.field(QStringLiteral("t"))); // the known field conflicts as usual
    }
}

void TestReconcile::textInConflictStaysInConflict()
{
    // Once a text field is in conflict its base is the server's value, no longer what this
    // device's text grew from: a later change on the server updates the conflict instead of
    // merging against that base.
    LocalRecord local = synced(2);
    local.fields.insert(QStringLiteral("t"), QStringLiteral("a\nmine\nc\n"));
    local.dirty = {QStringLiteral("t")};
    local.base.insert(QStringLiteral("t"), QStringLiteral("a\nb\nc\n"));
    Conflict c;
    Reconcile::applyRemote(entity(), local,
                           remote(3, {{QStringLiteral("t"), QStringLiteral("a\ntheirs\nc\n")}}), c);
    QVERIFY(c.field(QStringLiteral("t")));
    QStringList reported;
    Reconcile::applyRemote(entity(), local,
                           remote(4, {{QStringLiteral("t"), QStringLiteral("A\ntheirs\nc\n")}}), c,
                           &reported);
    QVERIFY(reported.isEmpty());
    QCOMPARE(c.field(QStringLiteral("t"))->base.toString(), QStringLiteral("a\nb\nc\n"));
    QCOMPARE(c.field(QStringLiteral("t"))->theirs.toString(), QStringLiteral("A\ntheirs\nc\n"));
    QCOMPARE(local.fields.value(QStringLiteral("t")).toString(), QStringLiteral("a\nmine\nc\n"));
    QCOMPARE(local.status, SyncStatus::Conflicted);
}

void TestReconcile::setMergedByTheServerIsReported()
{
    // Set operations never conflict on the server: it merges them and answers with the
    // result, which holds members this device did not send.
    LocalRecord local = synced(3);
    local.fields.insert(QStringLiteral("r"), json(R"(["b"])"));
    local.dirty = {QStringLiteral("r")};
    local.base.insert(QStringLiteral("r"), json("[]"));
    Wire::MutationResult answer;
    answer.guid = kGuid;
    answer.status = Wire::PushStatus::Merged;
    answer.rev = 5;
    answer.hasRecord = true;
    answer.record = remote(5, {{QStringLiteral("r"), json(R"(["a","b"])")}});
    Conflict c;
    QStringList reported;
    Reconcile::applyPushResult(entity(), local, {{QStringLiteral("r"), json(R"(["b"])")}}, answer,
                               c, &reported);
    QCOMPARE(reported, QStringList {QStringLiteral("r")});
    QCOMPARE(local.fields.value(QStringLiteral("r")), json(R"(["a","b"])"));
    QCOMPARE(local.status, SyncStatus::Synced);

    // Nothing else came in: nothing merged.
    local.fields.insert(QStringLiteral("r"), json(R"(["a","b","c"])"));
    local.dirty = {QStringLiteral("r")};
    local.base.insert(QStringLiteral("r"), json(R"(["a","b"])"));
    answer.status = Wire::PushStatus::Applied;
    answer.rev = 6;
    answer.record = remote(6, {{QStringLiteral("r"), json(R"(["a","b","c"])")}});
    reported.clear();
    Reconcile::applyPushResult(entity(), local, {{QStringLiteral("r"), json(R"(["a","b","c"])")}},
                               answer, c, &reported);
    QVERIFY(reported.isEmpty());
    QCOMPARE(local.status, SyncStatus::Synced);
}

QTEST_GUILESS_MAIN(TestReconcile)
#include "tst_reconcile.moc"
