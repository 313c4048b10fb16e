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
// The server's history token for the cursor, to check the server still has that history (the
// key is named for what older servers gave: the id of the push that made the sequence).
inline const QString kCursorCheckKey = QStringLiteral("cursor_batch");
// The newest point of the server's history this device has seen ahead of its cursor, and
// its token (the push's batch id from an older server): made by one of its pushes (the
// revisions it brought are ahead of the cursor), or the head a pull page named while more
// was to come (records changed past the cursor are still to arrive). Checked until a pull
// passes it (seenHistory()).
inline const QString kKnownSeqKey = QStringLiteral("known_seq");
inline const QString kKnownCheckKey = QStringLiteral("known_batch");
// "1" while the store is being compared with a server that lost history (beginRecovery()).
inline const QString kRecoveringKey = QStringLiteral("recovering");
// "1" from a comparison with a server that lost history (or a pull saying uploads were lost)
// until the files live records name are checked to be on it (filesCheckPending()).
inline const QString kFilesCheckKey = QStringLiteral("files_check");
// The latest upload token an answer about files gave this device (filesToken()).
inline const QString kFilesTokenKey = QStringLiteral("files_token");
// The workspace whose history the cursor follows.
inline const QString kCursorWorkspaceKey = QStringLiteral("cursor_workspace");

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
