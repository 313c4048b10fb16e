#include "textmerge.h"

#include <QHash>

#include <dtl/dtl.hpp>

#include <vector>

namespace Ferry::TextMerge {

namespace {

using Tokens = QStringList;

// Lines with their terminators ("\n", "\r\n" or a lone "\r"), so joining them gives the text
// back exactly; the last line may have none.
Tokens lines(const QString &text)
{
    Tokens result;
    qsizetype start = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (c == u'\n' || (c == u'\r' && (i + 1 == text.size() || text[i + 1] != u'\n'))) {
            result.append(text.mid(start, i + 1 - start));
            start = i + 1;
        }
    }
    if (start < text.size())
        result.append(text.mid(start));
    return result;
}

enum class CharClass { Space, Word, Single };

CharClass classify(char32_t ucs4)
{
    if (QChar::isSpace(ucs4))
        return CharClass::Space;
    // Scripts written without spaces between words: each character counts as a word, so a
    // change to one does not take the whole sentence with it.
    switch (QChar::script(ucs4)) {
    case QChar::Script_Han:
    case QChar::Script_Hiragana:
    case QChar::Script_Katakana:
    case QChar::Script_Thai:
        return CharClass::Single;
    default:
        break;
    }
    if (QChar::isLetterOrNumber(ucs4) || QChar::isMark(ucs4) || ucs4 == U'_')
        return CharClass::Word;
    return CharClass::Single;
}

// Calls `token(start, length, isSpace)` for every word, run of whitespace (line ends
// included), and every other character on its own. A surrogate pair stays one character.
template<typename Callback> void forEachToken(QStringView text, Callback token)
{
    qsizetype start = 0;
    CharClass previous = CharClass::Single;
    for (qsizetype i = 0; i < text.size();) {
        char32_t ucs4 = text[i].unicode();
        qsizetype length = 1;
        if (text[i].isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            ucs4 = QChar::surrogateToUcs4(text[i], text[i + 1]);
            length = 2;
        }
        const CharClass current = classify(ucs4);
        if (i > start && (current != previous || current == CharClass::Single)) {
            token(start, i - start, previous == CharClass::Space);
            start = i;
        }
        previous = current;
        i += length;
    }
    if (start < text.size())
        token(start, text.size() - start, previous == CharClass::Space);
}

Tokens words(const QString &text)
{
    Tokens result;
    forEachToken(text, [&](qsizetype start, qsizetype length, bool) {
        result.append(text.mid(start, length));
    });
    return result;
}

// The words of a line without its whitespace, each followed by a separator: lines that
// differ in whitespace only have the same key.
QString lineKey(const QString &line)
{
    QString key;
    key.reserve(line.size());
    forEachToken(line, [&](qsizetype start, qsizetype length, bool space) {
        if (!space) {
            key += QStringView(line).sliced(start, length);
            key += QChar(0x1f);
        }
    });
    return key;
}

bool isSpace(const QString &token)
{
    return !token.isEmpty() && QChar::isSpace(token.front().unicode());
}

// The same words in the same order: the texts differ in whitespace at most.
bool sameWords(const QString &a, const QString &b)
{
    if (a == b)
        return true;
    const Tokens left = words(a), right = words(b);
    auto l = left.begin(), r = right.begin();
    for (;;) {
        while (l != left.end() && isSpace(*l))
            ++l;
        while (r != right.end() && isSpace(*r))
            ++r;
        if (l == left.end() || r == right.end())
            return l == left.end() && r == right.end();
        if (*l++ != *r++)
            return false;
    }
}

// Tokens as small integers, so the diff compares numbers rather than strings.
class Interner
{
public:
    int id(const QString &key)
    {
        auto it = m_ids.constFind(key);
        if (it == m_ids.cend())
            it = m_ids.insert(key, int(m_ids.size()));
        return *it;
    }
    std::vector<int> ids(const Tokens &tokens)
    {
        std::vector<int> result;
        result.reserve(size_t(tokens.size()));
        for (const QString &token : tokens)
            result.push_back(id(token));
        return result;
    }
    // Lines that differ in whitespace only get the same id.
    std::vector<int> lineIds(const Tokens &lines)
    {
        std::vector<int> result;
        result.reserve(size_t(lines.size()));
        for (const QString &line : lines)
            result.push_back(id(lineKey(line)));
        return result;
    }

private:
    QHash<QString, int> m_ids;
};

// For each token of `base`, the index of the token of `other` it is matched with in a longest
// common subsequence, or -1.
std::vector<qsizetype> match(const std::vector<int> &base, const std::vector<int> &other)
{
    std::vector<qsizetype> result(base.size(), -1);
    // Common ends need no diff; most edits touch a small middle part of a long text.
    size_t prefix = 0;
    while (prefix < base.size() && prefix < other.size() && base[prefix] == other[prefix]) {
        result[prefix] = qsizetype(prefix);
        ++prefix;
    }
    size_t suffix = 0;
    while (suffix < base.size() - prefix && suffix < other.size() - prefix
           && base[base.size() - 1 - suffix] == other[other.size() - 1 - suffix]) {
        result[base.size() - 1 - suffix] = qsizetype(other.size() - 1 - suffix);
        ++suffix;
    }
    if (prefix + suffix == base.size() || prefix + suffix == other.size())
        return result;

    const std::vector<int> a(base.begin() + qsizetype(prefix), base.end() - qsizetype(suffix));
    const std::vector<int> b(other.begin() + qsizetype(prefix), other.end() - qsizetype(suffix));
    dtl::Diff<int> diff(a, b);
    diff.compose();
    size_t i = prefix, j = prefix;
    for (const auto &step : diff.getSes().getSequence()) {
        switch (step.second.type) {
        case dtl::SES_COMMON:
            result[i++] = qsizetype(j++);
            break;
        case dtl::SES_DELETE:
            ++i;
            break;
        case dtl::SES_ADD:
            ++j;
            break;
        }
    }
    return result;
}

// A stretch of the three token lists: stable where all three agree, unstable otherwise.
struct Chunk
{
    bool stable = false;
    qsizetype base = 0, baseEnd = 0;
    qsizetype mine = 0, mineEnd = 0;
    qsizetype theirs = 0, theirsEnd = 0;
};

// Cuts three lists of token ids into alternating stable and unstable chunks: a stable chunk
// is a run of base tokens matched, one after the other, on both sides; an unstable chunk is
// what lies between two of them.
QList<Chunk> chunks(const std::vector<int> &base, const std::vector<int> &mine,
                    const std::vector<int> &theirs)
{
    const std::vector<qsizetype> toMine = match(base, mine);
    const std::vector<qsizetype> toTheirs = match(base, theirs);
    const auto nb = qsizetype(base.size()), nm = qsizetype(mine.size()),
               nt = qsizetype(theirs.size());

    QList<Chunk> result;
    qsizetype ib = 0, im = 0, it = 0;
    for (;;) {
        qsizetype run = 0;
        while (ib + run < nb && toMine[size_t(ib + run)] == im + run
               && toTheirs[size_t(ib + run)] == it + run)
            ++run;
        if (run > 0) {
            result.append(Chunk {true, ib, ib + run, im, im + run, it, it + run});
            ib += run;
            im += run;
            it += run;
            continue;
        }
        if (ib == nb && im == nm && it == nt)
            return result;
        qsizetype next = ib;
        while (next < nb && (toMine[size_t(next)] < 0 || toTheirs[size_t(next)] < 0))
            ++next;
        if (next == nb) {
            result.append(Chunk {false, ib, nb, im, nm, it, nt});
            return result;
        }
        const qsizetype nextMine = toMine[size_t(next)], nextTheirs = toTheirs[size_t(next)];
        result.append(Chunk {false, ib, next, im, nextMine, it, nextTheirs});
        ib = next;
        im = nextMine;
        it = nextTheirs;
    }
}

QString join(const Tokens &tokens, qsizetype from, qsizetype to)
{
    QString text;
    for (qsizetype i = from; i < to; ++i)
        text += tokens[i];
    return text;
}

void append(QList<Hunk> &hunks, Hunk hunk)
{
    if (hunk.base.isEmpty() && hunk.mine.isEmpty() && hunk.theirs.isEmpty())
        return;
    if (!hunks.isEmpty() && hunks.last().kind == hunk.kind) {
        Hunk &last = hunks.last();
        last.base += hunk.base;
        last.mine += hunk.mine;
        last.theirs += hunk.theirs;
        return;
    }
    hunks.append(std::move(hunk));
}

// What became of a stretch that is not the same on all three sides, whitespace rules
// included; Conflict when both sides changed its words differently.
Hunk::Kind kindOf(const QString &base, const QString &mine, const QString &theirs)
{
    if (mine == theirs)
        return mine == base ? Hunk::Kind::Same : Hunk::Kind::Both;
    if (mine == base)
        return Hunk::Kind::Theirs;
    if (theirs == base)
        return Hunk::Kind::Mine;
    if (sameWords(mine, theirs))
        return Hunk::Kind::Both;
    // A change in whitespace only gives way to a change of words.
    if (sameWords(mine, base))
        return Hunk::Kind::Theirs;
    if (sameWords(theirs, base))
        return Hunk::Kind::Mine;
    return Hunk::Kind::Conflict;
}

int countConflicts(const QList<Hunk> &hunks)
{
    int count = 0;
    for (const Hunk &hunk : hunks) {
        if (hunk.kind == Hunk::Kind::Conflict)
            ++count;
    }
    return count;
}

// Word by word diffs of stretches larger than this would take long (the diff's cost grows
// with length times differences); such a stretch is merged, or conflicts, as a whole.
constexpr qsizetype kMaxWordTokens = 20000;

// Merges a stretch of lines both sides changed, word by word.
void mergeWords(QList<Hunk> &hunks, const QString &base, const QString &mine, const QString &theirs)
{
    const Tokens b = words(base), m = words(mine), t = words(theirs);
    const Hunk::Kind whole = kindOf(base, mine, theirs);
    if (b.size() > kMaxWordTokens || m.size() > kMaxWordTokens || t.size() > kMaxWordTokens) {
        append(hunks, Hunk {whole, base, mine, theirs});
        return;
    }
    Interner interner;
    QList<Hunk> merged;
    for (const Chunk &c : chunks(interner.ids(b), interner.ids(m), interner.ids(t))) {
        Hunk hunk {Hunk::Kind::Same, join(b, c.base, c.baseEnd), join(m, c.mine, c.mineEnd),
                   join(t, c.theirs, c.theirsEnd)};
        if (!c.stable)
            hunk.kind = kindOf(hunk.base, hunk.mine, hunk.theirs);
        append(merged, std::move(hunk));
    }
    // Word by word it conflicts; the stretch as a whole may still follow a whitespace rule.
    if (countConflicts(merged) > 0 && whole != Hunk::Kind::Conflict) {
        append(hunks, Hunk {whole, base, mine, theirs});
        return;
    }
    for (Hunk &hunk : merged)
        append(hunks, std::move(hunk));
}

// Segments of `text` for the part of it between two stretches both texts share.
void appendChanges(QList<Segment> &segments, const QString &base, const QString &text)
{
    auto add = [&segments](const QString &part, bool changed) {
        if (part.isEmpty())
            return;
        if (!segments.isEmpty() && segments.last().changed == changed)
            segments.last().text += part;
        else
            segments.append(Segment {part, changed});
    };
    const Tokens b = words(base), t = words(text);
    if (b.isEmpty() || b.size() > kMaxWordTokens || t.size() > kMaxWordTokens) {
        add(text, true);
        return;
    }
    Interner interner;
    std::vector<bool> kept(size_t(t.size()), false);
    for (const qsizetype j : match(interner.ids(b), interner.ids(t))) {
        if (j >= 0)
            kept[size_t(j)] = true;
    }
    for (qsizetype j = 0; j < t.size(); ++j)
        add(t[j], !kept[size_t(j)]);
}

} // namespace

QString Hunk::merged() const
{
    switch (kind) {
    case Kind::Same:
        return base;
    case Kind::Theirs:
        return theirs;
    case Kind::Mine:
    case Kind::Both:
    case Kind::Conflict:
        return mine;
    }
    return mine;
}

int Result::conflicts() const
{
    return countConflicts(hunks);
}

QString Result::text() const
{
    QString text;
    for (const Hunk &hunk : hunks)
        text += hunk.merged();
    return text;
}

Result merge(const QString &base, const QString &mine, const QString &theirs)
{
    Result result;
    const Tokens b = lines(base), m = lines(mine), t = lines(theirs);
    // Lines are matched by their words, so a side that only re-spaced or re-ended lines
    // leaves them in place for the other side's edits.
    Interner interner;
    for (const Chunk &c : chunks(interner.lineIds(b), interner.lineIds(m), interner.lineIds(t))) {
        if (c.stable) {
            for (qsizetype i = 0; i < c.baseEnd - c.base; ++i) {
                Hunk hunk {Hunk::Kind::Same, b[c.base + i], m[c.mine + i], t[c.theirs + i]};
                hunk.kind = kindOf(hunk.base, hunk.mine, hunk.theirs);
                append(result.hunks, std::move(hunk));
            }
            continue;
        }
        Hunk hunk {Hunk::Kind::Same, join(b, c.base, c.baseEnd), join(m, c.mine, c.mineEnd),
                   join(t, c.theirs, c.theirsEnd)};
        if (hunk.mine != hunk.base && hunk.theirs != hunk.base && hunk.mine != hunk.theirs) {
            mergeWords(result.hunks, hunk.base, hunk.mine, hunk.theirs);
            continue;
        }
        hunk.kind = kindOf(hunk.base, hunk.mine, hunk.theirs);
        append(result.hunks, std::move(hunk));
    }
    // Both sides ended with the same words, but words moved across lines that stayed put
    // make the stretches disagree: the texts differ in whitespace only, so take this
    // device's text whole rather than a mix of the two.
    if (result.conflicts() > 0 && sameWords(mine, theirs)) {
        QList<Hunk> settled;
        for (Hunk &hunk : result.hunks) {
            if (hunk.kind == Hunk::Kind::Theirs || hunk.kind == Hunk::Kind::Conflict)
                hunk.kind = Hunk::Kind::Both;
            append(settled, std::move(hunk));
        }
        result.hunks = std::move(settled);
    }
    return result;
}

QList<Segment> changes(const QString &base, const QString &text)
{
    // Lines first, then words within the lines that differ.
    const Tokens b = lines(base), t = lines(text);
    Interner interner;
    const std::vector<qsizetype> matched = match(interner.ids(b), interner.ids(t));
    QList<Segment> segments;
    qsizetype ib = 0, it = 0;
    for (qsizetype i = 0; i <= b.size(); ++i) {
        if (i < b.size() && matched[size_t(i)] < 0)
            continue;
        const qsizetype next = i < b.size() ? matched[size_t(i)] : t.size();
        appendChanges(segments, join(b, ib, i), join(t, it, next));
        if (i < b.size()) {
            if (!segments.isEmpty() && !segments.last().changed)
                segments.last().text += t[next];
            else
                segments.append(Segment {t[next], false});
        }
        ib = i + 1;
        it = next + 1;
    }
    // Spaces between two changed words belong to the change: one highlight, not two. A line
    // end stays a boundary.
    QList<Segment> joined;
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const Segment &s = segments[i];
        const bool gap = !s.changed && i > 0 && i + 1 < segments.size() && isSpace(s.text)
            && words(s.text).size() == 1 && !s.text.contains(u'\n') && !s.text.contains(u'\r');
        if ((s.changed || gap) && !joined.isEmpty() && joined.last().changed) {
            joined.last().text += s.text;
            continue;
        }
        joined.append(s);
    }
    return joined;
}

} // namespace Ferry::TextMerge
