//! Registration, `ledger verify` and inclusion proofs on SQLite and PostgreSQL (when
//! reachable). Not a test: prints figures. `XUESHI_BENCH_RECORDS` (default 200 000) records
//! over 2 000 persons, registered in batches of 5 000 (one signed checkpoint per batch); then
//! `XUESHI_BENCH_SINGLES` (default 1 000) registrations of one record each (a checkpoint each,
//! as a lone web registration); then the whole log verified; then inclusion proofs of random
//! entries against the latest checkpoint (`certificates::ledger_proof`, what the public
//! certificate check calls), each verified; then, where the store keeps subtree hashes, the
//! time to compute them for the whole log as migration 0008 does for an existing database.
//! The same file builds against older commits (before/after runs of one machine).
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

use std::time::{Duration, Instant};

use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours};
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Provider, Record, Subject};
use xueshi_store::people::NewPerson;
use xueshi_store::records::NewRecord;
use xueshi_store::{Db, Keys, LedgerSigner, certificates, people, records, registry, verify};

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
    let record = |i: usize| {
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
    };
    let started = Instant::now();
    let mut n = 0usize;
    while n < total {
        let batch: Vec<NewRecord> = (n..(n + BATCH).min(total)).map(record).collect();
        records::register(&db, &signer, &batch, 0).await.unwrap();
        n += batch.len();
    }
    let reg = started.elapsed().as_secs_f64();
    let singles: usize = std::env::var("XUESHI_BENCH_SINGLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let started = Instant::now();
    for i in total..total + singles {
        records::register(&db, &signer, &[record(i)], 0)
            .await
            .unwrap();
    }
    let one = started.elapsed().as_secs_f64();
    let size = total + singles;
    let started = Instant::now();
    let report = verify::verify(&db, &signer.verifier(), None).await.unwrap();
    let ver = started.elapsed().as_secs_f64();
    assert!(report.ok(), "{:?}", report.problems.first());
    assert_eq!(report.entries as usize, size);
    println!(
        "{label}: register {total} records in {reg:.2} s = {:.0} records/s (batches of {BATCH}, with ledger); \
         {singles} single registrations in {one:.2} s = {:.0} registrations/s; \
         verify {} entries in {ver:.2} s = {:.0} entries/s",
        total as f64 / reg,
        singles as f64 / one,
        report.entries,
        report.entries as f64 / ver
    );
    proofs(label, &db, size as u64).await;
    backfill(label, &db, &signer).await;
    db.close().await;
}

/// Inclusion proofs of pseudo-random entries against the latest checkpoint, each verified:
/// up to 200 of them or 5 s, at least 3.
async fn proofs(label: &str, db: &Db, size: u64) {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut times = Vec::new();
    let started = Instant::now();
    while times.len() < 3 || (times.len() < 200 && started.elapsed() < Duration::from_secs(5)) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let index = state % size;
        let t = Instant::now();
        let p = certificates::ledger_proof(db, index as i64).await.unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(p.tree_size, size);
        xueshi_ledger::merkle::verify_inclusion(&p.leaf, index, size, &p.path, &p.root).unwrap();
    }
    times.sort_by(f64::total_cmp);
    let mean = times.iter().sum::<f64>() / times.len() as f64;
    println!(
        "{label}: inclusion proof at {size} entries, {} proofs: mean {mean:.2} ms, median {:.2} ms, max {:.2} ms",
        times.len(),
        times[times.len() / 2],
        times[times.len() - 1],
    );
}

/// Where the store keeps subtree hashes: drops them and migration 0008, migrates again (which
/// recomputes them from the leaves, as for a database written before they were kept), and
/// checks the log still verifies.
async fn backfill(label: &str, db: &Db, signer: &LedgerSigner) {
    let kept: Result<i64, sqlx::Error> = xueshi_store::on_db!(db, p =>
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_nodes").fetch_one(p).await);
    let Ok(kept) = kept else {
        println!("{label}: no kept subtree hashes in this version");
        return;
    };
    for sql in [
        "DROP TABLE ledger_nodes",
        "DROP TABLE ledger_nodes_backfill",
        "DELETE FROM _sqlx_migrations WHERE version = 8",
    ] {
        xueshi_store::on_db!(db, p => { sqlx::query(sql).execute(p).await.unwrap(); });
    }
    let started = Instant::now();
    db.migrate().await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    let again: i64 = xueshi_store::on_db!(db, p =>
        sqlx::query_scalar("SELECT COUNT(*) FROM ledger_nodes").fetch_one(p).await.unwrap());
    assert_eq!(again, kept);
    assert!(
        verify::verify(db, &signer.verifier(), None)
            .await
            .unwrap()
            .ok()
    );
    println!("{label}: migration 0008 computed {kept} kept subtree hashes in {secs:.2} s");
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
