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

// A page-only message (web/strings), split around its placeables: every fixed piece must show.
function pagePieces(lang, id, file = path.join(webDir, 'strings', `${lang}.ftl`)) {
  const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => l.startsWith(`${id} = `));
  assert.ok(line, id);
  return line.slice(id.length + 3).trim().split(/\{[^}]*\}/).map((p) => p.trim()).filter((p) => p.length > 0);
}
const cliPieces = (lang, id) => pagePieces(lang, id, path.join(repo, 'cli', 'i18n', lang, 'giayto.ftl'));

// Headless Chromium with a fresh profile (no stored data, no service worker yet).
async function openBrowser() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-chromium-'));
  const options = new chrome.Options()
    .setChromeBinaryPath(process.env.CHROMIUM || '/usr/bin/chromium')
    .addArguments('--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      `--user-data-dir=${profile}`, '--window-size=900,1600', '--lang=vi');
  const service = new chrome.ServiceBuilder(process.env.CHROMEDRIVER || '/usr/bin/chromedriver');
  return new Builder().forBrowser('chrome').setChromeOptions(options).setChromeService(service).build();
}

// What the page keeps: the IndexedDB record (as base64, or null) and localStorage's keys.
async function storedData(driver, key) {
  return driver.executeAsyncScript(`
    const [key, done] = arguments;
    const req = indexedDB.open('giayto');
    req.onerror = () => done({ error: String(req.error) });
    req.onsuccess = () => {
      const db = req.result;
      const names = Array.from(db.objectStoreNames);
      const local = Object.keys(localStorage).sort();
      if (!names.includes('data')) { db.close(); done({ idb: null, local }); return; }
      const get = db.transaction('data').objectStore('data').get(key);
      get.onsuccess = () => {
        const v = get.result;
        let s = '';
        if (v instanceof Uint8Array) for (const b of v) s += String.fromCharCode(b);
        db.close();
        done({ idb: v instanceof Uint8Array ? btoa(s) : (v === undefined ? null : 'not bytes'), local });
      };
      get.onerror = () => done({ error: String(get.error) });
    };`, key);
}

// A verdict from a picked image, with the card as the page shows it.
function checker(driver) {
  return async (file) => {
    await driver.executeScript("document.getElementById('verdict').dataset.verdict = ''; document.getElementById('message').textContent = ''");
    await driver.findElement(By.id('image')).sendKeys(file);
    const state = async () => driver.executeScript(
      "return [document.getElementById('verdict').dataset.verdict, document.getElementById('message').textContent]");
    await driver.wait(async () => { const [v, m] = await state(); return v !== '' || m !== ''; }, 30000);
    const [, problem] = await state();
    assert.equal(problem, '', `${path.basename(file)}: the page says`);
    const verdict = await driver.findElement(By.id('verdict')).getAttribute('data-verdict');
    const verdictText = await driver.findElement(By.id('verdict')).getText();
    const card = await driver.findElement(By.id('result')).getText();
    return { verdict, verdictText, card };
  };
}

async function stopServer(server) {
  await new Promise((resolve) => { server.close(resolve); if (server.closeAllConnections) server.closeAllConnections(); });
}

test('web verifier in headless Chromium', { timeout: 600000 }, async () => {
  const { demo, expected, text } = makeDemo();
  assert.equal(expected.cccd.verdict, 'valid');
  assert.equal(expected['vehicle-sold'].verdict, 'revoked');
  assert.notEqual(expected.tampered.verdict, 'valid');

  let server = await serve(webDir);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const driver = await openBrowser();
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
    // The bundle and root are kept as bytes in IndexedDB, not in localStorage (only the
    // language choice is).
    const kept = await storedData(driver, 'giayto-bundle');
    assert.equal(kept.idb, fs.readFileSync(path.join(demo, 'offline.bundle')).toString('base64'));
    assert.deepEqual(kept.local, ['giayto-lang']);
    assert.equal((await storedData(driver, 'giayto-root')).idb,
      fs.readFileSync(path.join(demo, 'root', 'root.pub')).toString('base64'));

    const pick = checker(driver);
    const check = (name) => pick(path.join(demo, `${name}.png`));

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
    await stopServer(server);
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
    // The service worker's cache is named after the files it caches (npm/build.sh), so any
    // changed asset makes a new cache rather than serving the old one.
    const sw = fs.readFileSync(path.join(webDir, 'sw.js'), 'utf8');
    const assets = sw.slice(sw.indexOf('const ASSETS = ['), sw.indexOf('];')).match(/'[^']*'/g)
      .map((a) => a.slice(1, -1)).map((a) => (a === './' ? 'index.html' : a));
    const digest = require('node:crypto').createHash('sha256');
    for (const f of [...assets, 'sw.js']) digest.update(fs.readFileSync(path.join(webDir, f)));
    const cacheName = `giayto-web-${digest.digest('hex').slice(0, 16)}`;
    assert.deepEqual(await driver.executeAsyncScript('caches.keys().then(arguments[arguments.length - 1])'), [cacheName]);
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

// An officer's device that has used today's bundle must refuse yesterday's (the CLI's
// rollback protection, giayto_verify::SeenState, run in WASM), and keep using today's. Also: a
// root and bundle left in localStorage by an earlier version of the page move to IndexedDB,
// and a CCCD with a portrait shows it.
test('rollback refused, storage moved to IndexedDB, portrait shown', { timeout: 600000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'giayto-web-rollback-'));
  const env = { ...process.env, LANG: 'C' };
  const made = JSON.parse(execFileSync(bin, ['--json', 'demo', '--no-terminal-qr', '--dir', path.join(dir, 'demo')],
    { cwd: dir, encoding: 'utf8', env }));
  const demo = path.join(dir, 'demo');
  env.GIAYTO_PASSPHRASE = made.passphrase;
  const run = (args) => execFileSync(bin, args, { cwd: demo, encoding: 'utf8', env });
  const cliVerify = (bundleFile, image) => {
    let out;
    try {
      out = run(['verify', '--json', '--no-state', '--root', 'root/root.pub', '--bundle', bundleFile, image]);
    } catch (e) { out = e.stdout; }
    return JSON.parse(out.trim().split('\n')[0]);
  };
  const gplxSerial = cliVerify('offline.bundle', 'gplx.png').serial;
  assert.match(gplxSerial, /^[0-9a-f]+$/);

  let server = await serve(webDir);
  const base = `http://127.0.0.1:${server.address().port}/`;
  const driver = await openBrowser();
  try {
    const ready = async () => driver.wait(until.elementLocated(By.css('body[data-ready="true"]')), 30000);
    await driver.get(base);
    await ready();

    // A synthetic portrait (a drawn head and shoulders, no real person), JPEG-encoded by the
    // browser, issued on a CCCD by the CLI and rendered as a QR image.
    const portrait = Buffer.from(await driver.executeScript(`
      const c = document.createElement('canvas'); c.width = 24; c.height = 32;
      const g = c.getContext('2d');
      g.fillStyle = '#d8c3a5'; g.fillRect(0, 0, 24, 32);
      g.fillStyle = '#5a3e2b'; g.beginPath(); g.arc(12, 11, 7, 0, 2 * Math.PI); g.fill();
      g.fillRect(3, 22, 18, 10);
      return c.toDataURL('image/jpeg', 0.4).split(',')[1];`), 'base64');
    assert.deepEqual([...portrait.subarray(0, 3)], [0xff, 0xd8, 0xff]);
    assert.ok(portrait.length <= 1500, `portrait ${portrait.length} bytes`);
    const holder = 'Lê Văn Ảnh';
    fs.writeFileSync(path.join(demo, 'portrait.json'), JSON.stringify({
      card_generation: 'cccd_2021', id_number: '001096054321', full_name: holder,
      date_of_birth: '1996-03-08', sex: 'male', nationality: 'VNM',
      place_of_origin: 'Xã Mẫu Sơn, huyện Lộc Bình, Lạng Sơn',
      place_of_residence: 'Số 1 phố Mẫu, phường Điện Biên, quận Ba Đình, Hà Nội',
      issue_date: '2021-04-10', expiry_date: '2036-03-08', portrait: portrait.toString('base64'),
    }));
    const issued = JSON.parse(run(['--json', 'issue', '--dir', 'issuer', '--type', 'cccd', '--data', 'portrait.json']));
    fs.writeFileSync(path.join(demo, 'portrait.txt'), issued.text);
    run(['qr', 'render', '@portrait.txt', '--out', 'portrait.png']);

    // Yesterday's bundle; then the GPLX is revoked and today's bundle published.
    const bundle = (out) => run(['bundle', '--root', 'root/root.pub', '--trust', 'trust.cwt', '--status', 'st', '--out', out]);
    run(['status', 'publish', '--dir', 'issuer', '--out', 'st']);
    bundle('old.bundle');
    await new Promise((r) => setTimeout(r, 1100)); // list times are to the second
    run(['revoke', '--dir', 'issuer', gplxSerial, '--reason', 'withdrawn']);
    run(['status', 'publish', '--dir', 'issuer', '--out', 'st']);
    bundle('new.bundle');
    // The oracle: the CLI (no device state) on each bundle.
    assert.equal(cliVerify('old.bundle', 'gplx.png').verdict, 'valid');
    assert.equal(cliVerify('new.bundle', 'gplx.png').verdict, 'revoked');
    const portraitWant = cliVerify('new.bundle', 'portrait.png');
    assert.equal(portraitWant.verdict, 'valid');
    assert.equal(portraitWant.fields.portrait, portrait.toString('base64'));

    // An earlier version of the page left the root and today's bundle in localStorage as
    // base64: the first load moves them to IndexedDB and removes them from localStorage.
    const newBundle = fs.readFileSync(path.join(demo, 'new.bundle'));
    const rootPub = fs.readFileSync(path.join(demo, 'root', 'root.pub'));
    assert.equal((await storedData(driver, 'giayto-bundle')).idb, null);
    await driver.executeScript(`localStorage.setItem('giayto-root', arguments[0]);
      localStorage.setItem('giayto-bundle', arguments[1]);`, rootPub.toString('base64'), newBundle.toString('base64'));
    await driver.navigate().refresh();
    await ready();
    const moved = await storedData(driver, 'giayto-bundle');
    assert.equal(moved.idb, newBundle.toString('base64'));
    assert.deepEqual(moved.local, ['giayto-lang']);
    assert.equal((await storedData(driver, 'giayto-root')).idb, rootPub.toString('base64'));

    const check = checker(driver);
    const gplx = path.join(demo, 'gplx.png');
    assert.equal((await check(gplx)).verdict, 'revoked', 'today\'s bundle in use');

    // The portrait: shown as an image the browser decoded, beside the holder's name.
    const withPortrait = await check(path.join(demo, 'portrait.png'));
    assert.equal(withPortrait.verdict, 'valid');
    assert.ok(withPortrait.card.includes(holder), withPortrait.card);
    const img = await driver.executeScript(`const i = document.getElementById('portrait');
      return { hidden: i.hidden, complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
        shown: i.getBoundingClientRect().width > 0, src: i.src.slice(0, 30) };`);
    await driver.wait(async () => driver.executeScript("return document.getElementById('portrait').naturalWidth > 0"), 10000);
    const size = await driver.executeScript("const i = document.getElementById('portrait'); return [i.naturalWidth, i.naturalHeight]");
    assert.deepEqual(size, [24, 32], JSON.stringify(img));
    assert.equal(img.hidden, false);
    assert.ok(img.shown, JSON.stringify(img));
    assert.ok(img.src.startsWith('data:image/jpeg;base64,'), img.src);
    assert.ok(await driver.findElement(By.id('portrait')).isDisplayed());
    fs.writeFileSync(path.join(artefacts, 'portrait-cccd-vi.png'), await driver.takeScreenshot(), 'base64');

    // Yesterday's bundle: refused, naming the older status list, in each language; today's
    // data stays stored and in use.
    const statusBefore = await driver.findElement(By.id('data-status')).getText();
    const loadOld = async () => {
      await driver.executeScript("document.getElementById('message').textContent = ''");
      await driver.findElement(By.id('bundle-file')).sendKeys(path.join(demo, 'old.bundle'));
      await driver.wait(async () => (await driver.findElement(By.id('message')).getText()) !== '', 10000);
      return {
        text: await driver.findElement(By.id('message')).getText(),
        kind: await driver.findElement(By.id('message')).getAttribute('data-rollback'),
      };
    };
    for (const [lang, dir] of [['vi', 'vi'], ['en', 'en-US']]) {
      if (lang === 'en') {
        await driver.findElement(By.id('lang')).click();
        await driver.wait(async () => (await driver.findElement(By.id('title')).getText()) === 'Document check', 10000);
      }
      const refused = await loadOld();
      assert.equal(refused.kind, 'status_list', refused.text);
      for (const piece of [...cliPieces(dir, 'error-rollback-status'), ...pagePieces(dir, 'web-rollback-kept')]) {
        assert.ok(refused.text.includes(piece), `${lang}: "${piece}" in "${refused.text}"`);
      }
      assert.match(refused.text, /https:\/\/giayto\.example\/st\/[^ ]+\/\d+/, 'the older list is named by its uri');
      assert.equal((await storedData(driver, 'giayto-bundle')).idb, newBundle.toString('base64'), `${lang}: stored bundle`);
      if (lang === 'vi') assert.equal(await driver.findElement(By.id('data-status')).getText(), statusBefore);
      fs.writeFileSync(path.join(artefacts, `rollback-refused-${lang}.png`), await driver.takeScreenshot(), 'base64');
      assert.equal((await check(gplx)).verdict, 'revoked', `${lang}: still today's data after the refusal`);
    }

    // A newer trust list (sequence 2) is accepted; then today's bundle with sequence 1 is
    // refused, naming both sequences (English is on).
    run(['root', 'sign-trust-list', '--dir', 'root', '--out', 'trust.cwt']);
    bundle('trust2.bundle');
    await driver.executeScript("document.getElementById('message').textContent = ''");
    await driver.findElement(By.id('bundle-file')).sendKeys(path.join(demo, 'trust2.bundle'));
    await driver.wait(async () => (await driver.findElement(By.id('message')).getText()) !== '', 10000);
    assert.equal(await driver.findElement(By.id('message')).getText(), pagePieces('en-US', 'web-loaded')[0]);
    const trust2 = fs.readFileSync(path.join(demo, 'trust2.bundle')).toString('base64');
    assert.equal((await storedData(driver, 'giayto-bundle')).idb, trust2);
    assert.match(await driver.findElement(By.id('data-status')).getText(), /trust list no\. 2\b/);
    await driver.executeScript("document.getElementById('message').textContent = ''");
    await driver.findElement(By.id('bundle-file')).sendKeys(path.join(demo, 'new.bundle'));
    await driver.wait(async () => (await driver.findElement(By.id('message')).getText()) !== '', 10000);
    const olderTrust = await driver.findElement(By.id('message')).getText();
    assert.equal(await driver.findElement(By.id('message')).getAttribute('data-rollback'), 'trust_list', olderTrust);
    for (const piece of cliPieces('en-US', 'error-rollback-trust')) assert.ok(olderTrust.includes(piece), `"${piece}" in "${olderTrust}"`);
    assert.match(olderTrust, /\(sequence 1\) is older than sequence 2 /);
    assert.equal((await storedData(driver, 'giayto-bundle')).idb, trust2);
    assert.equal((await check(gplx)).verdict, 'revoked', 'trust list 2 still in use');

    // Offline, after a reload: the data comes back from IndexedDB, and what the device has
    // used is remembered (yesterday's bundle is still refused, now for its trust list).
    await stopServer(server);
    server = null;
    await driver.navigate().refresh();
    await ready();
    assert.match(await driver.findElement(By.id('data-status')).getText(), /trust list no\. 2\b/);
    assert.equal((await check(gplx)).verdict, 'revoked', 'offline after reload');
    assert.equal((await check(path.join(demo, 'portrait.png'))).verdict, 'valid', 'offline portrait');
    assert.equal((await loadOld()).kind, 'trust_list', 'offline: still refused');
    assert.equal((await check(gplx)).verdict, 'revoked', 'offline: still today\'s data');
  } finally {
    await driver.quit();
    if (server) server.close();
  }
});
