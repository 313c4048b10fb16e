#pragma once

#include <QSqlDatabase>
#include <QString>

namespace FerryTest {

// The throwaway PostgreSQL server scripts/with-postgres.sh started for this test run, if any
// (FERRY_TEST_POSTGRES). When there is one, every ServerProcess keeps its data there, in a
// database of its own, and the tests read the server's records from it.
namespace TestPostgres {

bool enabled();
// Creates database `name`, empty or as a copy of `copyOf` (which nothing may be connected
// to); false with a warning if it could not.
bool createDatabase(const QString &name, const QString &copyOf = {});
bool dropDatabase(const QString &name);
// A fresh database name, "ferry_test_" and random hex.
QString newName();
// The URL ferry-server's --database takes for database `name`.
QString url(const QString &name);
// Opens connection `connection` to the database `url` names; check isOpen().
QSqlDatabase open(const QString &connection, const QString &url);

} // namespace TestPostgres

} // namespace FerryTest
