//! The one seam between the pure core and the network.
//!
//! Graph API logic in this crate *builds* [`Request`] values and *parses* [`Response`] values;
//! it never performs I/O. Something outside the core (the `cartpinger-http` crate with ureq, or
//! a fake in tests) implements [`Transport`] and executes requests. This keeps every Graph
//! scenario testable from recorded responses, and keeps the option open to route a request
//! through WordPress's HTTP API instead.

/// HTTP method of a Graph API request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

/// A fully built HTTP request: absolute URL, headers, optional body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Absolute URL including the query string (e.g. `https://graph.facebook.com/v23.0/123/messages`).
    pub url: String,
    /// Headers in order. Values may contain secrets (the bearer token): never log them.
    pub headers: Vec<(String, String)>,
    /// Request body bytes, if any.
    pub body: Option<Vec<u8>>,
}

/// An HTTP response as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Response headers (names lowercased by the transport).
    pub headers: Vec<(String, String)>,
    /// Raw body bytes.
    pub body: Vec<u8>,
}

/// Why a request produced no response. The distinction that matters is whether the request may
/// have reached Meta: a request that was (or may have been) written must never be blindly resent,
/// because Meta has no idempotency key for `/messages`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be established (DNS, refused, TLS handshake): nothing was sent.
    #[error("connect failed: {0}")]
    Connect(String),
    /// The time budget ran out before any byte of the request was written.
    #[error("timed out before the request was sent")]
    TimeoutBeforeSend,
    /// The request was written, then no (complete) response arrived in time: outcome unknown.
    #[error("timed out after the request was sent: outcome unknown")]
    TimeoutAfterSend,
    /// Another I/O failure. `written` says whether the request may have reached the server.
    #[error("i/o error ({detail}); request written: {written}")]
    Io {
        /// Whether any part of the request may have been delivered.
        written: bool,
        /// Human-readable detail without secrets.
        detail: String,
    },
}

impl TransportError {
    /// True when the server may have received the request (the outcome is unknown).
    #[must_use]
    pub fn may_have_been_delivered(&self) -> bool {
        match self {
            Self::Connect(_) | Self::TimeoutBeforeSend => false,
            Self::TimeoutAfterSend => true,
            Self::Io { written, .. } => *written,
        }
    }
}

/// Executes [`Request`]s. Implementations must apply connect and read timeouts and must be
/// usable from several threads at once.
pub trait Transport: Send + Sync {
    /// Executes one request.
    ///
    /// # Errors
    /// A [`TransportError`] when no HTTP response was received.
    fn execute(&self, request: &Request) -> Result<Response, TransportError>;
}
