// Photos beside the bundle (payload version 2): an inspection with 200 photos is sealed and
// exported as a transfer archive, then uploaded with the network cut twice mid-way. Every photo
// reaches the ledger, and none the ledger confirmed (201/200) is sent again, not after a cut
// and not after a reload. The downloaded .zip imports into a fresh ledger on its own.

import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFile, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { runLedger, tempDir, useApp } from "./harness.mjs";
import { addAccount, enrolKey, localhostUrl } from "./access-helpers.mjs";
import { drawSignature } from "./app-helpers.mjs";
import { hazardWithPhotos, sealAndExport, until } from "./photo-helpers.mjs";
import { readBundleDownload } from "./archive-helpers.mjs";

const env = useApp({ workDir: "paicha-blobs-" });

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every file under `dir`, recursively: name → full path. */
async function filesUnder(dir) {
  const out = new Map();
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.set(entry.name, path.join(entry.parentPath ?? entry.path, entry.name));
  }
  return out;
}

/** Enrols the archive's device key (`keys add` reads its bundle file) into a new account. */
async function enrolFromArchive(server, zipFile, dataDir) {
  const account = await addAccount({ ...server, dataDir }, "赵六", ["inspector@13"]);
  await enrolKey(server, zipFile, account.id, { dataDir });
}

test("200 photos: the envelope, then each photo once, through two network cuts and a reload", async () => {
  const started = Date.now();
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e));
  const PHOTOS = 200;
  const description = await hazardWithPhotos(env.server, page, { name: "赵六", cert: "EX-2026-200", site: "两百张照片烟花厂", photos: PHOTOS });
  const { file, name } = await sealAndExport(page, context, env.work);
  const photosReady = Date.now();

  // The download is the transfer archive: the bundle file and the 200 photos it names.
  assert.match(name, /^paicha-91440300708461136T-\d{8}-000001\.zip$/);
  const bundle = await readBundleDownload(file);
  assert.equal(bundle.payload.schema_version, 2);
  assert.equal(bundle.blobs.size, PHOTOS);
  assert.ok(bundle.payload.attachments.every((a) => !("data" in a)), "the payload carries no bytes");
  assert.ok(bundle.text.length < 64 * 1024, `the envelope is small: ${bundle.text.length} bytes`);
  const named = new Set(bundle.payload.attachments.map((a) => a.sha256));
  await enrolFromArchive(env.server, file, env.server.dataDir);

  // Every PUT of a photo and its answer, as the page sees them.
  const puts = []; // { sha, confirmedBefore }
  const confirmed = new Map(); // sha → status of the answer that confirmed it
  let failed = 0;
  let bundlePosts = 0;
  const unexpected = [];
  const cutAt = [60, 130]; // confirmed photos at which the network goes
  const blobOf = (url) => url.match(/\/api\/blobs\/([0-9a-f]{64})$/)?.[1];
  page.on("request", (r) => {
    if (r.method() === "POST" && r.url().endsWith("/api/bundles")) bundlePosts++;
    const sha = r.method() === "PUT" && blobOf(r.url());
    if (sha) puts.push({ sha, confirmedBefore: confirmed.has(sha) });
  });
  page.on("requestfailed", (r) => {
    if (blobOf(r.url())) failed++;
  });
  page.on("response", (r) => {
    const sha = r.request().method() === "PUT" && blobOf(r.url());
    if (!sha) return;
    if (![200, 201].includes(r.status())) {
      const status = `PUT ${sha}: HTTP ${r.status()}`;
      r.text().then((body) => unexpected.push(`${status} ${body}`), () => unexpected.push(status));
      return;
    }
    if (!confirmed.has(sha)) confirmed.set(sha, r.status());
    // The cut comes the moment the count is reached, while the uploader is mid-way.
    if (cutAt.length && confirmed.size >= cutAt[0]) {
      cutAt.shift();
      context.setOffline(true);
    }
  });

  await page.getByRole("link", { name: /上传状态/ }).click();
  const entry = page.getByRole("listitem", { name: new RegExp(name.replace(/\./g, "\\.")) });
  await entry.getByText(/照片 0 \/ 200 已送达/).waitFor();
  const cuts = [];
  for (let round = 0; round < 3; round++) {
    await context.setOffline(false);
    await page.getByRole("button", { name: /立即上传/ }).click();
    if (round === 2) break;
    // Cut: the uploader stops, backs off and says so; nothing is sent while offline.
    await until(() => cutAt.length === 1 - round, `cut ${round + 1}`).catch(async (e) => {
      const seen = `${puts.length} PUTs, ${confirmed.size} confirmed, ${failed} failed, ${bundlePosts} POSTs`;
      throw new Error(`${e.message}: ${seen}; ${unexpected.slice(0, 3).join("; ")}; outbox: ${await entry.textContent()}`);
    });
    await entry.getByText(/失败/).waitFor();
    const putsWhenStopped = puts.length;
    await sleep(500);
    assert.equal(puts.length, putsWhenStopped, "nothing is sent while offline");
    cuts.push(confirmed.size);
    assert.ok(confirmed.size < PHOTOS, `cut ${round + 1} came mid-way (${confirmed.size} delivered)`);
    // What the outbox shows matches what the ledger confirmed.
    await entry.getByText(new RegExp(`照片 ${confirmed.size} / 200 已送达`)).waitFor();
  }
  await entry.getByText(/^已上传/).waitFor({ timeout: 60_000 });
  await entry.getByText(/照片 200 \/ 200 已送达/).waitFor();
  const uploaded = Date.now();

  // Every photo confirmed once; none confirmed was sent again.
  assert.deepEqual(unexpected, []);
  assert.deepEqual(new Set(confirmed.keys()), named, "every named photo, confirmed");
  assert.deepEqual(puts.filter((p) => p.confirmedBefore), [], "no confirmed photo is sent again");
  const perPhoto = new Map();
  for (const { sha } of puts) perPhoto.set(sha, (perPhoto.get(sha) ?? 0) + 1);
  const again = [...perPhoto.values()].filter((n) => n > 1).length;
  // A photo is sent a second time only when the cut took its answer (the request failed).
  assert.ok(again <= failed, `${again} photos sent twice, ${failed} requests failed`);
  assert.equal(bundlePosts, 1, "the envelope went once: its answer's list is kept");

  // A reload: still uploaded, nothing sent again.
  const putsBefore = puts.length;
  await page.reload();
  await entry.getByText(/^已上传/).waitFor();
  await entry.getByText(/照片 200 \/ 200 已送达/).waitFor();
  await page.getByRole("button", { name: /立即上传/ }).click();
  await sleep(1_000);
  assert.equal(puts.length, putsBefore, "nothing is sent after a reload");

  // The ledger holds each photo byte for byte, and the inspection is complete there.
  const files = await filesUnder(path.join(env.server.dataDir, "blobs"));
  for (const [sha, bytes] of bundle.blobs) {
    assert.ok(files.has(sha), `the ledger stores ${sha}`);
    assert.equal(sha256(await readFile(files.get(sha))), sha);
    assert.equal(bytes.length, (await readFile(files.get(sha))).length);
  }
  const gaps = await runLedger(["gaps"], { dataDir: env.server.dataDir });
  assert.equal(gaps.code, 0, gaps.stderr);
  assert.doesNotMatch(gaps.stdout, /photos not arrived yet/);
  const csv = await runLedger(["export", "hazards", "--format", "csv"], { dataDir: env.server.dataDir });
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, new RegExp(description));
  assert.deepEqual(pageErrors, []);
  console.log(
    `200 photos: ${puts.length} PUTs (${again} sent twice after ${failed} failed requests), cuts after ` +
      `${cuts.join(" and ")} photos; photos taken and exported in ` +
      `${((photosReady - started) / 1000).toFixed(1)} s, uploaded in ${((uploaded - photosReady) / 1000).toFixed(1)} s`,
  );
  await context.close();
});

test("the downloaded .zip imports into a fresh ledger with its photos and signature", async () => {
  const context = await env.browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  const description = await hazardWithPhotos(env.server, page, { name: "孙七", cert: "EX-2026-ZIP", site: "传输文件烟花厂", photos: 3 });
  await drawSignature(page);
  const { file, name } = await sealAndExport(page, context, env.work);
  assert.match(name, /\.zip$/);
  const bundle = await readBundleDownload(file);
  const signature = bundle.payload.inspections[0].site_signature;
  assert.match(signature, /^[0-9a-f]{64}$/);
  assert.deepEqual(bundle.names, ["bundle.json", ...bundle.payload.attachments.map((a) => `blobs/${a.sha256}`)]);
  assert.equal(bundle.blobs.size, 4, "three photos and the signature");
  assert.ok(bundle.blobs.has(signature));

  // Downloaded again: the same bytes (no time in the entries, the same stored photos).
  const [again] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /再次下载签名文件/ }).click(),
  ]);
  assert.deepEqual(await readFile(await again.path()), await readFile(file), "downloaded again byte for byte");

  const verified = await runLedger(["verify", file]);
  assert.equal(verified.code, 0, verified.stderr);

  // 本机存储: what the photos take, and that they stay until the ledger has them.
  await page.goto(`${localhostUrl(env.server)}/#/storage`);
  const bytes = [...bundle.blobs.values()].reduce((n, b) => n + b.length, 0);
  await page.getByText(`照片及签名：4 个文件，${(bytes / 1048576).toFixed(1)} MB`).waitFor();
  await page.getByText("4 张照片尚未送达台账，送达前保留在本机。").waitFor();

  const dataDir = await tempDir("paicha-blobs-fresh-");
  try {
    await enrolFromArchive(env.server, file, dataDir);
    const imported = await runLedger(["import", file], { dataDir });
    assert.equal(imported.code, 0, imported.stderr + imported.stdout);
    assert.match(imported.stdout, /imported 1/);
    const files = await filesUnder(path.join(dataDir, "blobs"));
    for (const [sha, bytes] of bundle.blobs) {
      assert.ok(files.has(sha), `imported ${sha}`);
      assert.deepEqual(await readFile(files.get(sha)), bytes);
    }
    const gaps = await runLedger(["gaps"], { dataDir });
    assert.doesNotMatch(gaps.stdout, /photos not arrived yet/);
    const csv = await runLedger(["export", "hazards", "--format", "csv"], { dataDir });
    assert.match(csv.stdout, new RegExp(description));
    // Imported again: recognised, nothing doubled.
    const twice = await runLedger(["import", file], { dataDir });
    assert.equal(twice.code, 0, twice.stderr);
    assert.match(twice.stdout, /already imported 1/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
  await context.close();
});
