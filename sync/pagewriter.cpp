#include "pagewriter.h"

namespace Ferry {

PageWriter::PageWriter(QString storePath, Schema schema)
    : m_storePath(std::move(storePath))
    , m_schema(std::move(schema))
{ }

PageWriter::~PageWriter() = default;

void PageWriter::apply(const Wire::PullPage &page, quint64 generation)
{
    if (generation == m_failedGeneration) {
        Q_EMIT failed(generation, m_failure);
        return;
    }
    if (!m_store) {
        Result<std::unique_ptr<LocalStore>> store = LocalStore::open(m_storePath, m_schema);
        if (!store) {
            m_failedGeneration = generation;
            m_failure = store.error();
            Q_EMIT failed(generation, m_failure);
            return;
        }
        m_store = std::move(store).value();
    }
    QList<ChangeSet> changes;
    QList<AutoMerge> merges;
    if (Status s = m_store->applyPullPage(page, &changes, &merges); !s) {
        m_failedGeneration = generation;
        m_failure = s.error();
        Q_EMIT failed(generation, m_failure);
        return;
    }
    Q_EMIT applied(generation, changes, page.changes.size(), page.cursor, merges);
}

} // namespace Ferry
