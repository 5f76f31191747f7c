//! Recovery tokens: the secret that goes into the cart-recovery link.
//!
//! The token is 32 caller-supplied random bytes (PHP: `random_bytes(32)`) as 64 lowercase hex
//! characters. Only `hex(SHA-256(token))` is stored, so a leaked database does not reveal usable
//! links. Verification compares hashes in constant time.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::TokenError;

/// Number of random bytes in a token.
pub const RANDOM_LEN: usize = 32;
/// Length of a token and of its hash, in hex characters.
pub const HEX_LEN: usize = 64;

/// A freshly generated token and the hash to store.
#[derive(Clone, PartialEq, Eq)]
pub struct Generated {
    /// 64 lowercase hex characters; goes into the link, never stored.
    pub token: String,
    /// `hex(SHA-256(token))`, 64 lowercase hex characters; stored and indexed.
    pub hash: String,
}

impl core::fmt::Debug for Generated {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Generated")
            .field("hash", &self.hash)
            .finish_non_exhaustive()
    }
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// Makes a token from exactly [`RANDOM_LEN`] random bytes.
///
/// # Errors
///
/// [`TokenError::InvalidRandomLength`] when `random` is not 32 bytes.
pub fn generate(random: &[u8]) -> Result<Generated, TokenError> {
    if random.len() != RANDOM_LEN {
        return Err(TokenError::InvalidRandomLength);
    }
    let token = hex::encode(random);
    let hash = sha256_hex(token.as_bytes());
    Ok(Generated { token, hash })
}

/// Whether `token` is well formed (64 lowercase hex characters).
#[must_use]
pub fn is_well_formed(token: &[u8]) -> bool {
    is_lower_hex(token, HEX_LEN)
}

/// The stored hash of a token taken from a URL.
///
/// # Errors
///
/// [`TokenError::MalformedToken`] unless `token` is 64 lowercase hex characters.
pub fn hash(token: &[u8]) -> Result<String, TokenError> {
    if !is_well_formed(token) {
        return Err(TokenError::MalformedToken);
    }
    Ok(sha256_hex(token))
}

/// Constant-time check that `hash(token) == stored_hash`; `false` for any malformed input.
#[must_use]
pub fn verify(token: &[u8], stored_hash: &[u8]) -> bool {
    if !is_lower_hex(stored_hash, HEX_LEN) {
        return false;
    }
    match hash(token) {
        Ok(computed) => computed.as_bytes().ct_eq(stored_hash).into(),
        Err(_) => false,
    }
}

/// Whether `s` is exactly `len` characters of lowercase hex (`0-9a-f`): the only form tokens
/// and hashes are ever written in, so anything else is rejected before hashing.
fn is_lower_hex(s: &[u8], len: usize) -> bool {
    s.len() == len && s.iter().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hex_validation() {
        assert!(is_lower_hex(b"00ff", 4));
        assert!(!is_lower_hex(b"00FF", 4));
        assert!(!is_lower_hex(b"00f", 4));
        assert!(!is_lower_hex(b"00fg", 4));
    }

    #[test]
    fn hex_is_lowercase() {
        assert_eq!(hex::encode([0x00, 0x0f, 0xab, 0xff]), "000fabff");
    }

    #[test]
    fn sha256_known_answer() {
        // FIPS 180-2 example "abc".
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
