// The web page in headless Chromium (Debian's chromium + chromedriver), driven by Selenium.
// Needs npm/build.sh first, and a `giayto` binary (GIAYTO_BIN, else target/debug/giayto) to
// make the demo codes at test time. Artefacts (screenshot, timing) go to GIAYTO_WEB_ARTEFACTS,
// else a fresh temp folder, printed.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { execFileSync } = require('node:child_process');
const { Builder, By, until } = require('selenium-webdriver');
const chrome = require('selenium-webdriver/chrome');

const repo = path.resolve(__dirname, '..', '..');
const webDir = path.join(repo, 'web');
const bin = process.env.GIAYTO_BIN || path.join(repo, 'target', 'debug', 'giayto');
const artefacts = process.env.GIAYTO_WEB_ARTEFACTS || fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-web-artefacts-'));
fs.mkdirSync(artefacts, { recursive: true });

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css',
  '.wasm': 'application/wasm', '.ftl': 'text/plain; charset=utf-8', '.webmanifest': 'application/manifest+json',
};

function serve(root) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel.endsWith('/')) rel += 'index.html';
    const file = path.join(root, path.normalize(rel));
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404); res.end(); return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': 'no-cache' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// Demo codes made now by the repo's own CLI: four document types, a revoked one, and a
// tampered copy of the CCCD (one character of its text changed, rendered again).
function makeDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-web-demo-'));
  execFileSync(bin, ['demo', '--no-terminal-qr'], { cwd: dir, stdio: 'ignore', env: { ...process.env, LANG: 'C' } });
  const demo = path.join(dir, 'giayto-demo');
  const text = fs.readFileSync(path.join(demo, 'cccd.txt'), 'utf8').trim();
  const i = Math.floor(text.length / 2);
  const tampered = text.slice(0, i) + (text[i] === 'A' ? 'B' : 'A') + text.slice(i + 1);
  fs.writeFileSync(path.join(demo, 'tampered.txt'), tampered);
  execFileSync(bin, ['qr', 'render', '@' + path.join(demo, 'tampered.txt'), '--out', path.join(demo, 'tampered.png')], { stdio: 'ignore' });
  // The expected outcome of each image, from the CLI (the oracle), not written down here.
  const expected = {};
  for (const name of ['cccd', 'gplx', 'vehicle', 'bhyt', 'vehicle-sold', 'tampered']) {
    let out;
    try {
      out = execFileSync(bin, ['verify', '--json', '--no-state', '--root', path.join(demo, 'root', 'root.pub'),
        '--bundle', path.join(demo, 'offline.bundle'), path.join(demo, `${name}.png`)], { encoding: 'utf8' });
    } catch (e) { out = e.stdout; }
    expected[name] = JSON.parse(out.trim().split('\n')[0]);
  }
  return { demo, expected, text };
}

function ftl(lang, id) {
  const text = fs.readFileSync(path.join(repo, 'cli', 'i18n', lang, 'giayto.ftl'), 'utf8');
  const line = text.split('\n').find((l) => l.startsWith(`${id} = `));
  assert.ok(line, id);
  return line.slice(id.length + 3).trim();
}

test('web verifier in headless Chromium', { timeout: 600000 }, async () => {
  const { demo, expected, text } = makeDemo();
  assert.equal(expected.cccd.verdict, 'valid');
  assert.equal(expected['vehicle-sold'].verdict, 'revoked');
  assert.notEqual(expected.tampered.verdict, 'valid');

  let server = await serve(webDir);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-chromium-'));
  const options = new chrome.Options()
    .setChromeBinaryPath(process.env.CHROMIUM || '/usr/bin/chromium')
    .addArguments('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`, '--window-size=900,1600', '--lang=vi');
  const service = new chrome.ServiceBuilder(process.env.CHROMEDRIVER || '/usr/bin/chromedriver');
  const driver = await new Builder().forBrowser('chrome').setChromeOptions(options).setChromeService(service).build();
  const timing = {};
  try {
    const ready = async () => driver.wait(until.elementLocated(By.css('body[data-ready="true"]')), 30000);
    await driver.get(base);
    await ready();
    // Vietnamese by default.
    assert.equal(await driver.findElement(By.id('title')).getText(), 'Kiểm tra giấy tờ');

    await driver.findElement(By.id('root-file')).sendKeys(path.join(demo, 'root', 'root.pub'));
    await driver.findElement(By.id('bundle-file')).sendKeys(path.join(demo, 'offline.bundle'));
    await driver.wait(async () => (await driver.findElement(By.id('data-status')).getAttribute('data-age-seconds')) !== null, 10000);
    const ageText = await driver.findElement(By.id('data-status')).getText();
    assert.match(ageText, /\d/);

    const check = async (name) => {
      await driver.executeScript("document.getElementById('verdict').dataset.verdict = ''; document.getElementById('message').textContent = ''");
      await driver.findElement(By.id('image')).sendKeys(path.join(demo, `${name}.png`));
      const state = async () => driver.executeScript(
        "return [document.getElementById('verdict').dataset.verdict, document.getElementById('message').textContent]");
      await driver.wait(async () => { const [v, m] = await state(); return v !== '' || m !== ''; }, 30000);
      const [, problem] = await state();
      assert.equal(problem, '', `${name}: the page says`);
      const verdict = await driver.findElement(By.id('verdict')).getAttribute('data-verdict');
      const verdictText = await driver.findElement(By.id('verdict')).getText();
      const card = await driver.findElement(By.id('result')).getText();
      return { verdict, verdictText, card };
    };

    for (const [lang, dir] of [['vi', 'vi'], ['en', 'en-US']]) {
      if (lang === 'en') {
        await driver.findElement(By.id('lang')).click();
        await driver.wait(async () => (await driver.findElement(By.id('title')).getText()) === 'Document check', 10000);
      }
      for (const name of ['cccd', 'gplx', 'vehicle', 'bhyt']) {
        const r = await check(name);
        const want = expected[name];
        assert.equal(want.verdict, 'valid', name);
        assert.equal(r.verdict, 'valid', `${lang} ${name}`);
        assert.ok(r.verdictText.includes(ftl(dir, 'verdict-valid')), `${lang} ${name}: ${r.verdictText}`);
        const holder = want.fields.full_name || want.fields.owner_name;
        assert.ok(holder && r.card.includes(holder), `${lang} ${name}: holder ${holder}`);
        assert.ok(r.card.includes(ftl(dir, `card-title-${want.doc_type}`)), `${lang} ${name}: card title`);
      }
      const revoked = await check('vehicle-sold');
      assert.equal(revoked.verdict, 'revoked', lang);
      assert.ok(revoked.verdictText.includes(ftl(dir, 'verdict-revoked')), lang);
      const tampered = await check('tampered');
      assert.equal(tampered.verdict, expected.tampered.verdict, lang);
      assert.ok(tampered.verdictText.includes(ftl(dir, 'verdict-not-valid')), lang);
      if (lang === 'vi') {
        await driver.findElement(By.id('image')).sendKeys(path.join(demo, 'cccd.png'));
        await driver.wait(async () => (await driver.findElement(By.id('verdict')).getAttribute('data-verdict')) === 'valid', 30000);
        fs.writeFileSync(path.join(artefacts, 'valid-cccd-vi.png'), await driver.takeScreenshot(), 'base64');
      }
    }
    // Pasted text.
    await driver.executeScript("document.getElementById('verdict').dataset.verdict = ''");
    await driver.findElement(By.id('paste')).sendKeys(text);
    await driver.findElement(By.id('check')).click();
    await driver.wait(async () => (await driver.findElement(By.id('verdict')).getAttribute('data-verdict')) === 'valid', 10000);

    // Speed: median of 100 verifications of one code, measured in the page.
    Object.assign(timing, await driver.executeScript('return window.giaytoBench(arguments[0], 100)', text));
    timing.verdict = await driver.executeScript('return window.giaytoBenchVerdict');
    assert.equal(timing.verdict, 'valid');
    timing.wasm_bytes = fs.statSync(path.join(webDir, 'pkg', 'giayto_verify_wasm_bg.wasm')).size;

    // Offline: the server is gone; the service worker serves the page and the data stays.
    await new Promise((resolve) => server.close(resolve));
    server.closeAllConnections && server.closeAllConnections();
    server = null;
    const down = await driver.executeAsyncScript(`
      const done = arguments[arguments.length - 1];
      fetch('/no-such-file-' + Math.random(), { cache: 'no-store' }).then((r) => done('status ' + r.status), (e) => done('failed'));`);
    assert.equal(down, 'failed', 'the server must be unreachable for the offline check');
    await driver.navigate().refresh();
    await ready();
    const offline = await check('gplx');
    assert.equal(offline.verdict, 'valid', 'offline');
    assert.ok(offline.card.includes(expected.gplx.fields.full_name), 'offline holder');
    const offlineRevoked = await check('vehicle-sold');
    assert.equal(offlineRevoked.verdict, 'revoked', 'offline revoked');
    fs.writeFileSync(path.join(artefacts, 'offline-revoked-en.png'), await driver.takeScreenshot(), 'base64');
  } finally {
    await driver.quit();
    if (server) server.close();
    fs.writeFileSync(path.join(artefacts, 'timing.json'), JSON.stringify(timing, null, 2));
    console.log(`artefacts: ${artefacts} ${JSON.stringify(timing)}`);
  }
});
