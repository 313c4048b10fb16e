#include "editorbanner.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>

namespace Ferry::Ui {

EditorBanner::EditorBanner(const QString &objectName, Tone tone, QWidget *parent)
    : QFrame(parent)
    , m_icon(new QLabel(this))
    , m_text(new QLabel(this))
    , m_layout(new QHBoxLayout(this))
{
    setObjectName(objectName);
    setAccessibleName(tr("Notice"));
    setFrameShape(QFrame::StyledPanel);
    setAutoFillBackground(true);
    // Soft tints that keep the system's text colour readable in light themes.
    QPalette p = palette();
    p.setColor(QPalette::Window,
               tone == Tone::Warning ? QColor(0xfd, 0xf0, 0xd5) : QColor(0xe3, 0xee, 0xfb));
    p.setColor(QPalette::WindowText, QColor(0x20, 0x20, 0x20));
    setPalette(p);
    const int iconSize = fontMetrics().height();
    const QString icon = tone == Tone::Warning ? QStringLiteral(":/icons/editor/warning.svg")
                                               : QStringLiteral(":/icons/editor/info.svg");
    m_icon->setPixmap(QIcon(icon).pixmap(iconSize, iconSize));
    m_text->setObjectName(objectName + QStringLiteral("Text"));
    m_text->setWordWrap(true);
    m_layout->setContentsMargins(10, 6, 6, 6);
    m_layout->addWidget(m_icon);
    m_layout->addWidget(m_text, 1);
    hide();
}

void EditorBanner::setText(const QString &text)
{
    m_text->setText(text);
    setAccessibleDescription(text);
}

QString EditorBanner::text() const
{
    return m_text->text();
}

QPushButton *EditorBanner::addButton(const QString &text, const QString &objectName,
                                     const QString &icon)
{
    auto *button = new QPushButton(text, this);
    if (!icon.isEmpty())
        button->setIcon(QIcon(icon));
    button->setObjectName(objectName);
    button->setAccessibleName(text);
    m_layout->addWidget(button);
    return button;
}

} // namespace Ferry::Ui
