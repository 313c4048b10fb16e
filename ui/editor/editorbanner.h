#pragma once

#include <QFrame>

class QLabel;
class QPushButton;
class QHBoxLayout;

namespace Ferry::Ui {

// A strip across the top of the record editor that says what just happened to the record
// (deleted here, deleted on another device) and offers the way back. GUI thread only.
class EditorBanner : public QFrame
{
    Q_OBJECT

public:
    enum class Tone { Info, Warning };

    EditorBanner(const QString &objectName, Tone tone, QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const;
    QPushButton *addButton(const QString &text, const QString &objectName,
                           const QString &icon = {});

private:
    QLabel *m_icon;
    QLabel *m_text;
    QHBoxLayout *m_layout;
};

} // namespace Ferry::Ui
