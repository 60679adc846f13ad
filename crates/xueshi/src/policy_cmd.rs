//! The policy commands: run cases, check policy data, evaluate one case.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use xueshi_policy::runner::{Verdict, load_case, run_paths};
use xueshi_policy::{Options, Policy, load};

use crate::Format;

pub fn load_policies(dir: Option<&Path>) -> Result<BTreeMap<String, Policy>, String> {
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

/// Writes to stdout; a closed pipe is a failure, not a panic.
pub fn emit(text: &str) -> ExitCode {
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

pub fn test(paths: &[PathBuf], policies: &BTreeMap<String, Policy>) -> ExitCode {
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

pub fn check(policies: &BTreeMap<String, Policy>) -> ExitCode {
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

pub fn evaluate(
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
