#pragma once

#include "syncoverview.h"

#include <QWidget>

class QLabel;
class QProgressBar;

namespace Ferry::Ui {

// The main window's sync status: state, last successful sync, changes waiting to be sent,
// and a progress bar ("Receiving 3,200 of 100,000") while a long sync runs. GUI thread.
class SyncStatusBar : public QWidget
{
    Q_OBJECT

public:
    explicit SyncStatusBar(QWidget *parent = nullptr);

    void setOverview(const SyncOverview &overview);

private:
    QLabel *m_state;
    QLabel *m_pending;
    QLabel *m_lastSync;
    QLabel *m_live;
    QProgressBar *m_progress;
    QLabel *m_files;
};

} // namespace Ferry::Ui
