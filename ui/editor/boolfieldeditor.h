#pragma once

#include "editor/fieldeditor.h"

class QCheckBox;

namespace Ferry::Ui {

// A check box for bool fields, saved as soon as it is toggled. A field never set shows
// unchecked. GUI thread only.
class BoolFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    BoolFieldEditor(const FieldDef &field, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    QCheckBox *m_box;
};

} // namespace Ferry::Ui
