//! The authorization matrix over the endpoints: every endpoint is called by every account of
//! the test world (`world/mod.rs`) — each role with an official inside the jurisdiction of the
//! subject (张晓梅 of 霍邱县's hospital, her records, applications, bookings, the city's filing)
//! and a counterpart outside it — and each cell is asserted allowed or denied against the
//! explicit table below, on both backends. Denied means 401/403; allowed means the request got
//! past authorization (a success, or a domain answer such as a validation error or a conflict).
//! No cell may answer 500.
//!
//! Probes are chosen so that an allowed call changes as little as possible (invalid fields that
//! are checked after authorization). The zone centre and the state-owned unit have no inside
//! cell for a person of 霍邱县: their inside cells are those of their own queues and slots
//! (the state-owned unit's own staff are tested in `workflows.rs`).

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use world::{LOGINS, Who, World};
use xueshi_testkit::{done, fresh_dbs};

const VIEW: &[&str] = &["zhang", "hospital", "health", "city", "huoqiu"];
const REGISTER: &[&str] = &["zhang", "hospital"];
const BUREAUS: &[&str] = &["city", "hefei", "huoqiu", "shucheng", "zone"];
/// Who has a verification queue: the bureaus, and a state-owned unit for its own staff.
const VERIFIERS: &[&str] = &["city", "hefei", "huoqiu", "shucheng", "zone", "soe"];
const SESSIONS: &[&str] = &[
    "zhang",
    "li",
    "hospital",
    "clinic",
    "health",
    "health_sc",
    "city",
    "hefei",
    "huoqiu",
    "shucheng",
    "zone",
    "soe",
    "provider",
    "provider2",
    "supervisor",
    "supervisor_hf",
];

/// One probe: how to call the endpoint, and who may.
struct Probe {
    name: &'static str,
    method: Method,
    uri: String,
    body: Option<(String, Vec<u8>)>,
    allowed: Vec<&'static str>,
}

fn json_body(v: Value) -> Option<(String, Vec<u8>)> {
    Some(("application/json".to_owned(), v.to_string().into_bytes()))
}

fn probe(
    name: &'static str,
    method: Method,
    uri: String,
    body: Option<(String, Vec<u8>)>,
    allowed: &[&'static str],
) -> Probe {
    Probe {
        name,
        method,
        uri,
        body,
        allowed: allowed.to_vec(),
    }
}

#[tokio::test]
async fn every_role_on_every_endpoint_inside_and_outside_its_jurisdiction() {
    for db in fresh_dbs("matrix").await {
        let w = World::new(db).await;
        let z = w.persons["zhang"];
        let zhang = w.who("zhang").await;
        let provider = Who::Token(w.tokens["provider"].clone());
        // The subjects: a record, an application, a filing, a slot and a booking.
        let record = w
            .post(
                &zhang,
                &format!("/api/persons/{z}/records"),
                json!({ "label": "r", "content": "课程", "subject": "public", "form": "online",
                        "provider": "base:1", "completed_on": "2026-09-20", "hours": "10", "exam": "pass" }),
            )
            .await;
        let record = record.expect(StatusCode::CREATED)["ids"][0]
            .as_i64()
            .unwrap();
        let app = w
            .post(
                &zhang,
                "/api/verifications",
                json!({ "persons": [z], "level": "junior", "first_year": 2026, "last_year": 2026 }),
            )
            .await;
        let app = app.expect(StatusCode::CREATED)[0]["application_id"]
            .as_i64()
            .unwrap();
        let filing = w
            .post(
                &provider,
                "/api/filings",
                json!({ "number": "F1", "title": "培训", "region": "341500",
                    "starts_on": "2026-12-01", "ends_on": "2026-12-05" }),
            )
            .await;
        let filing = filing.expect(StatusCode::CREATED)["filing_id"]
            .as_i64()
            .unwrap();
        let huoqiu = w.who("huoqiu").await;
        let slot = w
            .post(
                &huoqiu,
                "/api/slots",
                json!({ "on": "2026-12-03", "online": true, "capacity": 50 }),
            )
            .await;
        let slot = slot.expect(StatusCode::CREATED)["slot_id"]
            .as_i64()
            .unwrap();
        let hospital = w.who("hospital").await;
        let booking = w
            .post(
                &hospital,
                &format!("/api/slots/{slot}/bookings"),
                json!({ "persons": [z] }),
            )
            .await;
        let booking = booking.expect(StatusCode::CREATED)["booking_id"]
            .as_i64()
            .unwrap();
        let huoqiu_org = w.orgs["huoqiu"];

        use Method as M;
        let all: Vec<&str> = LOGINS.iter().map(|(l, _)| *l).collect();
        let png = Some((
            "image/png".to_owned(),
            vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a],
        ));
        let probes = [
            probe(
                "person_year",
                M::GET,
                format!("/api/persons/{z}/years/2026"),
                None,
                VIEW,
            ),
            probe(
                "person_year.summary",
                M::GET,
                format!("/api/persons/{z}/years/2026/summary"),
                None,
                VIEW,
            ),
            probe(
                "records.list",
                M::GET,
                format!("/api/persons/{z}/records"),
                None,
                VIEW,
            ),
            probe(
                "records.register",
                M::POST,
                format!("/api/persons/{z}/records"),
                json_body(
                    json!({ "content": "x", "subject": "?", "form": "online", "completed_on": "2026-10-01" }),
                ),
                REGISTER,
            ),
            probe(
                "records.void",
                M::POST,
                format!("/api/records/{record}/void"),
                json_body(json!({ "reason": " " })),
                REGISTER,
            ),
            probe(
                "evidence.upload",
                M::POST,
                "/api/evidence".to_owned(),
                png,
                &["zhang", "li", "hospital", "clinic"],
            ),
            probe(
                "reviews.submit",
                M::POST,
                format!("/api/persons/{z}/years/2026/submit"),
                None,
                REGISTER,
            ),
            probe(
                "reviews.pending",
                M::GET,
                "/api/reviews/pending".to_owned(),
                None,
                &["health", "health_sc"],
            ),
            probe(
                "reviews.review",
                M::POST,
                format!("/api/persons/{z}/years/2026/review"),
                json_body(json!({ "approved": false })),
                &["health"],
            ),
            probe(
                "reviews.history",
                M::GET,
                format!("/api/persons/{z}/years/2026/reviews"),
                None,
                VIEW,
            ),
            probe(
                "verifications.apply",
                M::POST,
                "/api/verifications".to_owned(),
                json_body(
                    json!({ "persons": [z], "level": "?", "first_year": 2026, "last_year": 2026 }),
                ),
                REGISTER,
            ),
            probe(
                "verifications.pending",
                M::GET,
                "/api/verifications/pending".to_owned(),
                None,
                VERIFIERS,
            ),
            probe(
                "verifications.detail",
                M::GET,
                format!("/api/verifications/{app}"),
                None,
                VIEW,
            ),
            probe(
                "verifications.decide",
                M::POST,
                format!("/api/verifications/{app}/decision"),
                json_body(json!({ "approved": true })),
                &["huoqiu"],
            ),
            probe(
                "verifications.offline",
                M::POST,
                format!("/api/persons/{z}/offline-verifications"),
                json_body(
                    json!({ "level": "junior", "first_year": 2018, "last_year": 2020, "paper_ref": "", "approved": true }),
                ),
                &["city", "huoqiu"],
            ),
            probe(
                "verifications.readiness",
                M::GET,
                format!("/api/persons/{z}/readiness?level=junior&first_year=2026&last_year=2026"),
                None,
                VIEW,
            ),
            probe(
                "filings.file",
                M::POST,
                "/api/filings".to_owned(),
                json_body(
                    json!({ "number": "F2", "title": " ", "region": "341500", "starts_on": "2026-12-01", "ends_on": "2026-12-05" }),
                ),
                &["provider", "provider2"],
            ),
            probe(
                "filings.list",
                M::GET,
                "/api/filings".to_owned(),
                None,
                &[
                    "provider",
                    "provider2",
                    "city",
                    "hefei",
                    "huoqiu",
                    "shucheng",
                    "zone",
                ],
            ),
            probe(
                "filings.decide",
                M::POST,
                format!("/api/filings/{filing}/decision"),
                json_body(json!({ "approved": false })),
                &["city"],
            ),
            probe(
                "providers.list",
                M::GET,
                "/api/providers".to_owned(),
                None,
                &all,
            ),
            probe(
                "providers.register",
                M::POST,
                "/api/providers".to_owned(),
                json_body(
                    json!({ "provider": "某平台", "from": "2026-12-31", "to": "2026-01-01" }),
                ),
                &["city", "hefei"],
            ),
            probe(
                "slots.open",
                M::POST,
                "/api/slots".to_owned(),
                json_body(json!({ "on": "2026-12-10", "online": true, "capacity": 0 })),
                BUREAUS,
            ),
            probe(
                "slots.list",
                M::GET,
                format!("/api/slots?bureau_id={huoqiu_org}"),
                None,
                SESSIONS,
            ),
            probe(
                "slots.book",
                M::POST,
                format!("/api/slots/{slot}/bookings"),
                json_body(json!({ "persons": [z] })),
                REGISTER,
            ),
            probe(
                "slots.bookings",
                M::GET,
                format!("/api/slots/{slot}/bookings"),
                None,
                &["huoqiu"],
            ),
            probe(
                "bookings.cancel",
                M::DELETE,
                format!("/api/bookings/{booking}"),
                None,
                &["zhang", "hospital", "city", "huoqiu"],
            ),
            probe(
                "statistics",
                M::GET,
                "/api/statistics?year=2026&by=county".to_owned(),
                None,
                &[
                    "hospital",
                    "clinic",
                    "health",
                    "health_sc",
                    "city",
                    "hefei",
                    "huoqiu",
                    "shucheng",
                    "zone",
                    "soe",
                ],
            ),
            probe(
                "reviews.done",
                M::GET,
                "/api/reviews/done".to_owned(),
                None,
                &["health", "health_sc"],
            ),
            probe(
                "audit.trail",
                M::GET,
                "/api/audit".to_owned(),
                None,
                &["supervisor", "supervisor_hf"],
            ),
            probe(
                "audit.reveal",
                M::GET,
                format!("/api/persons/{z}/id-number"),
                None,
                VIEW,
            ),
            probe(
                "base.report",
                M::POST,
                "/api/base/certificates".to_owned(),
                Some(("text/csv".to_owned(), "身份证号\n".as_bytes().to_vec())),
                &["base1", "base2"],
            ),
        ];

        let mut whos = Vec::new();
        for (login, _) in LOGINS {
            whos.push((login, w.who(login).await));
        }
        let mut wrong = Vec::new();
        let mut cells = 0;
        for p in &probes {
            let expected: BTreeSet<&str> = p.allowed.iter().copied().collect();
            for (login, who) in &whos {
                let reply = w.raw(who, p.method.clone(), &p.uri, p.body.clone()).await;
                assert!(
                    reply.status.as_u16() < 500,
                    "{} by {login}: {} {}",
                    p.name,
                    reply.status,
                    reply.body
                );
                let denied = reply.status == StatusCode::FORBIDDEN
                    || reply.status == StatusCode::UNAUTHORIZED;
                cells += 1;
                if denied == expected.contains(login) {
                    wrong.push(format!(
                        "{} by {login}: expected {}, got {} {}",
                        p.name,
                        if denied { "allowed" } else { "denied" },
                        reply.status,
                        reply.body
                    ));
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "{} of {cells} cells wrong:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        assert_eq!(cells, probes.len() * LOGINS.len());
        done(w.db).await;
    }
}
