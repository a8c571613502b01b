// Findings with photos and the completion screen, at phone size (360×640): three hazards (one
// major with the 五落实 fields and a photo from the camera input), sealing blocked by the
// evidence list until the measured value of a measurement item (FW-05, in kg) is in its
// description, photos attached where the checklist does not demand them, a storage-full photo
// write that changes nothing, a signature drawn with a finger, seal, export, and a bundle whose
// attachments match the references. Screenshots of the inspection and completion screens at
// 360×640 and 768×1024 go to target/screenshots/.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, runLedger, useApp } from "./harness.mjs";
import { addPhoto, assertAnswers, completeAndSeal, countAnswersOnScreen, fillOrder, photoFile, register, savedShown, seedStorage, startFireworksInspection, storeCounts, storeKeys, storedInspection } from "./app-helpers.mjs";
import { attachmentBytes, readBundleDownload } from "./archive-helpers.mjs";

const SCREENSHOTS = path.join(ROOT, "target", "screenshots");
const PHONE = { width: 360, height: 640 };
const TABLET = { width: 768, height: 1024 };

const env = useApp({ workDir: "paicha-findings-" });
before(() => mkdir(SCREENSHOTS, { recursive: true }));

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** Width and height from a JPEG's start-of-frame segment. */
function jpegSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 3)], [0xff, 0xd8, 0xff], "a JPEG");
  for (let i = 2; i + 9 < bytes.length; ) {
    assert.equal(bytes[i], 0xff, "JPEG marker");
    const marker = bytes[i + 1];
    const length = bytes.readUInt16BE(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
    }
    i += 2 + length;
  }
  throw new Error("no JPEG frame header");
}

function pngSize(bytes) {
  assert.equal(bytes.subarray(0, 8).toString("hex"), "89504e470d0a1a0a", "a PNG");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Full-page screenshots at phone and tablet size; the page is left at phone size. */
async function screenshots(page, name) {
  for (const size of [PHONE, TABLET]) {
    await page.setViewportSize(size);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE);
}

/** Number of files in the `photos` store. */
async function storedPhotoCount(page) {
  return (await storeCounts(page, ["photos"])).photos;
}

/** A stroke drawn with a finger (CDP touch events, as a phone's touchscreen sends them). */
async function drawWithFinger(page, cdp, canvas, points) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const at = ([fx, fy]) => ({ x: box.x + fx * box.width, y: box.y + fy * box.height });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: [at(points[0])] });
  for (const p of points.slice(1)) {
    await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: [at(p)] });
  }
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
}

/** Every button, link-button and file label on screen is at least 44×44 CSS px. */
async function assertTouchTargets(page) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("main button, main a.button, main label.file-button")]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ text: e.textContent.trim(), rect: e.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width < 44 || rect.height < 44)
      .map(({ text, rect }) => `${text} ${Math.round(rect.width)}×${Math.round(rect.height)}`),
  );
  assert.deepEqual(small, [], "touch targets under 44 px");
}

test("three hazards with photos, completion blocked until the evidence is there, signature, seal, export", async () => {
  const context = await env.browser.newContext({
    acceptDownloads: true,
    viewport: PHONE,
    hasTouch: true,
    locale: "zh-CN",
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "孙八", "HN-0420");
  const id = await startFireworksInspection(page, env.server.url, "照片测试烟花厂");

  const group = (item) => page.getByRole("radiogroup", { name: new RegExp(`^${item} `) });
  await group("FW-01").getByLabel(/^符合/).check();
  await group("FW-03").getByLabel(/^符合/).check();
  await group("FW-04").getByLabel(/不适用/).check();

  // 1. A major hazard with the 五落实 fields and a photo from the camera input: a 2400×1800
  // picture, down-scaled on the device. FW-05's evidence is a measurement in kg, and this
  // description does not state one yet.
  await group("FW-05").getByLabel(/重大隐患/).check();
  await page.getByLabel("FW-05 隐患描述").fill("成品中转库存药量超过核定药量");
  await fillOrder(page, "FW-05", { major: true });
  const camera = page.getByLabel("FW-05 拍照");
  assert.equal(await camera.getAttribute("capture"), "environment");
  assert.equal(await camera.getAttribute("accept"), "image/*");
  await addPhoto(page, "FW-05", photoFile("IMG_0001.png", 2400, 1800), { camera: true });

  // 2. A general hazard with a photo from the gallery.
  await group("FW-02").getByLabel(/一般隐患/).check();
  await page.getByLabel("FW-02 隐患描述").fill("特种作业人员未持证上岗");
  await fillOrder(page, "FW-02");
  const shared = photoFile("共用照片.png", 320, 240, [200, 30, 30], [240, 240, 240]);
  await addPhoto(page, "FW-02", shared);

  // 3. A general hazard without a photo: fireworks items do not demand photos (only the
  // retail-point items do), so none is asked for and none blocks the seal.
  await group("FW-08").getByLabel(/一般隐患/).check();
  await page.getByLabel("FW-08 隐患描述").fill("防雷设施检测报告过期");
  await fillOrder(page, "FW-08");
  await savedShown(page);
  const photoRule = page.locator("#card-FW-08 .photo-rule");
  assert.equal(await photoRule.count(), 1);
  assert.equal(await photoRule.isHidden(), true, "no photo demanded on FW-08");
  await assertTouchTargets(page);

  // Completion: counts per level, unanswered items listed (not blocking), and the missing
  // measured value blocks the seal with a clear list.
  const unansweredIds = ["FW-06", "FW-07", ...Array.from({ length: 11 }, (_, n) => `FW-${String(n + 9).padStart(2, "0")}`)];
  const linkIds = async (list) => (await list.getByRole("link").allTextContents()).map((t) => t.split(" ")[0]);
  const measurements = page.getByRole("list", { name: /描述未写明实测值/ });
  const seal = page.getByRole("button", { name: /签章封存/ });
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  assert.match(new URL(page.url()).hash, new RegExp(`^#/complete/${id}$`));
  const summary = page.getByRole("list", { name: /检查结果汇总/ });
  assert.match(await summary.textContent(), /符合：2.*一般隐患：2.*重大隐患：1.*不适用：1.*未检查：13/s);
  // FW-01…FW-19 apply here; FW-20…FW-22 only at a retail point, which this site does not have.
  const unanswered = page.getByRole("list", { name: /未检查的条目/ });
  const unansweredChips = await unanswered.getByRole("link").evaluateAll((links) => links.map((a) => a.textContent.trim()));
  assert.deepEqual(unansweredChips, unansweredIds);
  assert.equal(await page.getByRole("list", { name: /缺少照片证据/ }).count(), 0, "no photo is demanded");
  assert.deepEqual(await linkIds(measurements), ["FW-05"]);
  assert.equal(await page.getByRole("list", { name: /交办信息不完整/ }).count(), 0, "orders are complete");
  assert.equal(await seal.isDisabled(), true, "sealing is blocked");
  await screenshots(page, "completion-blocked");

  // The link leads to the item. A number without its unit is not a measured value yet.
  await measurements.getByRole("link", { name: /FW-05/ }).click();
  await page.getByLabel("FW-05 隐患描述").waitFor();
  const inView = await page.evaluate(() => {
    const r = document.getElementById("card-FW-05").getBoundingClientRect();
    return r.top < innerHeight && r.bottom > 0;
  });
  assert.ok(inView, "the inspection screen scrolled to FW-05");
  await page.getByLabel("FW-05 隐患描述").fill("成品中转库存药量 2000，超过核定药量");
  await savedShown(page);
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  assert.deepEqual(await linkIds(measurements), ["FW-05"], "a value without its unit still blocks");
  assert.equal(await seal.isDisabled(), true);
  await measurements.getByRole("link", { name: /FW-05/ }).click();
  await page.getByLabel("FW-05 隐患描述").fill("成品中转库实测存药量 2000 kg，超过核定药量");
  await savedShown(page);

  // Storage is full while a photo is added to FW-08 (allowed, though not demanded): the photo
  // is named, nothing is claimed saved, nothing else changes.
  await page.getByLabel("FW-08 从相册选择").scrollIntoViewIfNeeded();
  const photosBefore = await storedPhotoCount(page);
  const storedBefore = await storedInspection(page, id);
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    window.__restorePut = () => (IDBObjectStore.prototype.put = put);
    IDBObjectStore.prototype.put = function (value, key) {
      if (value instanceof Blob) throw new DOMException("simulated full disk", "QuotaExceededError");
      return put.call(this, value, key);
    };
  });
  await page.getByLabel("FW-08 从相册选择").setInputFiles(photoFile("IMG_0008.png", 800, 600));
  const alert = page.getByRole("alert").filter({ hasText: /IMG_0008\.png/ });
  await alert.waitFor();
  assert.match(await alert.textContent(), /存储空间已满/);
  await savedShown(page);
  assert.equal(await page.getByRole("img", { name: /^FW-08 照片/ }).count(), 0);
  assert.equal(await storedPhotoCount(page), photosBefore);
  assert.deepEqual(await storedInspection(page, id), storedBefore, "nothing else changed");

  // A file that is not an image is refused by name, too.
  await page.getByLabel("FW-08 从相册选择").setInputFiles({ name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("不是照片") });
  await page.getByRole("alert").filter({ hasText: /notes\.txt.*无法读取图像/ }).waitFor();
  assert.equal(await storedPhotoCount(page), photosBefore);

  // Space again: the same photo as FW-02's is stored once (content-addressed); a second photo
  // is added and removed again.
  await page.evaluate(() => window.__restorePut());
  await addPhoto(page, "FW-08", shared);
  assert.equal(await storedPhotoCount(page), photosBefore, "one file for two findings");
  await addPhoto(page, "FW-08", photoFile("IMG_0009.png", 100, 80, [0, 128, 0], [0, 0, 0]));
  assert.equal(await storedPhotoCount(page), photosBefore + 1);
  await page.getByRole("button", { name: /删除 FW-08 照片 2/ }).click();
  await page.getByRole("img", { name: /^FW-08 照片 2/ }).waitFor({ state: "detached" });
  await savedShown(page);
  assert.equal((await storedInspection(page, id)).answers["FW-08"].photos.length, 1);
  await page.getByLabel("FW-05 隐患描述").scrollIntoViewIfNeeded();
  await screenshots(page, "inspection");

  // Completion again: the measured value is there and nothing blocks. The representative
  // signs with a finger; "清除" clears.
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  assert.equal(await measurements.count(), 0);
  assert.equal(await page.getByRole("list", { name: /缺少照片证据/ }).count(), 0);
  assert.equal(await seal.isDisabled(), false);
  const pad = page.getByRole("img", { name: /签名板/ });
  const cdp = await context.newCDPSession(page);
  const state = page.locator("#signature-state");
  await drawWithFinger(page, cdp, pad, [[0.1, 0.7], [0.2, 0.3], [0.3, 0.7], [0.4, 0.3]]);
  await state.filter({ hasText: /已记录签名/ }).waitFor();
  await page.getByRole("button", { name: /^清除/ }).click();
  await state.filter({ hasText: /未签名/ }).waitFor();
  assert.equal((await storedInspection(page, id)).site_signature, undefined);
  await drawWithFinger(page, cdp, pad, [[0.1, 0.5], [0.25, 0.2], [0.4, 0.8], [0.55, 0.2], [0.7, 0.8], [0.9, 0.4]]);
  await state.filter({ hasText: /已记录签名/ }).waitFor();
  await savedShown(page);
  const signatureRef = (await storedInspection(page, id)).site_signature;
  assert.match(signatureRef, /^[0-9a-f]{64}$/);
  await assertTouchTargets(page);
  await screenshots(page, "completion");

  // After a reload the recorded signature is drawn back on the pad.
  await page.reload();
  await state.filter({ hasText: /已记录签名/ }).waitFor();
  await page.waitForFunction(() => {
    const c = document.querySelector("canvas.signature-pad");
    const pixels = c?.getContext("2d").getImageData(0, 0, c.width, c.height).data ?? [];
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]) return true;
    return false;
  });

  // Seal; the record is now immutable and goes to export.
  await seal.click();
  const exportButton = page.getByRole("button", { name: /签名并导出/ });
  await exportButton.waitFor();
  await page.goto(`${env.server.url}/#/inspection/${id}`);
  await exportButton.waitFor(); // a sealed inspection opens on its export screen
  const [download] = await Promise.all([page.waitForEvent("download"), exportButton.click()]);
  const file = path.join(env.work, download.suggestedFilename());
  await download.saveAs(file);

  // The download is the transfer archive (payload version 2): the bundle names every
  // reference exactly once, and each file beside it hashes to its name and has its size.
  assert.match(download.suggestedFilename(), /\.zip$/);
  const bundle = await readBundleDownload(file);
  const payload = bundle.payload;
  const inspection = payload.inspections[0];
  assert.ok(inspection.sealed_at);
  const answers = inspection.answers;
  assert.equal(answers["FW-05"].verdict, "major_hazard");
  assert.match(answers["FW-05"].description, /2000 kg/);
  assert.equal(answers["FW-05"].major_plan.suspension, "partial");
  assert.equal(answers["FW-05"].photos.length, 1);
  assert.equal(answers["FW-02"].photos.length, 1);
  assert.deepEqual(answers["FW-08"].photos, answers["FW-02"].photos, "the shared photo");
  assert.equal(inspection.site_signature, signatureRef);
  const byHash = new Map(payload.attachments.map((a) => [a.sha256, a]));
  assert.equal(byHash.size, payload.attachments.length, "no attachment twice");
  const references = [answers["FW-05"].photos[0], answers["FW-02"].photos[0], signatureRef];
  assert.deepEqual([...byHash.keys()].sort(), [...references].sort());
  for (const a of payload.attachments) {
    assert.equal(a.data, undefined, "named, not embedded");
    const bytes = attachmentBytes(bundle, a.sha256);
    assert.equal(sha256(bytes), a.sha256);
    assert.equal(bytes.length, a.size);
  }
  const big = attachmentBytes(bundle, answers["FW-05"].photos[0]);
  assert.equal(byHash.get(answers["FW-05"].photos[0]).media_type, "image/jpeg");
  assert.deepEqual(jpegSize(big), { width: 1600, height: 1200 }, "down-scaled to 1600 px");
  const shared_ = attachmentBytes(bundle, answers["FW-02"].photos[0]);
  assert.deepEqual(jpegSize(shared_), { width: 320, height: 240 }, "small photos keep their size");
  const signature = byHash.get(signatureRef);
  assert.equal(signature.media_type, "image/png");
  assert.deepEqual(pngSize(attachmentBytes(bundle, signatureRef)), { width: 600, height: 240 });
  // The photo removed from FW-08 and the signatures drawn before the last are gone from the
  // device: only the files the inspection refers to are kept.
  assert.deepEqual((await storeKeys(page, "photos")).sort(), [...references].sort());

  // The ledger's verifier accepts it.
  const verified = await runLedger(["verify", file]);
  assert.equal(verified.code, 0, verified.stderr);
  assert.deepEqual(pageErrors, []);
  await context.close();
});

/** Keys (`id@content hash`) of the checklist versions stored on the device. */
function storedChecklistKeys(page) {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction("checklists").objectStore("checklists").getAllKeys();
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        };
      }),
  );
}

// The fixture's device keeps fireworks 2026.11.1, the version its inspection was started with,
// in its `checklists` store (as every device since schema v2 does); the app ships a newer one.
test("an inspection stored by schema v3 opens after the upgrade to v4, and its hazard takes a photo", async () => {
  const fixture = JSON.parse(await readFile(path.join(ROOT, "tests/fixtures/storage-v3.json"), "utf8"));
  const context = await env.browser.newContext({ viewport: PHONE, acceptDownloads: true });
  const page = await context.newPage();
  await seedStorage(page, env.server.url, fixture);
  const id = Object.keys(fixture.stores.inspections)[0];
  const started = JSON.parse(fixture.stores.inspections[id]).checklist;
  const startedKey = `${started.id}@${started.content_hash}`;
  assert.deepEqual(Object.keys(fixture.stores.checklists), [startedKey], "the fixture stores the version it names");
  await page.goto(`${env.server.url}/#/inspection/${id}`);
  await page.getByRole("heading", { name: "三版迁移测试烟花厂" }).waitFor();
  assert.equal(await countAnswersOnScreen(page), Object.keys(fixture.stores.answers).length);
  const db = await page.evaluate(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("paicha");
        open.onsuccess = () => resolve({ version: open.result.version, stores: [...open.result.objectStoreNames] });
      }),
  );
  assert.equal(db.version, 7);
  assert.ok(db.stores.includes("photos"));

  // The app's newer fireworks pack is installed next to it; the inspection keeps its version.
  const newer = (keys) => keys.some((k) => k.startsWith(`${started.id}@`) && k !== startedKey);
  for (let i = 0; i < 150 && !newer(await storedChecklistKeys(page)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const keys = await storedChecklistKeys(page);
  assert.ok(newer(keys), `a newer ${started.id} version is installed: ${keys}`);
  assert.ok(keys.includes(startedKey), "the inspection's version is kept");
  await page.reload();
  await page.getByRole("heading", { name: "三版迁移测试烟花厂" }).waitFor();
  await page.getByText(`v${started.version}`, { exact: false }).first().waitFor();
  assert.equal(await countAnswersOnScreen(page), Object.keys(fixture.stores.answers).length);

  // Under 2026.11.1 every fireworks hazard needs a photo: FW-07's blocks the seal until taken.
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  const evidence = page.getByRole("list", { name: /缺少照片证据/ });
  assert.deepEqual(
    (await evidence.getByRole("link").allTextContents()).map((t) => t.split(" ")[0]),
    ["FW-07"],
  );
  await evidence.getByRole("link", { name: /FW-07/ }).click();
  await page.getByLabel("FW-07 从相册选择").waitFor();
  await addPhoto(page, "FW-07");
  await completeAndSeal(page);
  await assertAnswers(page, id, Object.keys(fixture.stores.answers).length);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  const { payload } = await readBundleDownload(await download.path());
  assert.deepEqual(payload.inspections[0].checklist, started, "sealed against the version it was started with");
  assert.deepEqual(payload.attachments.map((a) => a.sha256), payload.inspections[0].answers["FW-07"].photos);
  await context.close();
});
