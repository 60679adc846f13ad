//! `/base/reports` 证书报送: a base's official uploads a certificate report (CSV in UTF-8, or
//! XLSX) with the session; `app.js` sends the file raw to `/api/base/certificates` and
//! `base-report.js` lays out the API's answer — rows written, already present, and each
//! rejected row with its row, column, code and Chinese reason. `/base/reports/template.csv`
//! is an empty report with the columns.

use askama::Template;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::guard;
use crate::pages::{Chrome, Page, PageError, render};

#[derive(Template)]
#[template(path = "officials/base_reports.html")]
struct Reports {
    chrome: Chrome,
}

/// The upload form and where its results show.
pub async fn page(page: Page) -> Result<Response, PageError> {
    guard(&page, "/base/reports")?;
    Ok(render(&Reports {
        chrome: page.chrome("证书报送", "/base/reports"),
    }))
}

/// The report's columns, as a CSV with a byte-order mark (so Excel opens it as UTF-8).
pub async fn template(page: Page) -> Result<Response, PageError> {
    guard(&page, "/base/reports")?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"certificate-report.csv\"; \
                 filename*=UTF-8''%E8%AF%81%E4%B9%A6%E6%8A%A5%E9%80%81%E8%A1%A8.csv",
            ),
        ],
        "\u{feff}身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果,计入年度\n",
    )
        .into_response())
}

/// Lays out a report's answer (no framework; text only, never HTML from the answer).
pub async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=300"),
        ],
        include_str!("../../../static/base-report.js"),
    )
        .into_response()
}
