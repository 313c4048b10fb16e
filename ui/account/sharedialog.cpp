#include "sharedialog.h"

#include "roletext.h"
#include "settings/problemlabel.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

enum Column { UserColumn, RoleColumn };
constexpr int RoleRole = Qt::UserRole;

QComboBox *roleCombo(QWidget *parent)
{
    auto *combo = new QComboBox(parent);
    combo->addItem(roleText(QStringLiteral("editor")), QStringLiteral("editor"));
    combo->addItem(roleText(QStringLiteral("viewer")), QStringLiteral("viewer"));
    return combo;
}

} // namespace

ShareDialog::ShareDialog(const QUrl &server, const QString &token,
                         const QString &trustedFingerprint, const QString &workspace,
                         const QString &user, QWidget *parent)
    : QDialog(parent)
    , m_client(new AccountClient(this))
    , m_workspace(workspace)
    , m_user(user)
{
    setObjectName(QStringLiteral("shareDialog"));
    setWindowTitle(tr("Share \"%1\"").arg(workspace));
    m_client->setServer(server, token);
    m_client->setTrustedFingerprint(trustedFingerprint);

    auto *intro
        = new QLabel(tr("People with access to the workspace \"%1\":").arg(workspace), this);
    intro->setWordWrap(true);
    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("memberList"));
    m_list->setAccessibleName(tr("Members"));
    m_list->setRootIsDecorated(false);
    m_list->setAllColumnsShowFocus(true);
    m_list->setHeaderLabels({tr("Person"), tr("Access")});
    m_list->header()->setSectionResizeMode(UserColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(RoleColumn, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);
    m_list->setMinimumSize(420, 160);

    m_note = new QLabel(this);
    m_note->setObjectName(QStringLiteral("readOnlyNote"));
    m_note->setWordWrap(true);
    m_storage = new QLabel(this);
    m_storage->setObjectName(QStringLiteral("storageUse"));
    m_storage->setWordWrap(true);
    m_storage->setVisible(false);

    // The chosen member: their role, or removing them.
    m_changeRow = new QWidget(this);
    m_memberRole = roleCombo(m_changeRow);
    m_memberRole->setObjectName(QStringLiteral("memberRoleCombo"));
    m_memberRole->setAccessibleName(tr("Access of the chosen person"));
    m_remove = new QPushButton(tr("&Remove…"), m_changeRow);
    m_remove->setObjectName(QStringLiteral("removeMemberButton"));
    m_remove->setToolTip(tr("Take the chosen person's access away"));
    auto *changeLayout = new QHBoxLayout(m_changeRow);
    changeLayout->setContentsMargins(0, 0, 0, 0);
    m_chosen = new QLabel(m_changeRow);
    m_chosen->setBuddy(m_memberRole);
    changeLayout->addWidget(m_chosen);
    changeLayout->addWidget(m_memberRole);
    changeLayout->addStretch(1);
    changeLayout->addWidget(m_remove);

    // Adding someone by their user name on this server.
    auto *addGroup = new QGroupBox(tr("Add a person"), this);
    m_addRow = addGroup;
    m_newUser = new QLineEdit(addGroup);
    m_newUser->setObjectName(QStringLiteral("shareUserEdit"));
    m_newUser->setPlaceholderText(tr("their user name on this server"));
    m_newUser->setAccessibleName(tr("User name"));
    m_newUser->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("[A-Za-z0-9_-]{1,64}")), m_newUser));
    m_newRole = roleCombo(addGroup);
    m_newRole->setObjectName(QStringLiteral("shareRoleCombo"));
    m_newRole->setAccessibleName(tr("Access for the new person"));
    m_add = new QPushButton(tr("&Add"), addGroup);
    m_add->setObjectName(QStringLiteral("addMemberButton"));
    auto *addLayout = new QHBoxLayout(addGroup);
    addLayout->addWidget(m_newUser, 1);
    addLayout->addWidget(m_newRole);
    addLayout->addWidget(m_add);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("shareStatus"));
    m_error = new ProblemLabel(this);
    m_error->setObjectName(QStringLiteral("shareError"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_changeRow);
    layout->addWidget(m_note);
    layout->addWidget(addGroup);
    layout->addWidget(m_storage);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    connect(m_client, &AccountClient::membersListed, this, &ShareDialog::onListed);
    connect(m_client, &AccountClient::memberChanged, this, &ShareDialog::onChanged);
    connect(m_client, &AccountClient::failed, this, &ShareDialog::onFailed);
    connect(m_client, &AccountClient::storageRead, this, &ShareDialog::onStorage);
    connect(m_list, &QTreeWidget::currentItemChanged, this, &ShareDialog::updateControls);
    connect(m_memberRole, &QComboBox::activated, this, &ShareDialog::changeRole);
    connect(m_remove, &QPushButton::clicked, this, &ShareDialog::removeSelected);
    connect(m_add, &QPushButton::clicked, this, &ShareDialog::add);
    connect(m_newUser, &QLineEdit::returnPressed, this, &ShareDialog::add);
    connect(m_newUser, &QLineEdit::textChanged, this, &ShareDialog::updateControls);
    connect(buttons, &QDialogButtonBox::rejected, this, &ShareDialog::reject);

    m_changeRow->setVisible(false);
    m_addRow->setVisible(false);
    refresh();
}

void ShareDialog::refresh()
{
    setBusy(true, tr("Asking the server…"));
    m_client->listMembers(m_workspace);
}

void ShareDialog::onListed(const QString &workspace, const QList<MemberInfo> &members)
{
    if (workspace != m_workspace)
        return;
    const QString selected = selectedUser();
    m_list->clear();
    QString owner;
    for (const MemberInfo &member : members) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(UserColumn,
                      member.user == m_user ? tr("%1 (you)").arg(member.user) : member.user);
        item->setData(UserColumn, Qt::UserRole, member.user);
        // Invited: offered the role, no access until they accept it.
        item->setText(RoleColumn,
                      member.invited ? tr("Invited: %1").arg(roleText(member.role).toLower())
                                     : roleText(member.role));
        item->setData(RoleColumn, RoleRole, member.role);
        if (member.invited)
            item->setToolTip(RoleColumn,
                             tr("%1 has not accepted yet and has no access until "
                                "they do.")
                                 .arg(member.user));
        if (member.role == QLatin1String("owner"))
            owner = member.user;
        if (member.user == selected)
            m_list->setCurrentItem(item);
    }
    m_owner = !owner.isEmpty() && owner == m_user;
    m_note->setText(m_owner ? QString()
                            : tr("Only the owner, %1, can change who has access.").arg(owner));
    m_note->setVisible(!m_owner);
    m_addRow->setVisible(m_owner);
    m_error->setProblem(QString());
    const qsizetype in = std::count_if(members.cbegin(), members.cend(),
                                       [](const MemberInfo &m) { return !m.invited; });
    QString count = in == 1 ? tr("One person has access.") : tr("%1 people have access.").arg(in);
    if (in < members.size())
        count += QLatin1Char(' ')
            + (members.size() - in == 1
                   ? tr("One invitation waits for an answer.")
                   : tr("%1 invitations wait for an answer.").arg(members.size() - in));
    setBusy(false, m_done.isEmpty() ? count : m_done);
    m_done.clear();
    // The owner also sees what the workspace keeps on the server.
    m_storage->setVisible(m_owner);
    if (m_owner) {
        if (m_storage->text().isEmpty())
            m_storage->setText(tr("Asking what the workspace keeps on the server…"));
        m_readingStorage = true;
        m_client->readStorage(m_workspace);
    }
}

void ShareDialog::onChanged(const QString &, const MemberInfo &member)
{
    if (member.role.isEmpty()) {
        m_done = tr("%1 no longer has access.").arg(member.user);
    } else {
        m_done = member.invited ? tr("%1 is invited (%2) and has access once they accept.")
                                      .arg(member.user, roleText(member.role).toLower())
                                : tr("%1: %2.").arg(member.user, roleText(member.role));
        if (m_newUser->text().trimmed() == member.user)
            m_newUser->clear(); // added; kept when refused, to correct it
    }
    m_client->listMembers(m_workspace);
}

void ShareDialog::onStorage(const WorkspaceStorage &use)
{
    if (use.workspace != m_workspace)
        return;
    m_readingStorage = false;
    const QLocale locale;
    const QString records
        = use.records == 1 ? tr("one record") : tr("%1 records").arg(locale.toString(use.records));
    const QString files = use.blobs == 1 ? tr("one attached file")
                                         : tr("%1 attached files").arg(locale.toString(use.blobs));
    m_storage->setText(tr("On the server this workspace keeps %1 (deleted ones included) and %2, "
                          "%3 in all.")
                           .arg(records, files, locale.formattedDataSize(use.bytes)));
}

void ShareDialog::onFailed(const Error &error)
{
    if (m_readingStorage) {
        // Only the figure is missing: the members and their changes are not affected.
        m_readingStorage = false;
        m_storage->setText(
            tr("What the workspace keeps on the server could not be read: %1").arg(error.message));
        return;
    }
    m_status->clear();
    m_done.clear();
    setBusy(false);
    m_error->setProblem(error.message);
}

void ShareDialog::add()
{
    const QString user = m_newUser->text().trimmed();
    if (!m_owner || m_busy || !m_newUser->hasAcceptableInput())
        return;
    setBusy(true, tr("Sharing with %1…").arg(user));
    m_client->setMember(m_workspace, user, m_newRole->currentData().toString());
}

void ShareDialog::changeRole()
{
    const QString user = selectedUser();
    const QString role = m_memberRole->currentData().toString();
    if (!m_owner || m_busy || user.isEmpty() || role == selectedRole())
        return;
    setBusy(true, tr("Changing %1's access…").arg(user));
    m_client->setMember(m_workspace, user, role);
}

void ShareDialog::removeSelected()
{
    const QString user = selectedUser();
    if (!m_owner || m_busy || user.isEmpty())
        return;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Remove access"),
                                tr("Take %1's access to \"%2\" away?").arg(user, m_workspace),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("removeMemberConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->setInformativeText(tr("They can no longer sync it. What they already have on their "
                               "computers stays there."));
    QPushButton *remove = box->addButton(tr("Remove"), QMessageBox::DestructiveRole);
    remove->setObjectName(QStringLiteral("confirmRemoveButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, remove, user] {
        if (box->clickedButton() != remove)
            return;
        setBusy(true, tr("Removing %1…").arg(user));
        m_client->removeMember(m_workspace, user);
    });
    box->open();
}

QString ShareDialog::selectedUser() const
{
    QTreeWidgetItem *item = m_list->currentItem();
    return item ? item->data(UserColumn, Qt::UserRole).toString() : QString();
}

QString ShareDialog::selectedRole() const
{
    QTreeWidgetItem *item = m_list->currentItem();
    return item ? item->data(RoleColumn, RoleRole).toString() : QString();
}

void ShareDialog::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    if (busy)
        m_readingStorage = false; // a new request takes the client's place of that one
    if (!status.isEmpty())
        m_status->setText(status);
    updateControls();
}

void ShareDialog::updateControls()
{
    const QString role = selectedRole();
    // The owner's own role cannot change; only other members can be edited.
    const bool member = m_owner && !role.isEmpty() && role != QLatin1String("owner");
    // Shown for a member the owner may change, so it never offers what cannot be done.
    m_changeRow->setVisible(member);
    m_memberRole->setEnabled(!m_busy);
    m_remove->setEnabled(!m_busy);
    if (member) {
        m_chosen->setText(tr("%1's &access:").arg(selectedUser()));
        m_memberRole->setCurrentIndex(qMax(0, m_memberRole->findData(role)));
    }
    m_add->setEnabled(m_owner && !m_busy && m_newUser->hasAcceptableInput());
    m_newUser->setEnabled(!m_busy);
}

} // namespace Ferry::Ui
