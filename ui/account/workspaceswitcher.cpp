#include "workspaceswitcher.h"

#include "roletext.h"

#include <QActionGroup>
#include <QMenu>

namespace Ferry::Ui {

WorkspaceSwitcher::WorkspaceSwitcher(QWidget *parent)
    : QToolButton(parent)
    , m_menu(new QMenu(this))
    , m_group(new QActionGroup(this))
    , m_problemAction(new QAction(this))
    , m_newAction(new QAction(tr("&New workspace…"), this))
    , m_refreshAction(new QAction(tr("&Refresh list"), this))
    , m_leaveAction(new QAction(tr("&Leave this workspace…"), this))
{
    setObjectName(QStringLiteral("workspaceSwitcher"));
    setAccessibleName(tr("Workspace"));
    setPopupMode(QToolButton::InstantPopup);
    setToolButtonStyle(Qt::ToolButtonTextOnly);
    // Room for the menu arrow beside the name rather than over its last letters.
    setStyleSheet(QStringLiteral("QToolButton { padding-right: 14px; }"));
    setMenu(m_menu);
    m_menu->setObjectName(QStringLiteral("workspaceMenu"));
    m_menu->setTitle(tr("&Workspace"));
    m_group->setExclusive(true);
    m_problemAction->setEnabled(false);
    m_problemAction->setObjectName(QStringLiteral("workspaceListProblem"));
    m_newAction->setObjectName(QStringLiteral("newWorkspaceAction"));
    m_newAction->setToolTip(tr("Make a workspace of your own on this server"));
    m_refreshAction->setObjectName(QStringLiteral("refreshWorkspacesAction"));
    m_leaveAction->setObjectName(QStringLiteral("leaveWorkspaceAction"));
    m_leaveAction->setToolTip(tr("Give up your access to this workspace; its owner can invite "
                                 "you again"));
    connect(m_leaveAction, &QAction::triggered, this, [this] { Q_EMIT leaveRequested(m_current); });

    connect(m_menu, &QMenu::aboutToShow, this, &WorkspaceSwitcher::refreshRequested);
    connect(m_refreshAction, &QAction::triggered, this, &WorkspaceSwitcher::refreshRequested);
    connect(m_newAction, &QAction::triggered, this, &WorkspaceSwitcher::newWorkspaceRequested);
    connect(m_group, &QActionGroup::triggered, this, [this](QAction *action) {
        const QString workspace = action->data().toString();
        if (workspace != m_current)
            Q_EMIT workspaceChosen(workspace);
    });
    rebuildMenu();
    updateButton();
}

void WorkspaceSwitcher::setWorkspaces(const QList<WorkspaceChoice> &workspaces,
                                      const QString &current)
{
    m_workspaces = workspaces;
    m_current = current;
    rebuildMenu();
    updateButton();
}

void WorkspaceSwitcher::setListProblem(const QString &message)
{
    m_problemAction->setText(message);
    m_problemAction->setVisible(!message.isEmpty());
}

void WorkspaceSwitcher::setCanCreate(bool canCreate)
{
    m_newAction->setEnabled(canCreate);
}

void WorkspaceSwitcher::setInvitations(const QList<Ferry::InvitationInfo> &invitations)
{
    m_invitations = invitations;
    rebuildMenu();
    updateButton();
}

QAction *WorkspaceSwitcher::invitationAction(const QString &workspace, bool accept) const
{
    return m_menu->findChild<QAction *>(
        (accept ? QStringLiteral("accept:") : QStringLiteral("decline:")) + workspace);
}

QAction *WorkspaceSwitcher::actionFor(const QString &workspace) const
{
    const QList<QAction *> actions = m_group->actions();
    for (QAction *action : actions) {
        if (action->data().toString() == workspace)
            return action;
    }
    return nullptr;
}

void WorkspaceSwitcher::rebuildMenu()
{
    // Rebuilt in place while it may be open: a list that arrives after the menu showed
    // replaces the one it showed.
    const QList<QAction *> old = m_group->actions();
    for (QAction *action : old) {
        m_group->removeAction(action);
        action->deleteLater();
    }
    m_menu->clear();
    // Submenus of invitations answered (or withdrawn) go; the others stay as they are.
    for (auto it = m_answerMenus.begin(); it != m_answerMenus.end();) {
        const QString workspace = it.key();
        const bool waiting = std::any_of(
            m_invitations.cbegin(), m_invitations.cend(),
            [&workspace](const Ferry::InvitationInfo &i) { return i.workspace == workspace; });
        if (waiting) {
            ++it;
            continue;
        }
        it.value()->setObjectName(QString());
        it.value()->deleteLater();
        it = m_answerMenus.erase(it);
    }
    m_menu->addSection(tr("Workspaces"));

    QList<WorkspaceChoice> shown = m_workspaces;
    const bool currentListed
        = std::any_of(shown.cbegin(), shown.cend(),
                      [this](const WorkspaceChoice &choice) { return choice.id == m_current; });
    if (!m_current.isEmpty() && !currentListed)
        shown.prepend(WorkspaceChoice {m_current, QString()}); // not (or not yet) in the list
    for (const WorkspaceChoice &choice : std::as_const(shown)) {
        const QString text = choice.role.isEmpty()
            ? choice.id
            : tr("%1 (%2)").arg(choice.id, roleText(choice.role).toLower());
        auto *action = new QAction(text, m_group);
        action->setObjectName(QStringLiteral("workspace:") + choice.id);
        action->setData(choice.id);
        action->setCheckable(true);
        action->setChecked(choice.id == m_current);
        m_menu->addAction(action);
    }
    m_menu->addAction(m_problemAction);
    m_problemAction->setVisible(!m_problemAction->text().isEmpty());

    if (!m_invitations.isEmpty())
        m_menu->addSection(tr("Invitations"));
    for (const Ferry::InvitationInfo &invitation : std::as_const(m_invitations)) {
        // A submenu per invitation: answering is one more click, never a slip of the mouse.
        const QString title
            = tr("%1 — from %2, %3")
                  .arg(invitation.workspace, invitation.from, roleText(invitation.role).toLower());
        if (QMenu *kept = m_answerMenus.value(invitation.workspace)) {
            kept->setTitle(title);
            m_menu->addMenu(kept);
            continue;
        }
        QMenu *answer = m_menu->addMenu(title);
        m_answerMenus.insert(invitation.workspace, answer);
        answer->setObjectName(QStringLiteral("invitation:") + invitation.workspace);
        QAction *accept = answer->addAction(tr("&Accept"));
        accept->setObjectName(QStringLiteral("accept:") + invitation.workspace);
        accept->setToolTip(tr("Join \"%1\" and see its records").arg(invitation.workspace));
        QAction *decline = answer->addAction(tr("&Decline"));
        decline->setObjectName(QStringLiteral("decline:") + invitation.workspace);
        const QString workspace = invitation.workspace;
        connect(accept, &QAction::triggered, this,
                [this, workspace] { Q_EMIT invitationAnswered(workspace, true); });
        connect(decline, &QAction::triggered, this,
                [this, workspace] { Q_EMIT invitationAnswered(workspace, false); });
    }

    m_menu->addSeparator();
    m_menu->addAction(m_newAction);
    QString role;
    for (const WorkspaceChoice &choice : std::as_const(m_workspaces)) {
        if (choice.id == m_current)
            role = choice.role;
    }
    // Only a workspace shared with the account can be left; its owner's stays theirs.
    m_leaveAction->setVisible(role == QLatin1String("editor") || role == QLatin1String("viewer"));
    m_menu->addAction(m_leaveAction);
    m_menu->addAction(m_refreshAction);
}

void WorkspaceSwitcher::updateButton()
{
    setEnabled(!m_current.isEmpty());
    if (m_current.isEmpty()) {
        setText(tr("No workspace"));
        setToolTip(tr("Sign in to choose a workspace"));
        return;
    }
    setText(m_invitations.isEmpty() ? tr("Workspace: %1").arg(m_current)
                : m_invitations.size() == 1
                ? tr("Workspace: %1 · 1 invitation").arg(m_current)
                : tr("Workspace: %1 · %2 invitations").arg(m_current).arg(m_invitations.size()));
    QString role;
    for (const WorkspaceChoice &choice : std::as_const(m_workspaces)) {
        if (choice.id == m_current)
            role = choice.role;
    }
    setToolTip(role.isEmpty()
                   ? tr("The records shown are those of the workspace \"%1\". Click to switch.")
                         .arg(m_current)
                   : tr("The records shown are those of the workspace \"%1\" (%2). Click to "
                        "switch.")
                         .arg(m_current, roleText(role).toLower()));
}

} // namespace Ferry::Ui
