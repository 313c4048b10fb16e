#include "cli.h"

#include "connection.h"

#include "accountcheck.h"
#include "accountcommands.h"
#include "blobstore.h"
#include "output.h"
#include "reconcile.h"
#include "syncclient.h"
#include "watch.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocale>

#include <cstdio>

using namespace Ferry;

namespace FerryCli {

namespace {

const char kHelp[] = R"(Commands:
  login --server URL --token TOKEN [--workspace ID]   connect this profile to a server
        [--trust-fingerprint SHA256]                  (trusting that one self-signed
                                                      certificate)
  register --server URL --user NAME                   make an account (password on stdin)
  signin --server URL --user NAME [--device NAME] [--workspace ID]
                                                      sign in this profile as a new device
                                                      (password on stdin)
  devices | revoke DEVICE-ID | signout                the account's devices; revoke one; sign
                                                      this profile out
  members | share USER --role editor|viewer | unshare USER
                                                      who has access to the workspace; invite
                                                      someone (they accept first); remove
                                                      them (--workspace ID for another one)
  invitations | accept WORKSPACE | decline WORKSPACE  workspaces others invited you to; answer
  leave WORKSPACE                                     give up access to a workspace shared
                                                      with you
  storage                                             what the workspace keeps on the server
                                                      (its owner only)
  create ENTITY [FIELD=VALUE ...]                     make a record, print its guid
  edit GUID FIELD=VALUE [...]                         change fields of a record
  attach GUID FIELD PATH                              keep a copy of a file in the profile and
                                                      put it in a file field (sent at next sync)
  fetch GUID FIELD [--out PATH]                       get a file field's bytes from the server
                                                      if needed; print where they are, or copy
                                                      them to PATH
  delete GUID | restore GUID                          delete a record, or undo that
  show GUID                                           one record with its sync state
  list ENTITY [--all]                                 records of an entity (--all: with deleted)
  sync                                                send local changes, receive remote ones
  watch [--interval SECONDS]                          sync now and whenever the server announces a
                                                      change, until interrupted; a line per sync
  status                                              server, cursor, unsynced and conflict counts
  conflicts                                           records changed on both sides
  resolve GUID --keep mine|theirs|both                settle a conflict: this device's values,
                                                      the other side's, or both as two records
                                                      (edit vs delete: mine = my side wins)
  resolve GUID [--take FIELD=mine|theirs] [--set FIELD=VALUE]
                                                      field by field; fields not named keep mine
  resolve --all --policy mine|theirs|newest          settle every open conflict by a policy
Refs fields take comma-separated guids; an empty value clears a field.)";

QString formatTime(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("unknown time");
    return QDateTime::fromMSecsSinceEpoch(ms).toLocalTime().toString(Qt::ISODate);
}

} // namespace

Cli::Cli()
    : m_out(stdout)
    , m_err(stderr)
{
    m_parser.setApplicationDescription(
        QStringLiteral("Ferry's command line: the sync engine without a window."));
    m_parser.addHelpOption();
    m_parser.addVersionOption();
    m_parser.addOptions({
        {QStringLiteral("profile"),
         QStringLiteral("The profile: a name (kept with the desktop app's profiles) or a folder. "
                        "Default: default, the profile the desktop app starts with."),
         QStringLiteral("NAME|DIR")},
        {QStringLiteral("schema"),
         QStringLiteral("A schema file to use instead of the built-in one."),
         QStringLiteral("FILE")},
        {QStringLiteral("json"), QStringLiteral("Machine-readable output.")},
        {QStringLiteral("server"), QStringLiteral("login: the server URL."), QStringLiteral("URL")},
        {QStringLiteral("token"), QStringLiteral("login: this device's token."),
         QStringLiteral("TOKEN")},
        {QStringLiteral("workspace"), QStringLiteral("login: the workspace to sync."),
         QStringLiteral("ID")},
        {QStringLiteral("trust-fingerprint"),
         QStringLiteral("login: trust the server's certificate with this SHA-256 fingerprint "
                        "although no certificate authority vouches for it."),
         QStringLiteral("SHA256")},
        {QStringLiteral("user"), QStringLiteral("register, signin: the user name."),
         QStringLiteral("NAME")},
        {QStringLiteral("device"), QStringLiteral("signin: this device's name in device lists."),
         QStringLiteral("NAME")},
        {QStringLiteral("role"), QStringLiteral("share: editor or viewer."),
         QStringLiteral("ROLE")},
        {QStringLiteral("keep"), QStringLiteral("resolve: mine, theirs or both."),
         QStringLiteral("SIDE")},
        {QStringLiteral("take"),
         QStringLiteral("resolve: a conflicting field's side (FIELD=mine or FIELD=theirs)."),
         QStringLiteral("FIELD=SIDE")},
        {QStringLiteral("set"), QStringLiteral("resolve: a conflicting field's result."),
         QStringLiteral("FIELD=VALUE")},
        {QStringLiteral("policy"),
         QStringLiteral("resolve --all: mine, theirs or newest (the later change wins)."),
         QStringLiteral("POLICY")},
        {QStringLiteral("all"),
         QStringLiteral("list: include deleted records; resolve: every open conflict.")},
        {QStringLiteral("retries"), QStringLiteral("sync: attempts before giving up (default 4)."),
         QStringLiteral("N")},
        {QStringLiteral("page-size"), QStringLiteral("sync: records per pulled page."),
         QStringLiteral("N")},
        {QStringLiteral("out"), QStringLiteral("fetch: where to write the file."),
         QStringLiteral("PATH")},
        {QStringLiteral("interval"),
         QStringLiteral("watch: seconds between checks while live updates are down (default "
                        "60)."),
         QStringLiteral("SECONDS")},
    });
    // The commands are listed after the options in a table of their own: the parser would
    // fold them into its narrow argument column.
    m_parser.addPositionalArgument(QStringLiteral("command"),
                                   QStringLiteral("What to do (the commands below)."),
                                   QStringLiteral("command [arguments]"));
}

int Cli::usage(const QString &message)
{
    return Output::usage(m_err, message);
}

int Cli::fail(const Error &error)
{
    return Output::fail(m_out, m_err, m_json, error);
}

void Cli::printJson(const QJsonValue &value)
{
    Output::printJson(m_out, value);
}

int Cli::run(const QStringList &arguments)
{
    if (!m_parser.parse(arguments))
        return usage(m_parser.errorText());
    if (m_parser.isSet(QStringLiteral("help"))) {
        m_out << m_parser.helpText() << '\n' << kHelp << '\n';
        return 0;
    }
    if (m_parser.isSet(QStringLiteral("version"))) {
        m_out << "ferry-cli " << QCoreApplication::applicationVersion() << "\n";
        return 0;
    }
    m_args = m_parser.positionalArguments();
    if (m_args.isEmpty())
        return usage(QStringLiteral("no command given."));
    m_command = m_args.takeFirst();
    m_json = m_parser.isSet(QStringLiteral("json"));

    Schema schema = Schema::defaultSchema();
    if (m_parser.isSet(QStringLiteral("schema"))) {
        Result<Schema> loaded = Schema::fromFile(m_parser.value(QStringLiteral("schema")));
        if (!loaded)
            return fail(loaded.error());
        schema = std::move(loaded).value();
    }
    m_profile = Profile(m_parser.value(QStringLiteral("profile")));
    // The records of the workspace the profile syncs with, in the store `ferry` uses for it.
    const QString workspace = m_profile.account().workspace;
    Result<std::unique_ptr<LocalStore>> store
        = LocalStore::open(m_profile.storePath(workspace), schema);
    if (!store)
        return fail(store.error());
    m_store = std::move(store).value();
    if (Status bound = Profile::bindStore(*m_store, workspace); !bound)
        return fail(bound.error());

    using Command = int (Cli::*)();
    const QHash<QString, Command> commands {
        {QStringLiteral("login"), &Cli::login},     {QStringLiteral("create"), &Cli::create},
        {QStringLiteral("edit"), &Cli::edit},       {QStringLiteral("show"), &Cli::show},
        {QStringLiteral("list"), &Cli::list},       {QStringLiteral("sync"), &Cli::sync},
        {QStringLiteral("status"), &Cli::status},   {QStringLiteral("conflicts"), &Cli::conflicts},
        {QStringLiteral("resolve"), &Cli::resolve}, {QStringLiteral("watch"), &Cli::watch},
        {QStringLiteral("attach"), &Cli::attach},   {QStringLiteral("fetch"), &Cli::fetch},
    };
    if (AccountCommands::handles(m_command))
        return AccountCommands(m_profile, m_parser, m_args, m_out, m_err, m_json).run(m_command);
    if (m_command == QLatin1String("delete"))
        return remove(false);
    if (m_command == QLatin1String("restore"))
        return remove(true);
    const auto command = commands.find(m_command);
    if (command == commands.end())
        return usage(QStringLiteral("unknown command \"%1\".").arg(m_command));
    return (this->*command.value())();
}

Error Cli::notConfigured()
{
    return Error {
        QStringLiteral("not_configured"),
        QStringLiteral("This profile is not connected to a server. Run ferry-cli login first.")};
}

Result<SyncConfig> Cli::config() const
{
    return Connection::load(m_profile);
}

int Cli::login()
{
    const QUrl server(m_parser.value(QStringLiteral("server")));
    const QString token = m_parser.value(QStringLiteral("token"));
    if (!AccountCheck::validateServerUrl(server))
        return usage(QStringLiteral("login needs --server with an http:// or https:// URL."));
    if (token.isEmpty())
        return usage(QStringLiteral(
            "login needs --token (ferry-server token create --user NAME makes one)."));
    const Result<QString> trusted
        = TlsTrust::parseFingerprint(m_parser.value(QStringLiteral("trust-fingerprint")));
    if (!trusted)
        return usage(QStringLiteral("--trust-fingerprint: %1.").arg(trusted.error().message));

    // Ask the server who this token belongs to; this also checks the URL and the token.
    AccountInfo account;
    const Result<SyncConfig> chosen = Connection::check(
        server, token, trusted.value(), m_parser.value(QStringLiteral("workspace")), &account);
    if (!chosen)
        return fail(chosen.error());
    const QString user = account.user;
    const QString workspace = chosen->workspace;
    if (Status saved = Connection::save(m_profile, chosen.value(), user); !saved)
        return fail(saved.error());
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("server"), server.toString()},
                               {QStringLiteral("user"), user},
                               {QStringLiteral("workspace"), workspace},
                               {QStringLiteral("trusted_fingerprint"), trusted.value()}});
    else
        m_out << "Signed in to " << server.toDisplayString() << " as " << user << ", workspace "
              << workspace << ".\n";
    if (!m_json && !trusted->isEmpty())
        m_out << "Trusting the certificate with SHA-256 fingerprint " << trusted.value() << ".\n";
    return 0;
}

Result<QJsonObject> Cli::parseAssignments(const QString &entity,
                                          const QStringList &assignments) const
{
    const EntityDef *def = m_store->schema().entity(entity);
    if (!def)
        return Error {QStringLiteral("bad_entity"),
                      QStringLiteral("There is no entity called \"%1\".").arg(entity)};
    QJsonObject fields;
    for (const QString &assignment : assignments) {
        const qsizetype eq = assignment.indexOf(QLatin1Char('='));
        if (eq <= 0)
            return Error {QStringLiteral("bad_argument"),
                          QStringLiteral("\"%1\" is not of the form FIELD=VALUE.").arg(assignment)};
        const QString name = assignment.left(eq);
        const FieldDef *field = def->field(name);
        if (!field) {
            QStringList names;
            for (const FieldDef &f : def->fields)
                names.append(f.name);
            return Error {QStringLiteral("bad_field"),
                          QStringLiteral("%1 has no field \"%2\" (fields: %3).")
                              .arg(entity, name, names.join(QStringLiteral(", ")))};
        }
        Result<QJsonValue> value = field->parse(assignment.mid(eq + 1));
        if (!value)
            return value.error();
        fields.insert(name, value.value());
    }
    return fields;
}

int Cli::create()
{
    if (m_args.isEmpty())
        return usage(QStringLiteral("create needs an entity (e.g. create Post title=Hello)."));
    const QString entity = m_args.takeFirst();
    Result<QJsonObject> fields = parseAssignments(entity, m_args);
    if (!fields)
        return fail(fields.error());
    Result<QString> guid = m_store->createRecord(entity, fields.value());
    if (!guid)
        return fail(guid.error());
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("guid"), guid.value()}});
    else
        m_out << guid.value() << "\n";
    return 0;
}

int Cli::edit()
{
    if (m_args.size() < 2)
        return usage(QStringLiteral("edit needs a guid and at least one FIELD=VALUE."));
    const QString guid = m_args.takeFirst();
    Result<LocalRecord> record = m_store->record(guid);
    if (!record)
        return fail(record.error());
    Result<QJsonObject> changes = parseAssignments(record->entity, m_args);
    if (!changes)
        return fail(changes.error());
    if (Status s = m_store->updateRecord(guid, changes.value()); !s)
        return fail(s.error());
    return 0;
}

int Cli::remove(bool restore)
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("%1 needs exactly one guid.").arg(m_command));
    Status s
        = restore ? m_store->restoreRecord(m_args.first()) : m_store->deleteRecord(m_args.first());
    return s ? 0 : fail(s.error());
}

QJsonObject Cli::recordJson(const LocalRecord &record) const
{
    QJsonObject object {{QStringLiteral("entity"), record.entity},
                        {QStringLiteral("guid"), record.guid},
                        {QStringLiteral("rev"), double(record.rev)},
                        {QStringLiteral("deleted"), record.deleted},
                        {QStringLiteral("status"), statusName(record.status)},
                        {QStringLiteral("fields"), record.fields},
                        {QStringLiteral("dirty"), QJsonArray::fromStringList(record.dirty)}};
    if (!record.extra.isEmpty())
        object.insert(QStringLiteral("extra"), record.extra);
    if (!record.problem.isEmpty())
        object.insert(QStringLiteral("problem"), record.problem);
    return object;
}

QString Cli::displayValue(const QJsonValue &value) const
{
    if (value.isNull() || value.isUndefined())
        return QStringLiteral("—");
    if (value.isString())
        return value.toString();
    if (value.isBool())
        return value.toBool() ? QStringLiteral("yes") : QStringLiteral("no");
    if (value.isDouble())
        return QString::number(value.toDouble(), 'g', 15);
    if (value.isArray()) {
        QStringList items;
        for (const QJsonValue &item : value.toArray())
            items.append(displayValue(item));
        return items.join(QStringLiteral(", "));
    }
    return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
}

void Cli::printRecord(const LocalRecord &record)
{
    m_out << record.entity << " " << record.guid << "  [" << statusName(record.status)
          << (record.deleted ? ", deleted" : "") << ", rev " << record.rev << "]\n";
    for (auto it = record.fields.begin(); it != record.fields.end(); ++it)
        m_out << "  " << it.key() << (record.isDirty(it.key()) ? " *" : "") << ": "
              << displayValue(it.value()) << "\n";
    for (auto it = record.extra.begin(); it != record.extra.end(); ++it)
        m_out << "  " << it.key() << " (not in this schema): " << displayValue(it.value()) << "\n";
    if (!record.problem.isEmpty())
        m_out << "  the server refused the last change: " << record.problem << "\n";
}

int Cli::show()
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("show needs exactly one guid."));
    Result<LocalRecord> record = m_store->record(m_args.first());
    if (!record)
        return fail(record.error());
    if (m_json)
        printJson(recordJson(record.value()));
    else
        printRecord(record.value());
    return 0;
}

int Cli::list()
{
    if (m_args.size() != 1)
        return usage(QStringLiteral("list needs one entity (e.g. list Post)."));
    Result<QList<LocalRecord>> records
        = m_store->records(m_args.first(), m_parser.isSet(QStringLiteral("all")));
    if (!records)
        return fail(records.error());
    if (m_json) {
        QJsonArray array;
        for (const LocalRecord &record : records.value())
            array.append(recordJson(record));
        printJson(array);
        return 0;
    }
    const EntityDef *def = m_store->schema().entity(m_args.first());
    for (const LocalRecord &record : records.value()) {
        m_out << record.guid << "  " << qSetFieldWidth(9) << Qt::left << statusName(record.status)
              << qSetFieldWidth(0) << (record.deleted ? "(deleted) " : "")
              << displayValue(record.fields.value(def->display)) << "\n";
    }
    m_out << records->size() << " " << (def ? def->title : m_args.first()) << "\n";
    return 0;
}

int Cli::sync()
{
    const Result<SyncConfig> loaded = config();
    if (!loaded)
        return fail(loaded.error());
    const SyncConfig cfg = loaded.value();
    if (!cfg.isComplete())
        return fail(notConfigured());
    RetryPolicy retry;
    retry.attempts = m_parser.isSet(QStringLiteral("retries"))
        ? m_parser.value(QStringLiteral("retries")).toInt()
        : 4;
    retry.initialDelayMs = 200;
    retry.maxDelayMs = 5000;
    if (retry.attempts < 1)
        return usage(QStringLiteral("--retries must be 1 or more."));

    const QString path = m_store->path();
    const Schema schema = m_store->schema();
    m_store.reset(); // the engine opens its own connection on its own thread
    SyncClient client(path, schema);
    client.setConfig(cfg);
    client.setRetryPolicy(retry);
    if (m_parser.isSet(QStringLiteral("page-size")))
        client.setPullPageSize(m_parser.value(QStringLiteral("page-size")).toInt());

    SyncSummary result;
    QEventLoop loop;
    QObject::connect(&client, &SyncClient::started, &loop, [&](const Error &error) {
        if (!error.code.isEmpty()) {
            result.error = error;
            loop.quit();
            return;
        }
        client.syncNow();
    });
    QObject::connect(&client, &SyncClient::errorOccurred, &loop,
                     [&](const Error &error, bool willRetry) {
                         if (willRetry && !m_json)
                             m_err << "ferry-cli: " << error.message << " Retrying.\n" << Qt::flush;
                     });
    QObject::connect(&client, &SyncClient::syncFinished, &loop, [&](const SyncSummary &summary) {
        result = summary;
        loop.quit();
    });
    loop.exec();

    if (m_json) {
        QJsonObject object {{QStringLiteral("ok"), result.ok},
                            {QStringLiteral("sent"), double(result.sent)},
                            {QStringLiteral("received"), double(result.received)},
                            {QStringLiteral("conflicts"), double(result.conflicts)},
                            {QStringLiteral("rejected"), double(result.rejected)},
                            {QStringLiteral("cursor"), double(result.cursor)},
                            {QStringLiteral("elapsedMs"), double(result.elapsedMs)}};
        if (!result.ok)
            object.insert(QStringLiteral("error"),
                          QJsonObject {{QStringLiteral("code"), result.error.code},
                                       {QStringLiteral("message"), result.error.message}});
        printJson(object);
    }
    if (!result.ok) {
        m_err << "ferry-cli: sync failed: " << result.error.message << "\n";
        return 1;
    }
    // Not caught up while the server refuses some changes: say which and why.
    Result<std::unique_ptr<LocalStore>> reopened = LocalStore::open(path, schema);
    if (!reopened)
        return fail(reopened.error());
    m_store = std::move(reopened).value();
    Result<QList<LocalRecord>> refused = m_store->refusedRecords();
    if (!refused)
        return fail(refused.error());
    for (const LocalRecord &record : refused.value())
        m_err << "ferry-cli: the server refused the change to " << record.entity << " "
              << record.guid << ": " << record.problem << " (edit the record to send it again)\n";
    if (!m_json) {
        const QLocale locale;
        m_out << "Synced: sent " << locale.toString(result.sent) << ", received "
              << locale.toString(result.received) << " in " << result.elapsedMs << " ms.";
        if (result.conflicts > 0)
            m_out << " " << result.conflicts << " conflict(s) need a decision: ferry-cli conflicts";
        m_out << "\n";
    }
    return refused->isEmpty() ? 0 : 1;
}

int Cli::watch()
{
    bool ok = true;
    const int seconds = m_parser.isSet(QStringLiteral("interval"))
        ? m_parser.value(QStringLiteral("interval")).toInt(&ok)
        : 60;
    if (!ok || seconds < 1)
        return usage(QStringLiteral("--interval must be a whole number of seconds, 1 or more."));
    const Result<SyncConfig> loaded = config();
    if (!loaded)
        return fail(loaded.error());
    const SyncConfig cfg = loaded.value();
    if (!cfg.isComplete())
        return fail(notConfigured());
    const QString path = m_store->path();
    const Schema schema = m_store->schema();
    m_store.reset(); // the engine opens its own connection on its own thread
    Watch watch(path, schema, cfg, m_out, m_err, m_json);
    watch.setPollInterval(std::chrono::seconds(seconds));
    return watch.run();
}

Result<const FieldDef *> Cli::fileField(const LocalRecord &record, const QString &name) const
{
    const EntityDef *entity = m_store->schema().entity(record.entity);
    const FieldDef *field = entity ? entity->field(name) : nullptr;
    if (!field || field->type != FieldType::Blob) {
        QStringList files;
        if (entity) {
            for (const FieldDef &f : entity->fields) {
                if (f.type == FieldType::Blob)
                    files.append(f.name);
            }
        }
        return Error {
            QStringLiteral("bad_field"),
            QStringLiteral("%1 has no file field \"%2\" (file fields: %3).")
                .arg(record.entity, name,
                     files.isEmpty() ? QStringLiteral("none") : files.join(QStringLiteral(", ")))};
    }
    return field;
}

int Cli::attach()
{
    if (m_args.size() != 3)
        return usage(QStringLiteral("attach needs a guid, a file field and a file's path."));
    const Result<LocalRecord> record = m_store->record(m_args.at(0));
    if (!record)
        return fail(record.error());
    const Result<const FieldDef *> field = fileField(record.value(), m_args.at(1));
    if (!field)
        return fail(field.error());
    const Result<QString> blob = BlobStore::add(m_profile.blobFolder(), m_args.at(2));
    if (!blob)
        return fail(blob.error());
    QJsonObject changes = BlobStore::fileDetails(*field.value(), m_args.at(2), record->fields);
    changes.insert(field.value()->name, blob.value());
    if (Status saved = m_store->updateRecord(record->guid, changes); !saved)
        return fail(saved.error());
    const qint64 size = QFileInfo(m_args.at(2)).size();
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("guid"), record->guid},
                               {QStringLiteral("field"), field.value()->name},
                               {QStringLiteral("blob"), blob.value()},
                               {QStringLiteral("size"), double(size)}});
    else
        m_out << blob.value() << "\n";
    return 0;
}

int Cli::fetch()
{
    if (m_args.size() != 2)
        return usage(QStringLiteral("fetch needs a guid and a file field."));
    const Result<LocalRecord> record = m_store->record(m_args.at(0));
    if (!record)
        return fail(record.error());
    const Result<const FieldDef *> field = fileField(record.value(), m_args.at(1));
    if (!field)
        return fail(field.error());
    const QString blob = record->fields.value(field.value()->name).toString();
    if (!BlobStore::isBlobId(blob))
        return fail(Error {
            QStringLiteral("no_file"),
            QStringLiteral("%1 of %2 holds no file.").arg(field.value()->name, record->guid)});
    const QString folder = m_profile.blobFolder();
    bool fetched = false;
    if (!BlobStore::has(folder, blob)) {
        const Result<SyncConfig> loaded = config();
        if (!loaded)
            return fail(loaded.error());
        if (!loaded->isComplete())
            return fail(notConfigured());
        const QString path = m_store->path();
        const Schema schema = m_store->schema();
        m_store.reset(); // the engine opens its own connection on its own thread
        SyncClient client(path, schema);
        client.setConfig(loaded.value());
        Error failure;
        QEventLoop loop;
        QObject::connect(&client, &SyncClient::started, &loop, [&](const Error &error) {
            if (!error.code.isEmpty()) {
                failure = error;
                loop.quit();
                return;
            }
            client.fetchBlob(blob);
        });
        QObject::connect(&client, &SyncClient::blobFetched, &loop,
                         [&](const QString &, const Error &error) {
                             failure = error;
                             loop.quit();
                         });
        loop.exec();
        if (!failure.code.isEmpty())
            return fail(failure);
        fetched = true;
    }
    QString where = BlobStore::filePath(folder, blob);
    if (m_parser.isSet(QStringLiteral("out"))) {
        QString out = m_parser.value(QStringLiteral("out"));
        if (QFileInfo(out).isDir()) {
            const QString name = field.value()->fileNameField.isEmpty()
                ? QString()
                : QFileInfo(record->fields.value(field.value()->fileNameField).toString())
                      .fileName();
            out = QDir(out).filePath(name.isEmpty() ? blob.mid(7) : name);
        }
        // Written beside and renamed, so a failure never leaves half a file at PATH.
        const QString partial = out + QStringLiteral(".ferry-part");
        QFile::remove(partial);
        if (!QFile::copy(where, partial) || (QFile::exists(out) && !QFile::remove(out))
            || !QFile::rename(partial, out)) {
            QFile::remove(partial);
            return fail(
                Error {QStringLiteral("write_failed"),
                       QStringLiteral("Cannot write %1; nothing was written there.").arg(out)});
        }
        where = out;
    }
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("blob"), blob},
                               {QStringLiteral("path"), where},
                               {QStringLiteral("fetched"), fetched},
                               {QStringLiteral("size"), double(QFileInfo(where).size())}});
    else
        m_out << where << "\n";
    return 0;
}

int Cli::status()
{
    // The token is not shown, so not read: status works while the keychain is locked.
    const ProfileAccount cfg = m_profile.account();
    Result<qint64> unsynced = m_store->unsyncedCount();
    Result<QList<Conflict>> open = m_store->conflicts();
    if (!unsynced)
        return fail(unsynced.error());
    if (!open)
        return fail(open.error());
    QJsonObject counts;
    for (const EntityDef &entity : m_store->schema().entities()) {
        Result<qint64> n = m_store->count(entity.name);
        counts.insert(entity.name, double(n ? n.value() : 0));
    }
    if (m_json) {
        printJson(QJsonObject {{QStringLiteral("profile"), m_profile.folder()},
                               {QStringLiteral("device"), m_store->deviceId()},
                               {QStringLiteral("server"), cfg.server.toString()},
                               {QStringLiteral("workspace"), cfg.workspace},
                               {QStringLiteral("trusted_fingerprint"), cfg.trustedFingerprint},
                               {QStringLiteral("cursor"), double(m_store->cursor())},
                               {QStringLiteral("unsynced"), double(unsynced.value())},
                               {QStringLiteral("conflicts"), double(open->size())},
                               {QStringLiteral("records"), counts}});
        return 0;
    }
    m_out << "Profile:   " << m_profile.folder() << "\nDevice:    " << m_store->deviceId()
          << "\nServer:    "
          << (cfg.server.isEmpty() ? QStringLiteral("(not signed in)")
                                   : cfg.server.toDisplayString())
          << "\nWorkspace: " << cfg.workspace << "\nTrusted:   "
          << (cfg.trustedFingerprint.isEmpty() ? QStringLiteral("(system certificate authorities)")
                                               : cfg.trustedFingerprint)
          << "\nCursor:    " << m_store->cursor() << "\nUnsynced:  " << unsynced.value()
          << "\nConflicts: " << open->size() << "\n";
    for (auto it = counts.begin(); it != counts.end(); ++it)
        m_out << "  " << it.key() << ": " << qint64(it.value().toDouble()) << "\n";
    return 0;
}

int Cli::conflicts()
{
    Result<QList<Conflict>> open = m_store->conflicts();
    if (!open)
        return fail(open.error());
    if (m_json) {
        QJsonArray array;
        for (const Conflict &c : open.value())
            array.append(c.toJson());
        printJson(array);
        return 0;
    }
    for (const Conflict &c : open.value()) {
        m_out << c.entity << " " << c.guid << ": changed here and by "
              << (c.theirsUser.isEmpty() ? QStringLiteral("another device") : c.theirsUser)
              << " (device " << c.theirsDevice << ", " << formatTime(c.theirsAt) << ")\n";
        if (c.mineDeleted)
            m_out << "  you deleted it; the other side edited it\n";
        if (c.theirsDeleted)
            m_out << "  the other side deleted it; you edited it\n";
        for (const FieldConflict &f : c.fields)
            m_out << "  " << f.field << ": mine \"" << displayValue(f.mine) << "\", theirs \""
                  << displayValue(f.theirs) << "\" (was \"" << displayValue(f.base) << "\")\n";
    }
    m_out << open->size() << " conflict(s)\n";
    return 0;
}

int Cli::resolve()
{
    if (m_parser.isSet(QStringLiteral("all")))
        return resolveAll();
    if (m_args.size() != 1)
        return usage(QStringLiteral("resolve needs exactly one guid (or --all --policy)."));
    const QString guid = m_args.first();
    Result<ConflictDecision> decision = decisionFromOptions(guid);
    if (!decision)
        return decision.error().code == QLatin1String("usage") ? usage(decision.error().message)
                                                               : fail(decision.error());
    ChangeSet change;
    if (Status s = m_store->resolveConflict(guid, decision.value(), &change); !s)
        return fail(s.error());
    const QString copy = change.guids.size() > 1 ? change.guids.last() : QString();
    if (m_json) {
        QJsonObject answer {{QStringLiteral("resolved"), guid}};
        if (!copy.isEmpty())
            answer.insert(QStringLiteral("copy"), copy);
        printJson(answer);
        return 0;
    }
    m_out << "Resolved " << guid;
    if (!copy.isEmpty())
        m_out << "; your version is now the record " << copy;
    m_out << ". Run ferry-cli sync to send it.\n";
    return 0;
}

Result<ConflictDecision> Cli::decisionFromOptions(const QString &guid)
{
    const QString keep = m_parser.value(QStringLiteral("keep"));
    const QStringList takes = m_parser.values(QStringLiteral("take"));
    const QStringList sets = m_parser.values(QStringLiteral("set"));
    const auto usageError = [](const QString &message) {
        return Error {QStringLiteral("usage"), message};
    };
    if (!keep.isEmpty()) {
        if (!takes.isEmpty() || !sets.isEmpty())
            return usageError(QStringLiteral("--keep decides the whole record; it does not go "
                                             "with --take or --set."));
        if (keep == QLatin1String("mine"))
            return ConflictDecision {Resolution::KeepMine, {}};
        if (keep == QLatin1String("theirs"))
            return ConflictDecision {Resolution::KeepTheirs, {}};
        if (keep == QLatin1String("both"))
            return ConflictDecision {Resolution::KeepBoth, {}};
        return usageError(
            QStringLiteral("--keep takes mine, theirs or both, not \"%1\".").arg(keep));
    }
    if (takes.isEmpty() && sets.isEmpty())
        return usageError(QStringLiteral("resolve needs --keep, --take or --set."));

    Result<std::optional<Conflict>> open = m_store->conflict(guid);
    if (!open)
        return open.error();
    if (!open.value())
        return Error {QStringLiteral("no_conflict"),
                      QStringLiteral("The record %1 has no conflict to resolve.").arg(guid)};
    const Conflict &conflict = *open.value();
    ConflictDecision decision {Resolution::Merge, {}};
    for (const QString &take : takes) {
        const QStringList parts = take.split(QLatin1Char('='));
        if (parts.size() != 2
            || (parts[1] != QLatin1String("mine") && parts[1] != QLatin1String("theirs")))
            return usageError(
                QStringLiteral("--take needs FIELD=mine or FIELD=theirs, not \"%1\".").arg(take));
        const FieldConflict *field = conflict.field(parts[0]);
        if (!field)
            return Error {
                QStringLiteral("bad_field"),
                QStringLiteral("\"%1\" is not a field in conflict on %2.").arg(parts[0], guid)};
        decision.values.insert(parts[0],
                               parts[1] == QLatin1String("mine") ? field->mine : field->theirs);
    }
    if (!sets.isEmpty()) {
        Result<QJsonObject> values = parseAssignments(conflict.entity, sets);
        if (!values)
            return values.error();
        for (auto it = values->begin(); it != values->end(); ++it)
            decision.values.insert(it.key(), it.value());
    }
    return decision;
}

int Cli::resolveAll()
{
    const std::optional<ConflictPolicy> policy
        = policyFromName(m_parser.value(QStringLiteral("policy")));
    if (!policy || *policy == ConflictPolicy::Ask)
        return usage(QStringLiteral("resolve --all needs --policy mine, theirs or newest."));
    Result<QList<Conflict>> open = m_store->conflicts();
    if (!open)
        return fail(open.error());
    int resolved = 0;
    for (const Conflict &conflict : open.value()) {
        Result<LocalRecord> record = m_store->record(conflict.guid);
        if (!record)
            return fail(record.error());
        const std::optional<ConflictDecision> decision
            = Reconcile::decide(*policy, record.value(), conflict);
        if (!decision)
            continue;
        if (Status s = m_store->resolveConflict(conflict.guid, *decision); !s)
            return fail(s.error());
        ++resolved;
    }
    if (m_json)
        printJson(QJsonObject {{QStringLiteral("resolved"), resolved}});
    else
        m_out << "Resolved " << resolved << " conflict(s) by keeping "
              << (*policy == ConflictPolicy::Newest ? QStringLiteral("the newer change")
                                                    : policyName(*policy))
              << ". Run ferry-cli sync to send them.\n";
    return 0;
}

} // namespace FerryCli
