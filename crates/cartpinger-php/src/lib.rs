//! # cartpinger (the PHP extension)
//!
//! A thin [ext-php-rs] binding over [`cartpinger_core`]. It only converts types, maps errors
//! (one funnel: [`errors`]) and guards against panics (one guard: [`guard`]). There is no
//! business logic here, and no unit tests: code in this crate needs a running PHP, so it is
//! tested from PHP against the built `.so` (`tests/native/`).
//!
//! PHP surface (`docs/contracts.md` §1): classes `CartPinger\Native\{Extension, Vault, Phone,
//! RecoveryToken, Sender, Catalog, Webhook, Scheduler}` with snake_case methods, constants
//! `CARTPINGER_NATIVE_VERSION` and `CARTPINGER_NATIVE_ABI` (2), and a `php --ri cartpinger`
//! table. No global functions.
//!
//! [ext-php-rs]: https://docs.rs/ext-php-rs
#![cfg_attr(windows, feature(abi_vectorcall))]
#![allow(
    missing_docs,
    reason = "#[php_module] generates an undocumented debug-only describe function; this cdylib \
              has no Rust API consumers, and its PHP-facing docs are checked via the stubs"
)]
#![allow(
    elided_lifetimes_in_paths,
    reason = "ext-php-rs 0.16.4's #[php_impl] re-emits parameter types such as \
              BinarySlice<'_, u8> without their lifetime, with our spans"
)]

use ext_php_rs::prelude::*;
use ext_php_rs::zend::ModuleEntry;
use ext_php_rs::{info_table_end, info_table_row, info_table_start};

pub mod catalog;
pub mod delivery;
pub mod errors;
pub mod extension;
pub mod guard;
pub mod phone;
pub mod platform;
pub mod scheduler;
pub mod sender;
pub mod token;
pub mod vault;
pub mod webhook;

/// Extension version (string), the same as `phpversion('cartpinger')`.
#[php_const]
pub const CARTPINGER_NATIVE_VERSION: &str = extension::VERSION;

/// ABI of the PHP-visible API (int). The plugin boots only when it equals
/// `CartPinger\Plugin::REQUIRED_ABI`.
#[php_const]
pub const CARTPINGER_NATIVE_ABI: i64 = extension::ABI;

/// The `php --ri cartpinger` / phpinfo() table.
extern "C" fn php_module_info(_module: *mut ModuleEntry) {
    info_table_start!();
    info_table_row!("cartpinger support", "enabled");
    info_table_row!("version", extension::VERSION);
    info_table_row!("abi", "4");
    info_table_row!("target", extension::TARGET);
    info_table_row!("ext-php-rs", "0.16.4");
    info_table_row!("vault", "AES-256-GCM, HKDF-SHA256, envelope cpv1");
    info_table_row!("phone metadata", "libphonenumber via the phonenumber crate");
    info_table_end!();
}

/// Registers the classes, the constants and the info table.
#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    module
        .constant(wrap_constant!(CARTPINGER_NATIVE_VERSION))
        .constant(wrap_constant!(CARTPINGER_NATIVE_ABI))
        .class::<extension::Extension>()
        .class::<vault::Vault>()
        .class::<phone::Phone>()
        .class::<token::RecoveryToken>()
        .class::<sender::Sender>()
        .class::<catalog::Catalog>()
        .class::<platform::Platform>()
        .class::<webhook::Webhook>()
        .class::<scheduler::Scheduler>()
        .class::<delivery::Delivery>()
        .info_function(php_module_info)
}
