// The Node/WASM column of the conformance table: every suite of test-vectors/ and
// bad-inputs.json through the WASM build (npm/build.sh first), one JSON line per vector.
//
//   node bindings/conformance/run_node.cjs test-vectors bindings/conformance/bad-inputs.json
//
// The suite rule is the one of every runner (see run_python.py). The WASM API takes text, so
// bytes are turned into text here as the core does: a PNG/JPEG is decoded (the first code with
// a giayto prefix, else the first), anything else must be UTF-8.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const wasm = require('../../npm/giayto-verify/node/giayto_verify_wasm.js');

const [dir, badPath] = process.argv.slice(2);
if (!dir || !badPath) {
  console.error('usage: run_node.cjs TEST-VECTORS-DIR BAD-INPUTS.json');
  process.exit(2);
}
const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const file = (name) => new Uint8Array(fs.readFileSync(path.join(dir, name)));
const out = (suite, vector, got) =>
  process.stdout.write(JSON.stringify({ binding: 'node', suite, vector, ...got }) + '\n');

function verifierFor(suite) {
  if (typeof suite.root_public_key === 'string' && typeof suite.trust_list === 'string') {
    return wasm.WebVerifier.fromTrustList(hex(suite.root_public_key), hex(suite.trust_list));
  }
  return wasm.WebVerifier.fromBundle(file('root.pub'), file('bundle.cbor'));
}

function textOf(bytes) {
  if (bytes.length > 32 * 1024 * 1024) return { error: 'too_large' };
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  const jpeg = [0xff, 0xd8, 0xff];
  const starts = (sig) => sig.every((b, i) => bytes[i] === b);
  if (starts(png) || starts(jpeg)) {
    let codes;
    try {
      codes = wasm.decodeImage(bytes);
    } catch (e) {
      return { error: 'image' };
    }
    if (codes.length === 0) return { error: 'no_code' };
    const pick = codes.find((c) => /^\s*(VN1|VP1):/.test(c));
    return { text: pick === undefined ? codes[0] : pick };
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch (e) {
    return { error: 'not_text' };
  }
}

for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const suite = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  if (!Array.isArray(suite.vectors)) continue;
  for (const v of suite.vectors) {
    const verifier = verifierFor(suite);
    verifier.setPolicy(v.policy || 'third-party');
    verifier.setExpectedNonce(v.nonce === undefined || v.nonce === null ? undefined : v.nonce);
    verifier.setAcceptMissingStatus(Boolean(v.accept_missing_status));
    out(name.replace(/\.json$/, ''), v.name, { result: verifier.verify(v.text.trim(), v.at) });
    verifier.free();
  }
}

// Request suites (requests.json): each answer checked against its request, each bad request
// read and its refusal code recorded (suite NAME.bad), as in every runner.
for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
  const suite = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));
  if (!Array.isArray(suite.answers) && !Array.isArray(suite.bad_requests)) continue;
  const stem = name.replace(/\.json$/, '');
  const verifier = verifierFor(suite);
  for (const a of suite.answers || []) {
    let got;
    try {
      got = { result: verifier.checkAnswer(a.text.trim(), a.request.trim(), a.at) };
    } catch (e) {
      got = { error: 'request' };
    }
    out(stem, a.name, got);
  }
  for (const b of suite.bad_requests || []) {
    const read = wasm.readRequest(b.text.trim());
    out(stem + '.bad', b.name, read.error ? { error: read.error.code } : { result: read.request });
  }
  verifier.free();
}

const bad = JSON.parse(fs.readFileSync(badPath, 'utf8'));
const verifier = verifierFor({});
for (const item of bad.inputs) {
  const t = textOf(hex(item.hex));
  out('bad_inputs', item.name, t.error ? { error: t.error } : { result: verifier.verify(t.text.trim(), bad.at) });
}
