//! D13 through the API, on both backends: the routing table in force on the day of the
//! application decides, whatever years the tenure cycle covers. Applied for in 2026, a unit in
//! every county and district of Lu'an, in the development zone, a city-direct unit and a
//! state-owned unit, at each title level, with cycles ending 2021…2026: readiness and
//! `POST /api/verifications` both name the bureau 30号 三 (and 235号 五(二)) name. And the
//! edge bounds of these requests and of record registration: years, integers, lengths, a
//! provider on a form where it means nothing, a record registered before it ended.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::http::StatusCode;
use serde_json::{Value, json};
use world::{INITIAL, READY, World, d, now_ms};
use xueshi_domain::RegionCode;
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_policy::input::Cohort;
use xueshi_store::accounts::{self, NewAccount, Role};
use xueshi_store::people::{self, NewPerson, NewUnit, UnitKind};
use xueshi_store::{Keys, registry};
use xueshi_testkit::{account_policy, done, fresh_dbs};

const COUNTIES: [&str; 7] = [
    "341502", "341503", "341504", "341522", "341523", "341524", "341525",
];
const ZONE: &str = "六安经济技术开发区";

/// Where a unit is, and who must verify its staff.
#[derive(Clone, Copy, Debug)]
enum Unit {
    County(&'static str),
    Zone,
    CityDirect,
    StateOwned,
}

impl Unit {
    /// (region, zone) of the verifier 30号 三 names, or `None` for the unit's own office.
    fn verifier(self, level: &str) -> Option<(&'static str, Option<&'static str>)> {
        let senior = level == "senior";
        match self {
            Unit::County(c) if !senior => Some((c, None)),
            Unit::Zone if !senior => Some(("341500", Some(ZONE))),
            Unit::County(_) | Unit::Zone | Unit::CityDirect => Some(("341500", None)),
            Unit::StateOwned => None,
        }
    }
}

/// A unit at `unit` with one professional, and an administrator account `login` for it.
async fn staffed(w: &World, n: u32, unit: Unit, login: &str) -> i64 {
    let zone = registry::zone_id(&w.db, ZONE).await.unwrap();
    let (region, zone_id, kind) = match unit {
        Unit::County(c) => (c, None, UnitKind::Institution),
        Unit::Zone => ("341500", zone, UnitKind::Enterprise),
        Unit::CityDirect => ("341500", None, UnitKind::Institution),
        Unit::StateOwned => ("341500", None, UnitKind::StateOwned),
    };
    let unit_id = people::insert_unit(
        &w.db,
        &NewUnit {
            credit_code: CreditCode::complete(&format!("12{region}RT{n:07}")).unwrap(),
            name: format!("路由测试单位{n}"),
            region: RegionCode::parse(region).unwrap(),
            zone_id,
            industry: "卫生健康".to_owned(),
            kind,
        },
        now_ms(),
    )
    .await
    .unwrap();
    let keys = Keys::from_master([7; 32]);
    let person = people::insert_person(
        &w.db,
        &keys,
        &NewPerson {
            id_number: IdNumber::complete(&format!("34150019800101{:03}", 100 + n)).unwrap(),
            name: format!("路由{n}"),
            cohort: Cohort::New,
            phone: None,
        },
        now_ms(),
    )
    .await
    .unwrap();
    people::employ(&w.db, person, unit_id, d("2016-01-01"))
        .await
        .unwrap();
    if let Unit::StateOwned = unit {
        xueshi_store::organisations::insert_organisation(
            &w.db,
            &xueshi_store::organisations::NewOrganisation {
                kind: xueshi_store::organisations::OrgKind::StateOwnedUnit,
                name: format!("路由测试单位{n}（人事部）"),
                region: RegionCode::parse("341500").unwrap(),
                zone_id: None,
                industry: None,
                base_number: None,
                unit_id: Some(unit_id),
            },
        )
        .await
        .unwrap();
    }
    let pol = account_policy();
    let new = NewAccount {
        login: login.to_owned(),
        display_name: login.to_owned(),
        role: Role::UnitAdmin,
        organisation_id: None,
        unit_id: Some(unit_id),
        person_id: None,
    };
    let id = accounts::create_account(&w.db, &keys, &pol, &new, INITIAL, "test", now_ms())
        .await
        .unwrap();
    accounts::change_password(&w.db, &keys, &pol, id, INITIAL, READY, now_ms())
        .await
        .unwrap();
    person
}

fn check(what: &str, v: &Value, unit: Unit, level: &str, n: u32) {
    match unit.verifier(level) {
        Some((region, zone)) => {
            assert_eq!(v["region"], json!(region), "{what}: {v}");
            assert_eq!(v["zone"], json!(zone), "{what}: {v}");
            let cite = v["cite"].as_str().unwrap();
            assert!(cite.contains("六人社秘〔2026〕30号 三"), "{what}: {v}");
            // The zone is not in 30号 三: its rows are a reading, and say so (D20).
            assert_eq!(
                cite.contains("未经原文核实"),
                matches!(unit, Unit::Zone),
                "{what}: {v}"
            );
        }
        None => {
            assert_eq!(
                v["name"],
                json!(format!("路由测试单位{n}（人事部）")),
                "{what}: {v}"
            );
            assert_eq!(
                v["cite"],
                json!("皖人社函〔2026〕235号 五(二)"),
                "{what}: {v}"
            );
        }
    }
}

#[tokio::test]
async fn every_place_level_and_cycle_applied_for_in_2026_routes_as_30_hao_san_says() {
    for db in fresh_dbs("routing").await {
        let w = World::new(db).await;
        w.set_today("2026-11-26");
        let mut units: Vec<Unit> = COUNTIES.iter().map(|&c| Unit::County(c)).collect();
        units.extend([Unit::Zone, Unit::CityDirect, Unit::StateOwned]);
        let mut routed = 0;
        for (n, &unit) in (1u32..).zip(&units) {
            let login = format!("route{n}");
            let person = staffed(&w, n, unit, &login).await;
            let admin = w.who(&login).await;
            for level in ["junior", "intermediate", "senior"] {
                for last in 2021..=2026 {
                    let first = last - 4;
                    let what = format!("{unit:?} {level} {first}–{last}");
                    let ready = w
                        .get(
                            &admin,
                            &format!(
                                "/api/persons/{person}/readiness?level={level}&first_year={first}&last_year={last}"
                            ),
                        )
                        .await;
                    check(
                        &what,
                        &ready.expect(StatusCode::OK)["verifier"],
                        unit,
                        level,
                        n,
                    );
                    let applied = w
                        .post(
                            &admin,
                            "/api/verifications",
                            json!({ "persons": [person], "level": level,
                                    "first_year": first, "last_year": last }),
                        )
                        .await;
                    let body = applied.expect(StatusCode::CREATED);
                    check(&what, &body[0]["verifier"], unit, level, n);
                    routed += 1;
                }
            }
        }
        assert_eq!(routed, 10 * 3 * 6);
        done(w.db).await;
    }
}

#[tokio::test]
async fn years_outside_2000_to_2100_are_refused_naming_the_field_and_nothing_is_filed() {
    for db in fresh_dbs("routing_bounds").await {
        let w = World::new(db).await;
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        for (first, last, field) in [
            (i32::MIN, i32::MAX, "first_year"),
            (2021, i32::MAX, "last_year"),
            (1999, 2003, "first_year"),
            (2098, 2101, "last_year"),
        ] {
            let r = w
                .post(
                    &me,
                    "/api/verifications",
                    json!({ "persons": [zhang], "level": "junior",
                            "first_year": first, "last_year": last }),
                )
                .await;
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::BAD_REQUEST, "request.year")
            );
            assert!(
                r.body["message"].as_str().unwrap().contains(field),
                "{}",
                r.body
            );
            let q = w
                .get(
                    &me,
                    &format!(
                        "/api/persons/{zhang}/readiness?level=junior&first_year={first}&last_year={last}"
                    ),
                )
                .await;
            assert_eq!(q.code(), "request.year", "{}", q.body);
        }
        let mine = w
            .get(&me, &format!("/api/persons/{zhang}/verifications"))
            .await;
        assert_eq!(mine.expect(StatusCode::OK), &json!([]));
        done(w.db).await;
    }
}

#[tokio::test]
async fn record_fields_out_of_bounds_are_refused_naming_the_field_and_nothing_is_written() {
    for db in fresh_dbs("record_bounds").await {
        let w = World::new(db).await;
        let zhang = w.persons["zhang"];
        let me = w.who("zhang").await;
        let uri = format!("/api/persons/{zhang}/records");
        let ok = json!({
            "label": "ok", "content": "公需科目网络课程", "subject": "public", "form": "online",
            "provider": "kind:hrss", "completed_on": "2026-10-01", "hours": "6"
        });
        let with = |key: &str, value: Value| {
            let mut v = ok.clone();
            v[key] = value;
            v
        };
        let without_hours = |key: &str, value: Value| {
            let mut v = with(key, value);
            v.as_object_mut().unwrap().remove("hours");
            v
        };
        for (body, code, field) in [
            (
                without_hours("minutes", json!(u64::MAX)),
                "record.minutes",
                "分钟",
            ),
            (
                without_hours("minutes", json!(6_000_001)),
                "record.minutes",
                "分钟",
            ),
            (
                with("label", json!("x".repeat(5_000))),
                "record.label",
                "登记编号",
            ),
            (
                with("content", json!("课".repeat(501))),
                "record.content",
                "培训内容",
            ),
            (
                with("achievement", json!("A".repeat(501))),
                "record.achievement",
                "成果",
            ),
            (
                with("for_year", json!(i32::MAX)),
                "request.year",
                "for_year",
            ),
            (with("for_year", json!(1999)), "request.year", "for_year"),
            (
                with("form", json!("research")),
                "record.provider",
                "网络学习",
            ),
            (
                with("completed_on", json!("2026-11-27")),
                "record.not_completed",
                "学习结束后",
            ),
        ] {
            let r = w.post(&me, &uri, body).await;
            assert_eq!(
                (r.status, r.code()),
                (StatusCode::BAD_REQUEST, code),
                "{}",
                r.body
            );
            let message = r.body["message"].as_str().unwrap();
            assert!(message.contains(field), "{code}: {message}");
            assert!(
                message.chars().count() < 300,
                "{code}: the message echoes no input"
            );
        }
        let listed = w.get(&me, &uri).await;
        assert_eq!(listed.expect(StatusCode::OK), &json!([]));
        // The same record within bounds is registered, its minutes kept exactly.
        let fine = without_hours("minutes", json!(6_000_000));
        w.post(&me, &uri, fine).await.expect(StatusCode::CREATED);
        let listed = w.get(&me, &uri).await;
        assert_eq!(
            listed.expect(StatusCode::OK)[0]["minutes"],
            json!(6_000_000)
        );
        done(w.db).await;
    }
}
