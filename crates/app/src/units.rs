//! A unit's own business, each use case in one place: its staff of a year with each person's
//! compliance and review state, paged in SQL, ID numbers masked ([`staff_list`]); its import of
//! staff learning records from a CSV or XLSX file ([`import_records`]: the store's records
//! import, kept to the unit's own staff and to open years, its audit line in the import's
//! transaction); its bookings ([`bookings`]); and which bureau verifies its staff for each title
//! level (D13) with that bureau's open slots ([`verifiers`]). Who may read is
//! [`crate::authorize`]'s: the unit's figures (`view_statistics` on the unit) and each person's
//! records (`view_records`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_policy::input::TitleLevel;
use xueshi_store::Keys;
use xueshi_store::import::{self, Format, ImportMode, ImportOptions};
use xueshi_store::people::{self, UnitPlace};
use xueshi_store::staff::{self, StaffQuery, StaffStatus};
use xueshi_store::{appointments, summaries};

use crate::access::{allow, person_in, place};
use crate::actor::Actor;
use crate::ctx::Ctx;
use crate::error::{Error, Kind, Result};
use crate::slots::SlotInfo;
use crate::upload::{RowProblem, save};
use crate::verifications::{self, VerifierView};
use crate::views::hours_text as hours;
use crate::{Action, Scope, Target, UnitId};

/// A unit, or `unit.not_found`.
async fn unit(ctx: &Ctx, unit_id: i64) -> Result<UnitPlace> {
    people::unit_place(&ctx.db, unit_id)
        .await?
        .ok_or_else(|| Error::not_found("unit.not_found", "没有这个单位"))
}

/// A unit whose figures (staff, bookings, verifiers) the caller may see (`view_statistics`).
async fn unit_in_view(ctx: &Ctx, actor: &Actor, unit_id: i64) -> Result<UnitPlace> {
    let u = unit(ctx, unit_id).await?;
    allow(
        ctx,
        &actor.principal,
        Action::ViewStatistics,
        &unit_target(&u),
    )?;
    Ok(u)
}

/// The unit as a target of its figures.
fn unit_target(u: &UnitPlace) -> Target {
    Target::Unit {
        unit: UnitId(u.unit_id),
        place: place(u.region, u.zone.clone()),
        industry: u.industry.clone(),
    }
}

/// Which staff, of which year, which page.
#[derive(Clone, Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StaffParams {
    /// The year (default: this year).
    pub year: Option<i32>,
    /// all | compliant | short | not_required | unknown (default all).
    pub status: Option<String>,
    /// Part of a name.
    pub name: Option<String>,
    /// 1-based (default 1).
    pub page: Option<i64>,
    /// 1–200 (default 50).
    pub per_page: Option<i64>,
}

/// One staff member's year.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StaffView {
    pub person_id: i64,
    pub name: String,
    /// The ID number, masked.
    pub id_masked: String,
    /// compliant | short | not_required | unknown
    pub status: String,
    pub total: String,
    pub professional: String,
    pub public: String,
    /// Hours still missing to the yearly total and professional minimums.
    pub total_short: String,
    pub professional_short: String,
    /// `summary` (the kept summary), `evaluated` (the engine now: the summary was stale or
    /// missing) or `none` (the person-year does not count).
    pub source: String,
    /// none | pending | approved | rejected: the year page's review.
    pub review: String,
    /// The day the person left service (D17a), if they did.
    pub left_on: Option<String>,
    /// The day the employment at this unit ended, if it did.
    pub until: Option<String>,
}

/// How many of the year's staff are in each state (with the name filter).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StaffCountsView {
    pub all: i64,
    pub compliant: i64,
    pub short: i64,
    pub not_required: i64,
    pub unknown: i64,
}

/// A page of a unit's staff.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StaffList {
    pub unit_id: i64,
    pub unit_name: String,
    pub year: i32,
    pub status: String,
    pub page: i64,
    pub per_page: i64,
    /// Staff matching the filter (all pages).
    pub total: i64,
    pub counts: StaffCountsView,
    pub rows: Vec<StaffView>,
}

fn staff_view(row: &staff::StaffRow, s: Option<(bool, bool, [i64; 5])>, source: &str) -> StaffView {
    let (status, t) = match s {
        None => ("unknown", [0; 5]),
        Some((false, _, t)) => ("not_required", t),
        Some((true, true, t)) => ("compliant", t),
        Some((true, false, t)) => ("short", t),
    };
    let [total, professional, public, total_short, professional_short] = t;
    StaffView {
        person_id: row.person_id,
        name: row.name.clone(),
        id_masked: row.id_masked.clone(),
        status: status.to_owned(),
        total: hours(total),
        professional: hours(professional),
        public: hours(public),
        total_short: hours(total_short),
        professional_short: hours(professional_short),
        source: source.to_owned(),
        review: match (row.review_pending, row.last_review) {
            (true, _) => "pending",
            (false, Some(true)) => "approved",
            (false, Some(false)) => "rejected",
            (false, None) => "none",
        }
        .to_owned(),
        left_on: row.left_on.map(|d| d.to_string()),
        until: row.until.map(|d| d.to_string()),
    }
}

/// A unit's staff of a year with each person's compliance (from the kept summaries; a stale or
/// missing one is evaluated now for the rows shown) and year-page review, paged by name.
pub async fn staff_list(
    ctx: &Ctx,
    actor: &Actor,
    unit_id: i64,
    q: &StaffParams,
) -> Result<StaffList> {
    let u = unit_in_view(ctx, actor, unit_id).await?;
    let year = match q.year {
        Some(y) => y,
        None => ctx.today()?.year(),
    };
    if ctx.policy.year(year).is_none() {
        return Err(Error::invalid(
            "staff.year",
            format!("{year} 年度没有学时政策"),
        ));
    }
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => StaffStatus::All,
        Some(s) => StaffStatus::parse(s).ok_or_else(|| {
            Error::invalid(
                "staff.status",
                "状态须为 all、compliant、short、not_required 或 unknown",
            )
        })?,
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let found = staff::unit_staff(
        &ctx.db,
        unit_id,
        year,
        &StaffQuery {
            status,
            name: q.name.clone(),
            limit: per_page,
            offset: (page - 1) * per_page,
        },
    )
    .await?;
    let mut rows = Vec::with_capacity(found.rows.len());
    for row in &found.rows {
        // Each person as their records are seen (the same for every staff member of a unit,
        // checked per row all the same).
        if allow(
            ctx,
            &actor.principal,
            Action::ViewRecords,
            &person_in(row.person_id, &u),
        )
        .is_err()
        {
            continue;
        }
        let view = match row.summary {
            Some(k) if !k.stale => staff_view(
                row,
                Some((
                    k.required,
                    k.compliant,
                    [
                        k.total_tenths,
                        k.professional_tenths,
                        k.public_tenths,
                        k.total_short_tenths,
                        k.professional_short_tenths,
                    ],
                )),
                "summary",
            ),
            _ => match summaries::evaluate(&ctx.db, &ctx.policy, row.person_id, year).await? {
                Some(s) => staff_view(
                    row,
                    Some((
                        s.required,
                        s.compliant,
                        [
                            s.total_tenths,
                            s.professional_tenths,
                            s.public_tenths,
                            s.total_short_tenths,
                            s.professional_short_tenths,
                        ],
                    )),
                    "evaluated",
                ),
                None => staff_view(row, None, "none"),
            },
        };
        rows.push(view);
    }
    let c = found.counts;
    Ok(StaffList {
        unit_id,
        unit_name: staff::unit_name(&ctx.db, unit_id)
            .await?
            .unwrap_or_default(),
        year,
        status: status.as_str().to_owned(),
        page,
        per_page,
        total: c.of(status),
        counts: StaffCountsView {
            all: c.all,
            compliant: c.compliant,
            short: c.short,
            not_required: c.not_required,
            unknown: c.unknown,
        },
        rows,
    })
}

/// What an import did, row by row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportResult {
    /// all_or_nothing | keep_good
    pub mode: String,
    /// Data rows in the file.
    pub total_rows: usize,
    pub written: usize,
    /// Rows whose record the unit's staff member already has (nothing written).
    pub already_present: usize,
    /// Distinct rows with at least one problem.
    pub rejected_rows: usize,
    /// Every problem, counted.
    pub problems: usize,
    /// The first problems by row (at most 1,000: `problems` counts them all): row (the header
    /// is row 1), column, code, Chinese reason.
    pub rejected: Vec<RowProblem>,
    /// Rows written, as runs (`2–4、7`).
    pub written_list: String,
    pub present_list: String,
    /// Header cells that are no column of a records file (ignored).
    pub ignored_columns: Vec<String>,
    /// The report in one Chinese sentence.
    pub summary: String,
}

/// The media type of an XLSX workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Media types a browser may give a spreadsheet file; its first bytes then tell which it is.
const SNIFFED: &[&str] = &[
    "text/csv",
    "application/csv",
    "application/vnd.ms-excel",
    "text/plain",
    "application/octet-stream",
    "",
];

/// The file's format, by its media type and its first bytes: Windows browsers label a `.csv`
/// `application/vnd.ms-excel`; an old binary `.xls` (OLE) is refused with what to do.
fn format_of(media: &str, body: &[u8]) -> Result<(Format, &'static str)> {
    let zip = body.starts_with(b"PK\x03\x04");
    let ole = body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let unsupported = |message: &str| {
        Error::new(
            Kind::Unsupported,
            "request.content_type",
            message.to_owned(),
        )
    };
    match media {
        XLSX => Ok((Format::Xlsx, "xlsx")),
        m if SNIFFED.contains(&m) && zip => Ok((Format::Xlsx, "xlsx")),
        m if SNIFFED.contains(&m) && ole => Err(unsupported(
            "这是旧版 Excel（.xls）文件：请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）后再导入",
        )),
        m if SNIFFED.contains(&m) => Ok((Format::Csv, "csv")),
        _ => Err(unsupported("导入文件须为 CSV（text/csv）或 XLSX")),
    }
}

/// The rules for registering for a unit's staff name the unit, not the person: an import is
/// authorized as registering for any member of its staff, and the store keeps its rows to the
/// unit's staff (`person.not_staff`).
const ANY_STAFF: i64 = 0;

/// Imports `unit_id`'s staff learning records from a file (`media_type`: CSV or XLSX), in
/// the columns of `xueshi import records`. Every row is checked and every bad row reported
/// with its column, code and Chinese reason. All or nothing unless `keep_good`. Re-importing a
/// file writes nothing twice. `keys` open the person registry's ID numbers.
pub async fn import_records(
    ctx: &Ctx,
    keys: &Keys,
    actor: &Actor,
    unit_id: i64,
    media_type: &str,
    body: &[u8],
    keep_good: bool,
) -> Result<ImportResult> {
    if !matches!(actor.principal.scope(), Scope::UnitAdmin { .. }) {
        return Err(Error::denied(
            "auth.role",
            "只有用人单位可以批量导入本单位职工的学习记录",
        ));
    }
    let u = unit(ctx, unit_id).await?;
    allow(
        ctx,
        &actor.principal,
        Action::RegisterRecord,
        &person_in(ANY_STAFF, &u),
    )?;
    let (format, ext) = format_of(media_type, body)?;
    let upload = save(body, ext)?;
    let mut opts = ImportOptions::new(actor.name(), ctx.today()?, ctx.now_ms());
    opts.mode = if keep_good {
        ImportMode::KeepGood
    } else {
        ImportMode::AllOrNothing
    };
    opts.format = Some(format);
    opts.only_unit = Some(unit_id);
    opts.audit = Some(
        actor
            .line(ctx, "records.import")
            .about(format!("unit:{unit_id}")),
    );
    let report = import::import_records(
        &ctx.db,
        keys,
        &ctx.signer,
        &ctx.policy,
        &upload.0,
        &opts,
        &mut |_| {},
    )
    .await?;
    let summary = report
        .to_string()
        .lines()
        .next()
        .unwrap_or_default()
        .to_owned();
    Ok(ImportResult {
        mode: match report.mode {
            ImportMode::AllOrNothing => "all_or_nothing",
            ImportMode::KeepGood => "keep_good",
        }
        .to_owned(),
        total_rows: report.total_rows,
        written: report.written,
        already_present: report.already_present,
        rejected_rows: report.rejected_set.len(),
        problems: report.problems,
        written_list: report.written_rows.to_string(),
        present_list: report.present_rows.to_string(),
        ignored_columns: report.ignored_columns.clone(),
        summary,
        rejected: report.rejected.into_iter().map(RowProblem::from).collect(),
    })
}

/// A person of a booking.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookedPerson {
    pub person_id: i64,
    pub name: String,
}

/// A booking with its slot and persons.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BookingInfo {
    pub booking_id: i64,
    pub unit_id: i64,
    /// booked | cancelled
    pub status: String,
    pub created_ms: i64,
    pub slot: SlotInfo,
    pub persons: Vec<BookedPerson>,
}

/// Bookings with their slots.
pub(crate) async fn booking_infos(
    ctx: &Ctx,
    rows: Vec<staff::BookingRow>,
) -> Result<Vec<BookingInfo>> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let slot = appointments::slot(&ctx.db, r.booking.slot_id).await?;
        out.push(BookingInfo {
            booking_id: r.booking.id,
            unit_id: r.booking.unit_id,
            status: r.booking.status.as_str().to_owned(),
            created_ms: r.booking.created_ms,
            slot: slot.into(),
            persons: r
                .names
                .into_iter()
                .map(|(person_id, name)| BookedPerson { person_id, name })
                .collect(),
        });
    }
    Ok(out)
}

/// A unit's bookings (newest first, at most 200; cancelled ones included).
pub async fn bookings(ctx: &Ctx, actor: &Actor, unit_id: i64) -> Result<Vec<BookingInfo>> {
    unit_in_view(ctx, actor, unit_id).await?;
    let rows = staff::unit_bookings(&ctx.db, unit_id).await?;
    booking_infos(ctx, rows).await
}

/// The latest applications for the unit's staff (at most 100, newest first), so that the unit
/// follows what it filed: pending with whom, stamped by whom and when, or refused and why.
pub async fn applications(
    ctx: &Ctx,
    actor: &Actor,
    unit_id: i64,
) -> Result<Vec<verifications::Followed>> {
    unit_in_view(ctx, actor, unit_id).await?;
    let list = xueshi_store::requests::unit_applications(&ctx.db, unit_id, 100).await?;
    verifications::follow(ctx, list).await
}

/// Who verifies a unit's staff for one title level.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LevelVerifier {
    /// junior | intermediate | senior
    pub level: String,
    pub verifier: VerifierView,
    /// The verifying bureau's id, when registered (its slots: `GET /api/slots?bureau_id=`).
    pub bureau_id: Option<i64>,
    /// Its open slots from today, open to the unit's industry (at most 20).
    pub slots: Vec<SlotInfo>,
}

/// Which bureau verifies the unit's staff for each title level, by the policy's routing table
/// (D13), with its open slots (D16).
pub async fn verifiers(ctx: &Ctx, actor: &Actor, unit_id: i64) -> Result<Vec<LevelVerifier>> {
    let u = unit_in_view(ctx, actor, unit_id).await?;
    let today = ctx.today()?;
    let place = place(u.region, u.zone.clone());
    let mut out = Vec::with_capacity(3);
    for level in [
        TitleLevel::Junior,
        TitleLevel::Intermediate,
        TitleLevel::Senior,
    ] {
        let (verifier, _, bureau_id) =
            verifications::verifier_of(ctx, unit_id, &place, level, today).await?;
        let slots = match bureau_id {
            Some(b) => appointments::bureau_slots(&ctx.db, b, today, Some(&u.industry), 20)
                .await?
                .into_iter()
                .map(SlotInfo::from)
                .collect(),
            None => Vec::new(),
        };
        out.push(LevelVerifier {
            level: level.as_str().to_owned(),
            verifier,
            bureau_id,
            slots,
        });
    }
    Ok(out)
}
