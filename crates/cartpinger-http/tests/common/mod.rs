//! The two backends of the contract suite: the real sandbox binary behind the real
//! [`UreqTransport`], and [`FakeMeta`], an in-memory transport with the Meta behaviour the
//! sender relies on (bearer check, template store, 132001/132000, throughput cap → 130429,
//! the sandbox's fault injections). Both expose the same [`Backend`] interface.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    reason = "test helpers"
)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use cartpinger_core::catalog;
use cartpinger_core::graph::GraphConfig;
use cartpinger_core::transport::{Method, Request, Response, Transport, TransportError};
use cartpinger_http::{TransportConfig, UreqTransport};
use serde_json::{json, Value};

pub const TOKEN: &str = "contract-token";
pub const PNID: &str = "106540352242922";
pub const WABA: &str = "102290129340398";

/// How a backend is started.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Server-side throughput cap (messages/s); 0 = none.
    pub mps_cap: u32,
    /// Added latency of every Graph answer.
    pub latency_ms: u64,
}

/// What the contract suite needs from a Meta stand-in.
pub trait Backend {
    /// `sandbox` or `fake`.
    fn name(&self) -> &'static str;
    /// The transport to send through.
    fn transport(&self) -> &dyn Transport;
    /// Graph configuration pointing at this backend with `token`.
    fn graph_with_token(&self, token: &str) -> GraphConfig;
    /// Graph configuration with the right token.
    fn graph(&self) -> GraphConfig {
        self.graph_with_token(TOKEN)
    }
    /// Queues a fault, as `POST /_sandbox/inject` does.
    fn inject(&self, spec: &Value);
    /// How many times each of our ids (biz_opaque_callback_data) was stored as sent.
    fn stored_per_id(&self) -> HashMap<String, usize>;
    /// Empties the template store.
    fn clear_templates(&self);
}

// ------------------------------------------------------------------------------------------
// The real sandbox
// ------------------------------------------------------------------------------------------

/// `target/<profile>/cartpinger-sandbox` of the profile these tests were built with, built
/// once per test process (`cargo build -p cartpinger-sandbox`, a no-op when it is current).
/// `CARTPINGER_SANDBOX_BIN` overrides it.
pub fn sandbox_binary() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("CARTPINGER_SANDBOX_BIN") {
            return PathBuf::from(bin);
        }
        // The test executable is target/<profile>/deps/<name>-<hash>.
        let exe = std::env::current_exe().expect("current_exe");
        let profile_dir = exe
            .parent()
            .and_then(|deps| deps.parent())
            .expect("target/<profile>")
            .to_path_buf();
        let profile = profile_dir
            .file_name()
            .and_then(|p| p.to_str())
            .unwrap_or("debug")
            .to_owned();
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "cartpinger-sandbox"])
            .current_dir(&root);
        match profile.as_str() {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            other => {
                cmd.args(["--profile", other]);
            }
        }
        let status = cmd.status().expect("cargo build -p cartpinger-sandbox");
        assert!(status.success(), "building the sandbox failed");
        let bin = profile_dir.join("cartpinger-sandbox");
        assert!(bin.is_file(), "no sandbox binary at {}", bin.display());
        bin
    })
    .clone()
}

static SEQ: AtomicU64 = AtomicU64::new(0);

/// The sandbox binary on a free loopback port, reached through [`UreqTransport`].
pub struct SandboxBackend {
    child: Child,
    pub base: String,
    transport: UreqTransport,
    db: PathBuf,
}

impl Drop for SandboxBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.db);
    }
}

/// Response timeout of the contract transport: injected hangs last longer (2 s).
pub const RESPONSE_TIMEOUT: Duration = Duration::from_millis(1_500);

impl SandboxBackend {
    pub fn start(options: Options) -> Self {
        let db = std::env::temp_dir().join(format!(
            "cp-http-contract-{}-{}.sqlite",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_file(&db);
        let mut child = Command::new(sandbox_binary())
            .args([
                "--listen",
                "127.0.0.1:0",
                "--token",
                TOKEN,
                "--app-secret",
                "s",
            ])
            .args(["--phone-number-id", PNID, "--waba-id", WABA])
            .arg("--db")
            .arg(&db)
            .args(["--mps-cap", &options.mps_cap.to_string()])
            .args(["--latency-ms", &options.latency_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sandbox");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("cartpinger-sandbox listening on ")
            .unwrap_or_else(|| panic!("unexpected sandbox output {line:?}"))
            .to_owned();
        let transport = UreqTransport::new(TransportConfig {
            connect_timeout: Duration::from_secs(2),
            response_timeout: RESPONSE_TIMEOUT,
            max_idle_per_host: 64,
        });
        Self {
            child,
            base,
            transport,
            db,
        }
    }

    fn control(&self, path: &str, body: &Value) {
        let resp = ureq::post(&format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "control {path}");
    }
}

impl Backend for SandboxBackend {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn transport(&self) -> &dyn Transport {
        &self.transport
    }

    fn graph_with_token(&self, token: &str) -> GraphConfig {
        GraphConfig::new(token, PNID, WABA)
            .unwrap()
            .with_base_url(&self.base)
            .unwrap()
    }

    fn inject(&self, spec: &Value) {
        self.control("/_sandbox/inject", spec);
    }

    fn stored_per_id(&self) -> HashMap<String, usize> {
        let text = ureq::get(&format!("{}/_sandbox/messages?limit=100000", self.base))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let mut counts = HashMap::new();
        for m in v["messages"].as_array().cloned().unwrap_or_default() {
            if let Some(id) = m.get("biz_opaque_callback_data").and_then(Value::as_str) {
                *counts.entry(id.to_owned()).or_insert(0) += 1;
            }
        }
        counts
    }

    fn clear_templates(&self) {
        self.control(
            "/_sandbox/templates",
            &json!({"templates": [], "replace": true}),
        );
    }
}

// ------------------------------------------------------------------------------------------
// The in-memory fake
// ------------------------------------------------------------------------------------------

struct Injection {
    class: String,
    code: Option<i64>,
    remaining: u64,
}

struct FakeState {
    /// Stored sends per our id.
    stored: HashMap<String, usize>,
    /// (name, language) → (id, status, category).
    templates: Vec<(String, String, String, String, Value)>,
    injections: VecDeque<Injection>,
    /// Throughput bucket: tokens and last refill.
    tokens: f64,
    refilled: Instant,
    next_id: u64,
}

/// An in-memory Cloud API with the behaviour the sender relies on.
pub struct FakeMeta {
    options: Options,
    state: Mutex<FakeState>,
}

fn graph_error(status: u16, code: i64, subcode: Option<i64>, message: &str) -> Response {
    let mut error = json!({
        "message": message,
        "type": "OAuthException",
        "code": code,
        "fbtrace_id": "Afake",
    });
    if let Some(s) = subcode {
        error["error_subcode"] = json!(s);
    }
    if status >= 500 {
        error["is_transient"] = json!(true);
    }
    Response {
        status,
        headers: vec![("content-type".into(), "application/json".into())],
        body: json!({ "error": error }).to_string().into_bytes(),
    }
}

fn ok(body: &Value) -> Response {
    Response {
        status: 200,
        headers: vec![("content-type".into(), "application/json".into())],
        body: body.to_string().into_bytes(),
    }
}

fn query_param<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then_some(v)
    })
}

impl FakeMeta {
    pub fn new(options: Options) -> Self {
        let mut templates = Vec::new();
        for spec in catalog::list() {
            for tr in spec.translations {
                let def = catalog::create_request_body(
                    spec.name,
                    tr.language,
                    Some("https://shop.example/?cartpinger_recover="),
                )
                .unwrap();
                templates.push((
                    spec.name.to_owned(),
                    tr.language.to_owned(),
                    format!("{}", templates.len() + 1),
                    "APPROVED".to_owned(),
                    def,
                ));
            }
        }
        Self {
            options,
            state: Mutex::new(FakeState {
                stored: HashMap::new(),
                templates,
                injections: VecDeque::new(),
                tokens: f64::from(options.mps_cap),
                refilled: Instant::now(),
                next_id: 0,
            }),
        }
    }

    fn send(&self, body: &[u8]) -> Result<Response, TransportError> {
        let Ok(body) = serde_json::from_slice::<Value>(body) else {
            return Ok(graph_error(400, 100, None, "Invalid parameter"));
        };
        let to = body["to"].as_str().unwrap_or("");
        let digits = to.strip_prefix('+').unwrap_or("");
        if body["messaging_product"] != "whatsapp"
            || body["type"] != "template"
            || digits.len() < 7
            || !digits.bytes().all(|b| b.is_ascii_digit())
        {
            return Ok(graph_error(400, 100, None, "Invalid parameter"));
        }
        let name = body["template"]["name"].as_str().unwrap_or("");
        let language = body["template"]["language"]["code"].as_str().unwrap_or("");
        let Some(spec) = catalog::get(name).filter(|s| s.translation(language).is_some()) else {
            return Ok(graph_error(
                404,
                132_001,
                None,
                "(#132001) Template name does not exist in the translation",
            ));
        };
        let body_params = body["template"]["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["type"] == "body")
            .map(|c| c["parameters"].as_array().map_or(0, Vec::len))
            .sum::<usize>();
        if body_params != spec.body_variable_count() {
            return Ok(graph_error(
                400,
                132_000,
                None,
                "(#132000) Number of parameters does not match",
            ));
        }
        let id = body["biz_opaque_callback_data"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let mut state = self.state.lock().unwrap();
        if self.options.mps_cap > 0 {
            let cap = f64::from(self.options.mps_cap);
            let now = Instant::now();
            let refill = now.duration_since(state.refilled).as_secs_f64() * cap;
            state.tokens = (state.tokens + refill).min(cap);
            state.refilled = now;
            if state.tokens < 1.0 {
                return Ok(graph_error(
                    429,
                    130_429,
                    Some(2_494_055),
                    "(#130429) Rate limit hit",
                ));
            }
            state.tokens -= 1.0;
        }
        // An injection applies to a send that would otherwise be accepted.
        let injected = match state.injections.front_mut() {
            Some(inj) => {
                inj.remaining -= 1;
                let taken = (inj.class.clone(), inj.code);
                if inj.remaining == 0 {
                    state.injections.pop_front();
                }
                Some(taken)
            }
            None => None,
        };
        let store = |state: &mut FakeState| {
            *state.stored.entry(id.clone()).or_insert(0) += 1;
            state.next_id += 1;
            state.next_id
        };
        match injected {
            None => {
                let n = store(&mut state);
                Ok(ok(&json!({
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": digits}],
                    "messages": [{"id": format!("wamid.fake{n}"), "message_status": "accepted"}],
                })))
            }
            Some((class, code)) => match class.as_str() {
                "transient" => match code {
                    Some(c @ 500..=599) => Ok(Response {
                        status: u16::try_from(c).unwrap(),
                        headers: vec![],
                        body: b"upstream error".to_vec(),
                    }),
                    c => Ok(graph_error(
                        500,
                        c.unwrap_or(131_000),
                        None,
                        "Something went wrong",
                    )),
                },
                "rate_limited" => Ok(graph_error(
                    429,
                    code.unwrap_or(130_429),
                    None,
                    "Rate limit hit",
                )),
                "permanent" => {
                    let c = code.unwrap_or(131_026);
                    Ok(graph_error(
                        if c == 132_001 { 404 } else { 400 },
                        c,
                        None,
                        "Message undeliverable",
                    ))
                }
                "fatal" => Ok(graph_error(
                    401,
                    code.unwrap_or(190),
                    Some(463),
                    "Error validating access token: Session has expired",
                )),
                "timeout_after_write" => {
                    store(&mut state);
                    drop(state);
                    std::thread::sleep(Duration::from_millis(20));
                    Err(TransportError::TimeoutAfterSend)
                }
                // The body was written but never read: what the client sees is the same.
                "timeout_before_write" => {
                    drop(state);
                    std::thread::sleep(Duration::from_millis(20));
                    Err(TransportError::TimeoutAfterSend)
                }
                other => panic!("fake: unsupported injection {other}"),
            },
        }
    }

    fn list_templates(&self, url: &str) -> Response {
        let state = self.state.lock().unwrap();
        let limit: usize = query_param(url, "limit")
            .and_then(|l| l.parse().ok())
            .unwrap_or(25);
        let start: usize = query_param(url, "after")
            .and_then(|a| a.parse().ok())
            .unwrap_or(0);
        let end = (start + limit).min(state.templates.len());
        let data: Vec<Value> = state.templates[start.min(end)..end]
            .iter()
            .map(|(name, language, id, status, def)| {
                json!({
                    "id": id, "name": name, "language": language, "status": status,
                    "category": def["category"], "parameter_format": "POSITIONAL",
                    "components": def["components"],
                })
            })
            .collect();
        let mut paging =
            json!({"cursors": {"before": start.to_string(), "after": end.to_string()}});
        if end < state.templates.len() {
            paging["next"] = json!(format!("{url}&after={end}"));
        }
        ok(&json!({"data": data, "paging": paging}))
    }

    fn create_template(&self, body: &[u8]) -> Response {
        let def: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let name = def["name"].as_str().unwrap_or("").to_owned();
        let language = def["language"].as_str().unwrap_or("").to_owned();
        if name.is_empty() || language.is_empty() || def["components"].as_array().is_none() {
            return graph_error(400, 100, None, "Invalid parameter");
        }
        let mut state = self.state.lock().unwrap();
        if state
            .templates
            .iter()
            .any(|(n, l, ..)| *n == name && *l == language)
        {
            return graph_error(
                400,
                100,
                Some(2_388_024),
                "Content in This Language Already Exists",
            );
        }
        let id = format!("{}", 9_000 + state.templates.len());
        state.templates.push((
            name,
            language,
            id.clone(),
            "PENDING".to_owned(),
            def.clone(),
        ));
        ok(&json!({"id": id, "status": "PENDING", "category": def["category"]}))
    }
}

impl Transport for FakeMeta {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        if self.options.latency_ms > 0 {
            std::thread::sleep(Duration::from_millis(self.options.latency_ms));
        }
        let authorised = request.headers.iter().any(|(k, v)| {
            k.eq_ignore_ascii_case("authorization") && *v == format!("Bearer {TOKEN}")
        });
        if !authorised {
            return Ok(graph_error(
                401,
                190,
                Some(463),
                "Error validating access token",
            ));
        }
        let path = request.url.split('?').next().unwrap_or("");
        let body = request.body.as_deref().unwrap_or_default();
        match request.method {
            Method::Post if path.ends_with(&format!("/{PNID}/messages")) => self.send(body),
            Method::Post if path.ends_with(&format!("/{WABA}/message_templates")) => {
                Ok(self.create_template(body))
            }
            Method::Get if path.ends_with(&format!("/{WABA}/message_templates")) => {
                Ok(self.list_templates(&request.url))
            }
            Method::Get if path.ends_with(&format!("/{PNID}")) => Ok(ok(&json!({
                "id": PNID, "display_phone_number": "15550783881",
                "verified_name": "CartPinger Test", "quality_rating": "GREEN",
            }))),
            _ => Ok(graph_error(400, 100, None, "Unknown path")),
        }
    }
}

/// [`FakeMeta`] as a [`Backend`].
pub struct FakeBackend(pub FakeMeta);

impl FakeBackend {
    /// At least 5 ms per answer, about what the (debug) sandbox takes on loopback: with zero
    /// latency nothing would ever be in flight together, and a 130429 storm would be a
    /// strictly serial sequence of one-second pauses (a timing no real server produces).
    pub fn start(options: Options) -> Self {
        Self(FakeMeta::new(Options {
            latency_ms: options.latency_ms.max(5),
            ..options
        }))
    }
}

impl Backend for FakeBackend {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn transport(&self) -> &dyn Transport {
        &self.0
    }

    fn graph_with_token(&self, token: &str) -> GraphConfig {
        GraphConfig::new(token, PNID, WABA)
            .unwrap()
            .with_base_url("http://fake.invalid")
            .unwrap()
    }

    fn inject(&self, spec: &Value) {
        self.0
            .state
            .lock()
            .unwrap()
            .injections
            .push_back(Injection {
                class: spec["class"].as_str().unwrap().to_owned(),
                code: spec["code"].as_i64(),
                remaining: spec["count"].as_u64().unwrap_or(1),
            });
    }

    fn stored_per_id(&self) -> HashMap<String, usize> {
        self.0.state.lock().unwrap().stored.clone()
    }

    fn clear_templates(&self) {
        self.0.state.lock().unwrap().templates.clear();
    }
}

/// Ids of a list, for set comparisons.
pub fn ids<'a>(items: impl IntoIterator<Item = &'a String>) -> HashSet<String> {
    items.into_iter().cloned().collect()
}
