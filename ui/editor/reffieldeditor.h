#pragma once

#include "editor/fieldeditor.h"

class QComboBox;

namespace Ferry::Ui {

// A drop-down for ref fields: "(none)" and the target entity's records by their display
// text. Saved as soon as another entry is chosen; the list follows changes to the target
// entity. GUI thread only.
class RefFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    RefFieldEditor(const FieldDef &field, DataStore &store, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;
    void targetChanged(const ChangeSet &change) override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    void fill(const QString &selected);
    // Many records to choose from: the box takes typing and offers the names that match.
    void makeSearchable(bool searchable);

    DataStore &m_store;
    QComboBox *m_combo;
};

} // namespace Ferry::Ui
