#include "deletequestion.h"

#include <QCommandLinkButton>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QVBoxLayout>

namespace Ferry::Ui {

DeleteQuestion::DeleteQuestion(const EntityDef &entity, const LocalRecord &local,
                               const Conflict &conflict, const RecordNames &names, QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("deleteQuestion"));
    const QString device = deviceName(conflict);
    const bool theyDeleted = conflict.theirsDeleted;

    auto *question = new QLabel(this);
    question->setObjectName(QStringLiteral("deleteQuestionText"));
    question->setWordWrap(true);
    QFont big = question->font();
    big.setPointSizeF(big.pointSizeF() * 1.25);
    big.setBold(true);
    question->setFont(big);
    // Who and when are in the dialog's header; this is the question itself.
    question->setText(theyDeleted ? tr("Deleted on the other side, edited here")
                                  : tr("Deleted here, edited on the other side"));
    question->setAccessibleName(question->text());

    auto *valuesTitle
        = new QLabel(theyDeleted ? tr("Your changes to it:") : tr("Their version of it:"), this);
    valuesTitle->setObjectName(QStringLiteral("deleteValuesTitle"));

    m_mine = new QCommandLinkButton(this);
    m_theirs = new QCommandLinkButton(this);
    m_mine->setObjectName(theyDeleted ? QStringLiteral("restoreMineButton")
                                      : QStringLiteral("keepDeletedButton"));
    m_theirs->setObjectName(theyDeleted ? QStringLiteral("acceptDeleteButton")
                                        : QStringLiteral("restoreTheirsButton"));
    if (theyDeleted) {
        m_mine->setText(tr("Restore with my edits"));
        m_mine->setDescription(
            tr("The record comes back on every device, with the changes you made here."));
        m_theirs->setText(tr("Accept the delete"));
        m_theirs->setDescription(
            tr("The record is removed here too. Your changes to it are discarded."));
    } else {
        m_mine->setText(tr("Keep it deleted"));
        m_mine->setDescription(
            tr("The record stays deleted on every device. The changes made on %1 are discarded.")
                .arg(device));
        m_theirs->setText(tr("Restore with their edits"));
        m_theirs->setDescription(
            tr("The record comes back on every device, with the changes made on %1.").arg(device));
    }
    for (QCommandLinkButton *button : {m_mine, m_theirs}) {
        button->setAccessibleName(button->text());
        button->setAccessibleDescription(button->description());
        button->setAutoDefault(false);
    }
    connect(m_mine, &QCommandLinkButton::clicked, this,
            [this] { Q_EMIT chosen(Resolution::KeepMine); });
    connect(m_theirs, &QCommandLinkButton::clicked, this,
            [this] { Q_EMIT chosen(Resolution::KeepTheirs); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(10);
    layout->addWidget(question);
    layout->addWidget(valuesTitle);
    layout->addWidget(valuesTable(entity, local, conflict, names));
    layout->addSpacing(6);
    layout->addWidget(m_mine);
    layout->addWidget(m_theirs);
    layout->addStretch();
}

QWidget *DeleteQuestion::valuesTable(const EntityDef &entity, const LocalRecord &local,
                                     const Conflict &conflict, const RecordNames &names)
{
    auto *frame = new QFrame(this);
    frame->setObjectName(QStringLiteral("deleteValues"));
    frame->setFrameShape(QFrame::StyledPanel);
    auto *form = new QFormLayout(frame);
    form->setContentsMargins(12, 8, 12, 8);
    form->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    for (const FieldDef &field : entity.fields) {
        QString html;
        if (conflict.theirsDeleted) {
            // What this device changed, marked against what it was.
            if (!local.isDirty(field.name))
                continue;
            html = valueHtml(field, local.base.value(field.name), local.fields.value(field.name),
                             names, mineTint());
        } else {
            const QJsonValue value = conflict.theirsFields.contains(field.name)
                ? conflict.theirsFields.value(field.name)
                : local.fields.value(field.name);
            if (valueText(field, value, names).isEmpty())
                continue;
            html = valueHtml(field, value, value, names, theirsTint());
        }
        auto *value = new QLabel(html, frame);
        value->setObjectName(QStringLiteral("deleteValue_") + field.name);
        value->setTextFormat(Qt::RichText);
        value->setWordWrap(true);
        value->setTextInteractionFlags(Qt::TextSelectableByMouse);
        value->setAccessibleName(field.title);
        auto *label = new QLabel(field.title + QLatin1Char(':'), frame);
        QFont bold = label->font();
        bold.setBold(true);
        label->setFont(bold);
        form->addRow(label, value);
    }
    if (form->rowCount() == 0) {
        auto *none = new QLabel(tr("No field values."), frame);
        none->setObjectName(QStringLiteral("deleteValuesEmpty"));
        form->addRow(none);
    }
    return frame;
}

} // namespace Ferry::Ui
