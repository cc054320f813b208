#!/usr/bin/env bash
# Fuzz every decoder reachable from a scanned code for a bounded time (issue 8).
#
#   FUZZ_SECONDS=60 .ci/fuzz.sh            # every target, 60 s each (the default)
#   FUZZ_SECONDS=5 .ci/fuzz.sh claims      # one or more named targets
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Seeds are written
# fresh from the test vectors into fuzz/corpus/ (ignored by git). Fails on the first target that
# crashes, runs out of the memory limit or times out; the input is left in fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

seconds="${FUZZ_SECONDS:-60}"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cd fuzz && cargo +nightly fuzz list)
fi

echo "== fuzz seeds from the test vectors"
cargo run -q -p giayto-vectors --example fuzz_seeds -- fuzz/corpus

echo "== fuzz build"
(cd fuzz && cargo +nightly fuzz build)

log_dir=$(mktemp -d)
trap 'rm -rf "$log_dir"' EXIT
for t in "${targets[@]}"; do
    echo "== fuzz $t for ${seconds}s"
    mkdir -p "fuzz/corpus/$t"
    log="$log_dir/$t.log"
    # -max_len: a QR code holds at most 4,296 characters; 8 KiB covers every cap with room.
    # -timeout: one input taking over 10 s is a finding; so is one allocation over 256 MiB.
    if (cd fuzz && cargo +nightly fuzz run "$t" "corpus/$t" -- \
        -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=256 \
        -print_final_stats=1) >"$log" 2>&1; then
        grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$log" || true
    else
        grep -E -A8 "panicked at|ERROR: AddressSanitizer|ERROR: libFuzzer" "$log" | head -n 40 >&2 || true
        tail -n 25 "$log" >&2
        echo "fuzz target $t failed; reproduce with:" >&2
        echo "  (cd fuzz && cargo +nightly fuzz run $t artifacts/$t/<file>)" >&2
        exit 1
    fi
done
echo "fuzzing passed: ${#targets[@]} targets, ${seconds}s each"
