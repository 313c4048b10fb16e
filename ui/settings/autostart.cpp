#include "autostart.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QSettings>
#include <algorithm>

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

#if defined(Q_OS_WIN)

const auto RunKey
    = QStringLiteral("HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Run");
const auto ValueName = QStringLiteral("Ferry");

#elif defined(Q_OS_MACOS)

const auto Label = QStringLiteral("org.ferry.Ferry");

QString entryPath()
{
    return QDir::homePath() + QStringLiteral("/Library/LaunchAgents/") + Label
        + QStringLiteral(".plist");
}

QByteArray entryContents()
{
    const QString program = Autostart::program().toHtmlEscaped();
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
        .arg(Label, program, Autostart::minimizedArgument())
        .toUtf8();
}

#else

QString entryPath()
{
    // XDG: $XDG_CONFIG_HOME, or ~/.config when it is unset or not absolute.
    QString config = qEnvironmentVariable("XDG_CONFIG_HOME");
    if (config.isEmpty() || QDir::isRelativePath(config))
        config = QDir::homePath() + QStringLiteral("/.config");
    return config + QStringLiteral("/autostart/ferry.desktop");
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

QByteArray entryContents()
{
    return QStringLiteral("[Desktop Entry]\n"
                          "Type=Application\n"
                          "Name=Ferry\n"
                          "Comment=Keep records in sync in the background\n"
                          "Exec=%1 %2\n"
                          "Icon=ferry\n"
                          "Terminal=false\n"
                          "X-GNOME-Autostart-enabled=true\n")
        .arg(quoteExecArgument(Autostart::program()), Autostart::minimizedArgument())
        .toUtf8();
}

#endif

} // namespace

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

#if defined(Q_OS_WIN)

QString Autostart::location()
{
    return RunKey;
}

bool Autostart::isEnabled()
{
    const QSettings run(RunKey, QSettings::NativeFormat);
    return run.contains(ValueName);
}

bool Autostart::setEnabled(bool enabled, QString *error)
{
    QSettings run(RunKey, QSettings::NativeFormat);
    if (enabled)
        run.setValue(ValueName,
                     QStringLiteral("\"%1\" %2")
                         .arg(QDir::toNativeSeparators(program()), minimizedArgument()));
    else
        run.remove(ValueName);
    run.sync();
    if (run.status() != QSettings::NoError)
        return fail(error, tr("Could not change the Windows start-up list (%1).").arg(RunKey));
    return true;
}

#else

QString Autostart::location()
{
    return entryPath();
}

bool Autostart::isEnabled()
{
    QFile file(entryPath());
    if (!file.open(QIODevice::ReadOnly))
        return false;
#if !defined(Q_OS_MACOS)
    // A desktop may switch the entry off in place instead of deleting it.
    const QByteArray contents = file.readAll();
    return !contents.contains("\nHidden=true")
        && !contents.contains("X-GNOME-Autostart-enabled=false");
#else
    return true;
#endif
}

bool Autostart::setEnabled(bool enabled, QString *error)
{
    const QString path = entryPath();
    if (!enabled) {
        if (QFileInfo::exists(path) && !QFile::remove(path))
            return fail(error, tr("Could not remove %1.").arg(QDir::toNativeSeparators(path)));
        return true;
    }
    const QString folder = QFileInfo(path).absolutePath();
    if (!QDir().mkpath(folder))
        return fail(error,
                    tr("Could not create the folder %1.").arg(QDir::toNativeSeparators(folder)));
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(entryContents()) < 0 || !file.commit())
        return fail(
            error,
            tr("Could not write %1: %2").arg(QDir::toNativeSeparators(path), file.errorString()));
    return true;
}

#endif

} // namespace Ferry::Ui
