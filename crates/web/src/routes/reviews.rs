//! Review of year pages (D12): a professional or their unit submits a person's year page; the
//! industry authority of the unit's industry and region lists what waits in its scope, and
//! stamps (审核盖章) or rejects with a reason per record — a signed ledger act. A page is
//! reviewed only when submitted and not yet answered; a rejected page can be corrected and
//! submitted again.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Scope};
use xueshi_store::acts::{self, Review};
use xueshi_store::entries::ReviewReason;
use xueshi_store::requests::{self, Subject};

use crate::access::{self, Receipt, allow, person_in, person_target, year_end};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::state::AppState;

/// A submission's id.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Submitted {
    pub submission_id: i64,
}

/// Submits a person's year page to their unit's industry authority for review.
#[utoipa::path(post, path = "/api/persons/{person_id}/years/{year}/submit", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    responses(
        (status = 201, description = "已提交审核", body = Submitted),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度已提交、尚待审核（review.pending）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<(StatusCode, Json<Submitted>), ApiError> {
    let (target, unit) = person_target(&state, person_id, year_end(year)?).await?;
    allow(&state, &acting.principal, Action::SubmitYearPage, &target)?;
    let submission_id = requests::submit_year_page(
        &state.db,
        person_id,
        year,
        unit.unit_id,
        &access::line(&state, &acting, "year_page.submit"),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Submitted { submission_id })))
}

/// Whom a queue item concerns (the person masked).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SubjectView {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub region: String,
    pub zone: Option<String>,
    pub industry: String,
}

impl From<Subject> for SubjectView {
    fn from(s: Subject) -> Self {
        Self {
            person_id: s.person_id,
            name: s.person_name,
            id_masked: s.id_masked,
            unit_id: s.unit_id,
            unit_name: s.unit_name,
            region: s.region.to_string(),
            zone: s.zone,
            industry: s.industry,
        }
    }
}

/// A year page waiting for review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PendingPageView {
    pub submission_id: i64,
    pub year: i32,
    pub submitted_by: String,
    pub submitted_ms: i64,
    pub subject: SubjectView,
}

/// How many items a queue shows at most.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    /// At most this many (1–500, default 100).
    pub limit: Option<i64>,
}

impl QueueQuery {
    pub fn limit(self) -> i64 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
}

/// The year pages waiting for the calling industry authority's review, oldest first.
#[utoipa::path(get, path = "/api/reviews/pending", tag = "reviews", params(QueueQuery),
    responses(
        (status = 200, description = "待审核的年度登记", body = [PendingPageView]),
        (status = 403, description = "只有行业主管部门审核（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn pending(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<PendingPageView>>, ApiError> {
    let Scope::IndustryAuthority { industry, region } = acting.principal.scope() else {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有行业主管部门审核年度登记",
        ));
    };
    let pages = requests::pending_year_pages(&state.db, *region, industry, q.limit()).await?;
    let mut out = Vec::with_capacity(pages.len());
    for page in pages {
        let unit = xueshi_store::people::UnitPlace {
            unit_id: page.subject.unit_id,
            region: page.subject.region,
            zone: page.subject.zone.clone(),
            industry: page.subject.industry.clone(),
        };
        let target = person_in(page.subject.person_id, &unit);
        if allow(&state, &acting.principal, Action::ReviewYearPage, &target).is_ok() {
            out.push(PendingPageView {
                submission_id: page.submission_id,
                year: page.year,
                submitted_by: page.submitted_by,
                submitted_ms: page.submitted_ms,
                subject: page.subject.into(),
            });
        }
    }
    Ok(Json(out))
}

/// A reason for rejecting one record of the page.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    /// The record's label.
    pub record: String,
    pub reason: String,
}

/// A stamp, or a rejection with reasons.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    pub approved: bool,
    /// At least one for a rejection; none for a stamp.
    #[serde(default)]
    pub reasons: Vec<ReasonBody>,
}

/// The act given.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActDone {
    pub act_id: i64,
    pub receipt: Receipt,
}

impl ActDone {
    pub fn new(act_id: i64, inclusion: &xueshi_store::ledger::Inclusion) -> Self {
        Self {
            act_id,
            receipt: Receipt::from(inclusion),
        }
    }
}

/// Stamps (审核盖章) or rejects a submitted year page: a signed ledger act by the calling
/// official of the industry authority.
#[utoipa::path(post, path = "/api/persons/{person_id}/years/{year}/review", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    request_body = ReviewBody,
    responses(
        (status = 201, description = "已审核", body = ActDone),
        (status = 400, description = "退回须逐条说明理由（review.reasons）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度登记未提交审核（review.not_submitted）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn review(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
    ApiJson(body): ApiJson<ReviewBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let (target, _) = person_target(&state, person_id, year_end(year)?).await?;
    allow(&state, &acting.principal, Action::ReviewYearPage, &target)?;
    if !requests::year_page_pending(&state.db, person_id, year).await? {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "review.not_submitted",
            "该年度登记尚未提交审核，或已审核",
        ));
    }
    let authority_id = access::organisation(&acting)?;
    let reasons: Vec<ReviewReason> = body
        .reasons
        .iter()
        .map(|r| ReviewReason {
            record: r.record.clone(),
            reason: r.reason.clone(),
        })
        .collect();
    if body.approved && !reasons.is_empty() {
        return Err(ApiError::bad_request(
            "review.reasons",
            "盖章时不填写退回理由",
        ));
    }
    let actor = access::actor(&acting);
    let (act_id, inclusion) = acts::review(
        &state.db,
        &state.signer,
        &Review {
            person_id,
            year,
            authority_id,
            approved: body.approved,
            reasons: &reasons,
        },
        access::act(&state, &actor, &acting)?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ActDone::new(act_id, &inclusion))))
}

/// A review act as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub act_id: i64,
    pub approved: bool,
    pub actor: String,
    pub decided_on: String,
    pub reasons: Vec<ReasonBody>,
    pub entry_index: i64,
}

/// The review acts on a person's year page, oldest first (the last is in force), and whether
/// the page waits for review.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReviewHistory {
    pub pending: bool,
    pub acts: Vec<ReviewView>,
}

/// A year page's review history.
#[utoipa::path(get, path = "/api/persons/{person_id}/years/{year}/reviews", tag = "reviews",
    params(("person_id" = i64, Path), ("year" = i32, Path)),
    responses(
        (status = 200, description = "审核记录", body = ReviewHistory),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn history(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, year)): ApiPath<(i64, i32)>,
) -> Result<Json<ReviewHistory>, ApiError> {
    let (target, _) = person_target(&state, person_id, year_end(year)?).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let acts = acts::review_history(&state.db, person_id, year)
        .await?
        .into_iter()
        .map(review_view)
        .collect();
    Ok(Json(ReviewHistory {
        pending: requests::year_page_pending(&state.db, person_id, year).await?,
        acts,
    }))
}

/// A review act of the calling authority, with whom it concerns.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct DoneReviewView {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    pub year: i32,
    #[serde(flatten)]
    pub act: ReviewView,
}

/// The review acts of the calling official's industry authority (by any of its officials),
/// newest first: what it stamped and rejected.
#[utoipa::path(get, path = "/api/reviews/done", tag = "reviews", params(QueueQuery),
    responses(
        (status = 200, description = "本部门已审核的年度登记（最新在前）", body = [DoneReviewView]),
        (status = 403, description = "只有行业主管部门（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn done(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<DoneReviewView>>, ApiError> {
    if !matches!(acting.principal.scope(), Scope::IndustryAuthority { .. }) {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有行业主管部门查看审核记录",
        ));
    }
    let authority_id = access::organisation(&acting)?;
    let acts = acts::authority_reviews(&state.db, authority_id, q.limit()).await?;
    Ok(Json(
        acts.into_iter()
            .map(|a| DoneReviewView {
                person_id: a.act.row.person_id,
                name: a.person_name,
                id_masked: a.id_masked,
                year: a.act.row.year,
                act: review_view(a.act),
            })
            .collect(),
    ))
}

fn review_view(a: acts::ReviewAct) -> ReviewView {
    ReviewView {
        act_id: a.row.id,
        approved: a.row.approved,
        actor: a.row.actor,
        decided_on: a.row.decided_on.to_string(),
        reasons: a
            .reasons
            .into_iter()
            .map(|r| ReasonBody {
                record: r.record,
                reason: r.reason,
            })
            .collect(),
        entry_index: a.row.entry_index,
    }
}
