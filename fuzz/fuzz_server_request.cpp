// libFuzzer target: what ferry-server does with a request from anyone holding a token. The
// first byte picks the endpoint, the rest is the push body or the pull query string, and
// both go through the functions ApiServer calls (Wire::parsePushRequest, PushService,
// PullService::parseQuery and page) on a real SQLite database in a temporary folder.
// Besides not crashing, what the server answers must be readable by the client.

#include "pullservice.h"
#include "pushservice.h"
#include "serverstore.h"
#include "wire.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QUrlQuery>

#include <cstdio>
#include <cstdlib>

namespace {

const QString kWorkspace = QStringLiteral("fuzz");
const QString kUser = QStringLiteral("fuzzer");

struct Server
{
    QTemporaryDir dir;
    FerryServer::ServerStore store;
    std::unique_ptr<FerryServer::PushService> push;
    std::unique_ptr<FerryServer::PullService> pull;
};

Server *server = nullptr;

// A broken promise between server and client is a bug as real as a crash: stop here.
void check(bool ok, const char *what, const QByteArray &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_server_request: %s\n%s\n", what, detail.left(2000).constData());
    std::abort();
}

void pushBody(const QByteArray &body)
{
    const Ferry::Result<Ferry::Wire::PushRequest> request = Ferry::Wire::parsePushRequest(body);
    if (!request) {
        check(!request.error().code.isEmpty() && !request.error().message.isEmpty(),
              "a refusal without code or message");
        return;
    }
    const FerryServer::PushAnswer answer
        = server->push->push(kWorkspace, kUser, body, request.value());
    if (!answer) {
        check(answer.error().code == QLatin1String("batch_mismatch"), "push failed",
              answer.error().message.toUtf8());
        return;
    }
    const Ferry::Result<Ferry::Wire::PushResponse> parsed
        = Ferry::Wire::parsePushResponse(answer.value());
    check(parsed.ok(), "the client cannot read the push answer", answer.value());
    // A replayed batch answers for the first body, which may have had other mutations.
    if (parsed->results.size() != request->mutations.size())
        return;
    for (qsizetype i = 0; i < parsed->results.size(); ++i)
        check(parsed->results[i].guid == request->mutations[i].guid,
              "a result for another guid than its mutation", answer.value());

    // The pages that now hold this push must be readable too.
    const Ferry::Result<QByteArray> page
        = server->pull->page(kWorkspace, qMax<qint64>(0, parsed->seq - 1), 50, true);
    check(page.ok(), "pull failed");
    const Ferry::Result<Ferry::Wire::PullPage> pulled = Ferry::Wire::parsePullPage(page.value());
    check(pulled.ok(), "the client cannot read the pull page", page.value());
}

void pullQuery(const QByteArray &text)
{
    const Ferry::Result<FerryServer::PullService::Query> query
        = FerryServer::PullService::parseQuery(QUrlQuery(QString::fromUtf8(text)));
    if (!query)
        return;
    check(query->since >= 0 && query->limit >= 1 && query->limit <= Ferry::Wire::kMaxPullLimit,
          "a query out of range was accepted", text);
    const Ferry::Result<QByteArray> page
        = server->pull->page(kWorkspace, query->since, query->limit, query->withTotal);
    check(page.ok(), "pull failed");
    const Ferry::Result<Ferry::Wire::PullPage> pulled = Ferry::Wire::parsePullPage(page.value());
    check(pulled.ok(), "the client cannot read the pull page", page.value());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    server = new Server;
    check(server->dir.isValid(), "no temporary folder");
    const Ferry::Status opened = server->store.open(server->dir.path());
    check(opened.ok(), "cannot open the store");
    check(server->store.ensureUser(kUser).ok(), "cannot create the user");
    check(server->store.createWorkspace(kWorkspace, kUser).ok(), "cannot create the workspace");
    server->push = std::make_unique<FerryServer::PushService>(server->store.database());
    server->pull = std::make_unique<FerryServer::PullService>(server->store.database());
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    if (data[0] == 'q')
        pullQuery(rest);
    else
        pushBody(rest);
    return 0;
}
