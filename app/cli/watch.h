#pragma once

#include "notifychannel.h"
#include "syncclient.h"

#include <QObject>
#include <QTextStream>
#include <QTimer>

#include <chrono>

namespace FerryCli {

// ferry-cli watch: syncs once, then again whenever the server announces a change this
// profile has not pulled yet, and every `pollInterval` while the notify socket is down,
// until SIGINT or SIGTERM. Prints one line per finished sync. Runs on the main thread.
class Watch : public QObject
{
    Q_OBJECT

public:
    Watch(const QString &storePath, const Ferry::Schema &schema, const Ferry::SyncConfig &config,
          QTextStream &out, QTextStream &err, bool json);

    void setPollInterval(std::chrono::milliseconds interval) { m_poll.setInterval(interval); }
    // Runs until a signal stops it (0) or a sync fails for good, e.g. a refused token (1).
    int run();

private:
    void start(const QString &reason);
    void onFinished(const Ferry::SyncSummary &summary);
    void onAnnounced(qint64 seq);
    void onLive(bool live);
    void print(const Ferry::SyncSummary &summary);

    Ferry::SyncConfig m_config;
    Ferry::SyncClient m_client;
    Ferry::NotifyChannel m_channel;
    QTimer m_poll;
    QTextStream &m_out;
    QTextStream &m_err;
    bool m_json;
    bool m_running = false;
    QString m_reason; // why the running sync was started
    qint64 m_pulled = 0;
    qint64 m_announced = 0;
    int m_exitCode = 0;
};

} // namespace FerryCli
