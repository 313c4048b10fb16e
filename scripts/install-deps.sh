#!/usr/bin/env bash
# Installs what building and testing Ferry needs, if it is missing. Debian and Ubuntu only;
# README.md says what to install on macOS and Windows.
set -euo pipefail

packages=(
    cmake ninja-build g++
    qt6-base-dev libqt6sql6-sqlite qt6-httpserver-dev qt6-websockets-dev libqt6svg6
    qtkeychain-qt6-dev gnome-keyring libsecret-1-0 dbus-bin
    libdtl-dev
    libssl-dev
    libargon2-dev
    # PostgreSQL: ferry-server's store for teams (--database), and the throwaway cluster
    # scripts/with-postgres.sh starts for the tests that run against it
    postgresql libqt6sql6-psql
    clang libclang-rt-dev
    xvfb xdotool trayer imagemagick
    # The package journey (scripts/test-package.sh): its metadata checked, /healthz asked
    appstream desktop-file-utils curl
    # Chinese, Japanese and Korean glyphs, for the journeys and screenshots in other scripts
    fonts-wqy-microhei
)

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "install-deps: not a Debian/Ubuntu system; install Qt 6.4+ (Core, Network, Sql with SQLite, HttpServer, WebSockets, Test), CMake and Ninja as README.md describes." >&2
    exit 0
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
