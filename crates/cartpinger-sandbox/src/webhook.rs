//! Webhooks the sandbox sends to `--callback`: status updates for accepted messages
//! (sent → delivered → read, or failed), inbound messages, template status updates. Each POST
//! is signed (`X-Hub-Signature-256`, README §7.2), its body escaped like Meta's, and every
//! attempt with its HTTP result stored. Delivery runs on background tasks, never on the
//! request path of `/messages`.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::header::{CONTENT_TYPE, USER_AGENT};
use serde_json::{json, Value};

use crate::meta::{meta_json_bytes, signature_header, unix_seconds_string, GraphError};
use crate::server::App;

/// What happens to an accepted message after the answer.
#[derive(Debug, Clone)]
pub struct StatusPlan {
    /// The wamid.
    pub wamid: String,
    /// The recipient (`recipient_id`).
    pub wa_id: String,
    /// The recipient's business-scoped user id (`recipient_user_id`), when registered.
    pub user_id: Option<String>,
    /// Echoed in every status.
    pub biz_opaque: Option<String>,
    /// Lower-case pricing category (`marketing`, `utility`, …), `None` for free-form text.
    pub pricing_category: Option<String>,
    /// `Some(error)` → a single `failed` status carrying it.
    pub fail_with: Option<GraphError>,
}

fn envelope(app: &App, value: Value, field: &str) -> Value {
    json!({
        "object": "whatsapp_business_account",
        "entry": [ { "id": app.waba_id, "changes": [ { "value": value, "field": field } ] } ]
    })
}

fn metadata(app: &App) -> Value {
    json!({ "display_phone_number": app.display_phone_number, "phone_number_id": app.phone_number_id })
}

/// A status webhook body (v24+ shape: no `conversation`; `pricing` on `sent` and `delivered`,
/// never on `read`, README §7.5).
#[must_use]
pub fn status_payload(app: &App, plan: &StatusPlan, status: &str) -> Value {
    let mut s = json!({
        "id": plan.wamid,
        "status": status,
        "timestamp": unix_seconds_string(),
        "recipient_id": plan.wa_id,
    });
    if let Some(obj) = s.as_object_mut() {
        if let Some(b) = &plan.biz_opaque {
            obj.insert("biz_opaque_callback_data".to_owned(), json!(b));
        }
        if let Some(u) = &plan.user_id {
            obj.insert("recipient_user_id".to_owned(), json!(u));
        }
        if matches!(status, "sent" | "delivered") {
            if let Some(cat) = &plan.pricing_category {
                obj.insert(
                    "pricing".to_owned(),
                    json!({ "billable": true, "pricing_model": "PMP", "type": "regular", "category": cat }),
                );
            }
        }
        if status == "failed" {
            if let Some(e) = &plan.fail_with {
                obj.insert("errors".to_owned(), json!([e.webhook_error()]));
            }
        }
    }
    envelope(
        app,
        json!({ "messaging_product": "whatsapp", "metadata": metadata(app), "statuses": [s] }),
        "messages",
    )
}

/// An inbound message webhook body (README §7.6), with `contacts[]`.
/// `from` is `None` when the phone number is withheld (BSUID only); `user_id` adds the
/// contact's `user_id`.
#[must_use]
pub fn inbound_payload(
    app: &App,
    from: Option<&str>,
    user_id: Option<&str>,
    name: &str,
    message: Value,
) -> Value {
    let mut contact = json!({ "profile": { "name": name } });
    if let Some(obj) = contact.as_object_mut() {
        if let Some(f) = from {
            obj.insert("wa_id".to_owned(), json!(f));
        }
        if let Some(u) = user_id {
            obj.insert("user_id".to_owned(), json!(u));
        }
    }
    envelope(
        app,
        json!({
            "messaging_product": "whatsapp",
            "metadata": metadata(app),
            "contacts": [ contact ],
            "messages": [ message ],
        }),
        "messages",
    )
}

/// An account-level webhook body (`template_category_update`, `phone_number_quality_update`,
/// …): `value` as given, under `field`.
#[must_use]
pub fn account_payload(app: &App, field: &str, value: Value) -> Value {
    envelope(app, value, field)
}

/// A `message_template_status_update` webhook body.
#[must_use]
pub fn template_status_payload(
    app: &App,
    id: &str,
    name: &str,
    language: &str,
    event: &str,
) -> Value {
    envelope(
        app,
        json!({
            "event": event,
            "message_template_id": id.parse::<u64>().map_or_else(|_| json!(id), |n| json!(n)),
            "message_template_name": name,
            "message_template_language": language,
            "reason": "NONE",
        }),
        "message_template_status_update",
    )
}

/// Runs a message's status sequence (call on a spawned task).
pub async fn run_status_plan(app: Arc<App>, plan: StatusPlan) {
    let delays = app.runtime().status_delays_ms;
    let steps: Vec<(&str, u64)> = if plan.fail_with.is_some() {
        vec![("failed", delays[0])]
    } else {
        vec![
            ("sent", delays[0]),
            ("delivered", delays[1]),
            ("read", delays[2]),
        ]
    };
    for (status, delay) in steps {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let code = if status == "failed" {
            plan.fail_with.as_ref().map(|e| e.code)
        } else {
            None
        };
        if let Err(e) = app.store.set_status(&plan.wamid, status, code) {
            app.log_error(&e);
        }
        let body = status_payload(&app, &plan, status);
        post_signed(&app, Some(&plan.wamid), status, &body).await;
    }
}

/// POSTs a signed webhook to the callback (if any), up to 3 attempts (Meta retries on
/// non-2xx); every attempt is stored. Returns the last HTTP status, `None` without callback or
/// when no answer came.
pub async fn post_signed(
    app: &App,
    wamid: Option<&str>,
    kind: &str,
    payload: &Value,
) -> Option<u16> {
    let url = app.runtime().callback?;
    let bytes = Bytes::from(meta_json_bytes(payload));
    let signature = signature_header(&app.app_secret, &bytes);
    let body_text = String::from_utf8_lossy(&bytes).into_owned();
    let mut last = None;
    for attempt in 1..=3u32 {
        let request = hyper::Request::post(url.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header(USER_AGENT, "facebookexternalua")
            .header("X-Hub-Signature-256", signature.as_str())
            .body(Full::new(bytes.clone()));
        let (status, error) = match request {
            Err(e) => (None, Some(format!("bad callback URL: {e}"))),
            Ok(request) => {
                match tokio::time::timeout(Duration::from_secs(5), app.client.request(request))
                    .await
                {
                    Ok(Ok(resp)) => {
                        let status = resp.status().as_u16();
                        // Drain the body so the connection can be reused.
                        let _ = resp.into_body().collect().await;
                        (Some(status), None)
                    }
                    Ok(Err(e)) => (None, Some(format!("{e}"))),
                    Err(_) => (None, Some("timeout after 5 s".to_owned())),
                }
            }
        };
        if let Err(e) = app.store.log_webhook(
            wamid,
            kind,
            &url,
            &body_text,
            &signature,
            attempt,
            status,
            error.as_deref(),
        ) {
            app.log_error(&e);
        }
        last = status;
        if status.is_some_and(|s| (200..300).contains(&s)) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
    }
    last
}
