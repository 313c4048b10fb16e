// Renders the app's SVG icon into the PNG sizes of the freedesktop "hicolor" theme, for
// desktops and packages that want bitmaps beside the scalable icon:
//   render_icon ICON.svg OUTDIR      writes OUTDIR/NxN/apps/<name of ICON>.png
// The SVG is read by Qt's own SVG icon engine (the plugin the app uses at run time).
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QIcon>
#include <QImage>
#include <QPixmap>

#include <cstdio>

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // no display needed to draw into an image
    QGuiApplication app(argc, argv);
    const QStringList arguments = QGuiApplication::arguments();
    if (arguments.size() != 3) {
        std::fputs("usage: render_icon ICON.svg OUTDIR\n", stderr);
        return 2;
    }
    const QFileInfo svg(arguments.at(1));
    const QIcon icon(svg.absoluteFilePath());
    if (!svg.exists() || icon.isNull()) {
        std::fprintf(stderr, "render_icon: cannot read %s as an icon\n",
                     qPrintable(svg.filePath()));
        return 1;
    }
    for (const int size : {16, 22, 24, 32, 48, 64, 128, 256, 512}) {
        const QString folder = QStringLiteral("%1/%2x%2/apps").arg(arguments.at(2)).arg(size);
        const QString file = QStringLiteral("%1/%2.png").arg(folder, svg.completeBaseName());
        const QImage image = icon.pixmap(size, size).toImage();
        if (image.size() != QSize(size, size) || !QDir().mkpath(folder) || !image.save(file)) {
            std::fprintf(stderr, "render_icon: cannot write %s\n", qPrintable(file));
            return 1;
        }
    }
    return 0;
}
