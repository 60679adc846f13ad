//! Bitstring Status List v1.0 (W3C): revocation as one bit per issued credential. The list is
//! GZIP-compressed and multibase base64url-encoded (`u…`); index 0 is the most significant bit
//! of the first byte; a list has at least 131,072 bits (16 KiB), so that one bit set says
//! little about which credential it is (the spec's herd privacy).

use std::io::{Read as _, Write as _};

use serde_json::{Value, json};

use crate::multibase;

/// The minimum (and our fixed) length of a list in bits.
pub const MIN_BITS: usize = 131_072;

/// A list of revocation bits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bitstring {
    bytes: Vec<u8>,
}

impl Default for Bitstring {
    fn default() -> Self {
        Self::new(MIN_BITS)
    }
}

/// Why an encoded list cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusError {
    /// Not multibase base64url.
    Encoding,
    /// Not GZIP, or truncated.
    Compression,
    /// Shorter than [`MIN_BITS`].
    TooShort,
}

impl std::fmt::Display for StatusError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Encoding => "状态列表不是 multibase base64url 编码",
            Self::Compression => "状态列表不是有效的 GZIP 数据",
            Self::TooShort => "状态列表短于 131072 位",
        })
    }
}

impl std::error::Error for StatusError {}

impl Bitstring {
    /// All bits clear, at least [`MIN_BITS`] long (rounded up to whole bytes).
    pub fn new(bits: usize) -> Self {
        Self {
            bytes: vec![0; bits.max(MIN_BITS).div_ceil(8)],
        }
    }

    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Sets bit `index`; `false` when it is beyond the list.
    pub fn set(&mut self, index: usize) -> bool {
        match self.bytes.get_mut(index / 8) {
            Some(b) => {
                *b |= 0x80 >> (index % 8);
                true
            }
            None => false,
        }
    }

    /// Bit `index` (`false` beyond the list).
    pub fn get(&self, index: usize) -> bool {
        self.bytes
            .get(index / 8)
            .is_some_and(|b| b & (0x80 >> (index % 8)) != 0)
    }

    /// `encodedList`: multibase base64url of the GZIP of the bits.
    pub fn encode(&self) -> String {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        // Writing into a Vec cannot fail.
        let compressed = gz
            .write_all(&self.bytes)
            .and_then(|()| gz.finish())
            .unwrap_or_default();
        multibase::encode_u(&compressed)
    }

    /// Reads an `encodedList`.
    pub fn decode(encoded: &str) -> Result<Self, StatusError> {
        let compressed = multibase::decode_u(encoded).ok_or(StatusError::Encoding)?;
        let mut bytes = Vec::new();
        // A 16 KiB list inflates from a few dozen bytes: cap what a hostile list can inflate to.
        flate2::read::GzDecoder::new(compressed.as_slice())
            .take(64 * 1024 * 1024)
            .read_to_end(&mut bytes)
            .map_err(|_| StatusError::Compression)?;
        if bytes.len() * 8 < MIN_BITS {
            return Err(StatusError::TooShort);
        }
        Ok(Self { bytes })
    }
}

/// Where a credential's revocation bit is: a list and an index in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRef {
    /// The URL of the `BitstringStatusListCredential`.
    pub list_url: String,
    pub index: u64,
}

impl StatusRef {
    /// The `credentialStatus` entry (`BitstringStatusListEntry`, purpose `revocation`).
    pub fn entry(&self) -> Value {
        json!({
            "id": format!("{}#{}", self.list_url, self.index),
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": self.index.to_string(),
            "statusListCredential": self.list_url,
        })
    }

    /// The status reference of a credential, if it has a revocation entry.
    pub fn of(credential: &Value) -> Option<Self> {
        let entries = match credential.get("credentialStatus")? {
            Value::Array(a) => a.iter().collect::<Vec<_>>(),
            single => vec![single],
        };
        entries.into_iter().find_map(|e| {
            (e.get("type")?.as_str()? == "BitstringStatusListEntry"
                && e.get("statusPurpose")?.as_str()? == "revocation")
                .then_some(())?;
            Some(Self {
                list_url: e.get("statusListCredential")?.as_str()?.to_owned(),
                index: e.get("statusListIndex")?.as_str()?.parse().ok()?,
            })
        })
    }
}

/// The unsigned `BitstringStatusListCredential` at `url` (sign it with the issuer key).
pub fn list_credential(url: &str, issuer_did: &str, valid_from: &str, bits: &Bitstring) -> Value {
    json!({
        "@context": [crate::credential::VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{url}#list"),
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": bits.encode(),
        }
    })
}

/// The bits of a `BitstringStatusListCredential` for revocation.
pub fn list_bits(list_credential: &Value) -> Result<Bitstring, StatusError> {
    let subject = list_credential.get("credentialSubject");
    let encoded = subject
        .and_then(|s| s.get("encodedList"))
        .and_then(Value::as_str)
        .ok_or(StatusError::Encoding)?;
    Bitstring::decode(encoded)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // test code: a panic is a failed test
    use super::*;

    #[test]
    fn a_list_round_trips_with_its_bits_in_spec_order() {
        let mut bits = Bitstring::default();
        assert_eq!(bits.len(), MIN_BITS);
        for i in [0, 7, 8, 94_567, MIN_BITS - 1] {
            assert!(bits.set(i));
        }
        assert!(!bits.set(MIN_BITS));
        let encoded = bits.encode();
        assert!(
            encoded.starts_with("uH4sI"),
            "multibase u + GZIP magic: {encoded}"
        );
        assert!(encoded.len() < 400, "a sparse list compresses well");
        let back = Bitstring::decode(&encoded).unwrap();
        assert_eq!(back, bits);
        assert!(
            back.get(0) && back.get(7) && back.get(94_567) && !back.get(1) && !back.get(94_566)
        );
        // Index 0 is the left-most (most significant) bit.
        assert_eq!(back.bytes.first(), Some(&0b1000_0001));
    }

    #[test]
    fn the_spec_example_list_decodes_as_all_clear() {
        // The example `encodedList` of Bitstring Status List v1.0 (§2.2): 16 KiB of zeros.
        let bits = Bitstring::decode(
            "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
        )
        .unwrap();
        assert_eq!(bits.len(), MIN_BITS);
        assert!((0..MIN_BITS).all(|i| !bits.get(i)));
    }

    #[test]
    fn short_or_malformed_lists_are_refused() {
        assert_eq!(Bitstring::decode("H4sI"), Err(StatusError::Encoding));
        assert_eq!(Bitstring::decode("uAAAA"), Err(StatusError::Compression));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&[0u8; 100]).unwrap();
        let short = multibase::encode_u(&gz.finish().unwrap());
        assert_eq!(Bitstring::decode(&short), Err(StatusError::TooShort));
    }

    #[test]
    fn a_status_entry_is_found_again_in_a_credential() {
        let s = StatusRef {
            list_url: "https://x.example/credentials/status/1".into(),
            index: 42,
        };
        let credential = json!({"credentialStatus": s.entry()});
        assert_eq!(StatusRef::of(&credential), Some(s));
    }
}
