// The thin journey from the skeleton issue, driven through the real UI in headless Chromium
// against the real ledger server, ending with the ledger CLI verifying and importing the file.
// Elements are found by role and label, as assistive technology finds them.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createPublicKey, verify as edVerify } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { runLedger, useApp } from "./harness.mjs";
import { completeAndSeal, fillCoInspector, fillOrder, fillRegistration } from "./app-helpers.mjs";

const PAYLOAD_TYPE = "application/vnd.paicha.bundle.v1+json";

const env = useApp({ workDir: "paicha-journey-" });

/** DSSE v1 pre-authentication encoding, written independently of the Rust code. */
function pae(type, body) {
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `),
    body,
  ]);
}

/** Verifies an Ed25519 signature with Node's crypto (an implementation independent of ours). */
function nodeVerify(rawPublicKey, message, signature) {
  // SPKI DER prefix for an Ed25519 public key (RFC 8410).
  const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), rawPublicKey]);
  const key = createPublicKey({ key: spki, format: "der", type: "spki" });
  return edVerify(null, message, key, signature);
}

test("register, inspect a fireworks site, reload, seal, export, verify and import", async () => {
  const context = await env.browser.newContext({
    acceptDownloads: true,
    locale: "zh-CN",
    permissions: ["geolocation"],
    geolocation: { latitude: 28.1987, longitude: 112.9709, accuracy: 15 },
  });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  await page.goto(`${env.server.url}/`);

  // 1. First run: register; the device key is created and its id shown.
  await fillRegistration(page, { name: "张三", cert: "44010012345" });
  await page.getByRole("button", { name: /登记/ }).click();
  const keyIdText = (await page.getByLabel("设备密钥标识").textContent()).trim();
  assert.match(keyIdText, /^[0-9a-f]{64}$/);

  // 2. + 3. The fireworks checklist and the site, with a wrong check digit first.
  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByLabel(/搜索检查表/).fill("yhbz");
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill("某某烟花爆竹有限公司");
  const code = page.getByLabel("统一社会信用代码");
  await code.fill("91440300708461136X");
  // Sealing needs two officers: the co-inspector is named when the inspection starts.
  await fillCoInspector(page, { name: "李四", cert: "44010067890" });
  await page.getByRole("button", { name: /开始检查/ }).click();
  const codeError = page.locator("#site-code-error");
  await codeError.waitFor({ state: "visible" });
  assert.match(await codeError.textContent(), /校验码错误/);
  assert.equal(await code.inputValue(), "91440300708461136X", "typed text is kept");
  await code.fill("91440300708461136T");
  await page.getByRole("button", { name: /开始检查/ }).click();

  // 4. One item as a major hazard, with a description; wait for the durable save.
  const item = page.getByRole("radiogroup", { name: /FW-05/ });
  await item.getByLabel(/重大隐患/).check();
  // FW-05 is a measurement (kg, no photos): the description carries the measured value.
  const description = "成品中转库实测存药量 2000 kg，约为核定药量的两倍";
  // Typed key by key, as a person types: every keystroke is saved and the field keeps focus.
  await page.getByLabel("FW-05 隐患描述").pressSequentially(description);
  // Sealing is refused while the order (交办) is incomplete,
  // and the completion screen says what is missing; its link leads back to the item.
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("list", { name: /交办信息不完整/ }).getByText(/FW-05：整改措施/).waitFor();
  assert.equal(await page.getByRole("button", { name: /签章封存/ }).isDisabled(), true);
  await page.getByRole("list", { name: /交办信息不完整/ }).getByRole("link", { name: /FW-05：整改措施/ }).click();
  await fillOrder(page, "FW-05", { major: true });
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();

  // 5. Reload: the answer is still there.
  await page.reload();
  const itemAfter = page.getByRole("radiogroup", { name: /FW-05/ });
  assert.equal(await itemAfter.getByLabel(/重大隐患/).isChecked(), true);
  assert.equal(await page.getByLabel("FW-05 隐患描述").inputValue(), description);

  // 6. Seal (through the completion screen) and export: the download is a DSSE envelope signed
  // over PAE.
  await completeAndSeal(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^paicha-91440300708461136T-\d{8}-000001\.json$/);
  const file = path.join(env.work, download.suggestedFilename());
  await download.saveAs(file);
  const envelope = JSON.parse(await readFile(file, "utf8"));
  assert.equal(envelope.payloadType, PAYLOAD_TYPE);
  assert.equal(envelope.signatures.length, 1);
  const payloadBytes = Buffer.from(envelope.payload, "base64");
  const payload = JSON.parse(payloadBytes.toString("utf8"));
  assert.equal(payload.device.key_id, keyIdText);
  assert.equal(envelope.signatures[0].keyid, keyIdText);
  assert.equal(payload.sequence, 1);
  assert.equal(payload.inspections.length, 1);
  const inspection = payload.inspections[0];
  assert.equal(inspection.site.credit_code, "91440300708461136T");
  assert.equal(inspection.answers["FW-05"].verdict, "major_hazard");
  assert.equal(inspection.answers["FW-05"].description, description);
  assert.ok(inspection.sealed_at);
  const answer = inspection.answers["FW-05"];
  assert.equal(answer.rectification.deadline, "2099-12-31");
  assert.equal(answer.major_plan.suspension, "partial");
  assert.equal(inspection.position.latitude_e7, 281987000);
  assert.deepEqual(answer.photos ?? [], [], "FW-05 takes no photos");
  const rawKey = Buffer.from(payload.device.public_key, "base64");
  const signature = Buffer.from(envelope.signatures[0].sig, "base64");
  assert.ok(nodeVerify(rawKey, pae(PAYLOAD_TYPE, payloadBytes), signature), "Node's Ed25519 accepts it");
  assert.ok(!nodeVerify(rawKey, pae("application/json", payloadBytes), signature), "payloadType is signed");

  // After a reload the model holds no envelope (it has its own store): downloading again
  // reads it back, the very same bytes.
  await page.reload();
  const [redownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /再次下载签名文件/ }).click(),
  ]);
  assert.equal(redownload.suggestedFilename(), download.suggestedFilename());
  assert.deepEqual(await readFile(await redownload.path()), await readFile(file), "downloaded again byte for byte");
  assert.deepEqual(pageErrors, []);
  await context.close();

  // 7. The ledger verifies it and names the signer ...
  const ok = await runLedger(["verify", file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /张三/);
  assert.match(ok.stdout, /44010012345/);

  // ... rejects the same file with one payload byte changed ...
  const tamperedBytes = Buffer.from(payloadBytes);
  const at = tamperedBytes.indexOf(Buffer.from("两倍"));
  tamperedBytes[at + 1] ^= 0x01;
  const tamperedFile = path.join(env.work, "tampered.json");
  await writeFile(tamperedFile, JSON.stringify({ ...envelope, payload: tamperedBytes.toString("base64") }));
  const bad = await runLedger(["verify", tamperedFile]);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /signature does not verify/);

  // ... and imports it once, after the device key is enrolled.
  const dataDir = path.join(env.work, "ledger-data");
  const unknown = await runLedger(["import", file], { dataDir });
  assert.notEqual(unknown.code, 0, "an unenrolled key is rejected");
  assert.match(unknown.stdout + unknown.stderr, /keys add/);
  // A key is enrolled into an inspector's account: the operator creates 张三's first.
  const account = await runLedger(["users", "add", "--name", "张三", "--role", "inspector@13"], { dataDir });
  assert.equal(account.code, 0, account.stderr);
  const accountId = account.stdout.match(/^account ([0-9a-f-]{36})$/m)?.[1];
  assert.ok(accountId, account.stdout);
  const enrol = await runLedger(
    ["keys", "add", "--from-bundle", file, "--expect-key-id", keyIdText, "--account", accountId],
    { dataDir },
  );
  assert.equal(enrol.code, 0, enrol.stderr);
  const first = await runLedger(["import", file], { dataDir });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /imported 1, already imported 0, rejected 0/);
  const again = await runLedger(["import", file], { dataDir });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already imported/);
  assert.match(again.stdout, /imported 0, already imported 1, rejected 0/);
});
