//! The `xueshi` command line. For now: the policy engine (`policy test`, `policy check`,
//! `evaluate`). Output goes to stdout, diagnostics to stderr; the exit code says whether
//! everything held.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use xueshi_policy::runner::{Verdict, load_case, run_paths};
use xueshi_policy::{Options, Policy, load};

#[derive(Debug, Parser)]
#[command(
    name = "xueshi",
    version,
    about = "专业技术人员继续教育学时管理系统 / continuing-education hours"
)]
struct Cli {
    /// Load policies from DIR/NAME/*.toml instead of the built-in ones (env XUESHI_POLICY_DIR).
    #[arg(long, global = true, env = "XUESHI_POLICY_DIR", value_name = "DIR")]
    policy_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
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

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let policies = match load_policies(cli.policy_dir.as_deref()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("政策加载失败: {e}");
            return ExitCode::from(2);
        }
    };
    match cli.command {
        Command::Policy {
            command: PolicyCommand::Test { paths },
        } => policy_test(&paths, &policies),
        Command::Policy {
            command: PolicyCommand::Check,
        } => policy_check(&policies),
        Command::Evaluate {
            case,
            format,
            trace,
        } => evaluate(&case, format, trace, &policies),
    }
}

fn load_policies(dir: Option<&Path>) -> Result<BTreeMap<String, Policy>, String> {
    let mut out = BTreeMap::new();
    match dir {
        None => {
            for name in load::embedded_names() {
                out.insert(
                    name.to_owned(),
                    load::load_embedded(name).map_err(|e| e.to_string())?,
                );
            }
        }
        Some(dir) => {
            let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                if let (true, Some(name)) =
                    (path.is_dir(), path.file_name().and_then(|n| n.to_str()))
                {
                    out.insert(
                        name.to_owned(),
                        load::load_dir(dir, name).map_err(|e| e.to_string())?,
                    );
                }
            }
            if out.is_empty() {
                return Err(format!("{} 下没有政策目录", dir.display()));
            }
        }
    }
    Ok(out)
}

fn emit(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn policy_test(paths: &[PathBuf], policies: &BTreeMap<String, Policy>) -> ExitCode {
    let results = match run_paths(paths, policies) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let mut out = String::new();
    let (mut passed, mut failed) = (0usize, 0usize);
    for r in &results {
        let name = r.name.as_deref().unwrap_or("?");
        match &r.verdict {
            Verdict::Passed => passed += 1,
            Verdict::Failed(diffs) => {
                failed += 1;
                out.push_str(&format!("FAIL {} — {name}\n", r.file.display()));
                for d in diffs {
                    out.push_str(&format!("    {d}\n"));
                }
            }
            Verdict::Invalid(e) => {
                failed += 1;
                out.push_str(&format!("ERROR {}: {e}\n", r.file.display()));
            }
        }
    }
    if results.is_empty() {
        out.push_str("没有找到案例文件（.yaml）\n");
    }
    out.push_str(&format!("{passed} passed, {failed} failed\n"));
    let code = emit(&out);
    if failed > 0 || results.is_empty() {
        ExitCode::FAILURE
    } else {
        code
    }
}

fn policy_check(policies: &BTreeMap<String, Policy>) -> ExitCode {
    let mut out = String::new();
    for (name, p) in policies {
        let files: Vec<_> = p
            .years
            .iter()
            .filter(|y| y.projected_from.is_none())
            .collect();
        let unconfirmed: usize = files
            .iter()
            .map(|y| {
                xueshi_policy::RuleId::ALL
                    .iter()
                    .filter(|r| y.citation(**r).is_some_and(|c| !c.confirmed))
                    .count()
            })
            .sum();
        out.push_str(&format!(
            "{name}: {}–{} 年，{} 个年度文件（其后 {} 年按最后年度推算），{} 项未经原文核实，sha256:{}\n",
            p.first_year().unwrap_or_default(),
            files.last().map(|y| y.year).unwrap_or_default(),
            files.len(),
            p.years.len() - files.len(),
            unconfirmed,
            p.hash
        ));
    }
    emit(&out)
}

fn evaluate(
    file: &Path,
    format: Format,
    trace: bool,
    policies: &BTreeMap<String, Policy>,
) -> ExitCode {
    let (case, policy) = match load_case(file, policies) {
        Ok(x) => x,
        Err(e) => {
            eprintln!("{}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    let eval = match case.evaluate(policy, Options { trace }) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("{}: {e} [{}]", file.display(), e.code());
            return ExitCode::from(2);
        }
    };
    let text = match format {
        Format::Text => xueshi_policy::render::to_text(&eval, &case.records),
        Format::Json => {
            let v = xueshi_policy::render::to_json(&eval, policy, &case.records);
            match serde_json::to_string_pretty(&v) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("{e}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    emit(&text)
}
