//! Asking before registering (issue 13, "records that cannot count are accepted silently"):
//! the engine judges the person's year as it would be with the new record, and says whether
//! that record would count, how much, and if not, by which rule and on what authority — in
//! Chinese for the form, with the rule id for programs. Nothing is written; the use case that
//! asks is [`crate::records::check`], beside registering.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_policy::Options;
use xueshi_policy::decision::Decision;
use xueshi_store::export;
use xueshi_store::records::NewRecord;

use crate::ctx::Ctx;
use crate::error::{Error, Result};

/// What the engine would make of a record not yet registered.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordCheck {
    /// The record would be credited with some hours.
    pub counts: bool,
    /// Worth a word before saving: not credited, or credited less than claimed.
    pub warn: bool,
    /// The year it would count for.
    pub year: i32,
    /// Hours claimed and hours the engine would credit (exact tenths as text).
    pub claimed: String,
    pub credited: String,
    /// The rule that would exclude it, or that would credit less (programs).
    pub rule: Option<String>,
    /// The rule's citation in that year's policy.
    pub cite: Option<String>,
    /// For people: what would happen and why.
    pub message: String,
}

/// Judges `new` as the engine would once registered. The caller has authorized it as
/// registering it ([`crate::records::check`]).
pub(crate) async fn judge(ctx: &Ctx, new: &NewRecord) -> Result<RecordCheck> {
    let policy = ctx.policy.as_ref();
    let year = new
        .record
        .for_year
        .unwrap_or_else(|| new.record.completed.year());
    let yp = policy.year(year).ok_or_else(|| {
        Error::invalid("record.year", format!("{year} 年度没有学时政策，不能登记"))
    })?;
    let case = export::person_year_case_with(&ctx.db, policy, new.person_id, year, new).await?;
    let eval = case.evaluate(policy, Options::default())?;
    let Decision::Annual(d) = &eval.decision else {
        return Err(Error::internal("engine", "not an annual decision"));
    };
    let outcome = case
        .records
        .iter()
        .zip(&d.records)
        .find(|(r, _)| r.id == new.record.id)
        .map(|(_, o)| o)
        .ok_or_else(|| Error::internal("engine", "the new record is not in its year's case"))?;
    let credited = outcome.credited;
    let rule = outcome.rejected.or(outcome.limited_by);
    let cite = rule.and_then(|r| yp.citation(r)).map(ToString::to_string);
    let why = |r: xueshi_policy::rule::RuleId| match &cite {
        Some(c) => format!("{}（依据 {c}）", r.zh()),
        None => r.zh().to_owned(),
    };
    let message = match (outcome.rejected, outcome.limited_by) {
        (Some(r), _) => format!("这条记录按规定不予认定：{}。", why(r)),
        (None, Some(r)) => format!(
            "这条记录申报 {} 学时，只能认定 {credited} 学时：受{}限制。",
            outcome.claimed,
            why(r)
        ),
        (None, None) if outcome.credit_year != year => format!(
            "这条记录将计入 {} 年度，认定 {credited} 学时。",
            outcome.credit_year
        ),
        (None, None) => format!("这条记录可认定 {credited} 学时。"),
    };
    Ok(RecordCheck {
        counts: credited > xueshi_domain::Hours::ZERO,
        warn: outcome.rejected.is_some() || outcome.limited_by.is_some(),
        year: outcome.credit_year,
        claimed: outcome.claimed.to_string(),
        credited: credited.to_string(),
        rule: rule.map(|r| r.as_str().to_owned()),
        cite,
        message,
    })
}
