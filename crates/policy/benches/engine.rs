//! Engine benchmark (issue: "1M synthetic person-years of about 10 records; report person-years
//! per second with and without the explanation trace; aim for over 1M per second per core
//! without the trace").
//!
//! A deterministic synthetic population of 2026 person-years (xorshift PRNG, fixed seeds): about
//! ten records each, mixing forms and subjects the way real registrations do (filed professional
//! training classes, academic / research / practice in hours or minutes, public courses at the
//! four provincial bases with passed or failed exams and sometimes over the 30 h cap, hrss
//! courseware, a city-registered provider, paper conversions, records completed in 2025 or 2027
//! or naming a `for_year`, multi-day courses, late registrations).
//!
//! `cargo bench -p xueshi-policy --bench engine` runs the divan benches (items = person-years):
//! - `annual_no_trace`, `annual_trace`: `evaluate_annual` over 10 000 person-years;
//! - `render_json`: `render::to_json` of 10 000 traced decisions;
//! - `render_json_bytes`: the same, serialised (compact) into a reused buffer.
//!
//! `XUESHI_BENCH_1M=1` first times a full pass over 1 000 000 person-years (generated in chunks
//! of 10 000, generation not timed) on one core, then on every core, and prints the rates to
//! stderr. Every pass checks that the decisions are varied (some compliant, some not, every
//! kind of rejection present), so the benchmark cannot be measuring an engine that does nothing.

// A benchmark is not library code: it fails loudly on a broken setup (unwrap/expect/assert),
// reports on stderr, and indexes its own fixed tables.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::indexing_slicing
)]

use std::hint::black_box;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use divan::Bencher;
use divan::counter::ItemsCount;
use xueshi_domain::region::LUAN;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::input::{
    Amount, Cohort, Exam, Filing, Form, Person, Place, Provider, ProviderKind, Record,
    RegisteredProvider, Registration, Registry, Subject,
};
use xueshi_policy::render;
use xueshi_policy::{
    AnnualDecision, Decision, ENGINE_VERSION, Evaluation, Facts, Options, Policy, RuleId,
    evaluate_annual, load_embedded,
};

/// The credit year judged.
const YEAR: i32 = 2026;
/// Person-years per divan iteration and per chunk of the 1M pass.
const BATCH: usize = 10_000;
/// Person-years of the full pass.
const MILLION: usize = 1_000_000;

static POLICY: LazyLock<Policy> = LazyLock::new(|| load_embedded("anhui").expect("anhui policy"));

// ---------------------------------------------------------------------------------------------
// Synthetic population
// ---------------------------------------------------------------------------------------------

/// xorshift64* — tiny, deterministic, good enough to shuffle a population.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // splitmix64 of the seed, so that neighbouring seeds give unrelated streams.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Self((z ^ (z >> 31)) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `lo..=hi` (the tiny modulo bias does not matter here).
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + (self.next() >> 11) % (hi - lo + 1)
    }

    /// True with probability `pct` percent.
    fn pct(&mut self, pct: u64) -> bool {
        self.range(0, 99) < pct
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[usize::try_from(self.range(0, items.len() as u64 - 1)).unwrap()]
    }
}

/// One person's credit year: who, what their records refer to, the records.
struct PersonYear {
    person: Person,
    registry: Registry,
    records: Vec<Record>,
}

fn day(year: i32, day_of_year: u64) -> Date {
    let first = Date::first_of_year(year).unwrap().day_number();
    Date::from_day_number(first + i32::try_from(day_of_year).unwrap()).unwrap()
}

fn plus_days(d: Date, days: u64) -> Date {
    Date::from_day_number(d.day_number() + i32::try_from(days).unwrap()).unwrap()
}

fn minus_days(d: Date, days: u64) -> Date {
    Date::from_day_number(d.day_number() - i32::try_from(days).unwrap()).unwrap()
}

const PROVIDER_ID: &str = "皖江在线学院";
const LUAN_COUNTIES: [u32; 7] = [
    341_502, 341_503, 341_504, 341_522, 341_523, 341_524, 341_525,
];
const ZONE: &str = "六安经济技术开发区";

fn region(code: u32) -> Place {
    Place::Region(RegionCode::from_u32(code).unwrap())
}

fn person(rng: &mut Rng) -> Person {
    let place = match rng.range(0, 99) {
        0..=74 => region(rng.pick(&LUAN_COUNTIES)),
        75..=89 => Place::Region(LUAN), // 市直
        90..=94 => Place::Zone(ZONE.to_owned()),
        _ => region(rng.pick(&[340_100, 340_102, 341_200])), // elsewhere in Anhui
    };
    let cohort = if rng.pct(25) {
        Cohort::Old
    } else {
        Cohort::New
    };
    // A few retired in 2025 (nothing required), a few in the middle of 2026.
    let left = match rng.range(0, 99) {
        0 => Some(day(2025, rng.range(0, 364))),
        1 => Some(day(2026, rng.range(0, 364))),
        _ => None,
    };
    Person {
        cohort,
        place,
        left,
    }
}

/// One filing and one registered provider, as a small registry per person.
fn registry(rng: &mut Rng, n: u64, person: &Person) -> Registry {
    // Mostly the city bureau; sometimes the person's own county bureau (which covers them);
    // rarely another county's (which does not).
    let filing_place = match (rng.range(0, 99), &person.place) {
        (0..=84, _) => Place::Region(LUAN),
        (85..=94, Place::Region(r)) if r.city() == LUAN && *r != LUAN => person.place.clone(),
        (85..=94, _) => Place::Region(LUAN),
        _ => region(rng.pick(&LUAN_COUNTIES)),
    };
    let approved = day(YEAR, rng.range(0, 45));
    let reg_from = if rng.pct(80) {
        day(YEAR, 0)
    } else {
        day(YEAR, rng.range(60, 180))
    };
    let converted = if rng.pct(3) {
        vec![format!("CN-{n}-0")]
    } else {
        Vec::new()
    };
    Registry {
        filings: vec![Filing {
            id: format!("六人社培备〔2026〕{}号", n % 997),
            approved,
            place: filing_place,
        }],
        providers: vec![RegisteredProvider {
            id: PROVIDER_ID.to_owned(),
            registrations: vec![Registration {
                place: Place::Region(LUAN),
                from: reg_from,
                to: day(YEAR, 364),
            }],
        }],
        converted,
    }
}

/// When a record was completed, and which year it asks to count for.
fn completion(rng: &mut Rng, subject: Subject) -> (Date, Option<i32>) {
    match rng.range(0, 99) {
        // Finished early in 2027, before the public deadline (2027-05-31), for 2026.
        0..=4 if subject == Subject::Public => (day(2027, rng.range(0, 140)), Some(YEAR)),
        // For 2026 but finished too late: counted in 2027 with a warning.
        5 if subject == Subject::Public => (day(2027, rng.range(152, 300)), Some(YEAR)),
        // Previous or next year: not in 2026.
        6..=8 => (day(2025, rng.range(200, 364)), None),
        9 => (day(2027, rng.range(0, 200)), None),
        _ => (day(YEAR, rng.range(0, 364)), None),
    }
}

fn hours_or_minutes(rng: &mut Rng, hours: u64) -> Amount {
    match rng.range(0, 9) {
        0..=5 => Amount::Hours(Hours::whole(hours)),
        6..=7 => Amount::Hours(Hours::from_tenths(hours * 10 + 5)),
        _ => Amount::Minutes(hours * 40 + rng.range(0, 39)),
    }
}

fn record(rng: &mut Rng, n: u64, i: usize, registry: &Registry) -> Record {
    let mut r = Record {
        id: format!("P{n:07}-{i:02}"),
        subject: Subject::Professional,
        form: Form::Other,
        provider: None,
        started: None,
        completed: day(YEAR, 0),
        amount: None,
        exam: Exam::None,
        for_year: None,
        filing: None,
        conversion: None,
        achievement: None,
        registered: None,
    };
    let mut span = 0; // days before completion when study started
    match rng.range(0, 99) {
        // Professional training class with a filing (sometimes missing or unknown).
        0..=21 => {
            r.form = Form::TrainingClass;
            let h = rng.pick(&[8, 12, 16, 24, 24, 32, 40, 48]);
            r.amount = Some(Amount::Hours(Hours::whole(h)));
            span = h / 8 + rng.range(0, 2);
            r.exam = if rng.pct(70) { Exam::Pass } else { Exam::None };
            r.filing = match rng.range(0, 39) {
                0 => None,
                1 => Some("六人社培备〔2026〕0号".to_owned()),
                _ => Some(registry.filings[0].id.clone()),
            };
        }
        // Academic conference or lecture.
        22..=35 => {
            r.form = Form::Academic;
            r.amount = Some({
                let h = rng.range(2, 16);
                hours_or_minutes(rng, h)
            });
            span = rng.range(0, 2);
        }
        // Research: papers, projects.
        36..=43 => {
            r.form = Form::Research;
            r.amount = Some(Amount::Hours(Hours::whole(rng.range(4, 20))));
        }
        // Practice.
        44..=51 => {
            r.form = Form::Practice;
            r.amount = Some({
                let h = rng.range(4, 24);
                hours_or_minutes(rng, h)
            });
            span = rng.range(0, 6);
        }
        // Public online course at a provincial base: exam, 30 h cap.
        52..=73 => {
            r.subject = Subject::Public;
            r.form = Form::Online;
            r.provider = Some(Provider::Base(u8::try_from(rng.range(1, 4)).unwrap()));
            r.amount = Some(Amount::Hours(Hours::whole(rng.pick(&[5, 10, 10, 15, 20]))));
            r.exam = match rng.range(0, 19) {
                0..=15 => Exam::Pass,
                16..=18 => Exam::Fail,
                _ => Exam::None,
            };
            span = rng.range(3, 30);
        }
        // hrss courseware, public or professional.
        74..=83 => {
            r.subject = if rng.pct(60) {
                Subject::Public
            } else {
                Subject::Professional
            };
            r.form = Form::Online;
            r.provider = Some(Provider::Kind(ProviderKind::Hrss));
            r.amount = Some({
                let h = rng.range(2, 12);
                hours_or_minutes(rng, h)
            });
            span = rng.range(0, 14);
        }
        // City-registered courseware provider, or one that is not registered.
        84..=88 => {
            r.form = Form::Online;
            let id = if rng.pct(75) {
                PROVIDER_ID
            } else {
                "某外省平台"
            };
            r.provider = Some(Provider::Registered(id.to_owned()));
            r.amount = Some({
                let h = rng.range(2, 10);
                hours_or_minutes(rng, h)
            });
            span = rng.range(0, 20);
        }
        // Conversion of a published paper (public only; professional is refused).
        89..=93 => {
            r.subject = if rng.pct(90) {
                Subject::Public
            } else {
                Subject::Professional
            };
            r.form = Form::Conversion;
            r.conversion = Some("paper_general".to_owned());
            // Achievement 0 is sometimes already converted (registry) or claimed twice.
            r.achievement = Some(format!("CN-{n}-{}", rng.range(0, 2)));
            if rng.pct(30) {
                r.amount = Some(Amount::Hours(Hours::whole(rng.pick(&[8, 10, 15]))));
            }
        }
        // Qualification exam, other.
        94..=96 => {
            r.form = Form::QualificationExam;
            r.amount = Some(Amount::Hours(Hours::whole(rng.range(10, 30))));
        }
        _ => {
            r.form = Form::Other;
            r.amount = Some(Amount::Hours(Hours::whole(rng.range(2, 10))));
        }
    }
    let (completed, for_year) = completion(rng, r.subject);
    r.completed = completed;
    r.for_year = for_year;
    if span > 0 {
        r.started = Some(minus_days(completed, span));
    }
    // Some records carry their registration date; a few were registered after the deadline.
    r.registered = match rng.range(0, 99) {
        0..=29 => Some(plus_days(completed, rng.range(0, 90))),
        30..=31 => Some(day(2027, rng.range(160, 300))),
        _ => None,
    };
    r
}

fn person_year(seed: u64) -> PersonYear {
    let mut rng = Rng::new(seed);
    let person = person(&mut rng);
    let registry = registry(&mut rng, seed, &person);
    let count = usize::try_from(rng.range(7, 13)).unwrap();
    let records = (0..count)
        .map(|i| record(&mut rng, seed, i, &registry))
        .collect();
    PersonYear {
        person,
        registry,
        records,
    }
}

/// Person-years `first..first + len`, the same every run.
fn population(first: u64, len: usize) -> Vec<PersonYear> {
    (first..first + len as u64).map(person_year).collect()
}

// ---------------------------------------------------------------------------------------------
// What is measured
// ---------------------------------------------------------------------------------------------

fn evaluate<'p>(policy: &'p Policy, py: &PersonYear, trace: bool) -> AnnualDecision<'p> {
    let facts = Facts {
        person: &py.person,
        registry: &py.registry,
    };
    evaluate_annual(policy, facts, &py.records, YEAR, Options { trace }).unwrap()
}

fn evaluation<'p>(policy: &'p Policy, d: AnnualDecision<'p>) -> Evaluation<'p> {
    Evaluation {
        engine: ENGINE_VERSION,
        policy_name: &policy.name,
        policy_hash: &policy.hash,
        decision: Decision::Annual(d),
    }
}

/// Evaluates a batch; returns how many were compliant (so the work cannot be dropped).
fn run_batch(policy: &Policy, batch: &[PersonYear], trace: bool) -> usize {
    let mut compliant = 0;
    for py in batch {
        let d = black_box(evaluate(policy, black_box(py), trace));
        compliant += usize::from(d.compliant);
    }
    compliant
}

/// Evaluates with the trace and renders compact JSON bytes (`xueshi evaluate --format json`
/// pretty-prints the same value); returns the bytes written.
fn run_batch_json(policy: &Policy, batch: &[PersonYear], buf: &mut Vec<u8>) -> usize {
    let mut bytes = 0;
    for py in batch {
        let eval = evaluation(policy, evaluate(policy, black_box(py), true));
        buf.clear();
        serde_json::to_writer(&mut *buf, &render::to_json(&eval, policy, &py.records)).unwrap();
        bytes += black_box(&buf).len();
    }
    bytes
}

// ---------------------------------------------------------------------------------------------
// Sanity: the decisions must be varied, or the benchmark measures nothing interesting
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct Tally {
    persons: usize,
    compliant: usize,
    not_required: usize,
    records: usize,
    rejected: [usize; RuleId::ALL.len()],
    limited: usize,
    warnings: usize,
    trace_steps: usize,
}

impl Tally {
    fn add(&mut self, d: &AnnualDecision<'_>) {
        self.persons += 1;
        self.compliant += usize::from(d.compliant);
        self.not_required += usize::from(!d.required);
        self.records += d.records.len();
        for o in &d.records {
            if let Some(rule) = o.rejected {
                self.rejected[rule as usize] += 1;
            }
            self.limited += usize::from(o.limited_by.is_some());
        }
        self.warnings += d.warnings.len();
        self.trace_steps += d.trace.len();
    }

    fn rejected_by(&self, rule: RuleId) -> usize {
        self.rejected[rule as usize]
    }

    /// Panics (via assert) unless the population exercises the engine's branches.
    fn check(&self, trace: bool) {
        let share = |n: usize| n * 100 / self.persons.max(1);
        assert!(self.persons > 0);
        assert!(
            (15..=85).contains(&share(self.compliant)),
            "compliant share out of range: {self:?}"
        );
        assert!(self.not_required > 0, "{self:?}");
        let per_person = self.records * 10 / self.persons;
        assert!((90..=110).contains(&per_person), "records/person: {self:?}");
        for rule in [
            RuleId::RecordYear,
            RuleId::OnlineBaseExam,
            RuleId::OnlineBaseCap,
            RuleId::ProviderRegistered,
            RuleId::FilingRequired,
            RuleId::ConversionTable,
            RuleId::ConversionDuplicate,
            RuleId::RegistrationClosed,
        ] {
            assert!(
                self.rejected_by(rule) > 0,
                "no rejection by {rule}: {self:?}"
            );
        }
        assert!(self.limited > 0 && self.warnings > 0, "{self:?}");
        assert_eq!(trace, self.trace_steps > 0, "{self:?}");
    }

    fn report(&self) -> String {
        let n = self.persons.max(1);
        let rejected: Vec<String> = RuleId::ALL
            .iter()
            .filter(|r| self.rejected_by(**r) > 0)
            .map(|r| format!("{r} {}", self.rejected_by(*r)))
            .collect();
        format!(
            "{} person-years, {:.1} records each; compliant {:.1}%, not required {:.1}%; \
             rejected: {}; limited {}; warnings {}; trace steps/person {:.1}",
            self.persons,
            ratio(self.records, n),
            percent(self.compliant, n),
            percent(self.not_required, n),
            rejected.join(", "),
            self.limited,
            self.warnings,
            ratio(self.trace_steps, n),
        )
    }
}

#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // reporting only
fn ratio(a: usize, b: usize) -> f64 {
    a as f64 / b as f64
}

#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // reporting only
fn percent(a: usize, b: usize) -> f64 {
    100.0 * a as f64 / b as f64
}

#[allow(clippy::float_arithmetic, clippy::cast_precision_loss)] // reporting only
fn per_second(items: usize, d: Duration) -> f64 {
    items as f64 / d.as_secs_f64()
}

fn tally(policy: &Policy, batch: &[PersonYear], trace: bool) -> Tally {
    let mut t = Tally::default();
    for py in batch {
        t.add(&evaluate(policy, py, trace));
    }
    t
}

// ---------------------------------------------------------------------------------------------
// divan benches
// ---------------------------------------------------------------------------------------------

static BATCH_DATA: LazyLock<Vec<PersonYear>> = LazyLock::new(|| population(0, BATCH));

#[divan::bench]
fn annual_no_trace(bencher: Bencher) {
    let (policy, batch) = (&*POLICY, &*BATCH_DATA);
    bencher
        .counter(ItemsCount::new(batch.len()))
        .bench(|| run_batch(policy, batch, false));
    tally(policy, batch, false).check(false);
}

#[divan::bench(sample_count = 30)]
fn annual_trace(bencher: Bencher) {
    let (policy, batch) = (&*POLICY, &*BATCH_DATA);
    bencher
        .counter(ItemsCount::new(batch.len()))
        .bench(|| run_batch(policy, batch, true));
    tally(policy, batch, true).check(true);
}

/// `render::to_json` of traced decisions (evaluation not included).
#[divan::bench(sample_count = 20)]
fn render_json(bencher: Bencher) {
    let (policy, batch) = (&*POLICY, &*BATCH_DATA);
    let evals: Vec<Evaluation<'_>> = batch
        .iter()
        .map(|py| evaluation(policy, evaluate(policy, py, true)))
        .collect();
    bencher.counter(ItemsCount::new(batch.len())).bench(|| {
        let mut keys = 0;
        for (eval, py) in evals.iter().zip(batch) {
            let v = black_box(render::to_json(black_box(eval), policy, &py.records));
            keys += v.as_object().map_or(0, serde_json::Map::len);
        }
        keys
    });
    let sample = render::to_json(&evals[0], policy, &batch[0].records);
    assert!(sample["trace"].as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(sample["kind"], "annual");
}

/// `render::to_json` serialised to bytes (evaluation not included).
#[divan::bench(sample_count = 20)]
fn render_json_bytes(bencher: Bencher) {
    let (policy, batch) = (&*POLICY, &*BATCH_DATA);
    let evals: Vec<Evaluation<'_>> = batch
        .iter()
        .map(|py| evaluation(policy, evaluate(policy, py, true)))
        .collect();
    let mut buf = Vec::with_capacity(64 * 1024);
    bencher
        .counter(ItemsCount::new(batch.len()))
        .bench_local(|| {
            let mut bytes = 0;
            for (eval, py) in evals.iter().zip(batch) {
                buf.clear();
                let v = render::to_json(black_box(eval), policy, &py.records);
                serde_json::to_writer(&mut buf, &v).unwrap();
                bytes += black_box(&buf).len();
            }
            bytes
        });
    assert!(buf.starts_with(b"{"));
}

// ---------------------------------------------------------------------------------------------
// XUESHI_BENCH_1M=1: the full million
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct Pass {
    no_trace: Duration,
    trace: Duration,
    trace_json: Duration,
    json_bytes: usize,
    tally_no_trace: Tally,
    tally_trace: Tally,
}

/// One core: chunks of 10 000 generated (not timed), then timed in each mode.
fn million_one_core(policy: &Policy) -> Pass {
    let mut pass = Pass::default();
    let mut buf = Vec::with_capacity(64 * 1024);
    for chunk in 0..MILLION / BATCH {
        let batch = population((chunk * BATCH) as u64, BATCH);

        let t = Instant::now();
        black_box(run_batch(policy, &batch, false));
        pass.no_trace += t.elapsed();

        let t = Instant::now();
        black_box(run_batch(policy, &batch, true));
        pass.trace += t.elapsed();

        let t = Instant::now();
        pass.json_bytes += black_box(run_batch_json(policy, &batch, &mut buf));
        pass.trace_json += t.elapsed();

        // Untimed: what was decided.
        for py in &batch {
            pass.tally_no_trace.add(&evaluate(policy, py, false));
            pass.tally_trace.add(&evaluate(policy, py, true));
        }
    }
    pass
}

/// Every core: each thread takes every n-th chunk; rate = Σ per-thread rates (evaluation only).
fn million_all_cores(policy: &Policy, threads: usize) -> (f64, usize) {
    let results: Vec<(usize, Duration, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let (mut items, mut time, mut compliant) = (0, Duration::ZERO, 0);
                    for chunk in (t..MILLION / BATCH).step_by(threads) {
                        let batch = population((chunk * BATCH) as u64, BATCH);
                        let start = Instant::now();
                        compliant += black_box(run_batch(policy, &batch, false));
                        time += start.elapsed();
                        items += batch.len();
                    }
                    (items, time, compliant)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let rate = results.iter().map(|(n, d, _)| per_second(*n, *d)).sum();
    let compliant = results.iter().map(|r| r.2).sum();
    (rate, compliant)
}

fn million() {
    let policy = &*POLICY;
    eprintln!("XUESHI_BENCH_1M: {MILLION} synthetic {YEAR} person-years, chunks of {BATCH}");
    let wall = Instant::now();
    let pass = million_one_core(policy);
    pass.tally_no_trace.check(false);
    pass.tally_trace.check(true);
    eprintln!("  population: {}", pass.tally_trace.report());
    eprintln!(
        "  1 core, no trace:        {:>12.0} person-years/s  ({:.2} s)",
        per_second(MILLION, pass.no_trace),
        pass.no_trace.as_secs_f64()
    );
    eprintln!(
        "  1 core, trace:           {:>12.0} person-years/s  ({:.2} s)",
        per_second(MILLION, pass.trace),
        pass.trace.as_secs_f64()
    );
    eprintln!(
        "  1 core, trace + JSON:    {:>12.0} person-years/s  ({:.2} s, {:.0} bytes/decision)",
        per_second(MILLION, pass.trace_json),
        pass.trace_json.as_secs_f64(),
        ratio(pass.json_bytes, MILLION)
    );
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let (rate, compliant) = million_all_cores(policy, threads);
    assert_eq!(compliant, pass.tally_no_trace.compliant, "threads disagree");
    eprintln!("  {threads} cores, no trace:      {rate:>12.0} person-years/s (sum of threads)");
    eprintln!(
        "  (wall time {:.1} s incl. generation)",
        wall.elapsed().as_secs_f64()
    );
}

fn main() {
    if std::env::var_os("XUESHI_BENCH_1M").is_some_and(|v| v == "1") {
        million();
    }
    divan::main();
}
