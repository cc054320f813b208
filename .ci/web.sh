#!/usr/bin/env bash
# CI for the verifier everywhere (issue 7): the giayto-verify example, the WASM build, the Node
# test of every vector through it, and the web page in headless Chromium (offline included).
# Runs from a clean clone; installs what it needs. Artefacts (screenshots, timing.json) go to
# $GIAYTO_WEB_ARTEFACTS (default: a temp folder, printed).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never
start=$(date +%s)

echo "== system packages (chromium, chromedriver)"
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version

echo "== wasm toolchain"
rustup target add wasm32-unknown-unknown >/dev/null
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    # Not --locked: the CLI's own lock file names a webpki-roots release the registry here
    # lacks; the wasm-bindgen version itself is exact.
    cargo install wasm-bindgen-cli --version "=$want"
fi
wasm-bindgen --version

echo "== giayto-verify example (the test vectors through the crate)"
cargo run --locked -q -p giayto-verify --example verify_vectors

echo "== WASM build (npm/build.sh)"
(cd npm && npm ci --no-audit --no-fund)
npm/build.sh
wasm=npm/giayto-verify/web/giayto_verify_wasm_bg.wasm
echo "wasm size: $(wc -c <"$wasm") bytes raw, $(gzip -9c "$wasm" | wc -c) bytes gzip -9"

echo "== Node test (every vector through the WASM build)"
(cd npm && node --test test/vectors.test.cjs)

echo "== browser test (headless Chromium)"
cargo build --locked -q -p giayto-cli
export GIAYTO_BIN="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')/debug/giayto"
export GIAYTO_WEB_ARTEFACTS="${GIAYTO_WEB_ARTEFACTS:-$(mktemp -d /tmp/giayto-web-artefacts.XXXXXX)}"
(cd npm && node --test test/browser.test.cjs)
echo "artefacts in $GIAYTO_WEB_ARTEFACTS"
echo "== web CI done in $(( $(date +%s) - start )) s"
