#include "admincommand.h"

#include "accountanswers.h"

#include "blobservice.h"
#include "passwordhash.h"
#include "serverstore.h"

#include <QDir>
#include <QTextStream>

#include <cstdio>

namespace FerryServer {

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "ferry-server: %s\n", message.toLocal8Bit().constData());
}

bool is(const AdminCommand::Arguments &a, const char *first, const char *second)
{
    return a.words.size() >= 2 && a.words[0] == QLatin1String(first)
        && a.words[1] == QLatin1String(second);
}

} // namespace

QString AdminCommand::validate(const Arguments &a)
{
    const QString usage = QStringLiteral(
        "usage: token create --user NAME [--device NAME] | token revoke (the token on standard "
        "input) | workspace create "
        "ID --owner USER | "
        "workspace add-member ID --user USER --role editor|viewer | "
        "user password --user NAME (the password on standard input) | registration open|close | "
        "blobs gc [--blob-grace HOURS] | blobs usage");
    auto expect = [&](qsizetype words, bool user, bool owner, bool role) -> QString {
        if (a.words.size() != words)
            return QStringLiteral("wrong number of arguments for \"%1\"; %2")
                .arg(a.words.mid(0, 2).join(u' '), usage);
        if (user != !a.user.isEmpty() || owner != !a.owner.isEmpty() || role != !a.role.isEmpty())
            return QStringLiteral("wrong options for \"%1\"; %2")
                .arg(a.words.mid(0, 2).join(u' '), usage);
        return {};
    };
    QString problem;
    if (is(a, "token", "create"))
        problem = expect(2, true, false, false);
    else if (is(a, "token", "revoke"))
        problem = expect(2, false, false, false);
    else if (is(a, "workspace", "create"))
        problem = expect(3, false, true, false);
    else if (is(a, "workspace", "add-member"))
        problem = expect(3, true, false, true);
    else if (is(a, "user", "password"))
        problem = expect(2, true, false, false);
    else if (is(a, "registration", "open") || is(a, "registration", "close"))
        problem = expect(2, false, false, false);
    else if (is(a, "blobs", "gc") || is(a, "blobs", "usage"))
        problem = expect(2, false, false, false);
    else
        return QStringLiteral("unknown command \"%1\"; %2").arg(a.words.join(u' '), usage);
    if (!problem.isEmpty())
        return problem;
    if (!a.device.isEmpty() && !is(a, "token", "create"))
        return QStringLiteral("--device belongs to \"token create\"; %1").arg(usage);
    if (!a.device.isEmpty() && !ServerStore::isValidDeviceName(a.device))
        return QStringLiteral("a device name is 1 to %1 characters without control characters")
            .arg(Ferry::Wire::kMaxDeviceNameLength);
    if (!a.user.isEmpty() && !ServerStore::isValidId(a.user))
        return QStringLiteral("a user name is 1 to 64 letters, digits, - or _");
    if (!a.owner.isEmpty() && !ServerStore::isValidId(a.owner))
        return QStringLiteral("an owner is a user name: 1 to 64 letters, digits, - or _");
    if (a.words[0] == QLatin1String("workspace") && !ServerStore::isValidId(a.words[2]))
        return QStringLiteral("a workspace id is 1 to 64 letters, digits, - or _");
    if (!a.role.isEmpty() && a.role != QLatin1String("editor") && a.role != QLatin1String("viewer"))
        return QStringLiteral("--role must be editor or viewer");
    return {};
}

AdminCommand::ExitCode AdminCommand::run(ServerStore &store, const Arguments &a)
{
    if (is(a, "token", "create")) {
        if (Ferry::Status s = store.ensureUser(a.user); !s) {
            printError(s.error().message);
            return Failed;
        }
        if (const Ferry::Result<QString> own = store.ensureOwnWorkspace(a.user); !own) {
            printError(own.error().message);
            return Failed;
        }
        const Ferry::Result<QString> token = store.createToken(a.user, a.device);
        if (!token) {
            printError(token.error().message);
            return Failed;
        }
        std::fprintf(stdout, "%s\n", token.value().toLatin1().constData());
        return Success;
    }
    if (is(a, "token", "revoke")) {
        // Read from standard input: on the command line, other users of the machine could see
        // the token (and a shell's history would keep it).
        QTextStream in(stdin);
        const QString token = in.readLine().trimmed();
        if (token.isEmpty()) {
            printError(QStringLiteral("the token to revoke (first line of standard input) is "
                                      "missing"));
            return Failed;
        }
        if (Ferry::Status s = store.revokeToken(token); !s) {
            printError(s.error().message);
            return Failed;
        }
        return Success;
    }
    if (is(a, "user", "password")) {
        // Read from standard input, never from the command line, where other users of the
        // machine could see it.
        QTextStream in(stdin);
        const QString password = in.readLine();
        if (password.size() < 8) {
            printError(QStringLiteral("the password (first line of standard input) must be at "
                                      "least 8 characters"));
            return Failed;
        }
        if (Ferry::Status s = store.ensureUser(a.user); !s) {
            printError(s.error().message);
            return Failed;
        }
        const QByteArray hash = PasswordHash::hash(password);
        Ferry::Status s = hash.isEmpty()
            ? Ferry::Status(Ferry::Error {QStringLiteral("internal"),
                                          QStringLiteral("could not hash the password")})
            : store.setPasswordHash(a.user, hash);
        if (!s) {
            printError(s.error().message);
            return Failed;
        }
        return Success;
    }
    if (is(a, "blobs", "gc")) {
        BlobService blobs(store, QDir(store.dataDir()).filePath(QStringLiteral("blobs")),
                          BlobService::kDefaultMaxBlob);
        const Ferry::Result<GarbageReport> report = blobs.collectGarbage(
            a.blobGraceMs >= 0 ? a.blobGraceMs : BlobService::kDefaultGraceMs);
        if (!report) {
            printError(report.error().message);
            return Failed;
        }
        std::fprintf(
            stdout, "released %lld blobs no record names; removed %lld files (%lld bytes)\n",
            qlonglong(report->released), qlonglong(report->files), qlonglong(report->bytes));
        return Success;
    }
    if (is(a, "blobs", "usage")) {
        BlobService blobs(store, QDir(store.dataDir()).filePath(QStringLiteral("blobs")),
                          BlobService::kDefaultMaxBlob);
        const Ferry::Result<QStringList> workspaces = store.workspaceIds();
        if (!workspaces) {
            printError(workspaces.error().message);
            return Failed;
        }
        for (const QString &workspace : workspaces.value()) {
            const Ferry::Result<StorageUse> use = blobs.usage(workspace);
            if (!use) {
                printError(use.error().message);
                return Failed;
            }
            std::fprintf(stdout, "%s\trecords %lld\tblobs %lld\tbytes %lld\n",
                         workspace.toUtf8().constData(), qlonglong(use->records),
                         qlonglong(use->blobs), qlonglong(use->bytes));
        }
        return Success;
    }
    if (a.words[0] == QLatin1String("registration")) {
        if (Ferry::Status s = store.setRegistrationOpen(a.words[1] == QLatin1String("open")); !s) {
            printError(s.error().message);
            return Failed;
        }
        return Success;
    }
    const QString workspace = a.words[2];
    if (is(a, "workspace", "create")) {
        if (Ferry::Status s = store.ensureUser(a.owner); !s) {
            printError(s.error().message);
            return Failed;
        }
        if (Ferry::Status s = store.createWorkspace(workspace, a.owner); !s) {
            printError(s.error().message);
            return Failed;
        }
        return Success;
    }
    // workspace add-member
    if (!store.workspaceExists(workspace)) {
        printError(QStringLiteral("no workspace \"%1\"").arg(workspace));
        return Failed;
    }
    const Ferry::Result<QString> role = store.roleOf(workspace, a.user);
    if (!role) {
        printError(role.error().message);
        return Failed;
    }
    if (role.value() == QLatin1String("owner")) {
        printError(QStringLiteral("%1 owns \"%2\"; the owner's role cannot change")
                       .arg(a.user, workspace));
        return Failed;
    }
    if (Ferry::Status s = store.ensureUser(a.user); !s) {
        printError(s.error().message);
        return Failed;
    }
    if (Ferry::Status s = store.addMember(workspace, a.user, a.role); !s) {
        printError(s.error().message);
        return Failed;
    }
    return Success;
}

} // namespace FerryServer
