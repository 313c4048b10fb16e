#pragma once

#include "datastore.h"

#include <QHash>
#include <QPointer>
#include <QWidget>

class QAction;
class QLabel;
class QPushButton;
class QScrollArea;
class QToolButton;
class QUndoStack;

namespace Ferry {
class SyncScheduler;
}

namespace Ferry::Ui {

class EditorBanner;
class ElidedLabel;
class FieldEditor;

// Edits one record of a DataStore in a form built from the schema: one labelled input per
// field, saved to the store field by field the moment an edit is committed. The record on
// screen does not change under the person: changes from other devices refresh only the
// fields they have not started editing, and an unsaved edit is kept and saved over the
// other device's value (the engine merges it at the next sync). New, Duplicate and Delete
// (with Undo) are both buttons here and QActions for a toolbar. GUI thread only.
class RecordEditor : public QWidget
{
    Q_OBJECT

public:
    // `blobFolder` is the profile's content store for blob fields (e.g. <profile>/blobs).
    explicit RecordEditor(DataStore &store, const QString &blobFolder = {},
                          QWidget *parent = nullptr);
    ~RecordEditor() override;

    void setBlobFolder(const QString &folder);
    QString blobFolder() const { return m_blobFolder; }
    // Where file fields fetch files not on this device yet (none: they only say so).
    void setFileFetcher(SyncScheduler *fetcher);

    // The entity New creates a record of while none is open (opening a record sets it).
    void setEntity(const QString &entity);
    QString entity() const { return m_entity; }
    // The open record, empty when none is.
    QString guid() const { return m_guid; }
    LocalRecord record() const { return m_record; }

    // Saves the unsaved valid edits of the record open now, then shows `guid`.
    Status openRecord(const QString &guid);
    void closeRecord();

    // True when a field holds typed content that is not saved (or not valid).
    bool hasUnsavedEdits() const;
    // Saves every unsaved edit that is valid; false when an invalid one is left.
    bool commitEdits();

    // View only (a workspace shared with this account as viewer): fields cannot be edited,
    // New, Duplicate, Delete and Restore are off, and a banner says `why`.
    void setReadOnly(bool readOnly, const QString &why = {});
    bool isReadOnly() const { return m_readOnly; }

    QAction *newAction() const { return m_newAction; }
    QAction *duplicateAction() const { return m_duplicateAction; }
    QAction *deleteAction() const { return m_deleteAction; }
    // Edit > Undo and Redo: the field edits made in this editor, one field at a time, and
    // deletes; an undone edit is a new local edit, synced like any other.
    QUndoStack *undoStack() const { return m_undo; }

public Q_SLOTS:
    // Creates an empty record of entity() and opens it.
    void newRecord();
    // Creates a copy of the open record with a new guid and opens it.
    void duplicateRecord();
    // Deletes the open record (a tombstone that syncs) and offers Undo.
    void deleteRecord();
    // Brings back the record deleted last with deleteRecord().
    void undoDelete();
    // Brings back the open record after it was deleted elsewhere, with this device's values.
    void restoreRecord();

Q_SIGNALS:
    void recordOpened(const QString &guid);
    void recordDeleted(const QString &guid);
    void recordClosed();
    // The person asked to settle the open record's conflict ("Resolve…" in its banner).
    void resolveRequested(const QString &guid);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    // New, Duplicate and Delete show their words while there is room, only icons when not.
    void fitHeaderButtons();
    struct FieldRow
    {
        FieldEditor *editor = nullptr;
        QLabel *label = nullptr;
        QWidget *errorRow = nullptr;
        QLabel *error = nullptr;
        QLabel *note = nullptr;
    };

    void buildHeader();
    void buildFields(const EntityDef &entity);
    void storeChanged(const ChangeSet &change);
    void refresh(ChangeOrigin origin);
    class FieldEdit;
    void commitField(FieldEditor *editor);
    void fillFileDetails(const FieldDef &blob, const QString &path);
    void setFieldError(FieldRow &row, const QString &message);
    void updateHeader();
    void updateConflictBanner();
    void updateActions();
    void showMessage(const QString &message);
    QString entityTitle() const;

    DataStore &m_store;
    QString m_blobFolder;
    QPointer<SyncScheduler> m_fetcher;
    QString m_entity; // the kind of record shown, or to make with New
    QString m_formEntity; // the kind the field editors were built for
    QString m_guid;
    LocalRecord m_record;
    QString m_undoGuid; // deleted here, offered for Undo
    QHash<QString, FieldRow> m_rows;
    QList<FieldEditor *> m_editors; // in schema order

    QLabel *m_entityLabel = nullptr;
    ElidedLabel *m_titleLabel = nullptr;
    QLabel *m_stateLabel = nullptr;
    QList<QToolButton *> m_headerButtons; // New, Duplicate, Delete
    int m_headerButtonsWidth = 0; // the three with their words, as made
    QWidget *m_header = nullptr;
    QLabel *m_message = nullptr;
    QLabel *m_empty = nullptr;
    EditorBanner *m_undoBanner = nullptr;
    EditorBanner *m_deletedBanner = nullptr;
    EditorBanner *m_conflictBanner = nullptr;
    EditorBanner *m_viewOnlyBanner = nullptr;
    QPushButton *m_restoreButton = nullptr;
    bool m_readOnly = false;
    QScrollArea *m_scroll = nullptr;
    QAction *m_newAction;
    QAction *m_duplicateAction;
    QAction *m_deleteAction;
    QUndoStack *m_undo = nullptr;
};

} // namespace Ferry::Ui
