#pragma once

#include <QDialog>
#include <QUrl>

class QButtonGroup;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QWidget;

namespace Ferry::Ui {

class ProblemLabel;
// The first page a new profile shows: connect to a Ferry server (address, then a user name
// and password, a new account, or a device token) or keep the records on this computer with a
// bundled local server. The dialog checks the input's form; the caller checks the sign-in itself
// (GET /v1/me): on Continue the dialog turns busy and emits submitRequested(), and the caller
// answers with finish() or showError(), so a failed check is reported on the same page. GUI thread
// only.
class FirstRunDialog : public QDialog
{
    Q_OBJECT

public:
    explicit FirstRunDialog(QWidget *parent = nullptr);

    bool useLocalServer() const;
    QUrl serverUrl() const;
    QString token() const;
    // Signing in with a user name and password (the default) rather than a device token.
    bool usePassword() const;
    QString userName() const;
    QString password() const;
    // What the account's device list will call this computer; its host name unless changed.
    QString deviceName() const;

    // Pre-fills the server choice (e.g. "Sign in again" for a known server).
    void setServerUrl(const QUrl &url);

    // The check failed on the server's certificate: shows `message`, the certificate's
    // fingerprint and subject, and a "Trust this certificate" button that submits again
    // trusting exactly that certificate.
    void showUntrustedCertificate(const QString &message, const QString &fingerprint,
                                  const QString &subject);
    // The fingerprint the person chose to trust for serverUrl(); empty if none.
    QString trustedFingerprint() const { return m_trusted; }

    // While busy the page cannot be edited and Continue says that it is checking.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // Shows a problem on the page and makes it editable again.
    void showError(const QString &message);
    QString errorText() const;
    // The caller's check succeeded: close the page with Accepted.
    void finish();

signals:
    // Continue was pressed and the input is well-formed; answer with finish() or showError().
    void submitRequested();
    // "Create an account" was pressed with a well-formed name and password: the caller
    // registers, then signs in, and answers like for submitRequested().
    void registerRequested();

private:
    void submit();
    void submitNew();
    void showWay();
    void updateEnabled();
    // The first problem with the input, or an empty string; focuses the field to fix.
    QString validate();

    QRadioButton *m_serverChoice = nullptr;
    QRadioButton *m_localChoice = nullptr;
    QButtonGroup *m_choices = nullptr;
    QWidget *m_serverFields = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_token = nullptr;
    QRadioButton *m_passwordWay = nullptr;
    QRadioButton *m_tokenWay = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_password = nullptr;
    QLineEdit *m_deviceName = nullptr;
    QPushButton *m_createAccount = nullptr;
    ProblemLabel *m_error = nullptr;
    QWidget *m_certificate = nullptr;
    QLabel *m_certificateText = nullptr;
    QPushButton *m_trust = nullptr;
    QString m_offered; // the fingerprint shown with the trust button
    QString m_trusted;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_continue = nullptr;
    bool m_busy = false;
};

} // namespace Ferry::Ui
