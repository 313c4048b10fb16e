#include "recordchoices.h"

#include "models/recorddisplay.h"

#include <QCollator>

#include <algorithm>

namespace Ferry::Ui {

QString displayText(const EntityDef &entity, const LocalRecord &record)
{
    const FieldDef *field = entity.field(entity.display);
    const QString text
        = field ? shortValue(*field, record.fields.value(entity.display)).simplified() : QString();
    return text.isEmpty() ? QObject::tr("Untitled") : text;
}

QList<RecordChoice> recordChoices(DataStore &store, const QString &entity, int limit)
{
    QList<RecordChoice> choices;
    const EntityDef *def = store.schema().entity(entity);
    if (!def)
        return choices;
    const Result<QList<LocalRecord>> records = store.store().records(entity, false, limit);
    if (!records)
        return choices;
    for (const LocalRecord &record : records.value())
        choices.append({record.guid, displayText(*def, record)});
    QCollator collator;
    collator.setCaseSensitivity(Qt::CaseInsensitive);
    collator.setNumericMode(true);
    std::stable_sort(choices.begin(), choices.end(),
                     [&collator](const RecordChoice &a, const RecordChoice &b) {
                         return collator.compare(a.text, b.text) < 0;
                     });
    return choices;
}

} // namespace Ferry::Ui
