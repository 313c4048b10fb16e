#pragma once

#include <QString>
#include <QStringList>

namespace FerryServer {

class ServerStore;

// The administration subcommands ("token create", "workspace add-member", ...) that run
// against the data directory instead of serving (docs/protocol.md, "Administration").
class AdminCommand
{
public:
    enum ExitCode { Success = 0, Failed = 1, BadArguments = 2 };

    // The parsed command line: positional words plus the options they may use.
    struct Arguments
    {
        QStringList words; // e.g. {"token", "create"} or {"workspace", "create", "notes"}
        QString user;
        QString owner;
        QString role;
        QString device; // token create: the device's name
        qint64 blobGraceMs = -1; // blobs gc: keep blobs uploaded less than this ago
    };

    // Checks the words and options without touching any data; returns an empty string or a
    // sentence saying what is wrong.
    static QString validate(const Arguments &arguments);

    // Runs a validated command. Output for programs goes to stdout, messages to stderr.
    static ExitCode run(ServerStore &store, const Arguments &arguments);
};

} // namespace FerryServer
