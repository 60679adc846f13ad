// The 继续教育证书: a professional issues one, prints it and downloads its PDF (whose text is
// checked with pdftotext); anyone scanning its QR code sees the public checklist pass without
// logging in; a tampered credential pasted into /verify fails; once a bureau revokes it, the
// public page says so. A newer certificate of the same years supersedes the older one (its
// public page says which replaces it); a number typed from paper finds its page.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { demo, newPage, shot, signIn } from "./lib.mjs";

let number = null;
let credential = null;

test("a professional issues a certificate, prints it and downloads its PDF", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-professional");
  await page.getByRole("link", { name: "我的证书" }).click();
  await page.waitForURL("**/me/certificate");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "签发证书" }).click();
  await page.waitForURL("**/certificates/**");
  number = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  const body = await page.locator("main").innerText();
  assert.match(body, /继续教育证书/);
  assert.ok(body.includes(number), "the page shows the certificate number");
  assert.ok((await page.locator(".qr svg").count()) === 1, "the QR code is drawn");
  await shot(page, "certificate");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "下载 PDF" }).click(),
  ]);
  const file = join(mkdtempSync(join(tmpdir(), "xueshi-pdf-")), "certificate.pdf");
  await download.saveAs(file);
  const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString();
  assert.match(text, /继续教育证书/);
  assert.ok(text.includes(number), "the PDF names the certificate number");
  assert.match(text, /年度/);
  assert.match(text, /\/v\//, "the PDF carries the verification address");

  const res = await page.request.get(`/api/certificates/${encodeURIComponent(number)}`);
  assert.equal(res.status(), 200);
  credential = await res.json();
  await page.goto("/me/certificate");
  assert.ok((await page.locator("main").innerText()).includes(number), "listed under 我的证书");
  await shot(page, "my-certificates");
  await context.close();
});

test("the QR code's page shows a passing checklist to anyone, with the name masked", async () => {
  const app = await demo();
  const { context, page } = await newPage(app);
  await page.goto(`/v/${encodeURIComponent(number)}`);
  await page.locator('[data-valid="true"]').waitFor();
  for (const check of ["format", "signature", "issuer", "ledger", "revocation", "current"]) {
    const line = await page.locator(`[data-check="${check}"]`).innerText();
    assert.ok(line.startsWith("✓"), `${check} passes: ${line}`);
  }
  const text = await page.locator("main").innerText();
  assert.ok(!/\d{17}[\dX]/.test(text), "no ID number on the public page");
  assert.ok(text.includes("*"), "the holder's name is masked");
  // What the certificate says, as issued: each year with its credited hours, to compare with
  // the paper (a genuine number on a forged paper shows up here).
  const years = credential.credentialSubject.certificate.years;
  assert.ok(years.length > 0, "the certificate covers a year");
  for (const y of years) {
    const row = page.locator(`[data-years] tr[data-year="${y.year}"]`);
    assert.equal(await row.locator("[data-hours]").getAttribute("data-hours"), y.credited.total, `${y.year}`);
    assert.match(await row.innerText(), new RegExp(`合计 ${y.credited.total.replace(".", "\\.")}`));
  }
  await shot(page, "verify-valid");
  await context.close();
});

test("a tampered credential pasted into /verify fails its signature and ledger checks", async () => {
  const app = await demo();
  const { context, page } = await newPage(app);
  const forged = JSON.parse(JSON.stringify(credential));
  // Claim more hours than were credited: the first number under the subject grows.
  const text = JSON.stringify(forged.credentialSubject);
  const bumped = text.replace(/"(\d+(?:\.\d)?)"/, (_, n) => `"${Number(n) + 30}"`);
  assert.notEqual(bumped, text, "the forgery changed something");
  forged.credentialSubject = JSON.parse(bumped);
  await page.goto("/verify");
  await page.getByLabel("或粘贴凭证内容").fill(JSON.stringify(forged, null, 2));
  await page.getByRole("button", { name: "核验电子凭证" }).click();
  await page.locator('[data-valid="false"]').waitFor();
  assert.ok((await page.locator('[data-check="signature"]').innerText()).startsWith("✗"));
  assert.ok((await page.locator('[data-check="ledger"]').innerText()).startsWith("✗"));
  await shot(page, "verify-tampered");

  await page.goto("/verify");
  await page.getByLabel("或粘贴凭证内容").fill(JSON.stringify(credential));
  await page.getByRole("button", { name: "核验电子凭证" }).click();
  await page.locator('[data-valid="true"]').waitFor();
  await context.close();
});

test("a newer certificate supersedes the older one; a number typed from paper finds it", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-professional");
  await page.goto("/me/certificate");
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "签发证书" }).click();
  await page.waitForURL((url) => url.pathname.startsWith("/certificates/") && !url.pathname.endsWith(encodeURIComponent(number)));
  const newer = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  assert.notEqual(newer, number);
  await page.goto("/me/certificate");
  const badge = page.locator(`[data-superseded="${newer}"]`);
  assert.match(await badge.innerText(), /已被新证书取代/);
  await shot(page, "my-certificates-superseded");
  await context.close();

  const anon = await newPage(app);
  await anon.page.goto(`/v/${encodeURIComponent(number)}`);
  await anon.page.locator(`[data-valid="false"][data-superseded="${newer}"]`).waitFor();
  assert.ok((await anon.page.locator('[data-check="current"]').innerText()).startsWith("✗"));
  assert.ok((await anon.page.locator('[data-check="signature"]').innerText()).startsWith("✓"), "genuine, only replaced");
  await shot(anon.page, "verify-superseded");
  // Typed as read from paper: small letters and spaces around the groups.
  await anon.page.goto("/verify");
  await anon.page.getByLabel("证书编号").fill(newer.toLowerCase().replaceAll("-", " - "));
  await anon.page.getByRole("button", { name: "按编号核验" }).click();
  await anon.page.waitForURL(`**/v/${newer}`);
  await anon.page.locator('[data-valid="true"]').waitFor();
  await anon.context.close();
});

test("a certificate revoked by the county bureau fails its public check", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-county-bureau");
  const csrf = await page.locator('meta[name="csrf-token"]').getAttribute("content");
  const res = await page.request.post(`/api/certificates/${encodeURIComponent(number)}/revoke`, {
    headers: { "x-csrf-token": csrf },
    data: { reason: "学时记录经复查有误" },
  });
  assert.equal(res.status(), 201, await res.text());
  await context.close();
  const anon = await newPage(app);
  await anon.page.goto(`/v/${encodeURIComponent(number)}`);
  await anon.page.locator('[data-valid="false"]').waitFor();
  assert.ok((await anon.page.locator('[data-check="revocation"]').innerText()).startsWith("✗"));
  await shot(anon.page, "verify-revoked");
  await anon.context.close();
});
