#include "blobfieldeditor.h"

#include "blobstore.h"

#include "syncscheduler.h"

#include <QApplication>
#include <QDesktopServices>
#include <QDir>
#include <QDrag>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QImageReader>
#include <QLabel>
#include <QLocale>
#include <QMimeData>
#include <QMouseEvent>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QUrl>
#include <QVBoxLayout>

namespace Ferry::Ui {

using namespace Qt::StringLiterals;

BlobFieldEditor::BlobFieldEditor(const FieldDef &field, const QString &folder, QWidget *parent)
    : FieldEditor(field, parent)
    , m_folder(folder)
    , m_choose(new QPushButton(QIcon(QStringLiteral(":/icons/editor/file.svg")), tr("Choose file…"),
                               this))
    , m_remove(new QPushButton(tr("Remove"), this))
    , m_open(new QPushButton(tr("Open"), this))
    , m_saveAs(new QPushButton(tr("Save as…"), this))
    , m_fetch(new QPushButton(tr("Download"), this))
    , m_cancel(new QPushButton(tr("Cancel"), this))
    , m_progress(new QProgressBar(this))
    , m_name(new QLabel(this))
    , m_preview(new QLabel(this))
{
    setInput(m_choose);
    m_choose->setAccessibleName(tr("Choose a file for %1").arg(field.title));
    nameInput(m_remove, QStringLiteral("_remove"));
    m_remove->setAccessibleName(tr("Remove the file of %1").arg(field.title));
    nameInput(m_open, QStringLiteral("_open"));
    m_open->setToolTip(tr("Open the file with the application your system uses for it"));
    nameInput(m_saveAs, QStringLiteral("_saveAs"));
    m_saveAs->setToolTip(tr("Save a copy of the file somewhere else"));
    nameInput(m_fetch, QStringLiteral("_fetch"));
    m_fetch->setToolTip(tr("Download the file from the server to this device"));
    nameInput(m_cancel, QStringLiteral("_cancel"));
    m_cancel->setToolTip(tr("Stop downloading; what arrived is kept for the next try"));
    nameInput(m_progress, QStringLiteral("_progress"));
    m_progress->setAccessibleName(tr("Download of %1").arg(field.title));
    m_progress->setMinimumWidth(m_progress->fontMetrics().horizontalAdvance(
                                    tr("%1 of %2").arg(u"000.00 MiB"_s, u"000.00 MiB"_s))
                                + 32);
    nameInput(m_name, QStringLiteral("_name"));
    m_name->setTextInteractionFlags(Qt::TextSelectableByMouse);
    // The file's name and size wrap in the room beside the buttons: a long name must not
    // widen the editor past its pane (it scrolled sideways before).
    m_name->setWordWrap(true);
    m_name->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    nameInput(m_preview, QStringLiteral("_preview"));
    m_preview->setAccessibleName(tr("Preview of %1").arg(field.title));
    m_preview->setToolTip(tr("Drag the picture out to copy the file"));
    m_preview->setFrameShape(QFrame::StyledPanel);
    m_preview->setAlignment(Qt::AlignCenter);
    m_preview->hide();
    // Both the preview and the name can be dragged out as the file.
    m_preview->installEventFilter(this);
    m_name->installEventFilter(this);
    setAcceptDrops(true);

    // Choosing on the first line; what can be done with the file under its name: the
    // editor's pane is narrow, and one line of every button would not fit it.
    auto *choose = new QHBoxLayout;
    choose->setSpacing(6);
    choose->addWidget(m_choose);
    choose->addWidget(m_remove);
    choose->addStretch(1);
    auto *actions = new QHBoxLayout;
    actions->setSpacing(6);
    for (QWidget *w : {static_cast<QWidget *>(m_open), static_cast<QWidget *>(m_saveAs),
                       static_cast<QWidget *>(m_fetch), static_cast<QWidget *>(m_progress),
                       static_cast<QWidget *>(m_cancel)})
        actions->addWidget(w);
    actions->addStretch(1);
    auto *layout = new QVBoxLayout;
    layout->setSpacing(4);
    layout->addLayout(choose);
    layout->addWidget(m_name);
    layout->addLayout(actions);
    layout->addWidget(m_preview, 0, Qt::AlignLeft);
    row()->addLayout(layout);
    showFile({});
    connect(m_choose, &QPushButton::clicked, this, &BlobFieldEditor::browse);
    connect(m_remove, &QPushButton::clicked, this, &BlobFieldEditor::clear);
    connect(m_open, &QPushButton::clicked, this, &BlobFieldEditor::open);
    connect(m_saveAs, &QPushButton::clicked, this, &BlobFieldEditor::saveAs);
    connect(m_fetch, &QPushButton::clicked, this, &BlobFieldEditor::fetch);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        if (m_fetcher)
            m_fetcher->cancelFetch(m_value);
    });
}

void BlobFieldEditor::setFetcher(SyncScheduler *fetcher)
{
    if (m_fetcher)
        m_fetcher->disconnect(this);
    m_fetcher = fetcher;
    if (fetcher) {
        connect(fetcher, &SyncScheduler::fileFetchProgress, this,
                [this](const QString &blob, qint64 done, qint64 total) {
                    if (blob != m_value)
                        return;
                    m_progress->setRange(0, total > 0 ? 1000 : 0);
                    if (total > 0)
                        m_progress->setValue(int(1000 * qBound<qint64>(0, done, total) / total));
                    m_progress->setFormat(tr("%1 of %2")
                                              .arg(QLocale().formattedDataSize(done),
                                                   QLocale().formattedDataSize(total)));
                });
        connect(fetcher, &SyncScheduler::fileFetched, this,
                [this](const QString &blob, const Error &error) {
                    if (blob != m_value)
                        return;
                    showFile(m_value);
                    if (!error.code.isEmpty() && error.code != QLatin1String("cancelled"))
                        m_name->setText(tr("%1 — could not download it: %2")
                                            .arg(shownName(m_value), error.message));
                });
    }
    showFile(m_value);
}

void BlobFieldEditor::setFileName(const QString &name)
{
    // Only the last part: a name from another device never picks a folder here.
    m_fileName = QFileInfo(name).fileName();
    showFile(m_value);
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
    m_readOnly = readOnly;
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

QString BlobFieldEditor::shownName(const QString &value) const
{
    if (!m_fileName.isEmpty())
        return m_fileName;
    // The hash names the bytes; without a name in the record, only files chosen here have one.
    return m_names.value(value, tr("File %1…").arg(value.mid(7, 12)));
}

void BlobFieldEditor::showFile(const QString &value)
{
    m_remove->setEnabled(!value.isEmpty() && !m_readOnly);
    m_preview->clear();
    m_preview->hide();
    const bool here = BlobStore::has(m_folder, value);
    const bool fetching = !value.isEmpty() && m_fetcher && m_fetcher->isFetching(value);
    m_open->setVisible(here);
    m_saveAs->setVisible(here);
    m_fetch->setVisible(!value.isEmpty() && !here && !fetching);
    m_fetch->setEnabled(m_fetcher != nullptr);
    m_progress->setVisible(fetching);
    m_cancel->setVisible(fetching);
    if (value.isEmpty()) {
        m_name->setText(tr("No file"));
        return;
    }
    const QString name = shownName(value);
    if (fetching) {
        m_name->setText(tr("%1 (downloading…)").arg(name));
        return;
    }
    if (!here) {
        m_name->setText(m_fetcher ? tr("%1 is not on this device yet.").arg(name)
                                  : tr("%1 (not on this device yet)").arg(name));
        return;
    }
    const QString path = BlobStore::filePath(m_folder, value);
    m_name->setText(tr("%1 · %2").arg(name, QLocale().formattedDataSize(QFileInfo(path).size())));
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

void BlobFieldEditor::fetch()
{
    if (!m_fetcher || m_value.isEmpty())
        return;
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_fetcher->fetchFile(m_value);
    showFile(m_value);
}

QString BlobFieldEditor::exportCopy()
{
    if (!BlobStore::has(m_folder, m_value))
        return {};
    // A folder per file, so the copy keeps its own name (and the system its type).
    const QString dir = QDir(QStandardPaths::writableLocation(QStandardPaths::TempLocation))
                            .filePath(QStringLiteral("ferry-files/") + m_value.mid(7, 16));
    QString name = shownName(m_value);
    name.replace(QLatin1Char('/'), QLatin1Char('_'));
    if (name.endsWith(QChar(0x2026)))
        name = m_value.mid(7, 12);
    const QString path = QDir(dir).filePath(name);
    const QString source = BlobStore::filePath(m_folder, m_value);
    if (QFileInfo(path).size() == QFileInfo(source).size())
        return path;
    if (!QDir().mkpath(dir)) {
        m_name->setText(tr("Cannot make a copy of the file in %1.").arg(dir));
        return {};
    }
    QFile::remove(path);
    if (!QFile::copy(source, path)) {
        m_name->setText(tr("Cannot make a copy of the file in %1.").arg(dir));
        return {};
    }
    return path;
}

void BlobFieldEditor::open()
{
    const QString path = exportCopy();
    if (path.isEmpty())
        return;
    Q_EMIT opened(path);
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(path)))
        m_name->setText(
            tr("No application on this computer opens %1.").arg(QFileInfo(path).fileName()));
}

bool BlobFieldEditor::saveCopy(const QString &path)
{
    const QString source = BlobStore::filePath(m_folder, m_value);
    // Written beside and renamed: a failure never leaves half a file where it was asked for.
    const QString partial = path + QStringLiteral(".part");
    QFile::remove(partial);
    if (!QFile::copy(source, partial) || (QFile::exists(path) && !QFile::remove(path))
        || !QFile::rename(partial, path)) {
        QFile::remove(partial);
        m_name->setText(tr("Cannot save the file as %1.").arg(path));
        return false;
    }
    return true;
}

void BlobFieldEditor::saveAs()
{
    if (!BlobStore::has(m_folder, m_value))
        return;
    const QString start = QDir(QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation))
                              .filePath(shownName(m_value));
    const QString path
        = QFileDialog::getSaveFileName(this, tr("Save a copy of %1").arg(field().title), start);
    if (!path.isEmpty())
        saveCopy(path);
}

void BlobFieldEditor::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!m_readOnly && urls.size() == 1 && urls.first().isLocalFile()
        && QFileInfo(urls.first().toLocalFile()).isFile())
        event->acceptProposedAction();
}

void BlobFieldEditor::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (m_readOnly || urls.size() != 1 || !urls.first().isLocalFile())
        return;
    event->acceptProposedAction();
    chooseFile(urls.first().toLocalFile());
}

bool BlobFieldEditor::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_preview && watched != m_name)
        return FieldEditor::eventFilter(watched, event);
    if (event->type() == QEvent::MouseButtonPress) {
        m_pressedAt = static_cast<QMouseEvent *>(event)->position().toPoint();
    } else if (event->type() == QEvent::MouseMove) {
        auto *move = static_cast<QMouseEvent *>(event);
        if (!(move->buttons() & Qt::LeftButton)
            || (move->position().toPoint() - m_pressedAt).manhattanLength()
                < QApplication::startDragDistance())
            return false;
        const QString path = exportCopy();
        if (path.isEmpty())
            return false;
        auto *drag = new QDrag(this);
        auto *mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(path)});
        drag->setMimeData(mime);
        if (!m_preview->pixmap().isNull())
            drag->setPixmap(m_preview->pixmap().scaled(64, 64, Qt::KeepAspectRatio));
        drag->exec(Qt::CopyAction);
        return true;
    }
    return false;
}

} // namespace Ferry::Ui
