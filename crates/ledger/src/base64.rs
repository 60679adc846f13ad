//! Standard base64 (RFC 4648 §4: alphabet `A-Z a-z 0-9 + /`, `=` padding), as used by C2SP
//! signed notes and checkpoints.
//!
//! Decoding is strict so that every byte string has exactly one accepted text: padding is
//! required, nothing but the 64 symbols and final padding is accepted (no whitespace, no
//! line breaks, no URL-safe alphabet), and the unused low bits of the last symbol must be zero.
//! It does not stream, and it is not constant time (it only ever handles public data: keys,
//! signatures, root hashes).

/// The symbol for a 6-bit value.
fn symbol(v: u8) -> char {
    char::from(match v & 0x3f {
        v @ 0..=25 => b'A' + v,
        v @ 26..=51 => b'a' + (v - 26),
        v @ 52..=61 => b'0' + (v - 52),
        62 => b'+',
        _ => b'/',
    })
}

/// The 6-bit value of a symbol, or `None` for anything else (including `=`).
fn value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Encodes `data` as padded standard base64.
pub fn encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        match *chunk {
            [a, b, c] => {
                out.push(symbol(a >> 2));
                out.push(symbol((a << 4) | (b >> 4)));
                out.push(symbol((b << 2) | (c >> 6)));
                out.push(symbol(c));
            }
            [a, b] => {
                out.push(symbol(a >> 2));
                out.push(symbol((a << 4) | (b >> 4)));
                out.push(symbol(b << 2));
                out.push('=');
            }
            [a] => {
                out.push(symbol(a >> 2));
                out.push(symbol(a << 4));
                out.push_str("==");
            }
            _ => {}
        }
    }
    out
}

/// Decodes canonical padded standard base64; `None` for any other text.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut chunks = bytes.chunks_exact(4).peekable();
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        match *chunk {
            [a, b, b'=', b'='] if last => {
                let (a, b) = (value(a)?, value(b)?);
                if b & 0x0f != 0 {
                    return None;
                }
                out.push((a << 2) | (b >> 4));
            }
            [a, b, c, b'='] if last => {
                let (a, b, c) = (value(a)?, value(b)?, value(c)?);
                if c & 0x03 != 0 {
                    return None;
                }
                out.push((a << 2) | (b >> 4));
                out.push((b << 4) | (c >> 2));
            }
            [a, b, c, d] => {
                let (a, b, c, d) = (value(a)?, value(b)?, value(c)?, value(d)?);
                out.push((a << 2) | (b >> 4));
                out.push((b << 4) | (c >> 2));
                out.push((c << 6) | d);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rfc4648_vectors() {
        // RFC 4648 §10.
        let cases = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, coded) in cases {
            assert_eq!(encode(plain.as_bytes()), coded);
            assert_eq!(decode(coded).as_deref(), Some(plain.as_bytes()));
        }
        assert_eq!(encode(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert_eq!(decode("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
    }

    #[test]
    fn refuses_non_canonical_text() {
        for bad in [
            "Zg",
            "Zg=",
            "Zm9",
            "Zh==",
            "Zm9=",
            "Zg==Zg==",
            "Zm=v",
            "=Zm9",
            "Z===",
            "Zm 9v",
            "Zm9v\n",
            "Zm-_",
            "Zm9v====",
            "====",
            "Zm9vYg=\u{3d}=",
            "Zm9\u{e9}",
        ] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn round_trip(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            let text = encode(&data);
            prop_assert_eq!(text.len(), data.len().div_ceil(3) * 4);
            prop_assert_eq!(decode(&text), Some(data));
        }

        #[test]
        fn decode_accepts_only_what_encode_produces(text in "[A-Za-z0-9+/=]{0,16}") {
            if let Some(data) = decode(&text) {
                prop_assert_eq!(encode(&data), text);
            }
        }
    }
}
