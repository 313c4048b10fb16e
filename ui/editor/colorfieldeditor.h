#pragma once

#include "editor/fieldeditor.h"

class QLineEdit;
class QToolButton;

namespace Ferry::Ui {

// A string field whose schema says it is a colour ("format": "color"): a swatch that opens
// the colour chooser, beside the text ("#3366cc", or any name the person types). The value
// stays the text, so a colour written elsewhere in another form is kept as it is. GUI thread.
class ColorFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    explicit ColorFieldEditor(const FieldDef &field, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    void choose();
    void updateSwatch();

    QLineEdit *m_edit;
    QToolButton *m_swatch;
};

} // namespace Ferry::Ui
