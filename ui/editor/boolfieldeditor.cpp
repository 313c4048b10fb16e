#include "boolfieldeditor.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QSignalBlocker>

namespace Ferry::Ui {

BoolFieldEditor::BoolFieldEditor(const FieldDef &field, QWidget *parent)
    : FieldEditor(field, parent)
    , m_box(new QCheckBox(this))
{
    setInput(m_box);
    row()->addWidget(m_box);
    row()->addStretch();
    connect(m_box, &QCheckBox::toggled, this, [this] {
        markEdited();
        commit();
    });
}

Result<QJsonValue> BoolFieldEditor::value() const
{
    return QJsonValue(m_box->isChecked());
}

void BoolFieldEditor::showValue(const QJsonValue &value)
{
    const QSignalBlocker blocker(m_box);
    m_box->setChecked(value.toBool());
}

} // namespace Ferry::Ui
