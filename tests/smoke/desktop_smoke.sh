#!/usr/bin/env bash
# The real `ferry` binary in a real X server (Xvfb, with a tray host), started as a person
# starts it: a record typed on the keyboard in one profile reaches a second profile through a
# real ferry-server. Saves a screenshot to look at; fails if the window is blank or the
# record does not arrive.
# Usage: desktop_smoke.sh FERRY FERRY_CLI FERRY_SERVER OUT_DIR
set -euo pipefail
ferry=$1 cli=$2 server=$3 out=$4
for tool in Xvfb xdotool import convert trayer; do
    command -v "$tool" >/dev/null || { echo "smoke: $tool is missing (scripts/install-deps.sh installs it)"; exit 1; }
done
work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "smoke: $*"; echo "--- ferry said:"; cat "$work/ferry.out" 2>/dev/null || true; exit 1; }

disp=""
for d in $(seq 150 199); do [ -e "/tmp/.X$d-lock" ] || { disp=":$d"; break; }; done
Xvfb "$disp" -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
export DISPLAY=$disp QT_QPA_PLATFORM=xcb
for _ in $(seq 50); do xdotool getdisplaygeometry >/dev/null 2>&1 && break; sleep 0.1; done
trayer --edge top --align right --widthtype pixel --width 120 --height 28 >/dev/null 2>&1 &
pids+=($!)

mkdir -p "$work/server"
"$server" --data "$work/server" --listen 127.0.0.1:0 >"$work/server.out" 2>&1 &
pids+=($!)
url=""
for _ in $(seq 100); do
    url=$(sed -n 's/^ferry-server listening on //p' "$work/server.out")
    [ -n "$url" ] && break
    sleep 0.1
done
[ -n "$url" ] || fail "the server did not start: $(cat "$work/server.out")"
token_a=$("$server" --data "$work/server" token create --user smoke)
token_b=$("$server" --data "$work/server" token create --user smoke)

export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data"
"$ferry" --profile smoke-a --server "$url" --token "$token_a" --workspace smoke >"$work/ferry.out" 2>&1 &
app=$!
pids+=($app)
win=""
for _ in $(seq 80); do
    win=$(xdotool search --onlyvisible --pid "$app" 2>/dev/null | head -1 || true)
    [ -n "$win" ] && break
    kill -0 "$app" 2>/dev/null || fail "ferry exited"
    sleep 0.25
done
[ -n "$win" ] || fail "no window appeared"
sleep 2
xdotool mousemove --window "$win" 300 300 || true
xdotool key ctrl+n
sleep 1
xdotool type --delay 15 "Smoke test record"
xdotool key Return
sleep 1
xdotool key ctrl+r

"$cli" --profile "$work/b" login --server "$url" --token "$token_b" --workspace smoke >/dev/null
found=""
for _ in $(seq 60); do
    "$cli" --profile "$work/b" sync >/dev/null 2>&1 || true
    if "$cli" --profile "$work/b" list Post 2>/dev/null | grep -q "Smoke test record"; then
        found=1
        break
    fi
    sleep 0.5
done
mkdir -p "$out"
import -window root "$out/desktop-smoke.png"
colours=$(convert "$out/desktop-smoke.png" -format "%k" info:)
[ "$colours" -gt 50 ] || fail "the screenshot $out/desktop-smoke.png is blank ($colours colours)"
[ -n "$found" ] || fail "the record typed in ferry did not reach the second profile"
echo "smoke: the record arrived; screenshot $out/desktop-smoke.png ($colours colours)"
