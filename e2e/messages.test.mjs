// 消息 and e-mail, end to end: a local SMTP sink (Python's aiosmtpd, installed into a venv under
// target/ when missing — the test fails loudly if it cannot be), a demo server of its own started
// with --smtp-url pointing at it, the professional and the unit giving an e-mail address on the
// 消息 page, the operator running reminders for a day just before a deadline
// (`xueshi reminders run --today`, six days before the deadline of the latest year the demo's
// professional lacks hours for), the e-mails arriving at the sink with the shortfall in plain
// Chinese, the professional seeing the reminder (and the unread count) in 消息, and a second
// run writing nothing new.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { binary, freePort, root, shot, signIn, startDemo } from "./lib.mjs";

const venv = join(root, "target", "e2e-venv");
const python = join(venv, "bin", "python");
/** Six days before year `y`'s deadline (public study and registration: 2027-05-31 for 2026,
 * the year's last day before; policy/anhui/YYYY.toml). */
const sixDaysBefore = (y) => (y === 2026 ? "2027-05-25" : `${y}-12-25`);
const PRO_MAIL = "pro.e2e@example.cn";
const UNIT_MAIL = "unit.e2e@example.cn";

/** aiosmtpd in target/e2e-venv, installed if missing; throws (fails the test) if impossible. */
function aiosmtpd() {
  const run = (cmd, args) => spawnSync(cmd, args, { encoding: "utf8" });
  if (!existsSync(python)) {
    const made = run("python3", ["-m", "venv", venv]);
    if (made.status !== 0) throw new Error(`cannot create ${venv} (python3 -m venv):\n${made.stderr}`);
  }
  if (run(python, ["-c", "import aiosmtpd"]).status !== 0) {
    const pip = run(join(venv, "bin", "pip"), ["install", "--quiet", "aiosmtpd"]);
    if (pip.status !== 0) throw new Error(`cannot install aiosmtpd from PyPI into ${venv}:\n${pip.stderr}`);
    if (run(python, ["-c", "import aiosmtpd"]).status !== 0) throw new Error("aiosmtpd installed but not importable");
  }
}

/** Resolves once something listens on the port (the sink), or fails after `ms`. */
function listening(port, ms) {
  const until = Date.now() + ms;
  return new Promise((ok, fail) => {
    const attempt = () => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => {
        s.destroy();
        ok();
      });
      s.once("error", () => {
        s.destroy();
        if (Date.now() > until) fail(new Error(`nothing listens on ${port}`));
        else setTimeout(attempt, 200);
      });
    };
    attempt();
  });
}

/** The e-mails in the sink's maildir addressed to `to`: headers and decoded text. */
function mailsTo(maildir, to) {
  const dir = join(maildir, "new");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), "utf8"))
    .filter((raw) => raw.includes(`To: <${to}>`))
    .map((raw) => {
      const [head, ...rest] = raw.split(/\r?\n\r?\n/);
      const text = Buffer.from(rest.join("").replace(/\s+/g, ""), "base64").toString("utf8");
      return { head, text };
    });
}

/** Waits (polling the maildir, up to a minute: the mailer looks every 5 s) for a mail to `to`. */
async function awaitMail(maildir, to) {
  const until = Date.now() + 60_000;
  for (;;) {
    const found = mailsTo(maildir, to);
    if (found.length > 0) return found;
    if (Date.now() > until) throw new Error(`no e-mail to ${to} reached the sink in ${maildir}`);
    await new Promise((ok) => setTimeout(ok, 500));
  }
}

// Its own demo server and sink, for this suite only (not the shared demo of lib.mjs).
describe("消息与邮件提醒", () => {
  let app;
  let sink;
  let maildir;

  before(async () => {
    aiosmtpd();
    const port = await freePort();
    app = await startDemo([
      "--smtp-url",
      `smtp://127.0.0.1:${port}`,
      "--smtp-from",
      "xueshi@liuan.example.cn",
    ]);
    // aiosmtpd creates the maildir (and its tmp/new/cur) itself.
    maildir = join(app.dir, "mail");
    sink = spawn(python, ["-m", "aiosmtpd", "-n", "-l", `127.0.0.1:${port}`, "-c", "aiosmtpd.handlers.Mailbox", maildir], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    let sinkErr = "";
    sink.stderr.on("data", (d) => (sinkErr += d));
    sink.on("exit", (code) => {
      if (code !== null && code !== 0) console.error(`aiosmtpd exited ${code}:\n${sinkErr}`);
    });
    await listening(port, 20_000);
  });

  after(async () => {
    sink?.kill("SIGTERM");
    await app?.stop();
  });

  function reminders(today) {
    const r = spawnSync(binary, ["--database", `sqlite://${join(app.dir, "xueshi-demo.db")}`, "reminders", "run", "--today", today], {
      cwd: app.dir,
      encoding: "utf8",
    });
    assert.equal(r.status, 0, `reminders run failed:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }

  async function giveEmail(page, address) {
    await page.goto("/messages");
    const form = page.locator("form", { has: page.getByLabel("电子邮箱") });
    await form.getByLabel("电子邮箱").fill(address);
    await form.getByRole("button", { name: "保存" }).click();
    await form.locator(".msg.ok").waitFor();
  }

  test("a reminder reaches the professional by e-mail and in 消息, once", async () => {
    const pro = await signIn(app, "demo-professional");
    const unit = await signIn(app, "demo-unit");
    await giveEmail(pro.page, PRO_MAIL);
    await giveEmail(unit.page, UNIT_MAIL);
    // A malformed address is refused in Chinese, naming the field.
    const form = pro.page.locator("form", { has: pro.page.getByLabel("电子邮箱") });
    await form.getByLabel("电子邮箱").fill("pro@localhost");
    await form.getByRole("button", { name: "保存" }).click();
    const bad = form.locator(".msg.bad");
    await bad.waitFor();
    // People read Chinese only; the stable code is for programs (the element's data-code).
    assert.match(await bad.innerText(), /电子邮箱/);
    assert.doesNotMatch(await bad.innerText(), /email\.invalid/);
    assert.equal(await bad.locator("[data-code]").getAttribute("data-code"), "email.invalid");
    await giveEmail(pro.page, PRO_MAIL);

    // The latest year the demo's professional is short of hours (the demo's data decide which).
    const person = app.accounts["demo-professional"].actsFor.match(/#(\d+)/)[1];
    let short = null;
    for (const y of [2026, 2025, 2024, 2023, 2022]) {
      const r = await pro.page.request.get(`/api/persons/${person}/years/${y}/summary`);
      const s = r.ok() ? await r.json() : null;
      if (s && s.required && !s.compliant) {
        short = s;
        break;
      }
    }
    assert.ok(short, "the demo's professional should be short of hours in some recent year");
    const year = short.year;
    // As the message says it: the larger of the two shortfalls, in the API's own spelling.
    const missing =
      Number(short.professional_short) > Number(short.total_short) ? short.professional_short : short.total_short;

    const first = reminders(sixDaysBefore(year));
    assert.match(first, new RegExp(`${year} 年度公需科目学习和学时登记截止日 \\S+，还有 6 天（7 天提醒）`));
    const written = first.match(/专业技术人员 (\d+) 条，单位 (\d+) 条/);
    assert.ok(written && Number(written[1]) > 0 && Number(written[2]) > 0, first);

    const [mail] = await awaitMail(maildir, PRO_MAIL);
    assert.match(mail.head, /^Message-ID: <xueshi\.outbox\.\d+\.\d+@liuan\.example\.cn>$/m);
    assert.match(mail.text, /演示专业技术人员，您好/);
    assert.match(mail.text, new RegExp(`截止，还有 6 天。您 ${year} 年度继续教育学时还差 ${missing} 学时`));
    assert.match(mail.text, /\/messages/);
    const [unitMail] = await awaitMail(maildir, UNIT_MAIL);
    assert.match(unitMail.text, new RegExp(`本单位有 \\d+ 名职工 ${year} 年度继续教育学时尚未达到要求`));

    // In 消息: the reminder, unread, with the count beside 消息 in the navigation.
    await pro.page.goto("/messages");
    const nav = pro.page.getByRole("navigation", { name: "主导航" });
    assert.match(await nav.getByRole("link", { name: /消息/ }).innerText(), /消息\s*1/);
    const item = pro.page.locator("li.card.unread").first();
    assert.match(await item.innerText(), new RegExp(`${year} 年度学时提醒[\\s\\S]*还差 ${missing} 学时`));
    assert.doesNotMatch(await pro.page.locator("main").innerText(), /reminder\.|person_id|dedup/);
    await shot(pro.page, "messages");
    await pro.page.getByRole("button", { name: "全部标为已读" }).click();
    await pro.page.waitForLoadState("load");
    await pro.page.locator("li.card.unread").first().waitFor({ state: "detached" });
    assert.doesNotMatch(await nav.innerText(), /消息\s*\d/);

    // Running again the same day writes nothing: each reminder is given once.
    const second = reminders(sixDaysBefore(year));
    assert.match(second, /专业技术人员 0 条，单位 0 条/);
    await pro.context.close();
    await unit.context.close();
  });
});
