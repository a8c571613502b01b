// Shared pieces of the benchmarks: statistics, CDP throttling, the in-page "interactive"
// probe, the static baseline site, and a brotli proxy. Benchmarks print figures; nothing here
// asserts a timing.

import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import { constants as zc, brotliCompressSync } from "node:zlib";

/** Chrome DevTools' "Slow 4G" preset (front_end/core/sdk/NetworkManager.ts, Slow4GConditions;
 * called "Fast 3G" before May 2024): 150 ms target RTT x 3.75, 1.6 Mbit/s x 0.9 down,
 * 750 kbit/s x 0.9 up. Lighthouse's mobile "slow 4G" uses the same numbers. */
export const SLOW_4G = {
  offline: false,
  latency: 150 * 3.75, // 562.5 ms added to every request
  downloadThroughput: (1.6 * 1000 * 1000) / 8 * 0.9, // 180,000 B/s = 1.44 Mbit/s
  uploadThroughput: (750 * 1000) / 8 * 0.9, // 84,375 B/s = 675 kbit/s
};
export const CPU_SLOWDOWN = 4;

export function median(xs) {
  return quantile(xs.filter((x) => x != null), 0.5);
}

/** Linear-interpolated quantile (q in [0, 1]) of a non-empty list. */
export function quantile(xs, q) {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

export function log(...args) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(" ")}\n`);
}

/** A CDP session on the page with CPU throttling and, unless `network` is null, Slow 4G. */
export async function throttle(context, page, { network = SLOW_4G, cpu = CPU_SLOWDOWN } = {}) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  if (network) await cdp.send("Network.emulateNetworkConditions", network);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpu });
  return cdp;
}

/**
 * Init script: from the first frame on, checks every animation frame whether the page is
 * interactive and records `performance.now()` (ms since navigation start) in
 * `window.__benchInteractive`. Interactive = the registration form's name field
 * (label "检查人员姓名") or the home screen's "新建检查" link is visible and enabled. The same
 * probe runs on the static baseline pages, which carry the same elements.
 * Also captures the wasm instance's memory (for the memory figures) and the time of the
 * download anchor's click (in-page end of an export).
 */
export function probeScript() {
  const find = () => {
    for (const label of document.querySelectorAll("label")) {
      if (label.textContent.trim().startsWith("检查人员姓名")) {
        const input = label.control || document.getElementById(label.htmlFor);
        if (input) return { el: input, what: "register" };
      }
    }
    for (const a of document.querySelectorAll("a")) {
      if (a.textContent.trim().startsWith("新建检查")) return { el: a, what: "home" };
    }
    return null;
  };
  const ready = ({ el }) => {
    const r = el.getBoundingClientRect();
    const visible = el.checkVisibility
      ? el.checkVisibility({ opacityProperty: true, visibilityProperty: true })
      : el.offsetParent !== null;
    return visible && r.width > 0 && r.height > 0 && !el.disabled && !el.closest("[inert]");
  };
  // Through the binding `installProbe` exposes, where there is one; `interactive` polls for
  // the window property otherwise.
  const report = (kind, value) => {
    if (typeof window.__benchReport === "function") window.__benchReport(JSON.stringify({ kind, value }));
  };
  window.__benchInteractive = null;
  const tick = () => {
    const found = find();
    if (found && ready(found)) {
      window.__benchInteractive = { ms: performance.now(), what: found.what };
      report("interactive", window.__benchInteractive);
      return;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  // The app's mark for "the data is loaded, every screen can open" (src/data.rs).
  new PerformanceObserver((list) => {
    for (const mark of list.getEntries()) if (mark.name === "paicha-data-ready") report("dataReady", mark.startTime);
  }).observe({ type: "mark", buffered: true });

  // The wasm module's linear memory, whichever instantiate function wasm-bindgen uses.
  const keep = (result) => {
    const instance = result?.instance ?? result;
    const memory = instance?.exports?.memory;
    if (memory instanceof WebAssembly.Memory) window.__benchWasmMemory = memory;
    return result;
  };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) WebAssembly.instantiateStreaming = (...a) => streaming.apply(WebAssembly, a).then(keep);
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = (...a) => instantiate.apply(WebAssembly, a).then(keep);

  // exports call `anchor.click()` on a detached <a download>: the in-page end of an export.
  const click = HTMLAnchorElement.prototype.click;
  HTMLAnchorElement.prototype.click = function () {
    if (this.download) window.__benchDownloadAt = performance.now();
    return click.call(this);
  };
}

/**
 * Installs the probe in `context` and returns `{ reset(page), next(page, kind) }`: `reset`
 * before a navigation, then `next` resolves with what the probe reports for that load
 * (`"interactive"`: {ms, what}; `"dataReady"`: ms of the app's data-ready mark).
 *
 * For timed loads. The probe reports through a binding (CDP `Runtime.addBinding`) instead of
 * being polled: `page.waitForFunction` injects Playwright's helper script into the page right
 * after the navigation commits, about 40 ms of main-thread work at CPU 4x that landed on the
 * app's start-up path (before its modules ran) but after the static page's first frame, and
 * so weighed on the app's side of every ratio.
 */
export async function installProbe(context) {
  // Per page, what its current load has reported, by kind.
  const reports = new WeakMap();
  const of = (page) => {
    if (!reports.has(page)) reports.set(page, new Map());
    return reports.get(page);
  };
  const waiters = new Set();
  await context.exposeBinding("__benchReport", ({ page }, json) => {
    const { kind, value } = JSON.parse(json);
    if (!of(page).has(kind)) of(page).set(kind, value);
    for (const w of [...waiters]) w();
  });
  await context.addInitScript(probeScript);
  return {
    reset(page) {
      reports.set(page, new Map());
    },
    next(page, kind, timeout = 120_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!of(page).has(kind)) return false;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(of(page).get(kind));
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the probe reported no "${kind}" within ${timeout} ms`));
        }, timeout);
        if (!check()) waiters.add(check);
      });
    },
  };
}

/** Waits until the probe has fired (polling the page: not for timed loads, see
 * `installProbe`); returns {ms, what}. */
export async function interactive(page, timeout = 120_000) {
  const handle = await page.waitForFunction(() => window.__benchInteractive, null, { timeout, polling: 50 });
  return handle.jsonValue();
}

/**
 * The rendered screen as plain HTML: scripts, module/wasm preloads, manifest and icons
 * removed, the stylesheet kept. Used as the static baseline "of similar content".
 */
export async function snapshotHtml(page) {
  const html = await page.evaluate(() => "<!doctype html>\n" + document.documentElement.outerHTML);
  const stripped = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, "")
    .replace(/<link\b[^>]*rel="(?:modulepreload|preload|manifest|icon|apple-touch-icon)"[^>]*>/gi, "")
    .replace(/<!--[\s\S]*?-->/g, "");
  if (/<script/i.test(stripped)) throw new Error("static snapshot still has a script");
  return stripped;
}

/** Service worker of the static baseline: precaches the pages and the stylesheet, cache-first. */
export function staticServiceWorker(files) {
  return `// Static baseline: cache-first, like the app's worker.
const CACHE = "static-baseline";
const URLS = ${JSON.stringify(["./", ...files.map((f) => `./${f}`)])};
self.addEventListener("install", (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(URLS)).then(() => self.skipWaiting())));
self.addEventListener("activate", (e) => e.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (e) => {
  if (e.request.method !== "GET") return;
  e.respondWith(caches.match(e.request, { cacheName: CACHE, ignoreSearch: true }).then((r) => r || fetch(e.request)));
});
`;
}

const COMPRESSIBLE = /^(text\/|application\/(wasm|json|javascript|manifest\+json|toml))/;

/**
 * An HTTP proxy in front of `target` that brotli-compresses (quality 11, cached) what a
 * compressing reverse proxy would: the ledger itself sends everything uncompressed.
 * Resolves to {url, close()}.
 */
export function brotliProxy(target) {
  const cache = new Map();
  const server = http.createServer((req, res) => {
    const up = http.request(
      `${target}${req.url}`,
      { method: req.method, headers: { ...req.headers, host: new URL(target).host, "accept-encoding": "identity" } },
      (upRes) => {
        const chunks = [];
        upRes.on("data", (c) => chunks.push(c));
        upRes.on("end", () => {
          const body = Buffer.concat(chunks);
          const headers = { ...upRes.headers };
          const type = headers["content-type"] || "";
          const wantsBr = /\bbr\b/.test(req.headers["accept-encoding"] || "");
          if (wantsBr && upRes.statusCode === 200 && COMPRESSIBLE.test(type) && body.length > 256) {
            const key = `${req.url}\0${body.length}\0${headers.etag || ""}`;
            let br = cache.get(key);
            if (!br) {
              br = brotliCompressSync(body, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } });
              cache.set(key, br);
            }
            headers["content-encoding"] = "br";
            headers["content-length"] = String(br.length);
            headers.vary = "Accept-Encoding";
            res.writeHead(upRes.statusCode, headers);
            res.end(br);
          } else {
            res.writeHead(upRes.statusCode, headers);
            res.end(body);
          }
        });
      },
    );
    up.on("error", (e) => {
      res.writeHead(502);
      res.end(String(e));
    });
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => server.close(r)),
      }),
    ),
  );
}

/** Requests `paths` through a brotli proxy once, so that their compressed bodies are cached. */
export async function warmProxy(url, paths) {
  for (const p of paths) {
    await new Promise((resolve, reject) =>
      http
        .get(`${url}${p}`, { headers: { "accept-encoding": "br" } }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
        .on("error", reject),
    );
  }
}

/** The pid of the renderer process that shows `page` (from a short trace's frame list). */
export async function rendererPid(browser, page) {
  await browser.startTracing(page, { categories: ["devtools.timeline"] });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(r)));
  const trace = JSON.parse((await browser.stopTracing()).toString("utf8"));
  // The renderer main thread with the most events in a trace of this page.
  const mains = new Set(
    trace.traceEvents.filter((e) => e.name === "thread_name" && e.args?.name === "CrRendererMain").map((e) => e.pid),
  );
  const counts = new Map();
  for (const e of trace.traceEvents) if (mains.has(e.pid)) counts.set(e.pid, (counts.get(e.pid) ?? 0) + 1);
  const [pid] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
  if (!pid) throw new Error("no renderer main thread in the trace");
  return pid;
}

/** Linux /proc figures of a process, in bytes: {rss, hwm} (hwm: peak RSS since the last reset). */
export function procMemory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name) => Number(status.match(new RegExp(`${name}:\\s+(\\d+) kB`))?.[1]) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

/** Resets the process's peak RSS (VmHWM) to its current RSS; false if not permitted. */
export function resetPeakRss(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

export const fmtMs = (x) => (Number.isFinite(x) ? (x >= 100 ? x.toFixed(0) : x.toFixed(1)) : "n/a");
export const fmtRatio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "n/a");
export const fmtMiB = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 1048576).toFixed(1)} MiB` : "n/a");
