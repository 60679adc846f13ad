// The harness of the browser tests: one demo server (`xueshi serve --demo`) in a temporary
// folder, Debian's Chromium driven by playwright-core, sign-in helpers and screenshots at
// desktop and phone width under target/screenshots/. Every test file imports `demo()`; the
// first call starts everything, later calls share it.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..");
export const screenshots = join(root, "target", "screenshots");
const binary = process.env.XUESHI_BIN || join(root, "target", "debug", "xueshi");
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
/** Every demo account's password after the first sign-in changed it. */
export const NEW_PASSWORD = "Liuan2026xuexi";
/** The xueshi binary the tests run. */
export { binary, freePort };

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.on("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Parses the demo's printed accounts: login, initial password, role, and API token if any. */
export function parseAccounts(text) {
  const accounts = {};
  let last = null;
  for (const line of text.split("\n")) {
    const token = line.match(/API 令牌：(\S+)/);
    if (token && last) {
      last.token = token[1];
      continue;
    }
    const m = line.match(/^\s+(demo-[a-z-]+)\s+(\S+)\s+(\S+?)（(.*)）\s*$/);
    if (m) {
      last = { login: m[1], password: m[2], role: m[3], actsFor: m[4], changed: false };
      accounts[m[1]] = last;
    }
  }
  return accounts;
}

let started = null;

/**
 * Starts a demo server of its own (in its own folder, on a free port) with `args` added to
 * `serve --demo …`; `demo()` shares one started without any. Its `stop()` ends it.
 */
export async function startDemo(args = []) {
  const dir = mkdtempSync(join(tmpdir(), "xueshi-e2e-"));
  const port = await freePort();
  const persons = process.env.E2E_PERSONS || "800";
  const server = spawn(
    binary,
    ["serve", "--demo", "--demo-persons", persons, "--listen", `127.0.0.1:${port}`, ...args],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, XUESHI_LOG: "warn" } },
  );
  let out = "";
  let err = "";
  server.stderr.on("data", (d) => {
    err += d;
    if (process.env.E2E_VERBOSE) process.stderr.write(d);
  });
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`demo did not start in 180 s:\n${out}\n${err}`)), 180_000);
    server.stdout.on("data", (d) => {
      out += d;
      if (out.includes("已启动")) {
        clearTimeout(timer);
        ok();
      }
    });
    server.on("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`demo server exited (${code}):\n${out}\n${err}`));
    });
  });
  const accounts = parseAccounts(out);
  if (Object.keys(accounts).length < 10) throw new Error(`expected 10 demo accounts in:\n${out}`);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  mkdirSync(screenshots, { recursive: true });
  const stop = async () => {
    await browser.close().catch(() => {});
    server.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  process.on("exit", () => server.kill("SIGKILL"));
  return { base: `http://127.0.0.1:${port}`, accounts, browser, server, dir, stop, serverLog: () => err };
}

/** The shared demo: `{ base, accounts, browser, stop }`. */
export function demo() {
  started ??= startDemo();
  return started;
}

/** A fresh browser context (its own cookies) at desktop size, and a page in it. */
export async function newPage(app) {
  const context = await app.browser.newContext({
    baseURL: app.base,
    viewport: { width: 1280, height: 900 },
    locale: "zh-CN",
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => {
    throw new Error(`page script error: ${e.message}`);
  });
  return { context, page };
}

/**
 * Signs a demo account in through the login page; at its first sign-in it is sent to change
 * its initial password, which it does. Returns the page on the account's home page.
 */
export async function signIn(app, login) {
  const account = app.accounts[login];
  if (!account) throw new Error(`no demo account ${login}`);
  const { context, page } = await newPage(app);
  await page.goto("/login");
  await page.getByLabel("登录名").fill(login);
  await page.getByLabel("密码", { exact: true }).fill(account.changed ? NEW_PASSWORD : account.password);
  await page.getByRole("button", { name: "登录" }).click();
  if (!account.changed) {
    await page.waitForURL("**/password");
    await page.getByLabel("原密码").fill(account.password);
    await page.getByLabel("新密码", { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel("再次输入新密码").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "修改密码" }).click();
    account.changed = true;
  }
  await page.waitForURL((url) => !url.pathname.startsWith("/login") && !url.pathname.startsWith("/password"));
  return { context, page };
}

/** Full-page screenshots of the page at desktop (1280) and phone (390) width. */
export async function shot(page, name) {
  const desktop = page.viewportSize();
  await page.screenshot({ path: join(screenshots, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: join(screenshots, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(desktop);
}

/** The text of the form's message region after submitting it. */
export async function message(form) {
  const msg = form.locator(".msg");
  await msg.waitFor({ state: "visible" });
  return msg.innerText();
}

/** Accepts every confirmation the page asks (forms with data-confirm). */
export function acceptDialogs(page) {
  page.on("dialog", (d) => d.accept());
}

/** The number in a heading like 待核验（5）. */
export async function count(page, name) {
  const text = await page.getByRole("heading", { name: new RegExp(`^${name}`) }).innerText();
  const m = text.match(/（(\d+)）/);
  assert.ok(m, `a count in ${text}`);
  return Number(m[1]);
}
