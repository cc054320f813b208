#!/usr/bin/env bash
# CI for the verifier everywhere (issues 7 and 19): the giayto-verify example; the README's
# "Web verifier" build lines run as written in a clean clone of HEAD; the Node test of every
# vector through that WASM build; the page in headless Chromium (layout, accessibility,
# screenshots, installability, offline). Installs the system packages it needs. Artefacts
# (screenshots, timing.json) go to $GIAYTO_WEB_ARTEFACTS (default: a temp folder, printed).
# GIAYTO_WEB_CLONE=0 runs the README lines in this checkout instead of a clone (uncommitted
# changes included).
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
export CARGO_TERM_COLOR=never
start=$(date +%s)

echo "== system packages (chromium, chromedriver)"
export DEBIAN_FRONTEND=noninteractive
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi
chromium --version

echo "== giayto-verify example (the test vectors through the crate)"
cargo run --locked -q -p giayto-verify --example verify_vectors

echo "== the README's web build lines"
block="$(mktemp /tmp/giayto-web-readme.XXXXXX)"
awk '/^<!-- .ci\/web.sh runs the next block/ { armed = 1; next }
     armed && /^```sh$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' README.md >"$block"
[ -s "$block" ] || { echo "README.md: no block marked for .ci/web.sh under \"Web verifier\"" >&2; exit 1; }
cat "$block"
# The wasm-bindgen-cli the README installs is the one Cargo.lock pins.
want=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')
grep -q "^cargo install wasm-bindgen-cli --version $want " "$block" \
    || { echo "README.md: the wasm-bindgen-cli version is not Cargo.lock's $want" >&2; exit 1; }
if [ "${GIAYTO_WEB_CLONE:-1}" = 1 ]; then
    clone_root="$(mktemp -d /tmp/giayto-web-clone.XXXXXX)"
    trap 'rm -rf "$clone_root"' EXIT
    work="$clone_root/giayto"
    git clone -q --no-hardlinks "$repo" "$work"
    echo "clean clone of $(git -C "$work" rev-parse --short HEAD) in $work"
    # Compiled dependencies are shared with this checkout's target folder (not the sources).
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
else
    work="$repo"
fi
serve=""
while IFS= read -r line; do
    case "$line" in
        "python3 -m http.server"*) serve="$line" ;;
        *) echo "+ $line"; (cd "$work" && bash -euo pipefail -c "$line") ;;
    esac
done <"$block"
[ -n "$serve" ] || { echo "README.md: the block has no python3 -m http.server line" >&2; exit 1; }
for f in giayto-demo/root/root.pub giayto-demo/offline.bundle giayto-demo/cccd.png; do
    [ -s "$work/$f" ] || { echo "the README names $f, which the demo did not write" >&2; exit 1; }
done
# The server line as written, on a free port, in the background; the page's files must load.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "+ ${serve/8080/$port} &"
(cd "$work" && exec bash -c "exec ${serve/8080/$port}" >/dev/null 2>&1) &
server=$!
GIAYTO_PORT=$port node -e '
const files = ["", "app.js", "fetch.js", "style.css", "sw.js", "sw-version.js", "manifest.webmanifest", "favicon.ico",
  "icons/icon-192.png", "pkg/giayto_verify_lite.js", "pkg/giayto_verify_lite_bg.wasm",
  "pkg/giayto_verify_wasm.js", "pkg/giayto_verify_wasm_bg.wasm",
  "pkg/giayto_scan_wasm.js", "pkg/giayto_scan_wasm_bg.wasm",
  "i18n/vi/giayto.ftl", "strings/en-US.ftl", "vendor/fluent/index.js"];
(async () => {
  const base = `http://127.0.0.1:${process.env.GIAYTO_PORT}/`;
  for (let i = 0; ; i++) {
    try { await fetch(base); break; } catch (e) { if (i > 100) throw e; await new Promise((r) => setTimeout(r, 100)); }
  }
  for (const f of files) {
    const r = await fetch(base + f);
    if (r.status !== 200) { console.error(`${base}${f}: HTTP ${r.status}`); process.exit(1); }
  }
  console.log(`served: ${files.length} files of web/ from the README server line`);
})().catch((e) => { console.error(e); process.exit(1); });' || { kill "$server"; exit 1; }
kill "$server"
wait "$server" 2>/dev/null || true
for f in giayto_verify_lite_bg.wasm giayto_verify_wasm_bg.wasm giayto_scan_wasm_bg.wasm; do
    wasm="$work/web/pkg/$f"
    echo "$f: $(wc -c <"$wasm") bytes raw, $(gzip -9c "$wasm" | wc -c) bytes gzip -9"
done

echo "== first-load size (what the page fetches before it is ready; gzip -9; goal 250 KiB)"
(cd "$work/npm" && node test/first-load.cjs)

echo "== Node tests (every vector through the WASM build; build.sh's prerequisite checks)"
(cd "$work/npm" && node --test test/vectors.test.cjs test/build.test.cjs test/first-load.test.cjs)

echo "== browser test (headless Chromium)"
(cd "$work" && cargo build --locked -q -p giayto-cli)
target_dir="$(cd "$work" && cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
export GIAYTO_BIN="$target_dir/debug/giayto"
export GIAYTO_WEB_ARTEFACTS="${GIAYTO_WEB_ARTEFACTS:-$(mktemp -d /tmp/giayto-web-artefacts.XXXXXX)}"
(cd "$work/npm" && node --test test/browser.test.cjs)
echo "artefacts in $GIAYTO_WEB_ARTEFACTS"
echo "== web CI done in $(( $(date +%s) - start )) s"
