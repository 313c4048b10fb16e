#pragma once

#include "editor/fieldeditor.h"

class QPlainTextEdit;
class QTimer;

namespace Ferry::Ui {

// A multi-line box for text fields. A text has no Return that ends the edit, so it is
// committed when the box loses the focus and after a short pause in typing. GUI thread only.
class TextFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    TextFieldEditor(const FieldDef &field, QWidget *parent = nullptr);

    // How long typing must pause before the text is saved.
    static constexpr int kIdleMs = 800;

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

protected:
    void showValue(const QJsonValue &value) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void textChanged();
    void finish();

    QPlainTextEdit *m_edit;
    QTimer *m_idle;
};

} // namespace Ferry::Ui
