#include "textfieldeditor.h"

#include <QEvent>
#include <QHBoxLayout>
#include <QPlainTextEdit>
#include <QScrollBar>
#include <QSignalBlocker>
#include <QTextCursor>
#include <QTimer>

namespace Ferry::Ui {

TextFieldEditor::TextFieldEditor(const FieldDef &field, QWidget *parent)
    : FieldEditor(field, parent)
    , m_edit(new QPlainTextEdit(this))
    , m_idle(new QTimer(this))
{
    setInput(m_edit);
    m_edit->setTabChangesFocus(true);
    m_edit->setMinimumHeight(m_edit->fontMetrics().lineSpacing() * 6);
    m_edit->installEventFilter(this);
    row()->addWidget(m_edit);
    m_idle->setSingleShot(true);
    m_idle->setInterval(kIdleMs);
    connect(m_edit, &QPlainTextEdit::textChanged, this, &TextFieldEditor::textChanged);
    connect(m_idle, &QTimer::timeout, this, &TextFieldEditor::finish);
}

Result<QJsonValue> TextFieldEditor::value() const
{
    return field().parse(m_edit->toPlainText());
}

void TextFieldEditor::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
}

void TextFieldEditor::showValue(const QJsonValue &value)
{
    const QSignalBlocker blocker(m_edit);
    m_idle->stop();
    const int position = m_edit->textCursor().position();
    const int scroll = m_edit->verticalScrollBar()->value();
    const QString text = value.toString();
    m_edit->setPlainText(text);
    if (m_edit->hasFocus()) {
        QTextCursor cursor = m_edit->textCursor();
        cursor.setPosition(qMin(position, int(text.size())));
        m_edit->setTextCursor(cursor);
        m_edit->verticalScrollBar()->setValue(scroll);
    }
}

bool TextFieldEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::FocusOut)
        finish();
    return FieldEditor::eventFilter(watched, event);
}

void TextFieldEditor::textChanged()
{
    markEdited();
    m_idle->start();
}

void TextFieldEditor::finish()
{
    m_idle->stop();
    if (hasUnsavedEdit())
        commit();
}

} // namespace Ferry::Ui
