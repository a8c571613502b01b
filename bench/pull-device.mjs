// A tablet's first pull of its county's open hazards, measured on the device (issue 18): the
// ledger (release build, SQLite) holds N hazards of 长安区 (default 2,000, one per uploaded
// bundle), each with a photo of its own (a 1600 × 1200 JPEG as a phone stores it); an enrolled
// browser device of a county inspector presses 从台账同步 on the follow-up screen. Prints the
// time until the pull and every thumbnail are stored, the bytes the device received (hazards,
// thumbnails), what IndexedDB grew by (navigator.storage.estimate), and the time to draw the
// follow-up list of every pulled hazard. Twice: a first tablet finds the ledger's thumbnails
// not made yet (each photo decoded on request), a second finds them made. A benchmark: it
// prints figures and never fails on a slow one.
//
//   node bench/pull-device.mjs [HAZARDS]

import assert from "node:assert/strict";
import { launchBrowser, runLedger, startServer } from "../tests/e2e/harness.mjs";
import { ENVELOPE, addAccount, continueReferenceChain, enrolKey, localhostUrl, upload } from "../tests/e2e/access-helpers.mjs";
import { fillRegistration, storeCounts } from "../tests/e2e/app-helpers.mjs";
import { readFile } from "node:fs/promises";

const hazards = Number(process.argv[2] ?? 2000);
const server = await startServer();
const browser = await launchBrowser();
try {
  // A site photo as a phone stores it: 1600 × 1200, JPEG quality 0.8, drawn with enough
  // detail to weigh what a real one does; each hazard's copy differs by a JPEG comment, so
  // every hazard has a photo (and thumbnail) of its own.
  const drawing = await browser.newPage();
  const photo = Buffer.from(
    await drawing.evaluate(async () => {
      const canvas = new OffscreenCanvas(1600, 1200);
      const g = canvas.getContext("2d");
      let seed = 7;
      const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
      for (let n = 0; n < 6000; n++) {
        g.fillStyle = `hsl(${random() * 360} ${30 + random() * 40}% ${25 + random() * 50}%)`;
        g.fillRect(random() * 1600, random() * 1200, 4 + random() * 60, 4 + random() * 60);
      }
      const blob = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.8 });
      return [...new Uint8Array(await blob.arrayBuffer())];
    }),
  );
  await drawing.close();
  const photoOf = (n) => {
    const note = Buffer.from(`hazard ${n}`);
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, note.length + 2]), note]);
    return Buffer.concat([photo.subarray(0, 2), segment, photo.subarray(2)]);
  };

  // The hazards: the reference device's chain, one 长安区 inspection with one major hazard each.
  const uploader = await addAccount(server, "基准检查员", ["inspector@1301"]);
  await enrolKey(server, ENVELOPE, uploader.id);
  const sites = Array.from({ length: hazards }, (_, n) => ({
    region: "130102",
    name: `长安区基准单位${n}`,
    description: `基准隐患 ${n}：仓库超量存放`,
    deadline: "2099-12-31",
    photo: photoOf(n),
  }));
  const seeded = Date.now();
  for (const body of [await readFile(ENVELOPE, "utf8"), ...continueReferenceChain(sites)]) {
    const result = await upload(server, body);
    assert.equal(result.status, 201, JSON.stringify(result.body));
  }
  console.error(`seeded ${hazards} hazards (photo ${(photo.length / 1024).toFixed(0)} KiB each) in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  const results = [];
  for (const [n, ledger] of [[1, "thumbnails not made yet"], [2, "thumbnails made"]]) {
    results.push({ ledger, ...(await tablet(n)) });
  }

  console.log(`| device pull (tablet, SQLite ledger, ${hazards} hazards with a ${(photo.length / 1024).toFixed(0)} KiB photo each) | ${results.map((r) => r.ledger).join(" | ")} |`);
  console.log(`| --- | ${results.map(() => "---:").join(" | ")} |`);
  const line = (label, f) => console.log(`| ${label} | ${results.map(f).join(" | ")} |`);
  line("hazards pulled", (r) => r.records);
  line("thumbnails stored", (r) => r.thumbnails);
  line("bytes received: hazards (JSON)", (r) => `${(r.json / 1024).toFixed(0)} KiB`);
  line("bytes received: thumbnails", (r) => `${(r.thumbnailBytes / 1024).toFixed(0)} KiB`);
  line("pull, from the button to every hazard stored", (r) => `${r.pulled} ms`);
  line("pull with thumbnails, from the button to 已与台账同步", (r) => `${r.done} ms`);
  line("pulled records as stored (UTF-16 text)", (r) => `${(r.bytes / 1024).toFixed(0)} KiB`);
  line("storage estimate grew by", (r) => `${(r.grew / 1024).toFixed(0)} KiB`);
  line(`follow-up list of every row drawn`, (r) => `${r.draw} ms (${r.rows} rows)`);
} finally {
  await browser.close();
  await server.stop();
}

/** Tablet `n`: registered, enrolled for a county inspector, pulls from the follow-up screen. */
async function tablet(n) {
  const base = localhostUrl(server);
  const account = await addAccount(server, `基准复查员${n}`, ["inspector@130102"]);
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await fillRegistration(page, { name: `基准复查员${n}`, cert: `BENCH-${n}` });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();
  await page.goto(`${base}/#/profile/enrolment`);
  await page.getByRole("button", { name: /申请登记/ }).click();
  const code = (await page.getByLabel("确认码").textContent()).trim();
  const key = (await page.getByLabel("设备密钥标识（前16位）").textContent()).replaceAll(" ", "").trim();
  const confirmed = await runLedger(["keys", "confirm", key, "--code", code, "--account", account.id], { dataDir: server.dataDir });
  assert.equal(confirmed.code, 0, confirmed.stderr);
  await page.getByRole("status").getByText(/本设备已登记/).waitFor({ timeout: 30_000 });

  // The pull: bytes received, time until stored and shown, what storage grew by.
  let json = 0;
  let thumbnailBytes = 0;
  page.on("response", async (response) => {
    const url = response.url();
    if (url.includes("/api/device/pull")) json += (await response.body()).length;
    else if (url.endsWith("/thumbnail")) thumbnailBytes += (await response.body()).length;
  });
  await page.goto(`${base}/#/followup`);
  const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const before = await usage();
  const button = page.getByRole("button", { name: "从台账同步" });
  await button.and(page.locator(":enabled")).waitFor();
  const started = Date.now();
  await button.click();
  // Stored: every hazard is in IndexedDB (the persistence Effect commits page by page).
  const count = async () => (await storeCounts(page, ["pulled"])).pulled;
  while ((await count()) < hazards) await new Promise((r) => setTimeout(r, 50));
  const pulled = Date.now() - started;
  await page.getByRole("status", { name: "台账同步" }).filter({ hasText: /已与台账同步/ }).waitFor({ timeout: 900_000 });
  const done = Date.now() - started;
  const grew = (await usage()) - before;
  const stored = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["pulled", "pulled_photos"]);
          const records = tx.objectStore("pulled").getAll();
          const photos = tx.objectStore("pulled_photos").getAllKeys();
          tx.oncomplete = () =>
            resolve({
              records: records.result.length,
              bytes: records.result.reduce((n, v) => n + String(v).length * 2, 0),
              thumbnails: photos.result.filter((k) => k.startsWith("thumbnail/")).length,
            });
          tx.onerror = () => reject(tx.error);
        };
      }),
  );

  // Drawing the list of every pulled hazard, from home.
  await page.goto(`${base}/#/`);
  const drawn = Date.now();
  await page.goto(`${base}/#/followup`);
  await page.getByRole("status").filter({ hasText: new RegExp(`^显示 ${hazards} / ${hazards} 项隐患`) }).waitFor({ timeout: 120_000 });
  const rows = await page.getByRole("listitem").count();
  const draw = Date.now() - drawn;
  await context.close();
  return { ...stored, json, thumbnailBytes, pulled, done, grew, draw, rows };
}
