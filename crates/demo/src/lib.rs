//! Demo and scale data: a plausible Lu'an, built through the same API as real registrations.
//! Its seven districts and counties, city-direct units and the development zone's, a few
//! hundred units across industries with valid credit codes, thousands of professionals with
//! valid ID numbers and their employments (some change unit mid-period), the bureaus' training
//! filings and decisions, the city's courseware register, and years of learning records — most
//! of them compliant, with the edge cases of DOMAIN mixed in at realistic rates: short years,
//! base hours above the cap, failed base exams, unfiled or late-filed training, unregistered
//! courseware, conversions (some of the same achievement by two colleagues), public records
//! completed early next year for the year before, crammed tenure cycles, same-day overlaps,
//! late registrations, and voids with their corrections.
//!
//! Deterministic: the same seed gives the same units, persons, filings and records (only the
//! random salts and nonces of sealed personal data differ). Expects an empty database.

use std::collections::HashSet;
use std::ops::RangeInclusive;

use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::Policy;
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Provider, ProviderKind, Record, Subject};

use xueshi_store::db::Db;
use xueshi_store::error::StoreError;
use xueshi_store::keys::Keys;
use xueshi_store::ledger::{Act, LedgerSigner};
use xueshi_store::people::{self, NewPerson, NewUnit, UnitKind};
use xueshi_store::records::{self, NewRecord};
use xueshi_store::registry::{self, NewFiling};

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoOptions {
    pub persons: u64,
    pub seed: u64,
    /// Credit years with records; each must have rules in the policy.
    pub years: RangeInclusive<i32>,
    /// The day the demo is built: records completed or registered later are left out (a
    /// demo seeded in November has no December training yet). None: whole years.
    pub today: Option<Date>,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            persons: 5000,
            seed: 2026,
            years: 2024..=2026,
            today: None,
        }
    }
}

/// What was generated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub units: u64,
    pub persons: u64,
    /// Registered record rows, corrections included.
    pub records: u64,
    pub voids: u64,
    /// Training filings submitted (decided or not).
    pub filings: u64,
    pub provider_registrations: u64,
}

/// Persons per batch: one registration transaction (and one progress report) each.
const BATCH: u64 = 500;

// ------------------------------------------------------------------------------- randomness

/// SplitMix64's output function.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64, one independent stream per purpose and index, so that changing how one
/// person's records are drawn changes nobody else's.
#[derive(Clone, Debug)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: &str, index: u64) -> Self {
        let mut h = mix(seed ^ 0x6A09_E667_F3BC_C908);
        for b in stream.bytes() {
            h = mix(h ^ u64::from(b));
        }
        Self(mix(h ^ mix(index.wrapping_add(0x9E37_79B9_7F4A_7C15))))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next() % n }
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    fn per_mille(&mut self, p: u64) -> bool {
        self.below(1000) < p
    }

    fn index(&mut self, len: usize) -> usize {
        usize::try_from(self.below(u64::try_from(len).unwrap_or(u64::MAX))).unwrap_or(0)
    }

    fn pick<T: Copy + Default>(&mut self, items: &[T]) -> T {
        items
            .get(self.index(items.len()))
            .copied()
            .unwrap_or_default()
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut x = self.below(weights.iter().sum());
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        0
    }

    /// [`Rng::weighted`] over the running sums of the weights (`cumulative[i]` = the sum of
    /// the first i + 1), by binary search: the same draw and the same answer, in O(log n).
    fn weighted_cumulative(&mut self, cumulative: &[u64]) -> usize {
        let x = self.below(cumulative.last().copied().unwrap_or(0));
        let i = cumulative.partition_point(|&c| c <= x);
        if i < cumulative.len() { i } else { 0 }
    }

    /// An element of `all` (ascending) other than `skip`, drawn as `rng.index` over the list
    /// without it would draw; `None` when there is none.
    fn other_than(&mut self, all: &[usize], skip: usize) -> Option<usize> {
        let at = all.binary_search(&skip).ok();
        let len = all.len() - usize::from(at.is_some());
        let k = self.index(len);
        if k >= len {
            return None;
        }
        all.get(match at {
            Some(p) if k >= p => k + 1,
            _ => k,
        })
        .copied()
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.index(i + 1);
            items.swap(i, j);
        }
    }
}

// ------------------------------------------------------------------------------- Lu'an

pub mod accounts;
mod data;
mod plan;
mod world;
mod years;

use data::*;
use plan::*;
use world::*;
use years::*;

/// Seeds an empty database with a plausible Lu'an (see the module documentation): places and
/// the ledger first, then units, the courseware register, training filings, and persons with
/// their records in batches of 500, reporting `progress(done_persons, total_persons)` after each.
pub async fn seed(
    db: &Db,
    keys: &Keys,
    signer: &LedgerSigner,
    policy: &Policy,
    opts: &DemoOptions,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<DemoSummary, StoreError> {
    let years = year_contexts(policy, &opts.years)?;
    registry::seed_places(db, policy).await?;
    registry::init_ledger(db, signer).await?;
    let zone = match zone_name(policy) {
        Some(name) => registry::zone_id(db, &name).await?.map(|id| (id, name)),
        None => None,
    };
    let first = years.first().map_or(2024, |y| y.year);
    let mut summary = DemoSummary::default();
    let units = create_units(
        db,
        opts,
        zone.as_ref().map(|(id, _)| *id),
        ymd(first - 1, 1, 1)?,
    )
    .await?;
    summary.units = u64::try_from(units.len()).unwrap_or(0);
    let providers = register_providers(db, signer, &years, &mut summary).await?;
    let mut world = World {
        seed: opts.seed,
        staff_cumulative: staff_cumulative(&units),
        by_industry: units_by_industry(&units),
        units,
        filings: Vec::new(),
        providers,
        years,
        persons: opts.persons,
        today: opts.today,
    };
    world.filings = create_filings(
        db,
        signer,
        &world,
        zone.as_ref().map(|(id, name)| (*id, name.as_str())),
        &mut summary,
    )
    .await?;
    let mut used_ids = HashSet::new();
    let mut done = 0;
    // The planner's statistics are refreshed as the tables grow (at 1,000 persons, then each
    // time they have grown fourfold): a plan chosen for empty tables turns an indexed look-up
    // per person into a scan that grows with the data (Db::analyze). At the end the tables are
    // vacuumed too, so that index-only scans need not visit the heap (Db::vacuum_analyze).
    let mut analyze_at = 1_000;
    while done < opts.persons {
        let end = (done + BATCH).min(opts.persons);
        seed_batch(
            db,
            keys,
            signer,
            &world,
            done..end,
            &mut used_ids,
            &mut summary,
        )
        .await?;
        done = end;
        if done == opts.persons {
            db.vacuum_analyze().await?;
        } else if done >= analyze_at {
            db.analyze().await?;
            analyze_at = done.saturating_mul(4);
        }
        progress(done, opts.persons);
    }
    Ok(summary)
}

/// The current staff of a unit (at most `limit`, by id) and whether each met every year's
/// requirement from `first` to `last` by the kept summaries — to pick whom the demo's pending
/// applications are for (a compliant cycle to stamp, a short one to refuse).
pub async fn staff_years_met(
    db: &Db,
    unit_id: i64,
    first: i32,
    last: i32,
    limit: i64,
) -> Result<Vec<(i64, bool)>, StoreError> {
    let sql = "SELECT e.person_id,
                      SUM(CASE WHEN s.compliant OR NOT s.required THEN 1 ELSE 0 END) AS met,
                      COUNT(s.year) AS years
               FROM employments e
               JOIN person_year_summaries s ON s.person_id = e.person_id AND s.year BETWEEN $2 AND $3
               WHERE e.unit_id = $1 AND e.to_on IS NULL
               GROUP BY e.person_id ORDER BY e.person_id LIMIT $4";
    let rows: Vec<(i64, i64, i64)> = xueshi_store::on_db!(db, p => sqlx::query_as(sql)
        .bind(unit_id).bind(i64::from(first)).bind(i64::from(last)).bind(limit)
        .fetch_all(p).await?);
    let span = i64::from(last - first + 1);
    Ok(rows
        .into_iter()
        .map(|(person, met, years)| (person, years == span && met == span))
        .collect())
}

/// The first unit of a development zone, if the demo has one.
pub async fn zone_unit(db: &Db) -> Result<Option<i64>, StoreError> {
    let sql = "SELECT id FROM units WHERE zone_id IS NOT NULL ORDER BY id LIMIT 1";
    Ok(xueshi_store::on_db!(db, p => sqlx::query_scalar(sql).fetch_optional(p).await?))
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )]

    use std::collections::BTreeMap;

    use xueshi_policy::case::Question;
    use xueshi_policy::{Decision, Options, RuleId, load_embedded};

    use super::*;
    use xueshi_store::{export, on_db, verify};

    fn policy() -> &'static Policy {
        static P: std::sync::OnceLock<Policy> = std::sync::OnceLock::new();
        P.get_or_init(|| load_embedded("anhui").unwrap())
    }

    fn path(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("xueshi-demo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(format!("{name}.db"))
    }

    fn remove(name: &str) {
        let path = path(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
    }

    async fn fresh(name: &str) -> Db {
        remove(name);
        Db::open(&format!("sqlite://{}", path(name).display()))
            .await
            .unwrap()
    }

    async fn done(db: Db, name: &str) {
        db.close().await;
        remove(name);
    }

    async fn count(db: &Db, table: &str) -> u64 {
        let n: i64 = on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
            .fetch_one(p).await.unwrap());
        u64::try_from(n).unwrap()
    }

    type Row = (
        i64,
        String,
        String,
        Option<String>,
        String,
        Option<i64>,
        Option<i64>,
        String,
        String,
        i64,
    );

    /// Everything deterministic about the registered records and voids.
    async fn dump(db: &Db) -> (Vec<Row>, Vec<(i64, String, String)>) {
        let sql = "SELECT person_id, label, content, provider, completed_on, hours_tenths, minutes,
                   registered_on, actor, entry_index FROM records ORDER BY id";
        let vsql = "SELECT record_id, reason, voided_on FROM voids ORDER BY id";
        on_db!(db, p => (
            sqlx::query_as(sql).fetch_all(p).await.unwrap(),
            sqlx::query_as(vsql).fetch_all(p).await.unwrap(),
        ))
    }

    async fn seeded(
        name: &str,
        opts: &DemoOptions,
    ) -> (Db, LedgerSigner, DemoSummary, Vec<(u64, u64)>) {
        let db = fresh(name).await;
        let keys = Keys::from_master([9; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/demo").unwrap();
        let mut calls = Vec::new();
        let summary = seed(&db, &keys, &signer, policy(), opts, &mut |done, total| {
            calls.push((done, total));
        })
        .await
        .unwrap();
        (db, signer, summary, calls)
    }

    fn small() -> DemoOptions {
        DemoOptions {
            persons: 300,
            ..DemoOptions::default()
        }
    }

    #[test]
    fn the_defaults_are_lu_an_at_scale() {
        let o = DemoOptions::default();
        assert_eq!((o.persons, o.seed, o.years), (5000, 2026, 2024..=2026));
    }

    #[test]
    fn generated_identifiers_are_valid_and_the_generator_is_seeded() {
        let mut a = Rng::new(1, "x", 0);
        let mut b = Rng::new(1, "x", 0);
        let mut c = Rng::new(2, "x", 0);
        let (va, vb, vc): (Vec<u64>, Vec<u64>, Vec<u64>) = (
            (0..8).map(|_| a.next()).collect(),
            (0..8).map(|_| b.next()).collect(),
            (0..8).map(|_| c.next()).collect(),
        );
        assert_eq!(va, vb);
        assert_ne!(va, vc);
        let mut used = HashSet::new();
        for kind in UnitKind::ALL {
            let code = credit_code(&mut a, kind, 341_522, &mut used).unwrap();
            assert_eq!(CreditCode::parse(code.as_str()).unwrap(), code);
            assert_eq!(code.region_prefix(), 341_522);
        }
        // Every forced edge case lands on a distinct person, whatever the population.
        for persons in [1, 16, 300, 5000] {
            let forced: Vec<u32> = (0..persons)
                .map(|i| forced_edge(i, persons))
                .filter(|f| *f != 0)
                .collect();
            if persons >= 16 {
                assert_eq!(forced, FORCED.to_vec(), "{persons}");
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn there_is_one_demo_account_per_role_and_each_must_change_its_password() {
        let opts = DemoOptions {
            persons: 60,
            ..DemoOptions::default()
        };
        let (db, _, _, _) = seeded("accounts", &opts).await;
        let keys = Keys::from_master([9; 32]);
        let policy = xueshi_store::accounts::AccountPolicy {
            password: xueshi_store::accounts::PasswordParams {
                m_cost_kib: 256,
                t_cost: 1,
                p_cost: 1,
            },
            ..xueshi_store::accounts::AccountPolicy::default()
        };
        let made = accounts::create(&db, &keys, &policy, 1).await.unwrap();
        let roles: HashSet<_> = made.iter().map(|a| a.role).collect();
        assert_eq!(roles.len(), xueshi_domain::Role::ALL.len(), "{made:?}");
        for a in &made {
            assert_eq!(a.password.chars().count(), 14);
            let outcome = xueshi_store::accounts::login(&db, &policy, &a.login, &a.password, 2)
                .await
                .unwrap();
            assert!(outcome.must_change_password, "{}", a.login);
        }
        done(db, "accounts").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_demo_built_on_a_day_holds_nothing_after_it() {
        let today = Date::parse("2026-11-26").unwrap();
        let opts = DemoOptions {
            today: Some(today),
            ..small()
        };
        let (db, _, summary, _) = seeded("today", &opts).await;
        let (records, voids) = dump(&db).await;
        assert!(summary.records > 0 && records.len() as u64 == summary.records);
        let day = |s: &str| Date::parse(s).unwrap();
        let records_2026 = records.iter().filter(|r| r.4.starts_with("2026")).count();
        assert!(records_2026 > 0, "this year's records up to today are kept");
        for r in &records {
            assert!(day(&r.4) <= today, "completed after today: {r:?}");
            assert!(day(&r.7) <= today, "registered after today: {r:?}");
        }
        for v in &voids {
            assert!(day(&v.2) <= today, "voided after today: {v:?}");
        }
        // The same seed without a day holds later records: the cut is what removed them.
        let (whole, _, _, _) = seeded("whole", &small()).await;
        let (all, _) = dump(&whole).await;
        assert!(all.iter().any(|r| day(&r.4) > today));
        done(db, "today").await;
        done(whole, "whole").await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn seeding_is_counted_verifiable_and_deterministic() {
        let opts = small();
        let (db, signer, summary, calls) = seeded("a", &opts).await;
        assert_eq!(calls, vec![(300, 300)]);
        assert_eq!(summary.units, 20);
        assert_eq!(summary.persons, 300);
        assert_eq!(count(&db, "units").await, summary.units);
        assert_eq!(count(&db, "persons").await, summary.persons);
        assert_eq!(count(&db, "records").await, summary.records);
        assert_eq!(count(&db, "voids").await, summary.voids);
        assert_eq!(count(&db, "filings").await, summary.filings);
        assert_eq!(
            count(&db, "provider_registrations").await,
            summary.provider_registrations
        );
        assert!(summary.records > 300 * 3 * 4, "{summary:?}");
        assert!(summary.voids >= 2, "{summary:?}");
        // Units in every district and county, city-direct and in the zone.
        let regions: Vec<(i64, Option<i64>)> = on_db!(&db, p => sqlx::query_as(
            "SELECT DISTINCT region, zone_id FROM units ORDER BY region, zone_id").fetch_all(p).await.unwrap());
        assert!(
            regions.iter().any(|(r, z)| *r == 341_500 && z.is_none()),
            "{regions:?}"
        );
        assert!(regions.iter().any(|(_, z)| z.is_some()), "{regions:?}");
        // Some persons changed unit.
        let movers: i64 = on_db!(&db, p => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT person_id FROM employments GROUP BY person_id HAVING COUNT(*) > 1) AS m")
            .fetch_one(p).await.unwrap());
        assert!(movers > 0);

        let report = verify::verify(&db, &signer.verifier(), None).await.unwrap();
        assert!(report.ok(), "{:?}", report.problems);
        let decisions = count(&db, "filing_decisions").await;
        assert_eq!(
            report.entries,
            summary.records + summary.voids + decisions + summary.provider_registrations
        );

        let (again_db, _, again, _) = seeded("b", &opts).await;
        assert_eq!(again, summary);
        assert!(
            dump(&db).await == dump(&again_db).await,
            "same seed, same data"
        );
        // Another seed: another Lu'an (compared on the units, so no persons are needed).
        let (other_db, _, _, _) = seeded(
            "c",
            &DemoOptions {
                persons: 0,
                seed: 7,
                ..small()
            },
        )
        .await;
        let units = |db: Db| async move {
            let rows: Vec<(String, String)> = on_db!(&db, p => sqlx::query_as(
                "SELECT name, credit_code FROM units ORDER BY id").fetch_all(p).await.unwrap());
            rows
        };
        let (mine, theirs) = (units(db.clone()).await, units(other_db.clone()).await);
        assert_eq!(mine.len(), theirs.len());
        assert_ne!(mine, theirs, "another seed, other units");

        // Each person's entries are in time order (D11), corrections included.
        let entries: Vec<(i64, String, i64)> = on_db!(&db, p => sqlx::query_as(
            "SELECT person_id, registered_on, entry_index FROM records
             UNION ALL SELECT person_id, voided_on, entry_index FROM voids
             ORDER BY 1, 3").fetch_all(p).await.unwrap());
        for pair in entries.windows(2) {
            let ((p1, d1, _), (p2, d2, _)) = (&pair[0], &pair[1]);
            assert!(p1 != p2 || d1 <= d2, "{pair:?}");
        }
        for (db, name) in [(db, "a"), (again_db, "b"), (other_db, "c")] {
            done(db, name).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_data_holds_compliant_years_and_every_edge_case() {
        let (db, _, summary, _) = seeded("d", &small()).await;
        let persons: Vec<i64> = on_db!(&db, p => sqlx::query_scalar("SELECT id FROM persons ORDER BY id")
            .fetch_all(p).await.unwrap());
        let mut rejected: BTreeMap<&str, u64> = BTreeMap::new();
        let mut warnings: BTreeMap<&str, u64> = BTreeMap::new();
        let mut cycle_failed: BTreeMap<&str, u64> = BTreeMap::new();
        let mut compliant_2026 = 0u64;
        for &person in &persons {
            for year in 2024..=2026 {
                let case = export::person_year_case(&db, policy(), person, year)
                    .await
                    .unwrap();
                let Decision::Annual(d) = case
                    .evaluate(policy(), Options::default())
                    .unwrap()
                    .decision
                else {
                    panic!("not an annual decision")
                };
                if year == 2026 && d.compliant {
                    compliant_2026 += 1;
                }
                for r in d.records.iter().filter(|r| r.credit_year == year) {
                    if let Some(rule) = r.rejected {
                        *rejected.entry(rule.as_str()).or_default() += 1;
                    }
                }
                for w in &d.warnings {
                    *warnings.entry(w.rule.as_str()).or_default() += 1;
                }
                if year == 2026 {
                    let mut cycle = case.clone();
                    cycle.question = Question::Cycle {
                        first: 2024,
                        last: 2026,
                    };
                    let Decision::Cycle(c) = cycle
                        .evaluate(policy(), Options::default())
                        .unwrap()
                        .decision
                    else {
                        panic!("not a cycle decision")
                    };
                    for rule in c.failed().iter() {
                        *cycle_failed.entry(rule.as_str()).or_default() += 1;
                    }
                }
            }
        }
        // Mostly compliant, not all.
        assert!(
            compliant_2026 > 300 * 6 / 10 && compliant_2026 < 300,
            "{compliant_2026} of 300 compliant in 2026"
        );
        for rule in [
            RuleId::OnlineBaseCap,
            RuleId::OnlineBaseExam,
            RuleId::FilingRequired,
            RuleId::ProviderRegistered,
            RuleId::ConversionDuplicate,
            RuleId::RegistrationClosed,
        ] {
            assert!(
                rejected.contains_key(rule.as_str()),
                "no record rejected by {rule}: {rejected:?}"
            );
        }
        assert!(warnings.contains_key("record.overlap"), "{warnings:?}");
        assert!(
            cycle_failed.contains_key("cycle.no_cramming"),
            "{cycle_failed:?}"
        );
        // Conversions with a kind, minutes, public records for the year before, corrections.
        let scalar = |sql: &'static str| {
            let db = db.clone();
            async move {
                let n: i64 = on_db!(&db, p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap());
                n
            }
        };
        assert!(scalar("SELECT COUNT(*) FROM records WHERE form = 'conversion' AND conversion_kind IS NOT NULL AND subject = 'public'").await > 0);
        assert!(
            scalar("SELECT COUNT(*) FROM records WHERE minutes IS NOT NULL AND form = 'academic'")
                .await
                > 0
        );
        assert!(scalar("SELECT COUNT(*) FROM records WHERE for_year = 2026 AND completed_on >= '2027-01-01'").await > 0);
        assert!(scalar("SELECT COUNT(*) FROM voids WHERE replaced_by IS NOT NULL").await > 0);
        assert!(scalar("SELECT COUNT(*) FROM voids WHERE replaced_by IS NULL").await > 0);
        assert!(
            scalar(
                "SELECT COUNT(*) FROM filing_decisions WHERE NOT approved AND reason IS NOT NULL"
            )
            .await
                > 0
        );
        assert!(summary.voids > 0);
        done(db, "d").await;
    }
}
