#pragma once

#include <QDialog>
#include <QTimer>

class QLabel;
class QPushButton;
class QTreeWidget;

namespace Ferry {
class DataStore;
}

namespace Ferry::Ui {

// Records → Trash…: the records deleted on this device or elsewhere, newest first, with
// what kind each is and when it went, and Restore for the ones chosen (a restore reaches
// every device). Follows the store while open. GUI thread.
class TrashDialog : public QDialog
{
    Q_OBJECT

public:
    explicit TrashDialog(DataStore &store, QWidget *parent = nullptr);

    // A viewer cannot restore: the list shows, Restore stays off with the reason.
    void setReadOnly(bool readOnly, const QString &why);
    int count() const;

private:
    void reload();
    void restoreChosen();
    void updateButtons();

    DataStore &m_store;
    QTreeWidget *m_list = nullptr;
    QLabel *m_summary = nullptr;
    QPushButton *m_restore = nullptr;
    bool m_readOnly = false;
    QString m_readOnlyWhy;
    QTimer m_reload; // a burst of changes (a sync) reads the trash once
};

} // namespace Ferry::Ui
