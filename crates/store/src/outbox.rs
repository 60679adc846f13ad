//! The e-mail outbox (migration 0014): one row per message and account with an address,
//! written by a trigger in the message's own transaction, and sent by a background mailer that
//! survives restarts. This module is the outbox's state machine; the SMTP conversation is the
//! web layer's (`xueshi_web::mailer`).
//!
//! A row goes `pending` → [`claim`] → `sending` → [`committing`] → `sent` ([`sent`]).
//!
//! - **Claiming** is one `UPDATE … RETURNING` of due pending rows that counts the attempt: on
//!   PostgreSQL the rows are chosen `FOR UPDATE SKIP LOCKED`, so concurrent mailers (several
//!   service instances) never claim the same row; SQLite has a single writer, so the statement
//!   itself is exclusive. The attempt number is the claim's token: every later transition names
//!   it, and a stale claimer (whose row was recovered and claimed again) changes nothing.
//! - **At most once.** The mailer marks the row `committing` just before it sends the final dot
//!   of SMTP's DATA — the moment from which the server may have accepted the message. Until
//!   then a failure (a refused recipient, a dropped connection, a crash) leaves the message
//!   certainly undelivered, and the row goes back to pending with a backoff ([`retry`]; by
//!   [`recover`] after a crash). A row left in `committing` (a crash or a lost connection right
//!   after the dot) may or may not have been delivered: it becomes `uncertain` and is never
//!   sent again. We choose at most once because the message is always also in the in-app
//!   list (消息): a lost e-mail costs little, while a duplicate reminder erodes trust. The
//!   window is a single round trip; each row's e-mail has a fixed Message-ID
//!   ([`message_id`]), so even an operator's manual resend of an uncertain row is recognisable
//!   as the same message by the receiving side.
//! - **Bounded.** At most [`MAX_ATTEMPTS`] attempts with exponential backoff (1 min doubling up
//!   to 6 h); pending rows older than the mailer's horizon are `expired` (a reminder weeks late
//!   helps no one); rows go with their message when it is purged.

use crate::db::Db;
use crate::error::StoreError;
use crate::messages::Message;
use crate::on_db;

/// Attempts before a row is given up as failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// The first retry's delay; each further one doubles, up to [`MAX_BACKOFF_MS`].
pub const FIRST_BACKOFF_MS: i64 = 60_000;
pub const MAX_BACKOFF_MS: i64 = 6 * 3_600_000;
/// The longest error text kept on a row.
const MAX_ERROR_CHARS: usize = 500;

/// A claimed row: what to send, to whom, and the claim's attempt number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claimed {
    pub id: i64,
    pub attempt: i64,
    pub address: String,
    pub created_ms: i64,
    /// The account's name, for the greeting.
    pub display_name: String,
    pub message: Message,
}

/// The Message-ID of a row's e-mail: fixed per row (the same on every attempt), unique per
/// database row and installation domain.
pub fn message_id(id: i64, created_ms: i64, domain: &str) -> String {
    format!("<xueshi.outbox.{id}.{created_ms}@{domain}>")
}

/// The delay before attempt `attempts + 1`.
pub fn backoff_ms(attempts: i64) -> i64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    FIRST_BACKOFF_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_BACKOFF_MS)
}

/// Claims up to `limit` due pending rows (see the module's documentation), oldest due first.
pub async fn claim(db: &Db, now_ms: i64, limit: i64) -> Result<Vec<Claimed>, StoreError> {
    let pick = match db.backend() {
        crate::Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        crate::Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE mail_outbox SET state = 'sending', attempts = attempts + 1, claimed_ms = $1
          WHERE state = 'pending' AND id IN (
                SELECT id FROM mail_outbox WHERE state = 'pending' AND next_attempt_ms <= $1
                 ORDER BY next_attempt_ms, id LIMIT $2 {pick})
         RETURNING id, attempts"
    );
    let claimed: Vec<(i64, i64)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(now_ms)
        .bind(limit.clamp(1, 100))
        .fetch_all(p)
        .await?);
    let mut out = Vec::with_capacity(claimed.len());
    for (id, attempt) in claimed {
        let row: Option<(String, i64, String, i64)> = on_db!(db, p => sqlx::query_as(
            "SELECT o.address, o.created_ms, a.display_name, o.message_id FROM mail_outbox o
               JOIN accounts a ON a.id = o.account_id WHERE o.id = $1")
            .bind(id)
            .fetch_optional(p)
            .await?);
        let Some((address, created_ms, display_name, message)) = row else {
            continue;
        };
        let Some(message) = crate::messages::by_id(db, message).await? else {
            continue;
        };
        out.push(Claimed {
            id,
            attempt,
            address,
            created_ms,
            display_name,
            message,
        });
    }
    out.sort_by_key(|c| c.id);
    Ok(out)
}

async fn transition(
    db: &Db,
    c: &Claimed,
    from: &[&str],
    set: &str,
    now_ms: i64,
    error: Option<&str>,
) -> Result<bool, StoreError> {
    let from = from
        .iter()
        .map(|s| format!("'{s}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "UPDATE mail_outbox SET {set}, last_error = COALESCE($4, last_error)
          WHERE id = $1 AND attempts = $2 AND state IN ({from})"
    );
    let error: Option<String> = error.map(|e| e.chars().take(MAX_ERROR_CHARS).collect());
    let n = on_db!(db, p => sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(c.id)
        .bind(c.attempt)
        .bind(now_ms)
        .bind(error)
        .execute(p)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// The mailer is about to end the DATA (the final dot): from now on the message may be
/// delivered. `false` when the claim is no longer this mailer's: then it must not send.
pub async fn committing(db: &Db, c: &Claimed, now_ms: i64) -> Result<bool, StoreError> {
    transition(db, c, &["sending"], "state = 'committing'", now_ms, None).await
}

/// The server accepted the message.
pub async fn sent(db: &Db, c: &Claimed, now_ms: i64) -> Result<bool, StoreError> {
    transition(
        db,
        c,
        &["committing"],
        "state = 'sent', done_ms = $3",
        now_ms,
        None,
    )
    .await
}

/// Certainly not delivered, for a reason that may pass (a 4xx reply, a dropped connection
/// before the final dot, a refusal of the final dot with 4xx): pending again after the backoff,
/// or failed after [`MAX_ATTEMPTS`].
pub async fn retry(db: &Db, c: &Claimed, now_ms: i64, error: &str) -> Result<bool, StoreError> {
    if c.attempt >= MAX_ATTEMPTS {
        return failed(db, c, now_ms, error).await;
    }
    let set = format!(
        "state = 'pending', next_attempt_ms = $3 + {}",
        backoff_ms(c.attempt)
    );
    transition(db, c, &["sending", "committing"], &set, now_ms, Some(error)).await
}

/// Certainly not delivered and never will be (a 5xx reply: no such mailbox, refused sender).
pub async fn failed(db: &Db, c: &Claimed, now_ms: i64, error: &str) -> Result<bool, StoreError> {
    transition(
        db,
        c,
        &["sending", "committing"],
        "state = 'failed', done_ms = $3",
        now_ms,
        Some(error),
    )
    .await
}

/// Perhaps delivered (no answer to the final dot): never sent again (at most once).
pub async fn uncertain(db: &Db, c: &Claimed, now_ms: i64, error: &str) -> Result<bool, StoreError> {
    transition(
        db,
        c,
        &["committing"],
        "state = 'uncertain', done_ms = $3",
        now_ms,
        Some(error),
    )
    .await
}

/// What [`recover`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recovered {
    /// Claims that had not reached the final dot: pending again (or failed when out of attempts).
    pub retried: u64,
    /// Claims left at the final dot: uncertain, never resent.
    pub uncertain: u64,
    /// Pending rows older than the horizon.
    pub expired: u64,
}

/// After a crash (or a mailer that stopped mid-send): claims older than `lease_ms` are
/// resolved — `sending` back to pending (the message was certainly not delivered), `committing`
/// to uncertain (it may have been). Pending rows created more than `horizon_ms` ago expire.
/// `lease_ms` must exceed the longest a mailer spends on one message (its SMTP timeouts).
pub async fn recover(
    db: &Db,
    now_ms: i64,
    lease_ms: i64,
    horizon_ms: i64,
) -> Result<Recovered, StoreError> {
    let stale = now_ms.saturating_sub(lease_ms);
    let retried = on_db!(db, p => sqlx::query(
        "UPDATE mail_outbox SET
            state = CASE WHEN attempts >= $3 THEN 'failed' ELSE 'pending' END,
            next_attempt_ms = $2, last_error = 'claim expired before the final dot'
          WHERE state = 'sending' AND claimed_ms < $1")
        .bind(stale)
        .bind(now_ms)
        .bind(MAX_ATTEMPTS)
        .execute(p)
        .await?
        .rows_affected());
    let uncertain = on_db!(db, p => sqlx::query(
        "UPDATE mail_outbox SET state = 'uncertain', done_ms = $2,
            last_error = 'claim expired at the final dot: perhaps delivered, not resent'
          WHERE state = 'committing' AND claimed_ms < $1")
        .bind(stale)
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    let expired = on_db!(db, p => sqlx::query(
        "UPDATE mail_outbox SET state = 'expired', done_ms = $2
          WHERE state = 'pending' AND created_ms < $1")
        .bind(now_ms.saturating_sub(horizon_ms))
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    Ok(Recovered {
        retried,
        uncertain,
        expired,
    })
}

/// How many rows are in each state (for the operators' metrics and tests).
pub async fn counts(db: &Db) -> Result<Vec<(String, i64)>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT state, count(*) FROM mail_outbox GROUP BY state ORDER BY state")
        .fetch_all(p)
        .await?))
}

/// The mail still to go out, for the operators' metrics: how many rows wait in each unsettled
/// state (pending, sending, committing), and how long the most overdue pending one has been
/// due at `now_ms` (ms; zero when none is overdue). Reads the `(state, next_attempt_ms)`
/// index only, so a scrape costs the backlog, not the years of mail already sent.
pub async fn backlog(db: &Db, now_ms: i64) -> Result<(Vec<(String, i64)>, i64), StoreError> {
    let counts: Vec<(String, i64)> = on_db!(db, p => sqlx::query_as(
        "SELECT state, count(*) FROM mail_outbox WHERE state IN ('pending', 'sending', 'committing')
         GROUP BY state ORDER BY state")
        .fetch_all(p)
        .await?);
    let oldest: Option<i64> = on_db!(db, p => sqlx::query_scalar(
        "SELECT MIN(next_attempt_ms) FROM mail_outbox WHERE state = 'pending'")
        .fetch_one(p)
        .await?);
    Ok((counts, oldest.map_or(0, |due| (now_ms - due).max(0))))
}

/// A row's state and attempts, by id (tests, operators).
pub async fn state(db: &Db, id: i64) -> Result<Option<(String, i64)>, StoreError> {
    Ok(on_db!(db, p => sqlx::query_as(
        "SELECT state, attempts FROM mail_outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(p)
        .await?))
}
