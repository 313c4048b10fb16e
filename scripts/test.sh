#!/usr/bin/env bash
# Installs what is missing, builds Ferry with warnings as errors, and runs every test, then
# each fuzz target for a short, bounded time (FERRY_FUZZ_SECONDS, default 20; 0 skips) when
# clang with libFuzzer is there.
# Usage: scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)"
ctest --preset ci "$@"

fuzz_seconds="${FERRY_FUZZ_SECONDS:-20}"
if [ "$fuzz_seconds" -gt 0 ]; then
    status=0
    scripts/fuzz.sh "$fuzz_seconds" || status=$?
    if [ "$status" -eq 3 ]; then
        echo "test: clang with libFuzzer not found; fuzz targets not run"
    elif [ "$status" -ne 0 ]; then
        exit "$status"
    fi
fi
