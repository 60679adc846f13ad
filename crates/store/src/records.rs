//! Registration (D1, D10, D11): learning records are appended, never changed; a correction is a
//! void (with reason and author) plus, optionally, the corrected record — all in one
//! transaction with their ledger entries and a signed checkpoint. Every write answers with its
//! inclusion information.

use std::collections::HashMap;

use xueshi_domain::{Date, Hours};
use xueshi_policy::input::{Amount, Exam, Form, MAX_MINUTES, Record, Subject};

use crate::db::{Backend, Db, DbDate};
use crate::entries::{EntryKind, RecordRow, RecordView, VoidRow, provider_text};
use crate::error::StoreError;
use crate::ledger::{Act, Appender, Inclusion, LedgerSigner};
use crate::{in_tx, on_db, resume_batch, write_batch};

/// A record to register for a person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRecord {
    pub person_id: i64,
    /// The policy-relevant facts; `record.id` is the record's label, unique per person.
    pub record: Record,
    /// What was studied (培训内容).
    pub content: String,
    pub certificate_no: Option<String>,
    pub evidence: Option<[u8; 32]>,
    pub registered_on: Date,
    /// Who registered it (account name).
    pub actor: String,
}

/// A record with its void, if voided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub row: RecordRow,
    pub void: Option<VoidRow>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawRecord {
    pub(crate) id: i64,
    pub(crate) person_id: i64,
    pub(crate) commitment: Vec<u8>,
    pub(crate) label: String,
    pub(crate) content: String,
    pub(crate) subject: String,
    pub(crate) form: String,
    pub(crate) provider: Option<String>,
    pub(crate) started_on: Option<DbDate>,
    pub(crate) completed_on: DbDate,
    pub(crate) hours_tenths: Option<i64>,
    pub(crate) minutes: Option<i64>,
    pub(crate) exam: String,
    pub(crate) for_year: Option<i64>,
    pub(crate) filing_number: Option<String>,
    pub(crate) conversion_kind: Option<String>,
    pub(crate) achievement: Option<String>,
    pub(crate) certificate_no: Option<String>,
    pub(crate) corrects: Option<i64>,
    pub(crate) evidence_hash: Option<Vec<u8>>,
    pub(crate) registered_on: DbDate,
    pub(crate) actor: String,
    pub(crate) entry_index: i64,
}

/// The columns of [`RawRecord`], joined with the person's commitment.
pub(crate) const RECORD_COLUMNS: &str = "r.id, r.person_id, p.commitment, r.label, r.content, r.subject, r.form, r.provider,
    r.started_on, r.completed_on, r.hours_tenths, r.minutes, r.exam, r.for_year, r.filing_number, r.conversion_kind,
    r.achievement, r.certificate_no, r.corrects, r.evidence_hash, r.registered_on, r.actor, r.entry_index";

pub(crate) fn corrupt(what: &str) -> StoreError {
    StoreError::corrupt(format!("数据库中的{what}无效"))
}

/// A record's columns as read, borrowed from the row the database sent (text as `&str`, dates
/// already parsed): what [`RawRecordRef::view`] checks.
#[derive(Clone, Copy)]
pub(crate) struct RawRecordRef<'a> {
    pub(crate) id: i64,
    pub(crate) person_id: i64,
    pub(crate) commitment: &'a [u8],
    pub(crate) label: &'a str,
    pub(crate) content: &'a str,
    pub(crate) subject: &'a str,
    pub(crate) form: &'a str,
    pub(crate) provider: Option<&'a str>,
    pub(crate) started_on: Option<Date>,
    pub(crate) completed_on: Date,
    pub(crate) hours_tenths: Option<i64>,
    pub(crate) minutes: Option<i64>,
    pub(crate) exam: &'a str,
    pub(crate) for_year: Option<i64>,
    pub(crate) filing_number: Option<&'a str>,
    pub(crate) conversion_kind: Option<&'a str>,
    pub(crate) achievement: Option<&'a str>,
    pub(crate) certificate_no: Option<&'a str>,
    pub(crate) corrects: Option<i64>,
    pub(crate) evidence_hash: Option<&'a [u8]>,
    pub(crate) registered_on: Date,
    pub(crate) actor: &'a str,
    pub(crate) entry_index: i64,
}

impl<'a> RawRecordRef<'a> {
    /// The record, its columns checked (the one place they are): the commitment and evidence
    /// are 32 bytes, subject, form and exam are known values, amounts are not negative.
    pub(crate) fn view(self) -> Result<RecordView<'a>, StoreError> {
        Ok(RecordView {
            id: self.id,
            person_id: self.person_id,
            person_commitment: self
                .commitment
                .try_into()
                .map_err(|_| corrupt("人员承诺值"))?,
            label: self.label,
            content: self.content,
            subject: Subject::parse(self.subject).ok_or_else(|| corrupt("科目"))?,
            form: Form::parse(self.form).ok_or_else(|| corrupt("学习形式"))?,
            provider: self.provider,
            started: self.started_on,
            completed: self.completed_on,
            hours: self
                .hours_tenths
                .map(|t| u64::try_from(t).map(Hours::from_tenths))
                .transpose()
                .map_err(|_| corrupt("学时"))?,
            minutes: self
                .minutes
                .map(u64::try_from)
                .transpose()
                .map_err(|_| corrupt("分钟数"))?,
            exam: Exam::parse(self.exam).ok_or_else(|| corrupt("考试结果"))?,
            for_year: self
                .for_year
                .map(i32::try_from)
                .transpose()
                .map_err(|_| corrupt("年度"))?,
            filing: self.filing_number,
            conversion: self.conversion_kind,
            achievement: self.achievement,
            certificate_no: self.certificate_no,
            corrects: self.corrects,
            evidence: self
                .evidence_hash
                .map(<&[u8; 32]>::try_from)
                .transpose()
                .map_err(|_| corrupt("证明材料哈希"))?,
            registered_on: self.registered_on,
            actor: self.actor,
            entry_index: self.entry_index,
        })
    }
}

impl RawRecord {
    /// The row borrowed, to be checked or hashed without copying its text.
    pub(crate) fn borrowed(&self) -> RawRecordRef<'_> {
        RawRecordRef {
            id: self.id,
            person_id: self.person_id,
            commitment: &self.commitment,
            label: &self.label,
            content: &self.content,
            subject: &self.subject,
            form: &self.form,
            provider: self.provider.as_deref(),
            started_on: self.started_on.map(|d| d.0),
            completed_on: self.completed_on.0,
            hours_tenths: self.hours_tenths,
            minutes: self.minutes,
            exam: &self.exam,
            for_year: self.for_year,
            filing_number: self.filing_number.as_deref(),
            conversion_kind: self.conversion_kind.as_deref(),
            achievement: self.achievement.as_deref(),
            certificate_no: self.certificate_no.as_deref(),
            corrects: self.corrects,
            evidence_hash: self.evidence_hash.as_deref(),
            registered_on: self.registered_on.0,
            actor: &self.actor,
            entry_index: self.entry_index,
        }
    }
}

impl TryFrom<RawRecord> for RecordRow {
    type Error = StoreError;
    fn try_from(r: RawRecord) -> Result<Self, StoreError> {
        r.borrowed().view().map(|v| v.to_row())
    }
}

pub(crate) fn decode_record(raw: RawRecord) -> Result<RecordRow, StoreError> {
    RecordRow::try_from(raw)
}

/// The columns of [`RawRecord`] that a policy case uses (not content, certificate, actor, nor
/// the commitment and evidence hashes: most of a row's bytes), as two JSON arrays of nine (serde
/// decodes tuples of up to 16), for reading many persons' records for their cases as one JSON
/// text built by the database; see [`decode_case_records`].
pub(crate) fn case_record_json(backend: Backend) -> String {
    let array = match backend {
        Backend::Sqlite => "json_array",
        Backend::Postgres => "json_build_array",
    };
    format!(
        "{array}({array}(r.id, r.person_id, r.label, r.subject, r.form, r.provider, r.started_on,
            r.completed_on, r.hours_tenths),
         {array}(r.minutes, r.exam, r.for_year, r.filing_number, r.conversion_kind, r.achievement,
            r.corrects, r.registered_on, r.entry_index))"
    )
}

type CaseRecordJson = (
    (
        i64,
        i64,
        String,
        String,
        String,
        Option<String>,
        Option<String>,
        String,
        Option<i64>,
    ),
    (
        Option<i64>,
        String,
        Option<i64>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<i64>,
        String,
        i64,
    ),
);

/// The records of a JSON array of [`case_record_json`] rows (`None`: no rows), decoded as rows
/// read by sqlx are; what the columns leave out is empty (a zero commitment).
pub(crate) fn decode_case_records(json: Option<&str>) -> Result<Vec<RecordRow>, StoreError> {
    let rows: Vec<CaseRecordJson> =
        serde_json::from_str(json.unwrap_or("[]")).map_err(|_| corrupt("学习记录"))?;
    let date = |d: &str| Date::parse(d).map(DbDate).map_err(|_| corrupt("日期"));
    rows.into_iter()
        .map(|(a, b)| {
            decode_record(RawRecord {
                id: a.0,
                person_id: a.1,
                commitment: vec![0; 32],
                label: a.2,
                content: String::new(),
                subject: a.3,
                form: a.4,
                provider: a.5,
                started_on: a.6.as_deref().map(date).transpose()?,
                completed_on: date(&a.7)?,
                hours_tenths: a.8,
                minutes: b.0,
                exam: b.1,
                for_year: b.2,
                filing_number: b.3,
                conversion_kind: b.4,
                achievement: b.5,
                certificate_no: None,
                corrects: b.6,
                evidence_hash: None,
                registered_on: date(&b.7)?,
                actor: String::new(),
                entry_index: b.8,
            })
        })
        .collect()
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawVoid {
    id: i64,
    record_id: i64,
    person_id: i64,
    reason: String,
    replaced_by: Option<i64>,
    voided_on: DbDate,
    actor: String,
    entry_index: i64,
}

pub(crate) const VOID_COLUMNS: &str =
    "id, record_id, person_id, reason, replaced_by, voided_on, actor, entry_index";

impl From<RawVoid> for VoidRow {
    fn from(v: RawVoid) -> Self {
        VoidRow {
            id: v.id,
            record_id: v.record_id,
            person_id: v.person_id,
            reason: v.reason,
            replaced_by: v.replaced_by,
            voided_on: v.voided_on.0,
            actor: v.actor,
            entry_index: v.entry_index,
        }
    }
}

pub(crate) fn amounts(r: &Record) -> (Option<i64>, Option<i64>) {
    match r.amount {
        Some(Amount::Hours(h)) => (i64::try_from(h.tenths()).ok(), None),
        Some(Amount::Minutes(m)) => (None, i64::try_from(m).ok()),
        None => (None, None),
    }
}

fn validate(n: &NewRecord) -> Result<(), StoreError> {
    let r = &n.record;
    if r.id.trim().is_empty() {
        return Err(StoreError::invalid("record.label", "记录编号不能为空"));
    }
    if n.content.trim().is_empty() {
        return Err(StoreError::invalid("record.content", "培训内容不能为空"));
    }
    if r.amount.is_none() && !(r.form == Form::Conversion && r.conversion.is_some()) {
        return Err(StoreError::invalid("record.hours", "须填写学时或分钟数"));
    }
    if r.for_year.is_some() && r.subject == Subject::Professional {
        return Err(StoreError::invalid(
            "record.for_year",
            "只有公需科目可以注明计入年度",
        ));
    }
    if r.started.is_some_and(|s| s > r.completed) {
        return Err(StoreError::invalid("record.dates", "开始日期晚于完成日期"));
    }
    if n.registered_on < r.completed {
        // D11: registration follows the activity.
        return Err(StoreError::invalid(
            "record.not_completed",
            "登记日期早于完成日期：学习结束后方可登记",
        ));
    }
    if let Some(p) = &r.provider
        && !p.fits(r.form)
    {
        return Err(StoreError::invalid("record.provider", p.misfit(r.form)));
    }
    if matches!(r.amount, Some(Amount::Minutes(m)) if m > MAX_MINUTES) {
        return Err(StoreError::invalid(
            "record.minutes",
            format!("分钟数须为 0 至 {MAX_MINUTES} 之间的整数"),
        ));
    }
    // What `amounts` stores must fit its column: never NULL for a value given.
    if let (Some(Amount::Hours(_)), (None, _)) | (Some(Amount::Minutes(_)), (_, None)) =
        (r.amount, amounts(r))
    {
        return Err(StoreError::invalid("record.hours", "学时或分钟数超出范围"));
    }
    Ok(())
}

/// The row a new record is stored as, given its id, its person's commitment, the record it
/// corrects and its ledger entry.
pub(crate) fn row_of(
    n: &NewRecord,
    id: i64,
    person_commitment: [u8; 32],
    corrects: Option<i64>,
    entry_index: i64,
) -> RecordRow {
    let r = &n.record;
    let (hours, minutes) = amounts(r);
    RecordRow {
        id,
        person_id: n.person_id,
        person_commitment,
        label: r.id.clone(),
        content: n.content.clone(),
        subject: r.subject,
        form: r.form,
        provider: r.provider.as_ref().map(provider_text),
        started: r.started,
        completed: r.completed,
        hours: hours
            .and_then(|h| u64::try_from(h).ok())
            .map(Hours::from_tenths),
        minutes: minutes.and_then(|m| u64::try_from(m).ok()),
        exam: r.exam,
        for_year: r.for_year,
        filing: r.filing.clone(),
        conversion: r.conversion.clone(),
        achievement: r.achievement.clone(),
        certificate_no: n.certificate_no.clone(),
        corrects,
        evidence: n.evidence,
        registered_on: n.registered_on,
        actor: n.actor.clone(),
        entry_index,
    }
}

/// The stored rows of a batch: ids from `first_id` (the caller holds the write lock), entry
/// indexes and leaves from the appender.
pub(crate) fn prepare(
    batch: &[NewRecord],
    commitments: &HashMap<i64, [u8; 32]>,
    corrects: Option<i64>,
    first_id: i64,
    appender: &mut Appender,
) -> Result<Vec<RecordRow>, StoreError> {
    let mut rows = Vec::with_capacity(batch.len());
    for (n, id) in batch.iter().zip(first_id..) {
        let commitment = *commitments
            .get(&n.person_id)
            .ok_or(StoreError::NotFound("人员"))?;
        let row = row_of(n, id, commitment, corrects, appender.next_index());
        appender.push(
            EntryKind::RecordRegister,
            id,
            Some(n.person_id),
            &row.canonical(),
        )?;
        rows.push(row);
    }
    Ok(rows)
}

/// The salted commitments of the persons of a batch, in one query per thousand persons.
macro_rules! fetch_commitments {
    ($tx:expr, $batch:expr) => {{
        let mut ids: Vec<i64> = $batch
            .iter()
            .map(|n: &$crate::records::NewRecord| n.person_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut found: std::collections::HashMap<i64, [u8; 32]> =
            std::collections::HashMap::with_capacity(ids.len());
        // The ids as one JSON list parameter and the rows as one JSON text: bound one by one,
        // 1,000 `$N` were a quadratic look-up in SQLite, and each row read is a channel hop.
        let backend = $crate::db::tx_backend(&*$tx);
        let sql = $crate::bulk::json_rows(
            backend,
            &[&[
                $crate::bulk::Col::Val("id"),
                $crate::bulk::Col::Blob("commitment"),
            ]],
            None,
            &format!(
                "FROM persons WHERE {}",
                $crate::bulk::in_list(backend, "id", 1, $crate::bulk::Item::Int)
            ),
        );
        let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .bind($crate::json_list!(&ids))
            .fetch_one(&mut **$tx)
            .await?;
        let rows: Vec<(i64, String)> = serde_json::from_str(text.as_deref().unwrap_or("[]"))
            .map_err(|_| $crate::records::corrupt("人员承诺值"))?;
        for (id, c) in rows {
            let bytes = $crate::keys::unhex(&c).unwrap_or_default();
            found.insert(
                id,
                bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| $crate::records::corrupt("人员承诺值"))?,
            );
        }
        found
    }};
}

/// Inserts prepared rows in bulk (`crate::bulk`).
macro_rules! insert_rows {
    ($tx:expr, $rows:expr) => {{
        $crate::bulk::BulkWrite::write_records(&mut *$tx, $rows).await?;
    }};
}

/// Registers `$batch` inside `$tx` with `$appender`, returning the new rows.
macro_rules! register_in_tx {
    ($tx:expr, $appender:expr, $batch:expr, $corrects:expr) => {{
        let commitments = $crate::records::fetch_commitments!($tx, $batch);
        let first_id: i64 = sqlx::query_scalar($crate::records::NEXT_ID)
            .fetch_one(&mut **$tx)
            .await?;
        let rows =
            $crate::records::prepare($batch, &commitments, $corrects, first_id, &mut $appender)?;
        $crate::records::insert_rows!($tx, &rows);
        rows
    }};
}

pub(crate) use {fetch_commitments, insert_rows, register_in_tx};

/// The id the next record gets (the writer holds the write lock).
pub(crate) const NEXT_ID: &str = "SELECT COALESCE(MAX(id), 0) + 1 FROM records";

/// [`register_in_tx!`] on a SQLite connection of our own (`crate::direct`), inside the
/// transaction held there: the batch's rows, written, with their entries pushed to `appender`.
pub(crate) fn register_direct(
    conn: &rusqlite::Connection,
    appender: &mut Appender,
    batch: &[NewRecord],
) -> Result<Vec<RecordRow>, StoreError> {
    let mut ids: Vec<i64> = batch.iter().map(|n| n.person_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut commitments: HashMap<i64, [u8; 32]> = HashMap::with_capacity(ids.len());
    let mut stmt = conn.prepare_cached(
        "SELECT id, commitment FROM persons WHERE id IN (SELECT value FROM json_each(?1))",
    )?;
    let mut rows = stmt.query([crate::json_list!(&ids)])?;
    while let Some(row) = rows.next()? {
        let id: i64 = row.get(0)?;
        let c: Vec<u8> = row.get(1)?;
        commitments.insert(
            id,
            c.as_slice().try_into().map_err(|_| corrupt("人员承诺值"))?,
        );
    }
    let first_id: i64 = conn.prepare_cached(NEXT_ID)?.query_row([], |r| r.get(0))?;
    let rows = prepare(batch, &commitments, None, first_id, appender)?;
    crate::bulk::write_records_direct(conn, &rows)?;
    Ok(rows)
}

/// Registers a batch of records atomically, with one signed checkpoint for the batch.
pub async fn register(
    db: &Db,
    signer: &LedgerSigner,
    batch: &[NewRecord],
    now_ms: i64,
) -> Result<Vec<(i64, Inclusion)>, StoreError> {
    register_audited(db, signer, batch, now_ms, Trail::Batch(None)).await
}

/// The audit lines a registration writes in its transaction.
#[derive(Clone, Copy, Debug)]
pub enum Trail<'a> {
    /// One line for the whole batch (an import's), or none.
    Batch(Option<&'a crate::audit::Line>),
    /// One `record.register` line per record, registered by hand: its registrar
    /// ([`NewRecord::actor`]) acting in the given region (one per record, in order), naming the
    /// record written and its ledger leaf.
    PerRecord(&'a [Option<xueshi_domain::RegionCode>]),
}

/// [`register`] with its audit lines ([`Trail`]) written in the batch's transaction.
pub async fn register_audited(
    db: &Db,
    signer: &LedgerSigner,
    batch: &[NewRecord],
    now_ms: i64,
    trail: Trail<'_>,
) -> Result<Vec<(i64, Inclusion)>, StoreError> {
    for n in batch {
        validate(n)?;
    }
    if let Trail::PerRecord(regions) = trail
        && regions.len() != batch.len()
    {
        return Err(StoreError::invalid(
            "record.trail",
            "每条登记须有一行审计记录",
        ));
    }
    if batch.is_empty() {
        return Ok(Vec::new());
    }
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let rows = register_in_tx!(tx, appender, batch, None);
        match trail {
            Trail::Batch(Some(line)) => crate::line_in_tx!(tx, line)?,
            Trail::Batch(None) => {}
            Trail::PerRecord(regions) => {
                for ((n, row), region) in batch.iter().zip(&rows).zip(regions) {
                    crate::audit_in_tx!(tx, now_ms, &n.actor, *region,
                        EntryKind::RecordRegister.as_str(),
                        format!("person:{}/record:{}", n.person_id, row.id), row.entry_index)?;
                }
            }
        }
        write_batch!(tx, &appender, signer)?;
        Ok(rows.iter().map(|r| r.id).zip(appender.inclusions()).collect())
    })
}

/// Registers one record by hand, with its `record.register` audit line (its registrar acting
/// in `region`): its id and place in the ledger.
pub async fn register_one(
    db: &Db,
    signer: &LedgerSigner,
    record: &NewRecord,
    region: Option<xueshi_domain::RegionCode>,
    now_ms: i64,
) -> Result<(i64, Inclusion), StoreError> {
    let trail = Trail::PerRecord(std::slice::from_ref(&region));
    register_audited(db, signer, std::slice::from_ref(record), now_ms, trail)
        .await?
        .pop()
        .ok_or_else(|| StoreError::Ledger("空批次".to_owned()))
}

/// Voids a record with a reason, optionally registering its correction in the same act.
pub async fn void(
    db: &Db,
    signer: &LedgerSigner,
    record_id: i64,
    reason: &str,
    replacement: Option<&NewRecord>,
    act: Act<'_>,
) -> Result<Vec<(i64, Inclusion)>, StoreError> {
    let Act {
        actor,
        region,
        on: voided_on,
        now_ms,
    } = act;
    if reason.trim().is_empty() {
        return Err(StoreError::invalid("void.reason", "作废须说明理由"));
    }
    if let Some(n) = replacement {
        validate(n)?;
    }
    in_tx!(db, tx => {
        let person: Option<i64> = sqlx::query_scalar("SELECT person_id FROM records WHERE id = $1")
            .bind(record_id)
            .fetch_optional(&mut **tx)
            .await?;
        let person_id = person.ok_or(StoreError::NotFound("记录"))?;
        if replacement.is_some_and(|n| n.person_id != person_id) {
            return Err(StoreError::invalid("void.replacement", "更正记录须属于同一人员"));
        }
        let mut appender = resume_batch!(tx, now_ms)?;
        let mut ids = Vec::new();
        let replaced_by = match replacement {
            Some(n) => {
                let rows = register_in_tx!(tx, appender, std::slice::from_ref(n), Some(record_id));
                let id = rows.first().map(|r| r.id);
                ids.extend(id);
                id
            }
            None => None,
        };
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO voids (record_id, person_id, reason, replaced_by, voided_on, actor, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(record_id)
        .bind(person_id)
        .bind(reason)
        .bind(replaced_by)
        .bind(DbDate(voided_on))
        .bind(actor)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = VoidRow {
            id,
            record_id,
            person_id,
            reason: reason.to_owned(),
            replaced_by,
            voided_on,
            actor: actor.to_owned(),
            entry_index,
        };
        appender.push(EntryKind::RecordVoid, id, Some(person_id), &row.canonical())?;
        ids.push(id);
        crate::audit_in_tx!(tx, now_ms, actor, region, EntryKind::RecordVoid.as_str(),
            format!("person:{person_id}/record:{record_id}"), entry_index)?;
        write_batch!(tx, &appender, signer)?;
        Ok(ids.into_iter().zip(appender.inclusions()).collect())
    })
}

/// The person a record belongs to.
pub async fn record_person(db: &Db, record_id: i64) -> Result<i64, StoreError> {
    let person: Option<i64> = on_db!(db, p => sqlx::query_scalar("SELECT person_id FROM records WHERE id = $1")
        .bind(record_id)
        .fetch_optional(p)
        .await?);
    person.ok_or(StoreError::NotFound("记录"))
}

/// A person's records in registration order, each with its void if any.
pub async fn person_records(db: &Db, person_id: i64) -> Result<Vec<StoredRecord>, StoreError> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM records r JOIN persons p ON p.id = r.person_id
         WHERE r.person_id = $1 ORDER BY r.entry_index"
    );
    let void_sql = format!("SELECT {VOID_COLUMNS} FROM voids WHERE person_id = $1");
    let (raws, voids): (Vec<RawRecord>, Vec<RawVoid>) = on_db!(db, p => (
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(person_id).fetch_all(p).await?,
        sqlx::query_as(sqlx::AssertSqlSafe(void_sql)).bind(person_id).fetch_all(p).await?,
    ));
    let mut voids: HashMap<i64, VoidRow> = voids
        .into_iter()
        .map(|v| (v.record_id, VoidRow::from(v)))
        .collect();
    raws.into_iter()
        .map(|raw| {
            let row = decode_record(raw)?;
            Ok(StoredRecord {
                void: voids.remove(&row.id),
                row,
            })
        })
        .collect()
}
