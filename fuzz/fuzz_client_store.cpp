// libFuzzer target: a server's answers applied to a real local store, as the sync engine
// does after parsing them (LocalStore::applyPullPage and applyPushResponse on SQLite in a
// temporary folder). The store holds one record with a local edit that was never pushed;
// whatever the answers say, that record must still be there afterwards: changed by a merge
// or in conflict, never silently gone. The guid 00000000-0000-7000-8000-000000000001 in an
// input stands for that record, so the fuzzer can aim at it.

#include "localstore.h"
#include "schema.h"
#include "wire.h"

#include <QCoreApplication>
#include <QTemporaryDir>

#include <cstdio>
#include <cstdlib>

namespace {

const QByteArray kPlaceholder = "00000000-0000-7000-8000-000000000001";

struct Client
{
    QTemporaryDir dir;
    std::unique_ptr<Ferry::LocalStore> store;
    QString guid; // the record with a local edit
    int edits = 0;
};

Client *client = nullptr;

void check(bool ok, const char *what, const QString &detail = {})
{
    if (ok)
        return;
    std::fprintf(stderr, "fuzz_client_store: %s\n%s\n", what, qPrintable(detail.left(2000)));
    std::abort();
}

// Edits the record again, so there is always something unsent.
void editLocally()
{
    const Ferry::Status s = client->store->updateRecord(
        client->guid, {{QStringLiteral("title"), QStringLiteral("edit %1").arg(++client->edits)}});
    // The record may be in conflict or deleted by a pulled tombstone in conflict: editing it
    // may be refused, which is fine; it must not have vanished (checked below).
    Q_UNUSED(s);
}

void checkRecordKept()
{
    const Ferry::Result<Ferry::LocalRecord> record = client->store->record(client->guid);
    check(record.ok(), "the locally edited record is gone",
          record.ok() ? QString() : record.error().message);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    static QCoreApplication app(*argc, *argv);
    client = new Client;
    check(client->dir.isValid(), "no temporary folder");
    auto store = Ferry::LocalStore::open(client->dir.filePath(QStringLiteral("ferry.db")),
                                         Ferry::Schema::defaultSchema());
    check(store.ok(), "cannot open the store");
    client->store = std::move(store).value();
    const Ferry::Result<QString> guid = client->store->createRecord(
        QStringLiteral("Post"), {{QStringLiteral("title"), QStringLiteral("mine")}});
    check(guid.ok(), "cannot create the record");
    client->guid = guid.value();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    QByteArray body(reinterpret_cast<const char *>(data), qsizetype(size));
    body.replace(kPlaceholder, client->guid.toLatin1());

    if (const auto page = Ferry::Wire::parsePullPage(body)) {
        QList<Ferry::ChangeSet> changes;
        QList<Ferry::AutoMerge> merges;
        (void)client->store->applyPullPage(page.value(), &changes, &merges);
        checkRecordKept();
    }

    if (const auto response = Ferry::Wire::parsePushResponse(body)) {
        editLocally();
        const Ferry::Result<Ferry::OutgoingBatch> batch = client->store->nextBatch(100);
        check(batch.ok(), "no batch");
        if (!batch->isEmpty()) {
            QList<Ferry::ChangeSet> changes;
            QStringList problems;
            QList<Ferry::AutoMerge> merges;
            const Ferry::Status applied = client->store->applyPushResponse(
                batch.value(), response.value(), &changes, &problems, &merges);
            if (!applied) // refused whole: the batch must still be there to send again
                check(client->store->nextBatch(100).value().id == batch->id,
                      "a refused push answer lost the batch");
        }
        checkRecordKept();
    }
    return 0;
}
