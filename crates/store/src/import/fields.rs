//! Columns and cell values: which header cell is which column, and each value parsed with the
//! domain's own parsers, every failure becoming a [`RowError`] naming the row and column.

use xueshi_domain::credit_code::{CreditCode, CreditCodeError};
use xueshi_domain::date::DateError;
use xueshi_domain::hours::HoursError;
use xueshi_domain::id_number::{IdNumber, IdNumberError};
use xueshi_domain::region::RegionError;
use xueshi_domain::{Date, Hours};
use xueshi_policy::Policy;
use xueshi_policy::input::{Cohort, Exam, Form, Provider, ProviderKind, Subject};

use super::table::{Cell, CellKind, Row, clean, normalise_header};
use super::{ImportOptions, ImportReport, Phase, Progress, ProgressFn, RowError};
use crate::error::StoreError;
use crate::people::UnitKind;

/// One column of a kind of file.
#[derive(Debug)]
pub(crate) struct Col {
    /// English key (accepted as a header).
    pub key: &'static str,
    /// Chinese name (the template's header).
    pub zh: &'static str,
    /// Other headers seen in the wild.
    pub aliases: &'static [&'static str],
    pub required: bool,
}

impl Col {
    fn matches(&self, normalised: &str) -> bool {
        normalised == self.key
            || normalised == normalise_header(self.zh)
            || self
                .aliases
                .iter()
                .any(|a| normalise_header(a) == normalised)
    }
}

/// Every name the header of a kind of file may use, normalised.
pub(crate) fn known_names(spec: &[Col]) -> Vec<String> {
    spec.iter()
        .flat_map(|c| {
            [c.key, c.zh]
                .into_iter()
                .chain(c.aliases.iter().copied())
                .map(normalise_header)
        })
        .collect()
}

/// Where each column of a spec is in the file.
#[derive(Debug)]
pub(crate) struct Columns {
    at: Vec<Option<usize>>,
    names: Vec<String>,
    /// The header's row number.
    pub header_row: usize,
}

impl Columns {
    /// Matches the header row against the spec: problems (missing required columns, a column
    /// twice) as row errors of the header row, and the header cells that are no column.
    pub fn resolve(spec: &[Col], header: &Row) -> (Self, Vec<RowError>, Vec<String>) {
        let mut at = vec![None; spec.len()];
        let mut names: Vec<String> = spec.iter().map(|c| c.zh.to_owned()).collect();
        let mut errors = Vec::new();
        let mut ignored = Vec::new();
        for (i, cell) in header.cells.iter().enumerate() {
            let text = clean(&cell.text);
            if text.is_empty() {
                continue;
            }
            let norm = normalise_header(text);
            match spec.iter().position(|c| c.matches(&norm)) {
                Some(k) => match at.get_mut(k) {
                    Some(Some(_)) => errors.push(RowError {
                        row: header.number,
                        column: text.to_owned(),
                        code: "import.duplicate_column",
                        message: format!(
                            "列「{text}」与前面的列「{}」是同一列，只能出现一次",
                            names.get(k).map_or("", String::as_str)
                        ),
                    }),
                    Some(slot) => {
                        *slot = Some(i);
                        if let Some(name) = names.get_mut(k) {
                            *name = text.to_owned();
                        }
                    }
                    None => {}
                },
                None => ignored.push(text.to_owned()),
            }
        }
        for (c, found) in spec.iter().zip(&at) {
            if c.required && found.is_none() {
                errors.push(missing_column(header.number, c));
            }
        }
        (
            Self {
                at,
                names,
                header_row: header.number,
            },
            errors,
            ignored,
        )
    }

    pub fn has(&self, k: usize) -> bool {
        self.at.get(k).is_some_and(Option::is_some)
    }

    /// The column's name as the file's header writes it (the Chinese name if it is missing).
    pub fn name(&self, k: usize) -> &str {
        self.names.get(k).map_or("", String::as_str)
    }

    fn cell<'r>(&self, row: &'r Row, k: usize) -> Option<&'r Cell> {
        let i = (*self.at.get(k)?)?;
        row.cells.get(i)
    }
}

pub(crate) fn missing_column(row: usize, c: &Col) -> RowError {
    RowError {
        row,
        column: c.zh.to_owned(),
        code: "import.missing_column",
        message: format!("缺少必填列「{}」（英文列名 {}）", c.zh, c.key),
    }
}

/// The domain's parse errors: a stable code and a Chinese message.
pub(crate) trait Coded: std::fmt::Display {
    fn code(&self) -> &'static str;
}

macro_rules! coded {
    ($($t:ty),*) => {$(
        impl Coded for $t {
            fn code(&self) -> &'static str {
                <$t>::code(self)
            }
        }
    )*};
}
coded!(
    IdNumberError,
    CreditCodeError,
    DateError,
    HoursError,
    RegionError
);

/// The checks of one row, collecting every problem.
#[derive(Debug)]
pub(crate) struct RowCheck<'a> {
    pub row: &'a Row,
    cols: &'a Columns,
    pub errors: Vec<RowError>,
}

impl<'a> RowCheck<'a> {
    pub fn new(row: &'a Row, cols: &'a Columns) -> Self {
        Self {
            row,
            cols,
            errors: Vec::new(),
        }
    }

    pub fn number(&self) -> usize {
        self.row.number
    }

    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn err(&mut self, k: usize, code: &'static str, message: impl Into<String>) {
        self.errors.push(RowError {
            row: self.row.number,
            column: self.cols.name(k).to_owned(),
            code,
            message: message.into(),
        });
    }

    fn coded(&mut self, k: usize, e: &impl Coded) {
        self.err(k, e.code(), e.to_string());
    }

    fn kind(&self, k: usize) -> CellKind {
        self.cols
            .cell(self.row, k)
            .map_or(CellKind::Text, |c| c.kind)
    }

    /// The cell's cleaned text; `None` when empty or absent. A cell that holds no text (bytes
    /// that are not UTF-8, an Excel error value) is reported.
    pub fn get(&mut self, k: usize) -> Option<&'a str> {
        let cell = self.cols.cell(self.row, k)?;
        let text = clean(&cell.text);
        match cell.kind {
            _ if text.is_empty() => None,
            CellKind::BadEncoding => {
                self.err(
                    k,
                    "import.encoding",
                    "单元格不是 UTF-8 文本：请将文件另存为「CSV UTF-8（逗号分隔）」",
                );
                None
            }
            CellKind::Error => {
                self.err(
                    k,
                    "import.cell_error",
                    format!("单元格是 Excel 错误值 {text}"),
                );
                None
            }
            CellKind::Text | CellKind::Number => Some(text),
        }
    }

    /// As [`Self::get`], reporting an empty cell.
    pub fn required(&mut self, k: usize) -> Option<&'a str> {
        let v = self.get(k);
        if v.is_none()
            && !self
                .errors
                .iter()
                .any(|e| e.row == self.row.number && e.column == self.cols.name(k))
        {
            self.err(k, "import.required", "不能为空");
        }
        v
    }

    /// Free text of at most `max` characters.
    pub fn text(&mut self, k: usize, required: bool, max: usize) -> Option<String> {
        let v = if required {
            self.required(k)
        } else {
            self.get(k)
        }?;
        if v.chars().count() > max {
            self.err(k, "import.too_long", format!("不能超过 {max} 个字"));
            return None;
        }
        Some(v.to_owned())
    }

    /// A value that looks like a number to Excel but is an identifier: more than 15 digits
    /// stored as a number have lost their last digits.
    fn number_as_identifier(&mut self, k: usize, what: &str) -> bool {
        if self.kind(k) == CellKind::Number {
            self.err(
                k,
                "import.number_precision",
                format!(
                    "{what}在 Excel 中被存成了数字，末几位可能已丢失（Excel 只保留 15 位有效数字）：请将该列设为「文本」格式后重新填写"
                ),
            );
            return true;
        }
        false
    }

    pub fn id_number(&mut self, k: usize) -> Option<IdNumber> {
        let v = self.required(k)?;
        if self.number_as_identifier(k, "身份证号") {
            return None;
        }
        IdNumber::parse(v).map_err(|e| self.coded(k, &e)).ok()
    }

    /// A person's name: not empty, at most 50 characters, no digits.
    pub fn name(&mut self, k: usize) -> Option<String> {
        let v = self.text(k, true, 50)?;
        if v.chars().any(|c| c.is_ascii_digit()) {
            self.err(k, "name.format", "姓名中不能有数字");
            return None;
        }
        Some(v)
    }

    pub fn credit_code(&mut self, k: usize) -> Option<CreditCode> {
        let v = self.required(k)?;
        CreditCode::parse(v).map_err(|e| self.coded(k, &e)).ok()
    }

    /// A certificate or record number: text, and not a number Excel has rounded.
    pub fn identifier(&mut self, k: usize, what: &str, required: bool) -> Option<String> {
        let v = self.text(k, required, 100)?;
        if v.len() > 15 && self.number_as_identifier(k, what) {
            return None;
        }
        Some(v)
    }

    /// A date: `YYYY-MM-DD`, also `YYYY/M/D`, `YYYY.M.D`, `YYYY年M月D日`, `YYYYMMDD`, an Excel
    /// date, or an Excel day number.
    pub fn date(&mut self, k: usize, required: bool) -> Option<Date> {
        let v = if required {
            self.required(k)
        } else {
            self.get(k)
        }?;
        let parsed = if self.kind(k) == CellKind::Number {
            excel_serial(v).ok_or(DateError::Format)
        } else {
            normalise_date(v)
                .ok_or(DateError::Format)
                .and_then(|d| Date::parse(&d))
        };
        parsed.map_err(|e| self.coded(k, &e)).ok()
    }

    /// Hours in tenths; more than zero.
    pub fn hours(&mut self, k: usize, required: bool) -> Option<Hours> {
        let v = if required {
            self.required(k)
        } else {
            self.get(k)
        }?;
        match Hours::parse(v) {
            Ok(h) if h == Hours::ZERO => {
                self.err(k, "hours.zero", "学时须大于 0");
                None
            }
            Ok(h) => Some(h),
            Err(e) => {
                self.coded(k, &e);
                None
            }
        }
    }

    /// Whole minutes, more than zero.
    pub fn minutes(&mut self, k: usize) -> Option<u64> {
        let v = self.get(k)?;
        if v.starts_with('-') {
            self.err(k, "minutes.negative", "分钟数不能为负数");
            return None;
        }
        match v.parse::<u64>() {
            Ok(0) => {
                self.err(k, "minutes.zero", "分钟数须大于 0");
                None
            }
            Ok(m) if m <= xueshi_policy::input::MAX_MINUTES => Some(m),
            Ok(_) => {
                self.err(k, "minutes.too_large", "分钟数值过大");
                None
            }
            Err(_) => {
                self.err(k, "minutes.format", "分钟数应为整数，如 90");
                None
            }
        }
    }

    /// A year such as `2026` (or `2026年`).
    pub fn year(&mut self, k: usize) -> Option<i32> {
        let v = self.get(k)?;
        let v = v.strip_suffix('年').unwrap_or(v).trim();
        match v.parse::<i32>() {
            Ok(y) if (1900..=2999).contains(&y) => Some(y),
            _ => {
                self.err(k, "year.format", "年度应为四位年份，如 2026");
                None
            }
        }
    }

    /// One of a fixed set of values, `expected` listing them for the message.
    pub fn choice<T>(
        &mut self,
        k: usize,
        required: bool,
        parse: impl Fn(&str) -> Option<T>,
        expected: &str,
    ) -> Option<T> {
        let v = if required {
            self.required(k)
        } else {
            self.get(k)
        }?;
        let found = parse(v).or_else(|| parse(&v.to_ascii_lowercase()));
        if found.is_none() {
            self.err(k, "import.choice", format!("「{v}」无效：应为 {expected}"));
        }
        found
    }
}

/// `2026/3/5`, `2026.3.5`, `2026年3月5日`, `20260305`, `2026-03-05 00:00:00` → `2026-03-05`.
fn normalise_date(text: &str) -> Option<String> {
    let text = text.split([' ', 'T']).next().unwrap_or(text);
    if text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()) {
        let (y, md) = text.split_at(4);
        let (m, d) = md.split_at(2);
        return Some(format!("{y}-{m}-{d}"));
    }
    let text = text.strip_suffix('日').unwrap_or(text);
    let parts: Vec<&str> = text.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    let ok = |s: &str, max: usize| {
        !s.is_empty() && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
    };
    if y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    Some(format!("{y}-{m:0>2}-{d:0>2}"))
}

/// An Excel day number (1900 date system) as a date: `46086` is 2026-03-05.
fn excel_serial(text: &str) -> Option<Date> {
    let whole = text.split('.').next()?;
    let serial: i32 = whole.parse().ok()?;
    // Serial 25569 is 1970-01-01; serials up to 60 straddle Excel's fictitious 1900-02-29.
    if !(61..=2_958_465).contains(&serial) {
        return None;
    }
    Date::from_day_number(serial - 25_569).ok()
}

pub(crate) fn subject(s: &str) -> Option<Subject> {
    match s {
        "专业科目" | "专业" | "专业课" => Some(Subject::Professional),
        "公需科目" | "公需" | "公需课" => Some(Subject::Public),
        _ => Subject::parse(s),
    }
}

pub(crate) const SUBJECTS: &str = "专业科目、公需科目（或 professional、public）";

pub(crate) fn form(s: &str) -> Option<Form> {
    let by_number = s
        .parse::<usize>()
        .ok()
        .and_then(|n| Form::ALL.get(n.checked_sub(1)?).copied());
    by_number
        .or_else(|| Form::parse(s))
        .or_else(|| Form::ALL.into_iter().find(|f| f.zh() == s))
        .or(match s {
            "培训班" | "研修班" | "进修班" | "培训" => Some(Form::TrainingClass),
            "实践" | "实践活动" => Some(Form::Practice),
            "网络学习" | "网络培训" | "网络远程教育" | "移动端学习" | "在线学习" | "网络" => {
                Some(Form::Online)
            }
            "学术会议" | "讲座" | "访问" | "学术交流" => Some(Form::Academic),
            "论文" | "论著" | "科研" | "科研项目" | "课题研究" => {
                Some(Form::Research)
            }
            "资格考试" | "专业技术资格考试" | "职业资格考试" => {
                Some(Form::QualificationExam)
            }
            "其他" => Some(Form::Other),
            "折算" | "学时折算" | "折算认定" => Some(Form::Conversion),
            _ => None,
        })
}

pub(crate) const FORMS: &str =
    "1–8，或 培训班、实践、网络学习、学术会议、科研、资格考试、其他、学时折算（或其英文键）";

pub(crate) fn exam(s: &str) -> Option<Exam> {
    match s {
        "合格" | "通过" | "已通过" | "考试合格" | "是" => Some(Exam::Pass),
        "不合格" | "未通过" | "考试不合格" | "否" => Some(Exam::Fail),
        "无" | "-" | "—" | "不考试" => Some(Exam::None),
        _ => Exam::parse(s),
    }
}

pub(crate) const EXAMS: &str = "合格、不合格、无（或 pass、fail、none）";

pub(crate) fn cohort(s: &str) -> Option<Cohort> {
    match s {
        "老人" | "老" | "老办法" => Some(Cohort::Old),
        "新人" | "新" | "新办法" => Some(Cohort::New),
        _ => Cohort::parse(s),
    }
}

pub(crate) const COHORTS: &str = "老人、新人（或 old、new）";

pub(crate) fn unit_kind(s: &str) -> Option<UnitKind> {
    match s {
        "企业" => Some(UnitKind::Enterprise),
        "事业单位" => Some(UnitKind::Institution),
        "社会组织" => Some(UnitKind::SocialOrg),
        "非公单位" | "非公有制单位" | "非公企业" | "非公有制企业" => {
            Some(UnitKind::NonPublic)
        }
        "国有企业" | "国有企事业单位" | "国企" => Some(UnitKind::StateOwned),
        _ => UnitKind::parse(s),
    }
}

pub(crate) const UNIT_KINDS: &str = "企业、事业单位、社会组织、非公单位、国有企业（或 enterprise、institution、social_org、non_public、state_owned）";

const CHINESE_NUMBERS: [&str; 4] = ["一", "二", "三", "四"];

/// A provincial online base by number (`1`, `base:1`, `基地1`), subject (`科目一`) or the name
/// the policy gives it (`安徽开放大学`), in any year of the policy.
pub(crate) fn base(policy: &Policy, s: &str) -> Option<u8> {
    let s = s.trim();
    let digits = s
        .strip_prefix("base:")
        .or_else(|| s.strip_prefix("基地"))
        .unwrap_or(s);
    if let Ok(n) = digits.parse::<u8>() {
        return (1..=4).contains(&n).then_some(n);
    }
    if let Some(n) = s
        .strip_prefix("科目")
        .and_then(|rest| CHINESE_NUMBERS.iter().position(|c| *c == rest))
    {
        return u8::try_from(n + 1).ok();
    }
    policy
        .years
        .iter()
        .flat_map(|y| &y.bases)
        .find(|b| b.name == s || b.subject == s)
        .map(|b| b.number)
}

pub(crate) const BASES: &str = "1–4、科目一至科目四，或基地名称（如 安徽开放大学）";

/// Who provided a course: a base, a recognised kind of provider, or a provider that must be on
/// a city's register (by name).
pub(crate) fn provider(policy: &Policy, s: &str) -> Provider {
    if let Some(n) = base(policy, s) {
        return Provider::Base(n);
    }
    let kind = s.strip_prefix("kind:").unwrap_or(s);
    ProviderKind::ALL
        .into_iter()
        .find(|k| k.as_str() == kind || k.zh() == kind)
        .map_or_else(|| Provider::Registered(s.to_owned()), Provider::Kind)
}

/// A mobile number: 11 digits starting with 1, spaces, dashes and `+86` allowed.
pub(crate) fn phone(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let digits = digits
        .strip_prefix("+86")
        .map(str::to_owned)
        .unwrap_or(digits);
    (digits.len() == 11 && digits.starts_with('1') && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some(digits)
}

/// Reads a whole (small) file: its columns and rows, the header's problems in the report.
/// `None` when the header has problems (the rows are then only counted).
pub(crate) async fn read_all(
    path: &std::path::Path,
    opts: &ImportOptions,
    spec: &[Col],
    report: &mut ImportReport,
    progress: ProgressFn<'_>,
) -> Result<Option<(Columns, Vec<Row>)>, StoreError> {
    let mut source = open(path, opts, spec, false).await?;
    let (cols, errors, ignored) = Columns::resolve(spec, &source.header);
    report.ignored_columns = ignored;
    let mut rows = Vec::new();
    while let Some(batch) = source.next_batch().await? {
        rows.extend(batch);
        progress(Progress {
            phase: Phase::Reading,
            done: rows.len() as u64,
            total: None,
        });
    }
    report.total_rows = rows.len();
    if !errors.is_empty() {
        report.reject(errors);
        return Ok(None);
    }
    Ok(Some((cols, rows)))
}

/// Opens a file for a kind of import.
pub(crate) async fn open(
    path: &std::path::Path,
    opts: &ImportOptions,
    spec: &[Col],
    count: bool,
) -> Result<super::table::Source, StoreError> {
    let format = match opts.format {
        Some(f) => f,
        None => super::Format::detect(path)?,
    };
    super::table::Source::open(super::table::Request {
        path: path.to_owned(),
        format,
        sheet: opts.sheet.clone(),
        batch: opts.batch(),
        known: known_names(spec),
        count,
        limits: opts.limits,
    })
    .await
    .map_err(StoreError::from)
}

/// Reports validation progress every so many rows (and at the end).
pub(crate) fn validating(progress: ProgressFn<'_>, done: usize, total: usize) {
    if done.is_multiple_of(100) || done == total {
        progress(Progress {
            phase: Phase::Validating,
            done: done as u64,
            total: Some(total as u64),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_people_type() {
        for (text, want) in [
            ("2026-03-05", "2026-03-05"),
            ("2026/3/5", "2026-03-05"),
            ("2026.03.5", "2026-03-05"),
            ("2026年3月5日", "2026-03-05"),
            ("20260305", "2026-03-05"),
            ("2026-03-05 00:00:00", "2026-03-05"),
        ] {
            assert_eq!(normalise_date(text).as_deref(), Some(want), "{text}");
        }
        assert_eq!(normalise_date("3/5/2026"), None);
        assert_eq!(normalise_date("2026-3"), None);
        assert_eq!(excel_serial("46086").unwrap().to_string(), "2026-03-05");
        assert_eq!(excel_serial("46086.5").unwrap().to_string(), "2026-03-05");
        assert_eq!(excel_serial("12"), None);
    }

    #[test]
    fn chinese_values_and_english_keys() {
        let policy = xueshi_policy::load_embedded("anhui").unwrap();
        assert_eq!(form("3"), Some(Form::Online));
        assert_eq!(form("网络远程教育、移动端学习"), Some(Form::Online));
        assert_eq!(form("conversion"), Some(Form::Conversion));
        assert_eq!(form("9"), None);
        assert_eq!(base(&policy, "安徽大学"), Some(2));
        assert_eq!(base(&policy, "科目四"), Some(4));
        assert_eq!(base(&policy, "base:3"), Some(3));
        assert_eq!(base(&policy, "5"), None);
        assert_eq!(
            provider(&policy, "人社部门"),
            Provider::Kind(ProviderKind::Hrss)
        );
        assert_eq!(
            provider(&policy, "皖江在线学院"),
            Provider::Registered("皖江在线学院".to_owned())
        );
        assert_eq!(unit_kind("事业单位"), Some(UnitKind::Institution));
        assert_eq!(unit_kind("state_owned"), Some(UnitKind::StateOwned));
        assert_eq!(phone("+86 138-0000-0000").as_deref(), Some("13800000000"));
        assert_eq!(phone("0564-3376010"), None);
    }
}
