#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>

#include <algorithm>
#include <memory>

namespace Ferry::Ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("Ferry::Ui::Autostart", text);
}

bool fail(QString *error, const QString &message)
{
    if (error)
        *error = message;
    return false;
}

const auto RunKey
    = QStringLiteral("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run");
const auto RunValueName = QStringLiteral("Ferry");
const auto LaunchAgentLabel = QStringLiteral("org.ferry.Ferry");

QString &runKeyFile()
{
    static QString file;
    return file;
}

std::unique_ptr<QSettings> runKey()
{
#if defined(Q_OS_WIN)
    return std::make_unique<QSettings>(RunKey, QSettings::NativeFormat);
#else
    return std::make_unique<QSettings>(runKeyFile(), QSettings::IniFormat);
#endif
}

QString xdgEntryPath()
{
    // XDG: $XDG_CONFIG_HOME, or ~/.config when it is unset or not absolute.
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || QDir::isRelativePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/ferry.desktop");
}

QString launchAgentPath()
{
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/") + LaunchAgentLabel
        + QStringLiteral(".plist");
}

// The Desktop Entry spec's quoting for an Exec argument: quote it when it has reserved
// characters, and escape the four that stay special inside quotes.
QString quoteExecArgument(QString argument)
{
    static const QString reserved = QStringLiteral(" \t\n\"'\\><~|&;$*?#()`");
    if (std::none_of(argument.cbegin(), argument.cend(),
                     [](QChar c) { return reserved.contains(c); }))
        return argument.replace(QLatin1Char('%'), QStringLiteral("%%"));
    QString quoted;
    for (const QChar c : std::as_const(argument)) {
        if (c == QLatin1Char('"') || c == QLatin1Char('`') || c == QLatin1Char('$')
            || c == QLatin1Char('\\'))
            quoted += QLatin1Char('\\');
        quoted += c;
    }
    quoted.replace(QLatin1Char('%'), QStringLiteral("%%"));
    // The file format escapes backslashes once more in string values.
    quoted.replace(QLatin1Char('\\'), QStringLiteral("\\\\"));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

bool writeEntry(const QString &path, const QByteArray &contents, QString *error)
{
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return fail(error,
                    tr("Could not create the folder %1.").arg(QDir::toNativeSeparators(folder)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(contents) < 0 || !file.commit())
        return fail(
            error,
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return true;
}

bool removeEntry(const QString &path, QString *error)
{
    if (QFileInfo::exists(path) && !QFile::remove(path))
        return fail(error, tr("Could not remove %1.").arg(QDir::toNativeSeparators(path)));
    return true;
}

bool setRunValue(bool enabled, QString *error)
{
#if !defined(Q_OS_WIN)
    if (runKeyFile().isEmpty())
        return fail(error, tr("The Windows start-up list exists only on Windows."));
#endif
    const std::unique_ptr<QSettings> run = runKey();
    if (enabled)
        run->setValue(RunValueName, Autostart::runCommand(Autostart::program()));
    else
        run->remove(RunValueName);
    run->sync();
    if (run->status() != QSettings::NoError)
        return fail(error, tr("Could not change the Windows start-up list (%1).").arg(RunKey));
    return true;
}

} // namespace

Autostart::Mechanism Autostart::nativeMechanism()
{
#if defined(Q_OS_WIN)
    return Mechanism::RunKey;
#elif defined(Q_OS_MACOS)
    return Mechanism::LaunchAgent;
#else
    return Mechanism::XdgEntry;
#endif
}

void Autostart::setRunKeyFile(const QString &iniFile)
{
    runKeyFile() = iniFile;
}

QString Autostart::program()
{
#if defined(Q_OS_LINUX)
    // Inside an AppImage the executable lives in a mount that is gone after logout.
    const QString appImage = qEnvironmentVariable("APPIMAGE");
    if (!appImage.isEmpty())
        return appImage;
#endif
    return QCoreApplication::applicationFilePath();
}

QByteArray Autostart::desktopEntry(const QString &program)
{
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Ferry\n"
                          "Comment=Keep records in sync in the background\n"
                          "Exec=%1 %2\n"
                          "Icon=org.ferrysync.Ferry\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(quoteExecArgument(program), minimizedArgument())
        .toUtf8();
}

QByteArray Autostart::launchAgent(const QString &program)
{
    return QStringLiteral(R"(<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
    <key>Label</key>
    <string>%1</string>
    <key>ProgramArguments</key>
    <array>
        <string>%2</string>
        <string>%3</string>
    </array>
    <key>RunAtLoad</key>
    <true/>
</dict>
</plist>
)")
        .arg(LaunchAgentLabel, program.toHtmlEscaped(), minimizedArgument())
        .toUtf8();
}

QString Autostart::runCommand(const QString &program)
{
    // The Run key holds a command line: the program quoted (its path may have spaces).
    return QStringLiteral("\"%1\" %2").arg(QDir::toNativeSeparators(program), minimizedArgument());
}

QString Autostart::location(Mechanism mechanism)
{
    switch (mechanism) {
    case Mechanism::XdgEntry:
        return xdgEntryPath();
    case Mechanism::LaunchAgent:
        return launchAgentPath();
    case Mechanism::RunKey:
#if defined(Q_OS_WIN)
        return RunKey;
#else
        return runKeyFile();
#endif
    }
    return {};
}

bool Autostart::isEnabled(Mechanism mechanism)
{
    if (mechanism == Mechanism::RunKey) {
#if !defined(Q_OS_WIN)
        if (runKeyFile().isEmpty())
            return false;
#endif
        return runKey()->contains(RunValueName);
    }
    QFile file(location(mechanism));
    if (!file.open(QIODevice::ReadOnly))
        return false;
    if (mechanism == Mechanism::LaunchAgent)
        return true;
    // A desktop may switch the entry off in place instead of deleting it.
    const QByteArray contents = file.readAll();
    return !contents.contains("\nHidden=true")
        && !contents.contains("X-GNOME-Autostart-enabled=false");
}

bool Autostart::setEnabled(bool enabled, QString *error, Mechanism mechanism)
{
    if (mechanism == Mechanism::RunKey)
        return setRunValue(enabled, error);
    const QString path = location(mechanism);
    if (!enabled)
        return removeEntry(path, error);
    return writeEntry(path,
                      mechanism == Mechanism::LaunchAgent ? launchAgent(program())
                                                          : desktopEntry(program()),
                      error);
}

} // namespace Ferry::Ui
