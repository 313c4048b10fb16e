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
    m_menu->addSeparator();
    m_menu->addAction(m_newAction);
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
    setText(tr("Workspace: %1").arg(m_current));
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
