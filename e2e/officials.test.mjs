// The officials' pages in the browser, on the demo's staged work: the industry authority stamps
// one submitted year page and rejects another with a reason per record; the county bureau opens
// a verification, reads the engine's explanation with its rule ids and legal sources, is refused
// a stamp on a decision it did not see (and on a short cycle, if the demo has one), and stamps; the city bureau approves a filing,
// reads the statistics chart and downloads the Excel export; the supervisor filters the audit
// trail to those acts; the base uploads a report and sees its rejected row.
import assert from "node:assert/strict";
import { test } from "node:test";
import { demo, message, shot, signIn, acceptDialogs, count } from "./lib.mjs";

/** Accepts every confirm() the page asks (the forms' data-confirm). */
test("the industry authority stamps one year page and rejects another with a reason per record", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-industry-authority");
  acceptDialogs(page);
  await page.goto("/reviews");
  const before = await count(page, "待审核");
  assert.ok(before >= 2, `the demo stages year pages (${before})`);
  await shot(page, "reviews");

  const first = page.locator("article.review").first();
  const who = (await first.getByRole("heading").innerText()).trim();
  await Promise.all([page.waitForEvent("load"), first.getByRole("button", { name: "审核通过并盖章" }).click()]);
  assert.equal(await count(page, "待审核"), before - 1);
  assert.match(await page.locator("main .msg.flash").innerText(), /已审核通过并为.*盖章/, "the stamp says it was done");
  const done = page.locator("#done ~ .table-wrap tbody tr").first();
  assert.match(await done.innerText(), /已盖章/);
  assert.ok((await done.innerText()).includes(who.split(" · ")[0]), `${who} among the recent acts`);

  // The next page: a reason on its first record only, then 退回.
  const next = page.locator("article.review").first();
  await next.locator("details.records > summary").click();
  const reason = next.locator("input[name=reason]").first();
  const label = await reason.getAttribute("aria-label");
  await reason.fill("缺少结业证书扫描件");
  await Promise.all([page.waitForEvent("load"), next.getByRole("button", { name: /退回/ }).click()]);
  assert.equal(await count(page, "待审核"), before - 2);
  const rejected = page.locator("#done ~ .table-wrap tbody tr").first();
  const text = await rejected.innerText();
  assert.match(text, /已退回/);
  assert.match(text, /缺少结业证书扫描件/);
  assert.ok(text.includes(label.replace("退回理由：", "")), `the reason names its record (${label})`);

  // A rejection without any reason is the API's Chinese refusal, shown in the form.
  const third = page.locator("article.review").first();
  if (await third.count()) {
    await third.locator("details.records > summary").click();
    await third.getByRole("button", { name: /退回/ }).click();
    const said = await message(third.locator("form.reject"));
    assert.match(said, /理由/);
    assert.doesNotMatch(said, /review\.reasons/, "no code in what people read");
  }
  await shot(page, "reviews-after");

  // Narrowed to one unit, the pages picked on the screen are stamped together, each its own act.
  const filter = page.getByRole("search", { name: "筛选待办" });
  const unit = filter.getByLabel("单位");
  await unit.selectOption(await unit.locator("option").nth(1).getAttribute("value"));
  await Promise.all([page.waitForURL(/unit=\d+/), filter.getByRole("button", { name: "筛选" }).click()]);
  const narrowed = async () => {
    const heading = await page.getByRole("heading", { name: /^待审核/ }).innerText();
    const m = heading.match(/筛选出 (\d+) 份，共 (\d+) 份/);
    assert.ok(m, `the heading says how many of how many: ${heading}`);
    return [Number(m[1]), Number(m[2])];
  };
  const [shown, all] = await narrowed();
  assert.ok(shown >= 1 && shown <= all, `${shown} of ${all}`);
  const picks = page.locator("article.review input[data-pick]");
  const n = Math.min(2, await picks.count());
  for (let i = 0; i < n; i += 1) await picks.nth(i).check();
  assert.equal(await page.locator("form[data-batch] [data-pick-count]").innerText(), String(n));
  await shot(page, "reviews-batch");
  await Promise.all([page.waitForEvent("load"), page.getByRole("button", { name: "为所选年度登记盖章" }).click()]);
  assert.deepEqual(await narrowed(), [shown - n, all - n]);
  assert.equal(await page.locator("main .msg.flash").innerText(), `已为 ${n} 份年度登记盖章`);
  const stamped = page.locator("#done ~ .table-wrap tbody tr");
  for (let i = 0; i < n; i += 1) assert.match(await stamped.nth(i).innerText(), /已盖章/);
  await context.close();
});

test("the county bureau reads the engine's explanation with citations and stamps a compliant cycle", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-county-bureau");
  acceptDialogs(page);
  await page.goto("/verifications");
  const before = await count(page, "待核验");
  assert.ok(before >= 1);
  await shot(page, "verifications");
  const links = await page.getByRole("link", { name: /^查看 .* 的申请 \d+$/ }).evaluateAll((as) => as.map((a) => a.getAttribute("href")));

  let stamped = false;
  let refused = false;
  let left = before;
  for (const href of links) {
    await page.goto(href);
    const checks = page.locator("#checks + ul.check");
    const text = await checks.innerText();
    assert.doesNotMatch(text, /cycle\.average_total/, "rule ids are not in the text");
    const tech = await page.locator("details.tech").last().textContent();
    assert.match(tech, /cycle\.average_total/, "rule ids are kept under 技术信息");
    assert.match(text, /依据 皖人社函〔2026〕235号/, "with their legal source");
    assert.match(tech, /sha256:[0-9a-f]{64}/, "and the decision hash");
    await page.getByText(/推理过程/).click();
    assert.ok(await page.locator("ol.trace li").first().isVisible(), "the trace opens");
    const compliant = await page.getByRole("heading", { name: /系统判定/ }).innerText();
    if (compliant.includes("学时达标") && !stamped) {
      await shot(page, "verification");
      // A decision other than the one on the page (as if the hours changed since): the API
      // refuses the stamp, and the form says why.
      const hash = page.locator("form.stamp input[name=decision_hash]");
      const seen = await hash.inputValue();
      await hash.evaluate((el) => (el.value = "0".repeat(64)));
      await page.locator("form.stamp").getByRole("button", { name: "盖核验章" }).click();
      assert.match(await message(page.locator("form.stamp")), /重新查看/);
      assert.equal(await page.locator("form.stamp .msg [data-code]").getAttribute("data-code"), "verification.stale");
      await hash.evaluate((el, v) => (el.value = v), seen);
      await Promise.all([
        page.waitForURL("**/verifications"),
        page.locator("form.stamp").getByRole("button", { name: "盖核验章" }).click(),
      ]);
      left -= 1;
      assert.equal(await count(page, "待核验"), left);
      stamped = true;
    } else if (compliant.includes("不达标") && !refused) {
      await shot(page, "verification-short");
      // The stamp is not offered when the hours are short: the button is disabled and the
      // reason stands beside it (the server refuses such a stamp anyway: tests/workflows.rs).
      const stamp = page.locator("form.stamp");
      assert.ok(await stamp.getByRole("button", { name: "盖核验章" }).isDisabled());
      assert.match(await stamp.locator("[data-not-compliant]").innerText(), /学时不达标，不能盖核验章（未通过：.+）/);
      const refuse = page.locator("form.refuse");
      await refuse.getByLabel("拒绝理由").fill("任职周期内专业科目学时不足");
      await Promise.all([page.waitForURL("**/verifications"), refuse.getByRole("button", { name: "拒绝盖章" }).click()]);
      left -= 1;
      assert.equal(await count(page, "待核验"), left);
      refused = true;
    }
    if (stamped && refused) break;
  }
  assert.ok(links.length === before, "each application links to its decision");
  assert.ok(stamped, "a compliant application was stamped");
  await context.close();
});

test("the city bureau approves a filing, reads the statistics chart and downloads the workbook", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-city-bureau");
  acceptDialogs(page);
  await page.goto("/filings");
  const before = await count(page, "待审批");
  assert.ok(before >= 1);
  await shot(page, "filings");
  // A provider's filing: with its hours, venue and content; the bureau assigns the number
  // when it approves.
  const card = page.locator("article.filing", { hasText: "待人社部门同意时分配" }).first();
  const title = await card.getByRole("heading").innerText();
  assert.match(await card.innerText(), /学时\s*24/);
  const approve = card.locator("form", { has: page.getByRole("button", { name: "同意备案" }) });
  assert.ok(await approve.getByLabel("分配备案编号").evaluate((e) => e.required), "no number, no approval");
  await approve.getByLabel("分配备案编号").fill(`六人社培备〔2026〕${Date.now() % 100000}号`);
  await Promise.all([page.waitForEvent("load"), approve.getByRole("button", { name: "同意备案" }).click()]);
  assert.equal(await count(page, "待审批"), before - 1);
  assert.ok(!(await page.locator("article.filing h3").allInnerTexts()).includes(title));

  await page.goto("/statistics");
  const chart = page.getByRole("img", { name: /年度各县区继续教育学时达标率/ });
  assert.ok(await chart.isVisible(), "the SVG chart is named for assistive technology");
  const bars = await page.locator("svg.chart rect.bar").count();
  const rows = await page.locator(".stats tbody tr").count();
  assert.equal(bars, rows + 1, "a bar per table row, and the total");
  assert.match(await page.locator(".stats tfoot").innerText(), /合计\s+\d+\s+\d+\s+\d+\.\d%/);
  await shot(page, "statistics");
  await page.getByLabel("分组").selectOption("industry");
  await Promise.all([page.waitForURL("**/statistics?*by=industry*"), page.getByRole("button", { name: "查看" }).click()]);
  assert.match(await page.getByRole("heading", { name: /达标率/ }).innerText(), /按行业/);

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "导出 Excel" }).click()]);
  assert.match(download.suggestedFilename(), /\.xlsx$/);
  const path = await download.path();
  const { readFileSync } = await import("node:fs");
  const bytes = readFileSync(path);
  assert.equal(bytes.subarray(0, 4).toString("binary"), "PK\u0003\u0004", "an XLSX (ZIP) workbook");
  const res = await page.request.get(await page.getByRole("link", { name: "导出 Excel" }).getAttribute("href"));
  assert.equal(res.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
  await context.close();
});

test("the supervisor filters the audit trail to the review acts", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-supervisor");
  await page.goto("/audit");
  await page.getByLabel("操作类型").selectOption("review.act");
  await Promise.all([page.waitForURL("**/audit?*action=review.act*"), page.getByRole("button", { name: "筛选" }).click()]);
  const actions = await page.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => tr.dataset.action));
  assert.ok(actions.length >= 2, `the authority's stamp and rejection (${actions.length})`);
  assert.ok(actions.every((a) => a === "review.act"), actions.join(","));
  const said = await page.locator("tbody td[data-label=操作]").allInnerTexts();
  assert.ok(said.some((a) => a.includes("盖章")) && said.some((a) => a.includes("退回")), said.join(","));
  await shot(page, "audit");
  // Clicking an actor narrows to that actor, keeping nothing else.
  const actor = page.locator("tbody td[data-label=操作人] a").first();
  const name = await actor.innerText();
  await Promise.all([page.waitForURL("**/audit?actor=*"), actor.click()]);
  assert.match(await page.locator("form .notice").innerText(), new RegExp(name));
  const actors = await page.locator("tbody td[data-label=操作人] a").allInnerTexts();
  assert.ok(actors.length > 0 && actors.every((a) => a === name));
  // A part of an agency's name finds its officials' acts, without knowing any login.
  await page.goto("/audit");
  await page.getByLabel("操作人").fill("霍邱");
  await Promise.all([page.waitForURL("**/audit?actor_name=*"), page.getByRole("button", { name: "筛选" }).click()]);
  const county = await page.locator("tbody td[data-label=操作人] a").allInnerTexts();
  assert.ok(county.length > 0 && county.every((a) => a.includes("霍邱")), county.join(","));
  await context.close();
});

test("the base uploads a certificate report and sees its rejected row", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-base");
  await page.goto("/base/reports");
  const csv =
    "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n" +
    "34152219850612301X,无此人,1,E2E-0001,专业技术人员职业道德,30,2026-09-20,合格\n";
  await page.locator("#report-file").setInputFiles({ name: "报送表.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.getByRole("button", { name: "上传并报送" }).click();
  const result = page.locator("#report-result");
  await result.waitFor({ state: "visible" });
  assert.equal(await result.locator("[data-k=total]").innerText(), "1");
  assert.equal(await result.locator("[data-k=rejected]").innerText(), "1");
  const row = result.locator("tbody tr").first();
  assert.equal(await row.locator("td").first().innerText(), "2", "the spreadsheet row (header is row 1)");
  const text = await row.innerText();
  assert.match(text, /身份证号/);
  assert.doesNotMatch(text, /[a-z_]+\.[a-z_]+/, "no code in what people read");
  assert.match(await row.getAttribute("data-code"), /^[a-z_]+\.[a-z_]+$/, "the code stays for programs");
  await shot(page, "base-report");
  await context.close();
});
