#!/usr/bin/env bash
# Build the two WASM modules into the npm package folder (npm/giayto-verify/{web,node}) and the
# static page (web/pkg, web/i18n): the verifier (crates/giayto-verify-wasm), which the page
# loads first, and the QR scanner (crates/giayto-scan-wasm), which it loads only when a photo or
# the camera needs it (docs/decisions.md D175), and the page's first-load build of the verifier
# (giayto_verify_lite, D177). Needs the wasm32-unknown-unknown target and wasm-bindgen-cli of
# exactly the wasm-bindgen version in Cargo.lock. Outputs are build artefacts (not committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"

# Everything the build needs is checked first, and each missing piece named with the command
# that provides it (README, "Web verifier"): no step is skipped silently.
want="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
missing=()
for tool in cargo rustc node; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool is not installed (needed to build; see README, \"Web verifier\")")
done
if command -v rustc >/dev/null 2>&1 && [ ! -d "$(rustc --print sysroot)/lib/rustlib/wasm32-unknown-unknown" ]; then
  missing+=("the Rust target wasm32-unknown-unknown is not installed: rustup target add wasm32-unknown-unknown")
fi
if [ -z "$want" ]; then
  missing+=("Cargo.lock names no wasm-bindgen version")
elif ! command -v wasm-bindgen >/dev/null 2>&1; then
  missing+=("wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version $want")
else
  have="$(wasm-bindgen --version | awk '{print $2}')"
  if [ "$have" != "$want" ]; then
    missing+=("wasm-bindgen-cli is $have, Cargo.lock has wasm-bindgen $want: cargo install wasm-bindgen-cli --version $want")
  fi
fi
if [ ! -f "$here/node_modules/@fluent/bundle/esm/index.js" ]; then
  missing+=("npm/node_modules is not installed (the page needs @fluent/bundle from it): (cd npm && npm ci)")
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "npm/build.sh: cannot build the web verifier:" >&2
  for m in "${missing[@]}"; do echo "  - $m" >&2; done
  exit 2
fi

cargo build --locked --target wasm32-unknown-unknown --profile wasm -p giayto-verify-wasm -p giayto-scan-wasm
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
pkg="$here/giayto-verify"
rm -rf "$pkg/web" "$pkg/node"
# No wasm-opt: Debian's binaryen (108) turns wasm-bindgen's externref table into a funcref one
# (the module then fails to load), and its -Oz/-O3 output gzips larger than its input
# (docs/decisions.md D176). The name and producers sections are dropped (`WASM_KEEP_NAMES=1`
# keeps the names for profiling with `twiggy` or `wasm-objdump`).
keep=()
[ "${WASM_KEEP_NAMES:-0}" = 1 ] || keep=(--remove-name-section --remove-producers-section)
for crate in giayto_verify_wasm giayto_scan_wasm; do
  wasm="$target_dir/wasm32-unknown-unknown/wasm/$crate.wasm"
  wasm-bindgen "${keep[@]}" --target web --out-dir "$pkg/web" "$wasm"
  # Node: the same module, CommonJS glue. The verifier's glue is giayto_verify_full.js: the
  # package's node/giayto_verify_wasm.js (npm/node-index.cjs) joins it with the scanner, which
  # it loads on the first decodeImage/decodeRgba call.
  name="$crate"
  [ "$crate" = giayto_verify_wasm ] && name=giayto_verify_full
  wasm-bindgen "${keep[@]}" --target nodejs --out-name "$name" --out-dir "$pkg/node" "$wasm"
done
# The page's first-load module: the same crate without its default feature `full` (no forms,
# no making or drawing of requests, no status updates; D177). Built after the complete one
# was bound, as cargo writes both to the same file name.
# Its text is normalised to NFC by the browser (feature browser-nfc, D181).
cargo build --locked --target wasm32-unknown-unknown --profile wasm -p giayto-verify-wasm --no-default-features --features browser-nfc
wasm-bindgen "${keep[@]}" --target web --out-name giayto_verify_lite --out-dir "$pkg/web" \
  "$target_dir/wasm32-unknown-unknown/wasm/giayto_verify_wasm.wasm"
cp "$here/node-index.cjs" "$pkg/node/giayto_verify_wasm.js"
printf "export * from './giayto_verify_full';\nexport { decodeImage, decodeRgba } from './giayto_scan_wasm';\n" \
  > "$pkg/node/giayto_verify_wasm.d.ts"
# CommonJS output for Node, whatever an enclosing package.json says.
printf '{ "type": "commonjs" }\n' > "$pkg/node/package.json"
# The static page takes the web build and the CLI's own Fluent messages (one source of wording).
rm -rf "$repo/web/pkg" "$repo/web/i18n"
mkdir -p "$repo/web/pkg" "$repo/web/i18n/vi" "$repo/web/i18n/en-US"
cp "$pkg/web/giayto_verify_lite.js" "$pkg/web/giayto_verify_lite_bg.wasm" \
  "$pkg/web/giayto_verify_wasm.js" "$pkg/web/giayto_verify_wasm_bg.wasm" \
  "$pkg/web/giayto_scan_wasm.js" "$pkg/web/giayto_scan_wasm_bg.wasm" "$repo/web/pkg/"
# Only the CLI messages the page can show (npm/ftl-subset.cjs): help, wallet, issuing and
# fetching texts are not part of the page's load.
for l in vi en-US; do
  node "$here/ftl-subset.cjs" "$repo/cli/i18n/$l/giayto.ftl" "$repo/web/i18n/$l/giayto.ftl"
done
# The shipped forms (docs/forms.md) the page offers.
rm -rf "$repo/web/forms"
mkdir -p "$repo/web/forms"
cp "$repo/forms/"*.json "$repo/web/forms/"
rm -rf "$repo/web/vendor/fluent"
mkdir -p "$repo/web/vendor/fluent"
cp "$here/node_modules/@fluent/bundle/esm/"*.js "$repo/web/vendor/fluent/"
# The service worker's cache is named after the files it caches (its ASSETS list, and itself).
assets="$(sed -n "/^const ASSETS = \[/,/^\];/p" "$repo/web/sw.js" | grep -o "'[^']*'" | tr -d "'" | sed 's|^\./$|index.html|')"
for f in $assets; do
  if [ ! -f "$repo/web/$f" ]; then echo "npm/build.sh: web/sw.js caches $f, which is not in web/" >&2; exit 2; fi
done
hash="$(cd "$repo/web" && cat $assets sw.js | sha256sum | cut -c1-16)"
printf "// Written by npm/build.sh: a hash of the files web/sw.js caches.\nself.GIAYTO_CACHE = 'giayto-web-%s';\n" "$hash" > "$repo/web/sw-version.js"
for f in giayto_verify_lite_bg.wasm giayto_verify_lite.js giayto_verify_wasm_bg.wasm giayto_verify_wasm.js giayto_scan_wasm_bg.wasm giayto_scan_wasm.js; do
  echo "web/pkg/$f: $(wc -c <"$repo/web/pkg/$f") bytes, $(gzip -9c "$repo/web/pkg/$f" | wc -c) gzip -9"
done
