//! Errors of the webhook module, each variant with a stable numeric code (6001–6204).
//!
//! The codes are proposed for the PHP contract (`docs/contracts.md` §1): 60xx the GET
//! handshake, 61xx the POST signature, 62xx parsing. Messages are English, stable and never
//! contain the token, the secret, the signature or any part of the body.

use thiserror::Error;

/// Why [`super::verify_subscription`] refused Meta's GET handshake (answer 403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum HandshakeError {
    /// `hub.mode` is not exactly `subscribe`. Code 6001.
    #[error("hub.mode must be \"subscribe\"")]
    WrongMode,
    /// No verify token is configured on our side: nothing may verify. Code 6002.
    #[error("no webhook verify token is configured")]
    NotConfigured,
    /// `hub.verify_token` differs from the configured token. Code 6003.
    #[error("hub.verify_token does not match the configured verify token")]
    TokenMismatch,
    /// `hub.challenge` is empty, longer than [`super::MAX_CHALLENGE_LEN`] bytes, or contains a
    /// byte that is not visible ASCII (`0x21..=0x7e`). Code 6004.
    #[error("hub.challenge is empty, too long or not visible ASCII")]
    InvalidChallenge,
}

impl HandshakeError {
    /// The stable numeric code of this error (6001–6004).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::WrongMode => 6001,
            Self::NotConfigured => 6002,
            Self::TokenMismatch => 6003,
            Self::InvalidChallenge => 6004,
        }
    }
}

/// Why [`super::verify_signature`] rejected an event POST (answer 401/403; never process it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The app secret is empty: no body can be authenticated. Code 6101.
    #[error("no app secret is configured")]
    NoSecret,
    /// The `X-Hub-Signature-256` header is absent (or empty / only whitespace). Code 6102.
    #[error("X-Hub-Signature-256 header is missing")]
    MissingHeader,
    /// The header is present but is not `sha256=` followed by 64 hexadecimal digits. Code 6103.
    #[error("X-Hub-Signature-256 header is malformed")]
    MalformedHeader,
    /// The header is well formed but the HMAC does not match the raw body. Code 6104.
    #[error("X-Hub-Signature-256 does not match the body")]
    Mismatch,
}

impl SignatureError {
    /// The stable numeric code of this error (6101–6104).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::NoSecret => 6101,
            Self::MissingHeader => 6102,
            Self::MalformedHeader => 6103,
            Self::Mismatch => 6104,
        }
    }
}

/// Why [`super::parse`] could not read an event POST at all.
///
/// Problems *inside* a well-formed envelope (one bad status item, a change without `value`)
/// are never errors: they are reported in [`super::WebhookBatch::WhatsApp`]'s `skipped` list
/// so that one odd item cannot make Meta retry the whole batch for 7 days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is larger than [`super::MAX_BODY_LEN`] bytes. Code 6201.
    #[error("webhook body is too large")]
    TooLarge,
    /// The body is not valid UTF-8 JSON. Code 6202.
    #[error("webhook body is not valid JSON")]
    InvalidJson,
    /// The JSON is not an object with a string `object` field. Code 6203.
    #[error("webhook body is not a webhook envelope (no \"object\" field)")]
    NotAnEnvelope,
    /// `object` is `whatsapp_business_account` but `entry` is missing or not an array.
    /// Code 6204.
    #[error("webhook envelope has no \"entry\" array")]
    MissingEntries,
}

impl ParseError {
    /// The stable numeric code of this error (6201–6204).
    #[must_use]
    pub const fn code(self) -> i32 {
        match self {
            Self::TooLarge => 6201,
            Self::InvalidJson => 6202,
            Self::NotAnEnvelope => 6203,
            Self::MissingEntries => 6204,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let handshake = [
            HandshakeError::WrongMode,
            HandshakeError::NotConfigured,
            HandshakeError::TokenMismatch,
            HandshakeError::InvalidChallenge,
        ]
        .map(HandshakeError::code);
        assert_eq!(handshake, [6001, 6002, 6003, 6004]);
        let signature = [
            SignatureError::NoSecret,
            SignatureError::MissingHeader,
            SignatureError::MalformedHeader,
            SignatureError::Mismatch,
        ]
        .map(SignatureError::code);
        assert_eq!(signature, [6101, 6102, 6103, 6104]);
        let parse = [
            ParseError::TooLarge,
            ParseError::InvalidJson,
            ParseError::NotAnEnvelope,
            ParseError::MissingEntries,
        ]
        .map(ParseError::code);
        assert_eq!(parse, [6201, 6202, 6203, 6204]);
    }
}
