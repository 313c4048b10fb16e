#include "readpool.h"

#include <QObject>

#include <atomic>

namespace FerryServer {

// One reader: lives on its thread, opens its connection when the first job comes, and
// closes it there when deleted.
class ReadPool::Host : public QObject
{
public:
    Host(const ServerStore &main, const std::atomic<bool> &stopping)
        : m_main(main)
        , m_stopping(stopping)
    { }

    void runJob(const Job &job)
    {
        if (!m_stopping.load()) {
            // A connection that could not be opened is tried again by the next job.
            if (!m_reader || !m_reader->opened) {
                m_reader = std::make_unique<Reader>();
                m_reader->opened = m_reader->store.openAnother(m_main);
                if (m_reader->opened)
                    m_reader->pull = std::make_unique<PullService>(m_reader->store);
            }
            job(*m_reader);
        }
        --waiting;
    }

    std::atomic<int> waiting {0};

private:
    const ServerStore &m_main;
    const std::atomic<bool> &m_stopping;
    std::unique_ptr<Reader> m_reader;
};

ReadPool::ReadPool(const ServerStore &store, int threads)
{
    for (int i = 0; i < threads; ++i) {
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("ferry-reader-%1").arg(i + 1));
        auto *host = new Host(store, m_stopping);
        host->moveToThread(thread.get());
        thread->start();
        m_hosts.push_back(host);
        m_threads.push_back(std::move(thread));
    }
}

ReadPool::~ReadPool()
{
    m_stopping.store(true);
    for (std::size_t i = 0; i < m_hosts.size(); ++i) {
        Host *host = m_hosts[i];
        // Behind the jobs already queued (which now return at once), on the host's thread.
        QMetaObject::invokeMethod(
            host, [host] { delete host; }, Qt::BlockingQueuedConnection);
        m_threads[i]->quit();
        m_threads[i]->wait();
    }
}

void ReadPool::run(Job job)
{
    Host *least = m_hosts.front();
    for (Host *host : m_hosts) {
        if (host->waiting.load() < least->waiting.load())
            least = host;
    }
    ++least->waiting;
    QMetaObject::invokeMethod(
        least, [least, job = std::move(job)] { least->runJob(job); }, Qt::QueuedConnection);
}

} // namespace FerryServer
