#include "connection.h"

#include "accountcheck.h"
#include "profile.h"
#include "tokenstore.h"

#include <QEventLoop>

#include <functional>
#include <optional>

using namespace Ferry;

namespace FerryCli::Connection {

namespace {

// Runs one TokenStore operation to its answer: the error it failed with, if it did.
std::optional<Error> awaitToken(TokenStore &tokens, const std::function<void()> &start)
{
    std::optional<Error> problem;
    QEventLoop loop;
    QObject::connect(&tokens, &TokenStore::tokenRead, &loop, &QEventLoop::quit);
    QObject::connect(&tokens, &TokenStore::tokenWritten, &loop, &QEventLoop::quit);
    QObject::connect(&tokens, &TokenStore::removed, &loop, &QEventLoop::quit);
    QObject::connect(&tokens, &TokenStore::failed, &loop, [&](const QString &message) {
        problem = Error {QStringLiteral("token"), message};
        loop.quit();
    });
    start();
    loop.exec();
    return problem;
}

} // namespace

Result<SyncConfig> check(const QUrl &server, const QString &token, const QString &trusted,
                         const QString &wanted, AccountInfo *accountOut)
{
    AccountCheck check;
    std::optional<AccountInfo> account;
    Error problem;
    QEventLoop loop;
    QObject::connect(&check, &AccountCheck::succeeded, &loop, [&](const AccountInfo &info) {
        account = info;
        loop.quit();
    });
    QObject::connect(&check, &AccountCheck::failed, &loop, [&](const Error &error) {
        problem = error;
        loop.quit();
    });
    check.setTrustedFingerprint(trusted);
    check.start(server, token);
    loop.exec();
    if (!account) {
        if (!check.rejectedCertificate().isNull())
            problem.message
                += QStringLiteral(" To trust it: ferry-cli login ... --trust-fingerprint %1.")
                       .arg(check.rejectedCertificate().fingerprint);
        return Error {problem.code, problem.message + QStringLiteral(" Nothing was saved.")};
    }
    if (accountOut)
        *accountOut = *account;
    const QString workspace = wanted.isEmpty() ? account->defaultWorkspace() : wanted;
    if (workspace.isEmpty())
        return Error {QStringLiteral("forbidden"),
                      QStringLiteral("%1 owns no workspace on this server; name one shared with "
                                     "them with --workspace (%2); nothing was saved.")
                          .arg(account->user, account->workspaces.join(QStringLiteral(", ")))};
    if (!account->workspaces.contains(workspace))
        return Error {
            QStringLiteral("forbidden"),
            QStringLiteral("%1 has no workspace \"%2\" on this server (available: %3); nothing "
                           "was saved.")
                .arg(account->user, workspace, account->workspaces.join(QStringLiteral(", ")))};
    return SyncConfig {server, token, workspace, trusted};
}

Result<SyncConfig> load(const Profile &profile)
{
    const ProfileAccount account = profile.account();
    SyncConfig config {account.server, QString(), account.workspace, account.trustedFingerprint,
                       profile.blobFolder()};
    if (account.server.isEmpty())
        return config;
    TokenStore tokens(profile);
    QObject::connect(&tokens, &TokenStore::tokenRead,
                     [&config](const QString &token) { config.token = token; });
    if (const auto problem = awaitToken(tokens, [&] { tokens.read(); }))
        return *problem;
    return config;
}

Status save(const Profile &profile, const SyncConfig &config, const QString &user)
{
    ProfileAccount account = profile.account();
    account.server = config.server;
    account.workspace = config.workspace;
    account.trustedFingerprint = config.trustedFingerprint;
    account.user = user;
    account.localServer = false; // a server named by hand, not the bundled one
    if (Status saved = profile.setAccount(account); !saved)
        return saved;
    TokenStore tokens(profile);
    if (const auto problem = awaitToken(tokens, [&] { tokens.write(config.token); }))
        return *problem;
    return success();
}

Status forgetToken(const Profile &profile)
{
    TokenStore tokens(profile);
    if (const auto problem = awaitToken(tokens, [&] { tokens.remove(); }))
        return *problem;
    return success();
}

} // namespace FerryCli::Connection
