#include "desktopapp.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Ferry"));
    QApplication::setOrganizationName(QStringLiteral("Ferry"));
    QApplication::setApplicationDisplayName(QStringLiteral("Ferry"));
    QApplication::setApplicationVersion(QStringLiteral(FERRY_VERSION));
    // The installed desktop entry (installer/), which also names the icon in the theme.
    QApplication::setDesktopFileName(QStringLiteral("org.ferrysync.Ferry"));
    QApplication::setWindowIcon(
        QIcon::fromTheme(QStringLiteral("org.ferrysync.Ferry"),
                         QIcon(QStringLiteral(":/icons/app/org.ferrysync.Ferry.svg"))));
    // Closing the window leaves Ferry in the tray; quitting is explicit.
    QApplication::setQuitOnLastWindowClosed(false);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Ferry keeps your records on this computer and in sync."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("profile"),
         QStringLiteral("Profile name (or folder): one store and account per profile."),
         QStringLiteral("NAME"), QStringLiteral("default")},
        {QStringLiteral("schema"), QStringLiteral("A schema file instead of the built-in one."),
         QStringLiteral("FILE")},
        {QStringLiteral("server"), QStringLiteral("Sign in to this server (with --token)."),
         QStringLiteral("URL")},
        {QStringLiteral("token"), QStringLiteral("This device's token for --server."),
         QStringLiteral("TOKEN")},
        {QStringLiteral("workspace"), QStringLiteral("The workspace to sync."),
         QStringLiteral("ID")},
        {QStringLiteral("local-server"),
         QStringLiteral("Keep records on this computer with a local server.")},
        {QStringLiteral("minimized"), QStringLiteral("Start in the system tray.")},
        {QStringLiteral("sync-interval"),
         QStringLiteral("Sync every this many seconds for this run (the setting stays as it is)."),
         QStringLiteral("SECONDS")},
    });
    parser.process(app);

    FerryDesktop::Options options;
    options.profile = parser.value(QStringLiteral("profile"));
    options.schemaPath = parser.value(QStringLiteral("schema"));
    options.server = QUrl(parser.value(QStringLiteral("server")));
    options.token = parser.value(QStringLiteral("token"));
    options.workspace = parser.value(QStringLiteral("workspace"));
    options.localServer = parser.isSet(QStringLiteral("local-server"));
    options.minimized = parser.isSet(QStringLiteral("minimized"));
    if (parser.isSet(QStringLiteral("sync-interval"))) {
        bool ok = false;
        options.syncIntervalSeconds = parser.value(QStringLiteral("sync-interval")).toInt(&ok);
        if (!ok || options.syncIntervalSeconds < 1) {
            std::fputs("ferry: --sync-interval needs a whole number of seconds, 1 or more\n",
                       stderr);
            return 2;
        }
    }
    if (!options.server.isEmpty() && options.token.isEmpty()) {
        std::fputs("ferry: --server needs --token\n", stderr);
        return 2;
    }

    FerryDesktop::DesktopApp ferry(options);
    if (!ferry.start())
        return 1;
    return QApplication::exec();
}
