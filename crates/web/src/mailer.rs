//! The service's background jobs for messages: reminders (once an hour, by the Beijing date:
//! `xueshi_store::reminders`, idempotent), the retention of messages, and — when an SMTP server
//! is configured (`serve --smtp-url smtp://host:port --smtp-from addr`) — the mailer that sends
//! the e-mail outbox (`xueshi_store::outbox`), surviving restarts and sending each e-mail at
//! most once.
//!
//! The SMTP client is written here, over tokio, in about a hundred lines: plain SMTP to a relay
//! (EHLO, MAIL, RCPT, DATA, QUIT). We did not take lettre: its SMTP transport pulls in URL and
//! IDNA handling, a MIME builder and TLS stacks we would not use, and — what matters more — it
//! sends DATA's final dot inside one call, while at-most-once delivery needs to record
//! "committing" in the outbox *just before* that dot: every failure before it is certainly
//! undelivered and retried; an unanswered dot is uncertain and never resent. No TLS and no AUTH:
//! the service hands mail to a relay on a trusted network (a local Postfix, the province's
//! gateway), which does TLS and delivery; README says so.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use xueshi_domain::Date;
use xueshi_store::outbox::{self, Claimed};
use xueshi_store::{messages, reminders};

use crate::state::AppState;

/// How often the mailer looks at the outbox.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);
/// How often reminders are run and old messages purged.
const HOUSEKEEPING: Duration = Duration::from_secs(3600);
/// Each SMTP step (connect, a reply) must finish within this.
const STEP: Duration = Duration::from_secs(30);
/// A claim older than this is resolved by [`outbox::recover`]: well above the longest a send
/// can take (ten steps of [`STEP`]).
const LEASE_MS: i64 = 10 * 60_000;
/// Pending e-mails older than this are not sent any more (expired).
const HORIZON_MS: i64 = 3 * 86_400_000;
/// E-mails claimed per round.
const BATCH: i64 = 10;
/// The longest SMTP reply line read, and the most lines of one reply.
const MAX_LINE: usize = 1024;
const MAX_LINES: usize = 64;

/// Where and as whom to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    /// The sender address (`MAIL FROM` and `From:`).
    pub from: String,
}

impl SmtpConfig {
    /// From `smtp://host:port` (port 25 by default) and a sender address. Anything else (TLS
    /// schemes, credentials, a path) is refused with a reason: the relay does TLS and AUTH.
    pub fn parse(url: &str, from: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("SMTP 地址须为 smtp://主机:端口（收到 {url}）"))?;
        let rest = rest.trim_end_matches('/');
        if rest.contains('@') || rest.contains('/') || rest.contains('?') {
            return Err(
                "SMTP 地址只写主机和端口：本服务把邮件交给可信网络中的中继（由它加密和认证）"
                    .to_owned(),
            );
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h,
                p.parse::<u16>()
                    .map_err(|_| format!("SMTP 端口无效：{p}"))?,
            ),
            None => (rest, 25),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err("SMTP 主机无效".to_owned());
        }
        let from = messages::check_email(from)
            .map_err(|_| format!("发件地址无效（--smtp-from / XUESHI_SMTP_FROM）：{from}"))?;
        Ok(Self {
            host: host.to_owned(),
            port,
            from,
        })
    }

    fn domain(&self) -> &str {
        self.from.rsplit_once('@').map_or("localhost", |(_, d)| d)
    }
}

/// The background jobs' settings.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `None`: messages stay in the app (and the outbox rows wait, then expire).
    pub smtp: Option<SmtpConfig>,
    /// Reminder thresholds, days before a deadline.
    pub reminder_days: Vec<u32>,
    pub interval: Duration,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            smtp: None,
            reminder_days: reminders::DEFAULT_DAYS.to_vec(),
            interval: DEFAULT_INTERVAL,
        }
    }
}

/// Starts the jobs on the current runtime: housekeeping always, the mailer with an SMTP server.
pub fn spawn(state: AppState, config: MailConfig) {
    let housekeeping = state.clone();
    let days = config.reminder_days.clone();
    tokio::spawn(async move {
        loop {
            housekeep(&housekeeping, &days).await;
            tokio::time::sleep(HOUSEKEEPING).await;
        }
    });
    if let Some(smtp) = config.smtp {
        tracing::info!(host = %smtp.host, port = smtp.port, "mailer started");
        tokio::spawn(async move {
            loop {
                if let Err(e) = send_due(&state, &smtp).await {
                    tracing::warn!(error = %e, "mailer round failed");
                }
                tokio::time::sleep(config.interval).await;
            }
        });
    }
}

/// Today's reminders, and the purge of old messages. Errors are logged: the next hour retries.
pub async fn housekeep(state: &AppState, days: &[u32]) {
    let now = state.now_ms();
    match Date::beijing(now) {
        Ok(today) => match reminders::run(&state.db, &state.policy, today, days, now).await {
            Ok(r) if r.persons + r.units > 0 => {
                tracing::info!(persons = r.persons, units = r.units, "reminders written");
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reminders failed"),
        },
        Err(e) => tracing::warn!(error = %e, "no date for reminders"),
    }
    if let Err(e) = messages::purge(&state.db, now, messages::RETENTION_MS).await {
        tracing::warn!(error = %e, "message purge failed");
    }
}

/// One round: resolve stale claims, then claim and send until nothing is due.
pub async fn send_due(
    state: &AppState,
    smtp: &SmtpConfig,
) -> Result<usize, xueshi_store::StoreError> {
    let db = &state.db;
    let r = outbox::recover(db, state.now_ms(), LEASE_MS, HORIZON_MS).await?;
    if r.uncertain > 0 {
        tracing::warn!(
            n = r.uncertain,
            "e-mails left at the final dot by an earlier run: perhaps delivered, not resent"
        );
    }
    let mut sent = 0;
    loop {
        let claimed = outbox::claim(db, state.now_ms(), BATCH).await?;
        if claimed.is_empty() {
            return Ok(sent);
        }
        for c in claimed {
            let outcome = send_one(state, smtp, &c).await;
            let now = state.now_ms();
            match outcome {
                Outcome::Sent => {
                    outbox::sent(db, &c, now).await?;
                    crate::metrics::registry().mail("sent");
                    sent += 1;
                }
                Outcome::Retry(e) => {
                    tracing::info!(outbox = c.id, error = %e, "e-mail deferred");
                    outbox::retry(db, &c, now, &e).await?;
                    crate::metrics::registry().mail("retry");
                }
                Outcome::Failed(e) => {
                    tracing::warn!(outbox = c.id, error = %e, "e-mail refused");
                    outbox::failed(db, &c, now, &e).await?;
                    crate::metrics::registry().mail("failed");
                }
                Outcome::Uncertain(e) => {
                    tracing::warn!(outbox = c.id, error = %e, "e-mail perhaps delivered; not resent");
                    outbox::uncertain(db, &c, now, &e).await?;
                    crate::metrics::registry().mail("uncertain");
                }
                Outcome::Lost => {
                    tracing::warn!(outbox = c.id, "claim taken over; not sent");
                    crate::metrics::registry().mail("lost");
                }
            }
        }
    }
}

/// How one send ended.
#[derive(Debug)]
enum Outcome {
    Sent,
    /// Certainly not delivered; may pass (4xx, connection trouble before the final dot).
    Retry(String),
    /// Certainly not delivered; will not pass (5xx).
    Failed(String),
    /// The final dot went out and no answer came.
    Uncertain(String),
    /// The claim is no longer ours (recovered and claimed again): nothing sent.
    Lost,
}

/// An SMTP reply: its code and text.
struct Reply {
    code: u16,
    text: String,
}

impl Reply {
    fn describe(&self) -> String {
        format!("{} {}", self.code, self.text)
    }
}

async fn reply<R: tokio::io::AsyncBufRead + Unpin>(r: &mut R) -> Result<Reply, String> {
    let mut text = String::new();
    for _ in 0..MAX_LINES {
        let mut line = Vec::new();
        let read = tokio::time::timeout(STEP, async {
            let mut limited = (&mut *r).take(u64::try_from(MAX_LINE).unwrap_or(1024));
            limited.read_until(b'\n', &mut line).await
        })
        .await
        .map_err(|_| "SMTP 服务器超时未答复".to_owned())?
        .map_err(|e| format!("SMTP 连接出错：{e}"))?;
        if read == 0 {
            return Err("SMTP 服务器断开了连接".to_owned());
        }
        let line = String::from_utf8_lossy(&line);
        let line = line.trim_end();
        let code = line
            .get(..3)
            .and_then(|c| c.parse::<u16>().ok())
            .ok_or_else(|| format!("SMTP 答复无效：{line}"))?;
        text.push_str(line.get(4..).unwrap_or_default());
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(Reply { code, text });
        }
        text.push(' ');
    }
    Err("SMTP 答复过长".to_owned())
}

use tokio::io::AsyncReadExt;

async fn command<R, W>(r: &mut R, w: &mut W, line: &str) -> Result<Reply, String>
where
    R: tokio::io::AsyncBufRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    tokio::time::timeout(STEP, w.write_all(format!("{line}\r\n").as_bytes()))
        .await
        .map_err(|_| "SMTP 发送超时".to_owned())?
        .map_err(|e| format!("SMTP 连接出错：{e}"))?;
    reply(r).await
}

/// A reply that must be 2xx/3xx: otherwise certainly undelivered, retried on 4xx, failed on 5xx.
fn expect(reply: &Reply, ok: u16) -> Result<(), Outcome> {
    match reply.code {
        c if c / 100 == ok / 100 => Ok(()),
        c if c / 100 == 4 => Err(Outcome::Retry(reply.describe())),
        _ => Err(Outcome::Failed(reply.describe())),
    }
}

async fn send_one(state: &AppState, smtp: &SmtpConfig, c: &Claimed) -> Outcome {
    match conversation(state, smtp, c).await {
        Ok(o) | Err(o) => o,
    }
}

async fn conversation(
    state: &AppState,
    smtp: &SmtpConfig,
    c: &Claimed,
) -> Result<Outcome, Outcome> {
    let retry = Outcome::Retry;
    let stream = tokio::time::timeout(STEP, TcpStream::connect((smtp.host.as_str(), smtp.port)))
        .await
        .map_err(|_| retry("连接 SMTP 服务器超时".to_owned()))?
        .map_err(|e| retry(format!("无法连接 SMTP 服务器：{e}")))?;
    let (read, mut w) = stream.into_split();
    let mut r = BufReader::new(read);
    expect(&reply(&mut r).await.map_err(retry)?, 220)?;
    let hello = command(&mut r, &mut w, &format!("EHLO {}", smtp.domain()))
        .await
        .map_err(retry)?;
    if hello.code / 100 != 2 {
        let helo = command(&mut r, &mut w, &format!("HELO {}", smtp.domain()))
            .await
            .map_err(retry)?;
        expect(&helo, 250)?;
    }
    let from = command(&mut r, &mut w, &format!("MAIL FROM:<{}>", smtp.from))
        .await
        .map_err(retry)?;
    expect(&from, 250)?;
    let to = command(&mut r, &mut w, &format!("RCPT TO:<{}>", c.address))
        .await
        .map_err(retry)?;
    expect(&to, 250)?;
    let data = command(&mut r, &mut w, "DATA").await.map_err(retry)?;
    expect(&data, 354)?;
    let body = compose(state, smtp, c);
    tokio::time::timeout(STEP, w.write_all(body.as_bytes()))
        .await
        .map_err(|_| retry("SMTP 发送超时".to_owned()))?
        .map_err(|e| retry(format!("SMTP 连接出错：{e}")))?;
    // From the final dot on the server may have the message: record it first.
    match outbox::committing(&state.db, c, state.now_ms()).await {
        Ok(true) => {}
        Ok(false) => {
            let _ = command(&mut r, &mut w, "RSET").await;
            let _ = command(&mut r, &mut w, "QUIT").await;
            return Ok(Outcome::Lost);
        }
        Err(e) => return Err(retry(format!("无法记录发送状态：{e}"))),
    }
    let end = match command(&mut r, &mut w, ".").await {
        Ok(reply) => reply,
        Err(e) => return Err(Outcome::Uncertain(e)),
    };
    let _ = command(&mut r, &mut w, "QUIT").await;
    match end.code / 100 {
        2 => Ok(Outcome::Sent),
        // The server answered that it did not take it: certainly undelivered.
        4 => Ok(Outcome::Retry(end.describe())),
        _ => Ok(Outcome::Failed(end.describe())),
    }
}

/// The e-mail (headers and base64 body), dot-stuffed, without the final dot.
fn compose(state: &AppState, smtp: &SmtpConfig, c: &Claimed) -> String {
    let m = &c.message;
    let link = format!("{}/messages", state.public_url);
    let text = format!(
        "{}，您好：\r\n\r\n{}\r\n\r\n请登录学时系统查看：{link}\r\n\r\n——专业技术人员继续教育学时管理系统（系统自动发送，请勿回复）\r\n",
        c.display_name,
        m.text()
    );
    let headers = [
        format!("From: {} <{}>", encoded_word("学时系统"), smtp.from),
        format!("To: <{}>", c.address),
        format!("Subject: {}", encoded_word(&m.title())),
        format!("Date: {}", rfc5322_date(state.now_ms())),
        format!(
            "Message-ID: {}",
            outbox::message_id(c.id, c.created_ms, smtp.domain())
        ),
        "MIME-Version: 1.0".to_owned(),
        "Content-Type: text/plain; charset=UTF-8".to_owned(),
        "Content-Transfer-Encoding: base64".to_owned(),
        "Auto-Submitted: auto-generated".to_owned(),
    ];
    let mut out = headers.join("\r\n");
    out.push_str("\r\n\r\n");
    let encoded = base64(text.as_bytes());
    for chunk in encoded.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push_str("\r\n");
    }
    // Dot-stuffing (RFC 5321 4.5.2): no line here starts with a dot, but a header might.
    out.replace("\r\n.", "\r\n..")
}

/// RFC 2047 encoded word (UTF-8, base64) for a header.
fn encoded_word(text: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64(text.as_bytes()))
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648 4).
pub fn base64(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                let index = usize::try_from((n >> (18 - 6 * i)) & 63).unwrap_or(0);
                out.push(char::from(B64.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Thu, 03 Dec 2026 23:50:00 +0800`: the Date header, in Beijing time.
pub fn rfc5322_date(ms: i64) -> String {
    const DAY_MS: i64 = 86_400_000;
    const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let local = ms.saturating_add(8 * 3_600_000);
    let days = local.div_euclid(DAY_MS);
    let in_day = local.rem_euclid(DAY_MS) / 1000;
    let Some(date) = i32::try_from(days)
        .ok()
        .and_then(|d| Date::from_day_number(d).ok())
    else {
        return "Thu, 01 Jan 1970 08:00:00 +0800".to_owned();
    };
    // 1970-01-01 was a Thursday.
    let weekday = usize::try_from((days + 4).rem_euclid(7)).unwrap_or(0);
    let month = usize::from(date.month().saturating_sub(1));
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0800",
        WEEKDAYS.get(weekday).copied().unwrap_or("Thu"),
        date.day(),
        MONTHS.get(month).copied().unwrap_or("Jan"),
        date.year(),
        in_day / 3600,
        (in_day / 60) % 60,
        in_day % 60
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base64_and_dates_are_the_standard_ones() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64("学时".as_bytes()), "5a2m5pe2");
        // 2026-12-03 23:33:31 UTC is 2026-12-04 07:33:31 in Beijing, a Friday.
        assert_eq!(
            rfc5322_date(1_796_340_811_000),
            "Fri, 04 Dec 2026 07:33:31 +0800"
        );
    }

    #[test]
    fn an_smtp_url_names_a_host_and_port_only() {
        let c = SmtpConfig::parse("smtp://127.0.0.1:2525", "xueshi@example.cn").unwrap();
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 2525));
        assert_eq!(
            SmtpConfig::parse("smtp://mail.example.cn", "a@example.cn")
                .unwrap()
                .port,
            25
        );
        for bad in [
            "smtps://x:465",
            "smtp://user:pw@x:25",
            "smtp://x:port",
            "http://x",
        ] {
            assert!(SmtpConfig::parse(bad, "a@example.cn").is_err(), "{bad}");
        }
        assert!(SmtpConfig::parse("smtp://x:25", "not an address").is_err());
    }

    use std::sync::Arc;
    use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};

    use tokio::net::TcpListener;

    use xueshi_domain::Role;
    use xueshi_domain::id_number::IdNumber;
    use xueshi_policy::input::Cohort;
    use xueshi_store::accounts::{self, NewAccount};
    use xueshi_store::people::{self, NewPerson};

    use xueshi_testkit::{account_policy, done, fresh_dbs, policy};

    /// How the scripted SMTP server behaves.
    const ACCEPT: u8 = 0;
    /// Takes the whole message, then closes the connection instead of answering the final dot.
    const DROP_AT_DOT: u8 = 1;
    /// Answers RCPT with 451 (try later).
    const BUSY: u8 = 2;

    /// A scripted SMTP server on a free port: its address, its mode, and how many messages
    /// reached it (the final dot received).
    async fn server() -> (u16, Arc<AtomicU8>, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(ACCEPT));
        let got = Arc::new(AtomicUsize::new(0));
        let (m, g) = (mode.clone(), got.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (m, g) = (m.clone(), g.clone());
                tokio::spawn(async move {
                    let (read, mut w) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = w.write_all(b"220 fake\r\n").await;
                    let mut in_data = false;
                    while let Ok(Some(line)) = lines.next_line().await {
                        let mode = m.load(Ordering::SeqCst);
                        let answer: &[u8] = if in_data {
                            if line != "." {
                                continue;
                            }
                            in_data = false;
                            g.fetch_add(1, Ordering::SeqCst);
                            if mode == DROP_AT_DOT {
                                return;
                            }
                            b"250 queued\r\n"
                        } else if line.starts_with("RCPT") && mode == BUSY {
                            b"451 busy, try later\r\n"
                        } else if line == "DATA" {
                            in_data = true;
                            b"354 go on\r\n"
                        } else if line == "QUIT" {
                            let _ = w.write_all(b"221 bye\r\n").await;
                            return;
                        } else {
                            b"250 ok\r\n"
                        };
                        if w.write_all(answer).await.is_err() {
                            return;
                        }
                    }
                });
            }
        });
        (port, mode, got)
    }

    /// A state over a database where a professional and her unit's administrator, both with
    /// an address, lack 2026's hours: each run of reminders on a new threshold queues 2 e-mails.
    async fn world(db: xueshi_store::Db) -> AppState {
        let xueshi_testkit::Start { keys, signer, unit } = xueshi_testkit::start(&db, 9).await;
        let person = people::insert_person(
            &db,
            &keys,
            &NewPerson {
                id_number: IdNumber::complete("34152219850612301").unwrap(),
                name: "张晓梅".to_owned(),
                cohort: Cohort::New,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        people::employ(&db, person, unit, Date::parse("2020-01-01").unwrap())
            .await
            .unwrap();
        for (login, role, person_id, unit_id) in [
            ("zhang", Role::Professional, Some(person), None),
            ("hospital", Role::UnitAdmin, None, Some(unit)),
        ] {
            let id = accounts::create_account(
                &db,
                &keys,
                &account_policy(),
                &NewAccount {
                    login: login.to_owned(),
                    display_name: login.to_owned(),
                    role,
                    organisation_id: None,
                    unit_id,
                    person_id,
                },
                "Initial2026pw",
                "test",
                1,
            )
            .await
            .unwrap();
            let account = accounts::account(&db, id).await.unwrap();
            messages::set_email(&db, &account, Some(&format!("{login}@example.cn")), None, 1)
                .await
                .unwrap();
        }
        AppState::new(db, keys, signer, policy().clone())
    }

    async fn remind(state: &AppState, today: &str) {
        let r = reminders::run(
            &state.db,
            &state.policy,
            Date::parse(today).unwrap(),
            &reminders::DEFAULT_DAYS,
            state.now_ms(),
        )
        .await
        .unwrap();
        assert_eq!((r.persons, r.units), (1, 1));
    }

    async fn states(state: &AppState) -> Vec<(String, i64)> {
        outbox::counts(&state.db).await.unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unanswered_final_dot_is_never_resent_and_a_refusal_before_it_is_retried() {
        for db in fresh_dbs("mailer").await {
            let mut state = world(db).await;
            let (port, mode, got) = server().await;
            let smtp = SmtpConfig::parse(&format!("smtp://127.0.0.1:{port}"), "xueshi@example.cn")
                .unwrap();

            // The server takes both messages but never answers their final dot: perhaps
            // delivered, so uncertain, and never sent again.
            mode.store(DROP_AT_DOT, Ordering::SeqCst);
            remind(&state, "2027-05-25").await;
            assert_eq!(send_due(&state, &smtp).await.unwrap(), 0);
            assert_eq!(got.load(Ordering::SeqCst), 2);
            assert_eq!(states(&state).await, [("uncertain".to_owned(), 2)]);
            mode.store(ACCEPT, Ordering::SeqCst);
            assert_eq!(send_due(&state, &smtp).await.unwrap(), 0);
            assert_eq!(got.load(Ordering::SeqCst), 2, "nothing is sent twice");

            // The next threshold's reminders meet a busy server (451 before the dot): certainly
            // not delivered, so pending again after the backoff, and sent then.
            mode.store(BUSY, Ordering::SeqCst);
            remind(&state, "2027-05-03").await;
            assert_eq!(send_due(&state, &smtp).await.unwrap(), 0);
            assert_eq!(got.load(Ordering::SeqCst), 2);
            mode.store(ACCEPT, Ordering::SeqCst);
            assert_eq!(
                send_due(&state, &smtp).await.unwrap(),
                0,
                "not before the backoff"
            );
            let later = state.now_ms() + outbox::FIRST_BACKOFF_MS + 1_000;
            state.clock = Arc::new(move || later);
            assert_eq!(send_due(&state, &smtp).await.unwrap(), 2);
            assert_eq!(got.load(Ordering::SeqCst), 4);
            assert_eq!(
                states(&state).await,
                [("sent".to_owned(), 2), ("uncertain".to_owned(), 2)]
            );
            // And a sent e-mail is not sent again either.
            assert_eq!(send_due(&state, &smtp).await.unwrap(), 0);
            assert_eq!(got.load(Ordering::SeqCst), 4);
            done(state.db.clone()).await;
        }
    }
}
