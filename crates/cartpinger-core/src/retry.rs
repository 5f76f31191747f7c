//! Retry decisions: exponential backoff with full jitter, server-given waits, and the policy for
//! messages whose outcome is unknown. Pure: randomness and "now" are arguments.
//!
//! * **Full jitter** (AWS architecture blog, "Exponential Backoff and Jitter"): the delay for
//!   attempt `n` (0-based count of failures so far) is uniform in `[0, min(cap, base · 2ⁿ)]`,
//!   drawn from the caller's random `u64` (PHP `random_int`, or a seeded generator in tests).
//! * A server-given wait (`Retry-After`, `x-business-use-case-usage`, the table default for
//!   131057) is a **floor**: the delay is `max(server_wait, jittered)`, so we never come back
//!   earlier than Meta asked, and many workers told the same wait still spread out when the
//!   jitter is larger.
//! * Pair rate limit (131056): Meta suggests waiting 4ˣ seconds (X = 0, 1, 2 …); the floor is
//!   `max(6 s, 4ⁿ s)` (6 s = one message per pair per 6 s), jitter on top of the exponential.
//! * Permanent and fatal outcomes are never retried; [`Outcome::Unknown`] is never retried
//!   blindly but reconciled ([`reconcile_deadline`], [`reconcile`]).

use crate::meta_error::{Outcome, RateScope};

/// How long to wait for a status webhook before treating an unknown-outcome message as lost:
/// **15 minutes**.
///
/// Why: when Meta accepted a message it sends the `sent` status webhook (carrying our
/// `biz_opaque_callback_data`) within seconds. If our webhook endpoint was briefly unreachable,
/// Meta retries "immediately, then with decreasing frequency", so a short outage still delivers
/// within minutes. A shorter window (1–2 min) would resend, and so duplicate, every message
/// whose webhook was delayed by a short outage or a slow WordPress cron; a longer one (hours)
/// makes a lost reminder arrive late, when the shopper has moved on. Reminders go out 60 min
/// after abandonment and 24 h apart, so 15 min of extra delay is small next to that, while it
/// covers Meta's normal latency many times over.
pub const RECONCILE_WINDOW_MS: u64 = 15 * 60 * 1000;

/// At most this many resends of an unknown-outcome message (a second unknown gives up: a site
/// without working status webhooks must not send every message twice forever).
pub const MAX_UNKNOWN_RESENDS: u32 = 1;

/// When an unknown-outcome message sent at `sent_at_ms` (unix ms) may be resent, if no status
/// webhook for its `biz_opaque_callback_data` has arrived by then.
#[must_use]
pub const fn reconcile_deadline(sent_at_ms: u64) -> u64 {
    sent_at_ms.saturating_add(RECONCILE_WINDOW_MS)
}

/// What to do with an unknown-outcome message now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reconcile {
    /// A status webhook proved Meta has it: mark it sent, never resend.
    Delivered,
    /// Still inside the window: check again at this time (unix ms).
    WaitUntil(u64),
    /// The window passed without a webhook: resend (a new attempt).
    Resend,
    /// The window passed, but the resend budget is spent: give up (mark failed/unknown).
    GiveUp,
}

/// Decides an unknown-outcome message. `status_seen`: a status webhook (any of sent, delivered,
/// read, failed) with this message's `biz_opaque_callback_data` has arrived. `unknown_resends`:
/// how many times it was already resent after an unknown outcome.
#[must_use]
pub fn reconcile(
    status_seen: bool,
    sent_at_ms: u64,
    now_ms: u64,
    unknown_resends: u32,
) -> Reconcile {
    if status_seen {
        return Reconcile::Delivered;
    }
    let deadline = reconcile_deadline(sent_at_ms);
    if now_ms < deadline {
        Reconcile::WaitUntil(deadline)
    } else if unknown_resends < MAX_UNKNOWN_RESENDS {
        Reconcile::Resend
    } else {
        Reconcile::GiveUp
    }
}

/// Backoff parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Base delay (attempt 0's upper bound), ms.
    pub base_ms: u64,
    /// Cap on the exponential part, ms.
    pub cap_ms: u64,
    /// Total attempts allowed, the first send included (`3` = 1 send + 2 retries).
    pub max_attempts: u32,
}

impl Default for Backoff {
    /// 2 s base, 10 min cap, 6 attempts: retries end after roughly a quarter of an hour at
    /// worst, well inside one reminder step.
    fn default() -> Self {
        Self {
            base_ms: 2_000,
            cap_ms: 600_000,
            max_attempts: 6,
        }
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Try the same message again after this many ms.
    RetryAfter(u64),
    /// The outcome is unknown: do not resend now; reconcile at this time (unix ms), see
    /// [`reconcile`].
    ReconcileAt(u64),
    /// Stop: permanent, fatal, or out of attempts.
    GiveUp,
    /// Nothing to do: the message was accepted.
    Done,
}

fn uniform_upto(max_inclusive: u64, random: u64) -> u64 {
    match max_inclusive.checked_add(1) {
        Some(span) => random % span,
        None => random,
    }
}

impl Backoff {
    /// The exponential ceiling for attempt `n`: `min(cap, base · 2ⁿ)` (saturating).
    #[must_use]
    pub fn ceiling_ms(&self, attempt: u32) -> u64 {
        let factor = 1u64.checked_shl(attempt.min(63)).unwrap_or(u64::MAX);
        self.base_ms.saturating_mul(factor).min(self.cap_ms)
    }

    /// Full-jitter delay for attempt `n` (0-based): uniform in `[0, ceiling_ms(n)]` from `random`.
    #[must_use]
    pub fn delay_ms(&self, attempt: u32, random: u64) -> u64 {
        uniform_upto(self.ceiling_ms(attempt), random)
    }

    /// Same, from a random `f64` in `[0, 1)` (values outside are clamped).
    #[must_use]
    pub fn delay_ms_f64(&self, attempt: u32, random: f64) -> u64 {
        let r = if random.is_finite() {
            random.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let ceiling = self.ceiling_ms(attempt);
        // f64 has 53 bits of mantissa: exact enough for any delay below 285 years.
        ((ceiling as f64) * r).floor().min(ceiling as f64) as u64
    }

    /// Decides what to do after attempt number `attempt` (1-based: `1` after the first send)
    /// produced `outcome`, at `now_ms`, with the caller's `random` value.
    #[must_use]
    pub fn decide(&self, attempt: u32, outcome: &Outcome, now_ms: u64, random: u64) -> Decision {
        let n = attempt.saturating_sub(1);
        match outcome {
            Outcome::Accepted { .. } => Decision::Done,
            Outcome::Permanent { .. } | Outcome::Fatal { .. } => Decision::GiveUp,
            Outcome::Unknown { .. } => Decision::ReconcileAt(reconcile_deadline(now_ms)),
            Outcome::Transient { retry_after_ms, .. } => {
                if attempt >= self.max_attempts {
                    return Decision::GiveUp;
                }
                let jittered = self.delay_ms(n, random);
                Decision::RetryAfter(retry_after_ms.map_or(jittered, |f| f.max(jittered)))
            }
            Outcome::RateLimited {
                scope,
                retry_after_ms,
                ..
            } => {
                if attempt >= self.max_attempts {
                    return Decision::GiveUp;
                }
                let delay = match scope {
                    RateScope::Recipient => {
                        let four_pow = 4u64.checked_pow(n).unwrap_or(u64::MAX);
                        let floor = four_pow.saturating_mul(1000).max(PAIR_MIN_WAIT_MS);
                        floor.saturating_add(self.delay_ms(n, random))
                    }
                    _ => self.delay_ms(n, random),
                };
                Decision::RetryAfter(retry_after_ms.map_or(delay, |f| f.max(delay)))
            }
        }
    }
}

/// Minimum wait after a pair rate limit (Meta: one message per 6 s to the same user).
pub const PAIR_MIN_WAIT_MS: u64 = 6_000;
