#pragma once

#include "syncoverview.h"

#include <QString>

namespace Ferry::Ui {

// Sentences about a SyncOverview, shared by the status bar and the tray tooltip so both
// say the same thing the same way.
QString stateText(const SyncOverview &overview); // "Synced", "Syncing…", "Offline"…
QString lastSyncText(const SyncOverview &overview); // "Last synced 10:42" / "Never synced"
QString pendingText(const SyncOverview &overview); // "3 changes waiting to sync"
QString progressText(const SyncOverview &overview); // "Receiving 3,200 of 100,000"

} // namespace Ferry::Ui
