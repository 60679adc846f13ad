//! Persons (专业技术人员) and their employment. Columns:
//!
//! | column | key | |
//! |---|---|---|
//! | 身份证号 | `id_number` | required, GB 11643 check digit; as text (Excel numbers lose digits) |
//! | 姓名 | `name` | required |
//! | 单位统一社会信用代码 | `unit_credit_code` | required, a unit already imported |
//! | 入职日期 | `employed_from` | required |
//! | 人员类别 | `cohort` | required: 老人 / 新人 (`old` / `new`), D9's transition |
//! | 手机号 | `phone` | optional, 11 digits |
//!
//! The ID number is sealed, found by its blind index and committed to, exactly as
//! [`crate::people::insert_person`] does. A person already registered under the ID number must
//! have the same name (else `person.name_mismatch`), cohort and phone; the row is then present
//! if the employment (unit, start date) is too, or adds a change of unit when it starts after
//! the person's latest employment (the previous one closes the day before).

use std::collections::HashMap;
use std::path::Path;

use xueshi_domain::Date;
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_policy::input::Cohort;

use super::fields::{COHORTS, Col, RowCheck, cohort, phone, read_all, validating};
use super::lookup::{self, KnownPerson};
use super::table::Row;
use super::{ImportKind, ImportOptions, ImportReport, Phase, Progress, ProgressFn};
use crate::db::Db;
use crate::error::StoreError;
use crate::in_tx;
use crate::keys::Keys;
use crate::people::{NewPerson, SealedPerson};

const ID: usize = 0;
const NAME: usize = 1;
const UNIT: usize = 2;
const FROM: usize = 3;
const COHORT: usize = 4;
const PHONE: usize = 5;

pub(crate) const ID_COLUMN: Col = Col {
    key: "id_number",
    zh: "身份证号",
    aliases: &["身份证号码", "公民身份号码", "证件号码", "身份证"],
    required: true,
};

pub(crate) const NAME_COLUMN: Col = Col {
    key: "name",
    zh: "姓名",
    aliases: &["人员姓名"],
    required: true,
};

static COLUMNS: [Col; 6] = [
    ID_COLUMN,
    NAME_COLUMN,
    Col {
        key: "unit_credit_code",
        zh: "单位统一社会信用代码",
        aliases: &["统一社会信用代码", "单位信用代码", "单位代码"],
        required: true,
    },
    Col {
        key: "employed_from",
        zh: "入职日期",
        aliases: &["入职时间", "任职日期", "到岗日期"],
        required: true,
    },
    Col {
        key: "cohort",
        zh: "人员类别",
        aliases: &["新老人员", "类别"],
        required: true,
    },
    Col {
        key: "phone",
        zh: "手机号",
        aliases: &["手机", "手机号码", "联系电话"],
        required: false,
    },
];

#[derive(Debug)]
struct Parsed {
    number: usize,
    id_number: IdNumber,
    blind: Vec<u8>,
    name: String,
    unit: CreditCode,
    from: Date,
    cohort: Cohort,
    phone: Option<String>,
}

enum Write {
    /// A new person and their first employment.
    Create(Parsed, i64),
    /// A known person's change of unit.
    Employ {
        person_id: i64,
        unit_id: i64,
        from: Date,
    },
}

/// Imports persons with their employment; see the module documentation for the columns.
pub async fn import_persons(
    db: &Db,
    keys: &Keys,
    path: &Path,
    opts: &ImportOptions,
    progress: ProgressFn<'_>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::new(ImportKind::Persons, opts);
    let Some((cols, rows)) = read_all(path, opts, &COLUMNS, &mut report, progress).await? else {
        return Ok(report);
    };
    let by_number: HashMap<usize, &Row> = rows.iter().map(|r| (r.number, r)).collect();

    let mut seen: HashMap<Vec<u8>, usize> = HashMap::new();
    let mut parsed = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut ck = RowCheck::new(row, &cols);
        let id_number = ck.id_number(ID);
        let blind = id_number
            .as_ref()
            .map(|id| keys.blind_index("id_number", id.expose()));
        if let Some(blind) = &blind {
            if let Some(first) = seen.get(blind) {
                ck.err(
                    ID,
                    "import.duplicate_in_file",
                    format!("与第 {first} 行的身份证号重复"),
                );
            } else {
                seen.insert(blind.clone(), row.number);
            }
        }
        let name = ck.name(NAME);
        let unit = ck.credit_code(UNIT);
        let from = ck.date(FROM, true);
        let cohort = ck.choice(COHORT, true, cohort, COHORTS);
        let phone = match ck.get(PHONE) {
            None => None,
            Some(text) => {
                let p = phone(text);
                if p.is_none() {
                    ck.err(PHONE, "phone.format", "手机号应为11位数字，以1开头");
                }
                p
            }
        };
        if let (
            true,
            Some(id_number),
            Some(blind),
            Some(name),
            Some(unit),
            Some(from),
            Some(cohort),
        ) = (ck.ok(), id_number, blind, name, unit, from, cohort)
        {
            parsed.push(Parsed {
                number: row.number,
                id_number,
                blind,
                name,
                unit,
                from,
                cohort,
                phone,
            });
        }
        report.reject(ck.errors);
        validating(progress, i + 1, rows.len());
    }

    let blinds: Vec<Vec<u8>> = parsed.iter().map(|p| p.blind.clone()).collect();
    let known = lookup::persons_by_blind(db, &blinds).await?;
    let codes: Vec<String> = parsed.iter().map(|p| p.unit.as_str().to_owned()).collect();
    let units = lookup::units_by_code(db, &codes).await?;
    let known_ids: Vec<i64> = known.values().map(|k| k.id).collect();
    let mut employments: HashMap<i64, Vec<(i64, Date)>> = HashMap::new();
    for (person, unit, from) in lookup::employments(db, &known_ids).await? {
        employments.entry(person).or_default().push((unit, from.0));
    }

    let mut writes: Vec<(usize, Write)> = Vec::new();
    for p in parsed {
        let Some(&row) = by_number.get(&p.number) else {
            continue;
        };
        let mut ck = RowCheck::new(row, &cols);
        let Some(unit) = units.get(p.unit.as_str()) else {
            ck.err(
                UNIT,
                "unit.not_found",
                "该统一社会信用代码的单位尚未登记：请先导入单位",
            );
            report.reject(ck.errors);
            continue;
        };
        let write = match known.get(&p.blind) {
            None => Some(Write::Create(p, unit.id)),
            Some(person) => {
                let jobs = employments.get(&person.id).map_or(&[][..], Vec::as_slice);
                decide_known(&mut ck, keys, person, &p, unit.id, jobs)?
            }
        };
        match write {
            _ if !ck.ok() => report.reject(ck.errors),
            Some(w) => writes.push((row.number, w)),
            None => report.mark_present(row.number),
        }
    }
    report.finish();
    if !report.may_write() || writes.is_empty() {
        return Ok(report);
    }

    // Sealing needs randomness: prepare outside the transaction, so it stays short.
    let mut sealed = Vec::with_capacity(writes.len());
    for (_, w) in &writes {
        sealed.push(match w {
            Write::Create(p, _) => Some(SealedPerson::new(
                keys,
                &NewPerson {
                    id_number: p.id_number.clone(),
                    name: p.name.clone(),
                    cohort: p.cohort,
                    phone: p.phone.clone(),
                },
            )?),
            Write::Employ { .. } => None,
        });
    }
    let total = writes.len() as u64;
    in_tx!(db, tx => {
        for (done, ((_, w), s)) in writes.iter().zip(&sealed).enumerate() {
            let (person_id, unit_id, from) = match (w, s) {
                (Write::Create(p, unit_id), Some(s)) => {
                    let id = crate::people::insert_person_row!(&mut **tx, s, opts.now_ms);
                    (id, *unit_id, p.from)
                }
                (Write::Employ { person_id, unit_id, from }, _) => (*person_id, *unit_id, *from),
                (Write::Create(..), None) => {
                    return Err(StoreError::invalid("store.internal", "缺少人员的加密数据"));
                }
            };
            // A new person has no current employment to close; a known one's is closed here.
            crate::people::employ_rows!(*tx, person_id, unit_id, from);
            progress(Progress { phase: Phase::Writing, done: done as u64 + 1, total: Some(total) });
        }
        Ok::<(), StoreError>(())
    })?;
    for (number, _) in &writes {
        report.mark_written(*number);
    }
    Ok(report)
}

/// A row for a person already registered: errors, present (`None`) or a change of unit.
fn decide_known(
    ck: &mut RowCheck<'_>,
    keys: &Keys,
    person: &KnownPerson,
    p: &Parsed,
    unit_id: i64,
    jobs: &[(i64, Date)],
) -> Result<Option<Write>, StoreError> {
    if person.name != p.name {
        ck.err(
            NAME,
            "person.name_mismatch",
            "姓名与该身份证号已登记的人员姓名不一致",
        );
    }
    if person.cohort != p.cohort.as_str() {
        ck.err(
            COHORT,
            "import.conflict",
            "该人员已登记，人员类别与已登记的不一致；导入不修改已有人员",
        );
    }
    if let Some(phone) = &p.phone {
        let stored = person
            .phone_sealed
            .as_deref()
            .map(|s| keys.open("phone", s))
            .transpose()?;
        if stored.as_deref() != Some(phone.as_str()) {
            ck.err(
                PHONE,
                "import.conflict",
                "该人员已登记，手机号与已登记的不一致；导入不修改已有人员",
            );
        }
    }
    if jobs.iter().any(|&(u, from)| u == unit_id && from == p.from) {
        return Ok(None);
    }
    match jobs.iter().map(|&(_, from)| from).max() {
        Some(latest) if p.from <= latest => {
            ck.err(
                FROM,
                "import.conflict",
                format!("该人员已有自 {latest} 起的任职记录；变更单位的入职日期须晚于它"),
            );
            Ok(None)
        }
        _ => Ok(Some(Write::Employ {
            person_id: person.id,
            unit_id,
            from: p.from,
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;
    use crate::people;

    #[tokio::test]
    async fn persons_from_csv_then_again_then_a_change_of_unit() {
        let w = World::new().await;
        let a = id("34152219900101001");
        let b = id("34150219851231002");
        let csv = format!(
            "身份证号,姓名,单位统一社会信用代码,入职日期,人员类别,手机号\n{a},王芳,{u},2021-09-01,新人,13900000001\n{b},刘伟,{u},2010/7/1,老人,\n",
            u = w.unit_code.as_str()
        );
        let path = w.file("persons.csv", &csv);
        let mut phases = Vec::new();
        let report = import_persons(&w.db, &w.keys, &path, &w.opts(), &mut |p| {
            phases.push(p.phase)
        })
        .await
        .unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.written, 2);
        assert!(phases.contains(&Phase::Validating) && phases.contains(&Phase::Writing));
        let found = people::person_by_id_number(&w.db, &w.keys, &id_number(&a))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.name, "王芳");
        assert_eq!(
            people::reveal_id_number(&w.db, &w.keys, found.id)
                .await
                .unwrap(),
            a
        );

        let again = import_persons(&w.db, &w.keys, &path, &w.opts(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!((again.written, again.already_present), (0, 2), "{again}");

        let other = w.add_unit("91341500MA0000011").await;
        let moved = w.file(
            "moved.csv",
            &format!(
                "身份证号,姓名,单位统一社会信用代码,入职日期,人员类别\n{a},王芳,{},2026-03-01,新人\n",
                other.as_str()
            ),
        );
        let report = import_persons(&w.db, &w.keys, &moved, &w.opts(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(report.written, 1, "{report}");
        let place = people::unit_place_on(&w.db, found.id, date("2026-02-28"))
            .await
            .unwrap();
        assert_eq!(place.unwrap().0.to_string(), "341522");
    }

    #[tokio::test]
    async fn xlsx_persons_and_every_bad_row() {
        let w = World::new().await;
        let good = id("34152219900101003");
        let mut bad_digit = id("34152219900101004");
        bad_digit.replace_range(17.., if bad_digit.ends_with('0') { "1" } else { "0" });
        let u = w.unit_code.as_str().to_owned();
        let path = w.xlsx(
            "persons.xlsx",
            &[
                &["2026年人员名单"],
                &[
                    "*身份证号",
                    "姓名",
                    "单位统一社会信用代码",
                    "入职日期",
                    "人员类别",
                    "序号",
                ],
                &[&good, "赵敏", &u, "2020-01-01", "新人", "1"],
                &[&bad_digit, "钱多", &u, "2020-01-01", "新人", "2"],
                &[&w.id_number, "别人", &u, "2020-01-01", "新人", "3"],
                &[
                    &id("34152219900101005"),
                    "孙立",
                    &credit("91341500MA0000099"),
                    "2020-02-30",
                    "旧人",
                    "4",
                ],
                &[&good, "赵敏", &u, "2020-01-01", "新人", "5"],
            ],
        );
        let report = import_persons(&w.db, &w.keys, &path, &w.opts(), &mut |_| {})
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
                (4, "*身份证号", "id_number.check_digit"),
                (5, "姓名", "person.name_mismatch"),
                (6, "入职日期", "date.no_such_day"),
                (6, "人员类别", "import.choice"),
                (7, "*身份证号", "import.duplicate_in_file"),
            ],
            "{report}"
        );
        assert_eq!(report.ignored_columns, vec!["序号".to_owned()]);
        assert_eq!((report.total_rows, report.written), (5, 0));
        assert_eq!(w.count("persons").await, 1, "nothing written");

        let mut keep = w.opts();
        keep.mode = ImportMode::KeepGood;
        let report = import_persons(&w.db, &w.keys, &path, &keep, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(report.written_rows.to_string(), "3");
        assert_eq!(report.rejected_rows(), vec![4, 5, 6, 7]);
        assert_eq!(w.count("persons").await, 2);
    }
}
