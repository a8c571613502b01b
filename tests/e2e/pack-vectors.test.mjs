// Interoperability: an independent opener of signed checklist packs, written from
// docs/checklist-packs.md alone on Node's built-in `crypto` (OpenSSL's Ed25519). It opens
// the vectors of tests/vectors/checklist-pack-v1/ as a device trusting trust-root.json does:
// key statements, the pack's signature, every checklist's content hash; and refuses every
// negative vector with its code. It uses none of the project's code, no server, no browser.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const DIR = new URL("../vectors/checklist-pack-v1/", import.meta.url);
const read = (rel) => readFileSync(new URL(rel, DIR));
const readJson = (rel) => JSON.parse(read(rel).toString("utf8"));

const PACK_TYPE = "application/vnd.paicha.checklist-pack.v1+json";
const KEYS_TYPE = "application/vnd.paicha.checklist-keys.v1+json";
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

class Refusal extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
const refuse = (code, message) => {
  throw new Refusal(code, message);
};

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

/** DSSE PAE (spec section 4). */
function pae(type, body) {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

/** Ed25519 with S < L (the trusted keys are known, proper keys: no small-order check needed). */
function verify(publicKey, message, signature) {
  if (signature.length !== 64) return false;
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString("hex")}`);
  if (s >= L) return false;
  const key = crypto.createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]),
    format: "der",
    type: "spki",
  });
  return crypto.verify(null, message, key, signature);
}

/** A key list's keys, each checked against its id (spec section 3). */
function checkList(list) {
  if (!Number.isInteger(list.serial) || !Array.isArray(list.keys) || list.keys.length === 0) {
    refuse("malformed", "key list");
  }
  for (const key of list.keys) {
    const raw = Buffer.from(key.public_key, "base64");
    if (raw.length !== 32 || sha256(raw) !== key.key_id) refuse("malformed", "key id");
  }
  return list;
}

/** One signed envelope of `type` by a key of `list`: its payload (spec section 6, steps 3–6). */
function openEnvelope(envelope, type, list) {
  if (envelope.payloadType !== type) refuse("wrong_payload_type", envelope.payloadType);
  if (envelope.signatures.length !== 1) refuse("signature_count", String(envelope.signatures.length));
  const [{ keyid, sig }] = envelope.signatures;
  const key = list.keys.find((k) => k.key_id === keyid);
  if (!key) refuse("untrusted_key", keyid);
  const payload = Buffer.from(envelope.payload, "base64");
  const signature = Buffer.from(sig, "base64");
  return { payload, ok: verify(Buffer.from(key.public_key, "base64"), pae(type, payload), signature), key };
}

/**
 * The content hash of a pack entry: the entry's members before `content_hash`, as one compact
 * object in the order written (spec section 5). JSON.stringify keeps the order and writes
 * non-ASCII characters as they are, like the producer.
 */
function contentHash(entry) {
  const { content_hash: _, search_key: __, ...checklist } = entry;
  return sha256(Buffer.from(JSON.stringify(checklist), "utf8"));
}

/** Spec section 6: opens a pack file against the device's key list. */
function openPack(bytes, trusted) {
  let file;
  try {
    file = JSON.parse(bytes.toString("utf8"));
  } catch (e) {
    refuse("malformed", e.message);
  }
  if (Array.isArray(file.checklists)) refuse("unsigned", "a bare pack");
  if (!file.envelope) refuse("malformed", "no envelope");
  let keys = trusted;
  let changed = false;
  for (const statement of file.key_statements ?? []) {
    const serial = JSON.parse(Buffer.from(statement.payload, "base64")).serial;
    if (serial <= keys.serial) continue;
    let opened;
    try {
      opened = openEnvelope(statement, KEYS_TYPE, keys);
    } catch (e) {
      refuse("bad_key_statement", e.message);
    }
    if (!opened.ok) refuse("bad_key_statement", "signature");
    const next = checkList(JSON.parse(opened.payload));
    if (next.serial !== serial) refuse("bad_key_statement", "serial");
    keys = next;
    changed = true;
  }
  const { payload, ok, key } = openEnvelope(file.envelope, PACK_TYPE, keys);
  if (!ok) refuse("bad_signature", key.key_id);
  const pack = JSON.parse(payload);
  for (const entry of pack.checklists) {
    if (contentHash(entry) !== entry.content_hash) refuse("content_hash", entry.id);
  }
  return { pack, signedBy: key, keys: changed ? keys : null, payload };
}

const trusted = checkList(readJson("trust-root.json"));

test("the key ids are SHA-256 of the public keys derived from the test seeds", () => {
  const expected = readJson("expected.json");
  for (const [seedFile, id, pub] of [
    ["root-seed.hex", expected.root_key_id, expected.root_public_key_b64],
    ["next-seed.hex", expected.next_key_id, expected.next_public_key_b64],
  ]) {
    const seed = Buffer.from(read(seedFile).toString().trim(), "hex");
    const privateKey = crypto.createPrivateKey({
      key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
      format: "der",
      type: "pkcs8",
    });
    const raw = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" }).subarray(12);
    assert.equal(raw.toString("base64"), pub);
    assert.equal(sha256(raw), id);
  }
  assert.equal(trusted.keys[0].key_id, expected.root_key_id);
});

test("the pack opens: PAE, signature, content hash", () => {
  const expected = readJson("expected.json");
  const { pack, signedBy, payload } = openPack(read("pack.json"), trusted);
  assert.equal(signedBy.key_id, expected.root_key_id);
  assert.deepEqual(payload, read("payload.json"));
  assert.equal(sha256(payload), expected.payload_sha256);
  assert.equal(payload.length, expected.payload_length);
  assert.equal(sha256(pae(PACK_TYPE, payload)), expected.pae_sha256);
  assert.equal(pae(PACK_TYPE, payload).toString("base64"), read("pae.b64").toString().trim());
  assert.equal(pack.checklists[0].content_hash, expected.checklist_content_hash);
  assert.equal(pack.issuer, "测试发布机关");
});

test("a rotated key is trusted only through the statement its predecessor signed", () => {
  const expected = readJson("expected.json");
  const { signedBy, keys } = openPack(read("rotation/pack.json"), trusted);
  assert.equal(signedBy.key_id, expected.rotation.pack_signed_by);
  assert.equal(keys.serial, 2);
  assert.deepEqual(keys, readJson("rotation/statement-payload.json"));
  // After it, the root key's pack no longer opens.
  assert.throws(() => openPack(read("pack.json"), keys), (e) => e.code === "untrusted_key");
});

test("every negative vector is refused with its code", () => {
  const manifest = readJson("negative/manifest.json");
  assert.equal(manifest.length, 8);
  for (const { file, error } of manifest) {
    assert.throws(
      () => openPack(read(`negative/${file}`), trusted),
      (e) => e instanceof Refusal && e.code === error,
      file,
    );
  }
});
