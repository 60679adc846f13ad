//! The official acts on a person's hours after registration: the industry authority's review
//! stamp or rejection of a year page (D12), and the HR bureau's verification of a tenure cycle
//! for a title application, online or recorded afterwards from paper (D13, D14, D17). Each is a
//! signed ledger act, append-only; a later act for the same subject supersedes an earlier one
//! (nothing is updated), and each is also written to the audit trail (D18) in the same
//! transaction.
//!
//! The store does not decide compliance: the caller evaluates the engine and passes the SHA-256
//! of the decision JSON bytes it relied on ([`decision_hash`]); refusing a stamp the engine does
//! not support (D14) is the application's job. Nor does the store route applicants to the right
//! bureau (D13): it checks only that the verifier is a bureau and the reviewer an authority.

use std::ops::RangeInclusive;

use sha2::{Digest, Sha256};
use xueshi_policy::input::TitleLevel;

use crate::db::{Db, DbDate};
use crate::entries::{EntryKind, ReviewActRow, ReviewReason, VerificationActRow};
use crate::error::StoreError;
use crate::ledger::{Act, Inclusion, LedgerSigner};
use crate::organisations::{OrgKind, kind_of};
use crate::{audit_in_tx, in_tx, on_db, resume_batch, write_batch};

/// The SHA-256 of the engine decision JSON bytes a verification relied on.
pub fn decision_hash(decision_json: &[u8]) -> [u8; 32] {
    Sha256::digest(decision_json).into()
}

/// A review of a person's year page (D12).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Review<'a> {
    pub person_id: i64,
    pub year: i32,
    /// The industry authority (an organisation of kind `industry_authority`).
    pub authority_id: i64,
    pub approved: bool,
    /// Empty for a stamp; at least one for a rejection.
    pub reasons: &'a [ReviewReason],
}

/// Stamps or rejects a person's year page: a signed ledger act. Returns the act's id and
/// where it sits in the log.
pub async fn review(
    db: &Db,
    signer: &LedgerSigner,
    review: &Review<'_>,
    act: Act<'_>,
) -> Result<(i64, Inclusion), StoreError> {
    let Act {
        actor,
        region,
        on: decided_on,
        now_ms,
    } = act;
    if actor.trim().is_empty() {
        return Err(StoreError::invalid("review.actor", "审核须写明审核人"));
    }
    if !review.approved && review.reasons.is_empty() {
        return Err(StoreError::invalid("review.reasons", "退回须逐条说明理由"));
    }
    if review
        .reasons
        .iter()
        .any(|r| r.record.trim().is_empty() || r.reason.trim().is_empty())
    {
        return Err(StoreError::invalid(
            "review.reasons",
            "每条退回理由须写明登记项目和理由",
        ));
    }
    if kind_of(db, review.authority_id).await? != OrgKind::IndustryAuthority {
        return Err(StoreError::invalid(
            "review.authority",
            "只有行业主管部门可以审核盖章",
        ));
    }
    crate::people::person(db, review.person_id).await?;
    let reasons = ReviewReason::to_json(review.reasons);
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO review_acts (person_id, year, authority_id, actor, decided_on, approved, reasons, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(review.person_id)
        .bind(i64::from(review.year))
        .bind(review.authority_id)
        .bind(actor)
        .bind(DbDate(decided_on))
        .bind(review.approved)
        .bind(&reasons)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = ReviewActRow {
            id,
            person_id: review.person_id,
            year: review.year,
            authority_id: review.authority_id,
            actor: actor.to_owned(),
            decided_on,
            approved: review.approved,
            reasons: reasons.clone(),
            entry_index,
        };
        appender.push(EntryKind::ReviewAct, id, Some(review.person_id), &row.canonical())?;
        audit_in_tx!(tx, now_ms, actor, region, EntryKind::ReviewAct.as_str(),
            format!("person:{}/year:{}", review.person_id, review.year), entry_index)?;
        write_batch!(tx, &appender, signer)?;
        let inclusion = appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))?;
        Ok((id, inclusion))
    })
}

/// A review act as stored, its reasons parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewAct {
    pub row: ReviewActRow,
    pub reasons: Vec<ReviewReason>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawReviewAct {
    id: i64,
    person_id: i64,
    year: i64,
    authority_id: i64,
    actor: String,
    decided_on: DbDate,
    approved: bool,
    reasons: String,
    entry_index: i64,
}

pub(crate) const REVIEW_ACT_SQL: &str = "SELECT id, person_id, year, authority_id, actor, decided_on, approved, reasons, entry_index FROM review_acts";

impl From<RawReviewAct> for ReviewActRow {
    fn from(r: RawReviewAct) -> Self {
        ReviewActRow {
            id: r.id,
            person_id: r.person_id,
            year: i32::try_from(r.year).unwrap_or(i32::MIN),
            authority_id: r.authority_id,
            actor: r.actor,
            decided_on: r.decided_on.0,
            approved: r.approved,
            reasons: r.reasons,
            entry_index: r.entry_index,
        }
    }
}

/// Every review act on a person's year page, oldest first (the last one is in force).
pub async fn review_history(
    db: &Db,
    person_id: i64,
    year: i32,
) -> Result<Vec<ReviewAct>, StoreError> {
    let sql = format!("{REVIEW_ACT_SQL} WHERE person_id = $1 AND year = $2 ORDER BY entry_index");
    let raws: Vec<RawReviewAct> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .bind(i64::from(year))
        .fetch_all(p)
        .await?);
    raws.into_iter()
        .map(|raw| {
            let row = ReviewActRow::from(raw);
            let reasons = ReviewReason::from_json(&row.reasons)?;
            Ok(ReviewAct { row, reasons })
        })
        .collect()
}

/// A review act with whom it concerns (name and masked ID number), as an authority's
/// history lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorityReview {
    pub act: ReviewAct,
    pub person_name: String,
    pub id_masked: String,
}

/// The review acts of one industry authority (any of its officials), newest first.
pub async fn authority_reviews(
    db: &Db,
    authority_id: i64,
    limit: i64,
) -> Result<Vec<AuthorityReview>, StoreError> {
    #[derive(sqlx::FromRow)]
    struct Raw {
        #[sqlx(flatten)]
        act: RawReviewAct,
        person_name: String,
        id_masked: String,
    }
    let sql = "SELECT r.id, r.person_id, r.year, r.authority_id, r.actor, r.decided_on,
                      r.approved, r.reasons, r.entry_index, p.name AS person_name, p.id_masked
               FROM review_acts r JOIN persons p ON p.id = r.person_id
               WHERE r.authority_id = $1 ORDER BY r.entry_index DESC LIMIT $2";
    let raws: Vec<Raw> = on_db!(db, p => sqlx::query_as(sql)
        .bind(authority_id)
        .bind(limit)
        .fetch_all(p)
        .await?);
    raws.into_iter()
        .map(|raw| {
            let row = ReviewActRow::from(raw.act);
            let reasons = ReviewReason::from_json(&row.reasons)?;
            Ok(AuthorityReview {
                act: ReviewAct { row, reasons },
                person_name: raw.person_name,
                id_masked: raw.id_masked,
            })
        })
        .collect()
}

/// The review act in force for a person's year page: the latest, if any.
pub async fn current_review(
    db: &Db,
    person_id: i64,
    year: i32,
) -> Result<Option<ReviewAct>, StoreError> {
    Ok(review_history(db, person_id, year).await?.pop())
}

/// Who verified: a bureau in the registry, or (for offline acts recorded afterwards, whose
/// bureau may predate the registry) the region or zone as written on the paper.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verifier<'a> {
    Organisation(i64),
    Place(&'a str),
}

/// How the verification was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode<'a> {
    /// In the system, relying on the engine decision with this SHA-256 ([`decision_hash`]).
    Online { decision_hash: [u8; 32] },
    /// On paper before the system existed (D17), recorded afterwards: which page and stamp,
    /// and the decision hash if the hours were re-evaluated when recording.
    Offline {
        paper_ref: &'a str,
        decision_hash: Option<[u8; 32]>,
    },
}

/// A verification of a person's hours over a tenure cycle for a title application (D13, D14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification<'a> {
    pub person_id: i64,
    pub level: TitleLevel,
    pub cycle: RangeInclusive<i32>,
    pub verifier: Verifier<'a>,
    pub mode: Mode<'a>,
    /// The stamp given (核验章) or refused.
    pub approved: bool,
}

/// Records a verification act: a signed ledger act. Returns the act's id and where it sits in
/// the log. The caller has already refused a stamp the engine does not support (D14).
pub async fn record_verification(
    db: &Db,
    signer: &LedgerSigner,
    v: &Verification<'_>,
    act: Act<'_>,
) -> Result<(i64, Inclusion), StoreError> {
    record_verification_with(db, signer, v, act, &[]).await
}

/// [`record_verification`] with further audit lines about the act (a refusal's reason),
/// written in the act's transaction after its own line.
pub async fn record_verification_with(
    db: &Db,
    signer: &LedgerSigner,
    v: &Verification<'_>,
    act: Act<'_>,
    lines: &[crate::audit::Line],
) -> Result<(i64, Inclusion), StoreError> {
    let Act {
        actor,
        region,
        on: decided_on,
        now_ms,
    } = act;
    if actor.trim().is_empty() {
        return Err(StoreError::invalid(
            "verification.actor",
            "核验须写明核验人",
        ));
    }
    if v.cycle.is_empty() {
        return Err(StoreError::invalid(
            "verification.cycle",
            "任职周期首年晚于末年",
        ));
    }
    let (verifier_id, verifier_place) = match v.verifier {
        Verifier::Organisation(id) => {
            let kind = kind_of(db, id).await?;
            // State-owned units verify their own staff online (235号 五(二)).
            if !(kind.is_bureau() || kind == OrgKind::StateOwnedUnit) {
                return Err(StoreError::invalid(
                    "verification.verifier",
                    "只有人社部门（市、县人社局或开发区中心）和国有企事业单位可以核验学时",
                ));
            }
            (Some(id), None)
        }
        Verifier::Place(place) if place.trim().is_empty() => {
            return Err(StoreError::invalid(
                "verification.verifier",
                "须写明核验机构",
            ));
        }
        Verifier::Place(place) => (None, Some(place.to_owned())),
    };
    let (online, decision_hash, paper_ref) = match v.mode {
        Mode::Online { decision_hash } => (true, Some(decision_hash), None),
        Mode::Offline { paper_ref, .. } if paper_ref.trim().is_empty() => {
            return Err(StoreError::invalid(
                "verification.paper_ref",
                "线下核验须写明纸质登记证书的页码或核验章",
            ));
        }
        Mode::Offline {
            paper_ref,
            decision_hash,
        } => (false, decision_hash, Some(paper_ref.to_owned())),
    };
    crate::people::person(db, v.person_id).await?;
    let (first_year, last_year) = (*v.cycle.start(), *v.cycle.end());
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO verification_acts (person_id, level, first_year, last_year, verifier_id, verifier_place,
               actor, decided_on, online, approved, decision_hash, paper_ref, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(v.person_id)
        .bind(v.level.as_str())
        .bind(i64::from(first_year))
        .bind(i64::from(last_year))
        .bind(verifier_id)
        .bind(verifier_place.as_deref())
        .bind(actor)
        .bind(DbDate(decided_on))
        .bind(online)
        .bind(v.approved)
        .bind(decision_hash.map(|h| h.to_vec()))
        .bind(paper_ref.as_deref())
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = VerificationActRow {
            id,
            person_id: v.person_id,
            level: v.level.as_str().to_owned(),
            first_year,
            last_year,
            verifier_id,
            verifier_place: verifier_place.clone(),
            actor: actor.to_owned(),
            decided_on,
            online,
            approved: v.approved,
            decision_hash,
            paper_ref: paper_ref.clone(),
            entry_index,
        };
        appender.push(EntryKind::VerificationAct, id, Some(v.person_id), &row.canonical())?;
        audit_in_tx!(tx, now_ms, actor, region, EntryKind::VerificationAct.as_str(),
            format!("person:{}/{}:{first_year}-{last_year}", v.person_id, v.level.as_str()), entry_index)?;
        for line in lines {
            crate::line_in_tx!(tx, line)?;
        }
        write_batch!(tx, &appender, signer)?;
        let inclusion = appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))?;
        Ok((id, inclusion))
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawVerificationAct {
    id: i64,
    person_id: i64,
    level: String,
    first_year: i64,
    last_year: i64,
    verifier_id: Option<i64>,
    verifier_place: Option<String>,
    actor: String,
    decided_on: DbDate,
    online: bool,
    approved: bool,
    decision_hash: Option<Vec<u8>>,
    paper_ref: Option<String>,
    entry_index: i64,
}

pub(crate) const VERIFICATION_ACT_SQL: &str = "SELECT id, person_id, level, first_year, last_year, verifier_id, verifier_place,
    actor, decided_on, online, approved, decision_hash, paper_ref, entry_index FROM verification_acts";

impl From<RawVerificationAct> for VerificationActRow {
    fn from(r: RawVerificationAct) -> Self {
        VerificationActRow {
            id: r.id,
            person_id: r.person_id,
            level: r.level,
            first_year: i32::try_from(r.first_year).unwrap_or(i32::MIN),
            last_year: i32::try_from(r.last_year).unwrap_or(i32::MIN),
            verifier_id: r.verifier_id,
            verifier_place: r.verifier_place,
            actor: r.actor,
            decided_on: r.decided_on.0,
            online: r.online,
            approved: r.approved,
            // A hash of the wrong length cannot be stored (CHECK); were it forced in, the row
            // would no longer hash to its leaf and `ledger verify` names it.
            decision_hash: r.decision_hash.and_then(|h| <[u8; 32]>::try_from(h).ok()),
            paper_ref: r.paper_ref,
            entry_index: r.entry_index,
        }
    }
}

/// Every verification act on a person, oldest first (for a cycle and level, the last one is in
/// force).
pub async fn verifications(db: &Db, person_id: i64) -> Result<Vec<VerificationActRow>, StoreError> {
    let sql = format!("{VERIFICATION_ACT_SQL} WHERE person_id = $1 ORDER BY entry_index");
    let raws: Vec<RawVerificationAct> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id)
        .fetch_all(p)
        .await?);
    Ok(raws.into_iter().map(VerificationActRow::from).collect())
}
