//! `xueshi statistics refresh`: re-decides the marked person-years (after a policy change, an
//! import by another process, or on demand) with the same drain the server runs in the
//! background (`xueshi_store::summaries::drain`). A progress line goes to stderr, the summary
//! (person-years, seconds, rate) to stdout.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::{Duration, Instant};

use xueshi_policy::Policy;
use xueshi_store::Db;
use xueshi_store::summaries::{self, Scope};

use crate::store_cmd::{Outcome, Result, StoreArgs, anhui, clock, err};

/// Width of the progress bar, in characters.
const BAR: usize = 30;

/// Person-years per second, in integers (floats are not used in this code base).
fn rate(n: usize, elapsed: Duration) -> u128 {
    let ms = elapsed.as_millis().max(1);
    u128::try_from(n).unwrap_or(u128::MAX).saturating_mul(1000) / ms
}

/// `12.3` seconds, from milliseconds.
fn seconds(elapsed: Duration) -> String {
    let ms = elapsed.as_millis();
    format!("{}.{}", ms / 1000, (ms % 1000) / 100)
}

fn bar(done: usize, total: usize) -> String {
    let filled = (done.min(total) * BAR).checked_div(total).unwrap_or(BAR);
    format!("{}{}", "#".repeat(filled), "-".repeat(BAR - filled))
}

/// Marks what changed (the years whose rules changed, years not yet opened; with `all`,
/// every person-year of `year` or of every year), then re-decides the marks of `year` (or all).
pub async fn refresh(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    year: Option<i32>,
    all: bool,
) -> Result<Outcome> {
    let policy = anhui(policies)?;
    if let Some(y) = year
        && policy.year(y).is_none()
    {
        return Err(format!("政策中没有 {y} 年度的规则（--year）"));
    }
    let db = Db::open(&args.url).await.map_err(err)?;
    let (_, now_ms) = clock()?;
    summaries::prepare(&db, policy).await.map_err(err)?;
    if all {
        summaries::mark_all(&db, policy, year).await.map_err(err)?;
    }
    let total = usize::try_from(summaries::pending(&db, year).await.map_err(err)?).unwrap_or(0);
    let started = Instant::now();
    let mut stderr = std::io::stderr();
    let mut show = |done: usize| {
        let _ = write!(
            stderr,
            "\r重新判定 [{}] {done}/{total} 人年，{} 人年/秒 ",
            bar(done, total),
            rate(done, started.elapsed())
        );
        let _ = stderr.flush();
    };
    show(0);
    let scope = Scope {
        year,
        ..Scope::default()
    };
    let n = summaries::drain(&db, policy, now_ms, scope, &mut show)
        .await
        .map_err(err)?;
    eprintln!();
    let elapsed = started.elapsed();
    let which = year.map_or_else(|| "各年度".to_owned(), |y| format!("{y} 年度"));
    Ok(Outcome::Done(format!(
        "{which}重新判定 {n} 个人年，用时 {} 秒，每秒 {} 个人年\n",
        seconds(elapsed),
        rate(n, elapsed)
    )))
}
