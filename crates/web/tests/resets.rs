//! Forgotten passwords, on a fresh world of each backend (`world/mod.rs`): 霍邱's hospital
//! resets 张晓梅's password; the one-time password is answered once, her sessions end, her old
//! password no longer works, the one-time one does and must be changed first; the act is in the
//! audit trail under the hospital, in 霍邱县, without the password. Nobody outside reaches her
//! account (another unit, another county, another city's bureau: all read as unknown), no
//! professional or authority may reset, a bureau may reset within its county or city only,
//! and nobody resets their own this way.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::json;
use world::{READY, World};
use xueshi_domain::RegionCode;
use xueshi_store::audit::{AuditFilter, audit_trail};
use xueshi_testkit::{done, fresh_dbs};

async fn login(w: &World, login: &str, password: &str) -> world::Reply {
    let body = json!({ "login": login, "password": password });
    w.send(
        Request::post("/api/session")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_resets_its_staff_members_forgotten_password_once_and_audited() {
    for db in fresh_dbs("resets").await {
        let w = World::new(db).await;
        let zhang = w.who("zhang").await;
        let hospital = w.who("hospital").await;
        // The hospital picks her from its staff's accounts (names, masked ID numbers).
        let staff = w.get(&hospital, "/api/accounts/staff").await;
        let staff = staff.expect(StatusCode::OK);
        assert!(
            staff
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["name"] == "张晓梅" && a["login"] == "zhang"),
            "{staff}"
        );
        w.page(Some(&hospital), "/accounts/reset")
            .await
            .shows(StatusCode::OK, &["张晓梅", "一次性密码"]);

        // Outside the hospital's reach, or unknown: the same answer.
        for (who, login) in [
            ("clinic", "zhang"),
            ("hefei", "zhang"),
            ("shucheng", "zhang"),
            ("hospital", "nobody-here"),
            ("hospital", "li"),
        ] {
            let caller = w.who(who).await;
            let r = w
                .post(
                    &caller,
                    "/api/accounts/password-reset",
                    json!({ "login": login }),
                )
                .await;
            assert_eq!(
                r.expect(StatusCode::NOT_FOUND)["code"],
                "account.not_found",
                "{who} → {login}"
            );
        }
        for who in ["li", "health", "supervisor", "provider"] {
            let caller = w.who(who).await;
            let r = w
                .post(
                    &caller,
                    "/api/accounts/password-reset",
                    json!({ "login": "zhang" }),
                )
                .await;
            assert_eq!(
                r.expect(StatusCode::FORBIDDEN)["code"],
                "auth.role",
                "{who}"
            );
        }
        let own = w
            .post(
                &hospital,
                "/api/accounts/password-reset",
                json!({ "login": "hospital" }),
            )
            .await;
        assert_eq!(own.expect(StatusCode::BAD_REQUEST)["code"], "account.self");
        // Her account is untouched so far.
        w.get(&zhang, "/api/me").await.expect(StatusCode::OK);

        let reset = w
            .post(
                &hospital,
                "/api/accounts/password-reset",
                json!({ "login": "zhang" }),
            )
            .await;
        let done_ = reset.expect(StatusCode::CREATED).clone();
        let one_time = done_["one_time_password"].as_str().unwrap().to_owned();
        assert_eq!(done_["display_name"], "zhang 的账号");
        assert!(done_["sessions_ended"].as_u64().unwrap() >= 1, "{done_}");
        assert!(one_time.len() >= 10);
        // Her session ended; her old password is gone; the one-time one must be changed first.
        assert_eq!(
            w.get(&zhang, "/api/me").await.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(login(&w, "zhang", READY).await.code(), "auth.failed");
        let signed = login(&w, "zhang", &one_time).await;
        assert_eq!(signed.expect(StatusCode::OK)["must_change_password"], true);
        // The staff list says a reset waits to be changed.
        let staff = w.get(&hospital, "/api/accounts/staff?name=张").await;
        let mine = staff
            .body
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["login"] == "zhang")
            .cloned()
            .unwrap();
        assert_eq!(mine["must_change_password"], true);

        // Audited under the hospital, in 霍邱县, with no password in it.
        let trail = audit_trail(
            &w.db,
            RegionCode::parse("341522").unwrap(),
            &AuditFilter {
                actor: None,
                action: Some("account.password_reset"),
                since_ms: None,
                until_ms: None,
            },
            10,
        )
        .await
        .unwrap();
        assert_eq!(trail.len(), 1, "{trail:?}");
        assert!(trail[0].actor.starts_with("hospital"), "{trail:?}");
        assert_eq!(trail[0].region, Some(341_522));
        let line = format!("{:?}", trail[0]);
        assert!(!line.contains(&one_time));

        // Bureaus within their jurisdiction: 霍邱's for her, the city's for the hospital's admin.
        let huoqiu = w.who("huoqiu").await;
        w.post(
            &huoqiu,
            "/api/accounts/password-reset",
            json!({ "login": "zhang" }),
        )
        .await
        .expect(StatusCode::CREATED);
        let city = w.who("city").await;
        w.post(
            &city,
            "/api/accounts/password-reset",
            json!({ "login": "hospital" }),
        )
        .await
        .expect(StatusCode::CREATED);
        // A county bureau never resets the city's account.
        let r = w
            .post(
                &huoqiu,
                "/api/accounts/password-reset",
                json!({ "login": "city" }),
            )
            .await;
        assert_eq!(r.expect(StatusCode::NOT_FOUND)["code"], "account.not_found");
        done(w.db).await;
    }
}
