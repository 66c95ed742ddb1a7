#!/usr/bin/env bash
# make fuzz: builds each libFuzzer target (Fuzz/) with the fuzzer and address sanitizers and runs
# it for FUZZ_SECONDS (default 60) seconds, one after the other, from a corpus under .build/fuzz-corpus
# seeded by Fuzz/Seeds/TARGET. A crash stops the run with its input and the command to replay it.
#   scripts/fuzz.sh [TARGET ...]      targets: arguments decoders security (default: all)
#   FUZZ_SECONDS=300 scripts/fuzz.sh decoders
#   FUZZ_FLAGS="-use_value_profile=1" adds libFuzzer options
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(arguments decoders security)
scratch=.build/fuzz          # the sanitized build, apart from .build/debug so neither rebuilds the other
swift=${SWIFT:-swift}

# libFuzzer comes with the Swift toolchain (clang's runtime beside it), not from a distribution package
resource=$(dirname "$(dirname "$(readlink -f "$(command -v "$swift")")")")/lib/clang
if ! ls "$resource"/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 \
    && ! ls "$resource"/*/lib/*/libclang_rt.fuzzer.a >/dev/null 2>&1; then
    echo "fuzz: no libFuzzer runtime under $resource: the Swift toolchain for Linux ships it; reinstall the toolchain" >&2
    exit 1
fi

product() { echo "Fuzz$(tr '[:lower:]' '[:upper:]' <<<"${1:0:1}")${1:1}"; }

# SwiftPM hands swiftc its sanitizers as separate -sanitize= options in an order that changes from
# run to run, and swiftc keeps only the last one: either no coverage (libFuzzer fuzzes blindly) or no
# ASan. The combined option, given last, gets both. SwiftPM is told of the fuzzer alone (it links
# libFuzzer's main): with two, their changing order changed the command line, and the next
# product rebuilt everything.
build() {
    "$swift" build -c debug --sanitize=fuzzer -Xswiftc -sanitize=address,fuzzer \
        --product "$1" --scratch-path "$scratch" 2>&1 | { grep -v "Cannot export local symbol" || true; } >&2
}

# A binary without coverage counters fuzzes blindly: libFuzzer then prints no "cov:". One without
# AddressSanitizer misses reads and writes out of bounds through unsafe pointers: no __asan_init.
instrumented() {
    local out
    grep -q __asan_init "$1" || return 1
    out=$(SWIFT_BACKTRACE=enable=no "$1" -runs=1 </dev/null 2>&1) || return 1
    grep -q "INITED cov:" <<<"$out"
}

declare -a summary
for target in "${targets[@]}"; do
    [ -d "Fuzz/Seeds/$target" ] || { echo "fuzz: unknown target '$target' (no Fuzz/Seeds/$target)" >&2; exit 2; }
    name=$(product "$target")
    binary="$scratch/debug/$name"
    build "$name"
    instrumented "$binary" || { echo "fuzz: $binary lacks coverage instrumentation or AddressSanitizer" >&2; exit 1; }
    corpus=.build/fuzz-corpus/$target
    artifacts=.build/fuzz-artifacts/$target/
    mkdir -p "$corpus" "$artifacts"
    log=.build/fuzz-artifacts/$target.log
    echo "fuzz: $target for ${seconds}s (corpus $corpus, seeds Fuzz/Seeds/$target)" >&2
    status=0
    started=$SECONDS
    SWIFT_BACKTRACE=enable=no "$binary" "$corpus" "Fuzz/Seeds/$target" -max_total_time="$seconds" -timeout=10 \
        -artifact_prefix="$artifacts" -print_final_stats=1 ${FUZZ_FLAGS:-} </dev/null >"$log" 2>&1 || status=$?
    elapsed=$((SECONDS - started))
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)  # none when a seed crashes
    units=$(find "$corpus" -type f | wc -l)
    summary+=("$(printf '%-10s %10s runs in %4ss  cov %5s  corpus %5s  %s' "$target" "${runs:-?}" "$elapsed" "${cov:-?}" "$units" \
        "$([ $status -eq 0 ] && echo ok || echo "FAILED (status $status)")")")
    if [ $status -ne 0 ]; then
        grep -E "Fatal error|ERROR: AddressSanitizer|ERROR: libFuzzer|SUMMARY" "$log" | head -5 >&2 || true
        crash=$(sed -n "s/.*Test unit written to \(.*\)$/\1/p" "$log" | tail -1)
        echo "fuzz: $target failed; log $log${crash:+, input $crash}" >&2
        [ -n "$crash" ] && echo "fuzz: replay with: SWIFT_BACKTRACE=enable=no $binary $crash" >&2
        printf '%s\n' "${summary[@]}" >&2
        exit 1
    fi
done
printf '%s\n' "${summary[@]}"
