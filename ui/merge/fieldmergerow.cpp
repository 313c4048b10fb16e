#include "fieldmergerow.h"

#include "editor/fieldeditor.h"
#include "merge/hunkpicker.h"

#include <QAbstractButton>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalBlocker>
#include <QTextBrowser>
#include <QTextCursor>
#include <QToolButton>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

constexpr int kMinTextLines = 3;
constexpr int kMaxTextLines = 14;

QLabel *smallLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    QFont font = label->font();
    font.setPointSizeF(font.pointSizeF() * 0.9);
    label->setFont(font);
    return label;
}

QString kindText(MergeField::Kind kind)
{
    switch (kind) {
    case MergeField::Kind::Conflict:
        return QObject::tr("Changed on both sides");
    case MergeField::Kind::Merged:
        return QObject::tr("Merged: both sides' changes kept");
    case MergeField::Kind::ChangedHere:
        return QObject::tr("Changed on this device only");
    case MergeField::Kind::Same:
        return QObject::tr("The same on both sides");
    }
    return {};
}

} // namespace

void tintWhenChecked(QAbstractButton *button, const QColor &tint)
{
    // The side a choice takes wears that side's colour, so the choice reads at a glance.
    button->setStyleSheet(QStringLiteral("%1:checked { background-color: %2; border: 1px solid "
                                         "%3; border-radius: 3px; padding: 3px 8px; }")
                              .arg(QString::fromLatin1(button->metaObject()->className()),
                                   tint.name(), tint.darker(150).name()));
}

FieldMergeRow::FieldMergeRow(const MergeField &field, DataStore &store, const RecordNames &names,
                             QGridLayout *grid, int row, QWidget *parent)
    : QObject(parent)
    , m_store(store)
    , m_field(field)
    , m_names(names)
{
    m_labelCell = buildLabel(parent);
    setCurrent(false);
    grid->addWidget(m_labelCell, row, 0);
    m_cells.append(m_labelCell);
    if (m_field.kind == MergeField::Kind::Same) {
        auto *value = new QLabel(parent);
        value->setObjectName(QStringLiteral("same_") + m_field.def.name);
        value->setTextFormat(Qt::PlainText);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        const QString text = valueText(m_field.def, m_field.mine, m_names);
        value->setText(text.isEmpty() ? tr("(empty)") : text);
        value->setAccessibleName(tr("%1, the same on both sides").arg(m_field.def.title));
        value->setForegroundRole(QPalette::PlaceholderText);
        value->setMaximumHeight(value->fontMetrics().lineSpacing() * 3);
        grid->addWidget(value, row, 1, 1, 3);
        m_cells.append(value);
        return;
    }
    QWidget *mine = buildSide(true, parent);
    QWidget *theirs = buildSide(false, parent);
    QWidget *result = buildResult(parent);
    grid->addWidget(mine, row, 1);
    grid->addWidget(theirs, row, 2);
    grid->addWidget(result, row, 3);
    m_cells << mine << theirs << result;
    if (m_hunks) {
        // Text starts merged: the other side's changes elsewhere in it are taken.
        hunksChosen();
    } else if (isConflict()) {
        showResult(m_field.mine);
        updateChoice();
    }
}

QWidget *FieldMergeRow::buildLabel(QWidget *parent)
{
    const QString name = m_field.def.name;
    auto *cell = new QWidget(parent);
    cell->setObjectName(QStringLiteral("label_") + name);
    cell->setAutoFillBackground(true);
    auto *layout = new QVBoxLayout(cell);
    layout->setContentsMargins(8, 6, 6, 6);
    layout->setSpacing(2);
    auto *title = new QLabel(m_field.def.title, cell);
    title->setObjectName(QStringLiteral("title_") + name);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    layout->addWidget(title);
    if (m_field.kind != MergeField::Kind::Same) {
        QLabel *kind = smallLabel(QStringLiteral("kind_") + name, cell);
        kind->setWordWrap(true);
        kind->setText(kindText(m_field.kind));
        QPalette p = kind->palette();
        if (m_field.kind == MergeField::Kind::Conflict)
            p.setColor(QPalette::WindowText, conflictTint());
        else if (m_field.kind == MergeField::Kind::Merged)
            p.setColor(QPalette::WindowText, mergedTint());
        kind->setPalette(p);
        layout->addWidget(kind);
    }
    layout->addStretch();
    return cell;
}

QWidget *FieldMergeRow::buildView(const QJsonValue &base, const QJsonValue &value,
                                  const QColor &tint, const QString &name,
                                  const QString &accessible, QWidget *parent)
{
    const QString html = valueHtml(m_field.def, base, value, m_names, tint);
    if (m_field.def.type == FieldType::Text) {
        auto *view = new QTextBrowser(parent);
        view->setObjectName(name);
        view->setAccessibleName(accessible);
        view->setHtml(html);
        view->setOpenLinks(false);
        view->setFocusPolicy(Qt::ClickFocus);
        view->setMinimumHeight(textHeight(m_field.mine.toString(), m_field.theirs.toString()));
        return view;
    }
    auto *view = new QLabel(parent);
    view->setObjectName(name);
    view->setAccessibleName(accessible);
    view->setTextFormat(Qt::RichText);
    view->setText(html);
    view->setWordWrap(true);
    view->setTextInteractionFlags(Qt::TextSelectableByMouse);
    view->setMinimumWidth(120);
    return view;
}

QWidget *FieldMergeRow::buildSide(bool mine, QWidget *parent)
{
    const QString name = m_field.def.name;
    const QString side = mine ? QStringLiteral("mine_") : QStringLiteral("theirs_");
    auto *cell = new QWidget(parent);
    cell->setObjectName(side + QStringLiteral("cell_") + name);
    auto *layout = new QVBoxLayout(cell);
    layout->setContentsMargins(4, 6, 4, 6);
    layout->setSpacing(4);
    const QString accessible = mine ? tr("%1 on this device").arg(m_field.def.title)
                                    : tr("%1 on the other side").arg(m_field.def.title);
    // A text's view takes the height the row gets; other values stay at the top.
    const bool text = m_field.def.type == FieldType::Text;
    layout->addWidget(buildView(m_field.base, mine ? m_field.mine : m_field.theirs,
                                mine ? mineTint() : theirsTint(), side + name, accessible, cell),
                      text ? 1 : 0);
    if (isConflict()) {
        auto *button = new QPushButton(mine ? tr("Use mine") : tr("Use theirs"), cell);
        button->setObjectName((mine ? QStringLiteral("useMine_") : QStringLiteral("useTheirs_"))
                              + name);
        button->setAccessibleName(mine ? tr("Use this device's %1").arg(m_field.def.title)
                                       : tr("Use the other side's %1").arg(m_field.def.title));
        button->setCheckable(true);
        button->setAutoDefault(false);
        connect(button, &QPushButton::clicked, this,
                mine ? &FieldMergeRow::useMine : &FieldMergeRow::useTheirs);
        auto *row = new QHBoxLayout;
        row->addWidget(button);
        row->addStretch();
        layout->addLayout(row);
        tintWhenChecked(button, mine ? mineTint() : theirsTint());
        (mine ? m_useMine : m_useTheirs) = button;
    }
    if (!text)
        layout->addStretch();
    return cell;
}

QWidget *FieldMergeRow::buildResult(QWidget *parent)
{
    const QString name = m_field.def.name;
    auto *cell = new QWidget(parent);
    cell->setObjectName(QStringLiteral("result_cell_") + name);
    auto *layout = new QVBoxLayout(cell);
    layout->setContentsMargins(4, 6, 8, 6);
    layout->setSpacing(4);
    const QString accessible = tr("Result: %1").arg(m_field.def.title);
    if (!isConflict()) {
        // The record keeps what it holds now: the merge or this device's change.
        auto *value = new QLabel(cell);
        value->setObjectName(QStringLiteral("result_") + name);
        value->setAccessibleName(accessible);
        value->setTextFormat(Qt::RichText);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        const QString text = valueText(m_field.def, m_field.mine, m_names);
        value->setText(text.isEmpty() ? tr("<i>(empty)</i>")
                                      : text.toHtmlEscaped().replace(QLatin1Char('\n'),
                                                                     QStringLiteral("<br>")));
        layout->addWidget(value);
        layout->addStretch();
        return cell;
    }

    if (m_field.def.type == FieldType::Text) {
        m_text = new QPlainTextEdit(cell);
        m_text->setObjectName(QStringLiteral("result_") + name);
        m_text->setAccessibleName(accessible);
        m_text->setTabChangesFocus(true);
        m_text->setMinimumHeight(textHeight(m_field.mine.toString(), m_field.theirs.toString()));
        connect(m_text, &QPlainTextEdit::textChanged, this, &FieldMergeRow::resultEdited);
        layout->addWidget(m_text, 1);
    } else if (m_field.def.type == FieldType::Blob) {
        m_fixedResult = new QLabel(cell);
        m_fixedResult->setObjectName(QStringLiteral("result_") + name);
        m_fixedResult->setAccessibleName(accessible);
        layout->addWidget(m_fixedResult);
    } else {
        // The record editor's input for the type: the same display rules, the same checks.
        m_editor = FieldEditor::create(m_field.def, m_store, QString(), cell);
        const QString prefix = QStringLiteral("field_") + name;
        for (QWidget *input : m_editor->findChildren<QWidget *>()) {
            if (input->objectName().startsWith(prefix))
                input->setObjectName(QStringLiteral("result_") + name
                                     + input->objectName().mid(prefix.size()));
        }
        m_editor->input()->setAccessibleName(accessible);
        connect(m_editor, &FieldEditor::committed, this, &FieldMergeRow::resultEdited);
        if (auto *line = qobject_cast<QLineEdit *>(m_editor->input()))
            connect(line, &QLineEdit::textEdited, this, &FieldMergeRow::resultEdited);
        layout->addWidget(m_editor);
    }

    m_state = smallLabel(QStringLiteral("state_") + name, cell);
    m_state->setAccessibleName(tr("%1: where the result comes from").arg(m_field.def.title));
    layout->addWidget(m_state);
    m_error = smallLabel(QStringLiteral("error_") + name, cell);
    m_error->setWordWrap(true);
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, conflictTint());
    m_error->setPalette(p);
    m_error->hide();
    layout->addWidget(m_error);
    if (m_field.isTextConflict() && m_field.text.conflicts() > 0) {
        m_hunks = new HunkPicker(m_field.def, m_field.text, cell);
        connect(m_hunks, &HunkPicker::choicesChanged, this, &FieldMergeRow::hunksChosen);
        layout->addWidget(m_hunks);
    }
    if (!m_text)
        layout->addStretch();
    return cell;
}

Result<QJsonValue> FieldMergeRow::result() const
{
    // A side taken as a whole is its exact value, whatever an input would round it to.
    switch (m_choice) {
    case Choice::Mine:
        return m_field.mine;
    case Choice::Theirs:
        return m_field.theirs;
    case Choice::Combined:
    case Choice::Edited:
        break;
    }
    if (m_text)
        return m_field.def.parse(m_text->toPlainText());
    if (m_editor)
        return m_editor->value();
    return m_fixedValue;
}

void FieldMergeRow::useMine()
{
    if (m_hunks)
        m_hunks->setAll(HunkChoice::Mine);
    showResult(m_field.mine);
    m_choice = Choice::Mine;
    updateChoice();
}

void FieldMergeRow::useTheirs()
{
    if (m_hunks)
        m_hunks->setAll(HunkChoice::Theirs);
    showResult(m_field.theirs);
    m_choice = Choice::Theirs;
    updateChoice();
}

void FieldMergeRow::hunksChosen()
{
    showResult(QJsonValue(mergedText(m_field.text, m_hunks->choices())));
    resultEdited();
}

void FieldMergeRow::showResult(const QJsonValue &value)
{
    m_showing = true;
    if (m_text) {
        const QString text = value.toString();
        if (m_text->toPlainText() != text)
            m_text->setPlainText(text);
    } else if (m_editor) {
        m_editor->load(value, true);
    } else if (m_fixedResult) {
        m_fixedValue = value;
        m_fixedResult->setText(valueText(m_field.def, value, m_names));
    }
    m_showing = false;
    showError({});
    markResultChanges();
}

void FieldMergeRow::markResultChanges()
{
    if (!m_text)
        return;
    // What the result changes against the last synced text, marked as the sides' are.
    QList<QTextEdit::ExtraSelection> marks;
    int position = 0;
    const QList<TextMerge::Segment> segments
        = TextMerge::changes(m_field.base.toString(), m_text->toPlainText());
    for (const TextMerge::Segment &segment : segments) {
        const int length = int(segment.text.size());
        if (segment.changed) {
            QTextEdit::ExtraSelection mark;
            mark.cursor = QTextCursor(m_text->document());
            mark.cursor.setPosition(position);
            mark.cursor.setPosition(position + length, QTextCursor::KeepAnchor);
            mark.format.setBackground(resultTint());
            marks.append(mark);
        }
        position += length;
    }
    m_text->setExtraSelections(marks);
}

void FieldMergeRow::resultEdited()
{
    if (m_showing)
        return;
    // What the result holds now decides where it comes from.
    m_choice = Choice::Edited;
    const Result<QJsonValue> value = result();
    if (value) {
        if (sameValue(value.value(), m_field.mine))
            m_choice = Choice::Mine;
        else if (sameValue(value.value(), m_field.theirs))
            m_choice = Choice::Theirs;
        else if (m_hunks
                 && value.value().toString() == mergedText(m_field.text, m_hunks->choices()))
            m_choice = Choice::Combined;
    }
    showError({});
    markResultChanges();
    updateChoice();
}

void FieldMergeRow::updateChoice()
{
    if (!isConflict())
        return;
    m_useMine->setChecked(m_choice == Choice::Mine);
    m_useTheirs->setChecked(m_choice == Choice::Theirs);
    QString text;
    switch (m_choice) {
    case Choice::Mine:
        text = tr("Result: this device's value");
        break;
    case Choice::Theirs:
        text = tr("Result: the other side's value");
        break;
    case Choice::Combined:
        text = tr("Result: combined from both sides");
        break;
    case Choice::Edited:
        text = tr("Result: edited by you");
        break;
    }
    m_state->setText(text);
    m_state->setAccessibleDescription(text);
    Q_EMIT choiceChanged();
}

void FieldMergeRow::showError(const QString &message)
{
    if (!m_error)
        return;
    m_error->setText(message);
    m_error->setVisible(!message.isEmpty());
}

QWidget *FieldMergeRow::focusTarget() const
{
    if (m_text)
        return m_text;
    if (m_editor)
        return m_editor->input();
    return m_useMine;
}

QList<QWidget *> FieldMergeRow::controls() const
{
    QList<QWidget *> list;
    if (!isConflict())
        return list;
    list << m_useMine << m_useTheirs;
    if (m_text) {
        list << m_text;
    } else if (m_editor) {
        // The editor's own inputs, in the order it laid them out.
        for (QWidget *input : m_editor->findChildren<QWidget *>()) {
            if (input->focusPolicy() & Qt::TabFocus && input->objectName().startsWith(u"result_"))
                list << input;
        }
    }
    if (m_hunks) {
        for (int i = 0; i < m_hunks->count(); ++i) {
            for (QToolButton *button : m_hunks->buttons(i))
                list << button;
        }
    }
    return list;
}

void FieldMergeRow::setCurrent(bool current)
{
    // Conflicts get a strong mark on the left edge, and a deeper tint while current.
    QString style = QStringLiteral("#label_%1 { background-color: %2; ").arg(m_field.def.name);
    if (isConflict())
        style = style.arg(current ? QStringLiteral("#f9d0cb") : QStringLiteral("#fdecea"))
            + QStringLiteral("border-left: 4px solid %1; ").arg(conflictTint().name());
    else
        style = style.arg(QStringLiteral("#f4f5f7"));
    m_labelCell->setStyleSheet(style + QLatin1Char('}'));
}

void FieldMergeRow::setRowVisible(bool visible)
{
    for (QWidget *cell : std::as_const(m_cells))
        cell->setVisible(visible);
}

int FieldMergeRow::textHeight(const QString &a, const QString &b) const
{
    // Tall enough for the longer side (wrapped lines counted roughly), within limits.
    const auto lines = [](const QString &text) {
        int count = 0;
        for (const QStringView line : QStringView(text).split(u'\n'))
            count += 1 + int(line.size() / 48);
        return count;
    };
    const int shown = qBound(kMinTextLines, qMax(lines(a), lines(b)), kMaxTextLines);
    const QFontMetrics metrics(m_labelCell ? m_labelCell->font() : QFont());
    return shown * metrics.lineSpacing() + 14;
}

} // namespace Ferry::Ui
