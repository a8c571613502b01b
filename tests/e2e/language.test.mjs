// The interface language: Simplified Chinese by default (whatever the browser's language),
// English on request from home, the profile or the registration screen; the choice survives a
// reload (localStorage, <html lang>), the data typed in one language reads the same in the
// other, and the printable records stay Chinese legal documents.
// Elements are found by role and label, as assistive technology finds them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "./harness.mjs";
import { register, savedShown, startFireworksInspection } from "./app-helpers.mjs";

const env = useApp();

// FW-01 of checklists/fireworks.toml, in both languages.
const FW01_ZH = "主要负责人、安全生产管理人员未依法经考核合格。";
const FW01_EN = "Principal / safety managers not certified.";
const FW02_ZH = "特种作业人员未持证上岗，作业人员带药检维修设备设施。";
const FW02_EN = "Uncertified special workers; repairing equipment with powder present.";

const htmlLang = (page) => page.evaluate(() => document.documentElement.lang);
const storedLang = (page) => page.evaluate(() => localStorage.getItem("paicha.lang"));

/** None of `texts` is on screen (exact text of an element). */
async function assertAbsent(page, texts) {
  for (const text of texts) {
    assert.equal(await page.getByText(text, { exact: true }).count(), 0, `"${text}" is not shown`);
  }
}

test("Chinese by default, English on request, kept across a reload, data unchanged either way", async () => {
  // An English browser: the app still starts in Chinese.
  const context = await env.browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(`${env.server.url}/`);

  // Registration, in Chinese only.
  await page.getByLabel("检查人员姓名").fill("郑语言");
  assert.equal(await htmlLang(page), "zh-CN");
  await assertAbsent(page, ["Inspector name", "Inspector registration", "Register"]);
  assert.equal(await page.getByText(/Inspector name/).count(), 0);
  assert.equal(await page.getByRole("heading", { name: "检查人员登记", exact: true }).count(), 1);

  // The switch on the registration screen keeps what was typed.
  await page.getByRole("button", { name: /^切换语言 English$/ }).click();
  assert.equal(await page.getByLabel("Inspector name").inputValue(), "郑语言");
  assert.equal(await htmlLang(page), "en");
  await assertAbsent(page, ["检查人员姓名", "检查人员登记"]);
  await page.getByRole("button", { name: /^Switch language 中文$/ }).click();
  assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "郑语言");

  // A message from the domain ("中文 / English") shows its Chinese half only.
  await page.getByRole("button", { name: /登记/ }).click();
  const certError = page.locator("#inspector-cert-error");
  assert.equal((await certError.textContent()).trim(), "请填写执法证号");
  await page.getByLabel("执法证号").fill("GD-7001");
  await page.getByLabel("所属单位").fill("某县应急管理局");
  await page.getByLabel("所属区域").fill("130102001 建北街道");
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();

  // Home in Chinese: no English names.
  await page.getByRole("link", { name: "新建检查", exact: true }).waitFor();
  await assertAbsent(page, ["New inspection", "Enterprises", "Export and upload", "Profile", "Inspections", "Hazard ledger"]);
  assert.equal(await page.getByRole("link", { name: /New inspection|Follow-up|Storage/ }).count(), 0);

  // An inspection started and answered in Chinese.
  const id = await startFireworksInspection(page, env.server.url, "语言测试烟花厂");
  await page.getByText(FW01_ZH, { exact: true }).waitFor();
  assert.equal(await page.getByText(FW01_EN).count(), 0, "the item's English text is not shown");
  await assertAbsent(page, ["Finish and seal", "Compliant", "General hazard"]);
  const chinese = "安全出口堵塞 exit blocked（中英混写）";
  await page.getByRole("radiogroup", { name: "FW-02 检查结果", exact: true }).getByLabel("一般隐患").check();
  await page.getByLabel("FW-02 隐患描述").fill(chinese);
  await savedShown(page);

  // Switch to English on home.
  await page.goto(`${env.server.url}/#/`);
  await page.getByRole("button", { name: /^切换语言 English$/ }).click();
  await page.getByRole("link", { name: "New inspection", exact: true }).waitFor();
  await assertAbsent(page, ["新建检查", "被检单位", "个人信息", "检查记录"]);
  assert.equal(await htmlLang(page), "en");
  assert.equal(JSON.parse(await storedLang(page)), "en");
  assert.match(await page.getByRole("heading", { level: 1 }).textContent(), /^Paicha/);
  await page.getByText("Signing on this device").waitFor();

  // The inspection in English: the item's English text, the Chinese data as typed.
  await page.getByRole("link", { name: "语言测试烟花厂" }).click();
  await page.getByRole("button", { name: "Finish and seal", exact: true }).waitFor();
  await page.getByText(FW01_EN, { exact: true }).waitFor();
  assert.equal(await page.getByText(FW01_ZH).count(), 0, "the item's Chinese text is not shown");
  assert.equal(await page.getByRole("radiogroup", { name: "FW-02 result", exact: true }).getByLabel("General hazard").isChecked(), true);
  assert.equal(await page.getByLabel("FW-02 hazard description").inputValue(), chinese);
  await assertAbsent(page, ["完成检查并签章", "一般隐患", "符合"]);
  // Item ids stay as they are.
  await page.getByRole("group", { name: "FW-01" }).first().waitFor();

  // Typed in English mode.
  const english = "Lightning protection test overdue 防雷检测过期";
  await page.getByRole("radiogroup", { name: "FW-03 result", exact: true }).getByLabel("General hazard").check();
  await page.getByLabel("FW-03 hazard description").fill(english);
  await page.getByLabel("FW-03 location in site").fill("二号仓库 store 2");
  await page.getByRole("status").filter({ hasText: /^✓ Saved$/ }).waitFor();

  // A reload keeps English, from the first paint (the loader sets <html lang>).
  await page.reload();
  await page.getByLabel("FW-03 hazard description").waitFor();
  assert.equal(await htmlLang(page), "en");
  assert.equal(await page.getByLabel("FW-03 hazard description").inputValue(), english);

  // The printable record is a Chinese legal document in both modes; only its buttons change.
  await page.goto(`${env.server.url}/#/record/${id}`);
  await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
  await page.getByRole("button", { name: "Print / save as PDF", exact: true }).waitFor();
  const sheet = await page.getByRole("article").textContent();
  assert.ok(sheet.includes(FW02_ZH) && !sheet.includes(FW02_EN), "item texts are Chinese in the record");
  // English glosses beside the Chinese headings, on screen only (print hides .doc-en).
  assert.equal(await page.locator("article .doc-en", { hasText: "Findings" }).count(), 1);
  assert.ok(sheet.includes(english) && sheet.includes(chinese), "the data as typed");

  // Back to Chinese on the profile screen.
  await page.goto(`${env.server.url}/#/profile`);
  await page.getByRole("heading", { name: "Profile", exact: true }).waitFor();
  await page.getByRole("button", { name: /^Switch language 中文$/ }).click();
  await page.getByRole("heading", { name: "个人信息", exact: true }).waitFor();
  assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "郑语言");
  assert.equal(await htmlLang(page), "zh-CN");
  assert.equal(JSON.parse(await storedLang(page)), "zh-CN");
  await assertAbsent(page, ["Profile", "Save profile", "Inspector name"]);

  // Everything typed in either language reads the same in Chinese.
  await page.goto(`${env.server.url}/#/inspection/${id}`);
  await page.getByRole("button", { name: "完成检查并签章", exact: true }).waitFor();
  await page.getByText(FW01_ZH, { exact: true }).waitFor();
  assert.equal(await page.getByLabel("FW-02 隐患描述").inputValue(), chinese);
  assert.equal(await page.getByLabel("FW-03 隐患描述").inputValue(), english);
  assert.equal(await page.getByLabel("FW-03 隐患部位").inputValue(), "二号仓库 store 2");
  await page.reload();
  await page.getByRole("button", { name: "完成检查并签章", exact: true }).waitFor();
  assert.equal(await htmlLang(page), "zh-CN");

  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("profile: unsaved edits survive a language switch; reopening the screen shows what is stored", async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "王切换", "GD-7101");
  await page.getByRole("link", { name: /个人信息/ }).click();
  await page.getByRole("heading", { name: "个人信息", exact: true }).waitFor();
  await page.getByLabel("检查人员姓名").fill("王切换（改）");
  await page.getByLabel("所属单位").fill("某市应急管理局");

  // The switch rebuilds the screen; what was typed stays, in either language.
  await page.getByRole("button", { name: /^切换语言 English$/ }).click();
  await page.getByRole("heading", { name: "Profile", exact: true }).waitFor();
  assert.equal(await page.getByLabel("Inspector name").inputValue(), "王切换（改）");
  assert.equal(await page.getByLabel(/^Organisation/).inputValue(), "某市应急管理局");
  await page.getByRole("button", { name: /^Switch language 中文$/ }).click();
  await page.getByRole("heading", { name: "个人信息", exact: true }).waitFor();
  assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "王切换（改）");
  assert.equal(await page.getByLabel("所属单位").inputValue(), "某市应急管理局");

  // Not saved: leaving and coming back shows the stored profile.
  await page.getByRole("link", { name: /返回首页/ }).click();
  await page.getByRole("link", { name: /个人信息/ }).click();
  await page.getByRole("heading", { name: "个人信息", exact: true }).waitFor();
  assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "王切换");
  assert.equal(await page.getByLabel("所属单位").inputValue(), "某县应急管理局");

  // Edited, switched, saved: what was typed is what is stored.
  await page.getByLabel("所属区域").fill("130105 新华区");
  await page.getByRole("button", { name: /^切换语言 English$/ }).click();
  await page.getByRole("button", { name: "Save profile", exact: true }).click();
  await page.getByRole("status").filter({ hasText: /^✓ Saved$/ }).waitFor();
  await page.reload();
  await page.getByRole("heading", { name: "Profile", exact: true }).waitFor();
  assert.equal(await page.getByLabel(/^Region/).inputValue(), "130105 新华区");
  assert.deepEqual(pageErrors, []);
  await context.close();
});
