#include "testpostgres.h"

#include <QRandomGenerator>
#include <QSqlError>
#include <QSqlQuery>
#include <QUrl>
#include <QUuid>

namespace FerryTest::TestPostgres {

namespace {

QUrl base()
{
    return QUrl(qEnvironmentVariable("FERRY_TEST_POSTGRES"));
}

// Runs one statement on the cluster's maintenance database.
bool administer(const QString &sql)
{
    const QString connection = QUuid::createUuid().toString();
    bool ok = false;
    {
        QSqlDatabase db = open(connection, base().toString());
        QSqlQuery q(db);
        ok = db.isOpen() && q.exec(sql);
        if (!ok)
            qWarning("PostgreSQL: %s: %s", qPrintable(sql),
                     qPrintable(db.isOpen() ? q.lastError().text() : db.lastError().text()));
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return ok;
}

} // namespace

bool enabled()
{
    return !qEnvironmentVariableIsEmpty("FERRY_TEST_POSTGRES");
}

QString newName()
{
    return QStringLiteral("ferry_test_%1")
        .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

bool createDatabase(const QString &name, const QString &copyOf)
{
    return administer(copyOf.isEmpty()
                          ? QStringLiteral("CREATE DATABASE %1").arg(name)
                          : QStringLiteral("CREATE DATABASE %1 TEMPLATE %2").arg(name, copyOf));
}

bool dropDatabase(const QString &name)
{
    return administer(QStringLiteral("DROP DATABASE IF EXISTS %1 WITH (FORCE)").arg(name));
}

QString url(const QString &name)
{
    QUrl url = base();
    url.setPath(QLatin1Char('/') + name);
    return url.toString();
}

QSqlDatabase open(const QString &connection, const QString &location)
{
    const QUrl url(location);
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
    db.setHostName(url.host());
    db.setPort(url.port(5432));
    db.setUserName(url.userName());
    db.setDatabaseName(url.path().mid(1));
    db.open();
    return db;
}

} // namespace FerryTest::TestPostgres
