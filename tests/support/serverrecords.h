#pragma once

#include "result.h"

#include <QHash>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

namespace FerryTest {

// One record as ferry-server holds it, read straight from its database: the truth a
// device is compared with, without going through the client code under test.
struct ServerRecord
{
    QString entity;
    qint64 rev = 0;
    bool deleted = false;
    QJsonObject fields; // every stored field, also of a tombstone
};

// Opens connection `connection` to the database of the server data folder `dataDir`: its
// SQLite file, or its PostgreSQL database (ServerProcess::kDatabaseNote). Read-only where
// the database allows it; a test that changes a server's data under it asks for writable.
// Check isOpen(); the caller removes the connection.
QSqlDatabase openServerDatabase(const QString &connection, const QString &dataDir,
                                bool writable = false);

// Every record of `workspace` in the server data folder `dataDir`, by guid. Opens the
// database read-only, so it may run while the server serves.
Ferry::Result<QHash<QString, ServerRecord>> readServerRecords(const QString &dataDir,
                                                              const QString &workspace);
// The workspace's sequence number.
Ferry::Result<qint64> readServerSequence(const QString &dataDir, const QString &workspace);

// `PRAGMA integrity_check` of an SQLite file: "ok" or what SQLite found.
QString integrityCheck(const QString &path);

} // namespace FerryTest
