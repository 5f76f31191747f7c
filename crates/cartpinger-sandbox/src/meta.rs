//! Meta's wire conventions, implemented independently of `cartpinger-core`: the Graph error
//! shape (README §5.1), error titles and HTTP statuses, wamid / fbtrace ids, the webhook
//! signature (README §7.2) and Meta's `\uXXXX` body escaping.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

/// A Graph API error, ready to be rendered as Meta's `{"error":{…}}` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphError {
    /// HTTP status of the answer.
    pub http_status: u16,
    /// Meta's error `code`.
    pub code: i64,
    /// Optional (deprecated but still seen) `error_subcode`.
    pub subcode: Option<i64>,
    /// Title, rendered as `message: "(#code) title"`.
    pub title: String,
    /// `error_data.details`.
    pub details: String,
    /// Adds `is_transient: true` (Graph's generic error object).
    pub transient: bool,
}

impl GraphError {
    /// An error with the default title and HTTP status for `code`.
    #[must_use]
    pub fn new(code: i64, details: impl Into<String>) -> Self {
        let info = code_info(code);
        Self {
            http_status: info.http_status,
            code,
            subcode: None,
            title: info.title.to_owned(),
            details: details.into(),
            transient: false,
        }
    }

    /// Code 100, "Invalid parameter", HTTP 400.
    #[must_use]
    pub fn invalid_parameter(details: impl Into<String>) -> Self {
        Self::new(100, details)
    }

    /// Sets the subcode.
    #[must_use]
    pub fn with_subcode(mut self, subcode: i64) -> Self {
        self.subcode = Some(subcode);
        self
    }

    /// Overrides the title.
    #[must_use]
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// Meta's JSON body.
    #[must_use]
    pub fn body(&self) -> Value {
        let mut error = json!({
            "message": format!("(#{}) {}", self.code, self.title),
            "type": "OAuthException",
            "code": self.code,
            "error_data": { "messaging_product": "whatsapp", "details": self.details },
            "fbtrace_id": fbtrace_id(),
        });
        if let Some(map) = error.as_object_mut() {
            if let Some(sub) = self.subcode {
                map.insert("error_subcode".to_owned(), json!(sub));
            }
            if self.transient {
                map.insert("is_transient".to_owned(), json!(true));
            }
        }
        json!({ "error": error })
    }

    /// The error object used inside a `failed` status webhook (README §5.1, asynchronous).
    #[must_use]
    pub fn webhook_error(&self) -> Value {
        json!({
            "code": self.code,
            "title": self.title,
            "message": self.title,
            "error_data": { "details": self.details },
            "href": "/documentation/business-messaging/whatsapp/support/error-codes",
        })
    }
}

/// Default title and HTTP status of a Meta error code.
#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    /// Meta's title (README §5.2).
    pub title: &'static str,
    /// The HTTP status the sandbox answers with (the spec's examples: 400 parameters, 401 token,
    /// 403 permissions; 5xx for server-side transients; 429 for rate limits). Clients must
    /// branch on the code, never on this (README §5.1).
    pub http_status: u16,
}

/// Title and HTTP status per code (README §5.2).
#[must_use]
pub fn code_info(code: i64) -> CodeInfo {
    let (title, http_status) = match code {
        0 => ("AuthException", 401),
        1 => ("An unknown error occurred", 500),
        2 => ("Service temporarily unavailable", 503),
        3 => ("Capability or permissions issue", 403),
        4 => ("Application request limit reached", 429),
        10 => ("Permission denied", 403),
        33 => ("Business phone number deleted", 400),
        100 => ("Invalid parameter", 400),
        104 => ("An access token is required to request this resource", 401),
        190 => ("Invalid OAuth access token", 401),
        200..=299 => ("Permission denied", 403),
        368 => ("Temporarily blocked for policies violations", 403),
        80007 => ("Rate limit issues", 429),
        130403 => ("Business has blocked this user", 400),
        130429 => ("Rate limit hit", 429),
        130472 => ("User's number is part of an experiment", 400),
        130497 => ("Business account is restricted from messaging users in this country", 400),
        131000 => ("Something went wrong", 500),
        131005 => ("Access denied", 403),
        131008 => ("Required parameter is missing", 400),
        131009 => ("Parameter value is not valid", 400),
        131016 => ("Service unavailable", 503),
        131021 => ("Recipient cannot be sender", 400),
        131026 => ("Message undeliverable", 400),
        131031 => ("Account has been locked", 403),
        131042 => ("Business eligibility payment issue", 400),
        131045 => ("Incorrect certificate", 400),
        131047 => ("Re-engagement message", 400),
        131048 => ("Spam rate limit hit", 429),
        131049 => (
            "This message was not delivered to maintain healthy ecosystem engagement.",
            400,
        ),
        131050 => ("Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business", 400),
        131051 => ("Unsupported message type", 400),
        131056 => ("(Business Account, Consumer Account) pair rate limit hit", 429),
        131057 => ("Account in maintenance mode", 503),
        131063 => ("Marketing messages disabled on Cloud API", 400),
        131064 => ("Messaging limit reached", 400),
        132000 => ("Number of parameters does not match the expected number of params", 400),
        132001 => ("Template name does not exist in the translation", 404),
        132005 => ("Translated text too long", 400),
        132007 => ("Template format character policy violated", 400),
        132012 => ("Parameter format does not match format in the created template", 400),
        132015 => ("Template is paused", 400),
        132016 => ("Template is disabled", 400),
        132018 => ("There was an issue with the parameters in your template", 400),
        133004 => ("Server temporarily unavailable", 503),
        133010 => ("Phone number not registered", 400),
        135000 => ("Generic user error", 400),
        2388019 => ("Message template limit exceeded", 400),
        _ => ("Error", 400),
    };
    CodeInfo { title, http_status }
}

/// Milliseconds since the Unix epoch.
#[must_use]
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Seconds since the Unix epoch, as Meta's webhooks carry them: a string.
#[must_use]
pub fn unix_seconds_string() -> String {
    (now_ms() / 1000).to_string()
}

static SEQ: AtomicU64 = AtomicU64::new(1);

fn next_seq() -> u64 {
    SEQ.fetch_add(1, Ordering::Relaxed)
}

/// A cheap non-cryptographic 64-bit mix (splitmix64) of a sequence number and the clock.
fn mixed(seed: u64) -> u64 {
    let mut z = seed
        .wrapping_add(
            u64::try_from(now_ms())
                .unwrap_or(0)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15),
        )
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A new, unique wamid (`wamid.` + base64, shaped like Meta's: it embeds the user's number).
#[must_use]
pub fn new_wamid(wa_id: &str) -> String {
    let seq = next_seq();
    let raw = format!(
        "\u{18}\u{b}{wa_id}\u{15}\u{2}\0\u{11}\u{18}\u{12}{:016X}{seq:06X}",
        mixed(seq)
    );
    format!(
        "wamid.{}",
        base64::engine::general_purpose::STANDARD.encode(raw.as_bytes())
    )
}

/// A Graph-style `fbtrace_id` (23 URL-safe characters).
#[must_use]
pub fn fbtrace_id() -> String {
    let a = mixed(next_seq());
    let b = mixed(a);
    let mut bytes = a.to_le_bytes().to_vec();
    bytes.extend_from_slice(&b.to_le_bytes());
    let mut s = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    s.truncate(23);
    s
}

/// A numeric Graph id (templates).
#[must_use]
pub fn new_numeric_id() -> String {
    format!(
        "{}",
        1_000_000_000_000_000 + (mixed(next_seq()) % 899_999_999_999_999)
    )
}

/// `sha256=<lowercase hex HMAC-SHA256(key = app secret, msg = raw body)>` (README §7.2).
#[must_use]
pub fn signature_header(app_secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(app_secret.as_bytes()) else {
        // HMAC accepts keys of any length; this branch is unreachable in practice.
        return String::from("sha256=");
    };
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + 64);
    out.push_str("sha256=");
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Serialises JSON compactly with every non-ASCII character escaped as `\uXXXX` (lowercase hex,
/// UTF-16 surrogate pairs above U+FFFF), the way Meta generates webhook bodies (README §7.2).
#[must_use]
pub fn meta_json_bytes(value: &Value) -> Vec<u8> {
    let compact = value.to_string();
    let mut out = String::with_capacity(compact.len() + 16);
    for ch in compact.chars() {
        if ch.is_ascii() {
            out.push(ch);
        } else {
            let mut units = [0u16; 2];
            for unit in ch.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_vector_v1() {
        // README §7.3 V1.
        assert_eq!(
            signature_header("secret", b"test"),
            "sha256=0329a06b62cd16b33eb6792be8c60b158d89a2ee3a876fce9a881ebb488c0914"
        );
    }

    #[test]
    fn escapes_like_meta() {
        let v = json!({"a": "é😀"});
        assert_eq!(
            String::from_utf8(meta_json_bytes(&v)).unwrap(),
            r#"{"a":"\u00e9\ud83d\ude00"}"#
        );
    }

    #[test]
    fn wamids_are_unique() {
        let a = new_wamid("16505551234");
        let b = new_wamid("16505551234");
        assert!(a.starts_with("wamid."));
        assert_ne!(a, b);
    }

    #[test]
    fn error_shape() {
        let b = GraphError::new(130429, "Cloud API message throughput has been reached.").body();
        assert_eq!(b["error"]["message"], "(#130429) Rate limit hit");
        assert_eq!(b["error"]["type"], "OAuthException");
        assert_eq!(b["error"]["error_data"]["messaging_product"], "whatsapp");
        assert!(b["error"]["fbtrace_id"].as_str().unwrap().len() >= 20);
    }
}
