// Paicha service worker: offline app shell.
// `paicha-build build` replaces the marker below with the files it wrote to
// dist/ and a hash of their contents; never edit the list by hand.
const PRECACHE = /*__PRECACHE__*/ { version: "dev", urls: [] };

const CACHE = `paicha-${PRECACHE.version}`;
const SCOPE = new URL(self.registration.scope);
const INDEX = new URL("./index.html", SCOPE).href;
const API = new URL("./api/", SCOPE).pathname;

self.addEventListener("install", (event) => {
  // cache.addAll is atomic: a failed download leaves the old version in charge.
  // `reload` bypasses the HTTP cache so a stale response is never precached.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.urls.map((url) => new Request(url, { cache: "reload" }))),
    ),
  );
  // No skipWaiting() here: an update must not swap code under an open
  // inspection. The page sends {type: "SKIP_WAITING"} when the user agrees.
});

self.addEventListener("message", (event) => {
  if (event.data?.type === "SKIP_WAITING") self.skipWaiting();
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((k) => k.startsWith("paicha-") && k !== CACHE).map((k) => caches.delete(k)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== SCOPE.origin) return; // browser default
  if (url.pathname.startsWith(API)) return; // network only: ledger data is never cached

  event.respondWith(req.mode === "navigate" ? navigate(req, url) : cacheFirst(req));
});

// Precached files are content-hashed (or versioned with this worker), so a
// cache hit is always right; anything else passes through to the network.
async function cacheFirst(req) {
  return (await caches.match(req, { cacheName: CACHE, ignoreSearch: true })) || fetch(req);
}

// The start URL gets the cached shell, so the page always matches this
// worker's assets and starts offline. Other in-scope pages go to the network
// and fall back to the shell when offline.
async function navigate(req, url) {
  const shell = () => caches.match(INDEX, { cacheName: CACHE });
  const hit = await caches.match(req, { cacheName: CACHE, ignoreSearch: true });
  if (hit) return hit;
  if (url.pathname === SCOPE.pathname) {
    const index = await shell();
    if (index) return index;
  }
  try {
    return await fetch(req);
  } catch (err) {
    const index = await shell();
    if (index) return index;
    throw err;
  }
}
