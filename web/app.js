// The giayto web verifier: every check runs in WASM in this page; nothing is sent anywhere.
// The first load is the verifier's lite module (pkg/giayto_verify_lite.js: verify a credential,
// the device's seen state). The complete module (pkg/giayto_verify_wasm.js: forms, making a
// request and checking its answers, presentations and Claim 169 codes, status updates) and the
// QR scanner (pkg/giayto_scan_wasm.js) are loaded the first time they are needed (see "modules
// loaded when needed" and "scanning" below); the forms and web/fetch.js once the page is ready.
import init, { WebVerifier, requestItems } from './pkg/giayto_verify_lite.js';
import { FluentBundle, FluentResource } from './vendor/fluent/index.js';

const $ = (id) => document.getElementById(id);
const LANGS = { vi: 'vi', en: 'en-US' };
let lang = new URLSearchParams(location.search).get('lang') || localStorage.getItem('giayto-lang') || 'vi';
if (!LANGS[lang]) lang = 'vi';
let bundle = null;
let verifier = null;
let lastResult = null;
let camera = null;
let lastImage = null;
// The verifier's request while it waits for an answer: { text, request } from makeRequest. Kept
// in this page's memory only; every code checked meanwhile is checked as an answer to it.
let activeRequest = null;

// ---- wording: the CLI's Fluent files plus the page's own few strings ----
async function loadLang(code) {
  const dir = LANGS[code];
  const b = new FluentBundle(dir, { useIsolating: false });
  for (const url of [`i18n/${dir}/giayto.ftl`, `strings/${dir}.ftl`]) {
    const text = await (await fetch(url)).text();
    b.addResource(new FluentResource(text));
  }
  return b;
}
function tr(id, args) {
  const m = bundle && bundle.getMessage(id);
  if (!m || !m.value) return null;
  return bundle.formatPattern(m.value, args || {});
}
const trOr = (id, fallback, args) => tr(id, args) ?? fallback;

function humanTime(rfc3339, timeStyle = 'short') {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  return d.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'medium', timeStyle });
}
// A date-time inside a sentence: its spaces do not break (the sentence breaks around it).
const wholeTime = (rfc3339) => humanTime(rfc3339).replace(/ /g, '\u00a0');
// The date and the time apart: each is kept on one line, the line may break between them.
function humanTimeParts(rfc3339) {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return [rfc3339];
  const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
  const opts = { timeZone: 'Asia/Ho_Chi_Minh' };
  return [d.toLocaleDateString(locale, { ...opts, dateStyle: 'medium' }), d.toLocaleTimeString(locale, { ...opts, timeStyle: 'short' })];
}

async function setLang(code) {
  lang = code;
  localStorage.setItem('giayto-lang', code);
  // At start the language's files are loaded already (main): not fetched a second time.
  if (!bundle || bundle.locales[0] !== LANGS[code]) bundle = await loadLang(code);
  document.documentElement.lang = code;
  for (const el of document.querySelectorAll('[data-l10n]')) {
    el.textContent = trOr(el.dataset.l10n, el.textContent);
  }
  document.title = trOr('web-title', 'giayto');
  $('lang').textContent = trOr('web-lang-switch', code === 'vi' ? 'English' : 'Tiếng Việt');
  $('lang').lang = code === 'vi' ? 'en' : 'vi';
  showDataStatus();
  fillRequestItems();
  showRequest();
  if (lastResult) showResult(lastResult);
  if (forms.size) { showFormPicker(); showForm(); }
}

// ---- modules loaded when needed ----
let fullModule = null;
function wasmFull() {
  if (!fullModule) {
    fullModule = import('./pkg/giayto_verify_wasm.js').then(async (m) => { await m.default(); return m; });
    fullModule.catch(() => { fullModule = null; }); // a failed load is tried again next time
  }
  return fullModule;
}
window.giaytoFullLoaded = () => fullModule !== null;
// Resolved once the page is ready (body[data-ready]): the complete module is never fetched
// before that for lists fetched meanwhile (web/fetch.js), as the first load is only the lite one.
let pageReady = null;
const whenReady = new Promise((resolve) => { pageReady = resolve; });
// Lists fetched over the network (web/fetch.js): its module is imported and set up once the page
// is ready (D190), as checking a code needs none of it; a check meanwhile tells it afterwards.
let lists = null;
let listsUp = null;
const listsSetUp = new Promise((resolve) => { listsUp = resolve; });
const afterCheck = (r, recheck) => listsSetUp.then((m) => m.afterCheck(r, recheck));
// The complete module's own verifier for filling forms, checking presentations and Claim 169
// codes (D189) and answers to a request (which the complete module made), built from the data
// in use the first time it is needed after that data changed (docs/decisions.md D183).
let formVerifier = null;
async function verifierForForms() {
  const m = await wasmFull();
  if (!formVerifier || formVerifier.of !== verifier) {
    if (formVerifier) formVerifier.v.free();
    formVerifier = { of: verifier, v: m.WebVerifier.fromBundle(stored[ROOT], stored[BUNDLE]) };
  }
  return formVerifier.v;
}

// ---- trust data: root key, bundle and the device's seen state, kept in this browser ----
// IndexedDB holds them as bytes (a national bundle can pass localStorage's ~5 MB of UTF-16);
// only the language choice stays in localStorage. Without IndexedDB (some private modes) the
// page still verifies, with the data held in memory until it is closed.
const DB_NAME = 'giayto';
const STORE = 'data';
const ROOT = 'giayto-root';
const BUNDLE = 'giayto-bundle';
// The name of the file each came from, kept beside it so the pickers keep saying what is loaded.
const nameKey = (kind) => `${kind}-name`;
const memory = new Map();
let db = null;
const stored = { [ROOT]: null, [BUNDLE]: null };
const storedName = { [ROOT]: null, [BUNDLE]: null };

function openDb() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB blocked'));
  });
}

function dbGet(key) {
  if (!db) return Promise.resolve(memory.get(key));
  return new Promise((resolve, reject) => {
    const req = db.transaction(STORE, 'readonly').objectStore(STORE).get(key);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

// Several keys in one transaction: a bundle and the state recording it are kept together.
function dbPut(entries) {
  if (!db) { for (const [k, v] of entries) memory.set(k, v); return Promise.resolve(); }
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    const store = tx.objectStore(STORE);
    for (const [k, v] of entries) store.put(v, k);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('IndexedDB write aborted'));
  });
}

const fromB64 = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
const nowSeconds = () => Math.floor(Date.now() / 1000);

// Earlier versions of this page kept the root and bundle in localStorage as base64: moved to
// IndexedDB once, then removed from localStorage.
async function migrateLocalStorage() {
  for (const key of [ROOT, BUNDLE]) {
    const b64 = localStorage.getItem(key);
    if (b64 === null) continue;
    let bytes = null;
    try { bytes = fromB64(b64); } catch (_) { bytes = null; }
    if (bytes && (await dbGet(key)) === undefined) await dbPut([[key, bytes]]);
    localStorage.removeItem(key);
  }
}

const seenKey = (v) => `seen-${v.rootKey}`;

// Rollback protection, the CLI's (giayto_verify::SeenState::accept, in WASM): data older than
// what this device has already used, or dated more than an hour after this device's clock, is
// refused in one step. Returns the rollback, or null once `v`'s data is recorded as used;
// `extra` entries are written in the same transaction.
async function acceptVerifier(v, extra) {
  const key = seenKey(v);
  const seen = await dbGet(key);
  const outcome = v.acceptSeenState(seen, Date.now() / 1000);
  if (outcome.rollback) return outcome.rollback;
  const same = seen instanceof Uint8Array && seen.length === outcome.state.length && seen.every((b, i) => b === outcome.state[i]);
  if (extra.length || !same) await dbPut([...extra, [key, outcome.state]]);
  return null;
}

// fromBundle checks each status list when a code first needs it (a national bundle loads in a
// few milliseconds), and the device remembers only lists that were checked: after each
// verification the lists it used are recorded, as `giayto verify` records them after its
// checks. Their dates were already held against the device's state when the bundle loaded.
// `v`: the verifier that checked (the lite one, or the complete module's for an answer to a
// request), built from the data of `of`, the verifier in use then.
function rememberUse(v = verifier, of = verifier) {
  loading = loading.then(async () => {
    if (!v || of !== verifier) return;
    try {
      const back = await acceptVerifier(v, []);
      if (back) showMessage(rollbackText(back), { rollback: back.kind, kind: 'error' });
    } catch (_) { /* not remembered this time; the next verification tries again */ }
  });
  return loading;
}

function useVerifier(v) {
  if (verifier) verifier.free();
  verifier = v;
}

function rollbackText(r) {
  const kept = trOr('web-rollback-kept', '');
  const whole = (t) => humanTime(t, 'medium').replace(/ /g, '\u00a0');
  const text = r.kind === 'trust_list'
    ? trOr('error-rollback-trust', r.message, { seen: r.seen, offered: r.offered })
    : r.kind === 'from_future'
      ? trOr('error-rollback-future', r.message, { what: r.uri || trOr('trust-list-noun', 'The trust list'), time: whole(r.issued_at) })
      : trOr('error-rollback-status', r.message, { uri: r.uri, seen: whole(r.seen), offered: whole(r.offered) });
  return kept ? `${text} ${kept}` : text;
}

async function restore() {
  try {
    db = await openDb();
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  } catch (_) { db = null; }
  await migrateLocalStorage();
  for (const kind of [ROOT, BUNDLE]) {
    stored[kind] = (await dbGet(kind)) ?? null;
    storedName[kind] = (await dbGet(nameKey(kind))) ?? null;
  }
  if (!stored[ROOT] || !stored[BUNDLE]) return;
  const v = WebVerifier.fromBundle(stored[ROOT], stored[BUNDLE]);
  const back = await acceptVerifier(v, []);
  if (back) { v.free(); showMessage(rollbackText(back), { rollback: back.kind }); return; }
  useVerifier(v);
}

function showDataStatus() {
  if (lists) lists.show();
  const el = $('data-status');
  el.classList.remove('old');
  delete el.dataset.ageSeconds;
  showFileStates();
  if (!verifier) {
    const id = stored[ROOT] && !stored[BUNDLE] ? 'web-status-need-bundle' : !stored[ROOT] && stored[BUNDLE] ? 'web-status-need-root' : 'web-no-data';
    el.dataset.state = id;
    el.textContent = trOr(id, 'No trust data');
    return;
  }
  el.dataset.state = 'ready';
  const now = nowSeconds();
  const t = verifier.trustList();
  const made = verifier.bundleCreatedAt;
  const age = verifier.bundleAgeSeconds(now) ?? 0;
  el.dataset.ageSeconds = String(age);
  el.dataset.bundleCreatedAt = String(made);
  el.textContent = trOr('web-bundle-age', '', {
    made: wholeTime(new Date(made * 1000).toISOString()),
    hours: Math.floor(age / 3600),
    lists: verifier.statusListCount(),
    sequence: t.sequence,
    due: wholeTime(t.expires_at),
  });
  if (now > t.expires_at_seconds - 86400) {
    el.classList.add('old');
    el.textContent += ' ' + trOr('web-bundle-old', '');
  }
}

// The file pickers are labels that say, in the page's language, which file each holds.
function showFileStates() {
  for (const [kind, pick, state] of [[ROOT, 'root-pick', 'root-state'], [BUNDLE, 'bundle-pick', 'bundle-state']]) {
    const loaded = stored[kind] !== null;
    $(pick).classList.toggle('loaded', loaded);
    $(state).textContent = !loaded ? trOr('web-file-none', '')
      : storedName[kind] ? trOr('web-file-loaded', storedName[kind], { name: storedName[kind] })
        : trOr('web-file-loaded-unnamed', '');
  }
  $('image-state').textContent = lastImage ? trOr('web-file-checked', lastImage, { name: lastImage }) : '';
}

async function readFile(input) {
  const f = input.files && input.files[0];
  if (!f) return null;
  if (f.size > 64 * 1024 * 1024) throw new Error('file too large');
  return { bytes: new Uint8Array(await f.arrayBuffer()), name: f.name };
}

// A root key or bundle picked by the officer. The new pair is built and checked against the
// device's seen state first; only then are the file and the state stored. A refused or broken
// file leaves the data already in use untouched.
let loading = Promise.resolve();
function loadData(kind, input) {
  // One at a time: a root and a bundle picked together are read in the order picked.
  loading = loading.then(() => loadDataNow(kind, input));
  return loading;
}

// ---- status updates (VD1:, docs/format.md §9.8): a scanned code brings the bundle up to date ----
// The checks are the CLI's `bundle apply`, in WASM (applyStatusDelta): signer, signature, uri,
// the update's base, then the device's rollback memory. The new bundle and the new state are
// written in one transaction; a refused update changes nothing.
const isUpdate = (text) => /^\s*VD1:/.test(text);

function deltaRefusalText(r) {
  const whole = (t) => humanTime(t, 'medium').replace(/ /g, '\u00a0');
  switch (r.kind) {
    case 'wrong_base': {
      const args = { uri: r.uri, held: whole(r.held), base: whole(r.base) };
      return `${trOr('error-delta-wrong-base', r.message, args)} ${trOr('error-delta-wrong-base-hint', '', args)}`.trim();
    }
    case 'older': return trOr('error-delta-older', r.message, { uri: r.uri, held: whole(r.held), offered: whole(r.offered) });
    case 'no_base': return `${trOr('error-delta-no-base', r.message, { uri: r.uri, issuer: r.issuer })} ${trOr('error-delta-no-base-hint', '')}`.trim();
    case 'unknown_signer': return trOr('error-delta-unknown-signer', r.message, { kid: r.kid });
    case 'uri_outside_prefix': return trOr('error-delta-outside-prefix', r.message, { uri: r.uri, issuer: r.issuer });
    case 'chain_full': return `${trOr('error-delta-chain-full', r.message, { max: r.max })} ${trOr('error-delta-chain-full-hint', '')}`.trim();
    case 'rollback': return rollbackText(r.rollback);
    default: return trOr('error-delta-invalid', r.message, { detail: r.message });
  }
}

function applyUpdate(text) {
  loading = loading.then(() => applyUpdateNow(text.trim()));
  return loading;
}

async function applyUpdateNow(text) {
  try {
    if (!verifier || !stored[ROOT] || !stored[BUNDLE]) { message(trOr('web-no-data', 'No trust data')); return; }
    const key = seenKey(verifier);
    const { applyStatusDelta } = await wasmFull();
    const out = applyStatusDelta(stored[ROOT], stored[BUNDLE], text, await dbGet(key), Date.now() / 1000);
    if (out.refused) {
      showMessage(deltaRefusalText(out.refused), { kind: 'error', update: out.refused.kind });
      return;
    }
    const v = WebVerifier.fromBundle(stored[ROOT], out.bundle);
    try {
      await dbPut([[BUNDLE, out.bundle], [key, out.state]]);
    } catch (e) {
      v.free();
      throw e;
    }
    stored[BUNDLE] = out.bundle;
    useVerifier(v);
    const a = out.applied;
    showMessage(trOr('web-update-applied', 'OK', {
      uri: a.uri, changes: a.changes, to: wholeTime(a.issued_at), expires: wholeTime(a.expires_at),
    }), { kind: 'ok', update: 'applied' });
  } catch (e) {
    showMessage(trOr('web-load-error', String(e), { detail: e.message || String(e) }), { kind: 'error' });
  } finally {
    showDataStatus();
  }
}

async function loadDataNow(kind, input) {
  try {
    const file = await readFile(input);
    if (!file) return;
    const { bytes, name } = file;
    const entries = [[kind, bytes], [nameKey(kind), name]];
    const next = { ...stored, [kind]: bytes };
    if (!next[ROOT] || !next[BUNDLE]) {
      // One of the two so far: kept, and the officer told which one is still missing.
      await dbPut(entries);
      stored[kind] = bytes;
      storedName[kind] = name;
      showMessage(trOr(kind === ROOT ? 'web-root-only' : 'web-bundle-only', 'OK'), { kind: 'ok' });
      return;
    }
    const v = WebVerifier.fromBundle(next[ROOT], next[BUNDLE]);
    let back;
    try {
      back = await acceptVerifier(v, entries);
    } catch (e) {
      v.free();
      throw e;
    }
    if (back) {
      v.free();
      showMessage(rollbackText(back), { rollback: back.kind, kind: 'error' });
      $('message').scrollIntoView({ block: 'center' });
      return;
    }
    stored[kind] = bytes;
    storedName[kind] = name;
    useVerifier(v);
    showMessage(trOr('web-loaded', 'OK'), { kind: 'ok' });
  } catch (e) {
    showMessage(trOr('web-load-error', String(e), { detail: e.message || String(e) }), { kind: 'error' });
  } finally {
    input.value = '';
    showDataStatus();
  }
}

// ---- verification and its display ----
// The two live regions are never hidden: a screen reader announces each new text. The text is
// set on the next frame after clearing, so the same sentence twice is announced twice.
let announced = 0;
function announce(text, urgent) {
  const [on, off] = urgent ? [$('alert'), $('announce')] : [$('announce'), $('alert')];
  off.textContent = '';
  on.textContent = '';
  const n = ++announced;
  setTimeout(() => { if (n === announced) { on.textContent = text; document.body.dataset.announced = String(n); } }, 50);
}

// A message under the input: `kind` 'ok' or 'error' (glyph, border and weight differ).
function showMessage(text, data = {}) {
  const el = $('message');
  el.textContent = text || '';
  el.className = text ? (data.kind || 'error') : '';
  if (data.rollback) el.dataset.rollback = data.rollback; else delete el.dataset.rollback;
  if (data.update) el.dataset.update = data.update; else delete el.dataset.update;
  if (text) announce(text, el.className === 'error');
}
const message = (text) => showMessage(text, { kind: 'error' });

function verifyText(text) {
  message('');
  if (isUpdate(text)) { applyUpdate(text); return null; }
  if (!verifier) { message(trOr('web-no-data', 'No trust data')); return null; }
  if (activeRequest) { answerDone = checkAnswer(text, activeRequest); return null; }
  const r = verifier.verify(text.trim(), nowSeconds());
  if (r.needs_complete_module) { fullDone = checkWithFull(text); return null; }
  showResult(r, true);
  rememberUse();
  // A list found missing or expired is fetched when the network is there; the code is then
  // checked again against it (web/fetch.js).
  afterCheck(r, () => verifyText(text));
  addToForm(text.trim());
  return r;
}

// A holder's presentation (VP1:) or a Claim 169 code: the lite module checks neither (D189),
// so the complete module checks it, loaded the first time, with the data in use.
let fullDone = Promise.resolve();
window.giaytoCheckSettled = () => fullDone.then(() => true, () => true);
async function checkWithFull(text) {
  const of = verifier;
  let v;
  try { v = await verifierForForms(); } catch (e) { message(trOr('web-load-error', String(e), { detail: e.message || String(e) })); return; }
  if (of !== verifier || activeRequest) return; // the data changed or a request began meanwhile
  const r = v.verify(text.trim(), nowSeconds());
  showResult(r, true);
  rememberUse(v, of);
  afterCheck(r, () => verifyText(text));
  addToForm(text.trim());
}

// An answer to the verifier's request, checked by the complete module, which made the request
// and so is loaded already (the lite module has no request checks, D183).
let answerDone = Promise.resolve();
window.giaytoAnswerSettled = () => answerDone.then(() => true, () => true);
async function checkAnswer(text, req) {
  const of = verifier;
  let v;
  try { v = await verifierForForms(); } catch (e) { message(trOr('web-load-error', String(e), { detail: e.message || String(e) })); return; }
  if (of !== verifier || req !== activeRequest) return; // the data or the request changed meanwhile
  const r = v.checkAnswer(text.trim(), req.text, nowSeconds());
  r.answered_request = req.request;
  showResult(r, true);
  rememberUse(v, of);
  afterCheck(r, () => verifyText(text));
  // The form is filled by checking each code again without the request: while a request is
  // active, only a code that answered it validly joins the form, so a wrong or incomplete
  // answer never fills what the request did not ask for.
  if (r.verdict === 'valid') addToForm(text.trim());
}

// ---- forms filled from a scan (docs/forms.md) ----
// The shipped forms (forms/*.json, copied to web/forms by npm/build.sh); each code checked
// while a form is picked is added, and the form is filled again from all of them in WASM, where
// only the valid ones fill anything.
const FORM_IDS = ['hotel-guest-stay', 'ct01-residence-change', 'bank-account-identity'];
const forms = new Map();
let formTexts = [];

async function loadForms() {
  for (const id of FORM_IDS) {
    try {
      const text = await (await fetch(`forms/${id}.json`)).text();
      forms.set(id, { text, title: JSON.parse(text).title });
    } catch (_) { /* a form that cannot be read is not offered */ }
  }
  showFormPicker();
}

const pickedForm = () => forms.get($('form-pick').value) || null;
const inLang = (b) => (lang === 'vi' ? b.vi : b.en);

function showFormPicker() {
  const pick = $('form-pick');
  const chosen = pick.value;
  for (const o of [...pick.options]) if (o.value) o.remove();
  for (const [id, f] of forms) {
    const o = document.createElement('option');
    o.value = id;
    o.textContent = inLang(f.title);
    pick.append(o);
  }
  pick.value = forms.has(chosen) ? chosen : '';
  $('form-hint').textContent = pick.value ? trOr('web-form-hint', '') : '';
}

function addToForm(text) {
  if (!pickedForm() || !text) return;
  if (!formTexts.includes(text)) formTexts.push(text);
  showForm();
}

let formShown = 0;
// The form is filled in the complete module, loaded the first time: settled() for tests.
let formDone = Promise.resolve();
window.giaytoFormSettled = () => formDone.then(() => true, () => true);
function showForm() {
  formDone = showFormNow();
  return formDone;
}
async function showFormNow() {
  const f = pickedForm();
  const box = $('form-filled');
  $('form-hint').textContent = f ? trOr('web-form-hint', '') : '';
  if (!f || !verifier || formTexts.length === 0) { box.hidden = true; return; }
  const n = ++formShown;
  let out;
  try {
    const v = await verifierForForms();
    if (n !== formShown) return; // a later call shows the form
    out = v.prefill(f.text, formTexts, nowSeconds());
  } catch (e) {
    box.hidden = true;
    message(trOr('web-form-error', String(e), { detail: e.message || String(e) }));
    return;
  }
  box.hidden = false;
  $('form-title').textContent = inLang(f.title);
  const codes = $('form-codes');
  codes.replaceChildren();
  out.results.forEach((r) => {
    const li = document.createElement('li');
    const doc = r.doc_type ? trOr(`doc-${r.doc_type}`, r.doc_type) : '';
    if (r.valid) {
      li.textContent = trOr('web-form-code-valid', doc, { doc });
    } else {
      const verdict = `${trOr('verdict-not-valid', 'NOT VALID')}: ${trOr(`verdict-${kebab(r.verdict)}`, r.verdict)}`;
      li.textContent = trOr('web-form-code-invalid', verdict, { verdict });
      li.className = 'invalid';
    }
    codes.append(li);
  });
  const dl = $('form-fields');
  dl.replaceChildren();
  if (out.different_holders) {
    const d = out.different_holders;
    const li = document.createElement('li');
    li.className = 'invalid';
    li.textContent = trOr('web-form-different-holders', '', { first: d.first + 1, second: d.second + 1 });
    codes.append(li);
    $('form-summary').textContent = '';
    return;
  }
  let filled = 0;
  for (const field of out.form.fields) {
    const dt = document.createElement('dt');
    dt.textContent = inLang(field.label);
    const dd = document.createElement('dd');
    if (field.value !== null) {
      dd.textContent = field.value;
      filled++;
    } else {
      dd.textContent = `— (${trOr(`prefill-unfilled-${kebab(field.unfilled || 'manual')}`, field.unfilled || '')})`;
      dd.className = 'unfilled';
    }
    dl.append(dt, dd);
  }
  $('form-summary').textContent = trOr('prefill-summary', '', { filled, total: out.form.fields.length });
}

// The filled form as text: one `label: value` line per field, empty after the colon when unfilled.
function formAsText() {
  const lines = [$('form-title').textContent];
  const items = [...$('form-fields').children];
  for (let i = 0; i + 1 < items.length; i += 2) {
    const unfilled = items[i + 1].classList.contains('unfilled');
    lines.push(`${items[i].textContent}: ${unfilled ? '' : items[i + 1].textContent}`);
  }
  return lines.join('\n');
}

async function copyForm() {
  try {
    await navigator.clipboard.writeText(formAsText());
    showMessage(trOr('web-form-copied', 'OK'), { kind: 'ok' });
  } catch (e) {
    message(String(e));
  }
}

const kebab = (s) => s.replace(/_/g, '-');

function fieldValue(name, value) {
  if (value === 'male' || value === 'female') return trOr(`sex-${value}`, value);
  if (name === 'card_generation') return trOr(`value-${kebab(value)}`, value);
  if (name === 'participation_status') return trOr(`value-participation-${kebab(value)}`, value);
  if (value === 'no_expiry') return trOr('value-no-expiry', value);
  if (name === 'classes') {
    return value.replaceAll('no_expiry', trOr('value-no-expiry', 'no_expiry'))
      .replaceAll(', legacy)', `, ${trOr('value-legacy-class', 'legacy')})`);
  }
  return value;
}

// A value that is a number or a code (no spaces, some digit: 001096054321, 08/03/1996,
// 29A-123.45) has no break opportunity inside, so it stays on one line; only when it is longer
// than the whole line (a chassis number at a large text size on a small phone) does
// `overflow-wrap: break-word` split it, as the last resort. A value given as pieces (a date and
// its time, a serial's groups of four) keeps each piece whole (`white-space: nowrap`) and may
// break between pieces. Words wrap between words only.
const unbreakable = (v) => /\d/.test(v) && !/\s/.test(v);

// `value` is a string, or a list of pieces each kept whole. `volatile` marks a value that
// differs on every issue (serial, times): the screenshot test evens it out.
function row(dl, label, value, volatile = false) {
  const dt = document.createElement('dt');
  dt.textContent = label;
  const dd = document.createElement('dd');
  if (Array.isArray(value)) {
    value.forEach((p, i) => {
      if (i > 0) dd.append(' ');
      const span = document.createElement('span');
      span.className = 'nowrap';
      span.textContent = p;
      dd.append(span);
    });
  } else {
    dd.textContent = value;
    if (unbreakable(value)) dd.classList.add('code');
  }
  if (volatile) dd.dataset.volatile = 'true';
  dl.append(dt, dd);
}

function portraitUrl(b64) {
  if (typeof b64 !== 'string' || b64.length > 200000) return null;
  const mime = b64.startsWith('/9j/') ? 'image/jpeg' : b64.startsWith('UklGR') ? 'image/webp' : b64.startsWith('iVBOR') ? 'image/png' : null;
  return mime && `data:${mime};base64,${b64}`;
}

// `fresh`: a new check (announced, focus on the verdict); else a redraw after a language switch.
function showResult(r, fresh = false) {
  lastResult = r;
  $('result').hidden = false;
  const v = $('verdict');
  v.dataset.verdict = r.verdict;
  v.className = r.valid ? 'valid' : 'invalid';
  const title = trOr(`verdict-${kebab(r.verdict)}`, r.verdict);
  const verdictText = r.valid ? title : `${trOr('verdict-not-valid', 'NOT VALID')}: ${title}`;
  v.querySelector('.mark').textContent = r.valid ? '✔' : '✘';
  v.querySelector('.verdict-text').textContent = verdictText;
  const args = {};
  for (const [k, val] of Object.entries(r.reason_args || {})) args[k] = k === 'time' ? wholeTime(val) : val;
  if (args.doctype && !/^\d+$/.test(args.doctype)) args.doctype = trOr(`doc-${args.doctype}`, args.doctype);
  $('reason').textContent = r.reason
    ? trOr(`reason-${kebab(r.reason)}`, trOr('reason-other', r.reason), args)
    : trOr('reason-valid', '');
  if (!r.valid && r.display_fields) $('reason').textContent += ' ' + trOr('note-signed-but-not-valid', '');
  const note = $('request-note');
  note.hidden = !r.answered_request;
  note.textContent = r.answered_request ? trOr('verify-request-line', '', {
    verifier: r.answered_request.verifier, purpose: r.answered_request.purpose, time: wholeTime(r.answered_request.expires_at),
  }) : '';
  // A selective-disclosure presentation shows only what the holder chose, and how much not.
  const withheld = $('withheld');
  withheld.hidden = !r.disclosed;
  withheld.textContent = r.disclosed ? trOr('web-withheld', String(r.withheld), { withheld: r.withheld }) : '';
  const card = $('card');
  const fields = $('fields');
  const meta = $('meta');
  fields.replaceChildren();
  meta.replaceChildren();
  const portrait = $('portrait');
  portrait.hidden = true;
  portrait.removeAttribute('src');
  if (r.display_fields) {
    card.hidden = false;
    // The 2024 identity card has its own name (thẻ căn cước).
    const title = r.fields && r.fields.card_generation === 'can_cuoc_2024' ? 'card-title-can-cuoc-2024' : `card-title-${r.doc_type}`;
    $('card-title').textContent = trOr(title, r.doc_type);
    for (const [name, value] of r.display_fields) {
      if (name === 'portrait') continue;
      const age = /^age_over_(\d+)$/.exec(name);
      const label = age ? trOr('field-age-over', name, { age: age[1] })
        : tr(`field-${kebab(name)}`) ?? (name.startsWith('unknown_') ? trOr('field-unknown', name, { key: name.slice(8) }) : name);
      row(fields, label, age ? trOr(value === 'true' ? 'yes' : 'no', value) : fieldValue(name, value));
    }
    const url = r.fields && portraitUrl(r.fields.portrait);
    if (url) { portrait.src = url; portrait.alt = trOr('field-portrait', 'Portrait'); portrait.hidden = false; }
  } else {
    card.hidden = true;
  }
  if (r.issuer) {
    const name = r.issuer_name ? (lang === 'en' && r.issuer_name.en ? r.issuer_name.en : r.issuer_name.vi) : null;
    row(meta, trOr('meta-issuer', 'Issuer'), name ? `${name} (${r.issuer})` : r.issuer);
    // In groups of four: easier to read out, and a long serial may wrap between groups at a
    // large text size rather than run off the screen.
    row(meta, trOr('meta-serial', 'Serial'), String(r.serial).match(/.{1,4}/g) || [''], true);
    row(meta, trOr('meta-issued-at', 'Signed'), humanTimeParts(r.issued_at), true);
    row(meta, trOr('meta-expires-at', 'Expires'), humanTimeParts(r.expires_at), true);
    row(meta, trOr('meta-level', 'Level'), String(r.assurance_level));
    if (r.holder_key) row(meta, trOr('meta-holder-bound', 'Holder-bound'), trOr('yes', '✔'));
  }
  const warnings = $('warnings');
  warnings.replaceChildren();
  for (const w of r.warnings || []) {
    const li = document.createElement('li');
    // Every warning has the CLI's message `warning-<code>` (a test checks both languages).
    const id = `warning-${w.code.replace(/_/g, '-')}`;
    const mark = document.createElement('span');
    mark.setAttribute('aria-hidden', 'true');
    mark.textContent = '⚠ ';
    li.append(mark, trOr(id, w.code, { uri: w.uri || '', expires_at: w.expires_at ? wholeTime(w.expires_at) : '' }));
    warnings.append(li);
  }
  if (!fresh) return;
  // One short sentence for a screen reader: the verdict, whose document, which document.
  const f = r.fields || {};
  const holder = f.full_name || f.owner_name || null;
  const doc = r.doc_type ? trOr(`doc-${r.doc_type}`, r.doc_type) : null;
  const sentence = holder && doc ? trOr('web-announce', verdictText, { verdict: verdictText, name: holder, doc })
    : doc ? trOr('web-announce-doc', verdictText, { verdict: verdictText, doc })
      : trOr('web-announce-plain', verdictText, { verdict: verdictText });
  announce(sentence, !r.valid);
  $('result').scrollIntoView({ block: 'start' });
  v.focus({ preventScroll: true });
}

// ---- a request for chosen details (VR1:, docs/format.md §15) ----
function itemLabel(name) {
  const age = /^age_over_(\d+)$/.exec(name);
  if (age) return trOr('field-age-over', name, { age: age[1] });
  return trOr(`field-${kebab(name)}`, name);
}

// The details a request may name for the chosen document type, as checkboxes (kept ticked
// across a change of type or language).
function fillRequestItems() {
  const list = $('req-item-list');
  const ticked = new Set([...list.querySelectorAll('input:checked')].map((i) => i.value));
  list.replaceChildren();
  for (const name of requestItems($('req-doc').value || undefined)) {
    const label = document.createElement('label');
    const box = document.createElement('input');
    box.type = 'checkbox';
    box.value = name;
    box.checked = ticked.has(name);
    label.append(box, itemLabel(name));
    list.append(label);
  }
}

function requestMessage(text, kind = 'error') {
  const el = $('request-message');
  el.textContent = text || '';
  el.className = text ? kind : '';
  if (text) announce(text, kind === 'error');
}

function requestErrorText(e) {
  if (e.code === 'no_items') return trOr('web-request-no-items', e.code);
  if (e.code === 'lifetime') return trOr('web-request-minutes-range', e.code);
  if (e.code === 'bad_item' || e.code === 'duplicate_item') {
    return trOr(`request-error-${kebab(e.code)}`, e.code, { item: e.item || '', known: requestItems().join(', ') });
  }
  if (e.code === 'bad_member' && e.member === 'verifier') return trOr('request-error-verifier-name', e.code);
  if (e.code === 'bad_member' && e.member === 'purpose') return trOr('request-error-purpose', e.code);
  return trOr('web-request-error', e.code, { code: e.code });
}

function showRequest() {
  const active = $('request-active');
  $('request-form').hidden = Boolean(activeRequest);
  active.hidden = !activeRequest;
  if (!activeRequest) return;
  const { text, request } = activeRequest;
  const img = $('request-qr');
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(activeRequest.svg);
  img.alt = trOr('web-request-qr-alt', '', { verifier: request.verifier });
  const items = [...request.required, ...request.optional].map(itemLabel).join(', ');
  $('request-summary').textContent = trOr('web-request-active', '', { verifier: request.verifier, items, time: wholeTime(request.expires_at) });
  $('request-text').value = text;
}

async function onMakeRequest(e) {
  e.preventDefault();
  let full;
  try { full = await wasmFull(); } catch (err) { requestMessage(trOr('web-request-error', String(err), { code: String(err) })); return; }
  const minutes = Number($('req-minutes').value);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440) { requestMessage(trOr('web-request-minutes-range', '')); return; }
  const items = [...$('req-item-list').querySelectorAll('input:checked')].map((i) => i.value);
  // The nonce: fresh random bytes from the browser for every request.
  const nonce = crypto.getRandomValues(new Uint8Array(16));
  const made = full.makeRequest(items, [], $('req-purpose').value, $('req-name').value, $('req-doc').value || undefined, minutes, nonce, nowSeconds());
  if (made.error) { requestMessage(requestErrorText(made.error)); return; }
  activeRequest = { ...made, svg: full.renderQrSvg(made.text) };
  showRequest();
  requestMessage(trOr('web-request-made', ''), 'ok');
  $('request-details').dataset.requestNonce = made.request.nonce;
}

function onClearRequest() {
  activeRequest = null;
  delete $('request-details').dataset.requestNonce;
  showRequest();
  requestMessage(trOr('web-request-cleared', ''), 'ok');
}

function firstGiayto(texts) {
  return texts.find((t) => /^\s*V[NP]1:/.test(t)) ?? texts.find(isUpdate) ?? texts[0];
}

async function onImage() {
  try {
    const file = await readFile($('image'));
    if (!file) return;
    lastImage = file.name;
    showFileStates();
    const texts = await scanImageFile(file.bytes);
    if (texts.length === 0) { message(trOr('web-no-code', 'No QR code')); return; }
    verifyText(firstGiayto(texts));
  } catch (e) {
    message(trOr('web-image-error', String(e), { detail: e.message || String(e) }));
  } finally {
    $('image').value = '';
  }
}

// ---- scanning: the browser's own QR reader where it has one, else the WASM scanner ----
// The WASM scanner (rqrr and rxing with the image decoders, crate giayto-scan-wasm) is most of
// the page's code, so it is not part of the first load: it is imported the first time a photo
// or the camera needs it. Where the browser has a BarcodeDetector that reads QR codes, it reads
// camera frames, and a photo first; a photo it finds nothing in still goes to the WASM scanner
// (two engines tuned on degraded photos, docs/qr-robustness.md). Both run on this device.
let scanModule = null;
function wasmScanner() {
  if (!scanModule) {
    scanModule = import('./pkg/giayto_scan_wasm.js').then(async (m) => { await m.default(); return m; });
    scanModule.catch(() => { scanModule = null; }); // a failed load is tried again next time
  }
  return scanModule;
}
window.giaytoScanLoaded = () => scanModule !== null;

let qrDetector; // undefined: not asked yet; null: the browser has none for QR codes
async function nativeDetector() {
  if (qrDetector !== undefined) return qrDetector;
  qrDetector = null;
  try {
    if ('BarcodeDetector' in window && (await BarcodeDetector.getSupportedFormats()).includes('qr_code')) {
      qrDetector = new BarcodeDetector({ formats: ['qr_code'] });
    }
  } catch (_) { qrDetector = null; }
  return qrDetector;
}
// The texts the browser's reader finds in an image source; null when it has none or failed.
async function detectNative(source) {
  const d = await nativeDetector();
  if (!d) return null;
  try { return (await d.detect(source)).map((c) => c.rawValue).filter((t) => typeof t === 'string' && t !== ''); } catch (_) { return null; }
}

async function scanImageFile(bytes) {
  if (await nativeDetector()) {
    let bitmap = null;
    try { bitmap = await createImageBitmap(new Blob([bytes])); } catch (_) { bitmap = null; }
    const found = bitmap ? await detectNative(bitmap) : null;
    if (bitmap) bitmap.close();
    if (found && found.length) return found;
  }
  return (await wasmScanner()).decodeImage(bytes);
}

// ---- camera: frames read by the browser's QR reader, or drawn to a canvas and decoded in WASM ----
// The browser's reason a camera did not open (a DOMException name), as the page's own words.
function cameraError(e) {
  const id = {
    NotAllowedError: 'web-camera-denied', SecurityError: 'web-camera-denied',
    NotFoundError: 'web-camera-none', OverconstrainedError: 'web-camera-none',
    NotReadableError: 'web-camera-busy', AbortError: 'web-camera-busy',
    NoMediaDevices: 'web-camera-unavailable',
  }[e && e.name] || 'web-camera-error';
  return trOr(id, trOr('web-camera-error', 'Camera error'));
}

async function toggleCamera() {
  if (camera) { stopCamera(); return; }
  const video = $('video');
  try {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw Object.assign(new Error('no mediaDevices'), { name: 'NoMediaDevices' });
    }
    // The scanner module loads while the camera opens, where the browser cannot read QR codes.
    const native = await nativeDetector();
    const wasm = native ? null : wasmScanner();
    if (wasm) wasm.catch(() => {});
    const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment', width: { ideal: 1280 } }, audio: false });
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    camera = { stream, timer: 0 };
    $('scan').textContent = trOr('web-stop', 'Stop');
    const scanner = wasm ? await wasm : null;
    if (!camera) return;
    const tick = async () => {
      if (!camera) return;
      const w = video.videoWidth;
      const h = video.videoHeight;
      if (w && h && native) {
        const texts = (await detectNative(video)) || [];
        if (!camera) return;
        const text = texts.length ? firstGiayto(texts) : null;
        if (text) { stopCamera(); verifyText(text); return; }
      } else if (w && h) {
        const scale = Math.min(1, 1024 / Math.max(w, h));
        canvas.width = Math.round(w * scale);
        canvas.height = Math.round(h * scale);
        ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
        const frame = ctx.getImageData(0, 0, canvas.width, canvas.height);
        let texts = [];
        try { texts = scanner.decodeRgba(new Uint8Array(frame.data.buffer), frame.width, frame.height); } catch (_) { texts = []; }
        const text = texts.length ? firstGiayto(texts) : null;
        if (text) { stopCamera(); verifyText(text); return; }
      }
      camera.timer = setTimeout(tick, 200);
    };
    tick();
  } catch (e) {
    stopCamera();
    message(cameraError(e));
  }
}

function stopCamera() {
  if (camera) {
    clearTimeout(camera.timer);
    for (const t of camera.stream.getTracks()) t.stop();
  }
  camera = null;
  $('video').hidden = true;
  $('scan').textContent = trOr('web-scan', 'Scan');
}

// For tests and for measuring: median milliseconds of `n` single verifications of one text,
// and the mean over one run of `n * 10` (the browser coarsens each timer reading to ~0.1 ms).
window.giaytoBench = (text, n = 100) => {
  const times = [];
  const now = nowSeconds();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const r = verifier.verify(text, now);
    times.push(performance.now() - t0);
    if (i === 0) window.giaytoBenchVerdict = r.verdict;
  }
  times.sort((a, b) => a - b);
  const median = n % 2 ? times[(n - 1) / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
  const t0 = performance.now();
  for (let i = 0; i < n * 10; i++) verifier.verify(text, now);
  return { median_ms: median, mean_ms: (performance.now() - t0) / (n * 10) };
};

async function main() {
  await init();
  bundle = await loadLang(lang);
  try { await restore(); } catch (e) {
    verifier = null;
    showMessage(trOr('web-load-error', String(e), { detail: e.message || String(e) }));
  }
  await setLang(lang);
  $('lang').addEventListener('click', () => setLang(lang === 'vi' ? 'en' : 'vi'));
  $('image').addEventListener('change', onImage);
  $('scan').addEventListener('click', toggleCamera);
  $('paste-form').addEventListener('submit', (e) => { e.preventDefault(); verifyText($('paste').value); });
  $('root-file').addEventListener('change', () => loadData(ROOT, $('root-file')));
  $('bundle-file').addEventListener('change', () => loadData(BUNDLE, $('bundle-file')));
  $('req-doc').addEventListener('change', fillRequestItems);
  $('request-form').addEventListener('submit', onMakeRequest);
  $('request-clear').addEventListener('click', onClearRequest);
  $('form-pick').addEventListener('change', () => { formTexts = []; showForm(); });
  $('form-copy').addEventListener('click', copyForm);
  $('form-print').addEventListener('click', () => window.print());
  $('form-clear').addEventListener('click', () => { formTexts = []; showForm(); });
  // Lists fetched over the network (web/fetch.js): it takes each into the stored bundle through
  // these hooks, one change at a time with the pickers and status updates.
  const fetchHooks = {
    current: () => ({ root: stored[ROOT], bundle: stored[BUNDLE], verifier }),
    exclusive: (fn) => { const p = loading.then(fn); loading = p.catch(() => {}); return p; },
    commit: async (bytes, entries) => {
      const v = WebVerifier.fromBundle(stored[ROOT], bytes);
      try { await dbPut([[BUNDLE, bytes], ...entries]); } catch (e) { v.free(); throw e; }
      stored[BUNDLE] = bytes;
      useVerifier(v);
      showDataStatus();
    },
    dbGet, dbPut, seenKey, trOr, wholeTime, rollbackText,
    // Fetched lists are taken by the complete module, loaded only once the page is ready.
    full: () => whenReady.then(wasmFull),
  };
  if ('serviceWorker' in navigator) {
    try {
      await navigator.serviceWorker.register('sw.js', { updateViaCache: 'none' });
      await navigator.serviceWorker.ready;
      $('offline').textContent = trOr('web-offline-ready', '');
    } catch (_) { /* a page without a service worker still verifies */ }
  }
  // When the page became ready, for the first-load test: what started before this was part of it.
  window.giaytoReadyAt = performance.now();
  document.body.dataset.ready = 'true';
  pageReady();
  // The forms and the fetching of lists once the page is ready: checking a code needs neither (D190).
  await loadForms();
  const m = await import('./fetch.js');
  await m.setUpFetch(fetchHooks);
  lists = m;
  listsUp(m);
}

main().catch((e) => message(String(e)));
