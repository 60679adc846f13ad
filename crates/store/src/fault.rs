//! Failure points for tests: a test arms a named point, and the next time the store reaches it
//! (inside an act's transaction, between the act's write and its audit line) it fails as a
//! crash there would, so the test can show the act and its line commit both or neither.
//! Compiled only with the `fault-injection` feature, which only the test kit enables; without
//! it every point is a no-op the compiler removes.

use crate::error::StoreError;

/// Between an act's own write and its audit line.
pub const BEFORE_AUDIT: &str = "before-audit";

/// The armed point and the actor whose act trips it (so that tests running side by side in
/// one process do not trip each other's).
#[cfg(feature = "fault-injection")]
static ARMED: std::sync::Mutex<Option<(&'static str, String)>> = std::sync::Mutex::new(None);

/// Makes the next pass through `point` by an act of `actor` fail (once).
#[cfg(feature = "fault-injection")]
pub fn arm(point: &'static str, actor: &str) {
    if let Ok(mut armed) = ARMED.lock() {
        *armed = Some((point, actor.to_owned()));
    }
}

/// Fails if `point` is armed for `actor`, disarming it.
#[cfg(feature = "fault-injection")]
pub(crate) fn point(point: &'static str, actor: &str) -> Result<(), StoreError> {
    let hit = ARMED
        .lock()
        .map(|mut armed| armed.take_if(|(p, a)| *p == point && a == actor).is_some())
        .unwrap_or(false);
    if hit {
        return Err(StoreError::Ledger(format!("注入的故障：{point}")));
    }
    Ok(())
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn point(_point: &'static str, _actor: &str) -> Result<(), StoreError> {
    Ok(())
}
