//! The policy engine's integration tests: every policy case holds, invalid cases are refused with
//! their line, the loader refuses bad policy data, the engine's invariants hold for random
//! inputs, and decisions are reproducible byte for byte.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::input::*;
use xueshi_policy::load::{load_dir, load_embedded, load_files};
use xueshi_policy::runner::{Verdict, run_file, run_paths};
use xueshi_policy::{Facts, Options, Policy, RuleId, evaluate_annual, render};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn policies() -> BTreeMap<String, Policy> {
    BTreeMap::from([("anhui".to_owned(), load_embedded("anhui").unwrap())])
}

fn anhui() -> &'static Policy {
    static POLICY: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| load_embedded("anhui").unwrap())
}

// ---------------------------------------------------------------- policy cases

#[test]
fn every_project_and_shared_policy_case_holds() {
    let mut dirs = vec![root().join("policy/cases"), root().join("policy/examples")];
    let shared = root().join("../shared/cases");
    // The shared cases are the contract; CI always has them (and .ci/run fails without them).
    if shared.is_dir() || std::env::var_os("CI").is_some() {
        dirs.push(shared);
    } else {
        eprintln!(
            "NOTE: ../shared/cases not found beside the checkout; running the project's cases only"
        );
    }
    let results = run_paths(&dirs, &policies()).unwrap();
    assert!(
        results.len() >= 60,
        "expected at least 60 cases, found {}",
        results.len()
    );
    let failures: Vec<String> = results
        .iter()
        .filter(|r| r.verdict != Verdict::Passed)
        .map(|r| format!("{}: {:?}", r.file.display(), r.verdict))
        .collect();
    assert!(
        failures.is_empty(),
        "{} case(s) did not hold:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_id_is_exercised_by_some_case() {
    let mut text = String::new();
    for dir in ["policy/cases", "policy/cases-invalid"] {
        for entry in std::fs::read_dir(root().join(dir)).unwrap() {
            text.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        }
    }
    let route_cases = text.matches("kind: route").count();
    for rule in RuleId::ALL {
        let named = text.contains(rule.as_str());
        // Routing cases assert the verifier rather than naming the rule.
        let ok = named
            || (*rule == RuleId::VerificationRoute && route_cases > 0)
            || (*rule == RuleId::MinutesPerHour && text.contains("minutes:"));
        assert!(ok, "no policy case names or exercises {rule}");
    }
}

#[test]
fn invalid_cases_are_refused_with_the_line_their_comment_names() {
    let dir = root().join("policy/cases-invalid");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let first = text.lines().next().unwrap_or_default();
        let line: usize = first
            .split("line ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| {
                panic!(
                    "{}: first line must say `# INVALID: line N — why`",
                    path.display()
                )
            });
        let result = run_file(&path, &policies());
        let Verdict::Invalid(message) = &result.verdict else {
            panic!("{} was not refused: {:?}", path.display(), result.verdict);
        };
        assert!(
            message.starts_with(&format!("第 {line} 行")),
            "{}: expected line {line}, got {message}",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 8);
}

fn parse(text: &str) -> Result<xueshi_policy::case::Case, xueshi_policy::case::CaseError> {
    xueshi_policy::case::parse_case(text, anhui())
}

const HEAD: &str = "name: t\nkind: annual\nyear: 2026\nexpect: {compliant: true}\nrecords:\n";

#[test]
fn each_kind_of_bad_input_names_its_line_field_and_code() {
    let cases = [
        (
            "  - {id: a, subject: public, form: online, provider: kind:hrss, completed: 2026-01-01, hours: 1, colour: red}\n",
            6,
            "case.unknown_key",
        ),
        (
            "  - {id: a, subject: public, form: other, completed: 2026-02-30, hours: 1}\n",
            6,
            "date.no_such_day",
        ),
        (
            "  - {id: a, subject: public, form: other, completed: 2026-02-01, hours: -1}\n",
            6,
            "hours.negative",
        ),
        (
            "  - {id: a, subject: public, form: other, completed: 2026-02-01, hours: 1}\n  - {id: a, subject: public, form: other, completed: 2026-02-01, hours: 1}\n",
            7,
            "case.duplicate_id",
        ),
        (
            "  - id: a\n    subject: public\n    form: other\n    completed: 2026-02-01\n    hours: 1\n    minutes: 40\n",
            11,
            "case.hours_and_minutes",
        ),
        (
            "  - {id: a, subject: professional, form: other, completed: 2026-02-01, hours: 1, for_year: 2026}\n",
            6,
            "case.for_year_professional",
        ),
        (
            "  - {id: a, subject: public, form: other, completed: 2026-02-01, minutes: -40}\n",
            6,
            "minutes.negative",
        ),
        (
            "  - {id: a, subject: public, form: other, completed: 2026-02-01, hours: 2.55}\n",
            6,
            "hours.too_precise",
        ),
        (
            "  - {id: a, subject: public, form: online, provider: base:5, completed: 2026-02-01, hours: 2}\n",
            6,
            "case.provider",
        ),
        (
            "  - {id: a, subject: public, form: other, started: 2026-03-01, completed: 2026-02-01, hours: 2}\n",
            6,
            "case.dates",
        ),
    ];
    for (records, line, code) in cases {
        let e = parse(&format!("{HEAD}{records}")).unwrap_err();
        assert_eq!((e.line, e.code), (line, code), "{records}: {e}");
        assert!(!e.message.is_empty() && !e.field.is_empty());
    }
    let e = parse("name: t\nkind: annual\nyear: 2026\nperson: {region: \"341599\"}\nexpect: {}\n")
        .unwrap_err();
    assert_eq!((e.line, e.code), (4, "region.unknown"));
    let e = parse("name: t\nkind: weekly\nexpect: {}\n").unwrap_err();
    assert_eq!((e.line, e.code), (2, "case.kind"));
    let e = parse("name: t\nkind: annual\nyear: 2026\nexpect: {rejected: {zz: record.year}}\n")
        .unwrap_err();
    assert_eq!(e.code, "case.unknown_record");
    let e =
        parse("name: t\nkind: annual\nyear: 2026\nexpect: {failed: [annual.total]}\n").unwrap_err();
    assert_eq!(e.code, "case.rule");
    let e = parse("name: t\nkind: annual\nyear: 2026\nyear: 2025\nexpect: {}\n").unwrap_err();
    assert_eq!((e.line, e.code), (4, "case.syntax"));
}

// ---------------------------------------------------------------- policy loading

fn policy_files() -> Vec<(String, String)> {
    let dir = root().join("policy/anhui");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            (
                p.file_name().unwrap().to_str().unwrap().to_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

fn with_2026(edit: impl Fn(&str) -> String) -> Vec<(String, String)> {
    policy_files()
        .into_iter()
        .map(|(f, t)| {
            if f == "2026.toml" {
                let t = edit(&t);
                (f, t)
            } else {
                (f, t)
            }
        })
        .collect()
}

fn load_error(files: &[(String, String)]) -> String {
    load_files("anhui", files).unwrap_err().to_string()
}

#[test]
fn the_shipped_policy_loads_from_disk_and_embedded_alike() {
    let embedded = load_embedded("anhui").unwrap();
    let disk = load_dir(&root().join("policy"), "anhui").unwrap();
    assert_eq!(embedded.hash, disk.hash);
    assert_eq!(embedded.first_year(), Some(2016));
    let y2026 = embedded.year(2026).unwrap();
    assert_eq!(y2026.minutes_per_hour.value, 40);
    assert!(y2026.minutes_per_hour.cite.confirmed);
    assert_eq!(
        y2026.public_deadline.value,
        Date::parse("2027-05-31").unwrap()
    );
    assert_eq!(y2026.conversion.as_ref().unwrap().kinds.len(), 12);
    assert!(
        y2026
            .conversion
            .as_ref()
            .unwrap()
            .kinds
            .iter()
            .all(|k| !k.cite.confirmed)
    );
    assert_eq!(y2026.cycle.average_until.value, 2030);
    assert!(!embedded.year(2025).unwrap().minutes_per_hour.cite.confirmed);
}

#[test]
fn a_value_without_a_citation_is_refused() {
    let files = with_2026(|t| {
        t.replacen(
            "minutes = 40\nsource = \"皖人社函〔2026〕235号 三\"\n",
            "minutes = 40\n",
            1,
        )
    });
    assert!(
        load_error(&files).contains("缺少引用来源"),
        "{}",
        load_error(&files)
    );
    let files = with_2026(|t| {
        t.replacen(
            "source = \"皖人社函〔2026〕235号 三\"",
            "source = \"皖人社函〔2026〕235号\"",
            1,
        )
    });
    assert!(load_error(&files).contains("缺少条款"));
    let files = with_2026(|t| t.replacen("confirmed = true\n", "", 1));
    assert!(load_error(&files).contains("confirmed"));
}

#[test]
fn an_unknown_rule_id_or_key_is_refused() {
    let files = with_2026(|t| {
        format!(
            "{t}\n[rules.\"annual.totl_min\"]\nhours = 1\nsource = \"x号 一\"\nconfirmed = true\n"
        )
    });
    assert!(load_error(&files).contains("未知的规则标识 `annual.totl_min`"));
    let files = with_2026(|t| t.replacen("minutes = 40\n", "minutes = 40\nseconds = 5\n", 1));
    assert!(load_error(&files).contains("未知的键 `seconds`"));
    let files = with_2026(|t| {
        t.replacen(
            "[rules.\"record.overlap\"]",
            "[rules.\"record.overlapp\"]",
            1,
        )
    });
    assert!(load_error(&files).contains("record.overlapp"));
}

#[test]
fn overlapping_periods_and_gaps_are_refused() {
    // 2026's period reaching into January 2027 overlaps a 2027 file.
    let mut files = with_2026(|t| t.replacen("to = 2026-12-31", "to = 2027-01-31", 1));
    let y2027 = files
        .iter()
        .find(|(f, _)| f == "2026.toml")
        .unwrap()
        .1
        .replace("year = 2026", "year = 2027")
        .replace("from = 2026-01-01", "from = 2027-01-01")
        .replace("to = 2027-01-31", "to = 2027-12-31");
    files.push(("2027.toml".to_owned(), y2027));
    assert!(
        load_error(&files).contains("重叠"),
        "{}",
        load_error(&files)
    );
    let files: Vec<_> = policy_files()
        .into_iter()
        .filter(|(f, _)| f != "2020.toml")
        .collect();
    assert!(load_error(&files).contains("不连续"));
    let files = with_2026(|t| t.replacen("from = 2026-01-01", "from = 2025-12-01", 1));
    assert!(load_error(&files).contains("与年度 2026 不符"));
}

#[test]
fn adding_2027_is_one_new_file() {
    let mut files = policy_files();
    let y2027 = files
        .iter()
        .find(|(f, _)| f == "2026.toml")
        .unwrap()
        .1
        .replace("year = 2026", "year = 2027")
        .replace("2026-01-01", "2027-01-01")
        .replace("2026-12-31", "2027-12-31")
        .replace(
            "public_deadline = 2027-05-31",
            "public_deadline = 2028-05-31",
        );
    files.push(("2027.toml".to_owned(), y2027));
    let p = load_files("anhui", &files).unwrap();
    let y = p.year(2027).unwrap();
    assert_eq!(y.projected_from, None);
    assert_eq!(y.public_deadline.value, Date::parse("2028-05-31").unwrap());
    assert_eq!(p.year(2028).unwrap().projected_from, Some(2027));
}

#[test]
fn overlapping_transition_exceptions_are_refused() {
    let extra = "\n[[exceptions]]\nid = \"另一个老办法\"\nrule = \"conversion.table\"\ncohort = \"old\"\nfrom = 2030-06-01\nto = 2032-12-31\nsource = \"某文件〔2030〕1号 一\"\nconfirmed = true\nquote = \"老人老办法\"\n";
    let files = with_2026(|t| format!("{t}{extra}"));
    assert!(
        load_error(&files).contains("过渡例外期间重叠"),
        "{}",
        load_error(&files)
    );
    // Adjacent, not overlapping, is fine.
    let files = with_2026(|t| format!("{t}{}", extra.replace("2030-06-01", "2031-01-01")));
    assert!(load_files("anhui", &files).is_ok());
}

#[test]
fn a_conversion_kind_defined_twice_or_an_unconfirmed_value_without_a_note_is_refused() {
    let files = with_2026(|t| t.replacen("{ kind = \"book\"", "{ kind = \"patent_invention\"", 1));
    assert!(load_error(&files).contains("重复定义"));
    let files = with_2026(|t| {
        t.replacen(
            "note = \"“备案同意后方可实施”：同意日不晚于开班日即可，提前天数为本系统解释\"\n",
            "",
            1,
        )
    });
    assert!(load_error(&files).contains("note"));
}

#[test]
fn years_beyond_the_last_file_are_projected_and_say_so() {
    let p = anhui();
    let y = p.year(2031).unwrap();
    assert_eq!(y.projected_from, Some(2026));
    assert_eq!(y.public_deadline.value, Date::parse("2032-05-31").unwrap());
    assert!(!y.minutes_per_hour.cite.confirmed);
    let person = Person::default();
    let registry = Registry::default();
    let d = evaluate_annual(
        p,
        Facts {
            person: &person,
            registry: &registry,
        },
        &[],
        2031,
        Options::default(),
    )
    .unwrap();
    assert!(d.unconfirmed.contains(RuleId::AnnualTotalMin));
}

// ---------------------------------------------------------------- reproducibility

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let file = root().join("policy/examples/lu-an-2026.yaml");
    let (case, policy) = xueshi_policy::runner::load_case(&file, &policies())
        .map(|(c, _)| (c, anhui()))
        .unwrap();
    let render = || {
        let eval = case.evaluate(policy, Options { trace: true }).unwrap();
        serde_json::to_vec(&render::to_json(&eval, policy, &case.records)).unwrap()
    };
    let first = render();
    assert_eq!(first, render());
    let text = String::from_utf8(first).unwrap();
    assert!(text.contains(&policy.hash) && text.contains("xueshi-policy"));
}

// ---------------------------------------------------------------- invariants (proptest)

fn date_in(year: i32) -> impl Strategy<Value = Date> {
    (0i32..365).prop_map(move |d| {
        Date::from_day_number(Date::first_of_year(year).unwrap().day_number() + d).unwrap()
    })
}

fn record_strategy() -> impl Strategy<Value = Record> {
    let subject = prop_oneof![Just(Subject::Professional), Just(Subject::Public)];
    let form = proptest::sample::select(Form::ALL.to_vec());
    let provider = prop_oneof![
        (1u8..=4).prop_map(Provider::Base),
        proptest::sample::select(ProviderKind::ALL.to_vec()).prop_map(Provider::Kind),
        Just(Provider::Registered("皖江在线学院".to_owned())),
        Just(Provider::Registered("未备案单位".to_owned())),
    ];
    let amount = prop_oneof![
        (0u64..=400).prop_map(|t| Amount::Hours(Hours::from_tenths(t))),
        (0u64..=3000).prop_map(Amount::Minutes),
    ];
    let exam = prop_oneof![Just(Exam::Pass), Just(Exam::Fail), Just(Exam::None)];
    let year = prop_oneof![6 => Just(2026), 1 => Just(2025), 1 => Just(2027)];
    (
        subject,
        form,
        proptest::option::of(provider),
        year.prop_flat_map(date_in),
        0i32..20,
        amount,
        exam,
    )
        .prop_flat_map(|(subject, form, provider, completed, span, amount, exam)| {
            let filing = proptest::option::of(proptest::sample::select(vec![
                "城市备案",
                "县备案",
                "迟备案",
            ]));
            let conversion = proptest::option::of(proptest::sample::select(vec![
                "paper_general",
                "patent_utility",
                "book",
                "nope",
            ]));
            let achievement =
                proptest::option::of(proptest::sample::select(vec!["ZL1", "zl 1", "DOI-2"]));
            let for_year = proptest::option::of(Just(2026));
            (
                Just((subject, form, provider, completed, span, amount, exam)),
                filing,
                conversion,
                achievement,
                for_year,
            )
        })
        .prop_map(
            |(
                (subject, form, provider, completed, span, amount, exam),
                filing,
                conversion,
                achievement,
                for_year,
            )| {
                let started = Date::from_day_number(completed.day_number() - span).ok();
                let conversion = conversion
                    .filter(|_| form == Form::Conversion)
                    .map(str::to_owned);
                Record {
                    id: String::new(),
                    subject,
                    form,
                    provider,
                    started,
                    completed,
                    amount: if conversion.is_some() && matches!(amount, Amount::Minutes(_)) {
                        None
                    } else {
                        Some(amount)
                    },
                    exam,
                    for_year: for_year.filter(|_| subject == Subject::Public),
                    filing: filing.map(str::to_owned),
                    conversion,
                    achievement: achievement.map(str::to_owned),
                    registered: None,
                }
            },
        )
}

fn records_strategy(max: usize) -> impl Strategy<Value = Vec<Record>> {
    proptest::collection::vec(record_strategy(), 0..max).prop_map(|mut v| {
        for (i, r) in v.iter_mut().enumerate() {
            r.id = format!("r{i:02}");
        }
        v
    })
}

fn registry() -> Registry {
    let d = |s| Date::parse(s).unwrap();
    let region = |s| Place::Region(RegionCode::parse(s).unwrap());
    Registry {
        filings: vec![
            Filing {
                id: "城市备案".into(),
                approved: d("2025-06-01"),
                place: region("341500"),
            },
            Filing {
                id: "县备案".into(),
                approved: d("2026-01-05"),
                place: region("341523"),
            },
            Filing {
                id: "迟备案".into(),
                approved: d("2026-12-01"),
                place: region("341500"),
            },
        ],
        providers: vec![RegisteredProvider {
            id: "皖江在线学院".into(),
            registrations: vec![Registration {
                place: region("341500"),
                from: d("2026-03-01"),
                to: d("2026-10-31"),
            }],
        }],
        converted: vec!["DOI-2".into()],
    }
}

fn person(cohort_old: bool, county: bool) -> Person {
    Person {
        cohort: if cohort_old { Cohort::Old } else { Cohort::New },
        place: Place::Region(RegionCode::parse(if county { "341522" } else { "341500" }).unwrap()),
        left: None,
    }
}

/// The decision with record outcomes keyed by id, so that order can be compared away.
fn summary(
    d: &xueshi_policy::AnnualDecision<'_>,
    records: &[Record],
) -> (
    bool,
    String,
    Vec<String>,
    BTreeMap<String, String>,
    Vec<&'static str>,
) {
    let outcomes = records
        .iter()
        .zip(&d.records)
        .map(|(r, o)| (r.id.clone(), format!("{o:?}")))
        .collect();
    let mut warnings: Vec<&str> = d.warnings.iter().map(|w| w.rule.as_str()).collect();
    warnings.sort_unstable();
    (
        d.compliant,
        format!("{:?}", d.hours),
        d.failed().iter().map(|r| r.as_str().to_owned()).collect(),
        outcomes,
        warnings,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn adding_a_record_never_turns_compliant_into_non_compliant(
        records in records_strategy(14), extra in record_strategy(), old in any::<bool>(), county in any::<bool>(),
    ) {
        let (p, reg, person) = (anhui(), registry(), person(old, county));
        let facts = Facts { person: &person, registry: &reg };
        let before = evaluate_annual(p, facts, &records, 2026, Options::default()).unwrap();
        let mut more = records.clone();
        let mut extra = Record { id: "extra".into(), ..extra };
        // The one intended exception (D21): a record showing that the same achievement was
        // already converted in an earlier year takes that conversion away from this year.
        if extra.completed.year() < 2026 {
            extra.achievement = None;
        }
        more.push(extra);
        let after = evaluate_annual(p, facts, &more, 2026, Options::default()).unwrap();
        prop_assert!(after.hours.total >= before.hours.total);
        prop_assert!(after.hours.professional >= before.hours.professional);
        prop_assert!(after.hours.public >= before.hours.public);
        prop_assert!(!before.compliant || after.compliant);
    }

    #[test]
    fn input_order_never_changes_the_decision(
        records in records_strategy(14), seed in any::<u64>(), old in any::<bool>(), county in any::<bool>(),
    ) {
        let (p, reg, person) = (anhui(), registry(), person(old, county));
        let facts = Facts { person: &person, registry: &reg };
        let mut shuffled = records.clone();
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let a = evaluate_annual(p, facts, &records, 2026, Options::default()).unwrap();
        let b = evaluate_annual(p, facts, &shuffled, 2026, Options::default()).unwrap();
        prop_assert_eq!(summary(&a, &records), summary(&b, &shuffled));
    }

    #[test]
    fn no_record_is_credited_more_than_it_claims_and_bases_stay_under_the_cap(
        records in records_strategy(20), old in any::<bool>(), county in any::<bool>(),
    ) {
        let (p, reg, person) = (anhui(), registry(), person(old, county));
        let d = evaluate_annual(p, Facts { person: &person, registry: &reg }, &records, 2026, Options::default()).unwrap();
        let mut base = Hours::ZERO;
        for (r, o) in records.iter().zip(&d.records) {
            prop_assert!(o.credited <= o.claimed, "{} credited {} of {}", r.id, o.credited, o.claimed);
            if let Some(Amount::Hours(h)) = r.amount {
                prop_assert!(o.credited <= h);
            }
            if o.rejected.is_some() {
                prop_assert_eq!(o.credited, Hours::ZERO);
            }
            if r.form == Form::Online && r.subject == Subject::Public && matches!(r.provider, Some(Provider::Base(_))) && o.credit_year == 2026 {
                base += o.credited;
            }
        }
        prop_assert!(base <= p.year(2026).unwrap().base_cap.value);
        let sum: Hours = d.records.iter().filter(|o| o.credit_year == 2026).map(|o| o.credited).sum();
        prop_assert_eq!(sum, d.hours.total);
    }

    #[test]
    fn tracing_never_changes_the_decision(records in records_strategy(12)) {
        let (p, reg, person) = (anhui(), registry(), person(false, true));
        let facts = Facts { person: &person, registry: &reg };
        let plain = evaluate_annual(p, facts, &records, 2026, Options { trace: false }).unwrap();
        let traced = evaluate_annual(p, facts, &records, 2026, Options { trace: true }).unwrap();
        prop_assert_eq!(summary(&plain, &records), summary(&traced, &records));
        prop_assert!(plain.trace.is_empty());
        prop_assert!(records.iter().all(|r| r.completed.year() != 2026) || !traced.trace.is_empty());
    }
}

// ---------------------------------------------------------------- file bounds (item 9)

/// Writes `bytes` as a case file in a fresh temporary folder and runs it.
fn run_bytes(name: &str, bytes: &[u8]) -> Verdict {
    let dir = std::env::temp_dir().join(format!("xueshi-case-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("case.yaml");
    std::fs::write(&file, bytes).unwrap();
    let verdict = run_file(&file, &policies()).verdict;
    std::fs::remove_dir_all(&dir).unwrap();
    verdict
}

#[test]
fn a_non_utf8_case_file_is_refused_with_its_line_and_byte_offset_in_chinese() {
    let mut bytes = HEAD.as_bytes().to_vec();
    let offset = bytes.len() + "  - {id: ".len();
    bytes.extend_from_slice(b"  - {id: \xff\xfe, subject: professional, form: research, completed: 2026-04-01, hours: 90}\n");
    let Verdict::Invalid(message) = run_bytes("utf8", &bytes) else {
        panic!("a non-UTF-8 file was evaluated");
    };
    assert!(message.starts_with("第 6 行"), "{message}");
    assert!(message.contains(&format!("第 {offset} 字节")), "{message}");
    assert!(
        message.contains("UTF-8") && message.contains("[case.encoding]"),
        "{message}"
    );
    assert!(!message.contains("invalid utf-8"), "{message}");
}

#[test]
fn a_huge_record_id_or_case_file_is_refused() {
    let long_id = format!(
        "{HEAD}  - {{id: {}, subject: professional, form: research, completed: 2026-04-01, hours: 90}}\n",
        "a".repeat(101)
    );
    let Verdict::Invalid(message) = run_bytes("id", long_id.as_bytes()) else {
        panic!("a 101-character record id was accepted");
    };
    assert!(
        message.contains("records[0].id") && message.contains("[case.too_long]"),
        "{message}"
    );
    let huge = format!(
        "{HEAD}  - {{id: {}, subject: professional, form: research, completed: 2026-04-01, hours: 90}}\n",
        "a".repeat(5 << 20)
    );
    let Verdict::Invalid(message) = run_bytes("huge", huge.as_bytes()) else {
        panic!("a 5 MB case was accepted");
    };
    assert!(message.contains("[case.too_large]"), "{message}");
    // At the bound, the id is fine.
    let at_bound = format!(
        "{HEAD}  - {{id: {}, subject: professional, form: research, completed: 2026-04-01, hours: 90}}\n",
        "a".repeat(100)
    );
    assert!(!matches!(
        run_bytes("bound", at_bound.as_bytes()),
        Verdict::Invalid(_)
    ));
}

// ---------------------------------------------------------------- what numbers are (item 8)

#[test]
fn cycle_checks_say_what_each_number_is() {
    // 2024–2026: 3 × 90 = 270 required; 115.5 in 2026 alone, 90 in each other year.
    let case = parse(
        "name: t\nkind: cycle\nyears: [2024, 2026]\nexpect: {compliant: true}\nrecords:\n\
         - {id: a, subject: professional, form: research, completed: 2024-04-01, hours: 90}\n\
         - {id: b, subject: professional, form: research, completed: 2025-04-01, hours: 90}\n\
         - {id: c, subject: professional, form: research, completed: 2026-04-01, hours: 115.5}\n",
    )
    .unwrap();
    let policy = anhui();
    let eval = case.evaluate(policy, Options::default()).unwrap();
    let json = render::to_json(&eval, policy, &case.records);
    let checks = json["checks"].as_array().unwrap();
    let by_rule = |rule: &str| checks.iter().find(|c| c["rule"] == rule).unwrap();
    let total = by_rule("cycle.average_total");
    assert_eq!(total["measure"], "cycle_sum");
    assert_eq!(total["required"], "270");
    assert_eq!(total["required_label"], "周期内各年度要求之和");
    assert_eq!(total["actual_label"], "周期内认定合计");
    let cramming = by_rule("cycle.no_cramming");
    assert_eq!(cramming["measure"], "largest_year");
    assert_eq!(cramming["actual"], "115.5");
    assert_eq!(cramming["actual_label"], "认定最多的单一年度");
    let text = render::to_text(&eval, &case.records);
    assert!(!text.contains("年均总学时"), "{text}");
    assert!(
        text.contains("认定最多的单一年度 115.5 学时，未达整个周期要求合计 270 学时"),
        "{text}"
    );
    assert!(
        text.contains("周期内各年度要求之和 270，周期内认定合计 295.5"),
        "{text}"
    );
}
