#pragma once

#include <QLabel>

namespace Ferry::Ui {

// A one-line label for text of any length, such as a record's title: it asks for no more
// width than a few characters and shows what fits, ending in "…", with the whole text as
// its tooltip. A long unbroken title cannot widen the window.
class ElidedLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ElidedLabel(QWidget *parent = nullptr);

    void setFullText(const QString &text);
    QString fullText() const { return m_fullText; }

    QSize minimumSizeHint() const override;
    QSize sizeHint() const override;

protected:
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void elide();

    QString m_fullText;
};

} // namespace Ferry::Ui
