#include "newworkspacedialog.h"

#include "settings/problemlabel.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QVBoxLayout>

namespace Ferry::Ui {

NewWorkspaceDialog::NewWorkspaceDialog(QWidget *parent)
    : QDialog(parent)
    , m_name(new QLineEdit(this))
    , m_error(new ProblemLabel(this))
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    setObjectName(QStringLiteral("newWorkspaceDialog"));
    setWindowTitle(tr("New workspace"));

    auto *intro = new QLabel(tr("A workspace keeps its own records. You own the new one and can "
                                "share it with other people on this server."),
                             this);
    intro->setWordWrap(true);
    m_name->setObjectName(QStringLiteral("workspaceNameEdit"));
    m_name->setAccessibleName(tr("Workspace name"));
    m_name->setPlaceholderText(tr("e.g. family-recipes"));
    m_name->setMaxLength(64);
    m_name->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[A-Za-z0-9_-]{1,64}")), m_name));
    auto *hint = new QLabel(tr("Letters, digits, \"-\" and \"_\"; the people you share it with "
                               "see this name."),
                            this);
    hint->setWordWrap(true);
    hint->setEnabled(false); // the lighter text of a hint
    m_error->setObjectName(QStringLiteral("errorLabel"));

    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Create"));
    m_buttons->button(QDialogButtonBox::Ok)->setObjectName(QStringLiteral("createButton"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, [this] {
        if (!m_name->hasAcceptableInput())
            return;
        m_error->setProblem(QString());
        setBusy(true);
        Q_EMIT createRequested(workspace());
    });
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_name, &QLineEdit::textChanged, this, [this] {
        m_error->setProblem(QString());
        updateButtons();
    });

    auto *form = new QFormLayout;
    form->addRow(tr("&Name:"), m_name);
    form->addRow(QString(), hint);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addStretch(1);
    layout->addWidget(m_buttons);
    setMinimumWidth(420);
    updateButtons();
}

QString NewWorkspaceDialog::workspace() const
{
    return m_name->text();
}

void NewWorkspaceDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_name->setReadOnly(busy);
    if (busy)
        setCursor(Qt::BusyCursor);
    else
        unsetCursor();
    updateButtons();
}

void NewWorkspaceDialog::showError(const QString &message)
{
    setBusy(false);
    m_error->setProblem(message);
    m_name->setFocus();
    m_name->selectAll();
}

void NewWorkspaceDialog::updateButtons()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_busy && m_name->hasAcceptableInput());
}

} // namespace Ferry::Ui
