#pragma once

#include "datastore.h"
#include "mainwindow/mainwindow.h"
#include "serverprocess.h"
#include "syncscheduler.h"

#include <QTemporaryDir>

#include <memory>

namespace FerryTest {

// One desktop "device" for widget tests: a profile store, its sync scheduler (paused, so
// only what the test does syncs) and the main window, on a workspace of its own on a real
// ferry-server that lives for the whole test case.
struct DesktopFixture
{
    ServerProcess server;
    QString owner;
    QString token;
    Ferry::SyncConfig config;
    std::unique_ptr<QTemporaryDir> dir;
    std::unique_ptr<Ferry::DataStore> data;
    std::unique_ptr<Ferry::SyncScheduler> scheduler;
    std::unique_ptr<Ferry::Ui::MainWindow> window;

    // Once per test case.
    bool startServer(const QString &user)
    {
        owner = user;
        if (!server.start())
            return false;
        token = server.createToken(user);
        return !token.isEmpty();
    }

    // Before each test: a fresh workspace, profile, scheduler and window.
    void setUp()
    {
        config = Ferry::SyncConfig {server.url(), token, server.newWorkspace(owner)};
        dir = std::make_unique<QTemporaryDir>();
        const QString path = dir->filePath(QStringLiteral("ferry.db"));
        data = Ferry::DataStore::open(path, Ferry::Schema::defaultSchema()).value();
        scheduler = std::make_unique<Ferry::SyncScheduler>(data.get(), path);
        scheduler->setConfig(config);
        scheduler->setPaused(true);
        window = std::make_unique<Ferry::Ui::MainWindow>(*data, *scheduler,
                                                         dir->filePath(QStringLiteral("blobs")));
    }

    void tearDown()
    {
        window.reset();
        scheduler.reset();
        data.reset();
        dir.reset();
    }
};

} // namespace FerryTest
