// Code loaded on demand (issue 8): only home and registration are in the main wasm module;
// every other screen, the checklist parser and the uploader are wasm chunks fetched when first
// needed. These tests cut the chunks off to prove that the first screen never needs them,
// that a screen whose chunk cannot be fetched says so without losing anything, and that
// the service worker keeps them for offline use.

import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { launchBrowser, startServer, waitForServiceWorker } from "./harness.mjs";
import { register, startFireworksInspection } from "./app-helpers.mjs";

const CHUNKS = /\/paicha-lazy-[^/]*\.wasm$/;

let server;
let browser;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test("registration and home need no chunk; a screen whose chunk is unreachable says so and works after a retry", async () => {
  // No service worker here: it would answer from its cache, out of `page.route`'s sight.
  const context = await browser.newContext({ serviceWorkers: "block" });
  try {
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const refused = [];
    await page.route(CHUNKS, (route) => {
      refused.push(new URL(route.request().url()).pathname);
      return route.abort("internetdisconnected");
    });

    await register(page, server.url);
    await page.getByRole("link", { name: "新建检查" }).waitFor();
    assert.ok(
      refused.length > 0,
      "the chunks are fetched ahead of need once the first screen is up (and were refused)",
    );

    // A screen in a chunk: a clear message, the way home, and no crash.
    await page.getByRole("link", { name: "新建检查" }).click();
    await page.getByRole("alert").filter({ hasText: "此页面的程序未能加载" }).waitFor();
    assert.ok(await page.getByRole("button", { name: "重试" }).isVisible());

    // Home still works, and so does what it holds: the profile is still registered.
    await page.getByRole("link", { name: "返回首页" }).click();
    await page.getByLabel("设备密钥标识").waitFor();
    await page.getByRole("button", { name: /导出隐患台账/ }).click();
    await page.getByRole("alert").filter({ hasText: "程序未能加载" }).waitFor();

    // Reachable again: the retry loads the screen.
    await page.getByRole("link", { name: "新建检查" }).click();
    await page.getByRole("alert").filter({ hasText: "此页面的程序未能加载" }).waitFor();
    await page.unroute(CHUNKS);
    await page.getByRole("button", { name: "重试" }).click();
    await page.getByRole("heading", { name: "新建检查" }).waitFor();
    // A failed fetch is not remembered: the next screen opened fetches the chunk again.
    await page.goto(`${server.url}/#/sites`);
    await page.getByRole("heading", { name: "被检单位" }).waitFor();
    assert.deepEqual(pageErrors, [], "a chunk that cannot load is an error shown, not a crash");
  } finally {
    await context.close();
  }
});

test("every chunk is precached: offline, a fresh tab opens every screen and records an inspection", async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await register(page, server.url);
    await waitForServiceWorker(page);
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith("paicha-")));
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    const chunks = cached.filter((p) => CHUNKS.test(p));
    assert.ok(chunks.length >= 2, `the cache holds the chunks: ${cached}`);

    // A new tab started offline has loaded no chunk yet: each comes from the cache.
    await context.setOffline(true);
    await page.close();
    const offline = await context.newPage();
    await offline.goto(`${server.url}/`);
    await offline.getByLabel("设备密钥标识").waitFor();
    const id = await startFireworksInspection(offline, server.url, "离线烟花厂");
    assert.match(id, /^[0-9a-f-]{36}$/);
    for (const [hash, heading] of [
      ["#/followup", /隐患督查/],
      ["#/sites", /被检单位/],
      ["#/outbox", /外发箱/],
      ["#/storage", /本机存储/],
      ["#/profile", /个人信息/],
    ]) {
      await offline.goto(`${server.url}/${hash}`);
      await offline.getByRole("heading", { name: heading }).first().waitFor();
    }
  } finally {
    await context.close();
  }
});
