// The five steps across people (issue 18), with two devices and one ledger, by role and label:
// phone A (a county inspector) records a major hazard and uploads it; a county supervisor
// assigns it (交办) to a township in the console; tablet B (the township's staff) pulls it —
// the first pull is cut off and completes when tried again, with nothing twice — goes offline,
// re-inspects it as rectified with a photo, comes back online and uploads; the console shows it
// 已验收销号 by B, and phone A's next pull shows it verified by B. Meanwhile A re-inspected the
// same hazard without knowing of B's: both stay, B's (sealed last) decides, and the console and
// phone A show the conflict (复查冲突). Last, B's device is revoked:
// its pull is refused, what it pulled is wiped, and its own unuploaded record stays.
// The browsers open the ledger as http://localhost:PORT (signed requests name the ledger's
// public URL).

import { test } from "node:test";
import assert from "node:assert/strict";
import { runLedger, useApp } from "./harness.mjs";
import { addAccount, localhostUrl, signedInPerson } from "./access-helpers.mjs";
import { addPhoto, chooseSite, completeAndSeal, fillCoInspector, fillOrder, fillRegistration, photoFile, savedShown, startFireworksInspection, storeCounts, storeKeys, withCheckDigit } from "./app-helpers.mjs";

const PHONE = { width: 360, height: 740 };
const TABLET = { width: 768, height: 1024 };
const DESK = { width: 1280, height: 900 };
const SITE = "长安区同步测试烟花批发部";
const CODE = withCheckDigit("91130102MA0000077");
const SITE2 = "长安区同步测试加油站";

const env = useApp({ workDir: "paicha-sync-" });

/** A device registered as `name` that asked to be enrolled and was confirmed for `account`. */
async function enrolledDevice(base, viewport, name, cert, account) {
  const context = await env.browser.newContext({ viewport, locale: "zh-CN", acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`${base}/`);
  await fillRegistration(page, { name, cert });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();
  await page.goto(`${base}/#/profile/enrolment`);
  await page.getByRole("button", { name: /申请登记/ }).click();
  const code = (await page.getByLabel("确认码").textContent()).trim();
  const keyPrefix = (await page.getByLabel("设备密钥标识（前16位）").textContent()).replaceAll(" ", "").trim();
  const confirmed = await runLedger(["keys", "confirm", keyPrefix, "--code", code, "--account", account.id], {
    dataDir: env.server.dataDir,
  });
  assert.equal(confirmed.code, 0, confirmed.stderr);
  await page.getByRole("status").getByText(new RegExp(`本设备已登记，属于 ${name}`)).waitFor({ timeout: 30_000 });
  return { context, page, errors, keyPrefix };
}

/**
 * Opens the follow-up list and pulls from the ledger; resolves with the outcome, which must
 * match `expected`. The button shows 正在同步 at once, so no earlier outcome is read.
 */
async function sync(page, base, expected = /已与台账同步/) {
  await page.goto(`${base}/#/followup`);
  await page.getByRole("heading", { name: /^隐患督查/ }).waitFor();
  const bar = page.getByRole("status", { name: "台账同步" });
  const button = page.getByRole("button", { name: "从台账同步" });
  // A pull the app started itself (start-up) may be running: wait for it.
  await button.and(page.locator(":enabled")).waitFor();
  await button.click();
  await bar.filter({ hasText: /已与台账同步|未能与台账同步|台账拒绝了本设备|尚未在台账登记/ }).waitFor();
  const text = (await bar.textContent()).trim();
  assert.match(text, expected);
  return text;
}

/** How many pulled hazards and pulled photos the device stores. */
async function counts(page) {
  const { pulled, pulled_photos: photos } = await storeCounts(page, ["pulled", "pulled_photos"]);
  return { pulled, photos };
}

/** The follow-up row of `item` on the list of `site`. */
function row(page, item, site = SITE) {
  return page.getByRole("list", { name: `${site} 隐患` }).getByRole("listitem", { name: new RegExp(`^${item} `) });
}

test("a hazard found by phone A, assigned to a township, re-inspected offline by tablet B, verified on both", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const base = localhostUrl(env.server);
  const inspectorA = await addAccount(env.server, "张三", ["inspector@130102"]);
  const staffB = await addAccount(env.server, "李四", ["inspector@130102001"]);

  // Phone A: enrolled, records a major hazard with a photo, seals; the outbox uploads it.
  const a = await enrolledDevice(base, PHONE, "张三", "A-0001", inspectorA);
  const phone = a.page;
  await phone.goto(`${base}/#/new`);
  await phone.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await phone.getByLabel("被检单位名称").fill(SITE);
  await phone.getByLabel("统一社会信用代码").fill(CODE);
  await fillCoInspector(phone);
  await phone.getByRole("button", { name: /开始检查/ }).click();
  await phone.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/重大隐患/).check();
  await phone.getByLabel("FW-01 隐患描述").fill("成品仓库超量存放烟花爆竹");
  await fillOrder(phone, "FW-01", { major: true });
  await phone.getByLabel("FW-01 整改期限").fill("2099-12-31");
  await addPhoto(phone, "FW-01", photoFile("FW01.png", 96, 64, [200, 0, 0], [255, 255, 255]));
  await savedShown(phone);
  await completeAndSeal(phone);
  await phone.getByRole("button", { name: /签名并导出/ }).click();
  await phone.getByRole("link", { name: /上传状态/ }).click();
  await phone.getByRole("listitem").filter({ hasText: /已上传/ }).first().waitFor({ timeout: 30_000 });
  // A's first pull: its own hazard, open, with nothing assigned yet.
  await sync(phone, base);
  assert.match(await row(phone, "FW-01").textContent(), /本机记录/);

  // The county's supervisor assigns it to 建北街道 in the console.
  const supervisor = await signedInPerson(env.browser, env.server, "王督查", ["supervisor@130102"], { viewport: DESK });
  const console_ = supervisor.page;
  await console_.getByRole("region", { name: /隐患台账表格/ }).getByRole("link").first().click();
  await console_.getByRole("heading", { level: 1, name: /隐患证据/ }).waitFor();
  const evidenceUrl = console_.url();
  assert.ok((await console_.getByRole("main").textContent()).includes("成品仓库超量存放烟花爆竹"));
  await console_.getByLabel(/交办给/).selectOption({ label: "乡镇 建北街道" });
  await console_.getByLabel(/办理期限/).fill("2099-06-30");
  await console_.getByLabel(/交办说明/).fill("请建北街道复查整改情况");
  await console_.getByRole("button", { name: /^交办/ }).click();
  await console_.getByRole("region", { name: /交办记录/ }).getByRole("cell", { name: "乡镇 建北街道" }).waitFor();

  // Tablet B: enrolled; its first pull is cut off, the second completes.
  const b = await enrolledDevice(base, TABLET, "李四", "B-0001", staffB);
  const tablet = b.page;
  let cut = 0;
  await tablet.route("**/api/device/pull?*", (route) => (cut++ === 0 ? route.abort("connectionreset") : route.fallback()));
  await sync(tablet, base, /未能与台账同步/);
  assert.equal(cut, 1, "the pull was cut off");
  // The cut pull left nothing half-stored; pulling again completes it.
  assert.equal(await tablet.getByRole("list", { name: `${SITE} 隐患` }).count(), 0);
  await tablet.unroute("**/api/device/pull?*");
  await sync(tablet, base);
  const pulled = row(tablet, "FW-01");
  assert.equal(await pulled.count(), 1, "the hazard is on the list once");
  const text = await pulled.textContent();
  for (const expected of ["台账下发", "待办", "重大隐患", "成品仓库超量存放烟花爆竹", "张三", "交办：乡镇 建北街道", "2099-06-30"]) {
    assert.ok(text.includes(expected), `the pulled row shows ${expected}: ${text}`);
  }
  // Pulled again: still one.
  await sync(tablet, base);
  assert.equal(await row(tablet, "FW-01").count(), 1);
  // Home counts it as 待办.
  await tablet.goto(`${base}/#/`);
  await tablet.getByRole("link", { name: /隐患督查，待办 1 项/ }).waitFor();
  // The 待办 filter keeps it.
  await tablet.getByRole("link", { name: /^隐患督查/ }).click();
  await tablet.getByLabel("来源", { exact: true }).selectOption("todo");
  assert.equal(await row(tablet, "FW-01").count(), 1);

  // Offline: 复查 of A's hazard, rectified, with a photo of the result; sealed and exported.
  await b.context.setOffline(true);
  await tablet.getByRole("button", { name: `复查 ${SITE}`, exact: true }).click();
  await tablet.getByRole("heading", { name: /^复查隐患/ }).waitFor();
  const card = tablet.getByRole("group", { name: "复查 FW-01", exact: true });
  assert.match(await card.textContent(), /成品仓库超量存放烟花爆竹/);
  assert.match(await card.textContent(), /台账下发：张三、钱协查 发现，原照片 1 张/);
  // The original photo was fetched with the pull (assigned to B): shown offline.
  const original = card.getByRole("img", { name: "FW-01 原照片 1" });
  await original.waitFor();
  await tablet.waitForFunction((img) => img.complete && img.naturalWidth > 0, await original.elementHandle());
  await tablet.getByRole("radiogroup", { name: /^FW-01 复查结论/ }).getByLabel(/^已整改/).check();
  await tablet.getByLabel("FW-01 复查意见").fill("超量部分已清运，库存符合核定");
  await addPhoto(tablet, "复查 FW-01", photoFile("FW01-after.png", 120, 80, [0, 120, 0], [255, 255, 255]));

  // Meanwhile phone A, not knowing B is on it, re-inspects the same hazard and uploads first.
  // Both re-inspections stay on the ledger; B's, sealed last, decides; the conflict is shown.
  await phone.goto(`${base}/#/followup`);
  await phone.getByRole("button", { name: `复查 ${SITE}`, exact: true }).click();
  await phone.getByRole("heading", { name: /^复查隐患/ }).waitFor();
  await phone.getByRole("radiogroup", { name: /^FW-01 复查结论/ }).getByLabel(/^已整改/).check();
  await phone.getByLabel("FW-01 复查意见").fill("已整改（张三复查）");
  await addPhoto(phone, "复查 FW-01", photoFile("FW01-a.png", 120, 80, [0, 0, 120], [255, 255, 255]));
  await completeAndSeal(phone);
  await phone.getByRole("button", { name: /签名并导出/ }).click();
  await phone.getByRole("link", { name: /上传状态/ }).click();
  await phone.getByRole("listitem").filter({ hasText: /已上传/ }).nth(1).waitFor({ timeout: 30_000 });

  await completeAndSeal(tablet);
  await tablet.getByRole("button", { name: /签名并导出/ }).click();
  await tablet.getByRole("link", { name: /上传状态/ }).click();
  await tablet.getByRole("listitem").filter({ hasText: /离线|等待|重试/ }).first().waitFor();

  // Back online: the outbox uploads by itself.
  await b.context.setOffline(false);
  await tablet.getByRole("listitem").filter({ hasText: /已上传/ }).first().waitFor({ timeout: 30_000 });

  // The console: 已验收销号, verified by 李四.
  await console_.goto(evidenceUrl);
  const evidence = await console_.getByRole("main").textContent();
  assert.match(evidence, /已验收销号/);
  assert.match(evidence, /李四/);
  assert.match(evidence, /复查冲突/, "the console shows the conflict");

  // Phone A's next pull: its own hazard verified, by B.
  await sync(phone, base);
  const verified = await row(phone, "FW-01").textContent();
  assert.match(verified, /已验收销号/);
  assert.match(verified, /已由 李四（B-0001）验收销号/, "the one sealed last decides");
  assert.match(verified, /复查冲突/, "phone A shows the conflict");
  // B's list no longer holds it (closed hazards leave), nor its photo.
  await sync(tablet, base);
  assert.equal(await row(tablet, "FW-01").count(), 0);
  assert.equal((await counts(tablet)).photos, 0, "the closed hazard's photo left with it");

  // One more 待办 for B: A finds a hazard at another enterprise, the supervisor assigns it.
  await phone.goto(`${base}/#/new`);
  await phone.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await chooseSite(phone, SITE2, withCheckDigit("91130102MA0000079"));
  await fillCoInspector(phone);
  await phone.getByRole("button", { name: /开始检查/ }).click();
  await phone.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/一般隐患/).check();
  await phone.getByLabel("FW-01 隐患描述").fill("灭火器压力不足");
  await fillOrder(phone, "FW-01");
  // Larger than a thumbnail (256 px), so the two are told apart by their width.
  await addPhoto(phone, "FW-01", photoFile("FW01-2.png", 960, 640, [0, 0, 200], [255, 255, 0]));
  await completeAndSeal(phone);
  await phone.getByRole("button", { name: /签名并导出/ }).click();
  await phone.getByRole("link", { name: /上传状态/ }).click();
  await phone.getByRole("listitem").filter({ hasText: /已上传/ }).nth(2).waitFor({ timeout: 30_000 });
  await console_.goto(`${base}/console/`);
  await console_.getByRole("region", { name: /隐患台账表格/ }).getByRole("row").filter({ hasText: SITE2 }).getByRole("link").first().click();
  await console_.getByRole("heading", { level: 1, name: /隐患证据/ }).waitFor();
  await console_.getByLabel(/交办给/).selectOption({ label: "乡镇 建北街道" });
  await console_.getByLabel(/办理期限/).fill("2099-06-30");
  await console_.getByRole("button", { name: /^交办/ }).click();
  await console_.getByRole("region", { name: /交办记录/ }).getByRole("cell", { name: "乡镇 建北街道" }).waitFor();
  await supervisor.context.close();
  await sync(tablet, base);
  assert.equal(await row(tablet, "FW-01", SITE2).count(), 1);
  assert.deepEqual(await counts(tablet), { pulled: 1, photos: 2 }, "the 待办 hazard, its photo and its thumbnail are on B");

  // The row's photos open in the screen's photo panel. A photo not on the device yet shows
  // the ledger's thumbnail, and the photo itself comes on demand (once online).
  const photoKeys = await storeKeys(tablet, "pulled_photos");
  const full = photoKeys.find((k) => !k.startsWith("thumbnail/"));
  assert.deepEqual(photoKeys.sort(), [full, `thumbnail/${full}`].sort());
  await tablet.evaluate(
    (key) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onsuccess = () => {
          const tx = open.result.transaction("pulled_photos", "readwrite");
          tx.objectStore("pulled_photos").delete(key);
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        };
      }),
    full,
  );
  await b.context.setOffline(true);
  await tablet.reload();
  const second = row(tablet, "FW-01", SITE2);
  await second.getByRole("button", { name: "照片 1 张" }).click();
  const panel = tablet.getByRole("dialog", { name: "FW-01 原始照片" });
  const picture = panel.getByRole("img", { name: "FW-01 原始照片 1" });
  const width = async () => {
    await tablet.waitForFunction((img) => img.complete && img.naturalWidth > 0, await picture.elementHandle());
    return picture.evaluate((img) => img.naturalWidth);
  };
  assert.equal(await width(), 256, "the thumbnail, offline");
  const download = panel.getByRole("button", { name: "下载原图" });
  await download.click();
  await panel.getByRole("status").filter({ hasText: /原图未能全部下载/ }).waitFor();
  await b.context.setOffline(false);
  await download.click();
  await panel.getByRole("status").filter({ hasText: "原图已保存在本机。" }).waitFor();
  assert.equal(await width(), 960, "the photo itself, fetched on demand");
  await panel.getByRole("button", { name: "关闭" }).click();
  assert.equal(await panel.count(), 0);
  assert.deepEqual(await counts(tablet), { pulled: 1, photos: 2 });

  // B's device is revoked. B has an inspection of its own not uploaded yet (a draft): the
  // refused pull wipes what B pulled (the hazard and its photo), not the draft.
  await startFireworksInspection(tablet, base, "建北街道草稿单位");
  const revoked = await runLedger(["keys", "revoke", b.keyPrefix, "--reason", "平板遗失"], { dataDir: env.server.dataDir });
  assert.equal(revoked.code, 0, revoked.stderr);
  await sync(tablet, base, /台账拒绝了本设备/);
  const stored = await tablet.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction(["pulled", "inspections"]);
          const pulled = tx.objectStore("pulled").count();
          const inspections = tx.objectStore("inspections").getAll();
          // Records are stored as JSON text.
          const parse = (v) => (typeof v === "string" ? JSON.parse(v) : v);
          tx.oncomplete = () => resolve({ pulled: pulled.result, sites: inspections.result.map((i) => parse(i).site.name) });
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  assert.equal(stored.pulled, 0, "pulled data is wiped");
  assert.equal((await counts(tablet)).photos, 0, "pulled photos are wiped");
  assert.ok(stored.sites.includes("建北街道草稿单位"), "B's own draft is kept");
  await tablet.goto(`${base}/#/`);
  await tablet.getByText("建北街道草稿单位").first().waitFor();

  assert.deepEqual(a.errors, [], "no uncaught errors on phone A");
  assert.deepEqual(b.errors, [], "no uncaught errors on tablet B");
  await a.context.close();
  await b.context.close();
});
