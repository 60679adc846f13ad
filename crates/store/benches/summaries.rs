//! Statistics on a large database: how fast `summaries::refresh_dirty` re-evaluates marked
//! person-years, and how long `summaries::statistics` takes. Not a test: prints figures. Runs on
//! an existing database (e.g. after `xueshi demo seed --persons 100000`), marking the first
//! `XUESHI_BENCH_MARK` (default 40 000) summaries dirty first; the summaries it leaves are those it
//! found.
//!
//!     XUESHI_BENCH_DB=sqlite:///tmp/demo.db cargo bench -p xueshi-store --bench summaries

// A benchmark: panics are failures, prints are its output, floats are its figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::panic,
    clippy::float_arithmetic,
    clippy::cast_precision_loss
)]

use std::time::Instant;

use xueshi_domain::RegionCode;
use xueshi_policy::input::Place;
use xueshi_store::summaries::{self, GroupBy, Within};
use xueshi_store::{Db, on_db};

#[tokio::main]
async fn main() {
    let Ok(url) = std::env::var("XUESHI_BENCH_DB") else {
        println!("XUESHI_BENCH_DB is not set: nothing to measure");
        return;
    };
    let policy = xueshi_policy::load_embedded("anhui").unwrap();
    let db = Db::open(&url).await.unwrap();
    summaries::prepare(&db, &policy).await.unwrap();
    let mark: i64 = std::env::var("XUESHI_BENCH_MARK")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40_000);
    let marked = on_db!(&db, p => sqlx::query(
        "INSERT INTO summary_dirty (person_id, year) SELECT person_id, year FROM person_year_summaries
         WHERE TRUE ORDER BY person_id, year LIMIT $1 ON CONFLICT (person_id, year) DO NOTHING"
    ).bind(mark).execute(p).await.unwrap().rows_affected());
    let total = summaries::pending(&db, None).await.unwrap();
    println!("{total} person-years marked ({marked} with a summary)");
    let started = Instant::now();
    let n = summaries::catch_up(&db, &policy, 0).await.unwrap();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "refresh_dirty: {n} person-years in {secs:.1} s = {:.0} person-years/s",
        n as f64 / secs
    );

    let year: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT MAX(year) FROM person_year_summaries")
        .fetch_one(p).await.unwrap());
    let year = i32::try_from(year).unwrap();
    let rows: i64 = on_db!(&db, p => sqlx::query_scalar("SELECT COUNT(*) FROM person_year_summaries WHERE year = $1")
        .bind(i64::from(year)).fetch_one(p).await.unwrap());
    println!("statistics of {year} ({rows} person-years), best of 5:");
    let city = Within {
        area: Some(Place::Region(RegionCode::parse("341500").unwrap())),
        ..Within::default()
    };
    let county = Within {
        area: Some(Place::Region(RegionCode::parse("341502").unwrap())),
        ..Within::default()
    };
    for (label, within) in [("city", &city), ("county 341502", &county)] {
        for by in [GroupBy::County, GroupBy::Industry, GroupBy::Unit] {
            let mut best = f64::MAX;
            let mut groups = 0;
            for _ in 0..5 {
                let t = Instant::now();
                groups = summaries::statistics(&db, year, by, within)
                    .await
                    .unwrap()
                    .len();
                best = best.min(t.elapsed().as_secs_f64());
            }
            println!(
                "  {label:>14} by {by:?}: {groups} rows in {:.1} ms",
                best * 1000.0
            );
        }
    }
}
