// Records: the printable 现场检查记录 and 责令限期整改指令书 (A4, print to PDF) and the hazard
// ledger (隐患台账) CSV. Text hostile to HTML typed into a finding must come out literally
// everywhere: no element is created from it and no script runs. Elements are found by role and
// label. The PDFs and screenshots go to target/screenshots/ (not committed).

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, useApp } from "./harness.mjs";
import { addPhoto, answerItems, fillOrder, register, savedShown, startFireworksInspection } from "./app-helpers.mjs";

const HOSTILE = "<img src=x onerror=alert(1)>";
const SHOTS = path.join(ROOT, "target", "screenshots");
const FORMULA = '=HYPERLINK("http://example.invalid","x")';

const env = useApp();
before(() => mkdir(SHOTS, { recursive: true }));

/** RFC 4180, written independently of the Rust code: quoted fields, doubled quotes, CRLF. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else {
      cell += c;
    }
  }
  assert.equal(cell + row.join(""), "", "the last line ends in CRLF");
  return rows;
}

/** Nothing was made of the hostile text: no such element, no inline handler, no dialog. */
async function assertNothingInjected(page, dialogs) {
  assert.equal(await page.locator('img[src="x"]').count(), 0, "no img element from user text");
  assert.equal(await page.locator("[onerror]").count(), 0, "no inline handler from user text");
  assert.deepEqual(dialogs, [], "no dialog opened");
}

/** Checks a PDF made by Chromium: the signature, at least one page, A4 page boxes. */
function assertA4Pdf(pdf) {
  assert.equal(pdf.subarray(0, 5).toString("latin1"), "%PDF-", "starts with %PDF");
  const text = pdf.toString("latin1");
  const pages = text.match(/\/Type\s*\/Page(?![a-zA-Z])/g) ?? [];
  assert.ok(pages.length >= 1, "at least one page");
  const boxes = [...text.matchAll(/\/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]/g)];
  assert.ok(boxes.length >= 1, "page boxes are present");
  for (const [, w, h] of boxes) {
    // A4 is 595.28 × 841.89 pt.
    assert.ok(Math.abs(Number(w) - 595.3) < 2 && Math.abs(Number(h) - 841.9) < 2, `A4 page, got ${w}×${h}`);
  }
  return pages.length;
}

test("record and notice print to A4 with hostile text literal; the hazard ledger downloads as CSV", async () => {
  const context = await env.browser.newContext({
    acceptDownloads: true,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
    viewport: { width: 768, height: 1024 },
  });
  const page = await context.newPage();
  const dialogs = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  // The print dialog cannot be driven headless: count the calls instead.
  await page.addInitScript(() => {
    window.__printCalls = 0;
    window.print = () => {
      window.__printCalls += 1;
    };
  });

  await register(page, env.server.url, "张三", "44010012345");
  const site = "某某烟花爆竹有限公司";
  const id = await startFireworksInspection(page, env.server.url, site);
  // FW-01, FW-03 compliant; FW-02, FW-04 general hazards with their orders.
  await answerItems(page, 4);
  await page.getByLabel("FW-04 整改责任人").fill(FORMULA);
  // FW-05: a major hazard whose description is hostile to HTML and awkward for CSV.
  await page
    .getByRole("radiogroup", { name: /^FW-05 / })
    .getByLabel(/重大隐患/)
    .check();
  // A measured item: the description states the value with its unit, or sealing is blocked.
  const description = `${HOSTILE}\n第二行, "引号"，实测存药量 2000 kg`;
  await page.getByLabel("FW-05 隐患描述").fill(description);
  await fillOrder(page, "FW-05", { major: true });
  await page.getByLabel("FW-05 隐患部位").fill(HOSTILE);
  // Photos of the hazards, for the record.
  for (const item of ["FW-02", "FW-04", "FW-05"]) await addPhoto(page, item);
  await savedShown(page);

  // The record of an unsealed inspection is a draft; no notice is offered yet.
  assert.equal(await page.getByRole("link", { name: /责令限期整改指令书/ }).count(), 0);
  await page.getByRole("link", { name: /现场检查记录/ }).click();
  await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
  assert.match(await page.getByRole("note").textContent(), /^草稿：检查尚未签章封存，本记录不作为正式检查记录。$/);
  assert.match(await page.getByRole("heading", { name: /安全生产现场检查记录/ }).textContent(), /草稿/);
  await assertNothingInjected(page, dialogs);
  await page.goto(`${env.server.url}/#/notice/${id}`);
  await page.getByRole("alert").filter({ hasText: /尚未签章/ }).waitFor();

  // Complete: the site representative signs on the pad (with a mouse here), then seal.
  await page.goto(`${env.server.url}/#/inspection/${id}`);
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  const pad = page.getByRole("img", { name: /签名板/ });
  await pad.scrollIntoViewIfNeeded();
  const box = await pad.boundingBox();
  await page.mouse.move(box.x + box.width * 0.1, box.y + box.height * 0.6);
  await page.mouse.down();
  for (const [fx, fy] of [[0.3, 0.2], [0.5, 0.8], [0.7, 0.3], [0.9, 0.6]]) {
    await page.mouse.move(box.x + box.width * fx, box.y + box.height * fy, { steps: 4 });
  }
  await page.mouse.up();
  await page.locator("#signature-state").filter({ hasText: /已记录签名/ }).waitFor();
  await savedShown(page);
  await page.getByRole("button", { name: /签章封存/ }).click();
  await page.getByRole("heading", { name: /导出签名记录/ }).waitFor();

  // The record, from the export screen.
  await page.getByRole("link", { name: /现场检查记录/ }).click();
  const article = page.getByRole("article");
  await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
  assert.equal(await page.getByRole("note").count(), 0, "a sealed record is not a draft");
  const sheet = await article.textContent();
  assert.ok(sheet.includes(site), "the site");
  assert.ok(sheet.includes("91440300708461136T"), "the credit code");
  assert.ok(sheet.includes("张三") && sheet.includes("44010012345"), "inspector and certificate");
  assert.ok(sheet.includes("烟花爆竹生产经营单位安全检查"), "the checklist");
  assert.match(sheet, /内容哈希 [0-9a-f]{12}/);
  assert.match(sheet, /重大隐患 1 项；一般隐患 2 项；符合 2 项；不适用 0 项/);
  assert.match(sheet, /未检查条目：FW-06、FW-07、/, "applicable items not answered are named");
  assert.match(sheet, /检查人员签名/);
  assert.match(sheet, /被检查单位负责人签名/);
  assert.match(sheet, /签章时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  const major = page.getByRole("row").filter({ hasText: "FW-05" });
  const majorText = await major.textContent();
  assert.ok(majorText.includes("重大隐患"), majorText);
  assert.ok(majorText.includes(description), "the description exactly as typed");
  assert.equal(await major.getByRole("cell", { name: HOSTILE, exact: true }).count(), 1, "the location cell");
  const general = await page.getByRole("row").filter({ hasText: "FW-04" }).textContent();
  assert.ok(general.includes("一般隐患") && general.includes(FORMULA) && general.includes("2099-12-31"), general);
  assert.ok((await page.getByRole("row").filter({ hasText: "FW-02" }).textContent()).includes("FW-02 现场发现的问题"));
  assert.match(majorText, /附照片 1 张/);
  // The photos and the drawn signature are in the record, loaded before printing.
  for (const item of ["FW-02", "FW-04", "FW-05"]) {
    await page.getByRole("img", { name: `${item} 现场照片 1` }).waitFor();
  }
  await page.getByRole("img", { name: /被检查单位负责人签名/ }).waitFor();
  assert.ok(
    await page.evaluate(() => [...document.querySelectorAll("article img")].every((i) => i.complete && i.naturalWidth > 0)),
    "every image has loaded",
  );
  await assertNothingInjected(page, dialogs);

  await page.getByRole("button", { name: /打印 \/ 保存为PDF/ }).click();
  assert.equal(await page.evaluate(() => window.__printCalls), 1, "the button calls window.print()");
  await page.screenshot({ path: path.join(SHOTS, "record-tablet.png"), fullPage: true });
  await page.setViewportSize({ width: 360, height: 640 });
  await page.screenshot({ path: path.join(SHOTS, "record-phone.png"), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });

  // Printed: only the document, no app chrome or buttons.
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.getByRole("button", { name: /打印/ }).isVisible(), false);
  assert.equal(await page.locator(".app-header").isVisible(), false);
  assert.equal(await page.getByRole("heading", { name: /安全生产现场检查记录/ }).isVisible(), true);
  await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
  await page.screenshot({ path: path.join(SHOTS, "record-print.png"), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.emulateMedia({ media: "screen" });
  const recordPdf = await page.pdf({ format: "A4", printBackground: true });
  await writeFile(path.join(SHOTS, "record.pdf"), recordPdf);
  assertA4Pdf(recordPdf);

  // The notice, from the record.
  await page.getByRole("link", { name: /责令限期整改指令书/ }).click();
  await page.getByRole("heading", { name: /责令限期整改指令书/ }).waitFor();
  const notice = await page.getByRole("article").textContent();
  assert.ok(notice.includes(`${site}（统一社会信用代码：91440300708461136T）`), "the addressee");
  assert.match(notice, /共 3 项，其中重大隐患 1 项/);
  assert.ok(notice.includes("文书编号及印章以执法机关出具的正式文书为准"), "no document number is invented");
  const item = page.getByRole("region", { name: /FW-05 重大隐患/ });
  const itemText = await item.textContent();
  assert.ok(itemText.includes(description), "the description exactly as typed");
  assert.ok(itemText.includes("安监总管三〔2017〕121号") && itemText.includes("第五项"), "the basis the item carries");
  assert.ok(itemText.includes("消除重大事故隐患") && itemText.includes("企业安全费用"), "the five measures");
  assert.ok(itemText.includes("局部停产停业"), "the suspension decision");
  assert.equal(await item.getByRole("cell", { name: HOSTILE, exact: true }).count(), 1, "the location cell");
  assert.ok((await page.getByRole("region", { name: /FW-04 一般隐患/ }).textContent()).includes(FORMULA));
  await assertNothingInjected(page, dialogs);
  await page.screenshot({ path: path.join(SHOTS, "notice-tablet.png"), fullPage: true });
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 794, height: 1123 });
  await page.screenshot({ path: path.join(SHOTS, "notice-print.png"), fullPage: true });
  await page.setViewportSize({ width: 768, height: 1024 });
  await page.emulateMedia({ media: "screen" });
  const noticePdf = await page.pdf({ format: "A4", printBackground: true });
  await writeFile(path.join(SHOTS, "notice.pdf"), noticePdf);
  assertA4Pdf(noticePdf);

  // A second, unsealed inspection with one hazard (FW-02): the ledger covers every inspection.
  await startFireworksInspection(page, env.server.url, "另一家烟花爆竹零售店");
  await answerItems(page, 2);

  // The ledger, from the home screen.
  await page.goto(`${env.server.url}/#/`);
  // The file is named for the device's local date when it is made: read in the page just
  // before and just after, so a run across midnight accepts either day.
  const localDay = () => page.evaluate(() => {
    const d = new Date();
    return `${d.getFullYear()}${String(d.getMonth() + 1).padStart(2, "0")}${String(d.getDate()).padStart(2, "0")}`;
  });
  const before = await localDay();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /导出隐患台账 CSV/ }).click(),
  ]);
  const after = await localDay();
  assert.ok(
    [before, after].map((day) => `paicha-hazards-${day}.csv`).includes(download.suggestedFilename()),
    `${download.suggestedFilename()} is named for ${before} or ${after}`,
  );
  await page.getByRole("status").filter({ hasText: /已导出 4 条隐患/ }).waitFor();
  const file = path.join(SHOTS, download.suggestedFilename());
  await download.saveAs(file);
  const bytes = await readFile(file);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 byte-order mark");
  const rows = parseCsv(bytes.subarray(3).toString("utf8"));
  const header = rows[0];
  // The ledger's own column set (paicha_core::hazard_ledger): the same 47 columns, in the same
  // order, as `paicha-ledger export hazards` writes, ending with the document edition each
  // hazard was judged by.
  assert.equal(header.length, 47);
  assert.deepEqual(header.slice(-3), ["依据文件", "依据文件版本", "检查表内容哈希"]);
  assert.deepEqual(header.slice(0, 6), ["隐患编号", "单位名称", "统一社会信用代码", "行政区划代码", "行业类别", "检查日期"]);
  for (const column of [
    "检查人员", "执法证号", "检查项", "检查表", "条目编号", "隐患描述", "隐患部位", "隐患等级", "判定依据",
    "整改措施", "整改责任人", "整改期限", "预计资金（元）", "是否停产停业", "状态", "签章状态", "复查结论", "复查日期",
  ]) {
    assert.ok(header.includes(column), `column ${column}`);
  }
  const records = rows.slice(1).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  assert.equal(records.length, 4, "one row per hazard: 3 in the sealed inspection, 1 in the draft");
  assert.ok(rows.every((r) => r.length === header.length), "every row has every column");
  // YH-<day found, China Standard Time>-<last 12 hex digits of the inspection id>-<item>.
  const tail = id.replaceAll("-", "").slice(-12);
  const numbers = records.slice(0, 3).map((r) => r["隐患编号"]);
  assert.deepEqual(numbers.map((n) => n.replace(/^YH-\d{8}-/, "")), [`${tail}-FW-02`, `${tail}-FW-04`, `${tail}-FW-05`]);
  assert.ok(numbers.every((n) => n.slice(3, 11) === records[0]["检查日期"].replaceAll("-", "")));
  const fw05 = records[2];
  assert.equal(fw05["条目编号"], "FW-05");
  assert.equal(fw05["隐患描述"], description, "literal, line break and quotes included");
  assert.equal(fw05["隐患部位"], HOSTILE);
  assert.equal(fw05["隐患等级"], "重大隐患");
  assert.equal(fw05["是否停产停业"], "局部停产停业");
  assert.equal(fw05["单位名称"], site);
  assert.match(fw05["判定依据"], /安监总管三〔2017〕121号/);
  assert.equal(records[1]["整改责任人"], `'${FORMULA}`, "a formula is defused with a leading quote");
  assert.equal(records[0]["隐患等级"], "一般隐患");
  assert.equal(records[3]["单位名称"], "另一家烟花爆竹零售店");
  assert.deepEqual(
    records.map((r) => r["签章状态"]),
    ["已签章", "已签章", "已签章", "草稿（未签章）"],
  );
  // The whole team, the inspector first; the type; where each hazard stands today (drafts: none).
  assert.equal(fw05["检查人员"], "张三、钱协查");
  assert.equal(fw05["执法证号"], "44010012345、CO-0002");
  assert.deepEqual(records.map((r) => r["检查类型"]), ["日常检查", "日常检查", "日常检查", "日常检查"]);
  assert.deepEqual(records.map((r) => r["状态"]), ["整改中", "整改中", "整改中", ""]);
  assert.ok(records.every((r) => r["复查结论"] === "" && r["复查日期"] === ""), "nothing re-inspected yet");
  await assertNothingInjected(page, dialogs);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
