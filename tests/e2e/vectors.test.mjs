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
import zlib from "node:zlib";

const VECTORS = new URL("../vectors/", import.meta.url);
const SPEC = new URL("../../docs/bundle-format.md", import.meta.url);
const read = (rel) => readFileSync(new URL(rel, VECTORS));
const readText = (rel) => read(rel).toString("utf8");

const PAYLOAD_TYPE = "application/vnd.paicha.bundle.v1+json";
const GENESIS = "0".repeat(64);
const MEDIA_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);
// Section 9, rule 3 (version 2): the largest `size` a named file may have (32 MiB).
const MAX_BLOB = 33554432n;
const U64_MAX = (1n << 64n) - 1n;
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
 * throws. (JSON.parse silently keeps the last value.) With `duplicates` (an array),
 * a repeated key is recorded there instead ({ key, depth }: depth 1 is the top level),
 * so that step 9 can read `schema_version` before it refuses the repetition.
 */
function parseStrict(text, duplicates = null) {
  let i = 0;
  let depth = 0;
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
      depth++;
      const out = {};
      const seen = new Set();
      ws();
      if (text[i] === "}") return i++, depth--, out;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key");
        const key = string();
        if (seen.has(key)) {
          if (!duplicates) fail(`duplicate key ${JSON.stringify(key)}`);
          duplicates.push({ key, depth });
        }
        seen.add(key);
        ws();
        if (text[i++] !== ":") fail("expected ':'");
        // defineProperty: an assignment to "__proto__" would set the prototype, not a member.
        Object.defineProperty(out, key, { value: value(), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return i++, depth--, out;
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

/** Spec section 13, steps 1-11, with the embedded key. Returns the payload (version 1 or 2). */
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
  const duplicates = [];
  try {
    // ignoreBOM keeps a byte order mark, which the strict parser then refuses (section 2).
    p = parseStrict(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(payload), duplicates);
  } catch (e) {
    reject("schema", e.message);
  }
  if (!isObject(p)) reject("schema", "not an object");
  // Sections 8 and 13 (step 9): `schema_version` first; an integer other than 1 and 2 is
  // `schema_version`, not `schema`, whatever else the payload holds (even repeated keys).
  // A `schema_version` that is not one integer (absent, repeated, a string) cannot be read:
  // `schema` (the spec does not say; see the report).
  if (duplicates.some((d) => d.depth === 1 && d.key === "schema_version")) reject("schema", "schema_version twice");
  if (typeof p.schema_version !== "bigint") reject("schema", "cannot read schema_version");
  if (p.schema_version !== 1n && p.schema_version !== 2n) reject("schema_version", String(p.schema_version));
  const version = Number(p.schema_version);
  // Then the strict parse: no repeated key at any depth.
  if (duplicates.length > 0) reject("schema", `duplicate key ${JSON.stringify(duplicates[0].key)}`);
  checkNulls(p, "");
  // Section 9 (step 9): the attachment objects' members. Version 1 requires `data`, version 2
  // allows it in none; anything else (another member, a missing one, a `size` that is not a
  // u64, a `data` that is not a string) is `schema`. A bad `media_type` or `sha256` is left to
  // the step-10 codes (the exception in step 9).
  if (p.attachments !== undefined && !Array.isArray(p.attachments)) reject("schema", "attachments");
  for (const [n, a] of (p.attachments ?? []).entries()) {
    const members = version === 1 ? ["sha256", "media_type", "size", "data"] : ["sha256", "media_type", "size"];
    if (!exactKeys(a, members)) {
      reject("schema", `attachments[${n}] (version ${version}) has members ${isObject(a) ? Object.keys(a) : a}`);
    }
    if (typeof a.size !== "bigint" || a.size < 0n || a.size > U64_MAX) reject("schema", `attachments[${n}].size`);
    if (version === 1 && typeof a.data !== "string") reject("schema", `attachments[${n}].data`);
  }
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
    if (version === 1) {
      const bytes = b64decode(a.data, "attachment_encoding");
      if (BigInt(bytes.length) !== a.size) reject("attachment_size_mismatch", `${a.size}`);
      if (sha256(bytes) !== a.sha256) reject("attachment_hash_mismatch", a.sha256);
    } else if (a.size > MAX_BLOB) {
      reject("attachment_too_large", `${a.sha256}: ${a.size} bytes`);
    }
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

// ---------------------------------------------------------------------------
// Section 9b: the transfer archive, and step 12.

/** CRC-32 (ISO-HDLC, the ZIP one): zlib's when Node has it (>= 20.15), else a table. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32Table(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
const crc32 = typeof zlib.crc32 === "function" ? (bytes) => zlib.crc32(bytes) >>> 0 : crc32Table;

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;
const ZIP64_LOCATOR_SIG = 0x07064b50;
// General purpose flags: 0 encrypted, 3 sizes in a data descriptor, 6 strong encryption,
// 13 encrypted central directory. Section 9b: no encryption; a data descriptor is not
// mentioned (see the report): refused here, the reference writes flags 0.
const REFUSED_FLAGS = (1 << 0) | (1 << 3) | (1 << 6) | (1 << 13);
const BLOB_NAME = /^blobs\/([0-9a-f]{64})$/;

/**
 * Section 9b, reading step 1 [`malformed_archive`]: the structure, from the End Of Central
 * Directory record, the central directory and each local header, without reading any
 * entry's data. Returns the entries in archive order: { name, hash, dataOffset, size, crc }.
 */
function openArchive(zip) {
  const bad = (why) => reject("malformed_archive", why);
  if (!Buffer.isBuffer(zip) || zip.length < 22) bad("too short for a ZIP");
  // EOCD: 22 bytes plus a comment of up to 65,535 bytes, which must end the file.
  let eocd = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD_SIG && at + 22 + zip.readUInt16LE(at + 20) === zip.length) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) bad("no End Of Central Directory record");
  const disk = zip.readUInt16LE(eocd + 4);
  const cdDisk = zip.readUInt16LE(eocd + 6);
  const onDisk = zip.readUInt16LE(eocd + 8);
  const count = zip.readUInt16LE(eocd + 10);
  const cdSize = zip.readUInt32LE(eocd + 12);
  const cdOffset = zip.readUInt32LE(eocd + 16);
  if (eocd >= 20 && zip.readUInt32LE(eocd - 20) === ZIP64_LOCATOR_SIG) bad("ZIP64");
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) bad("ZIP64");
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) bad("a multi-disk archive");
  if (cdOffset + cdSize !== eocd) bad("the central directory does not end at the EOCD record");

  // The central directory, in order: this order is the archive order.
  const entries = [];
  let at = cdOffset;
  for (let n = 0; n < count; n++) {
    if (at + 46 > eocd || zip.readUInt32LE(at) !== CENTRAL_SIG) bad(`central directory entry ${n}`);
    const c = {
      flags: zip.readUInt16LE(at + 8),
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      csize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      nameLength: zip.readUInt16LE(at + 28),
      diskStart: zip.readUInt16LE(at + 34),
      localOffset: zip.readUInt32LE(at + 42),
    };
    const next = at + 46 + c.nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    if (next > eocd) bad(`central directory entry ${n} overruns the directory`);
    c.rawName = zip.subarray(at + 46, at + 46 + c.nameLength);
    entries.push(c);
    at = next;
  }
  if (at !== eocd) bad("the central directory holds more than its entry count");
  if (entries.length === 0) bad("no entries: bundle.json must be the first");

  // Each entry: its name, its method, its local header (agreeing with the directory), and
  // the local records in archive order, back to back from the first byte to the directory.
  const seen = new Set();
  let expectedOffset = 0;
  for (const [n, c] of entries.entries()) {
    const name = c.rawName.toString("latin1"); // the allowed names are ASCII
    if (n === 0 ? name !== "bundle.json" : !BLOB_NAME.test(name)) {
      bad(n === 0 ? `the first entry is ${JSON.stringify(name)}, not bundle.json` : `entry ${JSON.stringify(name)}`);
    }
    if (seen.has(name)) bad(`${name} repeated`);
    seen.add(name);
    if (c.method !== 0) bad(`${name} is not stored (method ${c.method})`);
    if (c.flags & REFUSED_FLAGS) bad(`${name}: flags ${c.flags.toString(16)}`);
    if (c.csize !== c.size) bad(`${name}: stored, yet two sizes`);
    if (c.diskStart !== 0) bad(`${name}: on another disk`);
    const l = c.localOffset;
    if (l !== expectedOffset) bad(`${name}: local header at ${l}, expected ${expectedOffset}`);
    if (l + 30 > cdOffset || zip.readUInt32LE(l) !== LOCAL_SIG) bad(`${name}: no local header`);
    const nameLength = zip.readUInt16LE(l + 26);
    const dataOffset = l + 30 + nameLength + zip.readUInt16LE(l + 28);
    if (
      zip.readUInt16LE(l + 6) !== c.flags ||
      zip.readUInt16LE(l + 8) !== c.method ||
      zip.readUInt32LE(l + 14) !== c.crc ||
      zip.readUInt32LE(l + 18) !== c.csize ||
      zip.readUInt32LE(l + 22) !== c.size ||
      !zip.subarray(l + 30, l + 30 + nameLength).equals(c.rawName)
    ) {
      bad(`${name}: the local header disagrees with the central directory`);
    }
    if (dataOffset + c.size > cdOffset) bad(`${name}: data overruns the central directory`);
    expectedOffset = dataOffset + c.size;
    entries[n] = { name, hash: BLOB_NAME.exec(name)?.[1], dataOffset, size: c.size, crc: c.crc };
  }
  if (expectedOffset !== cdOffset) bad("bytes between the last entry and the central directory");
  return entries;
}

/** One entry's bytes, read only now, CRC-checked [`malformed_archive`]. */
function entryBytes(zip, entry) {
  const bytes = zip.subarray(entry.dataOffset, entry.dataOffset + entry.size);
  if (crc32(bytes) !== entry.crc) reject("malformed_archive", `${entry.name}: CRC-32 mismatch`);
  return bytes;
}

/**
 * Section 9b, reading steps 1-4 (step 12 of section 13, with steps 1-11 on bundle.json).
 * Returns the bundle's verification result and the blobs, by hash.
 */
function verifyArchive(zip) {
  // 1. the structure
  const [first, ...blobEntries] = openArchive(zip);
  // 2. bundle.json, steps 1-11, before any blob is read
  const bundle = verifyBundle(entryBytes(zip, first));
  const version = bundle.parsed.schema_version;
  // Version 1 embeds its files: it names none as blobs.
  const named = new Map(version === 2n ? (bundle.parsed.attachments ?? []).map((a) => [a.sha256, a]) : []);
  // 3. each blob in archive order: named, then its size (known from the headers before
  //    reading), then its bytes' hash
  const blobs = new Map();
  for (const entry of blobEntries) {
    const attachment = named.get(entry.hash);
    if (!attachment) reject("blob_unnamed", entry.hash);
    if (BigInt(entry.size) !== attachment.size) {
      reject("blob_size_mismatch", `${entry.hash}: ${entry.size} bytes, named ${attachment.size}`);
    }
    const bytes = entryBytes(zip, entry);
    if (sha256(bytes) !== entry.hash) reject("blob_hash_mismatch", entry.hash);
    blobs.set(entry.hash, bytes);
  }
  // 4. after the last entry: every named file had its blob, in `attachments` order
  for (const sha of named.keys()) {
    if (!blobs.has(sha)) reject("blob_missing", sha);
  }
  return { ...bundle, blobs };
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

// ---------------------------------------------------------------------------
// Version 2 (sections 8, 9, 9a) and the transfer archive (section 9b, step 12).

/** The test key (seed 32 x 0x07), to sign payloads the vectors do not hold. */
const TEST_KEY = crypto.createPrivateKey({
  key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.alloc(32, 7)]),
  format: "der",
  type: "pkcs8",
});

/** A bundle file (section 2) for `payload` (bytes, or an object written compact), signed by the test key. */
function signedBundle(payload) {
  const bytes = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  const keyid = readText("bundle-v1/key_id.txt").trim();
  const sig = crypto.sign(null, pae(PAYLOAD_TYPE, bytes), TEST_KEY).toString("base64");
  return Buffer.from(
    `${JSON.stringify({ payload: bytes.toString("base64"), payloadType: PAYLOAD_TYPE, signatures: [{ keyid, sig }] })}\n`,
  );
}

/**
 * A ZIP writer for archives the vectors do not hold: stored entries as the spec asks, unless an
 * entry says otherwise ({ name, data, method, flags, crc, size, local: overrides of the local header,
 * before: bytes written ahead of the local header }).
 */
function writeZip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const e of entries) {
    if (e.before) {
      locals.push(e.before);
      offset += e.before.length;
    }
    const name = Buffer.from(e.name, "latin1");
    const fields = (h, at) => {
      h.writeUInt16LE(20, at); // version needed: 2.0
      h.writeUInt16LE(e.flags ?? 0, at + 2);
      h.writeUInt16LE(e.method ?? 0, at + 4);
      h.writeUInt16LE(0, at + 6); // 00:00
      h.writeUInt16LE(0x21, at + 8); // 1980-01-01
      h.writeUInt32LE(e.crc ?? crc32(e.data), at + 10);
      h.writeUInt32LE(e.data.length, at + 14);
      h.writeUInt32LE(e.size ?? e.data.length, at + 18);
      h.writeUInt16LE(name.length, at + 22);
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(LOCAL_SIG, 0);
    fields(local, 4);
    for (const [at, value] of e.local ?? []) local.writeUInt32LE(value, at);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(CENTRAL_SIG, 0);
    central.writeUInt16LE(20, 4); // version made by
    fields(central, 6);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(EOCD_SIG, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const V2_ENVELOPE = read("bundle-v2/envelope.json");
const V2_PAYLOAD = () => JSON.parse(readText("bundle-v2/payload.json"));
const PHOTO_SHA = V2_PAYLOAD().attachments[0].sha256;
const PHOTO = read(`bundle-v2/blobs/${PHOTO_SHA}`);
const bundleEntry = (data = V2_ENVELOPE) => ({ name: "bundle.json", data });
const blobEntry = (data, sha = sha256(data)) => ({ name: `blobs/${sha}`, data });

const rejects = (fn, code, message) =>
  assert.throws(fn, (err) => {
    assert.ok(err instanceof Reject, String(err));
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });

test("CRC-32: the table and zlib agree, and give the vector archive's values", () => {
  assert.equal(crc32Table(Buffer.from("123456789")), 0xcbf43926); // the check value
  for (const bytes of [Buffer.alloc(0), V2_ENVELOPE, PHOTO, read("bundle-v2/archive.zip")]) {
    assert.equal(crc32(bytes), crc32Table(bytes));
  }
  const [bundle, blob] = openArchive(read("bundle-v2/archive.zip"));
  assert.equal(bundle.crc, crc32Table(V2_ENVELOPE));
  assert.equal(blob.crc, crc32Table(PHOTO));
});

test("the version 2 vector verifies: the photo named, its blob beside it", () => {
  const { payload, parsed, keyid } = verifyBundle(V2_ENVELOPE);
  assert.equal(keyid, readText("bundle-v1/key_id.txt").trim());
  assert.deepEqual(payload, read("bundle-v2/payload.json"));
  assert.equal(sha256(payload), readText("bundle-v2/payload.sha256").trim());
  assert.equal(parsed.schema_version, 2n);
  assert.equal(parsed.sequence, 1n);
  assert.equal(parsed.previous_payload_sha256, GENESIS);
  assert.equal(parsed.attachments.length, 1);
  const [attachment] = parsed.attachments;
  assert.deepEqual(Object.keys(attachment).sort(), ["media_type", "sha256", "size"]);
  assert.deepEqual(parsed.inspections[0].answers["A-01"].photos, [attachment.sha256]);
  // The blob file, checked as section 9a checks a blob.
  const blob = read(`bundle-v2/blobs/${attachment.sha256}`);
  assert.equal(BigInt(blob.length), attachment.size);
  assert.equal(sha256(blob), attachment.sha256);
  assert.deepEqual(blob, read("bundle-v1/photo.png"));
  // "The same inspection as a version 2 bundle": only schema_version and `data` differ.
  const v1 = JSON.parse(readText("bundle-v1/payload.json"));
  const v2 = JSON.parse(readText("bundle-v2/payload.json"));
  assert.equal(Buffer.from(v1.attachments[0].data, "base64").equals(blob), true);
  delete v1.attachments[0].data;
  v1.schema_version = 2;
  assert.deepEqual(v2, v1);
  // The envelope file is compact, in the producers' member order, plus a line feed (section 2).
  const envelope = JSON.parse(readText("bundle-v2/envelope.json"));
  assert.equal(`${JSON.stringify(envelope)}\n`, readText("bundle-v2/envelope.json"));
  assert.deepEqual(signedBundle(payload), V2_ENVELOPE); // Ed25519 is deterministic
});

test("the transfer archive vector verifies fully (steps 1-12)", () => {
  const zip = read("bundle-v2/archive.zip");
  const entries = openArchive(zip);
  assert.deepEqual(
    entries.map((e) => e.name),
    ["bundle.json", `blobs/${PHOTO_SHA}`],
  );
  // bundle.json is the bundle file's exact bytes.
  assert.deepEqual(entryBytes(zip, entries[0]), V2_ENVELOPE);
  const { payload, parsed, blobs } = verifyArchive(zip);
  assert.equal(sha256(payload), readText("bundle-v2/payload.sha256").trim());
  assert.equal(parsed.schema_version, 2n);
  assert.deepEqual([...blobs.keys()], [PHOTO_SHA]);
  assert.deepEqual(blobs.get(PHOTO_SHA), PHOTO);
  // Our own writer's archive of the same two files verifies too.
  verifyArchive(writeZip([bundleEntry(), blobEntry(PHOTO)]));
});

const archiveManifest = JSON.parse(readText("negative-archive/manifest.json"));

test("the negative archives are the ones section 16 lists, one per blob code and a repeated entry", () => {
  const text = readFileSync(SPEC, "utf8");
  const section = text.slice(text.indexOf("- `negative-archive/`"), text.indexOf("- `negative/`"));
  const listed = [...section.matchAll(/`([a-z-]+\.zip)` \(`([a-z_]+)`\)/g)].map((m) => `${m[1]} ${m[2]}`);
  assert.deepEqual(listed.sort(), archiveManifest.map((v) => `${v.file} ${v.error}`).sort());
  assert.deepEqual(
    archiveManifest.map((v) => v.error).sort(),
    ["blob_hash_mismatch", "blob_missing", "blob_size_mismatch", "blob_unnamed", "malformed_archive"],
  );
});

for (const vector of archiveManifest) {
  test(`negative archive ${vector.file} is rejected: ${vector.error}`, () => {
    assert.equal(vector.step, 12);
    const zip = read(`negative-archive/${vector.file}`);
    // Each holds the valid version 2 bundle file: the defect is in the blobs (a repeated
    // entry is refused as the archive opens, before any entry is read).
    if (vector.error !== "malformed_archive") {
      const entries = openArchive(zip);
      assert.deepEqual(entryBytes(zip, entries[0]), V2_ENVELOPE);
    }
    rejects(() => verifyArchive(zip), vector.error);
  });
}

test("version 2 rules: `data` only in version 1, `size` at most 32 MiB (sections 8, 9)", () => {
  // `data` in version 2: schema (step 9).
  const withData = V2_PAYLOAD();
  withData.attachments[0].data = PHOTO.toString("base64");
  rejects(() => verifyBundle(signedBundle(withData)), "schema", /attachments\[0\]/);
  // ... even when an earlier attachment would fail a step-10 rule.
  const gif = V2_PAYLOAD();
  gif.attachments.unshift({ sha256: sha256(Buffer.from("gif")), media_type: "image/gif", size: 3 });
  gif.attachments[1].data = PHOTO.toString("base64");
  rejects(() => verifyBundle(signedBundle(gif)), "schema", /attachments\[1\]/);
  gif.attachments[1] = V2_PAYLOAD().attachments[0];
  rejects(() => verifyBundle(signedBundle(gif)), "attachment_media_type");
  // No `data` in version 1: schema.
  const v1 = JSON.parse(readText("bundle-v1/payload.json"));
  verifyBundle(signedBundle(v1));
  delete v1.attachments[0].data;
  rejects(() => verifyBundle(signedBundle(v1)), "schema", /attachments\[0\]/);
  // Another member in version 2: schema.
  const extra = V2_PAYLOAD();
  extra.attachments[0].name = "photo.png";
  rejects(() => verifyBundle(signedBundle(extra)), "schema");
  // ... even one named __proto__ (JavaScript's own trap).
  const proto = Buffer.from(readText("bundle-v2/payload.json").replace('"size":69}', '"size":69,"__proto__":{}}'));
  rejects(() => verifyBundle(signedBundle(proto)), "schema", /__proto__/);
  // Version 2 `size`: 32 MiB passes steps 1-11 (its blob is then missing), one byte more does not.
  const big = V2_PAYLOAD();
  big.attachments[0].size = 33554432;
  verifyBundle(signedBundle(big));
  rejects(() => verifyArchive(writeZip([bundleEntry(signedBundle(big))])), "blob_missing");
  rejects(() => verifyArchive(writeZip([bundleEntry(signedBundle(big)), blobEntry(PHOTO)])), "blob_size_mismatch");
  big.attachments[0].size = 33554433;
  rejects(() => verifyBundle(signedBundle(big)), "attachment_too_large");
  // Version 2 does not compare `size` with bytes it does not have: 68 passes steps 1-11.
  const small = V2_PAYLOAD();
  small.attachments[0].size = 68;
  verifyBundle(signedBundle(small));
  // Neither 1 nor 2: schema_version, not schema, whatever else the payload holds ...
  for (const version of [0, 3]) {
    const other = V2_PAYLOAD();
    other.schema_version = version;
    other.attachments[0].data = "not even base64!";
    other.unknown_member = true;
    rejects(() => verifyBundle(signedBundle(other)), "schema_version");
  }
  // ... a repeated key included: schema_version is read first (step 9), ...
  const repeated = (version) =>
    Buffer.from(
      readText("bundle-v2/payload.json")
        .replace('"schema_version":2', `"schema_version":${version}`)
        .replace('"app_version":"0.1.0"', '"app_version":"0.1.0","app_version":"0.1.0"'),
    );
  rejects(() => verifyBundle(signedBundle(repeated(3))), "schema_version");
  rejects(() => verifyBundle(signedBundle(repeated(2))), "schema", /duplicate key "app_version"/);
  // ... unless it is schema_version that is repeated: which one would it be?
  const twice = Buffer.from(readText("bundle-v2/payload.json").replace('"schema_version":2', '"schema_version":3,"schema_version":2'));
  rejects(() => verifyBundle(signedBundle(twice)), "schema", /schema_version twice/);
});

test("step 12 order: each blob named, then its size, then its hash; then the missing ones", () => {
  const other = Buffer.from("another file's bytes");
  // Two named files: the vector's photo, then `other`.
  const two = V2_PAYLOAD();
  two.attachments.push({ sha256: sha256(other), media_type: "image/jpeg", size: other.length });
  const bundle = bundleEntry(signedBundle(two));
  verifyArchive(writeZip([bundle, blobEntry(PHOTO), blobEntry(other)]));
  verifyArchive(writeZip([bundle, blobEntry(other), blobEntry(PHOTO)])); // blobs in any order
  // Missing: the first attachment without a blob, in `attachments` order.
  rejects(() => verifyArchive(writeZip([bundle])), "blob_missing", new RegExp(PHOTO_SHA));
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(other)])), "blob_missing", new RegExp(PHOTO_SHA));
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(PHOTO)])), "blob_missing", new RegExp(sha256(other)));
  // Per entry in archive order: an unnamed blob before a wrong-sized one is reported first ...
  const stray = Buffer.from("nobody names me");
  const short = blobEntry(PHOTO.subarray(1), PHOTO_SHA);
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(stray), short])), "blob_unnamed");
  rejects(() => verifyArchive(writeZip([bundle, short, blobEntry(stray)])), "blob_size_mismatch");
  // ... the size before the hash, and all of them before a missing blob.
  const wrong = Buffer.from(PHOTO);
  wrong[40] ^= 1;
  const otherShort = blobEntry(other.subarray(1), sha256(other));
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(wrong, PHOTO_SHA), otherShort])), "blob_hash_mismatch");
  rejects(() => verifyArchive(writeZip([bundle, otherShort, blobEntry(wrong, PHOTO_SHA)])), "blob_size_mismatch");
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(wrong, PHOTO_SHA)])), "blob_hash_mismatch");
  rejects(() => verifyArchive(writeZip([bundle, blobEntry(stray)])), "blob_unnamed");
  // A version 1 bundle embeds its files: an archive of it alone is complete, any blob unnamed.
  const v1 = bundleEntry(read("bundle-v1/envelope.json"));
  verifyArchive(writeZip([v1]));
  rejects(() => verifyArchive(writeZip([v1, blobEntry(PHOTO)])), "blob_unnamed");
  // bundle.json goes through steps 1-11 first: its own codes win over any blob's.
  for (const vector of manifest) {
    rejects(
      () => verifyArchive(writeZip([bundleEntry(read(`negative/${vector.file}`)), blobEntry(stray)])),
      vector.error,
    );
  }
});

// Section 9b's reading step 1 checks the whole structure before bundle.json (step 2). The
// ledger's reader (crates/paicha-ledger/src/archive.rs) checks names, repetition and method
// lazily, entry by entry after the bundle, and its ZIP library merges repeated names: the
// cases below pin the spec's order; no vector pins either (there is no malformed_archive vector).
test("malformed archives are rejected before bundle.json is verified (section 9b, step 1)", () => {
  const bundle = bundleEntry();
  const blob = blobEntry(PHOTO);
  const good = writeZip([bundle, blob]);
  verifyArchive(good);
  const tampered = bundleEntry(read("negative/tampered-payload-byte.json"));
  const cases = {
    "not a ZIP": V2_ENVELOPE,
    "nothing": Buffer.alloc(0),
    "an empty ZIP": writeZip([]),
    "bundle.json not first": writeZip([blob, bundle]),
    "bundle.json twice": writeZip([bundle, bundle]),
    "a blob twice": writeZip([bundle, blob, blob]),
    "another entry": writeZip([bundle, blob, { name: "README.txt", data: Buffer.from("hi") }]),
    "a directory entry": writeZip([bundle, { name: "blobs/", data: Buffer.alloc(0) }, blob]),
    "a blob named in upper case": writeZip([bundle, { name: `blobs/${PHOTO_SHA.toUpperCase()}`, data: PHOTO }]),
    "a blob named by a short hash": writeZip([bundle, { name: `blobs/${PHOTO_SHA.slice(1)}`, data: PHOTO }]),
    "bundle.json in a folder": writeZip([{ name: "x/bundle.json", data: V2_ENVELOPE }, blob]),
    "a deflated blob": writeZip([bundle, { ...blob, method: 8, data: zlib.deflateRawSync(PHOTO), size: PHOTO.length, crc: crc32(PHOTO) }]),
    "a deflated blob, with bundle.json's signature broken too": writeZip([
      tampered,
      { ...blob, method: 8, data: zlib.deflateRawSync(PHOTO), size: PHOTO.length, crc: crc32(PHOTO) },
    ]),
    "a blob marked deflated, sizes equal": writeZip([bundle, { ...blob, method: 8 }]),
    "a blob of an unknown method": writeZip([bundle, { ...blob, method: 99 }]),
    "an encrypted blob": writeZip([bundle, { ...blob, flags: 1 }]),
    "a blob with a data descriptor": writeZip([bundle, { ...blob, flags: 8 }]),
    "a blob whose CRC-32 is wrong": writeZip([bundle, { ...blob, crc: (crc32(PHOTO) ^ 1) >>> 0 }]),
    "bundle.json whose CRC-32 is wrong": writeZip([{ ...bundle, crc: (crc32(V2_ENVELOPE) ^ 1) >>> 0 }, blob]),
    "a local header that disagrees with the directory": writeZip([bundle, { ...blob, local: [[14, 0]] }]),
    "bytes between two entries": writeZip([bundle, { ...blob, before: Buffer.from("gap") }]),
    "bytes after the archive": Buffer.concat([good, Buffer.from("x")]),
    "bytes before the archive": Buffer.concat([Buffer.from("x"), good]),
    "a truncated archive": good.subarray(0, good.length - 1),
  };
  for (const [what, zip] of Object.entries(cases)) {
    assert.throws(
      () => verifyArchive(zip),
      (err) => err instanceof Reject && err.code === "malformed_archive",
      what,
    );
  }
  // A blob byte changed in the vector archive without its CRC: the ZIP is damaged, and says so
  // (the negative vector blob-hash-mismatch.zip updates the CRC: then it is blob_hash_mismatch).
  const damaged = Buffer.from(read("bundle-v2/archive.zip"));
  damaged[openArchive(damaged)[1].dataOffset + 40] ^= 1;
  rejects(() => verifyArchive(damaged), "malformed_archive", /CRC/);
  // A well-formed archive whose bundle.json is not valid: that bundle's code (step 2).
  rejects(() => verifyArchive(writeZip([tampered, blob])), "bad_signature");
  // A ZIP comment is allowed (the format says nothing against it).
  const commented = Buffer.concat([good, Buffer.from("a comment")]);
  commented.writeUInt16LE(9, good.length - 2);
  verifyArchive(commented);
});
