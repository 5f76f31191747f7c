//! `CartPinger\Native\Webhook`: Meta's webhook handshake, signature check, event parsing and
//! monotonic status application (core `webhook`), for the plugin's REST controller.
//!
//! Every argument is a binary-safe string (`BinarySlice<u8>`): query parameters, headers and
//! bodies come from the network and need not be UTF-8. A non-UTF-8 value never verifies; it is
//! reported with the code of the first rule it fails, exactly as the core orders its rules.

use cartpinger_core::webhook::{
    self as core_webhook, CategoryChange, DeliveryState, ErrorDetail, Event, HandshakeError,
    InboundMessage, MessageKind, Origin, Skipped, Status, StatusEvent, StatusTimestamps,
    WebhookBatch,
};
use ext_php_rs::binary_slice::BinarySlice;
use ext_php_rs::boxed::ZBox;
use ext_php_rs::flags::ClassFlags;
use ext_php_rs::prelude::*;
use ext_php_rs::types::ZendHashTable;

use crate::errors;
use crate::guard::guard;

type Array = ZBox<ZendHashTable>;

/// Meta's webhooks: GET handshake, `X-Hub-Signature-256`, event parsing, delivery state.
#[php_class]
#[php(name = "CartPinger\\Native\\Webhook")]
#[php(flags = ClassFlags::Final)]
pub struct Webhook;

#[php_impl]
#[php(change_method_case = "snake_case")]
impl Webhook {
    /// Checks Meta's GET handshake (`hub.mode`, `hub.verify_token`, `hub.challenge`) against
    /// the stored verify token (constant-time). Returns the challenge to answer with (200,
    /// text/plain, verbatim); any exception means 403.
    ///
    /// @throws \CartPinger\Native\Exception\WebhookHandshakeException 6001 wrong mode, 6002 no
    /// token configured, 6003 token mismatch, 6004 invalid challenge.
    pub fn verify_subscription(
        mode: BinarySlice<'_, u8>,
        verify_token: BinarySlice<'_, u8>,
        challenge: BinarySlice<'_, u8>,
        expected_token: BinarySlice<'_, u8>,
    ) -> PhpResult<String> {
        guard(|| {
            handshake(&mode, &verify_token, &challenge, &expected_token)
                .map_err(errors::webhook_handshake)
        })
    }

    /// Verifies `X-Hub-Signature-256` (`$header`, '' when absent) against the RAW request body
    /// with the app secret, in constant time. Returns nothing on success.
    ///
    /// @throws \CartPinger\Native\Exception\WebhookSignatureException 6101 no app secret, 6102
    /// header missing, 6103 header malformed, 6104 signature does not match.
    pub fn verify_signature(
        raw_body: BinarySlice<'_, u8>,
        header: BinarySlice<'_, u8>,
        app_secret: BinarySlice<'_, u8>,
    ) -> PhpResult<()> {
        guard(|| {
            // A header that is not UTF-8 is present (not empty) but can never be well formed.
            let header = std::str::from_utf8(&header).unwrap_or("\u{1}");
            core_webhook::verify_signature(&raw_body, Some(header), &app_secret)
                .map_err(errors::webhook_signature)
        })
    }

    /// The `X-Hub-Signature-256` value Meta would send for `$raw_body`: "sha256=" and 64
    /// lowercase hex digits. For tests and the sandbox.
    pub fn sign(
        raw_body: BinarySlice<'_, u8>,
        app_secret: BinarySlice<'_, u8>,
    ) -> PhpResult<String> {
        guard(|| Ok(core_webhook::sign(&raw_body, &app_secret)))
    }

    /// Parses the RAW body of an event POST (verify the signature first). Returns
    /// `['ignored' => bool, 'object' => string, 'events' => list<array>, 'skipped' =>
    /// list<array{path: string, reason: string}>]`; each event has `kind` = status | message |
    /// error | other (see docs/contracts.md "Webhook API").
    ///
    /// @throws \CartPinger\Native\Exception\WebhookParseException 6201 too large, 6202 not JSON,
    /// 6203 not an envelope, 6204 no entry array.
    pub fn parse(raw_body: BinarySlice<'_, u8>) -> PhpResult<Array> {
        guard(|| {
            let batch = core_webhook::parse(&raw_body).map_err(errors::webhook_parse)?;
            batch_array(&batch)
        })
    }

    /// Applies a status (`sent`, `delivered`, `read`, `failed`, anything else changes nothing)
    /// to a message's stored state (`none`, `sent`, `delivered`, `read`, `failed`; any other
    /// value, e.g. `pending`, counts as `none`). Returns `['state' => string, 'changed' => bool,
    /// 'timestamps' => list<string>]`: the monotonic new state, whether it differs from
    /// `$current_state`'s delivery state, and the `*_at` columns the status provides (store
    /// each as the earliest value).
    pub fn apply_status(
        current_state: BinarySlice<'_, u8>,
        status: BinarySlice<'_, u8>,
    ) -> PhpResult<Array> {
        guard(|| {
            let current =
                DeliveryState::from_name(std::str::from_utf8(&current_state).unwrap_or(""));
            let status = std::str::from_utf8(&status)
                .map_or_else(|_| Status::Unknown(String::new()), Status::from_meta);
            let transition = core_webhook::apply_status(current, &status, 0);
            let mut out = ZendHashTable::new();
            out.insert("state", transition.new_state.as_str())?;
            out.insert("changed", transition.changed)?;
            out.insert("timestamps", timestamp_columns(transition.timestamps)?)?;
            Ok(out)
        })
    }
}

/// The text of a binary-safe argument, `None` when it is not UTF-8.
fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}

/// [`core_webhook::verify_subscription`] on bytes. Parts that are not UTF-8 are replaced by
/// values that fail the same rule (mode → wrong mode, challenge → invalid challenge, token →
/// mismatch), so the first failing rule is still the one reported.
fn handshake(
    mode: &[u8],
    verify_token: &[u8],
    challenge: &[u8],
    expected_token: &[u8],
) -> Result<String, HandshakeError> {
    let mode = text(mode).unwrap_or("");
    let challenge = text(challenge).unwrap_or("");
    match (text(verify_token), text(expected_token)) {
        (Some(given), Some(expected)) => {
            core_webhook::verify_subscription(mode, given, challenge, expected)
        }
        // A non-UTF-8 token can never match: keep the earlier rules, then fail the comparison.
        _ if expected_token.is_empty() => {
            core_webhook::verify_subscription(mode, "", challenge, "")
        }
        _ => core_webhook::verify_subscription(mode, "0", challenge, "1"),
    }
}

/// Clamps a Unix timestamp to PHP's int range (Meta's are far below it).
fn php_int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn timestamp_columns(ts: StatusTimestamps) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    let columns = [
        ("sent_at", ts.sent_at),
        ("delivered_at", ts.delivered_at),
        ("read_at", ts.read_at),
        ("failed_at", ts.failed_at),
    ];
    for (name, value) in columns {
        if value.is_some() {
            out.push(name)?;
        }
    }
    Ok(out)
}

fn batch_array(batch: &WebhookBatch) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    match batch {
        WebhookBatch::Ignored { object } => {
            out.insert("ignored", true)?;
            out.insert("object", object.as_str())?;
        }
        WebhookBatch::WhatsApp { .. } => {
            out.insert("ignored", false)?;
            out.insert("object", core_webhook::WHATSAPP_OBJECT)?;
        }
    }
    let mut events = ZendHashTable::new();
    for event in batch.events() {
        events.push(event_array(event)?)?;
    }
    out.insert("events", events)?;
    let mut skipped = ZendHashTable::new();
    for item in batch.skipped() {
        skipped.push(skipped_array(item)?)?;
    }
    out.insert("skipped", skipped)?;
    Ok(out)
}

fn event_array(event: &Event) -> PhpResult<Array> {
    match event {
        Event::Status(status) => status_array(status),
        Event::Message(message) => message_array(message),
        Event::Error(error) => {
            let mut out = ZendHashTable::new();
            out.insert("kind", "error")?;
            out.insert("origin", origin_array(&error.origin)?)?;
            out.insert("error", error_array(&error.error)?)?;
            Ok(out)
        }
        Event::Account(account) => {
            let mut out = ZendHashTable::new();
            out.insert("kind", "account")?;
            out.insert("origin", origin_array(&account.origin)?)?;
            out.insert("field", account.field.as_str())?;
            let mut values = ZendHashTable::new();
            for (key, value) in &account.values {
                values.insert(key.as_str(), value.as_str())?;
            }
            out.insert("value", values)?;
            match account.category_change() {
                Some(CategoryChange::Impending {
                    correct_category,
                    at,
                }) => {
                    out.insert("category_change", "impending")?;
                    out.insert("correct_category", correct_category)?;
                    out.insert("category_update_at", at.map(php_int))?;
                }
                Some(CategoryChange::Completed {
                    previous_category,
                    new_category,
                }) => {
                    out.insert("category_change", "completed")?;
                    out.insert("previous_category", previous_category)?;
                    out.insert("new_category", new_category)?;
                }
                None => out.insert("category_change", None::<String>)?,
            }
            Ok(out)
        }
        Event::OtherField { origin, field } => {
            let mut out = ZendHashTable::new();
            out.insert("kind", "other")?;
            out.insert("origin", origin_array(origin)?)?;
            out.insert("field", field.as_str())?;
            Ok(out)
        }
    }
}

fn status_array(status: &StatusEvent) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    out.insert("kind", "status")?;
    out.insert("origin", origin_array(&status.origin)?)?;
    out.insert("wamid", status.wamid.as_str())?;
    out.insert("status", status.status.as_str())?;
    out.insert("timestamp", php_int(status.timestamp))?;
    out.insert("recipient_id", status.recipient_id.clone())?;
    out.insert("recipient_user_id", status.recipient_user_id.clone())?;
    out.insert(
        "biz_opaque_callback_data",
        status.biz_opaque_callback_data.clone(),
    )?;
    out.insert("errors", errors_array(&status.errors)?)?;
    match &status.pricing {
        Some(pricing) => {
            let mut p = ZendHashTable::new();
            p.insert("billable", pricing.billable)?;
            p.insert("pricing_model", pricing.pricing_model.clone())?;
            p.insert("category", pricing.category.clone())?;
            p.insert("type", pricing.pricing_type.clone())?;
            out.insert("pricing", p)?;
        }
        None => out.insert("pricing", None::<String>)?,
    }
    match &status.conversation {
        Some(conversation) => {
            let mut c = ZendHashTable::new();
            c.insert("id", conversation.id.clone())?;
            c.insert(
                "expiration_timestamp",
                conversation.expiration_timestamp.map(php_int),
            )?;
            c.insert("origin_type", conversation.origin_type.clone())?;
            out.insert("conversation", c)?;
        }
        None => out.insert("conversation", None::<String>)?,
    }
    Ok(out)
}

fn message_array(message: &InboundMessage) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    out.insert("kind", "message")?;
    out.insert("origin", origin_array(&message.origin)?)?;
    out.insert("id", message.id.as_str())?;
    out.insert("from", message.from.clone())?;
    out.insert("user_id", message.user_id.clone())?;
    out.insert("profile_name", message.profile_name.clone())?;
    out.insert("timestamp", php_int(message.timestamp))?;
    out.insert("context_id", message.context_id.clone())?;
    // type: what we understood; text: what the user sees (body, button or row title);
    // payload: what we set (button id, row id, quick-reply payload).
    let (kind, text, payload, description, message_type): (
        &str,
        Option<&str>,
        Option<&str>,
        Option<&str>,
        &str,
    ) = match &message.kind {
        MessageKind::Text { body } => ("text", Some(body), None, None, "text"),
        MessageKind::ButtonReply { id, title } => {
            ("button_reply", Some(title), Some(id), None, "interactive")
        }
        MessageKind::ListReply {
            id,
            title,
            description,
        } => (
            "list_reply",
            Some(title),
            Some(id),
            description.as_deref(),
            "interactive",
        ),
        MessageKind::QuickReply { payload, text } => {
            ("quick_reply", Some(text), Some(payload), None, "button")
        }
        MessageKind::Other { message_type } => ("other", None, None, None, message_type),
    };
    out.insert("type", kind)?;
    out.insert("message_type", message_type)?;
    out.insert("text", text)?;
    out.insert("payload", payload)?;
    out.insert("description", description)?;
    out.insert("opt_out", core_webhook::is_opt_out(message))?;
    out.insert("errors", errors_array(&message.errors)?)?;
    Ok(out)
}

fn origin_array(origin: &Origin) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    out.insert("waba_id", origin.waba_id.clone())?;
    out.insert("phone_number_id", origin.phone_number_id.clone())?;
    out.insert("display_phone_number", origin.display_phone_number.clone())?;
    Ok(out)
}

fn errors_array(list: &[ErrorDetail]) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    for error in list {
        out.push(error_array(error)?)?;
    }
    Ok(out)
}

fn error_array(error: &ErrorDetail) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    out.insert("code", error.code)?;
    out.insert("title", error.title.as_str())?;
    out.insert("message", error.message.as_str())?;
    out.insert("details", error.details.clone())?;
    out.insert("href", error.href.clone())?;
    Ok(out)
}

fn skipped_array(item: &Skipped) -> PhpResult<Array> {
    let mut out = ZendHashTable::new();
    out.insert("path", item.path.as_str())?;
    out.insert("reason", item.reason)?;
    Ok(out)
}
