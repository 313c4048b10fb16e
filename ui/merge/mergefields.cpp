#include "mergefields.h"

#include <algorithm>

namespace Ferry::Ui {

namespace {

bool endsWithSpace(const QString &text)
{
    return !text.isEmpty() && text.back().isSpace();
}

bool startsWithSpace(const QString &text)
{
    return !text.isEmpty() && text.front().isSpace();
}

} // namespace

QList<MergeField> mergeFields(const EntityDef &entity, const LocalRecord &local,
                              const Conflict &conflict)
{
    QList<MergeField> fields;
    for (const FieldDef &def : entity.fields) {
        MergeField field;
        field.def = def;
        field.mine = local.fields.value(def.name);
        if (const FieldConflict *f = conflict.field(def.name)) {
            field.kind = MergeField::Kind::Conflict;
            field.base = f->base;
            field.mine = f->mine;
            field.theirs = f->theirs;
            if (def.type == FieldType::Text)
                field.text = TextMerge::merge(f->base.toString(), f->mine.toString(),
                                              f->theirs.toString());
            fields.append(field);
            continue;
        }
        if (local.isDirty(def.name)) {
            // The other side's record may be partial: a field it does not hold is as it was.
            field.base = local.base.value(def.name);
            field.theirs = conflict.theirsFields.contains(def.name)
                ? conflict.theirsFields.value(def.name)
                : field.base;
            const bool bothChanged
                = !sameValue(field.theirs, field.base) && !sameValue(field.theirs, field.mine);
            field.kind = bothChanged ? MergeField::Kind::Merged : MergeField::Kind::ChangedHere;
        } else {
            // Not changed here: the record holds the server's latest value.
            field.base = field.mine;
            field.theirs = field.mine;
        }
        fields.append(field);
    }
    std::stable_partition(fields.begin(), fields.end(),
                          [](const MergeField &f) { return f.kind == MergeField::Kind::Conflict; });
    return fields;
}

QString mergedText(const TextMerge::Result &merge, const QList<HunkChoice> &choices)
{
    QString text;
    qsizetype conflict = 0;
    for (const TextMerge::Hunk &hunk : merge.hunks) {
        if (hunk.kind != TextMerge::Hunk::Kind::Conflict) {
            text += hunk.merged();
            continue;
        }
        const HunkChoice choice
            = conflict < choices.size() ? choices.at(conflict) : HunkChoice::Mine;
        ++conflict;
        switch (choice) {
        case HunkChoice::Mine:
            text += hunk.mine;
            break;
        case HunkChoice::Theirs:
            text += hunk.theirs;
            break;
        case HunkChoice::Both: {
            text += hunk.mine;
            // Whole lines follow each other; words get a space between them.
            if (!hunk.mine.isEmpty() && !hunk.theirs.isEmpty() && !endsWithSpace(hunk.mine)
                && !startsWithSpace(hunk.theirs))
                text
                    += hunk.mine.contains(QLatin1Char('\n')) ? QLatin1Char('\n') : QLatin1Char(' ');
            text += hunk.theirs;
            break;
        }
        }
    }
    return text;
}

ConflictDecision decisionFor(const QList<MergeField> &fields, const QJsonObject &results)
{
    bool allMine = true;
    bool allTheirs = true;
    QJsonObject values;
    for (const MergeField &field : fields) {
        if (field.kind != MergeField::Kind::Conflict)
            continue;
        const QJsonValue result
            = results.contains(field.def.name) ? results.value(field.def.name) : field.mine;
        allMine = allMine && sameValue(result, field.mine);
        allTheirs = allTheirs && sameValue(result, field.theirs);
        values.insert(field.def.name, result);
    }
    if (allMine)
        return {Resolution::KeepMine, {}};
    if (allTheirs)
        return {Resolution::KeepTheirs, {}};
    return {Resolution::Merge, values};
}

} // namespace Ferry::Ui
