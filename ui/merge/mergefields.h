#pragma once

#include "records.h"
#include "schema.h"
#include "textmerge.h"

#include <QJsonValue>
#include <QList>

// What the merge dialog knows about each field of a conflicted record, and how a text
// field's result is put together from its hunks. Pure functions on values, for the GUI
// thread's dialogs and their tests.
namespace Ferry::Ui {

struct MergeField
{
    enum class Kind {
        Conflict, // both sides changed it differently: the person chooses
        Merged, // both sides changed it and Ferry combined them (sets)
        ChangedHere, // changed on this device only
        Same, // the same on both sides
    };

    FieldDef def;
    Kind kind = Kind::Same;
    QJsonValue base; // its value at the last sync, where known (conflicts, local changes)
    QJsonValue mine;
    QJsonValue theirs;
    TextMerge::Result text; // text conflicts: the three-way merge, hunk by hunk

    bool isTextConflict() const { return kind == Kind::Conflict && def.type == FieldType::Text; }
};

// One entry per schema field, conflicts first, each group in schema order.
QList<MergeField> mergeFields(const EntityDef &entity, const LocalRecord &local,
                              const Conflict &conflict);

// The side a conflicting stretch of text takes in the result.
enum class HunkChoice { Mine, Theirs, Both };

// The merged text with the conflicting hunks as chosen (`choices` in hunk order, one per
// conflicting hunk; a missing choice takes this device's text). "Both" puts this device's
// text first, separated from the other side's so that neither runs into the other.
QString mergedText(const TextMerge::Result &merge, const QList<HunkChoice> &choices);

// The decision for a field-by-field result: KeepMine or KeepTheirs when every conflicting
// field took one side, otherwise Merge with each conflicting field's result.
ConflictDecision decisionFor(const QList<MergeField> &fields, const QJsonObject &results);

} // namespace Ferry::Ui
