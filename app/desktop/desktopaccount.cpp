// DesktopApp's account side: the devices dialog, the share dialog and signing out.
#include "desktopapp.h"

#include "account/devicesdialog.h"
#include "account/sharedialog.h"
#include "accountclient.h"
#include "mainwindow/mainwindow.h"
#include "settings/appsettings.h"
#include "settings/firstrundialog.h"
#include "settings/settingsdialog.h"
#include "tokenstore.h"

#include <QMessageBox>

using namespace Ferry;
using namespace Ferry::Ui;

namespace FerryDesktop {

void DesktopApp::connectAccountButtons(SettingsDialog *dialog)
{
    connect(dialog, &SettingsDialog::devicesRequested, this,
            [this, dialog] { openDevices(dialog); });
    connect(dialog, &SettingsDialog::signOutRequested, this, [this, dialog] {
        dialog->reject();
        signOut();
    });
}

void DesktopApp::openDevices(QWidget *parent)
{
    const SyncConfig config = m_scheduler->config();
    auto *dialog
        = new DevicesDialog(config.server, config.token, config.trustedFingerprint, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &DevicesDialog::thisDeviceRevoked, this, [this, parent] {
        // The Settings dialog it came from shows an account that is gone.
        if (auto *settings = qobject_cast<SettingsDialog *>(parent))
            settings->reject();
        finishSignOut(QString());
    });
    dialog->open();
}

void DesktopApp::openShare()
{
    const SyncConfig config = m_scheduler->config();
    if (!config.isComplete()) {
        QMessageBox::information(m_window.get(), tr("Share"),
                                 tr("Sign in to a server first; then you can share this "
                                    "workspace with other people there."));
        return;
    }
    auto *dialog = new ShareDialog(config.server, config.token, config.trustedFingerprint,
                                   config.workspace, m_settings->userName(), m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void DesktopApp::signInWithPassword(bool createAccount)
{
    leaveLocalServer();
    m_pendingTrust = m_firstRun->trustedFingerprint();
    const QUrl server = m_firstRun->serverUrl();
    const QString user = m_firstRun->userName();
    const QString password = m_firstRun->password();
    const QString device = m_firstRun->deviceName();
    // Lives with the page: closing it drops an answer nobody waits for any more.
    auto *client = new AccountClient(m_firstRun);
    client->setServer(server);
    client->setTrustedFingerprint(m_pendingTrust);
    connect(client, &AccountClient::registered, this,
            [client, user, password, device] { client->signIn(user, password, device); });
    connect(client, &AccountClient::signedIn, this, [this, client, server](const SignedIn &in) {
        client->deleteLater();
        signIn(server, in.token, QString());
    });
    connect(client, &AccountClient::failed, this, [this, client, server](const Error &error) {
        client->deleteLater();
        if (error.code == QLatin1String("certificate")) {
            // The check shows the certificate with the choice to trust it; the person then
            // continues again with the same name and password.
            signIn(server, QString(), QString());
            return;
        }
        if (error.code == QLatin1String("registration_closed")) {
            reportProblem(tr("This server does not take new accounts: its administrator has "
                             "closed registration. Sign in with an account you have, or ask "
                             "the administrator for one."));
            return;
        }
        reportProblem(error.message);
    });
    if (createAccount)
        client->registerAccount(user, password);
    else
        client->signIn(user, password, device);
}

void DesktopApp::signOut()
{
    const SyncConfig config = m_scheduler->config();
    if (config.server.isEmpty() || config.token.isEmpty()) {
        finishSignOut(QString());
        return;
    }
    // Stop syncing at once; the server is told while the person waits for the first-run page.
    m_scheduler->setPaused(true);
    auto *client = new AccountClient(this);
    client->setServer(config.server, config.token);
    client->setTrustedFingerprint(config.trustedFingerprint);
    connect(client, &AccountClient::deviceRevoked, this, [this, client] {
        client->deleteLater();
        finishSignOut(QString());
    });
    connect(client, &AccountClient::failed, this, [this, client](const Error &error) {
        client->deleteLater();
        finishSignOut(tr("Signed out here, but the server could not be told (%1). This "
                         "computer still appears in the account's devices: revoke it there "
                         "from another device.")
                          .arg(error.message));
    });
    client->signOut();
}

void DesktopApp::finishSignOut(const QString &problem)
{
    m_scheduler->setPaused(true);
    SyncConfig none;
    m_scheduler->setConfig(none);
    // Already revoked on the server (or said not to be): a token left behind by a failed
    // removal no longer opens anything.
    m_tokens->remove();
    const QUrl server = m_settings->serverUrl();
    // Without a server the next start asks again; the store and its records stay on disk.
    m_settings->setServerUrl(QUrl());
    m_settings->setWorkspace(QString());
    m_settings->setUserName(QString());
    m_settings->sync();
    m_window->shareAction()->setEnabled(false);
    m_account = {};
    m_workspaceListProblem.clear();
    showWorkspaces();
    askFirstRun();
    if (!server.isEmpty())
        m_firstRun->setServerUrl(server);
    if (!problem.isEmpty())
        m_firstRun->showError(problem);
}

} // namespace FerryDesktop
