#pragma once

#include "accountanswers.h"
#include "result.h"
#include "syncengine.h"

#include <QUrl>

namespace Ferry {
class Profile;
}

// What `login` and `signin` share: which account a token opens and which of its workspaces
// this profile syncs; and the profile's connection as a whole (its account, kept by
// Ferry::Profile, and its token, kept by Ferry::TokenStore: the same places `ferry` uses).
namespace FerryCli::Connection {

// Asks `server` who `token` belongs to (trusting the certificate `trusted`, if any) and
// chooses the workspace: `wanted`, or the account's default. The error says why nothing may
// be saved: the check failed (with the fingerprint to trust if the certificate was
// refused) or the account has no such workspace.
Ferry::Result<Ferry::SyncConfig> check(const QUrl &server, const QString &token,
                                       const QString &trusted, const QString &wanted,
                                       Ferry::AccountInfo *account = nullptr);

// The profile's connection, as saved by save(); empty fields if it has none. An error if the
// token cannot be read (the keychain refused).
Ferry::Result<Ferry::SyncConfig> load(const Ferry::Profile &profile);
// Makes `config` (the account of `user`) the profile's connection.
Ferry::Status save(const Ferry::Profile &profile, const Ferry::SyncConfig &config,
                   const QString &user);
// Forgets the token (signed out); the account stays named, for signing in again.
Ferry::Status forgetToken(const Ferry::Profile &profile);

} // namespace FerryCli::Connection
