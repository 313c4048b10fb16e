#pragma once

#include "editor/fieldeditor.h"

class QLineEdit;

namespace Ferry::Ui {

// A one-line text box for string, int and real fields. Numbers are typed as text and
// checked with FieldDef::parse when committed, so whole numbers up to ±2^53 (beyond what a
// QSpinBox holds) round-trip exactly and a wrong entry gets a message instead of a beep.
// GUI thread only.
class LineFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    LineFieldEditor(const FieldDef &field, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    QLineEdit *m_edit;
};

} // namespace Ferry::Ui
