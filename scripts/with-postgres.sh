#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server of its own: a new cluster in a temporary
# folder, listening on 127.0.0.1 on a free port, removed when the command ends. The command
# finds it in FERRY_TEST_POSTGRES (postgresql://postgres@127.0.0.1:PORT/postgres), where
# tests create a database for each ferry-server they start.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# Needs Debian's postgresql package (scripts/install-deps.sh). PostgreSQL refuses to run as
# root, so as root the cluster belongs to the postgres user.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "with-postgres: PostgreSQL's initdb not found; run scripts/install-deps.sh" >&2
    exit 1
fi

dir=$(mktemp -d /tmp/ferry-postgres.XXXXXX)
as_owner=()
if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    as_owner=(runuser -u postgres --)
fi

cleanup() {
    "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap cleanup EXIT

"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

# A test cluster: nothing in it must survive a power cut, so it skips the waits for the disk.
# Many test servers at once each hold a connection or two.
started=""
for attempt in 1 2 3 4 5 6 7 8; do
    port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
            -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null 2>&1; then
        started=yes
        break
    fi
done
if [ -z "$started" ]; then
    echo "with-postgres: PostgreSQL did not start; its log:" >&2
    cat "$dir/server.log" >&2 || true
    exit 1
fi

export FERRY_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/postgres"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
status=0
"$@" || status=$?
exit "$status"
