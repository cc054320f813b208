// The web page's bundle load (issue 18 goal 4, the page's part), in Node through the npm
// package's WASM build (npm/build.sh): WebVerifier.fromBundle of the national bundle (1,000
// issuers, 512 status lists) and one verify, against the same with a one-issuer, one-list
// bundle, alternately in one run. fromBundle takes the deferred path (each list's signature and
// inflate when a credential first needs it); "every list checked" adds statusLists(), which
// runs every deferred check, as the page's load did before (Verifier::from_bundle).
//   cargo run --release -p giayto-bench --bin national-bundle -- /tmp/giayto-national
//   node npm/bench/bundle-load.cjs /tmp/giayto-national [rounds]
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const wasm = require('../giayto-verify/node/giayto_verify_wasm.js');

const dir = process.argv[2];
if (!dir) { console.error('usage: node npm/bench/bundle-load.cjs DIR [rounds]'); process.exit(2); }
const rounds = Number(process.argv[3] || 21);
const read = (f) => new Uint8Array(fs.readFileSync(path.join(dir, f)));
const root = read('root.key');
const code = fs.readFileSync(path.join(dir, 'code.txt'), 'utf8');
const at = Number(fs.readFileSync(path.join(dir, 'at.txt'), 'utf8'));
const bundles = { small: read('small.bundle'), national: read('national.bundle') };

function once(bundle, checkAll) {
  const t0 = process.hrtime.bigint();
  const v = wasm.WebVerifier.fromBundle(root, bundle);
  if (checkAll) v.statusLists();
  const r = v.verify(code, at);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.verdict !== 'valid') throw new Error(`verdict ${r.verdict} ${r.reason}`);
  v.free();
  return ms;
}

const cases = [['small', false], ['national', false], ['national', true]];
const times = cases.map(() => []);
for (let i = 0; i < rounds + 2; i++) {
  cases.forEach(([b, all], k) => { const ms = once(bundles[b], all); if (i >= 2) times[k].push(ms); });
}
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[(s.length - 1) >> 1]; };
const out = {};
cases.forEach(([b, all], k) => {
  out[`${b}${all ? '_every_list_checked' : ''}`] = { median_ms: +median(times[k]).toFixed(2), fastest_ms: +Math.min(...times[k]).toFixed(2) };
});
out.national_bundle_bytes = bundles.national.length;
out.rounds = rounds;
out.node = process.version;
console.log(JSON.stringify(out, null, 2));
