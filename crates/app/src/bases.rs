//! The four provincial bases report their exam certificates (D6), in one place: a batch, a CSV
//! (UTF-8) or XLSX report in the columns of `xueshi import certificates`, sent with the base's
//! API token or by its official signed in ([`report`]). Each row is checked against the
//! person's ID number and registered name, and must be the calling base's own; good rows are
//! registered (idempotent by certificate number: a row already held is reported as present,
//! not written twice) and bad rows are rejected one by one with reasons.

use serde::Serialize;
use utoipa::ToSchema;
use xueshi_store::Keys;
use xueshi_store::import::{self, Format, ImportMode, ImportOptions};

use crate::access::allow;
use crate::actor::Agent;
use crate::ctx::Ctx;
use crate::error::{Error, Kind, Result};
use crate::upload::{RowProblem, save};
use crate::{Action, Scope, Target};

/// What a report did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportResult {
    pub total_rows: usize,
    pub written: usize,
    /// Rows already held (same certificate, same content): nothing written.
    pub already_present: usize,
    /// Distinct rows with at least one problem.
    pub rejected_rows: usize,
    /// Every problem, counted.
    pub problems: usize,
    /// The first problems by row (at most 1,000: `problems` counts them all).
    pub rejected: Vec<RowProblem>,
}

/// The report's format by its media type: a browser names a chosen file's type by its
/// extension and the desktop's settings (a .csv is often application/vnd.ms-excel on Windows):
/// for those vaguer types, a ZIP signature (every XLSX) decides.
fn format_of(media: &str, body: &[u8]) -> Result<(Format, &'static str)> {
    let zip = body.starts_with(b"PK\x03\x04");
    Ok(match media {
        "text/csv" => (Format::Csv, "csv"),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            (Format::Xlsx, "xlsx")
        }
        "application/vnd.ms-excel"
        | "application/octet-stream"
        | "application/csv"
        | "text/plain" => {
            if zip {
                (Format::Xlsx, "xlsx")
            } else {
                (Format::Csv, "csv")
            }
        }
        _ => {
            return Err(Error::new(
                Kind::Unsupported,
                "request.content_type",
                "报送表须为 CSV（text/csv）或 XLSX",
            ));
        }
    })
}

/// Registers a base's report of exam certificates (`media_type`: CSV or XLSX), keeping the
/// good rows; `keys` open the person registry's ID numbers.
pub async fn report(
    ctx: &Ctx,
    keys: &Keys,
    agent: &Agent,
    media_type: &str,
    body: &[u8],
) -> Result<ReportResult> {
    let Scope::Base { number } = agent.principal.scope() else {
        return Err(Error::denied(
            "auth.role",
            "只有国家级继续教育基地报送合格证书",
        ));
    };
    let number = *number;
    allow(
        ctx,
        &agent.principal,
        Action::ReportBaseCertificates,
        &Target::BaseReport { base: number },
    )?;
    let (format, ext) = format_of(media_type, body)?;
    let upload = save(body, ext)?;
    let mut opts = ImportOptions::new(agent.actor.clone(), ctx.today()?, ctx.now_ms());
    opts.mode = ImportMode::KeepGood;
    opts.format = Some(format);
    opts.only_base = Some(number);
    let report = import::import_certificates(
        &ctx.db,
        keys,
        &ctx.signer,
        &ctx.policy,
        &upload.0,
        &opts,
        &mut |_| {},
    )
    .await?;
    Ok(ReportResult {
        total_rows: report.total_rows,
        written: report.written,
        already_present: report.already_present,
        rejected_rows: report.rejected_set.len(),
        problems: report.problems,
        rejected: report.rejected.into_iter().map(RowProblem::from).collect(),
    })
}
