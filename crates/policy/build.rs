//! Embeds `policy/*/*.toml` (relative to the workspace root) into the binary, so that adding a
//! year is adding a file: no code lists the files.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../policy");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    if let Ok(dirs) = std::fs::read_dir(&root) {
        for dir in dirs.flatten() {
            let dir = dir.path();
            if !dir.is_dir() {
                continue;
            }
            println!("cargo:rerun-if-changed={}", dir.display());
            let Some(name) = dir.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
                continue;
            };
            for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = file.path();
                if path.extension().and_then(|e| e.to_str()) == Some("toml") {
                    println!("cargo:rerun-if-changed={}", path.display());
                    let fname = path
                        .file_name()
                        .and_then(|n| n.to_str())
                        .unwrap_or_default()
                        .to_owned();
                    files.push((name.clone(), fname, path.canonicalize().unwrap_or(path)));
                }
            }
        }
    }
    files.sort();
    let mut out = String::from("pub static FILES: &[(&str, &str, &str)] = &[\n");
    for (name, fname, path) in files {
        let _ = writeln!(
            out,
            "    ({name:?}, {fname:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let dest =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("embedded_policy.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}
