//! The `eddsa-jcs-2022` Data Integrity proof (W3C Data Integrity EdDSA Cryptosuites v1.0,
//! §3.3): the proof configuration and the document are each canonicalised with JCS (RFC 8785)
//! and hashed with SHA-256; Ed25519 signs `SHA-256(proof config) ‖ SHA-256(document)`; the
//! signature is the multibase base58btc `proofValue`. The issuer is a `did:key` (multicodec
//! `0xed01` ‖ public key, base58btc), so a credential verifies offline from itself alone;
//! whether that key is one to trust is the caller's question ([`Verified::key`]).

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::multibase;

/// The multicodec prefix of an Ed25519 public key (`ed25519-pub`, varint 0xed).
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";
pub const PROOF_TYPE: &str = "DataIntegrityProof";

/// Why a proof does not verify (stable codes, Chinese messages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofError {
    /// The document is not a JSON object, or has no (single) proof.
    NoProof,
    /// The proof is not `DataIntegrityProof` / `eddsa-jcs-2022` for `assertionMethod`.
    Unsupported,
    /// The verification method is not a `did:key` of an Ed25519 key.
    Method,
    /// The proof's `@context` is not a prefix of the document's.
    Context,
    /// `proofValue` is not a multibase base58btc Ed25519 signature.
    Value,
    /// The signature does not match the document and proof configuration.
    Signature,
    /// The document could not be canonicalised (e.g. a number JCS cannot represent).
    Canonical,
}

impl ProofError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoProof => "proof.missing",
            Self::Unsupported => "proof.unsupported",
            Self::Method => "proof.method",
            Self::Context => "proof.context",
            Self::Value => "proof.value",
            Self::Signature => "proof.signature",
            Self::Canonical => "proof.canonical",
        }
    }
}

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::NoProof => "凭证不是 JSON 对象，或没有（唯一的）签名证明",
            Self::Unsupported => {
                "签名证明不是 eddsa-jcs-2022（DataIntegrityProof，assertionMethod）"
            }
            Self::Method => "签名方法不是 Ed25519 的 did:key",
            Self::Context => "签名证明的 @context 与凭证不一致",
            Self::Value => "签名值格式无效",
            Self::Signature => "签名与凭证内容不符：凭证被修改或非此密钥签发",
            Self::Canonical => "凭证无法规范化（JCS）",
        })
    }
}

impl std::error::Error for ProofError {}

/// An Ed25519 issuer key with its `did:key`. The secret is wiped on drop.
pub struct IssuerKey {
    key: SigningKey,
    did: String,
}

impl std::fmt::Debug for IssuerKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuerKey")
            .field("did", &self.did)
            .finish_non_exhaustive()
    }
}

impl IssuerKey {
    /// The key derived (RFC 8032) from a 32-byte seed.
    pub fn from_seed(seed: &[u8; 32]) -> Self {
        let key = SigningKey::from_bytes(seed);
        let did = did_key(&key.verifying_key().to_bytes());
        Self { key, did }
    }

    /// `did:key:z6Mk…`.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The verification method: `did:key:z…#z…`.
    pub fn verification_method(&self) -> String {
        verification_method(&self.did)
    }

    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// Adds an `eddsa-jcs-2022` proof created at `created` (an XML Schema dateTime, UTC) to
    /// `document`, which must be a JSON object without a proof.
    pub fn sign(&self, document: &mut Value, created: &str) -> Result<(), ProofError> {
        let Value::Object(doc) = document else {
            return Err(ProofError::NoProof);
        };
        if doc.contains_key("proof") {
            return Err(ProofError::Unsupported);
        }
        let mut config = Map::new();
        config.insert("type".into(), PROOF_TYPE.into());
        config.insert("cryptosuite".into(), CRYPTOSUITE.into());
        config.insert("created".into(), created.into());
        config.insert(
            "verificationMethod".into(),
            self.verification_method().into(),
        );
        config.insert("proofPurpose".into(), "assertionMethod".into());
        if let Some(context) = doc.get("@context") {
            config.insert("@context".into(), context.clone());
        }
        let hash = hash_data(&config, doc)?;
        let signature = self.key.sign(&hash).to_bytes();
        config.insert("proofValue".into(), multibase::encode_z(&signature).into());
        doc.insert("proof".into(), Value::Object(config));
        Ok(())
    }
}

/// `did:key` of an Ed25519 public key.
pub fn did_key(public_key: &[u8; 32]) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(public_key);
    format!("did:key:{}", multibase::encode_z(&bytes))
}

fn verification_method(did: &str) -> String {
    let fragment = did.strip_prefix("did:key:").unwrap_or(did);
    format!("{did}#{fragment}")
}

/// The Ed25519 public key of a `did:key` (with or without a `#fragment`, which must then be
/// the same key).
pub fn parse_did_key(text: &str) -> Option<[u8; 32]> {
    let (did, fragment) = match text.split_once('#') {
        Some((d, f)) => (d, Some(f)),
        None => (text, None),
    };
    let id = did.strip_prefix("did:key:")?;
    if fragment.is_some_and(|f| f != id) {
        return None;
    }
    let bytes = multibase::decode_z(id)?;
    let key = bytes.strip_prefix(ED25519_PUB.as_slice())?;
    key.try_into().ok()
}

/// JCS bytes of a JSON value.
pub fn jcs(value: &impl serde::Serialize) -> Result<Vec<u8>, ProofError> {
    serde_json_canonicalizer::to_vec(value).map_err(|_| ProofError::Canonical)
}

/// SHA-256 of the JCS of a JSON value: a credential's content hash, independent of how it
/// was formatted.
pub fn jcs_sha256(value: &impl serde::Serialize) -> Result<[u8; 32], ProofError> {
    Ok(Sha256::digest(jcs(value)?).into())
}

/// `SHA-256(JCS(proof config)) ‖ SHA-256(JCS(document))` (§3.3.4 Hashing).
fn hash_data(
    config: &Map<String, Value>,
    doc: &Map<String, Value>,
) -> Result<[u8; 64], ProofError> {
    let mut out = [0u8; 64];
    let (a, b) = out.split_at_mut(32);
    a.copy_from_slice(&jcs_sha256(config)?);
    b.copy_from_slice(&jcs_sha256(doc)?);
    Ok(out)
}

/// A proof that verified: the key that made it and when it says it was made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub key: [u8; 32],
    pub did: String,
    pub created: Option<String>,
}

/// Verifies the `eddsa-jcs-2022` proof of a secured document (§3.3.2 Verify Proof).
pub fn verify(document: &Value) -> Result<Verified, ProofError> {
    let Value::Object(secured) = document else {
        return Err(ProofError::NoProof);
    };
    let Some(Value::Object(proof)) = secured.get("proof") else {
        return Err(ProofError::NoProof);
    };
    let text = |k: &str| proof.get(k).and_then(Value::as_str);
    if text("type") != Some(PROOF_TYPE)
        || text("cryptosuite") != Some(CRYPTOSUITE)
        || text("proofPurpose") != Some("assertionMethod")
    {
        return Err(ProofError::Unsupported);
    }
    let method = text("verificationMethod").ok_or(ProofError::Method)?;
    let key = parse_did_key(method).ok_or(ProofError::Method)?;
    let signature = text("proofValue")
        .and_then(multibase::decode_z)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .ok_or(ProofError::Value)?;
    let mut doc = secured.clone();
    doc.remove("proof");
    let mut config = proof.clone();
    config.remove("proofValue");
    if let Some(context) = config.get("@context") {
        // The document's @context must start with the proof's, in order (§3.3.2 step 4).
        let (Some(Value::Array(proof_ctx)), Some(Value::Array(doc_ctx))) =
            (Some(context), doc.get("@context"))
        else {
            if doc.get("@context") != Some(context) {
                return Err(ProofError::Context);
            }
            return check(&config, &doc, key, &signature, method, text("created"));
        };
        if !doc_ctx.starts_with(proof_ctx) {
            return Err(ProofError::Context);
        }
        doc.insert("@context".into(), context.clone());
    }
    check(&config, &doc, key, &signature, method, text("created"))
}

fn check(
    config: &Map<String, Value>,
    doc: &Map<String, Value>,
    key: [u8; 32],
    signature: &[u8; 64],
    method: &str,
    created: Option<&str>,
) -> Result<Verified, ProofError> {
    let hash = hash_data(config, doc)?;
    let vk = VerifyingKey::from_bytes(&key).map_err(|_| ProofError::Method)?;
    if vk.is_weak() {
        return Err(ProofError::Method);
    }
    vk.verify_strict(&hash, &Signature::from_bytes(signature))
        .map_err(|_| ProofError::Signature)?;
    let did = method.split('#').next().unwrap_or(method).to_owned();
    Ok(Verified {
        key,
        did,
        created: created.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test code: a panic is a failed test
    use super::*;
    use serde_json::json;

    /// The test vector of the W3C Data Integrity EdDSA Cryptosuites v1.0, appendix A
    /// ("Representation: eddsa-jcs-2022": the key pair, the Alumni credential, the combined
    /// hashes and "signature of combined hashes base58-btc"): the hashes are the published
    /// ones, signing with the published secret gives the published `proofValue`, and the
    /// signed credential verifies.
    #[test]
    fn the_published_eddsa_jcs_2022_test_vector_verifies_and_reproduces() {
        let signed = json!({
          "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
          "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
          "type": ["VerifiableCredential", "AlumniCredential"],
          "name": "Alumni Credential",
          "description": "A minimum viable example of an Alumni Credential.",
          "issuer": "https://vc.example/issuers/5678",
          "validFrom": "2023-01-01T00:00:00Z",
          "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
          "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
            "proofPurpose": "assertionMethod",
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "proofValue": "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
          }
        });
        let public =
            multibase::decode_z("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2").unwrap();
        let secret =
            multibase::decode_z("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq").unwrap();
        // Multikey secret: 0x8026 (ed25519-priv) ‖ seed.
        assert_eq!(&secret[..2], &[0x80, 0x26]);
        let key = IssuerKey::from_seed(&secret[2..].try_into().unwrap());
        assert_eq!(key.public_key().as_slice(), &public[2..]);
        assert_eq!(
            key.did(),
            "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
        );
        let mut unsigned = signed.clone();
        unsigned.as_object_mut().unwrap().remove("proof");
        let mut again = unsigned.clone();
        key.sign(&mut again, "2023-02-24T23:36:38Z").unwrap();
        assert_eq!(
            jcs(&again["proof"]).unwrap(),
            jcs(&signed["proof"]).unwrap(),
            "the proof (and so its proofValue) is the published one"
        );
        let mut config = signed["proof"].as_object().unwrap().clone();
        config.remove("proofValue");
        let mut doc = unsigned.as_object().unwrap().clone();
        let hash = hash_data(&config, &doc).unwrap();
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db\
             59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19"
        );
        doc.insert("name".into(), "Forged".into());
        assert_ne!(hash_data(&config, &doc).unwrap(), hash);
        let v = verify(&signed).unwrap();
        assert_eq!(v.did, key.did());
    }

    #[test]
    fn did_key_round_trips_and_refuses_other_keys() {
        let key = IssuerKey::from_seed(&[7; 32]);
        assert!(key.did().starts_with("did:key:z6Mk"));
        assert_eq!(parse_did_key(key.did()), Some(key.public_key()));
        assert_eq!(
            parse_did_key(&key.verification_method()),
            Some(key.public_key())
        );
        let other = IssuerKey::from_seed(&[8; 32]);
        let mixed = format!(
            "{}#{}",
            key.did(),
            other.did().trim_start_matches("did:key:")
        );
        assert_eq!(parse_did_key(&mixed), None);
        assert_eq!(parse_did_key("did:web:example.com"), None);
    }
}
