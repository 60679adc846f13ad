//! `GET /api/statistics` through the router on the shared test world (`world/`), on each
//! backend: records registered and voided through the API move the counts at once; each role
//! sees its own jurisdiction (county, city, zone, industry, unit) and is refused outside it;
//! roles without statistics get `auth.role`; malformed queries are 400.

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
use world::{Who, World};
use xueshi_testkit::{done, fresh_dbs};

/// 90 professional hours: enough alone for 2026 (D4).
fn academic(label: &str, hours: &str) -> Value {
    json!({
        "label": label, "content": "全省学术年会", "subject": "professional", "form": "academic",
        "completed_on": "2026-05-10", "hours": hours, "exam": "none"
    })
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
        .unwrap_or_else(|| panic!("no rows: {body}"))
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

async fn stats(w: &World, who: &Who, query: &str) -> world::Reply {
    w.get(who, &format!("/api/statistics?year=2026&{query}"))
        .await
}

/// Registers 90 hours for 张晓梅 (霍邱县 hospital) through the API; returns the record id.
async fn zhang_studies(w: &World) -> i64 {
    let hospital = w.who("hospital").await;
    let uri = format!("/api/persons/{}/records", w.persons["zhang"]);
    let reply = w.post(&hospital, &uri, academic("年会", "90")).await;
    reply.expect(StatusCode::CREATED)["ids"][0]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn each_role_sees_its_jurisdiction_and_writes_move_the_counts_at_once() {
    for db in fresh_dbs("statistics").await {
        let w = World::new(db).await;
        let zone = w.orgs.get("zone").copied();
        assert!(zone.is_some());
        let zone_key = {
            let id: i64 = xueshi_store::on_db!(&w.db, p => sqlx::query_scalar(
                "SELECT zone_id FROM units WHERE id = $1"
            ).bind(w.units["company"]).fetch_one(p).await.unwrap());
            format!("zone:{id}")
        };

        // Nobody has registered anything: everyone employed in 2026 counts, none complies.
        let city = w.who("city").await;
        let reply = stats(&w, &city, "by=county").await;
        reply.expect(StatusCode::OK);
        let mut expected = vec![
            row("341500", 1, 0, 0),
            row("341522", 1, 0, 0),
            row("341523", 1, 0, 0),
            row(&zone_key, 1, 0, 0),
        ];
        assert_eq!(rows(&reply.body), expected);
        assert_eq!(reply.body["pending"], 0);

        // A record registered through the API shows in the next answer.
        let record = zhang_studies(&w).await;
        let reply = stats(&w, &city, "by=county").await;
        expected[1] = row("341522", 1, 1, 1000);
        assert_eq!(rows(&reply.body), expected);
        assert_eq!(
            reply.body["total"],
            json!({"persons": 4, "compliant": 1, "rate_permille": 250})
        );
        assert_eq!(reply.body["rows"][1]["name"], "霍邱县");
        let reply = stats(&w, &city, "by=industry").await;
        assert_eq!(
            rows(&reply.body),
            vec![
                row("卫生健康", 2, 1, 500),
                row("电子信息", 1, 0, 0),
                row("能源", 1, 0, 0),
            ]
        );
        let reply = stats(&w, &city, "by=unit&place=341523").await;
        assert_eq!(reply.body["rows"].as_array().unwrap().len(), 1);
        assert_eq!(reply.body["rows"][0]["persons"], 1);

        // A county bureau: its county; another county, or the city, is refused.
        let huoqiu = w.who("huoqiu").await;
        let reply = stats(&w, &huoqiu, "by=unit").await;
        assert_eq!(reply.body["rows"].as_array().unwrap().len(), 1);
        assert_eq!(
            reply.body["total"],
            json!({"persons": 1, "compliant": 1, "rate_permille": 1000})
        );
        for query in ["by=county&place=341523", "by=county&place=341500"] {
            let reply = stats(&w, &huoqiu, query).await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "auth.jurisdiction"),
                "{query}"
            );
        }
        let other = format!("by=unit&unit={}", w.units["clinic"]);
        assert_eq!(stats(&w, &huoqiu, &other).await.code(), "auth.jurisdiction");

        // The zone centre: its zone only (not the county the zone lies in, nor the city).
        let zone = w.who("zone").await;
        assert_eq!(
            rows(&stats(&w, &zone, "by=county").await.body),
            vec![row(&zone_key, 1, 0, 0)]
        );
        assert_eq!(
            stats(&w, &zone, "by=county&place=341500").await.code(),
            "auth.jurisdiction"
        );

        // 霍邱县's health authority: its industry in its county; another industry is refused.
        let health = w.who("health").await;
        assert_eq!(
            rows(&stats(&w, &health, "by=industry").await.body),
            vec![row("卫生健康", 1, 1, 1000)]
        );
        let reply = stats(&w, &health, &format!("by=unit&industry={}", enc("能源"))).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "auth.jurisdiction")
        );

        // A unit's administrator and a state-owned unit: themselves only.
        let clinic = w.who("clinic").await;
        assert_eq!(
            stats(&w, &clinic, "by=unit").await.body["total"],
            json!({"persons": 1, "compliant": 0, "rate_permille": 0})
        );
        let hospital_unit = format!("by=unit&unit={}", w.units["hospital"]);
        let reply = stats(&w, &clinic, &hospital_unit).await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::FORBIDDEN, "auth.own_only")
        );
        assert_eq!(
            stats(&w, &clinic, "by=county&place=341523").await.code(),
            "auth.own_only"
        );
        let soe = w.who("soe").await;
        let reply = stats(&w, &soe, "by=unit").await;
        assert_eq!(reply.body["total"]["persons"], 1, "{}", reply.body);

        // Professionals, supervisors and providers see no statistics; API tokens (the bases')
        // do not sign in to this endpoint at all.
        for login in ["zhang", "supervisor", "provider"] {
            let who = w.who(login).await;
            let reply = stats(&w, &who, "by=county").await;
            assert_eq!(
                (reply.status, reply.code()),
                (StatusCode::FORBIDDEN, "auth.role"),
                "{login}: {}",
                reply.body
            );
        }
        let base = w.who("base1").await;
        assert_eq!(
            stats(&w, &base, "by=county").await.code(),
            "auth.session_required"
        );
        let reply = stats(&w, &Who::Nobody, "by=county").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);

        // A void through the API: 张晓梅 no longer complies, at once.
        let hospital = w.who("hospital").await;
        w.post(
            &hospital,
            &format!("/api/records/{record}/void"),
            json!({ "reason": "重复登记" }),
        )
        .await
        .expect(StatusCode::CREATED);
        let reply = stats(&w, &huoqiu, "by=county").await;
        assert_eq!(rows(&reply.body), vec![row("341522", 1, 0, 0)]);
        done(w.db).await;
    }
}

#[tokio::test]
async fn malformed_queries_are_400_a_year_without_policy_404_and_the_endpoint_is_documented() {
    for db in fresh_dbs("statistics").await {
        let w = World::new(db).await;
        let city = w.who("city").await;
        for (query, code) in [
            ("year=2026&by=town", "request.query"),
            ("year=2026", "request.query"),
            ("by=county", "request.query"),
            ("year=twenty&by=county", "request.query"),
            ("year=2026&by=county&unit=x", "request.query"),
            ("year=2026&by=county&place=3415", "statistics.place"),
            ("year=2026&by=county&place=%20", "statistics.place"),
        ] {
            let reply = w.get(&city, &format!("/api/statistics?{query}")).await;
            assert_eq!(
                reply.status,
                StatusCode::BAD_REQUEST,
                "{query}: {}",
                reply.body
            );
            assert_eq!(reply.code(), code, "{query}");
            assert!(!reply.body["message"].as_str().unwrap().is_empty());
        }
        let reply = w.get(&city, "/api/statistics?year=1999&by=county").await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "statistics.year")
        );
        let reply = w
            .get(&city, "/api/statistics?year=2026&by=unit&unit=999999")
            .await;
        assert_eq!(
            (reply.status, reply.code()),
            (StatusCode::NOT_FOUND, "statistics.unit")
        );

        let doc = w.get(&Who::Nobody, "/api/openapi.json").await;
        let op = &doc.body["paths"]["/api/statistics"]["get"];
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, vec!["year", "by", "place", "industry", "unit"]);
        for status in ["200", "400", "401", "403", "404"] {
            assert!(op["responses"][status].is_object(), "{status}");
        }
        done(w.db).await;
    }
}
