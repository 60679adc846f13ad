//! Reading an import file into rows of text, each with the row number Excel shows (the first
//! line is row 1; a CSV field with line breaks inside stays one row, as Excel shows it). A reader
//! thread parses the file and hands batches of rows over a bounded channel, so the async side
//! holds at most a few batches whatever the file's size (XLSX sheets are streamed cell by cell).
//!
//! The header is the first non-empty row that names at least two columns of the kind of file
//! (rows above it, e.g. a title, are skipped); failing that, the first non-empty row. Empty rows
//! are skipped everywhere.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use calamine::{DataRef, Reader, Xlsx, open_workbook};
use tokio::sync::mpsc;

use crate::TableError;
use crate::limits::Limits;

/// The formats `xueshi import` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated, UTF-8 (a BOM is allowed).
    Csv,
    /// Office Open XML workbook (`.xlsx`, `.xlsm`).
    Xlsx,
}

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn invalid(code: &'static str, message: String) -> TableError {
    TableError::invalid(code, message)
}

fn io_error(path: &Path, e: &std::io::Error) -> TableError {
    invalid("import.io", format!("无法读取文件 {}：{e}", path.display()))
}

fn old_excel() -> TableError {
    invalid(
        "import.format",
        "不支持旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 中另存为 .xlsx，或另存为「CSV UTF-8（逗号分隔）」"
            .to_owned(),
    )
}

impl Format {
    /// The format of a file: by its extension, else by its first bytes.
    pub fn detect(path: &Path) -> Result<Self, TableError> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("csv" | "txt") => return Ok(Self::Csv),
            Some("xlsx" | "xlsm") => return Ok(Self::Xlsx),
            Some("xls") => return Err(old_excel()),
            Some(other @ ("et" | "ods" | "numbers" | "xlsb")) => {
                return Err(invalid(
                    "import.format",
                    format!("不支持 .{other} 文件：请另存为 .xlsx 或「CSV UTF-8（逗号分隔）」"),
                ));
            }
            _ => {}
        }
        let mut head = [0u8; 4];
        let n = File::open(path)
            .and_then(|mut f| f.read(&mut head))
            .map_err(|e| io_error(path, &e))?;
        match head.get(..n) {
            Some(b"PK\x03\x04") => Ok(Self::Xlsx),
            Some(b"\xD0\xCF\x11\xE0") => Err(old_excel()),
            _ => Ok(Self::Csv),
        }
    }
}

/// What a cell held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellKind {
    Text,
    /// An XLSX number (its text is the number's shortest decimal form).
    Number,
    /// An Excel error value (`#N/A`, `#REF!`, …).
    Error,
    /// CSV bytes that are not UTF-8 (the text is a lossy rendering).
    BadEncoding,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cell {
    pub text: String,
    pub kind: CellKind,
}

impl Cell {
    fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            kind: CellKind::Text,
        }
    }
}

/// One row of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// As Excel shows it, 1-based.
    pub number: usize,
    pub cells: Vec<Cell>,
}

impl Row {
    fn is_empty(&self) -> bool {
        self.cells.iter().all(|c| clean(&c.text).is_empty())
    }
}

/// A cell's text without surrounding white space (incl. full-width and no-break spaces), BOM
/// and zero-width spaces.
pub fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}')
}

/// A header cell as matched against column names: no white space, no `*` marking required
/// columns, no note in parentheses (`学时（小时）`), no trailing colon, ASCII lowercase.
pub fn normalise_header(s: &str) -> String {
    let s = clean(s);
    let s = s.split(['(', '（']).next().unwrap_or(s);
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '＊' | ':' | '：'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What the reader thread is asked to read.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: PathBuf,
    pub format: Format,
    pub sheet: Option<String>,
    pub batch: usize,
    /// Normalised names of this kind's columns, to recognise the header row.
    pub known: Vec<String>,
    /// Count the data rows of a CSV first, so that progress has a total.
    pub count: bool,
    /// Checked before the parser allocates (file, XLSX parts) and while rows are read.
    pub limits: Limits,
}

enum Msg {
    Start { header: Row, estimate: Option<u64> },
    Rows(Vec<Row>),
    End,
    Fail(TableError),
}

/// An open file: its header, then its data rows in batches.
#[derive(Debug)]
pub struct Source {
    rx: mpsc::Receiver<Msg>,
    pub header: Row,
    /// Data rows after the header: exact for a counted CSV, the declared size for XLSX.
    pub estimate: Option<u64>,
    ended: bool,
}

impl std::fmt::Debug for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Msg::Start { .. } => "Start",
            Msg::Rows(_) => "Rows",
            Msg::End => "End",
            Msg::Fail(_) => "Fail",
        })
    }
}

fn reader_died() -> TableError {
    invalid(
        "import.reader",
        "读取文件的线程意外结束，导入已中止".to_owned(),
    )
}

impl Source {
    /// Opens a file (the reading happens on a thread of its own) and reads up to its header.
    pub async fn open(request: Request) -> Result<Self, TableError> {
        let (tx, mut rx) = mpsc::channel(4);
        std::thread::Builder::new()
            .name("xueshi-import-reader".to_owned())
            .spawn(move || {
                let outcome = match request.format {
                    Format::Csv => read_csv(&request, &tx),
                    Format::Xlsx => read_xlsx(&request, &tx),
                };
                let last = match outcome {
                    Ok(()) => Msg::End,
                    Err(e) => Msg::Fail(e),
                };
                // The receiver may be gone (the import stopped early): nothing to tell then.
                let _ = tx.blocking_send(last);
            })
            .map_err(|e| invalid("import.reader", format!("无法启动读取线程：{e}")))?;
        match rx.recv().await {
            Some(Msg::Start { header, estimate }) => Ok(Self {
                rx,
                header,
                estimate,
                ended: false,
            }),
            Some(Msg::Fail(e)) => Err(e),
            Some(Msg::Rows(_) | Msg::End) | None => Err(reader_died()),
        }
    }

    /// The next batch of data rows; `None` at the end of the file.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Row>>, TableError> {
        if self.ended {
            return Ok(None);
        }
        match self.rx.recv().await {
            Some(Msg::Rows(rows)) => Ok(Some(rows)),
            Some(Msg::End) => {
                self.ended = true;
                Ok(None)
            }
            Some(Msg::Fail(e)) => Err(e),
            Some(Msg::Start { .. }) | None => Err(reader_died()),
        }
    }
}

enum Estimate {
    Unknown,
    /// Non-empty CSV records in the file.
    Records(u64),
    /// The last row the XLSX sheet declares.
    LastRow(u64),
}

/// Finds the header, then batches the data rows into the channel.
struct Emitter<'a> {
    tx: &'a mpsc::Sender<Msg>,
    request: &'a Request,
    estimate: Estimate,
    /// Non-empty rows seen before the header was found.
    before: Vec<Row>,
    started: bool,
    batch: Vec<Row>,
}

/// How many leading non-empty rows may precede the header.
const HEADER_SEARCH: usize = 10;

impl<'a> Emitter<'a> {
    fn new(tx: &'a mpsc::Sender<Msg>, request: &'a Request, estimate: Estimate) -> Self {
        Self {
            tx,
            request,
            estimate,
            before: Vec::new(),
            started: false,
            batch: Vec::with_capacity(request.batch),
        }
    }

    fn is_header(&self, row: &Row) -> bool {
        let hits = row
            .cells
            .iter()
            .filter(|c| {
                let n = normalise_header(&c.text);
                !n.is_empty() && self.request.known.contains(&n)
            })
            .count();
        hits >= 2
    }

    /// Sends a message; `false` once the receiving side has gone.
    fn send(&self, msg: Msg) -> bool {
        self.tx.blocking_send(msg).is_ok()
    }

    fn start(&mut self, header: Row, skipped_nonempty: usize) -> bool {
        let after = |n: u64| n.saturating_sub(1 + skipped_nonempty as u64);
        let estimate = match self.estimate {
            Estimate::Unknown => None,
            Estimate::Records(n) => Some(after(n)),
            Estimate::LastRow(last) => Some(last.saturating_sub(header.number as u64)),
        };
        self.started = true;
        self.send(Msg::Start { header, estimate })
    }

    /// Takes one row; `false` once the receiving side has gone.
    fn push(&mut self, row: Row) -> bool {
        if row.is_empty() {
            return true;
        }
        if !self.started {
            if self.is_header(&row) {
                let skipped = self.before.len();
                self.before.clear();
                return self.start(row, skipped);
            }
            self.before.push(row);
            if self.before.len() < HEADER_SEARCH {
                return true;
            }
            return self.fallback_header();
        }
        self.batch.push(row);
        if self.batch.len() >= self.request.batch {
            let rows = std::mem::replace(&mut self.batch, Vec::with_capacity(self.request.batch));
            return self.send(Msg::Rows(rows));
        }
        true
    }

    /// No row looked like a header: the first non-empty row is, the others are data.
    fn fallback_header(&mut self) -> bool {
        let mut rows = std::mem::take(&mut self.before).into_iter();
        let Some(header) = rows.next() else {
            return true;
        };
        if !self.start(header, 0) {
            return false;
        }
        rows.all(|r| self.push(r))
    }

    fn finish(mut self) -> Result<(), TableError> {
        if !self.started {
            if self.before.is_empty() {
                return Err(invalid(
                    "import.empty",
                    "文件是空的：没有找到表头行".to_owned(),
                ));
            }
            if !self.fallback_header() {
                return Ok(());
            }
        }
        if !self.batch.is_empty() {
            let rows = std::mem::take(&mut self.batch);
            self.send(Msg::Rows(rows));
        }
        Ok(())
    }
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Refuses a CSV that is not UTF-8, by its first 64 KiB, with what to do about it.
fn check_csv_encoding(path: &Path) -> Result<(), TableError> {
    let mut head = Vec::with_capacity(1 << 16);
    File::open(path)
        .and_then(|f| f.take(1 << 16).read_to_end(&mut head))
        .map_err(|e| io_error(path, &e))?;
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") {
        return Err(invalid(
            "import.encoding",
            "文件是 UTF-16 编码（Excel「Unicode 文本」）：请另存为「CSV UTF-8（逗号分隔）(*.csv)」，或直接导入 .xlsx 文件".to_owned(),
        ));
    }
    let body = head.strip_prefix(UTF8_BOM).unwrap_or(&head);
    match std::str::from_utf8(body) {
        Ok(_) => Ok(()),
        // A character cut in two at the end of the sample is not an error.
        Err(e) if e.error_len().is_none() => Ok(()),
        Err(_) => Err(invalid(
            "import.encoding",
            "文件不是 UTF-8 编码（很可能是 GBK/GB18030：Excel「CSV（逗号分隔）」的默认编码）：请在 Excel 中另存为「CSV UTF-8（逗号分隔）(*.csv)」，或直接导入 .xlsx 文件".to_owned(),
        )),
    }
}

fn csv_reader(path: &Path) -> Result<csv::Reader<BufReader<File>>, TableError> {
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(BufReader::with_capacity(1 << 16, file)))
}

fn csv_error(e: &csv::Error) -> TableError {
    let at = e
        .position()
        .map(|p| format!("（第 {} 行附近）", p.line()))
        .unwrap_or_default();
    invalid("import.csv", format!("CSV 文件无法解析{at}：{e}"))
}

/// Non-empty records of a CSV.
fn count_csv(path: &Path) -> Result<u64, TableError> {
    let mut reader = csv_reader(path)?;
    let mut record = csv::ByteRecord::new();
    let mut n = 0u64;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&e))?
    {
        let blank = record
            .iter()
            .all(|f| std::str::from_utf8(f).map_or(f.is_empty(), |s| clean(s).is_empty()));
        if !blank {
            n += 1;
        }
    }
    Ok(n)
}

/// Notes the offset of every line-break byte the CSV reader pulls, so that a record's row can
/// be told exactly: the csv crate's own line count lags behind when a record follows a CRLF or
/// blank lines (it consumes those at the start of the next record).
struct Tap<R> {
    inner: R,
    offset: u64,
    breaks: Rc<RefCell<VecDeque<(u64, u8)>>>,
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut breaks = self.breaks.borrow_mut();
        for (i, &b) in buf.get(..n).unwrap_or_default().iter().enumerate() {
            if b == b'\n' || b == b'\r' {
                breaks.push_back((self.offset + i as u64, b));
            }
        }
        self.offset += n as u64;
        Ok(n)
    }
}

fn read_csv(request: &Request, tx: &mpsc::Sender<Msg>) -> Result<(), TableError> {
    request.limits.check_file(&request.path)?;
    check_csv_encoding(&request.path)?;
    let estimate = if request.count {
        Estimate::Records(count_csv(&request.path)?)
    } else {
        Estimate::Unknown
    };
    let mut emitter = Emitter::new(tx, request, estimate);
    let breaks = Rc::new(RefCell::new(VecDeque::new()));
    let file = File::open(&request.path).map_err(|e| io_error(&request.path, &e))?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(1 << 16)
        .from_reader(Tap {
            inner: file,
            offset: 0,
            breaks: Rc::clone(&breaks),
        });
    let mut record = csv::ByteRecord::new();
    // Line feeds before the current record, and those inside quoted fields so far (Excel
    // shows a record with line breaks inside as one row).
    let (mut line_feeds, mut inner_feeds) = (0u64, 0u64);
    let mut first = true;
    while reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(&e))?
    {
        // The record starts after any line breaks left over at its position.
        let mut start = record.position().map_or(0, csv::Position::byte);
        {
            let mut breaks = breaks.borrow_mut();
            while let Some(&(at, byte)) = breaks.front() {
                if at > start {
                    break;
                }
                if at == start {
                    start += 1;
                }
                if byte == b'\n' {
                    line_feeds += 1;
                }
                breaks.pop_front();
            }
        }
        let number = to_usize((line_feeds + 1).saturating_sub(inner_feeds));
        // Empty fields past the last one with content take no memory (Excel pads rows to the
        // sheet's width); content beyond the column limit refuses the file.
        let width = record
            .iter()
            .rposition(|f| !f.iter().all(u8::is_ascii_whitespace))
            .map_or(0, |last| last + 1);
        if width > 0 {
            request.limits.check_row(number)?;
            request.limits.check_column(number, width - 1)?;
        }
        inner_feeds += record
            .iter()
            .skip(width)
            .map(|f| f.iter().filter(|&&b| b == b'\n').count() as u64)
            .sum::<u64>();
        let mut cells = Vec::with_capacity(width);
        for (i, field) in record.iter().take(width).enumerate() {
            let field = if first && i == 0 {
                field.strip_prefix(UTF8_BOM).unwrap_or(field)
            } else {
                field
            };
            inner_feeds += field.iter().filter(|&&b| b == b'\n').count() as u64;
            cells.push(match std::str::from_utf8(field) {
                Ok(s) => Cell::text(s),
                Err(_) => Cell {
                    text: String::from_utf8_lossy(field).into_owned(),
                    kind: CellKind::BadEncoding,
                },
            });
        }
        first = false;
        if !emitter.push(Row { number, cells }) {
            return Ok(());
        }
    }
    emitter.finish()
}

fn xlsx_error(e: &calamine::XlsxError) -> TableError {
    invalid("import.xlsx", format!("无法读取 Excel 文件：{e}"))
}

fn xlsx_cell(value: &DataRef<'_>) -> Option<Cell> {
    let number = |text: String| Cell {
        text,
        kind: CellKind::Number,
    };
    Some(match value {
        DataRef::Empty => return None,
        DataRef::String(s) => Cell::text(s.as_str()),
        DataRef::SharedString(s) => Cell::text(*s),
        DataRef::Int(i) => number(i.to_string()),
        DataRef::Float(f) => number(f.to_string()),
        DataRef::Bool(b) => Cell::text(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, ..) = dt.to_ymd_hms_milli();
            Cell::text(format!("{y:04}-{m:02}-{d:02}"))
        }
        DataRef::DateTime(dt) => number(dt.as_f64().to_string()),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::text(s.as_str()),
        DataRef::Error(e) => Cell {
            text: e.to_string(),
            kind: CellKind::Error,
        },
    })
}

fn read_xlsx(request: &Request, tx: &mpsc::Sender<Msg>) -> Result<(), TableError> {
    request.limits.check_xlsx(&request.path)?;
    let mut workbook: Xlsx<BufReader<File>> =
        open_workbook(&request.path).map_err(|e| xlsx_error(&e))?;
    let names = workbook.sheet_names();
    let sheet = match &request.sheet {
        Some(s) if names.contains(s) => s.clone(),
        Some(s) => {
            return Err(invalid(
                "import.sheet",
                format!(
                    "工作簿中没有名为「{s}」的工作表；现有：{}",
                    names
                        .iter()
                        .map(|n| format!("「{n}」"))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| invalid("import.sheet", "工作簿中没有工作表".to_owned()))?,
    };
    let mut cells = workbook
        .worksheet_cells_reader(&sheet)
        .map_err(|e| xlsx_error(&e))?;
    let last_row = u64::from(cells.dimensions().end.0) + 1;
    let mut emitter = Emitter::new(tx, request, Estimate::LastRow(last_row));
    let mut current: Option<Row> = None;
    while let Some(cell) = cells.next_cell().map_err(|e| xlsx_error(&e))? {
        let (r, c) = cell.get_position();
        let Some(value) = xlsx_cell(cell.get_value()) else {
            continue;
        };
        let number = usize::try_from(r).unwrap_or(usize::MAX).saturating_add(1);
        request.limits.check_row(number)?;
        if current.as_ref().is_some_and(|row| row.number != number)
            && let Some(done) = current.take()
            && !emitter.push(done)
        {
            return Ok(());
        }
        let row = current.get_or_insert_with(|| Row {
            number,
            cells: Vec::new(),
        });
        let c = usize::try_from(c).unwrap_or(usize::MAX);
        request.limits.check_column(number, c)?;
        if row.cells.len() <= c {
            row.cells.resize(c + 1, Cell::text(""));
        }
        if let Some(slot) = row.cells.get_mut(c) {
            *slot = value;
        }
    }
    if let Some(done) = current.take()
        && !emitter.push(done)
    {
        return Ok(());
    }
    emitter.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &Path) -> Request {
        Request {
            path: path.to_owned(),
            format: Format::detect(path).unwrap(),
            sheet: None,
            batch: 2,
            known: vec!["身份证号".to_owned(), "姓名".to_owned()],
            count: true,
            limits: Limits::default(),
        }
    }

    async fn all_rows(path: &Path) -> (Source, Vec<Row>) {
        let mut source = Source::open(request(path)).await.unwrap();
        let mut rows = Vec::new();
        while let Some(batch) = source.next_batch().await.unwrap() {
            rows.extend(batch);
        }
        (source, rows)
    }

    #[test]
    fn headers_are_normalised() {
        assert_eq!(normalise_header(" *学时（小时） "), "学时");
        assert_eq!(normalise_header("ID_Number"), "id_number");
        assert_eq!(normalise_header("\u{feff}身份证号："), "身份证号");
    }

    #[tokio::test]
    async fn csv_rows_are_numbered_as_excel_shows_them() {
        let dir = crate::tests_dir::temp_dir();
        let path = dir.join("rows.csv");
        std::fs::write(
            &path,
            "人员名单,,\n身份证号,姓名,备注\r\n1,甲,\"两行\n备注\"\n\n2,乙,\n3,丙,x\n",
        )
        .unwrap();
        let (source, rows) = all_rows(&path).await;
        assert_eq!(source.header.number, 2);
        assert_eq!(source.estimate, Some(3));
        let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
        // Row 3 holds a two-line note; row 4 is blank (skipped).
        assert_eq!(numbers, vec![3, 5, 6]);
        assert_eq!(rows[0].cells[2].text, "两行\n备注");
    }

    /// Every mix of LF and CRLF, blank lines and fields with line breaks: the row numbers are
    /// the ones Excel shows.
    #[tokio::test]
    async fn row_numbers_survive_any_line_endings() {
        let dir = crate::tests_dir::temp_dir();
        for (case, eol) in ["\n", "\r\n"].iter().enumerate() {
            for blank_lines in 0..3 {
                for inner in ["", "\"a\nb\"", "\"a\r\nb\r\nc\""] {
                    let mut text = format!("身份证号,姓名{eol}");
                    let mut want = Vec::new();
                    let mut row = 2;
                    for i in 0..4 {
                        for _ in 0..blank_lines {
                            text.push_str(eol);
                            row += 1;
                        }
                        text.push_str(&format!("{i},{inner}{eol}"));
                        want.push(row);
                        row += 1;
                    }
                    let path = dir.join(format!("eol{case}-{blank_lines}-{}.csv", inner.len()));
                    std::fs::write(&path, &text).unwrap();
                    let (_, rows) = all_rows(&path).await;
                    let got: Vec<usize> = rows.iter().map(|r| r.number).collect();
                    assert_eq!(got, want, "{text:?}");
                }
            }
        }
    }

    #[tokio::test]
    async fn a_bom_is_not_part_of_the_first_header() {
        let dir = crate::tests_dir::temp_dir();
        let path = dir.join("bom.csv");
        std::fs::write(&path, "\u{feff}身份证号,姓名\n1,甲\n").unwrap();
        let (source, rows) = all_rows(&path).await;
        assert_eq!(source.header.cells[0].text, "身份证号");
        assert_eq!(rows.len(), 1);
    }

    #[tokio::test]
    async fn non_utf8_and_old_excel_files_are_refused_in_chinese() {
        let dir = crate::tests_dir::temp_dir();
        let gbk = dir.join("gbk.csv");
        // "身份证号,姓名" in GBK.
        std::fs::write(&gbk, b"\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xd0\xd5\xc3\xfb\n").unwrap();
        let err = Source::open(request(&gbk)).await.unwrap_err();
        assert_eq!(err.code(), "import.encoding");
        assert!(err.to_string().contains("CSV UTF-8"), "{err}");
        let xls = dir.join("old.xls");
        std::fs::write(&xls, b"\xD0\xCF\x11\xE0").unwrap();
        assert_eq!(Format::detect(&xls).unwrap_err().code(), "import.format");
        let empty = dir.join("empty.csv");
        std::fs::write(&empty, "\n\n").unwrap();
        assert_eq!(
            Source::open(request(&empty)).await.unwrap_err().code(),
            "import.empty"
        );
    }
}
