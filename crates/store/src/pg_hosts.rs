//! PostgreSQL behind automatic failover: libpq's multi-host URL
//! (`postgres://h1:p1,h2:p2/db?target_session_attrs=read-write`, what `pg_autoctl show uri`
//! prints for a pg_auto_failover formation) for a driver that has none. sqlx connects to one
//! host, so this module does what libpq would: it tries the hosts in order and keeps the first
//! that accepts writes, refuses every pooled connection to a node in recovery, and follows the
//! primary when the monitor promotes a standby — without a restart of the service.
//!
//! It does not replicate, elect or fence anything: pg_auto_failover's monitor decides which
//! node is primary and keeps a synchronous standby; this module only finds that node again.
//! A plain single-host URL is passed to sqlx unchanged.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use crate::error::StoreError;

/// How often the primary is looked for again while the service runs.
pub const FOLLOW_EVERY: Duration = Duration::from_secs(1);
/// How long one host may take to answer a probe before the next is tried.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The hosts of a PostgreSQL URL, in the order given, and what a session must accept.
#[derive(Clone, Debug)]
pub struct PgTargets {
    /// One set of connect options per host (the URL's user, database and parameters).
    pub hosts: Vec<PgConnectOptions>,
    /// `target_session_attrs=read-write` (or `primary`): only a writable node will do.
    pub read_write: bool,
}

impl PgTargets {
    /// Parses `postgres://[user[:password]@]h1[:p1][,h2[:p2]…][/db][?params]`.
    /// `target_session_attrs` is taken out (sqlx does not know it); `any` (the default),
    /// `read-write` and `primary` are accepted, other values refused.
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let bad =
            |why: &str| StoreError::invalid("store.database_url", format!("数据库地址有误：{why}"));
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("缺少 postgres://"))?;
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (userinfo, hostlist) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (path, query) = match tail.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (tail, None),
        };
        let mut read_write = false;
        let mut kept = Vec::new();
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("target_session_attrs", v)) => {
                    read_write = match v {
                        "any" => false,
                        "read-write" | "primary" => true,
                        other => {
                            return Err(bad(&format!(
                                "target_session_attrs 只支持 any、read-write 或 primary，收到 `{other}`"
                            )));
                        }
                    }
                }
                _ => kept.push(pair),
            }
        }
        let mut hosts = Vec::new();
        for host in hostlist.split(',') {
            if host.is_empty() {
                return Err(bad("主机列表中有空项"));
            }
            let mut one = format!("{scheme}://");
            if let Some(u) = userinfo {
                one.push_str(u);
                one.push('@');
            }
            one.push_str(host);
            one.push_str(path);
            if !kept.is_empty() {
                one.push('?');
                one.push_str(&kept.join("&"));
            }
            hosts.push(PgConnectOptions::from_str(&one)?);
        }
        Ok(Self { hosts, read_write })
    }

    /// `host:port` of host `i`, for logs (never the user or password).
    fn name(&self, i: usize) -> String {
        self.hosts
            .get(i)
            .map(|o| format!("{}:{}", o.get_host(), o.get_port()))
            .unwrap_or_default()
    }

    /// The first host, in the URL's order, that answers and (when asked) accepts writes; the
    /// error names every host and why it was passed over.
    pub async fn find(&self) -> Result<usize, StoreError> {
        let mut why = Vec::new();
        for (i, options) in self.hosts.iter().enumerate() {
            match probe(options, self.read_write).await {
                Ok(()) => return Ok(i),
                Err(e) => why.push(format!("{}：{e}", self.name(i))),
            }
        }
        Err(StoreError::invalid(
            "store.no_primary",
            format!("没有可写入的 PostgreSQL 节点（{}）", why.join("；")),
        ))
    }
}

/// Whether one host answers within [`PROBE_TIMEOUT`] and, if `read_write`, accepts writes.
async fn probe(options: &PgConnectOptions, read_write: bool) -> Result<(), String> {
    let attempt = async {
        let mut conn = options.connect().await.map_err(|e| e.to_string())?;
        let out = if read_write {
            writable(&mut conn).await.map_err(|e| e.to_string())
        } else {
            Ok(())
        };
        let _ = conn.close().await;
        out
    };
    tokio::time::timeout(PROBE_TIMEOUT, attempt)
        .await
        .unwrap_or_else(|_| Err("连接超时".to_owned()))
}

/// Refuses a connection to a node that cannot take writes (a standby, or a primary set
/// read-only): libpq's `target_session_attrs=read-write` check.
async fn writable(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    let (ok,): (bool,) = sqlx::query_as(
        "SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'",
    )
    .fetch_one(&mut *conn)
    .await?;
    if ok {
        Ok(())
    } else {
        Err(sqlx::Error::Protocol(
            "该节点只读（备库或只读主库）".to_owned(),
        ))
    }
}

/// A pool on the URL's hosts: on the first acceptable host, every new connection checked to
/// accept writes when asked, and — with more than one host — a task that follows the primary.
pub async fn connect(url: &str, max_connections: u32) -> Result<PgPool, StoreError> {
    let targets = PgTargets::parse(url)?;
    if targets.hosts.len() == 1 && !targets.read_write {
        return Ok(PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(url)
            .await?);
    }
    let current = targets.find().await?;
    let options = targets
        .hosts
        .get(current)
        .cloned()
        .ok_or_else(|| StoreError::invalid("store.no_primary", "没有可用的 PostgreSQL 节点"))?;
    // Connections made before the last switch of primary are dropped when next acquired: a
    // demoted primary may come back as a standby with our old sessions still open on it.
    let born = Instant::now();
    let switched_ms = Arc::new(AtomicU64::new(0));
    let read_write = targets.read_write;
    let seen = switched_ms.clone();
    let pool = PgPoolOptions::new()
        .max_connections(max_connections)
        .after_connect(move |conn, _| {
            Box::pin(async move {
                if read_write {
                    writable(conn).await?;
                }
                Ok(())
            })
        })
        .before_acquire(move |_, meta| {
            let switched = seen.load(Ordering::Relaxed);
            let since = u64::try_from(born.elapsed().as_millis()).unwrap_or(u64::MAX);
            let created_ms = since.saturating_sub(u64::try_from(meta.age.as_millis()).unwrap_or(0));
            Box::pin(async move { Ok(switched == 0 || created_ms > switched) })
        })
        .connect_with(options)
        .await?;
    if targets.hosts.len() > 1 {
        tokio::spawn(follow(pool.clone(), targets, current, born, switched_ms));
    }
    Ok(pool)
}

/// Every [`FOLLOW_EVERY`]: if the current host no longer answers as wanted, find the one
/// that does and point the pool's new connections there. Ends when the pool is closed.
async fn follow(
    pool: PgPool,
    targets: PgTargets,
    mut current: usize,
    born: Instant,
    switched_ms: Arc<AtomicU64>,
) {
    loop {
        tokio::time::sleep(FOLLOW_EVERY).await;
        if pool.is_closed() {
            return;
        }
        let Some(options) = targets.hosts.get(current) else {
            return;
        };
        if probe(options, targets.read_write).await.is_ok() {
            continue;
        }
        match targets.find().await {
            Ok(next) if next != current => {
                if let Some(options) = targets.hosts.get(next) {
                    pool.set_connect_options(options.clone());
                    let now = u64::try_from(born.elapsed().as_millis()).unwrap_or(u64::MAX);
                    switched_ms.store(now.max(1), Ordering::Relaxed);
                    tracing::warn!(
                        from = %targets.name(current),
                        to = %targets.name(next),
                        "PostgreSQL primary moved; new connections go to the new primary"
                    );
                    current = next;
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "no PostgreSQL primary reachable yet"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn a_formation_uri_gives_each_host_with_the_same_database_and_parameters() {
        let t = PgTargets::parse(
            "postgres://app:pw@127.0.0.1:6001,db2.example:6002/xueshi?target_session_attrs=read-write&sslmode=disable",
        )
        .unwrap();
        assert!(t.read_write);
        assert_eq!(t.hosts.len(), 2);
        assert_eq!(
            (t.hosts[0].get_host(), t.hosts[0].get_port()),
            ("127.0.0.1", 6001)
        );
        assert_eq!(
            (t.hosts[1].get_host(), t.hosts[1].get_port()),
            ("db2.example", 6002)
        );
        for h in &t.hosts {
            assert_eq!(h.get_database(), Some("xueshi"));
            assert_eq!(h.get_username(), "app");
        }
    }

    #[test]
    fn a_single_host_without_attributes_is_any_session() {
        let t = PgTargets::parse("postgres://postgres@127.0.0.1:5432/test").unwrap();
        assert!(!t.read_write);
        assert_eq!(t.hosts.len(), 1);
        assert_eq!(t.name(0), "127.0.0.1:5432");
    }

    #[test]
    fn unknown_session_attributes_and_empty_hosts_are_refused() {
        let e = PgTargets::parse("postgres://h1/db?target_session_attrs=standby").unwrap_err();
        assert_eq!(e.code(), "store.database_url");
        assert!(e.to_string().contains("standby"));
        let e = PgTargets::parse("postgres://h1,,h2/db").unwrap_err();
        assert_eq!(e.code(), "store.database_url");
    }

    #[tokio::test]
    async fn hosts_that_do_not_answer_are_named_when_none_will_do() {
        // Port 1 on loopback refuses at once: no server listens there.
        let t = PgTargets::parse("postgres://u@127.0.0.1:1,127.0.0.1:2/db").unwrap();
        let e = t.find().await.unwrap_err();
        assert_eq!(e.code(), "store.no_primary");
        let text = e.to_string();
        assert!(
            text.contains("127.0.0.1:1") && text.contains("127.0.0.1:2"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod live {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    /// The test server behind a host that refuses: the pool lands on the one that answers
    /// and writes there.
    #[tokio::test]
    async fn a_dead_first_host_is_passed_over_for_the_writable_one() {
        let url = xueshi_testkit::pg_admin_url();
        let Some((scheme, rest)) = url.split_once("://") else {
            panic!("{url}")
        };
        let (user, rest) = rest.rsplit_once('@').map_or(("", rest), |(u, r)| (u, r));
        let at = if user.is_empty() {
            String::new()
        } else {
            format!("{user}@")
        };
        let multi = format!("{scheme}://{at}127.0.0.1:1,{rest}?target_session_attrs=read-write");
        let Ok(pool) = connect(&multi, 2).await else {
            if std::env::var_os("CI").is_some() {
                panic!("PostgreSQL at {url} is required under CI");
            }
            eprintln!("no PostgreSQL at {url}: skipped outside CI");
            return;
        };
        let (n,): (i32,) = sqlx::query_as("SELECT 41 + 1")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 42);
        pool.close().await;
    }
}
