#include "settingsdialog.h"

#include "settings/problemlabel.h"

#include "settings/appsettings.h"
#include "settings/autostart.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace Ferry::Ui {

SettingsDialog::SettingsDialog(AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
{
    setObjectName(QStringLiteral("settingsDialog"));
    setWindowTitle(tr("Ferry Settings"));

    auto *account = new QGroupBox(tr("Account"), this);
    account->setObjectName(QStringLiteral("accountGroup"));
    m_serverUrl = new QLineEdit(account);
    m_serverUrl->setObjectName(QStringLiteral("serverUrlField"));
    m_serverUrl->setReadOnly(true);
    m_serverUrl->setAccessibleName(tr("Server"));
    m_serverUrl->setMinimumWidth(280);
    m_signInAgain = new QPushButton(tr("Sign in again…"), account);
    m_signInAgain->setObjectName(QStringLiteral("signInAgainButton"));
    m_signInAgain->setToolTip(tr("Connect this computer with a new token or another server"));
    auto *serverRow = new QHBoxLayout;
    serverRow->addWidget(m_serverUrl, 1);
    serverRow->addWidget(m_signInAgain);
    m_tokenStorage = new QLabel(account);
    m_tokenStorage->setObjectName(QStringLiteral("tokenStorageLabel"));
    m_tokenStorage->setWordWrap(true);
    m_tokenStorage->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tokenStorage->setAccessibleName(tr("Token storage"));
    // A trusted self-signed certificate stays visible, with a way to stop trusting it.
    m_certificate = new QLabel(account);
    m_certificate->setObjectName(QStringLiteral("trustedCertificateLabel"));
    m_certificate->setWordWrap(true);
    m_certificate->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_certificate->setAccessibleName(tr("Trusted certificate"));
    m_removeTrust = new QPushButton(tr("&Remove"), account);
    m_removeTrust->setObjectName(QStringLiteral("removeTrustButton"));
    m_removeTrust->setToolTip(tr("Stop trusting this certificate; the server must then have "
                                 "one that a certificate authority signed"));
    auto *certificateRow = new QHBoxLayout;
    certificateRow->addWidget(m_certificate, 1);
    certificateRow->addWidget(m_removeTrust);
    m_signedIn = new QLabel(account);
    m_signedIn->setObjectName(QStringLiteral("signedInLabel"));
    m_signedIn->setWordWrap(true);
    m_signedIn->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_devices = new QPushButton(tr("&Devices…"), account);
    m_devices->setObjectName(QStringLiteral("devicesButton"));
    m_devices->setToolTip(tr("The computers signed in to this account, and revoking one"));
    m_signOut = new QPushButton(tr("Sign &out…"), account);
    m_signOut->setObjectName(QStringLiteral("signOutButton"));
    m_signOut->setToolTip(tr("Stop syncing and remove this computer's sign-in"));
    auto *signedInRow = new QHBoxLayout;
    signedInRow->addWidget(m_signedIn, 1);
    signedInRow->addWidget(m_devices);
    signedInRow->addWidget(m_signOut);
    auto *accountForm = new QFormLayout(account);
    accountForm->addRow(signedInRow);
    auto *serverLabel = new QLabel(tr("&Server:"), account);
    serverLabel->setBuddy(m_serverUrl);
    accountForm->addRow(serverLabel, serverRow);
    accountForm->addRow(tr("Token:"), m_tokenStorage);
    accountForm->addRow(tr("Certificate:"), certificateRow);

    auto *syncing = new QGroupBox(tr("Syncing"), this);
    syncing->setObjectName(QStringLiteral("syncingGroup"));
    m_interval = new QSpinBox(syncing);
    m_interval->setObjectName(QStringLiteral("syncIntervalSpin"));
    m_interval->setRange(1, 24 * 60);
    m_interval->setSuffix(tr(" min"));
    m_interval->setAccessibleName(tr("Check the server every (minutes)"));
    m_interval->setToolTip(
        tr("Changes are sent and received at once while connected; this is how often Ferry "
           "checks anyway."));
    m_paused = new QCheckBox(tr("&Pause syncing"), syncing);
    m_paused->setObjectName(QStringLiteral("pauseCheck"));
    m_paused->setAccessibleName(tr("Pause syncing"));
    auto *syncForm = new QFormLayout(syncing);
    syncForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    auto *intervalLabel = new QLabel(tr("Check the server &every:"), syncing);
    intervalLabel->setBuddy(m_interval);
    syncForm->addRow(intervalLabel, m_interval);
    syncForm->addRow(m_paused);

    auto *files = new QGroupBox(tr("Files"), this);
    files->setObjectName(QStringLiteral("filesGroup"));
    m_keepAllFiles = new QCheckBox(tr("&Keep every file on this computer"), files);
    m_keepAllFiles->setObjectName(QStringLiteral("keepAllFilesCheck"));
    m_keepAllFiles->setToolTip(
        tr("Download the files of every record after each sync, so they open offline. "
           "Otherwise a file is downloaded when you open it."));
    m_keepUpTo = new QSpinBox(files);
    m_keepUpTo->setObjectName(QStringLiteral("keepFilesUpToSpin"));
    m_keepUpTo->setRange(0, 1024 * 1024);
    m_keepUpTo->setSuffix(tr(" MB"));
    m_keepUpTo->setSpecialValueText(tr("any size"));
    m_keepUpTo->setAccessibleName(tr("Keep files up to (MB)"));
    auto *filesForm = new QFormLayout(files);
    filesForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    filesForm->addRow(m_keepAllFiles);
    auto *upToLabel = new QLabel(tr("&Largest file kept:"), files);
    upToLabel->setBuddy(m_keepUpTo);
    filesForm->addRow(upToLabel, m_keepUpTo);
    connect(m_keepAllFiles, &QCheckBox::toggled, m_keepUpTo, &QWidget::setEnabled);

    auto *conflicts = new QGroupBox(tr("Conflicts"), this);
    conflicts->setObjectName(QStringLiteral("conflictsGroup"));
    m_conflictPolicy = new QComboBox(conflicts);
    m_conflictPolicy->setObjectName(QStringLiteral("conflictPolicyCombo"));
    m_conflictPolicy->setAccessibleName(tr("When a record was changed here and elsewhere"));
    m_conflictPolicy->addItem(tr("Always ask me"), policyName(ConflictPolicy::Ask));
    m_conflictPolicy->addItem(tr("Keep this device's version"),
                              policyName(ConflictPolicy::KeepMine));
    m_conflictPolicy->addItem(tr("Keep the other side's version"),
                              policyName(ConflictPolicy::KeepTheirs));
    m_conflictPolicy->addItem(tr("Keep the newest change"), policyName(ConflictPolicy::Newest));
    m_conflictPolicy->setToolTip(
        tr("Changes that do not touch the same thing are always merged. This is for the rest."));
    auto *conflictsForm = new QFormLayout(conflicts);
    conflictsForm->setFieldGrowthPolicy(QFormLayout::FieldsStayAtSizeHint);
    auto *policyLabel = new QLabel(tr("When a record was changed &here and elsewhere:"), conflicts);
    policyLabel->setBuddy(m_conflictPolicy);
    conflictsForm->addRow(policyLabel, m_conflictPolicy);

    auto *startup = new QGroupBox(tr("Startup"), this);
    startup->setObjectName(QStringLiteral("startupGroup"));
    m_startAtLogin
        = new QCheckBox(tr("Start Ferry when I &log in, minimized to the tray"), startup);
    m_startAtLogin->setObjectName(QStringLiteral("startAtLoginCheck"));
    m_startAtLogin->setAccessibleName(tr("Start at login"));
    auto *startupLayout = new QVBoxLayout(startup);
    startupLayout->addWidget(m_startAtLogin);

    m_error = new ProblemLabel(this);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("okButton"));
    m_buttons->button(QDialogButtonBox::Cancel)->setObjectName(QStringLiteral("cancelButton"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(account);
    layout->addWidget(syncing);
    layout->addWidget(files);
    layout->addWidget(conflicts);
    layout->addWidget(startup);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_signInAgain, &QPushButton::clicked, this, &SettingsDialog::signInAgainRequested);
    connect(m_devices, &QPushButton::clicked, this, &SettingsDialog::devicesRequested);
    connect(m_signOut, &QPushButton::clicked, this, &SettingsDialog::confirmSignOut);
    connect(m_removeTrust, &QPushButton::clicked, this, [this] {
        m_trustRemoved = true;
        m_certificate->setText(tr("No longer trusted once you press OK"));
        m_removeTrust->setEnabled(false);
    });
    connect(m_buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);

    setTokenStorageText(QString());
    load();
}

void SettingsDialog::setTokenStorageText(const QString &text)
{
    m_tokenStorage->setText(text.isEmpty() ? tr("Not known yet") : text);
}

void SettingsDialog::load()
{
    if (m_settings.useLocalServer()) {
        m_serverUrl->setText(tr("This computer (local server)"));
        m_signInAgain->setText(tr("Use a server…"));
    } else {
        const QUrl url = m_settings.serverUrl();
        m_serverUrl->setText(url.isEmpty() ? tr("Not connected")
                                           : url.toString(QUrl::PrettyDecoded));
    }
    // Devices and signing out are about an account on a server; the local server has none.
    const bool account = !m_settings.useLocalServer() && !m_settings.serverUrl().isEmpty();
    const QString user = m_settings.userName();
    const QString host = m_settings.serverUrl().host().toHtmlEscaped();
    if (!account)
        m_signedIn->setText(tr("Not signed in to a server"));
    else if (user.isEmpty())
        m_signedIn->setText(tr("Signed in on %1").arg(host));
    else
        m_signedIn->setText(tr("Signed in as <b>%1</b> on %2").arg(user.toHtmlEscaped(), host));
    m_devices->setVisible(account);
    m_signOut->setVisible(account);
    const QString trusted = m_settings.trustedFingerprint();
    m_certificate->setText(trusted.isEmpty()
                               ? tr("Checked against this computer's certificate authorities")
                               : tr("Trusted by fingerprint (SHA-256):\n%1").arg(trusted));
    m_removeTrust->setVisible(!trusted.isEmpty());
    m_removeTrust->setEnabled(true);
    m_trustRemoved = false;
    // Round up so a hand-set 90 s shows as 2 min rather than as a shorter 1 min.
    m_interval->setValue((m_settings.syncIntervalSeconds() + 59) / 60);
    m_paused->setChecked(m_settings.isPaused());
    m_keepAllFiles->setChecked(m_settings.keepAllFiles());
    m_keepUpTo->setValue(m_settings.keepFilesUpToMb());
    m_keepUpTo->setEnabled(m_keepAllFiles->isChecked());
    m_conflictPolicy->setCurrentIndex(
        qMax(0, m_conflictPolicy->findData(policyName(m_settings.conflictPolicy()))));
    // The platform's list is the truth: the person may have removed the entry by hand.
    m_startAtLogin->setChecked(Autostart::isEnabled());
}

void SettingsDialog::confirmSignOut()
{
    auto *box
        = new QMessageBox(QMessageBox::Question, tr("Sign out"),
                          tr("Sign out of %1 on this computer?").arg(m_settings.serverUrl().host()),
                          QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("signOutConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("Syncing stops and this computer's sign-in is revoked on the "
                               "server. The records stay on this computer; sign in again "
                               "to sync them."));
    QPushButton *signOut = box->addButton(tr("Sign Out"), QMessageBox::DestructiveRole);
    signOut->setObjectName(QStringLiteral("confirmSignOutButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, signOut] {
        if (box->clickedButton() == signOut)
            emit signOutRequested();
    });
    box->open();
}

bool SettingsDialog::apply()
{
    const bool startAtLogin = m_startAtLogin->isChecked();
    if (startAtLogin != Autostart::isEnabled()) {
        QString error;
        if (!Autostart::setEnabled(startAtLogin, &error)) {
            m_error->setProblem(tr("Start at login could not be changed. %1").arg(error));
            return false;
        }
    }
    m_error->setProblem(QString());
    m_settings.setStartAtLogin(startAtLogin);
    if (m_trustRemoved)
        m_settings.setTrustedFingerprint(QString());
    m_settings.setSyncIntervalSeconds(m_interval->value() * 60);
    m_settings.setPaused(m_paused->isChecked());
    m_settings.setKeepAllFiles(m_keepAllFiles->isChecked());
    m_settings.setKeepFilesUpToMb(m_keepUpTo->value());
    m_settings.setConflictPolicy(
        policyFromName(m_conflictPolicy->currentData().toString()).value_or(ConflictPolicy::Ask));
    m_settings.sync();
    emit settingsApplied();
    return true;
}

void SettingsDialog::accept()
{
    if (apply())
        QDialog::accept();
}

} // namespace Ferry::Ui
