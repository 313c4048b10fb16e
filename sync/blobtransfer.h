#pragma once

#include "accountanswers.h"
#include "result.h"
#include "sha256.h"

#include <QFile>
#include <QObject>
#include <QPointer>
#include <QStringList>

#include <memory>

class QNetworkReply;

namespace Ferry {

class Transport;

// Moves the bytes of blob fields between the profile's content store (BlobStore) and a
// workspace on the server (docs/protocol.md, "Attachments"). An upload sends the blobs the
// workspace lacks, in pieces, going on where the server's copy ends after an interruption;
// a download collects the bytes in a ".part" file, goes on from its end after an
// interruption, and keeps them only once they hash to the blob's id. One job at a time;
// each ends with finished(), once. Lives on the thread of its Transport.
class BlobTransfer : public QObject
{
    Q_OBJECT

public:
    BlobTransfer(Transport *transport, QString workspace, QObject *parent = nullptr);
    ~BlobTransfer() override;

    // Pieces of an upload: a piece counts on the server once all of it has arrived.
    static constexpr qint64 kPieceBytes = 4 * 1024 * 1024;
    // Blob ids in one question of which the workspace lacks (the server's limit).
    static constexpr int kMaxAsked = 1000;

    // Sends those of `blobs` (ids whose bytes are in `folder`) that the workspace lacks.
    // `filesToken`: the latest upload token this device holds (empty: none); every request
    // names it, so the server says when it lost an upload (docs/protocol.md, "Upload tokens").
    void upload(const QString &folder, const QStringList &blobs, const QString &filesToken = {});
    // Fetches `blob` into `folder`.
    void download(const QString &folder, const QString &blob);
    // Stops the job under way without finished(); what arrived stays for the next attempt.
    void cancel();
    bool isBusy() const { return m_busy; }
    // The blob an upload was sending when it ended (empty: none, or all were sent).
    QString currentUpload() const { return m_missing.value(0); }

Q_SIGNALS:
    // Bytes of this job moved so far, of `total` (-1: not known yet).
    void progress(qint64 done, qint64 total);
    // A blob the workspace has now, from this upload.
    void uploaded(const QString &blob);
    // The server no longer has an upload the token named (put back to an older backup):
    // files sent before may be gone from it. Comes before filesToken() of the same answer.
    void filesLost();
    // The workspace's latest upload token, to keep and name from now on.
    void filesToken(const QString &token);
    // error.code empty on success; `transient`: worth trying again later.
    void finished(const Ferry::Error &error, bool transient);

private:
    QString blobPath(const QString &blob) const;
    // `path` naming the upload token held, if any.
    QString withFiles(QString path) const;
    void noteFiles(const Wire::FilesCheck &check);
    QNetworkReply *track(QNetworkReply *reply);
    void finish(const Error &error = {}, bool transient = false);
    void failWith(QNetworkReply *reply);
    void badAnswer(const QString &problem);

    void askMissing();
    void nextUpload();
    // The workspace has the first missing blob now: on to the next.
    void blobDone();
    void askOffset();
    void sendPiece();
    void onPieceAnswer(QNetworkReply *reply);

    void requestDownload();
    void onDownloadData();
    void onDownloadFinished(QNetworkReply *reply);

    Transport *m_transport;
    QString m_workspace;
    QString m_folder;
    bool m_busy = false;
    QPointer<QNetworkReply> m_reply;
    qint64 m_done = 0;
    qint64 m_total = -1;

    // Upload
    QString m_filesToken; // named by every request; the latest the server answered
    QStringList m_toAsk; // not asked about yet
    QStringList m_missing; // the workspace lacks them; the first one is under way
    QFile m_source;
    qint64 m_offset = 0; // where the next piece starts
    qint64 m_size = 0;
    qint64 m_doneBefore = 0; // bytes of earlier blobs of this job

    // Download
    QString m_blob;
    QFile m_part;
    qint64 m_expectedEnd = -1; // the blob's size, once the answer says
    // The part's bytes, hashed as they are written (beside the writing, for a large file):
    // no second reading of the file.
    BackgroundSha256 m_partHash;
};

} // namespace Ferry
