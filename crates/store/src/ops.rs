//! What operators watch, read cheaply at each scrape of `/metrics`: the ledger's size by its
//! latest signed checkpoint and the connection pool's use. No personal data, no per-person
//! figure: only counts.

use crate::db::Db;
use crate::error::StoreError;
use crate::on_db;

/// Entries in the ledger by its latest signed checkpoint (0 for an empty log).
pub async fn ledger_size(db: &Db) -> Result<i64, StoreError> {
    let (size,): (i64,) = on_db!(db, p => {
        sqlx::query_as("SELECT COALESCE(MAX(size), 0) FROM checkpoints")
            .fetch_one(p)
            .await?
    });
    Ok(size)
}

/// The pool's open connections and, of them, the idle ones.
pub fn pool_use(db: &Db) -> (u32, u32) {
    on_db!(db, p => (p.size(), u32::try_from(p.num_idle()).unwrap_or(u32::MAX)))
}

/// Whether the database answers a trivial query (readiness): on PostgreSQL behind failover
/// this is answered by a node that accepts writes, or not at all.
pub async fn ready(db: &Db) -> Result<(), StoreError> {
    on_db!(db, p => {
        sqlx::query("SELECT 1").execute(p).await?;
    });
    Ok(())
}
