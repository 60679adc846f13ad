//! The four provincial bases report their exam certificates (D6) with their API token, in
//! batches: a CSV (UTF-8) or XLSX report in the columns of `xueshi import certificates`. Each
//! row is checked against the person's ID number and registered name, and must be the calling
//! base's own; good rows are registered (idempotent by certificate number: a row already held is
//! reported as present, not written twice) and bad rows are rejected one by one with reasons.
//! A base's official signed in on the page sends the same report with the session instead.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;
use xueshi_app::{Action, Scope, Target};
use xueshi_store::import::{self, Format, ImportMode, ImportOptions};

use crate::access::{allow, today};
use crate::auth::Agent;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiBytes;
use crate::state::AppState;

/// The largest report taken in one request (about 500,000 rows of CSV); larger reports are
/// sent in several batches.
pub const MAX_REPORT_BYTES: usize = 64 * 1024 * 1024;

pub use xueshi_app::upload::RowProblem;

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

/// Reports a batch of exam certificates (the calling base's API token, or a signed-in
/// account of the base).
#[utoipa::path(post, path = "/api/base/certificates", tag = "bases",
    request_body(description = "证书报送表（CSV UTF-8 或 XLSX），列同 `xueshi import certificates`",
        content((String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "逐行结果：写入、已存在、退回及理由", body = ReportResult),
        (status = 403, description = "只有国家级继续教育基地报送（auth.role）", body = ErrorBody),
        (status = 413, description = "文件、解压后的部件、共享字符串或行数超过上限（request.too_large、import.limit.*）", body = ErrorBody),
        (status = 415, description = "只接受 text/csv 或 XLSX", body = ErrorBody),
        (status = 422, description = "压缩比、伪造的部件大小、部件数或列数超过上限（import.limit.*）", body = ErrorBody),
        (status = 400, description = "无法读取请求体（request.body），或文件本身无法解析（import.*）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    agent: Agent,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<MAX_REPORT_BYTES>,
) -> Result<Json<ReportResult>, ApiError> {
    let Scope::Base { number } = agent.principal.scope() else {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有国家级继续教育基地报送合格证书",
        ));
    };
    let number = *number;
    allow(
        &state,
        &agent.principal,
        Action::ReportBaseCertificates,
        &Target::BaseReport { base: number },
    )?;
    let media = crate::access::media_type(&headers);
    // A browser names a chosen file's type by its extension and the desktop's settings (a
    // .csv is often application/vnd.ms-excel on Windows): for those vaguer types, a ZIP
    // signature (every XLSX) decides.
    let zip = body.starts_with(b"PK\x03\x04");
    let (format, ext) = match media.as_str() {
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
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.content_type",
                "报送表须为 CSV（text/csv）或 XLSX",
            ));
        }
    };
    let upload = xueshi_app::upload::save(&body, ext)?;
    let mut opts = ImportOptions::new(agent.actor.clone(), today(&state)?, state.now_ms());
    opts.mode = ImportMode::KeepGood;
    opts.format = Some(format);
    opts.only_base = Some(number);
    let report = import::import_certificates(
        &state.db,
        &state.keys,
        &state.signer,
        &state.policy,
        &upload.0,
        &opts,
        &mut |_| {},
    )
    .await?;
    Ok(Json(ReportResult {
        total_rows: report.total_rows,
        written: report.written,
        already_present: report.already_present,
        rejected_rows: report.rejected_set.len(),
        problems: report.problems,
        rejected: report.rejected.into_iter().map(RowProblem::from).collect(),
    }))
}
