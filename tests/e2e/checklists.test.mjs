// Checklist picker and applicability across sectors: search by pinyin initials, and a "no"
// to an applicability question hides the items that depend on it (and the answer is stored).

import { test } from "node:test";
import assert from "node:assert/strict";
import { useApp } from "./harness.mjs";
import { chooseSite, creditCode, fillRegistration, storedInspection } from "./app-helpers.mjs";

const env = useApp();

const SECTORS = [
  { query: "mk", title: /煤矿重大事故隐患排查/, question: /是否为井工煤矿/, key: "underground", item: "CM-02" },
  { query: "hg", title: /化工和危险化学品生产经营单位安全检查/, question: /重点监管危险化工工艺/, key: "key_process", item: "HC-04" },
  { query: "rymj", title: /人员密集场所消防安全检查/, question: /易燃易爆危险品/, key: "hazmat_site", item: "CV-01" },
];

async function register(page) {
  await page.goto(`${env.server.url}/`);
  await fillRegistration(page, { name: "李四", cert: "33010099" });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识").waitFor();
}

let sites = 0;

async function startInspection(page, sector, answerYes) {
  await page.goto(`${env.server.url}/#/new`);
  await page.getByLabel(/搜索检查表/).fill(sector.query);
  const radios = page.getByRole("radio", { name: sector.title });
  assert.equal(await radios.count(), 1, `search "${sector.query}" finds ${sector.title}`);
  await radios.check();
  const question = page.getByRole("checkbox", { name: sector.question });
  if (answerYes) await question.check();
  // Each test enterprise is saved on start: each gets a code of its own.
  await chooseSite(page, `测试单位-${sector.key}-${answerYes}`, creditCode(++sites));
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
  return new URL(page.url()).hash.split("/").pop();
}

test("three sectors: applicability hides items and is recorded", async () => {
  const page = await env.browser.newPage();
  await register(page);
  // Searching by Chinese text works as well as by initials.
  await page.goto(`${env.server.url}/#/new`);
  await page.getByLabel(/搜索检查表/).fill("索道");
  assert.equal(await page.getByRole("radio", { name: /客运索道/ }).count(), 1);
  await page.getByLabel(/搜索检查表/).fill("zzzz");
  assert.equal(await page.getByRole("radio").count(), 0);
  await page.getByText("没有匹配的检查表").waitFor();

  for (const sector of SECTORS) {
    const hiddenId = await startInspection(page, sector, false);
    assert.equal(await page.getByRole("radiogroup", { name: new RegExp(`^${sector.item} `) }).count(), 0, `${sector.item} hidden`);
    assert.ok((await page.getByRole("radiogroup").count()) > 0, "other items remain");
    const hidden = await storedInspection(page, hiddenId);
    assert.equal(hidden.applicability[sector.key], false);

    const shownId = await startInspection(page, sector, true);
    assert.equal(await page.getByRole("radiogroup", { name: new RegExp(`^${sector.item} `) }).count(), 1, `${sector.item} shown`);
    const shown = await storedInspection(page, shownId);
    assert.equal(shown.applicability[sector.key], true);
    assert.match(shown.checklist.content_hash, /^[0-9a-f]{64}$/);
  }
  await page.close();
});

test("switching checklist: a question both ask starts unticked, and what is ticked is what is stored", async () => {
  const page = await env.browser.newPage();
  await register(page);
  await page.goto(`${env.server.url}/#/new`);
  const gas = page.getByRole("radio", { name: /城镇燃气经营安全检查/ });
  const trade = page.getByRole("radio", { name: /工贸企业安全检查/ });
  // `major_hazard_open`, asked by most checklists.
  const question = page.getByRole("checkbox", { name: /尚未治理完毕的重大事故隐患/ });
  await gas.check();
  await question.check();
  // Another checklist asking the same question: its answers start afresh, and the box says so.
  await trade.check();
  assert.equal(await question.count(), 1);
  assert.equal(await question.isChecked(), false, "nothing answered for this checklist yet");
  await gas.check();
  assert.equal(await question.isChecked(), false, "switching back starts afresh too");
  await trade.check();
  await question.check();
  await chooseSite(page, "测试单位-切换检查表", creditCode(++sites));
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
  const id = new URL(page.url()).hash.split("/").pop();
  const stored = await storedInspection(page, id);
  assert.equal(stored.checklist.id, "industry-trade");
  assert.equal(stored.applicability.major_hazard_open, true);
  // The items that depend on it are there to answer.
  assert.equal(await page.getByRole("radiogroup", { name: /^GEN-06 / }).count(), 1);
  await page.close();
});
