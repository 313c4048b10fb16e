#pragma once

#include <QDialog>

class QDialogButtonBox;
class QLineEdit;

namespace Ferry::Ui {

class ProblemLabel;

// Asks for the name of a new workspace. The name is checked as it is typed (the server's
// rule: 1–64 letters, digits, "-" or "_"); Create asks for it with createRequested() and
// the dialog stays, busy, until the caller says it is made (accept()) or shows why not
// (showError()), so a taken name can be changed in place. GUI thread.
class NewWorkspaceDialog : public QDialog
{
    Q_OBJECT

public:
    explicit NewWorkspaceDialog(QWidget *parent = nullptr);

    QString workspace() const;
    void setBusy(bool busy);
    void showError(const QString &message);

Q_SIGNALS:
    void createRequested(const QString &workspace);

private:
    void updateButtons();

    QLineEdit *m_name;
    ProblemLabel *m_error;
    QDialogButtonBox *m_buttons;
    bool m_busy = false;
};

} // namespace Ferry::Ui
