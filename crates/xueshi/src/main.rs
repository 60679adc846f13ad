//! The `xueshi` command line: the policy engine (`policy test`, `policy check`, `evaluate`) and
//! the store (`db migrate`, `ledger verify`, `ledger checkpoint`, `export case`, `demo seed`,
//! `statistics refresh`)
//! and the service (`serve`: the JSON API of `xueshi_web`), and the offline check of a
//! certificate credential (`credential verify`).
//! Output goes to stdout, diagnostics to stderr; the exit code says whether everything held.

mod backup_cmd;
mod credential_cmd;
mod policy_cmd;
mod reminders_cmd;
mod statistics_cmd;
mod store_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// mimalloc rather than glibc's malloc: the service, the refresh and `ledger verify` allocate on
/// both cores at once, where glibc's arenas contend (BENCH.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "xueshi",
    version,
    about = "专业技术人员继续教育学时管理系统 / continuing-education hours"
)]
struct Cli {
    /// Load policies from DIR/NAME/*.toml instead of the built-in ones.
    #[arg(long, global = true, env = "XUESHI_POLICY_DIR", value_name = "DIR")]
    policy_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE (default) or postgres://…
    #[arg(long, global = true, env = "XUESHI_DATABASE", default_value = xueshi_store::db::DEFAULT_URL)]
    database: String,
    /// Key file (master secret for sealing personal data and signing the ledger); created if
    /// missing, except by `ledger verify` and `ledger checkpoint`, which require it. Default: beside a SQLite database, else ./xueshi.keys.
    #[arg(long, global = true, env = "XUESHI_KEYS", value_name = "FILE")]
    keys: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "the command line is parsed once at start; boxing serve's options buys nothing"
)]
enum Command {
    /// Policy data and its cases.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Evaluates one policy case and prints the decision.
    Evaluate {
        case: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Include the step-by-step reasoning.
        #[arg(long)]
        trace: bool,
    },
    /// The database.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
    /// An online, consistent copy of a SQLite database (the key file is not in it: back it
    /// up separately). PostgreSQL: pg_basebackup and WAL archiving (README).
    Backup {
        /// The new file to write (refused if it exists).
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
    },
    /// The registration ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
    /// Exports stored data.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Imports units, persons, learning records or a base's certificate report (CSV or XLSX).
    Import {
        #[arg(value_enum)]
        kind: ImportWhat,
        file: PathBuf,
        /// Write the good rows and report the bad ones (default: all or nothing).
        #[arg(long)]
        keep_good: bool,
        /// The sheet of an XLSX file (default: the first).
        #[arg(long)]
        sheet: Option<String>,
        /// Who imports (account name), recorded as the records' author.
        #[arg(long, default_value = "import:cli")]
        actor: String,
    },
    /// Demo and scale data.
    Demo {
        #[command(subcommand)]
        command: DemoCommand,
    },
    /// Compliance statistics (the per person-year summaries).
    Statistics {
        #[command(subcommand)]
        command: StatisticsCommand,
    },
    /// Runs the service: the web pages and the JSON API (OpenAPI document at /api/openapi.json).
    Serve {
        /// Address to listen on.
        #[arg(long, env = "XUESHI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// Mark the session cookie `Secure` (when served over HTTPS, e.g. behind a proxy).
        #[arg(long, env = "XUESHI_SECURE_COOKIES")]
        secure_cookies: bool,
        /// The public base URL: certificates' QR codes point to PUBLIC_URL/v/{number}
        /// (default: http:// and the listening address).
        #[arg(long, env = "XUESHI_PUBLIC_URL")]
        public_url: Option<String>,
        /// The CJK font for PDF certificates: PATH or PATH#FACE (default: Debian's
        /// fonts-noto-cjk or fonts-wqy-microhei).
        #[arg(long, env = "XUESHI_CJK_FONT", value_name = "FONT")]
        cjk_font: Option<String>,
        /// The issuer named on certificates (and in their credentials) when no HR bureau has
        /// verified any of their years, e.g. the provincial department (安徽省人力资源和社会保障厅);
        /// a verified certificate names the bureau that verified its latest year.
        #[arg(long, env = "XUESHI_ISSUER_NAME", value_name = "NAME")]
        issuer_name: Option<String>,
        /// Rebuild a demo Lu'an in ./xueshi-demo.db (removed first; --database is ignored) and
        /// print one account per role.
        #[arg(long)]
        demo: bool,
        /// Persons in the demo.
        #[arg(long, default_value_t = 5000, requires = "demo")]
        demo_persons: u64,
        /// A private address for the operators: /metrics (Prometheus), /livez, /readyz.
        /// Keep it off the public network (loopback or the operators' network).
        #[arg(long, env = "XUESHI_OPS_LISTEN", value_name = "ADDR")]
        ops_listen: Option<std::net::SocketAddr>,
        /// Seconds a client has to send a request's headers.
        #[arg(long, env = "XUESHI_HEADER_TIMEOUT", default_value_t = 10)]
        header_timeout: u64,
        /// Seconds a connection may stay silent (between requests, or within a body).
        #[arg(long, env = "XUESHI_IDLE_TIMEOUT", default_value_t = 60)]
        idle_timeout: u64,
        /// Seconds a whole request may take (body and handler; large imports included).
        #[arg(long, env = "XUESHI_REQUEST_TIMEOUT", default_value_t = 300)]
        request_timeout: u64,
        /// Connections open at once.
        #[arg(long, env = "XUESHI_MAX_CONNECTIONS", default_value_t = 1024)]
        max_connections: usize,
        /// Send Strict-Transport-Security (only when served over HTTPS).
        #[arg(long, env = "XUESHI_HSTS")]
        hsts: bool,
        /// A reverse proxy whose X-Forwarded-For is believed for sign-in throttling
        /// (repeatable; comma-separated in the environment).
        #[arg(long, env = "XUESHI_TRUSTED_PROXY", value_delimiter = ',')]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// An SMTP relay to e-mail messages through: smtp://HOST:PORT (plain SMTP on a trusted
        /// network; the relay does TLS). Without it messages stay in the app.
        #[arg(long, env = "XUESHI_SMTP_URL", value_name = "URL")]
        smtp_url: Option<String>,
        /// The sender address of those e-mails (required with --smtp-url).
        #[arg(long, env = "XUESHI_SMTP_FROM", value_name = "ADDRESS")]
        smtp_from: Option<String>,
        /// Days before a deadline on which reminders are given.
        #[arg(long, env = "XUESHI_REMINDER_DAYS", default_value = "120,30,7")]
        reminder_days: String,
    },
    /// Reminders of a year's missing hours before its deadlines (消息, and e-mail).
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Certificate credentials (继续教育证书).
    Credential {
        #[command(subcommand)]
        command: CredentialCommand,
    },
}

#[derive(Debug, Subcommand)]
enum CredentialCommand {
    /// Checks a credential offline (format, eddsa-jcs-2022 signature, issuer) and prints the
    /// checklist; exit 1 when it is not valid.
    Verify {
        file: PathBuf,
        /// Require this issuer (`did:key:…`).
        #[arg(long)]
        issuer: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Runs policy cases: every .yaml under the given files and folders.
    Test {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Loads and validates the policies, printing each one's years and hash.
    Check,
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// Applies the embedded migrations of the database's backend.
    Migrate,
}

#[derive(Debug, Subcommand)]
enum LedgerCommand {
    /// Recomputes every entry, root and signature from the database; fails naming each entry
    /// that was altered, deleted, inserted or reordered.
    Verify {
        /// A checkpoint note published earlier: the log must still contain it.
        #[arg(long, value_name = "NOTE_FILE")]
        against: Option<PathBuf>,
        /// Verifier key to check signatures with (default: derived from the key file).
        #[arg(long)]
        vkey: Option<String>,
    },
    /// Prints the latest signed checkpoint (to publish) and the verifier key.
    Checkpoint,
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Writes a person-year as a policy case (YAML), evaluable by `xueshi evaluate`.
    Case {
        /// The person: resident ID number, or #N for the internal id.
        #[arg(long)]
        person: String,
        #[arg(long)]
        year: i32,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum StatisticsCommand {
    /// Re-decides the person-years marked since their summaries were made (writes, and the
    /// years whose policy rules changed), with a progress line and a summary.
    Refresh {
        /// Only this credit year.
        #[arg(long)]
        year: Option<i32>,
        /// Re-decide every person-year (of --year, or of every year), changed or not.
        #[arg(long)]
        all: bool,
    },
}

#[derive(Debug, Subcommand)]
enum RemindersCommand {
    /// Writes the reminders due today (or on --today) now; idempotent.
    Run {
        /// The day to run them for (default: today in Beijing).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<String>,
        /// Days before a deadline on which reminders are given.
        #[arg(long, env = "XUESHI_REMINDER_DAYS", default_value = "120,30,7")]
        days: String,
    },
}

#[derive(Debug, Subcommand)]
enum DemoCommand {
    /// Builds a realistic Lu'an: districts, counties and a zone, units, persons, records.
    Seed {
        #[arg(long, default_value_t = 5000)]
        persons: u64,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ImportWhat {
    Units,
    Persons,
    Records,
    Certificates,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let policies = match policy_cmd::load_policies(cli.policy_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("政策加载失败: {e}");
            return ExitCode::from(2);
        }
    };
    let store = store_cmd::StoreArgs {
        url: cli.database.clone(),
        keys: cli.keys.clone(),
    };
    match cli.command {
        Command::Policy {
            command: PolicyCommand::Test { paths },
        } => policy_cmd::test(&paths, &policies),
        Command::Policy {
            command: PolicyCommand::Check,
        } => policy_cmd::check(&policies),
        Command::Evaluate {
            case,
            format,
            trace,
        } => policy_cmd::evaluate(&case, format, trace, &policies),
        Command::Db {
            command: DbCommand::Migrate,
        } => store_cmd::run(store_cmd::migrate(&store)),
        Command::Ledger {
            command: LedgerCommand::Verify { against, vkey },
        } => store_cmd::run(store_cmd::verify(
            &store,
            against.as_deref(),
            vkey.as_deref(),
        )),
        Command::Backup { to } => store_cmd::run(backup_cmd::backup(&store, &to)),
        Command::Ledger {
            command: LedgerCommand::Checkpoint,
        } => store_cmd::run(store_cmd::checkpoint(&store)),
        Command::Export {
            command: ExportCommand::Case { person, year, out },
        } => store_cmd::run(store_cmd::export_case(
            &store,
            &policies,
            &person,
            year,
            out.as_deref(),
        )),
        Command::Import {
            kind,
            file,
            keep_good,
            sheet,
            actor,
        } => {
            let args = store_cmd::ImportArgs {
                kind,
                file,
                keep_good,
                sheet,
                actor,
            };
            store_cmd::run(store_cmd::import(&store, &policies, args))
        }
        Command::Demo {
            command: DemoCommand::Seed { persons, seed },
        } => store_cmd::run(store_cmd::demo_seed(&store, &policies, persons, seed)),
        Command::Statistics {
            command: StatisticsCommand::Refresh { year, all },
        } => store_cmd::run(statistics_cmd::refresh(&store, &policies, year, all)),
        Command::Serve {
            listen,
            secure_cookies,
            public_url,
            cjk_font,
            issuer_name,
            demo,
            demo_persons,
            ops_listen,
            header_timeout,
            idle_timeout,
            request_timeout,
            max_connections,
            hsts,
            trusted_proxy,
            smtp_url,
            smtp_from,
            reminder_days,
        } => store_cmd::run(store_cmd::serve(
            &store,
            &policies,
            listen,
            store_cmd::ServeOptions {
                secure_cookies,
                public_url: public_url.unwrap_or_else(|| format!("http://{listen}")),
                cjk_font,
                issuer_name,
                demo_persons: demo.then_some(demo_persons),
                ops_listen,
                listener: xueshi_web::serve::ServeConfig {
                    header_read: std::time::Duration::from_secs(header_timeout.max(1)),
                    idle: std::time::Duration::from_secs(idle_timeout.max(1)),
                    request: std::time::Duration::from_secs(request_timeout.max(1)),
                    max_connections: max_connections.max(1),
                    hsts,
                },
                trusted_proxies: trusted_proxy,
                mail: store_cmd::MailOptions {
                    smtp_url,
                    smtp_from,
                    reminder_days,
                },
            },
        )),
        Command::Reminders {
            command: RemindersCommand::Run { today, days },
        } => store_cmd::run(reminders_cmd::run(
            &store,
            &policies,
            today.as_deref(),
            &days,
        )),
        Command::Credential {
            command: CredentialCommand::Verify { file, issuer },
        } => credential_cmd::verify(&file, issuer.as_deref()),
    }
}
