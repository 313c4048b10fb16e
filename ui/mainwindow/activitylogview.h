#pragma once

#include "syncscheduler.h"

#include <QWidget>

class QTreeWidget;

namespace Ferry::Ui {

// The activity log: recent syncs, what they sent and received, conflicts and errors, newest
// first. Fed by SyncScheduler. GUI thread.
class ActivityLogView : public QWidget
{
    Q_OBJECT

public:
    explicit ActivityLogView(QWidget *parent = nullptr);

    void setEntries(const QList<ActivityEntry> &entries);
    void addEntry(const ActivityEntry &entry);
    int entryCount() const;

private:
    QTreeWidget *m_list;
};

} // namespace Ferry::Ui
