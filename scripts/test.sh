#!/usr/bin/env bash
# Installs what is missing, builds Ferry with warnings as errors, runs each fuzz target for a
# short, bounded time (FERRY_FUZZ_SECONDS, default 20; 0 skips) when clang with libFuzzer is
# there, and then every test, so that CTest's summary is the last thing printed.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"

fuzz_status=0
fuzz_seconds="${FERRY_FUZZ_SECONDS:-20}"
if [ "$fuzz_seconds" -gt 0 ]; then
    scripts/fuzz.sh "$fuzz_seconds" || fuzz_status=$?
    if [ "$fuzz_status" -eq 3 ]; then
        echo "test: clang with libFuzzer not found; fuzz targets not run"
        fuzz_status=0
    elif [ "$fuzz_status" -ne 0 ]; then
        echo "test: a fuzz target failed (above); running the tests anyway"
    fi
fi

ctest_status=0
ctest --preset ci "$@" || ctest_status=$?
[ "$ctest_status" -ne 0 ] && exit "$ctest_status"
exit "$fuzz_status"
