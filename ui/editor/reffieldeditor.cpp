#include "reffieldeditor.h"

#include "editor/recordchoices.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QSignalBlocker>

namespace Ferry::Ui {

RefFieldEditor::RefFieldEditor(const FieldDef &field, DataStore &store, QWidget *parent)
    : FieldEditor(field, parent)
    , m_store(store)
    , m_combo(new QComboBox(this))
{
    setInput(m_combo);
    m_combo->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_combo->setMinimumContentsLength(16);
    row()->addWidget(m_combo);
    row()->addStretch();
    fill({});
    connect(m_combo, &QComboBox::currentIndexChanged, this, [this] {
        markEdited();
        commit();
    });
}

Result<QJsonValue> RefFieldEditor::value() const
{
    const QString guid = m_combo->currentData().toString();
    if (guid.isEmpty())
        return QJsonValue(QJsonValue::Null);
    return field().parse(guid);
}

void RefFieldEditor::targetChanged(const ChangeSet &change)
{
    Q_UNUSED(change)
    fill(m_combo->currentData().toString());
}

void RefFieldEditor::showValue(const QJsonValue &value)
{
    fill(value.toString());
}

void RefFieldEditor::fill(const QString &selected)
{
    const QSignalBlocker blocker(m_combo);
    m_combo->clear();
    m_combo->addItem(tr("(none)"), QString());
    for (const RecordChoice &choice : recordChoices(m_store, field().target))
        m_combo->addItem(choice.text, choice.guid);
    if (selected.isEmpty()) {
        m_combo->setCurrentIndex(0);
        return;
    }
    int index = m_combo->findData(selected);
    if (index < 0) {
        // Deleted, or not among the listed ones: keep the reference rather than drop it.
        m_combo->addItem(tr("(record not available)"), selected);
        index = m_combo->count() - 1;
    }
    m_combo->setCurrentIndex(index);
}

} // namespace Ferry::Ui
