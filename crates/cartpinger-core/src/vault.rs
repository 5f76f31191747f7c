//! The secret vault: AES-256-GCM envelopes for secrets stored in WordPress options.
//!
//! # Format (version 1)
//!
//! ```text
//! key    = HKDF-SHA256(ikm = key material, salt = "cartpinger/vault/v1", info = "aes-256-gcm key"), 32 bytes
//! key id = HKDF-SHA256(ikm = key material, salt = "cartpinger/vault/v1", info = "key id"), 8 bytes
//! blob   = version (0x01) | key id (8) | nonce (12) | AES-256-GCM(key, nonce, aad, plaintext) | tag (16)
//! text   = "cpv1." + base64url-without-padding(blob)
//! ```
//!
//! The associated data (`aad`) is the WordPress option name, so an envelope copied into another
//! option fails authentication ([`VaultError::DecryptionFailed`]).
//!
//! The nonce is an *input*: this crate never reads the OS random generator. The caller passes
//! 12 fresh random bytes (PHP: `random_bytes(12)`) for every encryption.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hkdf::Hkdf;
use sha2::Sha256;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::error::VaultError;

/// Text prefix of a version-1 envelope.
pub const PREFIX: &str = "cpv1.";
/// Format version byte of a version-1 envelope.
pub const VERSION: u8 = 1;
/// Minimum length of the key material, in bytes.
pub const MIN_KEY_MATERIAL_LEN: usize = 16;
/// Length of a key id, in bytes (shown as 16 hex characters).
pub const KEY_ID_LEN: usize = 8;
/// Length of an AES-GCM nonce, in bytes.
pub const NONCE_LEN: usize = 12;
/// Length of the AES-GCM authentication tag, in bytes.
pub const TAG_LEN: usize = 16;
/// HKDF salt (domain separation for this format).
pub const HKDF_SALT: &[u8] = b"cartpinger/vault/v1";
/// HKDF info for the encryption key.
pub const HKDF_INFO_KEY: &[u8] = b"aes-256-gcm key";
/// HKDF info for the key id.
pub const HKDF_INFO_KEY_ID: &[u8] = b"key id";

const HEADER_LEN: usize = 1 + KEY_ID_LEN + NONCE_LEN;
const MIN_BLOB_LEN: usize = HEADER_LEN + TAG_LEN;

/// An encryption key derived from the site's key material.
///
/// The derived key lives in [`Zeroizing`] memory and is wiped on drop. `Debug` shows the key
/// id only.
pub struct Vault {
    key: Zeroizing<[u8; 32]>,
    key_id: [u8; KEY_ID_LEN],
}

impl core::fmt::Debug for Vault {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Vault")
            .field("key_id", &self.key_id_hex())
            .finish_non_exhaustive()
    }
}

impl Vault {
    /// Derives the key and key id from `key_material` (`CARTPINGER_ENCRYPTION_KEY`, or the
    /// WordPress salts concatenated). Any bytes are accepted; at least
    /// [`MIN_KEY_MATERIAL_LEN`] are required.
    ///
    /// # Errors
    ///
    /// [`VaultError::InvalidKey`] when the material is too short.
    pub fn new(key_material: &[u8]) -> Result<Self, VaultError> {
        if key_material.len() < MIN_KEY_MATERIAL_LEN {
            return Err(VaultError::InvalidKey);
        }
        let hk = Hkdf::<Sha256>::new(Some(HKDF_SALT), key_material);
        let mut key = Zeroizing::new([0_u8; 32]);
        let mut key_id = [0_u8; KEY_ID_LEN];
        // 32 and 8 bytes are far below HKDF-SHA256's 255 * 32 byte limit, so these cannot fail;
        // map defensively instead of panicking.
        hk.expand(HKDF_INFO_KEY, key.as_mut_slice())
            .map_err(|_| VaultError::InvalidKey)?;
        hk.expand(HKDF_INFO_KEY_ID, &mut key_id)
            .map_err(|_| VaultError::InvalidKey)?;
        Ok(Self { key, key_id })
    }

    /// The 8-byte key id.
    #[must_use]
    pub const fn key_id(&self) -> [u8; KEY_ID_LEN] {
        self.key_id
    }

    /// The key id as 16 lowercase hex characters.
    #[must_use]
    pub fn key_id_hex(&self) -> String {
        hex::encode(self.key_id)
    }

    fn cipher(&self) -> Result<Aes256Gcm, VaultError> {
        Aes256Gcm::new_from_slice(self.key.as_slice()).map_err(|_| VaultError::InvalidKey)
    }

    /// Seals `plaintext` bound to `associated_data` (the option name) with the caller's
    /// `nonce` (exactly [`NONCE_LEN`] fresh random bytes) and returns the text envelope.
    ///
    /// # Errors
    ///
    /// [`VaultError::InvalidNonce`] when `nonce` is not 12 bytes.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        associated_data: &[u8],
        nonce: &[u8],
    ) -> Result<String, VaultError> {
        let nonce_arr = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce)
            .map_err(|_| VaultError::InvalidNonce)?;
        let sealed = self
            .cipher()?
            .encrypt(
                &nonce_arr,
                Payload {
                    msg: plaintext,
                    aad: associated_data,
                },
            )
            // Only fails for inputs larger than GCM's 64 GiB limit.
            .map_err(|_| VaultError::DecryptionFailed)?;
        let mut blob = Vec::with_capacity(HEADER_LEN + sealed.len());
        blob.push(VERSION);
        blob.extend_from_slice(&self.key_id);
        blob.extend_from_slice(nonce);
        blob.extend_from_slice(&sealed);
        let mut out = String::with_capacity(PREFIX.len() + blob.len().div_ceil(3) * 4);
        out.push_str(PREFIX);
        URL_SAFE_NO_PAD.encode_string(&blob, &mut out);
        Ok(out)
    }

    /// Opens an envelope made by [`Vault::encrypt`] with the same key material and associated
    /// data. The plaintext is returned in [`Zeroizing`] memory.
    ///
    /// # Errors
    ///
    /// * [`VaultError::MalformedEnvelope`]: not `cpv1.` + base64url of at least 37 bytes;
    /// * [`VaultError::UnsupportedVersion`]: a `cpvN.` prefix or version byte other than 1;
    /// * [`VaultError::KeyMismatch`]: sealed under another key id;
    /// * [`VaultError::DecryptionFailed`]: tag check failed (tampered, or other associated data).
    pub fn decrypt(
        &self,
        envelope: &[u8],
        associated_data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        let blob = decode(envelope)?;
        let (version, rest) = blob.split_first().ok_or(VaultError::MalformedEnvelope)?;
        if *version != VERSION {
            return Err(VaultError::UnsupportedVersion);
        }
        let (key_id, rest) = rest
            .split_at_checked(KEY_ID_LEN)
            .ok_or(VaultError::MalformedEnvelope)?;
        // Key ids are not secret, but comparing in constant time costs nothing.
        if !bool::from(key_id.ct_eq(&self.key_id)) {
            return Err(VaultError::KeyMismatch);
        }
        let (nonce, sealed) = rest
            .split_at_checked(NONCE_LEN)
            .ok_or(VaultError::MalformedEnvelope)?;
        let nonce_arr = aes_gcm::Nonce::<aes_gcm::aead::consts::U12>::try_from(nonce)
            .map_err(|_| VaultError::MalformedEnvelope)?;
        self.cipher()?
            .decrypt(
                &nonce_arr,
                Payload {
                    msg: sealed,
                    aad: associated_data,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| VaultError::DecryptionFailed)
    }
}

/// Decodes the text envelope into its binary blob and checks the minimum length.
fn decode(envelope: &[u8]) -> Result<Vec<u8>, VaultError> {
    let Some(body) = envelope.strip_prefix(PREFIX.as_bytes()) else {
        return Err(if other_version_prefix(envelope) {
            VaultError::UnsupportedVersion
        } else {
            VaultError::MalformedEnvelope
        });
    };
    let blob = URL_SAFE_NO_PAD
        .decode(body)
        .map_err(|_| VaultError::MalformedEnvelope)?;
    if blob.len() < MIN_BLOB_LEN {
        return Err(VaultError::MalformedEnvelope);
    }
    Ok(blob)
}

/// `cpv<digits>.` with a version other than 1: a format from a newer (or older) build.
fn other_version_prefix(value: &[u8]) -> bool {
    let Some(rest) = value.strip_prefix(b"cpv") else {
        return false;
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    digits > 0 && rest.get(digits) == Some(&b'.')
}

/// Cheap shape check, no key needed: `cpv1.` followed by base64url (no padding) long enough
/// for a version-1 envelope. Does not decode or authenticate.
#[must_use]
pub fn is_envelope(value: &[u8]) -> bool {
    let Some(body) = value.strip_prefix(PREFIX.as_bytes()) else {
        return false;
    };
    let n = body.len();
    // base64 without padding never has a length of 1 mod 4.
    if n % 4 == 1 || n / 4 * 3 + (n % 4).saturating_sub(1) < MIN_BLOB_LEN {
        return false;
    }
    body.iter()
        .all(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_key_material_is_rejected() {
        assert_eq!(Vault::new(b"").unwrap_err(), VaultError::InvalidKey);
        assert_eq!(Vault::new(&[7; 15]).unwrap_err(), VaultError::InvalidKey);
        assert!(Vault::new(&[7; 16]).is_ok());
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let v = Vault::new(&[0x42; 32]).unwrap();
        let shown = format!("{v:?}");
        assert!(shown.contains(&v.key_id_hex()));
        assert!(!shown.contains("key:"));
    }

    #[test]
    fn other_version_prefixes() {
        assert!(other_version_prefix(b"cpv2.abc"));
        assert!(other_version_prefix(b"cpv10."));
        assert!(!other_version_prefix(b"cpv.abc"));
        assert!(!other_version_prefix(b"cpvx.abc"));
        assert!(!other_version_prefix(b"xyz"));
    }

    #[test]
    fn is_envelope_length_boundary() {
        // 37 bytes -> 50 base64 chars (49.33 rounded up).
        let min = format!("{PREFIX}{}", "A".repeat(50));
        assert!(is_envelope(min.as_bytes()));
        let short = format!("{PREFIX}{}", "A".repeat(48));
        assert!(!is_envelope(short.as_bytes()));
        let bad_len = format!("{PREFIX}{}", "A".repeat(53));
        assert!(!is_envelope(bad_len.as_bytes()));
        let padded = format!("{PREFIX}{}==", "A".repeat(50));
        assert!(!is_envelope(padded.as_bytes()));
    }
}
