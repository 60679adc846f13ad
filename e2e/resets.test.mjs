// 重置密码: the demo unit resets the forgotten password of one of its staff (the demo's
// professional). The one-time password is shown once on the page; the professional's open
// session ends; signing in with the one-time password leads straight to changing it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { NEW_PASSWORD, acceptDialogs, demo, newPage, shot, signIn } from "./lib.mjs";

test("a unit resets a staff member's forgotten password to a one-time password", async () => {
  const app = await demo();
  const pro = await signIn(app, "demo-professional");
  const unit = await signIn(app, "demo-unit");
  acceptDialogs(unit.page);
  await unit.page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "重置密码" }).click();
  await unit.page.waitForURL("**/accounts/reset");
  const form = unit.page.locator("form[data-reset]");
  // The staff are listed by name and masked ID number; the login is only the choice's value.
  await form.getByLabel("职工").selectOption("demo-professional");
  assert.doesNotMatch(await form.getByLabel("职工").innerText(), /demo-/);
  await form.getByRole("button", { name: "重置密码" }).click();
  const box = unit.page.locator("[data-one-time]");
  await box.waitFor({ state: "visible" });
  const oneTime = (await box.locator("[data-one-time-password]").innerText()).trim();
  assert.match(oneTime, /^[A-Za-z0-9]{10,}$/);
  await shot(unit.page, "password-reset");

  // Her open session has ended.
  await pro.page.goto("/me");
  assert.match(pro.page.url(), /\/login/);

  // The one-time password signs her in and must be changed at once.
  const { context, page } = await newPage(app);
  await page.goto("/login");
  await page.getByLabel("登录名").fill("demo-professional");
  await page.getByLabel("密码", { exact: true }).fill(oneTime);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL("**/password");
  await page.getByLabel("原密码").fill(oneTime);
  await page.getByLabel("新密码", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("再次输入新密码").fill(NEW_PASSWORD);
  await page.getByRole("button", { name: "修改密码" }).click();
  await page.waitForURL("**/me");
  await context.close();
  await pro.context.close();
  await unit.context.close();
});
