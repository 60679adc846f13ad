//! [`Ctx`]: what every use case works with — the database, the policy, the ledger signer and
//! a clock. The clock is a function so that tests can fix time; no use case reads the system
//! time itself.

use std::sync::Arc;

use xueshi_domain::Date;
use xueshi_policy::Policy;
use xueshi_store::{Db, LedgerSigner};

use crate::error::{Error, Result};

/// Now, as Unix milliseconds.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The context of a use case. Cheap to clone (handles and `Arc`s).
#[derive(Clone)]
pub struct Ctx {
    pub db: Db,
    pub policy: Arc<Policy>,
    pub signer: Arc<LedgerSigner>,
    pub clock: Clock,
}

impl Ctx {
    /// Now, by the context's clock.
    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }

    /// Today in Beijing, by the context's clock.
    pub fn today(&self) -> Result<Date> {
        Date::beijing(self.now_ms()).map_err(|e| Error::internal("clock", e))
    }
}

impl std::fmt::Debug for Ctx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ctx")
            .field("db", &self.db.backend())
            .field("policy", &self.policy.name)
            .finish_non_exhaustive()
    }
}
