// A professional's and a unit's pages in the browser: the professional sees the years at a
// glance, registers a record with an evidence PDF and finds it listed, and checks a planned
// title application; the unit lists its staff, opens a person, imports a file with one bad row
// (all or nothing, then keeping the good row), submits a year page and books verification.
// Screenshots of each page at desktop and phone width.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { demo, shot, signIn } from "./lib.mjs";

const files = mkdtempSync(join(tmpdir(), "xueshi-e2e-files-"));

/** Accepts every confirm() of the page (the forms' data-confirm). */
function acceptDialogs(page) {
  page.on("dialog", (d) => d.accept());
}

/** A small valid PDF, as a scanned certificate would be. */
function evidencePdf() {
  const path = join(files, "合格证书.pdf");
  writeFileSync(
    path,
    "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
  );
  return path;
}

test("a professional sees each year, registers a record with evidence and checks readiness", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-professional");
  acceptDialogs(page);
  assert.equal(new URL(page.url()).pathname, "/me");
  await page.getByRole("heading", { name: "我的学时" }).waitFor();
  for (const year of ["2026", "2025", "2024"]) {
    assert.ok(await page.getByRole("heading", { name: new RegExp(`^${year} 年度`) }).first().isVisible(), year);
  }
  await shot(page, "me");

  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "登记学习" }).click();
  await page.waitForURL("**/me/records/new");
  assert.match(await page.locator("main").innerText(), /请在 \d{4}-\d{2}-\d{2} 前登记/);
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

  // A training class with a 备案号 nobody approved: asked before saving, the engine says it
  // cannot count and why, in Chinese; declining saves nothing.
  const unfiled = `未备案的培训班 ${Date.now()}`;
  await page.getByLabel("培训或学习内容").fill(unfiled);
  await page.getByRole("radio", { name: "专业科目" }).check();
  await page.getByLabel("学习形式").selectOption("training_class");
  await page.getByLabel("完成日期").fill(today);
  await page.getByLabel("学时（与分钟二选一）").fill("8");
  await page.getByLabel("培训备案号（专业科目培训班）").fill("六人社培备〔2026〕9999号");
  let asked = null;
  page.removeAllListeners("dialog");
  page.once("dialog", (d) => {
    asked = d.message();
    d.dismiss();
  });
  await page.getByRole("button", { name: "登记", exact: true }).click();
  const refused = page.locator("#record-form .msg.bad");
  await refused.waitFor();
  assert.match(asked ?? "", /不予认定：专业科目培训须事先备案同意/);
  assert.match(await refused.innerText(), /未登记/);
  assert.equal(new URL(page.url()).pathname, "/me/records/new", "nothing saved, still on the form");
  await shot(page, "me-record-warned");
  acceptDialogs(page);
  await page.getByLabel("培训备案号（专业科目培训班）").fill("");

  const content = `浏览器测试课程 ${Date.now()}`;
  await page.getByLabel("培训或学习内容").fill(content);
  await page.getByRole("radio", { name: "公需科目" }).check();
  await page.getByLabel("学习形式").selectOption("online");
  await page.locator("#provider").selectOption("kind:hrss");
  await page.getByLabel("完成日期").fill(today);
  await page.getByLabel("学时（与分钟二选一）").fill("2");
  await page.getByLabel("证明材料").setInputFiles(evidencePdf());
  await shot(page, "me-record-new");
  await page.getByRole("button", { name: "登记", exact: true }).click();
  await page.waitForURL(/\/me\?new=\d+/);
  const row = page.locator("tr.new", { hasText: content });
  await row.waitFor();
  assert.match(await row.innerText(), /新登记/);
  // The evidence opens from the record: the PDF as uploaded, never cached.
  const link = row.getByRole("link", { name: "查看证明材料" });
  const href = await link.getAttribute("href");
  assert.match(href, /^\/api\/persons\/\d+\/evidence\/[0-9a-f]{64}$/);
  const opened = await page.request.get(href);
  assert.equal(opened.status(), 200);
  assert.equal(opened.headers()["content-type"], "application/pdf");
  assert.match(opened.headers()["cache-control"], /no-store/);
  assert.ok((await opened.body()).subarray(0, 5).equals(Buffer.from("%PDF-")));
  await shot(page, "me-registered");

  await page.goto("/me/readiness");
  await page.getByLabel("申报职称级别").selectOption("intermediate");
  await page.getByLabel("任职周期首年").fill("2024");
  await page.getByLabel("任职周期末年").fill("2026");
  await page.getByRole("button", { name: "查看" }).click();
  await page.waitForURL(/level=intermediate/);
  await page.getByRole("heading", { name: "由谁核验" }).waitFor();
  const text = await page.locator("main").innerText();
  assert.match(text, /核验机构/);
  assert.match(text, /2024—2026 年任职周期/);
  await shot(page, "me-readiness");
  const book = page.getByRole("button", { name: "预约该时段" });
  if (await book.count()) {
    await book.click();
    await page.waitForLoadState("load");
    await page.getByText("已预约").first().waitFor();
  }
  await context.close();
});

test("a unit lists its staff, imports a file with a bad row, submits and books", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-unit");
  acceptDialogs(page);
  assert.equal(new URL(page.url()).pathname, "/unit/staff");
  const rows = page.locator("main table tbody tr");
  await rows.first().waitFor();
  assert.ok((await rows.count()) > 0);
  assert.match(await page.locator("main").innerText(), /第 1 \/ \d+ 页，共 \d+ 人/);
  await shot(page, "unit-staff");

  // A person's page, read-only.
  const first = rows.first().getByRole("link");
  const name = (await first.innerText()).trim();
  await first.click();
  await page.waitForURL(/\/persons\/\d+$/);
  await page.getByRole("heading", { name: `${name} 的学时` }).waitFor();
  await shot(page, "unit-person");
  const personId = new URL(page.url()).pathname.split("/").pop();

  // The import: the person's full ID number is a disclosure the unit may make (logged).
  await page.goto("/unit/import");
  const api = await page.locator("#import-form").getAttribute("data-api");
  assert.match(api, /^\/api\/units\/\d+\/import\?keep_good=false$/);
  const reveal = await page.request.get(`/api/persons/${personId}/id-number`);
  assert.equal(reveal.status(), 200, await reveal.text());
  const idNumber = (await reveal.json()).id_number;
  const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
  const label = `E2E-${Date.now()}`;
  const csv = [
    "身份证号,姓名,记录编号,内容,科目,形式,提供单位,完成日期,学时,考试",
    `${idNumber},${name},${label}-1,单位组织的公需课程,公需科目,网络学习,人社部门,${today},2,无`,
    `${idNumber},错误的姓名,${label}-2,单位组织的公需课程,公需科目,网络学习,人社部门,${today},2,无`,
  ].join("\n");
  const path = join(files, "学习记录.csv");
  writeFileSync(path, csv + "\n");
  await page.getByLabel("选择文件").setInputFiles(path);
  await page.getByRole("button", { name: "上传并导入" }).click();
  const report = page.locator("#import-report");
  await report.getByRole("heading", { name: "导入结果" }).waitFor();
  const all = await report.innerText();
  assert.match(all, /未写入任何数据/);
  assert.doesNotMatch(all, /person\.name_mismatch/, "no code in what people read");
  assert.ok(await report.locator('[data-code="person.name_mismatch"]').count(), "the code stays for programs");
  assert.match(all, /\b3\b[\s\S]*姓名/);
  await shot(page, "unit-import-rejected");
  await page.getByLabel(/仍导入正确的行/).check();
  await page.getByRole("button", { name: "上传并导入" }).click();
  await report.getByText("已写入").waitFor();
  await page.waitForFunction(() => /以下各行未导入/.test(document.querySelector("#import-report").innerText));
  assert.match(await report.innerText(), /1（第 2 行）/);
  await shot(page, "unit-import-kept");

  // Submit one staff member's year page.
  await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "提交审核" }).click();
  await page.waitForURL("**/unit/submit");
  await shot(page, "unit-submit");
  const submit = page.locator("main table tbody tr").filter({ has: page.getByRole("button", { name: "提交审核" }) }).first();
  if (await submit.count()) {
    const who = (await submit.getByRole("link").innerText()).trim();
    await submit.getByRole("button", { name: "提交审核" }).click();
    await page.waitForLoadState("load");
    await page.locator("main table tbody tr", { hasText: who }).getByText("审核中").waitFor();
  }

  // Book verification for two staff members at the verifier's first open slot.
  await page.goto("/unit/bookings");
  await page.getByRole("heading", { name: "核验机构与可预约时段" }).waitFor();
  const boxes = page.locator("input[data-pick]");
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  assert.equal(await page.locator("strong[data-pick-count]").innerText(), "2");
  await shot(page, "unit-bookings");
  const slot = page.getByLabel("核验时段");
  if (await slot.count()) {
    await page.getByRole("button", { name: "预约", exact: true }).click();
    await page.waitForLoadState("load");
    await page.locator("section", { hasText: "本单位的预约" }).getByText("已预约").first().waitFor();
    await shot(page, "unit-bookings-booked");
  }

  // Apply for one staff member's verification, then follow it: the newest row of the unit's
  // applications is theirs, pending, naming the bureau it is routed to.
  await page.goto("/unit/bookings");
  const followed = page.locator("section", { has: page.getByRole("heading", { name: "本单位职工的核验申请" }) });
  const before = await followed.locator("tr[data-status]").count();
  await page.locator("input[data-pick]").nth(2).check();
  const apply = page.locator("form", { has: page.getByRole("heading", { name: "为所选职工申请学时核验" }) });
  await apply.getByLabel("申报职称级别").selectOption("senior");
  // A cycle of its own (the demo stages three-year ones), so that it is nobody's duplicate.
  const last = Number(await apply.getByLabel("末年").inputValue());
  await apply.getByLabel("任职周期首年").fill(String(last - 1));
  await Promise.all([page.waitForEvent("load"), apply.getByRole("button", { name: "申请核验" }).click()]);
  await followed.locator("tr[data-status]").nth(before).waitFor();
  assert.equal(await followed.locator("tr[data-status]").count(), before + 1);
  const newest = followed.locator("tr[data-status]").first();
  assert.equal(await newest.getAttribute("data-status"), "pending");
  const text = await newest.innerText();
  assert.match(text, /高级职称/);
  assert.match(text, /待核验/);
  assert.match(text, /人力资源和社会保障局|中心/);
  await shot(page, "unit-applications");
  await context.close();
});
