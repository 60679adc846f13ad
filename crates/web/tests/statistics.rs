//! `GET /api/statistics` through the router on a fresh database of each backend: counts and
//! rates by county, industry and unit over each role's jurisdiction, refusals by role and
//! jurisdiction, malformed queries as 400, and statistics that follow a write.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Hours, RegionCode};
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Record, Subject};
use xueshi_store::accounts::Role;
use xueshi_store::ledger::Act;
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::people::{NewPerson, NewUnit, UnitKind};
use xueshi_store::records::NewRecord;
use xueshi_store::{Db, Keys, LedgerSigner, people, records, registry};
use xueshi_testkit::{done, fresh_dbs, policy};
use xueshi_web::AppState;

use common::{Browser, Client, T0, account, d, new_account};

/// 金安区: a hospital (卫生健康; 2 staff, both compliant) and a school (教育; one compliant, one
/// without records); 裕安区: a school (教育; one with 50 hours). Accounts: `jinan` (金安区
/// bureau), `luan` (city bureau), `edu` (the city's 教育 authority), `admin` (the 金安 school's
/// administrator), `zhang` (a professional).
struct World {
    client: Client,
    db: Db,
    signer: LedgerSigner,
    units: Vec<i64>,
    /// A record of a compliant hospital employee, voided by a test.
    to_void: i64,
}

async fn org(db: &Db, kind: OrgKind, name: &str, region: &str, industry: Option<&str>) -> i64 {
    organisations::insert_organisation(
        db,
        &NewOrganisation {
            kind,
            name: name.to_owned(),
            region: RegionCode::parse(region).unwrap(),
            zone_id: None,
            industry: industry.map(str::to_owned),
            base_number: None,
        },
    )
    .await
    .unwrap()
}

fn academic(person_id: i64, label: &str, hours: u64) -> NewRecord {
    NewRecord {
        person_id,
        content: "学术会议".to_owned(),
        record: Record {
            id: label.to_owned(),
            subject: Subject::Professional,
            form: Form::Academic,
            provider: None,
            started: None,
            completed: d("2026-04-01"),
            amount: Some(Amount::Hours(Hours::whole(hours))),
            exam: Exam::None,
            for_year: None,
            filing: None,
            conversion: None,
            achievement: None,
            registered: None,
        },
        certificate_no: None,
        evidence: None,
        registered_on: d("2026-04-02"),
        actor: "unit:admin".to_owned(),
    }
}

async fn world(db: Db) -> World {
    let keys = Keys::from_master([7; 32]);
    let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
    registry::seed_places(&db, policy()).await.unwrap();
    registry::init_ledger(&db, &signer).await.unwrap();
    let mut units = Vec::new();
    for (i, (county, industry, name)) in [
        ("341502", "卫生健康", "金安区人民医院"),
        ("341502", "教育", "金安区实验小学"),
        ("341503", "教育", "裕安区第一中学"),
    ]
    .into_iter()
    .enumerate()
    {
        units.push(
            people::insert_unit(
                &db,
                &NewUnit {
                    credit_code: CreditCode::complete(&format!("12{county}MB000000{i}")).unwrap(),
                    name: name.to_owned(),
                    region: RegionCode::parse(county).unwrap(),
                    zone_id: None,
                    industry: industry.to_owned(),
                    kind: UnitKind::Institution,
                },
                T0,
            )
            .await
            .unwrap(),
        );
    }
    let mut persons = Vec::new();
    for (n, unit) in [0, 0, 1, 1, 2].into_iter().enumerate() {
        let p = people::insert_person(
            &db,
            &keys,
            &NewPerson {
                id_number: IdNumber::complete(&format!("34150219900101{n:03}")).unwrap(),
                name: format!("人员{n}"),
                cohort: Cohort::New,
                phone: None,
            },
            T0,
        )
        .await
        .unwrap();
        people::employ(&db, p, units[unit], d("2020-01-01"))
            .await
            .unwrap();
        persons.push(p);
    }
    let batch = [
        academic(persons[0], "年会", 90),
        academic(persons[1], "年会", 95),
        academic(persons[2], "年会", 100),
        academic(persons[4], "年会", 50),
    ];
    let ids = records::register(&db, &signer, &batch, T0).await.unwrap();

    let jinan = org(&db, OrgKind::CountyBureau, "金安区人社局", "341502", None).await;
    let luan = org(&db, OrgKind::CityBureau, "六安市人社局", "341500", None).await;
    let edu = org(
        &db,
        OrgKind::IndustryAuthority,
        "六安市教育局",
        "341500",
        Some("教育"),
    )
    .await;
    for (login, role, organisation) in [
        ("jinan", Role::CountyBureau, jinan),
        ("luan", Role::CityBureau, luan),
        ("edu", Role::IndustryAuthority, edu),
    ] {
        let mut a = new_account(login, role);
        a.organisation_id = Some(organisation);
        account(&db, &keys, a, true).await;
    }
    let mut admin = new_account("admin", Role::UnitAdmin);
    admin.unit_id = Some(units[1]);
    account(&db, &keys, admin, true).await;
    let mut zhang = new_account("zhang", Role::Professional);
    zhang.person_id = Some(persons[0]);
    account(&db, &keys, zhang, true).await;

    let mut state = AppState::new(db.clone(), keys, signer.clone(), policy().clone());
    state.accounts = xueshi_testkit::account_policy();
    state.clock = Arc::new(|| T0);
    World {
        client: Client {
            router: xueshi_web::router(state),
        },
        db,
        signer,
        units,
        to_void: ids[1].0,
    }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `(key, persons, compliant, rate_permille)` of each row.
fn rows(body: &Value) -> Vec<(String, i64, i64, i64)> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["persons"].as_i64().unwrap(),
                r["compliant"].as_i64().unwrap(),
                r["rate_permille"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn row(key: &str, persons: i64, compliant: i64, rate: i64) -> (String, i64, i64, i64) {
    (key.to_owned(), persons, compliant, rate)
}

impl World {
    async fn stats(&self, who: &Browser, query: &str) -> common::Reply {
        self.client
            .get(&format!("/api/statistics?year=2026&{query}"), Some(who))
            .await
    }
}

#[tokio::test]
async fn each_role_sees_its_own_jurisdiction_and_no_more() {
    for db in fresh_dbs("statistics").await {
        let w = world(db).await;

        // A county bureau: its county only; another county or the city is refused.
        let jinan = w.client.browser("jinan").await;
        let reply = w.stats(&jinan, "by=county").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(rows(&reply.body), vec![row("341502", 4, 3, 750)]);
        assert_eq!(reply.body["rows"][0]["name"], "金安区");
        assert_eq!(
            reply.body["total"],
            json!({"persons": 4, "compliant": 3, "rate_permille": 750})
        );
        assert_eq!(reply.body["pending"], 0);
        assert_eq!(reply.body["by"], "county");
        let reply = w.stats(&jinan, "by=industry").await;
        assert_eq!(
            rows(&reply.body),
            vec![row("卫生健康", 2, 2, 1000), row("教育", 2, 1, 500)]
        );
        for query in ["by=county&place=341503", "by=county&place=341500"] {
            let reply = w.stats(&jinan, query).await;
            assert_eq!(reply.status, StatusCode::FORBIDDEN, "{query}");
            assert_eq!(reply.code(), "auth.jurisdiction", "{query}");
        }
        let other_unit = format!("by=unit&unit={}", w.units[2]);
        assert_eq!(
            w.stats(&jinan, &other_unit).await.code(),
            "auth.jurisdiction"
        );

        // The city bureau: both counties, or one of them.
        let luan = w.client.browser("luan").await;
        let reply = w.stats(&luan, "by=county").await;
        assert_eq!(
            rows(&reply.body),
            vec![row("341502", 4, 3, 750), row("341503", 1, 0, 0)]
        );
        assert_eq!(
            reply.body["total"],
            json!({"persons": 5, "compliant": 3, "rate_permille": 600})
        );
        let reply = w.stats(&luan, "by=unit&place=341503").await;
        assert_eq!(rows(&reply.body).len(), 1);
        assert_eq!(reply.body["rows"][0]["name"], "裕安区第一中学");
        assert_eq!(
            (
                reply.body["rows"][0]["persons"].clone(),
                reply.body["rows"][0]["compliant"].clone()
            ),
            (json!(1), json!(0))
        );
        let reply = w
            .stats(&luan, &format!("by=county&industry={}", enc("教育")))
            .await;
        assert_eq!(
            rows(&reply.body),
            vec![row("341502", 2, 1, 500), row("341503", 1, 0, 0)]
        );

        // The 教育 authority: its industry in its city; another industry is refused.
        let edu = w.client.browser("edu").await;
        let reply = w.stats(&edu, "by=industry").await;
        assert_eq!(rows(&reply.body), vec![row("教育", 3, 1, 333)]);
        let reply = w
            .stats(&edu, &format!("by=county&industry={}", enc("卫生健康")))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.code(), "auth.jurisdiction");

        // A unit administrator: its unit; another unit is refused.
        let admin = w.client.browser("admin").await;
        let reply = w.stats(&admin, "by=unit").await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["rows"][0]["name"], "金安区实验小学");
        assert_eq!(reply.body["total"]["persons"], 2);
        assert_eq!(reply.body["total"]["compliant"], 1);
        let reply = w
            .stats(&admin, &format!("by=unit&unit={}", w.units[0]))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.code(), "auth.own_only");
        assert_eq!(
            w.stats(&admin, "by=county&place=341502").await.code(),
            "auth.own_only"
        );

        // A professional may not see statistics at all.
        let zhang = w.client.browser("zhang").await;
        let reply = w.stats(&zhang, "by=county").await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN);
        assert_eq!(reply.code(), "auth.role");

        // Nobody signed in.
        let reply = w
            .client
            .get("/api/statistics?year=2026&by=county", None)
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        done(w.db).await;
    }
}

#[tokio::test]
async fn malformed_queries_are_400_and_a_year_without_policy_404() {
    for db in fresh_dbs("statistics").await {
        let w = world(db).await;
        let luan = w.client.browser("luan").await;
        for (uri, code) in [
            ("/api/statistics?year=2026&by=town", "request.query"),
            ("/api/statistics?year=2026", "request.query"),
            ("/api/statistics?by=county", "request.query"),
            ("/api/statistics?year=twenty&by=county", "request.query"),
            (
                "/api/statistics?year=2026&by=county&unit=x",
                "request.query",
            ),
            (
                "/api/statistics?year=2026&by=county&place=3415",
                "statistics.place",
            ),
        ] {
            let reply = w.client.get(uri, Some(&luan)).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{uri}: {}",
                reply.body
            );
            assert_eq!(reply.code(), code, "{uri}");
            assert!(!reply.body["message"].as_str().unwrap().is_empty());
        }
        let reply = w
            .client
            .get("/api/statistics?year=1999&by=county", Some(&luan))
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.code(), "statistics.year");
        let reply = w
            .client
            .get("/api/statistics?year=2026&by=unit&unit=999999", Some(&luan))
            .await;
        assert_eq!(reply.code(), "statistics.unit");
        done(w.db).await;
    }
}

#[tokio::test]
async fn statistics_follow_a_write_and_are_in_the_openapi_document() {
    for db in fresh_dbs("statistics").await {
        let w = world(db).await;
        let jinan = w.client.browser("jinan").await;
        let reply = w.stats(&jinan, "by=unit").await;
        assert_eq!(reply.body["total"]["compliant"], 3);
        // A void (the store's own write path) marks the person-year; the next read reflects it.
        records::void(
            &w.db,
            &w.signer,
            w.to_void,
            "重复登记",
            None,
            Act {
                actor: "unit:admin",
                on: d("2026-05-01"),
                now_ms: T0,
            },
        )
        .await
        .unwrap();
        let reply = w.stats(&jinan, "by=industry").await;
        assert_eq!(
            rows(&reply.body),
            vec![row("卫生健康", 2, 1, 500), row("教育", 2, 1, 500)]
        );
        assert_eq!(reply.body["pending"], 0);

        let doc = w.client.get("/api/openapi.json", None).await;
        let op = &doc.body["paths"]["/api/statistics"]["get"];
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, vec!["year", "by", "place", "industry", "unit"]);
        assert!(op["responses"]["403"].is_object());
        done(w.db).await;
    }
}
