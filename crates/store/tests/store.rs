//! The store's conformance suite, run against SQLite and PostgreSQL alike: registration,
//! corrections, the database's refusal to change registered rows, sealed personal data, the
//! store feeding the engine, `verify` catching every kind of tampering on every covered table
//! and kept subtree hash, and proofs from kept subtree hashes.
//!
//! PostgreSQL: `XUESHI_TEST_POSTGRES` (default postgres://postgres@127.0.0.1:5432/test) must
//! reach a server that lets us create databases. Under CI its absence fails the suite.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Provider, Record, Subject, TitleLevel};
use xueshi_policy::{Options, render};
use xueshi_store::acts::{self, Mode, Review, Verification, Verifier};
use xueshi_store::entries::ReviewReason;
use xueshi_store::ledger::Act;
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::people::NewPerson;
use xueshi_store::records::NewRecord;
use xueshi_store::registry::NewFiling;
use xueshi_store::{
    Backend, Db, Keys, LedgerSigner, StoreError, certificates, export, people, records, registry,
    verify,
};
use xueshi_testkit::{done, fresh_dbs, policy};

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// An audit line of a test act at `at_ms` (the store sets its subject).
fn line(at_ms: i64) -> xueshi_store::audit::Line {
    xueshi_store::audit::Line::new(at_ms, "bureau:341500 李核验", None, "test.act", "")
}

struct World {
    db: Db,
    keys: Keys,
    signer: LedgerSigner,
    person: i64,
    other: i64,
    record_ids: Vec<i64>,
    id_number: IdNumber,
    unit: i64,
    authority: i64,
    bureau: i64,
    review: i64,
    verification: i64,
}

fn org(kind: OrgKind, name: &str, region: &str, industry: Option<&str>) -> NewOrganisation {
    NewOrganisation {
        kind,
        name: name.to_owned(),
        region: RegionCode::parse(region).unwrap(),
        zone_id: None,
        industry: industry.map(str::to_owned),
        base_number: None,
        unit_id: None,
    }
}

fn record(label: &str, subject: Subject, form: Form, completed: &str, hours: u64) -> Record {
    Record {
        id: label.to_owned(),
        subject,
        form,
        provider: None,
        started: None,
        completed: d(completed),
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
    let registered_on = record.completed;
    NewRecord {
        person_id,
        content: format!("{}的学习内容", record.id),
        record,
        certificate_no: None,
        evidence: None,
        registered_on,
        actor: "unit:admin".to_owned(),
    }
}

/// A small Lu'an world: a county unit, two persons, a filing, a registered provider, records
/// of every covered kind, a void with its correction, and (last, entries 10 and 11) the
/// authority's review stamp and the bureau's verification.
async fn world(db: Db) -> World {
    let xueshi_testkit::Start { keys, signer, unit } = xueshi_testkit::start(&db, 42).await;
    let id_number = IdNumber::complete("34152219850612301").unwrap();
    let person = people::insert_person(
        &db,
        &keys,
        &NewPerson {
            id_number: id_number.clone(),
            name: "张晓梅".to_owned(),
            cohort: Cohort::New,
            phone: Some("13800000000".to_owned()),
        },
        1,
    )
    .await
    .unwrap();
    let other = people::insert_person(
        &db,
        &keys,
        &NewPerson {
            id_number: IdNumber::complete("34150019900101123").unwrap(),
            name: "李强".to_owned(),
            cohort: Cohort::Old,
            phone: None,
        },
        1,
    )
    .await
    .unwrap();
    people::employ(&db, person, unit, d("2020-01-01"))
        .await
        .unwrap();
    let filing = registry::submit_filing(
        &db,
        &NewFiling {
            number: Some("六人社培备〔2026〕7号".to_owned()),
            title: "基层医疗专业能力提升班".to_owned(),
            region: RegionCode::parse("341500").unwrap(),
            zone_id: None,
            starts_on: d("2026-03-02"),
            ends_on: d("2026-03-11"),
            provider_org: None,
            details: Default::default(),
        },
        2,
    )
    .await
    .unwrap();
    registry::submit_filing(
        &db,
        &NewFiling {
            number: Some("霍人社培备〔2026〕2号".to_owned()),
            title: "未决备案".to_owned(),
            region: RegionCode::parse("341522").unwrap(),
            zone_id: None,
            starts_on: d("2026-05-02"),
            ends_on: d("2026-05-03"),
            provider_org: None,
            details: Default::default(),
        },
        2,
    )
    .await
    .unwrap();
    registry::decide_filing(
        &db,
        &signer,
        filing,
        true,
        None,
        None,
        Act {
            actor: "bureau:341500",
            region: None,
            on: d("2026-02-10"),
            now_ms: 3,
        },
    )
    .await
    .unwrap();
    registry::register_provider(
        &db,
        &signer,
        "皖江在线学院",
        RegionCode::parse("341500").unwrap(),
        d("2026-01-01"),
        d("2026-12-31"),
        Act {
            actor: "bureau:341500",
            region: None,
            on: d("2026-01-01"),
            now_ms: 3,
        },
    )
    .await
    .unwrap();

    let mut class = record(
        "培训班",
        Subject::Professional,
        Form::TrainingClass,
        "2026-03-11",
        60,
    );
    class.started = Some(d("2026-03-02"));
    class.filing = Some("六人社培备〔2026〕7号".to_owned());
    let mut base = record("科目一", Subject::Public, Form::Online, "2026-06-20", 20);
    base.provider = Some(Provider::Base(1));
    base.exam = Exam::Pass;
    let mut courseware = record("网课", Subject::Public, Form::Online, "2026-07-01", 10);
    courseware.provider = Some(Provider::Registered("皖江在线学院".to_owned()));
    let mut patent = record("专利", Subject::Public, Form::Conversion, "2026-08-01", 10);
    patent.conversion = Some("patent_utility".to_owned());
    patent.achievement = Some("ZL2026 1001".to_owned());
    let wrong = record(
        "错登",
        Subject::Professional,
        Form::Academic,
        "2026-04-01",
        8,
    );
    let batch: Vec<NewRecord> = [class, base, courseware, patent, wrong]
        .into_iter()
        .map(|r| new_record(person, r))
        .collect();
    let ids: Vec<i64> = records::register(&db, &signer, &batch, 4)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut other_patent = record(
        "他人专利",
        Subject::Public,
        Form::Conversion,
        "2026-09-01",
        10,
    );
    other_patent.conversion = Some("patent_utility".to_owned());
    other_patent.achievement = Some("zl20261001".to_owned());
    records::register(&db, &signer, &[new_record(other, other_patent)], 5)
        .await
        .unwrap();
    let corrected = new_record(
        person,
        record(
            "更正",
            Subject::Professional,
            Form::Academic,
            "2026-04-01",
            6,
        ),
    );
    records::void(
        &db,
        &signer,
        ids[4],
        "学时登记有误，应为6学时",
        Some(&corrected),
        Act {
            actor: "unit:admin",
            region: None,
            on: d("2026-04-05"),
            now_ms: 6,
        },
    )
    .await
    .unwrap();
    let authority = organisations::insert_organisation(
        &db,
        &org(
            OrgKind::IndustryAuthority,
            "六安市卫生健康委员会",
            "341500",
            Some("卫生健康"),
        ),
    )
    .await
    .unwrap();
    let bureau = organisations::insert_organisation(
        &db,
        &org(
            OrgKind::CityBureau,
            "六安市人力资源和社会保障局",
            "341500",
            None,
        ),
    )
    .await
    .unwrap();
    let (review, _) = acts::review(
        &db,
        &signer,
        &Review {
            person_id: person,
            year: 2026,
            authority_id: authority,
            approved: true,
            reasons: &[],
        },
        Act {
            actor: "authority:卫健委 王审核",
            region: None,
            on: d("2027-01-10"),
            now_ms: 7,
        },
    )
    .await
    .unwrap();
    let (verification, _) = acts::record_verification(
        &db,
        &signer,
        &Verification {
            person_id: person,
            level: TitleLevel::Intermediate,
            cycle: 2022..=2026,
            verifier: Verifier::Organisation(bureau),
            mode: Mode::Online {
                decision_hash: acts::decision_hash(b"{\"compliant\":true}"),
            },
            approved: true,
        },
        Act {
            actor: "bureau:341500 李核验",
            region: None,
            on: d("2027-03-01"),
            now_ms: 8,
        },
    )
    .await
    .unwrap();
    World {
        db,
        keys,
        signer,
        person,
        other,
        record_ids: ids,
        id_number,
        unit,
        authority,
        bureau,
        review,
        verification,
    }
}

async fn check(w: &World) -> verify::Report {
    verify::verify(&w.db, &w.signer.verifier(), None)
        .await
        .unwrap()
}

/// The whole file can be memory-mapped: the bundled SQLite's 2 GB cap on the map is raised at
/// build time (`.cargo/config.toml`), else SQLite silently lowers `mmap_size` to it and reads a
/// province's database page by page through `read()`.
#[tokio::test]
async fn a_sqlite_database_is_mapped_whole() {
    for db in fresh_dbs("store").await {
        if let Db::Sqlite(p) = &db {
            let size: i64 = sqlx::query_scalar("PRAGMA mmap_size")
                .fetch_one(p)
                .await
                .unwrap();
            assert_eq!(size, 256 << 30, "mmap_size capped at build time");
        }
        done(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_and_corrections_behave_the_same_on_both_backends() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        db.migrate().await.unwrap(); // idempotent
        let w = world(db).await;
        let stored = records::person_records(&w.db, w.person).await.unwrap();
        assert_eq!(stored.len(), 6, "{backend:?}");
        let voided: Vec<_> = stored.iter().filter(|s| s.void.is_some()).collect();
        assert_eq!(voided.len(), 1);
        assert_eq!(voided[0].row.label, "错登");
        assert_eq!(
            voided[0].void.as_ref().unwrap().reason,
            "学时登记有误，应为6学时"
        );
        let report = check(&w).await;
        assert!(report.ok(), "{backend:?}: {:?}", report.problems);
        // 2 registry acts + 5 + 1 records + correction + void + review + verification
        assert_eq!(report.entries, 12, "{backend:?}");
        assert_eq!(report.checkpoints, 7, "{backend:?}");
        // Inclusion information answers every write.
        let inc = records::register(
            &w.db,
            &w.signer,
            &[new_record(
                w.other,
                record(
                    "讲座",
                    Subject::Professional,
                    Form::Academic,
                    "2026-10-10",
                    3,
                ),
            )],
            7,
        )
        .await
        .unwrap();
        assert_eq!(inc[0].1.entry_index, 12);
        assert_eq!(inc[0].1.tree_size, 13);
        assert!(check(&w).await.ok());
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_database_refuses_to_change_or_delete_registered_rows() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let statements = [
            "UPDATE records SET hours_tenths = 900",
            "DELETE FROM records",
            "UPDATE voids SET reason = 'x'",
            "DELETE FROM voids",
            "UPDATE ledger_entries SET leaf = leaf",
            "DELETE FROM ledger_entries",
            "UPDATE checkpoints SET note = 'x'",
            "DELETE FROM checkpoints",
            "UPDATE filing_decisions SET approved = approved",
            "DELETE FROM provider_registrations",
            "UPDATE persons SET commitment = salt",
            "DELETE FROM persons",
            "UPDATE ledger_meta SET vkey = 'x'",
            "UPDATE review_acts SET approved = approved",
            "DELETE FROM review_acts",
            "UPDATE verification_acts SET paper_ref = 'x'",
            "DELETE FROM verification_acts",
            "UPDATE audit_log SET actor = 'someone else'",
            "DELETE FROM audit_log",
        ];
        for sql in statements {
            let result: Result<(), StoreError> = xueshi_store::on_db!(&w.db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from));
            match result {
                Err(StoreError::AppendOnly(_)) => {}
                other => panic!("{backend:?}: `{sql}` was not refused: {other:?}"),
            }
        }
        // What may change does: a person's name.
        xueshi_store::on_db!(&w.db, p => sqlx::query("UPDATE persons SET name = '张晓玫' WHERE id = $1").bind(w.person).execute(p).await.map(|_| ()).unwrap());
        assert!(check(&w).await.ok());
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn personal_data_is_sealed_found_by_blind_index_and_shown_masked() {
    for db in fresh_dbs("store").await {
        let w = world(db).await;
        let found = people::person_by_id_number(&w.db, &w.keys, &w.id_number)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id, w.person);
        assert_eq!(found.id_masked, w.id_number.masked());
        assert!(!found.id_masked.contains(&w.id_number.expose()[6..14]));
        assert_eq!(
            people::reveal_id_number(&w.db, &w.keys, w.person)
                .await
                .unwrap(),
            w.id_number.expose()
        );
        // The number appears nowhere in clear.
        let dump: Vec<(Vec<u8>, Vec<u8>, String)> = xueshi_store::on_db!(&w.db, p => sqlx::query_as("SELECT id_blind, id_sealed, id_masked FROM persons").fetch_all(p).await.unwrap());
        for (blind, sealed, masked) in dump {
            for bytes in [blind, sealed, masked.into_bytes()] {
                assert!(
                    !bytes
                        .windows(18)
                        .any(|w8| w8 == w.id_number.expose().as_bytes())
                );
            }
        }
        let dup = people::insert_person(
            &w.db,
            &w.keys,
            &NewPerson {
                id_number: w.id_number.clone(),
                name: "重复".into(),
                cohort: Cohort::New,
                phone: None,
            },
            9,
        )
        .await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_stored_person_year_decides_exactly_like_its_exported_case() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let case = export::person_year_case(&w.db, policy(), w.person, 2026)
            .await
            .unwrap();
        assert_eq!(case.records.len(), 5, "the voided record is left out");
        assert_eq!(case.registry.filings.len(), 1);
        assert_eq!(case.registry.providers.len(), 1);
        let direct = case.evaluate(policy(), Options { trace: true }).unwrap();
        let text = case.to_yaml();
        let reparsed = xueshi_policy::case::parse_case(&text, policy()).unwrap();
        let via_file = reparsed
            .evaluate(policy(), Options { trace: true })
            .unwrap();
        let a = serde_json::to_string(&render::to_json(&direct, policy(), &case.records)).unwrap();
        let b = serde_json::to_string(&render::to_json(&via_file, policy(), &reparsed.records))
            .unwrap();
        assert_eq!(a, b, "{backend:?}");
        let xueshi_policy::Decision::Annual(decision) = &direct.decision else {
            panic!()
        };
        // 60 (filed class) + 20 (base) + 10 (registered courseware) + 10 (patent) + 6 (correction)
        assert_eq!(decision.hours.total, Hours::whole(106), "{backend:?}: {a}");
        // The other person converted the same patent later: theirs is the duplicate.
        let theirs = export::person_year_case(&w.db, policy(), w.other, 2026)
            .await
            .unwrap();
        assert_eq!(theirs.registry.converted, vec!["ZL20261001".to_owned()]);
        let xueshi_policy::Decision::Annual(d2) = theirs
            .evaluate(policy(), Options::default())
            .unwrap()
            .decision
        else {
            panic!()
        };
        assert_eq!(
            d2.records[0].rejected,
            Some(xueshi_policy::RuleId::ConversionDuplicate)
        );
        done(w.db).await;
    }
}

/// D21: someone else's earlier record of an achievement that its own year did not credit
/// (registered after that year's deadline) does not make a later one a duplicate; one that
/// was credited does.
#[tokio::test]
async fn only_an_earlier_credited_conversion_of_someone_else_makes_a_duplicate() {
    for db in fresh_dbs("store").await {
        let w = world(db).await;
        let conversion = |label: &str, completed: &str, achievement: &str| {
            let mut r = record(label, Subject::Public, Form::Conversion, completed, 10);
            r.conversion = Some("patent_utility".to_owned());
            r.achievement = Some(achievement.to_owned());
            r
        };
        // Theirs: completed in 2025, registered in 2026 after 2025's deadline: not credited.
        let mut late = new_record(w.other, conversion("逾期专利", "2025-03-01", "ZL2025 7777"));
        late.registered_on = d("2026-06-01");
        // And one credited in 2025, of another patent.
        let mut timely = new_record(w.other, conversion("按时专利", "2025-03-01", "ZL2025 8888"));
        timely.registered_on = d("2025-03-02");
        records::register(&w.db, &w.signer, &[late, timely], 20)
            .await
            .unwrap();
        let mine = [
            new_record(
                w.person,
                conversion("本人专利甲", "2026-09-15", "zl20257777"),
            ),
            new_record(
                w.person,
                conversion("本人专利乙", "2026-09-16", "zl20258888"),
            ),
        ];
        records::register(&w.db, &w.signer, &mine, 21)
            .await
            .unwrap();
        let case = export::person_year_case(&w.db, policy(), w.person, 2026)
            .await
            .unwrap();
        assert!(
            !case.registry.converted.contains(&"ZL20257777".to_owned()),
            "{:?}",
            case.registry.converted
        );
        assert!(case.registry.converted.contains(&"ZL20258888".to_owned()));
        let xueshi_policy::Decision::Annual(d) = case
            .evaluate(policy(), Options::default())
            .unwrap()
            .decision
        else {
            panic!()
        };
        let fate = |label: &str| {
            let i = case.records.iter().position(|r| r.id == label).unwrap();
            d.records[i]
        };
        assert_eq!(fate("本人专利甲").rejected, None);
        assert_eq!(fate("本人专利甲").credited, Hours::whole(10));
        assert_eq!(
            fate("本人专利乙").rejected,
            Some(xueshi_policy::RuleId::ConversionDuplicate)
        );
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrected_certificate_keeps_its_number_and_a_leaver_has_no_requirement_after() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let mut cert = record("证书", Subject::Public, Form::Online, "2026-05-01", 30);
        cert.provider = Some(Provider::Base(2));
        cert.exam = Exam::Pass;
        let mut n = new_record(w.other, cert.clone());
        n.certificate_no = Some("AH2026-0001".to_owned());
        let ids = records::register(&w.db, &w.signer, &[n.clone()], 8)
            .await
            .unwrap();
        // The same certificate again is refused ...
        let mut again = n.clone();
        again.record.id = "证书2".to_owned();
        assert!(
            matches!(
                records::register(&w.db, &w.signer, &[again], 9).await,
                Err(StoreError::Conflict(_))
            ),
            "{backend:?}"
        );
        // ... but its correction, which voids it, keeps the number.
        let mut fixed = n.clone();
        fixed.record.id = "证书更正".to_owned();
        fixed.record.amount = Some(Amount::Hours(Hours::whole(20)));
        records::void(
            &w.db,
            &w.signer,
            ids[0].0,
            "基地报送学时有误",
            Some(&fixed),
            Act {
                actor: "base:2",
                region: None,
                on: d("2026-05-10"),
                now_ms: 10,
            },
        )
        .await
        .unwrap();
        assert!(check(&w).await.ok());
        people::set_left(&w.db, w.other, Some(d("2025-06-30")))
            .await
            .unwrap();
        let case = export::person_year_case(&w.db, policy(), w.other, 2026)
            .await
            .unwrap();
        let xueshi_policy::Decision::Annual(decision) = case
            .evaluate(policy(), Options::default())
            .unwrap()
            .decision
        else {
            panic!()
        };
        assert!(!decision.required && decision.compliant, "{backend:?}");
        done(w.db).await;
    }
}

#[tokio::test]
async fn an_unknown_database_scheme_is_an_error() {
    let e = Db::connect("mysql://localhost/x").await.unwrap_err();
    assert_eq!(e.code(), "store.unknown_scheme");
}

// ---------------------------------------------------------------- tampering

/// Lets a raw statement through, as an attacker with database rights would.
async fn disable_guards(db: &Db) {
    match db {
        Db::Sqlite(p) => {
            let names: Vec<String> =
                sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'trigger'")
                    .fetch_all(p)
                    .await
                    .unwrap();
            for n in names {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP TRIGGER {n}")))
                    .execute(p)
                    .await
                    .unwrap();
            }
            sqlx::query("PRAGMA foreign_keys = OFF")
                .execute(p)
                .await
                .unwrap();
        }
        Db::Postgres(p) => {
            for t in [
                "records",
                "voids",
                "ledger_entries",
                "checkpoints",
                "filing_decisions",
                "provider_registrations",
                "persons",
                "review_acts",
                "verification_acts",
                "certificates",
                "certificate_revocations",
                "ledger_nodes",
                "audit_log",
                "filings",
                "verification_applications",
                "year_page_submissions",
                "bookings",
                "booking_persons",
            ] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "ALTER TABLE {t} DISABLE TRIGGER USER"
                )))
                .execute(p)
                .await
                .unwrap();
            }
        }
    }
}

async fn exec(db: &Db, sql: &str) {
    let sql = sql.to_owned();
    let result: Result<(), sqlx::Error> = xueshi_store::on_db!(db, p => {
        let mut conn = p.acquire().await.unwrap();
        if let Db::Sqlite(_) = db {
            sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.unwrap();
        }
        sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(&mut *conn).await.map(|_| ())
    });
    result.unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Swaps a column between two rows, through a temporary value (unique constraints).
fn swap(table: &str, col: &str, a: &str, b: &str) -> String {
    format!(
        "UPDATE {table} SET {col} = CASE WHEN {a} THEN (SELECT {col} FROM {table} WHERE {b}) ELSE (SELECT {col} FROM {table} WHERE {a}) END WHERE {a} OR {b}"
    )
}

/// (table, how, statements): every covered table altered, deleted, inserted and reordered.
fn mutations(w: &World) -> Vec<(&'static str, &'static str, Vec<String>)> {
    let first = w.record_ids[0];
    let base = w.record_ids[1];
    let courseware = w.record_ids[2];
    vec![
        ("records", "alter", vec![format!("UPDATE records SET hours_tenths = hours_tenths + 10 WHERE id = {base}")]),
        ("records", "alter-date", vec![format!("UPDATE records SET completed_on = started_on WHERE id = {first}")]),
        ("records", "delete", vec![format!("DELETE FROM records WHERE id = {courseware}")]),
        ("records", "insert", vec![format!(
            "INSERT INTO records (id, person_id, label, content, subject, form, provider, started_on, completed_on, hours_tenths, minutes, exam,
               for_year, filing_number, conversion_kind, achievement, certificate_no, evidence_hash, registered_on, actor, entry_index)
             SELECT 9000, person_id, 'forged', content, subject, form, provider, started_on, completed_on, 900, minutes, exam, for_year,
               filing_number, conversion_kind, achievement, certificate_no, evidence_hash, registered_on, actor, 1000
             FROM records WHERE id = {first}"
        )]),
        // Entries 2 and 3 are the first two records of the batch (0, 1 are the registry acts).
        ("records", "reorder", vec![
            format!("UPDATE records SET entry_index = -1 WHERE id = {first}"),
            format!("UPDATE records SET entry_index = 2 WHERE id = {base}"),
            format!("UPDATE records SET entry_index = 3 WHERE id = {first}"),
        ]),
        ("voids", "alter", vec!["UPDATE voids SET reason = '无'".to_owned()]),
        ("voids", "delete", vec!["DELETE FROM voids".to_owned()]),
        ("voids", "insert", vec![format!(
            "INSERT INTO voids (record_id, person_id, reason, voided_on, actor, entry_index)
             SELECT {base}, person_id, reason, voided_on, actor, 1001 FROM voids"
        )]),
        ("voids", "reorder", vec!["UPDATE voids SET entry_index = entry_index - 1".to_owned()]),
        ("filing_decisions", "alter", vec!["UPDATE filing_decisions SET decided_on = ends_on FROM (SELECT ends_on FROM filings LIMIT 1) AS f".to_owned()]),
        ("filing_decisions", "delete", vec!["DELETE FROM filing_decisions".to_owned()]),
        ("filing_decisions", "insert", vec![
            "INSERT INTO filing_decisions (filing_id, approved, decided_on, actor, entry_index)
             SELECT f.id, d.approved, d.decided_on, d.actor, 1002 FROM filings f, filing_decisions d WHERE f.number LIKE '霍%'".to_owned(),
        ]),
        ("filing_decisions", "reorder", vec![
            "UPDATE filing_decisions SET entry_index = 1".to_owned(),
            "UPDATE provider_registrations SET entry_index = 0".to_owned(),
        ]),
        ("provider_registrations", "alter", vec!["UPDATE provider_registrations SET region = 341522".to_owned()]),
        ("provider_registrations", "delete", vec!["DELETE FROM provider_registrations".to_owned()]),
        ("provider_registrations", "insert", vec![
            "INSERT INTO provider_registrations (provider_id, region, from_on, to_on, actor, entry_index)
             SELECT provider_id, region, from_on, to_on, actor, 1003 FROM provider_registrations".to_owned(),
        ]),
        ("provider_registrations", "reorder", vec![
            "UPDATE provider_registrations SET entry_index = 2000".to_owned(),
            "UPDATE filing_decisions SET entry_index = 1".to_owned(),
            "UPDATE provider_registrations SET entry_index = 0".to_owned(),
        ]),
        ("ledger_entries", "alter", vec!["UPDATE ledger_entries SET leaf = (SELECT leaf FROM ledger_entries WHERE idx = 0) WHERE idx = 3".to_owned()]),
        ("ledger_entries", "delete", vec!["DELETE FROM ledger_entries WHERE idx = 4".to_owned()]),
        ("ledger_entries", "insert", vec!["INSERT INTO ledger_entries (idx, kind, ref_id, person_id, leaf) SELECT 15, kind, ref_id, person_id, leaf FROM ledger_entries WHERE idx = 2".to_owned()]),
        ("ledger_entries", "reorder", vec![swap("ledger_entries", "leaf", "idx = 2", "idx = 3")]),
        ("checkpoints", "alter", vec!["UPDATE checkpoints SET root = (SELECT root FROM checkpoints WHERE size = 2) WHERE size = 7".to_owned()]),
        ("checkpoints", "delete", vec!["DELETE FROM checkpoints WHERE size = (SELECT MAX(size) FROM checkpoints)".to_owned()]),
        ("checkpoints", "insert", vec!["INSERT INTO checkpoints (size, root, frontier, note, at_ms) SELECT 3, root, frontier, note, at_ms FROM checkpoints WHERE size = 2".to_owned()]),
        ("checkpoints", "reorder", vec![swap("checkpoints", "note", "size = 2", "size = 7")]),
        ("review_acts", "alter", vec!["UPDATE review_acts SET year = year - 1".to_owned()]),
        ("review_acts", "alter-reasons", vec![
            "UPDATE review_acts SET approved = NOT approved, reasons = '[{\"reason\":\"x\",\"record\":\"网课\"}]'".to_owned(),
        ]),
        ("review_acts", "delete", vec!["DELETE FROM review_acts".to_owned()]),
        ("review_acts", "insert", vec![
            "INSERT INTO review_acts (person_id, year, authority_id, actor, decided_on, approved, reasons, entry_index)
             SELECT person_id, year, authority_id, actor, decided_on, approved, reasons, 1004 FROM review_acts".to_owned(),
        ]),
        // Entries 10 and 11 are the review and the verification (the last acts of `world`).
        ("review_acts", "reorder", vec![
            "UPDATE review_acts SET entry_index = 2000".to_owned(),
            "UPDATE verification_acts SET entry_index = 10".to_owned(),
            "UPDATE review_acts SET entry_index = 11".to_owned(),
        ]),
        ("verification_acts", "alter", vec!["UPDATE verification_acts SET last_year = last_year + 1".to_owned()]),
        ("verification_acts", "alter-hash", vec![
            "UPDATE verification_acts SET decision_hash = (SELECT leaf FROM ledger_entries WHERE idx = 0)".to_owned(),
        ]),
        ("verification_acts", "delete", vec!["DELETE FROM verification_acts".to_owned()]),
        ("verification_acts", "insert", vec![
            "INSERT INTO verification_acts (person_id, level, first_year, last_year, verifier_id, verifier_place, actor,
               decided_on, online, approved, decision_hash, paper_ref, entry_index)
             SELECT person_id, 'senior', first_year, last_year, verifier_id, verifier_place, actor,
               decided_on, online, approved, decision_hash, paper_ref, 1005 FROM verification_acts".to_owned(),
        ]),
        ("verification_acts", "reorder", vec!["UPDATE verification_acts SET entry_index = entry_index - 2".to_owned()]),
        // Entries 12–14: certificate A issued and revoked, certificate B issued (`certified`).
        ("certificates", "alter", vec!["UPDATE certificates SET status_index = status_index + 5 WHERE entry_index = 14".to_owned()]),
        ("certificates", "alter-credential", vec![
            "UPDATE certificates SET credential = replace(credential, '\"compliant\":true', '\"compliant\":false') WHERE entry_index = 12".to_owned(),
        ]),
        ("certificates", "alter-hash", vec![
            "UPDATE certificates SET credential_hash = (SELECT leaf FROM ledger_entries WHERE idx = 0) WHERE entry_index = 14".to_owned(),
        ]),
        ("certificates", "delete", vec!["DELETE FROM certificates WHERE entry_index = 14".to_owned()]),
        ("certificates", "insert", vec![
            "INSERT INTO certificates (number, person_id, issued_on, issued_ms, actor, credential, credential_hash, status_list,
               status_index, entry_index)
             SELECT number || 'X', person_id, issued_on, issued_ms, actor, credential, credential_hash, status_list,
               status_index + 100, 1006 FROM certificates WHERE entry_index = 14".to_owned(),
        ]),
        ("certificates", "reorder", vec![
            "UPDATE certificates SET entry_index = 2000 WHERE entry_index = 12".to_owned(),
            "UPDATE certificates SET entry_index = 12 WHERE entry_index = 14".to_owned(),
            "UPDATE certificates SET entry_index = 14 WHERE entry_index = 2000".to_owned(),
        ]),
        ("certificate_revocations", "alter", vec!["UPDATE certificate_revocations SET reason = '无'".to_owned()]),
        ("certificate_revocations", "delete", vec!["DELETE FROM certificate_revocations".to_owned()]),
        ("certificate_revocations", "insert", vec![
            "INSERT INTO certificate_revocations (certificate_id, person_id, reason, revoked_on, actor, entry_index)
             SELECT c.id, c.person_id, r.reason, r.revoked_on, r.actor, 1007
             FROM certificates c, certificate_revocations r WHERE c.entry_index = 14".to_owned(),
        ]),
        ("certificate_revocations", "reorder", vec![
            "UPDATE certificate_revocations SET entry_index = 2000".to_owned(),
            "UPDATE certificates SET entry_index = 13 WHERE entry_index = 14".to_owned(),
            "UPDATE certificate_revocations SET entry_index = 14".to_owned(),
        ]),
        // On `grown`: kept nodes (8, 0) and (8, 1), over entries 0–255 and 256–511 of 615.
        ("ledger_nodes", "alter", vec![
            "UPDATE ledger_nodes SET hash = (SELECT leaf FROM ledger_entries WHERE idx = 0) WHERE level = 8 AND idx = 1".to_owned(),
        ]),
        ("ledger_nodes", "delete", vec!["DELETE FROM ledger_nodes WHERE level = 8 AND idx = 0".to_owned()]),
        ("ledger_nodes", "insert", vec![
            "INSERT INTO ledger_nodes (level, idx, hash) SELECT 8, 2, hash FROM ledger_nodes WHERE level = 8 AND idx = 1".to_owned(),
        ]),
        ("ledger_nodes", "insert-level", vec![
            "INSERT INTO ledger_nodes (level, idx, hash) SELECT 16, 0, hash FROM ledger_nodes WHERE level = 8 AND idx = 0".to_owned(),
        ]),
        ("ledger_nodes", "reorder", vec![swap("ledger_nodes", "hash", "level = 8 AND idx = 0", "level = 8 AND idx = 1")]),
    ]
}

/// The issuing side of certificates in tests.
fn issuing(keys: &Keys) -> xueshi_certificate::IssuerKey {
    certificates::issuer_key(keys)
}

/// `world` and then (entries 12–14) certificate A issued and revoked, certificate B issued.
async fn certified(db: Db) -> World {
    let w = world(db).await;
    let key = issuing(&w.keys);
    let how = certificates::Issuing {
        key: &key,
        issuer_name: certificates::DEFAULT_ISSUER_NAME,
        public_url: "http://127.0.0.1:8080",
    };
    let act = |now_ms| Act {
        actor: "bureau:341500 李签发",
        region: None,
        on: d("2027-03-02"),
        now_ms,
    };
    let (a, _) = certificates::issue(&w.db, policy(), &w.signer, how, w.person, act(9))
        .await
        .unwrap();
    certificates::revoke(&w.db, &w.signer, &a.row.number, "重新签发", act(10))
        .await
        .unwrap();
    certificates::issue(&w.db, policy(), &w.signer, how, w.person, act(11))
        .await
        .unwrap();
    w
}

/// `certified` and then 600 records in batches of 100, 300 and 200 (entries 15–614): the
/// first batch completes no kept node, the second completes (8, 0) and the third (8, 1).
async fn grown(db: Db) -> World {
    let w = certified(db).await;
    let mut n = 0;
    for size in [100, 300, 200] {
        let batch: Vec<NewRecord> = (n..n + size)
            .map(|i| {
                let label = format!("讲座{i}");
                new_record(
                    w.other,
                    record(&label, Subject::Public, Form::Academic, "2026-06-01", 1),
                )
            })
            .collect();
        records::register(&w.db, &w.signer, &batch, 20 + n as i64)
            .await
            .unwrap();
        n += size;
    }
    w
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_tampering_on_every_covered_table_is_caught_and_named() {
    let mut count = 0;
    let mut dbs = fresh_dbs("store").await;
    let template = certified(dbs.remove(0)).await;
    let cases = mutations(&template);
    done(template.db).await;
    for db in dbs {
        done(db).await;
    }
    for (table, how, statements) in cases {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = if table == "ledger_nodes" {
                grown(db).await
            } else {
                certified(db).await
            };
            assert!(
                check(&w).await.ok(),
                "{backend:?}: untouched database must verify: {:?}",
                check(&w).await.problems
            );
            disable_guards(&w.db).await;
            for sql in &statements {
                // PostgreSQL's UPDATE … FROM is not SQLite's older syntax; both accept this form.
                exec(&w.db, sql).await;
            }
            let report = check(&w).await;
            assert!(!report.ok(), "{backend:?}: {table} {how} went unnoticed");
            let named = report
                .problems
                .iter()
                .any(|p| p.entry.is_some() || p.row_id.is_some());
            assert!(
                named,
                "{backend:?}: {table} {how}: problems name no entry: {:?}",
                report.problems
            );
            if table == "ledger_nodes" {
                // The node itself is named, by level, index and the entries it covers.
                let want = match how {
                    "alter" => {
                        "第 8 层第 1 号节点（条目 256–511）的哈希与由叶重算的结果不符（被修改）"
                    }
                    "delete" => "第 8 层第 0 号节点（条目 0–255）缺失（被删除）",
                    "insert" => "第 8 层第 2 号节点（条目 512–767）不应存在（被插入）",
                    "insert-level" => "第 16 层第 0 号节点（条目 0–65535）不应存在（被插入）",
                    _ => "第 8 层第 0 号节点（条目 0–255）的哈希与由叶重算的结果不符（被修改）",
                };
                assert!(
                    report
                        .problems
                        .iter()
                        .any(|p| p.table == "ledger_nodes" && p.what == want),
                    "{backend:?}: {how}: {:?}",
                    report.problems
                );
            }
            count += 1;
            done(w.db).await;
        }
    }
    assert!(count >= 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_log_is_caught_against_a_published_checkpoint() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let published: String = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT note FROM checkpoints ORDER BY size DESC LIMIT 1").fetch_one(p).await.unwrap());
        assert!(
            verify::verify(&w.db, &w.signer.verifier(), Some(&published))
                .await
                .unwrap()
                .ok()
        );
        disable_guards(&w.db).await;
        // Remove the last acts entirely: their rows, entries and checkpoints — a consistent,
        // shorter log that only the published checkpoint can expose.
        for sql in [
            "DELETE FROM verification_acts",
            "DELETE FROM review_acts",
            "DELETE FROM voids",
            "DELETE FROM checkpoints WHERE size > 8",
            "DELETE FROM ledger_entries WHERE idx >= 8",
            "DELETE FROM records WHERE entry_index >= 8",
        ] {
            exec(&w.db, sql).await;
        }
        let without = verify::verify(&w.db, &w.signer.verifier(), None)
            .await
            .unwrap();
        assert!(without.ok(), "{backend:?}: {:?}", without.problems);
        let with = verify::verify(&w.db, &w.signer.verifier(), Some(&published))
            .await
            .unwrap();
        assert!(!with.ok(), "{backend:?}: truncation went unnoticed");
        assert!(
            with.problems.iter().any(|p| p.what.contains("截断")),
            "{:?}",
            with.problems
        );
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn checkpoints_signed_by_another_key_do_not_verify() {
    for db in fresh_dbs("store").await {
        let w = world(db).await;
        let stranger =
            LedgerSigner::new(&Keys::from_master([9; 32]), "test.xueshi/ledger").unwrap();
        let report = verify::verify(&w.db, &stranger.verifier(), None)
            .await
            .unwrap();
        assert!(!report.ok());
        assert!(matches!(
            w.db.backend(),
            Backend::Sqlite | Backend::Postgres
        ));
        done(w.db).await;
    }
}

// ---------------------------------------------------------------- acts and workflows

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_and_verification_acts_round_trip_supersede_and_verify() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let stamp = acts::current_review(&w.db, w.person, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stamp.row.id, w.review);
        assert!(stamp.row.approved && stamp.reasons.is_empty());
        assert_eq!(stamp.row.authority_id, w.authority);
        assert_eq!(stamp.row.decided_on, d("2027-01-10"));
        assert_eq!(stamp.row.entry_index, 10, "{backend:?}");
        // A rejection must give reasons, and only an industry authority reviews.
        let no_reasons = acts::review(
            &w.db,
            &w.signer,
            &Review {
                person_id: w.person,
                year: 2026,
                authority_id: w.authority,
                approved: false,
                reasons: &[],
            },
            Act {
                actor: "authority:卫健委 王审核",
                region: None,
                on: d("2027-01-11"),
                now_ms: 20,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(no_reasons.code(), "review.reasons");
        let reasons = [ReviewReason {
            record: "网课".to_owned(),
            reason: "课件提供单位不在本行业专业科目目录内".to_owned(),
        }];
        let by_bureau = acts::review(
            &w.db,
            &w.signer,
            &Review {
                person_id: w.person,
                year: 2026,
                authority_id: w.bureau,
                approved: false,
                reasons: &reasons,
            },
            Act {
                actor: "bureau:341500",
                region: None,
                on: d("2027-01-11"),
                now_ms: 20,
            },
        )
        .await
        .unwrap_err();
        assert_eq!(by_bureau.code(), "review.authority");
        // A later rejection supersedes the stamp; both stay.
        let (rejected, inc) = acts::review(
            &w.db,
            &w.signer,
            &Review {
                person_id: w.person,
                year: 2026,
                authority_id: w.authority,
                approved: false,
                reasons: &reasons,
            },
            Act {
                actor: "authority:卫健委 王审核",
                region: None,
                on: d("2027-01-12"),
                now_ms: 21,
            },
        )
        .await
        .unwrap();
        assert_eq!(inc.entry_index, 12);
        let history = acts::review_history(&w.db, w.person, 2026).await.unwrap();
        assert_eq!(history.len(), 2);
        let current = acts::current_review(&w.db, w.person, 2026)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(current.row.id, rejected);
        assert!(!current.row.approved);
        assert_eq!(current.reasons, reasons);
        assert!(
            acts::current_review(&w.db, w.person, 2025)
                .await
                .unwrap()
                .is_none()
        );

        // The online verification of `world`, and an offline paper one recorded afterwards.
        let (offline, _) = acts::record_verification(
            &w.db,
            &w.signer,
            &Verification {
                person_id: w.other,
                level: TitleLevel::Junior,
                cycle: 2016..=2019,
                verifier: Verifier::Place("霍邱县人力资源和社会保障局"),
                mode: Mode::Offline {
                    paper_ref: "《专业技术人员继续教育登记证书》第4页 核验章",
                    decision_hash: None,
                },
                approved: true,
            },
            Act {
                actor: "bureau:341522 补录",
                region: None,
                on: d("2019-11-20"),
                now_ms: 22,
            },
        )
        .await
        .unwrap();
        let mine = acts::verifications(&w.db, w.person).await.unwrap();
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].id, w.verification);
        assert!(mine[0].online && mine[0].approved);
        assert_eq!(mine[0].level, "intermediate");
        assert_eq!((mine[0].first_year, mine[0].last_year), (2022, 2026));
        assert_eq!(mine[0].verifier_id, Some(w.bureau));
        assert_eq!(
            mine[0].decision_hash,
            Some(acts::decision_hash(b"{\"compliant\":true}"))
        );
        let theirs = acts::verifications(&w.db, w.other).await.unwrap();
        assert_eq!(theirs.len(), 1);
        assert_eq!(theirs[0].id, offline);
        assert!(!theirs[0].online && theirs[0].decision_hash.is_none());
        assert!(theirs[0].paper_ref.as_deref().unwrap().contains("第4页"));
        // Refusals: an empty paper reference, an inverted cycle, a verifier that is no bureau.
        for (v, code) in [
            (
                Verification {
                    person_id: w.other,
                    level: TitleLevel::Junior,
                    cycle: 2016..=2019,
                    verifier: Verifier::Organisation(w.bureau),
                    mode: Mode::Offline {
                        paper_ref: " ",
                        decision_hash: None,
                    },
                    approved: true,
                },
                "verification.paper_ref",
            ),
            (
                Verification {
                    person_id: w.other,
                    level: TitleLevel::Junior,
                    #[allow(clippy::reversed_empty_ranges)]
                    cycle: 2019..=2016,
                    verifier: Verifier::Organisation(w.bureau),
                    mode: Mode::Online {
                        decision_hash: [1; 32],
                    },
                    approved: true,
                },
                "verification.cycle",
            ),
            (
                Verification {
                    person_id: w.other,
                    level: TitleLevel::Junior,
                    cycle: 2016..=2019,
                    verifier: Verifier::Organisation(w.authority),
                    mode: Mode::Online {
                        decision_hash: [1; 32],
                    },
                    approved: true,
                },
                "verification.verifier",
            ),
        ] {
            let e = acts::record_verification(
                &w.db,
                &w.signer,
                &v,
                Act {
                    actor: "bureau:341500",
                    region: None,
                    on: d("2027-03-02"),
                    now_ms: 23,
                },
            )
            .await
            .unwrap_err();
            assert_eq!(e.code(), code, "{backend:?}");
        }
        // Every act is in the audit trail, with its ledger entry.
        let trail = xueshi_store::audit::audit_trail(
            &w.db,
            xueshi_domain::region::ANHUI,
            &xueshi_store::audit::AuditFilter {
                action: Some("review.act"),
                ..Default::default()
            },
            100,
        )
        .await
        .unwrap();
        assert_eq!(trail.len(), 2, "{backend:?}");
        assert_eq!(trail[1].entry_index, Some(12));
        assert_eq!(
            trail[1].subject.as_deref(),
            Some(&*format!("person:{}/year:2026", w.person))
        );
        let report = check(&w).await;
        assert!(report.ok(), "{backend:?}: {:?}", report.problems);
        assert_eq!(report.entries, 14, "{backend:?}");
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_trail_is_filtered_and_every_disclosure_is_logged() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        use xueshi_store::audit::{self, AuditFilter, PERSON_REVEAL};
        audit::audit(
            &w.db,
            100,
            "bureau:341500 李核验",
            Some(xueshi_domain::region::LUAN),
            "filing.view",
            Some("filing:1"),
            None,
        )
        .await
        .unwrap();
        let revealed = audit::reveal_id_number_audited(
            &w.db,
            &w.keys,
            w.person,
            "supervisor:赵监督",
            None,
            200,
        )
        .await
        .unwrap();
        assert_eq!(revealed, w.id_number.expose());
        assert!(
            audit::reveal_id_number_audited(&w.db, &w.keys, 9999, "supervisor:赵监督", None, 201)
                .await
                .is_err()
        );
        assert_eq!(
            audit::audit(&w.db, 300, " ", None, "x", None, None)
                .await
                .unwrap_err()
                .code(),
            "audit.actor"
        );
        let reveals = audit::audit_trail(
            &w.db,
            xueshi_domain::region::ANHUI,
            &AuditFilter {
                action: Some(PERSON_REVEAL),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(
            reveals.len(),
            1,
            "{backend:?}: an unknown person is no disclosure"
        );
        assert_eq!(reveals[0].actor, "supervisor:赵监督");
        assert_eq!(
            reveals[0].subject.as_deref(),
            Some(&*format!("person:{}", w.person))
        );
        assert!(
            !reveals[0]
                .detail
                .as_deref()
                .unwrap_or_default()
                .contains(w.id_number.expose())
        );
        let by_actor = audit::audit_trail(
            &w.db,
            xueshi_domain::region::ANHUI,
            &AuditFilter {
                actor: Some("bureau:341500 李核验"),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        // The verification act of `world` and the view.
        assert_eq!(by_actor.len(), 2, "{backend:?}: {by_actor:?}");
        let window = audit::audit_trail(
            &w.db,
            xueshi_domain::region::ANHUI,
            &AuditFilter {
                since_ms: Some(100),
                until_ms: Some(200),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(window.len(), 1);
        assert_eq!(window[0].action, "filing.view");
        let all = audit::audit_trail(
            &w.db,
            xueshi_domain::region::ANHUI,
            &AuditFilter::default(),
            2,
        )
        .await
        .unwrap();
        assert_eq!(all.len(), 2, "limit");
        // Nobody can rewrite what they did.
        for sql in [
            "UPDATE audit_log SET actor = 'x' WHERE action = 'person.reveal'",
            "DELETE FROM audit_log WHERE action = 'person.reveal'",
        ] {
            let result: Result<(), StoreError> = xueshi_store::on_db!(&w.db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from));
            assert!(
                matches!(result, Err(StoreError::AppendOnly(_))),
                "{backend:?}: {sql}: {result:?}"
            );
        }
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_the_trail_within_its_region() {
    use xueshi_domain::region::{ANHUI, LUAN};
    use xueshi_store::audit::{self, AuditFilter};
    let hefei = RegionCode::parse("340100").unwrap();
    let huoqiu = RegionCode::parse("341522").unwrap();
    let shucheng = RegionCode::parse("341523").unwrap();
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        for (at_ms, actor, region) in [
            (100, "luan-city", Some(LUAN)),
            (101, "huoqiu-county", Some(huoqiu)),
            (102, "hefei-city", Some(hefei)),
            (103, "demo:seed", None),
            (104, "shucheng-county", Some(shucheng)),
        ] {
            audit::audit(&db, at_ms, actor, region, "slot.open", Some("slot:1"), None)
                .await
                .unwrap();
        }
        let actors = |rows: Vec<audit::AuditRow>| -> Vec<String> {
            rows.into_iter().map(|r| r.actor).collect()
        };
        let read = |within| {
            let db = &db;
            async move {
                audit::audit_trail(db, within, &AuditFilter::default(), 100)
                    .await
                    .unwrap()
            }
        };
        // A city supervisor reads its city and its counties, not another city nor the system.
        assert_eq!(
            actors(read(LUAN).await),
            ["luan-city", "huoqiu-county", "shucheng-county"],
            "{backend:?}"
        );
        assert_eq!(actors(read(hefei).await), ["hefei-city"], "{backend:?}");
        // A county's supervisor reads its county only.
        assert_eq!(actors(read(huoqiu).await), ["huoqiu-county"], "{backend:?}");
        // The province reads everything, the system's own lines too.
        assert_eq!(read(ANHUI).await.len(), 5, "{backend:?}");
        let lines = read(ANHUI).await;
        assert_eq!(
            lines.iter().map(|r| r.region).collect::<Vec<_>>(),
            [
                Some(341_500),
                Some(341_522),
                Some(340_100),
                None,
                Some(341_523)
            ],
            "{backend:?}"
        );
        // Paging and filters keep to the region.
        let page = audit::audit_page(
            &db,
            LUAN,
            &AuditFilter {
                action: Some("slot.open"),
                ..AuditFilter::default()
            },
            1,
            1,
            true,
        )
        .await
        .unwrap();
        assert_eq!(actors(page), ["huoqiu-county"], "{backend:?}");
        // A line's place cannot be rewritten either.
        let result: Result<(), StoreError> = xueshi_store::on_db!(&db, p => sqlx::query("UPDATE audit_log SET region = 340100").execute(p).await.map(|_| ()).map_err(StoreError::from));
        assert!(
            matches!(result, Err(StoreError::AppendOnly(_))),
            "{backend:?}: {result:?}"
        );
        done(db).await;
    }
}

async fn staff(w: &World, n: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        // 17 digits: the check digit is completed.
        let body = format!("34152219900101{:03}", i + 100);
        let id = people::insert_person(
            &w.db,
            &w.keys,
            &NewPerson {
                id_number: IdNumber::complete(&body).unwrap(),
                name: format!("职工{i}"),
                cohort: Cohort::New,
                phone: None,
            },
            1,
        )
        .await
        .unwrap();
        ids.push(id);
    }
    ids
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_bookings_never_overbook_a_slot() {
    use xueshi_store::appointments::{self, BookingStatus, NewSlot, Place};
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let persons = staff(&w, 80).await;
        let slot = appointments::open_slot(
            &w.db,
            &NewSlot {
                bureau_id: w.bureau,
                on: d("2027-04-08"),
                place: Place::At("六安市人社局三楼窗口".to_owned()),
                capacity: 25,
                industry: Some("卫生健康".to_owned()),
                opened_by: "bureau:341500 李核验".to_owned(),
                times: None,
            },
            &line(30),
        )
        .await
        .unwrap();
        // 40 bookings of 1–3 persons (80 persons asked for 25 seats), all at once.
        let mut batches = Vec::new();
        let mut rest = persons.as_slice();
        for i in 0..40 {
            let n = (i % 3 + 1).min(rest.len());
            let (batch, tail) = rest.split_at(n);
            batches.push(batch.to_vec());
            rest = tail;
        }
        let tasks: Vec<_> = batches
            .into_iter()
            .map(|batch| {
                let db = w.db.clone();
                let unit = w.unit;
                tokio::spawn(async move {
                    let r = appointments::book(&db, slot, unit, &batch, &line(31)).await;
                    (batch.len(), r)
                })
            })
            .collect();
        let (mut booked, mut refused) = (0usize, 0usize);
        for t in tasks {
            let (n, r) = t.await.unwrap();
            match r {
                Ok(_) => booked += n,
                Err(StoreError::BookingFull { left, asked }) => {
                    assert_eq!(asked, n);
                    assert!(left < i64::try_from(n).unwrap(), "{backend:?}");
                    refused += 1;
                }
                Err(e) => panic!("{backend:?}: a refusal other than booking.full: {e:?}"),
            }
        }
        assert!(
            booked <= 25,
            "{backend:?}: {booked} persons booked at 25 seats"
        );
        assert!(refused > 0);
        let s = appointments::slot(&w.db, slot).await.unwrap();
        assert_eq!(usize::try_from(s.booked).unwrap(), booked, "{backend:?}");
        // Fill to the last seat, one person at a time.
        let mut spare = rest.iter().copied();
        while appointments::slot(&w.db, slot).await.unwrap().seats_left() > 0 {
            appointments::book(&w.db, slot, w.unit, &[spare.next().unwrap()], &line(32))
                .await
                .unwrap();
        }
        let full = appointments::book(&w.db, slot, w.unit, &[spare.next().unwrap()], &line(33))
            .await
            .unwrap_err();
        assert_eq!(full.code(), "booking.full");
        assert!(full.to_string().contains("剩余 0 个"), "{full}");
        // Cancelling frees the seats; a person cannot hold two seats of one slot.
        let list = appointments::bookings(&w.db, slot).await.unwrap();
        let first = list
            .iter()
            .find(|b| b.status == BookingStatus::Booked)
            .unwrap()
            .clone();
        appointments::cancel(&w.db, first.id, &line(34))
            .await
            .unwrap();
        assert_eq!(
            appointments::cancel(&w.db, first.id, &line(35))
                .await
                .unwrap_err()
                .code(),
            "booking.cancelled"
        );
        let s = appointments::slot(&w.db, slot).await.unwrap();
        assert_eq!(s.seats_left(), i64::try_from(first.persons.len()).unwrap());
        let taken = list
            .iter()
            .find(|b| b.status == BookingStatus::Booked && b.id != first.id)
            .unwrap();
        let dup = appointments::book(&w.db, slot, w.unit, &[taken.persons[0]], &line(36))
            .await
            .unwrap_err();
        assert_eq!(dup.code(), "booking.duplicate");
        assert!(
            dup.to_string().contains(&format!("预约编号 {}", taken.id)),
            "{dup}"
        );
        appointments::book(&w.db, slot, w.unit, &first.persons, &line(37))
            .await
            .unwrap();
        assert_eq!(
            appointments::slot(&w.db, slot).await.unwrap().booked,
            25,
            "{backend:?}"
        );
        // Only a bureau opens slots.
        let e = appointments::open_slot(
            &w.db,
            &NewSlot {
                bureau_id: w.authority,
                on: d("2027-04-09"),
                place: Place::Online,
                capacity: 5,
                industry: None,
                opened_by: "authority:x".to_owned(),
                times: None,
            },
            &line(38),
        )
        .await
        .unwrap_err();
        assert_eq!(e.code(), "slot.bureau");
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evidence_is_content_addressed_and_limited_by_size_and_real_type() {
    use xueshi_store::evidence::{self, MAX_BYTES};
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n".to_vec();
        let h1 = evidence::store_evidence(&w.db, "application/pdf", &pdf, 40)
            .await
            .unwrap();
        let h2 = evidence::store_evidence(&w.db, "application/pdf", &pdf, 41)
            .await
            .unwrap();
        assert_eq!(h1, h2);
        let rows: i64 = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM evidence").fetch_one(p).await.unwrap());
        assert_eq!(rows, 1, "{backend:?}");
        let stored = evidence::evidence(&w.db, &h1).await.unwrap().unwrap();
        assert_eq!(stored.content, pdf);
        assert_eq!(stored.media_type, "application/pdf");
        assert_eq!(stored.created_ms, 40);
        assert!(evidence::evidence(&w.db, &[0; 32]).await.unwrap().is_none());
        let png = [
            &[0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a][..],
            b"IHDR",
        ]
        .concat();
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 0x10, b'J', b'F', b'I', b'F'];
        evidence::store_evidence(&w.db, "image/png", &png, 42)
            .await
            .unwrap();
        evidence::store_evidence(&w.db, "image/jpeg", &jpeg, 42)
            .await
            .unwrap();
        // A record may name stored evidence.
        let mut n = new_record(
            w.other,
            record("附证明", Subject::Public, Form::Academic, "2026-05-01", 2),
        );
        n.evidence = Some(h1);
        records::register(&w.db, &w.signer, &[n], 43).await.unwrap();
        assert!(check(&w).await.ok());
        for (media_type, bytes, code) in [
            ("image/png", pdf.clone(), "evidence.type"),
            ("application/pdf", png.clone(), "evidence.type"),
            ("image/gif", b"GIF89a".to_vec(), "evidence.type"),
            ("application/pdf", Vec::new(), "evidence.type"),
            (
                "application/pdf",
                [b"%PDF-".as_slice(), &vec![0u8; MAX_BYTES]].concat(),
                "evidence.too_large",
            ),
        ] {
            let e = evidence::store_evidence(&w.db, media_type, &bytes, 44)
                .await
                .unwrap_err();
            assert_eq!(e.code(), code, "{backend:?}: {media_type}");
        }
        // Exactly at the limit is taken.
        let at_limit = [b"%PDF-".as_slice(), &vec![0u8; MAX_BYTES - 5]].concat();
        evidence::store_evidence(&w.db, "application/pdf", &at_limit, 45)
            .await
            .unwrap();
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn organisations_are_inserted_and_found_by_id_and_name() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let by_id = organisations::organisation(&w.db, w.authority)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_id.kind, OrgKind::IndustryAuthority);
        assert_eq!(by_id.industry.as_deref(), Some("卫生健康"));
        assert_eq!(by_id.region, RegionCode::parse("341500").unwrap());
        let by_name = organisations::organisation_by_name(&w.db, "六安市人力资源和社会保障局")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_name.id, w.bureau);
        assert!(by_name.kind.is_bureau());
        assert!(
            organisations::organisation(&w.db, 9999)
                .await
                .unwrap()
                .is_none()
        );
        let base = organisations::insert_organisation(
            &w.db,
            &NewOrganisation {
                base_number: Some(2),
                unit_id: None,
                ..org(OrgKind::OnlineBase, "安徽专技在线", "340000", None)
            },
        )
        .await
        .unwrap();
        assert_eq!(
            organisations::organisation(&w.db, base)
                .await
                .unwrap()
                .unwrap()
                .base_number,
            Some(2)
        );
        let dup = organisations::insert_organisation(
            &w.db,
            &org(OrgKind::Supervisor, "六安市卫生健康委员会", "341500", None),
        )
        .await;
        assert!(
            matches!(dup, Err(StoreError::Conflict(_))),
            "{backend:?}: {dup:?}"
        );
        let bad = organisations::insert_organisation(
            &w.db,
            &NewOrganisation {
                base_number: Some(5),
                unit_id: None,
                ..org(OrgKind::OnlineBase, "第五基地", "340000", None)
            },
        )
        .await
        .unwrap_err();
        assert_eq!(bad.code(), "organisation.base_number");
        done(w.db).await;
    }
}

// ---------------------------------------------------------------------------------------------
// Accounts, sessions and API tokens

mod accounts_suite {
    use super::*;
    use xueshi_store::accounts::{
        self, AccountPolicy, NewAccount, PasswordParams, Role, SessionParams,
    };
    use xueshi_store::audit::{AuditFilter, audit_trail};

    const T0: i64 = 1_780_000_000_000;
    const MIN: i64 = 60_000;
    const HOUR: i64 = 60 * MIN;

    /// Small argon2 costs so the suite stays fast; production uses the OWASP default.
    fn policy() -> AccountPolicy {
        AccountPolicy {
            password: PasswordParams {
                m_cost_kib: 256,
                t_cost: 1,
                p_cost: 1,
            },
            ..AccountPolicy::default()
        }
    }

    fn professional(w: &World, login: &str) -> NewAccount {
        NewAccount {
            login: login.to_owned(),
            display_name: "张晓梅".to_owned(),
            role: Role::Professional,
            organisation_id: None,
            unit_id: None,
            person_id: Some(w.person),
        }
    }

    async fn actions(db: &Db, action: &str) -> usize {
        let filter = AuditFilter {
            action: Some(action),
            ..AuditFilter::default()
        };
        audit_trail(db, xueshi_domain::region::ANHUI, &filter, 1000)
            .await
            .unwrap()
            .len()
    }

    /// Every row of the account tables and the audit trail, as text (PostgreSQL), or the raw
    /// database file and its WAL (SQLite).
    async fn everything_stored(db: &Db) -> Vec<u8> {
        match db {
            Db::Postgres(p) => {
                let mut out = Vec::new();
                for table in ["accounts", "sessions", "api_tokens", "audit_log"] {
                    let rows: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT row_to_json(t)::text FROM {table} t"
                    )))
                    .fetch_all(p)
                    .await
                    .unwrap();
                    for r in rows {
                        out.extend_from_slice(r.as_bytes());
                        out.push(b'\n');
                    }
                }
                assert!(!out.is_empty());
                out
            }
            Db::Sqlite(p) => {
                let file: String =
                    sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                        .fetch_one(p)
                        .await
                        .unwrap();
                let mut out = std::fs::read(&file).unwrap();
                out.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
                out
            }
        }
    }

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack
            .windows(needle.len())
            .any(|w| w == needle.as_bytes())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn accounts_force_a_first_change_and_refuse_weak_or_id_derived_passwords() {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = world(db).await;
            let (db, keys, pol) = (&w.db, &w.keys, policy());
            let id = w.id_number.expose().to_owned();
            let last6 = &id[id.len() - 6..];

            for (pw, code) in [
                ("Ab3def", "password.weak"),
                ("onlyletters-here", "password.weak"),
                ("12345678901234", "password.weak"),
                (&*format!("Zx{id}"), "password.from_id"),
                (&*format!("Lu'an{last6}ok"), "password.from_id"),
                (&*format!("born{}Q", &id[6..14]), "password.from_id"),
            ] {
                let err = accounts::create_account(
                    db,
                    keys,
                    &pol,
                    &professional(&w, "zhangxm"),
                    pw,
                    "admin",
                    T0,
                )
                .await
                .unwrap_err();
                assert_eq!(err.code(), code, "{backend:?}: {pw}");
            }

            let initial = accounts::generate_initial_password().unwrap();
            assert_eq!(initial.chars().count(), 14);
            let acc = accounts::create_account(
                db,
                keys,
                &pol,
                &professional(&w, "ZhangXM"),
                &initial,
                "admin",
                T0,
            )
            .await
            .unwrap();
            // Login names are unique whatever their case.
            let other = NewAccount {
                person_id: Some(w.other),
                ..professional(&w, "zhangxm")
            };
            let dup =
                accounts::create_account(db, keys, &pol, &other, "Another1pass", "admin", T0).await;
            assert!(
                matches!(dup, Err(StoreError::Conflict(_))),
                "{backend:?}: {dup:?}"
            );
            // An official account belongs to an organisation of its own kind.
            let wrong_kind = NewAccount {
                login: "bureau1".to_owned(),
                display_name: "王科长".to_owned(),
                role: Role::CountyBureau,
                organisation_id: Some(w.authority),
                unit_id: None,
                person_id: None,
            };
            let err =
                accounts::create_account(db, keys, &pol, &wrong_kind, "Bureau2026x", "admin", T0)
                    .await
                    .unwrap_err();
            assert_eq!(err.code(), "account.shape");
            let official = NewAccount {
                role: Role::CityBureau,
                organisation_id: Some(w.bureau),
                ..wrong_kind
            };
            accounts::create_account(db, keys, &pol, &official, "Bureau2026x", "admin", T0)
                .await
                .unwrap();

            let first = accounts::login(db, &pol, "zhangxm", &initial, T0 + 1)
                .await
                .unwrap();
            assert!(first.must_change_password);
            assert_eq!(first.account.id, acc);
            assert_eq!(first.account.login, "ZhangXM");
            assert_eq!(first.account.role, Role::Professional);

            let err = accounts::change_password(
                db,
                keys,
                &pol,
                acc,
                &initial,
                &format!("New{last6}pass"),
                T0 + 2,
            )
            .await
            .unwrap_err();
            assert_eq!(err.code(), "password.from_id");
            let err =
                accounts::change_password(db, keys, &pol, acc, "wrong-old-1", "Fresh2026pw", T0)
                    .await
                    .unwrap_err();
            assert_eq!(err.code(), "auth.failed");
            accounts::change_password(db, keys, &pol, acc, &initial, "Fresh2026pw", T0 + 3)
                .await
                .unwrap();
            let second = accounts::login(db, &pol, "ZHANGXM", "Fresh2026pw", T0 + 4)
                .await
                .unwrap();
            assert!(!second.must_change_password);
            assert_eq!(
                accounts::login(db, &pol, "zhangxm", &initial, T0 + 5)
                    .await
                    .unwrap_err()
                    .code(),
                "auth.failed"
            );

            // A reset forces a change again and ends every session.
            let s = accounts::start_session(db, &pol, acc, T0 + 6)
                .await
                .unwrap();
            let reset = accounts::generate_initial_password().unwrap();
            accounts::admin_reset_password(db, keys, &pol, acc, &reset, "admin", T0 + 7)
                .await
                .unwrap();
            assert_eq!(
                accounts::session(db, &s.token, T0 + 8)
                    .await
                    .unwrap_err()
                    .code(),
                "session.invalid"
            );
            let third = accounts::login(db, &pol, "zhangxm", &reset, T0 + 9)
                .await
                .unwrap();
            assert!(third.must_change_password);

            assert_eq!(actions(db, accounts::ACCOUNT_CREATE).await, 2);
            assert_eq!(actions(db, accounts::LOGIN_OK).await, 3);
            assert_eq!(actions(db, accounts::PASSWORD_CHANGE).await, 1);
            assert_eq!(actions(db, accounts::PASSWORD_RESET).await, 1);

            // The database holds no password and no ID number in clear.
            let stored = everything_stored(db).await;
            for secret in [&initial, "Fresh2026pw", &reset, "Bureau2026x"] {
                assert!(!contains(&stored, secret), "{backend:?}: password stored");
            }
            let hash: String =
                on_db_scalar(db, "SELECT password_hash FROM accounts WHERE id = $1", acc).await;
            assert!(hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{hash}");
            done(w.db).await;
        }
    }

    async fn on_db_scalar(db: &Db, sql: &'static str, id: i64) -> String {
        match db {
            Db::Sqlite(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
            Db::Postgres(p) => sqlx::query_scalar(sql).bind(id).fetch_one(p).await.unwrap(),
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn five_failures_lock_for_fifteen_minutes_and_unknown_logins_fail_alike() {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = world(db).await;
            let (db, keys, pol) = (&w.db, &w.keys, policy());
            accounts::create_account(
                db,
                keys,
                &pol,
                &professional(&w, "zhangxm"),
                "Start2026pw",
                "admin",
                T0,
            )
            .await
            .unwrap();

            let unknown = accounts::login(db, &pol, "nobody", "Start2026pw", T0)
                .await
                .unwrap_err();
            let wrong = accounts::login(db, &pol, "zhangxm", "Wrong2026pw", T0)
                .await
                .unwrap_err();
            assert_eq!(unknown.code(), "auth.failed");
            assert_eq!(unknown.code(), wrong.code());
            assert_eq!(unknown.to_string(), wrong.to_string());

            for i in 2..=4 {
                let e = accounts::login(db, &pol, "zhangxm", "Wrong2026pw", T0 + i)
                    .await
                    .unwrap_err();
                assert_eq!(e.code(), "auth.failed", "{backend:?}: attempt {i}");
            }
            let locked = accounts::login(db, &pol, "zhangxm", "Wrong2026pw", T0 + 5 * MIN)
                .await
                .unwrap_err();
            let until = T0 + 5 * MIN + 15 * MIN;
            assert!(
                matches!(locked, StoreError::AccountLocked { until_ms } if until_ms == until),
                "{backend:?}: {locked:?}"
            );
            assert_eq!(locked.code(), "account.locked");
            assert!(locked.to_string().contains("北京时间"), "{locked}");
            // Even the right password is refused while locked.
            let still = accounts::login(db, &pol, "zhangxm", "Start2026pw", until - 1)
                .await
                .unwrap_err();
            assert_eq!(still.code(), "account.locked");
            let ok = accounts::login(db, &pol, "zhangxm", "Start2026pw", until)
                .await
                .unwrap();
            assert_eq!(ok.account.failed_attempts, 0);
            assert_eq!(ok.account.locked_until_ms, None);
            // A success resets the count: four more failures do not lock.
            for i in 0..4 {
                let e = accounts::login(db, &pol, "zhangxm", "Wrong2026pw", until + 1 + i)
                    .await
                    .unwrap_err();
                assert_eq!(e.code(), "auth.failed");
            }
            assert_eq!(actions(db, accounts::LOGIN_FAILED).await, 10);
            assert_eq!(actions(db, accounts::LOGIN_LOCKED).await, 2);
            let trail = audit_trail(
                db,
                xueshi_domain::region::ANHUI,
                &AuditFilter::default(),
                1000,
            )
            .await
            .unwrap();
            for row in &trail {
                let text = format!("{row:?}");
                assert!(!text.contains("Wrong2026pw") && !text.contains("Start2026pw"));
                assert!(!text.contains(w.id_number.expose()));
            }
            done(w.db).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sessions_expire_idle_and_absolutely_and_end_on_logout() {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = world(db).await;
            let (db, keys) = (&w.db, &w.keys);
            let pol = AccountPolicy {
                session: SessionParams::default(),
                ..policy()
            };
            let acc = accounts::create_account(
                db,
                keys,
                &pol,
                &professional(&w, "zhangxm"),
                "Start2026pw",
                "admin",
                T0,
            )
            .await
            .unwrap();
            let s = accounts::start_session(db, &pol, acc, T0).await.unwrap();
            assert_eq!(s.token.len(), 43);
            assert_eq!(s.expires_ms, T0 + 8 * HOUR);
            let a = accounts::session(db, &s.token, T0 + HOUR).await.unwrap();
            let b = accounts::session(db, &s.token, T0 + 2 * HOUR)
                .await
                .unwrap();
            assert_eq!(a.account_id, acc);
            assert!(a.must_change_password);
            assert_eq!(a.csrf_token, s.csrf_token);
            assert_eq!(
                b.csrf_token, s.csrf_token,
                "CSRF token is stable per session"
            );
            assert!(b.csrf_ok(&s.csrf_token));
            assert!(!b.csrf_ok("forged"));
            assert_eq!(b.expires_ms, T0 + 10 * HOUR, "idle expiry slides");

            // Idle: 8 h without use.
            assert_eq!(
                accounts::session(db, &s.token, T0 + 10 * HOUR)
                    .await
                    .unwrap_err()
                    .code(),
                "session.invalid",
                "{backend:?}"
            );
            // Absolute: used every 7 h, it still ends 7 days after it started.
            let s2 = accounts::start_session(db, &pol, acc, T0).await.unwrap();
            assert_ne!(s2.csrf_token, s.csrf_token);
            let mut t = T0;
            while t + 7 * HOUR < T0 + 7 * 24 * HOUR {
                t += 7 * HOUR;
                accounts::session(db, &s2.token, t).await.unwrap();
            }
            let last = accounts::session(db, &s2.token, t).await.unwrap();
            assert_eq!(last.expires_ms, T0 + 7 * 24 * HOUR);
            assert!(
                accounts::session(db, &s2.token, T0 + 7 * 24 * HOUR)
                    .await
                    .is_err()
            );

            // Logout, logout everywhere, and tokens that were never issued.
            let s3 = accounts::start_session(db, &pol, acc, T0).await.unwrap();
            let s4 = accounts::start_session(db, &pol, acc, T0).await.unwrap();
            let s5 = accounts::start_session(db, &pol, acc, T0).await.unwrap();
            accounts::end_session(db, &s3.token).await.unwrap();
            assert!(accounts::session(db, &s3.token, T0 + 1).await.is_err());
            assert!(accounts::session(db, &s4.token, T0 + 1).await.is_ok());
            // s and s2 expired but were never ended; s4 and s5 are live.
            assert_eq!(accounts::end_all_sessions(db, acc).await.unwrap(), 4);
            assert!(accounts::session(db, &s4.token, T0 + 2).await.is_err());
            assert!(accounts::session(db, &s5.token, T0 + 2).await.is_err());
            for bogus in ["", "abc", &s5.csrf_token, &format!("{}A", s5.token)] {
                assert_eq!(
                    accounts::session(db, bogus, T0).await.unwrap_err().code(),
                    "session.invalid"
                );
            }

            let stored = everything_stored(db).await;
            for token in [&s.token, &s2.token, &s3.token, &s4.token, &s5.token] {
                assert!(
                    !contains(&stored, token),
                    "{backend:?}: session token stored"
                );
            }
            done(w.db).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn api_tokens_authenticate_until_revoked_and_are_stored_hashed() {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = world(db).await;
            let db = &w.db;
            let base = organisations::insert_organisation(
                db,
                &NewOrganisation {
                    base_number: Some(1),
                    unit_id: None,
                    ..org(OrgKind::OnlineBase, "安徽开放大学", "340000", None)
                },
            )
            .await
            .unwrap();
            let err = accounts::issue_api_token(db, w.authority, "records:write", "admin", T0)
                .await
                .unwrap_err();
            assert_eq!(err.code(), "api_token.org_kind");

            let issued = accounts::issue_api_token(db, base, "records:write", "admin", T0)
                .await
                .unwrap();
            assert!(
                issued
                    .token
                    .starts_with(&format!("xs_{}.", issued.token_id))
            );
            let who = accounts::authenticate_api_token(db, &issued.token, T0 + 1)
                .await
                .unwrap();
            assert_eq!(who.organisation_id, base);
            assert_eq!(who.scope, "records:write");
            assert_eq!(who.token_id, issued.token_id);

            // One character of the secret changed.
            let mut forged = issued.token.clone();
            let last = forged.pop().unwrap();
            forged.push(if last == 'A' { 'B' } else { 'A' });
            let mut forged_mid = issued.token.clone().into_bytes();
            let i = forged_mid.len() - 10;
            forged_mid[i] = if forged_mid[i] == b'a' { b'b' } else { b'a' };
            let forged_mid = String::from_utf8(forged_mid).unwrap();
            for bad in [
                forged.as_str(),
                forged_mid.as_str(),
                "xs_0000000000000000.AAAA",
                "garbage",
                "",
            ] {
                assert_eq!(
                    accounts::authenticate_api_token(db, bad, T0 + 2)
                        .await
                        .unwrap_err()
                        .code(),
                    "api_token.invalid",
                    "{backend:?}: {bad}"
                );
            }

            accounts::revoke_api_token(db, &issued.token_id, "admin", T0 + 3)
                .await
                .unwrap();
            assert_eq!(
                accounts::authenticate_api_token(db, &issued.token, T0 + 4)
                    .await
                    .unwrap_err()
                    .code(),
                "api_token.invalid"
            );
            assert!(
                accounts::revoke_api_token(db, &issued.token_id, "admin", T0 + 5)
                    .await
                    .is_err()
            );
            assert_eq!(actions(db, accounts::TOKEN_ISSUE).await, 1);
            assert_eq!(actions(db, accounts::TOKEN_REVOKE).await, 1);

            let secret = issued.token.split_once('.').unwrap().1;
            let stored = everything_stored(db).await;
            assert!(!contains(&stored, &issued.token), "{backend:?}");
            assert!(!contains(&stored, secret), "{backend:?}: secret stored");
            done(w.db).await;
        }
    }
}

// ---------------------------------------------------------------- certificates

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_is_issued_proved_in_the_ledger_and_revoked_on_both_backends() {
    use xueshi_certificate::credential;
    use xueshi_ledger::merkle::verify_inclusion;
    use xueshi_ledger::note::verify_checkpoint;
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let key = issuing(&w.keys);
        let how = certificates::Issuing {
            key: &key,
            issuer_name: "六安市人力资源和社会保障局",
            public_url: "http://127.0.0.1:8080/",
        };
        let act = |now_ms| Act {
            actor: "zhang（张晓梅）",
            region: None,
            on: d("2027-03-02"),
            now_ms,
        };
        let (issued, inclusion) = certificates::issue(
            &w.db,
            policy(),
            &w.signer,
            how,
            w.person,
            act(1_803_000_000_000),
        )
        .await
        .unwrap();
        let number = issued.row.number.clone();
        assert!(number.starts_with("XS2027-"), "{backend:?}: {number}");
        assert_eq!((issued.row.status_list, issued.row.status_index), (1, 0));
        assert_eq!(inclusion.entry_index, 12);
        // The credential verifies offline and says what the store holds.
        let vc = issued.credential().unwrap();
        let offline = credential::check(&vc);
        assert!(offline.ok(), "{backend:?}: {offline:?}");
        assert_eq!(offline.issuer_id.as_deref(), Some(key.did()));
        assert_eq!(
            offline.status.unwrap().list_url,
            "http://127.0.0.1:8080/credentials/status/1"
        );
        let cert = offline.certificate.unwrap();
        assert_eq!(cert.holder.masked_name, "张*梅");
        assert!(cert.holder.masked_id.contains('*'));
        let year = &cert.years[0];
        assert_eq!(year.year, 2026);
        // The voided record is gone, its correction is there; stamps are the acts in force.
        let titles: Vec<&str> = year.records.iter().map(|r| r.title.as_str()).collect();
        assert!(titles.contains(&"更正的学习内容"), "{titles:?}");
        assert!(!titles.contains(&"错登的学习内容"), "{titles:?}");
        let review = year.review.as_ref().unwrap();
        assert!(review.by.contains("六安市卫生健康委员会"), "{}", review.by);
        assert_eq!(review.entry_index, 10);
        let verification = year.verification.as_ref().unwrap();
        assert!(verification.by.contains("六安市人力资源和社会保障局"));
        assert_eq!(verification.decision_hash.as_ref().unwrap().len(), 64);
        assert_eq!(year.required.total.to_string(), "90");
        // The ledger proves its entry against the latest signed checkpoint.
        let proof = certificates::ledger_proof(&w.db, issued.row.entry_index)
            .await
            .unwrap();
        assert_eq!(
            proof.leaf,
            xueshi_ledger::merkle::leaf_hash(&issued.row.canonical())
        );
        verify_inclusion(
            &proof.leaf,
            proof.entry_index,
            proof.tree_size,
            &proof.path,
            &proof.root,
        )
        .unwrap();
        let signed = verify_checkpoint(&proof.checkpoint, &w.signer.verifier()).unwrap();
        assert_eq!((signed.size, signed.root), (proof.tree_size, proof.root));
        // Found again by number; not revoked; its bit is clear.
        let again = certificates::by_number(&w.db, &number).await.unwrap();
        assert_eq!(again, issued);
        assert!(!certificates::status_bits(&w.db, 1).await.unwrap().get(0));
        // Revocation: a reason is required, it is a ledger act, and only once.
        let e = certificates::revoke(&w.db, &w.signer, &number, " ", act(2)).await;
        assert_eq!(e.unwrap_err().code(), "certificate.reason");
        let (revocation, inc) =
            certificates::revoke(&w.db, &w.signer, &number, "学时记录有误", act(3))
                .await
                .unwrap();
        assert_eq!(inc.entry_index, 13);
        assert_eq!(revocation.number, number);
        let e = certificates::revoke(&w.db, &w.signer, &number, "再次", act(4)).await;
        assert!(matches!(e, Err(StoreError::Conflict(_))), "{e:?}");
        assert!(certificates::status_bits(&w.db, 1).await.unwrap().get(0));
        assert!(certificates::status_list_exists(&w.db, 1).await.unwrap());
        assert!(!certificates::status_list_exists(&w.db, 2).await.unwrap());
        let e = certificates::by_number(&w.db, "XS2027-999999").await;
        assert!(matches!(e, Err(StoreError::NotFound(_))));
        // A second certificate takes a new random number and the next bit; the first stays
        // revoked.
        let (second, _) = certificates::issue(&w.db, policy(), &w.signer, how, w.person, act(5))
            .await
            .unwrap();
        assert_ne!(second.row.number, number);
        assert!(second.row.number.starts_with("XS2027-"));
        assert_eq!(second.row.status_index, 1);
        assert_eq!(
            certificates::of_person(&w.db, w.person)
                .await
                .unwrap()
                .len(),
            2
        );
        // Someone with no credited hours gets no certificate.
        let e = certificates::issue(&w.db, policy(), &w.signer, how, w.other, act(6)).await;
        assert_eq!(e.unwrap_err().code(), "certificate.empty");
        // The database refuses to change either table; the whole log verifies.
        for sql in [
            "UPDATE certificates SET actor = 'x'",
            "DELETE FROM certificates",
            "UPDATE certificate_revocations SET reason = 'x'",
            "DELETE FROM certificate_revocations",
        ] {
            let r: Result<(), sqlx::Error> =
                xueshi_store::on_db!(&w.db, p => sqlx::query(sql).execute(p).await.map(|_| ()));
            assert!(r.is_err(), "{backend:?}: {sql} was allowed");
        }
        let report = check(&w).await;
        assert!(report.ok(), "{backend:?}: {:?}", report.problems);
        assert_eq!(report.entries, 15);
        done(w.db).await;
    }
}

// ---------------------------------------------------------------- proofs from kept nodes

/// Every leaf of the log, in order.
async fn all_leaves(db: &Db) -> Vec<[u8; 32]> {
    let rows: Vec<Vec<u8>> = xueshi_store::on_db!(db, p => sqlx::query_scalar("SELECT leaf FROM ledger_entries ORDER BY idx").fetch_all(p).await.unwrap());
    rows.into_iter().map(|l| l.try_into().unwrap()).collect()
}

async fn kept_nodes(db: &Db) -> Vec<(i32, i64, Vec<u8>)> {
    xueshi_store::on_db!(db, p => sqlx::query_as("SELECT level, idx, hash FROM ledger_nodes ORDER BY level, idx").fetch_all(p).await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_come_from_kept_nodes_and_a_tampered_node_never_verifies() {
    use xueshi_ledger::merkle::{
        consistency_proof, inclusion_proof, root_of, verify_consistency, verify_inclusion,
    };
    use xueshi_ledger::note::verify_checkpoint;
    use xueshi_store::ledger;
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = grown(db).await;
        let leaves = all_leaves(&w.db).await;
        let n = leaves.len() as u64;
        assert_eq!(n, 615, "{backend:?}");
        // Kept: exactly the complete 256-leaf subtrees, written with the batches completing them.
        let want: Vec<(i32, i64, Vec<u8>)> = (0..2)
            .map(|i| {
                (
                    8,
                    i as i64,
                    root_of(&leaves[i * 256..(i + 1) * 256]).to_vec(),
                )
            })
            .collect();
        assert_eq!(kept_nodes(&w.db).await, want, "{backend:?}");
        for sql in [
            "UPDATE ledger_nodes SET hash = hash",
            "DELETE FROM ledger_nodes",
        ] {
            let result: Result<(), StoreError> = xueshi_store::on_db!(&w.db, p => sqlx::query(sql).execute(p).await.map(|_| ()).map_err(StoreError::from));
            assert!(
                matches!(result, Err(StoreError::AppendOnly(_))),
                "{backend:?}: `{sql}` was not refused: {result:?}"
            );
        }
        // Every entry's proof is the proof from all the leaves, and verifies against the
        // signed checkpoint.
        let note = ledger::latest_note(&w.db).await.unwrap().unwrap();
        let signed = verify_checkpoint(&note, &w.signer.verifier()).unwrap();
        assert_eq!(signed.size, n);
        let mut honest = Vec::new();
        for i in 0..n {
            let p = certificates::ledger_proof(&w.db, i as i64).await.unwrap();
            assert_eq!(
                (p.leaf, p.tree_size, p.root),
                (leaves[i as usize], n, signed.root)
            );
            assert_eq!(p.checkpoint, note);
            assert_eq!(
                p.path,
                inclusion_proof(&leaves, i, n).unwrap(),
                "{backend:?} {i}"
            );
            verify_inclusion(&p.leaf, i, n, &p.path, &signed.root).unwrap();
            honest.push(p.path);
        }
        for beyond in [-1, n as i64] {
            let e = certificates::ledger_proof(&w.db, beyond).await;
            assert!(matches!(e, Err(StoreError::NotFound(_))), "{e:?}");
        }
        // Consistency between every pair of signed checkpoints.
        let checkpoints: Vec<(i64, Vec<u8>)> = xueshi_store::on_db!(&w.db, p => sqlx::query_as("SELECT size, root FROM checkpoints ORDER BY size").fetch_all(p).await.unwrap());
        assert!(checkpoints.len() > 10);
        for (a, old_root) in &checkpoints {
            for (b, new_root) in checkpoints.iter().filter(|(b, _)| b >= a) {
                let (a, b) = (*a as u64, *b as u64);
                let proof = ledger::consistency_proof(&w.db, a, b).await.unwrap();
                assert_eq!(proof, consistency_proof(&leaves, a, b).unwrap(), "{a}→{b}");
                let (old_root, new_root) = (
                    old_root[..].try_into().unwrap(),
                    new_root[..].try_into().unwrap(),
                );
                verify_consistency(a, b, &old_root, &new_root, &proof).unwrap();
            }
        }
        assert!(ledger::consistency_proof(&w.db, 1, n + 1).await.is_err());
        assert!(ledger::consistency_proof(&w.db, 0, n).await.is_err());
        // A tampered node: each proof is the honest one (the node is not on its path) or it
        // fails against the signed checkpoint. Node (8, 0) is on the path of every leaf after it.
        disable_guards(&w.db).await;
        exec(
            &w.db,
            "UPDATE ledger_nodes SET hash = (SELECT leaf FROM ledger_entries WHERE idx = 0) WHERE level = 8 AND idx = 0",
        )
        .await;
        let mut failed = 0;
        for i in 0..n {
            let p = certificates::ledger_proof(&w.db, i as i64).await.unwrap();
            if p.path != honest[i as usize] {
                assert!(
                    verify_inclusion(&p.leaf, i, n, &p.path, &signed.root).is_err(),
                    "{backend:?}: a proof through a tampered node verified"
                );
                failed += 1;
            }
        }
        assert_eq!(failed, n - 256, "{backend:?}");
        done(w.db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_log_written_before_kept_nodes_gets_them_once_when_migrated() {
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = grown(db).await;
        let kept = kept_nodes(&w.db).await;
        assert_eq!(kept.len(), 2);
        // Back to schema 7 with the log as it stands: no table, migration 0008 not applied.
        for sql in [
            "DROP TABLE ledger_nodes",
            "DROP TABLE ledger_nodes_backfill",
            "DELETE FROM _sqlx_migrations WHERE version = 8",
        ] {
            exec(&w.db, sql).await;
        }
        w.db.migrate().await.unwrap();
        assert_eq!(kept_nodes(&w.db).await, kept, "{backend:?}");
        let owed: i64 = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM ledger_nodes_backfill").fetch_one(p).await.unwrap());
        assert_eq!(owed, 0);
        let report = check(&w).await;
        assert!(report.ok(), "{backend:?}: {:?}", report.problems);
        // Once: a node deleted later is not quietly restored by the next migration.
        disable_guards(&w.db).await;
        exec(
            &w.db,
            "DELETE FROM ledger_nodes WHERE level = 8 AND idx = 1",
        )
        .await;
        w.db.migrate().await.unwrap();
        let report = check(&w).await;
        assert!(
            report.problems.iter().any(|p| p.table == "ledger_nodes"
                && p.what == "第 8 层第 1 号节点（条目 256–511）缺失（被删除）"),
            "{backend:?}: {:?}",
            report.problems
        );
        done(w.db).await;
    }
}

async fn count(db: &Db, table: &str) -> i64 {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    xueshi_store::on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await.unwrap())
}

/// Runs `act` with the failure point between the act's write and its audit line armed (the
/// store's transaction fails there as a crash would), then again without it: the first time
/// neither the act's row nor its line is left, the second time both are.
async fn both_or_neither<F, Fut, T>(w: &World, what: &str, table: &str, actor: &str, act: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
    T: std::fmt::Debug,
{
    let backend = w.db.backend();
    let before = (count(&w.db, table).await, count(&w.db, "audit_log").await);
    xueshi_store::fault::arm(xueshi_store::fault::BEFORE_AUDIT, actor);
    let failed = act().await;
    assert!(
        failed
            .as_ref()
            .is_err_and(|e| e.to_string().contains("注入的故障")),
        "{backend:?} {what}: {failed:?}"
    );
    let after = (count(&w.db, table).await, count(&w.db, "audit_log").await);
    assert_eq!(
        after, before,
        "{backend:?} {what}: a crash left half an act"
    );
    act().await.unwrap();
    let (rows, lines) = (count(&w.db, table).await, count(&w.db, "audit_log").await);
    assert!(
        rows > before.0 && lines > before.1,
        "{backend:?} {what}: act and line commit together ({before:?} → {rows}, {lines})"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_act_and_its_audit_line_commit_both_or_neither() {
    use xueshi_store::appointments::{self, NewSlot, Place};
    use xueshi_store::audit::Line;
    use xueshi_store::requests::{self, NewApplication};
    for db in fresh_dbs("store").await {
        let w = world(db).await;
        let actor = "unit:9 王填报";
        let line = |at| Line::new(at, actor, None, "test.act", "");
        let (db, other, unit) = (w.db.clone(), w.other, w.unit);
        both_or_neither(&w, "year page", "year_page_submissions", actor, || {
            let (db, l) = (db.clone(), line(50));
            async move { requests::submit_year_page(&db, other, 2026, unit, &l).await }
        })
        .await;
        let application = NewApplication {
            person_id: w.other,
            level: TitleLevel::Intermediate,
            first_year: 2026,
            last_year: 2026,
            unit_id: w.unit,
            verifier_region: RegionCode::parse("341500").unwrap(),
            verifier_zone_id: None,
        };
        both_or_neither(
            &w,
            "application",
            "verification_applications",
            actor,
            || {
                let (db, a, l) = (db.clone(), application.clone(), line(51));
                async move { requests::apply(&db, &[a], &l).await }
            },
        )
        .await;
        let slot = NewSlot {
            bureau_id: w.bureau,
            on: d("2027-04-08"),
            place: Place::Online,
            capacity: 5,
            industry: None,
            opened_by: actor.to_owned(),
            times: None,
        };
        both_or_neither(&w, "slot", "appointment_slots", actor, || {
            let (db, slot, l) = (db.clone(), slot.clone(), line(52));
            async move { appointments::open_slot(&db, &slot, &l).await }
        })
        .await;
        let slot_id = appointments::bureau_slots(&w.db, w.bureau, d("2027-01-01"), None, 10)
            .await
            .unwrap()[0]
            .id;
        let person = w.person;
        both_or_neither(&w, "booking", "bookings", actor, || {
            let (db, l) = (db.clone(), line(53));
            async move { appointments::book(&db, slot_id, unit, &[person], &l).await }
        })
        .await;
        // A cancellation changes a row: it stays booked, or is cancelled with its line.
        let booking = appointments::bookings(&w.db, slot_id).await.unwrap()[0].id;
        let lines = count(&w.db, "audit_log").await;
        xueshi_store::fault::arm(xueshi_store::fault::BEFORE_AUDIT, actor);
        assert!(
            appointments::cancel(&w.db, booking, &line(54))
                .await
                .is_err()
        );
        let b = appointments::booking(&w.db, booking).await.unwrap();
        assert_eq!(b.status, appointments::BookingStatus::Booked);
        assert_eq!(count(&w.db, "audit_log").await, lines);
        appointments::cancel(&w.db, booking, &line(55))
            .await
            .unwrap();
        assert_eq!(count(&w.db, "audit_log").await, lines + 1);
        // An import's records and its line; a ledger act (a review) and its line and leaf.
        both_or_neither(&w, "records import", "records", actor, || {
            let r = new_record(
                w.other,
                record("导入", Subject::Public, Form::Academic, "2026-06-01", 1),
            );
            let db = w.db.clone();
            let signer = w.signer.clone();
            let l = line(56);
            async move {
                records::register_audited(&db, &signer, &[r], 56, records::Trail::Batch(Some(&l)))
                    .await
            }
        })
        .await;
        // A record registered by hand: its own `record.register` line, naming the record and
        // its leaf, in the record's transaction.
        both_or_neither(&w, "one registration", "records", actor, || {
            let mut r = new_record(
                w.other,
                record("手工登记", Subject::Public, Form::Academic, "2026-06-02", 1),
            );
            r.actor = actor.to_owned();
            let (db, signer) = (w.db.clone(), w.signer.clone());
            let region = Some(RegionCode::parse("341502").unwrap());
            async move {
                records::register_audited(
                    &db,
                    &signer,
                    &[r],
                    56,
                    records::Trail::PerRecord(&[region]),
                )
                .await
            }
        })
        .await;
        let registered = xueshi_store::audit::audit_trail(
            &w.db,
            RegionCode::parse("341502").unwrap(),
            &xueshi_store::audit::AuditFilter {
                action: Some("record.register"),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(registered.len(), 1, "{registered:?}");
        assert_eq!(registered[0].actor, actor);
        let id: i64 = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT MAX(id) FROM records").fetch_one(p).await.unwrap());
        assert!(
            registered[0]
                .subject
                .as_deref()
                .is_some_and(|s| s.ends_with(&format!("/record:{id}"))),
            "{registered:?}"
        );
        let entries = count(&w.db, "ledger_entries").await;
        let authority = w.authority;
        both_or_neither(&w, "review", "review_acts", actor, || {
            let (db, signer) = (db.clone(), w.signer.clone());
            async move {
                let review = Review {
                    person_id: other,
                    year: 2026,
                    authority_id: authority,
                    approved: true,
                    reasons: &[],
                };
                let act = Act {
                    actor,
                    region: None,
                    on: d("2027-01-10"),
                    now_ms: 57,
                };
                acts::review(&db, &signer, &review, act).await
            }
        })
        .await;
        assert_eq!(
            count(&w.db, "ledger_entries").await,
            entries + 1,
            "the failed review left no leaf"
        );
        assert!(check(&w).await.ok(), "{:?}", check(&w).await.problems);
        done(w.db).await;
    }
}

/// `certified` and then the requests officials read: two year-page submissions, two
/// verification applications, a slot with two bookings; and a line about nothing in
/// particular (a disclosure) between them.
async fn requested(db: Db) -> World {
    use xueshi_store::appointments::{self, NewSlot, Place};
    use xueshi_store::requests::{self, NewApplication};
    let w = certified(db).await;
    for p in [w.person, w.other] {
        requests::submit_year_page(&w.db, p, 2026, w.unit, &line(60))
            .await
            .unwrap();
        let a = NewApplication {
            person_id: p,
            level: TitleLevel::Intermediate,
            first_year: 2026,
            last_year: 2026,
            unit_id: w.unit,
            verifier_region: RegionCode::parse("341500").unwrap(),
            verifier_zone_id: None,
        };
        requests::apply(&w.db, &[a], &line(61)).await.unwrap();
    }
    xueshi_store::audit::reveal_id_number_audited(&w.db, &w.keys, w.person, "bureau:x", None, 62)
        .await
        .unwrap();
    let slot = NewSlot {
        bureau_id: w.bureau,
        on: d("2027-04-08"),
        place: Place::Online,
        capacity: 5,
        industry: None,
        opened_by: "bureau:341500 李核验".to_owned(),
        times: None,
    };
    let slot = appointments::open_slot(&w.db, &slot, &line(63))
        .await
        .unwrap();
    for p in [w.person, w.other] {
        appointments::book(&w.db, slot, w.unit, &[p], &line(64))
            .await
            .unwrap();
    }
    w
}

/// (table, how, statements) for the trail and the rows it covers.
fn trail_mutations() -> Vec<(&'static str, &'static str, Vec<String>)> {
    let s = |sql: &str| vec![sql.to_owned()];
    vec![
        ("filings", "alter-title", s("UPDATE filings SET title = '改过的名称' WHERE number LIKE '六%'")),
        ("filings", "alter-region", s("UPDATE filings SET region = 341522 WHERE number LIKE '六%'")),
        ("filings", "alter-starts", s("UPDATE filings SET starts_on = ends_on WHERE number LIKE '六%'")),
        ("filings", "alter-ends", s("UPDATE filings SET ends_on = starts_on WHERE number LIKE '六%'")),
        ("filings", "delete", s("DELETE FROM filings WHERE number LIKE '霍%'")),
        ("filings", "insert", s(
            "INSERT INTO filings (number, title, provider_org, region, zone_id, starts_on, ends_on, submitted_ms)
             SELECT number || '副本', title, provider_org, region, zone_id, starts_on, ends_on, submitted_ms FROM filings WHERE number LIKE '六%'",
        )),
        ("filings", "reorder", vec![swap("filings", "title", "number LIKE '六%'", "number LIKE '霍%'")]),
        ("verification_applications", "alter", s("UPDATE verification_applications SET last_year = last_year + 1 WHERE id = (SELECT MIN(id) FROM verification_applications)")),
        ("verification_applications", "delete", s("DELETE FROM verification_applications WHERE id = (SELECT MIN(id) FROM verification_applications)")),
        ("verification_applications", "insert", s(
            "INSERT INTO verification_applications (person_id, level, first_year, last_year, unit_id, verifier_region, verifier_zone_id, applied_by, applied_ms, ledger_size)
             SELECT person_id, 'senior', first_year, last_year, unit_id, verifier_region, verifier_zone_id, applied_by, applied_ms, ledger_size
             FROM verification_applications WHERE id = (SELECT MIN(id) FROM verification_applications)",
        )),
        ("verification_applications", "reorder", vec![swap(
            "verification_applications", "person_id",
            "id = (SELECT MIN(id) FROM verification_applications)", "id = (SELECT MAX(id) FROM verification_applications)",
        )]),
        ("year_page_submissions", "alter", s("UPDATE year_page_submissions SET year = 2025 WHERE id = (SELECT MIN(id) FROM year_page_submissions)")),
        ("year_page_submissions", "delete", s("DELETE FROM year_page_submissions WHERE id = (SELECT MAX(id) FROM year_page_submissions)")),
        ("year_page_submissions", "insert", s(
            "INSERT INTO year_page_submissions (person_id, year, unit_id, submitted_by, submitted_ms, ledger_size)
             SELECT person_id, 2025, unit_id, submitted_by, submitted_ms, ledger_size FROM year_page_submissions WHERE id = (SELECT MIN(id) FROM year_page_submissions)",
        )),
        ("year_page_submissions", "reorder", vec![swap(
            "year_page_submissions", "person_id",
            "id = (SELECT MIN(id) FROM year_page_submissions)", "id = (SELECT MAX(id) FROM year_page_submissions)",
        )]),
        ("bookings", "alter", s("UPDATE bookings SET status = 'cancelled', cancelled_ms = 65 WHERE id = (SELECT MIN(id) FROM bookings)")),
        ("bookings", "alter-persons", s("UPDATE booking_persons SET person_id = (SELECT MAX(id) FROM persons) WHERE booking_id = (SELECT MIN(id) FROM bookings)")),
        ("bookings", "delete", vec![
            "DELETE FROM booking_persons WHERE booking_id = (SELECT MAX(id) FROM bookings)".to_owned(),
            "DELETE FROM bookings WHERE id = (SELECT MAX(id) FROM bookings)".to_owned(),
        ]),
        ("bookings", "insert", s(
            "INSERT INTO bookings (slot_id, unit_id, status, created_ms) SELECT slot_id, unit_id, status, created_ms FROM bookings WHERE id = (SELECT MIN(id) FROM bookings)",
        )),
        ("bookings", "reorder", vec![swap(
            "bookings", "created_ms",
            "id = (SELECT MIN(id) FROM bookings)", "id = (SELECT MAX(id) FROM bookings)",
        ), "UPDATE bookings SET created_ms = created_ms + 1 WHERE id = (SELECT MIN(id) FROM bookings)".to_owned()]),
        ("audit_log", "alter", s("UPDATE audit_log SET actor = '别人' WHERE action = 'person.reveal'")),
        ("audit_log", "alter-time", s("UPDATE audit_log SET at_ms = at_ms + 1 WHERE id = (SELECT MIN(id) FROM audit_log)")),
        ("audit_log", "delete", s("DELETE FROM audit_log WHERE action = 'person.reveal'")),
        ("audit_log", "delete-last", s("DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log WHERE entry_index IS NOT NULL)")),
        ("audit_log", "insert", s(
            "INSERT INTO audit_log (id, at_ms, actor, action, subject, chain) SELECT MAX(id) + 1, 70, '伪造', 'person.reveal', 'person:1', NULL FROM audit_log",
        )),
        ("audit_log", "insert-chained", s(
            "INSERT INTO audit_log (id, at_ms, actor, action, subject, chain) SELECT MAX(id) + 1, 70, '伪造', 'person.reveal', 'person:1', (SELECT chain FROM audit_log WHERE id = 1) FROM audit_log",
        )),
        ("audit_log", "reorder", vec![swap("audit_log", "actor", "id = 1", "action = 'person.reveal'")]),
        ("audit_log", "unchain", s("UPDATE audit_log SET chain = NULL")),
        ("ledger_entries", "alter-person", s("UPDATE ledger_entries SET person_id = person_id + 1 WHERE person_id IS NOT NULL AND idx = (SELECT MAX(idx) FROM ledger_entries)")),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_the_trail_or_the_rows_it_covers_is_caught_and_named() {
    let mut count = 0;
    for (table, how, statements) in trail_mutations() {
        for db in fresh_dbs("store").await {
            let backend = db.backend();
            let w = requested(db).await;
            let report = check(&w).await;
            assert!(report.ok(), "{backend:?}: untouched: {:?}", report.problems);
            assert_eq!(report.legacy_lines, 0);
            disable_guards(&w.db).await;
            for sql in &statements {
                exec(&w.db, sql).await;
            }
            let report = check(&w).await;
            assert!(
                report
                    .problems
                    .iter()
                    .any(|p| p.table == table && (p.row_id.is_some() || p.entry.is_some())),
                "{backend:?}: {table} {how} not named: {:?}",
                report.problems
            );
            count += 1;
            done(w.db).await;
        }
    }
    assert!(count >= 29);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_requests_at_once_give_one_and_refusals_naming_it() {
    use xueshi_store::appointments::{self, NewSlot, Place};
    use xueshi_store::requests::{self, NewApplication};
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let slot = NewSlot {
            bureau_id: w.bureau,
            on: d("2027-04-08"),
            place: Place::Online,
            capacity: 50,
            industry: None,
            opened_by: "bureau:341500 李核验".to_owned(),
            times: None,
        };
        let slot = appointments::open_slot(&w.db, &slot, &line(70))
            .await
            .unwrap();
        let application = NewApplication {
            person_id: w.other,
            level: TitleLevel::Intermediate,
            first_year: 2026,
            last_year: 2026,
            unit_id: w.unit,
            verifier_region: RegionCode::parse("341500").unwrap(),
            verifier_zone_id: None,
        };
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let (db, a, unit, other) = (w.db.clone(), application.clone(), w.unit, w.other);
            tasks.push(tokio::spawn(async move {
                let applied = requests::apply(&db, &[a], &line(71))
                    .await
                    .map(|ids| ids[0]);
                let submitted = requests::submit_year_page(&db, other, 2026, unit, &line(72)).await;
                let booked = appointments::book(&db, slot, unit, &[other], &line(73)).await;
                [applied, submitted, booked]
            }));
        }
        let mut outcomes: [Vec<Result<i64, StoreError>>; 3] = Default::default();
        for t in tasks {
            for (i, r) in t.await.unwrap().into_iter().enumerate() {
                outcomes[i].push(r);
            }
        }
        for (what, code, results) in [
            ("application", "verification.duplicate", &outcomes[0]),
            ("submission", "review.pending", &outcomes[1]),
            ("booking", "booking.duplicate", &outcomes[2]),
        ] {
            let ok: Vec<i64> = results
                .iter()
                .filter_map(|r| r.as_ref().ok().copied())
                .collect();
            assert_eq!(ok.len(), 1, "{backend:?} {what}: {results:?}");
            for r in results.iter().filter(|r| r.is_err()) {
                match r {
                    Err(StoreError::Duplicate {
                        code: c,
                        existing,
                        message,
                    }) => {
                        assert_eq!(*c, code);
                        assert_eq!(*existing, ok[0], "{backend:?} {what}");
                        assert!(message.contains(&ok[0].to_string()), "{message}");
                    }
                    other => panic!("{backend:?} {what}: {other:?}"),
                }
            }
        }
        assert!(check(&w).await.ok(), "{:?}", check(&w).await.problems);
        done(w.db).await;
    }
}

/// A schema as both backends can describe it: per table its columns (name, NOT NULL), the
/// indexes that no constraint implies, and the constraints named in the SQL.
#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    columns: std::collections::BTreeMap<String, Vec<(String, bool)>>,
    indexes: std::collections::BTreeSet<String>,
    named_constraints: std::collections::BTreeSet<String>,
}

async fn schema(db: &Db) -> Schema {
    let mut s = Schema::default();
    match db {
        Db::Sqlite(p) => {
            let tables: Vec<(String, String)> = sqlx::query_as(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table'
                 AND name NOT LIKE 'sqlite_%' AND name != '_sqlx_migrations' ORDER BY name",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (table, sql) in tables {
                let cols: Vec<(String, bool)> = sqlx::query_as(
                    "SELECT name, \"notnull\" OR pk > 0 FROM pragma_table_info($1) ORDER BY name",
                )
                .bind(&table)
                .fetch_all(p)
                .await
                .unwrap();
                s.columns.insert(table, cols);
                for part in sql.split("CONSTRAINT ").skip(1) {
                    let name: String = part
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    s.named_constraints.insert(name);
                }
            }
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'",
            )
            .fetch_all(p)
            .await
            .unwrap();
            s.indexes.extend(indexes);
        }
        Db::Postgres(p) => {
            let cols: Vec<(String, String, bool)> = sqlx::query_as(
                "SELECT c.table_name::text, c.column_name::text, c.is_nullable = 'NO'
                 FROM information_schema.columns c JOIN information_schema.tables t
                   ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
                   AND c.table_name != '_sqlx_migrations' ORDER BY 1, 2",
            )
            .fetch_all(p)
            .await
            .unwrap();
            for (table, col, not_null) in cols {
                s.columns.entry(table).or_default().push((col, not_null));
            }
            let indexes: Vec<String> = sqlx::query_scalar(
                "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'
                 AND tablename != '_sqlx_migrations'
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = indexname)",
            )
            .fetch_all(p)
            .await
            .unwrap();
            s.indexes.extend(indexes);
            let constraints: Vec<String> = sqlx::query_scalar(
                "SELECT conname::text FROM pg_constraint WHERE connamespace = 'public'::regnamespace",
            )
            .fetch_all(p)
            .await
            .unwrap();
            s.named_constraints.extend(constraints);
        }
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_and_postgresql_schemas_do_not_drift() {
    let dbs = fresh_dbs("store").await;
    if dbs.len() != 2 {
        // Without PostgreSQL there is nothing to compare (under CI fresh_dbs fails instead).
        for db in dbs {
            done(db).await;
        }
        return;
    }
    let (lite, mut pg) = (schema(&dbs[0]).await, schema(&dbs[1]).await);
    // Differences by design, each with its reason; anything else is drift. SQLite's
    // `summary_dirty.seq` is the rowid (INTEGER PRIMARY KEY), indexed by itself.
    let known = "summary_dirty_seq_idx";
    assert!(
        pg.indexes.remove(known),
        "{known} is no longer a known difference"
    );
    assert_eq!(
        lite.columns.keys().collect::<Vec<_>>(),
        pg.columns.keys().collect::<Vec<_>>(),
        "tables"
    );
    for (table, cols) in &lite.columns {
        assert_eq!(
            Some(cols),
            pg.columns.get(table),
            "columns of {table} (name, NOT NULL)"
        );
    }
    assert_eq!(lite.indexes, pg.indexes, "indexes");
    // Constraints SQLite names in its SQL must exist under the same name in PostgreSQL (which
    // also names those SQLite leaves anonymous).
    let missing: Vec<_> = lite
        .named_constraints
        .difference(&pg.named_constraints)
        .collect();
    assert!(
        missing.is_empty(),
        "constraints named in SQLite only: {missing:?}"
    );
    for db in dbs {
        done(db).await;
    }
}

/// Issue 13: an actor text is read as its agency (and official), never as a code; a refusal is
/// read with its verifier, day and reason; the trail is found by a part of the agency's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actors_are_named_by_their_agency_and_found_by_part_of_a_name() {
    use xueshi_store::audit::{self, AuditFilter};
    use xueshi_store::names;
    for db in fresh_dbs("store").await {
        let backend = db.backend();
        let w = world(db).await;
        let code: String = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT credit_code FROM units WHERE id = $1")
            .bind(w.unit).fetch_one(p).await.unwrap());
        let unit = names::actor_name(&w.db, &format!("unit:{code}"))
            .await
            .unwrap();
        assert_eq!(
            unit.agency.as_deref(),
            Some("霍邱县第一人民医院"),
            "{backend:?}"
        );
        let bureau = names::actor_name(&w.db, "bureau:341500 李核验")
            .await
            .unwrap();
        assert_eq!(
            (bureau.agency.as_deref(), bureau.official.as_deref()),
            (Some("六安市人力资源和社会保障局"), Some("李核验")),
            "{backend:?}"
        );
        let nobody = names::actor_name(&w.db, "anonymous").await.unwrap();
        assert_eq!(nobody.official.as_deref(), Some("未知登录名"));
        assert_eq!(
            names::actor_name(&w.db, "demo:seed")
                .await
                .unwrap()
                .agency
                .as_deref(),
            Some("系统")
        );
        assert_eq!(
            names::person_name(&w.db, w.person)
                .await
                .unwrap()
                .as_deref(),
            Some("张晓梅")
        );

        let answer = names::verification_answer(&w.db, w.verification, w.person, 1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            answer.verifier.as_deref(),
            Some("六安市人力资源和社会保障局")
        );
        assert_eq!(answer.decided_on, "2027-03-01");
        assert!(
            answer.approved && answer.reason.is_none(),
            "{backend:?}: {answer:?}"
        );
        assert!(
            names::verification_answer(&w.db, w.verification, w.other, 1)
                .await
                .unwrap()
                .is_none(),
            "another person's act is not their answer"
        );
        let entry: i64 = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar("SELECT entry_index FROM review_acts WHERE id = $1")
            .bind(w.review).fetch_one(p).await.unwrap());
        assert_eq!(
            names::act_approved(&w.db, "review.act", entry)
                .await
                .unwrap(),
            Some(true)
        );
        assert_eq!(
            names::act_approved(&w.db, "account.login", entry)
                .await
                .unwrap(),
            None
        );

        // A part of the bureau's name finds its official's lines; a LIKE wildcard is literal.
        let page = |name: &'static str| {
            let db = w.db.clone();
            async move {
                audit::audit_page_named(
                    &db,
                    xueshi_domain::region::ANHUI,
                    &AuditFilter::default(),
                    Some(name),
                    0,
                    100,
                    true,
                )
                .await
                .unwrap()
            }
        };
        let by_bureau = page("人力资源").await;
        // The bureau's own lines (`bureau:341500`) and its official's (`bureau:341500 李核验`).
        assert!(
            by_bureau.len() >= 2
                && by_bureau
                    .iter()
                    .all(|l| l.actor.starts_with("bureau:341500")),
            "{backend:?}: {by_bureau:?}"
        );
        let by_official = page("李核验").await;
        assert!(
            !by_official.is_empty()
                && by_official
                    .iter()
                    .all(|l| l.actor == "bureau:341500 李核验"),
            "{backend:?}: {by_official:?}"
        );
        assert!(
            page("%").await.is_empty(),
            "{backend:?}: % is a character, not a wildcard"
        );
        assert!(page("无此机构").await.is_empty());
        done(w.db).await;
    }
}
