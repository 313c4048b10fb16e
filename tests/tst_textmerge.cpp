// Three-way text merge and word differences, case by case.
#include "testprint.h"
#include "textmerge.h"

#include <QElapsedTimer>
#include <QTest>

namespace QTest {
template<> inline char *toString(const Ferry::TextMerge::Hunk::Kind &kind)
{
    static const char *const names[] = {"same", "mine", "theirs", "both", "conflict"};
    return qstrdup(names[int(kind)]);
}
} // namespace QTest

using namespace Ferry;
using namespace Ferry::TextMerge;
using namespace Qt::StringLiterals;

namespace {

// Conflict hunks as base, mine, theirs, one after the other.
QStringList conflictTexts(const TextMerge::Result &result)
{
    QStringList texts;
    for (const Hunk &hunk : result.hunks) {
        if (hunk.kind == Hunk::Kind::Conflict)
            texts << hunk.base << hunk.mine << hunk.theirs;
    }
    return texts;
}

// Changed segments in [brackets].
QString render(const QList<Segment> &segments)
{
    QString text;
    for (const Segment &s : segments)
        text += s.changed ? u'[' + s.text + u']' : s.text;
    return text;
}

} // namespace

class TestTextMerge : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void merge_data();
    void merge();
    void hunksAreSmall();
    void largeTextMergesQuickly();
    void changes_data();
    void changes();
};

void TestTextMerge::merge_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("mine");
    QTest::addColumn<QString>("theirs");
    QTest::addColumn<QString>("merged");
    // Every conflict hunk as base, mine, theirs; empty for a clean merge.
    QTest::addColumn<QStringList>("conflicts");

    const QString para = u"First paragraph, about the harbour.\n\n"
                         u"Second paragraph, about the ferry.\n\n"
                         u"Third paragraph, about the weather.\n"_s;

    // Clean merges.
    QTest::newRow("different lines")
        << u"a\nb\nc\n"_s << u"A\nb\nc\n"_s << u"a\nb\nC\n"_s << u"A\nb\nC\n"_s << QStringList();
    QTest::newRow("different paragraphs")
        << para << QString(para).replace(u"harbour"_s, u"old harbour"_s)
        << QString(para).replace(u"weather"_s, u"rain"_s) + u"\nA fourth one.\n"_s
        << QString(para).replace(u"harbour"_s, u"old harbour"_s).replace(u"weather"_s, u"rain"_s)
            + u"\nA fourth one.\n"_s
        << QStringList();
    QTest::newRow("different words in one line")
        << u"the quick brown fox\n"_s << u"the slow brown fox\n"_s << u"the quick brown dog\n"_s
        << u"the slow brown dog\n"_s << QStringList();
    QTest::newRow("neighbouring words")
        << u"the quick brown fox"_s << u"the slow brown fox"_s << u"the quick red fox"_s
        << u"the slow red fox"_s << QStringList();
    QTest::newRow("insertions at different places")
        << u"a\nb\nc\nd\n"_s << u"a\nX\nb\nc\nd\n"_s << u"a\nb\nc\nY\nd\n"_s
        << u"a\nX\nb\nc\nY\nd\n"_s << QStringList();
    QTest::newRow("mine only") << u"a\nb\n"_s << u"a\nB\nc\n"_s << u"a\nb\n"_s << u"a\nB\nc\n"_s
                               << QStringList();
    QTest::newRow("theirs only") << u"a\nb\n"_s << u"a\nb\n"_s << u"A\nb\n"_s << u"A\nb\n"_s
                                 << QStringList();
    QTest::newRow("delete and edit of different lines")
        << u"a\nb\nc\nd\n"_s << u"b\nc\nd\n"_s << u"a\nb\nc\nD\n"_s << u"b\nc\nD\n"_s
        << QStringList();
    QTest::newRow("final newline added on one side")
        << u"a\nb"_s << u"a\nb\n"_s << u"A\nb"_s << u"A\nb\n"_s << QStringList();

    // True conflicts: only the words both changed.
    QTest::newRow("same word changed differently")
        << u"the quick fox\n"_s << u"the slow fox\n"_s << u"the fast fox\n"_s << u"the slow fox\n"_s
        << QStringList {u"quick"_s, u"slow"_s, u"fast"_s};
    QTest::newRow("both appended different lines")
        << u"a\n"_s << u"a\nb\n"_s << u"a\nc\n"_s << u"a\nb\n"_s
        << QStringList {u""_s, u"b\n"_s, u"c\n"_s};
    QTest::newRow("both appended to the last line")
        << u"a"_s << u"a b"_s << u"a c"_s << u"a b"_s << QStringList {u""_s, u" b"_s, u" c"_s};
    QTest::newRow("delete and edit of the same line")
        << u"a\nb\nc\n"_s << u"a\nc\n"_s << u"a\nB\nc\n"_s << u"a\nc\n"_s
        << QStringList {u"b\n"_s, u""_s, u"B\n"_s};
    QTest::newRow("one conflict among clean changes")
        << u"one two three\nfour five six\n"_s << u"ONE two three\nfour 5 six\n"_s
        << u"one two THREE\nfour V six\n"_s << u"ONE two THREE\nfour 5 six\n"_s
        << QStringList {u"five"_s, u"5"_s, u"V"_s};
    QTest::newRow("mine deletes everything, theirs edits")
        << u"a\nb\n"_s << QString() << u"a\nB\n"_s << QString()
        << QStringList {u"a\nb\n"_s, u""_s, u"a\nB\n"_s};

    // Identical edits.
    QTest::newRow("identical edit")
        << u"a\nb\n"_s << u"a\nB\n"_s << u"a\nB\n"_s << u"a\nB\n"_s << QStringList();
    QTest::newRow("identical append")
        << u"a"_s << u"a and more"_s << u"a and more"_s << u"a and more"_s << QStringList();
    QTest::newRow("both delete the same line")
        << u"a\nb\nc\n"_s << u"a\nc\n"_s << u"a\nc\n"_s << u"a\nc\n"_s << QStringList();
    QTest::newRow("nothing changed")
        << u"a\nb\n"_s << u"a\nb\n"_s << u"a\nb\n"_s << u"a\nb\n"_s << QStringList();

    // Whitespace.
    QTest::newRow("whitespace on mine, words on theirs")
        << u"one two three\n"_s << u"one two  three\n"_s << u"one two 3\n"_s << u"one two 3\n"_s
        << QStringList();
    QTest::newRow("words on mine, whitespace on theirs")
        << u"one two three\n"_s << u"one two 3\n"_s << u"one two  three\n"_s << u"one two 3\n"_s
        << QStringList();
    QTest::newRow("both whitespace, differently")
        << u"a b\n"_s << u"a  b\n"_s << u"a\tb\n"_s << u"a  b\n"_s << QStringList();
    QTest::newRow("reindented line, edited word")
        << u"  x = 1\n"_s << u"    x = 1\n"_s << u"  x = 2\n"_s << u"    x = 2\n"_s
        << QStringList();
    QTest::newRow("same words moved across a blank line")
        << u"\n"_s << u"a b\n\n"_s << u"a\n\nb\n"_s << u"a b\n\n"_s << QStringList();
    QTest::newRow("trailing spaces on both, words on one")
        << u"end\n"_s << u"end  \n"_s << u"the end \n"_s << u"the end  \n"_s << QStringList();

    // Empty texts.
    QTest::newRow("all empty") << QString() << QString() << QString() << QString() << QStringList();
    QTest::newRow("empty base, mine wrote")
        << QString() << u"x\n"_s << QString() << u"x\n"_s << QStringList();
    QTest::newRow("empty base, same text")
        << QString() << u"x\n"_s << u"x\n"_s << u"x\n"_s << QStringList();
    QTest::newRow("empty base, different text")
        << QString() << u"x\n"_s << u"y\n"_s << u"x\n"_s << QStringList {u""_s, u"x\n"_s, u"y\n"_s};
    QTest::newRow("mine deletes everything")
        << u"a\nb\n"_s << QString() << u"a\nb\n"_s << QString() << QStringList();
    QTest::newRow("theirs deletes everything")
        << u"a\nb\n"_s << u"a\nb\n"_s << QString() << QString() << QStringList();
    QTest::newRow("both delete everything")
        << u"a\nb\n"_s << QString() << QString() << QString() << QStringList();

    // Line ends.
    QTest::newRow("crlf") << u"a\r\nb\r\nc\r\n"_s << u"A\r\nb\r\nc\r\n"_s << u"a\r\nb\r\nC\r\n"_s
                          << u"A\r\nb\r\nC\r\n"_s << QStringList();
    QTest::newRow("crlf conflict") << u"a\r\nb\r\n"_s << u"a\r\nx\r\n"_s << u"a\r\ny\r\n"_s
                                   << u"a\r\nx\r\n"_s << QStringList {u"b"_s, u"x"_s, u"y"_s};
    QTest::newRow("line ends converted, word edited")
        << u"a b\nc d\n"_s << u"a b\r\nc d\r\n"_s << u"A b\nc d\n"_s << u"A b\r\nc d\r\n"_s
        << QStringList();
    QTest::newRow("lone cr") << u"a\rb\rc"_s << u"A\rb\rc"_s << u"a\rb\rC"_s << u"A\rb\rC"_s
                             << QStringList();

    // Beyond ASCII.
    QTest::newRow("umlauts") << u"Grüße aus Köln\n"_s << u"Grüße aus München\n"_s
                             << u"Liebe Grüße aus Köln\n"_s << u"Liebe Grüße aus München\n"_s
                             << QStringList();
    QTest::newRow("emoji") << u"ok 👍\n"_s << u"ok 👍🎉\n"_s << u"OK 👍\n"_s << u"OK 👍🎉\n"_s
                           << QStringList();
    QTest::newRow("emoji conflict") << u"ok 👍\n"_s << u"ok 🎉\n"_s << u"ok 🚀\n"_s << u"ok 🎉\n"_s
                                    << QStringList {u"👍"_s, u"🎉"_s, u"🚀"_s};
    QTest::newRow("chinese") << u"我喜欢猫\n"_s << u"我喜欢狗\n"_s << u"你喜欢猫\n"_s
                             << u"你喜欢狗\n"_s << QStringList();
    QTest::newRow("combining marks")
        << u"cafe\u0301 noir\n"_s << u"cafe\u0301 blanc\n"_s << u"Cafe\u0301 noir\n"_s
        << u"Cafe\u0301 blanc\n"_s << QStringList();
}

void TestTextMerge::merge()
{
    QFETCH(QString, base);
    QFETCH(QString, mine);
    QFETCH(QString, theirs);
    QFETCH(QString, merged);
    QFETCH(QStringList, conflicts);

    const TextMerge::Result result = TextMerge::merge(base, mine, theirs);
    QCOMPARE(result.text(), merged);
    QCOMPARE(result.conflicts(), int(conflicts.size() / 3));
    QCOMPARE(result.isClean(), conflicts.isEmpty());
    QCOMPARE(conflictTexts(result), conflicts);

    // The hunks give back the three inputs, and each says truly what it is.
    QString joinedBase, joinedMine, joinedTheirs;
    for (const Hunk &hunk : result.hunks) {
        QVERIFY2(!hunk.base.isEmpty() || !hunk.mine.isEmpty() || !hunk.theirs.isEmpty(),
                 "an empty hunk");
        if (hunk.kind == Hunk::Kind::Same) {
            QCOMPARE(hunk.mine, hunk.base);
            QCOMPARE(hunk.theirs, hunk.base);
        } else {
            QVERIFY(hunk.mine != hunk.base || hunk.theirs != hunk.base);
        }
        joinedBase += hunk.base;
        joinedMine += hunk.mine;
        joinedTheirs += hunk.theirs;
    }
    QCOMPARE(joinedBase, base);
    QCOMPARE(joinedMine, mine);
    QCOMPARE(joinedTheirs, theirs);

    // The two sides are treated alike: swapped, the same stretches conflict.
    const TextMerge::Result swapped = TextMerge::merge(base, theirs, mine);
    QCOMPARE(swapped.conflicts(), result.conflicts());
    if (result.isClean() && !result.hunks.isEmpty()) {
        bool preferredMine = false;
        for (const Hunk &hunk : result.hunks)
            preferredMine
                = preferredMine || (hunk.kind == Hunk::Kind::Both && hunk.mine != hunk.theirs);
        if (!preferredMine)
            QCOMPARE(swapped.text(), merged);
    }
}

void TestTextMerge::hunksAreSmall()
{
    // A conflict in one word of a long line is that word, with the rest of the line Same.
    const QString base = QStringLiteral("Ferry sails at nine from the north pier every day.\n");
    const QString mine = QStringLiteral("Ferry sails at ten from the north pier every day.\n");
    const QString theirs = QStringLiteral("Ferry sails at eight from the north pier every day!\n");
    const TextMerge::Result result = TextMerge::merge(base, mine, theirs);
    QCOMPARE(result.hunks.size(), 5);
    QCOMPARE(result.hunks[0].kind, Hunk::Kind::Same);
    QCOMPARE(result.hunks[0].base, QStringLiteral("Ferry sails at "));
    QCOMPARE(result.hunks[1].kind, Hunk::Kind::Conflict);
    QCOMPARE(result.hunks[1].mine, QStringLiteral("ten"));
    QCOMPARE(result.hunks[1].theirs, QStringLiteral("eight"));
    QCOMPARE(result.hunks[2].kind, Hunk::Kind::Same);
    QCOMPARE(result.hunks[3].kind, Hunk::Kind::Theirs);
    QCOMPARE(result.hunks[3].base, QStringLiteral("."));
    QCOMPARE(result.hunks[3].theirs, QStringLiteral("!"));
    QCOMPARE(result.hunks[4].base, QStringLiteral("\n"));
}

void TestTextMerge::largeTextMergesQuickly()
{
    // A long text with changes spread over it: the merge stays interactive.
    QStringList base, mine, theirs;
    for (int i = 0; i < 20000; ++i) {
        const QString line
            = QStringLiteral("Line %1 of a long document, with some words.\n").arg(i);
        base << line;
        mine << (i % 100 == 0 ? QStringLiteral("Line %1 changed here.\n").arg(i) : line);
        theirs << (i % 100 == 50 ? QStringLiteral("Line %1 changed there.\n").arg(i) : line);
    }
    QElapsedTimer clock;
    clock.start();
    const TextMerge::Result result
        = TextMerge::merge(base.join(QString()), mine.join(QString()), theirs.join(QString()));
    const qint64 elapsed = clock.elapsed();
    QVERIFY(result.isClean());
    QVERIFY(result.text().contains(QStringLiteral("Line 100 changed here.\n")));
    QVERIFY(result.text().contains(QStringLiteral("Line 150 changed there.\n")));
    QVERIFY2(elapsed < 3000, qPrintable(QStringLiteral("took %1 ms").arg(elapsed)));

    // Both sides rewrote every line: word by word everything conflicts, and the cost of
    // finding that out stays bounded.
    QString b, m, t;
    for (int i = 0; i < 1000; ++i) {
        b += QStringLiteral("base %1 alpha beta gamma delta epsilon\n").arg(i);
        m += QStringLiteral("mine %1 one two three four five\n").arg(i);
        t += QStringLiteral("theirs %1 uno dos tres cuatro cinco\n").arg(i);
    }
    clock.restart();
    const TextMerge::Result rewritten = TextMerge::merge(b, m, t);
    const qint64 rewriteElapsed = clock.elapsed();
    QVERIFY(!rewritten.isClean());
    QCOMPARE(rewritten.text(), m);
    QVERIFY2(rewriteElapsed < 10000, qPrintable(QStringLiteral("took %1 ms").arg(rewriteElapsed)));
}

void TestTextMerge::changes_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("marked");

    QTest::newRow("same") << u"the quick fox"_s << u"the quick fox"_s << u"the quick fox"_s;
    QTest::newRow("one word") << u"the quick fox"_s << u"the slow fox"_s << u"the [slow] fox"_s;
    QTest::newRow("neighbouring words")
        << u"the quick brown fox"_s << u"the slow red fox"_s << u"the [slow red] fox"_s;
    QTest::newRow("appended") << u"the fox"_s << u"the fox jumps"_s << u"the fox[ jumps]"_s;
    QTest::newRow("deleted only") << u"a b c"_s << u"a c"_s << u"a c"_s;
    QTest::newRow("empty base") << QString() << u"hello world"_s << u"[hello world]"_s;
    QTest::newRow("empty text") << u"hello"_s << QString() << QString();
    QTest::newRow("line end stays a boundary") << u"a\nb"_s << u"x\ny"_s << u"[x]\n[y]"_s;
    QTest::newRow("punctuation") << u"Hello, world."_s << u"Hello; world!"_s
                                 << u"Hello[;] world[!]"_s;
    QTest::newRow("unicode") << u"Grüße aus Köln"_s << u"Grüße aus München 🎉"_s
                             << u"Grüße aus [München 🎉]"_s;
}

void TestTextMerge::changes()
{
    QFETCH(QString, base);
    QFETCH(QString, text);
    QFETCH(QString, marked);

    const QList<Segment> segments = TextMerge::changes(base, text);
    QCOMPARE(render(segments), marked);
    QString joined;
    for (const Segment &s : segments) {
        QVERIFY(!s.text.isEmpty());
        joined += s.text;
    }
    QCOMPARE(joined, text);
}

QTEST_GUILESS_MAIN(TestTextMerge)
#include "tst_textmerge.moc"
