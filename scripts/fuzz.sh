#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ with clang (preset "fuzz", build/fuzz-targets) and runs
# each for SECONDS (default 60), starting from the seed corpus in fuzz/corpus/<target>.
# New interesting inputs are kept in build/fuzz-targets/corpus/<target>; a crash is written to
# build/fuzz-targets/crashes/<target>/ and makes this script exit 1. Needs clang with libFuzzer
# (Debian: clang libclang-rt-dev; another clang++ with FUZZ_CXX=/path/to/clang++); exits 3 if
# that is missing, so callers can skip.
# Usage: scripts/fuzz.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
targets=(fuzz_server_request fuzz_client_answers fuzz_account_answers fuzz_client_store)
build=build/fuzz-targets
cxx="${FUZZ_CXX:-clang++}"

if ! command -v "$cxx" >/dev/null 2>&1 \
    || ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char *, unsigned long) { return 0; }' \
        | "$cxx" -x c++ -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
    echo "fuzz: $cxx with libFuzzer (-fsanitize=fuzzer) is not available" >&2
    exit 3
fi

cmake --preset fuzz -DCMAKE_CXX_COMPILER="$cxx" >/dev/null || exit 2
cmake --build --preset fuzz --target "${targets[@]}" || exit 2

status=0
for target in "${targets[@]}"; do
    corpus="$build/corpus/${target#fuzz_}"
    crashes="$build/crashes/$target"
    mkdir -p "$corpus" "$crashes"
    log="$build/$target.log"
    echo "fuzz: running $target for ${seconds}s"
    "$build/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" \
        "$corpus" "fuzz/corpus/${target#fuzz_}" >"$log" 2>&1
    code=$?
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
    echo "fuzz: $target: ${runs:-?} inputs run, exit $code"
    found=$(find "$crashes" -type f | head -20)
    if [ "$code" -ne 0 ] || [ -n "$found" ]; then
        status=1
        tail -40 "$log"
        echo "fuzz: $target found a problem; inputs that show it:"
        echo "${found:-(none written; see $log)}"
    fi
done
exit $status
