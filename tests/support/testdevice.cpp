#include "testdevice.h"

#include "blobstore.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Ferry;

namespace FerryTest {

TestDevice::TestDevice(const SyncConfig &config, const Schema &schema)
    : m_config(config)
    , m_schema(schema)
{
    if (m_config.blobFolder.isEmpty())
        m_config.blobFolder = m_dir.filePath(QStringLiteral("blobs"));
    m_retry.attempts = 3;
    m_retry.initialDelayMs = 50;
    m_retry.maxDelayMs = 500;
    restart();
}

TestDevice::~TestDevice() = default;

QString TestDevice::storePath() const
{
    return m_dir.filePath(QStringLiteral("ferry.db"));
}

void TestDevice::restart()
{
    m_client.reset();
    m_store.reset();
    Result<std::unique_ptr<LocalStore>> store = LocalStore::open(storePath(), m_schema);
    if (!store)
        qFatal("cannot open the test store: %s", qPrintable(store.error().message));
    m_store = std::move(store).value();
}

SyncClient &TestDevice::client()
{
    if (!m_client) {
        m_client = std::make_unique<SyncClient>(storePath(), m_schema);
        m_client->setConfig(m_config);
        m_client->setRetryPolicy(m_retry);
        if (m_pageSize > 0)
            m_client->setPullPageSize(m_pageSize);
    }
    return *m_client;
}

void TestDevice::setServer(const QUrl &server)
{
    m_config.server = server;
    if (m_client)
        m_client->setConfig(m_config);
}

void TestDevice::setWorkspace(const QString &workspace)
{
    m_config.workspace = workspace;
    if (m_client)
        m_client->setConfig(m_config);
}

void TestDevice::setRetryPolicy(const RetryPolicy &policy)
{
    m_retry = policy;
    if (m_client)
        m_client->setRetryPolicy(policy);
}

void TestDevice::setPullPageSize(int records)
{
    m_pageSize = records;
    if (m_client)
        m_client->setPullPageSize(records);
}

SyncSummary TestDevice::sync(int timeoutMs)
{
    QSignalSpy finished(&client(), &SyncClient::syncFinished);
    client().syncNow();
    if (!finished.wait(timeoutMs)) {
        SyncSummary timedOut;
        timedOut.error
            = Error {QStringLiteral("timeout"), QStringLiteral("the sync did not finish in time")};
        return timedOut;
    }
    return finished.at(0).at(0).value<SyncSummary>();
}

QString TestDevice::blobFolder() const
{
    return m_config.blobFolder;
}

Error TestDevice::fetch(const QString &blob, int timeoutMs)
{
    QSignalSpy fetched(&client(), &SyncClient::blobFetched);
    client().fetchBlob(blob);
    if (!fetched.wait(timeoutMs))
        return Error {QStringLiteral("timeout"),
                      QStringLiteral("the download did not end in time")};
    return fetched.at(0).at(1).value<Error>();
}

QString TestDevice::keepFile(const QByteArray &bytes)
{
    QTemporaryDir scratch;
    const QString path = scratch.filePath(QStringLiteral("file"));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size()) {
        QTest::qFail("cannot write a scratch file", __FILE__, __LINE__);
        return {};
    }
    file.close();
    const Result<QString> blob = BlobStore::add(m_config.blobFolder, path);
    if (!blob) {
        QTest::qFail(qPrintable(blob.error().message), __FILE__, __LINE__);
        return {};
    }
    return blob.value();
}

QString TestDevice::create(const QString &entity, const QJsonObject &fields)
{
    Result<QString> guid = m_store->createRecord(entity, fields);
    if (!guid) {
        QTest::qFail(qPrintable(guid.error().message), __FILE__, __LINE__);
        return {};
    }
    return guid.value();
}

void TestDevice::edit(const QString &guid, const QJsonObject &changes)
{
    if (Status s = m_store->updateRecord(guid, changes); !s)
        QTest::qFail(qPrintable(s.error().message), __FILE__, __LINE__);
}

LocalRecord TestDevice::record(const QString &guid)
{
    Result<LocalRecord> r = m_store->record(guid);
    if (!r) {
        QTest::qFail(qPrintable(r.error().message), __FILE__, __LINE__);
        return {};
    }
    return r.value();
}

} // namespace FerryTest
