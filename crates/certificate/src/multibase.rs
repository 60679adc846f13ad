//! The two multibase encodings credentials use: base58btc (`z…`: proof values, `did:key`) and
//! base64url without padding (`u…`: Bitstring Status Lists). Small enough to read whole; no
//! crate needed.

const B58: &[u8; 58] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Base58 (Bitcoin alphabet) of `bytes`, leading zero bytes as `1`s.
pub fn base58_encode(bytes: &[u8]) -> String {
    let zeros = bytes.iter().take_while(|b| **b == 0).count();
    // Base-58 digits, least significant first.
    let mut digits: Vec<u8> = Vec::with_capacity(bytes.len() * 138 / 100 + 1);
    for &byte in bytes.iter().skip(zeros) {
        let mut carry = u32::from(byte);
        for d in &mut digits {
            carry += u32::from(*d) << 8;
            *d = (carry % 58) as u8;
            carry /= 58;
        }
        while carry > 0 {
            digits.push((carry % 58) as u8);
            carry /= 58;
        }
    }
    let mut out = String::with_capacity(zeros + digits.len());
    out.extend(std::iter::repeat_n('1', zeros));
    for d in digits.iter().rev() {
        out.push(char::from(
            B58.get(usize::from(*d)).copied().unwrap_or(b'1'),
        ));
    }
    out
}

/// The bytes of base58 `text`, or `None` if a character is outside the alphabet.
pub fn base58_decode(text: &str) -> Option<Vec<u8>> {
    let zeros = text.bytes().take_while(|c| *c == b'1').count();
    // Bytes, least significant first.
    let mut bytes: Vec<u8> = Vec::with_capacity(text.len());
    for c in text.bytes().skip(zeros) {
        let mut carry = u32::try_from(B58.iter().position(|a| *a == c)?).ok()?;
        for b in &mut bytes {
            carry += u32::from(*b) * 58;
            *b = (carry & 0xff) as u8;
            carry >>= 8;
        }
        while carry > 0 {
            bytes.push((carry & 0xff) as u8);
            carry >>= 8;
        }
    }
    let mut out = vec![0u8; zeros];
    out.extend(bytes.iter().rev());
    Some(out)
}

/// Multibase base58btc: `z` + base58.
pub fn encode_z(bytes: &[u8]) -> String {
    format!("z{}", base58_encode(bytes))
}

/// The bytes of a multibase base58btc string (`z…`).
pub fn decode_z(text: &str) -> Option<Vec<u8>> {
    base58_decode(text.strip_prefix('z')?)
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding (RFC 4648 §5).
pub fn b64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    let sym = |i: u32| char::from(B64URL.get((i & 63) as usize).copied().unwrap_or(b'A'));
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        out.push(sym(n >> 18));
        out.push(sym(n >> 12));
        if chunk.len() > 1 {
            out.push(sym(n >> 6));
        }
        if chunk.len() > 2 {
            out.push(sym(n));
        }
    }
    out
}

/// The bytes of unpadded base64url, or `None`. Leftover bits must be zero, so each byte
/// string has exactly one encoding (a token or proof cannot be respelled).
pub fn unb64url(text: &str) -> Option<Vec<u8>> {
    let mut bits: u32 = 0;
    let mut nbits = 0u32;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.bytes() {
        let v = B64URL.iter().position(|&s| s == c)?;
        bits = (bits << 6) | u32::try_from(v).ok()?;
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push(u8::try_from((bits >> nbits) & 0xff).ok()?);
        }
    }
    if bits & ((1 << nbits) - 1) != 0 {
        return None;
    }
    Some(out)
}

/// Multibase base64url without padding: `u` + base64url.
pub fn encode_u(bytes: &[u8]) -> String {
    format!("u{}", b64url(bytes))
}

/// The bytes of a multibase base64url string (`u…`, unpadded), or `None`.
pub fn decode_u(text: &str) -> Option<Vec<u8>> {
    unb64url(text.strip_prefix('u')?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;

    #[test]
    fn base58_matches_known_values_and_round_trips() {
        assert_eq!(base58_encode(b"Hello World!"), "2NEpo7TZRRrLZSi2U");
        assert_eq!(base58_encode(&[0, 0, 1]), "112");
        assert_eq!(base58_decode("2NEpo7TZRRrLZSi2U").unwrap(), b"Hello World!");
        assert_eq!(base58_decode("112").unwrap(), vec![0, 0, 1]);
        assert!(base58_decode("0OIl").is_none());
        for n in 0..200u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(decode_z(&encode_z(&bytes)).unwrap(), bytes);
        }
    }

    #[test]
    fn base64url_round_trips_without_padding() {
        assert_eq!(encode_u(b"f"), "uZg");
        assert_eq!(encode_u(b"fo"), "uZm8");
        assert_eq!(encode_u(b"foo"), "uZm9v");
        assert_eq!(encode_u(&[0xfb, 0xff]), "u-_8");
        for n in 0..100u8 {
            let bytes: Vec<u8> = (0..n).map(|i| i.wrapping_mul(91)).collect();
            assert_eq!(decode_u(&encode_u(&bytes)).unwrap(), bytes);
        }
        assert!(decode_u("uZ").is_none());
        assert!(decode_u("Zm9v").is_none());
    }
}
