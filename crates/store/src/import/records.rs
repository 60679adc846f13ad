//! Learning records (D1), as a unit keeps them for its staff. Columns:
//!
//! | column | key | |
//! |---|---|---|
//! | 身份证号 | `id_number` | required; the person must be registered |
//! | 姓名 | `name` | required; must be the ID holder's registered name |
//! | 记录编号 | `label` | required, unique per person |
//! | 内容 | `content` | required (培训内容) |
//! | 科目 | `subject` | required: 专业科目 / 公需科目 (`professional` / `public`) |
//! | 形式 | `form` | required: 1–8, the forms' Chinese names (培训班, 网络学习, 学时折算 …) or keys |
//! | 提供单位 | `provider` | a base (1–4, 科目一, 安徽开放大学), a recognised kind (人社部门 …) or a registered provider's name |
//! | 开始日期 | `started` | optional |
//! | 完成日期 | `completed` | required, not after today |
//! | 学时 / 分钟 | `hours` / `minutes` | one of them (tenths of hours; whole minutes), except a conversion with its kind |
//! | 考试 | `exam` | 合格 / 不合格 / 无 (default 无) |
//! | 计入年度 | `for_year` | public records only: the completion year, or the year before within its public deadline (D5) |
//! | 备案号 | `filing` | the training filing's number (D8) |
//! | 折算类别 | `conversion` | a key of the year's conversion table (D9) |
//! | 成果编号 | `achievement` | the converted achievement's identifier (D21) |
//! | 证书编号 | `certificate_no` | unique per provider |
//! | 登记日期 | `registered_on` | default: today |
//!
//! Written with one [`crate::records::register`] call: one transaction with its ledger entries
//! and one signed checkpoint. Present already: the person has the label with the same content
//! (the registration date and actor are not compared: a re-import on another day is the same
//! record). A voided record still counts as present: corrections are `record void`'s business.

use std::collections::HashMap;
use std::path::Path;

use xueshi_domain::Date;
use xueshi_domain::id_number::IdNumber;
use xueshi_policy::Policy;
use xueshi_policy::input::{Amount, Exam, Form, Provider, Record, Subject};

use super::fields::{
    Col, EXAMS, FORMS, RowCheck, SUBJECTS, exam, form, missing_column, provider, read_all, subject,
    validating,
};
use super::lookup::{self, Holder, Holders};
use super::persons::{ID_COLUMN, NAME_COLUMN};
use super::table::Row;
use super::{ImportKind, ImportOptions, ImportReport, Phase, Progress, ProgressFn};
use crate::db::Db;
use crate::entries::{RecordRow, provider_text};
use crate::error::StoreError;
use crate::keys::Keys;
use crate::ledger::LedgerSigner;
use crate::records::{NewRecord, register_audited};

const ID: usize = 0;
const NAME: usize = 1;
const LABEL: usize = 2;
const CONTENT: usize = 3;
const SUBJECT: usize = 4;
const FORM: usize = 5;
const PROVIDER: usize = 6;
const STARTED: usize = 7;
const COMPLETED: usize = 8;
const HOURS: usize = 9;
const MINUTES: usize = 10;
const EXAM: usize = 11;
const FOR_YEAR: usize = 12;
const FILING: usize = 13;
const CONVERSION: usize = 14;
const ACHIEVEMENT: usize = 15;
const CERTIFICATE: usize = 16;
const REGISTERED: usize = 17;

const fn optional(key: &'static str, zh: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        key,
        zh,
        aliases,
        required: false,
    }
}

const fn required(key: &'static str, zh: &'static str, aliases: &'static [&'static str]) -> Col {
    Col {
        key,
        zh,
        aliases,
        required: true,
    }
}

static COLUMNS: [Col; 18] = [
    ID_COLUMN,
    NAME_COLUMN,
    required("label", "记录编号", &["编号", "记录号"]),
    required("content", "内容", &["培训内容", "学习内容", "项目名称"]),
    required("subject", "科目", &["科目类别", "科目类型"]),
    required("form", "形式", &["学习形式", "继续教育形式", "方式"]),
    optional(
        "provider",
        "提供单位",
        &["培训机构", "举办单位", "主办单位", "课件提供单位"],
    ),
    optional("started", "开始日期", &["开始时间", "起始日期"]),
    required(
        "completed",
        "完成日期",
        &["完成时间", "结束日期", "结业日期"],
    ),
    optional("hours", "学时", &["学时数", "获得学时"]),
    optional("minutes", "分钟", &["分钟数", "学习分钟数"]),
    optional("exam", "考试", &["考试结果", "考核结果", "考核"]),
    optional("for_year", "计入年度", &["学时计入年度"]),
    optional("filing", "备案号", &["备案编号", "培训备案号"]),
    optional("conversion", "折算类别", &["折算类型", "成果类别"]),
    optional("achievement", "成果编号", &["成果号", "专利号"]),
    optional("certificate_no", "证书编号", &["证书号", "合格证书编号"]),
    optional("registered_on", "登记日期", &["登记时间"]),
];

/// Name check of a row against the ID holder: `person.not_found` or `person.name_mismatch`.
pub(super) fn check_holder<'h>(
    ck: &mut RowCheck<'_>,
    holders: &'h Holders,
    blind: &[u8; 32],
    name: &str,
    (id_col, name_col): (usize, usize),
) -> Option<&'h Holder> {
    match holders.get(blind) {
        None => {
            ck.err(
                id_col,
                "person.not_found",
                "系统中没有该身份证号的人员：请先导入人员",
            );
            None
        }
        Some(h) if &*h.name != name => {
            ck.err(
                name_col,
                "person.name_mismatch",
                "姓名与该身份证号已登记的人员姓名不一致",
            );
            None
        }
        Some(h) => Some(h),
    }
}

pub(super) fn blind(keys: &Keys, id: &IdNumber) -> [u8; 32] {
    let b = keys.blind_index("id_number", id.expose());
    <[u8; 32]>::try_from(b.as_slice()).unwrap_or([0; 32])
}

/// The fields of a stored record that differ from a record to write (Chinese names).
pub(super) fn differences(old: &RecordRow, new: &NewRecord) -> Vec<&'static str> {
    let r = &new.record;
    let (hours, minutes) = match r.amount {
        Some(Amount::Hours(h)) => (Some(h), None),
        Some(Amount::Minutes(m)) => (None, Some(m)),
        None => (None, None),
    };
    let checks = [
        (old.person_id != new.person_id, "人员"),
        (old.content != new.content, "内容"),
        (old.subject != r.subject, "科目"),
        (old.form != r.form, "形式"),
        (
            old.provider.as_deref() != r.provider.as_ref().map(provider_text).as_deref(),
            "提供单位",
        ),
        (old.started != r.started, "开始日期"),
        (old.completed != r.completed, "完成日期"),
        (old.hours != hours || old.minutes != minutes, "学时"),
        (old.exam != r.exam, "考试"),
        (old.for_year != r.for_year, "计入年度"),
        (old.filing != r.filing, "备案号"),
        (old.conversion != r.conversion, "折算类别"),
        (old.achievement != r.achievement, "成果编号"),
        (old.certificate_no != new.certificate_no, "证书编号"),
    ];
    checks
        .into_iter()
        .filter_map(|(differs, name)| differs.then_some(name))
        .collect()
}

/// D5: a public record may say it counts for the year before its completion, when completed
/// by that year's public deadline.
pub(super) fn check_for_year(
    ck: &mut RowCheck<'_>,
    policy: &Policy,
    col: usize,
    for_year: i32,
    completed: Date,
) {
    let done = completed.year();
    if for_year != done && for_year != done - 1 {
        ck.err(
            col,
            "record.for_year",
            format!("计入年度须为完成日期所在年度（{done}）或其上一年度"),
        );
        return;
    }
    if for_year == done - 1
        && let Some(deadline) = policy.year(for_year).map(|y| y.public_deadline.value)
        && completed > deadline
    {
        ck.err(
            col,
            "record.for_year",
            format!("计入 {for_year} 年度的公需科目须在 {deadline} 前完成"),
        );
    }
}

/// A unit registering through the service registers today, in a year still open (D11), as
/// the API's registration does.
fn check_open(
    ck: &mut RowCheck<'_>,
    policy: &Policy,
    opts: &ImportOptions,
    registered: Option<Date>,
    for_year: Option<i32>,
    completed: Date,
) {
    if registered.is_some_and(|r| r != opts.today) {
        ck.err(
            REGISTERED,
            "record.registered_on",
            "在线导入的登记日期即导入当天，请留空",
        );
    }
    let year = for_year.unwrap_or_else(|| completed.year());
    let col = if for_year.is_some() {
        FOR_YEAR
    } else {
        COMPLETED
    };
    match policy.year(year) {
        None => ck.err(
            col,
            "record.year",
            format!("{year} 年度没有学时政策，不能登记"),
        ),
        Some(yp) if opts.today > yp.registration_deadline.value => ck.err(
            col,
            "registration.closed",
            format!(
                "{year} 年度学时登记已于 {} 截止（{}）",
                yp.registration_deadline.value, yp.registration_deadline.cite
            ),
        ),
        Some(_) => {}
    }
}

/// A row parsed and checked on its own (before the database is asked).
#[derive(Debug)]
struct Parsed {
    number: usize,
    blind: [u8; 32],
    name: String,
    record: NewRecord,
}

/// Imports learning records; see the module documentation for the columns.
#[allow(clippy::too_many_arguments)]
pub async fn import_records(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    policy: &Policy,
    path: &Path,
    opts: &ImportOptions,
    progress: ProgressFn<'_>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::new(ImportKind::Records, opts);
    let Some((cols, rows)) = read_all(path, opts, &COLUMNS, &mut report, progress).await? else {
        return Ok(report);
    };
    let by_number: HashMap<usize, &Row> = rows.iter().map(|r| (r.number, r)).collect();
    if !cols.has(HOURS) && !cols.has(MINUTES) {
        report.reject([missing_column(cols.header_row, &COLUMNS[HOURS])]);
        return Ok(report);
    }

    let mut labels: HashMap<([u8; 32], String), usize> = HashMap::new();
    let mut certificates: HashMap<(Option<String>, String), usize> = HashMap::new();
    let mut parsed: Vec<Parsed> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut ck = RowCheck::new(row, &cols);
        if let Some(p) = parse(&mut ck, keys, policy, opts) {
            let label_key = (p.blind, p.record.record.id.clone());
            if let Some(first) = labels.get(&label_key) {
                ck.err(
                    LABEL,
                    "record.label_duplicate",
                    format!("与第 {first} 行是同一人员的同一记录编号"),
                );
            } else {
                labels.insert(label_key, row.number);
            }
            if let Some(no) = &p.record.certificate_no {
                let key = (
                    p.record.record.provider.as_ref().map(provider_text),
                    no.clone(),
                );
                if let Some(first) = certificates.get(&key) {
                    ck.err(
                        CERTIFICATE,
                        "record.certificate_duplicate",
                        format!("与第 {first} 行的证书编号重复"),
                    );
                } else {
                    certificates.insert(key, row.number);
                }
            }
            if ck.ok() {
                parsed.push(p);
            }
        }
        report.reject(ck.errors);
        validating(progress, i + 1, rows.len());
    }

    let mut holders = Holders::default();
    let blinds: Vec<[u8; 32]> = parsed.iter().map(|p| p.blind).collect();
    holders.load(db, &blinds).await?;
    let staff_units = match opts.only_unit {
        Some(_) => {
            let ids: Vec<i64> = parsed
                .iter()
                .filter_map(|p| holders.get(&p.blind).map(|h| h.id))
                .collect();
            lookup::units_on(db, &ids, opts.today).await?
        }
        None => HashMap::new(),
    };
    let mut batch: Vec<(usize, NewRecord)> = Vec::new();
    let mut pending: Vec<(usize, NewRecord)> = Vec::new();
    for mut p in parsed {
        let Some(&row) = by_number.get(&p.number) else {
            continue;
        };
        let mut ck = RowCheck::new(row, &cols);
        if let Some(h) = check_holder(&mut ck, &holders, &p.blind, &p.name, (ID, NAME)) {
            if let Some(unit) = opts.only_unit
                && staff_units.get(&h.id) != Some(&unit)
            {
                ck.err(
                    ID,
                    "person.not_staff",
                    "该人员不是本单位职工，不能为其导入学习记录",
                );
            } else {
                p.record.person_id = h.id;
                pending.push((p.number, p.record));
            }
        }
        report.reject(ck.errors);
    }

    let pairs: Vec<(i64, &str)> = pending
        .iter()
        .map(|(_, n)| (n.person_id, n.record.id.as_str()))
        .collect();
    let by_label: HashMap<(i64, String), RecordRow> = lookup::records_by_label(db, &pairs)
        .await?
        .into_iter()
        .map(|r| ((r.person_id, r.label.clone()), r))
        .collect();
    let providers: Vec<Option<String>> = pending
        .iter()
        .map(|(_, n)| n.record.provider.as_ref().map(provider_text))
        .collect();
    let keys: Vec<(Option<&str>, &str)> = pending
        .iter()
        .zip(&providers)
        .filter_map(|((_, n), p)| Some((p.as_deref(), n.certificate_no.as_deref()?)))
        .collect();
    let by_certificate: HashMap<(Option<String>, String), RecordRow> =
        lookup::records_by_certificates(db, &keys)
            .await?
            .into_iter()
            .filter_map(|r| Some(((r.provider.clone(), r.certificate_no.clone()?), r)))
            .collect();
    for (number, n) in pending {
        let Some(&row) = by_number.get(&number) else {
            continue;
        };
        let mut ck = RowCheck::new(row, &cols);
        let same_label = by_label.get(&(n.person_id, n.record.id.clone()));
        if let Some(old) = same_label {
            let diff = differences(old, &n);
            if diff.is_empty() {
                report.mark_present(number);
            } else {
                ck.err(
                    LABEL,
                    "import.conflict",
                    format!(
                        "该人员已有此记录编号的记录，但{}不同；已登记的记录不能修改，更正请作废后重新登记",
                        diff.join("、")
                    ),
                );
            }
        }
        if let Some(no) = &n.certificate_no {
            let key = (n.record.provider.as_ref().map(provider_text), no.clone());
            if let Some(old) = by_certificate.get(&key)
                && same_label.is_none_or(|s| s.id != old.id)
            {
                ck.err(
                    CERTIFICATE,
                    "record.certificate_duplicate",
                    "该证书编号已登记在另一条记录中",
                );
            }
        }
        if same_label.is_none() && ck.ok() {
            batch.push((number, n));
        }
        report.reject(ck.errors);
    }
    report.finish();
    if !report.may_write() || batch.is_empty() {
        return Ok(report);
    }

    let total = batch.len() as u64;
    progress(Progress {
        phase: Phase::Writing,
        done: 0,
        total: Some(total),
    });
    let (numbers, records): (Vec<usize>, Vec<NewRecord>) = batch.into_iter().unzip();
    let line = opts
        .audit
        .as_ref()
        .map(|l| l.about(format!("{}/rows:{}", l.subject, records.len())));
    register_audited(
        db,
        signer,
        &records,
        opts.now_ms,
        crate::records::Trail::Batch(line.as_ref()),
    )
    .await?;
    progress(Progress {
        phase: Phase::Writing,
        done: total,
        total: Some(total),
    });
    for number in numbers {
        report.mark_written(number);
    }
    Ok(report)
}

/// Parses and checks a row on its own; `None` if some field is missing or invalid.
fn parse(
    ck: &mut RowCheck<'_>,
    keys: &Keys,
    policy: &Policy,
    opts: &ImportOptions,
) -> Option<Parsed> {
    let id_number = ck.id_number(ID);
    let name = ck.name(NAME);
    let label = ck.identifier(LABEL, "记录编号", true);
    let content = ck.text(CONTENT, true, 500);
    let subject = ck.choice(SUBJECT, true, subject, SUBJECTS);
    let form = ck.choice(FORM, true, form, FORMS);
    let provider: Option<Provider> = ck.text(PROVIDER, false, 200).map(|p| provider(policy, &p));
    let started = ck.date(STARTED, false);
    let completed = ck.date(COMPLETED, true);
    let hours = ck.hours(HOURS, false);
    let minutes = ck.minutes(MINUTES);
    let exam = ck.choice(EXAM, false, exam, EXAMS).unwrap_or(Exam::None);
    let for_year = ck.year(FOR_YEAR);
    let filing = ck.text(FILING, false, 100);
    let conversion = ck.text(CONVERSION, false, 100);
    let achievement = ck.text(ACHIEVEMENT, false, 200);
    let certificate_no = ck.identifier(CERTIFICATE, "证书编号", false);
    let registered = ck.date(REGISTERED, false);

    let amount = match (hours, minutes) {
        (Some(_), Some(_)) => {
            ck.err(MINUTES, "record.amount", "学时和分钟只能填写一项");
            None
        }
        (Some(h), None) => Some(Amount::Hours(h)),
        (None, Some(m)) => Some(Amount::Minutes(m)),
        (None, None) => None,
    };
    if let (Some(p), Some(f)) = (&provider, form)
        && !p.fits(f)
    {
        ck.err(PROVIDER, "record.provider", p.misfit(f));
    }
    let is_conversion = form == Some(Form::Conversion);
    if hours.is_none()
        && minutes.is_none()
        && !(is_conversion && conversion.is_some())
        && !ck
            .errors
            .iter()
            .any(|e| e.code.starts_with("hours.") || e.code.starts_with("minutes."))
    {
        ck.err(
            HOURS,
            "record.hours",
            "须填写学时或分钟数（学时折算认定可只填折算类别）",
        );
    }
    if let Some(kind) = &conversion {
        if form.is_some() && !is_conversion {
            ck.err(
                CONVERSION,
                "record.conversion",
                "折算类别只适用于学习形式「学时折算认定」",
            );
        } else if let Some(table) = completed
            .and_then(|c| policy.year(c.year()))
            .and_then(|y| y.conversion.as_ref())
            && table.kind(kind).is_none()
        {
            ck.err(
                CONVERSION,
                "conversion.unknown",
                format!("「{kind}」不是该年度折算表中的类别"),
            );
        }
    }
    if let Some(completed) = completed {
        if completed > opts.today {
            ck.err(COMPLETED, "date.future", "完成日期晚于今天");
        }
        if started.is_some_and(|s| s > completed) {
            ck.err(STARTED, "record.dates", "开始日期晚于完成日期");
        }
        if let Some(r) = registered {
            if r < completed {
                ck.err(
                    REGISTERED,
                    "record.not_completed",
                    "登记日期早于完成日期：学习结束后方可登记",
                );
            }
            if r > opts.today {
                ck.err(REGISTERED, "date.future", "登记日期晚于今天");
            }
        }
        if opts.only_unit.is_some() {
            check_open(ck, policy, opts, registered, for_year, completed);
        }
        if let Some(y) = for_year {
            if subject == Some(Subject::Professional) {
                ck.err(FOR_YEAR, "record.for_year", "只有公需科目可以注明计入年度");
            } else {
                check_for_year(ck, policy, FOR_YEAR, y, completed);
            }
        }
    }

    let (id_number, name, label, content, subject, form, completed) = (
        id_number?, name?, label?, content?, subject?, form?, completed?,
    );
    if !ck.ok() {
        return None;
    }
    Some(Parsed {
        number: ck.number(),
        blind: blind(keys, &id_number),
        name,
        record: NewRecord {
            person_id: 0,
            record: Record {
                id: label,
                subject,
                form,
                provider,
                started,
                completed,
                amount,
                exam,
                for_year,
                filing,
                conversion,
                achievement,
                registered: None,
            },
            content,
            certificate_no,
            evidence: None,
            registered_on: registered.unwrap_or(opts.today),
            actor: opts.actor.clone(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;
    use crate::records::person_records;

    const HEADER: &str = "身份证号,姓名,记录编号,内容,科目,形式,提供单位,开始日期,完成日期,学时,分钟,考试,计入年度,备案号,证书编号\n";

    #[tokio::test]
    async fn records_from_csv_and_xlsx_then_again() {
        let w = World::new().await;
        let csv = format!(
            "{HEADER}{id},张晓梅,R-001,急诊医学新进展,专业科目,培训班,,2026-03-02,2026-03-11,60,,无,,六人社培备〔2026〕7号,\n\
             {id},张晓梅,R-002,公需课程,公需科目,网络学习,皖江在线学院,,2026-07-01,,450,,,,\n\
             {id},张晓梅,R-003,科目一,公需科目,3,安徽开放大学,,2027-01-20,20,,合格,2026,,ZS-1\n",
            id = w.id_number
        );
        let path = w.file("records.csv", &csv);
        let report = import_records(
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
        assert_eq!(report.written, 3);
        let stored = person_records(&w.db, w.person).await.unwrap();
        let base = stored.iter().find(|r| r.row.label == "R-003").unwrap();
        assert_eq!(base.row.provider.as_deref(), Some("base:1"));
        assert_eq!(base.row.for_year, Some(2026));
        assert_eq!(base.row.certificate_no.as_deref(), Some("ZS-1"));
        let online = stored.iter().find(|r| r.row.label == "R-002").unwrap();
        assert_eq!(online.row.minutes, Some(450));

        // Again, on another day: nothing changes.
        let mut later = w.opts();
        later.today = date("2027-03-01");
        let again = import_records(
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

        let xlsx = w.xlsx(
            "records.xlsx",
            &[
                &[
                    "id_number",
                    "name",
                    "label",
                    "content",
                    "subject",
                    "form",
                    "completed",
                    "hours",
                ],
                &[
                    &w.id_number,
                    "张晓梅",
                    "R-004",
                    "学术会议",
                    "professional",
                    "academic",
                    "2026-09-01",
                    "2.5",
                ],
            ],
        );
        let report = import_records(
            &w.db,
            &w.keys,
            &w.signer,
            policy(),
            &xlsx,
            &w.opts(),
            &mut |_| {},
        )
        .await
        .unwrap();
        assert_eq!(report.written, 1, "{report}");
        assert!(w.ledger_ok().await);
    }

    #[tokio::test]
    async fn every_bad_record_row_is_reported_and_nothing_is_written() {
        let w = World::new().await;
        let id = &w.id_number;
        let mut bad = id.clone();
        bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
        let csv = format!(
            "{HEADER}{id},张晓梅,A,内容,专业科目,培训班,,,2026-03-11,10,,,,,\n\
             {bad},张晓梅,B,内容,专业科目,培训班,,,2026-03-11,10,,,,,\n\
             {id},李四,C,内容,专业科目,培训班,,,2026-03-11,10,,,,,\n\
             {id},张晓梅,D,内容,专业科目,培训班,,,2026-02-30,10,,,,,\n\
             {id},张晓梅,E,内容,专业科目,培训班,,,2026-03-11,-3,,,,,\n\
             {id},张晓梅,F,内容,公需科目,网络学习,安徽大学,,2026-03-11,10,,合格,,,ZS-9\n\
             {id},张晓梅,G,内容,公需科目,网络学习,安徽大学,,2026-03-12,10,,合格,,,ZS-9\n\
             {id},张晓梅,A,内容,专业科目,培训班,,,2026-03-11,10,,,,,\n\
             {id},张晓梅,H,内容,专业科目,培训班,,,2026-03-11,10,30,,2026,,\n"
        );
        let path = w.file("bad.csv", &csv);
        let before = w.count("records").await;
        let report = import_records(
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
                (8, "证书编号", "record.certificate_duplicate"),
                (9, "记录编号", "record.label_duplicate"),
                (10, "分钟", "record.amount"),
                (10, "计入年度", "record.for_year"),
            ],
            "{report}"
        );
        assert_eq!((report.written, report.total_rows), (0, 9));
        assert_eq!(w.count("records").await, before, "nothing written");
        let text = report.to_string();
        assert!(
            text.contains(
                "第 3 行，列「身份证号」：身份证号码校验位不正确 [id_number.check_digit]"
            ),
            "{text}"
        );
        assert!(!text.contains(id.as_str()), "no ID number in a report");

        // Keep the good rows: exactly rows 2 and 7 (F) are written.
        let mut keep = w.opts();
        keep.mode = ImportMode::KeepGood;
        let report = import_records(
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
        assert_eq!(report.written_rows.to_string(), "2、7", "{report}");
        assert_eq!(report.rejected_rows(), vec![3, 4, 5, 6, 8, 9, 10]);
        assert_eq!(w.count("records").await, before + 2);
    }

    #[tokio::test]
    async fn a_missing_column_is_one_error_naming_it() {
        let w = World::new().await;
        let path = w.file(
            "nocol.csv",
            &format!(
                "身份证号,姓名,记录编号,内容,科目,学时\n{},张晓梅,A,x,专业科目,10\n",
                w.id_number
            ),
        );
        let report = import_records(
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
                (1, "形式", "import.missing_column"),
                (1, "完成日期", "import.missing_column"),
            ]
        );
        assert_eq!(report.total_rows, 1);
    }
}
