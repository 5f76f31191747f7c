//! The contract suite: every scenario runs twice, against (a) the real sandbox binary through
//! the real `UreqTransport` (the sandbox validates every request body against Meta's OpenAPI
//! spec) and (b) the in-memory `FakeMeta` (`tests/common`). No mocks of our own code.
//!
//! Every batch is audited against what the server stored, per our message id:
//! * duplicates: an id stored more than once, or stored while its result says "not sent"
//!   (accepted/unknown are the only results that may have reached Meta) — must be 0;
//! * lost: a job without exactly one result (in order, same id), or an `accepted` result the
//!   server never stored — must be 0;
//! * unknown outcomes are counted and each scenario asserts how many it expects.
//!
//! The figures are printed (`cargo test -p cartpinger-http --test contract -- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "test code"
)]

mod common;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use cartpinger_core::catalog;
use cartpinger_core::graph::GraphError;
use cartpinger_core::meta_error::Outcome;
use cartpinger_core::retry::Backoff;
use cartpinger_http::{account, send_batch, BatchConfig, Job, JobResult};
use common::{Backend, FakeBackend, Options, SandboxBackend};
use serde_json::json;

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
                let to = format!("+3461{n:07}");
                let message = catalog::message(&to, spec.name, tr.language, &params, Some(&id))
                    .expect("catalog message");
                jobs.push(Job {
                    id,
                    message,
                    endpoint: cartpinger_core::graph::Endpoint::Messages,
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

#[derive(Debug, Default, PartialEq, Eq)]
struct Audit {
    jobs: usize,
    accepted: usize,
    unknown: usize,
    not_attempted: usize,
    other: usize,
    stored: usize,
    duplicates: usize,
    lost: usize,
}

fn is_accepted(r: &JobResult) -> bool {
    matches!(r.outcome, Some(Outcome::Accepted { .. }))
}

fn is_unknown(r: &JobResult) -> bool {
    matches!(r.outcome, Some(Outcome::Unknown { .. }))
}

/// Counts, prints and asserts 0 duplicates and 0 lost.
fn audit(b: &dyn Backend, scenario: &str, jobs: &[Job], results: &[JobResult]) -> Audit {
    let stored: HashMap<String, usize> = b.stored_per_id();
    let mut a = Audit {
        jobs: jobs.len(),
        ..Audit::default()
    };
    // Exactly one result per job, in order.
    a.lost += jobs.len().abs_diff(results.len());
    for (job, r) in jobs.iter().zip(results) {
        if job.id != r.id {
            a.lost += 1;
        }
        let n = stored.get(&job.id).copied().unwrap_or(0);
        a.stored += n.min(1);
        if n > 1 {
            a.duplicates += n - 1;
        }
        match &r.outcome {
            Some(Outcome::Accepted { .. }) => {
                a.accepted += 1;
                if n == 0 {
                    a.lost += 1; // Reported sent, never arrived.
                }
            }
            Some(Outcome::Unknown { .. }) => a.unknown += 1,
            None => a.not_attempted += 1,
            Some(_) => a.other += 1,
        }
        if n > 0 && !is_accepted(r) && !is_unknown(r) {
            // Reported as not sent but it reached Meta: the queue would resend it.
            a.duplicates += 1;
        }
    }
    eprintln!(
        "[contract {:7}] {scenario:38} jobs={} accepted={} unknown={} not_attempted={} other={} stored={} duplicates={} lost={}",
        b.name(),
        a.jobs,
        a.accepted,
        a.unknown,
        a.not_attempted,
        a.other,
        a.stored,
        a.duplicates,
        a.lost
    );
    assert_eq!(a.duplicates, 0, "{scenario}: duplicates");
    assert_eq!(a.lost, 0, "{scenario}: lost");
    a
}

// ------------------------------------------------------------------------------------------
// Scenarios (each takes a started backend)
// ------------------------------------------------------------------------------------------

fn every_catalog_request_is_accepted(b: &dyn Backend) {
    let jobs = catalog_jobs("cat", 1);
    assert_eq!(jobs.len(), 35, "7 templates x 5 languages");
    let results = send_batch(b.transport(), &b.graph(), &jobs, &config(1000, 20_000));
    let a = audit(b, "every catalog template x language", &jobs, &results);
    assert_eq!(a.accepted, 35, "{results:?}");
    assert!(results.iter().all(|r| r.attempts == 1));
}

fn transient_errors_and_5xx_are_retried(b: &dyn Backend) {
    b.inject(&json!({"class": "transient", "count": 5}));
    b.inject(&json!({"class": "transient", "code": 503, "count": 3}));
    b.inject(&json!({"class": "transient", "code": 500, "count": 2}));
    let jobs = catalog_jobs("tr", 1);
    let results = send_batch(b.transport(), &b.graph(), &jobs, &config(1000, 20_000));
    let a = audit(b, "131000 x5 + bare 503 x3 + 500 x2", &jobs, &results);
    assert_eq!(a.accepted, jobs.len(), "{results:?}");
    let retried: u32 = results.iter().map(|r| r.attempts - 1).sum();
    assert_eq!(retried, 10, "each injected failure costs exactly one retry");
}

fn a_130429_storm_slows_down_and_loses_nothing(b: &dyn Backend) {
    b.inject(&json!({"class": "rate_limited", "count": 15}));
    let jobs = catalog_jobs("rl", 2);
    let mut cfg = config(1000, 30_000);
    cfg.backoff.max_attempts = 30;
    let results = send_batch(b.transport(), &b.graph(), &jobs, &cfg);
    let a = audit(b, "130429 storm (15 in a row)", &jobs, &results);
    assert_eq!(a.accepted, jobs.len(), "{results:?}");
    let retried: u32 = results.iter().map(|r| r.attempts - 1).sum();
    assert_eq!(retried, 15, "each 130429 costs exactly one retry");
}

fn the_server_cap_answers_130429_and_the_batch_adapts(b: &dyn Backend) {
    // The server allows 40/s, the client is configured for 1000/s: the excess gets 130429,
    // the bucket pauses, and everything still goes exactly once.
    let jobs = catalog_jobs("cap", 3);
    let mut cfg = config(1000, 30_000);
    cfg.backoff.max_attempts = 30;
    let started = Instant::now();
    let results = send_batch(b.transport(), &b.graph(), &jobs, &cfg);
    let a = audit(b, "server cap 40/s, client cap 1000/s", &jobs, &results);
    assert_eq!(a.accepted, jobs.len(), "{results:?}");
    let throttled = results.iter().filter(|r| r.attempts > 1).count();
    assert!(throttled > 0, "the server cap was never hit");
    eprintln!(
        "    {} of {} needed retries, took {:?}",
        throttled,
        jobs.len(),
        started.elapsed()
    );
}

fn timeouts_after_write_are_unknown_and_not_resent(b: &dyn Backend) {
    b.inject(&json!({"class": "timeout_after_write", "count": 3, "hang_ms": 2000}));
    let jobs = catalog_jobs("taw", 1);
    let results = send_batch(b.transport(), &b.graph(), &jobs, &config(1000, 20_000));
    let a = audit(b, "timeout after write x3", &jobs, &results);
    assert_eq!(a.unknown, 3, "{results:?}");
    assert_eq!(a.accepted, jobs.len() - 3);
    for r in results.iter().filter(|r| is_unknown(r)) {
        assert_eq!(r.attempts, 1, "an unknown outcome is never resent blindly");
    }
    // The server did receive the hung messages: every job is stored exactly once.
    assert_eq!(a.stored, jobs.len());
}

fn timeouts_before_write_are_unknown_and_not_resent(b: &dyn Backend) {
    b.inject(&json!({"class": "timeout_before_write", "count": 2, "hang_ms": 2000}));
    let jobs = catalog_jobs("tbw", 1);
    let results = send_batch(b.transport(), &b.graph(), &jobs, &config(1000, 20_000));
    let a = audit(b, "timeout before write x2", &jobs, &results);
    // The client cannot know that the server never read the body: unknown, not resent,
    // reconciled later (docs/delivery.md: settled by the status webhook, never resent blindly).
    assert_eq!(a.unknown, 2, "{results:?}");
    assert_eq!(a.stored, jobs.len() - 2);
    for r in results.iter().filter(|r| is_unknown(r)) {
        assert_eq!(r.attempts, 1);
    }
}

fn an_expired_token_is_fatal_and_stops_the_batch(b: &dyn Backend) {
    b.inject(&json!({"class": "fatal", "code": 190, "count": 1000}));
    let jobs = catalog_jobs("tok", 2);
    let mut cfg = config(1000, 20_000);
    cfg.concurrency = 4;
    let results = send_batch(b.transport(), &b.graph(), &jobs, &cfg);
    let a = audit(b, "token expired (190 injected)", &jobs, &results);
    let fatal = results
        .iter()
        .filter(|r| matches!(r.outcome, Some(Outcome::Fatal { code: 190, .. })))
        .count();
    assert!(
        (1..=4).contains(&fatal),
        "at most one in flight per worker: {fatal}"
    );
    assert_eq!(fatal + a.not_attempted, jobs.len());
    assert_eq!(a.stored, 0);
}

fn a_wrong_token_is_fatal_and_stops_the_batch(b: &dyn Backend) {
    let jobs = catalog_jobs("wrong", 1);
    let mut cfg = config(1000, 20_000);
    cfg.concurrency = 1;
    let results = send_batch(
        b.transport(),
        &b.graph_with_token("not-the-token"),
        &jobs,
        &cfg,
    );
    let a = audit(b, "wrong token (bearer check)", &jobs, &results);
    assert!(matches!(
        results[0].outcome,
        Some(Outcome::Fatal { code: 190, .. })
    ));
    assert_eq!(a.not_attempted, jobs.len() - 1);
    assert!(!format!("{results:?}").contains("not-the-token"));
}

fn a_mixed_fault_storm_loses_and_duplicates_nothing(b: &dyn Backend) {
    b.inject(&json!({"class": "transient", "count": 5}));
    b.inject(&json!({"class": "rate_limited", "count": 10}));
    b.inject(&json!({"class": "timeout_after_write", "count": 3, "hang_ms": 2000}));
    b.inject(&json!({"class": "transient", "code": 503, "count": 3}));
    b.inject(&json!({"class": "timeout_before_write", "count": 2, "hang_ms": 2000}));
    b.inject(&json!({"class": "rate_limited", "count": 10}));
    let jobs = catalog_jobs("mix", 4);
    let mut cfg = config(1000, 30_000);
    cfg.backoff.max_attempts = 10;
    let results = send_batch(b.transport(), &b.graph(), &jobs, &cfg);
    let a = audit(b, "mixed storm (140 jobs, 33 faults)", &jobs, &results);
    assert_eq!(a.unknown, 5, "{results:?}");
    assert_eq!(a.accepted, jobs.len() - 5);
    assert_eq!(a.stored, jobs.len() - 2);
}

fn the_budget_is_kept_and_unsent_jobs_come_back(b: &dyn Backend) {
    let jobs = catalog_jobs("bud", 4);
    let mut cfg = config(20, 1_500); // 20 mps for ~1.3 s: about 26 of 140 can start.
    cfg.reserve = Duration::from_millis(200);
    let started = Instant::now();
    let results = send_batch(b.transport(), &b.graph(), &jobs, &cfg);
    let took = started.elapsed();
    let a = audit(b, "budget 1.5 s at 20 mps, 200 ms latency", &jobs, &results);
    assert!(took < Duration::from_millis(1_500 + 1_600), "took {took:?}");
    assert!(a.not_attempted > 0 && a.accepted > 0, "{a:?}");
    assert_eq!(a.stored, a.accepted, "exactly the attempted ones arrived");
}

fn a_132001_answer_falls_back_to_the_next_language_once(b: &dyn Backend) {
    let params = ["Ana", "1001", "49.90 EUR"];
    let english = catalog::message(
        "+34612000001",
        "order_confirmed",
        "en",
        &params,
        Some("lang-1"),
    )
    .unwrap();
    // A language Meta has no approved translation for.
    let mut italian = english.clone();
    italian.language = "it".to_owned();
    let jobs = vec![Job {
        id: "lang-1".to_owned(),
        message: italian,
        endpoint: cartpinger_core::graph::Endpoint::Messages,
        fallbacks: vec![english],
    }];
    let results = send_batch(b.transport(), &b.graph(), &jobs, &config(1000, 10_000));
    audit(b, "132001 -> next language", &jobs, &results);
    let r = &results[0];
    assert!(is_accepted(r), "{r:?}");
    assert_eq!(r.language, "en");
    assert_eq!(r.attempts, 2, "one 132001, then the fallback");
}

fn account_calls(b: &dyn Backend) {
    let info = account::check_credentials(b.transport(), &b.graph()).unwrap();
    assert!(!info.display_phone_number.is_empty());
    match account::check_credentials(b.transport(), &b.graph_with_token("nope")) {
        Err(GraphError::Api(Outcome::Fatal { code: 190, .. })) => {}
        other => panic!("a wrong token must be fatal 190: {other:?}"),
    }
    // Small pages: the walk must follow the cursor over several pages.
    let listed = account::list_templates(b.transport(), &b.graph(), 4).unwrap();
    for spec in catalog::list() {
        for tr in spec.translations {
            let found = listed
                .iter()
                .find(|t| t.name == spec.name && t.language == tr.language)
                .unwrap_or_else(|| panic!("{} {} not listed", spec.name, tr.language));
            assert!(
                catalog::compatibility(found).is_empty(),
                "{} {}: {:?}",
                spec.name,
                tr.language,
                catalog::compatibility(found)
            );
        }
    }
    let mut keys: Vec<_> = listed.iter().map(|t| (&t.name, &t.language)).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), listed.len(), "no template listed twice");
    // Submitting every catalog body: accepted by the (validating) server once, then refused
    // as a duplicate.
    b.clear_templates();
    let prefix = "https://shop.example/checkout/?cartpinger_recover=";
    let mut submitted = 0;
    for spec in catalog::list() {
        for tr in spec.translations {
            let def = catalog::create_request_body(spec.name, tr.language, Some(prefix)).unwrap();
            let created = account::submit_template(b.transport(), &b.graph(), &def)
                .unwrap_or_else(|e| panic!("{} {}: {e}", spec.name, tr.language));
            assert_eq!(created.status, "PENDING");
            submitted += 1;
        }
    }
    assert_eq!(submitted, 35);
    let def = catalog::create_request_body("order_confirmed", "en", None).unwrap();
    match account::submit_template(b.transport(), &b.graph(), &def) {
        Err(GraphError::Api(Outcome::Permanent {
            code: 2_388_024, ..
        })) => {}
        other => panic!("a duplicate must be 2388024: {other:?}"),
    }
    eprintln!(
        "[contract {:7}] account calls: credentials ok, {} templates listed in pages of 4, 35 submitted, duplicate refused",
        b.name(),
        listed.len()
    );
}

// ------------------------------------------------------------------------------------------
// The same suite against both backends
// ------------------------------------------------------------------------------------------

macro_rules! contract {
    ($($scenario:ident($options:expr);)*) => {
        mod sandbox {
            use super::*;
            $(
                #[test]
                fn $scenario() {
                    super::$scenario(&SandboxBackend::start($options));
                }
            )*
        }
        mod fake {
            use super::*;
            $(
                #[test]
                fn $scenario() {
                    super::$scenario(&FakeBackend::start($options));
                }
            )*
        }
    };
}

const NO_CAP: Options = Options {
    mps_cap: 0,
    latency_ms: 0,
};

contract! {
    every_catalog_request_is_accepted(NO_CAP);
    transient_errors_and_5xx_are_retried(NO_CAP);
    a_130429_storm_slows_down_and_loses_nothing(NO_CAP);
    the_server_cap_answers_130429_and_the_batch_adapts(Options { mps_cap: 40, latency_ms: 0 });
    timeouts_after_write_are_unknown_and_not_resent(NO_CAP);
    timeouts_before_write_are_unknown_and_not_resent(NO_CAP);
    an_expired_token_is_fatal_and_stops_the_batch(NO_CAP);
    a_wrong_token_is_fatal_and_stops_the_batch(NO_CAP);
    a_mixed_fault_storm_loses_and_duplicates_nothing(NO_CAP);
    the_budget_is_kept_and_unsent_jobs_come_back(Options { mps_cap: 0, latency_ms: 200 });
    a_132001_answer_falls_back_to_the_next_language_once(NO_CAP);
    account_calls(NO_CAP);
}
