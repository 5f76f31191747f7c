//! # cartpinger-core
//!
//! The pure logic behind the CartPinger PHP extension: the secret [`vault`] (AES-256-GCM
//! envelopes), [`phone`] normalisation to E.164 and cart-recovery [`token`]s.
//! The WhatsApp engine's pure half: [`graph`] request builders and response parsers, the
//! template [`catalog`], the [`meta_error`] taxonomy, [`retry`] policy and [`ratelimit`]s, and
//! the recovery [`schedule`]r (time zones via `chrono-tz`, `now` passed in).
//!
//! ## The I/O contract
//!
//! This crate is **pure**. It performs no network access, reads no clock, draws no randomness
//! from the operating system, and touches no filesystem or environment. Everything that would
//! need one of those is an *argument*: nonces and token randomness come from the caller
//! (PHP's `random_bytes()`), and so would "now" if a function ever needs it. The crate-level
//! `clippy.toml` bans `SystemTime::now`, `Instant::now`, OS random generators and filesystem
//! calls, so the contract is checked by `cargo clippy`, not only by review.
//!
//! It also knows nothing about PHP: the `cartpinger` crate (`crates/cartpinger-php`) converts
//! types, maps [`error::Error`] to PHP exceptions and guards against panics.
//!
//! ## Errors
//!
//! Every fallible function returns a module error ([`VaultError`], [`PhoneError`],
//! [`TokenError`]) whose `code()` is the stable number PHP sees (`docs/contracts.md`). Shipped
//! code does not `unwrap`, `expect`, `panic!` or index out of bounds (clippy-enforced).
#![forbid(unsafe_code)]

pub mod catalog;
pub mod delivery;
pub mod error;
pub mod graph;
pub mod meta_error;
pub mod phone;
pub mod platform;
pub mod ratelimit;
pub mod retry;
pub mod schedule;
pub mod token;
pub mod transport;
pub mod vault;
pub mod webhook;

pub use error::{Error, PhoneError, TokenError, VaultError};
pub use vault::Vault;
