//! The PDF certificate carries its Chinese text as text: rendered with the system's CJK font,
//! every character of the title and the holder's masked name has a ToUnicode mapping, and
//! `pdftotext` (poppler-utils), where installed, extracts them. Without a CJK font the test
//! fails under CI (`CI` set) and is skipped, loudly, elsewhere.

// Test code: a panic is a failed test, with its message.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Read as _;

use xueshi_certificate::pdf::{self, CjkFont, Print};
use xueshi_certificate::{Certificate, Holder, RecordLine, Stamp, Totals, YearSection};
use xueshi_domain::{Date, Hours};

fn sample(records: usize) -> Certificate {
    let d = |s| Date::parse(s).unwrap();
    Certificate {
        number: "XS2027-000001".into(),
        holder: Holder {
            masked_name: "张*梅".into(),
            masked_id: "341522**********3019".into(),
        },
        issued_on: d("2027-03-02"),
        years: vec![YearSection {
            year: 2026,
            records: (0..records)
                .map(|i| RecordLine {
                    title: format!("基层医疗专业能力提升班第{i}期"),
                    subject: "professional".into(),
                    form: "training_class".into(),
                    hours: Hours::from_tenths(25),
                    date: d("2026-03-11"),
                    provider: Some("base:1".into()),
                })
                .collect(),
            credited: Totals {
                total: Hours::whole(90),
                professional: Hours::whole(60),
                public: Hours::whole(30),
            },
            required: Totals {
                total: Hours::whole(90),
                professional: Hours::whole(60),
                public: Hours::ZERO,
            },
            compliant: true,
            review: Some(Stamp {
                by: "六安市卫生健康委员会 王某".into(),
                on: d("2027-01-10"),
                decision_hash: None,
                entry_index: 10,
            }),
            verification: Some(Stamp {
                by: "六安市人力资源和社会保障局 李某".into(),
                on: d("2027-03-01"),
                decision_hash: Some("cd".repeat(32)),
                entry_index: 11,
            }),
        }],
    }
}

fn font() -> Option<CjkFont> {
    match CjkFont::locate(None) {
        Ok(f) => Some(f),
        Err(e) if std::env::var_os("CI").is_some() => {
            panic!("CI has no CJK font for the PDF certificate: {e}")
        }
        Err(e) => {
            eprintln!("SKIPPED: no CJK font on this machine ({e})");
            None
        }
    }
}

/// Every stream of the PDF, inflated where it is compressed.
fn streams(pdf: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut rest = pdf;
    while let Some(start) = find(rest, b"stream") {
        let mut body = &rest[start + 6..];
        while body.first().is_some_and(|b| *b == b'\r' || *b == b'\n') {
            body = &body[1..];
        }
        let Some(end) = find(body, b"endstream") else {
            break;
        };
        let raw = &body[..end];
        let mut inflated = Vec::new();
        if flate2::read::ZlibDecoder::new(raw)
            .read_to_end(&mut inflated)
            .is_ok()
        {
            out.push(inflated);
        } else {
            out.push(raw.to_vec());
        }
        rest = &body[end + 9..];
    }
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
fn the_pdf_embeds_chinese_text_that_can_be_extracted() {
    let Some(font) = font() else { return };
    let cert = sample(3);
    let url = "http://127.0.0.1:8080/v/XS2027-000001";
    let bytes = pdf::render(
        &cert,
        &Print {
            issuer_name: "六安市人力资源和社会保障局",
            verify_url: url,
            revoked: false,
            full_name: None,
        },
        &font,
    )
    .unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    // To look at it: XUESHI_CERT_PDF_OUT=/tmp/c.pdf cargo nextest run -p xueshi-certificate
    if let Some(out) = std::env::var_os("XUESHI_CERT_PDF_OUT") {
        std::fs::write(out, &bytes).unwrap();
    }
    let cmaps: Vec<String> = streams(&bytes)
        .into_iter()
        .filter(|s| find(s, b"begincmap").is_some())
        .map(|s| String::from_utf8_lossy(&s).to_uppercase())
        .collect();
    assert!(!cmaps.is_empty(), "the font has a ToUnicode map");
    for c in "继续教育证书张梅持证人".chars() {
        let code = format!("{:04X}", u32::from(c));
        assert!(
            cmaps.iter().any(|m| m.contains(&code)),
            "no ToUnicode mapping for {c} ({code})"
        );
    }
    // poppler's pdftotext, where installed, reads the same text back.
    let path = std::env::temp_dir().join(format!("xueshi-cert-{}.pdf", std::process::id()));
    std::fs::write(&path, &bytes).unwrap();
    match std::process::Command::new("pdftotext")
        .arg("-enc")
        .arg("UTF-8")
        .arg(&path)
        .arg("-")
        .output()
    {
        Ok(out) => {
            let text = String::from_utf8(out.stdout).unwrap();
            for needle in [
                "继续教育证书",
                "张*梅",
                "XS2027-000001",
                "2026 年度",
                "审核章",
                "核验章",
                url,
            ] {
                assert!(text.contains(needle), "pdftotext lacks {needle:?}:\n{text}");
            }
        }
        Err(_) => eprintln!("pdftotext not installed: checked the ToUnicode maps only"),
    }
    let _ = std::fs::remove_file(&path);
}

#[test]
fn a_long_certificate_flows_onto_more_pages() {
    let Some(font) = font() else { return };
    let print = Print {
        issuer_name: "六安市人力资源和社会保障局",
        verify_url: "http://127.0.0.1:8080/v/XS2027-000001",
        revoked: true,
        full_name: None,
    };
    let one = pdf::render(&sample(5), &print, &font).unwrap();
    let many = pdf::render(&sample(50), &print, &font).unwrap();
    assert!(many.len() > one.len());
    let count = |b: &[u8]| {
        let text = String::from_utf8_lossy(b).into_owned();
        text.matches("/Page").count() - text.matches("/Pages").count()
    };
    assert!(
        count(&many) > count(&one),
        "{} vs {}",
        count(&many),
        count(&one)
    );
}
