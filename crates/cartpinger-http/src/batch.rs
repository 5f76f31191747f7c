//! Many template sends from one call: a pool of scoped threads under the core's rate limits.
//!
//! * Every job gets exactly one [`JobResult`], in input order: nothing is lost.
//! * A job is sent at most once per attempt, and only [`Outcome::Transient`] and
//!   [`Outcome::RateLimited`] are retried, and only when the backoff fits in the budget.
//!   [`Outcome::Unknown`] (the request may have reached Meta) is returned as it is: the caller
//!   reconciles it through the status webhook instead of resending (docs/engine.md).
//! * The throughput cap ([`TokenBucket`]) and the per-recipient [`PairGuard`] are shared by all
//!   workers. A 130429 answer pauses the bucket; a 131056 penalises that recipient.
//! * A [`Outcome::Fatal`] answer (bad token, locked account) stops the batch: the jobs not yet
//!   started come back not attempted.
//! * No new send starts when less than [`BatchConfig::reserve`] of the budget is left, so one
//!   WP-Cron run never outlives its slot by more than one response timeout.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use cartpinger_core::graph::{self, GraphConfig, TemplateMessage};
use cartpinger_core::meta_error::{self, Outcome, PermanentKind, RateScope};
use cartpinger_core::ratelimit::{PairGuard, TokenBucket};
use cartpinger_core::retry::{Backoff, Decision};
use cartpinger_core::transport::{Request, Transport};

/// One message to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Our message id (the queue row); also sent as `biz_opaque_callback_data`.
    pub id: String,
    /// The message, built from the catalog.
    pub message: TemplateMessage,
    /// Where it goes (`cartpinger_core::platform::route`); its fallbacks go there too.
    pub endpoint: graph::Endpoint,
    /// The same message in the next languages to try, in order, when Meta answers 132001
    /// ("template not found in this language"); usually from `catalog::select_language`.
    pub fallbacks: Vec<TemplateMessage>,
}

/// What happened to one [`Job`].
#[derive(Debug, Clone, PartialEq)]
pub struct JobResult {
    /// The job's id.
    pub id: String,
    /// The last outcome; `None` when the job was not attempted (budget or a fatal stop).
    pub outcome: Option<Outcome>,
    /// Requests made for this job.
    pub attempts: u32,
    /// Time spent in requests for this job, milliseconds.
    pub latency_ms: u64,
    /// The language of the last attempt (differs from the job's first language after a
    /// 132001 fallback).
    pub language: String,
}

/// Limits of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchConfig {
    /// Worker threads (requests in flight), 1–512.
    pub concurrency: usize,
    /// Messages per second for the business number (Meta: 80 by default, up to 1,000).
    pub mps_cap: u32,
    /// Wall-clock budget of the whole call.
    pub budget: Duration,
    /// No new request starts when less than this is left of the budget.
    pub reserve: Duration,
    /// Retry policy for transient and rate-limited outcomes.
    pub backoff: Backoff,
}

impl Default for BatchConfig {
    fn default() -> Self {
        Self {
            concurrency: 32,
            mps_cap: 80,
            budget: Duration::from_secs(45),
            reserve: Duration::from_secs(2),
            backoff: Backoff::default(),
        }
    }
}

/// The throughput cap and the per-recipient guard of one business number, kept across calls so
/// that consecutive batches of one run honour the cap together (no fresh burst per call).
#[derive(Debug)]
pub struct Limits {
    epoch: Instant,
    bucket: Mutex<TokenBucket>,
    pairs: Mutex<PairGuard>,
}

impl Limits {
    /// Limits for `mps_cap` messages per second, with a burst of 100 ms worth of messages (at
    /// most 10 % over the cap in any one-second window, well inside Meta's per-second bucket):
    /// the loop that marks rows in flight between two tokens may be slowed by a busy database
    /// without losing the tokens that came meanwhile (a burst of one capped a loaded runner at
    /// a third of cap 80).
    #[must_use]
    pub fn new(mps_cap: u32) -> Self {
        let cap = mps_cap.max(1);
        Self {
            epoch: Instant::now(),
            bucket: Mutex::new(TokenBucket::with_burst(cap, (cap / 10).max(1))),
            pairs: Mutex::new(PairGuard::default()),
        }
    }

    fn clock_ms(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn try_token(&self) -> Result<(), u64> {
        let now = self.clock_ms();
        self.bucket
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .try_acquire(now)
    }
}

struct Shared<'a> {
    transport: &'a dyn Transport,
    graph: &'a GraphConfig,
    config: &'a BatchConfig,
    start: Instant,
    limits: &'a Limits,
    stop: AtomicBool,
    random: RandomState,
}

impl Shared<'_> {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn budget_ms(&self) -> u64 {
        let usable = self.config.budget.saturating_sub(self.config.reserve);
        u64::try_from(usable.as_millis()).unwrap_or(u64::MAX)
    }

    /// True when waiting `wait_ms` more would cross the point after which nothing may start.
    fn too_late(&self, wait_ms: u64) -> bool {
        self.now_ms().saturating_add(wait_ms) > self.budget_ms()
    }

    /// Waits for a permit from `acquire`; false when the budget ran out or the batch stopped.
    fn wait_for(&self, mut acquire: impl FnMut(u64) -> Result<(), u64>) -> bool {
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return false;
            }
            match acquire(self.limits.clock_ms()) {
                Ok(()) => return true,
                Err(wait_ms) => {
                    if self.too_late(wait_ms) {
                        return false;
                    }
                    thread::sleep(Duration::from_millis(wait_ms.clamp(1, 50)));
                }
            }
        }
    }

    fn random(&self, id: &str, attempt: u32) -> u64 {
        self.random.hash_one((id, attempt, self.start.elapsed()))
    }

    /// Builds the request for `message`; on failure records a permanent outcome and gives None.
    fn build(
        &self,
        message: &TemplateMessage,
        endpoint: graph::Endpoint,
        result: &mut JobResult,
    ) -> Option<Request> {
        match graph::build_send_template_to(self.graph, message, endpoint) {
            Ok(request) => Some(request),
            Err(error) => {
                result.outcome = Some(Outcome::Permanent {
                    code: 0,
                    kind: PermanentKind::Fix,
                    title: "invalid message".to_owned(),
                    human: error.to_string(),
                });
                None
            }
        }
    }

    fn run(&self, job: &Job, token_held: bool) -> JobResult {
        let mut result = JobResult {
            id: job.id.clone(),
            outcome: None,
            attempts: 0,
            latency_ms: 0,
            language: job.message.language.clone(),
        };
        let mut candidates = std::iter::once(&job.message).chain(job.fallbacks.iter());
        let Some(mut message) = candidates.next() else {
            return result;
        };
        let mut request = match self.build(message, job.endpoint, &mut result) {
            Some(request) => request,
            None => return result,
        };
        let mut token_held = token_held;
        loop {
            let bucket_ok = std::mem::take(&mut token_held)
                || self.wait_for(|now| {
                    self.limits
                        .bucket
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .try_acquire(now)
                });
            let pair_ok = bucket_ok
                && self.wait_for(|now| {
                    self.limits
                        .pairs
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .try_acquire(&message.to, now)
                });
            if !pair_ok {
                return result; // Not attempted (again): the last outcome, if any, stands.
            }
            result.attempts = result.attempts.saturating_add(1);
            let sent_at = Instant::now();
            let outcome = match self.transport.execute(&request) {
                Ok(response) => graph::parse_send_response(&response),
                Err(error) => meta_error::outcome_from_transport_error(&error),
            };
            let spent = u64::try_from(sent_at.elapsed().as_millis()).unwrap_or(u64::MAX);
            result.latency_ms = result.latency_ms.saturating_add(spent);
            let now = self.now_ms();
            let clock = self.limits.clock_ms();
            match &outcome {
                Outcome::Fatal { .. } => self.stop.store(true, Ordering::Relaxed),
                Outcome::RateLimited {
                    scope: RateScope::Recipient,
                    ..
                } => {
                    self.limits
                        .pairs
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .penalize(&message.to, clock);
                }
                Outcome::RateLimited { retry_after_ms, .. } => {
                    let pause = retry_after_ms.unwrap_or(1_000).max(1_000);
                    self.limits
                        .bucket
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .pause_until(clock, clock.saturating_add(pause));
                }
                _ => {}
            }
            if let Outcome::Permanent { code: 132_001, .. } = outcome {
                if let Some(next) = candidates.next() {
                    // Meta has no approved translation in this language: the next candidate
                    // is a different message, not a retry of this one.
                    message = next;
                    result.language.clone_from(&message.language);
                    result.outcome = Some(outcome);
                    match self.build(message, job.endpoint, &mut result) {
                        Some(next_request) => request = next_request,
                        None => return result,
                    }
                    continue;
                }
            }
            let decision = self.config.backoff.decide(
                result.attempts,
                &outcome,
                now,
                self.random(&job.id, result.attempts),
            );
            result.outcome = Some(outcome);
            match decision {
                Decision::RetryAfter(wait_ms) if !self.too_late(wait_ms) => {
                    thread::sleep(Duration::from_millis(wait_ms));
                }
                _ => return result,
            }
        }
    }
}

/// Sends `jobs` concurrently and returns one result per job, in input order.
#[must_use]
pub fn send_batch(
    transport: &dyn Transport,
    graph: &GraphConfig,
    jobs: &[Job],
    config: &BatchConfig,
) -> Vec<JobResult> {
    let limits = Limits::new(config.mps_cap);
    let shared = Shared {
        transport,
        graph,
        config,
        start: Instant::now(),
        limits: &limits,
        stop: AtomicBool::new(false),
        random: RandomState::new(),
    };
    let next = AtomicUsize::new(0);
    let workers = config.concurrency.clamp(1, 512).min(jobs.len().max(1));
    // One slot per job, written as soon as the job ends, so a worker that dies loses nothing
    // that was already sent. The job in flight is marked Unknown first: if its worker panics
    // mid-request the caller reconciles it instead of resending it.
    let slots: Vec<Mutex<Option<JobResult>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let (Some(job), Some(slot)) = (jobs.get(index), slots.get(index)) else {
                        break;
                    };
                    if shared.stop.load(Ordering::Relaxed) || shared.too_late(0) {
                        continue; // The slot stays empty: reported as not attempted.
                    }
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(JobResult {
                        id: job.id.clone(),
                        outcome: Some(Outcome::Unknown {
                            detail: "the sending thread stopped during the request".to_owned(),
                        }),
                        attempts: 1,
                        latency_ms: 0,
                        language: job.message.language.clone(),
                    });
                    let result = shared.run(job, false);
                    *slot.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
                })
            })
            .collect();
        // Joined by hand: a panicked worker must not re-panic out of the scope (its results are
        // already in the slots).
        for handle in handles {
            let _ = handle.join();
        }
    });
    jobs.iter()
        .zip(slots)
        .map(|(job, slot)| {
            slot.into_inner()
                .unwrap_or_else(PoisonError::into_inner)
                .unwrap_or_else(|| JobResult {
                    id: job.id.clone(),
                    outcome: None,
                    attempts: 0,
                    latency_ms: 0,
                    language: job.message.language.clone(),
                })
        })
        .collect()
}

fn not_attempted(job: &Job) -> JobResult {
    JobResult {
        id: job.id.clone(),
        outcome: None,
        attempts: 0,
        latency_ms: 0,
        language: job.message.language.clone(),
    }
}

/// Sends `jobs` like [`send_batch`], but streams: a job is handed to a sending thread only
/// after `on_start` accepted its index (the caller marks it "in flight" durably first), and
/// every result goes to `on_results` as soon as it exists, so a process killed mid-batch has
/// recorded everything that finished and marked only what was really on the wire.
///
/// The throughput token for a job is taken **before** `on_start` (by this thread), and a job
/// is released only to an idle worker, so between `on_start` and the request there is no
/// wait. Both callbacks run on the calling thread (PHP's); returning `false` from either
/// stops the batch (nothing new starts, what is in flight still reports). Returns the indices
/// of the jobs never started (not attempted: `on_start` never saw them).
pub fn send_stream(
    transport: &dyn Transport,
    graph: &GraphConfig,
    jobs: &[Job],
    config: &BatchConfig,
    limits: &Limits,
    mut on_start: impl FnMut(&[usize]) -> bool,
    mut on_results: impl FnMut(Vec<(usize, JobResult)>) -> bool,
) -> Vec<usize> {
    let shared = Shared {
        transport,
        graph,
        config,
        start: Instant::now(),
        limits,
        stop: AtomicBool::new(false),
        random: RandomState::new(),
    };
    let workers = config.concurrency.clamp(1, 512).min(jobs.len().max(1));
    let (job_tx, job_rx) = mpsc::channel::<usize>();
    let job_rx = Mutex::new(job_rx);
    let (result_tx, result_rx) = mpsc::channel::<(usize, JobResult)>();
    let busy = AtomicUsize::new(0);
    let mut next = 0usize;
    let mut outstanding = 0usize;
    let mut stopping = false;
    thread::scope(|scope| {
        for _ in 0..workers {
            let result_tx = result_tx.clone();
            let (shared, job_rx, busy) = (&shared, &job_rx, &busy);
            scope.spawn(move || loop {
                let received = job_rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok(index) = received else { break };
                let Some(job) = jobs.get(index) else {
                    busy.fetch_sub(1, Ordering::SeqCst);
                    continue;
                };
                let result = catch_unwind(AssertUnwindSafe(|| shared.run(job, true)))
                    .unwrap_or_else(|_| JobResult {
                        id: job.id.clone(),
                        outcome: Some(Outcome::Unknown {
                            detail: "the sending thread stopped during the request".to_owned(),
                        }),
                        attempts: 1,
                        latency_ms: 0,
                        language: job.message.language.clone(),
                    });
                busy.fetch_sub(1, Ordering::SeqCst);
                if result_tx.send((index, result)).is_err() {
                    break;
                }
            });
        }
        drop(result_tx);
        loop {
            let can_start = !stopping
                && next < jobs.len()
                && !shared.stop.load(Ordering::Relaxed)
                && !shared.too_late(0);
            if can_start {
                // Take as many tokens as there are idle workers and jobs, without waiting.
                let idle = workers.saturating_sub(busy.load(Ordering::SeqCst));
                let mut group = Vec::new();
                while group.len() < idle && next + group.len() < jobs.len() {
                    if limits.try_token().is_err() {
                        break;
                    }
                    group.push(next + group.len());
                }
                if !group.is_empty() {
                    if on_start(&group) {
                        next += group.len();
                        outstanding += group.len();
                        busy.fetch_add(group.len(), Ordering::SeqCst);
                        for index in group {
                            let _ = job_tx.send(index);
                        }
                    } else {
                        stopping = true;
                    }
                }
            } else if outstanding == 0 {
                break;
            }
            let mut ready = Vec::new();
            match result_rx.recv_timeout(Duration::from_millis(5)) {
                Ok(first) => {
                    ready.push(first);
                    while let Ok(more) = result_rx.try_recv() {
                        ready.push(more);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            if !ready.is_empty() {
                outstanding = outstanding.saturating_sub(ready.len());
                if !on_results(ready) {
                    stopping = true;
                }
            }
        }
        drop(job_tx);
    });
    (next..jobs.len()).collect()
}

/// A job that was never started, as a result (for callers that report every job).
#[must_use]
pub fn not_started(job: &Job) -> JobResult {
    not_attempted(job)
}
