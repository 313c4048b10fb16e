#include "clirun.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>

namespace FerryTest {

QJsonValue CliRun::json() const
{
    const QJsonDocument doc = QJsonDocument::fromJson(out.toUtf8());
    return doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object());
}

CliRun runCli(const QString &profileDir, const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    QSignalSpy finished(&process, &QProcess::finished);
    process.start(QStringLiteral(FERRY_CLI_PATH),
                  QStringList {QStringLiteral("--profile"), profileDir} + arguments);
    process.write(input);
    process.closeWriteChannel();
    CliRun run;
    if (!finished.wait(60000)) {
        process.kill();
        process.waitForFinished(5000);
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace FerryTest
