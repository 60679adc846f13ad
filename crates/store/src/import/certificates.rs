//! Certificate reports of the four provincial online bases (D6): each row a passed (or failed)
//! public course, registered as a public online record with provider `base:N`, the base's
//! certificate number, and label `base:N:<certificate number>`. Columns:
//!
//! | column | key | |
//! |---|---|---|
//! | 身份证号 | `id_number` | required; the person must be registered |
//! | 姓名 | `name` | required; must be the ID holder's registered name |
//! | 基地 | `base` | required: 1–4, 科目一…科目四, or the base's name (安徽开放大学 …) |
//! | 证书编号 | `certificate_no` | required, unique per base (in the file and in the database) |
//! | 课程名称 | `course` | required |
//! | 学时 | `hours` | required, tenths |
//! | 完成日期 | `completed` | required, not after today |
//! | 考试结果 | `exam` | required: 合格 / 不合格 |
//! | 计入年度 | `for_year` | optional (D5) |
//!
//! Built for size and speed: the file is read once, a batch at a time, in ONE transaction. Each
//! batch is checked — against the file so far (a 128-bit hash per certificate key seen) and,
//! through other connections, against the database as it was before the import — and its good
//! rows are appended (ids after the highest, as `records::register` gives them) with their
//! ledger entries and a signed checkpoint, while the next batch is read and checked. In
//! all-or-nothing mode the first bad row stops the writing and the transaction is rolled back at
//! the end, so nothing is written; the report still lists every bad row of the file.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use sha2::{Digest, Sha256};
use xueshi_domain::{Date, Hours};
use xueshi_policy::Policy;
use xueshi_policy::input::{Amount, Exam, Form, Provider, Record, Subject};

use super::fields::{BASES, Col, Columns, RowCheck, base, exam, open};
use super::lookup::{self, Holders};
use super::persons::{ID_COLUMN, NAME_COLUMN};
use super::records::{blind, check_for_year, check_holder, differences};
use super::table::Row;
use super::{
    ImportKind, ImportOptions, ImportReport, Phase, Progress, ProgressFn, RowError, RowSet,
};
use crate::db::Db;
use crate::direct::HeldWrite;
use crate::entries::RecordRow;
use crate::error::StoreError;
use crate::keys::Keys;
use crate::ledger::{LedgerSigner, resume_direct, write_batch_direct};
use crate::records::NewRecord;
use crate::{in_tx, resume_batch, write_batch};

/// What the database and the file so far tell about the rows of a file.
struct Checker<'a> {
    db: &'a Db,
    keys: &'a Keys,
    policy: &'a Policy,
    opts: &'a ImportOptions,
    cols: &'a Columns,
    holders: Holders,
    seen: HashMap<u128, usize>,
}

/// The verdicts on one batch of rows.
struct Checked {
    rows: usize,
    rejected: Vec<RowError>,
    present: Vec<usize>,
    /// The rows to write, with their row numbers.
    good: Vec<(usize, NewRecord)>,
}

const ID: usize = 0;
const NAME: usize = 1;
const BASE: usize = 2;
const CERTIFICATE: usize = 3;
const COURSE: usize = 4;
const HOURS: usize = 5;
const COMPLETED: usize = 6;
const EXAM: usize = 7;
const FOR_YEAR: usize = 8;

static COLUMNS: [Col; 9] = [
    ID_COLUMN,
    NAME_COLUMN,
    Col {
        key: "base",
        zh: "基地",
        aliases: &["学习基地", "继续教育基地", "基地名称", "科目"],
        required: true,
    },
    Col {
        key: "certificate_no",
        zh: "证书编号",
        aliases: &["证书号", "合格证书编号"],
        required: true,
    },
    Col {
        key: "course",
        zh: "课程名称",
        aliases: &["课程", "内容", "content"],
        required: true,
    },
    Col {
        key: "hours",
        zh: "学时",
        aliases: &["学时数", "获得学时"],
        required: true,
    },
    Col {
        key: "completed",
        zh: "完成日期",
        aliases: &["考试日期", "合格日期", "发证日期", "完成时间"],
        required: true,
    },
    Col {
        key: "exam",
        zh: "考试结果",
        aliases: &["考试", "考核结果", "成绩"],
        required: true,
    },
    Col {
        key: "for_year",
        zh: "计入年度",
        aliases: &["年度", "学习年度"],
        required: false,
    },
];

/// One certificate row, checked on its own.
#[derive(Debug)]
struct Certificate {
    blind: [u8; 32],
    name: String,
    base: u8,
    number: String,
    course: String,
    hours: Hours,
    completed: Date,
    exam: Exam,
    for_year: Option<i32>,
}

impl Certificate {
    fn provider(&self) -> String {
        format!("base:{}", self.base)
    }

    fn record(&self, person_id: i64, opts: &ImportOptions) -> NewRecord {
        NewRecord {
            person_id,
            record: Record {
                id: format!("base:{}:{}", self.base, self.number),
                subject: Subject::Public,
                form: Form::Online,
                provider: Some(Provider::Base(self.base)),
                started: None,
                completed: self.completed,
                amount: Some(Amount::Hours(self.hours)),
                exam: self.exam,
                for_year: self.for_year,
                filing: None,
                conversion: None,
                achievement: None,
                registered: None,
            },
            content: self.course.clone(),
            certificate_no: Some(self.number.clone()),
            evidence: None,
            registered_on: opts.today,
            actor: opts.actor.clone(),
        }
    }
}

/// The in-file index key of a certificate: 128 bits of SHA-256 of base and number.
fn key_hash(base: u8, number: &str) -> u128 {
    let mut h = Sha256::new();
    h.update(b"xueshi-import-certificate\0");
    h.update([base]);
    h.update(number.as_bytes());
    let digest: [u8; 32] = h.finalize().into();
    let mut first = [0u8; 16];
    first.copy_from_slice(digest.get(..16).unwrap_or(&[0; 16]));
    u128::from_le_bytes(first)
}

fn parse(
    ck: &mut RowCheck<'_>,
    keys: &Keys,
    policy: &Policy,
    opts: &ImportOptions,
    seen: &mut HashMap<u128, usize>,
) -> Option<Certificate> {
    let id_number = ck.id_number(ID);
    let name = ck.name(NAME);
    let base = ck.choice(BASE, true, |s| base(policy, s), BASES);
    if let (Some(b), Some(only)) = (base, opts.only_base)
        && b != only
    {
        ck.err(
            BASE,
            "import.base_mismatch",
            format!("只能报送本基地（基地 {only}）的证书"),
        );
    }
    let number = ck.identifier(CERTIFICATE, "证书编号", true);
    let course = ck.text(COURSE, true, 500);
    let hours = ck.hours(HOURS, true);
    let completed = ck.date(COMPLETED, true);
    let exam = match ck.choice(EXAM, true, exam, "合格、不合格（或 pass、fail）") {
        Some(Exam::None) => {
            ck.err(EXAM, "import.choice", "基地证书的考试结果须为合格或不合格");
            None
        }
        other => other,
    };
    let for_year = ck.year(FOR_YEAR);
    if let (Some(b), Some(no)) = (base, &number) {
        let key = key_hash(b, no);
        if let Some(first) = seen.get(&key) {
            ck.err(
                CERTIFICATE,
                "record.certificate_duplicate",
                format!("与第 {first} 行的证书编号重复（同一基地）"),
            );
        } else {
            seen.insert(key, ck.number());
        }
    }
    if let Some(completed) = completed {
        if completed > opts.today {
            ck.err(COMPLETED, "date.future", "完成日期晚于今天");
        }
        if let Some(y) = for_year {
            check_for_year(ck, policy, FOR_YEAR, y, completed);
        }
    }
    let (id_number, name, base, number, course, hours, completed, exam) = (
        id_number?, name?, base?, number?, course?, hours?, completed?, exam?,
    );
    if !ck.ok() {
        return None;
    }
    Some(Certificate {
        blind: blind(keys, &id_number),
        name,
        base,
        number,
        course,
        hours,
        completed,
        exam,
        for_year,
    })
}

/// Reads, checks and writes the file batch by batch, to its end: each batch's good rows
/// (`$news`, a `Vec<NewRecord>`) are written by `$write` (an async block, in the import's one
/// transaction) while the next batch is read and checked. Once a row is refused in
/// all-or-nothing mode nothing more is written. A macro, not a function taking an async
/// closure: such a closure's borrowed captures make the service's handler future fail to be
/// `Send` for all lifetimes (a known limit of the compiler's inference).
macro_rules! drive {
    ($checker:ident, $source:ident, $report:ident, $progress:ident, $news:ident => $write:expr) => {{
        let total = $source.estimate;
        let mut next = $checker.next(&mut $source).await?;
        while let Some(batch) = next.take() {
            let (rows, $news) = before_writing(&mut $report, batch);
            let written = async {
                if $news.is_empty() {
                    return Ok(());
                }
                $write.await
            };
            let (written, following) = tokio::join!(written, $checker.next(&mut $source));
            written?;
            next = following?;
            after_writing(&mut $report, rows, total, &mut *$progress);
        }
        $report.finish();
    }};
}

/// Imports a base's certificate report; see the module documentation for the columns. Holds
/// two batches of rows and the validation index, whatever the file's size.
#[allow(clippy::too_many_arguments)]
pub async fn import_certificates(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    policy: &Policy,
    path: &Path,
    opts: &ImportOptions,
    progress: ProgressFn<'_>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::new(ImportKind::Certificates, opts);
    let mut source = open(path, opts, &COLUMNS, true).await?;
    let (cols, errors, ignored) = Columns::resolve(&COLUMNS, &source.header);
    report.ignored_columns = ignored;
    if !errors.is_empty() {
        report.reject(errors);
        while let Some(batch) = source.next_batch().await? {
            report.total_rows += batch.len();
        }
        return Ok(report);
    }
    let mut checker = Checker {
        db,
        keys,
        policy,
        opts,
        cols: &cols,
        holders: Holders::default(),
        seen: HashMap::new(),
    };
    // SQLite in a file: the batches are written on a connection of our own by cached multi-row
    // statements, in one transaction held across them (`direct::HeldWrite`).
    if let Db::Sqlite(pool) = db
        && let Some(path) = crate::direct::file_of(pool)
    {
        let held = HeldWrite::begin(path).await?;
        let now_ms = opts.now_ms;
        let mut appender = Some(held.run(move |c| resume_direct(c, now_ms)).await?);
        drive!(checker, source, report, progress, news => async {
            let mut a = appender.take().ok_or(StoreError::NotFound("账本批次"))?;
            let signer = signer.clone();
            let a = held
                .run(move |c| {
                    a.next_batch();
                    crate::records::register_direct(c, &mut a, &news)?;
                    write_batch_direct(c, &a, &signer)?;
                    Ok(a)
                })
                .await?;
            appender = Some(a);
            Ok::<(), StoreError>(())
        });
        if report.may_write() {
            held.commit().await?;
        } else {
            // Dropping the held transaction rolls back what the first batches wrote.
            drop(held);
            nothing_written(&mut report);
        }
        return Ok(report);
    }
    in_tx!(db, tx => {
        let mut appender = resume_batch!(tx, opts.now_ms)?;
        drive!(checker, source, report, progress, news => async {
            appender.next_batch();
            // The same registration path as `records::register`, inside this transaction.
            crate::records::register_in_tx!(tx, appender, news.as_slice(), None);
            write_batch!(tx, &appender, signer)
        });
        if !report.may_write() {
            // Dropping the transaction rolls back what the first batches wrote.
            nothing_written(&mut report);
            return Ok(report);
        }
        Ok::<ImportReport, StoreError>(report)
    })
}

/// The bookkeeping of a checked batch before its writing: its refusals and rows already
/// present noted; its good rows (numbers, records) if anything may still be written.
fn before_writing(report: &mut ImportReport, batch: Checked) -> (Vec<usize>, Vec<NewRecord>) {
    report.total_rows += batch.rows;
    report.reject(batch.rejected);
    for row in batch.present {
        report.mark_present(row);
    }
    if report.may_write() {
        batch.good.into_iter().unzip()
    } else {
        Default::default()
    }
}

/// The report of an import whose transaction is rolled back.
fn nothing_written(report: &mut ImportReport) {
    report.written = 0;
    report.written_rows = RowSet::default();
}

/// The bookkeeping of a batch written: its rows noted, progress reported.
fn after_writing(
    report: &mut ImportReport,
    rows: Vec<usize>,
    total: Option<u64>,
    progress: ProgressFn<'_>,
) {
    for row in rows {
        report.mark_written(row);
    }
    let estimate = |done: usize| total.map(|t| t.max(done as u64));
    // Writing first: a progress bar that shows one report per interval shows that one.
    if report.written > 0 {
        progress(Progress {
            phase: Phase::Writing,
            done: report.written as u64,
            total: estimate(report.written),
        });
    }
    progress(Progress {
        phase: Phase::Validating,
        done: report.total_rows as u64,
        total: estimate(report.total_rows),
    });
}

impl Checker<'_> {
    /// Reads and checks the next batch; `None` at the end of the file.
    async fn next(
        &mut self,
        source: &mut super::table::Source,
    ) -> Result<Option<Checked>, StoreError> {
        match source.next_batch().await? {
            Some(batch) => self.check(&batch).await.map(Some),
            None => Ok(None),
        }
    }

    /// Parses a batch, then asks the database about its persons and certificates.
    async fn check(&mut self, batch: &[Row]) -> Result<Checked, StoreError> {
        let (db, opts) = (self.db, self.opts);
        let mut checked: Vec<(RowCheck<'_>, Option<Certificate>)> = Vec::with_capacity(batch.len());
        for row in batch {
            let mut ck = RowCheck::new(row, self.cols);
            let cert = parse(&mut ck, self.keys, self.policy, opts, &mut self.seen);
            checked.push((ck, cert));
        }
        let blinds: Vec<[u8; 32]> = checked
            .iter()
            .filter_map(|(_, c)| c.as_ref().map(|c| c.blind))
            .collect();
        self.holders.load(db, &blinds).await?;
        let providers: Vec<Option<(String, &str)>> = checked
            .iter()
            .map(|(_, c)| c.as_ref().map(|c| (c.provider(), c.number.as_str())))
            .collect();
        let keys: Vec<(Option<&str>, &str)> = providers
            .iter()
            .flatten()
            .map(|(p, n)| (Some(p.as_str()), *n))
            .collect();
        let existing: HashMap<(String, String), RecordRow> =
            lookup::records_by_certificates(db, &keys)
                .await?
                .into_iter()
                .filter_map(|r| Some(((r.provider.clone()?, r.certificate_no.clone()?), r)))
                .collect();
        let mut out = Checked {
            rows: batch.len(),
            rejected: Vec::new(),
            present: Vec::new(),
            good: Vec::with_capacity(batch.len()),
        };
        // A person's record with the label of a certificate but not its number would refuse the
        // insert: find those too.
        let mut new_labels: Vec<(i64, String)> = Vec::new();
        let mut verdicts: Vec<(usize, NewRecord)> = Vec::with_capacity(checked.len());
        for (ck, cert) in &mut checked {
            let Some(cert) = cert else { continue };
            let Some(holder) = check_holder(ck, &self.holders, &cert.blind, &cert.name, (ID, NAME))
            else {
                continue;
            };
            let record = cert.record(holder.id, opts);
            match existing.get(&(cert.provider(), cert.number.clone())) {
                Some(old) => {
                    let diff = differences(old, &record);
                    if diff.is_empty() {
                        out.present.push(ck.number());
                    } else if old.person_id != holder.id {
                        ck.err(
                            CERTIFICATE,
                            "record.certificate_duplicate",
                            "该基地的此证书编号已登记在另一人员名下",
                        );
                    } else {
                        ck.err(
                            CERTIFICATE,
                            "import.conflict",
                            format!(
                                "该证书已登记，但{}与已登记的不同；已登记的记录不能修改，更正请作废后重新登记",
                                diff.join("、")
                            ),
                        );
                    }
                }
                None => {
                    new_labels.push((holder.id, record.record.id.clone()));
                    verdicts.push((ck.number(), record));
                }
            }
        }
        let pairs: Vec<(i64, &str)> = new_labels.iter().map(|(p, l)| (*p, l.as_str())).collect();
        let taken: HashSet<(i64, String)> = lookup::records_by_label(db, &pairs)
            .await?
            .into_iter()
            .map(|r| (r.person_id, r.label))
            .collect();
        let mut verdicts = verdicts.into_iter().peekable();
        for (mut ck, _) in checked {
            if let Some((_, record)) = verdicts.next_if(|(n, _)| *n == ck.number()) {
                if taken.contains(&(record.person_id, record.record.id.clone())) {
                    ck.err(
                        CERTIFICATE,
                        "record.label_duplicate",
                        format!("该人员已有记录编号为「{}」的其他记录", record.record.id),
                    );
                } else if ck.ok() {
                    out.good.push((ck.number(), record));
                }
            }
            out.rejected.extend(ck.errors);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;
    use crate::records::person_records;

    const HEADER: &str = "身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果,计入年度\n";

    #[tokio::test]
    async fn a_bom_csv_report_then_again() {
        let w = World::new().await;
        let other = w.add_person("34150219900101123", "李强").await;
        let csv = format!(
            "\u{feff}{HEADER}{a},张晓梅,安徽开放大学,KF2026-0001,专业技术人员职业道德,20,2026-06-20,合格,2026\n\
             {b},李强,2,AD-77,法治素养,10.5,2027/1/15,不合格,2026\n\
             {a},张晓梅,科目四,LG-1,人工智能通识,8,2026-11-02,pass,\n",
            a = w.id_number,
            b = other,
        );
        let path = w.file("report.csv", &csv);
        let mut seen = Vec::new();
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &w.opts(),
            &mut |p| seen.push(p),
        )
        .await
        .unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!((report.total_rows, report.written), (3, 3));
        assert!(
            seen.contains(&Progress {
                phase: Phase::Validating,
                done: 3,
                total: Some(3)
            }),
            "{seen:?}"
        );
        assert!(
            seen.contains(&Progress {
                phase: Phase::Writing,
                done: 3,
                total: Some(3)
            }),
            "{seen:?}"
        );
        let records = person_records(&w.db, w.person).await.unwrap();
        let r = records
            .iter()
            .find(|r| r.row.label == "base:1:KF2026-0001")
            .unwrap();
        assert_eq!(r.row.provider.as_deref(), Some("base:1"));
        assert_eq!(
            (
                r.row.subject.as_str(),
                r.row.form.as_str(),
                r.row.exam.as_str()
            ),
            ("public", "online", "pass")
        );
        assert_eq!(r.row.hours.map(xueshi_domain::Hours::tenths), Some(200));
        assert!(w.ledger_ok().await);

        let mut later = w.opts();
        later.today = date("2027-04-01");
        let again = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &later,
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!((again.written, again.already_present), (0, 3), "{again}");
        assert_eq!(again.present_rows.to_string(), "2–4");
    }

    #[tokio::test]
    async fn an_xlsx_report_with_real_numbers_and_dates() {
        let w = World::new().await;
        let path = w.xlsx(
            "report.xlsx",
            &[
                &[
                    "id_number",
                    "name",
                    "base",
                    "certificate_no",
                    "course",
                    "hours",
                    "completed",
                    "exam",
                ],
                &[
                    &w.id_number,
                    "张晓梅",
                    "科目二",
                    "AD-1",
                    "心理健康",
                    "#n:12.5",
                    "#d:2026-05-06",
                    "合格",
                ],
            ],
        );
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert!(report.is_clean(), "{report}");
        let records = person_records(&w.db, w.person).await.unwrap();
        let r = records
            .iter()
            .find(|r| r.row.label == "base:2:AD-1")
            .unwrap();
        assert_eq!(r.row.completed.to_string(), "2026-05-06");
        assert_eq!(r.row.hours.map(xueshi_domain::Hours::tenths), Some(125));
    }

    #[tokio::test]
    async fn every_bad_row_is_reported_and_nothing_is_written() {
        let w = World::new().await;
        let first = w.file(
            "first.csv",
            &format!(
                "{HEADER}{},张晓梅,1,DB-1,已有课程,10,2026-03-01,合格,\n",
                w.id_number
            ),
        );
        let ok = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &first,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(ok.written, 1);
        let a = &w.id_number;
        let mut bad = a.clone();
        bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
        let csv = format!(
            "{HEADER}{a},张晓梅,1,OK-1,课程,10,2026-03-01,合格,\n\
             {bad},张晓梅,1,X-2,课程,10,2026-03-01,合格,\n\
             {a},张小梅,1,X-3,课程,10,2026-03-01,合格,\n\
             {a},张晓梅,1,X-4,课程,10,2026-02-29,合格,\n\
             {a},张晓梅,1,X-5,课程,-2,2026-03-01,合格,\n\
             {a},张晓梅,1,OK-1,课程,10,2026-03-02,合格,\n\
             {a},张晓梅,1,DB-1,另一课程,10,2026-03-01,合格,\n\
             {a},张晓梅,5,X-8,课程,10,2026-03-01,无,\n\
             {a},张晓梅,1,X-9,课程,10,2028-01-01,合格,\n\
             {a},张晓梅,2,OK-1,课程,10,2026-03-01,合格,\n"
        );
        let path = w.file("bad.csv", &csv);
        let records = w.count("records").await;
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        let got: Vec<(usize, &str, &str)> = report
            .rejected
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (3, "身份证号", "id_number.check_digit"),
                (4, "姓名", "person.name_mismatch"),
                (5, "完成日期", "date.no_such_day"),
                (6, "学时", "hours.negative"),
                (7, "证书编号", "record.certificate_duplicate"),
                (8, "证书编号", "import.conflict"),
                (9, "基地", "import.choice"),
                (9, "考试结果", "import.choice"),
                (10, "完成日期", "date.future"),
            ],
            "{report}"
        );
        assert!(report.rejected[0].message.contains("校验位"));
        assert_eq!((report.total_rows, report.written), (10, 0));
        assert_eq!(w.count("records").await, records, "nothing written");

        let mut keep = w.opts();
        keep.mode = ImportMode::KeepGood;
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &keep,
            &mut |_| {},
        )
        .await
        .unwrap();
        // Row 2 (OK-1 at base 1) and row 11 (OK-1 at base 2: another base, another certificate).
        assert_eq!(report.written_rows.to_string(), "2、11", "{report}");
        assert_eq!(report.rejected_rows(), (3..=10).collect::<Vec<_>>());
        assert_eq!(w.count("records").await, records + 2);
        assert!(w.ledger_ok().await);
    }

    #[tokio::test]
    async fn a_missing_column_and_a_gbk_file() {
        let w = World::new().await;
        let path = w.file(
            "nocol.csv",
            &format!("身份证号,姓名,证书编号,课程名称,学时,完成日期,考试结果\n{},张晓梅,C-1,课,1,2026-01-01,合格\n", w.id_number),
        );
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.rejected.len(), 1);
        assert_eq!(
            report.rejected[0].to_string(),
            "第 1 行，列「基地」：缺少必填列「基地」（英文列名 base） [import.missing_column]"
        );
        let gbk = w.dir.join("gbk.csv");
        // "身份证号,姓名" in GBK.
        std::fs::write(&gbk, b"\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,\xd0\xd5\xc3\xfb\n").unwrap();
        let err = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &gbk,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "import.encoding");
        assert!(err.to_string().contains("不是 UTF-8 编码"), "{err}");
    }

    #[tokio::test]
    async fn a_named_sheet_an_id_stored_as_a_number_and_a_stray_byte() {
        let w = World::new().await;
        let path = w.xlsx(
            "sheet.xlsx",
            &[
                &[
                    "身份证号",
                    "姓名",
                    "基地",
                    "证书编号",
                    "课程名称",
                    "学时",
                    "完成日期",
                    "考试结果",
                ],
                &[
                    "#n:341522198506123012",
                    "张晓梅",
                    "1",
                    "N-1",
                    "课",
                    "#n:3",
                    "2026-05-06",
                    "合格",
                ],
            ],
        );
        let mut opts = w.opts();
        opts.sheet = Some("没有这张表".to_owned());
        let err = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &opts,
            &mut |_| {},
        )
        .await
        .unwrap_err();
        assert_eq!(err.code(), "import.sheet");
        assert!(err.to_string().contains("「名单」"), "{err}");
        opts.sheet = Some("名单".to_owned());
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &opts,
            &mut |_| {},
        )
        .await
        .unwrap();
        let codes: Vec<(usize, &str)> = report.rejected.iter().map(|e| (e.row, e.code)).collect();
        assert_eq!(codes, vec![(2, "import.number_precision")], "{report}");

        // The first 64 KiB are checked as a whole; a stray byte further down is the row's problem.
        let mut text = HEADER.to_owned();
        for i in 0..1100 {
            text.push_str(&format!(
                "{},张晓梅,1,E-{i},课程,1,2026-03-01,合格,\n",
                w.id_number
            ));
        }
        let mut bytes = text.into_bytes();
        bytes.extend_from_slice(format!("{},", w.id_number).as_bytes());
        bytes.extend_from_slice(
            b"\xd5\xc5\xcf\xfe\xc3\xb7,1,E-X,\xbf\xce,1,2026-03-01,\xba\xcf\xb8\xf1,\n",
        );
        let path = w.dir.join("stray.csv");
        std::fs::write(&path, bytes).unwrap();
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        let got: Vec<(usize, &str, &str)> = report
            .rejected
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code))
            .collect();
        assert_eq!(
            got,
            vec![
                (1102, "姓名", "import.encoding"),
                (1102, "课程名称", "import.encoding"),
                (1102, "考试结果", "import.encoding"),
            ],
            "{report}"
        );
        assert_eq!(report.written, 0);
    }

    /// A process killed while writing leaves nothing: the import is one transaction. The test
    /// runs itself again as a child process that imports a report and aborts (no unwinding, no
    /// destructors: as `kill -9`) right after its first batch has been written, uncommitted.
    #[tokio::test]
    async fn killed_while_writing_leaves_the_database_as_it_was() {
        const TEST: &str =
            "import::certificates::tests::killed_while_writing_leaves_the_database_as_it_was";
        if let Some(dir) = std::env::var_os("XUESHI_IMPORT_KILL_DIR") {
            // The child: import, and die after the first written batch.
            let dir = std::path::PathBuf::from(dir);
            let db = crate::Db::open(&format!("sqlite://{}", dir.join("t.db").display()))
                .await
                .unwrap();
            let keys = crate::Keys::from_master([42; 32]);
            let signer = crate::LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
            let mut opts = ImportOptions::new("unit:admin", date("2027-02-01"), 1);
            opts.batch_rows = 10;
            let mut die = |p: Progress| {
                if p.phase == Phase::Writing && p.done >= 10 {
                    std::process::abort();
                }
            };
            let path = dir.join("big.csv");
            let _ =
                import_certificates(&db, &keys, &signer, policy(), &path, &opts, &mut die).await;
            panic!("the child should have died while writing");
        }
        let w = World::new().await;
        let mut csv = HEADER.to_owned();
        for i in 0..50 {
            csv.push_str(&format!(
                "{},张晓梅,1,K-{i},课程,1,2026-03-01,合格,\n",
                w.id_number
            ));
        }
        let path = w.file("big.csv", &csv);
        let records = w.count("records").await;
        let checkpoints = w.count("checkpoints").await;
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([TEST, "--exact", "--nocapture"])
            .env("XUESHI_IMPORT_KILL_DIR", &w.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(!status.success(), "the child was to be killed");
        #[cfg(unix)]
        {
            use std::os::unix::process::ExitStatusExt as _;
            assert_eq!(status.signal(), Some(6), "aborted (SIGABRT): {status:?}");
        }
        assert_eq!(w.count("records").await, records, "nothing written");
        assert_eq!(w.count("checkpoints").await, checkpoints);
        assert_eq!(w.count("ledger_entries").await, checkpoints_size(&w).await);
        // The ledger continues cleanly, and the same import now goes through.
        let mut opts = w.opts();
        opts.batch_rows = 10;
        let report = import_certificates(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &path,
            &opts,
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.written, 50);
        assert!(w.ledger_ok().await);
    }

    /// An import's batches share one transaction and one appender: each kept subtree hash is
    /// written once, with the batch completing it (entries 255 and 511 of 600 rows in batches
    /// of 100), on both backends.
    #[tokio::test]
    async fn an_import_writes_each_kept_node_once_with_its_batch() {
        let mut worlds = vec![World::new().await];
        worlds.extend(World::postgres().await);
        for w in worlds {
            let mut csv = HEADER.to_owned();
            for i in 0..600 {
                csv.push_str(&format!(
                    "{},张晓梅,1,N-{i},课程,1,2026-03-01,合格,\n",
                    w.id_number
                ));
            }
            let path = w.file("nodes.csv", &csv);
            let mut opts = w.opts();
            opts.batch_rows = 100;
            let report = import_certificates(
                &w.db,
                &w.keys,
                &w.signer,
                policy(),
                &path,
                &opts,
                &mut |_| {},
            )
            .await
            .unwrap();
            assert_eq!(report.written, 600, "{report}");
            let entries = w.count("ledger_entries").await;
            assert!(entries >= 600);
            assert_eq!(w.count("ledger_nodes").await, entries / 256);
            assert!(w.ledger_ok().await);
            w.done().await;
        }
    }

    async fn checkpoints_size(w: &World) -> i64 {
        crate::on_db!(&w.db, p => sqlx::query_scalar("SELECT COALESCE(MAX(size), 0) FROM checkpoints").fetch_one(p).await.unwrap())
    }
}
