//! D20: a policy value is `confirmed` only with a quote that stands verbatim in the notice.
//! Every quote of a value that cites one of the 2026 notices (六人社秘〔2026〕30号 and its
//! attachment 皖人社函〔2026〕235号, in ../shared/seed/) must be found there, whitespace aside;
//! every confirmed 2026 value must rest on those notices. Under CI a missing seed fails.

// Test code: a panic is a failed test, with its message.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::PathBuf;

use xueshi_policy::load_embedded;
use xueshi_policy::model::Citation;

/// The documents whose text is in the seed.
const SEEDED: [&str; 2] = ["六人社秘〔2026〕30号", "皖人社函〔2026〕235号"];

fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The seed notices, whitespace removed; `None` (outside CI) when the folder is absent.
fn seed_text() -> Option<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seed");
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) => {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI: the seed notices are required at {}: {e}",
                dir.display()
            );
            eprintln!("skipped: no seed at {} ({e})", dir.display());
            return None;
        }
    };
    let mut text = String::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) == Some("txt") {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    assert!(!text.is_empty(), "no .txt notice in {}", dir.display());
    Some(squeeze(&text))
}

#[test]
fn every_quote_of_the_2026_notices_stands_verbatim_in_the_seed() {
    let Some(seed) = seed_text() else { return };
    let policy = load_embedded("anhui").unwrap();
    let mut cites: Vec<(String, &Citation)> = Vec::new();
    for y in policy.years.iter().filter(|y| y.projected_from.is_none()) {
        cites.extend(y.citations().into_iter().map(|c| (y.file.clone(), c)));
    }
    cites.extend(policy.exceptions.iter().map(|e| (e.id.clone(), &e.cite)));
    let mut checked = 0;
    let mut missing = Vec::new();
    for (file, c) in &cites {
        if !SEEDED.contains(&c.doc.as_str()) {
            continue;
        }
        for q in &c.quotes {
            checked += 1;
            if !seed.contains(&squeeze(q)) {
                missing.push(format!("{file}: {} {}: “{q}”", c.doc, c.section));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "quotes not in the notices:\n{}",
        missing.join("\n")
    );
    assert!(checked >= 10, "only {checked} quotes checked");
}

#[test]
fn every_confirmed_value_quotes_and_every_confirmed_2026_value_rests_on_the_notices() {
    let policy = load_embedded("anhui").unwrap();
    for y in &policy.years {
        for c in y.citations() {
            if c.confirmed {
                assert!(
                    !c.quotes.is_empty(),
                    "{}: {c} confirmed without quote",
                    y.file
                );
                if y.year == 2026 {
                    assert!(SEEDED.contains(&c.doc.as_str()), "{}: {c}", y.file);
                }
            }
        }
    }
}

#[test]
fn a_confirmed_value_without_quote_is_refused_by_the_loader() {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policy/anhui/2026.toml"),
    )
    .unwrap();
    let quote = "quote = \"2026年度全省专业技术人员继续教育公需科目学习时间截至2027年5月31日。\"\n";
    assert!(text.contains(quote));
    let err = xueshi_policy::load_files(
        "anhui",
        &[("2026.toml".to_owned(), text.replace(quote, ""))],
    )
    .unwrap_err();
    assert!(err.message.contains("quote"), "{err}");
    assert!(err.at.contains("record.year"), "{err}");
}

#[test]
fn the_seed_check_catches_a_quote_that_is_not_in_the_notice() {
    let Some(seed) = seed_text() else { return };
    // The transition dates are not in the text (D20): this must not be found.
    assert!(!seed.contains(&squeeze("过渡期为2025年1月1日至2030年12月31日")));
    assert!(seed.contains(&squeeze("逐步消化至 2030 年")));
}
