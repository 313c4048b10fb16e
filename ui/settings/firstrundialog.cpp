#include "firstrundialog.h"

#include "settings/problemlabel.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMetaMethod>
#include <QPushButton>
#include <QRadioButton>
#include <QSysInfo>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

QLabel *explanation(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setForegroundRole(QPalette::PlaceholderText);
    label->setContentsMargins(24, 0, 0, 4); // under the radio button's text, not its circle
    return label;
}

} // namespace

FirstRunDialog::FirstRunDialog(QWidget *parent)
    : QDialog(parent)
{
    setObjectName(QStringLiteral("firstRunDialog"));
    setWindowTitle(tr("Welcome to Ferry"));

    auto *heading = new QLabel(tr("Where should Ferry keep your records?"), this);
    heading->setObjectName(QStringLiteral("headingLabel"));
    QFont headingFont = heading->font();
    headingFont.setPointSizeF(headingFont.pointSizeF() * 1.3);
    headingFont.setBold(true);
    heading->setFont(headingFont);

    m_serverChoice = new QRadioButton(tr("Use a Ferry &server"), this);
    m_serverChoice->setObjectName(QStringLiteral("serverChoice"));
    m_serverChoice->setChecked(true);
    auto *serverText = explanation(
        tr("Sync with your other computers and the people you work with. You need the "
           "server's address and an account on it, or a device token from it."),
        this);

    m_serverFields = new QWidget(this);
    m_serverFields->setObjectName(QStringLiteral("serverFields"));
    m_url = new QLineEdit(m_serverFields);
    m_url->setObjectName(QStringLiteral("serverUrlEdit"));
    m_url->setPlaceholderText(QStringLiteral("https://ferry.example.com"));
    m_url->setAccessibleName(tr("Server address"));
    m_url->setMinimumWidth(320);
    m_token = new QLineEdit(m_serverFields);
    m_token->setObjectName(QStringLiteral("tokenEdit"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("Paste the token your server gave you"));
    m_token->setAccessibleName(tr("Device token"));
    auto *urlLabel = new QLabel(tr("Server &address:"), m_serverFields);
    urlLabel->setBuddy(m_url);
    auto *tokenLabel = new QLabel(tr("Device &token:"), m_serverFields);
    tokenLabel->setBuddy(m_token);

    // A user name and password is how people sign in; a token is for scripted setups.
    m_passwordWay = new QRadioButton(tr("User &name and password"), m_serverFields);
    m_passwordWay->setObjectName(QStringLiteral("passwordWay"));
    m_passwordWay->setChecked(true);
    m_tokenWay = new QRadioButton(tr("A device to&ken"), m_serverFields);
    m_tokenWay->setObjectName(QStringLiteral("tokenWay"));
    auto *ways = new QButtonGroup(this);
    ways->addButton(m_passwordWay);
    ways->addButton(m_tokenWay);
    auto *wayRow = new QHBoxLayout;
    wayRow->addWidget(m_passwordWay);
    wayRow->addWidget(m_tokenWay);
    wayRow->addStretch(1);
    m_user = new QLineEdit(m_serverFields);
    m_user->setObjectName(QStringLiteral("userEdit"));
    m_user->setAccessibleName(tr("User name"));
    auto *passwordBox = new QWidget(m_serverFields); // the password with its button
    m_password = new QLineEdit(passwordBox);
    m_password->setObjectName(QStringLiteral("passwordEdit"));
    m_password->setEchoMode(QLineEdit::Password);
    m_password->setAccessibleName(tr("Password"));
    m_deviceName = new QLineEdit(QSysInfo::machineHostName(), m_serverFields);
    m_deviceName->setObjectName(QStringLiteral("deviceNameEdit"));
    m_deviceName->setAccessibleName(tr("This computer's name"));
    m_deviceName->setToolTip(tr("How this computer appears in your account's list of devices"));
    m_deviceName->setMaxLength(100);
    m_createAccount = new QPushButton(tr("Create an Acc&ount"), passwordBox);
    m_createAccount->setObjectName(QStringLiteral("createAccountButton"));
    m_createAccount->setToolTip(
        tr("Make a new account on this server with this user name and password"));
    auto *passwordRow = new QHBoxLayout(passwordBox);
    passwordRow->setContentsMargins(0, 0, 0, 0);
    passwordRow->addWidget(m_password, 1);
    passwordRow->addWidget(m_createAccount);
    auto *userLabel = new QLabel(tr("&User name:"), m_serverFields);
    userLabel->setBuddy(m_user);
    auto *passwordLabel = new QLabel(tr("&Password:"), m_serverFields);
    passwordLabel->setBuddy(m_password);
    auto *deviceLabel = new QLabel(tr("This computer's na&me:"), m_serverFields);
    deviceLabel->setBuddy(m_deviceName);

    auto *form = new QFormLayout(m_serverFields);
    form->setContentsMargins(24, 0, 0, 8);
    form->addRow(urlLabel, m_url);
    form->addRow(tr("Sign in with:"), wayRow);
    form->addRow(userLabel, m_user);
    form->addRow(passwordLabel, passwordBox);
    form->addRow(deviceLabel, m_deviceName);
    form->addRow(tokenLabel, m_token);

    m_localChoice
        = new QRadioButton(tr("Keep my records on this &computer with a local server"), this);
    m_localChoice->setObjectName(QStringLiteral("localChoice"));
    QFont choiceFont = m_serverChoice->font();
    choiceFont.setBold(true);
    m_serverChoice->setFont(choiceFont);
    m_localChoice->setFont(choiceFont);
    auto *localText
        = explanation(tr("No account needed: Ferry runs its own server on this computer. You can "
                         "connect to a shared server later in Settings."),
                      this);

    m_choices = new QButtonGroup(this);
    m_choices->addButton(m_serverChoice);
    m_choices->addButton(m_localChoice);

    m_error = new ProblemLabel(this);

    // Only shown when the server's certificate was refused: trusting it is a decision the
    // person makes with the fingerprint in front of them, never a default.
    m_certificate = new QWidget(this);
    m_certificate->setObjectName(QStringLiteral("certificateBox"));
    m_certificateText = new QLabel(m_certificate);
    m_certificateText->setObjectName(QStringLiteral("certificateLabel"));
    m_certificateText->setWordWrap(true);
    m_certificateText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_trust = new QPushButton(tr("&Trust this certificate"), m_certificate);
    m_trust->setObjectName(QStringLiteral("trustCertificateButton"));
    auto *certificateLayout = new QVBoxLayout(m_certificate);
    certificateLayout->setContentsMargins(0, 0, 0, 0);
    certificateLayout->addWidget(m_certificateText);
    certificateLayout->addWidget(m_trust, 0, Qt::AlignLeft);
    m_certificate->hide();

    m_buttons = new QDialogButtonBox(this);
    m_buttons->setObjectName(QStringLiteral("buttonBox"));
    m_continue = m_buttons->addButton(tr("Continue"), QDialogButtonBox::AcceptRole);
    m_continue->setObjectName(QStringLiteral("continueButton"));
    m_continue->setDefault(true);
    QPushButton *cancel = m_buttons->addButton(QDialogButtonBox::Cancel);
    cancel->setObjectName(QStringLiteral("cancelButton"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(heading);
    layout->addSpacing(8);
    layout->addWidget(m_serverChoice);
    layout->addWidget(serverText);
    layout->addWidget(m_serverFields);
    layout->addWidget(m_localChoice);
    layout->addWidget(localText);
    layout->addSpacing(8);
    layout->addWidget(m_error);
    layout->addWidget(m_certificate);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &FirstRunDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &FirstRunDialog::reject);
    connect(m_serverChoice, &QRadioButton::toggled, this, &FirstRunDialog::updateEnabled);
    connect(m_passwordWay, &QRadioButton::toggled, this, &FirstRunDialog::showWay);
    connect(m_createAccount, &QPushButton::clicked, this, &FirstRunDialog::submitNew);
    connect(m_trust, &QPushButton::clicked, this, [this] {
        m_trusted = m_offered;
        submit();
    });
    // Trust belongs to the certificate of the server it was offered for.
    connect(m_url, &QLineEdit::textEdited, this, [this] {
        m_trusted.clear();
        m_offered.clear();
        m_certificate->hide();
    });
    showWay();
    updateEnabled();
    m_url->setFocus();
}

void FirstRunDialog::showWay()
{
    auto *form = static_cast<QFormLayout *>(m_serverFields->layout());
    const bool password = usePassword();
    form->setRowVisible(m_user, password);
    form->setRowVisible(m_password->parentWidget(), password);
    form->setRowVisible(m_deviceName, password);
    form->setRowVisible(m_token, !password);
}

bool FirstRunDialog::usePassword() const
{
    return m_passwordWay->isChecked();
}

QString FirstRunDialog::userName() const
{
    return m_user->text().trimmed();
}

QString FirstRunDialog::password() const
{
    return m_password->text(); // verbatim: spaces may be part of it
}

QString FirstRunDialog::deviceName() const
{
    const QString name = m_deviceName->text().trimmed();
    return name.isEmpty() ? QSysInfo::machineHostName() : name;
}

bool FirstRunDialog::useLocalServer() const
{
    return m_localChoice->isChecked();
}

QUrl FirstRunDialog::serverUrl() const
{
    if (useLocalServer())
        return {};
    return QUrl(m_url->text().trimmed(), QUrl::StrictMode);
}

QString FirstRunDialog::token() const
{
    if (useLocalServer())
        return {};
    return m_token->text().trimmed();
}

void FirstRunDialog::setServerUrl(const QUrl &url)
{
    m_serverChoice->setChecked(true);
    m_url->setText(url.toString());
    if (usePassword())
        m_user->setFocus();
    else
        m_token->setFocus();
}

void FirstRunDialog::showUntrustedCertificate(const QString &message, const QString &fingerprint,
                                              const QString &subject)
{
    m_offered = fingerprint;
    m_trusted.clear();
    m_certificateText->setText(
        tr("Certificate SHA-256 fingerprint:\n%1\nSubject: %2\nTrust it only if it is the one "
           "your server's administrator gave you.")
            .arg(fingerprint, subject));
    m_certificate->show();
    showError(message);
}

void FirstRunDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_continue->setText(busy ? tr("Checking…") : tr("Continue"));
    updateEnabled();
}

void FirstRunDialog::showError(const QString &message)
{
    setBusy(false);
    m_error->setProblem(message);
    // Grow to fit the message rather than squeezing the fields the person must fix.
    layout()->activate();
    const int needed = layout()->hasHeightForWidth() ? layout()->totalHeightForWidth(width())
                                                     : sizeHint().height();
    if (needed > height())
        resize(width(), needed);
}

QString FirstRunDialog::errorText() const
{
    return m_error->problem();
}

void FirstRunDialog::finish()
{
    setBusy(false);
    QDialog::accept();
}

void FirstRunDialog::submit()
{
    if (m_busy)
        return;
    const QString problem = validate();
    if (!problem.isEmpty()) {
        showError(problem);
        return;
    }
    showError(QString());
    m_certificate->hide();
    // Nobody to check the sign-in (a caller that only wants the answers): done.
    if (!isSignalConnected(QMetaMethod::fromSignal(&FirstRunDialog::submitRequested))) {
        finish();
        return;
    }
    setBusy(true);
    emit submitRequested();
}

void FirstRunDialog::submitNew()
{
    if (m_busy)
        return;
    m_passwordWay->setChecked(true);
    const QString problem = validate();
    if (!problem.isEmpty()) {
        showError(problem);
        return;
    }
    if (m_password->text().size() < 8) {
        m_password->setFocus();
        showError(tr("Choose a password of at least 8 characters for the new account."));
        return;
    }
    showError(QString());
    m_certificate->hide();
    setBusy(true);
    emit registerRequested();
}

void FirstRunDialog::updateEnabled()
{
    m_serverChoice->setEnabled(!m_busy);
    m_localChoice->setEnabled(!m_busy);
    m_serverFields->setEnabled(!m_busy && m_serverChoice->isChecked());
    m_continue->setEnabled(!m_busy);
    m_createAccount->setEnabled(!m_busy);
    m_trust->setEnabled(!m_busy);
}

QString FirstRunDialog::validate()
{
    if (useLocalServer())
        return {};
    const QString text = m_url->text().trimmed();
    const QUrl url(text, QUrl::StrictMode);
    if (text.isEmpty()) {
        m_url->setFocus();
        return tr("Enter the server's address, for example https://ferry.example.com.");
    }
    if (!url.isValid() || url.host().isEmpty()
        || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https"))) {
        m_url->setFocus();
        m_url->selectAll();
        return tr("“%1” is not a server address: it should start with https:// or http://.")
            .arg(text);
    }
    if (usePassword()) {
        if (userName().isEmpty()) {
            m_user->setFocus();
            return tr("Enter your user name on this server.");
        }
        if (m_password->text().isEmpty()) {
            m_password->setFocus();
            return tr("Enter your password.");
        }
        return {};
    }
    if (m_token->text().trimmed().isEmpty()) {
        m_token->setFocus();
        return tr("Paste the device token from your server. It signs this computer in.");
    }
    return {};
}

} // namespace Ferry::Ui
