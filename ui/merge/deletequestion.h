#pragma once

#include "merge/mergetext.h"
#include "records.h"

#include <QWidget>

class QCommandLinkButton;

namespace Ferry::Ui {

// The merge dialog's body when one side deleted the record and the other edited it: one
// plain question with two answers, and what would be kept. "Restore with my edits" or
// "Accept the delete" when the other side deleted it; "Keep it deleted" or "Restore with
// their edits" when this device did. GUI thread only.
class DeleteQuestion : public QWidget
{
    Q_OBJECT

public:
    DeleteQuestion(const EntityDef &entity, const LocalRecord &local, const Conflict &conflict,
                   const RecordNames &names, QWidget *parent = nullptr);

    QCommandLinkButton *mineButton() const { return m_mine; }
    QCommandLinkButton *theirsButton() const { return m_theirs; }

Q_SIGNALS:
    // KeepMine: this device's side wins (restore with my edits, or keep my delete).
    void chosen(Ferry::Resolution resolution);

private:
    QWidget *valuesTable(const EntityDef &entity, const LocalRecord &local,
                         const Conflict &conflict, const RecordNames &names);

    QCommandLinkButton *m_mine = nullptr;
    QCommandLinkButton *m_theirs = nullptr;
};

} // namespace Ferry::Ui
