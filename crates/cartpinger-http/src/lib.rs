//! # cartpinger-http
//!
//! Placeholder: the ureq adapter implementing [`cartpinger_core::transport::Transport`] lands
//! with the engine milestone.
#![forbid(unsafe_code)]
