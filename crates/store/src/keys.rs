//! Key material and the cryptography of personal data at rest: ID numbers are sealed with
//! ChaCha20-Poly1305 and found again through a keyed blind index (HMAC-SHA256), so the database
//! alone reveals neither. Also holds the seed of the ledger's checkpoint signing key. Keys live
//! in a key file beside the database (or wherever `--keys` says), never in the database itself:
//! whoever can rewrite the database must not also be able to re-sign the ledger.

use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Nonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::entries::hex;
use crate::error::StoreError;

/// The master secret and what is derived from it.
#[derive(Clone)]
pub struct Keys {
    master: [u8; 32],
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(…)")
    }
}

const KEY_FILE_HEADER: &str = "xueshi-keys-v1 ";

/// Hex (either case) to bytes; `None` if it is not hex. Byte-wise: `ledger verify` decodes a
/// leaf and a commitment per entry.
pub(crate) fn unhex(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() / 2);
    for pair in bytes.chunks_exact(2) {
        if let &[hi, lo] = pair {
            out.push(nibble(hi)? << 4 | nibble(lo)?);
        }
    }
    Some(out)
}

/// Fresh random bytes from the operating system.
pub fn random<const N: usize>() -> Result<[u8; N], StoreError> {
    let mut out = [0u8; N];
    getrandom::fill(&mut out)
        .map_err(|e| StoreError::Crypto(format!("no system randomness: {e}")))?;
    Ok(out)
}

impl Keys {
    /// Keys from a known master secret (tests, or a secret manager).
    pub fn from_master(master: [u8; 32]) -> Self {
        Self { master }
    }

    /// Fresh random keys.
    pub fn generate() -> Result<Self, StoreError> {
        Ok(Self { master: random()? })
    }

    /// Reads an existing key file; never creates one. For what only reads or checks (`ledger
    /// verify`): a fresh key would neither open the sealed data nor match the ledger's signatures,
    /// so a missing file is an error naming it (code `keys.missing`), and nothing is written.
    pub fn load(path: &Path) -> Result<Self, StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(StoreError::invalid(
                "keys.missing",
                format!(
                    "找不到密钥文件 {}：校验账本须使用创建该数据库时的密钥文件（可用 --keys 指定），不会新建密钥",
                    path.display()
                ),
            )),
            Err(e) => Err(StoreError::Crypto(format!("{}: {e}", path.display()))),
        }
    }

    fn parse(path: &Path, text: &str) -> Result<Self, StoreError> {
        let hexed = text.trim().strip_prefix(KEY_FILE_HEADER).ok_or_else(|| {
            StoreError::Crypto(format!("{}: 不是 xueshi 密钥文件", path.display()))
        })?;
        let bytes = unhex(hexed)
            .filter(|b| b.len() == 32)
            .ok_or_else(|| StoreError::Crypto(format!("{}: 密钥文件已损坏", path.display())))?;
        let mut master = [0u8; 32];
        master.copy_from_slice(&bytes);
        Ok(Self { master })
    }

    /// Reads the key file, creating it (mode 0600) with fresh keys if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, StoreError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let keys = Self::generate()?;
                write_private(path, &format!("{KEY_FILE_HEADER}{}\n", hex(&keys.master)))?;
                Ok(keys)
            }
            Err(e) => Err(StoreError::Crypto(format!("{}: {e}", path.display()))),
        }
    }

    /// A sub-key for one purpose, so that no two uses share a key.
    fn derive(&self, purpose: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"xueshi-kdf-v1\0");
        h.update(purpose.as_bytes());
        h.update([0]);
        h.update(self.master);
        h.finalize().into()
    }

    /// Seed of the Ed25519 key that signs ledger checkpoints.
    pub fn ledger_seed(&self) -> [u8; 32] {
        self.derive("ledger-checkpoint-ed25519")
    }

    /// Seed of the Ed25519 key (a `did:key`) that signs certificates and status lists. Apart
    /// from the ledger's: a credential's signature and a checkpoint's never share a key.
    pub fn credential_seed(&self) -> [u8; 32] {
        self.derive("credential-issuer-ed25519")
    }

    /// Keyed blind index of an identifier: equal inputs give equal outputs, nothing else leaks.
    pub fn blind_index(&self, kind: &str, value: &str) -> Vec<u8> {
        let key = self.derive("blind-index");
        // HMAC zero-pads a short key to the block size, so padding it ourselves changes nothing
        // and lets the infallible constructor take it.
        let block: [u8; 64] = std::array::from_fn(|i| key.get(i).copied().unwrap_or(0));
        let mut mac = <Hmac<Sha256> as KeyInit>::new(&block.into());
        mac.update(kind.as_bytes());
        mac.update(&[0]);
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// Seals a secret (an ID number, a phone number): nonce ‖ ciphertext ‖ tag. The `kind` is
    /// bound as associated data, so a sealed phone cannot pass for a sealed ID number.
    pub fn seal(&self, kind: &str, plaintext: &str) -> Result<Vec<u8>, StoreError> {
        let cipher = self.cipher()?;
        let nonce_bytes: [u8; 12] = random()?;
        let nonce = Nonce::from(nonce_bytes);
        let sealed = cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: kind.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Crypto("加密失败".to_owned()))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Keys::seal`] sealed.
    pub fn open(&self, kind: &str, sealed: &[u8]) -> Result<String, StoreError> {
        let (nonce, body) = sealed
            .split_at_checked(12)
            .ok_or_else(|| StoreError::Crypto("密文过短".to_owned()))?;
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| StoreError::Crypto("密文过短".to_owned()))?;
        let plain = self
            .cipher()?
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: body,
                    aad: kind.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Crypto("解密失败：密钥不符或数据被篡改".to_owned()))?;
        String::from_utf8(plain).map_err(|_| StoreError::Crypto("解密结果不是文本".to_owned()))
    }

    fn cipher(&self) -> Result<ChaCha20Poly1305, StoreError> {
        ChaCha20Poly1305::new_from_slice(&self.derive("seal-chacha20poly1305"))
            .map_err(|_| StoreError::Crypto("密钥长度错误".to_owned()))
    }
}

fn write_private(path: &Path, text: &str) -> Result<(), StoreError> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| StoreError::Crypto(format!("{}: {e}", path.display())))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| StoreError::Crypto(format!("{}: {e}", path.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_binds_the_kind() {
        let k = Keys::from_master([7; 32]);
        let sealed = k.seal("id_number", "34150219900307123X").unwrap();
        assert_eq!(k.open("id_number", &sealed).unwrap(), "34150219900307123X");
        assert!(k.open("phone", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(k.open("id_number", &tampered).is_err());
        assert!(
            Keys::from_master([8; 32])
                .open("id_number", &sealed)
                .is_err()
        );
        assert_ne!(
            sealed,
            k.seal("id_number", "34150219900307123X").unwrap(),
            "nonces differ"
        );
    }

    #[test]
    fn blind_index_is_keyed_and_deterministic() {
        let (a, b) = (Keys::from_master([1; 32]), Keys::from_master([2; 32]));
        assert_eq!(a.blind_index("id", "x"), a.blind_index("id", "x"));
        assert_ne!(a.blind_index("id", "x"), b.blind_index("id", "x"));
        assert_ne!(a.blind_index("id", "x"), a.blind_index("phone", "x"));
    }

    #[test]
    fn key_file_is_created_once_and_read_back() {
        let dir = std::env::temp_dir().join(format!("xueshi-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("xueshi.keys");
        let _ = std::fs::remove_file(&path);
        let first = Keys::load_or_create(&path).unwrap();
        let again = Keys::load_or_create(&path).unwrap();
        assert_eq!(first.ledger_seed(), again.ledger_seed());
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn loading_a_missing_key_file_fails_and_creates_nothing() {
        let dir = std::env::temp_dir().join(format!("xueshi-nokeys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("absent.keys");
        let _ = std::fs::remove_file(&path);
        let e = Keys::load(&path).unwrap_err();
        assert_eq!(e.code(), "keys.missing");
        assert!(e.to_string().contains("找不到密钥文件"), "{e}");
        assert!(!path.exists(), "no key file was created");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
