#include "syncclient.h"

#include "threadpriority.h"

namespace Ferry {

SyncClient::SyncClient(const QString &storePath, const Schema &schema, QObject *parent)
    : QObject(parent)
    , m_engine(new SyncEngine(storePath, schema))
{
    m_thread.setObjectName(QStringLiteral("ferry-sync"));
    m_engine->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    connect(m_engine, &SyncEngine::started, this, &SyncClient::started);
    connect(m_engine, &SyncEngine::stateChanged, this, &SyncClient::stateChanged);
    connect(m_engine, &SyncEngine::progress, this, &SyncClient::progress);
    connect(m_engine, &SyncEngine::changesCommitted, this, &SyncClient::changesCommitted);
    connect(m_engine, &SyncEngine::errorOccurred, this, &SyncClient::errorOccurred);
    connect(m_engine, &SyncEngine::syncFinished, this, &SyncClient::syncFinished);
    connect(m_engine, &SyncEngine::blobProgress, this, &SyncClient::blobProgress);
    connect(m_engine, &SyncEngine::blobFetchProgress, this, &SyncClient::blobFetchProgress);
    connect(m_engine, &SyncEngine::blobFetched, this, &SyncClient::blobFetched);
    runBelowInteractive(m_thread);
    m_thread.start();
    QMetaObject::invokeMethod(m_engine, &SyncEngine::start, Qt::QueuedConnection);
}

SyncClient::~SyncClient()
{
    QMetaObject::invokeMethod(m_engine, &SyncEngine::stop, Qt::BlockingQueuedConnection);
    m_engine->disconnect(this);
    m_thread.quit();
    m_thread.wait();
}

void SyncClient::setConfig(const SyncConfig &config)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, config] { engine->setConfig(config); }, Qt::QueuedConnection);
}

void SyncClient::setRetryPolicy(const RetryPolicy &policy)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, policy] { engine->setRetryPolicy(policy); },
        Qt::QueuedConnection);
}

void SyncClient::setPullPageSize(int records)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, records] { engine->setPullPageSize(records); },
        Qt::QueuedConnection);
}

void SyncClient::syncNow()
{
    QMetaObject::invokeMethod(m_engine, &SyncEngine::syncNow, Qt::QueuedConnection);
}

void SyncClient::stop()
{
    QMetaObject::invokeMethod(m_engine, &SyncEngine::stop, Qt::QueuedConnection);
}

void SyncClient::fetchBlob(const QString &blob)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, blob] { engine->fetchBlob(blob); }, Qt::QueuedConnection);
}

void SyncClient::cancelFetch(const QString &blob)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, blob] { engine->cancelFetch(blob); }, Qt::QueuedConnection);
}

} // namespace Ferry
