#include "devicesdialog.h"

#include "settings/problemlabel.h"

#include <QDateTime>
#include <QDialogButtonBox>
#include <QFont>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

enum Column { NameColumn, SignedInColumn, LastUsedColumn };
constexpr int IdRole = Qt::UserRole;

QString shownTime(qint64 ms)
{
    return QLocale().toString(QDateTime::fromMSecsSinceEpoch(ms).toLocalTime(),
                              QLocale::ShortFormat);
}

} // namespace

DevicesDialog::DevicesDialog(const QUrl &server, const QString &token,
                             const QString &trustedFingerprint, QWidget *parent)
    : QDialog(parent)
    , m_client(new AccountClient(this))
{
    setObjectName(QStringLiteral("devicesDialog"));
    setWindowTitle(tr("Devices"));
    m_client->setServer(server, token);
    m_client->setTrustedFingerprint(trustedFingerprint);

    auto *intro = new QLabel(
        tr("Computers and programs signed in to your account. Revoking one stops its access "
           "at once; its records stay on it, but it can no longer sync."),
        this);
    intro->setWordWrap(true);

    m_list = new QTreeWidget(this);
    m_list->setObjectName(QStringLiteral("deviceList"));
    m_list->setAccessibleName(tr("Signed-in devices"));
    m_list->setRootIsDecorated(false);
    m_list->setAllColumnsShowFocus(true);
    m_list->setHeaderLabels({tr("Device"), tr("Signed in"), tr("Last used")});
    m_list->header()->setSectionResizeMode(NameColumn, QHeaderView::Stretch);
    m_list->header()->setSectionResizeMode(SignedInColumn, QHeaderView::ResizeToContents);
    m_list->header()->setSectionResizeMode(LastUsedColumn, QHeaderView::ResizeToContents);
    m_list->header()->setStretchLastSection(false);
    m_list->setMinimumSize(520, 200);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("devicesStatus"));
    m_error = new ProblemLabel(this);
    m_error->setObjectName(QStringLiteral("devicesError"));

    m_revoke = new QPushButton(tr("&Revoke…"), this);
    m_revoke->setObjectName(QStringLiteral("revokeButton"));
    m_revoke->setToolTip(tr("Stop the chosen device's access to your account"));
    m_refresh = new QPushButton(tr("Re&fresh"), this);
    m_refresh->setObjectName(QStringLiteral("refreshDevicesButton"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_revoke, QDialogButtonBox::ActionRole);
    buttons->addButton(m_refresh, QDialogButtonBox::ActionRole);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_status);
    layout->addWidget(m_error);
    layout->addWidget(buttons);

    connect(m_client, &AccountClient::devicesListed, this, &DevicesDialog::onListed);
    connect(m_client, &AccountClient::deviceRevoked, this, &DevicesDialog::onRevoked);
    connect(m_client, &AccountClient::failed, this, &DevicesDialog::onFailed);
    // The chosen device is the selected one: the list gives itself a current item when it
    // takes the focus, and that is not a person's choice.
    connect(m_list, &QTreeWidget::itemSelectionChanged, this, &DevicesDialog::updateButtons);
    connect(m_revoke, &QPushButton::clicked, this, &DevicesDialog::askRevoke);
    connect(m_refresh, &QPushButton::clicked, this, &DevicesDialog::refresh);
    connect(buttons, &QDialogButtonBox::rejected, this, &DevicesDialog::reject);

    refresh();
}

void DevicesDialog::refresh()
{
    setBusy(true, tr("Asking the server…"));
    m_client->listDevices();
}

void DevicesDialog::onListed(const QList<DeviceInfo> &devices)
{
    const QString selected = chosen() ? chosen()->data(NameColumn, IdRole).toString() : QString();
    m_list->clear();
    for (const DeviceInfo &device : devices) {
        auto *item = new QTreeWidgetItem(m_list);
        item->setText(NameColumn,
                      device.current ? tr("%1 (this device)").arg(device.name) : device.name);
        item->setData(NameColumn, IdRole, device.id);
        item->setToolTip(NameColumn, tr("Device id %1").arg(device.id));
        item->setText(SignedInColumn, shownTime(device.created));
        item->setText(LastUsedColumn,
                      device.lastUsed > 0 ? shownTime(device.lastUsed) : tr("Not yet"));
        if (device.current) {
            m_current = device.id;
            QFont bold = item->font(NameColumn);
            bold.setBold(true);
            item->setFont(NameColumn, bold);
        }
        if (device.id == selected)
            m_list->setCurrentItem(item);
    }
    setBusy(false,
            devices.size() == 1 ? tr("One device is signed in.")
                                : tr("%1 devices are signed in.").arg(devices.size()));
    m_error->setProblem(QString());
}

void DevicesDialog::askRevoke()
{
    QTreeWidgetItem *item = chosen();
    if (!item)
        return;
    const QString id = item->data(NameColumn, IdRole).toString();
    const bool self = id == m_current;
    auto *box = new QMessageBox(QMessageBox::Question, tr("Revoke device"), QString(),
                                QMessageBox::Cancel, this);
    box->setObjectName(QStringLiteral("revokeConfirmation"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (self) {
        box->setText(tr("Revoke this device? This signs Ferry out on this computer."));
        box->setInformativeText(tr("Syncing stops here. The records on this computer stay "
                                   "on disk; sign in again to sync them."));
    } else {
        box->setText(tr("Revoke \"%1\"?").arg(item->text(NameColumn)));
        box->setInformativeText(tr("It can no longer sync with your account until it signs "
                                   "in again. Its records stay on it."));
    }
    QPushButton *revoke = box->addButton(tr("Revoke"), QMessageBox::DestructiveRole);
    revoke->setObjectName(QStringLiteral("confirmRevokeButton"));
    box->setDefaultButton(QMessageBox::Cancel);
    connect(box, &QMessageBox::finished, this, [this, box, revoke, id] {
        if (box->clickedButton() != revoke)
            return;
        setBusy(true, tr("Revoking…"));
        m_client->revokeDevice(id);
    });
    box->open();
}

void DevicesDialog::onRevoked(const QString &id)
{
    if (id == m_current) {
        setBusy(false);
        emit thisDeviceRevoked();
        accept();
        return;
    }
    refresh();
}

void DevicesDialog::onFailed(const Error &error)
{
    setBusy(false, QString());
    m_error->setProblem(error.message);
}

void DevicesDialog::setBusy(bool busy, const QString &status)
{
    m_busy = busy;
    m_status->setText(status);
    m_refresh->setEnabled(!busy);
    updateButtons();
}

void DevicesDialog::updateButtons()
{
    m_revoke->setEnabled(!m_busy && chosen());
}

QTreeWidgetItem *DevicesDialog::chosen() const
{
    const QList<QTreeWidgetItem *> items = m_list->selectedItems();
    return items.isEmpty() ? nullptr : items.first();
}

} // namespace Ferry::Ui
