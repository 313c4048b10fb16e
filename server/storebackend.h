#pragma once

#include "result.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>

namespace FerryServer {

class Statements;

// What differs between the two databases ferry-server keeps its data in: SQLite, one file in
// the data folder (the default, for a person or a family), and PostgreSQL (--database
// postgresql://…, for a team, and for several servers sharing one database). The tables and
// the queries are written once, in SQL both accept; the few things they spell differently —
// opening, the schema version, column types, how a write transaction excludes others — are
// asked of this interface, so no handler ever tests which database it talks to.
class StoreBackend
{
public:
    // How a commit reaches the disk. Full: every commit (an answered push above all) is
    // durable before it is answered, so it survives the machine losing power. Normal: may
    // lose the last commits on power loss (never on a crash of the process alone); faster,
    // for a server whose data can be pulled again.
    enum class Durability { Full, Normal };

    virtual ~StoreBackend() = default;

    // `database` empty: SQLite in DIR/ferry.db. Else a PostgreSQL URL,
    // postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE[?sslmode=…] (a password left out
    // comes from PGPASSWORD or ~/.pgpass, as for psql). invalid_database if it is neither.
    static Ferry::Result<std::unique_ptr<StoreBackend>>
    choose(const QString &database, const QString &dataDir, Durability durability);

    // For messages: the file, or the database without its password.
    virtual QString describe() const = 0;
    // Opens the connection named `connection` and sets it up for the server's use.
    virtual Ferry::Status open(const QString &connection) const = 0;
    // Whether several servers may use this store at once (then they tell each other of
    // pushes; see NotifyHub).
    virtual bool shared() const = 0;

    // The schema version the database holds (0 when new). Called inside migrationStart().
    virtual Ferry::Result<int> schemaVersion(const QSqlDatabase &db) const = 0;
    // Records `version` in the transaction that brought the schema to it.
    virtual Ferry::Status setSchemaVersion(const QSqlDatabase &db, int version) const = 0;
    // Begins the one transaction a schema upgrade runs in; on PostgreSQL it also waits for
    // another server upgrading the same database, so only one does.
    virtual Ferry::Status migrationStart(QSqlDatabase db) const = 0;
    // A schema statement as this database spells it (column types, functions).
    virtual QString adapt(const QString &statement) const = 0;

    // Begins a transaction that will write: on SQLite it takes the write lock up front, so a
    // writer waits (busy timeout) instead of failing half-way.
    virtual QString beginWrite() const = 0;
    // Begins a transaction whose reads all see one snapshot.
    virtual QString beginRead() const = 0;
    // A statement (one bound value: the workspace id) that, inside a write transaction, makes
    // every other writer of that workspace wait until it ends; empty when beginWrite() already
    // excludes all other writers. Sequence numbers stay gap-free and in order with it.
    virtual QString lockWorkspace() const = 0;
    // Runs lockWorkspace() for `workspace`, if there is one.
    Ferry::Status lockWorkspace(Statements &statements, const QString &workspace) const;
    // Like lockWorkspace(), for one account (bound value: the user name): what is counted
    // against its caps (invitations waiting, workspaces held) is changed by one transaction at
    // a time, so two servers cannot both take the last place.
    virtual QString lockUser() const = 0;
    Ferry::Status lockUser(Statements &statements, const QString &user) const;
    // Like lockWorkspace(), for one blob's file in the blob folder the servers share (bound
    // value: the hash): whether a file is still held by some workspace, and storing or
    // removing it, are decided by one transaction at a time (BlobService::finish(),
    // removeUnheldFiles()).
    virtual QString lockBlob() const = 0;
    Ferry::Status lockBlob(Statements &statements, const QString &hash) const;
    // Where several servers share the store: tells every one of them listening on `channel`
    // (QSqlDriver::subscribeToNotification) `message` when the current transaction commits,
    // and nothing if it rolls back. Nothing to do where a server is alone with its store.
    virtual Ferry::Status announce(Statements &statements, const QString &channel,
                                   const QString &message) const = 0;
    // An expression giving the UTF-8 bytes of text column `column` as they are stored.
    virtual QString bytesOf(const QString &column) const = 0;
};

// A transaction that writes (StoreBackend::beginWrite()) and, given a workspace, holds
// lockWorkspace() for it: no other writer of that workspace — on this server or another on
// the same database — runs until it ends. Rolls back unless committed.
class WriteTransaction
{
public:
    WriteTransaction(QSqlDatabase db, const StoreBackend &backend, Statements &statements,
                     const QString &workspace = {});
    ~WriteTransaction();
    WriteTransaction(const WriteTransaction &) = delete;
    WriteTransaction &operator=(const WriteTransaction &) = delete;

    bool isOpen() const { return m_open && m_ok; }
    QString error() const { return m_error; }
    bool commit();

private:
    QSqlDatabase m_db;
    bool m_open = false;
    bool m_ok = true;
    QString m_error;
};

} // namespace FerryServer
