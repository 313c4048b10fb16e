#include "keyloader.h"

#include <QAtomicInteger>
#include <QSqlDatabase>
#include <QSqlError>

namespace Ferry::Ui {

KeyLoader::KeyLoader(QString storePath, QObject *parent)
    : QObject(parent)
    , m_worker(new KeyWorker(std::move(storePath)))
{
    qRegisterMetaType<QList<qint64>>();
    qRegisterMetaType<Ferry::Error>();
    m_thread.setObjectName(QStringLiteral("ferry-keys"));
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &KeyWorker::loaded, this, &KeyLoader::loaded);
    connect(m_worker, &KeyWorker::failed, this, &KeyLoader::failed);
    // Not lowered like the sync threads: a person is waiting for these rows.
    m_thread.start();
}

KeyLoader::~KeyLoader()
{
    m_worker->disconnect(this);
    m_thread.quit();
    m_thread.wait();
}

quint64 KeyLoader::load(const RecordView::KeysStatement &statement)
{
    const quint64 ticket = ++m_ticket;
    QMetaObject::invokeMethod(
        m_worker, [worker = m_worker, statement, ticket] { worker->run(statement, ticket); },
        Qt::QueuedConnection);
    return ticket;
}

KeyWorker::KeyWorker(QString storePath)
    : m_storePath(std::move(storePath))
{
    static QAtomicInteger<quint64> counter;
    m_connection = QStringLiteral("ferry-keys-%1").arg(counter.fetchAndAddRelaxed(1));
}

KeyWorker::~KeyWorker()
{
    if (QSqlDatabase::contains(m_connection)) {
        QSqlDatabase::database(m_connection, false).close();
        QSqlDatabase::removeDatabase(m_connection);
    }
}

void KeyWorker::run(const RecordView::KeysStatement &statement, quint64 ticket)
{
    if (!QSqlDatabase::contains(m_connection)) {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        db.setDatabaseName(m_storePath);
        db.setConnectOptions(
            QStringLiteral("QSQLITE_BUSY_TIMEOUT=10000")); // writes only sort indexes
        if (!db.open()) {
            Q_EMIT failed(
                ticket,
                Error {
                    QStringLiteral("storage"),
                    QStringLiteral("Cannot read %1: %2").arg(m_storePath, db.lastError().text())});
            return;
        }
    }
    Result<std::vector<qint64>> keys
        = RecordView::runKeys(QSqlDatabase::database(m_connection, false), statement);
    if (!keys) {
        Q_EMIT failed(ticket, keys.error());
        return;
    }
    Q_EMIT loaded(ticket, QList<qint64>(keys->begin(), keys->end()));
}

} // namespace Ferry::Ui
