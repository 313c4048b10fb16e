#!/usr/bin/env bash
# Runs a command with a real Secret Service keychain: a private D-Bus session bus
# (dbus-run-session) and a gnome-keyring-daemon started for it alone, its "login" keyring
# created with a throwaway password and unlocked, so QtKeychain can store secrets without a
# desktop session or a password prompt. HOME and the XDG folders point into a temporary
# folder, so the keyrings of the person running this are never read or touched. The daemon
# and the folder are gone afterwards. The exit code is the command's (2 when the keychain
# could not be started).
# Needs gnome-keyring, libsecret-1-0 and dbus-bin (Debian; scripts/install-deps.sh).
# Usage: scripts/with-keyring.sh COMMAND [ARGS...]
set -uo pipefail

if [ $# -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGS...]" >&2
    exit 2
fi

for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "with-keyring: $tool is not installed (Debian: scripts/install-deps.sh)" >&2
        exit 2
    fi
done

# First pass: make the temporary folder and start a private bus that runs this script again.
if [ -z "${FERRY_WITH_KEYRING_DIR:-}" ]; then
    dir="$(mktemp -d "${TMPDIR:-/tmp}/ferry-keyring.XXXXXX")" || exit 2
    trap 'rm -rf "$dir"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    FERRY_WITH_KEYRING_DIR="$dir" dbus-run-session -- "$BASH" "$0" "$@"
    exit $?
fi

# Second pass, inside the private bus.
dir="$FERRY_WITH_KEYRING_DIR"
unset FERRY_WITH_KEYRING_DIR
export HOME="$dir/home"
export XDG_DATA_HOME="$dir/home/.local/share"
export XDG_CONFIG_HOME="$dir/home/.config"
export XDG_CACHE_HOME="$dir/home/.cache"
export XDG_RUNTIME_DIR="$dir/runtime"
# QtKeychain picks its backend from the desktop; an unset desktop means the Secret Service.
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION KDE_FULL_SESSION
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR" || exit 2
chmod 700 "$dir" "$XDG_RUNTIME_DIR"

# A password on stdin creates the "login" keyring (the default collection) and unlocks it.
# It must not be empty: gnome-keyring 42 then creates no keyring at all, and the first write
# would wait for a prompter window that cannot appear here. The keyring lives only as long as
# the temporary folder, so the password protects nothing and need not be secret.
printf 'ferry-test' | gnome-keyring-daemon --foreground --unlock --components=secrets \
    --control-directory="$XDG_RUNTIME_DIR/keyring" >"$dir/daemon.log" 2>&1 &
daemon=$!

stop_daemon() {
    if kill -0 "$daemon" 2>/dev/null; then
        kill "$daemon" 2>/dev/null
        wait "$daemon" 2>/dev/null
    fi
}
trap stop_daemon EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

has_owner() {
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null \
        | grep -q 'boolean true'
}
ready=0
for _ in $(seq 100); do
    if has_owner; then
        ready=1
        break
    fi
    kill -0 "$daemon" 2>/dev/null || break
    sleep 0.1
done
if [ "$ready" -ne 1 ]; then
    echo "with-keyring: gnome-keyring-daemon did not offer org.freedesktop.secrets:" >&2
    cat "$dir/daemon.log" >&2
    exit 2
fi
# Secrets go to the collection the "default" alias names; "/" means there is none.
if ! dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
    org.freedesktop.Secret.Service.ReadAlias string:default 2>/dev/null \
    | grep -q 'object path "/org/freedesktop/secrets/collection/'; then
    echo "with-keyring: gnome-keyring-daemon made no default keyring:" >&2
    cat "$dir/daemon.log" >&2
    exit 2
fi

"$@"
