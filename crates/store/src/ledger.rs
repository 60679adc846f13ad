//! The store's side of the Merkle log: appending entries and a signed checkpoint inside the
//! same transaction as the rows they cover, and inclusion and consistency proofs against
//! signed checkpoints. The cryptography itself (RFC 9162 hashing, proofs, C2SP notes) is
//! `xueshi-ledger`'s; `ledger verify` is [`crate::verify`].
//!
//! Proofs read O(log n) rows: beside the leaf hashes (`ledger_entries`) the store keeps the
//! hash of every complete subtree of 256, 65,536, … leaves (`ledger_nodes (level, idx, hash)`,
//! levels 8, 16, …; see `xueshi_ledger::tiles`, whose tile height this is). A node of any
//! other height is the root of at most 128 kept nodes (or leaves) of one aligned run below
//! it, so an inclusion proof at 10M entries reads ~1,000 hashes in a few index range scans,
//! where reading every leaf up to the checkpoint read 10M. Why this rather than every node:
//! a batch writes the kept nodes its leaves complete, one per 255 leaves on average — a
//! single registration almost never writes one — whereas keeping every level would write a
//! node per leaf and double the log's rows. Nodes are derived data: `ledger verify`
//! recomputes each from the leaves and names any altered, deleted or inserted one, and a
//! proof built from a wrong node does not verify against the signed root.

use std::collections::HashMap;
use std::sync::Arc;

use xueshi_ledger::merkle::{Frontier, Hash, leaf_hash};
use xueshi_ledger::note::{Checkpoint, Signer};
use xueshi_ledger::tiles::{MissingHash, ProofPlan, Read, is_kept};

use crate::db::Db;
use crate::entries::EntryKind;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::on_db;

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
        self.sign_anchored(size, root, None)
    }

    /// [`LedgerSigner::sign`], naming the audit trail's head (its last line's id and chain
    /// value) in an extension line ([`audit_anchor`]), so the signature covers the trail too.
    pub fn sign_anchored(
        &self,
        size: u64,
        root: Hash,
        anchor: Option<(i64, [u8; 32])>,
    ) -> Result<String, StoreError> {
        let mut checkpoint = Checkpoint::new(self.origin.clone(), size, root);
        checkpoint.extensions.extend(anchor.map(audit_anchor));
        self.signer
            .sign_checkpoint(&checkpoint)
            .map_err(|e| StoreError::Ledger(e.to_string()))
    }
}

/// The extension line of a checkpoint naming the audit trail's head: `audit <id> <chain hex>`.
pub fn audit_anchor((id, chain): (i64, [u8; 32])) -> String {
    format!("audit {id} {}", crate::entries::hex(&chain))
}

/// The audit trail's head named by a checkpoint's extension lines, if any.
pub fn parse_audit_anchor(extensions: &[String]) -> Option<(i64, [u8; 32])> {
    extensions.iter().find_map(|line| {
        let mut words = line.strip_prefix("audit ")?.split(' ');
        let id = words.next()?.parse().ok()?;
        let chain = crate::keys::unhex(words.next()?)?.try_into().ok()?;
        Some((id, chain))
    })
}

/// A batch of appends in progress: the next index, the growing frontier, the entries and kept
/// subtree hashes to write.
#[derive(Debug)]
pub struct Appender {
    frontier: Frontier,
    pending: Vec<Pending>,
    nodes: Vec<KeptNode>,
    at_ms: i64,
}

/// The hash of a complete subtree the store keeps (`ledger_nodes`): `2^level` leaves from
/// `index * 2^level` on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeptNode {
    pub level: u32,
    pub index: u64,
    pub hash: Hash,
}

impl KeptNode {
    /// Pushes `leaf` onto `frontier`, adding to `out` the kept subtrees it completes.
    fn push(
        frontier: &mut Frontier,
        leaf: Hash,
        out: &mut Vec<KeptNode>,
    ) -> Result<(), StoreError> {
        frontier
            .push_with(leaf, |s, hash| {
                if is_kept(s.level) {
                    out.push(KeptNode {
                        level: s.level,
                        index: s.index,
                        hash: *hash,
                    });
                }
            })
            .map(|_| ())
            .map_err(|e| StoreError::Ledger(e.to_string()))
    }
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
            nodes: Vec::new(),
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
        KeptNode::push(&mut self.frontier, leaf, &mut self.nodes)?;
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
        self.nodes.clear();
    }

    pub fn pending(&self) -> &[Pending] {
        &self.pending
    }

    /// The kept subtrees the batch's entries complete.
    pub fn pending_nodes(&self) -> &[KeptNode] {
        &self.nodes
    }

    pub fn at_ms(&self) -> i64 {
        self.at_ms
    }

    /// The checkpoint row for the batch: size, root, frontier bytes, signed note.
    pub fn checkpoint(
        &self,
        signer: &LedgerSigner,
        anchor: Option<(i64, [u8; 32])>,
    ) -> Result<(i64, Hash, Vec<u8>, String), StoreError> {
        let size = self.frontier.size();
        let root = self.frontier.root();
        let note = signer.sign_anchored(size, root, anchor)?;
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
pub async fn latest_note(db: &Db) -> Result<Option<String>, StoreError> {
    let sql = "SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1";
    Ok(crate::on_db!(db, p => sqlx::query_scalar(sql).fetch_optional(p).await?))
}

/// The statements of a batch's ledger write, the same on every backend and connection.
pub(crate) mod sql {
    /// The latest checkpoint: `size`, `frontier`.
    pub const LATEST_CHECKPOINT: &str =
        "SELECT size, frontier FROM checkpoints ORDER BY size DESC LIMIT 1";
    /// How many entries the log holds.
    pub const ENTRIES: &str = "SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries";
    /// The head of the audit trail: `id`, `chain`.
    pub const AUDIT_HEAD: &str = "SELECT id, chain FROM audit_log ORDER BY id DESC LIMIT 1";
    pub const INSERT_CHECKPOINT: &str =
        "INSERT INTO checkpoints (size, root, frontier, note, at_ms) VALUES ($1, $2, $3, $4, $5)";
}

/// Continues the log from its latest checkpoint, refusing a log with entries no checkpoint
/// covers (`entries` is how many the log holds).
pub(crate) fn resumed(
    latest: Option<(i64, Vec<u8>)>,
    entries: i64,
    now_ms: i64,
) -> Result<Appender, StoreError> {
    let signed = latest.as_ref().map_or(0, |(s, _)| *s);
    if entries != signed {
        return Err(StoreError::Ledger(format!(
            "账本有 {entries} 条记录，但最新签名检查点只覆盖 {signed} 条：请先运行 xueshi ledger verify"
        )));
    }
    Appender::resume(latest, now_ms)
}

/// The audit trail's head as a checkpoint's anchor.
pub(crate) fn anchor_of(head: Option<(i64, Option<Vec<u8>>)>) -> Option<(i64, [u8; 32])> {
    head.and_then(|(id, c)| Some((id, <[u8; 32]>::try_from(c?).ok()?)))
}

/// Writes a batch's entries and its signed checkpoint inside the caller's transaction `$tx`.
#[macro_export]
macro_rules! write_batch {
    ($tx:expr, $appender:expr, $signer:expr) => {{
        let appender: &$crate::ledger::Appender = $appender;
        $crate::bulk::BulkWrite::write_entries(&mut *$tx, appender.pending()).await?;
        $crate::bulk::BulkWrite::write_nodes(&mut *$tx, appender.pending_nodes()).await?;
        // The trail's head as this transaction sees it (its own act's line included: acts
        // write their line before their batch).
        let head: Option<(i64, Option<Vec<u8>>)> = sqlx::query_as($crate::ledger::sql::AUDIT_HEAD)
            .fetch_optional(&mut **$tx)
            .await?;
        let anchor = $crate::ledger::anchor_of(head);
        let (size, root, frontier, note) = appender.checkpoint($signer, anchor)?;
        sqlx::query($crate::ledger::sql::INSERT_CHECKPOINT)
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
        let latest: Option<(i64, Vec<u8>)> = sqlx::query_as($crate::ledger::sql::LATEST_CHECKPOINT)
            .fetch_optional(&mut **$tx)
            .await?;
        let entries: i64 = sqlx::query_scalar($crate::ledger::sql::ENTRIES)
            .fetch_one(&mut **$tx)
            .await?;
        $crate::ledger::resumed(latest, entries, $now_ms)
    }};
}

/// [`resume_batch!`] on a SQLite connection of our own (`crate::direct`), inside the
/// transaction held there.
pub(crate) fn resume_direct(
    conn: &rusqlite::Connection,
    now_ms: i64,
) -> Result<Appender, StoreError> {
    use rusqlite::OptionalExtension as _;
    let latest: Option<(i64, Vec<u8>)> = conn
        .prepare_cached(sql::LATEST_CHECKPOINT)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let entries: i64 = conn
        .prepare_cached(sql::ENTRIES)?
        .query_row([], |r| r.get(0))?;
    resumed(latest, entries, now_ms)
}

/// [`write_batch!`] on a SQLite connection of our own, inside the transaction held there.
pub(crate) fn write_batch_direct(
    conn: &rusqlite::Connection,
    appender: &Appender,
    signer: &LedgerSigner,
) -> Result<(), StoreError> {
    use rusqlite::OptionalExtension as _;
    crate::bulk::write_entries_direct(conn, appender.pending())?;
    crate::bulk::write_nodes_direct(conn, appender.pending_nodes())?;
    let head: Option<(i64, Option<Vec<u8>>)> = conn
        .prepare_cached(sql::AUDIT_HEAD)?
        .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let (size, root, frontier, note) = appender.checkpoint(signer, anchor_of(head))?;
    conn.prepare_cached(sql::INSERT_CHECKPOINT)?.execute((
        size,
        root.as_slice(),
        frontier,
        note,
        appender.at_ms(),
    ))?;
    Ok(())
}

fn ledger_error(e: impl std::fmt::Display) -> StoreError {
    StoreError::Ledger(e.to_string())
}

fn hash32(bytes: Vec<u8>, what: &str) -> Result<Hash, StoreError> {
    <Hash>::try_from(bytes).map_err(|_| StoreError::Ledger(format!("{what}长度错误")))
}

fn missing(m: MissingHash) -> StoreError {
    match m.level {
        0 => StoreError::Ledger(format!(
            "账本条目 #{} 缺失：请运行 xueshi ledger verify",
            m.index
        )),
        l => StoreError::Ledger(format!(
            "账本第 {l} 层第 {} 号节点缺失：请运行 xueshi ledger verify",
            m.index
        )),
    }
}

/// The hashes of `reads` (level 0: leaf hashes), and leaf `leaf` if given, in one statement.
async fn read_hashes(
    db: &Db,
    reads: &[Read],
    leaf: Option<u64>,
) -> Result<HashMap<(u32, u64), Hash>, StoreError> {
    // Plain integers computed here, one index range scan each. The text differs from proof
    // to proof, so it is not prepared and cached (it would evict the statements reused). The
    // LIMIT (a range holds at most that many rows) keeps PostgreSQL's estimate right when the
    // statistics lag a bulk import: estimating a third of a 10M-row table per range, it chose
    // bitmap scans and JIT-compiled the query, 8 ms of 9 per proof.
    let range = |select: String, lo: u64, hi: u64| {
        format!(
            "{select} AND idx >= {lo} AND idx < {hi} ORDER BY idx LIMIT {}",
            hi - lo
        )
    };
    let leaves = |lo: u64, hi: u64| {
        let select = "SELECT 0 AS level, idx, leaf AS hash FROM ledger_entries WHERE TRUE";
        range(select.to_owned(), lo, hi)
    };
    let mut parts: Vec<String> = reads
        .iter()
        .map(|r| match r.level {
            0 => leaves(r.nodes.start, r.nodes.end),
            l => range(
                format!("SELECT level, idx, hash FROM ledger_nodes WHERE level = {l}"),
                r.nodes.start,
                r.nodes.end,
            ),
        })
        .collect();
    parts.extend(leaf.map(|i| leaves(i, i + 1)));
    if parts.is_empty() {
        return Ok(HashMap::new());
    }
    let parts: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| format!("SELECT * FROM ({p}) AS r{i}"))
        .collect();
    let sql = parts.join(" UNION ALL ");
    let rows: Vec<(i32, i64, Vec<u8>)> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .persistent(false)
        .fetch_all(p)
        .await?);
    let mut out = HashMap::with_capacity(rows.len());
    for (level, index, hash) in rows {
        // A hash of the wrong length is left out: the proof then names it missing.
        if let (Ok(level), Ok(index), Ok(hash)) = (
            u32::try_from(level),
            u64::try_from(index),
            Hash::try_from(hash),
        ) {
            out.insert((level, index), hash);
        }
    }
    Ok(out)
}

/// The latest signed checkpoint: size, root and note.
async fn latest_checkpoint(db: &Db) -> Result<(u64, Hash, String), StoreError> {
    let latest: Option<(i64, Vec<u8>, String)> = on_db!(db, p => sqlx::query_as(
        "SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1").fetch_optional(p).await?);
    let (size, root, note) = latest.ok_or(StoreError::NotFound("签名检查点"))?;
    let size = u64::try_from(size).map_err(|_| StoreError::Ledger("检查点大小无效".to_owned()))?;
    Ok((size, hash32(root, "根哈希")?, note))
}

/// An entry's inclusion proof against the latest signed checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LedgerProof {
    pub entry_index: u64,
    /// The leaf as the ledger holds it.
    pub leaf: Hash,
    pub tree_size: u64,
    pub root: Hash,
    /// RFC 9162 audit path, from the leaf's sibling up.
    pub path: Vec<Hash>,
    /// The signed checkpoint note (C2SP) of `tree_size` and `root`.
    pub checkpoint: String,
}

/// The inclusion proof of entry `entry_index` against the latest signed checkpoint, from kept
/// subtree hashes: O(log n) rows read. Not checked here: the caller verifies it against the
/// signed note, which is what tells a tampered node.
pub async fn inclusion_proof(db: &Db, entry_index: i64) -> Result<LedgerProof, StoreError> {
    let (tree_size, root, checkpoint) = latest_checkpoint(db).await?;
    let index = u64::try_from(entry_index)
        .ok()
        .filter(|i| *i < tree_size)
        .ok_or(StoreError::NotFound("账本条目"))?;
    let plan = ProofPlan::inclusion(index, tree_size).map_err(ledger_error)?;
    let hashes = read_hashes(db, plan.reads(), Some(index)).await?;
    let leaf = *hashes
        .get(&(0, index))
        .ok_or(StoreError::NotFound("账本条目"))?;
    let path = plan
        .proof(|level, i| hashes.get(&(level, i)).copied())
        .map_err(missing)?;
    Ok(LedgerProof {
        entry_index: index,
        leaf,
        tree_size,
        root,
        path,
        checkpoint,
    })
}

/// The consistency proof (RFC 9162 `PROOF`) that the log of `old_size` entries is a prefix of
/// the log of `new_size` entries, both at most the latest signed checkpoint's size: O(log n)
/// rows read.
pub async fn consistency_proof(
    db: &Db,
    old_size: u64,
    new_size: u64,
) -> Result<Vec<Hash>, StoreError> {
    let (signed, _, _) = latest_checkpoint(db).await?;
    if new_size > signed {
        return Err(StoreError::Ledger(format!(
            "最新签名检查点只覆盖 {signed} 条，不能证明到 {new_size} 条"
        )));
    }
    let plan = ProofPlan::consistency(old_size, new_size).map_err(ledger_error)?;
    let hashes = read_hashes(db, plan.reads(), None).await?;
    plan.proof(|level, i| hashes.get(&(level, i)).copied())
        .map_err(missing)
}

/// Leaves read per statement by [`backfill_nodes`].
const BACKFILL_CHUNK: i64 = 50_000;

/// Computes the kept subtree hashes of a log written before they were kept (migration 0008
/// leaves a row in `ledger_nodes_backfill` when the log has entries), once, under the ledger's
/// write lock. Stops at a gap or a malformed leaf, leaving the rest for `ledger verify` to
/// report: opening a damaged database must still let it be verified.
pub(crate) async fn backfill_nodes(db: &Db) -> Result<(), StoreError> {
    let owed = "SELECT COUNT(*) FROM ledger_nodes_backfill";
    let n: i64 = on_db!(db, p => sqlx::query_scalar(owed).fetch_one(p).await?);
    if n == 0 {
        return Ok(());
    }
    crate::in_tx!(db, tx => {
        let n: i64 = sqlx::query_scalar(owed).fetch_one(&mut **tx).await?;
        if n > 0 {
            let size: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries")
                .fetch_one(&mut **tx).await?;
            let have: Vec<(i32, i64)> = sqlx::query_as("SELECT level, idx FROM ledger_nodes")
                .fetch_all(&mut **tx).await?;
            let have: std::collections::HashSet<(i32, i64)> = have.into_iter().collect();
            let mut frontier = Frontier::new();
            let mut from = 0i64;
            let mut intact = true;
            while intact && from < size {
                let rows: Vec<(i64, Vec<u8>)> = sqlx::query_as(
                    "SELECT idx, leaf FROM ledger_entries WHERE idx >= $1 AND idx < $2 ORDER BY idx")
                    .bind(from).bind(from + BACKFILL_CHUNK)
                    .fetch_all(&mut **tx).await?;
                let mut nodes = Vec::new();
                for (idx, leaf) in rows {
                    let at = i64::try_from(frontier.size()).unwrap_or(i64::MAX);
                    match Hash::try_from(leaf) {
                        Ok(leaf) if idx == at => KeptNode::push(&mut frontier, leaf, &mut nodes)?,
                        _ => {
                            intact = false;
                            break;
                        }
                    }
                }
                nodes.retain(|n| {
                    let key = (i32::try_from(n.level).unwrap_or(-1), i64::try_from(n.index).unwrap_or(-1));
                    !have.contains(&key)
                });
                crate::bulk::BulkWrite::write_nodes(&mut *tx, &nodes).await?;
                from += BACKFILL_CHUNK;
            }
            sqlx::query("DELETE FROM ledger_nodes_backfill").execute(&mut **tx).await?;
        }
        Ok::<(), StoreError>(())
    })
}
