// Backup on one device, restore on another (or after a wipe): every inspection, answer and
// bundle comes back, a second restore adds nothing, and a bad file changes nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { useApp } from "./harness.mjs";
import { addPhoto, answerItems, assertAnswers, completeAndSeal, register, startFireworksInspection } from "./app-helpers.mjs";

const env = useApp({ workDir: "paicha-backup-" });

async function storeCounts(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          const tx = db.transaction(names);
          const counts = {};
          for (const name of names) {
            const r = tx.objectStore(name).count();
            r.onsuccess = () => (counts[name] = r.result);
          }
          tx.oncomplete = () => resolve(counts);
        };
      }),
  );
}

test("back up, restore on a fresh device, restore again, reject a bad file", async () => {
  // Device A: one sealed and exported inspection, one open inspection.
  const a = await env.browser.newContext({ acceptDownloads: true });
  const pageA = await a.newPage();
  await register(pageA, env.server.url, "周九", "BK-1");
  const sealedId = await startFireworksInspection(pageA, env.server.url, "备份测试一厂");
  await answerItems(pageA, 4);
  // Photos of both hazards (one file, stored once, for both): the backup must carry them.
  for (const item of ["FW-02", "FW-04"]) await addPhoto(pageA, item);
  await completeAndSeal(pageA);
  const [bundleDownload] = await Promise.all([
    pageA.waitForEvent("download"),
    pageA.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  const openId = await startFireworksInspection(pageA, env.server.url, "备份测试二厂");
  await answerItems(pageA, 3);
  await pageA.goto(`${env.server.url}/#/storage`);
  const [backupDownload] = await Promise.all([
    pageA.waitForEvent("download"),
    pageA.getByRole("button", { name: /备份全部数据/ }).click(),
  ]);
  assert.match(backupDownload.suggestedFilename(), /^paicha-backup-\d{8}-\d{4}\.json$/);
  const backupFile = path.join(env.work, "backup.json");
  await backupDownload.saveAs(backupFile);
  const backup = JSON.parse(await readFile(backupFile, "utf8"));
  assert.equal(backup.format, "paicha-backup");
  assert.equal(backup.stores.kv.device_key, undefined, "the signing key never leaves the device");
  const countsA = await storeCounts(pageA);
  await a.close();

  // Device B: a different device (fresh profile) with its own registration.
  const b = await env.browser.newContext();
  const pageB = await b.newPage();
  await register(pageB, env.server.url, "周九", "BK-1");
  await pageB.goto(`${env.server.url}/#/storage`);
  await pageB.getByLabel(/从备份文件恢复/).setInputFiles(backupFile);
  const report = pageB.getByRole("status").filter({ hasText: /已恢复/ });
  await report.waitFor();
  const added = Number((await report.textContent()).match(/已恢复 (\d+) 条/)[1]);
  assert.ok(added > 0);
  await assertAnswers(pageB, sealedId, 4);
  await assertAnswers(pageB, openId, 3);
  await pageB.goto(`${env.server.url}/`);
  await pageB.getByText("备份测试一厂").waitFor();
  await pageB.goto(`${env.server.url}/#/outbox`);
  await pageB.getByText(bundleDownload.suggestedFilename()).waitFor();
  const countsB = await storeCounts(pageB);
  for (const store of ["inspections", "answers", "bundles", "envelopes"]) {
    assert.equal(countsB[store], countsA[store], `${store} restored in full`);
  }

  // Restoring the same file again adds nothing.
  await pageB.goto(`${env.server.url}/#/storage`);
  await pageB.getByLabel(/从备份文件恢复/).setInputFiles(backupFile);
  await pageB.getByRole("status").filter({ hasText: /已恢复 0 条记录/ }).waitFor();
  assert.deepEqual(await storeCounts(pageB), countsB);

  // A damaged file is refused with a clear message; nothing changes.
  const bad = path.join(env.work, "bad.json");
  await writeFile(bad, '{"format":"something-else"}');
  await pageB.getByLabel(/从备份文件恢复/).setInputFiles(bad);
  await pageB.getByRole("alert").filter({ hasText: /恢复失败，未写入任何数据/ }).waitFor();
  assert.deepEqual(await storeCounts(pageB), countsB);
  await b.close();
});
