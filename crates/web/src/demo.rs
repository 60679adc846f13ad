//! Work waiting in the demo, so that each demo account finds something to do at its first
//! sign-in: year pages submitted for the industry authority's review, verification
//! applications in the county bureau's, city bureau's, zone centre's and state-owned unit's
//! queues (some compliant, to stamp; one short, to see the refusal), training filings for the
//! city bureau, and appointment slots. Everything goes through the API's own handlers as the
//! demo's officials, so it is authorized, routed, ledgered and audited exactly as a person's
//! clicks would be. The demo professional's own person is left alone for its own flow.

use axum::Json;
use axum::extract::State;
use xueshi_app::{AccountId, Principal, Scope, UnitId};
use xueshi_demo as demo;
use xueshi_domain::Date;
use xueshi_store::accounts::{self, Account};
use xueshi_store::{organisations, people};

use crate::access;
use crate::auth::{Acting, Agent, acting_of};
use crate::error::ApiError;
use crate::extract::{ApiJson, ApiPath};
use crate::routes::{registers, reviews, slots};
use crate::state::AppState;
use xueshi_app::verifications;

/// The cycle the demo's applications are for.
const FIRST: i32 = 2024;
const LAST: i32 = 2026;

async fn acting(state: &AppState, login: &str) -> Result<Acting, ApiError> {
    let account = accounts::account_by_login(&state.db, login)
        .await?
        .ok_or_else(|| ApiError::not_found("demo.account", format!("没有演示账号 {login}")))?;
    acting_of(state, account).await
}

/// The personnel office of another unit, acting under the demo unit administrator's account
/// id but only within that unit (named so in the trail).
async fn office_of(state: &AppState, base: &Account, unit_id: i64) -> Result<Acting, ApiError> {
    let unit = people::unit_place(&state.db, unit_id)
        .await?
        .ok_or_else(|| ApiError::not_found("demo.unit", "演示单位不存在"))?;
    let scope = Scope::UnitAdmin {
        unit: UnitId(unit.unit_id),
        place: access::place(unit.region, unit.zone),
    };
    let name = xueshi_store::staff::unit_name(&state.db, unit_id)
        .await?
        .unwrap_or_else(|| "演示单位".to_owned());
    let mut account = base.clone();
    // Named by its unit, as people read it in the trail (never by an id).
    account.display_name = format!("{name}人事经办（演示）");
    Ok(Acting::new(
        account,
        Principal::new(AccountId(base.id), scope)?,
        Some(unit.region),
    ))
}

/// Applies for verification of the cycle for `persons` at `level`; an empty list is skipped.
async fn apply(
    state: &AppState,
    by: &Acting,
    persons: Vec<i64>,
    level: &str,
) -> Result<usize, ApiError> {
    if persons.is_empty() {
        return Ok(0);
    }
    let body = verifications::ApplyBody {
        persons,
        level: level.to_owned(),
        first_year: FIRST,
        last_year: LAST,
    };
    let applied = verifications::apply(&state.ctx(), by, &body).await?;
    Ok(applied.len())
}

/// Up to `met` staff whose cycle complies and `short` whose does not, leaving out `skip`.
async fn pick(
    state: &AppState,
    unit_id: i64,
    skip: Option<i64>,
    met: usize,
    short: usize,
) -> Result<(Vec<i64>, Vec<i64>), ApiError> {
    let staff = demo::staff_years_met(&state.db, unit_id, FIRST, LAST, 400).await?;
    let mine = |p: &i64| Some(*p) != skip;
    let ok = staff
        .iter()
        .filter(|(p, ok)| *ok && mine(p))
        .map(|(p, _)| *p)
        .take(met)
        .collect();
    let bad = staff
        .iter()
        .filter(|(p, ok)| !*ok && mine(p))
        .map(|(p, _)| *p)
        .take(short)
        .collect();
    Ok((ok, bad))
}

fn days_after(today: Date, days: i32) -> Result<String, ApiError> {
    Date::from_day_number(today.day_number().saturating_add(days))
        .map(|d| d.to_string())
        .map_err(|e| ApiError::internal("demo.date", &e))
}

async fn open_slot(
    state: &AppState,
    by: &Acting,
    on: String,
    address: Option<&str>,
    capacity: u32,
) -> Result<(), ApiError> {
    let body = slots::SlotBody {
        on,
        online: address.is_none(),
        address: address.map(str::to_owned),
        capacity,
        industry: None,
        // On-site mornings, online afternoons: what a bureau's week looks like.
        starts_at: Some(if address.is_some() { "09:00" } else { "14:30" }.to_owned()),
        ends_at: Some(if address.is_some() { "11:30" } else { "17:00" }.to_owned()),
    };
    let (_, Json(_slot)) = slots::open(State(state.clone()), by.clone(), ApiJson(body)).await?;
    Ok(())
}

/// A certificate report for the demo base to upload (CSV, as bases send them): two passed
/// public-subject courses of the demo unit's staff, and one row whose name does not match its
/// ID number, to see a row refused. Written by `serve --demo` beside its database.
pub async fn base_sample(state: &AppState) -> Result<String, ApiError> {
    let unit = acting(state, "demo-unit").await?;
    let unit_id = unit
        .account
        .unit_id
        .ok_or_else(|| ApiError::internal("demo.unit", &"demo-unit without unit"))?;
    let staff = demo::staff_years_met(&state.db, unit_id, LAST, LAST, 3).await?;
    let on = days_after(access::today(state)?, -10)?;
    let mut csv = String::from("身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果\n");
    for (k, (person_id, _)) in staff.iter().enumerate() {
        let id = people::reveal_id_number(&state.db, &state.keys, *person_id).await?;
        let person = people::person(&state.db, *person_id).await?;
        // The last row names someone else: the base's page shows it refused.
        let name = if k + 1 == staff.len() && k > 0 {
            "王某某".to_owned()
        } else {
            person.name
        };
        csv.push_str(&format!(
            "{id},{name},1,AOU-DEMO-{LAST}-{:04},专业技术人员职业道德与诚信建设,10,{on},合格\n",
            k + 1
        ));
    }
    Ok(csv)
}

/// Stages the demo's waiting work; returns what it did, one Chinese line each.
pub async fn stage(state: &AppState) -> Result<Vec<String>, ApiError> {
    let mut done = Vec::new();
    let today = access::today(state)?;
    let professional = acting(state, "demo-professional").await?;
    let own = professional.account.person_id;
    let unit = acting(state, "demo-unit").await?;
    let unit_id = unit
        .account
        .unit_id
        .ok_or_else(|| ApiError::internal("demo.unit", &"demo-unit without unit"))?;

    // The unit sends four of its staff's 2026 pages to the industry authority.
    let (met, short) = pick(state, unit_id, own, 4, 1).await?;
    let mut submitted = 0;
    for &person in met.iter().chain(&short) {
        let (_, Json(_page)) =
            reviews::submit(State(state.clone()), unit.clone(), ApiPath((person, LAST))).await?;
        submitted += 1;
    }
    done.push(format!(
        "行业主管部门待审核：{submitted} 份 {LAST} 年度学时登记"
    ));

    // Intermediate titles are verified by the county bureau, senior ones by the city's.
    let (county, senior) = met.split_at(met.len().min(2));
    let mut to_county = county.to_vec();
    to_county.extend(&short);
    let n = apply(state, &unit, to_county, "intermediate").await?;
    done.push(format!(
        "县人社局待核验：{n} 份申请（中级，{FIRST}—{LAST}）"
    ));
    let n = apply(
        state,
        &unit,
        senior.iter().take(1).copied().collect(),
        "senior",
    )
    .await?;
    done.push(format!("市人社局待核验：{n} 份申请（高级）"));

    if let Some(zone_unit) = demo::zone_unit(&state.db).await? {
        let office = office_of(state, &unit.account, zone_unit).await?;
        let (met, short) = pick(state, zone_unit, None, 1, 1).await?;
        let n = apply(
            state,
            &office,
            met.into_iter().chain(short).collect(),
            "junior",
        )
        .await?;
        done.push(format!("开发区中心待核验：{n} 份申请"));
    }
    let soe = acting(state, "demo-state-owned-unit").await?;
    let soe_org = organisations::organisation(&state.db, access::organisation(&soe)?).await?;
    if let Some(soe_unit) = soe_org.and_then(|o| o.unit_id) {
        let office = office_of(state, &unit.account, soe_unit).await?;
        let (met, _) = pick(state, soe_unit, None, 2, 0).await?;
        let n = apply(state, &office, met, "intermediate").await?;
        done.push(format!("国有企事业单位待核验：{n} 份申请"));
    }

    // The provider files two trainings with the city bureau.
    let provider = acting(state, "demo-provider").await?;
    let agent = Agent {
        actor: access::actor(&provider),
        organisation_id: provider.account.organisation_id,
        region: provider.region,
        principal: provider.principal.clone(),
    };
    let trainings = [
        ("2026年度中小学教师信息技术应用能力提升培训", 10, 12),
        ("2026年度基层卫生专业技术人员急诊急救培训", 14, 16),
    ];
    for (title, from, to) in trainings {
        // Filed without a number, as providers file: the city bureau assigns it.
        let body = registers::FilingBody {
            number: None,
            title: title.to_owned(),
            region: "341500".to_owned(),
            zone: None,
            starts_on: days_after(today, from)?,
            ends_on: days_after(today, to)?,
            hours: Some("24".to_owned()),
            content: Some(format!("{title}：政策解读、专题讲授、案例研讨与实操演练")),
            venue: Some("六安市委党校培训楼".to_owned()),
            trainees: Some(120),
            attachment: None,
        };
        let (_, Json(_filing)) =
            registers::file(State(state.clone()), agent.clone(), ApiJson(body)).await?;
    }
    done.push(format!("市人社局待审批：{} 项培训备案", trainings.len()));

    // Verification appointments in the coming weeks.
    let county = acting(state, "demo-county-bureau").await?;
    open_slot(
        state,
        &county,
        days_after(today, 12)?,
        Some("霍邱县政务服务中心三楼人社窗口"),
        20,
    )
    .await?;
    open_slot(state, &county, days_after(today, 19)?, None, 50).await?;
    let city = acting(state, "demo-city-bureau").await?;
    open_slot(
        state,
        &city,
        days_after(today, 14)?,
        Some("六安市人力资源市场二楼专技科"),
        30,
    )
    .await?;
    let zone = acting(state, "demo-zone-centre").await?;
    open_slot(
        state,
        &zone,
        days_after(today, 13)?,
        Some("六安经济技术开发区政务服务中心"),
        15,
    )
    .await?;
    done.push("预约时段：县人社局 2 个、市人社局 1 个、开发区中心 1 个".to_owned());
    Ok(done)
}
