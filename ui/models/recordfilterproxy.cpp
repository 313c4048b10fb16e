#include "recordfilterproxy.h"

#include "recordtablemodel.h"

namespace Ferry::Ui {

RecordFilterProxy::RecordFilterProxy(QObject *parent)
    : QIdentityProxyModel(parent)
{ }

void RecordFilterProxy::setSourceModel(QAbstractItemModel *model)
{
    m_model = qobject_cast<RecordTableModel *>(model);
    QIdentityProxyModel::setSourceModel(model);
}

void RecordFilterProxy::sort(int column, Qt::SortOrder order)
{
    if (m_model)
        m_model->sort(column, order);
}

QString RecordFilterProxy::filterText() const
{
    return m_model ? m_model->filterText() : QString();
}

void RecordFilterProxy::setFilterText(const QString &text)
{
    if (m_model)
        m_model->setFilterText(text);
}

void RecordFilterProxy::setFilterAllTextFields(bool all)
{
    if (m_model)
        m_model->setFilterAllTextFields(all);
}

} // namespace Ferry::Ui
