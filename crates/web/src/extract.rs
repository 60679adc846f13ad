//! Extractors that wrap axum's JSON body, path and query extractors so that their rejections
//! become [`ApiError`]s (a 4xx with a stable code) instead of axum's plain-text responses.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let axum::Json(value) = axum::Json::<T>::from_request(req, state).await?;
        Ok(Self(value))
    }
}

/// Path parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Path(value) =
            axum::extract::Path::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// Query parameters.
#[derive(Clone, Copy, Debug, Default)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}

/// A raw request body of at most `LIMIT` bytes: larger is `request.too_large` (413), other
/// failures to read it `request.body` (400) — as JSON errors, not axum's plain text.
#[derive(Clone, Debug, Default)]
pub struct ApiBytes<const LIMIT: usize>(pub axum::body::Bytes);

impl<S, const LIMIT: usize> FromRequest<S> for ApiBytes<LIMIT>
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let body = req.into_body();
        match axum::body::to_bytes(body, LIMIT).await {
            Ok(bytes) => Ok(Self(bytes)),
            Err(e) => {
                // `to_bytes` fails on the limit or on a broken stream; only the first is the client's size.
                let too_large = std::error::Error::source(&e)
                    .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
                Err(if too_large {
                    ApiError::new(
                        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                        "request.too_large",
                        format!("请求体过大：上限 {LIMIT} 字节"),
                    )
                } else {
                    ApiError::bad_request("request.body", "无法读取请求体")
                })
            }
        }
    }
}
