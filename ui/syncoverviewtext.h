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
// "Sending files: 12.3 MB of 200 MB · Receiving files: 4 MB of 9 MB"; empty when none shown.
QString transferText(const SyncOverview &overview);

} // namespace Ferry::Ui
