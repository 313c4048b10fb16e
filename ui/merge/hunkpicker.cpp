#include "hunkpicker.h"

#include "merge/fieldmergerow.h"
#include "merge/mergetext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QToolButton>
#include <QVBoxLayout>

namespace Ferry::Ui {

namespace {

constexpr qsizetype kQuoteChars = 48;

QString quote(const QString &text, const QColor &tint)
{
    QString shown = text.simplified();
    if (shown.isEmpty())
        return QStringLiteral("<i>%1</i>").arg(QObject::tr("nothing"));
    if (shown.size() > kQuoteChars)
        shown = shown.left(kQuoteChars - 1) + QChar(0x2026);
    return QStringLiteral("<span style=\"background-color:%1\">%2</span>")
        .arg(tint.name(), shown.toHtmlEscaped());
}

} // namespace

HunkPicker::HunkPicker(const FieldDef &field, const TextMerge::Result &merge, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("hunks_") + field.name);
    setAccessibleName(tr("Conflicting changes in %1").arg(field.title));
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 4, 0, 0);
    layout->setSpacing(4);

    const int total = merge.conflicts();
    int index = 0;
    for (const TextMerge::Hunk &hunk : merge.hunks) {
        if (hunk.kind != TextMerge::Hunk::Kind::Conflict)
            continue;
        const QString prefix = QStringLiteral("hunk_%1_%2_").arg(field.name).arg(index + 1);
        auto *label = new QLabel(this);
        label->setObjectName(prefix + QStringLiteral("label"));
        label->setWordWrap(true);
        label->setTextFormat(Qt::RichText);
        label->setText(tr("<b>Both changed %1 of %2:</b> %3 or %4")
                           .arg(index + 1)
                           .arg(total)
                           .arg(quote(hunk.mine, mineTint()), quote(hunk.theirs, theirsTint())));
        layout->addWidget(label);

        auto *row = new QHBoxLayout;
        row->setSpacing(2);
        QList<QToolButton *> buttons;
        const struct
        {
            HunkChoice choice;
            QString text;
            QString name;
            QString accessible;
        } options[] = {
            {HunkChoice::Mine, tr("This device"), QStringLiteral("mine"),
             tr("Change %1 in %2: use this device's text").arg(index + 1).arg(field.title)},
            {HunkChoice::Theirs, tr("Other side"), QStringLiteral("theirs"),
             tr("Change %1 in %2: use the other side's text").arg(index + 1).arg(field.title)},
            {HunkChoice::Both, tr("Both"), QStringLiteral("both"),
             tr("Change %1 in %2: keep both texts, this device's first")
                 .arg(index + 1)
                 .arg(field.title)},
        };
        for (const auto &option : options) {
            auto *button = new QToolButton(this);
            button->setText(option.text);
            button->setObjectName(prefix + option.name);
            button->setAccessibleName(option.accessible);
            button->setToolTip(option.accessible);
            button->setCheckable(true);
            button->setAutoRaise(false);
            button->setFocusPolicy(Qt::StrongFocus);
            const HunkChoice choice = option.choice;
            connect(button, &QToolButton::clicked, this,
                    [this, index, choice] { choose(index, choice); });
            tintWhenChecked(button,
                            choice == HunkChoice::Mine         ? mineTint()
                                : choice == HunkChoice::Theirs ? theirsTint()
                                                               : resultTint());
            row->addWidget(button);
            buttons.append(button);
        }
        row->addStretch();
        layout->addLayout(row);
        m_buttons.append(buttons);
        m_choices.append(HunkChoice::Mine);
        ++index;
    }
    showChoices();
}

QList<QToolButton *> HunkPicker::buttons(int index) const
{
    return m_buttons.value(index);
}

void HunkPicker::setAll(HunkChoice choice)
{
    for (HunkChoice &c : m_choices)
        c = choice;
    showChoices();
}

void HunkPicker::choose(int index, HunkChoice choice)
{
    m_choices[index] = choice;
    showChoices();
    Q_EMIT choicesChanged();
}

void HunkPicker::showChoices()
{
    for (qsizetype i = 0; i < m_buttons.size(); ++i) {
        const QList<QToolButton *> &row = m_buttons.at(i);
        row.at(0)->setChecked(m_choices.at(i) == HunkChoice::Mine);
        row.at(1)->setChecked(m_choices.at(i) == HunkChoice::Theirs);
        row.at(2)->setChecked(m_choices.at(i) == HunkChoice::Both);
    }
}

} // namespace Ferry::Ui
