#pragma once

#include "accountanswers.h"

#include <QHash>
#include <QList>
#include <QToolButton>

class QActionGroup;
class QMenu;

namespace Ferry::Ui {

// One workspace the account may use, and the account's role in it.
struct WorkspaceChoice
{
    QString id;
    QString role; // "owner", "editor" or "viewer"
};

// The main window's workspace switcher: a toolbar button naming the workspace in use, whose
// menu lists the account's workspaces with the role in each, the invitations waiting for the
// account (each with Accept and Decline), "New workspace…", "Leave this workspace…" (one
// shared with the account) and "Refresh list". It only shows and asks: DesktopApp fetches the list
// (each time the menu opens, so a workspace shared a minute ago is there) and does the switching.
// GUI thread.
class WorkspaceSwitcher : public QToolButton
{
    Q_OBJECT

public:
    explicit WorkspaceSwitcher(QWidget *parent = nullptr);

    // The workspaces to offer, in the order given, and the one in use (`current`; empty
    // while signed out, which disables the button).
    void setWorkspaces(const QList<WorkspaceChoice> &workspaces, const QString &current);
    QList<WorkspaceChoice> workspaces() const { return m_workspaces; }
    QString current() const { return m_current; }
    // Why the list could not be brought up to date, shown in the menu; empty clears it.
    void setListProblem(const QString &message);
    // Whether the account can make workspaces here (signed in to a server).
    void setCanCreate(bool canCreate);
    // Invitations waiting for an answer; the button says how many.
    void setInvitations(const QList<Ferry::InvitationInfo> &invitations);

    // The menu's action for `workspace`, or nullptr (for tests and accessibility checks).
    QAction *actionFor(const QString &workspace) const;
    QAction *newWorkspaceAction() const { return m_newAction; }
    QAction *refreshAction() const { return m_refreshAction; }
    QAction *leaveAction() const { return m_leaveAction; }
    // The Accept or Decline action of the invitation to `workspace`, or nullptr.
    QAction *invitationAction(const QString &workspace, bool accept) const;

Q_SIGNALS:
    void workspaceChosen(const QString &workspace);
    void newWorkspaceRequested();
    // The menu is about to show, or the person asked for the list again.
    void refreshRequested();
    void invitationAnswered(const QString &workspace, bool accept);
    void leaveRequested(const QString &workspace);

private:
    void rebuildMenu();
    void updateButton();

    QMenu *m_menu;
    QActionGroup *m_group;
    QAction *m_problemAction;
    QAction *m_newAction;
    QAction *m_refreshAction;
    QAction *m_leaveAction;
    QList<WorkspaceChoice> m_workspaces;
    QList<Ferry::InvitationInfo> m_invitations;
    // Each invitation's Accept/Decline submenu, kept across rebuilds: the list is read again
    // whenever the menu opens, and a submenu the person is in must not vanish under them.
    QHash<QString, QMenu *> m_answerMenus;
    QString m_current;
};

} // namespace Ferry::Ui
