//! The real transport and batch sender against the real sandbox binary (no mocks), and the
//! same scenarios against an in-memory fake transport: the contract both must satisfy.
//!
//! Fault tests count, per our message id, what the sandbox stored: 0 duplicates (no id stored
//! twice) and 0 lost (every job has exactly one result; unknown outcomes are flagged).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code: helpers outside #[test] functions"
)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use cartpinger_core::catalog;
use cartpinger_core::graph::GraphConfig;
use cartpinger_core::meta_error::Outcome;
use cartpinger_core::retry::Backoff;
use cartpinger_core::transport::{Request, Response, Transport, TransportError};
use cartpinger_http::{send_batch, BatchConfig, Job, TransportConfig, UreqTransport};
use serde_json::{json, Value};

const TOKEN: &str = "contract-token";
const PNID: &str = "106540352242922";
const WABA: &str = "102290129340398";

fn sandbox_binary() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join("target/debug/cartpinger-sandbox");
    // The sandbox is another package of this workspace: build it once if it is missing.
    let status = Command::new(env!("CARGO"))
        .args(["build", "-q", "-p", "cartpinger-sandbox"])
        .current_dir(&root)
        .status()
        .expect("cargo build -p cartpinger-sandbox");
    assert!(status.success(), "building the sandbox failed");
    bin
}

struct Sandbox {
    child: Child,
    base: String,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

static SEQ: AtomicU64 = AtomicU64::new(0);

impl Sandbox {
    fn start(extra: &[&str]) -> Self {
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
            .arg("--db")
            .arg(&db)
            .args(extra)
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
            .unwrap()
            .to_owned();
        Self { child, base }
    }

    fn graph(&self) -> GraphConfig {
        GraphConfig::new(TOKEN, PNID, WABA)
            .unwrap()
            .with_base_url(&self.base)
            .unwrap()
    }

    fn control(&self, path: &str, body: &Value) {
        let resp = ureq::post(&format!("{}{path}", self.base))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "control {path}");
    }

    /// How many times the sandbox stored each of our ids (biz_opaque_callback_data).
    fn stored_per_id(&self) -> HashMap<String, usize> {
        let text = ureq::get(&format!("{}/_sandbox/messages?limit=100000", self.base))
            .call()
            .unwrap()
            .body_mut()
            .read_to_string()
            .unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let list = v
            .get("messages")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut counts = HashMap::new();
        for m in list {
            if let Some(id) = m.get("biz_opaque_callback_data").and_then(Value::as_str) {
                *counts.entry(id.to_owned()).or_insert(0) += 1;
            }
        }
        counts
    }
}

/// Jobs for every catalog template in every language, with the catalog's own example values.
fn catalog_jobs(prefix: &str, copies: usize) -> Vec<Job> {
    let mut jobs = Vec::new();
    let mut n = 0u32;
    for _ in 0..copies {
        for spec in catalog::list() {
            for tr in spec.translations {
                n += 1;
                let params: Vec<String> =
                    spec.params.iter().map(|p| p.example.to_owned()).collect();
                let id = format!("{prefix}-{n}");
                // Distinct recipients so the pair-rate guard does not serialise the batch.
                let to = format!("+3461{:07}", n);
                let message = catalog::message(&to, spec.name, tr.language, &params, Some(&id))
                    .expect("catalog message");
                jobs.push(Job {
                    id,
                    message,
                    fallbacks: vec![],
                });
            }
        }
    }
    jobs
}

fn config(cap: u32, budget_ms: u64) -> BatchConfig {
    BatchConfig {
        concurrency: 64,
        mps_cap: cap,
        budget: Duration::from_millis(budget_ms),
        reserve: Duration::from_millis(200),
        backoff: Backoff {
            base_ms: 50,
            cap_ms: 400,
            max_attempts: 4,
        },
    }
}

fn transport() -> UreqTransport {
    UreqTransport::new(TransportConfig {
        connect_timeout: Duration::from_secs(2),
        response_timeout: Duration::from_millis(1500),
        max_idle_per_host: 64,
    })
}

fn assert_no_duplicates(stored: &HashMap<String, usize>) {
    let dups: Vec<_> = stored.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        dups.is_empty(),
        "duplicates stored by the sandbox: {dups:?}"
    );
}

#[test]
fn every_catalog_request_is_accepted_by_the_spec_validating_sandbox() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    let jobs = catalog_jobs("cat", 1);
    assert_eq!(jobs.len(), 35, "7 templates x 5 languages");
    let results = send_batch(&transport(), &sb.graph(), &jobs, &config(1000, 20_000));
    assert_eq!(results.len(), jobs.len());
    for r in &results {
        assert!(
            matches!(r.outcome, Some(Outcome::Accepted { .. })),
            "{} -> {:?}",
            r.id,
            r.outcome
        );
        assert_eq!(r.attempts, 1);
    }
    let stored = sb.stored_per_id();
    assert_eq!(stored.len(), 35);
    assert_no_duplicates(&stored);
}

#[test]
fn transient_errors_are_retried_once_each_and_never_duplicated() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    sb.control(
        "/_sandbox/inject",
        &json!({"class": "transient", "count": 5}),
    );
    sb.control(
        "/_sandbox/inject",
        &json!({"class": "transient", "code": 503, "count": 3}),
    );
    let jobs = catalog_jobs("tr", 1);
    let results = send_batch(&transport(), &sb.graph(), &jobs, &config(1000, 20_000));
    let accepted = results
        .iter()
        .filter(|r| matches!(r.outcome, Some(Outcome::Accepted { .. })))
        .count();
    assert_eq!(accepted, jobs.len(), "{results:?}");
    let retried: u32 = results.iter().map(|r| r.attempts - 1).sum();
    assert_eq!(retried, 8, "each injected failure costs exactly one retry");
    let stored = sb.stored_per_id();
    assert_eq!(stored.len(), jobs.len(), "0 lost");
    assert_no_duplicates(&stored);
}

#[test]
fn throughput_429_storm_slows_down_and_loses_nothing() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    sb.control(
        "/_sandbox/inject",
        &json!({"class": "rate_limited", "count": 20}),
    );
    let jobs = catalog_jobs("rl", 2);
    let mut cfg = config(1000, 30_000);
    cfg.backoff.max_attempts = 30;
    let results = send_batch(&transport(), &sb.graph(), &jobs, &cfg);
    assert_eq!(results.len(), jobs.len());
    for r in &results {
        assert!(matches!(r.outcome, Some(Outcome::Accepted { .. })), "{r:?}");
    }
    let stored = sb.stored_per_id();
    assert_eq!(stored.len(), jobs.len());
    assert_no_duplicates(&stored);
}

#[test]
fn unknown_outcomes_are_flagged_not_resent() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    sb.control(
        "/_sandbox/inject",
        &json!({"class": "timeout_after_write", "count": 2, "hang_ms": 3000}),
    );
    let jobs = catalog_jobs("unk", 1);
    let results = send_batch(&transport(), &sb.graph(), &jobs, &config(1000, 20_000));
    let unknown: Vec<_> = results
        .iter()
        .filter(|r| matches!(r.outcome, Some(Outcome::Unknown { .. })))
        .collect();
    assert_eq!(unknown.len(), 2, "{results:?}");
    for r in &unknown {
        assert_eq!(r.attempts, 1, "an unknown outcome is never resent blindly");
    }
    let stored = sb.stored_per_id();
    // The sandbox stored the two hung messages too (it received them): all 35, none twice.
    assert_eq!(stored.len(), jobs.len(), "0 lost");
    assert_no_duplicates(&stored);
}

#[test]
fn expired_token_is_fatal_and_stops_the_batch() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    sb.control(
        "/_sandbox/inject",
        &json!({"class": "fatal", "code": 190, "count": 1000}),
    );
    let jobs = catalog_jobs("tok", 2);
    let mut cfg = config(1000, 20_000);
    cfg.concurrency = 4;
    let results = send_batch(&transport(), &sb.graph(), &jobs, &cfg);
    assert_eq!(results.len(), jobs.len(), "every job has a result");
    let fatal = results
        .iter()
        .filter(|r| matches!(r.outcome, Some(Outcome::Fatal { code: 190, .. })))
        .count();
    let not_attempted = results.iter().filter(|r| r.outcome.is_none()).count();
    assert!(
        (1..=4).contains(&fatal),
        "at most one in flight per worker: {fatal}"
    );
    assert_eq!(fatal + not_attempted, jobs.len());
    assert!(sb.stored_per_id().is_empty());
}

#[test]
fn the_budget_is_kept_and_unsent_jobs_come_back() {
    let sb = Sandbox::start(&["--mps-cap", "1000", "--latency-ms", "200"]);
    let jobs = catalog_jobs("bud", 4);
    let mut cfg = config(20, 1_500); // 20 mps for ~1.3 s: about 26 of 140 can go.
    cfg.reserve = Duration::from_millis(200);
    let started = std::time::Instant::now();
    let results = send_batch(&transport(), &sb.graph(), &jobs, &cfg);
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1_500 + 1_600), "took {took:?}");
    let sent = results.iter().filter(|r| r.outcome.is_some()).count();
    assert!(sent > 0 && sent < jobs.len(), "sent {sent}");
    let stored = sb.stored_per_id();
    assert_eq!(
        stored.len(),
        sent,
        "exactly the attempted ones reached the sandbox"
    );
    assert_no_duplicates(&stored);
}

/// An in-memory stand-in with the Meta behaviour the sender relies on: accepts a template
/// send with a wamid, answers one injected 130429 first. Same assertions as the sandbox runs.
struct FakeMeta {
    stored: Mutex<HashMap<String, usize>>,
    throttle_first: AtomicBool,
}

impl Transport for FakeMeta {
    fn execute(&self, request: &Request) -> Result<Response, TransportError> {
        let body: Value = serde_json::from_slice(request.body.as_deref().unwrap_or_default())
            .map_err(|_| TransportError::Connect("bad body".into()))?;
        if self.throttle_first.swap(false, Ordering::Relaxed) {
            return Ok(Response {
                status: 429,
                headers: vec![],
                body: br#"{"error":{"message":"(#130429) Rate limit hit","type":"OAuthException","code":130429}}"#.to_vec(),
            });
        }
        let id = body["biz_opaque_callback_data"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        *self.stored.lock().unwrap().entry(id.clone()).or_insert(0) += 1;
        Ok(Response {
            status: 200,
            headers: vec![],
            body: format!(
                r#"{{"messaging_product":"whatsapp","contacts":[{{"input":"{}","wa_id":"1"}}],"messages":[{{"id":"wamid.{id}"}}]}}"#,
                body["to"].as_str().unwrap_or("")
            )
            .into_bytes(),
        })
    }
}

#[test]
fn the_fake_transport_satisfies_the_same_contract() {
    let fake = FakeMeta {
        stored: Mutex::new(HashMap::new()),
        throttle_first: AtomicBool::new(true),
    };
    let graph = GraphConfig::new(TOKEN, PNID, WABA).unwrap();
    let jobs = catalog_jobs("fake", 1);
    let mut cfg = config(1000, 10_000);
    cfg.backoff.max_attempts = 5;
    let results = send_batch(&fake, &graph, &jobs, &cfg);
    assert!(results
        .iter()
        .all(|r| matches!(r.outcome, Some(Outcome::Accepted { .. }))));
    let stored = fake.stored.into_inner().unwrap();
    assert_eq!(stored.len(), jobs.len());
    assert_no_duplicates(&stored);
}

#[test]
fn a_132001_answer_falls_back_to_the_next_language_once() {
    let sb = Sandbox::start(&["--mps-cap", "1000"]);
    let params = ["Ana", "1001", "49.90 EUR"];
    let english = catalog::message(
        "+34612000001",
        "order_confirmed",
        "en",
        &params,
        Some("lang-1"),
    )
    .unwrap();
    // A language Meta (the sandbox) has no approved translation for.
    let mut italian = english.clone();
    italian.language = "it".to_owned();
    let jobs = vec![Job {
        id: "lang-1".to_owned(),
        message: italian,
        fallbacks: vec![english],
    }];
    let results = send_batch(&transport(), &sb.graph(), &jobs, &config(1000, 10_000));
    let r = &results[0];
    assert!(matches!(r.outcome, Some(Outcome::Accepted { .. })), "{r:?}");
    assert_eq!(r.language, "en");
    assert_eq!(r.attempts, 2, "one 132001, then the fallback");
    assert_eq!(sb.stored_per_id().get("lang-1"), Some(&1));
}
