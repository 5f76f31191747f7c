//! The HTTP server: Graph routes (`/{version}/…`), the control API (`/_sandbox/…`) and the
//! inbox page, on hyper 1 (HTTP/1.1 keep-alive, one task per connection).

use std::collections::VecDeque;
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, AUTHORIZATION, CONTENT_TYPE};
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use crate::meta::{new_wamid, GraphError};
use crate::spec::SendValidator;
use crate::store::{NewMessage, Store};
use crate::templates::{Template, TemplateStore, SEED_JSON};
use crate::webhook::{self, StatusPlan};
use crate::Config;

/// Settings changeable at run time (`POST /_sandbox/config`).
#[derive(Debug, Clone)]
pub struct Runtime {
    /// Injected latency for every Graph answer.
    pub latency_ms: u64,
    /// Messages per second (token bucket, burst = one second); 0 = unlimited.
    pub mps_cap: u32,
    /// Where webhooks go.
    pub callback: Option<String>,
    /// Delays before `sent`, then `delivered`, then `read` (each after the previous).
    pub status_delays_ms: [u64; 3],
    /// Delay before a created template turns APPROVED.
    pub template_approval_ms: u64,
    /// The WABA's `marketing_messages_onboarding_status` (`ONBOARDED` once the business
    /// accepted the Marketing Messages API terms; `ELIGIBLE` otherwise).
    pub mm_onboarding_status: String,
    /// The first UTC day (`YYYY-MM-DD`) on which `/messages` refuses marketing templates
    /// (131063); Meta's reported date by default.
    pub marketing_on_messages_until: String,
    /// Marketing templates disabled on the Cloud API for this WABA: `/messages` answers 131063
    /// for every marketing template.
    pub marketing_disabled: bool,
    /// The phone number's `quality_rating`.
    pub quality_rating: String,
    /// `whatsapp_business_manager_messaging_limit` (e.g. `TIER_2K`).
    pub messaging_limit: String,
}

/// Error-injection classes (`POST /_sandbox/inject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// 5xx / codes 1, 2, 131000, 131016, 133004, 131057.
    Transient,
    /// 130429, 131056, 80007, 4, 131048.
    RateLimited,
    /// A 4xx with a Meta code that will not succeed on retry (131026, 131047, 132001, …).
    Permanent,
    /// Account/token problems (190, 131031, 368, …).
    Fatal,
    /// Accepted (200), then a `failed` status webhook with the code.
    Failed,
    /// Accepted and stored, but the answer never comes (connection dropped after `hang_ms`).
    TimeoutAfterWrite,
    /// Not read, not stored, no answer (connection dropped after `hang_ms`).
    TimeoutBeforeWrite,
}

impl Class {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "transient" => Self::Transient,
            "rate_limited" => Self::RateLimited,
            "permanent" => Self::Permanent,
            "fatal" => Self::Fatal,
            "failed" => Self::Failed,
            "timeout_after_write" => Self::TimeoutAfterWrite,
            "timeout_before_write" => Self::TimeoutBeforeWrite,
            _ => return None,
        })
    }
    fn name(self) -> &'static str {
        match self {
            Self::Transient => "transient",
            Self::RateLimited => "rate_limited",
            Self::Permanent => "permanent",
            Self::Fatal => "fatal",
            Self::Failed => "failed",
            Self::TimeoutAfterWrite => "timeout_after_write",
            Self::TimeoutBeforeWrite => "timeout_before_write",
        }
    }
    fn default_code(self) -> i64 {
        match self {
            Self::Transient => 131_000,
            Self::RateLimited => 130_429,
            Self::Permanent | Self::Failed => 131_026,
            Self::Fatal => 190,
            Self::TimeoutAfterWrite | Self::TimeoutBeforeWrite => 0,
        }
    }
}

/// One queued injection.
#[derive(Debug, Clone)]
pub struct Injection {
    class: Class,
    code: i64,
    remaining: u32,
    hang_ms: u64,
    http_status: Option<u16>,
    details: Option<String>,
}

impl Injection {
    fn to_json(&self) -> Value {
        json!({ "class": self.class.name(), "code": self.code, "count": self.remaining,
                "hang_ms": self.hang_ms, "http_status": self.http_status })
    }

    fn error(&self) -> GraphError {
        let details = self.details.clone().unwrap_or_else(|| {
            format!(
                "Injected by the CartPinger sandbox ({} {}).",
                self.class.name(),
                self.code
            )
        });
        let mut e = GraphError::new(self.code, details);
        if self.class == Class::Transient {
            e.transient = true;
        }
        if self.code == 190 {
            e = e.with_subcode(463);
        }
        if self.code == 130_429 {
            e = e.with_subcode(2_494_055);
        }
        if let Some(s) = self.http_status {
            e.http_status = s;
        }
        e
    }
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    last: Instant,
    cap: u32,
}

impl Bucket {
    fn take(&mut self, cap: u32) -> bool {
        if cap == 0 {
            return true;
        }
        let now = Instant::now();
        if cap != self.cap {
            self.cap = cap;
            self.tokens = f64::from(cap);
        } else {
            let refill = now.duration_since(self.last).as_secs_f64() * f64::from(cap);
            self.tokens = (self.tokens + refill).min(f64::from(cap));
        }
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Shared state.
pub struct App {
    /// Expected bearer token.
    pub token: String,
    /// App secret (webhook signatures).
    pub app_secret: String,
    /// The business phone number id.
    pub phone_number_id: String,
    /// The WABA id.
    pub waba_id: String,
    /// `display_phone_number`.
    pub display_phone_number: String,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    runtime: Mutex<Runtime>,
    bucket: Mutex<Bucket>,
    injections: Mutex<VecDeque<Injection>>,
    templates: Mutex<TemplateStore>,
    /// Business-scoped user ids by wa_id (`POST /_sandbox/users`), echoed in webhooks.
    users: Mutex<std::collections::HashMap<String, String>>,
    validator: SendValidator,
    /// The database.
    pub store: Store,
    /// Webhook client (plain HTTP, keep-alive pool).
    pub client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl App {
    /// A copy of the run-time settings.
    #[must_use]
    pub fn runtime(&self) -> Runtime {
        lock(&self.runtime).clone()
    }

    /// Reports an internal error on stderr (the sandbox keeps running).
    pub fn log_error(&self, e: &str) {
        let _ = writeln!(std::io::stderr(), "cartpinger-sandbox: {e}");
    }

    /// A copy of the template store's contents.
    #[must_use]
    pub fn templates_snapshot(&self) -> Vec<Template> {
        lock(&self.templates).all().to_vec()
    }

    /// Takes one unit of the first queued injection if it applies at this stage.
    fn take_injection(&self, before_body: bool) -> Option<Injection> {
        let mut q = lock(&self.injections);
        let front = q.front_mut()?;
        if (front.class == Class::TimeoutBeforeWrite) != before_body {
            return None;
        }
        front.remaining = front.remaining.saturating_sub(1);
        let taken = front.clone();
        if front.remaining == 0 {
            q.pop_front();
        }
        Some(taken)
    }
}

/// Binds, loads the spec and templates, prints the ready line and serves until killed.
///
/// # Errors
/// Start-up failures (bind, database, spec, seed).
pub async fn serve(config: Config) -> Result<(), String> {
    let listener = TcpListener::bind(&config.listen)
        .await
        .map_err(|e| format!("bind {}: {e}", config.listen))?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| format!("local_addr: {e}"))?;
    let store = Store::open(&config.db)?;
    let seed = match &config.templates {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| format!("templates {path}: {e}"))?
        }
        None => SEED_JSON.to_owned(),
    };
    let templates = TemplateStore::from_seed(&seed)?;
    let validator = SendValidator::load()?;
    let app = Arc::new(App {
        token: config.token,
        app_secret: config.app_secret,
        phone_number_id: config.phone_number_id,
        waba_id: config.waba_id,
        display_phone_number: config.display_phone_number,
        base_url: format!("http://{addr}"),
        runtime: Mutex::new(Runtime {
            latency_ms: config.latency_ms,
            mps_cap: config.mps_cap,
            callback: config.callback,
            status_delays_ms: [40, 120, 250],
            template_approval_ms: 300,
            mm_onboarding_status: "ONBOARDED".to_owned(),
            marketing_on_messages_until: "2027-10-13".to_owned(),
            marketing_disabled: false,
            quality_rating: "GREEN".to_owned(),
            messaging_limit: "TIER_2K".to_owned(),
        }),
        users: Mutex::new(std::collections::HashMap::new()),
        bucket: Mutex::new(Bucket {
            tokens: f64::from(config.mps_cap),
            last: Instant::now(),
            cap: config.mps_cap,
        }),
        injections: Mutex::new(VecDeque::new()),
        templates: Mutex::new(templates),
        validator,
        store,
        client: Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build_http(),
    });
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "cartpinger-sandbox listening on http://{addr}")
            .and_then(|()| out.flush())
            .map_err(|e| format!("stdout: {e}"))?;
    }
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                app.log_error(&format!("accept: {e}"));
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(Arc::clone(&app), req));
            // Errors here are clients going away or deliberate hangs: nothing to report.
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Returned by the service to make hyper drop the connection without an answer.
#[derive(Debug)]
struct Hang;

impl std::fmt::Display for Hang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose (timeout injection)")
    }
}

impl std::error::Error for Hang {}

type Resp = Response<Full<Bytes>>;

fn respond(status: u16, content_type: &str, body: impl Into<Bytes>) -> Resp {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn json_resp(status: u16, v: &Value) -> Resp {
    respond(status, "application/json; charset=UTF-8", v.to_string())
}

async fn read_body(req: Request<Incoming>) -> Result<Bytes, String> {
    Limited::new(req.into_body(), 4 << 20)
        .collect()
        .await
        .map(http_body_util::Collected::to_bytes)
        .map_err(|e| format!("request body: {e}"))
}

/// Parses `a=b&c=d` with percent-decoding.
fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok());
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn param<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Resp, Hang> {
    let path = req.uri().path().to_owned();
    let segs: Vec<String> = path
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    let first = segs.first().map_or("", String::as_str);
    if first == "_sandbox" || first == "inbox" || first.is_empty() {
        return Ok(control(&app, req, &segs).await);
    }
    graph(app, req, &segs).await
}

// ---------------------------------------------------------------------------------------------
// Graph routes

struct Out {
    status: u16,
    body: Value,
    code: Option<i64>,
    note: Option<String>,
}

impl Out {
    fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body,
            code: None,
            note: None,
        }
    }
    fn err(e: &GraphError) -> Self {
        Self {
            status: e.http_status,
            body: e.body(),
            code: Some(e.code),
            note: None,
        }
    }
}

fn is_version(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('v') else {
        return false;
    };
    let mut parts = rest.split('.');
    let ok =
        |p: Option<&str>| p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

fn unsupported(method: &Method, id: &str) -> GraphError {
    GraphError::invalid_parameter(format!(
        "Unsupported {} request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
        method.as_str().to_ascii_lowercase()
    ))
    .with_title(format!("Unsupported {} request", method.as_str().to_ascii_lowercase()))
    .with_subcode(33)
}

fn check_auth(app: &App, req: &Request<Incoming>) -> Option<GraphError> {
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let Some(header) = header else {
        return Some(GraphError::new(
            104,
            "An access token is required to request this resource.",
        ));
    };
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim);
    if token == Some(app.token.as_str()) {
        None
    } else {
        Some(
            GraphError::new(
                190,
                "Invalid OAuth access token - Cannot parse access token",
            )
            .with_subcode(463),
        )
    }
}

async fn graph(app: Arc<App>, req: Request<Incoming>, segs: &[String]) -> Result<Resp, Hang> {
    let arrival = tokio::time::Instant::now();
    let rt = app.runtime();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = query_pairs(req.uri().query());
    let is_send = method == Method::POST
        && segs
            .get(2)
            .is_some_and(|s| s == "messages" || s == "marketing_messages");
    let auth = check_auth(&app, &req);
    if auth.is_none() && is_send {
        if let Some(inj) = app.take_injection(true) {
            // timeout_before_write: never read the body, never store, never answer.
            let _ = app.store.log_request(
                method.as_str(),
                &path,
                "",
                0,
                None,
                Some("timeout_before_write: not read, no answer"),
            );
            tokio::time::sleep(Duration::from_millis(inj.hang_ms)).await;
            return Err(Hang);
        }
    }
    let body = match read_body(req).await {
        Ok(b) => b,
        Err(e) => return Ok(json_resp(400, &GraphError::invalid_parameter(e).body())),
    };
    let body_text = String::from_utf8_lossy(&body).into_owned();
    let (out, hang) = match auth {
        Some(e) => (Out::err(&e), None),
        None => route_graph(&app, &method, segs, &query, &body, &rt).await,
    };
    let deadline = arrival + Duration::from_millis(rt.latency_ms);
    if let Err(e) = app.store.log_request(
        method.as_str(),
        &path,
        &body_text,
        if hang.is_some() { 0 } else { out.status },
        out.code,
        out.note.as_deref(),
    ) {
        app.log_error(&e);
    }
    if let Some(hang_ms) = hang {
        tokio::time::sleep(Duration::from_millis(hang_ms)).await;
        return Err(Hang);
    }
    tokio::time::sleep_until(deadline).await;
    let mut resp = json_resp(out.status, &out.body);
    if let Ok(v) = HeaderValue::from_str(&crate::meta::fbtrace_id()) {
        resp.headers_mut().insert("x-fb-trace-id", v);
    }
    Ok(resp)
}

/// Routes a Graph request; the second value asks to hang (ms) instead of answering.
async fn route_graph(
    app: &Arc<App>,
    method: &Method,
    segs: &[String],
    query: &[(String, String)],
    body: &Bytes,
    rt: &Runtime,
) -> (Out, Option<u64>) {
    let version = segs.first().map_or("", String::as_str);
    let id = segs.get(1).map_or("", String::as_str);
    if !is_version(version) {
        return (
            Out::err(&GraphError::invalid_parameter(format!(
                "Unknown path component: /{version}; expected a Graph API version such as v23.0"
            ))),
            None,
        );
    }
    match (method, segs.get(2).map(String::as_str), segs.len()) {
        (&Method::POST, Some("messages"), 3) if id == app.phone_number_id => {
            send_message(app, body, rt, SendEndpoint::Messages)
        }
        (&Method::POST, Some("marketing_messages"), 3) if id == app.phone_number_id => {
            send_message(app, body, rt, SendEndpoint::MarketingMessages)
        }
        (&Method::GET, None, 2) if id == app.waba_id => (waba_info(query, rt), None),
        (&Method::GET, Some("message_templates"), 3) if id == app.waba_id => {
            (list_templates(app, version, query), None)
        }
        (&Method::POST, Some("message_templates"), 3) if id == app.waba_id => {
            (create_template(app, body, rt), None)
        }
        (&Method::GET, None, 2) if id == app.phone_number_id => (phone_info(app, query, rt), None),
        (&Method::POST, None, 2) if lock(&app.templates).by_id(id).is_some() => {
            (edit_template(app, id, body, rt), None)
        }
        _ => (Out::err(&unsupported(method, id)), None),
    }
}

fn normalise_to(to: &str) -> Option<String> {
    let mut digits = String::with_capacity(to.len());
    for (i, c) in to.chars().enumerate() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if i == 0 => {}
            ' ' | '-' | '(' | ')' | '.' => {}
            _ => return None,
        }
    }
    (6..=15).contains(&digits.len()).then_some(digits)
}

/// Which send endpoint a request came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SendEndpoint {
    /// `/{phone-number-id}/messages` (Cloud API).
    Messages,
    /// `/{phone-number-id}/marketing_messages` (Marketing Messages API for WhatsApp).
    MarketingMessages,
}

/// Today's UTC date as `YYYY-MM-DD` (days since the epoch → civil date).
fn today_utc() -> String {
    let days = crate::meta::now_ms().div_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// The WABA node: `marketing_messages_onboarding_status` (Meta's onboarding guide) and `id`.
fn waba_info(query: &[(String, String)], rt: &Runtime) -> Out {
    let fields = param(query, "fields").unwrap_or("id");
    let mut m = serde_json::Map::new();
    for f in fields.split(',').map(str::trim) {
        match f {
            "id" | "" => {}
            "marketing_messages_onboarding_status" => {
                m.insert(f.to_owned(), json!(rt.mm_onboarding_status));
            }
            other => {
                return Out::err(&GraphError::invalid_parameter(format!(
                    "(#100) Tried accessing nonexisting field ({other}) on node type (WhatsAppBusinessAccount)"
                )))
            }
        }
    }
    Out::ok(Value::Object(m))
}

fn send_message(
    app: &Arc<App>,
    body: &Bytes,
    rt: &Runtime,
    endpoint: SendEndpoint,
) -> (Out, Option<u64>) {
    if !lock(&app.bucket).take(rt.mps_cap) {
        let mut out = Out::err(
            &GraphError::new(130_429, "Cloud API message throughput has been reached.")
                .with_subcode(2_494_055),
        );
        out.note = Some("mps cap".to_owned());
        return (out, None);
    }
    let msg: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        Ok(_) => {
            return (
                Out::err(&GraphError::invalid_parameter(
                    "The request body must be a JSON object.",
                )),
                None,
            )
        }
        Err(e) => {
            return (
                Out::err(&GraphError::invalid_parameter(format!(
                    "Invalid JSON in the request body: {e}"
                ))),
                None,
            )
        }
    };
    let kind = msg
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("template");
    if !matches!(kind, "template" | "text") {
        return (
            Out::err(&GraphError::new(
                131_051,
                format!("Message type '{kind}' is not supported by the CartPinger sandbox (template and text only)."),
            )),
            None,
        );
    }
    if let Err(errors) = app.validator.validate(&msg) {
        return (
            Out::err(&GraphError::invalid_parameter(errors.join("; "))),
            None,
        );
    }
    let to = msg.get("to").and_then(Value::as_str).unwrap_or_default();
    let Some(wa_id) = normalise_to(to) else {
        return (
            Out::err(&GraphError::new(
                131_009,
                format!("Parameter 'to' is not a valid phone number: {to:?}"),
            )),
            None,
        );
    };
    if wa_id == app.display_phone_number {
        return (
            Out::err(&GraphError::new(
                131_021,
                "Sender and recipient phone number is the same.",
            )),
            None,
        );
    }
    let mut pricing = None;
    let (name, language) = if kind == "template" {
        let name = msg
            .pointer("/template/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let language = msg
            .pointer("/template/language/code")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let components: Vec<Value> = msg
            .pointer("/template/components")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let store = lock(&app.templates);
        let Some(t) = store.get(name, language) else {
            let details = if store.has_name(name) {
                format!("template name ({name}) does not exist in {language}")
            } else {
                format!("template name ({name}) does not exist")
            };
            return (Out::err(&GraphError::new(132_001, details)), None);
        };
        if t.status != "APPROVED" {
            return (
                Out::err(&GraphError::new(
                    132_001,
                    format!("template {name} ({language}) is {}, not APPROVED", t.status),
                )),
                None,
            );
        }
        if let Err(e) = t.check_send(&components) {
            return (Out::err(&e), None);
        }
        let marketing = t.category.eq_ignore_ascii_case("MARKETING");
        match endpoint {
            SendEndpoint::MarketingMessages if !marketing => {
                return (
                    Out::err(&GraphError::invalid_parameter(format!(
                        "The Marketing Messages API only sends MARKETING templates; {name} ({language}) is {}. Send it through /messages.",
                        t.category
                    ))),
                    None,
                );
            }
            SendEndpoint::MarketingMessages
                if rt.mm_onboarding_status != "ONBOARDED"
                    && msg.get("product_policy").and_then(Value::as_str) == Some("STRICT") =>
            {
                return (
                    Out::err(&GraphError::invalid_parameter(
                        "The business has not accepted the Marketing Messages API terms (product_policy STRICT: no Cloud API fallback).",
                    )),
                    None,
                );
            }
            SendEndpoint::Messages if marketing && rt.marketing_disabled => {
                return (
                    Out::err(&GraphError::new(
                        131_063,
                        "Marketing template messages are disabled on Cloud API for this WhatsApp Business Account; use the Marketing Messages API.",
                    )),
                    None,
                );
            }
            SendEndpoint::Messages
                if marketing && today_utc() >= rt.marketing_on_messages_until =>
            {
                return (
                    Out::err(&GraphError::new(
                        131_063,
                        format!(
                            "Marketing templates are not accepted on /messages since {}; send them through /marketing_messages.",
                            rt.marketing_on_messages_until
                        ),
                    )),
                    None,
                );
            }
            _ => {}
        }
        pricing = Some(t.category.to_ascii_lowercase());
        (Some(name.to_owned()), Some(language.to_owned()))
    } else {
        (None, None)
    };
    let injection = app.take_injection(false);
    let mut fail_with = None;
    let mut hang = None;
    let mut injected = None;
    if let Some(inj) = &injection {
        injected = Some(format!("{}:{}", inj.class.name(), inj.code));
        match inj.class {
            Class::Transient | Class::RateLimited | Class::Permanent | Class::Fatal => {
                if inj.class == Class::Transient && (500..=599).contains(&inj.code) {
                    // A bare 5xx from a proxy: no Graph body.
                    let status = u16::try_from(inj.code).unwrap_or(502);
                    let out = Out {
                        status,
                        body: json!("upstream error (injected)"),
                        code: None,
                        note: injected,
                    };
                    return (out, None);
                }
                let mut out = Out::err(&inj.error());
                out.note = injected;
                return (out, None);
            }
            Class::Failed => fail_with = Some(inj.error()),
            Class::TimeoutAfterWrite => hang = Some(inj.hang_ms),
            Class::TimeoutBeforeWrite => {}
        }
    }
    if kind == "text" && fail_with.is_none() {
        // Free-form text needs an open customer-service window (README §6): 131047 otherwise.
        let open = app
            .store
            .last_inbound_ms(&wa_id)
            .ok()
            .flatten()
            .is_some_and(|t| crate::meta::now_ms() - t < 24 * 3_600_000);
        if !open {
            fail_with = Some(GraphError::new(
                131_047,
                "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
            ));
        }
    }
    let wamid = new_wamid(&wa_id);
    let biz_opaque = msg.get("biz_opaque_callback_data").and_then(Value::as_str);
    let request_text = msg.to_string();
    if let Err(e) = app.store.insert_message(&NewMessage {
        wamid: &wamid,
        to_input: to,
        wa_id: &wa_id,
        kind,
        template_name: name.as_deref(),
        language: language.as_deref(),
        biz_opaque,
        request: &request_text,
        injected: injected.as_deref(),
        answered: hang.is_none(),
        endpoint: match endpoint {
            SendEndpoint::Messages => "messages",
            SendEndpoint::MarketingMessages if rt.mm_onboarding_status == "ONBOARDED" => {
                "marketing_messages"
            }
            SendEndpoint::MarketingMessages => "marketing_messages (Cloud API fallback)",
        },
    }) {
        app.log_error(&e);
        return (
            Out::err(&GraphError::new(131_000, "Sandbox storage error.")),
            None,
        );
    }
    let user_id = lock(&app.users).get(&wa_id).cloned();
    let plan = StatusPlan {
        wamid: wamid.clone(),
        wa_id: wa_id.clone(),
        user_id,
        biz_opaque: biz_opaque.map(str::to_owned),
        pricing_category: pricing,
        fail_with,
    };
    tokio::spawn(webhook::run_status_plan(Arc::clone(app), plan));
    let mut body = json!({
        "messaging_product": "whatsapp",
        "contacts": [ { "input": to, "wa_id": wa_id } ],
        "messages": [ { "id": wamid } ],
    });
    if kind == "template" {
        if let Some(m) = body
            .pointer_mut("/messages/0")
            .and_then(Value::as_object_mut)
        {
            m.insert("message_status".to_owned(), json!("accepted"));
        }
    }
    let mut out = Out::ok(body);
    out.note = injected;
    (out, hang)
}

fn list_templates(app: &App, version: &str, query: &[(String, String)]) -> Out {
    let limit = param(query, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(25)
        .min(1000);
    let offset = param(query, "after").and_then(decode_cursor).unwrap_or(0);
    let name = param(query, "name");
    let status = param(query, "status").map(str::to_ascii_uppercase);
    let language = param(query, "language");
    let fields: Option<Vec<&str>> =
        param(query, "fields").map(|f| f.split(',').map(str::trim).collect());
    let store = lock(&app.templates);
    let matching: Vec<&Template> = store
        .all()
        .iter()
        .filter(|t| name.is_none_or(|n| t.name == n))
        .filter(|t| status.as_deref().is_none_or(|s| t.status == s))
        .filter(|t| language.is_none_or(|l| t.language == l))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|t| {
            let full = t.to_json();
            match &fields {
                None => full,
                Some(fields) => {
                    let mut m = serde_json::Map::new();
                    for f in fields.iter().chain(std::iter::once(&"id")) {
                        if let Some(v) = full.get(*f) {
                            m.insert((*f).to_owned(), v.clone());
                        }
                    }
                    Value::Object(m)
                }
            }
        })
        .collect();
    let mut body = json!({ "data": page });
    if !page.is_empty() {
        let end = offset + page.len();
        let mut paging = json!({ "cursors": { "before": encode_cursor(offset), "after": encode_cursor(end - 1 + 1) } });
        if end < matching.len() {
            let mut next = format!(
                "{}/{version}/{}/message_templates?limit={limit}&after={}",
                app.base_url,
                app.waba_id,
                encode_cursor(end)
            );
            for (k, v) in query.iter().filter(|(k, _)| k != "limit" && k != "after") {
                next.push_str(&format!("&{}={}", percent_encode(k), percent_encode(v)));
            }
            if let Some(p) = paging.as_object_mut() {
                p.insert("next".to_owned(), json!(next));
            }
        }
        if offset > 0 {
            if let Some(p) = paging.as_object_mut() {
                p.insert(
                    "previous".to_owned(),
                    json!(format!(
                        "{}/{version}/{}/message_templates?limit={limit}&after={}",
                        app.base_url,
                        app.waba_id,
                        encode_cursor(offset.saturating_sub(limit))
                    )),
                );
            }
        }
        if let Some(b) = body.as_object_mut() {
            b.insert("paging".to_owned(), paging);
        }
    }
    Out::ok(body)
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b',') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn encode_cursor(offset: usize) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    use base64::Engine as _;
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(c)
        .ok()?;
    std::str::from_utf8(&raw)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

fn create_template(app: &Arc<App>, body: &Bytes, rt: &Runtime) -> Out {
    let def: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Out::err(&GraphError::invalid_parameter(
                "The request body must be a JSON object.",
            ))
        }
    };
    let t = match Template::from_definition(&def, "PENDING") {
        Ok(mut t) => {
            "PENDING".clone_into(&mut t.status);
            t
        }
        Err(e) => return Out::err(&e),
    };
    {
        let mut store = lock(&app.templates);
        if store.get(&t.name, &t.language).is_some() {
            return Out::err(
                &GraphError::invalid_parameter(format!(
                    "There is already {} content for this template. You can create a new template and try again.",
                    t.language
                ))
                .with_title("Content in This Language Already Exists")
                .with_subcode(2_388_024),
            );
        }
        if store.all().len() >= 250 {
            return Out::err(&GraphError::new(
                2_388_019,
                "A WABA can have at most 250 templates.",
            ));
        }
        store.upsert(t.clone());
    }
    let app2 = Arc::clone(app);
    let delay = rt.template_approval_ms;
    let id = t.id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let approved = lock(&app2.templates).set_status(&id, "APPROVED");
        if let Some(t) = approved {
            let body =
                webhook::template_status_payload(&app2, &t.id, &t.name, &t.language, "APPROVED");
            webhook::post_signed(&app2, None, "message_template_status_update", &body).await;
        }
    });
    Out::ok(json!({ "id": t.id, "status": "PENDING", "category": t.category }))
}

/// `POST /{template-id}`: Meta's template edit. The components are checked as a creation
/// would check them, the template goes back to `PENDING` and is approved after the configured
/// delay (with the status webhook), like a new submission.
fn edit_template(app: &Arc<App>, id: &str, body: &Bytes, rt: &Runtime) -> Out {
    let def: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => {
            return Out::err(&GraphError::invalid_parameter(
                "The request body must be a JSON object.",
            ))
        }
    };
    let Some(components) = def.get("components").filter(|c| c.is_array()).cloned() else {
        return Out::err(&GraphError::invalid_parameter(
            "Parameter 'components' is required.",
        ));
    };
    let existing = match lock(&app.templates).by_id(id) {
        Some(t) => t.clone(),
        None => return Out::err(&unsupported(&Method::POST, id)),
    };
    // Validate the edited definition exactly as a creation body.
    let probe = json!({
        "name": existing.name, "language": existing.language, "category": existing.category,
        "parameter_format": existing.parameter_format, "components": components,
    });
    if let Err(e) = Template::from_definition(&probe, "PENDING") {
        return Out::err(&e);
    }
    if lock(&app.templates).edit(id, components).is_none() {
        return Out::err(&unsupported(&Method::POST, id));
    }
    let app2 = Arc::clone(app);
    let delay = rt.template_approval_ms;
    let id = id.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let approved = lock(&app2.templates).set_status(&id, "APPROVED");
        if let Some(t) = approved {
            let body =
                webhook::template_status_payload(&app2, &t.id, &t.name, &t.language, "APPROVED");
            webhook::post_signed(&app2, None, "message_template_status_update", &body).await;
        }
    });
    Out::ok(json!({ "success": true }))
}

fn phone_info(app: &App, query: &[(String, String)], rt: &Runtime) -> Out {
    let level = if rt.mps_cap == 0 || rt.mps_cap > 80 {
        "HIGH"
    } else {
        "STANDARD"
    };
    let full = json!({
        "verified_name": "CartPinger Sandbox",
        "code_verification_status": "VERIFIED",
        "display_phone_number": app.display_phone_number,
        "quality_rating": rt.quality_rating,
        "platform_type": "CLOUD_API",
        "name_status": "APPROVED",
        "throughput": { "level": level },
        "whatsapp_business_manager_messaging_limit": rt.messaging_limit,
        "webhook_configuration": { "application": rt.callback.clone().unwrap_or_default() },
        "id": app.phone_number_id,
    });
    let default_fields = [
        "verified_name",
        "code_verification_status",
        "display_phone_number",
        "quality_rating",
        "id",
    ];
    let fields: Vec<String> = param(query, "fields").map_or_else(
        || default_fields.iter().map(|s| (*s).to_owned()).collect(),
        |f| f.split(',').map(|s| s.trim().to_owned()).collect(),
    );
    let mut m = serde_json::Map::new();
    for f in fields
        .iter()
        .map(String::as_str)
        .chain(std::iter::once("id"))
    {
        match full.get(f) {
            Some(v) => {
                m.insert(f.to_owned(), v.clone());
            }
            None => {
                return Out::err(&GraphError::invalid_parameter(format!(
                    "(#100) Tried accessing nonexisting field ({f}) on node type (WhatsAppBusinessPhoneNumber)"
                )))
            }
        }
    }
    Out::ok(Value::Object(m))
}

// ---------------------------------------------------------------------------------------------
// Control API and inbox

async fn control(app: &Arc<App>, req: Request<Incoming>, segs: &[String]) -> Resp {
    let method = req.method().clone();
    let query = query_pairs(req.uri().query());
    let body = match read_body(req).await {
        Ok(b) => b,
        Err(e) => return json_resp(400, &json!({ "error": e })),
    };
    let parsed = || -> Result<Value, String> {
        if body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(&body).map_err(|e| format!("invalid JSON: {e}"))
    };
    let seg = |i: usize| segs.get(i).map_or("", String::as_str);
    let limit = param(&query, "limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(1000u32);
    match (method.clone(), seg(0), seg(1)) {
        (Method::GET, "", _) => json_resp(
            200,
            &json!({
                "sandbox": "cartpinger-sandbox",
                "graph": format!("{}/v23.0/{}/messages", app.base_url, app.phone_number_id),
                "waba_id": app.waba_id, "phone_number_id": app.phone_number_id,
                "inbox": format!("{}/inbox", app.base_url),
            }),
        ),
        (Method::GET, "inbox", _) => {
            let html = crate::inbox::render(app, param(&query, "to"));
            respond(200, "text/html; charset=utf-8", html)
        }
        (Method::GET, "_sandbox", "health") => json_resp(200, &json!({ "ok": true })),
        (Method::GET, "_sandbox", "config") => json_resp(200, &runtime_json(&app.runtime())),
        (Method::POST, "_sandbox", "config") => match parsed() {
            Ok(v) => match apply_config(app, &v) {
                Ok(()) => json_resp(200, &runtime_json(&app.runtime())),
                Err(e) => json_resp(400, &json!({ "error": e })),
            },
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::GET, "_sandbox", "inject") => {
            let q: Vec<Value> = lock(&app.injections)
                .iter()
                .map(Injection::to_json)
                .collect();
            json_resp(200, &json!({ "queued": q }))
        }
        (Method::DELETE, "_sandbox", "inject") => {
            lock(&app.injections).clear();
            json_resp(200, &json!({ "queued": [] }))
        }
        (Method::POST, "_sandbox", "inject") => match parsed() {
            Ok(v) => match parse_injection(&v) {
                Ok(inj) => {
                    let mut q = lock(&app.injections);
                    q.push_back(inj);
                    let list: Vec<Value> = q.iter().map(Injection::to_json).collect();
                    json_resp(200, &json!({ "queued": list }))
                }
                Err(e) => json_resp(400, &json!({ "error": e })),
            },
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::POST, "_sandbox", "inbound") => match parsed() {
            Ok(v) => inbound(app, &v).await,
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::GET, "_sandbox", "messages") => {
            match (app.store.messages(limit), app.store.inbound(limit)) {
                (Ok(mut m), Ok(i)) => {
                    render_messages(app, &mut m);
                    json_resp(200, &json!({ "messages": m, "inbound": i }))
                }
                (Err(e), _) | (_, Err(e)) => json_resp(500, &json!({ "error": e })),
            }
        }
        (Method::GET, "_sandbox", "webhooks") => {
            match app.store.webhooks(param(&query, "wamid"), limit) {
                Ok(w) => json_resp(200, &json!({ "webhooks": w })),
                Err(e) => json_resp(500, &json!({ "error": e })),
            }
        }
        (Method::POST, "_sandbox", "users") => match parsed() {
            Ok(v) => {
                let phone = v
                    .get("phone")
                    .and_then(Value::as_str)
                    .and_then(normalise_to);
                let user_id = v
                    .get("user_id")
                    .and_then(Value::as_str)
                    .filter(|u| !u.is_empty());
                match (phone, user_id) {
                    (Some(phone), Some(user_id)) => {
                        lock(&app.users).insert(phone.clone(), user_id.to_owned());
                        json_resp(200, &json!({ "wa_id": phone, "user_id": user_id }))
                    }
                    _ => json_resp(
                        400,
                        &json!({ "error": "expected {\"phone\", \"user_id\"}" }),
                    ),
                }
            }
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::POST, "_sandbox", "template_category") => match parsed() {
            Ok(v) => template_category(app, &v).await,
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::POST, "_sandbox", "template_status") => match parsed() {
            Ok(v) => template_status(app, &v).await,
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::POST, "_sandbox", "quality") => match parsed() {
            Ok(v) => quality_update(app, &v).await,
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        (Method::GET, "_sandbox", "templates") => {
            let list: Vec<Value> = lock(&app.templates)
                .all()
                .iter()
                .map(Template::to_json)
                .collect();
            json_resp(200, &json!({ "templates": list }))
        }
        (Method::POST, "_sandbox", "templates") => match parsed() {
            Ok(v) => {
                let replace = v.get("replace").and_then(Value::as_bool).unwrap_or(false);
                match lock(&app.templates).load(&v, replace) {
                    Ok(n) => json_resp(200, &json!({ "loaded": n })),
                    Err(e) => json_resp(400, &json!({ "error": e })),
                }
            }
            Err(e) => json_resp(400, &json!({ "error": e })),
        },
        _ => json_resp(
            404,
            &json!({ "error": format!("no route {} {}", method, segs.join("/")) }),
        ),
    }
}

/// Adds `rendered` (header, body, footer, button lines and the URLs the buttons open, as the
/// customer's WhatsApp shows them) to each template message of a control-API listing.
fn render_messages(app: &App, messages: &mut [Value]) {
    let templates = app.templates_snapshot();
    for m in messages.iter_mut() {
        if m["type"] != "template" {
            continue;
        }
        let name = m["template"].as_str().unwrap_or_default();
        let lang = m["language"].as_str().unwrap_or_default();
        let Some(t) = templates
            .iter()
            .find(|t| t.name == name && t.language == lang)
        else {
            continue;
        };
        let components: Vec<Value> = m["request"]
            .pointer("/template/components")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rendered = t.render(&components).to_json();
        if let Some(o) = m.as_object_mut() {
            o.insert("rendered".to_owned(), rendered);
        }
    }
}

fn runtime_json(rt: &Runtime) -> Value {
    json!({
        "latency_ms": rt.latency_ms,
        "mps_cap": rt.mps_cap,
        "callback": rt.callback,
        "status_delays_ms": rt.status_delays_ms,
        "template_approval_ms": rt.template_approval_ms,
        "mm_onboarding_status": rt.mm_onboarding_status,
        "marketing_on_messages_until": rt.marketing_on_messages_until,
        "marketing_disabled": rt.marketing_disabled,
        "quality_rating": rt.quality_rating,
        "messaging_limit": rt.messaging_limit,
        "today": today_utc(),
    })
}

fn apply_config(app: &App, v: &Value) -> Result<(), String> {
    let mut rt = lock(&app.runtime);
    let mut next = rt.clone();
    if let Some(x) = v.get("latency_ms") {
        next.latency_ms = x
            .as_u64()
            .ok_or("latency_ms: expected a non-negative integer")?;
    }
    if let Some(x) = v.get("mps_cap") {
        next.mps_cap = x
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or("mps_cap: expected a non-negative integer")?;
    }
    if let Some(x) = v.get("callback") {
        next.callback = match x {
            Value::Null => None,
            Value::String(s) if s.is_empty() => None,
            Value::String(s) if s.starts_with("http://") => Some(s.clone()),
            _ => return Err("callback: expected an http:// URL or null".to_owned()),
        };
    }
    if let Some(x) = v.get("status_delays_ms") {
        let list: Vec<u64> = x
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_u64).collect())
            .unwrap_or_default();
        next.status_delays_ms = match list.as_slice() {
            [a, b, c] => [*a, *b, *c],
            _ => return Err("status_delays_ms: expected [sent, delivered, read] in ms".to_owned()),
        };
    }
    if let Some(x) = v.get("template_approval_ms") {
        next.template_approval_ms = x.as_u64().ok_or("template_approval_ms: expected ms")?;
    }
    if let Some(x) = v.get("mm_onboarding_status") {
        next.mm_onboarding_status = x
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or("mm_onboarding_status: expected e.g. ONBOARDED or ELIGIBLE")?
            .to_ascii_uppercase();
    }
    if let Some(x) = v.get("marketing_on_messages_until") {
        next.marketing_on_messages_until = x
            .as_str()
            .filter(|s| s.len() == 10 && s.as_bytes().get(4) == Some(&b'-'))
            .ok_or("marketing_on_messages_until: expected YYYY-MM-DD")?
            .to_owned();
    }
    if let Some(x) = v.get("marketing_disabled") {
        next.marketing_disabled = x
            .as_bool()
            .ok_or("marketing_disabled: expected a boolean")?;
    }
    if let Some(x) = v.get("quality_rating") {
        next.quality_rating = x
            .as_str()
            .ok_or("quality_rating: expected GREEN, YELLOW or RED")?
            .to_ascii_uppercase();
    }
    if let Some(x) = v.get("messaging_limit") {
        next.messaging_limit = x
            .as_str()
            .ok_or("messaging_limit: expected e.g. TIER_2K")?
            .to_owned();
    }
    *rt = next;
    Ok(())
}

fn parse_injection(v: &Value) -> Result<Injection, String> {
    let class_name = v.get("class").and_then(Value::as_str).unwrap_or_default();
    let class = Class::parse(class_name).ok_or_else(|| {
        format!("class {class_name:?}: expected transient, rate_limited, permanent, fatal, failed, timeout_after_write or timeout_before_write")
    })?;
    let code = match v.get("code") {
        None | Some(Value::Null) => class.default_code(),
        Some(c) => c.as_i64().ok_or("code: expected an integer")?,
    };
    // `permanent` with `"async": true` is the same as `failed`.
    let class =
        if class == Class::Permanent && v.get("async").and_then(Value::as_bool) == Some(true) {
            Class::Failed
        } else {
            class
        };
    let count = match v.get("count") {
        None | Some(Value::Null) => 1,
        Some(c) => c
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .ok_or("count: expected a positive integer")?,
    };
    let hang_ms = v.get("hang_ms").and_then(Value::as_u64).unwrap_or(30_000);
    let http_status = v
        .get("http_status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| (100..=599).contains(s));
    Ok(Injection {
        class,
        code,
        remaining: count,
        hang_ms,
        http_status,
        details: v.get("details").and_then(Value::as_str).map(str::to_owned),
    })
}

/// Finds a stored template by name and language (the `_sandbox` account routes).
fn find_template(app: &App, v: &Value) -> Result<Template, String> {
    let name = v.get("name").and_then(Value::as_str).unwrap_or_default();
    let language = v.get("language").and_then(Value::as_str).unwrap_or("en");
    lock(&app.templates)
        .get(name, language)
        .cloned()
        .ok_or_else(|| format!("no template {name} ({language})"))
}

/// `POST /_sandbox/template_category {"name","language","phase":"impending"|"completed",
/// "category"}`: sends Meta's `template_category_update` webhook (impending: `correct_category`,
/// `new_category` = current, `category_update_timestamp` = `at` or in 24 h; completed: the
/// template's category changes and `previous_category`/`new_category` are sent).
async fn template_category(app: &Arc<App>, v: &Value) -> Resp {
    let t = match find_template(app, v) {
        Ok(t) => t,
        Err(e) => return json_resp(404, &json!({ "error": e })),
    };
    let Some(category) = v
        .get("category")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .filter(|c| matches!(c.as_str(), "MARKETING" | "UTILITY" | "AUTHENTICATION"))
    else {
        return json_resp(
            400,
            &json!({ "error": "category: MARKETING, UTILITY or AUTHENTICATION" }),
        );
    };
    let id =
        t.id.parse::<u64>()
            .map_or_else(|_| json!(t.id), |n| json!(n));
    let value = match v.get("phase").and_then(Value::as_str) {
        Some("impending") => {
            let at = v.get("at").and_then(Value::as_u64).unwrap_or_else(|| {
                u64::try_from(crate::meta::now_ms() / 1000 + 86_400).unwrap_or(0)
            });
            json!({
                "message_template_id": id, "message_template_name": t.name,
                "message_template_language": t.language, "correct_category": category,
                "new_category": t.category, "category_update_timestamp": at,
            })
        }
        Some("completed") => {
            let mut updated = t.clone();
            updated.category.clone_from(&category);
            lock(&app.templates).upsert(updated);
            json!({
                "message_template_id": id, "message_template_name": t.name,
                "message_template_language": t.language, "previous_category": t.category,
                "new_category": category,
            })
        }
        _ => return json_resp(400, &json!({ "error": "phase: impending or completed" })),
    };
    let body = webhook::account_payload(app, "template_category_update", value);
    let status = webhook::post_signed(app, None, "template_category_update", &body).await;
    json_resp(200, &json!({ "webhook_status": status, "payload": body }))
}

/// `POST /_sandbox/template_status {"name","language","status":"PAUSED"|"REJECTED"|…}`: the
/// template's status changes and a `message_template_status_update` webhook is sent.
async fn template_status(app: &Arc<App>, v: &Value) -> Resp {
    let t = match find_template(app, v) {
        Ok(t) => t,
        Err(e) => return json_resp(404, &json!({ "error": e })),
    };
    let Some(status) = v
        .get("status")
        .and_then(Value::as_str)
        .map(str::to_ascii_uppercase)
        .filter(|s| {
            matches!(
                s.as_str(),
                "APPROVED" | "PAUSED" | "REJECTED" | "DISABLED" | "PENDING"
            )
        })
    else {
        return json_resp(
            400,
            &json!({ "error": "status: APPROVED, PAUSED, REJECTED, DISABLED or PENDING" }),
        );
    };
    lock(&app.templates).set_status(&t.id, &status);
    let body = webhook::template_status_payload(app, &t.id, &t.name, &t.language, &status);
    let code = webhook::post_signed(app, None, "message_template_status_update", &body).await;
    json_resp(200, &json!({ "webhook_status": code, "payload": body }))
}

/// `POST /_sandbox/quality {"event","quality_rating"?,"max_daily_conversations_per_business"?,
/// "messaging_limit"?}`: a `phone_number_quality_update` webhook in the per-portfolio shape
/// (`max_daily_conversations_per_business`, with the legacy `current_limit`), and the phone
/// number's fields change accordingly.
async fn quality_update(app: &Arc<App>, v: &Value) -> Resp {
    let event = v
        .get("event")
        .and_then(Value::as_str)
        .unwrap_or("DOWNGRADE")
        .to_ascii_uppercase();
    let max = v
        .get("max_daily_conversations_per_business")
        .and_then(Value::as_u64);
    {
        let mut rt = lock(&app.runtime);
        if let Some(q) = v.get("quality_rating").and_then(Value::as_str) {
            rt.quality_rating = q.to_ascii_uppercase();
        }
        if let Some(l) = v.get("messaging_limit").and_then(Value::as_str) {
            l.clone_into(&mut rt.messaging_limit);
        } else if let Some(n) = max {
            rt.messaging_limit = match n {
                0..=250 => "TIER_250".to_owned(),
                251..=2_000 => "TIER_2K".to_owned(),
                2_001..=10_000 => "TIER_10K".to_owned(),
                10_001..=100_000 => "TIER_100K".to_owned(),
                _ => "TIER_UNLIMITED".to_owned(),
            };
        }
    }
    let rt = app.runtime();
    let mut value = json!({
        "display_phone_number": app.display_phone_number,
        "event": event,
        "current_limit": rt.messaging_limit,
    });
    if let (Some(n), Some(obj)) = (max, value.as_object_mut()) {
        obj.insert("max_daily_conversations_per_business".to_owned(), json!(n));
    }
    let body = webhook::account_payload(app, "phone_number_quality_update", value);
    let code = webhook::post_signed(app, None, "phone_number_quality_update", &body).await;
    json_resp(200, &json!({ "webhook_status": code, "payload": body }))
}

async fn inbound(app: &Arc<App>, v: &Value) -> Resp {
    let from_raw = v.get("from").and_then(Value::as_str).unwrap_or_default();
    let Some(from) = normalise_to(from_raw) else {
        return json_resp(400, &json!({ "error": "from: expected a phone number" }));
    };
    let name = v
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("Sandbox Customer");
    let wamid = new_wamid(&from);
    let timestamp = crate::meta::unix_seconds_string();
    let context_id = match v
        .get("context")
        .or_else(|| v.get("context_id"))
        .and_then(Value::as_str)
    {
        Some(c) => Some(c.to_owned()),
        None => app.store.last_wamid_to(&from).ok().flatten(),
    };
    let (message, kind, text, payload) = if let Some(b) = v.get("button") {
        let payload = b.get("payload").and_then(Value::as_str).unwrap_or("STOP");
        let text = b.get("text").and_then(Value::as_str).unwrap_or(payload);
        let mut m = json!({
            "from": from, "id": wamid, "timestamp": timestamp, "type": "button",
            "button": { "payload": payload, "text": text },
        });
        if let (Some(ctx), Some(obj)) = (&context_id, m.as_object_mut()) {
            obj.insert(
                "context".to_owned(),
                json!({ "from": app.display_phone_number, "id": ctx }),
            );
        }
        (m, "button", text.to_owned(), Some(payload.to_owned()))
    } else if let Some(text) = v.get("text").and_then(Value::as_str) {
        let mut m = json!({
            "from": from, "id": wamid, "timestamp": timestamp, "type": "text",
            "text": { "body": text },
        });
        // A text reply carries `context` only when the customer quoted a message.
        if let (Some(ctx), Some(obj)) =
            (v.get("context").and_then(Value::as_str), m.as_object_mut())
        {
            obj.insert(
                "context".to_owned(),
                json!({ "from": app.display_phone_number, "id": ctx }),
            );
        }
        (m, "text", text.to_owned(), None)
    } else {
        return json_resp(
            400,
            &json!({ "error": "expected \"text\" or \"button\": {\"payload\",\"text\"}" }),
        );
    };
    let ctx_for_store = if kind == "button" {
        context_id.as_deref()
    } else {
        None
    };
    if let Err(e) = app.store.insert_inbound(
        &wamid,
        &from,
        kind,
        Some(&text),
        payload.as_deref(),
        ctx_for_store,
    ) {
        return json_resp(500, &json!({ "error": e }));
    }
    // BSUID: the customer's business-scoped user id (given, or registered with
    // /_sandbox/users); `withhold_phone` sends it without the phone number, as Meta does for
    // users with a username (`from` and `wa_id` left out).
    let user_id = v
        .get("user_id")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| lock(&app.users).get(&from).cloned());
    let withhold = v.get("withhold_phone").and_then(Value::as_bool) == Some(true);
    let mut message = message;
    if let Some(obj) = message.as_object_mut() {
        if let Some(u) = &user_id {
            obj.insert("from_user_id".to_owned(), json!(u));
        }
        if withhold && user_id.is_some() {
            obj.remove("from");
        }
    }
    let body = webhook::inbound_payload(
        app,
        (!(withhold && user_id.is_some())).then_some(from.as_str()),
        user_id.as_deref(),
        name,
        message,
    );
    let status = webhook::post_signed(app, Some(&wamid), "inbound", &body).await;
    json_resp(
        200,
        &json!({ "wamid": wamid, "webhook_status": status, "payload": body }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_normalisation() {
        assert_eq!(
            normalise_to("+49 151 1234-5678").as_deref(),
            Some("4915112345678")
        );
        assert_eq!(
            normalise_to("(650) 555-1234").as_deref(),
            Some("6505551234")
        );
        assert_eq!(normalise_to("abc"), None);
        assert_eq!(normalise_to("12+34567"), None);
    }

    #[test]
    fn cursors_round_trip() {
        assert_eq!(decode_cursor(&encode_cursor(17)), Some(17));
        assert_eq!(decode_cursor("garbage!"), None);
    }

    #[test]
    fn versions() {
        assert!(is_version("v23.0"));
        assert!(!is_version("v23"));
        assert!(!is_version("23.0"));
    }

    #[test]
    fn bucket_caps() {
        let mut b = Bucket {
            tokens: 3.0,
            last: Instant::now(),
            cap: 3,
        };
        assert!(b.take(3) && b.take(3) && b.take(3));
        assert!(!b.take(3));
        assert!(b.take(0));
    }
}
