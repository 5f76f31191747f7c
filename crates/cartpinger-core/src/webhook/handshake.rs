//! The GET verification handshake (README §7.1).
//!
//! Meta calls `GET <callback>?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=…`
//! when the callback URL or verify token is saved. PHP renames the dotted keys: read
//! `$_GET['hub_mode']`, `$_GET['hub_verify_token']`, `$_GET['hub_challenge']`.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::HandshakeError;

/// Longest `hub.challenge` we echo, in bytes. Meta sends a short decimal number; the bound only
/// stops the endpoint from reflecting arbitrary content.
pub const MAX_CHALLENGE_LEN: usize = 256;

/// Checks Meta's GET handshake and returns the body to answer with.
///
/// On `Ok(challenge)` reply **200, `Content-Type: text/plain`, body = `challenge`** (verbatim,
/// unchanged). On any error reply 403.
///
/// Rules, checked in this order:
/// 1. `mode` must be exactly `subscribe` (case-sensitive, as Meta sends it) →
///    [`HandshakeError::WrongMode`];
/// 2. an empty `expected_token` means "not configured" and rejects every request, so an
///    unconfigured site can never be subscribed by an empty `hub.verify_token` →
///    [`HandshakeError::NotConfigured`];
/// 3. `verify_token` must equal `expected_token`, compared in constant time (both are hashed
///    with SHA-256 first, so neither the content nor the length of the stored token leaks
///    through timing) → [`HandshakeError::TokenMismatch`];
/// 4. `challenge` must be 1 to [`MAX_CHALLENGE_LEN`] bytes of visible ASCII (`0x21..=0x7e`:
///    no space, no control character, nothing non-ASCII) → [`HandshakeError::InvalidChallenge`].
///
/// # Errors
///
/// The [`HandshakeError`] of the first rule that fails.
pub fn verify_subscription(
    mode: &str,
    verify_token: &str,
    challenge: &str,
    expected_token: &str,
) -> Result<String, HandshakeError> {
    if mode != "subscribe" {
        return Err(HandshakeError::WrongMode);
    }
    if expected_token.is_empty() {
        return Err(HandshakeError::NotConfigured);
    }
    let given = Sha256::digest(verify_token.as_bytes());
    let expected = Sha256::digest(expected_token.as_bytes());
    if !bool::from(given.as_slice().ct_eq(expected.as_slice())) {
        return Err(HandshakeError::TokenMismatch);
    }
    if !is_valid_challenge(challenge) {
        return Err(HandshakeError::InvalidChallenge);
    }
    Ok(challenge.to_owned())
}

fn is_valid_challenge(challenge: &str) -> bool {
    !challenge.is_empty()
        && challenge.len() <= MAX_CHALLENGE_LEN
        && challenge.bytes().all(|b| (0x21..=0x7e).contains(&b))
}
