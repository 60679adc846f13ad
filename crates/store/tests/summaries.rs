//! Statistics from per person-year summaries, on SQLite and PostgreSQL alike: the store's own
//! writes mark what they change (inside their transaction), a refresh writes what the engine
//! decides, and counts and rates per county, industry and unit follow a void, a filing decision,
//! a change of unit and a leaver.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::Options;
use xueshi_policy::decision::Decision;
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Place, Record, Subject};
use xueshi_store::ledger::Act;
use xueshi_store::people::{NewPerson, NewUnit, UnitKind};
use xueshi_store::records::NewRecord;
use xueshi_store::registry::NewFiling;
use xueshi_store::summaries::{self, GroupBy, Row, Scope, Within};
use xueshi_store::{Db, DbDate, Keys, LedgerSigner, export, on_db, people, records, registry};
use xueshi_testkit::{done, fresh_dbs, policy};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn region(code: &str) -> RegionCode {
    RegionCode::parse(code).unwrap()
}

fn act(on: &str) -> Act<'static> {
    Act {
        actor: "unit:admin",
        region: None,
        on: d(on),
        now_ms: 10,
    }
}

struct World {
    db: Db,
    keys: Keys,
    signer: LedgerSigner,
    /// 金安区 卫生健康, 裕安区 教育, 金安区 教育
    units: [i64; 3],
    n: u32,
}

impl World {
    async fn new(db: Db) -> World {
        let keys = Keys::from_master([7; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
        registry::seed_places(&db, policy()).await.unwrap();
        registry::init_ledger(&db, &signer).await.unwrap();
        let mut units = [0; 3];
        for (i, (county, industry, name)) in [
            ("341502", "卫生健康", "金安区人民医院"),
            ("341503", "教育", "裕安区第一中学"),
            ("341502", "教育", "金安区实验小学"),
        ]
        .into_iter()
        .enumerate()
        {
            units[i] = people::insert_unit(
                &db,
                &NewUnit {
                    credit_code: CreditCode::complete(&format!("12{county}MB000000{i}")).unwrap(),
                    name: name.to_owned(),
                    region: region(county),
                    zone_id: None,
                    industry: industry.to_owned(),
                    kind: UnitKind::Institution,
                },
                1,
            )
            .await
            .unwrap();
        }
        World {
            db,
            keys,
            signer,
            units,
            n: 0,
        }
    }

    /// A person employed at `unit` from 2020.
    async fn person(&mut self, unit: usize) -> i64 {
        self.n += 1;
        let person = people::insert_person(
            &self.db,
            &self.keys,
            &NewPerson {
                id_number: IdNumber::complete(&format!("34150219900101{:03}", self.n)).unwrap(),
                name: format!("人员{}", self.n),
                cohort: Cohort::New,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        people::employ(&self.db, person, self.units[unit], d("2020-01-01"))
            .await
            .unwrap();
        person
    }

    /// Registers professional academic hours completed on `on`; returns the record id.
    async fn study(&self, person: i64, label: &str, on: &str, hours: u64) -> i64 {
        let r = new_record(person, academic(label, on, hours));
        records::register(&self.db, &self.signer, &[r], 5)
            .await
            .unwrap()[0]
            .0
    }

    async fn refresh(&self) -> usize {
        summaries::catch_up(&self.db, policy(), 100).await.unwrap()
    }

    async fn stats(&self, by: GroupBy, within: Within) -> Vec<(String, i64, i64, i64)> {
        summaries::statistics(&self.db, 2026, by, &within)
            .await
            .unwrap()
            .into_iter()
            .map(|r: Row| (r.key, r.persons, r.compliant, r.rate_permille))
            .collect()
    }

    async fn summary(&self, person: i64) -> summaries::Summary {
        summaries::summary(&self.db, person, 2026)
            .await
            .unwrap()
            .unwrap()
    }

    async fn marks(&self) -> Vec<(i64, i64)> {
        let sql = "SELECT person_id, year FROM summary_dirty ORDER BY person_id, year";
        on_db!(&self.db, p => sqlx::query_as(sql).fetch_all(p).await.unwrap())
    }
}

fn academic(label: &str, on: &str, hours: u64) -> Record {
    Record {
        id: label.to_owned(),
        subject: Subject::Professional,
        form: Form::Academic,
        provider: None,
        started: None,
        completed: d(on),
        amount: Some(Amount::Hours(Hours::whole(hours))),
        exam: Exam::None,
        for_year: None,
        filing: None,
        conversion: None,
        achievement: None,
        registered: None,
    }
}

fn new_record(person_id: i64, record: Record) -> NewRecord {
    NewRecord {
        person_id,
        content: format!("{}的学习内容", record.id),
        registered_on: record.completed,
        record,
        certificate_no: None,
        evidence: None,
        actor: "unit:admin".to_owned(),
    }
}

fn county(code: &str) -> Within {
    Within {
        area: Some(Place::Region(region(code))),
        ..Within::default()
    }
}

#[tokio::test]
async fn writes_mark_their_person_years_and_a_refresh_writes_what_the_engine_decides() {
    for db in fresh_dbs("summaries").await {
        let mut w = World::new(db).await;
        let a = w.person(0).await;
        let b = w.person(1).await;
        // No year has person-years yet: an employment marks nothing.
        assert_eq!(w.marks().await, vec![]);
        w.study(a, "年会", "2026-05-10", 60).await;
        w.study(a, "研讨", "2026-09-10", 40).await;
        w.study(b, "讲座", "2025-11-01", 95).await;
        // A record marks its person-year, inside the registering transaction.
        assert_eq!(w.marks().await, vec![(a, 2026), (b, 2025)]);
        let taken = summaries::refresh_dirty(&w.db, policy(), 100, 10)
            .await
            .unwrap();
        assert_eq!(taken, 2);
        assert_eq!(w.marks().await, vec![]);

        for (person, year) in [(a, 2026), (b, 2025)] {
            let case = export::person_year_case(&w.db, policy(), person, year)
                .await
                .unwrap();
            let eval = case.evaluate(policy(), Options::default()).unwrap();
            let Decision::Annual(decision) = eval.decision else {
                panic!("not an annual decision")
            };
            let s = summaries::summary(&w.db, person, year)
                .await
                .unwrap()
                .unwrap();
            assert!(decision.required && s.required);
            assert_eq!(s.compliant, decision.compliant);
            assert_eq!(s.total_tenths, if year == 2026 { 1000 } else { 950 });
            assert_eq!(
                u64::try_from(s.total_tenths).unwrap(),
                decision.hours.total.tenths()
            );
            assert_eq!(
                u64::try_from(s.professional_tenths).unwrap(),
                decision.hours.professional.tenths()
            );
            assert_eq!(s.public_tenths, 0);
            assert_eq!(s.total_short_tenths, 0);
        }
        let s = w.summary(a).await;
        assert_eq!((s.unit_id, s.region, s.city), (w.units[0], 341502, 341500));
        assert_eq!(s.industry, "卫生健康");
        assert!(s.compliant);
        done(w.db).await;
    }
}

#[tokio::test]
async fn counts_and_rates_per_county_industry_and_unit_follow_a_void() {
    for db in fresh_dbs("summaries").await {
        let mut w = World::new(db).await;
        let p1 = w.person(0).await; // 金安 卫生: compliant
        let p2 = w.person(0).await; // 金安 卫生: compliant, then a record voided
        let p3 = w.person(1).await; // 裕安 教育: 50 hours only
        let p4 = w.person(2).await; // 金安 教育: compliant
        let _p5 = w.person(2).await; // 金安 教育: no record at all
        w.study(p1, "年会", "2026-05-10", 90).await;
        let voided = w.study(p2, "年会", "2026-05-10", 60).await;
        w.study(p2, "研讨", "2026-06-10", 30).await;
        w.study(p3, "年会", "2026-05-10", 50).await;
        w.study(p4, "年会", "2026-05-10", 100).await;
        w.refresh().await;

        // Everyone employed in 2026 counts, the person without records too (the year was opened).
        assert_eq!(
            w.stats(GroupBy::County, Within::default()).await,
            vec![
                ("341502".to_owned(), 4, 3, 750),
                ("341503".to_owned(), 1, 0, 0),
            ]
        );
        assert_eq!(
            w.stats(GroupBy::Industry, Within::default()).await,
            vec![
                ("卫生健康".to_owned(), 2, 2, 1000),
                ("教育".to_owned(), 3, 1, 333),
            ]
        );
        let units: Vec<(i64, i64)> = w
            .stats(GroupBy::Unit, Within::default())
            .await
            .into_iter()
            .map(|(_, persons, compliant, _)| (persons, compliant))
            .collect();
        assert_eq!(units.len(), 3);
        assert!(units.contains(&(2, 2)) && units.contains(&(1, 0)) && units.contains(&(2, 1)));
        let rows = summaries::statistics(&w.db, 2026, GroupBy::Unit, &Within::default())
            .await
            .unwrap();
        assert!(
            rows.iter()
                .any(|r| r.name == "金安区实验小学" && r.persons == 2)
        );

        // A county sees itself; a city its counties; an industry within a county.
        assert_eq!(
            w.stats(GroupBy::County, county("341503")).await,
            vec![("341503".to_owned(), 1, 0, 0)]
        );
        assert_eq!(w.stats(GroupBy::County, county("341500")).await.len(), 2);
        assert_eq!(
            w.stats(
                GroupBy::Industry,
                Within {
                    industry: Some("教育".to_owned()),
                    ..county("341502")
                }
            )
            .await,
            vec![("教育".to_owned(), 2, 1, 500)]
        );
        assert_eq!(
            w.stats(
                GroupBy::Unit,
                Within {
                    unit: Some(w.units[1]),
                    ..Within::default()
                }
            )
            .await
            .len(),
            1
        );
        assert_eq!(w.stats(GroupBy::County, county("341522")).await, vec![]);

        // The void marks p2's year; after a refresh p2 (now 30 hours) is not compliant.
        records::void(
            &w.db,
            &w.signer,
            voided,
            "重复登记",
            None,
            act("2026-07-01"),
        )
        .await
        .unwrap();
        assert_eq!(w.marks().await, vec![(p2, 2026)]);
        // Before the refresh the statistics are those of the summaries as they were.
        assert_eq!(
            w.stats(GroupBy::County, county("341502")).await,
            vec![("341502".to_owned(), 4, 3, 750)]
        );
        w.refresh().await;
        assert_eq!(
            w.stats(GroupBy::County, county("341502")).await,
            vec![("341502".to_owned(), 4, 2, 500)]
        );
        let s = w.summary(p2).await;
        assert!(!s.compliant);
        assert_eq!(s.total_tenths, 300);
        assert_eq!(s.total_short_tenths, 600);
        assert_eq!(s.professional_short_tenths, 300);
        done(w.db).await;
    }
}

#[tokio::test]
async fn a_filing_decision_a_change_of_unit_and_a_leaver_are_followed() {
    for db in fresh_dbs("summaries").await {
        let mut w = World::new(db).await;
        let p = w.person(0).await;
        let q = w.person(0).await;
        let filing = registry::submit_filing(
            &w.db,
            &NewFiling {
                // Filed without a number: the bureau assigns it when approving.
                number: None,
                title: "专业能力提升班".to_owned(),
                provider_org: None,
                region: region("341500"),
                zone_id: None,
                starts_on: d("2026-03-02"),
                ends_on: d("2026-03-11"),
                details: Default::default(),
            },
            2,
        )
        .await
        .unwrap();
        let mut class = academic("培训班", "2026-03-11", 90);
        class.form = Form::TrainingClass;
        class.started = Some(d("2026-03-02"));
        class.filing = Some("六人社培备〔2026〕9号".to_owned());
        records::register(&w.db, &w.signer, &[new_record(p, class)], 5)
            .await
            .unwrap();
        w.study(q, "年会", "2026-05-10", 90).await;
        w.refresh().await;
        // Not yet approved: the class does not count (D8).
        assert!(!w.summary(p).await.compliant);

        // The approval (given before the class started) assigns the number the record names,
        // and marks the person-years naming it.
        registry::decide_filing(
            &w.db,
            &w.signer,
            filing,
            true,
            None,
            Some("六人社培备〔2026〕9号"),
            Act {
                actor: "bureau:341500",
                region: None,
                on: d("2026-02-10"),
                now_ms: 3,
            },
        )
        .await
        .unwrap();
        assert_eq!(w.marks().await, vec![(p, 2026)]);
        w.refresh().await;
        assert!(w.summary(p).await.compliant);

        // A change of unit (裕安区 from July) moves the person-year there.
        people::employ(&w.db, q, w.units[1], d("2026-07-01"))
            .await
            .unwrap();
        assert_eq!(w.marks().await, vec![(q, 2026)]);
        w.refresh().await;
        assert_eq!(
            w.stats(GroupBy::County, Within::default()).await,
            vec![
                ("341502".to_owned(), 1, 1, 1000),
                ("341503".to_owned(), 1, 1, 1000),
            ]
        );

        // Left before 2026: nothing was required that year, so q no longer counts (D17a).
        people::set_left(&w.db, q, Some(d("2025-12-31")))
            .await
            .unwrap();
        assert_eq!(w.marks().await, vec![(q, 2026)]);
        w.refresh().await;
        assert!(!w.summary(q).await.required);
        assert_eq!(
            w.stats(GroupBy::County, Within::default()).await,
            vec![("341502".to_owned(), 1, 1, 1000)]
        );
        done(w.db).await;
    }
}

#[tokio::test]
async fn a_write_during_a_refresh_renumbers_its_mark_so_the_refresh_keeps_it() {
    for db in fresh_dbs("summaries").await {
        let mut w = World::new(db).await;
        let p = w.person(0).await;
        w.study(p, "年会", "2026-05-10", 40).await;
        let seq = |db: Db| async move {
            let sql = "SELECT seq FROM summary_dirty";
            let s: i64 = on_db!(&db, p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap());
            s
        };
        let first = seq(w.db.clone()).await;
        w.study(p, "研讨", "2026-06-10", 50).await;
        let second = seq(w.db.clone()).await;
        assert!(second > first, "a new write renumbers the mark");
        // A refresher that read the first number deletes nothing: the mark stays.
        let gone = on_db!(&w.db, pool => sqlx::query(
            "DELETE FROM summary_dirty WHERE person_id = $1 AND year = 2026 AND seq = $2"
        ).bind(p).bind(first).execute(pool).await.unwrap().rows_affected());
        assert_eq!(gone, 0);
        assert_eq!(w.marks().await, vec![(p, 2026)]);
        w.refresh().await;
        assert!(w.summary(p).await.compliant);
        // New rules for the year mark its summaries again.
        let other = with_total_min(2026, 101);
        summaries::prepare(&w.db, &other).await.unwrap();
        assert_eq!(w.marks().await, vec![(p, 2026)]);
        assert_eq!(summaries::pending(&w.db, Some(2026)).await.unwrap(), 1);
        done(w.db).await;
    }
}

/// The policy with another yearly total minimum (D4) for `year`.
fn with_total_min(year: i32, hours: u64) -> xueshi_policy::Policy {
    let mut other = policy().clone();
    let y = other.years.iter_mut().find(|y| y.year == year).unwrap();
    y.total_min.value = Hours::whole(hours);
    other
}

/// `(decided_ms, compliant)` of a person-year's summary.
async fn decided(db: &Db, person: i64, year: i64) -> (i64, bool) {
    let sql = "SELECT decided_ms, compliant FROM person_year_summaries WHERE person_id = $1 AND year = $2";
    on_db!(db, p => sqlx::query_as(sql).bind(person).bind(year).fetch_one(p).await.unwrap())
}

#[tokio::test]
async fn a_policy_change_to_one_year_re_decides_that_year_only() {
    for db in fresh_dbs("summaries").await {
        let mut w = World::new(db).await;
        let p = w.person(0).await;
        let q = w.person(1).await;
        w.study(p, "讲座", "2025-11-01", 95).await;
        w.study(p, "年会", "2026-05-10", 100).await;
        w.study(q, "研讨", "2026-06-10", 20).await;
        summaries::catch_up(&w.db, policy(), 100).await.unwrap();
        assert_eq!(decided(&w.db, p, 2025).await, (100, true));
        // The same policy again changes nothing.
        summaries::prepare(&w.db, policy()).await.unwrap();
        assert_eq!(w.marks().await, vec![]);

        // 2025 now asks for 96 hours: its person-years (both persons were in service) are
        // re-decided, 2026's are not touched.
        let changed = with_total_min(2025, 96);
        summaries::prepare(&w.db, &changed).await.unwrap();
        assert_eq!(w.marks().await, vec![(p, 2025), (q, 2025)]);
        let n = summaries::drain(&w.db, &changed, 200, Scope::default(), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(decided(&w.db, p, 2025).await, (200, false));
        assert_eq!(decided(&w.db, p, 2026).await, (100, true));
        assert_eq!(decided(&w.db, q, 2026).await, (100, false));
        let hash: String = on_db!(&w.db, pool => sqlx::query_scalar(
            "SELECT policy_hash FROM person_year_summaries WHERE person_id = $1 AND year = 2025"
        ).bind(p).fetch_one(pool).await.unwrap());
        assert_eq!(hash, summaries::year_hash(&changed, 2025));
        summaries::prepare(&w.db, &changed).await.unwrap();
        assert_eq!(w.marks().await, vec![]);

        // A refresh of one year (`statistics refresh --year`) leaves the other years' marks.
        w.study(p, "补充", "2025-12-01", 1).await;
        w.study(p, "补充二", "2026-12-01", 1).await;
        let one = Scope {
            year: Some(2025),
            ..Scope::default()
        };
        let n = summaries::drain(&w.db, &changed, 300, one, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(decided(&w.db, p, 2025).await, (300, true));
        assert_eq!(w.marks().await, vec![(p, 2026)]);
        // `--all` marks every person-year of the year, changed or not.
        assert_eq!(
            summaries::mark_all(&w.db, &changed, Some(2025))
                .await
                .unwrap(),
            2
        );
        assert_eq!(summaries::pending(&w.db, Some(2025)).await.unwrap(), 2);
        // Re-deciding them under the same policy confirms what is kept: the rows are not
        // rewritten, so each still says when its decision was reached.
        let n = summaries::drain(&w.db, &changed, 400, one, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(n, 2);
        assert_eq!(decided(&w.db, p, 2025).await, (300, true));
        assert_eq!(decided(&w.db, q, 2025).await, (200, false));
        assert_eq!(summaries::pending(&w.db, Some(2025)).await.unwrap(), 0);
        // A re-decision that differs replaces the row: q's 30 hours of 2025 change q's
        // summary (still short of 96), and only q's.
        w.study(q, "补课", "2025-10-01", 30).await;
        let n = summaries::drain(&w.db, &changed, 500, one, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(decided(&w.db, q, 2025).await, (500, false));
        assert_eq!(decided(&w.db, p, 2025).await, (300, true));
        done(w.db).await;
    }
}

#[test]
fn per_mille_is_rounded_half_up_in_integers() {
    assert_eq!(summaries::permille(1, 3), 333);
    assert_eq!(summaries::permille(2, 3), 667);
    assert_eq!(summaries::permille(1, 8), 125);
    assert_eq!(summaries::permille(1, 2000), 1);
    assert_eq!(summaries::permille(0, 0), 0);
}

/// The summary a person-year should have, from the per-person path: the case of
/// `export::person_year_case` and the placement as a query of its own.
async fn expected(db: &Db, person: i64, year: i32) -> Option<summaries::Summary> {
    let sql = "SELECT u.id, u.region, u.zone_id, z.city, u.industry, e.to_on FROM employments e
               JOIN units u ON u.id = e.unit_id LEFT JOIN zones z ON z.id = u.zone_id
               WHERE e.person_id = $1 AND e.from_on <= $2
               ORDER BY e.from_on DESC, e.id DESC LIMIT 1";
    type Placed = (i64, i64, Option<i64>, Option<i64>, String, Option<DbDate>);
    let last = DbDate(Date::last_of_year(year).unwrap());
    let row: Option<Placed> = on_db!(db, p => sqlx::query_as(sql)
        .bind(person).bind(last).fetch_optional(p).await.unwrap());
    let (unit_id, region, zone_id, zone_city, industry, to) = row?;
    if to.is_some_and(|t| t.0 < Date::first_of_year(year).unwrap()) {
        return None;
    }
    let case = export::person_year_case(db, policy(), person, year)
        .await
        .unwrap();
    let Decision::Annual(d) = case.evaluate(policy(), Options::default()).ok()?.decision else {
        return None;
    };
    let tenths = |h: Hours| i64::try_from(h.tenths()).unwrap();
    let short = |rule: xueshi_policy::rule::RuleId| {
        d.checks
            .iter()
            .find(|c| c.rule == rule)
            .map_or(0, |c| tenths(c.required - c.actual))
    };
    Some(summaries::Summary {
        person_id: person,
        year,
        unit_id,
        region,
        zone_id,
        city: zone_city.unwrap_or_else(|| {
            let code = RegionCode::from_u32(u32::try_from(region).unwrap()).unwrap();
            i64::from(code.city().as_u32())
        }),
        industry,
        required: d.required,
        compliant: d.compliant,
        total_tenths: tenths(d.hours.total),
        professional_tenths: tenths(d.hours.professional),
        public_tenths: tenths(d.hours.public),
        total_short_tenths: short(xueshi_policy::rule::RuleId::AnnualTotalMin),
        professional_short_tenths: short(xueshi_policy::rule::RuleId::AnnualProfessionalMin),
    })
}

/// A demo Lu'an of `persons` persons (`xueshi_demo::seed`): its ledger signer and the persons'
/// ids in order.
async fn demo(db: &Db, persons: u64) -> (LedgerSigner, Vec<i64>) {
    let keys = Keys::from_master([9; 32]);
    let signer = LedgerSigner::new(&keys, "test.xueshi/demo").unwrap();
    let opts = xueshi_demo::DemoOptions {
        persons,
        ..xueshi_demo::DemoOptions::default()
    };
    xueshi_demo::seed(db, &keys, &signer, policy(), &opts, &mut |_, _| {})
        .await
        .unwrap();
    let persons = on_db!(db, p => sqlx::query_scalar("SELECT id FROM persons ORDER BY id")
        .fetch_all(p).await.unwrap());
    (signer, persons)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_refresh_decides_every_person_year_as_the_per_person_case_does() {
    for db in fresh_dbs("summaries").await {
        let (_, persons) = demo(&db, 200).await;
        // A leaver (D17a), on top of what the demo holds.
        people::set_left(&db, persons[3], Some(d("2025-06-30")))
            .await
            .unwrap();
        let count = |sql: &'static str| {
            let db = db.clone();
            async move {
                let n: i64 = on_db!(&db, p => sqlx::query_scalar(sql).fetch_one(p).await.unwrap());
                n
            }
        };
        // The world has every kind of fact a case is built from.
        for sql in [
            "SELECT COUNT(*) FROM voids",
            "SELECT COUNT(*) FROM records WHERE filing_number IS NOT NULL",
            "SELECT COUNT(*) FROM records r JOIN courseware_providers c ON c.name = r.provider",
            "SELECT COUNT(*) FROM (SELECT achievement_key FROM records WHERE form = 'conversion'
               GROUP BY achievement_key HAVING COUNT(DISTINCT person_id) > 1) t",
            "SELECT COUNT(*) FROM (SELECT person_id FROM employments GROUP BY person_id
               HAVING COUNT(DISTINCT unit_id) > 1) t",
        ] {
            assert!(count(sql).await > 0, "{sql}");
        }
        let years = 2023..=2027;
        let mut want = Vec::new();
        for &person in &persons {
            for year in years.clone() {
                want.push(((person, year), expected(&db, person, year).await));
            }
        }
        assert!(want.iter().filter(|(_, s)| s.is_some()).count() > 500);
        // Every person-year marked, refreshed in whole batches, then in small ones (a batch's
        // facts must not leak into another person's case).
        for limit in [summaries::BATCH, 7] {
            let mark =
                "INSERT INTO summary_dirty (person_id, year) SELECT id, $1 FROM persons WHERE TRUE
                ON CONFLICT (person_id, year) DO NOTHING";
            for year in years.clone() {
                on_db!(&db, p => sqlx::query(mark).bind(i64::from(year)).execute(p).await.unwrap().rows_affected());
            }
            summaries::prepare(&db, policy()).await.unwrap();
            if limit == summaries::BATCH {
                while summaries::refresh_dirty(&db, policy(), 1, limit)
                    .await
                    .unwrap()
                    > 0
                {}
            } else {
                // The pipelined drain, in batches small enough to overlap many times.
                let scope = Scope {
                    year: None,
                    batch: limit,
                };
                summaries::drain(&db, policy(), 1, scope, &mut |_| {})
                    .await
                    .unwrap();
            }
            for ((person, year), want) in &want {
                let got = summaries::summary(&db, *person, *year).await.unwrap();
                assert_eq!(&got, want, "person {person}, {year}");
                assert_eq!(
                    &summaries::evaluate(&db, policy(), *person, *year)
                        .await
                        .unwrap(),
                    want
                );
            }
        }
        done(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_refreshers_on_postgresql_decide_every_person_year_once_and_leave_none_stale() {
    for db in fresh_dbs("summaries").await {
        if db.backend() != xueshi_store::db::Backend::Postgres {
            done(db).await;
            continue;
        }
        let (_, persons) = demo(&db, 120).await;
        // The seed leaves the planner's statistics current and the tables vacuumed
        // (Db::analyze, Db::vacuum_analyze), whether or not autovacuum runs (CI's PostgreSQL has
        // it off).
        let analyzed: i64 = on_db!(&db, p => sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_user_tables
              WHERE schemaname = current_schema() AND last_analyze IS NOT NULL
                AND last_vacuum IS NOT NULL AND relname IN ('persons', 'employments', 'records', 'ledger_entries')"
        ).fetch_one(p).await.unwrap());
        assert_eq!(analyzed, 4);
        let years = 2023..=2027;
        for year in years.clone() {
            on_db!(&db, p => sqlx::query(
                "INSERT INTO summary_dirty (person_id, year) SELECT id, $1 FROM persons WHERE TRUE
                 ON CONFLICT (person_id, year) DO NOTHING"
            ).bind(i64::from(year)).execute(p).await.unwrap().rows_affected());
        }
        summaries::prepare(&db, policy()).await.unwrap();
        let marked = usize::try_from(summaries::pending(&db, None).await.unwrap()).unwrap();
        assert!(marked >= 600);
        // Three refreshers on one queue, small batches so that they interleave; each stamps
        // its summaries with its own number.
        let refreshers: Vec<_> = (1..=3)
            .map(|k| {
                let db = db.clone();
                tokio::spawn(async move {
                    let scope = Scope {
                        year: None,
                        batch: 7,
                    };
                    summaries::drain(&db, policy(), k, scope, &mut |_| {})
                        .await
                        .unwrap()
                })
            })
            .collect();
        let mut counts = Vec::new();
        for r in refreshers {
            counts.push(r.await.unwrap());
        }
        // No person-year decided twice: the refreshers' counts add up to the marks exactly.
        assert_eq!(counts.iter().sum::<usize>(), marked, "{counts:?}");
        assert!(counts.iter().filter(|n| **n > 0).count() >= 2, "{counts:?}");
        // None left stale: no mark is left, and every summary is the per-person decision.
        assert_eq!(summaries::pending(&db, None).await.unwrap(), 0);
        for &person in &persons {
            for year in years.clone() {
                let got = summaries::summary(&db, person, year).await.unwrap();
                assert_eq!(got, expected(&db, person, year).await, "{person}, {year}");
            }
        }
        let stamps: Vec<(i64, i64)> = on_db!(&db, p => sqlx::query_as(
            "SELECT decided_ms, COUNT(*) FROM person_year_summaries GROUP BY decided_ms ORDER BY 1"
        ).fetch_all(p).await.unwrap());
        assert!(
            stamps.iter().all(|(k, _)| (1..=3).contains(k)),
            "{stamps:?}"
        );
        done(db).await;
    }
}

/// A refresh reads old facts by design (SQLite: one snapshot kept across batches; PostgreSQL:
/// a batch read while writes go on), so what must hold is: a person-year whose mark is gone has
/// the summary its current facts give. Writes land on many persons while a drain runs in small
/// batches; afterwards every person-year without a mark is checked against the per-person
/// decision, and one more drain leaves none stale.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_during_a_drain_leave_no_unmarked_person_year_stale() {
    for db in fresh_dbs("summaries").await {
        let (signer, persons) = demo(&db, 150).await;
        let year = 2026;
        summaries::mark_all(&db, policy(), Some(year))
            .await
            .unwrap();
        let drain = tokio::spawn({
            let db = db.clone();
            async move {
                let scope = Scope {
                    year: Some(year),
                    batch: 5,
                };
                summaries::drain(&db, policy(), 1, scope, &mut |_| {})
                    .await
                    .unwrap()
            }
        });
        // From the last persons backwards, so that writes land both behind and ahead of the
        // drain's cursor; enough hours to change a decision.
        let writer = tokio::spawn({
            let (db, persons) = (db.clone(), persons.clone());
            async move {
                for (i, &person) in persons.iter().rev().step_by(3).enumerate() {
                    let label = format!("并发登记{i}");
                    let r = new_record(person, academic(&label, "2026-03-02", 30));
                    records::register(&db, &signer, &[r], 5).await.unwrap();
                }
            }
        });
        let (decided, written) = tokio::join!(drain, writer);
        assert!(decided.unwrap() >= persons.len() / 2);
        written.unwrap();
        let marked: Vec<i64> = on_db!(&db, p => sqlx::query_scalar(
            "SELECT person_id FROM summary_dirty WHERE year = $1"
        ).bind(i64::from(year)).fetch_all(p).await.unwrap());
        for &person in &persons {
            if marked.contains(&person) {
                continue;
            }
            let got = summaries::summary(&db, person, year).await.unwrap();
            assert_eq!(got, expected(&db, person, year).await, "person {person}");
        }
        let scope = Scope {
            year: Some(year),
            batch: summaries::BATCH,
        };
        summaries::drain(&db, policy(), 2, scope, &mut |_| {})
            .await
            .unwrap();
        assert_eq!(summaries::pending(&db, Some(year)).await.unwrap(), 0);
        for &person in &persons {
            let got = summaries::summary(&db, person, year).await.unwrap();
            assert_eq!(got, expected(&db, person, year).await, "person {person}");
        }
        done(db).await;
    }
}
