//! Forgotten passwords: what a unit administrator picks from — the professional accounts of
//! its staff today — when it resets one (`accounts::reset_password_by`). Bounded: at most
//! [`MAX_STAFF_ACCOUNTS`], filtered by name. Names and masked ID numbers only: the login is the
//! form's value, never shown.

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::on_db;

/// The most accounts listed.
pub const MAX_STAFF_ACCOUNTS: i64 = 500;

/// A staff member's professional account.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct StaffAccount {
    pub account_id: i64,
    pub login: String,
    pub name: String,
    pub id_masked: String,
    /// A reset is waiting to be replaced by the person's own password.
    pub must_change_password: bool,
}

/// The professional accounts of the persons employed by `unit_id` on `on`, by name; with
/// `name`, those whose name contains it.
pub async fn staff_accounts(
    db: &Db,
    unit_id: i64,
    on: xueshi_domain::Date,
    name: Option<&str>,
) -> Result<Vec<StaffAccount>, StoreError> {
    let pattern = name
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(|n| format!("%{}%", n.chars().take(30).collect::<String>()));
    let sql = "SELECT a.id AS account_id, a.login, p.name, p.id_masked,
                      a.must_change_password
                 FROM accounts a
                 JOIN persons p ON p.id = a.person_id
                WHERE a.role = 'professional' AND NOT a.disabled
                  AND EXISTS (SELECT 1 FROM employments e
                               WHERE e.person_id = p.id AND e.unit_id = $1 AND e.from_on <= $2
                                 AND (e.to_on IS NULL OR e.to_on >= $2))
                  AND ($3 IS NULL OR p.name LIKE $3)
                ORDER BY p.name, a.id LIMIT $4";
    Ok(on_db!(db, p => sqlx::query_as(sql)
        .bind(unit_id)
        .bind(DbDate(on))
        .bind(pattern)
        .bind(MAX_STAFF_ACCOUNTS)
        .fetch_all(p)
        .await?))
}
