//! `GET /api/statistics?year=…&by=county|industry|unit`: the JSON adapter over
//! `xueshi_app::statistics` (compliance counts of a year over the caller's jurisdiction, or a
//! part of it, from the kept summaries). `GET /api/statistics.xlsx` answers the same query,
//! authorized the same, as an Excel workbook (how bureaus exchange lists).

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use xueshi_app::statistics;
pub use xueshi_app::statistics::{By, Counts, Statistics, StatisticsQuery, StatisticsRow};

use crate::auth::Acting;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;

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
    Ok(Json(
        statistics::statistics(&state.ctx(), &acting, &q).await?,
    ))
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
