//! Evidence files behind records (D1): certificates, scans and photos, stored content-addressed
//! by SHA-256 in `evidence` (append-only), so that a record names its evidence by hash and the
//! same bytes are stored once. Only PDF, JPEG and PNG up to 10 MiB are taken, and the bytes must
//! be what they claim (magic bytes, not just the declared type). It does not scan content,
//! judge authenticity, or decide which record the file supports.

use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::StoreError;
use crate::on_db;

/// The largest evidence file taken: 10 MiB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The media types taken, with the magic bytes their content starts with.
/// The media types an evidence file may have.
pub const ACCEPTED: [&str; 3] = ["application/pdf", "image/jpeg", "image/png"];

const TYPES: [(&str, &[u8]); 3] = [
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", &[0xff, 0xd8, 0xff]),
    (
        "image/png",
        &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a],
    ),
];

/// An evidence file as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    pub hash: [u8; 32],
    pub media_type: String,
    pub content: Vec<u8>,
    pub created_ms: i64,
}

/// Checks an evidence file against the limits: size (`evidence.too_large`), declared type and
/// content (`evidence.type`).
pub fn check(media_type: &str, bytes: &[u8]) -> Result<(), StoreError> {
    if bytes.len() > MAX_BYTES {
        return Err(StoreError::TooLarge {
            code: "evidence.too_large",
            message: format!(
                "证明材料过大：{} 字节，上限 10 MiB（{MAX_BYTES} 字节）",
                bytes.len()
            ),
        });
    }
    let Some((_, magic)) = TYPES.iter().find(|(t, _)| *t == media_type) else {
        return Err(StoreError::invalid(
            "evidence.type",
            "证明材料只接受 PDF、JPEG、PNG 文件",
        ));
    };
    if !bytes.starts_with(magic) {
        return Err(StoreError::invalid(
            "evidence.type",
            "证明材料的内容与所报文件类型不符",
        ));
    }
    Ok(())
}

/// Stores an evidence file, returning its SHA-256. Idempotent: the same bytes give the same
/// hash and one row.
pub async fn store_evidence(
    db: &Db,
    media_type: &str,
    bytes: &[u8],
    now_ms: i64,
) -> Result<[u8; 32], StoreError> {
    check(media_type, bytes)?;
    let hash: [u8; 32] = Sha256::digest(bytes).into();
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let sql = "INSERT INTO evidence (hash, media_type, size, content, created_ms) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (hash) DO NOTHING";
    on_db!(db, p => sqlx::query(sql)
        .bind(hash.to_vec())
        .bind(media_type)
        .bind(size)
        .bind(bytes)
        .bind(now_ms)
        .execute(p)
        .await
        .map(|_| ())?);
    Ok(hash)
}

/// An evidence file by hash.
pub async fn evidence(db: &Db, hash: &[u8; 32]) -> Result<Option<Evidence>, StoreError> {
    let sql = "SELECT media_type, content, created_ms FROM evidence WHERE hash = $1";
    let row: Option<(String, Vec<u8>, i64)> = on_db!(db, p => sqlx::query_as(sql)
        .bind(hash.to_vec())
        .fetch_optional(p)
        .await?);
    Ok(row.map(|(media_type, content, created_ms)| Evidence {
        hash: *hash,
        media_type,
        content,
        created_ms,
    }))
}

/// The evidence file `hash` when one of `person_id`'s records (voided or not) names it: what
/// those who may read the person's records may open. The content is checked against its hash
/// before it is handed out: bytes altered in the database are an error, never shown.
pub async fn person_evidence(
    db: &Db,
    person_id: i64,
    hash: &[u8; 32],
) -> Result<Option<Evidence>, StoreError> {
    let sql = "SELECT e.media_type, e.content, e.created_ms FROM evidence e WHERE e.hash = $2
               AND EXISTS (SELECT 1 FROM records r WHERE r.person_id = $1 AND r.evidence_hash = $2)";
    let row: Option<(String, Vec<u8>, i64)> = on_db!(db, p => sqlx::query_as(sql)
        .bind(person_id)
        .bind(hash.to_vec())
        .fetch_optional(p)
        .await?);
    let Some((media_type, content, created_ms)) = row else {
        return Ok(None);
    };
    checked(Evidence {
        hash: *hash,
        media_type,
        content,
        created_ms,
    })
    .map(Some)
}

/// An evidence file whose content still hashes to its name, or an error: bytes altered in the
/// database are never handed out.
pub fn checked(e: Evidence) -> Result<Evidence, StoreError> {
    if <[u8; 32]>::from(Sha256::digest(&e.content)) == e.hash {
        Ok(e)
    } else {
        Err(StoreError::corrupt(
            "证明材料的内容与其摘要不符：数据库中的文件被改动过",
        ))
    }
}
