//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 signatures, and transparency
//! log checkpoints (<https://c2sp.org/tlog-checkpoint>) carried in them.
//!
//! A signed note is a text ending in a newline, a blank line, then signature lines
//! `— <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>`, the dash being U+2014.
//! The key ID is the first 4 bytes of `SHA-256(key name || 0x0A || 0x01 || public key)`, and a
//! verifier key is written `<name>+<8 hex digits of the key ID>+<base64(0x01 || public key)>`.
//!
//! What it does: sign a text with one key (`Signer`, from a caller-supplied 32-byte seed); check
//! a note against one trusted key (`Verifier`): the whole note must be well formed, every
//! signature line by the trusted key (name and key ID both matching) must verify, at least one
//! must exist, and signatures by other keys are ignored as the spec requires; parse and format
//! checkpoint bodies.
//!
//! What it does not do: generate keys or randomness, keep key files, read a clock, fetch notes,
//! or decide that a checkpoint's origin is the log you meant (compare [`Checkpoint::origin`]
//! yourself). It supports Ed25519 (signature type 0x01) only.
//!
//! Stricter than the Go reference (`golang.org/x/mod/sumdb/note`), on purpose: base64 must be
//! canonical; a key name may not contain control characters; two signature lines by the trusted
//! key are refused (Go checks the first and skips the rest); Ed25519 verification is the strict
//! variant (RFC 8032 with canonical `S`, and small-order `R` or public keys refused).

use std::fmt;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::base64;
use crate::merkle::Hash;

/// Signature type identifier of Ed25519 in signed notes.
pub const ALG_ED25519: u8 = 0x01;

/// Most signature lines a note may carry (the spec asks for at least 16 to be accepted).
pub const MAX_SIGNATURES: usize = 100;

/// Starts every signature line: EM DASH (U+2014) and a space.
const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Why a note, key or checkpoint was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoteError {
    /// A control character other than newline (below U+0020) in a note, text or name.
    ControlCharacter,
    /// The text to sign is empty or does not end with a newline.
    MissingNewline,
    /// No blank line separates the text from signature lines, or no signature line follows.
    NoSignatureBlock,
    /// A line of the signature block is not `— <name> <base64>` with at least 5 bytes.
    MalformedSignatureLine,
    /// A key name is empty or contains a Unicode space or `+`.
    InvalidKeyName,
    /// More than [`MAX_SIGNATURES`] signature lines.
    TooManySignatures,
    /// No signature line by the trusted key (name and key ID).
    NoMatchingSignature,
    /// A signature line by the trusted key does not verify.
    BadSignature,
    /// The trusted key signed more than once.
    DuplicateSignature,
    /// A verifier key is not `<name>+<8 hex digits>+<base64>`.
    MalformedVerifierKey,
    /// A verifier key's signature type is not Ed25519 (0x01).
    UnknownAlgorithm,
    /// A verifier key's key ID is not the one its name and public key give.
    KeyIdMismatch,
    /// The public key is not a usable Ed25519 point (not a point, or of small order).
    InvalidPublicKey,
    /// A checkpoint body is not at least three newline-terminated lines.
    CheckpointLines,
    /// A checkpoint's origin line is empty.
    CheckpointOrigin,
    /// A checkpoint's size is not a decimal number without leading zeros that fits in 64 bits.
    CheckpointSize,
    /// A checkpoint's root is not canonical base64 of 32 bytes.
    CheckpointRoot,
    /// A checkpoint extension line is empty or contains a newline.
    CheckpointExtension,
}

impl NoteError {
    /// Stable code for programs.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::ControlCharacter => "note.control_character",
            Self::MissingNewline => "note.missing_newline",
            Self::NoSignatureBlock => "note.no_signature_block",
            Self::MalformedSignatureLine => "note.malformed_signature_line",
            Self::InvalidKeyName => "note.invalid_key_name",
            Self::TooManySignatures => "note.too_many_signatures",
            Self::NoMatchingSignature => "note.no_matching_signature",
            Self::BadSignature => "note.bad_signature",
            Self::DuplicateSignature => "note.duplicate_signature",
            Self::MalformedVerifierKey => "note.malformed_verifier_key",
            Self::UnknownAlgorithm => "note.unknown_algorithm",
            Self::KeyIdMismatch => "note.key_id_mismatch",
            Self::InvalidPublicKey => "note.invalid_public_key",
            Self::CheckpointLines => "note.checkpoint_lines",
            Self::CheckpointOrigin => "note.checkpoint_origin",
            Self::CheckpointSize => "note.checkpoint_size",
            Self::CheckpointRoot => "note.checkpoint_root",
            Self::CheckpointExtension => "note.checkpoint_extension",
        }
    }
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ControlCharacter => {
                "含有换行以外的控制字符 / contains a control character other than newline"
            }
            Self::MissingNewline => "正文须以换行结尾 / text must end with a newline",
            Self::NoSignatureBlock => {
                "缺少空行及其后的签名行 / no blank line followed by signature lines"
            }
            Self::MalformedSignatureLine => "签名行格式错误 / malformed signature line",
            Self::InvalidKeyName => {
                "密钥名称为空或含空白、加号 / key name is empty or contains a space or plus"
            }
            Self::TooManySignatures => "签名行过多 / too many signature lines",
            Self::NoMatchingSignature => "没有受信任密钥的签名 / no signature by the trusted key",
            Self::BadSignature => "签名无效 / invalid signature",
            Self::DuplicateSignature => {
                "受信任密钥重复签名 / the trusted key signed more than once"
            }
            Self::MalformedVerifierKey => "验证密钥格式错误 / malformed verifier key",
            Self::UnknownAlgorithm => "不支持的签名算法 / unsupported signature algorithm",
            Self::KeyIdMismatch => "密钥标识与公钥不符 / key ID does not match the public key",
            Self::InvalidPublicKey => "公钥无效 / invalid public key",
            Self::CheckpointLines => {
                "检查点至少须有三行且以换行结尾 / checkpoint needs three newline-terminated lines"
            }
            Self::CheckpointOrigin => "检查点来源为空 / checkpoint origin is empty",
            Self::CheckpointSize => "检查点大小格式错误 / malformed checkpoint tree size",
            Self::CheckpointRoot => "检查点根哈希格式错误 / malformed checkpoint root hash",
            Self::CheckpointExtension => {
                "检查点扩展行为空或含换行 / empty or multi-line checkpoint extension"
            }
        })
    }
}

impl std::error::Error for NoteError {}

/// `SHA-256(name || 0x0A || 0x01 || public key)[..4]`: the Ed25519 key ID of a named key.
pub fn key_id(name: &str, public_key: &[u8; 32]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update([b'\n', ALG_ED25519])
        .chain_update(public_key)
        .finalize();
    let mut id = [0u8; 4];
    id.iter_mut().zip(digest.iter()).for_each(|(o, d)| *o = *d);
    id
}

/// Whether `c` is an ASCII control character other than newline (forbidden in notes).
fn is_forbidden_control(c: char) -> bool {
    c < ' ' && c != '\n'
}

/// Refuses control characters other than newline.
fn check_controls(text: &str) -> Result<(), NoteError> {
    if text.chars().any(is_forbidden_control) {
        return Err(NoteError::ControlCharacter);
    }
    Ok(())
}

/// A key name: non-empty, no Unicode space (which includes newline), no `+`, no control
/// character.
fn check_name(name: &str) -> Result<(), NoteError> {
    if name.is_empty()
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == '+' || c.is_control())
    {
        return Err(NoteError::InvalidKeyName);
    }
    Ok(())
}

/// `<name>+<hex key id>+<base64(0x01 || public key)>`.
fn format_vkey(name: &str, id: [u8; 4], public_key: &[u8; 32]) -> String {
    let mut key = Vec::with_capacity(33);
    key.push(ALG_ED25519);
    key.extend_from_slice(public_key);
    format!(
        "{name}+{:08x}+{}",
        u32::from_be_bytes(id),
        base64::encode(&key)
    )
}

/// Signs notes with one Ed25519 key under one name. The secret key is wiped on drop.
pub struct Signer {
    name: String,
    key_id: [u8; 4],
    key: SigningKey,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("name", &self.name)
            .field(
                "key_id",
                &format_args!("{:08x}", u32::from_be_bytes(self.key_id)),
            )
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer for the key derived (RFC 8032) from the 32-byte `seed`, named `name`.
    pub fn new(name: &str, seed: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        let key = SigningKey::from_bytes(seed);
        let key_id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            key_id,
            key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The verifier key string `<name>+<key id hex>+<base64(0x01 || public key)>`.
    pub fn verifier_key(&self) -> String {
        format_vkey(&self.name, self.key_id, &self.public_key())
    }

    /// The verifier of this signer's signatures.
    pub fn verifier(&self) -> Verifier {
        Verifier {
            name: self.name.clone(),
            key_id: self.key_id,
            key: self.key.verifying_key(),
        }
    }

    /// Signs `text`, which must end with a newline and hold no control character other than
    /// newline, and returns the signed note: the text, a blank line, one signature line.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        if !text.ends_with('\n') {
            return Err(NoteError::MissingNewline);
        }
        check_controls(text)?;
        let signature = self.key.sign(text.as_bytes()).to_bytes();
        let mut raw = Vec::with_capacity(4 + signature.len());
        raw.extend_from_slice(&self.key_id);
        raw.extend_from_slice(&signature);
        Ok(format!(
            "{text}\n{SIGNATURE_PREFIX}{} {}\n",
            self.name,
            base64::encode(&raw)
        ))
    }

    /// Signs the body of `checkpoint`.
    pub fn sign_checkpoint(&self, checkpoint: &Checkpoint) -> Result<String, NoteError> {
        self.sign_note(&checkpoint.to_body()?)
    }
}

/// Checks signatures of one trusted Ed25519 key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_id: [u8; 4],
    key: VerifyingKey,
}

impl Verifier {
    /// A verifier for the public key `public_key` named `name`.
    pub fn new(name: &str, public_key: &[u8; 32]) -> Result<Self, NoteError> {
        check_name(name)?;
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| NoteError::InvalidPublicKey)?;
        if key.is_weak() {
            return Err(NoteError::InvalidPublicKey);
        }
        Ok(Self {
            name: name.to_owned(),
            key_id: key_id(name, public_key),
            key,
        })
    }

    /// Parses a verifier key `<name>+<8 hex digits>+<base64(0x01 || 32-byte public key)>` and
    /// checks that the key ID is the one the name and key give.
    pub fn from_vkey(vkey: &str) -> Result<Self, NoteError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(id_hex), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(NoteError::MalformedVerifierKey);
        };
        check_name(name)?;
        if id_hex.len() != 8 || !id_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(NoteError::MalformedVerifierKey);
        }
        let id = u32::from_str_radix(id_hex, 16)
            .map_err(|_| NoteError::MalformedVerifierKey)?
            .to_be_bytes();
        let key = base64::decode(key64).ok_or(NoteError::MalformedVerifierKey)?;
        let (alg, public) = key.split_first().ok_or(NoteError::MalformedVerifierKey)?;
        if *alg != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm);
        }
        let public: &[u8; 32] = public
            .try_into()
            .map_err(|_| NoteError::MalformedVerifierKey)?;
        let verifier = Self::new(name, public)?;
        if verifier.key_id != id {
            return Err(NoteError::KeyIdMismatch);
        }
        Ok(verifier)
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The verifier key string, as accepted by [`Verifier::from_vkey`].
    pub fn to_vkey(&self) -> String {
        format_vkey(&self.name, self.key_id, self.key.as_bytes())
    }
}

/// Checks the signed note `note` against the trusted key of `verifier` and returns its text
/// (which ends with a newline and excludes the separating blank line).
///
/// Refused: control characters other than newline; no blank line followed by signature lines;
/// any malformed signature line (wrong prefix, bad key name, non-canonical base64, fewer than 5
/// bytes); more than [`MAX_SIGNATURES`] lines; a line by the trusted key (name and key ID) that
/// does not verify or repeats; no line by the trusted key. Lines by other keys are ignored.
pub fn verify_note<'a>(note: &'a str, verifier: &Verifier) -> Result<&'a str, NoteError> {
    check_controls(note)?;
    // The text is separated from the signatures by the last blank line.
    let split = note.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let (text, signatures) = (
        note.get(..split + 1).ok_or(NoteError::NoSignatureBlock)?,
        note.get(split + 2..).ok_or(NoteError::NoSignatureBlock)?,
    );
    if signatures.is_empty() || !signatures.ends_with('\n') {
        return Err(NoteError::NoSignatureBlock);
    }
    let mut verified = false;
    for (count, line) in signatures.split_terminator('\n').enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::TooManySignatures);
        }
        let rest = line
            .strip_prefix(SIGNATURE_PREFIX)
            .ok_or(NoteError::MalformedSignatureLine)?;
        let (name, sig64) = rest
            .split_once(' ')
            .ok_or(NoteError::MalformedSignatureLine)?;
        check_name(name).map_err(|_| NoteError::MalformedSignatureLine)?;
        let raw = base64::decode(sig64).ok_or(NoteError::MalformedSignatureLine)?;
        if raw.len() < 5 {
            return Err(NoteError::MalformedSignatureLine);
        }
        let (id, signature) = raw.split_at(4);
        if name != verifier.name || id != verifier.key_id {
            continue; // Another key: the spec says to ignore it.
        }
        if verified {
            return Err(NoteError::DuplicateSignature);
        }
        let signature = Signature::from_slice(signature).map_err(|_| NoteError::BadSignature)?;
        verifier
            .key
            .verify_strict(text.as_bytes(), &signature)
            .map_err(|_| NoteError::BadSignature)?;
        verified = true;
    }
    if verified {
        Ok(text)
    } else {
        Err(NoteError::NoMatchingSignature)
    }
}

/// Checks a signed checkpoint against `verifier` and parses its body. Does not compare the
/// origin with anything: that is the caller's decision.
pub fn verify_checkpoint(note: &str, verifier: &Verifier) -> Result<Checkpoint, NoteError> {
    Checkpoint::parse(verify_note(note, verifier)?)
}

/// A transparency log checkpoint: the origin (log identity), the tree size and the RFC 6962 root
/// hash at that size, and optional opaque extension lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// Identity of the log; non-empty, one line.
    pub origin: String,
    /// Number of leaves.
    pub size: u64,
    /// Merkle tree root at `size`.
    pub root: Hash,
    /// Opaque extension lines, each non-empty (the spec recommends none).
    pub extensions: Vec<String>,
}

impl Checkpoint {
    /// A checkpoint without extension lines.
    pub fn new(origin: impl Into<String>, size: u64, root: Hash) -> Self {
        Self {
            origin: origin.into(),
            size,
            root,
            extensions: Vec::new(),
        }
    }

    /// The note text `<origin>\n<size>\n<base64 root>\n` followed by the extension lines.
    /// Refuses an empty or multi-line origin or extension, and control characters.
    pub fn to_body(&self) -> Result<String, NoteError> {
        if self.origin.is_empty() || self.origin.contains('\n') {
            return Err(NoteError::CheckpointOrigin);
        }
        check_controls(&self.origin)?;
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            base64::encode(&self.root)
        );
        for line in &self.extensions {
            if line.is_empty() || line.contains('\n') {
                return Err(NoteError::CheckpointExtension);
            }
            check_controls(line)?;
            body.push_str(line);
            body.push('\n');
        }
        Ok(body)
    }

    /// Parses a checkpoint body (a verified note text): at least three non-empty lines, each
    /// ending with a newline; a decimal size with no leading zeros; a base64 32-byte root.
    pub fn parse(body: &str) -> Result<Self, NoteError> {
        check_controls(body)?;
        let lines = body.strip_suffix('\n').ok_or(NoteError::CheckpointLines)?;
        let mut lines = lines.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(NoteError::CheckpointLines);
        };
        if origin.is_empty() {
            return Err(NoteError::CheckpointOrigin);
        }
        let size = parse_size(size)?;
        let root: Hash = base64::decode(root)
            .and_then(|r| r.try_into().ok())
            .ok_or(NoteError::CheckpointRoot)?;
        let extensions = lines
            .map(|line| {
                if line.is_empty() {
                    Err(NoteError::CheckpointExtension)
                } else {
                    Ok(line.to_owned())
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }
}

/// ASCII decimal, no sign, no leading zeros except `0` itself, at most `u64::MAX`.
fn parse_size(text: &str) -> Result<u64, NoteError> {
    if text.is_empty()
        || !text.bytes().all(|b| b.is_ascii_digit())
        || (text.len() > 1 && text.starts_with('0'))
    {
        return Err(NoteError::CheckpointSize);
    }
    text.parse().map_err(|_| NoteError::CheckpointSize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new("example.com/log", &[7u8; 32]).unwrap()
    }

    #[test]
    fn round_trip() {
        let s = signer();
        let text = "hello\n\nworld\n";
        let note = s.sign_note(text).unwrap();
        assert!(note.starts_with("hello\n\nworld\n\n\u{2014} example.com/log "));
        assert_eq!(verify_note(&note, &s.verifier()), Ok(text));
        let v = Verifier::from_vkey(&s.verifier_key()).unwrap();
        assert_eq!(v, s.verifier());
        assert_eq!(v.to_vkey(), s.verifier_key());
    }

    #[test]
    fn sign_note_refuses_bad_text() {
        let s = signer();
        assert_eq!(s.sign_note(""), Err(NoteError::MissingNewline));
        assert_eq!(s.sign_note("abc"), Err(NoteError::MissingNewline));
        assert_eq!(s.sign_note("a\tb\n"), Err(NoteError::ControlCharacter));
        assert_eq!(s.sign_note("a\rb\n"), Err(NoteError::ControlCharacter));
    }

    #[test]
    fn names_are_checked() {
        for bad in [
            "",
            "a b",
            "a+b",
            "a\nb",
            "a\u{3000}b",
            "a\u{a0}b",
            "a\u{1}b",
        ] {
            assert_eq!(
                Signer::new(bad, &[1; 32]).map(|_| ()),
                Err(NoteError::InvalidKeyName),
                "{bad:?}"
            );
        }
        assert!(Signer::new("学时.example/日志", &[1; 32]).is_ok());
    }

    #[test]
    fn weak_public_keys_are_refused() {
        // The identity point (y = 1) has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        assert_eq!(
            Verifier::new("k", &identity),
            Err(NoteError::InvalidPublicKey)
        );
    }

    #[test]
    fn checkpoint_body_round_trip() {
        let mut c = Checkpoint::new("example.com/log", 20852163, [9u8; 32]);
        let body = c.to_body().unwrap();
        assert_eq!(
            body,
            "example.com/log\n20852163\nCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=\n"
        );
        assert_eq!(Checkpoint::parse(&body), Ok(c.clone()));
        c.extensions = vec!["ext one".into(), "— two".into()];
        let body = c.to_body().unwrap();
        assert_eq!(Checkpoint::parse(&body), Ok(c));
    }

    #[test]
    fn checkpoint_parse_refusals() {
        let root = "CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJCQk=";
        let ok = format!("o\n5\n{root}\n");
        assert!(Checkpoint::parse(&ok).is_ok());
        let cases = [
            (format!("o\n5\n{root}"), NoteError::CheckpointLines),
            ("o\n5\n".to_owned(), NoteError::CheckpointLines),
            (format!("\n5\n{root}\n"), NoteError::CheckpointOrigin),
            (format!("o\n05\n{root}\n"), NoteError::CheckpointSize),
            (format!("o\n+5\n{root}\n"), NoteError::CheckpointSize),
            (format!("o\n-5\n{root}\n"), NoteError::CheckpointSize),
            (format!("o\n5 \n{root}\n"), NoteError::CheckpointSize),
            (format!("o\n\n{root}\n"), NoteError::CheckpointSize),
            (
                format!("o\n18446744073709551616\n{root}\n"),
                NoteError::CheckpointSize,
            ),
            ("o\n5\nCQkJ\n".to_owned(), NoteError::CheckpointRoot),
            (format!("o\n5\n{root}x\n"), NoteError::CheckpointRoot),
            (format!("o\n5\n{root}\n\n"), NoteError::CheckpointExtension),
            (
                format!("o\n5\n{root}\na\n\nb\n"),
                NoteError::CheckpointExtension,
            ),
            (format!("o\r\n5\n{root}\n"), NoteError::ControlCharacter),
        ];
        for (body, want) in cases {
            assert_eq!(Checkpoint::parse(&body), Err(want), "{body:?}");
        }
        assert_eq!(
            Checkpoint::parse(&format!("o\n0\n{root}\n")).map(|c| c.size),
            Ok(0)
        );
        assert_eq!(
            Checkpoint::parse(&format!("o\n18446744073709551615\n{root}\n")).map(|c| c.size),
            Ok(u64::MAX)
        );
    }

    #[test]
    fn checkpoint_to_body_refusals() {
        let mut c = Checkpoint::new("", 1, [0; 32]);
        assert_eq!(c.to_body(), Err(NoteError::CheckpointOrigin));
        c.origin = "a\nb".into();
        assert_eq!(c.to_body(), Err(NoteError::CheckpointOrigin));
        c.origin = "a\u{1b}b".into();
        assert_eq!(c.to_body(), Err(NoteError::ControlCharacter));
        c.origin = "o".into();
        c.extensions = vec![String::new()];
        assert_eq!(c.to_body(), Err(NoteError::CheckpointExtension));
        c.extensions = vec!["x\ny".into()];
        assert_eq!(c.to_body(), Err(NoteError::CheckpointExtension));
    }

    #[test]
    fn error_codes_are_distinct_and_messages_bilingual() {
        use NoteError::*;
        let all = [
            ControlCharacter,
            MissingNewline,
            NoSignatureBlock,
            MalformedSignatureLine,
            InvalidKeyName,
            TooManySignatures,
            NoMatchingSignature,
            BadSignature,
            DuplicateSignature,
            MalformedVerifierKey,
            UnknownAlgorithm,
            KeyIdMismatch,
            InvalidPublicKey,
            CheckpointLines,
            CheckpointOrigin,
            CheckpointSize,
            CheckpointRoot,
            CheckpointExtension,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(NoteError::code).collect();
        assert_eq!(codes.len(), all.len());
        for e in all {
            let text = e.to_string();
            assert!(text.contains(" / ") && !text.is_ascii(), "{text}");
            assert!(e.code().starts_with("note."));
        }
    }
}
