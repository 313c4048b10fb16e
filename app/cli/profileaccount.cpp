#include "profileaccount.h"

#include "accountcheck.h"
#include "localstore.h"

#include <QEventLoop>

using namespace Ferry;

namespace FerryCli::ProfileAccount {

namespace {

const QString kServerKey = QStringLiteral("server_url");
const QString kTokenKey = QStringLiteral("token");
const QString kWorkspaceKey = QStringLiteral("workspace");
const QString kTrustKey = QStringLiteral("trusted_fingerprint");

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
    if (workspace.isEmpty() || !account->workspaces.contains(workspace))
        return Error {
            QStringLiteral("forbidden"),
            QStringLiteral("%1 has no workspace \"%2\" on this server (available: %3); nothing "
                           "was saved.")
                .arg(account->user, workspace, account->workspaces.join(QStringLiteral(", ")))};
    return SyncConfig {server, token, workspace, trusted};
}

SyncConfig load(const LocalStore &store)
{
    return SyncConfig {QUrl(store.setting(kServerKey)), store.setting(kTokenKey),
                       store.setting(kWorkspaceKey), store.setting(kTrustKey)};
}

Status save(LocalStore &store, const SyncConfig &config)
{
    for (const auto &[key, value] :
         {std::pair {kServerKey, config.server.toString()}, std::pair {kTokenKey, config.token},
          std::pair {kWorkspaceKey, config.workspace},
          std::pair {kTrustKey, config.trustedFingerprint}}) {
        if (Status saved = store.setSetting(key, value); !saved)
            return saved;
    }
    return success();
}

} // namespace FerryCli::ProfileAccount
