//! Backup blobs: objects sealed with AES-256-GCM under a key the emulator made at start, so a
//! blob restores into any vault of the same emulator and any change to it is detected.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use serde::de::DeserializeOwned;
use serde::Serialize;

const MAGIC: &[u8] = b"AZKVBK1";

/// Seals and opens backup blobs.
pub struct Sealer {
    key: LessSafeKey,
    raw: [u8; 32],
    rng: SystemRandom,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    /// A sealer with `key` (32 bytes), or a fresh random key when `None` or malformed.
    pub fn new(key: Option<&[u8]>) -> Result<Self, crate::EmulatorError> {
        let rng = SystemRandom::new();
        let mut raw = [0u8; 32];
        match key.filter(|k| k.len() == 32) {
            Some(k) => raw.copy_from_slice(k),
            None => rng
                .fill(&mut raw)
                .map_err(|_| crate::EmulatorError::Crypto("no randomness for the backup key"))?,
        }
        let key = UnboundKey::new(&AES_256_GCM, &raw)
            .map_err(|_| crate::EmulatorError::Crypto("could not make the backup key"))?;
        Ok(Self {
            key: LessSafeKey::new(key),
            raw,
            rng,
        })
    }

    /// The key, for `--data-dir`.
    pub fn key_bytes(&self) -> &[u8] {
        &self.raw
    }

    /// Seals `value` of kind `kind` (`secret`, `key`, `certificate`) into a blob.
    pub fn seal<T: Serialize>(&self, kind: &str, value: &T) -> Option<String> {
        let mut plain = serde_json::to_vec(value).ok()?;
        let mut nonce = [0u8; NONCE_LEN];
        self.rng.fill(&mut nonce).ok()?;
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(kind.as_bytes()),
                &mut plain,
            )
            .ok()?;
        let mut out = MAGIC.to_vec();
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&plain);
        Some(B64.encode(out))
    }

    /// Opens a blob of kind `kind`; `None` when it is not one of ours, was changed, or is of
    /// another kind.
    pub fn open<T: DeserializeOwned>(&self, kind: &str, blob: &str) -> Option<T> {
        let bytes = B64.decode(blob.trim_end_matches('=')).ok()?;
        let rest = bytes.strip_prefix(MAGIC)?;
        if rest.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = rest.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(kind.as_bytes()), &mut sealed)
            .ok()?;
        serde_json::from_slice(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_tamper_detection() {
        let sealer = Sealer::new(None).unwrap();
        let blob = sealer.seal("secret", &vec!["a", "b"]).unwrap();
        let back: Vec<String> = sealer.open("secret", &blob).unwrap();
        assert_eq!(back, ["a", "b"]);
        assert!(sealer.open::<Vec<String>>("key", &blob).is_none());
        let mut chars: Vec<char> = blob.chars().collect();
        let i = chars.len() - 5;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let tampered: String = chars.into_iter().collect();
        assert!(sealer.open::<Vec<String>>("secret", &tampered).is_none());
        assert!(sealer
            .open::<Vec<String>>("secret", "not-base64!")
            .is_none());
        let other = Sealer::new(None).unwrap();
        assert!(other.open::<Vec<String>>("secret", &blob).is_none());
    }
}
