// Every normative vector through the WASM build (npm/build.sh first): node --test test/
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const wasm = require('../giayto-verify/node/giayto_verify_wasm.js');

const vectors = path.join(__dirname, '..', '..', 'test-vectors');
const readJson = (name) => JSON.parse(fs.readFileSync(path.join(vectors, name), 'utf8'));
const hex = (s) => Uint8Array.from(Buffer.from(s, 'hex'));
const file = (name) => new Uint8Array(fs.readFileSync(path.join(vectors, name)));

function checkSigned(result, v) {
  // Whenever the vector names the document, the verifier must show that document.
  if (v.doc_type && result.fields) {
    assert.equal(result.doc_type, v.doc_type, v.name);
  }
  if (v.fields && v.verdict === 'valid') {
    assert.deepEqual(result.fields, v.fields, v.name);
    assert.ok(result.issuer_name && result.issuer_name.vi, v.name);
    assert.match(result.serial, /^[0-9a-f]{16,32}$/, v.name);
  }
}

test('credentials.json: every verdict', () => {
  const c = readJson('credentials.json');
  assert.ok(c.vectors.length > 0);
  for (const v of c.vectors) {
    const verifier = wasm.WebVerifier.fromTrustList(hex(c.root_public_key), hex(c.trust_list));
    verifier.setPolicy(v.policy || 'third-party');
    const r = verifier.verify(v.text, v.at);
    assert.equal(r.verdict, v.verdict, `${v.name}: ${r.reason}`);
    assert.equal(r.valid, v.verdict === 'valid', v.name);
    assert.equal(r.presentation, false, v.name);
    if (!r.valid) assert.equal(typeof r.reason, 'string', v.name);
    checkSigned(r, v);
    verifier.free();
  }
});

test('credentials.json: the root key as PEM text gives the same verdicts', () => {
  const c = readJson('credentials.json');
  const verifier = wasm.WebVerifier.fromTrustList(file('root.pub'), file('trust.cwt'));
  for (const v of c.vectors.filter((v) => (v.policy || 'third-party') === 'third-party')) {
    assert.equal(verifier.verify(v.text, v.at).verdict, v.verdict, v.name);
  }
});

test('status.json with bundle.cbor: every verdict, bundle age', () => {
  const s = readJson('status.json');
  assert.ok(s.vectors.length > 0);
  for (const v of s.vectors) {
    const verifier = wasm.WebVerifier.fromBundle(file('root.pub'), file('bundle.cbor'));
    verifier.setAcceptMissingStatus(Boolean(v.accept_missing_status));
    const r = verifier.verify(v.text, v.at);
    assert.equal(r.verdict, v.verdict, `${v.name}: ${r.reason}`);
    assert.equal(typeof r.bundle_created_at, 'string', v.name);
    if (r.valid && r.status_list) assert.equal(typeof r.status_list.uri, 'string');
    const made = verifier.bundleCreatedAt;
    assert.equal(typeof made, 'number');
    assert.equal(verifier.bundleAgeSeconds(made + 3600), 3600);
    assert.equal(verifier.bundleAgeSeconds(made - 10), 0);
    verifier.free();
  }
});

test('status.json with trust.cwt and the list files: same verdicts; bad lists refused', () => {
  const s = readJson('status.json');
  for (const v of s.vectors) {
    const verifier = wasm.WebVerifier.fromTrustList(file('root.pub'), file('trust.cwt'));
    for (const l of s.status_lists) assert.equal(verifier.addStatusList(file(l.file)), 'added');
    assert.equal(verifier.statusLists().length, s.status_lists.length);
    verifier.setAcceptMissingStatus(Boolean(v.accept_missing_status));
    assert.equal(verifier.verify(v.text, v.at).verdict, v.verdict, v.name);
    verifier.free();
  }
  const verifier = wasm.WebVerifier.fromTrustList(file('root.pub'), file('trust.cwt'));
  assert.ok(s.bad_lists.length > 0);
  for (const b of s.bad_lists) {
    assert.throws(() => verifier.addStatusList(hex(b.token)), undefined, b.name);
  }
});

test('presentations.json: every verdict', () => {
  const p = readJson('presentations.json');
  assert.ok(p.vectors.length > 0);
  for (const v of p.vectors) {
    const verifier = wasm.WebVerifier.fromTrustList(hex(p.root_public_key), hex(p.trust_list));
    verifier.setExpectedNonce(v.nonce === undefined ? undefined : v.nonce);
    const r = verifier.verify(v.text, v.at);
    assert.equal(r.verdict, v.verdict, `${v.name}: ${r.reason}`);
    assert.equal(r.presentation, v.text.startsWith('VP1:'), v.name);
    checkSigned(r, v);
    verifier.free();
  }
});

test('requests.json: every answer against its request, every malformed request refused', () => {
  const q = readJson('requests.json');
  assert.ok(q.answers.length >= 12);
  for (const v of q.answers) {
    const verifier = wasm.WebVerifier.fromTrustList(hex(q.root_public_key), hex(q.trust_list));
    const r = verifier.checkAnswer(v.text, v.request, v.at);
    assert.equal(r.verdict, v.verdict, `${v.name}: ${r.reason}`);
    assert.equal(r.reason, v.reason, v.name);
    if (v.disclosed) {
      assert.deepEqual(Object.keys(r.fields).sort(), [...v.disclosed].sort(), v.name);
      assert.equal(r.disclosed, true, v.name);
      assert.equal(r.withheld, 20 - v.disclosed.length, v.name);
    }
    verifier.free();
  }
  const verifier = wasm.WebVerifier.fromTrustList(file('root.pub'), file('trust.cwt'));
  for (const b of q.bad_requests) {
    assert.equal(wasm.readRequest(b.text).error.code, b.error, b.name);
    assert.throws(() => verifier.checkAnswer(q.answers[0].text, b.text, q.answers[0].at), /request: /, b.name);
  }
  verifier.free();
});

test('makeRequest: a request from random bytes reads back; bad choices are error objects', () => {
  const nonce = Uint8Array.from({ length: 16 }, (_, i) => i * 7);
  const made = wasm.makeRequest(['full_name', 'age_over_18'], [], 'Đăng ký lưu trú', 'Khách sạn Hoa Sen', 'cccd', 10, nonce, 1795392000);
  assert.match(made.text, /^VR1:[0-9A-Z $%*+\-./:]+$/);
  assert.deepEqual(wasm.readRequest(made.text).request, made.request);
  assert.equal(made.request.expires_at_seconds, 1795392000 + 600);
  assert.equal(made.request.nonce, Buffer.from(nonce).toString('hex'));
  assert.match(wasm.renderQrSvg(made.text), /^<\?xml|^<svg/);
  assert.equal(wasm.makeRequest(['shoe_size'], [], 'x', 'y', undefined, 10, nonce, 0).error.code, 'bad_item');
  assert.equal(wasm.makeRequest([], [], 'x', 'y', undefined, 10, nonce, 0).error.code, 'no_items');
  assert.equal(wasm.makeRequest(['full_name'], [], 'x', 'y', undefined, 10, new Uint8Array(8), 0).error.member, 'nonce');
  assert.ok(wasm.requestItems('cccd').includes('age_over_18'));
  assert.ok(!wasm.requestItems('vehicle').includes('age_over_18'));
});

test('bad inputs are errors or verdicts, never crashes', () => {
  assert.throws(() => wasm.WebVerifier.fromTrustList(new Uint8Array(5), file('trust.cwt')));
  assert.throws(() => wasm.WebVerifier.fromBundle(file('root.pub'), file('trust.cwt')));
  assert.throws(() => wasm.decodeImage(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])));
  assert.throws(() => wasm.decodeRgba(new Uint8Array(10), 3, 3));
  assert.deepEqual(wasm.decodeRgba(new Uint8Array(64 * 64 * 4).fill(255), 64, 64), []);
  const verifier = wasm.WebVerifier.fromTrustList(file('root.pub'), file('trust.cwt'));
  assert.throws(() => verifier.verify('VN1:', NaN));
  for (const text of ['', 'https://example.invalid', 'VN1:', 'VN1:%%%', 'VP1:AAAA', 'VN1:' + 'A'.repeat(20000)]) {
    const r = verifier.verify(text, 1795392000);
    assert.equal(r.valid, false, text.slice(0, 20));
    assert.equal(typeof r.verdict, 'string');
  }
});
