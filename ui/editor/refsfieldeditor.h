#pragma once

#include "editor/fieldeditor.h"

#include <QStringList>

class QListWidget;

namespace Ferry::Ui {

// A checklist for refs fields (tags): one checkable row per record of the target entity.
// Saved as soon as a row is checked or unchecked. References to records not in the list
// (deleted ones) are kept as they are. GUI thread only.
class RefsFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    RefsFieldEditor(const FieldDef &field, DataStore &store, QWidget *parent = nullptr);

    Result<QJsonValue> value() const override;
    void targetChanged(const ChangeSet &change) override;

protected:
    void showValue(const QJsonValue &value) override;

private:
    QStringList checkedGuids() const;
    void fill(const QStringList &checked);

    DataStore &m_store;
    QListWidget *m_list;
    QStringList m_unlisted; // referenced but not shown
};

} // namespace Ferry::Ui
