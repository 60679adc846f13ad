//! Where to go after signing in (`/login?next=…`): only a path of this site. A browser resolving
//! a URL strips tabs and line breaks, treats `\` as `/`, and reads `//host` or `scheme:` as
//! another site — so `/%09/evil.example`, `/\evil.example` and the like lead elsewhere although
//! they start with one `/`. The rule here is stricter than any browser: no control character or
//! white space (ASCII or not), no backslash, no second `/` or `\` after the first, and the same again once percent-decoded (up
//! to three times), so no decoding by a later hop can turn it into another origin either. What
//! passes is a path-absolute reference: it has neither scheme nor authority, in any parser.
//!
//! `static/app.js` applies the same rule before following `data-then`.

/// How many rounds of percent-decoding are checked.
const DECODE_ROUNDS: usize = 3;

/// `next` (as the query gave it, decoded once) if it is a path of this site, else `None`.
pub fn local_path(next: &str) -> Option<&str> {
    if !plain(next) {
        return None;
    }
    let mut text = next.as_bytes().to_vec();
    for _ in 0..DECODE_ROUNDS {
        let decoded = percent_decode(&text);
        if decoded == text {
            break;
        }
        if !plain_decoded(&decoded) {
            return None;
        }
        text = decoded;
    }
    Some(next)
}

/// No control character, no white space (Unicode's, the ideographic space among it), none of
/// the characters a template or a browser treats specially, and a path starting with exactly
/// one `/`. Other non-ASCII characters (a Chinese query) are kept: in a path they are data.
fn plain(s: &str) -> bool {
    s.chars().all(|c| {
        !(c.is_control()
            || c.is_whitespace()
            || matches!(
                c,
                '\\' | '{' | '}' | '"' | '<' | '>' | '`' | '\u{feff}' | '\u{200b}'
            ))
    }) && one_leading_slash(s.as_bytes())
}

/// A decoded form: no control character, no white space, no backslash, one leading `/`.
fn plain_decoded(s: &[u8]) -> bool {
    s.iter()
        .all(|&b| !(b.is_ascii_control() || b.is_ascii_whitespace() || b == b'\\' || b == b' '))
        && one_leading_slash(s)
}

fn one_leading_slash(s: &[u8]) -> bool {
    matches!(s, [b'/', rest @ ..] if !matches!(rest.first(), Some(b'/' | b'\\')))
}

/// `%XX` → the byte; anything else (a lone `%` among it) as it is.
fn percent_decode(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        let hex = |k: usize| s.get(k).and_then(|&h| char::from(h).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                // Two hex digits are below 256.
                out.push(u8::try_from(h * 16 + l).unwrap_or(b'%'));
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// Every spelling of another origin found (tabs, line breaks, backslashes, encoded slashes,
    /// schemes, double encoding, Unicode look-alikes) is refused.
    const ELSEWHERE: &[&str] = &[
        "//evil.example",
        "//evil.example/x",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "\\/evil.example",
        "/\t/evil.example",
        "/%09/evil.example/x",
        "/%0a/evil.example",
        "/%0D/evil.example",
        "/%00/evil.example",
        "/ /evil.example",
        "/%20/evil.example",
        "%20//evil.example",
        " //evil.example",
        "/%5Cevil.example",
        "/%5cevil.example",
        "/%2F%2Fevil.example",
        "/%2f/evil.example",
        "/%252F%252Fevil.example",
        "/%25252F/evil.example",
        "https:evil.example",
        "https://evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "evil.example",
        "",
        "/\u{3000}/evil.example",
        "/x\ny",
        "/{login}",
    ];

    #[test]
    fn another_origin_is_refused_in_every_spelling() {
        for s in ELSEWHERE {
            assert_eq!(local_path(s), None, "{s:?}");
        }
    }

    #[test]
    fn paths_of_this_site_pass() {
        for s in [
            "/",
            "/me",
            "/persons/12/years/2026?tab=records",
            "/unit/staff?q=%E5%BC%A0",
            "/a/b//c",
            "/a%2Fb",
            "/unit/staff?q=张",
        ] {
            assert_eq!(local_path(s), Some(s), "{s:?}");
        }
    }

    /// What passes resolves, by the WHATWG URL parser browsers follow, to this origin.
    #[test]
    fn what_passes_stays_on_this_origin_for_a_browser() {
        let base = url::Url::parse("https://xueshi.example/login").unwrap();
        let pieces = [
            "/",
            "\\",
            "%2F",
            "%5C",
            "%09",
            "%25",
            ":",
            "@",
            "evil.example",
            "?",
            "#",
            ".",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("/{a}{b}{c}");
                    if local_path(&s).is_some() {
                        let u = base.join(&s).unwrap();
                        assert_eq!(u.origin(), base.origin(), "{s:?} → {u}");
                    }
                }
            }
        }
        for s in ELSEWHERE {
            if let Ok(u) = base.join(s)
                && u.origin() != base.origin()
            {
                assert_eq!(local_path(s), None);
            }
        }
    }
}
