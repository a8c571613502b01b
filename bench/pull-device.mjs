// A tablet's first pull of its county's open hazards, measured on the device (issue 18): the
// ledger (release build, SQLite) holds N hazards of 长安区 (default 2,000, one per uploaded
// bundle); an enrolled browser device of a county inspector presses 从台账同步 on the
// follow-up screen. Prints the time until the pull is stored and shown, the bytes the device
// received, what IndexedDB grew by (navigator.storage.estimate), and the time to draw the
// follow-up list of every pulled hazard. A benchmark: it prints figures and never fails on a
// slow one.
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
  // The hazards: the reference device's chain, one 长安区 inspection with one major hazard each.
  const uploader = await addAccount(server, "基准检查员", ["inspector@1301"]);
  await enrolKey(server, ENVELOPE, uploader.id);
  const sites = Array.from({ length: hazards }, (_, n) => ({
    region: "130102",
    name: `长安区基准单位${n}`,
    description: `基准隐患 ${n}：仓库超量存放`,
    deadline: "2099-12-31",
  }));
  const seeded = Date.now();
  for (const body of [await readFile(ENVELOPE, "utf8"), ...continueReferenceChain(sites)]) {
    const result = await upload(server, body);
    assert.equal(result.status, 201, JSON.stringify(result.body));
  }
  console.error(`seeded ${hazards} hazards in ${((Date.now() - seeded) / 1000).toFixed(1)} s`);

  // The tablet: registered, asked to be enrolled, confirmed for a county inspector.
  const base = localhostUrl(server);
  const account = await addAccount(server, "基准复查员", ["inspector@130102"]);
  const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${base}/`);
  await fillRegistration(page, { name: "基准复查员", cert: "BENCH-1" });
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
  let received = 0;
  page.on("response", async (response) => {
    if (response.url().includes("/api/device/pull")) received += (await response.body()).length;
  });
  await page.goto(`${base}/#/followup`);
  const usage = () => page.evaluate(async () => (await navigator.storage.estimate()).usage);
  const before = await usage();
  const button = page.getByRole("button", { name: "从台账同步" });
  await button.and(page.locator(":enabled")).waitFor();
  const started = Date.now();
  await button.click();
  await page.getByRole("status", { name: "台账同步" }).filter({ hasText: /已与台账同步/ }).waitFor({ timeout: 300_000 });
  // Stored: every hazard is in IndexedDB (the persistence Effect commits page by page).
  const count = async () => (await storeCounts(page, ["pulled"])).pulled;
  while ((await count()) < hazards) await new Promise((r) => setTimeout(r, 20));
  const pulled = Date.now() - started;
  const after = await usage();
  const stored = await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction("pulled").objectStore("pulled").getAll();
          request.onsuccess = () => resolve({ records: request.result.length, bytes: request.result.reduce((n, v) => n + String(v).length * 2, 0) });
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

  console.log("| device pull (tablet, SQLite ledger) | figure |");
  console.log("| --- | ---: |");
  console.log(`| hazards pulled | ${stored.records} |`);
  console.log(`| bytes received (JSON) | ${(received / 1024).toFixed(0)} KiB |`);
  console.log(`| pull, from the button to stored and shown | ${pulled} ms |`);
  console.log(`| pulled records as stored (UTF-16 text) | ${(stored.bytes / 1024).toFixed(0)} KiB |`);
  console.log(`| storage estimate grew by | ${((after - before) / 1024).toFixed(0)} KiB |`);
  console.log(`| follow-up list of ${rows} rows drawn | ${draw} ms |`);
  await context.close();
} finally {
  await browser.close();
  await server.stop();
}
