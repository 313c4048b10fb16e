#pragma once

#include "pullservice.h"
#include "result.h"
#include "serverstore.h"

#include <QThread>

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace FerryServer {

// Threads that read the store beside the server's thread, each through a connection of its
// own, so that a long read (a large pull page) does not hold up the other clients. SQLite in
// WAL mode and PostgreSQL both let readers go on while the server's thread writes; a job sees
// every push committed before it starts.
class ReadPool
{
public:
    // What a job has on its thread: the connection, or why it could not be opened.
    struct Reader
    {
        ServerStore store;
        std::unique_ptr<PullService> pull;
        Ferry::Status opened = Ferry::success();
    };
    using Job = std::function<void(Reader &reader)>;

    // `threads` readers of the database `store` opened; each connects at its first job.
    ReadPool(const ServerStore &store, int threads);
    // Waits for the jobs under way; jobs not started yet are dropped.
    ~ReadPool();
    ReadPool(const ReadPool &) = delete;
    ReadPool &operator=(const ReadPool &) = delete;

    // Runs `job` on the reader with the fewest jobs waiting. The job hands its result to
    // whoever needs it (QMetaObject::invokeMethod back to their thread).
    void run(Job job);

private:
    class Host;
    std::atomic<bool> m_stopping {false};
    std::vector<std::unique_ptr<QThread>> m_threads;
    std::vector<Host *> m_hosts; // each lives on its thread and is deleted there
};

} // namespace FerryServer
