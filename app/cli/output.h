#pragma once

#include "result.h"

#include <QJsonValue>
#include <QTextStream>

// How every ferry-cli command answers: results on standard output (indented JSON with
// --json), errors on standard error (and as {"error": {code, message}} with --json), and
// the exit codes 1 (failed) and 2 (bad usage).
namespace FerryCli::Output {

void printJson(QTextStream &out, const QJsonValue &value);
// Prints the error; returns the exit code 1.
int fail(QTextStream &out, QTextStream &err, bool json, const Ferry::Error &error);
// Prints what was wrong with the command line; returns the exit code 2.
int usage(QTextStream &err, const QString &message);

} // namespace FerryCli::Output
