#!/usr/bin/env bash
# PouchDB for bench_sync to compare Ferry with: installs pouchdb-node and pouchdb-server from the
# npm registry into DIR once (default: build/peers/pouchdb of this checkout; Node.js and npm
# from apt if missing), then runs pouchdb_bench.js with the rest of the arguments.
# Usage: bench/peers/pouchdb.sh [--install-dir DIR] [--records N] [--runs N] [--work DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="$here/../../build/peers/pouchdb"
if [ "${1:-}" = "--install-dir" ]; then
    dir="$2"
    shift 2
fi

if ! command -v node > /dev/null || ! command -v npm > /dev/null; then
    echo "pouchdb.sh: installing Node.js and npm" >&2
    apt-get install -y --no-install-recommends nodejs npm > /dev/null
fi
if [ ! -f "$dir/node_modules/pouchdb-node/package.json" ] \
    || [ ! -f "$dir/node_modules/pouchdb-server/package.json" ]; then
    echo "pouchdb.sh: installing pouchdb-node 9.0.0 and pouchdb-server 4.2.0 into $dir" >&2
    mkdir -p "$dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
        pouchdb-node@9.0.0 pouchdb-server@4.2.0 >&2
fi
NODE_PATH="$dir/node_modules" exec node "$here/pouchdb_bench.js" "$@"
