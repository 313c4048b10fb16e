#include "syncoverview.h"

namespace Ferry {

QString stateName(SyncOverview::State state)
{
    switch (state) {
    case SyncOverview::State::Synced:
        return QStringLiteral("synced");
    case SyncOverview::State::Waiting:
        return QStringLiteral("waiting");
    case SyncOverview::State::Syncing:
        return QStringLiteral("syncing");
    case SyncOverview::State::Offline:
        return QStringLiteral("offline");
    case SyncOverview::State::Paused:
        return QStringLiteral("paused");
    case SyncOverview::State::Error:
        return QStringLiteral("error");
    case SyncOverview::State::Conflicts:
        return QStringLiteral("conflicts");
    case SyncOverview::State::SignedOut:
        return QStringLiteral("signedout");
    }
    return {};
}

} // namespace Ferry
