#pragma once

#include "accountclient.h"

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeWidget;
class QWidget;

namespace Ferry::Ui {

class ProblemLabel;

// Who has access to one workspace, and with which role. The owner adds a person by user
// name as editor or viewer, changes a member's role and removes members; everyone else sees
// the list read-only with a note saying who can change it. Every change is made on the
// server, then the list is read again from it. GUI thread only.
class ShareDialog : public QDialog
{
    Q_OBJECT

public:
    // `user` is the signed-in account, to know whether it owns the workspace.
    ShareDialog(const QUrl &server, const QString &token, const QString &trustedFingerprint,
                const QString &workspace, const QString &user, QWidget *parent = nullptr);

    void refresh();
    bool canChange() const { return m_owner; }

private:
    void onListed(const QString &workspace, const QList<MemberInfo> &members);
    void onChanged(const QString &workspace, const MemberInfo &member);
    void onFailed(const Error &error);
    void onStorage(const WorkspaceStorage &use);
    void add();
    void changeRole();
    void removeSelected();
    void updateControls();
    void setBusy(bool busy, const QString &status = {});
    QString selectedUser() const;
    QString selectedRole() const;

    AccountClient *m_client = nullptr;
    QString m_workspace;
    QString m_user;
    bool m_owner = false;
    bool m_busy = false;
    QTreeWidget *m_list = nullptr;
    QLabel *m_note = nullptr;
    QLabel *m_storage = nullptr; // what the workspace keeps on the server, for its owner
    bool m_readingStorage = false;
    QWidget *m_changeRow = nullptr;
    QLabel *m_chosen = nullptr;
    QComboBox *m_memberRole = nullptr;
    QPushButton *m_remove = nullptr;
    QWidget *m_addRow = nullptr;
    QLineEdit *m_newUser = nullptr;
    QComboBox *m_newRole = nullptr;
    QPushButton *m_add = nullptr;
    QLabel *m_status = nullptr;
    QString m_done; // what the last change did, shown once the list is read again
    ProblemLabel *m_error = nullptr;
};

} // namespace Ferry::Ui
