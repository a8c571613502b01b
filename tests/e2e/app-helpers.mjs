// Steps of the app that several journeys share, written against roles and labels.

import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";

export async function register(page, url, name = "赵六", cert = "GD-0001") {
  await page.goto(`${url}/`);
  await page.getByLabel("检查人员姓名").fill(name);
  await page.getByLabel("执法证号").fill(cert);
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识 Device key id").waitFor();
}

/** Starts a fireworks inspection and returns its id (from the URL). */
export async function startFireworksInspection(page, url, siteName) {
  await page.goto(`${url}/#/new`);
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill(siteName);
  await page.getByLabel("统一社会信用代码").fill("91440300708461136T");
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  return new URL(page.url()).hash.split("/").pop();
}

/** Answers items FW-01.. FW-n: odd ones compliant, even ones general hazards with a text. */
export async function answerItems(page, count) {
  for (let n = 1; n <= count; n++) {
    const id = `FW-${String(n).padStart(2, "0")}`;
    const group = page.getByRole("radiogroup", { name: new RegExp(`^${id} `) });
    if (n % 2) {
      await group.getByLabel(/^符合/).check();
    } else {
      await group.getByLabel(/一般隐患/).check();
      await page.getByLabel(`${id} 隐患描述`).fill(`${id} 现场发现的问题`);
      await fillOrder(page, id);
    }
  }
  await savedShown(page);
}

export async function savedShown(page) {
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
}

/** Answers shown on the open inspection screen, counted from the checked radios. */
export async function countAnswersOnScreen(page) {
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  return page.getByRole("radiogroup").locator("input[type=radio]:checked").count();
}

/**
 * The stored inspection, straight from IndexedDB: its header from `inspections` joined with
 * its per-answer records from `answers` (schema v3); `headerAnswers` counts answers still
 * inside the header (the layout before v3).
 */
export async function storedInspection(page, id) {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const stores = ["inspections", "answers"].filter((s) => db.objectStoreNames.contains(s));
          const tx = db.transaction(stores);
          const header = tx.objectStore("inspections").get(id);
          const answers = stores.includes("answers")
            ? tx.objectStore("answers").getAll(IDBKeyRange.bound(`${id}/`, `${id}/\uffff`))
            : null;
          tx.oncomplete = () => {
            if (!header.result) return resolve(null);
            const record = JSON.parse(header.result);
            record.headerAnswers = Object.keys(record.answers).length;
            for (const value of answers?.result ?? []) {
              const stored = JSON.parse(value);
              record.answers[stored.item] = stored.answer;
            }
            resolve(record);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
  );
}

export async function assertAnswers(page, id, expected) {
  const record = await storedInspection(page, id);
  assert.ok(record, `inspection ${id} is stored`);
  assert.equal(Object.keys(record.answers).length, expected, "stored answers");
}

/** Fills a hazard's order (交办); with `major`, also the five measures and a suspension. */
export async function fillOrder(page, id, { major = false } = {}) {
  await page.getByLabel(`${id} 隐患部位`).fill("二号工房");
  await page.getByLabel(`${id} 整改措施`).fill("立即停止作业并整改");
  await page.getByLabel(`${id} 整改责任人`).fill("企业负责人 陈某");
  await page.getByLabel(`${id} 整改期限`).fill("2099-12-31");
  await page.getByLabel(`${id} 预计资金`).fill("5000");
  if (major) {
    await page.getByLabel(`${id} 治理目标和任务`).fill("消除重大事故隐患");
    await page.getByLabel(`${id} 治理机构和人员`).fill("安全生产管理机构 王某");
    await page.getByLabel(`${id} 安全措施和应急预案`).fill("停用相关工房，落实应急预案");
    await page.getByLabel(`${id} 经费和物资`).fill("企业安全费用");
    await page.getByLabel(`${id} 治理时限`).fill("2099-12-31");
    await page.getByLabel(`${id} 停产停业`).selectOption("partial");
  }
}

// ---- Photos and completion ------------------------------------------------------------------

/** CRC-32 (IEEE), for PNG chunks. */
function crc32(bytes) {
  let crc = ~0;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}

/**
 * A valid RGB PNG built with zlib: the left half `left`, the right half `right` ([r, g, b]).
 * Large sizes are cheap (the rows compress to almost nothing).
 */
export function makePng(width, height, left = [255, 102, 0], right = [18, 53, 91]) {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(x < width / 2 ? left : right, 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(12 + data.length);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB, deflate, no filter, no interlace
  return Buffer.concat([
    Buffer.from("89504e470d0a1a0a", "hex"),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** A small photo file for `setInputFiles`. */
export function photoFile(name = "现场照片.png", width = 64, height = 48, left, right) {
  return { name, mimeType: "image/png", buffer: makePng(width, height, left, right) };
}

/** Adds a photo to a finding through its gallery input (or `camera`) and waits for its thumbnail. */
export async function addPhoto(page, id, file = photoFile(), { camera = false } = {}) {
  const thumbnails = page.getByRole("img", { name: new RegExp(`^${id} 照片 \\d+`) });
  const before = await thumbnails.count();
  const input = page.getByLabel(camera ? `${id} 拍照` : `${id} 从相册选择`);
  await input.setInputFiles(file);
  const thumbnail = page.getByRole("img", { name: `${id} 照片 ${before + 1} Photo ${before + 1}` });
  await thumbnail.waitFor();
  // Shown from the stored file (an object URL), not just announced.
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
  await savedShown(page);
}

/** From the inspection screen: 完成检查并签章 → the completion screen → 签章封存 → export. */
export async function completeAndSeal(page) {
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  await page.getByRole("button", { name: /签章封存/ }).click();
  await page.getByRole("button", { name: /签名并导出/ }).waitFor();
}

/**
 * Writes a stored-data fixture (tests/fixtures/storage-v*.json: schema version and, per
 * store, key → value) into the origin's IndexedDB, as an older app version left it, before
 * the current app is opened.
 */
export async function seedStorage(page, url, fixture) {
  // A blank same-origin page to write the old database from.
  await page.route(`${url}/__seed`, (route) => route.fulfill({ contentType: "text/html", body: "<!doctype html>" }));
  await page.goto(`${url}/__seed`);
  await page.evaluate(
    (fixture) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha", fixture.version);
        open.onupgradeneeded = () => {
          for (const store of Object.keys(fixture.stores)) open.result.createObjectStore(store);
        };
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(Object.keys(fixture.stores), "readwrite");
          for (const [store, records] of Object.entries(fixture.stores)) {
            for (const [key, value] of Object.entries(records)) tx.objectStore(store).put(value, key);
          }
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    fixture,
  );
}
