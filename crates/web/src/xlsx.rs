//! Excel downloads: a table of text as a workbook (the audit trail's and a unit's staff
//! lists), and the answer that hands a workbook to the browser under a Chinese file name.
//! What people read in the pages is what the workbook holds — names, never codes.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

pub use xueshi_app::units::XLSX;

/// A workbook of one sheet: a bold title row, the headers, the rows as text, and a note under
/// them (e.g. that a list was cut at its limit). Columns are as wide as `widths` says.
pub fn text_table(
    sheet_name: &str,
    title: &str,
    headers: &[(&str, f64)],
    rows: &[Vec<String>],
    note: Option<&str>,
) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name(sheet_name)?;
    let bold_title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_background_color("#EEF2F7")
        .set_align(FormatAlign::Center);
    sheet.write_string_with_format(0, 0, title, &bold_title)?;
    for (col, (text, width)) in (0u16..).zip(headers) {
        sheet.write_string_with_format(1, col, *text, &head)?;
        sheet.set_column_width(col, *width)?;
    }
    let mut at = 2u32;
    for row in rows {
        for (col, text) in (0u16..).zip(row) {
            sheet.write_string(at, col, text)?;
        }
        at += 1;
    }
    if let Some(note) = note {
        sheet.write_string(at + 1, 0, note)?;
    }
    sheet.set_freeze_panes(2, 0)?;
    book.save_to_buffer()
}

/// RFC 5987 encoding of a file name (UTF-8, unreserved characters kept).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The workbook as a download: `ascii` for old clients, `zh` (RFC 5987) for the rest; never
/// cached (it may hold names).
pub fn download(ascii: &str, zh: &str, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        percent_encode(zh)
    );
    (
        [
            (header::CONTENT_TYPE, XLSX.to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
