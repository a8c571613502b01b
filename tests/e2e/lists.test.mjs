// 督查 at the console, as a county supervisor works (issue 17's journey): sign in with a
// passkey, find the overdue major hazard in the ledger, open its evidence, assign it (交办) to
// a township, open a case (立案) for it, record the penalty on the enterprise and the
// accountability of the official — all by role and label. A supervisor of the next county
// sees none of it. Screenshots at desk (1280 px) and tablet (768 px) width.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, runLedger, useApp } from "./harness.mjs";
import { ENVELOPE, addAccount, continueReferenceChain, enrolKey, signedInPerson, upload } from "./access-helpers.mjs";

const DESK = { width: 1280, height: 900 };
const TABLET = { width: 768, height: 1024 };
const SCREENSHOTS = path.join(ROOT, "target", "screenshots");

const env = useApp();
before(() => mkdir(SCREENSHOTS, { recursive: true }));

const CHANGAN = {
  region: "130102",
  name: "长安区某烟花爆竹批发部",
  description: "长安区仓库防火门损坏",
  deadline: "2026-12-01",
};
// Two more hazards in 长安区, general ones: one due far ahead, one with no deadline.
const CHANGAN_LATER = { region: "130102", name: "长安区某加油站", description: "灭火器过期", deadline: "2099-12-31", verdict: "general_hazard" };
const CHANGAN_OPEN = { region: "130102", name: "长安区某仓库", description: "疏散通道堆放杂物", verdict: "general_hazard" };
const QIAOXI = { region: "130104", name: "桥西区某烟花爆竹零售店", description: "桥西区零售点超量储存" };
const SEEDED = [CHANGAN, QIAOXI, CHANGAN_LATER, CHANGAN_OPEN];
const CASE_NO = "石长应急罚立〔2026〕12号";
const DECISION_NO = "（石长）应急罚〔2026〕8号";

/** The day `n` days after `day` (YYYY-MM-DD). */
function addDays(day, n) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

async function screenshot(page, name) {
  for (const size of [DESK, TABLET]) {
    await page.setViewportSize(size);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow} px at ${size.width} px`);
  }
  await page.setViewportSize(DESK);
}

/** The rows of the table in the region named `name`, as text, without the header. */
async function tableRows(page, name) {
  const table = page.getByRole("region", { name }).getByRole("table");
  await table.waitFor();
  return (await table.getByRole("row").allTextContents()).slice(1);
}

test("a county supervisor assigns an overdue major hazard, opens a case and records the penalty", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const inspector = await addAccount(env.server, "张三", ["inspector@1301"]);
  await enrolKey(env.server, ENVELOPE, inspector.id);
  for (const body of [await readFile(ENVELOPE, "utf8"), ...continueReferenceChain(SEEDED)]) {
    const result = await upload(env.server, body);
    assert.equal(result.status, 201, JSON.stringify(result.body));
  }

  const supervisor = await signedInPerson(env.browser, env.server, "王督查", ["supervisor@130102"], { viewport: DESK });
  const { page } = supervisor;
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));

  // The overview's figures, against counts made here from what was seeded in 长安区.
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10); // China Standard Time
  const mine = SEEDED.filter((s) => s.region === "130102");
  const expected = {
    逾期未整改: mine.filter((s) => s.deadline && s.deadline < today).length,
    整改中: mine.filter((s) => !s.deadline || s.deadline > addDays(today, 3)).length,
    重大隐患: mine.filter((s) => !s.verdict).length,
    一般隐患: mine.filter((s) => s.verdict === "general_hazard").length,
  };
  for (const [label, count] of Object.entries(expected)) {
    const figure = page.getByRole("figure", { name: label.endsWith("隐患") ? /按等级/ : /按状态/ });
    const cell = figure.getByRole("row", { name: new RegExp(`^${label}`) }).getByRole("cell");
    assert.equal(Number(await cell.textContent()), count, `${label} on the overview`);
  }
  assert.equal(await page.getByRole("figure", { name: /按状态/ }).locator("svg[role=img]").count(), 1);
  // Its overdue figure is a link to the ledger filtered to it.
  await page.getByRole("figure", { name: /按状态/ }).getByRole("row", { name: /^逾期未整改/ }).getByRole("link").click();
  await page.waitForURL(/status=overdue/);

  // The ledger, filtered: 长安区's major hazard, overdue since 1 December.
  const rows = await tableRows(page, /隐患台账表格/);
  assert.equal(rows.length, expected.逾期未整改, rows.join("\n"));
  assert.match(rows[0], /重大隐患/);
  assert.match(rows[0], /逾期/);
  const hazardNo = (await page.getByRole("region", { name: /隐患台账表格/ }).getByRole("link").first().textContent()).trim();
  await screenshot(page, "console-overview");
  assert.match(hazardNo, /^YH-\d{8}-[0-9a-f]{12}-A-01$/);

  // Its evidence, from the overview's list of the oldest overdue majors: the finding, the
  // order, the signature, the photo.
  await page.getByRole("list", { name: /逾期最久的重大隐患/ }).getByRole("link", { name: hazardNo }).click();
  await page.getByRole("heading", { level: 1, name: /隐患证据/ }).waitFor();
  const evidenceUrl = page.url();
  const main = page.getByRole("main");
  for (const text of [CHANGAN.description, CHANGAN.name, "2026-12-01", "立即修复", "二号仓库", "张三", "第 2 号批次", "判定依据"]) {
    assert.ok((await main.textContent()).includes(text), `the evidence shows ${text}`);
  }
  const photo = page.getByRole("img", { name: /隐患照片 1/ });
  await photo.waitFor();
  assert.ok(await photo.evaluate((img) => img.complete && img.naturalWidth > 0), "the photo loads");
  const creditCode = (await main.textContent()).match(/统一社会信用代码([0-9A-Z]{18})/)?.[1];
  assert.ok(creditCode, "the evidence shows the credit code");
  await screenshot(page, "console-evidence");

  // 交办 to 建北街道 with a deadline.
  await page.getByLabel(/交办给/).selectOption({ label: "乡镇 建北街道" });
  await page.getByLabel(/办理期限/).fill("2099-12-31");
  await page.getByLabel(/交办说明/).fill("请督促企业立即整改并复查");
  await page.getByRole("button", { name: /^交办/ }).click();
  const assignments = await tableRows(page, /交办记录/);
  assert.equal(assignments.length, 1, assignments.join("\n"));
  assert.match(assignments[0], /建北街道.*2099-12-31.*请督促企业立即整改并复查.*当前/);

  // 立案 from the evidence: the enterprise and the hazard are filled in.
  const caseForm = page.getByRole("form", { name: /立案/ });
  assert.equal(await caseForm.getByLabel(/单位名称/).inputValue(), CHANGAN.name);
  assert.equal(await caseForm.getByLabel(/关联隐患编号/).inputValue(), hazardNo);
  await caseForm.getByLabel(/案件编号/).fill(CASE_NO);
  await caseForm.getByLabel(/案由/).fill("重大事故隐患逾期未整改");
  await caseForm.getByRole("button", { name: /立案/ }).click();
  await page.getByRole("heading", { level: 1, name: /案件查办/ }).waitFor();
  const cases = await tableRows(page, /案件查办表格/);
  assert.equal(cases.length, 1);
  assert.ok(cases[0].includes(CASE_NO) && cases[0].includes(hazardNo) && cases[0].includes("办理中"), cases[0]);

  // The penalty: a fine without its amount is refused at the field, then recorded.
  await page.getByRole("navigation", { name: /主菜单/ }).getByRole("link", { name: /违法企业处罚/ }).click();
  const penaltyForm = page.getByRole("form", { name: /记录处罚/ });
  await penaltyForm.getByLabel(/决定书文号/).fill(DECISION_NO);
  await penaltyForm.getByLabel(/单位名称/).fill(CHANGAN.name);
  await penaltyForm.getByLabel(/统一社会信用代码/).fill(creditCode);
  await penaltyForm.getByLabel(/处罚依据/).fill("《中华人民共和国安全生产法》第一百零二条");
  await penaltyForm.getByLabel(/处罚种类/).selectOption({ label: "罚款 Fine" });
  await penaltyForm.getByLabel(/案件编号/).fill(CASE_NO);
  await penaltyForm.getByRole("button", { name: /记录处罚/ }).click();
  const amount = page.getByRole("form", { name: /记录处罚/ }).getByLabel(/金额/);
  assert.equal(await amount.getAttribute("aria-invalid"), "true");
  await page.getByRole("alert").filter({ hasText: /请填写金额/ }).waitFor();
  await amount.fill("50000");
  await page.getByRole("form", { name: /记录处罚/ }).getByRole("button", { name: /记录处罚/ }).click();
  const penalties = await tableRows(page, /违法企业处罚表格/);
  assert.equal(penalties.length, 1);
  assert.ok(penalties[0].includes(DECISION_NO) && penalties[0].includes("50000.00") && penalties[0].includes(CASE_NO), penalties[0]);
  await screenshot(page, "console-penalties");

  // 问责, from the evidence page's link (the hazard's number filled in).
  await page.goto(evidenceUrl);
  await page.getByRole("link", { name: /对此隐患记录问责/ }).click();
  const accountabilityForm = page.getByRole("form", { name: /记录问责/ });
  assert.equal(await accountabilityForm.getByLabel(/所涉隐患编号/).inputValue(), hazardNo);
  await accountabilityForm.getByLabel(/被问责人/).fill("赵六");
  await accountabilityForm.getByLabel(/职务/).fill("建北街道安监站站长");
  await accountabilityForm.getByLabel(/^单位/).fill("建北街道办事处");
  await accountabilityForm.getByLabel(/问责事由/).fill("重大事故隐患逾期未整改，督促不力");
  await accountabilityForm.getByLabel(/问责方式/).selectOption({ label: "诫勉 Admonishment" });
  await accountabilityForm.getByRole("button", { name: /记录问责/ }).click();
  const entries = await tableRows(page, /追责问责表格/);
  assert.equal(entries.length, 1);
  assert.ok(entries[0].includes("赵六") && entries[0].includes("诫勉") && entries[0].includes(hazardNo), entries[0]);

  // The evidence now names its case.
  await page.goto(evidenceUrl);
  assert.ok((await page.getByRole("main").textContent()).includes(CASE_NO));

  // 桥西区's supervisor: none of it — not the evidence, not the lists.
  const other = await signedInPerson(env.browser, env.server, "李督查", ["supervisor@130104"], { viewport: DESK });
  const response = await other.page.goto(evidenceUrl);
  assert.equal(response.status(), 404);
  await other.page.getByRole("alert").filter({ hasText: /不在您的辖区/ }).waitFor();
  for (const [link, region] of [[/案件查办/, /案件查办表格/], [/违法企业处罚/, /违法企业处罚表格/], [/追责问责/, /追责问责表格/]]) {
    await other.page.getByRole("navigation", { name: /主菜单/ }).getByRole("link", { name: link }).click();
    assert.deepEqual(await tableRows(other.page, region), []);
    const text = await other.page.getByRole("main").textContent();
    assert.ok(!text.includes(CHANGAN.name) && !text.includes(CASE_NO) && !text.includes("赵六"), "nothing of 长安区");
  }
  await other.context.close();

  // The audit trail has every change, by this supervisor's account.
  const audit = await auditActions(supervisor.id);
  for (const action of ["hazard_assigned", "case_opened", "penalty_recorded", "accountability_recorded"]) {
    assert.ok(audit.includes(action), `${action} audited: ${audit.join(", ")}`);
  }
  assert.deepEqual(pageErrors, []);
  await supervisor.context.close();
});

/** The actions the audit trail records for an account (`audit export`, CSV). */
async function auditActions(accountId) {
  const result = await runLedger(["audit", "export"], { dataDir: env.server.dataDir });
  assert.equal(result.code, 0, result.stderr);
  return result.stdout
    .split("\n")
    .filter((line) => line.includes(`account:${accountId}`))
    .map((line) => line.match(/\b(hazard_assigned|case_opened|penalty_recorded|accountability_recorded)\b/)?.[1])
    .filter(Boolean);
}
