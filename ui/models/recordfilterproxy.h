#pragma once

#include <QIdentityProxyModel>

namespace Ferry::Ui {

class RecordTableModel;

// What views put between themselves and a RecordTableModel: sorting (a header click in a
// QTableView) and the search box's filter are passed to the model, which does them in SQL
// over all records instead of this proxy sorting a million rows in memory. Rows map one to
// one. GUI thread.
class RecordFilterProxy : public QIdentityProxyModel
{
    Q_OBJECT

public:
    explicit RecordFilterProxy(QObject *parent = nullptr);

    void setSourceModel(QAbstractItemModel *model) override;
    RecordTableModel *recordModel() const { return m_model; }

    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;
    QString filterText() const;
    void setFilterText(const QString &text);
    // Search every text field instead of only the display field.
    void setFilterAllTextFields(bool all);

private:
    RecordTableModel *m_model = nullptr;
};

} // namespace Ferry::Ui
