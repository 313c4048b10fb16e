#include "syncoverviewtext.h"

#include <QCoreApplication>
#include <QLocale>

namespace Ferry::Ui {

QString stateText(const SyncOverview &overview)
{
    switch (overview.state) {
    case SyncOverview::State::Synced:
        return QCoreApplication::translate("Ferry", "Synced");
    case SyncOverview::State::Waiting:
        return QCoreApplication::translate("Ferry", "Waiting to sync");
    case SyncOverview::State::Syncing:
        return QCoreApplication::translate("Ferry", "Syncing…");
    case SyncOverview::State::Offline:
        return QCoreApplication::translate("Ferry", "Offline");
    case SyncOverview::State::Paused:
        return QCoreApplication::translate("Ferry", "Syncing paused");
    case SyncOverview::State::Error:
        return QCoreApplication::translate("Ferry", "Sync problem");
    case SyncOverview::State::SignedOut:
        return QCoreApplication::translate("Ferry", "Not signed in");
    case SyncOverview::State::Conflicts:
        return overview.conflicts == 1
            ? QCoreApplication::translate("Ferry", "1 conflict to resolve")
            : QCoreApplication::translate("Ferry", "%1 conflicts to resolve")
                  .arg(QLocale().toString(overview.conflicts));
    }
    return {};
}

QString lastSyncText(const SyncOverview &overview)
{
    if (!overview.lastSync.isValid())
        return QCoreApplication::translate("Ferry", "Never synced");
    const QDateTime local = overview.lastSync.toLocalTime();
    const QLocale locale;
    const QString when = local.date() == QDate::currentDate()
        ? locale.toString(local.time(), QLocale::ShortFormat)
        : locale.toString(local, QLocale::ShortFormat);
    return QCoreApplication::translate("Ferry", "Last synced %1").arg(when);
}

QString pendingText(const SyncOverview &overview)
{
    if (overview.state == SyncOverview::State::SignedOut) {
        // Nothing is synced without a server: say where the changes are instead.
        if (overview.pending == 0)
            return {};
        return overview.pending == 1
            ? QCoreApplication::translate("Ferry", "1 change kept on this computer")
            : QCoreApplication::translate("Ferry", "%1 changes kept on this computer")
                  .arg(QLocale().toString(overview.pending));
    }
    if (overview.pending == 0)
        return QCoreApplication::translate("Ferry", "All changes synced");
    return overview.pending == 1
        ? QCoreApplication::translate("Ferry", "1 change waiting to sync")
        : QCoreApplication::translate("Ferry", "%1 changes waiting to sync")
              .arg(QLocale().toString(overview.pending));
}

QString progressText(const SyncOverview &overview)
{
    const QLocale locale;
    const QString verb = overview.receiving ? QCoreApplication::translate("Ferry", "Receiving")
                                            : QCoreApplication::translate("Ferry", "Sending");
    if (overview.total < 0)
        return QStringLiteral("%1 %2").arg(verb, locale.toString(overview.done));
    return QCoreApplication::translate("Ferry", "%1 %2 of %3")
        .arg(verb, locale.toString(overview.done), locale.toString(overview.total));
}

QString transferText(const SyncOverview &overview)
{
    const QLocale locale;
    QStringList parts;
    if (overview.filesUpTotal > 0)
        parts << QCoreApplication::translate("Ferry", "Sending files: %1 of %2")
                     .arg(locale.formattedDataSize(overview.filesUp),
                          locale.formattedDataSize(overview.filesUpTotal));
    if (overview.filesDownTotal > 0)
        parts << QCoreApplication::translate("Ferry", "Receiving files: %1 of %2")
                     .arg(locale.formattedDataSize(overview.filesDown),
                          locale.formattedDataSize(overview.filesDownTotal));
    return parts.join(QStringLiteral(" · "));
}

} // namespace Ferry::Ui
