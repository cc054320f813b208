#!/usr/bin/env bash
# Build the WASM verifier into the npm package folder (npm/giayto-verify/{web,node}) and the
# static page (web/pkg, web/i18n). Needs the wasm32-unknown-unknown target and wasm-bindgen-cli
# of exactly the wasm-bindgen version in Cargo.lock. Outputs are build artefacts (not committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
cd "$repo"
cargo build --locked --target wasm32-unknown-unknown --profile wasm -p giayto-verify-wasm
target_dir="$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
wasm="$target_dir/wasm32-unknown-unknown/wasm/giayto_verify_wasm.wasm"
want="$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')"
have="$(wasm-bindgen --version | awk '{print $2}')"
if [ "$want" != "$have" ]; then
  echo "wasm-bindgen-cli $have, Cargo.lock has wasm-bindgen $want: cargo install wasm-bindgen-cli --version $want" >&2
  exit 2
fi
pkg="$here/giayto-verify"
rm -rf "$pkg/web" "$pkg/node"
wasm-bindgen --target web --out-dir "$pkg/web" "$wasm"
wasm-bindgen --target nodejs --out-dir "$pkg/node" "$wasm"
# CommonJS output for Node, whatever an enclosing package.json says.
printf '{ "type": "commonjs" }\n' > "$pkg/node/package.json"
# The static page takes the web build and the CLI's own Fluent files (one source of wording).
rm -rf "$repo/web/pkg" "$repo/web/i18n"
mkdir -p "$repo/web/pkg" "$repo/web/i18n/vi" "$repo/web/i18n/en-US" "$repo/web/vendor/fluent"
cp "$pkg/web/giayto_verify_wasm.js" "$pkg/web/giayto_verify_wasm_bg.wasm" "$repo/web/pkg/"
cp "$repo/cli/i18n/vi/giayto.ftl" "$repo/web/i18n/vi/"
cp "$repo/cli/i18n/en-US/giayto.ftl" "$repo/web/i18n/en-US/"
if [ -d "$here/node_modules/@fluent/bundle/esm" ]; then
  cp "$here/node_modules/@fluent/bundle/esm/"*.js "$repo/web/vendor/fluent/"
fi
# The service worker's cache is named after the files it caches (its ASSETS list, and itself).
assets="$(sed -n "/^const ASSETS = \[/,/^\];/p" "$repo/web/sw.js" | grep -o "'[^']*'" | tr -d "'" | sed 's|^\./$|index.html|')"
hash="$(cd "$repo/web" && for f in $assets sw.js; do if [ -f "$f" ]; then cat "$f"; fi; done | sha256sum | cut -c1-16)"
printf "// Written by npm/build.sh: a hash of the files web/sw.js caches.\nself.GIAYTO_CACHE = 'giayto-web-%s';\n" "$hash" > "$repo/web/sw-version.js"
ls -l "$pkg/web/giayto_verify_wasm_bg.wasm"
