// Caches every asset at install, then serves from the cache first: the page works with no
// network after its first load (and installed as an app, with none at all). ASSETS is every
// file of web/ but this worker and sw-version.js; browser.test.cjs checks it against the built
// folder and against what the page fetches. The cache is named after a hash of the assets,
// written into sw-version.js by npm/build.sh: any changed file makes a new service worker and a
// new cache.
try { importScripts('sw-version.js'); } catch (_) { /* not built by npm/build.sh */ }
const VERSION = self.GIAYTO_CACHE || 'giayto-web-unversioned';
const ASSETS = [
  './', 'index.html', 'app.js', 'fetch.js', 'style.css', 'manifest.webmanifest', 'favicon.ico',
  'icons/icon-192.png', 'icons/icon-512.png', 'icons/icon-maskable-512.png',
  'pkg/giayto_verify_lite.js', 'pkg/giayto_verify_lite_bg.wasm',
  // The complete verifier and the QR scanner: not in the first load (app.js imports them when
  // a form, a request, an update, a photo or the camera needs them), but cached here at
  // install so that all of it works offline.
  'pkg/giayto_verify_wasm.js', 'pkg/giayto_verify_wasm_bg.wasm',
  'pkg/giayto_scan_wasm.js', 'pkg/giayto_scan_wasm_bg.wasm',
  'i18n/vi/giayto.ftl', 'i18n/en-US/giayto.ftl', 'strings/vi.ftl', 'strings/en-US.ftl',
  'vendor/fluent/index.js', 'vendor/fluent/bundle.js', 'vendor/fluent/resource.js',
  'vendor/fluent/resolver.js', 'vendor/fluent/scope.js', 'vendor/fluent/types.js',
  'vendor/fluent/builtins.js', 'vendor/fluent/memoizer.js', 'vendor/fluent/ast.js',
  'forms/hotel-guest-stay.json', 'forms/ct01-residence-change.json',
  'forms/bank-account-identity.json',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(VERSION).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

// Only the page's own files are answered from the cache. Everything else — the trust and status
// lists web/fetch.js fetches, on this origin or another — goes to the network untouched: a list
// is never served from this cache, and its conditional request reaches the server.
const OWN = new Set(ASSETS.map((a) => new URL(a, self.location.href).pathname));
self.addEventListener('fetch', (event) => {
  if (event.request.method !== 'GET') return;
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin || !OWN.has(url.pathname)) return;
  event.respondWith(
    caches.match(event.request, { ignoreSearch: true }).then((hit) => hit || fetch(event.request)),
  );
});
