#pragma once

#include <QByteArray>
#include <QJsonValue>
#include <QString>
#include <QStringList>

namespace FerryTest {

// What one ferry-cli run printed and how it ended.
struct CliRun
{
    int exitCode = -1; // -1 if it crashed or did not end within a minute
    QString out;
    QString err;
    // Standard output as JSON (after --json): an object or an array.
    QJsonValue json() const;
};

// Runs ferry-cli on the profile folder `profileDir` with `arguments`, `input` on its
// standard input, and waits up to a minute in the event loop (so the test's own servers and
// proxies keep working meanwhile).
CliRun runCli(const QString &profileDir, const QStringList &arguments,
              const QByteArray &input = {});

} // namespace FerryTest
