//! `xueshi reminders run [--today YYYY-MM-DD] [--days 120,30,7]`: writes the reminders due on
//! a day now (the service does the same once an hour by the Beijing date), for an operator who
//! wants them at once or on a day of their choosing (a drill, the browser test). Idempotent:
//! a reminder already given for a person or unit, year, deadline and threshold is not given
//! again. A running service with an SMTP server e-mails them on its next round.

use std::collections::BTreeMap;

use xueshi_domain::Date;
use xueshi_policy::Policy;
use xueshi_store::{Db, reminders};

use crate::store_cmd::{Outcome, Result, StoreArgs, anhui, clock, err};

pub async fn run(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    today: Option<&str>,
    days: &str,
) -> Result<Outcome> {
    let policy = anhui(policies)?;
    let days = reminders::parse_days(days).map_err(err)?;
    let (system_today, now_ms) = clock()?;
    let today = match today {
        Some(t) => Date::parse(t).map_err(|e| format!("--today 须为 YYYY-MM-DD：{e}"))?,
        None => system_today,
    };
    let db = Db::open(&args.url).await.map_err(err)?;
    let r = reminders::run(&db, policy, today, &days, now_ms)
        .await
        .map_err(err)?;
    let mut out = String::new();
    if r.due.is_empty() {
        out.push_str(&format!(
            "{today}：没有临近截止日的年度（提醒天数 {days:?}）\n"
        ));
    }
    for d in &r.due {
        out.push_str(&format!(
            "{} 年度{}截止日 {}，还有 {} 天（{} 天提醒）\n",
            d.year,
            d.kind.zh(),
            d.on,
            d.days_left,
            d.threshold
        ));
    }
    out.push_str(&format!(
        "新写入提醒：专业技术人员 {} 条，单位 {} 条\n",
        r.persons, r.units
    ));
    Ok(Outcome::Done(out))
}
