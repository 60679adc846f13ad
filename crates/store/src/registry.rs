//! The registry facts records refer to: regions and zones, training filings and the bureau's
//! decision on them (D8), courseware providers and their registration periods per city (D7).
//! Decisions and registrations are official acts: ledger entries, append-only.

use xueshi_domain::region::{Level, named};
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::Policy;

use crate::db::{Db, DbDate};
use crate::entries::{EntryKind, FilingDecisionRow, ProviderRegistrationRow};
use crate::error::StoreError;
use crate::ledger::{Act, Inclusion, LedgerSigner};
use crate::{in_tx, on_db, resume_batch, write_batch};

/// Loads the division table and the policy's development zones (idempotent).
pub async fn seed_places(db: &Db, policy: &Policy) -> Result<(), StoreError> {
    on_db!(db, p => {
        let mut tx = p.begin().await?;
        for (code, name) in named() {
            let level = match code.level() {
                Level::Province => "province",
                Level::City => "city",
                Level::County => "county",
            };
            let parent = match code.level() {
                Level::Province => None,
                Level::City => Some(i64::from(xueshi_domain::region::ANHUI.as_u32())),
                Level::County => Some(i64::from(code.city().as_u32())),
            };
            sqlx::query("INSERT INTO regions (code, name, level, parent) VALUES ($1, $2, $3, $4) ON CONFLICT (code) DO NOTHING")
                .bind(i64::from(code.as_u32()))
                .bind(name)
                .bind(level)
                .bind(parent)
                .execute(&mut *tx)
                .await?;
        }
        for year in &policy.years {
            for city in year.routes.iter().flat_map(|r| r.value.iter()) {
                for zone in &city.zones {
                    sqlx::query("INSERT INTO zones (name, city) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                        .bind(zone)
                        .bind(i64::from(city.city.as_u32()))
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

/// The id of a development zone by name.
pub async fn zone_id(db: &Db, name: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT id FROM zones WHERE name = $1").bind(name).fetch_optional(p).await?),
    )
}

/// The name of a development zone by id.
pub async fn zone_name(db: &Db, id: i64) -> Result<Option<String>, StoreError> {
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT name FROM zones WHERE id = $1").bind(id).fetch_optional(p).await?),
    )
}

/// Records the ledger's origin and public key on first use; refuses a different key later.
pub async fn init_ledger(db: &Db, signer: &LedgerSigner) -> Result<(), StoreError> {
    let vkey = signer.vkey();
    on_db!(db, p => {
        sqlx::query("INSERT INTO ledger_meta (id, origin, vkey) VALUES (1, $1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(&signer.origin)
            .bind(&vkey)
            .execute(p)
            .await?;
    });
    let stored: String = on_db!(db, p => sqlx::query_scalar("SELECT vkey FROM ledger_meta WHERE id = 1").fetch_one(p).await?);
    if stored != vkey {
        return Err(StoreError::Ledger(
            "密钥文件与本数据库的账本公钥不符：请使用创建该数据库时的密钥文件".to_owned(),
        ));
    }
    Ok(())
}

/// A training filing submitted to a bureau (D8).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFiling {
    /// The 备案编号, when the filing already has one (a paper filing from before the
    /// system); none: the approving bureau assigns it ([`decide_filing`]).
    pub number: Option<String>,
    pub title: String,
    /// The bureau's region (the trainees' place).
    pub region: RegionCode,
    pub zone_id: Option<i64>,
    pub starts_on: Date,
    pub ends_on: Date,
    /// The training provider (an organisation) that filed it, when it filed online.
    pub provider_org: Option<i64>,
    pub details: FilingDetails,
}

/// What a provider files besides the dates: hours, content, venue, expected trainees and an
/// attachment (an evidence file, by its SHA-256). Each optional for filings from before v17.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilingDetails {
    pub hours_tenths: Option<i64>,
    pub content: Option<String>,
    pub venue: Option<String>,
    pub trainees: Option<i64>,
    pub attachment: Option<[u8; 32]>,
}

/// What `filings.number` holds until the approving bureau assigns the 备案编号: this prefix
/// and the filing's id. No record counts on it: only approved filings count (D8).
pub const PROVISIONAL: &str = "待分配-";

/// Whether a filing's number is the provisional one (no 备案编号 assigned yet).
pub fn is_provisional(number: &str) -> bool {
    number.starts_with(PROVISIONAL)
}

/// The longest 备案编号 taken.
pub const NUMBER_MAX_CHARS: usize = 60;

/// Submits a filing; its number must be new (`Conflict` otherwise). The system's own act (an
/// import, the demo): its line names no person; see [`submit_filing_by`].
pub async fn submit_filing(db: &Db, filing: &NewFiling, now_ms: i64) -> Result<i64, StoreError> {
    let line = crate::audit::Line::new(now_ms, "system", None, "filing.submit", "");
    submit_filing_by(db, filing, &line).await
}

/// Submits a filing with its audit line `line` (about `filing:ID`), which covers the filing as
/// submitted — title, region, dates: what D8 decides on — so `ledger verify` sees it changed.
pub async fn submit_filing_by(
    db: &Db,
    filing: &NewFiling,
    line: &crate::audit::Line,
) -> Result<i64, StoreError> {
    if filing.ends_on < filing.starts_on {
        return Err(StoreError::invalid(
            "filing.dates",
            "培训结束日期早于开始日期",
        ));
    }
    if let Some(a) = &filing.details.attachment {
        let known: Option<i64> = on_db!(db, p => sqlx::query_scalar("SELECT size FROM evidence WHERE hash = $1")
            .bind(a.to_vec()).fetch_optional(p).await?);
        if known.is_none() {
            return Err(StoreError::invalid(
                "filing.attachment",
                "附件须先上传（/api/evidence），再以其摘要填写",
            ));
        }
    }
    let sql =
        "INSERT INTO filings (number, title, region, zone_id, starts_on, ends_on, submitted_ms, provider_org,
               hours_tenths, content, venue, trainees, attachment_hash)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id";
    let d = &filing.details;
    // Unique until it is replaced by the provisional number of the filing's id, in the same
    // transaction (writers are serialised: `in_tx!`).
    let number = filing
        .number
        .clone()
        .unwrap_or_else(|| format!("{PROVISIONAL}new"));
    crate::in_tx!(db, tx => {
        let id: i64 = sqlx::query_scalar(sql)
            .bind(&number)
            .bind(&filing.title)
            .bind(i64::from(filing.region.as_u32()))
            .bind(filing.zone_id)
            .bind(DbDate(filing.starts_on))
            .bind(DbDate(filing.ends_on))
            .bind(line.at_ms)
            .bind(filing.provider_org)
            .bind(d.hours_tenths)
            .bind(d.content.as_deref())
            .bind(d.venue.as_deref())
            .bind(d.trainees)
            .bind(d.attachment.map(|a| a.to_vec()))
            .fetch_one(&mut **tx)
            .await?;
        if filing.number.is_none() {
            sqlx::query("UPDATE filings SET number = $1 WHERE id = $2")
                .bind(format!("{PROVISIONAL}{id}"))
                .bind(id)
                .execute(&mut **tx)
                .await?;
        }
        crate::line_in_tx!(tx, &line.about(format!("filing:{id}")), Some((crate::covered::Watched::Filing, id)))?;
        Ok(id)
    })
}

/// The bureau approves or refuses a filing: a signed ledger act; a filing is decided once.
/// Approving a filing without a 备案编号 assigns `number` (required then, unused by any other
/// filing: `filing.number_taken`); the act's leaf and its audit line cover the filing as it
/// then stands, number included.
pub async fn decide_filing(
    db: &Db,
    signer: &LedgerSigner,
    filing_id: i64,
    approved: bool,
    reason: Option<&str>,
    number: Option<&str>,
    act: Act<'_>,
) -> Result<Inclusion, StoreError> {
    let Act {
        actor,
        region,
        on: decided_on,
        now_ms,
    } = act;
    if !approved && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::invalid("filing.reason", "不同意备案须说明理由"));
    }
    let assigned = number.map(str::trim).filter(|n| !n.is_empty());
    if let Some(n) = assigned
        && (n.chars().count() > NUMBER_MAX_CHARS
            || is_provisional(n)
            || n.chars().any(char::is_control))
    {
        return Err(StoreError::invalid(
            "filing.number",
            format!("备案编号至多 {NUMBER_MAX_CHARS} 个字，不含控制字符"),
        ));
    }
    in_tx!(db, tx => {
        let number_now: Option<String> = sqlx::query_scalar("SELECT number FROM filings WHERE id = $1")
            .bind(filing_id)
            .fetch_optional(&mut **tx)
            .await?;
        let current = number_now.ok_or(StoreError::NotFound("备案"))?;
        let filing_number = match (approved, is_provisional(&current), assigned) {
            (true, true, None) => {
                return Err(StoreError::invalid("filing.number", "同意备案须填写所分配的备案编号"));
            }
            (true, true, Some(n)) => {
                let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM filings WHERE number = $1")
                    .bind(n)
                    .fetch_optional(&mut **tx)
                    .await?;
                if let Some(existing) = taken {
                    return Err(StoreError::Duplicate {
                        code: "filing.number_taken",
                        message: format!("备案编号“{n}”已用于另一项备案"),
                        existing,
                    });
                }
                sqlx::query("UPDATE filings SET number = $1 WHERE id = $2")
                    .bind(n)
                    .bind(filing_id)
                    .execute(&mut **tx)
                    .await?;
                n.to_owned()
            }
            (true, false, Some(n)) if n != current => {
                return Err(StoreError::invalid("filing.number", format!("该备案已有编号“{current}”")));
            }
            _ => current,
        };
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO filing_decisions (filing_id, approved, decided_on, actor, reason, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(filing_id)
        .bind(approved)
        .bind(DbDate(decided_on))
        .bind(actor)
        .bind(reason)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = FilingDecisionRow {
            id,
            filing_id,
            filing_number,
            approved,
            decided_on,
            actor: actor.to_owned(),
            reason: reason.map(str::to_owned),
            entry_index,
        };
        appender.push(EntryKind::FilingDecision, id, None, &row.canonical())?;
        crate::audit_in_tx!(tx, now_ms, actor, region, EntryKind::FilingDecision.as_str(),
            format!("filing:{filing_id}"), entry_index, Some((crate::covered::Watched::Filing, filing_id)))?;
        write_batch!(tx, &appender, signer)?;
        appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))
    })
}

/// A filing with its decision, if decided.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filing {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub provider_org: Option<i64>,
    pub region: RegionCode,
    pub zone: Option<String>,
    pub starts_on: Date,
    pub ends_on: Date,
    pub submitted_ms: i64,
    pub details: FilingDetails,
    pub decision: Option<FilingDecisionRow>,
}

#[derive(sqlx::FromRow)]
struct RawFiling {
    id: i64,
    number: String,
    title: String,
    provider_org: Option<i64>,
    region: i64,
    zone: Option<String>,
    starts_on: DbDate,
    ends_on: DbDate,
    submitted_ms: i64,
    hours_tenths: Option<i64>,
    content: Option<String>,
    venue: Option<String>,
    trainees: Option<i64>,
    attachment_hash: Option<Vec<u8>>,
}

const FILING_SQL: &str = "SELECT f.id, f.number, f.title, f.provider_org, f.region, z.name AS zone,
    f.starts_on, f.ends_on, f.submitted_ms, f.hours_tenths, f.content, f.venue, f.trainees,
    f.attachment_hash FROM filings f LEFT JOIN zones z ON z.id = f.zone_id";

async fn filings_where(
    db: &Db,
    filter: &str,
    binds: &[i64],
    limit: i64,
) -> Result<Vec<Filing>, StoreError> {
    let sql = format!("{FILING_SQL} WHERE {filter} ORDER BY f.id LIMIT {limit}");
    let raws: Vec<RawFiling> = on_db!(db, p => {
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for b in binds {
            q = q.bind(*b);
        }
        q.fetch_all(p).await?
    });
    let mut out = Vec::with_capacity(raws.len());
    for r in raws {
        let decision_sql = format!("{FILING_DECISION_SQL} WHERE d.filing_id = $1");
        let decision: Option<RawFilingDecision> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(decision_sql))
            .bind(r.id).fetch_optional(p).await?);
        out.push(Filing {
            id: r.id,
            number: r.number,
            title: r.title,
            provider_org: r.provider_org,
            region: u32::try_from(r.region)
                .ok()
                .and_then(|c| RegionCode::from_u32(c).ok())
                .ok_or_else(|| StoreError::corrupt("备案行政区划代码无效"))?,
            zone: r.zone,
            starts_on: r.starts_on.0,
            ends_on: r.ends_on.0,
            submitted_ms: r.submitted_ms,
            details: FilingDetails {
                hours_tenths: r.hours_tenths,
                content: r.content,
                venue: r.venue,
                trainees: r.trainees,
                attachment: r.attachment_hash.and_then(|h| <[u8; 32]>::try_from(h).ok()),
            },
            decision: decision.map(FilingDecisionRow::from),
        });
    }
    Ok(out)
}

/// One filing by id.
pub async fn filing(db: &Db, id: i64) -> Result<Filing, StoreError> {
    filings_where(db, "f.id = $1", &[id], 1)
        .await?
        .pop()
        .ok_or(StoreError::NotFound("备案"))
}

/// Undecided filings to bureaus within `within` (a region span), oldest first.
pub async fn pending_filings(
    db: &Db,
    within: RegionCode,
    limit: i64,
) -> Result<Vec<Filing>, StoreError> {
    let span = within.span();
    filings_where(
        db,
        "f.region BETWEEN $1 AND $2 AND NOT EXISTS (SELECT 1 FROM filing_decisions d WHERE d.filing_id = f.id)",
        &[i64::from(*span.start()), i64::from(*span.end())],
        limit,
    )
    .await
}

/// Approved filings of trainings held within `within` (a region span: a city covers its
/// counties) that ended on or after `since`, newest first: what a professional picks a 备案号
/// from when registering a training class.
pub async fn approved_filings(
    db: &Db,
    within: RegionCode,
    since: Date,
    limit: i64,
) -> Result<Vec<Filing>, StoreError> {
    let span = within.span();
    let sql = format!(
        "{FILING_SQL} WHERE f.region BETWEEN $1 AND $2 AND f.ends_on >= $3 \
         AND EXISTS (SELECT 1 FROM filing_decisions d WHERE d.filing_id = f.id AND d.approved) \
         ORDER BY f.ends_on DESC, f.id DESC LIMIT {limit}"
    );
    let raws: Vec<RawFiling> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(*span.start()))
        .bind(i64::from(*span.end()))
        .bind(DbDate(since))
        .fetch_all(p).await?);
    let ids: Vec<i64> = raws.iter().map(|r| r.id).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        out.push(filing(db, id).await?);
    }
    Ok(out)
}

/// A provider organisation's filings, newest first.
pub async fn provider_filings(
    db: &Db,
    provider_org: i64,
    limit: i64,
) -> Result<Vec<Filing>, StoreError> {
    let mut all = filings_where(db, "f.provider_org = $1", &[provider_org], limit).await?;
    all.reverse();
    Ok(all)
}

/// The courseware-provider register of a city (every registration in force or not), by
/// provider name then start.
pub async fn provider_register(
    db: &Db,
    city: RegionCode,
) -> Result<Vec<ProviderRegistrationRow>, StoreError> {
    let sql =
        format!("{PROVIDER_REGISTRATION_SQL} WHERE r.region = $1 ORDER BY c.name, r.from_on, r.id");
    let raws: Vec<RawProviderRegistration> = on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(i64::from(city.as_u32())).fetch_all(p).await?);
    Ok(raws
        .into_iter()
        .map(ProviderRegistrationRow::from)
        .collect())
}

/// Adds a provider to the courseware catalogue (idempotent by name), returning its id.
pub async fn provider_id(db: &Db, name: &str) -> Result<i64, StoreError> {
    on_db!(db, p => {
        sqlx::query("INSERT INTO courseware_providers (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .execute(p)
            .await?;
    });
    Ok(
        on_db!(db, p => sqlx::query_scalar("SELECT id FROM courseware_providers WHERE name = $1").bind(name).fetch_one(p).await?),
    )
}

/// A city bureau registers a provider for a period (在地市备案): a signed ledger act.
pub async fn register_provider(
    db: &Db,
    signer: &LedgerSigner,
    provider_name: &str,
    region: RegionCode,
    from: Date,
    to: Date,
    act: Act<'_>,
) -> Result<Inclusion, StoreError> {
    let Act {
        actor,
        region: act_region,
        now_ms,
        ..
    } = act;
    if to < from {
        return Err(StoreError::invalid(
            "provider.period",
            "备案有效期止日早于起日",
        ));
    }
    let provider_id = provider_id(db, provider_name).await?;
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, now_ms)?;
        let entry_index = appender.next_index();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO provider_registrations (provider_id, region, from_on, to_on, actor, entry_index)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(provider_id)
        .bind(i64::from(region.as_u32()))
        .bind(DbDate(from))
        .bind(DbDate(to))
        .bind(actor)
        .bind(entry_index)
        .fetch_one(&mut **tx)
        .await?;
        let row = ProviderRegistrationRow {
            id,
            provider_id,
            provider_name: provider_name.to_owned(),
            region: region.as_u32(),
            from,
            to,
            actor: actor.to_owned(),
            entry_index,
        };
        appender.push(EntryKind::ProviderRegistration, id, None, &row.canonical())?;
        crate::audit_in_tx!(tx, now_ms, actor, act_region, EntryKind::ProviderRegistration.as_str(),
            format!("provider:{provider_name}/{}", region.as_u32()), entry_index)?;
        write_batch!(tx, &appender, signer)?;
        appender.inclusions().pop().ok_or_else(|| StoreError::Ledger("空批次".to_owned()))
    })
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawFilingDecision {
    id: i64,
    filing_id: i64,
    number: String,
    approved: bool,
    decided_on: DbDate,
    actor: String,
    reason: Option<String>,
    entry_index: i64,
}

pub(crate) const FILING_DECISION_SQL: &str =
    "SELECT d.id, d.filing_id, f.number, d.approved, d.decided_on, d.actor,
    d.reason, d.entry_index FROM filing_decisions d JOIN filings f ON f.id = d.filing_id";

impl From<RawFilingDecision> for FilingDecisionRow {
    fn from(r: RawFilingDecision) -> Self {
        FilingDecisionRow {
            id: r.id,
            filing_id: r.filing_id,
            filing_number: r.number,
            approved: r.approved,
            decided_on: r.decided_on.0,
            actor: r.actor,
            reason: r.reason,
            entry_index: r.entry_index,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct RawProviderRegistration {
    id: i64,
    provider_id: i64,
    name: String,
    region: i64,
    from_on: DbDate,
    to_on: DbDate,
    actor: String,
    entry_index: i64,
}

pub(crate) const PROVIDER_REGISTRATION_SQL: &str = "SELECT r.id, r.provider_id, c.name, r.region, r.from_on, r.to_on,
    r.actor, r.entry_index FROM provider_registrations r JOIN courseware_providers c ON c.id = r.provider_id";

impl From<RawProviderRegistration> for ProviderRegistrationRow {
    fn from(r: RawProviderRegistration) -> Self {
        ProviderRegistrationRow {
            id: r.id,
            provider_id: r.provider_id,
            provider_name: r.name,
            region: u32::try_from(r.region).unwrap_or(0),
            from: r.from_on.0,
            to: r.to_on.0,
            actor: r.actor,
            entry_index: r.entry_index,
        }
    }
}
