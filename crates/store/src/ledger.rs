//! The store's side of the Merkle log: appending entries and a signed checkpoint inside the
//! same transaction as the rows they cover, and verifying the whole log against the database.
//! The cryptography itself (RFC 9162 hashing, proofs, C2SP notes) is `xueshi-ledger`'s.

use std::sync::Arc;
use xueshi_ledger::merkle::{Frontier, Hash, leaf_hash};

use xueshi_ledger::note::{Checkpoint, Signer};

use crate::entries::EntryKind;
use crate::error::StoreError;
use crate::keys::Keys;

/// The log's name in its checkpoints (C2SP tlog-checkpoint origin line).
pub const DEFAULT_ORIGIN: &str = "xueshi.anhui.gov.cn/registration-ledger";

/// Who performs an official act, where, on which date, and when (the clock is the caller's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Act<'a> {
    pub actor: &'a str,
    /// Where the act happens (the actor's organisation's or unit's region), written with its
    /// audit line so that a supervisor reads it within its region; `None` for the system's own
    /// acts (import, demo seed).
    pub region: Option<xueshi_domain::RegionCode>,
    pub on: xueshi_domain::Date,
    pub now_ms: i64,
}

/// Signs checkpoints with the key derived from the key file.
#[derive(Clone, Debug)]
pub struct LedgerSigner {
    pub origin: String,
    signer: Arc<Signer>,
}

impl LedgerSigner {
    pub fn new(keys: &Keys, origin: &str) -> Result<Self, StoreError> {
        let signer = Signer::new(origin, &keys.ledger_seed())
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        Ok(Self {
            origin: origin.to_owned(),
            signer: Arc::new(signer),
        })
    }

    /// The public verifier key (`name+keyid+key`), to publish and to verify with.
    pub fn vkey(&self) -> String {
        self.signer.verifier_key()
    }

    /// The verifier matching this signer.
    pub fn verifier(&self) -> xueshi_ledger::note::Verifier {
        self.signer.verifier()
    }

    /// A signed checkpoint note for the tree of `size` leaves with `root`.
    pub fn sign(&self, size: u64, root: Hash) -> Result<String, StoreError> {
        self.signer
            .sign_checkpoint(&Checkpoint::new(self.origin.clone(), size, root))
            .map_err(|e| StoreError::Ledger(e.to_string()))
    }
}

/// A batch of appends in progress: the next index, the growing frontier, the entries to write.
#[derive(Debug)]
pub struct Appender {
    frontier: Frontier,
    pending: Vec<Pending>,
    at_ms: i64,
}

/// One entry waiting to be written with its batch.
#[derive(Clone, Debug)]
pub struct Pending {
    pub idx: i64,
    pub kind: EntryKind,
    pub ref_id: i64,
    pub person_id: Option<i64>,
    pub leaf: Hash,
}

/// Where an appended entry sits in the log, and the checkpoint that covers it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inclusion {
    pub entry_index: u64,
    pub leaf: Hash,
    pub tree_size: u64,
    pub root: Hash,
}

impl Appender {
    /// Continues the log from its latest checkpoint (`size`, frontier bytes).
    pub fn resume(latest: Option<(i64, Vec<u8>)>, at_ms: i64) -> Result<Self, StoreError> {
        let frontier = match latest {
            None => Frontier::new(),
            Some((size, bytes)) => {
                let nodes = bytes
                    .chunks(32)
                    .map(|c| {
                        <Hash>::try_from(c)
                            .map_err(|_| StoreError::Ledger("检查点 frontier 已损坏".to_owned()))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let size = u64::try_from(size)
                    .map_err(|_| StoreError::Ledger("检查点大小无效".to_owned()))?;
                Frontier::from_parts(size, nodes).map_err(|e| StoreError::Ledger(e.to_string()))?
            }
        };
        Ok(Self {
            frontier,
            pending: Vec::new(),
            at_ms,
        })
    }

    /// The index the next entry will get.
    pub fn next_index(&self) -> i64 {
        i64::try_from(self.frontier.size()).unwrap_or(i64::MAX)
    }

    /// Adds the entry for a row just written with `next_index()`.
    pub fn push(
        &mut self,
        kind: EntryKind,
        ref_id: i64,
        person_id: Option<i64>,
        canonical: &[u8],
    ) -> Result<Pending, StoreError> {
        let leaf = leaf_hash(canonical);
        let idx = self.next_index();
        self.frontier
            .push(leaf)
            .map_err(|e| StoreError::Ledger(e.to_string()))?;
        let p = Pending {
            idx,
            kind,
            ref_id,
            person_id,
            leaf,
        };
        self.pending.push(p.clone());
        Ok(p)
    }

    /// Starts the next batch of the same transaction: the entries written with the last
    /// checkpoint leave the pending list; the frontier goes on (no need to read it back).
    pub fn next_batch(&mut self) {
        self.pending.clear();
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    pub fn at_ms(&self) -> i64 {
        self.at_ms
    }

    /// The checkpoint row for the batch: size, root, frontier bytes, signed note.
    pub fn checkpoint(
        &self,
        signer: &LedgerSigner,
    ) -> Result<(i64, Hash, Vec<u8>, String), StoreError> {
        let size = self.frontier.size();
        let root = self.frontier.root();
        let note = signer.sign(size, root)?;
        let bytes: Vec<u8> = self.frontier.nodes().iter().flatten().copied().collect();
        Ok((i64::try_from(size).unwrap_or(i64::MAX), root, bytes, note))
    }

    /// Inclusion information of every pending entry under the batch's checkpoint.
    pub fn inclusions(&self) -> Vec<Inclusion> {
        let (size, root) = (self.frontier.size(), self.frontier.root());
        self.pending
            .iter()
            .map(|p| Inclusion {
                entry_index: u64::try_from(p.idx).unwrap_or(0),
                leaf: p.leaf,
                tree_size: size,
                root,
            })
            .collect()
    }
}

/// The latest signed checkpoint note, to publish (e.g. to a supervisor) for later
/// `verify --against`.
pub async fn latest_note(db: &crate::db::Db) -> Result<Option<String>, StoreError> {
    let sql = "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1";
    Ok(crate::on_db!(db, p => sqlx::query_scalar(sql).fetch_optional(p).await?))
}

/// Writes a batch's entries and its signed checkpoint inside the caller's transaction `$tx`.
#[macro_export]
macro_rules! write_batch {
    ($tx:expr, $appender:expr, $signer:expr) => {{
        let appender: &$crate::ledger::Appender = $appender;
        $crate::bulk::BulkWrite::write_entries(&mut *$tx, appender.pending(), appender.at_ms()).await?;
        let (size, root, frontier, note) = appender.checkpoint($signer)?;
        sqlx::query("INSERT INTO checkpoints (size, root, frontier, note, at_ms) VALUES ($1, $2, $3, $4, $5)")
            .bind(size)
            .bind(root.to_vec())
            .bind(frontier)
            .bind(note)
            .bind(appender.at_ms())
            .execute(&mut **$tx)
            .await?;
        Ok::<(), $crate::error::StoreError>(())
    }};
}

/// Starts a batch inside the caller's transaction `$tx`: reads the latest checkpoint and
/// refuses to continue a log with entries no checkpoint covers.
#[macro_export]
macro_rules! resume_batch {
    ($tx:expr, $now_ms:expr) => {{
        let latest: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT size, frontier FROM checkpoints ORDER BY size DESC LIMIT 1")
                .fetch_optional(&mut **$tx)
                .await?;
        let entries: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries").fetch_one(&mut **$tx).await?;
        let signed = latest.as_ref().map_or(0, |(s, _)| *s);
        if entries != signed {
            return Err($crate::error::StoreError::Ledger(format!(
                "账本有 {entries} 条记录，但最新签名检查点只覆盖 {signed} 条：请先运行 xueshi ledger verify"
            )));
        }
        $crate::ledger::Appender::resume(latest, $now_ms)
    }};
}
