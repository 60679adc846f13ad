// The remaining roles' main flows: a training provider files a training and sees it waiting;
// the zone centre and the state-owned unit each answer an application in their queue; the base
// uploads the sample report `serve --demo` wrote and sees two rows written and one refused.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { acceptDialogs, count, demo, message, shot, signIn } from "./lib.mjs";

test("a training provider files a training and sees it waiting for the bureau", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-provider");
  acceptDialogs(page);
  await page.goto("/filings");
  const form = page.locator('form[data-api="/api/filings"]');
  assert.equal(await form.getByLabel("备案编号").count(), 0, "the bureau assigns the number, not the provider");
  const title = `2026年度工程系列专业技术人员继续教育面授班 ${Date.now()}`;
  await form.getByLabel("培训名称").fill(title);
  await form.getByLabel("学时").fill("16");
  await form.locator('select[name="region"]').selectOption({ index: 1 });
  await form.getByLabel("开班日期").fill("2026-12-20");
  await form.getByLabel("结束日期").fill("2026-12-22");
  await form.getByLabel("培训地点").fill("六安市工程技术培训中心");
  await form.getByLabel("预计参训人数").fill("60");
  await form.getByLabel("培训内容").fill("新规范解读与工程案例分析");
  await form.getByLabel(/附件/).setInputFiles({ name: "plan.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4 plan") });
  await Promise.all([page.waitForEvent("load"), form.getByRole("button", { name: "提交备案" }).click()]);
  const card = page.locator("article.filing", { hasText: title });
  const text = await card.innerText();
  assert.match(text, /待人社部门同意时分配/);
  assert.match(text, /六安市工程技术培训中心/);
  assert.match(text, /待审批|审批中|待审/);
  const plan = await page.request.get(await card.getByRole("link", { name: "查看培训计划" }).getAttribute("href"));
  assert.equal(plan.status(), 200);
  assert.equal(plan.headers()["content-type"], "application/pdf");
  await shot(page, "provider-filings");
  await context.close();
});

/** Opens the first application of the queue and answers it as the engine allows. */
async function answerFirst(page, name) {
  await page.goto("/verifications");
  const before = await count(page, "待核验");
  assert.ok(before >= 1, `${name} has applications waiting`);
  await shot(page, `${name}-queue`);
  const link = page.getByRole("link", { name: /^查看 .* 的申请 \d+$/ }).first();
  await link.click();
  await page.waitForURL("**/verifications/*");
  const verdict = await page.getByRole("heading", { name: /系统判定/ }).innerText();
  assert.match(await page.locator("main").innerText(), /依据 /, "the decision cites its sources");
  if (verdict.includes("学时达标")) {
    await Promise.all([
      page.waitForURL("**/verifications"),
      page.locator("form.stamp").getByRole("button", { name: "盖核验章" }).click(),
    ]);
  } else {
    const refuse = page.locator("form.refuse");
    await refuse.getByLabel("拒绝理由").fill("任职周期内学时不足");
    await Promise.all([page.waitForURL("**/verifications"), refuse.getByRole("button", { name: "拒绝盖章" }).click()]);
  }
  assert.equal(await count(page, "待核验"), before - 1, `${name}'s queue shrinks by one`);
}

test("the zone centre answers an application routed to it", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-zone-centre");
  acceptDialogs(page);
  await answerFirst(page, "zone");
  await context.close();
});

test("a state-owned unit verifies its own staff online", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-state-owned-unit");
  acceptDialogs(page);
  await answerFirst(page, "soe");
  await context.close();
});

test("the base uploads the demo's sample report: two rows written, one refused", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-base");
  await page.goto("/base/reports");
  const file = join(app.dir, "xueshi-demo-基地报送示例.csv");
  await page.locator("#report-file").setInputFiles({
    name: "基地报送示例.csv",
    mimeType: "text/csv",
    buffer: readFileSync(file),
  });
  await page.getByRole("button", { name: "上传并报送" }).click();
  const result = page.locator("#report-result");
  await result.waitFor({ state: "visible" });
  assert.equal(await result.locator("[data-k=written]").innerText(), "2");
  assert.equal(await result.locator("[data-k=rejected]").innerText(), "1");
  assert.doesNotMatch(await result.innerText(), /person\.name_mismatch/, "no code in what people read");
  assert.ok(await result.locator('[data-code="person.name_mismatch"]').count(), "the code stays for programs");
  await shot(page, "base-sample");
  await context.close();
});
