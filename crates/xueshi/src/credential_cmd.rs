//! `xueshi credential verify FILE.json`: checks a certificate credential offline — its shape
//! (W3C VC 2.0 / Open Badges 3.0), its `eddsa-jcs-2022` signature, that its issuer is the key
//! that signed (and, with `--issuer`, the expected one) — and prints the checklist. The ledger
//! entry and revocation need the service: the command prints where to check them. Exit 0 when
//! every offline check holds, 1 when one fails, 2 when the file cannot be read.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use xueshi_certificate::credential;

use crate::policy_cmd::emit;

pub fn verify(file: &Path, issuer: Option<&str>) -> ExitCode {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("无法读取 {}：{e}", file.display());
            return ExitCode::from(2);
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{} 不是有效的 JSON：{e}", file.display());
            return ExitCode::from(2);
        }
    };
    let c = credential::check(&value);
    let mark = |ok: bool| if ok { "✓" } else { "✗" };
    let mut out = String::new();
    let cert = c.certificate.as_ref();
    let _ = writeln!(
        out,
        "证书编号：{}",
        cert.map_or("（无）", |c| c.number.as_str())
    );
    let _ = writeln!(
        out,
        "持证人：{}",
        cert.map_or("（无）", |c| c.holder.masked_name.as_str())
    );
    let _ = writeln!(
        out,
        "{} 格式：W3C 可验证凭证 2.0 / Open Badges 3.0",
        mark(c.format)
    );
    match &c.signature {
        Ok(v) => {
            let _ = writeln!(
                out,
                "{} 签名：eddsa-jcs-2022 有效（{}，签署于 {}）",
                mark(true),
                v.did,
                v.created.as_deref().unwrap_or("—")
            );
        }
        Err(e) => {
            let _ = writeln!(out, "{} 签名：{e}（{}）", mark(false), e.code());
        }
    }
    let expected = issuer.is_none_or(|want| c.issuer_id.as_deref() == Some(want));
    let issuer_ok = c.issuer_signed && expected;
    let _ = writeln!(
        out,
        "{} 签发方：{}（{}）{}",
        mark(issuer_ok),
        c.issuer_name.as_deref().unwrap_or("—"),
        c.issuer_id.as_deref().unwrap_or("—"),
        if !c.issuer_signed {
            "：与签名密钥不一致"
        } else if !expected {
            "：不是所要求的签发方"
        } else {
            ""
        }
    );
    if let Some(s) = &c.status {
        let _ = writeln!(out, "· 撤销状态：见 {}（第 {} 位）", s.list_url, s.index);
    }
    if let Some(cert) = cert {
        let _ = writeln!(
            out,
            "· 账本与撤销的在线核验：/api/public/certificates/{}/check",
            cert.number
        );
    }
    let ok = c.ok() && issuer_ok;
    let _ = writeln!(
        out,
        "{}",
        if ok {
            "离线核验通过"
        } else {
            "离线核验未通过"
        }
    );
    match emit(&out) {
        code if code != ExitCode::SUCCESS => code,
        _ if ok => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
