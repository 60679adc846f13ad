//! Accounts, passwords, sessions and API tokens: the store side of signing in. Passwords are
//! kept only as argon2id PHC strings with explicit parameters ([`PasswordParams`]); a new or
//! reset password is refused when weak (`password.weak`) or taken from the person's ID number
//! (`password.from_id`), and always has to be changed at the next login. Repeated failures lock
//! the account for a while (`account.locked`); an unknown login and a wrong password fail alike
//! (`auth.failed`), in about the same time. Sessions are a table of our own: the cookie carries
//! a random token, the database only its SHA-256, beside a CSRF token for forms; they expire
//! after idling and absolutely. Bases and providers call the API with tokens whose secret is
//! stored only as SHA-256. Every security-relevant event is written to the audit trail, never
//! with a password, a token or an ID number in it.
//!
//! It does not speak HTTP (cookies, headers, forms are the web layer's), and it does not decide
//! what an account may do or see: the role and the organisation, unit or person it belongs to
//! are stored here, the jurisdiction checks are made where each act is done.

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use sha2::{Digest, Sha256};
use xueshi_domain::{Date, RegionCode};

use crate::audit::audit;
use crate::db::Db;
use crate::error::StoreError;
use crate::keys::{Keys, random};
use crate::on_db;
use crate::organisations::{self, OrgKind};

/// Audit actions written by this module.
pub const ACCOUNT_CREATE: &str = "account.create";
pub const LOGIN_OK: &str = "account.login";
pub const LOGIN_FAILED: &str = "account.login_failed";
pub const LOGIN_LOCKED: &str = "account.locked";
pub const PASSWORD_CHANGE: &str = "account.password_change";
pub const PASSWORD_RESET: &str = "account.password_reset";
pub const SIGN_OUT_EVERYWHERE: &str = "account.sign_out_everywhere";
pub const TOKEN_ISSUE: &str = "api_token.issue";
pub const TOKEN_REVOKE: &str = "api_token.revoke";

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest password accepted (hashing cost is bounded by it).
pub const MAX_PASSWORD_CHARS: usize = 128;
/// Length of a generated initial password.
pub const INITIAL_PASSWORD_CHARS: usize = 14;
/// Letters and digits that cannot be mistaken for one another (no 0/O/o, 1/l/I).
const UNAMBIGUOUS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The roles of an account (the `accounts.role` CHECK of the schema): the domain's list.
pub use xueshi_domain::role::Role;

/// The kind of organisation an account of this role belongs to; `None` for professionals
/// (a person) and unit admins (a unit).
pub fn org_kind(role: Role) -> Option<OrgKind> {
    match role {
        Role::Professional | Role::UnitAdmin => None,
        Role::IndustryAuthority => Some(OrgKind::IndustryAuthority),
        Role::CityBureau => Some(OrgKind::CityBureau),
        Role::CountyBureau => Some(OrgKind::CountyBureau),
        Role::ZoneCentre => Some(OrgKind::ZoneCentre),
        Role::StateOwnedUnit => Some(OrgKind::StateOwnedUnit),
        Role::Base => Some(OrgKind::OnlineBase),
        Role::Provider => Some(OrgKind::TrainingProvider),
        Role::Supervisor => Some(OrgKind::Supervisor),
    }
}

/// argon2id cost parameters. The default is OWASP's minimum (19 MiB, 2 passes, 1 lane); tests
/// may use smaller ones to stay fast.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordParams {
    pub m_cost_kib: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Default for PasswordParams {
    fn default() -> Self {
        Self {
            m_cost_kib: 19_456,
            t_cost: 2,
            p_cost: 1,
        }
    }
}

/// How long sessions live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionParams {
    /// A session unused this long expires (default 8 h).
    pub idle_ms: i64,
    /// A session expires this long after it started, used or not (default 7 d).
    pub absolute_ms: i64,
}

impl Default for SessionParams {
    fn default() -> Self {
        Self {
            idle_ms: 8 * HOUR_MS,
            absolute_ms: 7 * DAY_MS,
        }
    }
}

/// The account rules: password hashing, lockout and session lifetimes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AccountPolicy {
    pub password: PasswordParams,
    pub session: SessionParams,
    /// Consecutive failed logins that lock the account (default 5).
    pub max_failures: i64,
    /// How long a lock lasts (default 15 min).
    pub lock_ms: i64,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        Self {
            password: PasswordParams::default(),
            session: SessionParams::default(),
            max_failures: 5,
            lock_ms: 15 * MINUTE_MS,
        }
    }
}

/// An account to create.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccount {
    pub login: String,
    pub display_name: String,
    pub role: Role,
    /// The organisation of an official account (every role but professional and unit admin).
    pub organisation_id: Option<i64>,
    /// The unit of a unit admin.
    pub unit_id: Option<i64>,
    /// The person of a professional.
    pub person_id: Option<i64>,
}

/// An account as stored (without its password hash).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub login: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub person_id: Option<i64>,
    pub must_change_password: bool,
    pub failed_attempts: i64,
    pub locked_until_ms: Option<i64>,
    pub created_ms: i64,
    pub disabled: bool,
}

/// A successful login.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoginOutcome {
    pub account: Account,
    /// The password must be changed before anything else (first login, or after a reset).
    pub must_change_password: bool,
}

/// A started session: `token` goes into the cookie (HttpOnly, SameSite) and is not kept;
/// `csrf_token` goes into every form.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub expires_ms: i64,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"…")
            .field("csrf_token", &"…")
            .field("expires_ms", &self.expires_ms)
            .finish()
    }
}

/// A live session, as found by its token.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub id: i64,
    pub account_id: i64,
    pub csrf_token: String,
    pub created_ms: i64,
    pub expires_ms: i64,
    pub must_change_password: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("id", &self.id)
            .field("account_id", &self.account_id)
            .field("csrf_token", &"…")
            .field("created_ms", &self.created_ms)
            .field("expires_ms", &self.expires_ms)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

impl Session {
    /// Whether a form's CSRF token is this session's (compared in constant time).
    pub fn csrf_ok(&self, presented: &str) -> bool {
        constant_time_eq(self.csrf_token.as_bytes(), presented.as_bytes())
    }
}

/// A freshly issued API token: `token` is shown once and never stored.
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    pub token_id: String,
    pub token: String,
}

impl std::fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuedToken")
            .field("token_id", &self.token_id)
            .field("token", &"…")
            .finish()
    }
}

/// Who an authenticated API token speaks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiPrincipal {
    pub token_id: String,
    pub organisation_id: i64,
    pub scope: String,
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/// Unix ms as Beijing time (UTC+8), `YYYY-MM-DD HH:MM`.
pub fn beijing_time(ms: i64) -> String {
    let local = ms.saturating_add(8 * HOUR_MS);
    let day = local.div_euclid(DAY_MS);
    let in_day = local.rem_euclid(DAY_MS);
    let date = i32::try_from(day)
        .ok()
        .and_then(|d| Date::from_day_number(d).ok());
    match date {
        Some(date) => format!(
            "{date} {:02}:{:02}",
            in_day / HOUR_MS,
            (in_day % HOUR_MS) / MINUTE_MS
        ),
        None => format!("{ms} ms"),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

use xueshi_certificate::multibase::b64url;

/// Decodes exactly `N` bytes of base64url without padding.
fn unb64url<const N: usize>(text: &str) -> Option<[u8; N]> {
    xueshi_certificate::multibase::unb64url(text)?
        .try_into()
        .ok()
}

fn sha256(bytes: &[u8]) -> Vec<u8> {
    Sha256::digest(bytes).to_vec()
}

fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

fn failed() -> StoreError {
    StoreError::unauthenticated("auth.failed", "登录名或密码错误")
}

/// The refusal of a sign-in with an unknown login or a wrong password (`auth.failed`): for a
/// caller of [`login_or_unknown`] to answer an unknown login exactly as a wrong password.
pub fn login_failed() -> StoreError {
    failed()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::corrupt(format!("账号{what}无效"))
}

// ---------------------------------------------------------------------------------------------
// Passwords

/// Checks a new password against the rules: at least [`MIN_PASSWORD_CHARS`] characters, both
/// letters and digits, and nothing taken from the person's ID number (the whole number or any
/// six consecutive characters of it, such as its last six or the birth date).
pub fn check_password(password: &str, id_number: Option<&str>) -> Result<(), StoreError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(StoreError::invalid(
            "password.weak",
            format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"),
        ));
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(StoreError::invalid(
            "password.weak",
            format!("密码不能超过 {MAX_PASSWORD_CHARS} 个字符"),
        ));
    }
    let letters = password.chars().any(char::is_alphabetic);
    let digits = password.chars().any(|c| c.is_ascii_digit());
    if !(letters && digits) {
        return Err(StoreError::invalid(
            "password.weak",
            "密码须同时包含字母和数字",
        ));
    }
    if let Some(id) = id_number {
        let pw = password.to_uppercase();
        let id: Vec<char> = id.trim().to_uppercase().chars().collect();
        let from_id = id
            .windows(6)
            .any(|w| pw.contains(&w.iter().collect::<String>()));
        if from_id {
            return Err(StoreError::invalid(
                "password.from_id",
                "密码不能包含身份证号码或其中连续 6 位及以上的数字",
            ));
        }
    }
    Ok(())
}

/// A random initial password of [`INITIAL_PASSWORD_CHARS`] characters from an unambiguous
/// alphabet, with letters and digits. It is derived from nothing personal.
pub fn generate_initial_password() -> Result<String, StoreError> {
    // 224 = 4 × 56: bytes at or above it are dropped, so every symbol is equally likely.
    let limit = u8::try_from(UNAMBIGUOUS.len() * 4).unwrap_or(u8::MAX);
    loop {
        let mut out = String::with_capacity(INITIAL_PASSWORD_CHARS);
        while out.len() < INITIAL_PASSWORD_CHARS {
            let bytes: [u8; 32] = random()?;
            for b in bytes.into_iter().filter(|&b| b < limit) {
                if out.len() < INITIAL_PASSWORD_CHARS {
                    let i = usize::from(b) % UNAMBIGUOUS.len();
                    out.extend(UNAMBIGUOUS.get(i).map(|&c| char::from(c)));
                }
            }
        }
        if check_password(&out, None).is_ok() {
            return Ok(out);
        }
    }
}

fn argon2(params: PasswordParams) -> Result<Argon2<'static>, StoreError> {
    let p = Params::new(params.m_cost_kib, params.t_cost, params.p_cost, None)
        .map_err(|e| StoreError::Crypto(format!("argon2 参数无效：{e}")))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, p))
}

/// Hashes a password to an argon2id PHC string, off the async threads.
async fn hash_password(password: &str, params: PasswordParams) -> Result<String, StoreError> {
    let salt: [u8; 16] = random()?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        argon2(params)?
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Crypto(format!("密码哈希失败：{e}")))
    })
    .await
    .map_err(|e| StoreError::Crypto(format!("密码哈希任务失败：{e}")))?
}

/// Whether `password` matches the stored PHC string; `None` verifies against a throwaway hash
/// of the current parameters, so an unknown login costs as much as a known one.
async fn verify_password(
    password: &str,
    stored: Option<String>,
    params: PasswordParams,
) -> Result<bool, StoreError> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let hasher = argon2(params)?;
        match stored {
            Some(stored) => {
                let hash = PasswordHash::new(&stored).map_err(|_| corrupt("密码哈希"))?;
                if hash.algorithm != argon2::ARGON2ID_IDENT {
                    return Err(corrupt("密码哈希算法"));
                }
                Ok(hasher.verify_password(password.as_bytes(), &hash).is_ok())
            }
            None => {
                let _ = hasher.hash_password_with_salt(password.as_bytes(), b"xueshi-dummy-salt");
                Ok(false)
            }
        }
    })
    .await
    .map_err(|e| StoreError::Crypto(format!("密码校验任务失败：{e}")))?
}

/// Whether a stored hash was made with other parameters than `params` (then it is rehashed at
/// the next successful login).
fn outdated(stored: &str, params: PasswordParams) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else {
        return true;
    };
    match Params::try_from(&hash) {
        Ok(p) => {
            p.m_cost() != params.m_cost_kib
                || p.t_cost() != params.t_cost
                || p.p_cost() != params.p_cost
        }
        Err(_) => true,
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts

type RawAccount = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    bool,
    i64,
    Option<i64>,
    i64,
    bool,
);

const ACCOUNT_SQL: &str =
    "SELECT id, login, display_name, role, organisation_id, unit_id, person_id,
    must_change_password, failed_attempts, locked_until_ms, created_ms, disabled FROM accounts";

fn decode(raw: RawAccount) -> Result<Account, StoreError> {
    let (
        id,
        login,
        display_name,
        role,
        organisation_id,
        unit_id,
        person_id,
        must_change_password,
        failed_attempts,
        locked_until_ms,
        created_ms,
        disabled,
    ) = raw;
    Ok(Account {
        id,
        login,
        display_name,
        role: Role::parse(&role).ok_or_else(|| corrupt("角色"))?,
        organisation_id,
        unit_id,
        person_id,
        must_change_password,
        failed_attempts,
        locked_until_ms,
        created_ms,
        disabled,
    })
}

/// An account by id.
pub async fn account(db: &Db, id: i64) -> Result<Account, StoreError> {
    let sql = format!("{ACCOUNT_SQL} WHERE id = $1");
    let raw: Option<RawAccount> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(p)
        .await?);
    raw.map(decode)
        .transpose()?
        .ok_or(StoreError::NotFound("账号"))
}

/// An account by login name (case-insensitive).
pub async fn account_by_login(db: &Db, login: &str) -> Result<Option<Account>, StoreError> {
    let sql = format!("{ACCOUNT_SQL} WHERE login_key = $1");
    let raw: Option<RawAccount> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(login_key(login))
        .fetch_optional(p)
        .await?);
    raw.map(decode).transpose()
}

/// The ID number a password of this account must not be taken from.
async fn id_number_of(
    db: &Db,
    keys: &Keys,
    person_id: Option<i64>,
) -> Result<Option<String>, StoreError> {
    match person_id {
        Some(pid) => Ok(Some(crate::people::reveal_id_number(db, keys, pid).await?)),
        None => Ok(None),
    }
}

async fn check_shape(db: &Db, new: &NewAccount) -> Result<(), StoreError> {
    let key = login_key(&new.login);
    if key.is_empty() || key.chars().count() > 64 || key.chars().any(char::is_whitespace) {
        return Err(StoreError::invalid(
            "account.login",
            "登录名不能为空、不能含空白字符，且不超过 64 个字符",
        ));
    }
    if new.display_name.trim().is_empty() {
        return Err(StoreError::invalid("account.display_name", "姓名不能为空"));
    }
    let shape = |ok: bool, msg: &str| {
        if ok {
            Ok(())
        } else {
            Err(StoreError::invalid("account.shape", msg))
        }
    };
    match new.role {
        Role::Professional => shape(
            new.person_id.is_some() && new.organisation_id.is_none() && new.unit_id.is_none(),
            "专业技术人员账号须对应一名人员，且不属于机构或单位",
        ),
        Role::UnitAdmin => shape(
            new.unit_id.is_some() && new.organisation_id.is_none() && new.person_id.is_none(),
            "单位管理员账号须属于一个用人单位",
        ),
        role => {
            shape(
                new.organisation_id.is_some() && new.unit_id.is_none() && new.person_id.is_none(),
                "机构账号须属于一个机构",
            )?;
            let org = new.organisation_id.unwrap_or_default();
            let kind = organisations::kind_of(db, org).await?;
            shape(org_kind(role) == Some(kind), "账号角色与所属机构的类别不符")
        }
    }
}

/// Where an account acts, for the region of its audit lines: its organisation's region (an
/// official), its unit's region (a unit administrator), or the region of the unit its person
/// works for on the Beijing day of `now_ms` (or last worked for before it); `None` when it has
/// none.
pub async fn account_region(
    db: &Db,
    account: &Account,
    now_ms: i64,
) -> Result<Option<RegionCode>, StoreError> {
    if let Some(org) = account.organisation_id {
        return Ok(organisations::organisation(db, org)
            .await?
            .map(|o| o.region));
    }
    if let Some(unit) = account.unit_id {
        return Ok(crate::people::unit_place(db, unit).await?.map(|u| u.region));
    }
    match (account.person_id, Date::beijing(now_ms)) {
        (Some(person), Ok(on)) => Ok(crate::people::person_unit_on(db, person, on)
            .await?
            .map(|u| u.region)),
        _ => Ok(None),
    }
}

/// Creates an account with an initial password, which must be changed at the first login.
/// `actor` is who creates it (for the audit trail).
pub async fn create_account(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    new: &NewAccount,
    initial_password: &str,
    actor: &str,
    now_ms: i64,
) -> Result<i64, StoreError> {
    check_shape(db, new).await?;
    let id_number = id_number_of(db, keys, new.person_id).await?;
    check_password(initial_password, id_number.as_deref())?;
    let hash = hash_password(initial_password, policy.password).await?;
    let sql =
        "INSERT INTO accounts (login, login_key, display_name, role, organisation_id, unit_id,
                   person_id, password_hash, must_change_password, password_changed_ms, created_ms)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, TRUE, $9, $9) RETURNING id";
    let id: i64 = on_db!(db, p => sqlx::query_scalar(sql)
        .bind(new.login.trim())
        .bind(login_key(&new.login))
        .bind(new.display_name.trim())
        .bind(new.role.as_str())
        .bind(new.organisation_id)
        .bind(new.unit_id)
        .bind(new.person_id)
        .bind(&hash)
        .bind(now_ms)
        .fetch_one(p)
        .await?);
    // Accounts are created by the system (the CLI, the demo seed): a line without a region.
    audit(
        db,
        now_ms,
        actor,
        None,
        ACCOUNT_CREATE,
        Some(&format!("account:{id}")),
        Some(&format!("role:{}", new.role.as_str())),
    )
    .await?;
    Ok(id)
}

/// Signs in with login name and password. An unknown login and a wrong password give the same
/// error (`auth.failed`) after the same work; a locked account gives `account.locked` with the
/// unlock time, without the password being tried. [`AccountPolicy::max_failures`] consecutive
/// failures lock the account for [`AccountPolicy::lock_ms`]; a success resets the count.
pub async fn login(
    db: &Db,
    policy: &AccountPolicy,
    login: &str,
    password: &str,
    now_ms: i64,
) -> Result<LoginOutcome, StoreError> {
    match login_or_unknown(db, policy, login, password, now_ms).await? {
        Some(outcome) => Ok(outcome),
        None => {
            audit_unknown_logins(db, now_ms, 1, None).await?;
            Err(failed())
        }
    }
}

/// [`login`], but an unknown login is `Ok(None)` (after the same work as a wrong password)
/// and writes no audit line: the caller (the web service, where anyone can try names) counts
/// them and writes them aggregated with [`audit_unknown_logins`], so that a flood of made-up
/// names cannot flood the audit trail. It must answer them as [`login_failed`].
pub async fn login_or_unknown(
    db: &Db,
    policy: &AccountPolicy,
    login: &str,
    password: &str,
    now_ms: i64,
) -> Result<Option<LoginOutcome>, StoreError> {
    let row: Option<(i64, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT id, password_hash FROM accounts WHERE login_key = $1")
        .bind(login_key(login))
        .fetch_optional(p)
        .await?);
    let Some((id, stored)) = row else {
        verify_password(password, None, policy.password).await?;
        return Ok(None);
    };
    let subject = format!("account:{id}");
    let acc = account(db, id).await?;
    let region = account_region(db, &acc, now_ms).await?;
    if let Some(until_ms) = acc.locked_until_ms.filter(|&u| u > now_ms) {
        // The same work as an unknown login or a wrong password: the time taken does not tell
        // a locked account from the others.
        verify_password(password, None, policy.password).await?;
        audit(
            db,
            now_ms,
            &subject,
            region,
            LOGIN_LOCKED,
            Some(&subject),
            Some("refused_while_locked"),
        )
        .await?;
        return Err(StoreError::AccountLocked { until_ms });
    }
    if !verify_password(password, Some(stored.clone()), policy.password).await? {
        let until_ms = now_ms.saturating_add(policy.lock_ms);
        let sql = "UPDATE accounts SET
                     failed_attempts = CASE WHEN failed_attempts + 1 >= $2 THEN 0 ELSE failed_attempts + 1 END,
                     locked_until_ms = CASE WHEN failed_attempts + 1 >= $2 THEN $3 ELSE locked_until_ms END
                   WHERE id = $1 RETURNING locked_until_ms";
        let locked: Option<i64> = on_db!(db, p => sqlx::query_scalar(sql)
            .bind(id)
            .bind(policy.max_failures)
            .bind(until_ms)
            .fetch_one(p)
            .await?);
        audit(
            db,
            now_ms,
            &subject,
            region,
            LOGIN_FAILED,
            Some(&subject),
            Some("wrong_password"),
        )
        .await?;
        if locked == Some(until_ms) {
            audit(
                db,
                now_ms,
                &subject,
                region,
                LOGIN_LOCKED,
                Some(&subject),
                None,
            )
            .await?;
            return Err(StoreError::AccountLocked { until_ms });
        }
        return Err(failed());
    }
    if acc.disabled {
        audit(
            db,
            now_ms,
            &subject,
            region,
            LOGIN_FAILED,
            Some(&subject),
            Some("disabled"),
        )
        .await?;
        return Err(StoreError::refused("account.disabled", "该账号已停用"));
    }
    let rehash = if outdated(&stored, policy.password) {
        Some(hash_password(password, policy.password).await?)
    } else {
        None
    };
    let sql = "UPDATE accounts SET failed_attempts = 0, locked_until_ms = NULL,
                 password_hash = COALESCE($2, password_hash) WHERE id = $1";
    on_db!(db, p => sqlx::query(sql).bind(id).bind(rehash).execute(p).await?.rows_affected());
    audit(db, now_ms, &subject, region, LOGIN_OK, Some(&subject), None).await?;
    let signed_in = account(db, id).await?;
    Ok(Some(LoginOutcome {
        must_change_password: signed_in.must_change_password,
        account: signed_in,
    }))
}

/// One audit line for `attempts` sign-ins with unknown logins (from `address`, when known). An
/// unknown login is nowhere: a line without a region, and without the name typed (people type
/// their password into the name field).
pub async fn audit_unknown_logins(
    db: &Db,
    now_ms: i64,
    attempts: u64,
    address: Option<&str>,
) -> Result<(), StoreError> {
    let detail = match (attempts, address) {
        (1, None) => "unknown_login".to_owned(),
        (n, None) => format!("unknown_login; attempts: {n}"),
        (n, Some(a)) => format!("unknown_login; attempts: {n}; from: {a}"),
    };
    audit(
        db,
        now_ms,
        "anonymous",
        None,
        LOGIN_FAILED,
        None,
        Some(&detail),
    )
    .await?;
    Ok(())
}

async fn set_password(
    db: &Db,
    account_id: i64,
    hash: &str,
    must_change: bool,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE accounts SET password_hash = $2, must_change_password = $3,
                 password_changed_ms = $4, failed_attempts = 0, locked_until_ms = NULL WHERE id = $1";
    let done = on_db!(db, p => sqlx::query(sql)
        .bind(account_id)
        .bind(hash)
        .bind(must_change)
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound("账号"));
    }
    Ok(())
}

/// The account holder changes their password, proving the old one. Clears the forced change
/// and ends every session of the account: whoever held one with the old password holds nothing.
pub async fn change_password(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    account_id: i64,
    old: &str,
    new: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    change_password_in_session(db, keys, policy, account_id, old, new, None, now_ms).await
}

/// [`change_password`] from a session, which stays (`keep_session`): every other session of
/// the account ends. The audit line counts the sessions ended.
#[allow(clippy::too_many_arguments)]
pub async fn change_password_in_session(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    account_id: i64,
    old: &str,
    new: &str,
    keep_session: Option<i64>,
    now_ms: i64,
) -> Result<(), StoreError> {
    let stored: Option<String> = on_db!(db, p => sqlx::query_scalar(
        "SELECT password_hash FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_optional(p)
        .await?);
    let stored = stored.ok_or(StoreError::NotFound("账号"))?;
    if !verify_password(old, Some(stored), policy.password).await? {
        return Err(StoreError::unauthenticated("auth.failed", "原密码错误"));
    }
    if old == new {
        return Err(StoreError::invalid(
            "password.reused",
            "新密码不能与原密码相同",
        ));
    }
    let acc = account(db, account_id).await?;
    let id_number = id_number_of(db, keys, acc.person_id).await?;
    check_password(new, id_number.as_deref())?;
    let hash = hash_password(new, policy.password).await?;
    set_password(db, account_id, &hash, false, now_ms).await?;
    let ended = end_other_sessions(db, account_id, keep_session).await?;
    audit_sessions_ended(db, &acc, PASSWORD_CHANGE, ended, now_ms).await?;
    Ok(())
}

/// An administrator sets a new initial password (e.g. from [`generate_initial_password`]): it
/// must be changed at the next login, the lock is lifted and every session is ended. A system
/// act (`actor` names the operator): its audit line has no region.
pub async fn admin_reset_password(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    account_id: i64,
    new_initial: &str,
    actor: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let acc = account(db, account_id).await?;
    let id_number = id_number_of(db, keys, acc.person_id).await?;
    check_password(new_initial, id_number.as_deref())?;
    let hash = hash_password(new_initial, policy.password).await?;
    set_password(db, account_id, &hash, true, now_ms).await?;
    end_all_sessions(db, account_id).await?;
    audit(
        db,
        now_ms,
        actor,
        None,
        PASSWORD_RESET,
        Some(&format!("account:{account_id}")),
        None,
    )
    .await?;
    Ok(())
}

/// A forgotten password reset by a unit administrator (for its staff) or a bureau (within its
/// jurisdiction; the caller has checked both): `one_time` becomes the password, to be changed
/// at the next sign-in, the lock is lifted and every session of the account ends. Audited under
/// the actor, where it acts, with the count of sessions ended (never the password). Returns
/// that count.
#[allow(clippy::too_many_arguments)]
pub async fn reset_password_by(
    db: &Db,
    keys: &Keys,
    policy: &AccountPolicy,
    account_id: i64,
    one_time: &str,
    actor: &str,
    region: Option<RegionCode>,
    now_ms: i64,
) -> Result<u64, StoreError> {
    let acc = account(db, account_id).await?;
    let id_number = id_number_of(db, keys, acc.person_id).await?;
    check_password(one_time, id_number.as_deref())?;
    let hash = hash_password(one_time, policy.password).await?;
    set_password(db, account_id, &hash, true, now_ms).await?;
    let ended = end_all_sessions(db, account_id).await?;
    audit(
        db,
        now_ms,
        actor,
        region,
        PASSWORD_RESET,
        Some(&format!("account:{account_id}")),
        Some(&format!("sessions_ended:{ended}")),
    )
    .await?;
    Ok(ended)
}

// ---------------------------------------------------------------------------------------------
// Sessions

fn session_invalid() -> StoreError {
    StoreError::unauthenticated("session.invalid", "登录已失效，请重新登录")
}

fn session_hash(token: &str) -> Option<Vec<u8>> {
    unb64url::<32>(token).map(|raw| sha256(&raw))
}

/// Starts a session for an account (after [`login`]).
pub async fn start_session(
    db: &Db,
    policy: &AccountPolicy,
    account_id: i64,
    now_ms: i64,
) -> Result<NewSession, StoreError> {
    let raw: [u8; 32] = random()?;
    let csrf: [u8; 32] = random()?;
    let token = b64url(&raw);
    let csrf_token = b64url(&csrf);
    let idle = policy.session.idle_ms;
    let absolute = now_ms.saturating_add(policy.session.absolute_ms);
    let expires_ms = now_ms.saturating_add(idle).min(absolute);
    let sql = "INSERT INTO sessions (token_hash, account_id, csrf_token, created_ms, last_seen_ms,
                   idle_ms, expires_ms, absolute_expires_ms)
               VALUES ($1, $2, $3, $4, $4, $5, $6, $7)";
    on_db!(db, p => sqlx::query(sql)
        .bind(sha256(&raw))
        .bind(account_id)
        .bind(&csrf_token)
        .bind(now_ms)
        .bind(idle)
        .bind(expires_ms)
        .bind(absolute)
        .execute(p)
        .await?
        .rows_affected());
    Ok(NewSession {
        token,
        csrf_token,
        expires_ms,
    })
}

/// How often a session's idle expiry is slid forward.
const SLIDE_EVERY_MS: i64 = 60_000;

/// The live session of a cookie token, its idle expiry slid forward; `session.invalid` when
/// unknown, malformed, ended, expired or of a disabled account.
pub async fn session(db: &Db, token: &str, now_ms: i64) -> Result<Session, StoreError> {
    let hash = session_hash(token).ok_or_else(session_invalid)?;
    type Raw = (i64, i64, String, i64, i64, i64, bool, bool, bool, i64);
    let sql = "SELECT s.id, s.account_id, s.csrf_token, s.created_ms, s.expires_ms,
                      s.idle_ms, s.revoked, a.disabled, a.must_change_password, s.last_seen_ms
               FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1";
    let row: Option<Raw> =
        on_db!(db, p => sqlx::query_as(sql).bind(&hash).fetch_optional(p).await?);
    let (
        id,
        account_id,
        csrf_token,
        created_ms,
        expires_ms,
        idle_ms,
        revoked,
        disabled,
        must,
        seen,
    ) = row.ok_or_else(session_invalid)?;
    if revoked || disabled || now_ms >= expires_ms {
        return Err(session_invalid());
    }
    // Slide the idle expiry at most once a minute: a write per request would serialize every
    // read behind the database's writer.
    if now_ms.saturating_sub(seen) < SLIDE_EVERY_MS {
        return Ok(Session {
            id,
            account_id,
            csrf_token,
            created_ms,
            expires_ms,
            must_change_password: must,
        });
    }
    let sql = "UPDATE sessions SET last_seen_ms = $2,
                 expires_ms = CASE WHEN $3 < absolute_expires_ms THEN $3 ELSE absolute_expires_ms END
               WHERE id = $1 AND revoked = FALSE RETURNING expires_ms";
    let slid: Option<i64> = on_db!(db, p => sqlx::query_scalar(sql)
        .bind(id)
        .bind(now_ms)
        .bind(now_ms.saturating_add(idle_ms))
        .fetch_optional(p)
        .await?);
    Ok(Session {
        id,
        account_id,
        csrf_token,
        created_ms,
        expires_ms: slid.ok_or_else(session_invalid)?,
        must_change_password: must,
    })
}

/// Ends a session (logout). Ending an unknown or already ended session is not an error.
pub async fn end_session(db: &Db, token: &str) -> Result<(), StoreError> {
    let Some(hash) = session_hash(token) else {
        return Ok(());
    };
    on_db!(db, p => sqlx::query("UPDATE sessions SET revoked = TRUE WHERE token_hash = $1")
        .bind(hash)
        .execute(p)
        .await?
        .rows_affected());
    Ok(())
}

/// Ends every session of an account, returning how many had not been ended before (expired
/// ones included).
pub async fn end_all_sessions(db: &Db, account_id: i64) -> Result<u64, StoreError> {
    end_other_sessions(db, account_id, None).await
}

/// Ends every session of an account but `keep` (if given), returning how many were ended.
pub async fn end_other_sessions(
    db: &Db,
    account_id: i64,
    keep: Option<i64>,
) -> Result<u64, StoreError> {
    let sql = "UPDATE sessions SET revoked = TRUE
               WHERE account_id = $1 AND revoked = FALSE AND id <> $2";
    Ok(on_db!(db, p => sqlx::query(sql)
        .bind(account_id)
        .bind(keep.unwrap_or(-1))
        .execute(p)
        .await?
        .rows_affected()))
}

/// "Sign out everywhere": the account holder ends every session of theirs, this one included.
/// Audited with the count.
pub async fn sign_out_everywhere(db: &Db, account_id: i64, now_ms: i64) -> Result<u64, StoreError> {
    let ended = end_all_sessions(db, account_id).await?;
    let acc = account(db, account_id).await?;
    audit_sessions_ended(db, &acc, SIGN_OUT_EVERYWHERE, ended, now_ms).await?;
    Ok(ended)
}

// ---------------------------------------------------------------------------------------------
// API tokens

/// The prefix of every API token: `xs_<token id>.<secret>`.
const TOKEN_PREFIX: &str = "xs_";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn token_invalid() -> StoreError {
    StoreError::unauthenticated("api_token.invalid", "API 令牌无效或已吊销")
}

/// Issues an API token to an online base or a training provider. The returned token is shown
/// once; only the SHA-256 of its secret is kept. A system act: its audit line has no region.
pub async fn issue_api_token(
    db: &Db,
    organisation_id: i64,
    scope: &str,
    actor: &str,
    now_ms: i64,
) -> Result<IssuedToken, StoreError> {
    let kind = organisations::kind_of(db, organisation_id).await?;
    if !matches!(kind, OrgKind::OnlineBase | OrgKind::TrainingProvider) {
        return Err(StoreError::invalid(
            "api_token.org_kind",
            "只有网络学习基地和培训机构可以申领 API 令牌",
        ));
    }
    if scope.trim().is_empty() {
        return Err(StoreError::invalid(
            "api_token.scope",
            "API 令牌须写明用途范围",
        ));
    }
    let id_bytes: [u8; 8] = random()?;
    let secret: [u8; 32] = random()?;
    let token_id = hex(&id_bytes);
    let sql = "INSERT INTO api_tokens (token_id, secret_hash, organisation_id, scope, created_ms)
               VALUES ($1, $2, $3, $4, $5)";
    on_db!(db, p => sqlx::query(sql)
        .bind(&token_id)
        .bind(sha256(&secret))
        .bind(organisation_id)
        .bind(scope.trim())
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    audit(
        db,
        now_ms,
        actor,
        None,
        TOKEN_ISSUE,
        Some(&format!("api_token:{token_id}")),
        Some(&format!(
            "organisation:{organisation_id} scope:{}",
            scope.trim()
        )),
    )
    .await?;
    let token = format!("{TOKEN_PREFIX}{token_id}.{}", b64url(&secret));
    Ok(IssuedToken { token_id, token })
}

/// The organisation and scope of a presented API token; `api_token.invalid` when malformed,
/// unknown, of a wrong secret or revoked (all alike).
pub async fn authenticate_api_token(
    db: &Db,
    presented: &str,
    now_ms: i64,
) -> Result<ApiPrincipal, StoreError> {
    let (token_id, secret) = presented
        .trim()
        .strip_prefix(TOKEN_PREFIX)
        .and_then(|rest| rest.split_once('.'))
        .ok_or_else(token_invalid)?;
    let secret = unb64url::<32>(secret).ok_or_else(token_invalid)?;
    let sql =
        "SELECT secret_hash, organisation_id, scope, revoked FROM api_tokens WHERE token_id = $1";
    let row: Option<(Vec<u8>, i64, String, bool)> =
        on_db!(db, p => sqlx::query_as(sql).bind(token_id).fetch_optional(p).await?);
    let (stored, organisation_id, scope, revoked) = row.ok_or_else(token_invalid)?;
    if !constant_time_eq(&stored, &sha256(&secret)) || revoked {
        return Err(token_invalid());
    }
    on_db!(db, p => sqlx::query("UPDATE api_tokens SET last_used_ms = $2 WHERE token_id = $1")
        .bind(token_id)
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    Ok(ApiPrincipal {
        token_id: token_id.to_owned(),
        organisation_id,
        scope,
    })
}

/// Revokes an API token by its id; it never authenticates again. A system act: its audit line
/// has no region.
pub async fn revoke_api_token(
    db: &Db,
    token_id: &str,
    actor: &str,
    now_ms: i64,
) -> Result<(), StoreError> {
    let sql = "UPDATE api_tokens SET revoked = TRUE, revoked_ms = $2 WHERE token_id = $1 AND revoked = FALSE";
    let done = on_db!(db, p => sqlx::query(sql)
        .bind(token_id)
        .bind(now_ms)
        .execute(p)
        .await?
        .rows_affected());
    if done == 0 {
        return Err(StoreError::NotFound("有效的 API 令牌"));
    }
    audit(
        db,
        now_ms,
        actor,
        None,
        TOKEN_REVOKE,
        Some(&format!("api_token:{token_id}")),
        None,
    )
    .await?;
    Ok(())
}

/// The audit line of an account's own act that ended sessions (a password change, signing out
/// everywhere): by and about the account, placed where it acts, with how many ended.
async fn audit_sessions_ended(
    db: &Db,
    acc: &Account,
    action: &str,
    ended: u64,
    now_ms: i64,
) -> Result<(), StoreError> {
    let subject = format!("account:{}", acc.id);
    let region = account_region(db, acc, now_ms).await?;
    audit(
        db,
        now_ms,
        &subject,
        region,
        action,
        Some(&subject),
        Some(&format!("sessions_ended:{ended}")),
    )
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_and_is_canonical() {
        let bytes: [u8; 32] = std::array::from_fn(|i| u8::try_from(i * 7 % 256).unwrap_or(0));
        let text = b64url(&bytes);
        assert_eq!(text.len(), 43);
        assert_eq!(unb64url::<32>(&text), Some(bytes));
        assert_eq!(b64url(b"\xfb\xff"), "-_8");
        assert!(unb64url::<32>(&format!("{text}A")).is_none());
        assert!(unb64url::<32>("not*base64").is_none());
    }

    #[test]
    fn initial_passwords_are_unambiguous_and_pass_the_rules() {
        for _ in 0..50 {
            let pw = generate_initial_password().unwrap_or_default();
            assert_eq!(pw.chars().count(), INITIAL_PASSWORD_CHARS);
            assert!(pw.bytes().all(|b| UNAMBIGUOUS.contains(&b)));
            assert!(check_password(&pw, None).is_ok());
        }
    }

    #[test]
    fn beijing_time_is_utc_plus_eight() {
        assert_eq!(beijing_time(0), "1970-01-01 08:00");
        assert_eq!(
            beijing_time(16 * HOUR_MS + 30 * MINUTE_MS),
            "1970-01-02 00:30"
        );
    }
}
