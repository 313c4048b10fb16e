#pragma once

#include <QString>
#include <QStringList>

namespace Ferry::Ui {

// Starting Ferry at login, minimized to the tray, behind one small interface over each
// platform's own mechanism: an XDG autostart entry on Linux
// ($XDG_CONFIG_HOME/autostart/ferry.desktop), the HKCU Run key on Windows, a LaunchAgent
// on macOS (~/Library/LaunchAgents). Every mechanism is built on every platform, so each is
// compiled and tested everywhere; the default argument picks this platform's. Any thread,
// but the GUI thread is where settings change.
class Autostart
{
public:
    enum class Mechanism { XdgEntry, LaunchAgent, RunKey };
    static Mechanism nativeMechanism();

    // The argument the app gets when started at login: start in the tray, no window.
    static QString minimizedArgument() { return QStringLiteral("--minimized"); }

    static bool isEnabled(Mechanism mechanism = nativeMechanism());
    // Turns start at login on or off; on failure returns false and says why in *error.
    static bool setEnabled(bool enabled, QString *error = nullptr,
                           Mechanism mechanism = nativeMechanism());

    // Where the entry lives: a file path, or the registry key on Windows.
    static QString location(Mechanism mechanism = nativeMechanism());
    // The program that is started at login: this executable, or the AppImage it runs from.
    static QString program();

    // The Run key is the registry on Windows; elsewhere (for tests) it is kept in this INI
    // file, which must be set before the RunKey mechanism is used there.
    static void setRunKeyFile(const QString &iniFile);

    // What each mechanism writes, for `program` started with the minimized argument.
    static QByteArray desktopEntry(const QString &program);
    static QByteArray launchAgent(const QString &program);
    static QString runCommand(const QString &program);
};

} // namespace Ferry::Ui
