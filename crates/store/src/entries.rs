//! The canonical bytes of every ledger-covered row. Registration and `ledger verify` build them
//! from the same row structs with the same function, so a row altered behind the application's
//! back no longer hashes to its leaf. Canonical = domain tag, kind, then JSON with sorted keys,
//! integers and strings only. Personal data appears only as the person's salted commitment.

use serde_json::{Value, json};
use xueshi_domain::{Date, Hours};
use xueshi_policy::input::{Amount, Exam, Form, Provider, Record, Subject};

use crate::error::StoreError;

/// Ledger entry kinds, one per covered table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntryKind {
    RecordRegister,
    RecordVoid,
    FilingDecision,
    ProviderRegistration,
    ReviewAct,
    VerificationAct,
    CertificateIssue,
    CertificateRevoke,
}

impl EntryKind {
    pub const ALL: [EntryKind; 8] = [
        Self::RecordRegister,
        Self::RecordVoid,
        Self::FilingDecision,
        Self::ProviderRegistration,
        Self::ReviewAct,
        Self::VerificationAct,
        Self::CertificateIssue,
        Self::CertificateRevoke,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::RecordRegister => "record.register",
            Self::RecordVoid => "record.void",
            Self::FilingDecision => "filing.decision",
            Self::ProviderRegistration => "provider.registration",
            Self::ReviewAct => "review.act",
            Self::VerificationAct => "verification.act",
            Self::CertificateIssue => "certificate.issue",
            Self::CertificateRevoke => "certificate.revoke",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The table whose rows this kind of entry covers.
    pub fn table(self) -> &'static str {
        match self {
            Self::RecordRegister => "records",
            Self::RecordVoid => "voids",
            Self::FilingDecision => "filing_decisions",
            Self::ProviderRegistration => "provider_registrations",
            Self::ReviewAct => "review_acts",
            Self::VerificationAct => "verification_acts",
            Self::CertificateIssue => "certificates",
            Self::CertificateRevoke => "certificate_revocations",
        }
    }
}

/// Lowercase hex, without `format!` per byte (it was the hot spot of `ledger verify`).
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut out = Vec::with_capacity(bytes.len() * 2);
    push_hex(&mut out, bytes);
    String::from_utf8(out).unwrap_or_default()
}

pub(crate) fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    let digit = |n: u8| if n < 10 { b'0' + n } else { b'a' + n - 10 };
    for &b in bytes {
        out.extend_from_slice(&[digit(b >> 4), digit(b & 0xf)]);
    }
}

fn canonical(kind: EntryKind, body: &Value) -> Vec<u8> {
    // serde_json's map is ordered by key: the serialisation is canonical for our value shapes.
    let mut out = header(kind);
    out.extend_from_slice(body.to_string().as_bytes());
    out
}

fn header(kind: EntryKind) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    push_header(&mut out, kind);
    out
}

/// The domain tag and the kind, each on its line, that begin every entry's canonical bytes.
fn push_header(out: &mut Vec<u8>, kind: EntryKind) {
    out.extend_from_slice(b"xueshi-entry-v1\n");
    out.extend_from_slice(kind.as_str().as_bytes());
    out.push(b'\n');
}

/// Writes the same bytes as `serde_json` would for an object of strings, integers and nulls
/// with keys in sorted order — without building the object: this is `ledger verify`'s hot path.
struct Json {
    out: Vec<u8>,
    #[cfg(debug_assertions)]
    last: &'static str,
}

impl Json {
    fn new(kind: EntryKind) -> Self {
        Self::within(kind, Vec::with_capacity(512))
    }

    /// Writes into `out` (emptied first): a buffer used again for every row of a chunk.
    fn within(kind: EntryKind, mut out: Vec<u8>) -> Self {
        out.clear();
        push_header(&mut out, kind);
        out.push(b'{');
        Json {
            out,
            #[cfg(debug_assertions)]
            last: "",
        }
    }

    fn key(&mut self, key: &'static str) {
        #[cfg(debug_assertions)]
        {
            debug_assert!(
                self.last < key,
                "canonical keys out of order: {} then {key}",
                self.last
            );
            self.last = key;
        }
        if self.out.last() != Some(&b'{') {
            self.out.push(b',');
        }
        self.string(key);
        self.out.push(b':');
    }

    fn string(&mut self, s: &str) {
        self.out.push(b'"');
        // Most text needs no escape: copy it whole (the escapes are all ASCII, so a byte scan
        // finds every one; multi-byte UTF-8 never contains these bytes).
        // A fold without an early exit: the compiler checks 16 or 32 bytes at a time (with
        // `any` it went byte by byte, 7 % of `ledger verify`).
        let plain = !s.bytes().fold(false, |hit, b| {
            hit | (b == b'"') | (b == b'\\') | (b < 0x20)
        });
        if plain {
            self.out.extend_from_slice(s.as_bytes());
            self.out.push(b'"');
            return;
        }
        for c in s.chars() {
            match c {
                '"' => self.out.extend_from_slice(b"\\\""),
                '\\' => self.out.extend_from_slice(b"\\\\"),
                '\n' => self.out.extend_from_slice(b"\\n"),
                '\r' => self.out.extend_from_slice(b"\\r"),
                '\t' => self.out.extend_from_slice(b"\\t"),
                '\u{8}' => self.out.extend_from_slice(b"\\b"),
                '\u{c}' => self.out.extend_from_slice(b"\\f"),
                c if u32::from(c) < 0x20 => {
                    self.out
                        .extend_from_slice(format!("\\u{:04x}", u32::from(c)).as_bytes());
                }
                c => {
                    let mut buf = [0u8; 4];
                    self.out
                        .extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
                }
            }
        }
        self.out.push(b'"');
    }

    fn str(mut self, key: &'static str, value: &str) -> Self {
        self.key(key);
        self.string(value);
        self
    }

    fn opt_str(mut self, key: &'static str, value: Option<&str>) -> Self {
        self.key(key);
        match value {
            Some(v) => self.string(v),
            None => self.out.extend_from_slice(b"null"),
        }
        self
    }

    fn int(mut self, key: &'static str, value: i64) -> Self {
        self.key(key);
        self.number(value);
        self
    }

    /// An integer in decimal, as `serde_json` writes it (digits by hand: through `write!` the
    /// formatting machinery was a few per cent of `ledger verify`).
    fn number(&mut self, value: i64) {
        if value < 0 {
            self.out.push(b'-');
        }
        push_digits(&mut self.out, value.unsigned_abs(), 1);
    }

    /// A date as its ISO text (digits and dashes: nothing to escape), as `Date`'s `Display`.
    fn date(mut self, key: &'static str, value: Date) -> Self {
        self.key(key);
        self.out.push(b'"');
        match u64::try_from(value.year()) {
            Ok(year) if year <= 9999 => {
                push_digits(&mut self.out, year, 4);
                self.out.push(b'-');
                push_digits(&mut self.out, u64::from(value.month()), 2);
                self.out.push(b'-');
                push_digits(&mut self.out, u64::from(value.day()), 2);
            }
            _ => {
                use std::io::Write as _;
                // Writing into a Vec cannot fail.
                let _ = write!(self.out, "{value}");
            }
        }
        self.out.push(b'"');
        self
    }

    fn opt_date(self, key: &'static str, value: Option<Date>) -> Self {
        match value {
            Some(d) => self.date(key, d),
            None => self.opt_str(key, None),
        }
    }

    /// Bytes as a lowercase hex string.
    fn hex(mut self, key: &'static str, value: Option<&[u8]>) -> Self {
        self.key(key);
        match value {
            Some(v) => {
                self.out.push(b'"');
                push_hex(&mut self.out, v);
                self.out.push(b'"');
            }
            None => self.out.extend_from_slice(b"null"),
        }
        self
    }

    fn bool(mut self, key: &'static str, value: bool) -> Self {
        self.key(key);
        self.out
            .extend_from_slice(if value { b"true" } else { b"false" });
        self
    }

    fn opt_int(mut self, key: &'static str, value: Option<i64>) -> Self {
        self.key(key);
        match value {
            Some(v) => self.number(v),
            None => self.out.extend_from_slice(b"null"),
        }
        self
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.push(b'}');
        self.out
    }
}

/// `value` in decimal, left-padded with zeros to at least `width` digits.
fn push_digits(out: &mut Vec<u8>, mut value: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    while value > 0 || buf.len() - at < width {
        at -= 1;
        if let Some(slot) = buf.get_mut(at) {
            *slot = b'0' + u8::try_from(value % 10).unwrap_or(0);
        }
        value /= 10;
    }
    out.extend_from_slice(buf.get(at..).unwrap_or_default());
}

/// A learning record as stored (D1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordRow {
    pub id: i64,
    pub person_id: i64,
    pub person_commitment: [u8; 32],
    pub label: String,
    pub content: String,
    pub subject: Subject,
    pub form: Form,
    pub provider: Option<String>,
    pub started: Option<Date>,
    pub completed: Date,
    pub hours: Option<Hours>,
    pub minutes: Option<u64>,
    pub exam: Exam,
    pub for_year: Option<i32>,
    pub filing: Option<String>,
    pub conversion: Option<String>,
    pub achievement: Option<String>,
    pub certificate_no: Option<String>,
    /// The voided record this one corrects.
    pub corrects: Option<i64>,
    pub evidence: Option<[u8; 32]>,
    pub registered_on: Date,
    pub actor: String,
    pub entry_index: i64,
}

/// A learning record borrowed from where it lies — a [`RecordRow`], or a row as the database
/// sent it, checked ([`crate::records::RawRecordRef::view`]) but not copied: `ledger verify`
/// hashes 22 million of them at a province's size, and copying every text into a `String`
/// first was most of its time after SQLite's (BENCH.md).
#[derive(Clone, Copy, Debug)]
pub(crate) struct RecordView<'a> {
    pub(crate) id: i64,
    pub(crate) person_id: i64,
    pub(crate) person_commitment: &'a [u8; 32],
    pub(crate) label: &'a str,
    pub(crate) content: &'a str,
    pub(crate) subject: Subject,
    pub(crate) form: Form,
    pub(crate) provider: Option<&'a str>,
    pub(crate) started: Option<Date>,
    pub(crate) completed: Date,
    pub(crate) hours: Option<Hours>,
    pub(crate) minutes: Option<u64>,
    pub(crate) exam: Exam,
    pub(crate) for_year: Option<i32>,
    pub(crate) filing: Option<&'a str>,
    pub(crate) conversion: Option<&'a str>,
    pub(crate) achievement: Option<&'a str>,
    pub(crate) certificate_no: Option<&'a str>,
    pub(crate) corrects: Option<i64>,
    pub(crate) evidence: Option<&'a [u8; 32]>,
    pub(crate) registered_on: Date,
    pub(crate) actor: &'a str,
    pub(crate) entry_index: i64,
}

impl RecordView<'_> {
    /// The record's canonical bytes, written into `buf` (emptied first; returned filled).
    fn canonical_within(&self, buf: Vec<u8>) -> Vec<u8> {
        Json::within(EntryKind::RecordRegister, buf)
            .opt_str("achievement", self.achievement)
            .str("actor", self.actor)
            .opt_str("certificate_no", self.certificate_no)
            .date("completed", self.completed)
            .str("content", self.content)
            .opt_str("conversion", self.conversion)
            .opt_int("corrects", self.corrects)
            .hex("evidence", self.evidence.map(|e| e.as_slice()))
            .str("exam", self.exam.as_str())
            .opt_str("filing", self.filing)
            .opt_int("for_year", self.for_year.map(i64::from))
            .str("form", self.form.as_str())
            .opt_int(
                "hours_tenths",
                self.hours.and_then(|h| i64::try_from(h.tenths()).ok()),
            )
            .int("id", self.id)
            .str("label", self.label)
            .opt_int("minutes", self.minutes.and_then(|m| i64::try_from(m).ok()))
            .int("person", self.person_id)
            .hex("person_commitment", Some(self.person_commitment))
            .opt_str("provider", self.provider)
            .date("registered_on", self.registered_on)
            .opt_date("started", self.started)
            .str("subject", self.subject.as_str())
            .finish()
    }

    /// The record's ledger leaf, its canonical bytes written in `buf` (a buffer reused from
    /// row to row).
    pub(crate) fn leaf(&self, buf: &mut Vec<u8>) -> xueshi_ledger::merkle::Hash {
        *buf = self.canonical_within(std::mem::take(buf));
        xueshi_ledger::merkle::leaf_hash(buf)
    }

    /// The record as an owned row.
    pub(crate) fn to_row(self) -> RecordRow {
        let owned = |s: Option<&str>| s.map(str::to_owned);
        RecordRow {
            id: self.id,
            person_id: self.person_id,
            person_commitment: *self.person_commitment,
            label: self.label.to_owned(),
            content: self.content.to_owned(),
            subject: self.subject,
            form: self.form,
            provider: owned(self.provider),
            started: self.started,
            completed: self.completed,
            hours: self.hours,
            minutes: self.minutes,
            exam: self.exam,
            for_year: self.for_year,
            filing: owned(self.filing),
            conversion: owned(self.conversion),
            achievement: owned(self.achievement),
            certificate_no: owned(self.certificate_no),
            corrects: self.corrects,
            evidence: self.evidence.copied(),
            registered_on: self.registered_on,
            actor: self.actor.to_owned(),
            entry_index: self.entry_index,
        }
    }
}

impl RecordRow {
    /// The record borrowed, as its canonical bytes are written from.
    pub(crate) fn view(&self) -> RecordView<'_> {
        RecordView {
            id: self.id,
            person_id: self.person_id,
            person_commitment: &self.person_commitment,
            label: &self.label,
            content: &self.content,
            subject: self.subject,
            form: self.form,
            provider: self.provider.as_deref(),
            started: self.started,
            completed: self.completed,
            hours: self.hours,
            minutes: self.minutes,
            exam: self.exam,
            for_year: self.for_year,
            filing: self.filing.as_deref(),
            conversion: self.conversion.as_deref(),
            achievement: self.achievement.as_deref(),
            certificate_no: self.certificate_no.as_deref(),
            corrects: self.corrects,
            evidence: self.evidence.as_ref(),
            registered_on: self.registered_on,
            actor: &self.actor,
            entry_index: self.entry_index,
        }
    }

    pub fn canonical(&self) -> Vec<u8> {
        self.view().canonical_within(Vec::with_capacity(512))
    }

    /// The same bytes through `serde_json`, to prove the fast writer canonical.
    #[cfg(test)]
    fn canonical_via_serde(&self) -> Vec<u8> {
        let d = |d: Option<Date>| d.map(|d| d.to_string());
        canonical(
            EntryKind::RecordRegister,
            &json!({
                "id": self.id,
                "person": self.person_id,
                "person_commitment": hex(&self.person_commitment),
                "label": self.label,
                "content": self.content,
                "subject": self.subject.as_str(),
                "form": self.form.as_str(),
                "provider": self.provider,
                "started": d(self.started),
                "completed": self.completed.to_string(),
                "hours_tenths": self.hours.map(Hours::tenths),
                "minutes": self.minutes,
                "exam": self.exam.as_str(),
                "for_year": self.for_year,
                "filing": self.filing,
                "conversion": self.conversion,
                "achievement": self.achievement,
                "certificate_no": self.certificate_no,
                "corrects": self.corrects,
                "evidence": self.evidence.map(|e| hex(&e)),
                "registered_on": self.registered_on.to_string(),
                "actor": self.actor,
            }),
        )
    }

    /// The record as the policy engine sees it.
    pub fn to_policy(&self) -> Result<Record, StoreError> {
        let provider = self.provider.as_deref().map(parse_provider).transpose()?;
        let amount = match (self.hours, self.minutes) {
            (Some(h), None) => Some(Amount::Hours(h)),
            (None, Some(m)) => Some(Amount::Minutes(m)),
            _ => None,
        };
        Ok(Record {
            id: self.label.clone(),
            subject: self.subject,
            form: self.form,
            provider,
            started: self.started,
            completed: self.completed,
            amount,
            exam: self.exam,
            for_year: self.for_year,
            filing: self.filing.clone(),
            conversion: self.conversion.clone(),
            achievement: self.achievement.clone(),
            registered: Some(self.registered_on),
        })
    }
}

/// The stored text of a provider (as in a policy case: `base:N`, `kind:K` or a registry id).
pub fn provider_text(p: &Provider) -> String {
    p.to_string()
}

fn parse_provider(text: &str) -> Result<Provider, StoreError> {
    Provider::parse(text).ok_or_else(|| StoreError::corrupt("提供单位无效"))
}

/// A void of a record (D10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoidRow {
    pub id: i64,
    pub record_id: i64,
    pub person_id: i64,
    pub reason: String,
    pub replaced_by: Option<i64>,
    pub voided_on: Date,
    pub actor: String,
    pub entry_index: i64,
}

impl VoidRow {
    pub fn canonical(&self) -> Vec<u8> {
        canonical(
            EntryKind::RecordVoid,
            &json!({
                "id": self.id,
                "record": self.record_id,
                "person": self.person_id,
                "reason": self.reason,
                "replaced_by": self.replaced_by,
                "voided_on": self.voided_on.to_string(),
                "actor": self.actor,
            }),
        )
    }
}

/// A bureau's decision on a training filing (D8): an official act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilingDecisionRow {
    pub id: i64,
    pub filing_id: i64,
    /// The filing's number, so that the act names what it approved.
    pub filing_number: String,
    pub approved: bool,
    pub decided_on: Date,
    pub actor: String,
    pub reason: Option<String>,
    pub entry_index: i64,
}

impl FilingDecisionRow {
    pub fn canonical(&self) -> Vec<u8> {
        canonical(
            EntryKind::FilingDecision,
            &json!({
                "id": self.id,
                "filing": self.filing_id,
                "filing_number": self.filing_number,
                "approved": self.approved,
                "decided_on": self.decided_on.to_string(),
                "actor": self.actor,
                "reason": self.reason,
            }),
        )
    }
}

/// A period on a city's courseware register (D7): an official act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderRegistrationRow {
    pub id: i64,
    pub provider_id: i64,
    pub provider_name: String,
    pub region: u32,
    pub from: Date,
    pub to: Date,
    pub actor: String,
    pub entry_index: i64,
}

impl ProviderRegistrationRow {
    pub fn canonical(&self) -> Vec<u8> {
        canonical(
            EntryKind::ProviderRegistration,
            &json!({
                "id": self.id,
                "provider": self.provider_id,
                "provider_name": self.provider_name,
                "region": self.region,
                "from": self.from.to_string(),
                "to": self.to.to_string(),
                "actor": self.actor,
            }),
        )
    }
}

/// An industry authority's review of a person's year page (D12): a stamp, or a rejection with
/// reasons per record. `reasons` is the stored JSON text (see [`ReviewReason::to_json`]), covered
/// as it is stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewActRow {
    pub id: i64,
    pub person_id: i64,
    pub year: i32,
    pub authority_id: i64,
    pub actor: String,
    pub decided_on: Date,
    pub approved: bool,
    pub reasons: String,
    pub entry_index: i64,
}

impl ReviewActRow {
    pub fn canonical(&self) -> Vec<u8> {
        Json::new(EntryKind::ReviewAct)
            .str("actor", &self.actor)
            .bool("approved", self.approved)
            .int("authority", self.authority_id)
            .str("decided_on", &self.decided_on.to_string())
            .int("id", self.id)
            .int("person", self.person_id)
            .str("reasons", &self.reasons)
            .int("year", i64::from(self.year))
            .finish()
    }

    #[cfg(test)]
    fn canonical_via_serde(&self) -> Vec<u8> {
        canonical(
            EntryKind::ReviewAct,
            &json!({
                "id": self.id,
                "person": self.person_id,
                "year": self.year,
                "authority": self.authority_id,
                "actor": self.actor,
                "decided_on": self.decided_on.to_string(),
                "approved": self.approved,
                "reasons": self.reasons,
            }),
        )
    }
}

/// Why a review rejected a record (D12): the record's label and the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewReason {
    pub record: String,
    pub reason: String,
}

impl ReviewReason {
    /// The stored form: a JSON array of `{"reason", "record"}` objects, keys sorted.
    pub fn to_json(reasons: &[ReviewReason]) -> String {
        Value::Array(
            reasons
                .iter()
                .map(|r| json!({"record": r.record, "reason": r.reason}))
                .collect(),
        )
        .to_string()
    }

    /// Reads the stored form back.
    pub fn from_json(text: &str) -> Result<Vec<ReviewReason>, StoreError> {
        let corrupt = || StoreError::corrupt("审核理由格式无效");
        let value: Value = serde_json::from_str(text).map_err(|_| corrupt())?;
        let Value::Array(items) = value else {
            return Err(corrupt());
        };
        items
            .iter()
            .map(|item| {
                let field = |k: &str| item.get(k).and_then(Value::as_str).map(str::to_owned);
                Ok(ReviewReason {
                    record: field("record").ok_or_else(corrupt)?,
                    reason: field("reason").ok_or_else(corrupt)?,
                })
            })
            .collect()
    }
}

/// The HR bureau's verification of a person's hours over a tenure cycle (D13, D14, D17).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationActRow {
    pub id: i64,
    pub person_id: i64,
    /// The title level applied for (`junior`, `intermediate`, `senior`).
    pub level: String,
    pub first_year: i32,
    pub last_year: i32,
    pub verifier_id: Option<i64>,
    pub verifier_place: Option<String>,
    pub actor: String,
    pub decided_on: Date,
    pub online: bool,
    pub approved: bool,
    pub decision_hash: Option<[u8; 32]>,
    pub paper_ref: Option<String>,
    pub entry_index: i64,
}

impl VerificationActRow {
    pub fn canonical(&self) -> Vec<u8> {
        let hash = self.decision_hash.map(|h| hex(&h));
        Json::new(EntryKind::VerificationAct)
            .str("actor", &self.actor)
            .bool("approved", self.approved)
            .str("decided_on", &self.decided_on.to_string())
            .opt_str("decision_hash", hash.as_deref())
            .int("first_year", i64::from(self.first_year))
            .int("id", self.id)
            .int("last_year", i64::from(self.last_year))
            .str("level", &self.level)
            .bool("online", self.online)
            .opt_str("paper_ref", self.paper_ref.as_deref())
            .int("person", self.person_id)
            .opt_int("verifier", self.verifier_id)
            .opt_str("verifier_place", self.verifier_place.as_deref())
            .finish()
    }

    #[cfg(test)]
    fn canonical_via_serde(&self) -> Vec<u8> {
        canonical(
            EntryKind::VerificationAct,
            &json!({
                "id": self.id,
                "person": self.person_id,
                "level": self.level,
                "first_year": self.first_year,
                "last_year": self.last_year,
                "verifier": self.verifier_id,
                "verifier_place": self.verifier_place,
                "actor": self.actor,
                "decided_on": self.decided_on.to_string(),
                "online": self.online,
                "approved": self.approved,
                "decision_hash": self.decision_hash.map(|h| hex(&h)),
                "paper_ref": self.paper_ref,
            }),
        )
    }
}

/// An issued certificate (继续教育证书): an official act. The leaf covers the SHA-256 of the
/// credential's JCS form, so a credential changed in the database, or one presented that
/// differs from the one issued, no longer matches it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRow {
    pub id: i64,
    pub number: String,
    pub person_id: i64,
    pub issued_on: Date,
    pub actor: String,
    /// The credential exactly as issued (JSON text).
    pub credential: String,
    pub credential_hash: [u8; 32],
    pub status_list: i64,
    pub status_index: i64,
    pub entry_index: i64,
}

impl CertificateRow {
    pub fn canonical(&self) -> Vec<u8> {
        Json::new(EntryKind::CertificateIssue)
            .str("actor", &self.actor)
            .hex("credential_hash", Some(&self.credential_hash))
            .int("id", self.id)
            .date("issued_on", self.issued_on)
            .str("number", &self.number)
            .int("person", self.person_id)
            .int("status_index", self.status_index)
            .int("status_list", self.status_list)
            .finish()
    }

    #[cfg(test)]
    fn canonical_via_serde(&self) -> Vec<u8> {
        canonical(
            EntryKind::CertificateIssue,
            &json!({
                "id": self.id,
                "number": self.number,
                "person": self.person_id,
                "issued_on": self.issued_on.to_string(),
                "actor": self.actor,
                "credential_hash": hex(&self.credential_hash),
                "status_list": self.status_list,
                "status_index": self.status_index,
            }),
        )
    }
}

/// A revocation of a certificate, with its reason: an official act.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RevocationRow {
    pub id: i64,
    pub certificate_id: i64,
    /// The certificate's number, so that the act names what it revoked.
    pub number: String,
    pub person_id: i64,
    pub reason: String,
    pub revoked_on: Date,
    pub actor: String,
    pub entry_index: i64,
}

impl RevocationRow {
    pub fn canonical(&self) -> Vec<u8> {
        canonical(
            EntryKind::CertificateRevoke,
            &json!({
                "id": self.id,
                "certificate": self.certificate_id,
                "number": self.number,
                "person": self.person_id,
                "reason": self.reason,
                "revoked_on": self.revoked_on.to_string(),
                "actor": self.actor,
            }),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_writer_matches_serde_json_for_certificates() {
        let row = CertificateRow {
            id: 1,
            number: "XS2027-000001".to_owned(),
            person_id: 3,
            issued_on: Date::parse("2027-03-02").unwrap(),
            actor: "zhang（张晓梅）".to_owned(),
            credential: "{}".to_owned(),
            credential_hash: [7; 32],
            status_list: 1,
            status_index: 0,
            entry_index: 12,
        };
        assert_eq!(
            String::from_utf8(row.canonical()).unwrap(),
            String::from_utf8(row.canonical_via_serde()).unwrap()
        );
    }

    #[test]
    fn the_fast_canonical_writer_matches_serde_json_byte_for_byte() {
        let row = RecordRow {
            id: 7,
            person_id: 3,
            person_commitment: [0xab; 32],
            label: "a\"b\\c\n\t\u{1}中文".to_owned(),
            content: "线上\r课程\u{8}\u{c}".to_owned(),
            subject: Subject::Public,
            form: Form::Online,
            provider: Some("base:1".to_owned()),
            started: None,
            completed: Date::parse("2026-05-01").unwrap(),
            hours: Some(Hours::from_tenths(25)),
            minutes: None,
            exam: Exam::Pass,
            for_year: Some(2026),
            filing: None,
            conversion: None,
            achievement: Some("ZL 1".to_owned()),
            certificate_no: Some("C-1".to_owned()),
            corrects: Some(4),
            evidence: Some([1; 32]),
            registered_on: Date::parse("2026-05-02").unwrap(),
            actor: "unit:x".to_owned(),
            entry_index: 9,
        };
        assert_eq!(
            String::from_utf8(row.canonical()).unwrap(),
            String::from_utf8(row.canonical_via_serde()).unwrap()
        );
        let bare = RecordRow {
            provider: None,
            hours: None,
            minutes: Some(90),
            for_year: None,
            achievement: None,
            certificate_no: None,
            evidence: None,
            ..row
        };
        assert_eq!(bare.canonical(), bare.canonical_via_serde());
    }

    #[test]
    fn numbers_and_dates_are_written_as_serde_json_and_display_write_them() {
        for n in [
            0,
            1,
            9,
            10,
            99,
            100,
            2026,
            -1,
            -10,
            1 << 40,
            i64::MAX,
            i64::MIN,
        ] {
            let mut j = Json::new(EntryKind::RecordRegister);
            j.number(n);
            let written = String::from_utf8(j.out).unwrap();
            assert!(
                written.ends_with(&format!("{{{}", serde_json::json!(n))),
                "{written}"
            );
        }
        for d in ["1900-01-01", "2026-01-09", "2024-02-29", "2999-12-31"] {
            let date = Date::parse(d).unwrap();
            let out = Json::new(EntryKind::RecordRegister)
                .date("d", date)
                .finish();
            let written = String::from_utf8(out).unwrap();
            assert!(
                written.ends_with(&format!("{{\"d\":\"{date}\"}}")),
                "{written}"
            );
            assert!(written.ends_with(&format!("\"{d}\"}}")), "{written}");
        }
    }

    #[test]
    fn the_fast_writer_matches_serde_json_for_review_and_verification_acts() {
        let reasons = ReviewReason::to_json(&[
            ReviewReason {
                record: "培训班\"1\"".to_owned(),
                reason: "不属于本行业专业科目\n".to_owned(),
            },
            ReviewReason {
                record: "网课".to_owned(),
                reason: "无证明材料".to_owned(),
            },
        ]);
        assert_eq!(ReviewReason::from_json(&reasons).unwrap().len(), 2);
        let review = ReviewActRow {
            id: 3,
            person_id: 1,
            year: 2026,
            authority_id: 2,
            actor: "authority:卫健委 王某".to_owned(),
            decided_on: Date::parse("2027-01-10").unwrap(),
            approved: false,
            reasons,
            entry_index: 10,
        };
        assert_eq!(
            String::from_utf8(review.canonical()).unwrap(),
            String::from_utf8(review.canonical_via_serde()).unwrap()
        );
        let stamp = ReviewActRow {
            approved: true,
            reasons: "[]".to_owned(),
            ..review
        };
        assert_eq!(stamp.canonical(), stamp.canonical_via_serde());
        let online = VerificationActRow {
            id: 4,
            person_id: 1,
            level: "intermediate".to_owned(),
            first_year: 2022,
            last_year: 2026,
            verifier_id: Some(5),
            verifier_place: None,
            actor: "bureau:341500 李某".to_owned(),
            decided_on: Date::parse("2027-03-01").unwrap(),
            online: true,
            approved: true,
            decision_hash: Some([0xcd; 32]),
            paper_ref: None,
            entry_index: 11,
        };
        assert_eq!(
            String::from_utf8(online.canonical()).unwrap(),
            String::from_utf8(online.canonical_via_serde()).unwrap()
        );
        let offline = VerificationActRow {
            verifier_id: None,
            verifier_place: Some("霍邱县\t人社局".to_owned()),
            online: false,
            approved: false,
            decision_hash: None,
            paper_ref: Some("2019年登记证书第3页核验章".to_owned()),
            ..online
        };
        assert_eq!(offline.canonical(), offline.canonical_via_serde());
    }
}
