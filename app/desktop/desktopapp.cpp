#include "desktopapp.h"

#include "localserver.h"
#include "mainwindow/mainwindow.h"
#include "merge/policyresolver.h"
#include "settings/appsettings.h"
#include "settings/autostart.h"
#include "settings/firstrundialog.h"
#include "settings/settingsdialog.h"
#include "tokenstore.h"
#include "tray/traycontroller.h"
#include "tray/trayicon.h"

#include <QApplication>
#include <QDir>
#include <QMessageBox>
#include <QStandardPaths>

using namespace Ferry;
using namespace Ferry::Ui;

namespace FerryDesktop {

DesktopApp::DesktopApp(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_profile(m_options.profile)
{ }

DesktopApp::~DesktopApp()
{
    closeWorkspace();
}

bool DesktopApp::start()
{
    m_schema = Schema::defaultSchema();
    if (!m_options.schemaPath.isEmpty()) {
        Result<Schema> loaded = Schema::fromFile(m_options.schemaPath);
        if (!loaded) {
            QMessageBox::critical(nullptr, tr("Ferry"), loaded.error().message);
            return false;
        }
        m_schema = std::move(loaded).value();
    }
    m_settings = std::make_unique<AppSettings>(m_options.profile);
    m_tokens = new TokenStore(m_profile, this);
    m_localServer = new LocalServer(this);
    m_check = new AccountCheck(this);
    m_workspaceList = new AccountCheck(this);
    if (TrayIcon::isAvailable())
        m_tray = new TrayIcon(this); // without a tray, closing the window quits as usual
    if (m_tray)
        m_tray->setProfile(m_profile.displayName());
    const QString first = m_options.server.isEmpty() || m_options.workspace.isEmpty()
        ? m_settings->workspace()
        : m_options.workspace;
    if (!openWorkspace(first, m_profile.storePath(first)))
        return false;
    if (m_tray)
        m_tray->show();

    connect(m_check, &AccountCheck::succeeded, this, [this](const AccountInfo &account) {
        const QString workspace
            = m_pendingWorkspace.isEmpty() ? account.defaultWorkspace() : m_pendingWorkspace;
        if (workspace.isEmpty()) {
            reportProblem(tr("%1 owns no workspace on this server.").arg(account.user));
            return;
        }
        if (!account.workspaces.contains(workspace)) {
            reportProblem(
                tr("%1 has no workspace \"%2\" on this server.").arg(account.user, workspace));
            return;
        }
        m_settings->setUserName(account.user);
        m_settings->setTrustedFingerprint(m_pendingTrust);
        useAccount(m_pendingServer, m_pendingToken, workspace);
        if (m_firstRun)
            m_firstRun->finish();
    });
    connect(m_check, &AccountCheck::failed, this, [this](const Error &error) {
        const RejectedCertificate certificate = m_check->rejectedCertificate();
        if (m_firstRun && !certificate.isNull())
            m_firstRun->showUntrustedCertificate(error.message, certificate.fingerprint,
                                                 certificate.subject);
        else
            reportProblem(error.message);
    });
    connect(m_workspaceList, &AccountCheck::succeeded, this, [this](const AccountInfo &account) {
        m_account = account;
        m_workspaceListProblem.clear();
        showWorkspaces();
    });
    connect(m_workspaceList, &AccountCheck::failed, this, [this](const Error &error) {
        m_workspaceListProblem = tr("Could not update the list: %1").arg(error.message);
        showWorkspaces();
    });
    connect(m_localServer, &LocalServer::started, this, &DesktopApp::onLocalServerStarted);
    connect(m_localServer, &LocalServer::failed, this,
            [this](const Error &error) { reportProblem(error.message); });
    connect(m_localServer, &LocalServer::tokenCreated, this, [this](const QString &token) {
        useAccount(m_localServer->url(), token, LocalServer::user());
    });

    if (!m_options.server.isEmpty()) {
        // The certificate trusted for this server before is trusted again; another server's
        // is not carried over.
        if (m_options.server == m_settings->serverUrl())
            m_pendingTrust = m_settings->trustedFingerprint();
        signIn(m_options.server, m_options.token, m_options.workspace);
    } else if (m_options.localServer || m_settings->useLocalServer()) {
        startLocalServer();
    } else if (m_settings->isConfigured()) {
        readToken(
            [this](const QString &token) {
                useAccount(m_settings->serverUrl(), token, m_settings->workspace());
            },
            [this](const QString &message) {
                reportProblem(tr("Ferry cannot read this device's sign-in token (%1). Sign in "
                                 "again from Settings.")
                                  .arg(message));
            });
    } else {
        askFirstRun();
    }

    if (!(m_options.minimized && m_tray))
        showWindow();
    return true;
}

void DesktopApp::applySettings()
{
    m_scheduler->setInterval(std::chrono::seconds(m_options.syncIntervalSeconds > 0
                                                      ? m_options.syncIntervalSeconds
                                                      : m_settings->syncIntervalSeconds()));
    m_scheduler->setPaused(m_settings->isPaused());
    m_scheduler->setKeepAllFiles(m_settings->keepAllFiles(),
                                 qint64(m_settings->keepFilesUpToMb()) * 1000 * 1000);
    m_autoResolver->setPolicy(m_settings->conflictPolicy());
    if (m_tray)
        m_tray->setPaused(m_settings->isPaused());
}

void DesktopApp::showWindow()
{
    m_window->show();
    m_window->setWindowState((m_window->windowState() & ~Qt::WindowMinimized) | Qt::WindowActive);
    m_window->raise();
    m_window->activateWindow();
}

void DesktopApp::openSettings()
{
    // Open, not exec(): the account buttons open dialogs of their own above it.
    auto *dialog = new SettingsDialog(*m_settings, m_window.get());
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setTokenStorageText(m_tokens->backendDescription());
    connect(dialog, &SettingsDialog::signInAgainRequested, this, [this, dialog] {
        dialog->reject();
        askFirstRun();
    });
    connectAccountButtons(dialog);
    connect(dialog, &QDialog::accepted, this, &DesktopApp::onSettingsAccepted);
    dialog->open();
}

void DesktopApp::onSettingsAccepted()
{
    applySettings();
    if (SyncConfig config = m_scheduler->config(); !m_settings->useLocalServer()
        && config.trustedFingerprint != m_settings->trustedFingerprint()) {
        config.trustedFingerprint = m_settings->trustedFingerprint();
        m_scheduler->setConfig(config);
    }
    QString error;
    if (Autostart::isEnabled() != m_settings->startAtLogin()
        && !Autostart::setEnabled(m_settings->startAtLogin(), &error))
        QMessageBox::warning(m_window.get(), tr("Start at login"), error);
}

void DesktopApp::askFirstRun()
{
    if (m_firstRun) {
        m_firstRun->raise();
        return;
    }
    m_firstRun = new FirstRunDialog(m_window.get());
    m_firstRun->setAttribute(Qt::WA_DeleteOnClose);
    if (!m_settings->serverUrl().isEmpty())
        m_firstRun->setServerUrl(m_settings->serverUrl());
    connect(m_firstRun, &FirstRunDialog::submitRequested, this, &DesktopApp::onFirstRunSubmitted);
    connect(m_firstRun, &FirstRunDialog::registerRequested, this,
            [this] { signInWithPassword(true); });
    m_firstRun->open();
}

void DesktopApp::onFirstRunSubmitted()
{
    m_firstRun->setBusy(true);
    if (m_firstRun->useLocalServer()) {
        startLocalServer();
        return;
    }
    if (m_firstRun->usePassword()) {
        signInWithPassword(false);
        return;
    }
    leaveLocalServer();
    m_pendingTrust = m_firstRun->trustedFingerprint();
    signIn(m_firstRun->serverUrl(), m_firstRun->token(), QString());
}

void DesktopApp::signIn(const QUrl &server, const QString &token, const QString &workspace)
{
    m_pendingWorkspace = workspace;
    m_pendingServer = server;
    m_pendingToken = token;
    m_check->setTrustedFingerprint(m_pendingTrust);
    m_check->start(server, token);
}

void DesktopApp::useAccount(const QUrl &server, const QString &token, const QString &workspace)
{
    if (!m_settings->useLocalServer()) {
        m_settings->setServerUrl(server);
        m_tokens->write(token);
    }
    if (!ensureWorkspace(workspace))
        return;
    connectWorkspace(server, token);
    if (!m_settings->useLocalServer()) {
        m_localServer->stop();
        offerLocalRecords();
    }
}

void DesktopApp::leaveLocalServer()
{
    if (m_settings->useLocalServer() && m_data && !m_workspace.isEmpty())
        m_leftLocalStore = m_data->store().path();
    m_settings->setUseLocalServer(false);
}

void DesktopApp::startLocalServer()
{
    m_settings->setUseLocalServer(true);
    if (m_settings->localServerDataDir().isEmpty())
        m_settings->setLocalServerDataDir(m_profile.localServerFolder());
    m_localServer->start(m_settings->localServerDataDir());
}

void DesktopApp::onLocalServerStarted(const QUrl &url)
{
    if (m_firstRun)
        m_firstRun->finish();
    // The token made for the local server the first time; the server keeps its data.
    const QString dataDir = m_settings->localServerDataDir();
    if (const QString token = LocalServer::savedToken(dataDir); !token.isEmpty())
        useAccount(url, token, LocalServer::user());
    else
        m_localServer->createToken(dataDir);
}

void DesktopApp::readToken(const std::function<void(const QString &)> &onToken,
                           const std::function<void(const QString &)> &onFailure)
{
    // A context for this one answer: dropped, with its connections, once the answer came.
    auto *answer = new QObject(this);
    const auto settle = [this, answer] {
        QObject::disconnect(m_tokens, nullptr, answer, nullptr);
        answer->deleteLater();
    };
    connect(m_tokens, &TokenStore::tokenRead, answer, [settle, onToken](const QString &token) {
        settle();
        onToken(token);
    });
    connect(m_tokens, &TokenStore::failed, answer, [settle, onFailure](const QString &message) {
        settle();
        onFailure(message);
    });
    m_tokens->read();
}

void DesktopApp::reportProblem(const QString &message)
{
    if (m_firstRun) {
        m_firstRun->setBusy(false);
        m_firstRun->showError(message);
        return;
    }
    QMessageBox::warning(m_window.get(), tr("Ferry"), message);
}

void DesktopApp::quit()
{
    if (m_window)
        m_window->setCloseToTray(false);
    m_localServer->stop();
    QApplication::quit();
}

} // namespace FerryDesktop
