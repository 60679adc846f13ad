//! Keeps the statistics summaries (`xueshi_store::summaries`) current while the server runs:
//! a background task prepares them once (the years whose rules changed, years not yet opened),
//! then drains (`summaries::drain`, as `xueshi statistics refresh` does) the queue of
//! person-years the database's triggers mark on every write — woken right after each
//! successful write request, and every few seconds anyway (writes by other processes: imports,
//! another server). Statistics requests also drain a little before answering.

use std::sync::LazyLock;
use std::time::Duration;

use axum::http::Method;
use axum::response::Response;
use tokio::sync::Notify;
use xueshi_store::summaries;

use crate::state::AppState;

/// How long the drain sleeps when the queue is empty and nobody wrote.
const IDLE: Duration = Duration::from_secs(5);

static WAKE: LazyLock<Notify> = LazyLock::new(Notify::new);

/// Wakes the drain: a write has just been committed.
pub fn wake() {
    WAKE.notify_one();
}

/// A step of the service's middleware (`crate::edge`): after a successful state-changing
/// request, wakes the drain. Writes mark their
/// person-years themselves (triggers); this only makes the refresh follow at once.
pub fn wake_after_writes(method: &Method, res: &Response) {
    let write = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    if write && res.status().is_success() {
        wake();
    }
}

/// Starts the background drain for the server's lifetime.
pub fn spawn(state: AppState) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = summaries::prepare(&state.db, &state.policy).await {
            tracing::error!(%e, "statistics summaries: prepare failed");
        }
        loop {
            // The same drain as `xueshi statistics refresh`: batches until no mark is left.
            match summaries::drain(
                &state.db,
                &state.policy,
                state.now_ms(),
                summaries::Scope::default(),
                &mut |_| {},
            )
            .await
            {
                Ok(_) => {
                    let _ = tokio::time::timeout(IDLE, WAKE.notified()).await;
                }
                Err(e) => {
                    tracing::error!(%e, "statistics summaries: refresh failed");
                    tokio::time::sleep(IDLE).await;
                }
            }
        }
    })
}
