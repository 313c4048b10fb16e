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
    auto *accountForm = new QFormLayout(account);
    auto *serverLabel = new QLabel(tr("&Server:"), account);
    serverLabel->setBuddy(m_serverUrl);
    accountForm->addRow(serverLabel, serverRow);
    accountForm->addRow(tr("Token:"), m_tokenStorage);

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
    layout->addWidget(conflicts);
    layout->addWidget(startup);
    layout->addWidget(m_error);
    layout->addWidget(m_buttons);

    connect(m_signInAgain, &QPushButton::clicked, this, &SettingsDialog::signInAgainRequested);
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
    // Round up so a hand-set 90 s shows as 2 min rather than as a shorter 1 min.
    m_interval->setValue((m_settings.syncIntervalSeconds() + 59) / 60);
    m_paused->setChecked(m_settings.isPaused());
    m_conflictPolicy->setCurrentIndex(
        qMax(0, m_conflictPolicy->findData(policyName(m_settings.conflictPolicy()))));
    // The platform's list is the truth: the person may have removed the entry by hand.
    m_startAtLogin->setChecked(Autostart::isEnabled());
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
    m_settings.setSyncIntervalSeconds(m_interval->value() * 60);
    m_settings.setPaused(m_paused->isChecked());
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
