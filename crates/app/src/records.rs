//! Registration of learning records (D1, D5, D10, D11), each use case in one place: a
//! professional, or their unit, registers a record with evidence ([`register`]), lists a
//! person's records ([`list`]), and voids or corrects one with a reason ([`void`]). Every
//! write answers with its place in the ledger. Registration for a year closes at the policy's
//! deadline for that year (`registration.closed`, citing the rule); the engine judges
//! everything else. The record and its ledger leaf are written in one store transaction.
//!
//! It does not batch: the web layer's group-commit writer is one [`RecordWriter`], the store
//! itself ([`Direct`]) another.

use std::future::Future;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::input::{Amount, Exam, Form, MAX_MINUTES, Provider, Record, Subject};
use xueshi_store::ledger::{self, Inclusion};
use xueshi_store::records::{self, NewRecord, StoredRecord};
use xueshi_store::{StoreError, evidence};

use crate::Action;
use crate::access::{allow, hex, parse_hash, person_target, year_field};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Kind, Result};
use crate::views::Receipt;

/// A record as registered: the policy facts and what was studied. Enumerations take the
/// engine's codes (`subject`: public | professional; `form`: training_class, practice, online,
/// academic, research, qualification_exam, other, conversion; `exam`: pass | fail | none).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// A label unique for the person (default: generated).
    pub label: Option<String>,
    /// 培训内容.
    pub content: String,
    pub subject: String,
    pub form: String,
    /// `base:N`, `kind:<kind>` or the name of a registered courseware provider.
    pub provider: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: String,
    /// Hours with at most one decimal, e.g. "12.5" (or give `minutes`).
    pub hours: Option<String>,
    pub minutes: Option<u64>,
    pub exam: Option<String>,
    /// The year a public record counts for (D5).
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    pub conversion: Option<String>,
    pub achievement: Option<String>,
    pub certificate_no: Option<String>,
    /// SHA-256 (hex) of an evidence file uploaded to `/api/evidence`.
    pub evidence: Option<String>,
}

fn field(code: &'static str, message: &str) -> Error {
    Error::invalid(code, message.to_owned())
}

fn date(text: &str, code: &'static str, name: &str) -> Result<Date> {
    Date::parse(text).map_err(|_| field(code, &format!("{name}须为有效日期 YYYY-MM-DD")))
}

/// Longest label, in characters.
const MAX_LABEL: usize = 100;
/// Longest text field (content, provider, filing number, achievement…), in characters.
const MAX_TEXT: usize = 500;

/// `value` of the field `name` (code `code`) if at most `max` characters.
fn bounded<'a>(value: &'a str, max: usize, code: &'static str, name: &str) -> Result<&'a str> {
    if value.chars().count() > max {
        return Err(field(code, &format!("{name}过长：至多 {max} 个字符")));
    }
    Ok(value)
}

fn opt_bounded(value: Option<&str>, code: &'static str, name: &str) -> Result<Option<String>> {
    value
        .map(|v| bounded(v, MAX_TEXT, code, name).map(str::to_owned))
        .transpose()
}

fn provider(text: &str) -> Result<Provider> {
    Provider::parse(text).ok_or_else(|| {
        field(
            "record.provider",
            "提供单位须为 base:1–4、kind:<类别> 或已备案课件提供方名称",
        )
    })
}

impl RecordBody {
    /// The record to register, checked field by field.
    fn to_new(
        &self,
        person_id: i64,
        label: String,
        registered_on: Date,
        actor: &str,
    ) -> Result<NewRecord> {
        let amount =
            match (&self.hours, self.minutes) {
                (Some(_), Some(_)) => {
                    return Err(field("record.amount", "学时与分钟只能填写一项"));
                }
                (Some(h), None) => Some(Amount::Hours(Hours::parse(h).map_err(|_| {
                    field("record.hours", "学时须为非负数，至多一位小数，如 12.5")
                })?)),
                (None, Some(m)) if m <= MAX_MINUTES => Some(Amount::Minutes(m)),
                (None, Some(_)) => {
                    return Err(field(
                        "record.minutes",
                        &format!("分钟数须为 0 至 {MAX_MINUTES} 之间的整数"),
                    ));
                }
                (None, None) => None,
            };
        let evidence = self
            .evidence
            .as_deref()
            .map(|h| parse_hash(h, "record.evidence"))
            .transpose()?;
        let label = bounded(&label, MAX_LABEL, "record.label", "登记编号")?.to_owned();
        let content = bounded(&self.content, MAX_TEXT, "record.content", "培训内容")?.to_owned();
        let form =
            Form::parse(&self.form).ok_or_else(|| field("record.form", "学习形式代码无效"))?;
        let provider = match self.provider.as_deref() {
            None => None,
            Some(p) => {
                let p = provider(bounded(p, MAX_TEXT, "record.provider", "提供单位")?)?;
                if !p.fits(form) {
                    return Err(field("record.provider", &p.misfit(form)));
                }
                Some(p)
            }
        };
        let for_year = self
            .for_year
            .map(|y| year_field("for_year", y))
            .transpose()?;
        let record = Record {
            id: label,
            subject: Subject::parse(&self.subject).ok_or_else(|| {
                field(
                    "record.subject",
                    "科目须为 public（公需）或 professional（专业）",
                )
            })?,
            form,
            provider,
            started: self
                .started_on
                .as_deref()
                .map(|s| date(s, "record.started_on", "开始日期"))
                .transpose()?,
            completed: date(&self.completed_on, "record.completed_on", "完成日期")?,
            amount,
            exam: match self.exam.as_deref() {
                None => Exam::None,
                Some(e) => Exam::parse(e)
                    .ok_or_else(|| field("record.exam", "考试结果须为 pass、fail 或 none"))?,
            },
            for_year,
            filing: opt_bounded(self.filing.as_deref(), "record.filing", "备案文号")?,
            conversion: opt_bounded(self.conversion.as_deref(), "record.conversion", "折算类别")?,
            achievement: opt_bounded(
                self.achievement.as_deref(),
                "record.achievement",
                "成果标识",
            )?,
            registered: Some(registered_on),
        };
        if record.completed > registered_on {
            // D11: registration follows the activity (30号 二(一) “在培训工作结束后”).
            return Err(field(
                "record.not_completed",
                &format!(
                    "完成日期 {} 晚于登记日 {registered_on}：学习结束后方可登记",
                    record.completed
                ),
            ));
        }
        Ok(NewRecord {
            person_id,
            record,
            content,
            certificate_no: opt_bounded(
                self.certificate_no.as_deref(),
                "record.certificate_no",
                "证书编号",
            )?,
            evidence,
            registered_on,
            actor: actor.to_owned(),
        })
    }
}

/// The record's label: the one given, or a new random one (`W` and 16 hex digits).
fn label_or_new(given: Option<&str>) -> Result<String> {
    match given.map(str::trim) {
        Some("") => Err(field("record.label", "登记编号不能为空")),
        Some(l) => Ok(l.to_owned()),
        None => {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).map_err(|e| Error::internal("random", e))?;
            Ok(format!("W{:016x}", u64::from_be_bytes(bytes)))
        }
    }
}

/// Registration for the record's year must still be open (D11).
fn check_open(ctx: &Ctx, record: &Record, today: Date) -> Result<()> {
    let year = record.for_year.unwrap_or_else(|| record.completed.year());
    let Some(yp) = ctx.policy.year(year) else {
        return Err(Error::invalid(
            "record.year",
            format!("{year} 年度没有学时政策，不能登记"),
        ));
    };
    let deadline = &yp.registration_deadline;
    if today > deadline.value {
        return Err(Error::conflict(
            "registration.closed",
            format!(
                "{year} 年度学时登记已于 {} 截止（registration.closed，{}）",
                deadline.value, deadline.cite
            ),
        ));
    }
    Ok(())
}

/// What a registration answers.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Registered {
    /// The new record's id (for a correction: the corrected record's id first, then the void's).
    pub ids: Vec<i64>,
    /// Where each write sits in the ledger, in the same order.
    pub receipts: Vec<Receipt>,
    /// The signed checkpoint (C2SP note) of the batch.
    pub checkpoint: Option<String>,
}

async fn registered(ctx: &Ctx, written: Vec<(i64, Inclusion)>) -> Result<Registered> {
    Ok(Registered {
        ids: written.iter().map(|(id, _)| *id).collect(),
        receipts: written.iter().map(|(_, i)| Receipt::from(i)).collect(),
        checkpoint: ledger::latest_note(&ctx.db).await?,
    })
}

/// Who writes a checked record (with its ledger leaf and its `record.register` audit line
/// naming the registrar, who acted in `region`, in one transaction).
pub trait RecordWriter {
    /// Writes `record`; answers its id and place in the ledger.
    fn write(
        &self,
        record: NewRecord,
        region: Option<RegionCode>,
    ) -> impl Future<Output = Result<(i64, Inclusion), StoreError>> + Send;
}

/// Writes each record in its own transaction, straight to the store.
#[derive(Clone, Debug)]
pub struct Direct(pub Ctx);

impl RecordWriter for Direct {
    async fn write(
        &self,
        record: NewRecord,
        region: Option<RegionCode>,
    ) -> Result<(i64, Inclusion), StoreError> {
        let ctx = &self.0;
        records::register_one(&ctx.db, &ctx.signer, &record, region, ctx.now_ms()).await
    }
}

/// Registers a learning record for `person_id`, written by `writer`.
pub async fn register<W: RecordWriter>(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    body: &RecordBody,
    writer: &W,
) -> Result<Registered> {
    let today = ctx.today()?;
    let (target, _) = person_target(ctx, person_id, today).await?;
    allow(ctx, &actor.principal, Action::RegisterRecord, &target)?;
    let label = label_or_new(body.label.as_deref())?;
    let new = body.to_new(person_id, label, today, &actor.name())?;
    check_open(ctx, &new.record, today)?;
    let written = writer.write(new, actor.region).await?;
    registered(ctx, vec![written]).await
}

/// Asks before registering: what the engine would make of the record, authorized and checked
/// as registering it is (the same body); nothing is written.
pub async fn check(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    body: &RecordBody,
) -> Result<crate::record_check::RecordCheck> {
    let today = ctx.today()?;
    let (target, _) = person_target(ctx, person_id, today).await?;
    allow(ctx, &actor.principal, Action::RegisterRecord, &target)?;
    let label = label_or_new(body.label.as_deref())?;
    let new = body.to_new(person_id, label, today, &actor.name())?;
    check_open(ctx, &new.record, today)?;
    crate::record_check::judge(ctx, &new).await
}

/// A stored record as listed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecordView {
    pub id: i64,
    pub label: String,
    pub content: String,
    pub subject: String,
    pub form: String,
    pub provider: Option<String>,
    pub started_on: Option<String>,
    pub completed_on: String,
    /// Hours as text (tenths exact), when claimed in hours.
    pub hours: Option<String>,
    pub minutes: Option<u64>,
    pub exam: String,
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    pub certificate_no: Option<String>,
    pub evidence: Option<String>,
    pub registered_on: String,
    pub actor: String,
    pub entry_index: i64,
    /// The void, when the record was voided: reason, by whom, when, and its correction's id.
    pub voided: Option<VoidView>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct VoidView {
    pub reason: String,
    pub actor: String,
    pub voided_on: String,
    pub replaced_by: Option<i64>,
}

impl RecordView {
    /// The year the record was completed in.
    pub fn completed_year(&self) -> i32 {
        self.completed_on
            .get(..4)
            .and_then(|y| y.parse().ok())
            .unwrap_or(0)
    }
}

impl From<StoredRecord> for RecordView {
    fn from(s: StoredRecord) -> Self {
        let r = s.row;
        Self {
            id: r.id,
            label: r.label,
            content: r.content,
            subject: r.subject.as_str().to_owned(),
            form: r.form.as_str().to_owned(),
            provider: r.provider,
            started_on: r.started.map(|d| d.to_string()),
            completed_on: r.completed.to_string(),
            hours: r.hours.map(|h| h.to_string()),
            minutes: r.minutes,
            exam: r.exam.as_str().to_owned(),
            for_year: r.for_year,
            filing: r.filing,
            certificate_no: r.certificate_no,
            evidence: r.evidence.as_ref().map(|h| hex(h)),
            registered_on: r.registered_on.to_string(),
            actor: r.actor,
            entry_index: r.entry_index,
            voided: s.void.map(|v| VoidView {
                reason: v.reason,
                actor: v.actor,
                voided_on: v.voided_on.to_string(),
                replaced_by: v.replaced_by,
            }),
        }
    }
}

/// `person_id`'s records in registration order, voided ones included and marked.
pub async fn list(ctx: &Ctx, actor: &Actor, person_id: i64) -> Result<Vec<RecordView>> {
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    Ok(records::person_records(&ctx.db, person_id)
        .await?
        .into_iter()
        .map(RecordView::from)
        .collect())
}

/// A void, with an optional correction registered in the same act.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoidBody {
    /// Why (required).
    pub reason: String,
    /// The corrected record, if any.
    pub correction: Option<RecordBody>,
}

/// Voids `record_id`, optionally registering its correction in the same ledger batch (one
/// transaction).
pub async fn void(ctx: &Ctx, actor: &Actor, record_id: i64, body: &VoidBody) -> Result<Registered> {
    let today = ctx.today()?;
    let person_id = records::record_person(&ctx.db, record_id).await?;
    let (target, _) = person_target(ctx, person_id, today).await?;
    allow(ctx, &actor.principal, Action::VoidRecord, &target)?;
    let name = actor.name();
    let correction = match &body.correction {
        Some(c) => {
            let new = c.to_new(person_id, label_or_new(c.label.as_deref())?, today, &name)?;
            check_open(ctx, &new.record, today)?;
            Some(new)
        }
        None => None,
    };
    let written = records::void(
        &ctx.db,
        &ctx.signer,
        record_id,
        &body.reason,
        correction.as_ref(),
        actor.act(ctx, &name)?,
    )
    .await?;
    registered(ctx, written).await
}

/// The hash of an uploaded evidence file.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EvidenceRef {
    /// SHA-256 (hex): name it as a record's `evidence`.
    pub hash: String,
    pub media_type: String,
    pub size: usize,
}

/// Keeps an evidence file (PDF, JPEG or PNG, at most [`evidence::MAX_BYTES`]) of
/// `media_type`, content-addressed: the same bytes give the same hash. Only those who register
/// records upload (`auth.role`); a type the store never keeps is `evidence.type`
/// ([`Kind::Unsupported`]: the request's media type, not its content).
pub async fn upload_evidence(
    ctx: &Ctx,
    agent: &crate::actor::Agent,
    media_type: &str,
    bytes: &[u8],
) -> Result<EvidenceRef> {
    // Records' evidence, and a training provider's plan attached to its filing (a provider
    // files by API token too).
    let role = agent.principal.role();
    if !Action::RegisterRecord.allowed_roles().contains(&role)
        && !Action::FileTraining.allowed_roles().contains(&role)
    {
        return Err(Error::denied(
            "auth.role",
            "只有专业技术人员、单位和培训机构可以上传文件",
        ));
    }
    if !evidence::ACCEPTED.contains(&media_type) {
        return Err(Error::new(
            Kind::Unsupported,
            "evidence.type",
            "证明材料只接受 PDF、JPEG、PNG 文件（Content-Type 须为 application/pdf、image/jpeg 或 image/png）",
        ));
    }
    let hash = evidence::store_evidence(&ctx.db, media_type, bytes, ctx.now_ms()).await?;
    Ok(EvidenceRef {
        hash: hex(&hash),
        media_type: media_type.to_owned(),
        size: bytes.len(),
    })
}

/// An evidence file as served: its bytes, what they are, and their hash (hex).
#[derive(Clone, Debug)]
pub struct EvidenceFile {
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub hash: String,
}

impl From<evidence::Evidence> for EvidenceFile {
    fn from(e: evidence::Evidence) -> Self {
        Self {
            hash: hex(&e.hash),
            media_type: e.media_type,
            bytes: e.content,
        }
    }
}

/// Opens the evidence file `hash` (hex) behind one of `person_id`'s records, for those who may
/// read the person's records; anyone but the person is written in the audit trail first
/// (`evidence.view`), so no one else sees it unlogged. A hash none of the person's records
/// names is `evidence.not_found`, whoever else's it may be.
pub async fn evidence_file(
    ctx: &Ctx,
    actor: &Actor,
    person_id: i64,
    hash: &str,
) -> Result<EvidenceFile> {
    let hash = parse_hash(hash, "evidence.hash")?;
    let (target, _) = person_target(ctx, person_id, ctx.today()?).await?;
    allow(ctx, &actor.principal, Action::ViewRecords, &target)?;
    let file = evidence::person_evidence(&ctx.db, person_id, &hash)
        .await?
        .ok_or_else(|| {
            Error::not_found("evidence.not_found", "该人员的学时记录中没有这份证明材料")
        })?;
    let file = EvidenceFile::from(file);
    if actor.account.person_id != Some(person_id) {
        xueshi_store::audit::audit(
            &ctx.db,
            ctx.now_ms(),
            &actor.name(),
            actor.region,
            xueshi_store::audit::EVIDENCE_VIEW,
            Some(&format!("person:{person_id}")),
            Some(&file.hash),
        )
        .await?;
    }
    Ok(file)
}
