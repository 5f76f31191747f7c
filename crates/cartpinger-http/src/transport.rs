//! [`UreqTransport`]: the real [`Transport`].

use std::io::ErrorKind;
use std::time::Duration;

use cartpinger_core::transport::{Method, Request, Response, Transport, TransportError};

/// Timeouts and pool size of a [`UreqTransport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransportConfig {
    /// DNS + TCP + TLS handshake. A timeout here means nothing was sent.
    pub connect_timeout: Duration,
    /// From the request being written to the full response being read. A timeout here means
    /// the outcome is unknown.
    pub response_timeout: Duration,
    /// Idle keep-alive connections kept per host (the batch sender needs one per worker).
    pub max_idle_per_host: usize,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(20),
            max_idle_per_host: 64,
        }
    }
}

/// Executes Graph requests with a shared ureq agent (cheap to share across threads).
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ureq::Agent,
}

impl UreqTransport {
    /// A transport with the given timeouts. Per-phase timeouts (not one global deadline) are
    /// what let a failure be classified as before or after the request was written.
    #[must_use]
    pub fn new(config: TransportConfig) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_resolve(Some(config.connect_timeout))
            .timeout_connect(Some(config.connect_timeout))
            .timeout_send_request(Some(config.response_timeout))
            .timeout_send_body(Some(config.response_timeout))
            .timeout_recv_response(Some(config.response_timeout))
            .timeout_recv_body(Some(config.response_timeout))
            .max_idle_connections(config.max_idle_per_host.saturating_mul(2))
            .max_idle_connections_per_host(config.max_idle_per_host)
            .build()
            .into();
        Self { agent }
    }
}

impl Default for UreqTransport {
    fn default() -> Self {
        Self::new(TransportConfig::default())
    }
}

/// Maps a ureq error: only failures that certainly happened before the request was written are
/// "not sent"; everything else may have reached Meta and is reported as such.
fn map_error(error: ureq::Error) -> TransportError {
    use ureq::{Error, Timeout};
    match error {
        Error::Timeout(Timeout::Resolve | Timeout::Connect) => TransportError::TimeoutBeforeSend,
        Error::Timeout(_) => TransportError::TimeoutAfterSend,
        Error::HostNotFound | Error::ConnectionFailed => {
            TransportError::Connect("could not connect".to_owned())
        }
        Error::Tls(reason) => TransportError::Connect(format!("tls: {reason}")),
        Error::Rustls(e) => TransportError::Connect(format!("tls: {e}")),
        Error::BadUri(_) | Error::Http(_) | Error::RequireHttpsOnly(_) => {
            TransportError::Connect("invalid request URL".to_owned())
        }
        // Kinds that only a connect() can produce (ureq surfaces a failed TCP connect as the
        // io error of its last address). HostUnreachable is deliberately absent: Linux also
        // reports it on an established socket, after the request may have been written.
        Error::Io(e)
            if matches!(
                e.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::NetworkDown
                    | ErrorKind::AddrNotAvailable
            ) =>
        {
            TransportError::Connect(format!("could not connect: {}", e.kind()))
        }
        Error::Io(e) if e.kind() == ErrorKind::TimedOut => TransportError::TimeoutAfterSend,
        other => TransportError::Io {
            written: true,
            detail: other.to_string(),
        },
    }
}

impl Transport for UreqTransport {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        let result = match (request.method, &request.body) {
            (Method::Get, _) => {
                let mut builder = self.agent.get(&request.url);
                for (name, value) in &request.headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                builder.call()
            }
            (Method::Post, body) => {
                let mut builder = self.agent.post(&request.url);
                for (name, value) in &request.headers {
                    builder = builder.header(name.as_str(), value.as_str());
                }
                builder.send(body.as_deref().unwrap_or_default())
            }
        };
        let mut response = result.map_err(map_error)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .body_mut()
            .with_config()
            .limit(8 * 1024 * 1024)
            .read_to_vec()
            .map_err(map_error)?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    fn io(kind: ErrorKind) -> ureq::Error {
        ureq::Error::Io(io::Error::from(kind))
    }

    #[test]
    fn failures_before_the_request_is_written_are_safe_to_retry() {
        use ureq::Timeout;
        for error in [
            ureq::Error::Timeout(Timeout::Resolve),
            ureq::Error::Timeout(Timeout::Connect),
            ureq::Error::HostNotFound,
            ureq::Error::ConnectionFailed,
            io(ErrorKind::ConnectionRefused),
            io(ErrorKind::NetworkUnreachable),
            io(ErrorKind::AddrNotAvailable),
        ] {
            let shown = error.to_string();
            assert!(
                !map_error(error).may_have_been_delivered(),
                "{shown} must be 'not sent'"
            );
        }
    }

    #[test]
    fn failures_after_the_request_may_have_been_written_are_unknown() {
        use ureq::Timeout;
        for error in [
            ureq::Error::Timeout(Timeout::SendRequest),
            ureq::Error::Timeout(Timeout::SendBody),
            ureq::Error::Timeout(Timeout::RecvResponse),
            ureq::Error::Timeout(Timeout::RecvBody),
            ureq::Error::Timeout(Timeout::Global),
            io(ErrorKind::TimedOut),
            io(ErrorKind::ConnectionReset),
            io(ErrorKind::UnexpectedEof),
            io(ErrorKind::BrokenPipe),
            io(ErrorKind::HostUnreachable),
            io(ErrorKind::InvalidData),
        ] {
            let shown = error.to_string();
            assert!(
                map_error(error).may_have_been_delivered(),
                "{shown} must be 'unknown'"
            );
        }
    }

    #[test]
    fn a_refused_connection_is_a_connect_error_end_to_end() {
        // A port that was just free: nothing listens on it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let transport = UreqTransport::default();
        let request = Request {
            method: Method::Post,
            url: format!("http://127.0.0.1:{port}/v25.0/1/messages"),
            headers: vec![("Authorization".to_owned(), "Bearer secret-token".to_owned())],
            body: Some(b"{}".to_vec()),
        };
        match transport.execute(&request) {
            Err(error @ TransportError::Connect(_)) => {
                assert!(!error.to_string().contains("secret-token"));
            }
            other => panic!("expected a connect error, got {other:?}"),
        }
    }
}
