//! In-app messages (消息): what an account is told — a year page stamped or returned (D12), a
//! verification decided (D13, D14), a reminder of the hours a year still lacks before its
//! deadlines ([`crate::reminders`]). A message lives in one mailbox: a person's, a unit's or an
//! organisation's (migration 0014). The acts' messages are written by database triggers in the
//! act's own transaction, so no write path (API, import, CLI) can give an act without telling
//! its people; each message keeps facts (kind, year, agency name, figures) and its Chinese text
//! is rendered here, naming agencies and years, never codes or ids.
//!
//! Bounded: a page is at most [`MAX_PAGE`] messages, and messages older than the retention
//! ([`RETENTION_MS`]) are deleted by [`purge`] (the background job of the service), with their
//! e-mails. Each message is e-mailed (the trigger `messages_to_outbox`) to the accounts of its
//! mailbox that gave an address ([`set_email`]); [`crate::outbox`] sends them.

use xueshi_domain::{Date, Hours};

use crate::accounts::{Account, Role};
use crate::audit::audit;
use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::on_db;

/// The most messages one page lists.
pub const MAX_PAGE: i64 = 100;
/// The default page.
pub const DEFAULT_PAGE: i64 = 30;
/// Messages are kept this long (400 days: a year's reminders and answers, and the next year's
/// deadline), then deleted with their e-mails.
pub const RETENTION_MS: i64 = 400 * 86_400_000;
/// The longest e-mail address accepted (RFC 5321's path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// Audit action of an address set or removed.
pub const EMAIL_SET: &str = "account.email";

/// The mailbox an account reads: a professional's person, a unit administrator's unit, an
/// official's organisation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mailbox {
    Person(i64),
    Unit(i64),
    Organisation(i64),
}

impl Mailbox {
    /// The mailbox of an account; `None` for an account whose link is missing.
    pub fn of(account: &Account) -> Option<Self> {
        match account.role {
            Role::Professional => account.person_id.map(Self::Person),
            Role::UnitAdmin => account.unit_id.map(Self::Unit),
            _ => account.organisation_id.map(Self::Organisation),
        }
    }

    fn column(self) -> (&'static str, i64) {
        match self {
            Self::Person(id) => ("person_id", id),
            Self::Unit(id) => ("unit_id", id),
            Self::Organisation(id) => ("organisation_id", id),
        }
    }
}

/// What a message is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ReviewStamped,
    ReviewReturned,
    VerificationApproved,
    VerificationRefused,
    ReminderPerson,
    ReminderUnit,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReviewStamped => "review.stamped",
            Self::ReviewReturned => "review.returned",
            Self::VerificationApproved => "verification.approved",
            Self::VerificationRefused => "verification.refused",
            Self::ReminderPerson => "reminder.person",
            Self::ReminderUnit => "reminder.unit",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::ReviewStamped,
            Self::ReviewReturned,
            Self::VerificationApproved,
            Self::VerificationRefused,
            Self::ReminderPerson,
            Self::ReminderUnit,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// Which deadline a reminder is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeadlineKind {
    /// 学时登记截止 (D11).
    Registration,
    /// 公需科目学习截止 (D5).
    Public,
    /// Both fall on the same day (2026: 2027-05-31).
    Both,
}

impl DeadlineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Registration => "registration",
            Self::Public => "public",
            Self::Both => "both",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Registration, Self::Public, Self::Both]
            .into_iter()
            .find(|k| k.as_str() == s)
    }

    /// The deadline in Chinese: "2026 年度学时登记".
    pub fn zh(self) -> &'static str {
        match self {
            Self::Registration => "学时登记",
            Self::Public => "公需科目学习",
            Self::Both => "公需科目学习和学时登记",
        }
    }
}

/// A message as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub kind: Kind,
    pub year: Option<i32>,
    pub first_year: Option<i32>,
    pub level: Option<String>,
    pub agency: Option<String>,
    pub about_person_id: Option<i64>,
    pub about_name: Option<String>,
    pub deadline_on: Option<Date>,
    pub deadline_kind: Option<DeadlineKind>,
    pub days_left: Option<i64>,
    pub short_total_tenths: Option<i64>,
    pub short_professional_tenths: Option<i64>,
    pub staff_short: Option<i64>,
    pub created_ms: i64,
    pub read_ms: Option<i64>,
}

fn hours(tenths: i64) -> String {
    Hours::from_tenths(u64::try_from(tenths).unwrap_or(0)).to_string()
}

fn level_zh(level: Option<&str>) -> &'static str {
    match level {
        Some("junior") => "初级",
        Some("intermediate") => "中级",
        Some("senior") => "高级",
        _ => "",
    }
}

fn date_zh(d: Date) -> String {
    format!("{} 年 {} 月 {} 日", d.year(), d.month(), d.day())
}

impl Message {
    /// A short title, in Chinese.
    pub fn title(&self) -> String {
        let year = self.year.map_or_else(String::new, |y| format!("{y} 年度"));
        match self.kind {
            Kind::ReviewStamped => format!("{year}学时登记已审核盖章"),
            Kind::ReviewReturned => format!("{year}学时登记被退回"),
            Kind::VerificationApproved => "学时核验已通过".to_owned(),
            Kind::VerificationRefused => "学时核验未通过".to_owned(),
            Kind::ReminderPerson | Kind::ReminderUnit => format!("{year}学时提醒"),
        }
    }

    /// The message in plain Chinese: who did what for which year, or what is missing by when.
    pub fn text(&self) -> String {
        let agency = self.agency.as_deref().unwrap_or("主管部门");
        let year = self.year.map_or_else(String::new, |y| format!("{y} 年度"));
        // A unit's message names its staff member; a person's speaks to them.
        let whose = match &self.about_name {
            Some(name) => format!("职工{name}的"),
            None => "您的".to_owned(),
        };
        let cycle = match (self.first_year, self.year) {
            (Some(a), Some(b)) if a == b => format!("{a} 年度"),
            (Some(a), Some(b)) => format!("{a}—{b} 年任职周期"),
            _ => String::new(),
        };
        let level = level_zh(self.level.as_deref());
        let deadline = match (self.deadline_kind, self.deadline_on) {
            (Some(k), Some(on)) => format!("{year}{}将于 {}截止", k.zh(), date_zh(on)),
            _ => String::new(),
        };
        let left = match self.days_left {
            Some(0) => "，就在今天".to_owned(),
            Some(n) => format!("，还有 {n} 天"),
            None => String::new(),
        };
        match self.kind {
            Kind::ReviewStamped => format!("{agency}已为{whose}{year}学时登记审核盖章。"),
            Kind::ReviewReturned => {
                format!("{agency}退回了{whose}{year}学时登记，请查看退回理由，更正后重新提交审核。")
            }
            Kind::VerificationApproved => format!(
                "{agency}已核验{whose}{cycle}继续教育学时（申报{level}职称），学时达到要求，已加盖核验章。"
            ),
            Kind::VerificationRefused => format!(
                "{agency}核验了{whose}{cycle}继续教育学时（申报{level}职称），学时未达到要求，未加盖核验章；请在“职称申报准备”中查看还缺多少学时。"
            ),
            Kind::ReminderPerson => {
                let total = self.short_total_tenths.unwrap_or(0);
                let professional = self.short_professional_tenths.unwrap_or(0);
                let short = if professional > 0 {
                    format!(
                        "还差 {} 学时（其中专业科目还差 {} 学时）",
                        hours(total.max(professional)),
                        hours(professional)
                    )
                } else {
                    format!("还差 {} 学时", hours(total))
                };
                format!("{deadline}{left}。您 {year}继续教育学时{short}，请及时学习并登记。")
            }
            Kind::ReminderUnit => format!(
                "{deadline}{left}。本单位有 {} 名职工 {year}继续教育学时尚未达到要求，请督促他们及时学习并登记（名单见“职工学时”，按“未达标”筛选）。",
                self.staff_short.unwrap_or(0)
            ),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Raw {
    id: i64,
    kind: String,
    year: Option<i64>,
    first_year: Option<i64>,
    level: Option<String>,
    agency: Option<String>,
    about_person_id: Option<i64>,
    about_name: Option<String>,
    deadline_on: Option<DbDate>,
    deadline_kind: Option<String>,
    days_left: Option<i64>,
    short_total_tenths: Option<i64>,
    short_professional_tenths: Option<i64>,
    staff_short: Option<i64>,
    created_ms: i64,
    read_ms: Option<i64>,
}

const COLUMNS: &str = "id, kind, year, first_year, level, agency, about_person_id, about_name,
    deadline_on, deadline_kind, days_left, short_total_tenths, short_professional_tenths,
    staff_short, created_ms, read_ms";

fn year_of(y: Option<i64>) -> Option<i32> {
    y.and_then(|y| i32::try_from(y).ok())
}

impl TryFrom<Raw> for Message {
    type Error = StoreError;

    fn try_from(r: Raw) -> Result<Self, StoreError> {
        let kind = Kind::parse(&r.kind)
            .ok_or_else(|| StoreError::invalid("store.corrupt", "消息类别无效"))?;
        Ok(Message {
            id: r.id,
            kind,
            year: year_of(r.year),
            first_year: year_of(r.first_year),
            level: r.level,
            agency: r.agency,
            about_person_id: r.about_person_id,
            about_name: r.about_name,
            deadline_on: r.deadline_on.map(|d| d.0),
            deadline_kind: r.deadline_kind.as_deref().and_then(DeadlineKind::parse),
            days_left: r.days_left,
            short_total_tenths: r.short_total_tenths,
            short_professional_tenths: r.short_professional_tenths,
            staff_short: r.staff_short,
            created_ms: r.created_ms,
            read_ms: r.read_ms,
        })
    }
}

/// A mailbox's messages, newest first: at most `limit` (1–[`MAX_PAGE`]) with an id below
/// `before` (the last id of the previous page), if given.
pub async fn list(
    db: &Db,
    mailbox: Mailbox,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Message>, StoreError> {
    let (column, id) = mailbox.column();
    let sql = format!(
        "SELECT {COLUMNS} FROM messages WHERE {column} = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
    );
    let raws: Vec<Raw> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit.clamp(1, MAX_PAGE))
        .fetch_all(p)
        .await?);
    raws.into_iter().map(Message::try_from).collect()
}

/// A message by id (the mailer's; readers go through [`list`], by mailbox).
pub async fn by_id(db: &Db, id: i64) -> Result<Option<Message>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM messages WHERE id = $1");
    let raw: Option<Raw> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p)
        .await?);
    raw.map(Message::try_from).transpose()
}

/// How many of a mailbox's messages are unread.
pub async fn unread(db: &Db, mailbox: Mailbox) -> Result<i64, StoreError> {
    let (column, id) = mailbox.column();
    let sql = format!("SELECT count(*) FROM messages WHERE {column} = $1 AND read_ms IS NULL");
    Ok(on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(p)
        .await?))
}

/// Marks messages of a mailbox read: those of `ids` (others' ids are ignored), or every one
/// when `ids` is `None`. Returns how many were unread.
pub async fn mark_read(
    db: &Db,
    mailbox: Mailbox,
    ids: Option<&[i64]>,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let (column, id) = mailbox.column();
    let Some(ids) = ids else {
        let sql =
            format!("UPDATE messages SET read_ms = $2 WHERE {column} = $1 AND read_ms IS NULL");
        return Ok(on_db!(db, p => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(now_ms)
            .execute(p)
            .await?
            .rows_affected()));
    };
    let mut n = 0;
    for &message in ids.iter().take(usize::try_from(MAX_PAGE).unwrap_or(100)) {
        let sql = format!(
            "UPDATE messages SET read_ms = $3 WHERE {column} = $1 AND id = $2 AND read_ms IS NULL"
        );
        n += on_db!(db, p => sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .bind(message)
            .bind(now_ms)
            .execute(p)
            .await?
            .rows_affected());
    }
    Ok(n)
}

/// Deletes the messages older than `retention_ms` (their e-mails go with them). Returns how
/// many.
pub async fn purge(db: &Db, now_ms: i64, retention_ms: i64) -> Result<u64, StoreError> {
    let before = now_ms.saturating_sub(retention_ms);
    Ok(
        on_db!(db, p => sqlx::query("DELETE FROM messages WHERE created_ms < $1")
        .bind(before)
        .execute(p)
        .await?
        .rows_affected()),
    )
}

/// An e-mail address as accepted: trimmed, at most [`MAX_EMAIL_CHARS`], one `@` with a local
/// part and a dotted domain, printable ASCII without spaces, quotes or angle brackets (so it
/// can never break an SMTP command or a header).
pub fn check_email(text: &str) -> Result<String, StoreError> {
    let t = text.trim();
    let bad = || {
        StoreError::invalid(
            "email.invalid",
            "电子邮箱格式不正确（例如 zhangsan@example.cn）",
        )
    };
    if t.chars().count() > MAX_EMAIL_CHARS {
        return Err(StoreError::invalid(
            "email.invalid",
            format!("电子邮箱不能超过 {MAX_EMAIL_CHARS} 个字符"),
        ));
    }
    let (local, domain) = t.split_once('@').ok_or_else(bad)?;
    let allowed = |c: char| c.is_ascii_graphic() && !"<>()[]\\,;:\"@`".contains(c);
    let labels_ok = domain
        .split('.')
        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    if local.is_empty()
        || local.len() > 64
        || !local.chars().all(allowed)
        || !domain.contains('.')
        || !labels_ok
    {
        return Err(bad());
    }
    Ok(t.to_owned())
}

/// The e-mail address of an account, if it gave one.
pub async fn email(db: &Db, account_id: i64) -> Result<Option<String>, StoreError> {
    let found: Option<Option<String>> = on_db!(db, p => sqlx::query_scalar(
        "SELECT email FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(p)
        .await?);
    found.ok_or(StoreError::NotFound("账号"))
}

/// Sets (or with `None` removes) the e-mail address an account's messages are also sent to.
/// Audited without the address (personal data).
pub async fn set_email(
    db: &Db,
    account: &Account,
    email: Option<&str>,
    region: Option<xueshi_domain::RegionCode>,
    now_ms: i64,
) -> Result<Option<String>, StoreError> {
    let email = email
        .filter(|e| !e.trim().is_empty())
        .map(check_email)
        .transpose()?;
    on_db!(db, p => sqlx::query("UPDATE accounts SET email = $2 WHERE id = $1")
        .bind(account.id)
        .bind(email.as_deref())
        .execute(p)
        .await?
        .rows_affected());
    let subject = format!("account:{}", account.id);
    audit(
        db,
        now_ms,
        &subject,
        region,
        EMAIL_SET,
        Some(&subject),
        Some(if email.is_some() { "set" } else { "removed" }),
    )
    .await?;
    Ok(email)
}
