// The ledger's HTTP API as a phone's outbox will use it, against the release binary: the
// operator creates the inspector's account and enrols the device key with the CLI, the
// reference bundle (tests/vectors/bundle-v1, signed with the test seed 0x07 x 32) is uploaded
// over HTTP, and its hazard is found in `export hazards` and in GET /api/hazards, which only
// a signed-in person (passkey at /console/) reads, and only in their own regions. Bad uploads
// get a 4xx and a reason.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { runLedger, useApp } from "./harness.mjs";
import { ENVELOPE, VECTOR, addAccount, enrolKey, importRegions, signedInPerson } from "./access-helpers.mjs";

// The browser is only for signing in with a passkey.
const env = useApp({ workDir: "paicha-ledger-api-" });

const post = (body) =>
  fetch(`${env.server.url}/api/bundles`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

const hazards = (query, cookie) =>
  fetch(`${env.server.url}/api/hazards${query}`, cookie ? { headers: { cookie } } : {});

test("upload a bundle over HTTP, then export hazards shows its finding", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const expected = JSON.parse(await readFile(path.join(VECTOR, "expected.json"), "utf8"));
  const envelope = await readFile(ENVELOPE);

  // Not enrolled yet: 403 with a reason the inspector on the phone can act on.
  let response = await post(envelope);
  assert.equal(response.status, 403);
  let body = await response.json();
  assert.equal(body.code, "unknown_key");
  assert.match(body.error, /尚未登记/);
  assert.match(body.error, /not enrolled/);

  // The site is in Shenzhen (credit code 91440300…): the ledger ships Hebei's regions only,
  // so the operator adds Guangdong's first, then the inspector's account, then the key.
  await importRegions(env.server, env.work, ["44,广东省,province,", "4403,深圳市,city,44"]);
  const inspector = await addAccount(env.server, "张三", ["inspector@4403"]);
  // The key belongs to an account: without --account the CLI refuses.
  const orphan = await runLedger(["keys", "add", "--from-bundle", ENVELOPE], { dataDir: env.server.dataDir });
  assert.notEqual(orphan.code, 0);
  assert.match(orphan.stderr, /--account/);
  await enrolKey(env.server, ENVELOPE, inspector.id, {
    expectKeyId: expected.key_id.slice(0, 16),
    organisation: "测试县应急管理局",
  });

  response = await post(envelope);
  body = await response.json();
  assert.equal(response.status, 201, JSON.stringify(body));
  assert.equal(body.status, "imported");
  assert.equal(body.payload_sha256, expected.payload_sha256);
  assert.equal(body.findings, 1);
  assert.equal(response.headers.get("cache-control"), "no-store");

  // The outbox retries until it sees a 2xx: a repeat is harmless.
  response = await post(envelope);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).status, "already_imported");

  // One changed byte inside the payload: refused with a reason.
  const tampered = JSON.parse(envelope.toString("utf8"));
  const payload = Buffer.from(tampered.payload, "base64");
  payload[payload.length >> 1] ^= 1;
  tampered.payload = payload.toString("base64");
  response = await post(JSON.stringify(tampered));
  assert.equal(response.status, 422);
  assert.equal((await response.json()).code, "bad_signature");

  const exported = await runLedger(["export", "hazards", "--format", "csv"], { dataDir: env.server.dataDir });
  assert.equal(exported.code, 0, exported.stderr);
  const lines = exported.stdout.trim().split("\r\n");
  assert.equal(lines.length, 2, exported.stdout);
  assert.match(lines[0], /^隐患编号,单位名称,统一社会信用代码/);
  assert.match(lines[1], /某烟花爆竹有限公司/);
  assert.match(lines[1], /防静电接地线断开/);
  assert.match(lines[1], /重大隐患/);
  assert.match(lines[1], /张三、李四/);
  // No order, so no deadline: 整改中 (open) until a re-inspection decides it.
  assert.match(lines[1], /,整改中,/);

  // The query API answers nobody who is not signed in ...
  response = await hazards("?level=major&region=4403");
  assert.equal(response.status, 401);
  assert.equal((await response.json()).code, "signed_out");
  response = await hazards("", "paicha_session=not-a-session");
  assert.equal(response.status, 401);

  // ... a supervisor in Shenzhen finds the hazard ...
  const shenzhen = await signedInPerson(env.browser, env.server, "深圳督查", ["supervisor@4403"]);
  response = await hazards("?level=major&region=4403", shenzhen.cookie);
  assert.equal(response.status, 200);
  body = await response.json();
  assert.equal(body.count, 1);
  assert.equal(body.hazards[0].description, "防静电接地线断开");
  assert.equal(body.hazards[0].status, "整改中");
  assert.equal(body.hazards[0].status_code, "open");
  response = await hazards("?level=general", shenzhen.cookie);
  assert.equal((await response.json()).count, 0);
  await shenzhen.context.close();

  // ... and a supervisor in Hebei neither sees it nor may ask for Shenzhen.
  const hebei = await signedInPerson(env.browser, env.server, "河北督查", ["supervisor@13"]);
  response = await hazards("", hebei.cookie);
  assert.equal(response.status, 200);
  assert.equal((await response.json()).count, 0);
  response = await hazards("?region=4403", hebei.cookie);
  assert.equal(response.status, 403);
  assert.equal((await response.json()).code, "outside_region");
  await hebei.context.close();
});

test("the checklist pack is served with an ETag", async () => {
  let response = await fetch(`${env.server.url}/api/checklists`);
  assert.equal(response.status, 200);
  const etag = response.headers.get("etag");
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  // A signed pack (docs/checklist-packs.md): the checklists are the envelope's payload.
  const signed = await response.json();
  const pack = JSON.parse(Buffer.from(signed.envelope.payload, "base64").toString("utf8"));
  assert.ok(pack.checklists.length > 0, "the repository's checklists are served");
  for (const c of pack.checklists) assert.match(c.content_hash, /^[0-9a-f]{64}$/);
  response = await fetch(`${env.server.url}/api/checklists`, { headers: { "if-none-match": etag } });
  assert.equal(response.status, 304);
});
