#pragma once

#include "records.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

// Helpers shared by the two halves of LocalStore (localstore.cpp: local edits and reads;
// localstoresync.cpp: what the sync engine applies). Not part of the engine's interface.
namespace Ferry::StoreDetail {

inline const QString kCursorKey = QStringLiteral("cursor");
// The cursor at which the last pull ended with nothing more to get (see pullBase()).
inline const QString kPullBaseKey = QStringLiteral("pull_base");

inline qint64 now()
{
    return QDateTime::currentMSecsSinceEpoch();
}

inline QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

inline void addToChange(QHash<QString, ChangeSet> &changes, const QString &entity,
                        const QString &guid, ChangeOrigin origin)
{
    ChangeSet &set = changes[entity];
    set.entity = entity;
    set.origin = origin;
    set.guids.append(guid);
}

} // namespace Ferry::StoreDetail
