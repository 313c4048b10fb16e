#pragma once

class QThread;

namespace Ferry {

// Lets a worker thread run below the GUI thread's CPU priority, so that on a busy machine
// the window keeps being served first and the sync takes the remaining time. Call before
// the thread starts. (On Linux a thread's nice value is raised; elsewhere QThread's
// priority does the same.)
void runBelowInteractive(QThread &thread);

} // namespace Ferry
