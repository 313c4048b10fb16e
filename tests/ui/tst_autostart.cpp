#include "settings/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Ferry::Ui;

namespace {

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QList<QByteArray> execLines(const QByteArray &entry)
{
    QList<QByteArray> lines;
    for (const QByteArray &line : entry.split('\n'))
        if (line.startsWith("Exec="))
            lines << line;
    return lines;
}

} // namespace

// Start at login: the XDG autostart entry (this platform's), the LaunchAgent and the Run
// value, in temporary folders so the test never touches the real session.
class TestAutostart : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_config = std::make_unique<QTemporaryDir>();
        QVERIFY(m_config->isValid());
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(m_config->path()));
        qunsetenv("APPIMAGE");
    }

    void writesAndRemovesTheDesktopEntry()
    {
        const QString path = m_config->filePath(QStringLiteral("autostart/ferry.desktop"));
        QCOMPARE(Autostart::location(), path);
        QVERIFY(!Autostart::isEnabled());

        QString error;
        QVERIFY2(Autostart::setEnabled(true, &error), qPrintable(error));
        QVERIFY(QFile::exists(path));
        QVERIFY(Autostart::isEnabled());
        const QByteArray entry = contents(path);
        QVERIFY(entry.startsWith("[Desktop Entry]\n"));
        QVERIFY(entry.contains("\nType=Application\n"));
        QVERIFY(entry.contains("\nX-GNOME-Autostart-enabled=true\n"));
        const QByteArray program = QFile::encodeName(QCoreApplication::applicationFilePath());
        QVERIFY(!program.contains(' ')); // else the expected line below would need quotes
        QCOMPARE(execLines(entry), QList<QByteArray> {"Exec=" + program + " --minimized"});

        // Enabling twice keeps one entry; disabling removes it, twice is fine too.
        QVERIFY(Autostart::setEnabled(true, &error));
        QVERIFY2(Autostart::setEnabled(false, &error), qPrintable(error));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!Autostart::isEnabled());
        QVERIFY(Autostart::setEnabled(false, &error));
    }

    void quotesAProgramPathWithSpaces()
    {
        qputenv("APPIMAGE", "/home/ada/My Apps/Ferry \"beta\".AppImage");
        QVERIFY(Autostart::setEnabled(true));
        const QByteArray entry = contents(Autostart::location());
        // Desktop Entry quoting: the argument in quotes, \" for a quote, and the string
        // escape doubles that backslash.
        QCOMPARE(execLines(entry),
                 QList<QByteArray> {
                     R"(Exec="/home/ada/My Apps/Ferry \\"beta\\".AppImage" --minimized)"});
    }

    void anEntrySwitchedOffByTheDesktopIsNotEnabled()
    {
        QVERIFY(Autostart::setEnabled(true));
        QFile file(Autostart::location());
        QVERIFY(file.open(QIODevice::Append));
        file.write("Hidden=true\n");
        file.close();
        QVERIFY(!Autostart::isEnabled());
    }

    void reportsWhyItCannotWrite()
    {
        // XDG_CONFIG_HOME is a file, so the autostart folder cannot be made.
        const QString blocker = m_config->filePath(QStringLiteral("not-a-folder"));
        QFile file(blocker);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        qputenv("XDG_CONFIG_HOME", QFile::encodeName(blocker));
        QString error;
        QVERIFY(!Autostart::setEnabled(true, &error));
        QVERIFY2(error.contains(blocker), qPrintable(error));
        QVERIFY(!Autostart::isEnabled());
    }

    // The macOS mechanism, built and run here too: a LaunchAgent property list that parses
    // back to the program and the minimized argument, whatever characters the path has.
    void writesAndRemovesTheLaunchAgent()
    {
        const QByteArray home = qgetenv("HOME");
        qputenv("HOME", QFile::encodeName(m_config->path()));
        const QString program = QStringLiteral("/Applications/Ferry & Co <beta>.app/Ferry");
        qputenv("APPIMAGE", program.toUtf8()); // stands in for the bundle's executable
        const auto mechanism = Autostart::Mechanism::LaunchAgent;
        const QString path
            = m_config->filePath(QStringLiteral("Library/LaunchAgents/org.ferry.Ferry.plist"));
        QCOMPARE(Autostart::location(mechanism), path);
        QVERIFY(!Autostart::isEnabled(mechanism));
        QString error;
        QVERIFY2(Autostart::setEnabled(true, &error, mechanism), qPrintable(error));
        QVERIFY(Autostart::isEnabled(mechanism));

        QXmlStreamReader xml(contents(path));
        QStringList arguments;
        QString label;
        bool runAtLoad = false;
        QString key;
        while (!xml.atEnd()) {
            xml.readNext();
            if (!xml.isStartElement())
                continue;
            if (xml.name() == u"key") {
                key = xml.readElementText();
            } else if (xml.name() == u"string") {
                const QString text = xml.readElementText();
                if (key == u"Label")
                    label = text;
                else if (key == u"ProgramArguments")
                    arguments.append(text);
            } else if (xml.name() == u"true" && key == u"RunAtLoad") {
                runAtLoad = true;
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(label, QStringLiteral("org.ferry.Ferry"));
        QCOMPARE(arguments, (QStringList {program, QStringLiteral("--minimized")}));
        QVERIFY(runAtLoad);

        QVERIFY2(Autostart::setEnabled(false, &error, mechanism), qPrintable(error));
        QVERIFY(!QFile::exists(path));
        QVERIFY(!Autostart::isEnabled(mechanism));
        qputenv("HOME", home);
    }

    // The Windows mechanism, built and run here too: the Run value, kept in an INI file
    // where there is no registry.
    void setsAndRemovesTheRunValue()
    {
        const auto mechanism = Autostart::Mechanism::RunKey;
        Autostart::setRunKeyFile({});
        QString error;
        QVERIFY(!Autostart::setEnabled(true, &error, mechanism));
        QVERIFY2(error.contains(QStringLiteral("Windows")), qPrintable(error));

        const QString ini = m_config->filePath(QStringLiteral("run.ini"));
        Autostart::setRunKeyFile(ini);
        qputenv("APPIMAGE", "/opt/My Apps/Ferry.exe");
        QVERIFY(!Autostart::isEnabled(mechanism));
        QVERIFY2(Autostart::setEnabled(true, &error, mechanism), qPrintable(error));
        QVERIFY(Autostart::isEnabled(mechanism));
        QCOMPARE(QSettings(ini, QSettings::IniFormat).value(QStringLiteral("Ferry")).toString(),
                 QStringLiteral("\"/opt/My Apps/Ferry.exe\" --minimized"));
        QVERIFY2(Autostart::setEnabled(false, &error, mechanism), qPrintable(error));
        QVERIFY(!Autostart::isEnabled(mechanism));
        QVERIFY(!QSettings(ini, QSettings::IniFormat).contains(QStringLiteral("Ferry")));
        Autostart::setRunKeyFile({});
    }

    void unsetConfigHomeMeansDotConfig()
    {
        qunsetenv("XDG_CONFIG_HOME");
        QCOMPARE(Autostart::location(),
                 QDir::homePath() + QStringLiteral("/.config/autostart/ferry.desktop"));
    }

private:
    std::unique_ptr<QTemporaryDir> m_config;
};

QTEST_MAIN(TestAutostart)
#include "tst_autostart.moc"
