// Walking the checklist: per-section headings with progress, the 全部 / 未答 / 隐患 filter and
// the 跳转到条目 list. Filtering hides cards and never loses what was typed; the jump list
// scrolls to the item and focuses it, showing everything again when the filter hid it.
// Elements are found by role and label. Screenshots go to target/screenshots/.

import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { ROOT, useApp } from "./harness.mjs";
import { register, savedShown, startFireworksInspection } from "./app-helpers.mjs";

const SCREENSHOTS = path.join(ROOT, "target", "screenshots");
const PHONE = { width: 360, height: 640 };
const TABLET = { width: 768, height: 1024 };

const env = useApp();
before(() => mkdir(SCREENSHOTS, { recursive: true }));

async function screenshots(page, name) {
  for (const size of [PHONE, TABLET]) {
    await page.setViewportSize(size);
    await page.evaluate(() => scrollTo(0, 0));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${size.width}x${size.height}.png`), fullPage: true });
  }
  await page.setViewportSize(PHONE);
}

/** Visible buttons, link-buttons, toggles and selects in main are at least 44×44 CSS px. */
async function assertTouchTargets(page) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("main button, main a.button, main label.toggle, main select, main label.verdict")]
      .filter((e) => e.offsetParent !== null)
      .map((e) => ({ text: e.textContent.trim().slice(0, 30), rect: e.getBoundingClientRect() }))
      .filter(({ rect }) => rect.width < 44 || rect.height < 44)
      .map(({ text, rect }) => `${text} ${Math.round(rect.width)}×${Math.round(rect.height)}`),
  );
  assert.deepEqual(small, [], "touch targets under 44 px");
}

test("section progress, the 全部/未答/隐患 filter keeps typed text, and 跳转到条目 focuses the item", async () => {
  const context = await env.browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await register(page, env.server.url, "周九", "GD-0909");
  await startFireworksInspection(page, env.server.url, "筛选测试烟花厂");

  const group = (item) => page.getByRole("radiogroup", { name: new RegExp(`^${item} `) });
  const section = page.getByRole("region", { name: /重大生产安全事故隐患判定标准/ });
  const progress = section.getByRole("heading").filter({ hasText: /已答/ });
  assert.match(await progress.textContent(), /已答 0 \/ 19$/);

  await group("FW-01").getByLabel(/^符合/).check();
  await group("FW-02").getByLabel(/一般隐患/).check();
  await page.getByLabel("FW-02 隐患描述").fill("FW-02 安全出口堵塞");
  await page.getByLabel("FW-02 隐患部位").fill("一号仓库");
  await savedShown(page);
  assert.match(await progress.textContent(), /已答 2 \/ 19/);

  // 未答: only unanswered items; the count is in the toggle's name.
  const filter = (name) => page.getByRole("radio", { name });
  await page.getByRole("group", { name: /显示/ }).waitFor();
  await filter("未答 (17)").waitFor();
  await filter(/^未答/).check();
  await group("FW-02").waitFor({ state: "hidden" });
  assert.equal(await group("FW-01").isVisible(), false);
  assert.equal(await group("FW-03").isVisible(), true);
  await page.getByRole("status").filter({ hasText: /显示 17 条/ }).waitFor();

  // An item answered while 未答 is shown stays on screen with what is typed into it.
  await group("FW-03").getByLabel(/一般隐患/).check();
  await page.getByLabel("FW-03 隐患描述").fill("FW-03 防雷检测过期");
  await savedShown(page);
  assert.equal(await group("FW-03").isVisible(), true, "the answered item is still shown");
  assert.equal(await page.getByLabel("FW-03 隐患描述").inputValue(), "FW-03 防雷检测过期");
  await filter("未答 (16)").waitFor();
  await screenshots(page, "walk-unanswered");

  // 隐患: the two hazards, with their text intact.
  await filter(/^隐患/).check();
  await group("FW-04").waitFor({ state: "hidden" });
  assert.equal(await group("FW-02").isVisible(), true);
  assert.equal(await group("FW-03").isVisible(), true);
  assert.equal(await page.getByLabel("FW-02 隐患描述").inputValue(), "FW-02 安全出口堵塞");
  assert.equal(await page.getByLabel("FW-02 隐患部位").inputValue(), "一号仓库");
  await page.getByRole("status").filter({ hasText: /显示 2 条/ }).waitFor();
  await assertTouchTargets(page);

  // 跳转到条目: every applicable item is listed; jumping to a hidden one shows all again,
  // scrolls to it and focuses its first verdict.
  const jump = page.getByLabel("跳转到条目");
  const options = await jump.locator("option").allTextContents();
  assert.equal(options.length, 20, "placeholder + 19 applicable items (FW-20 to FW-22 are for retail points)");
  assert.match(options[15], /^FW-15 \S/);
  await jump.selectOption({ label: options[15] });
  await group("FW-15").waitFor();
  assert.equal(await filter(/^全部/).isChecked(), true, "the filter went back to all");
  await page.waitForFunction(() => {
    const card = document.getElementById("card-FW-15");
    const r = card.getBoundingClientRect();
    return card.contains(document.activeElement) && r.top < innerHeight && r.bottom > 0;
  });
  assert.equal(
    await group("FW-15").getByLabel(/^符合/).evaluate((e) => e === document.activeElement),
    true,
    "the first verdict of FW-15 has the focus",
  );
  assert.equal(await jump.inputValue(), "", "the list is back on its placeholder");
  // The keyboard works from there.
  await page.keyboard.press("Space");
  await savedShown(page);
  assert.equal(await group("FW-15").getByLabel(/^符合/).isChecked(), true);

  // Jumping within the visible items keeps the filter.
  await filter(/^隐患/).check();
  await jump.selectOption({ label: options[3] });
  await page.waitForFunction(() => document.getElementById("card-FW-03").contains(document.activeElement));
  assert.equal(await filter(/^隐患/).isChecked(), true);
  await screenshots(page, "walk-hazards");

  // 全部: everything is back, nothing typed was lost; after a reload too.
  await filter(/^全部/).check();
  await group("FW-19").waitFor();
  assert.match(await progress.textContent(), /已答 4 \/ 19/);
  await page.reload();
  await page.getByLabel("FW-03 隐患描述").waitFor();
  assert.equal(await page.getByLabel("FW-03 隐患描述").inputValue(), "FW-03 防雷检测过期");
  assert.equal(await page.getByLabel("FW-02 隐患描述").inputValue(), "FW-02 安全出口堵塞");
  assert.equal(await filter(/^全部/).isChecked(), true);

  assert.deepEqual(pageErrors, []);
  await context.close();
});
