#pragma once

#include "accountanswers.h"
#include "result.h"
#include "syncengine.h"

#include <QUrl>

namespace Ferry {
class LocalStore;
}

// What `login` and `signin` share: which account a token opens and which of its workspaces
// this profile syncs, and where a profile keeps its connection (the store's settings).
namespace FerryCli::ProfileAccount {

// Asks `server` who `token` belongs to (trusting the certificate `trusted`, if any) and
// chooses the workspace: `wanted`, or the account's default. The error says why nothing may
// be saved: the check failed (with the fingerprint to trust if the certificate was
// refused) or the account has no such workspace.
Ferry::Result<Ferry::SyncConfig> check(const QUrl &server, const QString &token,
                                       const QString &trusted, const QString &wanted,
                                       Ferry::AccountInfo *account = nullptr);

// The profile's connection, as saved by save(); empty fields if it has none.
Ferry::SyncConfig load(const Ferry::LocalStore &store);
Ferry::Status save(Ferry::LocalStore &store, const Ferry::SyncConfig &config);

} // namespace FerryCli::ProfileAccount
