#include "linefieldeditor.h"

#include <QHBoxLayout>
#include <QLineEdit>
#include <QLocale>
#include <QSignalBlocker>

namespace Ferry::Ui {

LineFieldEditor::LineFieldEditor(const FieldDef &field, QWidget *parent)
    : FieldEditor(field, parent)
    , m_edit(new QLineEdit(this))
{
    setInput(m_edit);
    row()->addWidget(m_edit);
    if (field.type == FieldType::Int || field.type == FieldType::Real) {
        // Numbers are short: a narrow box, lined up on the left.
        m_edit->setPlaceholderText(field.type == FieldType::Int ? tr("A whole number")
                                                                : tr("A number"));
        m_edit->setMaximumWidth(m_edit->fontMetrics().horizontalAdvance(QLatin1Char('0')) * 24);
        row()->addStretch();
    }
    connect(m_edit, &QLineEdit::textEdited, this, &LineFieldEditor::markEdited);
    connect(m_edit, &QLineEdit::editingFinished, this, &LineFieldEditor::commit);
}

Result<QJsonValue> LineFieldEditor::value() const
{
    return field().parse(m_edit->text());
}

void LineFieldEditor::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
}

void LineFieldEditor::showValue(const QJsonValue &value)
{
    QString text;
    if (value.isString())
        text = value.toString();
    else if (value.isDouble() && field().type == FieldType::Int)
        text = QString::number(qint64(value.toDouble()));
    else if (value.isDouble())
        text = QString::number(value.toDouble(), 'g', QLocale::FloatingPointShortest);
    const QSignalBlocker blocker(m_edit);
    // Keep the cursor where it was when the text changes under a focused field.
    const int cursor = m_edit->cursorPosition();
    m_edit->setText(text);
    if (m_edit->hasFocus())
        m_edit->setCursorPosition(qMin(cursor, int(text.size())));
    else
        m_edit->setCursorPosition(0);
}

} // namespace Ferry::Ui
