// DesktopApp's workspaces: which store holds a workspace's records, opening and closing
// everything that belongs to one workspace, the switcher and making a new workspace.
#include "desktopapp.h"

#include "account/newworkspacedialog.h"
#include "account/workspaceswitcher.h"
#include "accountclient.h"
#include "mainwindow/mainwindow.h"
#include "merge/policyresolver.h"
#include "settings/appsettings.h"
#include "tray/traycontroller.h"
#include "tray/trayicon.h"

#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>

using namespace Ferry;
using namespace Ferry::Ui;

namespace FerryDesktop {

bool DesktopApp::openWorkspace(const QString &workspace, const QString &path)
{
    if (!QDir().mkpath(QFileInfo(path).absolutePath())) {
        QMessageBox::critical(m_window.get(), tr("Ferry"),
                              tr("Ferry cannot make the folder %1 for the records of \"%2\".")
                                  .arg(QFileInfo(path).absolutePath(), workspace));
        return false;
    }
    Result<std::unique_ptr<DataStore>> data = DataStore::open(path, m_schema);
    if (!data) {
        QMessageBox::critical(
            m_window.get(), tr("Ferry"),
            tr("Ferry cannot open its records at %1.\n\n%2").arg(path, data.error().message));
        return false;
    }
    LocalStore &store = data.value()->store();
    // Only a store moved by hand holds another workspace's records here.
    if (Status bound = Profile::bindStore(store, workspace); !bound) {
        QMessageBox::critical(m_window.get(), tr("Ferry"), bound.error().message);
        return false;
    }

    // The new window is made before the old one goes and takes its place and size, in the
    // same turn of the event loop, so switching does not move the window about.
    const QString shown = workspace.isEmpty() ? Profile::workspaceOf(store) : workspace;
    std::unique_ptr<DataStore> newData = std::move(data).value();
    auto scheduler = std::make_unique<SyncScheduler>(newData.get(), path);
    auto window = std::make_unique<MainWindow>(*newData, *scheduler, m_profile.blobFolder());
    const bool wasVisible = m_window && m_window->isVisible();
    if (m_window)
        window->restoreGeometry(m_window->saveGeometry());
    closeWorkspace();

    m_workspace = shown;
    m_data = std::move(newData);
    m_scheduler = std::move(scheduler);
    m_window = std::move(window);
    m_autoResolver = new AutoResolver(*m_data, *m_scheduler, this);
    m_window->setWindowTitle(windowTitle());
    connect(m_window.get(), &MainWindow::settingsRequested, this, &DesktopApp::openSettings);
    connect(m_window.get(), &MainWindow::quitRequested, this, &DesktopApp::quit);
    connect(m_window.get(), &MainWindow::shareRequested, this, &DesktopApp::openShare);
    WorkspaceSwitcher *switcher = m_window->workspaceSwitcher();
    // Queued: the switch replaces the window whose menu is still sending the signal.
    connect(switcher, &WorkspaceSwitcher::workspaceChosen, this, &DesktopApp::switchWorkspace,
            Qt::QueuedConnection);
    connect(switcher, &WorkspaceSwitcher::refreshRequested, this, &DesktopApp::refreshWorkspaces);
    // A role changed or a workspace shared meanwhile shows without opening the menu; at most
    // once a minute, however often the workspace syncs.
    connect(m_scheduler.get(), &SyncScheduler::syncFinished, this, [this] {
        if (!m_workspacesRead.isValid() || m_workspacesRead.hasExpired(60 * 1000))
            refreshWorkspaces();
    });
    connect(switcher, &WorkspaceSwitcher::newWorkspaceRequested, this,
            &DesktopApp::createWorkspace);
    connect(switcher, &WorkspaceSwitcher::invitationAnswered, this, &DesktopApp::answerInvitation);
    connect(switcher, &WorkspaceSwitcher::leaveRequested, this, &DesktopApp::leaveWorkspace);
    m_window->shareAction()->setEnabled(false); // until connected to a server
    if (m_tray) {
        m_trayController = new TrayController(*m_tray, *m_scheduler, *m_window, *m_settings, this);
        connect(m_trayController, &TrayController::quitRequested, this, &DesktopApp::quit);
    }
    applySettings();
    showWorkspaces();
    if (wasVisible)
        showWindow();
    return true;
}

void DesktopApp::closeWorkspace()
{
    // Everything that refers to the store goes before it.
    delete m_trayController;
    m_trayController = nullptr;
    delete m_autoResolver;
    m_autoResolver = nullptr;
    m_window.reset();
    m_scheduler.reset(); // waits for a sync under way
    m_data.reset();
}

bool DesktopApp::ensureWorkspace(const QString &workspace)
{
    if (workspace.isEmpty() || workspace == m_workspace)
        return true;
    const QString path = m_profile.storePath(workspace);
    if (m_workspace.isEmpty() && path == m_profile.firstStorePath()) {
        // The profile's first store, not yet synced with any workspace: it becomes this
        // workspace's, with the records made in it so far.
        if (Status saved = Profile::bindStore(m_data->store(), workspace); !saved) {
            reportProblem(saved.error().message);
            return false;
        }
        m_workspace = workspace;
        m_window->setWindowTitle(windowTitle());
        return true;
    }
    return openWorkspace(workspace, path);
}

void DesktopApp::connectWorkspace(const QUrl &server, const QString &token)
{
    m_settings->setWorkspace(m_workspace);
    m_settings->sync();
    m_scheduler->setConfig(
        SyncConfig {server, token, m_workspace,
                    m_settings->useLocalServer() ? QString() : m_settings->trustedFingerprint(),
                    m_profile.blobFolder()});
    m_scheduler->setPaused(m_settings->isPaused()); // signing out paused it
    m_window->shareAction()->setEnabled(!m_settings->useLocalServer());
    showWorkspaces();
    refreshWorkspaces();
    m_scheduler->syncNow();
}

void DesktopApp::switchWorkspace(const QString &workspace)
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete() || workspace == m_workspace)
        return;
    if (!ensureWorkspace(workspace)) {
        showWorkspaces(); // the switcher goes back to the workspace still in use
        return;
    }
    connectWorkspace(config.server, config.token);
}

void DesktopApp::refreshWorkspaces()
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete())
        return;
    m_workspaceList->setTrustedFingerprint(config.trustedFingerprint);
    m_workspaceList->start(config.server, config.token);
    m_workspacesRead.start();
}

void DesktopApp::showWorkspaces()
{
    WorkspaceSwitcher *switcher = m_window->workspaceSwitcher();
    QList<WorkspaceChoice> choices;
    for (qsizetype i = 0; i < m_account.workspaces.size(); ++i)
        choices.append(WorkspaceChoice {m_account.workspaces.at(i), m_account.roles.value(i)});
    const bool connected = m_scheduler->config().isComplete();
    switcher->setWorkspaces(choices, connected ? m_workspace : QString());
    switcher->setCanCreate(connected);
    switcher->setInvitations(connected ? m_account.invitations : QList<InvitationInfo>());
    switcher->setListProblem(m_workspaceListProblem);
    // A viewer's edits would only come back refused: say so before anything is typed.
    const bool viewer = connected && m_account.roleOf(m_workspace) == QLatin1String("viewer");
    m_window->setReadOnly(viewer,
                          tr("You can view the records of \"%1\", not change them: it "
                             "was shared with you as a viewer.")
                              .arg(m_workspace));
}

void DesktopApp::createWorkspace()
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete())
        return;
    auto *dialog = new NewWorkspaceDialog(m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Lives with the dialog: closing it drops an answer nobody waits for any more.
    auto *client = new AccountClient(dialog);
    client->setServer(config.server, config.token);
    client->setTrustedFingerprint(config.trustedFingerprint);
    connect(dialog, &NewWorkspaceDialog::createRequested, client, &AccountClient::createWorkspace);
    connect(client, &AccountClient::workspaceCreated, this, [this, dialog](const QString &id) {
        dialog->accept();
        m_account.workspaces.append(id);
        m_account.roles.append(QStringLiteral("owner"));
        // Queued: the switch replaces the window, and with it the dialog and the client
        // still sending this signal.
        QMetaObject::invokeMethod(
            this, [this, id] { switchWorkspace(id); }, Qt::QueuedConnection);
    });
    connect(client, &AccountClient::failed, dialog, [dialog](const Error &error) {
        if (error.code == QLatin1String("workspace_exists"))
            dialog->showError(tr("The name \"%1\" is taken on this server; choose another.")
                                  .arg(dialog->workspace()));
        else
            dialog->showError(error.message);
    });
    dialog->open();
}

void DesktopApp::answerInvitation(const QString &workspace, bool accept)
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete())
        return;
    // Lives until the answer: one per question, gone with the app.
    auto *client = new AccountClient(this);
    client->setServer(config.server, config.token);
    client->setTrustedFingerprint(config.trustedFingerprint);
    connect(client, &AccountClient::invitationAnswered, this,
            [this, client](const QString &id, const QString &role) {
                client->deleteLater();
                m_account.invitations.removeIf(
                    [&id](const InvitationInfo &i) { return i.workspace == id; });
                if (role.isEmpty()) {
                    showWorkspaces();
                    refreshWorkspaces();
                    return;
                }
                m_account.workspaces.append(id);
                m_account.roles.append(role);
                // Accepted to see it: it opens. Queued, as the switch replaces the window
                // whose menu sent the answer.
                QMetaObject::invokeMethod(
                    this, [this, id] { switchWorkspace(id); }, Qt::QueuedConnection);
            });
    connect(client, &AccountClient::failed, this, [this, client](const Error &error) {
        client->deleteLater();
        reportProblem(error.message);
        refreshWorkspaces();
    });
    if (accept)
        client->acceptInvitation(workspace);
    else
        client->declineInvitation(workspace);
}

void DesktopApp::leaveWorkspace(const QString &workspace)
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete() || workspace.isEmpty())
        return;
    auto *box = new QMessageBox(
        QMessageBox::Question, tr("Leave workspace"),
        tr("Leave \"%1\"? You will no longer see changes to its records or make any.")
            .arg(workspace),
        QMessageBox::NoButton, m_window.get());
    box->setObjectName(QStringLiteral("leaveWorkspaceQuestion"));
    box->setInformativeText(tr("The copy on this computer stays where it is. Its owner can "
                               "invite you again."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *leave = box->addButton(tr("&Leave"), QMessageBox::DestructiveRole);
    leave->setObjectName(QStringLiteral("confirmLeaveButton"));
    box->addButton(QMessageBox::Cancel);
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::buttonClicked, this,
            [this, leave, workspace, config](QAbstractButton *clicked) {
                if (clicked != leave)
                    return;
                auto *client = new AccountClient(this);
                client->setServer(config.server, config.token);
                client->setTrustedFingerprint(config.trustedFingerprint);
                connect(
                    client, &AccountClient::workspaceLeft, this, [this, client](const QString &id) {
                        client->deleteLater();
                        const qsizetype at = m_account.workspaces.indexOf(id);
                        if (at >= 0) {
                            m_account.workspaces.removeAt(at);
                            m_account.roles.removeAt(at);
                        }
                        const QString own = m_account.defaultWorkspace();
                        if (id == m_workspace && !own.isEmpty())
                            QMetaObject::invokeMethod(
                                this, [this, own] { switchWorkspace(own); }, Qt::QueuedConnection);
                        else
                            showWorkspaces();
                        refreshWorkspaces();
                    });
                connect(client, &AccountClient::failed, this, [this, client](const Error &error) {
                    client->deleteLater();
                    reportProblem(error.message);
                });
                client->leaveWorkspace(workspace);
            });
    box->open();
}

void DesktopApp::offerLocalRecords()
{
    const QString from = std::exchange(m_leftLocalStore, QString());
    if (from.isEmpty() || from == m_data->store().path())
        return;
    Result<std::unique_ptr<LocalStore>> opened = LocalStore::open(from, m_schema);
    if (!opened) {
        reportProblem(tr("The records kept on this computer could not be read (%1); they stay "
                         "where they are, at %2.")
                          .arg(opened.error().message, QDir::toNativeSeparators(from)));
        return;
    }
    std::shared_ptr<LocalStore> local = std::move(opened).value();
    qint64 count = 0;
    for (const EntityDef &entity : m_schema.entities()) {
        if (const Result<qint64> n = local->count(entity.name))
            count += n.value();
    }
    if (count == 0)
        return;

    const QString server = m_scheduler->config().server.toDisplayString();
    auto *box = new QMessageBox(QMessageBox::Question, tr("Bring your records along"),
                                (count == 1 ? tr("Bring the record kept on this computer into "
                                                 "\"%2\" on %3?")
                                            : tr("Bring the %1 records kept on this computer "
                                                 "into \"%2\" on %3?"))
                                    .arg(QLocale().toString(count), m_workspace, server),
                                QMessageBox::NoButton, m_window.get());
    box->setObjectName(QStringLiteral("bringRecordsQuestion"));
    box->setInformativeText(
        tr("They are copied into this workspace and sent to the server with the next sync. "
           "Left here, they stay on this computer: choosing \"Keep records on this computer\" "
           "again in Settings shows them."));
    QPushButton *bring = box->addButton(tr("&Bring them"), QMessageBox::AcceptRole);
    bring->setObjectName(QStringLiteral("bringRecordsButton"));
    QPushButton *leave
        = box->addButton(tr("&Leave them on this computer"), QMessageBox::RejectRole);
    leave->setObjectName(QStringLiteral("leaveRecordsButton"));
    box->setDefaultButton(bring);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, bring, local] {
        if (box->clickedButton() != bring)
            return;
        const Result<int> brought = m_data->adoptRecords(*local);
        if (!brought) {
            reportProblem(tr("The records kept on this computer could not be brought into "
                             "\"%1\": %2. They stay on this computer.")
                              .arg(m_workspace, brought.error().message));
            return;
        }
        m_scheduler->syncNow();
    });
    box->open();
}

QString DesktopApp::windowTitle() const
{
    // "notes (work) — Ferry": the application's name last, where the platform puts it
    // (Qt adds " — Ferry" to a title that does not end with it, which showed it twice).
    QString title = m_workspace;
    if (m_profile.name() != Profile::defaultName())
        title += (title.isEmpty() ? QString() : QStringLiteral(" "))
            + QStringLiteral("(%1)").arg(m_profile.displayName());
    return title.isEmpty() ? tr("Ferry") : tr("%1 — Ferry").arg(title);
}

} // namespace FerryDesktop
