// The supervision console (/console/) as its people use it: the operator creates a
// supervisor's account with `users add --public-url`, the supervisor opens the enrolment link,
// registers a passkey (Chromium's virtual authenticator stands in for the computer's), signs in
// and sees the hazard ledger of their own region only; a supervisor of another region sees
// theirs and not this one; signing out ends the session for every client holding its cookie.
// At desk width (1280 px); the ledger page also at phone width (360 px), without sideways
// scrolling. The browser opens the ledger as http://localhost:PORT: passkeys need a domain.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { useApp } from "./harness.mjs";
import {
  ENVELOPE,
  addAccount,
  continueReferenceChain,
  enrolKey,
  localhostUrl,
  pageWithAuthenticator,
  registerPasskey,
  sessionCookie,
  signedInPerson,
  upload,
} from "./access-helpers.mjs";

const DESK = { width: 1280, height: 800 };
const PHONE = { width: 360, height: 640 };

const env = useApp();

// Three hazards, each in another region, from one inspector's device (the reference bundle's
// test key): the reference bundle's in Shenzhen, then one in 长安区 and one in 桥西区 (石家庄).
const CHANGAN = { region: "130102", name: "长安区某烟花爆竹批发部", description: "长安区仓库防火门损坏" };
const QIAOXI = { region: "130104", name: "桥西区某烟花爆竹零售店", description: "桥西区零售点超量储存" };
const SHENZHEN_SITE = "某烟花爆竹有限公司";

async function uploadHazards() {
  const inspector = await addAccount(env.server, "张三", ["inspector@1301"]);
  await enrolKey(env.server, ENVELOPE, inspector.id);
  for (const body of [await readFile(ENVELOPE, "utf8"), ...continueReferenceChain([CHANGAN, QIAOXI])]) {
    const result = await upload(env.server, body);
    assert.equal(result.status, 201, JSON.stringify(result.body));
    assert.equal(result.body.findings, 1);
  }
}

/** The ledger table's rows as text, and the status line above it. */
async function ledgerRows(page) {
  const table = page.getByRole("region", { name: /隐患台账表格/ }).getByRole("table");
  await table.waitFor();
  const rows = await table.getByRole("row").allTextContents();
  return rows.slice(1); // without the header row
}

async function horizontalOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}

test("a supervisor registers a passkey, sees only their region, and signing out ends the session", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const base = localhostUrl(env.server);
  await uploadHazards();

  // The operator creates the supervisor's account; the printed link names this server.
  const supervisor = await addAccount(env.server, "王督查", ["supervisor@130102"]);
  assert.ok(supervisor.link.startsWith(`${base}/console/enrol/`), supervisor.link);

  const context = await env.browser.newContext({ locale: "zh-CN", viewport: DESK });
  const { page } = await pageWithAuthenticator(context);
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));

  // Not signed in: the console sends a person to sign in, and the API refuses.
  await page.goto(`${base}/console/`);
  await page.waitForURL(`${base}/console/sign-in`);
  await page.getByRole("heading", { name: /使用通行密钥登录/ }).waitFor();

  // The enrolment link: register a passkey, then go on to sign in.
  await registerPasskey(page, supervisor.link, "王督查");
  await page.getByRole("link", { name: /去登录/ }).click();
  await page.waitForURL(`${base}/console/sign-in`);
  await page.getByRole("button", { name: /登录/ }).click();
  await page.waitForURL(`${base}/console/`);
  await page.getByRole("heading", { level: 1, name: /隐患台账/ }).waitFor();

  // Who is signed in, with which role where.
  await page.getByRole("banner").getByText("王督查").waitFor();
  const scope = await page.getByRole("region", { name: /您的权限/ }).textContent();
  assert.match(scope, /督查/);
  assert.match(scope, /长安区/);
  assert.match(scope, /\(130102\)/);

  // Only 长安区's hazard: not 桥西区's, not Shenzhen's.
  const rows = await ledgerRows(page);
  assert.equal(rows.length, 1, rows.join("\n"));
  assert.match(rows[0], new RegExp(CHANGAN.name));
  assert.match(rows[0], /重大隐患/);
  const main = await page.getByRole("main").textContent();
  assert.ok(!main.includes(QIAOXI.name), "another county's hazard is not shown");
  assert.ok(!main.includes(SHENZHEN_SITE), "another province's hazard is not shown");
  await page.getByRole("status").filter({ hasText: /共 1 项隐患/ }).waitFor();
  assert.ok((await horizontalOverflow(page)) <= 0, "no sideways scrolling at desk width");

  // The same at phone width: readable without scrolling sideways (the table scrolls in its box).
  await page.setViewportSize(PHONE);
  await page.reload();
  await page.getByRole("heading", { level: 1, name: /隐患台账/ }).waitFor();
  const overflow = await horizontalOverflow(page);
  assert.ok(overflow <= 0, `the ledger page scrolls sideways by ${overflow} px at 360 px`);
  await page.setViewportSize(DESK);

  // The session reads the API too, within its region only.
  const cookie = `paicha_session=${await sessionCookie(context, base)}`;
  let response = await fetch(`${env.server.url}/api/hazards`, { headers: { cookie } });
  assert.equal(response.status, 200);
  const body = await response.json();
  assert.deepEqual(body.hazards.map((h) => h.description), [CHANGAN.description]);
  response = await fetch(`${env.server.url}/api/hazards?region=130104`, { headers: { cookie } });
  assert.equal(response.status, 403);
  assert.equal((await response.json()).code, "outside_region");

  // The enrolment link worked once.
  const again = await context.newPage();
  await again.goto(supervisor.link);
  await again.getByRole("alert").filter({ hasText: /已使用过/ }).waitFor();
  assert.equal(await again.getByRole("button", { name: /登记通行密钥/ }).count(), 0);
  await again.close();

  // A supervisor of 桥西区, on another computer, sees 桥西区's hazard and not this one.
  const other = await signedInPerson(env.browser, env.server, "李督查", ["supervisor@130104"], { viewport: DESK });
  const otherRows = await ledgerRows(other.page);
  assert.equal(otherRows.length, 1, otherRows.join("\n"));
  assert.match(otherRows[0], new RegExp(QIAOXI.name));
  assert.ok(!(await other.page.getByRole("main").textContent()).includes(CHANGAN.name));
  await other.context.close();

  // Signing out: back to sign-in, and the old cookie no longer reads anything.
  await page.getByRole("button", { name: /退出登录/ }).click();
  await page.waitForURL(`${base}/console/sign-in`);
  assert.equal(await sessionCookie(context, base), undefined, "the browser forgot the cookie");
  response = await fetch(`${env.server.url}/api/hazards`, { headers: { cookie } });
  assert.equal(response.status, 401);
  assert.equal((await response.json()).code, "signed_out");
  await page.goto(`${base}/console/`);
  await page.waitForURL(`${base}/console/sign-in`);

  assert.deepEqual(pageErrors, []);
  await context.close();
});
