//! Policy cases (../shared/CASES.md): decoding a case file into engine inputs and expectations,
//! refusing any unknown key or bad value with its line, and evaluating a case.

use std::collections::BTreeMap;
use std::fmt;

use xueshi_domain::{Date, Hours, RegionCode};

use crate::annual::{Facts, Options, evaluate_annual};
use crate::cycle::evaluate_cycle;
use crate::decision::{Decision, ENGINE_VERSION, EvalError, Evaluation};
use crate::input::*;
use crate::load::parse_place;
use crate::model::Policy;
use crate::route::route;
use crate::rule::RuleId;
use crate::yaml::{self, Kind, Node};

/// An invalid case: where and why. Cases with errors are never evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseError {
    pub line: usize,
    pub col: usize,
    /// Field path, e.g. `records[2].hours`.
    pub field: String,
    /// Stable code for programs.
    pub code: &'static str,
    /// Chinese, for people.
    pub message: String,
}

impl fmt::Display for CaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "第 {} 行: {} [{}]", self.line, self.message, self.code)
        } else {
            write!(
                f,
                "第 {} 行 `{}`: {} [{}]",
                self.line, self.field, self.message, self.code
            )
        }
    }
}

impl std::error::Error for CaseError {}

/// What a case asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Question {
    Annual {
        year: i32,
    },
    Cycle {
        first: i32,
        last: i32,
    },
    Route {
        unit: Place,
        level: TitleLevel,
        year: Option<i32>,
    },
}

/// Expected hours; absent fields are not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HoursExpect {
    pub total: Option<Hours>,
    pub professional: Option<Hours>,
    pub public: Option<Hours>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    pub compliant: Option<bool>,
    pub hours: Option<HoursExpect>,
    pub credited: Vec<(String, Hours)>,
    pub rejected: Vec<(String, RuleId)>,
    pub failed: Option<Vec<RuleId>>,
    pub yearly: Vec<(i32, HoursExpect)>,
    pub warnings: Vec<RuleId>,
    pub unconfirmed: Vec<RuleId>,
    pub verifier: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    pub name: String,
    pub policy: String,
    pub question: Question,
    pub person: Person,
    pub registry: Registry,
    pub records: Vec<Record>,
    pub expect: Expect,
}

impl Case {
    /// Evaluates the case's question.
    pub fn evaluate<'p>(
        &self,
        policy: &'p Policy,
        opts: Options,
    ) -> Result<Evaluation<'p>, EvalError> {
        let facts = Facts {
            person: &self.person,
            registry: &self.registry,
        };
        let decision = match &self.question {
            Question::Annual { year } => {
                Decision::Annual(evaluate_annual(policy, facts, &self.records, *year, opts)?)
            }
            Question::Cycle { first, last } => Decision::Cycle(evaluate_cycle(
                policy,
                facts,
                &self.records,
                *first,
                *last,
                opts,
            )?),
            Question::Route { unit, level, year } => {
                Decision::Route(route(policy, *year, unit, *level)?)
            }
        };
        Ok(Evaluation {
            engine: ENGINE_VERSION,
            policy_name: &policy.name,
            policy_hash: &policy.hash,
            decision,
        })
    }
}

/// The policies a case may name.
pub trait PolicySource {
    fn policy(&self, name: &str) -> Option<&Policy>;
}

impl PolicySource for BTreeMap<String, Policy> {
    fn policy(&self, name: &str) -> Option<&Policy> {
        self.get(name)
    }
}

/// The policy the project ships for Anhui; the default of a case.
pub const DEFAULT_POLICY: &str = "anhui";

/// Reads the name of the policy a case asks for (before decoding the rest against it).
pub fn policy_name(text: &str) -> Result<String, CaseError> {
    let root = yaml::parse(text).map_err(syntax)?;
    let m = Map::new(&root, "")?;
    match m.get("policy") {
        Some(n) => Ok(scalar(n, "policy")?.to_owned()),
        None => Ok(DEFAULT_POLICY.to_owned()),
    }
}

/// Decodes a case file against the policy it names.
pub fn parse_case(text: &str, policy: &Policy) -> Result<Case, CaseError> {
    let root = yaml::parse(text).map_err(syntax)?;
    let m = Map::new(&root, "")?;
    m.only(&[
        "name",
        "kind",
        "policy",
        "year",
        "years",
        "person",
        "registry",
        "records",
        "unit",
        "title_level",
        "expect",
    ])?;
    let name = bounded(m.req("name")?, "name", MAX_TEXT)?.to_owned();
    let policy_name = m
        .get("policy")
        .map(|n| scalar(n, "policy"))
        .transpose()?
        .unwrap_or(DEFAULT_POLICY)
        .to_owned();
    let kind_node = m.req("kind")?;
    let kind = scalar(kind_node, "kind")?;
    let question = match kind {
        "annual" => {
            m.absent(&["years", "unit", "title_level"], kind)?;
            Question::Annual {
                year: year(m.req("year")?, "year")?,
            }
        }
        "cycle" => {
            m.absent(&["year", "unit", "title_level"], kind)?;
            let node = m.req("years")?;
            let items = seq(node, "years")?;
            let [a, b] = items else {
                return Err(err(
                    node,
                    "years",
                    "case.years",
                    "`years` 应为 [首年, 末年]".to_owned(),
                ));
            };
            let (first, last) = (year(a, "years[0]")?, year(b, "years[1]")?);
            if first > last {
                return Err(err(
                    node,
                    "years",
                    "case.years",
                    format!("任职周期首年 {first} 晚于末年 {last}"),
                ));
            }
            Question::Cycle { first, last }
        }
        "route" => {
            // person, registry and records may be present (e.g. a case reused from an annual one); routing ignores them.
            m.absent(&["years"], kind)?;
            let unit = m.req("unit")?;
            let um = Map::new(unit, "unit")?;
            um.only(&["region", "zone"])?;
            let place = match (um.get("region"), um.get("zone")) {
                (Some(r), None) => Place::Region(region(r, "unit.region")?),
                (None, Some(z)) => place(z, "unit.zone", policy)?,
                _ => {
                    return Err(err(
                        unit,
                        "unit",
                        "case.unit",
                        "`unit` 须且只须给出 region 或 zone 之一".to_owned(),
                    ));
                }
            };
            let level_node = m.req("title_level")?;
            let level_text = scalar(level_node, "title_level")?;
            let level = TitleLevel::parse(level_text).ok_or_else(|| {
                err(
                    level_node,
                    "title_level",
                    "case.title_level",
                    format!("未知的职称级别 `{level_text}`（junior | intermediate | senior）"),
                )
            })?;
            let year = m.get("year").map(|n| year(n, "year")).transpose()?;
            Question::Route {
                unit: place,
                level,
                year,
            }
        }
        other => {
            return Err(err(
                kind_node,
                "kind",
                "case.kind",
                format!("未知的案例类型 `{other}`（annual | cycle | route）"),
            ));
        }
    };
    let person = m
        .get("person")
        .map(|n| parse_person(n, policy))
        .transpose()?
        .unwrap_or_default();
    let registry = m
        .get("registry")
        .map(|n| parse_registry(n, policy))
        .transpose()?
        .unwrap_or_default();
    let records = match m.get("records") {
        Some(n) => parse_records(n)?,
        None => Vec::new(),
    };
    let expect = parse_expect(m.req("expect")?, &question, &records)?;
    Ok(Case {
        name,
        policy: policy_name,
        question,
        person,
        registry,
        records,
        expect,
    })
}

fn syntax(e: yaml::SyntaxError) -> CaseError {
    CaseError {
        line: e.line,
        col: e.col,
        field: String::new(),
        code: "case.syntax",
        message: e.message,
    }
}

fn err(node: &Node, field: &str, code: &'static str, message: String) -> CaseError {
    CaseError {
        line: node.line,
        col: node.col,
        field: field.to_owned(),
        code,
        message,
    }
}

/// A mapping node with its field path.
struct Map<'a> {
    node: &'a Node,
    entries: &'a [(Node, Node)],
    path: String,
}

impl<'a> Map<'a> {
    fn new(node: &'a Node, path: &str) -> Result<Self, CaseError> {
        match &node.kind {
            Kind::Map(entries) => Ok(Self {
                node,
                entries,
                path: path.to_owned(),
            }),
            _ => Err(err(
                node,
                path,
                "case.type",
                "应为映射（key: value）".to_owned(),
            )),
        }
    }

    fn field(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Refuses any key not in `allowed`, at the key's line.
    fn only(&self, allowed: &[&str]) -> Result<(), CaseError> {
        for (k, _) in self.entries {
            if let Kind::Scalar(name, _) = &k.kind
                && !allowed.contains(&name.as_str())
            {
                return Err(err(
                    k,
                    &self.field(name),
                    "case.unknown_key",
                    format!("未知的键 `{name}`（可用：{}）", allowed.join("、")),
                ));
            }
        }
        Ok(())
    }

    /// Refuses keys that make no sense for this kind of case.
    fn absent(&self, keys: &[&str], kind: &str) -> Result<(), CaseError> {
        for key in keys {
            if let Some((k, _)) = self
                .entries
                .iter()
                .find(|(k, _)| matches!(&k.kind, Kind::Scalar(n, _) if n == key))
            {
                return Err(err(
                    k,
                    &self.field(key),
                    "case.key_for_kind",
                    format!("`{kind}` 类案例不使用 `{key}`"),
                ));
            }
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<&'a Node> {
        self.entries
            .iter()
            .find(|(k, _)| matches!(&k.kind, Kind::Scalar(n, _) if n == key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    fn req(&self, key: &str) -> Result<&'a Node, CaseError> {
        self.get(key).ok_or_else(|| {
            err(
                self.node,
                &self.field(key),
                "case.missing",
                format!("缺少 `{key}`"),
            )
        })
    }
}

fn scalar<'a>(node: &'a Node, field: &str) -> Result<&'a str, CaseError> {
    match &node.kind {
        Kind::Scalar(s, _) => Ok(s.as_str()),
        _ => Err(err(node, field, "case.type", "应为单个值".to_owned())),
    }
}

/// Longest record id, in characters.
pub const MAX_ID: usize = 100;
/// Longest name or other text value, in characters.
pub const MAX_TEXT: usize = 500;

/// A scalar of at most `max` characters.
fn bounded<'a>(node: &'a Node, field: &str, max: usize) -> Result<&'a str, CaseError> {
    let text = scalar(node, field)?;
    if text.chars().count() > max {
        return Err(err(
            node,
            field,
            "case.too_long",
            format!("`{field}` 过长：至多 {max} 个字符"),
        ));
    }
    Ok(text)
}

fn seq<'a>(node: &'a Node, field: &str) -> Result<&'a [Node], CaseError> {
    match &node.kind {
        Kind::Seq(items) => Ok(items),
        _ => Err(err(node, field, "case.type", "应为列表".to_owned())),
    }
}

fn date(node: &Node, field: &str) -> Result<Date, CaseError> {
    let text = scalar(node, field)?;
    Date::parse(text).map_err(|e| err(node, field, e.code(), format!("`{text}`: {e}")))
}

fn year(node: &Node, field: &str) -> Result<i32, CaseError> {
    let text = scalar(node, field)?;
    text.parse::<i32>()
        .ok()
        .filter(|y| (1900..=2999).contains(y) && text.len() == 4)
        .ok_or_else(|| {
            err(
                node,
                field,
                "case.year",
                format!("`{text}` 不是年度（如 2026）"),
            )
        })
}

fn hours(node: &Node, field: &str) -> Result<Hours, CaseError> {
    let text = scalar(node, field)?;
    Hours::parse(text).map_err(|e| err(node, field, e.code(), format!("`{text}`: {e}")))
}

fn minutes(node: &Node, field: &str) -> Result<u64, CaseError> {
    let text = scalar(node, field)?;
    if text.starts_with('-') {
        return Err(err(
            node,
            field,
            "minutes.negative",
            format!("`{text}`: 分钟数不能为负数"),
        ));
    }
    text.parse::<u64>()
        .ok()
        .filter(|m| *m <= MAX_MINUTES)
        .ok_or_else(|| {
            err(
                node,
                field,
                "minutes.format",
                format!("`{text}`: 分钟数应为非负整数"),
            )
        })
}

fn boolean(node: &Node, field: &str) -> Result<bool, CaseError> {
    match scalar(node, field)? {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(err(
            node,
            field,
            "case.bool",
            format!("`{other}` 应为 true 或 false"),
        )),
    }
}

fn rule(node: &Node, field: &str) -> Result<RuleId, CaseError> {
    let text = scalar(node, field)?;
    text.parse()
        .map_err(|e| err(node, field, "case.rule", format!("{e}")))
}

fn region(node: &Node, field: &str) -> Result<RegionCode, CaseError> {
    let text = scalar(node, field)?;
    RegionCode::parse(text).map_err(|e| err(node, field, e.code(), format!("`{text}`: {e}")))
}

fn place(node: &Node, field: &str, policy: &Policy) -> Result<Place, CaseError> {
    let text = scalar(node, field)?;
    parse_place(text, policy).map_err(|(code, m)| err(node, field, code, m))
}

fn parse_person(node: &Node, policy: &Policy) -> Result<Person, CaseError> {
    let m = Map::new(node, "person")?;
    m.only(&["cohort", "region", "left"])?;
    let mut person = Person::default();
    if let Some(n) = m.get("cohort") {
        let text = scalar(n, "person.cohort")?;
        person.cohort = Cohort::parse(text).ok_or_else(|| {
            err(
                n,
                "person.cohort",
                "case.cohort",
                format!("未知的人员类别 `{text}`（old | new）"),
            )
        })?;
    }
    if let Some(n) = m.get("region") {
        person.place = place(n, "person.region", policy)?;
    }
    person.left = m.get("left").map(|n| date(n, "person.left")).transpose()?;
    Ok(person)
}

fn parse_registry(node: &Node, policy: &Policy) -> Result<Registry, CaseError> {
    let m = Map::new(node, "registry")?;
    m.only(&["filings", "providers", "converted"])?;
    let mut registry = Registry::default();
    if let Some(list) = m.get("filings") {
        for (i, item) in seq(list, "registry.filings")?.iter().enumerate() {
            let path = format!("registry.filings[{i}]");
            let f = Map::new(item, &path)?;
            f.only(&["id", "approved", "region"])?;
            let id = bounded(f.req("id")?, &f.field("id"), MAX_TEXT)?.to_owned();
            if registry.filings.iter().any(|x: &Filing| x.id == id) {
                return Err(err(
                    item,
                    &path,
                    "case.duplicate_id",
                    format!("备案 `{id}` 重复"),
                ));
            }
            let approved = date(f.req("approved")?, &f.field("approved"))?;
            let place = place(f.req("region")?, &f.field("region"), policy)?;
            registry.filings.push(Filing {
                id,
                approved,
                place,
            });
        }
    }
    if let Some(list) = m.get("providers") {
        for (i, item) in seq(list, "registry.providers")?.iter().enumerate() {
            let path = format!("registry.providers[{i}]");
            let p = Map::new(item, &path)?;
            p.only(&["id", "registered"])?;
            let id_node = p.req("id")?;
            let id = bounded(id_node, &p.field("id"), MAX_TEXT)?.to_owned();
            if id.starts_with("base:") || id.starts_with("kind:") {
                return Err(err(
                    id_node,
                    &p.field("id"),
                    "case.provider",
                    format!("备案单位标识 `{id}` 不能以 base: 或 kind: 开头"),
                ));
            }
            let mut registrations = Vec::new();
            let regs = p.req("registered")?;
            for (j, reg) in seq(regs, &p.field("registered"))?.iter().enumerate() {
                let rpath = format!("{path}.registered[{j}]");
                let r = Map::new(reg, &rpath)?;
                r.only(&["region", "from", "to"])?;
                let place = place(r.req("region")?, &r.field("region"), policy)?;
                let (from, to) = (
                    date(r.req("from")?, &r.field("from"))?,
                    date(r.req("to")?, &r.field("to"))?,
                );
                if from > to {
                    return Err(err(
                        reg,
                        &rpath,
                        "case.period",
                        format!("备案期间 {from}–{to} 起止颠倒"),
                    ));
                }
                registrations.push(Registration { place, from, to });
            }
            registry
                .providers
                .push(RegisteredProvider { id, registrations });
        }
    }
    if let Some(list) = m.get("converted") {
        for (i, item) in seq(list, "registry.converted")?.iter().enumerate() {
            registry.converted.push(normalise_achievement(scalar(
                item,
                &format!("registry.converted[{i}]"),
            )?));
        }
    }
    Ok(registry)
}

const RECORD_KEYS: &[&str] = &[
    "id",
    "subject",
    "form",
    "provider",
    "started",
    "completed",
    "hours",
    "minutes",
    "exam",
    "for_year",
    "filing",
    "conversion",
    "achievement",
    "registered",
];

fn parse_records(node: &Node) -> Result<Vec<Record>, CaseError> {
    let mut records: Vec<Record> = Vec::new();
    for (i, item) in seq(node, "records")?.iter().enumerate() {
        let record = parse_record(item, &format!("records[{i}]"))?;
        if records.iter().any(|r| r.id == record.id) {
            return Err(err(
                item,
                &format!("records[{i}].id"),
                "case.duplicate_id",
                format!("记录编号 `{}` 重复", record.id),
            ));
        }
        records.push(record);
    }
    Ok(records)
}

fn parse_record(node: &Node, path: &str) -> Result<Record, CaseError> {
    let m = Map::new(node, path)?;
    m.only(RECORD_KEYS)?;
    let f = |k: &str| m.field(k);
    let id = bounded(m.req("id")?, &f("id"), MAX_ID)?.to_owned();
    let subject_node = m.req("subject")?;
    let subject_text = scalar(subject_node, &f("subject"))?;
    let subject = Subject::parse(subject_text).ok_or_else(|| {
        err(
            subject_node,
            &f("subject"),
            "case.subject",
            format!("未知的科目 `{subject_text}`（professional | public）"),
        )
    })?;
    let form_node = m.req("form")?;
    let form_text = scalar(form_node, &f("form"))?;
    let form = Form::parse(form_text).ok_or_else(|| {
        let all: Vec<&str> = Form::ALL.iter().map(|f| f.as_str()).collect();
        err(
            form_node,
            &f("form"),
            "case.form",
            format!("未知的学习形式 `{form_text}`（{}）", all.join(" | ")),
        )
    })?;
    let provider = match m.get("provider") {
        None => None,
        Some(n) => {
            let p = provider(n, &f("provider"))?;
            if !p.fits(form) {
                return Err(err(n, &f("provider"), "case.provider_form", p.misfit(form)));
            }
            Some(p)
        }
    };
    let started = m
        .get("started")
        .map(|n| date(n, &f("started")))
        .transpose()?;
    let completed = date(m.req("completed")?, &f("completed"))?;
    if let Some(s) = started
        && s > completed
    {
        return Err(err(
            node,
            &f("started"),
            "case.dates",
            format!("开始日期 {s} 晚于完成日期 {completed}"),
        ));
    }
    let amount = match (m.get("hours"), m.get("minutes")) {
        (Some(h), None) => Some(Amount::Hours(hours(h, &f("hours"))?)),
        (None, Some(mi)) => Some(Amount::Minutes(minutes(mi, &f("minutes"))?)),
        (Some(h), Some(mi)) => {
            // Point at whichever of the two comes second: that is where the conflict arises.
            let (node, key) = if (mi.line, mi.col) > (h.line, h.col) {
                (mi, "minutes")
            } else {
                (h, "hours")
            };
            return Err(err(
                node,
                &f(key),
                "case.hours_and_minutes",
                "`hours` 与 `minutes` 只能给出其一".to_owned(),
            ));
        }
        (None, None) => None,
    };
    let conversion = m
        .get("conversion")
        .map(|n| bounded(n, &f("conversion"), MAX_TEXT).map(str::to_owned))
        .transpose()?;
    if let Some(n) = m.get("conversion")
        && form != Form::Conversion
    {
        return Err(err(
            n,
            &f("conversion"),
            "case.conversion",
            "`conversion` 只用于 form: conversion 的记录".to_owned(),
        ));
    }
    if amount.is_none() && conversion.is_none() {
        return Err(err(
            node,
            &f("hours"),
            "case.missing",
            "缺少 `hours` 或 `minutes`".to_owned(),
        ));
    }
    let exam = match m.get("exam") {
        None => Exam::None,
        Some(n) => {
            let text = scalar(n, &f("exam"))?;
            Exam::parse(text).ok_or_else(|| {
                err(
                    n,
                    &f("exam"),
                    "case.exam",
                    format!("未知的考试结果 `{text}`（pass | fail | none）"),
                )
            })?
        }
    };
    let for_year = match m.get("for_year") {
        None => None,
        Some(n) if subject == Subject::Professional => {
            return Err(err(
                n,
                &f("for_year"),
                "case.for_year_professional",
                "`for_year` 只适用于公需科目记录".to_owned(),
            ));
        }
        Some(n) => Some(year(n, &f("for_year"))?),
    };
    let filing = m
        .get("filing")
        .map(|n| bounded(n, &f("filing"), MAX_TEXT).map(str::to_owned))
        .transpose()?;
    let achievement = m
        .get("achievement")
        .map(|n| bounded(n, &f("achievement"), MAX_TEXT).map(str::to_owned))
        .transpose()?;
    let registered = m
        .get("registered")
        .map(|n| date(n, &f("registered")))
        .transpose()?;
    Ok(Record {
        id,
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
        registered,
    })
}

fn provider(node: &Node, field: &str) -> Result<Provider, CaseError> {
    let text = bounded(node, field, MAX_TEXT)?;
    if let Some(n) = text.strip_prefix("base:") {
        return match n {
            "1" | "2" | "3" | "4" => Ok(Provider::Base(n.parse().unwrap_or_default())),
            _ => Err(err(
                node,
                field,
                "case.provider",
                format!("`{text}`: 国家级基地编号应为 base:1 至 base:4"),
            )),
        };
    }
    if let Some(k) = text.strip_prefix("kind:") {
        return ProviderKind::parse(k).map(Provider::Kind).ok_or_else(|| {
            err(node, field, "case.provider", format!("`{text}`: 认可类别应为 kind:organization | kind:hrss | kind:industry | kind:base"))
        });
    }
    if text.trim().is_empty() {
        return Err(err(
            node,
            field,
            "case.provider",
            "课件提供单位不能为空".to_owned(),
        ));
    }
    Ok(Provider::Registered(text.to_owned()))
}

fn parse_hours_expect(node: &Node, path: &str) -> Result<HoursExpect, CaseError> {
    let m = Map::new(node, path)?;
    m.only(&["total", "professional", "public"])?;
    let get = |k: &str| m.get(k).map(|n| hours(n, &m.field(k))).transpose();
    Ok(HoursExpect {
        total: get("total")?,
        professional: get("professional")?,
        public: get("public")?,
    })
}

fn parse_expect(node: &Node, question: &Question, records: &[Record]) -> Result<Expect, CaseError> {
    let m = Map::new(node, "expect")?;
    let (allowed, kind): (&[&str], &str) = match question {
        Question::Annual { .. } => (
            &[
                "compliant",
                "hours",
                "credited",
                "rejected",
                "failed",
                "warnings",
                "unconfirmed",
            ],
            "annual",
        ),
        Question::Cycle { .. } => (
            &[
                "compliant",
                "yearly",
                "credited",
                "rejected",
                "failed",
                "warnings",
                "unconfirmed",
            ],
            "cycle",
        ),
        Question::Route { .. } => (&["verifier", "unconfirmed"], "route"),
    };
    for (k, _) in m.entries {
        if let Kind::Scalar(name, _) = &k.kind
            && !allowed.contains(&name.as_str())
        {
            return Err(err(
                k,
                &m.field(name),
                "case.unknown_key",
                format!(
                    "`{kind}` 类案例的 expect 不能含 `{name}`（可用：{}）",
                    allowed.join("、")
                ),
            ));
        }
    }
    let known_record = |n: &Node, field: &str| -> Result<String, CaseError> {
        let id = scalar(n, field)?.to_owned();
        if records.iter().any(|r| r.id == id) {
            Ok(id)
        } else {
            Err(err(
                n,
                field,
                "case.unknown_record",
                format!("没有编号为 `{id}` 的记录"),
            ))
        }
    };
    let pairs = |key: &str| -> Result<Vec<(&Node, &Node)>, CaseError> {
        match m.get(key) {
            None => Ok(Vec::new()),
            Some(n) => match &n.kind {
                Kind::Map(entries) => Ok(entries.iter().map(|(k, v)| (k, v)).collect()),
                _ => Err(err(n, &m.field(key), "case.type", "应为映射".to_owned())),
            },
        }
    };
    let rules = |key: &str| -> Result<Vec<RuleId>, CaseError> {
        match m.get(key) {
            None => Ok(Vec::new()),
            Some(n) => match &n.kind {
                Kind::Seq(items) => items.iter().map(|i| rule(i, &m.field(key))).collect(),
                _ => Err(err(
                    n,
                    &m.field(key),
                    "case.type",
                    "应为规则标识列表".to_owned(),
                )),
            },
        }
    };
    let mut expect = Expect {
        compliant: m
            .get("compliant")
            .map(|n| boolean(n, "expect.compliant"))
            .transpose()?,
        hours: m
            .get("hours")
            .map(|n| parse_hours_expect(n, "expect.hours"))
            .transpose()?,
        warnings: rules("warnings")?,
        unconfirmed: rules("unconfirmed")?,
        ..Expect::default()
    };
    // `failed: []` must be kept apart from an absent `failed`.
    if let Some((_, n)) = m
        .entries
        .iter()
        .find(|(k, _)| matches!(&k.kind, Kind::Scalar(s, _) if s == "failed"))
    {
        expect.failed = Some(match &n.kind {
            Kind::Seq(items) => items
                .iter()
                .map(|i| rule(i, "expect.failed"))
                .collect::<Result<_, _>>()?,
            _ => {
                return Err(err(
                    n,
                    "expect.failed",
                    "case.type",
                    "应为规则标识列表".to_owned(),
                ));
            }
        });
    }
    for (k, v) in pairs("credited")? {
        let field = format!("expect.credited.{}", scalar(k, "expect.credited")?);
        expect
            .credited
            .push((known_record(k, &field)?, hours(v, &field)?));
    }
    for (k, v) in pairs("rejected")? {
        let field = format!("expect.rejected.{}", scalar(k, "expect.rejected")?);
        expect
            .rejected
            .push((known_record(k, &field)?, rule(v, &field)?));
    }
    for (k, v) in pairs("yearly")? {
        let y = year(k, "expect.yearly")?;
        if let Question::Cycle { first, last } = question
            && !(*first..=*last).contains(&y)
        {
            return Err(err(
                k,
                "expect.yearly",
                "case.year",
                format!("{y} 不在任职周期 {first}–{last} 内"),
            ));
        }
        expect
            .yearly
            .push((y, parse_hours_expect(v, &format!("expect.yearly.{y}"))?));
    }
    if let Some(n) = m.get("verifier") {
        expect.verifier = Some(scalar(n, "expect.verifier")?.to_owned());
    }
    Ok(expect)
}
