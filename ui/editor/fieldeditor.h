#pragma once

#include "datastore.h"
#include "schema.h"

#include <QJsonValue>
#include <QWidget>

class QHBoxLayout;

namespace Ferry::Ui {

// One field of the record editor: the input for a schema field's type. It shows a stored
// value, knows whether the person has changed it since (an unsaved edit, which a refresh
// from the store must not overwrite), and says when an edit is finished so the RecordEditor
// can save it. GUI thread only.
class FieldEditor : public QWidget
{
    Q_OBJECT

public:
    // The editor for `field`'s type. Ref and refs editors list records of the field's target
    // from `store`; blob editors copy chosen files into `blobFolder`.
    static FieldEditor *create(const FieldDef &field, DataStore &store, const QString &blobFolder,
                               QWidget *parent = nullptr);

    const FieldDef &field() const { return m_field; }

    // Shows a stored value and forgets any unsaved edit. A value equal to the one shown is
    // not set again, so the cursor of a focused field stays where it is.
    void load(const QJsonValue &value, bool force = false);
    // The value as last loaded or saved.
    QJsonValue storedValue() const { return m_stored; }
    // The value the widget holds now, or why it is not a valid value of the field.
    virtual Result<QJsonValue> value() const = 0;
    // The person changed the content and has not committed it yet (or it was invalid).
    bool hasUnsavedEdit() const { return m_unsaved; }
    // The current content was saved as `value`.
    void markSaved(const QJsonValue &value);

    // Read-only editors keep showing the value (a deleted record); by default the input is
    // disabled.
    virtual void setReadOnly(bool readOnly);
    // The widget that takes the focus and the label's shortcut.
    QWidget *input() const { return m_input; }
    // Records of this field's target entity changed: lists of them refresh.
    virtual void targetChanged(const ChangeSet &change) { Q_UNUSED(change) }

Q_SIGNALS:
    // The person finished an edit (Return, focus out, a click, a pause in typing).
    void committed();

protected:
    FieldEditor(const FieldDef &field, QWidget *parent);
    // Puts `value` into the widgets without emitting edit signals.
    virtual void showValue(const QJsonValue &value) = 0;
    void markEdited() { m_unsaved = true; }
    void commit() { Q_EMIT committed(); }
    // Makes `input` the field's main input: named "field_<name>" for tests and with the
    // field's title for screen readers.
    void setInput(QWidget *input);
    // Names a further input of the field "field_<name><suffix>".
    void nameInput(QWidget *input, const QString &suffix) const;
    // The row the inputs go into, left to right.
    QHBoxLayout *row() const { return m_row; }

private:
    FieldDef m_field;
    QJsonValue m_stored;
    QWidget *m_input = nullptr;
    QHBoxLayout *m_row;
    bool m_unsaved = false;
};

} // namespace Ferry::Ui
