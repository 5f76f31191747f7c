//! Error types of the core, one enum per module, each variant with a stable numeric code.
//!
//! The codes are part of the PHP contract (`docs/contracts.md` §1, "Exceptions"): the binding
//! throws `CartPinger\Native\Exception\<Class>` with exactly these codes, and the PHP plugin
//! branches on them. Never renumber a variant; add new variants with new codes.
//!
//! Messages are English, stable, and never contain secrets, plaintext, key material or phone
//! numbers: they describe the *kind* of failure only.

use thiserror::Error;

/// Why the [`crate::vault`] refused to build a key, seal or open an envelope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum VaultError {
    /// Key material is shorter than [`crate::vault::MIN_KEY_MATERIAL_LEN`] bytes. Code 1001.
    #[error("key material is too short: at least 16 bytes are required")]
    InvalidKey,
    /// The value is not an envelope: wrong prefix, bad base64url or too short. Code 1002.
    #[error("value is not a CartPinger envelope")]
    MalformedEnvelope,
    /// The envelope uses a format version this build does not know. Code 1003.
    #[error("unsupported envelope format version")]
    UnsupportedVersion,
    /// The envelope was sealed under another key (key id differs). Code 1004.
    #[error("envelope was encrypted under a different key")]
    KeyMismatch,
    /// Authentication failed: the envelope was tampered with, or it was moved to another
    /// option (the associated data differs). Code 1005.
    #[error("envelope failed authentication: tampered, or moved to another option")]
    DecryptionFailed,
    /// The nonce is not exactly [`crate::vault::NONCE_LEN`] bytes. Code 1006.
    #[error("nonce must be exactly 12 bytes")]
    InvalidNonce,
}

impl VaultError {
    /// The stable numeric code of this error (1001–1006).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::InvalidKey => 1001,
            Self::MalformedEnvelope => 1002,
            Self::UnsupportedVersion => 1003,
            Self::KeyMismatch => 1004,
            Self::DecryptionFailed => 1005,
            Self::InvalidNonce => 1006,
        }
    }
}

/// Why [`crate::phone::to_e164`] rejected an input: the reason codes 2001–2007.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum PhoneError {
    /// Nothing but whitespace was given. Code 2001.
    #[error("phone number is empty")]
    Empty,
    /// The billing country is not an ISO 3166-1 alpha-2 code known to the phone metadata, or
    /// an international number starts with an unknown calling code. Code 2002.
    #[error("invalid country code")]
    InvalidCountry,
    /// The input contains characters other than digits and common separators. Code 2003.
    #[error("phone number contains characters that are not part of a phone number")]
    NotANumber,
    /// Shorter than any number of its region. Code 2004.
    #[error("phone number is too short")]
    TooShort,
    /// Longer than any number of its region. Code 2005.
    #[error("phone number is too long")]
    TooLong,
    /// Plausible length, but not a valid number for its region. Code 2006.
    #[error("phone number is not a valid number for its region")]
    NotValidForRegion,
    /// A national number was given without a billing country, so its country is unknown.
    /// Code 2007.
    #[error("national phone number without a billing country")]
    NoCountry,
}

impl PhoneError {
    /// The stable numeric code of this error (2001–2007).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::Empty => 2001,
            Self::InvalidCountry => 2002,
            Self::NotANumber => 2003,
            Self::TooShort => 2004,
            Self::TooLong => 2005,
            Self::NotValidForRegion => 2006,
            Self::NoCountry => 2007,
        }
    }
}

/// Why [`crate::token`] refused an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The random input is not exactly [`crate::token::RANDOM_LEN`] bytes. Code 3001.
    #[error("random input must be exactly 32 bytes")]
    InvalidRandomLength,
    /// The token is not 64 lowercase hexadecimal characters. Code 3002.
    #[error("recovery token must be 64 lowercase hexadecimal characters")]
    MalformedToken,
}

impl TokenError {
    /// The stable numeric code of this error (3001–3002).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::InvalidRandomLength => 3001,
            Self::MalformedToken => 3002,
        }
    }
}

/// Any core error. The binding converts every module error into this one and maps it to a PHP
/// exception class in a single place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`VaultError`].
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// A [`PhoneError`].
    #[error(transparent)]
    Phone(#[from] PhoneError),
    /// A [`TokenError`].
    #[error(transparent)]
    Token(#[from] TokenError),
}

impl Error {
    /// The stable numeric code of the wrapped error.
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::Vault(e) => e.code(),
            Self::Phone(e) => e.code(),
            Self::Token(e) => e.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_unique() {
        let all: Vec<Error> = vec![
            VaultError::InvalidKey.into(),
            VaultError::MalformedEnvelope.into(),
            VaultError::UnsupportedVersion.into(),
            VaultError::KeyMismatch.into(),
            VaultError::DecryptionFailed.into(),
            VaultError::InvalidNonce.into(),
            PhoneError::Empty.into(),
            PhoneError::InvalidCountry.into(),
            PhoneError::NotANumber.into(),
            PhoneError::TooShort.into(),
            PhoneError::TooLong.into(),
            PhoneError::NotValidForRegion.into(),
            PhoneError::NoCountry.into(),
            TokenError::InvalidRandomLength.into(),
            TokenError::MalformedToken.into(),
        ];
        let codes: Vec<i32> = all.iter().map(|e| e.code()).collect();
        assert_eq!(
            codes,
            [
                1001, 1002, 1003, 1004, 1005, 1006, 2001, 2002, 2003, 2004, 2005, 2006, 2007, 3001,
                3002
            ]
        );
    }

    #[test]
    fn transparent_messages() {
        let e: Error = TokenError::MalformedToken.into();
        assert_eq!(e.to_string(), TokenError::MalformedToken.to_string());
    }
}
