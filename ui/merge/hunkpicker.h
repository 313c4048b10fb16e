#pragma once

#include "merge/mergefields.h"

#include <QList>
#include <QWidget>

class QToolButton;

namespace Ferry::Ui {

// Under a text field's result in the merge dialog: one line per stretch of text both sides
// changed, quoting both, with "This device", "Other side" and "Both" to choose from. A
// choice rewrites the result (the dialog listens to choicesChanged). GUI thread only.
class HunkPicker : public QWidget
{
    Q_OBJECT

public:
    HunkPicker(const FieldDef &field, const TextMerge::Result &merge, QWidget *parent = nullptr);

    // One per conflicting hunk, in order.
    QList<HunkChoice> choices() const { return m_choices; }
    void setAll(HunkChoice choice);
    int count() const { return int(m_choices.size()); }
    // The buttons of hunk `index`, for tab order and tests.
    QList<QToolButton *> buttons(int index) const;

Q_SIGNALS:
    void choicesChanged();

private:
    void choose(int index, HunkChoice choice);
    void showChoices();

    QList<HunkChoice> m_choices;
    QList<QList<QToolButton *>> m_buttons; // per hunk: mine, theirs, both
};

} // namespace Ferry::Ui
