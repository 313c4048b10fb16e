#pragma once

#include "editor/fieldeditor.h"

class QCheckBox;
class QDateTimeEdit;

namespace Ferry::Ui {

// A date and time picker for datetime fields, shown in local time and stored in UTC. A
// check box in front of it says whether the field is set at all: unchecked is "not set"
// (null), which a QDateTimeEdit alone cannot express. GUI thread only.
class DateTimeFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    DateTimeFieldEditor(const FieldDef &field, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    void setToggled(bool set);
    void showUnset();

    QCheckBox *m_set;
    QDateTimeEdit *m_edit;
    bool m_readOnly = false;
};

} // namespace Ferry::Ui
