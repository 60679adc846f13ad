//! The store commands. Each opens the database (applying migrations), the key file and the
//! ledger signer, does one thing, and reports in Chinese.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use xueshi_domain::id_number::IdNumber;
use xueshi_ledger::note::Verifier;
use xueshi_policy::Policy;
use xueshi_store::{Db, Keys, LedgerSigner, StoreError, export, people, registry, verify};

use crate::policy_cmd::emit;

/// Where the data is.
#[derive(Clone, Debug)]
pub struct StoreArgs {
    pub url: String,
    pub keys: Option<PathBuf>,
}

/// How a store command ended.
pub enum Outcome {
    /// Print this and succeed.
    Done(String),
    /// Print this and fail with exit code 1 (e.g. the ledger does not verify).
    Failed(String),
}

pub(crate) type Result<T> = std::result::Result<T, String>;

pub(crate) fn err(e: StoreError) -> String {
    format!("{e} [{}]", e.code())
}

/// Runs a store command on a multi-threaded runtime.
pub fn run(command: impl Future<Output = Result<Outcome>>) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("无法启动运行时：{e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(command) {
        Ok(Outcome::Done(text)) => emit(&text),
        Ok(Outcome::Failed(text)) => {
            let _ = emit(&text);
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::from(2)
        }
    }
}

/// The key file: given, or beside a SQLite database (`x.db` → `x.keys`), or `./xueshi.keys`.
fn key_path(args: &StoreArgs) -> PathBuf {
    if let Some(k) = &args.keys {
        return k.clone();
    }
    match sqlite_file(&args.url) {
        Some(path) => path.with_extension("keys"),
        None => PathBuf::from("xueshi.keys"),
    }
}

struct Opened {
    db: Db,
    keys: Keys,
    signer: LedgerSigner,
}

async fn open(args: &StoreArgs) -> Result<Opened> {
    let db = Db::open(&args.url).await.map_err(err)?;
    let keys = Keys::load_or_create(&key_path(args)).map_err(err)?;
    let signer = LedgerSigner::new(&keys, xueshi_store::ledger::DEFAULT_ORIGIN).map_err(err)?;
    registry::init_ledger(&db, &signer).await.map_err(err)?;
    Ok(Opened { db, keys, signer })
}

/// Opens for a command that only reads or checks (`ledger verify`, `ledger checkpoint`): the key
/// file must already exist, and it is read before the database is touched, so a missing key
/// file fails with `keys.missing` and creates nothing — neither a key file nor a database.
async fn open_existing(args: &StoreArgs) -> Result<Opened> {
    let keys = Keys::load(&key_path(args)).map_err(err)?;
    if let Some(path) = sqlite_file(&args.url)
        && !path.exists()
    {
        return Err(format!(
            "找不到数据库文件 {} [store.not_found]",
            path.display()
        ));
    }
    let db = Db::open(&args.url).await.map_err(err)?;
    let signer = LedgerSigner::new(&keys, xueshi_store::ledger::DEFAULT_ORIGIN).map_err(err)?;
    registry::init_ledger(&db, &signer).await.map_err(err)?;
    Ok(Opened { db, keys, signer })
}

/// The file of a `sqlite:` URL, if it is one (not `:memory:`).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let path = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next().unwrap_or(path);
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

pub(crate) fn anhui(policies: &BTreeMap<String, Policy>) -> Result<&Policy> {
    policies
        .get(xueshi_policy::case::DEFAULT_POLICY)
        .ok_or_else(|| "没有安徽省政策".to_owned())
}

/// Logs to standard error at the level of `XUESHI_LOG` (error, warn, info — the default — debug
/// or trace; debug logs every request), as text or, with `XUESHI_LOG_FORMAT=json`, JSON lines.
fn init_log() -> Result<()> {
    let level = match std::env::var("XUESHI_LOG") {
        Ok(l) => l.parse::<tracing::Level>().map_err(|_| {
            format!("XUESHI_LOG 须为 error、warn、info、debug 或 trace，而不是「{l}」")
        })?,
        Err(_) => tracing::Level::INFO,
    };
    let log = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false);
    // One JSON object per line (with the request id of each request's span) for log
    // collectors; the readable form by default.
    match std::env::var("XUESHI_LOG_FORMAT").as_deref() {
        Ok("json") => log.json().init(),
        Ok("text") | Err(_) => log.init(),
        Ok(other) => {
            return Err(format!(
                "XUESHI_LOG_FORMAT 须为 text 或 json，而不是「{other}」"
            ));
        }
    }
    Ok(())
}

/// How the service presents itself.
#[derive(Debug)]
pub struct ServeOptions {
    pub secure_cookies: bool,
    /// The public base URL (certificates' QR codes, status lists).
    pub public_url: String,
    /// The CJK font for PDF certificates.
    pub cjk_font: Option<String>,
    /// The issuer named when no bureau verified (`--issuer-name`); the default otherwise.
    pub issuer_name: Option<String>,
    /// Rebuild and serve a demo of this many persons.
    pub demo_persons: Option<u64>,
    /// Where to serve /metrics, /livez and /readyz (not served when absent).
    pub ops_listen: Option<std::net::SocketAddr>,
    /// Timeouts, connection limit, HSTS.
    pub listener: xueshi_web::serve::ServeConfig,
    /// Reverse proxies whose `X-Forwarded-For` is believed (sign-in throttling).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Reminders and e-mail.
    pub mail: MailOptions,
}

/// `--smtp-url`, `--smtp-from`, `--reminder-days` as given.
#[derive(Debug)]
pub struct MailOptions {
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub reminder_days: String,
}

impl MailOptions {
    fn config(&self) -> Result<xueshi_web::mailer::MailConfig> {
        let smtp = match (&self.smtp_url, &self.smtp_from) {
            (None, _) => None,
            (Some(_), None) => {
                return Err(
                    "使用 --smtp-url 时须用 --smtp-from（或 XUESHI_SMTP_FROM）写明发件地址"
                        .to_owned(),
                );
            }
            (Some(url), Some(from)) => Some(xueshi_web::mailer::SmtpConfig::parse(url, from)?),
        };
        Ok(xueshi_web::mailer::MailConfig {
            smtp,
            reminder_days: xueshi_store::reminders::parse_days(&self.reminder_days).map_err(err)?,
            ..xueshi_web::mailer::MailConfig::default()
        })
    }
}

/// Serves the JSON API on `listen` until the process ends.
pub async fn serve(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    listen: std::net::SocketAddr,
    options: ServeOptions,
) -> Result<Outcome> {
    init_log()?;
    // Refuse a wrong SMTP setting before building anything.
    let mail = options.mail.config()?;
    let demo_persons = options.demo_persons;
    let demo_args;
    let args = match demo_persons {
        Some(persons) => {
            demo_args = fresh_demo_database()?;
            match demo_seed(&demo_args, policies, persons, 2026).await? {
                Outcome::Done(text) => say(&text),
                Outcome::Failed(text) => return Ok(Outcome::Failed(text)),
            }
            &demo_args
        }
        None => args,
    };
    let o = open(args).await?;
    let mut state = xueshi_web::AppState::new(o.db, o.keys, o.signer, anhui(policies)?.clone());
    state.secure_cookies = options.secure_cookies;
    state.public_url = options.public_url.trim_end_matches('/').to_owned();
    state.cjk_font = options.cjk_font;
    if let Some(name) = options
        .issuer_name
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
    {
        state.issuer_name = name;
    }
    state.throttle = std::sync::Arc::new(xueshi_web::throttle::Throttle::new(
        xueshi_web::throttle::ThrottleConfig {
            trusted_proxies: options.trusted_proxies,
            ..xueshi_web::throttle::ThrottleConfig::default()
        },
    ));
    if let Err(e) = state.cjk_font() {
        tracing::warn!("{e}");
    }
    if demo_persons.is_some() {
        let staged = xueshi_web::demo::stage(&state)
            .await
            .map_err(|e| format!("演示待办生成失败：{}（{}）", e.message(), e.code()))?;
        say(&format!("演示待办：\n  {}\n", staged.join("\n  ")));
        let sample = xueshi_web::demo::base_sample(&state)
            .await
            .map_err(|e| format!("演示报送表生成失败：{}（{}）", e.message(), e.code()))?;
        let file = "xueshi-demo-基地报送示例.csv";
        std::fs::write(file, sample).map_err(|e| format!("无法写入 {file}：{e}"))?;
        say(&format!(
            "基地报送示例：{}（以 demo-base 登录后在“证书报送”上传）\n",
            std::fs::canonicalize(file).map_or_else(|_| file.into(), |p| p.display().to_string())
        ));
    }
    let started = format!(
        "xueshi 已启动：请用浏览器打开 http://{listen}/ 登录（接口说明：http://{listen}/api/openapi.json）"
    );
    if demo_persons.is_some() {
        // stdout, beside the accounts, so that whoever started the demo sees where to go.
        say(&format!("{started}\n"));
    } else {
        eprintln!("{started}");
    }
    if let Some(ops) = options.ops_listen {
        xueshi_web::metrics::serve_ops(state.clone(), ops)
            .await
            .map_err(|e| format!("无法在 {ops} 上提供运维接口：{e}"))?;
    }
    xueshi_web::mailer::spawn(state.clone(), mail);
    xueshi_web::serve_with(state, listen, options.listener)
        .await
        .map_err(|e| format!("无法在 {listen} 上提供服务：{e}"))?;
    Ok(Outcome::Done(String::new()))
}

/// Writes to stdout now (a demo's accounts and address, before serving starts).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    // If stdout is gone there is no one to tell; serving goes on.
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// The demo's own database, `./xueshi-demo.db`, removed (with its WAL and key file) so each
/// demo starts from the same seeded Lu'an.
fn fresh_demo_database() -> Result<StoreArgs> {
    for file in [
        "xueshi-demo.db",
        "xueshi-demo.db-wal",
        "xueshi-demo.db-shm",
        "xueshi-demo.keys",
        "xueshi-demo-基地报送示例.csv",
    ] {
        match std::fs::remove_file(file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("无法删除旧的演示数据库文件 {file}：{e}")),
        }
    }
    Ok(StoreArgs {
        url: "sqlite://xueshi-demo.db".to_owned(),
        keys: None,
    })
}

pub async fn migrate(args: &StoreArgs) -> Result<Outcome> {
    let db = Db::open(&args.url).await.map_err(err)?;
    Ok(Outcome::Done(format!(
        "数据库迁移完成（{:?}）：{}\n",
        db.backend(),
        redact(&args.url)
    )))
}

/// A URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = url.get(s + 3..at).unwrap_or_default();
            let user = userinfo.split(':').next().unwrap_or_default();
            format!(
                "{}{user}:***{}",
                url.get(..s + 3).unwrap_or_default(),
                url.get(at..).unwrap_or_default()
            )
        }
        _ => url.to_owned(),
    }
}

// Seconds and rates of a run are measurements for the operator, not policy arithmetic.
#[allow(clippy::float_arithmetic)]
pub async fn verify(
    args: &StoreArgs,
    against: Option<&Path>,
    vkey: Option<&str>,
) -> Result<Outcome> {
    let o = open_existing(args).await?;
    let verifier = match vkey {
        Some(v) => Verifier::from_vkey(v).map_err(|e| format!("验证公钥无效：{e}"))?,
        None => o.signer.verifier(),
    };
    let published = match against {
        Some(p) => Some(std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let started = Instant::now();
    let report = verify::verify(&o.db, &verifier, published.as_deref())
        .await
        .map_err(err)?;
    let secs = started.elapsed().as_secs_f64();
    let rate = if secs > 0.0 {
        report.entries as f64 / secs
    } else {
        0.0
    };
    let root = report
        .root
        .map(|r| r.iter().map(|b| format!("{b:02x}")).collect::<String>())
        .unwrap_or_default();
    if report.ok() {
        let legacy = if report.legacy_lines > 0 {
            format!(
                "另有 {} 条审计记录写于审计链启用（迁移 0010）之前，不在校验范围内\n",
                report.legacy_lines
            )
        } else {
            String::new()
        };
        Ok(Outcome::Done(format!(
            "账本完好：{} 条记录，{} 个签名检查点，根哈希 {root}（{secs:.2} 秒，每秒 {rate:.0} 条）；审计记录与其所涉的备案、申请、提交、预约均完好\n{legacy}",
            report.entries, report.checkpoints
        )))
    } else {
        let mut text = format!("账本校验失败：发现 {} 处问题\n", report.problems.len());
        for p in &report.problems {
            text.push_str(&format!("  {p}\n"));
        }
        Ok(Outcome::Failed(text))
    }
}

pub async fn checkpoint(args: &StoreArgs) -> Result<Outcome> {
    let o = open_existing(args).await?;
    let note = xueshi_store::ledger::latest_note(&o.db)
        .await
        .map_err(err)?;
    // Standard output is the signed note alone, so that `ledger checkpoint > published.note`
    // is a file `ledger verify --against` reads; the public key goes to standard error.
    eprintln!("验证公钥：{}", o.signer.vkey());
    match note {
        Some(note) => Ok(Outcome::Done(note)),
        None => Ok(Outcome::Failed("账本为空，尚无检查点\n".to_owned())),
    }
}

pub async fn export_case(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    person: &str,
    year: i32,
    out: Option<&Path>,
) -> Result<Outcome> {
    let o = open(args).await?;
    let person_id = match person.strip_prefix('#') {
        Some(n) => n
            .parse::<i64>()
            .map_err(|_| format!("`{person}` 不是有效的内部编号"))?,
        None => {
            let id =
                IdNumber::parse(person).map_err(|e| format!("身份证号：{e} [{}]", e.code()))?;
            people::person_by_id_number(&o.db, &o.keys, &id)
                .await
                .map_err(err)?
                .ok_or_else(|| "没有该身份证号的人员".to_owned())?
                .id
        }
    };
    let case = export::person_year_case(&o.db, anhui(policies)?, person_id, year)
        .await
        .map_err(err)?;
    let yaml = case.to_yaml();
    match out {
        Some(path) => {
            std::fs::write(path, &yaml).map_err(|e| format!("{}: {e}", path.display()))?;
            Ok(Outcome::Done(format!(
                "已写入 {}（{} 条记录）\n",
                path.display(),
                case.records.len()
            )))
        }
        None => Ok(Outcome::Done(yaml)),
    }
}

pub async fn demo_seed(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    persons: u64,
    seed: u64,
) -> Result<Outcome> {
    let o = open(args).await?;
    // The demo builds a whole city: on a database that already has units it would collide.
    let units: i64 = xueshi_store::on_db!(&o.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM units")
        .fetch_one(p)
        .await
        .map_err(|e| err(e.into()))?);
    if units > 0 {
        return Ok(Outcome::Done(format!(
            "数据库中已有 {units} 个单位，不再生成演示数据（如需重新生成，请使用新的数据库）\n"
        )));
    }
    let (today, _) = clock()?;
    let opts = xueshi_demo::DemoOptions {
        persons,
        seed,
        today: Some(today),
        ..Default::default()
    };
    let started = Instant::now();
    let mut last_shown = Instant::now();
    let mut progress = |done: u64, total: u64| {
        if last_shown.elapsed().as_millis() > 200 || done == total {
            eprint!("\r生成演示数据：{done}/{total} 人");
            last_shown = Instant::now();
        }
    };
    let summary = xueshi_demo::seed(
        &o.db,
        &o.keys,
        &o.signer,
        anhui(policies)?,
        &opts,
        &mut progress,
    )
    .await
    .map_err(err)?;
    eprintln!();
    let (_, now_ms) = clock()?;
    let refreshed = refresh_statistics(&o.db, anhui(policies)?, now_ms).await?;
    let policy = xueshi_store::accounts::AccountPolicy::default();
    let accounts = xueshi_demo::accounts::create(&o.db, &o.keys, &policy, now_ms)
        .await
        .map_err(err)?;
    let mut text = format!(
        "演示数据已生成（{:.1} 秒）：单位 {}，人员 {}，学习记录 {}，作废更正 {}，培训备案 {}，课件备案 {}\n",
        started.elapsed().as_secs_f64(),
        summary.units,
        summary.persons,
        summary.records,
        summary.voids,
        summary.filings,
        summary.provider_registrations
    );
    text.push_str(&refreshed);
    text.push_str("演示账号（初始密码只显示这一次，首次登录须修改）：\n");
    for a in &accounts {
        text.push_str(&format!(
            "  {:<28} {:<16} {}（{}）\n",
            a.login,
            a.password,
            a.role.zh(),
            a.acts_for
        ));
        if let Some(t) = &a.api_token {
            text.push_str(&format!("  {:<28} API 令牌：{t}\n", ""));
        }
    }
    Ok(Outcome::Done(text))
}

/// Brings the statistics summaries up to date with what the command wrote (the writes marked
/// their person-years; this evaluates them), so that the first statistics request is current.
async fn refresh_statistics(db: &Db, policy: &Policy, now_ms: i64) -> Result<String> {
    eprint!("更新统计……");
    let started = Instant::now();
    let n = xueshi_store::summaries::catch_up(db, policy, now_ms)
        .await
        .map_err(err)?;
    eprintln!();
    Ok(format!(
        "统计已更新：{n} 个人年（{:.1} 秒）\n",
        started.elapsed().as_secs_f64()
    ))
}

/// What `xueshi import` was asked.
#[derive(Debug)]
pub struct ImportArgs {
    pub kind: crate::ImportWhat,
    pub file: PathBuf,
    pub keep_good: bool,
    pub sheet: Option<String>,
    pub actor: String,
}

/// Today in China Standard Time (UTC+8, no daylight saving) and the clock in milliseconds:
/// the binary is the only place that reads the clock.
pub(crate) fn clock() -> Result<(xueshi_domain::Date, i64)> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| format!("系统时钟错误：{e}"))?;
    let ms = i64::try_from(now.as_millis()).map_err(|_| "系统时钟错误".to_owned())?;
    let today = xueshi_domain::Date::beijing(ms).map_err(|e| format!("系统时钟错误：{e}"))?;
    Ok((today, ms))
}

pub async fn import(
    args: &StoreArgs,
    policies: &BTreeMap<String, Policy>,
    what: ImportArgs,
) -> Result<Outcome> {
    use xueshi_store::import::{self, ImportMode, ImportOptions, Progress};
    let o = open(args).await?;
    let policy = anhui(policies)?;
    registry::seed_places(&o.db, policy).await.map_err(err)?;
    let (today, now_ms) = clock()?;
    let mut opts = ImportOptions::new(what.actor.clone(), today, now_ms);
    opts.sheet = what.sheet.clone();
    if what.keep_good {
        opts.mode = ImportMode::KeepGood;
    }
    let started = Instant::now();
    let mut shown = Instant::now();
    let mut bar = move |p: Progress| {
        if shown.elapsed().as_millis() < 200 {
            return;
        }
        shown = Instant::now();
        match p.total {
            Some(total) if total > 0 => {
                let pct = p.done.saturating_mul(100) / total;
                let filled = usize::try_from(pct / 5).unwrap_or(0).min(20);
                eprint!(
                    "\r{} [{}{}] {}/{} ({pct}%)   ",
                    p.phase.zh(),
                    "█".repeat(filled),
                    "·".repeat(20 - filled),
                    p.done,
                    total
                );
            }
            _ => eprint!("\r{} {} 行   ", p.phase.zh(), p.done),
        }
    };
    let path = what.file.as_path();
    let report = match what.kind {
        crate::ImportWhat::Units => import::import_units(&o.db, path, &opts, &mut bar).await,
        crate::ImportWhat::Persons => {
            import::import_persons(&o.db, &o.keys, path, &opts, &mut bar).await
        }
        crate::ImportWhat::Records => {
            import::import_records(&o.db, &o.keys, &o.signer, policy, path, &opts, &mut bar).await
        }
        crate::ImportWhat::Certificates => {
            import::import_certificates(&o.db, &o.keys, &o.signer, policy, path, &opts, &mut bar)
                .await
        }
    }
    .map_err(err)?;
    eprintln!();
    let refreshed = refresh_statistics(&o.db, policy, now_ms).await?;
    let secs = started.elapsed().as_secs_f64();
    let text = format!("{report}{refreshed}用时 {secs:.1} 秒\n");
    let failed = !report.is_clean() && opts.mode == ImportMode::AllOrNothing;
    Ok(if failed {
        Outcome::Failed(text)
    } else {
        Outcome::Done(text)
    })
}
