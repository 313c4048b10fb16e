#pragma once

#include "merge/mergefields.h"
#include "merge/mergetext.h"
#include "result.h"

#include <QObject>

class QAbstractButton;
class QGridLayout;
class QLabel;
class QPlainTextEdit;
class QPushButton;
class QWidget;

namespace Ferry {
class DataStore;
}

namespace Ferry::Ui {

class FieldEditor;
class HunkPicker;

// Gives a checkable button the tint of the side it stands for while it is checked.
void tintWhenChecked(QAbstractButton *button, const QColor &tint);

// One field's row of the merge dialog's grid: its name and how it stands, this device's and
// the other side's values with their changes marked, and the result. A conflicting field
// has "Use mine" and "Use theirs" and an editable result (text also a choice per conflicting
// stretch); the other fields show what the record keeps. GUI thread only.
class FieldMergeRow : public QObject
{
    Q_OBJECT

public:
    enum class Choice { Mine, Theirs, Combined, Edited };

    FieldMergeRow(const MergeField &field, DataStore &store, const RecordNames &names,
                  QGridLayout *grid, int row, QWidget *parent);

    const MergeField &field() const { return m_field; }
    bool isConflict() const { return m_field.kind == MergeField::Kind::Conflict; }

    // The value the result holds now, or why it is not a valid value of the field.
    Result<QJsonValue> result() const;
    Choice choice() const { return m_choice; }
    void useMine();
    void useTheirs();
    // Marks the result as not valid (empty: clears it).
    void showError(const QString &message);

    // Where the keyboard goes when this conflict becomes the current one.
    QWidget *focusTarget() const;
    // This row's controls in the order Tab visits them.
    QList<QWidget *> controls() const;
    QWidget *labelCell() const { return m_labelCell; }
    void setCurrent(bool current);
    void setRowVisible(bool visible);

Q_SIGNALS:
    void choiceChanged();

private:
    QWidget *buildLabel(QWidget *parent);
    QWidget *buildSide(bool mine, QWidget *parent);
    QWidget *buildResult(QWidget *parent);
    QWidget *buildView(const QJsonValue &base, const QJsonValue &value, const QColor &tint,
                       const QString &name, const QString &accessible, QWidget *parent);
    void showResult(const QJsonValue &value);
    void resultEdited();
    void hunksChosen();
    void updateChoice();
    void markResultChanges();
    int textHeight(const QString &a, const QString &b) const;

    DataStore &m_store;
    MergeField m_field;
    RecordNames m_names;
    Choice m_choice = Choice::Mine;
    QList<QWidget *> m_cells;
    QWidget *m_labelCell = nullptr;
    QPushButton *m_useMine = nullptr;
    QPushButton *m_useTheirs = nullptr;
    FieldEditor *m_editor = nullptr; // the result, for fields other than text
    QPlainTextEdit *m_text = nullptr; // the result of a text field
    QLabel *m_fixedResult = nullptr; // a result the person cannot edit here (blobs)
    QJsonValue m_fixedValue;
    HunkPicker *m_hunks = nullptr;
    QLabel *m_state = nullptr;
    QLabel *m_error = nullptr;
    bool m_showing = false; // the result is being set by the dialog, not typed
};

} // namespace Ferry::Ui
