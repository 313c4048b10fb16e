#include "datetimefieldeditor.h"

#include <QCheckBox>
#include <QDateTimeEdit>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QTime>

namespace Ferry::Ui {

DateTimeFieldEditor::DateTimeFieldEditor(const FieldDef &field, QWidget *parent)
    : FieldEditor(field, parent)
    , m_set(new QCheckBox(tr("Set"), this))
    , m_edit(new QDateTimeEdit(this))
{
    setInput(m_edit);
    nameInput(m_set, QStringLiteral("_set"));
    m_set->setAccessibleName(tr("%1 is set").arg(field.title));
    m_edit->setCalendarPopup(true);
    m_edit->setDisplayFormat(QStringLiteral("yyyy-MM-dd HH:mm"));
    // The minimum stands for "not set": QDateTimeEdit shows the special text for it.
    m_edit->setSpecialValueText(tr("Not set"));
    m_edit->setMinimumWidth(m_edit->fontMetrics().horizontalAdvance(QLatin1Char('0')) * 20);
    row()->addWidget(m_set);
    row()->addWidget(m_edit);
    row()->addStretch();
    showUnset();
    connect(m_set, &QCheckBox::toggled, this, &DateTimeFieldEditor::setToggled);
    connect(m_edit, &QDateTimeEdit::dateTimeChanged, this, &DateTimeFieldEditor::markEdited);
    connect(m_edit, &QDateTimeEdit::editingFinished, this, [this] {
        if (hasUnsavedEdit())
            commit();
    });
}

Result<QJsonValue> DateTimeFieldEditor::value() const
{
    if (!m_set->isChecked())
        return QJsonValue(QJsonValue::Null);
    return field().parse(m_edit->dateTime().toUTC().toString(Qt::ISODateWithMs));
}

void DateTimeFieldEditor::setReadOnly(bool readOnly)
{
    m_readOnly = readOnly;
    m_set->setEnabled(!readOnly);
    m_edit->setReadOnly(readOnly || !m_set->isChecked());
}

void DateTimeFieldEditor::showValue(const QJsonValue &value)
{
    const QSignalBlocker blockSet(m_set);
    const QSignalBlocker blockEdit(m_edit);
    const QDateTime when = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!when.isValid()) {
        m_set->setChecked(false);
        showUnset();
        return;
    }
    m_set->setChecked(true);
    m_edit->setEnabled(true);
    m_edit->setReadOnly(m_readOnly);
    m_edit->setDateTime(when.toLocalTime());
}

void DateTimeFieldEditor::setToggled(bool set)
{
    if (set) {
        // Start from now, to the minute: the likeliest value and easy to adjust.
        QDateTime now = QDateTime::currentDateTime();
        now.setTime(QTime(now.time().hour(), now.time().minute()));
        const QSignalBlocker blocker(m_edit);
        m_edit->setEnabled(true);
        m_edit->setReadOnly(m_readOnly);
        m_edit->setDateTime(now);
    } else {
        const QSignalBlocker blocker(m_edit);
        showUnset();
    }
    markEdited();
    commit();
}

void DateTimeFieldEditor::showUnset()
{
    m_edit->setDateTime(m_edit->minimumDateTime());
    m_edit->setEnabled(false);
}

} // namespace Ferry::Ui
