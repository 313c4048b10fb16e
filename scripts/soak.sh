#!/usr/bin/env bash
# The long run of the sync proofs that CI runs briefly: the randomized convergence test over
# many seeds and the crash trials many times. Builds first (like scripts/test.sh).
# Usage: scripts/soak.sh [SEEDS] [CRASH_TRIALS]     (defaults: 10000 seeds, 500 trials)
# Every failure prints the command that replays it; the script goes on to the end and
# exits non-zero if anything failed.
set -euo pipefail
cd "$(dirname "$0")/.."

seeds="${1:-10000}"
trials="${2:-500}"

scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci -j "$(nproc)" --target tst_convergence tst_crash

tests=build/ci/tests
status=0
start=$(date +%s)

echo "soak: convergence, ${seeds} seeds"
FERRY_SEEDS="$seeds" FERRY_KEEP_GOING=1 QT_QPA_PLATFORM=offscreen QTEST_FUNCTION_TIMEOUT=86400000 \
    "$tests/tst_convergence" randomRuns || status=1

echo "soak: crash trials, ${trials} of each kind"
FERRY_CRASH_TRIALS="$trials" QT_QPA_PLATFORM=offscreen QTEST_FUNCTION_TIMEOUT=86400000 \
    "$tests/tst_crash" || status=1

echo "soak: done in $(( $(date +%s) - start )) s, $([ "$status" -eq 0 ] && echo "no failures" || echo "FAILURES above")"
exit "$status"
