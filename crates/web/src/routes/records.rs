//! Registration (D1, D5, D10, D11): the JSON adapter over `xueshi_app::records`, which holds
//! each use case (register, list, void or correct with a reason, evidence upload). Every write
//! answers with its place in the ledger.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use xueshi_app::records::{self, RecordWriter};
pub use xueshi_app::records::{
    EvidenceRef, RecordBody, RecordView, Registered, VoidBody, VoidView,
};
use xueshi_store::StoreError;
use xueshi_store::evidence;
use xueshi_store::ledger::Inclusion;
use xueshi_store::records::NewRecord;

use crate::access;
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBytes, ApiJson, ApiPath};
use crate::registrations::Registrations;
use crate::state::AppState;

impl RecordWriter for Registrations {
    async fn write(
        &self,
        record: NewRecord,
        region: Option<xueshi_domain::RegionCode>,
    ) -> Result<(i64, Inclusion), StoreError> {
        self.register(record, region).await
    }
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
    let done = records::register(
        &state.ctx(),
        &acting,
        person_id,
        &body,
        state.registrations(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(done)))
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
    Ok(Json(records::list(&state.ctx(), &acting, person_id).await?))
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
    let done = records::void(&state.ctx(), &acting, record_id, &body).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Uploads an evidence file (PDF, JPEG or PNG, at most 10 MiB) as the raw request body with
/// its `Content-Type`. Content-addressed: the same bytes give the same hash.
#[utoipa::path(post, path = "/api/evidence", tag = "records",
    request_body(description = "PDF、JPEG 或 PNG 文件，以其 Content-Type 上传",
        content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
    responses(
        (status = 201, description = "已保存", body = EvidenceRef),
        (status = 400, description = "内容与所报文件类型不符（evidence.type）", body = ErrorBody),
        (status = 403, description = "只有专业技术人员、单位和培训机构可以上传；CSRF 令牌缺失或不符", body = ErrorBody),
        (status = 413, description = "文件超过 10 MiB（evidence.too_large / request.too_large）", body = ErrorBody),
        (status = 415, description = "只接受 PDF、JPEG、PNG（evidence.type）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn upload_evidence(
    State(state): State<AppState>,
    agent: crate::auth::Agent,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<{ evidence::MAX_BYTES + 1 }>,
) -> Result<(StatusCode, Json<EvidenceRef>), ApiError> {
    let media_type = access::media_type(&headers);
    let done = records::upload_evidence(&state.ctx(), &agent, &media_type, &body).await?;
    Ok((StatusCode::CREATED, Json(done)))
}

/// Opens the evidence file behind one of a person's records, for those who may read the
/// person's records; an official's or a unit's view is written in the audit trail first.
/// Served inline with its stored type (checked by its first bytes when it was uploaded) and
/// never cached.
#[utoipa::path(get, path = "/api/persons/{person_id}/evidence/{hash}", tag = "records",
    params(("person_id" = i64, Path), ("hash" = String, Path, description = "证明材料的 SHA-256（64 位十六进制）")),
    responses(
        (status = 200, description = "证明材料文件",
            content((Vec<u8> = "application/pdf"), (Vec<u8> = "image/jpeg"), (Vec<u8> = "image/png"))),
        (status = 400, description = "摘要格式不正确（evidence.hash）；路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 403, description = "无权查看该人员的记录", body = ErrorBody),
        (status = 404, description = "人员不存在，或其记录中没有这份证明材料（person.not_found / evidence.not_found）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn evidence_file(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath((person_id, hash)): ApiPath<(i64, String)>,
) -> Result<Response, ApiError> {
    let file = records::evidence_file(&state.ctx(), &acting, person_id, &hash).await?;
    Ok(serve_file(file))
}

/// An evidence file as answered: inline with its stored type (checked by its first bytes when
/// it was uploaded), named by its hash, never cached.
pub fn serve_file(file: records::EvidenceFile) -> Response {
    let ext = match file.media_type.as_str() {
        "application/pdf" => "pdf",
        "image/png" => "png",
        _ => "jpg",
    };
    (
        [
            (header::CONTENT_TYPE, file.media_type),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"evidence-{}.{ext}\"", &file.hash[..12]),
            ),
            (header::CACHE_CONTROL, "no-store, private".to_owned()),
        ],
        file.bytes,
    )
        .into_response()
}
