#pragma once

#include <QString>
#include <QStringList>

namespace Ferry::Ui {

// Starting Ferry at login, minimized to the tray, behind one small interface over each
// platform's own mechanism: an XDG autostart entry on Linux
// ($XDG_CONFIG_HOME/autostart/ferry.desktop), the HKCU Run key on Windows, a LaunchAgent
// on macOS. Any thread, but the GUI thread is where settings change.
class Autostart
{
public:
    // The argument the app gets when started at login: start in the tray, no window.
    static QString minimizedArgument() { return QStringLiteral("--minimized"); }

    static bool isEnabled();
    // Turns start at login on or off; on failure returns false and says why in *error.
    static bool setEnabled(bool enabled, QString *error = nullptr);

    // Where the entry lives: a file path, or the registry key on Windows.
    static QString location();
    // The program that is started at login: this executable, or the AppImage it runs from.
    static QString program();
};

} // namespace Ferry::Ui
