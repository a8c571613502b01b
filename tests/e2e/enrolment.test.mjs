// Enrolling a phone without a server shell, as the people involved do it: the inspector's
// sealed inspection waits in the outbox because the ledger does not know the phone; the
// inspector asks to be enrolled from the phone (a request signed with the device key), which
// shows its key id and a six-digit code; a supervisor of the inspector's county compares both
// in the console and binds the phone to the inspector's account; the phone sees that by itself
// and the waiting record uploads. A supervisor of another county never sees the request.
// The browser opens the ledger as http://localhost:PORT (passkeys and the signed requests'
// target URI both name the ledger's public URL).

import { test } from "node:test";
import assert from "node:assert/strict";
import { runLedger, useApp } from "./harness.mjs";
import { addAccount, localhostUrl, signedInPerson } from "./access-helpers.mjs";
import { completeAndSeal, fillCoInspector, fillRegistration, withCheckDigit } from "./app-helpers.mjs";

const PHONE = { width: 360, height: 740 };
const DESK = { width: 1280, height: 800 };

const env = useApp();

test("a phone asks to be enrolled, a supervisor of its county confirms it, its record uploads", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const base = localhostUrl(env.server);
  const phone = await env.browser.newContext({ viewport: PHONE, locale: "zh-CN" });
  const page = await phone.newPage();
  await page.goto(`${base}/`);
  await fillRegistration(page, { name: "王五", cert: "13010200001", region: "130102 河北省 石家庄市 长安区" });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill("长安区登记测试烟花店");
  await page.getByLabel("统一社会信用代码").fill(withCheckDigit("91130102MA0000001"));
  await fillCoInspector(page);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("radiogroup", { name: /^FW-01 / }).getByLabel(/符合/).check();
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
  await completeAndSeal(page);
  await page.getByRole("button", { name: /签名并导出/ }).click();
  await page.getByRole("link", { name: /上传状态/ }).click();
  const entry = page.getByRole("listitem").first();
  await entry.getByText(/尚未在台账登记，登记后自动上传/).waitFor();

  // From the outbox to the enrolment screen; nothing is asked before the inspector asks.
  await page.getByRole("link", { name: /申请登记/ }).click();
  await page.getByRole("heading", { name: /^本设备登记/ }).waitFor();
  await page.getByRole("status").getByText(/本设备尚未在台账登记/).waitFor();
  const keyPrefix = (await page.getByLabel("设备密钥标识（前16位）").textContent()).trim();
  assert.match(keyPrefix, /^([0-9a-f]{4} ){3}[0-9a-f]{4}$/, "16 digits in groups of four, to read aloud");
  await page.getByRole("button", { name: /申请登记/ }).click();
  const codeField = page.getByLabel("确认码");
  await codeField.waitFor();
  const code = (await codeField.textContent()).trim();
  assert.match(code, /^\d{6}$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the enrolment screen is ${overflow}px wider than a 360px screen`);
  // Opened again later, the screen shows the same code without asking again.
  await page.reload();
  await page.getByLabel("确认码").waitFor();
  assert.equal((await page.getByLabel("确认码").textContent()).trim(), code);

  // The inspector's account; a supervisor of another county (桥西区) does not see the phone.
  const inspector = await addAccount(env.server, "王五", ["inspector@130102"]);
  const other = await signedInPerson(env.browser, env.server, "桥西督查", ["supervisor@130104"], { viewport: DESK });
  await other.page.goto(`${base}/console/devices`);
  await other.page.getByRole("heading", { name: /等待确认的设备/ }).waitFor();
  assert.equal(await other.page.getByRole("form", { name: /确认设备/ }).count(), 0);
  assert.doesNotMatch(await other.page.locator("main").textContent(), /王五|13010200001/);
  await other.context.close();

  // The county's supervisor compares the key id and the code and confirms.
  const supervisor = await signedInPerson(env.browser, env.server, "长安督查", ["supervisor@130102"], { viewport: DESK });
  const console_ = supervisor.page;
  await console_.getByRole("link", { name: /设备登记/ }).click();
  const request = console_.getByRole("form", { name: "确认设备 王五" });
  await request.waitFor();
  assert.match(await request.textContent(), new RegExp(`${keyPrefix}…`));
  assert.match(await request.textContent(), /130102 河北省 石家庄市 长安区/);
  // A wrong code is refused and nothing is enrolled.
  await request.getByLabel(/确认码/).fill(code === "000000" ? "111111" : "000000");
  await request.getByLabel(/检查员账号/).selectOption({ label: "王五" });
  await request.getByRole("button", { name: /确认登记/ }).click();
  await console_.getByText(/确认码不符/).waitFor();
  await console_.goto(`${base}/console/devices`);
  await request.getByLabel(/确认码/).fill(code);
  await request.getByLabel(/检查员账号/).selectOption({ label: "王五" });
  await request.getByRole("button", { name: /确认登记/ }).click();
  await console_.getByText(/没有等待确认的设备/).waitFor();
  await supervisor.context.close();

  // The phone learns it by itself (the screen asks every 10 s) and the record goes up.
  await page.getByRole("status").getByText(/本设备已登记，属于 王五/).waitFor({ timeout: 30_000 });
  await page.getByRole("link", { name: /查看外发箱/ }).click();
  await page.getByRole("listitem").filter({ hasText: /已上传/ }).first().waitFor({ timeout: 20_000 });
  // The ledger holds the key bound to the inspector's account, and the audit trail says who
  // asked and who confirmed.
  const keys = await runLedger(["keys", "list"], { dataDir: env.server.dataDir });
  assert.equal(keys.code, 0, keys.stderr);
  const line = keys.stdout.split("\n").find((l) => l.includes(keyPrefix));
  assert.ok(line, `keys list names the phone's key:\n${keys.stdout}`);
  assert.match(line, new RegExp(`${inspector.id}|王五`));
  const audit = await runLedger(["audit", "export"], { dataDir: env.server.dataDir });
  assert.equal(audit.code, 0, audit.stderr);
  assert.match(audit.stdout, /device_enrolment_asked/);
  assert.match(audit.stdout, new RegExp(`device_enrolled,[0-9a-f]{64},ok,bound to account ${inspector.id} \\(王五\\)`));
  assert.match(audit.stdout, /device_enrolled,[0-9a-f]{64},failed,the code did not match/);
  await phone.close();
});
