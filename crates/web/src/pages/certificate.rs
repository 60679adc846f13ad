//! The certificate's pages: the printable certificate (`/certificates/{number}`, for those who
//! may view the person's records), the public verification page reached from its QR code
//! (`/v/{number}`, no login), and the public form to paste or upload a credential (`/verify`,
//! answered by `POST /verify` with the same checklist). Every check is the API's use case
//! (`xueshi_app::certificates::checklist`): a page shows what `GET /api/public/certificates/…/check`
//! answers, and shows no personal data but the masked name.
//! The professional's own list (`/me/certificate`) issues a new one through the API.

use askama::Template;
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use xueshi_certificate::content::{form_zh, provider_zh, subject_zh};
use xueshi_certificate::{Certificate, pdf};
use xueshi_store::certificates;

use crate::error::ApiError;
use crate::extract::{ApiBytes, ApiPath};
use crate::pages::plain::{Names, TechInfo};
use crate::pages::{Chrome, Page, PageError, render};
use crate::state::AppState;
use crate::throttle::PublicLookup;
use xueshi_app::certificates::{self as api, Checklist, Printed};

/// The largest credential `/verify` takes (a certificate is a few KiB).
const MAX_UPLOAD: usize = 1024 * 1024;

/// The certificate pages' routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/certificates/{number}", get(print))
        .route("/v/{number}", get(verify_number))
        .route("/verify", get(verify_form).post(verify_posted))
}

/// One record line as shown.
struct Line {
    title: String,
    kind: String,
    hours: String,
    date: String,
    provider: String,
}

/// One year as shown.
struct Year {
    year: i32,
    compliant: bool,
    credited: String,
    required: String,
    lines: Vec<Line>,
    review: String,
    verification: String,
}

/// A stamp as people read it: the agency and the day (`霍邱县人力资源和社会保障局，2026-12-03`);
/// its decision hash and ledger entry go to 技术信息.
async fn stamp(
    names: &mut Names,
    tech: &mut TechInfo,
    what: &str,
    year: i32,
    s: Option<&xueshi_certificate::Stamp>,
) -> String {
    match s {
        None => "无".to_owned(),
        Some(s) => {
            let mut detail = format!("账本条目 #{}", s.entry_index);
            if let Some(h) = &s.decision_hash {
                detail.push_str(&format!("，判定摘要 sha256:{h}"));
            }
            tech.add(format!("{year} 年度{what}"), detail);
            format!("{}，{}", names.agency(&s.by).await, s.on)
        }
    }
}

async fn years(state: &AppState, cert: &Certificate, tech: &mut TechInfo) -> Vec<Year> {
    let mut names = Names::new(state);
    let mut out = Vec::with_capacity(cert.years.len());
    for y in &cert.years {
        let review = stamp(&mut names, tech, "审核章", y.year, y.review.as_ref()).await;
        let verification = stamp(&mut names, tech, "核验章", y.year, y.verification.as_ref()).await;
        out.push(Year {
            year: y.year,
            compliant: y.compliant,
            credited: format!(
                "合计 {}，专业科目 {}，公需科目 {}",
                y.credited.total, y.credited.professional, y.credited.public
            ),
            required: format!(
                "合计 {}，专业科目 {}",
                y.required.total, y.required.professional
            ),
            lines: y
                .records
                .iter()
                .map(|r| Line {
                    title: r.title.clone(),
                    kind: format!("{}·{}", subject_zh(&r.subject), form_zh(&r.form)),
                    hours: r.hours.to_string(),
                    date: r.date.to_string(),
                    provider: r.provider.as_deref().map(provider_zh).unwrap_or_default(),
                })
                .collect(),
            review,
            verification,
        });
    }
    out
}

#[derive(Template)]
#[template(path = "certificate/print.html")]
struct Print {
    chrome: Chrome,
    number: String,
    /// The holder's full name on their own copy, the masked one for others.
    holder: String,
    masked_id: String,
    issued_on: String,
    issuer_name: String,
    revoked: Option<String>,
    /// The newer certificate that replaces this one, when there is one.
    superseded_by: Option<String>,
    years: Vec<Year>,
    verify_url: String,
    qr: String,
    techinfo: TechInfo,
}

/// The printable certificate.
pub async fn print(
    State(state): State<AppState>,
    page: Page,
    ApiPath(number): ApiPath<String>,
) -> Result<Response, PageError> {
    let issued = api::viewable(&state.ctx(), &page.acting, &number).await?;
    let Printed {
        certificate: cert,
        issuer_name,
    } = api::printed(&issued, &state.issuer_name)?;
    let verify_url = certificates::verify_url(&state.public_url, &issued.row.number);
    let qr = pdf::qr_svg(&verify_url, 132).unwrap_or_default();
    let mut techinfo = TechInfo::default();
    techinfo.add("电子凭证格式", "W3C 可验证凭证，eddsa-jcs-2022");
    let years = years(&state, &cert, &mut techinfo).await;
    let ctx = state.ctx();
    let holder = api::own_full_name(&ctx, &page.acting, &issued)
        .await?
        .unwrap_or_else(|| cert.holder.masked_name.clone());
    let superseded_by = api::superseded_by(&ctx, &issued).await?;
    Ok(render(&Print {
        chrome: page.chrome(
            &format!("继续教育证书 {}", issued.row.number),
            "/me/certificate",
        ),
        number: issued.row.number.clone(),
        holder,
        masked_id: cert.holder.masked_id.clone(),
        issued_on: cert.issued_on.to_string(),
        issuer_name,
        revoked: issued.revocation.as_ref().map(|r| r.revoked_on.to_string()),
        superseded_by,
        years,
        verify_url,
        qr,
        techinfo,
    }))
}

#[derive(Template)]
#[template(path = "certificate/mine.html")]
struct Mine {
    chrome: Chrome,
    person_id: i64,
    certificates: Vec<api::CertificateView>,
}

/// A professional's certificates, newest first, and the button to issue one as of today.
pub async fn mine(State(state): State<AppState>, page: Page) -> Result<Response, PageError> {
    let person_id = page
        .acting
        .account
        .person_id
        .ok_or_else(|| ApiError::forbidden("auth.role", "只有专业技术人员有“我的证书”页面"))?;
    let mut certificates =
        api::of_person(&state.ctx(), &state.public_url, &page.acting, person_id).await?;
    certificates.reverse();
    Ok(render(&Mine {
        chrome: page.chrome("我的证书", "/me/certificate"),
        person_id,
        certificates,
    }))
}

#[derive(Template)]
#[template(path = "certificate/check.html")]
struct Check {
    /// The checklist, or why there is none.
    list: Option<Checklist>,
    problem: Option<String>,
    /// Where the credential came from: a number (QR code) or a pasted file.
    pasted: bool,
}

/// The public verification page of a certificate (from its QR code).
pub async fn verify_number(
    State(state): State<AppState>,
    _lookup: PublicLookup,
    ApiPath(number): ApiPath<String>,
) -> Result<Response, PageError> {
    let page = match api::check_number(&state.ctx(), &state.issuing(), &number).await {
        Ok(list) => Check {
            list: Some(list),
            problem: None,
            pasted: false,
        },
        Err(e) if e.kind == xueshi_app::Kind::NotFound => Check {
            list: None,
            problem: Some(
                "本系统没有签发该编号的继续教育证书：证书可能是伪造的，或编号有误。".to_owned(),
            ),
            pasted: false,
        },
        Err(e) => return Err(ApiError::from(e).into()),
    };
    let mut res = render(&page);
    if page.list.is_none() {
        *res.status_mut() = axum::http::StatusCode::NOT_FOUND;
    }
    Ok(res)
}

#[derive(Template)]
#[template(path = "certificate/verify.html")]
struct VerifyForm {
    /// The number as typed, kept in the box when it is refused.
    number: String,
    problem: Option<String>,
}

/// The longest certificate number accepted from the box (`XS2026-XXXX-XXXX-XXXX-XXXX` is 26).
const MAX_NUMBER: usize = 40;

/// A certificate number as typed from paper: spaces dropped, letters made capitals, dashes of
/// a Chinese input method read as `-`. `None` when anything else is in it.
fn typed_number(typed: &str) -> Option<String> {
    let n: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '－' | '—' | '–' | '‐' => '-',
            c => c.to_ascii_uppercase(),
        })
        .collect();
    let shape = !n.is_empty()
        && n.len() <= MAX_NUMBER
        && n.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    shape.then_some(n)
}

/// The form to type a certificate's number, or paste or upload its credential. With a typed
/// `number` it leads to that number's public page (`/v/{number}`, where look-ups are counted).
pub async fn verify_form(RawQuery(query): RawQuery) -> Response {
    let typed = query
        .as_deref()
        .and_then(|q| form_field(q.as_bytes(), "number"));
    let Some(typed) = typed.filter(|t| !t.trim().is_empty()) else {
        return render(&VerifyForm {
            number: String::new(),
            problem: None,
        });
    };
    match typed_number(&typed) {
        Some(n) => Redirect::to(&format!("/v/{n}")).into_response(),
        None => {
            let mut res = render(&VerifyForm {
                number: typed.chars().take(MAX_NUMBER).collect(),
                problem: Some(
                    "证书编号只含字母、数字和连字符，如 XS2026-ABCD-EFGH-JKMN-PQRS，请对照纸质证书重新输入。"
                        .to_owned(),
                ),
            });
            *res.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            res
        }
    }
}

/// The checklist of a pasted (`credential=` form field) or uploaded (multipart file) credential.
pub async fn verify_posted(
    State(state): State<AppState>,
    _lookup: PublicLookup,
    headers: HeaderMap,
    ApiBytes(body): ApiBytes<MAX_UPLOAD>,
) -> Result<Response, PageError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let text = if content_type.starts_with("multipart/form-data") {
        multipart_text(content_type, &body)
    } else {
        form_field(&body, "credential")
    };
    let parsed = match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(api::check_text(&state.ctx(), &state.issuing(), t).await?),
        None => None,
    };
    let page = match parsed {
        None => Check {
            list: None,
            problem: Some("请粘贴或上传证书凭证（JSON 文件）。".to_owned()),
            pasted: true,
        },
        Some(None) => Check {
            list: None,
            problem: Some("所提交的内容不是有效的 JSON，不是本系统的证书凭证。".to_owned()),
            pasted: true,
        },
        Some(Some(list)) => Check {
            list: Some(list),
            problem: None,
            pasted: true,
        },
    };
    Ok(render(&page))
}

/// A field of an `application/x-www-form-urlencoded` body.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    body.split(|b| *b == b'&').find_map(|pair| {
        let (key, value) = match pair.iter().position(|b| *b == b'=') {
            Some(i) => (pair.get(..i)?, pair.get(i + 1..)?),
            None => (pair, &[][..]),
        };
        (percent_decode(key)? == name).then(|| percent_decode(value))?
    })
}

fn percent_decode(bytes: &[u8]) -> Option<String> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            _ => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The first non-empty part of a `multipart/form-data` body (the uploaded file, or the pasted
/// text when no file was chosen).
fn multipart_text(content_type: &str, body: &[u8]) -> Option<String> {
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))?
        .trim_matches('"');
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    text.split(delimiter.as_str())
        .filter_map(|part| {
            let (_, content) = part.split_once("\r\n\r\n")?;
            let content = content.strip_suffix("\r\n").unwrap_or(content);
            (!content.trim().is_empty()).then(|| content.to_owned())
        })
        .next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pasted_and_uploaded_credentials_are_read() {
        assert_eq!(
            form_field(b"x=1&credential=%7B%22a%22%3A+1%7D", "credential").as_deref(),
            Some("{\"a\": 1}")
        );
        assert_eq!(form_field(b"x=1", "credential"), None);
        let body =
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"c.json\"\r\n\
                     Content-Type: application/json\r\n\r\n{\"a\":1}\r\n--XyZ--\r\n";
        assert_eq!(
            multipart_text("multipart/form-data; boundary=XyZ", body).as_deref(),
            Some("{\"a\":1}")
        );
    }
}
