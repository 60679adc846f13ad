//! A unit's pages: 职工学时 (`/unit/staff`, also a state-owned unit's), 批量导入
//! (`/unit/import`, with its template CSV), 提交审核 (`/unit/submit`) and 预约核验
//! (`/unit/bookings`). They read through the use cases the API calls too (`xueshi_app::units`,
//! `xueshi_app::reviews`, so the same authorization answers) and write through forms sent by `app.js` (and `people.js` for batches and the import report).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xueshi_app::Scope;

use super::me::{BookingLine, Choice, booking_lines, level_zh};
use super::{Chrome, Page, PageError, render};
use crate::error::ApiError;
use crate::state::AppState;
use xueshi_app::reviews;
use xueshi_app::units::{self, StaffList, StaffParams};

/// The unit whose pages these are: a unit administrator's, or a state-owned unit's.
fn own_unit(page: &Page, admin_only: bool) -> Result<i64, PageError> {
    match page.acting.principal.scope() {
        Scope::UnitAdmin { unit, .. } => Ok(unit.0),
        Scope::StateOwnedUnit { unit, .. } if !admin_only => Ok(unit.0),
        _ => Err(PageError::Api(ApiError::forbidden(
            "auth.role",
            if admin_only {
                "该页面只供用人单位使用"
            } else {
                "该页面只供用人单位和国有企事业单位使用"
            },
        ))),
    }
}

/// A staff list's filter, as the pages' GET forms send it.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct StaffFilter {
    year: Option<String>,
    status: Option<String>,
    name: Option<String>,
    page: Option<i64>,
}

impl StaffFilter {
    fn year(&self) -> Option<i32> {
        self.year.as_deref().and_then(|y| y.trim().parse().ok())
    }

    fn params(&self, per_page: i64) -> StaffParams {
        StaffParams {
            year: self.year(),
            status: self.status.clone().filter(|s| !s.is_empty()),
            name: self.name.clone().filter(|s| !s.trim().is_empty()),
            page: self.page,
            per_page: Some(per_page),
        }
    }
}

/// A status tab with its count.
struct Tab {
    href: String,
    label: &'static str,
    count: i64,
    current: bool,
}

/// One staff row for the pages.
struct Row {
    person_id: i64,
    name: String,
    id_masked: String,
    class: &'static str,
    status: String,
    total: String,
    professional: String,
    public: String,
    review_class: &'static str,
    review: &'static str,
    can_submit: bool,
    reasons: Vec<String>,
    note: String,
}

/// Paging links.
struct Paging {
    page: i64,
    pages: i64,
    prev: Option<String>,
    next: Option<String>,
}

fn query(path: &str, year: i32, status: &str, name: &str, page: i64) -> String {
    let mut q = format!("{path}?year={year}");
    if status != "all" {
        q.push_str(&format!("&status={status}"));
    }
    if !name.is_empty() {
        q.push_str(&format!(
            "&name={}",
            crate::pages::plain::url_component(name)
        ));
    }
    if page > 1 {
        q.push_str(&format!("&page={page}"));
    }
    q
}

fn tabs(path: &str, list: &StaffList, name: &str) -> Vec<Tab> {
    let c = &list.counts;
    [
        ("all", "全部", c.all),
        ("short", "未达标", c.short),
        ("compliant", "已达标", c.compliant),
        ("not_required", "无要求", c.not_required),
        ("unknown", "待计算", c.unknown),
    ]
    .into_iter()
    .filter(|(k, _, n)| *n > 0 || *k == "all" || *k == list.status)
    .map(|(k, label, count)| Tab {
        href: query(path, list.year, k, name, 1),
        label,
        count,
        current: list.status == k,
    })
    .collect()
}

fn paging(path: &str, list: &StaffList, name: &str) -> Paging {
    let pages = ((list.total + list.per_page - 1) / list.per_page).max(1);
    let link = |p: i64| query(path, list.year, &list.status, name, p);
    Paging {
        page: list.page,
        pages,
        prev: (list.page > 1).then(|| link(list.page - 1)),
        next: (list.page < pages).then(|| link(list.page + 1)),
    }
}

fn rows(list: &StaffList) -> Vec<Row> {
    list.rows
        .iter()
        .map(|r| {
            let (class, status) = match r.status.as_str() {
                "compliant" => ("ok", "已达标".to_owned()),
                "short" => {
                    let mut s = format!("差 {} 学时", r.total_short);
                    if r.professional_short != "0" {
                        s.push_str(&format!("（专业差 {}）", r.professional_short));
                    }
                    ("bad", s)
                }
                "not_required" => ("info", "无要求".to_owned()),
                _ => ("info", "待计算".to_owned()),
            };
            let (review_class, review) = match r.review.as_str() {
                "pending" => ("info", "审核中"),
                "approved" => ("ok", "已盖章"),
                "rejected" => ("bad", "被退回"),
                _ => ("warn", "未提交"),
            };
            let mut note = Vec::new();
            if let Some(l) = &r.left_on {
                note.push(format!("{l} 离岗"));
            }
            if let Some(u) = &r.until {
                note.push(format!("{u} 调离本单位"));
            }
            Row {
                person_id: r.person_id,
                name: r.name.clone(),
                id_masked: r.id_masked.clone(),
                class,
                status,
                total: r.total.clone(),
                professional: r.professional.clone(),
                public: r.public.clone(),
                review_class,
                review,
                can_submit: matches!(r.review.as_str(), "none" | "rejected"),
                reasons: Vec::new(),
                note: note.join("，"),
            }
        })
        .collect()
}

/// The years a unit may look at: the policy's, up to this year, newest first.
fn years(state: &AppState) -> Result<Vec<i32>, PageError> {
    let now = crate::access::today(state)?.year();
    Ok(state
        .policy
        .years
        .iter()
        .map(|y| y.year)
        .filter(|y| *y <= now)
        .rev()
        .collect())
}

async fn staff_page(
    state: &AppState,
    page: &Page,
    unit_id: i64,
    f: &StaffFilter,
    per_page: i64,
) -> Result<StaffList, PageError> {
    Ok(units::staff_list(&state.ctx(), &page.acting, unit_id, &f.params(per_page)).await?)
}

#[derive(Template)]
#[template(path = "unit/staff.html")]
struct StaffPage {
    chrome: Chrome,
    list: StaffList,
    years: Vec<i32>,
    name: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    paging: Paging,
    /// The Excel export of this filter (every page).
    export: String,
}

/// `/unit/staff`: the unit's staff of a year with each person's status.
pub async fn staff(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<StaffFilter>,
) -> Result<Response, PageError> {
    let unit_id = own_unit(&page, false)?;
    let list = staff_page(&state, &page, unit_id, &f, 50).await?;
    let name = f.name.clone().unwrap_or_default();
    Ok(render(&StaffPage {
        chrome: page.chrome("职工学时", "/unit/staff"),
        years: years(&state)?,
        tabs: tabs("/unit/staff", &list, &name),
        rows: rows(&list),
        paging: paging("/unit/staff", &list, &name),
        export: query("/unit/staff/export.xlsx", list.year, &list.status, &name, 1),
        name,
        list,
    }))
}

/// The most staff one export holds; beyond, the workbook says it was cut (a unit that large
/// exports by status or name).
const EXPORT_MAX: i64 = 20_000;

/// `/unit/staff/export.xlsx`: the staff list of the filter (year, status, name) as an Excel
/// workbook, every page of it, in the words of the page (ID numbers masked).
pub async fn staff_export(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<StaffFilter>,
) -> Result<Response, PageError> {
    let unit_id = own_unit(&page, false)?;
    let per_page = 200;
    let mut all = Vec::new();
    let mut first: Option<StaffList> = None;
    let mut at = 1;
    loop {
        let mut ask = f.clone();
        ask.page = Some(at);
        let list = staff_page(&state, &page, unit_id, &ask, per_page).await?;
        let done = list.rows.len() < usize::try_from(per_page).unwrap_or(usize::MAX)
            || i64::try_from(all.len()).unwrap_or(i64::MAX) + per_page >= EXPORT_MAX
            || list.page * list.per_page >= list.total;
        all.extend(rows(&list));
        first.get_or_insert(list);
        if done {
            break;
        }
        at += 1;
    }
    let Some(list) = first else {
        return Err(PageError::Api(ApiError::internal(
            "staff.export",
            &"no page read",
        )));
    };
    all.truncate(usize::try_from(EXPORT_MAX).unwrap_or(usize::MAX));
    let cut = i64::try_from(all.len()).unwrap_or(i64::MAX) < list.total;
    let table: Vec<Vec<String>> = all
        .into_iter()
        .map(|r| {
            vec![
                r.name,
                r.id_masked,
                r.status,
                r.total,
                r.professional,
                r.public,
                r.review.to_owned(),
                r.note,
            ]
        })
        .collect();
    let status_zh = tabs("/unit/staff", &list, "")
        .into_iter()
        .find(|t| t.current)
        .map_or("全部", |t| t.label);
    let mut title = format!(
        "{} · {} 年度职工学时（{status_zh}",
        list.unit_name, list.year
    );
    if let Some(n) = f.name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        title.push_str(&format!("，姓名含“{n}”"));
    }
    title.push('）');
    let note = cut.then(|| {
        format!(
            "注：共 {} 人，只导出了前 {EXPORT_MAX} 人；请按状态或姓名分次导出。",
            list.total
        )
    });
    let bytes = crate::xlsx::text_table(
        &format!("{} 年度", list.year),
        &title,
        &[
            ("姓名", 14.0),
            ("身份证号（遮蔽）", 22.0),
            ("状态", 22.0),
            ("总学时", 10.0),
            ("专业科目", 10.0),
            ("公需科目", 10.0),
            ("年度审核", 10.0),
            ("备注", 24.0),
        ],
        &table,
        note.as_deref(),
    )
    .map_err(|e| ApiError::internal("staff.xlsx", &e))?;
    Ok(crate::xlsx::download(
        &format!("xueshi-staff-{}.xlsx", list.year),
        &format!("{}-{}年度职工学时.xlsx", list.unit_name, list.year),
        bytes,
    ))
}

#[derive(Template)]
#[template(path = "unit/import.html")]
struct ImportPage {
    chrome: Chrome,
    unit_id: i64,
    open_years: Vec<(i32, String)>,
}

/// `/unit/import`: upload a CSV or XLSX of the staff's learning records.
pub async fn import(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let unit_id = own_unit(&page, true)?;
    let today = crate::access::today(&state)?;
    Ok(render(&ImportPage {
        chrome: page.chrome("批量导入", "/unit/import"),
        unit_id,
        open_years: state
            .policy
            .years
            .iter()
            .filter(|y| y.from <= today && today <= y.registration_deadline.value)
            .map(|y| (y.year, y.registration_deadline.value.to_string()))
            .collect(),
    }))
}

/// The header of a records file (`xueshi import records`), for the template.
const TEMPLATE_HEADER: &str = "身份证号,姓名,记录编号,内容,科目,形式,提供单位,开始日期,完成日期,学时,分钟,考试,计入年度,备案号,折算类别,成果编号,证书编号\r\n";

/// `/unit/import/template.csv`: an empty records file with its header, in UTF-8 with a byte
/// order mark so that Excel reads the Chinese. Like its page, for a unit administrator only
/// (as the bases' report template is theirs): it was served to every signed-in account.
pub async fn template(page: Page) -> Result<Response, PageError> {
    own_unit(&page, true)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"records-template.csv\"; filename*=UTF-8''%E5%AD%A6%E4%B9%A0%E8%AE%B0%E5%BD%95%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.csv",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        format!("\u{feff}{TEMPLATE_HEADER}"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "unit/submit.html")]
struct SubmitPage {
    chrome: Chrome,
    list: StaffList,
    years: Vec<i32>,
    name: String,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
    paging: Paging,
}

/// `/unit/submit`: submit staff year pages for review; their review state and rejections.
pub async fn submit(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<StaffFilter>,
) -> Result<Response, PageError> {
    let unit_id = own_unit(&page, true)?;
    let list = staff_page(&state, &page, unit_id, &f, 50).await?;
    let mut rows = rows(&list);
    for (row, r) in rows.iter_mut().zip(&list.rows) {
        if r.review == "rejected" {
            let h = reviews::history(&state.ctx(), &page.acting, r.person_id, list.year).await?;
            if let Some(last) = h.acts.last() {
                row.reasons = last
                    .reasons
                    .iter()
                    .map(|x| format!("记录 {}：{}（{}）", x.record, x.reason, last.decided_on))
                    .collect();
            }
        }
    }
    let name = f.name.clone().unwrap_or_default();
    Ok(render(&SubmitPage {
        chrome: page.chrome("提交审核", "/unit/submit"),
        years: years(&state)?,
        tabs: tabs("/unit/submit", &list, &name),
        paging: paging("/unit/submit", &list, &name),
        rows,
        name,
        list,
    }))
}

/// A verifier with its open slots.
struct VerifierBox {
    levels: String,
    name: String,
    cite: String,
    slots: Vec<SlotLine>,
}

struct SlotLine {
    id: i64,
    label: String,
    seats_left: i64,
}

#[derive(Template)]
#[template(path = "unit/bookings.html")]
struct BookingsPage {
    chrome: Chrome,
    list: StaffList,
    name: String,
    rows: Vec<Row>,
    paging: Paging,
    verifiers: Vec<VerifierBox>,
    slot_choices: Vec<Choice>,
    bookings: Vec<BookingLine>,
    levels: Vec<Choice>,
    this_year: i32,
    /// The applications the unit follows, newest first.
    applications: Vec<xueshi_app::verifications::Followed>,
}

impl BookingsPage {
    /// A title level as people read it (`中级职称`).
    fn level_label(&self, level: &str) -> String {
        format!("{}职称", level_zh(level))
    }
}

/// `/unit/bookings`: who verifies the staff and their open slots; book for picked staff, see
/// and cancel bookings; apply for verification for picked staff.
pub async fn bookings(
    State(state): State<AppState>,
    page: Page,
    Query(f): Query<StaffFilter>,
) -> Result<Response, PageError> {
    let unit_id = own_unit(&page, true)?;
    let acting = page.acting.clone();
    let list = staff_page(&state, &page, unit_id, &f, 50).await?;
    let by_level = units::verifiers(&state.ctx(), &acting, unit_id).await?;
    // One box per bureau, naming the levels it verifies.
    let mut verifiers: Vec<(Option<i64>, VerifierBox)> = Vec::new();
    for v in by_level {
        let level = format!("{}职称", level_zh(&v.level));
        if let Some((_, b)) = verifiers
            .iter_mut()
            .find(|(id, b)| *id == v.bureau_id && b.name == v.verifier.name)
        {
            b.levels.push('、');
            b.levels.push_str(&level);
            continue;
        }
        verifiers.push((
            v.bureau_id,
            VerifierBox {
                levels: level,
                name: v.verifier.name,
                cite: v.verifier.cite,
                slots: v
                    .slots
                    .iter()
                    .filter(|s| s.seats_left > 0)
                    .map(|s| SlotLine {
                        id: s.slot_id,
                        label: format!("{} · {}", s.when, s.place),
                        seats_left: s.seats_left,
                    })
                    .collect(),
            },
        ));
    }
    let slot_choices = verifiers
        .iter()
        .flat_map(|(_, b)| {
            b.slots.iter().map(|s| Choice {
                value: s.id.to_string(),
                label: format!("{}：{}（余 {} 个名额）", b.name, s.label, s.seats_left),
            })
        })
        .collect();
    let booked = units::bookings(&state.ctx(), &acting, unit_id).await?;
    let today = crate::access::today(&state)?;
    let name = f.name.clone().unwrap_or_default();
    Ok(render(&BookingsPage {
        chrome: page.chrome("预约核验", "/unit/bookings"),
        rows: rows(&list),
        paging: paging("/unit/bookings", &list, &name),
        name,
        list,
        verifiers: verifiers.into_iter().map(|(_, b)| b).collect(),
        slot_choices,
        bookings: booking_lines(&booked, &today.to_string()),
        levels: ["junior", "intermediate", "senior"]
            .iter()
            .map(|l| Choice {
                value: (*l).to_owned(),
                label: format!("{}职称", level_zh(l)),
            })
            .collect(),
        this_year: today.year(),
        applications: units::applications(&state.ctx(), &acting, unit_id).await?,
    }))
}
