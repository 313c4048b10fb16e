#pragma once

#include "accountclient.h"

#include <QDialog>

class QLabel;
class QMessageBox;
class QPushButton;
class QTreeWidget;
class QTreeWidgetItem;

namespace Ferry::Ui {

class ProblemLabel;

// The account's signed-in devices (name, when it signed in, when it was last used, this
// device marked) with a way to revoke one. Revoking another device stops its token at once;
// revoking this one is signing out, which the app finishes (thisDeviceRevoked). Asks the
// server when shown. GUI thread only.
class DevicesDialog : public QDialog
{
    Q_OBJECT

public:
    DevicesDialog(const QUrl &server, const QString &token, const QString &trustedFingerprint,
                  QWidget *parent = nullptr);

    // Asks the server for the list again.
    void refresh();

Q_SIGNALS:
    // This device's token no longer works on the server: the app signs out here.
    void thisDeviceRevoked();

private:
    void onListed(const QList<DeviceInfo> &devices);
    void onRevoked(const QString &id);
    void onFailed(const Error &error);
    void askRevoke();
    void updateButtons();
    QTreeWidgetItem *chosen() const; // the selected device, if any
    void setBusy(bool busy, const QString &status = {});

    AccountClient *m_client = nullptr;
    QTreeWidget *m_list = nullptr;
    QLabel *m_status = nullptr;
    ProblemLabel *m_error = nullptr;
    QPushButton *m_revoke = nullptr;
    QPushButton *m_refresh = nullptr;
    QString m_current; // this device's id, once listed
    bool m_busy = false;
};

} // namespace Ferry::Ui
