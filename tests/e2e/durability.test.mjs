// Nothing acknowledged is lost: reloads, closed tabs, a killed browser, offline use, an app
// update mid-inspection, two tabs, and data from the previous storage schema. Each case
// counts the answers afterwards.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { chromium } from "playwright-core";
import { BROWSER_ENV, CHROMIUM, CHROMIUM_ARGS, ROOT, tempDir, useApp, waitForServiceWorker } from "./harness.mjs";
import { readBundleDownload } from "./archive-helpers.mjs";
import {
  hazardDescription,
  addPhoto,
  answerItems,
  assertAnswers,
  completeAndSeal,
  countAnswersOnScreen,
  register,
  savedShown,
  seedStorage,
  startFireworksInspection,
  storedInspection,
} from "./app-helpers.mjs";

// A private dist/ copy: the update test deploys a new version into it.
const env = useApp({ copyDist: true });

test("reload mid-inspection, then close the tab and reopen it", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await register(page, env.server.url);
  const id = await startFireworksInspection(page, env.server.url, "重载测试单位");
  await answerItems(page, 6);
  await page.reload();
  assert.equal(await countAnswersOnScreen(page), 6);
  assert.equal(await page.getByLabel("FW-04 隐患描述").inputValue(), hazardDescription("FW-04"));
  await page.close();
  const again = await context.newPage();
  await again.goto(`${env.server.url}/#/inspection/${id}`);
  assert.equal(await countAnswersOnScreen(again), 6);
  await assertAnswers(again, id, 6);
  await context.close();
});

/** Chromium as our own child process (so it can be SIGKILLed), driven over CDP. */
async function launchOwnChromium(profile) {
  await rm(path.join(profile, "DevToolsActivePort"), { force: true });
  const child = spawn(CHROMIUM, [...CHROMIUM_ARGS, `--user-data-dir=${profile}`, "--remote-debugging-port=0", "about:blank"], {
    stdio: "ignore",
    env: BROWSER_ENV,
  });
  let port;
  for (let i = 0; i < 100 && !port; i++) {
    await new Promise((r) => setTimeout(r, 100));
    port = await readFile(path.join(profile, "DevToolsActivePort"), "utf8").then((t) => t.split("\n")[0], () => undefined);
  }
  assert.ok(port, "Chromium wrote its DevTools port");
  const cdp = await chromium.connectOverCDP(`http://127.0.0.1:${port}`);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return { child, cdp, exited, context: cdp.contexts()[0] };
}

test("the browser is killed with SIGKILL right after 'saved'; a relaunch has every answer", async () => {
  const profile = await tempDir("paicha-profile-");
  try {
    const first = await launchOwnChromium(profile);
    const page = await first.context.newPage();
    await register(page, env.server.url);
    const id = await startFireworksInspection(page, env.server.url, "断电测试单位");
    await answerItems(page, 8);
    first.child.kill("SIGKILL");
    await first.exited;

    const second = await launchOwnChromium(profile);
    const again = await second.context.newPage();
    await again.goto(`${env.server.url}/#/inspection/${id}`);
    assert.equal(await countAnswersOnScreen(again), 8);
    await assertAnswers(again, id, 8);
    await second.cdp.close();
    second.child.kill("SIGKILL");
    await second.exited;
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
});

test("offline: reload, and a whole inspection from start to signed export", async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await register(page, env.server.url);
  await waitForServiceWorker(page);
  await context.setOffline(true);
  await page.reload();
  await page.getByRole("link", { name: /新建检查/ }).waitFor();
  const id = await startFireworksInspection(page, env.server.url, "离线测试单位");
  await answerItems(page, 19);
  await page.reload();
  assert.equal(await countAnswersOnScreen(page), 19);
  // A photo of every hazard, taken offline and stored on the device.
  for (let n = 2; n <= 19; n += 2) await addPhoto(page, `FW-${String(n).padStart(2, "0")}`);
  await completeAndSeal(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  // The transfer archive: the bundle and the one photo it names beside it.
  assert.match(download.suggestedFilename(), /\.zip$/);
  const { payload, blobs } = await readBundleDownload(await download.path());
  assert.equal(Object.keys(payload.inspections[0].answers).length, 19);
  // One photo file on nine findings: stored once, named once, in the archive once.
  assert.equal(payload.attachments.length, 1);
  assert.equal(blobs.size, 1);
  await assertAnswers(page, id, 19);
  await context.close();
});

test("an app update during an open inspection waits for the user and loses nothing", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await register(page, env.server.url);
  await waitForServiceWorker(page);
  const id = await startFireworksInspection(page, env.server.url, "更新测试单位");
  await answerItems(page, 4);

  const swPath = path.join(env.server.dist, "sw.js");
  const sw = await readFile(swPath, "utf8");
  await writeFile(swPath, sw.replace(/"version":"([0-9a-f]+)"/, '"version":"$1-next"'));
  try {
    await page.evaluate(async () => (await navigator.serviceWorker.getRegistration()).update());
    const banner = page.getByRole("status").filter({ hasText: "新版本已下载" });
    await banner.waitFor();
    // Still the same inspection, still editable, nothing reloaded under the inspector.
    await answerItems(page, 5);
    await Promise.all([page.waitForEvent("load"), banner.getByRole("button", { name: /立即更新/ }).click()]);
    assert.equal(await countAnswersOnScreen(page), 5);
    await assertAnswers(page, id, 5);
  } finally {
    await writeFile(swPath, sw);
    await context.close();
  }
});

test("two tabs: only one edits; taking over stops the other", async () => {
  const context = await env.browser.newContext();
  const a = await context.newPage();
  await register(a, env.server.url);
  const id = await startFireworksInspection(a, env.server.url, "双标签测试单位");
  await answerItems(a, 2);

  const b = await context.newPage();
  await b.goto(`${env.server.url}/#/inspection/${id}`);
  await b.getByRole("alert").filter({ hasText: "已在其他标签页中打开" }).waitFor();
  assert.equal(await b.getByRole("radiogroup").count(), 0, "the second tab cannot edit");

  await b.getByRole("button", { name: /在此标签页中使用/ }).click();
  assert.equal(await countAnswersOnScreen(b), 2);
  await a.getByText("此页已停止编辑").waitFor();
  assert.equal(await a.getByRole("radiogroup").count(), 0, "the first tab stopped editing");
  await answerItems(b, 3);
  await assertAnswers(b, id, 3);
  await context.close();
});

for (const version of [1, 2]) test(`data stored by schema v${version} opens after the upgrade to the current schema`, async () => {
  const fixture = JSON.parse(await readFile(path.join(ROOT, `tests/fixtures/storage-v${version}.json`), "utf8"));
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await seedStorage(page, env.server.url, fixture);
  await page.goto(`${env.server.url}/`);
  await page.getByText("迁移测试烟花厂").waitFor();
  const id = Object.keys(fixture.stores.inspections)[0];
  const expected = Object.keys(JSON.parse(fixture.stores.inspections[id]).answers).length;
  await assertAnswers(page, id, expected);
  const stores = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("paicha");
        open.onsuccess = () => resolve({ version: open.result.version, stores: [...open.result.objectStoreNames] });
      }),
  );
  assert.equal(stores.version, 7);
  assert.ok(stores.stores.includes("pulled"));
  assert.ok(stores.stores.includes("envelopes"));
  assert.ok(stores.stores.includes("checklists"));
  assert.ok(stores.stores.includes("answers"));
  assert.ok(stores.stores.includes("photos"));
  // The old record is rewritten in the v3 layout: a header plus one record per answer.
  for (let i = 0; i < 50 && (await storedInspection(page, id)).headerAnswers > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await storedInspection(page, id)).headerAnswers, 0);
  await assertAnswers(page, id, expected);
  // Bundles keyed by sequence (v2) are re-keyed by bundle id, content unchanged.
  for (const [oldKey, value] of Object.entries(fixture.stores.bundles ?? {})) {
    const bundle = JSON.parse(value);
    const stored = await page.evaluate(
      (id) =>
        new Promise((resolve) => {
          const open = indexedDB.open("paicha");
          open.onsuccess = () => {
            const tx = open.result.transaction(["bundles", "envelopes"]);
            const keys = tx.objectStore("bundles").getAllKeys();
            const record = tx.objectStore("bundles").get(id);
            const envelope = tx.objectStore("envelopes").get(id);
            tx.oncomplete = () =>
              resolve({ keys: keys.result, record: record.result, envelope: envelope.result });
          };
        }),
      bundle.bundle_id,
    );
    assert.deepEqual(stored.keys, [bundle.bundle_id], `bundle ${oldKey} re-keyed`);
    // v6: its envelope moved to a store of its own, byte for byte, out of the record that
    // every start reads.
    assert.equal(stored.envelope, bundle.envelope_json, `bundle ${oldKey}'s envelope kept verbatim`);
    const record = JSON.parse(stored.record); // records are stored as JSON text
    assert.equal(record.file_name, bundle.file_name);
    assert.ok(!("envelope_json" in record), "the record no longer holds the envelope");
    await page.goto(`${env.server.url}/#/outbox`);
    await page.getByText(bundle.file_name).waitFor();
  }
  // Stores of these schemas kept no copy of the checklist version the inspection was started
  // with, and the shipped pack has moved on: the inspection cannot be continued here, and the
  // screen says which version is missing and that nothing is lost; its record still opens.
  const ref = JSON.parse(fixture.stores.inspections[id]).checklist;
  await page.goto(`${env.server.url}/#/inspection/${id}`);
  const alert = page.getByRole("alert").filter({ hasText: /不在本机/ });
  await alert.waitFor();
  const message = await alert.textContent();
  assert.ok(message.includes(`${ref.id} v${ref.version}`), message);
  assert.ok(message.includes(ref.content_hash.slice(0, 12)), message);
  assert.match(message, /检查记录已保存，没有丢失/);
  await page.getByRole("link", { name: /查看现场检查记录/ }).click();
  await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
  assert.match(await page.getByRole("article").textContent(), /迁移测试烟花厂/);
  await assertAnswers(page, id, expected);
  await context.close();
});

test("text hostile to HTML is shown literally", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss();
  });
  await register(page, env.server.url, "<b>钱七</b>");
  const hostile = "<img src=x onerror=alert(1)>";
  await startFireworksInspection(page, env.server.url, hostile);
  const group = page.getByRole("radiogroup", { name: /^FW-02 / });
  await group.getByLabel(/重大隐患/).check();
  await page.getByLabel("FW-02 隐患描述").fill(hostile);
  await savedShown(page);
  await page.reload();
  await page.getByRole("heading", { name: hostile }).waitFor();
  assert.equal(await page.getByLabel("FW-02 隐患描述").inputValue(), hostile);
  await page.goto(`${env.server.url}/`);
  await page.getByText("<b>钱七</b>（执法证号").waitFor();
  assert.equal(await page.locator("img[src=x]").count(), 0);
  assert.deepEqual(dialogs, []);
  await context.close();
});

test("storage full: the failed write is named, nothing is claimed saved, nothing stored is lost", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await register(page, env.server.url);
  const id = await startFireworksInspection(page, env.server.url, "存储满测试单位");
  await answerItems(page, 3);

  // The quota is simulated (Chromium's CDP quota override is not available for these
  // contexts): records larger than the "free space" fail as a full disk makes IndexedDB fail.
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    window.__freeBytes = 100_000;
    IDBObjectStore.prototype.put = function (value, key) {
      if (typeof value === "string" && value.length > window.__freeBytes) {
        throw new DOMException("simulated full disk", "QuotaExceededError");
      }
      return put.call(this, value, key);
    };
  });
  const group = page.getByRole("radiogroup", { name: /^FW-04 / });
  await group.getByLabel(/重大隐患/).check();
  await savedShown(page); // choosing the verdict is small and still fits
  const big = randomBytes(600_000).toString("base64");
  await page.getByLabel("FW-04 隐患描述").fill(big);
  const status = page.getByRole("status").filter({ hasText: /未保存/ });
  await status.waitFor();
  assert.match(await status.textContent(), /存储空间已满/);
  assert.equal(await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).count(), 0);
  // What was stored before is intact; the text that did not fit is not in storage.
  await assertAnswers(page, id, 4);
  assert.equal((await storedInspection(page, id)).answers["FW-04"].description, "");

  // Space is freed; the inspector retries and the pending change is stored.
  await page.evaluate(() => (window.__freeBytes = Infinity));
  await page.getByRole("button", { name: /重试保存/ }).click();
  await savedShown(page);
  await assertAnswers(page, id, 4);
  assert.equal((await storedInspection(page, id)).answers["FW-04"].description, big);
  await context.close();
});
