//! Loads a policy from its TOML files (embedded at build time, or a directory at run time) and
//! validates it: every value cited, only known rule ids and keys, no overlapping periods, no
//! overlapping transition exceptions, no conversion kind defined twice. Computes the policy hash.
//! Does not evaluate anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use sha2::{Digest, Sha256};
use toml::{Table, Value};
use xueshi_domain::{Date, Hours, RegionCode};

use crate::input::{Cohort, Place, ProviderKind, Subject, TitleLevel};
use crate::model::*;
use crate::rule::RuleId;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_policy.rs"));
}

/// A policy that failed to load: which file, where in it, and why (in Chinese).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    pub file: String,
    pub at: String,
    pub message: String,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.at.is_empty() {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}: {}: {}", self.file, self.at, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

/// Years after the last policy file that are projected from it, so that a title applicant can
/// plan a cycle reaching into years whose notice is not yet published (D22).
pub const PROJECTION_YEARS: i32 = 10;

/// Names of the policies built into the binary.
pub fn embedded_names() -> Vec<&'static str> {
    let names: BTreeSet<&str> = embedded::FILES.iter().map(|(p, _, _)| *p).collect();
    names.into_iter().collect()
}

/// Loads a policy built into the binary (`policy/NAME/*.toml` at build time).
pub fn load_embedded(name: &str) -> Result<Policy, LoadError> {
    let files: Vec<(String, String)> = embedded::FILES
        .iter()
        .filter(|(p, _, _)| *p == name)
        .map(|(_, f, text)| ((*f).to_owned(), (*text).to_owned()))
        .collect();
    if files.is_empty() {
        return Err(LoadError {
            file: name.to_owned(),
            at: String::new(),
            message: format!("没有名为 `{name}` 的内置政策"),
        });
    }
    load_files(name, &files)
}

/// Loads `DIR/NAME/*.toml` at run time: a bureau changes policy without a release.
pub fn load_dir(root: &Path, name: &str) -> Result<Policy, LoadError> {
    let dir = root.join(name);
    let err = |message: String| LoadError {
        file: dir.display().to_string(),
        at: String::new(),
        message,
    };
    let entries = std::fs::read_dir(&dir).map_err(|e| err(format!("无法读取政策目录: {e}")))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| err(format!("无法读取政策目录: {e}")))?
            .path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| err(format!("无法读取 {}: {e}", path.display())))?;
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_owned();
        files.push((file, text));
    }
    if files.is_empty() {
        return Err(err("目录中没有 .toml 政策文件".to_owned()));
    }
    load_files(name, &files)
}

/// Loads a policy from `(file name, text)` pairs.
pub fn load_files(name: &str, files: &[(String, String)]) -> Result<Policy, LoadError> {
    let mut files: Vec<&(String, String)> = files.iter().collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    let mut years = BTreeMap::new();
    let mut exceptions = Vec::new();
    for (file, text) in &files {
        hasher.update([0u8]);
        hasher.update(file.as_bytes());
        hasher.update([0u8]);
        hasher.update((text.len() as u64).to_be_bytes());
        hasher.update(text.as_bytes());
        let (year, mut excs) = parse_file(file, text)?;
        exceptions.append(&mut excs);
        if let Some(other) = years.insert(year.year, year) {
            return Err(LoadError {
                file: (*file).clone(),
                at: "year".to_owned(),
                message: format!("{} 年已由 {} 定义", other.year, other.file),
            });
        }
    }
    let mut years: Vec<YearPolicy> = years.into_values().collect();
    check_periods(&years)?;
    if let Some(last) = years.last().cloned() {
        years.extend((1..=PROJECTION_YEARS).map(|k| last.projected(last.year + k)));
    }
    check_exceptions(&exceptions)?;
    let hash = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Policy {
        name: name.to_owned(),
        years,
        exceptions,
        hash,
    })
}

fn check_periods(years: &[YearPolicy]) -> Result<(), LoadError> {
    for pair in years.windows(2) {
        let [a, b] = pair else { continue };
        if b.year != a.year + 1 {
            return Err(LoadError {
                file: b.file.clone(),
                at: "year".to_owned(),
                message: format!(
                    "年度不连续：{} 之后应为 {}，缺少 {}.toml",
                    a.year,
                    a.year + 1,
                    a.year + 1
                ),
            });
        }
        if b.from <= a.to {
            return Err(LoadError {
                file: b.file.clone(),
                at: "period".to_owned(),
                message: format!("适用期间与 {}（{}–{}）重叠", a.file, a.from, a.to),
            });
        }
    }
    Ok(())
}

fn check_exceptions(exceptions: &[Exception]) -> Result<(), LoadError> {
    for (i, a) in exceptions.iter().enumerate() {
        for b in exceptions.iter().skip(i + 1) {
            if a.rule == b.rule && a.cohort == b.cohort && a.from <= b.to && b.from <= a.to {
                return Err(LoadError {
                    file: String::new(),
                    at: format!("exceptions `{}` / `{}`", a.id, b.id),
                    message: format!(
                        "规则 {} 对 {} 人员的两个过渡例外期间重叠（{}–{} 与 {}–{}）",
                        a.rule,
                        a.cohort.as_str(),
                        a.from,
                        a.to,
                        b.from,
                        b.to
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Reads one table's keys, remembering which were used, so that unknown keys are errors.
struct Fields<'a> {
    file: &'a str,
    at: String,
    table: &'a Table,
    used: BTreeSet<&'a str>,
}

impl<'a> Fields<'a> {
    fn new(file: &'a str, at: String, table: &'a Table) -> Self {
        Self {
            file,
            at,
            table,
            used: BTreeSet::new(),
        }
    }

    fn err(&self, message: String) -> LoadError {
        LoadError {
            file: self.file.to_owned(),
            at: self.at.clone(),
            message,
        }
    }

    fn opt(&mut self, key: &'a str) -> Option<&'a Value> {
        let (k, v) = self.table.get_key_value(key)?;
        self.used.insert(k.as_str());
        Some(v)
    }

    fn req(&mut self, key: &'a str) -> Result<&'a Value, LoadError> {
        self.opt(key)
            .ok_or_else(|| self.err(format!("缺少 `{key}`")))
    }

    fn int(&mut self, key: &'a str) -> Result<i64, LoadError> {
        let v = self.req(key)?;
        v.as_integer()
            .ok_or_else(|| self.err(format!("`{key}` 应为整数")))
    }

    fn uint(&mut self, key: &'a str) -> Result<u64, LoadError> {
        let v = self.int(key)?;
        u64::try_from(v).map_err(|_| self.err(format!("`{key}` 不能为负数")))
    }

    fn string(&mut self, key: &'a str) -> Result<&'a str, LoadError> {
        let v = self.req(key)?;
        v.as_str()
            .ok_or_else(|| self.err(format!("`{key}` 应为字符串")))
    }

    fn opt_string(&mut self, key: &'a str) -> Result<Option<&'a str>, LoadError> {
        match self.opt(key) {
            None => Ok(None),
            Some(v) => v
                .as_str()
                .map(Some)
                .ok_or_else(|| self.err(format!("`{key}` 应为字符串"))),
        }
    }

    fn date(&mut self, key: &'a str) -> Result<Date, LoadError> {
        let v = self.req(key)?;
        to_date(v).ok_or_else(|| self.err(format!("`{key}` 应为日期 YYYY-MM-DD")))
    }

    fn hours(&mut self, key: &'a str) -> Result<Hours, LoadError> {
        let v = self.req(key)?;
        let text = match v {
            Value::Integer(i) => i.to_string(),
            Value::String(s) => s.clone(),
            _ => return Err(self.err(format!("`{key}` 应为学时（整数或 \"2.5\" 形式的字符串）"))),
        };
        Hours::parse(&text).map_err(|e| self.err(format!("`{key}`: {e}")))
    }

    fn array(&mut self, key: &'a str) -> Result<&'a [Value], LoadError> {
        let v = self.req(key)?;
        v.as_array()
            .map(Vec::as_slice)
            .ok_or_else(|| self.err(format!("`{key}` 应为数组")))
    }

    fn strings(&mut self, key: &'a str) -> Result<Vec<&'a str>, LoadError> {
        let items = self.array(key)?;
        items
            .iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| self.err(format!("`{key}` 应为字符串数组")))
            })
            .collect()
    }

    /// The citation every rule, exception and conversion kind must carry.
    fn citation(&mut self) -> Result<Citation, LoadError> {
        let source = self.opt_string("source")?.unwrap_or_default().trim();
        if source.is_empty() {
            return Err(self.err(
                "缺少引用来源 `source`（文号与条款，如 \"皖人社函〔2026〕235号 三\"）".to_owned(),
            ));
        }
        let Some((doc, section)) = source.split_once(char::is_whitespace) else {
            return Err(self.err(format!("引用来源 `{source}` 应为“文号 条款”，缺少条款")));
        };
        if !doc.ends_with('号') {
            return Err(self.err(format!("引用来源的文号 `{doc}` 应以“号”结尾")));
        }
        let confirmed = match self.opt("confirmed") {
            Some(Value::Boolean(b)) => *b,
            Some(_) => return Err(self.err("`confirmed` 应为 true 或 false".to_owned())),
            None => return Err(self.err("缺少 `confirmed`（是否已与原文核实）".to_owned())),
        };
        let note = self.opt_string("note")?.map(str::to_owned);
        if !confirmed && note.is_none() {
            return Err(self.err("未核实的值须以 `note` 说明来源情况".to_owned()));
        }
        let quotes = self.quotes()?;
        if confirmed && quotes.is_empty() {
            return Err(self.err(
                "已核实（confirmed = true）的值须以 `quote` 引用其所依据的原文语句（DOMAIN D20）"
                    .to_owned(),
            ));
        }
        Ok(Citation {
            doc: doc.to_owned(),
            section: section.trim().to_owned(),
            confirmed,
            note,
            quotes,
        })
    }

    /// `quote`: one sentence, or a list of them, each non-empty.
    fn quotes(&mut self) -> Result<Vec<String>, LoadError> {
        let items: Vec<&Value> = match self.opt("quote") {
            None => return Ok(Vec::new()),
            Some(Value::Array(items)) => items.iter().collect(),
            Some(v) => vec![v],
        };
        items
            .into_iter()
            .map(|v| match v.as_str().map(str::trim) {
                Some(q) if !q.is_empty() => Ok(q.to_owned()),
                _ => Err(self.err("`quote` 应为非空字符串或字符串数组".to_owned())),
            })
            .collect()
    }

    fn cited<T>(&mut self, value: T) -> Result<Cited<T>, LoadError> {
        Ok(Cited {
            value,
            cite: self.citation()?,
        })
    }

    fn finish(self) -> Result<(), LoadError> {
        match self.table.keys().find(|k| !self.used.contains(k.as_str())) {
            Some(k) => Err(self.err(format!("未知的键 `{k}`"))),
            None => Ok(()),
        }
    }
}

fn to_date(v: &Value) -> Option<Date> {
    match v {
        Value::Datetime(dt) if dt.time.is_none() && dt.offset.is_none() => {
            let d = dt.date?;
            Date::new(i32::from(d.year), d.month, d.day).ok()
        }
        _ => None,
    }
}

fn sub_table<'a>(f: &Fields<'a>, v: &'a Value, what: &str) -> Result<&'a Table, LoadError> {
    v.as_table().ok_or_else(|| f.err(format!("{what} 应为表")))
}

fn parse_file(file: &str, text: &str) -> Result<(YearPolicy, Vec<Exception>), LoadError> {
    let table: Table = toml::from_str(text).map_err(|e| LoadError {
        file: file.to_owned(),
        at: String::new(),
        message: format!("TOML 语法错误: {e}"),
    })?;
    let mut top = Fields::new(file, String::new(), &table);
    let year =
        i32::try_from(top.int("year")?).map_err(|_| top.err("`year` 超出范围".to_owned()))?;
    if file.trim_end_matches(".toml") != year.to_string() {
        return Err(top.err(format!("文件名应为 {year}.toml")));
    }
    let period = top.req("period")?;
    let period = sub_table(&top, period, "`period`")?;
    let mut p = Fields::new(file, "period".to_owned(), period);
    let (from, to) = (p.date("from")?, p.date("to")?);
    p.finish()?;
    if from > to || from.year() != year {
        return Err(LoadError {
            file: file.to_owned(),
            at: "period".to_owned(),
            message: format!("适用期间 {from}–{to} 与年度 {year} 不符"),
        });
    }
    let rules = top.req("rules")?;
    let rules = sub_table(&top, rules, "`rules`")?;
    let mut tables: BTreeMap<RuleId, &Table> = BTreeMap::new();
    for (key, value) in rules {
        let rule: RuleId = key.parse().map_err(|e| LoadError {
            file: file.to_owned(),
            at: format!("rules.\"{key}\""),
            message: format!("{e}"),
        })?;
        let t = value.as_table().ok_or_else(|| LoadError {
            file: file.to_owned(),
            at: format!("rules.\"{key}\""),
            message: "应为表".to_owned(),
        })?;
        tables.insert(rule, t);
    }
    let exceptions = match top.opt("exceptions") {
        None => Vec::new(),
        Some(v) => parse_exceptions(file, v)?,
    };
    top.finish()?;
    let mut rules = RuleTables { file, tables };
    let year_policy = rules.year_policy(year, from, to)?;
    Ok((year_policy, exceptions))
}

fn parse_exceptions(file: &str, v: &Value) -> Result<Vec<Exception>, LoadError> {
    let err = |at: String, message: String| LoadError {
        file: file.to_owned(),
        at,
        message,
    };
    let items = v
        .as_array()
        .ok_or_else(|| err("exceptions".to_owned(), "应为表数组".to_owned()))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("exceptions[{i}]");
        let t = item
            .as_table()
            .ok_or_else(|| err(at.clone(), "应为表".to_owned()))?;
        let mut f = Fields::new(file, at.clone(), t);
        let id = f.string("id")?.to_owned();
        let rule: RuleId = f
            .string("rule")?
            .parse()
            .map_err(|e| err(at.clone(), format!("{e}")))?;
        let cohort = f.string("cohort")?;
        let cohort = Cohort::parse(cohort).ok_or_else(|| {
            err(
                at.clone(),
                format!("未知的人员类别 `{cohort}`（old 或 new）"),
            )
        })?;
        let (from, to) = (f.date("from")?, f.date("to")?);
        if from > to {
            return Err(err(at, format!("期间 {from}–{to} 起止颠倒")));
        }
        let cite = f.citation()?;
        f.finish()?;
        out.push(Exception {
            id,
            rule,
            cohort,
            from,
            to,
            cite,
        });
    }
    Ok(out)
}

struct RuleTables<'a> {
    file: &'a str,
    tables: BTreeMap<RuleId, &'a Table>,
}

impl<'a> RuleTables<'a> {
    fn fields(&mut self, rule: RuleId) -> Result<Fields<'a>, LoadError> {
        let table = self.tables.remove(&rule).ok_or_else(|| LoadError {
            file: self.file.to_owned(),
            at: format!("rules.\"{rule}\""),
            message: "缺少该年度必需的规则".to_owned(),
        })?;
        Ok(Fields::new(self.file, format!("rules.\"{rule}\""), table))
    }

    fn optional(&mut self, rule: RuleId) -> Option<Fields<'a>> {
        let table = self.tables.remove(&rule)?;
        Some(Fields::new(self.file, format!("rules.\"{rule}\""), table))
    }

    /// A rule whose only content is its citation.
    fn citation_only(&mut self, rule: RuleId) -> Result<Citation, LoadError> {
        let mut f = self.fields(rule)?;
        let c = f.citation()?;
        f.finish()?;
        Ok(c)
    }

    fn year_policy(&mut self, year: i32, from: Date, to: Date) -> Result<YearPolicy, LoadError> {
        let mut f = self.fields(RuleId::MinutesPerHour)?;
        let minutes = f.uint("minutes")?;
        if minutes == 0 {
            return Err(f.err("`minutes` 必须大于 0".to_owned()));
        }
        let minutes_per_hour = f.cited(minutes)?;
        f.finish()?;
        let total_min = self.hours_rule(RuleId::AnnualTotalMin)?;
        let professional_min = self.hours_rule(RuleId::AnnualProfessionalMin)?;
        let public_min = self.hours_rule(RuleId::AnnualPublicMin)?;

        let mut f = self.fields(RuleId::RecordYear)?;
        let deadline = f.date("public_deadline")?;
        if deadline.year() < year {
            return Err(f.err(format!("公需科目截止日期 {deadline} 早于 {year} 年")));
        }
        let public_deadline = f.cited(deadline)?;
        f.finish()?;

        // D11: the registration deadline defaults to the public deadline.
        let mut f = self.fields(RuleId::RegistrationClosed)?;
        let deadline = match f.opt("deadline") {
            Some(_) => f.date("deadline")?,
            None => public_deadline.value,
        };
        let registration_deadline = f.cited(deadline)?;
        f.finish()?;

        let base_exam = self.citation_only(RuleId::OnlineBaseExam)?;
        let (base_cap, bases) = self.bases()?;

        let mut f = self.fields(RuleId::ProviderRegistered)?;
        let kinds = f
            .strings("kinds")?
            .into_iter()
            .map(|k| {
                ProviderKind::parse(k).ok_or_else(|| f.err(format!("未知的提供单位类别 `{k}`")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let provider_kinds = f.cited(kinds)?;
        f.finish()?;

        let mut f = self.fields(RuleId::FilingRequired)?;
        let lead = u32::try_from(f.uint("lead_days")?)
            .map_err(|_| f.err("`lead_days` 过大".to_owned()))?;
        let filing_lead_days = f.cited(lead)?;
        f.finish()?;

        let mut f = self.fields(RuleId::RecordOverlap)?;
        let max = f.uint("max_minutes_per_day")?;
        let max_minutes_per_day = f.cited(max)?;
        f.finish()?;

        let conversion = self.conversion()?;
        let conversion_duplicate = self.citation_only(RuleId::ConversionDuplicate)?;
        let not_completed = self.citation_only(RuleId::RecordNotCompleted)?;
        let mut f = self.fields(RuleId::PublicRoutes)?;
        let other = match f.req("other_forms_count")? {
            Value::Boolean(b) => *b,
            _ => return Err(f.err("`other_forms_count` 应为 true 或 false".to_owned())),
        };
        let public_other_forms = f.cited(other)?;
        f.finish()?;
        let cycle = self.cycle()?;
        let routes = self.routes()?;
        if let Some(rule) = self.tables.keys().next() {
            return Err(LoadError {
                file: self.file.to_owned(),
                at: format!("rules.\"{rule}\""),
                message: "该规则不以年度数据表示（它由其他规则的数据决定）".to_owned(),
            });
        }
        Ok(YearPolicy {
            year,
            file: self.file.to_owned(),
            from,
            to,
            minutes_per_hour,
            total_min,
            professional_min,
            public_min,
            public_deadline,
            registration_deadline,
            base_exam,
            base_cap,
            bases,
            provider_kinds,
            filing_lead_days,
            max_minutes_per_day,
            conversion,
            conversion_duplicate,
            not_completed,
            public_other_forms,
            cycle,
            routes,
            projected_from: None,
        })
    }

    fn hours_rule(&mut self, rule: RuleId) -> Result<Cited<Hours>, LoadError> {
        let mut f = self.fields(rule)?;
        let h = f.hours("hours")?;
        let c = f.cited(h)?;
        f.finish()?;
        Ok(c)
    }

    fn bases(&mut self) -> Result<(Cited<Hours>, Vec<Base>), LoadError> {
        let mut f = self.fields(RuleId::OnlineBaseCap)?;
        let cap = f.hours("hours")?;
        let mut bases = Vec::new();
        for (i, v) in f.array("bases")?.iter().enumerate() {
            let t = sub_table(&f, v, "`bases` 的元素")?;
            let mut b = Fields::new(f.file, format!("{}.bases[{i}]", f.at), t);
            let number =
                u8::try_from(b.uint("number")?).map_err(|_| b.err("`number` 过大".to_owned()))?;
            let name = b.string("name")?.to_owned();
            let subject = b.string("subject")?.to_owned();
            b.finish()?;
            if bases.iter().any(|x: &Base| x.number == number) {
                return Err(f.err(format!("基地编号 {number} 重复")));
            }
            bases.push(Base {
                number,
                name,
                subject,
            });
        }
        let cap = f.cited(cap)?;
        f.finish()?;
        Ok((cap, bases))
    }

    fn conversion(&mut self) -> Result<Option<ConversionTable>, LoadError> {
        let Some(mut f) = self.optional(RuleId::ConversionTable) else {
            return Ok(None);
        };
        let subjects = f
            .strings("subjects")?
            .into_iter()
            .map(|s| Subject::parse(s).ok_or_else(|| f.err(format!("未知的科目 `{s}`"))))
            .collect::<Result<Vec<_>, _>>()?;
        let cite = f.citation()?;
        let mut kinds: Vec<ConversionKind> = Vec::new();
        for (i, v) in f.array("kinds")?.iter().enumerate() {
            let t = sub_table(&f, v, "`kinds` 的元素")?;
            let mut k = Fields::new(f.file, format!("{}.kinds[{i}]", f.at), t);
            let key = k.string("kind")?.to_owned();
            let name = k.string("name")?.to_owned();
            let new = k.hours("new")?;
            let old = match k.opt("old") {
                Some(_) => Some(k.hours("old")?),
                None => None,
            };
            // Each kind cites its own line of the table; without one it shares the table's.
            let kind_cite = if k.opt("source").is_some() {
                k.citation()?
            } else {
                cite.clone()
            };
            k.finish()?;
            if kinds.iter().any(|x| x.key == key) {
                return Err(f.err(format!("折算类别 `{key}` 重复定义")));
            }
            kinds.push(ConversionKind {
                key,
                name,
                new,
                old,
                cite: kind_cite,
            });
        }
        f.finish()?;
        Ok(Some(ConversionTable {
            subjects,
            kinds,
            cite,
        }))
    }

    fn cycle(&mut self) -> Result<CyclePolicy, LoadError> {
        let mut f = self.fields(RuleId::CycleAverageTotal)?;
        let until =
            i32::try_from(f.int("until")?).map_err(|_| f.err("`until` 超出范围".to_owned()))?;
        let average_until = f.cited(until)?;
        f.finish()?;
        let mut f = self.fields(RuleId::CycleHeavyYear)?;
        let factor = f.uint("factor")?;
        let heavy_factor = f.cited(factor)?;
        f.finish()?;
        Ok(CyclePolicy {
            average_until,
            average_professional: self.citation_only(RuleId::CycleAverageProfessional)?,
            average_public: self.citation_only(RuleId::CycleAveragePublic)?,
            no_cramming: self.citation_only(RuleId::CycleNoCramming)?,
            zero_year: self.citation_only(RuleId::CycleZeroYear)?,
            heavy_factor,
        })
    }

    fn routes(&mut self) -> Result<Option<Cited<Vec<CityRoutes>>>, LoadError> {
        let Some(mut f) = self.optional(RuleId::VerificationRoute) else {
            return Ok(None);
        };
        // The table's citation first: a row without its own shares it.
        let table_cite = f.citation()?;
        let mut cities: Vec<CityRoutes> = Vec::new();
        for (i, v) in f.array("cities")?.iter().enumerate() {
            let t = sub_table(&f, v, "`cities` 的元素")?;
            let mut c = Fields::new(f.file, format!("{}.cities[{i}]", f.at), t);
            let code = c.string("city")?;
            let city = RegionCode::parse(code).map_err(|e| c.err(format!("`city` {code}: {e}")))?;
            if city.level() != xueshi_domain::region::Level::City {
                return Err(c.err(format!("`city` {code} 不是地市")));
            }
            let zones = c.strings("zones")?.into_iter().map(str::to_owned).collect();
            let mut routes = Vec::new();
            for (j, r) in c.array("routes")?.iter().enumerate() {
                let t = sub_table(&c, r, "`routes` 的元素")?;
                let mut rf = Fields::new(c.file, format!("{}.routes[{j}]", c.at), t);
                let unit = match rf.string("unit")? {
                    "city_direct" => UnitClass::CityDirect,
                    "county" => UnitClass::County,
                    "zone" => UnitClass::Zone,
                    other => return Err(rf.err(format!("未知的单位类别 `{other}`"))),
                };
                let levels = rf
                    .strings("levels")?
                    .into_iter()
                    .map(|l| {
                        TitleLevel::parse(l).ok_or_else(|| rf.err(format!("未知的职称级别 `{l}`")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let verifier = match rf.string("verifier")? {
                    "city" => VerifierClass::City,
                    "own" => VerifierClass::Own,
                    other => return Err(rf.err(format!("未知的验证机构类别 `{other}`"))),
                };
                let cite = if rf.opt("source").is_some() {
                    rf.citation()?
                } else {
                    table_cite.clone()
                };
                rf.finish()?;
                routes.push(Route {
                    unit,
                    levels,
                    verifier,
                    cite,
                });
            }
            check_routes_unambiguous(&c, &routes)?;
            c.finish()?;
            cities.push(CityRoutes {
                city,
                zones,
                routes,
            });
        }
        f.finish()?;
        Ok(Some(Cited {
            value: cities,
            cite: table_cite,
        }))
    }
}

/// Two routes for the same unit class and title level would be a silent precedence: refuse it.
fn check_routes_unambiguous(f: &Fields<'_>, routes: &[Route]) -> Result<(), LoadError> {
    for (i, a) in routes.iter().enumerate() {
        for b in routes.iter().skip(i + 1) {
            if a.unit == b.unit && a.levels.iter().any(|l| b.levels.contains(l)) {
                return Err(f.err(format!(
                    "同一单位类别 {:?} 与职称级别有两条验证路由",
                    a.unit
                )));
            }
        }
    }
    Ok(())
}

/// Resolves a place text (region code or zone name) against the policy's routing tables.
/// The error carries a stable code and a Chinese message.
pub fn parse_place(text: &str, policy: &Policy) -> Result<Place, (&'static str, String)> {
    if !text.is_empty() && text.bytes().all(|c| c.is_ascii_digit()) {
        return RegionCode::parse(text)
            .map(Place::Region)
            .map_err(|e| (e.code(), format!("`{text}`: {e}")));
    }
    if policy.years.iter().any(|y| y.zone_city(text).is_some()) {
        Ok(Place::Zone(text.to_owned()))
    } else {
        Err((
            "place.unknown",
            format!("`{text}` 既不是行政区划代码，也不是已知的开发区"),
        ))
    }
}
