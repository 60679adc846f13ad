//! Test support shared by the store, web and CLI suites: a fresh migrated database of each
//! backend ([`fresh_dbs`], dropped again by [`done`]), the embedded Anhui policy, and account
//! rules with cheap argon2 costs so suites stay fast.
//!
//! PostgreSQL: `XUESHI_TEST_POSTGRES` (default postgres://postgres@127.0.0.1:5432/test) must
//! reach a server that lets us create databases. Under CI (`CI` set) its absence fails the
//! suite; elsewhere the suites run on SQLite only and say so.

// Test support: a failure here is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use xueshi_domain::RegionCode;
use xueshi_domain::credit_code::CreditCode;
use xueshi_policy::{Policy, load_embedded};
use xueshi_store::accounts::{AccountPolicy, PasswordParams};
use xueshi_store::people::{self, NewUnit, UnitKind};
use xueshi_store::{Db, Keys, LedgerSigner, registry};

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The embedded Anhui policy, loaded once per process.
pub fn policy() -> &'static Policy {
    static P: OnceLock<Policy> = OnceLock::new();
    P.get_or_init(|| load_embedded("anhui").unwrap())
}

/// Where most suites start: the places seeded, the ledger initialised under keys derived from
/// `master`, and one unit, 霍邱县第一人民医院 (an institution of 卫生健康 in 341522).
#[allow(missing_debug_implementations)] // keys and signer do not print
pub struct Start {
    pub keys: Keys,
    pub signer: LedgerSigner,
    pub unit: i64,
}

/// Seeds `db` as [`Start`] says.
pub async fn start(db: &Db, master: u8) -> Start {
    let keys = Keys::from_master([master; 32]);
    let signer = LedgerSigner::new(&keys, "test.xueshi/ledger").unwrap();
    registry::seed_places(db, policy()).await.unwrap();
    registry::init_ledger(db, &signer).await.unwrap();
    let unit = people::insert_unit(
        db,
        &NewUnit {
            credit_code: CreditCode::complete("12341522MB0000001").unwrap(),
            name: "霍邱县第一人民医院".to_owned(),
            region: RegionCode::parse("341522").unwrap(),
            zone_id: None,
            industry: "卫生健康".to_owned(),
            kind: UnitKind::Institution,
        },
        1,
    )
    .await
    .unwrap();
    Start { keys, signer, unit }
}

/// Small argon2 costs so the suites stay fast; production uses the OWASP default.
pub fn account_policy() -> AccountPolicy {
    AccountPolicy {
        password: PasswordParams {
            m_cost_kib: 256,
            t_cost: 1,
            p_cost: 1,
        },
        ..AccountPolicy::default()
    }
}

/// The PostgreSQL server the suites create their databases on.
pub fn pg_admin_url() -> String {
    std::env::var("XUESHI_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A fresh, migrated database of each backend: SQLite in a file under the temporary
/// directory, then PostgreSQL if reachable (required under CI). `suite` names the files and
/// databases so parallel suites do not collide.
pub async fn fresh_dbs(suite: &str) -> Vec<Db> {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    let dir = std::env::temp_dir().join(format!("xueshi-{suite}-{pid}"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("t{n}.db"));
    let _ = std::fs::remove_file(&path);
    let mut dbs = vec![
        Db::open(&format!("sqlite://{}", path.display()))
            .await
            .unwrap(),
    ];
    match Db::connect(&pg_admin_url()).await {
        Ok(Db::Postgres(admin)) => {
            static CLEANED: AtomicBool = AtomicBool::new(false);
            if !CLEANED.swap(true, Ordering::SeqCst) {
                drop_databases_of_finished_runs(&admin).await;
            }
            let name = format!("xueshi_t_{pid}_{suite}{n}");
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(&admin)
            .await
            .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&admin)
                .await
                .unwrap();
            admin.close().await;
            let base = pg_admin_url();
            let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
            dbs.push(Db::open(&url).await.unwrap());
        }
        Ok(_) => panic!("XUESHI_TEST_POSTGRES is not a postgres URL"),
        Err(e) if std::env::var_os("CI").is_some() => panic!("PostgreSQL is required in CI: {e}"),
        Err(e) => eprintln!("NOTE: PostgreSQL not reachable ({e}); running on SQLite only"),
    }
    dbs
}

/// Test databases are named after the test process; drop those whose process has ended.
async fn drop_databases_of_finished_runs(admin: &sqlx::PgPool) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'xueshi_t_%'")
            .fetch_all(admin)
            .await
            .unwrap();
    for name in names {
        let pid = name
            .trim_start_matches("xueshi_t_")
            .split('_')
            .next()
            .unwrap_or_default();
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name}"
            )))
            .execute(admin)
            .await;
        }
    }
}

/// Closes a test database and drops it (PostgreSQL) or its file (SQLite).
pub async fn done(db: Db) {
    match &db {
        Db::Postgres(p) => {
            let name: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(p)
                .await
                .unwrap();
            p.close().await;
            if let Ok(Db::Postgres(admin)) = Db::connect(&pg_admin_url()).await {
                let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name}"
                )))
                .execute(&admin)
                .await;
                admin.close().await;
            }
        }
        Db::Sqlite(p) => {
            let path = p.connect_options().get_filename().to_owned();
            p.close().await;
            let _ = std::fs::remove_file(&path);
        }
    }
}
