//! `GET /api/health`: whether the service is up and its database answers. No credentials, no
//! details beyond the backend's name.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when answered with 200.
    pub status: &'static str,
    /// `sqlite` or `postgres`.
    pub database: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/health", tag = "system",
    responses(
        (status = 200, description = "服务正常", body = Health),
        (status = 500, description = "数据库不可用", body = ErrorBody),
    ))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    xueshi_store::ledger::latest_note(&state.db).await?;
    Ok(Json(Health {
        status: "ok",
        database: match state.db.backend() {
            xueshi_store::Backend::Sqlite => "sqlite",
            xueshi_store::Backend::Postgres => "postgres",
        },
    }))
}
