//! The continuing-education certificate (继续教育证书): the JSON (and PDF) adapter over
//! `xueshi_app::certificates`, which holds each use case — issuing (the professional for
//! themself, a bureau within its jurisdiction), reading, revoking (a bureau, with a reason; a
//! ledger act with its audit line) and the public checklist of a certificate by number or of a
//! pasted credential. Here: rendering the PDF, serving the signed Bitstring Status List
//! (public), and the anonymous look-ups' allowance.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use xueshi_app::certificates;
pub use xueshi_app::certificates::{
    CertificateView, Checklist, IssuedView, IssuerItem, Item, LedgerItem, RevocationItem,
    RevokeBody, RevokedView,
};
use xueshi_certificate::pdf::{self, PdfError, Print};
use xueshi_store::certificates::Issued;

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath};
use crate::state::AppState;

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
    let issued = certificates::issue(&state.ctx(), state.issuing(), &acting, person_id).await?;
    tracing::info!(number = %issued.number, entry = issued.receipt.entry_index, "certificate issued");
    Ok((StatusCode::CREATED, Json(issued)))
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
    Ok(Json(
        certificates::of_person(&state.ctx(), &state.public_url, &acting, person_id).await?,
    ))
}

/// A certificate by number, for one who may view the person's records.
pub async fn viewable(state: &AppState, acting: &Acting, number: &str) -> Result<Issued, ApiError> {
    Ok(certificates::viewable(&state.ctx(), acting, number).await?)
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

/// The PDF of a certificate, rendered from its signed credential; `full_name` on the holder's
/// own copy.
pub async fn render_pdf(
    state: &AppState,
    issued: &Issued,
    full_name: Option<String>,
) -> Result<Vec<u8>, ApiError> {
    let certificates::Printed {
        certificate: cert,
        issuer_name,
    } = certificates::printed(issued, &state.issuer_name)?;
    let font = state.cjk_font().map_err(font_error)?;
    let verify_url = xueshi_store::certificates::verify_url(&state.public_url, &issued.row.number);
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
    let full_name = certificates::own_full_name(&state.ctx(), &acting, &issued).await?;
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
    let revoked = certificates::revoke(&state.ctx(), &acting, &number, &body).await?;
    tracing::info!(number = %revoked.number, entry = revoked.receipt.entry_index, "certificate revoked");
    Ok((StatusCode::CREATED, Json(revoked)))
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
    let vc = certificates::status_list(&state.ctx(), &state.issuing(), list).await?;
    Ok(Json(vc))
}

pub use crate::throttle::PublicLookup;

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
    Ok(Json(
        certificates::check_number(&state.ctx(), &state.issuing(), &number).await?,
    ))
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
    Ok(Json(
        certificates::check_value(&state.ctx(), &state.issuing(), &presented).await?,
    ))
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
