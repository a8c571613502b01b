// A new deployment must not take over an open page: the new service worker
// waits, the page is told (`paicha:update-ready`), and only the user's
// go-ahead (`paichaApplyUpdate()`) activates it and reloads.

import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { useApp, waitForServiceWorker } from "./harness.mjs";

// A private dist/ copy: the update test deploys a new version into it.
const env = useApp({ copyDist: true });

const cacheNames = (page) =>
  page.evaluate(async () => (await caches.keys()).filter((k) => k.startsWith("paicha-")).sort());

test("an update waits for the user before it activates", async () => {
  const context = await env.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${env.server.url}/`);
    await waitForServiceWorker(page);
    const [oldCache] = await cacheNames(page);
    assert.match(oldCache, /^paicha-[0-9a-f]{16}$/);

    // Deploy: same files, new precache version.
    const swPath = path.join(env.server.dist, "sw.js");
    const sw = await readFile(swPath, "utf8");
    const version = oldCache.slice("paicha-".length);
    await writeFile(swPath, sw.replace(`"version":"${version}"`, `"version":"${version}-next"`));

    await page.evaluate(() => {
      window.__samePage = true;
      window.__updateReady = new Promise((resolve) =>
        window.addEventListener("paicha:update-ready", resolve, { once: true }),
      );
    });
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    await page.evaluate(() =>
      Promise.race([
        window.__updateReady,
        new Promise((_, reject) => setTimeout(() => reject(new Error("no update-ready event")), 15_000)),
      ]),
    );

    // Installed, waiting, and the open page is untouched.
    assert.equal(await page.evaluate(() => window.__samePage), true);
    assert.equal(
      await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).waiting !== null),
      true,
    );
    assert.deepEqual(await cacheNames(page), [oldCache, `${oldCache}-next`].sort());

    // The user accepts: the new worker activates, old caches go, the page reloads.
    await Promise.all([
      page.waitForEvent("load", { timeout: 15_000 }),
      page.evaluate(() => window.paichaApplyUpdate()),
    ]);
    assert.equal(await page.evaluate(() => window.__samePage), undefined);
    await page.waitForFunction(
      async (expected) => {
        const keys = (await caches.keys()).filter((k) => k.startsWith("paicha-"));
        return keys.length === 1 && keys[0] === expected;
      },
      `${oldCache}-next`,
      { timeout: 10_000 },
    );
  } finally {
    await context.close();
  }
});
