#!/usr/bin/env bash
# The journey of a person installing Ferry from its .deb: builds the package from a build
# folder (cpack), checks its metadata (AppStream, desktop entry), installs it with apt, starts
# the installed app the way its menu entry does under a private Xvfb and waits for its window
# (a screenshot is left in the build folder to look at), runs the installed server unit's
# command line as its user and asks it /healthz; then removes the package again.
# Usage: scripts/test-package.sh BUILD_DIR      (run by CTest as package_journey)
# Exits 77 (skipped) where it cannot install packages: not Debian/Ubuntu, or neither root nor
# password-less sudo; or where a ferry package it did not install is already there.
set -euo pipefail
build="$(cd "${1:?usage: test-package.sh BUILD_DIR}" && pwd)"

if ! command -v dpkg > /dev/null || ! command -v apt-get > /dev/null; then
    echo "test-package: not a Debian/Ubuntu system; skipped"
    exit 77
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true 2> /dev/null; then
        sudo="sudo -n"
    else
        echo "test-package: installing needs root or password-less sudo; skipped"
        exit 77
    fi
fi
if dpkg-query -W -f='${Status}' ferry 2> /dev/null | grep -q "install ok installed"; then
    echo "test-package: a ferry package is installed already; left alone, skipped"
    exit 77
fi

work="$(mktemp -d)"
xvfb="" app="" server=""
cleanup() {
    [ -n "$app" ] && kill "$app" 2> /dev/null
    [ -n "$server" ] && kill "$server" 2> /dev/null
    [ -n "$xvfb" ] && kill "$xvfb" 2> /dev/null
    wait 2> /dev/null || true
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq ferry > /dev/null 2>&1 || true
    $sudo rm -rf /var/lib/ferry-server
    rm -rf "$work"
}
trap cleanup EXIT
fail() {
    echo "test-package: FAILED: $*"
    exit 1
}

# 1. The package.
(cd "$build" && cpack -G DEB -B "$work/package" > "$work/cpack.log" 2>&1) \
    || { cat "$work/cpack.log"; fail "cpack could not make the .deb"; }
deb="$(ls "$work"/package/ferry_*.deb)"
echo "test-package: made $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB)"
dpkg-deb --contents "$deb" > "$work/contents"
for path in ./usr/bin/ferry ./usr/bin/ferry-cli ./usr/bin/ferry-server \
    ./usr/share/applications/org.ferrysync.Ferry.desktop \
    ./usr/share/metainfo/org.ferrysync.Ferry.metainfo.xml \
    ./usr/share/icons/hicolor/scalable/apps/org.ferrysync.Ferry.svg \
    ./usr/share/icons/hicolor/48x48/apps/org.ferrysync.Ferry.png \
    ./usr/share/icons/hicolor/256x256/apps/org.ferrysync.Ferry.png \
    ./usr/lib/systemd/system/ferry-server.service; do
    grep -q " $path\$" "$work/contents" || fail "the package lacks $path"
done

# 2. Installed with apt, which brings what it depends on.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" > "$work/apt.log" 2>&1 \
    || { cat "$work/apt.log"; fail "apt could not install the package"; }
appstreamcli validate --no-net /usr/share/metainfo/org.ferrysync.Ferry.metainfo.xml \
    || fail "appstreamcli refuses the installed metainfo"
desktop-file-validate /usr/share/applications/org.ferrysync.Ferry.desktop \
    || fail "desktop-file-validate refuses the installed desktop entry"
getent passwd ferry-server > /dev/null || fail "the package made no ferry-server user"

# 3. The app, started as its menu entry says, in a fresh home, comes up with a window.
exec_line="$(sed -n 's/^Exec=//p' /usr/share/applications/org.ferrysync.Ferry.desktop)"
[ -n "$exec_line" ] || fail "the desktop entry has no Exec line"
for d in $(seq 90 140); do [ -e "/tmp/.X$d-lock" ] || { display=":$d"; break; }; done
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp > /dev/null 2>&1 &
xvfb=$!
for _ in $(seq 50); do DISPLAY=$display xdotool getdisplaygeometry > /dev/null 2>&1 && break; sleep 0.1; done
mkdir -p "$work/home"
# shellcheck disable=SC2086 # the Exec line is a command and its arguments
(cd "$work/home" && exec env -i PATH=/usr/bin:/bin HOME="$work/home" DISPLAY="$display" \
    XDG_RUNTIME_DIR="$work/home" QT_QPA_PLATFORM=xcb $exec_line > "$work/app.log" 2>&1) &
app=$!
window=""
for _ in $(seq 80); do
    window="$(DISPLAY=$display xdotool search --onlyvisible --name Ferry 2> /dev/null | head -1 || true)"
    [ -n "$window" ] && break
    kill -0 "$app" 2> /dev/null || break
    sleep 0.25
done
[ -n "$window" ] || { cat "$work/app.log"; fail "the installed app showed no window"; }
sleep 1
DISPLAY=$display import -window root "$build/package-journey.png" 2> /dev/null || true
echo "test-package: the installed app shows \"$(DISPLAY=$display xdotool getwindowname "$window")\" (screenshot: $build/package-journey.png)"
kill "$app"
wait "$app" 2> /dev/null || true
app=""

# 4. The server unit's command line, as the unit's user, in the unit's state folder.
unit=/usr/lib/systemd/system/ferry-server.service
start="$(sed -n 's/^ExecStart=//p' "$unit")"
user="$(sed -n 's/^User=//p' "$unit")"
state="$(sed -n 's/^StateDirectory=//p' "$unit")"
listen="$(echo "$start" | sed -n 's/.*--listen \([^ ]*\).*/\1/p')"
[ -n "$start" ] && [ -n "$user" ] && [ -n "$state" ] && [ -n "$listen" ] \
    || fail "the unit lacks ExecStart, User, StateDirectory or --listen"
$sudo install -d -o "$user" -g "$user" -m 0750 "/var/lib/$state"
# shellcheck disable=SC2086 # ExecStart is a command and its arguments
$sudo runuser -u "$user" -- $start > "$work/server.log" 2>&1 &
server=$!
healthy=""
for _ in $(seq 100); do
    if curl -sf "http://$listen/healthz" > "$work/healthz" 2> /dev/null; then
        healthy=1
        break
    fi
    kill -0 "$server" 2> /dev/null || break
    sleep 0.1
done
[ -n "$healthy" ] || { cat "$work/server.log"; fail "the unit's server did not answer /healthz on $listen"; }
echo "test-package: the unit's command line serves /healthz on $listen: $(cat "$work/healthz")"
[ -f "/var/lib/$state/ferry.db" ] || fail "the server kept no database in /var/lib/$state"
echo "test-package: passed"
