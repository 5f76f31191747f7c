//! # cartpinger-http
//!
//! The only crate that touches the network. [`UreqTransport`] executes the
//! [`Request`](cartpinger_core::transport::Request) values that `cartpinger-core` builds, with
//! ureq (rustls, keep-alive pool, connect and response timeouts), and maps every failure onto
//! [`TransportError`](cartpinger_core::transport::TransportError) so that the core can tell
//! "nothing was sent" from "the outcome is unknown". [`batch`] sends many template messages
//! concurrently from one call under the core's rate limits and a time budget; [`account`] holds
//! the single-request calls (credentials check, template list and submission).
//!
//! Threads: everything here is plain Rust data. The PHP binding copies its inputs out of PHP
//! values before calling in and builds PHP values after every thread has been joined.
#![forbid(unsafe_code)]

pub mod account;
pub mod batch;
mod transport;

pub use batch::{send_batch, send_stream, BatchConfig, Job, JobResult, Limits};
pub use transport::{TransportConfig, UreqTransport};
