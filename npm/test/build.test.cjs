// npm/build.sh stops before building, with exit code 2 and the command to run, when a piece it
// needs is missing (README, "Web verifier"). Run on a copy of the script in a scratch tree, so
// nothing is built: a wasm-bindgen of the wrong version or none, and no node_modules.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const repo = path.resolve(__dirname, '..', '..');
const want = fs.readFileSync(path.join(repo, 'Cargo.lock'), 'utf8')
  .match(/^name = "wasm-bindgen"\nversion = "([^"]+)"$/m)[1];

function scratch(wasmBindgenVersion) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-build-sh-'));
  fs.mkdirSync(path.join(dir, 'npm'));
  fs.copyFileSync(path.join(repo, 'npm', 'build.sh'), path.join(dir, 'npm', 'build.sh'));
  fs.copyFileSync(path.join(repo, 'Cargo.lock'), path.join(dir, 'Cargo.lock'));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  if (wasmBindgenVersion) {
    fs.writeFileSync(path.join(bin, 'wasm-bindgen'), `#!/bin/sh\necho "wasm-bindgen ${wasmBindgenVersion}"\n`, { mode: 0o755 });
  }
  // PATH without any real wasm-bindgen: the scratch bin first, then PATH minus its folders.
  const rest = process.env.PATH.split(':').filter((p) => !fs.existsSync(path.join(p, 'wasm-bindgen')));
  const run = spawnSync('bash', [path.join(dir, 'npm', 'build.sh')], { encoding: 'utf8', env: { ...process.env, PATH: [bin, ...rest].join(':') } });
  return { dir, run };
}

test('build.sh names each missing prerequisite and builds nothing', () => {
  const { dir, run } = scratch(null);
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, new RegExp(`wasm-bindgen is not installed: cargo install wasm-bindgen-cli --version ${want.replace(/\./g, '\\.')}`));
  assert.match(run.stderr, /npm\/node_modules is not installed .*\(cd npm && npm ci\)/);
  assert.ok(!fs.existsSync(path.join(dir, 'web')), 'nothing written');
  assert.ok(!fs.existsSync(path.join(dir, 'target')), 'nothing built');
});

test('build.sh refuses a wasm-bindgen-cli of another version than Cargo.lock', () => {
  const { run } = scratch('0.0.1');
  assert.equal(run.status, 2, run.stderr);
  assert.match(run.stderr, new RegExp(`wasm-bindgen-cli is 0\\.0\\.1, Cargo\\.lock has wasm-bindgen ${want.replace(/\./g, '\\.')}: cargo install`));
});

test('build.sh accepts the Cargo.lock version (only node_modules missing here)', () => {
  const { run } = scratch(want);
  assert.equal(run.status, 2, run.stderr);
  assert.doesNotMatch(run.stderr, /wasm-bindgen/);
  assert.match(run.stderr, /npm ci/);
});
