// End-to-end test harness: system Chromium driven by playwright-core, the
// release ledger server on a free port with a throwaway data directory, and a
// helper for the ledger CLI.
//
// Environment:
//   PAICHA_E2E_URL   test against an already running server instead of
//                    starting the ledger (e.g. `python3 -m http.server -d dist`).
//   CHROMIUM         browser binary (default /usr/bin/chromium).
//   PAICHA_E2E_DEBUG print the ledger's output as it arrives.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DIST = path.join(ROOT, "dist");
export const LEDGER = path.join(ROOT, "target", "release", "paicha-ledger");
export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/** Headless system Chromium; playwright-core never downloads a browser. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/**
 * The browsers' environment: their temporary files go to a directory of this test process,
 * removed when it exits. A Chromium that is killed (the crash tests do it on purpose) leaves
 * its scoped temporary directories behind, about 120 MB each.
 */
const BROWSER_TMP = mkdtempSync(path.join(tmpdir(), "paicha-chromium-"));
process.on("exit", () => rmSync(BROWSER_TMP, { recursive: true, force: true }));
export const BROWSER_ENV = { ...process.env, TMPDIR: BROWSER_TMP };

export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run scripts/setup --browser`);
  }
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, env: BROWSER_ENV });
}

/** A fresh temporary directory; remove it with `rm(dir, {recursive: true})`. */
export function tempDir(prefix = "paicha-e2e-") {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/**
 * Starts `paicha-ledger serve` on a free port and resolves once it prints its
 * URL. Returns { url, dataDir, output(), stop() }; `url` has no trailing slash.
 * With PAICHA_E2E_URL set, nothing is started and `stop` is a no-op.
 */
export async function startServer({ dist = DIST, dataDir } = {}) {
  if (process.env.PAICHA_E2E_URL) {
    const url = process.env.PAICHA_E2E_URL.replace(/\/+$/, "");
    return { url, dataDir: null, output: () => "", stop: async () => {} };
  }
  if (!existsSync(LEDGER)) {
    throw new Error(`${LEDGER} is missing: run cargo build --release -p paicha-ledger`);
  }
  const ownDir = !dataDir;
  dataDir ??= await tempDir();
  const args = ["serve", "--dist", dist, "--data-dir", dataDir, "--host", "127.0.0.1", "--port", "0"];
  const child = spawn(LEDGER, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });

  let log = "";
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`ledger did not print its URL within ${STARTUP_TIMEOUT_MS} ms:\n${log}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk) => {
      const text = chunk.toString();
      log += text;
      if (process.env.PAICHA_E2E_DEBUG) process.stderr.write(text);
      const m = log.match(/http:\/\/127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`ledger exited early (code ${code}, signal ${signal}):\n${log}`));
    });
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    if (ownDir) await rm(dataDir, { recursive: true, force: true });
  };
  return { url, dataDir, output: () => log, stop };
}

/**
 * Starts the ledger on a private copy of dist/, so a test can "deploy" a new version into it
 * (`dist` is the copy). `stop()` stops the server and removes the copy.
 */
export async function startServerOnDistCopy() {
  const dist = await tempDir("paicha-dist-");
  await cp(DIST, dist, { recursive: true });
  const server = await startServer({ dist });
  const stop = async () => {
    await server.stop();
    await rm(dist, { recursive: true, force: true });
  };
  return { ...server, dist, stop };
}

/**
 * What a test file runs against, set up before its tests and torn down after them: the ledger
 * serving the app (on a private copy of dist/ with `copyDist`, for tests that deploy into it),
 * a browser (unless `browser: false`) and, with `workDir` (a name prefix), a scratch
 * directory. Read `.server`, `.browser` and `.work` inside the tests.
 */
export function useApp({ copyDist = false, browser = true, workDir = null } = {}) {
  const env = { server: null, browser: null, work: null };
  before(async () => {
    env.server = copyDist ? await startServerOnDistCopy() : await startServer();
    if (browser) env.browser = await launchBrowser();
    if (workDir) env.work = await tempDir(workDir);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
    if (env.work) await rm(env.work, { recursive: true, force: true });
  });
  return env;
}

/**
 * Runs `paicha-ledger [--data-dir DIR] <args>`; resolves to {code, stdout, stderr}
 * (never rejects on a non-zero exit: tests assert on the code).
 */
export function runLedger(args, { dataDir, input, timeoutMs = 60_000 } = {}) {
  const full = dataDir ? ["--data-dir", dataDir, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(LEDGER, full, { cwd: ROOT, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), signal, stdout, stderr });
    });
    // A command that exits without reading stdin must not fail the test with EPIPE.
    child.stdin.on("error", () => {});
    child.stdin.end(input ?? "");
  });
}

/**
 * Hashed asset names as referenced by dist/index.html as served:
 * { loaderJs, appJs, appWasm, stylesCss }.
 */
export async function assetUrls(baseUrl) {
  const html = await (await fetch(`${baseUrl}/index.html`)).text();
  const find = (re, what) => {
    const m = html.match(re);
    if (!m) throw new Error(`index.html has no ${what}`);
    return new URL(m[1], `${baseUrl}/`).href;
  };
  return {
    loaderJs: find(/<script type="module" src="([^"]+)"/, "loader script"),
    appJs: find(/rel="modulepreload" href="([^"]+)"/, "modulepreload"),
    appWasm: find(/href="([^"]+\.wasm)"/, "wasm preload"),
    stylesCss: find(/rel="stylesheet" href="([^"]+)"/, "stylesheet"),
  };
}

/** Resolves when the page has an active service worker, or rejects after `ms`. */
export async function waitForServiceWorker(page, ms = 15_000) {
  // navigator.serviceWorker.ready never settles without a registration: race it.
  const scope = await page.evaluate(
    (ms) =>
      Promise.race([
        navigator.serviceWorker.ready.then((r) => r.scope),
        new Promise((_, reject) => setTimeout(() => reject(new Error("no service worker")), ms)),
      ]),
    ms,
  );
  // `ready` means active; controlling this page follows clients.claim().
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: ms });
  return scope;
}
