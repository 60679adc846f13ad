//! The API on an existing database for load measurements (`scripts/bench-api.sh`), beside a
//! trivial handler (`GET /bench/trivial`) served by the same router and runtime — the
//! framework's limit in the same run. Creates two accounts with fresh random passwords: a city
//! bureau of Lu'an (reads any Lu'an person-year) and the administrator of the unit given by
//! `XUESHI_BENCH_UNIT` (registers records for its staff), and prints their logins and
//! passwords. Not part of the product.
//!
//!     XUESHI_DATABASE=sqlite://x.db XUESHI_KEYS=x.keys XUESHI_BENCH_UNIT=1 \
//!       cargo run --release -p xueshi-web --example bench_server -- 127.0.0.1:8089

// A measuring tool, not the service: a failure ends it with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::net::SocketAddr;

use axum::routing::get;
use xueshi_domain::{RegionCode, Role};
use xueshi_store::accounts::{self, AccountPolicy, NewAccount};
use xueshi_store::organisations::{self, NewOrganisation, OrgKind};
use xueshi_store::{Db, Keys, LedgerSigner, registry};
use xueshi_web::AppState;
use xueshi_web::state::system_clock;

/// The allocator of the `xueshi` binary, so that the figures are the service's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let url = std::env::var("XUESHI_DATABASE").expect("XUESHI_DATABASE");
    let keys = std::env::var("XUESHI_KEYS").expect("XUESHI_KEYS");
    let unit: i64 = std::env::var("XUESHI_BENCH_UNIT")
        .expect("XUESHI_BENCH_UNIT")
        .parse()
        .unwrap();
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8089".to_owned())
        .parse()
        .unwrap();
    let db = Db::open(&url).await.unwrap();
    let keys = Keys::load_or_create(std::path::Path::new(&keys)).unwrap();
    let signer = LedgerSigner::new(&keys, xueshi_store::ledger::DEFAULT_ORIGIN).unwrap();
    registry::init_ledger(&db, &signer).await.unwrap();
    let policy = xueshi_policy::load_embedded("anhui").unwrap();
    let now = system_clock();
    let city = match organisations::organisation_by_name(&db, "基准测试·六安市人社局")
        .await
        .unwrap()
    {
        Some(o) => o.id,
        None => organisations::insert_organisation(
            &db,
            &NewOrganisation {
                kind: OrgKind::CityBureau,
                name: "基准测试·六安市人社局".to_owned(),
                region: RegionCode::parse("341500").unwrap(),
                zone_id: None,
                industry: None,
                base_number: None,
                unit_id: None,
            },
        )
        .await
        .unwrap(),
    };
    let pol = AccountPolicy::default();
    for (role, org, unit_id) in [
        (Role::CityBureau, Some(city), None),
        (Role::UnitAdmin, None, Some(unit)),
    ] {
        let login = format!("bench-{}-{now}", role.as_str());
        let initial = accounts::generate_initial_password().unwrap();
        let password = accounts::generate_initial_password().unwrap();
        let new = NewAccount {
            login: login.clone(),
            display_name: login.clone(),
            role,
            organisation_id: org,
            unit_id,
            person_id: None,
        };
        let id = accounts::create_account(&db, &keys, &pol, &new, &initial, "bench", now)
            .await
            .unwrap();
        accounts::change_password(&db, &keys, &pol, id, &initial, &password, now)
            .await
            .unwrap();
        println!("{} {login} {password}", role.as_str());
    }
    let state = AppState::new(db, keys, signer, policy);
    let app = xueshi_web::router(state).route("/bench/trivial", get(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    println!("listening {addr}");
    axum::serve(listener, app).await.unwrap();
}
