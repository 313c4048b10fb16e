#pragma once

#include "recordview.h"

#include <QObject>
#include <QThread>

#include <vector>

namespace Ferry::Ui {

class KeyWorker;

// Reads a view's ordered row keys on a thread of its own, with its own connection to the
// store (which writes nothing but a missing sort index), so a model can reload a million keys after
// a burst of changes without stalling the GUI thread. Results come back in order of request; only
// the newest request's answer matters to the caller (each carries its ticket). Create on the GUI
// thread.
class KeyLoader : public QObject
{
    Q_OBJECT

public:
    explicit KeyLoader(QString storePath, QObject *parent = nullptr);
    ~KeyLoader() override;

    // Starts reading; returns the request's ticket.
    quint64 load(const RecordView::KeysStatement &statement);
    quint64 lastTicket() const { return m_ticket; }

Q_SIGNALS:
    void loaded(quint64 ticket, const QList<qint64> &keys);
    void failed(quint64 ticket, const Ferry::Error &error);

private:
    QThread m_thread;
    KeyWorker *m_worker;
    quint64 m_ticket = 0;
};

// The part of KeyLoader that lives on its thread.
class KeyWorker : public QObject
{
    Q_OBJECT

public:
    explicit KeyWorker(QString storePath);
    ~KeyWorker() override;

    void run(const RecordView::KeysStatement &statement, quint64 ticket);

Q_SIGNALS:
    void loaded(quint64 ticket, const QList<qint64> &keys);
    void failed(quint64 ticket, const Ferry::Error &error);

private:
    QString m_storePath;
    QString m_connection;
};

} // namespace Ferry::Ui
