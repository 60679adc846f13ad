//! Units (用人单位). Columns:
//!
//! | column | key | |
//! |---|---|---|
//! | 统一社会信用代码 | `credit_code` | required, GB 32100 check character |
//! | 单位名称 | `name` | required |
//! | 所在地区 | `region` | 6-digit GB/T 2260 code or its name (`霍邱县`); may be left empty for a zone unit |
//! | 开发区 | `zone` | a development zone of the policy, by name |
//! | 行业 | `industry` | required |
//! | 单位类型 | `kind` | 企业, 事业单位, 社会组织, 非公单位, 国有企业 (or `enterprise` …) |
//!
//! Present already: same credit code with the same name, region, zone, industry and kind. The
//! same credit code with anything else is an error row (an import never changes a unit).

use std::collections::HashMap;
use std::path::Path;

use xueshi_domain::RegionCode;
use xueshi_domain::region::named;

use super::fields::{Col, RowCheck, missing_column, read_all, unit_kind, validating};
use super::lookup;
use super::table::Row;
use super::{ImportKind, ImportOptions, ImportReport, Phase, Progress, ProgressFn};
use crate::db::Db;
use crate::error::StoreError;
use crate::in_tx;
use crate::people::{NewUnit, UnitKind};

const CREDIT_CODE: usize = 0;
const NAME: usize = 1;
const REGION: usize = 2;
const ZONE: usize = 3;
const INDUSTRY: usize = 4;
const KIND: usize = 5;

static COLUMNS: [Col; 6] = [
    Col {
        key: "credit_code",
        zh: "统一社会信用代码",
        aliases: &["信用代码", "社会信用代码", "单位统一社会信用代码"],
        required: true,
    },
    Col {
        key: "name",
        zh: "单位名称",
        aliases: &["名称", "单位"],
        required: true,
    },
    Col {
        key: "region",
        zh: "所在地区",
        aliases: &["地区", "所在县区", "行政区划", "行政区划代码", "地区代码"],
        required: false,
    },
    Col {
        key: "zone",
        zh: "开发区",
        aliases: &["所在开发区", "园区"],
        required: false,
    },
    Col {
        key: "industry",
        zh: "行业",
        aliases: &["所属行业"],
        required: true,
    },
    Col {
        key: "kind",
        zh: "单位类型",
        aliases: &["单位性质", "类型"],
        required: true,
    },
];

/// Imports units; see the module documentation for the columns.
pub async fn import_units(
    db: &Db,
    path: &Path,
    opts: &ImportOptions,
    progress: ProgressFn<'_>,
) -> Result<ImportReport, StoreError> {
    let mut report = ImportReport::new(ImportKind::Units, opts);
    let Some((cols, rows)) = read_all(path, opts, &COLUMNS, &mut report, progress).await? else {
        return Ok(report);
    };
    let by_number: HashMap<usize, &Row> = rows.iter().map(|r| (r.number, r)).collect();
    if !cols.has(REGION) && !cols.has(ZONE) {
        report.reject([missing_column(cols.header_row, &COLUMNS[REGION])]);
        return Ok(report);
    }
    let zones = lookup::zones(db).await?;
    let regions = lookup::regions(db).await?;

    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut candidates: Vec<(usize, NewUnit)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let mut ck = RowCheck::new(row, &cols);
        let code = ck.credit_code(CREDIT_CODE);
        if let Some(code) = &code {
            if let Some(first) = seen.get(code.as_str()) {
                ck.err(
                    CREDIT_CODE,
                    "import.duplicate_in_file",
                    format!("与第 {first} 行的统一社会信用代码重复"),
                );
            } else {
                seen.insert(code.as_str().to_owned(), row.number);
            }
        }
        let name = ck.text(NAME, true, 200);
        let industry = ck.text(INDUSTRY, true, 100);
        let kind = ck.choice(KIND, true, unit_kind, super::fields::UNIT_KINDS);
        let place = place(&mut ck, &zones, &regions);
        if let (
            true,
            Some(credit_code),
            Some(name),
            Some(industry),
            Some(kind),
            Some((region, zone_id)),
        ) = (ck.ok(), code, name, industry, kind, place)
        {
            candidates.push((
                row.number,
                NewUnit {
                    credit_code,
                    name,
                    region,
                    zone_id,
                    industry,
                    kind,
                },
            ));
        }
        report.reject(ck.errors);
        validating(progress, i + 1, rows.len());
    }

    let codes: Vec<String> = candidates
        .iter()
        .map(|(_, u)| u.credit_code.as_str().to_owned())
        .collect();
    let existing = lookup::units_by_code(db, &codes).await?;
    let mut to_write = Vec::new();
    for (number, unit) in candidates {
        let Some(known) = existing.get(unit.credit_code.as_str()) else {
            to_write.push((number, unit));
            continue;
        };
        let Some(&row) = by_number.get(&number) else {
            continue;
        };
        let mut ck = RowCheck::new(row, &cols);
        compare(&mut ck, known, &unit);
        if ck.ok() {
            report.mark_present(number);
        }
        report.reject(ck.errors);
    }
    report.finish();
    if !report.may_write() || to_write.is_empty() {
        return Ok(report);
    }

    let total = to_write.len() as u64;
    in_tx!(db, tx => {
        for (done, (_, unit)) in to_write.iter().enumerate() {
            crate::people::insert_unit_row!(&mut **tx, unit, opts.now_ms);
            progress(Progress { phase: Phase::Writing, done: done as u64 + 1, total: Some(total) });
        }
        Ok::<(), StoreError>(())
    })?;
    for (number, _) in &to_write {
        report.mark_written(*number);
    }
    Ok(report)
}

/// The unit's region and zone: a region (code or name), a zone, or both (the region inside the
/// zone's city); a zone alone places the unit in the zone's city.
fn place(
    ck: &mut RowCheck<'_>,
    zones: &HashMap<String, (i64, i64)>,
    regions: &std::collections::HashSet<i64>,
) -> Option<(RegionCode, Option<i64>)> {
    let region_text = ck.get(REGION);
    let zone_text = ck.get(ZONE);
    let region = match region_text {
        None => None,
        Some(text) => {
            let parsed = if text.bytes().all(|b| b.is_ascii_digit()) {
                RegionCode::parse(text).map_err(|e| (e.code(), e.to_string()))
            } else {
                named().find(|(_, n)| *n == text).map(|(c, _)| c).ok_or((
                    "region.unknown",
                    format!("「{text}」不是已知的地区名称：请填写6位行政区划代码"),
                ))
            };
            match parsed {
                Ok(r) if regions.contains(&i64::from(r.as_u32())) => Some(r),
                Ok(_) => {
                    ck.err(REGION, "region.unknown", "该行政区划尚未录入系统");
                    return None;
                }
                Err((code, message)) => {
                    ck.err(REGION, code, message);
                    return None;
                }
            }
        }
    };
    let zone = match zone_text {
        None => None,
        Some(name) => match zones.get(name) {
            Some(z) => Some(*z),
            None => {
                let mut known: Vec<&str> = zones.keys().map(String::as_str).collect();
                known.sort_unstable();
                ck.err(
                    ZONE,
                    "zone.unknown",
                    format!("没有名为「{name}」的开发区；现有：{}", known.join("、")),
                );
                return None;
            }
        },
    };
    match (region, zone) {
        (None, None) => {
            ck.err(
                REGION,
                "import.required",
                "须填写所在地区（6位行政区划代码）或开发区",
            );
            None
        }
        (Some(r), None) => Some((r, None)),
        (None, Some((id, city))) => {
            let city = u32::try_from(city)
                .ok()
                .and_then(|c| RegionCode::from_u32(c).ok());
            match city {
                Some(c) => Some((c, Some(id))),
                None => {
                    ck.err(ZONE, "store.corrupt", "开发区所属城市无效");
                    None
                }
            }
        }
        (Some(r), Some((id, city))) => {
            if i64::from(r.city().as_u32()) == city {
                Some((r, Some(id)))
            } else {
                ck.err(REGION, "zone.region", "所在地区不在该开发区所属城市内");
                None
            }
        }
    }
}

fn kind_zh(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::Enterprise => "企业",
        UnitKind::Institution => "事业单位",
        UnitKind::SocialOrg => "社会组织",
        UnitKind::NonPublic => "非公单位",
        UnitKind::StateOwned => "国有企业",
    }
}

fn compare(ck: &mut RowCheck<'_>, known: &lookup::KnownUnit, unit: &NewUnit) {
    let conflict = |ck: &mut RowCheck<'_>, k: usize, old: &str| {
        ck.err(
            k,
            "import.conflict",
            format!("该统一社会信用代码的单位已登记，但本列与已登记的「{old}」不一致；导入不修改已有单位"),
        );
    };
    if known.name != unit.name {
        conflict(ck, NAME, &known.name);
    }
    if known.region != i64::from(unit.region.as_u32()) {
        conflict(ck, REGION, &format!("{:06}", known.region));
    }
    if known.zone_id != unit.zone_id {
        conflict(
            ck,
            ZONE,
            &known
                .zone_id
                .map_or_else(|| "无".to_owned(), |z| format!("开发区 #{z}")),
        );
    }
    if known.industry != unit.industry {
        conflict(ck, INDUSTRY, &known.industry);
    }
    if known.kind != unit.kind.as_str() {
        let old = UnitKind::parse(&known.kind).map_or("", kind_zh);
        conflict(ck, KIND, old);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testkit::*;
    use super::super::*;

    const HEADER: &str = "统一社会信用代码,单位名称,所在地区,开发区,行业,单位类型\n";

    #[tokio::test]
    async fn units_from_csv_and_xlsx_and_again() {
        let w = World::new().await;
        let path = w.file(
            "units.csv",
            &format!(
                "{HEADER}{},霍邱县第二人民医院,341522,,卫生健康,事业单位\n{},六安经开区某公司,,六安经济技术开发区,制造业,企业\n",
                credit("12341522MB0000002"),
                credit("91341500MA0000003"),
            ),
        );
        let report = import_units(&w.db, &path, &w.opts(), &mut |_| {})
            .await
            .unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!((report.total_rows, report.written), (2, 2));
        let again = import_units(&w.db, &path, &w.opts(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!((again.written, again.already_present), (0, 2), "{again}");

        let xlsx = w.xlsx(
            "units.xlsx",
            &[
                &["credit_code", "name", "region", "industry", "kind"],
                &[
                    &credit("91341502MA0000004"),
                    "金安区某企业",
                    "金安区",
                    "建筑业",
                    "enterprise",
                ],
            ],
        );
        let report = import_units(&w.db, &xlsx, &w.opts(), &mut |_| {})
            .await
            .unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.written, 1);
        assert_eq!(w.count("units").await, 4);
    }

    #[tokio::test]
    async fn a_changed_unit_is_a_conflict_and_bad_codes_are_reported() {
        let w = World::new().await;
        let mut wrong_check = credit("12341522MB0000005");
        let last = if wrong_check.ends_with('0') { "1" } else { "0" };
        wrong_check.replace_range(17.., last);
        let path = w.file(
            "units.csv",
            &format!(
                "{HEADER}{},霍邱县第一人民医院（改名）,341522,,卫生健康,事业单位\n{},某单位,341522,,卫生健康,事业单位\n{},某单位,349999,,卫生健康,学校\n",
                w.unit_code.as_str(),
                wrong_check,
                credit("12341522MB0000009"),
            ),
        );
        let report = import_units(&w.db, &path, &w.opts(), &mut |_| {})
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
                (2, "单位名称", "import.conflict"),
                (3, "统一社会信用代码", "credit_code.check_char"),
                (4, "单位类型", "import.choice"),
                (4, "所在地区", "region.unknown"),
            ],
            "{report}"
        );
        assert_eq!(report.written, 0);
        assert_eq!(w.count("units").await, 1);
    }
}
