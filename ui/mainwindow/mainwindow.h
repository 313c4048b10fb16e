#pragma once

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QAction;
class QDockWidget;
class QLabel;
class QLineEdit;
class QListView;
class QTableView;

namespace Ferry {
class DataStore;
class SyncScheduler;
struct SyncOverview;
} // namespace Ferry

namespace Ferry::Ui {

class ActivityLogView;
class ConflictsPanel;
class EntityListModel;
class RecordEditor;
class RecordFilterProxy;
class RecordTableModel;
class SyncStatusBar;
class TrashDialog;
class WorkspaceSwitcher;

// Ferry's main window: entities in a sidebar, the records of the chosen one in a sortable,
// searchable table, the open record in an editor beside it, a Sync button, the sync state in
// the status bar, and the open conflicts with their count in a panel (double-clicking a
// record in conflict opens its merge dialog). Everything it shows comes from the local store,
// so it works the same offline. GUI thread.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    MainWindow(DataStore &store, SyncScheduler &scheduler, const QString &blobFolder,
               QWidget *parent = nullptr);
    ~MainWindow() override;

    // With a tray, closing the window hides it and Ferry keeps syncing.
    void setCloseToTray(bool enabled) { m_closeToTray = enabled; }

    void showEntity(const QString &entity);
    QString currentEntity() const { return m_entity; }
    RecordTableModel *recordModel() const { return m_model.get(); }
    RecordEditor *editor() const { return m_editor; }
    ConflictsPanel *conflictsPanel() const { return m_conflicts; }

    // View only: records can be read, not changed (a workspace shared as viewer); `why` is
    // shown above the record.
    void setReadOnly(bool readOnly, const QString &why = {});

    // Shows the conflicts panel, and the window if it was hidden.
    void showConflicts();
    // Opens the merge dialog for the record's conflict.
    void resolveConflict(const QString &guid);

    // The workspace switcher in the toolbar (also the File menu's Workspace submenu).
    WorkspaceSwitcher *workspaceSwitcher() const { return m_workspaces; }
    QAction *syncAction() const { return m_syncAction; }
    QAction *settingsAction() const { return m_settingsAction; }
    QAction *shareAction() const { return m_shareAction; }
    QAction *quitAction() const { return m_quitAction; }
    QAction *conflictsAction() const { return m_conflictsAction; }
    QAction *resolveAction() const { return m_resolveAction; }
    // Records → Trash…: opens the TrashDialog.
    QAction *trashAction() const { return m_trashAction; }

Q_SIGNALS:
    void settingsRequested();
    void shareRequested();
    void quitRequested();
    void closedToTray();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void onOverview(const SyncOverview &overview);
    void onEntityActivated(const QModelIndex &index);
    void onCurrentRowChanged(const QModelIndex &current);
    void selectRecord(const QString &guid);
    void onRecordDoubleClicked(const QModelIndex &index);
    void updateConflictActions();
    void updateSearchResult();

    DataStore &m_store;
    SyncScheduler &m_scheduler;
    QString m_entity;
    bool m_closeToTray = false;

    EntityListModel *m_entities = nullptr;
    std::unique_ptr<RecordTableModel> m_model;
    RecordFilterProxy *m_proxy = nullptr;

    QListView *m_sidebar = nullptr;
    QLineEdit *m_search = nullptr;
    QLabel *m_searchResult = nullptr; // "3 of 10", "No matches" while searching
    QTableView *m_table = nullptr;
    RecordEditor *m_editor = nullptr;
    SyncStatusBar *m_status = nullptr;
    WorkspaceSwitcher *m_workspaces = nullptr;
    ActivityLogView *m_activity = nullptr;
    QDockWidget *m_activityDock = nullptr;
    ConflictsPanel *m_conflicts = nullptr;
    QDockWidget *m_conflictsDock = nullptr;

    QAction *m_syncAction = nullptr;
    QAction *m_settingsAction = nullptr;
    QAction *m_shareAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_conflictsAction = nullptr;
    QAction *m_resolveAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_trashAction = nullptr;
    QPointer<TrashDialog> m_trash;
    bool m_readOnly = false;
    QString m_readOnlyWhy;
};

} // namespace Ferry::Ui
