//! The `xueshi` binary as a person or a script uses it: exit codes, what it prints, and the
//! store commands end to end on a fresh SQLite database.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn xueshi(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xueshi"))
        .args(args)
        .current_dir(dir)
        .env_remove("XUESHI_DATABASE")
        .env_remove("XUESHI_KEYS")
        .env_remove("XUESHI_POLICY_DIR")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xueshi-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn policy_test_counts_cases_and_fails_on_invalid_ones_naming_file_and_line() {
    let root = root();
    let ok = xueshi(
        &root,
        &["policy", "test", "policy/cases", "policy/examples"],
    );
    assert!(ok.status.success(), "{}", text(&ok));
    let last = String::from_utf8_lossy(&ok.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .to_owned();
    assert!(last.ends_with("passed, 0 failed"), "{last}");
    let bad = xueshi(&root, &["policy", "test", "policy/cases-invalid"]);
    assert_eq!(bad.status.code(), Some(1));
    let out = text(&bad);
    assert!(
        out.contains("invalid-negative-hours.yaml") && out.contains("第 10 行"),
        "{out}"
    );
    let invalid = std::fs::read_dir(root.join("policy/cases-invalid"))
        .unwrap()
        .count();
    assert!(invalid >= 9, "{invalid}");
    assert!(
        out.contains(&format!("0 passed, {invalid} failed")),
        "{out}"
    );
}

#[test]
fn evaluate_prints_chinese_text_and_reproducible_json() {
    let root = root();
    let t = xueshi(&root, &["evaluate", "policy/examples/lu-an-2026.yaml"]);
    assert!(t.status.success());
    let out = String::from_utf8(t.stdout).unwrap();
    assert!(
        out.contains("不达标")
            && out.contains("差 2 学时")
            && out.contains("皖人社函〔2026〕235号"),
        "{out}"
    );
    let a = xueshi(
        &root,
        &[
            "evaluate",
            "policy/examples/lu-an-2026.yaml",
            "--format",
            "json",
            "--trace",
        ],
    );
    let b = xueshi(
        &root,
        &[
            "evaluate",
            "policy/examples/lu-an-2026.yaml",
            "--format",
            "json",
            "--trace",
        ],
    );
    assert_eq!(a.stdout, b.stdout);
    let v: serde_json::Value = serde_json::from_slice(&a.stdout).unwrap();
    assert_eq!(v["compliant"], false);
    assert_eq!(v["failed"], serde_json::json!(["annual.professional_min"]));
    assert_eq!(v["policy"]["sha256"].as_str().unwrap().len(), 64);
    let missing = xueshi(&root, &["evaluate", "no/such/case.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn an_unknown_database_scheme_is_refused() {
    let dir = scratch("scheme");
    let o = xueshi(&dir, &["--database", "mysql://x/y", "db", "migrate"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("store.unknown_scheme"), "{}", text(&o));
}

#[test]
fn ledger_verify_without_its_key_file_fails_clearly_and_creates_nothing() {
    let dir = scratch("nokeys");
    assert!(xueshi(&dir, &["db", "migrate"]).status.success());
    let keys = dir.join("xueshi.keys");
    std::fs::remove_file(&keys).unwrap_or(());
    let listing = |d: &Path| {
        let mut names: Vec<_> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = listing(&dir);
    for command in [["ledger", "verify"], ["ledger", "checkpoint"]] {
        let o = xueshi(&dir, &command);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let out = text(&o);
        assert!(
            out.contains("找不到密钥文件") && out.contains("keys.missing"),
            "{out}"
        );
        assert!(!keys.exists(), "{command:?} created a key file");
    }
    assert_eq!(listing(&dir), before, "nothing was created");
    // Nor a database where there was none.
    let empty = scratch("nokeys-nodb");
    let o = xueshi(&empty, &["ledger", "verify"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(listing(&empty).is_empty(), "{:?}", listing(&empty));
}

#[test]
fn demo_seed_verify_tamper_and_export_end_to_end() {
    let dir = scratch("demo");
    assert!(xueshi(&dir, &["db", "migrate"]).status.success());
    let seeded = xueshi(&dir, &["demo", "seed", "--persons", "120"]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    assert!(
        dir.join("xueshi.keys").exists(),
        "the key file is created beside the database"
    );
    let again = xueshi(&dir, &["demo", "seed", "--persons", "120"]);
    assert!(
        again.status.success() && text(&again).contains("已有"),
        "{}",
        text(&again)
    );
    let ok = xueshi(&dir, &["ledger", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok));
    assert!(text(&ok).contains("账本完好"));

    // Standard output is the note as published (`ledger checkpoint > published.note`); the
    // public key is on standard error.
    let published = xueshi(&dir, &["ledger", "checkpoint"]);
    assert!(published.status.success());
    assert!(String::from_utf8_lossy(&published.stderr).contains("验证公钥"));
    std::fs::write(dir.join("published.note"), &published.stdout).unwrap();
    assert!(
        xueshi(&dir, &["ledger", "verify", "--against", "published.note"])
            .status
            .success()
    );

    // A person-year exported and evaluated as a case.
    let exported = xueshi(
        &dir,
        &[
            "export", "case", "--person", "#3", "--year", "2026", "--out", "p3.yaml",
        ],
    );
    assert!(exported.status.success(), "{}", text(&exported));
    let evaluated = xueshi(&dir, &["evaluate", "p3.yaml", "--format", "json"]);
    assert!(evaluated.status.success(), "{}", text(&evaluated));

    // Behind the application's back: alter one registered row.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("sqlite://{}", dir.join("xueshi.db").display());
        let db = xueshi_store::Db::connect(&url).await.unwrap();
        let xueshi_store::Db::Sqlite(p) = &db else {
            panic!()
        };
        sqlx::query("DROP TRIGGER records_no_update")
            .execute(p)
            .await
            .unwrap();
        let changed = sqlx::query(
            "UPDATE records SET hours_tenths = hours_tenths + 100
             WHERE id = (SELECT MIN(id) FROM records WHERE hours_tenths IS NOT NULL)",
        )
        .execute(p)
        .await
        .unwrap()
        .rows_affected();
        assert_eq!(changed, 1);
        db.close().await;
    });
    let bad = xueshi(&dir, &["ledger", "verify"]);
    assert_eq!(bad.status.code(), Some(1), "{}", text(&bad));
    let out = text(&bad);
    assert!(
        out.contains("records id=") && out.contains("被修改"),
        "{out}"
    );
}

/// The number of person-years a `statistics refresh` says it decided.
fn decided(o: &Output) -> u64 {
    let out = String::from_utf8_lossy(&o.stdout);
    let after = out.split("重新判定 ").nth(1).unwrap_or_default();
    after
        .split(' ')
        .next()
        .unwrap_or_default()
        .parse()
        .unwrap_or_else(|_| panic!("{out}"))
}

#[test]
fn statistics_refresh_re_decides_what_changed_and_only_the_years_whose_rules_changed() {
    let dir = scratch("statistics");
    let seeded = xueshi(&dir, &["demo", "seed", "--persons", "60"]);
    assert!(seeded.status.success(), "{}", text(&seeded));
    // The seed ends with every summary current: nothing to do.
    let idle = xueshi(&dir, &["statistics", "refresh"]);
    assert!(idle.status.success(), "{}", text(&idle));
    assert_eq!(decided(&idle), 0, "{}", text(&idle));
    // --all re-decides a whole year, with a progress line on stderr.
    let all = xueshi(&dir, &["statistics", "refresh", "--year", "2025", "--all"]);
    assert!(all.status.success(), "{}", text(&all));
    let year_2025 = decided(&all);
    assert!(year_2025 >= 50, "{}", text(&all));
    let progress = String::from_utf8_lossy(&all.stderr);
    assert!(
        progress.contains("重新判定 [") && progress.contains("人年/秒"),
        "{progress}"
    );
    assert!(String::from_utf8_lossy(&all.stdout).contains("2025 年度重新判定"));
    let everything = xueshi(&dir, &["statistics", "refresh", "--all"]);
    assert!(decided(&everything) > year_2025, "{}", text(&everything));

    // A policy directory where only 2025's yearly minimum changed: 2025's person-years are
    // re-decided, no other year's; a second run has nothing left.
    let pol = dir.join("pol").join("anhui");
    std::fs::create_dir_all(&pol).unwrap();
    for entry in std::fs::read_dir(root().join("policy/anhui")).unwrap() {
        let path = entry.unwrap().path();
        let mut body = std::fs::read_to_string(&path).unwrap();
        if path.file_name().unwrap() == "2025.toml" {
            let before = body.clone();
            body = body.replacen(
                "[rules.\"annual.total_min\"]\nhours = 90",
                "[rules.\"annual.total_min\"]\nhours = 91",
                1,
            );
            assert_ne!(
                body, before,
                "2025.toml holds the total minimum as expected"
            );
        }
        std::fs::write(pol.join(path.file_name().unwrap()), body).unwrap();
    }
    let changed = xueshi(&dir, &["--policy-dir", "pol", "statistics", "refresh"]);
    assert!(changed.status.success(), "{}", text(&changed));
    assert_eq!(decided(&changed), year_2025, "{}", text(&changed));
    let again = xueshi(&dir, &["--policy-dir", "pol", "statistics", "refresh"]);
    assert_eq!(decided(&again), 0, "{}", text(&again));

    let unknown = xueshi(&dir, &["statistics", "refresh", "--year", "1990"]);
    assert_eq!(unknown.status.code(), Some(2), "{}", text(&unknown));
    assert!(text(&unknown).contains("1990"));
}

/// Writes the CSV files of a synthetic county: one unit, `persons` persons, and a base
/// certificate report of `certificates` rows.
fn write_import_files(dir: &Path, persons: usize, certificates: usize) {
    use std::fmt::Write as _;
    use xueshi_domain::credit_code::CreditCode;
    use xueshi_domain::id_number::IdNumber;
    let unit = CreditCode::complete("12341522MB0000001").unwrap();
    std::fs::write(
        dir.join("units.csv"),
        format!("统一社会信用代码,单位名称,所在地区,行业,单位类型\n{},霍邱县第一人民医院,341522,卫生健康,事业单位\n", unit.as_str()),
    )
    .unwrap();
    let ids: Vec<String> = (0..persons)
        .map(|i| {
            IdNumber::complete(&format!(
                "341522{}{:02}{:02}{:03}",
                1970 + i % 25,
                1 + i % 12,
                1 + i % 28,
                i / 300
            ))
            .unwrap()
            .expose()
            .to_owned()
        })
        .collect();
    let name = |i: usize| {
        let chars: Vec<char> = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平".chars().collect();
        format!("张{}{}", chars[i % 20], chars[i / 20 % 20])
    };
    let mut p = String::from("身份证号,姓名,单位统一社会信用代码,入职日期,人员类别\n");
    for (i, id) in ids.iter().enumerate() {
        writeln!(p, "{id},{},{},2020-01-01,新人", name(i), unit.as_str()).unwrap();
    }
    std::fs::write(dir.join("persons.csv"), p).unwrap();
    let mut c =
        String::from("身份证号,姓名,基地,证书编号,课程名称,学时,完成日期,考试结果,计入年度\n");
    for i in 0..certificates {
        writeln!(
            c,
            "{},{},{},AH2026{i:08},公需科目,10,2026-{:02}-{:02},合格,2026",
            ids[i % persons],
            name(i % persons),
            1 + i % 4,
            1 + i % 10,
            1 + i % 28
        )
        .unwrap();
    }
    std::fs::write(dir.join("certs.csv"), c).unwrap();
}

fn count_records(dir: &Path) -> i64 {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let db =
            xueshi_store::Db::connect(&format!("sqlite://{}", dir.join("xueshi.db").display()))
                .await
                .unwrap();
        let xueshi_store::Db::Sqlite(p) = &db else {
            panic!()
        };
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records")
            .fetch_one(p)
            .await
            .unwrap();
        db.close().await;
        n
    })
}

#[test]
fn an_import_killed_while_writing_leaves_the_database_as_it_was() {
    use std::io::Read as _;
    let dir = scratch("killed");
    write_import_files(&dir, 500, 60_000);
    for (kind, file) in [("units", "units.csv"), ("persons", "persons.csv")] {
        let o = xueshi(&dir, &["import", kind, file]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_xueshi"))
        .args(["import", "certificates", "certs.csv"])
        .current_dir(&dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until it reports writing, then kill it without warning.
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 256];
    let mut writing = false;
    while let Ok(n) = stderr.read(&mut buf) {
        if n == 0 {
            break;
        }
        seen.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&seen).contains("写入") {
            writing = true;
            break;
        }
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(
        writing,
        "the import never reached its writing phase: {}",
        String::from_utf8_lossy(&seen)
    );
    assert!(
        !status.success(),
        "the import finished before it could be killed"
    );
    assert_eq!(
        count_records(&dir),
        0,
        "a killed import must leave nothing behind"
    );
    let ok = xueshi(&dir, &["ledger", "verify"]);
    assert!(ok.status.success(), "{}", text(&ok));
    // Run again to the end: everything is there, once.
    let done = xueshi(&dir, &["import", "certificates", "certs.csv"]);
    assert!(done.status.success(), "{}", text(&done));
    assert_eq!(count_records(&dir), 60_000);
    let again = xueshi(&dir, &["import", "certificates", "certs.csv"]);
    assert!(text(&again).contains("已存在 60000 行"), "{}", text(&again));
    assert_eq!(count_records(&dir), 60_000);
    assert!(xueshi(&dir, &["ledger", "verify"]).status.success());
}

#[test]
fn credential_verify_checks_a_certificate_offline_and_fails_a_tampered_one() {
    use xueshi_certificate::status::StatusRef;
    use xueshi_certificate::{Certificate, Holder, IssuerKey, credential};
    let dir = scratch("credential");
    let key = IssuerKey::from_seed(&[5; 32]);
    let cert = Certificate {
        number: "XS2026-000001".to_owned(),
        holder: Holder {
            masked_name: "张*梅".to_owned(),
            masked_id: "341522**********3019".to_owned(),
        },
        issued_on: xueshi_domain::Date::parse("2026-11-26").unwrap(),
        years: Vec::new(),
    };
    let status = StatusRef {
        list_url: "http://127.0.0.1:8080/credentials/status/1".to_owned(),
        index: 0,
    };
    let issuer = credential::Issuer {
        key: &key,
        name: "六安市人力资源和社会保障局",
    };
    let vc = credential::issue(&cert, &issuer, &status, "2026-11-26T02:00:00Z").unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, serde_json::to_string_pretty(&vc).unwrap()).unwrap();
    let o = xueshi(&dir, &["credential", "verify", "good.json"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert!(
        out.contains("✓ 签名") && out.contains("张*梅") && out.contains("离线核验通过"),
        "{out}"
    );
    let o = xueshi(
        &dir,
        &[
            "credential",
            "verify",
            "good.json",
            "--issuer",
            "did:key:z6MkOther",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));

    let mut forged = vc.clone();
    forged["credentialSubject"]["certificate"]["holder"]["maskedName"] = "李*".into();
    std::fs::write(dir.join("forged.json"), forged.to_string()).unwrap();
    let o = xueshi(&dir, &["credential", "verify", "forged.json"]);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(
        out.contains("✗ 签名") && out.contains("离线核验未通过"),
        "{out}"
    );

    let o = xueshi(&dir, &["credential", "verify", "missing.json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}
