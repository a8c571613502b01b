// Access control as people meet it: an operator creates accounts with the ledger's CLI, a
// person registers a passkey through the enrolment link and signs in at /console/ with it.
// Passkeys come from Chromium's virtual authenticator (CDP WebAuthn domain), which stands in
// for the phone or the computer's platform authenticator.
//
// WebAuthn needs a domain: the browser must open the ledger as http://localhost:PORT (the
// ledger's default --public-url), never http://127.0.0.1:PORT, or the relying party id and the
// Origin check (CSRF) do not match.

import assert from "node:assert/strict";
import { createHash, createPrivateKey, randomUUID, sign } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { ROOT, runLedger } from "./harness.mjs";
import { withCheckDigit } from "./app-helpers.mjs";

export const VECTOR = path.join(ROOT, "tests", "vectors", "bundle-v1");
export const ENVELOPE = path.join(VECTOR, "envelope.json");
const PAYLOAD_TYPE = "application/vnd.paicha.bundle.v1+json";

/** The server's URL as a browser must open it for passkeys: localhost, not 127.0.0.1. */
export function localhostUrl(server) {
  const url = new URL(server.url);
  if (url.hostname === "127.0.0.1") url.hostname = "localhost";
  return url.origin;
}

/**
 * `paicha-ledger users add --name NAME --role R... --public-url URL`: the account's id and its
 * one-time enrolment link, as the operator reads them off the terminal.
 */
export async function addAccount(server, name, roles) {
  const args = ["users", "add", "--name", name, "--public-url", localhostUrl(server)];
  for (const role of roles) args.push("--role", role);
  const result = await runLedger(args, { dataDir: server.dataDir });
  assert.equal(result.code, 0, result.stderr);
  const id = result.stdout.match(/^account ([0-9a-f-]{36})$/m)?.[1];
  assert.ok(id, `users add printed no account id:\n${result.stdout}`);
  const link = result.stdout.match(/^\s*(http\S+\/console\/enrol\/\S+)$/m)?.[1];
  assert.ok(link, `users add printed no enrolment link:\n${result.stdout}`);
  return { id, link };
}

/** Adds regions to the ledger's table from CSV lines (`code,name,level,parent`). */
export async function importRegions(server, work, lines) {
  const file = path.join(work, `regions-${randomUUID()}.csv`);
  await writeFile(file, ["code,name,level,parent", ...lines, ""].join("\n"));
  const result = await runLedger(["regions", "import", file], { dataDir: server.dataDir });
  assert.equal(result.code, 0, result.stderr);
}

/**
 * A page with a platform authenticator of its own (a person's phone or computer): resident
 * keys and user verification, as passkeys need. Returns { page, cdp, authenticatorId }.
 */
export async function pageWithAuthenticator(context) {
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return { page, cdp, authenticatorId };
}

/** Opens the enrolment link and registers a passkey with it, as the person would. */
export async function registerPasskey(page, link, name) {
  await page.goto(link);
  await page.getByRole("heading", { level: 2, name: /登记通行密钥/ }).waitFor();
  assert.match(await page.locator("main").textContent(), new RegExp(name));
  await page.getByRole("button", { name: /登记通行密钥/ }).click();
  await doneOrFailed(page, page.getByRole("status").filter({ hasText: /通行密钥已登记/ }), "#register-error");
}

/**
 * Waits for `done`, or fails at once with the page's error message. The ledger limits passkey
 * requests per client address (a burst of 10, then one per 6 s; every test client is
 * 127.0.0.1): a test file signs in at most two people, four requests each.
 */
async function doneOrFailed(page, done, errorSelector) {
  const error = page.locator(errorSelector);
  await Promise.race([done.waitFor(), error.waitFor({ state: "visible" })]);
  if (await error.isVisible()) assert.fail(`the console says: ${await error.textContent()}`);
}

/** Signs in at /console/sign-in with the passkey; resolves on the hazard ledger page. */
export async function signIn(page, baseUrl) {
  await page.goto(`${baseUrl}/console/sign-in`);
  await page.getByRole("button", { name: /登录/ }).click();
  await doneOrFailed(page, page.getByRole("heading", { level: 1, name: /隐患台账/ }), "#sign-in-error");
  assert.equal(page.url(), `${baseUrl}/console/`);
}

/** The session cookie the browser holds for the ledger (its value), or undefined. */
export async function sessionCookie(context, baseUrl) {
  const cookies = await context.cookies(baseUrl);
  return cookies.find((c) => c.name === "paicha_session")?.value;
}

/**
 * The person of `account` ({ id, link } from `addAccount`) registers a passkey and signs in
 * at the console, in a browser context of their own: { context, page, id, cookie }. `cookie`
 * is the `Cookie` header value for other clients.
 */
export async function signInAs(browser, server, account, name, contextOptions = {}) {
  const baseUrl = localhostUrl(server);
  const context = await browser.newContext({ locale: "zh-CN", ...contextOptions });
  const { page } = await pageWithAuthenticator(context);
  await registerPasskey(page, account.link, name);
  await signIn(page, baseUrl);
  const token = await sessionCookie(context, baseUrl);
  assert.ok(token, "signing in set the session cookie");
  return { context, page, id: account.id, cookie: `paicha_session=${token}` };
}

/** A new account (`users add`) whose person registers a passkey and signs in. */
export async function signedInPerson(browser, server, name, roles, contextOptions = {}) {
  const account = await addAccount(server, name, roles);
  return signInAs(browser, server, account, name, contextOptions);
}

/** `keys add --from-bundle FILE --account ID` (with `--expect-key-id` when given). */
export async function enrolKey(server, file, account, { expectKeyId, organisation, dataDir } = {}) {
  const args = ["keys", "add", "--from-bundle", file, "--account", account];
  if (expectKeyId) args.push("--expect-key-id", expectKeyId);
  if (organisation) args.push("--organisation", organisation);
  const result = await runLedger(args, { dataDir: dataDir ?? server.dataDir });
  assert.equal(result.code, 0, result.stderr);
  return result;
}

/** DSSE v1 pre-authentication encoding. */
function pae(type, body) {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

/**
 * The reference bundle's device (test seed 0x07 × 32) continuing its chain: bundles that
 * follow tests/vectors/bundle-v1, each with one inspection of a site registered in another
 * region (the credit code's positions 3–8) and its own finding. `sites` is a list of
 * { region (6 digits), name, description, deadline? (整改期限, YYYY-MM-DD), verdict? (default
 * the reference's major_hazard), photo? (a JPEG's bytes: the finding's one photo) }. Returns the envelopes' JSON text, in order; the
 * reference bundle must be uploaded first (it is the chain's genesis).
 */
export function continueReferenceChain(sites) {
  const seed = Buffer.from(readFileSync(path.join(VECTOR, "seed.hex"), "utf8").trim(), "hex");
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), seed]),
    format: "der",
    type: "pkcs8",
  });
  const base = JSON.parse(readFileSync(ENVELOPE, "utf8"));
  const reference = Buffer.from(base.payload, "base64");
  let previous = createHash("sha256").update(reference).digest("hex");
  let payload = JSON.parse(reference.toString("utf8"));
  return sites.map(({ region, name, description, deadline, verdict, photo }, i) => {
    payload = structuredClone(payload);
    payload.bundle_id = randomUUID();
    payload.sequence += 1;
    payload.previous_payload_sha256 = previous;
    payload.created_at = new Date(Date.parse("2026-11-30T09:00:00Z") + i * 86_400_000).toISOString().replace(".000", "");
    const inspection = payload.inspections[0];
    inspection.id = randomUUID();
    inspection.site = { name, credit_code: withCheckDigit(`91${region}708461136`) };
    inspection.answers["A-01"].description = description;
    if (verdict) inspection.answers["A-01"].verdict = verdict;
    if (photo) {
      // A photo of its own (bytes of a JPEG) instead of the reference's 1×1 PNG.
      const sha256 = createHash("sha256").update(photo).digest("hex");
      inspection.answers["A-01"].photos = [sha256];
      payload.attachments = [{ sha256, media_type: "image/jpeg", size: photo.length, data: photo.toString("base64") }];
    }
    if (deadline) {
      inspection.answers["A-01"].location = "二号仓库";
      inspection.answers["A-01"].rectification = { measures: "立即修复", responsible: "仓库主管", deadline };
    }
    const bytes = Buffer.from(JSON.stringify(payload));
    previous = createHash("sha256").update(bytes).digest("hex");
    const sig = sign(null, pae(PAYLOAD_TYPE, bytes), key);
    return JSON.stringify({
      payload: bytes.toString("base64"),
      payloadType: PAYLOAD_TYPE,
      signatures: [{ keyid: base.signatures[0].keyid, sig: sig.toString("base64") }],
    });
  });
}

/** POST /api/bundles as a phone's outbox does: { status, body }. */
export async function upload(server, body) {
  const response = await fetch(`${server.url}/api/bundles`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return { status: response.status, body: await response.json() };
}
