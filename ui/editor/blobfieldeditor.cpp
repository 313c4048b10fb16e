#include "blobfieldeditor.h"

#include "blobstore.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QGridLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QStandardPaths>

namespace Ferry::Ui {

BlobFieldEditor::BlobFieldEditor(const FieldDef &field, const QString &folder, QWidget *parent)
    : FieldEditor(field, parent)
    , m_folder(folder)
    , m_choose(new QPushButton(QIcon(QStringLiteral(":/icons/editor/file.svg")), tr("Choose file…"),
                               this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_name(new QLabel(this))
    , m_preview(new QLabel(this))
{
    setInput(m_choose);
    m_choose->setAccessibleName(tr("Choose a file for %1").arg(field.title));
    nameInput(m_remove, QStringLiteral("_remove"));
    m_remove->setAccessibleName(tr("Remove the file of %1").arg(field.title));
    nameInput(m_name, QStringLiteral("_name"));
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The file's name and size wrap in the room beside the buttons: a long name must not
    // widen the editor past its pane (it scrolled sideways before).
    m_name->setWordWrap(true);
    m_name->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    nameInput(m_preview, QStringLiteral("_preview"));
    m_preview->setAccessibleName(tr("Preview of %1").arg(field.title));
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->hide();

    auto *layout = new QGridLayout;
    row()->addLayout(layout);
    layout->addWidget(m_choose, 0, 0);
    layout->addWidget(m_remove, 0, 1);
    layout->addWidget(m_name, 0, 2);
    layout->setColumnStretch(2, 1);
    layout->addWidget(m_preview, 1, 0, 1, 3, Qt::AlignLeft);
    showFile({});
    connect(m_choose, &QPushButton::clicked, this, &BlobFieldEditor::browse);
    connect(m_remove, &QPushButton::clicked, this, &BlobFieldEditor::clear);
}

void BlobFieldEditor::setFolder(const QString &folder)
{
    m_folder = folder;
    showFile(m_value);
}

bool BlobFieldEditor::chooseFile(const QString &path)
{
    const Result<QString> stored = BlobStore::add(m_folder, path);
    if (!stored) {
        m_error = stored.error().message;
        m_name->setText(m_error);
        return false;
    }
    m_error.clear();
    m_names.insert(stored.value(), QFileInfo(path).fileName());
    m_value = stored.value();
    showFile(m_value);
    markEdited();
    commit();
    Q_EMIT fileChosen(path);
    return true;
}

Result<QJsonValue> BlobFieldEditor::value() const
{
    if (m_value.isEmpty())
        return QJsonValue(QJsonValue::Null);
    return field().parse(m_value);
}

void BlobFieldEditor::setReadOnly(bool readOnly)
{
    m_choose->setEnabled(!readOnly);
    m_remove->setEnabled(!readOnly && !m_value.isEmpty());
}

void BlobFieldEditor::showValue(const QJsonValue &value)
{
    m_value = value.toString();
    showFile(m_value);
}

void BlobFieldEditor::browse()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Choose a file for %1").arg(field().title),
        QStandardPaths::writableLocation(QStandardPaths::PicturesLocation));
    if (!path.isEmpty())
        chooseFile(path);
}

void BlobFieldEditor::clear()
{
    m_value.clear();
    showFile(m_value);
    markEdited();
    commit();
}

void BlobFieldEditor::showFile(const QString &value)
{
    m_remove->setEnabled(!value.isEmpty() && m_choose->isEnabled());
    m_preview->clear();
    m_preview->hide();
    if (value.isEmpty()) {
        m_name->setText(tr("No file"));
        return;
    }
    const QString path = BlobStore::filePath(m_folder, value);
    const QFileInfo info(path);
    // The hash names the bytes; the original file name is only known for files chosen here.
    const QString name = m_names.value(value, tr("File %1…").arg(value.mid(7, 12)));
    if (!info.exists()) {
        m_name->setText(tr("%1 (not on this device yet)").arg(name));
        return;
    }
    m_name->setText(tr("%1 · %2").arg(name, QLocale().formattedDataSize(info.size())));
    QImageReader reader(path);
    if (!reader.canRead())
        return;
    const QSize size = reader.size();
    if (size.isValid())
        reader.setScaledSize(
            size.scaled(QSize(kPreviewWidth, kPreviewHeight), Qt::KeepAspectRatio).boundedTo(size));
    const QImage image = reader.read();
    if (image.isNull())
        return;
    m_preview->setPixmap(QPixmap::fromImage(image));
    m_preview->show();
}

} // namespace Ferry::Ui
