// The outbox: a bundle exported offline waits, is refused while the device is not enrolled,
// is uploaded after enrolment (into the inspector's account) and a retry, its photo after it,
// and a second upload is reported as already received.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runLedger, useApp } from "./harness.mjs";
import { addAccount, enrolKey, localhostUrl } from "./access-helpers.mjs";
import { readBundleDownload } from "./archive-helpers.mjs";
import { addPhoto, completeAndSeal, fillCoInspector, fillOrder, fillRegistration } from "./app-helpers.mjs";

const env = useApp({ workDir: "paicha-outbox-" });

test("export offline, upload when online, refuse until enrolled, then accept once", async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  // The ledger checks the signature of each photo's upload over its public origin, localhost.
  await page.goto(`${localhostUrl(env.server)}/`);
  await fillRegistration(page, { name: "王五", cert: "EX-2026-7" });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill("外发箱测试烟花厂");
  await page.getByLabel("统一社会信用代码").fill("91440300708461136T");
  await fillCoInspector(page);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("radiogroup", { name: /^FW-07 / }).getByLabel(/重大隐患/).check();
  const description = "防雷接地装置检测报告过期，引下线锈断";
  await page.getByLabel("FW-07 隐患描述").fill(description);
  await fillOrder(page, "FW-07", { major: true });
  await addPhoto(page, "FW-07");
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
  await completeAndSeal(page);

  // Offline: signing and saving work; the bundle waits in the outbox.
  await context.setOffline(true);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  // With a photo, the download is the transfer archive: the bundle file and the photo.
  assert.match(download.suggestedFilename(), /^paicha-91440300708461136T-\d{8}-000001\.zip$/);
  const archive = path.join(env.work, download.suggestedFilename());
  await download.saveAs(archive);
  const bundle = await readBundleDownload(archive);
  assert.equal(bundle.blobs.size, 1);
  const file = path.join(env.work, "bundle.json");
  await writeFile(file, bundle.text);
  await page.getByRole("link", { name: /上传状态/ }).click();
  const entry = page.getByRole("listitem", { name: new RegExp(download.suggestedFilename()) });
  await entry.getByText(/待上传/).waitFor();

  // Online: it is sent at once; the ledger does not know this device yet. The bundle waits (it
  // is not "refused"), the inspector reads why in their language, with no operator's command
  // and no 64-digit key id, and the outbox still fits a phone.
  await context.setOffline(false);
  await entry.getByText(/尚未在台账登记，登记后自动上传/).waitFor();
  const waiting = await entry.textContent();
  assert.doesNotMatch(waiting, /keys add|[0-9a-f]{64}/);
  assert.equal(await entry.getByRole("button", { name: /重新上传/ }).count(), 0, "not a refusal");
  await page.setViewportSize({ width: 360, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the outbox is ${overflow}px wider than a 360px screen`);

  // The ledger operator creates the inspector's account and enrols the device from the bundle
  // file into it. The bundle would go by itself within a minute; the inspector, told of the
  // enrolment, taps 立即上传.
  const account = await addAccount(env.server, "王五", ["inspector@13"]);
  await enrolKey(env.server, file, account.id);
  await page.getByRole("button", { name: /立即上传/ }).click();
  await entry.getByText(/已上传/).waitFor();
  await entry.getByText(/照片 1 \/ 1 已送达/).waitFor();

  // The same bytes again are recognised, not imported twice, and nothing is missing.
  const envelope = await readFile(file, "utf8");
  const second = await page.evaluate(async (body) => {
    const r = await fetch("api/bundles", { method: "POST", body, headers: { "Content-Type": "application/json" } });
    return { status: r.status, body: await r.json() };
  }, envelope);
  assert.equal(second.status, 200);
  assert.equal(second.body.status, "already_imported");
  assert.deepEqual(second.body.missing_blobs ?? [], []);

  // The finding is on the ledger's hazard list.
  const csv = await runLedger(["export", "hazards", "--format", "csv"], { dataDir: env.server.dataDir });
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, new RegExp(description));
  assert.match(csv.stdout, /外发箱测试烟花厂/);
  await context.close();
});
