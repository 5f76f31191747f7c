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
//!   here: the queue's policy ([`crate::delivery`]) settles it through the status webhook.

use crate::meta_error::{Outcome, RateScope};

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
    /// produced `outcome`, with the caller's `random` value. `_now_ms` is kept for callers: the
    /// answer is a relative wait (an unknown outcome, the one case that needed a deadline, is
    /// now the queue's, `crate::delivery`).
    #[must_use]
    pub fn decide(&self, attempt: u32, outcome: &Outcome, _now_ms: u64, random: u64) -> Decision {
        let n = attempt.saturating_sub(1);
        match outcome {
            Outcome::Accepted { .. } => Decision::Done,
            // Unknown: never resent from here (crate::delivery decides what happens to it).
            Outcome::Permanent { .. } | Outcome::Fatal { .. } | Outcome::Unknown { .. } => {
                Decision::GiveUp
            }
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
