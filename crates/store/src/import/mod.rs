//! Bulk import (`xueshi import`): units, persons and learning records from CSV or XLSX, and the
//! certificate reports of the four provincial online bases (D6). Every row is validated — ID check
//! digit and that the name is the ID holder's, credit-code check character, region codes, dates,
//! hours, duplicate labels and certificate numbers within the file and against the database — and
//! every bad row is reported with its row number as Excel shows it (the header is row 1), its
//! column as the header names it, a stable code and a Chinese reason.
//!
//! **All or nothing.** By default ([`ImportMode::AllOrNothing`]) one bad row means nothing is
//! written; [`ImportMode::KeepGood`] writes the good rows and reports exactly which rows were
//! written, already present and rejected. Whatever is written is written in **one database
//! transaction per import**, so a process killed half-way leaves the database as it was (that is
//! the database's atomicity: SQLite's journal / PostgreSQL's WAL; nothing here commits in chunks):
//!
//! | import | transaction |
//! |---|---|
//! | [`import_units`] | one transaction with every new unit |
//! | [`import_persons`] | one transaction with every new person (sealed ID, blind index, commitment) and employment |
//! | [`import_records`] | one [`crate::records::register`] call: one transaction, one signed checkpoint |
//! | [`import_certificates`] | one transaction, streamed: a signed checkpoint per batch of rows, all committed together |
//!
//! A records import needs its persons, and persons need their units, already in the database:
//! import units, then persons, then records or certificates. Each is its own transaction. Rows
//! are checked against the database as it was before the transaction (certificates: through
//! other connections, while the transaction writes); should another writer take one of their
//! keys in between, the database's unique constraints refuse the write as a whole
//! ([`crate::StoreError::Conflict`]) — still nothing half-written.
//!
//! **Idempotent.** Re-importing a file changes nothing and reports its rows as already present:
//! units by credit code, persons by the blind index of the ID number (and employment by unit and
//! start date), records by person and label, certificates by base and certificate number. A row
//! whose key is present with different content is an error row, never an update: registration
//! is append-only (D10).
//!
//! **Memory.** Units, persons and records files are read whole (they are a unit's or a county's
//! lists). A certificate report is streamed once, a batch at a time: the rows of a batch are
//! checked and written (inside the import's one transaction) while the next batch is read and
//! checked, so a report of a million rows holds two batches of parsed rows and the validation
//! index (a 128-bit hash per certificate key and the persons seen). In all-or-nothing mode the
//! first bad row stops the writing, and the transaction is rolled back once the whole file has
//! been checked.
//!
//! Files: CSV in UTF-8 (with or without BOM; a GBK/GB18030 or UTF-16 file is refused with a
//! Chinese explanation of how to re-save it) or XLSX (the first sheet, or a named one). The header
//! row has Chinese column names or their English keys (each kind's module lists its columns); rows above it (a title)
//! and empty rows are skipped, unknown columns are ignored and listed in the report.

pub mod certificates;
mod fields;
#[cfg(test)]
mod limits;
mod lookup;
pub mod persons;
pub mod records;
pub mod units;

#[cfg(test)]
mod testkit;

use std::fmt;

use xueshi_domain::Date;

pub use certificates::import_certificates;
pub use persons::import_persons;
pub use records::import_records;
pub use table::Format;
pub use units::import_units;
use xueshi_table as table;
pub use xueshi_table::limits::Limits;

/// What happens when some rows are bad.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ImportMode {
    /// One bad row and nothing is written (the default).
    #[default]
    AllOrNothing,
    /// The good rows are written; the bad ones are reported.
    KeepGood,
}

/// How to import a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// The sheet of an XLSX file (default: the first sheet).
    pub sheet: Option<String>,
    /// The file's format (default: from the extension, else from the content).
    pub format: Option<Format>,
    /// Who imports (account name); becomes the records' `actor`.
    pub actor: String,
    /// Today (the store has no clock): the default registration date, and the latest
    /// completion date a row may have.
    pub today: Date,
    /// The clock of the write, as in every store call.
    pub now_ms: i64,
    /// Rows per batch (reading, database look-ups, ledger checkpoints of a certificate import).
    pub batch_rows: usize,
    /// A certificate report sent by a base itself: every row must be that base's.
    pub only_base: Option<u8>,
    /// A records import by a unit through the service: every row's person must work for that
    /// unit today (as authorization places them: `person.not_staff`), the registration date is
    /// today (a 登记日期 of another day is `record.registered_on`), and a year whose
    /// registration has closed is refused (`registration.closed`, D11), as on the API.
    pub only_unit: Option<i64>,
    /// The audit line of an import through the service, written in the transaction of the
    /// records it registers; its subject gets `/rows:N` appended (records imports only).
    pub audit: Option<crate::audit::Line>,
    /// The bounds of the file, checked before it is parsed ([`Limits::default`]).
    pub limits: Limits,
}

impl ImportOptions {
    /// All-or-nothing, first sheet, format detected, batches of 1000 rows.
    pub fn new(actor: impl Into<String>, today: Date, now_ms: i64) -> Self {
        Self {
            mode: ImportMode::AllOrNothing,
            sheet: None,
            format: None,
            actor: actor.into(),
            today,
            now_ms,
            batch_rows: 1000,
            only_base: None,
            only_unit: None,
            audit: None,
            limits: Limits::default(),
        }
    }

    fn batch(&self) -> usize {
        self.batch_rows.clamp(1, 50_000)
    }
}

/// The phases an import goes through, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Reading the file (`done` rows so far; units, persons and records files, read whole).
    Reading,
    /// Checking rows (`done` of `total`).
    Validating,
    /// Writing rows (`done` of `total`, the rows to write).
    Writing,
}

impl Phase {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Reading => "读取",
            Self::Validating => "校验",
            Self::Writing => "写入",
        }
    }
}

/// One progress report. `total` is `None` while unknown; for an XLSX certificate report it is the
/// sheet's declared size, an estimate (`done` may then stop short of it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    pub total: Option<u64>,
}

/// The progress callback of every import.
pub type ProgressFn<'a> = &'a mut (dyn FnMut(Progress) + Send);

/// Which kind of file was imported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Units,
    Persons,
    Records,
    Certificates,
}

impl ImportKind {
    pub fn zh(self) -> &'static str {
        match self {
            Self::Units => "单位",
            Self::Persons => "人员",
            Self::Records => "学习记录",
            Self::Certificates => "基地证书",
        }
    }
}

/// One problem with one row (or with the header, row 1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// 1-based, as Excel shows it: the header is row 1 (rows above it count too).
    pub row: usize,
    /// The column as the file's header names it (the Chinese name if the column is missing);
    /// empty when the problem is the row as a whole.
    pub column: String,
    /// Stable code for programs (`id_number.check_digit`, `person.name_mismatch`, …).
    pub code: &'static str,
    /// The reason, in Chinese. Never contains an ID number.
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.column.is_empty() {
            write!(f, "第 {} 行：{} [{}]", self.row, self.message, self.code)
        } else {
            write!(
                f,
                "第 {} 行，列「{}」：{} [{}]",
                self.row, self.column, self.message, self.code
            )
        }
    }
}

/// A set of row numbers, kept as ascending runs (a million-row report stays small).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RowSet {
    runs: Vec<(usize, usize)>,
    len: usize,
}

impl RowSet {
    /// Adds a row. Rows come mostly in ascending order (appended to the last run); others are
    /// merged with their neighbouring runs only, so no insertion walks every run.
    pub fn insert(&mut self, row: usize) {
        let at = self.runs.partition_point(|&(_, end)| end < row);
        if self.runs.get(at).is_some_and(|&(a, _)| a <= row) {
            return;
        }
        self.len += 1;
        let joins_prev = at
            .checked_sub(1)
            .filter(|&p| self.runs.get(p).is_some_and(|&(_, b)| b + 1 == row));
        let joins_next = self.runs.get(at).is_some_and(|&(a, _)| a == row + 1);
        match (joins_prev, joins_next) {
            (Some(p), true) => {
                let end = self.runs.get(at).map_or(row, |&(_, b)| b);
                if let Some(prev) = self.runs.get_mut(p) {
                    prev.1 = end;
                }
                self.runs.remove(at);
            }
            (Some(p), false) => {
                if let Some(prev) = self.runs.get_mut(p) {
                    prev.1 = row;
                }
            }
            (None, true) => {
                if let Some(next) = self.runs.get_mut(at) {
                    next.0 = row;
                }
            }
            (None, false) => self.runs.insert(at, (row, row)),
        }
    }

    pub fn contains(&self, row: usize) -> bool {
        let at = self.runs.partition_point(|&(_, end)| end < row);
        self.runs.get(at).is_some_and(|&(a, _)| a <= row)
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The runs, as inclusive `(first, last)` pairs.
    pub fn runs(&self) -> &[(usize, usize)] {
        &self.runs
    }

    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.runs.iter().flat_map(|&(a, b)| a..=b)
    }
}

impl fmt::Display for RowSet {
    /// `2–4、7`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, &(a, b)) in self.runs.iter().enumerate() {
            if i > 0 {
                f.write_str("、")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}–{b}")?;
            }
        }
        Ok(())
    }
}

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportReport {
    pub kind: ImportKind,
    pub mode: ImportMode,
    /// Data rows in the file (not counting the header, rows above it, or empty rows).
    pub total_rows: usize,
    /// Rows written by this import.
    pub written: usize,
    /// Rows whose content the database already holds (nothing written for them).
    pub already_present: usize,
    /// The first problems by row (a row may have several): at most
    /// [`Limits::max_problems`] of them, so that a file of bad rows gets a short answer.
    pub rejected: Vec<RowError>,
    /// Every problem found, counted (`rejected` lists the first of them).
    pub problems: usize,
    /// The rows with at least one problem.
    pub rejected_set: RowSet,
    /// How many problems `rejected` keeps.
    keep: usize,
    pub written_rows: RowSet,
    pub present_rows: RowSet,
    /// Header cells that are no column of this kind of file (ignored).
    pub ignored_columns: Vec<String>,
}

impl ImportReport {
    fn new(kind: ImportKind, opts: &ImportOptions) -> Self {
        Self {
            kind,
            mode: opts.mode,
            problems: 0,
            rejected_set: RowSet::default(),
            keep: opts.limits.max_problems.max(1),
            total_rows: 0,
            written: 0,
            already_present: 0,
            rejected: Vec::new(),
            written_rows: RowSet::default(),
            present_rows: RowSet::default(),
            ignored_columns: Vec::new(),
        }
    }

    /// The distinct rows with at least one problem, ascending.
    pub fn rejected_rows(&self) -> Vec<usize> {
        self.rejected_set.iter().collect()
    }

    /// No row had a problem.
    pub fn is_clean(&self) -> bool {
        self.problems == 0
    }

    /// Whether some problems were counted but not listed.
    pub fn is_truncated(&self) -> bool {
        self.problems > self.rejected.len()
    }

    /// Notes problems: all are counted, the first `keep` by row are listed. The list is cut
    /// back whenever it doubles, so it never holds more than twice that.
    fn reject(&mut self, errors: impl IntoIterator<Item = RowError>) {
        for e in errors {
            self.problems += 1;
            self.rejected_set.insert(e.row);
            self.rejected.push(e);
            if self.rejected.len() >= self.keep.saturating_mul(2) {
                self.trim();
            }
        }
    }

    /// The first `keep` problems by row (stable: a row's problems keep their column order).
    fn trim(&mut self) {
        self.rejected.sort_by_key(|e| e.row);
        self.rejected.truncate(self.keep);
    }

    fn mark_present(&mut self, row: usize) {
        self.already_present += 1;
        self.present_rows.insert(row);
    }

    fn mark_written(&mut self, row: usize) {
        self.written += 1;
        self.written_rows.insert(row);
    }

    /// Sorts the problems by row and keeps the first ones.
    fn finish(&mut self) {
        self.trim();
    }

    /// Whether this report lets rows be written: no problem, or keep-good mode.
    fn may_write(&self) -> bool {
        self.is_clean() || self.mode == ImportMode::KeepGood
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bad = self.rejected_set.len();
        let mode = match self.mode {
            ImportMode::AllOrNothing => "全部或全不",
            ImportMode::KeepGood => "保留正确行",
        };
        write!(
            f,
            "导入{}（{mode}）：共 {} 行，写入 {} 行，已存在 {} 行，有错误 {} 行",
            self.kind.zh(),
            self.total_rows,
            self.written,
            self.already_present,
            bad
        )?;
        if bad > 0 && self.mode == ImportMode::AllOrNothing {
            f.write_str("。存在错误，未写入任何数据：请改正后重新导入（或选择只导入正确的行）")?;
        }
        writeln!(f)?;
        if !self.written_rows.is_empty() {
            writeln!(f, "已写入：第 {} 行", self.written_rows)?;
        }
        if !self.present_rows.is_empty() {
            writeln!(f, "已存在（未重复写入）：第 {} 行", self.present_rows)?;
        }
        if bad > 0 {
            writeln!(f, "有错误：第 {} 行", self.rejected_set)?;
        }
        if !self.ignored_columns.is_empty() {
            writeln!(
                f,
                "未识别的列（已忽略）：{}",
                self.ignored_columns
                    .iter()
                    .map(|c| format!("「{c}」"))
                    .collect::<Vec<_>>()
                    .join("、")
            )?;
        }
        for e in &self.rejected {
            writeln!(f, "{e}")?;
        }
        if self.is_truncated() {
            writeln!(
                f,
                "……共 {} 个问题，以上列出前 {} 个",
                self.problems,
                self.rejected.len()
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::testkit::*;
    use super::*;

    /// The same SQL on PostgreSQL: every kind of import, again, a bad row, the ledger.
    #[tokio::test]
    async fn every_import_on_postgres() {
        let Some(w) = World::postgres().await else {
            return;
        };
        let none = &mut |_: Progress| {};
        let units = w.file(
            "units.csv",
            &format!(
                "统一社会信用代码,单位名称,所在地区,开发区,行业,单位类型\n{},某公司,,六安经济技术开发区,制造业,企业\n",
                credit("91341500MA0000003")
            ),
        );
        let persons = w.file(
            "persons.csv",
            &format!(
                "身份证号,姓名,单位统一社会信用代码,入职日期,人员类别,手机号\n{},王芳,{},2021-09-01,新人,13900000001\n{},张晓梅,{},2026-01-01,新人,\n",
                id("34152219900101001"),
                credit("91341500MA0000003"),
                w.id_number,
                credit("91341500MA0000003"),
            ),
        );
        let records = w.file(
            "records.csv",
            &format!(
                "身份证号,姓名,记录编号,内容,科目,形式,完成日期,学时,证书编号,提供单位\n{},王芳,R1,课程,公需科目,网络学习,2026-07-01,10,C-1,人社部门\n",
                id("34152219900101001")
            ),
        );
        let certificates = w.file(
            "certificates.csv",
            &format!(
                "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n{},王芳,1,K-1,课程,20,2026-06-01,合格\n{},张晓梅,2,K-2,课程,8.5,2026-06-02,不合格\n",
                id("34152219900101001"),
                w.id_number
            ),
        );
        for round in 0..2 {
            let u = import_units(&w.db, &units, &w.opts(), none).await.unwrap();
            let p = import_persons(&w.db, &w.keys, &persons, &w.opts(), none)
                .await
                .unwrap();
            let r = import_records(
                &w.db,
                &w.keys,
                &w.signer,
                policy(),
                &records,
                &w.opts(),
                none,
            )
            .await
            .unwrap();
            let c = import_certificates(
                &w.db,
                &w.keys,
                &w.signer,
                policy(),
                &certificates,
                &w.opts(),
                none,
            )
            .await
            .unwrap();
            let written = [u.written, p.written, r.written, c.written];
            let present = [
                u.already_present,
                p.already_present,
                r.already_present,
                c.already_present,
            ];
            if round == 0 {
                assert_eq!(written, [1, 2, 1, 2], "{u}{p}{r}{c}");
            } else {
                assert_eq!((written, present), ([0; 4], [1, 2, 1, 2]), "{u}{p}{r}{c}");
            }
        }
        let bad = w.file(
            "bad.csv",
            &format!(
                "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n{},李四,1,K-3,课程,20,2026-06-01,合格\n",
                w.id_number
            ),
        );
        let c = import_certificates(&w.db, &w.keys, &w.signer, policy(), &bad, &w.opts(), none)
            .await
            .unwrap();
        assert_eq!(
            c.rejected.iter().map(|e| e.code).collect::<Vec<_>>(),
            vec!["person.name_mismatch"]
        );
        assert!(w.ledger_ok().await);
        w.done().await;
    }

    #[test]
    fn row_sets_merge_runs_and_print_them() {
        let mut s = RowSet::default();
        for r in [2, 3, 4, 7, 9, 8, 5] {
            s.insert(r);
        }
        assert_eq!(s.runs(), &[(2, 5), (7, 9)]);
        assert_eq!(s.len(), 7);
        assert_eq!(s.to_string(), "2–5、7–9");
        s.insert(3);
        assert_eq!(s.len(), 7);
        assert!(s.contains(8) && !s.contains(6));
        assert_eq!(s.iter().collect::<Vec<_>>(), vec![2, 3, 4, 5, 7, 8, 9]);
    }

    #[test]
    fn errors_print_as_the_user_reads_them() {
        let e = RowError {
            row: 12,
            column: "身份证号".to_owned(),
            code: "id_number.check_digit",
            message: "身份证号码校验位不正确".to_owned(),
        };
        assert_eq!(
            e.to_string(),
            "第 12 行，列「身份证号」：身份证号码校验位不正确 [id_number.check_digit]"
        );
    }
}
