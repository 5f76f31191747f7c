//! The one error funnel: every error that reaches PHP is built here.
//!
//! Core errors become `CartPinger\Native\Exception\<Class>` with the stable code from
//! `docs/contracts.md`. The exception classes are defined in PHP (the plugin's
//! `src/Native/Exception/*.php`) so that thrown objects carry a file, a line and a trace; they
//! are looked up by name with [`ClassEntry::try_find`], which runs the PHP autoloader. When a
//! class cannot be found (the plugin's autoloader is not registered), the error is thrown as a
//! plain `\RuntimeException` with the same code and the message prefixed `[ClassName] `, so
//! nothing is lost.

use cartpinger_core::webhook::{HandshakeError, ParseError, SignatureError};
use cartpinger_core::{Error as CoreError, VaultError};
use ext_php_rs::exception::PhpException;
use ext_php_rs::zend::{ce, ClassEntry};

/// Namespace of the PHP exception classes.
pub const EXCEPTION_NS: &str = "CartPinger\\Native\\Exception\\";

/// Code of [`internal`] (a caught Rust panic).
pub const INTERNAL_CODE: i32 = 9001;

/// Message of [`internal`]. Deliberately fixed: a panic payload may contain data.
pub const INTERNAL_MESSAGE: &str =
    "internal error in the cartpinger extension (a Rust panic was caught)";

/// Builds the PHP exception `CartPinger\Native\Exception\<class>` (short name) with `code`.
#[must_use]
pub fn exception(class: &str, code: i32, message: &str) -> PhpException {
    let fqcn = format!("{EXCEPTION_NS}{class}");
    match ClassEntry::try_find(&fqcn) {
        Some(entry) => PhpException::new(message.to_owned(), code, entry),
        None => {
            let fallback = ClassEntry::try_find("RuntimeException").unwrap_or_else(ce::exception);
            PhpException::new(format!("[{class}] {message}"), code, fallback)
        }
    }
}

/// The PHP class (short name) of a core error.
#[must_use]
pub fn class_of(error: &CoreError) -> &'static str {
    match error {
        CoreError::Vault(v) => match v {
            VaultError::InvalidKey => "InvalidKeyException",
            VaultError::MalformedEnvelope => "MalformedEnvelopeException",
            VaultError::UnsupportedVersion => "UnsupportedEnvelopeException",
            VaultError::KeyMismatch => "KeyMismatchException",
            VaultError::DecryptionFailed => "DecryptionFailedException",
            VaultError::InvalidNonce => "InvalidNonceException",
            // A vault error added to core later still lands in the vault family.
            _ => "VaultException",
        },
        CoreError::Phone(_) => "InvalidPhoneException",
        CoreError::Token(_) => "InvalidTokenException",
        _ => "NativeException",
    }
}

/// Maps any core error to its PHP exception. Use as `.map_err(errors::core)`.
#[must_use]
pub fn core(error: impl Into<CoreError>) -> PhpException {
    let error = error.into();
    exception(class_of(&error), error.code(), &error.to_string())
}

/// `InternalException` 9001: what the panic guard throws.
#[must_use]
pub fn internal() -> PhpException {
    exception("InternalException", INTERNAL_CODE, INTERNAL_MESSAGE)
}

/// `WebhookHandshakeException` 6001–6004: Meta's GET handshake was refused (answer 403).
#[must_use]
pub fn webhook_handshake(error: HandshakeError) -> PhpException {
    exception(
        "WebhookHandshakeException",
        error.code(),
        &error.to_string(),
    )
}

/// `WebhookSignatureException` 6101–6104: an event POST is not authentic (answer 401).
#[must_use]
pub fn webhook_signature(error: SignatureError) -> PhpException {
    exception(
        "WebhookSignatureException",
        error.code(),
        &error.to_string(),
    )
}

/// `WebhookParseException` 6201–6204: an event POST body is not a webhook envelope.
#[must_use]
pub fn webhook_parse(error: ParseError) -> PhpException {
    exception("WebhookParseException", error.code(), &error.to_string())
}
