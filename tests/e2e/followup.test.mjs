// Follow-up (督查) and re-inspection (复查), with the browser's clock under the test's control:
// an inspection on 1 December records three hazards (one major, with the 五落实 fields, each with
// a photo) and is sealed; on 8 December the follow-up list shows the one past its deadline as
// 逾期未整改 and its filters work; a re-inspection started from the list closes two hazards
// (each with a photo of the result) and escalates the third; after the seal the list shows
// 已验收销号 ×2 and 升级处理 ×1, the exported bundle carries the reviews and their photos and the
// ledger's verifier accepts it. The journey runs at phone (360×640) and tablet (768×1024) size;
// screenshots of the follow-up list, the re-inspection and its completion go to
// target/screenshots/.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, runLedger, useApp } from "./harness.mjs";
import { attachmentBytes, readBundleDownload } from "./archive-helpers.mjs";
import { addPhoto, chooseSite, creditCode, drawSignature, fillCoInspector, fillOrder, photoFile, register, savedShown, startFireworksInspection, storedInspection } from "./app-helpers.mjs";

const SCREENSHOTS = path.join(ROOT, "target", "screenshots");
const PHONE = { width: 360, height: 640 };
const TABLET = { width: 768, height: 1024 };
const SITE = "督查测试烟花爆竹有限公司";

const env = useApp({ workDir: "paicha-followup-" });
before(() => mkdir(SCREENSHOTS, { recursive: true }));

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** A local (China Standard Time) moment on a day of December 2026. */
const december = (day, hour = 9) => new Date(`2026-12-${String(day).padStart(2, "0")}T${String(hour).padStart(2, "0")}:00:00+08:00`);

async function screenshot(page, name) {
  const { width, height } = page.viewportSize();
  await page.evaluate(() => scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}x${height}.png`), fullPage: true });
}

/** Visible buttons, link-buttons, file labels and selects in main are at least 44×44 CSS px. */
async function assertTouchTargets(page) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("main button, main a.button, main label.file-button, main select, main label.verdict")]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ text: e.textContent.trim().slice(0, 30), rect: e.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width < 44 || rect.height < 44)
      .map(({ text, rect }) => `${text} ${Math.round(rect.width)}×${Math.round(rect.height)}`),
  );
  assert.deepEqual(small, [], "touch targets under 44 px");
}

/** Nothing is wider than the screen (no sideways scrolling of the page). */
async function assertNoHorizontalScroll(page) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow} px`);
}

/** A hazard with its description, order (the deadline replaced by `deadline`) and a photo. */
async function recordHazard(page, item, { major = false, description, deadline, photo }) {
  await page.getByRole("radiogroup", { name: new RegExp(`^${item} `) }).getByLabel(major ? /重大隐患/ : /一般隐患/).check();
  await page.getByLabel(`${item} 隐患描述`).fill(description);
  await fillOrder(page, item, { major });
  await page.getByLabel(`${item} 整改期限`).fill(deadline);
  await addPhoto(page, item, photo);
}

/**
 * 完成检查并签章 → completion; adds the co-inspector if none is recorded yet; with `sign`, the
 * site representative signs on the pad; seals.
 */
async function sealFromInspection(page, { sign = false } = {}) {
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  const seal = page.getByRole("button", { name: /签章封存/ });
  if (await seal.isDisabled()) {
    await fillCoInspector(page);
    await page.getByRole("button", { name: /保存执法人员/ }).click();
  }
  if (sign) await drawSignature(page);
  await seal.click();
  await page.getByRole("button", { name: /签名并导出/ }).waitFor();
}

/** The labels of the follow-up rows of `site`, in order ("FW-02 逾期未整改"). */
async function rowLabels(page, site = SITE) {
  const rows = page.getByRole("list", { name: `${site} 隐患` }).getByRole("listitem");
  return Promise.all((await rows.all()).map((row) => row.getAttribute("aria-label")));
}

/** The follow-up rows as { item: status }, from each row's label. */
async function statuses(page, site = SITE) {
  return Object.fromEntries((await rowLabels(page, site)).map((label) => label.split(" ")));
}

async function openFollowUp(page) {
  await page.goto(`${env.server.url}/#/`);
  await page.getByRole("link", { name: /^隐患督查/ }).click();
  await page.getByRole("heading", { name: /^隐患督查/ }).waitFor();
}

for (const size of [PHONE, TABLET]) {
  test(`follow-up and re-inspection at ${size.width}×${size.height}: overdue, filters, two closed, one escalated`, async () => {
    const context = await env.browser.newContext({
      acceptDownloads: true,
      viewport: size,
      locale: "zh-CN",
      timezoneId: "Asia/Shanghai",
      hasTouch: size === PHONE,
      permissions: ["geolocation"],
      geolocation: { latitude: 28.1987, longitude: 112.9709, accuracy: 15 },
    });
    const page = await context.newPage();
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(e));
    await page.clock.install({ time: december(1) });

    // 1 December: an inspection with three hazards, each with a photo; FW-04 major.
    await register(page, env.server.url, "吴督查", `FU-${size.width}`);
    const originalId = await startFireworksInspection(page, env.server.url, SITE);
    await page.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/^符合/).check();
    await recordHazard(page, "FW-02", { description: "安全出口被成品堵塞", deadline: "2026-12-05", photo: photoFile("FW02.png", 96, 64) });
    await recordHazard(page, "FW-04", {
      major: true,
      description: "中转库实际作业人员 12 人，超过核定人数",
      deadline: "2026-12-10",
      photo: photoFile("FW04.png", 96, 64, [200, 0, 0], [255, 255, 255]),
    });
    await recordHazard(page, "FW-06", {
      description: "外部安全距离仅 8 m，不足",
      deadline: "2026-12-20",
      photo: photoFile("FW06.png", 96, 64, [0, 90, 0], [240, 240, 0]),
    });
    await sealFromInspection(page, { sign: true });

    // The printable 现场检查记录 of the sealed inspection: three hazards, both officers, the
    // drawn signature.
    await page.goto(`${env.server.url}/#/record/${originalId}`);
    await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
    const sheet = await page.getByRole("article").textContent();
    assert.match(sheet, /重大隐患 1 项；一般隐患 2 项/);
    assert.ok(sheet.includes("吴督查") && sheet.includes(`FU-${size.width}`), "the inspector");
    assert.ok(sheet.includes("钱协查"), "the co-inspector");
    for (const item of ["FW-02", "FW-04", "FW-06"]) {
      await page.getByRole("img", { name: `${item} 现场照片 1` }).waitFor();
    }
    await page.getByRole("img", { name: /被检查单位负责人签名/ }).waitFor();
    await screenshot(page, "record");

    // Nothing is overdue yet.
    await page.goto(`${env.server.url}/#/`);
    const link = page.getByRole("link", { name: /^隐患督查/ });
    assert.equal(await link.getAttribute("aria-label"), "隐患督查");
    await openFollowUp(page);
    await page.getByText("今天：2026-12-01").waitFor();
    assert.deepEqual(await statuses(page), { "FW-02": "整改中", "FW-04": "整改中", "FW-06": "整改中" });

    // 8 December: FW-02 is past its deadline, FW-04 due in two days. Home counts the overdue one.
    await page.clock.setSystemTime(december(8));
    await page.goto(`${env.server.url}/#/`);
    await page.getByRole("link", { name: /逾期未整改 1 项/ }).waitFor();
    await screenshot(page, "home-followup");
    await openFollowUp(page);
    await page.getByText("今天：2026-12-08").waitFor();
    assert.deepEqual(await statuses(page), { "FW-02": "逾期未整改", "FW-04": "即将到期", "FW-06": "整改中" });
    // Most urgent first.
    assert.deepEqual(await rowLabels(page), ["FW-02 逾期未整改", "FW-04 即将到期", "FW-06 整改中"]);
    const overdueRow = page.getByRole("listitem", { name: "FW-02 逾期未整改", exact: true });
    assert.match(await overdueRow.textContent(), /2026-12-05（逾期 3 天/);
    assert.match(await overdueRow.textContent(), /一般隐患/);
    assert.match(await page.getByRole("listitem", { name: /^FW-04 / }).textContent(), /重大隐患.*剩 2 天/s);

    // Filters: status, level, site, sector; the count says how many are shown.
    const shown = page.getByRole("status").filter({ hasText: /^显示 \d+ \/ \d+ 项隐患/ });
    await page.getByLabel("状态", { exact: true }).selectOption("overdue");
    await shown.filter({ hasText: "显示 1 / 3" }).waitFor();
    assert.deepEqual(Object.keys(await statuses(page)), ["FW-02"]);
    await page.getByLabel("状态", { exact: true }).selectOption("");
    await page.getByLabel("隐患等级", { exact: true }).selectOption("major");
    await shown.filter({ hasText: "显示 1 / 3" }).waitFor();
    assert.deepEqual(Object.keys(await statuses(page)), ["FW-04"]);
    await page.getByLabel("状态", { exact: true }).selectOption("overdue");
    await page.getByText(/没有符合筛选条件的隐患/).waitFor();
    await page.getByRole("button", { name: /清除筛选/ }).click();
    await shown.filter({ hasText: "显示 3 / 3" }).waitFor();
    const sites = await page.getByLabel("被检单位", { exact: true }).locator("option").allTextContents();
    assert.deepEqual(sites, ["全部", SITE]);
    await page.getByLabel("行业", { exact: true }).selectOption({ label: "烟花爆竹" });
    await page.getByLabel("被检单位", { exact: true }).selectOption({ label: SITE });
    await shown.filter({ hasText: "显示 3 / 3" }).waitFor();
    await page.getByRole("button", { name: /清除筛选/ }).click();

    // Each row links to the original record.
    await overdueRow.getByRole("link", { name: /原检查记录/ }).click();
    await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
    assert.equal(new URL(page.url()).hash, `#/record/${originalId}`);
    await openFollowUp(page);
    await assertTouchTargets(page);
    await assertNoHorizontalScroll(page);
    await screenshot(page, "followup");

    // 复查: starts a re-inspection of the site's three hazards with the last team.
    await page.getByRole("button", { name: `复查 ${SITE}`, exact: true }).click();
    await page.getByRole("heading", { name: /^复查隐患/ }).waitFor();
    const reId = new URL(page.url()).hash.split("/").pop();
    assert.notEqual(reId, originalId);
    for (const item of ["FW-02", "FW-04", "FW-06"]) {
      await page.getByRole("group", { name: `复查 ${item}`, exact: true }).waitFor();
    }
    const card = (item) => page.getByRole("group", { name: `复查 ${item}`, exact: true });
    assert.match(await card("FW-02").textContent(), /安全出口被成品堵塞.*2026-12-05/s);
    assert.match(await card("FW-04").textContent(), /重大隐患/);
    assert.match(await card("FW-02").textContent(), /逾期未整改/);
    const result = (item) => page.getByRole("radiogroup", { name: new RegExp(`^${item} 复查结论`) });
    await page.getByText("已复查 0 / 3").waitFor();

    // FW-02 rectified, photo still missing: the completion screen lists it and the undecided ones.
    await result("FW-02").getByLabel(/^已整改/).check();
    await page.getByLabel("FW-02 复查意见").fill("安全出口已清理畅通");
    await savedShown(page);
    await page.getByRole("button", { name: /完成检查并签章/ }).click();
    await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
    const pending = page.getByRole("list", { name: /尚未复查的隐患/ });
    assert.equal(await pending.getByRole("link").count(), 2);
    const noPhoto = page.getByRole("list", { name: /已整改但缺少整改后照片/ });
    assert.match(await noPhoto.getByRole("link").textContent(), /^复查 FW-02 /);
    assert.equal(await page.getByRole("button", { name: /签章封存/ }).isDisabled(), true);
    // Its link leads back to the card, focused.
    await noPhoto.getByRole("link").click();
    await page.getByRole("heading", { name: /^复查隐患/ }).waitFor();
    await page.waitForFunction(() => {
      const card = [...document.querySelectorAll("fieldset.review")].find((f) => f.id.endsWith("-FW-02"));
      return card?.contains(document.activeElement);
    });

    await addPhoto(page, "复查 FW-02", photoFile("FW02-after.png", 120, 80, [255, 255, 255], [0, 0, 200]));
    await result("FW-04").getByLabel(/^已整改/).check();
    await page.getByLabel("FW-04 复查意见").fill("超量药物已转移，库存核定范围内");
    await addPhoto(page, "复查 FW-04", photoFile("FW04-after.png", 120, 80, [0, 0, 0], [255, 200, 0]));

    // FW-06 not rectified: an extension asks for the new deadline; then it is escalated instead.
    await result("FW-06").getByLabel(/^未整改/).check();
    await page.getByLabel("FW-06 处理措施").selectOption("extension");
    await page.getByLabel("FW-06 新整改期限").fill("2026-12-31");
    await savedShown(page);
    let stored = await storedInspection(page, reId);
    let fw06 = stored.reviews.find((r) => r.hazard.item_id === "FW-06");
    assert.deepEqual([fw06.escalation, fw06.new_deadline], ["extension", "2026-12-31"]);
    await page.getByLabel("FW-06 处理措施").selectOption("penalty_case");
    await page.getByLabel("FW-06 新整改期限").waitFor({ state: "detached" });
    await page.getByLabel("FW-06 复查意见").fill("逾期仍未整改，立案查处");
    await savedShown(page);
    await page.getByText("已复查 3 / 3").waitFor();

    // Saved as entered: after a reload everything is shown again.
    await page.reload();
    await page.getByRole("heading", { name: /^复查隐患/ }).waitFor();
    assert.equal(await result("FW-02").getByLabel(/^已整改/).isChecked(), true);
    assert.equal(await result("FW-06").getByLabel(/^未整改/).isChecked(), true);
    assert.equal(await page.getByLabel("FW-06 处理措施").inputValue(), "penalty_case");
    assert.equal(await page.getByLabel("FW-04 复查意见").inputValue(), "超量药物已转移，库存核定范围内");
    await page.getByRole("img", { name: "复查 FW-04 照片 1", exact: true }).waitFor();
    stored = await storedInspection(page, reId);
    assert.equal(stored.kind, "reinspection");
    assert.ok(stored.co_inspectors.length >= 1, "the last team came along");
    assert.equal(stored.position?.latitude_e7, 281987000, "the position is recorded on start");
    fw06 = stored.reviews.find((r) => r.hazard.item_id === "FW-06");
    // The open re-inspection keeps what was typed (switching back loses nothing); the seal
    // drops the deadline of an escalation that is not an extension (checked in the bundle).
    assert.deepEqual([fw06.outcome, fw06.escalation, fw06.new_deadline], ["not_rectified", "penalty_case", "2026-12-31"]);
    await assertTouchTargets(page);
    await assertNoHorizontalScroll(page);
    await screenshot(page, "reinspection");

    // Before the seal the two are 已整改待验收.
    await openFollowUp(page);
    assert.deepEqual(await statuses(page), { "FW-02": "已整改待验收", "FW-04": "已整改待验收", "FW-06": "整改中" });
    assert.equal(await page.getByRole("button", { name: `继续复查 ${SITE}`, exact: true }).count(), 1);

    // Completion: nothing blocks; seal.
    await page.goto(`${env.server.url}/#/complete/${reId}`);
    await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
    assert.match(await page.getByRole("list", { name: /复查结果/ }).textContent(), /已整改：2.*未整改：1.*未复查：0/s);
    assert.equal(await page.getByRole("list", { name: /尚未复查的隐患/ }).count(), 0);
    const seal = page.getByRole("button", { name: /签章封存/ });
    assert.equal(await seal.isDisabled(), false);
    await assertTouchTargets(page);
    await screenshot(page, "reinspection-completion");
    await seal.click();
    const exportButton = page.getByRole("button", { name: /签名并导出/ });
    await exportButton.waitFor();

    // The bundle carries the reviews, names their photos (which travel beside it, in the
    // transfer archive), and the ledger verifies it.
    const [download] = await Promise.all([page.waitForEvent("download"), exportButton.click()]);
    const file = path.join(env.work, `${size.width}-${download.suggestedFilename()}`);
    await download.saveAs(file);
    const bundle = await readBundleDownload(file);
    const payload = bundle.payload;
    const re = payload.inspections.find((i) => i.id === reId);
    assert.equal(re.kind, "reinspection");
    assert.deepEqual(
      re.reviews.map((r) => [r.hazard.inspection_id, r.hazard.item_id, r.outcome]).sort(),
      [
        [originalId, "FW-02", "rectified"],
        [originalId, "FW-04", "rectified"],
        [originalId, "FW-06", "not_rectified"],
      ],
    );
    const byHash = new Map(payload.attachments.map((a) => [a.sha256, a]));
    for (const review of re.reviews.filter((r) => r.outcome === "rectified")) {
      assert.equal(review.photos.length, 1);
      const attachment = byHash.get(review.photos[0]);
      assert.ok(attachment, "the photo of the result is named");
      assert.equal(sha256(attachmentBytes(bundle, attachment.sha256)), attachment.sha256);
    }
    const sealedFw06 = re.reviews.find((r) => r.hazard.item_id === "FW-06");
    assert.deepEqual([sealedFw06.escalation, sealedFw06.new_deadline], ["penalty_case", undefined]);
    const verified = await runLedger(["verify", file]);
    assert.equal(verified.code, 0, verified.stderr);

    // The list now shows two verified and one escalated; nothing is overdue any more.
    await openFollowUp(page);
    assert.deepEqual(await statuses(page), { "FW-02": "已验收销号", "FW-04": "已验收销号", "FW-06": "升级处理" });
    assert.match(await page.getByRole("listitem", { name: /^FW-06 / }).textContent(), /立案查处/);
    await page.getByLabel("状态", { exact: true }).selectOption("verified");
    await page.getByRole("status").filter({ hasText: "显示 2 / 3" }).waitFor();
    // The escalated hazard is due for the next re-inspection.
    await page.getByRole("button", { name: `复查 ${SITE}`, exact: true }).waitFor();
    await page.goto(`${env.server.url}/#/`);
    assert.equal(await page.getByRole("link", { name: /^隐患督查/ }).getAttribute("aria-label"), "隐患督查");

    // The printable 复查意见书 lists the three reviews.
    await page.goto(`${env.server.url}/#/export/${reId}`);
    await page.getByRole("link", { name: /复查意见书/ }).click();
    await page.getByRole("heading", { name: /隐患整改复查意见书/ }).waitFor();
    const table = page.getByRole("region", { name: /复查情况表/ }).getByRole("table");
    const rows = table.getByRole("row");
    assert.equal(await rows.count(), 4, "a header and three reviews");
    assert.match(await table.textContent(), /已整改.*未整改.*立案查处/s);
    assert.match(await page.locator("article").textContent(), /已整改 2 项，未整改 1 项/);
    await screenshot(page, "review-record");
    // Printed: A4, and the table fits the width of the page (180 mm inside the margins ≈ 680 px).
    await page.emulateMedia({ media: "print" });
    await page.setViewportSize({ width: 680, height: 960 });
    assert.equal(await table.evaluate((t) => t.scrollWidth <= t.parentElement.clientWidth + 1), true, "the table fits on paper");
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    await page.emulateMedia({ media: "screen" });
    await page.setViewportSize(size);
    assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-");
    const boxes = [...pdf.toString("latin1").matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
    assert.ok(boxes.length >= 1, "page boxes are present");
    for (const [, w, h] of boxes) {
      assert.ok(Math.abs(Number(w) - 595.3) < 2 && Math.abs(Number(h) - 841.9) < 2, `A4 page, got ${w}×${h}`);
    }
    await writeFile(path.join(SCREENSHOTS, `review-record-${size.width}.pdf`), pdf);

    assert.deepEqual(pageErrors, []);
    await context.close();
  });
}

test("复查 from the new-inspection form: no checklist to choose, the form's team, hazards loaded, position recorded; a second one continues the first", async () => {
  const context = await env.browser.newContext({
    viewport: PHONE,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    permissions: ["geolocation"],
    geolocation: { latitude: 28.1987, longitude: 112.9709, accuracy: 15 },
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.clock.install({ time: december(1) });
  const site = "表单复查烟花爆竹有限公司";
  await register(page, env.server.url, "郑复查", "FORM-0001");
  // The first site of this context gets creditCode(0); the inspection is made with 钱协查.
  const originalId = await startFireworksInspection(page, env.server.url, site);
  await recordHazard(page, "FW-02", { description: "消防通道堵塞", deadline: "2026-12-05", photo: photoFile("F02.png", 96, 64) });
  await sealFromInspection(page);
  const original = await storedInspection(page, originalId);
  await page.clock.setSystemTime(december(8));

  // 复查 hides the checklist picker and says why; the site is picked, the team typed anew.
  await page.goto(`${env.server.url}/#/new`);
  const checklistRadio = page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ });
  await checklistRadio.waitFor();
  await page.getByLabel("检查类型").selectOption("reinspection");
  await checklistRadio.waitFor({ state: "hidden" });
  await page.getByText(/无需选择检查表/).waitFor();
  await chooseSite(page, site, creditCode(0));
  await fillCoInspector(page, { name: "周同行", cert: "CO-0009" });
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("heading", { name: /^复查隐患/ }).waitFor();
  await page.getByRole("group", { name: "复查 FW-02", exact: true }).waitFor();
  await page.getByText("已复查 0 / 1").waitFor();
  const reId = new URL(page.url()).hash.split("/").pop();
  assert.notEqual(reId, originalId);
  // The position arrives after the start; wait until it is stored.
  let stored;
  for (let i = 0; i < 100 && !stored?.position; i++) {
    if (i) await new Promise((r) => setTimeout(r, 100));
    stored = await storedInspection(page, reId);
  }
  assert.equal(stored.position?.latitude_e7, 281987000, "the position is recorded on start");
  assert.equal(stored.kind, "reinspection");
  assert.deepEqual(stored.checklist, original.checklist, "the original's checklist");
  assert.deepEqual(stored.co_inspectors, [{ name: "周同行", cert_no: "CO-0009" }], "the team entered in the form");
  assert.equal(stored.site.credit_code, creditCode(0));
  assert.deepEqual(stored.reviews.map((r) => [r.hazard.inspection_id, r.hazard.item_id]), [[originalId, "FW-02"]]);

  // A second 复查 of the site is not started: the one in progress is offered instead.
  await page.goto(`${env.server.url}/#/new`);
  await page.getByLabel("检查类型").selectOption("reinspection");
  await chooseSite(page, site, creditCode(0));
  const proceed = page.getByRole("link", { name: "继续复查", exact: true });
  await proceed.waitFor();
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("alert").filter({ hasText: /已有一次复查正在进行/ }).waitFor();
  await proceed.click();
  await page.getByRole("heading", { name: /^复查隐患/ }).waitFor();
  assert.equal(new URL(page.url()).hash, `#/inspection/${reId}`);
  // 日常检查 still needs a checklist.
  await page.goto(`${env.server.url}/#/new`);
  await chooseSite(page, site, creditCode(0));
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("alert").filter({ hasText: /请选择检查表/ }).waitFor();
  assert.deepEqual(pageErrors, []);
  await context.close();
});
