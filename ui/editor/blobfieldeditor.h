#pragma once

#include "editor/fieldeditor.h"

#include <QHash>

class QLabel;
class QPushButton;

namespace Ferry::Ui {

// A file picker for blob fields: a button opens a file dialog, the chosen file is copied
// into the profile's content store (BlobStore) and the field takes its "sha256:<hex>"
// value at once. Shows the file's name and size and, for images, a scaled preview. GUI
// thread only.
class BlobFieldEditor : public FieldEditor
{
    Q_OBJECT

public:
    BlobFieldEditor(const FieldDef &field, const QString &folder, QWidget *parent = nullptr);

    void setFolder(const QString &folder);
    QString folder() const { return m_folder; }
    // Takes the file at `path` as the field's new value, as choosing it in the dialog does.
    // False (with the reason shown in the editor) if it could not be stored.
    bool chooseFile(const QString &path);
    // The message of the last failed choice, empty after a good one.
    QString lastError() const { return m_error; }

    Result<QJsonValue> value() const override;
    void setReadOnly(bool readOnly) override;

    static constexpr int kPreviewWidth = 240;

Q_SIGNALS:
    // A file was chosen and its value committed; `path` is where it was chosen from.
    void fileChosen(const QString &path);

public:
    static constexpr int kPreviewHeight = 160;

protected:
    void showValue(const QJsonValue &value) override;

private:
    void browse();
    void clear();
    void showFile(const QString &value);

    QString m_folder;
    QString m_value;
    QString m_error;
    QHash<QString, QString> m_names; // blob value -> name of the file it came from
    QPushButton *m_choose;
    QPushButton *m_remove;
    QLabel *m_name;
    QLabel *m_preview;
};

} // namespace Ferry::Ui
