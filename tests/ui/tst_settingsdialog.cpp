#include "settings/appsettings.h"
#include "settings/autostart.h"
#include "settings/settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include "widgetfinder.h"

using namespace Ferry::Ui;
using FerryTest::child;

namespace {

void setSpinByTyping(QSpinBox *spin, const QString &text)
{
    spin->setFocus();
    QTest::keyClick(spin, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClicks(spin, text);
}

// Clicks the box itself: a check box stretched across a form is only clickable on its
// indicator and text, as for a person.
void clickBox(QCheckBox *box)
{
    QTest::mouseClick(box, Qt::LeftButton, {}, QPoint(8, box->height() / 2));
}

} // namespace

class TestSettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Profiles (with their settings) go under a folder of the test's own.
        qputenv("XDG_DATA_HOME", QFile::encodeName(m_dir.path()));
    }

    void init()
    {
        m_config = std::make_unique<QTemporaryDir>();
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config->path()));
        AppSettings settings;
        settings.clear();
        settings.setServerUrl(QUrl(QStringLiteral("https://ferry.example.com")));
        settings.setSyncIntervalSeconds(300);
    }

    void showsTheCurrentSettings()
    {
        AppSettings settings;
        SettingsDialog dialog(settings);
        dialog.show();
        auto *url = child<QLineEdit>(dialog, "serverUrlField");
        QCOMPARE(url->text(), QStringLiteral("https://ferry.example.com"));
        QVERIFY(url->isReadOnly());
        QCOMPARE(child<QSpinBox>(dialog, "syncIntervalSpin")->value(), 5);
        QVERIFY(!child<QCheckBox>(dialog, "pauseCheck")->isChecked());
        QVERIFY(!child<QCheckBox>(dialog, "startAtLoginCheck")->isChecked());
        QVERIFY(!child<QSpinBox>(dialog, "syncIntervalSpin")->accessibleName().isEmpty());

        dialog.setTokenStorageText(QStringLiteral("No keychain found; the token is kept in a "
                                                  "file only you can read: /p/token"));
        QVERIFY(child<QLabel>(dialog, "tokenStorageLabel")
                    ->text()
                    .contains(QStringLiteral("/p/token")));

        QSignalSpy signIn(&dialog, &SettingsDialog::signInAgainRequested);
        QTest::mouseClick(child<QPushButton>(dialog, "signInAgainButton"), Qt::LeftButton);
        QCOMPARE(signIn.count(), 1);
    }

    void okAppliesWhatWasChanged()
    {
        AppSettings settings;
        SettingsDialog dialog(settings);
        dialog.show();
        QSignalSpy applied(&dialog, &SettingsDialog::settingsApplied);
        setSpinByTyping(child<QSpinBox>(dialog, "syncIntervalSpin"), QStringLiteral("15"));
        clickBox(child<QCheckBox>(dialog, "pauseCheck"));
        clickBox(child<QCheckBox>(dialog, "startAtLoginCheck"));
        QTest::mouseClick(child<QPushButton>(dialog, "okButton"), Qt::LeftButton);

        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        QVERIFY(!dialog.isVisible());
        QCOMPARE(applied.count(), 1);
        const AppSettings saved;
        QCOMPARE(saved.syncIntervalSeconds(), 15 * 60);
        QVERIFY(saved.isPaused());
        QVERIFY(saved.startAtLogin());
        QVERIFY(Autostart::isEnabled());
        QVERIFY(QFile::exists(m_config->filePath(QStringLiteral("autostart/ferry.desktop"))));

        // And turning it off again removes the entry.
        SettingsDialog again(settings);
        again.show();
        QVERIFY(child<QCheckBox>(again, "startAtLoginCheck")->isChecked());
        clickBox(child<QCheckBox>(again, "startAtLoginCheck"));
        QTest::mouseClick(child<QPushButton>(again, "okButton"), Qt::LeftButton);
        QVERIFY(!Autostart::isEnabled());
        QVERIFY(!AppSettings().startAtLogin());
    }

    void cancelChangesNothing()
    {
        AppSettings settings;
        SettingsDialog dialog(settings);
        dialog.show();
        setSpinByTyping(child<QSpinBox>(dialog, "syncIntervalSpin"), QStringLiteral("42"));
        clickBox(child<QCheckBox>(dialog, "pauseCheck"));
        clickBox(child<QCheckBox>(dialog, "startAtLoginCheck"));
        QTest::mouseClick(child<QPushButton>(dialog, "cancelButton"), Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Rejected));
        const AppSettings saved;
        QCOMPARE(saved.syncIntervalSeconds(), 300);
        QVERIFY(!saved.isPaused());
        QVERIFY(!Autostart::isEnabled());
    }

    void aFailedAutostartKeepsTheDialogOpen()
    {
        // The autostart folder cannot be created: XDG_CONFIG_HOME is a file.
        const QString blocker = m_config->filePath(QStringLiteral("file"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(blocker));

        AppSettings settings;
        SettingsDialog dialog(settings);
        dialog.show();
        clickBox(child<QCheckBox>(dialog, "startAtLoginCheck"));
        clickBox(child<QCheckBox>(dialog, "pauseCheck"));
        QTest::mouseClick(child<QPushButton>(dialog, "okButton"), Qt::LeftButton);
        QVERIFY(dialog.isVisible());
        auto *error = child<QLabel>(dialog, "errorLabel");
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QStringLiteral("Start at login could not be changed")),
                 qPrintable(error->text()));
        QVERIFY(!AppSettings().startAtLogin());
        QVERIFY(!AppSettings().isPaused());
    }

    void localServerProfileSaysSo()
    {
        AppSettings settings;
        settings.setUseLocalServer(true);
        SettingsDialog dialog(settings);
        QCOMPARE(child<QLineEdit>(dialog, "serverUrlField")->text(),
                 QStringLiteral("This computer (local server)"));
    }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<QTemporaryDir> m_config;
};

QTEST_MAIN(TestSettingsDialog)
#include "tst_settingsdialog.moc"
