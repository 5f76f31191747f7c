//! Parsing event POSTs (README §7.4–§7.6) into [`WebhookBatch`].
//!
//! The parser is deliberately forgiving *inside* the envelope: Meta adds fields over time
//! (forward compatibility: unknown fields are ignored), types can drift, and a non-200 answer
//! makes Meta retry the whole batch for 7 days. So only a body that is not a JSON envelope at
//! all is an error; an unusable item is reported in `skipped` and the rest is still returned.
//!
//! Per item, the **required** fields are: for a status `id` (non-empty), `status` and
//! `timestamp`; for a message `id` (non-empty) and `timestamp`. A timestamp is a string of 1 to
//! 20 ASCII digits that fits in `u64` (a JSON integer is accepted too). Every other field is
//! optional: when it has an unexpected JSON type it is treated as absent. Id-like fields (`id`,
//! `from`, `recipient_id`, …) also accept a JSON integer and keep its decimal text.

use serde_json::{Map, Value};

use super::error::ParseError;
use super::event::{
    AccountEvent, Conversation, ErrorDetail, Event, InboundMessage, MessageKind, Origin, Pricing,
    Skipped, Status, StatusEvent, WebhookBatch, WebhookError, ACCOUNT_FIELDS,
};

/// Largest body [`parse`] accepts, in bytes (Meta documents up to 3 MB per POST).
pub const MAX_BODY_LEN: usize = 8 * 1024 * 1024;

/// The only `object` we handle.
pub const WHATSAPP_OBJECT: &str = "whatsapp_business_account";

/// Parses the raw body of an event POST. Verify the signature first
/// ([`super::verify_signature`]); `parse` does not authenticate anything.
///
/// # Errors
///
/// [`ParseError::TooLarge`] above [`MAX_BODY_LEN`]; [`ParseError::InvalidJson`] when the body is
/// not JSON; [`ParseError::NotAnEnvelope`] when it is not an object with a string `object`;
/// [`ParseError::MissingEntries`] when a `whatsapp_business_account` envelope has no `entry`
/// array. Any other `object` is `Ok(`[`WebhookBatch::Ignored`]`)`.
pub fn parse(raw_body: &[u8]) -> Result<WebhookBatch, ParseError> {
    if raw_body.len() > MAX_BODY_LEN {
        return Err(ParseError::TooLarge);
    }
    let root: Value = serde_json::from_slice(raw_body).map_err(|_| ParseError::InvalidJson)?;
    let object = root
        .get("object")
        .and_then(Value::as_str)
        .ok_or(ParseError::NotAnEnvelope)?;
    if object != WHATSAPP_OBJECT {
        return Ok(WebhookBatch::Ignored {
            object: object.to_owned(),
        });
    }
    let entries = root
        .get("entry")
        .and_then(Value::as_array)
        .ok_or(ParseError::MissingEntries)?;
    let mut out = Collector::default();
    for (i, entry) in entries.iter().enumerate() {
        out.entry(&format!("entry[{i}]"), entry);
    }
    Ok(WebhookBatch::WhatsApp {
        events: out.events,
        skipped: out.skipped,
    })
}

#[derive(Default)]
struct Collector {
    events: Vec<Event>,
    skipped: Vec<Skipped>,
}

impl Collector {
    fn skip(&mut self, path: String, reason: &'static str) {
        self.skipped.push(Skipped { path, reason });
    }

    fn entry(&mut self, path: &str, entry: &Value) {
        let Some(entry) = entry.as_object() else {
            return self.skip(path.to_owned(), "entry is not an object");
        };
        let waba_id = id_like(entry.get("id"));
        let Some(changes) = entry.get("changes").and_then(Value::as_array) else {
            return self.skip(path.to_owned(), "missing \"changes\" array");
        };
        for (j, change) in changes.iter().enumerate() {
            self.change(&format!("{path}.changes[{j}]"), waba_id.clone(), change);
        }
    }

    fn change(&mut self, path: &str, waba_id: Option<String>, change: &Value) {
        let Some(change) = change.as_object() else {
            return self.skip(path.to_owned(), "change is not an object");
        };
        let value = change.get("value").and_then(Value::as_object);
        let metadata = value
            .and_then(|v| v.get("metadata"))
            .and_then(Value::as_object);
        let origin = Origin {
            waba_id,
            phone_number_id: metadata.and_then(|m| id_like(m.get("phone_number_id"))),
            display_phone_number: metadata.and_then(|m| id_like(m.get("display_phone_number"))),
        };
        let Some(field) = change.get("field").and_then(Value::as_str) else {
            return self.skip(path.to_owned(), "missing \"field\"");
        };
        if ACCOUNT_FIELDS.contains(&field) {
            let mut values = std::collections::BTreeMap::new();
            for (key, member) in value.into_iter().flatten() {
                let text = match member {
                    Value::String(v) => v.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => continue,
                };
                values.insert(key.clone(), text);
            }
            self.events.push(Event::Account(AccountEvent {
                origin,
                field: field.to_owned(),
                values,
            }));
            return;
        }
        if field != "messages" {
            self.events.push(Event::OtherField {
                origin,
                field: field.to_owned(),
            });
            return;
        }
        let Some(value) = value else {
            return self.skip(format!("{path}.value"), "missing \"value\" object");
        };
        let contacts = value
            .get("contacts")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        for (k, status) in array(value, "statuses").iter().enumerate() {
            let item_path = format!("{path}.value.statuses[{k}]");
            match status_event(&origin, status) {
                Ok(event) => self.events.push(Event::Status(event)),
                Err(reason) => self.skip(item_path, reason),
            }
        }
        for (k, message) in array(value, "messages").iter().enumerate() {
            let item_path = format!("{path}.value.messages[{k}]");
            match inbound_message(&origin, contacts, message) {
                Ok(event) => self.events.push(Event::Message(event)),
                Err(reason) => self.skip(item_path, reason),
            }
        }
        for (k, error) in array(value, "errors").iter().enumerate() {
            match error_detail(error) {
                Some(error) => self.events.push(Event::Error(WebhookError {
                    origin: origin.clone(),
                    error,
                })),
                None => self.skip(
                    format!("{path}.value.errors[{k}]"),
                    "error is not an object",
                ),
            }
        }
    }
}

fn array<'a>(object: &'a Map<String, Value>, key: &str) -> &'a [Value] {
    object
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
}

fn string(value: Option<&Value>) -> Option<String> {
    value.and_then(Value::as_str).map(str::to_owned)
}

/// A string, or an integer's decimal text (ids, phone numbers).
fn id_like(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) if n.is_u64() || n.is_i64() => Some(n.to_string()),
        _ => None,
    }
}

/// A non-empty id, required.
fn required_id(value: Option<&Value>) -> Option<String> {
    id_like(value).filter(|s| !s.is_empty())
}

/// Unix seconds: a string of 1–20 ASCII digits fitting in `u64`, or a JSON unsigned integer.
fn timestamp(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::String(s) => {
            if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

fn error_detail(value: &Value) -> Option<ErrorDetail> {
    let error = value.as_object()?;
    Some(ErrorDetail {
        code: error.get("code").and_then(Value::as_i64),
        title: string(error.get("title")).unwrap_or_default(),
        message: string(error.get("message")).unwrap_or_default(),
        details: error
            .get("error_data")
            .and_then(|d| d.get("details"))
            .and_then(Value::as_str)
            .map(str::to_owned),
        href: string(error.get("href")),
    })
}

fn error_list(object: &Map<String, Value>) -> Vec<ErrorDetail> {
    array(object, "errors")
        .iter()
        .filter_map(error_detail)
        .collect()
}

fn pricing(value: Option<&Value>) -> Option<Pricing> {
    let p = value?.as_object()?;
    Some(Pricing {
        billable: p.get("billable").and_then(Value::as_bool),
        pricing_model: string(p.get("pricing_model")),
        category: string(p.get("category")),
        pricing_type: string(p.get("type")),
    })
}

fn conversation(value: Option<&Value>) -> Option<Conversation> {
    let c = value?.as_object()?;
    Some(Conversation {
        id: id_like(c.get("id")),
        expiration_timestamp: timestamp(c.get("expiration_timestamp")),
        origin_type: c
            .get("origin")
            .and_then(|o| o.get("type"))
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

fn status_event(origin: &Origin, value: &Value) -> Result<StatusEvent, &'static str> {
    let s = value.as_object().ok_or("status is not an object")?;
    let wamid = required_id(s.get("id")).ok_or("missing or empty \"id\"")?;
    let status = s
        .get("status")
        .and_then(Value::as_str)
        .ok_or("missing \"status\"")?;
    let timestamp = timestamp(s.get("timestamp")).ok_or("missing or invalid \"timestamp\"")?;
    Ok(StatusEvent {
        origin: origin.clone(),
        wamid,
        status: Status::from_meta(status),
        timestamp,
        recipient_id: id_like(s.get("recipient_id")),
        recipient_user_id: id_like(s.get("recipient_user_id")),
        biz_opaque_callback_data: string(s.get("biz_opaque_callback_data")),
        errors: error_list(s),
        pricing: pricing(s.get("pricing")),
        conversation: conversation(s.get("conversation")),
    })
}

/// The `contacts[]` entry describing the sender of a message.
fn sender_contact<'a>(contacts: &'a [Value], from: Option<&str>) -> Option<&'a Value> {
    match from {
        Some(from) => contacts
            .iter()
            .find(|c| id_like(c.get("wa_id")).as_deref() == Some(from)),
        None => match contacts {
            [only] => Some(only),
            _ => None,
        },
    }
}

fn message_kind(m: &Map<String, Value>) -> MessageKind {
    let message_type = m.get("type").and_then(Value::as_str).unwrap_or_default();
    let other = || MessageKind::Other {
        message_type: message_type.to_owned(),
    };
    match message_type {
        "text" => string(m.get("text").and_then(|t| t.get("body")))
            .map_or_else(other, |body| MessageKind::Text { body }),
        "button" => {
            let button = m.get("button");
            let payload = string(button.and_then(|b| b.get("payload")));
            let text = string(button.and_then(|b| b.get("text")));
            if payload.is_none() && text.is_none() {
                return other();
            }
            MessageKind::QuickReply {
                payload: payload.unwrap_or_default(),
                text: text.unwrap_or_default(),
            }
        }
        "interactive" => {
            let interactive = m.get("interactive");
            let reply = |key: &str| {
                interactive
                    .and_then(|i| i.get(key))
                    .and_then(Value::as_object)
            };
            match interactive
                .and_then(|i| i.get("type"))
                .and_then(Value::as_str)
            {
                Some("button_reply") => match reply("button_reply") {
                    Some(r) => MessageKind::ButtonReply {
                        id: id_like(r.get("id")).unwrap_or_default(),
                        title: string(r.get("title")).unwrap_or_default(),
                    },
                    None => other(),
                },
                Some("list_reply") => match reply("list_reply") {
                    Some(r) => MessageKind::ListReply {
                        id: id_like(r.get("id")).unwrap_or_default(),
                        title: string(r.get("title")).unwrap_or_default(),
                        description: string(r.get("description")),
                    },
                    None => other(),
                },
                _ => other(),
            }
        }
        _ => other(),
    }
}

fn inbound_message(
    origin: &Origin,
    contacts: &[Value],
    value: &Value,
) -> Result<InboundMessage, &'static str> {
    let m = value.as_object().ok_or("message is not an object")?;
    let id = required_id(m.get("id")).ok_or("missing or empty \"id\"")?;
    let timestamp = timestamp(m.get("timestamp")).ok_or("missing or invalid \"timestamp\"")?;
    let from = id_like(m.get("from")).filter(|s| !s.is_empty());
    let contact = sender_contact(contacts, from.as_deref());
    let user_id = id_like(m.get("from_user_id"))
        .or_else(|| contact.and_then(|c| id_like(c.get("user_id"))))
        .filter(|s| !s.is_empty());
    let profile_name = contact
        .and_then(|c| c.get("profile"))
        .and_then(|p| p.get("name"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(InboundMessage {
        origin: origin.clone(),
        id,
        from,
        user_id,
        profile_name,
        timestamp,
        context_id: id_like(m.get("context").and_then(|c| c.get("id"))),
        kind: message_kind(m),
        errors: error_list(m),
    })
}
