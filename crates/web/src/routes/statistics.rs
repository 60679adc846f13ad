//! `GET /api/statistics?year=…&by=county|industry|unit`: how many person-years of a year were
//! required to study and how many met the requirement (D4), with the rate in per mille, grouped
//! by county, industry or unit — over the caller's jurisdiction, or a part of it named by
//! `place`, `industry` or `unit`. Who may see what is `xueshi_app::authorize`'s
//! (`view_statistics`): a city bureau its city (counties and zones), a county bureau its county,
//! a zone centre its zone, an industry authority its industry in its region, a unit (admin or
//! state-owned unit) itself; everyone else is refused (`auth.role`). Counts come from the
//! per person-year summaries (`xueshi_store::summaries`), never from evaluating everyone.
//! `GET /api/statistics.xlsx` answers the same query, authorized the same, as an Excel workbook
//! (how bureaus exchange lists).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use xueshi_app::{Action, Principal, Scope, Target, UnitId};
use xueshi_domain::RegionCode;
use xueshi_policy::input::Place;
use xueshi_store::people;
use xueshi_store::summaries::{self, GroupBy, Within};

use crate::access;
use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

/// Marked person-years a request refreshes before answering; the background drain does the
/// rest, and `pending` says how many are still waiting.
const READ_DRAIN: i64 = 200;

/// How rows are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum By {
    /// 县区（市直单位计入市，开发区单位计入开发区）
    County,
    /// 行业
    Industry,
    /// 单位
    Unit,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatisticsQuery {
    /// 学时年度
    pub year: i32,
    /// 分组方式：county（县区）、industry（行业）、unit（单位）
    pub by: By,
    /// 只统计该地区（六位行政区划代码）或开发区（名称）；缺省为本部门管辖范围
    pub place: Option<String>,
    /// 只统计该行业
    pub industry: Option<String>,
    /// 只统计该单位（内部编号）
    pub unit: Option<i64>,
}

/// Counts of one group, or of all rows together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Counts {
    /// 应参加学习的人数（人年）
    pub persons: i64,
    /// 达到年度学时要求的人数
    pub compliant: i64,
    /// 达标率（千分比，四舍五入）
    pub rate_permille: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct StatisticsRow {
    /// 行政区划代码、`zone:<编号>`、行业名称或单位统一社会信用代码
    pub key: String,
    pub name: String,
    #[serde(flatten)]
    pub counts: Counts,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Statistics {
    pub year: i32,
    pub by: By,
    pub rows: Vec<StatisticsRow>,
    pub total: Counts,
    /// 尚待更新的人年数（该年度）；为 0 时统计为最新
    pub pending: i64,
}

/// Compliance statistics of a year over the caller's jurisdiction.
#[utoipa::path(get, path = "/api/statistics", tag = "statistics",
    params(StatisticsQuery),
    responses(
        (status = 200, description = "年度学时达标统计", body = Statistics),
        (status = 400, description = "查询参数格式不正确（request.query / statistics.place）", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "无权查看（auth.role / auth.own_only / auth.jurisdiction）", body = ErrorBody),
        (status = 404, description = "该年度无政策，或单位不存在（statistics.year / statistics.unit）", body = ErrorBody),
    ))]
pub async fn statistics(
    State(state): State<AppState>,
    acting: Acting,
    ApiQuery(q): ApiQuery<StatisticsQuery>,
) -> Result<Json<Statistics>, ApiError> {
    let policy = state.policy.as_ref();
    if policy.year(q.year).is_none() {
        return Err(ApiError::not_found("statistics.year", "该年度没有学时政策"));
    }
    let db = &state.db;
    let (target, within) = target(&state, &acting.principal, &q).await?;
    access::allow(&state, &acting.principal, Action::ViewStatistics, &target)?;
    summaries::open_year(db, q.year).await?;
    summaries::refresh_dirty(db, policy, state.now_ms(), READ_DRAIN).await?;
    let by = match q.by {
        By::County => GroupBy::County,
        By::Industry => GroupBy::Industry,
        By::Unit => GroupBy::Unit,
    };
    let rows = summaries::statistics(db, q.year, by, &within).await?;
    let (persons, compliant) = rows
        .iter()
        .fold((0, 0), |(p, c), r| (p + r.persons, c + r.compliant));
    Ok(Json(Statistics {
        year: q.year,
        by: q.by,
        rows: rows
            .into_iter()
            .map(|r| StatisticsRow {
                key: r.key,
                name: r.name,
                counts: Counts {
                    persons: r.persons,
                    compliant: r.compliant,
                    rate_permille: r.rate_permille,
                },
            })
            .collect(),
        total: Counts {
            persons,
            compliant,
            rate_permille: summaries::permille(compliant, persons),
        },
        pending: summaries::pending(db, Some(q.year)).await?,
    }))
}

impl By {
    /// The grouping in Chinese.
    pub fn zh(self) -> &'static str {
        match self {
            Self::County => "县区",
            Self::Industry => "行业",
            Self::Unit => "单位",
        }
    }

    /// What a row's key is for this grouping.
    fn key_zh(self) -> &'static str {
        match self {
            Self::County => "行政区划代码",
            Self::Industry => "行业",
            Self::Unit => "统一社会信用代码",
        }
    }

    /// The grouping as the query names it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::County => "county",
            Self::Industry => "industry",
            Self::Unit => "unit",
        }
    }
}

/// The same statistics as an Excel workbook: a title row, Chinese headers, one row per group
/// and the total; counts as numbers, the rate as a percentage.
#[utoipa::path(get, path = "/api/statistics.xlsx", tag = "statistics",
    params(StatisticsQuery),
    responses(
        (status = 200, description = "年度学时达标统计（Excel 工作簿）",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            body = Vec<u8>),
        (status = 400, description = "查询参数格式不正确", body = ErrorBody),
        (status = 401, description = "未登录", body = ErrorBody),
        (status = 403, description = "无权查看", body = ErrorBody),
        (status = 404, description = "该年度无政策，或单位不存在", body = ErrorBody),
    ))]
pub async fn statistics_xlsx(
    state: State<AppState>,
    acting: Acting,
    query: ApiQuery<StatisticsQuery>,
) -> Result<Response, ApiError> {
    let Json(s) = statistics(state, acting, query).await?;
    let bytes = workbook(&s).map_err(|e| ApiError::internal("statistics.xlsx", &e))?;
    let ascii = format!("xueshi-statistics-{}-{}.xlsx", s.year, s.by.as_str());
    let zh = format!("{}年度学时达标统计-按{}.xlsx", s.year, s.by.zh());
    Ok(crate::xlsx::download(&ascii, &zh, bytes))
}

/// A per mille count as the fraction Excel shows as a percentage, taken from its decimal text
/// so that no float arithmetic rounds it (250 → 0.25).
fn fraction(permille: i64) -> f64 {
    let sign = if permille < 0 { "-" } else { "" };
    let p = permille.unsigned_abs();
    format!("{sign}{}.{:03}", p / 1000, p % 1000)
        .parse()
        .unwrap_or_default()
}

fn workbook(s: &Statistics) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, FormatAlign, Workbook};
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(format!("{}年度", s.year))?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color("#EEF2F7")
        .set_align(FormatAlign::Center);
    let rate = Format::new().set_num_format("0.0%");
    let bold = Format::new().set_bold();
    let bold_rate = Format::new().set_bold().set_num_format("0.0%");
    sheet.write_string_with_format(
        0,
        0,
        format!("{} 年度继续教育学时达标统计（按{}）", s.year, s.by.zh()),
        &title,
    )?;
    let headers = [s.by.key_zh(), "名称", "应学人数", "达标人数", "达标率"];
    for (col, text) in (0u16..).zip(headers) {
        sheet.write_string_with_format(1, col, text, &head)?;
    }
    let mut row = 2u32;
    for r in &s.rows {
        sheet.write_string(row, 0, &r.key)?;
        sheet.write_string(row, 1, &r.name)?;
        sheet.write_number(row, 2, r.counts.persons as f64)?;
        sheet.write_number(row, 3, r.counts.compliant as f64)?;
        sheet.write_number_with_format(row, 4, fraction(r.counts.rate_permille), &rate)?;
        row += 1;
    }
    sheet.write_string_with_format(row, 0, "合计", &bold)?;
    sheet.write_number_with_format(row, 2, s.total.persons as f64, &bold)?;
    sheet.write_number_with_format(row, 3, s.total.compliant as f64, &bold)?;
    sheet.write_number_with_format(row, 4, fraction(s.total.rate_permille), &bold_rate)?;
    if s.pending > 0 {
        sheet.write_string(
            row + 2,
            0,
            format!("注：尚有 {} 个人年待更新，统计可能略有滞后。", s.pending),
        )?;
    }
    sheet.set_column_width(0, 22)?;
    sheet.set_column_width(1, 30)?;
    for col in 2..=4 {
        sheet.set_column_width(col, 12)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}

/// What the request asks to see, as authorization judges it and as the query filters it: the
/// unit, industry or place asked for, else the caller's own unit, industry or territory.
async fn target(
    state: &AppState,
    principal: &Principal,
    q: &StatisticsQuery,
) -> Result<(Target, Within), ApiError> {
    let scope = principal.scope();
    let unit = match (q.unit, scope) {
        (Some(id), _) => Some(id),
        (None, Scope::UnitAdmin { unit, .. } | Scope::StateOwnedUnit { unit, .. })
            if q.place.is_none() && q.industry.is_none() =>
        {
            Some(unit.0)
        }
        _ => None,
    };
    if let Some(id) = unit {
        let u = people::unit_place(&state.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found("statistics.unit", "单位不存在"))?;
        let target = Target::Unit {
            unit: UnitId(u.unit_id),
            place: access::place(u.region, u.zone),
            industry: u.industry,
        };
        let within = Within {
            unit: Some(u.unit_id),
            ..Within::default()
        };
        return Ok((target, within));
    }
    let place = match q.place.as_deref() {
        Some(p) => parse_place(p)?,
        None => own_place(scope),
    };
    let industry = match scope {
        Scope::IndustryAuthority { industry, .. } if q.industry.is_none() => Some(industry.clone()),
        _ => q.industry.clone(),
    };
    Ok(match industry {
        Some(industry) => (
            Target::Industry {
                industry: industry.clone(),
                place: place.clone(),
            },
            Within {
                area: Some(place),
                industry: Some(industry),
                unit: None,
            },
        ),
        None => (
            Target::Area(place.clone()),
            Within {
                area: Some(place),
                ..Within::default()
            },
        ),
    })
}

/// The territory a role sees by default; the province for roles without one (they are refused).
fn own_place(scope: &Scope) -> Place {
    match scope {
        Scope::CityBureau { city: r }
        | Scope::CountyBureau { county: r }
        | Scope::IndustryAuthority { region: r, .. }
        | Scope::Supervisor { region: r } => Place::Region(*r),
        Scope::ZoneCentre { zone } => Place::Zone(zone.clone()),
        Scope::UnitAdmin { place, .. } | Scope::StateOwnedUnit { place, .. } => place.clone(),
        Scope::Professional { .. } | Scope::Base { .. } | Scope::Provider { .. } => {
            Place::Region(xueshi_domain::region::ANHUI)
        }
    }
}

/// A six-digit region code, else a development zone's name.
fn parse_place(text: &str) -> Result<Place, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ApiError::bad_request("statistics.place", "地区不能为空"));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        return RegionCode::parse(text)
            .map(Place::Region)
            .map_err(|_| ApiError::bad_request("statistics.place", "行政区划代码无效"));
    }
    Ok(Place::Zone(text.to_owned()))
}
