#!/usr/bin/env bash
# CI for the verifier in other languages (issue 14): builds the Rust core once in release (the
# Python extension and the C library share it; Java loads the C library), then runs pytest, the
# C test under valgrind, the Java test, and the conformance table (binding × vector: the Rust
# crate, the debug CLI, Python, C, Java, and Node/WASM when npm/build.sh has built the package),
# which fails on any disagreement.
# Installs what it needs. Results of every runner go to $GIAYTO_BINDINGS_OUT (default: a temp
# folder, printed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
start=$(date +%s)
stage() { echo "== $1 ($(( $(date +%s) - start )) s)"; }

stage "system packages (JDK 17, JNA, valgrind, cJSON)"
export DEBIAN_FRONTEND=noninteractive
need=""
for p in openjdk-17-jdk-headless libjna-java valgrind libcjson-dev; do
    dpkg -s "$p" >/dev/null 2>&1 || need="$need $p"
done
if [ -n "$need" ]; then
    apt-get update -qq
    # shellcheck disable=SC2086
    apt-get install -y -qq $need >/dev/null
fi
jna=/usr/share/java/jna.jar
test -f "$jna"

stage "Python tools (maturin, pytest, python-cwt for the benchmark)"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    "maturin>=1.7,<2" pytest cwt

target=$(cargo metadata --format-version 1 --no-deps --locked \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
out=${GIAYTO_BINDINGS_OUT:-$(mktemp -d /tmp/giayto-bindings.XXXXXX)}
mkdir -p "$out"

stage "the core, once, in release: the Python wheel, then the C library and Rust runners"
rm -rf "$target/wheels-bindings"
maturin build --release --locked -q -m bindings/python/Cargo.toml -o "$target/wheels-bindings"
python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore \
    --force-reinstall --no-deps "$target"/wheels-bindings/giayto-*.whl
cargo build --release --locked -q -p giayto-verify-ffi --lib --examples
lib="$target/release"
test -f "$lib/libgiayto_verify_ffi.so"

stage "Rust: the core's tests and the committed C header is current"
cargo test --release --locked -q -p giayto-verify-ffi
cargo test --locked -q -p giayto-ffi-header

stage "Python: pytest (every vector as text and as a PNG, bad input, threads)"
python3 -m pytest -q -p no:cacheprovider bindings/python/tests

stage "C: every vector, bad input, API misuse, under valgrind"
cc -std=c11 -O1 -g -Wall -Wextra -Werror -I crates/giayto-verify-ffi/include \
    crates/giayto-verify-ffi/tests/c/vectors.c -o "$out/vectors-c" \
    -L "$lib" -lgiayto_verify_ffi -lcjson
LD_LIBRARY_PATH="$lib" valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect \
    --error-exitcode=1 "$out/vectors-c" test-vectors bindings/conformance/bad-inputs.json "$out/c.jsonl"

stage "Java: every vector through JNA"
rm -rf "$out/java-classes"
javac -Xlint:all -Werror -cp "$jna" -d "$out/java-classes" \
    $(find bindings/java/src -name '*.java')
java -Djna.library.path="$lib" -cp "$out/java-classes:$jna" vn.giayto.verify.VectorsTest \
    test-vectors bindings/conformance/bad-inputs.json "$out/java.jsonl"

stage "conformance: Rust crate, CLI, Python, C, Java, Node/WASM"
# The CLI column: the debug binary .ci/run's tests already built (a no-op build then).
cargo build --locked -q -p giayto-cli
python3 bindings/conformance/run_cli.py "$target/debug/giayto" test-vectors \
    bindings/conformance/bad-inputs.json >"$out/cli.jsonl"
"$lib/examples/conformance" test-vectors bindings/conformance/bad-inputs.json >"$out/rust.jsonl"
python3 bindings/conformance/run_python.py test-vectors bindings/conformance/bad-inputs.json >"$out/python.jsonl"
require=rust,cli,python,c,java
# The Node column runs this checkout's WASM build: .ci/web.sh builds the page in a clean clone,
# so the package here is built (again) from these sources, never a stale one left behind.
if command -v node >/dev/null && command -v wasm-bindgen >/dev/null; then
    (cd npm && npm ci --silent --no-audit --no-fund) && npm/build.sh >/dev/null
fi
if [ -f npm/giayto-verify/node/giayto_verify_wasm.js ]; then
    node bindings/conformance/run_node.cjs test-vectors bindings/conformance/bad-inputs.json >"$out/node.jsonl"
    require=$require,node
else
    echo "(no WASM build: run npm/build.sh, as .ci/web.sh does, for the Node column)"
fi
python3 bindings/conformance/compare.py --vectors test-vectors \
    --bad bindings/conformance/bad-inputs.json --require "$require" "$out"/*.jsonl

stage "benchmark (figures only, never a failure)"
python3 bindings/python/bench/bench_verify.py 2000 || echo "benchmark did not run"
echo "results in $out"
stage "bindings CI done"
