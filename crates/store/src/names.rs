//! Names for people to read: who an act's `actor` text was (an agency and an official, not a
//! login or `unit:…` code), whose a `person:…` subject is, and what a verification answer
//! said. The acts keep their actor text as written (the ledger covers it); pages resolve it
//! here when they show it.
//!
//! Actor texts come in these shapes: `login（display name）` (an account acting through the
//! API, `access::actor`), `account:{id}` and `anonymous` (sign-in lines), `unit:{credit code}` (a unit's records import and the demo's
//! history), `bureau:{region code}` and `zone:{zone name}` (the demo's history), and the
//! system's own (`demo:seed`, `unit:admin`).

use xueshi_domain::RegionCode;

use crate::db::{Db, DbDate};
use crate::error::StoreError;
use crate::on_db;

/// Who did something, as people read it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActorName {
    /// The agency, organisation or unit acting (`霍邱县人力资源和社会保障局`).
    pub agency: Option<String>,
    /// The official or person acting, when the account names one other than its agency.
    pub official: Option<String>,
    /// The person, when a professional acted for themself.
    pub person_id: Option<i64>,
}

/// The login of an `login（display name）` actor text and its display name.
fn split_login(actor: &str) -> Option<(&str, &str)> {
    let (login, rest) = actor.split_once('（')?;
    let inner = rest.strip_suffix('）').unwrap_or(rest);
    (!login.is_empty()).then_some((login, inner))
}

/// Resolves an actor text (see the module's comment); an unknown shape with a `:` is the
/// system's, anything else is shown as written.
pub async fn actor_name(db: &Db, actor: &str) -> Result<ActorName, StoreError> {
    let actor = actor.trim();
    if let Some((login, display)) = split_login(actor) {
        let Some(account) = crate::accounts::account_by_login(db, login).await? else {
            return Ok(ActorName {
                official: Some(display.to_owned()),
                ..ActorName::default()
            });
        };
        return account_name(db, &account, display).await;
    }
    // Sign-in lines name the account by id (`account:7`), or nobody (`anonymous`).
    if let Some(id) = actor.strip_prefix("account:").and_then(|i| i.parse().ok()) {
        return match crate::accounts::account(db, id).await {
            Ok(account) => {
                let display = account.display_name.clone();
                account_name(db, &account, &display).await
            }
            Err(StoreError::NotFound(_)) => Ok(ActorName {
                agency: Some("已删除的账号".to_owned()),
                ..ActorName::default()
            }),
            Err(e) => Err(e),
        };
    }
    if actor == "anonymous" {
        return Ok(ActorName {
            official: Some("未知登录名".to_owned()),
            ..ActorName::default()
        });
    }
    // `bureau:341500 李核验`: the code, then the official's name if any.
    let (head, official) = match actor.split_once(char::is_whitespace) {
        Some((head, rest)) if head.contains(':') && !rest.trim().is_empty() => {
            (head, Some(rest.trim().to_owned()))
        }
        _ => (actor, None),
    };
    let agency = match head.split_once(':') {
        Some(("unit", code)) => Some(
            unit_by_credit_code(db, code)
                .await?
                .unwrap_or_else(|| "用人单位".to_owned()),
        ),
        Some(("bureau", region)) => Some(bureau_name(db, region).await?),
        Some(("zone", zone)) => Some(
            zone_centre_name(db, zone)
                .await?
                .unwrap_or_else(|| zone.to_owned()),
        ),
        Some(_) => Some("系统".to_owned()),
        None => None,
    };
    Ok(match agency {
        Some(agency) => ActorName {
            agency: Some(agency),
            official,
            person_id: None,
        },
        None => ActorName {
            official: Some(actor.to_owned()),
            ..ActorName::default()
        },
    })
}

/// The agency of an account (its organisation's or unit's name) and its display name when
/// that says more.
async fn account_name(
    db: &Db,
    account: &crate::accounts::Account,
    display: &str,
) -> Result<ActorName, StoreError> {
    let agency = match (account.organisation_id, account.unit_id) {
        (Some(org), _) => crate::organisations::organisation(db, org)
            .await?
            .map(|o| o.name),
        (None, Some(unit)) => crate::staff::unit_name(db, unit).await?,
        (None, None) => None,
    };
    // The display name is the account's; an official account is often named after its
    // agency, which then is said once.
    let official = (Some(display) != agency.as_deref() && account.person_id.is_none())
        .then(|| display.to_owned());
    Ok(ActorName {
        agency,
        official,
        person_id: account.person_id,
    })
}

/// A unit's name by its unified social credit code.
pub async fn unit_by_credit_code(db: &Db, code: &str) -> Result<Option<String>, StoreError> {
    let sql = "SELECT name FROM units WHERE credit_code = $1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(code).fetch_optional(p).await?))
}

/// The HR bureau of a region code (`341500`): the organisation registered there, else the
/// region's name with 人力资源和社会保障局.
async fn bureau_name(db: &Db, region: &str) -> Result<String, StoreError> {
    let Ok(code) = RegionCode::parse(region) else {
        return Ok("人力资源和社会保障部门".to_owned());
    };
    if let Some(org) = crate::organisations::bureau_at(db, code, None).await? {
        return Ok(org.name);
    }
    Ok(format!("{}人力资源和社会保障局", code.name().unwrap_or("")))
}

/// The zone centre of a development zone, by the zone's name.
async fn zone_centre_name(db: &Db, zone: &str) -> Result<Option<String>, StoreError> {
    let sql = "SELECT o.name FROM organisations o JOIN zones z ON z.id = o.zone_id
               WHERE z.name = $1 AND o.kind = 'zone_centre' ORDER BY o.id LIMIT 1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(zone).fetch_optional(p).await?))
}

/// A person's name (unmasked: the caller masks it where the reader may not see it).
pub async fn person_name(db: &Db, person_id: i64) -> Result<Option<String>, StoreError> {
    let sql = "SELECT name FROM persons WHERE id = $1";
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(person_id).fetch_optional(p).await?))
}

/// A verification answer as its applicant reads it: who answered, when, and a refusal's
/// reason (kept in the audit trail beside the act).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The verifying organisation, or the place written for a paper verification.
    pub verifier: Option<String>,
    pub actor: String,
    pub decided_on: String,
    pub approved: bool,
    pub reason: Option<String>,
}

/// Verifier organisation, paper place, actor, day, approved.
type AnswerRow = (Option<String>, Option<String>, String, DbDate, bool);

/// The answer (act `act_id`) to application `application_id` of `person_id`.
pub async fn verification_answer(
    db: &Db,
    act_id: i64,
    person_id: i64,
    application_id: i64,
) -> Result<Option<Answer>, StoreError> {
    let sql = "SELECT o.name, a.verifier_place, a.actor, a.decided_on, a.approved
               FROM verification_acts a LEFT JOIN organisations o ON o.id = a.verifier_id
               WHERE a.id = $1 AND a.person_id = $2";
    let row: Option<AnswerRow> = on_db!(db, p =>
        sqlx::query_as(sql).bind(act_id).bind(person_id).fetch_optional(p).await?);
    let Some((org, place, actor, decided_on, approved)) = row else {
        return Ok(None);
    };
    let reason = if approved {
        None
    } else {
        let sql = "SELECT detail FROM audit_log
                   WHERE action = 'verification.refusal_reason' AND subject = $1
                   ORDER BY at_ms DESC LIMIT 1";
        let subject = format!("person:{person_id}/application:{application_id}");
        let detail: Option<Option<String>> = on_db!(db, p =>
            sqlx::query_scalar(sql).bind(subject).fetch_optional(p).await?);
        detail.flatten()
    };
    Ok(Some(Answer {
        verifier: org.or(place),
        actor,
        decided_on: decided_on.0.to_string(),
        approved,
        reason,
    }))
}

/// Whether the act at ledger entry `entry_index` approved (stamped, agreed) or refused
/// (returned, refused), for the acts that answer so: `review.act`, `verification.act`,
/// `filing.decision`.
pub async fn act_approved(
    db: &Db,
    action: &str,
    entry_index: i64,
) -> Result<Option<bool>, StoreError> {
    let sql = match action {
        "review.act" => "SELECT approved FROM review_acts WHERE entry_index = $1",
        "verification.act" => "SELECT approved FROM verification_acts WHERE entry_index = $1",
        "filing.decision" => "SELECT approved FROM filing_decisions WHERE entry_index = $1",
        _ => return Ok(None),
    };
    Ok(on_db!(db, p => sqlx::query_scalar(sql).bind(entry_index).fetch_optional(p).await?))
}
