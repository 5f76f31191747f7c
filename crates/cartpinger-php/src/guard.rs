//! The one panic guard: every exported function/method body runs inside [`guard`].
//!
//! ext-php-rs 0.16.4 already catches panics at its FFI boundary (`zend::try_catch::catch_panic`)
//! and throws a plain `\Error("Rust panic: <payload>")` with code 0. That keeps the worker alive
//! but loses our contract (typed class, stable code) and leaks the payload into the message.
//! [`guard`] catches first and returns `CartPinger\Native\Exception\InternalException` (9001)
//! with a fixed message, so PHP callers can handle it like any other `NativeException`.
//!
//! Panics in argument conversion (before our body runs) are still caught by ext-php-rs itself.

use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use ext_php_rs::prelude::PhpResult;

use crate::errors;

static HOOK: Once = Once::new();

/// Replaces the default panic hook (of this .so's own copy of std) with one that logs only the
/// location: a panic payload might contain data we must not write to a server log.
fn install_hook() {
    HOOK.call_once(|| {
        panic::set_hook(Box::new(|info| {
            let location = info.location().map_or_else(
                || "unknown location".to_owned(),
                |l| format!("{}:{}", l.file(), l.line()),
            );
            eprintln!(
                "cartpinger: Rust panic at {location}; thrown to PHP as \
                 CartPinger\\Native\\Exception\\InternalException (9001)"
            );
        }));
    });
}

/// Runs `body`; a panic inside it becomes `InternalException` (code 9001).
///
/// `AssertUnwindSafe` is sound here: after a panic nothing the closure touched is observed
/// again by this call. Exported methods only take `&self` of immutable objects, so no
/// half-updated state can leak into later calls.
pub fn guard<T>(body: impl FnOnce() -> PhpResult<T>) -> PhpResult<T> {
    install_hook();
    match panic::catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            // Dropping a payload can itself panic (a payload whose Drop panics); contain that too.
            let _ = panic::catch_unwind(AssertUnwindSafe(move || drop(payload)));
            Err(errors::internal())
        }
    }
}
