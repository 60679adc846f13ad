//! The certificate as an A4 PDF (krilla): the title 继续教育证书, the holder (masked), the
//! certificate number, each year's credited records with totals against the requirement and
//! its review and verification stamps, and a QR code (drawn as vector squares) of the public
//! verification URL, which is also printed. Text is embedded with a subset of a CJK font and a
//! ToUnicode map, so it can be searched and extracted.
//!
//! No font ships with xueshi: [`CjkFont::locate`] finds one at run time — a configured path
//! (`XUESHI_CJK_FONT`, `PATH` or `PATH#FACE`), else the Debian packages' files — and a missing
//! font is a [`FontError`] whose message names the package to install.

// Page geometry is in PDF points, which are floats by nature; no hours are computed here.
#![allow(clippy::float_arithmetic)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::content::{Certificate, Stamp, form_zh, provider_zh, subject_zh};
use crate::credential::TITLE;

/// The environment variable naming the CJK font file (`PATH` or `PATH#FACE`).
pub const FONT_ENV: &str = "XUESHI_CJK_FONT";

/// Where Debian's packages put CJK fonts, in order of preference, with the face index of
/// Simplified Chinese in each collection.
pub const SYSTEM_FONTS: &[(&str, u32)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
];

/// Why no usable font was found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FontError {
    /// The configured font file does not exist, or (none configured) none of
    /// [`SYSTEM_FONTS`] does.
    Missing { configured: Option<PathBuf> },
    /// The configured or found file cannot be read.
    Unreadable { path: PathBuf, why: String },
    /// The file is not a font krilla can use (or has no such face).
    Invalid { path: PathBuf, face: u32 },
}

impl FontError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing { .. } => "pdf.font_missing",
            Self::Unreadable { .. } => "pdf.font_unreadable",
            Self::Invalid { .. } => "pdf.font_invalid",
        }
    }
}

impl std::fmt::Display for FontError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Missing { configured } => {
                if let Some(path) = configured {
                    write!(f, "所配置的中文字体文件 {} 不存在；", path.display())?;
                }
                write!(
                    f,
                    "未找到中文字体，无法生成 PDF 证书：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）\
                     或 fonts-wqy-microhei，或以环境变量 {FONT_ENV} 指定字体文件路径。网页版证书仍可打印。"
                )
            }
            Self::Unreadable { path, why } => {
                write!(f, "无法读取中文字体文件 {}：{why}", path.display())
            }
            Self::Invalid { path, face } => write!(
                f,
                "{} 不是可用的字体文件（字体序号 {face}）：请安装 fonts-noto-cjk 或指定其他字体",
                path.display()
            ),
        }
    }
}

impl std::error::Error for FontError {}

/// A loaded CJK font face.
#[derive(Clone)]
pub struct CjkFont {
    pub path: PathBuf,
    pub face: u32,
    font: Font,
}

impl std::fmt::Debug for CjkFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CjkFont")
            .field("path", &self.path)
            .field("face", &self.face)
            .finish_non_exhaustive()
    }
}

/// `PATH#FACE` → (path, face); a bare path takes face 2 of a Noto CJK collection, else 0.
fn parse_spec(spec: &str) -> (PathBuf, u32) {
    if let Some((path, face)) = spec.rsplit_once('#')
        && let Ok(face) = face.parse()
    {
        return (PathBuf::from(path), face);
    }
    let face = u32::from(spec.contains("NotoSansCJK") || spec.contains("NotoSerifCJK")) * 2;
    (PathBuf::from(spec), face)
}

impl CjkFont {
    /// Loads face `face` of the font file at `path`.
    pub fn load(path: &Path, face: u32) -> Result<Self, FontError> {
        let bytes = std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => FontError::Missing {
                configured: Some(path.to_owned()),
            },
            _ => FontError::Unreadable {
                path: path.to_owned(),
                why: e.to_string(),
            },
        })?;
        let font = Font::new(Arc::new(bytes).into(), face).ok_or_else(|| FontError::Invalid {
            path: path.to_owned(),
            face,
        })?;
        Ok(Self {
            path: path.to_owned(),
            face,
            font,
        })
    }

    /// The font `configured` names (`PATH` or `PATH#FACE`), else the one `XUESHI_CJK_FONT`
    /// names, else the first of [`SYSTEM_FONTS`] that exists. A configured font that does not
    /// load is an error, not a reason to fall back silently.
    pub fn locate(configured: Option<&str>) -> Result<Self, FontError> {
        let from_env = std::env::var(FONT_ENV)
            .ok()
            .filter(|s| !s.trim().is_empty());
        if let Some(spec) = configured.map(str::to_owned).or(from_env) {
            let (path, face) = parse_spec(spec.trim());
            return Self::load(&path, face);
        }
        let (path, face) = SYSTEM_FONTS
            .iter()
            .find(|(p, _)| Path::new(p).is_file())
            .ok_or(FontError::Missing { configured: None })?;
        Self::load(Path::new(path), *face)
    }
}

/// Why a PDF could not be made.
#[derive(Debug)]
pub enum PdfError {
    Font(FontError),
    /// krilla refused the document, or the QR code could not hold the URL.
    Render(String),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Font(e) => e.fmt(f),
            Self::Render(e) => write!(f, "PDF 生成失败：{e}"),
        }
    }
}

impl std::error::Error for PdfError {}

impl From<FontError> for PdfError {
    fn from(e: FontError) -> Self {
        Self::Font(e)
    }
}

const A4: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 48.0;
const BODY: f32 = 9.5;
const QR_SIZE: f32 = 96.0;

/// What the PDF prints besides the certificate: who issued it and where to verify it.
#[derive(Clone, Copy, Debug)]
pub struct Print<'a> {
    pub issuer_name: &'a str,
    /// The absolute URL of the public verification page (`…/v/{number}`), in the QR code.
    pub verify_url: &'a str,
    /// Printed when the certificate has been revoked.
    pub revoked: bool,
    /// The holder's full name, printed instead of the masked one on the holder's own copy.
    pub full_name: Option<&'a str>,
}

/// The certificate as PDF bytes.
pub fn render(cert: &Certificate, print: &Print<'_>, font: &CjkFont) -> Result<Vec<u8>, PdfError> {
    let qr = qrcode::QrCode::with_error_correction_level(
        print.verify_url.as_bytes(),
        qrcode::EcLevel::M,
    )
    .map_err(|e| PdfError::Render(format!("二维码：{e}")))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{TITLE} {}", cert.number))
            .language("zh-CN".to_owned())
            .creator("xueshi".to_owned()),
    );
    let mut pages = Pages::new(&mut document, font.font.clone());
    pages.header(cert, print, &qr);
    for year in &cert.years {
        pages.need(70.0);
        pages.gap(8.0);
        let status = if year.compliant {
            "达标"
        } else {
            "未达标"
        };
        pages.text(MARGIN, 13.0, &format!("{} 年度（{status}）", year.year));
        pages.line_break(18.0);
        pages.text(
            MARGIN,
            BODY,
            &format!(
                "学时：合计 {} / 要求 {}；专业科目 {} / 要求 {}；公需科目 {}",
                year.credited.total,
                year.required.total,
                year.credited.professional,
                year.required.professional,
                year.credited.public
            ),
        );
        pages.line_break(15.0);
        pages.table_head();
        for (i, r) in year.records.iter().enumerate() {
            pages.need(14.0);
            let kind = format!("{}·{}", subject_zh(&r.subject), form_zh(&r.form));
            let provider = r.provider.as_deref().map(provider_zh).unwrap_or_default();
            pages.row(&[
                &(i + 1).to_string(),
                &r.title,
                &kind,
                &r.hours.to_string(),
                &r.date.to_string(),
                &provider,
            ]);
        }
        pages.line_break(4.0);
        pages.stamp("审核章", year.review.as_ref());
        pages.stamp("核验章", year.verification.as_ref());
    }
    pages.need(40.0);
    pages.gap(14.0);
    pages.text(
        MARGIN,
        8.5,
        "本证书为电子签名凭证（W3C 可验证凭证，eddsa-jcs-2022），每项登记与官方行为均记入防篡改账本。",
    );
    pages.line_break(13.0);
    pages.text(
        MARGIN,
        8.5,
        &format!("扫描二维码或访问 {} 核验真伪。", print.verify_url),
    );
    pages.finish();
    document
        .finish()
        .map_err(|e| PdfError::Render(format!("{e:?}")))
}

/// Column x offsets and widths (points) of a year's table.
const COLUMNS: [(f32, f32); 6] = [
    (0.0, 26.0),
    (26.0, 176.0),
    (202.0, 110.0),
    (312.0, 38.0),
    (350.0, 62.0),
    (412.0, 87.0),
];

/// Pages being written: a cursor that starts a new page when the next block would not fit.
struct Pages<'d> {
    document: &'d mut Document,
    font: Font,
    /// Draw operations of the current page, replayed when it finishes (a krilla surface
    /// borrows its page, so the page's content is collected first).
    ops: Vec<Op>,
    y: f32,
    page_no: u32,
}

enum Op {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
    },
    Rects(Vec<Rect>),
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
    },
}

/// A rough width of `text` at `size`: CJK and full-width characters are one em, others half.
fn width(text: &str, size: f32) -> f32 {
    text.chars()
        .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.55 })
        .sum::<f32>()
        * size
}

/// `text` cut (by characters) to fit `max` points at `size`, with an ellipsis when cut.
fn fit(text: &str, size: f32, max: f32) -> String {
    if width(text, size) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for c in text.chars() {
        let mut next = out.clone();
        next.push(c);
        next.push('…');
        if width(&next, size) > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

impl<'d> Pages<'d> {
    fn new(document: &'d mut Document, font: Font) -> Self {
        Self {
            document,
            font,
            ops: Vec::new(),
            y: MARGIN,
            page_no: 1,
        }
    }

    fn text(&mut self, x: f32, size: f32, text: &str) {
        self.ops.push(Op::Text {
            x,
            y: self.y + size,
            size,
            text: text.to_owned(),
        });
    }

    fn line_break(&mut self, dy: f32) {
        self.y += dy;
    }

    fn gap(&mut self, dy: f32) {
        self.y += dy;
    }

    fn rule(&mut self) {
        self.ops.push(Op::Line {
            x1: MARGIN,
            y1: self.y,
            x2: A4.0 - MARGIN,
            y2: self.y,
        });
    }

    /// Starts a new page unless `dy` more points fit on this one.
    fn need(&mut self, dy: f32) {
        if self.y + dy > A4.1 - MARGIN {
            self.flush();
            self.page_no += 1;
            self.y = MARGIN;
            let page = format!("（续）第 {} 页", self.page_no);
            self.text(MARGIN, 8.0, &page);
            self.line_break(16.0);
        }
    }

    fn header(&mut self, cert: &Certificate, print: &Print<'_>, qr: &qrcode::QrCode) {
        let title_size = 26.0;
        let title_x = (A4.0 - width(TITLE, title_size)) / 2.0;
        self.text(title_x, title_size, TITLE);
        self.qr(qr, A4.0 - MARGIN - QR_SIZE, MARGIN - 8.0);
        self.line_break(44.0);
        self.text(
            MARGIN,
            11.0,
            &format!(
                "持证人：{}",
                print.full_name.unwrap_or(&cert.holder.masked_name)
            ),
        );
        self.text(240.0, 11.0, &format!("身份证号：{}", cert.holder.masked_id));
        self.line_break(18.0);
        self.text(MARGIN, 11.0, &format!("证书编号：{}", cert.number));
        self.text(240.0, 11.0, &format!("签发日期：{}", cert.issued_on));
        self.line_break(18.0);
        self.text(MARGIN, 11.0, &format!("签发机构：{}", print.issuer_name));
        self.line_break(18.0);
        if print.revoked {
            self.text(MARGIN, 13.0, "本证书已撤销");
            self.line_break(20.0);
        }
        self.y = self.y.max(MARGIN + QR_SIZE + 4.0);
        self.text(
            A4.0 - MARGIN - QR_SIZE,
            6.0,
            &fit(print.verify_url, 6.0, QR_SIZE + 30.0),
        );
        self.line_break(12.0);
        self.rule();
        self.line_break(4.0);
    }

    fn table_head(&mut self) {
        self.row(&["序号", "学习内容", "类别", "学时", "完成日期", "提供单位"]);
        self.rule();
        self.line_break(2.0);
    }

    fn row(&mut self, cells: &[&str; 6]) {
        for ((x, w), cell) in COLUMNS.iter().zip(cells) {
            let text = fit(cell, BODY, w - 4.0);
            self.text(MARGIN + x, BODY, &text);
        }
        self.line_break(14.0);
    }

    fn stamp(&mut self, what: &str, stamp: Option<&Stamp>) {
        self.need(14.0);
        let line = match stamp {
            None => format!("{what}：无"),
            // The agency and the day for people; the decision hash stays in the credential.
            Some(s) => format!("{what}：{}，{}（账本条目 #{}）", s.by, s.on, s.entry_index),
        };
        let text = fit(&line, BODY, A4.0 - 2.0 * MARGIN);
        self.text(MARGIN, BODY, &text);
        self.line_break(14.0);
    }

    /// The QR code's dark modules as squares (each row's runs merged), with its quiet zone.
    fn qr(&mut self, qr: &qrcode::QrCode, x: f32, y: f32) {
        let n = qr.width();
        let colors = qr.to_colors();
        let quiet = 4.0;
        let module = QR_SIZE / (n as f32 + 2.0 * quiet);
        let mut rects = Vec::new();
        for (row, line) in colors.chunks(n).enumerate() {
            let mut col = 0;
            while col < n {
                if line.get(col) == Some(&qrcode::Color::Dark) {
                    let start = col;
                    while line.get(col) == Some(&qrcode::Color::Dark) {
                        col += 1;
                    }
                    if let Some(r) = Rect::from_xywh(
                        x + (quiet + start as f32) * module,
                        y + (quiet + row as f32) * module,
                        (col - start) as f32 * module,
                        module,
                    ) {
                        rects.push(r);
                    }
                } else {
                    col += 1;
                }
            }
        }
        self.ops.push(Op::Rects(rects));
    }

    /// Writes the collected operations as a page.
    fn flush(&mut self) {
        let ops = std::mem::take(&mut self.ops);
        let Some(settings) = PageSettings::from_wh(A4.0, A4.1) else {
            return;
        };
        let mut page = self.document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, &self.font, op);
        }
        surface.finish();
        page.finish();
    }

    fn finish(mut self) {
        self.flush();
    }
}

fn draw(surface: &mut Surface<'_>, font: &Font, op: Op) {
    match op {
        Op::Text { x, y, size, text } => {
            surface.set_fill(Some(Fill::default()));
            surface.draw_text(
                Point::from_xy(x, y),
                font.clone(),
                size,
                &text,
                false,
                TextDirection::Auto,
            );
        }
        Op::Rects(rects) => {
            let mut builder = PathBuilder::new();
            for r in rects {
                builder.push_rect(r);
            }
            if let Some(path) = builder.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(Fill::default()));
                surface.draw_path(&path);
            }
        }
        Op::Line { x1, y1, x2, y2 } => {
            let mut builder = PathBuilder::new();
            builder.move_to(x1, y1);
            builder.line_to(x2, y2);
            if let Some(path) = builder.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: rgb::Color::new(120, 120, 120).into(),
                    width: 0.6,
                    ..Default::default()
                }));
                surface.draw_path(&path);
                surface.set_stroke(None);
            }
        }
    }
}

/// The QR code of `text` as an SVG element (dark modules as rectangles, quiet zone included),
/// for the printable HTML page; `None` if the text does not fit a QR code.
pub fn qr_svg(text: &str, size_px: u32) -> Option<String> {
    let qr =
        qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    let n = qr.width();
    let colors = qr.to_colors();
    let side = n + 8;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" width=\"{size_px}\" \
         height=\"{size_px}\" role=\"img\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" \
         height=\"{side}\" fill=\"#fff\"/><path fill=\"#000\" d=\""
    );
    for (row, line) in colors.chunks(n).enumerate() {
        let mut col = 0;
        while col < n {
            if line.get(col) == Some(&qrcode::Color::Dark) {
                let start = col;
                while line.get(col) == Some(&qrcode::Color::Dark) {
                    col += 1;
                }
                out.push_str(&format!(
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    row + 4,
                    col - start,
                    col - start
                ));
            } else {
                col += 1;
            }
        }
    }
    out.push_str("\"/></svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_qr_code_is_an_svg_of_squares() {
        let svg = qr_svg("http://127.0.0.1:8080/v/XS2026-000001", 120).unwrap();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>") && svg.contains("h"));
    }

    #[test]
    fn font_specs_name_a_face() {
        assert_eq!(parse_spec("/f/a.ttc#3"), (PathBuf::from("/f/a.ttc"), 3));
        assert_eq!(
            parse_spec("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
            (
                PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
                2
            )
        );
        assert_eq!(
            parse_spec("/f/wqy-microhei.ttc"),
            (PathBuf::from("/f/wqy-microhei.ttc"), 0)
        );
    }

    #[test]
    fn a_configured_font_that_is_missing_is_an_error_naming_the_package() {
        let e = CjkFont::locate(Some("/nonexistent/font.ttc"))
            .err()
            .unwrap();
        assert_eq!(e.code(), "pdf.font_missing");
        let message = e.to_string();
        assert!(message.contains("/nonexistent/font.ttc"), "{message}");
        assert!(message.contains("fonts-noto-cjk") && message.contains(FONT_ENV));
        let e = CjkFont::locate(Some("/dev/null")).err().unwrap();
        assert_eq!(e.code(), "pdf.font_invalid");
    }

    #[test]
    fn long_text_is_cut_by_characters() {
        let cut = fit("基层医疗专业能力提升班基层医疗专业能力提升班", 10.0, 60.0);
        assert!(cut.ends_with('…') && cut.chars().count() <= 6, "{cut}");
        assert_eq!(fit("短", 10.0, 60.0), "短");
    }
}
