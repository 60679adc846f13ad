//! The registers bureaus keep (D7, D8): training filings, which a provider submits and the
//! bureau of the trainees' place approves or refuses (a signed ledger act), and each city's
//! courseware-provider register with validity periods (在地市备案), kept by the city bureau.
//! Providers may use an API token instead of a session.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, OrgId, Scope, Target};
use xueshi_domain::{Date, RegionCode};
use xueshi_store::entries::ProviderRegistrationRow;
use xueshi_store::organisations;
use xueshi_store::registry::{self, Filing, NewFiling};

use crate::access::{self, Receipt, allow, place, today};
use crate::auth::{Acting, Agent};
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::reviews::QueueQuery;
use crate::state::AppState;

fn date(text: &str, code: &'static str) -> Result<Date, ApiError> {
    Date::parse(text).map_err(|_| ApiError::bad_request(code, "须为有效日期 YYYY-MM-DD"))
}

fn region(text: &str, code: &'static str) -> Result<RegionCode, ApiError> {
    RegionCode::parse(text)
        .map_err(|_| ApiError::bad_request(code, "行政区划代码无效（六位，安徽省内）"))
}

/// A training plan filed for approval.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingBody {
    /// The filing's number (unique).
    pub number: String,
    pub title: String,
    /// The region of the bureau filed with (the trainees' place), six digits.
    pub region: String,
    /// A development zone, when filed with its centre.
    pub zone: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
}

/// A filing as shown.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FilingView {
    pub filing_id: i64,
    pub number: String,
    pub title: String,
    pub region: String,
    pub zone: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// The training provider that filed it (none for a filing entered on paper).
    pub provider_name: Option<String>,
    /// pending | approved | refused
    pub status: String,
    pub reason: Option<String>,
    pub decided_by: Option<String>,
}

impl From<Filing> for FilingView {
    fn from(f: Filing) -> Self {
        Self {
            filing_id: f.id,
            number: f.number,
            title: f.title,
            region: f.region.to_string(),
            zone: f.zone,
            starts_on: f.starts_on.to_string(),
            ends_on: f.ends_on.to_string(),
            provider_name: None,
            status: match &f.decision {
                None => "pending",
                Some(d) if d.approved => "approved",
                Some(_) => "refused",
            }
            .to_owned(),
            reason: f.decision.as_ref().and_then(|d| d.reason.clone()),
            decided_by: f.decision.map(|d| d.actor),
        }
    }
}

/// Filings as shown, each named by its provider (one look-up per provider).
async fn named(state: &AppState, filings: Vec<Filing>) -> Result<Vec<FilingView>, ApiError> {
    let mut names: Vec<(i64, Option<String>)> = Vec::new();
    let mut out = Vec::with_capacity(filings.len());
    for f in filings {
        let name = match f.provider_org {
            Some(id) => match names.iter().find(|(k, _)| *k == id) {
                Some((_, n)) => n.clone(),
                None => {
                    let n = organisations::organisation(&state.db, id)
                        .await?
                        .map(|o| o.name);
                    names.push((id, n.clone()));
                    n
                }
            },
            None => None,
        };
        let mut view = FilingView::from(f);
        view.provider_name = name;
        out.push(view);
    }
    Ok(out)
}

fn filing_target(provider: Option<i64>, f_place: xueshi_policy::input::Place) -> Target {
    Target::Filing {
        // A filing entered by a bureau on paper has no provider organisation: no provider owns it.
        provider: OrgId(provider.unwrap_or(-1)),
        place: f_place,
    }
}

/// A training provider files a training plan with the bureau of the trainees' place (D8).
#[utoipa::path(post, path = "/api/filings", tag = "registers",
    request_body = FilingBody,
    responses(
        (status = 201, description = "已申报备案", body = FilingView),
        (status = 400, description = "字段无效（filing.*）", body = ErrorBody),
        (status = 403, description = "只有培训机构申报（auth.role）", body = ErrorBody),
        (status = 409, description = "备案编号已存在", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn file(
    State(state): State<AppState>,
    agent: Agent,
    ApiJson(body): ApiJson<FilingBody>,
) -> Result<(StatusCode, Json<FilingView>), ApiError> {
    let region = region(&body.region, "filing.region")?;
    let zone_id = match &body.zone {
        Some(z) => Some(
            registry::zone_id(&state.db, z)
                .await?
                .ok_or_else(|| ApiError::bad_request("filing.zone", "没有这个开发区"))?,
        ),
        None => None,
    };
    let target = filing_target(agent.organisation_id, place(region, body.zone.clone()));
    allow(&state, &agent.principal, Action::FileTraining, &target)?;
    if body.number.trim().is_empty() || body.title.trim().is_empty() {
        return Err(ApiError::bad_request(
            "filing.fields",
            "备案编号和培训名称不能为空",
        ));
    }
    let id = registry::submit_filing_by(
        &state.db,
        &NewFiling {
            number: body.number.trim().to_owned(),
            title: body.title.trim().to_owned(),
            region,
            zone_id,
            starts_on: date(&body.starts_on, "filing.starts_on")?,
            ends_on: date(&body.ends_on, "filing.ends_on")?,
            provider_org: agent.organisation_id,
        },
        &xueshi_store::audit::Line::new(
            state.now_ms(),
            agent.actor.clone(),
            agent.region,
            "filing.submit",
            "",
        ),
    )
    .await?;
    let filing = registry::filing(&state.db, id).await?;
    let view = named(&state, vec![filing]).await?.into_iter().next();
    let view = view.ok_or_else(|| ApiError::internal("filing", &"filed filing not read back"))?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Filings: for a bureau, those waiting for its decision in its area; for a provider, its own.
#[utoipa::path(get, path = "/api/filings", tag = "registers", params(QueueQuery),
    responses(
        (status = 200, description = "备案列表", body = [FilingView]),
        (status = 403, description = "无权查看备案", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    agent: Agent,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<FilingView>>, ApiError> {
    let filings = match agent.principal.scope() {
        Scope::Provider { provider } => {
            registry::provider_filings(&state.db, provider.0, q.limit()).await?
        }
        Scope::CityBureau { city: r } | Scope::CountyBureau { county: r } => {
            registry::pending_filings(&state.db, *r, q.limit()).await?
        }
        Scope::ZoneCentre { zone } => {
            let city = xueshi_policy::annual::zone_city(&state.policy, zone)
                .ok_or_else(|| ApiError::internal("policy.zone", &"zone without city"))?;
            registry::pending_filings(&state.db, city, q.limit()).await?
        }
        _ => {
            return Err(ApiError::forbidden(
                "auth.role",
                "只有培训机构和人社部门查看培训备案",
            ));
        }
    };
    let action = if matches!(agent.principal.scope(), Scope::Provider { .. }) {
        Action::FileTraining
    } else {
        Action::ApproveFiling
    };
    let visible = filings
        .into_iter()
        .filter(|f| {
            let target = filing_target(f.provider_org, place(f.region, f.zone.clone()));
            allow(&state, &agent.principal, action, &target).is_ok()
        })
        .collect();
    Ok(Json(named(&state, visible).await?))
}

/// A bureau's decision on a filing.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FilingDecisionBody {
    pub approved: bool,
    /// Required for a refusal.
    pub reason: Option<String>,
}

/// Approves (备案同意) or refuses a filing: a signed ledger act; a filing is decided once.
#[utoipa::path(post, path = "/api/filings/{filing_id}/decision", tag = "registers",
    params(("filing_id" = i64, Path)),
    request_body = FilingDecisionBody,
    responses(
        (status = 201, description = "已决定", body = Receipt),
        (status = 400, description = "不同意须说明理由（filing.reason）", body = ErrorBody),
        (status = 403, description = "无权审批", body = ErrorBody),
        (status = 409, description = "已决定过", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<FilingDecisionBody>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let f = registry::filing(&state.db, id).await?;
    let target = filing_target(f.provider_org, place(f.region, f.zone.clone()));
    allow(&state, &acting.principal, Action::ApproveFiling, &target)?;
    if f.decision.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "filing.decided",
            "该备案已审批",
        ));
    }
    let actor = crate::access::actor(&acting);
    let inclusion = registry::decide_filing(
        &state.db,
        &state.signer,
        id,
        body.approved,
        body.reason.as_deref(),
        access::act(&state, &actor, &acting)?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Receipt::from(&inclusion))))
}

/// One registration of the courseware-provider register.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RegistrationView {
    pub provider: String,
    pub city: String,
    pub from: String,
    pub to: String,
    /// In force today.
    pub in_force: bool,
    pub registered_by: String,
    pub entry_index: i64,
}

/// Which city's register.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RegisterQuery {
    /// The city's six-digit code (default 341500, 六安市).
    pub city: Option<String>,
}

/// A city's courseware-provider register (public to every signed-in account).
#[utoipa::path(get, path = "/api/providers", tag = "registers", params(RegisterQuery),
    responses(
        (status = 200, description = "课件提供方备案名录", body = [RegistrationView]),
        (status = 400, description = "城市代码无效", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 403, description = "无权操作（auth.*）；以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.missing / csrf.mismatch）", body = ErrorBody),
    ))]
pub async fn register_list(
    State(state): State<AppState>,
    _agent: Agent,
    ApiQuery(q): ApiQuery<RegisterQuery>,
) -> Result<Json<Vec<RegistrationView>>, ApiError> {
    let city = match &q.city {
        Some(c) => region(c, "providers.city")?,
        None => xueshi_domain::region::LUAN,
    };
    let today = today(&state)?;
    let rows = registry::provider_register(&state.db, city).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r: ProviderRegistrationRow| RegistrationView {
                in_force: r.from <= today && today <= r.to,
                provider: r.provider_name,
                city: r.region.to_string(),
                from: r.from.to_string(),
                to: r.to.to_string(),
                registered_by: r.actor,
                entry_index: r.entry_index,
            })
            .collect(),
    ))
}

/// A provider registered for a period.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegistrationBody {
    pub provider: String,
    pub from: String,
    pub to: String,
}

/// The city bureau registers a courseware provider for a period: a signed ledger act.
#[utoipa::path(post, path = "/api/providers", tag = "registers",
    request_body = RegistrationBody,
    responses(
        (status = 201, description = "已备案", body = Receipt),
        (status = 400, description = "有效期无效（provider.period）", body = ErrorBody),
        (status = 403, description = "只有市人社局维护名录", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn register_provider(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<RegistrationBody>,
) -> Result<(StatusCode, Json<Receipt>), ApiError> {
    let Scope::CityBureau { city } = acting.principal.scope() else {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有市人社局维护课件提供方备案名录",
        ));
    };
    let city = *city;
    let name = body.provider.trim();
    if name.is_empty() || name.starts_with("base:") || name.starts_with("kind:") {
        return Err(ApiError::bad_request(
            "provider.name",
            "请填写课件提供方名称",
        ));
    }
    let target = Target::ProviderRegister {
        provider: OrgId(registry::provider_id(&state.db, name).await?),
        city,
    };
    allow(
        &state,
        &acting.principal,
        Action::KeepProviderRegister,
        &target,
    )?;
    let actor = crate::access::actor(&acting);
    let inclusion = registry::register_provider(
        &state.db,
        &state.signer,
        name,
        city,
        date(&body.from, "provider.from")?,
        date(&body.to, "provider.to")?,
        access::act(&state, &actor, &acting)?,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(Receipt::from(&inclusion))))
}
