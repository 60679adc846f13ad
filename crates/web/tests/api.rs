//! The API driven through its router (`tower::ServiceExt::oneshot`) on a fresh database of
//! each backend: signing in and out, CSRF, forced password change, lockout, API tokens,
//! jurisdiction on a person-year's decision, 4xx codes for malformed requests, and the OpenAPI
//! document.
//!
//! PostgreSQL: `XUESHI_TEST_POSTGRES` (default postgres://postgres@127.0.0.1:5432/test) must
//! reach a server that lets us create databases. Under CI its absence fails the suite.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod world;

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, Hours, RegionCode};
use xueshi_policy::input::{Amount, Cohort, Exam, Form, Record, Subject};
use xueshi_store::accounts::{self, NewAccount, Role};
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::people::{NewPerson, NewUnit, UnitKind};
use xueshi_store::records::NewRecord;
use xueshi_store::{Db, Keys, LedgerSigner, people, records, registry};
use xueshi_testkit::{account_policy, done, fresh_dbs, policy};
use xueshi_web::AppState;

const T0: i64 = 1_780_000_000_000;
const INITIAL: &str = "Chushi2026mima";
const READY: &str = "Zhengshi2026mima";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// A small Lu'an: a hospital in 霍邱县 with 张晓梅 (one record in 2026), a school in 舒城县
/// with 李强, the 霍邱县 bureau, and a provincial base. Accounts (all with [`READY`] unless
/// said): `huoqiu` (the county bureau), `zhang` (张晓梅), `fresh` (李强, still with the
/// initial password), and an API token of the base.
struct TestApp {
    router: Router,
    /// The operators' endpoints (`serve --ops-listen`) of the same state.
    ops: Router,
    db: Db,
    zhang: i64,
    li: i64,
    token: String,
    clock: Arc<std::sync::atomic::AtomicI64>,
}

async fn account(db: &Db, keys: &Keys, new: NewAccount, ready: bool) -> i64 {
    let pol = account_policy();
    let id = accounts::create_account(db, keys, &pol, &new, INITIAL, "test", T0)
        .await
        .unwrap();
    if ready {
        accounts::change_password(db, keys, &pol, id, INITIAL, READY, T0)
            .await
            .unwrap();
    }
    id
}

fn new_account(login: &str, role: Role) -> NewAccount {
    NewAccount {
        login: login.to_owned(),
        display_name: login.to_owned(),
        role,
        organisation_id: None,
        unit_id: None,
        person_id: None,
    }
}

async fn unit(db: &Db, code: &str, name: &str, region: &str) -> i64 {
    people::insert_unit(
        db,
        &NewUnit {
            credit_code: CreditCode::complete(code).unwrap(),
            name: name.to_owned(),
            region: RegionCode::parse(region).unwrap(),
            zone_id: None,
            industry: "卫生健康".to_owned(),
            kind: UnitKind::Institution,
        },
        T0,
    )
    .await
    .unwrap()
}

async fn person(db: &Db, keys: &Keys, id: &str, name: &str, unit: i64) -> i64 {
    let p = people::insert_person(
        db,
        keys,
        &NewPerson {
            id_number: IdNumber::complete(id).unwrap(),
            name: name.to_owned(),
            cohort: Cohort::New,
            phone: None,
        },
        T0,
    )
    .await
    .unwrap();
    people::employ(db, p, unit, d("2020-01-01")).await.unwrap();
    p
}

async fn app(db: Db, secure_cookies: bool) -> TestApp {
    let keys = Keys::from_master([7; 32]);
    let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
    registry::seed_places(&db, policy()).await.unwrap();
    registry::init_ledger(&db, &signer).await.unwrap();
    let hospital = unit(&db, "12341522MB0000001", "霍邱县第一人民医院", "341522").await;
    let school = unit(&db, "12341523MB0000002", "舒城县卫生学校", "341523").await;
    let zhang = person(&db, &keys, "34152219850612301", "张晓梅", hospital).await;
    let li = person(&db, &keys, "34152319900101123", "李强", school).await;
    let record = Record {
        id: "学术交流".to_owned(),
        subject: Subject::Professional,
        form: Form::Academic,
        provider: None,
        started: None,
        completed: d("2026-04-01"),
        amount: Some(Amount::Hours(Hours::whole(8))),
        exam: Exam::None,
        for_year: None,
        filing: None,
        conversion: None,
        achievement: None,
        registered: None,
    };
    let batch = [NewRecord {
        person_id: zhang,
        content: "学术会议".to_owned(),
        record,
        certificate_no: None,
        evidence: None,
        registered_on: d("2026-04-02"),
        actor: "unit:admin".to_owned(),
    }];
    records::register(&db, &signer, &batch, T0).await.unwrap();
    let bureau = organisations::insert_organisation(
        &db,
        &NewOrganisation {
            kind: OrgKind::CountyBureau,
            name: "霍邱县人力资源和社会保障局".to_owned(),
            region: RegionCode::parse("341522").unwrap(),
            zone_id: None,
            industry: None,
            base_number: None,
            unit_id: None,
        },
    )
    .await
    .unwrap();
    let base = organisations::insert_organisation(
        &db,
        &NewOrganisation {
            kind: OrgKind::OnlineBase,
            name: "安徽省专业技术人员继续教育在线".to_owned(),
            region: RegionCode::parse("340000").unwrap(),
            zone_id: None,
            industry: None,
            base_number: Some(1),
            unit_id: None,
        },
    )
    .await
    .unwrap();
    let mut huoqiu = new_account("huoqiu", Role::CountyBureau);
    huoqiu.organisation_id = Some(bureau);
    account(&db, &keys, huoqiu, true).await;
    let mut me = new_account("zhang", Role::Professional);
    me.person_id = Some(zhang);
    account(&db, &keys, me, true).await;
    let mut fresh = new_account("fresh", Role::Professional);
    fresh.person_id = Some(li);
    account(&db, &keys, fresh, false).await;
    let token = accounts::issue_api_token(&db, base, "certificates", "test", T0)
        .await
        .unwrap()
        .token;

    let mut state = AppState::new(db.clone(), keys, signer, policy().clone());
    state.accounts = account_policy();
    let clock = Arc::new(std::sync::atomic::AtomicI64::new(T0));
    let read = clock.clone();
    state.clock = Arc::new(move || read.load(std::sync::atomic::Ordering::SeqCst));
    state.secure_cookies = secure_cookies;
    TestApp {
        ops: xueshi_web::metrics::ops_router(state.clone()),
        router: xueshi_web::router(state),
        db,
        zhang,
        li,
        token,
        clock,
    }
}

use world::Reply;

/// A signed-in browser: its cookie and CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

impl TestApp {
    /// Moves the service's clock on.
    fn advance(&self, ms: i64) {
        self.clock
            .fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }

    async fn send(&self, req: Request<Body>) -> Reply {
        world::send(self.router.clone(), req).await
    }

    async fn call(&self, method: Method, uri: &str, who: Option<&Browser>, csrf: bool) -> Reply {
        self.send(request(method, uri, who, csrf, None)).await
    }

    async fn login(&self, login: &str, password: &str) -> Reply {
        let body = json!({ "login": login, "password": password });
        self.send(request(
            Method::POST,
            "/api/session",
            None,
            false,
            Some(body),
        ))
        .await
    }

    /// Signs in and returns the browser (cookie and CSRF token).
    async fn browser(&self, login: &str, password: &str) -> Browser {
        let reply = self.login(login, password).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_owned();
        Browser {
            cookie,
            csrf: reply.body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }
}

fn request(
    method: Method,
    uri: &str,
    who: Option<&Browser>,
    csrf: bool,
    body: Option<Value>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    if let Some(w) = who {
        b = b.header(header::COOKIE, &w.cookie);
        if csrf {
            b = b.header("x-csrf-token", &w.csrf);
        }
    }
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string()))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}

/// Runs `test` against a fresh app on each backend.
async fn each<F, Fut>(secure_cookies: bool, test: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = Db>,
{
    for db in fresh_dbs("web").await {
        let db = test(app(db, secure_cookies).await).await;
        done(db).await;
    }
}

#[tokio::test]
async fn login_sets_a_strict_http_only_session_cookie_and_returns_the_csrf_token() {
    each(false, |app| async move {
        let reply = app.login("zhang", READY).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.starts_with("xueshi_session="), "{cookie}");
        for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attr), "{cookie} lacks {attr}");
        }
        assert!(!cookie.contains("Secure"), "{cookie}");
        assert_eq!(reply.body["account"]["login"], "zhang");
        assert_eq!(reply.body["account"]["role"], "professional");
        assert_eq!(reply.body["must_change_password"], false);
        assert!(reply.body["csrf_token"].as_str().unwrap().len() >= 32);
        app.db
    })
    .await;
    each(true, |app| async move {
        let reply = app.login("zhang", READY).await;
        let cookie = reply.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cookie.contains("; Secure"), "{cookie}");
        app.db
    })
    .await;
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_login_fail_alike() {
    each(false, |app| async move {
        let wrong = app.login("zhang", "Falsch2026mima").await;
        let unknown = app.login("nobody", "Falsch2026mima").await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert_eq!(wrong.code(), "auth.failed");
        assert_eq!((unknown.status, &unknown.body), (wrong.status, &wrong.body));
        assert!(wrong.headers.get(header::SET_COOKIE).is_none());
        app.db
    })
    .await;
}

/// Repeated failures throttle the login name (429 with Retry-After) — alike for a real account
/// and an unknown name — and the wait ends: no one can keep an account locked by guessing.
#[tokio::test]
async fn repeated_failures_are_throttled_alike_for_real_and_unknown_logins_and_the_wait_ends() {
    each(false, |app| async move {
        let audit_before = audit_lines(&app.db).await;
        let free = xueshi_web::throttle::ThrottleConfig::default().pair_free;
        let mut answers = Vec::new();
        for login in ["zhang", "nobody"] {
            for _ in 0..free {
                let r = app.login(login, "Falsch2026mima").await;
                assert_eq!(r.code(), "auth.failed");
            }
            let r = app.login(login, "Falsch2026mima").await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
            assert_eq!(r.code(), "auth.throttled");
            assert_eq!(r.headers[header::RETRY_AFTER], "1");
            answers.push((r.status, r.body.clone()));
        }
        assert_eq!(answers[0], answers[1]);
        // While throttled, even the right password is not tried, and nothing is audited.
        let right = app.login("zhang", READY).await;
        assert_eq!(right.code(), "auth.throttled");
        // Three lines for the real account's wrong passwords, one for the unknown name's
        // attempts (one line per address and window).
        assert_eq!(
            audit_lines(&app.db).await,
            audit_before + u64::from(free) + 1
        );
        // After the wait the right password signs in (the store's lock is not used).
        app.advance(1_000);
        let right = app.login("zhang", READY).await;
        assert_eq!(right.status, StatusCode::OK, "{}", right.body);
        app.db
    })
    .await;
}

/// Made-up login names do not grow the audit trail by a line each: one line per client address
/// and minute, with the number of attempts.
#[tokio::test]
async fn unknown_logins_are_audited_in_one_line_per_window_with_their_count() {
    each(false, |app| async move {
        let before = audit_lines(&app.db).await;
        for i in 0..10 {
            let r = app.login(&format!("made-up-{i}"), "Falsch2026mima").await;
            assert_eq!(r.code(), "auth.failed");
        }
        assert_eq!(audit_lines(&app.db).await, before + 1);
        assert_eq!(last_audit_detail(&app.db).await, "unknown_login");
        app.advance(60_000);
        let r = app.login("made-up-10", "Falsch2026mima").await;
        assert_eq!(r.code(), "auth.failed");
        assert_eq!(audit_lines(&app.db).await, before + 2);
        // This attempt and the nine held in the window before.
        assert_eq!(
            last_audit_detail(&app.db).await,
            "unknown_login; attempts: 10"
        );
        app.db
    })
    .await;
}

/// An account locked by the store (before throttling replaced the lock, or by another tool)
/// answers exactly as an unknown login: status and body, the right password too.
#[tokio::test]
async fn a_locked_account_answers_as_an_unknown_login() {
    each(false, |app| async move {
        let lock = accounts::AccountPolicy {
            max_failures: 1,
            ..account_policy()
        };
        let e = accounts::login(&app.db, &lock, "zhang", "Falsch2026mima", T0)
            .await
            .unwrap_err();
        assert_eq!(e.code(), "account.locked");
        let locked = app.login("zhang", READY).await;
        let unknown = app.login("nobody-at-all", READY).await;
        assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "{}", locked.body);
        assert_eq!(
            (&locked.status, &locked.body),
            (&unknown.status, &unknown.body)
        );
        assert!(locked.headers.get(header::RETRY_AFTER).is_none());
        app.db
    })
    .await;
}

async fn last_audit_detail(db: &Db) -> String {
    let sql = "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1";
    let d: Option<String> = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    d.unwrap_or_default()
}

async fn audit_lines(db: &Db) -> u64 {
    let sql = "SELECT COUNT(*) FROM audit_log";
    let n: i64 = match db {
        Db::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        Db::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
    };
    u64::try_from(n).unwrap()
}

#[tokio::test]
async fn a_new_account_must_change_its_password_before_acting() {
    each(false, |app| async move {
        let reply = app.login("fresh", INITIAL).await;
        assert_eq!(reply.body["must_change_password"], true);
        let fresh = app.browser("fresh", INITIAL).await;
        let uri = format!("/api/persons/{}/years/2026", app.li);
        let blocked = app.call(Method::GET, &uri, Some(&fresh), false).await;
        assert_eq!(blocked.status, StatusCode::FORBIDDEN);
        assert_eq!(blocked.code(), "password.must_change");
        let me = app.call(Method::GET, "/api/me", Some(&fresh), false).await;
        assert_eq!(me.status, StatusCode::OK);
        assert_eq!(me.body["account"]["must_change_password"], true);

        let weak = json!({ "old_password": INITIAL, "new_password": "short1" });
        let req = request(
            Method::POST,
            "/api/password",
            Some(&fresh),
            true,
            Some(weak),
        );
        let reply = app.send(req).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST);
        assert_eq!(reply.code(), "password.weak");

        let change = json!({ "old_password": INITIAL, "new_password": READY });
        let req = request(
            Method::POST,
            "/api/password",
            Some(&fresh),
            true,
            Some(change),
        );
        assert_eq!(app.send(req).await.status, StatusCode::NO_CONTENT);
        let ok = app.call(Method::GET, &uri, Some(&fresh), false).await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let again = app.login("fresh", READY).await;
        assert_eq!(again.body["must_change_password"], false);
        app.db
    })
    .await;
}

/// A password change ends every other session of the account at once (the in-process cache
/// included); the session that changed it goes on. Signing out everywhere ends them all.
#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_sign_out_everywhere_ends_all() {
    each(false, |app| async move {
        let here = app.browser("zhang", READY).await;
        let there = app.browser("zhang", READY).await;
        let other_account = app.browser("huoqiu", READY).await;
        let uri = format!("/api/persons/{}/years/2026", app.zhang);
        // Both sessions are live (and cached).
        for who in [&here, &there] {
            let ok = app.call(Method::GET, &uri, Some(who), false).await;
            assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        }
        let change = json!({ "old_password": READY, "new_password": "Neues2026mima" });
        let req = request(
            Method::POST,
            "/api/password",
            Some(&here),
            true,
            Some(change),
        );
        assert_eq!(app.send(req).await.status, StatusCode::NO_CONTENT);
        let dead = app.call(Method::GET, &uri, Some(&there), false).await;
        assert_eq!(dead.status, StatusCode::UNAUTHORIZED);
        assert_eq!(dead.code(), "session.invalid");
        let write = app
            .call(Method::DELETE, "/api/session", Some(&there), true)
            .await;
        assert_eq!(write.status, StatusCode::UNAUTHORIZED);
        let alive = app.call(Method::GET, &uri, Some(&here), false).await;
        assert_eq!(alive.status, StatusCode::OK);
        let other = app
            .call(Method::GET, "/api/me", Some(&other_account), false)
            .await;
        assert_eq!(other.status, StatusCode::OK);

        // Sign out everywhere: a second device, then every session ends, this one too.
        let third = app.browser("zhang", "Neues2026mima").await;
        let none = app
            .call(Method::DELETE, "/api/sessions", Some(&here), false)
            .await;
        assert_eq!(none.code(), "csrf.missing");
        let out = app
            .call(Method::DELETE, "/api/sessions", Some(&here), true)
            .await;
        assert_eq!(out.status, StatusCode::OK, "{}", out.body);
        assert_eq!(out.body["sessions_ended"], 2);
        for who in [&here, &third] {
            let dead = app.call(Method::GET, "/api/me", Some(who), false).await;
            assert_eq!(dead.status, StatusCode::UNAUTHORIZED);
        }
        let other = app
            .call(Method::GET, "/api/me", Some(&other_account), false)
            .await;
        assert_eq!(other.status, StatusCode::OK);
        let req = Request::builder()
            .method(Method::DELETE)
            .uri("/api/sessions")
            .header(header::AUTHORIZATION, format!("Bearer {}", app.token))
            .body(Body::empty())
            .unwrap();
        let token = app.send(req).await;
        assert_eq!(token.code(), "auth.session_required");
        app.db
    })
    .await;
}

#[tokio::test]
async fn a_request_without_a_session_is_401() {
    each(false, |app| async move {
        let none = app.call(Method::GET, "/api/me", None, false).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        assert_eq!(none.code(), "auth.required");
        let uri = format!("/api/persons/{}/years/2026", app.zhang);
        let none = app.call(Method::GET, &uri, None, false).await;
        assert_eq!(none.status, StatusCode::UNAUTHORIZED);
        let forged = Browser {
            cookie: "xueshi_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
            csrf: String::new(),
        };
        let bad = app.call(Method::GET, "/api/me", Some(&forged), false).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert_eq!(bad.code(), "session.invalid");
        app.db
    })
    .await;
}

#[tokio::test]
async fn a_state_changing_cookie_request_needs_the_session_csrf_token() {
    each(false, |app| async move {
        let zhang = app.browser("zhang", READY).await;
        let change = json!({ "old_password": READY, "new_password": "Neues2026mima" });
        let req = request(
            Method::POST,
            "/api/password",
            Some(&zhang),
            false,
            Some(change),
        );
        let missing = app.send(req).await;
        assert_eq!(missing.status, StatusCode::FORBIDDEN);
        assert_eq!(missing.code(), "csrf.missing");

        let other = app.browser("huoqiu", READY).await;
        let wrong = Browser {
            cookie: zhang.cookie.clone(),
            csrf: other.csrf.clone(),
        };
        let mismatch = app
            .call(Method::DELETE, "/api/session", Some(&wrong), true)
            .await;
        assert_eq!(mismatch.status, StatusCode::FORBIDDEN);
        assert_eq!(mismatch.code(), "csrf.mismatch");
        let none = app
            .call(Method::DELETE, "/api/session", Some(&zhang), false)
            .await;
        assert_eq!(none.code(), "csrf.missing");

        // A read needs none; a logout with it ends the session and clears the cookie.
        let me = app.call(Method::GET, "/api/me", Some(&zhang), false).await;
        assert_eq!(me.status, StatusCode::OK);
        let out = app
            .call(Method::DELETE, "/api/session", Some(&zhang), true)
            .await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        let cleared = out.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(cleared.contains("Max-Age=0"), "{cleared}");
        let after = app.call(Method::GET, "/api/me", Some(&zhang), false).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED);
        app.db
    })
    .await;
}

#[tokio::test]
async fn an_api_token_needs_no_csrf_token_but_cannot_act_as_an_account() {
    each(false, |app| async move {
        let bearer = |method: Method, uri: &str, token: &str| {
            Request::builder()
                .method(method)
                .uri(uri)
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "old_password": "x", "new_password": "y" }).to_string(),
                ))
                .unwrap()
        };
        let me = app.send(bearer(Method::GET, "/api/me", &app.token)).await;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert_eq!(me.body["kind"], "api_token");
        assert_eq!(me.body["token_scope"], "certificates");
        let post = app
            .send(bearer(Method::POST, "/api/password", &app.token))
            .await;
        assert_eq!(post.status, StatusCode::FORBIDDEN);
        assert_eq!(post.code(), "auth.session_required");
        let forged = format!("{}x", app.token);
        let bad = app.send(bearer(Method::GET, "/api/me", &forged)).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        assert_eq!(bad.code(), "api_token.invalid");
        app.db
    })
    .await;
}

#[tokio::test]
async fn a_county_bureau_reads_persons_of_its_county_only() {
    each(false, |app| async move {
        let huoqiu = app.browser("huoqiu", READY).await;
        let mine = format!("/api/persons/{}/years/2026", app.zhang);
        let reply = app.call(Method::GET, &mine, Some(&huoqiu), false).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["kind"], "annual");
        assert_eq!(reply.body["year"], 2026);
        assert_eq!(reply.body["records"].as_array().unwrap().len(), 1);
        assert!(reply.body["compliant"].is_boolean());

        // A person of another county and a person who does not exist answer alike (404
        // person.not_found, the same body), on every endpoint under /api/persons/{id}/: the
        // answers do not tell whether the id exists.
        for tail in [
            "years/2026",
            "years/2026/summary",
            "records",
            "id-number",
            "certificates",
            "profile",
            "readiness?level=junior&first_year=2026&last_year=2026",
        ] {
            let elsewhere = format!("/api/persons/{}/{tail}", app.li);
            let reply = app
                .call(Method::GET, &elsewhere, Some(&huoqiu), false)
                .await;
            let nobody = format!("/api/persons/999999/{tail}");
            let missing = app.call(Method::GET, &nobody, Some(&huoqiu), false).await;
            assert_eq!(
                reply.status,
                StatusCode::NOT_FOUND,
                "{tail}: {}",
                reply.body
            );
            assert_eq!(reply.code(), "person.not_found", "{tail}");
            assert_eq!(
                (&missing.status, &missing.body),
                (&reply.status, &reply.body),
                "{tail}"
            );
        }
        // Writing too: a record for a person of another county.
        let req = request(
            Method::POST,
            &format!("/api/persons/{}/records", app.li),
            Some(&huoqiu),
            true,
            Some(json!({})),
        );
        let write = app.send(req).await;
        let req = request(
            Method::POST,
            "/api/persons/999999/records",
            Some(&huoqiu),
            true,
            Some(json!({})),
        );
        let missing = app.send(req).await;
        assert_eq!(
            (&write.status, &write.body),
            (&missing.status, &missing.body)
        );
        app.db
    })
    .await;
}

#[tokio::test]
async fn a_professional_reads_themself_only() {
    each(false, |app| async move {
        let zhang = app.browser("zhang", READY).await;
        let mine = format!("/api/persons/{}/years/2026", app.zhang);
        let reply = app.call(Method::GET, &mine, Some(&zhang), false).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["kind"], "annual");

        // Another person: as if there were none (404 person.not_found).
        let other = format!("/api/persons/{}/years/2026", app.li);
        let reply = app.call(Method::GET, &other, Some(&zhang), false).await;
        let missing = app
            .call(
                Method::GET,
                "/api/persons/999999/years/2026",
                Some(&zhang),
                false,
            )
            .await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND);
        assert_eq!(reply.code(), "person.not_found");
        assert_eq!(reply.body, missing.body);
        app.db
    })
    .await;
}

#[tokio::test]
async fn malformed_requests_get_a_4xx_with_a_code() {
    each(false, |app| async move {
        let raw = |body: &str, content_type: Option<&str>| {
            let mut b = Request::builder().method(Method::POST).uri("/api/session");
            if let Some(ct) = content_type {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            b.body(Body::from(body.to_owned())).unwrap()
        };
        let syntax = app
            .send(raw("{\"login\": ", Some("application/json")))
            .await;
        assert_eq!(
            (syntax.status, syntax.code()),
            (StatusCode::BAD_REQUEST, "request.json")
        );
        let fields = app
            .send(raw("{\"login\": 3}", Some("application/json")))
            .await;
        assert_eq!(
            (fields.status, fields.code()),
            (StatusCode::BAD_REQUEST, "request.fields")
        );
        let no_type = app.send(raw("{}", None)).await;
        assert_eq!(
            (no_type.status, no_type.code()),
            (StatusCode::UNSUPPORTED_MEDIA_TYPE, "request.content_type")
        );

        let zhang = app.browser("zhang", READY).await;
        for uri in [
            "/api/persons/abc/years/2026",
            "/api/persons/1/years/twenty",
            "/api/persons/99999999999999999999/years/2026",
        ] {
            let reply = app.call(Method::GET, uri, Some(&zhang), false).await;
            assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{uri}");
            assert_eq!(reply.code(), "request.path", "{uri}");
        }
        let year = format!("/api/persons/{}/years/-99999", app.zhang);
        let reply = app.call(Method::GET, &year, Some(&zhang), false).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
        assert_eq!(reply.code(), "request.year");
        let unknown = app.call(Method::GET, "/api/nothing", None, false).await;
        assert_eq!(
            (unknown.status, unknown.code()),
            (StatusCode::NOT_FOUND, "route.not_found")
        );
        let method = app.call(Method::PUT, "/api/me", None, false).await;
        assert_eq!(
            (method.status, method.code()),
            (StatusCode::METHOD_NOT_ALLOWED, "route.method")
        );
        app.db
    })
    .await;
}

#[tokio::test]
async fn health_answers_and_the_openapi_document_lists_every_path() {
    each(false, |app| async move {
        let health = app.call(Method::GET, "/api/health", None, false).await;
        assert_eq!(health.status, StatusCode::OK);
        assert_eq!(health.body["status"], "ok");

        let doc = app
            .call(Method::GET, "/api/openapi.json", None, false)
            .await;
        assert_eq!(doc.status, StatusCode::OK);
        assert!(doc.body["openapi"].as_str().unwrap().starts_with("3.1"));
        let paths = doc.body["paths"].as_object().unwrap();
        for path in [
            "/api/health",
            "/api/session",
            "/api/me",
            "/api/password",
            "/api/persons/{person_id}/years/{year}",
            "/api/persons/{person_id}/records",
            "/api/persons/{person_id}/years/{year}/summary",
            "/api/records/{record_id}/void",
            "/api/evidence",
            "/api/persons/{person_id}/years/{year}/submit",
            "/api/reviews/pending",
            "/api/persons/{person_id}/years/{year}/review",
            "/api/persons/{person_id}/years/{year}/reviews",
            "/api/verifications",
            "/api/verifications/pending",
            "/api/verifications/{application_id}",
            "/api/verifications/{application_id}/decision",
            "/api/persons/{person_id}/offline-verifications",
            "/api/persons/{person_id}/readiness",
            "/api/filings",
            "/api/filings/{filing_id}/decision",
            "/api/providers",
            "/api/slots",
            "/api/slots/{slot_id}/bookings",
            "/api/bookings/{booking_id}",
            "/api/audit",
            "/api/persons/{person_id}/id-number",
            "/api/base/certificates",
        ] {
            assert!(
                paths.contains_key(path),
                "{path} missing: {:?}",
                paths.keys()
            );
        }
        assert!(paths["/api/session"]["post"].is_object());
        assert!(paths["/api/session"]["delete"].is_object());
        assert!(doc.body["components"]["schemas"]["ErrorBody"].is_object());
        app.db
    })
    .await;
}

/// `GET` on the operators' router: status and text.
async fn ops_text(app: &TestApp, path: &str) -> (StatusCode, String) {
    use tower::ServiceExt as _;
    let res = app
        .ops
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

/// Parses Prometheus' text format: each sample line `name{labels} value` into
/// (name, labels as written, value); comments must be `# HELP` or `# TYPE`.
fn samples(text: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            assert!(
                line.starts_with("# HELP ") || line.starts_with("# TYPE "),
                "{line}"
            );
            continue;
        }
        let (series, value) = line.rsplit_once(' ').unwrap();
        assert!(
            value == "+Inf" || value.parse::<u64>().is_ok() || value.contains('.'),
            "not a number: {line}"
        );
        let (name, labels) = match series.split_once('{') {
            Some((n, rest)) => (n, rest.strip_suffix('}').unwrap()),
            None => (series, ""),
        };
        assert!(
            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "{line}"
        );
        out.push((name.to_owned(), labels.to_owned(), value.to_owned()));
    }
    out
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_never_by_the_path_sent() {
    each(false, |app| async move {
        // One registry per process, and `each` runs both backends in this one: count the
        // difference a request makes.
        let count = |all: &[(String, String, String)], route: &str, code: &str| {
            all.iter()
                .find(|(n, l, _)| {
                    n == "xueshi_http_request_duration_seconds_count"
                        && l.contains(&format!("route=\"{route}\""))
                        && l.contains(&format!("status=\"{code}\""))
                })
                .map_or(0, |(_, _, v)| v.parse::<u64>().unwrap())
        };
        let records = "/api/persons/{person_id}/records";
        let before = samples(&ops_text(&app, "/metrics").await.1);
        let zhang = app.browser("zhang", READY).await;
        let path = format!("/api/persons/{}/records", app.zhang);
        let own = app.call(Method::GET, &path, Some(&zhang), false).await;
        assert_eq!(own.status, StatusCode::OK);
        assert!(own.headers.contains_key("x-request-id"));
        let lost = app
            .call(
                Method::GET,
                "/api/no-such-thing/341522198506123019",
                None,
                false,
            )
            .await;
        assert_eq!(lost.status, StatusCode::NOT_FOUND);

        let (status, text) = ops_text(&app, "/metrics").await;
        assert_eq!(status, StatusCode::OK);
        let all = samples(&text);
        assert_eq!(
            count(&all, records, "200"),
            count(&before, records, "200") + 1,
            "{text}"
        );
        assert_eq!(
            count(&all, "unmatched", "404"),
            count(&before, "unmatched", "404") + 1,
            "{text}"
        );
        // No person id, ID number or login reaches a label: routes are templates.
        for (_, labels, _) in &all {
            if let Some((_, rest)) = labels.split_once("route=\"") {
                let route = rest.split('"').next().unwrap();
                assert!(!route.bytes().any(|b| b.is_ascii_digit()), "{labels}");
            }
            assert!(!labels.contains("zhang"), "{labels}");
        }
        let gauge = |name: &str| {
            all.iter()
                .find(|(n, _, _)| n == name)
                .map(|(_, _, v)| v.parse::<i64>().unwrap())
        };
        let ledger = xueshi_store::ops::ledger_size(&app.db).await.unwrap();
        assert!(ledger >= 1);
        assert_eq!(gauge("xueshi_ledger_entries"), Some(ledger));
        assert_eq!(gauge("xueshi_database_up"), Some(1));
        assert!(gauge("xueshi_summary_backlog").is_some(), "{text}");
        // The mail backlog and the mailer's outcomes are reported, zero when there is none.
        assert!(
            text.contains("xueshi_mail_outbox{state=\"pending\"} "),
            "{text}"
        );
        assert_eq!(gauge("xueshi_mail_overdue_seconds"), Some(0), "{text}");
        assert!(
            text.contains("xueshi_mail_total{outcome=\"sent\"} "),
            "{text}"
        );
        assert!(text.contains("xueshi_db_pool_connections{state=\"idle\"}"));

        assert_eq!(ops_text(&app, "/livez").await.0, StatusCode::OK);
        assert_eq!(ops_text(&app, "/readyz").await.0, StatusCode::OK);
        app.db
    })
    .await;
}

/// The listener's bounds, on a real socket with short configured timeouts: a client trickling
/// its headers is cut off after the header timeout, a silent keep-alive connection after the
/// idle timeout, while a prompt request is answered. (No assertion on speed: only that the
/// server, not the client, ends the connection while the client is still trickling.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_clients_are_disconnected() {
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use xueshi_web::serve::{ServeConfig, serve_on};

    let db = fresh_dbs("web_serve").await.remove(0);
    let keys = Keys::from_master([9; 32]);
    let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
    let state = AppState::new(db.clone(), keys, signer, policy().clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = ServeConfig {
        header_read: Duration::from_millis(300),
        idle: Duration::from_millis(600),
        request: Duration::from_secs(30),
        max_connections: 8,
        hsts: true,
    };
    let server = tokio::spawn(serve_on(listener, state, config));

    // A prompt request is answered, and the connection is kept alive…
    let mut prompt = tokio::net::TcpStream::connect(addr).await.unwrap();
    prompt
        .write_all(b"GET /api/health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = prompt.read(&mut buf).await.unwrap();
    let head = String::from_utf8_lossy(&buf[..n]).to_lowercase();
    assert!(head.starts_with("http/1.1 200"), "{head}");
    assert!(
        head.contains("strict-transport-security: max-age=31536000"),
        "{head}"
    );
    assert!(head.contains("cache-control: no-store"), "{head}");
    // …until it has been silent for the idle timeout: then the server closes it.
    let closed = tokio::time::timeout(Duration::from_secs(20), prompt.read(&mut buf)).await;
    assert!(
        matches!(closed, Ok(Ok(0) | Err(_))),
        "idle connection not closed: {closed:?}"
    );

    // A client trickling a header byte every 50 ms (never silent for the idle timeout) is cut
    // off by the header timeout: its writes start failing or its read sees the end.
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /api/health HTTP/1.1\r\nx-slow: ")
        .await
        .unwrap();
    let mut sent = 0usize;
    let cut = loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        if slow.write_all(b"a").await.is_err() {
            break true;
        }
        sent += 1;
        let mut one = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(1), slow.read(&mut one)).await {
            Ok(Ok(0) | Err(_)) => break true,
            Ok(Ok(_)) => {
                // hyper may answer 408 before closing; the connection still ends.
                continue;
            }
            Err(_) => {}
        }
        assert!(
            sent < 400,
            "a trickled header kept the connection for {sent} bytes"
        );
    };
    assert!(cut && sent >= 1, "sent {sent}");
    eprintln!("trickled header cut off after {sent} bytes at 50 ms each (timeout 300 ms)");
    server.abort();
    done(db).await;
}

/// Personal data is never stored by a browser or a proxy: answers that set no caching policy
/// of their own are `no-store` (the person-year, the records, the ID-number disclosure).
#[tokio::test]
async fn personal_data_is_not_cached() {
    each(false, |app| async move {
        let zhang = app.browser("zhang", READY).await;
        for uri in [
            format!("/api/persons/{}/years/2026", app.zhang),
            format!("/api/persons/{}/records", app.zhang),
            format!("/api/persons/{}/id-number", app.zhang),
            "/api/me".to_owned(),
        ] {
            let r = app.call(Method::GET, &uri, Some(&zhang), false).await;
            assert_eq!(
                r.headers[header::CACHE_CONTROL],
                "no-store",
                "{uri}: {}",
                r.status
            );
        }
        app.db
    })
    .await;
}

/// Two instances on one database (each with its own session cache): sessions ended on one —
/// what a password change or an administrator does — are refused by the other once its cache
/// entry is older than `session_cache::TTL_MS` (5 s), the bound README states.
#[tokio::test]
async fn a_session_ended_on_one_instance_is_refused_by_another_within_the_cache_bound() {
    use std::sync::atomic::{AtomicI64, Ordering};
    use xueshi_web::session_cache::TTL_MS;
    for db in fresh_dbs("web").await {
        let a = app(db.clone(), false).await;
        let now = Arc::new(AtomicI64::new(T0));
        let keys = Keys::from_master([7; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
        let mut other = AppState::new(db.clone(), keys, signer, policy().clone());
        other.accounts = account_policy();
        let clock = now.clone();
        other.clock = Arc::new(move || clock.load(Ordering::SeqCst));
        let b = xueshi_web::router(other);

        let zhang = a.browser("zhang", READY).await;
        let me = || request(Method::GET, "/api/me", Some(&zhang), false, None);
        assert_eq!(world::send(b.clone(), me()).await.status, StatusCode::OK);
        let id = accounts::account_by_login(&db, "zhang")
            .await
            .unwrap()
            .unwrap()
            .id;
        assert!(accounts::end_all_sessions(&db, id).await.unwrap() >= 1);
        // Instance A forgets at once (it did the act); B trusts its cache until the bound.
        now.store(T0 + TTL_MS - 1, Ordering::SeqCst);
        assert_eq!(world::send(b.clone(), me()).await.status, StatusCode::OK);
        now.store(T0 + TTL_MS, Ordering::SeqCst);
        assert_eq!(
            world::send(b.clone(), me()).await.status,
            StatusCode::UNAUTHORIZED,
            "past the cache bound the other instance asks the database"
        );
        done(a.db).await;
    }
}
