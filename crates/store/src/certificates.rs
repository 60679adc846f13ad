//! Continuing-education certificates (继续教育证书) in the store: gathering a person's content
//! from what is registered (the engine's decision per year, through the same case as
//! [`crate::export::person_year_case`], and the review and verification acts in force),
//! issuing it as a signed credential, revoking it, and what public verification needs — the
//! certificate by number, its ledger leaf and inclusion proof against the latest signed
//! checkpoint, and the revocation bits of a status list.
//!
//! Issuing and revoking are official acts: ledger leaves written with their rows, checkpoint
//! and audit line in one transaction, covered by `ledger verify`. The credential is signed by
//! the issuer key derived from the key file ([`issuer_key`]); its number and status index are
//! allocated under the ledger's write lock, so two issues never share one.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use xueshi_certificate::status::MIN_BITS;
use xueshi_certificate::{
    Bitstring, Certificate, Holder, IssuerKey, RecordLine, Stamp, StatusRef, Totals, YearSection,
    credential, mask_name, proof,
};
use xueshi_domain::{Date, Hours};
use xueshi_policy::decision::Decision;
use xueshi_policy::rule::RuleId;
use xueshi_policy::{Options, Policy};

use crate::db::{Db, DbDate};
use crate::entries::{CertificateRow, EntryKind, RevocationRow, hex};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::ledger::{Act, Inclusion, LedgerSigner};
use crate::{acts, audit_in_tx, export, in_tx, on_db, organisations, people, records};
use crate::{resume_batch, write_batch};

/// The issuer's name in credentials when none is configured.
pub const DEFAULT_ISSUER_NAME: &str = "安徽省专业技术人员继续教育学时管理系统";

/// The key that signs certificates and status lists.
pub fn issuer_key(keys: &Keys) -> IssuerKey {
    IssuerKey::from_seed(&keys.credential_seed())
}

/// The URL of status list `list` under the public base URL.
pub fn status_list_url(public_url: &str, list: i64) -> String {
    format!(
        "{}/credentials/status/{list}",
        public_url.trim_end_matches('/')
    )
}

/// The public verification page of a certificate (what its QR code encodes).
pub fn verify_url(public_url: &str, number: &str) -> String {
    format!("{}/v/{number}", public_url.trim_end_matches('/'))
}

/// The certificate content of a person as it stands on `on`: every year with a credited
/// record, judged by the engine, with its stamps. `number` is left empty (issuing sets it).
pub async fn content(
    db: &Db,
    policy: &Policy,
    person_id: i64,
    on: Date,
) -> Result<Certificate, StoreError> {
    let person = people::person(db, person_id).await?;
    let stored = records::person_records(db, person_id).await?;
    let titles: HashMap<&str, &str> = stored
        .iter()
        .filter(|s| s.void.is_none())
        .map(|s| (s.row.label.as_str(), s.row.content.as_str()))
        .collect();
    let years: BTreeSet<i32> = stored
        .iter()
        .filter(|s| s.void.is_none())
        .map(|s| s.row.for_year.unwrap_or_else(|| s.row.completed.year()))
        .filter(|y| *y <= on.year())
        .collect();
    let verifications = acts::verifications(db, person_id).await?;
    let mut org_names: BTreeMap<i64, String> = BTreeMap::new();
    let mut sections = Vec::new();
    for year in years {
        if policy.year(year).is_none() {
            continue;
        }
        let case = export::person_year_case(db, policy, person_id, year).await?;
        let Ok(eval) = case.evaluate(policy, Options::default()) else {
            continue;
        };
        let Decision::Annual(d) = eval.decision else {
            continue;
        };
        let lines: Vec<RecordLine> = case
            .records
            .iter()
            .zip(&d.records)
            .filter(|(_, o)| {
                o.credit_year == year && o.rejected.is_none() && o.credited > Hours::ZERO
            })
            .map(|(r, o)| RecordLine {
                title: titles
                    .get(r.id.as_str())
                    .map_or_else(|| r.id.clone(), |t| (*t).to_owned()),
                subject: r.subject.as_str().to_owned(),
                form: r.form.as_str().to_owned(),
                hours: o.credited,
                date: r.completed,
                provider: r.provider.as_ref().map(ToString::to_string),
            })
            .collect();
        if lines.is_empty() {
            continue;
        }
        let required = |rule: RuleId| {
            d.checks
                .iter()
                .find(|c| c.rule == rule && c.year == year)
                .map_or(Hours::ZERO, |c| c.required)
        };
        let review = match acts::current_review(db, person_id, year).await? {
            Some(r) if r.row.approved => Some(Stamp {
                by: stamp_by(
                    &org_name(db, &mut org_names, r.row.authority_id).await?,
                    &r.row.actor,
                ),
                on: r.row.decided_on,
                decision_hash: None,
                entry_index: r.row.entry_index,
            }),
            _ => None,
        };
        let verification = match verifications
            .iter()
            .rev()
            .find(|v| v.approved && v.first_year <= year && year <= v.last_year)
        {
            Some(v) => {
                let place = match (v.verifier_id, &v.verifier_place) {
                    (Some(id), _) => org_name(db, &mut org_names, id).await?,
                    (None, Some(place)) => place.clone(),
                    (None, None) => String::new(),
                };
                Some(Stamp {
                    by: stamp_by(&place, &v.actor),
                    on: v.decided_on,
                    decision_hash: v.decision_hash.map(|h| hex(&h)),
                    entry_index: v.entry_index,
                })
            }
            None => None,
        };
        sections.push(YearSection {
            year,
            records: lines,
            credited: Totals {
                total: d.hours.total,
                professional: d.hours.professional,
                public: d.hours.public,
            },
            required: Totals {
                total: required(RuleId::AnnualTotalMin),
                professional: required(RuleId::AnnualProfessionalMin),
                public: required(RuleId::AnnualPublicMin),
            },
            compliant: d.compliant,
            review,
            verification,
        });
    }
    Ok(Certificate {
        number: String::new(),
        holder: Holder {
            masked_name: mask_name(&person.name),
            masked_id: person.id_masked,
        },
        issued_on: on,
        years: sections,
    })
}

async fn org_name(
    db: &Db,
    cache: &mut BTreeMap<i64, String>,
    id: i64,
) -> Result<String, StoreError> {
    if let Some(name) = cache.get(&id) {
        return Ok(name.clone());
    }
    let name = organisations::organisation(db, id)
        .await?
        .map_or_else(|| format!("机构 {id}"), |o| o.name);
    cache.insert(id, name.clone());
    Ok(name)
}

/// Who issues, and where the public finds status lists.
#[derive(Clone, Copy, Debug)]
pub struct Issuing<'a> {
    pub key: &'a IssuerKey,
    pub issuer_name: &'a str,
    /// The public base URL (`XUESHI_PUBLIC_URL`), e.g. `http://127.0.0.1:8080`.
    pub public_url: &'a str,
}

/// An issued certificate, with its revocation if revoked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issued {
    pub row: CertificateRow,
    pub revocation: Option<RevocationRow>,
}

impl Issued {
    /// The credential as issued.
    pub fn credential(&self) -> Result<serde_json::Value, StoreError> {
        serde_json::from_str(&self.row.credential)
            .map_err(|_| StoreError::corrupt("证书凭证无法读取"))
    }
}

fn crypto(e: proof::ProofError) -> StoreError {
    StoreError::Crypto(e.to_string())
}

/// The characters of a certificate number: digits and capitals without those read alike
/// (0/O, 1/I/L, and U, read as V), so that a number read aloud or typed from paper comes out
/// right.
pub const NUMBER_ALPHABET: &[u8; 30] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Random characters in a number: 16 of 30 is about 78 bits, which nobody walks.
pub const NUMBER_RANDOM_CHARS: usize = 16;

/// A new certificate number, `XS{year}-XXXX-XXXX-XXXX-XXXX` with 16 characters from the
/// operating system's CSPRNG: unguessable, so that the public look-up by number shows only
/// certificates whose number one was given. (Numbers issued before were `XS{year}-{seq:06}`;
/// they stay valid: a number is only ever looked up, never parsed.) Unique by the table's
/// constraint; a collision (about 2^-39 after a billion certificates) fails that issue.
pub fn new_number(year: i32) -> Result<String, StoreError> {
    let n = NUMBER_ALPHABET.len();
    // Bytes at or above the largest multiple of 30 are dropped, so each character is uniform.
    let below = 256 - 256 % n;
    let mut chars = Vec::with_capacity(NUMBER_RANDOM_CHARS);
    while chars.len() < NUMBER_RANDOM_CHARS {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Crypto(e.to_string()))?;
        for b in bytes {
            let b = usize::from(b);
            if let (true, Some(&c)) = (b < below, NUMBER_ALPHABET.get(b % n))
                && chars.len() < NUMBER_RANDOM_CHARS
            {
                chars.push(char::from(c));
            }
        }
    }
    let groups: Vec<String> = chars.chunks(4).map(|c| c.iter().collect()).collect();
    Ok(format!("XS{year}-{}", groups.join("-")))
}

/// Issues a certificate of `person_id`'s hours as they stand on `act.on`: allocates its number
/// and status index, signs the credential, and writes it as a ledger act.
pub async fn issue(
    db: &Db,
    policy: &Policy,
    signer: &LedgerSigner,
    issuing: Issuing<'_>,
    person_id: i64,
    act: Act<'_>,
) -> Result<(Issued, Inclusion), StoreError> {
    let Act {
        actor,
        region,
        on,
        now_ms,
    } = act;
    if actor.trim().is_empty() {
        return Err(StoreError::invalid("certificate.actor", "签发须写明操作人"));
    }
    let mut cert = content(db, policy, person_id, on).await?;
    if cert.years.is_empty() {
        return Err(StoreError::invalid(
            "certificate.empty",
            "该人员尚无计入学时的登记记录，不能签发继续教育证书",
        ));
    }
    let valid_from = credential::datetime(now_ms);
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let seq: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX((status_list - 1) * 131072 + status_index) + 1, 0) FROM certificates",
        )
        .fetch_one(&mut **tx)
        .await?;
        let bits = i64::try_from(MIN_BITS).unwrap_or(i64::MAX);
        let (status_list, status_index) = (seq / bits + 1, seq % bits);
        cert.number = new_number(on.year())?;
        let status = StatusRef {
            list_url: status_list_url(issuing.public_url, status_list),
            index: u64::try_from(status_index).unwrap_or(0),
        };
        let vc = credential::issue(
            &cert,
            &credential::Issuer { key: issuing.key, name: issuing.issuer_name },
            &status,
            &valid_from,
        )
        .map_err(crypto)?;
        let credential_hash = proof::jcs_sha256(&vc).map_err(crypto)?;
        let text = vc.to_string();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO certificates (number, person_id, issued_on, issued_ms, actor, credential, credential_hash,
               status_list, status_index, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(&cert.number)
        .bind(person_id)
        .bind(DbDate(on))
        .bind(now_ms)
        .bind(actor)
        .bind(&text)
        .bind(credential_hash.to_vec())
        .bind(status_list)
        .bind(status_index)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = CertificateRow {
            id,
            number: cert.number.clone(),
            person_id,
            issued_on: on,
            actor: actor.to_owned(),
            credential: text,
            credential_hash,
            status_list,
            status_index,
            entry_index,
        };
        appender.push(EntryKind::CertificateIssue, id, Some(person_id), &row.canonical())?;
        audit_in_tx!(tx, now_ms, actor, region, EntryKind::CertificateIssue.as_str(),
            format!("person:{person_id}/certificate:{}", cert.number), entry_index)?;
        write_batch!(tx, &appender, signer)?;
        let inclusion = appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))?;
        Ok((Issued { row, revocation: None }, inclusion))
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawCertificate {
    id: i64,
    number: String,
    person_id: i64,
    issued_on: DbDate,
    actor: String,
    credential: String,
    credential_hash: Vec<u8>,
    status_list: i64,
    status_index: i64,
    entry_index: i64,
}

pub(crate) const CERTIFICATE_SQL: &str =
    "SELECT id, number, person_id, issued_on, actor, credential, credential_hash,
    status_list, status_index, entry_index FROM certificates";

impl From<RawCertificate> for CertificateRow {
    fn from(r: RawCertificate) -> Self {
        CertificateRow {
            id: r.id,
            number: r.number,
            person_id: r.person_id,
            issued_on: r.issued_on.0,
            actor: r.actor,
            credential: r.credential,
            // A hash of the wrong length cannot be stored (CHECK); were it forced in, the row
            // would no longer hash to its leaf and `ledger verify` names it.
            credential_hash: <[u8; 32]>::try_from(r.credential_hash).unwrap_or([0; 32]),
            status_list: r.status_list,
            status_index: r.status_index,
            entry_index: r.entry_index,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawRevocation {
    id: i64,
    certificate_id: i64,
    number: String,
    person_id: i64,
    reason: String,
    revoked_on: DbDate,
    actor: String,
    entry_index: i64,
}

pub(crate) const REVOCATION_SQL: &str = "SELECT r.id, r.certificate_id, c.number, r.person_id, r.reason, r.revoked_on,
    r.actor, r.entry_index FROM certificate_revocations r JOIN certificates c ON c.id = r.certificate_id";

impl From<RawRevocation> for RevocationRow {
    fn from(r: RawRevocation) -> Self {
        RevocationRow {
            id: r.id,
            certificate_id: r.certificate_id,
            number: r.number,
            person_id: r.person_id,
            reason: r.reason,
            revoked_on: r.revoked_on.0,
            actor: r.actor,
            entry_index: r.entry_index,
        }
    }
}

async fn revocation_of(db: &Db, certificate_id: i64) -> Result<Option<RevocationRow>, StoreError> {
    let sql = format!("{REVOCATION_SQL} WHERE r.certificate_id = $1");
    let raw: Option<RawRevocation> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(certificate_id).fetch_optional(p).await?);
    Ok(raw.map(RevocationRow::from))
}

/// A certificate by its number (`store.not_found` if none).
pub async fn by_number(db: &Db, number: &str) -> Result<Issued, StoreError> {
    let sql = format!("{CERTIFICATE_SQL} WHERE number = $1");
    let raw: Option<RawCertificate> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(number).fetch_optional(p).await?);
    let row = CertificateRow::from(raw.ok_or(StoreError::NotFound("证书"))?);
    let revocation = revocation_of(db, row.id).await?;
    Ok(Issued { row, revocation })
}

/// A person's certificates, oldest first.
pub async fn of_person(db: &Db, person_id: i64) -> Result<Vec<Issued>, StoreError> {
    let sql = format!("{CERTIFICATE_SQL} WHERE person_id = $1 ORDER BY entry_index");
    let raws: Vec<RawCertificate> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(person_id).fetch_all(p).await?);
    let mut out = Vec::with_capacity(raws.len());
    for raw in raws {
        let row = CertificateRow::from(raw);
        let revocation = revocation_of(db, row.id).await?;
        out.push(Issued { row, revocation });
    }
    Ok(out)
}

/// The years a certificate covers, as signed (none if its credential cannot be read).
fn years_of(issued: &Issued) -> BTreeSet<i32> {
    issued
        .credential()
        .ok()
        .and_then(|vc| credential::certificate_of(&vc))
        .map(|c| c.years.iter().map(|y| y.year).collect())
        .unwrap_or_default()
}

/// For each of a person's certificates (oldest first, as [`of_person`] lists them), the index
/// of the newest later certificate that is not revoked and covers every year it covers: the
/// certificate that replaces it. A newer certificate says the same years with the hours,
/// reviews and verifications as they stood later, so the older paper must not read as the
/// current one (issue 13). A revoked certificate supersedes nothing.
pub fn superseding(list: &[Issued]) -> Vec<Option<usize>> {
    let years: Vec<BTreeSet<i32>> = list.iter().map(years_of).collect();
    (0..list.len())
        .map(|i| {
            let mine = years.get(i)?;
            (i + 1..list.len()).rev().find(|&j| {
                list.get(j).is_some_and(|c| c.revocation.is_none())
                    && years.get(j).is_some_and(|theirs| mine.is_subset(theirs))
            })
        })
        .collect()
}

/// The certificate that replaces `issued` (see [`superseding`]), if any.
pub async fn superseded_by(db: &Db, issued: &Issued) -> Result<Option<Issued>, StoreError> {
    let mut list = of_person(db, issued.row.person_id).await?;
    let Some(at) = list.iter().position(|c| c.row.id == issued.row.id) else {
        return Ok(None);
    };
    let by = superseding(&list).get(at).copied().flatten();
    Ok(by.map(|j| list.swap_remove(j)))
}

/// Revokes a certificate with a reason: a ledger act. A second revocation is a conflict.
pub async fn revoke(
    db: &Db,
    signer: &LedgerSigner,
    number: &str,
    reason: &str,
    act: Act<'_>,
) -> Result<(RevocationRow, Inclusion), StoreError> {
    let Act {
        actor,
        region,
        on,
        now_ms,
    } = act;
    if actor.trim().is_empty() {
        return Err(StoreError::invalid("certificate.actor", "撤销须写明操作人"));
    }
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid(
            "certificate.reason",
            "撤销证书须说明理由",
        ));
    }
    let issued = by_number(db, number).await?;
    if issued.revocation.is_some() {
        return Err(StoreError::Conflict(
            "certificate_revocations_certificate_key".to_owned(),
        ));
    }
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO certificate_revocations (certificate_id, person_id, reason, revoked_on, actor, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(issued.row.id)
        .bind(issued.row.person_id)
        .bind(reason)
        .bind(DbDate(on))
        .bind(actor)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = RevocationRow {
            id,
            certificate_id: issued.row.id,
            number: issued.row.number.clone(),
            person_id: issued.row.person_id,
            reason: reason.to_owned(),
            revoked_on: on,
            actor: actor.to_owned(),
            entry_index,
        };
        appender.push(EntryKind::CertificateRevoke, id, Some(issued.row.person_id), &row.canonical())?;
        audit_in_tx!(tx, now_ms, actor, region, EntryKind::CertificateRevoke.as_str(),
            format!("person:{}/certificate:{}", issued.row.person_id, issued.row.number), entry_index)?;
        write_batch!(tx, &appender, signer)?;
        let inclusion = appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))?;
        Ok((row, inclusion))
    })
}

/// The revocation bits of status list `list` (one per certificate issued into it).
pub async fn status_bits(db: &Db, list: i64) -> Result<Bitstring, StoreError> {
    let sql = "SELECT c.status_index FROM certificate_revocations r
               JOIN certificates c ON c.id = r.certificate_id WHERE c.status_list = $1";
    let indexes: Vec<i64> = on_db!(db, p => sqlx::query_scalar(sql).bind(list).fetch_all(p).await?);
    let mut bits = Bitstring::default();
    for i in indexes {
        bits.set(usize::try_from(i).unwrap_or(usize::MAX));
    }
    Ok(bits)
}

/// Whether status list `list` exists (has a certificate).
pub async fn status_list_exists(db: &Db, list: i64) -> Result<bool, StoreError> {
    let sql = "SELECT COUNT(*) FROM certificates WHERE status_list = $1";
    let n: i64 = on_db!(db, p => sqlx::query_scalar(sql).bind(list).fetch_one(p).await?);
    Ok(n > 0)
}

/// A certificate's ledger entry proved against the latest signed checkpoint: the ledger's
/// proof, from its kept subtree hashes.
pub use crate::ledger::{LedgerProof, inclusion_proof as ledger_proof};

/// Who stamped, as the certificate says it: the agency, and the official when the acting
/// account names one other than its agency — never the login (`demo-county-bureau（…）`) nor
/// a `unit:…`-style actor code.
/// The agency of a stamp's `by` as [`stamp_by`] writes it: the text before the official's name
/// (agency names hold no spaces).
pub fn stamp_agency(by: &str) -> &str {
    by.split_whitespace().next().unwrap_or(by)
}

fn stamp_by(agency: &str, actor: &str) -> String {
    let official = actor
        .split_once('（')
        .map(|(_, rest)| rest.strip_suffix('）').unwrap_or(rest).trim())
        .filter(|o| !o.is_empty() && *o != agency.trim());
    match official {
        Some(o) if !agency.trim().is_empty() => format!("{} {o}", agency.trim()),
        Some(o) => o.to_owned(),
        None => agency.trim().to_owned(),
    }
}
