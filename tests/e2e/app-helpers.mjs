// Steps of the app that several journeys share, written against roles and labels.

import assert from "node:assert/strict";

export async function register(page, url, name = "赵六", cert = "GD-0001") {
  await page.goto(`${url}/`);
  await page.getByLabel("检查人员姓名").fill(name);
  await page.getByLabel("执法证号").fill(cert);
  await page.getByRole("button", { name: /登记/ }).click();
  await page.getByLabel("设备密钥标识 Device key id").waitFor();
}

/** Starts a fireworks inspection and returns its id (from the URL). */
export async function startFireworksInspection(page, url, siteName) {
  await page.goto(`${url}/#/new`);
  await page.getByRole("radio", { name: /烟花爆竹生产经营单位安全检查/ }).check();
  await page.getByLabel("被检单位名称").fill(siteName);
  await page.getByLabel("统一社会信用代码").fill("91440300708461136T");
  await page.getByRole("button", { name: /开始检查/ }).click();
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  return new URL(page.url()).hash.split("/").pop();
}

/** Answers items FW-01.. FW-n: odd ones compliant, even ones general hazards with a text. */
export async function answerItems(page, count) {
  for (let n = 1; n <= count; n++) {
    const id = `FW-${String(n).padStart(2, "0")}`;
    const group = page.getByRole("radiogroup", { name: new RegExp(`^${id} `) });
    if (n % 2) {
      await group.getByLabel(/^符合/).check();
    } else {
      await group.getByLabel(/一般隐患/).check();
      await page.getByLabel(`${id} 隐患描述`).fill(`${id} 现场发现的问题`);
      await fillOrder(page, id);
    }
  }
  await savedShown(page);
}

export async function savedShown(page) {
  await page.getByRole("status").filter({ hasText: /^✓ 已保存/ }).waitFor();
}

/** Answers shown on the open inspection screen, counted from the checked radios. */
export async function countAnswersOnScreen(page) {
  await page.getByRole("button", { name: /完成检查并签章/ }).waitFor();
  return page.getByRole("radiogroup").locator("input[type=radio]:checked").count();
}

/**
 * The stored inspection, straight from IndexedDB: its header from `inspections` joined with
 * its per-answer records from `answers` (schema v3); `headerAnswers` counts answers still
 * inside the header (the layout before v3).
 */
export async function storedInspection(page, id) {
  return page.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("paicha");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const stores = ["inspections", "answers"].filter((s) => db.objectStoreNames.contains(s));
          const tx = db.transaction(stores);
          const header = tx.objectStore("inspections").get(id);
          const answers = stores.includes("answers")
            ? tx.objectStore("answers").getAll(IDBKeyRange.bound(`${id}/`, `${id}/\uffff`))
            : null;
          tx.oncomplete = () => {
            if (!header.result) return resolve(null);
            const record = JSON.parse(header.result);
            record.headerAnswers = Object.keys(record.answers).length;
            for (const value of answers?.result ?? []) {
              const stored = JSON.parse(value);
              record.answers[stored.item] = stored.answer;
            }
            resolve(record);
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
  );
}

export async function assertAnswers(page, id, expected) {
  const record = await storedInspection(page, id);
  assert.ok(record, `inspection ${id} is stored`);
  assert.equal(Object.keys(record.answers).length, expected, "stored answers");
}

/** Fills a hazard's order (交办); with `major`, also the five measures and a suspension. */
export async function fillOrder(page, id, { major = false } = {}) {
  await page.getByLabel(`${id} 隐患部位`).fill("二号工房");
  await page.getByLabel(`${id} 整改措施`).fill("立即停止作业并整改");
  await page.getByLabel(`${id} 整改责任人`).fill("企业负责人 陈某");
  await page.getByLabel(`${id} 整改期限`).fill("2099-12-31");
  await page.getByLabel(`${id} 预计资金`).fill("5000");
  if (major) {
    await page.getByLabel(`${id} 治理目标和任务`).fill("消除重大事故隐患");
    await page.getByLabel(`${id} 治理机构和人员`).fill("安全生产管理机构 王某");
    await page.getByLabel(`${id} 安全措施和应急预案`).fill("停用相关工房，落实应急预案");
    await page.getByLabel(`${id} 经费和物资`).fill("企业安全费用");
    await page.getByLabel(`${id} 治理时限`).fill("2099-12-31");
    await page.getByLabel(`${id} 停产停业`).selectOption("partial");
  }
}
