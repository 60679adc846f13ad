//! A small Lu'an for driving the API through its router, with an official of every role and,
//! for each, a counterpart outside its jurisdiction. Today is 2026-11-26 (Beijing).
//!
//! - 霍邱县 (341522): 县第一人民医院 (卫生健康) with 张晓梅 (`zhang`) and its administrator
//!   `hospital`; the county bureau `huoqiu`; the county health authority `health`.
//! - 舒城县 (341523): 县中医院 (卫生健康) with 李强 (`li`) and its administrator `clinic`; the
//!   county bureau `shucheng`; the county health authority `health_sc`.
//! - 六安经济技术开发区: 经开区某科技公司 (电子信息) with 王芳 (`wang`); the zone centre `zone`.
//! - 六安市: the city bureau `city` (and `hefei`, the city bureau of 合肥, outside);
//!   the supervisor `supervisor`; a training provider `provider` (and `provider2`).
//! - 国网六安供电公司 (a state-owned unit of the city, 能源) with 赵刚 (`zhao`) and its own
//!   verifying office `soe`.
//! - Bases 1 and 2 with API tokens; the provider also has one.
//!
//! Every account's password is [`READY`]; none must change it.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt;
use xueshi_domain::credit_code::CreditCode;
use xueshi_domain::id_number::IdNumber;
use xueshi_domain::{Date, RegionCode};
use xueshi_policy::input::Cohort;
use xueshi_store::accounts::{self, NewAccount, Role};
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::people::{self, NewPerson, NewUnit, UnitKind};
use xueshi_store::{Db, Keys, LedgerSigner, registry};
use xueshi_testkit::{account_policy, policy};
use xueshi_web::AppState;

pub const INITIAL: &str = "Chushi2026mima";
pub const READY: &str = "Zhengshi2026mima";

/// 2026-11-26 10:00 in Beijing, as Unix ms.
pub fn now_ms() -> i64 {
    let day = i64::from(Date::parse("2026-11-26").unwrap().day_number());
    day * 86_400_000 + 2 * 3_600_000
}

pub fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

/// The world: its router and database, and the ids tests need.
pub struct World {
    pub router: Router,
    pub db: Db,
    /// Persons by short name: zhang, li, wang.
    pub persons: HashMap<&'static str, i64>,
    /// Units by short name: hospital, clinic, company.
    pub units: HashMap<&'static str, i64>,
    /// Organisations by short name.
    pub orgs: HashMap<&'static str, i64>,
    /// API tokens: base1, base2, provider.
    pub tokens: HashMap<&'static str, String>,
    /// The service's clock (Unix ms), which tests may move.
    pub clock: Arc<AtomicI64>,
}

/// How a request is authenticated.
#[derive(Clone, Debug)]
pub enum Who {
    Nobody,
    /// A browser session: cookie and CSRF token.
    Browser {
        cookie: String,
        csrf: String,
    },
    Token(String),
}

/// A response: status, headers and the body as JSON (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// Asserts the status, showing the body when it differs.
    #[track_caller]
    pub fn expect(&self, status: StatusCode) -> &Value {
        assert_eq!(self.status, status, "{}", self.body);
        &self.body
    }
}

async fn unit(
    db: &Db,
    code: &str,
    name: &str,
    region: &str,
    zone_id: Option<i64>,
    industry: &str,
) -> i64 {
    people::insert_unit(
        db,
        &NewUnit {
            credit_code: CreditCode::complete(code).unwrap(),
            name: name.to_owned(),
            region: RegionCode::parse(region).unwrap(),
            zone_id,
            industry: industry.to_owned(),
            kind: UnitKind::Institution,
        },
        now_ms(),
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
        now_ms(),
    )
    .await
    .unwrap();
    people::employ(db, p, unit, d("2020-01-01")).await.unwrap();
    p
}

async fn org(
    db: &Db,
    kind: OrgKind,
    name: &str,
    region: &str,
    zone_id: Option<i64>,
    industry: Option<&str>,
    base_number: Option<u8>,
) -> i64 {
    organisations::insert_organisation(
        db,
        &NewOrganisation {
            kind,
            name: name.to_owned(),
            region: RegionCode::parse(region).unwrap(),
            zone_id,
            industry: industry.map(str::to_owned),
            base_number,
            unit_id: None,
        },
    )
    .await
    .unwrap()
}

/// The logins of the world, with their role, in a fixed order.
pub const LOGINS: [(&str, Role); 18] = [
    ("zhang", Role::Professional),
    ("li", Role::Professional),
    ("hospital", Role::UnitAdmin),
    ("clinic", Role::UnitAdmin),
    ("health", Role::IndustryAuthority),
    ("health_sc", Role::IndustryAuthority),
    ("city", Role::CityBureau),
    ("hefei", Role::CityBureau),
    ("huoqiu", Role::CountyBureau),
    ("shucheng", Role::CountyBureau),
    ("zone", Role::ZoneCentre),
    ("soe", Role::StateOwnedUnit),
    ("provider", Role::Provider),
    ("provider2", Role::Provider),
    ("supervisor", Role::Supervisor),
    ("supervisor_hf", Role::Supervisor),
    ("base1", Role::Base),
    ("base2", Role::Base),
];

impl World {
    /// The world with a public look-up allowance no test runs out of: the router's callers
    /// have no address, so they all share one.
    pub async fn new(db: Db) -> Self {
        let throttle = xueshi_web::throttle::ThrottleConfig {
            lookup_burst: 100_000,
            ..xueshi_web::throttle::ThrottleConfig::default()
        };
        Self::with_throttle(db, throttle).await
    }

    /// The world with `throttle`'s limits.
    pub async fn with_throttle(db: Db, throttle: xueshi_web::throttle::ThrottleConfig) -> Self {
        let keys = Keys::from_master([7; 32]);
        let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
        registry::seed_places(&db, policy()).await.unwrap();
        registry::init_ledger(&db, &signer).await.unwrap();
        let zone = registry::zone_id(&db, "六安经济技术开发区")
            .await
            .unwrap()
            .expect("the policy names Lu'an's zone");
        let mut units = HashMap::new();
        units.insert(
            "hospital",
            unit(
                &db,
                "12341522MB0000001",
                "霍邱县第一人民医院",
                "341522",
                None,
                "卫生健康",
            )
            .await,
        );
        units.insert(
            "clinic",
            unit(
                &db,
                "12341523MB0000002",
                "舒城县中医院",
                "341523",
                None,
                "卫生健康",
            )
            .await,
        );
        units.insert(
            "company",
            unit(
                &db,
                "91341500MA0000003",
                "经开区某科技公司",
                "341500",
                Some(zone),
                "电子信息",
            )
            .await,
        );
        let power = people::insert_unit(
            &db,
            &NewUnit {
                credit_code: CreditCode::complete("91341500MA0000004").unwrap(),
                name: "国网六安供电公司".to_owned(),
                region: RegionCode::parse("341500").unwrap(),
                zone_id: None,
                industry: "能源".to_owned(),
                kind: UnitKind::StateOwned,
            },
            now_ms(),
        )
        .await
        .unwrap();
        units.insert("power", power);
        let mut persons = HashMap::new();
        persons.insert(
            "zhao",
            person(&db, &keys, "34150019790303789", "赵刚", power).await,
        );
        persons.insert(
            "zhang",
            person(&db, &keys, "34152219850612301", "张晓梅", units["hospital"]).await,
        );
        persons.insert(
            "li",
            person(&db, &keys, "34152319900101123", "李强", units["clinic"]).await,
        );
        persons.insert(
            "wang",
            person(&db, &keys, "34150019880808456", "王芳", units["company"]).await,
        );
        use OrgKind as K;
        let mut orgs = HashMap::new();
        for (short, kind, name, region, zone_id, industry, base) in [
            (
                "city",
                K::CityBureau,
                "六安市人力资源和社会保障局",
                "341500",
                None,
                None,
                None,
            ),
            (
                "hefei",
                K::CityBureau,
                "合肥市人力资源和社会保障局",
                "340100",
                None,
                None,
                None,
            ),
            (
                "huoqiu",
                K::CountyBureau,
                "霍邱县人力资源和社会保障局",
                "341522",
                None,
                None,
                None,
            ),
            (
                "shucheng",
                K::CountyBureau,
                "舒城县人力资源和社会保障局",
                "341523",
                None,
                None,
                None,
            ),
            (
                "zone",
                K::ZoneCentre,
                "六安经开区人才与就业服务中心",
                "341500",
                Some(zone),
                None,
                None,
            ),
            (
                "health",
                K::IndustryAuthority,
                "霍邱县卫生健康委员会",
                "341522",
                None,
                Some("卫生健康"),
                None,
            ),
            (
                "health_sc",
                K::IndustryAuthority,
                "舒城县卫生健康委员会",
                "341523",
                None,
                Some("卫生健康"),
                None,
            ),
            (
                "provider",
                K::TrainingProvider,
                "六安职业培训学校",
                "341500",
                None,
                None,
                None,
            ),
            (
                "provider2",
                K::TrainingProvider,
                "皖西培训中心",
                "341500",
                None,
                None,
                None,
            ),
            (
                "supervisor",
                K::Supervisor,
                "六安市继续教育监督组",
                "341500",
                None,
                None,
                None,
            ),
            (
                "supervisor_hf",
                K::Supervisor,
                "合肥市继续教育监督组",
                "340100",
                None,
                None,
                None,
            ),
            (
                "base1",
                K::OnlineBase,
                "安徽省专业技术人员继续教育在线",
                "340000",
                None,
                None,
                Some(1),
            ),
            (
                "base2",
                K::OnlineBase,
                "安徽继续教育网络学院",
                "340000",
                None,
                None,
                Some(2),
            ),
        ] {
            orgs.insert(
                short,
                org(&db, kind, name, region, zone_id, industry, base).await,
            );
        }
        let soe = organisations::insert_organisation(
            &db,
            &NewOrganisation {
                kind: OrgKind::StateOwnedUnit,
                name: "国网六安供电公司（人事部）".to_owned(),
                region: RegionCode::parse("341500").unwrap(),
                zone_id: None,
                industry: None,
                base_number: None,
                unit_id: Some(power),
            },
        )
        .await
        .unwrap();
        orgs.insert("soe", soe);
        let pol = account_policy();
        for (login, role) in LOGINS {
            let mut new = NewAccount {
                login: login.to_owned(),
                display_name: format!("{login} 的账号"),
                role,
                organisation_id: None,
                unit_id: None,
                person_id: None,
            };
            match role {
                Role::Professional => new.person_id = Some(persons[login]),
                Role::UnitAdmin => new.unit_id = Some(units[login]),
                _ => new.organisation_id = Some(orgs[login]),
            }
            let id = accounts::create_account(&db, &keys, &pol, &new, INITIAL, "test", now_ms())
                .await
                .unwrap();
            accounts::change_password(&db, &keys, &pol, id, INITIAL, READY, now_ms())
                .await
                .unwrap();
        }
        let mut tokens = HashMap::new();
        for short in ["base1", "base2", "provider"] {
            let token = accounts::issue_api_token(&db, orgs[short], "reports", "test", now_ms())
                .await
                .unwrap()
                .token;
            tokens.insert(short, token);
        }
        let mut state = AppState::new(db.clone(), keys, signer, policy().clone());
        state.accounts = account_policy();
        state.throttle = Arc::new(xueshi_web::throttle::Throttle::new(throttle));
        let clock = Arc::new(AtomicI64::new(now_ms()));
        let read = clock.clone();
        state.clock = Arc::new(move || read.load(Ordering::SeqCst));
        Self {
            router: xueshi_web::router(state),
            db,
            persons,
            units,
            orgs,
            tokens,
            clock,
        }
    }

    /// Moves the service's clock to 10:00 Beijing time on `day`.
    pub fn set_today(&self, day: &str) {
        let ms = i64::from(d(day).day_number()) * 86_400_000 + 2 * 3_600_000;
        self.clock.store(ms, Ordering::SeqCst);
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        send(self.router.clone(), req).await
    }

    /// A JSON request as `who` through `router` (for requests sent from spawned tasks).
    pub async fn send_with(
        router: Router,
        who: &Who,
        method: Method,
        uri: &str,
        body: Value,
    ) -> Reply {
        let content = Some(("application/json".to_owned(), body.to_string().into_bytes()));
        send(router, request(who, method, uri, content)).await
    }

    /// Signs `login` in (password [`READY`]); a base logs in by its token.
    pub async fn who(&self, login: &str) -> Who {
        if let Some(t) = self.tokens.get(login).filter(|_| login.starts_with("base")) {
            return Who::Token(t.clone());
        }
        self.session(login).await
    }

    /// Signs `login` in by password as a browser does (bases too: they sign in like everyone
    /// on the pages).
    pub async fn session(&self, login: &str) -> Who {
        let body = serde_json::json!({ "login": login, "password": READY });
        let reply = self
            .send(
                Request::post("/api/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
        reply.expect(StatusCode::OK);
        let set = reply.headers[header::SET_COOKIE].to_str().unwrap();
        Who::Browser {
            cookie: set.split(';').next().unwrap().to_owned(),
            csrf: reply.body["csrf_token"].as_str().unwrap().to_owned(),
        }
    }

    /// A request as `who`, with a JSON body if given.
    pub async fn call(&self, who: &Who, method: Method, uri: &str, body: Option<Value>) -> Reply {
        let content = body.map(|v| ("application/json".to_owned(), v.to_string().into_bytes()));
        self.raw(who, method, uri, content).await
    }

    /// A request as `who` with a raw body of a content type.
    pub async fn raw(
        &self,
        who: &Who,
        method: Method,
        uri: &str,
        content: Option<(String, Vec<u8>)>,
    ) -> Reply {
        self.send(request(who, method, uri, content)).await
    }

    /// A request as `who` (with a raw body of a content type, if given), its answer as bytes:
    /// for answers that are not JSON (pages, workbooks, PDFs) or may not be.
    pub async fn bytes(
        &self,
        who: &Who,
        method: Method,
        uri: &str,
        content: Option<(String, Vec<u8>)>,
    ) -> Bytes {
        let res = self
            .router
            .clone()
            .oneshot(request(who, method, uri, content))
            .await
            .unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        Bytes {
            status,
            headers,
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&self, who: &Who, uri: &str) -> Reply {
        self.call(who, Method::GET, uri, None).await
    }

    pub async fn post(&self, who: &Who, uri: &str, body: Value) -> Reply {
        self.call(who, Method::POST, uri, Some(body)).await
    }

    /// A page (GET) as `who`, or signed out with `None`: its status, headers and HTML.
    pub async fn page(&self, who: Option<&Who>, uri: &str) -> Html {
        let req = match who {
            Some(who) => request(who, Method::GET, uri, None),
            None => Request::get(uri).body(Body::empty()).unwrap(),
        };
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .unwrap();
        Html {
            status,
            headers,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }
}

/// An answer as bytes.
#[derive(Debug)]
pub struct Bytes {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub bytes: Vec<u8>,
}

impl Bytes {
    /// The body as text (lossy: workbooks and PDFs are not).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }

    /// The media type, without parameters (empty when none).
    pub fn media_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .unwrap_or_default()
            .trim()
    }

    /// Where a redirect goes (empty when none).
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }
}

/// A page as the browser gets it.
#[derive(Debug)]
pub struct Html {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl Html {
    /// Where a redirect goes.
    pub fn location(&self) -> &str {
        self.headers
            .get(header::LOCATION)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// Asserts the status, and that the page contains each of `texts`.
    pub fn shows(&self, status: StatusCode, texts: &[&str]) -> &Self {
        assert_eq!(self.status, status, "{}", self.text);
        for t in texts {
            assert!(self.text.contains(t), "page lacks {t:?}:\n{}", self.text);
        }
        self
    }
}

/// Sends a request through a router and reads the answer as JSON.
pub async fn send(router: Router, req: Request<Body>) -> Reply {
    let res = router.oneshot(req).await.unwrap();
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

fn request(
    who: &Who,
    method: Method,
    uri: &str,
    content: Option<(String, Vec<u8>)>,
) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(uri);
    match who {
        Who::Nobody => {}
        Who::Browser { cookie, csrf } => {
            b = b
                .header(header::COOKIE, cookie)
                .header("x-csrf-token", csrf);
        }
        Who::Token(t) => b = b.header(header::AUTHORIZATION, format!("Bearer {t}")),
    }
    match content {
        Some((ty, bytes)) => b
            .header(header::CONTENT_TYPE, ty)
            .body(Body::from(bytes))
            .unwrap(),
        None => b.body(Body::empty()).unwrap(),
    }
}
