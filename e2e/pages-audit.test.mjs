// Pages people trust (issue 13): every page in every role's navigation — with data: a stamped
// year, a refused verification, a certificate, long names and long unbroken text — fits a
// 390 px phone (no horizontal scrolling of the document) and shows no internal codes, ids,
// login names or rule ids in its visible text (a closed 技术信息 <details> is not visible
// text). Screenshots of every page at 1280 and 390 px land in target/screenshots/pages-*.
// Runs after the other files, which leave stamped years, answered applications and a
// certificate behind.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { demo, newPage, root, shot, signIn } from "./lib.mjs";

const PHONE = 390;

/** Long texts without a break opportunity, as people paste them. */
const LONG_LATIN = "ZJ" + "0123456789ABCDEFGHIJ".repeat(4);
const LONG_NAME = "六安市裕安区人民医院急诊急救与重症医学继续教育专题培训班（第一期）面授及网络学习相结合" + LONG_LATIN;

/** The policy's rule ids (`[rules."annual.total_min"]` in policy/anhui/*.toml). */
function ruleIds() {
  const dir = join(root, "policy", "anhui");
  const ids = new Set();
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".toml"))) {
    for (const m of readFileSync(join(dir, f), "utf8").matchAll(/\[rules\."([^"]+)"\]/g)) ids.add(m[1]);
  }
  return [...ids];
}

/** Sends JSON to the API as the signed-in page (session cookie and CSRF token). */
async function api(page, method, url, body) {
  const csrf = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  const res = await page.request.fetch(url, {
    method,
    headers: { "x-csrf-token": csrf, "content-type": "application/json" },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status(), json: text ? JSON.parse(text) : null };
}

function day(offset) {
  return new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

let personId = null;
let refusedApplication = null;

test("pages audit: data with a stamped year, a refused verification and long names", async () => {
  const app = await demo();
  // The professional registers a record with a long title and a long certificate number,
  // submits this year's page and applies for verification of the cycle.
  const pro = await signIn(app, "demo-professional");
  await pro.page.goto("/me/records/new");
  personId = (await pro.page.locator("#record-form").getAttribute("data-api")).match(/persons\/(\d+)/)[1];
  const year = Number(day(0).slice(0, 4));
  const rec = await api(pro.page, "POST", `/api/persons/${personId}/records`, {
    content: LONG_NAME,
    subject: "public",
    form: "online",
    provider: "kind:hrss",
    completed_on: day(0),
    hours: "1",
    certificate_no: LONG_LATIN,
  });
  assert.ok(rec.status < 300, JSON.stringify(rec.json));
  const sub = await api(pro.page, "POST", `/api/persons/${personId}/years/${year}/submit`, {});
  assert.ok(sub.status < 300 || sub.status === 409, JSON.stringify(sub.json));
  const applied = await api(pro.page, "POST", "/api/verifications", {
    persons: [Number(personId)],
    level: "intermediate",
    first_year: year - 2,
    last_year: year,
  });
  assert.ok(applied.status < 300, JSON.stringify(applied.json));
  await pro.context.close();

  // The industry authority stamps the year page.
  const ind = await signIn(app, "demo-industry-authority");
  const stamped = await api(ind.page, "POST", `/api/persons/${personId}/years/${year}/review`, { approved: true });
  assert.ok(stamped.status < 300, JSON.stringify(stamped.json));
  await ind.context.close();

  // The county bureau refuses the application with a long reason.
  const county = await signIn(app, "demo-county-bureau");
  const list = await api(county.page, "GET", "/api/verifications/pending?limit=500");
  const mine = list.json.find((a) => String(a.subject.person_id) === personId);
  assert.ok(mine, "the professional's application waits at the county bureau");
  const detail = await api(county.page, "GET", `/api/verifications/${mine.application_id}`);
  const refused = await api(county.page, "POST", `/api/verifications/${mine.application_id}/decision`, {
    approved: false,
    decision_hash: detail.json.decision_hash,
    reason: `任职周期内${year - 1}年度专业科目学时不足，请补足后重新申请。${LONG_LATIN}`,
  });
  assert.ok(refused.status < 300, JSON.stringify(refused.json));
  refusedApplication = mine.application_id;
  await county.context.close();

  // The city bureau opens a slot at a long address; the provider files a long-named training.
  const city = await signIn(app, "demo-city-bureau");
  const slot = await api(city.page, "POST", "/api/slots", {
    on: day(20),
    online: false,
    address: `六安市金安区梅山北路人力资源和社会保障局综合服务大厅三楼东侧继续教育核验窗口${LONG_LATIN}`,
    capacity: 5,
  });
  assert.ok(slot.status < 300, JSON.stringify(slot.json));
  await city.context.close();
  const provider = await signIn(app, "demo-provider");
  const filing = await api(provider.page, "POST", "/api/filings", {
    title: LONG_NAME,
    region: "341500",
    starts_on: day(30),
    ends_on: day(32),
    hours: "24",
    venue: `六安市金安区梅山北路继续教育培训基地${LONG_LATIN}`,
    content: `${LONG_NAME}：${LONG_LATIN}`,
    trainees: 100000,
  });
  assert.ok(filing.status < 300, JSON.stringify(filing.json));
  await provider.context.close();

  // A certificate issued now carries the stamped year and the long record.
  const again = await signIn(app, "demo-professional");
  const cert = await api(again.page, "POST", `/api/persons/${personId}/certificates`, {});
  assert.ok(cert.status < 300, JSON.stringify(cert.json));
  certificate = cert.json.number;
  await again.context.close();
});

let certificate = null;

test("pages audit: a refused applicant sees the reason, the bureau and the date; the bureau sees who answered", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-professional");
  const refusal = page.locator("li.application", { hasText: "核验未通过" }).first();
  const text = await refusal.innerText();
  assert.match(text, /未通过理由：任职周期内\d{4}年度专业科目学时不足/);
  assert.match(text, /霍邱县人力资源和社会保障局，\d{4}-\d{2}-\d{2}/);
  await context.close();
  const county = await signIn(app, "demo-county-bureau");
  await county.page.goto(`/verifications/${refusedApplication}`);
  const who = await county.page.locator("#who + dl, section[aria-labelledby=who] dl").first().innerText();
  assert.match(who, /拒绝机构\s*霍邱县人力资源和社会保障局/);
  assert.match(who, /拒绝理由\s*任职周期内/);
  await county.context.close();
});

/** Each demo account and, beside its navigation, the detail pages it reaches from it. */
const ROLES = [
  ["demo-professional", "pro", async (page) => {
    await page.goto("/me/certificate");
    const links = await page.locator('main a[href^="/certificates/"]').evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    return [...new Set([...links.slice(0, 1), `/certificates/${encodeURIComponent(certificate)}`])];
  }],
  ["demo-unit", "unit", async (page) => {
    await page.goto("/unit/staff");
    const a = page.locator('main a[href^="/persons/"]').first();
    return (await a.count()) ? [await a.getAttribute("href")] : [];
  }],
  ["demo-industry-authority", "authority", async () => []],
  ["demo-city-bureau", "city", verificationPages],
  ["demo-county-bureau", "county", async (page) => [
    ...(await verificationPages(page)),
    `/verifications/${refusedApplication}`,
    `/persons/${personId}`,
    "/verifications/999999999",
  ]],
  ["demo-zone-centre", "zone", verificationPages],
  ["demo-state-owned-unit", "soe", verificationPages],
  ["demo-supervisor", "supervisor", async () => ["/audit?actor_name=%E9%9C%8D%E9%82%B1", "/audit?action=verification.act"]],
  ["demo-base", "base", async () => []],
  ["demo-provider", "provider", async () => []],
];

async function verificationPages(page) {
  await page.goto("/verifications");
  const a = page.locator('main a[href^="/verifications/"]').first();
  return (await a.count()) ? [await a.getAttribute("href")] : [];
}

/** What a person reads on the page: the body's rendered text (closed <details> stay closed). */
function visibleText(page) {
  return page.evaluate(() => {
    const parts = [document.body.innerText];
    // innerText leaves out form values; a select shows its chosen option.
    for (const s of document.querySelectorAll("select")) {
      if (s.offsetParent !== null && s.selectedOptions[0]) parts.push(s.selectedOptions[0].text);
    }
    return parts.join("\n");
  });
}

/** What must not be read: codes, ids, login names, rule ids, hashes, decision numbers. */
function offences(text, rules) {
  const found = [];
  const seen = (what, m) => found.push(`${what}: ${m}`);
  for (const m of text.matchAll(/\b[a-z]+\.[a-z_]+\b/g)) {
    const before = text.slice(Math.max(0, m.index - 30), m.index);
    // A web address or an e-mail address is read as such.
    if (/(https?:\/\/|@)\S*$/.test(before) || /^(www|example)\./.test(m[0])) continue;
    seen("code", m[0]);
  }
  for (const m of text.matchAll(/\b(unit|account|person|bureau|zone|application|record|certificate|year|kind|base):\S+/g)) seen("id", m[0]);
  for (const m of text.matchAll(/\bdemo-[a-z-]+/g)) seen("login", m[0]);
  for (const r of rules) if (text.includes(r)) seen("rule", r);
  for (const m of text.matchAll(/[（(]D\d+[a-z]?[)）]/g)) seen("decision number", m[0]);
  for (const m of text.matchAll(/sha256|xueshi-policy|\b[0-9a-f]{16,}\b/g)) seen("hash", m[0]);
  for (const m of text.matchAll(/\bW[0-9a-f]{16}\b/g)) seen("generated label", m[0]);
  for (const w of ["引擎", "HTTP"]) if (text.includes(w)) seen("developer word", w);
  return found;
}

test("pages audit: every page of every role fits 390 px and shows no codes", async () => {
  const app = await demo();
  const rules = ruleIds();
  assert.ok(rules.length >= 10, "the policy's rule ids are read");
  const problems = [];
  const tally = [];
  for (const [login, short, extra] of ROLES) {
    const { context, page } = await signIn(app, login);
    const nav = await page
      .getByRole("navigation", { name: "主导航" })
      .locator("a")
      .evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    const more = await extra(page);
    const urls = [...nav, ...more];
    for (const url of urls) {
      await page.setViewportSize({ width: PHONE, height: 844 });
      await page.goto(url);
      await page.waitForLoadState("load");
      const { scroll, client } = await page.evaluate(() => ({
        scroll: document.documentElement.scrollWidth,
        client: document.documentElement.clientWidth,
      }));
      if (scroll > PHONE) {
        const culprits = await page.evaluate((w) =>
          [...document.querySelectorAll("body *")]
            .filter((e) => e.getBoundingClientRect().right > w + 1)
            .filter((e) => !e.closest(".table-scroll"))
            .slice(0, 3)
            .map((e) => `${e.tagName.toLowerCase()}.${e.className}`), PHONE);
        problems.push(`${login} ${url}: ${scroll} px wide at ${PHONE} (client ${client}): ${culprits.join(", ")}`);
      }
      for (const o of offences(await visibleText(page), rules)) problems.push(`${login} ${url}: ${o}`);
      await page.setViewportSize({ width: 1280, height: 900 });
      const name = `pages-${short}-${url.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "") || "home"}`.slice(0, 80);
      await shot(page, name);
    }
    tally.push(`${login}: ${urls.length}`);
    await context.close();
  }
  // The public pages: sign-in, the QR code's page, the paste form.
  const { context, page } = await newPage(app);
  const open = ["/login", `/v/${encodeURIComponent(certificate)}`, "/verify"];
  for (const url of open) {
    await page.setViewportSize({ width: PHONE, height: 844 });
    await page.goto(url);
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    if (scroll > PHONE) problems.push(`public ${url}: ${scroll} px wide at ${PHONE}`);
    for (const o of offences(await visibleText(page), rules)) problems.push(`public ${url}: ${o}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(page, `pages-public-${url.split("/")[1]}`);
  }
  tally.push(`public: ${open.length}`);
  await context.close();
  console.log(`pages visited per role: ${tally.join(", ")}`);
  assert.deepEqual(problems, [], `\n${problems.join("\n")}`);
});
