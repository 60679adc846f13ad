//! Helpers shared by the web suites: accounts ready to sign in, a client that drives the router
//! (`tower::ServiceExt::oneshot`) with a browser's session cookie and CSRF token, and replies
//! as JSON.

// Each suite compiles this module and uses a part of it.
#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt;
use xueshi_domain::Date;
use xueshi_store::accounts::{self, NewAccount, Role};
use xueshi_store::{Db, Keys};
use xueshi_testkit::account_policy;

/// The suites' fixed clock.
pub const T0: i64 = 1_780_000_000_000;
/// The password accounts are created with (to be changed at first sign-in).
pub const INITIAL: &str = "Chushi2026mima";
/// The password of accounts made ready by [`account`].
pub const READY: &str = "Zhengshi2026mima";

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// An account without organisation, unit or person; set the one its role needs.
pub fn new_account(login: &str, role: Role) -> NewAccount {
    NewAccount {
        login: login.to_owned(),
        display_name: login.to_owned(),
        role,
        organisation_id: None,
        unit_id: None,
        person_id: None,
    }
}

/// Creates an account; `ready`: its password already changed to [`READY`].
pub async fn account(db: &Db, keys: &Keys, new: NewAccount, ready: bool) -> i64 {
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

/// A response: status, headers and the body as JSON (`Null` when empty).
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }
}

/// A signed-in browser: its cookie and CSRF token.
pub struct Browser {
    pub cookie: String,
    pub csrf: String,
}

/// Sends requests to a router.
pub struct Client {
    pub router: Router,
}

impl Client {
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str, who: Option<&Browser>) -> Reply {
        self.send(request(Method::GET, uri, who, false, None)).await
    }

    pub async fn login(&self, login: &str, password: &str) -> Reply {
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

    /// Signs in with [`READY`] and returns the browser (cookie and CSRF token).
    pub async fn browser(&self, login: &str) -> Browser {
        let reply = self.login(login, READY).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
        let cookie = set.split(';').next().unwrap().to_owned();
        Browser {
            cookie,
            csrf: reply.body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }
}

/// A request, with a browser's cookie (and its CSRF token when `csrf`) and a JSON body.
pub fn request(
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
