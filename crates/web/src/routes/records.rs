//! Registration (D1, D5, D10, D11): a professional, or their unit, registers learning records
//! with evidence, lists them, and voids or corrects one with a reason. Every write answers with
//! its place in the ledger. Registration for a year closes at the policy's deadline for that
//! year (`registration.closed`, 409, citing the rule); the engine judges everything else.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_app::Action;
use xueshi_domain::{Date, Hours};
use xueshi_policy::input::{Amount, Exam, Form, MAX_MINUTES, Provider, Record, Subject};
use xueshi_store::ledger::Act;
use xueshi_store::records::{self, NewRecord};
use xueshi_store::{evidence, ledger};

use crate::access::{self, Receipt, allow, person_target, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBytes, ApiJson, ApiPath};
use crate::state::AppState;

/// A record as registered: the policy facts and what was studied. Enumerations take the
/// engine's codes (`subject`: public | professional; `form`: training_class, practice, online,
/// academic, research, qualification_exam, other, conversion; `exam`: pass | fail | none).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// A label unique for the person (default: generated).
    pub label: Option<String>,
    /// 培训内容.
    pub content: String,
    pub subject: String,
    pub form: String,
    /// `base:N`, `kind:<kind>` or the name of a registered courseware provider.
    pub provider: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: String,
    /// Hours with at most one decimal, e.g. "12.5" (or give `minutes`).
    pub hours: Option<String>,
    pub minutes: Option<u64>,
    pub exam: Option<String>,
    /// The year a public record counts for (D5).
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    pub conversion: Option<String>,
    pub achievement: Option<String>,
    pub certificate_no: Option<String>,
    /// SHA-256 (hex) of an evidence file uploaded to `/api/evidence`.
    pub evidence: Option<String>,
}

fn field(code: &'static str, message: &str) -> ApiError {
    ApiError::bad_request(code, message.to_owned())
}

fn date(text: &str, code: &'static str, name: &str) -> Result<Date, ApiError> {
    Date::parse(text).map_err(|_| field(code, &format!("{name}须为有效日期 YYYY-MM-DD")))
}

/// Longest label, in characters.
const MAX_LABEL: usize = 100;
/// Longest text field (content, provider, filing number, achievement…), in characters.
const MAX_TEXT: usize = 500;

/// `value` of the field `name` (code `code`) if at most `max` characters.
fn bounded<'a>(
    value: &'a str,
    max: usize,
    code: &'static str,
    name: &str,
) -> Result<&'a str, ApiError> {
    if value.chars().count() > max {
        return Err(field(code, &format!("{name}过长：至多 {max} 个字符")));
    }
    Ok(value)
}

fn opt_bounded(
    value: Option<&str>,
    code: &'static str,
    name: &str,
) -> Result<Option<String>, ApiError> {
    value
        .map(|v| bounded(v, MAX_TEXT, code, name).map(str::to_owned))
        .transpose()
}

fn provider(text: &str) -> Result<Provider, ApiError> {
    Provider::parse(text).ok_or_else(|| {
        field(
            "record.provider",
            "提供单位须为 base:1–4、kind:<类别> 或已备案课件提供方名称",
        )
    })
}

impl RecordBody {
    /// The record to register, checked field by field.
    pub(crate) fn to_new(
        &self,
        person_id: i64,
        label: String,
        registered_on: Date,
        actor: &str,
    ) -> Result<NewRecord, ApiError> {
        let amount =
            match (&self.hours, self.minutes) {
                (Some(_), Some(_)) => {
                    return Err(field("record.amount", "学时与分钟只能填写一项"));
                }
                (Some(h), None) => Some(Amount::Hours(Hours::parse(h).map_err(|_| {
                    field("record.hours", "学时须为非负数，至多一位小数，如 12.5")
                })?)),
                (None, Some(m)) if m <= MAX_MINUTES => Some(Amount::Minutes(m)),
                (None, Some(_)) => {
                    return Err(field(
                        "record.minutes",
                        &format!("分钟数须为 0 至 {MAX_MINUTES} 之间的整数"),
                    ));
                }
                (None, None) => None,
            };
        let evidence = self
            .evidence
            .as_deref()
            .map(|h| access::parse_hash(h, "record.evidence"))
            .transpose()?;
        let label = bounded(&label, MAX_LABEL, "record.label", "登记编号")?.to_owned();
        let content = bounded(&self.content, MAX_TEXT, "record.content", "培训内容")?.to_owned();
        let form =
            Form::parse(&self.form).ok_or_else(|| field("record.form", "学习形式代码无效"))?;
        let provider = match self.provider.as_deref() {
            None => None,
            Some(p) => {
                let p = provider(bounded(p, MAX_TEXT, "record.provider", "提供单位")?)?;
                if !p.fits(form) {
                    return Err(field("record.provider", &p.misfit(form)));
                }
                Some(p)
            }
        };
        let for_year = self
            .for_year
            .map(|y| access::year_field("for_year", y))
            .transpose()?;
        let record = Record {
            id: label,
            subject: Subject::parse(&self.subject).ok_or_else(|| {
                field(
                    "record.subject",
                    "科目须为 public（公需）或 professional（专业）",
                )
            })?,
            form,
            provider,
            started: self
                .started_on
                .as_deref()
                .map(|s| date(s, "record.started_on", "开始日期"))
                .transpose()?,
            completed: date(&self.completed_on, "record.completed_on", "完成日期")?,
            amount,
            exam: match self.exam.as_deref() {
                None => Exam::None,
                Some(e) => Exam::parse(e)
                    .ok_or_else(|| field("record.exam", "考试结果须为 pass、fail 或 none"))?,
            },
            for_year,
            filing: opt_bounded(self.filing.as_deref(), "record.filing", "备案文号")?,
            conversion: opt_bounded(self.conversion.as_deref(), "record.conversion", "折算类别")?,
            achievement: opt_bounded(
                self.achievement.as_deref(),
                "record.achievement",
                "成果标识",
            )?,
            registered: Some(registered_on),
        };
        if record.completed > registered_on {
            // D11: registration follows the activity (30号 二(一) “在培训工作结束后”).
            return Err(field(
                "record.not_completed",
                &format!(
                    "完成日期 {} 晚于登记日 {registered_on}：学习结束后方可登记",
                    record.completed
                ),
            ));
        }
        Ok(NewRecord {
            person_id,
            record,
            content,
            certificate_no: opt_bounded(
                self.certificate_no.as_deref(),
                "record.certificate_no",
                "证书编号",
            )?,
            evidence,
            registered_on,
            actor: actor.to_owned(),
        })
    }
}

/// The record's label: the one given, or a new random one (`W` and 16 hex digits).
pub(crate) fn label_or_new(given: Option<&str>) -> Result<String, ApiError> {
    match given.map(str::trim) {
        Some("") => Err(field("record.label", "登记编号不能为空")),
        Some(l) => Ok(l.to_owned()),
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).map_err(|e| ApiError::internal("random", &e))?;
            Ok(format!("W{:016x}", u64::from_be_bytes(bytes)))
        }
    }
}

/// Registration for the record's year must still be open (D11).
pub(crate) fn check_open(state: &AppState, record: &Record, today: Date) -> Result<(), ApiError> {
    let year = record.for_year.unwrap_or_else(|| record.completed.year());
    let Some(yp) = state.policy.year(year) else {
        return Err(ApiError::bad_request(
            "record.year",
            format!("{year} 年度没有学时政策，不能登记"),
        ));
    };
    let deadline = &yp.registration_deadline;
    if today > deadline.value {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "registration.closed",
            format!(
                "{year} 年度学时登记已于 {} 截止（registration.closed，{}）",
                deadline.value, deadline.cite
            ),
        ));
    }
    Ok(())
}

/// What a registration answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The new record's id (for a correction: the corrected record's id first, then the void's).
    pub ids: Vec<i64>,
    /// Where each write sits in the ledger, in the same order.
    pub receipts: Vec<Receipt>,
    /// The signed checkpoint (C2SP note) of the batch.
    pub checkpoint: Option<String>,
}

async fn registered(
    state: &AppState,
    written: Vec<(i64, ledger::Inclusion)>,
) -> Result<Registered, ApiError> {
    Ok(Registered {
        ids: written.iter().map(|(id, _)| *id).collect(),
        receipts: written.iter().map(|(_, i)| Receipt::from(i)).collect(),
        checkpoint: ledger::latest_note(&state.db).await?,
    })
}

/// Registers a learning record for a person.
#[utoipa::path(post, path = "/api/persons/{person_id}/records", tag = "records",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    request_body = RecordBody,
    responses(
        (status = 201, description = "已登记，附账本位置", body = Registered),
        (status = 400, description = "字段无效（record.*）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 409, description = "该年度登记已截止（registration.closed）或登记编号重复", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn register(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
    ApiJson(body): ApiJson<RecordBody>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let today = today(&state)?;
    let (target, _) = person_target(&state, person_id, today).await?;
    allow(&state, &acting.principal, Action::RegisterRecord, &target)?;
    let label = label_or_new(body.label.as_deref())?;
    let new = body.to_new(person_id, label, today, &access::actor(&acting))?;
    check_open(&state, &new.record, today)?;
    let written = state.registrations().register(new).await?;
    Ok((
        StatusCode::CREATED,
        Json(registered(&state, vec![written]).await?),
    ))
}

/// A stored record as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordView {
    pub id: i64,
    pub label: String,
    pub content: String,
    pub subject: String,
    pub form: String,
    pub provider: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: String,
    /// Hours as text (tenths exact), when claimed in hours.
    pub hours: Option<String>,
    pub minutes: Option<u64>,
    pub exam: String,
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    pub certificate_no: Option<String>,
    pub evidence: Option<String>,
    pub registered_on: String,
    pub actor: String,
    pub entry_index: i64,
    /// The void, when the record was voided: reason, by whom, when, and its correction's id.
    pub voided: Option<VoidView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VoidView {
    pub reason: String,
    pub actor: String,
    pub voided_on: String,
    pub replaced_by: Option<i64>,
}

/// A person's records in registration order, voided ones included and marked.
#[utoipa::path(get, path = "/api/persons/{person_id}/records", tag = "records",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "学时记录（按登记顺序）", body = [RecordView]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<RecordView>>, ApiError> {
    let (target, _) = person_target(&state, person_id, today(&state)?).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let stored = records::person_records(&state.db, person_id).await?;
    let views = stored
        .into_iter()
        .map(|s| {
            let r = s.row;
            RecordView {
                id: r.id,
                label: r.label,
                content: r.content,
                subject: r.subject.as_str().to_owned(),
                form: r.form.as_str().to_owned(),
                provider: r.provider,
                started_on: r.started.map(|d| d.to_string()),
                completed_on: r.completed.to_string(),
                hours: r.hours.map(|h| h.to_string()),
                minutes: r.minutes,
                exam: r.exam.as_str().to_owned(),
                for_year: r.for_year,
                filing: r.filing,
                certificate_no: r.certificate_no,
                evidence: r.evidence.as_ref().map(access::hash_hex),
                registered_on: r.registered_on.to_string(),
                actor: r.actor,
                entry_index: r.entry_index,
                voided: s.void.map(|v| VoidView {
                    reason: v.reason,
                    actor: v.actor,
                    voided_on: v.voided_on.to_string(),
                    replaced_by: v.replaced_by,
                }),
            }
        })
        .collect();
    Ok(Json(views))
}

/// A void, with an optional correction registered in the same act.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    /// Why (required).
    pub reason: String,
    /// The corrected record, if any.
    pub correction: Option<RecordBody>,
}

/// Voids a record, optionally registering its correction in the same ledger batch.
#[utoipa::path(post, path = "/api/records/{record_id}/void", tag = "records",
    params(("record_id" = i64, Path, description = "记录编号")),
    request_body = VoidBody,
    responses(
        (status = 201, description = "已作废（及更正），附账本位置", body = Registered),
        (status = 400, description = "缺少理由或更正记录无效", body = ErrorBody),
        (status = 403, description = "无权作废", body = ErrorBody),
        (status = 404, description = "记录不存在", body = ErrorBody),
        (status = 409, description = "已作废，或更正记录所属年度登记已截止", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn void(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(record_id): ApiPath<i64>,
    ApiJson(body): ApiJson<VoidBody>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let today = today(&state)?;
    let person_id = records::record_person(&state.db, record_id).await?;
    let (target, _) = person_target(&state, person_id, today).await?;
    allow(&state, &acting.principal, Action::VoidRecord, &target)?;
    let actor = access::actor(&acting);
    let correction = match &body.correction {
        Some(c) => {
            let new = c.to_new(person_id, label_or_new(c.label.as_deref())?, today, &actor)?;
            check_open(&state, &new.record, today)?;
            Some(new)
        }
        None => None,
    };
    let act = Act {
        actor: &actor,
        region: acting.region,
        on: today,
        now_ms: state.now_ms(),
    };
    let written = records::void(
        &state.db,
        &state.signer,
        record_id,
        &body.reason,
        correction.as_ref(),
        act,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(registered(&state, written).await?),
    ))
}

/// The hash of an uploaded evidence file.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EvidenceRef {
    /// SHA-256 (hex): name it as a record's `evidence`.
    pub hash: String,
    pub media_type: String,
    pub size: usize,
}

/// Uploads an evidence file (PDF, JPEG or PNG, at most 10 MiB) as the raw request body with
/// its `Content-Type`. Content-addressed: the same bytes give the same hash.
#[utoipa::path(post, path = "/api/evidence", tag = "records",
    request_body(description = "PDF、JPEG 或 PNG 文件，以其 Content-Type 上传",
        content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
    responses(
        (status = 201, description = "已保存", body = EvidenceRef),
        (status = 400, description = "内容与所报文件类型不符（evidence.type）", body = ErrorBody),
        (status = 403, description = "只有专业技术人员和单位可以上传；CSRF 令牌缺失或不符", body = ErrorBody),
        (status = 413, description = "文件超过 10 MiB（evidence.too_large / request.too_large）", body = ErrorBody),
        (status = 415, description = "只接受 PDF、JPEG、PNG（evidence.type）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    acting: Acting,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<{ evidence::MAX_BYTES + 1 }>,
) -> Result<(StatusCode, Json<EvidenceRef>), ApiError> {
    if !Action::RegisterRecord
        .allowed_roles()
        .contains(&acting.principal.role())
    {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有专业技术人员和单位可以上传证明材料",
        ));
    }
    let media_type = access::media_type(&headers);
    // A type the store never keeps is the request's media type, not its content: 415.
    if !evidence::ACCEPTED.contains(&media_type.as_str()) {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "evidence.type",
            "证明材料只接受 PDF、JPEG、PNG 文件（Content-Type 须为 application/pdf、image/jpeg 或 image/png）",
        ));
    }
    let hash = evidence::store_evidence(&state.db, &media_type, &body, state.now_ms()).await?;
    Ok((
        StatusCode::CREATED,
        Json(EvidenceRef {
            hash: access::hash_hex(&hash),
            media_type,
            size: body.len(),
        }),
    ))
}
