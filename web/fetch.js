// Keeping the page's lists fresh where there is signal (docs/format.md §9.7.1): the trust list
// (from the address the officer gives) and the status lists the bundle holds or a check found
// missing, fetched by their uris, checked in WASM exactly as a bundle is
// (takeFetchedStatusList / takeFetchedTrustList: signer, signature, issuer, uri, never older
// than what is held, then the device's rollback memory), and merged into the stored bundle.
// Those two are in the complete module (pkg/giayto_verify_wasm.js, through `ctx.full()`), not
// in the page's first load: a list is taken only after it was fetched (docs/decisions.md D183).
// A refused or failed fetch writes nothing; without a network the stored lists are used until
// each one's exp, then checks say stale_status as before.

// Limits (the CLI's giayto-fetch has the same kind): one try waits at most TIMEOUT_MS for the
// whole answer; a failed try (network, timeout, HTTP 5xx or 429) is tried again after BACKOFF_MS, then
// twice that, TRIES in all; an answer larger than its cap is refused before it is read whole.
const TIMEOUT_MS = 10000;
const TRIES = 3;
const BACKOFF_MS = 500;
// The caps of docs/format.md §9.7: a status list (§9.1) and a trust list (§13).
const MAX_STATUS_BYTES = 41943040;
const MAX_TRUST_BYTES = 1048576;
// At most this many lists fetched in one refresh.
const MAX_FETCHES = 32;
// A held list without a ttl is checked again after an hour; the trust list after 6 hours
// (docs/format.md §9.7, "When").
const DEFAULT_TTL = 3600;
const TRUST_RECHECK = 6 * 3600;
// While the page is open, what is due is looked at this often.
const TICK_MS = 5 * 60 * 1000;

const TRUST_URL = 'giayto-trust-url';
const metaKey = (rootKey) => `fetch-meta-${rootKey}`;

let ctx = null;
let running = null;
const wanted = new Map(); // uri → issuer, from checks that found a list missing or expired

// A url the page may fetch: https, or — for tests only — http on 127.0.0.1 while the page
// itself is served from 127.0.0.1 (docs/format.md §9.7.1). No user name or password.
export function allowedUrl(text) {
  let url;
  try { url = new URL(text); } catch (_) { return null; }
  if (url.username || url.password) return null;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && url.hostname === '127.0.0.1' && location.hostname === '127.0.0.1') return url;
  return null;
}

// Whether `uri` lies under `prefix` (the issuer's status_uri_prefix in the trust list): the
// same origin, a path under the prefix's path once the browser has resolved `.` and `..`, and
// the text itself starting with the prefix (as the Rust checks do).
export function underPrefix(uri, prefix) {
  const u = allowedUrl(uri);
  const p = allowedUrl(prefix);
  return Boolean(u && p && u.origin === p.origin && u.pathname.startsWith(p.pathname) && uri.startsWith(prefix));
}

class FetchFailure extends Error {
  constructor(code, args = {}, retry = false) {
    super(code);
    this.code = code;
    this.args = args;
    this.retry = retry;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// One GET with the held validators, no redirects, no cookies, no HTTP cache, a timeout over the
// whole answer and a size cap checked on Content-Length and again while reading.
async function getOnce(url, meta, cap) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), TIMEOUT_MS);
  try {
    const headers = {};
    if (meta && meta.etag) headers['If-None-Match'] = meta.etag;
    else if (meta && meta.lastModified) headers['If-Modified-Since'] = meta.lastModified;
    let r;
    try {
      r = await fetch(url, {
        headers, cache: 'no-store', redirect: 'error', credentials: 'omit', mode: 'cors',
        referrerPolicy: 'no-referrer', signal: ctl.signal,
      });
    } catch (e) {
      if (ctl.signal.aborted) throw new FetchFailure('timeout', {}, true);
      throw new FetchFailure('network', { detail: e.message || String(e) }, true);
    }
    if (r.status === 304 && meta) return { notModified: true };
    if (r.status !== 200) throw new FetchFailure('http', { status: String(r.status) }, r.status >= 500 || r.status === 429);
    const length = Number(r.headers.get('content-length'));
    if (Number.isFinite(length) && length > cap) { ctl.abort(); throw new FetchFailure('too_large', { limit: String(cap) }); }
    const reader = r.body.getReader();
    const parts = [];
    let size = 0;
    for (;;) {
      let chunk;
      try { chunk = await reader.read(); } catch (e) {
        if (ctl.signal.aborted) throw new FetchFailure('timeout', {}, true);
        throw new FetchFailure('network', { detail: e.message || String(e) }, true);
      }
      if (chunk.done) break;
      size += chunk.value.length;
      if (size > cap) { ctl.abort(); throw new FetchFailure('too_large', { limit: String(cap) }); }
      parts.push(chunk.value);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const p of parts) { bytes.set(p, at); at += p.length; }
    return { bytes, etag: r.headers.get('etag'), lastModified: r.headers.get('last-modified') };
  } finally {
    clearTimeout(timer);
  }
}

async function get(url, meta, cap) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await getOnce(url, meta, cap);
    } catch (e) {
      if (!(e instanceof FetchFailure) || !e.retry || attempt >= TRIES) throw e;
      await sleep(BACKOFF_MS * 2 ** (attempt - 1));
    }
  }
}

// The reason of a failure or refusal in the page's language (the CLI's fetch-* messages).
function reasonText(e) {
  const { trOr } = ctx;
  switch (e.code) {
    case 'scheme': return trOr('web-fetch-rule-scheme', e.code, e.args);
    case 'outside_prefix': return trOr('fetch-rule-path', e.code, e.args);
    case 'no_prefix': return trOr('fetch-rule-no-prefix', e.code, e.args);
    case 'timeout': return trOr('fetch-reason-timeout', e.code);
    case 'network': return trOr('fetch-reason-network', e.code, e.args);
    case 'http': return trOr('fetch-reason-http', e.code, e.args);
    case 'too_large': return trOr('fetch-reason-too-large', e.code, e.args);
    case 'invalid_trust': return trOr('fetch-reason-trust', e.code, e.args);
    case 'invalid': return trOr('fetch-reason-invalid', e.code, e.args);
    case 'wrong_issuer': return trOr('fetch-reason-wrong-issuer', e.code, e.args);
    case 'wrong_list': return trOr('fetch-reason-wrong-list', e.code, e.args);
    case 'rollback': return ctx.rollbackText(e.args.rollback);
    default: return e.message || String(e);
  }
}

// A refusal from WASM as a failure with the CLI's message arguments.
function refusal(r, trust) {
  if (r.kind === 'rollback') return new FetchFailure('rollback', { rollback: r.rollback });
  if (r.kind === 'wrong_issuer') return new FetchFailure('wrong_issuer', { expected: r.expected, found: r.found });
  if (r.kind === 'wrong_list') return new FetchFailure('wrong_list', { found: r.found });
  if (r.kind === 'outside_prefix') return new FetchFailure('outside_prefix', { uri: r.uri });
  return new FetchFailure(trust ? 'invalid_trust' : 'invalid', { detail: r.message });
}

// Take one fetched list: WASM checks it against the bundle and state held now; only an accepted
// list is written, with the new device state, in one transaction.
function take(kind, item, bytes, meta) {
  return ctx.exclusive(() => takeNow(kind, item, bytes, meta));
}

async function takeNow(kind, item, bytes, meta) {
  const { takeFetchedStatusList, takeFetchedTrustList } = await ctx.full();
  const data = ctx.current();
  const key = ctx.seenKey(data.verifier);
  const state = await ctx.dbGet(key);
  const now = Date.now() / 1000;
  const out = kind === 'trust'
    ? takeFetchedTrustList(data.root, data.bundle, bytes, state, now)
    : takeFetchedStatusList(data.root, data.bundle, item.issuer, item.uri, bytes, state, now);
  if (out.refused) throw refusal(out.refused, kind === 'trust');
  if (out.same) return 'same';
  await ctx.commit(out.bundle, [[key, out.state], [metaKey(data.verifier.rootKey), meta]]);
  return 'updated';
}

async function readMeta(rootKey) {
  const m = (await ctx.dbGet(metaKey(rootKey))) || {};
  return { lists: m.lists || {}, trust: m.trust || null, last: m.last || null };
}

// What is due at `now`: the trust list (when an address is set) a day after it was last
// confirmed or at its exp; each held list whose issuer publishes under a prefix at its ttl
// after it was last confirmed, or its exp; the lists checks found missing. `force`: everything.
function due(v, meta, trustUrl, now, force) {
  const items = [];
  if (trustUrl) {
    const t = v.trustList();
    const checked = meta.trust && meta.trust.url === trustUrl ? meta.trust.checkedAt : 0;
    if (force || now >= Math.min(checked + TRUST_RECHECK, t.expires_at_seconds)) items.push({ kind: 'trust', url: trustUrl });
  }
  const prefixes = v.statusPrefixes();
  const held = new Set();
  for (const l of v.statusLists()) {
    held.add(l.uri);
    if (!prefixes.some((p) => p.issuer === l.issuer)) continue;
    const m = meta.lists[l.uri];
    const checked = m ? m.checkedAt : 0;
    const next = Math.min(checked + (l.ttl ?? DEFAULT_TTL), l.expires_at_seconds);
    if (force || now >= next) items.push({ kind: 'status', uri: l.uri, issuer: l.issuer });
  }
  for (const [uri, issuer] of wanted) if (!held.has(uri)) items.push({ kind: 'status', uri, issuer });
  return items.slice(0, MAX_FETCHES);
}

// One item: the rules of §9.7 first (nothing outside them is requested), then the request.
async function refreshItem(item, meta) {
  const v = ctx.current().verifier;
  let url;
  if (item.kind === 'trust') {
    url = allowedUrl(item.url);
    if (!url) throw new FetchFailure('scheme', { uri: item.url });
  } else {
    const prefix = v.statusPrefixes().find((p) => p.issuer === item.issuer);
    if (!prefix) throw new FetchFailure('no_prefix', { uri: item.uri });
    if (!allowedUrl(item.uri)) throw new FetchFailure('scheme', { uri: item.uri });
    if (!underPrefix(item.uri, prefix.prefix)) throw new FetchFailure('outside_prefix', { uri: item.uri });
    url = allowedUrl(item.uri);
  }
  const old = item.kind === 'trust' ? (meta.trust && meta.trust.url === item.url ? meta.trust : null) : meta.lists[item.uri];
  const cap = item.kind === 'trust' ? MAX_TRUST_BYTES : MAX_STATUS_BYTES;
  const got = await get(url.href, old, cap);
  const now = Math.floor(Date.now() / 1000);
  const confirmed = { ...(old || {}), checkedAt: now };
  const next = () => ({ ...meta, [item.kind === 'trust' ? 'trust' : 'lists']: item.kind === 'trust' ? { ...confirmed, url: item.url } : { ...meta.lists, [item.uri]: confirmed } });
  if (got.notModified) {
    // The server confirmed the list held: only when it was last confirmed changes.
    Object.assign(meta, next());
    await ctx.dbPut([[metaKey(v.rootKey), meta]]);
    return 'not_modified';
  }
  Object.assign(confirmed, { etag: got.etag, lastModified: got.lastModified });
  const after = next();
  const change = await take(item.kind, item, got.bytes, after);
  Object.assign(meta, after);
  if (change === 'same') await ctx.dbPut([[metaKey(v.rootKey), meta]]);
  if (item.kind === 'status') wanted.delete(item.uri);
  return change;
}

// Refresh what is due (everything with `force`, the button). One refresh at a time; each
// item's outcome is kept in `lastRefresh` for the status line (and for tests).
export function refresh(force = false) {
  if (running) return running;
  running = (async () => {
    const start = ctx.current();
    if (!start.verifier || !start.root || !start.bundle) {
      window.giaytoLastRefresh = { at: Math.floor(Date.now() / 1000), events: [] };
      return null;
    }
    const rootKey = start.verifier.rootKey;
    const meta = await readMeta(rootKey);
    const trustUrl = (await ctx.dbGet(TRUST_URL)) || '';
    const items = due(start.verifier, meta, trustUrl, Math.floor(Date.now() / 1000), force);
    const done = { at: Math.floor(Date.now() / 1000), events: [] };
    for (const item of items) {
      try {
        done.events.push({ ...item, outcome: await refreshItem(item, meta) });
      } catch (e) {
        if (!(e instanceof FetchFailure)) throw e;
        done.events.push({ ...item, outcome: 'failed', code: e.code, reason: reasonText(e) });
      }
    }
    // Nothing was due: the line keeps saying when lists were last fetched.
    if (done.events.length) {
      meta.last = done;
      await ctx.dbPut([[metaKey(rootKey), meta]]);
    }
    window.giaytoLastRefresh = done;
    return done;
  })().catch((e) => {
    window.giaytoLastRefresh = { at: Math.floor(Date.now() / 1000), events: [], error: String(e) };
    return null;
  }).finally(() => {
    running = null;
    show();
  });
  show();
  return running;
}

// Fetching on its own (at start, when the network comes back, every TICK_MS, after a check
// that found a list missing) only once the officer has given a trust list address: the page
// makes no request the officer did not set up. The button fetches in any case.
async function automatic() {
  return navigator.onLine !== false && Boolean(await ctx.dbGet(TRUST_URL));
}

// After a check: a status list found missing or expired is wanted; when fetching on its own,
// it is fetched now and, if a newer list was taken, `recheck` checks the code again.
export async function afterCheck(r, recheck) {
  if (!ctx || !r || r.verdict !== 'stale_status' || !r.status || !r.issuer) return;
  wanted.set(r.status.uri, r.issuer);
  try {
    if (!(await automatic())) return;
    const done = await refresh(false);
    if (done && done.events.some((e) => e.uri === r.status.uri && e.outcome === 'updated')) recheck();
  } catch (_) { /* the check shown stays; the status line says what failed */ }
}

// The status line: when the lists were last refreshed over the network and what came of it.
export async function show() {
  if (!ctx) return;
  const el = document.getElementById('fetch-status');
  const v = ctx.current().verifier;
  const { trOr, wholeTime } = ctx;
  if (running) { el.textContent = trOr('web-fetch-running', '…'); el.dataset.state = 'running'; return; }
  if (!v) { el.textContent = ''; el.dataset.state = 'none'; return; }
  const meta = await readMeta(v.rootKey);
  const last = meta.last;
  if (!last) {
    el.textContent = trOr('web-fetch-never', '');
    el.dataset.state = 'never';
    return;
  }
  const updated = last.events.filter((e) => e.outcome === 'updated').length;
  const failed = last.events.filter((e) => e.outcome === 'failed');
  let text = trOr('web-fetch-last', '', {
    time: wholeTime(new Date(last.at * 1000).toISOString()), checked: last.events.length, updated,
  });
  for (const f of failed) {
    const what = f.kind === 'trust' ? trOr('fetch-what-trust', f.url, { url: f.url }) : trOr('fetch-what-status', f.uri, { uri: f.uri });
    text += ' ' + trOr('web-fetch-failed', f.reason, { what, reason: f.reason });
  }
  if (navigator.onLine === false) text += ' ' + trOr('web-fetch-offline', '');
  el.textContent = text;
  el.dataset.state = failed.length ? 'failed' : 'ok';
  el.dataset.at = String(last.at);
  el.dataset.updated = String(updated);
  el.dataset.failed = failed.map((f) => f.code).join(' ');
}

async function saveUrl() {
  const input = document.getElementById('trust-url');
  const text = input.value.trim();
  const msg = document.getElementById('fetch-url-state');
  if (text && !allowedUrl(text)) {
    msg.textContent = ctx.trOr('web-fetch-url-bad', '');
    msg.className = 'error';
    return false;
  }
  await ctx.dbPut([[TRUST_URL, text]]);
  msg.textContent = '';
  msg.className = '';
  return true;
}

// Wire the controls. `hooks` comes from app.js: current() → { root, bundle, verifier };
// commit(bundle, entries) stores a new bundle with `entries` in one transaction and uses it;
// full() → the complete module, once the page is ready; dbGet, dbPut, seenKey, trOr, wholeTime,
// rollbackText.
export async function setUpFetch(hooks) {
  ctx = hooks;
  const input = document.getElementById('trust-url');
  input.value = (await ctx.dbGet(TRUST_URL)) || '';
  input.addEventListener('change', saveUrl);
  document.getElementById('fetch-now').addEventListener('click', async () => {
    if (await saveUrl()) refresh(true);
  });
  window.addEventListener('online', async () => { if (await automatic()) refresh(false); });
  setInterval(async () => { if (await automatic()) refresh(false); }, TICK_MS);
  await show();
  if (ctx.current().verifier && (await automatic())) refresh(false);
}
