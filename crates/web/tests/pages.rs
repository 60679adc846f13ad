//! The pages' frame on each backend: signed out, every page sends the browser to `/login`
//! (keeping where it was going); an account that must change its initial password is sent to
//! `/password`; home leads each role to its first page; unknown pages are an HTML 404;
//! every page carries the security headers; the page script and style are served.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use axum::http::{StatusCode, header};
use serde_json::json;
use world::{INITIAL, World};
use xueshi_store::Keys;
use xueshi_store::accounts::{self, NewAccount, Role};
use xueshi_testkit::{account_policy, done, fresh_dbs};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_forced_change_home_and_errors() {
    for db in fresh_dbs("pages_frame").await {
        let w = World::new(db.clone()).await;

        let login = w.page(None, "/").await;
        assert_eq!(login.status, StatusCode::SEE_OTHER);
        assert_eq!(login.location(), "/login");
        let deep = w.page(None, "/?year=2026").await;
        assert_eq!(deep.location(), "/login?next=/%3Fyear%3D2026");
        w.page(None, "/login?next=/reviews").await.shows(
            StatusCode::OK,
            &["登录名", "data-then=\"/reviews\"", "/verify"],
        );
        // Only a local path is a place to go after signing in.
        // Every spelling of another origin, as it stands in the query (so decoded once by the
        // server): tab, line break, NUL, space, backslash, encoded slashes, double encoding,
        // schemes, an ideographic space.
        for next in [
            "//evil.example",
            "/%09/evil.example/x",
            "/%0A/evil.example",
            "/%0D%0A/evil.example",
            "/%00/evil.example",
            "/%20/evil.example",
            "%20//evil.example",
            "/%5Cevil.example",
            "%5C%5Cevil.example",
            "/%2F%2Fevil.example",
            "/%252F%252Fevil.example",
            "/%2509/evil.example",
            "/%255Cevil.example",
            "https:evil.example",
            "https%3A%2F%2Fevil.example",
            "javascript:alert(1)",
            "/%E3%80%80/evil.example",
            "/%7Blogin%7D",
        ] {
            let page = w.page(None, &format!("/login?next={next}")).await;
            page.shows(StatusCode::OK, &["data-then=\"/\""]);
            assert!(!page.text.contains("evil"), "{next}");
        }

        let csp = login.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"));
        assert_eq!(login.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");

        // Home leads each role to its first page.
        for (login, home) in [
            ("zhang", "/me"),
            ("hospital", "/unit/staff"),
            ("health", "/reviews"),
            ("huoqiu", "/verifications"),
            ("supervisor", "/audit"),
        ] {
            let who = w.who(login).await;
            assert_eq!(w.page(Some(&who), "/").await.location(), home, "{login}");
        }

        // A new account is sent to change its initial password, and nowhere else.
        let keys = Keys::from_master([7; 32]);
        let new = NewAccount {
            login: "newcomer".into(),
            display_name: "新同事".into(),
            role: Role::CountyBureau,
            organisation_id: Some(w.orgs["huoqiu"]),
            unit_id: None,
            person_id: None,
        };
        accounts::create_account(
            &db,
            &keys,
            &account_policy(),
            &new,
            INITIAL,
            "test",
            world::now_ms(),
        )
        .await
        .unwrap();
        let signed = w
            .send(
                axum::http::Request::post("/api/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(axum::body::Body::from(
                        json!({"login": "newcomer", "password": INITIAL}).to_string(),
                    ))
                    .unwrap(),
            )
            .await;
        let cookie = signed.headers[header::SET_COOKIE].to_str().unwrap();
        let who = world::Who::Browser {
            cookie: cookie.split(';').next().unwrap().to_owned(),
            csrf: signed.body["csrf_token"].as_str().unwrap().to_owned(),
        };
        assert_eq!(w.page(Some(&who), "/").await.location(), "/password");
        w.page(Some(&who), "/password").await.shows(
            StatusCode::OK,
            &["首次登录须先修改初始密码", "再次输入新密码"],
        );

        // Once the password is set, the page offers to sign out everywhere.
        let zhang = w.who("zhang").await;
        let account = w.page(Some(&zhang), "/password").await;
        account.shows(
            StatusCode::OK,
            &[
                "在所有设备上退出",
                "data-api=\"/api/sessions\"",
                "data-method=\"DELETE\"",
            ],
        );

        // Unknown pages are HTML; unknown API paths stay JSON.
        let missing = w.page(Some(&w.who("zhang").await), "/no-such-page").await;
        missing.shows(StatusCode::NOT_FOUND, &["没有这个页面", "page.not_found"]);
        assert!(
            missing.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let api = w.get(&world::Who::Nobody, "/api/no-such-thing").await;
        assert_eq!(api.code(), "route.not_found");

        let js = w.page(None, "/static/app.js").await;
        assert!(
            js.headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/javascript")
        );
        assert!(js.text.contains("x-csrf-token"));
        w.page(None, "/static/app.css")
            .await
            .shows(StatusCode::OK, &["--brand"]);
        done(db).await;
    }
}
