#include "accountcommands.h"

#include "connection.h"

#include "accountcheck.h"
#include "accountclient.h"
#include "output.h"

#include <QDateTime>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSysInfo>

#include <cstdio>
#include <iostream>
#include <string>

#ifdef Q_OS_UNIX
#include <termios.h>
#include <unistd.h>
#endif

using namespace Ferry;

namespace FerryCli {

namespace {

// The profile settings Cli::login writes too.

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("never");
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(Qt::ISODate);
}

} // namespace

AccountCommands::AccountCommands(const Profile &profile, const QCommandLineParser &parser,
                                 const QStringList &args, QTextStream &out, QTextStream &err,
                                 bool json)
    : m_profile(profile)
    , m_parser(parser)
    , m_args(args)
    , m_out(out)
    , m_err(err)
    , m_json(json)
{ }

bool AccountCommands::handles(const QString &command)
{
    static const QStringList commands {
        QStringLiteral("register"),    QStringLiteral("signin"),  QStringLiteral("devices"),
        QStringLiteral("revoke"),      QStringLiteral("signout"), QStringLiteral("share"),
        QStringLiteral("unshare"),     QStringLiteral("members"), QStringLiteral("storage"),
        QStringLiteral("invitations"), QStringLiteral("accept"),  QStringLiteral("decline"),
        QStringLiteral("leave")};
    return commands.contains(command);
}

int AccountCommands::run(const QString &command)
{
    using Command = int (AccountCommands::*)();
    static const QHash<QString, Command> commands {
        {QStringLiteral("register"), &AccountCommands::registerAccount},
        {QStringLiteral("signin"), &AccountCommands::signIn},
        {QStringLiteral("devices"), &AccountCommands::devices},
        {QStringLiteral("revoke"), &AccountCommands::revoke},
        {QStringLiteral("signout"), &AccountCommands::signOut},
        {QStringLiteral("share"), &AccountCommands::share},
        {QStringLiteral("unshare"), &AccountCommands::unshare},
        {QStringLiteral("members"), &AccountCommands::members},
        {QStringLiteral("storage"), &AccountCommands::storage},
        {QStringLiteral("invitations"), &AccountCommands::invitations},
        {QStringLiteral("accept"), &AccountCommands::accept},
        {QStringLiteral("decline"), &AccountCommands::decline},
        {QStringLiteral("leave"), &AccountCommands::leave},
    };
    return (this->*commands.value(command))();
}

int AccountCommands::usage(const QString &message)
{
    return Output::usage(m_err, message);
}

int AccountCommands::fail(const Error &error)
{
    return Output::fail(m_out, m_err, m_json, error);
}

void AccountCommands::printJson(const QJsonValue &value)
{
    Output::printJson(m_out, value);
}

std::optional<Error> AccountCommands::await(AccountClient &client,
                                            const std::function<void()> &start)
{
    QEventLoop loop;
    std::optional<Error> problem;
    const auto done = [&loop] {
        loop.quit();
    };
    QObject::connect(&client, &AccountClient::registered, &loop, done);
    QObject::connect(&client, &AccountClient::signedIn, &loop, done);
    QObject::connect(&client, &AccountClient::devicesListed, &loop, done);
    QObject::connect(&client, &AccountClient::deviceRevoked, &loop, done);
    QObject::connect(&client, &AccountClient::membersListed, &loop, done);
    QObject::connect(&client, &AccountClient::memberChanged, &loop, done);
    QObject::connect(&client, &AccountClient::storageRead, &loop, done);
    QObject::connect(&client, &AccountClient::accountRead, &loop, done);
    QObject::connect(&client, &AccountClient::invitationAnswered, &loop, done);
    QObject::connect(&client, &AccountClient::workspaceLeft, &loop, done);
    QObject::connect(&client, &AccountClient::failed, &loop, [&](const Error &error) {
        problem = error;
        loop.quit();
    });
    start();
    loop.exec();
    return problem;
}

std::optional<Error> AccountCommands::connect(AccountClient &client)
{
    const Result<SyncConfig> loaded = Connection::load(m_profile);
    if (!loaded)
        return loaded.error();
    const SyncConfig &profile = loaded.value();
    if (profile.server.isEmpty() || profile.token.isEmpty())
        return Error {QStringLiteral("not_signed_in"),
                      QStringLiteral("This profile is not signed in to a server. Run ferry-cli "
                                     "signin first.")};
    client.setServer(profile.server, profile.token);
    client.setTrustedFingerprint(profile.trustedFingerprint);
    return std::nullopt;
}

Result<QString> AccountCommands::trustOption() const
{
    const QString given = m_parser.value(QStringLiteral("trust-fingerprint"));
    if (given.isEmpty())
        return m_profile.account().trustedFingerprint;
    Result<QString> parsed = TlsTrust::parseFingerprint(given);
    if (!parsed)
        return Error {parsed.error().code,
                      QStringLiteral("--trust-fingerprint: %1.").arg(parsed.error().message)};
    return parsed;
}

QUrl AccountCommands::serverOption()
{
    const QString given = m_parser.value(QStringLiteral("server"));
    return given.isEmpty() ? m_profile.account().server : QUrl(given);
}

QString AccountCommands::workspaceOption() const
{
    const QString given = m_parser.value(QStringLiteral("workspace"));
    return given.isEmpty() ? m_profile.account().workspace : given;
}

std::optional<QString> AccountCommands::readPassword()
{
    // Read from standard input so it never shows in the process list; a person at a terminal
    // is asked, with echo off.
#ifdef Q_OS_UNIX
    const bool terminal = ::isatty(STDIN_FILENO);
    termios saved {};
    if (terminal) {
        std::fputs("Password: ", stderr);
        std::fflush(stderr);
        ::tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~tcflag_t(ECHO);
        ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
#endif
    std::string line;
    const bool got = bool(std::getline(std::cin, line));
#ifdef Q_OS_UNIX
    if (terminal) {
        ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fputs("\n", stderr);
    }
#endif
    if (!got)
        return std::nullopt;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromStdString(line);
}

int AccountCommands::registerAccount()
{
    const QUrl server = serverOption();
    const QString user = m_parser.value(QStringLiteral("user"));
    if (!AccountCheck::validateServerUrl(server) || user.isEmpty() || !m_args.isEmpty())
        return usage(QStringLiteral("register needs --server URL and --user NAME; the password "
                                    "is read from standard input."));
    const std::optional<QString> password = readPassword();
    if (!password)
        return usage(QStringLiteral("register reads the password from standard input."));
    const Result<QString> trusted = trustOption();
    if (!trusted)
        return fail(trusted.error());
    AccountClient client;
    client.setServer(server);
    client.setTrustedFingerprint(trusted.value());
    if (const auto problem = await(client, [&] { client.registerAccount(user, *password); }))
        return fail(*problem);
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("server"), server.toString()},
                               {QStringLiteral("user"), user}});
    else
        m_out << "Registered " << user << " on " << server.toDisplayString()
              << ". Sign in with: ferry-cli signin --server " << server.toDisplayString()
              << " --user " << user << "\n";
    return 0;
}

int AccountCommands::signIn()
{
    const QUrl server = serverOption();
    const QString user = m_parser.value(QStringLiteral("user"));
    QString device = m_parser.value(QStringLiteral("device"));
    if (device.isEmpty())
        device = QSysInfo::machineHostName() + QStringLiteral(" (ferry-cli)");
    if (!AccountCheck::validateServerUrl(server) || user.isEmpty() || !m_args.isEmpty())
        return usage(QStringLiteral("signin needs --server URL and --user NAME (and may take "
                                    "--device NAME, --workspace ID); the password is read "
                                    "from standard input."));
    const std::optional<QString> password = readPassword();
    if (!password)
        return usage(QStringLiteral("signin reads the password from standard input."));

    const Result<QString> trusted = trustOption();
    if (!trusted)
        return fail(trusted.error());
    AccountClient client;
    client.setServer(server);
    client.setTrustedFingerprint(trusted.value());
    SignedIn session;
    QObject::connect(&client, &AccountClient::signedIn,
                     [&session](const SignedIn &made) { session = made; });
    if (const auto problem = await(client, [&] { client.signIn(user, *password, device); }))
        return fail(*problem);

    // Which workspace to sync, as login does; a refused choice signs the new device out.
    const Result<SyncConfig> chosen = Connection::check(
        server, session.token, trusted.value(), m_parser.value(QStringLiteral("workspace")));
    if (!chosen) {
        client.setServer(server, session.token);
        await(client, [&] { client.signOut(); });
        return fail(chosen.error());
    }
    const QString workspace = chosen->workspace;
    if (Status saved = Connection::save(m_profile, chosen.value(), session.user); !saved)
        return fail(saved.error());
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("server"), server.toString()},
                               {QStringLiteral("user"), session.user},
                               {QStringLiteral("workspace"), workspace},
                               {QStringLiteral("device"), session.device}});
    else
        m_out << "Signed in to " << server.toDisplayString() << " as " << session.user
              << " (device " << session.device << "), workspace " << workspace << ".\n";
    return 0;
}

int AccountCommands::devices()
{
    if (!m_args.isEmpty())
        return usage(QStringLiteral("devices takes no arguments."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    QList<DeviceInfo> devices;
    QObject::connect(&client, &AccountClient::devicesListed,
                     [&devices](const QList<DeviceInfo> &list) { devices = list; });
    if (const auto problem = await(client, [&] { client.listDevices(); }))
        return fail(*problem);
    if (m_json) {
        QJsonArray list;
        for (const DeviceInfo &d : devices)
            list.append(QJsonObject {{QStringLiteral("id"), d.id},
                                     {QStringLiteral("name"), d.name},
                                     {QStringLiteral("created"), d.created},
                                     {QStringLiteral("last_used"), d.lastUsed},
                                     {QStringLiteral("current"), d.current}});
        printJson(list);
        return 0;
    }
    for (const DeviceInfo &d : devices)
        m_out << d.id << "  " << d.name << "  signed in " << formatTime(d.created) << ", last used "
              << formatTime(d.lastUsed) << (d.current ? "  (this device)" : "") << "\n";
    return 0;
}

int AccountCommands::revoke()
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("revoke needs one device id (ferry-cli devices lists them)."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    if (const auto problem = await(client, [&] { client.revokeDevice(m_args.first()); }))
        return fail(*problem);
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("revoked"), m_args.first()}});
    else
        m_out << "Revoked device " << m_args.first() << ".\n";
    return 0;
}

int AccountCommands::signOut()
{
    if (!m_args.isEmpty())
        return usage(QStringLiteral("signout takes no arguments."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    QString device;
    QObject::connect(&client, &AccountClient::deviceRevoked,
                     [&device](const QString &id) { device = id; });
    if (const auto problem = await(client, [&] { client.signOut(); }))
        return fail(*problem);
    // The token is dead on the server; keeping it would only make later commands fail.
    if (Status forgotten = Connection::forgetToken(m_profile); !forgotten)
        return fail(forgotten.error());
    const ProfileAccount profile = m_profile.account();
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("revoked"), device}});
    else
        m_out << "Signed out of " << profile.server.toDisplayString() << " (device " << device
              << ").\n";
    return 0;
}

int AccountCommands::share()
{
    const QString role = m_parser.value(QStringLiteral("role"));
    if (m_args.size() != 1 || (role != QLatin1String("editor") && role != QLatin1String("viewer")))
        return usage(QStringLiteral("share needs one user name and --role editor or --role "
                                    "viewer (and may take --workspace ID)."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = workspaceOption();
    bool invited = false;
    QObject::connect(&client, &AccountClient::memberChanged,
                     [&invited](const QString &, const MemberInfo &m) { invited = m.invited; });
    if (const auto problem
        = await(client, [&] { client.setMember(workspace, m_args.first(), role); }))
        return fail(*problem);
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("workspace"), workspace},
                               {QStringLiteral("user"), m_args.first()},
                               {QStringLiteral("role"), role},
                               {QStringLiteral("invited"), invited}});
    else if (invited)
        m_out << "Invited " << m_args.first() << " to " << workspace << " as " << role
              << ". They have access once they accept (ferry-cli accept " << workspace << ").\n";
    else
        m_out << m_args.first() << " is now " << role << " of " << workspace << ".\n";
    return 0;
}

int AccountCommands::unshare()
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("unshare needs one user name (and may take --workspace ID)."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = workspaceOption();
    if (const auto problem = await(client, [&] { client.removeMember(workspace, m_args.first()); }))
        return fail(*problem);
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("workspace"), workspace},
                               {QStringLiteral("removed"), m_args.first()}});
    else
        m_out << m_args.first() << " no longer has access to " << workspace << ".\n";
    return 0;
}

int AccountCommands::members()
{
    if (!m_args.isEmpty())
        return usage(QStringLiteral("members takes no arguments (but may take --workspace ID)."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = workspaceOption();
    QList<MemberInfo> members;
    QObject::connect(
        &client, &AccountClient::membersListed,
        [&members](const QString &, const QList<MemberInfo> &list) { members = list; });
    if (const auto problem = await(client, [&] { client.listMembers(workspace); }))
        return fail(*problem);
    if (m_json) {
        QJsonArray list;
        for (const MemberInfo &m : members) {
            QJsonObject entry {{QStringLiteral("user"), m.user}, {QStringLiteral("role"), m.role}};
            if (m.invited)
                entry.insert(QStringLiteral("invited"), true);
            list.append(entry);
        }
        printJson(list);
        return 0;
    }
    for (const MemberInfo &m : members)
        m_out << m.user << "  " << m.role << (m.invited ? "  (invited, not yet accepted)" : "")
              << "\n";
    return 0;
}

int AccountCommands::invitations()
{
    if (!m_args.isEmpty())
        return usage(QStringLiteral("invitations takes no arguments."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    AccountInfo account;
    QObject::connect(&client, &AccountClient::accountRead,
                     [&account](const AccountInfo &read) { account = read; });
    if (const auto problem = await(client, [&] { client.readAccount(); }))
        return fail(*problem);
    if (m_json) {
        QJsonArray list;
        for (const InvitationInfo &i : std::as_const(account.invitations))
            list.append(QJsonObject {{QStringLiteral("workspace"), i.workspace},
                                     {QStringLiteral("role"), i.role},
                                     {QStringLiteral("from"), i.from}});
        printJson(list);
        return 0;
    }
    if (account.invitations.isEmpty())
        m_out << "No invitations.\n";
    for (const InvitationInfo &i : std::as_const(account.invitations))
        m_out << i.workspace << "  " << i.role << "  from " << i.from << "\n";
    return 0;
}

int AccountCommands::answerInvitation(bool accept)
{
    const QString command = accept ? QStringLiteral("accept") : QStringLiteral("decline");
    if (m_args.size() != 1)
        return usage(QStringLiteral("%1 needs the id of the workspace you were invited to (see "
                                    "ferry-cli invitations).")
                         .arg(command));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = m_args.first();
    QString role;
    QObject::connect(&client, &AccountClient::invitationAnswered,
                     [&role](const QString &, const QString &held) { role = held; });
    if (const auto problem = await(client, [&] {
            if (accept)
                client.acceptInvitation(workspace);
            else
                client.declineInvitation(workspace);
        }))
        return fail(*problem);
    if (m_json) {
        QJsonObject answer {{QStringLiteral("workspace"), workspace}};
        if (accept)
            answer.insert(QStringLiteral("role"), role);
        else
            answer.insert(QStringLiteral("declined"), true);
        printJson(answer);
    } else if (accept) {
        m_out << "You are now " << role << " of " << workspace << " (sync it with --workspace "
              << workspace << ").\n";
    } else {
        m_out << "Declined the invitation to " << workspace << ".\n";
    }
    return 0;
}

int AccountCommands::leave()
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("leave needs the id of a workspace shared with you."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = m_args.first();
    if (const auto problem = await(client, [&] { client.leaveWorkspace(workspace); }))
        return fail(*problem);
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("left"), workspace}});
    else
        m_out << "You no longer have access to " << workspace << ".\n";
    return 0;
}

int AccountCommands::storage()
{
    if (!m_args.isEmpty())
        return usage(QStringLiteral("storage takes no arguments (but may take --workspace ID)."));
    AccountClient client;
    if (const auto problem = connect(client))
        return fail(*problem);
    const QString workspace = workspaceOption();
    WorkspaceStorage use;
    QObject::connect(&client, &AccountClient::storageRead,
                     [&use](const WorkspaceStorage &read) { use = read; });
    if (const auto problem = await(client, [&] { client.readStorage(workspace); }))
        return fail(*problem);
    if (m_json) {
        printJson(QJsonObject {{QStringLiteral("workspace"), use.workspace},
                               {QStringLiteral("records"), double(use.records)},
                               {QStringLiteral("blobs"), double(use.blobs)},
                               {QStringLiteral("bytes"), double(use.bytes)}});
        return 0;
    }
    m_out << use.workspace << " keeps " << use.records << " records (deleted ones included) and "
          << use.blobs << " files of " << use.bytes << " bytes on the server.\n";
    return 0;
}

} // namespace FerryCli
