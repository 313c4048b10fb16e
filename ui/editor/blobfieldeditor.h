#pragma once

#include "editor/fieldeditor.h"

#include <QHash>
#include <QPointer>

class QLabel;
class QProgressBar;
class QPushButton;

namespace Ferry {
class SyncScheduler;
}

namespace Ferry::Ui {

// A file field: a button (or a file dropped on it) picks a file, which is copied into the
// profile's content store (BlobStore) and the field takes its "sha256:<hex>" value at once.
// Shows the file's name and size and, for images, a scaled preview; opens it with the
// system's application, saves a copy elsewhere, and can be dragged out as a file. A file
// that is not on this device yet says so and offers to fetch it (SyncScheduler), with its
// progress and a way to cancel. GUI thread only.
class BlobFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    BlobFieldEditor(const FieldDef &field, const QString &folder, QWidget *parent = nullptr);

    void setFolder(const QString &folder);
    QString folder() const { return m_folder; }
    // Where files not on this device are fetched from; none: they are only said to be missing.
    void setFetcher(SyncScheduler *fetcher);
    // The file's name as the record keeps it (its schema's fileName field), for Open, Save
    // as and dragging out; empty: the name of a file chosen here, or one made of its id.
    void setFileName(const QString &name);
    // Takes the file at `path` as the field's new value, as choosing it in the dialog does.
    // False (with the reason shown in the editor) if it could not be stored.
    bool chooseFile(const QString &path);
    // The message of the last failed choice, empty after a good one.
    QString lastError() const { return m_error; }
    // A copy of the file under its own name in a temporary folder (what Open and dragging
    // out hand to other programs); empty if the file is not on this device.
    QString exportCopy();
    // Saves a copy at `path`, replacing what is there; false (with the reason shown) if not.
    bool saveCopy(const QString &path);

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

    static constexpr int kPreviewWidth = 240;
    static constexpr int kPreviewHeight = 160;

Q_SIGNALS:
    // A file was chosen and its value committed; `path` is where it was chosen from.
    void fileChosen(const QString &path);
    // Open handed this copy to the system (QDesktopServices).
    void opened(const QString &path);

protected:
    void showValue(const QJsonValue &value) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void browse();
    void clear();
    void open();
    void saveAs();
    void fetch();
    void showFile(const QString &value);
    QString shownName(const QString &value) const;

    QString m_folder;
    QString m_value;
    QString m_error;
    QString m_fileName;
    bool m_readOnly = false;
    QPoint m_pressedAt;
    QPointer<SyncScheduler> m_fetcher;
    QHash<QString, QString> m_names; // blob value -> name of the file it came from
    QPushButton *m_choose;
    QPushButton *m_remove;
    QPushButton *m_open;
    QPushButton *m_saveAs;
    QPushButton *m_fetch;
    QPushButton *m_cancel;
    QProgressBar *m_progress;
    QLabel *m_name;
    QLabel *m_preview;
};

} // namespace Ferry::Ui
