#pragma once

#include "records.h"
#include "schema.h"

#include <QIcon>
#include <QString>

// How records read in lists: the words and icons for sync states and the short form of
// field values. Pure functions, for the GUI thread.
namespace Ferry::Ui {

// "Synced", "Waiting to sync" or "Conflict"; with the server's reason when it refused the
// record's last push.
QString syncStatusText(SyncStatus status, const QString &problem = {});
QIcon syncStatusIcon(SyncStatus status);

// One line of text for a value of `field` (not refs, whose names need the store): dates in
// the local short format, numbers in the locale's digits, bools as Yes/No, text's first
// line, blobs as a short hash.
QString shortValue(const FieldDef &field, const QJsonValue &value);

// A refs cell: the first names and how many more.
QString joinNames(const QStringList &names, qsizetype total);

} // namespace Ferry::Ui
