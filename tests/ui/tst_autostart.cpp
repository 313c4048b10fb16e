#include "settings/autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

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

// The Linux side of start at login: an XDG autostart entry, in a temporary
// XDG_CONFIG_HOME so the test never touches the real session.
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
