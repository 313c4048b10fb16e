#include "problemlabel.h"

namespace Ferry::Ui {

ProblemLabel::ProblemLabel(QWidget *parent)
    : QLabel(parent)
{
    setObjectName(QStringLiteral("errorLabel"));
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse); // people copy errors into searches
    setStyleSheet(QStringLiteral("color: #b3261e;"));
    setAccessibleName(tr("Problem"));
    hide();
}

void ProblemLabel::setProblem(const QString &message)
{
    setText(message);
    setVisible(!message.isEmpty());
}

QString ProblemLabel::problem() const
{
    return isHidden() ? QString() : text();
}

} // namespace Ferry::Ui
