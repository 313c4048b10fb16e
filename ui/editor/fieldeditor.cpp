#include "fieldeditor.h"

#include "editor/blobfieldeditor.h"
#include "editor/boolfieldeditor.h"
#include "editor/colorfieldeditor.h"
#include "editor/datetimefieldeditor.h"
#include "editor/linefieldeditor.h"
#include "editor/reffieldeditor.h"
#include "editor/refsfieldeditor.h"
#include "editor/textfieldeditor.h"

#include <QHBoxLayout>

namespace Ferry::Ui {

FieldEditor::FieldEditor(const FieldDef &field, QWidget *parent)
    : QWidget(parent)
    , m_field(field)
    , m_stored(QJsonValue::Null)
    , m_row(new QHBoxLayout(this))
{
    setObjectName(QStringLiteral("editor_") + field.name);
    m_row->setContentsMargins(0, 0, 0, 0);
}

FieldEditor *FieldEditor::create(const FieldDef &field, DataStore &store, const QString &blobFolder,
                                 QWidget *parent)
{
    switch (field.type) {
    case FieldType::String:
        if (field.format == QLatin1String("color"))
            return new ColorFieldEditor(field, parent);
        return new LineFieldEditor(field, parent);
    case FieldType::Int:
    case FieldType::Real:
        return new LineFieldEditor(field, parent);
    case FieldType::Text:
        return new TextFieldEditor(field, parent);
    case FieldType::Bool:
        return new BoolFieldEditor(field, parent);
    case FieldType::DateTime:
        return new DateTimeFieldEditor(field, parent);
    case FieldType::Ref:
        return new RefFieldEditor(field, store, parent);
    case FieldType::Refs:
        return new RefsFieldEditor(field, store, parent);
    case FieldType::Blob:
        return new BlobFieldEditor(field, blobFolder, parent);
    }
    return new LineFieldEditor(field, parent);
}

void FieldEditor::load(const QJsonValue &value, bool force)
{
    if (force || m_unsaved || !sameValue(value, m_stored))
        showValue(value);
    m_stored = value;
    m_unsaved = false;
}

void FieldEditor::markSaved(const QJsonValue &value)
{
    m_stored = value;
    m_unsaved = false;
}

void FieldEditor::setReadOnly(bool readOnly)
{
    m_input->setEnabled(!readOnly);
}

void FieldEditor::setInput(QWidget *input)
{
    m_input = input;
    nameInput(input, {});
    input->setAccessibleName(m_field.title);
}

void FieldEditor::nameInput(QWidget *input, const QString &suffix) const
{
    input->setObjectName(QStringLiteral("field_") + m_field.name + suffix);
}

} // namespace Ferry::Ui
