// Inspections with many photos, for the tests of photos beside the bundle (payload version 2):
// blobs.test.mjs (upload through network cuts, the .zip) and free-photos.test.mjs (freeing
// delivered photos).

import path from "node:path";
import { localhostUrl } from "./access-helpers.mjs";
import { fillCoInspector, fillOrder, fillRegistration, pngOfRow, savedShown } from "./app-helpers.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `predicate()` holds, polling; fails naming `what` after `ms`. */
export async function until(predicate, what, ms = 60_000) {
  const end = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Photo number `n` (below 256): a 64×48 PNG of eight vertical stripes, black or white by the
 * bits of `n`, so that every photo stays distinct after the app re-encodes it as JPEG.
 */
export function stripes(n) {
  const [width, height] = [64, 48];
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) {
    const on = (n >> Math.floor(x / 8)) & 1;
    row.fill(on ? 255 : 0, 1 + x * 3, 4 + x * 3);
  }
  return { name: `IMG_${String(n).padStart(4, "0")}.png`, mimeType: "image/png", buffer: pngOfRow(width, height, row) };
}

/**
 * Registers, starts a fireworks inspection with a major hazard on FW-07 holding `photos`
 * photos (chosen from the gallery at once) and opens the completion screen; returns the
 * hazard's description.
 */
export async function hazardWithPhotos(server, page, { name, cert, site, photos }) {
  // The ledger checks a device's signature over its public origin, `localhost`.
  await page.goto(`${localhostUrl(server)}/`);
  await fillRegistration(page, { name, cert });
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByRole("link", { name: /新建检查/ }).click();
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill(site);
  await page.getByLabel("统一社会信用代码").fill("91440300708461136T");
  await fillCoInspector(page);
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("radiogroup", { name: /^FW-07 / }).getByLabel(/重大隐患/).check();
  const description = `${site}：防雷接地装置检测报告过期`;
  await page.getByLabel("FW-07 隐患描述").fill(description);
  await fillOrder(page, "FW-07", { major: true });
  await page.getByLabel("FW-07 从相册选择").setInputFiles(Array.from({ length: photos }, (_, n) => stripes(n)));
  const thumbnails = page.getByRole("img", { name: /^FW-07 照片 \d+$/ });
  await until(async () => (await thumbnails.count()) === photos, `${photos} thumbnails`, 90_000);
  await savedShown(page);
  await page.getByRole("button", { name: /完成检查并签章/ }).click();
  await page.getByRole("heading", { name: /^完成检查/ }).waitFor();
  return description;
}

/**
 * Seals on the completion screen and downloads the export into `dir` (offline: nothing is
 * uploaded); returns the file, its name and the inspection's id.
 */
export async function sealAndExport(page, context, dir) {
  const id = page.url().match(/#\/complete\/([0-9a-f-]{36})/)?.[1];
  await page.getByRole("button", { name: /签章封存/ }).click();
  await context.setOffline(true);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: /签名并导出/ }).click(),
  ]);
  const file = path.join(dir, download.suggestedFilename());
  await download.saveAs(file);
  return { file, name: download.suggestedFilename(), id };
}
