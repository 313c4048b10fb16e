#!/usr/bin/env bash
# Installs what is missing, builds Ferry, starts a local ferry-server on an embedded SQLite
# file and opens two Ferry windows on it, profiles "laptop" and "desktop", so you can watch
# two devices sync. Without a display (or with --cli) it shows the same two profiles
# syncing with ferry-cli instead. Everything lives in FERRY_DEMO_DIR (default:
# ~/.local/share/ferry-demo); run it again and the records are still there.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target ferry-server ferry-cli ferry

bin=build/release
demo="${FERRY_DEMO_DIR:-$HOME/.local/share/ferry-demo}"
mkdir -p "$demo"
log="$demo/server.log"

"$bin/server/ferry-server" --data "$demo/server" --listen 127.0.0.1:0 >"$log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null || true' EXIT
url=""
for _ in $(seq 100); do
    url=$(sed -n 's/^ferry-server listening on \(http:[^ ]*\)$/\1/p' "$log")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || { echo "ferry-server did not start:"; cat "$log"; exit 1; }
echo "== ferry-server is running at $url (data in $demo/server)"

token=$("$bin/server/ferry-server" --data "$demo/server" token create --user demo)
# The first time, a few records to look at.
if [ ! -e "$demo/seeded" ]; then
    seed() { "$bin/app/cli/ferry-cli" --profile "$demo/seed" "$@"; }
    seed login --server "$url" --token "$token" >/dev/null
    travel=$(seed create Tag name=travel color=teal)
    recipes=$(seed create Tag name=recipes color=orange)
    seed create Post "title=Welcome to Ferry" "body=Edit this post in one window and watch it arrive in the other." \
        pinned=yes rating=5 "tags=$travel" >/dev/null
    seed create Post "title=Lisbon in spring" "body=Trams, tiles and custard tarts." rating=4 "tags=$travel" >/dev/null
    seed create Post "title=Bread starter" "body=Feed it every morning." rating=3 "tags=$recipes" >/dev/null
    seed sync >/dev/null && touch "$demo/seeded"
fi

if [ "${1:-}" != "--cli" ] && { [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; }; then
    echo "== Opening Ferry twice: the \"laptop\" and the \"desktop\" profile. Edit in one, watch the other."
    # Sync every 10 seconds, so changes show up in the other window without pressing Sync.
    "$bin/app/desktop/ferry" --profile "$demo/laptop-app" --server "$url" --token "$token" --sync-interval 10 &
    first=$!
    "$bin/app/desktop/ferry" --profile "$demo/desktop-app" --server "$url" --token "$token" --sync-interval 10 &
    second=$!
    echo "   Quit both windows (File > Quit, or Quit in the tray menu) to stop the server."
    wait $first $second || true
    exit 0
fi

laptop() { echo "\$ ferry-cli --profile laptop $*"; "$bin/app/cli/ferry-cli" --profile "$demo/laptop" "$@"; }
desktop() { echo "\$ ferry-cli --profile desktop $*"; "$bin/app/cli/ferry-cli" --profile "$demo/desktop" "$@"; }

laptop login --server "$url" --token "$token"
desktop login --server "$url" --token "$token"

echo; echo "== The laptop writes a post offline, then syncs; the desktop receives it."
post=$(laptop create Post "title=Hello from the laptop" "body=Written on $(date)" | tail -n 1)
laptop sync
desktop sync
desktop show "$post"

echo; echo "== Both edit the post: different fields merge, the same field becomes a conflict."
desktop edit "$post" "rating=5" "title=Hello from the desktop"
laptop edit "$post" "pinned=yes" "title=Hello again from the laptop"
desktop sync
laptop sync
laptop conflicts
laptop resolve "$post" --keep mine
laptop sync
desktop sync
desktop show "$post"

echo; echo "== Status of each device"
laptop status
desktop status
echo
echo "Try it yourself while this server runs (Ctrl+C stops it):"
echo "  $bin/app/cli/ferry-cli --profile $demo/laptop list Post"
if [ -t 0 ]; then
    read -r -p "Press Enter to stop the server... " _
fi
