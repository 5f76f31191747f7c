//! Graph API requests and responses, sans-IO: builders return [`Request`], parsers take
//! [`Response`]. Nothing here touches the network (see [`crate::transport`]).
//!
//! Endpoints (facts from `shared/meta/README.md` §1–§4):
//!
//! | call | builder | parser |
//! |---|---|---|
//! | `POST /{version}/{phone-number-id}/messages` (template) | [`build_send_template`] | [`parse_send_response`] → [`Outcome`] |
//! | `GET /{version}/{waba-id}/message_templates` (all pages) | [`TemplatePager`] / [`build_list_templates`] | [`parse_template_page`] |
//! | `POST /{version}/{waba-id}/message_templates` | [`build_create_template`] | [`parse_create_template_response`] |
//! | `GET /{version}/{phone-number-id}` (credentials check) | [`build_phone_number_info`] | [`parse_phone_number_info`] |
//!
//! Every send body follows README §2.1: `messaging_product: whatsapp`, `recipient_type:
//! individual` (always sent, spec defect D6), `to` always `+E.164` (without `+` Meta would prepend
//! the *business* number's country code), `language: {code, policy: "deterministic"}` (harmless
//! for Meta and required by the OpenAPI spec, defect D1), button `index` as a string `"0"`–`"9"`,
//! `biz_opaque_callback_data` (≤ 512 characters) carrying our message id, echoed by every status
//! webhook. No TTL is sent: the README documents no per-send TTL for `/messages`, so none is
//! invented here.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::meta_error::{self, Outcome};
pub use crate::platform::Endpoint;
use crate::transport::{Method, Request, Response};

/// The Graph API version used unless configured otherwise.
///
/// `v25.0`: the newest version that the reference note verified against Meta's own examples
/// (they use v23.0–v25.0), available until 2028-07-29. `v23.0` (the OpenAPI spec's label) is
/// retired on 2027-10-08, too soon for a plugin shipping now; `v26.0` is current but nothing in
/// our reference was checked against it. The request shapes used here are the same in v23–v26.
/// The version is configuration ([`GraphConfig::with_version`]), never hard-wired in a URL.
pub const DEFAULT_GRAPH_VERSION: &str = "v25.0";

/// Meta's Graph API base URL (no trailing slash, no version).
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";

/// Longest `biz_opaque_callback_data` Meta accepts (characters).
pub const MAX_CALLBACK_DATA_CHARS: usize = 512;

/// Fields asked for by the credentials check (README §4).
pub const PHONE_NUMBER_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating,code_verification_status,name_status,platform_type,throughput,whatsapp_business_manager_messaging_limit";

/// Fields asked for when listing templates (README §3.1).
pub const TEMPLATE_FIELDS: &str =
    "id,name,language,status,category,sub_category,parameter_format,components";

/// Why a request could not be built, or a (non-send) response could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The configuration is unusable (bad base URL, version or id). Code 4001.
    #[error("invalid Graph configuration: {0}")]
    InvalidConfig(&'static str),
    /// The recipient is not `+` followed by 7–15 digits (first digit non-zero). Code 4002.
    #[error("recipient is not an E.164 phone number")]
    InvalidRecipient,
    /// Another input is unusable (template name, language, callback data, parameter). Code 4003.
    #[error("invalid request input: {0}")]
    InvalidInput(String),
    /// Meta answered with an error: see the [`Outcome`]. Code 4004.
    #[error("Meta refused the request: {}", .0.human())]
    Api(Outcome),
    /// Meta answered 2xx with a body we cannot read. Code 4005.
    #[error("unexpected response from Meta: {0}")]
    MalformedResponse(String),
}

impl GraphError {
    /// Stable numeric code (4001–4005), proposed for the PHP contract.
    #[must_use]
    pub fn code(&self) -> i32 {
        match self {
            Self::InvalidConfig(_) => 4001,
            Self::InvalidRecipient => 4002,
            Self::InvalidInput(_) => 4003,
            Self::Api(_) => 4004,
            Self::MalformedResponse(_) => 4005,
        }
    }
}

/// Where and as whom to call the Graph API. The access token never appears in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub struct GraphConfig {
    base_url: String,
    version: String,
    access_token: String,
    phone_number_id: String,
    waba_id: String,
    user_agent: Option<String>,
}

impl fmt::Debug for GraphConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GraphConfig")
            .field("base_url", &self.base_url)
            .field("version", &self.version)
            .field("access_token", &"<redacted>")
            .field("phone_number_id", &self.phone_number_id)
            .field("waba_id", &self.waba_id)
            .field("user_agent", &self.user_agent)
            .finish()
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

fn valid_version(v: &str) -> bool {
    let Some(rest) = v.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

impl GraphConfig {
    /// A configuration for Meta's production Graph API ([`DEFAULT_BASE_URL`],
    /// [`DEFAULT_GRAPH_VERSION`]).
    ///
    /// # Errors
    /// [`GraphError::InvalidConfig`] when the token is empty or contains characters that cannot
    /// go in a header, or when an id is not `[A-Za-z0-9_-]{1,64}` (ids go into URL paths).
    pub fn new(
        access_token: impl Into<String>,
        phone_number_id: impl Into<String>,
        waba_id: impl Into<String>,
    ) -> Result<Self, GraphError> {
        let access_token = access_token.into().trim().to_owned();
        if access_token.is_empty() {
            return Err(GraphError::InvalidConfig("access token is empty"));
        }
        if !access_token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(GraphError::InvalidConfig(
                "access token contains characters that cannot be sent in a header",
            ));
        }
        let phone_number_id = phone_number_id.into().trim().to_owned();
        let waba_id = waba_id.into().trim().to_owned();
        if !valid_id(&phone_number_id) {
            return Err(GraphError::InvalidConfig(
                "phone number id is not a valid id",
            ));
        }
        if !valid_id(&waba_id) {
            return Err(GraphError::InvalidConfig(
                "WhatsApp Business Account id is not a valid id",
            ));
        }
        Ok(Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            version: DEFAULT_GRAPH_VERSION.to_owned(),
            access_token,
            phone_number_id,
            waba_id,
            user_agent: None,
        })
    }

    /// Overrides the base URL (the sandbox, tests): `http://` or `https://` scheme, no query or
    /// fragment; a trailing `/` is removed.
    ///
    /// # Errors
    /// [`GraphError::InvalidConfig`] for any other shape.
    pub fn with_base_url(mut self, base_url: &str) -> Result<Self, GraphError> {
        let b = base_url.trim().trim_end_matches('/');
        let rest = b
            .strip_prefix("https://")
            .or_else(|| b.strip_prefix("http://"))
            .ok_or(GraphError::InvalidConfig(
                "base URL must start with http:// or https://",
            ))?;
        if rest.is_empty()
            || rest.contains(['?', '#', ' '])
            || !rest.bytes().all(|c| c.is_ascii_graphic())
        {
            return Err(GraphError::InvalidConfig("base URL is malformed"));
        }
        b.clone_into(&mut self.base_url);
        Ok(self)
    }

    /// Overrides the Graph API version (`vNN.N`).
    ///
    /// # Errors
    /// [`GraphError::InvalidConfig`] when it is not `v<digits>.<digits>`.
    pub fn with_version(mut self, version: &str) -> Result<Self, GraphError> {
        let v = version.trim();
        if !valid_version(v) {
            return Err(GraphError::InvalidConfig("version must look like v25.0"));
        }
        v.clone_into(&mut self.version);
        Ok(self)
    }

    /// Sets a `User-Agent` header (`name/x.y.z`, which Meta's spec accepts: defect D9).
    #[must_use]
    pub fn with_user_agent(mut self, user_agent: &str) -> Self {
        let ua = user_agent.trim();
        self.user_agent = (!ua.is_empty() && ua.bytes().all(|b| b == b' ' || b.is_ascii_graphic()))
            .then(|| ua.to_owned());
        self
    }

    /// The base URL (no trailing slash).
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The Graph API version.
    #[must_use]
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The phone number id.
    #[must_use]
    pub fn phone_number_id(&self) -> &str {
        &self.phone_number_id
    }

    /// The WhatsApp Business Account id.
    #[must_use]
    pub fn waba_id(&self) -> &str {
        &self.waba_id
    }

    fn url(&self, path: &str) -> String {
        format!("{}/{}/{}", self.base_url, self.version, path)
    }

    fn headers(&self, json_body: bool) -> Vec<(String, String)> {
        let mut h = vec![(
            "Authorization".to_owned(),
            format!("Bearer {}", self.access_token),
        )];
        if json_body {
            h.push(("Content-Type".to_owned(), "application/json".to_owned()));
        }
        h.push(("Accept".to_owned(), "application/json".to_owned()));
        if let Some(ua) = &self.user_agent {
            h.push(("User-Agent".to_owned(), ua.clone()));
        }
        h
    }
}

// ---------------------------------------------------------------------------------------------
// Send components
// ---------------------------------------------------------------------------------------------

/// A `template.components[]` entry of a send request (only components with variables are sent).
/// Serialises to Meta's JSON exactly; also deserialises, so the PHP queue can store it as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Component {
    /// `{"type":"header","parameters":[…]}`: one text parameter for a text header variable.
    Header {
        /// The parameters.
        parameters: Vec<Parameter>,
    },
    /// `{"type":"body","parameters":[…]}`: one parameter per body variable, in order.
    Body {
        /// The parameters.
        parameters: Vec<Parameter>,
    },
    /// `{"type":"button","sub_type":…,"index":"0","parameters":[…]}`.
    Button {
        /// `url` or `copy_code`.
        sub_type: ButtonSubType,
        /// 0-based position in the template's BUTTONS list, as a string `"0"`–`"9"`.
        index: String,
        /// The parameters.
        parameters: Vec<Parameter>,
    },
}

/// Button sub-types CartPinger sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ButtonSubType {
    /// URL button: one text parameter, the suffix appended to the template's URL.
    Url,
    /// Copy-code button: one `coupon_code` parameter.
    CopyCode,
    /// Quick reply: one `payload` parameter.
    QuickReply,
}

/// One parameter object of a send request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Parameter {
    /// `{"type":"text","text":"…"}`.
    Text {
        /// The value.
        text: String,
    },
    /// `{"type":"coupon_code","coupon_code":"…"}` (copy-code buttons only).
    CouponCode {
        /// The code.
        coupon_code: String,
    },
    /// `{"type":"payload","payload":"…"}` (quick-reply buttons only).
    Payload {
        /// Echoed back in the button webhook.
        payload: String,
    },
    /// `{"type":"currency","currency":{…}}`.
    Currency {
        /// The amount.
        currency: CurrencyValue,
    },
}

/// The `currency` object of a currency parameter (all three fields are required by Meta).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrencyValue {
    /// Text shown when the client cannot localise (`"49,90 €"`).
    pub fallback_value: String,
    /// ISO 4217 code.
    pub code: String,
    /// Amount × 1000.
    pub amount_1000: i64,
}

/// Helpers to build components by hand (the catalog builds them for catalog templates).
impl Component {
    /// A body with positional text parameters.
    #[must_use]
    pub fn body_text<S: AsRef<str>>(values: &[S]) -> Self {
        Self::Body {
            parameters: values
                .iter()
                .map(|v| Parameter::Text {
                    text: v.as_ref().to_owned(),
                })
                .collect(),
        }
    }

    /// A text header with one variable.
    #[must_use]
    pub fn header_text(value: &str) -> Self {
        Self::Header {
            parameters: vec![Parameter::Text {
                text: value.to_owned(),
            }],
        }
    }

    /// A URL button's dynamic suffix.
    #[must_use]
    pub fn url_button(index: u8, suffix: &str) -> Self {
        Self::Button {
            sub_type: ButtonSubType::Url,
            index: index.to_string(),
            parameters: vec![Parameter::Text {
                text: suffix.to_owned(),
            }],
        }
    }

    /// A copy-code button carrying a coupon code.
    #[must_use]
    pub fn copy_code_button(index: u8, coupon_code: &str) -> Self {
        Self::Button {
            sub_type: ButtonSubType::CopyCode,
            index: index.to_string(),
            parameters: vec![Parameter::CouponCode {
                coupon_code: coupon_code.to_owned(),
            }],
        }
    }
}

/// Everything a template send needs besides the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMessage {
    /// Recipient, `+E.164` (e.g. `+34612345678`).
    pub to: String,
    /// Approved template name.
    pub template: String,
    /// Template language code (`en`, `pt_BR`, …).
    pub language: String,
    /// Components with variables (see [`crate::catalog::components_for`]).
    pub components: Vec<Component>,
    /// Our message id, echoed back in status webhooks (≤ 512 characters).
    pub biz_opaque_callback_data: Option<String>,
}

/// True for `+` followed by 7–15 digits, the first non-zero (README §2.1, behaviours line 8).
#[must_use]
pub fn is_e164(to: &str) -> bool {
    let Some(digits) = to.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_digit())
        && !digits.starts_with('0')
}

fn valid_template_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 512
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn valid_language_code(code: &str) -> bool {
    // `en`, `pt_BR`, `es_419`, `zh_CN`…
    let mut parts = code.split('_');
    let lang_ok = parts
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_lowercase()));
    let region_ok = match parts.next() {
        None => true,
        Some(r) => {
            (2..=4).contains(&r.len())
                && r.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
        }
    };
    lang_ok && region_ok && parts.next().is_none()
}

fn check_components(components: &[Component]) -> Result<(), GraphError> {
    let mut buttons = 0usize;
    for c in components {
        match c {
            Component::Header { parameters } => {
                if parameters.len() != 1 {
                    return Err(GraphError::InvalidInput(
                        "a header takes exactly one parameter".to_owned(),
                    ));
                }
            }
            Component::Body { parameters } => {
                if parameters
                    .iter()
                    .any(|p| matches!(p, Parameter::CouponCode { .. } | Parameter::Payload { .. }))
                {
                    return Err(GraphError::InvalidInput(
                        "body parameters must be text, currency or date_time".to_owned(),
                    ));
                }
            }
            Component::Button {
                sub_type,
                index,
                parameters,
            } => {
                buttons += 1;
                let index_ok = index.len() == 1 && index.bytes().all(|b| b.is_ascii_digit());
                let params_ok = match (sub_type, parameters.as_slice()) {
                    (ButtonSubType::Url, [Parameter::Text { text }]) => !text.is_empty(),
                    (ButtonSubType::CopyCode, [Parameter::CouponCode { coupon_code }]) => {
                        !coupon_code.is_empty() && coupon_code.chars().count() <= 20
                    }
                    (ButtonSubType::QuickReply, [Parameter::Payload { .. }]) => true,
                    _ => false,
                };
                if !index_ok || !params_ok {
                    return Err(GraphError::InvalidInput(format!(
                        "button {index} is malformed (index \"0\"–\"9\", one parameter of the right type)"
                    )));
                }
            }
        }
        let params = match c {
            Component::Header { parameters }
            | Component::Body { parameters }
            | Component::Button { parameters, .. } => parameters,
        };
        for p in params {
            if let Parameter::Text { text } = p {
                if text.trim().is_empty() {
                    return Err(GraphError::InvalidInput(
                        "a text parameter is empty".to_owned(),
                    ));
                }
            }
        }
    }
    if buttons > 10 {
        return Err(GraphError::InvalidInput(
            "a template has at most 10 buttons".to_owned(),
        ));
    }
    Ok(())
}

/// The JSON body of a template send (what [`build_send_template`] serialises).
///
/// # Errors
/// [`GraphError::InvalidRecipient`] unless `to` is `+E.164`; [`GraphError::InvalidInput`] for a
/// bad template name (`^[a-z0-9_]+$`), language code, callback data over 512 characters, or a
/// malformed component.
pub fn send_template_body(message: &TemplateMessage) -> Result<serde_json::Value, GraphError> {
    if !is_e164(&message.to) {
        return Err(GraphError::InvalidRecipient);
    }
    if !valid_template_name(&message.template) {
        return Err(GraphError::InvalidInput(
            "template name must match ^[a-z0-9_]+$".to_owned(),
        ));
    }
    if !valid_language_code(&message.language) {
        return Err(GraphError::InvalidInput(
            "language code must look like en or pt_BR".to_owned(),
        ));
    }
    check_components(&message.components)?;
    let mut body = serde_json::json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.to,
        "type": "template",
        "template": {
            "name": message.template,
            "language": { "code": message.language, "policy": "deterministic" },
        },
    });
    if !message.components.is_empty() {
        let components = serde_json::to_value(&message.components)
            .map_err(|e| GraphError::InvalidInput(e.to_string()))?;
        if let Some(t) = body.get_mut("template").and_then(|t| t.as_object_mut()) {
            t.insert("components".to_owned(), components);
        }
    }
    if let Some(data) = &message.biz_opaque_callback_data {
        if data.is_empty() || data.chars().count() > MAX_CALLBACK_DATA_CHARS {
            return Err(GraphError::InvalidInput(
                "biz_opaque_callback_data must be 1–512 characters".to_owned(),
            ));
        }
        if let Some(o) = body.as_object_mut() {
            o.insert(
                "biz_opaque_callback_data".to_owned(),
                serde_json::Value::String(data.clone()),
            );
        }
    }
    Ok(body)
}

fn json_request(
    config: &GraphConfig,
    url: String,
    body: &serde_json::Value,
) -> Result<Request, GraphError> {
    let bytes = serde_json::to_vec(body).map_err(|e| GraphError::InvalidInput(e.to_string()))?;
    Ok(Request {
        method: Method::Post,
        url,
        headers: config.headers(true),
        body: Some(bytes),
    })
}

/// `POST /{version}/{phone-number-id}/messages` with a template message.
///
/// # Errors
/// As [`send_template_body`].
pub fn build_send_template(
    config: &GraphConfig,
    message: &TemplateMessage,
) -> Result<Request, GraphError> {
    build_send_template_to(config, message, Endpoint::Messages)
}

/// `POST /{version}/{phone-number-id}/messages` or `…/marketing_messages` (the Marketing
/// Messages API takes the same template body; its optional `product_policy` is left out, so
/// Meta's default, falling back to the Cloud API when the account cannot use it, applies).
/// Which endpoint: [`crate::platform::route`].
///
/// # Errors
/// As [`send_template_body`].
pub fn build_send_template_to(
    config: &GraphConfig,
    message: &TemplateMessage,
    endpoint: Endpoint,
) -> Result<Request, GraphError> {
    let body = send_template_body(message)?;
    json_request(
        config,
        config.url(&format!("{}/{}", config.phone_number_id, endpoint.path())),
        &body,
    )
}

/// `GET /{version}/{waba-id}?fields=marketing_messages_onboarding_status`: whether the business
/// accepted the Marketing Messages API terms (Meta's onboarding guide).
#[must_use]
pub fn build_marketing_onboarding(config: &GraphConfig) -> Request {
    Request {
        method: Method::Get,
        url: config.url(&format!(
            "{}?fields=marketing_messages_onboarding_status",
            config.waba_id
        )),
        headers: config.headers(false),
        body: None,
    }
}

/// The `marketing_messages_onboarding_status` of the WABA (`""` when Meta did not return it).
///
/// # Errors
/// [`GraphError::Api`] for an error answer, [`GraphError::MalformedResponse`] for a 2xx that
/// is not a JSON object.
pub fn parse_marketing_onboarding(response: &Response) -> Result<String, GraphError> {
    if !(200..300).contains(&response.status) {
        return Err(error_or_malformed(response));
    }
    let value: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|e| GraphError::MalformedResponse(e.to_string()))?;
    let object = value
        .as_object()
        .ok_or_else(|| GraphError::MalformedResponse("expected a JSON object".to_owned()))?;
    Ok(object
        .get("marketing_messages_onboarding_status")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_owned())
}

#[derive(Deserialize)]
struct SendResponse {
    #[serde(default)]
    messages: Vec<SentMessage>,
}

#[derive(Deserialize)]
struct SentMessage {
    id: Option<String>,
    message_status: Option<String>,
}

/// Classifies the answer to a send: 2xx with `messages[0].id` → [`Outcome::Accepted`]; a 2xx
/// without a wamid → [`Outcome::Unknown`] (Meta may have accepted it: reconcile, don't resend);
/// anything else → [`meta_error::outcome_from_response`].
#[must_use]
pub fn parse_send_response(response: &Response) -> Outcome {
    if (200..300).contains(&response.status) {
        let parsed: Option<SendResponse> = serde_json::from_slice(&response.body).ok();
        let first = parsed.and_then(|p| p.messages.into_iter().next());
        return match first {
            Some(SentMessage {
                id: Some(wamid),
                message_status,
            }) if !wamid.is_empty() => Outcome::Accepted {
                wamid,
                message_status,
            },
            _ => Outcome::Unknown {
                detail: format!(
                    "Meta answered HTTP {} without a message id; the message may have been sent.",
                    response.status
                ),
            },
        };
    }
    meta_error::outcome_from_response(response)
}

fn error_or_malformed(response: &Response) -> GraphError {
    GraphError::Api(meta_error::outcome_from_response(response))
}

// ---------------------------------------------------------------------------------------------
// Templates: list (paged) and create
// ---------------------------------------------------------------------------------------------

/// Percent-encodes a query value (RFC 3986 unreserved characters pass through).
#[must_use]
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Filters for listing templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateQuery {
    /// Page size (`limit`), 1–100; default 100.
    pub limit: u16,
    /// Only this status (`APPROVED`, …), if set.
    pub status: Option<String>,
    /// Only this template name, if set.
    pub name: Option<String>,
    /// Fields to ask for; default [`TEMPLATE_FIELDS`].
    pub fields: String,
}

impl Default for TemplateQuery {
    fn default() -> Self {
        Self {
            limit: 100,
            status: None,
            name: None,
            fields: TEMPLATE_FIELDS.to_owned(),
        }
    }
}

/// `GET /{version}/{waba-id}/message_templates?fields=…&limit=…[&status=…][&name=…][&after=…]`.
///
/// Pages are followed with the `after` cursor rather than by fetching `paging.next` verbatim,
/// so the bearer token is only ever sent to the configured base URL.
#[must_use]
pub fn build_list_templates(
    config: &GraphConfig,
    query: &TemplateQuery,
    after: Option<&str>,
) -> Request {
    let mut url = config.url(&format!("{}/message_templates", config.waba_id));
    url.push_str("?fields=");
    url.push_str(&percent_encode(&query.fields));
    url.push_str(&format!("&limit={}", query.limit.clamp(1, 100)));
    if let Some(s) = &query.status {
        url.push_str("&status=");
        url.push_str(&percent_encode(s));
    }
    if let Some(n) = &query.name {
        url.push_str("&name=");
        url.push_str(&percent_encode(n));
    }
    if let Some(a) = after {
        url.push_str("&after=");
        url.push_str(&percent_encode(a));
    }
    Request {
        method: Method::Get,
        url,
        headers: config.headers(false),
        body: None,
    }
}

/// One template as listed by Meta (keyed by name + language).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateInfo {
    /// Template id.
    #[serde(default)]
    pub id: String,
    /// Name.
    pub name: String,
    /// Language code.
    #[serde(default)]
    pub language: String,
    /// `APPROVED`, `PENDING`, `REJECTED`, `PAUSED`, `DISABLED`, … (unknown values kept as is).
    #[serde(default)]
    pub status: String,
    /// `MARKETING`, `UTILITY`, `AUTHENTICATION`.
    #[serde(default)]
    pub category: String,
    /// `POSITIONAL` or `NAMED` (absent means positional).
    #[serde(default)]
    pub parameter_format: Option<String>,
    /// Marketing sub-category, if any.
    #[serde(default)]
    pub sub_category: Option<String>,
    /// Definition-form components, kept as JSON.
    #[serde(default)]
    pub components: serde_json::Value,
}

impl TemplateInfo {
    /// Text of the component of the given type (`BODY`, `HEADER`, `FOOTER`), if any.
    #[must_use]
    pub fn component_text(&self, kind: &str) -> Option<&str> {
        self.components.as_array()?.iter().find_map(|c| {
            let t = c.get("type")?.as_str()?;
            if t.eq_ignore_ascii_case(kind) {
                c.get("text")?.as_str()
            } else {
                None
            }
        })
    }

    /// Number of distinct variables (`{{1}}`, `{{name}}`) in the BODY text.
    #[must_use]
    pub fn body_variable_count(&self) -> usize {
        self.component_text("BODY").map_or(0, count_variables)
    }

    /// Button types in order (`URL`, `COPY_CODE`, `QUICK_REPLY`, …).
    #[must_use]
    pub fn button_types(&self) -> Vec<String> {
        let Some(comps) = self.components.as_array() else {
            return Vec::new();
        };
        comps
            .iter()
            .filter(|c| {
                c.get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.eq_ignore_ascii_case("BUTTONS"))
            })
            .filter_map(|c| c.get("buttons")?.as_array())
            .flatten()
            .filter_map(|b| b.get("type")?.as_str().map(str::to_owned))
            .collect()
    }

    /// The URL of the first URL button as published (`https://shop/cart/?cartpinger_recover={{1}}`),
    /// if the template has one: the site compares it with the base it submits today.
    #[must_use]
    pub fn button_url(&self) -> Option<&str> {
        self.components
            .as_array()?
            .iter()
            .filter(|c| {
                c.get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.eq_ignore_ascii_case("BUTTONS"))
            })
            .filter_map(|c| c.get("buttons")?.as_array())
            .flatten()
            .find(|b| {
                b.get("type")
                    .and_then(|t| t.as_str())
                    .is_some_and(|t| t.eq_ignore_ascii_case("URL"))
            })
            .and_then(|b| b.get("url")?.as_str())
    }
}

/// Counts distinct `{{…}}` variables in a template text.
#[must_use]
pub fn count_variables(text: &str) -> usize {
    let mut seen: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find("}}") else { break };
        let name = after.get(..end).unwrap_or("").trim();
        if !name.is_empty() && !seen.contains(&name) {
            seen.push(name);
        }
        rest = after.get(end + 2..).unwrap_or("");
    }
    seen.len()
}

/// One page of the template list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePage {
    /// Templates on this page.
    pub templates: Vec<TemplateInfo>,
    /// Cursor for the next page: `paging.cursors.after`, only when `paging.next` is present.
    pub next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct RawPage {
    #[serde(default)]
    data: Vec<serde_json::Value>,
    paging: Option<RawPaging>,
}

#[derive(Deserialize)]
struct RawPaging {
    cursors: Option<RawCursors>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct RawCursors {
    after: Option<String>,
}

/// Parses one page of `GET /{waba-id}/message_templates`. Entries without a `name` are skipped.
///
/// # Errors
/// [`GraphError::Api`] for a Meta error, [`GraphError::MalformedResponse`] for an unreadable 2xx.
pub fn parse_template_page(response: &Response) -> Result<TemplatePage, GraphError> {
    if !(200..300).contains(&response.status) {
        return Err(error_or_malformed(response));
    }
    let raw: RawPage = serde_json::from_slice(&response.body)
        .map_err(|e| GraphError::MalformedResponse(format!("template list: {e}")))?;
    let templates = raw
        .data
        .into_iter()
        .filter_map(|v| serde_json::from_value::<TemplateInfo>(v).ok())
        .collect();
    let next_cursor = raw.paging.and_then(|p| {
        p.next.as_ref()?;
        p.cursors?.after.filter(|a| !a.is_empty())
    });
    Ok(TemplatePage {
        templates,
        next_cursor,
    })
}

/// Walks every page of the template list, sans-IO:
///
/// ```
/// # use cartpinger_core::graph::*;
/// # use cartpinger_core::transport::Response;
/// # fn execute(_: &cartpinger_core::transport::Request) -> Response {
/// #     Response { status: 200, headers: vec![], body: br#"{"data":[]}"#.to_vec() } }
/// let config = GraphConfig::new("TOKEN", "123", "456")?;
/// let mut pager = TemplatePager::new(TemplateQuery::default());
/// let mut all = Vec::new();
/// while let Some(request) = pager.next_request(&config) {
///     all.extend(pager.advance(&execute(&request))?);
/// }
/// # Ok::<(), GraphError>(())
/// ```
///
/// Stops after [`TemplatePager::MAX_PAGES`] pages or when a cursor repeats, so a misbehaving
/// server cannot make it loop forever (a WABA holds at most 250 templates: 3 pages of 100).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplatePager {
    query: TemplateQuery,
    cursor: Option<String>,
    seen: Vec<String>,
    pages: usize,
    done: bool,
}

impl TemplatePager {
    /// Upper bound on pages fetched.
    pub const MAX_PAGES: usize = 50;

    /// A pager at the first page.
    #[must_use]
    pub fn new(query: TemplateQuery) -> Self {
        Self {
            query,
            cursor: None,
            seen: Vec::new(),
            pages: 0,
            done: false,
        }
    }

    /// The request for the next page, `None` when every page has been read.
    #[must_use]
    pub fn next_request(&self, config: &GraphConfig) -> Option<Request> {
        (!self.done).then(|| build_list_templates(config, &self.query, self.cursor.as_deref()))
    }

    /// Consumes the answer to the last [`next_request`](Self::next_request): returns its
    /// templates and moves to the next page.
    ///
    /// # Errors
    /// As [`parse_template_page`]; the pager stops (no further requests) on error.
    pub fn advance(&mut self, response: &Response) -> Result<Vec<TemplateInfo>, GraphError> {
        let page = match parse_template_page(response) {
            Ok(p) => p,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.pages += 1;
        match page.next_cursor {
            Some(c) if !self.seen.contains(&c) && self.pages < Self::MAX_PAGES => {
                self.seen.push(c.clone());
                self.cursor = Some(c);
            }
            _ => self.done = true,
        }
        Ok(page.templates)
    }

    /// True when every page has been read.
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.done
    }
}

/// `POST /{version}/{waba-id}/message_templates` with a definition body (see
/// [`crate::catalog::create_request_body`]).
///
/// # Errors
/// [`GraphError::InvalidInput`] when the body cannot be serialised.
pub fn build_create_template(
    config: &GraphConfig,
    definition: &serde_json::Value,
) -> Result<Request, GraphError> {
    json_request(
        config,
        config.url(&format!("{}/message_templates", config.waba_id)),
        definition,
    )
}

/// `POST /{version}/{template-id}`: edits a template's components (Meta reviews it again; an
/// approved template can be edited once a day, ten times a month). `definition` is the creation
/// body; only its `components` (and `category`, which Meta accepts only while the template is
/// not approved, so it is left out) are sent.
///
/// # Errors
/// [`GraphError::InvalidInput`] when the template id is not numeric or the definition has no
/// components.
pub fn build_edit_template(
    config: &GraphConfig,
    template_id: &str,
    definition: &serde_json::Value,
) -> Result<Request, GraphError> {
    if template_id.is_empty() || !template_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(GraphError::InvalidInput(format!(
            "template id must be numeric, got {template_id:?}"
        )));
    }
    let components = definition
        .get("components")
        .filter(|c| c.is_array())
        .ok_or_else(|| GraphError::InvalidInput("definition has no components".to_owned()))?;
    json_request(
        config,
        config.url(template_id),
        &serde_json::json!({ "components": components }),
    )
}

/// Parses the answer to [`build_edit_template`] (`{"success": true}`).
///
/// # Errors
/// [`GraphError::Api`] for a Meta error, [`GraphError::MalformedResponse`] for an unreadable
/// 2xx or `success: false`.
pub fn parse_edit_template_response(response: &Response) -> Result<(), GraphError> {
    if !(200..300).contains(&response.status) {
        return Err(error_or_malformed(response));
    }
    let v: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|e| GraphError::MalformedResponse(format!("template edit: {e}")))?;
    if v.get("success").and_then(serde_json::Value::as_bool) == Some(true) {
        Ok(())
    } else {
        Err(GraphError::MalformedResponse(format!(
            "template edit answered {v}"
        )))
    }
}

/// Answer to a template creation.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CreatedTemplate {
    /// New template id.
    pub id: String,
    /// `PENDING`, `APPROVED`, `REJECTED`.
    #[serde(default)]
    pub status: String,
    /// The category Meta assigned (it may differ from the one asked for).
    #[serde(default)]
    pub category: String,
}

/// Parses the answer to [`build_create_template`].
///
/// # Errors
/// [`GraphError::Api`] for a Meta error (a duplicate is code 2388024, "already exists"),
/// [`GraphError::MalformedResponse`] for an unreadable 2xx.
pub fn parse_create_template_response(response: &Response) -> Result<CreatedTemplate, GraphError> {
    if !(200..300).contains(&response.status) {
        return Err(error_or_malformed(response));
    }
    serde_json::from_slice(&response.body)
        .map_err(|e| GraphError::MalformedResponse(format!("template creation: {e}")))
}

// ---------------------------------------------------------------------------------------------
// Credentials check
// ---------------------------------------------------------------------------------------------

/// The default fields only (README §4): the fallback when a Graph version rejects one of
/// [`PHONE_NUMBER_FIELDS`] with code 100 (`whatsapp_business_manager_messaging_limit` is newer
/// than the v23.0 spec).
pub const PHONE_NUMBER_BASIC_FIELDS: &str = "id,display_phone_number,verified_name,quality_rating";

/// `GET /{version}/{phone-number-id}?fields=…` ([`PHONE_NUMBER_FIELDS`], README §4).
#[must_use]
pub fn build_phone_number_info(config: &GraphConfig) -> Request {
    build_phone_number_info_fields(config, PHONE_NUMBER_FIELDS)
}

/// `GET /{version}/{phone-number-id}?fields=<fields>` (e.g. [`PHONE_NUMBER_BASIC_FIELDS`]).
#[must_use]
pub fn build_phone_number_info_fields(config: &GraphConfig, fields: &str) -> Request {
    Request {
        method: Method::Get,
        url: format!(
            "{}?fields={}",
            config.url(&config.phone_number_id),
            percent_encode(fields)
        ),
        headers: config.headers(false),
        body: None,
    }
}

/// What the credentials check learns about the business phone number.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PhoneNumberInfo {
    /// Phone number id.
    pub id: String,
    /// Display number as Meta shows it (`15550783881`).
    pub display_phone_number: String,
    /// Verified business name.
    pub verified_name: String,
    /// `GREEN`, `YELLOW`, `RED`, `NA` (or `UNKNOWN`).
    pub quality_rating: String,
    /// `whatsapp_business_manager_messaging_limit` (`TIER_250`, …); the deprecated
    /// `messaging_limit_tier` is used only when the new field is absent.
    pub messaging_limit: Option<String>,
    /// `throughput.level` (`STANDARD`, `HIGH`, …).
    pub throughput_level: Option<String>,
    /// `code_verification_status`.
    pub code_verification_status: Option<String>,
    /// `name_status` (display-name approval).
    pub name_status: Option<String>,
    /// `platform_type` (`CLOUD_API`).
    pub platform_type: Option<String>,
}

fn str_field(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        // Tolerate an object-shaped value (`{"…": "TIER_250"}`): its first string member.
        serde_json::Value::Object(m) => m.values().find_map(|x| x.as_str().map(str::to_owned)),
        _ => None,
    }
}

/// Parses the answer to [`build_phone_number_info`].
///
/// # Errors
/// [`GraphError::Api`] for a Meta error (190 → fatal, bad token), [`GraphError::MalformedResponse`]
/// when a 2xx body is not an object with an `id`.
pub fn parse_phone_number_info(response: &Response) -> Result<PhoneNumberInfo, GraphError> {
    if !(200..300).contains(&response.status) {
        return Err(error_or_malformed(response));
    }
    let v: serde_json::Value = serde_json::from_slice(&response.body)
        .map_err(|e| GraphError::MalformedResponse(format!("phone number: {e}")))?;
    let id = str_field(&v, "id")
        .ok_or_else(|| GraphError::MalformedResponse("phone number: no id".to_owned()))?;
    Ok(PhoneNumberInfo {
        id,
        display_phone_number: str_field(&v, "display_phone_number").unwrap_or_default(),
        verified_name: str_field(&v, "verified_name").unwrap_or_default(),
        quality_rating: str_field(&v, "quality_rating").unwrap_or_else(|| "UNKNOWN".to_owned()),
        messaging_limit: str_field(&v, "whatsapp_business_manager_messaging_limit")
            .or_else(|| str_field(&v, "messaging_limit_tier")),
        throughput_level: v.get("throughput").and_then(|t| str_field(t, "level")),
        code_verification_status: str_field(&v, "code_verification_status"),
        name_status: str_field(&v, "name_status"),
        platform_type: str_field(&v, "platform_type"),
    })
}
