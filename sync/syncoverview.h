#pragma once

#include <QDateTime>
#include <QMetaType>
#include <QString>

namespace Ferry {

// What a person needs to know about syncing at a glance: shown by the status bar, the tray
// icon and its tooltip. A plain value; the sync scheduler makes it, the views show it.
struct SyncOverview
{
    enum class State {
        Synced, // caught up, nothing waiting
        Waiting, // caught up with the server, but changes made here are not sent yet
        Syncing, // a cycle is running
        Offline, // the server cannot be reached; retrying quietly
        Paused, // the person paused syncing
        Error, // needs the person: signed out, refused, server gone for long
        Conflicts, // caught up, but conflicts wait for a decision
        SignedOut, // no server or token: records stay here until someone signs in
    };
    State state = State::Synced;
    QDateTime lastSync; // last successful cycle; invalid if never
    qint64 pending = 0; // local changes not yet on the server
    qint64 conflicts = 0; // open conflicts
    qint64 done = 0; // progress of a running cycle
    qint64 total = -1; //   (-1: unknown)
    bool receiving = false; //   true: receiving, false: sending
    QString message; // for Error and Offline: what happened and what to do
    bool live = false; // the server's notify socket is open: changes elsewhere show at once
    // Files on their way (SyncScheduler::fetchFile(), and files sent before their records),
    // once a transfer has lasted a second: bytes so far and in all, each way.
    qint64 filesUp = 0;
    qint64 filesUpTotal = 0;
    qint64 filesDown = 0;
    qint64 filesDownTotal = 0;
    bool transferring() const { return filesUpTotal > 0 || filesDownTotal > 0; }

    bool operator==(const SyncOverview &) const = default;
};

QString stateName(SyncOverview::State state);

} // namespace Ferry

Q_DECLARE_METATYPE(Ferry::SyncOverview)
