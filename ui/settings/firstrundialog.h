#pragma once

#include <QDialog>
#include <QUrl>

class QButtonGroup;
class QDialogButtonBox;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QWidget;

namespace Ferry::Ui {

class ProblemLabel;
// The first page a new profile shows: connect to a Ferry server (address and device token)
// or keep the records on this computer with a bundled local server. The dialog checks the
// input's form; the caller checks the sign-in itself (GET /v1/me): on Continue the dialog
// turns busy and emits submitRequested(), and the caller answers with finish() or
// showError(), so a failed check is reported on the same page. GUI thread only.
class FirstRunDialog : public QDialog
{
    Q_OBJECT

public:
    explicit FirstRunDialog(QWidget *parent = nullptr);

    bool useLocalServer() const;
    QUrl serverUrl() const;
    QString token() const;

    // Pre-fills the server choice (e.g. "Sign in again" for a known server).
    void setServerUrl(const QUrl &url);

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

private:
    void submit();
    void updateEnabled();
    // The first problem with the input, or an empty string; focuses the field to fix.
    QString validate();

    QRadioButton *m_serverChoice = nullptr;
    QRadioButton *m_localChoice = nullptr;
    QButtonGroup *m_choices = nullptr;
    QWidget *m_serverFields = nullptr;
    QLineEdit *m_url = nullptr;
    QLineEdit *m_token = nullptr;
    ProblemLabel *m_error = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QPushButton *m_continue = nullptr;
    bool m_busy = false;
};

} // namespace Ferry::Ui
