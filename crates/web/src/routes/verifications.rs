//! Verification of hours for a title application (D13–D15, D17, D22). A professional, or their
//! unit for a batch, applies for a level and tenure cycle; the policy's routing table sends the
//! application to a bureau (never code); that bureau's queue shows it, with the engine's
//! explanation and citations; the server refuses a stamp the engine does not support
//! (`verification.not_compliant`); the stamp or refusal is a signed ledger act carrying the
//! SHA-256 of the decision the verifier saw. Paper verifications done before the system are
//! recorded afterwards. The readiness check tells a professional what is missing, by when, who
//! will verify and the next open slot.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Principal, Scope};
use xueshi_policy::case::Question;
use xueshi_policy::input::{Place, TitleLevel};
use xueshi_policy::{Decision, Options, RouteDecision, render};
use xueshi_store::acts::{self, Mode, Verification, Verifier};
use xueshi_store::requests::{self, Application, NewApplication};
use xueshi_store::{appointments, export, organisations, registry};

use crate::access::{self, allow, person_in, person_target, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::routes::reviews::{ActDone, QueueQuery, SubjectView};
use crate::state::AppState;

fn level(text: &str) -> Result<TitleLevel, ApiError> {
    TitleLevel::parse(text).ok_or_else(|| {
        ApiError::bad_request(
            "verification.level",
            "职称级别须为 junior（初级）、intermediate（中级）或 senior（高级）",
        )
    })
}

fn cycle(first: i32, last: i32) -> Result<(), ApiError> {
    let first = access::year_field("first_year", first)?;
    let last = access::year_field("last_year", last)?;
    if first > last || last - first > 10 {
        return Err(ApiError::bad_request(
            "verification.cycle",
            "任职周期须为首年不晚于末年、至多十一个年度",
        ));
    }
    Ok(())
}

/// The engine's decision on a person's cycle, as JSON with its trace, whether it complies,
/// and the SHA-256 of its bytes (what a stamp relies on).
pub(crate) struct CycleView {
    pub json: Value,
    pub compliant: bool,
    pub hash: [u8; 32],
    /// Per year: credited hours, what is missing, the registration deadline.
    pub years: Vec<YearProgress>,
    pub failed: Vec<String>,
    pub missing: Vec<Missing>,
}

/// One year of a cycle, as the readiness check shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct YearProgress {
    pub year: i32,
    pub required: bool,
    pub compliant: bool,
    /// Credited hours (text, tenths exact).
    pub total: String,
    pub professional: String,
    pub public: String,
    /// Hours still missing against each failed check (rule id → hours).
    pub missing: Vec<Missing>,
    /// The last day records for this year may still be registered (D11).
    pub register_by: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Missing {
    pub rule: String,
    pub year: i32,
    /// What the numbers are: `year` (a year against its minimum), `cycle_sum` (the cycle's
    /// sum against the sum of each year's requirement) or `largest_year` (one year's total
    /// against the whole cycle's required total, D15 no cramming).
    pub measure: String,
    pub required: String,
    /// What `required` is, in Chinese.
    pub required_label: String,
    pub actual: String,
    /// What `actual` is, in Chinese.
    pub actual_label: String,
    /// Hours still missing; for `largest_year`, "0" (the other years' shortfall is in the
    /// years' own checks).
    pub short_by: String,
}

fn missing(checks: &[xueshi_policy::Check<'_>]) -> Vec<Missing> {
    checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| Missing {
            rule: c.rule.as_str().to_owned(),
            year: c.year,
            measure: c.measure.as_str().to_owned(),
            required: c.required.to_string(),
            required_label: c.measure.required_zh().to_owned(),
            actual: c.actual.to_string(),
            actual_label: c.measure.actual_zh().to_owned(),
            short_by: if c.measure.is_minimum() {
                c.required.saturating_sub(c.actual)
            } else {
                xueshi_domain::Hours::ZERO
            }
            .to_string(),
        })
        .collect()
}

/// One missing line for people, labelled by what its numbers are.
pub(crate) fn missing_zh(m: &Missing) -> String {
    if m.measure == "largest_year" {
        format!(
            "{} 年一年{} {} 学时，已达{} {} 学时，而其他年度合计未达各自要求",
            m.year, m.actual_label, m.actual, m.required_label, m.required
        )
    } else {
        format!(
            "{} {}，{} {}，还差 {} 学时",
            m.required_label, m.required, m.actual_label, m.actual, m.short_by
        )
    }
}

pub(crate) async fn evaluate_cycle(
    state: &AppState,
    person_id: i64,
    first: i32,
    last: i32,
) -> Result<CycleView, ApiError> {
    let policy = state.policy.as_ref();
    let mut case = export::person_year_case(&state.db, policy, person_id, last).await?;
    case.question = Question::Cycle { first, last };
    let eval = case.evaluate(policy, Options { trace: true })?;
    let json = render::to_json(&eval, policy, &case.records);
    let bytes = serde_json::to_vec(&json).map_err(|e| ApiError::internal("render", &e))?;
    let Decision::Cycle(d) = &eval.decision else {
        return Err(ApiError::internal("engine", &"not a cycle decision"));
    };
    let years = d
        .years
        .iter()
        .map(|y| YearProgress {
            year: y.year,
            required: y.required,
            compliant: y.compliant,
            total: y.hours.total.to_string(),
            professional: y.hours.professional.to_string(),
            public: y.hours.public.to_string(),
            missing: missing(&y.checks),
            register_by: y.policy.registration_deadline.value.to_string(),
        })
        .collect();
    Ok(CycleView {
        compliant: d.compliant,
        failed: d.failed().iter().map(|r| r.as_str().to_owned()).collect(),
        missing: missing(&d.checks),
        hash: acts::decision_hash(&bytes),
        json,
        years,
    })
}

/// Where the routing table (D13) sends an applicant of a unit at `place` who applies on
/// `applied_on`: the table in force that day decides, whatever years the cycle covers.
pub(crate) fn route<'p>(
    state: &'p AppState,
    place: &Place,
    level: TitleLevel,
    applied_on: xueshi_domain::Date,
) -> Result<RouteDecision<'p>, ApiError> {
    xueshi_policy::route(&state.policy, Some(applied_on.year()), place, level).map_err(|e| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "verification.route",
            format!("无法确定核验机构：{e}"),
        )
    })
}

/// The verifier's place as stored: (region, zone id).
pub(crate) async fn verifier_key(
    state: &AppState,
    r: &RouteDecision<'_>,
) -> Result<(xueshi_domain::RegionCode, Option<i64>), ApiError> {
    Ok(match &r.verifier {
        Place::Region(region) => (*region, None),
        Place::Zone(name) => {
            let id = registry::zone_id(&state.db, name).await?.ok_or_else(|| {
                ApiError::internal("registry.zone", &format!("zone {name} not registered"))
            })?;
            (r.city, Some(id))
        }
    })
}

/// A verifier, named for people.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VerifierView {
    /// The bureau's name when registered, else the place's.
    pub name: String,
    pub region: String,
    pub zone: Option<String>,
    /// The routing rule's source.
    pub cite: String,
}

/// Where the state-owned units' own verification comes from.
const OWN_VERIFICATION_CITE: &str = "皖人社函〔2026〕235号 五(二)";

/// Who verifies a staff member of `unit_id`: the unit's own office if it is a state-owned unit
/// that verifies its staff (online, so no bureau and no slots), else the bureau at the routed
/// place.
pub(crate) async fn verifier_view(
    state: &AppState,
    unit_id: i64,
    region: xueshi_domain::RegionCode,
    zone_id: Option<i64>,
    zone: Option<String>,
    cite: String,
) -> Result<(VerifierView, Option<i64>), ApiError> {
    if let Some(name) = requests::own_verifier(&state.db, unit_id).await? {
        let view = VerifierView {
            name,
            region: region.to_string(),
            zone: None,
            cite: OWN_VERIFICATION_CITE.to_owned(),
        };
        return Ok((view, None));
    }
    let bureau = organisations::bureau_at(&state.db, region, zone_id).await?;
    let name = match (&bureau, &zone) {
        (Some(b), _) => b.name.clone(),
        (None, Some(z)) => z.clone(),
        (None, None) => region.name().unwrap_or("（未登记的地区）").to_owned(),
    };
    Ok((
        VerifierView {
            name,
            region: region.to_string(),
            zone,
            cite,
        },
        bureau.map(|b| b.id),
    ))
}

/// An application for verification: the persons (one, or a unit's batch), the title level
/// and the tenure cycle.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyBody {
    pub persons: Vec<i64>,
    /// junior | intermediate | senior
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
}

/// One application filed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Applied {
    pub application_id: i64,
    pub person_id: i64,
    pub verifier: VerifierView,
}

/// Applies for verification, for oneself or a unit's staff (all or none).
#[utoipa::path(post, path = "/api/verifications", tag = "verifications",
    request_body = ApplyBody,
    responses(
        (status = 201, description = "已申请，附核验机构", body = [Applied]),
        (status = 400, description = "级别、周期或名单无效", body = ErrorBody),
        (status = 403, description = "无权为其中某人申请", body = ErrorBody),
        (status = 404, description = "名单中的人员不存在（store.not_found）", body = ErrorBody),
        (status = 409, description = "已有相同的申请正在等待核验（verification.duplicate，附已有申请编号）", body = ErrorBody),
        (status = 422, description = "路由表无法确定核验机构（verification.route）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    acting: Acting,
    ApiJson(body): ApiJson<ApplyBody>,
) -> Result<(StatusCode, Json<Vec<Applied>>), ApiError> {
    if body.persons.is_empty() || body.persons.len() > 500 {
        return Err(ApiError::bad_request(
            "verification.persons",
            "申请名单须为 1 至 500 人",
        ));
    }
    let today = today(&state)?;
    let mut units = Vec::with_capacity(body.persons.len());
    for &person_id in &body.persons {
        let (target, unit) = person_target(&state, person_id, today).await?;
        allow(
            &state,
            &acting.principal,
            Action::ApplyVerification,
            &target,
        )?;
        units.push((person_id, unit));
    }
    let level = level(&body.level)?;
    cycle(body.first_year, body.last_year)?;
    let mut batch = Vec::with_capacity(units.len());
    let mut verifiers = Vec::with_capacity(units.len());
    for (person_id, unit) in units {
        let place = access::place(unit.region, unit.zone.clone());
        let r = route(&state, &place, level, today)?;
        let (region, zone_id) = verifier_key(&state, &r).await?;
        let zone = match &r.verifier {
            Place::Zone(z) => Some(z.clone()),
            Place::Region(_) => None,
        };
        verifiers.push(
            verifier_view(
                &state,
                unit.unit_id,
                region,
                zone_id,
                zone,
                r.cite.to_string(),
            )
            .await?
            .0,
        );
        batch.push(NewApplication {
            person_id,
            level,
            first_year: body.first_year,
            last_year: body.last_year,
            unit_id: unit.unit_id,
            verifier_region: region,
            verifier_zone_id: zone_id,
        });
    }
    let ids = requests::apply(
        &state.db,
        &batch,
        &access::line(&state, &acting, "verification.apply"),
    )
    .await?;
    let out = ids
        .into_iter()
        .zip(batch)
        .zip(verifiers)
        .map(|((application_id, a), verifier)| Applied {
            application_id,
            person_id: a.person_id,
            verifier,
        })
        .collect();
    Ok((StatusCode::CREATED, Json(out)))
}

/// An application as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    pub application_id: i64,
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
    pub applied_by: String,
    pub applied_ms: i64,
    pub subject: SubjectView,
    /// pending | approved | refused
    pub status: String,
    pub act_id: Option<i64>,
}

impl From<Application> for ApplicationView {
    fn from(a: Application) -> Self {
        Self {
            application_id: a.id,
            level: a.level.as_str().to_owned(),
            first_year: a.first_year,
            last_year: a.last_year,
            applied_by: a.applied_by,
            applied_ms: a.applied_ms,
            subject: a.subject.into(),
            status: match a.answer {
                None => "pending",
                Some((_, true)) => "approved",
                Some((_, false)) => "refused",
            }
            .to_owned(),
            act_id: a.answer.map(|(id, _)| id),
        }
    }
}

/// Whose applications a verifier answers: those routed to a bureau's place (region, zone
/// id), or — for a state-owned unit, which verifies its own staff online (235号 五(二)) —
/// those of its unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Queue {
    Routed(xueshi_domain::RegionCode, Option<i64>),
    Unit(i64),
}

async fn queue_of(state: &AppState, principal: &Principal) -> Result<Queue, ApiError> {
    match principal.scope() {
        Scope::CityBureau { city } => Ok(Queue::Routed(*city, None)),
        Scope::CountyBureau { county } => Ok(Queue::Routed(*county, None)),
        Scope::ZoneCentre { zone } => {
            let id = registry::zone_id(&state.db, zone)
                .await?
                .ok_or_else(|| ApiError::internal("registry.zone", &"zone centre's zone"))?;
            let city = xueshi_policy::annual::zone_city(&state.policy, zone)
                .ok_or_else(|| ApiError::internal("policy.zone", &"zone without city"))?;
            Ok(Queue::Routed(city, Some(id)))
        }
        Scope::StateOwnedUnit { unit, .. } => Ok(Queue::Unit(unit.0)),
        _ => Err(ApiError::forbidden(
            "auth.role",
            "只有人社部门（市、县人社局或开发区中心）和国有企事业单位核验学时",
        )),
    }
}

impl Queue {
    /// Whether the application is answered here.
    async fn holds(self, state: &AppState, a: &Application) -> Result<bool, ApiError> {
        if !matches!(self, Queue::Unit(_))
            && requests::own_verifier(&state.db, a.subject.unit_id)
                .await?
                .is_some()
        {
            // A state-owned unit's staff are verified by its own office only.
            return Ok(false);
        }
        Ok(match self {
            Queue::Unit(unit) => a.subject.unit_id == unit,
            Queue::Routed(region, None) => a.verifier_zone.is_none() && a.verifier_region == region,
            Queue::Routed(_, Some(zone)) => match &a.verifier_zone {
                Some(name) => registry::zone_id(&state.db, name).await? == Some(zone),
                None => false,
            },
        })
    }
}

/// The applications routed to the calling bureau and not yet answered, oldest first.
#[utoipa::path(get, path = "/api/verifications/pending", tag = "verifications", params(QueueQuery),
    responses(
        (status = 200, description = "待核验的申请", body = [ApplicationView]),
        (status = 403, description = "只有人社部门核验（auth.role）", body = ErrorBody),
        (status = 400, description = "查询参数格式不正确（request.query）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn pending(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> Result<Json<Vec<ApplicationView>>, ApiError> {
    let apps = match queue_of(&state, &acting.principal).await? {
        Queue::Routed(region, zone) => {
            requests::pending_applications(&state.db, region, zone, q.limit()).await?
        }
        Queue::Unit(unit) => {
            requests::pending_applications_of_unit(&state.db, unit, q.limit()).await?
        }
    };
    Ok(Json(apps.into_iter().map(ApplicationView::from).collect()))
}

/// An application with the engine's explanation (with citations and trace) of the cycle, as
/// the verifier sees it before stamping.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApplicationDetail {
    pub application: ApplicationView,
    pub compliant: bool,
    /// Failed rule ids.
    pub failed: Vec<String>,
    pub years: Vec<YearProgress>,
    /// SHA-256 of the decision below; a stamp records it.
    pub decision_hash: String,
    /// The engine's decision (same JSON as `xueshi evaluate --format json --trace`).
    #[schema(value_type = Object)]
    pub decision: Value,
}

fn application_target(a: &Application) -> xueshi_app::Target {
    let unit = xueshi_store::people::UnitPlace {
        unit_id: a.subject.unit_id,
        region: a.subject.region,
        zone: a.subject.zone.clone(),
        industry: a.subject.industry.clone(),
    };
    person_in(a.subject.person_id, &unit)
}

/// One application with the engine's explanation.
#[utoipa::path(get, path = "/api/verifications/{application_id}", tag = "verifications",
    params(("application_id" = i64, Path)),
    responses(
        (status = 200, description = "申请及引擎判定依据", body = ApplicationDetail),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "申请不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn detail(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ApplicationDetail>, ApiError> {
    let a = requests::application(&state.db, id).await?;
    let target = application_target(&a);
    allow(&state, &acting.principal, Action::ViewExplanation, &target)?;
    let view = evaluate_cycle(&state, a.subject.person_id, a.first_year, a.last_year).await?;
    Ok(Json(ApplicationDetail {
        application: a.into(),
        compliant: view.compliant,
        failed: view.failed,
        years: view.years,
        decision_hash: access::hash_hex(&view.hash),
        decision: view.json,
    }))
}

/// A verifier's decision.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Stamp (true) or refuse (false).
    pub approved: bool,
    /// The `decision_hash` the verifier saw; when given, the hours must not have changed since.
    pub decision_hash: Option<String>,
    /// Why a stamp is refused (kept in the audit trail with the act's subject).
    pub reason: Option<String>,
}

/// Stamps (核验章) or refuses an application routed to the calling bureau. A stamp is refused
/// unless the engine says the cycle complies (D14).
#[utoipa::path(post, path = "/api/verifications/{application_id}/decision", tag = "verifications",
    params(("application_id" = i64, Path)),
    request_body = DecisionBody,
    responses(
        (status = 201, description = "已核验（签名账本行为）", body = ActDone),
        (status = 403, description = "无权核验，或不是该申请的核验机构（verification.not_routed_here）", body = ErrorBody),
        (status = 409, description = "学时不达标不能盖章（verification.not_compliant）、已核验、或判定已变化（verification.stale）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path），或请求体不是有效的 JSON、缺少字段（request.json / request.fields）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "所指的对象不存在", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let a = requests::application(&state.db, id).await?;
    let target = application_target(&a);
    allow(&state, &acting.principal, Action::Verify, &target)?;
    let here = queue_of(&state, &acting.principal)
        .await?
        .holds(&state, &a)
        .await?;
    if !here {
        return Err(ApiError::forbidden(
            "verification.not_routed_here",
            "按路由表，该申请不由本机构核验",
        ));
    }
    if a.answer.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "verification.answered",
            "该申请已核验",
        ));
    }
    let view = evaluate_cycle(&state, a.subject.person_id, a.first_year, a.last_year).await?;
    if let Some(seen) = &body.decision_hash
        && access::parse_hash(seen, "verification.decision_hash")? != view.hash
    {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "verification.stale",
            "学时记录在您查看后已变化，请重新查看判定后再核验",
        ));
    }
    if body.approved && !view.compliant {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "verification.not_compliant",
            format!(
                "学时不达标，不能盖核验章（未通过：{}）",
                view.failed.join("、")
            ),
        ));
    }
    let verifier = Verifier::Organisation(access::organisation(&acting)?);
    let v = Verification {
        person_id: a.subject.person_id,
        level: a.level,
        cycle: a.first_year..=a.last_year,
        verifier,
        mode: Mode::Online {
            decision_hash: view.hash,
        },
        approved: body.approved,
    };
    // A refusal's reason is a line of its own, written in the act's transaction.
    let reason = body
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty() && !body.approved)
        .map(|reason| xueshi_store::audit::Line {
            detail: Some(reason.to_owned()),
            ..access::line(&state, &acting, "verification.refusal_reason")
                .about(format!("person:{}/application:{id}", a.subject.person_id))
        });
    record(&state, &acting, &v, reason.as_slice()).await
}

/// Records a verification act by the calling official and answers with its receipt.
async fn record(
    state: &AppState,
    acting: &Acting,
    v: &Verification<'_>,
    lines: &[xueshi_store::audit::Line],
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let actor = access::actor(acting);
    let (act_id, inclusion) = acts::record_verification_with(
        &state.db,
        &state.signer,
        v,
        access::act(state, &actor, acting)?,
        lines,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(ActDone::new(act_id, &inclusion))))
}

/// A verification done on paper before the system (D17), recorded afterwards.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineBody {
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
    /// The page and stamp of the paper registration certificate (required).
    pub paper_ref: String,
    /// The bureau as written on the paper, when it was not the recording bureau.
    pub verifier_place: Option<String>,
    pub approved: bool,
}

/// Records an offline (paper) verification of a person's cycle.
#[utoipa::path(post, path = "/api/persons/{person_id}/offline-verifications", tag = "verifications",
    params(("person_id" = i64, Path)),
    request_body = OfflineBody,
    responses(
        (status = 201, description = "已补录（签名账本行为）", body = ActDone),
        (status = 400, description = "缺少纸质证书页码或级别、周期无效", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn record_offline(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(body): ApiJson<OfflineBody>,
) -> Result<(StatusCode, Json<ActDone>), ApiError> {
    let level = level(&body.level)?;
    cycle(body.first_year, body.last_year)?;
    let (target, _) = person_target(&state, person_id, access::year_end(body.last_year)?).await?;
    allow(
        &state,
        &acting.principal,
        Action::RecordOfflineVerification,
        &target,
    )?;
    let verifier = match body.verifier_place.as_deref() {
        Some(place) => Verifier::Place(place),
        None => Verifier::Organisation(access::organisation(&acting)?),
    };
    let v = Verification {
        person_id,
        level,
        cycle: body.first_year..=body.last_year,
        verifier,
        mode: Mode::Offline {
            paper_ref: &body.paper_ref,
            decision_hash: None,
        },
        approved: body.approved,
    };
    record(&state, &acting, &v, &[]).await
}

/// The planned application a readiness check is about.
#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReadinessQuery {
    /// junior | intermediate | senior
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
}

/// An open appointment slot.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlotView {
    pub slot_id: i64,
    pub on: String,
    /// "线上" or the address.
    pub place: String,
    pub seats_left: i64,
}

/// Whether a planned title application's hours are ready, and what to do if not.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub compliant: bool,
    pub failed: Vec<String>,
    /// Per year: credited, missing, and the last day to register.
    pub years: Vec<YearProgress>,
    /// The cycle's own failed checks (averages, no cramming) and what each lacks.
    pub missing: Vec<Missing>,
    pub verifier: VerifierView,
    /// The verifier's next slot with free seats, open to the person's industry.
    pub next_slot: Option<SlotView>,
}

/// The readiness check for a planned title application: what is missing, by when, who will
/// verify, and the next open slot.
#[utoipa::path(get, path = "/api/persons/{person_id}/readiness", tag = "verifications",
    params(("person_id" = i64, Path), ReadinessQuery),
    responses(
        (status = 200, description = "申报准备情况", body = Readiness),
        (status = 400, description = "级别或周期无效", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
    ))]
pub async fn readiness(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReadinessQuery>,
) -> Result<Json<Readiness>, ApiError> {
    let level = level(&q.level)?;
    cycle(q.first_year, q.last_year)?;
    let today = today(&state)?;
    let (target, unit) = person_target(&state, person_id, today).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let view = evaluate_cycle(&state, person_id, q.first_year, q.last_year).await?;
    let place = access::place(unit.region, unit.zone.clone());
    let r = route(&state, &place, level, today)?;
    let (region, zone_id) = verifier_key(&state, &r).await?;
    let zone = match &r.verifier {
        Place::Zone(z) => Some(z.clone()),
        Place::Region(_) => None,
    };
    let (verifier, bureau) = verifier_view(
        &state,
        unit.unit_id,
        region,
        zone_id,
        zone,
        r.cite.to_string(),
    )
    .await?;
    let next_slot = match bureau {
        Some(b) => appointments::bureau_slots(&state.db, b, today, Some(&unit.industry), 50)
            .await?
            .into_iter()
            .find(|s| s.seats_left() > 0)
            .map(|s| SlotView {
                slot_id: s.id,
                on: s.on.to_string(),
                place: slot_place(&s.place),
                seats_left: s.seats_left(),
            }),
        None => None,
    };
    Ok(Json(Readiness {
        compliant: view.compliant,
        failed: view.failed,
        missing: view.missing,
        years: view.years,
        verifier,
        next_slot,
    }))
}

/// A slot's place for people.
pub fn slot_place(p: &appointments::Place) -> String {
    match p {
        appointments::Place::Online => "线上".to_owned(),
        appointments::Place::At(a) => a.clone(),
    }
}
