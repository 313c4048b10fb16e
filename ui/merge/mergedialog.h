#pragma once

#include "merge/mergefields.h"
#include "merge/mergetext.h"
#include "records.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPushButton;
class QScrollArea;
class QToolButton;

namespace Ferry {
class DataStore;
}

namespace Ferry::Ui {

class DeleteQuestion;
class FieldMergeRow;

// Side by side, what this device and the other side made of one record, and the result:
// a row per field, the conflicting ones first and marked, fields merged or changed on one
// side shown as such, the unchanged ones behind "Show unchanged". Per field: use mine, use
// theirs, or edit the result (text also per conflicting stretch). For the record: keep
// mine, keep theirs, keep both, or decide later. Edit-vs-delete is one plain question
// instead. The dialog only decides; the caller applies decision() (see openMergeDialog).
// F8 / Alt+Down and Shift+F8 / Alt+Up go to the next and previous conflict, Ctrl+Return
// accepts the result. GUI thread only.
class MergeDialog : public QDialog
{
    Q_OBJECT

public:
    MergeDialog(DataStore &store, const EntityDef &entity, const LocalRecord &local,
                const Conflict &conflict, QWidget *parent = nullptr);
    ~MergeDialog() override;

    QString guid() const { return m_conflict.guid; }
    const Conflict &conflict() const { return m_conflict; }
    // Set once the person decided (the dialog was accepted); empty for "decide later".
    std::optional<ConflictDecision> decision() const { return m_decision; }

    // The conflicting field the keyboard is on (-1 when there is none).
    int currentConflict() const { return m_current; }
    int conflictCount() const { return int(m_conflictRows.size()); }

public Q_SLOTS:
    void nextConflict();
    void previousConflict();
    // Applies the result column: the plain side when every field took one, else a merge.
    void acceptResult();
    void keepMine();
    void keepTheirs();
    void keepBoth();
    void decideLater();

private:
    QWidget *buildHeader();
    QWidget *buildGrid();
    QWidget *buildButtons();
    void buildShortcuts();
    void orderTabs();
    void goToConflict(int index);
    void setShowUnchanged(bool show);
    void fitHeight(bool mayShrink = false);
    void decide(const ConflictDecision &decision);

    const EntityDef m_entity;
    const LocalRecord m_local;
    const Conflict m_conflict;
    DataStore &m_store;
    RecordNames m_names;
    QList<MergeField> m_fields;
    QList<FieldMergeRow *> m_rows;
    QList<FieldMergeRow *> m_conflictRows;
    QList<FieldMergeRow *> m_sameRows;
    QList<QWidget *> m_sameLines;
    std::optional<ConflictDecision> m_decision;
    int m_current = -1;
    bool m_deleteConflict = false;

    QScrollArea *m_scroll = nullptr;
    DeleteQuestion *m_question = nullptr;
    QLabel *m_position = nullptr;
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    QToolButton *m_showUnchanged = nullptr;
    QPushButton *m_keepMine = nullptr;
    QPushButton *m_keepTheirs = nullptr;
    QPushButton *m_keepBoth = nullptr;
    QPushButton *m_later = nullptr;
    QPushButton *m_accept = nullptr;
};

// Opens the merge dialog for the conflict of `guid` (window-modal, not blocking) and applies
// what the person decides through `store`; a conflict that changed while the dialog was
// open is shown again instead of being settled on old values. Returns the dialog, or nullptr
// (after saying why in a message box) when the record has no conflict. An open dialog for
// the same record is raised instead of a second one.
MergeDialog *openMergeDialog(DataStore &store, const QString &guid, QWidget *parent);

} // namespace Ferry::Ui
