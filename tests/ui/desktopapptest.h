#pragma once

#include "desktopapp.h"
#include "localstore.h"
#include "profile.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QWidget>

// What the tests that start the whole desktop app (DesktopApp) share.
namespace FerryTest::DesktopAppTest {

// Settings, profiles and the token file go to `home`, under `application`'s name.
inline void useHome(const QTemporaryDir &home, const QString &application)
{
    qputenv("XDG_CONFIG_HOME", home.filePath(QStringLiteral("config")).toUtf8());
    qputenv("XDG_DATA_HOME", home.filePath(QStringLiteral("data")).toUtf8());
    QApplication::setOrganizationName(QStringLiteral("FerryTest"));
    QApplication::setApplicationName(application);
}

// With FERRY_SHOT_DIR set, saves what `widget` shows as <FERRY_SHOT_DIR>/<name>.png, so a
// journey's windows and dialogs can be looked at; otherwise does nothing.
inline void shot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("FERRY_SHOT_DIR");
    if (dir.isEmpty() || !widget)
        return;
    QDir().mkpath(dir);
    // What a person sees: the frame after pending layouts are done, not the one before.
    for (int i = 0; i < 3; ++i) {
        QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
        QCoreApplication::processEvents();
    }
    widget->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")));
}

// The visible top-level widget with this objectName, or nullptr.
inline QWidget *topLevel(const char *name)
{
    const QList<QWidget *> widgets = QApplication::topLevelWidgets();
    for (QWidget *w : widgets) {
        if (w->objectName() == QLatin1String(name) && w->isVisible())
            return w;
    }
    return nullptr;
}

// Records of `entity` in the store the profile keeps for `workspace` (empty: its first
// store), read through a connection of our own; -1 if that store does not exist (yet).
inline qint64 countIn(const QString &profile, const QString &workspace = {},
                      const QString &entity = QStringLiteral("Post"))
{
    const QString path = Ferry::Profile(profile).storePath(workspace);
    if (!QFileInfo::exists(path))
        return -1;
    auto store = Ferry::LocalStore::open(path, Ferry::Schema::defaultSchema());
    if (!store)
        return -1;
    Ferry::Result<qint64> n = store.value()->count(entity);
    return n ? n.value() : -1;
}

// The live records of `entity` in the profile's first store, read through a connection of
// our own (empty if the store does not exist yet).
inline QList<Ferry::LocalRecord> recordsIn(const QString &profile,
                                           const QString &entity = QStringLiteral("Post"))
{
    const QString path = Ferry::Profile(profile).firstStorePath();
    if (!QFileInfo::exists(path))
        return {};
    auto store = Ferry::LocalStore::open(path, Ferry::Schema::defaultSchema());
    if (!store)
        return {};
    Ferry::Result<QList<Ferry::LocalRecord>> records = store.value()->records(entity);
    return records ? records.value() : QList<Ferry::LocalRecord>();
}

} // namespace FerryTest::DesktopAppTest
