//! `ledger verify`: recomputes every leaf from the rows it covers, the Merkle root at every
//! checkpoint, every checkpoint's signature and every kept subtree hash (`ledger_nodes`), and
//! names each entry or node that no longer matches — a row altered, deleted, inserted or moved
//! behind the application's back. Works in chunks of the log, so memory stays bounded at any
//! size.

use std::collections::{BTreeMap, HashMap};

use xueshi_ledger::merkle::{Frontier, Hash, Subtree, leaf_hash};
use xueshi_ledger::note::{Verifier, verify_checkpoint};
use xueshi_ledger::tiles::{KEPT_LEVELS, is_kept, kept_nodes_completed_by};

use crate::acts::{REVIEW_ACT_SQL, RawReviewAct, RawVerificationAct, VERIFICATION_ACT_SQL};
use crate::certificates::{CERTIFICATE_SQL, REVOCATION_SQL, RawCertificate, RawRevocation};
use crate::db::Db;
use crate::entries::{
    CertificateRow, EntryKind, FilingDecisionRow, ProviderRegistrationRow, ReviewActRow,
    RevocationRow, VerificationActRow, VoidRow,
};
use crate::error::StoreError;
use crate::on_db;
use crate::records::{RawVoid, VOID_COLUMNS};
use crate::registry::{
    FILING_DECISION_SQL, PROVIDER_REGISTRATION_SQL, RawFilingDecision, RawProviderRegistration,
};

mod read;
mod trail;

use read::{EntryRow, RecordLeaf};

const CHUNK: i64 = 25_000;
/// Chunks read and checked ahead of the one whose leaves enter the frontier: each is read,
/// decoded and hashed on a worker of its own, so both cores and the database work at once.
const READ_AHEAD: usize = 3;

/// One discrepancy, naming the entry and row concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub entry: Option<i64>,
    pub table: &'static str,
    pub row_id: Option<i64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(e) = self.entry {
            write!(f, "账本条目 #{e}：")?;
        }
        match self.row_id {
            Some(id) => write!(f, "{} id={}：{}", self.table, id, self.what),
            None => write!(f, "{}：{}", self.table, self.what),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub entries: u64,
    pub checkpoints: u64,
    pub root: Option<Hash>,
    /// Audit lines written before the trail was chained (migration 0010): not covered.
    pub legacy_lines: u64,
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

#[derive(sqlx::FromRow)]
struct CheckpointRow {
    size: i64,
    root: Vec<u8>,
    note: String,
}

/// A covered row, ready to be hashed.
enum Covered {
    Record(RecordLeaf),
    Void(VoidRow),
    FilingDecision(FilingDecisionRow),
    ProviderRegistration(ProviderRegistrationRow),
    ReviewAct(ReviewActRow),
    VerificationAct(VerificationActRow),
    Certificate(Box<CertificateRow>),
    Revocation(RevocationRow),
}

impl Covered {
    fn kind(&self) -> EntryKind {
        match self {
            Covered::Record(_) => EntryKind::RecordRegister,
            Covered::Void(_) => EntryKind::RecordVoid,
            Covered::FilingDecision(_) => EntryKind::FilingDecision,
            Covered::ProviderRegistration(_) => EntryKind::ProviderRegistration,
            Covered::ReviewAct(_) => EntryKind::ReviewAct,
            Covered::VerificationAct(_) => EntryKind::VerificationAct,
            Covered::Certificate(_) => EntryKind::CertificateIssue,
            Covered::Revocation(_) => EntryKind::CertificateRevoke,
        }
    }
    fn id(&self) -> i64 {
        match self {
            Covered::Record(r) => r.id,
            Covered::Void(v) => v.id,
            Covered::FilingDecision(d) => d.id,
            Covered::ProviderRegistration(r) => r.id,
            Covered::ReviewAct(r) => r.id,
            Covered::VerificationAct(v) => v.id,
            Covered::Certificate(c) => c.id,
            Covered::Revocation(r) => r.id,
        }
    }
    /// The leaf the row's columns hash to (a record's was computed as it was read).
    fn leaf(&self) -> Hash {
        let canonical = match self {
            Covered::Record(r) => return r.leaf,
            Covered::Void(v) => v.canonical(),
            Covered::FilingDecision(d) => d.canonical(),
            Covered::ProviderRegistration(r) => r.canonical(),
            Covered::ReviewAct(r) => r.canonical(),
            Covered::VerificationAct(v) => v.canonical(),
            Covered::Certificate(c) => c.canonical(),
            Covered::Revocation(r) => r.canonical(),
        };
        leaf_hash(&canonical)
    }
    /// The person the row concerns, which its entry's `person_id` must name.
    fn person(&self) -> Option<i64> {
        match self {
            Covered::Record(r) => Some(r.person_id),
            Covered::Void(v) => Some(v.person_id),
            Covered::FilingDecision(_) | Covered::ProviderRegistration(_) => None,
            Covered::ReviewAct(r) => Some(r.person_id),
            Covered::VerificationAct(v) => Some(v.person_id),
            Covered::Certificate(c) => Some(c.person_id),
            Covered::Revocation(r) => Some(r.person_id),
        }
    }
    /// What a row holds beyond its leaf that must agree with it: a certificate's credential
    /// must still hash to the hash its leaf covers.
    fn inner_problem(&self) -> Option<&'static str> {
        match self {
            Covered::Certificate(c) => {
                let hash = serde_json::from_str::<serde_json::Value>(&c.credential)
                    .ok()
                    .and_then(|v| xueshi_certificate::proof::jcs_sha256(&v).ok());
                (hash != Some(c.credential_hash)).then_some("证书凭证内容与其哈希不符（被修改）")
            }
            _ => None,
        }
    }
}

/// One chunk of the log, read and checked against the rows it covers: the leaves to add to
/// the frontier, in order, the checkpoints it ends, and what is wrong in it.
struct Chunk {
    leaves: Vec<Hash>,
    checkpoints: Vec<CheckpointRow>,
    /// The kept nodes stored whose last leaf lies in the chunk.
    nodes: BTreeMap<(u32, u64), Option<Hash>>,
    problems: Vec<Problem>,
}

/// `SELECT level, idx … FROM ledger_nodes WHERE [NOT] (…)`: the nodes of every kept level `l`
/// with index in `$2l+1 .. $2l+2` (one fixed statement for all chunks).
fn nodes_sql(columns: &str, negate: bool) -> String {
    let ranges: Vec<String> = KEPT_LEVELS
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "(level = {l} AND idx >= ${} AND idx < ${})",
                2 * i + 1,
                2 * i + 2
            )
        })
        .collect();
    let not = if negate { "NOT " } else { "" };
    format!(
        "SELECT {columns} FROM ledger_nodes WHERE {not}({})",
        ranges.join(" OR ")
    )
}

/// The bounds of [`nodes_sql`]: the kept nodes completed by `leaves`.
fn node_bounds(leaves: std::ops::Range<u64>) -> Vec<i64> {
    let mut bounds = vec![0i64; 2 * KEPT_LEVELS.len()];
    for (level, nodes) in kept_nodes_completed_by(leaves) {
        if let Some(i) = KEPT_LEVELS.iter().position(|l| *l == level)
            && let Some(b) = bounds.get_mut(2 * i..2 * i + 2)
        {
            b.copy_from_slice(
                &[nodes.start, nodes.end].map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
            );
        }
    }
    bounds
}

/// A problem with kept node `index` of `level`, named by the first entry it covers.
fn node_problem(level: i64, index: i64, what: &str) -> Problem {
    let leaves = u32::try_from(level)
        .ok()
        .zip(u64::try_from(index).ok())
        .and_then(|(level, index)| Subtree { level, index }.leaves());
    let entry = leaves.as_ref().and_then(|r| i64::try_from(r.start).ok());
    let what = match leaves {
        Some(r) => format!(
            "第 {level} 层第 {index} 号节点（条目 {}–{}）{what}",
            r.start,
            r.end - 1
        ),
        None => format!("第 {level} 层第 {index} 号节点{what}"),
    };
    Problem {
        entry,
        table: "ledger_nodes",
        row_id: entry.is_none().then_some(index),
        what,
    }
}

async fn fetch_chunk(db: Db, from: i64, to: i64) -> Result<Chunk, StoreError> {
    let sql = nodes_sql("level, idx, hash", false);
    let bounds = node_bounds(u64::try_from(from).unwrap_or(0)..u64::try_from(to).unwrap_or(0));
    let stored: Vec<(i32, i64, Vec<u8>)> = on_db!(&db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for b in bounds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    // The bounds select only kept levels and indexes from 0 on: the conversions hold.
    let nodes = stored
        .into_iter()
        .filter_map(|(l, i, h)| {
            Some((
                (u32::try_from(l).ok()?, u64::try_from(i).ok()?),
                Hash::try_from(h).ok(),
            ))
        })
        .collect();
    let entries = read::entries(&db, from, to).await?;
    let checkpoints: Vec<CheckpointRow> = on_db!(&db, p =>
        sqlx::query_as("SELECT size, root, note FROM checkpoints WHERE size > $1 AND size <= $2 ORDER BY size")
            .bind(from).bind(to).fetch_all(p).await?
    );
    let (mut rows, mut problems) = covered_rows(&db, from, to).await?;
    let mut leaves = Vec::with_capacity(entries.len());
    let mut expected = from;
    for e in entries {
        while expected < e.idx {
            problems.push(Problem {
                entry: Some(expected),
                table: "ledger_entries",
                row_id: None,
                what: "账本条目缺失（被删除）".to_owned(),
            });
            expected += 1;
        }
        expected = e.idx + 1;
        let leaf = e.leaf.unwrap_or_else(|| {
            problems.push(Problem {
                entry: Some(e.idx),
                table: "ledger_entries",
                row_id: None,
                what: "叶哈希长度错误".to_owned(),
            });
            [0; 32]
        });
        check_entry(&e, leaf, rows.remove(&e.idx), &mut problems);
        leaves.push(leaf);
    }
    for (idx, row) in rows {
        problems.push(Problem {
            entry: Some(idx),
            table: row.kind().table(),
            row_id: Some(row.id()),
            what: "数据行没有对应的账本条目（被插入）".to_owned(),
        });
    }
    Ok(Chunk {
        leaves,
        checkpoints,
        nodes,
        problems,
    })
}

/// Every covered table's raw rows of one chunk.
type CoveredRaw = (
    Vec<RawVoid>,
    Vec<RawFilingDecision>,
    Vec<RawProviderRegistration>,
    Vec<RawReviewAct>,
    Vec<RawVerificationAct>,
);
type CertificateRaw = (Vec<RawCertificate>, Vec<RawRevocation>);

async fn covered_rows(
    db: &Db,
    from: i64,
    to: i64,
) -> Result<(HashMap<i64, Covered>, Vec<Problem>), StoreError> {
    let vsql =
        format!("SELECT {VOID_COLUMNS} FROM voids WHERE entry_index >= $1 AND entry_index < $2");
    let fsql = format!("{FILING_DECISION_SQL} WHERE d.entry_index >= $1 AND d.entry_index < $2");
    let psql =
        format!("{PROVIDER_REGISTRATION_SQL} WHERE r.entry_index >= $1 AND r.entry_index < $2");
    let rasql = format!("{REVIEW_ACT_SQL} WHERE entry_index >= $1 AND entry_index < $2");
    let vasql = format!("{VERIFICATION_ACT_SQL} WHERE entry_index >= $1 AND entry_index < $2");
    let csql = format!("{CERTIFICATE_SQL} WHERE entry_index >= $1 AND entry_index < $2");
    let rsql = format!("{REVOCATION_SQL} WHERE r.entry_index >= $1 AND r.entry_index < $2");
    let records = read::records(db, from, to).await?;
    let (certificates, revocations): CertificateRaw = on_db!(db, p => (
        sqlx::query_as(sqlx::AssertSqlSafe(csql)).bind(from).bind(to).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(rsql)).bind(from).bind(to).fetch_all(p).await?,
    ));
    let (voids, decisions, registrations, reviews, verifications): CoveredRaw = on_db!(db, p => (
        sqlx::query_as(sqlx::AssertSqlSafe(vsql)).bind(from).bind(to).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(fsql)).bind(from).bind(to).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(psql)).bind(from).bind(to).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(rasql)).bind(from).bind(to).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(vasql)).bind(from).bind(to).fetch_all(p).await?,
    ));
    let mut rows = HashMap::with_capacity(records.len() + voids.len());
    let mut problems = Vec::new();
    let mut add = |row: Covered, idx: i64| {
        if let Some(other) = rows.insert(idx, row) {
            problems.push(Problem {
                entry: Some(idx),
                table: other.kind().table(),
                row_id: Some(other.id()),
                what: "两行数据指向同一账本条目".to_owned(),
            });
        }
    };
    for row in records {
        let idx = row.entry_index;
        add(Covered::Record(row), idx);
    }
    for raw in voids {
        let row = VoidRow::from(raw);
        let idx = row.entry_index;
        add(Covered::Void(row), idx);
    }
    for raw in decisions {
        let row = FilingDecisionRow::from(raw);
        let idx = row.entry_index;
        add(Covered::FilingDecision(row), idx);
    }
    for raw in registrations {
        let row = ProviderRegistrationRow::from(raw);
        let idx = row.entry_index;
        add(Covered::ProviderRegistration(row), idx);
    }
    for raw in reviews {
        let row = ReviewActRow::from(raw);
        let idx = row.entry_index;
        add(Covered::ReviewAct(row), idx);
    }
    for raw in verifications {
        let row = VerificationActRow::from(raw);
        let idx = row.entry_index;
        add(Covered::VerificationAct(row), idx);
    }
    for raw in certificates {
        let row = CertificateRow::from(raw);
        let idx = row.entry_index;
        add(Covered::Certificate(Box::new(row)), idx);
    }
    for raw in revocations {
        let row = RevocationRow::from(raw);
        let idx = row.entry_index;
        add(Covered::Revocation(row), idx);
    }
    Ok((rows, problems))
}

/// Verifies the whole log against the database. `published`: a checkpoint note published
/// earlier (e.g. by a supervisor); the log must still contain it (no truncation or rewrite).
pub async fn verify(
    db: &Db,
    verifier: &Verifier,
    published: Option<&str>,
) -> Result<Report, StoreError> {
    // Reads search SQLite's log page by page: a long one left by a bulk write is emptied
    // first (the content is the same; a reader in the way leaves it as it is).
    if let Err(e) = db.checkpoint().await {
        tracing::debug!("checkpoint before verifying: {e}");
    }
    let mut report = Report::default();
    let published = match published {
        None => None,
        Some(note) => match verify_checkpoint(note, verifier) {
            Ok(c) => Some(c),
            Err(e) => {
                report.problems.push(Problem {
                    entry: None,
                    table: "checkpoints",
                    row_id: None,
                    what: format!("所给的已发布检查点签名无效：{e}"),
                });
                None
            }
        },
    };
    let meta: Option<String> = on_db!(db, p => sqlx::query_scalar("SELECT vkey FROM ledger_meta WHERE id = 1").fetch_optional(p).await?);
    if let Some(vkey) = meta
        && vkey != verifier.to_vkey()
    {
        report.problems.push(Problem {
            entry: None,
            table: "ledger_meta",
            row_id: Some(1),
            what: "记录的验证公钥与所用公钥不同".to_owned(),
        });
    }
    let last_entry: i64 = on_db!(db, p => sqlx::query_scalar("SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries").fetch_one(p).await?);
    let last_row: i64 = on_db!(db, p => sqlx::query_scalar(
        "SELECT COALESCE(MAX(m) + 1, 0) FROM (SELECT MAX(entry_index) AS m FROM records
         UNION ALL SELECT MAX(entry_index) FROM voids UNION ALL SELECT MAX(entry_index) FROM filing_decisions
         UNION ALL SELECT MAX(entry_index) FROM provider_registrations
         UNION ALL SELECT MAX(entry_index) FROM review_acts
         UNION ALL SELECT MAX(entry_index) FROM verification_acts
         UNION ALL SELECT MAX(entry_index) FROM certificates
         UNION ALL SELECT MAX(entry_index) FROM certificate_revocations) AS t"
    ).fetch_one(p).await?);
    let end = last_entry.max(last_row);
    let mut frontier = Frontier::new();
    let mut last_checkpoint: Option<(i64, Hash)> = None;
    let mut roots_at: BTreeMap<u64, Hash> = BTreeMap::new();
    if let Some(c) = &published {
        roots_at.insert(c.size, [0; 32]);
    }
    // The next chunks are read and decoded on other workers (each its own connection) while
    // this one is hashed: reading, not hashing, is the slow part.
    let mut ahead: std::collections::VecDeque<tokio::task::JoinHandle<Result<Chunk, StoreError>>> =
        std::collections::VecDeque::new();
    let mut next_from = 0i64;
    while ahead.len() < READ_AHEAD && (next_from < end || next_from == 0) {
        ahead.push_back(tokio::spawn(fetch_chunk(
            db.clone(),
            next_from,
            next_from + CHUNK,
        )));
        next_from += CHUNK;
    }
    while let Some(pending) = ahead.pop_front() {
        let Chunk {
            leaves,
            checkpoints,
            nodes,
            mut problems,
        } = pending
            .await
            .map_err(|e| StoreError::Ledger(format!("校验任务失败：{e}")))??;
        if next_from < end {
            ahead.push_back(tokio::spawn(fetch_chunk(
                db.clone(),
                next_from,
                next_from + CHUNK,
            )));
            next_from += CHUNK;
        }
        report.problems.append(&mut problems);
        let mut checkpoints = checkpoints.into_iter().peekable();
        let mut computed = Vec::new();
        for leaf in leaves {
            let pushed = frontier.push_with(leaf, |s, h| {
                if is_kept(s.level) {
                    computed.push((s, *h));
                }
            });
            if pushed.is_err() {
                return Err(StoreError::Ledger("账本过大".to_owned()));
            }
            report.entries += 1;
            let size = frontier.size();
            if let Some(slot) = roots_at.get_mut(&size) {
                *slot = frontier.root();
            }
            while checkpoints
                .peek()
                .is_some_and(|c| c.size <= i64::try_from(size).unwrap_or(i64::MAX))
            {
                if let Some(c) = checkpoints.next() {
                    check_checkpoint(&c, size, frontier.root(), verifier, &mut report.problems);
                    report.checkpoints += 1;
                    last_checkpoint = Some((c.size, frontier.root()));
                }
            }
        }
        for c in checkpoints {
            report.problems.push(Problem {
                entry: None,
                table: "checkpoints",
                row_id: Some(c.size),
                what: "检查点大小超出账本条目数".to_owned(),
            });
        }
        check_nodes(nodes, computed, &mut report.problems);
    }
    // Nodes no chunk read: of a level not kept, or beyond the log.
    let sql = nodes_sql("level, idx", true);
    let bounds = node_bounds(0..u64::try_from(next_from).unwrap_or(0));
    let strays: Vec<(i32, i64)> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for b in bounds {
            q = q.bind(b);
        }
        q.fetch_all(p).await?
    });
    for (level, index) in strays {
        report
            .problems
            .push(node_problem(i64::from(level), index, "不应存在（被插入）"));
    }
    let total = i64::try_from(frontier.size()).unwrap_or(i64::MAX);
    match last_checkpoint {
        Some((size, _)) if size == total => {}
        Some((size, _)) => report.problems.push(Problem {
            entry: Some(size),
            table: "ledger_entries",
            row_id: None,
            what: format!("账本共 {total} 条，最新签名检查点只覆盖 {size} 条"),
        }),
        None if total > 0 => report.problems.push(Problem {
            entry: None,
            table: "checkpoints",
            row_id: None,
            what: "账本没有签名检查点".to_owned(),
        }),
        None => {}
    }
    if let Some(c) = published {
        match roots_at.get(&c.size) {
            Some(root) if c.size <= frontier.size() && *root == c.root => {}
            _ if c.size > frontier.size() => report.problems.push(Problem {
                entry: Some(i64::try_from(c.size).unwrap_or(i64::MAX)),
                table: "ledger_entries",
                row_id: None,
                what: format!(
                    "已发布的检查点有 {} 条，账本现只有 {} 条（被截断）",
                    c.size,
                    frontier.size()
                ),
            }),
            _ => report.problems.push(Problem {
                entry: None,
                table: "ledger_entries",
                row_id: None,
                what: format!("账本前 {} 条的根哈希与已发布检查点不一致（被改写）", c.size),
            }),
        }
    }
    report.legacy_lines = trail::check(db, verifier, &mut report.problems).await?;
    report.root = (frontier.size() > 0).then(|| frontier.root());
    Ok(report)
}

/// Compares the kept nodes stored for a chunk with those its leaves complete.
fn check_nodes(
    mut stored: BTreeMap<(u32, u64), Option<Hash>>,
    computed: Vec<(Subtree, Hash)>,
    problems: &mut Vec<Problem>,
) {
    let named = |s: Subtree, what| {
        node_problem(
            i64::from(s.level),
            i64::try_from(s.index).unwrap_or(i64::MAX),
            what,
        )
    };
    for (s, hash) in computed {
        match stored.remove(&(s.level, s.index)) {
            Some(Some(h)) if h == hash => {}
            Some(_) => problems.push(named(s, "的哈希与由叶重算的结果不符（被修改）")),
            None => problems.push(named(s, "缺失（被删除）")),
        }
    }
    for (level, index) in stored.into_keys() {
        problems.push(named(Subtree { level, index }, "不应存在（被插入）"));
    }
}

fn check_entry(e: &EntryRow, leaf: Hash, row: Option<Covered>, problems: &mut Vec<Problem>) {
    let Some(kind) = EntryKind::parse(&e.kind) else {
        problems.push(Problem {
            entry: Some(e.idx),
            table: "ledger_entries",
            row_id: None,
            what: format!("未知的条目类型 `{}`", e.kind),
        });
        return;
    };
    let Some(row) = row else {
        problems.push(Problem {
            entry: Some(e.idx),
            table: kind.table(),
            row_id: Some(e.ref_id),
            what: "账本条目对应的数据行缺失（被删除或移动）".to_owned(),
        });
        return;
    };
    if row.kind() != kind || row.id() != e.ref_id {
        problems.push(Problem {
            entry: Some(e.idx),
            table: row.kind().table(),
            row_id: Some(row.id()),
            what: format!(
                "该位置应为 {} id={}（顺序被调换或数据被替换）",
                kind.table(),
                e.ref_id
            ),
        });
        return;
    }
    if row.leaf() != leaf {
        problems.push(Problem {
            entry: Some(e.idx),
            table: kind.table(),
            row_id: Some(row.id()),
            what: "数据行内容与账本叶哈希不符（被修改）".to_owned(),
        });
    }
    if e.person_id != row.person() {
        problems.push(Problem {
            entry: Some(e.idx),
            table: "ledger_entries",
            row_id: None,
            what: format!(
                "账本条目所记人员与 {} id={} 不符（被修改）",
                kind.table(),
                row.id()
            ),
        });
    }
    if let Some(what) = row.inner_problem() {
        problems.push(Problem {
            entry: Some(e.idx),
            table: kind.table(),
            row_id: Some(row.id()),
            what: what.to_owned(),
        });
    }
}

fn check_checkpoint(
    c: &CheckpointRow,
    size: u64,
    root: Hash,
    verifier: &Verifier,
    problems: &mut Vec<Problem>,
) {
    let mut fail = |what: String| {
        problems.push(Problem {
            entry: None,
            table: "checkpoints",
            row_id: Some(c.size),
            what,
        })
    };
    if c.root.as_slice() != root {
        fail(format!("检查点（{size} 条）的根哈希与重算结果不符"));
    }
    match verify_checkpoint(&c.note, verifier) {
        Ok(signed) if signed.size == size && signed.root == root => {}
        Ok(_) => fail("签名检查点的内容与账本不符".to_owned()),
        Err(e) => fail(format!("检查点签名无效：{e}")),
    }
}
