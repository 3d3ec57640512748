#!/usr/bin/env bash
# Fuzz smoke test (docs/fuzzing.md): builds every fuzz target once, replays each target's
# regression inputs (fuzz/regressions/<target>/), then fuzzes each target for SMOKE_SECONDS
# (default 10) from its seed corpus (fuzz/corpus/<target>/, read only: new inputs go to a scratch
# directory). About 1.5 minutes for nine targets, plus the build (several minutes from clean).
#
# Exit 0: no crash. Exit 1: a regression input or the fuzzer crashed (panic, timeout, out of
# memory); the failing targets are listed at the end, and a new crash's input is in
# fuzz/artifacts/<target>/. Exit 2: the build or the set-up failed.
#
# Needs the nightly toolchain and cargo-fuzz: rustup toolchain install nightly;
# cargo install cargo-fuzz.
#
# Environment: SMOKE_SECONDS (per target), SMOKE_TARGETS (space-separated subset),
# DRIFT_FUZZ_KNOWN (reported property violations to let pass, see docs/fuzzing.md).
set -uo pipefail
cd "$(dirname "$0")"
seconds=${SMOKE_SECONDS:-10}
flags=(-rss_limit_mb=1024 -timeout=10)
# One worker thread: the machine is shared, and a crash replays the same way.
export RAYON_NUM_THREADS=${RAYON_NUM_THREADS:-1}
# Panics carry their message and the top of the stack into the log.
export RUST_BACKTRACE=${RUST_BACKTRACE:-1}

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz smoke: needs cargo-fuzz on the nightly toolchain (rustup toolchain install nightly; cargo install cargo-fuzz)" >&2
    exit 2
fi
started=$SECONDS
# -a: debug assertions and overflow checks; -s none: no AddressSanitizer (safe Rust; a third faster
# to build, twice as fast to run). docs/fuzzing.md runs with it for long runs.
if ! cargo +nightly fuzz build -a -s none; then
    echo "fuzz smoke: the fuzz targets do not build" >&2
    exit 2
fi
built=$SECONDS
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
bin=target/$triple/release
if [[ -n ${SMOKE_TARGETS:-} ]]; then
    read -r -a targets <<<"$SMOKE_TARGETS"
else
    mapfile -t targets < <(cargo +nightly fuzz list)
fi
[[ ${#targets[@]} -gt 0 ]] || { echo "fuzz smoke: no fuzz targets" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=()
# The lines of a libFuzzer log that say what happened.
explain() {
    grep -E -A2 "panicked at" "$1" | head -6
    grep -E "ERROR: libFuzzer|SUMMARY: |Test unit written to|ALARM: working on the last Unit|out-of-memory|==ERROR" "$1" | head -6
}

for target in "${targets[@]}"; do
    if [[ ! -x $bin/$target ]]; then
        echo "fuzz smoke: $target was not built" >&2
        failed+=("$target (not built)")
        continue
    fi
    # 1. Regressions: every saved input, each run once.
    regressions=()
    if [[ -d regressions/$target ]]; then
        mapfile -t regressions < <(find "regressions/$target" -type f ! -name '*.md' | sort)
    fi
    for input in "${regressions[@]}"; do
        log=$work/$target.regression.log
        if ! "$bin/$target" "${flags[@]}" "$input" >"$log" 2>&1; then
            echo "FAIL $target: regression $input"
            explain "$log" | sed 's/^/    /'
            failed+=("$target (regression $input)")
        fi
    done
    # 2. Fuzzing from the seeds, new inputs into a scratch corpus.
    mkdir -p "$work/corpus/$target" "artifacts/$target"
    seeds=()
    [[ -d corpus/$target ]] && seeds=("corpus/$target")
    log=$work/$target.log
    if "$bin/$target" "${flags[@]}" -max_total_time="$seconds" -artifact_prefix="artifacts/$target/" \
        "$work/corpus/$target" "${seeds[@]}" >"$log" 2>&1; then
        echo "ok   $target: $(grep -E '^#[0-9]+' "$log" | tail -1 | awk '{print $1 " runs, cov " $4 ", ft " $6}' | tr -d '#') " \
            "(${#regressions[@]} regression inputs)"
    else
        echo "FAIL $target: crashed while fuzzing"
        explain "$log" | sed 's/^/    /'
        failed+=("$target (fuzzing)")
    fi
done

echo "fuzz smoke: build $((built - started)) s, run $((SECONDS - built)) s"
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzz smoke: FAILED: ${failed[*]}" >&2
    echo "fuzz smoke: reproduce with: cargo +nightly fuzz run -a TARGET INPUT (docs/fuzzing.md)" >&2
    exit 1
fi
echo "fuzz smoke: ok (${#targets[@]} targets, ${seconds} s each)"
