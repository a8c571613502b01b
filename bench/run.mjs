// The app benchmarks in headless Chromium (system Chromium through playwright-core, launched
// as tests/e2e/harness.mjs does), against the release ledger serving dist/. Prints one
// Markdown table (with the app-shell sizes and the ledger's import figures passed in by
// scripts/bench) and writes target/bench/latest.{json,md}.
//
//   node bench/run.mjs [--runs N] [--saves N] [--size FILE] [--import FILE] [--only load,save,export]
//   node bench/run.mjs --table     # the last run's table again, from target/bench/latest.json
//
// Parts: load (cold load and warm offline start against a static baseline), save (one answer
// with 10 and 1,010 findings stored; IndexedDB put alone), export (100 / 1,000 findings and 50
// photos, with peak memory). Findings are seeded by bench/seed.mjs; see docs/performance.md.
//
// Progress goes to stderr. Benchmarks print figures; nothing here fails on a slow result.

import { execFileSync } from "node:child_process";
import { copyFile, cp, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DIST, ROOT, assetUrls, launchBrowser, startServer, tempDir, waitForServiceWorker } from "../tests/e2e/harness.mjs";
import { register, savedShown } from "../tests/e2e/app-helpers.mjs";
import { readBundleDownload } from "../tests/e2e/archive-helpers.mjs";
import {
  CPU_SLOWDOWN, SLOW_4G, brotliProxy, fmtMiB, fmtMs, fmtRatio, installProbe, interactive, log, median, probeScript,
  procMemory, quantile, rendererPid, resetPeakRss, snapshotHtml, staticServiceWorker, throttle, warmProxy,
} from "./lib.mjs";
import { INSPECTOR, OPEN_ANSWERS, SEALED_ANSWERS, makeTemplates, seededContext } from "./seed.mjs";

// ---------------------------------------------------------------------------------------------
// Options

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const RUNS = Number(opt("runs", process.env.PAICHA_BENCH_RUNS || 5));
const SAVES = Number(opt("saves", process.env.PAICHA_BENCH_SAVES || 60));
const SIZE_FILE = opt("size", null);
const IMPORT_FILE = opt("import", null);
const ONLY = new Set((opt("only", "load,save,export") || "").split(","));
const OUT = path.join(ROOT, "target", "bench");
const SAVE_WARMUP = 5;
const HEAP_INTERVAL_MS = 10;
if (!(RUNS >= 1) || !(SAVES >= 5)) throw new Error("--runs must be >= 1 and --saves >= 5");
for (const part of ONLY) {
  if (!["load", "save", "export"].includes(part)) throw new Error(`--only: unknown part "${part}" (load, save, export)`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const range = (n) => Array.from({ length: n }, (_, i) => i);
const pad = (i) => String(i).padStart(2, "0");

// ---------------------------------------------------------------------------------------------
// Static baseline: the same screens as plain HTML + the app's stylesheet, no JS.

async function buildStaticSite(browser, url, dist, templatesPromiseFactory) {
  const dir = await tempDir("paicha-bench-static-");
  // Registration screen, from a first run of the app.
  const context = await browser.newContext();
  await context.addInitScript(probeScript);
  const page = await context.newPage();
  await page.goto(`${url}/`);
  const first = await interactive(page);
  if (first.what !== "register") throw new Error(`a first run shows ${first.what}, not the registration form`);
  const registerHtml = await snapshotHtml(page);
  await context.close();
  let homeHtml;
  const templates = await templatesPromiseFactory(async (p) => {
    await p.getByRole("link", { name: /新建检查/ }).waitFor();
    homeHtml = await snapshotHtml(p);
  });
  const css = registerHtml.match(/<link\b[^>]*rel="stylesheet"[^>]*href="\.\/([^"]+)"/);
  if (!css) throw new Error("the registration screen has no stylesheet link");
  await copyFile(path.join(dist, css[1]), path.join(dir, css[1]));
  await writeFile(path.join(dir, "index.html"), registerHtml);
  await writeFile(path.join(dir, "home.html"), homeHtml);
  await writeFile(path.join(dir, "static-sw.js"), staticServiceWorker(["index.html", "home.html", css[1]]));
  return { dir, templates, bytes: { register: registerHtml.length, home: homeHtml.length } };
}

// ---------------------------------------------------------------------------------------------
// 2. Cold load and warm offline start

/** Fresh context, Slow 4G + CPU 4x, first visit: ms from navigation start to interactive. */
async function coldLoad(browser, url, expect) {
  const context = await browser.newContext();
  const probe = await installProbe(context);
  const page = await context.newPage();
  await throttle(context, page);
  probe.reset(page);
  await page.goto(`${url}/`, { waitUntil: "commit", timeout: 120_000 });
  const r = await probe.next(page, "interactive");
  const resources = await page.evaluate(() =>
    [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")].map((e) => ({
      name: e.name.replace(location.origin, ""),
      bytes: e.transferSize || 0,
      end: Math.round(e.responseEnd),
    })),
  );
  await context.close();
  if (r.what !== expect) throw new Error(`cold load ended on ${r.what}, expected ${expect}`);
  return { ms: r.ms, bytes: resources.reduce((n, e) => n + e.bytes, 0), resources };
}

/**
 * Warm offline start of several pages side by side: for each, `setup` (which leaves a
 * controlling service worker), then CPU 4x and offline; then `runs` reloads of each,
 * interleaved so that a busy moment of the machine hits all of them alike. Returns, per page,
 * `samples` (ms to interactive) and `data` (ms to the app's data-ready mark, for pages set
 * up with `dataReady`; empty for the others).
 */
const WARM_UP_RELOADS = 2;

async function warmOffline(browser, setups, expect, runs) {
  const pages = [];
  for (const { setup, dataReady } of setups) {
    const context = await browser.newContext();
    const probe = await installProbe(context);
    const page = await context.newPage();
    await setup(page);
    await throttle(context, page, { network: null });
    await context.setOffline(true);
    pages.push({ context, probe, page, samples: [], data: [], dataReady });
  }
  try {
    // The first reloads after going offline still fill V8's code caches (the wasm is cached
    // only after it has been compiled and seen again): not yet the warm start being measured.
    for (let i = 0; i < WARM_UP_RELOADS + runs; i++) {
      for (const p of pages) {
        p.probe.reset(p.page);
        await p.page.reload({ waitUntil: "commit" });
        const r = await p.probe.next(p.page, "interactive");
        if (r.what !== expect) throw new Error(`warm offline start ended on ${r.what}, expected ${expect}`);
        // The app's first screen is drawn from a stored summary; the data behind it (what
        // every other screen needs) follows: its time is reported too.
        const data = p.dataReady ? await p.probe.next(p.page, "dataReady") : null;
        if (i >= WARM_UP_RELOADS) {
          p.samples.push(r.ms);
          if (data !== null) p.data.push(data);
        }
      }
    }
  } finally {
    for (const p of pages) await p.context.close();
  }
  return pages.map((p) => ({ samples: p.samples, data: p.data }));
}

async function loadBench(browser, app, stat) {
  const res = { cold: { app: [], static: [] }, coldBr: { app: [], static: [] }, warm: {} };
  log(`cold load x${RUNS} (app and static, interleaved; Slow 4G, CPU ${CPU_SLOWDOWN}x)`);
  for (let i = 0; i < RUNS; i++) {
    res.cold.app.push(await coldLoad(browser, app.url, "register"));
    res.cold.static.push(await coldLoad(browser, stat.url, "register"));
    log(`  run ${i + 1}: app ${fmtMs(res.cold.app.at(-1).ms)} ms, static ${fmtMs(res.cold.static.at(-1).ms)} ms`);
  }
  const appBr = await brotliProxy(app.url);
  const statBr = await brotliProxy(stat.url);
  try {
    // Compress once before measuring (quality 11 takes a while for the wasm): a real proxy
    // would serve precompressed files.
    const assets = Object.values(await assetUrls(appBr.url)).map((u) => new URL(u).pathname);
    await warmProxy(appBr.url, ["/", "/index.html", "/sw.js", "/api/checklists", "/checklists/pack.json", ...assets]);
    await warmProxy(statBr.url, ["/", "/index.html", "/home.html"]);
    log(`cold load x${RUNS} through a brotli proxy`);
    for (let i = 0; i < RUNS; i++) {
      res.coldBr.app.push(await coldLoad(browser, appBr.url, "register"));
      res.coldBr.static.push(await coldLoad(browser, statBr.url, "register"));
      log(`  run ${i + 1}: app ${fmtMs(res.coldBr.app.at(-1).ms)} ms, static ${fmtMs(res.coldBr.static.at(-1).ms)} ms`);
    }
  } finally {
    await appBr.close();
    await statBr.close();
  }
  const reloads = 2 * RUNS;
  log(`warm offline start x${reloads} (registered app on its home screen vs static home page, interleaved)`);
  const [appWarm, staticWarm] = await warmOffline(
    browser,
    [
      {
        dataReady: true,
        setup: async (page) => {
          await register(page, app.url, INSPECTOR.name, INSPECTOR.cert);
          await page.getByRole("link", { name: /新建检查/ }).waitFor();
          await waitForServiceWorker(page);
        },
      },
      {
        setup: async (page) => {
          await page.goto(`${stat.url}/home.html`);
          await page.evaluate(() => navigator.serviceWorker.register("./static-sw.js", { scope: "./" }));
          await waitForServiceWorker(page);
        },
      },
    ],
    "home",
    reloads,
  );
  res.warm.app = appWarm.samples;
  res.warm.appData = appWarm.data;
  res.warm.static = staticWarm.samples;
  log(`  app ${res.warm.app.map(fmtMs).join(", ")} ms (data ready ${res.warm.appData.map(fmtMs).join(", ")} ms); static ${res.warm.static.map(fmtMs).join(", ")} ms`);
  return res;
}

// ---------------------------------------------------------------------------------------------
// 3. Saving one answer

/** In the page: toggles `item` between 符合 and 不适用; ms from click to "✓ 已保存" in the DOM. */
function oneSave(item) {
  const group = [...document.querySelectorAll('[role="radiogroup"]')].find((g) =>
    (g.getAttribute("aria-label") || "").startsWith(`${item} `),
  );
  if (!group) throw new Error(`no radiogroup for ${item}`);
  const inputs = [...group.querySelectorAll('input[type="radio"]')];
  const label = (i) => i.closest("label")?.textContent.trim() ?? "";
  const compliant = inputs.find((i) => label(i).startsWith("符合"));
  const na = inputs.find((i) => label(i).startsWith("不适用"));
  if (!compliant || !na) throw new Error(`${item}: verdicts not found`);
  const target = compliant.checked ? na : compliant;
  // The save indicator (not the update banner, which is a status too).
  const status = () =>
    [...document.querySelectorAll('[role="status"]')].find((e) => /^(✓ 已保存|保存中|✗ 未保存)/.test(e.textContent.trim()));
  const text = () => status()?.textContent.trim() ?? "";
  if (!text().startsWith("✓ 已保存")) throw new Error(`not saved before the click: "${text()}"`);
  return new Promise((resolve, reject) => {
    let left = false;
    const observer = new MutationObserver(() => {
      if (!text().startsWith("✓ 已保存")) {
        left = true;
        if (text().startsWith("✗")) reject(new Error(text()));
        return;
      }
      if (!left) return;
      const dom = performance.now() - t0;
      observer.disconnect();
      clearTimeout(timer);
      requestAnimationFrame(() => resolve({ dom, frame: performance.now() - t0 }));
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    const timer = setTimeout(() => {
      observer.disconnect();
      reject(new Error(`no "✓ 已保存" within 10 s (now "${text()}")`));
    }, 10_000);
    const t0 = performance.now();
    target.click();
  });
}

/** In the page: strict-durability `put` of one record, each in its own transaction. */
async function idbPuts({ answerText, recordText, n, answers, inspections }) {
  const name = "paicha-bench-idb";
  const drop = () =>
    new Promise((r) => {
      const d = indexedDB.deleteDatabase(name);
      d.onsuccess = d.onerror = d.onblocked = r;
    });
  await drop();
  const db = await new Promise((resolve, reject) => {
    const o = indexedDB.open(name, 1);
    o.onupgradeneeded = () => {
      o.result.createObjectStore("answers");
      o.result.createObjectStore("inspections");
    };
    o.onsuccess = () => resolve(o.result);
    o.onerror = () => reject(o.error);
  });
  const done = (tx) =>
    new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  const fill = db.transaction(["answers", "inspections"], "readwrite");
  for (let i = 0; i < answers; i++) fill.objectStore("answers").put(answerText, `i${Math.floor(i / 20)}/FW-${i % 20}`);
  for (let i = 0; i < inspections; i++) fill.objectStore("inspections").put(recordText, `i${i}`);
  await done(fill);
  const time = async (store, text, key) => {
    const xs = [];
    for (let k = 0; k < n; k++) {
      const t0 = performance.now();
      const tx = db.transaction([store], "readwrite", { durability: "strict" });
      tx.objectStore(store).put(text, key);
      await done(tx);
      xs.push(performance.now() - t0);
    }
    return xs;
  };
  const answer = await time("answers", answerText, "open/FW-01");
  const record = await time("inspections", recordText, "open");
  db.close();
  await drop();
  return { answer, record };
}

async function saveBench(browser, url, templates) {
  const res = {};
  for (const sealed of [0, 50]) {
    const findings = sealed * SEALED_ANSWERS + OPEN_ANSWERS;
    log(`save latency with ${findings} findings stored (${sealed} sealed x ${SEALED_ANSWERS} + open ${OPEN_ANSWERS}), ${SAVES} saves`);
    const sets = [];
    if (sealed) sets.push({ template: templates.sealed, names: range(sealed).map((i) => `基准单位-已签章-${pad(i)}`) });
    sets.push({ template: templates.open, names: ["基准单位-进行中"] });
    const { context, page, ids } = await seededContext(browser, url, sets);
    try {
      const openId = ids.at(-1)[0];
      await page.goto(`${url}/#/inspection/${openId}`);
      await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
      const answered = await page.getByRole("radiogroup").locator('input[type="radio"]:checked').count();
      if (answered !== OPEN_ANSWERS) throw new Error(`the open inspection shows ${answered} answers, seeded ${OPEN_ANSWERS}`);
      await savedShown(page);
      const dom = [];
      const frame = [];
      for (let i = 0; i < SAVE_WARMUP + SAVES; i++) {
        const item = ["FW-01", "FW-03", "FW-05", "FW-07", "FW-09"][i % 5];
        const t = await page.evaluate(oneSave, item);
        if (i >= SAVE_WARMUP) {
          dom.push(t.dom);
          frame.push(t.frame);
        }
      }
      res[findings] = { findings, sealed, dom, frame };
      log(`  median ${fmtMs(median(dom))} ms, p95 ${fmtMs(quantile(dom, 0.95))} ms (next frame: median ${fmtMs(median(frame))} ms)`);
      if (sealed) {
        log(`IndexedDB put alone (strict durability), ${SAVES} each, next to ${sealed * SEALED_ANSWERS} records`);
        res.idb = await page.evaluate(idbPuts, {
          answerText: templates.open.answerText,
          recordText: templates.open.recordText,
          n: SAVES,
          answers: sealed * SEALED_ANSWERS,
          inspections: sealed + 1,
        });
        res.idb.answerChars = templates.open.answerText.length;
        res.idb.recordChars = templates.open.recordText.length;
        log(`  one answer record: median ${fmtMs(median(res.idb.answer))} ms; whole inspection record: median ${fmtMs(median(res.idb.record))} ms`);
      }
    } finally {
      await context.close();
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// 4. + 6. Export and sign, peak memory

async function exportOnce(page, cdp, prefix, expected, { memory = false, photos = 0, pid = null } = {}) {
  const boxes = page.getByRole("checkbox", { name: new RegExp(`^${prefix}-\\d+ `) });
  const count = await boxes.count();
  if (count * SEALED_ANSWERS !== expected) throw new Error(`${count} inspections named ${prefix}-* to export`);
  for (const box of await boxes.all()) await box.check();
  const button = page.getByRole("button", { name: /签名并导出所选/ });
  await button.waitFor();
  let sampler;
  const heap = [];
  let heapBefore = null;
  let wasmBefore = null;
  const rss = { before: null, reset: false, samples: [], peak: null };
  if (memory) {
    await cdp.send("HeapProfiler.collectGarbage");
    // Runtime.getHeapUsage is answered by V8 even while the page runs a long task (Blink's
    // Performance.getMetrics waits for the task to end, and an export is one or a few tasks).
    const metric = async () => (await cdp.send("Runtime.getHeapUsage")).usedSize;
    heapBefore = await metric();
    wasmBefore = await page.evaluate(() => window.__benchWasmMemory?.buffer.byteLength ?? null);
    if (pid) {
      rss.before = procMemory(pid).rss;
      rss.reset = resetPeakRss(pid);
    }
    let stop = false;
    const loop = (async () => {
      while (!stop) {
        const t = performance.now();
        if (pid) rss.samples.push(procMemory(pid).rss);
        heap.push(await metric());
        await sleep(Math.max(0, HEAP_INTERVAL_MS - (performance.now() - t)));
      }
    })();
    sampler = async () => {
      stop = true;
      await loop;
    };
  }
  const download = page.waitForEvent("download", { timeout: 120_000 });
  const t0 = performance.now();
  await page.evaluate(() => {
    window.__benchDownloadAt = null;
    const b = [...document.querySelectorAll("button")].find((b) => b.textContent.includes("签名并导出所选"));
    window.__benchClickAt = performance.now();
    b.click();
  });
  const file = await download;
  const ms = performance.now() - t0;
  if (sampler) {
    await sampler();
    if (pid) {
      const now = procMemory(pid);
      // VmHWM is exact when it could be reset before the export; else the sampled maximum.
      rss.peak = rss.reset ? now.hwm : Math.max(now.rss, ...rss.samples);
    }
    // One more at the download event: an export is often shorter than the sampling interval.
    heap.push((await cdp.send("Runtime.getHeapUsage")).usedSize);
  }
  const inPage = await page.evaluate(() =>
    window.__benchDownloadAt == null ? null : window.__benchDownloadAt - window.__benchClickAt,
  );
  const wasmAfter = memory ? await page.evaluate(() => window.__benchWasmMemory?.buffer.byteLength ?? null) : null;
  // The file must hold what was asked for: every answer of every selected inspection.
  // A bundle with photos downloads as its transfer archive (.zip), the others as .json.
  const downloaded = await file.path();
  const { payload } = await readBundleDownload(downloaded);
  const fileBytes = (await stat(downloaded)).size;
  const findings = payload.inspections.reduce((n, i) => n + Object.keys(i.answers).length, 0);
  if (findings !== expected) throw new Error(`the exported bundle has ${findings} findings, expected ${expected}`);
  const attachments = payload.attachments?.length ?? 0;
  if (photos && attachments !== photos) throw new Error(`the exported bundle has ${attachments} photos, expected ${photos}`);
  await page.getByRole("checkbox", { name: new RegExp(`^${prefix}-\\d+ `) }).first().waitFor({ state: "detached" });
  return { ms, inPage, bytes: fileBytes, attachments, heap, heapBefore, wasmBefore, wasmAfter, rss };
}

async function exportBench(browser, url, templates) {
  const res = { e100: [], e1000: [], p50: [], photoBytes: [], p50Inspections: 0 };
  const photos = templates.photoFields > 0;
  const photoInspections = photos ? Math.ceil(50 / templates.photoFields) : 0;
  res.p50Inspections = photoInspections;
  log(`export + sign x${RUNS} (100 and 1,000 findings${photos ? ", 50 photos" : ""}; fresh context each run)`);
  for (let r = 0; r < RUNS; r++) {
    const sets = [
      { template: templates.sealed, names: range(5).map((i) => `E100-r${r}-${pad(i)}`) },
      { template: templates.sealed, names: range(50).map((i) => `E1000-r${r}-${pad(i)}`) },
    ];
    // 50 photos of their own: as many inspections as it takes with the template's photo fields
    // (only retail-point items take photos since checklist 2026.12.1).
    if (photos) sets.push({ template: templates.sealed, names: range(photoInspections).map((i) => `P50-r${r}-${pad(i)}`), distinctPhotos: true });
    const { context, page, photos: seeded } = await seededContext(browser, url, sets, {
      contextOptions: { acceptDownloads: true },
      initScript: probeScript,
    });
    try {
      const cdp = await context.newCDPSession(page);
      await page.goto(`${url}/#/outbox`);
      await page.getByRole("button", { name: /签名并导出所选/ }).waitFor();
      let pid = null;
      try {
        pid = await rendererPid(browser, page);
        procMemory(pid);
      } catch (e) {
        if (r === 0) log(`  renderer process memory not available: ${e.message}`);
        pid = null;
      }
      res.e100.push(await exportOnce(page, cdp, `E100-r${r}`, 100));
      await sleep(1000); // the upload attempt that follows each export
      res.e1000.push(await exportOnce(page, cdp, `E1000-r${r}`, 1000, { memory: true, pid }));
      const a = res.e100.at(-1);
      const b = res.e1000.at(-1);
      let line =
        `  run ${r + 1}: 100 findings ${fmtMs(a.ms)} ms (in page ${fmtMs(a.inPage)}), 1,000 findings ${fmtMs(b.ms)} ms ` +
        `(in page ${fmtMs(b.inPage)}), ${(b.bytes / 1024).toFixed(0)} KiB file, JS heap peak ${fmtMiB(Math.max(...b.heap))}`;
      if (photos) {
        if (seeded[2].count !== 50) throw new Error(`seeded ${seeded[2].count} photos, expected 50`);
        res.photoBytes.push(seeded[2].bytes);
        await sleep(1000);
        res.p50.push(await exportOnce(page, cdp, `P50-r${r}`, photoInspections * SEALED_ANSWERS, { memory: true, photos: 50, pid }));
        const c = res.p50.at(-1);
        line +=
          `; 50 photos ${fmtMs(c.ms)} ms (in page ${fmtMs(c.inPage)}), ${(c.bytes / 1048576).toFixed(1)} MiB file, ` +
          `JS heap peak ${fmtMiB(Math.max(...c.heap))} (${c.heap.length} samples), wasm ${fmtMiB(c.wasmBefore)} → ${fmtMiB(c.wasmAfter)}, ` +
          `renderer RSS ${fmtMiB(c.rss.before)} → peak ${fmtMiB(c.rss.peak)}`;
      }
      log(line);
    } finally {
      await context.close();
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Sizes and the ledger's import benchmark (run by scripts/bench, passed in as files)

async function readSizes() {
  if (!SIZE_FILE) return null;
  const text = await readFile(SIZE_FILE, "utf8");
  const rows = {};
  for (const line of text.split("\n")) {
    const m = line.match(/^(\S.*?)\s{2,}(\d+)\s+(\d+)\s+(\d+)\s*$/);
    if (m) rows[m[1]] = { raw: +m[2], gzip: +m[3], br: +m[4] };
  }
  const pick = (re) => Object.entries(rows).filter(([k]) => re.test(k));
  const sum = (list) =>
    list.reduce((a, [, v]) => ({ raw: a.raw + v.raw, gzip: a.gzip + v.gzip, br: a.br + v.br }), { raw: 0, gzip: 0, br: 0 });
  const out = {
    html: sum(pick(/\.html$/)),
    js: sum(pick(/\.js$/)),
    jsFiles: pick(/\.js$/).map(([k]) => k),
    // The chunks loaded on demand are listed too; they are not part of the shell.
    wasm: sum(pick(/^(?!paicha-lazy-).*\.wasm$/)),
    css: sum(pick(/\.css$/)),
    shell: rows[Object.keys(rows).find((k) => k.startsWith("app shell"))],
    onDemand: rows[Object.keys(rows).find((k) => k.startsWith("on demand"))],
    checklists: rows[Object.keys(rows).find((k) => k.startsWith("checklists"))],
  };
  if (!out.shell) throw new Error(`no "app shell" line in ${SIZE_FILE}:\n${text}`);
  return out;
}

async function readImport() {
  if (!IMPORT_FILE) return { lines: [], note: "not run" };
  const text = (await readFile(IMPORT_FILE, "utf8")).trim();
  const lines = text.split("\n").filter(Boolean);
  if (text.startsWith("n/a")) return { lines: [], note: text };
  const num = (re) => {
    const m = text.match(re);
    return m ? { bundles: +m[1], findings: +m[2] } : null;
  };
  return {
    lines,
    import: num(/SQLite\s+import\s+([\d.]+) bundles\/s\s+([\d.]+) findings\/s/),
    raw: num(/SQLite\s+raw\s+([\d.]+) bundles\/s\s+([\d.]+) findings\/s/),
  };
}

// ---------------------------------------------------------------------------------------------
// The table

const KiB = (b) => `${(b / 1024).toFixed(1)} KiB`;
const sizeCell = (s) => (s ? `${KiB(s.raw)} / ${KiB(s.gzip)} / **${KiB(s.br)}**` : "n/a");
const verdict = (ok) => (ok === null ? "—" : ok ? "pass" : "**miss**");

function table(r) {
  const rows = [];
  const add = (metric, target, measured, baseline, ok = null) => rows.push([metric, target, measured, baseline, verdict(ok)]);
  const s = r.sizes;
  if (s) {
    add("1 html (raw / gzip / brotli)", "", sizeCell(s.html), "", null);
    add(`1 js (${s.jsFiles.length} files: loader, wasm-bindgen glue, chunk loader)`, "", sizeCell(s.js), "", null);
    add("1 wasm (main module)", "", sizeCell(s.wasm), "", null);
    add("1 css", "", sizeCell(s.css), "", null);
    add(
      "1 **app shell** (html + js + wasm + css)",
      "≤ 120 KiB brotli",
      sizeCell(s.shell),
      `${fmtRatio(s.shell.br / (120 * 1024))} of budget; minimal Leptos counter ≈ 49 KB br, ODK Web Forms ≈ 1.1 MB (issue 8)`,
      s.shell.br <= 120 * 1024,
    );
    if (s.onDemand) {
      add(
        "1 on demand: wasm chunks of the other screens (precached, not in the shell)",
        "",
        sizeCell(s.onDemand),
        `shell + chunks ${KiB(s.shell.br + s.onDemand.br)} brotli`,
        null,
      );
    }
    add("1 checklist data (`checklists/`)", "", sizeCell(s.checklists), "fetched once, then cached", null);
  } else add("1 app shell", "≤ 120 KiB brotli", "n/a (no size file)", "", null);

  if (r.load) {
    const l = r.load;
    const c = (list) => median(list.map((x) => x.ms));
    const kb = (list) => `${(median(list.map((x) => x.bytes)) / 1024).toFixed(0)} KiB`;
    add(
      `2 cold load → interactive (Slow 4G, CPU ${CPU_SLOWDOWN}x, ledger, uncompressed)`,
      "report",
      `${fmtMs(c(l.cold.app))} ms, ${kb(l.cold.app)} transferred`,
      `static ${fmtMs(c(l.cold.static))} ms (${kb(l.cold.static)}) → **${fmtRatio(c(l.cold.app) / c(l.cold.static))}**`,
      null,
    );
    add(
      "2 cold load → interactive, brotli (Node proxy in front of the ledger)",
      "report",
      `${fmtMs(c(l.coldBr.app))} ms, ${kb(l.coldBr.app)} transferred`,
      `static ${fmtMs(c(l.coldBr.static))} ms (${kb(l.coldBr.static)}) → **${fmtRatio(c(l.coldBr.app) / c(l.coldBr.static))}**`,
      null,
    );
    const wa = median(l.warm.app);
    const ws = median(l.warm.static);
    add(
      `2 warm offline start → interactive (CPU ${CPU_SLOWDOWN}x, offline, service worker)`,
      "≤ 2x static",
      `${fmtMs(wa)} ms`,
      `static ${fmtMs(ws)} ms → **${fmtRatio(wa / ws)}**`,
      wa / ws <= 2,
    );
    if (l.warm.appData?.length) {
      const wd = median(l.warm.appData);
      add(
        `2 warm offline start → data ready (every screen can open; CPU ${CPU_SLOWDOWN}x)`,
        "report",
        `${fmtMs(wd)} ms`,
        `static ${fmtMs(ws)} ms → ${fmtRatio(wd / ws)}; home is drawn from its stored summary before this`,
        null,
      );
    }
  }

  if (r.save) {
    const lo = r.save[OPEN_ANSWERS];
    const hi = r.save[50 * SEALED_ANSWERS + OPEN_ANSWERS];
    const cell = (x) => `median ${fmtMs(median(x.dom))} ms, p95 ${fmtMs(quantile(x.dom, 0.95))} ms`;
    add(`3 save one answer, ${lo.findings.toLocaleString("en")} findings stored (click → "✓ 已保存")`, "flat", cell(lo), "", null);
    add(
      `3 save one answer, ${hi.findings.toLocaleString("en")} findings stored (click → "✓ 已保存")`,
      "p95 ≤ 5 ms",
      cell(hi),
      `median ${fmtRatio(median(hi.dom) / median(lo.dom))} of the ${lo.findings}-finding case; next frame after it: median ${fmtMs(median(hi.frame))} ms`,
      quantile(hi.dom, 0.95) <= 5,
    );
    const idb = r.save.idb;
    if (idb) {
      add(
        `3 IndexedDB put alone, one answer record (${idb.answerChars} chars, strict)`,
        "",
        `median ${fmtMs(median(idb.answer))} ms, p95 ${fmtMs(quantile(idb.answer, 0.95))} ms`,
        "separate DB beside 1,000 records",
        null,
      );
      add(
        `3 IndexedDB put alone, ${r.layout === "whole-record" ? "whole open inspection" : "inspection header"} (${idb.recordChars} chars, strict)`,
        "",
        `median ${fmtMs(median(idb.record))} ms, p95 ${fmtMs(quantile(idb.record, 0.95))} ms`,
        r.layout === "whole-record" ? "what the app writes per answer today" : "the header, written when the inspection itself changes",
        null,
      );
    }
  }

  if (r.export) {
    const e = r.export;
    const m = (list, k = "ms") => median(list.map((x) => x[k]));
    add(
      "4 export + sign, 100 findings (click → download event)",
      "",
      `${fmtMs(m(e.e100))} ms`,
      `in page (click → download anchor) ${fmtMs(m(e.e100, "inPage"))} ms`,
      null,
    );
    add(
      "4 export + sign, 1,000 findings (click → download event)",
      "≤ 150 ms",
      `${fmtMs(m(e.e1000))} ms`,
      `in page ${fmtMs(m(e.e1000, "inPage"))} ms; file ${(median(e.e1000.map((x) => x.bytes)) / 1024).toFixed(0)} KiB`,
      m(e.e1000) <= 150,
    );
  }
  if (r.export?.p50.length) {
    const p = r.export.p50;
    const m = (k) => median(p.map((x) => x[k]));
    add(
      `4 export + sign, 50 photos (${r.export.p50Inspections} inspections, ${r.export.p50Inspections * SEALED_ANSWERS} findings; click → download event)`,
      "",
      `${fmtMs(m("ms"))} ms`,
      `in page ${fmtMs(m("inPage"))} ms; photos ${(median(r.export.photoBytes) / 50 / 1024).toFixed(0)} KiB each ` +
        `(1600×1200 JPEG q0.8, synthetic); file ${fmtMiB(m("bytes"))}`,
      null,
    );
  } else {
    add("4 export + sign, 50 photos", "", r.export ? "n/a (no photo support yet)" : "not run", "", null);
  }

  const imp = r.import;
  if (imp?.import) {
    add(
      "5 ledger verify + import, SQLite (`import_bench`, 500 bundles x 20)",
      "≥ 5,000 findings/s",
      `${imp.import.findings.toLocaleString("en")} findings/s (${imp.import.bundles} bundles/s)`,
      imp.raw ? `raw INSERTs ${imp.raw.findings.toLocaleString("en")} findings/s → ${fmtRatio(imp.import.findings / imp.raw.findings)}` : "",
      imp.import.findings >= 5000,
    );
  } else add("5 ledger verify + import", "≥ 5,000 findings/s", `n/a (${imp?.note || "import_bench output not recognised"})`, "", null);

  if (r.export) {
    const mem = (list, what) => {
      const heap = median(list.map((x) => Math.max(...x.heap)));
      const wasm = median(list.map((x) => x.wasmAfter));
      const rssPeak = median(list.map((x) => x.rss.peak));
      const rssBefore = median(list.map((x) => x.rss.before));
      const method = list[0].rss.reset ? "VmHWM" : "max VmRSS sampled";
      add(
        `6 peak memory, ${what}`,
        "report",
        (Number.isFinite(rssPeak) ? `renderer process peak RSS **${fmtMiB(rssPeak)}** (+${fmtMiB(rssPeak - rssBefore)}, ${method}); ` : "") +
          `JS heap ${fmtMiB(heap)}; wasm memory ${fmtMiB(wasm)}`,
        (Number.isFinite(rssPeak) ? `RSS before ${fmtMiB(rssBefore)}; ` : "") +
          `JS heap before ${fmtMiB(median(list.map((x) => x.heapBefore)))} (after GC); wasm before ${fmtMiB(median(list.map((x) => x.wasmBefore)))}`,
        null,
      );
    };
    mem(r.export.e1000, "1,000-finding export");
    if (r.export.p50.length) mem(r.export.p50, "50-photo export");
  }

  const head = ["metric", "target", "measured", "baseline / ratio", "result"];
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

// ---------------------------------------------------------------------------------------------

function gitState() {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain"], { cwd: ROOT, encoding: "utf8" }).trim();
    return dirty ? `git ${head} + uncommitted changes` : `git ${head}`;
  } catch {
    return "no git";
  }
}

/** Registers in a fresh context and hands the page to `onRegistered` (no templates). */
async function registerOnly(browser, url, onRegistered) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await register(page, url, INSPECTOR.name, INSPECTOR.cert);
    await onRegistered(page);
    return null;
  } finally {
    await context.close();
  }
}

function render(result) {
  const md = [
    `Paicha benchmarks, ${result.date.slice(0, 16).replace("T", " ")} UTC, ${result.machine} ` +
      `(1-min load average ${result.loadStart.toFixed(1)} at start, ${result.loadEnd.toFixed(1)} at the end: other work on the machine skews timings), ` +
      `Chromium ${result.chromium}; ` +
      `app build ${result.build} (${result.git}); ` +
      `medians of ${result.runs} runs (cold loads, exports; fresh context each), ${2 * result.runs} warm reloads and ${result.saves} saves; ` +
      `storage layout "${result.layout}".`,
    `Slow 4G = Chrome DevTools preset: ${result.network.latency} ms latency, ${((result.network.downloadThroughput * 8) / 1e6).toFixed(2)} Mbit/s down, ` +
      `${((result.network.uploadThroughput * 8) / 1e3).toFixed(0)} kbit/s up; CPU throttling ${result.cpuSlowdown}x (page only) for loads; ` +
      "saves and exports at the machine's own speed.",
    "",
    table(result),
  ];
  if (result.import.lines.length) md.push("", "Ledger `import_bench` output:", "", ...result.import.lines.map((l) => `    ${l}`));
  return md.join("\n");
}

async function main() {
  if (args.includes("--table")) {
    // Re-prints the table of the last run (e.g. after changing its wording).
    process.stdout.write(`${render(JSON.parse(await readFile(path.join(OUT, "latest.json"), "utf8")))}\n`);
    return;
  }
  const started = performance.now();
  const result = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "?"}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`,
    loadStart: os.loadavg()[0],
    runs: RUNS,
    saves: SAVES,
    network: SLOW_4G,
    cpuSlowdown: CPU_SLOWDOWN,
    sizes: await readSizes(),
    import: await readImport(),
  };
  // A private copy of dist/: a build running meanwhile must not change the app under test.
  const dist = await tempDir("paicha-bench-dist-");
  await cp(DIST, dist, { recursive: true });
  result.build = (await readFile(path.join(dist, "sw.js"), "utf8")).match(/"version":\s*"([0-9a-f]+)"/)?.[1] ?? "?";
  result.git = gitState();
  const app = await startServer({ dist });
  const browser = await launchBrowser();
  result.chromium = browser.version();
  let stat;
  let staticSite;
  try {
    log(`app ${app.url}; making the seeding templates and the static baseline through the UI`);
    // Loads need only the registered home screen; the seeding templates (an inspection made
    // and sealed through the UI) only saves and exports.
    const seeding = ONLY.has("save") || ONLY.has("export");
    staticSite = await buildStaticSite(browser, app.url, dist, (onRegistered) =>
      seeding ? makeTemplates(browser, app.url, { onRegistered }) : registerOnly(browser, app.url, onRegistered),
    );
    const templates = staticSite.templates ?? { layout: "not read (--only load)", photoFields: 0 };
    result.layout = templates.layout;
    log(`storage layout: ${templates.layout}; static baseline pages ${JSON.stringify(staticSite.bytes)} chars`);
    stat = await startServer({ dist: staticSite.dir });
    if (ONLY.has("load")) result.load = await loadBench(browser, app, stat);
    result.photoFields = templates.photoFields;
    if (ONLY.has("save")) result.save = await saveBench(browser, app.url, templates);
    if (ONLY.has("export")) result.export = await exportBench(browser, app.url, templates);
  } finally {
    await browser.close();
    await app.stop();
    await stat?.stop();
    if (staticSite) await rm(staticSite.dir, { recursive: true, force: true });
    await rm(dist, { recursive: true, force: true });
  }
  result.seconds = (performance.now() - started) / 1000;
  result.loadEnd = os.loadavg()[0];
  const text = render(result);
  await mkdir(OUT, { recursive: true });
  await writeFile(path.join(OUT, "latest.json"), JSON.stringify(result, null, 1));
  await writeFile(path.join(OUT, "latest.md"), `${text}\n`);
  log(`done in ${result.seconds.toFixed(0)} s; target/bench/latest.{md,json}`);
  process.stdout.write(`\n${text}\n`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
