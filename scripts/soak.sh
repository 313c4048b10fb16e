#!/usr/bin/env bash
# The long run of the sync proofs that CI runs briefly: the randomized convergence test over
# many seeds and the crash trials many times. Builds first (like scripts/test.sh).
# Usage: scripts/soak.sh [SEEDS] [CRASH_TRIALS]     (defaults: 10000 seeds, 500 trials)
# Every failure prints the command that replays it; the script goes on to the end and
# exits non-zero if anything failed. Each part's whole output is kept in
# build/ci/soak-convergence-N.log.
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

# The seeds in as many parts as there are processors, each part a process with its own server
# (a seed keeps about one core busy): 10,000 seeds take about an hour on two cores.
parts="$(nproc)"
[ "$parts" -ge 1 ] || parts=1
[ "$parts" -le "$seeds" ] || parts="$seeds"
echo "soak: convergence, ${seeds} seeds in ${parts} parts"
pids=()
first=1
for ((part = 0; part < parts; ++part)); do
    count=$(( seeds / parts + (part < seeds % parts ? 1 : 0) ))
    FERRY_SEEDS="$count" FERRY_FIRST_SEED="$first" FERRY_KEEP_GOING=1 QT_QPA_PLATFORM=offscreen \
        QTEST_FUNCTION_TIMEOUT=86400000 \
        "$tests/tst_convergence" randomRuns -maxwarnings 0 > "build/ci/soak-convergence-$part.log" 2>&1 &
    pids+=("$!")
    first=$(( first + count ))
done
for ((part = 0; part < parts; ++part)); do
    if ! wait "${pids[$part]}"; then
        status=1
    fi
    # What each part found: its summary, and the replay command of every failed seed.
    grep -E "seeds from|replay:|^FAIL" "build/ci/soak-convergence-$part.log" || true
done

echo "soak: crash trials, ${trials} of each kind"
FERRY_CRASH_TRIALS="$trials" QT_QPA_PLATFORM=offscreen QTEST_FUNCTION_TIMEOUT=86400000 \
    "$tests/tst_crash" || status=1

echo "soak: done in $(( $(date +%s) - start )) s, $([ "$status" -eq 0 ] && echo "no failures" || echo "FAILURES above")"
exit "$status"
