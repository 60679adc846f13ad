//! `xueshi backup --to FILE`: an online, consistent copy of a SQLite database while the
//! service keeps writing (SQLite's `VACUUM INTO`, one read transaction: the copy is the
//! database as of one commit, never half a batch). It prints the copy's latest signed
//! checkpoint so the operator can keep it beside the copy and later prove, with
//! `ledger verify --against`, that a restore is the log it claims to be.
//!
//! The key file is deliberately *not* in the copy: it seals ID numbers and signs checkpoints,
//! and a backup handed to a storage team must not carry it. Back it up separately, to a
//! different place. PostgreSQL is backed up with its own tools (`pg_basebackup` and WAL
//! archiving; README "Deploying for a province").

use std::path::Path;

use xueshi_store::{Backend, Db};

use crate::store_cmd::{Outcome, StoreArgs};

type Result<T> = std::result::Result<T, String>;

/// Copies the database at `args.url` to `to` (which must not exist).
pub async fn backup(args: &StoreArgs, to: &Path) -> Result<Outcome> {
    if to.exists() {
        return Err(format!(
            "备份目标 {} 已存在：请指定一个新文件（不会覆盖已有备份）",
            to.display()
        ));
    }
    let target = to
        .to_str()
        .ok_or_else(|| format!("备份路径须为 UTF-8：{}", to.display()))?;
    let db = Db::connect(&args.url)
        .await
        .map_err(|e| format!("{e} [{}]", e.code()))?;
    let Db::Sqlite(pool) = &db else {
        debug_assert_eq!(db.backend(), Backend::Postgres);
        return Err("PostgreSQL 请用 pg_basebackup 加 WAL 归档备份（见 README「Deploying for a province」）；\
                    xueshi backup 只用于 SQLite"
            .to_owned());
    };
    let started = std::time::Instant::now();
    sqlx::query("VACUUM INTO $1")
        .bind(target)
        .execute(pool)
        .await
        .map_err(|e| format!("备份失败：{e}"))?;
    db.close().await;
    // Read-only and as it is (no WAL switch): the copy stays one self-contained file.
    let copy = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(target)
                .read_only(true),
        )
        .await
        .map(Db::Sqlite)
        .map_err(|e| format!("无法打开备份以读取检查点：{e}"))?;
    let note = xueshi_store::ledger::latest_note(&copy)
        .await
        .map_err(|e| format!("{e} [{}]", e.code()))?;
    let entries = xueshi_store::ops::ledger_size(&copy)
        .await
        .map_err(|e| format!("{e} [{}]", e.code()))?;
    copy.close().await;
    let millis = started.elapsed().as_millis();
    let mut text = format!(
        "已备份到 {target}（{millis} 毫秒）：账本 {entries} 条。\n\
         密钥文件不在备份中：请把它另行备份到不同的地方（恢复时与数据库一同放回）。\n"
    );
    if let Some(note) = note {
        text.push_str(
            "备份中最新的签名检查点（请与备份分开保存，恢复后用 ledger verify --against 核对）：\n",
        );
        text.push_str(&note);
        if !note.ends_with('\n') {
            text.push('\n');
        }
    }
    Ok(Outcome::Done(text))
}
