#include "settings/appsettings.h"

#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Ferry;
using namespace Ferry::Ui;

class TestAppSettings : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // Keep the person's real profiles out of it: they go under the temporary folder.
        qputenv("XDG_DATA_HOME", m_dir.filePath(QStringLiteral("data")).toUtf8());
    }

    void init()
    {
        AppSettings(QStringLiteral("work")).clear();
        AppSettings().clear();
    }

    void defaults()
    {
        const AppSettings settings(QStringLiteral("work"));
        QVERIFY(settings.fileName().startsWith(m_dir.path()));
        // One file per profile, in the profile's folder.
        QCOMPARE(settings.fileName(), Profile(QStringLiteral("work")).settingsPath());
        QCOMPARE(settings.profile(), QStringLiteral("work"));
        QVERIFY(!settings.isConfigured());
        QVERIFY(settings.serverUrl().isEmpty());
        QCOMPARE(settings.syncIntervalSeconds(), 300);
        QVERIFY(!settings.isPaused());
        QVERIFY(!settings.startAtLogin());
        QVERIFY(!settings.trayNoticeShown());
        QVERIFY(!settings.useLocalServer());
        QVERIFY(settings.localServerDataDir().isEmpty());
        QCOMPARE(AppSettings().profile(), QStringLiteral("default"));
    }

    void roundTrip()
    {
        {
            AppSettings settings(QStringLiteral("work"));
            settings.setServerUrl(QUrl(QStringLiteral("https://ferry.example.com:8443/base")));
            settings.setWorkspace(QStringLiteral("ws-42"));
            settings.setUserName(QStringLiteral("ada"));
            settings.setSyncIntervalSeconds(120);
            settings.setPaused(true);
            settings.setStartAtLogin(true);
            settings.setTrayNoticeShown(true);
            settings.setUseLocalServer(true);
            settings.setLocalServerDataDir(QStringLiteral("/data/ferry-server"));
            settings.sync();
        }
        const AppSettings again(QStringLiteral("work"));
        QCOMPARE(again.serverUrl(), QUrl(QStringLiteral("https://ferry.example.com:8443/base")));
        QCOMPARE(again.workspace(), QStringLiteral("ws-42"));
        QCOMPARE(again.userName(), QStringLiteral("ada"));
        QCOMPARE(again.syncIntervalSeconds(), 120);
        QVERIFY(again.isPaused());
        QVERIFY(again.startAtLogin());
        QVERIFY(again.trayNoticeShown());
        QVERIFY(again.useLocalServer());
        QCOMPARE(again.localServerDataDir(), QStringLiteral("/data/ferry-server"));
        QVERIFY(again.isConfigured());

        // Stored as readable text in the profile's settings file, where Profile (and so
        // ferry-cli) reads the same account.
        QSettings raw(Profile(QStringLiteral("work")).settingsPath(), QSettings::IniFormat);
        QCOMPARE(raw.value(QStringLiteral("account/server")).toString(),
                 QStringLiteral("https://ferry.example.com:8443/base"));
        QCOMPARE(raw.value(QStringLiteral("desktop/syncIntervalSeconds")).toInt(), 120);
        const ProfileAccount account = Profile(QStringLiteral("work")).account();
        QCOMPARE(account.workspace, QStringLiteral("ws-42"));
        QCOMPARE(account.user, QStringLiteral("ada"));
        QVERIFY(account.localServer);
        QVERIFY(Profile::names().contains(QStringLiteral("work")));
    }

    void profilesAreSeparate()
    {
        AppSettings work(QStringLiteral("work"));
        work.setServerUrl(QUrl(QStringLiteral("https://work.example.com")));
        work.setSyncIntervalSeconds(600);
        const AppSettings home;
        QVERIFY(home.serverUrl().isEmpty());
        QCOMPARE(home.syncIntervalSeconds(), 300);
        work.clear();
        QVERIFY(AppSettings(QStringLiteral("work")).serverUrl().isEmpty());
    }

    void isConfiguredNeedsAWebAddressOrTheLocalServer()
    {
        AppSettings settings(QStringLiteral("work"));
        settings.setServerUrl(QUrl(QStringLiteral("ftp://files.example.com")));
        QVERIFY(!settings.isConfigured());
        settings.setServerUrl(QUrl(QStringLiteral("http://127.0.0.1:8080")));
        QVERIFY(settings.isConfigured());
        settings.setServerUrl(QUrl());
        settings.setUseLocalServer(true);
        QVERIFY(settings.isConfigured());
    }

    void syncIntervalStaysSensible()
    {
        AppSettings settings(QStringLiteral("work"));
        settings.setSyncIntervalSeconds(1);
        QCOMPARE(settings.syncIntervalSeconds(), 30);
        settings.setSyncIntervalSeconds(10 * 24 * 3600);
        QCOMPARE(settings.syncIntervalSeconds(), 24 * 3600);
        // A hand-edited file with nonsense falls back to the default.
        QSettings raw(Profile(QStringLiteral("work")).settingsPath(), QSettings::IniFormat);
        raw.setValue(QStringLiteral("desktop/syncIntervalSeconds"), QStringLiteral("often"));
        raw.sync();
        QCOMPARE(AppSettings(QStringLiteral("work")).syncIntervalSeconds(), 300);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestAppSettings)
#include "tst_appsettings.moc"
