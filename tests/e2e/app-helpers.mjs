// Steps of the app that several journeys share, written against roles and labels.

import assert from "node:assert/strict";
import { deflateSync } from "node:zlib";

export async function register(
  page,
  url,
  name = "赵六",
  cert = "GD-0001",
  { organisation = "某县应急管理局", region = "130102 河北省 石家庄市 长安区" } = {},
) {
  await page.goto(`${url}/`);
  await fillRegistration(page, { name, cert, organisation, region });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();
}

/** Fills the registration form (all four fields are required). */
export async function fillRegistration(page, { name, cert, organisation = "某县应急管理局", region = "130102 河北省 石家庄市 长安区" }) {
  await page.getByLabel("检查人员姓名").fill(name);
  await page.getByLabel("执法证号").fill(cert);
  await page.getByLabel("所属单位").fill(organisation);
  await page.getByLabel("所属区域").fill(region);
}

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** A valid 统一社会信用代码 (GB 32100 check digit) for a 17-character prefix. */
export function withCheckDigit(prefix17) {
  const sum = [...prefix17].reduce((acc, ch, i) => acc + ALPHABET.indexOf(ch) * WEIGHTS[i], 0);
  return prefix17 + ALPHABET[(31 - (sum % 31)) % 31];
}

/** The n-th test credit code: 91440300708461136T for n = 0, then other valid codes. */
export function creditCode(n = 0) {
  return n === 0 ? "91440300708461136T" : withCheckDigit(`914403000000${String(n).padStart(5, "0")}`);
}

/**
 * In the new-inspection form: the site typed as a new enterprise, or, when `name` is already
 * saved, picked from the saved ones.
 */
export async function chooseSite(page, name, code) {
  const saved = page.getByRole("button", { name: /^已登记单位/ });
  if (await saved.count()) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const existing = page.getByRole("list", { name: /已登记单位/ }).getByRole("button", { name: new RegExp(`^${escaped} `) });
    await page.getByLabel("搜索已登记单位").fill(code);
    if (await existing.count()) {
      await existing.click();
      return;
    }
    await page.getByRole("button", { name: /^新单位/ }).click();
  }
  await page.getByLabel("被检单位名称").fill(name);
  await page.getByLabel("统一社会信用代码").fill(code);
}

/** Fills co-inspector row `n` (1-based), adding rows as needed. */
export async function fillCoInspector(page, { name = "钱协查", cert = "CO-0002" } = {}, n = 1) {
  while ((await page.getByLabel(`同行检查人员 ${n} 姓名`).count()) === 0) {
    await page.getByRole("button", { name: /添加同行检查人员/ }).click();
  }
  await page.getByLabel(`同行检查人员 ${n} 姓名`).fill(name);
  await page.getByLabel(`同行检查人员 ${n} 执法证号`).fill(cert);
}

// Site name -> credit code, per browser context (one device's saved sites).
const siteCodes = new WeakMap();

/**
 * Starts a fireworks inspection and returns its id (from the URL). Each new site name in a
 * browser context gets its own credit code (the first one 91440300708461136T); a name used
 * before is picked from the saved sites. A co-inspector is added, so the inspection can be sealed.
 */
export async function startFireworksInspection(page, url, siteName, { coInspector, retailPoint = false } = {}) {
  const codes = siteCodes.get(page.context()) ?? new Map();
  siteCodes.set(page.context(), codes);
  if (!codes.has(siteName)) codes.set(siteName, creditCode(codes.size));
  await page.goto(`${url}/#/new`);
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  // FW-20 to FW-22 (and their photos: a retail point is where photos may be taken) apply to
  // units with a retail point only.
  if (retailPoint) await page.getByRole("checkbox", { name: /零售点/ }).check();
  await chooseSite(page, siteName, codes.get(siteName));
  await fillCoInspector(page, coInspector);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  return new URL(page.url()).hash.split("/").pop();
}

/** Answers items FW-01.. FW-n: odd ones compliant, even ones general hazards with a text. */
/** Values measured on site, for the items whose evidence is a measurement (the description of
 * such a hazard must state the value with its unit, or sealing is blocked). */
const MEASURED = { "FW-04": "实测作业人员 12 人", "FW-05": "实测存药量 2000 kg", "FW-06": "实测安全距离 8 m" };

/** What an inspector writes for a hazard on fireworks item `id`. */
export function hazardDescription(id) {
  return MEASURED[id] ? `${id} 现场发现的问题，${MEASURED[id]}` : `${id} 现场发现的问题`;
}

export async function answerItems(page, count) {
  for (let n = 1; n <= count; n++) {
    const id = `FW-${String(n).padStart(2, "0")}`;
    const group = page.getByRole("radiogroup", { name: new RegExp(`^${id} `) });
    if (n % 2) {
      await group.getByLabel(/^符合/).check();
    } else {
      await group.getByLabel(/一般隐患/).check();
      await page.getByLabel(`${id} 隐患描述`).fill(hazardDescription(id));
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
 * Waits until the device has stored a checklist pack. A first run fetches the pack from the
 * ledger about a second after its first screen (`src/checklists.rs`); a test that goes
 * offline waits for it first, or Chromium reports that request as a failed load.
 */
export async function checklistsStored(page, timeout = 30_000) {
  await page.waitForFunction(
    () =>
      new Promise((resolve) => {
        const open = indexedDB.open("paicha");
        // Not created yet: abort, so that this probe never creates the app's database.
        open.onupgradeneeded = () => open.transaction.abort();
        open.onerror = () => resolve(false);
        open.onsuccess = () => {
          const db = open.result;
          const done = (stored) => {
            db.close();
            resolve(stored);
          };
          if (!db.objectStoreNames.contains("checklists")) return done(false);
          const count = db.transaction("checklists").objectStore("checklists").count();
          count.onsuccess = () => done(count.result > 0);
          count.onerror = () => done(false);
        };
      }),
    null,
    { timeout, polling: 200 },
  );
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

/** A valid RGB PNG built with zlib from one row (`1 + width * 3` bytes, filter byte first) repeated. */
export function pngOfRow(width, height, row) {
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

/**
 * A valid RGB PNG: the left half `left`, the right half `right` ([r, g, b]). Large sizes are
 * cheap (the rows compress to almost nothing).
 */
export function makePng(width, height, left = [255, 102, 0], right = [18, 53, 91]) {
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(x < width / 2 ? left : right, 1 + x * 3);
  return pngOfRow(width, height, row);
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
  const thumbnail = page.getByRole("img", { name: `${id} 照片 ${before + 1}`, exact: true });
  await thumbnail.waitFor();
  // Shown from the stored file (an object URL), not just announced.
  await page.waitForFunction((img) => img.complete && img.naturalWidth > 0, await thumbnail.elementHandle());
  await savedShown(page);
}

/**
 * From the inspection screen: 完成检查并签章 → the completion screen → 签章封存 → export. An
 * inspection with one officer (e.g. stored before teams existed) gets a co-inspector there.
 */
export async function completeAndSeal(page) {
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  if (await page.getByRole("alert").filter({ hasText: /两名以上执法人员/ }).isVisible()) {
    await fillCoInspector(page);
    await page.getByRole("button", { name: /保存执法人员/ }).click();
    await page.getByRole("status").filter({ hasText: /执法人员已更新/ }).waitFor();
  }
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

/** The site representative signs on the completion screen's pad (a stroke drawn with the mouse). */
export async function drawSignature(page) {
  const pad = page.getByRole("img", { name: /签名板/ });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
  await page.mouse.down();
  for (const [fx, fy] of [[0.3, 0.2], [0.5, 0.8], [0.7, 0.3], [0.9, 0.6]]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 4 });
  }
  await page.mouse.up();
  await page.getByText(/已记录签名/).waitFor();
  await savedShown(page);
}

/** The keys `store` holds in the app's IndexedDB. */
export function storeKeys(page, store) {
  return page.evaluate(
    (store) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const keys = open.result.transaction(store).objectStore(store).getAllKeys();
          keys.onsuccess = () => {
            open.result.close();
            resolve(keys.result);
          };
          keys.onerror = () => reject(keys.error);
        };
      }),
    store,
  );
}

/** How many records each of `stores` holds in the app's IndexedDB, read in one transaction:
 * { store: count }. */
export function storeCounts(page, stores) {
  return page.evaluate(
    (stores) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(stores);
          const requests = stores.map((store) => [store, tx.objectStore(store).count()]);
          tx.oncomplete = () => {
            open.result.close();
            resolve(Object.fromEntries(requests.map(([store, r]) => [store, r.result])));
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    stores,
  );
}
