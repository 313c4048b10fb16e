#pragma once

#include <QList>
#include <QString>

// Three-way merge of multi-line text against the last synced version (the base), and the
// word-level differences the merge dialog highlights. Pure functions on strings: callable
// from any thread. docs/protocol.md ("Text fields") describes the rules.
namespace Ferry::TextMerge {

// One stretch of the merged text. Concatenating every hunk's base / mine / theirs gives
// back the three inputs exactly.
struct Hunk
{
    enum class Kind {
        Same, // unchanged on both sides
        Mine, // changed on this device only (or only in whitespace on the other side)
        Theirs, // changed on the other side only (or only in whitespace on this device)
        Both, // changed identically on both sides (or differing in whitespace only)
        Conflict, // both sides changed this stretch differently
    };
    Kind kind = Kind::Same;
    QString base;
    QString mine;
    QString theirs;

    // The hunk's text in the merged result; a conflict contributes this device's text.
    QString merged() const;
};

struct Result
{
    QList<Hunk> hunks;

    int conflicts() const;
    bool isClean() const { return conflicts() == 0; }
    // The merged text, conflicts taking this device's side.
    QString text() const;
};

// Merges by lines first; a stretch of lines both sides changed is merged again by words,
// and is a conflict only where both changed the same words differently.
Result merge(const QString &base, const QString &mine, const QString &theirs);

// `text` cut into stretches, each marked if it differs from `base` (words and the spaces
// between them; a deleted stretch of base leaves no segment in `text`).
struct Segment
{
    QString text;
    bool changed = false;
};
QList<Segment> changes(const QString &base, const QString &text);

} // namespace Ferry::TextMerge
