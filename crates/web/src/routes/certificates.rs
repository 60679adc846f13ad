//! The continuing-education certificate (继续教育证书): issuing it (the professional for
//! themself, a bureau within its jurisdiction), reading its signed credential (JSON) and its
//! PDF, revoking it (a bureau, with a reason; a ledger act written to the audit trail), and —
//! without login — the signed Bitstring Status List and the public checklist of a certificate
//! by number or of a pasted credential: signature, issuer, the ledger entry with its inclusion
//! proof against the latest signed checkpoint, revocation. The checklist shows no personal data
//! but the masked name.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use xueshi_app::Action;
use xueshi_certificate::credential::{self, Offline};
use xueshi_certificate::pdf::{self, PdfError, Print};
use xueshi_certificate::{proof, status};
use xueshi_ledger::merkle::{leaf_hash, verify_inclusion};
use xueshi_ledger::note::verify_checkpoint;
use xueshi_store::certificates::{self, Issued, Issuing};
use xueshi_store::{StoreError, ledger};

use crate::access::{self, Receipt, allow, hash_hex, person_target, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

/// What issuing answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuedView {
    /// 证书编号.
    pub number: String,
    /// The signed credential (W3C VC 2.0 / Open Badges 3.0, eddsa-jcs-2022).
    #[schema(value_type = Object)]
    pub credential: Value,
    /// Where the issue act sits in the ledger.
    pub receipt: Receipt,
    /// The signed checkpoint (C2SP note) of the batch.
    pub checkpoint: Option<String>,
    /// The credential (JSON), the PDF and the public verification page.
    pub json_url: String,
    pub pdf_url: String,
    pub verify_url: String,
}

/// Issues a certificate of the person's hours as they stand today.
#[utoipa::path(post, path = "/api/persons/{person_id}/certificates", tag = "certificates",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 201, description = "已签发，附账本位置", body = IssuedView),
        (status = 400, description = "尚无计入学时的记录（certificate.empty）", body = ErrorBody),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn issue(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<(StatusCode, Json<IssuedView>), ApiError> {
    let today = today(&state)?;
    let (target, _) = person_target(&state, person_id, today).await?;
    allow(&state, &acting.principal, Action::IssueCertificate, &target)?;
    let actor = access::actor(&acting);
    let issuing = Issuing {
        key: &state.issuer,
        issuer_name: &state.issuer_name,
        public_url: &state.public_url,
    };
    let (issued, inclusion) = certificates::issue(
        &state.db,
        &state.policy,
        &state.signer,
        issuing,
        person_id,
        access::act(&state, &actor, &acting)?,
    )
    .await?;
    tracing::info!(number = %issued.row.number, entry = issued.row.entry_index, "certificate issued");
    let number = issued.row.number.clone();
    Ok((
        StatusCode::CREATED,
        Json(IssuedView {
            credential: issued.credential()?,
            receipt: Receipt::from(&inclusion),
            checkpoint: ledger::latest_note(&state.db).await?,
            json_url: format!("/api/certificates/{number}"),
            pdf_url: format!("/api/certificates/{number}/pdf"),
            verify_url: certificates::verify_url(&state.public_url, &number),
            number,
        }),
    ))
}

/// A certificate as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CertificateView {
    pub number: String,
    pub issued_on: String,
    /// When revoked, the day and the reason.
    pub revoked_on: Option<String>,
    pub revoked_reason: Option<String>,
    /// The number of the newer certificate that covers every year of this one, when one does
    /// (this one then no longer reads as current).
    pub superseded_by: Option<String>,
    pub entry_index: i64,
    pub page_url: String,
    pub pdf_url: String,
    pub verify_url: String,
}

/// A person's certificates, oldest first, for whoever may view the person's records.
#[utoipa::path(get, path = "/api/persons/{person_id}/certificates", tag = "certificates",
    params(("person_id" = i64, Path, description = "人员内部编号")),
    responses(
        (status = 200, description = "已签发的证书", body = [CertificateView]),
        (status = 403, description = "以会话 Cookie 修改数据时 CSRF 令牌缺失或不符（csrf.*）、须先修改初始密码（password.must_change）或须以账号登录（auth.session_required）；无权查看或操作该人员时答 404，与人员不存在相同", body = ErrorBody),
        (status = 404, description = "人员不存在、该日期没有任职单位或不在调用者的查看范围内（person.not_found，三者答复相同）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn of_person(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(person_id): ApiPath<i64>,
) -> Result<Json<Vec<CertificateView>>, ApiError> {
    let (target, _) = person_target(&state, person_id, today(&state)?).await?;
    allow(&state, &acting.principal, Action::ViewRecords, &target)?;
    let list = certificates::of_person(&state.db, person_id).await?;
    let superseding = certificates::superseding(&list);
    let numbers: Vec<String> = list.iter().map(|c| c.row.number.clone()).collect();
    Ok(Json(
        list.into_iter()
            .zip(superseding)
            .map(|(c, by)| {
                let number = c.row.number;
                CertificateView {
                    superseded_by: by.and_then(|j| numbers.get(j).cloned()),
                    issued_on: c.row.issued_on.to_string(),
                    revoked_on: c.revocation.as_ref().map(|r| r.revoked_on.to_string()),
                    revoked_reason: c.revocation.map(|r| r.reason),
                    entry_index: c.row.entry_index,
                    page_url: format!("/certificates/{number}"),
                    pdf_url: format!("/api/certificates/{number}/pdf"),
                    verify_url: certificates::verify_url(&state.public_url, &number),
                    number,
                }
            })
            .collect(),
    ))
}

/// A certificate by number, for one who may view the person's records.
pub async fn viewable(state: &AppState, acting: &Acting, number: &str) -> Result<Issued, ApiError> {
    let issued = certificates::by_number(&state.db, number).await?;
    let (target, _) = person_target(state, issued.row.person_id, today(state)?).await?;
    allow(state, &acting.principal, Action::ViewRecords, &target)?;
    Ok(issued)
}

/// The signed credential of a certificate, exactly as issued.
#[utoipa::path(get, path = "/api/certificates/{number}", tag = "certificates",
    params(("number" = String, Path, description = "证书编号")),
    responses(
        (status = 200, description = "可验证凭证（JSON）", body = Object),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "证书不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn credential_json(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<Value>, ApiError> {
    let issued = viewable(&state, &acting, &number).await?;
    Ok(Json(issued.credential()?))
}

/// The agency a certificate names as its issuer: the HR bureau whose verification stamp
/// covers its latest verified year (the agency people know for it), else the issuer named in
/// its credential (the configured `--issuer-name`, e.g. the provincial department).
pub fn issuing_agency(
    state: &AppState,
    vc: &Value,
    cert: &xueshi_certificate::Certificate,
) -> String {
    cert.years
        .iter()
        .rev()
        .find_map(|y| y.verification.as_ref())
        .map(|s| certificates::stamp_agency(&s.by).to_owned())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| {
            vc.pointer("/issuer/name")
                .and_then(Value::as_str)
                .unwrap_or(&state.issuer_name)
                .to_owned()
        })
}

/// The holder's full name when the holder is the one viewing (their own copy), else `None`
/// (others read the masked name the credential carries).
pub async fn own_full_name(
    state: &AppState,
    acting: &Acting,
    issued: &Issued,
) -> Result<Option<String>, ApiError> {
    if acting.account.person_id != Some(issued.row.person_id) {
        return Ok(None);
    }
    Ok(xueshi_store::names::person_name(&state.db, issued.row.person_id).await?)
}

/// The PDF of a certificate, rendered from its signed credential; `full_name` on the holder's
/// own copy.
pub async fn render_pdf(
    state: &AppState,
    issued: &Issued,
    full_name: Option<String>,
) -> Result<Vec<u8>, ApiError> {
    let vc = issued.credential()?;
    let cert = credential::certificate_of(&vc).ok_or_else(|| {
        ApiError::internal("certificate.corrupt", &"stored credential unreadable")
    })?;
    let font = state.cjk_font().map_err(font_error)?;
    let issuer_name = issuing_agency(state, &vc, &cert);
    let verify_url = certificates::verify_url(&state.public_url, &issued.row.number);
    let revoked = issued.revocation.is_some();
    // Shaping and subsetting a CJK font takes CPU time: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || {
        pdf::render(
            &cert,
            &Print {
                issuer_name: &issuer_name,
                verify_url: &verify_url,
                revoked,
                full_name: full_name.as_deref(),
            },
            &font,
        )
    })
    .await
    .map_err(|e| ApiError::internal("pdf.task", &e))?;
    bytes.map_err(|e| match e {
        PdfError::Font(f) => font_error(f),
        PdfError::Render(r) => ApiError::internal("pdf.render", &r),
    })
}

/// No usable CJK font: 503 with the message naming the package to install.
fn font_error(e: pdf::FontError) -> ApiError {
    tracing::warn!(error = %e, "no CJK font for PDF certificates");
    ApiError::new(StatusCode::SERVICE_UNAVAILABLE, e.code(), e.to_string())
}

/// The certificate as a PDF (A4, Chinese text embedded, QR code of the verification page).
#[utoipa::path(get, path = "/api/certificates/{number}/pdf", tag = "certificates",
    params(("number" = String, Path, description = "证书编号")),
    responses(
        (status = 200, description = "PDF 证书", content_type = "application/pdf", body = Vec<u8>),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "证书不存在", body = ErrorBody),
        (status = 503, description = "服务器未安装中文字体（pdf.font_missing）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn pdf(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(number): ApiPath<String>,
) -> Result<Response, ApiError> {
    let issued = viewable(&state, &acting, &number).await?;
    let full_name = own_full_name(&state, &acting, &issued).await?;
    let bytes = render_pdf(&state, &issued, full_name).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.pdf\"", issued.row.number),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A revocation.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeBody {
    /// Why (required).
    pub reason: String,
}

/// What a revocation answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevokedView {
    pub number: String,
    pub revoked_on: String,
    pub receipt: Receipt,
    pub checkpoint: Option<String>,
}

/// Revokes a certificate (a bureau within its jurisdiction; a reason is required).
#[utoipa::path(post, path = "/api/certificates/{number}/revoke", tag = "certificates",
    params(("number" = String, Path, description = "证书编号")),
    request_body = RevokeBody,
    responses(
        (status = 201, description = "已撤销，附账本位置", body = RevokedView),
        (status = 400, description = "缺少理由（certificate.reason）", body = ErrorBody),
        (status = 403, description = "无权撤销", body = ErrorBody),
        (status = 404, description = "证书不存在", body = ErrorBody),
        (status = 409, description = "已撤销", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
    ))]
pub async fn revoke(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(number): ApiPath<String>,
    ApiJson(body): ApiJson<RevokeBody>,
) -> Result<(StatusCode, Json<RevokedView>), ApiError> {
    let issued = certificates::by_number(&state.db, &number).await?;
    let (target, _) = person_target(&state, issued.row.person_id, today(&state)?).await?;
    allow(
        &state,
        &acting.principal,
        Action::RevokeCertificate,
        &target,
    )?;
    if issued.revocation.is_some() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "certificate.revoked",
            "该证书已撤销",
        ));
    }
    let actor = access::actor(&acting);
    let (row, inclusion) = certificates::revoke(
        &state.db,
        &state.signer,
        &number,
        &body.reason,
        access::act(&state, &actor, &acting)?,
    )
    .await?;
    tracing::info!(number = %row.number, entry = row.entry_index, "certificate revoked");
    Ok((
        StatusCode::CREATED,
        Json(RevokedView {
            number: row.number,
            revoked_on: row.revoked_on.to_string(),
            receipt: Receipt::from(&inclusion),
            checkpoint: ledger::latest_note(&state.db).await?,
        }),
    ))
}

/// The signed `BitstringStatusListCredential` of list `list` (public: verifiers fetch it).
#[utoipa::path(get, path = "/credentials/status/{list}", tag = "certificates",
    params(("list" = i64, Path, description = "状态列表编号")),
    responses(
        (status = 200, description = "签名的撤销状态列表凭证", body = Object),
        (status = 404, description = "没有该状态列表", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
    ))]
pub async fn status_list(
    State(state): State<AppState>,
    ApiPath(list): ApiPath<i64>,
) -> Result<Json<Value>, ApiError> {
    if !certificates::status_list_exists(&state.db, list).await? {
        return Err(ApiError::not_found(
            "status_list.not_found",
            "没有该状态列表",
        ));
    }
    let bits = certificates::status_bits(&state.db, list).await?;
    let url = certificates::status_list_url(&state.public_url, list);
    let now = credential::datetime(state.now_ms());
    let mut vc = status::list_credential(&url, state.issuer.did(), &now, &bits);
    state
        .issuer
        .sign(&mut vc, &now)
        .map_err(|e| ApiError::internal("status_list.sign", &e))?;
    Ok(Json(vc))
}

/// One line of the checklist.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Item {
    pub ok: bool,
    /// Chinese, for people.
    pub message: String,
}

/// The issuer: who the credential names, and whether it is this system's key that signed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IssuerItem {
    pub ok: bool,
    pub message: String,
    pub id: Option<String>,
    pub name: Option<String>,
    /// This system's issuer key (`did:key`).
    pub expected: String,
}

/// The ledger entry of the certificate and its proof against the latest signed checkpoint.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LedgerItem {
    pub ok: bool,
    pub message: String,
    pub entry_index: Option<u64>,
    /// The leaf the ledger holds (hex).
    pub leaf: Option<String>,
    /// The presented credential's hash matches the one the leaf covers.
    pub leaf_matches: bool,
    pub tree_size: Option<u64>,
    pub root: Option<String>,
    /// RFC 9162 audit path (hex), leaf's sibling first.
    pub proof: Vec<String>,
    /// The proof leads from the leaf to the checkpoint's root.
    pub proof_verified: bool,
    /// The checkpoint's signature is the ledger's key.
    pub checkpoint_signed: bool,
    /// The signed checkpoint note (C2SP).
    pub checkpoint: Option<String>,
}

/// Revocation, by the ledger's revocation acts (also in the status list).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RevocationItem {
    pub ok: bool,
    pub message: String,
    pub revoked: bool,
    pub revoked_on: Option<String>,
    pub status_list: Option<String>,
    pub status_index: Option<u64>,
}

/// The public checklist of a certificate.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Checklist {
    /// Every item passed.
    pub valid: bool,
    pub number: Option<String>,
    /// The holder's masked name (the only personal data shown).
    pub masked_name: Option<String>,
    pub issued_on: Option<String>,
    /// VC 2.0 / Open Badges 3.0 shape.
    pub format: Item,
    pub signature: Item,
    pub issuer: IssuerItem,
    pub ledger: LedgerItem,
    pub revocation: RevocationItem,
    /// Whether this is the holder's current certificate: not replaced by a newer one covering
    /// the same years.
    pub current: Item,
    /// The number of the newer certificate that replaces this one.
    pub superseded_by: Option<String>,
    /// What the certificate of this number says, year by year, as the system issued it (never
    /// as presented): whoever holds a paper compares its hours and stamps with these, so a
    /// genuine number printed on a forged paper shows up.
    pub years: Vec<PublicYear>,
}

/// One year of a certificate as the public page shows it. Hours are exact tenths written as
/// text (`"90"`, `"12.5"`), as in the credential.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicYear {
    pub year: i32,
    /// The year met its requirement.
    pub compliant: bool,
    pub credited_total: String,
    pub credited_professional: String,
    pub credited_public: String,
    pub required_total: String,
    pub required_professional: String,
    /// The industry authority's review stamp (审核章): agency and day.
    pub review: Option<PublicStamp>,
    /// The HR bureau's verification stamp (核验章): agency and day.
    pub verification: Option<PublicStamp>,
}

/// A stamp on the public page: who gave it as the certificate names them, and the day.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicStamp {
    pub by: String,
    pub on: String,
}

impl PublicYear {
    fn of(y: &xueshi_certificate::YearSection) -> Self {
        let stamp = |s: &Option<xueshi_certificate::Stamp>| {
            s.as_ref().map(|s| PublicStamp {
                by: s.by.clone(),
                on: s.on.to_string(),
            })
        };
        Self {
            year: y.year,
            compliant: y.compliant,
            credited_total: y.credited.total.to_string(),
            credited_professional: y.credited.professional.to_string(),
            credited_public: y.credited.public.to_string(),
            required_total: y.required.total.to_string(),
            required_professional: y.required.professional.to_string(),
            review: stamp(&y.review),
            verification: stamp(&y.verification),
        }
    }
}

/// The checklist of `presented` (a credential), against the certificate of its number if
/// the store has one.
pub async fn checklist(
    state: &AppState,
    presented: &Value,
    issued: Option<&Issued>,
) -> Result<Checklist, ApiError> {
    let offline: Offline = credential::check(presented);
    let expected = state.issuer.did().to_owned();
    let issuer_ok = offline.issuer_signed && offline.issuer_id.as_deref() == Some(&expected);
    let issuer = IssuerItem {
        ok: issuer_ok,
        message: if issuer_ok {
            format!(
                "由本系统签发（{}）",
                offline.issuer_name.as_deref().unwrap_or("—")
            )
        } else if offline.issuer_signed {
            "签发方不是本系统的签发密钥".to_owned()
        } else {
            "签发方与签名密钥不一致".to_owned()
        },
        id: offline.issuer_id.clone(),
        name: offline.issuer_name.clone(),
        expected,
    };
    let signature = match &offline.signature {
        Ok(_) => Item {
            ok: true,
            message: "签名有效（eddsa-jcs-2022）".to_owned(),
        },
        Err(e) => Item {
            ok: false,
            message: e.to_string(),
        },
    };
    let format = Item {
        ok: offline.format,
        message: if offline.format {
            "W3C 可验证凭证 2.0 / Open Badges 3.0 格式".to_owned()
        } else {
            "不是本系统的继续教育证书凭证格式".to_owned()
        },
    };
    let ledger = ledger_item(state, presented, issued).await?;
    let revocation = match issued {
        None => RevocationItem {
            ok: false,
            message: "本系统没有该证书，无法确认撤销状态".to_owned(),
            revoked: false,
            revoked_on: None,
            status_list: offline.status.as_ref().map(|s| s.list_url.clone()),
            status_index: offline.status.as_ref().map(|s| s.index),
        },
        Some(i) => RevocationItem {
            ok: i.revocation.is_none(),
            message: match &i.revocation {
                None => "未撤销".to_owned(),
                Some(r) => format!("已于 {} 撤销", r.revoked_on),
            },
            revoked: i.revocation.is_some(),
            revoked_on: i.revocation.as_ref().map(|r| r.revoked_on.to_string()),
            status_list: Some(certificates::status_list_url(
                &state.public_url,
                i.row.status_list,
            )),
            status_index: u64::try_from(i.row.status_index).ok(),
        },
    };
    // The masked name, date and years as issued, not as presented (a forgery could say
    // anything).
    let stored = issued
        .and_then(|i| i.credential().ok())
        .and_then(|v| credential::certificate_of(&v));
    let years = stored
        .as_ref()
        .map(|c| c.years.iter().map(PublicYear::of).collect())
        .unwrap_or_default();
    let shown = stored.or(offline.certificate.clone());
    let superseded_by = match issued {
        Some(i) => certificates::superseded_by(&state.db, i).await?,
        None => None,
    };
    let current = match (&superseded_by, issued) {
        (Some(newer), _) => Item {
            ok: false,
            message: format!(
                "已被 {} 年 {} 月 {} 日签发的证书 {} 取代，请以新证书为准",
                newer.row.issued_on.year(),
                newer.row.issued_on.month(),
                newer.row.issued_on.day(),
                newer.row.number
            ),
        },
        (None, Some(_)) => Item {
            ok: true,
            message: "是持证人目前有效的最新证书".to_owned(),
        },
        (None, None) => Item {
            ok: false,
            message: "本系统没有该证书，无法确认是否为最新证书".to_owned(),
        },
    };
    Ok(Checklist {
        valid: format.ok && signature.ok && issuer.ok && ledger.ok && revocation.ok && current.ok,
        number: issued
            .map(|i| i.row.number.clone())
            .or_else(|| offline.certificate.as_ref().map(|c| c.number.clone())),
        masked_name: shown.as_ref().map(|c| c.holder.masked_name.clone()),
        issued_on: shown.as_ref().map(|c| c.issued_on.to_string()),
        format,
        signature,
        issuer,
        ledger,
        revocation,
        current,
        superseded_by: superseded_by.map(|i| i.row.number),
        years,
    })
}

async fn ledger_item(
    state: &AppState,
    presented: &Value,
    issued: Option<&Issued>,
) -> Result<LedgerItem, ApiError> {
    let mut item = LedgerItem {
        ok: false,
        message: String::new(),
        entry_index: None,
        leaf: None,
        leaf_matches: false,
        tree_size: None,
        root: None,
        proof: Vec::new(),
        proof_verified: false,
        checkpoint_signed: false,
        checkpoint: None,
    };
    let Some(issued) = issued else {
        item.message = "账本中没有该编号的证书".to_owned();
        return Ok(item);
    };
    let proof = match certificates::ledger_proof(&state.db, issued.row.entry_index).await {
        Ok(p) => p,
        Err(StoreError::NotFound(_)) => {
            item.message = "账本中没有该证书的条目".to_owned();
            return Ok(item);
        }
        Err(e) => return Err(e.into()),
    };
    // The leaf the presented credential would have: the issued row with its hash.
    let presented_hash = proof::jcs_sha256(presented).ok();
    let leaf_matches = presented_hash.is_some_and(|h| {
        let mut row = issued.row.clone();
        row.credential_hash = h;
        leaf_hash(&row.canonical()) == proof.leaf
    });
    let proof_verified = verify_inclusion(
        &proof.leaf,
        proof.entry_index,
        proof.tree_size,
        &proof.path,
        &proof.root,
    )
    .is_ok();
    let checkpoint_signed = verify_checkpoint(&proof.checkpoint, &state.signer.verifier())
        .is_ok_and(|c| c.size == proof.tree_size && c.root == proof.root);
    item.ok = leaf_matches && proof_verified && checkpoint_signed;
    item.message = if !leaf_matches {
        "凭证内容与账本记录的哈希不符：凭证被修改".to_owned()
    } else if !(proof_verified && checkpoint_signed) {
        "账本包含证明未能通过最新签名检查点的验证".to_owned()
    } else {
        format!(
            "已记入账本第 {} 条，包含证明通过最新签名检查点（{} 条）验证",
            proof.entry_index, proof.tree_size
        )
    };
    item.entry_index = Some(proof.entry_index);
    item.leaf = Some(hash_hex(&proof.leaf));
    item.leaf_matches = leaf_matches;
    item.tree_size = Some(proof.tree_size);
    item.root = Some(hash_hex(&proof.root));
    item.proof = proof.path.iter().map(hash_hex).collect();
    item.proof_verified = proof_verified;
    item.checkpoint_signed = checkpoint_signed;
    item.checkpoint = Some(proof.checkpoint);
    Ok(item)
}

/// One anonymous certificate look-up, taken from the client address's allowance
/// ([`crate::throttle::Throttle::lookup`]). Over it: 429 `lookup.throttled` with `Retry-After`
/// — JSON under `/api/`, the error page elsewhere.
#[derive(Clone, Copy, Debug)]
pub struct PublicLookup;

impl axum::extract::FromRequestParts<AppState> for PublicLookup {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let address = crate::throttle::client_address(parts, state.throttle.config());
        let Err(wait_ms) = state.throttle.lookup(address, state.now_ms()) else {
            return Ok(Self);
        };
        let seconds = wait_ms.max(1).saturating_add(999) / 1000;
        let e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "lookup.throttled",
            format!("证书查询过于频繁，请 {seconds} 秒后再试"),
        );
        let mut res = if parts.uri.path().starts_with("/api/") {
            e.into_response()
        } else {
            crate::pages::PageError::Api(e).into_response()
        };
        if let Ok(v) = header::HeaderValue::from_str(&seconds.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        Err(res)
    }
}

/// The public checklist of a certificate by its number (from the QR code; no login).
#[utoipa::path(get, path = "/api/public/certificates/{number}/check", tag = "certificates",
    params(("number" = String, Path, description = "证书编号")),
    responses(
        (status = 200, description = "核验清单", body = Checklist),
        (status = 404, description = "证书不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 429, description = "本地址的证书查询过于频繁，须等待后再试（lookup.throttled）", body = ErrorBody,
            headers(("retry-after" = String, description = "须等待的秒数"))),
    ))]
pub async fn check_number(
    State(state): State<AppState>,
    _lookup: PublicLookup,
    ApiPath(number): ApiPath<String>,
) -> Result<Json<Checklist>, ApiError> {
    let issued = certificates::by_number(&state.db, &number).await?;
    let vc = issued.credential()?;
    Ok(Json(checklist(&state, &vc, Some(&issued)).await?))
}

/// The public checklist of a pasted or uploaded credential (JSON; no login).
#[utoipa::path(post, path = "/api/public/certificates/check", tag = "certificates",
    request_body(content = Object, description = "可验证凭证（JSON）"),
    responses(
        (status = 200, description = "核验清单（篡改的凭证：签名与账本哈希均不通过）", body = Checklist),
        (status = 400, description = "不是 JSON", body = ErrorBody),
        (status = 415, description = "请求体须为 JSON（Content-Type: application/json；request.content_type）", body = ErrorBody),
        (status = 429, description = "本地址的证书查询过于频繁，须等待后再试（lookup.throttled）", body = ErrorBody,
            headers(("retry-after" = String, description = "须等待的秒数"))),
    ))]
pub async fn check_presented(
    State(state): State<AppState>,
    _lookup: PublicLookup,
    ApiJson(presented): ApiJson<Value>,
) -> Result<Json<Checklist>, ApiError> {
    Ok(Json(check_value(&state, &presented).await?))
}

/// The checklist of a presented credential, against the certificate of the number it names.
pub async fn check_value(state: &AppState, presented: &Value) -> Result<Checklist, ApiError> {
    let number = credential::certificate_of(presented)
        .map(|c| c.number)
        .or_else(|| {
            presented
                .pointer("/credentialSubject/certificate/number")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let issued = match number {
        Some(n) => match certificates::by_number(&state.db, &n).await {
            Ok(i) => Some(i),
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        },
        None => None,
    };
    checklist(state, presented, issued.as_ref()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_font_is_a_503_that_names_the_package() {
        let e = font_error(pdf::FontError::Missing { configured: None });
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.code(), "pdf.font_missing");
        assert!(e.body().message.contains("fonts-noto-cjk"));
    }
}
