// Interoperability: an independent verifier of Paicha bundles, written from
// docs/bundle-format.md alone on Node's built-in `crypto` (OpenSSL's Ed25519),
// checks the test vectors in tests/vectors/. It uses none of the project's code,
// needs no server and no browser.
//
// What it implements: the envelope checks, base64 as the spec defines it, PAE,
// the key id, strict Ed25519 (S < L and the small-order list, which OpenSSL alone
// does not check), a JSON parser that refuses duplicate keys, the payload rules
// the vectors exercise (device, attachments, photo references) and the chain
// rules. It does not implement the full JSON Schema (Node has no validator
// built in); `cargo test -p paicha-core --test schema` does that with an
// independent validator.

import assert from "node:assert/strict";
import crypto from "node:crypto";
import { readFileSync } from "node:fs";
import { test } from "node:test";

const VECTORS = new URL("../vectors/", import.meta.url);
const SPEC = new URL("../../docs/bundle-format.md", import.meta.url);
const read = (rel) => readFileSync(new URL(rel, VECTORS));
const readText = (rel) => read(rel).toString("utf8");

const PAYLOAD_TYPE = "application/vnd.paicha.bundle.v1+json";
const GENESIS = "0".repeat(64);
const MEDIA_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const I64_MAX = (1n << 63n) - 1n;
const HEX64 = /^[0-9a-f]{64}$/;
// Section 8: the one spelling of a timestamp (ranges are the date parser's business).
const TIMESTAMP = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-5][0-9](\.[0-9]{1,9})?(Z|[+-][0-9]{2}:[0-9]{2})$/;
// Section 8: the members that may be null (meaning omitted); null anywhere else is `schema`.
const NULLABLE = new Set(["sealed_at", "site_signature", "position", "rectification", "major_plan", "escalation", "reviewed_at"]);

/** Rejects a `null` member that is not nullable, at any depth. */
function checkNulls(value, key) {
  if (value === null) {
    if (!NULLABLE.has(key)) reject("schema", `${key} must not be null`);
  } else if (Array.isArray(value)) {
    for (const v of value) checkNulls(v, key);
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) checkNulls(v, k);
  }
}

/** The small-order encodings, read from the spec (section 6). */
const SMALL_ORDER = (() => {
  const text = readFileSync(SPEC, "utf8");
  const start = text.indexOf("<!-- small-order-encodings -->");
  const end = text.indexOf("<!-- /small-order-encodings -->");
  const list = [...text.slice(start, end).matchAll(/`([0-9a-f]{64})`/g)].map((m) => m[1]);
  assert.equal(list.length, 14, "the spec lists 14 small-order encodings");
  return new Set(list);
})();

class Reject extends Error {
  constructor(code, message) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
const reject = (code, message) => {
  throw new Reject(code, message);
};

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");

/** Spec section 4: strip trailing '=', accept both alphabets, nothing else. */
function b64decode(text, code = "bad_encoding") {
  if (typeof text !== "string") reject(code, "not a string");
  const url = text.replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  if (!/^[A-Za-z0-9_-]*$/.test(url) || url.length % 4 === 1) reject(code, "not base64");
  const bytes = Buffer.from(url, "base64url");
  // Non-zero unused bits in the last character would not survive a round trip.
  if (bytes.toString("base64url") !== url) reject(code, "non-canonical trailing bits");
  return bytes;
}

/** Spec section 5. */
function pae(type, body) {
  const header = `DSSEv1 ${Buffer.byteLength(type, "utf8")} ${type} ${body.length} `;
  return Buffer.concat([Buffer.from(header, "utf8"), body]);
}

/**
 * A strict JSON parser: integers become BigInt, an object naming a key twice
 * throws. (JSON.parse silently keeps the last value.)
 */
function parseStrict(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const fail = (why) => {
    throw new SyntaxError(`${why} at ${i}`);
  };
  function value() {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out = {};
      const seen = new Set();
      ws();
      if (text[i] === "}") return i++, out;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
        seen.add(key);
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        out[key] = value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return i++, out;
        else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const out = [];
      ws();
      if (text[i] === "]") return i++, out;
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return i++, out;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const literal = /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) fail("unexpected character");
    i += literal[0].length;
    if (literal[1] === "true") return true;
    if (literal[1] === "false") return false;
    if (literal[1] === "null") return null;
    return literal[3] || literal[4] ? Number(literal[0]) : BigInt(literal[0]);
  }
  function string() {
    const start = i++;
    while (text[i] !== '"') {
      if (i >= text.length) fail("unterminated string");
      i += text[i] === "\\" ? 2 : 1;
    }
    i++;
    return JSON.parse(text.slice(start, i));
  }
  const result = value();
  ws();
  if (i !== text.length) fail("trailing characters");
  return result;
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const exactKeys = (obj, keys) =>
  isObject(obj) && Object.keys(obj).sort().join() === [...keys].sort().join();

/** Strict Ed25519 (spec section 6) on top of OpenSSL's verify. */
function ed25519VerifyStrict(publicKey, message, signature) {
  if (SMALL_ORDER.has(publicKey.toString("hex"))) return false; // rule 2
  if (SMALL_ORDER.has(signature.subarray(0, 32).toString("hex"))) return false; // rule 4
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).reverse().toString("hex")}`);
  if (s >= L) return false; // rule 3
  let key;
  try {
    key = crypto.createPublicKey({
      key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]),
      format: "der",
      type: "spki",
    });
  } catch {
    return false; // rule 1: not a point
  }
  return crypto.verify(null, message, key, signature); // rule 5
}

/** Spec section 13, steps 1-11, with the embedded key. Returns the payload. */
function verifyBundle(fileBytes) {
  // 1. envelope
  let env;
  try {
    env = parseStrict(fileBytes.toString("utf8"));
  } catch (e) {
    reject("malformed_envelope", e.message);
  }
  if (
    !exactKeys(env, ["payload", "payloadType", "signatures"]) ||
    typeof env.payload !== "string" ||
    typeof env.payloadType !== "string" ||
    !Array.isArray(env.signatures) ||
    !env.signatures.every(
      (s) => exactKeys(s, ["keyid", "sig"]) && typeof s.keyid === "string" && typeof s.sig === "string",
    )
  ) {
    reject("malformed_envelope", "not a DSSE envelope");
  }
  // 2-4
  if (env.payloadType !== PAYLOAD_TYPE) reject("wrong_payload_type", env.payloadType);
  if (env.signatures.length !== 1) reject("signature_count", String(env.signatures.length));
  const { keyid, sig } = env.signatures[0];
  if (!HEX64.test(keyid)) reject("bad_encoding", "keyid");
  // 5
  const payload = b64decode(env.payload);
  const signature = b64decode(sig);
  if (signature.length !== 64) reject("bad_encoding", "sig must be 64 bytes");
  // 6: the embedded key, read from the unverified payload, must hash to keyid
  let declared;
  try {
    declared = JSON.parse(payload.toString("utf8"))?.device?.public_key;
  } catch {
    reject("schema", "cannot read device.public_key");
  }
  if (typeof declared !== "string") reject("schema", "cannot read device.public_key");
  const publicKey = b64decode(declared);
  if (publicKey.length !== 32) reject("bad_encoding", "public key must be 32 bytes");
  if (sha256(publicKey) !== keyid) reject("key_mismatch", "the embedded key does not hash to keyid");
  // 7-8
  if (!ed25519VerifyStrict(publicKey, pae(env.payloadType, payload), signature)) {
    reject("bad_signature", "the signature does not verify");
  }
  // 9: only now parse the payload
  let p;
  try {
    // ignoreBOM keeps a byte order mark, which the strict parser then refuses (section 2).
    p = parseStrict(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(payload));
  } catch (e) {
    reject("schema", e.message);
  }
  if (!isObject(p)) reject("schema", "not an object");
  if (p.schema_version !== 1n) reject("schema_version", String(p.schema_version));
  checkNulls(p, "");
  const times = [["created_at", p.created_at]];
  for (const inspection of p.inspections ?? []) {
    times.push(["started_at", inspection.started_at]);
    if (inspection.sealed_at != null) times.push(["sealed_at", inspection.sealed_at]);
    for (const answer of Object.values(inspection.answers ?? {})) times.push(["answered_at", answer.answered_at]);
    for (const review of inspection.reviews ?? []) {
      if (review.reviewed_at != null) times.push(["reviewed_at", review.reviewed_at]);
    }
  }
  for (const [what, time] of times) {
    if (typeof time !== "string" || !TIMESTAMP.test(time) || Number.isNaN(Date.parse(time))) {
      reject("schema", `${what} ${JSON.stringify(time)}`);
    }
  }
  // 10
  if (p.device?.key_id !== keyid) reject("key_mismatch", "device.key_id");
  if (typeof p.sequence !== "bigint" || p.sequence < 1n) reject("schema", "sequence");
  if (!HEX64.test(p.previous_payload_sha256)) reject("schema", "previous_payload_sha256");
  if (!Array.isArray(p.inspections) || p.inspections.length === 0) reject("schema", "inspections");
  for (const inspection of p.inspections) {
    if (typeof inspection.sealed_at !== "string") reject("schema", "not sealed");
  }
  const attachments = p.attachments ?? [];
  const seen = new Set();
  for (const a of attachments) {
    if (!MEDIA_TYPES.has(a.media_type)) reject("attachment_media_type", a.media_type);
    if (!HEX64.test(a.sha256)) reject("attachment_bad_hash", a.sha256);
    const bytes = b64decode(a.data, "attachment_encoding");
    if (BigInt(bytes.length) !== a.size) reject("attachment_size_mismatch", `${a.size}`);
    if (sha256(bytes) !== a.sha256) reject("attachment_hash_mismatch", a.sha256);
    if (seen.has(a.sha256)) reject("attachment_duplicate", a.sha256);
    seen.add(a.sha256);
  }
  for (const inspection of p.inspections) {
    for (const [item, answer] of Object.entries(inspection.answers)) {
      for (const photo of answer.photos ?? []) {
        if (!seen.has(photo)) reject("attachment_missing", `${item}: ${photo}`);
      }
    }
    for (const review of inspection.reviews ?? []) {
      for (const photo of review.photos ?? []) {
        if (!seen.has(photo)) reject("attachment_missing", `review of ${review.hazard?.item_id}: ${photo}`);
      }
    }
    const signature = inspection.site_signature;
    if (signature != null && !seen.has(signature)) reject("attachment_missing", `site_signature: ${signature}`);
  }
  // 11
  const genesis = p.previous_payload_sha256 === GENESIS;
  if (p.sequence === 1n && !genesis) reject("chain_first_without_genesis", "");
  if (p.sequence !== 1n && genesis) reject("chain_genesis_after_first", String(p.sequence));
  if (p.sequence > I64_MAX) reject("chain_sequence_too_large", String(p.sequence));
  const ids = p.inspections.map((i) => i.id);
  if (new Set(ids).size !== ids.length) reject("chain_duplicate_inspection", "");
  return { payload, parsed: p, keyid };
}

test("the key id, PAE and payload hash are recomputed independently", () => {
  const expected = JSON.parse(readText("bundle-v1/expected.json"));
  const seed = Buffer.from(readText("bundle-v1/seed.hex").trim(), "hex");
  assert.deepEqual(seed, Buffer.alloc(32, 7));

  // The raw public key from the seed, through OpenSSL (PKCS#8 prefix + seed).
  const privateKey = crypto.createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = crypto.createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const publicKey = spki.subarray(12);
  assert.equal(publicKey.toString("hex"), readText("bundle-v1/public_key.hex").trim());
  assert.equal(publicKey.toString("base64"), expected.public_key_b64);

  const keyId = sha256(publicKey);
  assert.equal(keyId, readText("bundle-v1/key_id.txt").trim());
  assert.equal(keyId, expected.key_id);

  const envelope = JSON.parse(readText("bundle-v1/envelope.json"));
  const payload = Buffer.from(envelope.payload, "base64");
  assert.deepEqual(payload, read("bundle-v1/payload.json"));
  assert.equal(payload.length, expected.payload_length);
  assert.equal(sha256(payload), readText("bundle-v1/payload.sha256").trim());

  const paeBytes = pae(envelope.payloadType, payload);
  assert.deepEqual(paeBytes, Buffer.from(readText("bundle-v1/pae.b64").trim(), "base64"));
  assert.equal(paeBytes.subarray(0, 53).toString("ascii"), expected.pae_prefix);
  assert.equal(paeBytes.length, expected.pae_length);
  assert.equal(sha256(paeBytes), expected.pae_sha256);

  // Ed25519 is deterministic: OpenSSL signing the PAE with the seed gives the vector's bytes.
  const signature = crypto.sign(null, paeBytes, privateKey);
  assert.equal(signature.toString("hex"), readText("bundle-v1/signature.hex").trim());
  assert.equal(signature.toString("base64"), envelope.signatures[0].sig);

  // And the envelope file is exactly the compact JSON the spec describes, plus a newline.
  const rebuilt = `${JSON.stringify({
    payload: payload.toString("base64"),
    payloadType: PAYLOAD_TYPE,
    signatures: [{ keyid: keyId, sig: signature.toString("base64") }],
  })}\n`;
  assert.equal(rebuilt, readText("bundle-v1/envelope.json"));
  assert.equal(sha256(Buffer.from(rebuilt)), expected.envelope_sha256);
});

test("the positive vector verifies, attachment included", () => {
  const { payload, parsed, keyid } = verifyBundle(read("bundle-v1/envelope.json"));
  const expected = JSON.parse(readText("bundle-v1/expected.json"));
  assert.equal(keyid, expected.key_id);
  assert.equal(sha256(payload), expected.payload_sha256);
  assert.equal(parsed.sequence, 1n);
  assert.equal(parsed.previous_payload_sha256, GENESIS);
  const photo = read("bundle-v1/photo.png");
  assert.equal(parsed.attachments.length, 1);
  assert.deepEqual(Buffer.from(parsed.attachments[0].data, "base64"), photo);
  assert.equal(parsed.attachments[0].sha256, sha256(photo));
  assert.deepEqual(parsed.inspections[0].answers["A-01"].photos, [sha256(photo)]);
  assert.equal(parsed.inspections[0].answers["A-01"].verdict, "major_hazard");
  assert.equal(expected.next_chain.previous_payload_sha256, sha256(payload));
});

test("URL-safe, unpadded base64 verifies too", () => {
  const envelope = JSON.parse(readText("bundle-v1/envelope.json"));
  const url = (s) => Buffer.from(s, "base64").toString("base64url");
  envelope.payload = url(envelope.payload);
  envelope.signatures[0].sig = url(envelope.signatures[0].sig);
  assert.ok(!envelope.payload.endsWith("="));
  verifyBundle(Buffer.from(JSON.stringify(envelope)));
});

const manifest = JSON.parse(readText("negative/manifest.json"));

test("there are negative vectors for each kind of defect", () => {
  const codes = new Set(manifest.map((n) => n.error));
  for (const code of [
    "bad_signature",
    "wrong_payload_type",
    "key_mismatch",
    "attachment_hash_mismatch",
    "chain_first_without_genesis",
    "schema",
  ]) {
    assert.ok(codes.has(code), code);
  }
});

for (const vector of manifest) {
  test(`negative vector ${vector.file} is rejected: ${vector.error}`, () => {
    assert.throws(
      () => verifyBundle(read(`negative/${vector.file}`)),
      (err) => {
        assert.ok(err instanceof Reject, String(err));
        assert.equal(err.code, vector.error, err.message);
        return true;
      },
    );
  });
}

test("signature-level negatives fail at the signature, payload-level ones after it", () => {
  for (const vector of manifest) {
    // An envelope that does not parse (a byte order mark) has no signature to check.
    if (vector.error === "malformed_envelope") continue;
    const envelope = JSON.parse(readText(`negative/${vector.file}`));
    const payload = Buffer.from(envelope.payload, "base64");
    const signature = Buffer.from(envelope.signatures[0].sig, "base64");
    const declared = JSON.parse(payload.toString("utf8")).device.public_key;
    const publicKey = Buffer.from(declared, "base64");
    const signedOk =
      envelope.payloadType === PAYLOAD_TYPE &&
      sha256(publicKey) === envelope.signatures[0].keyid &&
      ed25519VerifyStrict(publicKey, pae(envelope.payloadType, payload), signature);
    assert.equal(signedOk, vector.step >= 9, `${vector.file} (step ${vector.step})`);
  }
});

test("OpenSSL alone would accept the small-order forgery: the extra check matters", () => {
  const envelope = JSON.parse(readText("negative/small-order-key.json"));
  const payload = Buffer.from(envelope.payload, "base64");
  const publicKey = Buffer.from(JSON.parse(payload).device.public_key, "base64");
  const key = crypto.createPublicKey({
    key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), publicKey]),
    format: "der",
    type: "spki",
  });
  const signature = Buffer.from(envelope.signatures[0].sig, "base64");
  assert.equal(crypto.verify(null, pae(PAYLOAD_TYPE, payload), key, signature), true);
  assert.equal(ed25519VerifyStrict(publicKey, pae(PAYLOAD_TYPE, payload), signature), false);
});

test("JSON.parse would read the duplicate-key vector as 'compliant': hence the strict parser", () => {
  const envelope = JSON.parse(readText("negative/duplicate-json-key.json"));
  const lenient = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
  assert.equal(lenient.inspections[0].answers["A-01"].verdict, "compliant");
  assert.throws(() => parseStrict(Buffer.from(envelope.payload, "base64").toString("utf8")), /duplicate key "A-01"/);
});
