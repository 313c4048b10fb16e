#pragma once

#include "profile.h"
#include "result.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <functional>
#include <optional>

namespace Ferry {
class AccountClient;
}

namespace FerryCli {

// ferry-cli's account and sharing commands (register, signin, devices, revoke, signout,
// share, unshare, members, storage): each makes one or two calls through Ferry::AccountClient and
// prints the answer (as JSON with --json). Passwords are read from standard input, never
// from the command line. Kept apart from Cli so cli.cpp stays about records.
class AccountCommands
{
public:
    AccountCommands(const Ferry::Profile &profile, const QCommandLineParser &parser,
                    const QStringList &args, QTextStream &out, QTextStream &err, bool json);

    static bool handles(const QString &command);
    // The process exit code: 0 done, 1 failed, 2 bad usage.
    int run(const QString &command);

private:
    int registerAccount();
    int signIn();
    int devices();
    int revoke();
    int signOut();
    int share();
    int unshare();
    int members();
    int invitations();
    int answerInvitation(bool accept);
    int accept() { return answerInvitation(true); }
    int decline() { return answerInvitation(false); }
    int leave();
    int storage();

    // Runs one client call to its end; the error if it failed.
    std::optional<Ferry::Error> await(Ferry::AccountClient &client,
                                      const std::function<void()> &start);
    // The profile's server and token, or an error saying to sign in first.
    std::optional<Ferry::Error> connect(Ferry::AccountClient &client);
    QUrl serverOption();
    // --trust-fingerprint if given, else the one this profile trusts.
    Ferry::Result<QString> trustOption() const;
    std::optional<QString> readPassword();
    QString workspaceOption() const;
    void printJson(const QJsonValue &value);
    int fail(const Ferry::Error &error);
    int usage(const QString &message);

    const Ferry::Profile &m_profile;
    const QCommandLineParser &m_parser;
    QStringList m_args;
    QTextStream &m_out;
    QTextStream &m_err;
    bool m_json;
};

} // namespace FerryCli
