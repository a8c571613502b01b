// Code loaded on demand (issue 8): only home (drawn from a stored summary) and registration
// are in the main wasm module; the data (model, persistence, device key), every other screen,
// the checklist parser and the uploader are wasm chunks fetched once the first screen is up.
// These tests cut the chunks off to prove that the first screen never needs them, that
// whatever needs one says so without storing or losing anything, and that the service
// worker keeps them for offline use.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useApp, waitForServiceWorker } from "./harness.mjs";
import { fillRegistration, register, startFireworksInspection } from "./app-helpers.mjs";

const CHUNKS = /\/paicha-lazy-[^/]*\.wasm$/;

const env = useApp();

test("registration and home need no chunk; without it nothing is stored, each screen says so, and a retry loads it", async () => {
  // No service worker here: it would answer from its cache, out of `page.route`'s sight.
  const context = await env.browser.newContext({ serviceWorkers: "block" });
  try {
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (err) => pageErrors.push(err.message));
    const refused = [];
    const refuse = () =>
      page.route(CHUNKS, (route) => {
        refused.push(new URL(route.request().url()).pathname);
        return route.abort("internetdisconnected");
      });
    const storedProfile = () =>
      page.evaluate(
        () =>
          new Promise((resolve, reject) => {
            const open = indexedDB.open("paicha");
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction("kv").objectStore("kv").get("profile");
              get.onsuccess = () => {
                open.result.close();
                resolve(get.result ?? null);
              };
            };
          }),
      );

    // First run: the registration form is in the main module. Registering needs the data's
    // code: refused, it says so, keeps what was typed and stores nothing.
    await refuse();
    await page.goto(`${env.server.url}/`);
    await fillRegistration(page, { name: "赵六", cert: "GD-0001" });
    assert.ok(refused.length > 0, "the data's chunk is fetched as soon as the first screen is up");
    await page.getByRole("button", { name: /登记/ }).click();
    await page.getByRole("alert").filter({ hasText: "本机数据的程序未能加载" }).first().waitFor();
    assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "赵六", "typed text is kept");
    assert.equal(await storedProfile(), null, "nothing was stored");

    // Reachable again: the retry reloads, and registration works.
    await page.unroute(CHUNKS);
    await page.getByRole("button", { name: "重试" }).first().click();
    await fillRegistration(page, { name: "赵六", cert: "GD-0001" });
    await page.getByRole("button", { name: /登记/ }).click();
    await page.getByLabel("设备密钥标识").waitFor();
    const keyId = await page.getByLabel("设备密钥标识").textContent();
    assert.match(keyId, /^[0-9a-f]{64}$/);

    // A registered device refused the chunk: home is drawn from the stored summary (who
    // signs, the device key) and says the data could not be loaded; a screen says so too,
    // and so does the ledger download. Nothing crashes.
    await refuse();
    await page.reload();
    await page.getByLabel("设备密钥标识").waitFor();
    assert.equal(await page.getByLabel("设备密钥标识").textContent(), keyId);
    assert.match(await page.locator("main").textContent(), /赵六（执法证号 GD-0001）/);
    await page.getByRole("alert").filter({ hasText: "本机数据的程序未能加载" }).waitFor();
    await page.getByRole("button", { name: /导出隐患台账/ }).click();
    await page.getByRole("alert").filter({ hasText: "本机数据的程序未能加载" }).nth(1).waitFor();
    await page.getByRole("link", { name: "新建检查" }).click();
    // Home (with its two alerts) gives way to the screen first; then the screen's one alert.
    await page.getByRole("region", { name: "隐患台账", exact: true }).waitFor({ state: "detached" });
    await page.getByRole("alert").filter({ hasText: "本机数据的程序未能加载" }).waitFor();
    assert.ok(await page.getByRole("button", { name: "重试" }).isVisible());
    await page.getByRole("link", { name: "返回首页" }).click();
    await page.getByLabel("设备密钥标识").waitFor();

    // Reachable again: the retry loads the screen.
    await page.getByRole("link", { name: "新建检查" }).click();
    await page.unroute(CHUNKS);
    await page.getByRole("button", { name: "重试" }).click();
    await page.getByRole("heading", { name: "新建检查" }).waitFor();
    await page.goto(`${env.server.url}/#/sites`);
    await page.getByRole("heading", { name: "被检单位" }).waitFor();
    assert.deepEqual(pageErrors, [], "a chunk that cannot load is an error shown, not a crash");
  } finally {
    await context.close();
  }
});

test("every chunk is precached: offline, a fresh tab opens every screen and records an inspection", async () => {
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    await register(page, env.server.url);
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
    await offline.goto(`${env.server.url}/`);
    await offline.getByLabel("设备密钥标识").waitFor();
    const id = await startFireworksInspection(offline, env.server.url, "离线烟花厂");
    assert.match(id, /^[0-9a-f-]{36}$/);
    for (const [hash, heading] of [
      ["#/followup", /隐患督查/],
      ["#/sites", /被检单位/],
      ["#/outbox", /外发箱/],
      ["#/storage", /本机存储/],
      ["#/profile", /个人信息/],
    ]) {
      await offline.goto(`${env.server.url}/${hash}`);
      await offline.getByRole("heading", { name: heading }).first().waitFor();
    }
  } finally {
    await context.close();
  }
});
