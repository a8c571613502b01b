// Saved sites (被检单位), the inspector's profile, and the inspection team: sites are created,
// validated field by field (nothing typed is lost), unique by credit code, edited, searched and
// listed most recently inspected first; the new-inspection form picks a saved site and records
// the inspection type and co-inspectors, which the printable record shows; sealing waits for a
// second officer. Elements are found by role and label.

import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "./harness.mjs";
import { creditCode, fillCoInspector, fillRegistration, register, savedShown, storedInspection } from "./app-helpers.mjs";

const PHONE = { width: 360, height: 640 };
const TABLET = { width: 768, height: 1024 };

const env = useApp();

/** Every value of an IndexedDB store, parsed (values are stored as JSON text). */
async function storedAll(page, store) {
  return page.evaluate(
    (store) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const request = open.result.transaction(store).objectStore(store).getAll();
          request.onsuccess = () => resolve(request.result.map((v) => JSON.parse(v)));
          request.onerror = () => reject(request.error);
        };
      }),
    store,
  );
}

/** The message shown for a field: the text of the element its aria-describedby names. */
/**
 * Waits until the message named by `label`'s field matches `re` (the registration form is
 * checked by code loaded on demand, so its messages come a moment after the click).
 */
async function expectMessage(page, label, re) {
  const deadline = Date.now() + 10_000;
  let text = "";
  while (Date.now() < deadline) {
    text = await messageFor(page, label);
    if (re.test(text)) return;
    await page.waitForTimeout(100);
  }
  assert.match(text, re, `the message of ${label}`);
}

async function messageFor(page, label) {
  const field = page.getByLabel(label, { exact: false });
  const ids = (await field.getAttribute("aria-describedby")) ?? "";
  const texts = [];
  for (const id of ids.split(/\s+/).filter(Boolean)) {
    const element = page.locator(`[id="${id}"]`);
    if (await element.isVisible()) texts.push(await element.textContent());
  }
  return texts.join(" ");
}

/**
 * At phone size: nothing wider than the screen, and every visible control (buttons, fields,
 * the labels wrapping checkboxes and radios, list links) at least 44 px tall.
 */
async function assertPhoneLayout(page, screen) {
  const problems = await page.evaluate(() => {
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth) {
      out.push(`page is ${document.documentElement.scrollWidth}px wide`);
    }
    const selector = [
      "button",
      "a.button",
      "select",
      "input:not([type=checkbox]):not([type=radio])",
      "label:has(> input[type=checkbox])",
      "label:has(> input[type=radio])",
      ".site-list a",
    ].join(",");
    for (const el of document.querySelectorAll(`main :is(${selector})`)) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // hidden
      if (box.height < 43.5) out.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" is ${box.height}px tall`);
      if (box.right > window.innerWidth + 0.5) out.push(`${el.tagName} "${el.textContent.trim().slice(0, 30)}" overflows`);
    }
    return out;
  });
  assert.deepEqual(problems, [], `${screen} at phone size`);
}

/** Site names in the sites list, top to bottom. */
async function listedSites(page) {
  return page.getByRole("list", { name: /单位列表/ }).getByRole("link").allTextContents();
}

async function fillSite(page, site) {
  const fields = [
    ["被检单位名称", site.name],
    ["统一社会信用代码", site.code],
    ["地址", site.address],
    ["乡镇（街道）", site.township],
    ["网格", site.grid],
    ["联系人", site.contact],
    ["联系电话", site.phone],
  ];
  for (const [label, value] of fields) {
    if (value !== undefined) await page.getByLabel(label).fill(value);
  }
  for (const sector of site.sectors ?? []) {
    await page.getByRole("checkbox", { name: sector }).check();
  }
}

async function openSites(page) {
  await page.goto(`${env.server.url}/#/`);
  await page.getByRole("link", { name: /被检单位/ }).click();
  await page.getByRole("heading", { name: /^被检单位/ }).waitFor();
}

const FACTORY = {
  name: "浏阳市某某烟花制造有限公司",
  code: creditCode(0),
  address: "浏阳市大瑶镇花炮大道 88 号",
  township: "大瑶镇",
  grid: "第三网格",
  contact: "王经理",
  phone: "0731-83123456",
  sectors: [/^烟花爆竹$/],
};

test("sites: create with every field, per-field errors keep the text, duplicates refused, edit, search, recent first", async () => {
  const context = await env.browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "张三", "GD-1001");

  // A new site with a bad phone number and a wrong check digit: both are named next to their
  // fields at once, and what was typed stays.
  await openSites(page);
  await page.getByRole("link", { name: /新建单位/ }).click();
  await page.getByRole("heading", { name: /^新建单位/ }).waitFor();
  await fillSite(page, { ...FACTORY, code: "91440300708461136X", phone: "12345" });
  await page.getByRole("button", { name: /保存单位/ }).click();
  await page.getByRole("alert").filter({ hasText: /电话号码格式不正确/ }).waitFor();
  assert.match(await messageFor(page, "联系电话"), /电话号码格式不正确：12345/);
  assert.match(await messageFor(page, "统一社会信用代码"), /校验码错误/);
  assert.equal(await page.getByLabel("联系电话").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("统一社会信用代码").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("联系电话").inputValue(), "12345", "the phone as typed");
  assert.equal(await page.getByLabel("统一社会信用代码").inputValue(), "91440300708461136X", "the code as typed");
  assert.equal(await page.getByLabel("地址").inputValue(), FACTORY.address, "other fields are kept");
  assert.equal(await page.getByRole("checkbox", { name: /^烟花爆竹$/ }).isChecked(), true);
  assert.deepEqual(await storedAll(page, "sites"), [], "nothing saved");
  await assertPhoneLayout(page, "the site form with its messages");

  // Corrected: saved with every field (the phone normalised), listed.
  await page.getByLabel("统一社会信用代码").fill(FACTORY.code);
  await page.getByLabel("联系电话").fill(FACTORY.phone);
  await page.getByRole("button", { name: /保存单位/ }).click();
  await page.getByRole("heading", { name: /^被检单位/ }).waitFor();
  assert.deepEqual(await listedSites(page), [FACTORY.name]);
  await until(async () => (await storedAll(page, "sites")).length === 1, "the site to be stored");
  const [stored] = await storedAll(page, "sites");
  assert.deepEqual(stored.site, {
    name: FACTORY.name,
    credit_code: FACTORY.code,
    address: FACTORY.address,
    township: FACTORY.township,
    grid: FACTORY.grid,
    sectors: ["fireworks"],
    contact_name: FACTORY.contact,
    contact_phone: "0731-83123456",
  });

  // A second site with the same credit code is refused, with a link to the saved one.
  await page.getByRole("link", { name: /新建单位/ }).click();
  await fillSite(page, { name: "另一家公司", code: FACTORY.code });
  await page.getByRole("button", { name: /保存单位/ }).click();
  await page.getByRole("alert").filter({ hasText: /已登记为“浏阳市某某烟花制造有限公司”/ }).waitFor();
  assert.match(await messageFor(page, "统一社会信用代码"), /已登记/);
  assert.equal(await page.getByLabel("被检单位名称").inputValue(), "另一家公司", "typed text stays");
  assert.equal((await storedAll(page, "sites")).length, 1);
  await page.getByRole("link", { name: /查看已登记的单位/ }).click();
  await page.getByRole("heading", { name: /^编辑单位/ }).waitFor();
  assert.equal(await page.getByLabel("被检单位名称").inputValue(), FACTORY.name);

  // Edit: a new grid and contact phone.
  await page.getByLabel("网格").fill("第五网格");
  await page.getByLabel("联系电话").fill("+86 138 0000 1111");
  await page.getByRole("button", { name: /保存单位/ }).click();
  await page.getByRole("heading", { name: /^被检单位/ }).waitFor();
  const list = page.getByRole("list", { name: /单位列表/ });
  await list.getByText(/第五网格/).waitFor();
  await until(async () => (await storedAll(page, "sites"))[0].site.grid === "第五网格", "the edit to be stored");
  const [edited] = await storedAll(page, "sites");
  assert.equal(edited.site.grid, "第五网格");
  assert.equal(edited.site.contact_phone, "13800001111");
  assert.equal(edited.created_at, stored.created_at, "an edit keeps the creation time");

  // A second site; the newest is listed first.
  const SHOP = { name: "长沙某某烟花零售店", code: creditCode(1), township: "黄兴镇", sectors: [/^烟花爆竹$/] };
  await page.getByRole("link", { name: /新建单位/ }).click();
  await fillSite(page, SHOP);
  await page.getByRole("button", { name: /保存单位/ }).click();
  await page.getByRole("heading", { name: /^被检单位/ }).waitFor();
  assert.deepEqual(await listedSites(page), [SHOP.name, FACTORY.name]);
  await assertPhoneLayout(page, "the sites list");

  // Search: by township, by part of the credit code, by nothing that matches.
  const search = page.getByLabel("搜索单位");
  await search.fill("大瑶");
  assert.deepEqual(await listedSites(page), [FACTORY.name]);
  await search.fill(SHOP.code.slice(-6).toLowerCase());
  assert.deepEqual(await listedSites(page), [SHOP.name]);
  await search.fill("不存在的单位");
  assert.deepEqual(await listedSites(page), []);
  await search.fill("");

  // Inspecting the older site brings it to the top. It is picked in the new-inspection form.
  await page.goto(`${env.server.url}/#/`);
  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByLabel("搜索已登记单位").fill("大瑶");
  const choices = page.getByRole("list", { name: /已登记单位/ }).getByRole("button");
  assert.equal(await choices.count(), 1);
  await choices.first().click();
  assert.equal(await choices.first().getAttribute("aria-pressed"), "true");
  await page.getByRole("status").filter({ hasText: `已选择：${FACTORY.name}` }).waitFor();
  // The site is in the fireworks sector: fireworks checklists are listed first.
  await page.getByText(/该单位所属行业的检查表列在前面/).waitFor();
  await assertPhoneLayout(page, "the new-inspection form");
  const firstChecklist = page.getByRole("radio").first();
  assert.match(await page.getByRole("radio").first().evaluate((r) => r.closest("label").textContent), /烟花爆竹/);
  await firstChecklist.check();
  await fillCoInspector(page, { name: "李四", cert: "GD-1002" });
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  const id = new URL(page.url()).hash.split("/").pop();
  const inspection = await storedInspection(page, id);
  assert.equal(inspection.site.name, FACTORY.name);
  assert.equal(inspection.site.grid, "第五网格", "the saved site as it is now");
  await openSites(page);
  assert.deepEqual(await listedSites(page), [FACTORY.name, SHOP.name]);
  assert.equal((await storedAll(page, "sites")).length, 2, "picking a site saves no new one");
  assert.deepEqual(pageErrors, []);
  await context.close();
});

/** Polls `check` (async, in Node) until it is truthy, for at most 10 s. */
async function until(check, what) {
  const end = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("new inspection: a new site is saved on start; type and co-inspectors are stored and printed", async () => {
  const context = await env.browser.newContext({ viewport: TABLET, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "赵六", "GD-2001", { organisation: "浏阳市应急管理局", region: "130102001 建北街道" });

  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  // No saved site yet: the site's fields are shown directly.
  assert.equal(await page.getByRole("button", { name: /^新单位/ }).count(), 0);
  await fillSite(page, { ...FACTORY, phone: "0731-8312" });
  await page.getByLabel("检查类型").selectOption("special");
  await page.getByText(/签章前须至少有一名同行检查人员/).waitFor();
  await fillCoInspector(page, { name: "孙七", cert: "GD-2002" });
  await fillCoInspector(page, { name: "周八", cert: "" }, 2);
  await page.getByRole("button", { name: /开始检查/ }).click();
  // A half-filled co-inspector row and a bad phone: each named where it is, nothing started.
  await page.getByRole("alert").filter({ hasText: /电话号码格式不正确/ }).waitFor();
  assert.match(await messageFor(page, "同行检查人员 2 执法证号"), /请填写执法证号/);
  assert.equal(await page.getByLabel("同行检查人员 2 姓名").inputValue(), "周八");
  assert.equal(await page.getByLabel("联系电话").inputValue(), "0731-8312");
  assert.deepEqual(await storedAll(page, "inspections"), []);
  await page.getByRole("button", { name: "删除同行检查人员 2", exact: true }).click();
  assert.equal(await page.getByLabel("同行检查人员 2 姓名").count(), 0);
  await page.getByLabel("联系电话").fill(FACTORY.phone);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  const id = new URL(page.url()).hash.split("/").pop();

  // The header names both officers and the site's details.
  await page.getByText("执法人员：赵六（GD-2001）、孙七（GD-2002）").waitFor();
  await page.getByText(/浏阳市大瑶镇花炮大道 88 号 · 大瑶镇 · 第三网格 · 王经理 · 0731-83123456/).waitFor();
  await page.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/^符合/).check();
  await savedShown(page);
  const inspection = await storedInspection(page, id);
  assert.equal(inspection.kind, "special");
  assert.deepEqual(inspection.co_inspectors, [{ name: "孙七", cert_no: "GD-2002" }]);
  assert.equal(inspection.inspector.organisation, "浏阳市应急管理局");
  assert.equal(inspection.site.township, "大瑶镇");
  const sites = await storedAll(page, "sites");
  assert.equal(sites.length, 1, "the new site is saved on start");
  assert.equal(sites[0].site.credit_code, FACTORY.code);

  // The printable record: type, both officers with their numbers, the unit, the site's details.
  await page.goto(`${env.server.url}/#/record/${id}`);
  const record = page.getByRole("article");
  await page.getByRole("heading", { name: /安全生产现场检查记录/ }).waitFor();
  const text = await record.textContent();
  for (const expected of [
    "专项检查",
    "赵六（GD-2001）、孙七（GD-2002）",
    "浏阳市应急管理局 130102001 建北街道",
    FACTORY.address,
    "第三网格",
    "王经理 0731-83123456",
    "孙七 执法证号：GD-2002",
  ]) {
    assert.ok(text.includes(expected), `the record shows ${expected}`);
  }
  const typeRow = page.getByRole("row", { name: /检查类型/ });
  assert.match(await typeRow.textContent(), /专项检查/);

  // The next inspection starts with the same team; the same code typed as a new site is
  // refused with the saved one offered instead.
  await page.goto(`${env.server.url}/#/new`);
  assert.equal(await page.getByLabel("同行检查人员 1 姓名").inputValue(), "孙七");
  assert.equal(await page.getByLabel("同行检查人员 1 执法证号").inputValue(), "GD-2002");
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByRole("button", { name: /^新单位/ }).click();
  await fillSite(page, { name: "重复录入的单位", code: FACTORY.code });
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("alert").filter({ hasText: /已登记为/ }).waitFor();
  assert.equal((await storedAll(page, "inspections")).length, 1, "nothing started");
  await page.getByRole("button", { name: /改用已登记的单位/ }).click();
  await page.getByRole("status").filter({ hasText: `已选择：${FACTORY.name}` }).waitFor();

  // 复查 with no hazard due: a clear message, nothing started.
  await page.getByLabel("检查类型").selectOption("reinspection");
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("alert").filter({ hasText: /没有需要复查的隐患/ }).waitFor();
  assert.match(await messageFor(page, "检查类型"), /没有需要复查的隐患/);
  assert.equal((await storedAll(page, "inspections")).length, 1, "no re-inspection started");
  assert.deepEqual(pageErrors, []);
  await context.close();
});

test("completion: one officer blocks the seal until a co-inspector is added on the screen", async () => {
  const context = await env.browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await register(page, env.server.url, "吴九", "GD-3001");
  await page.goto(`${env.server.url}/#/new`);
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await fillSite(page, { name: "单人检查测试厂", code: creditCode(3) });
  // The empty co-inspector row is left as it is.
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/^符合/).check();
  await savedShown(page);
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  const blocker = page.getByRole("alert").filter({ hasText: /两名以上执法人员/ });
  await blocker.waitFor();
  await assertPhoneLayout(page, "the completion screen");
  const seal = page.getByRole("button", { name: /签章封存/ });
  assert.equal(await seal.isDisabled(), true);

  await fillCoInspector(page, { name: "郑十", cert: "GD-3002" });
  await page.getByRole("button", { name: /保存执法人员/ }).click();
  await page.getByRole("status").filter({ hasText: /执法人员已更新/ }).waitFor();
  await blocker.waitFor({ state: "hidden" });
  await savedShown(page);
  assert.equal(await seal.isDisabled(), false);
  await seal.click();
  await page.getByRole("button", { name: /签名并导出/ }).waitFor();
  const id = new URL(page.url()).hash.split("/").pop();
  const inspection = await storedInspection(page, id);
  assert.ok(inspection.sealed_at);
  assert.deepEqual(inspection.co_inspectors, [{ name: "郑十", cert_no: "GD-3002" }]);
  await context.close();
});

test("profile: registration asks for the unit; edits persist across a reload; old profiles are prompted", async () => {
  const context = await env.browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  await page.goto(`${env.server.url}/`);
  // Organisation and region are required; each missing one is named next to its field.
  await page.getByLabel("检查人员姓名").fill("冯十一");
  await page.getByLabel("执法证号").fill("GD-4001");
  await page.getByRole("button", { name: /登记/ }).click();
  await expectMessage(page, "所属单位", /请填写所属单位/);
  await expectMessage(page, "所属区域", /请填写所属区域/);
  assert.equal(await page.getByLabel("检查人员姓名").inputValue(), "冯十一", "typed text stays");
  // The region is chosen from the ledger's table (offered as the field's suggestions, from
  // the app's precached files); a name typed without its code is refused.
  await page.getByLabel("所属区域").fill("城关镇");
  await page.getByRole("button", { name: /登记/ }).click();
  await expectMessage(page, "所属区域", /请从列表中选择所属区域/);
  await page.locator('#inspector-region-list option[value="130102001 河北省 石家庄市 长安区 建北街道"]').waitFor({ state: "attached" });
  assert.equal(await page.getByLabel("所属区域").getAttribute("list"), "inspector-region-list");
  assert.ok((await page.locator("#inspector-region-list option").count()) > 2000, "the whole province is offered");
  await fillRegistration(page, { name: "冯十一", cert: "GD-4001", organisation: "某县应急管理局", region: "130102001 建北街道" });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();
  await page.getByText("所属单位：某县应急管理局 · 130102001 建北街道").waitFor();

  // Edit the profile; the certificate note explains it is recorded per inspection.
  await page.getByRole("link", { name: /个人信息/ }).click();
  await page.getByRole("heading", { name: /^个人信息/ }).waitFor();
  await page.getByText(/执法证号按每次检查分别记录/).waitFor();
  await assertPhoneLayout(page, "the profile screen");
  assert.match(await page.getByLabel("本机设备密钥标识").textContent(), /^[0-9a-f]{64}$/);
  await page.getByLabel("所属单位").fill("某市应急管理局");
  await page.getByLabel("所属区域").fill("");
  await page.getByRole("button", { name: /保存个人信息/ }).click();
  assert.match(await messageFor(page, "所属区域"), /请填写所属区域/);
  await page.getByLabel("所属区域").fill("130105 新华区");
  await page.getByLabel("执法证号").fill("GD-4009");
  await page.getByRole("button", { name: /保存个人信息/ }).click();
  await savedShown(page);
  await page.reload();
  await page.getByRole("heading", { name: /^个人信息/ }).waitFor();
  assert.equal(await page.getByLabel("所属单位").inputValue(), "某市应急管理局");
  assert.equal(await page.getByLabel("所属区域").inputValue(), "130105 新华区");
  assert.equal(await page.getByLabel("执法证号").inputValue(), "GD-4009");

  // A profile stored before units existed (name and number only) still loads; home asks for
  // the rest.
  await page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onsuccess = () => {
          const tx = open.result.transaction("kv", "readwrite");
          tx.objectStore("kv").put(JSON.stringify({ name: "冯十一", cert_no: "GD-4001" }), "profile");
          tx.oncomplete = () => resolve();
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.goto(`${env.server.url}/#/`);
  await page.reload();
  await page.getByText(/冯十一（执法证号 GD-4001）/).waitFor();
  await page.getByRole("link", { name: /完善个人信息/ }).click();
  await page.getByRole("heading", { name: /^个人信息/ }).waitFor();
  assert.equal(await page.getByLabel("所属单位").inputValue(), "");
  await context.close();
});

/** Makes every IndexedDB write fail as a full disk does (`on`), or succeed again. */
async function failWrites(page, on) {
  await page.evaluate((on) => {
    if (!window.__put) {
      window.__put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (...args) {
        if (window.__failWrites) throw new DOMException("simulated full disk", "QuotaExceededError");
        return window.__put.apply(this, args);
      };
    }
    window.__failWrites = on;
  }, on);
}

test("a failed write: the site form and the team say so and offer the retry; 'saved' only once stored", async () => {
  const context = await env.browser.newContext({ viewport: TABLET, locale: "zh-CN" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "陈十二", "GD-5001");

  // A new site while storage is full: the form stays, with what was typed and the failure.
  await openSites(page);
  await page.getByRole("link", { name: /新建单位/ }).click();
  await page.getByRole("heading", { name: /^新建单位/ }).waitFor();
  await fillSite(page, { name: "存储失败测试厂", code: creditCode(5), grid: "第一网格" });
  await failWrites(page, true);
  await page.getByRole("button", { name: /保存单位/ }).click();
  const failed = page.getByRole("status").filter({ hasText: /^✗ 未保存/ });
  await failed.waitFor();
  assert.match(await failed.textContent(), /存储空间已满/);
  assert.equal(await page.getByRole("heading", { name: /^新建单位/ }).count(), 1, "still on the form");
  assert.equal(await page.getByLabel("被检单位名称").inputValue(), "存储失败测试厂");
  assert.deepEqual(await storedAll(page, "sites"), []);
  // Space freed: the retry stores it, and only then the list is shown.
  await failWrites(page, false);
  await page.getByRole("button", { name: /重试保存/ }).click();
  await page.getByRole("heading", { name: /^被检单位/ }).waitFor();
  assert.deepEqual(await listedSites(page), ["存储失败测试厂"]);
  const sites = await storedAll(page, "sites");
  assert.equal(sites.length, 1, "stored before the list is shown");
  assert.equal(sites[0].site.grid, "第一网格");

  // The team on the completion screen: "updated" only once stored.
  await page.goto(`${env.server.url}/#/new`);
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("搜索已登记单位").fill("存储失败");
  await page.getByRole("list", { name: /已登记单位/ }).getByRole("button").first().click();
  // Starting while storage is full: the form stays, says so, and cannot start twice.
  const inspectionsBefore = (await storedAll(page, "inspections")).length;
  await failWrites(page, true);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await failed.waitFor();
  assert.match(page.url(), /#\/new$/, "not taken to an inspection that is not stored");
  assert.ok(await page.getByRole("button", { name: /开始检查/ }).isDisabled());
  assert.equal((await storedAll(page, "inspections")).length, inspectionsBefore);
  await failWrites(page, false);
  await page.getByRole("button", { name: /重试保存/ }).click();
  await page.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/^符合/).check();
  await savedShown(page);
  const id = new URL(page.url()).hash.split("/").pop();
  assert.equal((await storedAll(page, "inspections")).length, inspectionsBefore + 1, "started once");
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  await fillCoInspector(page, { name: "林十三", cert: "GD-5002" });
  await failWrites(page, true);
  await page.getByRole("button", { name: /保存执法人员/ }).click();
  await page.getByRole("status").filter({ hasText: /执法人员未保存/ }).waitFor();
  await failed.waitFor();
  assert.equal(await page.getByText(/执法人员已更新/).count(), 0, "nothing claimed");
  assert.equal((await storedInspection(page, id)).co_inspectors, undefined, "none stored");
  await failWrites(page, false);
  await page.getByRole("button", { name: /重试保存/ }).click();
  await page.getByRole("status").filter({ hasText: /执法人员已更新/ }).waitFor();
  assert.deepEqual((await storedInspection(page, id)).co_inspectors, [{ name: "林十三", cert_no: "GD-5002" }]);
  assert.deepEqual(pageErrors, []);
  await context.close();
});
