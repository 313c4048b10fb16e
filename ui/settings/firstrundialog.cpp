#include "firstrundialog.h"

#include "settings/problemlabel.h"

#include <QButtonGroup>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMetaMethod>
#include <QPushButton>
#include <QRadioButton>
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
           "server's address and a device token from it."),
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
    auto *form = new QFormLayout(m_serverFields);
    form->setContentsMargins(24, 0, 0, 8);
    form->addRow(urlLabel, m_url);
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
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::accepted, this, &FirstRunDialog::submit);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &FirstRunDialog::reject);
    connect(m_serverChoice, &QRadioButton::toggled, this, &FirstRunDialog::updateEnabled);
    updateEnabled();
    m_url->setFocus();
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
    m_token->setFocus();
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
    // Nobody to check the sign-in (a caller that only wants the answers): done.
    if (!isSignalConnected(QMetaMethod::fromSignal(&FirstRunDialog::submitRequested))) {
        finish();
        return;
    }
    setBusy(true);
    emit submitRequested();
}

void FirstRunDialog::updateEnabled()
{
    m_serverChoice->setEnabled(!m_busy);
    m_localChoice->setEnabled(!m_busy);
    m_serverFields->setEnabled(!m_busy && m_serverChoice->isChecked());
    m_continue->setEnabled(!m_busy);
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
    if (m_token->text().trimmed().isEmpty()) {
        m_token->setFocus();
        return tr("Paste the device token from your server. It signs this computer in.");
    }
    return {};
}

} // namespace Ferry::Ui
