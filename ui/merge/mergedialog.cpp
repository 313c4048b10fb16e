#include "mergedialog.h"

#include "datastore.h"
#include "editor/elidedlabel.h"
#include "editor/recordchoices.h"
#include "merge/deletequestion.h"
#include "merge/fieldmergerow.h"

#include <QCommandLinkButton>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QShortcut>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Ferry::Ui {

namespace {

QLabel *makeLabel(const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setWordWrap(true);
    return label;
}

QPushButton *makeButton(const QString &text, const QString &name, const QString &accessible,
                        QWidget *parent)
{
    auto *button = new QPushButton(text, parent);
    button->setObjectName(name);
    button->setAccessibleName(accessible);
    button->setToolTip(accessible);
    button->setAutoDefault(false);
    return button;
}

QWidget *swatchTitle(const QString &text, const QColor &tint, const QString &name, QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(name);
    label->setTextFormat(Qt::RichText);
    label->setText(
        QStringLiteral(
            "<span style=\"background-color:%1\">&nbsp;&nbsp;&nbsp;</span>&nbsp; <b>%2</b>")
            .arg(tint.name(), text.toHtmlEscaped()));
    label->setAccessibleName(text);
    label->setContentsMargins(4, 4, 4, 4);
    return label;
}

} // namespace

MergeDialog::MergeDialog(DataStore &store, const EntityDef &entity, const LocalRecord &local,
                         const Conflict &conflict, QWidget *parent)
    : QDialog(parent)
    , m_entity(entity)
    , m_local(local)
    , m_conflict(conflict)
    , m_store(store)
    , m_names(recordNames(store))
    , m_fields(mergeFields(entity, local, conflict))
    , m_deleteConflict(conflict.theirsDeleted || conflict.mineDeleted)
{
    setObjectName(QStringLiteral("mergeDialog"));
    const QString title = displayText(entity, local);
    setWindowTitle(tr("Resolve: %1").arg(title));
    setAccessibleName(tr("Resolve the conflict in %1").arg(title));

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(buildHeader());
    auto *rule = new QFrame(this);
    rule->setFrameShape(QFrame::HLine);
    rule->setFrameShadow(QFrame::Sunken);
    layout->addWidget(rule);

    m_scroll = new QScrollArea(this);
    m_scroll->setObjectName(QStringLiteral("mergeArea"));
    m_scroll->setAccessibleName(tr("Fields"));
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    if (m_deleteConflict) {
        m_question = new DeleteQuestion(entity, local, conflict, m_names, this);
        connect(m_question, &DeleteQuestion::chosen, this, [this](Resolution resolution) {
            decide({resolution, {}});
        });
        m_scroll->setWidget(m_question);
        // Its text wraps to any width: a sideways scroll bar would only take room.
        m_scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    } else {
        m_scroll->setWidget(buildGrid());
    }
    layout->addWidget(m_scroll, 1);
    layout->addWidget(buildButtons());
    buildShortcuts();
    orderTabs();
    setShowUnchanged(false);

    if (m_deleteConflict)
        m_question->mineButton()->setFocus();
    else if (!m_conflictRows.isEmpty())
        goToConflict(0);
    else
        m_accept->setFocus();

    const QSize available = screen() ? screen()->availableSize() : QSize(1280, 800);
    resize(qMin(m_deleteConflict ? 720 : 1180, available.width() * 9 / 10), 0);
    fitHeight();
}

MergeDialog::~MergeDialog() = default;

QWidget *MergeDialog::buildHeader()
{
    auto *header = new QWidget(this);
    header->setObjectName(QStringLiteral("mergeHeader"));
    auto *layout = new QGridLayout(header);
    layout->setContentsMargins(16, 12, 16, 10);
    layout->setHorizontalSpacing(12);
    layout->setVerticalSpacing(2);

    QLabel *entity = makeLabel(QStringLiteral("headerEntity"), header);
    entity->setText(m_entity.title.toUpper());
    entity->setForegroundRole(QPalette::PlaceholderText);
    auto *title = new ElidedLabel(header);
    title->setObjectName(QStringLiteral("headerTitle"));
    QFont big = title->font();
    big.setPointSizeF(big.pointSizeF() * 1.4);
    big.setBold(true);
    title->setFont(big);
    title->setFullText(displayText(m_entity, m_local));
    title->setAccessibleName(tr("Record: %1").arg(title->fullText()));

    QLabel *who = makeLabel(QStringLiteral("headerProvenance"), header);
    QString text = m_conflict.theirsDeleted ? tr("Deleted on %1 by %2, %3.")
                                            : tr("Changed on %1 by %2, %3.");
    text
        = text.arg(deviceName(m_conflict), userName(m_conflict), relativeTime(m_conflict.theirsAt));
    if (m_conflict.mineAt > 0)
        text += QLatin1Char(' ')
            + tr("Your last change here: %1.").arg(relativeTime(m_conflict.mineAt));
    who->setText(text);
    who->setToolTip(tr("Other side: %1\nThis device: %2")
                        .arg(absoluteTime(m_conflict.theirsAt), absoluteTime(m_conflict.mineAt)));
    who->setAccessibleName(text);

    // Across the whole header: only the summary row below has a second column.
    layout->addWidget(entity, 0, 0, 1, 2);
    layout->addWidget(title, 1, 0, 1, 2);
    layout->addWidget(who, 2, 0, 1, 2);
    layout->setColumnStretch(0, 1);

    // This record is the one shown; say so when other records wait too, so "Field 1 of 1"
    // is not read as the only conflict there is. A line of its own: beside the summary it
    // was squeezed into a column of single words.
    auto *others = makeLabel(QStringLiteral("otherConflicts"), header);
    others->setForegroundRole(QPalette::PlaceholderText);
    const Result<qint64> open = m_store.store().conflictCount();
    const qint64 more = open ? open.value() - 1 : 0;
    others->setText(more == 1 ? tr("1 other record also has a conflict.")
                              : tr("%1 other records also have conflicts.").arg(more));
    others->setVisible(more > 0);
    layout->addWidget(others, 3, 0, 1, 2);
    if (m_deleteConflict)
        return header;

    int conflicts = 0, merged = 0, here = 0, same = 0;
    for (const MergeField &field : std::as_const(m_fields)) {
        switch (field.kind) {
        case MergeField::Kind::Conflict:
            ++conflicts;
            break;
        case MergeField::Kind::Merged:
            ++merged;
            break;
        case MergeField::Kind::ChangedHere:
            ++here;
            break;
        case MergeField::Kind::Same:
            ++same;
            break;
        }
    }
    QStringList parts;
    parts << (conflicts == 1 ? tr("1 field changed on both sides")
                             : tr("%1 fields changed on both sides").arg(conflicts));
    if (merged > 0)
        parts << tr("%1 merged").arg(merged);
    if (here > 0)
        parts << tr("%1 changed only here").arg(here);
    QLabel *summary = makeLabel(QStringLiteral("headerSummary"), header);
    summary->setText(parts.join(QStringLiteral(" · ")));
    summary->setWordWrap(false);
    summary->setAccessibleName(summary->text());

    m_showUnchanged = new QToolButton(header);
    m_showUnchanged->setObjectName(QStringLiteral("showUnchangedButton"));
    m_showUnchanged->setCheckable(true);
    m_showUnchanged->setAccessibleName(tr("Show the fields that are the same on both sides"));
    m_showUnchanged->setFocusPolicy(Qt::StrongFocus);
    m_showUnchanged->setVisible(same > 0);
    connect(m_showUnchanged, &QToolButton::toggled, this, &MergeDialog::setShowUnchanged);

    m_position = makeLabel(QStringLiteral("conflictPosition"), header);
    m_position->setWordWrap(false);
    m_previous = new QToolButton(header);
    m_previous->setObjectName(QStringLiteral("previousConflictButton"));
    m_previous->setArrowType(Qt::UpArrow);
    m_previous->setText(tr("Previous"));
    m_previous->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_previous->setAccessibleName(tr("Previous conflict"));
    m_previous->setToolTip(tr("Previous conflict (Shift+F8, Alt+Up)"));
    m_previous->setFocusPolicy(Qt::StrongFocus);
    m_next = new QToolButton(header);
    m_next->setObjectName(QStringLiteral("nextConflictButton"));
    m_next->setArrowType(Qt::DownArrow);
    m_next->setText(tr("Next"));
    m_next->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_next->setAccessibleName(tr("Next conflict"));
    m_next->setToolTip(tr("Next conflict (F8, Alt+Down)"));
    m_next->setFocusPolicy(Qt::StrongFocus);
    connect(m_previous, &QToolButton::clicked, this, &MergeDialog::previousConflict);
    connect(m_next, &QToolButton::clicked, this, &MergeDialog::nextConflict);

    auto *summaryRow = new QHBoxLayout;
    summaryRow->addWidget(summary);
    summaryRow->addSpacing(8);
    summaryRow->addWidget(m_showUnchanged);
    summaryRow->addStretch();
    layout->addLayout(summaryRow, 4, 0);
    auto *navigation = new QHBoxLayout;
    navigation->addWidget(m_position);
    navigation->addWidget(m_previous);
    navigation->addWidget(m_next);
    layout->addLayout(navigation, 4, 1, Qt::AlignRight);
    return header;
}

QWidget *MergeDialog::buildGrid()
{
    auto *page = new QWidget(this);
    page->setObjectName(QStringLiteral("mergeGrid"));
    auto *grid = new QGridLayout(page);
    grid->setContentsMargins(8, 4, 8, 8);
    grid->setHorizontalSpacing(6);
    grid->setVerticalSpacing(0);
    grid->setColumnStretch(0, 0);
    for (int column = 1; column <= 3; ++column)
        grid->setColumnStretch(column, 1);
    grid->setColumnMinimumWidth(0, 150);

    grid->addWidget(swatchTitle(tr("This device"), mineTint(), QStringLiteral("mineHeading"), page),
                    0, 1);
    grid->addWidget(swatchTitle(tr("Other side (%1)").arg(userName(m_conflict)), theirsTint(),
                                QStringLiteral("theirsHeading"), page),
                    0, 2);
    auto *result = new QLabel(tr("<b>Result</b>"), page);
    result->setObjectName(QStringLiteral("resultHeading"));
    result->setAccessibleName(tr("Result"));
    result->setContentsMargins(4, 4, 4, 4);
    grid->addWidget(result, 0, 3);

    int row = 1;
    MergeField::Kind previous = MergeField::Kind::Conflict;
    for (const MergeField &field : std::as_const(m_fields)) {
        if (field.kind != previous && previous == MergeField::Kind::Conflict && row > 1) {
            // A gap between what needs a decision and what does not.
            grid->setRowMinimumHeight(row++, 14);
        }
        previous = field.kind;
        auto *line = new QFrame(page);
        line->setFrameShape(QFrame::HLine);
        line->setFrameShadow(QFrame::Plain);
        line->setForegroundRole(QPalette::Mid);
        grid->addWidget(line, row++, 0, 1, 4);
        if (field.isTextConflict())
            grid->setRowStretch(row, 1); // texts take the room there is
        auto *fieldRow = new FieldMergeRow(field, m_store, m_names, grid, row++, page);
        m_rows.append(fieldRow);
        if (fieldRow->isConflict())
            m_conflictRows.append(fieldRow);
        if (field.kind == MergeField::Kind::Same) {
            m_sameRows.append(fieldRow);
            m_sameLines.append(line);
        }
    }
    if (!std::any_of(m_fields.cbegin(), m_fields.cend(),
                     [](const MergeField &f) { return f.isTextConflict(); }))
        grid->setRowStretch(row, 1);
    return page;
}

QWidget *MergeDialog::buildButtons()
{
    auto *bar = new QWidget(this);
    bar->setObjectName(QStringLiteral("mergeButtons"));
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(16, 10, 16, 12);
    m_keepBoth = makeButton(tr("Keep &both"), QStringLiteral("keepBothButton"),
                            tr("Keep both: this device's version becomes a new record"), bar);
    m_later = makeButton(tr("Decide &later"), QStringLiteral("decideLaterButton"),
                         tr("Decide later: the record keeps this device's values for now"), bar);
    m_keepMine = makeButton(tr("Keep &mine"), QStringLiteral("keepMineButton"),
                            tr("Keep this device's version of every field"), bar);
    m_keepTheirs = makeButton(tr("Keep &theirs"), QStringLiteral("keepTheirsButton"),
                              tr("Keep the other side's version of every field"), bar);
    m_accept = makeButton(tr("&Accept result"), QStringLiteral("acceptButton"),
                          tr("Accept the result column (Ctrl+Return)"), bar);
    m_accept->setDefault(true);
    connect(m_keepBoth, &QPushButton::clicked, this, &MergeDialog::keepBoth);
    connect(m_later, &QPushButton::clicked, this, &MergeDialog::decideLater);
    connect(m_keepMine, &QPushButton::clicked, this, &MergeDialog::keepMine);
    connect(m_keepTheirs, &QPushButton::clicked, this, &MergeDialog::keepTheirs);
    connect(m_accept, &QPushButton::clicked, this, &MergeDialog::acceptResult);
    layout->addWidget(m_keepBoth);
    layout->addWidget(m_later);
    layout->addStretch();
    layout->addWidget(m_keepMine);
    layout->addWidget(m_keepTheirs);
    layout->addSpacing(12);
    layout->addWidget(m_accept);
    // Edit-vs-delete asks its own question; only "later" stays.
    for (QPushButton *button : {m_keepBoth, m_keepMine, m_keepTheirs, m_accept})
        button->setVisible(!m_deleteConflict);
    return bar;
}

void MergeDialog::buildShortcuts()
{
    const auto add = [this](const QKeySequence &keys, const char *name, auto slot) {
        auto *shortcut = new QShortcut(keys, this);
        shortcut->setObjectName(QLatin1String(name));
        connect(shortcut, &QShortcut::activated, this, slot);
    };
    if (m_deleteConflict)
        return;
    add(QKeySequence(Qt::Key_F8), "nextShortcut", &MergeDialog::nextConflict);
    add(QKeySequence(Qt::ALT | Qt::Key_Down), "nextAltShortcut", &MergeDialog::nextConflict);
    add(QKeySequence(Qt::SHIFT | Qt::Key_F8), "previousShortcut", &MergeDialog::previousConflict);
    add(QKeySequence(Qt::ALT | Qt::Key_Up), "previousAltShortcut", &MergeDialog::previousConflict);
    add(QKeySequence(Qt::CTRL | Qt::Key_Return), "acceptShortcut", &MergeDialog::acceptResult);
    add(QKeySequence(Qt::CTRL | Qt::Key_Enter), "acceptEnterShortcut", &MergeDialog::acceptResult);
}

void MergeDialog::orderTabs()
{
    QList<QWidget *> chain;
    if (m_deleteConflict) {
        chain << m_question->mineButton() << m_question->theirsButton();
    } else {
        chain << m_previous << m_next << m_showUnchanged;
        for (FieldMergeRow *row : std::as_const(m_conflictRows))
            chain << row->controls();
        chain << m_keepMine << m_keepTheirs << m_accept << m_keepBoth;
    }
    chain << m_later;
    for (qsizetype i = 1; i < chain.size(); ++i)
        QWidget::setTabOrder(chain.at(i - 1), chain.at(i));
}

void MergeDialog::fitHeight(bool mayShrink)
{
    // As tall as the content wants (text gets room to grow), within the screen, and moved
    // up if its buttons would end below the screen's edge. Showing more never makes it
    // shorter; hiding the unchanged fields again gives back the room they took.
    const QRect screenArea = screen() ? screen()->availableGeometry() : QRect(0, 0, 1280, 800);
    const QSize available = screenArea.size();
    const bool text
        = std::any_of(m_conflictRows.cbegin(), m_conflictRows.cend(), [](const FieldMergeRow *row) {
              return row->field().def.type == FieldType::Text;
          });
    // Wrapped labels make a widget's plain size hint taller than it is at this width.
    const QWidget *content = m_scroll->widget();
    const int contentWidth = width() - 24;
    const int contentHeight = content->hasHeightForWidth() ? content->heightForWidth(contentWidth)
                                                           : content->sizeHint().height();
    const int wanted
        = sizeHint().height() - m_scroll->sizeHint().height() + contentHeight + (text ? 80 : 24);
    const int height = qMin(std::max({wanted, 360, mayShrink ? 0 : this->height()}),
                            available.height() * 9 / 10);
    if (height != this->height())
        resize(width(), height);
    const QRect frame = frameGeometry();
    if (isVisible() && frame.bottom() > screenArea.bottom())
        move(x(), qMax(screenArea.top(), y() - (frame.bottom() - screenArea.bottom())));
}

void MergeDialog::setShowUnchanged(bool show)
{
    for (FieldMergeRow *row : std::as_const(m_sameRows))
        row->setRowVisible(show);
    for (QWidget *line : std::as_const(m_sameLines))
        line->setVisible(show);
    if (isVisible())
        fitHeight(!show);
    if (!m_showUnchanged)
        return;
    const int count = int(m_sameRows.size());
    m_showUnchanged->setText(show             ? tr("&Hide unchanged fields")
                                 : count == 1 ? tr("&Show 1 unchanged field")
                                              : tr("&Show %1 unchanged fields").arg(count));
}

void MergeDialog::goToConflict(int index)
{
    if (m_conflictRows.isEmpty())
        return;
    index = qBound(0, index, int(m_conflictRows.size()) - 1);
    if (m_current >= 0 && m_current < m_conflictRows.size())
        m_conflictRows.at(m_current)->setCurrent(false);
    m_current = index;
    FieldMergeRow *row = m_conflictRows.at(index);
    row->setCurrent(true);
    m_scroll->ensureWidgetVisible(row->labelCell(), 0, 40);
    if (QWidget *target = row->focusTarget())
        target->setFocus(Qt::ShortcutFocusReason);
    m_position->setText(tr("Field %1 of %2 to decide").arg(index + 1).arg(m_conflictRows.size()));
    m_position->setAccessibleName(m_position->text());
    m_previous->setEnabled(index > 0);
    m_next->setEnabled(index + 1 < m_conflictRows.size());
}

void MergeDialog::nextConflict()
{
    goToConflict(m_current + 1);
}

void MergeDialog::previousConflict()
{
    goToConflict(m_current - 1);
}

void MergeDialog::acceptResult()
{
    if (m_deleteConflict)
        return;
    QJsonObject results;
    for (FieldMergeRow *row : std::as_const(m_conflictRows)) {
        const Result<QJsonValue> value = row->result();
        if (!value) {
            row->showError(value.error().message);
            goToConflict(int(m_conflictRows.indexOf(row)));
            return;
        }
        results.insert(row->field().def.name, value.value());
    }
    decide(decisionFor(m_fields, results));
}

void MergeDialog::keepMine()
{
    decide({Resolution::KeepMine, {}});
}

void MergeDialog::keepTheirs()
{
    decide({Resolution::KeepTheirs, {}});
}

void MergeDialog::keepBoth()
{
    decide({Resolution::KeepBoth, {}});
}

void MergeDialog::decideLater()
{
    const bool typed
        = std::any_of(m_conflictRows.cbegin(), m_conflictRows.cend(), [](const FieldMergeRow *row) {
              return row->choice() == FieldMergeRow::Choice::Edited
                  || row->choice() == FieldMergeRow::Choice::Combined;
          });
    if (!typed) {
        m_decision.reset();
        reject();
        return;
    }
    // What the person made here is not kept for later: ask before dropping it.
    auto *box
        = new QMessageBox(QMessageBox::Question, tr("Decide later"),
                          tr("Forget the result you made here?"), QMessageBox::NoButton, this);
    box->setObjectName(QStringLiteral("forgetResultQuestion"));
    box->setInformativeText(tr("Deciding later keeps this device's values for now; the values "
                               "you typed or combined here are not kept."));
    QPushButton *keep = box->addButton(tr("&Keep editing"), QMessageBox::RejectRole);
    keep->setObjectName(QStringLiteral("keepEditingButton"));
    QPushButton *forget
        = box->addButton(tr("&Forget it and decide later"), QMessageBox::AcceptRole);
    forget->setObjectName(QStringLiteral("forgetButton"));
    box->setDefaultButton(keep);
    box->setAttribute(Qt::WA_DeleteOnClose);
    connect(box, &QMessageBox::finished, this, [this, box, forget] {
        if (box->clickedButton() != forget)
            return;
        m_decision.reset();
        reject();
    });
    box->open();
}

void MergeDialog::decide(const ConflictDecision &decision)
{
    m_decision = decision;
    accept();
}

namespace {

void tell(QWidget *parent, const QString &text)
{
    auto *box = new QMessageBox(QMessageBox::Information, QObject::tr("Ferry"), text,
                                QMessageBox::Ok, parent);
    box->setObjectName(QStringLiteral("mergeMessage"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

// Applies what the person decided in `dialog`, unless the conflict moved on meanwhile.
void applyDecision(DataStore &store, MergeDialog *dialog, QWidget *parent)
{
    const std::optional<ConflictDecision> decision = dialog->decision();
    if (!decision)
        return;
    const QString guid = dialog->guid();
    const Result<std::optional<Conflict>> now = store.store().conflict(guid);
    if (now && (!now.value() || now.value()->isEmpty()))
        return; // settled meanwhile: the same change arrived from the other side
    if (now && now.value()->toJson() != dialog->conflict().toJson()) {
        tell(parent,
             QObject::tr("This record changed again on %1 while you were deciding. "
                         "Have a look at it once more.")
                 .arg(deviceName(*now.value())));
        openMergeDialog(store, guid, parent);
        return;
    }
    const Status status = store.resolveConflict(guid, *decision);
    if (!status)
        tell(parent,
             QObject::tr("Ferry could not save your decision: %1").arg(status.error().message));
}

} // namespace

MergeDialog *openMergeDialog(DataStore &store, const QString &guid, QWidget *parent)
{
    if (parent) {
        for (MergeDialog *open : parent->findChildren<MergeDialog *>()) {
            if (open->guid() == guid && open->isVisible()) {
                open->raise();
                open->activateWindow();
                return open;
            }
        }
    }
    const Result<std::optional<Conflict>> conflict = store.store().conflict(guid);
    const Result<LocalRecord> record = store.store().record(guid);
    if (!conflict || !record) {
        tell(parent, !conflict ? conflict.error().message : record.error().message);
        return nullptr;
    }
    const EntityDef *entity = store.schema().entity(record.value().entity);
    if (!conflict.value() || conflict.value()->isEmpty() || !entity) {
        tell(parent, QObject::tr("This record has no conflict to resolve any more."));
        return nullptr;
    }
    auto *dialog = new MergeDialog(store, *entity, record.value(), *conflict.value(), parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<QWidget> owner(parent);
    QObject::connect(dialog, &QDialog::accepted, &store,
                     [&store, dialog, owner] { applyDecision(store, dialog, owner); });
    dialog->open();
    return dialog;
}

} // namespace Ferry::Ui
