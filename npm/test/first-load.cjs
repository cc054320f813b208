// The page's first load (issue 18, goal 5): every file of web/ the page fetches before it is
// ready (body[data-ready]) on a first visit in Vietnamese, the default and larger language.
// browser.test.cjs checks that the page fetches nothing else before it is ready (and never the
// scanner or the complete verifier); first-load.test.cjs holds the sum, gzip -9 per file (what a
// server sends with gzip), to FIRST_LOAD_CEILING. `node test/first-load.cjs` prints the table
// (.ci/web.sh) and whether the goal of issue 18 (FIRST_LOAD_GOAL, 250 KiB) is met: it is since
// D189–D190 (docs/performance.md, "End to end: the web page"); the ceiling is the size reached,
// so that it can only go down. A fetch counts if it started before the page was ready
// (window.giaytoReadyAt): what the page fetches after that (the forms, fetch.js) is not waited for.
// Counted whether or not a browser asks for it first: favicon, the 192 px icon, the manifest.
// Not counted: the service worker and what it caches after the page is ready (the scanner
// module, the other language, the larger icons), which the page never waits for.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const webDir = path.resolve(__dirname, '..', '..', 'web');
const FIRST_LOAD_GOAL = 250 * 1024;
// A ceiling so the first load only shrinks from here. Lowered from 365,000 (348,275 bytes
// measured) to 295,000 when the first module left NFC to the browser, read the root key's PEM
// without a DER reader, and left answers to requests and fetched lists to the complete module
// (docs/decisions.md D181–D183); then to 247,000 when it left presentations, Claim 169 codes and
// selective disclosure to the complete module, and the forms and fetch.js were fetched once the
// page is ready (D189–D190): 246,468 bytes for the listed files and 246,437 for what headless
// Chromium fetched before the page was ready (it asks for the favicon later), measured then.
const FIRST_LOAD_CEILING = 247000;
const FLUENT = ['index', 'bundle', 'resource', 'resolver', 'scope', 'types', 'builtins', 'memoizer', 'ast'];
const FIRST_LOAD = [
  'index.html', 'style.css', 'app.js', 'favicon.ico', 'icons/icon-192.png', 'manifest.webmanifest',
  'pkg/giayto_verify_lite.js', 'pkg/giayto_verify_lite_bg.wasm',
  ...FLUENT.map((f) => `vendor/fluent/${f}.js`),
  'i18n/vi/giayto.ftl', 'strings/vi.ftl',
];
// Loaded when first needed: the complete verifier (forms, making a request, status updates,
// presentations and Claim 169 codes: D189) and the QR scanner (a photo or the camera, where the
// browser cannot read QR codes); and once the page is ready, the forms it offers and the fetching
// of lists over the network (D190).
const LAZY = ['pkg/giayto_verify_wasm.js', 'pkg/giayto_verify_wasm_bg.wasm',
  'pkg/giayto_scan_wasm.js', 'pkg/giayto_scan_wasm_bg.wasm', 'fetch.js',
  'forms/hotel-guest-stay.json', 'forms/ct01-residence-change.json', 'forms/bank-account-identity.json'];

// Raw and gzip -9 bytes of each file, and their sums.
function measure(files) {
  const rows = files.map((f) => {
    const bytes = fs.readFileSync(path.join(webDir, f));
    return { file: f, raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
  });
  return { rows, raw: rows.reduce((a, r) => a + r.raw, 0), gzip: rows.reduce((a, r) => a + r.gzip, 0) };
}

function table(m) {
  const n = (x) => x.toLocaleString('en-US');
  return m.rows.map((r) => `${r.file.padEnd(36)} ${n(r.raw).padStart(10)} ${n(r.gzip).padStart(10)}`)
    .concat(`${'total'.padEnd(36)} ${n(m.raw).padStart(10)} ${n(m.gzip).padStart(10)}`).join('\n');
}

module.exports = { webDir, FIRST_LOAD, FIRST_LOAD_GOAL, FIRST_LOAD_CEILING, LAZY, measure, table };

if (require.main === module) {
  const first = measure(FIRST_LOAD);
  console.log(`${'first load'.padEnd(36)} ${'raw'.padStart(10)} ${'gzip -9'.padStart(10)}\n${table(first)}`);
  const n = (x) => x.toLocaleString('en-US');
  console.log(`\ngoal ${n(FIRST_LOAD_GOAL)} bytes gzip (issue 18): ${first.gzip <= FIRST_LOAD_GOAL ? 'met' : `not met, ${n(first.gzip - FIRST_LOAD_GOAL)} over`}`);
  console.log(`ceiling ${n(FIRST_LOAD_CEILING)} bytes gzip (first-load.test.cjs): ${first.gzip <= FIRST_LOAD_CEILING ? 'held' : 'EXCEEDED'}`);
  console.log(`\n${'loaded when first needed'.padEnd(36)}\n${table(measure(LAZY))}`);
  if (first.gzip > FIRST_LOAD_CEILING) process.exit(1);
}
