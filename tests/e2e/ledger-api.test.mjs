// The ledger's HTTP API as a phone's outbox will use it, against the release binary: enrol
// the device key with the CLI, upload the reference bundle (tests/vectors/bundle-v1, signed
// with the test seed 0x07 x 32) over HTTP, and find its hazard in `export hazards` and in
// GET /api/hazards. Bad uploads get a 4xx and a reason. No browser needed.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, runLedger, useApp } from "./harness.mjs";

const VECTOR = path.join(ROOT, "tests", "vectors", "bundle-v1");
const ENVELOPE = path.join(VECTOR, "envelope.json");

const env = useApp({ browser: false });

const post = (body) =>
  fetch(`${env.server.url}/api/bundles`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });

test("upload a bundle over HTTP, then export hazards shows its finding", async (t) => {
  if (!env.server.dataDir) return t.skip("PAICHA_E2E_URL: the server's data directory is not ours");
  const expected = JSON.parse(await readFile(path.join(VECTOR, "expected.json"), "utf8"));
  const envelope = await readFile(ENVELOPE);

  // Not enrolled yet: 403 with a reason that says how to enrol.
  let response = await post(envelope);
  assert.equal(response.status, 403);
  let body = await response.json();
  assert.equal(body.code, "unknown_key");
  assert.match(body.error, /keys add/);

  const enrol = await runLedger(
    ["keys", "add", "--from-bundle", ENVELOPE, "--expect-key-id", expected.key_id.slice(0, 16),
      "--organisation", "测试县应急管理局"],
    { dataDir: env.server.dataDir },
  );
  assert.equal(enrol.code, 0, enrol.stderr);

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

  // The same hazard through the query API.
  response = await fetch(`${env.server.url}/api/hazards?level=major&region=4403`);
  assert.equal(response.status, 200);
  body = await response.json();
  assert.equal(body.count, 1);
  assert.equal(body.hazards[0].description, "防静电接地线断开");
  assert.equal(body.hazards[0].status, "整改中");
  assert.equal(body.hazards[0].status_code, "open");
  response = await fetch(`${env.server.url}/api/hazards?level=general`);
  assert.equal((await response.json()).count, 0);
});

test("the checklist pack is served with an ETag", async () => {
  let response = await fetch(`${env.server.url}/api/checklists`);
  assert.equal(response.status, 200);
  const etag = response.headers.get("etag");
  assert.match(etag, /^"[0-9a-f]{32}"$/);
  const pack = await response.json();
  assert.ok(pack.checklists.length > 0, "the repository's checklists are served");
  for (const c of pack.checklists) assert.match(c.content_hash, /^[0-9a-f]{64}$/);
  response = await fetch(`${env.server.url}/api/checklists`, { headers: { "if-none-match": etag } });
  assert.equal(response.status, 304);
});
