// Signing in: every demo account, with the password the demo printed, is made to change it and
// lands on its role's home page; a wrong password is refused in Chinese; signing out works.
import assert from "node:assert/strict";
import { test } from "node:test";
import { demo, newPage, shot, signIn } from "./lib.mjs";

const homes = {
  "demo-professional": "/me",
  "demo-unit": "/unit/staff",
  "demo-city-bureau": "/verifications",
  "demo-county-bureau": "/verifications",
  "demo-zone-centre": "/verifications",
  "demo-industry-authority": "/reviews",
  "demo-state-owned-unit": "/verifications",
  "demo-base": "/base/reports",
  "demo-provider": "/filings",
  "demo-supervisor": "/audit",
};

test("the login page is in Chinese and refuses a wrong password", async () => {
  const app = await demo();
  const { context, page } = await newPage(app);
  await page.goto("/");
  assert.match(page.url(), /\/login$/);
  await shot(page, "login");
  await page.getByLabel("登录名").fill("demo-professional");
  await page.getByLabel("密码", { exact: true }).fill("wrong-password-1");
  await page.getByRole("button", { name: "登录" }).click();
  const msg = page.locator("form .msg");
  await msg.waitFor({ state: "visible" });
  assert.match(await msg.innerText(), /登录名或密码/);
  assert.doesNotMatch(await msg.innerText(), /auth\.failed/, "no code in what people read");
  assert.equal(await msg.locator("[data-code]").getAttribute("data-code"), "auth.failed", "the code stays for programs");
  await context.close();
});

test("every demo account changes its initial password and reaches its home page", async () => {
  const app = await demo();
  for (const [login, home] of Object.entries(homes)) {
    const { context, page } = await signIn(app, login);
    assert.equal(new URL(page.url()).pathname, home, `${login} lands on ${home}`);
    const nav = page.getByRole("navigation", { name: "主导航" });
    assert.ok(await nav.isVisible(), `${login} sees its navigation`);
    await context.close();
  }
});

test("signing out ends the session", async () => {
  const app = await demo();
  const { context, page } = await signIn(app, "demo-supervisor");
  await page.getByRole("button", { name: "退出" }).click();
  await page.waitForURL("**/login");
  await page.goto("/audit");
  assert.match(page.url(), /\/login\?next=\/audit$/);
  await context.close();
});
