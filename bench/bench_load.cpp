// What one ferry-server holds: many simulated devices over real HTTP and notify sockets, in
// families of five sharing a workspace. Each device pushes a small change every second (a new
// record, one mutation) on its own keep-alive connection, and pulls whenever its notify socket
// announces a sequence it has not pulled. Devices are added in steps; each step is measured
// for a while and prints, with the targets of the load it is held to:
//   - push latency p50/p99 (request written to answer read), and errors of any kind;
//   - from a push being sent to another device of its family hearing of it, p50/p99;
//   - the server's resident memory and the CPU it used.
// The largest step with p99 push latency within the target and no error is what the server
// "holds". A last phase repeats the held step with sign-ins arriving meanwhile (each one an
// Argon2id hash) and compares the push latency with and without them.
//
// The load generator runs on the same machine as the server, so both share its cores; its
// own cost is part of what is measured, as it would be for a server and clients on one host.
//
// Run through scripts/with-postgres.sh, the servers keep their data in a throwaway PostgreSQL
// server, and --servers 2 runs two of them on the one database, each device talking to one of
// them (a family's devices alternate, so pushes reach devices of the other server through
// PostgreSQL's NOTIFY). The CPU of the PostgreSQL processes is printed beside the servers'.
//
//   bench_load [--steps 100,200,400,700,1000] [--seconds 10] [--sign-ins-per-second 4]
//              [--servers 1]
#include "serverprocess.h"
#include "testpostgres.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkRequest>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpSocket>
#include <QTimer>
#include <QUuid>
#include <QWebSocket>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <vector>

using namespace FerryTest;

namespace {

constexpr double kPushP99TargetMs = 50;
constexpr double kNotifyP99TargetMs = 200;
constexpr int kFamily = 5; // devices per workspace
constexpr int kTargetDevices = 1000;

QElapsedTimer g_clock;

double nowMs()
{
    return double(g_clock.nsecsElapsed()) / 1e6;
}

double percentile(QList<double> values, double fraction)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    return values.at(std::min<qsizetype>(values.size() - 1, qsizetype(values.size() * fraction)));
}

// What happened during one measured window.
struct Window
{
    QList<double> pushMs;
    QList<double> notifyMs;
    QList<double> signInMs;
    int errors = 0;
    QStringList firstErrors; // a few, to say what went wrong
    // (workspace, seq) → when the push that made it was sent, and who heard of which seq when.
    QHash<QString, double> pushSentAt;
    QList<std::pair<QString, double>> heard;
    bool open = false;

    void error(const QString &what)
    {
        if (!open)
            return;
        ++errors;
        if (firstErrors.size() < 5)
            firstErrors.append(what);
    }
};

Window g_window;

QString key(const QString &workspace, qint64 seq)
{
    return workspace + QLatin1Char('/') + QString::number(seq);
}

// One HTTP/1.1 exchange at a time on a keep-alive connection, as a client library would.
class HttpLink : public QObject
{
public:
    using Done = std::function<void(int status, const QByteArray &body)>;

    HttpLink(quint16 port, QByteArray token, QObject *parent)
        : QObject(parent)
        , m_port(port)
        , m_token(std::move(token))
    {
        connect(&m_socket, &QTcpSocket::readyRead, this, &HttpLink::onReadyRead);
        connect(&m_socket, &QTcpSocket::disconnected, this, [this] {
            if (m_done)
                finish(0, "connection closed");
        });
    }

    bool busy() const { return bool(m_done); }

    void send(const QByteArray &method, const QByteArray &path, const QByteArray &body, Done done)
    {
        m_done = std::move(done);
        m_buffer.clear();
        if (m_socket.state() != QAbstractSocket::ConnectedState) {
            m_socket.abort();
            m_socket.connectToHost(QStringLiteral("127.0.0.1"), m_port);
        }
        QByteArray request = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
        if (!m_token.isEmpty())
            request += "Authorization: Bearer " + m_token + "\r\n";
        if (!body.isEmpty())
            request += "Content-Type: application/json\r\nContent-Length: "
                + QByteArray::number(body.size()) + "\r\n";
        m_socket.write(request + "\r\n" + body);
    }

private:
    void onReadyRead()
    {
        m_buffer += m_socket.readAll();
        const qsizetype headEnd = m_buffer.indexOf("\r\n\r\n");
        if (headEnd < 0 || !m_done)
            return;
        const QByteArray head = m_buffer.left(headEnd).toLower();
        const qsizetype at = head.indexOf("content-length:");
        const qint64 length = at < 0
            ? 0
            : head.mid(at + 15, head.indexOf('\r', at) - at - 15).trimmed().toLongLong();
        if (m_buffer.size() < headEnd + 4 + length)
            return;
        const int status = m_buffer.mid(9, 3).toInt();
        finish(status, m_buffer.mid(headEnd + 4, length));
    }

    void finish(int status, const QByteArray &body)
    {
        Done done = std::exchange(m_done, Done());
        m_buffer.clear();
        done(status, body);
    }

    QTcpSocket m_socket;
    quint16 m_port;
    QByteArray m_token;
    QByteArray m_buffer;
    Done m_done;
};

// One simulated device: its HTTP link, its notify socket, a push every second.
class Device : public QObject
{
public:
    Device(const QUrl &server, const QString &workspace, const QString &token, QObject *parent)
        : QObject(parent)
        , m_workspace(workspace)
        , m_id(QUuid::createUuid().toString(QUuid::WithoutBraces).left(12))
        , m_http(new HttpLink(quint16(server.port()), token.toLatin1(), this))
    {
        QUrl notify = server;
        notify.setScheme(QStringLiteral("ws"));
        notify.setPath(QStringLiteral("/v1/workspaces/%1/notify").arg(workspace));
        QNetworkRequest request(notify);
        request.setRawHeader("Authorization", "Bearer " + token.toLatin1());
        connect(&m_notify, &QWebSocket::textMessageReceived, this, &Device::onNotify);
        connect(&m_notify, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
                [this](QAbstractSocket::SocketError) {
                    g_window.error(QStringLiteral("notify socket: ") + m_notify.errorString());
                });
        m_notify.open(request);
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &Device::tick);
    }

    // Starts pushing, at a moment of the second of its own, as real devices would.
    // (Called once the devices of a step are made: making one waits for an admin command.)
    void start()
    {
        m_nextPush = nowMs() + QRandomGenerator::global()->bounded(1000);
        schedule();
    }

    bool notifyOpen() const { return m_notify.state() == QAbstractSocket::ConnectedState; }

private:
    // Every device keeps its own moment of the second. A timer that repeats would start again
    // from whenever it fired late (the load generator is one thread, and it stalls when the
    // machine is saturated), and after one stall every device would push at the same moment
    // and stay in step, which no devices of different people do.
    void schedule() { m_timer.start(std::max(0, int(m_nextPush - nowMs()))); }

    void tick()
    {
        // Late (the generator stalled): this push now, the next at its own moment again.
        const double now = nowMs();
        do
            m_nextPush += 1000;
        while (m_nextPush <= now);
        schedule();
        push();
    }

    void push()
    {
        if (m_http->busy()) {
            m_pushWaiting = true; // a pull is under way: right after it
            return;
        }
        const QByteArray body
            = QJsonDocument(
                  QJsonObject {
                      {QStringLiteral("batch"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                      {QStringLiteral("device"), m_id},
                      {QStringLiteral("mutations"),
                       QJsonArray {
                           QJsonObject {{QStringLiteral("entity"), QStringLiteral("Post")},
                                        {QStringLiteral("guid"),
                                         QUuid::createUuid().toString(QUuid::WithoutBraces)},
                                        {QStringLiteral("base"), 0},
                                        {QStringLiteral("fields"),
                                         QJsonObject {{QStringLiteral("title"),
                                                       QStringLiteral("a small change")}}}}}}})
                  .toJson(QJsonDocument::Compact);
        const double sent = nowMs();
        m_http->send("POST", "/v1/workspaces/" + m_workspace.toLatin1() + "/push", body,
                     [this, sent](int status, const QByteArray &answer) {
                         const double took = nowMs() - sent;
                         if (status != 200) {
                             g_window.error(QStringLiteral("push: %1 %2")
                                                .arg(status)
                                                .arg(QString::fromUtf8(answer.left(120))));
                         } else if (g_window.open) {
                             g_window.pushMs.append(took);
                             const qint64 seq = QJsonDocument::fromJson(answer)
                                                    .object()
                                                    .value(QStringLiteral("seq"))
                                                    .toInteger();
                             g_window.pushSentAt.insert(key(m_workspace, seq), sent);
                         }
                         next();
                     });
    }

    void onNotify(const QString &message)
    {
        const qint64 seq = QJsonDocument::fromJson(message.toUtf8())
                               .object()
                               .value(QStringLiteral("seq"))
                               .toInteger();
        if (g_window.open)
            g_window.heard.append({key(m_workspace, seq), nowMs()});
        m_told = std::max(m_told, seq);
        if (!m_http->busy())
            next();
    }

    // After each exchange: a push that waited, else a pull of what was announced.
    void next()
    {
        if (std::exchange(m_pushWaiting, false)) {
            push();
            return;
        }
        if (m_told <= m_cursor)
            return;
        m_http->send("GET",
                     "/v1/workspaces/" + m_workspace.toLatin1()
                         + "/pull?limit=1000&since=" + QByteArray::number(m_cursor),
                     {}, [this](int status, const QByteArray &answer) {
                         if (status != 200) {
                             g_window.error(QStringLiteral("pull: %1").arg(status));
                         } else {
                             const QJsonObject page = QJsonDocument::fromJson(answer).object();
                             m_cursor = std::max(m_cursor,
                                                 page.value(QStringLiteral("cursor")).toInteger());
                         }
                         next();
                     });
    }

    QString m_workspace;
    QString m_id;
    HttpLink *m_http;
    QWebSocket m_notify;
    QTimer m_timer;
    double m_nextPush = 0; // when the next push is due (nowMs())
    qint64 m_cursor = 0;
    qint64 m_told = 0;
    bool m_pushWaiting = false;
};

// Runs the event loop for `ms`.
void run(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// User and system CPU the process has used, in clock ticks.
qint64 cpuTicks(qint64 pid)
{
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return 0;
    const QByteArray line = stat.readAll();
    const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
    return fields.value(11).toLongLong() + fields.value(12).toLongLong();
}

// The PostgreSQL server's processes (the postmaster and one backend per connection): every
// process named "postgres" on this machine, which with-postgres.sh's throwaway server is.
QList<qint64> postgresProcesses()
{
    QList<qint64> pids;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const qint64 pid = entry.toLongLong(&number);
        QFile comm(QStringLiteral("/proc/%1/comm").arg(entry));
        if (number && comm.open(QIODevice::ReadOnly) && comm.readAll().trimmed() == "postgres")
            pids.append(pid);
    }
    return pids;
}

qint64 cpuTicks(const QList<qint64> &pids)
{
    qint64 sum = 0;
    for (qint64 pid : pids)
        sum += cpuTicks(pid);
    return sum;
}

struct StepResult
{
    int devices = 0;
    double pushP50 = 0, pushP99 = 0, notifyP50 = 0, notifyP99 = 0, signInP50 = 0;
    int errors = 0;
    qint64 pushes = 0;
    double rssMiB = 0, cpuPercent = 0, postgresCpuPercent = -1;
};

// `servers`: the ferry-server processes, whose memory and CPU are summed.
StepResult measure(int devices, int seconds, const QList<qint64> &servers)
{
    g_window = Window();
    const QList<qint64> postgres = TestPostgres::enabled() ? postgresProcesses() : QList<qint64>();
    const qint64 ticksBefore = cpuTicks(servers);
    const qint64 postgresBefore = cpuTicks(postgres);
    const double start = nowMs();
    g_window.open = true;
    run(seconds * 1000);
    g_window.open = false;
    const double elapsed = nowMs() - start;
    const qint64 ticks = cpuTicks(servers) - ticksBefore;
    const qint64 postgresTicks = cpuTicks(postgres) - postgresBefore;
    run(300); // answers still under way land outside the window

    QList<double> heardMs;
    for (const auto &[which, at] : std::as_const(g_window.heard)) {
        const auto sent = g_window.pushSentAt.constFind(which);
        if (sent != g_window.pushSentAt.constEnd())
            heardMs.append(at - sent.value());
    }
    StepResult r;
    r.devices = devices;
    r.pushP50 = percentile(g_window.pushMs, 0.50);
    r.pushP99 = percentile(g_window.pushMs, 0.99);
    r.notifyP50 = percentile(heardMs, 0.50);
    r.notifyP99 = percentile(heardMs, 0.99);
    r.signInP50 = percentile(g_window.signInMs, 0.50);
    r.errors = g_window.errors;
    r.pushes = g_window.pushMs.size();
    for (qint64 pid : servers)
        r.rssMiB += double(residentKiB(pid)) / 1024.0;
    const auto percent = [elapsed](qint64 used) {
        return 100.0 * double(used) / double(sysconf(_SC_CLK_TCK)) / (elapsed / 1000.0);
    };
    r.cpuPercent = percent(ticks);
    if (!postgres.isEmpty())
        r.postgresCpuPercent = percent(postgresTicks);
    return r;
}

void print(const StepResult &r, const char *label)
{
    std::printf("%-22s %5d devices  %6lld pushes  push p50 %6.1f  p99 %6.1f ms  "
                "heard p50 %6.1f  p99 %6.1f ms  errors %d  server %5.1f MiB, CPU %3.0f%%%s%s\n",
                label, r.devices, static_cast<long long>(r.pushes), r.pushP50, r.pushP99,
                r.notifyP50, r.notifyP99, r.errors, r.rssMiB, r.cpuPercent,
                r.postgresCpuPercent >= 0 ? qPrintable(
                    QStringLiteral(", PostgreSQL CPU %1%").arg(r.postgresCpuPercent, 0, 'f', 0))
                                          : "",
                r.signInP50 > 0
                    ? qPrintable(QStringLiteral("  sign-in p50 %1 ms").arg(r.signInP50, 0, 'f', 1))
                    : "");
    for (const QString &e : std::as_const(g_window.firstErrors))
        std::printf("    error: %s\n", qPrintable(e));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({QStringLiteral("steps"), QStringLiteral("Device counts to measure."),
                      QStringLiteral("N,N,..."), QStringLiteral("100,200,400,700,1000")});
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Seconds measured per step."),
                      QStringLiteral("S"), QStringLiteral("10")});
    parser.addOption({QStringLiteral("sign-ins-per-second"),
                      QStringLiteral("Sign-ins during the last phase."), QStringLiteral("N"),
                      QStringLiteral("4")});
    parser.addOption({QStringLiteral("servers"),
                      QStringLiteral("ferry-servers sharing one PostgreSQL database (more than one "
                                     "needs scripts/with-postgres.sh)."),
                      QStringLiteral("N"), QStringLiteral("1")});
    parser.process(app);
    const int serverCount = std::max(1, parser.value(QStringLiteral("servers")).toInt());
    if (serverCount > 1 && !TestPostgres::enabled()) {
        std::fprintf(stderr,
                     "bench_load: several servers share a PostgreSQL database; run "
                     "through scripts/with-postgres.sh\n");
        return 1;
    }
    QList<int> steps;
    for (const QString &n : parser.value(QStringLiteral("steps")).split(QLatin1Char(',')))
        steps.append(std::max(kFamily, n.toInt() / kFamily * kFamily));
    std::sort(steps.begin(), steps.end());
    const int seconds = std::max(1, parser.value(QStringLiteral("seconds")).toInt());
    const int signInsPerSecond
        = std::max(1, parser.value(QStringLiteral("sign-ins-per-second")).toInt());

    // Two sockets a device, and the server's two ends of them.
    rlimit files {};
    getrlimit(RLIMIT_NOFILE, &files);
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
    if (files.rlim_cur < rlim_t(steps.last()) * 2 + 100) {
        std::fprintf(stderr, "bench_load: %llu open files allowed, too few for %d devices\n",
                     static_cast<unsigned long long>(files.rlim_cur), steps.last());
        return 1;
    }

    // The servers inherit the raised limit; normal durability is what a load test of the
    // request path wants (bench_durability prints the cost of full).
    std::vector<std::unique_ptr<ServerProcess>> servers;
    QList<qint64> serverPids;
    for (int i = 0; i < serverCount; ++i) {
        auto server = std::make_unique<ServerProcess>();
        if (i > 0)
            server->shareStoreWith(*servers.front());
        if (!server->start({QStringLiteral("--durability"), QStringLiteral("normal")})) {
            std::fprintf(stderr, "bench_load: the server did not start: %s\n",
                         qPrintable(server->lastError()));
            return 1;
        }
        serverPids.append(server->processId());
        servers.push_back(std::move(server));
    }
    ServerProcess &server = *servers.front();
    g_clock.start();
    std::printf("ferry-server (%s, %d instance%s) under load: each device pushes one small "
                "change a second and pulls what its notify socket announces; families of %d "
                "devices share a workspace%s. %d s measured per step.\n",
                TestPostgres::enabled() ? "PostgreSQL" : "SQLite", serverCount,
                serverCount > 1 ? "s" : "", kFamily,
                serverCount > 1 ? ", their devices spread over the instances" : "", seconds);
    std::printf("Targets: p99 push <= %.0f ms with 0 errors at %d devices; p99 from a push to "
                "another device hearing of it <= %.0f ms.\n",
                kPushP99TargetMs, kTargetDevices, kNotifyP99TargetMs);

    QList<Device *> devices;
    qsizetype started = 0;
    StepResult held;
    for (const int count : std::as_const(steps)) {
        while (devices.size() < count) {
            const QString family = QStringLiteral("fam%1").arg(devices.size() / kFamily);
            const QString token
                = server.admin({QStringLiteral("token"), QStringLiteral("create"),
                                QStringLiteral("--user"), family, QStringLiteral("--device"),
                                QStringLiteral("device %1").arg(devices.size())});
            if (token.isEmpty()) {
                std::fprintf(stderr, "bench_load: no token for %s\n", qPrintable(family));
                return 1;
            }
            const ServerProcess &to = *servers.at(devices.size() % servers.size());
            devices.append(new Device(to.url(), family, token, &app));
        }
        for (; started < devices.size(); ++started)
            devices.at(started)->start();
        run(2000); // every socket open, every timer started
        const int open = int(std::count_if(devices.cbegin(), devices.cend(),
                                           [](const Device *d) { return d->notifyOpen(); }));
        if (open < devices.size())
            std::printf("  (%d of %lld notify sockets open)\n", open,
                        static_cast<long long>(devices.size()));
        const StepResult r = measure(count, seconds, serverPids);
        print(r, "step");
        if (r.errors == 0 && r.pushP99 <= kPushP99TargetMs)
            held = r;
    }
    std::printf("%-44s %9d        target >= %6d      %s\n",
                "devices held (p99 push in target, 0 errors)", held.devices, kTargetDevices,
                held.devices >= kTargetDevices ? "MET   " : "MISSED");

    // Sign-ins during the load: a user with a password signs in again and again.
    if (held.devices > 0) {
        while (devices.size() > held.devices)
            delete devices.takeLast();
        run(2000);
        const StepResult quiet = measure(held.devices, seconds, serverPids);
        print(quiet, "without sign-ins");
        server.admin({QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("--user"),
                      QStringLiteral("signer")});
        const ServerProcess::AdminRun password
            = server.runAdmin({QStringLiteral("user"), QStringLiteral("password"),
                               QStringLiteral("--user"), QStringLiteral("signer")},
                              "a long enough password\n");
        if (password.exitCode != 0) {
            std::fprintf(stderr, "bench_load: could not set a password: %s\n",
                         qPrintable(password.errors));
            return 1;
        }
        auto *signIns = new HttpLink(server.port(), QByteArray(), &app);
        QTimer signInTimer;
        signInTimer.setInterval(1000 / signInsPerSecond);
        QObject::connect(&signInTimer, &QTimer::timeout, &app, [signIns] {
            if (signIns->busy())
                return;
            const double sent = nowMs();
            signIns->send("POST", "/v1/sessions",
                          R"({"user":"signer","password":"a long enough password","device":"d"})",
                          [sent](int status, const QByteArray &) {
                              if (status != 201)
                                  g_window.error(QStringLiteral("sign-in: %1").arg(status));
                              else if (g_window.open)
                                  g_window.signInMs.append(nowMs() - sent);
                          });
        });
        signInTimer.start();
        const StepResult busy = measure(held.devices, seconds, serverPids);
        signInTimer.stop();
        print(busy, "with sign-ins");
        std::printf("%-44s %9.1f ms   against %6.1f ms without sign-ins (%+.1f ms)\n",
                    "p99 push during sign-ins", busy.pushP99, quiet.pushP99,
                    busy.pushP99 - quiet.pushP99);
    }
    return 0;
}
