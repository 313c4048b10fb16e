#include "threadpriority.h"

#include <QThread>

#include <algorithm>

#ifdef Q_OS_LINUX
#include <sys/resource.h>
#include <unistd.h>
#endif

namespace Ferry {

namespace {
#ifdef Q_OS_LINUX
// Enough for the GUI thread to win most of the CPU when both want it (CFS weights ~10:1),
// while a sync alone on an idle machine runs at full speed.
constexpr int kNiceIncrement = 10;
#endif
} // namespace

void runBelowInteractive(QThread &thread)
{
#ifdef Q_OS_LINUX
    // QThread's priorities have no effect under Linux's default scheduling policy; the
    // nice value of the thread itself does. Raising it needs no privileges.
    QObject::connect(
        &thread, &QThread::started, &thread,
        [] {
            const pid_t tid = gettid();
            const int current = getpriority(PRIO_PROCESS, id_t(tid));
            setpriority(PRIO_PROCESS, id_t(tid), std::min(current + kNiceIncrement, 19));
        },
        Qt::DirectConnection);
#else
    QObject::connect(
        &thread, &QThread::started, &thread,
        [] { QThread::currentThread()->setPriority(QThread::LowPriority); }, Qt::DirectConnection);
#endif
}

} // namespace Ferry
