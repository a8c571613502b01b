// Many stored findings without thousands of clicks: one sealed inspection (20 answered items,
// 10 of them hazards with complete orders and, when the app takes photos, one photo each) and
// one open inspection (10 answers) are made through the real UI once; their IndexedDB records
// are then cloned, with a new inspection id and site name, straight into IndexedDB of other
// browser contexts before the app loads them.
//
// Layouts understood (read src/persist.rs, src/storage.rs, src/model.rs, src/features/photos.rs
// when this fails):
//   "whole-record": store `inspections`, key = inspection id, value = JSON text of the whole
//                   `Inspection` including its `answers` map (storage v2);
//   "per-answer":   store `inspections` holds headers without answers (JSON text), store
//                   `answers` one record per answer keyed `<inspection id>/<item id>` (v3+).
//   Photos (v4+):   store `photos`, key = SHA-256 (hex) of the bytes, value = Blob; answers
//                   name them in `"photos": [...]`.
// Anything else (another store holding the template's records, other keys, answer counts that
// do not add up, a photo reference with no stored photo) stops the benchmark and says what was
// found.

import { answerItems, register, savedShown, startFireworksInspection } from "../tests/e2e/app-helpers.mjs";

export const INSPECTOR = { name: "基准检查员", cert: "BENCH-0001" };
const SEALED_NAME = "BENCH-TEMPLATE-SEALED";
const OPEN_NAME = "BENCH-TEMPLATE-OPEN";
// FW-01 to FW-20 of a unit with a retail point (FW-20 to FW-22 apply to retail points only,
// and only there are photos taken, since checklist 2026.12.1).
export const SEALED_ANSWERS = 20;
export const OPEN_ANSWERS = 10;
const HEX64 = /[0-9a-f]{64}/g;

/**
 * In the page: a synthetic photo as the app stores one (JPEG, quality 0.8): gradient, shapes
 * and a noise texture, so that it compresses like a picture (≈ 240 KB at 1600×1200).
 */
async function synthPhoto(width, height, seed) {
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const noise = new OffscreenCanvas(256, 256);
  const ng = noise.getContext("2d");
  const img = ng.createImageData(256, 256);
  for (let i = 0; i < img.data.length; i += 4) {
    const v = rnd() * 255;
    img.data[i] = img.data[i + 1] = img.data[i + 2] = v;
    img.data[i + 3] = 255;
  }
  ng.putImageData(img, 0, 0);
  const c = new OffscreenCanvas(width, height);
  const g = c.getContext("2d");
  const grad = g.createLinearGradient(0, 0, width, height);
  grad.addColorStop(0, `hsl(${rnd() * 360},35%,65%)`);
  grad.addColorStop(1, `hsl(${rnd() * 360},35%,25%)`);
  g.fillStyle = grad;
  g.fillRect(0, 0, width, height);
  for (let i = 0; i < 150; i++) {
    g.fillStyle = `hsla(${rnd() * 360},45%,${25 + rnd() * 55}%,${0.4 + rnd() * 0.5})`;
    g.fillRect(rnd() * width, rnd() * height, 10 + (rnd() * width) / 5, 10 + (rnd() * height) / 5);
  }
  g.globalAlpha = 0.12;
  g.globalCompositeOperation = "overlay";
  g.translate(rnd() * 256, rnd() * 256);
  g.fillStyle = g.createPattern(noise, "repeat");
  g.fillRect(-256, -256, width + 512, height + 512);
  return c.convertToBlob({ type: "image/jpeg", quality: 0.8 });
}

/**
 * Runs `fn(arg, ...helpers)` in the page. The source is sent as one expression (DevTools
 * evaluation is not subject to the app's CSP, which forbids eval in the page itself).
 */
function callInPage(page, fn, arg, helpers = []) {
  return page.evaluate(`(${fn})(${JSON.stringify(arg)}, ${helpers.map(String).join(", ")})`);
}

/** Every record in database `paicha` whose key or value mentions one of `ids`, plus the
 * stored photos those records name (as base64). */
async function recordsOf(page, ids) {
  return page.evaluate(async (ids) => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open("paicha");
      open.onerror = () => reject(open.error);
      open.onsuccess = () => resolve(open.result);
    });
    const names = [...db.objectStoreNames];
    const out = { version: db.version, stores: {}, records: [], photos: [], missingPhotos: [] };
    await new Promise((resolve, reject) => {
      const tx = db.transaction(names, "readonly");
      for (const name of names) {
        const store = tx.objectStore(name);
        out.stores[name] = { keyPath: store.keyPath };
        const cursor = store.openCursor();
        cursor.onsuccess = () => {
          const c = cursor.result;
          if (!c) return;
          const kind = typeof c.value === "string" ? "string" : c.value instanceof Blob ? "blob" : "json";
          let text = "";
          if (kind !== "blob") {
            try {
              text = kind === "string" ? c.value : JSON.stringify(c.value) ?? "";
            } catch {
              text = "";
            }
          }
          const key = typeof c.key === "string" ? c.key : JSON.stringify(c.key);
          if (ids.some((id) => key.includes(id) || text.includes(id))) {
            out.records.push({ store: name, key, keyIsString: typeof c.key === "string", kind, text });
          }
          c.continue();
        };
      }
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
    });
    // Photos named by those records.
    const refs = new Set();
    for (const r of out.records) {
      for (const m of r.text.matchAll(/"photos":\[([^\]]*)\]/g)) {
        for (const h of m[1].match(/[0-9a-f]{64}/g) ?? []) refs.add(h);
      }
    }
    for (const hash of refs) {
      const value = names.includes("photos")
        ? await new Promise((resolve, reject) => {
            const get = db.transaction("photos").objectStore("photos").get(hash);
            get.onsuccess = () => resolve(get.result);
            get.onerror = () => reject(get.error);
          })
        : undefined;
      if (!(value instanceof Blob)) {
        out.missingPhotos.push(hash);
        continue;
      }
      const bytes = new Uint8Array(await value.arrayBuffer());
      let bin = "";
      for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      out.photos.push({ store: "photos", key: hash, type: value.type, base64: btoa(bin) });
    }
    db.close();
    return out;
  }, ids);
}

function describe(dump) {
  const recs = dump.records.map((r) => `${r.store}[${r.key}] (${r.kind}, ${r.text.length} chars)`);
  return (
    `IndexedDB "paicha" v${dump.version}, stores: ${Object.keys(dump.stores).join(", ")}; ` +
    `records: ${recs.join("; ") || "none"}; photos named: ${dump.photos.length}, missing: ${dump.missingPhotos.length}`
  );
}

/**
 * Checks the template's records against the layouts above; returns
 * {layout, records, photos, answerText, recordText}. Throws with what was found otherwise.
 */
export function checkLayout(dump, id, name, { answers, sealed }) {
  // Home's summary (kv "home", src/summary.rs) names the inspection too; it is derived from
  // the records, and the app rewrites it from the seeded ones when it starts.
  const mine = dump.records.filter((r) => !(r.store === "kv" && r.key === "home"));
  const fail = (why) => {
    throw new Error(
      `bench/seed.mjs: the stored layout does not match what the seeding knows (${why}). ` +
        `Read src/persist.rs, src/storage.rs and src/model.rs and update bench/seed.mjs. Found: ${describe(dump)}`,
    );
  };
  for (const r of mine) if (!r.keyIsString) fail(`${r.store} has a non-string key ${r.key}`);
  if (dump.missingPhotos.length) fail(`answers name photos that are not in a "photos" store: ${dump.missingPhotos}`);
  const header = mine.filter((r) => r.store === "inspections");
  if (header.length !== 1 || header[0].key !== id) fail(`expected one "inspections" record keyed ${id}`);
  if (header[0].kind !== "string") fail("the inspection record is not JSON text");
  let head;
  try {
    head = JSON.parse(header[0].text);
  } catch (e) {
    fail(`the inspection record is not JSON: ${e.message}`);
  }
  if (head.id !== id) fail(`inspection record's id is ${head.id}`);
  if (head.site?.name !== name) fail(`inspection record's site.name is ${head.site?.name}`);
  if (Boolean(head.sealed_at) !== sealed) fail(`inspection record's sealed_at is ${head.sealed_at}`);
  const inlineAnswers = head.answers ? Object.keys(head.answers).length : 0;

  if ("answers" in dump.stores) {
    const rows = mine.filter((r) => r.store === "answers");
    const others = mine.filter((r) => r.store !== "answers" && r.store !== "inspections");
    if (others.length) fail(`unexpected records in ${others.map((r) => r.store).join(", ")}`);
    if (inlineAnswers) fail(`per-answer layout, yet the header carries ${inlineAnswers} answers`);
    if (rows.length !== answers) fail(`expected ${answers} "answers" records, found ${rows.length}`);
    const bad = rows.find((r) => !r.key.startsWith(`${id}/`) || !/^[^/]+\/FW-\d\d$/.test(r.key) || r.kind !== "string");
    if (bad) fail(`answer record ${bad.key} is not JSON text keyed "<inspection id>/<item id>"`);
    const hazard = rows.find((r) => /_hazard"/.test(r.text)) ?? rows[0];
    return { layout: "per-answer", records: mine, photos: dump.photos, answerText: hazard.text, recordText: header[0].text };
  }
  const others = mine.filter((r) => r.store !== "inspections");
  if (others.length) fail(`unexpected records in ${others.map((r) => r.store).join(", ")}`);
  if (inlineAnswers !== answers) fail(`expected ${answers} answers in the record, found ${inlineAnswers}`);
  const hazard = Object.values(head.answers).find((a) => /_hazard$/.test(a.verdict));
  return {
    layout: "whole-record",
    records: mine,
    photos: dump.photos,
    answerText: JSON.stringify(hazard),
    recordText: header[0].text,
  };
}

async function waitForRecords(page, id, name, expect, timeout = 15_000) {
  const until = Date.now() + timeout;
  for (;;) {
    const dump = await recordsOf(page, [id]);
    try {
      return checkLayout(dump, id, name, expect);
    } catch (e) {
      // The last save may still be on its way; give it time, then report.
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Attaches `jpeg` to every hazard of items 1..count that has a photo field and no photo yet.
 * Returns how many photo fields there were (0: the app takes no photos). */
async function attachPhotos(page, count, jpeg) {
  let fields = 0;
  for (let n = 2; n <= count; n += 2) {
    const id = `FW-${String(n).padStart(2, "0")}`;
    const input = page.getByLabel(new RegExp(`^${id} 从相册选择`));
    if (!(await input.count())) continue;
    fields++;
    const thumbs = page.getByRole("group", { name: new RegExp(`^${id} 照片`) }).locator("li");
    if (await thumbs.count()) continue;
    await input.setInputFiles({ name: `${id}.jpg`, mimeType: "image/jpeg", buffer: jpeg });
    await thumbs.first().waitFor();
  }
  await savedShown(page);
  return fields;
}

/** Seals the open inspection: "完成检查并签章", then "签章封存" where the app has a
 * completion screen; fails with what the app lists as missing. */
async function seal(page) {
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  const sealButton = page.getByRole("button", { name: /^签章封存/ });
  const exportButton = page.getByRole("button", { name: /签名并导出/ });
  await sealButton.or(exportButton).first().waitFor();
  if (await sealButton.count()) {
    await sealButton.click();
    try {
      await exportButton.waitFor({ timeout: 10_000 });
    } catch {
      throw new Error(`sealing the template failed; the screen says: ${(await page.locator("main").innerText()).slice(0, 1500)}`);
    }
  }
}

/**
 * Makes the templates through the UI in a context of its own. Returns {layout, photoFields,
 * sealed, open}; sealed/open are {id, name, records, photos, answerText, recordText}.
 * `onRegistered(page)` runs right after registration (the home screen is shown).
 */
export async function makeTemplates(browser, url, { onRegistered } = {}) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await register(page, url, INSPECTOR.name, INSPECTOR.cert);
    if (onRegistered) await onRegistered(page);
    // One small photo, shared by every hazard of the template (photos are content-addressed,
    // so a bundle carries it once): findings are measured here, photos on their own.
    const jpeg = Buffer.from(
      await callInPage(
        page,
        async (_, synthPhoto) => {
          const blob = await synthPhoto(320, 240, 7);
          const bytes = new Uint8Array(await blob.arrayBuffer());
          return btoa(String.fromCharCode(...bytes));
        },
        null,
        [synthPhoto],
      ),
      "base64",
    );
    const sealedId = await startFireworksInspection(page, url, SEALED_NAME, { retailPoint: true });
    await answerItems(page, SEALED_ANSWERS);
    const photoFields = await attachPhotos(page, SEALED_ANSWERS, jpeg);
    await seal(page);
    const sealed = await waitForRecords(page, sealedId, SEALED_NAME, { answers: SEALED_ANSWERS, sealed: true });
    const openId = await startFireworksInspection(page, url, OPEN_NAME, { retailPoint: true });
    await answerItems(page, OPEN_ANSWERS);
    const open = await waitForRecords(page, openId, OPEN_NAME, { answers: OPEN_ANSWERS, sealed: false });
    if (open.layout !== sealed.layout) throw new Error("sealed and open inspections are stored differently");
    if (photoFields && sealed.photos.length !== 1) {
      throw new Error(`the sealed template names ${sealed.photos.length} stored photos, expected the one shared photo`);
    }
    return {
      layout: sealed.layout,
      photoFields,
      sealed: { id: sealedId, name: SEALED_NAME, ...sealed },
      open: { id: openId, name: OPEN_NAME, ...open },
    };
  } finally {
    await context.close();
  }
}

/**
 * Writes clones of `template` ({id, name, records, photos}) named `names` into the app's
 * IndexedDB of `page` (which must have loaded the app, so the database exists); returns their
 * new ids. With `distinctPhotos`, every photo reference of every clone gets a photo of its own
 * (1600×1200, generated in the page); otherwise the template's photos are shared.
 */
export async function seed(page, template, names, { distinctPhotos = false } = {}) {
  return callInPage(
    page,
    async ({ template, names, distinctPhotos }, synthPhoto) => {
      const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
      const puts = []; // [store, key, value]
      for (const p of template.photos) {
        const bytes = Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0));
        puts.push([p.store, p.key, new Blob([bytes], { type: p.type })]);
      }
      const shared = template.photos.map((p) => p.key);
      const ids = [];
      let photoBytes = 0;
      let photoCount = 0;
      for (const name of names) {
        const id = crypto.randomUUID();
        ids.push(id);
        for (const r of template.records) {
          const key = r.key.replaceAll(template.id, id);
          let text = r.text.replaceAll(template.id, id).replaceAll(template.name, name);
          if (distinctPhotos) {
            // Each reference to a shared photo becomes a new photo of its own.
            const parts = text.split(new RegExp(`(${shared.join("|") || "(?!)"})`));
            for (let i = 1; i < parts.length; i += 2) {
              const blob = await synthPhoto(1600, 1200, photoCount * 7919 + 17);
              const hash = hex(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
              puts.push(["photos", hash, blob]);
              parts[i] = hash;
              photoBytes += blob.size;
              photoCount++;
            }
            text = parts.join("");
          }
          puts.push([r.store, key, r.kind === "string" ? text : JSON.parse(text)]);
        }
      }
      const db = await new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => resolve(open.result);
      });
      const stores = [...new Set(puts.map((p) => p[0]))];
      const missing = stores.filter((s) => !db.objectStoreNames.contains(s));
      if (missing.length) throw new Error(`stores missing in this context: ${missing}`);
      await new Promise((resolve, reject) => {
        const tx = db.transaction(stores, "readwrite");
        for (const [store, key, value] of puts) {
          const s = tx.objectStore(store);
          if (s.keyPath === null) s.put(value, key);
          else s.put(value);
        }
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error ?? new Error("seeding transaction aborted"));
      });
      db.close();
      return { ids, photoCount, photoBytes };
    },
    { template: { id: template.id, name: template.name, records: template.records, photos: template.photos }, names, distinctPhotos },
    [synthPhoto],
  );
}

/**
 * A registered context with `sets` = [{template, names, distinctPhotos}] seeded, reloaded on
 * the home screen, and checked: the home list must show every seeded inspection, else this
 * throws. Returns {context, page, ids: [[...ids of set 0], ...], photos: [{count, bytes}, ...]}.
 */
export async function seededContext(browser, url, sets, { contextOptions = {}, initScript } = {}) {
  const context = await browser.newContext(contextOptions);
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, url, INSPECTOR.name, INSPECTOR.cert);
  const ids = [];
  const photos = [];
  for (const { template, names, distinctPhotos } of sets) {
    const r = await seed(page, template, names, { distinctPhotos });
    ids.push(r.ids);
    photos.push({ count: r.photoCount, bytes: r.photoBytes });
  }
  await page.reload();
  const expected = sets.reduce((n, s) => n + s.names.length, 0);
  const alert = page.getByRole("alert").filter({ hasText: /无法打开本地存储/ });
  const list = page.locator('section[aria-labelledby="list"] li');
  const until = Date.now() + 30_000;
  for (;;) {
    if (await alert.count()) throw new Error(`the app could not load the seeded records: ${await alert.first().textContent()}`);
    const shown = await list.count();
    if (shown === expected) break;
    if (Date.now() > until) {
      throw new Error(`seeded ${expected} inspections but the home screen lists ${shown}; page errors: ${pageErrors.join("; ")}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { context, page, ids, photos, pageErrors };
}
