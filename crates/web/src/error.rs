//! [`ApiError`]: the one error of the web layer, rendered as JSON `{"code", "message"}` with a
//! stable code and a Chinese message. A use case's `xueshi_app::Error` maps here by its kind
//! (store errors, refusals of `xueshi_app::authorize` and engine errors through it), and
//! axum's request rejections too: malformed input is a 4xx, never a 500. A 500 says only `internal`; its detail goes to the log (`tracing`), never to the client.
//! Messages are fixed text or the store's own (which never carry an ID number or a secret);
//! nothing the client sent is echoed back.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xueshi_app::{Denied, Kind, ScopeError};
use xueshi_policy::EvalError;
use xueshi_store::StoreError;

/// An error as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs: e.g. `auth.failed`, `auth.jurisdiction`, `csrf.missing`.
    pub code: String,
    /// Chinese, for people.
    pub message: String,
}

/// An error with its HTTP status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

const INTERNAL: &str = "服务器内部错误，请稍后再试";

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The Chinese message, for people.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// 400: the request is malformed or invalid.
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// 401: no (valid) credentials.
    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "auth.required", "请先登录")
    }

    /// 403 with a code.
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, code, message)
    }

    /// 404 with a code.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, code, message)
    }

    /// 500: opaque to the client; `detail` goes to the log only.
    pub fn internal(code: &str, detail: &dyn std::fmt::Display) -> Self {
        tracing::error!(code, %detail, "internal error");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", INTERNAL)
    }

    pub fn no_route() -> Self {
        Self::not_found("route.not_found", "没有这个接口")
    }

    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "route.method",
            "该接口不支持此请求方法",
        )
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            code: self.code.to_owned(),
            message: self.message.clone(),
        }
    }
}

/// The code of an error answer, kept on the response for middleware that rewrites answers by
/// their code ([`crate::access::hide_persons`]) without reading the body back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ErrorCode(pub &'static str);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, axum::Json(self.body())).into_response();
        res.extensions_mut().insert(ErrorCode(self.code));
        res
    }
}

impl From<xueshi_app::Error> for ApiError {
    /// The one place a use case's error kind becomes an HTTP status.
    fn from(e: xueshi_app::Error) -> Self {
        let status = match e.kind {
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::Denied => StatusCode::FORBIDDEN,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Invalid => StatusCode::BAD_REQUEST,
            Kind::Unprocessable => StatusCode::UNPROCESSABLE_ENTITY,
            Kind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::Unsupported => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::Locked => StatusCode::LOCKED,
            Kind::Unauthenticated => StatusCode::UNAUTHORIZED,
            Kind::Internal => return Self::internal(e.code, &e.message),
        };
        Self::new(status, e.code, e.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        xueshi_app::Error::from(e).into()
    }
}

impl From<Denied> for ApiError {
    fn from(d: Denied) -> Self {
        xueshi_app::Error::from(d).into()
    }
}

impl From<ScopeError> for ApiError {
    /// A stored account whose scope is not valid: the data is wrong, not the request.
    fn from(e: ScopeError) -> Self {
        xueshi_app::Error::from(e).into()
    }
}

impl From<EvalError> for ApiError {
    fn from(e: EvalError) -> Self {
        xueshi_app::Error::from(e).into()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "request.content_type",
                "请求体须为 JSON（Content-Type: application/json）",
            ),
            JsonRejection::JsonSyntaxError(_) => {
                Self::bad_request("request.json", "请求体不是有效的 JSON")
            }
            JsonRejection::JsonDataError(_) => {
                Self::bad_request("request.fields", "请求体缺少必填字段，或字段类型不正确")
            }
            JsonRejection::BytesRejection(b) if b.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Self::new(b.status(), "request.too_large", "请求体过大")
            }
            _ => Self::bad_request("request.body", "无法读取请求体"),
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        match r {
            PathRejection::FailedToDeserializePathParams(_) => {
                Self::bad_request("request.path", "路径参数格式不正确")
            }
            _ => Self::internal("request.path_missing", &r),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(_: QueryRejection) -> Self {
        Self::bad_request("request.query", "查询参数格式不正确")
    }
}
