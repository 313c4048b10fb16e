#include "elidedlabel.h"

#include <QEvent>

namespace Ferry::Ui {

ElidedLabel::ElidedLabel(QWidget *parent)
    : QLabel(parent)
{
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    setWordWrap(false);
}

void ElidedLabel::setFullText(const QString &text)
{
    if (text == m_fullText && !text.isEmpty())
        return;
    m_fullText = text;
    setToolTip(fontMetrics().horizontalAdvance(text) > width() ? text : QString());
    elide();
    updateGeometry();
}

QSize ElidedLabel::minimumSizeHint() const
{
    const QSize base = QLabel::minimumSizeHint();
    return {fontMetrics().horizontalAdvance(QStringLiteral("MMM…")), base.height()};
}

QSize ElidedLabel::sizeHint() const
{
    // As wide as the text, up to what a title line reasonably takes; more is elided.
    const int wanted = fontMetrics().horizontalAdvance(m_fullText) + 2 * margin();
    return {qMin(wanted, fontMetrics().averageCharWidth() * 60), QLabel::sizeHint().height()};
}

void ElidedLabel::resizeEvent(QResizeEvent *event)
{
    QLabel::resizeEvent(event);
    elide();
}

void ElidedLabel::changeEvent(QEvent *event)
{
    QLabel::changeEvent(event);
    if (event->type() == QEvent::FontChange)
        elide();
}

void ElidedLabel::elide()
{
    const QString shown
        = fontMetrics().elidedText(m_fullText, Qt::ElideRight, qMax(0, contentsRect().width()));
    if (shown != text())
        QLabel::setText(shown);
    setToolTip(shown != m_fullText ? m_fullText : QString());
}

} // namespace Ferry::Ui
