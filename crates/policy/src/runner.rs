//! `xueshi policy test`: runs folders of policy cases and reports, for each case that does not
//! hold, the file, the case and what differed. An invalid case is an error with its line and
//! counts as failed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::annual::Options;
use crate::case::{Case, CaseError, Expect, HoursExpect, PolicySource, parse_case, policy_name};
use crate::decision::{Decision, Evaluation, RecordOutcome, SubjectHours};
use crate::model::Policy;
use crate::rule::{RuleId, RuleSet};

/// How one case file ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// The decision differed from `expect`: one line per difference.
    Failed(Vec<String>),
    /// The case could not be evaluated.
    Invalid(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    pub file: PathBuf,
    pub name: Option<String>,
    pub verdict: Verdict,
}

/// Every `.yaml`/`.yml` file under the given files and folders, sorted, without repeats.
pub fn collect_case_files(paths: &[PathBuf]) -> std::io::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out)?;
            } else if is_case_file(&p) {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{}: 不存在", p.display()),
            ));
        }
    }
    out.dedup();
    Ok(out)
}

fn is_case_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
}

/// Reads and decodes a case file against the policy it names.
pub fn load_case<'p, S: PolicySource>(
    file: &Path,
    policies: &'p S,
) -> Result<(Case, &'p Policy), String> {
    let text = read_case_text(file)?;
    let name = policy_name(&text).map_err(|e| describe(&e))?;
    let policy = policies
        .policy(&name)
        .ok_or_else(|| format!("未知的政策 `{name}`"))?;
    let case = parse_case(&text, policy).map_err(|e| describe(&e))?;
    Ok((case, policy))
}

/// Largest case file read, in bytes: a case is a page of YAML, not a data dump.
pub const MAX_CASE_BYTES: u64 = 1 << 20;

/// Reads a case file: at most [`MAX_CASE_BYTES`], UTF-8, errors in Chinese with the byte
/// offset of the first invalid byte.
pub fn read_case_text(file: &Path) -> Result<String, String> {
    use std::io::Read as _;
    let f = std::fs::File::open(file).map_err(|e| format!("无法读取文件：{}", io_zh(&e)))?;
    let mut bytes = Vec::new();
    f.take(MAX_CASE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("无法读取文件：{}", io_zh(&e)))?;
    if bytes.len() as u64 > MAX_CASE_BYTES {
        return Err(format!(
            "案例文件过大：超过 {} KiB [case.too_large]",
            MAX_CASE_BYTES / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e
            .as_bytes()
            .get(..at)
            .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
            + 1;
        format!("第 {line} 行: 文件不是 UTF-8 编码：第 {at} 字节（从 0 起计）起的字节无效 [case.encoding]")
    })
}

/// A file error in Chinese (the OS's own message is English).
fn io_zh(e: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::NotFound => "文件不存在",
        K::PermissionDenied => "没有读取权限",
        K::IsADirectory => "这是目录，不是文件",
        K::InvalidData => "文件内容无效",
        _ => "读取出错",
    }
}

fn describe(e: &CaseError) -> String {
    e.to_string()
}

/// Runs one case file.
pub fn run_file<S: PolicySource>(file: &Path, policies: &S) -> CaseResult {
    let (case, policy) = match load_case(file, policies) {
        Ok(x) => x,
        Err(e) => {
            return CaseResult {
                file: file.to_owned(),
                name: None,
                verdict: Verdict::Invalid(e),
            };
        }
    };
    let verdict = match case.evaluate(policy, Options::default()) {
        Ok(eval) => {
            let diffs = compare(&case, &eval);
            if diffs.is_empty() {
                Verdict::Passed
            } else {
                Verdict::Failed(diffs)
            }
        }
        Err(e) => Verdict::Invalid(format!("{e} [{}]", e.code())),
    };
    CaseResult {
        file: file.to_owned(),
        name: Some(case.name),
        verdict,
    }
}

/// Runs all case files under `paths`.
pub fn run_paths<S: PolicySource>(
    paths: &[PathBuf],
    policies: &S,
) -> std::io::Result<Vec<CaseResult>> {
    Ok(collect_case_files(paths)?
        .iter()
        .map(|f| run_file(f, policies))
        .collect())
}

/// Every way the decision differs from the case's expectations.
pub fn compare(case: &Case, eval: &Evaluation<'_>) -> Vec<String> {
    let mut diffs = Vec::new();
    let e = &case.expect;
    match &eval.decision {
        Decision::Annual(d) => {
            if let Some(h) = &e.hours {
                check_hours("hours", h, &d.hours, &mut diffs);
            }
            let warnings = d.warnings.iter().map(|w| w.rule).collect();
            check_judged(
                case,
                d.compliant,
                &d.records,
                d.failed(),
                warnings,
                d.unconfirmed,
                &mut diffs,
            );
        }
        Decision::Cycle(d) => {
            for (year, h) in &e.yearly {
                match d.years.iter().find(|y| y.year == *year) {
                    Some(y) => check_hours(&format!("yearly.{year}"), h, &y.hours, &mut diffs),
                    None => diffs.push(format!("yearly.{year}: 周期内没有该年度")),
                }
            }
            let warnings = d.warnings.iter().map(|w| w.rule).collect();
            check_judged(
                case,
                d.compliant,
                &d.records,
                d.failed(),
                warnings,
                d.unconfirmed,
                &mut diffs,
            );
        }
        Decision::Route(d) => {
            if let Some(v) = &e.verifier
                && *v != d.verifier.to_string()
            {
                diffs.push(format!("verifier: 期望 {v}，实际 {}", d.verifier));
            }
            check_rules(
                "unconfirmed",
                Some(&e.unconfirmed),
                d.unconfirmed.iter().collect(),
                false,
                &mut diffs,
            );
        }
    }
    diffs
}

/// What annual and cycle decisions share: compliance, records, failed rules, warnings and
/// unconfirmed values.
fn check_judged(
    case: &Case,
    compliant: bool,
    records: &[RecordOutcome],
    failed: RuleSet,
    warnings: Vec<RuleId>,
    unconfirmed: RuleSet,
    diffs: &mut Vec<String>,
) {
    let e = &case.expect;
    check_compliant(e, compliant, diffs);
    check_records(case, records, diffs);
    check_rules(
        "failed",
        e.failed.as_deref(),
        failed.iter().collect(),
        true,
        diffs,
    );
    check_rules("warnings", Some(&e.warnings), warnings, false, diffs);
    check_rules(
        "unconfirmed",
        Some(&e.unconfirmed),
        unconfirmed.iter().collect(),
        false,
        diffs,
    );
}

fn check_compliant(e: &Expect, actual: bool, diffs: &mut Vec<String>) {
    if let Some(c) = e.compliant
        && c != actual
    {
        diffs.push(format!("compliant: 期望 {c}，实际 {actual}"));
    }
}

fn check_hours(what: &str, expected: &HoursExpect, actual: &SubjectHours, diffs: &mut Vec<String>) {
    let fields = [
        ("total", expected.total, actual.total),
        ("professional", expected.professional, actual.professional),
        ("public", expected.public, actual.public),
    ];
    for (name, want, got) in fields {
        if let Some(want) = want
            && want != got
        {
            diffs.push(format!("{what}.{name}: 期望 {want}，实际 {got}"));
        }
    }
}

fn outcome_text(o: &RecordOutcome) -> String {
    match o.rejected {
        Some(rule) => format!("不予认定（{rule}）"),
        None => format!("认定 {}", o.credited),
    }
}

fn check_records(case: &Case, outcomes: &[RecordOutcome], diffs: &mut Vec<String>) {
    let index: BTreeMap<&str, &RecordOutcome> = case
        .records
        .iter()
        .map(|r| r.id.as_str())
        .zip(outcomes.iter())
        .collect();
    for (id, want) in &case.expect.credited {
        if let Some(o) = index.get(id.as_str())
            && (o.credited != *want || (o.rejected.is_some() && *want > xueshi_domain::Hours::ZERO))
        {
            diffs.push(format!(
                "credited.{id}: 期望认定 {want}，实际{}",
                outcome_text(o)
            ));
        }
    }
    for (id, rule) in &case.expect.rejected {
        if let Some(o) = index.get(id.as_str())
            && o.rejected != Some(*rule)
        {
            diffs.push(format!(
                "rejected.{id}: 期望因 {rule} 不予认定，实际{}",
                outcome_text(o)
            ));
        }
    }
}

/// `exact`: the sets must be equal; otherwise `expected` need only be contained in `actual`.
fn check_rules(
    what: &str,
    expected: Option<&[RuleId]>,
    actual: Vec<RuleId>,
    exact: bool,
    diffs: &mut Vec<String>,
) {
    let Some(expected) = expected else { return };
    let missing: Vec<&str> = expected
        .iter()
        .filter(|r| !actual.contains(r))
        .map(|r| r.as_str())
        .collect();
    let extra: Vec<&str> = if exact {
        actual
            .iter()
            .filter(|r| !expected.contains(r))
            .map(|r| r.as_str())
            .collect()
    } else {
        Vec::new()
    };
    if !missing.is_empty() || !extra.is_empty() {
        let list = |v: &[&str]| {
            if v.is_empty() {
                "无".to_owned()
            } else {
                v.join(", ")
            }
        };
        let actual: Vec<&str> = actual.iter().map(|r| r.as_str()).collect();
        diffs.push(format!(
            "{what}: 缺少 [{}]，多出 [{}]（实际 [{}]）",
            list(&missing),
            list(&extra),
            actual.join(", ")
        ));
    }
}
