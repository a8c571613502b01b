// A newer app version upgrading the IndexedDB schema must not be blocked by a tab still
// running the old one: the old tab closes its connection and reloads.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useApp } from "./harness.mjs";
import { register } from "./app-helpers.mjs";

const env = useApp();

test("an open tab yields its database connection to a schema upgrade", async () => {
  const context = await env.browser.newContext();
  try {
    const app = await context.newPage();
    await register(app, env.server.url);
    const reloaded = app.waitForEvent("framenavigated", { timeout: 15_000 });

    // Another page of the same origin asks for a higher schema version, as a newer app
    // build would. Without the app's `versionchange` handler this stays blocked.
    const other = await context.newPage();
    await other.goto(`${env.server.url}/manifest.webmanifest`);
    const current = await app.evaluate(
      () =>
        new Promise((resolve) => {
          const r = indexedDB.open("paicha");
          r.onsuccess = () => {
            resolve(r.result.version);
            r.result.close();
          };
        }),
    );
    const outcome = await other.evaluate(
      (version) =>
        new Promise((resolve) => {
          const r = indexedDB.open("paicha", version + 1);
          let blocked = false;
          r.onblocked = () => (blocked = true);
          r.onsuccess = () => {
            const stores = [...r.result.objectStoreNames];
            r.result.close();
            resolve({ ok: true, blocked, stores });
          };
          r.onerror = () => resolve({ ok: false, error: String(r.error) });
          setTimeout(() => resolve({ ok: false, error: "still blocked after 10 s" }), 10_000);
        }),
      current,
    );
    assert.equal(outcome.ok, true, outcome.error);
    // The upgrade kept every store of the current schema (nothing was dropped).
    for (const store of ["kv", "inspections", "answers", "bundles", "photos", "sites", "envelopes"]) {
      assert.ok(outcome.stores.includes(store), `store ${store} survives`);
    }
    // The old tab reloaded instead of holding on to a stale connection.
    await reloaded;
  } finally {
    await context.close();
  }
});
