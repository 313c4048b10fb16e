#include "watch.h"

#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>

#include <algorithm>
#include <csignal>
#include <sys/socket.h>
#include <unistd.h>

using namespace Ferry;

namespace FerryCli {

namespace {

int g_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalPipe[1], &byte, 1);
}

// SIGINT and SIGTERM end the watch through the event loop (the handler only writes a byte
// to a socket pair), so a sync in flight is stopped and the store closed cleanly.
void quitOnSignals(QObject *context)
{
    if (g_signalPipe[0] < 0 && ::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalPipe) != 0)
        return;
    auto *notifier = new QSocketNotifier(g_signalPipe[0], QSocketNotifier::Read, context);
    QObject::connect(notifier, &QSocketNotifier::activated, context, [notifier] {
        notifier->setEnabled(false);
        char byte = 0;
        [[maybe_unused]] const ssize_t got = ::read(g_signalPipe[0], &byte, 1);
        QCoreApplication::exit(0);
    });
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &action, nullptr);
    sigaction(SIGINT, &action, nullptr);
}

} // namespace

Watch::Watch(const QString &storePath, const Schema &schema, const SyncConfig &config,
             QTextStream &out, QTextStream &err, bool json)
    : m_config(config)
    , m_client(storePath, schema)
    , m_out(out)
    , m_err(err)
    , m_json(json)
{
    RetryPolicy patient;
    patient.attempts = 0; // a watch outlives outages; only a refusal ends it
    patient.initialDelayMs = 500;
    patient.maxDelayMs = 30000;
    m_client.setConfig(config);
    m_client.setRetryPolicy(patient);
    m_poll.setInterval(std::chrono::minutes(1));
    connect(&m_poll, &QTimer::timeout, this, [this] { start(QStringLiteral("poll")); });

    connect(&m_client, &SyncClient::started, this, [this](const Error &error) {
        if (!error.code.isEmpty()) {
            m_err << "ferry-cli: " << error.message << "\n" << Qt::flush;
            m_exitCode = 1;
            QCoreApplication::exit(1);
            return;
        }
        start(QStringLiteral("start"));
        m_channel.setConfig(m_config);
    });
    connect(&m_client, &SyncClient::syncFinished, this, &Watch::onFinished);
    connect(&m_channel, &NotifyChannel::sequenceAnnounced, this, &Watch::onAnnounced);
    connect(&m_channel, &NotifyChannel::connectedChanged, this, &Watch::onLive);
}

int Watch::run()
{
    quitOnSignals(this);
    m_poll.start(); // until the notify socket is open, the timer is the poll
    const int code = QCoreApplication::exec();
    m_client.stop();
    return m_exitCode != 0 ? m_exitCode : code;
}

void Watch::start(const QString &reason)
{
    if (m_running)
        return;
    m_running = true;
    m_reason = reason;
    m_client.syncNow();
}

void Watch::onAnnounced(qint64 seq)
{
    m_announced = std::max(m_announced, seq);
    // The announcement of a change this profile pushed itself is covered by the pull that
    // followed the push; a sync running now is looked at again when it ends.
    if (m_announced > m_pulled)
        start(QStringLiteral("notified"));
}

void Watch::onLive(bool live)
{
    if (live) {
        m_poll.stop();
        m_err << "ferry-cli: live updates on\n" << Qt::flush;
    } else {
        m_poll.start();
        m_err << "ferry-cli: live updates off; checking every "
              << m_poll.intervalAsDuration().count() / 1000 << " s\n"
              << Qt::flush;
    }
}

void Watch::onFinished(const SyncSummary &summary)
{
    m_running = false;
    m_pulled = std::max(m_pulled, summary.cursor);
    print(summary);
    // With unlimited retries only a refusal (a revoked token, a lost membership) ends a
    // cycle failed; trying again would be refused again.
    if (!summary.ok && summary.error.code != QLatin1String("cancelled")) {
        m_exitCode = 1;
        QCoreApplication::exit(1);
        return;
    }
    if (m_announced > m_pulled)
        start(QStringLiteral("notified"));
}

void Watch::print(const SyncSummary &summary)
{
    if (m_json) {
        QJsonObject line {{QStringLiteral("reason"), m_reason},
                          {QStringLiteral("ok"), summary.ok},
                          {QStringLiteral("sent"), double(summary.sent)},
                          {QStringLiteral("received"), double(summary.received)},
                          {QStringLiteral("conflicts"), double(summary.conflicts)},
                          {QStringLiteral("cursor"), double(summary.cursor)}};
        if (!summary.ok)
            line.insert(QStringLiteral("error"),
                        QJsonObject {{QStringLiteral("code"), summary.error.code},
                                     {QStringLiteral("message"), summary.error.message}});
        m_out << QJsonDocument(line).toJson(QJsonDocument::Compact) << "\n" << Qt::flush;
        return;
    }
    if (summary.ok)
        m_out << "synced (" << m_reason << "): sent " << summary.sent << ", received "
              << summary.received << ", conflicts " << summary.conflicts << ", cursor "
              << summary.cursor << "\n";
    else
        m_out << "sync failed (" << m_reason << "): " << summary.error.message << "\n";
    m_out.flush();
}

} // namespace FerryCli
