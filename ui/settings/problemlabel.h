#pragma once

#include <QLabel>

namespace Ferry::Ui {

// A sentence on a page saying what went wrong and what to do, in the error colour, hidden
// while there is nothing to say. Shared by the settings and first-run pages so problems
// look and read the same everywhere. GUI thread only.
class ProblemLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ProblemLabel(QWidget *parent = nullptr);

    // Shows the message, or hides the label for an empty one.
    void setProblem(const QString &message);
    // The message shown, or an empty string while hidden.
    QString problem() const;
};

} // namespace Ferry::Ui
