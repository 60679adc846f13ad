//! `ledger verify` for the audit trail and the rows it covers (`crate::covered`): recomputes
//! each line's chain value from the line before it, checks the head every signed checkpoint
//! names, and compares each covered row with the digest its latest line recorded.
//!
//! Why a chain anchored in the checkpoints rather than a leaf per line: lines are written by
//! logins and disclosures as well as by acts, most outside any ledger batch; a leaf each would
//! put a signature and a ledger lock on every login, and another leaf in every registration
//! batch. A chain costs one indexed read per line, registration writes none, and a checkpoint
//! already signed for an act names the head at no cost. What it does not cover: lines written
//! after the latest checkpoint can be cut off or rewritten by whoever rewrites the database,
//! until the next act signs a checkpoint (the same holds for the log's own unsigned tail).

use std::collections::BTreeMap;

use xueshi_ledger::note::{Verifier, verify_checkpoint};

use super::Problem;
use crate::audit::{Fields, link};
use crate::covered::Watched;
use crate::db::Db;
use crate::error::StoreError;
use crate::ledger::parse_audit_anchor;
use crate::on_db;

#[derive(sqlx::FromRow)]
struct Line {
    id: i64,
    at_ms: i64,
    actor: String,
    region: Option<i64>,
    action: String,
    subject: Option<String>,
    detail: Option<String>,
    entry_index: Option<i64>,
    chain: Option<Vec<u8>>,
    row_table: Option<String>,
    row_id: Option<i64>,
    row_digest: Option<Vec<u8>>,
}

/// The latest line about each covered row (table, row id): its id and the digest it recorded.
type Latest = BTreeMap<(Watched, i64), (i64, Option<[u8; 32]>)>;

fn problem(table: &'static str, row_id: Option<i64>, what: String) -> Problem {
    Problem {
        entry: None,
        table,
        row_id,
        what,
    }
}

/// Checks the trail and the covered rows; returns the number of lines written before the
/// trail was chained (migration 0010), which nothing covers.
pub(super) async fn check(
    db: &Db,
    verifier: &Verifier,
    problems: &mut Vec<Problem>,
) -> Result<u64, StoreError> {
    let sql = "SELECT id, at_ms, actor, region, action, subject, detail, entry_index, chain, row_table, row_id, row_digest
               FROM audit_log ORDER BY id";
    let lines: Vec<Line> = on_db!(db, p => sqlx::query_as(sql).fetch_all(p).await?);
    let mut legacy = 0u64;
    let mut chained = false;
    let mut prev: Option<(i64, [u8; 32])> = None;
    let mut stored: BTreeMap<i64, [u8; 32]> = BTreeMap::new();
    let mut latest: Latest = BTreeMap::new();
    for l in &lines {
        let Some(chain) = l.chain.as_deref() else {
            if chained {
                problems.push(problem(
                    "audit_log",
                    Some(l.id),
                    "审计记录缺少链值（被修改或被插入）".to_owned(),
                ));
            } else {
                legacy += 1;
            }
            continue;
        };
        if let Some((before, _)) = prev
            && l.id != before + 1
        {
            let what = if l.id > before + 1 {
                format!("审计记录 id={}–{} 缺失（被删除）", before + 1, l.id - 1)
            } else {
                "审计记录顺序错乱（被调换或被插入）".to_owned()
            };
            problems.push(problem("audit_log", Some(l.id), what));
        }
        let row_table = l.row_table.as_deref();
        let digest = l.row_digest.as_deref().map(<[u8; 32]>::try_from);
        let fields = Fields {
            at_ms: l.at_ms,
            actor: &l.actor,
            region: l.region,
            action: &l.action,
            subject: l.subject.as_deref(),
            detail: l.detail.as_deref(),
            entry_index: l.entry_index,
            row: None,
        };
        let row = match (row_table, l.row_id, digest) {
            (Some(t), Some(id), Some(Ok(d))) => Some((t, id, d)),
            _ => None,
        };
        let previous = prev.map_or([0; 32], |(_, c)| c);
        let expected = link(
            &previous,
            l.id,
            &fields,
            row.as_ref().map(|(t, i, d)| (*t, *i, d)),
        );
        let chain: [u8; 32] = chain.try_into().unwrap_or([0; 32]);
        let partial = row_table.is_some() != row.is_some() || l.row_id.is_some() != row.is_some();
        if expected != chain || partial {
            problems.push(problem(
                "audit_log",
                Some(l.id),
                "审计记录与审计链不符（被修改、删除、插入或调换）".to_owned(),
            ));
        }
        if let Some((t, id, d)) = row {
            match Watched::parse(t) {
                Some(w) => {
                    latest.insert((w, id), (l.id, Some(d)));
                }
                None => problems.push(problem(
                    "audit_log",
                    Some(l.id),
                    format!("审计记录涉及未知的数据表 `{t}`"),
                )),
            }
        }
        chained = true;
        stored.insert(l.id, chain);
        prev = Some((l.id, chain));
    }
    check_anchors(db, verifier, &stored, prev, problems).await?;
    check_rows(db, latest, problems).await?;
    Ok(legacy)
}

/// Every signed checkpoint that names the trail's head must find that line with that chain
/// value: a trail rewritten wholesale (every chain value recomputed) or cut short is caught.
async fn check_anchors(
    db: &Db,
    verifier: &Verifier,
    stored: &BTreeMap<i64, [u8; 32]>,
    last: Option<(i64, [u8; 32])>,
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    let notes: Vec<(i64, String)> = on_db!(db, p => sqlx::query_as("SELECT size, note FROM checkpoints ORDER BY size").fetch_all(p).await?);
    for (size, note) in notes {
        // A note whose signature fails is named by the ledger's own check.
        let Ok(checkpoint) = verify_checkpoint(&note, verifier) else {
            continue;
        };
        let Some((id, chain)) = parse_audit_anchor(&checkpoint.extensions) else {
            continue;
        };
        match stored.get(&id) {
            Some(c) if *c == chain => {}
            Some(_) => problems.push(problem(
                "audit_log",
                Some(id),
                format!("审计记录 id={id} 及其之前的记录与签名检查点（{size} 条）所记的审计链不符（被改写）"),
            )),
            None if last.is_none_or(|(l, _)| l < id) => problems.push(problem(
                "audit_log",
                Some(id),
                format!("签名检查点（{size} 条）记有审计记录 id={id}，审计记录现只到 id={}（被截断）", last.map_or(0, |(l, _)| l)),
            )),
            None => problems.push(problem(
                "audit_log",
                Some(id),
                format!("签名检查点（{size} 条）所记的审计记录 id={id} 缺失（被删除）"),
            )),
        }
    }
    Ok(())
}

/// Each covered row must match the digest its latest line recorded; a row no line covers was
/// inserted, a line whose row is gone had it deleted.
async fn check_rows(
    db: &Db,
    mut latest: Latest,
    problems: &mut Vec<Problem>,
) -> Result<(), StoreError> {
    for w in Watched::ALL {
        let sql = w.select(db.backend(), "TRUE");
        let rows: Vec<Vec<Option<String>>> = on_db!(db, p => {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in rows {
                let mut values = Vec::with_capacity(w.width());
                for i in 0..w.width() {
                    values.push(sqlx::Row::try_get::<Option<String>, _>(&row, i)?);
                }
                out.push(values);
            }
            out
        });
        for values in rows {
            let Some(id) = values
                .first()
                .cloned()
                .flatten()
                .and_then(|v| v.parse::<i64>().ok())
            else {
                continue;
            };
            match latest.remove(&(w, id)) {
                None => problems.push(problem(
                    w.table(),
                    Some(id),
                    "数据行没有审计记录覆盖（被插入）".to_owned(),
                )),
                Some((line, digest)) if digest != Some(w.digest(&values)) => {
                    problems.push(problem(
                        w.table(),
                        Some(id),
                        format!("数据行与审计记录 id={line} 所记内容不符（被修改）"),
                    ))
                }
                Some(_) => {}
            }
        }
    }
    for ((w, id), (line, _)) in latest {
        problems.push(problem(
            w.table(),
            Some(id),
            format!("审计记录 id={line} 所涉的数据行缺失（被删除）"),
        ));
    }
    Ok(())
}
