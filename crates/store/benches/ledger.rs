//! Registration and `ledger verify` throughput on SQLite and PostgreSQL (when reachable).
//! Not a test: prints figures. `XUESHI_BENCH_RECORDS` (default 200 000) records over 2 000
//! persons, registered in batches of 5 000 (one signed checkpoint per batch), then verified.
//!
//!     cargo bench -p xueshi-store --bench ledger
//!     XUESHI_BENCH_RECORDS=1000000 cargo bench -p xueshi-store --bench ledger

// A benchmark: panics are failures, prints are its output, floats are its figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::print_stdout,
    clippy::panic,
    clippy::float_arithmetic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::time::Instant;

use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours};
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Provider, Record, Subject};
use xueshi_store::people::NewPerson;
use xueshi_store::records::NewRecord;
use xueshi_store::{Db, Keys, LedgerSigner, people, records, registry, verify};

const PERSONS: usize = 2_000;
const BATCH: usize = 5_000;

async fn run(label: &str, db: Db, total: usize) {
    let policy = xueshi_policy::load_embedded("anhui").unwrap();
    let keys = Keys::from_master([3; 32]);
    let signer = LedgerSigner::new(&keys, "bench.xueshi/ledger").unwrap();
    registry::seed_places(&db, &policy).await.unwrap();
    registry::init_ledger(&db, &signer).await.unwrap();
    let mut persons = Vec::with_capacity(PERSONS);
    for i in 0..PERSONS {
        let body = format!(
            "341522{}{:02}{:02}{:03}",
            1970 + i % 25,
            1 + i % 12,
            1 + i % 28,
            i % 1000
        );
        let id = IdNumber::complete(&body).unwrap();
        let p = NewPerson {
            id_number: id,
            name: format!("测试{i}"),
            cohort: Cohort::New,
            phone: None,
        };
        persons.push(people::insert_person(&db, &keys, &p, 0).await.unwrap());
    }
    let start = Date::parse("2026-01-01").unwrap().day_number();
    let started = Instant::now();
    let mut n = 0usize;
    while n < total {
        let batch: Vec<NewRecord> = (n..(n + BATCH).min(total))
            .map(|i| {
                let completed = Date::from_day_number(start + (i % 300) as i32).unwrap();
                NewRecord {
                    person_id: persons[i % PERSONS],
                    record: Record {
                        id: format!("cert-{i}"),
                        subject: Subject::Public,
                        form: Form::Online,
                        provider: Some(Provider::Base(1 + (i % 4) as u8)),
                        started: None,
                        completed,
                        amount: Some(Amount::Hours(Hours::whole(10))),
                        exam: Exam::Pass,
                        for_year: None,
                        filing: None,
                        conversion: None,
                        achievement: None,
                        registered: None,
                    },
                    content: "专业技术人员公需科目".to_owned(),
                    certificate_no: Some(format!("AH2026{i:09}")),
                    evidence: None,
                    registered_on: completed,
                    actor: "base:1".to_owned(),
                }
            })
            .collect();
        records::register(&db, &signer, &batch, 0).await.unwrap();
        n += batch.len();
    }
    let reg = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = verify::verify(&db, &signer.verifier(), None).await.unwrap();
    let ver = started.elapsed().as_secs_f64();
    assert!(report.ok(), "{:?}", report.problems.first());
    assert_eq!(report.entries as usize, total);
    println!(
        "{label}: register {total} records in {reg:.2} s = {:.0} records/s (batches of {BATCH}, with ledger); \
         verify {} entries in {ver:.2} s = {:.0} entries/s",
        total as f64 / reg,
        report.entries,
        report.entries as f64 / ver
    );
    db.close().await;
}

fn main() {
    let total: usize = std::env::var("XUESHI_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("xueshi-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ledger.db");
        let db = Db::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        run("SQLite", db, total).await;
        let _ = std::fs::remove_dir_all(&dir);
        let admin = std::env::var("XUESHI_TEST_POSTGRES")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        match Db::connect(&admin).await {
            Ok(Db::Postgres(p)) => {
                let name = format!("xueshi_bench_{}", std::process::id());
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&p)
                    .await
                    .unwrap();
                let url = format!("{}/{name}", admin.rsplit_once('/').unwrap().0);
                let db = Db::open(&url).await.unwrap();
                run("PostgreSQL", db, total).await;
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE {name}")))
                    .execute(&p)
                    .await
                    .unwrap();
            }
            _ => eprintln!("PostgreSQL not reachable at {admin}: skipped"),
        }
    });
}
