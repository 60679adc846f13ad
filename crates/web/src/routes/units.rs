//! A unit's own business: its staff of a year with each person's compliance and review state
//! (paged in SQL, ID numbers masked), its import of staff learning records from a CSV or XLSX
//! file (the store's records import, kept to the unit's own staff and to open years), its
//! bookings, and which bureau verifies its staff for each title level (D13) with that bureau's
//! open slots. Who may read is `xueshi_app::authorize`'s: the unit's figures (`view_statistics`
//! on the unit) and each person's records (`view_records`).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Scope, Target, UnitId};
use xueshi_policy::input::TitleLevel;
use xueshi_store::import::{self, Format, ImportMode, ImportOptions};
use xueshi_store::people::{self, UnitPlace};
use xueshi_store::staff::{self, StaffQuery, StaffStatus};
use xueshi_store::{appointments, summaries};

use crate::access::{self, allow, person_in, today};
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiBytes, ApiPath, ApiQuery};
use crate::routes::base::{MAX_REPORT_BYTES, RowProblem};
use crate::routes::slots::SlotInfo;
use crate::state::AppState;
use xueshi_app::verifications::{self, VerifierView};

/// A unit, or `unit.not_found` (404).
async fn unit(state: &AppState, unit_id: i64) -> Result<UnitPlace, ApiError> {
    people::unit_place(&state.db, unit_id)
        .await?
        .ok_or_else(|| ApiError::not_found("unit.not_found", "没有这个单位"))
}

/// A unit whose figures (staff, bookings, verifiers) the caller may see (`view_statistics`).
async fn unit_in_view(
    state: &AppState,
    acting: &Acting,
    unit_id: i64,
) -> Result<UnitPlace, ApiError> {
    let u = unit(state, unit_id).await?;
    allow(
        state,
        &acting.principal,
        Action::ViewStatistics,
        &unit_target(&u),
    )?;
    Ok(u)
}

/// The unit as a target of its figures.
fn unit_target(u: &UnitPlace) -> Target {
    Target::Unit {
        unit: UnitId(u.unit_id),
        place: access::place(u.region, u.zone.clone()),
        industry: u.industry.clone(),
    }
}

fn hours(tenths: i64) -> String {
    crate::pages::tenths(tenths)
}

/// Which staff, of which year, which page.
#[derive(Clone, Debug, Deserialize, IntoParams)]
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
#[utoipa::path(get, path = "/api/units/{unit_id}/staff", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号"), StaffParams),
    responses(
        (status = 200, description = "职工年度学时情况（分页）", body = StaffList),
        (status = 400, description = "年度或筛选条件无效（staff.*）", body = ErrorBody),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在（unit.not_found）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn staff_list(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<StaffParams>,
) -> Result<Json<StaffList>, ApiError> {
    let u = unit_in_view(&state, &acting, unit_id).await?;
    let year = match q.year {
        Some(y) => y,
        None => today(&state)?.year(),
    };
    if state.policy.year(year).is_none() {
        return Err(ApiError::bad_request(
            "staff.year",
            format!("{year} 年度没有学时政策"),
        ));
    }
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => StaffStatus::All,
        Some(s) => StaffStatus::parse(s).ok_or_else(|| {
            ApiError::bad_request(
                "staff.status",
                "状态须为 all、compliant、short、not_required 或 unknown",
            )
        })?,
    };
    let per_page = q.per_page.unwrap_or(50).clamp(1, 200);
    let page = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let found = staff::unit_staff(
        &state.db,
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
            &state,
            &acting.principal,
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
            _ => match summaries::evaluate(&state.db, &state.policy, row.person_id, year).await? {
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
    Ok(Json(StaffList {
        unit_id,
        unit_name: staff::unit_name(&state.db, unit_id)
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
    }))
}

/// All or nothing (default), or keep the good rows.
#[derive(Clone, Copy, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportParams {
    /// true: write the good rows and report the bad; false (default): one bad row and nothing
    /// is written.
    pub keep_good: Option<bool>,
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

use crate::xlsx::XLSX;

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
fn format_of(media: &str, body: &[u8]) -> Result<(Format, &'static str), ApiError> {
    let zip = body.starts_with(b"PK\x03\x04");
    let ole = body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    let unsupported = |message: &str| {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
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

/// Imports the unit's staff learning records from a CSV (UTF-8) or XLSX file sent raw, in the
/// columns of `xueshi import records` (template: `/unit/import/template.csv`). Every row is
/// checked — ID number and registered name, that the person is the unit's staff today, dates,
/// hours, a year still open for registration, duplicates — and every bad row reported with its
/// column, code and Chinese reason. All or nothing by default; `keep_good=true` writes the good
/// rows. Re-importing a file writes nothing twice.
#[utoipa::path(post, path = "/api/units/{unit_id}/import", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号"), ImportParams),
    request_body(description = "学习记录表（CSV UTF-8 或 XLSX），列同 `xueshi import records`",
        content((String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
    responses(
        (status = 200, description = "逐行结果：写入、已存在、有错误的行及理由", body = ImportResult),
        (status = 403, description = "只有用人单位为本单位职工导入（auth.role / auth.own_only）", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 413, description = "文件、解压后的部件、共享字符串或行数超过上限（request.too_large、import.limit.*）", body = ErrorBody),
        (status = 415, description = "只接受 CSV 或 XLSX（request.content_type）", body = ErrorBody),
        (status = 422, description = "压缩比、伪造的部件大小、部件数或列数超过上限（import.limit.*）", body = ErrorBody),
        (status = 400, description = "路径或查询参数格式不正确（request.path / request.query），无法读取请求体（request.body），或文件本身无法解析（import.*）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn import_records(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ImportParams>,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<MAX_REPORT_BYTES>,
) -> Result<Json<ImportResult>, ApiError> {
    if !matches!(acting.principal.scope(), Scope::UnitAdmin { .. }) {
        return Err(ApiError::forbidden(
            "auth.role",
            "只有用人单位可以批量导入本单位职工的学习记录",
        ));
    }
    let u = unit(&state, unit_id).await?;
    allow(
        &state,
        &acting.principal,
        Action::RegisterRecord,
        &person_in(ANY_STAFF, &u),
    )?;
    let (format, ext) = format_of(&access::media_type(&headers), &body)?;
    let upload = crate::routes::base::save(&body, ext)?;
    let actor = access::actor(&acting);
    let mut opts = ImportOptions::new(actor.clone(), today(&state)?, state.now_ms());
    opts.mode = if q.keep_good.unwrap_or(false) {
        ImportMode::KeepGood
    } else {
        ImportMode::AllOrNothing
    };
    opts.format = Some(format);
    opts.only_unit = Some(unit_id);
    opts.audit =
        Some(access::line(&state, &acting, "records.import").about(format!("unit:{unit_id}")));
    let report = import::import_records(
        &state.db,
        &state.keys,
        &state.signer,
        &state.policy,
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
    Ok(Json(ImportResult {
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
        rejected: report
            .rejected
            .into_iter()
            .map(|e| RowProblem {
                row: e.row,
                column: e.column,
                code: e.code.to_owned(),
                message: e.message,
            })
            .collect(),
    }))
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
    state: &AppState,
    rows: Vec<staff::BookingRow>,
) -> Result<Vec<BookingInfo>, ApiError> {
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let slot = appointments::slot(&state.db, r.booking.slot_id).await?;
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
#[utoipa::path(get, path = "/api/units/{unit_id}/bookings", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号")),
    responses(
        (status = 200, description = "本单位的预约", body = [BookingInfo]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn bookings(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<BookingInfo>>, ApiError> {
    unit_in_view(&state, &acting, unit_id).await?;
    let rows = staff::unit_bookings(&state.db, unit_id).await?;
    Ok(Json(booking_infos(&state, rows).await?))
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
#[utoipa::path(get, path = "/api/units/{unit_id}/verifiers", tag = "units",
    params(("unit_id" = i64, Path, description = "单位内部编号")),
    responses(
        (status = 200, description = "各职称级别的核验机构及其可预约时段", body = [LevelVerifier]),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "单位不存在", body = ErrorBody),
        (status = 422, description = "路由表无法确定核验机构（verification.route）", body = ErrorBody),
        (status = 400, description = "路径参数格式不正确（request.path）", body = ErrorBody),
        (status = 401, description = "未登录，或会话、API 令牌无效（auth.required / session.invalid / api_token.invalid）", body = ErrorBody),
    ))]
pub async fn verifiers(
    State(state): State<AppState>,
    acting: Acting,
    ApiPath(unit_id): ApiPath<i64>,
) -> Result<Json<Vec<LevelVerifier>>, ApiError> {
    let u = unit_in_view(&state, &acting, unit_id).await?;
    let today = today(&state)?;
    let place = access::place(u.region, u.zone.clone());
    let mut out = Vec::with_capacity(3);
    for level in [
        TitleLevel::Junior,
        TitleLevel::Intermediate,
        TitleLevel::Senior,
    ] {
        let (verifier, _, bureau_id) =
            verifications::verifier_of(&state.ctx(), unit_id, &place, level, today).await?;
        let slots = match bureau_id {
            Some(b) => appointments::bureau_slots(&state.db, b, today, Some(&u.industry), 20)
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
    Ok(Json(out))
}
