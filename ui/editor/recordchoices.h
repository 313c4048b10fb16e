#pragma once

#include "datastore.h"

#include <QList>
#include <QString>

namespace Ferry::Ui {

// How the editor names a record: its display field as lists show it, "Untitled" if empty.
QString displayText(const EntityDef &entity, const LocalRecord &record);

struct RecordChoice
{
    QString guid;
    QString text;
};

// The live records of `entity` to choose from in a ref or refs field, sorted by their
// display text; at most `limit` of them so a huge entity does not stall the editor.
QList<RecordChoice> recordChoices(DataStore &store, const QString &entity, int limit = 2000);

} // namespace Ferry::Ui
