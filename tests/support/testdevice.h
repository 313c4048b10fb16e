#pragma once

#include "localstore.h"
#include "syncclient.h"

#include <QTemporaryDir>

#include <memory>

namespace FerryTest {

// One simulated device for sync tests: a profile folder with its own store, used on the
// test's thread, and a SyncClient running the real engine on its worker thread.
class TestDevice
{
public:
    explicit TestDevice(const Ferry::SyncConfig &config,
                        const Ferry::Schema &schema = Ferry::Schema::defaultSchema());
    ~TestDevice();

    Ferry::LocalStore &store() { return *m_store; }
    Ferry::SyncClient &client();
    QString storePath() const;

    void setServer(const QUrl &server);
    void setWorkspace(const QString &workspace);
    void setRetryPolicy(const Ferry::RetryPolicy &policy);
    void setPullPageSize(int records);

    // Runs one sync cycle and waits for it to end.
    Ferry::SyncSummary sync(int timeoutMs = 120000);
    // Closes the store and the engine and opens them again, as a restart of the app does.
    void restart();

    // The device's content store for files (SyncConfig::blobFolder).
    QString blobFolder() const;
    // Fetches the bytes of `blob` from the server and waits; the error, code empty if none.
    Ferry::Error fetch(const QString &blob, int timeoutMs = 120000);

    // Shorthands that fail the test on error.
    QString create(const QString &entity, const QJsonObject &fields);
    void edit(const QString &guid, const QJsonObject &changes);
    Ferry::LocalRecord record(const QString &guid);
    // Keeps `bytes` as a file in the device's content store; its blob id.
    QString keepFile(const QByteArray &bytes);

private:
    QTemporaryDir m_dir;
    Ferry::SyncConfig m_config;
    Ferry::Schema m_schema;
    Ferry::RetryPolicy m_retry;
    int m_pageSize = 0;
    std::unique_ptr<Ferry::LocalStore> m_store;
    std::unique_ptr<Ferry::SyncClient> m_client;
};

} // namespace FerryTest

// Syncs a TestDevice and fails the test (saying why) unless the sync succeeded.
#define SYNC_OK(device)                                                                            \
    do {                                                                                           \
        const Ferry::SyncSummary s_ = (device).sync();                                             \
        QVERIFY2(s_.ok, qPrintable(s_.error.message));                                             \
    } while (false)
