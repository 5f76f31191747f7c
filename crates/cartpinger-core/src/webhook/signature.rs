//! The `X-Hub-Signature-256` check of event POSTs (README §0.8, §7.2, §7.3).
//!
//! `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(key = app secret, message = raw body bytes)>`.
//! Always hash the **raw request bytes** (PHP: `file_get_contents('php://input')`), never a
//! re-serialised JSON: Meta escapes non-ASCII characters as `\uXXXX` and signs those bytes.
//!
//! ## Accepted header forms
//!
//! Meta sends `sha256=` and 64 **lowercase** hex digits. We also accept uppercase or mixed-case
//! hex digits and an uppercase `SHA256=` label, and ignore whitespace around the whole value:
//! the digits are decoded to the 32 MAC bytes before the constant-time comparison, so the case
//! of the hex carries no security-relevant information, and relays or proxies that re-case
//! headers do not cause false rejections. Everything else (another algorithm such as `sha1=`,
//! a missing label, a wrong number of digits, non-hex characters, whitespace inside, several
//! comma-separated signatures) is [`SignatureError::MalformedHeader`].

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::error::SignatureError;

/// Name of the header that carries the signature (PHP: `$_SERVER['HTTP_X_HUB_SIGNATURE_256']`).
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

const LABEL: &str = "sha256=";
const MAC_LEN: usize = 32;

/// HMAC-SHA256 of `body` under `key`.
///
/// The `hmac` crate takes keys of any length (it hashes a key longer than a block itself, as
/// RFC 2104 says), so its `InvalidLength` error cannot happen for HMAC; it is still mapped to
/// `None`, which every caller treats as "no valid signature" (fail closed).
fn hmac_sha256(key: &[u8], body: &[u8]) -> Option<[u8; MAC_LEN]> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).ok()?;
    mac.update(body);
    Some(mac.finalize().into_bytes().into())
}

/// The `X-Hub-Signature-256` header value Meta would send for `raw_body`:
/// `sha256=` followed by 64 lowercase hex digits. Used by the sandbox and by tests.
#[must_use]
pub fn sign(raw_body: &[u8], app_secret: &[u8]) -> String {
    let mut out = String::with_capacity(LABEL.len() + 2 * MAC_LEN);
    out.push_str(LABEL);
    if let Some(tag) = hmac_sha256(app_secret, raw_body) {
        out.push_str(&hex::encode(tag));
    }
    out
}

/// Decodes the header value into the 32 MAC bytes, or `None` when it is malformed.
fn decode_header(value: &str) -> Option<[u8; MAC_LEN]> {
    let (label, digits) = value.split_at_checked(LABEL.len())?;
    if !label.eq_ignore_ascii_case(LABEL) || digits.len() != 2 * MAC_LEN {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    hex::decode_to_slice(digits, &mut out).ok()?;
    Some(out)
}

/// Verifies `X-Hub-Signature-256` against the raw body bytes, in constant time.
///
/// `header` is the header value as received (`None` when absent). An empty or all-whitespace
/// value counts as missing (PHP's `$_SERVER[...] ?? ''` idiom).
///
/// Checked in this order: an empty `app_secret` → [`SignatureError::NoSecret`] (a
/// configuration problem: nothing can verify, not even a body signed with the empty key);
/// no header → [`SignatureError::MissingHeader`]; a header that is not `sha256=<64 hex>` (see
/// the module documentation for the accepted forms) → [`SignatureError::MalformedHeader`]; a
/// MAC that differs → [`SignatureError::Mismatch`].
///
/// # Errors
///
/// The [`SignatureError`] of the first check that fails; process the body only on `Ok(())`.
pub fn verify_signature(
    raw_body: &[u8],
    header: Option<&str>,
    app_secret: &[u8],
) -> Result<(), SignatureError> {
    if app_secret.is_empty() {
        return Err(SignatureError::NoSecret);
    }
    let value = header.map(str::trim).unwrap_or_default();
    if value.is_empty() {
        return Err(SignatureError::MissingHeader);
    }
    let given = decode_header(value).ok_or(SignatureError::MalformedHeader)?;
    let expected = hmac_sha256(app_secret, raw_body).ok_or(SignatureError::Mismatch)?;
    if bool::from(given.ct_eq(&expected)) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4231 test case 6: a key longer than one block is hashed first.
    #[test]
    fn rfc4231_long_key() {
        let key = [0xaa_u8; 131];
        let msg = b"Test Using Larger Than Block-Size Key - Hash Key First";
        assert_eq!(
            hex::encode(hmac_sha256(&key, msg).unwrap()),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    /// RFC 4231 test case 2: a short key is zero-padded.
    #[test]
    fn rfc4231_short_key() {
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?").unwrap()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    /// Keys of exactly one block (not hashed) and one byte more (hashed), against PHP's
    /// `hash_hmac('sha256', 'abc', str_repeat("\x0b", 64|65))`.
    #[test]
    fn exactly_one_block_key_is_not_hashed() {
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b_u8; 64], b"abc").unwrap()),
            "b3e8a5f02126e868d283c533c772ee04890b96f1d6b683c6cdd593200715c2ce"
        );
        assert_eq!(
            hex::encode(hmac_sha256(&[0x0b_u8; 65], b"abc").unwrap()),
            "f4e195273ff9f2c068546f720fbc6fb1f6a74564a34510913e88c721800f9c4f"
        );
    }
}
