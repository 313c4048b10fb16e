#include "reffieldeditor.h"

#include "editor/recordchoices.h"

#include <QComboBox>
#include <QCompleter>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>

namespace Ferry::Ui {

namespace {
// From this many records on, the choice can be typed to find it.
constexpr int kSearchFrom = 12;
} // namespace

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
    makeSearchable(m_combo->count() > kSearchFrom);
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

void RefFieldEditor::makeSearchable(bool searchable)
{
    if (m_combo->isEditable() == searchable)
        return;
    m_combo->setEditable(searchable);
    if (!searchable)
        return;
    // Typing finds a record by any part of its name; what is typed never becomes a record.
    m_combo->setInsertPolicy(QComboBox::NoInsert);
    m_combo->completer()->setFilterMode(Qt::MatchContains);
    m_combo->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    m_combo->completer()->setCompletionMode(QCompleter::PopupCompletion);
    m_combo->lineEdit()->setPlaceholderText(tr("Type to find…"));
    nameInput(m_combo->lineEdit(), QStringLiteral("_search"));
    // Text that names no record goes back to the record chosen.
    connect(m_combo->lineEdit(), &QLineEdit::editingFinished, this, [this] {
        if (m_combo->lineEdit()->text() != m_combo->currentText()
            || m_combo->findText(m_combo->lineEdit()->text()) < 0)
            m_combo->lineEdit()->setText(m_combo->itemText(m_combo->currentIndex()));
    });
}

} // namespace Ferry::Ui
