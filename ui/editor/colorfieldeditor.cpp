#include "colorfieldeditor.h"

#include <QColorDialog>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPainter>
#include <QPixmap>
#include <QSignalBlocker>
#include <QToolButton>

namespace Ferry::Ui {

ColorFieldEditor::ColorFieldEditor(const FieldDef &field, QWidget *parent)
    : FieldEditor(field, parent)
    , m_edit(new QLineEdit(this))
    , m_swatch(new QToolButton(this))
{
    setInput(m_edit);
    m_swatch->setObjectName(QStringLiteral("field_") + field.name + QStringLiteral("_choose"));
    m_swatch->setAccessibleName(tr("Choose the colour of %1").arg(field.title));
    m_swatch->setToolTip(tr("Choose a colour"));
    m_swatch->setFocusPolicy(Qt::StrongFocus);
    m_edit->setPlaceholderText(tr("A colour, like #3366cc"));
    m_edit->setMaximumWidth(m_edit->fontMetrics().horizontalAdvance(QLatin1Char('0')) * 20);
    row()->addWidget(m_swatch);
    row()->addWidget(m_edit);
    row()->addStretch();
    connect(m_edit, &QLineEdit::textEdited, this, [this] {
        markEdited();
        updateSwatch();
    });
    connect(m_edit, &QLineEdit::editingFinished, this, &ColorFieldEditor::commit);
    connect(m_swatch, &QToolButton::clicked, this, &ColorFieldEditor::choose);
    updateSwatch();
}

Result<QJsonValue> ColorFieldEditor::value() const
{
    return field().parse(m_edit->text().trimmed());
}

void ColorFieldEditor::setReadOnly(bool readOnly)
{
    m_edit->setReadOnly(readOnly);
    m_swatch->setEnabled(!readOnly);
}

void ColorFieldEditor::showValue(const QJsonValue &value)
{
    const QSignalBlocker blocker(m_edit);
    m_edit->setText(value.toString());
    m_edit->setCursorPosition(0);
    updateSwatch();
}

void ColorFieldEditor::choose()
{
    const QColor current = QColor::fromString(m_edit->text().trimmed());
    auto *dialog = new QColorDialog(current.isValid() ? current : QColor(Qt::white), this);
    dialog->setObjectName(QStringLiteral("colorDialog"));
    dialog->setWindowTitle(tr("%1 colour").arg(field().title));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    // Qt's own dialog: the same on every platform, and one a test can drive.
    dialog->setOption(QColorDialog::DontUseNativeDialog);
    connect(dialog, &QColorDialog::colorSelected, this, [this](const QColor &color) {
        m_edit->setText(color.name(QColor::HexRgb));
        updateSwatch();
        markEdited();
        commit();
    });
    dialog->open();
}

void ColorFieldEditor::updateSwatch()
{
    const QColor color = QColor::fromString(m_edit->text().trimmed());
    const int side = m_edit->sizeHint().height() - 8;
    QPixmap swatch(side, side);
    swatch.fill(Qt::transparent);
    QPainter painter(&swatch);
    painter.setPen(palette().color(QPalette::WindowText));
    if (color.isValid()) {
        painter.setBrush(color);
    } else {
        // No colour (or none Qt knows): a crossed box, not a colour that is not there.
        painter.setBrush(Qt::NoBrush);
        painter.drawLine(0, side - 1, side - 1, 0);
    }
    painter.drawRect(0, 0, side - 1, side - 1);
    painter.end();
    m_swatch->setIcon(QIcon(swatch));
    m_swatch->setIconSize(swatch.size());
}

} // namespace Ferry::Ui
