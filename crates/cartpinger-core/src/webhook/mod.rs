//! Webhooks, in the core: the GET handshake, the `X-Hub-Signature-256` check, parsing event
//! POSTs into typed events, monotonic status application and opt-out detection.
//!
//! Reference: `shared/meta/README.md` §7 (webhooks), §0.8 and §7.3 (signatures). Fixtures:
//! `tests/fixtures/meta/webhooks/`.
//!
//! How the plugin uses it, per request:
//!
//! 1. `GET`: [`verify_subscription`]`(hub_mode, hub_verify_token, hub_challenge, stored_token)`
//!    → 200 `text/plain` with the returned challenge, or 403.
//! 2. `POST`: read the **raw** body; [`verify_signature`]`(body, header, app_secret)`; on error
//!    answer 401/403 and stop. Then [`parse`]; answer 200 quickly, also when items were
//!    [skipped](WebhookBatch::skipped) (log them), the batch is
//!    [ignored](WebhookBatch::Ignored) or [`parse`] returned a [`ParseError`] (log it: the body
//!    is authentic, and Meta's retries for 7 days would not parse either).
//! 3. For each [`StatusEvent`]: find the message by `wamid` (or by
//!    `biz_opaque_callback_data`), [`apply`] it to the stored [`DeliveryState`], write the
//!    [`Transition`]. Duplicates and any arrival order converge to the same row.
//! 4. For each [`InboundMessage`]: record the inbound time (24 h window); if [`is_opt_out`],
//!    suppress the user.
//! 5. For each [`WebhookError`]: classify its code with [`crate::meta_error`] (e.g. 130429
//!    throttles sending).

mod error;
mod event;
mod handshake;
mod opt_out;
mod parse;
mod signature;
mod status;

pub use error::{HandshakeError, ParseError, SignatureError};
pub use event::{
    AccountEvent, CategoryChange, Conversation, ErrorDetail, Event, InboundMessage, MessageKind,
    Origin, Pricing, Skipped, Status, StatusEvent, WebhookBatch, WebhookError, ACCOUNT_FIELDS,
};
pub use handshake::{verify_subscription, MAX_CHALLENGE_LEN};
pub use opt_out::{
    is_opt_out, is_opt_out_text, normalize as normalize_opt_out, OPT_OUT_KEYWORDS, OPT_OUT_PAYLOADS,
};
pub use parse::{parse, MAX_BODY_LEN, WHATSAPP_OBJECT};
pub use signature::{sign, verify_signature, SIGNATURE_HEADER};
pub use status::{apply, apply_status, DeliveryState, StatusTimestamps, Transition};
