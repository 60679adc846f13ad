//! The audit trail (D18, D19): supervisors read and filter every official act and every
//! disclosure of unmasked personal data within their region; an authorised official may reveal a person's ID
//! number, and that disclosure is itself written to the trail before it happens.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Scope, Target};
use xueshi_policy::input::Place;
use xueshi_store::audit::{self, AuditFilter};

use crate::access::{self, allow, person_target, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;

/// Filters on the trail; every given one must match.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The actor text exactly as recorded.
    pub actor: Option<String>,
    /// A part of the actor's name as people read it: its agency's or unit's name, the
    /// official's name or the login (e.g. `霍邱`).
    pub actor_name: Option<String>,
    /// e.g. `review.act`, `verification.act`, `person.reveal`, `account.login`.
    pub action: Option<String>,
    /// From (inclusive), Unix ms.
    pub since_ms: Option<i64>,
    /// Until (exclusive), Unix ms.
    pub until_ms: Option<i64>,
    /// At most this many lines (default 500, at most 10000).
    pub limit: Option<u32>,
    /// Skip this many matching lines first (for paging; default 0).
    pub offset: Option<u32>,
    /// Newest first instead of oldest first.
    pub newest_first: Option<bool>,
}

/// One line of the trail.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditLine {
    pub id: i64,
    pub at_ms: i64,
    /// Beijing time, `YYYY-MM-DD HH:MM`.
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: Option<String>,
    /// The ledger entry of the act, when it is one.
    pub entry_index: Option<i64>,
}

/// Reads the audit trail, oldest first unless asked newest first, a page at a time
/// (supervisors).
#[utoipa::path(get, path = "/api/audit", tag = "audit", params(AuditQuery),
    responses(
        (status = 200, description = "审计记录", body = [AuditLine]),
        (status = 403, description = "只有监督机关查阅（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn trail(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> Result<Json<Vec<AuditLine>>, ApiError> {
    // Each line carries the region where its act happened: a supervisor reads the lines
    // within its own region (a provincial one also reads the system's lines, which have none).
    let Scope::Supervisor { region } = acting.principal.scope() else {
        return Err(ApiError::forbidden("auth.role", "只有监督机关查阅审计记录"));
    };
    allow(
        &state,
        &acting.principal,
        Action::ReadAudit,
        &Target::Area(Place::Region(*region)),
    )?;
    let name = q.actor_name.as_deref();
    if name.is_some_and(|n| n.chars().count() > 100) {
        return Err(ApiError::bad_request(
            "request.actor_name",
            "操作人名称（actor_name）不超过 100 个字",
        ));
    }
    let rows = audit::audit_page_named(
        &state.db,
        *region,
        &AuditFilter {
            actor: q.actor.as_deref(),
            action: q.action.as_deref(),
            since_ms: q.since_ms,
            until_ms: q.until_ms,
        },
        name,
        q.offset.unwrap_or(0),
        q.limit.unwrap_or(500),
        q.newest_first.unwrap_or(false),
    )
    .await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| AuditLine {
                id: r.id,
                at_ms: r.at_ms,
                at: xueshi_store::accounts::beijing_time(r.at_ms),
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                detail: r.detail,
                entry_index: r.entry_index,
            })
            .collect(),
    ))
}

/// A person's unmasked ID number.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Revealed {
    pub id_number: String,
}

/// Reveals a person's ID number to an authorised official (audited before it is shown).
#[utoipa::path(get, path = "/api/persons/{person_id}/id-number", tag = "audit",
    params(("person_id" = i64, Path)),
    responses(
        (status = 200, description = "身份证号（已记入审计）", body = Revealed),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Revealed>, ApiError> {
    let (target, _) = person_target(&state, person_id, today(&state)?).await?;
    allow(
        &state,
        &acting.principal,
        Action::RevealPersonalData,
        &target,
    )?;
    let id_number = audit::reveal_id_number_audited(
        &state.db,
        &state.keys,
        person_id,
        &access::actor(&acting),
        acting.region,
        state.now_ms(),
    )
    .await?;
    Ok(Json(Revealed { id_number }))
}
