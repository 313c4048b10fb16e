#pragma once

#include "editor/fieldeditor.h"

#include <QStringList>

class QLabel;
class QLineEdit;
class QListWidget;

namespace Ferry::Ui {

// A checklist for refs fields (tags): one checkable row per record of the target entity.
// Saved as soon as a row is checked or unchecked. References to records not in the list
// (deleted ones) are kept as they are. With more than a screenful of records to choose
// from, a search box above the list narrows it to the names that contain what is typed.
// GUI thread only.
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
    void applyFilter();

    DataStore &m_store;
    QLineEdit *m_filter;
    QListWidget *m_list;
    QLabel *m_noMatch;
    QStringList m_unlisted; // referenced but not shown
};

} // namespace Ferry::Ui
