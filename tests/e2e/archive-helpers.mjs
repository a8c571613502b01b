// Reading what the app downloads for a bundle: the bundle file itself (`.json`), or the
// offline transfer archive (`.zip`: `bundle.json` and `blobs/<sha256>`, stored entries) when
// its payload (schema version 2) names photos. An independent reader, written from the ZIP
// format (APPNOTE 6.3.10), so that the tests do not read archives with the app's own code.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

/** CRC-32 (ISO-HDLC, as ZIP uses it). */
function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The entries of a ZIP whose entries are stored (not compressed), in central directory order:
 * [{ name, data }]. Checks each entry's local header against the directory and its CRC-32.
 */
export function readStoredZip(buf) {
  let end = buf.length - 22;
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  assert.ok(end >= 0, "a ZIP ends with its end of central directory record");
  const count = buf.readUInt16LE(end + 10);
  let p = buf.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(p), 0x02014b50, "central directory entry");
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const size = buf.readUInt32LE(p + 20);
    assert.equal(buf.readUInt32LE(p + 24), size, "stored: compressed size = size");
    const nameLength = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const offset = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLength).toString("utf8");
    assert.equal(method, 0, `${name} is stored`);
    assert.equal(buf.readUInt32LE(offset), 0x04034b50, `${name}: local header`);
    const localName = buf.readUInt16LE(offset + 26);
    const localExtra = buf.readUInt16LE(offset + 28);
    assert.equal(buf.subarray(offset + 30, offset + 30 + localName).toString("utf8"), name);
    const start = offset + 30 + localName + localExtra;
    const data = buf.subarray(start, start + size);
    assert.equal(data.length, size, `${name}: all of its bytes`);
    assert.equal(crc32(data), crc, `${name}: CRC-32`);
    entries.push({ name, data });
    p += 46 + nameLength + extra + comment;
  }
  return entries;
}

/**
 * A downloaded bundle, `.json` or `.zip`: { text (the bundle file), envelope, payload,
 * blobs: Map sha256 → bytes (empty for a `.json`), names (the archive's entry names) }. Every
 * blob of an archive is checked against the name and size the payload gives it, and every
 * file the payload names is there.
 */
export async function readBundleDownload(file) {
  const bytes = await readFile(file);
  const blobs = new Map();
  let text;
  let names = [];
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    const entries = readStoredZip(bytes);
    names = entries.map((e) => e.name);
    assert.equal(names[0], "bundle.json", "the bundle file comes first");
    text = entries[0].data.toString("utf8");
    for (const { name, data } of entries.slice(1)) {
      const hash = name.match(/^blobs\/([0-9a-f]{64})$/)?.[1];
      assert.ok(hash, `entry ${name}`);
      assert.equal(sha256(data), hash, `${name}: its bytes hash to its name`);
      assert.ok(!blobs.has(hash), `${name} once`);
      blobs.set(hash, Buffer.from(data));
    }
  } else {
    text = bytes.toString("utf8");
  }
  const envelope = JSON.parse(text);
  const payload = JSON.parse(Buffer.from(envelope.payload, "base64").toString("utf8"));
  if (names.length) {
    assert.equal(payload.schema_version, 2);
    assert.deepEqual([...blobs.keys()], (payload.attachments ?? []).map((a) => a.sha256), "every named file, in order");
    for (const a of payload.attachments) assert.equal(blobs.get(a.sha256).length, a.size, `${a.sha256}: size`);
  }
  return { text, envelope, payload, blobs, names };
}

/** The bytes of a file the bundle carries: embedded (version 1) or beside it (version 2). */
export function attachmentBytes(bundle, sha) {
  const a = bundle.payload.attachments.find((x) => x.sha256 === sha);
  assert.ok(a, `attachment ${sha}`);
  return a.data ? Buffer.from(a.data, "base64") : bundle.blobs.get(sha);
}
