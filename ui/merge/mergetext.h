#pragma once

#include "schema.h"

#include <QColor>
#include <QDateTime>
#include <QJsonValue>
#include <QString>

#include <functional>

namespace Ferry {
class DataStore;
struct Conflict;
} // namespace Ferry

// How the merge dialog and the conflicts panel put values and times into words. GUI thread.
namespace Ferry::Ui {

// The name of the record a ref points to (its display text), or a placeholder.
using RecordNames = std::function<QString(const QString &guid)>;
// Names read from `store` (which must outlive the function).
RecordNames recordNames(DataStore &store);

// "just now", "5 minutes ago", "3 hours ago", "yesterday at 14:05", "on 2 Mar at 09:12".
QString relativeTime(qint64 msecsSinceEpoch, const QDateTime &now = QDateTime::currentDateTime());
QString absoluteTime(qint64 msecsSinceEpoch);

// "Laptop" / "another device", "ann" / "someone".
QString deviceName(const Conflict &conflict);
QString userName(const Conflict &conflict);

// A value as a person reads it, whole (text with all its lines, refs by name).
QString valueText(const FieldDef &field, const QJsonValue &value, const RecordNames &names);

// Rich text for a value with what changed since `base` marked with `tint`: words and lines
// for strings and texts, added and removed names for refs, the whole value otherwise. An
// empty value reads "(empty)".
QString valueHtml(const FieldDef &field, const QJsonValue &base, const QJsonValue &value,
                  const RecordNames &names, const QColor &tint);

// The tints for this device's and the other side's changes, for what the result changes,
// and (as text colours) for conflicts and merges.
QColor mineTint();
QColor theirsTint();
QColor resultTint();
QColor conflictTint();
QColor mergedTint();

} // namespace Ferry::Ui
