#pragma once

#include "localstore.h"
#include "profile.h"
#include "syncengine.h"

#include <QCommandLineParser>
#include <QJsonObject>
#include <QStringList>
#include <QTextStream>

#include <memory>

namespace FerryCli {

// ferry-cli: the sync engine without widgets, for scripts, servers and tests. Each command
// opens the store of the profile's workspace (Ferry::Profile: the same store `ferry` shows
// for the same profile), does one thing, prints it (as JSON with --json) and returns
// the process exit code: 0 done, 1 failed, 2 bad usage.
class Cli
{
public:
    Cli();
    int run(const QStringList &arguments);

private:
    int login();
    int create();
    int edit();
    int remove(bool restore);
    int show();
    int list();
    int sync();
    int watch();
    int status();
    int conflicts();
    int resolve();
    int attach();
    int fetch();
    // The blob field `name` of `record`'s entity, or an Error naming the file fields it has.
    Ferry::Result<const Ferry::FieldDef *> fileField(const Ferry::LocalRecord &record,
                                                     const QString &name) const;

    Ferry::Result<Ferry::ConflictDecision> decisionFromOptions(const QString &guid);
    int resolveAll();
    Ferry::Result<QJsonObject> parseAssignments(const QString &entity,
                                                const QStringList &assignments) const;
    Ferry::Result<Ferry::SyncConfig> config() const;
    static Ferry::Error notConfigured();
    QJsonObject recordJson(const Ferry::LocalRecord &record) const;
    QString displayValue(const QJsonValue &value) const;
    void printRecord(const Ferry::LocalRecord &record);
    void printJson(const QJsonValue &value);
    int fail(const Ferry::Error &error);
    int usage(const QString &message);

    QCommandLineParser m_parser;
    QStringList m_args; // positional arguments after the command
    QString m_command;
    bool m_json = false;
    Ferry::Profile m_profile;
    std::unique_ptr<Ferry::LocalStore> m_store;
    QTextStream m_out;
    QTextStream m_err;
};

} // namespace FerryCli
