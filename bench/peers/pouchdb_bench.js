// The peer of bench_sync: PouchDB replicating with pouchdb-server (LevelDB on both sides), on
// the same records bench_sync makes (10 string fields of ~48 bytes, different for every record
// and field). Prints one line of JSON with its figures in milliseconds:
//   initialPushMs  a device holding every record replicates them to an empty server
//   initialPullMs  an empty device syncs (both ways) with that server
//   incrementalMs  median: another device changed 10 records; the device syncs
//   noopMs         median: nothing changed; the device syncs
// Usage: node pouchdb_bench.js --records N --runs N [--work DIR]   (default: a temporary
// folder, removed at the end)
// (pouchdb-node and pouchdb-server are found through NODE_PATH; pouchdb.sh sets it.)
'use strict';

const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');
const PouchDB = require('pouchdb-node');

function option(name, fallback) {
    const i = process.argv.indexOf('--' + name);
    return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const records = parseInt(option('records', '100000'), 10);
const runs = parseInt(option('runs', '15'), 10);
const givenWork = option('work', '');
const work = givenWork || fs.mkdtempSync(path.join(require('os').tmpdir(), 'pouchdb-bench-'));
const kFields = 10;

// Exactly bench_sync's fieldsFor(): "record %1 field %2 generation %3 ..." with %1 right
// aligned in 7 characters.
function fieldsFor(record, generation) {
    const fields = {};
    for (let i = 0; i < kFields; ++i)
        fields['f' + i] = `record ${String(record).padStart(7)} field ${i} generation ${generation} ..............`;
    return fields;
}

function idOf(record) {
    return 'item-' + String(record).padStart(8, '0');
}

function median(values) {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : 0;
}

function freePort() {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.listen(0, '127.0.0.1', () => {
            const port = server.address().port;
            server.close(() => resolve(port));
        });
        server.on('error', reject);
    });
}

async function waitForServer(url, child) {
    for (let i = 0; i < 300; ++i) {
        if (child.exitCode !== null)
            throw new Error('pouchdb-server exited with ' + child.exitCode);
        try {
            const answer = await fetch(url);
            if (answer.ok)
                return;
        } catch (e) {
            // not listening yet
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('pouchdb-server did not answer at ' + url);
}

function ms(start) {
    return Number(process.hrtime.bigint() - start) / 1e6;
}

async function main() {
    const serverDir = path.join(work, 'server');
    fs.mkdirSync(serverDir, { recursive: true });
    const port = await freePort();
    const bin = path.join(path.dirname(require.resolve('pouchdb-server/package.json')),
                          'bin', 'pouchdb-server');
    // Its own folder for config.json and log.txt; no log line per request on stdout.
    const server = spawn(process.execPath,
                         [bin, '--port', String(port), '--dir', serverDir, '--no-stdout-logs',
                          '--config', path.join(serverDir, 'config.json')],
                         { cwd: serverDir, stdio: ['ignore', 'ignore', 'inherit'] });
    try {
        const base = `http://127.0.0.1:${port}`;
        await waitForServer(base + '/', server);
        const remote = base + '/bench';

        // A device holding every record (stored in batches, not timed).
        const seeder = new PouchDB(path.join(work, 'seeder'));
        for (let from = 0; from < records; from += 1000) {
            const docs = [];
            for (let i = from; i < Math.min(records, from + 1000); ++i)
                docs.push(Object.assign({ _id: idOf(i) }, fieldsFor(i, 0)));
            await seeder.bulkDocs(docs);
        }

        let start = process.hrtime.bigint();
        await seeder.replicate.to(remote);
        const initialPushMs = ms(start);

        const fresh = new PouchDB(path.join(work, 'fresh'));
        start = process.hrtime.bigint();
        await fresh.sync(remote);
        const initialPullMs = ms(start);
        const info = await fresh.info();
        if (info.doc_count !== records)
            throw new Error(`the fresh device holds ${info.doc_count} records, not ${records}`);

        const incremental = [];
        for (let run = 0; run < runs; ++run) {
            for (let i = 0; i < 10; ++i) {
                const index = (run * 10 + i) % records;
                const doc = await seeder.get(idOf(index));
                await seeder.put(Object.assign(doc, fieldsFor(index, run + 1)));
            }
            await seeder.replicate.to(remote);
            start = process.hrtime.bigint();
            const result = await fresh.sync(remote);
            incremental.push(ms(start));
            if (result.pull.docs_written !== 10)
                throw new Error(`incremental sync wrote ${result.pull.docs_written}, expected 10`);
        }

        const noop = [];
        for (let run = 0; run < runs; ++run) {
            start = process.hrtime.bigint();
            const result = await fresh.sync(remote);
            noop.push(ms(start));
            if (result.pull.docs_written !== 0 || result.push.docs_written !== 0)
                throw new Error('a sync with nothing changed wrote something');
        }

        await seeder.close();
        await fresh.close();
        process.stdout.write(JSON.stringify({
            records,
            initialPushMs,
            initialPullMs,
            incrementalMs: median(incremental),
            noopMs: median(noop),
        }) + '\n');
    } finally {
        if (server.exitCode === null) {
            const exited = new Promise((resolve) => server.once('exit', resolve));
            server.kill();
            await exited;
        }
        if (!givenWork)
            fs.rmSync(work, { recursive: true, force: true });
    }
}

main().catch((error) => {
    process.stderr.write('pouchdb_bench: ' + (error && error.stack ? error.stack : error) + '\n');
    process.exit(1);
});
