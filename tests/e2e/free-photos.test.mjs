// Photos of uploaded inspections: kept until the ledger confirms them, then kept (the default)
// or freed from the device by the setting on 本机存储. A freed photo is shown as held by the
// ledger, its .zip is refused saying why (the signed file alone is still offered), and a
// backup says it left it out; with the setting off nothing is freed until "free now".

import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "./harness.mjs";
import { addAccount, enrolKey, localhostUrl } from "./access-helpers.mjs";
import { storeKeys } from "./app-helpers.mjs";
import { hazardWithPhotos, sealAndExport, until } from "./photo-helpers.mjs";
import { readBundleDownload } from "./archive-helpers.mjs";

const env = useApp({ workDir: "paicha-free-photos-" });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers, records a major hazard on FW-07 with two photos, seals and downloads the export
 * offline, and enrols the device from the archive. Returns the inspection id, the download's
 * name and the photos' hashes.
 */
async function sealedWithPhotos(page, context, { name, cert, site }) {
  await hazardWithPhotos(env.server, page, { name, cert, site, photos: 2 });
  const { file, name: download, id } = await sealAndExport(page, context, env.work);
  const bundle = await readBundleDownload(file);
  const account = await addAccount(env.server, name, ["inspector@13"]);
  await enrolKey(env.server, file, account.id);
  return { id, name: download, hashes: [...bundle.blobs.keys()] };
}

/** Goes online and uploads from the outbox until the bundle and both photos are delivered. */
async function upload(page, context, name) {
  await context.setOffline(false);
  await page.goto(`${localhostUrl(env.server)}/#/outbox`);
  const entry = page.getByRole("listitem", { name: new RegExp(name.replace(/\./g, "\\.")) });
  await page.getByRole("button", { name: /立即上传/ }).click();
  await entry.getByText(/^已上传/).waitFor({ timeout: 60_000 });
  await entry.getByText(/照片 2 \/ 2 已送达/).waitFor();
}

const photosLeft = async (page, hashes) => (await storeKeys(page, "photos")).filter((k) => hashes.includes(k));

test("with the setting on, delivered photos are freed and every place that reads them says so", async () => {
  const started = Date.now();
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  const { id, name, hashes } = await sealedWithPhotos(page, context, { name: "周八", cert: "EX-2026-FREE", site: "释放照片烟花厂" });
  assert.equal(hashes.length, 2);

  // The setting, chosen before the upload; not delivered yet, so nothing goes.
  await page.goto(`${localhostUrl(env.server)}/#/storage`);
  const setting = page.getByLabel("照片送达台账后从本机释放");
  assert.equal(await setting.isChecked(), false, "keep is the default");
  await setting.check();
  await until(async () => (await storeKeys(page, "kv")).includes("settings"), "the setting stored");
  await sleep(300);
  assert.deepEqual((await photosLeft(page, hashes)).sort(), [...hashes].sort(), "kept until delivered");

  await upload(page, context, name);
  await until(async () => (await photosLeft(page, hashes)).length === 0, "the photos freed");

  // The record shows where the photos are.
  await page.goto(`${localhostUrl(env.server)}/#/record/${id}`);
  const placeholders = page.getByRole("img", { name: /照片已送达台账，本机已释放/ });
  await until(async () => (await placeholders.count()) === 2, "two placeholders");

  // The .zip is refused saying why; the signed file alone is offered.
  await page.goto(`${localhostUrl(env.server)}/#/export/${id}`);
  await page.getByRole("button", { name: /再次下载签名文件/ }).click();
  await page.getByText(/照片已送达台账并已从本机释放，无法生成含照片的 \.zip/).waitFor();
  const [json] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /仅下载签名文件（不含照片）/ }).click(),
  ]);
  assert.match(json.suggestedFilename(), /\.json$/);

  // A backup leaves them out and says so; after a reload the setting is still on.
  await page.goto(`${localhostUrl(env.server)}/#/storage`);
  await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: /备份全部数据/ }).click()]);
  await page.getByText(/2 张照片已送达台账并已从本机释放，未包含在备份中/).waitFor();
  await page.reload();
  assert.equal(await page.getByLabel("照片送达台账后从本机释放").isChecked(), true);
  assert.deepEqual(pageErrors, []);
  console.log(`setting on: sealed, uploaded and freed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await context.close();
});

test("with the setting off (the default) nothing is freed until the person frees them now", async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const { id, name, hashes } = await sealedWithPhotos(page, context, { name: "吴九", cert: "EX-2026-KEEP", site: "保留照片烟花厂" });
  await upload(page, context, name);
  await sleep(1_000);
  assert.deepEqual((await photosLeft(page, hashes)).sort(), [...hashes].sort(), "kept after upload");
  await page.goto(`${localhostUrl(env.server)}/#/record/${id}`);
  await until(async () => (await page.getByRole("img", { name: /FW-07/ }).count()) >= 2, "the photos shown");
  assert.equal(await page.getByRole("img", { name: /本机已释放/ }).count(), 0);

  // "Free now" names how many and runs the rule once.
  await page.goto(`${localhostUrl(env.server)}/#/storage`);
  const freeNow = page.getByRole("button", { name: /释放已送达的照片（2 个文件/ });
  await freeNow.click();
  await until(async () => (await photosLeft(page, hashes)).length === 0, "the photos freed now");
  await freeNow.waitFor({ state: "detached" });
  assert.equal(await page.getByLabel("照片送达台账后从本机释放").isChecked(), false, "the setting stays off");
  await context.close();
});
