//! Meta error taxonomy: every Cloud API / Graph answer (and every transport failure) becomes one
//! [`Outcome`].
//!
//! The table in this module is the single place that knows what a Meta error code means for us.
//! It follows `shared/meta/README.md` §5.2 (codes, classes RETRY / THROTTLE / DROP / FIX / HALT)
//! and §6 (throughput and pair limits):
//!
//! | README class | [`Class`] | what the sender does |
//! |---|---|---|
//! | RETRY | [`Class::Transient`] | retry the same message with backoff ([`crate::retry`]) |
//! | THROTTLE | [`Class::RateLimited`] | back off at the [`RateScope`] named (global, one recipient, WABA …) |
//! | DROP | [`Class::Permanent`] with [`PermanentKind::Drop`] | never resend this message; the recipient or policy refused |
//! | FIX | [`Class::Permanent`] with [`PermanentKind::Fix`] | never resend as is; our request, template or config must change |
//! | HALT | [`Class::Fatal`] | stop **all** sending for the account and alert the admin |
//!
//! Rules that are not in the table:
//!
//! * branch on `error.code`, never on the HTTP status or the `message` title (README §5.1);
//!   the HTTP status is only used when the body carries no Graph error (5xx → transient,
//!   429 → rate limited, 401/403 → fatal, other 4xx → permanent);
//! * a code that the table does not know is classified by Graph's `is_transient` flag and then by
//!   the HTTP status, so a new Meta code never crashes or silently retries forever;
//! * a transport error whose request [may have been delivered](TransportError::may_have_been_delivered)
//!   is [`Outcome::Unknown`]: never resent blindly (Meta has no idempotency key), but reconciled
//!   through the status webhook (see [`crate::delivery::settle_unknown`]).

use serde::Deserialize;

use crate::transport::{Response, TransportError};

/// What one Graph call (or one asynchronous error) means for the message that caused it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Meta accepted the message (HTTP 2xx with a wamid). Accepted is not delivered: delivery and
    /// failure arrive by webhook.
    Accepted {
        /// The WhatsApp message id (`messages[0].id`), referenced by every status webhook.
        wamid: String,
        /// `messages[0].message_status` when present (`accepted`, `held_for_quality_assessment`,
        /// `paused`: pacing of a template), else `None`.
        message_status: Option<String>,
    },
    /// A temporary failure: retry the same message later with backoff.
    Transient {
        /// Meta's error code, `None` for HTTP/transport failures without one.
        code: Option<i64>,
        /// A server-given minimum wait (`Retry-After`, `x-business-use-case-usage`), if any.
        retry_after_ms: Option<u64>,
        /// English, human-readable reason (no secrets, no phone numbers).
        human: String,
    },
    /// A rate limit was hit: back off at the given scope, then retry.
    RateLimited {
        /// Meta's error code, `None` for a bare HTTP 429.
        code: Option<i64>,
        /// Who must slow down.
        scope: RateScope,
        /// A server-given minimum wait, if any.
        retry_after_ms: Option<u64>,
        /// English, human-readable reason.
        human: String,
    },
    /// This message can never succeed as it is: do not resend it.
    Permanent {
        /// Meta's error code (0 when the failure had no Meta code, e.g. a bare HTTP 404).
        code: i64,
        /// Drop (recipient/policy refused) or Fix (our request or template must change).
        kind: PermanentKind,
        /// Short title: Meta's `error_data.details` / `message` when given, else the table's.
        title: String,
        /// English sentence for the shop owner: what happened.
        human: String,
    },
    /// The account or configuration is broken: stop every send and alert the admin.
    Fatal {
        /// Meta's error code (0 when there was none, e.g. a bare HTTP 401).
        code: i64,
        /// English sentence for the shop owner: what happened.
        human: String,
        /// English sentence for the shop owner: what to do.
        action: String,
    },
    /// The request may have reached Meta but no answer came back: the message may or may not
    /// have been sent. Never resend blindly; reconcile via the status webhook.
    Unknown {
        /// What went wrong (no secrets).
        detail: String,
    },
}

impl Outcome {
    /// Short stable name of the class: `accepted`, `transient`, `rate_limited`, `permanent`,
    /// `fatal`, `unknown` (what the PHP queue stores and logs).
    #[must_use]
    pub fn class_name(&self) -> &'static str {
        match self {
            Self::Accepted { .. } => "accepted",
            Self::Transient { .. } => "transient",
            Self::RateLimited { .. } => "rate_limited",
            Self::Permanent { .. } => "permanent",
            Self::Fatal { .. } => "fatal",
            Self::Unknown { .. } => "unknown",
        }
    }

    /// Meta's error code, if this outcome came from one.
    #[must_use]
    pub fn code(&self) -> Option<i64> {
        match self {
            Self::Transient { code, .. } | Self::RateLimited { code, .. } => *code,
            Self::Permanent { code, .. } | Self::Fatal { code, .. } => Some(*code),
            Self::Accepted { .. } | Self::Unknown { .. } => None,
        }
    }

    /// True for [`Outcome::Transient`] and [`Outcome::RateLimited`]: the same message may be
    /// sent again later.
    #[must_use]
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Transient { .. } | Self::RateLimited { .. })
    }

    /// The server-given minimum wait, if any.
    #[must_use]
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            Self::Transient { retry_after_ms, .. } | Self::RateLimited { retry_after_ms, .. } => {
                *retry_after_ms
            }
            _ => None,
        }
    }

    /// The human-readable English explanation.
    #[must_use]
    pub fn human(&self) -> &str {
        match self {
            Self::Accepted { .. } => "Meta accepted the message.",
            Self::Transient { human, .. }
            | Self::RateLimited { human, .. }
            | Self::Permanent { human, .. }
            | Self::Fatal { human, .. } => human,
            Self::Unknown { detail } => detail,
        }
    }
}

/// Who has to slow down after a rate limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateScope {
    /// The business phone number's throughput (messages per second), code 130429.
    Throughput,
    /// One recipient: the pair rate limit, code 131056. Other recipients are unaffected.
    Recipient,
    /// The app's Graph call-rate limit, code 4 (mostly management calls).
    App,
    /// The WABA's management rate limit (200 or 5,000 requests/hour), code 80007.
    Waba,
    /// The number is restricted for spam (code 131048): cut volume for a long time.
    Spam,
    /// HTTP 429 without a Meta code.
    Unspecified,
}

/// The two kinds of permanent failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PermanentKind {
    /// The recipient or Meta's policy refused this message (README class DROP).
    Drop,
    /// Our request, template or configuration is wrong (README class FIX).
    Fix,
}

/// The class of a Meta error code (the table's verdict, without per-response details).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Class {
    /// README class RETRY.
    Transient,
    /// README class THROTTLE, with its scope.
    RateLimited(RateScope),
    /// README classes DROP and FIX.
    Permanent(PermanentKind),
    /// README class HALT.
    Fatal,
}

/// One row of the error table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// Meta's error code (for the 200–299 permission range: 200).
    pub code: i64,
    /// The class.
    pub class: Class,
    /// Short English title.
    pub title: &'static str,
    /// English sentence for the shop owner: what happened.
    pub human: &'static str,
    /// English sentence for the shop owner: what to do.
    pub action: &'static str,
    /// A minimum wait before retrying, when Meta documents one (e.g. 131057: about a minute).
    pub default_retry_after_ms: Option<u64>,
}

use Class::{Fatal, Permanent, RateLimited, Transient};
use PermanentKind::{Drop, Fix};

const fn row(
    code: i64,
    class: Class,
    title: &'static str,
    human: &'static str,
    action: &'static str,
) -> CodeInfo {
    CodeInfo {
        code,
        class,
        title,
        human,
        action,
        default_retry_after_ms: None,
    }
}

/// The error table (README §5.2). Order is irrelevant; lookups are by code.
pub static TABLE: &[CodeInfo] = &[
    // --- HALT: the account or configuration is broken -------------------------------------
    row(0, Fatal, "Authentication failed",
        "Meta could not authenticate CartPinger: the access token expired, was invalidated or its access was revoked.",
        "Generate a new access token (a system-user token is recommended) and enter it in CartPinger's settings."),
    row(3, Fatal, "Capability or permission issue",
        "The access token lacks a capability or permission that this request needs.",
        "Give the token the whatsapp_business_messaging and whatsapp_business_management permissions, then enter it again."),
    row(10, Fatal, "Permission denied",
        "The permission this request needs was not granted or has been removed from the access token.",
        "Give the token the whatsapp_business_messaging and whatsapp_business_management permissions, then enter it again."),
    row(33, Fatal, "Phone number deleted",
        "The WhatsApp business phone number configured in CartPinger has been deleted.",
        "Check the phone number ID in CartPinger's settings against WhatsApp Manager."),
    row(104, Fatal, "No access token",
        "The request reached Meta without an access token.",
        "Enter your access token in CartPinger's settings."),
    row(190, Fatal, "Access token expired or invalid",
        "Your WhatsApp access token has expired or is no longer valid.",
        "Generate a new access token (a permanent system-user token is recommended) and enter it in CartPinger's settings."),
    row(200, Fatal, "Permission missing",
        "The access token does not have the permission this request needs.",
        "Give the token the whatsapp_business_messaging and whatsapp_business_management permissions, then enter it again."),
    row(368, Fatal, "Temporarily blocked for policy violations",
        "Meta has temporarily blocked your WhatsApp Business Account for policy violations.",
        "Open the policy enforcement page in WhatsApp Manager, resolve the violation, and resume sending when the block ends."),
    row(131005, Fatal, "Permission denied",
        "The access token's WhatsApp permission was not granted or has been removed.",
        "Give the token the whatsapp_business_messaging permission and enter it again."),
    row(131031, Fatal, "Account locked",
        "Your WhatsApp Business Account is locked or restricted (a policy violation, or a wrong two-step verification PIN).",
        "Check the account's health status in WhatsApp Manager and fix the reason it was locked."),
    row(131037, Fatal, "Display name not approved",
        "This WhatsApp test number has no approved display name yet.",
        "Set and get approval for a display name for the number in WhatsApp Manager."),
    row(131042, Fatal, "Payment problem",
        "Meta refused the message because of a payment problem on the account (no payment method, credit limit reached, or account suspended).",
        "Fix the payment method in Meta Business Suite's billing settings."),
    row(131045, Fatal, "Phone number not registered",
        "The business phone number is not registered for the Cloud API.",
        "Register the phone number with the Cloud API in WhatsApp Manager."),
    row(131064, Fatal, "Messaging limit after template violations",
        "Meta limited this account's marketing messages after templates were found in the wrong category.",
        "Wait for the enforcement period to end and make sure every template uses the right category."),
    row(133010, Fatal, "Phone number not registered",
        "The business phone number is not registered on the WhatsApp Business Platform.",
        "Register the phone number in WhatsApp Manager."),
    // --- THROTTLE ----------------------------------------------------------------------------
    row(4, RateLimited(RateScope::App), "App rate limit",
        "The app reached its Graph API call-rate limit.",
        "Nothing to do: CartPinger waits and retries. Avoid refreshing the template list repeatedly."),
    row(80007, RateLimited(RateScope::Waba), "Account rate limit",
        "The WhatsApp Business Account reached its management-API rate limit (200 or 5,000 requests per hour).",
        "Nothing to do: CartPinger waits and retries. The template list is cached to avoid this."),
    row(130429, RateLimited(RateScope::Throughput), "Throughput reached",
        "The phone number's sending rate (messages per second) was reached.",
        "Nothing to do: CartPinger slows down and retries. Lower the send rate if this keeps happening."),
    row(131048, RateLimited(RateScope::Spam), "Spam rate limit",
        "The phone number is restricted because too many recipients blocked or reported your messages.",
        "Send fewer messages, review your templates' quality, and check the quality rating in WhatsApp Manager."),
    row(131056, RateLimited(RateScope::Recipient), "Pair rate limit",
        "Too many messages were sent to this customer in a short time.",
        "Nothing to do: CartPinger waits before messaging this customer again."),
    // --- RETRY -------------------------------------------------------------------------------
    row(1, Transient, "Invalid request or server error",
        "Meta reported an invalid request or a possible server error.",
        "CartPinger retries a few times; if it persists, check Meta's status page."),
    row(2, Transient, "Temporary service problem",
        "Meta's service is temporarily down or overloaded.",
        "Nothing to do: CartPinger retries later."),
    CodeInfo {
        default_retry_after_ms: Some(60_000),
        ..row(131057, Transient, "Account in maintenance mode",
            "The WhatsApp account is in maintenance mode (for example during a throughput upgrade).",
            "Nothing to do: CartPinger retries after about a minute.")
    },
    row(131000, Transient, "Unknown error",
        "Meta reported an unknown error.",
        "CartPinger retries a few times; if it persists, contact Meta support with the trace id."),
    row(131016, Transient, "Service unavailable",
        "The WhatsApp service is temporarily unavailable.",
        "Nothing to do: CartPinger retries later."),
    row(133004, Transient, "Server unavailable",
        "The WhatsApp server is temporarily unavailable.",
        "Nothing to do: CartPinger retries later."),
    // --- DROP: the recipient or policy refused -------------------------------------------------
    row(131021, Permanent(Drop), "Recipient is the sender",
        "The message was addressed to the shop's own WhatsApp business number.",
        "Test with a different phone number than the business number."),
    row(131026, Permanent(Drop), "Message undeliverable",
        "The message could not be delivered: the number is not on WhatsApp, has not accepted WhatsApp's terms, or uses a very old WhatsApp version.",
        "No action needed; CartPinger will not retry this number soon."),
    // Marketing only: order updates (utility) keep going, so the queue is not halted.
    row(131063, Permanent(Fix), "Marketing messages not accepted here",
        "Meta does not accept marketing templates on the Cloud API's /messages for this WhatsApp Business Account, so this cart reminder was not sent.",
        "Accept the Marketing Messages API terms in WhatsApp Manager; CartPinger then sends cart reminders through /marketing_messages."),
    row(131049, Permanent(Drop), "Not delivered to protect engagement",
        "Meta did not deliver this marketing message because the customer has recently received many marketing messages.",
        "No action needed; CartPinger does not resend this reminder."),
    row(131050, Permanent(Drop), "Customer stopped marketing messages",
        "The customer has chosen to stop receiving marketing messages from your business.",
        "No action needed; CartPinger sends this customer no more reminders."),
    row(130403, Permanent(Drop), "Customer blocked",
        "Your business has blocked this customer on WhatsApp.",
        "Unblock the customer in WhatsApp Manager if this was a mistake."),
    row(130472, Permanent(Drop), "Part of a Meta experiment",
        "Meta did not deliver the message because the customer's number is part of a WhatsApp experiment.",
        "No action needed."),
    row(130497, Permanent(Drop), "Country restricted",
        "Your WhatsApp Business Account may not message customers in this country.",
        "Check the account's messaging restrictions in WhatsApp Manager."),
    // --- FIX: our request, template or configuration must change -----------------------------
    row(100, Permanent(Fix), "Invalid parameter",
        "Meta rejected a parameter of the request as invalid or unsupported.",
        "Check the phone number ID, WhatsApp Business Account ID and template settings."),
    row(131008, Permanent(Fix), "Required parameter missing",
        "A required parameter was missing from the request.",
        "Update CartPinger; if it persists, report it with the trace id."),
    row(131009, Permanent(Fix), "Parameter value invalid",
        "A value in the request is invalid (for example the phone number).",
        "Check the customer's phone number and the template parameters."),
    row(131030, Permanent(Fix), "Recipient not on the test list",
        "The customer's number is not on the allowed list of your WhatsApp test number.",
        "Add the number to the test number's allowed list, or use a production phone number."),
    row(131047, Permanent(Fix), "Outside the 24-hour window",
        "More than 24 hours have passed since the customer last wrote, so only templates can be sent.",
        "Send an approved template instead of a free-form message."),
    row(131051, Permanent(Fix), "Unsupported message type",
        "Meta does not support this message type.",
        "Update CartPinger; this is not a rate limit."),
    row(131052, Permanent(Fix), "Media download failed",
        "Meta could not download the media of an incoming message.",
        "Ask the customer to send the file again."),
    row(131053, Permanent(Fix), "Media upload failed",
        "Meta could not fetch the media of the message.",
        "Check the media file's type and URL."),
    row(132000, Permanent(Fix), "Template parameter count mismatch",
        "The number of parameters does not match the template published on WhatsApp.",
        "Refresh the templates in CartPinger and make sure the published template matches CartPinger's template."),
    row(132001, Permanent(Fix), "Template not found",
        "The template does not exist in this language or is not approved yet.",
        "Submit the template in this language from CartPinger's Templates page and wait for approval."),
    row(132005, Permanent(Fix), "Translated text too long",
        "The template's text is too long after the parameters were filled in.",
        "Shorten the template text."),
    row(132007, Permanent(Fix), "Template violates policy",
        "The template's content violates WhatsApp's policy.",
        "Edit the template's content and submit it again."),
    row(132012, Permanent(Fix), "Template parameter format mismatch",
        "A parameter value does not match the format of the template's variable.",
        "Refresh the templates in CartPinger and check the published template's variables."),
    row(132015, Permanent(Fix), "Template paused",
        "The template is paused because of low quality.",
        "Edit the template in WhatsApp Manager; sending resumes once it is approved again."),
    row(132016, Permanent(Fix), "Template disabled",
        "The template was permanently disabled after being paused repeatedly.",
        "Create a new template with a different name."),
    row(132018, Permanent(Fix), "Template parameter invalid",
        "A template parameter failed Meta's validation.",
        "Check the template parameters (no line breaks, tabs or long runs of spaces)."),
    row(135000, Permanent(Fix), "Invalid request parameters",
        "Meta reported an unknown error with the request parameters.",
        "Update CartPinger; if it persists, report it with the trace id."),
    row(470, Permanent(Fix), "Outside the 24-hour window (legacy)",
        "More than 24 hours have passed since the customer last replied (legacy On-Premises code).",
        "Send an approved template instead of a free-form message."),
    row(2388019, Permanent(Fix), "Too many templates",
        "Your WhatsApp Business Account has reached its limit of 250 templates.",
        "Delete templates you no longer use in WhatsApp Manager."),
    row(2388024, Permanent(Fix), "Template already exists",
        "A template with this name already exists in this language.",
        "Nothing to submit: refresh the templates, or delete the existing one first."),
];

/// The table row for a Meta error code. Codes 200–299 share the row of 200 (permissions).
#[must_use]
pub fn lookup(code: i64) -> Option<&'static CodeInfo> {
    let key = if (200..=299).contains(&code) {
        200
    } else {
        code
    };
    TABLE.iter().find(|r| r.code == key)
}

/// The class of a Meta error code, `None` when the table does not know it.
#[must_use]
pub fn classify_code(code: i64) -> Option<Class> {
    lookup(code).map(|r| r.class)
}

/// A Graph error object (`{"error": {...}}` body), as far as we use it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GraphError {
    /// `error.code`.
    pub code: Option<i64>,
    /// `error.error_subcode` (deprecated but still sent, e.g. 2388024).
    pub subcode: Option<i64>,
    /// `error.message` (`"(#130429) Rate limit hit"`): for logs only, never parsed.
    pub message: Option<String>,
    /// `error.type` (`OAuthException`).
    pub error_type: Option<String>,
    /// `error.error_data.details`: Meta's human-readable reason.
    pub details: Option<String>,
    /// `error.error_user_msg`, when Graph gives one.
    pub user_message: Option<String>,
    /// `error.is_transient`.
    pub is_transient: Option<bool>,
    /// `error.fbtrace_id`: what Meta support asks for. Log it.
    pub fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: RawError,
}

#[derive(Deserialize)]
struct RawError {
    code: Option<serde_json::Value>,
    error_subcode: Option<serde_json::Value>,
    message: Option<String>,
    #[serde(rename = "type")]
    error_type: Option<String>,
    error_data: Option<serde_json::Value>,
    error_user_msg: Option<String>,
    is_transient: Option<bool>,
    fbtrace_id: Option<String>,
}

fn json_int(v: Option<&serde_json::Value>) -> Option<i64> {
    match v? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

impl GraphError {
    /// Parses a Graph error body. `None` when the body is not `{"error": {...}}`.
    #[must_use]
    pub fn parse(body: &[u8]) -> Option<Self> {
        let env: ErrorEnvelope = serde_json::from_slice(body).ok()?;
        let e = env.error;
        let details = match &e.error_data {
            Some(serde_json::Value::Object(m)) => m
                .get("details")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        Some(Self {
            code: json_int(e.code.as_ref()),
            subcode: json_int(e.error_subcode.as_ref()),
            message: e.message,
            error_type: e.error_type,
            details,
            user_message: e.error_user_msg,
            is_transient: e.is_transient,
            fbtrace_id: e.fbtrace_id,
        })
    }
}

/// Classifies one Meta error by code (synchronous or from a webhook's `errors[]`).
///
/// `title` is Meta's `error_data.details` or `title` when known (kept for the log); the human
/// sentence always comes from the table, so it is English and stable. Codes the table does not
/// know are [`Outcome::Permanent`] with kind [`PermanentKind::Fix`]: for a webhook error the
/// message has already failed, and a synchronous error of unknown meaning is not worth retrying
/// blindly (use [`outcome_from_response`] for HTTP answers, which also looks at the status).
#[must_use]
pub fn outcome_for_code(code: i64, title: Option<&str>, retry_after_ms: Option<u64>) -> Outcome {
    match lookup(code) {
        Some(info) => outcome_from_info(info, code, title, retry_after_ms),
        None => Outcome::Permanent {
            code,
            kind: PermanentKind::Fix,
            title: title.map_or_else(|| format!("Meta error {code}"), str::to_owned),
            human: format!("Meta refused the message with error code {code}."),
        },
    }
}

fn outcome_from_info(
    info: &CodeInfo,
    code: i64,
    title: Option<&str>,
    retry_after_ms: Option<u64>,
) -> Outcome {
    let retry_after_ms = retry_after_ms.or(info.default_retry_after_ms);
    match info.class {
        Class::Transient => Outcome::Transient {
            code: Some(code),
            retry_after_ms,
            human: info.human.to_owned(),
        },
        Class::RateLimited(scope) => Outcome::RateLimited {
            code: Some(code),
            scope,
            retry_after_ms,
            human: info.human.to_owned(),
        },
        Class::Permanent(kind) => Outcome::Permanent {
            code,
            kind,
            title: title.unwrap_or(info.title).to_owned(),
            human: info.human.to_owned(),
        },
        Class::Fatal => Outcome::Fatal {
            code,
            human: info.human.to_owned(),
            action: info.action.to_owned(),
        },
    }
}

/// Classifies a non-2xx HTTP response (any Graph endpoint).
///
/// Order: the Graph error code via the table (with subcode 2388024 → "template already
/// exists"); an unknown code with `is_transient: true` → transient; otherwise the HTTP status.
/// `Retry-After` and `x-business-use-case-usage` are honoured as `retry_after_ms`.
#[must_use]
pub fn outcome_from_response(response: &Response) -> Outcome {
    let retry_after_ms = retry_after_from_headers(&response.headers);
    let graph = GraphError::parse(&response.body);
    let status = response.status;
    if let Some(g) = &graph {
        let title = g.details.as_deref().or(g.message.as_deref());
        if let Some(code) = g.code {
            if g.subcode == Some(2388024) {
                return outcome_for_code(2388024, title, retry_after_ms);
            }
            if let Some(info) = lookup(code) {
                return outcome_from_info(info, code, title, retry_after_ms);
            }
            if g.is_transient == Some(true) {
                return Outcome::Transient {
                    code: Some(code),
                    retry_after_ms,
                    human: format!("Meta reported a temporary error (code {code})."),
                };
            }
            return by_status(status, Some(code), title, retry_after_ms);
        }
    }
    by_status(status, None, None, retry_after_ms)
}

fn by_status(
    status: u16,
    code: Option<i64>,
    title: Option<&str>,
    retry_after_ms: Option<u64>,
) -> Outcome {
    let shown = code.unwrap_or(0);
    match status {
        429 => Outcome::RateLimited {
            code,
            scope: RateScope::Unspecified,
            retry_after_ms,
            human: "Meta asked CartPinger to slow down (HTTP 429).".to_owned(),
        },
        401 | 403 => Outcome::Fatal {
            code: shown,
            human: format!("Meta refused the access token or its permissions (HTTP {status})."),
            action: "Check the access token and its permissions in CartPinger's settings."
                .to_owned(),
        },
        408 | 500..=599 => Outcome::Transient {
            code,
            retry_after_ms,
            human: format!("Meta's server answered HTTP {status}."),
        },
        _ => Outcome::Permanent {
            code: shown,
            kind: PermanentKind::Fix,
            title: title.map_or_else(|| format!("HTTP {status}"), str::to_owned),
            human: match code {
                Some(c) => format!("Meta refused the request with error code {c} (HTTP {status})."),
                None => format!("Meta refused the request (HTTP {status})."),
            },
        },
    }
}

/// Classifies a transport failure: [`Outcome::Unknown`] when the request may have reached Meta,
/// else [`Outcome::Transient`] (nothing was sent, so a resend cannot duplicate).
#[must_use]
pub fn outcome_from_transport_error(error: &TransportError) -> Outcome {
    if error.may_have_been_delivered() {
        Outcome::Unknown {
            detail: format!(
                "No answer from Meta after the request was sent ({error}); the message may or may not have been sent."
            ),
        }
    } else {
        Outcome::Transient {
            code: None,
            retry_after_ms: None,
            human: format!("Could not reach Meta ({error})."),
        }
    }
}

/// The longest server-given wait we accept (24 h); anything longer is clamped.
const MAX_SERVER_WAIT_MS: u64 = 24 * 3_600_000;

/// Reads a minimum wait from response headers (names compared case-insensitively):
///
/// * `Retry-After: <seconds>` (HTTP-date values are ignored: the core has no clock);
/// * `x-business-use-case-usage`: the largest `estimated_time_to_regain_access` over all
///   entries, **in minutes** (Graph's rate-limiting documentation; the README only names the
///   field). Zero means "not throttled" and is ignored.
///
/// The larger of the two wins; clamped to 24 h.
#[must_use]
pub fn retry_after_from_headers(headers: &[(String, String)]) -> Option<u64> {
    let mut best: Option<u64> = None;
    for (name, value) in headers {
        let ms = if name.eq_ignore_ascii_case("retry-after") {
            value
                .trim()
                .parse::<u64>()
                .ok()
                .map(|s| s.saturating_mul(1000))
        } else if name.eq_ignore_ascii_case("x-business-use-case-usage") {
            buc_wait_minutes(value).map(|m| m.saturating_mul(60_000))
        } else {
            None
        };
        if let Some(ms) = ms.filter(|ms| *ms > 0) {
            best = Some(best.map_or(ms, |b| b.max(ms)));
        }
    }
    best.map(|ms| ms.min(MAX_SERVER_WAIT_MS))
}

fn buc_wait_minutes(value: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(value).ok()?;
    let mut best: Option<u64> = None;
    let mut consider = |entry: &serde_json::Value| {
        let m = entry.get("estimated_time_to_regain_access").and_then(|x| {
            x.as_u64()
                .or_else(|| x.as_f64().map(|f| f.max(0.0).ceil() as u64))
        });
        if let Some(m) = m {
            best = Some(best.map_or(m, |b| b.max(m)));
        }
    };
    if let serde_json::Value::Object(map) = &v {
        for per_id in map.values() {
            match per_id {
                serde_json::Value::Array(items) => items.iter().for_each(&mut consider),
                other => consider(other),
            }
        }
    }
    best
}
