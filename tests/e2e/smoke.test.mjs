// Smoke test of the built PWA as served by the ledger: the page starts, the
// assets carry the right content types, and the service worker makes the
// app start offline.

import assert from "node:assert/strict";
import { test } from "node:test";
import { assetUrls, useApp, waitForServiceWorker } from "./harness.mjs";
import { checklistsStored } from "./app-helpers.mjs";

const env = useApp();

/** A page that records uncaught errors and failed console messages. */
async function openPage(context) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  return { page, errors };
}

test("the page loads and the wasm app starts", async () => {
  const context = await env.browser.newContext();
  try {
    const { page, errors } = await openPage(context);
    await page.goto(`${env.server.url}/`);
    assert.match(await page.title(), /Paicha/);
    assert.equal(await page.getAttribute("html", "lang"), "zh-CN");
    // The loader removes #loading once wasm-bindgen's init (and so `main`) succeeded.
    await page.waitForSelector("#loading", { state: "detached", timeout: 30_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("assets are served with the right content types", async () => {
  const assets = await assetUrls(env.server.url);
  const expected = [
    [`${env.server.url}/`, "text/html"],
    [assets.loaderJs, "text/javascript"],
    [assets.appJs, "text/javascript"],
    [assets.appWasm, "application/wasm"],
    [assets.stylesCss, "text/css"],
    [`${env.server.url}/sw.js`, "text/javascript"],
    [`${env.server.url}/manifest.webmanifest`, "application/manifest+json"],
    [`${env.server.url}/icons/icon-192.png`, "image/png"],
  ];
  for (const [url, type] of expected) {
    const res = await fetch(url);
    assert.equal(res.status, 200, url);
    const got = (res.headers.get("content-type") || "").split(";")[0].trim();
    assert.equal(got, type, url);
  }

  const manifest = await (await fetch(`${env.server.url}/manifest.webmanifest`)).json();
  assert.equal(manifest.short_name, "排查");
  assert.equal(manifest.start_url, "./");
  assert.ok(manifest.icons.some((i) => i.purpose === "maskable" && i.sizes === "512x512"));

  // The precache list is generated from dist/ and must name the hashed assets.
  const sw = await (await fetch(`${env.server.url}/sw.js`)).text();
  assert.ok(!sw.includes("/*__PRECACHE__*/"), "sw.js still has the template marker");
  for (const url of [assets.appJs, assets.appWasm, assets.loaderJs, assets.stylesCss]) {
    assert.ok(sw.includes(`"./${new URL(url).pathname.slice(1)}"`), `sw.js precaches ${url}`);
  }
});

test("the service worker precaches the shell and the app starts offline", async () => {
  const context = await env.browser.newContext();
  try {
    const { page, errors } = await openPage(context);
    await page.goto(`${env.server.url}/`);
    await waitForServiceWorker(page);
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith("paicha-")));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    assert.ok(cached.includes("/index.html"), `cache holds ${cached}`);
    assert.ok(cached.some((p) => p.endsWith(".wasm")), `cache holds ${cached}`);
    // Only the offline start is under test: the first run's pack download must be done.
    await checklistsStored(page);

    await context.setOffline(true);
    await page.reload();
    assert.match(await page.title(), /Paicha/);
    await page.waitForSelector("#loading", { state: "detached", timeout: 30_000 });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the wasm goes brotli-compressed to clients that accept it and decodes to the same bytes", async () => {
  const { appWasm } = await assetUrls(env.server.url);
  const plain = await fetch(appWasm, { headers: { "accept-encoding": "identity" } });
  assert.equal(plain.headers.get("content-encoding"), null);
  assert.equal(plain.headers.get("vary"), "Accept-Encoding");
  const plainBytes = Buffer.from(await plain.arrayBuffer());
  const compressed = await fetch(appWasm, { headers: { "accept-encoding": "gzip, br" } });
  assert.equal(compressed.headers.get("content-encoding"), "br");
  assert.equal(compressed.headers.get("content-type"), "application/wasm");
  // fetch decodes the body; it must be the very same module.
  assert.deepEqual(Buffer.from(await compressed.arrayBuffer()), plainBytes);
});
