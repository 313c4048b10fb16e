#pragma once

#include "records.h"

#include <QWidget>

class QComboBox;
class QLabel;
class QPushButton;
class QTreeView;

namespace Ferry {
class DataStore;
}

namespace Ferry::Ui {

class ConflictListModel;

// The open conflicts with their count, kept live from the DataStore. Double-click, Enter or
// "Resolve…" opens the merge dialog for the chosen one; "Apply to all…" settles every
// remaining one by a chosen policy (keep mine, keep theirs, newest change) after asking.
// GUI thread only.
class ConflictsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit ConflictsPanel(DataStore &store, QWidget *parent = nullptr);

    ConflictListModel *model() const { return m_model; }
    int count() const;
    // Opens the merge dialog for the conflict in `row` of the list.
    void resolveRow(int row);
    // Settles every listed conflict by `policy` at once, without asking.
    void applyToAll(ConflictPolicy policy);

Q_SIGNALS:
    void countChanged(int count);

private:
    void updateCount();
    void updateButtons();
    void confirmApplyToAll();

    DataStore &m_store;
    ConflictListModel *m_model;
    QLabel *m_count = nullptr;
    QTreeView *m_list = nullptr;
    QPushButton *m_resolve = nullptr;
    QComboBox *m_policy = nullptr;
    QPushButton *m_applyAll = nullptr;
    QLabel *m_problem = nullptr;
};

} // namespace Ferry::Ui
